// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmocka suite for the mm model, through the public kshim.h API only:
 * the seed BUG, every mm scenario, the quiescence invariants, spec
 * errors, and byte-identical replay of a BUG token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kshim.h"

/* The first finding of kind 'kind' in the current run, or -1. */
static int find_kind(struct ksim_world *w, int kind, struct ksim_finding *out)
{
	int i, n = ksim_finding_count(w);

	for (i = 0; i < n; i++) {
		struct ksim_finding f;

		assert_int_equal(ksim_finding_get(w, i, &f), 0);
		if (f.kind == kind) {
			if (out)
				*out = f;
			return i;
		}
	}
	return -1;
}

static void check_seed_bug(const char *scenario, int use_array)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create_scenario(scenario, err,
							  sizeof(err));
	struct ksim_finding f;
	int n;

	assert_non_null(w);
	/* the plain first schedule: no choices, round-robin from the start */
	n = use_array ? ksim_run_array(w, NULL, 0) : ksim_run_round_robin(w);
	assert_true(n >= 1);
	assert_true(ksim_failed(w));
	assert_true(find_kind(w, KSIM_F_BUG, &f) >= 0);
	assert_string_equal(f.file, "mm/mlock.c");
	assert_string_equal(f.function, "mlock_vma_page");
	assert_true(f.line > 0);
	assert_non_null(strstr(f.message, "kernel BUG at mm/mlock.c:"));
	assert_non_null(strstr(f.report, "BUG_ON(!PageLocked(page))"));
	assert_non_null(strstr(f.report, "try_to_unmap_cluster"));
	assert_non_null(strstr(f.report, "try_to_unmap_file"));
	ksim_world_destroy(w);
}

static void test_seed_migrate_bug(void **state)
{
	(void)state;
	check_seed_bug("seed-migrate-nonlinear", 0);
	check_seed_bug("seed-migrate-nonlinear", 1);
}

static void test_seed_reclaim_bug(void **state)
{
	(void)state;
	check_seed_bug("seed-reclaim-nonlinear", 0);
	check_seed_bug("seed-reclaim-nonlinear", 1);
}

/* Every mm scenario builds and runs to the end under round-robin. */
static void test_every_mm_scenario_builds(void **state)
{
	int i, seen = 0;

	(void)state;
	for (i = 0; i < ksim_scenario_count(); i++) {
		const char *spec = ksim_scenario_spec(i);
		char err[KSIM_ERRLEN] = "";
		struct ksim_world *w;

		if (strncmp(spec, "model mm\n", 9))
			continue;
		seen++;
		assert_non_null(ksim_scenario_summary(i));
		assert_true(strlen(ksim_scenario_summary(i)) > 10);
		w = ksim_world_create_scenario(ksim_scenario_name(i), err,
					       sizeof(err));
		if (!w)
			fail_msg("%s: %s", ksim_scenario_name(i), err);
		assert_in_range(ksim_task_count(w), 1, 3);
		assert_true(ksim_run_round_robin(w) >= 0);
		assert_true(ksim_done(w));
		ksim_world_destroy(w);
	}
	assert_true(seen >= 10);
	assert_true(ksim_scenario_find("seed-migrate-nonlinear") >= 0);
	assert_true(ksim_scenario_find("munlock-vs-unmap") >= 0);
	assert_true(ksim_scenario_find("remap-vs-reclaim") >= 0);
	assert_true(ksim_scenario_find("migrate-vs-cluster-mlock") >= 0);
}

#define BASE_WORLD \
	"model mm\n" \
	"pool 1\n" \
	"file f0 pages 2\n" \
	"page f0:1 unevictable mlocked\n" \
	"mm mm0\n" \
	"vma mm0 v0 f0 0 2 0 locked shared\n" \
	"pte mm0 v0 0 f0:0\n" \
	"pte mm0 v0 1 f0:1\n" \
	"mm mm1\n" \
	"vma mm1 v1 f0 0 2 0 shared\n" \
	"pte mm1 v1 0 f0:0\n" \
	"pte mm1 v1 1 f0:1\n"

/* Run one task of op in BASE_WORLD; return the world, run once. */
static struct ksim_world *run_op(const char *task_line)
{
	char spec[2048], err[KSIM_ERRLEN];
	struct ksim_world *w;

