/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: the usual kernel.h helpers (duplicated from the kernel). */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#include "ksim/kernel.h"
#include <linux/compiler.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kconfig.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define ALIGN(x, a)		(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define BITS_PER_LONG		(__SIZEOF_LONG__ * 8)
#define printk(...)		do { } while (0)
#define pr_info(...)		do { } while (0)
#define pr_warn(...)		do { } while (0)
#define pr_err(...)		do { } while (0)
#define KERN_ALERT		""
#define KERN_WARNING		""

/* page cache area */
#ifndef round_up
#define __round_mask(x, y)	((__typeof__(x))((y) - 1))
#define round_up(x, y)		((((x) - 1) | __round_mask(x, y)) + 1)
#define round_down(x, y)	((x) & ~__round_mask(x, y))
#endif

/* page cache area: taints and the stack dump of a bad page report */
#define TAINT_BAD_PAGE		5
enum lockdep_ok {
	LOCKDEP_STILL_OK,
	LOCKDEP_NOW_UNRELIABLE
};
void ksim_add_taint(unsigned flag, enum lockdep_ok lockdep_ok, KSIM_LOC);
#define add_taint(flag, lockdep_ok) ksim_add_taint((flag), (lockdep_ok), KSIM_HERE)
#define dump_stack()		do { } while (0)

typedef unsigned long pgoff_t;
typedef unsigned int gfp_t;
typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;
typedef int64_t s64;
typedef int32_t s32;

#endif
