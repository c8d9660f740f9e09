/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: time.  No time passes in a simulated run: jiffies is always 0.
 * time_after()/time_before() of a deadline are always false ("the
 * deadline has passed"): kernel rate limits keep their deadlines in
 * function-local statics, which outlive a run (and are shared by every
 * world of the process), so a deadline set by an earlier run must never
 * hold a later one back.  Rate-limited reports are therefore all made.
 */
#ifndef _LINUX_JIFFIES_H
#define _LINUX_JIFFIES_H

#include <linux/kernel.h>

#ifndef HZ
#define HZ			1000
#endif
#define jiffies			((unsigned long)0)
#define time_after(a, b)	((void)(a), (void)(b), 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((void)(a), (void)(b), 1)
#define time_before_eq(a, b)	time_after_eq(b, a)
#define msecs_to_jiffies(m)	((unsigned long)(m))

#endif
