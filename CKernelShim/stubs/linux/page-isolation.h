/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: page isolation (memory hotplug, CMA) is out of scope
 * (no CONFIG_MEMORY_ISOLATION, no CONFIG_CMA): no page or pageblock is
 * ever isolated.
 */
#ifndef __LINUX_PAGEISOLATION_H
#define __LINUX_PAGEISOLATION_H

#include <linux/mmzone.h>

static inline bool is_migrate_isolate_page(struct page *page)
{
	return false;
}

static inline bool is_migrate_isolate(int migratetype)
{
	return false;
}

#endif
