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

/* page cache area: per-device statistics are not kept */
enum bdi_stat_item {
	BDI_RECLAIMABLE,
	BDI_WRITEBACK,
	BDI_DIRTIED,
	BDI_WRITTEN,
	NR_BDI_STAT_ITEMS
};
struct backing_dev_info;
#define inc_bdi_stat(bdi, item)		do { (void)(bdi); } while (0)
#define dec_bdi_stat(bdi, item)		do { (void)(bdi); } while (0)
#define __inc_bdi_stat(bdi, item)	do { (void)(bdi); } while (0)
#define __dec_bdi_stat(bdi, item)	do { (void)(bdi); } while (0)
/* no device is ever congested: nothing is written back */
#define bdi_write_congested(bdi)	((void)(bdi), 0)
#define bdi_read_congested(bdi)		((void)(bdi), 0)

static inline int mapping_cap_account_dirty(struct address_space *mapping)
{
	return 0;
}

#endif
