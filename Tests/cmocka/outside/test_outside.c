// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_outside.c - a suite as somebody outside the project writes it: from
 * kshim.h and the README only, built against an installed copy of the
 * library through its kshim.pc (make test-outside: once static, once
 * shared), under cmocka, which swaps signal handlers around every test.
 *
 * It checks that
 *  - crashes in kernel code are findings in every test of the process,
 *    also step by step and on a second thread, while the host's own
 *    handlers are back after each run and still get faults outside tasks;
 *  - every entry point refuses NULL and out-of-range arguments with an
 *    error code and a message (cleared by the next success), and a
 *    refused run leaves no findings of an earlier run behind;
 *  - the library exports only ksim_* names: this program defines its own
 *    put_page() and migrate_pages() (kernel functions the shim compiles)
 *    and they are the ones it calls;
 *  - with KSHIM_PATCHED_TOKEN set (make test-outside does, from a
 *    `kharness build` of Patches/0001): that token needs a build whose
 *    code id this library is not, and says so.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <kshim.h>

/* ---- a put_page and a migrate_pages of our own ------------------------ */

/* Names the kernel code in the library defines too: with the library's
 * kernel symbols local these are the program's, and calls reach them. */
int put_page_calls;

void put_page(void *page)
{
	(void)page;
	put_page_calls++;
}

long migrate_pages(int pid, unsigned long maxnode, const unsigned long *from,
		   const unsigned long *to)
{
	(void)maxnode;
	(void)from;
	(void)to;
	return 1000 + pid;
}

static void test_own_kernel_names(void **state)
{
	(void)state;
	put_page_calls = 0;
	put_page(NULL);
	put_page(NULL);
	assert_int_equal(put_page_calls, 2);
	assert_int_equal(migrate_pages(7, 0, NULL, NULL), 1007);
	/* and the library's own kernel code still runs (its put_page) */
	{
		char err[KSIM_ERRLEN];
		struct ksim_world *w = ksim_world_create_scenario(
			"seed-migrate-nonlinear", err, sizeof(err));

		assert_non_null(w);
		assert_true(ksim_run_round_robin(w) >= 0);
		assert_true(ksim_done(w));
		ksim_world_destroy(w);
	}
	assert_int_equal(put_page_calls, 2);
}

/* ---- crashes ------------------------------------------------------------ */

/* t1 dereferences NULL when it finds the counter bumped: after "a2" */
static const char crash_spec[] =
	"model toy\ntask t0 incr 1\ntask t1 crash_if_raced\n";

static struct ksim_world *make_world(const char *spec)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create(spec, err, sizeof(err));

	if (!w)
		fail_msg("spec rejected: %s", err);
	return w;
}

static int count_kind(struct ksim_world *w, int kind)
{
	int i, n = 0, k;

	for (i = 0; i < ksim_finding_count(w); i++) {
		assert_int_equal(ksim_finding_brief(w, i, &k, NULL, NULL, NULL), 0);
		n += k == kind;
	}
	return n;
}

static void sig_now(int sig, struct sigaction *sa)
{
	memset(sa, 0, sizeof(*sa));
	assert_int_equal(sigaction(sig, NULL, sa), 0);
}

static int same_handler(const struct sigaction *a, const struct sigaction *b)
{
	return (void *)a->sa_sigaction == (void *)b->sa_sigaction &&
	       (a->sa_flags & SA_SIGINFO) == (b->sa_flags & SA_SIGINFO);
}

/* One crash run; the handlers in place before it are back after it. */
static void crash_once(void)
{
	struct ksim_world *w = make_world(crash_spec);
	struct sigaction before, after;
	struct ksim_finding f;
	int rc;

	assert_true(ksim_done(w) == 0);
	/* creation started a run: let it end so the guard is put away */
	assert_true(ksim_run_token(w, "ksim1:*:*:ba2") >= 0);
	assert_int_equal(count_kind(w, KSIM_F_CRASH), 0);
	sig_now(SIGSEGV, &before);
	rc = ksim_run_token(w, "ksim1:*:*:a2b");
	assert_true(rc >= 1);
	assert_int_equal(count_kind(w, KSIM_F_CRASH), 1);
	assert_int_equal(ksim_finding_get(w, 0, &f), 0);
	assert_int_equal(f.kind, KSIM_F_CRASH);
	assert_non_null(strstr(f.message, "in task t1"));
	assert_true(ksim_failed(w) == 1);
	sig_now(SIGSEGV, &after);
	assert_true(same_handler(&before, &after));
	ksim_world_destroy(w);
}

