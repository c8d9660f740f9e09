/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: linux/mm.h, reduced to what the modelled mm code uses.  Page
 * reference and mapcount helpers are macros over the atomic stubs, so
 * each access is a scheduling point attributed to the calling line.
 */
#ifndef _LINUX_MM_H
#define _LINUX_MM_H

#include "ksim/kernel.h"
#include "ksim/mm.h"
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>
#include <linux/page-flags.h>
#include <linux/vmstat.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/gfp.h>
#include <asm/pgtable.h>
#include <limits.h>
#include <linux/huge_mm.h>

#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYSHARE	0x00000080UL
#define VM_PFNMAP	0x00000400UL
#define VM_LOCKED	0x00002000UL
#define VM_IO		0x00004000UL
#define VM_SEQ_READ	0x00008000UL
#define VM_DONTEXPAND	0x00040000UL
#define VM_ACCOUNT	0x00100000UL
#define VM_HUGETLB	0x00400000UL
#define VM_NONLINEAR	0x00800000UL
#define VM_MIXEDMAP	0x10000000UL
#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)

#define FOLL_WRITE	0x01
#define FOLL_TOUCH	0x02
#define FOLL_GET	0x04
#define FOLL_DUMP	0x08
#define FOLL_FORCE	0x10
#define FOLL_MLOCK	0x40

#define FAULT_FLAG_WRITE	0x01

#define VM_FAULT_OOM	0x0001
#define VM_FAULT_SIGBUS	0x0002
#define VM_FAULT_WRITE	0x0008
#define VM_FAULT_LOCKED	0x0200

#define IS_ERR(p)		((unsigned long)(p) >= (unsigned long)-4095)
#define IS_ERR_VALUE(x)		((unsigned long)(x) >= (unsigned long)-4095)
#define ERR_PTR(e)		((void *)(long)(e))
#define FIRST_USER_ADDRESS	0UL
#define PAGE_ALIGN(addr)	ALIGN(addr, PAGE_SIZE)

#define PAGE_MAPPING_ANON	1
#define PAGE_MAPPING_KSM	2
#define PAGE_MAPPING_FLAGS	(PAGE_MAPPING_ANON | PAGE_MAPPING_KSM)

/* References and mappings: every access is an atomic, so a point. */
#define page_count(page)	atomic_read(&(page)->_count)
#define get_page(page)		atomic_inc(&(page)->_count)
#define put_page_testzero(page)	atomic_dec_and_test(&(page)->_count)
#define get_page_unless_zero(page) atomic_inc_not_zero(&(page)->_count)
#define init_page_count(page)	atomic_set(&(page)->_count, 1)
#define set_page_count(page, v)	atomic_set(&(page)->_count, (v))
#define page_mapcount(page)	(atomic_read(&(page)->_mapcount) + 1)
#define page_mapped(page)	(atomic_read(&(page)->_mapcount) >= 0)
#define page_mapcount_reset(page) atomic_set(&(page)->_mapcount, -1)
#define page_cache_get(page)	get_page(page)
#define page_cache_release(page) put_page(page)

#define PageAnon(page) \
	(((unsigned long)(page)->mapping & PAGE_MAPPING_ANON) != 0)
#define page_rmapping(page) \
	((void *)((unsigned long)(page)->mapping & ~PAGE_MAPPING_ANON))
#define page_has_private(page)	0
#define page_private(page)	((page)->private)
#define set_page_private(page, v) ((page)->private = (v))

#define page_zone(page)		((void)(page), ksim_mm_zone())
#define page_zone_id(page)	((void)(page), 0)
#define pfn_to_page(pfn)	ksim_mm_pfn_to_page(pfn)
#define page_to_pfn(page)	((unsigned long)(page)->ksim_id)
#define page_address(page)	((void *)(page))
#define hpage_nr_pages(page)	1
#define page_to_nid(page)	((void)(page), 0)
#define compound_order(page)	0
#define compound_head(page)	(page)
#define is_zero_pfn(pfn)	0
static inline int page_cpupid_xchg_last(struct page *page, int cpupid)
{
	return -1;
}
#define page_cpupid_reset_last(page)		do { } while (0)

/* The file a page belongs to, or NULL for anonymous pages. */
static inline struct address_space *page_mapping(struct page *page)
{
	struct address_space *mapping = page->mapping;

	VM_BUG_ON(PageSlab(page));
	if (unlikely(PageSwapCache(page)))
		mapping = NULL;
	else if ((unsigned long)mapping & PAGE_MAPPING_ANON)
		mapping = NULL;
	return mapping;
}

/* The page's offset in its file, or its swap entry in the swap cache. */
static inline pgoff_t page_index(struct page *page)
{
	if (unlikely(PageSwapCache(page)))
		return page_private(page);
	return page->index;
}

static inline int page_is_file_cache(struct page *page)
{
	return !PageSwapBacked(page);
}

void put_page(struct page *page);
int set_page_dirty(struct page *page);
void mark_page_accessed(struct page *page);
void lru_add_drain(void);

/* rss counters (plain: only ever changed under the ptl here) */
#define add_mm_counter(mm, member, value) \
	((void)((mm)->rss_stat.count[member] += (value)))
