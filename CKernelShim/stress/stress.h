/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pthread stress runtime: the same kernel and model C as the
 * coroutine build, but every task is a real OS thread and every primitive
 * is real synchronization (atomics, spinning with pause, then yielding).
 * This is the baseline that DESIGN §6 compares the systematic explorer
 * with: "the way kernel userspace test harnesses usually stress code".
 *
 * Only the files in stress/ see this header.  The world, its arena, the
 * registry and the findings come unchanged from runtime/ (world.c,
 * registry.c, report.c, run.c, held.c, codeid.c).
 */
#ifndef KSIM_STRESS_H
#define KSIM_STRESS_H

#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>

#include "ksim_internal.h"

/* Why an iteration stopped early (stress_ctx.stop). */
enum stress_stop {
	STRESS_RUNNING = 0,
	STRESS_FATAL,		/* a fatal finding (BUG, crash, ...) */
	STRESS_DEADLOCK,	/* every live task blocked, no progress */
};

/* Per task (and one for the quiesce pass): private to its thread. */
struct stress_task {
	sigjmp_buf env;		/* thread entry: fatal findings jump here */
	unsigned long progress;	/* primitives completed (read by waiters) */
	int waiting;		/* spinning in a lock wait loop */
	int finished;		/* returned or jumped out this iteration */
	int nowait;		/* quiesce pass: a held lock is a deadlock */
} __attribute__((aligned(64)));

#define STRESS_GUARDS		64	/* striped guards for rwsem state */
#define STRESS_BITOWN_SLOTS	512	/* page-lock owners (power of two) */

struct stress_bitown {
	uintptr_t key;		/* (word << 6 | bit) + 1; 0: empty slot */
	int owner;		/* task index + 1, 0 when unlocked */
	int line;		/* where the owner took it */
	const char *file;
};

struct stress_ctx {
	struct ksim_world *w;
	int nr;				/* user tasks = threads */
	uint64_t deadlock_ns;		/* all blocked, no progress: deadlock */
	unsigned long max_steps;	/* per task: livelock budget */
	pthread_mutex_t lock;		/* findings */
	pthread_t threads[KSIM_MAX_TASKS];
	struct stress_task st[KSIM_MAX_TASKS + 1];	/* [nr]: quiesce */

	/*
	 * Iteration handshake: counters that only grow (and wrap), waited
	 * for by spinning, then sleeping on a futex; the sleepers counts
	 * spare the wakers a system call when nobody sleeps.
	 */
	struct stress_counter {
		unsigned int v;
		unsigned int sleepers;
	} __attribute__((aligned(64))) gen, arrived, go, done;
	int quit;
	int stop __attribute__((aligned(64)));	/* enum stress_stop */

	struct {
		int v;
	} __attribute__((aligned(64))) guards[STRESS_GUARDS];
	struct stress_bitown bitown[STRESS_BITOWN_SLOTS];
};

/* The running thread's task, its stress state and context. */
extern __thread struct ksim_task *stress_cur;
extern __thread struct stress_task *stress_me;
extern __thread struct stress_ctx *stress_tls_ctx;

static inline void stress_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

uint64_t stress_now_ns(void);

/* stress_run.c: the engine. */
int stress_ctx_init(struct stress_ctx *c, struct ksim_world *w,
		    uint64_t deadlock_ns);
/* One iteration: reset, start every task together, wait, quiesce, check. */
void stress_iteration(struct stress_ctx *c);
void stress_ctx_destroy(struct stress_ctx *c);
void stress_thread_guard(void);

/* stress_prims.c: wait loops, shared with the engine's end-of-run wait. */
struct stress_wait {
	unsigned long spins;
	uint64_t since;		/* when the state below was first seen */
	unsigned long progress;	/* sum of every task's progress then */
};
void stress_wait_init(struct stress_wait *sw);
/* The deadlock watchdog, once. */
void stress_watchdog(struct stress_ctx *c, struct stress_wait *sw);
/* One poll of a wait loop; 1 if the iteration has stopped meanwhile. */
int stress_wait_poll(struct stress_ctx *c, struct stress_wait *sw);
/* Leave the current task because the iteration stopped (no finding). */
void stress_bail(void) __attribute__((noreturn));
/* What ksim_task_main does after the operation returns. */
void stress_task_end(struct ksim_world *w, struct ksim_task *t);
void stress_bitown_reset(struct stress_ctx *c);
/* Record a crash of the running task and leave it. */
void stress_crash_stop(int sig, void *addr) __attribute__((noreturn));

#endif /* KSIM_STRESS_H */
