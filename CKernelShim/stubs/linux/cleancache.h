/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: cleancache is out of scope: no backend, every hook does nothing. */
#ifndef _LINUX_CLEANCACHE_H
#define _LINUX_CLEANCACHE_H

#define cleancache_get_page(page)		(-1)
#define cleancache_put_page(page)		do { (void)(page); } while (0)
#define cleancache_invalidate_page(mapping, page) \
	do { (void)(mapping); (void)(page); } while (0)
#define cleancache_invalidate_inode(mapping)	do { (void)(mapping); } while (0)
#define cleancache_invalidate_fs(sb)		do { } while (0)

#endif
