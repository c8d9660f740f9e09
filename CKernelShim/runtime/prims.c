// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel primitives as scheduling points.
 *
 * Each function first calls ksim_point(), which publishes the pending
 * operation and returns only when the driver has chosen this task (and
 * the operation can proceed); the code after it is the operation taking
 * effect.  Called outside any task (world building, plain C tests), the
 * primitives act at once on behalf of a pseudo task.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksim_internal.h"
#include "ksim/runtime.h"

#define KSIM_NOBODY	(KSIM_MAX_TASKS + 2)	/* owner outside tasks */

int ksim_rwsem_read_blocked(const struct ksim_world *w,
			    const struct rw_semaphore *s,
			    const struct ksim_task *self);

static inline int me(const struct ksim_task *t)
{
	return t ? t->id + 1 : KSIM_NOBODY;
}

static void ksim_bad_unlock(struct ksim_task *t, const void *obj, int bit,
			    const char *what, KSIM_LOC)
{
	struct ksim_world *w = ksim_tls_world;

	if (!t)
		return;
	ksim_finding_add(w, KSIM_F_BAD_UNLOCK, t, file, line, func,
			 "bad unlock balance: %s releases %s (%s) which it does not hold",
			 t->name, ksim_object_name(w, obj, bit), what);
	ksim_finding_stop(w, t);
}

/*
 * The task took a lock: lockdep's edges first (blocking acquisitions
 * only), then the held entry, with its class for later edges.
 */
static void ld_take(struct ksim_task *t, const void *obj, int bit, int cls,
		    int blocking, KSIM_LOC)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_held *h;

	if (blocking)
		ksim_lockdep_acquire(w, t, obj, bit, cls == KSIM_LC_RWSEM_READ,
				     file, line, func);
	h = ksim_held_push(t, obj, bit, cls, file, line, func);
	if (h)
		h->ldc = ksim_lockdep_class(w, obj, bit, func);
}

/* ---- spinlocks ---- */

void ksim_spin_lock(spinlock_t *l, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_SPIN_LOCK, 1, l, -1, file,
					 line, func);

	l->owner = me(t);
	if (t) {
		ld_take(t, l, -1, KSIM_LC_SPIN, 1, file, line, func);
		t->spin_depth++;
	}
}

int ksim_spin_trylock(spinlock_t *l, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_SPIN_TRYLOCK, 1, l, -1, file,
					 line, func);
	int ok = l->owner == 0;

	if (ok) {
		l->owner = me(t);
		if (t) {
			ld_take(t, l, -1, KSIM_LC_SPIN, 0, file, line,
				       func);
			t->spin_depth++;
		}
	}
	if (!ok)
		ksim_foot_op_read(t);
	if (t)
		t->result = ok;
	return ok;
}

void ksim_spin_unlock(spinlock_t *l, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_SPIN_UNLOCK, 1, l, -1, file,
					 line, func);

	if (l->owner != me(t) || (t && ksim_held_pop(t, l, -1, KSIM_LC_SPIN)))
		ksim_bad_unlock(t, l, -1, "spinlock", file, line, func);
	l->owner = 0;
	if (t)
		t->spin_depth--;
}

void ksim_irq_disable(void)
{
	struct ksim_world *w = ksim_tls_world;

	if (w && w->cur)
		w->cur->irq_depth++;
}

void ksim_irq_enable(void)
{
	struct ksim_world *w = ksim_tls_world;

	if (w && w->cur && w->cur->irq_depth > 0)
		w->cur->irq_depth--;
}

void ksim_preempt_disable(void)
{
	struct ksim_world *w = ksim_tls_world;

	if (w && w->cur)
		w->cur->preempt_depth++;
}

void ksim_preempt_enable(void)
{
	struct ksim_world *w = ksim_tls_world;

	if (w && w->cur && w->cur->preempt_depth > 0)
		w->cur->preempt_depth--;
}

