/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: preemption control.  Each simulated task is one CPU. */
#ifndef _LINUX_PREEMPT_H
#define _LINUX_PREEMPT_H

#include "ksim/kernel.h"

#define preempt_disable()	ksim_preempt_disable()
#define preempt_enable()	ksim_preempt_enable()
#define smp_processor_id()	ksim_cpu()
#define raw_smp_processor_id()	ksim_cpu()
#define get_cpu()		({ ksim_preempt_disable(); ksim_cpu(); })
#define put_cpu()		ksim_preempt_enable()
#define nr_cpu_ids		ksim_nr_cpus()
#define for_each_online_cpu(cpu) \
	for ((cpu) = 0; (cpu) < ksim_nr_cpus(); (cpu)++)
#define for_each_possible_cpu(cpu)	for_each_online_cpu(cpu)

#endif
