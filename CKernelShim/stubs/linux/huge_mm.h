/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: transparent huge pages are out of scope: never split anything. */
#ifndef _LINUX_HUGE_MM_H
#define _LINUX_HUGE_MM_H

#define split_huge_page(page)			0
#define split_huge_page_pmd(vma, addr, pmd)	do { } while (0)

#endif
