/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: one zone with its LRU lists, lru_lock and statistics.  The
 * machine has one node and one zone; page_zone() always finds it.
 */
#ifndef _LINUX_MMZONE_H
#define _LINUX_MMZONE_H

#include "ksim/kernel.h"
#include <linux/list.h>
#include <linux/spinlock.h>

enum zone_stat_item {
	NR_FREE_PAGES,
	NR_LRU_BASE,
	NR_INACTIVE_ANON = NR_LRU_BASE,
	NR_ACTIVE_ANON,
	NR_INACTIVE_FILE,
	NR_ACTIVE_FILE,
	NR_UNEVICTABLE,
	NR_MLOCK,		/* PG_mlocked pages */
	NR_ANON_PAGES,
	NR_FILE_MAPPED,
	NR_FILE_PAGES,
	NR_FILE_DIRTY,
	NR_ISOLATED_ANON,
	NR_ISOLATED_FILE,
	NR_ANON_TRANSPARENT_HUGEPAGES,	/* rmap: stays 0 (no THP) */
	NR_VM_ZONE_STAT_ITEMS
};

#define LRU_BASE	0
#define LRU_ACTIVE	1
#define LRU_FILE	2

enum lru_list {
	LRU_INACTIVE_ANON = LRU_BASE,
	LRU_ACTIVE_ANON = LRU_BASE + LRU_ACTIVE,
	LRU_INACTIVE_FILE = LRU_BASE + LRU_FILE,
	LRU_ACTIVE_FILE = LRU_BASE + LRU_FILE + LRU_ACTIVE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};

#define for_each_lru(lru)	for (lru = 0; lru < NR_LRU_LISTS; lru++)
#define for_each_evictable_lru(lru) for (lru = 0; lru <= LRU_ACTIVE_FILE; lru++)

static inline int is_unevictable_lru(enum lru_list lru)
{
	return (lru == LRU_UNEVICTABLE);
}

struct lruvec {
	struct list_head lists[NR_LRU_LISTS];
};

struct zone {
	spinlock_t lock;		/* free lists */
	spinlock_t lru_lock;		/* the LRU lists */
	struct lruvec lruvec;
	/*
	 * The kernel keeps these as atomic counters with per-CPU deltas
	 * and updates them without a lock; here they are plain and their
	 * updates are not scheduling points.
	 */
	long vm_stat[NR_VM_ZONE_STAT_ITEMS];
	struct list_head ksim_free_list;	/* harness: the free pool */
};

#endif
