/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: the mm data structures, reduced to the fields the modelled code
 * touches.  Field names follow the kernel; harness-only fields start
 * with ksim_.  Every object lives in the world's arena.
 */
#ifndef _LINUX_MM_TYPES_H
#define _LINUX_MM_TYPES_H

#include "ksim/kernel.h"
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/rwsem.h>
#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>

struct address_space;
struct file;
struct mm_struct;
struct vm_area_struct;

struct page {
	unsigned long flags;		/* PG_* bits; PG_locked is the page lock */
	struct address_space *mapping;	/* file, or anon_vma | PAGE_MAPPING_ANON */
	unsigned long index;		/* offset within the file, in pages */
	atomic_t _mapcount;		/* ptes mapping it, minus one */
	atomic_t _count;		/* references */
	unsigned long private;
	struct list_head lru;		/* LRU list, pagevec-free list, ... */
	int ksim_id;			/* harness: page number in the world */
	int ksim_free;			/* harness: sits in the free pool */
	int ksim_bad;			/* harness: freed in a bad state, kept out */
};

typedef unsigned long vm_flags_t;
typedef struct { unsigned long pte; } pte_t;
typedef struct { unsigned long pgprot; } pgprot_t;
typedef struct { unsigned long val; } swp_entry_t;

/*
 * One page table (the ptes under one pmd) and its split ptlock.  The
 * harness gives it only the first nr_ptes of the PTRS_PER_PTE entries:
 * those its mm's vmas span (pte_offset_map() BUGs beyond them).
 */
#define PTRS_PER_PTE	512
struct ksim_pagetable {
	spinlock_t ptl;
	int nr_ptes;
	pte_t ptes[];
};

/* A pmd entry: here it always points at the mm's single page table. */
typedef struct { struct ksim_pagetable *pt; } pmd_t;

/* struct anon_vma and struct anon_vma_chain: see linux/rmap.h */
struct anon_vma;

/*
 * pgtable area: what a fault handler is told (v3.13's struct vm_fault)
 * and the vma operations the real memory.c/mmap.c call.
 */
struct vm_fault {
	unsigned int flags;		/* FAULT_FLAG_xxx */
	pgoff_t pgoff;			/* file offset, in pages */
	void *virtual_address;		/* faulting address */
	struct page *page;		/* the page the handler found */
};

struct vm_operations_struct {
	void (*open)(struct vm_area_struct *area);
	void (*close)(struct vm_area_struct *area);
	int (*fault)(struct vm_area_struct *vma, struct vm_fault *vmf);
	int (*page_mkwrite)(struct vm_area_struct *vma, struct vm_fault *vmf);
	int (*remap_pages)(struct vm_area_struct *vma, unsigned long addr,
			   unsigned long size, unsigned long pgoff);
};

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct vm_area_struct *vm_next, *vm_prev;
	struct rb_node vm_rb;		/* on mm->mm_rb */
	unsigned long rb_subtree_gap;	/* largest free gap left of it (subtree) */
	struct mm_struct *vm_mm;
	pgprot_t vm_page_prot;
	unsigned long vm_flags;
	/*
	 * Linear vmas sit on mapping->i_mmap (the interval tree, see
	 * vma_interval_tree_insert), nonlinear ones on i_mmap_nonlinear.
	 */
	union {
		struct {
			struct rb_node rb;
			unsigned long rb_subtree_last;
		} linear;
		struct list_head nonlinear;
	} shared;
	/* rmap: the anon_vma_chains linking this vma to its anon_vmas */
	struct list_head anon_vma_chain;
	struct anon_vma *anon_vma;
	const struct vm_operations_struct *vm_ops;
	unsigned long vm_pgoff;
	struct file *vm_file;
	void *vm_private_data;		/* nonlinear: the reclaim cursor */
	int ksim_id;
	int ksim_unmapped;		/* harness: removed from its mm */
};

enum {
	MM_FILEPAGES,
	MM_ANONPAGES,
	MM_SWAPENTS,
	NR_MM_COUNTERS
};

struct mm_rss_stat {
	long count[NR_MM_COUNTERS];	/* changed under the ptl here: plain */
};

struct mm_struct {
	struct vm_area_struct *mmap;
	/* pgtable area: the vma tree and lookup cache find_vma() uses */
	struct rb_root mm_rb;
	struct vm_area_struct *mmap_cache;
	int map_count;			/* number of vmas */
	unsigned long highest_vm_end;	/* end of the highest vma */
	unsigned long total_vm;		/* pages mapped */
	atomic_long_t nr_ptes;		/* page tables (pte pages) */
	struct ksim_pagetable *ksim_pt;	/* the one table the pmd may point at */
	pmd_t ksim_pmd;			/* the single pmd of this address space */
	atomic_t mm_users;
	atomic_t mm_count;
	struct rw_semaphore mmap_sem;
	spinlock_t page_table_lock;
	unsigned long locked_vm;
	unsigned long hiwater_rss;
	struct mm_rss_stat rss_stat;
	/* rmap: on init_mm.mmlist once the mm has swap entries (never here) */
	struct list_head mmlist;
	int ksim_id;
};

#endif
