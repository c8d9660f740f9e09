/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness-specific: the runtime entry points that the stub headers turn
 * kernel primitives into.  Every function here is a scheduling point
 * unless its comment says otherwise: the calling task publishes what it is
 * about to do, yields to the driver, and performs the operation only once
 * the driver has chosen it.
 */
#ifndef KSIM_RUNTIME_H
#define KSIM_RUNTIME_H

#include "ksim/types.h"

struct ksim_world;

/* Locks. */
void ksim_spin_lock(spinlock_t *l, KSIM_LOC);
int ksim_spin_trylock(spinlock_t *l, KSIM_LOC);
void ksim_spin_unlock(spinlock_t *l, KSIM_LOC);
void ksim_irq_disable(void);			/* not a scheduling point */
void ksim_irq_enable(void);			/* not a scheduling point */
void ksim_mutex_lock(struct mutex *m, KSIM_LOC);
int ksim_mutex_trylock(struct mutex *m, KSIM_LOC);
void ksim_mutex_unlock(struct mutex *m, KSIM_LOC);
void ksim_down_read(struct rw_semaphore *s, KSIM_LOC);
int ksim_down_read_trylock(struct rw_semaphore *s, KSIM_LOC);
void ksim_up_read(struct rw_semaphore *s, KSIM_LOC);
void ksim_down_write(struct rw_semaphore *s, KSIM_LOC);
int ksim_down_write_trylock(struct rw_semaphore *s, KSIM_LOC);
void ksim_up_write(struct rw_semaphore *s, KSIM_LOC);

/* Bit locks and bit operations on a flags word (page->flags). */
void ksim_bit_lock(unsigned long *word, int bit, KSIM_LOC);
int ksim_bit_trylock(unsigned long *word, int bit, KSIM_LOC);
void ksim_bit_unlock(unsigned long *word, int bit, KSIM_LOC);
void ksim_bit_wait(unsigned long *word, int bit, KSIM_LOC);
int ksim_bit_test(const unsigned long *word, int bit, KSIM_LOC);
void ksim_bit_set(unsigned long *word, int bit, KSIM_LOC);
void ksim_bit_clear(unsigned long *word, int bit, KSIM_LOC);
int ksim_bit_test_set(unsigned long *word, int bit, KSIM_LOC);
int ksim_bit_test_clear(unsigned long *word, int bit, KSIM_LOC);
/* 1 if the current task holds bit lock (word, bit); not a scheduling point */
int ksim_bit_lock_held_by_me(const unsigned long *word, int bit);

/* Atomics. */
int ksim_atomic_read(const atomic_t *a, KSIM_LOC);
void ksim_atomic_set(atomic_t *a, int v, KSIM_LOC);
int ksim_atomic_add_return(atomic_t *a, int delta, KSIM_LOC);
/* cmpxchg-style: add delta unless the value is 'unless'; returns old */
int ksim_atomic_add_unless(atomic_t *a, int delta, int unless, KSIM_LOC);
/* compare-and-exchange: store new if the value is old; returns the value seen */
int ksim_atomic_cmpxchg(atomic_t *a, int old, int new, KSIM_LOC);
long ksim_atomic_long_read(const atomic_long_t *a, KSIM_LOC);
long ksim_atomic_long_add_return(atomic_long_t *a, long delta, KSIM_LOC);

/* Plain shared memory, for toy programs and explicit racy accesses. */
long ksim_load(const long *p, KSIM_LOC);
void ksim_store(long *p, long v, KSIM_LOC);
void ksim_yield(KSIM_LOC);

/* Assertions (BUG_ON & co.).  Not scheduling points. */
void ksim_assert_begin(void);
void ksim_assert_end(void);
void ksim_bug(const char *cond, KSIM_LOC) __attribute__((noreturn));
/* BUG_ON's failure: ksim_bug(), except that it returns in an audited world
 * that asked for it (the task goes on as if the condition were false). */
void ksim_bug_on(const char *cond, KSIM_LOC);
int ksim_warn(int cond, const char *text, KSIM_LOC);
/* Might-sleep check for a sleeping primitive not modelled as a lock. */
void ksim_might_sleep(KSIM_LOC);

