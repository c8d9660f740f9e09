// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lock-set recorder behind `kharness audit`.  With it on, every access
 * a task makes at a scheduling point (page-flag bit operations, atomics
 * and counters, plain shared loads and stores of the toy programs) is
 * noted with the locks the task holds at that moment and whether the page
 * it belongs to is isolated from the LRU by this task.  Accesses are
 * grouped by (field, kernel site, read/write, lock set, isolation, call
 * chain) and counted over every run of the world, like the lockdep
 * dependencies; the first run that reaches each group keeps its choices,
 * so a group can be replayed.  The caller intersects lock sets per field
 * (Eraser's candidate protection) and names the sites that break it.
 *
 * Lock descriptions are relative to the access: a held page lock is
 * "page-lock" when it is the lock of the page the accessed field belongs
 * to, "PG_locked(other page)" otherwise; an rwsem says how it is held.
 * The page of a field is found by name: "f0:1._count" belongs to the page
 * whose flag bits are named "f0:1.PG_*".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksim_internal.h"

#define AUD_SLOTS	4096	/* power of two */
#define AUD_FRAMES	12

struct ksim_audit_owner {
	const char *base;	/* "f0:1" */
	size_t len;
	const unsigned long *flags;
	int lru_bit;
	int isolator;		/* task that took it off the LRU, -1: none */
	uint64_t run;		/* the run isolator is valid for */
};

struct ksim_audit_rec {
	uint64_t hash;		/* 0: empty slot */
	int field;		/* index into fields */
	int write, kind, isolated, task;
	uint64_t locks;		/* bit per lock description */
	const char *file;
	int line;
	const char *func;
	uint64_t count;
	int nr_pc;
	void *pc[AUD_FRAMES];
	uint8_t *prefix;	/* choices of the first run that got here */
	size_t nr_prefix;
	char *chain;		/* symbolized pc[], built when asked */
};

struct ksim_audit {
	int flags;
	int nr_fields;
	const char *fields[KSIM_AUDIT_FIELDS];
	int nr_locks;
	char locks[KSIM_AUDIT_LOCKS][40];
	int nr_owners;
	struct ksim_audit_owner owners[64];
	int nr;			/* records in use */
	int dropped;
	int order[AUD_SLOTS];	/* slot of the i-th record */
	struct ksim_audit_rec tab[AUD_SLOTS];
	char names[4096];	/* field names made up here */
	size_t names_used;
};

/* "f0:1.PG_mlocked" -> "PG_mlocked"; "slot3" -> "slot" (no instance). */
static int field_of(struct ksim_audit *a, const char *name)
{
	const char *dot = strrchr(name, '.');
	char buf[64];
	size_t n = 0;
	int i;

	if (dot)
		name = dot + 1;
	for (; *name && n + 1 < sizeof(buf); name++)
		if (dot || !(*name >= '0' && *name <= '9'))
			buf[n++] = *name;
	buf[n] = '\0';
	for (i = 0; i < a->nr_fields; i++)
		if (!strcmp(a->fields[i], buf))
			return i;
	if (a->nr_fields == KSIM_AUDIT_FIELDS ||
	    a->names_used + n + 1 > sizeof(a->names))
		return -1;
	memcpy(a->names + a->names_used, buf, n + 1);
	a->fields[a->nr_fields] = a->names + a->names_used;
	a->names_used += n + 1;
	return a->nr_fields++;
}

/* Pages: every flags word with a bit named "<base>.PG_lru". */
static void find_owners(struct ksim_world *w, struct ksim_audit *a)
{
	int i;

	for (i = 0; i < KSIM_NAME_SLOTS && a->nr_owners < 64; i++) {
		const struct ksim_name *nm = &w->names[i];
		const char *dot;
		struct ksim_audit_owner *o;

		if (!nm->obj || nm->bit < 0 || !nm->name)
			continue;
		dot = strrchr(nm->name, '.');
		if (!dot || strcmp(dot + 1, "PG_lru"))
			continue;
		o = &a->owners[a->nr_owners++];
		o->base = nm->name;
		o->len = (size_t)(dot - nm->name);
		o->flags = nm->obj;
		o->lru_bit = nm->bit;
		o->isolator = -1;
	}
}

/* The page a named object belongs to, or NULL. */
static struct ksim_audit_owner *owner_of(struct ksim_audit *a,
					 const void *obj, const char *name)
{
	int i;

	for (i = 0; i < a->nr_owners; i++) {
		struct ksim_audit_owner *o = &a->owners[i];

		if (o->flags == obj ||
		    (name && !strncmp(name, o->base, o->len) &&
		     name[o->len] == '.'))
			return o;
	}
	return NULL;
}

static int lock_id(struct ksim_audit *a, const char *desc)
{
	int i;

	for (i = 0; i < a->nr_locks; i++)
		if (!strcmp(a->locks[i], desc))
			return i;
	if (a->nr_locks == KSIM_AUDIT_LOCKS)
		return -1;
	snprintf(a->locks[a->nr_locks], sizeof(a->locks[0]), "%s", desc);
	return a->nr_locks++;
}

/* What the task holds, as lock descriptions relative to `owner`. */
static uint64_t lockset(struct ksim_world *w, struct ksim_audit *a,
			const struct ksim_task *t,
			const struct ksim_audit_owner *owner)
{
	uint64_t set = 0;
	int i;

	for (i = 0; i < t->nr_held; i++) {
		const struct ksim_held *h = &t->held[i];
		char desc[48];
		const char *cls;
		int id, ldc = h->ldc;

		if (ldc < 0)
			ldc = ksim_lockdep_class(w, h->obj, h->bit, h->func);
		cls = ldc >= 0 ? w->ld.cls[ldc] : "unnamed-lock";
		if (h->cls == KSIM_LC_BIT)
			snprintf(desc, sizeof(desc), "%s",
				 owner && h->obj == (const void *)owner->flags ?
				 "page-lock" : "PG_locked(other page)");
		else if (h->cls == KSIM_LC_RWSEM_READ)
			snprintf(desc, sizeof(desc), "%s:read", cls);
		else if (h->cls == KSIM_LC_RWSEM_WRITE)
			snprintf(desc, sizeof(desc), "%s:write", cls);
		else
			snprintf(desc, sizeof(desc), "%s", cls);
		id = lock_id(a, desc);
		if (id >= 0)
			set |= 1ULL << id;
	}
	return set;
}

/* Return addresses of the running task, from its frame pointers. */
static int frames(const struct ksim_task *t, void **pc, int max)
{
	void **fp = __builtin_frame_address(0);
	int n = 0;

	while (n < max && (char *)fp >= t->stack_lo &&
	       (char *)(fp + 2) <= t->stack_hi) {
		void **next = fp[0];

		pc[n++] = fp[1];
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

static int is_access(int kind)
{
	switch (kind) {
	case KSIM_OP_FLAG_TEST: case KSIM_OP_FLAG_SET:
	case KSIM_OP_FLAG_CLEAR: case KSIM_OP_FLAG_TEST_SET:
	case KSIM_OP_FLAG_TEST_CLEAR: case KSIM_OP_ATOMIC_READ:
	case KSIM_OP_ATOMIC_WRITE: case KSIM_OP_ATOMIC_RMW:
	case KSIM_OP_LOAD: case KSIM_OP_STORE:
		return 1;
	}
	return 0;
}

void ksim_audit_note(struct ksim_world *w, struct ksim_task *t)
{
	struct ksim_audit *a = w->audit;
	const struct ksim_pend *p = &t->pend;
	struct ksim_audit_owner *o;
	struct ksim_audit_rec *r;
	const char *name;
	uint64_t h, locks;
	void *pc[AUD_FRAMES];
	int field, isolated = 0, nr_pc, i;
	size_t slot, n;

	if (!is_access(p->kind) || !p->obj)
		return;
	name = ksim_object_name(w, p->obj, p->bit);
	o = owner_of(a, p->obj, name);
	/* taking a page off the LRU, or putting it back (about to happen) */
	if (o && p->obj == (const void *)o->flags && p->bit == o->lru_bit) {
		int on_lru = (int)((*o->flags >> o->lru_bit) & 1);

		if ((p->kind == KSIM_OP_FLAG_CLEAR ||
		     p->kind == KSIM_OP_FLAG_TEST_CLEAR) && on_lru) {
			o->isolator = t->id;
			o->run = w->runs;
		} else if (p->kind == KSIM_OP_FLAG_SET ||
			   p->kind == KSIM_OP_FLAG_TEST_SET) {
			o->isolator = -1;
		}
	}
	if (o && o->isolator == t->id && o->run == w->runs &&
	    !((*o->flags >> o->lru_bit) & 1))
		isolated = 1;
	field = field_of(a, name);
	if (field < 0) {
		a->dropped++;
		return;
	}
	locks = lockset(w, a, t, o);
	nr_pc = frames(t, pc, AUD_FRAMES);
	h = 1469598103934665603ULL;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ULL)
	MIX(field); MIX(p->write); MIX(p->kind); MIX(isolated); MIX(locks);
	MIX((uintptr_t)p->file); MIX(p->line); MIX(t->op ? (uintptr_t)t->op : 0);
	for (i = 0; i < nr_pc; i++)
		MIX((uintptr_t)pc[i]);
#undef MIX
	if (!h)
		h = 1;
	slot = (size_t)h & (AUD_SLOTS - 1);
	for (n = 0; n < AUD_SLOTS; n++, slot = (slot + 1) & (AUD_SLOTS - 1)) {
		r = &a->tab[slot];
		if (r->hash == h) {
			r->count++;
			/* keep the smallest run that gets here (shortest, then
			 * by choices): the same whichever worlds saw it first */
			if (r->prefix && (w->nr_choices < r->nr_prefix ||
			    (w->nr_choices == r->nr_prefix &&
			     memcmp(w->choices, r->prefix, r->nr_prefix) < 0))) {
				uint8_t *np = malloc(w->nr_choices ? w->nr_choices : 1);

				if (np) {
					memcpy(np, w->choices, w->nr_choices);
					free(r->prefix);
					r->prefix = np;
					r->nr_prefix = w->nr_choices;
				}
			}
			return;
		}
		if (!r->hash)
			break;
	}
	if (n == AUD_SLOTS || a->nr >= AUD_SLOTS * 3 / 4) {
		a->dropped++;
		return;
	}
	r->hash = h;
	r->field = field;
	r->write = p->write;
	r->kind = p->kind;
	r->isolated = isolated;
	r->task = t->id;
	r->locks = locks;
	r->file = p->file;
	r->line = p->line;
	r->func = p->func;
	r->count = 1;
	r->nr_pc = nr_pc;
	memcpy(r->pc, pc, sizeof(pc[0]) * (size_t)nr_pc);
	r->prefix = malloc(w->nr_choices ? w->nr_choices : 1);
	if (r->prefix) {
		memcpy(r->prefix, w->choices, w->nr_choices);
		r->nr_prefix = w->nr_choices;
	}
	a->order[a->nr++] = (int)slot;
}

static void audit_free(struct ksim_audit *a)
{
	int i;

	if (!a)
		return;
	for (i = 0; i < a->nr; i++) {
		free(a->tab[a->order[i]].prefix);
		free(a->tab[a->order[i]].chain);
	}
	free(a);
}

int ksim_audit_enable(struct ksim_world *w, int flags)
{
	if (!w)
		return KSIM_EINVAL;
	if (flags & ~(KSIM_AUDIT_ON | KSIM_AUDIT_BUG_GOES_ON)) {
		snprintf(w->err, sizeof(w->err), "bad audit flags %#x", flags);
		return KSIM_EINVAL;
	}
	audit_free(w->audit);
	w->audit = NULL;
	if (!(flags & KSIM_AUDIT_ON))
		return 0;
	w->audit = calloc(1, sizeof(*w->audit));
	if (!w->audit) {
		snprintf(w->err, sizeof(w->err), "out of memory");
		return KSIM_ENOMEM;
	}
	w->audit->flags = flags;
	find_owners(w, w->audit);
	return 0;
}

void ksim_audit_destroy(struct ksim_world *w)
{
	audit_free(w->audit);
	w->audit = NULL;
}

int ksim_audit_bug_goes_on(const struct ksim_world *w)
{
	return w->audit && (w->audit->flags & KSIM_AUDIT_BUG_GOES_ON);
}

int ksim_audit_count(const struct ksim_world *w)
{
	return w && w->audit ? w->audit->nr : 0;
}

int ksim_audit_dropped(const struct ksim_world *w)
{
	return w && w->audit ? w->audit->dropped : 0;
}

int ksim_audit_get(struct ksim_world *w, int i, struct ksim_audit_site *s)
{
	struct ksim_audit *a = w ? w->audit : NULL;
	struct ksim_audit_rec *r;
	size_t used = 0;
	int k, j;

	if (!a || !s || i < 0 || i >= a->nr)
		return KSIM_EINVAL;
	r = &a->tab[a->order[i]];
	if (!r->chain) {
		/* "mlock_vma_page < try_to_unmap_cluster < ...": the kernel
		 * functions of the chain, the runtime's own frames left out */
		r->chain = malloc(512);
		if (r->chain) {
			r->chain[0] = '\0';
			for (k = 0; k < r->nr_pc; k++) {
				const char *nm = ksim_sym_name(w, r->pc[k]);
				char fn[80];

				for (j = 0; nm[j] && nm[j] != '+' && j + 1 < (int)sizeof(fn); j++)
					fn[j] = nm[j];
				fn[j] = '\0';
				if (!strcmp(fn, "ksim_task_main") || !strcmp(fn, "ksim_coro_start"))
					break;
				if (!strncmp(fn, "ksim_", 5) || !strncmp(fn, "op_", 3) ||
				    !strncmp(fn, "0x", 2) || !fn[0])
					continue;
				used += (size_t)snprintf(r->chain + used, used < 512 ? 512 - used : 0,
							 "%s%s", used ? " < " : "", fn);
				if (used >= 511)
					break;
			}
		}
	}
	memset(s, 0, sizeof(*s));
	s->field = a->fields[r->field];
	s->file = ksim_short_file(r->file);
	s->line = r->line;
	s->function = r->func;
	s->kind = r->kind;
	s->write = r->write;
	s->isolated = r->isolated;
	s->task = r->task;
	s->locks = r->locks;
	s->count = r->count;
	s->chain = r->chain ? r->chain : "";
	s->prefix = r->prefix;
	s->nr_prefix = r->nr_prefix;
	return 0;
}

const char *ksim_audit_lock_name(const struct ksim_world *w, int bit)
{
	if (!w || !w->audit || bit < 0 || bit >= w->audit->nr_locks)
		return NULL;
	return w->audit->locks[bit];
}
