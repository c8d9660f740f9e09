// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/mlock.c - mlock(), munlock() and the PG_mlocked life cycle
 * (Linux v3.13 model for KernelHarness).
 *
 * A page is PG_mlocked while at least one VM_LOCKED vma maps it; such a
 * page lives on the unevictable LRU list and is counted in NR_MLOCK.
 * Setting PG_mlocked happens when a VM_LOCKED vma faults the page in or
 * when reclaim finds it mapped by one; clearing it happens on munlock,
 * on the last unmap, and when migration hands it to the new page.
 */

#include <linux/capability.h>
#include <linux/mman.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/mempolicy.h>
#include <linux/syscalls.h>
#include <linux/sched.h>
#include <linux/resource.h>
#include <linux/export.h>
#include <linux/rmap.h>
#include <linux/mmzone.h>
#include <linux/hugetlb.h>
#include <linux/memcontrol.h>
#include <linux/mm_inline.h>

#include "internal.h"

int can_do_mlock(void)
{
	if (capable(CAP_IPC_LOCK))
		return 1;
	if (rlimit(RLIMIT_MEMLOCK) != 0)
		return 1;
	return 0;
}
EXPORT_SYMBOL(can_do_mlock);

/*
 * The last mapping of an mlocked page is going away (or the page is
 * being dropped from the page cache): take it off the unevictable list.
 * If someone else has the page isolated, it puts the page back itself.
 */
void clear_page_mlock(struct page *page)
{
	if (!TestClearPageMlocked(page))
		return;

	mod_zone_page_state(page_zone(page), NR_MLOCK,
			    -hpage_nr_pages(page));
	count_vm_event(UNEVICTABLE_PGCLEARED);
	if (!isolate_lru_page(page)) {
		putback_lru_page(page);
	} else {
		/*
		 * Whoever isolated it will put it back on the right list.
		 */
		if (PageUnevictable(page))
			count_vm_event(UNEVICTABLE_PGSTRANDED);
	}
}

/*
 * Mark a page mapped by a VM_LOCKED vma as mlocked and move it to the
 * unevictable list.  The caller holds the page lock.
 */
void mlock_vma_page(struct page *page)
{
	BUG_ON(!PageLocked(page));

	if (!TestSetPageMlocked(page)) {
		mod_zone_page_state(page_zone(page), NR_MLOCK,
				    hpage_nr_pages(page));
		count_vm_event(UNEVICTABLE_PGMLOCKED);
		if (!isolate_lru_page(page))
			putback_lru_page(page);
	}
}

/*
 * Second half of munlocking a page we isolated from the LRU: if no
 * other VM_LOCKED vma maps it, it goes back to an evictable list.
 * Page locked by the caller.
 */
static void __munlock_isolated_page(struct page *page)
{
	int ret = SWAP_AGAIN;

	/*
	 * Mapped only once means mapped only by the vma being munlocked:
	 * no need to look for other locked vmas.
	 */
	if (page_mapcount(page) > 1)
		ret = try_to_munlock(page);

	/* try_to_munlock() found no other locked vma */
	if (ret != SWAP_MLOCK)
		count_vm_event(UNEVICTABLE_PGMUNLOCKED);

	putback_lru_page(page);
}

/*
 * Munlock could not isolate the page: someone else holds it off the LRU
 * and will put it back.  Count what happened to it.
 */
static void __munlock_isolation_failed(struct page *page)
{
	if (PageUnevictable(page))
		count_vm_event(UNEVICTABLE_PGSTRANDED);
	else
		count_vm_event(UNEVICTABLE_PGMUNLOCKED);
}

/**
 * munlock_vma_page - munlock one page
 * @page: the page, locked by the caller
 *
 * Clears PG_mlocked and, unless another VM_LOCKED vma maps the page,
 * moves it back to an evictable list.  Returns the page mask of the
 * page for the caller's walk (0 for a small page), computed after
 * PG_mlocked was cleared, whether or not it was set.
 */
