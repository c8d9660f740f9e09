// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/filemap.c - page cache lookup and removal (Linux v3.13 model for
 * KernelHarness).  The radix tree is an array of slots per file.
 */

#include <linux/export.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/memcontrol.h>

#include "internal.h"

static struct page *page_slot(struct address_space *mapping, pgoff_t offset)
{
	if (offset >= KSIM_FILE_PAGES)
		return NULL;
	return mapping->ksim_pages[offset];
}

/*
 * Remove a page from the page cache.  Caller holds the page lock and
 * mapping->tree_lock; the page must no longer be mapped.
 */
void __delete_from_page_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;

	mapping->ksim_pages[page->index] = NULL;
	page->mapping = NULL;
	/* page->index stays: truncation relies on it */
	mapping->nrpages--;
	__dec_zone_page_state(page, NR_FILE_PAGES);
	BUG_ON(page_mapped(page));
}

/**
 * delete_from_page_cache - drop a locked page from the page cache
 * @page: the page
 *
 * Drops the page cache's reference too.
 */
void delete_from_page_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;
	void (*freepage)(struct page *);

	BUG_ON(!PageLocked(page));

	freepage = mapping->a_ops->freepage;
	spin_lock_irq(&mapping->tree_lock);
	__delete_from_page_cache(page);
	spin_unlock_irq(&mapping->tree_lock);

	if (freepage)
		freepage(page);
	page_cache_release(page);
}

/**
 * find_get_page - look up and pin a page cache page
 * @mapping: the file
 * @offset: page offset
 *
 * Lockless: the reference is taken only if the count is not zero (a
 * page being freed or frozen), and the slot is checked again after.
 */
struct page *find_get_page(struct address_space *mapping, pgoff_t offset)
{
	struct page *page;

repeat:
	page = page_slot(mapping, offset);
	if (page) {
		if (!get_page_unless_zero(page))
			goto repeat;
		/* still the page of that slot? */
		if (unlikely(page != page_slot(mapping, offset))) {
			page_cache_release(page);
			goto repeat;
		}
	}
	return page;
}

/* Pin up to nr_pages page cache pages from index start on. */
unsigned find_get_pages(struct address_space *mapping, pgoff_t start,
			    unsigned int nr_pages, struct page **pages)
{
	pgoff_t index;
	unsigned int ret = 0;

	for (index = start; index < KSIM_FILE_PAGES && ret < nr_pages;
	     index++) {
		struct page *page;
repeat:
		page = page_slot(mapping, index);
		if (!page)
			continue;
		if (!get_page_unless_zero(page))
			goto repeat;
		if (unlikely(page != page_slot(mapping, index))) {
			page_cache_release(page);
			goto repeat;
		}
		pages[ret] = page;
		ret++;
	}
	return ret;
}
