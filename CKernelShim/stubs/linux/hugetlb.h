/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: hugetlbfs is out of scope. */
#ifndef _LINUX_HUGETLB_H
#define _LINUX_HUGETLB_H

#define copy_huge_page(dst, src)	do { } while (0)
/* migrate area: no hugepage exists, these are never reached */
#define putback_active_hugepage(page)	do { (void)(page); } while (0)
#define huge_pte_offset(mm, addr)	((pte_t *)NULL)
#define hstate_vma(vma)			((void *)NULL)
#define huge_pte_lockptr(h, mm, pte)	(&(mm)->page_table_lock)

#endif
