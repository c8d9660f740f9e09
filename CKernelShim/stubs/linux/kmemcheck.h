/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: kmemcheck is off. */
#ifndef LINUX_KMEMCHECK_H
#define LINUX_KMEMCHECK_H

#define kmemcheck_free_shadow(page, order)	do { } while (0)
#define kmemcheck_alloc_shadow(page, order, flags, node) do { } while (0)

#endif
