/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: reverse mapping interfaces, as linux/rmap.h declares them in v3.13. */
#ifndef _LINUX_RMAP_H
#define _LINUX_RMAP_H

#include "ksim/kernel.h"
#include <linux/mm.h>

struct mem_cgroup;

enum ttu_flags {
	TTU_UNMAP = 0,
	TTU_MIGRATION = 1,
	TTU_MUNLOCK = 2,
	TTU_ACTION_MASK = 0xff,

	TTU_IGNORE_MLOCK = (1 << 8),
	TTU_IGNORE_ACCESS = (1 << 9),
	TTU_IGNORE_HWPOISON = (1 << 10),
};

#define TTU_ACTION(x)	((x) & TTU_ACTION_MASK)

#define SWAP_SUCCESS	0
#define SWAP_AGAIN	1
#define SWAP_FAIL	2
#define SWAP_MLOCK	3

void page_add_file_rmap(struct page *page);
void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma,
			    unsigned long address);
void page_add_anon_rmap(struct page *page, struct vm_area_struct *vma,
			unsigned long address);
void page_remove_rmap(struct page *page);
int page_referenced(struct page *page, int is_locked,
		    struct mem_cgroup *memcg, unsigned long *vm_flags);
int try_to_unmap(struct page *page, enum ttu_flags flags);
int try_to_unmap_one(struct page *page, struct vm_area_struct *vma,
		     unsigned long address, enum ttu_flags flags);
int try_to_munlock(struct page *page);
int rmap_walk(struct page *page, int (*rmap_one)(struct page *,
	      struct vm_area_struct *, unsigned long, void *), void *arg);
pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long address);
void unlink_anon_vmas(struct vm_area_struct *vma);

#define put_anon_vma(anon_vma)	atomic_dec(&(anon_vma)->refcount)

/* migrate area */
struct anon_vma *page_get_anon_vma(struct page *page);
#define page_dup_rmap(page)	atomic_inc(&(page)->_mapcount)
#define hugepage_add_anon_rmap(page, vma, address) \
	do { (void)(page); } while (0)

#endif
