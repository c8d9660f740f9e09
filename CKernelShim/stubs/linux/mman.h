/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: the mmap flags the modelled code looks at. */
#ifndef _LINUX_MMAN_H
#define _LINUX_MMAN_H

#include <linux/kernel.h>

#define MAP_NONBLOCK	0x10000		/* remap_file_pages: do not populate */

#endif
