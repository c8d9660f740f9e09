/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: memcg is out of scope; every hook is a no-op, one lruvec per zone. */
#ifndef _LINUX_MEMCONTROL_H
#define _LINUX_MEMCONTROL_H

#include "ksim/kernel.h"

struct mem_cgroup;

#define MEM_CGROUP_STAT_FILE_MAPPED	0

#define mem_cgroup_page_lruvec(page, zone)	(&(zone)->lruvec)
#define mem_cgroup_begin_update_page_stat(page, locked, flags) \
	do { (void)(locked); (void)(flags); } while (0)
#define mem_cgroup_end_update_page_stat(page, locked, flags) \
	do { (void)(locked); (void)(flags); } while (0)
#define mem_cgroup_inc_page_stat(page, idx)	do { } while (0)
#define mem_cgroup_dec_page_stat(page, idx)	do { } while (0)
#define mem_cgroup_uncharge_page(page)		do { } while (0)
#define mem_cgroup_uncharge_start()		do { } while (0)
#define mem_cgroup_uncharge_end()		do { } while (0)
#define mem_cgroup_newpage_charge(page, mm, gfp)	0
#define mem_cgroup_prepare_migration(page, newpage, memcgp) \
	do { *(memcgp) = NULL; } while (0)
#define mem_cgroup_end_migration(memcg, oldpage, newpage, ok) \
	do { (void)(memcg); } while (0)
#define mem_cgroup_bad_page_check(page)		0
/* page cache area */
#define mem_cgroup_uncharge_cache_page(page)	do { (void)(page); } while (0)
#define mem_cgroup_cache_charge(page, mm, gfp)	0
#define mem_cgroup_replace_page_cache(old, new)	do { } while (0)

#endif
