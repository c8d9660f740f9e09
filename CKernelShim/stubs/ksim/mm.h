/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness-specific: what the mm stubs need from the world model.  The
 * kernel finds its zone, its mem_map and its per-CPU variables through
 * global symbols; here they hang off the model root of the world whose
 * task is running, so several worlds can run at once.
 */
#ifndef KSIM_MM_H
#define KSIM_MM_H

#include "ksim/kernel.h"
#include "kshim.h"

struct page;
struct zone;
struct ksim_percpu;

struct zone *ksim_mm_zone(void);
struct page *ksim_mm_pfn_to_page(unsigned long pfn);
struct ksim_percpu *ksim_mm_percpu(int cpu);
/* Take a page off the free pool, or NULL when the pool is empty. */
struct page *ksim_mm_pool_get(void);
/* Put a freed page back into the free pool. */
void ksim_mm_pool_put(struct page *page);

#endif
