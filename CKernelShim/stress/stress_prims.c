// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel primitives as real synchronization, for the pthread stress build.
 *
 * Same lock state as the coroutine runtime (the stub types: owner fields,
 * rwsem counters, PG_locked in page->flags) and the same semantics: a
 * queued writer blocks new readers, trylocks never wait, the page lock has
 * no owner in the kernel but the harness records one.  Locks are taken
 * with compare-and-swap; a task that finds a lock held spins with pause,
 * then yields the CPU, and keeps polling whether the iteration has been
 * stopped (a fatal finding elsewhere, or the deadlock watchdog) so that
 * the process can go on with the next iteration.
 *
 * Findings reuse report.c under one mutex; a fatal one records the
 * finding and jumps back to the thread entry of the task (stress_run.c).
 * Outside any task (world building, check()) the primitives act at once,
 * as in the coroutine runtime.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stress.h"
#include "ksim/runtime.h"

#define KSIM_NOBODY	(KSIM_MAX_TASKS + 2)	/* owner outside tasks */
#define SPIN_BEFORE_YIELD	512
#define POLL_CLOCK_EVERY	64		/* polls between clock reads */

#define RELAXED	__ATOMIC_RELAXED
#define ACQUIRE	__ATOMIC_ACQUIRE
#define RELEASE	__ATOMIC_RELEASE
#define SEQCST	__ATOMIC_SEQ_CST

__thread struct ksim_task *stress_cur;
__thread struct stress_task *stress_me;
__thread struct stress_ctx *stress_tls_ctx;

static inline int me(const struct ksim_task *t)
{
	return t ? t->id + 1 : KSIM_NOBODY;
}

uint64_t stress_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- findings ---- */

