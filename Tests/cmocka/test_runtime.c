// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_runtime.c - cmocka suite for the shim runtime, through the public
 * C API (kshim.h) only, built and linked exactly as an outside suite is:
 *
 *	cc test_runtime.c $(pkg-config --cflags --libs kshim cmocka) -pthread
 *
 * It pins the toy scenarios' ground truths: a lost update on one schedule
 * and not on another, ABBA deadlock, invalid context, bad unlock, the
 * page-lock owner check, recursive rwsem deadlock, schedule counts
 * (binomial / multinomial, computed here rather than written down),
 * determinism, worlds on several OS threads, and input errors.
 *
 * CMOCKA_MESSAGE_OUTPUT=TAP (or XML, with CMOCKA_XML_FILE) changes the
 * output format; cmocka does that itself.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <kshim.h>

/* ---- helpers ------------------------------------------------------------ */

/* The scenario worlds, created once by the group setup and reset per use. */
static const char *const scenario_names[] = {
	"toy-lost-update", "toy-locked-update", "toy-abba", "toy-spin-page",
	"toy-double-unlock", "toy-owner", "toy-rwsem-recursive",
	"toy-independent",
};
#define NR_SCEN (sizeof(scenario_names) / sizeof(scenario_names[0]))

struct suite {
	struct ksim_world *w[NR_SCEN];
};

static struct ksim_world *world(void **state, const char *name)
{
	struct suite *s = *state;
	size_t i;

	for (i = 0; i < NR_SCEN; i++)
		if (!strcmp(scenario_names[i], name))
			return s->w[i];
	fail_msg("scenario %s not in the suite's list", name);
	return NULL;
}

static int group_setup(void **state)
{
	struct suite *s = calloc(1, sizeof(*s));
	char err[KSIM_ERRLEN];
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < NR_SCEN; i++) {
		s->w[i] = ksim_world_create_scenario(scenario_names[i], err,
						     sizeof(err));
		if (!s->w[i]) {
			fprintf(stderr, "cannot create %s: %s\n",
				scenario_names[i], err);
			return -1;
		}
	}
	*state = s;
	return 0;
}

static int group_teardown(void **state)
{
	struct suite *s = *state;
	size_t i;

	for (i = 0; s && i < NR_SCEN; i++)
		ksim_world_destroy(s->w[i]);
	free(s);
	return 0;
}

static struct ksim_world *make_world(const char *spec)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create(spec, err, sizeof(err));

	if (!w)
		fail_msg("spec rejected: %s\n%s", err, spec);
	return w;
}

static struct ksim_finding finding(struct ksim_world *w, int i)
{
	struct ksim_finding f;

	memset(&f, 0, sizeof(f));
	assert_int_equal(ksim_finding_get(w, i, &f), 0);
	return f;
}

/* Index of the first finding of this kind, or -1. */
static int find_kind(struct ksim_world *w, int kind)
{
	int i;

	for (i = 0; i < ksim_finding_count(w); i++)
		if (finding(w, i).kind == kind)
			return i;
	return -1;
}

/* Replay a token, or bare choices ("a2b2") as "ksim1:*:*:a2b2". */
static void run_token_ok(struct ksim_world *w, const char *token)
{
	char buf[4096];
	int rc;

	if (strncmp(token, "ksim1:", 6)) {
		snprintf(buf, sizeof(buf), "ksim1:*:*:%s", token);
		token = buf;
	}
	rc = ksim_run_token(w, token);

	if (rc < 0)
		fail_msg("token %s: error %d: %s", token, rc,
			 ksim_last_error(w));
	assert_true(ksim_done(w));
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 1099511628211ULL;
	return h;
}

static uint64_t binomial(unsigned n, unsigned k)
{
	uint64_t r = 1;
	unsigned i;

	for (i = 1; i <= k; i++)
		r = r * (n - k + i) / i;	/* exact at every step */
	return r;
}

/* ---- exhaustive enumeration over ksim_enabled / ksim_step -------------- */

