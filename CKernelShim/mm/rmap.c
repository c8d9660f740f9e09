// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm/rmap.c - reverse mappings: from a page to the ptes that map it
 * (Linux v3.13 model for KernelHarness).
 *
 * Lock ordering, outermost first, as the kernel documents it:
 *
 *   mm->mmap_sem
 *     page->flags PG_locked (lock_page)
 *       mapping->i_mmap_mutex
 *         anon_vma->rwsem
 *           mm->page_table_lock or pte_lock
 *             zone->lru_lock (in mark_page_accessed, isolate_lru_page)
 *
 * Reclaim and migration come in holding only the page lock of the page
 * they work on; they may then take i_mmap_mutex and page table locks,
 * and only ever trylock mmap_sem.
 */

#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/slab.h>
#include <linux/init.h>
#include <linux/ksm.h>
#include <linux/rmap.h>
#include <linux/rcupdate.h>
#include <linux/export.h>
#include <linux/memcontrol.h>
#include <linux/mmu_notifier.h>
#include <linux/migrate.h>
#include <linux/hugetlb.h>
#include <linux/backing-dev.h>

#include <asm/tlbflush.h>

#include "internal.h"

/*
 * Attach an anon_vma to a vma about to receive its first anonymous page.
 * The model gives every vma one anon_vma of its own, set up here.
 */
int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct anon_vma *anon_vma = vma->anon_vma;
	struct mm_struct *mm = vma->vm_mm;

	might_sleep();
	if (unlikely(!anon_vma)) {
		anon_vma = &vma->ksim_anon;
		spin_lock(&mm->page_table_lock);
		if (likely(!vma->anon_vma)) {
			anon_vma->root = anon_vma;
			anon_vma->ksim_vma = vma;
			vma->anon_vma = anon_vma;
		}
		spin_unlock(&mm->page_table_lock);
	}
	return 0;
}

void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma *anon_vma = vma->anon_vma;

	if (!anon_vma)
		return;
	down_write(&anon_vma->root->rwsem);
	anon_vma->ksim_vma = NULL;
	up_write(&anon_vma->root->rwsem);
}

/*
 * Pin the anon_vma of a mapped anonymous page (migration keeps it while
 * the page's ptes are migration entries).  NULL if the page is not
 * anonymous or no longer mapped, or its anon_vma is being freed.
 * (Added for the migrate area: __unmap_and_move() calls it.)
 */
struct anon_vma *page_get_anon_vma(struct page *page)
{
	struct anon_vma *anon_vma = NULL;
	unsigned long anon_mapping;

