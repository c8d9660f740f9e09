/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: BUG_ON and friends.  CONFIG_DEBUG_VM is on, so VM_BUG_ON is
 * BUG_ON.  A BUG stops the task and reports "kernel BUG at FILE:LINE!";
 * a WARN records a finding and goes on (so does a BUG_ON under the
 * audit's KSIM_AUDIT_BUG_GOES_ON: BUG() never returns).  While the condition of a BUG_ON
 * is evaluated the task is "in an assertion", which lets PageLocked()
 * check that the asserting task is the one that holds the page lock.
 */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

#include "ksim/kernel.h"

#define BUG()	ksim_bug("BUG()", KSIM_HERE)

#define BUG_ON(condition) do {						\
	int __ksim_c;							\
	ksim_assert_begin();						\
	__ksim_c = !!(condition);					\
	ksim_assert_end();						\
	if (unlikely(__ksim_c))						\
		ksim_bug_on(#condition, KSIM_HERE);			\
} while (0)

#define VM_BUG_ON(condition)	BUG_ON(condition)
#define BUILD_BUG_ON(condition)	((void)sizeof(char[1 - 2 * !!(condition)]))

#define WARN_ON(condition) ({						\
	int __ksim_w = !!(condition);					\
	ksim_warn(__ksim_w, #condition, KSIM_HERE);			\
})
#define WARN_ON_ONCE(condition)	WARN_ON(condition)
#define WARN(condition, ...)	WARN_ON(condition)
#define WARN_ONCE(condition, ...) WARN_ON(condition)

#ifndef unlikely
#define unlikely(x)		__builtin_expect(!!(x), 0)
#endif

#endif
