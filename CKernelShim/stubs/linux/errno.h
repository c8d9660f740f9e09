/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: glibc's <errno.h> includes <linux/errno.h>, so this name must
 * forward to the system header; the kernel-only codes are added here.
 */
#include_next <linux/errno.h>

#ifndef _KSIM_LINUX_ERRNO_EXTRA
#define _KSIM_LINUX_ERRNO_EXTRA
#ifndef ERESTARTSYS
#define ERESTARTSYS	512
#endif
#endif