	rcu_read_lock();
	anon_mapping = (unsigned long) ACCESS_ONCE(page->mapping);
	if ((anon_mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		goto out;
	if (!page_mapped(page))
		goto out;

	anon_vma = (struct anon_vma *) (anon_mapping - PAGE_MAPPING_ANON);
	if (!atomic_inc_not_zero(&anon_vma->refcount)) {
		anon_vma = NULL;
		goto out;
	}

	/* unmapped meanwhile: the anon_vma may be on its way out */
	if (!page_mapped(page)) {
		put_anon_vma(anon_vma);
		anon_vma = NULL;
	}
out:
	rcu_read_unlock();

	return anon_vma;
}

/*
 * Lock the anon_vma of an anonymous page for an rmap walk, or return
 * NULL when the page is no longer mapped.  (The kernel's version pins
 * the anon_vma under RCU first; here it cannot go away.)
 */
static struct anon_vma *page_lock_anon_vma_read(struct page *page)
{
	struct anon_vma *anon_vma;
	unsigned long anon_mapping;

	anon_mapping = (unsigned long)page->mapping;
	if ((anon_mapping & PAGE_MAPPING_ANON) != PAGE_MAPPING_ANON)
		return NULL;
	if (!page_mapped(page))
		return NULL;

	anon_vma = (struct anon_vma *)(anon_mapping - PAGE_MAPPING_ANON);
	down_read(&anon_vma->root->rwsem);
	if (!page_mapped(page)) {
		up_read(&anon_vma->root->rwsem);
		return NULL;
	}
	return anon_vma;
}

static void page_unlock_anon_vma_read(struct anon_vma *anon_vma)
{
	up_read(&anon_vma->root->rwsem);
}

static inline unsigned long
__vma_address(struct page *page, struct vm_area_struct *vma)
{
	pgoff_t pgoff = page->index << (PAGE_CACHE_SHIFT - PAGE_SHIFT);

	return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

static inline unsigned long
vma_address(struct page *page, struct vm_area_struct *vma)
{
	unsigned long address = __vma_address(page, vma);

	/* the walk only hands us vmas whose range covers the page */
	VM_BUG_ON(address < vma->vm_start || address >= vma->vm_end);

	return address;
}

/* The pmd covering address in mm, or NULL if there is none. */
pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long address)
{
	pmd_t *pmd = NULL;

	if (address >= PMD_SIZE)
		goto out;
	pmd = &mm->ksim_pmd;
	if (pmd_none(*pmd))
		pmd = NULL;
out:
	return pmd;
}

/*
 * If mm maps page at address, return its pte with the page table lock
 * held (in *ptlp); otherwise NULL and no lock.
 */
pte_t *__page_check_address(struct page *page, struct mm_struct *mm,
			  unsigned long address, spinlock_t **ptlp, int sync)
{
	pmd_t *pmd;
	pte_t *pte;
	spinlock_t *ptl;

	pmd = mm_find_pmd(mm, address);
	if (!pmd)
		return NULL;

	if (pmd_trans_huge(*pmd))
		return NULL;

	pte = pte_offset_map(pmd, address);
	/* cheap look before taking the lock, unless the caller must sync */
	if (!sync && !pte_present(*pte)) {
		pte_unmap(pte);
		return NULL;
	}

	ptl = pte_lockptr(mm, pmd);
	spin_lock(ptl);
	if (pte_present(*pte) && page_to_pfn(page) == pte_pfn(*pte)) {
		*ptlp = ptl;
		return pte;
	}
	pte_unmap_unlock(pte, ptl);
	return NULL;
}

#define page_check_address(page, mm, address, ptlp, sync) \
	__page_check_address(page, mm, address, ptlp, sync)

/*
 * Test and clear the young bit of one mapping of page; a VM_LOCKED vma
 * ends the walk and is reported through vm_flags.
 */
int page_referenced_one(struct page *page, struct vm_area_struct *vma,
			unsigned long address, unsigned int *mapcount,
			unsigned long *vm_flags)
{
	struct mm_struct *mm = vma->vm_mm;
	int referenced = 0;
	pte_t *pte;
	spinlock_t *ptl;

	pte = page_check_address(page, mm, address, &ptl, 0);
	if (!pte)
		goto out;

	if (vma->vm_flags & VM_LOCKED) {
		pte_unmap_unlock(pte, ptl);
		*mapcount = 0;	/* stop the walk */
		*vm_flags |= VM_LOCKED;
		goto out;
	}

	if (ptep_clear_flush_young_notify(vma, address, pte)) {
		/* accesses through a sequential-read mapping do not count */
		if (likely(!(vma->vm_flags & VM_SEQ_READ)))
			referenced++;
	}
	pte_unmap_unlock(pte, ptl);

	(*mapcount)--;

	if (referenced)
		*vm_flags |= vma->vm_flags;
out:
	return referenced;
}

static int page_referenced_anon(struct page *page,
				struct mem_cgroup *memcg,
				unsigned long *vm_flags)
{
	unsigned int mapcount;
	struct anon_vma *anon_vma;
	struct vm_area_struct *vma;
	int referenced = 0;

	anon_vma = page_lock_anon_vma_read(page);
	if (!anon_vma)
		return referenced;

	mapcount = page_mapcount(page);
	vma = anon_vma->ksim_vma;
	if (vma) {
		unsigned long address = vma_address(page, vma);

		referenced += page_referenced_one(page, vma, address,
						  &mapcount, vm_flags);
	}

	page_unlock_anon_vma_read(anon_vma);
	return referenced;
}

static int page_referenced_file(struct page *page,
				struct mem_cgroup *memcg,
				unsigned long *vm_flags)
{
	unsigned int mapcount;
	struct address_space *mapping = page->mapping;
	pgoff_t pgoff = page->index << (PAGE_CACHE_SHIFT - PAGE_SHIFT);
	struct vm_area_struct *vma;
	int referenced = 0;

	/* the callers made sure this is a file page */
	BUG_ON(PageAnon(page));

	/*
	 * Holding the page lock keeps truncation from clearing
	 * page->mapping, so the mapping is safe to lock.
	 */
	BUG_ON(!PageLocked(page));

	mutex_lock(&mapping->i_mmap_mutex);

	/* read after taking the mutex: more likely to be current */
	mapcount = page_mapcount(page);

	vma_interval_tree_foreach(vma, &mapping->i_mmap, pgoff, pgoff) {
		unsigned long address = vma_address(page, vma);

		referenced += page_referenced_one(page, vma, address,
						  &mapcount, vm_flags);
		if (!mapcount)
			break;
	}

	mutex_unlock(&mapping->i_mmap_mutex);
	return referenced;
}

/*
 * How many mappings referenced the page since the last look; the
 * accumulated vm_flags of those vmas come back in *vm_flags.
 */
int page_referenced(struct page *page,
		    int is_locked,
		    struct mem_cgroup *memcg,
		    unsigned long *vm_flags)
{
	int referenced = 0;
	int we_locked = 0;

	*vm_flags = 0;
	if (page_mapped(page) && page_rmapping(page)) {
		if (!is_locked && (!PageAnon(page) || PageKsm(page))) {
			we_locked = trylock_page(page);
			if (!we_locked) {
				referenced++;
				goto out;
			}
		}
		if (PageAnon(page))
			referenced += page_referenced_anon(page, memcg,
							   vm_flags);
		else if (page->mapping)
			referenced += page_referenced_file(page, memcg,
							   vm_flags);
		if (we_locked)
			unlock_page(page);
	}
out:
	return referenced;
}

static void __page_set_anon_rmap(struct page *page,
	struct vm_area_struct *vma, unsigned long address, int exclusive)
{
	struct anon_vma *anon_vma = vma->anon_vma;

	BUG_ON(!anon_vma);

	if (PageAnon(page))
		return;

	anon_vma = (void *) anon_vma + PAGE_MAPPING_ANON;
	page->mapping = (struct address_space *) anon_vma;
	page->index = linear_page_index(vma, address);
}

/* Map an existing anonymous page once more (migration's remap). */
void page_add_anon_rmap(struct page *page,
	struct vm_area_struct *vma, unsigned long address)
{
	int first = atomic_inc_and_test(&page->_mapcount);

	if (first)
		__inc_zone_page_state(page, NR_ANON_PAGES);
}

/*
 * First mapping of a freshly allocated anonymous page: set its
 * mapping, and put it on an LRU list (unevictable in a VM_LOCKED vma).
 */
void page_add_new_anon_rmap(struct page *page,
	struct vm_area_struct *vma, unsigned long address)
{
	VM_BUG_ON(address < vma->vm_start || address >= vma->vm_end);
	SetPageSwapBacked(page);
	atomic_set(&page->_mapcount, 0); /* mapcount starts at -1 */
	__mod_zone_page_state(page_zone(page), NR_ANON_PAGES,
			hpage_nr_pages(page));
	__page_set_anon_rmap(page, vma, address, 1);
	if (!mlocked_vma_newpage(vma, page)) {
		SetPageActive(page);
		lru_cache_add(page);
	} else
		add_page_to_unevictable_list(page);
}

/* One more pte maps this file page. */
void page_add_file_rmap(struct page *page)
{
	bool locked;
	unsigned long flags;

	mem_cgroup_begin_update_page_stat(page, &locked, &flags);
	if (atomic_inc_and_test(&page->_mapcount)) {
		__inc_zone_page_state(page, NR_FILE_MAPPED);
		mem_cgroup_inc_page_stat(page, MEM_CGROUP_STAT_FILE_MAPPED);
	}
	mem_cgroup_end_update_page_stat(page, &locked, &flags);
}

/*
 * One pte less maps this page.  When the last one goes, the page can no
 * longer be mlocked by anybody: clear PG_mlocked here.
 */
void page_remove_rmap(struct page *page)
{
	bool anon = PageAnon(page);
	bool locked;
	unsigned long flags;

	if (!anon)
		mem_cgroup_begin_update_page_stat(page, &locked, &flags);

	/* still mapped somewhere else? */
	if (!atomic_add_negative(-1, &page->_mapcount))
		goto out;

	if (unlikely(PageHuge(page)))
		goto out;
	if (anon) {
		mem_cgroup_uncharge_page(page);
		__dec_zone_page_state(page, NR_ANON_PAGES);
	} else {
		__dec_zone_page_state(page, NR_FILE_MAPPED);
		mem_cgroup_dec_page_stat(page, MEM_CGROUP_STAT_FILE_MAPPED);
		mem_cgroup_end_update_page_stat(page, &locked, &flags);
	}
	if (unlikely(PageMlocked(page)))
		clear_page_mlock(page);
	/*
	 * page->mapping of an anonymous page stays set until the page is
	 * freed: a racing page_add_anon_rmap may rely on it.
	 */
	return;
out:
	if (!anon)
		mem_cgroup_end_update_page_stat(page, &locked, &flags);
}

/*
 * Unmap page from one vma (for reclaim, migration or munlock).  A
 * VM_LOCKED vma is not unmapped: the page gets mlocked instead, if the
 * vma's mmap_sem can be had without waiting.
 */
int try_to_unmap_one(struct page *page, struct vm_area_struct *vma,
		     unsigned long address, enum ttu_flags flags)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t *pte;
	pte_t pteval;
	spinlock_t *ptl;
	int ret = SWAP_AGAIN;

	pte = page_check_address(page, mm, address, &ptl, 0);
	if (!pte)
		goto out;

	/*
	 * An mlocked page is not swapped out; a page referenced through a
	 * mapping that page_referenced() did not look at is kept too.
	 */
	if (!(flags & TTU_IGNORE_MLOCK)) {
		if (vma->vm_flags & VM_LOCKED)
			goto out_mlock;

		if (TTU_ACTION(flags) == TTU_MUNLOCK)
			goto out_unmap;
	}
	if (!(flags & TTU_IGNORE_ACCESS)) {
		if (ptep_clear_flush_young_notify(vma, address, pte)) {
			ret = SWAP_FAIL;
			goto out_unmap;
		}
	}

	/* Clear the pte. */
	flush_cache_page(vma, address, page_to_pfn(page));
	pteval = ptep_clear_flush(vma, address, pte);

	/* The page inherits the dirty bit of the pte. */
	if (pte_dirty(pteval))
		set_page_dirty(page);

	update_hiwater_rss(mm);

	if (PageAnon(page)) {
		/* swap is out of scope: anon pages are only migrated */
		if (TTU_ACTION(flags) == TTU_MIGRATION) {
			swp_entry_t entry;

			entry = make_migration_entry(page, pte_write(pteval));
			set_pte_at(mm, address, pte, swp_entry_to_pte(entry));
		} else
			dec_mm_counter(mm, MM_ANONPAGES);
	} else if (TTU_ACTION(flags) == TTU_MIGRATION) {
		/* leave a migration entry behind for a file page */
		swp_entry_t entry;

		entry = make_migration_entry(page, pte_write(pteval));
		set_pte_at(mm, address, pte, swp_entry_to_pte(entry));
	} else
		dec_mm_counter(mm, MM_FILEPAGES);

	page_remove_rmap(page);
	page_cache_release(page);

out_unmap:
	pte_unmap_unlock(pte, ptl);
	if (ret != SWAP_FAIL && !(flags & TTU_MUNLOCK))
		mmu_notifier_invalidate_page(mm, address);
out:
	return ret;

out_mlock:
	pte_unmap_unlock(pte, ptl);

	/*
	 * VM_LOCKED can only be trusted under mmap_sem, and we may not
	 * sleep for it while holding i_mmap_mutex or the anon_vma lock.
	 * If the trylock fails the page stays where it is; a later scan
	 * can still move it to the unevictable list.
	 */
	if (down_read_trylock(&vma->vm_mm->mmap_sem)) {
		if (vma->vm_flags & VM_LOCKED) {
			mlock_vma_page(page);
			ret = SWAP_MLOCK;
		}
		up_read(&vma->vm_mm->mmap_sem);
	}
	return ret;
}

/*
 * Nonlinear vmas cannot be searched for one page: reclaim instead scans
 * them a cluster of ptes at a time from a cursor, unmapping whatever it
 * finds there, and counts down *mapcount of check_page as it goes.
 */
#define CLUSTER_SIZE	min(32*PAGE_SIZE, PMD_SIZE)
#define CLUSTER_MASK	(~(CLUSTER_SIZE - 1))

static int try_to_unmap_cluster(unsigned long cursor, unsigned int *mapcount,
		struct vm_area_struct *vma, struct page *check_page)
{
	struct mm_struct *mm = vma->vm_mm;
	pmd_t *pmd;
	pte_t *pte;
	pte_t pteval;
	spinlock_t *ptl;
	struct page *page;
	unsigned long address;
	unsigned long mmun_start;	/* For mmu_notifiers */
	unsigned long mmun_end;		/* For mmu_notifiers */
	unsigned long end;
	int ret = SWAP_AGAIN;
	int locked_vma = 0;

