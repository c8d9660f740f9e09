// SPDX-License-Identifier: GPL-2.0-only
/*
 * Toy programs built only from the kernel primitives: small enough to
 * know their exact behaviour, so they pin down the runtime itself (lost
 * updates, lock order inversion, invalid context, schedule counts).
 *
 * Spec lines of the "toy" model:
 *   expect counter N	the shared counter must end at N (else accounting)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/atomic.h>

#include "ksim/model.h"

struct toy {
	long counter, data, flag, stat;	/* data, flag: message passing */
	long slots[8], zeros[17];	/* zeros: lastzero's array */
	spinlock_t lock;
	struct mutex a, b;
	struct rw_semaphore sem;
	struct page page;
	atomic_t atom, table[128];	/* table: the indexer's */
	long expect;
	int has_expect;
};

struct toy_arg {
	long n;
};

static int toy_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int toy_line(struct ksim_world *w, void *priv, int argc, char **argv,
		    char *err, size_t errlen)
{
	struct toy *toy = priv;

	(void)w;
	if (!strcmp(argv[0], "expect") && argc == 3 &&
	    !strcmp(argv[1], "counter")) {
		if (toy_parse_long(argv[2], 0, 1L << 30, &toy->expect)) {
			snprintf(err, errlen, "expect counter: bad number '%s'",
				 argv[2]);
			return -1;
		}
		toy->has_expect = 1;
		return 0;
	}
	snprintf(err, errlen, "unknown toy directive '%s'", argv[0]);
	return -1;
}

static int toy_end(struct ksim_world *w, void *priv, char *err, size_t errlen)
{
	struct toy *toy = priv;

	(void)err;
	(void)errlen;
	ksim_name_object(w, &toy->counter, "counter");
	ksim_name_object(w, &toy->lock, "lock");
	ksim_name_object(w, &toy->a, "mutex_a");
	ksim_name_object(w, &toy->b, "mutex_b");
	ksim_name_object(w, &toy->sem, "sem");
	ksim_name_bits(w, &toy->page.flags, "page", ksim_pageflag_names,
		       __NR_PAGEFLAGS);
	for (int i = 0; i < 8; i++)
		ksim_name_object(w, &toy->slots[i], "slot%d", i);
	return 0;
}

static void toy_check(struct ksim_world *w, void *priv)
{
	struct toy *toy = priv;

	(void)w;
	if (toy->has_expect && toy->counter != toy->expect)
		ksim_report(KSIM_F_ACCOUNTING, __FILE__, __LINE__, __func__,
			    "lost update: counter is %ld, expected %ld",
			    toy->counter, toy->expect);
}

const struct ksim_model ksim_model_toy = {
	.name = "toy",
	.priv_size = sizeof(struct toy),
	.spec_line = toy_line,
	.spec_end = toy_end,
	.check = toy_check,
};

/* Operations taking one count argument N (default 1, or none at all). */
static int toy_setup_n(struct ksim_world *w, void *priv, int argc,
		       char **argv, void **arg, char *err, size_t errlen)
{
	struct toy_arg *a = ksim_arena_alloc(w, sizeof(*a));

	(void)priv;
	if (!a) {
		snprintf(err, errlen, "world too large");
		return -1;
	}
	a->n = 1;
	if (argc > 1 || (argc == 1 && toy_parse_long(argv[0], 0, 100000, &a->n))) {
		snprintf(err, errlen, "expected one count 0..100000");
		return -1;
	}
	*arg = a;
	return 0;
}

/* Unlocked read-modify-write: two of these lose updates. */
static void toy_incr(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;

	for (i = 0; i < n; i++) {
		long v = ksim_load(&toy->counter, KSIM_HERE);

		ksim_store(&toy->counter, v + 1, KSIM_HERE);
	}
}

static void toy_locked_incr(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;

	for (i = 0; i < n; i++) {
		long v;

		spin_lock(&toy->lock);
		v = ksim_load(&toy->counter, KSIM_HERE);
		ksim_store(&toy->counter, v + 1, KSIM_HERE);
		spin_unlock(&toy->lock);
	}
}

/* N scheduling points that touch nothing shared. */
static void toy_points(void *priv, void *arg)
{
	long i, n = ((struct toy_arg *)arg)->n;

	(void)priv;
	for (i = 0; i < n; i++)
		schedule();
}

/* N stores to this task's own slot: conflicts with nobody. */
static void toy_touch(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;
	int cpu = smp_processor_id();

	for (i = 0; i < n; i++)
		ksim_store(&toy->slots[cpu], i, KSIM_HERE);
}

