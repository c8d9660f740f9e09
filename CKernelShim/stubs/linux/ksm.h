/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: KSM is out of scope: no KSM pages exist. */
#ifndef __LINUX_KSM_H
#define __LINUX_KSM_H

#define try_to_unmap_ksm(page, flags)	SWAP_FAIL
#define ksm_migrate_page(newpage, page)	do { } while (0)
/* rmap area */
#define page_referenced_ksm(page, memcg, vm_flags)	0
#define rmap_walk_ksm(page, rmap_one, arg)		SWAP_AGAIN

/* pgtable area: no KSM page, so never a copy to make */
#define ksm_might_need_to_copy(page, vma, address)	(page)

#endif
