/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness-specific prelude of every stub header.  Kernel code compiled
 * against the stubs keeps one real stack frame per kernel function (no
 * inlining, no tail calls), so that BUG reports can show the kernel call
 * chain even in optimized builds.
 */
#ifndef KSIM_KERNEL_H
#define KSIM_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "ksim/types.h"
#include "ksim/runtime.h"

#if defined(__clang__)
#pragma clang optimize off
#elif defined(__GNUC__)
#pragma GCC optimize ("no-inline", "no-optimize-sibling-calls")
#endif

#endif /* KSIM_KERNEL_H */
