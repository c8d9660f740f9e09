// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stress engine: one pthread per task, started together every
 * iteration, and what the rest of the runtime (world.c, report.c, run.c)
 * expects from the coroutine scheduler in its place.
 *
 * The threads live as long as the context.  Task 0 runs on the calling
 * (driver) thread, tasks 1..n-1 on workers, so n tasks take n threads:
 * on a machine with as many CPUs they all really run at once.  One
 * iteration: restore the arena snapshot (ksim_run_start), bump the
 * generation, every thread arrives at a barrier (spin, then futex) and
 * runs its task's operation once; the driver then waits for all, runs the
 * model's quiesce() and check() single-threaded, as the coroutine runtime
 * does after the last task, and the caller reads the world's findings.
 *
 * A task that hits a fatal finding, or any task once the iteration has
 * stopped, jumps back to its thread entry (siglongjmp).  Deadlocks are
 * found by the waiters themselves (stress_prims.c's watchdog); the report
 * then comes from report.c, with each blocked task's wanted lock and held
 * locks, as in the coroutine build.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

#define SPIN_BEFORE_SLEEP	2048
#define HANG_NS			(20ull * 1000000000ull)

__thread struct ksim_world *ksim_tls_world;
static __thread int stress_in_crash;

/* ---- what world.c and run.c need from sched.c and coro.c ---- */

void ksim_run_start(struct ksim_world *w)
{
	ksim_tls_world = w;
	ksim_run_reset(w);
}

/* Tasks run on pthread stacks (with the system's guard pages). */
int ksim_stacks_alloc(struct ksim_task *t)
{
	(void)t;
	return 0;
}

void ksim_stacks_free(struct ksim_task *t)
{
	(void)t;
}

/* Stepping one task at a time is what this build does not do. */
int ksim_step(struct ksim_world *w, int task)
{
	(void)task;
	snprintf(w->err, sizeof(w->err),
		 "the stress build runs tasks as threads: no single steps");
	return KSIM_EDONE;
}

/* Nor does it choose steps: the built-in choosers have nothing to run. */
int ksim_drive(struct ksim_world *w)
{
	snprintf(w->err, sizeof(w->err),
		 "the stress build runs tasks as threads: no single steps");
	return KSIM_EDONE;
}

uint32_t ksim_enabled(const struct ksim_world *w)
{
	(void)w;
	return 0;
}

int ksim_done(const struct ksim_world *w)
{
	(void)w;
	return 1;
}

/* ---- crashes in kernel code: a finding, then the thread entry ---- */

static const int stress_crash_signals[] = {
	SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
};
#define NSIG_CRASH ((int)(sizeof(stress_crash_signals) / sizeof(int)))

static void stress_crash_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (stress_cur && stress_me && !stress_in_crash) {
		stress_in_crash = 1;
		stress_crash_stop(sig, si ? si->si_addr : NULL);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void stress_install_handlers(void)
{
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = stress_crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIG_CRASH; i++)
		sigaction(stress_crash_signals[i], &sa, NULL);
}

/* This thread's alternate signal stack (a stack overflow needs one). */
void stress_thread_guard(void)
{
	static __thread int ready;
	stack_t ss;

	if (ready || getenv("KSIM_NO_CRASH_GUARD"))
		return;
	ready = 1;
	ss.ss_sp = malloc(64 * 1024);
	ss.ss_size = 64 * 1024;
	ss.ss_flags = 0;
	if (ss.ss_sp && !sigaltstack(&ss, NULL))
		stress_install_handlers();	/* same handler: idempotent */
}

/* The runtime's crash-guard entry points: installed once per thread here. */
void ksim_crash_guard_arm(struct ksim_world *w)
{
	(void)w;
	stress_thread_guard();
}

void ksim_crash_guard_disarm(void)
{
}

int ksim_crash_guard_armed(void)
{
	return 1;
}

/* ---- the iteration ---- */

#define STRESS_FUTEX_WAIT	128	/* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */
#define STRESS_FUTEX_WAKE	129	/* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */

static int stress_reached(struct stress_counter *k, unsigned int target)
{
	return (int)(__atomic_load_n(&k->v, __ATOMIC_ACQUIRE) - target) >= 0;
}

/* Sleep until k moves on from 'seen' (1 ms at most: a safety net). */
static void stress_sleep_on(struct stress_counter *k, unsigned int seen)
{
	struct timespec ts = { 0, 1000000 };

	__atomic_add_fetch(&k->sleepers, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&k->v, __ATOMIC_SEQ_CST) == seen)
		syscall(SYS_futex, &k->v, STRESS_FUTEX_WAIT, seen, &ts, NULL,
			0);
	__atomic_sub_fetch(&k->sleepers, 1, __ATOMIC_RELAXED);
}

static void stress_bump(struct stress_counter *k)
{
	__atomic_add_fetch(&k->v, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&k->sleepers, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &k->v, STRESS_FUTEX_WAKE, INT_MAX, NULL,
			NULL, 0);
}

/*
 * Wait until k reaches target: spin a while (the others are running on
 * other CPUs), then sleep so that a CPU shared with other work is given
 * back.  Returns 1 after a sleep (the caller may run its watchdog).
 */
static int stress_await(struct stress_counter *k, unsigned int target,
			unsigned long *spins)
{
	unsigned int seen = __atomic_load_n(&k->v, __ATOMIC_ACQUIRE);

	if ((int)(seen - target) >= 0)
		return 0;
	if (++*spins < SPIN_BEFORE_SLEEP) {
		stress_relax();
		return 0;
	}
	stress_sleep_on(k, seen);
	return 1;
}

