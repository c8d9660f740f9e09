/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kshim.h - public C API of the KernelHarness shim.
 *
 * A "world" is one simulated machine: the kernel objects built from a
 * text spec, plus up to KSIM_MAX_TASKS simulated tasks.  Each task runs
 * kernel code on its own coroutine stack; every stubbed kernel primitive
 * (locks, page flags, refcounts, ...) is a scheduling point at which the
 * task publishes its pending operation and yields to the driver.  The
 * driver (this API's caller) chooses which enabled task executes its
 * pending operation next, with ksim_step().
 *
 * Plain C99.  Nothing here is global: every call takes the world it acts
 * on, so worlds on different OS threads never interfere.  A world must be
 * driven from one thread at a time.
 *
 * Return convention: functions returning int return 0 (or a count) on
 * success and a negative KSIM_E* code on error; ksim_last_error() then
 * says why, and a call that can fail clears it ("") when it succeeds.
 * Every function checks its arguments: given a NULL world, functions
 * returning int return KSIM_EINVAL (ksim_running_task(): -1), those
 * returning a count or a mask return 0, strings are "" (ksim_task_name()
 * and the registry lookups: NULL), and the void ones do nothing.  A NULL
 * out-pointer a function needs, an index out of range, an option value
 * outside its range: KSIM_EINVAL or KSIM_ENOENT with a message.
 *
 * Linking: libkshim.a and libkshim.so export only ksim_* names (the kernel
 * functions compiled into them, put_page() and the rest, are local), so a
 * program may define its own.  pkg-config --variable=codeid kshim is the
 * library's ksim_code_id().  Guide: docs/c-library.md.
 */
#ifndef KSHIM_H
#define KSHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * 2: ksim_run_pct/prefix/last_first, ksim_enabled_log and
 * ksim_stats.total_direct (struct ksim_stats grew: rebuild against this
 * header), KSIM_OPT_DIRECT.
 * 5: KSIM_OPT_CRASH_GUARD; arguments checked everywhere; a token must be a
 * whole "ksim1:" token; a refused run resets the world; the lock-set
 * audit (ksim_audit_*).
 * 7: KSIM_MAX_TASKS is 16 (token letters a-p); rebuild what sized arrays
 * by it.
 */
#define KSIM_API_VERSION	7
#define KSIM_MAX_TASKS		16	/* simulated tasks (= CPUs) per world */
#define KSIM_ERRLEN		256

/* Error codes (negative return values). */
enum ksim_error {
	KSIM_OK = 0,
	KSIM_EINVAL = -1,	/* malformed input: spec, token, argument */
	KSIM_ENOENT = -2,	/* unknown scenario, operation or task */
	KSIM_ENOTENABLED = -3,	/* the chosen task cannot run now */
	KSIM_EDONE = -4,	/* the run is over: reset before stepping */
	KSIM_ENOMEM = -5,
	KSIM_EMISMATCH = -6,	/* token is for another scenario */
};

/* What a pending operation does.  Names: ksim_op_kind_name(). */
enum ksim_op_kind {
	KSIM_OP_NONE = 0,
	KSIM_OP_SPIN_LOCK,
	KSIM_OP_SPIN_TRYLOCK,
	KSIM_OP_SPIN_UNLOCK,
	KSIM_OP_MUTEX_LOCK,
	KSIM_OP_MUTEX_TRYLOCK,
	KSIM_OP_MUTEX_UNLOCK,
	KSIM_OP_DOWN_READ,
	KSIM_OP_DOWN_READ_TRYLOCK,
	KSIM_OP_UP_READ,
	KSIM_OP_DOWN_WRITE,
	KSIM_OP_DOWN_WRITE_TRYLOCK,
	KSIM_OP_UP_WRITE,
	KSIM_OP_LOCK_PAGE,
	KSIM_OP_TRYLOCK_PAGE,
	KSIM_OP_UNLOCK_PAGE,
	KSIM_OP_WAIT_PAGE_UNLOCKED,
	KSIM_OP_FLAG_TEST,	/* PageX() */
	KSIM_OP_FLAG_SET,	/* SetPageX(), __SetPageX() */
	KSIM_OP_FLAG_CLEAR,	/* ClearPageX(), __ClearPageX() */
	KSIM_OP_FLAG_TEST_SET,	/* TestSetPageX() */
	KSIM_OP_FLAG_TEST_CLEAR,/* TestClearPageX() */
	KSIM_OP_ATOMIC_READ,	/* atomic_read(), page_count(), ... */
	KSIM_OP_ATOMIC_WRITE,	/* atomic_set() */
	KSIM_OP_ATOMIC_RMW,	/* atomic_inc(), get_page(), ... */
	KSIM_OP_LOAD,		/* plain shared load (toy programs) */
	KSIM_OP_STORE,		/* plain shared store (toy programs) */
	KSIM_OP_YIELD,		/* cond_resched(), schedule points with no object */
	KSIM_OP__COUNT
};

/* Finding kinds.  Names: ksim_finding_kind_name(). */
enum ksim_finding_kind {
	KSIM_F_NONE = 0,
	KSIM_F_BUG,		/* BUG_ON / VM_BUG_ON fired (fatal) */
	KSIM_F_BAD_PAGE,	/* page freed in a bad state */
	KSIM_F_DEADLOCK,	/* no task can run / self-deadlock (fatal) */
	KSIM_F_INVALID_CONTEXT,	/* sleeping primitive in atomic context */
	KSIM_F_ACCOUNTING,	/* counters disagree at quiescence */
	KSIM_F_LEAK,		/* mlock or reference outlives its owner */
	KSIM_F_STRANDED,	/* tolerated: page on the wrong LRU */
	KSIM_F_LIVELOCK,	/* step budget exhausted (fatal) */
	KSIM_F_CRASH,		/* SIGSEGV/SIGBUS/abort in code under test (fatal) */
	KSIM_F_LOCK_OWNER,	/* PageLocked asserted by a task not holding it */
	KSIM_F_BAD_UNLOCK,	/* release of a lock the task does not hold (fatal) */
	KSIM_F_HELD_AT_EXIT,	/* task finished with locks held */
	KSIM_F_WARN,		/* WARN_ON fired */
	KSIM_F__COUNT
};

/* Task states. */
enum ksim_task_state {
	KSIM_TASK_RUNNABLE = 0,	/* has a pending operation */
	KSIM_TASK_DONE,		/* returned from its operation */
	KSIM_TASK_DEAD,		/* stopped by a fatal finding */
};

/* A task's pending operation: what it will do when next stepped. */
struct ksim_op {
	int kind;		/* enum ksim_op_kind */
	int write;		/* 1: exclusive / write, 0: shared / read */
	uint64_t object;	/* key of the object, stable for a spec; 0: none */
	const char *object_name;/* e.g. "page#3.PG_locked", "zone.lru_lock" */
	const char *file;	/* kernel source, e.g. "mm/rmap.c" */
	int line;
	const char *function;	/* kernel function containing the call */
};

/* One step of a run, as recorded in the trace. */
struct ksim_event {
	int task;
	struct ksim_op op;	/* the operation that this step executed */
	int result;		/* trylocks and tests: the value returned */
};

/* A finding.  Strings are owned by the world, valid until reset. */
struct ksim_finding {
	int kind;		/* enum ksim_finding_kind */
	const char *kind_name;	/* "bug", "deadlock", ... */
	int fatal;		/* 1 if it stopped the run */
	int tolerated;		/* 1 if it fails a run only in strict mode */
	const char *message;	/* one line */
	const char *file;	/* location, e.g. "mm/mlock.c" */
	int line;
	const char *function;
	int task;		/* task index, -1 for world-level findings */
	const char *task_name;
	const char *report;	/* full kernel-style multi-line report */
	size_t step;		/* step index at which it was found */
};

/* Run statistics for the current run, plus totals since creation. */
struct ksim_stats {
	uint64_t steps;		/* steps in the current run */
	uint64_t total_steps;	/* since the world was created */
	uint64_t runs;		/* resets since creation (incl. the first) */
	uint64_t state_hash;	/* hash of the kernel state (valid when done);
				 * the same in every process for one build
				 * of the library (libkshim.a and .so, laid
				 * out differently, hash differently) */
	size_t arena_bytes;	/* memory holding the kernel objects */
	uint64_t total_direct;	/* of total_steps, those a built-in chooser
				 * ran straight from the task's scheduling
				 * point, with no switch through the driver */
};

struct ksim_world;

/* ---- Worlds ---------------------------------------------------------- */

/*
 * Create a world from a text spec: "model NAME", then "task NAME OP
 * ARGS...", "option NAME VALUE" (trace, max_steps, strict, backtrace,
 * direct, crash_guard: the KSIM_OPT_* below, same ranges) and the model's
 * own lines (CKernelShim/model/README.md, section "mm world specs"; the
 * registered scenarios' specs, ksim_scenario_spec(), are examples).  The
 * spec is a C string: it ends at its first NUL.  On error returns NULL
 * and, when err is not NULL, writes a message naming the line and the
 * reason into err (KSIM_ERRLEN bytes suffice).  The world is ready to
 * run: every task stands at its first scheduling point (a run has
 * started: see KSIM_OPT_CRASH_GUARD).
 */
struct ksim_world *ksim_world_create(const char *spec, char *err, size_t errlen);

/* Create a world from a registered scenario by name (see ksim_scenario_*). */
struct ksim_world *ksim_world_create_scenario(const char *name, char *err,
					      size_t errlen);

/* Put the world back to its initial state without reallocating (starts a
 * run: every task at its first scheduling point). */
void ksim_world_reset(struct ksim_world *w);

/* Free everything the world owns. */
void ksim_world_destroy(struct ksim_world *w);

/* Message for the last error returned on this world. */
const char *ksim_last_error(const struct ksim_world *w);

/* Scenario name the world was created from; for a plain spec "spec-" and
 * 8 hex digits of the spec's hash (the name its tokens carry). */
const char *ksim_world_scenario(const struct ksim_world *w);

/*
 * Identity of the compiled kernel code, 12 hex digits: the start of the
 * SHA-256 of every file of CKernelShim/ as compiled (paths and bytes,
 * listed in runtime/codeid_files.h).
 */
const char *ksim_code_id(void);

/*
 * The most steps a run may take (the largest KSIM_OPT_MAX_STEPS), and so
 * the most choices a schedule token may hold.
 */
#define KSIM_STEP_LIMIT	10000000

/* SHA-256, incrementally: init, update any number of times, final. */
struct ksim_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t n;
};
void ksim_sha256_init(struct ksim_sha256 *s);
void ksim_sha256_update(struct ksim_sha256 *s, const void *data, size_t len);
void ksim_sha256_final(struct ksim_sha256 *s, unsigned char out[32]);

