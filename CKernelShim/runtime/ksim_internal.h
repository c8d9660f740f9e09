/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Runtime internals: the world, its tasks and the scheduler state.  Only
 * the files in runtime/ see this.
 */
#ifndef KSIM_INTERNAL_H
#define KSIM_INTERNAL_H

#include "kshim.h"
#include "ksim/types.h"
#include "ksim/model.h"
#include "ksim/runtime.h"

#define KSIM_MAX_HELD		16
#define KSIM_MAX_FINDINGS	32
#define KSIM_STACK_SIZE		(256 * 1024)
#define KSIM_ARENA_SIZE		(512 * 1024)
#define KSIM_POOL_SIZE		(256 * 1024)
#define KSIM_NAME_SLOTS		2048	/* power of two */
#define KSIM_MAX_FRAMES		24
#define KSIM_DEFAULT_MAX_STEPS	100000

enum ksim_lock_class {
	KSIM_LC_SPIN = 1,
	KSIM_LC_MUTEX,
	KSIM_LC_RWSEM_READ,
	KSIM_LC_RWSEM_WRITE,
	KSIM_LC_BIT,		/* page lock */
};

struct ksim_held {
	const void *obj;
	int bit;		/* for bit locks, else -1 */
	int cls;		/* enum ksim_lock_class */
	int ldc;		/* lockdep class index, -1: none */
	const char *file;
	int line;
	const char *func;
};

/* A pending operation in its internal form (object by address). */
struct ksim_pend {
	int kind;
	int write;
	const void *obj;
	int bit;		/* bit number for bit ops, -1 otherwise */
	const char *file;
	int line;
	const char *func;
};

struct ksim_task {
	int id;
	char name[32];
	const struct ksim_opdef *op;
	void *arg;
	int internal;		/* the quiesce task */
	int state;		/* enum ksim_task_state; */
	int started;
	void *sp;		/* saved stack pointer while switched out */
	char *stack_map;	/* mapping: guard page + stack */
	size_t stack_map_size;
	char *stack_lo, *stack_hi;
	unsigned stack_vg_id;	/* the stack's valgrind registration */
	struct ksim_pend pend;
	int has_pend;
	int result;		/* value the last executed op returned */
	struct ksim_held held[KSIM_MAX_HELD];
	int nr_held;
	int spin_depth;		/* spinlocks held */
	int irq_depth;		/* local_irq_save / spin_lock_irq nesting */
	int preempt_depth;
	int in_assert;
	int queued;		/* writer queued on the rwsem it waits for */
	int cpu_override;	/* runs as this CPU (per-CPU work), -1: its own */
	int in_plain;		/* at the scheduling point of a plain access */
	int in_data_race;	/* inside data_race(): accesses meant to race */
	void *asan_fake_stack;
};

struct ksim_name {
	const void *obj;
	int bit;
	const char *name;
	int ldc;		/* lockdep class + 1 (0: not looked up yet) */
};

/*
 * Lock-class dependencies, lockdep style, kept across runs: an edge A -> B
 * says some task took a lock of class B (blocking, not a trylock) while
 * holding one of class A.  A class is the lock's field name ("mmap_sem",
 * "i_mmap_mutex", "PG_locked", "ptl", ...): every instance shares it.
 */
#define KSIM_LD_CLASSES		64
#define KSIM_LD_EDGES		512

struct ksim_ld_site {
	const char *file;
	int line;
	const char *func;
};

struct ksim_ld_edge {
	uint8_t from, to;
	uint8_t from_read, to_read;	/* rwsem taken for read */
	struct ksim_ld_site held, taken;
	const char *task;
};

/*
 * The last write of each page-flag bit and counter this run, so that a
 * quiescence finding can name the kernel line that left the state wrong.
 * An entry is valid only for the run it was written in (no clearing).
 */
#define KSIM_LASTW_SLOTS	512	/* power of two */
#define KSIM_HASH_IMGPTRS	32	/* image pointers named by first place */
#define KSIM_LASTW_FRAMES	12	/* return addresses kept per write */

struct ksim_lastw {
	const void *obj;
	int bit;
	int task;
	uint64_t run;
	uint64_t step;
	uint64_t seq;		/* order of the writes of one run */
	const char *file;
	int line;
	const char *func;
	const char *what;	/* the primitive: "TestClearPageMlocked" ... */
	int nr_pc;
	void *pc[KSIM_LASTW_FRAMES];	/* the writer's call chain, raw */
};