	address = (vma->vm_start + cursor) & CLUSTER_MASK;
	end = address + CLUSTER_SIZE;
	if (address < vma->vm_start)
		address = vma->vm_start;
	if (end > vma->vm_end)
		end = vma->vm_end;

	pmd = mm_find_pmd(mm, address);
	if (!pmd)
		return ret;

	mmun_start = address;
	mmun_end   = end;
	mmu_notifier_invalidate_range_start(mm, mmun_start, mmun_end);

	/*
	 * With mmap_sem held for read, VM_LOCKED is stable: keep it across
	 * the scan when the vma is locked, to mlock what we find.
	 */
	if (down_read_trylock(&vma->vm_mm->mmap_sem)) {
		locked_vma = (vma->vm_flags & VM_LOCKED);
		if (!locked_vma)
			up_read(&vma->vm_mm->mmap_sem); /* not needed */
	}

	pte = pte_offset_map_lock(mm, pmd, address, &ptl);

	/* note the rss high water mark before it drops */
	update_hiwater_rss(mm);

	for (; address < end; pte++, address += PAGE_SIZE) {
		if (!pte_present(*pte))
			continue;
		page = vm_normal_page(vma, address, *pte);
		BUG_ON(!page || PageAnon(page));

		if (locked_vma) {
			mlock_vma_page(page);   /* no-op if already mlocked */
			if (page == check_page)
				ret = SWAP_MLOCK;
			continue;	/* don't unmap */
		}

		if (ptep_clear_flush_young_notify(vma, address, pte))
			continue;

		/* Clear the pte. */
		flush_cache_page(vma, address, pte_pfn(*pte));
		pteval = ptep_clear_flush(vma, address, pte);

		/* A nonlinear page leaves its file offset in the pte. */
		if (page->index != linear_page_index(vma, address)) {
			pte_t ptfile = pgoff_to_pte(page->index);
			if (pte_soft_dirty(pteval))
				pte_file_mksoft_dirty(ptfile);
			set_pte_at(mm, address, pte, ptfile);
		}

		/* The page inherits the dirty bit of the pte. */
		if (pte_dirty(pteval))
			set_page_dirty(page);

		page_remove_rmap(page);
		page_cache_release(page);
		dec_mm_counter(mm, MM_FILEPAGES);
		(*mapcount)--;
	}
	pte_unmap_unlock(pte - 1, ptl);
	mmu_notifier_invalidate_range_end(mm, mmun_start, mmun_end);
	if (locked_vma)
		up_read(&vma->vm_mm->mmap_sem);
	return ret;
}

static int try_to_unmap_anon(struct page *page, enum ttu_flags flags)
{
	struct anon_vma *anon_vma;
	struct vm_area_struct *vma;
	int ret = SWAP_AGAIN;

	anon_vma = page_lock_anon_vma_read(page);
	if (!anon_vma)
		return ret;

	vma = anon_vma->ksim_vma;
	if (vma) {
		unsigned long address = vma_address(page, vma);

		ret = try_to_unmap_one(page, vma, address, flags);
	}

	page_unlock_anon_vma_read(anon_vma);
	return ret;
}

/*
 * Unmap a file page: first from every linear vma that maps its offset,
 * then, if it is still mapped, by scanning the nonlinear vmas cluster
 * by cluster.  i_mmap_mutex is held throughout.
 */
static int try_to_unmap_file(struct page *page, enum ttu_flags flags)
{
	struct address_space *mapping = page->mapping;
	pgoff_t pgoff = page->index << (PAGE_CACHE_SHIFT - PAGE_SHIFT);
	struct vm_area_struct *vma;
	int ret = SWAP_AGAIN;
	unsigned long cursor;
	unsigned long max_nl_cursor = 0;
	unsigned long max_nl_size = 0;
	unsigned int mapcount;

	mutex_lock(&mapping->i_mmap_mutex);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, pgoff, pgoff) {
		unsigned long address = vma_address(page, vma);
		ret = try_to_unmap_one(page, vma, address, flags);
		if (ret != SWAP_AGAIN || !page_mapped(page))
			goto out;
	}

