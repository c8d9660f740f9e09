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
#include <stddef.h>
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

/* A site; its hash and count live in the slot index (struct ksim_audit). */
struct ksim_audit_rec {
	int field;		/* index into fields */
	int write, kind, isolated, task, marked;
	uint64_t locks;		/* bit per lock description */
	const char *file;
	int line;
	const char *func;
	int nr_pc;
	void *pc[AUD_FRAMES];
	uint8_t *prefix;	/* choices of the first run that got here */
	size_t nr_prefix;
	char *chain;		/* symbolized pc[], built when asked */
	const void *site;	/* its innermost kernel frame's return address */
};

/*
 * Happens-before, per run: a vector clock per task, one per lock (joined
 * on release, taken on acquire) and, for each plain location, its last
 * write and each task's last read.  Value-returning atomics and
 * test-and-set bit operations are full barriers in the kernel: they
 * acquire and release their word.
 */
#define AUD_T		(KSIM_MAX_TASKS + 1)
#define AUD_CLOCKS	256	/* locks, atomic words and messages per run */
/*
 * Keys of the other clocks an object may have besides its lock clock:
 * what the readers of an rwsem released (only a writer takes it), and
 * the fence clock the last relaxed/marked write to it carried.
 */
#define AUD_READERS	0x10000
#define AUD_MESSAGE	0x20000
#define AUD_LOCS	64	/* plain locations per run */
#define AUD_RACES	64

struct aud_side {
	const char *file;
	int line;
	const char *func;
	int task;
	int write;
	int marked;		/* 1: READ_ONCE and co, 2: data_race() */
	int sized;		/* value holds the location's bytes */
	uint64_t value;		/* before the access (what a read reads) */
	int nr_pc;
	void *pc[AUD_FRAMES];
};

struct aud_clock {
	const void *obj;
	int bit;
	uint64_t run;
	uint32_t vc[AUD_T];
};

struct aud_loc {
	const void *obj;
	uint64_t run;
	int field;
	int has_write;
	uint32_t w_clk;
	struct aud_side w;
	uint32_t r_clk[AUD_T];	/* 0: no read since the last write */
	struct aud_side r[AUD_T];
};

struct aud_race {
	uint64_t hash;
	int field;
	struct aud_side a, b;	/* a: earlier, b: the access that raced it */
	uint64_t count;
	uint8_t *prefix;
	size_t nr_prefix;
	char *chain_a, *chain_b;
};

/*
 * Caches of the per-access lookups (each a linear search or a snprintf):
 * what a field name stands for, and the description id of a held lock.
 * A name is keyed by its pointer: a renamed object gets a new string.
 */
#define AUD_NAME_CACHE	1024	/* power of two */
#define AUD_LOCK_CACHE	256	/* power of two */

struct aud_name_slot {
	const char *name;
	int field;
	int owner;		/* index into owners, -1: no page */
};

struct aud_lock_slot {
	const void *obj;
	int bit, cls, rel;	/* rel: 0 no page, 1 own page, 2 other page */
	int id;			/* lock description, -1: none (table full) */
	int valid;
};