unsigned int munlock_vma_page(struct page *page)
{
	unsigned int nr_pages;

	BUG_ON(!PageLocked(page));

	if (TestClearPageMlocked(page)) {
		nr_pages = hpage_nr_pages(page);
		mod_zone_page_state(page_zone(page), NR_MLOCK, -nr_pages);
		if (!isolate_lru_page(page))
			__munlock_isolated_page(page);
		else
			__munlock_isolation_failed(page);
	} else {
		nr_pages = hpage_nr_pages(page);
	}

	/*
	 * A huge page split meanwhile makes this mask too small; the
	 * caller then only scans the former tail pages for nothing.
	 */
	return nr_pages - 1;
}

/**
 * __mlock_vma_pages_range - the populate step of mlock(2) for one vma
 * @vma: the vma, VM_LOCKED
 * @start: first address
 * @end: end address
 * @nonblocking: as for __get_user_pages(): cleared if mmap_sem was let go
 *
 * Faults the range in through __get_user_pages() with FOLL_MLOCK, which
 * mlocks each page it finds (no page references are taken: no page
 * array).  Returns the number of pages done or a negative error.  The
 * caller holds mmap_sem for read.
 */
long __mlock_vma_pages_range(struct vm_area_struct *vma,
		unsigned long start, unsigned long end, int *nonblocking)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long nr_pages = (end - start) / PAGE_SIZE;
	int gup_flags;

	VM_BUG_ON(start & ~PAGE_MASK);
	VM_BUG_ON(end   & ~PAGE_MASK);
	VM_BUG_ON(start < vma->vm_start);
	VM_BUG_ON(end   > vma->vm_end);
	VM_BUG_ON(!rwsem_is_locked(&mm->mmap_sem));

	gup_flags = FOLL_TOUCH | FOLL_MLOCK;
	/*
	 * Private writable mappings are write-faulted: COW is broken now.
	 */
	if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		gup_flags |= FOLL_WRITE;

	/*
	 * Any access right at all is enough to mlock.
	 */
	if (vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC))
		gup_flags |= FOLL_FORCE;

	/*
	 * Addr is inside vma: no stack expansion can recurse here.
	 */
	return __get_user_pages(current, mm, start, nr_pages, gup_flags,
				NULL, NULL, nonblocking);
}

/*
 * Get_user_pages() errors, as mlock(2) reports them.
 */
static int __mlock_posix_error_return(long retval)
{
	if (retval == -EFAULT)
		retval = -ENOMEM;
	else if (retval == -ENOMEM)
		retval = -EAGAIN;
	return retval;
}

/*
 * Can a munlocked page take the fast way back to the LRU (a pagevec,
 * without rmap walks)?  Only when no other vma can map it mlocked and
 * it is evictable.  On true the page is queued in pvec and unlocked.
 */
static bool __putback_lru_fast_prepare(struct page *page, struct pagevec *pvec,
		int *pgrescued)
{
	VM_BUG_ON(PageLRU(page));
	VM_BUG_ON(!PageLocked(page));

	if (page_mapcount(page) <= 1 && page_evictable(page)) {
		pagevec_add(pvec, page);
		if (TestClearPageUnevictable(page))
			(*pgrescued)++;
		unlock_page(page);
		return true;
	}

	return false;
}

/*
 * Put back, in one batch, the pages that took the fast path.
 */
static void __putback_lru_fast(struct pagevec *pvec, int pgrescued)
{
	count_vm_events(UNEVICTABLE_PGMUNLOCKED, pagevec_count(pvec));
	/*
	 * __pagevec_lru_add() drops the follow_page_mask() references
	 * itself, through release_pages().
	 */
	__pagevec_lru_add(pvec);
	count_vm_events(UNEVICTABLE_PGRESCUED, pgrescued);
}

/*
 * Munlock a batch of pages of one zone, each pinned by
 * follow_page_mask().
 *
 * Phase 1, under lru_lock: clear PG_mlocked and isolate each page.
 * Phase 2, page by page under the page lock: put the page back.
 * Phase 3: put back together those that qualified for the fast path.
 */
