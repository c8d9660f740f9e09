/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: LRU, reclaim and swap-cache interfaces (swap itself is out of scope). */
#ifndef _LINUX_SWAP_H
#define _LINUX_SWAP_H

#include "ksim/kernel.h"
#include <linux/mm.h>
#include <linux/mmzone.h>

struct pagevec;
struct mm_struct;

void lru_cache_add(struct page *page);
void lru_add_drain_cpu(int cpu);
void lru_add_drain(void);
void lru_add_drain_all(void);
void add_page_to_unevictable_list(struct page *page);
void release_pages(struct page **pages, int nr, int cold);
void free_pages_and_swap_cache(struct page **pages, int nr);
int isolate_lru_page(struct page *page);
void putback_lru_page(struct page *page);
int page_evictable(struct page *page);
int __isolate_lru_page(struct page *page, isolate_mode_t mode);

/* page cache area: no page is ever in the swap cache */
#define current_is_kswapd()		(current->flags & PF_KSWAPD)
#define __delete_from_swap_cache(page)	do { (void)(page); } while (0)
#define swapcache_free(entry, page)	do { (void)(entry); (void)(page); } while (0)

static inline int try_to_free_swap(struct page *page)
{
	return 0;
}
/* Only migration entries exist, and they hold no swap: nothing to free. */
static inline int free_swap_and_cache(swp_entry_t entry)
{
	return 1;
}
#define vm_swap_full()			0
/*
 * rmap area: no swap device, so no page is ever in the swap cache and
 * the swap-entry paths of try_to_unmap_one() are never reached.  The
 * mmlist the kernel puts mms with swap entries on belongs to the world.
 */
#define swap_duplicate(entry)		((void)(entry), -ENOMEM)
spinlock_t *ksim_mm_mmlist_lock(void);
struct mm_struct *ksim_mm_init_mm(void);
#define mmlist_lock			(*ksim_mm_mmlist_lock())
#define init_mm				(*ksim_mm_init_mm())
#define add_to_swap(page, list)		0
#define AS_UNEVICTABLE			3
/*
 * A function as in the kernel (pagemap.h), not a macro: the argument is
 * page_mapping(page), which truncation may turn to NULL between two
 * evaluations; a macro evaluated it twice and dereferenced the NULL.
 */
static inline int mapping_unevictable(struct address_space *mapping)
{
	if (mapping)
		return !!(mapping->flags & (1UL << AS_UNEVICTABLE));
	return 0;
}

/*
 * pgtable area: swap-ins.  There is no swap: the swap cache is always
 * empty and a read from swap always fails (no swap entry exists).
 */
#define lookup_swap_cache(entry)	((void)(entry), (struct page *)NULL)
#define swapin_readahead(entry, gfp, vma, addr)	((struct page *)NULL)
#define swap_free(entry)		do { (void)(entry); } while (0)

/*
 * May a write fault reuse this (locked) anonymous page in place?  Yes
 * when nobody else maps it; with no swap there is no swap count to add.
 */
static inline int reuse_swap_page(struct page *page)
{
	int count;

	VM_BUG_ON(!PageLocked(page));
	if (unlikely(PageKsm(page)))
		return 0;
	count = page_mapcount(page);
	return count <= 1;
}

#endif
