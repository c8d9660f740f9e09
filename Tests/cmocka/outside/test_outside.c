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

/* ---- NULL and out-of-range arguments ------------------------------------ */

/* rc is the error code and the world's message is set; */
#define assert_refused(w, call, code) do { \
	int rc_ = (call); \
	if (rc_ != (code)) \
		fail_msg("%s: %d, expected %d", #call, rc_, (code)); \
	if (!ksim_last_error(w)[0]) \
		fail_msg("%s: no message", #call); \
} while (0)

static void test_null_world(void **state)
{
	struct ksim_stats st;
	struct ksim_op op;
	struct ksim_finding f;
	struct ksim_event ev;
	struct ksim_lock_dep d;
	const uint8_t *ch = (const uint8_t *)"x";
	const uint32_t *masks = (const uint32_t *)"x";
	uint8_t a[2] = { 0, 1 };
	int prio[2] = { 1, 2 };
	int k;

	(void)state;
	assert_int_equal(ksim_step(NULL, 0), KSIM_EINVAL);
	assert_int_equal(ksim_run_token(NULL, "ksim1:*:*:a"), KSIM_EINVAL);
	assert_int_equal(ksim_run_array(NULL, a, 2), KSIM_EINVAL);
	assert_int_equal(ksim_run_prefix(NULL, a, 2), KSIM_EINVAL);
	assert_int_equal(ksim_run_last_first(NULL, a, 2), KSIM_EINVAL);
	assert_int_equal(ksim_run_random(NULL, 1), KSIM_EINVAL);
	assert_int_equal(ksim_run_round_robin(NULL), KSIM_EINVAL);
	assert_int_equal(ksim_run_pct(NULL, prio, NULL, 0), KSIM_EINVAL);
	assert_int_equal(ksim_world_set_option(NULL, KSIM_OPT_TRACE, 1), KSIM_EINVAL);
	assert_int_equal(ksim_task_count(NULL), KSIM_EINVAL);
	assert_null(ksim_task_name(NULL, 0));
	assert_int_equal(ksim_task_state(NULL, 0), KSIM_EINVAL);
	assert_int_equal(ksim_enabled(NULL), 0);
	assert_int_equal(ksim_pending(NULL, 0, &op), KSIM_EINVAL);
	assert_int_equal(ksim_pending_access(NULL, 0, &k, NULL, NULL), KSIM_EINVAL);
	assert_int_equal(ksim_done(NULL), KSIM_EINVAL);
	assert_int_equal(ksim_finding_count(NULL), KSIM_EINVAL);
	assert_int_equal(ksim_finding_get(NULL, 0, &f), KSIM_EINVAL);
	assert_int_equal(ksim_finding_brief(NULL, 0, &k, NULL, NULL, NULL), KSIM_EINVAL);
	assert_int_equal(ksim_failed(NULL), KSIM_EINVAL);
	assert_int_equal(ksim_event_count(NULL), 0);
	assert_int_equal(ksim_event_get(NULL, 0, &ev), KSIM_EINVAL);
	assert_string_equal(ksim_trace_text(NULL), "");
	assert_string_equal(ksim_schedule_token(NULL), "");
	assert_int_equal(ksim_schedule(NULL, &ch), 0);
	assert_null(ch);
	assert_int_equal(ksim_enabled_log(NULL, &masks), 0);
	assert_null(masks);
	assert_int_equal(ksim_lockdep_count(NULL), 0);
	assert_int_equal(ksim_lockdep_get(NULL, 0, &d), KSIM_EINVAL);
	assert_int_equal(ksim_coverage_count(NULL), 0);
	assert_null(ksim_coverage_name(NULL, 0));
	assert_int_equal(ksim_coverage_block_ran(NULL, 0), 0);
	assert_int_equal(ksim_running_task(NULL), -1);
	assert_string_equal(ksim_world_scenario(NULL), "");
	assert_non_null(strstr(ksim_last_error(NULL), "NULL"));
	memset(&st, 0xff, sizeof(st));
	ksim_stats_get(NULL, &st);
	assert_int_equal(st.runs, 0);
	ksim_world_reset(NULL);
	ksim_world_destroy(NULL);
	ksim_lockdep_clear(NULL);
	ksim_coverage_clear(NULL);
	assert_null(ksim_world_create(NULL, NULL, 0));
	assert_null(ksim_world_create_scenario(NULL, NULL, 0));
	assert_int_equal(ksim_scenario_find(NULL), KSIM_EINVAL);
	assert_null(ksim_scenario_name(-1));
	assert_null(ksim_scenario_name(ksim_scenario_count()));
	assert_null(ksim_operation_name(-1));
	assert_string_equal(ksim_op_kind_name(KSIM_OP__COUNT), "unknown");
	assert_string_equal(ksim_finding_kind_name(-1), "unknown");
	assert_int_equal(ksim_coverage_block_address(-1), 0);
}

static void test_bad_arguments(void **state)
{
	struct ksim_world *w = make_world("model toy\ntask t0 incr 1\ntask t1 incr 1\n");
	struct ksim_op op;
	struct ksim_finding f;
	struct ksim_event ev;
	struct ksim_stats st;
	int same[2] = { 3, 3 }, prio[2] = { 1, 2 };
	uint64_t zero[1] = { 0 };

	(void)state;
	assert_refused(w, ksim_pending(w, 0, NULL), KSIM_EINVAL);
	assert_refused(w, ksim_pending(w, 2, &op), KSIM_ENOENT);
	assert_refused(w, ksim_pending(w, -1, &op), KSIM_ENOENT);
	assert_refused(w, ksim_pending_access(w, 9, NULL, NULL, NULL), KSIM_ENOENT);
	assert_refused(w, ksim_task_state(w, 2), KSIM_ENOENT);
	assert_refused(w, ksim_step(w, 2), KSIM_ENOENT);
	assert_refused(w, ksim_step(w, -1), KSIM_ENOENT);
	assert_refused(w, ksim_finding_get(w, 0, NULL), KSIM_EINVAL);
	assert_refused(w, ksim_finding_get(w, 0, &f), KSIM_ENOENT);
	assert_refused(w, ksim_finding_brief(w, 0, NULL, NULL, NULL, NULL), KSIM_ENOENT);
	assert_refused(w, ksim_event_get(w, 0, NULL), KSIM_EINVAL);
	assert_refused(w, ksim_event_get(w, 99, &ev), KSIM_ENOENT);
	/* every option value a world accepts is a valid one */
	assert_refused(w, ksim_world_set_option(w, KSIM_OPT_MAX_STEPS, 0), KSIM_EINVAL);
	assert_refused(w, ksim_world_set_option(w, KSIM_OPT_MAX_STEPS, KSIM_STEP_LIMIT + 1L), KSIM_EINVAL);
	assert_refused(w, ksim_world_set_option(w, KSIM_OPT_TRACE, 2), KSIM_EINVAL);
	assert_refused(w, ksim_world_set_option(w, KSIM_OPT_TRACE, -1), KSIM_EINVAL);
	assert_refused(w, ksim_world_set_option(w, KSIM_OPT_CRASH_GUARD, 3), KSIM_EINVAL);
	assert_refused(w, ksim_world_set_option(w, 0, 1), KSIM_EINVAL);
	assert_refused(w, ksim_world_set_option(w, 99, 1), KSIM_EINVAL);
	/* a success clears the message */
	assert_int_equal(ksim_world_set_option(w, KSIM_OPT_MAX_STEPS, 1), 0);
	assert_string_equal(ksim_last_error(w), "");
	assert_int_equal(ksim_world_set_option(w, KSIM_OPT_MAX_STEPS, 1000), 0);
	assert_refused(w, ksim_run_array(w, NULL, 3), KSIM_EINVAL);
	assert_refused(w, ksim_run_prefix(w, NULL, 1), KSIM_EINVAL);
	assert_refused(w, ksim_run_pct(w, NULL, NULL, 0), KSIM_EINVAL);
	assert_refused(w, ksim_run_pct(w, same, NULL, 0), KSIM_EINVAL);
	assert_refused(w, ksim_run_pct(w, prio, zero, 1), KSIM_EINVAL);
	assert_refused(w, ksim_run_pct(w, prio, NULL, 1), KSIM_EINVAL);
	assert_refused(w, ksim_run_token(w, NULL), KSIM_EINVAL);
	assert_refused(w, ksim_run_token(w, ""), KSIM_EINVAL);
	assert_refused(w, ksim_run_token(w, "abab"), KSIM_EINVAL);
	assert_refused(w, ksim_run_token(w, "ksim1:*:*:"), KSIM_EINVAL);
	assert_refused(w, ksim_run_token(w, "ksim1:other:*:ab"), KSIM_EMISMATCH);
	assert_refused(w, ksim_run_token(w, "ksim1:*:000000000000:ab"), KSIM_EMISMATCH);
	assert_int_equal(ksim_run_round_robin(w), 0);
	assert_string_equal(ksim_last_error(w), "");
	assert_true(ksim_done(w));
	assert_refused(w, ksim_step(w, 0), KSIM_EDONE);
	ksim_stats_get(w, NULL);
	ksim_stats_get(w, &st);
	assert_true(st.runs >= 2);
	/* ksim_world_scenario of a plain spec: "spec-" and its hash */
	assert_int_equal(strncmp(ksim_world_scenario(w), "spec-", 5), 0);
	ksim_world_destroy(w);
	/* spec option values are checked the same way */
	{
		char err[KSIM_ERRLEN];

		assert_null(ksim_world_create("model toy\noption max_steps 0\ntask t incr\n",
					      err, sizeof(err)));
		assert_non_null(strstr(err, "max_steps"));
		assert_null(ksim_world_create("model toy\noption trace 5\ntask t incr\n",
					      err, sizeof(err)));
		assert_null(ksim_world_create("model toy\noption trace x\ntask t incr\n",
					      err, sizeof(err)));
		assert_null(ksim_world_create("", err, sizeof(err)));
		assert_true(err[0] != 0);
	}
	/* the benchmark's baseline for one round trip is a number */
	{
		double ns = ksim_bench_roundtrip_ns(1);

		assert_true(ns >= 0 && ns < 1e9);
		assert_true(ksim_bench_roundtrip_ns(0) < 0);
		assert_true(ksim_bench_roundtrip_ns(-5) < 0);
	}
}

/* A refused run leaves no finding of the run before it to be misread. */
static void test_refused_run_leaves_no_findings(void **state)
{
	struct ksim_world *w = make_world(crash_spec);

	(void)state;
	assert_true(ksim_run_token(w, "ksim1:*:*:a2b") >= 1);
	assert_int_equal(ksim_finding_count(w), 1);
	assert_refused(w, ksim_run_token(w, "ksim1:*:*:a2z"), KSIM_EINVAL);
	assert_int_equal(ksim_finding_count(w), 0);
	assert_int_equal(ksim_failed(w), 0);
	assert_true(ksim_run_token(w, "ksim1:*:*:a2b") >= 1);
	assert_refused(w, ksim_run_array(w, NULL, 4), KSIM_EINVAL);
	assert_int_equal(ksim_finding_count(w), 0);
	assert_true(ksim_run_token(w, "ksim1:*:*:a2b") >= 1);
	{
		int same[2] = { 1, 1 };

		assert_refused(w, ksim_run_pct(w, same, NULL, 0), KSIM_EINVAL);
	}
	assert_int_equal(ksim_finding_count(w), 0);
	assert_int_equal(ksim_schedule(w, NULL), 0);
	ksim_world_destroy(w);
}

/* ---- which build ---------------------------------------------------------- */

/* The code id kshim.pc names (make test-outside passes it) is this one's. */
static void test_code_id_is_the_pc_files(void **state)
{
	const char *want = getenv("KSHIM_CODE_ID");

	(void)state;
	assert_int_equal(strlen(ksim_code_id()), 12);
	if (!want)
		skip();
	assert_string_equal(ksim_code_id(), want);
}

/*
 * A token of a patched build (make test-outside gets one from kharness run
 * --patch and passes it in KSHIM_PATCHED_TOKEN) does not replay on this
 * build, and the message names the build it needs and how to make it.
 */
static void test_patched_token_needs_its_build(void **state)
{
	const char *tok = getenv("KSHIM_PATCHED_TOKEN");
	char scen[64], id[16];
	struct ksim_world *w;
	const char *c1, *c2;

	(void)state;
	if (!tok)
		skip();
	c1 = strchr(tok + 6, ':');
	assert_non_null(c1);
	c2 = strchr(c1 + 1, ':');
	assert_non_null(c2);
	snprintf(scen, sizeof(scen), "%.*s", (int)(c1 - tok - 6), tok + 6);
	snprintf(id, sizeof(id), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
	assert_string_not_equal(id, ksim_code_id());
	w = ksim_world_create_scenario(scen, NULL, 0);
	assert_non_null(w);
	assert_true(ksim_run_token(w, "ksim1:*:*:a") >= 0);
	assert_int_equal(ksim_run_token(w, tok), KSIM_EMISMATCH);
	assert_non_null(strstr(ksim_last_error(w), id));
	assert_non_null(strstr(ksim_last_error(w), ksim_code_id()));
	assert_non_null(strstr(ksim_last_error(w), "kharness build"));
	/* nothing of the refused run (nor the one before) is left */
	assert_int_equal(ksim_finding_count(w), 0);
	assert_int_equal(ksim_done(w), 0);
	ksim_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_kernel_names),
		cmocka_unit_test(test_code_id_is_the_pc_files),
		cmocka_unit_test(test_patched_token_needs_its_build),
		cmocka_unit_test(test_crash_1),
		cmocka_unit_test(test_crash_2),
		cmocka_unit_test(test_crash_group_world_a),
		cmocka_unit_test(test_crash_step_by_step),
		cmocka_unit_test(test_crash_group_world_b),
		cmocka_unit_test(test_crash_two_threads),
		cmocka_unit_test(test_fault_outside_tasks_goes_to_host),
		cmocka_unit_test(test_crash_guard_off),
		cmocka_unit_test(test_null_world),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_refused_run_leaves_no_findings),
		cmocka_unit_test(test_crash_3),
	};

	return cmocka_run_group_tests_name("kshim outside suite", tests,
					   group_setup, group_teardown);
}