static void toy_abba(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	mutex_lock(&toy->a);
	mutex_lock(&toy->b);
	mutex_unlock(&toy->b);
	mutex_unlock(&toy->a);
}

static void toy_baab(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	mutex_lock(&toy->b);
	mutex_lock(&toy->a);
	mutex_unlock(&toy->a);
	mutex_unlock(&toy->b);
}

/* Sleeping page lock under a spinlock: invalid context. */
static void toy_spin_page(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	spin_lock(&toy->lock);
	lock_page(&toy->page);
	unlock_page(&toy->page);
	spin_unlock(&toy->lock);
}

static void toy_double_unlock(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	spin_lock(&toy->lock);
	spin_unlock(&toy->lock);
	spin_unlock(&toy->lock);
}

/* Hold the page lock across N scheduling points. */
static void toy_hold_page(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;

	lock_page(&toy->page);
	for (i = 0; i < n; i++)
		schedule();
	unlock_page(&toy->page);
}

/* Assert the page lock is held without taking it. */
static void toy_assert_locked(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	schedule();
	BUG_ON(!PageLocked(&toy->page));
}

/* Take the page lock, then assert it: always fine. */
static void toy_lock_assert(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	lock_page(&toy->page);
	BUG_ON(!PageLocked(&toy->page));
	unlock_page(&toy->page);
}

static void toy_read_twice(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	down_read(&toy->sem);
	down_read(&toy->sem);
	up_read(&toy->sem);
	up_read(&toy->sem);
}

static void toy_write(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	down_write(&toy->sem);
	up_write(&toy->sem);
}

static void toy_leak_lock(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	spin_lock(&toy->lock);
}

/* Dereference NULL when the counter has been bumped by someone else. */
static void toy_crash_if_raced(void *priv, void *arg)
{
	struct toy *toy = priv;
	volatile long *volatile nowhere = NULL;

	(void)arg;
	if (ksim_load(&toy->counter, KSIM_HERE) != 0)
		*nowhere = 1;
}

static void toy_spin_forever(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	while (ksim_load(&toy->counter, KSIM_HERE) == 0)
		;
}

/*
 * Compare-and-swap rotation: task I swaps the atomic from I-1 to I, so it
 * succeeds only right after task I-1 did.  With a failed compare-and-swap
 * a read, N of them have 1 + sum over m in 1..N-1 of m * (m+1)^(N-m-1)
 * traces (2048 for N = 8); counted as writes, N! orders.
 */
static void toy_cas(void *priv, void *arg)
{
	struct toy *toy = priv;
	int i = (int)((struct toy_arg *)arg)->n;

	atomic_cmpxchg(&toy->atom, i - 1, i);
}

/* N attempts at one lock, each released at once when it succeeds. */
static void toy_try_spin(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;

	for (i = 0; i < n; i++)
		if (spin_trylock(&toy->lock))
			spin_unlock(&toy->lock);
}

static void toy_try_mutex(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;

	for (i = 0; i < n; i++)
		if (mutex_trylock(&toy->a))
			mutex_unlock(&toy->a);
}

static void toy_try_page(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;

	for (i = 0; i < n; i++)
		if (trylock_page(&toy->page))
			unlock_page(&toy->page);
}

static void toy_try_read(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;

	for (i = 0; i < n; i++)
		if (down_read_trylock(&toy->sem))
			up_read(&toy->sem);
}

static void toy_try_write(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;

	for (i = 0; i < n; i++)
		if (down_write_trylock(&toy->sem))
			up_write(&toy->sem);
}

/* Hold the spinlock, the mutex, the page lock and the rwsem for writing
 * across N scheduling points. */
static void toy_hold_all(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;

	mutex_lock(&toy->a);
	down_write(&toy->sem);
	lock_page(&toy->page);
	spin_lock(&toy->lock);
	for (i = 0; i < n; i++)
		ksim_yield(KSIM_HERE);
	spin_unlock(&toy->lock);
	unlock_page(&toy->page);
	up_write(&toy->sem);
	mutex_unlock(&toy->a);
}

/* One store of 1 to the counter (readers(N): its one writer). */
static void toy_setx(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	ksim_store(&toy->counter, 1, KSIM_HERE);
}

/* One load of the counter (readers(N): each reader). */
static void toy_getx(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	ksim_load(&toy->counter, KSIM_HERE);
}

/*
 * lastzero(N) (Abdulla et al., "Optimal dynamic partial order reduction",
 * POPL 2014): an array of N+1 zeros; one task scans it from index N down
 * for the last zero, task I (1..N) sets zeros[I] to zeros[I-1] + 1.
 */