	snprintf(spec, sizeof(spec), "%s%s\n", BASE_WORLD, task_line);
	w = ksim_world_create(spec, err, sizeof(err));
	if (!w)
		fail_msg("spec rejected: %s", err);
	assert_true(ksim_run_round_robin(w) >= 0);
	return w;
}

static void expect_finding(const char *task_line, int kind, const char *text)
{
	struct ksim_world *w = run_op(task_line);
	struct ksim_finding f;

	if (find_kind(w, kind, &f) < 0)
		fail_msg("'%s': no %s finding", task_line,
			 ksim_finding_kind_name(kind));
	assert_non_null(strstr(f.message, text));
	ksim_world_destroy(w);
}

static void test_invariant_control(void **state)
{
	struct ksim_world *w;
	int i;

	(void)state;
	w = run_op("task t drain");
	/* f0:0 is mapped by a VM_LOCKED vma but not mlocked: stranded only */
	for (i = 0; i < ksim_finding_count(w); i++) {
		struct ksim_finding f;

		ksim_finding_get(w, i, &f);
		assert_int_equal(f.kind, KSIM_F_STRANDED);
	}
	assert_false(ksim_failed(w));
	ksim_world_destroy(w);
}

static void test_invariant_nr_mlock(void **state)
{
	(void)state;
	expect_finding("task t test_skew_nr_mlock", KSIM_F_ACCOUNTING,
		       "NR_MLOCK");
}

static void test_invariant_bad_page(void **state)
{
	(void)state;
	expect_finding("task t test_free_mlocked_page", KSIM_F_BAD_PAGE,
		       "Bad page state");
}

static void test_invariant_mlock_leak(void **state)
{
	char spec[1024], err[KSIM_ERRLEN];
	struct ksim_world *w;
	struct ksim_finding f;

	(void)state;
	/* a page no VM_LOCKED vma maps */
	snprintf(spec, sizeof(spec), "%s",
		 "model mm\nfile f0 pages 1\nmm mm0\n"
		 "vma mm0 v0 f0 0 1 0 shared\npte mm0 v0 0 f0:0\n"
		 "task t test_leak_mlock f0:0\n");
	w = ksim_world_create(spec, err, sizeof(err));
	if (!w)
		fail_msg("%s", err);
	ksim_run_round_robin(w);
	assert_true(find_kind(w, KSIM_F_LEAK, &f) >= 0);
	assert_non_null(strstr(f.message, "mlock leak"));
	assert_non_null(strstr(f.message, "f0:0"));
	ksim_world_destroy(w);
}

static void test_invariant_refcount(void **state)
{
	(void)state;
	expect_finding("task t test_extra_ref f0:1", KSIM_F_LEAK,
		       "leaked reference: f0:1");
}

static void test_invariant_lru(void **state)
{
	(void)state;
	expect_finding("task t test_lose_page f0:1", KSIM_F_LEAK,
		       "lost page: f0:1 is on no LRU list");
}

/* The finding is at the kernel line that last changed the page's LRU state. */
static void test_invariant_points_at_kernel_write(void **state)
{
	struct ksim_world *w = run_op("task t test_lose_page f0:1");
	struct ksim_finding f;

	(void)state;
	assert_true(find_kind(w, KSIM_F_LEAK, &f) >= 0);
	assert_string_equal(f.file, "mm/vmscan.c");
	assert_string_equal(f.function, "isolate_lru_page");
	assert_int_equal(f.task, 0);
	assert_non_null(strstr(f.report, "last LRU list change: del_page_from_lru_list at mm/vmscan.c:"));
	assert_non_null(strstr(f.report, "\n      isolate_lru_page+0x"));
	assert_null(strstr(f.report, "\1"));	/* chain markers expanded */
	ksim_world_destroy(w);
}

/* check_mm() at the mm's teardown: an rss counter not back to zero. */
static void test_teardown_rss_counter(void **state)
{
	struct ksim_world *w = run_op("task t test_exit_rss_skew mm1");
	struct ksim_finding f;
	int i, n;

	(void)state;
	assert_true(find_kind(w, KSIM_F_ACCOUNTING, &f) >= 0);
	assert_string_equal(f.message, "BUG: Bad rss-counter state idx:0 val:1");
	assert_string_equal(f.file, "mm/memory.c");
	assert_non_null(strstr(f.report, "mm mm1: MM_FILEPAGES is 1 when it is freed"));
	assert_non_null(strstr(f.report, "zap_pte_range+0x"));
	assert_true(ksim_failed(w));
	ksim_world_destroy(w);
	/* the plain exit of the same mm: counters and nr_ptes back to zero */
	w = run_op("task t exit mm1");
	n = ksim_finding_count(w);
	for (i = 0; i < n; i++) {
		assert_int_equal(ksim_finding_get(w, i, &f), 0);
		assert_int_equal(f.kind, KSIM_F_STRANDED);
	}
	ksim_world_destroy(w);
}