/*
 * Names of return addresses, found when a report is built: a chain of
 * the same kernel functions is printed many times in one exploration.
 */
#define KSIM_SYM_SLOTS		256	/* power of two */

struct ksim_sym {
	void *pc;
	char name[72];
};

#define KSIM_COV_SLOTS		1024	/* power of two */

struct ksim_cov {
	void *fn[KSIM_COV_SLOTS];
	int nr;
	int dropped;
	uint64_t *blocks;	/* bit per basic block that ran (calloc'd) */
};

struct ksim_lockdep {
	int nr_classes;
	const char *cls[KSIM_LD_CLASSES];	/* names (world-lifetime strings) */
	uint64_t adj[KSIM_LD_CLASSES];		/* bit j of adj[i]: edge i -> j */
	int nr_edges;
	int dropped;
	struct ksim_ld_edge edges[KSIM_LD_EDGES];
	char names[1024];			/* class names made up here */
	size_t names_used;
};

struct ksim_frames {
	int n;
	void *pc[KSIM_MAX_FRAMES];
};

struct ksim_finding_rec {
	struct ksim_finding f;
	struct ksim_frames frames;
	int resolved;		/* report text built */
	char *detail;		/* extra report lines (deadlock cycle ...) */
	ksim_detail_fn detail_fn;	/* or what writes them, when asked */
	unsigned long detail_arg;
	char *held;		/* the task's locks when it was found (text,
				 * built with the report from held_at) */
	int has_held;		/* held_at/nr_held_at are valid */
	int nr_held_at;
	struct ksim_held held_at[KSIM_MAX_HELD];
};

/*
 * A built-in chooser: ksim_drive() asks it for each step.  With one set and
 * no trace, a task that reaches a scheduling point asks it itself, and when
 * it picks that same task the task goes on without a context switch.
 */
enum ksim_chooser_kind {
	KSIM_CH_NONE = 0,	/* steps come from ksim_step() callers */
	KSIM_CH_RANDOM,		/* seeded uniform among the enabled tasks */
	KSIM_CH_ARRAY,		/* choices from an array, then the tail */
	KSIM_CH_PCT,		/* highest priority first, with change points */
};

enum ksim_tail {
	KSIM_TAIL_STOP = 0,	/* the run pauses when the array is used up */
	KSIM_TAIL_RR,		/* round-robin after the last run task */
	KSIM_TAIL_LAST,		/* the last task while enabled, else the lowest */
};

#define KSIM_PCT_CHANGES	16

struct ksim_chooser {
	int kind;		/* enum ksim_chooser_kind */
	int tail;		/* enum ksim_tail, for KSIM_CH_ARRAY */
	int fast;		/* tasks may choose at their scheduling points */
	int next;		/* task a scheduling point already chose, or -1 */
	uint64_t rng;
	const uint8_t *arr;
	size_t arr_n, arr_pos;
	int prio[KSIM_MAX_TASKS];
	uint64_t change[KSIM_PCT_CHANGES];
	int nr_change;
};

/*
 * The plain shared accesses of the current step (access.c): granules
 * of the arena, deduplicated through a small cache that a new step's
 * generation empties.
 */
struct ksim_foot_slot {
	uintptr_t g;
	uint32_t gen;
	uint32_t idx;		/* its entry in acc */
	uint32_t nbits;		/* object entries after it */
};

struct ksim_foot {
	uint64_t *acc;		/* key << 1 | write */
	size_t n, cap;
	int lost;		/* out of memory once: footprints unknown */
	uint32_t gen;
	struct ksim_foot_slot cache[64];
	uint64_t *bits;		/* per granule: bits that bit ops used */
	uint8_t *subs;		/* per granule: bytes where objects start */
};

enum ksim_phase {
	KSIM_PH_RUN = 0,
	KSIM_PH_QUIESCE,
	KSIM_PH_DONE,
};

