/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: CPU masks.  A mask holds no bits here (an empty structure): it
 * stands for every CPU.  The kernel's callers keep such masks in
 * function-local statics; an empty one is no state shared by worlds.  A
 * loop over a mask visits every online CPU; lru_add_drain_all() then
 * flushes works that were never queued, which do nothing.
 */
#ifndef __LINUX_CPUMASK_H
#define __LINUX_CPUMASK_H

#include <linux/kernel.h>
#include <linux/preempt.h>

struct cpumask {
};

#define cpumask_clear(mask)		((void)(mask))
#define cpumask_set_cpu(cpu, mask)	((void)(cpu), (void)(mask))
#define for_each_cpu(cpu, mask)		for_each_online_cpu(cpu)

#endif