static void test_invariant_page_locked(void **state)
{
	(void)state;
	expect_finding("task t test_leave_locked f0:1", KSIM_F_LEAK,
		       "page lock left held");
}

static void test_invariant_stranded(void **state)
{
	struct ksim_world *w = run_op("task t test_strand f0:0");
	struct ksim_finding f;

	(void)state;
	assert_true(find_kind(w, KSIM_F_STRANDED, &f) >= 0);
	assert_non_null(strstr(f.message, "f0:0 is mlocked on an evictable list"));
	assert_true(f.tolerated);
	assert_false(ksim_failed(w));
	assert_int_equal(ksim_world_set_option(w, KSIM_OPT_STRICT, 1), 0);
	ksim_run_round_robin(w);
	assert_true(ksim_failed(w));
	ksim_world_destroy(w);
}

static void expect_spec_error(const char *spec, const char *text)
{
	char err[KSIM_ERRLEN] = "";
	struct ksim_world *w = ksim_world_create(spec, err, sizeof(err));

	if (w) {
		ksim_world_destroy(w);
		fail_msg("spec accepted, expected an error with '%s'", text);
	}
	if (!strstr(err, text))
		fail_msg("error '%s' does not say '%s'", err, text);
}

static void test_bad_specs(void **state)
{
	(void)state;
	expect_spec_error("model mm\nfile f0 pages 1\nfile f1 pages 1\nmm mm0\n"
			  "vma mm0 v0 f0 0 1 0\npte mm0 v0 0 f1:0\ntask t drain\n",
			  "spec line 6: pte: page f1:0 belongs to file f1");
	expect_spec_error("model mm\nfile f0 pages 1\npage f0:0 inactive mlocked\n"
			  "task t drain\n",
			  "spec line 3: page f0:0 is mlocked but not on the unevictable list");
	expect_spec_error("model mm\nfile f0 pages 1\npage f0:0 unevictable mlocked\n"
			  "task t drain\n",
			  "no VM_LOCKED vma maps it");
	expect_spec_error("model mm\nfile f0 pages 2\nmm mm0\n"
			  "vma mm0 v0 f0 0 2 0\npte mm0 v0 0 f0:1\ntask t drain\n",
			  "linear vma v0 maps offset 0");
	expect_spec_error("model mm\nfile f0 pages 1\ntask t frobnicate\n",
			  "spec line 3: unknown operation 'frobnicate'");
	expect_spec_error("model mm\nfile f0 pages 1\ntask t reclaim f9:0\n",
			  "no file or anon page 'f9:0'");
	expect_spec_error("model mm\nfile f0 pages 1\ntask t migrate f0:0\n",
			  "is not mapped");
	expect_spec_error("model mm\nfile f0 pages 1\nmm mm0\n"
			  "vma mm0 v0 f0 0 1 0\ntask t cow mm0 v0 5\n",
			  "outside vma v0");
	expect_spec_error("model mm\nwidget 3\ntask t drain\n",
			  "spec line 2: unknown mm directive 'widget'");
}

/*
 * remap_file_pages(2) alone on BASE_WORLD: page 1 of the VM_LOCKED vma
 * (mlocked f0:1) is pointed at offset 0.  f0:1 must come out unmapped
 * and munlocked (else the mlock-leak and NR_MLOCK invariants fire);
 * f0:0 stays mapped but not mlocked, which is only "stranded".
 */