/*
 * Record a finding from model code (bad page, accounting, ...).  Fatal
 * findings stop the calling task (this does not return then).
 */
void ksim_report(int kind, const char *file, int line, const char *func,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * As ksim_report(), with extra report lines (a dump of the objects
 * involved) shown before the call trace.
 */
void ksim_report_detail(int kind, const char *file, int line, const char *func,
			const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * Remember that the running task wrote (obj, bit) here (bit -1: a
 * counter); ksim_last_write() tells it back this run, as "what at
 * FILE:LINE (func) by TASK, step N", or NULL.
 */
void ksim_note_write(const void *obj, int bit, const char *what, KSIM_LOC);
/*
 * A statistics counter update (zone counters, VM events): not a
 * scheduling point and no ordering, but the lock-set audit lists it as an
 * access to the field `name` ("zone.NR_MLOCK") at the caller's line.
 */
void ksim_audit_counter(const void *obj, const char *name, KSIM_LOC);
const char *ksim_last_write(const void *obj, int bit, char *buf, size_t len);

/* The last write of (obj, bit) this run, as parts; see ksim_last_write_site(). */
struct ksim_write_site {
	const char *file;	/* as the writer's __FILE__ */
	int line;
	const char *func;
	const char *what;
	int task;
	unsigned long long step;
	unsigned long long seq;	/* larger: a later write (of this run) */
};

/* 1 and *out filled if (obj, bit) was written this run, else 0. */
int ksim_last_write_site(const void *obj, int bit, struct ksim_write_site *out);

/*
 * The kernel call chain of the task when it last wrote (obj, bit), for
 * the detail of a report: it is symbolized, one frame a line with
 * indent before each, only when the report is built.  Returns the
 * characters written to buf (0: no chain known).
 */
size_t ksim_last_write_chain(const void *obj, int bit, const char *indent,
			     char *buf, size_t len);
/* The same for the running task's call chain now (dump_stack()). */
size_t ksim_current_chain(const char *indent, char *buf, size_t len);

/*
 * A copy of text that lasts until the next run starts (report text
 * built before the finding is made); "" when the run's pool is full.
 */
const char *ksim_keep_text(const char *text);

/*
 * Writes a finding's detail when its report is built (out has len
 * bytes; returns the characters written).  That is after the run, and
 * before the next one starts: the world is in the run's final state.
 */
typedef size_t (*ksim_detail_fn)(struct ksim_world *w, unsigned long arg,
				 char *out, size_t len);

/*
 * As ksim_report_detail(), located at a kernel write site when site is
 * not NULL (the finding's task is then the writer), else at file:line.
 * The detail is the text, or, when fn is not NULL, what fn(arg) writes
 * if the report is ever built: a check that finds the same thing in
 * every schedule costs no text then.
 */
void ksim_report_at(int kind, const struct ksim_write_site *site,
		    const char *file, int line, const char *func,
		    const char *detail, ksim_detail_fn fn, unsigned long arg,
		    const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));

/* Simulated CPU of the running task (its index); 0 outside tasks. */
int ksim_cpu(void);
int ksim_nr_cpus(void);

/* The world whose task is running on this OS thread. */
struct ksim_world *ksim_current_world(void);

/* Preemption counting: preempt_disable() & co.  Not scheduling points. */
void ksim_preempt_disable(void);
void ksim_preempt_enable(void);

/*
 * Per-CPU work (linux/workqueue.h).  Bit N of the word is set while the
 * task of CPU N is in atomic context (preemption or irqs off, or a
 * spinlock held) at its current scheduling point: a kworker of that CPU
 * cannot run then.  The override makes the calling task run as another
 * CPU (the kworker's) until restored, and that CPU's own task cannot run
 * meanwhile (it is preempted by the kworker); it returns the previous
 * override (-1: none).  Neither is a scheduling point.
 */
unsigned long *ksim_cpu_atomic_word(void);
int ksim_cpu_set_override(int cpu);

#endif /* KSIM_RUNTIME_H */
