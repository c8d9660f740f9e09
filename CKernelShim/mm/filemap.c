// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/filemap.c - page cache lookup and removal (Linux v3.13 model for
 * KernelHarness).  The page cache of a file is its page_tree (see
 * linux/radix-tree.h for how the harness keeps it).
 */

#include <linux/export.h>
#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/backing-dev.h>
#include <linux/radix-tree.h>
#include <linux/rcupdate.h>
#include <linux/memcontrol.h>
#include <linux/cleancache.h>

#include "internal.h"

#include <trace/events/filemap.h>

/*
 * Remove a page from the page cache.  The caller holds the page lock and
 * mapping->tree_lock, and the page must no longer be mapped.  The page
 * cache's reference is the caller's to drop.
 */
void __delete_from_page_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;

	trace_mm_filemap_delete_from_page_cache(page);
	/* hand clean data to cleancache, or make it forget stale data */
	if (PageUptodate(page) && PageMappedToDisk(page))
		cleancache_put_page(page);
	else
		cleancache_invalidate_page(mapping, page);

	radix_tree_delete(&mapping->page_tree, page->index);
	page->mapping = NULL;
	/* page->index stays: truncation relies on it */
	mapping->nrpages--;
	__dec_zone_page_state(page, NR_FILE_PAGES);
	if (PageSwapBacked(page))
		__dec_zone_page_state(page, NR_SHMEM);
	BUG_ON(page_mapped(page));

	/*
	 * A filesystem may dirty the page again after the VM cleaned it:
	 * undo the dirty accounting now that the page is gone.
	 */
	if (PageDirty(page) && mapping_cap_account_dirty(mapping)) {
		dec_zone_page_state(page, NR_FILE_DIRTY);
		dec_bdi_stat(mapping->backing_dev_info, BDI_RECLAIMABLE);
	}
}

/**
 * delete_from_page_cache - drop a locked page from the page cache
 * @page: the page
 *
 * Drops the page cache's reference too; the caller keeps its own.
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
	mem_cgroup_uncharge_cache_page(page);

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
	void **pagep;
	struct page *page;

	rcu_read_lock();
repeat:
	page = NULL;
	pagep = radix_tree_lookup_slot(&mapping->page_tree, offset);
	if (pagep) {
		page = radix_tree_deref_slot(pagep);
		if (unlikely(!page))
			goto out;
		if (radix_tree_exception(page)) {
			if (radix_tree_deref_retry(page))
				goto repeat;
			/* a shmem swap entry: returned as it is, unpinned */
			goto out;
		}
		if (!page_cache_get_speculative(page))
			goto repeat;

		/* still the page of that slot? */
		if (unlikely(page != *pagep)) {
			page_cache_release(page);
			goto repeat;
		}
	}
out:
	rcu_read_unlock();

	return page;
}

/**
 * find_lock_page - look up, pin and lock a page cache page
 * @mapping: the file
 * @offset: page offset
 *
 * Sleeps for the page lock; a page truncated meanwhile is dropped and
 * the lookup starts over.
 */
struct page *find_lock_page(struct address_space *mapping, pgoff_t offset)
{
	struct page *page;

repeat:
	page = find_get_page(mapping, offset);
	if (page && !radix_tree_exception(page)) {
		lock_page(page);
		/* truncated while we slept? */
		if (unlikely(page->mapping != mapping)) {
			unlock_page(page);
			page_cache_release(page);
			goto repeat;
		}
		VM_BUG_ON(page->index != offset);
	}
	return page;
}

/* Pin up to nr_pages page cache pages from index start on. */
unsigned find_get_pages(struct address_space *mapping, pgoff_t start,
			    unsigned int nr_pages, struct page **pages)
{
	struct radix_tree_iter iter;
	void **slot;
	unsigned ret = 0;

	if (unlikely(!nr_pages))
		return 0;

	rcu_read_lock();
restart:
	radix_tree_for_each_slot(slot, &mapping->page_tree, &iter, start) {
		struct page *page;
repeat:
		page = radix_tree_deref_slot(slot);
		if (unlikely(!page))
			continue;

		if (radix_tree_exception(page)) {
			if (radix_tree_deref_retry(page)) {
				/* nothing taken yet: start again */
				WARN_ON(iter.index);
				goto restart;
			}
			/* a shmem swap entry: skipped */
			continue;
		}

		if (!page_cache_get_speculative(page))
			goto repeat;

		/* moved meanwhile? */
		if (unlikely(page != *slot)) {
			page_cache_release(page);
			goto repeat;
		}

		pages[ret] = page;
		if (++ret == nr_pages)
			break;
	}

	rcu_read_unlock();
	return ret;
}