/* Record a finding (thread-safe); NULL if it was a repeat. */
static struct ksim_finding_rec *stress_finding(int kind, struct ksim_task *t,
					       KSIM_LOC, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static struct ksim_finding_rec *stress_finding(int kind, struct ksim_task *t,
					       KSIM_LOC, const char *fmt, ...)
{
	struct ksim_world *w = ksim_tls_world;
	struct stress_ctx *c = stress_tls_ctx;
	struct ksim_finding_rec *r;
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (c)
		pthread_mutex_lock(&c->lock);
	r = ksim_finding_add(w, kind, t, file, line, func, "%s", buf);
	if (c)
		pthread_mutex_unlock(&c->lock);
	return r;
}

/* End the calling task after a fatal finding: the iteration stops. */
static void __attribute__((noreturn)) stress_stop_task(struct ksim_task *t)
{
	struct stress_ctx *c = stress_tls_ctx;
	int running = STRESS_RUNNING;

	t->state = KSIM_TASK_DEAD;
	t->has_pend = 0;
	if (c) {
		pthread_mutex_lock(&c->lock);
		c->w->stopped = 1;
		pthread_mutex_unlock(&c->lock);
		__atomic_compare_exchange_n(&c->stop, &running, STRESS_FATAL,
					    0, SEQCST, RELAXED);
	}
	siglongjmp(stress_me->env, 1);
}

void stress_bail(void)
{
	siglongjmp(stress_me->env, 1);
}

/* report.c's ksim_finding_stop() ends a task through here. */
void ksim_coro_exit(struct ksim_world *w, struct ksim_task *t)
{
	(void)w;
	stress_stop_task(t);
}

/* A synchronous signal in kernel code (stress_run.c's handler). */
void stress_crash_stop(int sig, void *addr)
{
	struct ksim_task *t = stress_cur;

	stress_finding(KSIM_F_CRASH, t, t->pend.file, t->pend.line,
		       t->pend.func,
		       "crash: %s (fault address %p) in task %s after %s:%d",
		       strsignal(sig), addr, t->name,
		       ksim_short_file(t->pend.file), t->pend.line);
	stress_stop_task(t);
}

/*
 * Entry of every primitive called by a task: honour a stop, count the
 * step (livelock budget, progress for the deadlock watchdog), remember
 * where the task is (crash and livelock reports).
 */
static inline struct ksim_task *stress_enter(KSIM_LOC)
{
	struct ksim_task *t = stress_cur;
	struct stress_task *s;

	if (!t)
		return NULL;
	s = stress_me;
	if (__atomic_load_n(&stress_tls_ctx->stop, RELAXED))
		stress_bail();
	t->pend.file = file;
	t->pend.line = line;
	t->pend.func = func;
	__atomic_store_n(&s->progress, s->progress + 1, RELAXED);
	if (s->progress > stress_tls_ctx->max_steps) {
		stress_finding(KSIM_F_LIVELOCK, t, file, line, func,
			       "livelock: no end after %lu steps of %s (last at %s:%d)",
			       s->progress - 1, t->name, ksim_short_file(file),
			       line);
		stress_stop_task(t);
	}
	return t;
}

/* ---- checks before a sleeping or acquiring operation (sched.c's) ---- */

static int stress_self_deadlock(const struct ksim_task *t, int kind,
				const void *obj, int bit)
{
	switch (kind) {
	case KSIM_OP_SPIN_LOCK:
		return __atomic_load_n(&((spinlock_t *)obj)->owner, RELAXED) ==
		       t->id + 1;
	case KSIM_OP_MUTEX_LOCK:
		return __atomic_load_n(&((struct mutex *)obj)->owner,
				       RELAXED) == t->id + 1;
	case KSIM_OP_LOCK_PAGE:
		return ksim_held_find(t, obj, bit, KSIM_LC_BIT) >= 0;
	case KSIM_OP_DOWN_WRITE:
		return ksim_held_find(t, obj, -1, 0) >= 0;
	case KSIM_OP_DOWN_READ:
		return ksim_held_find(t, obj, -1, KSIM_LC_RWSEM_WRITE) >= 0;
	default:
		return 0;
	}
}

static void stress_precheck(struct ksim_task *t, int kind, int sleeps,
			    const void *obj, int bit, KSIM_LOC)
{
	struct ksim_world *w = ksim_tls_world;

	if (sleeps && (t->spin_depth || t->irq_depth || t->preempt_depth))
		stress_finding(KSIM_F_INVALID_CONTEXT, t, file, line, func,
			       "BUG: sleeping function called from invalid context at %s:%d (%s with %d spinlock(s) held, irqs %s)",
			       ksim_short_file(file), line,
			       ksim_op_kind_name(kind), t->spin_depth,
			       t->irq_depth ? "disabled" : "enabled");
	if (kind != KSIM_OP_WAIT_PAGE_UNLOCKED &&
	    stress_self_deadlock(t, kind, obj, bit)) {
		t->pend.kind = kind;
		t->pend.obj = obj;
		t->pend.bit = bit;
		stress_finding(KSIM_F_DEADLOCK, t, file, line, func,
			       "self-deadlock: %s takes %s which it already holds",
			       t->name, ksim_object_name(w, obj, bit));
		stress_stop_task(t);
	}
}

static void stress_bad_unlock(struct ksim_task *t, const void *obj, int bit,
			      const char *what, KSIM_LOC)
{
	if (!t)
		return;
	stress_finding(KSIM_F_BAD_UNLOCK, t, file, line, func,
		       "bad unlock balance: %s releases %s (%s) which it does not hold",
		       t->name, ksim_object_name(ksim_tls_world, obj, bit),
		       what);
	stress_stop_task(t);
}

/* ---- waiting ---- */

void stress_wait_init(struct stress_wait *sw)
{
	sw->spins = 0;
	sw->since = 0;
	sw->progress = 0;
}

/*
 * Deadlock watchdog, run by whoever waits: every task has either finished
 * or is spinning in a wait loop, and nobody completed a primitive for
 * deadlock_ns.  Whoever sees it first stops the iteration.
 */
void stress_watchdog(struct stress_ctx *c, struct stress_wait *sw)
{
	unsigned long sum = 0;
	int i, blocked = 1;
	uint64_t now;

	for (i = 0; i < c->nr; i++) {
		const struct stress_task *s = &c->st[i];

		sum += __atomic_load_n(&s->progress, RELAXED);
		if (!__atomic_load_n(&s->finished, ACQUIRE) &&
		    !__atomic_load_n(&s->waiting, ACQUIRE))
			blocked = 0;
	}
	now = stress_now_ns();
	if (!blocked || !sw->since || sum != sw->progress) {
		sw->since = now;
		sw->progress = sum;
		return;
	}
	if (now - sw->since >= c->deadlock_ns) {
		int running = STRESS_RUNNING;

		__atomic_compare_exchange_n(&c->stop, &running,
					    STRESS_DEADLOCK, 0, SEQCST,
					    RELAXED);
	}
}

int stress_wait_poll(struct stress_ctx *c, struct stress_wait *sw)
{
	sw->spins++;
	if (sw->spins < SPIN_BEFORE_YIELD) {
		stress_relax();
	} else {
		sched_yield();
		if (sw->spins % POLL_CLOCK_EVERY == 0)
			stress_watchdog(c, sw);
	}
	return __atomic_load_n(&c->stop, RELAXED) != STRESS_RUNNING;
}

/* A task blocks: publish what it wants (for the deadlock report). */
static void stress_block(struct ksim_task *t, struct stress_wait *sw,
			 int kind, int write, const void *obj, int bit)
{
	struct ksim_world *w = ksim_tls_world;

	t->pend.kind = kind;
	t->pend.write = write;
	t->pend.obj = obj;
	t->pend.bit = bit;
	t->has_pend = 1;
	if (stress_me->nowait) {
		/* quiesce: nobody is left to release it */
		stress_finding(KSIM_F_DEADLOCK, t, t->pend.file, t->pend.line,
			       t->pend.func,
			       "deadlock at quiescence: %s waits for %s, held after every task ended",
			       ksim_op_kind_name(kind),
			       ksim_object_name(w, obj, bit));
		stress_stop_task(t);
	}
	stress_wait_init(sw);
	__atomic_store_n(&stress_me->waiting, 1, RELEASE);
}

static inline void stress_wait(struct ksim_task *t, struct stress_wait *sw)
{
	(void)t;
	if (stress_wait_poll(stress_tls_ctx, sw))
		stress_bail();
}

static void stress_unblock(struct ksim_task *t)
{
	__atomic_store_n(&stress_me->waiting, 0, RELEASE);
	t->has_pend = 0;
}

/* Acquire an int owner word (spinlock, mutex) by CAS. */
static void stress_owner_lock(struct ksim_task *t, int *owner, int kind,
			      int sleeps, KSIM_LOC)
{
	struct stress_wait sw;
	int zero = 0, blocked = 0;

	if (!t) {
		*owner = KSIM_NOBODY;
		return;
	}
	stress_precheck(t, kind, sleeps, owner, -1, file, line, func);
	while (!__atomic_compare_exchange_n(owner, &zero, t->id + 1, 0,
					    ACQUIRE, RELAXED)) {
		if (!blocked) {
			stress_block(t, &sw, kind, 1, owner, -1);
			blocked = 1;
		}
		do {
			stress_wait(t, &sw);
		} while (__atomic_load_n(owner, RELAXED));
		zero = 0;
	}
	if (blocked)
		stress_unblock(t);
}

static int stress_owner_trylock(struct ksim_task *t, int *owner)
{
	int zero = 0;

	return __atomic_compare_exchange_n(owner, &zero, me(t), 0, ACQUIRE,
					   RELAXED);
}

/* ---- spinlocks ---- */

void ksim_spin_lock(spinlock_t *l, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);

	stress_owner_lock(t, &l->owner, KSIM_OP_SPIN_LOCK, 0, file, line,
			  func);
	if (t) {
		ksim_held_push(t, l, -1, KSIM_LC_SPIN, file, line, func);
		t->spin_depth++;
	}
}

