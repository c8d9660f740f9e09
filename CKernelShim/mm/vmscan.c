// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/vmscan.c - page reclaim: LRU isolation and putback, and the part of
 * shrink_page_list() that decides about one page (Linux v3.13 model for
 * KernelHarness).
 */

#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/kernel_stat.h>
#include <linux/swap.h>
#include <linux/pagemap.h>
#include <linux/init.h>
#include <linux/highmem.h>
#include <linux/vmstat.h>
#include <linux/rmap.h>
#include <linux/memcontrol.h>
#include <linux/mm_inline.h>
#include <linux/migrate.h>
#include <linux/backing-dev.h>
#include <linux/buffer_head.h>
#include <linux/writeback.h>
#include <linux/swapops.h>
#include <linux/balloon_compaction.h>

#include <asm/tlbflush.h>

#include "internal.h"

#include <trace/events/vmscan.h>

/* What one reclaim pass may do, and what it did. */
struct scan_control {
	/* inactive pages looked at */
	unsigned long nr_scanned;

	/* pages freed */
	unsigned long nr_reclaimed;

	/* the goal */
	unsigned long nr_to_reclaim;

	unsigned long hibernation_mode;

	/* the allocation context reclaim runs for */
	gfp_t gfp_mask;

	int may_writepage;

	/* may mapped pages be unmapped? */
	int may_unmap;

	/* may anonymous pages go to swap? */
	int may_swap;

	int order;

	/* scan a 1 / 2^priority share of each list */
	int priority;

	/* the memcg reclaimed from, NULL for global reclaim */
	struct mem_cgroup *target_mem_cgroup;

	/* the nodes to reclaim from, NULL for all */
	nodemask_t	*nodemask;
};

#define lru_to_page(_head) (list_entry((_head)->prev, struct page, lru))

/* memcg is out of scope: every reclaim is global reclaim. */
static bool global_reclaim(struct scan_control *sc)
{
	return true;
}

/* What pageout() did with a dirty page. */
typedef enum {
	/* not written; the page is still locked */
	PAGE_KEEP,
	/* not written: activate it; the page is still locked */
	PAGE_ACTIVATE,
	/* written (or being written); the page was unlocked */
	PAGE_SUCCESS,
	/* clean after all; the page is still locked */
	PAGE_CLEAN,
} pageout_t;

/*
 * model-only: writeback I/O is out of scope, and no world file has a
 * ->writepage (the kernel's pageout() answers PAGE_ACTIVATE then).  Only
 * kswapd writes file pages from reclaim, so this is never reached.
 */
static pageout_t pageout(struct page *page, struct address_space *mapping,
			 struct scan_control *sc)
{
	return PAGE_ACTIVATE;
}

/*
 * Detach a locked, unmapped page from the page cache if only the cache
 * and the isolation hold it.  Returns 1 if it was removed.
 */
static int __remove_mapping(struct address_space *mapping, struct page *page)
{
	BUG_ON(!PageLocked(page));
	BUG_ON(mapping != page_mapping(page));

	spin_lock_irq(&mapping->tree_lock);
	/*
	 * Two references: the page cache and our isolation.  Freezing the
	 * count at zero keeps speculative lookups from taking a new one.
	 */
	if (!page_freeze_refs(page, 2))
		goto cannot_free;
	/* (page_freeze_refs()' cmpxchg orders the flags read after it) */
	if (unlikely(PageDirty(page))) {
		page_unfreeze_refs(page, 2);
		goto cannot_free;
	}

	if (PageSwapCache(page)) {
		swp_entry_t swap = { .val = page_private(page) };
		__delete_from_swap_cache(page);
		spin_unlock_irq(&mapping->tree_lock);
		swapcache_free(swap, page);
	} else {
		void (*freepage)(struct page *);

		freepage = mapping->a_ops->freepage;

		__delete_from_page_cache(page);
		spin_unlock_irq(&mapping->tree_lock);
		mem_cgroup_uncharge_cache_page(page);

		if (freepage != NULL)
			freepage(page);
	}

	return 1;

cannot_free:
	spin_unlock_irq(&mapping->tree_lock);
	return 0;
}

/**
 * putback_lru_page - return an isolated page to the LRU
 * @page: the page, isolated by the caller, whose reference it drops
 *
 * An evictable page goes through this CPU's pagevec, an unevictable one
 * straight to the unevictable list.  If the page became evictable while
 * we were putting it there, take it off again and retry.
 */