/* ---- mutexes ---- */

void ksim_mutex_lock(struct mutex *m, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_MUTEX_LOCK, 1, m, -1, file,
					 line, func);

	m->owner = me(t);
	if (t)
		ld_take(t, m, -1, KSIM_LC_MUTEX, 1, file, line, func);
}

int ksim_mutex_trylock(struct mutex *m, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_MUTEX_TRYLOCK, 1, m, -1, file,
					 line, func);
	int ok = m->owner == 0;

	if (ok) {
		m->owner = me(t);
		if (t)
			ld_take(t, m, -1, KSIM_LC_MUTEX, 0, file, line,
				       func);
	}
	if (!ok)
		ksim_foot_op_read(t);
	if (t)
		t->result = ok;
	return ok;
}

void ksim_mutex_unlock(struct mutex *m, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_MUTEX_UNLOCK, 1, m, -1, file,
					 line, func);

	if (m->owner != me(t) || (t && ksim_held_pop(t, m, -1, KSIM_LC_MUTEX)))
		ksim_bad_unlock(t, m, -1, "mutex", file, line, func);
	m->owner = 0;
}

/* ---- rw-semaphores ---- */

void ksim_down_read(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_DOWN_READ, 0, s, -1, file,
					 line, func);

	s->readers++;
	if (t)
		ld_take(t, s, -1, KSIM_LC_RWSEM_READ, 1, file, line, func);
}

int ksim_down_read_trylock(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_DOWN_READ_TRYLOCK, 0, s, -1,
					 file, line, func);
	int ok = !(t ? ksim_rwsem_read_blocked(ksim_tls_world, s, t) :
		   s->writer);

	if (ok) {
		s->readers++;
		if (t)
			ld_take(t, s, -1, KSIM_LC_RWSEM_READ, 0, file,
				       line, func);
	}
	if (!ok)
		ksim_foot_op_read(t);
	if (t)
		t->result = ok;
	return ok;
}

void ksim_up_read(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_UP_READ, 0, s, -1, file, line,
					 func);

	if (s->readers <= 0 ||
	    (t && ksim_held_pop(t, s, -1, KSIM_LC_RWSEM_READ)))
		ksim_bad_unlock(t, s, -1, "rwsem read", file, line, func);
	s->readers--;
}

void ksim_down_write(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_DOWN_WRITE, 1, s, -1, file,
					 line, func);

	if (t && (s->writer || s->readers)) {
		/* contended: queue behind the holders, then wait our turn */
		s->waiters++;
		t->queued = 1;
		ksim_point(KSIM_OP_DOWN_WRITE, 1, s, -1, file, line, func);
		t->queued = 0;
		s->waiters--;
	}
	s->writer = me(t);
	if (t)
		ld_take(t, s, -1, KSIM_LC_RWSEM_WRITE, 1, file, line, func);
}

int ksim_down_write_trylock(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_DOWN_WRITE_TRYLOCK, 1, s, -1,
					 file, line, func);
	int ok = !s->writer && !s->readers;

	if (ok) {
		s->writer = me(t);
		if (t)
			ld_take(t, s, -1, KSIM_LC_RWSEM_WRITE, 0, file,
				       line, func);
	}
	if (!ok)
		ksim_foot_op_read(t);
	if (t)
		t->result = ok;
	return ok;
}

void ksim_up_write(struct rw_semaphore *s, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_UP_WRITE, 1, s, -1, file, line,
					 func);

	if (s->writer != me(t) ||
	    (t && ksim_held_pop(t, s, -1, KSIM_LC_RWSEM_WRITE)))
		ksim_bad_unlock(t, s, -1, "rwsem write", file, line, func);
	s->writer = 0;
}

/* ---- bit locks (the page lock) and page flag bits ---- */

void ksim_bit_lock(unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_LOCK_PAGE, 1, word, bit, file,
					 line, func);

	*word |= 1UL << bit;
	ksim_note_write(word, bit, "lock_page", file, line, func);
	if (t)
		ld_take(t, word, bit, KSIM_LC_BIT, 1, file, line, func);
}

