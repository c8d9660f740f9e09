// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/page_alloc.c - page allocation and freeing, reduced to the free
 * pool of the simulated machine and the free-time page check (Linux
 * v3.13 model for KernelHarness).
 */

#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/interrupt.h>
#include <linux/pagemap.h>
#include <linux/export.h>
#include <linux/memcontrol.h>
#include <linux/mm_inline.h>

#include "internal.h"

/* A page must not be freed with any of these set. */
#define PAGE_FLAGS_CHECK_AT_FREE \
	(1UL << PG_lru   | 1UL << PG_locked    | \
	 1UL << PG_private | 1UL << PG_private_2 | \
	 1UL << PG_writeback | 1UL << PG_reserved | \
	 1UL << PG_slab  | 1UL << PG_swapcache | 1UL << PG_active | \
	 1UL << PG_unevictable | 1UL << PG_mlocked)

/* Flags cleared when a page is freed or allocated. */
#define PAGE_FLAGS_CHECK_AT_PREP	((1UL << __NR_PAGEFLAGS) - 1)

static void bad_page(struct page *page)
{
	ksim_mm_bad_page(page, NULL, __FILE__, __LINE__, __func__);
	/* leave the page out of the free pool, as the kernel does */
	page_mapcount_reset(page);
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

static bool free_pages_prepare(struct page *page, unsigned int order)
{
	int bad = 0;

	if (PageAnon(page))
		page->mapping = NULL;
	bad += free_pages_check(page);
	if (bad)
		return false;

	return true;
}

/* Free a page (order 0) whose last reference is gone. */
void free_hot_cold_page(struct page *page, int cold)
{
	unsigned long flags;

	if (!free_pages_prepare(page, 0))
		return;

	local_irq_save(flags);
	__count_vm_event(PGFREE);
	ksim_mm_pool_put(page);
	local_irq_restore(flags);
}

/* Free a list of pages whose references are all gone. */
void free_hot_cold_page_list(struct list_head *list, int cold)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) {
		free_hot_cold_page(page, cold);
	}
}

void __free_pages(struct page *page, unsigned int order)
{
	if (put_page_testzero(page))
		free_hot_cold_page(page, 0);
}

static void prep_new_page(struct page *page)
{
	page->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	page->mapping = NULL;
	init_page_count(page);
}

/* Allocate a page from the free pool; NULL when it is empty. */
struct page *alloc_pages(gfp_t gfp_mask, unsigned int order)
{
	struct page *page;
	unsigned long flags;

	might_sleep();
	if (order)
		return NULL;
	local_irq_save(flags);
	page = ksim_mm_pool_get();
	local_irq_restore(flags);
	if (page)
		prep_new_page(page);
	return page;
}
