/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: red-black tree roots and nodes.  The harness keeps the few
 * objects of a world on singly linked lists instead: an rb_root points
 * at its first node, each node at the next.  The kernel's emptiness
 * tests (RB_EMPTY_ROOT, RB_ROOT) keep their meaning; the interval-tree
 * iterators built on top (see linux/rmap.h) filter the list by range.
 * List updates are plain stores, ordered by the caller's locks.
 */
#ifndef _LINUX_RBTREE_H
#define _LINUX_RBTREE_H

#include "ksim/kernel.h"

struct rb_node {
	struct rb_node *ksim_next;	/* next node on the root's list */
};

struct rb_root {
	struct rb_node *rb_node;	/* first node, NULL when empty */
};

#define RB_ROOT			((struct rb_root) { NULL })
#define RB_EMPTY_ROOT(root)	((root)->rb_node == NULL)

/* Insert node at the tail of root's list (keeps walks in insert order). */
static inline void ksim_rb_list_insert(struct rb_node *node,
				       struct rb_root *root)
{
	struct rb_node **link = &root->rb_node;

	while (*link)
		link = &(*link)->ksim_next;
	node->ksim_next = NULL;
	*link = node;
}

/* Unlink node from root's list; a node not on it is left alone. */
static inline void ksim_rb_list_erase(struct rb_node *node,
				      struct rb_root *root)
{
	struct rb_node **link = &root->rb_node;

	while (*link && *link != node)
		link = &(*link)->ksim_next;
	if (*link)
		*link = node->ksim_next;
	node->ksim_next = NULL;
}

#endif