/* Options (ksim_world_set_option). */
enum ksim_option {
	KSIM_OPT_TRACE = 1,	/* record every step's event (0 or 1,
				 * default 1) */
	KSIM_OPT_MAX_STEPS,	/* livelock budget per run (1..KSIM_STEP_LIMIT,
				 * default 100000) */
	KSIM_OPT_STRICT,	/* stranded pages fail the run (0 or 1,
				 * default 0) */
	KSIM_OPT_BACKTRACE,	/* call chains in reports (0 or 1, default 1) */
	KSIM_OPT_DIRECT,	/* built-in choosers run steps from the task's
				 * scheduling point, without the driver
				 * (default 1; off with the trace; 0: every
				 * step through the driver, same choices) */
	KSIM_OPT_CRASH_GUARD,	/* when crashes of kernel code become findings
				 * (enum ksim_crash_guard, default
				 * KSIM_CRASH_GUARD_RUN) */
	KSIM_OPT_FOOTPRINT,	/* keep each step's plain shared accesses
				 * (ksim_step_footprint; default 0; 2: only
				 * of ksim_step(), not of the steps the
				 * ksim_run_*() choosers take, which then
				 * leave an empty footprint) */
	KSIM_OPT_PLAIN_POINTS,	/* every plain shared access is a scheduling
				 * point of its own (default 0) */
};

