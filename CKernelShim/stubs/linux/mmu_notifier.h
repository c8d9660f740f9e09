/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: no secondary MMUs: notifiers do nothing. */
#ifndef _LINUX_MMU_NOTIFIER_H
#define _LINUX_MMU_NOTIFIER_H

#define mmu_notifier_invalidate_range_start(mm, start, end) \
	do { (void)(mm); (void)(start); (void)(end); } while (0)
#define mmu_notifier_invalidate_range_end(mm, start, end) \
	do { (void)(mm); (void)(start); (void)(end); } while (0)
#define mmu_notifier_invalidate_page(mm, address)		do { } while (0)
#define mmu_notifier_release(mm)				do { } while (0)
#define set_pte_at_notify(mm, addr, ptep, pte)	set_pte_at(mm, addr, ptep, pte)

#endif
