// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/mmap.c - vma lookup, munmap and exit teardown (Linux v3.13 model
 * for KernelHarness).  A world's vmas are fixed: munmap takes whole
 * vmas, nothing is split or merged.  The vma rb-tree (mm->mm_rb) and
 * the file's interval tree are the search trees of linux/rbtree.h.
 */

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/mmu_notifier.h>
#include <linux/export.h>
#include <linux/mempolicy.h>
#include <linux/rbtree_augmented.h>

#include <asm/tlb.h>
#include <asm/tlbflush.h>

#include "internal.h"

/* vmas come from (and go back to) this cache; see ksim_mm_slab_free */
static const struct kmem_cache ksim_vm_area_cache = {
	"vm_area_struct", sizeof(struct vm_area_struct), KSIM_SLAB_VM_AREA,
};
#define vm_area_cachep		(&ksim_vm_area_cache)

/*
 * Take the vma off its file's interval tree (or nonlinear list).
 * i_mmap_mutex held.
 */
static void __remove_shared_vm_struct(struct vm_area_struct *vma,
		struct file *file, struct address_space *mapping)
{
	if (vma->vm_flags & VM_DENYWRITE)
		atomic_inc(&file_inode(file)->i_writecount);
	if (vma->vm_flags & VM_SHARED)
		mapping->i_mmap_writable--;

	flush_dcache_mmap_lock(mapping);
	if (unlikely(vma->vm_flags & VM_NONLINEAR))
		list_del_init(&vma->shared.nonlinear);
	else
		vma_interval_tree_remove(vma, &mapping->i_mmap);
	flush_dcache_mmap_unlock(mapping);
}

/*
 * Unlink a file vma from its file, so that rmap walks and truncation no
 * longer find it, before its page tables are freed.
 */
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

/* Close and free a vma; returns the next one. */
static struct vm_area_struct *remove_vma(struct vm_area_struct *vma)
{
	struct vm_area_struct *next = vma->vm_next;

	might_sleep();
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	if (vma->vm_file)
		fput(vma->vm_file);
	mpol_put(vma_policy(vma));
	kmem_cache_free(vm_area_cachep, vma);
	return next;
}

/*
 * The largest free gap below a vma or anywhere in its subtree: the
 * augmented value of the vma tree (get_unmapped_area() searches it).
 */
static long vma_compute_subtree_gap(struct vm_area_struct *vma)
{
	unsigned long max, subtree_gap;
	max = vma->vm_start;
	if (vma->vm_prev)
		max -= vma->vm_prev->vm_end;
	if (vma->vm_rb.rb_left) {
		subtree_gap = rb_entry(vma->vm_rb.rb_left,
				struct vm_area_struct, vm_rb)->rb_subtree_gap;
		if (subtree_gap > max)
			max = subtree_gap;
	}
	if (vma->vm_rb.rb_right) {
		subtree_gap = rb_entry(vma->vm_rb.rb_right,
				struct vm_area_struct, vm_rb)->rb_subtree_gap;
		if (subtree_gap > max)
			max = subtree_gap;
	}
	return max;
}

/* no CONFIG_DEBUG_VM_RB: the tree checks are off, as in most builds */
#define validate_mm_rb(root, ignore) do { } while (0)
#define validate_mm(mm) do { } while (0)

RB_DECLARE_CALLBACKS(static, vma_gap_callbacks, struct vm_area_struct, vm_rb,
		     unsigned long, rb_subtree_gap, vma_compute_subtree_gap)

/*
 * A vma's gap changed (its start, or its predecessor's end): recompute
 * the gaps from it up to the root.
 */
static void vma_gap_update(struct vm_area_struct *vma)
{
	/* the generated propagate callback does exactly that */
	vma_gap_callbacks_propagate(&vma->vm_rb, NULL);
}

static void vma_rb_erase(struct vm_area_struct *vma, struct rb_root *root)
{
	/* the gaps are consistent, except perhaps the erased vma's own */
	validate_mm_rb(root, vma);

	rb_erase_augmented(&vma->vm_rb, root, &vma_gap_callbacks);
}

/* The first vma with vm_end > addr, or NULL: cache, then the rb-tree. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = NULL;

	/* the last vma found, often the one wanted again */
	vma = ACCESS_ONCE(mm->mmap_cache);
	if (!(vma && vma->vm_end > addr && vma->vm_start <= addr)) {
		struct rb_node *rb_node;

		rb_node = mm->mm_rb.rb_node;
		vma = NULL;

		while (rb_node) {
			struct vm_area_struct *vma_tmp;

			vma_tmp = rb_entry(rb_node,
					   struct vm_area_struct, vm_rb);

			if (vma_tmp->vm_end > addr) {
				vma = vma_tmp;
				if (vma_tmp->vm_start <= addr)
					break;
				rb_node = rb_node->rb_left;
			} else
				rb_node = rb_node->rb_right;
		}
		if (vma)
			mm->mmap_cache = vma;
	}
	return vma;
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

/*
 * model-only: splitting a vma (vma_adjust() and the copies of its
 * policy, anon_vma chains and file reference) is not modelled; a world's
 * munmap ranges are whole vmas, so do_munmap() never splits.
 */
static int __split_vma(struct mm_struct * mm, struct vm_area_struct * vma,
	      unsigned long addr, int new_below)
{
	BUG();
	return -ENOMEM;
}

/*
 * Free the detached vmas and drop what the mm counted for them.
 * mmap_sem held for write.
 */
