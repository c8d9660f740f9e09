/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: ptes.  A pte is present (pfn + bits), a nonlinear file pte
 * (page offset), a migration entry (pfn), or none.  Pte loads and stores
 * are plain: the page table lock orders them.
 */
#ifndef _ASM_PGTABLE_H
#define _ASM_PGTABLE_H

#include "ksim/kernel.h"
#include <linux/mm_types.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_CACHE_SHIFT	PAGE_SHIFT
#define PAGE_CACHE_SIZE		PAGE_SIZE
#define PMD_SHIFT		(PAGE_SHIFT + 9)
#define PMD_SIZE		(1UL << PMD_SHIFT)
#define PMD_MASK		(~(PMD_SIZE - 1))

#define _PAGE_PRESENT		0x001UL
#define _PAGE_RW		0x002UL
#define _PAGE_ACCESSED		0x004UL
#define _PAGE_DIRTY		0x008UL
#define _PAGE_FILE		0x010UL	/* nonlinear file pte */
#define _PAGE_SWP		0x020UL	/* swap-type entry (migration) */
#define _PAGE_SWP_WRITE		0x040UL

#define __pte(x)		((pte_t) { (x) })
#define pte_val(x)		((x).pte)
#define pte_none(x)		(!(x).pte)
#define pte_present(x)		(((x).pte & _PAGE_PRESENT) != 0)
#define pte_file(x)		(((x).pte & (_PAGE_PRESENT | _PAGE_FILE)) == _PAGE_FILE)
#define pte_young(x)		(((x).pte & _PAGE_ACCESSED) != 0)
#define pte_dirty(x)		(((x).pte & _PAGE_DIRTY) != 0)
#define pte_write(x)		(((x).pte & _PAGE_RW) != 0)
#define pte_pfn(x)		((x).pte >> PAGE_SHIFT)
#define pte_same(a, b)		((a).pte == (b).pte)
#define pte_soft_dirty(x)	0
#define pte_swp_soft_dirty(x)	0
#define pte_file_mksoft_dirty(x) ((void)(x))
#define pte_mksoft_dirty(x)	(x)
#define pte_file_soft_dirty(x)	0
#define pte_mkold(x)		__pte((x).pte & ~_PAGE_ACCESSED)
#define pte_mkyoung(x)		__pte((x).pte | _PAGE_ACCESSED)
#define pte_mkdirty(x)		__pte((x).pte | _PAGE_DIRTY)
#define pte_mkwrite(x)		__pte((x).pte | _PAGE_RW)
#define pte_wrprotect(x)	__pte((x).pte & ~_PAGE_RW)
#define PTE_FILE_MAX_BITS	32	/* offsets a file pte can hold, as x86-64 */
#define pgoff_to_pte(off)	__pte(((unsigned long)(off) << PAGE_SHIFT) | _PAGE_FILE)
#define pte_to_pgoff(x)		((x).pte >> PAGE_SHIFT)
#define pfn_pte(pfn, prot)	__pte(((unsigned long)(pfn) << PAGE_SHIFT) | \
				      _PAGE_PRESENT | _PAGE_ACCESSED | (prot).pgprot)
#define mk_pte(page, prot)	pfn_pte(page_to_pfn(page), prot)
#define is_swap_pte(x)		(!pte_none(x) && !pte_present(x) && !pte_file(x))

#define pte_index(addr)		(((addr) >> PAGE_SHIFT) & (PTRS_PER_PTE - 1))
#define pte_offset_map(pmd, addr) ({					\
	struct ksim_pagetable *__pt = (pmd)->pt;			\
	unsigned long __i = pte_index(addr);				\
	if (__i >= (unsigned long)__pt->nr_ptes)			\
		ksim_bug("pte beyond the vmas of the mm", KSIM_HERE);	\
	&__pt->ptes[__i];						\
})
#define pte_unmap(pte)		do { } while (0)
#define pte_lockptr(mm, pmd)	(&(pmd)->pt->ptl)
#define pte_offset_map_lock(mm, pmd, addr, ptlp) ({			\
	spinlock_t *__ptl = pte_lockptr(mm, pmd);			\
	pte_t *__pte = pte_offset_map(pmd, addr);			\
	*(ptlp) = __ptl;						\
	spin_lock(__ptl);						\
	__pte;								\
})
#define pte_unmap_unlock(pte, ptl) do {					\
	spin_unlock(ptl);						\
	pte_unmap(pte);							\
} while (0)

