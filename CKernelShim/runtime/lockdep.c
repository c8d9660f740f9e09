// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lock-class dependencies, as lockdep gathers them: when a task takes a
 * lock with a blocking primitive while holding others, each held lock's
 * class gains an edge to the new lock's class.  Trylocks add no edge into
 * the lock they take (they cannot wait), as in lockdep, but what is taken
 * while holding a trylocked lock depends on it like anything else.  The
 * edges outlive runs and resets, so an exploration gathers them over all
 * its schedules; the driver reads them and looks for cycles, which are
 * possible deadlocks even when no explored schedule deadlocked.
 *
 * Unlike the kernel's lockdep, the page lock (PG_locked) is a class too:
 * the review of a page-locking patch is about its order against the others.
 */
#include <string.h>

#include "ksim_internal.h"

/* Index of the class `name`, added when new; -1 when full. */
static int intern(struct ksim_world *w, const char *name)
{
	struct ksim_lockdep *ld = &w->ld;
	int i;

	for (i = 0; i < ld->nr_classes; i++)
		if (ld->cls[i] == name || !strcmp(ld->cls[i], name))
			return i;
	if (ld->nr_classes == KSIM_LD_CLASSES)
		return -1;
	ld->cls[ld->nr_classes] = name;
	return ld->nr_classes++;
}

/* A field name that says nothing of which lock it is. */
static int generic(const char *field)
{
	static const char *const words[] = { "lock", "mutex", "sem", "rwsem",
					     "spinlock", "wait_lock" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(field, words[i]))
			return 1;
	return 0;
}

/*
 * "anon_vma0.rwsem" -> "anon_vma.rwsem": the whole name without the
 * instance numbers, kept in the world for as long as the class lives
 * (NULL when there is no room left).
 */
static const char *instance_free(struct ksim_world *w, const char *name)
{
	struct ksim_lockdep *ld = &w->ld;
	char *out = ld->names + ld->names_used;
	size_t room = sizeof(ld->names) - ld->names_used, n = 0;
	int i;

	for (; *name && n + 1 < room; name++)
		if (!(*name >= '0' && *name <= '9') && *name != ':')
			out[n++] = *name;
	if (n + 1 >= room)
		return NULL;
	out[n] = '\0';
	for (i = 0; i < ld->nr_classes; i++)
		if (!strcmp(ld->cls[i], out))
			return ld->cls[i];	/* known already: reuse */
	ld->names_used += n + 1;
	return out;
}

/*
 * The class of a lock: its name after the last '.', "mm0.mmap_sem" ->
 * "mmap_sem", or for a field name as plain as "lock" the whole name
 * without instance numbers ("zone.lock", "anon_vma.rwsem").  A lock the world did not name gets a class per function
 * that takes it (no false cycle through unrelated unnamed locks).
 */
int ksim_lockdep_class(struct ksim_world *w, const void *obj, int bit,
		       const char *func)
{
	struct ksim_name *s = ksim_name_find(w, obj, bit);
	const char *dot;

	if (s && s->ldc)
		return s->ldc - 1;
	if (s) {
		dot = strrchr(s->name, '.');
		dot = dot ? dot + 1 : s->name;
		if (generic(dot))
			dot = instance_free(w, s->name);
		s->ldc = dot ? intern(w, dot) + 1 : 0;
		return s->ldc - 1;
	}
	return func ? intern(w, func) : -1;
}

void ksim_lockdep_acquire(struct ksim_world *w, struct ksim_task *t,
			  const void *obj, int bit, int read, const char *file,
			  int line, const char *func)
{
	struct ksim_lockdep *ld = &w->ld;
	int to = ksim_lockdep_class(w, obj, bit, func);
	int i;

	if (to < 0)
		return;
	for (i = 0; i < t->nr_held; i++) {
		const struct ksim_held *h = &t->held[i];
		struct ksim_ld_edge *e;

		if (h->ldc < 0 || h->ldc == to)
			continue;	/* nesting within a class: not an order */
		if (ld->adj[h->ldc] & (1ull << to))
			continue;
		if (ld->nr_edges == KSIM_LD_EDGES) {
			ld->dropped++;
			continue;
		}
		ld->adj[h->ldc] |= 1ull << to;
		e = &ld->edges[ld->nr_edges++];
		e->from = (uint8_t)h->ldc;
		e->to = (uint8_t)to;
		e->from_read = h->cls == KSIM_LC_RWSEM_READ;
		e->to_read = (uint8_t)read;
		e->held.file = h->file;
		e->held.line = h->line;
		e->held.func = h->func;
		e->taken.file = file;
		e->taken.line = line;
		e->taken.func = func;
		e->task = t->name;
	}
}

int ksim_lockdep_count(const struct ksim_world *w)
{
	return w ? w->ld.nr_edges : 0;
}

int ksim_lockdep_get(const struct ksim_world *w, int i,
		     struct ksim_lock_dep *out)
{
	const struct ksim_ld_edge *e;
	static const char *const empty = "";

	if (!w || !out || i < 0 || i >= w->ld.nr_edges)
		return KSIM_EINVAL;
	e = &w->ld.edges[i];
	memset(out, 0, sizeof(*out));
	out->from_class = w->ld.cls[e->from];	/* NUL-terminated suffixes */
	out->to_class = w->ld.cls[e->to];
	out->from_read = e->from_read;
	out->to_read = e->to_read;
	out->held_file = e->held.file ? ksim_short_file(e->held.file) : empty;
	out->held_line = e->held.line;
	out->held_function = e->held.func ? e->held.func : empty;
	out->taken_file = e->taken.file ? ksim_short_file(e->taken.file) : empty;
	out->taken_line = e->taken.line;
	out->taken_function = e->taken.func ? e->taken.func : empty;
	out->task_name = e->task ? e->task : empty;
	return 0;
}

void ksim_lockdep_clear(struct ksim_world *w)
{
	if (!w)
		return;
	memset(w->ld.adj, 0, sizeof(w->ld.adj));
	w->ld.nr_edges = 0;
	w->ld.dropped = 0;
}
