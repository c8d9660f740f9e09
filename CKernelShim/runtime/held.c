// SPDX-License-Identifier: GPL-2.0-only
/*
 * The locks each task holds, most recent last: pushed on acquire, popped
 * on release.  The checks (bad unlock, locks held at exit, lock owner,
 * deadlock cycles) read them.  Used by both the coroutine runtime and the
 * pthread stress runtime.
 */
#include <string.h>

#include "ksim_internal.h"

struct ksim_held *ksim_held_push(struct ksim_task *t, const void *obj, int bit,
				 int cls, const char *file, int line,
				 const char *func)
{
	struct ksim_held *h;

	if (t->nr_held == KSIM_MAX_HELD)
		return NULL;	/* deeper nesting than any kernel path here */
	h = &t->held[t->nr_held++];
	h->obj = obj;
	h->bit = bit;
	h->cls = cls;
	h->ldc = -1;
	h->file = file;
	h->line = line;
	h->func = func;
	return h;
}

int ksim_held_find(const struct ksim_task *t, const void *obj, int bit,
		   int cls)
{
	int i;

	for (i = t->nr_held - 1; i >= 0; i--) {
		const struct ksim_held *h = &t->held[i];

		if (h->obj == obj && h->bit == bit && (!cls || h->cls == cls))
			return i;
	}
	return -1;
}

int ksim_held_pop(struct ksim_task *t, const void *obj, int bit, int cls)
{
	int i = ksim_held_find(t, obj, bit, cls);

	if (i < 0)
		return -1;
	memmove(&t->held[i], &t->held[i + 1],
		(t->nr_held - i - 1) * sizeof(t->held[0]));
	t->nr_held--;
	return 0;
}

/* A task ended holding locks: one finding, naming the last one taken. */
void ksim_held_at_exit(struct ksim_world *w, struct ksim_task *t)
{
	const struct ksim_held *h;

	if (!t->nr_held)
		return;
	h = &t->held[t->nr_held - 1];
	ksim_finding_add(w, KSIM_F_HELD_AT_EXIT, t, h->file, h->line, h->func,
			 "task %s ended holding %d lock(s); last taken: %s at %s:%d",
			 t->name, t->nr_held,
			 ksim_object_name(w, h->obj, h->bit),
			 ksim_short_file(h->file), h->line);
}