static void test_remap_alone(void **state)
{
	static const struct {
		const char *task;
		const char *in_trace[4];	/* what the trace must show */
		const char *not_in_trace;
	} ops[] = {
		/* the locked vma goes nonlinear: munlock, then unmap f0:1 */
		{ "task t remap mm0 v0 1 1 0",
		  { "down_write mm0.mmap_sem mm/fremap.c:",
		    "mutex_lock f0.i_mmap_mutex mm/fremap.c:",
		    "test_and_clear_bit f0:1.PG_mlocked",
		    "atomic_rmw f0:1._mapcount mm/rmap.c:" }, NULL },
		/* linear offsets already: nothing changes, read lock only */
		{ "task t remap mm0 v0 0 2 0",
		  { "down_read mm0.mmap_sem mm/fremap.c:" }, "down_write" },
		{ "task t remap mm1 v1 0 2 0",
		  { "down_read mm1.mmap_sem mm/fremap.c:" }, "down_write" },
		/* an unlocked vma goes nonlinear: no munlock */
		{ "task t remap mm1 v1 0 1 1",
		  { "down_write mm1.mmap_sem mm/fremap.c:",
		    "mutex_lock f0.i_mmap_mutex mm/fremap.c:",
		    "atomic_rmw f0:0._mapcount mm/rmap.c:" }, "PG_mlocked" },
	};
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct ksim_world *w = run_op(ops[i].task);
		const char *trace = ksim_trace_text(w);

		for (k = 0; k < 4 && ops[i].in_trace[k]; k++)
			if (!strstr(trace, ops[i].in_trace[k]))
				fail_msg("'%s': no '%s' in the trace", ops[i].task,
					 ops[i].in_trace[k]);
		if (ops[i].not_in_trace && strstr(trace, ops[i].not_in_trace))
			fail_msg("'%s': '%s' in the trace", ops[i].task,
				 ops[i].not_in_trace);
		for (k = 0; k < ksim_finding_count(w); k++) {
			struct ksim_finding f;

			ksim_finding_get(w, k, &f);
			if (f.kind != KSIM_F_STRANDED)
				fail_msg("'%s': %s: %s", ops[i].task,
					 f.kind_name, f.message);
			/* f0:1 leaves the locked vma: nothing strands it */
			assert_null(strstr(f.message, "f0:1"));
		}
		assert_false(ksim_failed(w));
		assert_true(ksim_done(w));
		ksim_world_destroy(w);
	}
}

/*
 * What the unpatched tree may report in the remap scenarios: the seed's
 * BUG (mlock_vma_page() on a page of the cluster that the scan did not
 * lock), the harness's stronger owner check on the same line (the page
 * is locked, but by the other task), and tolerated stranded pages.
 */
static void check_understood(const char *scenario, struct ksim_world *w)
{
	int k;

	for (k = 0; k < ksim_finding_count(w); k++) {
		struct ksim_finding f;

		ksim_finding_get(w, k, &f);
		if (f.tolerated)
			continue;
		if ((f.kind == KSIM_F_BUG || f.kind == KSIM_F_LOCK_OWNER) &&
		    !strcmp(f.file, "mm/mlock.c") &&
		    !strcmp(f.function, "mlock_vma_page") &&
		    strstr(f.report, "try_to_unmap_cluster"))
			continue;
		fail_msg("%s: unexpected %s at %s:%d: %s\n%s", scenario,
			 f.kind_name, f.file, f.line, f.message,
			 ksim_schedule_token(w));
	}
}

static void test_remap_scenarios_run(void **state)
{
	static const char *const names[] = {
		"remap-vs-reclaim", "migrate-vs-cluster-mlock",
	};
	size_t i;
	uint64_t seed;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char err[KSIM_ERRLEN];
		struct ksim_world *w = ksim_world_create_scenario(names[i], err,
								  sizeof(err));

		if (!w)
			fail_msg("%s: %s", names[i], err);
		assert_true(ksim_run_round_robin(w) >= 0);
		assert_true(ksim_done(w) || ksim_failed(w));
		check_understood(names[i], w);
		for (seed = 1; seed <= 200; seed++) {
			ksim_world_reset(w);
			assert_true(ksim_run_random(w, seed) >= 0);
			check_understood(names[i], w);
		}
		ksim_world_destroy(w);
	}
}

/*
 * The remap-vs-reclaim BUG is the seed's, reached the way trinity
 * could: remap_file_pages() finishes, then reclaim's rmap walk finds
 * the vma nonlinear and mlocks f0:1 without its lock.
 */
static void test_remap_reaches_seed_bug(void **state)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create_scenario("remap-vs-reclaim",
							  err, sizeof(err));
	struct ksim_finding f;
	uint64_t seed;
	int found = 0;

	(void)state;
	assert_non_null(w);
	for (seed = 1; seed <= 200 && !found; seed++) {
		ksim_world_reset(w);
		ksim_run_random(w, seed);
		found = find_kind(w, KSIM_F_BUG, &f) >= 0;
	}
	assert_true(found);
	assert_string_equal(f.function, "mlock_vma_page");
	assert_non_null(strstr(f.report, "try_to_unmap_cluster"));
	assert_non_null(strstr(ksim_trace_text(w), "sys_remap_file_pages"));
	ksim_world_destroy(w);
}

