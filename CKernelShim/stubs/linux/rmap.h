/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: reverse mapping interfaces, as linux/rmap.h declares them in v3.13.
 *
 * anon_vmas and anon_vma_chains are the kernel's structures; they come
 * from the world's slab (linux/slab.h).  The interval tree of chains
 * under anon_vma->rb_root is a list (linux/rbtree.h) that the iterator
 * filters by file offset, as the tree's lookup would.
 *
 * The lock helpers are macros, not inline functions, so every lock
 * operation is attributed to the kernel line that calls them.
 */
#ifndef _LINUX_RMAP_H
#define _LINUX_RMAP_H

#include "ksim/kernel.h"
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/atomic.h>
#include <linux/mm.h>

struct mem_cgroup;

/*
 * Anonymous pages of a vma point (page->mapping | PAGE_MAPPING_ANON) at
 * an anon_vma; its rb_root holds one anon_vma_chain per vma that may
 * map such pages.  The root anon_vma's rwsem locks the whole family.
 */
struct anon_vma {
	struct anon_vma *root;		/* root of this anon_vma tree */
	struct rw_semaphore rwsem;	/* W: modification, R: walking */
	atomic_t refcount;		/* pins, beyond the chained vmas */
	struct rb_root rb_root;		/* chains of the vmas (a list here) */
};

/* The link between one vma and one anon_vma it may hold pages of. */
struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;	/* on vma->anon_vma_chain */
	struct rb_node rb;		/* on anon_vma->rb_root */
	unsigned long rb_subtree_last;
};

enum ttu_flags {
	TTU_UNMAP = 0,
	TTU_MIGRATION = 1,
	TTU_MUNLOCK = 2,
	TTU_ACTION_MASK = 0xff,

	TTU_IGNORE_MLOCK = (1 << 8),
	TTU_IGNORE_ACCESS = (1 << 9),
	TTU_IGNORE_HWPOISON = (1 << 10),
};

#define TTU_ACTION(x)	((x) & TTU_ACTION_MASK)

#define SWAP_SUCCESS	0
#define SWAP_AGAIN	1
#define SWAP_FAIL	2
#define SWAP_MLOCK	3

void __put_anon_vma(struct anon_vma *anon_vma);

#define get_anon_vma(av)	atomic_inc(&(av)->refcount)
#define put_anon_vma(av) do {						\
	struct anon_vma *__av = (av);					\
	if (atomic_dec_and_test(&__av->refcount))			\
		__put_anon_vma(__av);					\
} while (0)

#define anon_vma_lock_write(av)	down_write(&(av)->root->rwsem)
#define anon_vma_unlock_write(av)	up_write(&(av)->root->rwsem)
#define anon_vma_lock_read(av)	down_read(&(av)->root->rwsem)
#define anon_vma_unlock_read(av)	up_read(&(av)->root->rwsem)

/* The anon_vma of an anonymous (not KSM) page, or NULL. */
static inline struct anon_vma *page_anon_vma(struct page *page)
{
	if (((unsigned long)page->mapping & PAGE_MAPPING_FLAGS) !=
					    PAGE_MAPPING_ANON)
		return NULL;
	return page_rmapping(page);
}

/* ---- the anon_vma interval tree, over the rb_root list ---- */

static inline unsigned long ksim_avc_start_pgoff(struct anon_vma_chain *avc)
{
	return avc->vma->vm_pgoff;
}

static inline unsigned long ksim_avc_last_pgoff(struct anon_vma_chain *avc)
{
	return avc->vma->vm_pgoff + vma_pages(avc->vma) - 1;
}

static inline void anon_vma_interval_tree_insert(struct anon_vma_chain *node,
						 struct rb_root *root)
{
	node->rb_subtree_last = ksim_avc_last_pgoff(node);
	ksim_rb_list_insert(&node->rb, root);
}

static inline void anon_vma_interval_tree_remove(struct anon_vma_chain *node,
						 struct rb_root *root)
{
	ksim_rb_list_erase(&node->rb, root);
}

/* The first chain from rb on whose vma covers [first, last]. */
static inline struct anon_vma_chain *
ksim_avc_iter_from(struct rb_node *rb, unsigned long first,
		   unsigned long last)
{
	for (; rb; rb = rb_next(rb)) {
		struct anon_vma_chain *avc = container_of(rb,
					struct anon_vma_chain, rb);

		if (ksim_avc_start_pgoff(avc) <= last &&
		    first <= ksim_avc_last_pgoff(avc))
			return avc;
	}
	return NULL;
}

static inline struct anon_vma_chain *
anon_vma_interval_tree_iter_first(struct rb_root *root, unsigned long first,
				  unsigned long last)
{
	return ksim_avc_iter_from(rb_first(root), first, last);
}

static inline struct anon_vma_chain *
anon_vma_interval_tree_iter_next(struct anon_vma_chain *node,
				 unsigned long first, unsigned long last)
{
	return ksim_avc_iter_from(rb_next(&node->rb), first, last);
}

#define anon_vma_interval_tree_foreach(avc, root, start, last)		 \
	for (avc = anon_vma_interval_tree_iter_first(root, start, last); \
	     avc; avc = anon_vma_interval_tree_iter_next(avc, start, last))

/* ---- the rmap interface ---- */

int anon_vma_prepare(struct vm_area_struct *vma);
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);
struct anon_vma *page_get_anon_vma(struct page *page);
struct anon_vma *page_lock_anon_vma_read(struct page *page);
void page_unlock_anon_vma_read(struct anon_vma *anon_vma);

void page_add_file_rmap(struct page *page);
void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma,
			    unsigned long address);
void page_add_anon_rmap(struct page *page, struct vm_area_struct *vma,
			unsigned long address);
void do_page_add_anon_rmap(struct page *page, struct vm_area_struct *vma,
			   unsigned long address, int exclusive);
void page_remove_rmap(struct page *page);
int page_referenced(struct page *page, int is_locked,
		    struct mem_cgroup *memcg, unsigned long *vm_flags);
int page_referenced_one(struct page *page, struct vm_area_struct *vma,
			unsigned long address, unsigned int *mapcount,
			unsigned long *vm_flags);
int try_to_unmap(struct page *page, enum ttu_flags flags);
int try_to_unmap_one(struct page *page, struct vm_area_struct *vma,
		     unsigned long address, enum ttu_flags flags);
int try_to_munlock(struct page *page);
int rmap_walk(struct page *page, int (*rmap_one)(struct page *,
	      struct vm_area_struct *, unsigned long, void *), void *arg);
pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long address);
unsigned long vma_address(struct page *page, struct vm_area_struct *vma);
bool is_vma_temporary_stack(struct vm_area_struct *vma);

pte_t *__page_check_address(struct page *page, struct mm_struct *mm,
			    unsigned long address, spinlock_t **ptlp, int sync);

/*
 * The pte of page at address in mm, locked, or NULL.  (A macro rather
 * than the kernel's inline wrapper: the ptl it takes is reported at the
 * caller's line.)
 */
#define page_check_address(page, mm, address, ptlp, sync) \
	__page_check_address(page, mm, address, ptlp, sync)

/* migrate area */
struct anon_vma *page_get_anon_vma(struct page *page);
#define page_dup_rmap(page)	atomic_inc(&(page)->_mapcount)
#define hugepage_add_anon_rmap(page, vma, address) \
	do { (void)(page); } while (0)

#endif