int ksim_bit_trylock(unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_TRYLOCK_PAGE, 1, word, bit,
					 file, line, func);
	int ok = !(*word & (1UL << bit));

	if (ok) {
		*word |= 1UL << bit;
		ksim_note_write(word, bit, "trylock_page", file, line, func);
		if (t)
			ld_take(t, word, bit, KSIM_LC_BIT, 0, file, line,
				       func);
	}
	if (!ok)
		ksim_foot_op_read(t);
	if (t)
		t->result = ok;
	return ok;
}

void ksim_bit_unlock(unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_UNLOCK_PAGE, 1, word, bit,
					 file, line, func);
	struct ksim_world *w = ksim_tls_world;

	if (!(*word & (1UL << bit))) {
		ksim_bad_unlock(t, word, bit, "page lock not locked", file,
				line, func);
		return;
	}
	*word &= ~(1UL << bit);
	ksim_note_write(word, bit, "unlock_page", file, line, func);
	if (!t || !ksim_held_pop(t, word, bit, KSIM_LC_BIT))
		return;
	/* The page lock has no owner in the kernel: anyone may unlock. */
	if (w) {
		int i;

		for (i = 0; i < w->nr_tasks; i++)
			if (!ksim_held_pop(&w->tasks[i], word, bit,
					   KSIM_LC_BIT))
				return;
	}
}

void ksim_bit_wait(unsigned long *word, int bit, KSIM_LOC)
{
	ksim_point(KSIM_OP_WAIT_PAGE_UNLOCKED, 0, word, bit, file, line, func);
}

int ksim_bit_lock_held_by_me(const unsigned long *word, int bit)
{
	struct ksim_world *w = ksim_tls_world;

	if (!w || !w->cur)
		return 0;
	return ksim_held_find(w->cur, word, bit, KSIM_LC_BIT) >= 0;
}

/* Which task, other than t, holds bit lock (word, bit); NULL if none. */
static struct ksim_task *ksim_bit_holder(struct ksim_world *w,
					 const unsigned long *word, int bit)
{
	int i;

	for (i = 0; i < w->nr_tasks; i++)
		if (ksim_held_find(&w->tasks[i], word, bit, KSIM_LC_BIT) >= 0)
			return &w->tasks[i];
	return NULL;
}

int ksim_bit_test(const unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_FLAG_TEST, 0, word, bit, file,
					 line, func);
	int v = !!(*word & (1UL << bit));

	if (t) {
		t->result = v;
		/*
		 * Inside BUG_ON(): a lock bit found set must be set by this
		 * task.  The kernel's check passes whoever holds the lock;
		 * the harness wants the asserting task to be the holder.
		 */
		if (v && t->in_assert &&
		    ksim_held_find(t, word, bit, KSIM_LC_BIT) < 0) {
			struct ksim_world *w = ksim_tls_world;
			struct ksim_task *h = ksim_bit_holder(w, word, bit);

			if (h)
				ksim_finding_add(w, KSIM_F_LOCK_OWNER, t, file,
						 line, func,
						 "%s asserts %s held, but it is held by %s (taken at %s:%d)",
						 t->name,
						 ksim_object_name(w, word, bit),
						 h->name,
						 ksim_short_file(h->held[ksim_held_find(h, word, bit, KSIM_LC_BIT)].file),
						 h->held[ksim_held_find(h, word, bit, KSIM_LC_BIT)].line);
		}
	}
	return v;
}

void ksim_bit_set(unsigned long *word, int bit, KSIM_LOC)
{
	ksim_point(KSIM_OP_FLAG_SET, 1, word, bit, file, line, func);
	*word |= 1UL << bit;
	ksim_note_write(word, bit, "set", file, line, func);
}

