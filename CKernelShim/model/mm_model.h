/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The mm world model: the root object of an mm world (zone, pages,
 * files, mms, per-CPU state) and what its files share.  Harness code,
 * not kernel code: see mm_world.c for the spec language.
 */
#ifndef KSIM_MM_MODEL_H
#define KSIM_MM_MODEL_H

#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/vmstat.h>
#include <linux/rmap.h>
#include <linux/slab.h>

#include "ksim/model.h"

#define MMW_PAGES	24	/* file pages + pool pages */
#define MMW_FILES	3
/*
 * mms: allocated from the arena as the spec names them, so a world pays
 * (restore, state hash) only for the mms it has
 */
#define MMW_MMS		KSIM_MAX_TASKS
#define MMW_VMAS	4	/* per mm */
#define MMW_NAME	16
/*
 * slab pools (linux/slab.h): an anon_vma for each vma of MMW_ANON_MMS
 * mms' worth of vmas, and two chains each (its own, and its parent's when
 * an 'anon' line shares a page as fork would have).  Kept at the size
 * they had when a world had at most 3 mms: more mms, not more anonymous
 * vmas, is what the larger worlds needed.
 */
#define MMW_ANON_MMS	3
#define MMW_ANON_VMAS	(MMW_ANON_MMS * MMW_VMAS)
#define MMW_AVCS	(2 * MMW_ANON_VMAS)
#define MMW_STATICS	2	/* static DEFINE_MUTEX()es in the kernel code */

enum mmw_lru {
	MMW_LRU_INACTIVE,
	MMW_LRU_ACTIVE,
	MMW_LRU_UNEVICTABLE,
};

struct mmw_file {
	char name[MMW_NAME];
	struct address_space mapping;
	struct file file;
	struct inode inode;
	int nr_pages;
};

struct mmw_mm {
	char name[MMW_NAME];
	struct mm_struct mm;
	struct ksim_pagetable *pt;
	struct vm_area_struct vmas[MMW_VMAS];
	char vma_names[MMW_VMAS][MMW_NAME];
	int nr_vmas;
};

/* mmw_pageinfo.file of a page that belongs to no file */
#define MMW_PAGE_POOL	(-1)	/* free, for migration targets and COW */
#define MMW_PAGE_ANON	(-2)	/* anonymous, given by an 'anon' line */

/* Spec-time facts about a page (not touched by runs). */
struct mmw_pageinfo {
	char name[MMW_NAME];
	int file;		/* owning file, or MMW_PAGE_POOL / _ANON */
	int lru;		/* enum mmw_lru */
	int mlocked, referenced, dirty, active, stranded;
	int given;		/* a 'page' line described it */
};

struct mmw {
	struct zone zone;
	struct page pages[MMW_PAGES];
	struct mmw_pageinfo info[MMW_PAGES];
	int nr_pages;
	int nr_pool;
	struct mmw_file files[MMW_FILES];
	int nr_files;
	struct mmw_mm *mms[MMW_MMS];
	int nr_mms;
	struct ksim_percpu percpu[KSIM_MAX_TASKS + 1];
	struct per_cpu_pageset pagesets[KSIM_MAX_TASKS + 1];	/* zone->pageset */
	/* function-local static mutexes of the kernel code (DEFINE_MUTEX) */
	struct {
		const void *key;
		struct mutex mutex;
	} statics[MMW_STATICS];
	/* the page dump_page() showed last, for the add_taint() report */
	struct page *dumped;
	char dump_text[300];
	const char *dump_detail;	/* its last changes, call chain (this run) */
	struct task_struct tasks[KSIM_MAX_TASKS + 1];
	long vm_events[NR_VM_EVENT_ITEMS];
	/* rmap: the anon_vma and anon_vma_chain slab pools */
	struct anon_vma anon_vmas[MMW_ANON_VMAS];
	unsigned char anon_vma_used[MMW_ANON_VMAS];
	struct anon_vma_chain avcs[MMW_AVCS];
	unsigned char avc_used[MMW_AVCS];
	/* rmap: the kernel's global list of mms with swap entries */
	spinlock_t ksim_mmlist_lock;
	struct mm_struct ksim_init_mm;
};

/* lookups by name, at spec time; NULL / -1 when unknown */
struct page *mmw_find_page(struct mmw *m, const char *name);
struct mmw_file *mmw_find_file(struct mmw *m, const char *name);
struct mmw_mm *mmw_find_mm(struct mmw *m, const char *name);
struct vm_area_struct *mmw_find_vma(struct mmw_mm *mm, const char *name);

/* model.c side of the kernel code: harness entry points */
unsigned long ksim_shrink_page(struct page *page);
long sys_mlock(unsigned long start, size_t len);
long sys_munlock(unsigned long start, size_t len);
long sys_remap_file_pages(unsigned long start, unsigned long size,
			  unsigned long prot, unsigned long pgoff,
			  unsigned long flags);
int migrate_prep(void);

#endif
