/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: per-CPU work items, as lru_add_drain_all() uses them.  A work
 * queued on CPU N runs when somebody flushes it, in the flushing task but
 * as CPU N (smp_processor_id() is N while it runs), and only once the
 * task of CPU N is out of atomic context, as the kworker of that CPU
 * could only run then; while the work runs, the task of CPU N does not
 * (the kworker has preempted it).
 */
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H

#include "ksim/kernel.h"
#include <linux/kernel.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
	int ksim_pending;	/* queued, not yet run */
	int ksim_cpu;		/* the CPU it was queued on */
};

#define INIT_WORK(_work, _func) do {					\
	(_work)->func = (_func);					\
	(_work)->ksim_pending = 0;					\
} while (0)

/* Queue work on cpu; false if it is queued already. */
static inline bool schedule_work_on(int cpu, struct work_struct *work)
{
	if (work->ksim_pending)
		return false;
	work->ksim_pending = 1;
	work->ksim_cpu = cpu;
	return true;
}

/* Wait for a queued work to have run (here: run it); false if idle. */
#define flush_work(work)	ksim_flush_work((work), KSIM_HERE)
static inline bool ksim_flush_work(struct work_struct *work, KSIM_LOC)
{
	int old;

	if (!work->ksim_pending)
		return false;
	ksim_bit_wait(ksim_cpu_atomic_word(), work->ksim_cpu, file, line,
		      func);
	work->ksim_pending = 0;
	old = ksim_cpu_set_override(work->ksim_cpu);
	work->func(work);
	ksim_cpu_set_override(old);
	return true;
}

#endif