int ksim_spin_trylock(spinlock_t *l, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	int ok = stress_owner_trylock(t, &l->owner);

	if (ok && t) {
		ksim_held_push(t, l, -1, KSIM_LC_SPIN, file, line, func);
		t->spin_depth++;
	}
	return ok;
}

void ksim_spin_unlock(spinlock_t *l, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);

	if (__atomic_load_n(&l->owner, RELAXED) != me(t) ||
	    (t && ksim_held_pop(t, l, -1, KSIM_LC_SPIN)))
		stress_bad_unlock(t, l, -1, "spinlock", file, line, func);
	__atomic_store_n(&l->owner, 0, RELEASE);
	if (t)
		t->spin_depth--;
}

void ksim_irq_disable(void)
{
	if (stress_cur)
		stress_cur->irq_depth++;
}

void ksim_irq_enable(void)
{
	if (stress_cur && stress_cur->irq_depth > 0)
		stress_cur->irq_depth--;
}

/*
 * What world.c calls of the explorer's runtime: real threads keep no step
 * footprints and no lock-set audit, so there is nothing to set up or free.
 */
int ksim_foot_enable(struct ksim_world *w)
{
	(void)w;
	return 0;
}

void ksim_foot_free(struct ksim_world *w)
{
	(void)w;
}

