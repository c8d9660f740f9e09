/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: the page lock.  PG_locked is a sleeping bit lock: lock_page()
 * blocks the task while another holds it, trylock_page() never does.
 * The kernel has no owner for it; the harness records one for its checks.
 */
#ifndef _LINUX_PAGEMAP_H
#define _LINUX_PAGEMAP_H

#include "ksim/kernel.h"
#include <linux/mm_types.h>
#include <linux/page-flags.h>

#define lock_page(page)		ksim_bit_lock(&(page)->flags, PG_locked, KSIM_HERE)
#define trylock_page(page)	ksim_bit_trylock(&(page)->flags, PG_locked, KSIM_HERE)
#define unlock_page(page)	ksim_bit_unlock(&(page)->flags, PG_locked, KSIM_HERE)
#define wait_on_page_locked(page) \
	ksim_bit_wait(&(page)->flags, PG_locked, KSIM_HERE)
#define __set_page_locked(page)	ksim_bit_lock(&(page)->flags, PG_locked, KSIM_HERE)
#define __clear_page_locked(page) \
	ksim_bit_unlock(&(page)->flags, PG_locked, KSIM_HERE)

#endif
