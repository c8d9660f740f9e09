/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: dirty-page throttling.  A world's files are tmpfs-like (no dirty
 * accounting, see backing-dev.h): nobody is ever throttled.
 */
#ifndef _LINUX_WRITEBACK_H
#define _LINUX_WRITEBACK_H

#include <linux/mm.h>

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
