/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: there is no balloon driver: no page is ever a balloon page. */
#ifndef _LINUX_BALLOON_COMPACTION_H
#define _LINUX_BALLOON_COMPACTION_H

#include <linux/kernel.h>

#ifndef balloon_page_movable
#define balloon_page_movable(page)		0
#endif
#define isolated_balloon_page(page)		((void)(page), 0)
#define balloon_page_putback(page)		do { (void)(page); } while (0)
#define balloon_page_migrate(newpage, page, mode)	(-EAGAIN)
#define balloon_page_free(page)			do { (void)(page); } while (0)

#endif
