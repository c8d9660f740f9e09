/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: augmented rbtrees over the unbalanced trees of linux/rbtree.h.
 * With no rotations only propagate matters: after an insert or an erase
 * the augmented value is recomputed from the changed node up to the
 * root.
 */
#ifndef _LINUX_RBTREE_AUGMENTED_H
#define _LINUX_RBTREE_AUGMENTED_H

#include <linux/rbtree.h>

struct rb_augment_callbacks {
	void (*propagate)(struct rb_node *node, struct rb_node *stop);
	void (*copy)(struct rb_node *old, struct rb_node *new);
	void (*rotate)(struct rb_node *old, struct rb_node *new);
};

#define RB_DECLARE_CALLBACKS(rbstatic, rbname, rbstruct, rbfield,	\
			     rbtype, rbaugmented, rbcompute)		\
static inline void							\
rbname ## _propagate(struct rb_node *rb, struct rb_node *stop)		\
{									\
	while (rb != stop) {						\
		rbstruct *node = rb_entry(rb, rbstruct, rbfield);	\
		rbtype augmented = rbcompute(node);			\
		if (node->rbaugmented == augmented)			\
			break;						\
		node->rbaugmented = augmented;				\
		rb = rb_parent(&node->rbfield);				\
	}								\
}									\
static inline void							\
rbname ## _copy(struct rb_node *rb_old, struct rb_node *rb_new)	\
{									\
	rbstruct *old = rb_entry(rb_old, rbstruct, rbfield);		\
	rbstruct *new = rb_entry(rb_new, rbstruct, rbfield);		\
	new->rbaugmented = old->rbaugmented;				\
}									\
static void								\
rbname ## _rotate(struct rb_node *rb_old, struct rb_node *rb_new)	\
{									\
	rbname ## _copy(rb_old, rb_new);				\
}									\
rbstatic const struct rb_augment_callbacks rbname = {			\
	rbname ## _propagate, rbname ## _copy, rbname ## _rotate	\
};

/* Recompute every augmented value from node up (none is cached stale). */
static inline void ksim_rb_augment_up(struct rb_node *node,
				      const struct rb_augment_callbacks *augment)
{
	for (; node; node = rb_parent(node))
		augment->propagate(node, rb_parent(node));
}

static inline void rb_insert_augmented(struct rb_node *node,
		struct rb_root *root, const struct rb_augment_callbacks *augment)
{
	ksim_rb_augment_up(node, augment);
}

static inline void rb_erase_augmented(struct rb_node *node,
		struct rb_root *root, const struct rb_augment_callbacks *augment)
{
	ksim_rb_augment_up(ksim_rb_erase(node, root), augment);
}

#endif
