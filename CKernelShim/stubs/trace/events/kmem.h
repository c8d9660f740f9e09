/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: page allocator tracepoints compile to nothing. */
#ifndef _TRACE_KMEM_H
#define _TRACE_KMEM_H

#define trace_mm_page_free(page, order)			do { } while (0)
#define trace_mm_page_free_batched(page, cold)		do { } while (0)
#define trace_mm_page_alloc(page, order, gfp, mt)	do { } while (0)
#define trace_mm_page_pcpu_drain(page, order, mt)	do { } while (0)

#endif
