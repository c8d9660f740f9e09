/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness-specific: the types the kernel primitives operate on.  Shared by
 * the stub headers (kernel side) and the runtime (driver side).  Each lock
 * keeps its state in plain fields; the runtime changes them only when the
 * driver has chosen the task whose pending operation they belong to.
 */
#ifndef KSIM_TYPES_H
#define KSIM_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct spinlock {
	int owner;		/* task index + 1, 0 when free */
} spinlock_t;

struct mutex {
	int owner;		/* task index + 1, 0 when free */
};

struct rw_semaphore {
	int readers;		/* read holds (a task may hold it twice) */
	int writer;		/* task index + 1, 0 when no writer */
	int waiters;		/* writers queued behind the holders */
};

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	long counter;
} atomic_long_t;

/* Where a primitive was called from: kernel file, line and function. */
#define KSIM_HERE	__FILE__, __LINE__, __func__
#define KSIM_LOC	const char *file, int line, const char *func

#endif /* KSIM_TYPES_H */
