/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: writeback control.  Writeback I/O is out of scope: the world's
 * files have no ->writepage, so nothing is ever written.
 */
#ifndef WRITEBACK_H
#define WRITEBACK_H

#include <linux/kernel.h>

enum writeback_sync_modes {
	WB_SYNC_NONE,
	WB_SYNC_ALL,
};

struct writeback_control {
	long nr_to_write;
	long pages_skipped;
	long long range_start;
	long long range_end;
	enum writeback_sync_modes sync_mode;
	unsigned for_kupdate:1;
	unsigned for_background:1;
	unsigned tagged_writepages:1;
	unsigned for_reclaim:1;
	unsigned range_cyclic:1;
	unsigned for_sync:1;
};

#endif
