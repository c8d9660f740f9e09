/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: per-task delay accounting is not kept. */
#ifndef _LINUX_DELAYACCT_H
#define _LINUX_DELAYACCT_H

#define DELAYACCT_PF_SWAPIN		0x00000001
#define delayacct_set_flag(flag)	do { } while (0)
#define delayacct_clear_flag(flag)	do { } while (0)

#endif
