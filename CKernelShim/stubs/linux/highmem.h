/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: page contents.  A world's pages carry no data, so mapping,
 * copying and clearing them does nothing; allocations come from the
 * world's free pool (linux/gfp.h).
 */
#ifndef _LINUX_HIGHMEM_H
#define _LINUX_HIGHMEM_H

#include <linux/kernel.h>
#include <linux/gfp.h>

#define kmap_atomic(page)		((void *)(page))
#define kunmap_atomic(addr)		do { (void)(addr); } while (0)
#define clear_page(addr)		do { (void)(addr); } while (0)
#define copy_user_highpage(to, from, vaddr, vma) \
	do { (void)(to); (void)(from); } while (0)
#define clear_user_highpage(page, vaddr)	do { (void)(page); } while (0)
/* a new anonymous page for a fault, zeroed */
#define alloc_zeroed_user_highpage_movable(vma, vaddr) \
	alloc_page_vma(GFP_HIGHUSER_MOVABLE, vma, vaddr)

#ifndef zero_user_segment
#define zero_user_segment(page, start, end) \
	do { (void)(page); (void)(start); (void)(end); } while (0)
#define zero_user(page, start, size)	do { (void)(page); } while (0)
#define clear_highpage(page)		do { (void)(page); } while (0)
#endif

#endif