#define set_pte_at(mm, addr, ptep, pteval)	(*(ptep) = (pteval))
#define pte_clear(mm, addr, ptep)		((ptep)->pte = 0)
#define pte_clear_not_present_full(mm, addr, ptep, full) pte_clear(mm, addr, ptep)
#define ptep_get_and_clear(mm, addr, ptep) ({				\
	pte_t __old = *(ptep);						\
	(ptep)->pte = 0;						\
	__old;								\
})
#define ptep_get_and_clear_full(mm, addr, ptep, full) \
	ptep_get_and_clear(mm, addr, ptep)
#define ptep_clear_flush(vma, addr, ptep) \
	ptep_get_and_clear((vma)->vm_mm, addr, ptep)
/* clear the accessed bit, say whether it was set */
#define ptep_clear_flush_young(vma, addr, ptep) ({			\
	int __young = pte_young(*(ptep));				\
	(ptep)->pte &= ~_PAGE_ACCESSED;					\
	__young;							\
})
#define ptep_clear_flush_young_notify(vma, addr, ptep) \
	ptep_clear_flush_young(vma, addr, ptep)
#define pmd_none(x)		(!(x).pt)
#define pmd_trans_huge(x)	0
#define pgd_addr_end(addr, end)	(end)
#define pud_addr_end(addr, end)	(end)
#define pmd_addr_end(addr, end) ({					\
	unsigned long __boundary = ((addr) + PMD_SIZE) & PMD_MASK;	\
	(__boundary - 1 < (end) - 1) ? __boundary : (end);		\
})

#define flush_cache_page(vma, addr, pfn)	do { } while (0)
#define flush_cache_mm(mm)			do { } while (0)
#define flush_dcache_page(page)			do { } while (0)
#define flush_dcache_mmap_lock(mapping)		do { } while (0)
#define flush_dcache_mmap_unlock(mapping)	do { } while (0)
#define update_mmu_cache(vma, addr, ptep)	do { } while (0)
#define flush_tlb_page(vma, addr)		do { } while (0)
#define arch_exit_mmap(mm)			do { } while (0)


/*
 * rmap / mlock area: the upper page-table levels, folded as on a
 * two-level machine (asm-generic/pgtable-nopud.h, -nopmd.h): the pgd
 * and pud entries of an mm are its single pmd, always present, so the
 * kernel's pgd -> pud -> pmd walks end at mm->ksim_pmd.
 */
#ifndef pgd_offset
typedef struct { pmd_t pmd; } pud_t;
typedef struct { pud_t pud; } pgd_t;
#define pgd_offset(mm, addr)	((void)(addr), (pgd_t *)&(mm)->ksim_pmd)
#define pgd_offset_k(addr)	((pgd_t *)NULL)	/* no kernel mappings */
#define pgd_offset_gate(mm, addr) pgd_offset(mm, addr)
#define pgd_none(pgd)		((void)(pgd), 0)
#define pgd_bad(pgd)		((void)(pgd), 0)
#define pgd_present(pgd)	((void)(pgd), 1)
#define pud_offset(pgd, addr)	((void)(addr), &(pgd)->pud)
#define pud_none(pud)		((void)(pud), 0)
#define pud_bad(pud)		((void)(pud), 0)
#define pud_present(pud)	((void)(pud), 1)
#define pmd_offset(pud, addr)	((void)(addr), &(pud)->pmd)
#define pmd_present(pmd)	(!pmd_none(pmd))
#endif
#define pte_swp_mksoft_dirty(x)	(x)
#define pte_page(x)		pfn_to_page(pte_pfn(x))
#define TASK_SIZE		(1UL << 47)


