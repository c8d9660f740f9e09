// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identity of the kernel code under test: a hash of the mm/ and model/
 * sources as they were compiled, embedded with #embed so that a patched
 * build has a different identity even if the harness itself is unchanged.
 * Schedule tokens carry it, so a token replayed on other code says so.
 */
#include <stdio.h>
#include <string.h>

#include "ksim_internal.h"

#if defined(__has_embed) || (defined(__clang__) && __clang_major__ >= 19)
#define KSIM_HAVE_EMBED 1
#endif

#ifdef KSIM_HAVE_EMBED
#pragma clang diagnostic ignored "-Wc23-extensions"
/* each file, when present, as bytes followed by a NUL */
#if __has_include("../mm/rmap.c")
static const unsigned char src_rmap[] = {
#embed "../mm/rmap.c" suffix(,)
	0 };
#else
static const unsigned char src_rmap[] = { 0 };
#endif
#if __has_include("../mm/mlock.c")
static const unsigned char src_mlock[] = {
#embed "../mm/mlock.c" suffix(,)
	0 };
#else
static const unsigned char src_mlock[] = { 0 };
#endif
#if __has_include("../mm/migrate.c")
static const unsigned char src_migrate[] = {
#embed "../mm/migrate.c" suffix(,)
	0 };
#else
static const unsigned char src_migrate[] = { 0 };
#endif
#if __has_include("../mm/vmscan.c")
static const unsigned char src_vmscan[] = {
#embed "../mm/vmscan.c" suffix(,)
	0 };
#else
static const unsigned char src_vmscan[] = { 0 };
#endif
#if __has_include("../mm/swap.c")
static const unsigned char src_swap[] = {
#embed "../mm/swap.c" suffix(,)
	0 };
#else
static const unsigned char src_swap[] = { 0 };
#endif
#if __has_include("../mm/memory.c")
static const unsigned char src_memory[] = {
#embed "../mm/memory.c" suffix(,)
	0 };
#else
static const unsigned char src_memory[] = { 0 };
#endif
#if __has_include("../mm/page_alloc.c")
static const unsigned char src_page_alloc[] = {
#embed "../mm/page_alloc.c" suffix(,)
	0 };
#else
static const unsigned char src_page_alloc[] = { 0 };
#endif
#if __has_include("../mm/mmap.c")
static const unsigned char src_mmap[] = {
#embed "../mm/mmap.c" suffix(,)
	0 };
#else
static const unsigned char src_mmap[] = { 0 };
#endif
#if __has_include("../mm/truncate.c")
static const unsigned char src_truncate[] = {
#embed "../mm/truncate.c" suffix(,)
	0 };
#else
static const unsigned char src_truncate[] = { 0 };
#endif
#if __has_include("../mm/filemap.c")
static const unsigned char src_filemap[] = {
#embed "../mm/filemap.c" suffix(,)
	0 };
#else
static const unsigned char src_filemap[] = { 0 };
#endif
#if __has_include("../mm/fremap.c")
static const unsigned char src_fremap[] = {
#embed "../mm/fremap.c" suffix(,)
	0 };
#else
static const unsigned char src_fremap[] = { 0 };
#endif
#if __has_include("../mm/internal.h")
static const unsigned char src_internal[] = {
#embed "../mm/internal.h" suffix(,)
	0 };
#else
static const unsigned char src_internal[] = { 0 };
#endif

/* the models: their operations and worlds change what a token means */
#if __has_include("../model/mm_ops.c")
static const unsigned char src_model_mm_ops[] = {
#embed "../model/mm_ops.c" suffix(,)
	0 };
#else
static const unsigned char src_model_mm_ops[] = { 0 };
#endif
#if __has_include("../model/mm_world.c")
static const unsigned char src_model_mm_world[] = {
#embed "../model/mm_world.c" suffix(,)
	0 };
#else
static const unsigned char src_model_mm_world[] = { 0 };
#endif
#if __has_include("../model/mm_model.h")
static const unsigned char src_model_mm_model[] = {
#embed "../model/mm_model.h" suffix(,)
	0 };
#else
static const unsigned char src_model_mm_model[] = { 0 };
#endif
#if __has_include("../model/toy.c")
static const unsigned char src_model_toy[] = {
#embed "../model/toy.c" suffix(,)
	0 };
#else
static const unsigned char src_model_toy[] = { 0 };
#endif

struct ksim_src {
	const unsigned char *p;
	size_t n;
};

static const struct ksim_src sources[] = {
	{ src_rmap, sizeof(src_rmap) },
	{ src_mlock, sizeof(src_mlock) },
	{ src_migrate, sizeof(src_migrate) },
	{ src_vmscan, sizeof(src_vmscan) },
	{ src_swap, sizeof(src_swap) },
	{ src_memory, sizeof(src_memory) },
	{ src_page_alloc, sizeof(src_page_alloc) },
	{ src_mmap, sizeof(src_mmap) },
	{ src_truncate, sizeof(src_truncate) },
	{ src_filemap, sizeof(src_filemap) },
	{ src_fremap, sizeof(src_fremap) },
	{ src_internal, sizeof(src_internal) },
	{ src_model_mm_ops, sizeof(src_model_mm_ops) },
	{ src_model_mm_world, sizeof(src_model_mm_world) },
	{ src_model_mm_model, sizeof(src_model_mm_model) },
	{ src_model_toy, sizeof(src_model_toy) },
};
#endif

const char *ksim_code_id(void)
{
	static __thread char id[16];

	if (!id[0]) {
#ifdef KSIM_HAVE_EMBED
		uint64_t h = 1469598103934665603ULL;
		size_t i, j;

		for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
			for (j = 0; j < sources[i].n; j++)
				h = (h ^ sources[i].p[j]) * 1099511628211ULL;
		snprintf(id, sizeof(id), "%012llx",
			 (unsigned long long)(h & 0xffffffffffffULL));
#else
		snprintf(id, sizeof(id), "unknown");
#endif
	}
	return id;
}