void ksim_bit_clear(unsigned long *word, int bit, KSIM_LOC)
{
	ksim_point(KSIM_OP_FLAG_CLEAR, 1, word, bit, file, line, func);
	*word &= ~(1UL << bit);
	ksim_note_write(word, bit, "clear", file, line, func);
}

int ksim_bit_test_set(unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_FLAG_TEST_SET, 1, word, bit,
					 file, line, func);
	int old = !!(*word & (1UL << bit));

	*word |= 1UL << bit;
	if (!old)
		ksim_note_write(word, bit, "test-and-set", file, line, func);
	else
		ksim_foot_op_read(t);
	if (t)
		t->result = old;
	return old;
}

int ksim_bit_test_clear(unsigned long *word, int bit, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_FLAG_TEST_CLEAR, 1, word, bit,
					 file, line, func);
	int old = !!(*word & (1UL << bit));

	*word &= ~(1UL << bit);
	if (old)
		ksim_note_write(word, bit, "test-and-clear", file, line, func);
	else
		ksim_foot_op_read(t);
	if (t)
		t->result = old;
	return old;
}

/* ---- atomics ---- */

/* How a write changed a counter, for "last _count change: ..." lines. */
static const char *atomic_what(long delta)
{
	if (delta == 1)
		return "atomic_inc";
	if (delta == -1)
		return "atomic_dec";
	return delta > 0 ? "atomic_add" : "atomic_sub";
}

int ksim_atomic_read(const atomic_t *a, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_ATOMIC_READ, 0, a, -1, file,
					 line, func);

	if (t)
		t->result = a->counter;
	return a->counter;
}

void ksim_atomic_set(atomic_t *a, int v, KSIM_LOC)
{
	ksim_point(KSIM_OP_ATOMIC_WRITE, 1, a, -1, file, line, func);
	a->counter = v;
	ksim_note_write(a, -1, "atomic_set", file, line, func);
}

int ksim_atomic_add_return(atomic_t *a, int delta, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_ATOMIC_RMW, 1, a, -1, file,
					 line, func);

	a->counter += delta;
	ksim_note_write(a, -1, atomic_what(delta), file, line, func);
	if (t)
		t->result = a->counter;
	return a->counter;
}

int ksim_atomic_add_unless(atomic_t *a, int delta, int unless, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_ATOMIC_RMW, 1, a, -1, file,
					 line, func);
	int old = a->counter;

	if (old != unless) {
		a->counter += delta;
		ksim_note_write(a, -1, atomic_what(delta), file, line, func);
	} else {
		ksim_foot_op_read(t);
	}
	if (t)
		t->result = old;
	return old;
}

int ksim_atomic_cmpxchg(atomic_t *a, int old, int new, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_ATOMIC_RMW, 1, a, -1, file,
					 line, func);
	int cur = a->counter;

	if (cur == old) {
		a->counter = new;
		ksim_note_write(a, -1, "atomic_cmpxchg", file, line, func);
	} else {
		ksim_foot_op_read(t);
	}
	if (t)
		t->result = cur;
	return cur;
}

long ksim_atomic_long_read(const atomic_long_t *a, KSIM_LOC)
{
	ksim_point(KSIM_OP_ATOMIC_READ, 0, a, -1, file, line, func);
	return a->counter;
}

long ksim_atomic_long_add_return(atomic_long_t *a, long delta, KSIM_LOC)
{
	ksim_point(KSIM_OP_ATOMIC_RMW, 1, a, -1, file, line, func);
	a->counter += delta;
	ksim_note_write(a, -1, atomic_what(delta), file, line, func);
	return a->counter;
}

/* ---- plain shared memory ---- */

long ksim_load(const long *p, KSIM_LOC)
{
	struct ksim_task *t = ksim_point(KSIM_OP_LOAD, 0, p, -1, file, line,
					 func);

	if (t)
		t->result = (int)*p;
	return *p;
}

