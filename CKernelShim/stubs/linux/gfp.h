/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: page allocation takes pages from the world's free pool. */
#ifndef _LINUX_GFP_H
#define _LINUX_GFP_H

#include "ksim/kernel.h"
#include <linux/kernel.h>

struct page;
struct list_head;

#define GFP_KERNEL		0x10u
/* rmap area: anon_vma_clone() first tries without sleeping */
#define GFP_NOWAIT		0x80u
#define __GFP_NOWARN		0x100u
#define GFP_HIGHUSER_MOVABLE	0x20u
#define __GFP_THISNODE		0x40u

struct page *alloc_pages(gfp_t gfp_mask, unsigned int order);
#define alloc_page(gfp)			alloc_pages(gfp, 0)
#define alloc_page_vma(gfp, vma, addr)	alloc_pages(gfp, 0)
void free_hot_cold_page(struct page *page, int cold);
void free_hot_cold_page_list(struct list_head *list, int cold);
void __free_pages(struct page *page, unsigned int order);


/*
 * pgtable area: page-sized kernel allocations (mmu_gather batches).  A
 * world has no memory outside its struct pages, so these fail, as a
 * GFP_NOWAIT allocation may in the kernel.
 */
#define GFP_NOWAIT		0x80u
#define __GFP_NOWARN		0x100u
#define __get_free_pages(gfp, order)	((void)(gfp), (void)(order), 0UL)
#define free_pages(addr, order) \
	do { if (addr) ksim_bug("free_pages() of a page never given", KSIM_HERE); } while (0)

#endif
