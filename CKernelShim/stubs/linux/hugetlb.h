/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: hugetlbfs is out of scope. */
#ifndef _LINUX_HUGETLB_H
#define _LINUX_HUGETLB_H

#define copy_huge_page(dst, src)	do { } while (0)
/* migrate area: no hugepage exists, these are never reached */
#define putback_active_hugepage(page)	do { (void)(page); } while (0)
#define hstate_vma(vma)			((void *)NULL)
#define huge_pte_lockptr(h, mm, pte)	(&(mm)->page_table_lock)

/* rmap area: no hugetlb page exists, so none of these is reached */
struct hstate;
#define page_hstate(page)		((void)(page), (struct hstate *)NULL)
#define huge_page_order(h)		((void)(h), 0U)
#define huge_pte_offset(mm, addr)	((void)(mm), (void)(addr), (pte_t *)NULL)
#define huge_pte_lockptr(h, mm, pte)	(&(mm)->page_table_lock)
#define follow_hugetlb_page(mm, vma, pages, vmas, position, length, i, flags) \
	((void)(mm), (void)(vma), (void)(pages), (void)(vmas), \
	 (void)(position), (void)(length), (void)(flags), (i))

/* pgtable area: no hugetlb vma exists (is_vm_hugetlb_page() is 0) */
#define hugetlb_free_pgd_range(tlb, addr, end, floor, ceiling) \
	do { } while (0)
#define __unmap_hugepage_range_final(tlb, vma, start, end, ref_page) \
	do { } while (0)
#define follow_huge_addr(mm, address, write) \
	((struct page *)ERR_PTR(-EINVAL))
#define follow_huge_pud(mm, address, pud, write)	((struct page *)NULL)
#define follow_huge_pmd(mm, address, pmd, write)	((struct page *)NULL)
#define hugetlb_fault(mm, vma, address, flags)		VM_FAULT_SIGBUS

#endif