	if (list_empty(&mapping->i_mmap_nonlinear))
		goto out;

	/*
	 * munlock does not search nonlinear vmas: too costly.  Reclaim
	 * will find such a page later and mlock it lazily.
	 */
	if (TTU_ACTION(flags) == TTU_MUNLOCK)
		goto out;

	list_for_each_entry(vma, &mapping->i_mmap_nonlinear,
							shared.nonlinear) {
		cursor = (unsigned long) vma->vm_private_data;
		if (cursor > max_nl_cursor)
			max_nl_cursor = cursor;
		cursor = vma->vm_end - vma->vm_start;
		if (cursor > max_nl_size)
			max_nl_size = cursor;
	}

	if (max_nl_size == 0) {	/* nothing to scan */
		ret = SWAP_FAIL;
		goto out;
	}

	/*
	 * The page we came for is not looked up in the nonlinear vmas;
	 * we age and unmap clusters of them instead, using its mapcount
	 * only to bound the effort.
	 */
	mapcount = page_mapcount(page);
	if (!mapcount)
		goto out;
	cond_resched();

	max_nl_size = (max_nl_size + CLUSTER_SIZE - 1) & CLUSTER_MASK;
	if (max_nl_cursor == 0)
		max_nl_cursor = CLUSTER_SIZE;

