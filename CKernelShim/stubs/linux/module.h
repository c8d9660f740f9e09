/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: no modules are loaded. */
#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H

#include <linux/export.h>

#define print_modules()		do { } while (0)

#endif
