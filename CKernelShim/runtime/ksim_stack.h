/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Task stacks as naturally aligned blocks with an owner header, so that a
 * crash handler can tell from a faulting stack pointer which build of the
 * shim runs the task (coro.c allocates them, crash.c reads them).
 */
#ifndef KSIM_STACK_H
#define KSIM_STACK_H

#include <stdint.h>

/* power of two, larger than the guard page plus KSIM_STACK_SIZE */
#define KSIM_STACK_ALIGN	(512 * 1024)
#define KSIM_STACK_MAGIC	0x6b73696d5354414bULL	/* "ksimSTAK" */

struct ksim_stack_hdr {
	uint64_t magic;
	void *handler;		/* the owning build's crash handler */
	uint64_t pad[2];	/* keeps the stack top 16-byte aligned */
};

/* This build's crash handler (NULL when built without the guard). */
void *ksim_crash_handler_addr(void);

#endif /* KSIM_STACK_H */
