/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: the mmu_gather batch of pages to free after the TLB flush, as
 * the generic asm-generic/tlb.h keeps it (reduced to one batch).
 */
#ifndef _ASM_TLB_H
#define _ASM_TLB_H

#include "ksim/kernel.h"
#include <linux/mm_types.h>

#define KSIM_TLB_BATCH	16

struct mmu_gather {
	struct mm_struct *mm;
	unsigned long start, end;
	unsigned int fullmm;
	unsigned int nr;
	struct page *pages[KSIM_TLB_BATCH];
};

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm,
		    unsigned long start, unsigned long end);
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb, unsigned long start,
		    unsigned long end);
int __tlb_remove_page(struct mmu_gather *tlb, struct page *page);

#define tlb_remove_tlb_entry(tlb, ptep, addr)	do { } while (0)

#endif