/*
 * The crash guard: handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT
 * (SA_ONSTACK, with an alternate signal stack for the thread when it has
 * none of at least 64 KiB) that turn a fault inside a task into a "crash"
 * finding.  A fault outside any task goes to the handler that was
 * installed before (or the default action).
 *
 * KSIM_CRASH_GUARD_RUN: installed when a run starts (ksim_world_create*,
 * ksim_world_reset, ksim_run_*; a ksim_step() on a thread where it is not
 * installed installs it too) and taken away when the run ends: the
 * previous handlers and alternate stack are back, except where the host
 * installed its own meanwhile.  Every run start re-installs it if the host
 * replaced it (as cmocka does around each test).  A run left unfinished
 * keeps it installed until the world is destroyed.  Costs about a dozen
 * sigaction() calls per run.
 * KSIM_CRASH_GUARD_KEEP: installed at the first run on each thread and
 * left in place for good (no cost per run; for programs that do not
 * install handlers of their own).
 * KSIM_CRASH_GUARD_OFF: never installed; a crash in a task kills the
 * process (or goes to the host's handler).  The environment variable
 * KSIM_NO_CRASH_GUARD (any value) has the same effect for every world.
 *
 * Under AddressSanitizer the guard works the same for faults (a NULL or
 * wild access raises SIGSEGV; ASan's own SEGV handler is then the
 * "previous" one); memory errors that ASan detects itself, without a
 * fault (heap-buffer-overflow, use-after-free ...), are not crashes: they
 * end the process with ASan's report, as under ASan they should.  Under
 * valgrind a task's fault is a crash finding too, and valgrind reports
 * the invalid access as well.
 */
