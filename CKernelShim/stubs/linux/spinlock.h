/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: spinlocks.  Every lock and unlock is a scheduling point; a task
 * spinning on a held lock is simply not enabled.  The _irq and _irqsave
 * forms also put the task in atomic context with interrupts off.
 */
#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H

#include "ksim/kernel.h"
#include <linux/irqflags.h>
#include <linux/preempt.h>

#define spin_lock_init(l)	do { (l)->owner = 0; } while (0)
#define __SPIN_LOCK_UNLOCKED(n)	{ 0 }

#define spin_lock(l)		ksim_spin_lock((l), KSIM_HERE)
#define spin_trylock(l)		ksim_spin_trylock((l), KSIM_HERE)
#define spin_unlock(l)		ksim_spin_unlock((l), KSIM_HERE)

#define spin_lock_irq(l) do {						\
	ksim_irq_disable();						\
	ksim_spin_lock((l), KSIM_HERE);					\
} while (0)
#define spin_unlock_irq(l) do {						\
	ksim_spin_unlock((l), KSIM_HERE);				\
	ksim_irq_enable();						\
} while (0)
#define spin_lock_irqsave(l, flags) do {				\
	(flags) = 0;							\
	ksim_irq_disable();						\
	ksim_spin_lock((l), KSIM_HERE);					\
} while (0)
#define spin_unlock_irqrestore(l, flags) do {				\
	(void)(flags);							\
	ksim_spin_unlock((l), KSIM_HERE);				\
	ksim_irq_enable();						\
} while (0)

#define spin_is_locked(l)	((l)->owner != 0)
#define assert_spin_locked(l)	BUG_ON(!spin_is_locked(l))

#endif