static void test_bad_remap_args(void **state)
{
	(void)state;
	expect_spec_error(BASE_WORLD "task t remap mm0 v0 0 1\n",
			  "spec line 13: task t: expected MM VMA I NPAGES PGOFF (usage: remap MM VMA I NPAGES PGOFF)");
	expect_spec_error(BASE_WORLD "task t remap mm9 v0 0 1 0\n",
			  "no mm 'mm9'");
	expect_spec_error(BASE_WORLD "task t remap mm0 v9 0 1 0\n",
			  "no vma 'v9' in mm mm0");
	expect_spec_error(BASE_WORLD "task t remap mm0 v0 2 1 0\n",
			  "page offset '2' is outside vma v0 (0..1)");
	expect_spec_error(BASE_WORLD "task t remap mm0 v0 x 1 0\n",
			  "page offset 'x' is outside vma v0");
	expect_spec_error(BASE_WORLD "task t remap mm0 v0 1 2 0\n",
			  "NPAGES '2' must be 1..1");
	expect_spec_error(BASE_WORLD "task t remap mm0 v0 0 0 0\n",
			  "NPAGES '0' must be 1..2");
	expect_spec_error(BASE_WORLD "task t remap mm0 v0 0 2 1\n",
			  "PGOFF '1': file offsets PGOFF..PGOFF+1 must be pages of f0 (0..1)");
	expect_spec_error(BASE_WORLD "task t remap mm0 v0 0 1 -1\n",
			  "PGOFF '-1'");
	expect_spec_error("model mm\nfile f0 pages 2\nmm mm0\n"
			  "vma mm0 v0 f0 0 2 0\ntask t remap mm0 v0 0 1 1\n",
			  "vma v0 is private: remap_file_pages(2) needs a shared mapping");
}

/* A BUG token replays to the same trace, byte for byte. */
static void test_bug_token_replays(void **state)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create_scenario(
		"seed-reclaim-nonlinear", err, sizeof(err));
	char *token, *trace, *report;
	struct ksim_finding f;
	int n;

	(void)state;
	assert_non_null(w);
	ksim_run_random(w, 7);
	assert_true(find_kind(w, KSIM_F_BUG, &f) >= 0);
	token = strdup(ksim_schedule_token(w));
	trace = strdup(ksim_trace_text(w));
	report = strdup(f.report);
	assert_true(strlen(trace) > 100);

	ksim_world_reset(w);
	n = ksim_run_token(w, token);
	assert_true(n >= 1);
	assert_string_equal(ksim_trace_text(w), trace);
	assert_true(find_kind(w, KSIM_F_BUG, &f) >= 0);
	assert_string_equal(f.report, report);
	assert_string_equal(ksim_schedule_token(w), token);
	free(token);
	free(trace);
	free(report);
	ksim_world_destroy(w);
}

/*
 * A page table keeps the ptes up to the end of its mm's last vma, no
 * more: a world whose vma ends 100 pages further holds exactly 100 more
 * ptes of kernel state, and its ptes are where the spec put them.
 */
static size_t arena_bytes_of(const char *spec)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create(spec, err, sizeof(err));
	struct ksim_stats st;

	if (!w)
		fail_msg("%s", err);
	ksim_stats_get(w, &st);
	assert_int_equal(ksim_run_round_robin(w), 0);
	ksim_world_destroy(w);
	return st.arena_bytes;
}

/*
 * Anonymous pages go through the anon_vma_chain rmap: migrating one
 * unmaps it with try_to_unmap_anon() (under the anon_vma's rwsem, the
 * pin taken by page_get_anon_vma()) and restores its pte through
 * rmap_walk_anon().  Every schedule tried leaves a consistent world.
 */
/*
 * Findings that fail a run (the tolerated "stranded" kind does not).
 * Migrating a mapped mlocked page strands the new page in v3.13:
 * page_remove_rmap() clears PG_mlocked at the last unmap, before
 * mlock_migrate_page() could move it; when do_wp_page() then reuses
 * the new page in place (the anon reuse path) nothing mlocks it again.
 */
