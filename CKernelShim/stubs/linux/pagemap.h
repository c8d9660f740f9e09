/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: the page lock.  PG_locked is a sleeping bit lock: lock_page()
 * blocks the task while another holds it, trylock_page() never does.
 * The kernel has no owner for it; the harness records one for its checks.
 */
#ifndef _LINUX_PAGEMAP_H
#define _LINUX_PAGEMAP_H

#include "ksim/kernel.h"
#include <linux/mm_types.h>
#include <linux/page-flags.h>

#define lock_page(page)		ksim_bit_lock(&(page)->flags, PG_locked, KSIM_HERE)
#define trylock_page(page)	ksim_bit_trylock(&(page)->flags, PG_locked, KSIM_HERE)
#define unlock_page(page)	ksim_bit_unlock(&(page)->flags, PG_locked, KSIM_HERE)
#define wait_on_page_locked(page) \
	ksim_bit_wait(&(page)->flags, PG_locked, KSIM_HERE)
#define __set_page_locked(page)	ksim_bit_lock(&(page)->flags, PG_locked, KSIM_HERE)
#define __clear_page_locked(page) \
	ksim_bit_unlock(&(page)->flags, PG_locked, KSIM_HERE)

#endif

#ifndef _LINUX_PAGEMAP_MM_EXTRA
#define _LINUX_PAGEMAP_MM_EXTRA
#include <linux/mm.h>

/* Page offset in the file that address maps in a linear vma. */
static inline unsigned long linear_page_index(struct vm_area_struct *vma,
					      unsigned long address)
{
	unsigned long pgoff = (address - vma->vm_start) >> PAGE_SHIFT;

	pgoff += vma->vm_pgoff;
	return pgoff >> (PAGE_CACHE_SHIFT - PAGE_SHIFT);
}

/* Drop the count to zero if it is exactly count (speculative-ref safe). */
#define page_freeze_refs(page, count) \
	(likely(atomic_cmpxchg(&(page)->_count, count, 0) == (count)))
#define page_unfreeze_refs(page, count)	atomic_set(&(page)->_count, count)

struct page *find_get_page(struct address_space *mapping, unsigned long offset);
/* page cache area */
struct page *find_lock_page(struct address_space *mapping, unsigned long offset);
/*
 * The lockless page cache reference (SMP form): only a page whose count
 * is not zero (being freed, or frozen by page_freeze_refs()) is pinned.
 */
#define page_cache_get_speculative(page)	get_page_unless_zero(page)
#define page_cache_add_speculative(page, count) \
	atomic_add_unless(&(page)->_count, (count), 0)
unsigned find_get_pages(struct address_space *mapping, unsigned long start,
			unsigned int nr_pages, struct page **pages);
void delete_from_page_cache(struct page *page);
void __delete_from_page_cache(struct page *page);
/* pgtable area: a fault that may not sleep here; faults always may */
#define lock_page_or_retry(page, mm, flags)	({ lock_page(page); 1; })
#define wait_on_page_writeback(page)	do { } while (0)
#define end_page_writeback(page)	do { } while (0)
void cancel_dirty_page(struct page *page, unsigned int account_size);
#define clear_page_dirty_for_io(page)	TestClearPageDirty(page)
#define __set_page_dirty_nobuffers(page) SetPageDirty(page)
#define copy_highpage(to, from)		do { } while (0)
#endif
