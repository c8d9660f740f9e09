// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/fremap.c - remap_file_pages(2): nonlinear file mappings (Linux
 * v3.13 model for KernelHarness).
 *
 * A shared file vma becomes VM_NONLINEAR the first time a range of it is
 * pointed at file offsets other than its linear ones: it moves from the
 * file's i_mmap to i_mmap_nonlinear (under i_mmap_mutex), and the ptes
 * of the range are replaced by file ptes that remember the offsets.
 * Files here do not account dirty pages (tmpfs-like), so the emulation
 * through linear vmas is never taken; faults are not modelled, so the
 * populate step only mlocks pages that are still present.
 */
#include <linux/export.h>
#include <linux/backing-dev.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/swapops.h>
#include <linux/rmap.h>
#include <linux/syscalls.h>
#include <linux/mmu_notifier.h>

#include <asm/tlbflush.h>

#include "internal.h"

/* Drop whatever the pte held: a mapped page, a file pte, a swap entry. */
static void zap_pte(struct mm_struct *mm, struct vm_area_struct *vma,
			unsigned long addr, pte_t *ptep)
{
	pte_t pte = *ptep;

	if (pte_present(pte)) {
		struct page *page;

		flush_cache_page(vma, addr, pte_pfn(pte));
		pte = ptep_clear_flush(vma, addr, ptep);
		page = vm_normal_page(vma, addr, pte);
		if (page) {
			if (pte_dirty(pte))
				set_page_dirty(page);
			page_remove_rmap(page);
			page_cache_release(page);
			update_hiwater_rss(mm);
			dec_mm_counter(mm, MM_FILEPAGES);
		}
	} else {
		/* a swap entry goes (a migration entry holds no swap) */
		if (!pte_file(pte))
			free_swap_and_cache(pte_to_swp_entry(pte));
		pte_clear_not_present_full(mm, addr, ptep, 0);
	}
}

/*
 * Point the pte at addr to file offset pgoff: the old mapping goes, a
 * non-present file pte takes its place.  The next fault on it looks the
 * offset up (no update_mmu_cache: nothing is mapped yet).
 */
static int install_file_pte(struct mm_struct *mm, struct vm_area_struct *vma,
		unsigned long addr, unsigned long pgoff, pgprot_t prot)
{
	int err = -ENOMEM;
	pte_t *pte, ptfile;
	spinlock_t *ptl;

	pte = get_locked_pte(mm, addr, &ptl);
	if (!pte)
		goto out;

	ptfile = pgoff_to_pte(pgoff);

	if (!pte_none(*pte)) {
		if (pte_present(*pte) && pte_soft_dirty(*pte))
			pte_file_mksoft_dirty(ptfile);
		zap_pte(mm, vma, addr, pte);
	}

	set_pte_at(mm, addr, pte, ptfile);
	pte_unmap_unlock(pte, ptl);
	err = 0;
out:
	return err;
}

/* The ->remap_pages of ordinary files: one file pte per page. */
int generic_file_remap_pages(struct vm_area_struct *vma, unsigned long addr,
			     unsigned long size, pgoff_t pgoff)
{
	struct mm_struct *mm = vma->vm_mm;
	int err;

	do {
		err = install_file_pte(mm, vma, addr, pgoff, vma->vm_page_prot);
		if (err)
			return err;

		size -= PAGE_SIZE;
		addr += PAGE_SIZE;
		pgoff++;
	} while (size);

	return 0;
}

/**
 * sys_remap_file_pages - map file offsets anywhere in a shared file vma
 * @start: first address of the range (inside one vma)
 * @size: length of the range
 * @prot: must be 0
 * @pgoff: file offset, in pages, for @start
 * @flags: MAP_NONBLOCK skips the populate step (unless VM_LOCKED)
 *
 * mmap_sem is taken for read; it is traded for the write lock (and the
 * vma looked up again) when VM_NONLINEAR must be set or a VM_LOCKED
 * range munlocked, both of which change vm_flags.
 */