static void toy_lz_scan(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i = ((struct toy_arg *)arg)->n;

	if (i > 16)
		i = 16;
	/* zeros[0] is never written: the scan ends there at the latest */
	while (i >= 0 && ksim_load(&toy->zeros[i], KSIM_HERE) != 0)
		i--;
}

static void toy_lz_write(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i = ((struct toy_arg *)arg)->n;

	if (i < 1 || i > 16)
		return;
	ksim_store(&toy->zeros[i], ksim_load(&toy->zeros[i - 1], KSIM_HERE) + 1,
		   KSIM_HERE);
}

/*
 * indexer (Flanagan and Godefroid, POPL 2005): task TID inserts four
 * values w = 11 m + TID (m = 1..4) into a 128-slot hash table at
 * h = 7 w mod 128 by compare-and-swap from 0, probing the next slot while
 * the slot is taken.  Tasks 0..11 and up share values pairwise (11 (m+1) + t
 * = 11 m + (t + 11)): with N tasks, 3 (N - 11) contended slots.
 */
static void toy_indexer(void *priv, void *arg)
{
	struct toy *toy = priv;
	int tid = (int)((struct toy_arg *)arg)->n;

	for (int m = 1; m <= 4; m++) {
		int w = m * 11 + tid;
		int h = (w * 7) % 128;

		while (atomic_cmpxchg(&toy->table[h], 0, w) != 0)
			h = (h + 1) % 128;
	}
}

/*
 * Message passing: publish data, then a flag (WRITE_ONCE); the receiver
 * reads data only when it sees the flag.  With N = 1 the sender has
 * smp_wmb() between the two and the receiver smp_rmb() after the flag:
 * the data accesses are ordered, not a race.
 */
static void toy_mp_send(void *priv, void *arg)
{
	struct toy *toy = priv;

	ksim_store(&toy->data, 42, KSIM_HERE);
	if (((struct toy_arg *)arg)->n)
		smp_wmb();
	schedule();
	WRITE_ONCE(toy->flag, 1);
}

static void toy_mp_recv(void *priv, void *arg)
{
	struct toy *toy = priv;

	schedule();
	if (!READ_ONCE(toy->flag))
		return;
	if (((struct toy_arg *)arg)->n)
		smp_rmb();
	(void)ksim_load(&toy->data, KSIM_HERE);
}

/* A statistics counter bumped without a lock; N = 1: inside data_race(). */
static void toy_stat(void *priv, void *arg)
{
	struct toy *toy = priv;

	schedule();
	if (((struct toy_arg *)arg)->n)
		data_race(toy->stat++);
	else
		toy->stat++;
}

/* The counter incremented under the rwsem, held for reading (N = 0) or
 * writing (N = 1). */
static void toy_sem_incr(void *priv, void *arg)
{
	struct toy *toy = priv;
	int wr = ((struct toy_arg *)arg)->n != 0;
	long v;

	if (wr)
		down_write(&toy->sem);
	else
		down_read(&toy->sem);
	v = ksim_load(&toy->counter, KSIM_HERE);
	ksim_store(&toy->counter, v + 1, KSIM_HERE);
	if (wr)
		up_write(&toy->sem);
	else
		up_read(&toy->sem);
}

/*
 * N points that touch nothing, then a load of the counter; only while it
 * is still 0, READ_ONCE(flag) and BUG when the flag is set.  Beside setx
 * (sets the counter) and setflag (sets the flag): the BUG needs setflag
 * before the check and setx not yet run, so its run stops with setx's one
 * step never taken.
 */
static void toy_check_flag(void *priv, void *arg)
{
	struct toy *toy = priv;
	long i, n = ((struct toy_arg *)arg)->n;

	for (i = 0; i < n; i++)
		schedule();
	if (ksim_load(&toy->counter, KSIM_HERE) == 0)
		BUG_ON(READ_ONCE(toy->flag));
}

/* One store of 1 to the flag. */
static void toy_setflag(void *priv, void *arg)
{
	struct toy *toy = priv;

	(void)arg;
	ksim_store(&toy->flag, 1, KSIM_HERE);
}

/*
 * The operations of the audit's toys name the fields they use (for the
 * audit, which follows named fields) when a task of theirs is set up.
 */
static int toy_setup_named(struct ksim_world *w, void *priv, int argc,
			   char **argv, void **arg, char *err, size_t errlen)
{
	struct toy *toy = priv;

	ksim_name_object(w, &toy->data, "data");
	ksim_name_object(w, &toy->flag, "flag");
	ksim_name_object(w, &toy->stat, "stat");
	return toy_setup_n(w, priv, argc, argv, arg, err, errlen);
}

#define TOY_OP(nm, fn, use, sum) \
	{ .name = nm, .model = "toy", .usage = use, .summary = sum, \
	  .setup = toy_setup_n, .run = fn }
