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
	/* page cache area */
	NR_SHMEM,
	NR_WRITEBACK,
	NR_VMSCAN_WRITE,
	NR_VMSCAN_IMMEDIATE,
	NR_FREE_CMA_PAGES,
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

/* page cache area: LRU isolation modes, as mmzone.h has them */
typedef unsigned isolate_mode_t;
#define ISOLATE_CLEAN		((isolate_mode_t)0x1)
#define ISOLATE_UNMAPPED	((isolate_mode_t)0x2)
#define ISOLATE_ASYNC_MIGRATE	((isolate_mode_t)0x4)
#define ISOLATE_UNEVICTABLE	((isolate_mode_t)0x8)

/* One node: a node mask is never looked at. */
typedef struct { unsigned long bits[1]; } nodemask_t;

static inline int is_file_lru(enum lru_list lru)
{
	return (lru == LRU_INACTIVE_FILE || lru == LRU_ACTIVE_FILE);
}

static inline int is_active_lru(enum lru_list lru)
{
	return (lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE);
}

#define for_each_lru(lru)	for (lru = 0; lru < NR_LRU_LISTS; lru++)
#define for_each_evictable_lru(lru) for (lru = 0; lru <= LRU_ACTIVE_FILE; lru++)

static inline int is_unevictable_lru(enum lru_list lru)
{
	return (lru == LRU_UNEVICTABLE);
}

/* Recent reclaim history of the anon (0) and file (1) lists. */
struct zone_reclaim_stat {
	unsigned long recent_rotated[2];
	unsigned long recent_scanned[2];
};

struct lruvec {
	struct list_head lists[NR_LRU_LISTS];
	struct zone_reclaim_stat reclaim_stat;	/* page cache area */
};

/* page cache area: migrate types and the per-CPU page lists */
enum {
	MIGRATE_UNMOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_MOVABLE,
	MIGRATE_PCPTYPES,	/* the number of types on the pcp lists */
	MIGRATE_RESERVE = MIGRATE_PCPTYPES,
	MIGRATE_TYPES
};
#define is_migrate_cma(migratetype)	false

struct per_cpu_pages {
	int count;		/* pages on the lists */
	int high;		/* free a batch to the pool at this count */
	int batch;
	struct list_head lists[MIGRATE_PCPTYPES];
};

struct per_cpu_pageset {
	struct per_cpu_pages pcp;
};

/* Bits of zone->flags. */
typedef enum {
	ZONE_RECLAIM_LOCKED,
	ZONE_OOM_LOCKED,
	ZONE_CONGESTED,
	ZONE_TAIL_LRU_DIRTY,
	ZONE_WRITEBACK,
} zone_flags_t;

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
	/* page cache area */
	struct per_cpu_pageset *pageset;	/* one per CPU, in the world */
	unsigned long pages_scanned;
	unsigned long flags;			/* zone_flags_t */
};

/* The zone of a lruvec (no memcg: the zone's own lruvec). */
static inline struct zone *lruvec_zone(struct lruvec *lruvec)
{
	return container_of(lruvec, struct zone, lruvec);
}

static inline int zone_is_reclaim_congested(const struct zone *zone)
{
	return !!(zone->flags & (1UL << ZONE_CONGESTED));
}

static inline int zone_is_reclaim_dirty(const struct zone *zone)
{
	return !!(zone->flags & (1UL << ZONE_TAIL_LRU_DIRTY));
}

static inline int zone_is_reclaim_writeback(const struct zone *zone)
{
	return !!(zone->flags & (1UL << ZONE_WRITEBACK));
}

/* Every pageblock holds movable pages. */
#define get_pageblock_migratetype(page)	((void)(page), MIGRATE_MOVABLE)
/* A free page keeps its migratetype in page->index, as in the kernel. */
#define get_freepage_migratetype(page)	((int)(page)->index)
#define set_freepage_migratetype(page, migratetype) \
	((void)((page)->index = (migratetype)))

#endif
