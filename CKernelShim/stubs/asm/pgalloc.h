/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: page-table pages.  Each mm of a world owns exactly one page
 * table, kept in the world for the mm's whole life: "allocating" one
 * hands back that table (empty again once its ptes were zapped, which
 * free_pgtables() only does after unmapping them all), and freeing it
 * only takes it off the pmd (pmd_clear).
 */
#ifndef _ASM_PGALLOC_H
#define _ASM_PGALLOC_H

#include <linux/mm_types.h>

typedef struct ksim_pagetable *pgtable_t;

#define pte_alloc_one(mm, address)	((void)(address), (mm)->ksim_pt)
#define pte_free(mm, pte)		do { (void)(mm); (void)(pte); } while (0)
#define pmd_populate(mm, pmdp, pte)	((pmdp)->pt = (pte))
#define pmd_pgtable(pmd)		((pmd).pt)

#endif
