// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which kernel functions ran: a build compiled with -finstrument-functions
 * (check-patch's patched build) calls __cyg_profile_func_enter() at the
 * entry of every function of the kernel code; the runtime keeps the
 * function's address in the calling thread's current world, across runs,
 * so an exploration can say whether the functions a patch changes ran in
 * any of its schedules.  Builds without the flag never call it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "ksim_internal.h"

/*
 * Basic-block coverage.  The compiler emits one guard word and one
 * (address, flags) pair per basic block of every instrumented file, in
 * the sections __sancov_guards and __sancov_pcs; the linker bounds each
 * section of this library with __start_/__stop_ symbols (hidden: a
 * dlopen()ed build sees its own).  A block is numbered by its guard's
 * place in the section, so nothing needs keeping here; a build without
 * instrumented files has no such sections, and the weak bounds are NULL.
 * Which blocks ran is per world.
 */
extern uint32_t __start___sancov_guards[] __attribute__((weak, visibility("hidden")));
extern uint32_t __stop___sancov_guards[] __attribute__((weak, visibility("hidden")));
extern const uintptr_t __start___sancov_pcs[] __attribute__((weak, visibility("hidden")));
extern const uintptr_t __stop___sancov_pcs[] __attribute__((weak, visibility("hidden")));

void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop)
	__attribute__((no_instrument_function, visibility("hidden")));
void __sanitizer_cov_trace_pc_guard(uint32_t *guard)
	__attribute__((no_instrument_function, visibility("hidden")));
void __sanitizer_cov_pcs_init(const uintptr_t *start, const uintptr_t *stop)
	__attribute__((no_instrument_function, visibility("hidden")));

/* Every file's constructor calls these with the library-wide ranges. */
void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop)
{
	uint32_t *g;

	for (g = start; g < stop; g++)
		*g = 1;		/* armed: the hook below records it */
}

void __sanitizer_cov_pcs_init(const uintptr_t *start, const uintptr_t *stop)
{
	(void)start;
	(void)stop;
}

void __sanitizer_cov_trace_pc_guard(uint32_t *guard)
{
	struct ksim_world *w = ksim_tls_world;
	size_t i;

	if (!w || !*guard)
		return;
	i = (size_t)(guard - __start___sancov_guards);
	if (!w->cov.blocks) {
		size_t n = (size_t)(__stop___sancov_guards - __start___sancov_guards);

		w->cov.blocks = calloc((n + 63) / 64, sizeof(uint64_t));
		if (!w->cov.blocks)
			return;
	}
	w->cov.blocks[i >> 6] |= 1ULL << (i & 63);
}

long ksim_coverage_blocks(void)
{
	long guards = (long)(__stop___sancov_guards - __start___sancov_guards);
	long pcs = (long)(__stop___sancov_pcs - __start___sancov_pcs) / 2;

	/* both tables or neither: a build without pc-table has no addresses */
	return guards == pcs ? guards : 0;
}

unsigned long ksim_coverage_block_address(long i)
{
	Dl_info info;
	uintptr_t pc;

	if (i < 0 || i >= ksim_coverage_blocks())
		return 0;
	pc = __start___sancov_pcs[2 * i];
	if (!dladdr((void *)pc, &info) || !info.dli_fbase)
		return 0;
	return (unsigned long)(pc - (uintptr_t)info.dli_fbase);
}

int ksim_coverage_block_ran(const struct ksim_world *w, long i)
{
	if (!w || !w->cov.blocks || i < 0 || i >= ksim_coverage_blocks())
		return 0;
	return (int)(w->cov.blocks[i >> 6] >> (i & 63) & 1);
}

/*
 * Hidden: the instrumented code of a dlopen()ed build must call its own
 * hooks (which record into its own thread's world), not those of the
 * program that loaded it.
 */
void __cyg_profile_func_enter(void *fn, void *site)
	__attribute__((no_instrument_function, visibility("hidden")));
void __cyg_profile_func_exit(void *fn, void *site)
	__attribute__((no_instrument_function, visibility("hidden")));

void __cyg_profile_func_enter(void *fn, void *site)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_cov *c;
	size_t i, n;

	(void)site;
	if (!w)
		return;
	c = &w->cov;
	i = ((uintptr_t)fn >> 4) * 0x9E3779B97F4A7C15ULL >> 54;	/* 10 bits */
	for (n = 0; n < KSIM_COV_SLOTS; n++, i = (i + 1) & (KSIM_COV_SLOTS - 1)) {
		if (c->fn[i] == fn)
			return;
		if (!c->fn[i]) {
			c->fn[i] = fn;
			c->nr++;
			return;
		}
	}
	c->dropped = 1;
}

void __cyg_profile_func_exit(void *fn, void *site)
{
	(void)fn;
	(void)site;
}

int ksim_coverage_count(const struct ksim_world *w)
{
	return w ? w->cov.nr : 0;
}

/* Name of the i-th function that ran (no order), owned by the world. */
const char *ksim_coverage_name(struct ksim_world *w, int i)
{
	char buf[160], *plus;
	size_t k;
	int seen = 0;

	if (!w || i < 0)
		return NULL;
	for (k = 0; k < KSIM_COV_SLOTS; k++) {
		if (!w->cov.fn[k])
			continue;
		if (seen++ != i)
			continue;
		/* ksim_symbolize() looks one byte before a return address */
		ksim_symbolize((char *)w->cov.fn[k] + 1, buf, sizeof(buf));
		plus = strchr(buf, '+');
		if (plus)
			*plus = '\0';
		return ksim_pool_printf(w, "%s", buf);
	}
	return NULL;
}

void ksim_coverage_clear(struct ksim_world *w)
{
	if (!w)
		return;
	free(w->cov.blocks);
	memset(&w->cov, 0, sizeof(w->cov));
}
