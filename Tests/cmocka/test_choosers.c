// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_choosers.c - cmocka suite for the built-in choosers and the direct
 * step path: with a built-in chooser and no trace, a task chooses the next
 * step at its own scheduling point and runs it without switching through
 * the driver (itself, or by handing the CPU straight to the chosen task).
 * With the trace on, every step goes through the driver.  Both paths must
 * make the same runs: these tests compare them on every registered
 * scenario, and pin PCT, prefix and last-first runs on small worlds.
 *
 *	cc test_choosers.c $(pkg-config --cflags --libs kshim cmocka) -pthread
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

static struct ksim_world *scenario(const char *name, int trace)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create_scenario(name, err,
							  sizeof(err));

	if (!w)
		fail_msg("%s: %s", name, err);
	assert_int_equal(ksim_world_set_option(w, KSIM_OPT_TRACE, trace), 0);
	assert_int_equal(ksim_world_set_option(w, KSIM_OPT_BACKTRACE, 0), 0);
	return w;
}

static struct ksim_world *spec_world(const char *spec)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create(spec, err, sizeof(err));

	if (!w)
		fail_msg("%s", err);
	assert_int_equal(ksim_world_set_option(w, KSIM_OPT_TRACE, 0), 0);
	return w;
}

/* What a finished run left: its token, findings and end state. */
struct outcome {
	char token[4096];
	int nr_findings;
	int kind[8], line[8];
	uint64_t hash;
};

static void outcome_of(struct ksim_world *w, struct outcome *o)
{
	struct ksim_stats st;
	int i;

	memset(o, 0, sizeof(*o));
	snprintf(o->token, sizeof(o->token), "%s", ksim_schedule_token(w));
	o->nr_findings = ksim_finding_count(w);
	for (i = 0; i < o->nr_findings && i < 8; i++) {
		const char *file;

		assert_int_equal(ksim_finding_brief(w, i, &o->kind[i], &file,
						    &o->line[i], NULL), 0);
	}
	ksim_stats_get(w, &st);
	o->hash = st.state_hash;
	assert_true(ksim_done(w));
}

static void assert_same(const struct outcome *a, const struct outcome *b,
			const char *what)
{
	int i;

	if (strcmp(a->token, b->token))
		fail_msg("%s: direct %s, driver %s", what, a->token, b->token);
	assert_int_equal(a->nr_findings, b->nr_findings);
	for (i = 0; i < a->nr_findings && i < 8; i++) {
		assert_int_equal(a->kind[i], b->kind[i]);
		assert_int_equal(a->line[i], b->line[i]);
	}
	/* a run a BUG cut short leaves pointers to its tasks' stacks */
	if (!a->nr_findings && a->hash != b->hash)
		fail_msg("%s: end states differ", what);
}

static uint64_t direct_steps(struct ksim_world *w)
{
	struct ksim_stats st;

	ksim_stats_get(w, &st);
	return st.total_direct;
}

static void set_trace(struct ksim_world *w, int on)
{
	assert_int_equal(ksim_world_set_option(w, KSIM_OPT_TRACE, on), 0);
}

static void set_direct(struct ksim_world *w, int on)
{
	assert_int_equal(ksim_world_set_option(w, KSIM_OPT_DIRECT, on), 0);
}

/*
 * Every registered scenario, random and PCT choosers, many seeds: the
 * direct path and the driver path (with the trace on, or direct steps
 * switched off) make the same choices, the same findings and the same end
 * state; and the direct path really ran most steps without the driver.
 * One world per scenario, the options switched between runs: kernel lists may point to the tasks'
 * stacks at the end, so only a world's own runs have comparable end
 * states, and only those that ran to the end (with ASan's fake stacks,
 * not even the same world's runs cut short by a BUG).
 */
