/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: CPU hotplug is out of scope: the simulated CPUs never go away. */
#ifndef _LINUX_CPU_H
#define _LINUX_CPU_H

#include <linux/cpumask.h>

#define get_online_cpus()	do { } while (0)
#define put_online_cpus()	do { } while (0)

#endif
