/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: page allocation takes pages from the world's free pool. */
#ifndef _LINUX_GFP_H
#define _LINUX_GFP_H

#include "ksim/kernel.h"
#include <linux/kernel.h>

struct page;
struct list_head;

/* page cache area: the kernel's flag values, so masks test as there */
#define __GFP_DMA		0x01u
#define __GFP_HIGHMEM		0x02u
#define __GFP_DMA32		0x04u
#define __GFP_MOVABLE		0x08u
#define __GFP_WAIT		0x10u
#define __GFP_HIGH		0x20u
#define __GFP_IO		0x40u
#define __GFP_FS		0x80u
#define __GFP_COLD		0x100u
#define __GFP_NOWARN		0x200u
#define __GFP_REPEAT		0x400u
#define __GFP_NOFAIL		0x800u
#define __GFP_NORETRY		0x1000u
#define __GFP_MEMALLOC		0x2000u
#define __GFP_COMP		0x4000u
#define __GFP_ZERO		0x8000u
#define __GFP_NOMEMALLOC	0x10000u
#define __GFP_HARDWALL		0x20000u
#define __GFP_THISNODE		0x40000u
#define GFP_NOWAIT		0u
#define GFP_ATOMIC		(__GFP_HIGH)
#define GFP_NOIO		(__GFP_WAIT)
#define GFP_NOFS		(__GFP_WAIT | __GFP_IO)
#define GFP_KERNEL		(__GFP_WAIT | __GFP_IO | __GFP_FS)
#define GFP_USER		(__GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_HIGHUSER		(GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE	(GFP_HIGHUSER | __GFP_MOVABLE)

/* the architecture's hooks around allocation and freeing: none */
#define arch_alloc_page(page, order)	do { } while (0)
#define arch_free_page(page, order)	do { } while (0)
#define kernel_map_pages(page, n, enable) do { } while (0)

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
#define __get_free_pages(gfp, order)	((void)(gfp), (void)(order), 0UL)
#define free_pages(addr, order) \
	do { if (addr) ksim_bug("free_pages() of a page never given", KSIM_HERE); } while (0)

#endif
