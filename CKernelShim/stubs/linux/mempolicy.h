/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: NUMA memory policies are out of scope: every vma has none. */
#ifndef _LINUX_MEMPOLICY_H
#define _LINUX_MEMPOLICY_H

#include <linux/kernel.h>

struct mempolicy;

#define vma_policy(vma)		((void)(vma), (struct mempolicy *)NULL)
#define mpol_equal(a, b)	((void)(a), (void)(b), true)
#define mpol_put(pol)		do { (void)(pol); } while (0)	/* pgtable area */

#endif