/*
 * Visit every complete schedule of w: reset, replay the prefix with
 * ksim_step, then branch on every enabled task.  The leaves' schedules
 * (as recorded by the world) are collected for the caller.
 */
struct leaves {
	char **sched;		/* each schedule as letters, e.g. "abba" */
	size_t n, cap;
	size_t with_kind;	/* leaves with a finding of kind `kind` */
	int kind;
};

#define MAX_DEPTH 64

static void replay_prefix(struct ksim_world *w, const uint8_t *p, size_t n)
{
	size_t i;

	ksim_world_reset(w);
	for (i = 0; i < n; i++)
		if (ksim_step(w, p[i]))
			fail_msg("replay of prefix step %zu (task %d): %s", i,
				 p[i], ksim_last_error(w));
}

static void leaf(struct ksim_world *w, struct leaves *l)
{
	const uint8_t *c;
	size_t n = ksim_schedule(w, &c), i;
	char *s = malloc(n + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = (char)('a' + c[i]);
	s[n] = '\0';
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->sched = realloc(l->sched, l->cap * sizeof(*l->sched));
		assert_non_null(l->sched);
	}
	l->sched[l->n++] = s;
	if (l->kind && find_kind(w, l->kind) >= 0)
		l->with_kind++;
}

static void dfs(struct ksim_world *w, uint8_t *prefix, size_t n,
		struct leaves *l)
{
	uint32_t en;
	int t;

