/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: sleeping mutexes; lock and unlock are scheduling points. */
#ifndef _LINUX_MUTEX_H
#define _LINUX_MUTEX_H

#include "ksim/kernel.h"

#define mutex_init(m)		do { (m)->owner = 0; } while (0)
#define mutex_lock(m)		ksim_mutex_lock((m), KSIM_HERE)
#define mutex_trylock(m)	ksim_mutex_trylock((m), KSIM_HERE)
#define mutex_unlock(m)		ksim_mutex_unlock((m), KSIM_HERE)
#define mutex_is_locked(m)	((m)->owner != 0)

#endif
