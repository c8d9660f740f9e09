/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: the radix tree that holds a file's page cache.  The harness keeps
 * it as a flat array of slots indexed by page offset (files are a few
 * pages long); the lookup, slot and iterator calls keep the kernel's names
 * and meaning.  Slot reads and writes are plain memory accesses, as the
 * kernel's RCU-protected ones are: tree_lock (a spinlock, so a scheduling
 * point) orders the writers, readers re-check what they found.
 */
#ifndef _LINUX_RADIX_TREE_H
#define _LINUX_RADIX_TREE_H

#include "ksim/kernel.h"
#include <linux/kernel.h>
#include <linux/rcupdate.h>

#define RADIX_TREE_KSIM_SLOTS	16	/* page cache slots per file */

/* Entry tag bits, as the kernel encodes them (never set here). */
#define RADIX_TREE_INDIRECT_PTR		1
#define RADIX_TREE_EXCEPTIONAL_ENTRY	2
#define RADIX_TREE_EXCEPTIONAL_SHIFT	2

struct radix_tree_root {
	void *ksim_slots[RADIX_TREE_KSIM_SLOTS];
};

#define RADIX_TREE_INIT(mask)	{ { NULL } }
#define INIT_RADIX_TREE(root, mask) \
	memset((root)->ksim_slots, 0, sizeof((root)->ksim_slots))

/* The slot of index, or NULL when index lies beyond the tree. */
static inline void **radix_tree_lookup_slot(struct radix_tree_root *root,
					    unsigned long index)
{
	if (index >= RADIX_TREE_KSIM_SLOTS)
		return NULL;
	return &root->ksim_slots[index];
}

static inline void *radix_tree_lookup(struct radix_tree_root *root,
				      unsigned long index)
{
	void **slot = radix_tree_lookup_slot(root, index);

	return slot ? *slot : NULL;
}

#define radix_tree_deref_slot(pslot)		(*(pslot))
#define radix_tree_deref_slot_protected(pslot, treelock) \
	((void)(treelock), *(pslot))
#define radix_tree_replace_slot(pslot, item)	((void)(*(pslot) = (item)))
#define radix_tree_deref_retry(arg) \
	unlikely((unsigned long)(arg) & RADIX_TREE_INDIRECT_PTR)
#define radix_tree_exceptional_entry(arg) \
	((unsigned long)(arg) & RADIX_TREE_EXCEPTIONAL_ENTRY)
#define radix_tree_exception(arg) \
	unlikely((unsigned long)(arg) & \
		 (RADIX_TREE_INDIRECT_PTR | RADIX_TREE_EXCEPTIONAL_ENTRY))

/* 0 on success, -EEXIST if the slot is taken, -ENOMEM beyond the tree. */
static inline int radix_tree_insert(struct radix_tree_root *root,
				    unsigned long index, void *item)
{
	if (index >= RADIX_TREE_KSIM_SLOTS)
		return -ENOMEM;
	if (root->ksim_slots[index])
		return -EEXIST;
	root->ksim_slots[index] = item;
	return 0;
}

/* Empty the slot; returns what it held. */
static inline void *radix_tree_delete(struct radix_tree_root *root,
				      unsigned long index)
{
	void *item;

	if (index >= RADIX_TREE_KSIM_SLOTS)
		return NULL;
	item = root->ksim_slots[index];
	root->ksim_slots[index] = NULL;
	return item;
}

#define radix_tree_preload(gfp)		0
#define radix_tree_preload_end()	do { } while (0)

/* Iteration state: the index of the current slot and where to go on. */
struct radix_tree_iter {
	unsigned long index;
	unsigned long next_index;
};

static inline void **radix_tree_iter_init(struct radix_tree_iter *iter,
					  unsigned long start)
{
	iter->index = 0;
	iter->next_index = start;
	return NULL;
}

/* The next occupied slot at or after iter->next_index, or NULL. */
static inline void **ksim_radix_tree_next_slot(struct radix_tree_root *root,
					       struct radix_tree_iter *iter)
{
	unsigned long i;

	for (i = iter->next_index; i < RADIX_TREE_KSIM_SLOTS; i++) {
		if (root->ksim_slots[i]) {
			iter->index = i;
			iter->next_index = i + 1;
			return &root->ksim_slots[i];
		}
	}
	iter->next_index = RADIX_TREE_KSIM_SLOTS;
	return NULL;
}

/*
 * Visit each occupied slot from index start on; the body may continue,
 * break, or leave with a goto that re-enters the loop from its start.
 */
#define radix_tree_for_each_slot(slot, root, iter, start)		\
	for (slot = radix_tree_iter_init(iter, start);			\
	     (slot = ksim_radix_tree_next_slot(root, iter)) != NULL; )

#endif /* _LINUX_RADIX_TREE_H */