void ksim_audit_destroy(struct ksim_world *w)
{
	(void)w;
}

/* Barriers are real here; data_race() marks nothing (no audit). */
void ksim_smp_fence(int acquire, int release)
{
	(void)acquire;
	(void)release;
	__sync_synchronize();
}

void ksim_data_race_enter(void)
{
}

void ksim_audit_counter(const void *obj, const char *name, KSIM_LOC)
{
	(void)obj;
	(void)name;
	(void)file;
	(void)line;
	(void)func;
}

void ksim_data_race_exit(void)
{
}

void ksim_preempt_disable(void)
{
	if (stress_cur)
		stress_cur->preempt_depth++;
}

void ksim_preempt_enable(void)
{
	if (stress_cur && stress_cur->preempt_depth > 0)
		stress_cur->preempt_depth--;
}

/* ---- mutexes ---- */

void ksim_mutex_lock(struct mutex *m, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);

	stress_owner_lock(t, &m->owner, KSIM_OP_MUTEX_LOCK, 1, file, line,
			  func);
	if (t)
		ksim_held_push(t, m, -1, KSIM_LC_MUTEX, file, line, func);
}

int ksim_mutex_trylock(struct mutex *m, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	int ok = stress_owner_trylock(t, &m->owner);

	if (ok && t)
		ksim_held_push(t, m, -1, KSIM_LC_MUTEX, file, line, func);
	return ok;
}

void ksim_mutex_unlock(struct mutex *m, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);

	if (__atomic_load_n(&m->owner, RELAXED) != me(t) ||
	    (t && ksim_held_pop(t, m, -1, KSIM_LC_MUTEX)))
		stress_bad_unlock(t, m, -1, "mutex", file, line, func);
	__atomic_store_n(&m->owner, 0, RELEASE);
}

/*
 * ---- rw-semaphores ----
 * The three counters change together under a striped guard spinlock
 * (the stub type has no room for a lock word of its own).
 */

static int *stress_guard_of(const void *obj)
{
	uintptr_t h = ((uintptr_t)obj >> 4) * 0x9E3779B97F4A7C15ULL;

	return &stress_tls_ctx->guards[h >> 58].v;
}

static void stress_guard_lock(int *g)
{
	int zero = 0;

	while (!__atomic_compare_exchange_n(g, &zero, 1, 0, ACQUIRE,
					    RELAXED)) {
		while (__atomic_load_n(g, RELAXED))
			stress_relax();
		zero = 0;
	}
}

static void stress_guard_unlock(int *g)
{
	__atomic_store_n(g, 0, RELEASE);
}

/* Run 'expr' on the semaphore's counters under its guard. */
#define UNDER_GUARD(s, expr) ({						\
	int *__g = stress_tls_ctx ? stress_guard_of(s) : NULL;		\
	__typeof__(expr) __r;						\
	if (__g)							\
		stress_guard_lock(__g);					\
	__r = (expr);							\
	if (__g)							\
		stress_guard_unlock(__g);				\
	__r;								\
})

static int stress_read_enter(struct rw_semaphore *s, int queued_blocks)
{
	if (s->writer || (queued_blocks && s->waiters))
		return 0;
	s->readers++;
	return 1;
}

static int stress_write_enter(struct rw_semaphore *s, struct ksim_task *t,
			      int queue)
{
	if (!s->writer && !s->readers) {
		s->writer = me(t);
		return 1;
	}
	if (queue)
		s->waiters++;
	return 0;
}

static int stress_write_dequeue(struct rw_semaphore *s, struct ksim_task *t)
{
	if (s->writer || s->readers)
		return 0;
	s->writer = me(t);
	s->waiters--;
	return 1;
}

void ksim_down_read(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	struct stress_wait sw;
	int blocked = 0;

	if (!t) {
		s->readers++;
		return;
	}
	stress_precheck(t, KSIM_OP_DOWN_READ, 1, s, -1, file, line, func);
	while (!UNDER_GUARD(s, stress_read_enter(s, 1))) {
		if (!blocked) {
			stress_block(t, &sw, KSIM_OP_DOWN_READ, 0, s, -1);
			blocked = 1;
		}
		stress_wait(t, &sw);
	}
	if (blocked)
		stress_unblock(t);
	ksim_held_push(t, s, -1, KSIM_LC_RWSEM_READ, file, line, func);
}

