/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: slab caches.  A kmem_cache here is a constant descriptor; its
 * objects come from a fixed pool in the world of the running task (see
 * ksim_mm_slab_alloc), so nothing is allocated from the host while a
 * schedule runs and a world reset frees everything.  Allocation is not
 * a scheduling point: the kernel's slab locks are below the level the
 * harness models.  A cache the world has no pool for, or an exhausted
 * pool, yields NULL (the kernel's -ENOMEM paths).
 *
 * Pools are type-stable, as SLAB_DESTROY_BY_RCU caches are: a freed
 * object keeps its lock and is only ever reused as the same type.
 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/kernel.h>
#include <linux/gfp.h>

enum ksim_slab_kind {
	KSIM_SLAB_NONE,
	KSIM_SLAB_ANON_VMA,
	KSIM_SLAB_ANON_VMA_CHAIN,
	KSIM_SLAB_VM_AREA,	/* pgtable area: vmas (freed only) */
};

struct kmem_cache {
	const char *name;
	size_t size;
	enum ksim_slab_kind ksim_kind;
};

#define SLAB_PANIC		0x00040000UL
#define SLAB_DESTROY_BY_RCU	0x00080000UL

void *ksim_mm_slab_alloc(const struct kmem_cache *cachep, gfp_t flags);
void ksim_mm_slab_free(const struct kmem_cache *cachep, void *objp);

#define kmem_cache_alloc(cachep, flags)	ksim_mm_slab_alloc((cachep), (flags))
#define kmem_cache_free(cachep, objp)	ksim_mm_slab_free((cachep), (objp))

#endif
