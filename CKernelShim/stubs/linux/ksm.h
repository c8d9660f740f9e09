/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: KSM is out of scope: no KSM pages exist. */
#ifndef __LINUX_KSM_H
#define __LINUX_KSM_H

#define try_to_unmap_ksm(page, flags)	SWAP_FAIL
#define ksm_migrate_page(newpage, page)	do { } while (0)

#endif