	do {
		list_for_each_entry(vma, &mapping->i_mmap_nonlinear,
							shared.nonlinear) {
			cursor = (unsigned long) vma->vm_private_data;
			while ( cursor < max_nl_cursor &&
				cursor < vma->vm_end - vma->vm_start) {
				if (try_to_unmap_cluster(cursor, &mapcount,
						vma, page) == SWAP_MLOCK)
					ret = SWAP_MLOCK;
				cursor += CLUSTER_SIZE;
				vma->vm_private_data = (void *) cursor;
				if ((int)mapcount <= 0)
					goto out;
			}
			vma->vm_private_data = (void *) max_nl_cursor;
		}
		cond_resched();
		max_nl_cursor += CLUSTER_SIZE;
	} while (max_nl_cursor <= max_nl_size);

	/*
	 * Do not loop for ever (all the rest may sit in locked vmas):
	 * reset the cursors and start from scratch next time.
	 */
	list_for_each_entry(vma, &mapping->i_mmap_nonlinear, shared.nonlinear)
		vma->vm_private_data = NULL;
out:
	mutex_unlock(&mapping->i_mmap_mutex);
	return ret;
}

/**
 * try_to_unmap - remove every pte that maps a page
 * @page: the page, locked by the caller
 * @flags: what for (reclaim, migration, munlock)
 *
 * Returns SWAP_SUCCESS when the page is no longer mapped, SWAP_AGAIN to
 * try later, SWAP_FAIL when it cannot be unmapped, SWAP_MLOCK when it
 * belongs on the unevictable list.
 */
