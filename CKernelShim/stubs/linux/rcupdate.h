/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: RCU.  Read-side sections are empty: the objects the modelled code
 * looks up under RCU (page cache slots, anon_vmas) live as long as the
 * world does, so nothing is ever freed under a reader.
 */
#ifndef _LINUX_RCUPDATE_H
#define _LINUX_RCUPDATE_H

#include <linux/kernel.h>

#ifndef rcu_read_lock
#define rcu_read_lock()			do { } while (0)
#define rcu_read_unlock()		do { } while (0)
#endif
#ifndef rcu_dereference
#define rcu_dereference(p)		(p)
#define rcu_dereference_protected(p, c)	(p)
#define rcu_assign_pointer(p, v)	((p) = (v))
#endif

#endif
