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

#endif
