/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: 64-bit division is native here. */
#ifndef _ASM_DIV64_H
#define _ASM_DIV64_H

#define do_div(n, base) ({ unsigned int __rem = (n) % (base); (n) /= (base); __rem; })

#endif