struct ksim_audit {
	int flags;
	struct aud_name_slot name_cache[AUD_NAME_CACHE];
	struct aud_lock_slot lock_cache[AUD_LOCK_CACHE];
	/* happens-before state of the current run */
	uint64_t hb_run;
	int nt;			/* the run's tasks, the quiesce task included */
	uint32_t vc[AUD_T][AUD_T];
	int nr_joined[AUD_T];
	/*
	 * Fences, as in C11/LKMM: frel[t] is what task t had done at its
	 * last release fence (smp_wmb, smp_mb); a relaxed or marked write
	 * carries it to its location; a relaxed or marked read adds the
	 * location's to facq[t], which t's next acquire fence (smp_rmb,
	 * smp_mb) joins into its clock.
	 */
	uint32_t frel[AUD_T][AUD_T];
	uint32_t facq[AUD_T][AUD_T];
	const void *joined_obj[AUD_T][KSIM_MAX_HELD];
	int joined_bit[AUD_T][KSIM_MAX_HELD];
	struct aud_clock clocks[AUD_CLOCKS];
	struct aud_loc locs[AUD_LOCS];
	int nr_races;
	int races_dropped;
	struct aud_race races[AUD_RACES];
	int nr_fields;
	const char *fields[KSIM_AUDIT_FIELDS];
	int nr_locks;
	char locks[KSIM_AUDIT_LOCKS][40];
	int nr_owners;
	struct ksim_audit_owner owners[64];
	int nr;			/* records in use */
	int dropped;
	int order[AUD_SLOTS];	/* slot of the i-th record */
	/*
	 * The hot part of each slot, apart from the records (which are too
	 * big to probe without a cache miss per access): its hash, count and
	 * the length of its kept run.
	 */
	uint64_t slot_hash[AUD_SLOTS];
	uint64_t slot_count[AUD_SLOTS];
	size_t slot_run[AUD_SLOTS];
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
		int rel = h->cls != KSIM_LC_BIT ? 0 : !owner ? 0 :
			  h->obj == (const void *)owner->flags ? 1 : 2;
		struct aud_lock_slot *c = &a->lock_cache[
			((((uintptr_t)h->obj >> 3) * 31u + (unsigned)(h->bit + 1) * 7u +
			  (unsigned)h->cls * 3u + (unsigned)rel) & (AUD_LOCK_CACHE - 1))];