void ksim_store(long *p, long v, KSIM_LOC)
{
	ksim_point(KSIM_OP_STORE, 1, p, -1, file, line, func);
	*p = v;
}

void ksim_yield(KSIM_LOC)
{
	ksim_point(KSIM_OP_YIELD, 0, NULL, -1, file, line, func);
}

/* ---- assertions and reports ---- */

void ksim_assert_begin(void)
{
	struct ksim_world *w = ksim_tls_world;

	if (w && w->cur)
		w->cur->in_assert++;
}

void ksim_assert_end(void)
{
	struct ksim_world *w = ksim_tls_world;

	if (w && w->cur && w->cur->in_assert > 0)
		w->cur->in_assert--;
}

/* The finding of a BUG; 1 when the task may go on (audit). */
static int ksim_bug_report(const char *cond, KSIM_LOC, int may_go_on)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_task *t = w ? w->cur : NULL;
	struct ksim_finding_rec *r;

	if (!w) {
		fprintf(stderr, "kernel BUG at %s:%d! (%s) outside any world\n",
			ksim_short_file(file), line, cond);
		abort();
	}
	r = ksim_finding_add(w, KSIM_F_BUG, t, file, line, func,
			     "kernel BUG at %s:%d!", ksim_short_file(file),
			     line);
	if (r) {
		if (w->opt[KSIM_OPT_BACKTRACE])
			ksim_capture_frames(&r->frames);
		r->detail = ksim_pool_printf(w, "BUG_ON(%s) in %s()\n", cond,
					     func);
	}
	/* the audit wants to see what the code does next */
	if (t && may_go_on && ksim_audit_bug_goes_on(w))
		return 1;
	if (t)
		ksim_finding_stop(w, t);
	w->stopped = 1;
	abort();	/* BUG outside a task: a harness bug */
}

void ksim_bug(const char *cond, KSIM_LOC)
{
	ksim_bug_report(cond, file, line, func, 0);
	abort();
}

void ksim_bug_on(const char *cond, KSIM_LOC)
{
	ksim_bug_report(cond, file, line, func, 1);
}

int ksim_warn(int cond, const char *text, KSIM_LOC)
{
	struct ksim_world *w = ksim_tls_world;

	if (cond && w)
		ksim_finding_add(w, KSIM_F_WARN, w->cur, file, line, func,
				 "WARNING: at %s:%d %s() (%s)",
				 ksim_short_file(file), line, func, text);
	return cond;
}

void ksim_might_sleep(KSIM_LOC)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_task *t = w ? w->cur : NULL;

	if (t && (t->spin_depth || t->irq_depth || t->preempt_depth))
		ksim_finding_add(w, KSIM_F_INVALID_CONTEXT, t, file, line,
				 func,
				 "BUG: sleeping function called from invalid context at %s:%d",
				 ksim_short_file(file), line);
}

static size_t lastw_slot(const void *obj, int bit)
{
	uintptr_t h = ((uintptr_t)obj >> 3) * 0x9E3779B97F4A7C15ULL +
		      (uintptr_t)(bit + 1) * 0xBF58476D1CE4E5B9ULL;

	return (size_t)(h >> 23) & (KSIM_LASTW_SLOTS - 1);
}

/*
 * The writer's call chain: return addresses from the frame-pointer
 * chain (every build of the shim keeps frame pointers), only while each
 * frame lies on the task's own stack, above the previous one.  A few
 * loads per frame: this runs at every recorded write.
 */
