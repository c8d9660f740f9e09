/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stub: SYSCALL_DEFINEn(name, type1, arg1, ...) defines
 * long sys_name(type1 arg1, ...), as the kernel's macro does (without
 * the argument-widening wrappers, which change nothing here).
 */
#ifndef _LINUX_SYSCALLS_H
#define _LINUX_SYSCALLS_H

#include "ksim/kernel.h"

#define __KSIM_SC_MAP0(m, ...)
#define __KSIM_SC_MAP1(m, t, a) m(t, a)
#define __KSIM_SC_MAP2(m, t, a, ...) m(t, a), __KSIM_SC_MAP1(m, __VA_ARGS__)
#define __KSIM_SC_MAP3(m, t, a, ...) m(t, a), __KSIM_SC_MAP2(m, __VA_ARGS__)
#define __KSIM_SC_MAP4(m, t, a, ...) m(t, a), __KSIM_SC_MAP3(m, __VA_ARGS__)
#define __KSIM_SC_MAP5(m, t, a, ...) m(t, a), __KSIM_SC_MAP4(m, __VA_ARGS__)
#define __KSIM_SC_MAP6(m, t, a, ...) m(t, a), __KSIM_SC_MAP5(m, __VA_ARGS__)
#define __KSIM_SC_MAP(n, ...)	__KSIM_SC_MAP##n(__VA_ARGS__)
#define __KSIM_SC_DECL(t, a)	t a

#define SYSCALL_DEFINE0(name)	long sys_##name(void)
#define __KSIM_SYSCALL_DEFINEx(n, name, ...) \
	long sys_##name(__KSIM_SC_MAP(n, __KSIM_SC_DECL, __VA_ARGS__))
#define SYSCALL_DEFINE1(name, ...) __KSIM_SYSCALL_DEFINEx(1, name, __VA_ARGS__)
#define SYSCALL_DEFINE2(name, ...) __KSIM_SYSCALL_DEFINEx(2, name, __VA_ARGS__)
#define SYSCALL_DEFINE3(name, ...) __KSIM_SYSCALL_DEFINEx(3, name, __VA_ARGS__)
#define SYSCALL_DEFINE4(name, ...) __KSIM_SYSCALL_DEFINEx(4, name, __VA_ARGS__)
#define SYSCALL_DEFINE5(name, ...) __KSIM_SYSCALL_DEFINEx(5, name, __VA_ARGS__)
#define SYSCALL_DEFINE6(name, ...) __KSIM_SYSCALL_DEFINEx(6, name, __VA_ARGS__)

#endif
