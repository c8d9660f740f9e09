// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/page_alloc.c - page allocation and freeing, reduced to the free
 * pool of the simulated machine, the per-CPU page lists in front of it
 * and the page checks at free and allocation time (Linux v3.13 model for
 * KernelHarness).
 *
 * The buddy allocator is not modelled: __free_one_page() puts an order-0
 * page on the zone's free pool, alloc_pages() takes one from it.  The
 * world sets each CPU's pcp list to high = batch = 1 (a setting
 * percpu_pagelist_fraction can give), so a freed page goes on through
 * free_pcppages_bulk() to the pool at once.
 */

#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/interrupt.h>
#include <linux/pagemap.h>
#include <linux/jiffies.h>
#include <linux/highmem.h>
#include <linux/export.h>
#include <linux/memcontrol.h>
#include <linux/mm_inline.h>
#include <linux/module.h>
#include <linux/debugobjects.h>
#include <linux/kmemcheck.h>
#include <linux/page-isolation.h>
#include <linux/percpu.h>

#include <asm/tlbflush.h>
#include <asm/div64.h>

#include "internal.h"

#include <trace/events/kmem.h>

/* A page must not be freed with any of these set. */
#define PAGE_FLAGS_CHECK_AT_FREE \
	(1UL << PG_lru   | 1UL << PG_locked    | \
	 1UL << PG_private | 1UL << PG_private_2 | \
	 1UL << PG_writeback | 1UL << PG_reserved | \
	 1UL << PG_slab  | 1UL << PG_swapcache | 1UL << PG_active | \
	 1UL << PG_unevictable | 1UL << PG_mlocked)

/* Flags cleared when a page is freed, and clear when it is allocated. */
#define PAGE_FLAGS_CHECK_AT_PREP	((1UL << __NR_PAGEFLAGS) - 1)

/*
 * Report a page found in a bad state when it is freed or allocated, and
 * leave it alone (out of the free pool).  (The kernel limits the
 * reports to 60 a minute with function-local counters; a model function
 * keeps no such state.)
 */
static void bad_page(struct page *page)
{
	/* poisoned pages are expected to be bad */
	if (PageHWPoison(page)) {
		page_mapcount_reset(page);
		return;
	}

	printk(KERN_ALERT "BUG: Bad page state in process %s  pfn:%05lx\n",
		current->comm, page_to_pfn(page));
	dump_page(page);

	print_modules();
	dump_stack();
	/* keep the bad fields for the report, but no stale PageBuddy */
	page_mapcount_reset(page);
	add_taint(TAINT_BAD_PAGE, LOCKDEP_NOW_UNRELIABLE);
}

/* model-only: compound pages are out of scope: every page has order 0. */
void prep_compound_page(struct page *page, unsigned long order)
{
}

/* Clear a new page for __GFP_ZERO (page contents are not modelled). */
static inline void prep_zero_page(struct page *page, int order, gfp_t gfp_flags)
{
	int i;

	/* clear_highpage() of a highmem page from an interrupt is a bug */
	VM_BUG_ON((gfp_flags & __GFP_HIGHMEM) && in_interrupt());
	for (i = 0; i < (1 << order); i++)
		clear_highpage(page + i);
}

/*
 * model-only: the buddy allocator is out of scope: a freed order-0 page
 * goes on the zone's free pool; the caller holds zone->lock and does the
 * NR_FREE_PAGES accounting, as in the kernel.
 */
static inline void __free_one_page(struct page *page,
		struct zone *zone, unsigned int order,
		int migratetype)
{
	ksim_mm_pool_put(page);
}

static inline int free_pages_check(struct page *page)
{
	if (unlikely(page_mapcount(page) |
		(page->mapping != NULL)  |
		(atomic_read(&page->_count) != 0) |
		(page->flags & PAGE_FLAGS_CHECK_AT_FREE) |
		(mem_cgroup_bad_page_check(page)))) {
		bad_page(page);
		return 1;
	}
	page_cpupid_reset_last(page);
	if (page->flags & PAGE_FLAGS_CHECK_AT_PREP)
		page->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	return 0;
}