	assert_true(n < MAX_DEPTH);
	replay_prefix(w, prefix, n);
	if (ksim_done(w)) {
		leaf(w, l);
		return;
	}
	en = ksim_enabled(w);
	assert_int_not_equal(en, 0);	/* not done => someone can run */
	for (t = 0; t < ksim_task_count(w); t++) {
		if (!(en & (1u << t)))
			continue;
		prefix[n] = (uint8_t)t;
		dfs(w, prefix, n + 1, l);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t distinct(struct leaves *l)
{
	size_t i, d = 0;

	qsort(l->sched, l->n, sizeof(*l->sched), cmp_str);
	for (i = 0; i < l->n; i++)
		if (i == 0 || strcmp(l->sched[i], l->sched[i - 1]))
			d++;
	return d;
}

static void leaves_free(struct leaves *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->sched[i]);
	free(l->sched);
	memset(l, 0, sizeof(*l));
}

static void enumerate(struct ksim_world *w, struct leaves *l, int kind)
{
	uint8_t prefix[MAX_DEPTH];

	memset(l, 0, sizeof(*l));
	l->kind = kind;
	dfs(w, prefix, 0, l);
}

/* ---- toy-lost-update / toy-locked-update ------------------------------- */

static void test_lost_update_interleaved(void **state)
{
	struct ksim_world *w = world(state, "toy-lost-update");
	struct ksim_finding f;

	/* both loads before both stores: one increment is lost */
	run_token_ok(w, "abab");
	assert_int_equal(ksim_finding_count(w), 1);
	f = finding(w, 0);
	assert_int_equal(f.kind, KSIM_F_ACCOUNTING);
	assert_string_equal(f.kind_name, "accounting");
	assert_string_equal(f.file, "model/toy.c");
	assert_true(f.line > 0);
	assert_non_null(strstr(f.message, "lost update"));
	assert_true(ksim_failed(w));
}

static void test_lost_update_serial(void **state)
{
	struct ksim_world *w = world(state, "toy-lost-update");

	run_token_ok(w, "a2b2");
	assert_int_equal(ksim_finding_count(w), 0);
	assert_false(ksim_failed(w));
	run_token_ok(w, "b2a2");
	assert_int_equal(ksim_finding_count(w), 0);
}

/* Of all C(4,2) schedules, only the two serial ones keep both updates. */
static void test_lost_update_all_schedules(void **state)
{
	struct ksim_world *w = world(state, "toy-lost-update");
	struct leaves l;

	enumerate(w, &l, KSIM_F_ACCOUNTING);
	assert_int_equal(l.n, binomial(4, 2));
	assert_int_equal(distinct(&l), binomial(4, 2));
	assert_int_equal(l.with_kind, binomial(4, 2) - 2);
	leaves_free(&l);
}

/* The same increments under a spinlock: no schedule loses an update. */
static void test_locked_update_never_loses(void **state)
{
	struct ksim_world *w = world(state, "toy-locked-update");
	struct leaves l;
	size_t i;

	enumerate(w, &l, KSIM_F_ACCOUNTING);
	assert_true(l.n >= 2);
	assert_int_equal(l.with_kind, 0);
	for (i = 0; i < l.n; i++) {
		run_token_ok(w, l.sched[i]);
		assert_int_equal(ksim_finding_count(w), 0);
	}
	leaves_free(&l);
}

/* ---- lock checks --------------------------------------------------------- */

static void test_abba_deadlock(void **state)
{
	struct ksim_world *w = world(state, "toy-abba");
	struct ksim_finding f;
	int i;

	/* each takes its first mutex, then both block */
	run_token_ok(w, "ab");
	i = find_kind(w, KSIM_F_DEADLOCK);
	assert_true(i >= 0);
	f = finding(w, i);
	assert_true(f.fatal);
	assert_non_null(strstr(f.message, "t0"));
	assert_non_null(strstr(f.message, "t1"));
	assert_non_null(strstr(f.message, "mutex_a"));
	assert_non_null(strstr(f.message, "mutex_b"));
	/* the full report shows the cycle with what each task holds */
	assert_non_null(strstr(f.report, "holding"));
	assert_int_equal(ksim_enabled(w), 0);

	/* one after the other: no deadlock */
	run_token_ok(w, "a4b4");
	assert_int_equal(ksim_finding_count(w), 0);
}

static void test_spin_then_lock_page(void **state)
{
	struct ksim_world *w = world(state, "toy-spin-page");
	int i;

	assert_true(ksim_run_round_robin(w) >= 1);
	i = find_kind(w, KSIM_F_INVALID_CONTEXT);
	assert_true(i >= 0);
	assert_string_equal(finding(w, i).kind_name, "invalid-context");
	assert_non_null(strstr(finding(w, i).message,
			       "sleeping function called from invalid context"));
}

static void test_double_unlock(void **state)
{
	struct ksim_world *w = world(state, "toy-double-unlock");
	struct ksim_event ev;
	struct ksim_finding f;
	int unlocks[2], nu = 0;
	size_t i;

	assert_int_equal(ksim_run_round_robin(w), 1);
	f = finding(w, 0);
	assert_int_equal(f.kind, KSIM_F_BAD_UNLOCK);
	assert_string_equal(f.task_name, "t0");
	/* the right line: the second spin_unlock executed, not the first */
	for (i = 0; i < ksim_event_count(w); i++) {
		assert_int_equal(ksim_event_get(w, i, &ev), 0);
		if (ev.op.kind == KSIM_OP_SPIN_UNLOCK && nu < 2)
			unlocks[nu++] = ev.op.line;
	}
	assert_int_equal(nu, 2);
	assert_int_not_equal(unlocks[0], unlocks[1]);
	assert_string_equal(f.file, "model/toy.c");
	assert_int_equal(f.line, unlocks[1]);
}

/*
 * toy-owner: "holder" takes the page lock and keeps it across two points;
 * "checker" asserts BUG_ON(!PageLocked(page)) without taking it.
 */
static void test_lock_owner(void **state)
{
	struct ksim_world *w = world(state, "toy-owner");
	int i;

	/* holder locks, checker asserts while holder still holds it */
	run_token_ok(w, "abb");
	i = find_kind(w, KSIM_F_LOCK_OWNER);
	assert_true(i >= 0);
	assert_string_equal(finding(w, i).task_name, "checker");
	assert_non_null(strstr(finding(w, i).message, "holder"));
	/* the kernel's own check passed: the page was locked */
	assert_int_equal(find_kind(w, KSIM_F_BUG), -1);

	/* after holder unlocked, the kernel check itself fires */
	run_token_ok(w, "a4b2");
	assert_true(find_kind(w, KSIM_F_BUG) >= 0);
	assert_int_equal(find_kind(w, KSIM_F_LOCK_OWNER), -1);
}

/* A writer queued between two down_read()s of one task: some schedule
 * deadlocks, and some does not (the reader done before the writer). */
static void test_rwsem_recursive(void **state)
{
	struct ksim_world *w = world(state, "toy-rwsem-recursive");
	struct leaves l;

	enumerate(w, &l, KSIM_F_DEADLOCK);
	assert_true(l.with_kind >= 1);
	assert_true(l.with_kind < l.n);
	leaves_free(&l);
}

/* ---- schedule counts ----------------------------------------------------- */

static void test_independent_scenario(void **state)
{
	struct ksim_world *w = world(state, "toy-independent");
	struct leaves l;
	uint32_t a = 0, b = 0;
	size_t i;

	/* the scenario's own counts, from one round-robin run */
	ksim_run_round_robin(w);
	{
		const uint8_t *c;
		size_t n = ksim_schedule(w, &c);

		for (i = 0; i < n; i++)
			c[i] ? b++ : a++;
	}
	assert_true(a > 0 && b > 0);
	enumerate(w, &l, 0);
	assert_int_equal(l.n, binomial(a + b, a));
	assert_int_equal(distinct(&l), binomial(a + b, a));
	leaves_free(&l);
}

static void check_points(const unsigned *pts, int ntasks)
{
	char spec[256];
	size_t used, i;
	struct ksim_world *w;
	struct leaves l;
	unsigned total = 0, k;
	uint64_t expect = 1;
	int t;

	used = (size_t)snprintf(spec, sizeof(spec), "model toy\n");
	for (t = 0; t < ntasks; t++)
		used += (size_t)snprintf(spec + used, sizeof(spec) - used,
					 "task t%d points %u\n", t, pts[t]);
	/* multinomial (sum)! / prod(pts!), as a product of binomials */
	for (t = 0; t < ntasks; t++) {
		total += pts[t];
		expect *= binomial(total, pts[t]);
	}
	w = make_world(spec);
	enumerate(w, &l, 0);
	if (l.n != expect || distinct(&l) != expect)
		fail_msg("points %u/%u/%u: %zu schedules (%zu distinct), expected %llu",
			 pts[0], ntasks > 1 ? pts[1] : 0, ntasks > 2 ? pts[2] : 0,
			 l.n, distinct(&l), (unsigned long long)expect);
	/* each schedule gives every task exactly its points */
	for (i = 0; i < l.n; i++) {
		assert_int_equal(strlen(l.sched[i]), total);
		for (t = 0; t < ntasks; t++) {
			const char *c;

			k = 0;
			for (c = l.sched[i]; *c; c++)
				k += *c == 'a' + t;
			assert_int_equal(k, pts[t]);
		}
		assert_int_equal(ksim_finding_count(w), 0);
	}
	leaves_free(&l);
	ksim_world_destroy(w);
}

static void test_binomial_counts(void **state)
{
	static const unsigned ab[][2] = {
		{ 1, 1 }, { 1, 4 }, { 2, 2 }, { 2, 3 }, { 3, 3 }, { 4, 2 },
		{ 0, 3 }, { 4, 4 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ab) / sizeof(ab[0]); i++)
		check_points(ab[i], 2);
}

static void test_multinomial_counts(void **state)
{
	static const unsigned abc[][3] = { { 1, 1, 1 }, { 2, 1, 2 }, { 2, 2, 2 } };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(abc) / sizeof(abc[0]); i++)
		check_points(abc[i], 3);
}

