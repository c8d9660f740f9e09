/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: per-CPU variables.  DEFINE_PER_CPU declares nothing: the variable
 * is a field of struct ksim_percpu, and the world holds one such
 * structure per simulated CPU (smp_processor_id() = task index).
 */
#ifndef _LINUX_PERCPU_H
#define _LINUX_PERCPU_H

#include "ksim/kernel.h"
#include "ksim/mm.h"
#include "ksim/mm_percpu.h"
#include <linux/preempt.h>

#define DEFINE_PER_CPU(type, name) \
	__attribute__((unused)) const char ksim_percpu_is_in_world_##name = 0

#define per_cpu(var, cpu)	(ksim_mm_percpu(cpu)->var)
#define __get_cpu_var(var)	per_cpu(var, smp_processor_id())
/*
 * A __percpu pointer (zone->pageset) is an array with one element per
 * simulated CPU.
 */
#define per_cpu_ptr(ptr, cpu)	(&(ptr)[(cpu)])
#define this_cpu_ptr(ptr)	per_cpu_ptr(ptr, smp_processor_id())
#define get_cpu_var(var) \
	(*({ preempt_disable(); &__get_cpu_var(var); }))
#define put_cpu_var(var)	preempt_enable()

#endif
