/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: files and their page cache.  The radix tree is a plain array
 * indexed by page offset, protected by tree_lock as in the kernel.
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include "ksim/kernel.h"
#include <linux/kernel.h>
#include <linux/mm_types.h>
#include <linux/rbtree.h>

#define KSIM_FILE_PAGES		16	/* page cache slots per file */

enum migrate_mode;

struct address_space_operations {
	int (*migratepage)(struct address_space *mapping, struct page *newpage,
			   struct page *page, enum migrate_mode mode);
	void (*freepage)(struct page *page);
};

struct address_space {
	void *host;
	spinlock_t tree_lock;
	struct page *ksim_pages[KSIM_FILE_PAGES];	/* page_tree stand-in */
	unsigned long nrpages;
	struct rb_root i_mmap;			/* linear vmas (interval tree) */
	struct list_head i_mmap_nonlinear;	/* VM_NONLINEAR vmas */
	struct mutex i_mmap_mutex;
	const struct address_space_operations *a_ops;
	unsigned long flags;			/* AS_UNEVICTABLE ... */
	unsigned int i_mmap_writable;		/* pgtable area: VM_SHARED vmas */
	int ksim_id;
};

struct file {
	struct address_space *f_mapping;
	/*
	 * pgtable area: the inode counts mmap() cares about (deny-write
	 * mappings).  No VM_DENYWRITE vma exists in a world.
	 */
	struct {
		atomic_t i_writecount;
	} ksim_inode;
};
#define file_inode(f)	(&(f)->ksim_inode)

/* Files outlive every world object that points at them: no refcount. */
static inline struct file *get_file(struct file *f)
{
	return f;
}
#define fput(file)	do { (void)(file); } while (0)

#include <sys/types.h>	/* loff_t, as glibc defines it */

#endif