/* ---- determinism and threads --------------------------------------------- */

static void test_trace_deterministic(void **state)
{
	struct ksim_world *w = world(state, "toy-lost-update");
	struct ksim_world *w2;
	char err[KSIM_ERRLEN];
	char *first;

	run_token_ok(w, "abab");
	first = strdup(ksim_trace_text(w));
	assert_non_null(first);
	assert_true(strlen(first) > 0);
	/* same world again, after an unrelated run in between */
	run_token_ok(w, "a2b2");
	assert_string_not_equal(ksim_trace_text(w), first);
	run_token_ok(w, "abab");
	assert_string_equal(ksim_trace_text(w), first);
	/* a second world built from the same scenario */
	w2 = ksim_world_create_scenario("toy-lost-update", err, sizeof(err));
	assert_non_null(w2);
	run_token_ok(w2, "abab");
	assert_string_equal(ksim_trace_text(w2), first);
	ksim_world_destroy(w2);
	free(first);
}

/* A fixed workload: many seeded random runs of several scenarios; the
 * result folds in findings, traces and end states. */
struct work {
	uint64_t seed0;
	uint64_t result;
	int error;
	pthread_barrier_t *start;
};

static uint64_t workload(uint64_t seed0, int *error)
{
	static const char *const names[] = {
		"toy-lost-update", "toy-abba", "toy-owner",
		"toy-rwsem-recursive", "toy-locked-update",
	};
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	uint64_t s;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char err[KSIM_ERRLEN];
		struct ksim_world *w = ksim_world_create_scenario(names[i], err,
								  sizeof(err));

		if (!w) {
			*error = 1;
			return 0;
		}
		for (s = seed0; s < seed0 + 300; s++) {
			struct ksim_stats st;
			const char *tr;
			int n = ksim_run_random(w, s), k;

			h = fnv(h, &n, sizeof(n));
			for (k = 0; k < n; k++) {
				struct ksim_finding f;

				ksim_finding_get(w, k, &f);
				h = fnv(h, &f.kind, sizeof(f.kind));
				h = fnv(h, &f.line, sizeof(f.line));
				h = fnv(h, f.message, strlen(f.message));
			}
			tr = ksim_trace_text(w);
			h = fnv(h, tr, strlen(tr));
			ksim_stats_get(w, &st);
			h = fnv(h, &st.state_hash, sizeof(st.state_hash));
		}
		ksim_world_destroy(w);
	}
	return h;
}