static int failing_findings(struct ksim_world *w)
{
	int k, n = 0;

	for (k = 0; k < ksim_finding_count(w); k++) {
		struct ksim_finding f;

		ksim_finding_get(w, k, &f);
		if (!f.tolerated)
			n++;
	}
	return n;
}

static void test_anon_migration_walks_anon_rmap(void **state)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w;
	const char *trace;
	uint64_t seed;

	(void)state;
	w = ksim_world_create_scenario("migrate-anon-vs-cow", err, sizeof(err));
	if (!w)
		fail_msg("%s", err);
	assert_true(ksim_run_round_robin(w) >= 0);
	assert_true(ksim_done(w));
	assert_int_equal(failing_findings(w), 0);
	trace = ksim_trace_text(w);
	assert_non_null(strstr(trace, "page_get_anon_vma"));
	assert_non_null(strstr(trace, "try_to_unmap_anon"));
	assert_non_null(strstr(trace, "rmap_walk_anon"));
	assert_non_null(strstr(trace, "anon_vma0.rwsem"));
	for (seed = 1; seed <= 100; seed++) {
		ksim_world_reset(w);
		assert_true(ksim_run_random(w, seed) >= 0);
		if (failing_findings(w))
			fail_msg("seed %llu: %s", (unsigned long long)seed,
				 ksim_schedule_token(w));
	}
	ksim_world_destroy(w);
}

/*
 * lru_add_drain_all() (migrate_prep()): a page that one CPU's pagevec
 * holds (the first migration's new page) is drained by the second
 * migration through the work item of that CPU, which waits while that
 * CPU's task is in atomic context.  Every schedule stays clean, and some
 * schedules take the cross-CPU flush.
 */
static void test_drain_all_flushes_other_cpu(void **state)
{
	const char *spec =
		"model mm\n"
		"pool 2\n"
		"file f0 pages 2\n"
		"mm mm0\n"
		"vma mm0 v0 f0 0 2 0 shared\n"
		"pte mm0 v0 0 f0:0\n"
		"pte mm0 v0 1 f0:1\n"
		"task m0 migrate f0:0\n"
		"task m1 migrate f0:1\n";
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create(spec, err, sizeof(err));
	uint64_t seed;
	int flushed = 0;

	(void)state;
	assert_non_null(w);
	/* m0 runs to its end first: its pagevec holds both its pages */
	for (seed = 0; seed <= 300; seed++) {
		struct ksim_event ev;
		size_t i;

		if (seed == 0)
			assert_true(ksim_run_last_first(w, NULL, 0) >= 0);
		else
			assert_true(ksim_run_random(w, seed) >= 0);
		assert_false(ksim_failed(w));
		for (i = 0; ksim_event_get(w, i, &ev) == 0; i++)
			if (ev.task == 1 &&
			    ev.op.kind == KSIM_OP_WAIT_PAGE_UNLOCKED &&
			    !strcmp(ev.op.function, "lru_add_drain_all"))
				flushed++;
		if (seed == 0)
			assert_true(flushed > 0);
	}
	ksim_world_destroy(w);
}

/*
 * An anonymous page shared by two mms (as fork leaves it) makes munlock
 * ask try_to_munlock() about the other mapping, through the anon_vma
 * chains.  When that re-mlocks the page while the other munlock clears
 * PG_mlocked on it isolated, NR_MLOCK is left one too high: the v3.13
 * race Patches/0006 fixes, reached here through the anon rmap.
 */
static void test_anon_shared_munlock(void **state)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w;
	struct ksim_finding f;
	const char *trace;

	(void)state;
	w = ksim_world_create_scenario("munlock-anon-vs-munlock", err,
				       sizeof(err));
	if (!w)
		fail_msg("%s", err);
	assert_true(ksim_run_round_robin(w) >= 0);
	assert_true(ksim_done(w));
	assert_int_equal(ksim_finding_count(w), 0);
	trace = ksim_trace_text(w);
	assert_non_null(strstr(trace, "try_to_munlock"));
	assert_non_null(strstr(trace, "try_to_unmap_anon"));

	ksim_world_reset(w);
	assert_true(ksim_run_token(w, "ksim1:munlock-anon-vs-munlock:*:a41b11a28b2") >= 0);
	assert_int_equal(ksim_finding_count(w), 1);
	assert_int_equal(ksim_finding_get(w, 0, &f), 0);
	assert_int_equal(f.kind, KSIM_F_ACCOUNTING);
	assert_non_null(strstr(f.message, "NR_MLOCK is 1 but 0 pages are PG_mlocked"));
	assert_non_null(strstr(ksim_trace_text(w), "mlock_vma_page"));
	ksim_world_destroy(w);
}

