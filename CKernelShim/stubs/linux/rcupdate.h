/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: RCU read-side sections.  Objects the modelled code reads under
 * RCU (anon_vmas) are type-stable and never returned to the host while
 * a world lives, so a read-side section needs no grace period here.
 */
#ifndef _LINUX_RCUPDATE_H
#define _LINUX_RCUPDATE_H

#include <linux/kernel.h>

#define rcu_read_lock()		do { } while (0)
#define rcu_read_unlock()	do { } while (0)

#endif