static inline __attribute__((always_inline)) int
lastw_frames(const struct ksim_task *t, void **pc, int max)
{
	const uintptr_t *fp = __builtin_frame_address(0);
	uintptr_t lo = (uintptr_t)t->stack_lo, hi = (uintptr_t)t->stack_hi;
	int n = 0;

	while (n < max && (uintptr_t)fp >= lo &&
	       (uintptr_t)fp + 2 * sizeof(uintptr_t) <= hi &&
	       !((uintptr_t)fp & (sizeof(uintptr_t) - 1))) {
		const uintptr_t *next = (const uintptr_t *)fp[0];

		pc[n++] = (void *)fp[1];
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

static struct ksim_lastw *lastw_find(struct ksim_world *w, const void *obj,
				     int bit)
{
	size_t i = lastw_slot(obj, bit), n;

	for (n = 0; n < 8; n++, i = (i + 1) & (KSIM_LASTW_SLOTS - 1)) {
		struct ksim_lastw *e = &w->lastw[i];

		if (e->run == w->runs && e->obj == obj && e->bit == bit)
			return e;
	}
	return NULL;
}

void ksim_note_write(const void *obj, int bit, const char *what, KSIM_LOC)
{
	struct ksim_world *w = ksim_tls_world;
	size_t i, n;

	if (!w || !w->cur)
		return;
	i = lastw_slot(obj, bit);
	for (n = 0; n < 8; n++, i = (i + 1) & (KSIM_LASTW_SLOTS - 1)) {
		struct ksim_lastw *e = &w->lastw[i];

		if (e->run == w->runs && (e->obj != obj || e->bit != bit))
			continue;	/* another object's, this run */
		e->obj = obj;
		e->bit = bit;
		e->run = w->runs;
		e->task = w->cur->id;
		e->step = w->steps;
		e->seq = ++w->lastw_seq;
		e->file = file;
		e->line = line;
		e->func = func;
		e->what = what;
		e->nr_pc = lastw_frames(w->cur, e->pc, KSIM_LASTW_FRAMES);
		return;
	}
	/* the neighbourhood is full: the oldest story is lost, not a crash */
}

const char *ksim_last_write(const void *obj, int bit, char *buf, size_t len)
{
	struct ksim_world *w = ksim_tls_world;
	const struct ksim_lastw *e = w ? lastw_find(w, obj, bit) : NULL;

	if (!e)
		return NULL;
	snprintf(buf, len, "%s at %s:%d (%s) by %s, step %llu", e->what,
		 ksim_short_file(e->file), e->line, e->func,
		 w->tasks[e->task].name, (unsigned long long)e->step);
	return buf;
}

int ksim_last_write_site(const void *obj, int bit, struct ksim_write_site *out)
{
	struct ksim_world *w = ksim_tls_world;
	const struct ksim_lastw *e = w ? lastw_find(w, obj, bit) : NULL;

	if (!e)
		return 0;
	out->file = e->file;
	out->line = e->line;
	out->func = e->func;
	out->what = e->what;
	out->task = e->task;
	out->step = e->step;
	out->seq = e->seq;
	return 1;
}

/*
 * A chain is left in the detail text as one line "\1INDENT\2PC,PC,...":
 * ksim_expand_detail() turns it into frames when the report is built.
 */
/* The marker line for a chain of n return addresses; 0 if it does not fit. */
static size_t chain_marker(void *const *pc, int n, const char *indent,
			   char *buf, size_t len)
{
	size_t used;
	int i;

	if (!n || len < 2)
		return 0;
	used = snprintf(buf, len, "\1%s\2", indent);
	for (i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%lx", i ? "," : "",
				 (unsigned long)(uintptr_t)pc[i]);
	if (used < len)
		used += snprintf(buf + used, len - used, "\n");
	if (used >= len) {	/* cut: leave no half marker behind */
		buf[0] = '\0';
		return 0;
	}
	return used;
}

size_t ksim_last_write_chain(const void *obj, int bit, const char *indent,
			     char *buf, size_t len)
{
	struct ksim_world *w = ksim_tls_world;
	const struct ksim_lastw *e = w ? lastw_find(w, obj, bit) : NULL;

	if (!e)
		return 0;
	return chain_marker(e->pc, e->nr_pc, indent, buf, len);
}

size_t ksim_current_chain(const char *indent, char *buf, size_t len)
{
	struct ksim_world *w = ksim_tls_world;
	void *pc[KSIM_MAX_FRAMES];

	if (!w || !w->cur)
		return 0;
	return chain_marker(pc, lastw_frames(w->cur, pc, KSIM_MAX_FRAMES),
			    indent, buf, len);
}

const char *ksim_keep_text(const char *text)
{
	struct ksim_world *w = ksim_tls_world;

	return w ? ksim_pool_printf(w, "%s", text) : "";
}

/*
 * A finding from model code, with optional extra report lines.  The
 * message is formatted first: a fatal finding does not return here.
 */
static void report_msg(int kind, const char *file, int line, const char *func,
		       const char *detail, const char *msg)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_finding_rec *r;

	if (!w)
		return;
	r = ksim_finding_add(w, kind, w->cur, file, line, func, "%s", msg);
	if (r && detail && detail[0])
		r->detail = ksim_pool_printf(w, "%s", detail);
	if (ksim_finding_is_fatal(kind)) {
		if (w->cur)
			ksim_finding_stop(w, w->cur);
		w->stopped = 1;
	}
}

void ksim_report_detail(int kind, const char *file, int line, const char *func,
			const char *detail, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	report_msg(kind, file, line, func, detail, buf);
}

void ksim_report_at(int kind, const struct ksim_write_site *site,
		    const char *file, int line, const char *func,
		    const char *detail, ksim_detail_fn fn, unsigned long arg,
		    const char *fmt, ...)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_finding_rec *r;
	struct ksim_task *t;
	char buf[512];
	va_list ap;

	if (!site) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		if (!w)
			return;
		w->at_site = 1;
		r = ksim_finding_add(w, kind, w->cur, file, line, func, "%s",
				     buf);
		w->at_site = 0;
		if (r && fn) {
			r->detail_fn = fn;
			r->detail_arg = arg;
		} else if (r && detail && detail[0]) {
			r->detail = ksim_pool_printf(w, "%s", detail);
		}
		return;
	}
	if (!w)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/*
	 * A world-level check (quiescence, teardown) that knows which
	 * kernel line left the state wrong: the finding is that line's, and
	 * the writing task's (whose locks now are not the story: none).
	 */
	t = site->task >= 0 && site->task <= w->nr_tasks ?
	    &w->tasks[site->task] : NULL;
	w->at_site = 1;
	r = ksim_finding_add(w, kind, t, site->file, site->line, site->func,
			     "%s", buf);
	w->at_site = 0;
	if (!r)
		return;
	r->has_held = 0;
	if (fn) {
		r->detail_fn = fn;
		r->detail_arg = arg;
	} else if (detail && detail[0]) {
		r->detail = ksim_pool_printf(w, "%s", detail);
	}
}

void ksim_report(int kind, const char *file, int line, const char *func,
		 const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	report_msg(kind, file, line, func, NULL, buf);
}

int ksim_cpu(void)
{
	struct ksim_world *w = ksim_tls_world;

	if (w && w->cur && w->cur->cpu_override >= 0)
		return w->cur->cpu_override;
	return (w && w->cur && !w->cur->internal) ? w->cur->id : 0;
}

unsigned long *ksim_cpu_atomic_word(void)
{
	return &ksim_tls_world->cpu_atomic;
}

int ksim_cpu_set_override(int cpu)
{
	struct ksim_world *w = ksim_tls_world;
	int old;

	if (!w || !w->cur)
		return -1;
	old = w->cur->cpu_override;
	/* while a task runs as another CPU, that CPU's own task waits */
	if (old >= 0 && old != w->cur->id) {
		w->cpu_busy &= ~(1UL << old);
		ksim_foot_cpu(w, old);
	}
	if (cpu >= 0 && cpu != w->cur->id) {
		w->cpu_busy |= 1UL << cpu;
		ksim_foot_cpu(w, cpu);
	}
	w->cur->cpu_override = cpu;
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