static void test_direct_path_matches_driver(void **state)
{
	int s, n = ksim_scenario_count();

	(void)state;
	assert_true(n > 10);
	for (s = 0; s < n; s++) {
		const char *name = ksim_scenario_name(s);
		struct ksim_world *w = scenario(name, 0);
		struct outcome a, b;
		uint64_t seed, d0, d1, steps0, direct = 0, total = 0;
		struct ksim_stats st;

		for (seed = 0; seed < 150; seed++) {
			int prio[KSIM_MAX_TASKS], i;
			uint64_t change[2] = { 1 + seed % 7, 2 + seed % 13 };

			for (i = 0; i < KSIM_MAX_TASKS; i++)
				prio[i] = (int)((seed + (uint64_t)i * 5) % 8) *
					  KSIM_MAX_TASKS + i;

			set_trace(w, 0);
			d0 = direct_steps(w);
			ksim_stats_get(w, &st);
			steps0 = st.total_steps;
			ksim_run_random(w, seed);
			outcome_of(w, &a);
			ksim_stats_get(w, &st);
			direct += direct_steps(w) - d0;
			total += st.total_steps - steps0;
			set_trace(w, 1);
			d1 = direct_steps(w);
			ksim_run_random(w, seed);
			outcome_of(w, &b);
			assert_same(&a, &b, name);
			set_trace(w, 0);
			set_direct(w, 0);
			ksim_run_random(w, seed);
			outcome_of(w, &b);
			assert_same(&a, &b, name);
			assert_int_equal(direct_steps(w), d1);
			set_direct(w, 1);

			set_trace(w, 0);
			assert_true(ksim_run_pct(w, prio, change, 2) >= 0);
			outcome_of(w, &a);
			set_trace(w, 1);
			assert_true(ksim_run_pct(w, prio, change, 2) >= 0);
			outcome_of(w, &b);
			assert_same(&a, &b, name);

			/* and the token replays to the same run, both ways */
			assert_true(ksim_run_token(w, a.token) >= 0);
			outcome_of(w, &b);
			assert_same(&a, &b, name);
			set_trace(w, 0);
			assert_true(ksim_run_token(w, a.token) >= 0);
			outcome_of(w, &b);
			assert_same(&a, &b, name);
		}
		if (direct * 4 < total)
			fail_msg("%s: only %llu of %llu random steps direct",
				 name, (unsigned long long)direct,
				 (unsigned long long)total);
		ksim_world_destroy(w);
	}
}

static const char two_tasks[] =
	"model toy\ntask a points 3\ntask b points 4\n";

static size_t choices(struct ksim_world *w, char *out, size_t len)
{
	const uint8_t *c;
	size_t n = ksim_schedule(w, &c), i;

	for (i = 0; i < n && i + 1 < len; i++)
		out[i] = (char)('a' + c[i]);
	out[i < len ? i : len - 1] = '\0';
	return n;
}

/* One PCT run on w must make the schedule want (task letters). */
static void expect_pct(struct ksim_world *w, int *prio,
		       const uint64_t *change, int nr_change, const char *want)
{
	char s[64];

	assert_int_equal(ksim_run_pct(w, prio, change, nr_change), 0);
	choices(w, s, sizeof(s));
	assert_string_equal(s, want);
}

/* PCT: the highest priority runs; a change point demotes the runner. */
static void test_pct_priorities_and_change_points(void **state)
{
	struct ksim_world *w = spec_world(two_tasks);
	int hi_a[2] = { 10, 5 }, hi_b[2] = { 5, 10 };
	uint64_t at3[1] = { 3 }, at1_2[2] = { 1, 2 }, many[17] = { 0 };
	char s[64];

	(void)state;
	/* a task with N points makes N choices (the last runs it to its end) */
	expect_pct(w, hi_a, NULL, 0, "aaabbbb");
	expect_pct(w, hi_b, NULL, 0, "bbbbaaa");
	/* at the 3rd choice a drops below b: b runs to its end, then a */
	expect_pct(w, hi_a, at3, 1, "aabbbba");
	/* 1st choice: a demoted, b runs; 2nd: b demoted below a, a goes on */
	expect_pct(w, hi_a, at1_2, 2, "baaabbb");
	/* more change points than the shim keeps: refused, nothing run (the
	 * world is reset: the earlier run's schedule is gone) */
	assert_int_equal(ksim_run_pct(w, hi_a, many, 17), KSIM_EINVAL);
	assert_non_null(strstr(ksim_last_error(w), "change points"));
	choices(w, s, sizeof(s));
	assert_string_equal(s, "");
	assert_int_equal(ksim_done(w), 0);
	/* equal priorities, a change point 0, no priorities: refused too */
	{
		int same[2] = { 7, 7 };
		uint64_t at0[1] = { 0 };

		assert_int_equal(ksim_run_pct(w, same, NULL, 0), KSIM_EINVAL);
		assert_non_null(strstr(ksim_last_error(w), "same priority"));
		assert_int_equal(ksim_run_pct(w, hi_a, at0, 1), KSIM_EINVAL);
		assert_int_equal(ksim_run_pct(w, NULL, NULL, 0), KSIM_EINVAL);
		assert_int_equal(ksim_run_pct(w, hi_a, NULL, 1), KSIM_EINVAL);
		/* and a good run clears the message */
		expect_pct(w, hi_a, NULL, 0, "aaabbbb");
		assert_string_equal(ksim_last_error(w), "");
	}
	ksim_world_destroy(w);
}

