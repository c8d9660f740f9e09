// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/mmap.c - vma lookup, munmap and exit teardown (Linux v3.13 model
 * for KernelHarness).  Ranges are whole vmas: no split or merge.
 */

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/mmu_notifier.h>
#include <linux/export.h>
#include <linux/mempolicy.h>

#include <asm/tlb.h>
#include <asm/tlbflush.h>

#include "internal.h"

/* The first vma with vm_end > addr, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	for (vma = mm->mmap; vma; vma = vma->vm_next)
		if (vma->vm_end > addr)
			return vma;
	return NULL;
}

/* Take the vma off its file's i_mmap tree or nonlinear list. */
static void __remove_shared_vm_struct(struct vm_area_struct *vma,
		struct file *file, struct address_space *mapping)
{
	flush_dcache_mmap_lock(mapping);
	if (unlikely(vma->vm_flags & VM_NONLINEAR))
		list_del_init(&vma->shared.nonlinear);
	else
		list_del_init(&vma->shared.linear.list);
	flush_dcache_mmap_unlock(mapping);
}

/* Unlink a file-backed vma from its file, under i_mmap_mutex. */
void unlink_file_vma(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;

	if (file) {
		struct address_space *mapping = file->f_mapping;
		mutex_lock(&mapping->i_mmap_mutex);
		__remove_shared_vm_struct(vma, file, mapping);
		mutex_unlock(&mapping->i_mmap_mutex);
	}
}

/* Free a vma; returns the next one. */
static struct vm_area_struct *remove_vma(struct vm_area_struct *vma)
{
	struct vm_area_struct *next = vma->vm_next;

	might_sleep();
	vma->ksim_unmapped = 1;
	return next;
}

/*
 * model-only: merging vmas is not modelled (a world's vmas are fixed
 * arrays, and every range mlock()/munlock() is given is a whole vma):
 * no merge is ever possible, so the answer is always NULL.
 */
struct vm_area_struct *vma_merge(struct mm_struct *mm,
			struct vm_area_struct *prev, unsigned long addr,
			unsigned long end, unsigned long vm_flags,
			struct anon_vma *anon_vma, struct file *file,
			pgoff_t pgoff, struct mempolicy *policy)
{
	return NULL;
}

/*
 * rmap area: may vmas a and b (a just below b) share an anon_vma?
 * Only if they could have been one vma: touching, same file at
 * contiguous offsets, same policy and same flags but for protection.
 */
static int anon_vma_compatible(struct vm_area_struct *a, struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start &&
		mpol_equal(vma_policy(a), vma_policy(b)) &&
		a->vm_file == b->vm_file &&
		!((a->vm_flags ^ b->vm_flags) & ~(VM_READ|VM_WRITE|VM_EXEC)) &&
		b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >> PAGE_SHIFT);
}

/*
 * The anon_vma of neighbour old, if a and b are compatible and old has
 * no anon_vma but its own (one chain: never forked).  old->anon_vma is
 * read without a lock: the caller locks whatever it gets.
 */
static struct anon_vma *reusable_anon_vma(struct vm_area_struct *old, struct vm_area_struct *a, struct vm_area_struct *b)
{
	if (anon_vma_compatible(a, b)) {
		struct anon_vma *anon_vma = ACCESS_ONCE(old->anon_vma);

		if (anon_vma && list_is_singular(&old->anon_vma_chain))
			return anon_vma;
	}
	return NULL;
}

/*
 * For anon_vma_prepare(): an anon_vma of a neighbouring vma that vma
 * could share, so that a later merge of the two stays possible; NULL
 * when neither neighbour qualifies.
 */
struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct anon_vma *anon_vma;
	struct vm_area_struct *near;

	near = vma->vm_next;
	if (!near)
		goto try_prev;

	anon_vma = reusable_anon_vma(near, vma, near);
	if (anon_vma)
		return anon_vma;
try_prev:
	near = vma->vm_prev;
	if (!near)
		goto none;

	anon_vma = reusable_anon_vma(near, near, vma);
	if (anon_vma)
		return anon_vma;
none:
	/* farther vmas are not looked at */
	return NULL;
}

/*
 * The vma containing addr, for get_user_pages(); a stack vma just above
 * it would be grown down to cover it (no world has one).
 */
struct vm_area_struct *
find_extend_vma(struct mm_struct * mm, unsigned long addr)
{
	struct vm_area_struct * vma;
	unsigned long start;

	addr &= PAGE_MASK;
	vma = find_vma(mm,addr);
	if (!vma)
		return NULL;
	if (vma->vm_start <= addr)
		return vma;
	if (!(vma->vm_flags & VM_GROWSDOWN))
		return NULL;
	start = vma->vm_start;
	if (expand_stack(vma, addr))
		return NULL;
	if (vma->vm_flags & VM_LOCKED)
		__mlock_vma_pages_range(vma, addr, start, NULL);
	return vma;
}