/* An 'anon' line wants a private vma and a free pte. */
static void test_bad_anon_specs(void **state)
{
	(void)state;
	expect_spec_error("model mm\nfile f0 pages 1\nmm mm0\n"
			  "vma mm0 v0 f0 0 1 0 shared\n"
			  "anon a0 mm0 v0 0\ntask t drain\n",
			  "only private vmas hold anonymous pages");
	expect_spec_error("model mm\nfile f0 pages 1\nmm mm0\n"
			  "vma mm0 v0 f0 0 1 0\npte mm0 v0 0 f0:0\n"
			  "anon a0 mm0 v0 0\ntask t drain\n",
			  "is already mapped");
	expect_spec_error("model mm\nfile f0 pages 1\nmm mm0\n"
			  "vma mm0 v0 f0 0 1 0 locked\n"
			  "anon a0 mm0 v0 0 mlocked\ntask t drain\n",
			  "goes on the unevictable list");
	expect_spec_error("model mm\nfile f0 pages 2\nmm mm0\n"
			  "vma mm0 v0 f0 0 1 0\nvma mm0 v1 f0 4 1 1\n"
			  "anon a0 mm0 v0 0\nanon a0 mm0 v1 0\ntask t drain\n",
			  "a forked vma has its parent's layout");
	expect_spec_error("model mm\nfile f0 pages 1\nmm mm0\n"
			  "vma mm0 v0 f0 0 2 0\nanon a0 mm0 v0 0\n"
			  "anon a0 mm0 v0 1 write\ntask t drain\n",
			  "attributes go on the page's first 'anon' line");
}

static void test_page_table_trimmed_to_vmas(void **state)
{
	size_t lo, hi;

	(void)state;
	lo = arena_bytes_of("model mm\nfile f0 pages 2\nmm mm0\n"
			    "vma mm0 v0 f0 0 2 0 shared\n"
			    "pte mm0 v0 1 f0:1\ntask t munlock mm0 v0\n");
	hi = arena_bytes_of("model mm\nfile f0 pages 2\nmm mm0\n"
			    "vma mm0 v0 f0 100 2 0 shared\n"
			    "pte mm0 v0 1 f0:1\ntask t munlock mm0 v0\n");
	assert_int_equal(hi - lo, 100 * 8);
	/* the largest table the spec language allows still fits */
	assert_true(arena_bytes_of("model mm\nfile f0 pages 2\nmm mm0\n"
				   "vma mm0 v0 f0 510 2 0 shared\n"
				   "pte mm0 v0 1 f0:1\n"
				   "task t munlock mm0 v0\n") > lo + 508 * 8);
}

/* Run spec once round-robin; its trace (owned by the world) in *trace. */
static struct ksim_world *run_spec(const char *spec, const char **trace)
{
	char err[KSIM_ERRLEN];
	struct ksim_world *w = ksim_world_create(spec, err, sizeof(err));

	if (!w)
		fail_msg("%s", err);
	assert_true(ksim_run_round_robin(w) >= 0);
	assert_true(ksim_done(w));
	*trace = ksim_trace_text(w);
	return w;
}

/*
 * The v3.13 page-table and vma-tree paths (mm/memory.c, mm/mmap.c): a
 * page table goes when the last vma over it does, and only then; a
 * write fault reuses an anonymous page nobody else maps but copies a
 * file page; find_vma() still finds the vmas left after others were
 * erased from the tree.
 */
