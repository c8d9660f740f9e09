/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: zone statistics and VM event counters.  Lockless per-CPU
 * counters in the kernel; plain counters in the world here (updates are
 * not scheduling points: they commute).
 */
#ifndef _LINUX_VMSTAT_H
#define _LINUX_VMSTAT_H

#include "ksim/kernel.h"
#include <linux/mmzone.h>

enum vm_event_item {
	PGFREE,
	PGACTIVATE,
	PGDEACTIVATE,
	PGROTATED,
	PGMIGRATE_SUCCESS,
	PGMIGRATE_FAIL,
	UNEVICTABLE_PGCULLED,
	UNEVICTABLE_PGSCANNED,
	UNEVICTABLE_PGRESCUED,
	UNEVICTABLE_PGMLOCKED,
	UNEVICTABLE_PGMUNLOCKED,
	UNEVICTABLE_PGCLEARED,
	UNEVICTABLE_PGSTRANDED,
	PGFAULT,		/* pgtable area: faults */
	PGMAJFAULT,
	NR_VM_EVENT_ITEMS
};

void ksim_mm_count_event(int item, long delta, KSIM_LOC);

#define count_vm_event(item)		ksim_mm_count_event((item), 1, KSIM_HERE)
#define __count_vm_event(item)		ksim_mm_count_event((item), 1, KSIM_HERE)
#define count_vm_events(item, n)	ksim_mm_count_event((item), (n), KSIM_HERE)
#define __count_vm_events(item, n)	ksim_mm_count_event((item), (n), KSIM_HERE)

/* "zone.NR_MLOCK": the audit's field of a zone counter. */
const char *ksim_mm_stat_field(int item);

/*
 * A function, not a macro, as in the kernel: the int parameter is what
 * turns munlock_vma_page()'s "-nr_pages" (unsigned) back into -1.
 */
static inline void ksim_mod_zone_page_state(struct zone *zone,
					    enum zone_stat_item item, int delta,
					    KSIM_LOC)
{
	ksim_audit_counter(&zone->vm_stat[item], ksim_mm_stat_field(item),
			   file, line, func);
	/* atomic like the kernel's counters: the pthread stress build needs it */
	__atomic_fetch_add(&zone->vm_stat[item], delta, __ATOMIC_RELAXED);
	if (item == NR_MLOCK)	/* the counter the checks compare */
		ksim_note_write(&zone->vm_stat[item], -1,
				delta > 0 ? "NR_MLOCK +" : "NR_MLOCK -",
				file, line, func);
}
#define mod_zone_page_state(zone, item, delta) \
	ksim_mod_zone_page_state((zone), (item), (delta), KSIM_HERE)
#define __mod_zone_page_state(zone, item, delta) \
	mod_zone_page_state(zone, item, delta)
#define inc_zone_page_state(page, item) \
	mod_zone_page_state(page_zone(page), item, 1)
#define __inc_zone_page_state(page, item) inc_zone_page_state(page, item)
#define dec_zone_page_state(page, item) \
	mod_zone_page_state(page_zone(page), item, -1)
#define __dec_zone_page_state(page, item) dec_zone_page_state(page, item)
/* page cache area */
#define __mod_zone_freepage_state(zone, nr_pages, migratetype) do {	\
	__mod_zone_page_state(zone, NR_FREE_PAGES, nr_pages);		\
	if (is_migrate_cma(migratetype))				\
		__mod_zone_page_state(zone, NR_FREE_CMA_PAGES, nr_pages); \
} while (0)
#define __inc_zone_state(zone, item)	mod_zone_page_state(zone, item, 1)
#define __dec_zone_state(zone, item)	mod_zone_page_state(zone, item, -1)

#endif
