/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: the mm data structures, reduced to the fields the modelled code
 * touches.  Field names follow the kernel; harness-only fields start
 * with ksim_.
 */
#ifndef _LINUX_MM_TYPES_H
#define _LINUX_MM_TYPES_H

#include "ksim/kernel.h"
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/rwsem.h>
#include <linux/atomic.h>

struct address_space;

struct page {
	unsigned long flags;		/* PG_* bits; PG_locked is the page lock */
	struct address_space *mapping;	/* file, or anon_vma | PAGE_MAPPING_ANON */
	unsigned long index;		/* offset within the file, in pages */
	atomic_t _mapcount;		/* ptes mapping it, minus one */
	atomic_t _count;		/* references */
	unsigned long private;
	struct list_head lru;		/* LRU list, pagevec-free list, ... */
	int ksim_id;			/* harness: page number in the world */
};

#endif