static void remove_vma_list(struct mm_struct *mm, struct vm_area_struct *vma)
{
	unsigned long nr_accounted = 0;

	/* the high-water mark before total_vm drops */
	update_hiwater_vm(mm);
	do {
		long nrpages = vma_pages(vma);

		if (vma->vm_flags & VM_ACCOUNT)
			nr_accounted += nrpages;
		vm_stat_account(mm, vma->vm_flags, vma->vm_file, -nrpages);
		vma = remove_vma(vma);
	} while (vma);
	vm_unacct_memory(nr_accounted);
	validate_mm(mm);
}

/*
 * Unmap the pages of the detached vmas and free their page tables (as
 * far as the neighbours prev and next leave them unused).
 * mmap_sem held for write.
 */
static void unmap_region(struct mm_struct *mm,
		struct vm_area_struct *vma, struct vm_area_struct *prev,
		unsigned long start, unsigned long end)
{
	struct vm_area_struct *next = prev? prev->vm_next: mm->mmap;
	struct mmu_gather tlb;

	lru_add_drain();
	tlb_gather_mmu(&tlb, mm, start, end);
	update_hiwater_rss(mm);
	unmap_vmas(&tlb, vma, start, end);
	free_pgtables(&tlb, vma, prev ? prev->vm_end : FIRST_USER_ADDRESS,
				 next ? next->vm_start : USER_PGTABLES_CEILING);
	tlb_finish_mmu(&tlb, start, end);
}

/*
 * Take the vmas from vma up to end off the mm's list and tree; they
 * stay linked to each other (a NULL-terminated list from vma).
 */
static void
detach_vmas_to_be_unmapped(struct mm_struct *mm, struct vm_area_struct *vma,
	struct vm_area_struct *prev, unsigned long end)
{
	struct vm_area_struct **insertion_point;
	struct vm_area_struct *tail_vma = NULL;

	insertion_point = (prev ? &prev->vm_next : &mm->mmap);
	vma->vm_prev = NULL;
	do {
		vma_rb_erase(vma, &mm->mm_rb);
		mm->map_count--;
		tail_vma = vma;
		vma = vma->vm_next;
	} while (vma && vma->vm_start < end);
	*insertion_point = vma;
	if (vma) {
		vma->vm_prev = prev;
		vma_gap_update(vma);
	} else
		mm->highest_vm_end = prev ? prev->vm_end : 0;
	tail_vma->vm_next = NULL;
	mm->mmap_cache = NULL;		/* it may point at a detached vma */
}

/**
 * do_munmap - unmap [start, start + len) from mm
 * @mm: the mm, its mmap_sem held for write
 * @start: start address
 * @len: length
 *
 * Vmas straddling the range are split first (never here: whole vmas);
 * locked vmas are munlocked, then the vmas are detached, their pages
 * unmapped and the vmas freed.
 */
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	unsigned long end;
	struct vm_area_struct *vma, *prev, *last;

	if ((start & ~PAGE_MASK) || start > TASK_SIZE || len > TASK_SIZE-start)
		return -EINVAL;

	if ((len = PAGE_ALIGN(len)) == 0)
		return -EINVAL;

	/* the first vma that ends above start */
	vma = find_vma(mm, start);
	if (!vma)
		return 0;
	prev = vma->vm_prev;
	/* start < vma->vm_end from here on */

	/* nothing to do if it does not overlap */
	end = start + len;
	if (vma->vm_start >= end)
		return 0;

	/*
	 * Split the vmas the range begins or ends inside, so that the
	 * range is whole vmas.  (The lower piece stays below, the upper
	 * above: mremap relies on it.)
	 */
	if (start > vma->vm_start) {
		int error;

		/*
		 * Splitting adds a vma: refuse when that would leave the mm
		 * above its limit, but allow the split that frees memory.
		 */
		if (end < vma->vm_end && mm->map_count >= sysctl_max_map_count)
			return -ENOMEM;

		error = __split_vma(mm, vma, start, 0);
		if (error)
			return error;
		prev = vma;
	}

	/* the last vma may need splitting too */
	last = find_vma(mm, end);
	if (last && end > last->vm_start) {
		int error = __split_vma(mm, last, end, 1);
		if (error)
			return error;
	}
	vma = prev? prev->vm_next: mm->mmap;

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

	/* take the vmas off the mm, unmap their pages */
	detach_vmas_to_be_unmapped(mm, vma, prev, end);
	unmap_region(mm, vma, prev, start, end);

	/* and free them */
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
	unsigned long nr_accounted = 0;

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
	if (!vma)	/* an mm with no vmas at all */
		return;

	lru_add_drain();
	flush_cache_mm(mm);
	tlb_gather_mmu(&tlb, mm, 0, -1);
	/* nobody looks at the rss any more: no hiwater update */
	/* -1: every vma of the mm */
	unmap_vmas(&tlb, vma, 0, -1);

	free_pgtables(&tlb, vma, FIRST_USER_ADDRESS, USER_PGTABLES_CEILING);
	tlb_finish_mmu(&tlb, 0, -1);

	/* now close and free the vmas, with no mm locks held */
	while (vma) {
		if (vma->vm_flags & VM_ACCOUNT)
			nr_accounted += vma_pages(vma);
		vma = remove_vma(vma);
	}
	vm_unacct_memory(nr_accounted);

	/* every page table went with the vmas */
	WARN_ON(atomic_long_read(&mm->nr_ptes) >
			(FIRST_USER_ADDRESS+PMD_SIZE-1)>>PMD_SHIFT);
}