static void test_pgtable_paths(void **state)
{
	static const char one[] =
		"model mm\nfile f0 pages 2\nmm mm0\n"
		"vma mm0 v0 f0 0 2 0 write\npte mm0 v0 0 f0:0\n";
	char spec[512];
	struct ksim_world *w;
	const char *trace;
	uint64_t seed;

	(void)state;
	/* the mm's only vma: its page table is freed, exit or munmap */
	snprintf(spec, sizeof(spec), "%stask t munmap mm0 v0\n", one);
	w = run_spec(spec, &trace);
	assert_int_equal(ksim_finding_count(w), 0);
	assert_non_null(strstr(trace, "free_pte_range"));
	ksim_world_destroy(w);
	snprintf(spec, sizeof(spec), "%stask t exit mm0\n", one);
	w = run_spec(spec, &trace);
	assert_int_equal(ksim_finding_count(w), 0);	/* nr_ptes WARN */
	assert_non_null(strstr(trace, "free_pte_range"));
	ksim_world_destroy(w);

	/* a neighbour in the same table keeps it */
	w = run_spec("model mm\nfile f0 pages 2\nmm mm0\n"
		     "vma mm0 v0 f0 0 1 0 write\nvma mm0 v1 f0 4 1 1 write\n"
		     "pte mm0 v0 0 f0:0\npte mm0 v1 0 f0:1\n"
		     "task t munmap mm0 v0\n", &trace);
	assert_int_equal(ksim_finding_count(w), 0);
	assert_non_null(strstr(trace, "zap_pte_range"));
	assert_null(strstr(trace, "free_pte_range"));
	ksim_world_destroy(w);

	/* COW of an exclusive anonymous page: reused in place */
	w = run_spec("model mm\npool 1\nfile f0 pages 1\nmm mm0\n"
		     "vma mm0 v0 f0 0 1 0 write\nanon a0 mm0 v0 0\n"
		     "task t cow mm0 v0 0\n", &trace);
	assert_int_equal(ksim_finding_count(w), 0);
	assert_non_null(strstr(trace, "reuse_swap_page"));
	assert_non_null(strstr(trace, "page_move_anon_rmap"));
	assert_null(strstr(trace, "page_add_new_anon_rmap"));
	ksim_world_destroy(w);
	/* ... a file page is copied */
	snprintf(spec, sizeof(spec), "%spool 1\ntask t cow mm0 v0 0\n", one);
	w = run_spec(spec, &trace);
	assert_int_equal(ksim_finding_count(w), 0);
	assert_non_null(strstr(trace, "page_add_new_anon_rmap"));
	assert_null(strstr(trace, "reuse_swap_page"));
	ksim_world_destroy(w);

	/* vmas erased from mm->mm_rb around the one a fault looks up */
	w = run_spec("model mm\npool 2\nfile f0 pages 3\nmm mm0\n"
		     "vma mm0 v0 f0 0 1 0 write\nvma mm0 v1 f0 1 1 1 write\n"
		     "vma mm0 v2 f0 2 1 2 write\n"
		     "pte mm0 v0 0 f0:0\npte mm0 v1 0 f0:1\n"
		     "pte mm0 v2 0 f0:2\n"
		     "task a munmap mm0 v0\ntask b munmap mm0 v1\n"
		     "task c cow mm0 v2 0\n", &trace);
	for (seed = 1; seed <= 50; seed++) {
		ksim_world_reset(w);
		assert_true(ksim_run_random(w, seed) >= 0);
		assert_int_equal(ksim_finding_count(w), 0);
		trace = ksim_trace_text(w);
		if (!strstr(trace, "page_add_new_anon_rmap"))
			fail_msg("seed %llu: the fault did not find v2",
				 (unsigned long long)seed);
	}
	ksim_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_migrate_bug),
		cmocka_unit_test(test_seed_reclaim_bug),
		cmocka_unit_test(test_every_mm_scenario_builds),
		cmocka_unit_test(test_invariant_control),
		cmocka_unit_test(test_invariant_nr_mlock),
		cmocka_unit_test(test_invariant_bad_page),
		cmocka_unit_test(test_invariant_mlock_leak),
		cmocka_unit_test(test_invariant_refcount),
		cmocka_unit_test(test_invariant_lru),
		cmocka_unit_test(test_invariant_page_locked),
		cmocka_unit_test(test_invariant_points_at_kernel_write),
		cmocka_unit_test(test_teardown_rss_counter),
		cmocka_unit_test(test_invariant_stranded),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_bug_token_replays),
		cmocka_unit_test(test_remap_alone),
		cmocka_unit_test(test_remap_scenarios_run),
		cmocka_unit_test(test_remap_reaches_seed_bug),
		cmocka_unit_test(test_bad_remap_args),
		cmocka_unit_test(test_page_table_trimmed_to_vmas),
		cmocka_unit_test(test_anon_migration_walks_anon_rmap),
		cmocka_unit_test(test_bad_anon_specs),
		cmocka_unit_test(test_pgtable_paths),
		cmocka_unit_test(test_anon_shared_munlock),
		cmocka_unit_test(test_drain_all_flushes_other_cpu),
	};

	return cmocka_run_group_tests_name("mm", tests, NULL, NULL);
}