#define inc_mm_counter(mm, member)	add_mm_counter(mm, member, 1)
#define dec_mm_counter(mm, member)	add_mm_counter(mm, member, -1)
#define inc_mm_counter_fast(mm, member)	inc_mm_counter(mm, member)
#define dec_mm_counter_fast(mm, member)	dec_mm_counter(mm, member)
#define get_mm_counter(mm, member)	((mm)->rss_stat.count[member])
#define update_hiwater_rss(mm)		do { } while (0)
#define vma_pages(vma)	(((vma)->vm_end - (vma)->vm_start) >> PAGE_SHIFT)
#define is_vm_hugetlb_page(vma)		0
#define get_gate_vma(mm)		((struct vm_area_struct *)NULL)

/*
 * The interval tree of linear vmas is a list here; walking it yields
 * the vmas whose file range covers [start, last], as the tree would.
 */
static inline struct vm_area_struct *
ksim_vma_itree_from(struct list_head *pos, struct list_head *root,
		    unsigned long start, unsigned long last)
{
	for (; pos != root; pos = pos->next) {
		struct vm_area_struct *vma = list_entry(pos,
				struct vm_area_struct, shared.linear.list);
		unsigned long first = vma->vm_pgoff;
		unsigned long end = first + vma_pages(vma) - 1;

		if (first <= last && start <= end)
			return vma;
	}
	return NULL;
}
#define vma_interval_tree_foreach(vma, root, start, last)		\
	for (vma = ksim_vma_itree_from((root)->next, root, start, last);	\
	     vma;							\
	     vma = ksim_vma_itree_from(vma->shared.linear.list.next,	\
				       root, start, last))

/* Moving a vma between the two lists of its file: i_mmap_mutex held. */
static inline void vma_interval_tree_remove(struct vm_area_struct *vma,
					    struct list_head *root)
{
	list_del_init(&vma->shared.linear.list);
}

static inline void vma_nonlinear_insert(struct vm_area_struct *vma,
					struct list_head *list)
{
	list_add_tail(&vma->shared.nonlinear, list);
}

struct zap_details {
	struct vm_area_struct *nonlinear_vma;
	struct address_space *check_mapping;
	unsigned long first_index;
	unsigned long last_index;
};

struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte);
struct page *follow_page_mask(struct vm_area_struct *vma,
			      unsigned long address, unsigned int foll_flags,
			      unsigned int *page_mask);
pte_t *get_locked_pte(struct mm_struct *mm, unsigned long addr,
		      spinlock_t **ptl);
int handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long address, unsigned int flags);
struct mmu_gather;
void unmap_vmas(struct mmu_gather *tlb, struct vm_area_struct *start_vma,
		unsigned long start, unsigned long end);
void zap_page_range_single(struct vm_area_struct *vma, unsigned long address,
			   unsigned long size, struct zap_details *details);
void unmap_mapping_range(struct address_space *mapping,
			 loff_t const holebegin, loff_t const holelen,
			 int even_cows);
void free_pgtables(struct mmu_gather *tlb, struct vm_area_struct *start_vma,
		   unsigned long floor, unsigned long ceiling);
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
void exit_mmap(struct mm_struct *mm);
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len);
int do_mlock(unsigned long start, size_t len, int on);
void unlink_file_vma(struct vm_area_struct *vma);
void truncate_inode_pages_range(struct address_space *mapping,
				loff_t lstart, loff_t lend);
struct inode;
void truncate_pagecache(struct inode *inode, loff_t newsize);
void truncate_setsize(struct inode *inode, loff_t newsize);
void truncate_inode_pages(struct address_space *mapping, loff_t lstart);
int anon_vma_prepare(struct vm_area_struct *vma);
void munlock_vma_pages_range(struct vm_area_struct *vma, unsigned long start,
			     unsigned long end);
int generic_file_remap_pages(struct vm_area_struct *vma, unsigned long addr,
			     unsigned long size, pgoff_t pgoff);

/* The populate step of mlock(2)/remap_file_pages(2): errors are ignored. */
int __mm_populate(unsigned long addr, unsigned long len, int ignore_errors);
static inline void mm_populate(unsigned long addr, unsigned long len)
{
	(void) __mm_populate(addr, len, 1);
}

/*
 * Files here never account dirty pages (see backing-dev.h), so the
 * remap_file_pages() path that emulates nonlinear ranges with new
 * linear vmas is never taken; mmap_region() itself is not modelled.
 */
static inline unsigned long mmap_region(struct file *file, unsigned long addr,
		unsigned long len, vm_flags_t vm_flags, unsigned long pgoff)
{
	return (unsigned long)-ENOSYS;
}

/* The task running on this simulated CPU: only its mm matters here. */
struct task_struct {
	struct mm_struct *mm;
	unsigned int flags;
	char comm[16];			/* page cache area: bad_page() prints it */
};

/* page cache area: compound pages (never seen here) and their destructor */
typedef void compound_page_dtor(struct page *);
static inline compound_page_dtor *get_compound_page_dtor(struct page *page)
{
	return (compound_page_dtor *)page->lru.next;
}

/* page cache area: the bad page report (the world prints the page) */
void dump_page(struct page *page);
#define PageHighMem(page)	((void)(page), 0)
#define PF_MEMALLOC	0x00000800
/* page cache / reclaim / migrate area */
#define PF_SWAPWRITE	0x00800000
#define PF_KSWAPD	0x00040000
struct task_struct *ksim_mm_current(void);
#define current		ksim_mm_current()

#endif
