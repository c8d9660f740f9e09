/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: page cache tracepoints compile to nothing. */
#ifndef _TRACE_FILEMAP_H
#define _TRACE_FILEMAP_H

#define trace_mm_filemap_delete_from_page_cache(page)	do { } while (0)
#define trace_mm_filemap_add_to_page_cache(page)	do { } while (0)

#endif
