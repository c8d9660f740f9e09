/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: LRU tracepoints compile to nothing (the flags are not evaluated). */
#ifndef _TRACE_PAGEMAP_H
#define _TRACE_PAGEMAP_H

#define trace_pagemap_flags(page)			0
#define trace_mm_lru_insertion(page, pfn, lru, flags)	do { } while (0)
#define trace_mm_lru_activate(page, pfn)		do { } while (0)

#endif