int try_to_unmap(struct page *page, enum ttu_flags flags)
{
	int ret;

	BUG_ON(!PageLocked(page));
	VM_BUG_ON(!PageHuge(page) && PageTransHuge(page));

	if (unlikely(PageKsm(page)))
		ret = try_to_unmap_ksm(page, flags);
	else if (PageAnon(page))
		ret = try_to_unmap_anon(page, flags);
	else
		ret = try_to_unmap_file(page, flags);
	if (ret != SWAP_MLOCK && !page_mapped(page))
		ret = SWAP_SUCCESS;
	return ret;
}

/**
 * try_to_munlock - is some other VM_LOCKED vma still mapping the page?
 * @page: the page, locked and isolated from the LRU by the caller
 *
 * Returns SWAP_MLOCK (and leaves the page mlocked) if one is found,
 * otherwise SWAP_AGAIN or SWAP_FAIL.
 */
int try_to_munlock(struct page *page)
{
	VM_BUG_ON(!PageLocked(page) || PageLRU(page));

	if (unlikely(PageKsm(page)))
		return try_to_unmap_ksm(page, TTU_MUNLOCK);
	else if (PageAnon(page))
		return try_to_unmap_anon(page, TTU_MUNLOCK);
	else
		return try_to_unmap_file(page, TTU_MUNLOCK);
}