/* KSIM_OPT_FOOTPRINT values besides 0 (off) and 1 (every step). */
enum ksim_footprint {
	KSIM_FOOT_EVERY_STEP = 1,
	KSIM_FOOT_STEPS_ONLY = 2,
};

enum ksim_crash_guard {
	KSIM_CRASH_GUARD_OFF = 0,
	KSIM_CRASH_GUARD_RUN = 1,
	KSIM_CRASH_GUARD_KEEP = 2,
};
int ksim_world_set_option(struct ksim_world *w, int option, long value);

/* ---- Tasks and steps -------------------------------------------------- */

int ksim_task_count(const struct ksim_world *w);
const char *ksim_task_name(const struct ksim_world *w, int task);
int ksim_task_state(const struct ksim_world *w, int task);

/* Bit i set: task i is runnable and its pending operation can proceed. */
uint32_t ksim_enabled(const struct ksim_world *w);

/* Copy task's pending operation into op.  Returns KSIM_ENOENT if the task
 * has none (finished). */
int ksim_pending(const struct ksim_world *w, int task, struct ksim_op *op);

/* The lean form of ksim_pending() for explorers: only the kind, the object
 * key and the write flag (no name lookup, no strings).  Any out pointer may
 * be NULL.  Returns KSIM_ENOENT if the task has no pending operation. */
int ksim_pending_access(const struct ksim_world *w, int task, int *kind,
			uint64_t *object, int *write);

/* With KSIM_OPT_FOOTPRINT: the plain shared accesses (to kernel state,
 * 8-byte granules, object keys as ksim_pending_access gives them) of the
 * last step, each as key << 1 | write.  Returns their number, or
 * (size_t)-1 when some were lost (out of memory: treat the step as
 * touching everything).  An entry 0 says the step's own operation changed
 * nothing and only read its object (a failed trylock or compare-and-swap,
 * a test-and-set of a set bit); key 1 << 62 | N is CPU N (per-CPU work
 * moved onto or off it: whether its task can run). */
size_t ksim_step_footprint(const struct ksim_world *w, const uint64_t **acc);

