// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identity of the kernel code under test: a SHA-256 over every file of
 * CKernelShim/ as it was compiled (the runtime and the stubs as much as
 * mm/ and model/: a patch to any of them changes what a run means).  The
 * files are #embedded through the generated list runtime/codeid_files.h,
 * so the Makefile and SwiftPM builds of the same sources agree, and a
 * patched scratch tree (whose list the Swift side rewrites) has its own.
 * Schedule tokens carry the id, so a token replayed on other code says so.
 *
 * What is hashed, per file in list order (bytewise sorted paths):
 *   u64 length of the path, the path (relative to CKernelShim/),
 *   u64 length of the content, the content
 * (u64 little-endian), after the tag "kshim code id v1\n".  The id is the
 * first 12 hex digits of the digest.  CodeIdentity.swift computes the same.
 *
 * A compiler without #embed (gcc 12) gets the id from a header the
 * Makefile generates with mk/codeid-tool.c over the same list
 * (KSIM_CODE_ID_HEADER names it).
 */
#include <stdio.h>
#include <string.h>

#include "ksim_internal.h"

#if defined(KSIM_CODE_ID_HEADER)
#include KSIM_CODE_ID_HEADER
#elif defined(__has_embed) || (defined(__clang__) && __clang_major__ >= 19)
#define KSIM_HAVE_EMBED 1
#endif

#ifdef KSIM_HAVE_EMBED
#pragma clang diagnostic ignored "-Wc23-extensions"

struct ksim_id_file {
	const char *path;
	const unsigned char *p;
	size_t n;
};

#include "codeid_files.h"

static void ksim_id_put_u64(struct ksim_sha256 *s, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	ksim_sha256_update(s, b, sizeof(b));
}
#endif

const char *ksim_code_id(void)
{
	static __thread char id[16];

	if (!id[0]) {
#ifdef KSIM_HAVE_EMBED
		static const char tag[] = "kshim code id v1\n";
		struct ksim_sha256 s;
		unsigned char d[32];
		size_t i;

		ksim_sha256_init(&s);
		ksim_sha256_update(&s, tag, sizeof(tag) - 1);
		for (i = 0; i < sizeof(ksim_id_files) / sizeof(ksim_id_files[0]); i++) {
			const struct ksim_id_file *f = &ksim_id_files[i];
			size_t n = strlen(f->path);

			ksim_id_put_u64(&s, n);
			ksim_sha256_update(&s, f->path, n);
			ksim_id_put_u64(&s, f->n);
			ksim_sha256_update(&s, f->p, f->n);
		}
		ksim_sha256_final(&s, d);
		for (i = 0; i < 6; i++)
			snprintf(id + 2 * i, 3, "%02x", d[i]);
#elif defined(KSIM_CODE_ID_VALUE)
		snprintf(id, sizeof(id), "%s", KSIM_CODE_ID_VALUE);
#else
		snprintf(id, sizeof(id), "unknown");
#endif
	}
	return id;
}