/*
 * pgtable area: the rest of the page-table API the real memory.c,
 * mmap.c and fremap.c use.  With the upper levels folded (above) only
 * the pmd can be none; there are no huge, special, NUMA-hinting or
 * splitting entries.
 */
#define USER_PGTABLES_CEILING	0UL
/* folded levels: a pud and a pgd entry cover what a pmd covers */
#define PUD_SHIFT		PMD_SHIFT
#define PUD_SIZE		PMD_SIZE
#define PUD_MASK		PMD_MASK
#define PGDIR_SHIFT		PMD_SHIFT
#define PGDIR_SIZE		PMD_SIZE
#define PGDIR_MASK		PMD_MASK
#define __HAVE_ARCH_PTE_SPECIAL
#define pte_special(x)		((void)(x), 0)
#define pte_numa(x)		((void)(x), 0)
#define pmd_numa(x)		((void)(x), 0)
#define pmd_bad(x)		((void)(x), 0)
#define pmd_huge(x)		((void)(x), 0)
#define pud_huge(x)		((void)(x), 0)
#define pmd_trans_splitting(x)	((void)(x), 0)
#define pmd_val(x)		((unsigned long)(x).pt)
#define pmd_clear(pmdp)		((pmdp)->pt = NULL)
#define pud_clear(pudp)		do { (void)(pudp); } while (0)
#define pgd_clear(pgdp)		do { (void)(pgdp); } while (0)
#define pgd_clear_bad(pgdp)	do { (void)(pgdp); } while (0)
#define pud_clear_bad(pudp)	do { (void)(pudp); } while (0)
#define pmd_clear_bad(pmdp)	do { (void)(pmdp); } while (0)
#define pmd_lockptr(mm, pmd)	((void)(pmd), &(mm)->page_table_lock)
#define pmd_lock(mm, pmd) ({						\
	spinlock_t *__pmd_ptl = pmd_lockptr(mm, pmd);			\
	spin_lock(__pmd_ptl);						\
	__pmd_ptl;							\
})
#define arch_enter_lazy_mmu_mode()	do { } while (0)
#define arch_leave_lazy_mmu_mode()	do { } while (0)
#define flush_tlb_fix_spurious_fault(vma, address) do { } while (0)
#define flush_cache_range(vma, start, end)	do { } while (0)

static inline int pgd_none_or_clear_bad(pgd_t *pgd)
{
	if (pgd_none(*pgd))
		return 1;
	if (unlikely(pgd_bad(*pgd))) {
		pgd_clear_bad(pgd);
		return 1;
	}
	return 0;
}

static inline int pud_none_or_clear_bad(pud_t *pud)
{
	if (pud_none(*pud))
		return 1;
	if (unlikely(pud_bad(*pud))) {
		pud_clear_bad(pud);
		return 1;
	}
	return 0;
}

static inline int pmd_none_or_clear_bad(pmd_t *pmd)
{
	if (pmd_none(*pmd))
		return 1;
	if (unlikely(pmd_bad(*pmd))) {
		pmd_clear_bad(pmd);
		return 1;
	}
	return 0;
}

/* no huge pmds: only none and bad pmds are skipped */
static inline int pmd_none_or_trans_huge_or_clear_bad(pmd_t *pmd)
{
	pmd_t pmdval = *pmd;

	if (pmd_none(pmdval) || pmd_trans_huge(pmdval))
		return 1;
	if (unlikely(pmd_bad(pmdval))) {
		pmd_clear_bad(pmd);
		return 1;
	}
	return 0;
}

/*
 * x86's form: the new access bits are stored only for a write fault;
 * says whether the pte changed.
 */
#define ptep_set_access_flags(vma, address, ptep, entry, dirty) ({	\
	int __changed = !pte_same(*(ptep), entry);			\
	if (__changed && (dirty))					\
		*(ptep) = (entry);					\
	__changed;							\
})

#endif
