/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: transparent huge pages are out of scope: never split anything. */
#ifndef _LINUX_HUGE_MM_H
#define _LINUX_HUGE_MM_H

#define split_huge_page(page)			0
#define split_huge_page_pmd(vma, addr, pmd)	do { } while (0)

/* rmap area: no huge pmd ever maps a page */
enum page_check_address_pmd_flag {
	PAGE_CHECK_ADDRESS_PMD_FLAG,
	PAGE_CHECK_ADDRESS_PMD_NOTSPLITTING_FLAG,
	PAGE_CHECK_ADDRESS_PMD_SPLITTING_FLAG,
};
#define page_check_address_pmd(page, mm, address, flag, ptl) \
	((void)(page), (void)(mm), (void)(address), (void)(flag), \
	 (void)(ptl), (pmd_t *)NULL)
#define pmdp_clear_flush_young_notify(vma, address, pmdp) \
	((void)(vma), (void)(address), (void)(pmdp), 0)

/* pgtable area: no huge pmd exists, so none is zapped, followed or split */
#define zap_huge_pmd(tlb, vma, pmd, addr)	((void)(pmd), 0)
#define follow_trans_huge_pmd(vma, addr, pmd, flags) \
	((void)(pmd), (struct page *)NULL)
#define wait_split_huge_page(anon_vma, pmd)	do { (void)(pmd); } while (0)
#define transparent_hugepage_enabled(vma)	((void)(vma), 0)
#define do_huge_pmd_anonymous_page(mm, vma, address, pmd, flags) VM_FAULT_FALLBACK
#define do_huge_pmd_numa_page(mm, vma, address, orig_pmd, pmd)	0
#define do_huge_pmd_wp_page(mm, vma, address, pmd, orig_pmd)	0
#define huge_pmd_set_accessed(mm, vma, address, pmd, orig_pmd, dirty) \
	do { } while (0)
#define pmd_write(pmd)				((void)(pmd), 0)
/* a page of a world is never a THP tail: a pin is a plain reference */
#define get_page_foll(page)			get_page(page)

#endif