int ksim_down_read_trylock(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	int ok = UNDER_GUARD(s, stress_read_enter(s, t != NULL));

	if (ok && t)
		ksim_held_push(t, s, -1, KSIM_LC_RWSEM_READ, file, line, func);
	return ok;
}

static int stress_read_exit(struct rw_semaphore *s, struct ksim_task *t)
{
	if (s->readers <= 0 || (t && ksim_held_pop(t, s, -1,
						   KSIM_LC_RWSEM_READ)))
		return 0;
	s->readers--;
	return 1;
}

void ksim_up_read(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);

	if (!UNDER_GUARD(s, stress_read_exit(s, t))) {
		stress_bad_unlock(t, s, -1, "rwsem read", file, line, func);
		s->readers--;	/* outside tasks, as the coroutine build */
	}
}

void ksim_down_write(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	struct stress_wait sw;

	if (!t) {
		s->writer = KSIM_NOBODY;
		return;
	}
	stress_precheck(t, KSIM_OP_DOWN_WRITE, 1, s, -1, file, line, func);
	if (!UNDER_GUARD(s, stress_write_enter(s, t, 1))) {
		/* queued: new readers now wait behind us */
		t->queued = 1;
		stress_block(t, &sw, KSIM_OP_DOWN_WRITE, 1, s, -1);
		while (!UNDER_GUARD(s, stress_write_dequeue(s, t)))
			stress_wait(t, &sw);
		stress_unblock(t);
		t->queued = 0;
	}
	ksim_held_push(t, s, -1, KSIM_LC_RWSEM_WRITE, file, line, func);
}

int ksim_down_write_trylock(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	int ok = UNDER_GUARD(s, stress_write_enter(s, t, 0));

	if (ok && t)
		ksim_held_push(t, s, -1, KSIM_LC_RWSEM_WRITE, file, line,
			       func);
	return ok;
}

static int stress_write_exit(struct rw_semaphore *s, struct ksim_task *t)
{
	int ok = s->writer == me(t) &&
		 !(t && ksim_held_pop(t, s, -1, KSIM_LC_RWSEM_WRITE));

	if (ok)
		s->writer = 0;
	return ok;
}

void ksim_up_write(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);

	if (!UNDER_GUARD(s, stress_write_exit(s, t))) {
		stress_bad_unlock(t, s, -1, "rwsem write", file, line, func);
		s->writer = 0;
	}
}

/*
 * ---- bit locks (the page lock) and page flag bits ----
 * Owners of bit locks are kept in a small table (the kernel keeps none;
 * the lock-owner check and the deadlock report want one).  Keys are
 * inserted once and stay: the words live in the arena, at the same
 * addresses every iteration.
 */

static struct stress_bitown *stress_bitown(const void *word, int bit)
{
	struct stress_ctx *c = stress_tls_ctx;
	uintptr_t key = (((uintptr_t)word << 6) | (uintptr_t)bit) + 1;
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 40) &
		   (STRESS_BITOWN_SLOTS - 1), n;

	if (!c)
		return NULL;
	for (n = 0; n < STRESS_BITOWN_SLOTS;
	     n++, i = (i + 1) & (STRESS_BITOWN_SLOTS - 1)) {
		struct stress_bitown *b = &c->bitown[i];
		uintptr_t k = __atomic_load_n(&b->key, ACQUIRE), zero = 0;

		if (k == key)
			return b;
		if (!k) {
			if (__atomic_compare_exchange_n(&b->key, &zero, key, 0,
							__ATOMIC_ACQ_REL, ACQUIRE))
				return b;
			if (zero == key)
				return b;
		}
	}
	return NULL;	/* table full: owners go unrecorded */
}

void stress_bitown_reset(struct stress_ctx *c)
{
	int i;

	for (i = 0; i < STRESS_BITOWN_SLOTS; i++)
		c->bitown[i].owner = 0;
}

static void stress_bitown_set(const unsigned long *word, int bit, int owner,
			      const char *file, int line)
{
	struct stress_bitown *b = stress_bitown(word, bit);

	if (!b)
		return;
	__atomic_store_n(&b->file, file, RELAXED);
	__atomic_store_n(&b->line, line, RELAXED);
	__atomic_store_n(&b->owner, owner, RELAXED);
}

static int stress_bitown_get(const void *word, int bit)
{
	struct stress_bitown *b = stress_bitown(word, bit);

	return b ? __atomic_load_n(&b->owner, RELAXED) : 0;
}