/*
 * Hand count pages of a CPU's pcp lists back to the free pool, taking
 * them round-robin from the lists (fuller lists give more), under
 * zone->lock.
 */
static void free_pcppages_bulk(struct zone *zone, int count,
					struct per_cpu_pages *pcp)
{
	int migratetype = 0;
	int batch_free = 0;
	int to_free = count;

	spin_lock(&zone->lock);
	zone->pages_scanned = 0;

	while (to_free) {
		struct page *page;
		struct list_head *list;

		/* the next non-empty list; each empty one raises the batch */
		do {
			batch_free++;
			if (++migratetype == MIGRATE_PCPTYPES)
				migratetype = 0;
			list = &pcp->lists[migratetype];
		} while (list_empty(list));

		/* the only non-empty list: all of it */
		if (batch_free == MIGRATE_PCPTYPES)
			batch_free = to_free;

		do {
			int mt;	/* the page's migratetype */

			page = list_entry(list->prev, struct page, lru);
			/* off the pcp list before __free_one_page() */
			list_del(&page->lru);
			mt = get_freepage_migratetype(page);
			/* reserve pages sit on the movable list */
			__free_one_page(page, zone, 0, mt);
			trace_mm_page_pcpu_drain(page, 0, mt);
			if (likely(!is_migrate_isolate_page(page))) {
				__mod_zone_page_state(zone, NR_FREE_PAGES, 1);
				if (is_migrate_cma(mt))
					__mod_zone_page_state(zone, NR_FREE_CMA_PAGES, 1);
			}
		} while (--to_free && --batch_free && !list_empty(list));
	}
	spin_unlock(&zone->lock);
}

/* Free a page straight to the free pool. */
static void free_one_page(struct zone *zone, struct page *page, int order,
				int migratetype)
{
	spin_lock(&zone->lock);
	zone->pages_scanned = 0;

	__free_one_page(page, zone, order, migratetype);
	if (unlikely(!is_migrate_isolate(migratetype)))
		__mod_zone_freepage_state(zone, 1 << order, migratetype);
	spin_unlock(&zone->lock);
}

/* The checks of a page being freed; false: it is bad, keep it out. */
static bool free_pages_prepare(struct page *page, unsigned int order)
{
	int i;
	int bad = 0;

	trace_mm_page_free(page, order);
	kmemcheck_free_shadow(page, order);

	if (PageAnon(page))
		page->mapping = NULL;
	for (i = 0; i < (1 << order); i++)
		bad += free_pages_check(page + i);
	if (bad)
		return false;

	if (!PageHighMem(page)) {
		debug_check_no_locks_freed(page_address(page),
					   PAGE_SIZE << order);
		debug_check_no_obj_freed(page_address(page),
					   PAGE_SIZE << order);
	}
	arch_free_page(page, order);
	kernel_map_pages(page, 1 << order, 0);

	return true;
}

/* Free a higher-order page, with no pcp list in between. */
static void __free_pages_ok(struct page *page, unsigned int order)
{
	unsigned long flags;
	int migratetype;

	if (!free_pages_prepare(page, order))
		return;

	local_irq_save(flags);
	__count_vm_events(PGFREE, 1 << order);
	migratetype = get_pageblock_migratetype(page);
	set_freepage_migratetype(page, migratetype);
	free_one_page(page_zone(page), page, order, migratetype);
	local_irq_restore(flags);
}

/* The checks of a page leaving the allocator. */
static inline int check_new_page(struct page *page)
{
	if (unlikely(page_mapcount(page) |
		(page->mapping != NULL)  |
		(atomic_read(&page->_count) != 0)  |
		(page->flags & PAGE_FLAGS_CHECK_AT_PREP) |
		(mem_cgroup_bad_page_check(page)))) {
		bad_page(page);
		return 1;
	}
	return 0;
}