static void *work_thread(void *p)
{
	struct work *wk = p;

	pthread_barrier_wait(wk->start);
	wk->result = workload(wk->seed0, &wk->error);
	return NULL;
}

static void test_two_threads(void **state)
{
	struct work wk[2] = { { .seed0 = 1 }, { .seed0 = 1000 } };
	uint64_t seq[2];
	pthread_barrier_t start;
	pthread_t th[2];
	int err = 0, i;

	(void)state;
	seq[0] = workload(wk[0].seed0, &err);
	seq[1] = workload(wk[1].seed0, &err);
	assert_int_equal(err, 0);
	assert_int_not_equal(seq[0], seq[1]);	/* the workloads differ */
	assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
	for (i = 0; i < 2; i++) {
		wk[i].start = &start;
		assert_int_equal(pthread_create(&th[i], NULL, work_thread,
						&wk[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (i = 0; i < 2; i++) {
		assert_int_equal(wk[i].error, 0);
		assert_int_equal(wk[i].result, seq[i]);
	}
}

/* ---- use 3: a regression test pinning a schedule -------------------------- */

/*
 * Example of use 3 ("link into existing C test suites"): the Swift
 * explorer printed a replay token for a finding; the suite pins it, so the
 * bug stays found (or, once fixed, the test is changed to expect no
 * finding).  The code-id field is "*" so the token replays on any build
 * of the kernel code; a token with the explorer's code id would be
 * refused (KSIM_EMISMATCH) once the kernel code changed.
 */
static void test_pinned_schedule_regression(void **state)
{
	struct ksim_world *w;
	struct ksim_finding f;
	char err[KSIM_ERRLEN];
	int n;

	(void)state;
	w = ksim_world_create_scenario("toy-abba", err, sizeof(err));
	assert_non_null(w);

	n = ksim_run_token(w, "ksim1:toy-abba:*:ab");
	assert_int_equal(n, 1);
	assert_int_equal(ksim_finding_get(w, 0, &f), 0);
	assert_int_equal(f.kind, KSIM_F_DEADLOCK);
	assert_string_equal(f.file, "model/toy.c");
	assert_string_equal(f.function, "toy_baab");
	assert_int_equal(f.line, 194);	/* t1's mutex_lock(&toy->a) */
	/* the world gives back a token that replays the same run */
	{
		char *tok = strdup(ksim_schedule_token(w));

		assert_non_null(strstr(tok, "ksim1:toy-abba:"));
		assert_int_equal(ksim_run_token(w, tok), 1);
		assert_int_equal(ksim_finding_get(w, 0, &f), 0);
		assert_int_equal(f.line, 194);
		free(tok);
	}
	ksim_world_destroy(w);
}

/* ---- bad input ----------------------------------------------------------- */

static void test_malformed_token(void **state)
{
	struct ksim_world *w = world(state, "toy-abba");
	struct ksim_stats before, after;
	static const char tok[] = "ksim1:toy-abba:*:a2x";
	char pos[32];
	int rc;

	run_token_ok(w, "a4b4");
	ksim_stats_get(w, &before);
	rc = ksim_run_token(w, tok);
	assert_int_equal(rc, KSIM_EINVAL);
	/* 1-based position of the offending character */
	snprintf(pos, sizeof(pos), "position %d",
		 (int)(strchr(tok, 'x') - tok) + 1);
	if (!strstr(ksim_last_error(w), pos))
		fail_msg("error does not name %s: %s", pos,
			 ksim_last_error(w));
	/* nothing run: the world was reset (a refused run leaves no findings
	 * of the earlier one behind) and not stepped */
	ksim_stats_get(w, &after);
	assert_int_equal(after.runs, before.runs + 1);
	assert_int_equal(after.total_steps, before.total_steps);
	assert_int_equal(ksim_done(w), 0);

	assert_int_equal(ksim_run_token(w, "ksim1:*:*:ab9999999999"), KSIM_EINVAL);
	assert_int_equal(ksim_run_token(w, "ksim9:toy-abba:*:ab"), KSIM_EINVAL);
	assert_int_equal(ksim_run_token(w, "ksim1:toy-abba"), KSIM_EINVAL);
	/* task 'c' in a two-task world */
	assert_int_equal(ksim_run_token(w, "ksim1:*:*:abc"), KSIM_EINVAL);
	assert_non_null(strstr(ksim_last_error(w), "position 13"));
	/* choices alone, and nothing, are not tokens */
	assert_int_equal(ksim_run_token(w, "abab"), KSIM_EINVAL);
	assert_non_null(strstr(ksim_last_error(w), "ksim1:SCENARIO:CODEID:CHOICES"));
	assert_int_equal(ksim_run_token(w, ""), KSIM_EINVAL);
	assert_int_equal(ksim_run_token(w, "ksim1:*:*:"), KSIM_EINVAL);
	ksim_stats_get(w, &after);
	assert_int_equal(after.total_steps, before.total_steps);
}

static void test_token_not_enabled(void **state)
{
	struct ksim_world *w = world(state, "toy-abba");

	/* t0 holds mutex_a and mutex_b after "aa"; t1 then blocks on b */
	assert_int_equal(ksim_run_token(w, "ksim1:*:*:aab2"), KSIM_ENOTENABLED);
	assert_non_null(strstr(ksim_last_error(w), "position 3"));
	assert_non_null(strstr(ksim_last_error(w), "t1"));
	assert_int_equal(ksim_step(w, 1), KSIM_ENOTENABLED);
}

/* lockdep: the two orders of toy-abba, run one after the other without
 * deadlocking, leave both edges; they survive resets; clear empties. */
static void test_lockdep_edges_gathered_over_runs(void **state)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create_scenario("toy-abba", err,
							  sizeof(err));
	struct ksim_lock_dep d;
	int i, ab = 0, ba = 0;

	(void)state;
	assert_non_null(w);
	assert_int_equal(ksim_lockdep_count(w), 0);
	/* t0 runs to its end, then t1: no deadlock, both orders taken */
	assert_int_equal(ksim_run_token(w, "ksim1:toy-abba:*:a4b4"), 0);
	assert_int_equal(ksim_lockdep_count(w), 2);
	for (i = 0; i < ksim_lockdep_count(w); i++) {
		assert_int_equal(ksim_lockdep_get(w, i, &d), 0);
		if (!strcmp(d.from_class, "mutex_a") && !strcmp(d.to_class, "mutex_b")) {
			ab++;
			assert_string_equal(d.task_name, "t0");
			assert_string_equal(d.taken_file, "model/toy.c");
			assert_true(d.taken_line > d.held_line);
		}
		if (!strcmp(d.from_class, "mutex_b") && !strcmp(d.to_class, "mutex_a"))
			ba++;
	}
	assert_int_equal(ab, 1);
	assert_int_equal(ba, 1);
	assert_int_equal(ksim_lockdep_get(w, 2, &d), KSIM_EINVAL);
	/* the same edges again add nothing; a reset keeps them */
	assert_int_equal(ksim_run_token(w, "ksim1:toy-abba:*:a4b4"), 0);
	ksim_world_reset(w);
	assert_int_equal(ksim_lockdep_count(w), 2);
	ksim_lockdep_clear(w);
	assert_int_equal(ksim_lockdep_count(w), 0);
	ksim_world_destroy(w);
}

static void test_unknown_scenario(void **state)
{
	char err[KSIM_ERRLEN] = "";

	(void)state;
	assert_null(ksim_world_create_scenario("toy-no-such-thing", err,
					       sizeof(err)));
	assert_non_null(strstr(err, "toy-no-such-thing"));
	assert_int_equal(ksim_scenario_find("toy-no-such-thing"), KSIM_ENOENT);
	assert_true(ksim_scenario_find("toy-abba") >= 0);

	err[0] = '\0';
	assert_null(ksim_world_create("model toy\ntask t0 no_such_op\n", err,
				      sizeof(err)));
	assert_non_null(strstr(err, "line 2"));
	assert_non_null(strstr(err, "no_such_op"));
}

static void test_token_other_scenario(void **state)
{
	struct ksim_world *w = world(state, "toy-abba");

	assert_int_equal(ksim_run_token(w, "ksim1:toy-lost-update:*:abab"),
			 KSIM_EMISMATCH);
	assert_non_null(strstr(ksim_last_error(w), "toy-lost-update"));
	/* and a token recorded on other kernel code */
	assert_int_equal(ksim_run_token(w, "ksim1:toy-abba:000000000000:ab"),
			 KSIM_EMISMATCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lost_update_interleaved),
		cmocka_unit_test(test_lost_update_serial),
		cmocka_unit_test(test_lost_update_all_schedules),
		cmocka_unit_test(test_locked_update_never_loses),
		cmocka_unit_test(test_abba_deadlock),
		cmocka_unit_test(test_spin_then_lock_page),
		cmocka_unit_test(test_double_unlock),
		cmocka_unit_test(test_lock_owner),
		cmocka_unit_test(test_rwsem_recursive),
		cmocka_unit_test(test_independent_scenario),
		cmocka_unit_test(test_binomial_counts),
		cmocka_unit_test(test_multinomial_counts),
		cmocka_unit_test(test_trace_deterministic),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_pinned_schedule_regression),
		cmocka_unit_test(test_malformed_token),
		cmocka_unit_test(test_token_not_enabled),
		cmocka_unit_test(test_unknown_scenario),
		cmocka_unit_test(test_lockdep_edges_gathered_over_runs),
		cmocka_unit_test(test_token_other_scenario),
	};

	return cmocka_run_group_tests_name("kshim runtime", tests,
					   group_setup, group_teardown);
}