/* A prefix run stops after its choices; stepping on equals the array run. */
static void test_prefix_then_step(void **state)
{
	struct ksim_world *w = spec_world(two_tasks);
	const uint8_t pre[3] = { 1, 0, 1 };
	const uint8_t all[7] = { 1, 0, 1, 1, 0, 0, 1 };
	char token[256], s[64];
	size_t i;

	(void)state;
	assert_int_equal(ksim_run_prefix(w, pre, 3), 0);
	assert_int_equal(choices(w, s, sizeof(s)), 3);
	assert_string_equal(s, "bab");
	assert_false(ksim_done(w));
	for (i = 3; i < 7; i++)
		assert_int_equal(ksim_step(w, all[i]), 0);
	assert_true(ksim_done(w));
	snprintf(token, sizeof(token), "%s", ksim_schedule_token(w));
	assert_int_equal(ksim_run_array(w, all, 7), 0);
	assert_string_equal(ksim_schedule_token(w), token);

	/* a choice that cannot run: the error names its position */
	{
		const uint8_t bad[3] = { 0, 7, 0 };

		assert_int_equal(ksim_run_prefix(w, bad, 3), KSIM_ENOENT);
		assert_non_null(strstr(ksim_last_error(w),
				       "schedule position 2"));
	}
	ksim_world_destroy(w);
}

/* Last-first: after the prefix, the last task runs while it can. */
static void test_last_first_and_enabled_log(void **state)
{
	struct ksim_world *w = spec_world(two_tasks);
	const uint8_t pre[2] = { 0, 1 };
	const uint32_t *log;
	char s[64];
	size_t n, i;

	(void)state;
	assert_int_equal(ksim_run_last_first(w, pre, 2), 0);
	n = choices(w, s, sizeof(s));
	assert_string_equal(s, "abbbbaa");
	assert_int_equal(ksim_enabled_log(w, &log), n);
	/* both can run until b has made its 4 choices */
	for (i = 0; i < 5; i++)
		assert_int_equal(log[i], 3);
	for (; i < n; i++)
		assert_int_equal(log[i], 1);
	/* the empty prefix starts with the lowest task */
	assert_int_equal(ksim_run_last_first(w, NULL, 0), 0);
	choices(w, s, sizeof(s));
	assert_string_equal(s, "aaabbbb");
	ksim_world_destroy(w);
}

/* A deadlock found on the direct path is the driver path's deadlock. */
static void test_direct_deadlock(void **state)
{
	struct ksim_world *fast = scenario("toy-abba", 0);
	struct ksim_world *slow = scenario("toy-abba", 1);
	struct outcome a, b;
	uint64_t seed;
	int deadlocks = 0;

	(void)state;
	for (seed = 0; seed < 64; seed++) {
		ksim_run_random(fast, seed);
		outcome_of(fast, &a);
		ksim_run_random(slow, seed);
		outcome_of(slow, &b);
		assert_same(&a, &b, "toy-abba");
		deadlocks += a.nr_findings > 0 && a.kind[0] == KSIM_F_DEADLOCK;
	}
	assert_true(deadlocks > 0 && deadlocks < 64);
	ksim_world_destroy(fast);
	ksim_world_destroy(slow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct_path_matches_driver),
		cmocka_unit_test(test_pct_priorities_and_change_points),
		cmocka_unit_test(test_prefix_then_step),
		cmocka_unit_test(test_last_first_and_enabled_log),
		cmocka_unit_test(test_direct_deadlock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
