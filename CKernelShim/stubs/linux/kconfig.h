/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: the kernel configuration the modelled code is built with, and
 * IS_ENABLED() over it.  The set must match the one the --kernel
 * substitution uses to choose between #ifdef'd definitions of a
 * function: SMP, MMU, MIGRATION, DEBUG_VM and SWAP are on; THP, KSM,
 * hugetlb, memcg, NUMA, memory failure and soft-dirty are off.
 */
#ifndef _LINUX_KCONFIG_H
#define _LINUX_KCONFIG_H

#define CONFIG_SMP		1
#define CONFIG_MMU		1
#define CONFIG_MIGRATION	1
#define CONFIG_DEBUG_VM		1
#define CONFIG_SWAP		1

/*
 * IS_ENABLED(CONFIG_X): 1 when CONFIG_X is defined as 1, 0 when it is
 * not defined at all.  The placeholder macro turns "1" into an extra
 * leading argument, so picking the second argument yields 1 or 0.
 */
#define __KSIM_CFG_PLACEHOLDER_1		0,
#define __ksim_cfg_second(ignored, val, ...)	val
#define __ksim_cfg_pick(arg_or_junk)	__ksim_cfg_second(arg_or_junk 1, 0, 0)
#define __ksim_cfg_paste(val)		__ksim_cfg_pick(__KSIM_CFG_PLACEHOLDER_##val)
#define __ksim_cfg_defined(x)		__ksim_cfg_paste(x)
#define IS_ENABLED(option)		__ksim_cfg_defined(option)
#define IS_BUILTIN(option)		__ksim_cfg_defined(option)

#endif
