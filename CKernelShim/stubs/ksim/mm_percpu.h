/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness-specific: the kernel's DEFINE_PER_CPU variables of the mm code,
 * gathered in one structure; the world holds one per simulated CPU.
 */
#ifndef KSIM_MM_PERCPU_H
#define KSIM_MM_PERCPU_H

#include <linux/pagevec.h>

#include <linux/workqueue.h>

struct ksim_percpu {
	struct pagevec lru_add_pvec;		/* mm/swap.c */
	/* page cache area: the rest of mm/swap.c's per-CPU variables */
	struct pagevec lru_rotate_pvecs;
	struct pagevec lru_deactivate_pvecs;
	struct pagevec activate_page_pvecs;
	struct work_struct lru_add_drain_work;
};

#endif
