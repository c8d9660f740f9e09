/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: work queues.  schedule_on_each_cpu(func) runs func in a kworker
 * of every CPU and waits for them all.  Here it runs func once, on the
 * calling CPU only: a simulated CPU is the one task running on it, and
 * running its work from another task could interleave with that task's
 * own preempt-disabled pagevec updates, which the kernel excludes.
 * Pagevecs of the other CPUs stay as they are until the world drains
 * them at the end of the run.
 */
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H

#include <linux/kernel.h>

struct work_struct {
	int ksim_unused;
};

typedef void (*work_func_t)(struct work_struct *work);

#define schedule_on_each_cpu(func)	({ (func)(NULL); 0; })

#endif
