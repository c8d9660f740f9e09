/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: migration tracepoints compile to nothing. */
#ifndef _TRACE_MIGRATE_H
#define _TRACE_MIGRATE_H

#define trace_mm_migrate_pages(succeeded, failed, mode, reason) \
	do { } while (0)

#endif
