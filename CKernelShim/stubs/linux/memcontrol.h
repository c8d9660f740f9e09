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
/* rmap area: reclaim never runs on behalf of a cgroup (memcg is NULL) */
#define mm_match_cgroup(mm, memcg)		((void)(mm), (void)(memcg), 1)

/* pgtable area: faults and swap-ins charge nothing */
#define mem_cgroup_count_vm_event(mm, idx)	do { } while (0)
#define mem_cgroup_oom_enable()			do { } while (0)
#define mem_cgroup_oom_disable()		do { } while (0)
#define task_in_memcg_oom(p)			((void)(p), 0)
#define mem_cgroup_oom_synchronize(handle)	do { } while (0)
#define mem_cgroup_try_charge_swapin(mm, page, gfp, ptr) \
	((void)(ptr), 0)
#define mem_cgroup_commit_charge_swapin(page, ptr)	do { } while (0)
#define mem_cgroup_cancel_charge_swapin(ptr)		do { } while (0)
/* page cache area */
#define mem_cgroup_uncharge_cache_page(page)	do { (void)(page); } while (0)
#define mem_cgroup_cache_charge(page, mm, gfp)	0
#define mem_cgroup_replace_page_cache(old, new)	do { } while (0)

#endif
