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
#include <linux/radix-tree.h>

#define KSIM_FILE_PAGES		RADIX_TREE_KSIM_SLOTS	/* page cache slots per file */

struct backing_dev_info;
struct inode;
struct writeback_control;
#define AOP_WRITEPAGE_ACTIVATE	0x80000

enum migrate_mode;

struct address_space_operations {
	int (*migratepage)(struct address_space *mapping, struct page *newpage,
			   struct page *page, enum migrate_mode mode);
	void (*freepage)(struct page *page);
	/* page cache area (filemap, truncate, vmscan): never set here */
	void (*invalidatepage)(struct page *page, unsigned int offset,
			       unsigned int length);
	int (*releasepage)(struct page *page, gfp_t gfp);
	void (*is_dirty_writeback)(struct page *page, bool *dirty,
				   bool *writeback);
	int (*launder_page)(struct page *page);
	int (*writepage)(struct page *page, struct writeback_control *wbc);
};

struct address_space {
	struct inode *host;
	spinlock_t tree_lock;
	struct radix_tree_root page_tree;	/* the page cache */
	unsigned long nrpages;
	struct rb_root i_mmap;			/* linear vmas (interval tree) */
	struct list_head i_mmap_nonlinear;	/* VM_NONLINEAR vmas */
	struct mutex i_mmap_mutex;
	const struct address_space_operations *a_ops;
	unsigned long flags;			/* AS_UNEVICTABLE ... */
	unsigned int i_mmap_writable;		/* pgtable area: VM_SHARED vmas */
	struct backing_dev_info *backing_dev_info;
	int ksim_id;
};

/*
 * Page cache area: the inode of a world file.  i_mutex serialises
 * truncation (and the other size changes) as in the kernel.
 */
struct inode {
	struct address_space *i_mapping;
	struct mutex i_mutex;
	long long i_size;
};
#define i_size_read(inode)		((inode)->i_size)
#define i_size_write(inode, size)	((void)((inode)->i_size = (size)))

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
