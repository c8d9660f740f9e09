/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: reclaim tracepoints compile to nothing. */
#ifndef _TRACE_VMSCAN_H
#define _TRACE_VMSCAN_H

#define trace_mm_vmscan_writepage(page, flags)		do { } while (0)
#define trace_mm_vmscan_lru_isolate(...)		do { } while (0)
#define trace_mm_vmscan_lru_shrink_inactive(...)	do { } while (0)
#define trace_shrink_flags(file)			0

#endif