/*
 * Execute task's pending operation and run the task to its next scheduling
 * point (or its end).  Returns 0, or KSIM_ENOTENABLED / KSIM_EDONE /
 * KSIM_ENOENT without changing anything.  When the last task finishes the
 * world drains its per-CPU state and checks its quiescence invariants.
 */
int ksim_step(struct ksim_world *w, int task);

/* 1 when the run is over: every task finished, or a fatal finding. */
int ksim_done(const struct ksim_world *w);

/* ---- Whole schedules ---------------------------------------------------- */

/*
 * Reset, then run the schedule given as a token (ksim_schedule_token()
 * format, "ksim1:SCENARIO:CODEID:CHOICES"; "*" for SCENARIO or CODEID
 * skips that check, so "ksim1:*:*:a2b" is choices alone) or as an array
 * of task indices, then let round-robin finish any tail the schedule
 * leaves.  A token of a run with KSIM_OPT_PLAIN_POINTS on carries
 * "plain:" before its choices and replays only with the option on (and a
 * token without it only with the option off).
 * Returns the number of findings, or an error: KSIM_EINVAL for a
 * malformed token (choices alone, "", no choices), KSIM_EMISMATCH for a
 * token of another scenario, of the other plain-points setting, or of another build of the kernel code (the
 * message names the code id it needs; `kharness build PATCH... --prefix
 * DIR` makes the library of a patched build and prints its id).  A
 * refused run runs nothing but still resets the world, so no finding of
 * an earlier run is left.  A token whose choice is not enabled stops with
 * KSIM_ENOTENABLED and the message names the position.
 */
int ksim_run_token(struct ksim_world *w, const char *token);
int ksim_run_array(struct ksim_world *w, const uint8_t *choices, size_t n);

/* Reset and run with a built-in chooser: seeded uniform random among the
 * enabled tasks, or round-robin.  Return the number of findings. */
int ksim_run_random(struct ksim_world *w, uint64_t seed);
int ksim_run_round_robin(struct ksim_world *w);

/*
 * Reset and run with PCT (probabilistic concurrency testing): the enabled
 * task with the highest priority runs; prio[i] is task i's initial
 * priority (distinct: equal ones are refused).  At the change[k]-th
 * choice of the run (1-based, so 0 is refused)
 * the task that would run drops below every initial priority and every
 * earlier change, and the choice is made again.  At most 16 change points.
 * Returns the number of findings, or KSIM_EINVAL.
 */
int ksim_run_pct(struct ksim_world *w, const int *prio,
		 const uint64_t *change, int nr_change);

/*
 * For explorers that go on step by step: reset and run the choices, then
 * stop (ksim_run_prefix) or go on to the end always choosing the task that
 * ran last while it is enabled, else the lowest enabled one
 * (ksim_run_last_first).  Return 0 / the number of findings, or an error as
 * ksim_run_array().
 */
int ksim_run_prefix(struct ksim_world *w, const uint8_t *choices, size_t n);
int ksim_run_last_first(struct ksim_world *w, const uint8_t *choices,
			size_t n);

/* The enabled mask each choice of this run was made from (bit i: task i
 * could run), one per choice; returns their number (= ksim_schedule()). */
size_t ksim_enabled_log(const struct ksim_world *w, const uint32_t **masks);

/*
 * Lock-class dependencies gathered over every run of this world since it
 * was created (or cleared), lockdep style: "a task took a lock of class
 * to_class (not with a trylock) while holding one of class from_class".
 * A class is the lock's field name: "mmap_sem", "i_mmap_mutex",
 * "PG_locked", "ptl", "lru_lock" ..., or for a field as plain as "lock"
 * the object's name without instance numbers ("zone.lock",
 * "anon_vma.rwsem"); a lock the world did not name is a class per
 * function that takes it.  One entry per class pair, with the
 * first sites that showed it.  A cycle among them is a possible deadlock
 * even when no run deadlocked.  Strings are owned by the world.
 */
