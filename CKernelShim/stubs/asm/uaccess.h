/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: user memory.  Worlds have no user data: every copy "succeeds". */
#ifndef _ASM_UACCESS_H
#define _ASM_UACCESS_H

#include <linux/compiler.h>

#define __copy_from_user_inatomic(to, from, n) \
	((void)(to), (void)(from), (void)(n), 0UL)

#endif
