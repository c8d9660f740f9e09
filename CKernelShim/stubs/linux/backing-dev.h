/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: backing device capabilities.  The world's files behave like
 * tmpfs: no dirty accounting (so remap_file_pages() may make their vmas
 * nonlinear).
 */
#ifndef _LINUX_BACKING_DEV_H
#define _LINUX_BACKING_DEV_H

#include <linux/kernel.h>

struct address_space;

static inline int mapping_cap_account_dirty(struct address_space *mapping)
{
	return 0;
}

#endif
