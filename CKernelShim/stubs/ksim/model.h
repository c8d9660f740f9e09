/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Harness-specific: how a model of kernel state (the mm world, the toy
 * programs) plugs into the runtime.  A model turns spec lines into objects
 * allocated in the world's arena, provides operations that tasks run,
 * drains per-CPU state at the end of a run and checks its invariants.
 *
 * Everything a model allocates lives in the arena; after the spec is
 * built the runtime snapshots the arena and each reset copies it back, so
 * model code must keep no state anywhere else.
 */
#ifndef KSIM_MODEL_H
#define KSIM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "kshim.h"

struct ksim_world;

struct ksim_model {
	const char *name;
	size_t priv_size;		/* model root object, arena-allocated */
	/* One spec line (already split into words).  0 or KSIM_EINVAL. */
	int (*spec_line)(struct ksim_world *w, void *priv, int argc,
			 char **argv, char *err, size_t errlen);
	/* After the last line: cross-checks.  0 or KSIM_EINVAL. */
	int (*spec_end)(struct ksim_world *w, void *priv, char *err,
			size_t errlen);
	/* Runs as an internal task after every task ended (may be NULL). */
	void (*quiesce)(void *priv);
	/* Quiescence invariants; reports findings (may be NULL). */
	void (*check)(struct ksim_world *w, void *priv);
};

struct ksim_opdef {
	const char *name;
	const char *model;		/* model the operation belongs to */
	const char *usage;		/* "reclaim PAGE" */
	const char *summary;
	/* Parse arguments at spec time; *arg may point into the arena. */
	int (*setup)(struct ksim_world *w, void *priv, int argc, char **argv,
		     void **arg, char *err, size_t errlen);
	/* The task body: runs on the task's coroutine stack. */
	void (*run)(void *priv, void *arg);
};

struct ksim_scenario {
	const char *name;
	const char *summary;
	const char *spec;
};

/* Allocation during spec building (zeroed, 16-byte aligned); NULL if full. */
void *ksim_arena_alloc(struct ksim_world *w, size_t size);
/* Scratch memory for building the spec (zeroed, 16-byte aligned): not part
 * of the kernel state, gone when spec_end() returns.  NULL if full. */
void *ksim_arena_scratch(struct ksim_world *w, size_t size);
/* Give an object a name for reports; stable across resets. */
void ksim_name_object(struct ksim_world *w, const void *obj, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));
/* Names for the bits of a flags word: "<base>.<bitname>". */
void ksim_name_bits(struct ksim_world *w, const void *word, const char *base,
		    const char *const *bitnames, int nbits);
/* Name registered for obj (or for bit 'bit' of word obj, bit >= 0). */
const char *ksim_object_name(const struct ksim_world *w, const void *obj,
			     int bit);
/* The model root of a world (what spec_line got as priv). */
void *ksim_model_priv(struct ksim_world *w);

/* Registries (runtime/registry.c lists every model's tables). */
extern const struct ksim_model ksim_model_toy;
extern const struct ksim_opdef ksim_toy_ops[];
extern const struct ksim_scenario ksim_toy_scenarios[];
extern const struct ksim_model ksim_model_mm;
extern const struct ksim_opdef ksim_mm_ops[];
extern const struct ksim_scenario ksim_mm_scenarios[];

#endif /* KSIM_MODEL_H */
