/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: page migration interfaces (v3.13). */
#ifndef _LINUX_MIGRATE_H
#define _LINUX_MIGRATE_H

#include "ksim/kernel.h"
#include <linux/mm.h>

enum migrate_mode {
	MIGRATE_ASYNC,
	MIGRATE_SYNC_LIGHT,
	MIGRATE_SYNC,
};

enum migrate_reason {
	MR_COMPACTION,
	MR_MEMORY_FAILURE,
	MR_MEMORY_HOTPLUG,
	MR_SYSCALL,
	MR_MEMPOLICY_MBIND,
	MR_NUMA_MISPLACED,
	MR_CMA
};

#define MIGRATEPAGE_SUCCESS		0
#define MIGRATEPAGE_BALLOON_SUCCESS	1

typedef struct page *new_page_t(struct page *page, unsigned long private,
				int **reason);

int migrate_pages(struct list_head *from, new_page_t get_new_page,
		  unsigned long private, enum migrate_mode mode, int reason);
int migrate_page(struct address_space *mapping, struct page *newpage,
		 struct page *page, enum migrate_mode mode);
void migrate_page_copy(struct page *newpage, struct page *page);
void putback_lru_pages(struct list_head *l);
void putback_movable_pages(struct list_head *l);
int migrate_prep(void);

#define balloon_page_movable(page)	0
/* page cache area */
int migrate_prep_local(void);
struct buffer_head;

#endif