SYSCALL_DEFINE5(remap_file_pages, unsigned long, start, unsigned long, size,
		unsigned long, prot, unsigned long, pgoff, unsigned long, flags)
{
	struct mm_struct *mm = current->mm;
	struct address_space *mapping;
	struct vm_area_struct *vma;
	int err = -EINVAL;
	int has_write_lock = 0;
	vm_flags_t vm_flags = 0;

	if (prot)
		return err;
	/* round the range to pages */
	start = start & PAGE_MASK;
	size = size & PAGE_MASK;

	/* an empty or wrapping range is refused */
	if (start + size <= start)
		return err;

	/* so is a wrapping file offset */
	if (pgoff + (size >> PAGE_SHIFT) < pgoff)
		return err;

	/* and one a file pte cannot hold */
#if PTE_FILE_MAX_BITS < BITS_PER_LONG
	if (pgoff + (size >> PAGE_SHIFT) >= (1UL << PTE_FILE_MAX_BITS))
		return err;
#endif

	/* read lock first: most calls leave vm_flags alone */
	down_read(&mm->mmap_sem);
 retry:
	vma = find_vma(mm, start);

	/*
	 * Only a shared vma of a file that can remap, containing the
	 * whole range.
	 */
	if (!vma || !(vma->vm_flags & VM_SHARED))
		goto out;

	if (!vma->vm_ops || !vma->vm_ops->remap_pages)
		goto out;

	if (start < vma->vm_start || start + size > vma->vm_end)
		goto out;

	/* VM_NONLINEAR goes on before the first file pte does */
	if (!(vma->vm_flags & VM_NONLINEAR)) {
		/*
		 * A linear vma with private data is not ours to turn
		 * nonlinear: that field becomes the reclaim cursor.
		 */
		if (vma->vm_private_data)
			goto out;

		/* the linear offset already: nothing to do */
		if (pgoff == linear_page_index(vma, start)) {
			err = 0;
			goto out;
		}

		if (!has_write_lock) {
get_write_lock:
			up_read(&mm->mmap_sem);
			down_write(&mm->mmap_sem);
			has_write_lock = 1;
			goto retry;
		}
		mapping = vma->vm_file->f_mapping;
		/*
		 * Dirty accounting needs page_mkclean(), which cannot find
		 * pages in nonlinear vmas: such files get a new linear vma
		 * instead.
		 */
		if (mapping_cap_account_dirty(mapping)) {
			unsigned long addr;
			struct file *file = get_file(vma->vm_file);
			/* the vma may be gone after mmap_region() */
			vm_flags = vma->vm_flags;

			addr = mmap_region(file, start, size, vm_flags, pgoff);
			fput(file);
			if (IS_ERR_VALUE(addr)) {
				err = addr;
			} else {
				BUG_ON(addr != start);
				err = 0;
			}
			goto out_freed;
		}
		/* rmap walkers look for the vma on one list or the other */
		mutex_lock(&mapping->i_mmap_mutex);
		flush_dcache_mmap_lock(mapping);
		vma->vm_flags |= VM_NONLINEAR;
		vma_interval_tree_remove(vma, &mapping->i_mmap);
		vma_nonlinear_insert(vma, &mapping->i_mmap_nonlinear);
		flush_dcache_mmap_unlock(mapping);
		mutex_unlock(&mapping->i_mmap_mutex);
	}

	if (vma->vm_flags & VM_LOCKED) {
		/*
		 * The pages about to be unmapped lose their mlock; the
		 * munlock clears VM_LOCKED, which the vma keeps: restore it.
		 */
		if (!has_write_lock)
			goto get_write_lock;
		vm_flags = vma->vm_flags;
		munlock_vma_pages_range(vma, start, start + size);
		vma->vm_flags = vm_flags;
	}

	mmu_notifier_invalidate_range_start(mm, start, start + size);
	err = vma->vm_ops->remap_pages(vma, start, size, pgoff);
	mmu_notifier_invalidate_range_end(mm, start, start + size);

	/*
	 * VM_NONLINEAR stays set even if the range is linear again: it
	 * could only be cleared after the populate, under the write lock.
	 */

out:
	if (vma)
		vm_flags = vma->vm_flags;
out_freed:
	if (likely(!has_write_lock))
		up_read(&mm->mmap_sem);
	else
		up_write(&mm->mmap_sem);
	if (!err && ((vm_flags & VM_LOCKED) || !(flags & MAP_NONBLOCK)))
		mm_populate(start, size);

	return err;
}