void ksim_bit_lock(unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	unsigned long mask = 1UL << bit;
	struct stress_wait sw;
	int blocked = 0;

	if (!t) {
		*word |= mask;
		return;
	}
	stress_precheck(t, KSIM_OP_LOCK_PAGE, 1, word, bit, file, line, func);
	while (__atomic_fetch_or(word, mask, ACQUIRE) & mask) {
		if (!blocked) {
			stress_block(t, &sw, KSIM_OP_LOCK_PAGE, 1, word, bit);
			blocked = 1;
		}
		do {
			stress_wait(t, &sw);
		} while (__atomic_load_n(word, RELAXED) & mask);
	}
	if (blocked)
		stress_unblock(t);
	stress_bitown_set(word, bit, t->id + 1, file, line);
	ksim_held_push(t, word, bit, KSIM_LC_BIT, file, line, func);
}

int ksim_bit_trylock(unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	unsigned long mask = 1UL << bit;
	int ok = !(__atomic_fetch_or(word, mask, ACQUIRE) & mask);

	if (ok && t) {
		stress_bitown_set(word, bit, t->id + 1, file, line);
		ksim_held_push(t, word, bit, KSIM_LC_BIT, file, line, func);
	}
	return ok;
}

void ksim_bit_unlock(unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	unsigned long mask = 1UL << bit;

	if (!(__atomic_load_n(word, RELAXED) & mask)) {
		stress_bad_unlock(t, word, bit, "page lock not locked", file,
				  line, func);
		return;
	}
	/*
	 * No owner in the kernel: anyone may unlock.  Another task's held
	 * list is not ours to touch; its stale entry is ignored at its end
	 * because the owner table no longer names it.
	 */
	if (t) {
		ksim_held_pop(t, word, bit, KSIM_LC_BIT);
		stress_bitown_set(word, bit, 0, NULL, 0);
	}
	__atomic_fetch_and(word, ~mask, RELEASE);
}

void ksim_bit_wait(unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	unsigned long mask = 1UL << bit;
	struct stress_wait sw;

	if (!t || !(__atomic_load_n(word, ACQUIRE) & mask))
		return;
	stress_precheck(t, KSIM_OP_WAIT_PAGE_UNLOCKED, 1, word, bit, file,
			line, func);
	stress_block(t, &sw, KSIM_OP_WAIT_PAGE_UNLOCKED, 0, word, bit);
	while (__atomic_load_n(word, ACQUIRE) & mask)
		stress_wait(t, &sw);
	stress_unblock(t);
}

int ksim_bit_lock_held_by_me(const unsigned long *word, int bit)
{
	struct ksim_task *t = stress_cur;

	return t && ksim_held_find(t, word, bit, KSIM_LC_BIT) >= 0 &&
	       stress_bitown_get(word, bit) == t->id + 1;
}

int ksim_bit_test(const unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = stress_enter(file, line, func);
	int v = !!(__atomic_load_n(word, RELAXED) & (1UL << bit));

	/* inside BUG_ON(): a lock bit found set must be set by this task */
	if (t && v && t->in_assert &&
	    ksim_held_find(t, word, bit, KSIM_LC_BIT) < 0) {
		struct stress_bitown *b = stress_bitown(word, bit);
		int owner = b ? __atomic_load_n(&b->owner, RELAXED) : 0;
		const char *ofile = b ? __atomic_load_n(&b->file, RELAXED) : 0;
		int oline = b ? __atomic_load_n(&b->line, RELAXED) : 0;

		if (owner > 0 && owner <= KSIM_MAX_TASKS && owner != t->id + 1)
			stress_finding(KSIM_F_LOCK_OWNER, t, file, line, func,
				       "%s asserts %s held, but it is held by %s (taken at %s:%d)",
				       t->name,
				       ksim_object_name(ksim_tls_world, word,
							bit),
				       ksim_tls_world->tasks[owner - 1].name,
				       ksim_short_file(ofile), oline);
	}
	return v;
}

void ksim_bit_set(unsigned long *word, int bit, KSIM_LOC)
{
	stress_enter(file, line, func);
	__atomic_fetch_or(word, 1UL << bit, RELAXED);
}

void ksim_bit_clear(unsigned long *word, int bit, KSIM_LOC)
{
	stress_enter(file, line, func);
	__atomic_fetch_and(word, ~(1UL << bit), RELAXED);
}