struct ksim_lock_dep {
	const char *from_class, *to_class;
	int from_read, to_read;		/* rw-semaphore taken for read */
	const char *held_file;		/* where the held lock was taken */
	int held_line;
	const char *held_function;
	const char *taken_file;		/* where the new lock was taken */
	int taken_line;
	const char *taken_function;
	const char *task_name;
};
int ksim_lockdep_count(const struct ksim_world *w);
int ksim_lockdep_get(const struct ksim_world *w, int i, struct ksim_lock_dep *out);
void ksim_lockdep_clear(struct ksim_world *w);

/*
 * Kernel functions that ran in any run of this world since it was created
 * (or cleared), for a build compiled with -finstrument-functions (the
 * patched build of check-patch); 0 functions otherwise.  Names are owned
 * by the world until its next run.
 */
int ksim_coverage_count(const struct ksim_world *w);
const char *ksim_coverage_name(struct ksim_world *w, int i);
void ksim_coverage_clear(struct ksim_world *w);

/*
 * Basic blocks of the kernel code that ran, for a build whose mm/ files
 * are compiled with -fsanitize-coverage=bb,no-prune,trace-pc-guard,pc-table
 * (check-patch's patched build; 0 blocks otherwise).  Blocks are numbered
 * 0..ksim_coverage_blocks()-1; a block's address is the one the build's
 * debug line table uses (relative to the library's load address), so the
 * caller can map blocks that ran to source lines.  Cleared with the rest
 * by ksim_coverage_clear().
 */
long ksim_coverage_blocks(void);

/*
 * The task whose kernel code is executing right now (its index), or -1
 * while the driver has control.  Meant for a watchdog on another thread:
 * a task that stays running while the world's step count does not move is
 * in a loop without a scheduling point.
 */
int ksim_running_task(const struct ksim_world *w);
unsigned long ksim_coverage_block_address(long i);
int ksim_coverage_block_ran(const struct ksim_world *w, long i);

/*
 * Lock-set audit (what `kharness audit` reads).  With KSIM_AUDIT_ON every
 * access a task makes at a scheduling point (page-flag bits, atomics and
 * counters, the toy programs' plain loads and stores) is recorded with the
 * locks the task holds and whether the page it belongs to is off the LRU
 * by this task's hand, grouped and counted over all runs of the world
 * until it is enabled again or destroyed.  KSIM_AUDIT_BUG_GOES_ON lets a
 * task go on past a BUG_ON (the finding is still reported), so that what
 * the kernel code would do next is audited too.
 */
#define KSIM_AUDIT_ON		1
#define KSIM_AUDIT_BUG_GOES_ON	2
#define KSIM_AUDIT_FIELDS	128	/* distinct field names per world */
#define KSIM_AUDIT_LOCKS	64	/* distinct lock descriptions */

struct ksim_audit_site {
	const char *field;	/* "PG_mlocked", "_count", "counter" */
	const char *file;	/* kernel site of the access */
	int line;
	const char *function;
	int kind;		/* enum ksim_op_kind */
	int write;
	int isolated;		/* its page is off the LRU by this task */
	int marked;		/* 1: READ_ONCE/WRITE_ONCE (volatile), 2: data_race() */
	int task;		/* the first task seen here */
	uint64_t locks;		/* bit i: ksim_audit_lock_name(w, i) held */
	uint64_t count;		/* accesses over all runs */
	const char *chain;	/* "mlock_vma_page < try_to_unmap_cluster < ..." */
	const uint8_t *prefix;	/* choices of the first run that got here */
	size_t nr_prefix;
	/*
	 * A plain access: the return address of its instrumentation call in
	 * the innermost kernel function (a debugger or addr2line turns it
	 * into file:line); NULL when file and line are known.
	 */
	const void *pc;
};