/* Get a page from the allocator ready for use; 1 if it is bad. */
static int prep_new_page(struct page *page, int order, gfp_t gfp_flags)
{
	int i;

	for (i = 0; i < (1 << order); i++) {
		struct page *p = page + i;
		if (unlikely(check_new_page(p)))
			return 1;
	}

	set_page_private(page, 0);
	set_page_refcounted(page);

	arch_alloc_page(page, order);
	kernel_map_pages(page, 1 << order, 1);

	if (gfp_flags & __GFP_ZERO)
		prep_zero_page(page, order, gfp_flags);

	if (order && (gfp_flags & __GFP_COMP))
		prep_compound_page(page, order);

	return 0;
}

/*
 * Free an order-0 page whose last reference is gone: onto this CPU's
 * pcp list (hot pages at its head, cold ones at its tail); a batch goes
 * on to the free pool when the list reaches its high mark.
 */
void free_hot_cold_page(struct page *page, int cold)
{
	struct zone *zone = page_zone(page);
	struct per_cpu_pages *pcp;
	unsigned long flags;
	int migratetype;

	if (!free_pages_prepare(page, 0))
		return;

	migratetype = get_pageblock_migratetype(page);
	set_freepage_migratetype(page, migratetype);
	local_irq_save(flags);
	__count_vm_event(PGFREE);

	/*
	 * The pcp lists hold unmovable, reclaimable and movable pages
	 * only: isolated pages go back at once, reserve ones count as
	 * movable.
	 */
	if (migratetype >= MIGRATE_PCPTYPES) {
		if (unlikely(is_migrate_isolate(migratetype))) {
			free_one_page(zone, page, 0, migratetype);
			goto out;
		}
		migratetype = MIGRATE_MOVABLE;
	}

	pcp = &this_cpu_ptr(zone->pageset)->pcp;
	if (cold)
		list_add_tail(&page->lru, &pcp->lists[migratetype]);
	else
		list_add(&page->lru, &pcp->lists[migratetype]);
	pcp->count++;
	if (pcp->count >= pcp->high) {
		unsigned long batch = ACCESS_ONCE(pcp->batch);
		free_pcppages_bulk(zone, batch, pcp);
		pcp->count -= batch;
	}

out:
	local_irq_restore(flags);
}

/* Free a list of order-0 pages whose references are all gone. */
void free_hot_cold_page_list(struct list_head *list, int cold)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) {
		trace_mm_page_free_batched(page, cold);
		free_hot_cold_page(page, cold);
	}
}

void __free_pages(struct page *page, unsigned int order)
{
	if (put_page_testzero(page)) {
		if (order == 0)
			free_hot_cold_page(page, 0);
		else
			__free_pages_ok(page, order);
	}
}

/*
 * Allocate a page from the free pool; NULL when it is empty (the
 * harness's stand-in for the allocator's fast and slow paths: no
 * reclaim).  The pcp lists are always empty (high = 1), so the page
 * comes from the pool under zone->lock, as rmqueue_bulk() takes it.  A
 * bad page is left out and the next one tried, as buffered_rmqueue()'s
 * caller does.
 */
struct page *alloc_pages(gfp_t gfp_mask, unsigned int order)
{
	struct zone *zone = ksim_mm_zone();
	struct page *page;
	unsigned long flags;

	might_sleep();
	if (order)
		return NULL;
again:
	local_irq_save(flags);
	spin_lock(&zone->lock);
	page = ksim_mm_pool_get();
	if (page)
		__mod_zone_freepage_state(zone, -(1 << order),
					  get_freepage_migratetype(page));
	spin_unlock(&zone->lock);
	local_irq_restore(flags);
	if (page && prep_new_page(page, order, gfp_mask))
		goto again;
	return page;
}
