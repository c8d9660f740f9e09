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

/*
 * rss counters (plain: only ever changed under the ptl here); each change
 * is remembered for the teardown check (check_mm)
 */
static inline void ksim_add_mm_counter(struct mm_struct *mm, int member,
				       long value, KSIM_LOC)
{
	mm->rss_stat.count[member] += value;
	ksim_note_write(&mm->rss_stat.count[member], -1,
			value > 0 ? "add_mm_counter +" : "add_mm_counter -",
			file, line, func);
}
#define add_mm_counter(mm, member, value) \
	ksim_add_mm_counter((mm), (member), (value), KSIM_HERE)
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
 * The interval tree of linear vmas (mapping->i_mmap): a search tree on
 * vm_pgoff (linux/rbtree.h, unbalanced), equal offsets in insertion
 * order.  Walking it yields, in file order, the vmas whose file range
 * meets [start, last], as the kernel's interval tree does.
 */
static inline unsigned long ksim_vma_last_pgoff(struct vm_area_struct *vma)
{
	return vma->vm_pgoff + vma_pages(vma) - 1;
}

static inline struct vm_area_struct *
ksim_vma_itree_from(struct rb_node *rb, unsigned long start,
		    unsigned long last)
{
	for (; rb; rb = rb_next(rb)) {
		struct vm_area_struct *vma = rb_entry(rb,
				struct vm_area_struct, shared.linear.rb);

		if (vma->vm_pgoff > last)
			return NULL;
		if (start <= ksim_vma_last_pgoff(vma))
			return vma;
	}
	return NULL;
}

static inline struct vm_area_struct *
vma_interval_tree_iter_first(struct rb_root *root, unsigned long start,
			     unsigned long last)
{
	return ksim_vma_itree_from(rb_first(root), start, last);
}

static inline struct vm_area_struct *
vma_interval_tree_iter_next(struct vm_area_struct *node, unsigned long start,
			    unsigned long last)
{
	return ksim_vma_itree_from(rb_next(&node->shared.linear.rb), start,
				   last);
}

#define vma_interval_tree_foreach(vma, root, start, last)		\
	for (vma = vma_interval_tree_iter_first(root, start, last);	\
	     vma; vma = vma_interval_tree_iter_next(vma, start, last))

/* Changing a file's tree: i_mmap_mutex held. */
static inline void vma_interval_tree_insert(struct vm_area_struct *node,
					    struct rb_root *root)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		struct vm_area_struct *v;

		parent = *link;
		v = rb_entry(parent, struct vm_area_struct, shared.linear.rb);
		if (node->vm_pgoff < v->vm_pgoff)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	node->shared.linear.rb_subtree_last = ksim_vma_last_pgoff(node);
	rb_link_node(&node->shared.linear.rb, parent, link);
	rb_insert_color(&node->shared.linear.rb, root);
}

static inline void vma_interval_tree_remove(struct vm_area_struct *node,
					    struct rb_root *root)
{
	rb_erase(&node->shared.linear.rb, root);
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
int handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long address, unsigned int flags);
struct mmu_gather;
void unmap_vmas(struct mmu_gather *tlb, struct vm_area_struct *start_vma,
		unsigned long start, unsigned long end);
void unmap_mapping_range(struct address_space *mapping,
			 loff_t const holebegin, loff_t const holelen,
			 int even_cows);
void free_pgtables(struct mmu_gather *tlb, struct vm_area_struct *start_vma,
		   unsigned long floor, unsigned long ceiling);
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
void exit_mmap(struct mm_struct *mm);
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len);
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
	/* rmap / mlock area: fault counts __get_user_pages() keeps */
	unsigned long maj_flt, min_flt;
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

/* ---- rmap / mlock area: what the real rmap.c and mlock.c use ---- */

#define PAGE_MAPPING_KSM	2
#define PAGE_MAPPING_FLAGS	(PAGE_MAPPING_ANON | PAGE_MAPPING_KSM)

#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_GROWSUP	VM_NONE
#define VM_RAND_READ	0x00010000UL
#define VM_SOFTDIRTY	0		/* no CONFIG_MEM_SOFT_DIRTY */
#define VM_STACK_INCOMPLETE_SETUP	(VM_RAND_READ | VM_SEQ_READ)

#define FOLL_NOWAIT	0x20
#define FOLL_SPLIT	0x80
#define FOLL_HWPOISON	0x100
#define FOLL_NUMA	0x200
#define FOLL_MIGRATION	0x400

#define FAULT_FLAG_NONLINEAR	0x02
#define FAULT_FLAG_MKWRITE	0x04
#define FAULT_FLAG_ALLOW_RETRY	0x08
#define FAULT_FLAG_RETRY_NOWAIT	0x10
#define FAULT_FLAG_KILLABLE	0x20
#define FAULT_FLAG_TRIED	0x40

#define VM_FAULT_MAJOR		0x0004
#define VM_FAULT_HWPOISON	0x0010
#define VM_FAULT_HWPOISON_LARGE	0x0020
#define VM_FAULT_RETRY		0x0400
#define VM_FAULT_ERROR	(VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_HWPOISON | \
			 VM_FAULT_HWPOISON_LARGE)

#define PTR_ERR(p)		((long)(p))
#define EHWPOISON		133

struct mempolicy;
struct anon_vma;