/* 0, or KSIM_EINVAL for unknown flags, KSIM_ENOMEM.  0 turns it off. */
int ksim_audit_enable(struct ksim_world *w, int flags);
int ksim_audit_count(const struct ksim_world *w);
/* Accesses not recorded because a table was full. */
int ksim_audit_dropped(const struct ksim_world *w);
/* Strings and prefix are owned by the world until the audit is reset. */
int ksim_audit_get(struct ksim_world *w, int i, struct ksim_audit_site *s);
/* "page-lock", "PG_locked(other page)", "mmap_sem:write", "lru_lock" … */
const char *ksim_audit_lock_name(const struct ksim_world *w, int bit);

/*
 * Data races the audit saw among plain accesses (ksim_load/ksim_store):
 * two accesses to one location by different tasks, at least one a write,
 * not ordered by happens-before (vector clocks through lock release and
 * acquire; value-returning atomics and test-and-set bits order like full
 * barriers).  Each pair of sites once, counted; the prefix replays a run
 * whose last step is the second access.
 */
struct ksim_audit_access {
	const char *file;
	int line;
	const char *function;
	int task;
	int write;
	int marked;		/* 1: READ_ONCE and co, 2: inside data_race() */
	const char *chain;
	const void *pc;		/* as in struct ksim_audit_site */
	int sized;		/* bytes of value (0: not known) */
	uint64_t value;		/* the location before the access */
};

struct ksim_audit_race {
	const char *field;
	struct ksim_audit_access first, second;
	uint64_t count;
	const uint8_t *prefix;
	size_t nr_prefix;
};

int ksim_audit_race_count(const struct ksim_world *w);
int ksim_audit_race_get(struct ksim_world *w, int i, struct ksim_audit_race *r);

/* Token of the choices made so far in the current run, e.g.
 * "ksim1:toy-lost-update:1a2b3c4d:a2b2".  Owned by the world. */
const char *ksim_schedule_token(struct ksim_world *w);

/* Choices made so far in this run (task indices), and their number. */
size_t ksim_schedule(const struct ksim_world *w, const uint8_t **choices);

/* ---- Findings, trace, statistics -------------------------------------- */

int ksim_finding_count(const struct ksim_world *w);
int ksim_finding_get(struct ksim_world *w, int i, struct ksim_finding *f);
/* The lean form of ksim_finding_get(): kind, location (file as
 * ksim_finding_get() gives it; the pointer is stable for a build of the
 * shim) and whether it is tolerated, without building the report.  Any out
 * pointer may be NULL. */
int ksim_finding_brief(const struct ksim_world *w, int i, int *kind,
		       const char **file, int *line, int *tolerated);
/* 1 if the run failed: a finding that is not tolerated (strict: any). */
int ksim_failed(const struct ksim_world *w);

size_t ksim_event_count(const struct ksim_world *w);
int ksim_event_get(const struct ksim_world *w, size_t i, struct ksim_event *ev);
/* The whole trace as text, one line per step; owned by the world. */
const char *ksim_trace_text(struct ksim_world *w);

void ksim_stats_get(const struct ksim_world *w, struct ksim_stats *st);

/* ---- Registries ---------------------------------------------------------- */

int ksim_scenario_count(void);
const char *ksim_scenario_name(int i);
const char *ksim_scenario_summary(int i);
const char *ksim_scenario_spec(int i);
/* Index of a scenario by name, or KSIM_ENOENT. */
int ksim_scenario_find(const char *name);

int ksim_operation_count(void);
const char *ksim_operation_name(int i);
const char *ksim_operation_usage(int i);

const char *ksim_op_kind_name(int kind);
const char *ksim_finding_kind_name(int kind);

/*
 * Benchmark baseline: the mean cost in nanoseconds of one bare coroutine
 * round trip (driver -> task -> driver) with this build's switch code,
 * over 'iters' round trips (1..10^9).  Negative on error.
 */
double ksim_bench_roundtrip_ns(long iters);

/* ---- Function table ----------------------------------------------------- */

/*
 * Every function above, as one table.  A harness that loads a patched build
 * of the shim with dlopen() looks up only "ksim_get_api" and calls through
 * the table, so the same driver code runs any variant of the kernel code.
 */
