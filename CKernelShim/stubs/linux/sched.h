/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: scheduler hooks.  cond_resched() is only a might-sleep check:
 * every shared access is already a place where another task may run.
 */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include "ksim/kernel.h"
#include <linux/preempt.h>

#define might_sleep()		ksim_might_sleep(KSIM_HERE)
#define cond_resched()		({ ksim_might_sleep(KSIM_HERE); 0; })
#define schedule()		ksim_yield(KSIM_HERE)
#define fatal_signal_pending(p)	0
#define signal_pending(p)	0

#endif