/*
 * model-only: splitting vmas is not modelled (a world's vmas are fixed
 * arrays, and mlock()/munlock() are only given whole vmas, so this is
 * never reached); it fails as the kernel's does at the map count limit.
 */
int split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
	      unsigned long addr, int new_below)
{
	WARN_ON(1);
	return -ENOMEM;
}

static void remove_vma_list(struct mm_struct *mm, struct vm_area_struct *vma)
{
	do {
		vma = remove_vma(vma);
	} while (vma);
}

static void unmap_region(struct mm_struct *mm,
		struct vm_area_struct *vma, struct vm_area_struct *prev,
		unsigned long start, unsigned long end)
{
	struct mmu_gather tlb;

	lru_add_drain();
	tlb_gather_mmu(&tlb, mm, start, end);
	update_hiwater_rss(mm);
	unmap_vmas(&tlb, vma, start, end);
	free_pgtables(&tlb, vma, prev ? prev->vm_end : FIRST_USER_ADDRESS,
		      0);
	tlb_finish_mmu(&tlb, start, end);
}

/* Take the vmas from vma up to end off the mm's list. */
static void
detach_vmas_to_be_unmapped(struct mm_struct *mm, struct vm_area_struct *vma,
	struct vm_area_struct *prev, unsigned long end)
{
	struct vm_area_struct **insertion_point;
	struct vm_area_struct *tail_vma = NULL;

	insertion_point = (prev ? &prev->vm_next : &mm->mmap);
	vma->vm_prev = NULL;
	do {
		tail_vma = vma;
		vma = vma->vm_next;
	} while (vma && vma->vm_start < end);
	*insertion_point = vma;
	if (vma)
		vma->vm_prev = prev;
	tail_vma->vm_next = NULL;
}

/**
 * do_munmap - unmap the vmas of [start, start + len)
 * @mm: the mm, its mmap_sem held for write
 * @start: start address (a vma start here)
 * @len: length (whole vmas here)
 *
 * Locked vmas are munlocked first, then the pages are unmapped and the
 * vmas unlinked and freed.
 */
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	unsigned long end;
	struct vm_area_struct *vma, *prev;

	if ((start & ~PAGE_MASK) || start > PMD_SIZE || len > PMD_SIZE-start)
		return -EINVAL;

	len = PAGE_ALIGN(len);
	if (len == 0)
		return -EINVAL;

	/* the first vma that overlaps */
	vma = find_vma(mm, start);
	if (!vma)
		return 0;
	prev = vma->vm_prev;

	/* nothing to do if it does not overlap */
	end = start + len;
	if (vma->vm_start >= end)
		return 0;

	/* munlock the locked ranges before the vmas go */
	if (mm->locked_vm) {
		struct vm_area_struct *tmp = vma;
		while (tmp && tmp->vm_start < end) {
			if (tmp->vm_flags & VM_LOCKED) {
				mm->locked_vm -= vma_pages(tmp);
				munlock_vma_pages_all(tmp);
			}
			tmp = tmp->vm_next;
		}
	}

	/* take the vmas off the mm, unmap their pages, free them */
	detach_vmas_to_be_unmapped(mm, vma, prev, end);
	unmap_region(mm, vma, prev, start, end);

	remove_vma_list(mm, vma);

	return 0;
}

/**
 * exit_mmap - tear down an address space whose last user is gone
 * @mm: the mm
 *
 * No mmap_sem is taken: nobody else uses the mm any more.
 */
void exit_mmap(struct mm_struct *mm)
{
	struct mmu_gather tlb;
	struct vm_area_struct *vma;

	/* the mm's last user is gone: it is about to be pulled down */
	mmu_notifier_release(mm);

	if (mm->locked_vm) {
		vma = mm->mmap;
		while (vma) {
			if (vma->vm_flags & VM_LOCKED)
				munlock_vma_pages_all(vma);
			vma = vma->vm_next;
		}
	}

	arch_exit_mmap(mm);

	vma = mm->mmap;
	if (!vma)
		return;

	lru_add_drain();
	flush_cache_mm(mm);
	tlb_gather_mmu(&tlb, mm, 0, -1);
	/* -1: every vma of the mm */
	unmap_vmas(&tlb, vma, 0, -1);

	free_pgtables(&tlb, vma, FIRST_USER_ADDRESS, 0);
	tlb_finish_mmu(&tlb, 0, -1);

	/* now free the vmas, with no mm locks held */
	while (vma)
		vma = remove_vma(vma);
	mm->mmap = NULL;
}