static void test_crash_1(void **state) { (void)state; crash_once(); }
static void test_crash_2(void **state) { (void)state; crash_once(); }
static void test_crash_3(void **state) { (void)state; crash_once(); }

/* Worlds made once for the whole group (before cmocka's per-test handlers)
 * and run in each test: every run start re-arms over cmocka's. */
struct suite {
	struct ksim_world *crash;
};

static int group_setup(void **state)
{
	struct suite *s = calloc(1, sizeof(*s));
	char err[KSIM_ERRLEN];

	if (!s)
		return -1;
	s->crash = ksim_world_create(crash_spec, err, sizeof(err));
	if (!s->crash)
		return -1;
	*state = s;
	return 0;
}

static int group_teardown(void **state)
{
	struct suite *s = *state;

	if (s)
		ksim_world_destroy(s->crash);
	free(s);
	return 0;
}

static void test_crash_group_world_a(void **state)
{
	struct suite *s = *state;

	assert_true(ksim_run_token(s->crash, "ksim1:*:*:a2b") >= 1);
	assert_int_equal(count_kind(s->crash, KSIM_F_CRASH), 1);
}

static void test_crash_group_world_b(void **state)
{
	struct suite *s = *state;

	assert_true(ksim_run_random(s->crash, 1) >= 0);
	assert_true(ksim_run_token(s->crash, "ksim1:*:*:a2b") >= 1);
	assert_int_equal(count_kind(s->crash, KSIM_F_CRASH), 1);
}

/* Step by step: the run is armed from its start to its end. */
static void test_crash_step_by_step(void **state)
{
	struct ksim_world *w = make_world(crash_spec);

	(void)state;
	assert_int_equal(ksim_step(w, 0), 0);
	assert_int_equal(ksim_step(w, 0), 0);
	assert_int_equal(ksim_step(w, 1), 0);
	assert_true(ksim_done(w));
	assert_int_equal(count_kind(w, KSIM_F_CRASH), 1);
	assert_int_equal(ksim_task_state(w, 1), KSIM_TASK_DEAD);
	ksim_world_destroy(w);
}

static void *crash_thread(void *arg)
{
	int *found = arg;
	struct ksim_world *w = ksim_world_create(crash_spec, NULL, 0);
	int i;

	if (!w)
		return NULL;
	for (i = 0; i < 20; i++)
		if (ksim_run_token(w, "ksim1:*:*:a2b") >= 1 &&
		    count_kind(w, KSIM_F_CRASH) == 1)
			(*found)++;
	ksim_world_destroy(w);
	return NULL;
}

/* Two threads crash tasks at the same time, and each exits. */
static void test_crash_two_threads(void **state)
{
	pthread_t a, b;
	int fa = 0, fb = 0;

	(void)state;
	assert_int_equal(pthread_create(&a, NULL, crash_thread, &fa), 0);
	assert_int_equal(pthread_create(&b, NULL, crash_thread, &fb), 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	assert_int_equal(fa, 20);
	assert_int_equal(fb, 20);
}

/* The host's handler: faults outside tasks are its business. */
static sigjmp_buf host_jmp;
static volatile sig_atomic_t host_hits;

static void host_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	host_hits++;
	siglongjmp(host_jmp, 1);
}

