/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: symbol exports mean nothing in one program. */
#include <linux/kernel.h>
