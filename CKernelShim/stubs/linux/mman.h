/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: nothing from this header is used by the modelled code. */
#include <linux/kernel.h>
