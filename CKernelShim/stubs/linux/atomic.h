/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: atomic_t.  Every access is a scheduling point. */
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H

#include "ksim/kernel.h"

#define ATOMIC_INIT(i)		{ (i) }
#define atomic_read(v)		ksim_atomic_read((v), KSIM_HERE)
#define atomic_set(v, i)	ksim_atomic_set((v), (i), KSIM_HERE)
#define atomic_add_return(i, v)	ksim_atomic_add_return((v), (i), KSIM_HERE)
#define atomic_sub_return(i, v)	ksim_atomic_add_return((v), -(i), KSIM_HERE)
#define atomic_inc_return(v)	ksim_atomic_add_return((v), 1, KSIM_HERE)
#define atomic_dec_return(v)	ksim_atomic_add_return((v), -1, KSIM_HERE)
#define atomic_add(i, v)	((void)ksim_atomic_add_return((v), (i), KSIM_HERE))
#define atomic_sub(i, v)	((void)ksim_atomic_add_return((v), -(i), KSIM_HERE))
#define atomic_inc(v)		((void)ksim_atomic_add_return((v), 1, KSIM_HERE))
#define atomic_dec(v)		((void)ksim_atomic_add_return((v), -1, KSIM_HERE))
#define atomic_inc_and_test(v)	(ksim_atomic_add_return((v), 1, KSIM_HERE) == 0)
#define atomic_dec_and_test(v)	(ksim_atomic_add_return((v), -1, KSIM_HERE) == 0)
#define atomic_add_negative(i, v) (ksim_atomic_add_return((v), (i), KSIM_HERE) < 0)
#define atomic_sub_and_test(i, v) (ksim_atomic_add_return((v), -(i), KSIM_HERE) == 0)
#define atomic_add_unless(v, a, u) \
	(ksim_atomic_add_unless((v), (a), (u), KSIM_HERE) != (u))
#define atomic_cmpxchg(v, o, n)	ksim_atomic_cmpxchg((v), (o), (n), KSIM_HERE)
#define atomic_inc_not_zero(v)	atomic_add_unless((v), 1, 0)

#define atomic_long_read(v)	ksim_atomic_long_read((v), KSIM_HERE)
#define atomic_long_add(i, v)	((void)ksim_atomic_long_add_return((v), (i), KSIM_HERE))
#define atomic_long_sub(i, v)	((void)ksim_atomic_long_add_return((v), -(i), KSIM_HERE))
#define atomic_long_inc(v)	atomic_long_add(1, (v))
#define atomic_long_dec(v)	atomic_long_sub(1, (v))

/*
 * Barriers: a real fence, and (not a scheduling point) the ordering they
 * give, for the audit's happens-before: smp_wmb() releases, smp_rmb()
 * acquires, smp_mb() does both.
 */
void ksim_smp_fence(int acquire, int release);
#define smp_mb()		ksim_smp_fence(1, 1)
#define smp_wmb()		ksim_smp_fence(0, 1)
#define smp_rmb()		ksim_smp_fence(1, 0)
#define smp_mb__after_clear_bit()	smp_mb()
#define smp_mb__before_clear_bit()	smp_mb()

#endif