void putback_lru_page(struct page *page)
{
	bool is_unevictable;
	int was_unevictable = PageUnevictable(page);

	VM_BUG_ON(PageLRU(page));

redo:
	ClearPageUnevictable(page);

	if (page_evictable(page)) {
		/*
		 * The pagevec may race with mlock: at worst an mlocked
		 * page lands on an evictable list, which reclaim fixes.
		 */
		is_unevictable = false;
		lru_cache_add(page);
	} else {
		/* unevictable pages bypass the pagevec */
		is_unevictable = true;
		add_page_to_unevictable_list(page);
		/*
		 * Pairs with TestClearPageMlocked() in munlock: either it
		 * sees PG_lru and isolates the page, or we see PG_mlocked
		 * clear below and move the page back ourselves.
		 */
		smp_mb();
	}

	/*
	 * An evictable page left on the unevictable list would never be
	 * reclaimed: look again now that it is on the list.
	 */
	if (is_unevictable && page_evictable(page)) {
		if (!isolate_lru_page(page)) {
			put_page(page);
			goto redo;
		}
		/* somebody else isolated it and will put it back */
	}

	if (was_unevictable && !is_unevictable)
		count_vm_event(UNEVICTABLE_PGRESCUED);
	else if (!was_unevictable && is_unevictable)
		count_vm_event(UNEVICTABLE_PGCULLED);

	put_page(page);		/* drop ref from isolate */
}

enum page_references {
	PAGEREF_RECLAIM,
	PAGEREF_RECLAIM_CLEAN,
	PAGEREF_KEEP,
	PAGEREF_ACTIVATE,
};

static enum page_references page_check_references(struct page *page,
						  struct scan_control *sc)
{
	int referenced_ptes, referenced_page;
	unsigned long vm_flags;

	referenced_ptes = page_referenced(page, 1, sc->target_mem_cgroup,
					  &vm_flags);
	referenced_page = TestClearPageReferenced(page);

	/*
	 * A VM_LOCKED vma maps it: mlock lost the race with our isolation.
	 * try_to_unmap() will move the page to the unevictable list.
	 */
	if (vm_flags & VM_LOCKED)
		return PAGEREF_RECLAIM;

	if (referenced_ptes) {
		if (PageSwapBacked(page))
			return PAGEREF_ACTIVATE;
		SetPageReferenced(page);

		if (referenced_page || referenced_ptes > 1)
			return PAGEREF_ACTIVATE;

		if (vm_flags & VM_EXEC)
			return PAGEREF_ACTIVATE;

		return PAGEREF_KEEP;
	}

	/* clean file pages with only a page reference go */
	if (referenced_page && !PageSwapBacked(page))
		return PAGEREF_RECLAIM_CLEAN;

	return PAGEREF_RECLAIM;
}

/* Is the page dirty or under writeback, as far as the flushers care? */
static void page_check_dirty_writeback(struct page *page,
				       bool *dirty, bool *writeback)
{
	struct address_space *mapping;

	/* anonymous pages are written by reclaim, not by the flushers */
	if (!page_is_file_cache(page)) {
		*dirty = false;
		*writeback = false;
		return;
	}

	/* the flags, unless the filesystem knows better */
	*dirty = PageDirty(page);
	*writeback = PageWriteback(page);

	if (!page_has_private(page))
		return;

	mapping = page_mapping(page);
	if (mapping && mapping->a_ops->is_dirty_writeback)
		mapping->a_ops->is_dirty_writeback(page, dirty, writeback);
}

/*
 * Try to free each isolated page of page_list; the survivors are left
 * on page_list for the caller to put back.  Returns the number freed.
 * (Swap is out of scope: add_to_swap() fails, so anonymous pages are
 * activated; only kswapd would write a dirty file page.)
 */