#define TOY_AUDIT_OP(nm, fn, use, sum) \
	{ .name = nm, .model = "toy", .usage = use, .summary = sum, \
	  .setup = toy_setup_named, .run = fn }

const struct ksim_opdef ksim_toy_ops[] = {
	TOY_OP("incr", toy_incr, "incr [N]", "N unlocked counter increments (load, store)"),
	TOY_OP("locked_incr", toy_locked_incr, "locked_incr [N]", "N increments under a spinlock"),
	TOY_OP("points", toy_points, "points [N]", "N scheduling points touching nothing"),
	TOY_OP("touch", toy_touch, "touch [N]", "N stores to the task's own slot"),
	TOY_OP("abba", toy_abba, "abba", "mutex a then b"),
	TOY_OP("baab", toy_baab, "baab", "mutex b then a"),
	TOY_OP("spin_page", toy_spin_page, "spin_page", "lock_page() under a spinlock"),
	TOY_OP("double_unlock", toy_double_unlock, "double_unlock", "spin_unlock() twice"),
	TOY_OP("hold_page", toy_hold_page, "hold_page [N]", "hold the page lock across N points"),
	TOY_AUDIT_OP("mp_send", toy_mp_send, "mp_send [B]", "store data, WRITE_ONCE(flag) (B = 1: smp_wmb() between)"),
	TOY_AUDIT_OP("mp_recv", toy_mp_recv, "mp_recv [B]", "READ_ONCE(flag), then load data if set (B = 1: smp_rmb() between)"),
	TOY_AUDIT_OP("stat", toy_stat, "stat [D]", "stat++ without a lock (D = 1: inside data_race())"),
	TOY_AUDIT_OP("sem_incr", toy_sem_incr, "sem_incr [W]", "counter increment under the rwsem (W = 1: for writing)"),
	TOY_OP("assert_locked", toy_assert_locked, "assert_locked", "BUG_ON(!PageLocked(page)) without locking"),
	TOY_OP("lock_assert", toy_lock_assert, "lock_assert", "lock_page, BUG_ON(!PageLocked), unlock"),
	TOY_OP("read_twice", toy_read_twice, "read_twice", "down_read() twice (recursive read)"),
	TOY_OP("write", toy_write, "write", "down_write(), up_write()"),
	TOY_OP("leak_lock", toy_leak_lock, "leak_lock", "end holding a spinlock"),
	TOY_OP("crash_if_raced", toy_crash_if_raced, "crash_if_raced", "NULL dereference if the counter changed"),
	TOY_OP("spin_forever", toy_spin_forever, "spin_forever", "loop until the counter changes"),
	TOY_OP("cas", toy_cas, "cas I", "atomic_cmpxchg(atom, I-1, I) (compare-and-swap rotation)"),
	TOY_OP("try_spin", toy_try_spin, "try_spin [N]", "N spin_trylock()s, each unlocked when it succeeds"),
	TOY_OP("try_mutex", toy_try_mutex, "try_mutex [N]", "N mutex_trylock()s, each unlocked when it succeeds"),
	TOY_OP("try_page", toy_try_page, "try_page [N]", "N trylock_page()s, each unlocked when it succeeds"),
	TOY_OP("try_read", toy_try_read, "try_read [N]", "N down_read_trylock()s, each up_read() when it succeeds"),
	TOY_OP("try_write", toy_try_write, "try_write [N]", "N down_write_trylock()s, each up_write() when it succeeds"),
	TOY_OP("hold_all", toy_hold_all, "hold_all [N]", "hold every toy lock across N points"),
	TOY_OP("setx", toy_setx, "setx", "store 1 to the counter (readers: the writer)"),
	TOY_OP("getx", toy_getx, "getx", "load the counter (readers: a reader)"),
	TOY_OP("check_flag", toy_check_flag, "check_flag [N]", "N points, then BUG_ON(flag) while the counter is still 0"),
	TOY_OP("setflag", toy_setflag, "setflag", "store 1 to the flag"),
	TOY_OP("lz_scan", toy_lz_scan, "lz_scan N", "lastzero: scan zeros[N..1] down for the last zero"),
	TOY_OP("lz_write", toy_lz_write, "lz_write I", "lastzero: zeros[I] = zeros[I-1] + 1"),
	TOY_OP("indexer", toy_indexer, "indexer TID", "indexer: insert 4 values by compare-and-swap into a hash table"),
	{ 0 }
};

/* The toy scenarios are files: ../scenarios/toy-*.scenario. */
const struct ksim_scenario ksim_toy_scenarios[] = {
	{ NULL, NULL, NULL }
};
