// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which kernel functions ran: a build compiled with -finstrument-functions
 * (check-patch's patched build) calls __cyg_profile_func_enter() at the
 * entry of every function of the kernel code; the runtime keeps the
 * function's address in the calling thread's current world, across runs,
 * so an exploration can say whether the functions a patch changes ran in
 * any of its schedules.  Builds without the flag never call it.
 */
#include <string.h>

#include "ksim_internal.h"

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
	if (w)
		memset(&w->cov, 0, sizeof(w->cov));
}