static unsigned long shrink_page_list(struct list_head *page_list,
				      struct zone *zone,
				      struct scan_control *sc,
				      enum ttu_flags ttu_flags,
				      unsigned long *ret_nr_dirty,
				      unsigned long *ret_nr_unqueued_dirty,
				      unsigned long *ret_nr_congested,
				      unsigned long *ret_nr_writeback,
				      unsigned long *ret_nr_immediate,
				      bool force_reclaim)
{
	LIST_HEAD(ret_pages);
	LIST_HEAD(free_pages);
	int pgactivate = 0;
	unsigned long nr_unqueued_dirty = 0;
	unsigned long nr_dirty = 0;
	unsigned long nr_congested = 0;
	unsigned long nr_reclaimed = 0;
	unsigned long nr_writeback = 0;
	unsigned long nr_immediate = 0;

	cond_resched();

	mem_cgroup_uncharge_start();
	while (!list_empty(page_list)) {
		struct address_space *mapping;
		struct page *page;
		int may_enter_fs;
		enum page_references references = PAGEREF_RECLAIM_CLEAN;
		bool dirty, writeback;

		cond_resched();

		page = lru_to_page(page_list);
		list_del(&page->lru);

		if (!trylock_page(page))
			goto keep;

		VM_BUG_ON(PageActive(page));
		VM_BUG_ON(page_zone(page) != zone);

		sc->nr_scanned++;

		if (unlikely(!page_evictable(page)))
			goto cull_mlocked;

		if (!sc->may_unmap && page_mapped(page))
			goto keep_locked;

		/* mapped pages cost more to scan */
		if (page_mapped(page) || PageSwapCache(page))
			sc->nr_scanned++;

		may_enter_fs = (sc->gfp_mask & __GFP_FS) ||
			(PageSwapCache(page) && (sc->gfp_mask & __GFP_IO));

		/* dirty pages tell whether the zone is reclaim-congested */
		page_check_dirty_writeback(page, &dirty, &writeback);
		if (dirty || writeback)
			nr_dirty++;

		if (dirty && !writeback)
			nr_unqueued_dirty++;

		/*
		 * Congested: the device is, or pages marked for immediate
		 * reclaim come round the LRU again still under writeback.
		 */
		mapping = page_mapping(page);
		if ((mapping && bdi_write_congested(mapping->backing_dev_info)) ||
		    (writeback && PageReclaim(page)))
			nr_congested++;

		/*
		 * A page under writeback: kswapd notes that marked pages
		 * cycle too fast and goes on; global reclaim (or a caller
		 * without __GFP_IO, or a page not marked yet) marks it
		 * PG_reclaim and goes on; only memcg reclaim of a marked
		 * page waits for the write.
		 */
		if (PageWriteback(page)) {
			/* kswapd, pages cycling too fast */
			if (current_is_kswapd() &&
			    PageReclaim(page) &&
			    zone_is_reclaim_writeback(zone)) {
				nr_immediate++;
				goto keep_locked;

			/* mark it, go on */
			} else if (global_reclaim(sc) ||
			    !PageReclaim(page) || !(sc->gfp_mask & __GFP_IO)) {
				/* (may race with end_page_writeback: harmless) */
				SetPageReclaim(page);
				nr_writeback++;

				goto keep_locked;

			/* memcg: wait */
			} else {
				wait_on_page_writeback(page);
			}
		}

		if (!force_reclaim)
			references = page_check_references(page, sc);

		switch (references) {
		case PAGEREF_ACTIVATE:
			goto activate_locked;
		case PAGEREF_KEEP:
			goto keep_locked;
		case PAGEREF_RECLAIM:
		case PAGEREF_RECLAIM_CLEAN:
			; /* try to reclaim the page below */
		}

		/* an anonymous page needs swap space first */
		if (PageAnon(page) && !PageSwapCache(page)) {
			if (!(sc->gfp_mask & __GFP_IO))
				goto keep_locked;
			if (!add_to_swap(page, page_list))
				goto activate_locked;
			may_enter_fs = 1;

			/* the swap cache is its mapping now */
			mapping = page_mapping(page);
		}

		/* unmap it from every mapping */
		if (page_mapped(page) && mapping) {
			switch (try_to_unmap(page, ttu_flags)) {
			case SWAP_FAIL:
				goto activate_locked;
			case SWAP_AGAIN:
				goto keep_locked;
			case SWAP_MLOCK:
				goto cull_mlocked;
			case SWAP_SUCCESS:
				; /* try to free the page below */
			}
		}

		if (PageDirty(page)) {
			/*
			 * Only kswapd writes file pages back, and only when
			 * many dirty pages came round: mark it to be
			 * reclaimed once the flushers wrote it.
			 */
			if (page_is_file_cache(page) &&
					(!current_is_kswapd() ||
					 !zone_is_reclaim_dirty(zone))) {
				inc_zone_page_state(page, NR_VMSCAN_IMMEDIATE);
				SetPageReclaim(page);

				goto keep_locked;
			}

			if (references == PAGEREF_RECLAIM_CLEAN)
				goto keep_locked;
			if (!may_enter_fs)
				goto keep_locked;
			if (!sc->may_writepage)
				goto keep_locked;

			/* write it out */
			switch (pageout(page, mapping, sc)) {
			case PAGE_KEEP:
				goto keep_locked;
			case PAGE_ACTIVATE:
				goto activate_locked;
			case PAGE_SUCCESS:
				if (PageWriteback(page))
					goto keep;
				if (PageDirty(page))
					goto keep;

				/* written synchronously: try to free it */
				if (!trylock_page(page))
					goto keep;
				if (PageDirty(page) || PageWriteback(page))
					goto keep_locked;
				mapping = page_mapping(page);
			case PAGE_CLEAN:
				; /* try to free the page below */
			}
		}

		/*
		 * Buffers (even on a dirty page: they may all be clean)
		 * go first; a page truncation left with buffers and no
		 * mapping is freed if that was its last reference.
		 */
		if (page_has_private(page)) {
			if (!try_to_release_page(page, sc->gfp_mask))
				goto activate_locked;
			if (!mapping && page_count(page) == 1) {
				unlock_page(page);
				if (put_page_testzero(page))
					goto free_it;
				else {
					/*
					 * A speculative reference will free
					 * it soon: count it, leave it.
					 */
					nr_reclaimed++;
					continue;
				}
			}
		}

		if (!mapping || !__remove_mapping(mapping, page))
			goto keep_locked;

		/*
		 * Nobody else can find the page now: drop the lock
		 * non-atomically.
		 */
		__clear_page_locked(page);
free_it:
		nr_reclaimed++;

		list_add(&page->lru, &free_pages);
		continue;

cull_mlocked:
		if (PageSwapCache(page))
			try_to_free_swap(page);
		unlock_page(page);
		putback_lru_page(page);
		continue;

activate_locked:
		/* it will not be swapped: give its swap space back */
		if (PageSwapCache(page) && vm_swap_full())
			try_to_free_swap(page);
		VM_BUG_ON(PageActive(page));
		SetPageActive(page);
		pgactivate++;
keep_locked:
		unlock_page(page);
keep:
		list_add(&page->lru, &ret_pages);
		VM_BUG_ON(PageLRU(page) || PageUnevictable(page));
	}

	free_hot_cold_page_list(&free_pages, 1);

	list_splice(&ret_pages, page_list);
	count_vm_events(PGACTIVATE, pgactivate);
	mem_cgroup_uncharge_end();
	*ret_nr_dirty += nr_dirty;
	*ret_nr_congested += nr_congested;
	*ret_nr_unqueued_dirty += nr_unqueued_dirty;
	*ret_nr_writeback += nr_writeback;
	*ret_nr_immediate += nr_immediate;
	return nr_reclaimed;
}