int ksim_bit_test_set(unsigned long *word, int bit, KSIM_LOC)
{
	stress_enter(file, line, func);
	return !!(__atomic_fetch_or(word, 1UL << bit, SEQCST) & (1UL << bit));
}

int ksim_bit_test_clear(unsigned long *word, int bit, KSIM_LOC)
{
	stress_enter(file, line, func);
	return !!(__atomic_fetch_and(word, ~(1UL << bit), SEQCST) &
		  (1UL << bit));
}

/* ---- atomics (fully ordered read-modify-writes, as the kernel's) ---- */

int ksim_atomic_read(const atomic_t *a, KSIM_LOC)
{
	stress_enter(file, line, func);
	return __atomic_load_n(&a->counter, RELAXED);
}

void ksim_atomic_set(atomic_t *a, int v, KSIM_LOC)
{
	stress_enter(file, line, func);
	__atomic_store_n(&a->counter, v, RELAXED);
}

int ksim_atomic_add_return(atomic_t *a, int delta, KSIM_LOC)
{
	stress_enter(file, line, func);
	return __atomic_add_fetch(&a->counter, delta, SEQCST);
}

int ksim_atomic_add_unless(atomic_t *a, int delta, int unless, KSIM_LOC)
{
	int old;

	stress_enter(file, line, func);
	old = __atomic_load_n(&a->counter, RELAXED);
	while (old != unless &&
	       !__atomic_compare_exchange_n(&a->counter, &old, old + delta, 0,
					    SEQCST, RELAXED))
		;
	return old;
}

int ksim_atomic_cmpxchg(atomic_t *a, int old, int new, KSIM_LOC)
{
	int cur = old;

	stress_enter(file, line, func);
	__atomic_compare_exchange_n(&a->counter, &cur, new, 0, SEQCST,
				    SEQCST);
	return cur;
}

long ksim_atomic_long_read(const atomic_long_t *a, KSIM_LOC)
{
	stress_enter(file, line, func);
	return __atomic_load_n(&a->counter, RELAXED);
}

long ksim_atomic_long_add_return(atomic_long_t *a, long delta, KSIM_LOC)
{
	stress_enter(file, line, func);
	return __atomic_add_fetch(&a->counter, delta, SEQCST);
}

/* ---- plain shared memory: relaxed atomics, no ordering ---- */

long ksim_load(const long *p, KSIM_LOC)
{
	stress_enter(file, line, func);
	return __atomic_load_n(p, RELAXED);
}

void ksim_store(long *p, long v, KSIM_LOC)
{
	stress_enter(file, line, func);
	__atomic_store_n(p, v, RELAXED);
}

void ksim_yield(KSIM_LOC)
{
	if (stress_enter(file, line, func))
		sched_yield();
}

/* ---- assertions and reports ---- */

void ksim_assert_begin(void)
{
	if (stress_cur)
		stress_cur->in_assert++;
}

void ksim_assert_end(void)
{
	if (stress_cur && stress_cur->in_assert > 0)
		stress_cur->in_assert--;
}

void ksim_bug(const char *cond, KSIM_LOC)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_task *t = stress_cur;
	struct ksim_finding_rec *r;

	if (!w) {
		fprintf(stderr, "kernel BUG at %s:%d! (%s) outside any world\n",
			ksim_short_file(file), line, cond);
		abort();
	}
	r = stress_finding(KSIM_F_BUG, t, file, line, func,
			   "kernel BUG at %s:%d!", ksim_short_file(file), line);
	if (r && stress_tls_ctx) {
		pthread_mutex_lock(&stress_tls_ctx->lock);
		r->detail = ksim_pool_printf(w, "BUG_ON(%s) in %s()\n", cond,
					     func);
		pthread_mutex_unlock(&stress_tls_ctx->lock);
	}
	if (t)
		stress_stop_task(t);
	abort();	/* BUG outside a task: a harness bug */
}

/* BUG_ON(): no audit here, so the task always stops as at BUG(). */
void ksim_bug_on(const char *cond, KSIM_LOC)
{
	ksim_bug(cond, file, line, func);
}

int ksim_warn(int cond, const char *text, KSIM_LOC)
{
	if (cond && ksim_tls_world)
		stress_finding(KSIM_F_WARN, stress_cur, file, line, func,
			       "WARNING: at %s:%d %s() (%s)",
			       ksim_short_file(file), line, func, text);
	return cond;
}

