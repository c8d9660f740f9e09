/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: LRU list helpers.  List updates are plain, under zone->lru_lock. */
#ifndef LINUX_MM_INLINE_H
#define LINUX_MM_INLINE_H

#include "ksim/kernel.h"
#include <linux/mm.h>

static inline enum lru_list page_lru_base_type(struct page *page)
{
	if (page_is_file_cache(page))
		return LRU_INACTIVE_FILE;
	return LRU_INACTIVE_ANON;
}

/* Which list the page belongs on, from its flags. */
static inline enum lru_list page_lru(struct page *page)
{
	enum lru_list lru;

	if (PageUnevictable(page))
		lru = LRU_UNEVICTABLE;
	else {
		lru = page_lru_base_type(page);
		if (PageActive(page))
			lru += LRU_ACTIVE;
	}
	return lru;
}

/* Which list the page is leaving; clears PG_active/PG_unevictable. */
static inline enum lru_list page_off_lru(struct page *page)
{
	enum lru_list lru;

	if (PageUnevictable(page)) {
		__ClearPageUnevictable(page);
		lru = LRU_UNEVICTABLE;
	} else {
		lru = page_lru_base_type(page);
		if (PageActive(page)) {
			__ClearPageActive(page);
			lru += LRU_ACTIVE;
		}
	}
	return lru;
}

/*
 * The LRU list moves, remembered per page (ksim_note_write on page->lru)
 * at the kernel line that made them, for the quiescence reports.
 */
static inline void ksim_add_page_to_lru_list(struct page *page,
				struct lruvec *lruvec, enum lru_list lru,
				KSIM_LOC)
{
	list_add(&page->lru, &lruvec->lists[lru]);
	__mod_zone_page_state(ksim_mm_zone(), NR_LRU_BASE + lru, 1);
	ksim_note_write(&page->lru, -1, "add_page_to_lru_list", file, line,
			func);
}

static inline void ksim_del_page_from_lru_list(struct page *page,
				struct lruvec *lruvec, enum lru_list lru,
				KSIM_LOC)
{
	list_del(&page->lru);
	__mod_zone_page_state(ksim_mm_zone(), NR_LRU_BASE + lru, -1);
	ksim_note_write(&page->lru, -1, "del_page_from_lru_list", file, line,
			func);
}

#define add_page_to_lru_list(page, lruvec, lru) \
	ksim_add_page_to_lru_list((page), (lruvec), (lru), KSIM_HERE)
#define del_page_from_lru_list(page, lruvec, lru) \
	ksim_del_page_from_lru_list((page), (lruvec), (lru), KSIM_HERE)

#endif
