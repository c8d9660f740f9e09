/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: resource limits.  The tasks of a world have no limits: rlimit()
 * of any resource is RLIM_INFINITY.
 */
#ifndef _LINUX_RESOURCE_H
#define _LINUX_RESOURCE_H

#include <linux/kernel.h>

#define RLIMIT_MEMLOCK		8
#define RLIM_INFINITY		(~0UL)

#define rlimit(limit)		((void)(limit), RLIM_INFINITY)

#endif