		if (c->valid && c->obj == h->obj && c->bit == h->bit &&
		    c->cls == h->cls && c->rel == rel) {
			if (c->id >= 0)
				set |= 1ULL << c->id;
			continue;
		}
		if (ldc < 0)
			ldc = ksim_lockdep_class(w, h->obj, h->bit, h->func);
		cls = ldc >= 0 ? w->ld.cls[ldc] : "unnamed-lock";
		if (h->cls == KSIM_LC_BIT)
			/* relative to the field's page; a field of no page
			 * (vm_flags, a counter) just sees a page lock */
			snprintf(desc, sizeof(desc), "%s",
				 !owner ? "PG_locked" :
				 h->obj == (const void *)owner->flags ?
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
		/* a lock's class name can change on its first use (the
		 * model's static mutexes): only a named class is kept */
		if (ldc >= 0) {
			c->obj = h->obj;
			c->bit = h->bit;
			c->cls = h->cls;
			c->rel = rel;
			c->id = id;
			c->valid = 1;
		}
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

/*
 * Keep the smallest run that gets here (shortest, then by its choices):
 * the same whichever worlds and threads saw it first.
 */
static int keep_smallest_run(const struct ksim_world *w, uint8_t **prefix,
			     size_t *nr)
{
	uint8_t *np;

	if (!*prefix || w->nr_choices > *nr ||
	    (w->nr_choices == *nr && memcmp(w->choices, *prefix, *nr) >= 0))
		return 0;
	np = malloc(w->nr_choices ? w->nr_choices : 1);
	if (!np)
		return 0;
	memcpy(np, w->choices, w->nr_choices);
	free(*prefix);
	*prefix = np;
	*nr = w->nr_choices;
	return 1;
}

static struct aud_clock *clock_of(struct ksim_world *w, struct ksim_audit *a,
				  const void *obj, int bit)
{
	size_t i = (((uintptr_t)obj >> 3) ^ (unsigned)(bit + 1) * 31u) & (AUD_CLOCKS - 1), n;

	for (n = 0; n < AUD_CLOCKS; n++, i = (i + 1) & (AUD_CLOCKS - 1)) {
		struct aud_clock *c = &a->clocks[i];

		if (c->run != w->runs || !c->obj) {
			memset(c, 0, sizeof(*c));
			c->obj = obj;
			c->bit = bit;
			c->run = w->runs;
			return c;
		}
		if (c->obj == obj && c->bit == bit)
			return c;
	}
	return NULL;	/* full: no edge (may report a race too many) */
}

static void join(const struct ksim_audit *a, uint32_t *dst, const uint32_t *src)
{
	int i;

	for (i = 0; i < a->nt; i++)
		if (src[i] > dst[i])
			dst[i] = src[i];
}

static void acquire(struct ksim_world *w, struct ksim_audit *a, int t,
		    const void *obj, int bit)
{
	struct aud_clock *c = clock_of(w, a, obj, bit);

	if (c)
		join(a, a->vc[t], c->vc);
}

/*
 * A relaxed or marked access to (obj, bit) passes fence clocks along: a
 * write leaves its task's release-fence clock there (an RMW adds it to
 * what is there, continuing the release sequence), a read picks it up
 * for its task's next acquire fence.
 */
static void message(struct ksim_world *w, struct ksim_audit *a, int t,
		    const void *obj, int bit, int read, int write)
{
	struct aud_clock *c = clock_of(w, a, obj, bit + AUD_MESSAGE);

	if (!c)
		return;
	if (read)
		join(a, a->facq[t], c->vc);
	if (write && read)
		join(a, c->vc, a->frel[t]);
	else if (write)
		memcpy(c->vc, a->frel[t], sizeof(c->vc));
}

static void release(struct ksim_world *w, struct ksim_audit *a, int t,
		    const void *obj, int bit)
{
	struct aud_clock *c = clock_of(w, a, obj, bit);
	int i;

	if (c)
		for (i = 0; i < a->nt; i++)
			if (a->vc[t][i] > c->vc[i])
				c->vc[i] = a->vc[t][i];
	a->vc[t][t]++;
}

static int is_unlock(int kind)
{
	return kind == KSIM_OP_SPIN_UNLOCK || kind == KSIM_OP_MUTEX_UNLOCK ||
	       kind == KSIM_OP_UP_READ || kind == KSIM_OP_UP_WRITE ||
	       kind == KSIM_OP_UNLOCK_PAGE;
}

static void hb_start_run(struct ksim_world *w, struct ksim_audit *a)
{
	int i;

	memset(a->vc, 0, sizeof(a->vc));
	memset(a->frel, 0, sizeof(a->frel));
	memset(a->facq, 0, sizeof(a->facq));
	memset(a->nr_joined, 0, sizeof(a->nr_joined));
	a->nt = w->nr_tasks + 1;
	for (i = 0; i < AUD_T; i++)
		a->vc[i][i] = 1;
	a->hb_run = w->runs;
}

/* Locks the task took since its last scheduling point: acquire them. */
static void hb_catch_up(struct ksim_world *w, struct ksim_audit *a,
			const struct ksim_task *t)
{
	int id = t->id, i, j, n = 0;

	for (i = 0; i < t->nr_held; i++) {
		const struct ksim_held *h = &t->held[i];
		int known = 0;

		for (j = 0; j < a->nr_joined[id]; j++)
			if (a->joined_obj[id][j] == h->obj && a->joined_bit[id][j] == h->bit)
				known = 1;
		if (known)
			continue;
		acquire(w, a, id, h->obj, h->bit);
		/* a writer comes after every reader that left, too */
		if (h->cls == KSIM_LC_RWSEM_WRITE)
			acquire(w, a, id, h->obj, h->bit + AUD_READERS);
	}
	for (i = 0; i < t->nr_held && n < KSIM_MAX_HELD; i++, n++) {
		a->joined_obj[id][n] = t->held[i].obj;
		a->joined_bit[id][n] = t->held[i].bit;
	}
	a->nr_joined[id] = n;
}

static void side_of(struct aud_side *s, const struct ksim_pend *p,
		    const struct ksim_task *t, void *const *pc, int nr_pc)
{
	s->file = p->file;
	s->line = p->line;
	s->func = p->func;
	s->task = t->id;
	s->write = p->write;
	s->nr_pc = nr_pc;
	memcpy(s->pc, pc, sizeof(pc[0]) * (size_t)nr_pc);
}

static void race_add(struct ksim_world *w, struct ksim_audit *a, int field,
		     const struct aud_side *prev, const struct aud_side *now)
{
	uint64_t h = 1469598103934665603ULL;
	int i;

#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ULL)
	MIX(field); MIX((uintptr_t)prev->file); MIX(prev->line); MIX(prev->write);
	MIX((uintptr_t)now->file); MIX(now->line); MIX(now->write);
	/* a plain access has no line of its own: its caller tells it apart */
	if (!prev->line && prev->nr_pc > 1)
		MIX((uintptr_t)prev->pc[1]);
	if (!now->line && now->nr_pc > 1)
		MIX((uintptr_t)now->pc[1]);
#undef MIX
	for (i = 0; i < a->nr_races; i++) {
		struct aud_race *r = &a->races[i];

		if (r->hash == h) {
			r->count++;
			/* the values are those of the run the token replays */
			if (keep_smallest_run(w, &r->prefix, &r->nr_prefix)) {
				r->a = *prev;
				r->b = *now;
			}
			return;
		}
	}
	if (a->nr_races == AUD_RACES) {
		a->races_dropped++;
		return;
	}
	{
		struct aud_race *r = &a->races[a->nr_races++];

		memset(r, 0, sizeof(*r));
		r->hash = h;
		r->field = field;
		r->a = *prev;
		r->b = *now;
		r->count = 1;
		r->prefix = malloc(w->nr_choices ? w->nr_choices : 1);
		if (r->prefix) {
			memcpy(r->prefix, w->choices, w->nr_choices);
			r->nr_prefix = w->nr_choices;
		}
	}
}

/*
 * Two unordered accesses (one a write) are a data race unless both are
 * marked (READ_ONCE and friends) or either is inside data_race(), as
 * KCSAN has it.
 */
static int racy(int marked, int other)
{
	return !(marked == 1 && other == 1) && marked != 2 && other != 2;
}

/* A plain access: a data race with an access it is not ordered after? */
static void hb_plain(struct ksim_world *w, struct ksim_audit *a,
		     const struct ksim_task *t, const struct ksim_pend *p,
		     int field, void *const *pc, int nr_pc, int marked,
		     size_t size)
{
	size_t i = ((uintptr_t)p->obj >> 3) & (AUD_LOCS - 1), n;
	struct aud_loc *l = NULL;
	struct aud_side now;
	int id = t->id, u;

	for (n = 0; n < AUD_LOCS; n++, i = (i + 1) & (AUD_LOCS - 1)) {
		l = &a->locs[i];
		if (l->run != w->runs || !l->obj) {
			/* the sides are read only where a clock says they are set */
			memset(l, 0, offsetof(struct aud_loc, r));
			l->obj = p->obj;
			l->run = w->runs;
			l->field = field;
			break;
		}
		if (l->obj == p->obj)
			break;
		l = NULL;
	}
	if (!l)
		return;
	side_of(&now, p, t, pc, nr_pc);
	now.marked = marked;
	now.sized = 0;
	now.value = 0;
	if (size && size <= 8) {
		memcpy(&now.value, p->obj, size);	/* little-endian */
		now.sized = (int)size;
	}
	if (l->has_write && l->w.task != id && l->w_clk > a->vc[id][l->w.task] &&
	    racy(marked, l->w.marked))
		race_add(w, a, field, &l->w, &now);
	if (p->write) {
		for (u = 0; u < a->nt; u++)
			if (u != id && l->r_clk[u] && l->r_clk[u] > a->vc[id][u] &&
			    racy(marked, l->r[u].marked))
				race_add(w, a, field, &l->r[u], &now);
		l->has_write = 1;
		l->w_clk = a->vc[id][id];
		l->w = now;
		memset(l->r_clk, 0, sizeof(l->r_clk));
	} else {
		l->r_clk[id] = a->vc[id][id];
		l->r[id] = now;
	}
}

static void audit_access(struct ksim_world *w, struct ksim_task *t,
			 const struct ksim_pend *p, int marked, size_t size);
static void audit_access_as(struct ksim_world *w, struct ksim_task *t,
			    const struct ksim_pend *p, int marked, size_t size,
			    const char *name);

/* marked: a counter update, which orders nothing */
#define AUD_COUNTER	3

void ksim_audit_counter(const void *obj, const char *name, KSIM_LOC)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_task *t;
	struct ksim_pend p;

	if (!w || !w->audit || !(t = w->cur) || t->internal || !name)
		return;
	memset(&p, 0, sizeof(p));
	p.kind = KSIM_OP_ATOMIC_RMW;
	p.write = 1;
	p.obj = obj;
	p.bit = -1;
	p.file = file;
	p.line = line;
	p.func = func;
	audit_access_as(w, t, &p, AUD_COUNTER, 0, name);
}

/* smp_mb() and friends, for the audit's happens-before. */
void ksim_audit_fence(struct ksim_world *w, struct ksim_task *t, int acq,
		      int rel)
{
	struct ksim_audit *a = w->audit;
	int id = t->id;

	if (a->hb_run != w->runs)
		hb_start_run(w, a);
	hb_catch_up(w, a, t);
	if (acq)
		join(a, a->vc[id], a->facq[id]);
	if (rel) {
		memcpy(a->frel[id], a->vc[id], sizeof(a->frel[id]));
		a->vc[id][id]++;
	}
}

void ksim_audit_note(struct ksim_world *w, struct ksim_task *t)
{
	/* the explicit loads and stores (ksim_load, ksim_store) are longs */
	audit_access(w, t, &t->pend, 0, sizeof(long));
}

/*
 * A plain load or store of the kernel code (the compiler's access
 * instrumentation), at addr: audited when a model named the field there
 * ("mm0.vma0.vm_flags").  `marked`: READ_ONCE/WRITE_ONCE and other
 * volatile accesses, which do not race with each other.
 */
void ksim_audit_plain(struct ksim_world *w, struct ksim_task *t,
		      const void *addr, int write, int marked, size_t size)
{
	struct ksim_pend p;

	if (!ksim_name_find(w, addr, -1)) {
		/* not a field anybody follows, but it may carry a fence's clock */
		if (marked == 1) {
			struct ksim_audit *a = w->audit;

			if (a->hb_run != w->runs)
				hb_start_run(w, a);
			hb_catch_up(w, a, t);
			message(w, a, t->id, addr, -1, !write, write);
		}
		return;
	}
	memset(&p, 0, sizeof(p));
	p.kind = write ? KSIM_OP_STORE : KSIM_OP_LOAD;
	p.write = write;
	p.obj = addr;
	p.bit = -1;
	p.file = "plain";
	p.line = 0;
	p.func = "";
	audit_access(w, t, &p, marked, size);
}

static void audit_access(struct ksim_world *w, struct ksim_task *t,
			 const struct ksim_pend *p, int marked, size_t size)
{
	audit_access_as(w, t, p, marked, size, NULL);
}

static void audit_access_as(struct ksim_world *w, struct ksim_task *t,
			    const struct ksim_pend *p, int marked, size_t size,
			    const char *as)
{
	struct ksim_audit *a = w->audit;
	struct ksim_audit_owner *o;
	struct ksim_audit_rec *r;
	const char *name;
	uint64_t h, locks;
	void *pc[AUD_FRAMES];
	int field, isolated = 0, nr_pc, i;
	size_t slot, n;

	if (a->hb_run != w->runs)
		hb_start_run(w, a);
	hb_catch_up(w, a, t);
	if (is_unlock(p->kind)) {
		/*
		 * Published now: the unlock itself runs right after.  Readers
		 * release into a clock of their own, so that one reader does
		 * not order another's accesses.
		 */
		release(w, a, t->id, p->obj, p->bit +
			(p->kind == KSIM_OP_UP_READ ? AUD_READERS : 0));
		return;
	}
	if (!is_access(p->kind) || !p->obj)
		return;
	if (marked == AUD_COUNTER) {
		/* statistics: no ordering */
	} else if (p->kind == KSIM_OP_ATOMIC_RMW || p->kind == KSIM_OP_FLAG_TEST_SET ||
		   p->kind == KSIM_OP_FLAG_TEST_CLEAR) {
		acquire(w, a, t->id, p->obj, p->bit);
		release(w, a, t->id, p->obj, p->bit);
		message(w, a, t->id, p->obj, p->bit, 1, 1);
	} else if ((p->kind != KSIM_OP_LOAD && p->kind != KSIM_OP_STORE) ||
		   marked == 1) {
		/* relaxed atomics, bit operations and READ_ONCE/WRITE_ONCE */
		message(w, a, t->id, p->obj, p->bit, !p->write, p->write);
	}
	name = as ? as : ksim_object_name(w, p->obj, p->bit);
	{
		struct aud_name_slot *c = &a->name_cache[
			(((uintptr_t)name >> 3) * 0x9E3779B1u) & (AUD_NAME_CACHE - 1)];

		/* the names of unnamed objects are shared: not cached */
		int shared = (name[0] == 'o' && !strcmp(name, "object")) ||
			     (name[0] == 'f' && name[1] == 'l' && !strcmp(name, "flags-bit"));

		if (c->name != name || shared) {
			struct ksim_audit_owner *f = owner_of(a, p->obj, name);

			c->name = shared ? NULL : name;
			c->owner = f ? (int)(f - a->owners) : -1;
			c->field = field_of(a, name);
		}
		o = c->owner >= 0 ? &a->owners[c->owner] : NULL;
		field = c->field;
	}
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
	if (field < 0) {
		a->dropped++;
		return;
	}
	locks = lockset(w, a, t, o);
	/* per-CPU data ("cpu1.lru_add_pvec") of the CPU the task runs as */
	if (name && !strncmp(name, "cpu", 3)) {
		char *end;
		long cpu = strtol(name + 3, &end, 10);
		int me = t->cpu_override >= 0 ? t->cpu_override : t->id;
		int id;

		if (end != name + 3 && *end == '.' && cpu == me &&
		    (id = lock_id(a, t->preempt_depth || t->spin_depth ||
				  t->irq_depth ? "this-cpu" :
				  "this-cpu(preemptible)")) >= 0)
			locks |= 1ULL << id;
	}
	nr_pc = frames(t, pc, AUD_FRAMES);
	if (p->kind == KSIM_OP_LOAD || p->kind == KSIM_OP_STORE)
		hb_plain(w, a, t, p, field, pc, nr_pc, marked, size);
	h = 1469598103934665603ULL;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ULL)
	MIX(field); MIX(p->write); MIX(p->kind); MIX(isolated); MIX(locks); MIX(marked);
	MIX((uintptr_t)p->file); MIX(p->line); MIX(t->op ? (uintptr_t)t->op : 0);
	for (i = 0; i < nr_pc; i++)
		MIX((uintptr_t)pc[i]);
#undef MIX
	if (!h)
		h = 1;
	slot = (size_t)h & (AUD_SLOTS - 1);
	for (n = 0; n < AUD_SLOTS; n++, slot = (slot + 1) & (AUD_SLOTS - 1)) {
		if (a->slot_hash[slot] == h) {
			a->slot_count[slot]++;
			/* a longer run than the one kept changes nothing */
			if (w->nr_choices <= a->slot_run[slot]) {
				r = &a->tab[slot];
				keep_smallest_run(w, &r->prefix, &r->nr_prefix);
				a->slot_run[slot] = r->nr_prefix;
			}
			return;
		}
		if (!a->slot_hash[slot])
			break;
	}
	r = &a->tab[slot];
	if (n == AUD_SLOTS || a->nr >= AUD_SLOTS * 3 / 4) {
		a->dropped++;
		return;
	}
	a->slot_hash[slot] = h;
	a->slot_count[slot] = 1;
	r->field = field;
	r->write = p->write;
	r->kind = p->kind;
	r->isolated = isolated;
	r->marked = marked;
	r->task = t->id;
	r->locks = locks;
	r->file = p->file;
	r->line = p->line;
	r->func = p->func;
	r->nr_pc = nr_pc;
	memcpy(r->pc, pc, sizeof(pc[0]) * (size_t)nr_pc);
	r->prefix = malloc(w->nr_choices ? w->nr_choices : 1);
	if (r->prefix) {
		memcpy(r->prefix, w->choices, w->nr_choices);
		r->nr_prefix = w->nr_choices;
	}
	a->slot_run[slot] = r->prefix ? r->nr_prefix : 0;
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
	for (i = 0; i < a->nr_races; i++) {
		free(a->races[i].prefix);
		free(a->races[i].chain_a);
		free(a->races[i].chain_b);
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

/*
 * "mlock_vma_page < try_to_unmap_cluster < ...": the kernel functions of a
 * chain, the runtime's own frames left out (malloc'd; NULL: no memory).
 */
static char *chain_text(struct ksim_world *w, void *const *pc, int nr_pc,
			const void **site)
{
	char *chain = malloc(512);
	size_t used = 0;
	int k, j;

	if (!chain)
		return NULL;
	chain[0] = '\0';
	for (k = 0; k < nr_pc; k++) {
		const char *nm = ksim_sym_name(w, pc[k]);
		char fn[80];

		for (j = 0; nm[j] && nm[j] != '+' && j + 1 < (int)sizeof(fn); j++)
			fn[j] = nm[j];
		fn[j] = '\0';
		if (!strcmp(fn, "ksim_task_main") || !strcmp(fn, "ksim_coro_start"))
			break;
		/* the runtime's own frames: ksim_*, the recorder, the access
		 * instrumentation's entry points, the model's op wrappers */
		if (!strncmp(fn, "ksim_", 5) || !strncmp(fn, "op_", 3) ||
		    !strncmp(fn, "audit_", 6) || !strncmp(fn, "__tsan_", 7) ||
		    !strncmp(fn, "0x", 2) || !fn[0])
			continue;
		/* the innermost kernel frame: where the access is */
		if (!used && site)
			*site = pc[k];
		used += (size_t)snprintf(chain + used, used < 512 ? 512 - used : 0,
					 "%s%s", used ? " < " : "", fn);
		if (used >= 511)
			break;
	}
	return chain;
}

int ksim_audit_get(struct ksim_world *w, int i, struct ksim_audit_site *s)
{
	struct ksim_audit *a = w ? w->audit : NULL;
	struct ksim_audit_rec *r;

	if (!a || !s || i < 0 || i >= a->nr)
		return KSIM_EINVAL;
	r = &a->tab[a->order[i]];
	if (!r->chain)
		r->chain = chain_text(w, r->pc, r->nr_pc, &r->site);
	memset(s, 0, sizeof(*s));
	s->field = a->fields[r->field];
	s->file = ksim_short_file(r->file);
	s->line = r->line;
	s->function = r->func;
	s->kind = r->kind;
	s->write = r->write;
	s->isolated = r->isolated;
	s->marked = r->marked;
	s->task = r->task;
	s->locks = r->locks;
	s->count = a->slot_count[a->order[i]];
	s->chain = r->chain ? r->chain : "";
	s->pc = r->line ? NULL : r->site;
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

int ksim_audit_race_count(const struct ksim_world *w)
{
	return w && w->audit ? w->audit->nr_races : 0;
}

static void side_out(struct ksim_world *w, const struct aud_side *in,
		     char **chain, struct ksim_audit_access *out)
{
	const void *site = NULL;

	free(*chain);
	*chain = chain_text(w, in->pc, in->nr_pc, &site);
	out->pc = in->line ? NULL : site;
	out->file = ksim_short_file(in->file);
	out->line = in->line;
	out->function = in->func;
	out->task = in->task;
	out->write = in->write;
	out->marked = in->marked;
	out->sized = in->sized;
	out->value = in->value;
	out->chain = *chain ? *chain : "";
}

int ksim_audit_race_get(struct ksim_world *w, int i, struct ksim_audit_race *out)
{
	struct ksim_audit *a = w ? w->audit : NULL;
	struct aud_race *r;

	if (!a || !out || i < 0 || i >= a->nr_races)
		return KSIM_EINVAL;
	r = &a->races[i];
	memset(out, 0, sizeof(*out));
	out->field = a->fields[r->field];
	side_out(w, &r->a, &r->chain_a, &out->first);
	side_out(w, &r->b, &r->chain_b, &out->second);
	out->count = r->count;
	out->prefix = r->prefix;
	out->nr_prefix = r->nr_prefix;
	return 0;
}