struct ksim_world {
	/* Set at creation, never changed by a run. */
	const struct ksim_model *model;
	void *priv;
	char *arena;
	size_t arena_used;	/* kernel state: [0, arena_used) */
	size_t arena_top;	/* spec scratch: [arena_top, KSIM_ARENA_SIZE) */
	char *snapshot;
	char *spec;
	/*
	 * Pointers out of the arena that the state hash relocates: the
	 * loaded object holding this code (ops tables, static lock keys),
	 * and the image pointers of the built state, each named by where
	 * it first occurs there (see ksim_state_hash).
	 */
	uintptr_t img_lo;
	size_t img_len;
	int nr_imgptr;
	uintptr_t imgptr[KSIM_HASH_IMGPTRS];
	uint32_t imgptr_at[KSIM_HASH_IMGPTRS];
	char scenario[64];
	int nr_tasks;		/* user tasks; tasks[nr_tasks] = quiesce */
	unsigned long cpu_atomic;	/* bit N: task N in atomic context */
	unsigned long cpu_busy;		/* bit N: a work of CPU N runs: task N waits */
	struct ksim_task tasks[KSIM_MAX_TASKS + 1];
	struct ksim_name names[KSIM_NAME_SLOTS];
	char *name_pool;
	size_t name_pool_used;
	long opt[12];	/* indexed by enum ksim_option */
	uint64_t total_steps, runs;
	uint64_t total_direct;	/* steps chosen at a scheduling point */

	/* Per run. */
	struct ksim_task *cur;	/* running task, NULL in the driver */
	void *driver_sp;
	void *driver_fake_stack;
	const void *drv_bottom;	/* driver stack, for ASan fiber switches */
	size_t drv_size;
	int in_signal_stop;	/* crash handler is unwinding a task */
	int phase;
	uint32_t enabled;	/* enabled mask, recomputed after each step */
	int stopped;		/* fatal finding */
	uint64_t steps;
	uint8_t *choices;
	uint32_t *enlog;	/* enabled mask before each choice */
	size_t nr_choices, cap_choices;
	struct ksim_chooser ch;	/* who picks the next task (ksim_drive) */
	struct ksim_event *events;
	size_t nr_events, cap_events;
	struct ksim_finding_rec findings[KSIM_MAX_FINDINGS];
	int nr_findings;
	int dropped_findings;
	char *pool;		/* strings of this run's findings */
	size_t pool_used;
	char *tokbuf;		/* ksim_schedule_token() */
	size_t tokcap;
	char *text;		/* trace text (ksim_trace_text) */
	size_t text_cap;
	char err[KSIM_ERRLEN];

	struct ksim_foot foot;	/* plain accesses of the last step */

	/* Gathered over every run since creation (or ksim_lockdep_clear). */
	struct ksim_lockdep ld;
	/* Kernel functions that ran, in builds with -finstrument-functions. */
	struct ksim_cov cov;
	struct ksim_lastw lastw[KSIM_LASTW_SLOTS];
	uint64_t lastw_seq;
	int at_site;		/* ksim_report_at(): one finding per message */
	struct ksim_sym syms[KSIM_SYM_SLOTS];
	struct ksim_audit *audit;	/* lock-set recorder, NULL: off */
};

/* coro.c */
void ksim_coro_init(struct ksim_world *w, struct ksim_task *t);
void ksim_coro_enter(struct ksim_world *w, struct ksim_task *t);
void ksim_coro_leave(struct ksim_world *w, struct ksim_task *t);
void ksim_coro_hand_over(struct ksim_world *w, struct ksim_task *from,
			 struct ksim_task *to);
/* Built with AddressSanitizer: coroutine switches tell it about stacks. */
#if defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define KSIM_ASAN 1
# endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(KSIM_ASAN)
# define KSIM_ASAN 1
#endif
#ifdef KSIM_ASAN
#define KSIM_CAN_HAND_OVER	0
#else
#define KSIM_CAN_HAND_OVER	1
#endif
void ksim_coro_exit(struct ksim_world *w, struct ksim_task *t)
	__attribute__((noreturn));
int ksim_stacks_alloc(struct ksim_task *t);
void ksim_stacks_free(struct ksim_task *t);
/*
 * The world the calling thread runs, read at every scheduling point.  A
 * build loaded with dlopen() as a patched variant is compiled with
 * KSIM_TLS_IE: one load instead of a __tls_get_addr() call, for a few
 * bytes of the process's static TLS (keep this build's other
 * thread-locals few and small).
 */
#ifdef KSIM_TLS_IE
#define KSIM_TLS_MODEL	__attribute__((tls_model("initial-exec")))
#else
#define KSIM_TLS_MODEL
#endif
extern __thread struct ksim_world *ksim_tls_world KSIM_TLS_MODEL;

/* access.c */
void ksim_foot_begin(struct ksim_world *w);
void ksim_foot_note_obj(struct ksim_world *w, const void *obj, int bit);
int ksim_foot_enable(struct ksim_world *w);
void ksim_foot_op_read(struct ksim_task *t);
void ksim_foot_cpu(struct ksim_world *w, int cpu);
void ksim_foot_word(struct ksim_world *w, const void *word, int bit);
void ksim_foot_free(struct ksim_world *w);