/* Barrier, the task's operation, end of task: on this thread. */
static void stress_run_task(struct stress_ctx *c, int i, unsigned int g)
{
	struct ksim_world *w = c->w;
	struct ksim_task *t = &w->tasks[i];
	struct stress_task *s = &c->st[i];
	unsigned int target = g * (unsigned int)c->nr;
	unsigned long spins = 0;

	stress_bump(&c->arrived);
	while (!stress_reached(&c->arrived, target))
		stress_await(&c->arrived, target, &spins);
	/*
	 * Everybody is awake; now meet again spinning only, so that a thread
	 * just woken from the futex does not start microseconds after the
	 * others: they start together once all are on a CPU.
	 */
	__atomic_add_fetch(&c->go.v, 1, __ATOMIC_SEQ_CST);
	for (spins = 0; !stress_reached(&c->go, target);)
		if (++spins % SPIN_BEFORE_SLEEP)
			stress_relax();
		else
			sched_yield();
	stress_in_crash = 0;
	stress_cur = t;
	stress_me = s;
	t->started = 1;
	if (!sigsetjmp(s->env, 0)) {
		t->op->run(w->priv, t->arg);
		stress_task_end(w, t);
	}
	stress_cur = NULL;
	stress_me = NULL;
	__atomic_store_n(&s->finished, 1, __ATOMIC_RELEASE);
	stress_bump(&c->done);
}

struct stress_arg {
	struct stress_ctx *c;
	int i;
};

static void *stress_worker(void *p)
{
	struct stress_arg a = *(struct stress_arg *)p;
	struct stress_ctx *c = a.c;
	unsigned int seen = 0;

	free(p);
	ksim_tls_world = c->w;
	stress_tls_ctx = c;
	stress_thread_guard();
	for (;;) {
		unsigned long spins = 0;

		while (!stress_reached(&c->gen, seen + 1))
			stress_await(&c->gen, seen + 1, &spins);
		if (__atomic_load_n(&c->quit, __ATOMIC_ACQUIRE))
			break;
		seen++;
		stress_run_task(c, a.i, seen);
	}
	return NULL;
}

int stress_ctx_init(struct stress_ctx *c, struct ksim_world *w,
		    uint64_t deadlock_ns)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->w = w;
	c->nr = w->nr_tasks;
	c->deadlock_ns = deadlock_ns;
	c->max_steps = (unsigned long)w->opt[KSIM_OPT_MAX_STEPS];
	pthread_mutex_init(&c->lock, NULL);
	ksim_tls_world = w;
	stress_tls_ctx = c;
	stress_thread_guard();
	for (i = 1; i < c->nr; i++) {
		struct stress_arg *a = malloc(sizeof(*a));

		if (!a)
			return KSIM_ENOMEM;
		a->c = c;
		a->i = i;
		if (pthread_create(&c->threads[i], NULL, stress_worker, a)) {
			free(a);
			c->nr = i;	/* the ones started are joined */
			return KSIM_ENOMEM;
		}
	}
	return 0;
}

void stress_ctx_destroy(struct stress_ctx *c)
{
	int i;

	__atomic_store_n(&c->quit, 1, __ATOMIC_RELEASE);
	stress_bump(&c->gen);
	for (i = 1; i < c->nr; i++)
		pthread_join(c->threads[i], NULL);
	pthread_mutex_destroy(&c->lock);
	stress_tls_ctx = NULL;
}

/* After every task ended: drain per-CPU state, then the invariants. */
static void stress_quiesce(struct stress_ctx *c)
{
	struct ksim_world *w = c->w;
	struct ksim_task *q = &w->tasks[c->nr];
	struct stress_task *qs = &c->st[c->nr];

	w->phase = KSIM_PH_QUIESCE;
	qs->nowait = 1;
	stress_in_crash = 0;
	stress_cur = q;
	stress_me = qs;
	q->started = 1;
	if (!sigsetjmp(qs->env, 0)) {
		if (w->model->quiesce)
			w->model->quiesce(w->priv);
		stress_task_end(w, q);
	}
	stress_cur = NULL;
	stress_me = NULL;
	if (!w->stopped && w->model->check)
		w->model->check(w, w->priv);
}

void stress_iteration(struct stress_ctx *c)
{
	struct ksim_world *w = c->w;
	struct stress_wait sw;
	unsigned long spins = 0;
	unsigned int g, target;
	uint64_t t0 = 0;
	int i;

	ksim_run_start(w);
	c->stop = STRESS_RUNNING;
	for (i = 0; i <= c->nr; i++) {
		c->st[i].progress = 0;
		c->st[i].waiting = 0;
		c->st[i].finished = 0;
		c->st[i].nowait = 0;
	}
	stress_bitown_reset(c);
	g = c->gen.v + 1;
	stress_bump(&c->gen);

	stress_run_task(c, 0, g);

	/* the others: the watchdog runs after every sleep (1 ms at most) */
	target = g * (unsigned int)c->nr;
	stress_wait_init(&sw);
	while (!stress_reached(&c->done, target)) {
		uint64_t now;

		if (!stress_await(&c->done, target, &spins))
			continue;
		stress_watchdog(c, &sw);
		/* a task looping without primitives cannot be stopped */
		now = stress_now_ns();
		if (!t0) {
			t0 = now;
		} else if (now - t0 > HANG_NS) {
			fprintf(stderr,
				"kshim-stress: %s: a task has run for %llu s without finishing or blocking; giving up\n",
				w->scenario,
				(unsigned long long)(HANG_NS / 1000000000ull));
			_exit(3);
		}
	}

	if (c->stop == STRESS_DEADLOCK) {
		ksim_deadlock_report(w);
		w->stopped = 1;
	} else if (!w->stopped) {
		stress_quiesce(c);
	}
	w->phase = KSIM_PH_DONE;
}