/*
 * Take a page off the LRU for reclaim, if it is there and not being
 * freed.  Returns 0 on success.  Called with lru_lock held.
 */
int __isolate_lru_page(struct page *page, isolate_mode_t mode)
{
	int ret = -EINVAL;

	/* only pages on an LRU list */
	if (!PageLRU(page))
		return ret;

	/* unevictable pages only when asked for */
	if (PageUnevictable(page) && !(mode & ISOLATE_UNEVICTABLE))
		return ret;

	ret = -EBUSY;

	/*
	 * ISOLATE_CLEAN: only pages reclaim can free without writing;
	 * ISOLATE_ASYNC_MIGRATE: only pages migration can move without
	 * blocking.
	 */
	if (mode & (ISOLATE_CLEAN|ISOLATE_ASYNC_MIGRATE)) {
		/* waiting for the write is all one could do */
		if (PageWriteback(page))
			return ret;

		if (PageDirty(page)) {
			struct address_space *mapping;

			/* clean pages only */
			if (mode & ISOLATE_CLEAN)
				return ret;

			/* dirty: only if ->migratepage can move it */
			mapping = page_mapping(page);
			if (mapping && !mapping->a_ops->migratepage)
				return ret;
		}
	}

	if ((mode & ISOLATE_UNMAPPED) && page_mapped(page))
		return ret;

	if (likely(get_page_unless_zero(page))) {
		/*
		 * PG_lru is cleared only once we know the page is not
		 * being freed: the release path depends on it.
		 */
		ClearPageLRU(page);
		ret = 0;
	}

	return ret;
}

/**
 * isolate_lru_page - take a page off its LRU list
 * @page: the page, pinned by the caller
 *
 * On success (0) the page is off the LRU with PG_lru clear and an extra
 * reference; putback_lru_page() returns it.  -EBUSY if it was not on
 * an LRU list.
 */
