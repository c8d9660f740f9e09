/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: per-task I/O accounting is not kept. */
#ifndef __TASK_IO_ACCOUNTING_OPS_INCLUDED
#define __TASK_IO_ACCOUNTING_OPS_INCLUDED

#define task_io_account_read(bytes)		do { } while (0)
#define task_io_account_write(bytes)		do { } while (0)
#define task_io_account_cancelled_write(bytes)	do { (void)(bytes); } while (0)

#endif
