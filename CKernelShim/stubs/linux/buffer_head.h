/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: buffer heads.  The world's pages never carry buffers
 * (page_has_private() is false), so these are never reached.
 */
#ifndef _LINUX_BUFFER_HEAD_H
#define _LINUX_BUFFER_HEAD_H

#include <linux/mm.h>

#define page_has_buffers(page)			0
#define try_to_release_page(page, gfp)		((void)(page), 1)
#define try_to_free_buffers(page)		((void)(page), 1)
#define block_invalidatepage(page, off, len)	do { } while (0)

#endif
