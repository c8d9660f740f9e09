/* SPDX-License-Identifier: GPL-2.0-only */
/* Stub: the object and lock debugging checks of freed memory are off. */
#ifndef _LINUX_DEBUGOBJECTS_H
#define _LINUX_DEBUGOBJECTS_H

#define debug_check_no_obj_freed(addr, size)	do { } while (0)
#ifndef debug_check_no_locks_freed
#define debug_check_no_locks_freed(addr, size)	do { } while (0)
#endif

#endif