long __get_user_pages(struct task_struct *tsk, struct mm_struct *mm,
		      unsigned long start, unsigned long nr_pages,
		      unsigned int foll_flags, struct page **pages,
		      struct vm_area_struct **vmas, int *nonblocking);
struct vm_area_struct *find_extend_vma(struct mm_struct *mm,
				       unsigned long addr);
struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma);
struct vm_area_struct *vma_merge(struct mm_struct *mm,
	struct vm_area_struct *prev, unsigned long addr, unsigned long end,
	unsigned long vm_flags, struct anon_vma *anon, struct file *file,
	pgoff_t pgoff, struct mempolicy *policy);
int split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
	      unsigned long addr, int new_below);
int can_do_mlock(void);

/* no stack (VM_GROWSDOWN) vma in a world: nothing ever grows */
static inline int expand_stack(struct vm_area_struct *vma,
			       unsigned long address)
{
	return -ENOMEM;
}
/* no gate vma (vsyscall page) in a world's address spaces */
#define in_gate_area(mm, addr)		((void)(mm), (void)(addr), 0)
/* a world's vmas are file mappings: none is a stack */
#define stack_guard_page(vma, addr)	((void)(vma), (void)(addr), 0)
#define flush_anon_page(vma, page, vmaddr) do { } while (0)

/* ---- end of the rmap / mlock area ---- */


/* ---- pgtable area: what the real memory.c, mmap.c and fremap.c use ---- */

#include <asm/pgalloc.h>

#define VM_DENYWRITE	0x00000800UL
#define FAULT_FLAG_USER		0x80
#define VM_FAULT_NOPAGE		0x0100
#define VM_FAULT_FALLBACK	0x0800
#define LAST_CPUPID_SHIFT	0	/* no NUMA balancing: no cpupid */
#define HPAGE_PMD_SIZE		PMD_SIZE
#define HPAGE_PMD_NR		(1 << (PMD_SHIFT - PAGE_SHIFT))

static inline pte_t maybe_mkwrite(pte_t pte, struct vm_area_struct *vma)
{
	if (likely(vma->vm_flags & VM_WRITE))
		pte = pte_mkwrite(pte);
	return pte;
}

/* pud and pmd are folded into the pgd: there is nothing to allocate */
#define __PAGETABLE_PUD_FOLDED
#define __PAGETABLE_PMD_FOLDED
#define pud_alloc(mm, pgd, address)	pud_offset(pgd, address)
#define pmd_alloc(mm, pud, address)	pmd_offset(pud, address)
int __pte_alloc(struct mm_struct *mm, struct vm_area_struct *vma,
		pmd_t *pmd, unsigned long address);
#define pte_alloc_map(mm, vma, pmd, address)				\
	((unlikely(pmd_none(*(pmd))) && __pte_alloc(mm, vma,		\
							pmd, address))?	\
	 NULL: pte_offset_map(pmd, address))
#define pte_alloc_map_lock(mm, pmd, address, ptlp)			\
	((unlikely(pmd_none(*(pmd))) && __pte_alloc(mm, NULL,		\
							pmd, address))?	\
		NULL: pte_offset_map_lock(mm, pmd, address, ptlp))

pte_t *__get_locked_pte(struct mm_struct *mm, unsigned long addr,
			spinlock_t **ptl);
static inline pte_t *get_locked_pte(struct mm_struct *mm, unsigned long addr,
				    spinlock_t **ptl)
{
	return __get_locked_pte(mm, addr, ptl);
}
void free_pgd_range(struct mmu_gather *tlb, unsigned long addr,
		    unsigned long end, unsigned long floor,
		    unsigned long ceiling);

/* the last pfn with a struct page: the world's last page */
unsigned long ksim_mm_highest_pfn(void);
#define highest_memmap_pfn	ksim_mm_highest_pfn()
#define pfn_valid(pfn)		((pfn) <= highest_memmap_pfn)
#define my_zero_pfn(addr)	((void)(addr), 0UL)
#define pte_mkspecial(pte)	(pte)

/* rss: counted straight into the mm here, no per-task cache */
#define sync_mm_rss(mm)			do { (void)(mm); } while (0)
#define check_sync_rss_stat(task)	do { (void)(task); } while (0)
#define update_hiwater_vm(mm)		do { } while (0)
#define vm_stat_account(mm, flags, file, pages) do { } while (0)
#define vm_unacct_memory(pages)		do { (void)(pages); } while (0)

/* no uprobes, no PAT, no stacks in a world */
#define uprobe_munmap(vma, start, end)	do { } while (0)
#define untrack_pfn(vma, pfn, size)	do { } while (0)
#define expand_downwards(vma, address)	(-ENOMEM)
#define expand_upwards(vma, address)	(-ENOMEM)
#define file_update_time(file)		do { (void)(file); } while (0)
#define flush_icache_page(vma, page)	do { } while (0)

#define TASK_RUNNING			0
#define __set_current_state(state)	do { } while (0)

/* vma splitting is not modelled (see __split_vma in mmap.c) */
#define sysctl_max_map_count		65530

void page_move_anon_rmap(struct page *page, struct vm_area_struct *vma,
			 unsigned long address);
void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd,
			  unsigned long address);
int do_numa_page(struct mm_struct *mm, struct vm_area_struct *vma,
		 unsigned long addr, pte_t pte, pte_t *ptep, pmd_t *pmd);

/* ---- end of the pgtable area ---- */

#endif
