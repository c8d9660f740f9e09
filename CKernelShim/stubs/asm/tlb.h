/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: the generic mmu_gather (asm-generic/tlb.h, HAVE_GENERIC_MMU_GATHER)
 * with x86's choices: no flush at each vma's start or end, the TLB flush
 * itself is a no-op here.  Pages unmapped by a zap are batched and freed
 * only after the (simulated) flush: the on-stack bundle first, then more
 * batches from __get_free_pages(GFP_NOWAIT), which a world never grants
 * (see gfp.h), so a full bundle forces the flush, as a failed allocation
 * does in the kernel.
 */
#ifndef _ASM_TLB_H
#define _ASM_TLB_H

#include "ksim/kernel.h"
#include <linux/mm_types.h>
#include <asm/pgtable.h>

struct mmu_gather_batch {
	struct mmu_gather_batch	*next;
	unsigned int		nr;
	unsigned int		max;
	struct page		*pages[0];
};

#define MAX_GATHER_BATCH	\
	((PAGE_SIZE - sizeof(struct mmu_gather_batch)) / sizeof(void *))
/* bound on the batches one gather may hold (the kernel's ~10k pages) */
#define MAX_GATHER_BATCH_COUNT	(10000UL/MAX_GATHER_BATCH)
#define MMU_GATHER_BUNDLE	8

struct mmu_gather {
	struct mm_struct	*mm;
	unsigned long		start;
	unsigned long		end;
	unsigned int		need_flush : 1,	/* something was unmapped */
				fullmm : 1,	/* the whole mm goes */
				need_flush_all : 1;
	struct mmu_gather_batch	*active;
	struct mmu_gather_batch	local;
	struct page		*__pages[MMU_GATHER_BUNDLE];
	unsigned int		batch_count;
};

#define HAVE_GENERIC_MMU_GATHER

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm,
		    unsigned long start, unsigned long end);
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb, unsigned long start,
		    unsigned long end);
int __tlb_remove_page(struct mmu_gather *tlb, struct page *page);

/* Queue a page; flush and free the batch when there is no room left. */
static inline void tlb_remove_page(struct mmu_gather *tlb, struct page *page)
{
	if (!__tlb_remove_page(tlb, page))
		tlb_flush_mmu(tlb);
}

/* the TLB of a simulated machine: nothing to shoot down */
#define tlb_flush(tlb)				do { (void)(tlb); } while (0)
#define tlb_start_vma(tlb, vma)			do { } while (0)
#define tlb_end_vma(tlb, vma)			do { } while (0)
#define __tlb_remove_tlb_entry(tlb, ptep, address) do { } while (0)
#define tlb_remove_tlb_entry(tlb, ptep, address)		\
	do {							\
		(tlb)->need_flush = 1;				\
		__tlb_remove_tlb_entry(tlb, ptep, address);	\
	} while (0)
#define tlb_migrate_finish(mm)			do { } while (0)
/* page-table pages are never freed in a world (see free_pgd_range) */
#define pte_free_tlb(tlb, ptep, address) \
	do { (tlb)->need_flush = 1; (void)(ptep); } while (0)
#define pmd_free_tlb(tlb, pmdp, address)	((tlb)->need_flush = 1)
#define pud_free_tlb(tlb, pudp, address)	((tlb)->need_flush = 1)
#define check_pgt_cache()			do { } while (0)

#endif
