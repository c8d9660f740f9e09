/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: TLB flushes do nothing in a simulated machine. */
#include <asm/pgtable.h>
