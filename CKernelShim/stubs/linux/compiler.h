/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: compiler annotations (duplicated from the kernel's meaning). */
#ifndef _LINUX_COMPILER_H
#define _LINUX_COMPILER_H

#include "ksim/kernel.h"

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline		inline
#endif
#define noinline		__attribute__((noinline))
#define __read_mostly
#define __maybe_unused		__attribute__((unused))
#define __used			__attribute__((used))
#define __user
#define __rcu
#define __init
#define __exit
#define __must_check
#define __force
#define __percpu
/* sparse lock annotations (pgtable area) */
#define __releases(x)
#define __acquires(x)
#define __cond_lock(x, c)	(c)
/* page cache area */
#ifndef uninitialized_var
#define uninitialized_var(x)	x = x
#endif
#define noinline_for_stack	noinline
#define barrier()		__asm__ __volatile__("" ::: "memory")
#define ACCESS_ONCE(x)		(*(volatile __typeof__(x) *)&(x))
#define READ_ONCE(x)		ACCESS_ONCE(x)
#define WRITE_ONCE(x, v)	(ACCESS_ONCE(x) = (v))

/*
 * data_race(expr) (a later kernel's marking of an access that may race on
 * purpose, for patches that use it): its accesses are noted as such, and
 * the audit reports no data race on them.  Not a scheduling point.
 */
void ksim_data_race_enter(void);
void ksim_data_race_exit(void);
#define data_race(expr)							\
	({								\
		__typeof__(({ expr; })) __ksim_v;			\
		ksim_data_race_enter();					\
		__ksim_v = ({ expr; });					\
		ksim_data_race_exit();					\
		__ksim_v;						\
	})

#endif