void ksim_might_sleep(KSIM_LOC)
{
	struct ksim_task *t = stress_cur;

	if (t && (t->spin_depth || t->irq_depth || t->preempt_depth))
		stress_finding(KSIM_F_INVALID_CONTEXT, t, file, line, func,
			       "BUG: sleeping function called from invalid context at %s:%d",
			       ksim_short_file(file), line);
}

void ksim_report(int kind, const char *file, int line, const char *func,
		 const char *fmt, ...)
{
	struct ksim_world *w = ksim_tls_world;
	char buf[512];
	va_list ap;

	if (!w)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	stress_finding(kind, stress_cur, file, line, func, "%s", buf);
	if (ksim_finding_is_fatal(kind)) {
		if (stress_cur)
			stress_stop_task(stress_cur);
		w->stopped = 1;	/* outside tasks: single-threaded */
	}
}

/* The detail of a report is for the coroutine runtime's readers. */
void ksim_report_detail(int kind, const char *file, int line, const char *func,
			const char *detail, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	(void)detail;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ksim_report(kind, file, line, func, "%s", buf);
}

/* Real threads write at once: no single "last write" to tell. */
void ksim_note_write(const void *obj, int bit, const char *what, KSIM_LOC)
{
	(void)obj; (void)bit; (void)what; (void)file; (void)line; (void)func;
}

const char *ksim_last_write(const void *obj, int bit, char *buf, size_t len)
{
	(void)obj; (void)bit; (void)buf; (void)len;
	return NULL;
}

int ksim_last_write_site(const void *obj, int bit, struct ksim_write_site *out)
{
	(void)obj; (void)bit; (void)out;
	return 0;
}

size_t ksim_last_write_chain(const void *obj, int bit, const char *indent,
			     char *buf, size_t len)
{
	(void)obj; (void)bit; (void)indent; (void)buf; (void)len;
	return 0;
}

size_t ksim_current_chain(const char *indent, char *buf, size_t len)
{
	(void)indent; (void)buf; (void)len;
	return 0;
}

/* Details are not shown here (see ksim_report_detail). */
const char *ksim_keep_text(const char *text)
{
	(void)text;
	return NULL;
}

/* No write sites here: a finding at the checker's line. */
void ksim_report_at(int kind, const struct ksim_write_site *site,
		    const char *file, int line, const char *func,
		    const char *detail, ksim_detail_fn fn, unsigned long arg,
		    const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	(void)site;
	(void)detail;
	(void)fn;
	(void)arg;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ksim_report(kind, file, line, func, "%s", buf);
}

/* Per-CPU work runs as its CPU; real threads never wait for each other. */
static __thread int stress_cpu_override = -1;
static __thread unsigned long stress_cpu_atomic;

int ksim_cpu(void)
{
	struct ksim_task *t = stress_cur;

	if (stress_cpu_override >= 0)
		return stress_cpu_override;
	return (t && !t->internal) ? t->id : 0;
}

unsigned long *ksim_cpu_atomic_word(void)
{
	return &stress_cpu_atomic;
}

int ksim_cpu_set_override(int cpu)
{
	int old = stress_cpu_override;

	stress_cpu_override = cpu;
	return old;
}

int ksim_nr_cpus(void)
{
	struct ksim_world *w = ksim_tls_world;

	return w ? w->nr_tasks : 1;
}

struct ksim_world *ksim_current_world(void)
{
	return ksim_tls_world;
}

/* ---- end of a task (sched.c's ksim_task_main, after the operation) ---- */

void stress_task_end(struct ksim_world *w, struct ksim_task *t)
{
	int i;

	/* page locks another task released are no longer ours */
	for (i = t->nr_held - 1; i >= 0; i--) {
		const struct ksim_held *h = &t->held[i];

		if (h->cls == KSIM_LC_BIT &&
		    stress_bitown_get(h->obj, h->bit) != t->id + 1)
			ksim_held_pop(t, h->obj, h->bit, KSIM_LC_BIT);
	}
	if (t->nr_held) {
		pthread_mutex_lock(&stress_tls_ctx->lock);
		ksim_held_at_exit(w, t);
		pthread_mutex_unlock(&stress_tls_ctx->lock);
	}
	t->state = KSIM_TASK_DONE;
	t->has_pend = 0;
}
