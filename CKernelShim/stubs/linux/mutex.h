/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: sleeping mutexes; lock and unlock are scheduling points. */
#ifndef _LINUX_MUTEX_H
#define _LINUX_MUTEX_H

#include "ksim/kernel.h"

/*
 * DEFINE_MUTEX() inside a function ("static DEFINE_MUTEX(lock);", as
 * lru_add_drain_all() has it) must not make one mutex for every world:
 * "static" applies to a constant key only, and "lock" is a local handle
 * on the world's own mutex for that key (ksim_static_mutex()).  The lock
 * calls take either a struct mutex * or such a handle.
 */
struct ksim_static_mutex_ref {
	struct mutex *ksim_m;
};
struct mutex *ksim_static_mutex(const void *key, const char *func,
				const char *name);
#define DEFINE_MUTEX(name)						\
	const char ksim_static_key_##name = 0;				\
	struct ksim_static_mutex_ref name = {				\
		ksim_static_mutex(&ksim_static_key_##name, __func__, #name) }
#define ksim_mutex_of(m)						\
	_Generic((m),							\
		struct ksim_static_mutex_ref *:				\
			((struct ksim_static_mutex_ref *)(void *)(m))->ksim_m, \
		default: (m))

#define mutex_init(m)		do { (m)->owner = 0; } while (0)
#define mutex_lock(m)		ksim_mutex_lock(ksim_mutex_of(m), KSIM_HERE)
#define mutex_trylock(m)	ksim_mutex_trylock(ksim_mutex_of(m), KSIM_HERE)
#define mutex_unlock(m)		ksim_mutex_unlock(ksim_mutex_of(m), KSIM_HERE)
#define mutex_is_locked(m)	(ksim_mutex_of(m)->owner != 0)

#endif