struct ksim_api {
	uint32_t version;	/* KSIM_API_VERSION */
	uint32_t size;		/* sizeof(struct ksim_api) */
	struct ksim_world *(*world_create)(const char *, char *, size_t);
	struct ksim_world *(*world_create_scenario)(const char *, char *, size_t);
	void (*world_reset)(struct ksim_world *);
	void (*world_destroy)(struct ksim_world *);
	const char *(*last_error)(const struct ksim_world *);
	const char *(*world_scenario)(const struct ksim_world *);
	const char *(*code_id)(void);
	int (*world_set_option)(struct ksim_world *, int, long);
	int (*task_count)(const struct ksim_world *);
	const char *(*task_name)(const struct ksim_world *, int);
	int (*task_state)(const struct ksim_world *, int);
	uint32_t (*enabled)(const struct ksim_world *);
	int (*pending)(const struct ksim_world *, int, struct ksim_op *);
	int (*step)(struct ksim_world *, int);
	int (*done)(const struct ksim_world *);
	int (*run_token)(struct ksim_world *, const char *);
	int (*run_array)(struct ksim_world *, const uint8_t *, size_t);
	int (*run_random)(struct ksim_world *, uint64_t);
	int (*run_round_robin)(struct ksim_world *);
	const char *(*schedule_token)(struct ksim_world *);
	size_t (*schedule)(const struct ksim_world *, const uint8_t **);
	int (*finding_count)(const struct ksim_world *);
	int (*finding_get)(struct ksim_world *, int, struct ksim_finding *);
	int (*failed)(const struct ksim_world *);
	size_t (*event_count)(const struct ksim_world *);
	int (*event_get)(const struct ksim_world *, size_t, struct ksim_event *);
	const char *(*trace_text)(struct ksim_world *);
	void (*stats_get)(const struct ksim_world *, struct ksim_stats *);
	int (*scenario_count)(void);
	const char *(*scenario_name)(int);
	const char *(*scenario_summary)(int);
	const char *(*scenario_spec)(int);
	int (*scenario_find)(const char *);
	int (*operation_count)(void);
	const char *(*operation_name)(int);
	const char *(*operation_usage)(int);
	const char *(*op_kind_name)(int);
	const char *(*finding_kind_name)(int);
	double (*bench_roundtrip_ns)(long);
	int (*pending_access)(const struct ksim_world *, int, int *, uint64_t *,
			      int *);
	int (*finding_brief)(const struct ksim_world *, int, int *,
			     const char **, int *, int *);
	int (*run_pct)(struct ksim_world *, const int *, const uint64_t *, int);
	int (*run_prefix)(struct ksim_world *, const uint8_t *, size_t);
	int (*run_last_first)(struct ksim_world *, const uint8_t *, size_t);
	size_t (*enabled_log)(const struct ksim_world *, const uint32_t **);
	int (*lockdep_count)(const struct ksim_world *);
	int (*lockdep_get)(const struct ksim_world *, int, struct ksim_lock_dep *);
	void (*lockdep_clear)(struct ksim_world *);
	int (*coverage_count)(const struct ksim_world *);
	const char *(*coverage_name)(struct ksim_world *, int);
	void (*coverage_clear)(struct ksim_world *);
	long (*coverage_blocks)(void);
	unsigned long (*coverage_block_address)(long);
	int (*coverage_block_ran)(const struct ksim_world *, long);
	int (*running_task)(const struct ksim_world *);
	int (*audit_enable)(struct ksim_world *, int);
	int (*audit_count)(const struct ksim_world *);
	int (*audit_dropped)(const struct ksim_world *);
	int (*audit_get)(struct ksim_world *, int, struct ksim_audit_site *);
	const char *(*audit_lock_name)(const struct ksim_world *, int);
	int (*audit_race_count)(const struct ksim_world *);
	int (*audit_race_get)(struct ksim_world *, int, struct ksim_audit_race *);
	size_t (*step_footprint)(const struct ksim_world *, const uint64_t **);
};

const struct ksim_api *ksim_get_api(void);

#ifdef __cplusplus
}
#endif
#endif /* KSHIM_H */
