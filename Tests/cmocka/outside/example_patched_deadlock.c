// SPDX-License-Identifier: GPL-2.0-only
/*
 * example_patched_deadlock.c - a cmocka test that pins a deadlock of a
 * patched build: Patches/0005 reverts the fix of __munlock_pagevec(), and
 * in scenario munlock-vs-unmap munlock then takes zone.lru_lock a second
 * time (mm/swap.c).  The walk-through is docs/c-library.md:
 *
 *   kharness build Patches/0005-REVERT-mm-munlock-fix-deadlock-in-__munlock_pagevec.patch \
 *           --prefix "$P"                    # prints the build's code id
 *   kharness run munlock-vs-unmap --patch Patches/0005-...patch
 *                                           # prints the deadlock's token
 *   export PKG_CONFIG_PATH="$P/lib/pkgconfig"
 *   cc -DPINNED_TOKEN='"ksim1:munlock-vs-unmap:CODEID:CHOICES"' \
 *      example_patched_deadlock.c $(pkg-config --cflags --libs kshim cmocka)
 *
 * A suite of one's own writes the token into its source; make
 * test-outside makes it fresh (the code id changes with every change of
 * the shim) and passes it in KSHIM_PATCHED_TOKEN.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <kshim.h>

#ifndef PINNED_TOKEN
#define PINNED_TOKEN NULL
#endif

static const char *pinned_token(void)
{
	const char *t = getenv("KSHIM_PATCHED_TOKEN");

	return t ? t : PINNED_TOKEN;
}

static void test_reverted_munlock_fix_deadlocks(void **state)
{
	const char *token = pinned_token();
	char err[KSIM_ERRLEN];
	struct ksim_world *w;
	struct ksim_finding f;
	int n, i, deadlocks = 0;

	(void)state;
	if (!token)
		fail_msg("no token: build with -DPINNED_TOKEN='\"ksim1:...\"' or set KSHIM_PATCHED_TOKEN");
	w = ksim_world_create_scenario("munlock-vs-unmap", err, sizeof(err));
	assert_non_null(w);
	n = ksim_run_token(w, token);
	/* linked against another build: the message names the one it needs */
	if (n == KSIM_EMISMATCH)
		fail_msg("%s", ksim_last_error(w));
	assert_true(n >= 1);
	for (i = 0; i < n; i++) {
		assert_int_equal(ksim_finding_get(w, i, &f), 0);
		if (f.kind == KSIM_F_DEADLOCK && !strcmp(f.file, "mm/swap.c"))
			deadlocks++;
	}
	assert_int_equal(deadlocks, 1);
	assert_true(ksim_failed(w));
	ksim_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reverted_munlock_fix_deadlocks),
	};

	return cmocka_run_group_tests_name("patched build: reverted munlock fix",
					   tests, NULL, NULL);
}