static void __munlock_pagevec(struct pagevec *pvec, struct zone *zone)
{
	int i;
	int nr = pagevec_count(pvec);
	int delta_munlocked;
	struct pagevec pvec_putback;
	int pgrescued = 0;

	pagevec_init(&pvec_putback, 0);

	/* Phase 1: page isolation */
	spin_lock_irq(&zone->lru_lock);
	for (i = 0; i < nr; i++) {
		struct page *page = pvec->pages[i];

		if (TestClearPageMlocked(page)) {
			struct lruvec *lruvec;
			int lru;

			if (PageLRU(page)) {
				lruvec = mem_cgroup_page_lruvec(page, zone);
				lru = page_lru(page);
				/*
				 * The pin from follow_page_mask() stands in
				 * for the reference isolation would take.
				 */
				ClearPageLRU(page);
				del_page_from_lru_list(page, lruvec, lru);
			} else {
				__munlock_isolation_failed(page);
				goto skip_munlock;
			}

		} else {
skip_munlock:
			/*
			 * Not munlocked by us: only its pin has to go.  Not
			 * under lru_lock though: if it is the last reference,
			 * __page_cache_release() takes lru_lock itself.
			 */
			pagevec_add(&pvec_putback, pvec->pages[i]);
			pvec->pages[i] = NULL;
		}
	}
	delta_munlocked = -nr + pagevec_count(&pvec_putback);
	__mod_zone_page_state(zone, NR_MLOCK, delta_munlocked);
	spin_unlock_irq(&zone->lru_lock);

	/* Drop the pins of the pages we are not munlocking */
	pagevec_release(&pvec_putback);

	/* Phase 2: page munlock */
	for (i = 0; i < nr; i++) {
		struct page *page = pvec->pages[i];

		if (page) {
			lock_page(page);
			if (!__putback_lru_fast_prepare(page, &pvec_putback,
					&pgrescued)) {
				/*
				 * Slow path: keep a reference of our own so
				 * the page outlives unlock_page().
				 */
				get_page(page); /* for putback_lru_page() */
				__munlock_isolated_page(page);
				unlock_page(page);
				put_page(page); /* from follow_page_mask() */
			}
		}
	}

	/*
	 * Phase 3: the fast-path pages go back in one batch, which also
	 * drops their follow_page_mask() pins.
	 */
	if (pagevec_count(&pvec_putback))
		__putback_lru_fast(&pvec_putback, pgrescued);
}

/*
 * Add to pvec the pages mapped by the ptes following start, up to end,
 * the end of the page table, a non-present pte or another zone; pin
 * each.  Returns the address after the last page added.
 */
static unsigned long __munlock_pagevec_fill(struct pagevec *pvec,
		struct vm_area_struct *vma, int zoneid,	unsigned long start,
		unsigned long end)
{
	pte_t *pte;
	spinlock_t *ptl;

	/*
	 * start is the page already pinned under this mmap_sem write
	 * hold, so its pte exists.
	 */
	pte = get_locked_pte(vma->vm_mm, start,	&ptl);
	/* stay within this page table */
	end = pgd_addr_end(start, end);
	end = pud_addr_end(start, end);
	end = pmd_addr_end(start, end);

	/* the first candidate is the page after the pinned one */
	start += PAGE_SIZE;
	while (start < end) {
		struct page *page = NULL;
		pte++;
		if (pte_present(*pte))
			page = vm_normal_page(vma, start, *pte);
		/*
		 * Stop at a hole or at a page of another zone.
		 */
		if (!page || page_zone_id(page) != zoneid)
			break;

		get_page(page);
		/*
		 * Advance before the full-pagevec break.
		 */
		start += PAGE_SIZE;
		if (pagevec_add(pvec, page) == 0)
			break;
	}
	pte_unmap_unlock(pte, ptl);
	return start;
}

/**
 * munlock_vma_pages_range - munlock the pages of a vma range
 * @vma: the vma, whose VM_LOCKED is cleared here
 * @start: first address
 * @end: end address
 *
 * Called with mmap_sem held for write (or, from exit_mmap, with no
 * other user of the mm left).  Each page is pinned through
 * follow_page_mask() and munlocked in batches.
 */
