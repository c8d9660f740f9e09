/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: read-write semaphores.  Readers share; a writer excludes all.
 * down_write() on a held semaphore is two steps: the attempt, which
 * queues the writer, then the wait.  A queued writer blocks new
 * down_read() and makes down_read_trylock() fail, as the kernel's fair
 * rwsem does: that is what makes recursive read locking deadlock.
 */
#ifndef _LINUX_RWSEM_H
#define _LINUX_RWSEM_H

#include "ksim/kernel.h"

#define init_rwsem(s)		do { (s)->readers = 0; (s)->writer = 0; (s)->waiters = 0; } while (0)
#define down_read(s)		ksim_down_read((s), KSIM_HERE)
#define down_read_trylock(s)	ksim_down_read_trylock((s), KSIM_HERE)
#define up_read(s)		ksim_up_read((s), KSIM_HERE)
#define down_write(s)		ksim_down_write((s), KSIM_HERE)
#define down_write_trylock(s)	ksim_down_write_trylock((s), KSIM_HERE)
#define up_write(s)		ksim_up_write((s), KSIM_HERE)
#define rwsem_is_locked(s)	((s)->readers || (s)->writer)

#endif
