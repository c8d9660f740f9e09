/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: swap-type ptes; only migration entries exist here. */
#ifndef _LINUX_SWAPOPS_H
#define _LINUX_SWAPOPS_H

#include <linux/mm.h>

#define make_migration_entry(page, write) \
	((swp_entry_t) { ((unsigned long)page_to_pfn(page) << PAGE_SHIFT) | \
			 _PAGE_SWP | ((write) ? _PAGE_SWP_WRITE : 0) })
#define swp_entry_to_pte(entry)		__pte((entry).val)
#define pte_to_swp_entry(x)		((swp_entry_t) { (x).pte })
#define is_migration_entry(entry)	(((entry).val & _PAGE_SWP) != 0)
#define is_write_migration_entry(entry)	(((entry).val & _PAGE_SWP_WRITE) != 0)
#define migration_entry_to_page(entry)	pfn_to_page((entry).val >> PAGE_SHIFT)
#define non_swap_entry(entry)		is_migration_entry(entry)
/* rmap area: no memory failure (PageHWPoison is constant false) */
#define make_hwpoison_entry(page)	((void)(page), (swp_entry_t) { 0 })

#endif