static void test_fault_outside_tasks_goes_to_host(void **state)
{
	struct sigaction mine, old, now;
	struct ksim_world *w;
	volatile int *volatile nowhere = NULL;
	stack_t ss_before, ss_now;

	(void)state;
	memset(&mine, 0, sizeof(mine));
	mine.sa_sigaction = host_handler;
	mine.sa_flags = SA_SIGINFO;
	sigemptyset(&mine.sa_mask);
	assert_int_equal(sigaction(SIGSEGV, &mine, &old), 0);
	assert_int_equal(sigaltstack(NULL, &ss_before), 0);
	host_hits = 0;

	/* a world whose run is not over: the guard stays armed */
	w = make_world(crash_spec);
	sig_now(SIGSEGV, &now);
	assert_false(same_handler(&now, &mine));
	if (!sigsetjmp(host_jmp, 1))
		*nowhere = 1;	/* a fault of the host, not of a task */
	assert_int_equal(host_hits, 1);
	/* the world goes on and still reports its own crash */
	assert_int_equal(ksim_step(w, 0), 0);
	assert_int_equal(ksim_step(w, 0), 0);
	assert_int_equal(ksim_step(w, 1), 0);
	assert_int_equal(count_kind(w, KSIM_F_CRASH), 1);
	/* the run is over: the host's handler and alternate stack are back */
	sig_now(SIGSEGV, &now);
	assert_true(same_handler(&now, &mine));
	assert_int_equal(sigaltstack(NULL, &ss_now), 0);
	assert_int_equal(ss_now.ss_flags & SS_DISABLE, ss_before.ss_flags & SS_DISABLE);
	assert_ptr_equal(ss_now.ss_sp, ss_before.ss_sp);
	/* an unfinished run given up: destroy puts the guard away too */
	ksim_world_reset(w);
	sig_now(SIGSEGV, &now);
	assert_false(same_handler(&now, &mine));
	ksim_world_destroy(w);
	sig_now(SIGSEGV, &now);
	assert_true(same_handler(&now, &mine));
	/* a host handler installed over ours during a run stays */
	w = make_world(crash_spec);
	{
		struct sigaction later = mine;

		assert_int_equal(sigaction(SIGBUS, &later, NULL), 0);
		assert_true(ksim_run_round_robin(w) >= 0);
		sig_now(SIGBUS, &now);
		assert_true(same_handler(&now, &mine));
	}
	ksim_world_destroy(w);
	assert_int_equal(sigaction(SIGSEGV, &old, NULL), 0);
}

/* KSIM_CRASH_GUARD_OFF (here from the spec): runs leave the handlers be. */
static void test_crash_guard_off(void **state)
{
	struct ksim_world *w;
	struct sigaction mine, old, now;

	(void)state;
	memset(&mine, 0, sizeof(mine));
	mine.sa_sigaction = host_handler;
	mine.sa_flags = SA_SIGINFO;
	assert_int_equal(sigaction(SIGSEGV, &mine, &old), 0);
	w = make_world("model toy\noption crash_guard 0\n"
		       "task t0 incr 1\ntask t1 crash_if_raced\n");
	/* a run is under way: with the guard on ours would be in place */
	sig_now(SIGSEGV, &now);
	assert_true(same_handler(&now, &mine));
	assert_int_equal(ksim_step(w, 1), 0);
	sig_now(SIGSEGV, &now);
	assert_true(same_handler(&now, &mine));
	/* switched on: the next run arms it */
	assert_int_equal(ksim_world_set_option(w, KSIM_OPT_CRASH_GUARD,
					       KSIM_CRASH_GUARD_RUN), 0);
	ksim_world_reset(w);
	sig_now(SIGSEGV, &now);
	assert_false(same_handler(&now, &mine));
	ksim_world_destroy(w);
	sig_now(SIGSEGV, &now);
	assert_true(same_handler(&now, &mine));
	assert_int_equal(sigaction(SIGSEGV, &old, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_kernel_names),
		cmocka_unit_test(test_crash_1),
		cmocka_unit_test(test_crash_2),
		cmocka_unit_test(test_crash_group_world_a),
		cmocka_unit_test(test_crash_step_by_step),
		cmocka_unit_test(test_crash_group_world_b),
		cmocka_unit_test(test_crash_two_threads),
		cmocka_unit_test(test_fault_outside_tasks_goes_to_host),
		cmocka_unit_test(test_crash_guard_off),
		cmocka_unit_test(test_crash_3),
	};

	return cmocka_run_group_tests_name("kshim outside suite", tests,
					   group_setup, group_teardown);
}
