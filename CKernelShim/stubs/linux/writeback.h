/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: writeback.  A world's files are tmpfs-like (no dirty accounting,
 * see backing-dev.h) and have no ->writepage: nobody is ever throttled
 * and nothing is ever written.
 */
#ifndef _LINUX_WRITEBACK_H
#define _LINUX_WRITEBACK_H

#include <linux/kernel.h>
#include <linux/mm.h>

enum writeback_sync_modes {
	WB_SYNC_NONE,
	WB_SYNC_ALL,
};

struct writeback_control {
	long nr_to_write;
	long pages_skipped;
	long long range_start;
	long long range_end;
	enum writeback_sync_modes sync_mode;
	unsigned for_kupdate:1;
	unsigned for_background:1;
	unsigned tagged_writepages:1;
	unsigned for_reclaim:1;
	unsigned range_cyclic:1;
	unsigned for_sync:1;
};

#define balance_dirty_pages_ratelimited(mapping) do { (void)(mapping); } while (0)

/* Dirty a page a write fault made writable, then throttle its writer. */
static inline void set_page_dirty_balance(struct page *page, int page_mkwrite)
{
	if (set_page_dirty(page) || page_mkwrite) {
		struct address_space *mapping = page_mapping(page);

		if (mapping)
			balance_dirty_pages_ratelimited(mapping);
	}
}

#endif