/* sched.c */
int ksim_op_enabled(const struct ksim_world *w, const struct ksim_task *t);
struct ksim_task *ksim_point(int kind, int write, const void *obj, int bit,
			     const char *file, int line, const char *func);
void ksim_run_start(struct ksim_world *w);
int ksim_drive(struct ksim_world *w);
void ksim_task_main(struct ksim_task *t);

/* held.c */
struct ksim_held *ksim_held_push(struct ksim_task *t, const void *obj, int bit,
				 int cls, const char *file, int line,
				 const char *func);
int ksim_held_pop(struct ksim_task *t, const void *obj, int bit, int cls);
int ksim_held_find(const struct ksim_task *t, const void *obj, int bit,
		   int cls);
void ksim_held_at_exit(struct ksim_world *w, struct ksim_task *t);

struct ksim_name *ksim_name_find(struct ksim_world *w, const void *obj, int bit);

/* lockdep.c */
int ksim_lockdep_class(struct ksim_world *w, const void *obj, int bit,
		       const char *func);
void ksim_lockdep_acquire(struct ksim_world *w, struct ksim_task *t,
			  const void *obj, int bit, int read, const char *file,
			  int line, const char *func);

/* report.c */
struct ksim_finding_rec *ksim_finding_add(struct ksim_world *w, int kind,
					  struct ksim_task *t, const char *file,
					  int line, const char *func,
					  const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void ksim_finding_stop(struct ksim_world *w, struct ksim_task *t)
	__attribute__((noreturn));
void ksim_deadlock_report(struct ksim_world *w);
char *ksim_pool_printf(struct ksim_world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *ksim_short_file(const char *file);
int ksim_finding_is_fatal(int kind);
void ksim_capture_frames(struct ksim_frames *fr);
const char *ksim_symbolize(void *pc, char *buf, size_t len);
/* The same through the world's cache (what repeated chains want). */
const char *ksim_sym_name(struct ksim_world *w, void *pc);
/* Report text: expands the call chains ksim_last_write_chain() left. */
size_t ksim_expand_detail(struct ksim_world *w, const char *detail, char *out,
			  size_t len);
/* crash.c: the crash guard (see there for when it is armed) */
void ksim_crash_guard_arm(struct ksim_world *w);
void ksim_crash_guard_disarm(void);
int ksim_crash_guard_armed(void);

/* audit.c */
void ksim_audit_note(struct ksim_world *w, struct ksim_task *t);
void ksim_audit_plain(struct ksim_world *w, struct ksim_task *t,
		      const void *addr, int write, int marked, size_t size);
void ksim_audit_fence(struct ksim_world *w, struct ksim_task *t, int acq,
		      int rel);
void ksim_audit_destroy(struct ksim_world *w);
int ksim_audit_bug_goes_on(const struct ksim_world *w);

/* token.c */
int ksim_token_parse(struct ksim_world *w, const char *token, uint8_t **out,
		     size_t *n);
const char *ksim_token_make(struct ksim_world *w);

/* registry.c */
const struct ksim_model *ksim_find_model(const char *name);
const struct ksim_opdef *ksim_find_op(const char *model, const char *name);
const struct ksim_scenario *ksim_scenario_at(int i);

/* world.c: shared start of a run, state hash, text buffer helpers */
void ksim_run_reset(struct ksim_world *w);
uint64_t ksim_state_hash(const struct ksim_world *w);
void ksim_state_hash_setup(struct ksim_world *w);
char *ksim_text_reserve(struct ksim_world *w, size_t need);
uint64_t ksim_obj_key(const struct ksim_world *w, const void *obj, int bit);
void ksim_op_export(const struct ksim_world *w, const struct ksim_pend *p,
		    struct ksim_op *op);

/* A step on a thread whose per-run guard is not armed (another world's
 * run ended there, or the world moved threads) arms it. */
static inline void ksim_crash_guard_step(struct ksim_world *w)
{
	if (w->opt[KSIM_OPT_CRASH_GUARD] == KSIM_CRASH_GUARD_RUN &&
	    !ksim_crash_guard_armed())
		ksim_crash_guard_arm(w);
}

/* The run is over: the per-run guard gives the signals back. */
static inline void ksim_crash_guard_after(struct ksim_world *w)
{
	if (w->phase == KSIM_PH_DONE)
		ksim_crash_guard_disarm();
}

#endif /* KSIM_INTERNAL_H */
