/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: red-black trees with the kernel's types and calls, but without
 * the balancing: a plain binary search tree (parent pointer in
 * __rb_parent_color, no colour).  The worlds hold a handful of vmas, so
 * the shape does not matter; lookups that descend rb_left/rb_right, as
 * find_vma() does, see a valid search tree.  Trees are changed only
 * under the lock their owner names (mmap_sem for write, i_mmap_mutex):
 * plain accesses.
 */
#ifndef _LINUX_RBTREE_H
#define _LINUX_RBTREE_H

#include "ksim/kernel.h"
#include <linux/kernel.h>

struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
};

struct rb_root {
	struct rb_node *rb_node;
};

#define rb_parent(r)	((struct rb_node *)((r)->__rb_parent_color & ~3UL))
#define RB_ROOT		(struct rb_root) { NULL, }
#define rb_entry(ptr, type, member) container_of(ptr, type, member)
#define RB_EMPTY_ROOT(root)	((root)->rb_node == NULL)
#define RB_EMPTY_NODE(node) \
	((node)->__rb_parent_color == (unsigned long)(node))
#define RB_CLEAR_NODE(node) \
	((node)->__rb_parent_color = (unsigned long)(node))

static inline void rb_set_parent(struct rb_node *rb, struct rb_node *p)
{
	rb->__rb_parent_color = (unsigned long)p;
}

static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **rb_link)
{
	node->__rb_parent_color = (unsigned long)parent;
	node->rb_left = node->rb_right = NULL;
	*rb_link = node;
}

/* No rebalancing: the search tree stays as linked. */
static inline void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	(void)node;
	(void)root;
}

/* Make new take old's place under old's parent (or at the root). */
static inline void ksim_rb_replace_child(struct rb_node *old,
		struct rb_node *new, struct rb_node *parent,
		struct rb_root *root)
{
	if (!parent)
		root->rb_node = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
	if (new)
		rb_set_parent(new, parent);
}

/*
 * Unlink node; returns the lowest node whose subtree changed (for the
 * augmented callers to recompute from), or NULL.
 */
static inline struct rb_node *ksim_rb_erase(struct rb_node *node,
					    struct rb_root *root)
{
	struct rb_node *parent = rb_parent(node), *succ, *sparent;

	if (!node->rb_left) {
		ksim_rb_replace_child(node, node->rb_right, parent, root);
		return parent;
	}
	if (!node->rb_right) {
		ksim_rb_replace_child(node, node->rb_left, parent, root);
		return parent;
	}
	/* two children: the in-order successor takes node's place */
	succ = node->rb_right;
	while (succ->rb_left)
		succ = succ->rb_left;
	sparent = rb_parent(succ);
	if (sparent != node) {
		ksim_rb_replace_child(succ, succ->rb_right, sparent, root);
		succ->rb_right = node->rb_right;
		rb_set_parent(succ->rb_right, succ);
	} else
		sparent = succ;
	succ->rb_left = node->rb_left;
	rb_set_parent(succ->rb_left, succ);
	ksim_rb_replace_child(node, succ, parent, root);
	return sparent;
}

static inline void rb_erase(struct rb_node *node, struct rb_root *root)
{
	(void)ksim_rb_erase(node, root);
}

static inline struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (!n)
		return NULL;
	while (n->rb_left)
		n = n->rb_left;
	return n;
}

static inline struct rb_node *rb_next(const struct rb_node *node)
{
	struct rb_node *parent;

	if (node->rb_right) {
		node = node->rb_right;
		while (node->rb_left)
			node = node->rb_left;
		return (struct rb_node *)node;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_right)
		node = parent;
	return parent;
}

static inline struct rb_node *rb_prev(const struct rb_node *node)
{
	struct rb_node *parent;

	if (node->rb_left) {
		node = node->rb_left;
		while (node->rb_right)
			node = node->rb_right;
		return (struct rb_node *)node;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_left)
		node = parent;
	return parent;
}

/*
 * Trees that are only ever walked in insertion order (the anon_vma
 * interval trees, see linux/rmap.h): insert as the rightmost node, so
 * an in-order walk (rb_first/rb_next) gives insertion order.
 */
static inline void ksim_rb_list_insert(struct rb_node *node,
				       struct rb_root *root)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = &parent->rb_right;
	}
	rb_link_node(node, parent, link);
}

/* Unlink node from root's tree; a node not on it is left alone. */
static inline void ksim_rb_list_erase(struct rb_node *node,
				      struct rb_root *root)
{
	struct rb_node *n = node, *p;

	while ((p = rb_parent(n)))
		n = p;
	if (n == root->rb_node)
		rb_erase(node, root);
	node->__rb_parent_color = 0;
	node->rb_left = node->rb_right = NULL;
}

#endif