int isolate_lru_page(struct page *page)
{
	int ret = -EBUSY;

	VM_BUG_ON(!page_count(page));

	if (PageLRU(page)) {
		struct zone *zone = page_zone(page);
		struct lruvec *lruvec;

		spin_lock_irq(&zone->lru_lock);
		lruvec = mem_cgroup_page_lruvec(page, zone);
		if (PageLRU(page)) {
			int lru = page_lru(page);
			get_page(page);
			ClearPageLRU(page);
			del_page_from_lru_list(page, lruvec, lru);
			ret = 0;
		}
		spin_unlock_irq(&zone->lru_lock);
	}
	return ret;
}

/*
 * Put back the pages shrink_page_list() did not free; the ones whose
 * last reference that was are left on page_list, to be freed.  Called
 * with lru_lock held.
 */
static noinline_for_stack void
putback_inactive_pages(struct lruvec *lruvec, struct list_head *page_list)
{
	struct zone_reclaim_stat *reclaim_stat = &lruvec->reclaim_stat;
	struct zone *zone = lruvec_zone(lruvec);
	LIST_HEAD(pages_to_free);

	while (!list_empty(page_list)) {
		struct page *page = lru_to_page(page_list);
		int lru;

		VM_BUG_ON(PageLRU(page));
		list_del(&page->lru);
		if (unlikely(!page_evictable(page))) {
			spin_unlock_irq(&zone->lru_lock);
			putback_lru_page(page);
			spin_lock_irq(&zone->lru_lock);
			continue;
		}

		lruvec = mem_cgroup_page_lruvec(page, zone);

		SetPageLRU(page);
		lru = page_lru(page);
		add_page_to_lru_list(page, lruvec, lru);

		if (is_active_lru(lru)) {
			int file = is_file_lru(lru);
			int numpages = hpage_nr_pages(page);
			reclaim_stat->recent_rotated[file] += numpages;
		}
		if (put_page_testzero(page)) {
			__ClearPageLRU(page);
			__ClearPageActive(page);
			del_page_from_lru_list(page, lruvec, lru);

			if (unlikely(PageCompound(page))) {
				spin_unlock_irq(&zone->lru_lock);
				(*get_compound_page_dtor(page))(page);
				spin_lock_irq(&zone->lru_lock);
			} else
				list_add(&page->lru, &pages_to_free);
		}
	}

	/* hand the pages to free back through page_list */
	list_splice(&pages_to_free, page_list);
}

/*
 * Harness entry: shrink_inactive_list() as it would go if the scan of
 * the inactive list isolated exactly this page: isolate it under
 * lru_lock, run shrink_page_list() on it, put back or free the result.
 */
unsigned long ksim_shrink_page(struct page *page)
{
	LIST_HEAD(page_list);
	struct zone *zone = page_zone(page);
	struct lruvec *lruvec = mem_cgroup_page_lruvec(page, zone);
	struct scan_control sc = {
		.gfp_mask = GFP_KERNEL,
		.may_writepage = 1,
		.may_unmap = 1,
		.may_swap = 1,
	};
	unsigned long nr_reclaimed = 0;
	unsigned long nr_dirty = 0, nr_unqueued_dirty = 0, nr_congested = 0;
	unsigned long nr_writeback = 0, nr_immediate = 0;
	int file, lru;

	lru_add_drain();

	spin_lock_irq(&zone->lru_lock);
	if (PageLRU(page) && !PageActive(page) && !PageUnevictable(page)) {
		lru = page_lru(page);
		if (__isolate_lru_page(page, 0) == 0) {
			del_page_from_lru_list(page, lruvec, lru);
			list_add(&page->lru, &page_list);
		}
	}
	file = !list_empty(&page_list) && page_is_file_cache(page);
	__mod_zone_page_state(zone, NR_ISOLATED_ANON + file,
			      !list_empty(&page_list));
	spin_unlock_irq(&zone->lru_lock);

	if (list_empty(&page_list))
		return 0;

	nr_reclaimed = shrink_page_list(&page_list, zone, &sc, TTU_UNMAP,
				&nr_dirty, &nr_unqueued_dirty, &nr_congested,
				&nr_writeback, &nr_immediate, false);

	spin_lock_irq(&zone->lru_lock);
	putback_inactive_pages(lruvec, &page_list);
	__mod_zone_page_state(zone, NR_ISOLATED_ANON + file, -1);
	spin_unlock_irq(&zone->lru_lock);

	free_hot_cold_page_list(&page_list, 1);

	return nr_reclaimed;
}

/**
 * page_evictable - may reclaim evict this page?
 * @page: the page
 *
 * Not if it is mlocked or its file is marked unevictable.
 */
int page_evictable(struct page *page)
{
	return !mapping_unevictable(page_mapping(page)) && !PageMlocked(page);
}