void munlock_vma_pages_range(struct vm_area_struct *vma,
			     unsigned long start, unsigned long end)
{
	vma->vm_flags &= ~VM_LOCKED;

	while (start < end) {
		struct page *page = NULL;
		unsigned int page_mask;
		unsigned long page_increm;
		struct pagevec pvec;
		struct zone *zone;
		int zoneid;

		pagevec_init(&pvec, 0);
		/*
		 * FOLL_DUMP makes follow_page_mask() fail on special pages
		 * instead of pinning them: just what munlock wants.
		 */
		page = follow_page_mask(vma, start, FOLL_GET | FOLL_DUMP,
				&page_mask);

		if (page && !IS_ERR(page)) {
			if (PageTransHuge(page)) {
				lock_page(page);
				/*
				 * The huge page may have been split since the
				 * lookup: take the mask munlock_vma_page() sees.
				 */
				page_mask = munlock_vma_page(page);
				unlock_page(page);
				put_page(page); /* follow_page_mask() */
			} else {
				/*
				 * Small pages go in batches; the pin keeps
				 * each one from going away meanwhile.
				 */
				pagevec_add(&pvec, page);
				zone = page_zone(page);
				zoneid = page_zone_id(page);

				/*
				 * Fill the rest of the pagevec from the
				 * following ptes, which also moves start on,
				 * then munlock the batch.
				 */
				start = __munlock_pagevec_fill(&pvec, vma,
						zoneid, start, end);
				__munlock_pagevec(&pvec, zone);
				goto next;
			}
		}
		/* a THP is never munlocked from its middle */
		VM_BUG_ON((start >> PAGE_SHIFT) & page_mask);
		page_increm = 1 + page_mask;
		start += page_increm * PAGE_SIZE;
next:
		cond_resched();
	}
}

/*
 * Apply newflags to [start, end) of vma, merging with or splitting from
 * its neighbours as needed (vma_merge()/split_vma()).  Special vmas
 * never get VM_LOCKED.  mmap_sem is held for write.
 */
static int mlock_fixup(struct vm_area_struct *vma, struct vm_area_struct **prev,
	unsigned long start, unsigned long end, vm_flags_t newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	pgoff_t pgoff;
	int nr_pages;
	int ret = 0;
	int lock = !!(newflags & VM_LOCKED);

	if (newflags == vma->vm_flags || (vma->vm_flags & VM_SPECIAL) ||
	    is_vm_hugetlb_page(vma) || vma == get_gate_vma(current->mm))
		goto out;	/* don't set VM_LOCKED,  don't count */

	pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	*prev = vma_merge(mm, *prev, start, end, newflags, vma->anon_vma,
			  vma->vm_file, pgoff, vma_policy(vma));
	if (*prev) {
		vma = *prev;
		goto success;
	}

	if (start != vma->vm_start) {
		ret = split_vma(mm, vma, start, 1);
		if (ret)
			goto out;
	}

	if (end != vma->vm_end) {
		ret = split_vma(mm, vma, end, 0);
		if (ret)
			goto out;
	}

success:
	/*
	 * The mm's count of locked pages.
	 */
	nr_pages = (end - start) >> PAGE_SHIFT;
	if (!lock)
		nr_pages = -nr_pages;
	mm->locked_vm += nr_pages;

	/*
	 * vm_flags changes under mmap_sem held for write.  A page that
	 * try_to_unmap_one() unmaps right after VM_LOCKED is set here is
	 * brought back by the populate step.
	 */

	if (lock)
		vma->vm_flags = newflags;
	else
		munlock_vma_pages_range(vma, start, end);

out:
	*prev = vma;
	return ret;
}

