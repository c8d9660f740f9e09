/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: RCU read-side sections.  Objects the modelled code reads under
 * RCU (anon_vmas) are type-stable and never returned to the host while
 * a world lives, so a read-side section needs no grace period here.
 * As in a non-preemptible kernel, the section disables preemption: a
 * sleeping primitive inside it is reported as called from an invalid
 * context (what CONFIG_DEBUG_ATOMIC_SLEEP catches).  Not a scheduling
 * point.
 */
#ifndef _LINUX_RCUPDATE_H
#define _LINUX_RCUPDATE_H

#include <linux/kernel.h>
#include <linux/preempt.h>

#define rcu_read_lock()		preempt_disable()
#define rcu_read_unlock()	preempt_enable()
#ifndef rcu_dereference
#define rcu_dereference(p)		(p)
#define rcu_dereference_protected(p, c)	(p)
#define rcu_assign_pointer(p, v)	((p) = (v))
#endif

#endif
