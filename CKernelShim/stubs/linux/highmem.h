/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: page contents are not modelled: zeroing and copying do nothing. */
#ifndef _LINUX_HIGHMEM_H
#define _LINUX_HIGHMEM_H

#include <linux/kernel.h>

#ifndef zero_user_segment
#define zero_user_segment(page, start, end) \
	do { (void)(page); (void)(start); (void)(end); } while (0)
#define zero_user(page, start, size)	do { (void)(page); } while (0)
#define clear_highpage(page)		do { (void)(page); } while (0)
#endif

#endif