static int do_mlock(unsigned long start, size_t len, int on)
{
	unsigned long nstart, end, tmp;
	struct vm_area_struct * vma, * prev;
	int error;

	VM_BUG_ON(start & ~PAGE_MASK);
	VM_BUG_ON(len != PAGE_ALIGN(len));
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	vma = find_vma(current->mm, start);
	if (!vma || vma->vm_start > start)
		return -ENOMEM;

	prev = vma->vm_prev;
	if (start > vma->vm_start)
		prev = vma;

	for (nstart = start ; ; ) {
		vm_flags_t newflags;

		/* nstart lies inside vma here; only VM_LOCKED changes */

		newflags = vma->vm_flags & ~VM_LOCKED;
		if (on)
			newflags |= VM_LOCKED;

		tmp = vma->vm_end;
		if (tmp > end)
			tmp = end;
		error = mlock_fixup(vma, &prev, nstart, tmp, newflags);
		if (error)
			break;
		nstart = tmp;
		if (nstart < prev->vm_end)
			nstart = prev->vm_end;
		if (nstart >= end)
			break;

		vma = prev->vm_next;
		if (!vma || vma->vm_start != nstart) {
			error = -ENOMEM;
			break;
		}
	}
	return error;
}

/*
 * Populate (and, in VM_LOCKED vmas, mlock) [start, start + len): the
 * vmas already carry their new flags, and mmap_sem is not held on
 * entry.  It is taken for read here; __mlock_vma_pages_range() may let
 * it go (then "locked" drops to 0 and the vma is looked up again).
 */
int __mm_populate(unsigned long start, unsigned long len, int ignore_errors)
{
	struct mm_struct *mm = current->mm;
	unsigned long end, nstart, nend;
	struct vm_area_struct *vma = NULL;
	int locked = 0;
	long ret = 0;

	VM_BUG_ON(start & ~PAGE_MASK);
	VM_BUG_ON(len != PAGE_ALIGN(len));
	end = start + len;

	for (nstart = start; nstart < end; nstart = nend) {
		/*
		 * The vma holding nstart (looked up again after a drop).
		 */
		if (!locked) {
			locked = 1;
			down_read(&mm->mmap_sem);
			vma = find_vma(mm, nstart);
		} else if (nstart >= vma->vm_end)
			vma = vma->vm_next;
		if (!vma || vma->vm_start >= end)
			break;
		/*
		 * This vma's part of the range, unless the vma is I/O
		 * memory.
		 */
		nend = min(end, vma->vm_end);
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if (nstart < vma->vm_start)
			nstart = vma->vm_start;
		/*
		 * Fault the part in; VM_LOCKED is checked again below, so a
		 * vma munlocked meanwhile is not mlocked.
		 */
		ret = __mlock_vma_pages_range(vma, nstart, nend, &locked);
		if (ret < 0) {
			if (ignore_errors) {
				ret = 0;
				continue;	/* on with the next vma */
			}
			ret = __mlock_posix_error_return(ret);
			break;
		}
		nend = nstart + ret * PAGE_SIZE;
		ret = 0;
	}
	if (locked)
		up_read(&mm->mmap_sem);
	return ret;	/* 0 or negative error code */
}

SYSCALL_DEFINE2(mlock, unsigned long, start, size_t, len)
{
	unsigned long locked;
	unsigned long lock_limit;
	int error = -ENOMEM;

	if (!can_do_mlock())
		return -EPERM;

	lru_add_drain_all();	/* pages in pagevecs are not on an LRU yet */

	down_write(&current->mm->mmap_sem);
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;

	locked = len >> PAGE_SHIFT;
	locked += current->mm->locked_vm;

	lock_limit = rlimit(RLIMIT_MEMLOCK);
	lock_limit >>= PAGE_SHIFT;

	/* within the limit, or privileged */
	if ((locked <= lock_limit) || capable(CAP_IPC_LOCK))
		error = do_mlock(start, len, 1);
	up_write(&current->mm->mmap_sem);
	if (!error)
		error = __mm_populate(start, len, 0);
	return error;
}

SYSCALL_DEFINE2(munlock, unsigned long, start, size_t, len)
{
	int ret;

	down_write(&current->mm->mmap_sem);
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	ret = do_mlock(start, len, 0);
	up_write(&current->mm->mmap_sem);
	return ret;
}