static int rmap_walk_anon(struct page *page, int (*rmap_one)(struct page *,
		struct vm_area_struct *, unsigned long, void *), void *arg)
{
	struct anon_vma *anon_vma;
	struct vm_area_struct *vma;
	int ret = SWAP_AGAIN;

	anon_vma = (struct anon_vma *)((unsigned long)page->mapping -
				       PAGE_MAPPING_ANON);
	if (!anon_vma)
		return ret;
	down_read(&anon_vma->root->rwsem);
	vma = anon_vma->ksim_vma;
	if (vma) {
		unsigned long address = vma_address(page, vma);

		ret = rmap_one(page, vma, address, arg);
	}
	up_read(&anon_vma->root->rwsem);
	return ret;
}

static int rmap_walk_file(struct page *page, int (*rmap_one)(struct page *,
		struct vm_area_struct *, unsigned long, void *), void *arg)
{
	struct address_space *mapping = page->mapping;
	pgoff_t pgoff = page->index << (PAGE_CACHE_SHIFT - PAGE_SHIFT);
	struct vm_area_struct *vma;
	int ret = SWAP_AGAIN;

	if (!mapping)
		return ret;
	mutex_lock(&mapping->i_mmap_mutex);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, pgoff, pgoff) {
		unsigned long address = vma_address(page, vma);
		ret = rmap_one(page, vma, address, arg);
		if (ret != SWAP_AGAIN)
			break;
	}
	/*
	 * Nonlinear vmas are always shared and never get migration
	 * entries, so they are not walked.
	 */
	mutex_unlock(&mapping->i_mmap_mutex);
	return ret;
}

/* Call rmap_one on every linear mapping of a locked page (migration). */
int rmap_walk(struct page *page, int (*rmap_one)(struct page *,
		struct vm_area_struct *, unsigned long, void *), void *arg)
{
	VM_BUG_ON(!PageLocked(page));

	if (unlikely(PageKsm(page)))
		return SWAP_AGAIN;
	else if (PageAnon(page))
		return rmap_walk_anon(page, rmap_one, arg);
	else
		return rmap_walk_file(page, rmap_one, arg);
}
