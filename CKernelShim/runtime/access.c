// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plain shared accesses of the kernel code.
 *
 * The package compiles the kernel code (mm/, the models, the stubs'
 * inlines) with clang's ThreadSanitizer instrumentation and nothing of
 * the TSan runtime: the compiler calls __tsan_readN/__tsan_writeN before
 * every load and store it cannot prove local, and this file implements
 * those calls.  The runtime itself is left out (tsan_ignore.txt): its own
 * bookkeeping is not the kernel's.
 *
 * Only accesses by a simulated task to the world's kernel state (the
 * arena) count; a task's stack and the driver's memory do not.  They are
 * kept per step, as 8-byte granules, in the step's footprint, which DPOR
 * joins to the step's pending operation (its dependency relation), and
 * with KSIM_OPT_PLAIN_POINTS each one is a scheduling point of its own.
 *
 * A plain access to a granule stands for an access to every object a
 * scheduling point named in it too (a lock, a counter, each bit of
 * page->flags that bit operations use), so that it conflicts with their
 * operations.  Which objects those are is learnt as the points name them
 * (monotone over the world's life, so it only ever adds conflicts).
 */
#include <stdlib.h>
#include <string.h>

#include "ksim_internal.h"

#define KSIM_FOOT_CACHE	64	/* power of two */

/* Start the footprint of a new step. */
void ksim_foot_begin(struct ksim_world *w)
{
	w->foot.n = 0;
	w->foot.gen++;
}

/*
 * A scheduling point's object (obj, bit): remember which bits of a word
 * bit operations use, and where in its granule any other object lies, so
 * that a plain access to the granule conflicts with their operations.
 */
void ksim_foot_note_obj(struct ksim_world *w, const void *obj, int bit)
{
	uintptr_t off = (uintptr_t)obj - (uintptr_t)w->arena;

	if (!w->foot.bits || off >= w->arena_used || bit > 62)
		return;
	if (bit >= 0)
		w->foot.bits[off >> 3] |= 1ULL << bit;
	else
		w->foot.subs[off >> 3] |= (uint8_t)(1u << (off & 7));
}

static int foot_push(struct ksim_world *w, uint64_t e)
{
	struct ksim_foot *f = &w->foot;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		uint64_t *n = realloc(f->acc, cap * sizeof(*n));

		if (!n) {
			f->lost = 1;
			return -1;
		}
		f->acc = n;
		f->cap = cap;
	}
	f->acc[f->n++] = e;
	return 0;
}

/* Record granule g (arena offset / 8) in the step's footprint. */
static void foot_granule(struct ksim_world *w, uintptr_t g, int write)
{
	struct ksim_foot *f = &w->foot;
	struct ksim_foot_slot *s = &f->cache[g & (KSIM_FOOT_CACHE - 1)];
	/* the key ksim_obj_key() gives (granule, 63): never a bit's key */
	uint64_t key = (((uint64_t)g << 3) + 1) << 6 | 63;
	uint64_t bits;
	unsigned int subs;

	if (s->gen == f->gen && s->g == g) {
		if (write && !(f->acc[s->idx] & 1)) {
			f->acc[s->idx] |= 1;
			for (size_t i = s->idx + 1; i < s->idx + 1 + s->nbits; i++)
				f->acc[i] |= 1;
		}
		return;
	}
	s->gen = f->gen;
	s->g = g;
	s->idx = (uint32_t)f->n;
	s->nbits = 0;
	if (foot_push(w, key << 1 | (uint64_t)write))
		return;
	bits = f->bits ? f->bits[g] : 0;
	subs = f->subs ? f->subs[g] : 0;
	while (subs) {
		int b = __builtin_ctz(subs);

		subs &= subs - 1;
		/* an object at byte b of the granule: its key (bit -1) */
		if (foot_push(w, ((((uint64_t)g << 3) + (uint64_t)b + 1) << 6) << 1 |
				     (uint64_t)write))
			return;
		s->nbits++;
	}
	while (bits) {
		int b = __builtin_ctzll(bits);

		bits &= bits - 1;
		if (foot_push(w, ((((uint64_t)g << 3) + 1) << 6 | (uint64_t)b) << 1 |
				     (uint64_t)write))
			return;
		s->nbits++;
	}
}

static inline __attribute__((always_inline)) void
ksim_plain_marked(const void *addr, size_t size, int write, int marked)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_task *t;
	uintptr_t off, g, end;

	if (!w || !(t = w->cur) || t->internal)
		return;
	off = (uintptr_t)addr - (uintptr_t)w->arena;
	if (off >= w->arena_used)
		return;
	if (t->in_data_race)
		marked = 2;
	/* the lock-set audit follows the fields a model named */
	if (w->audit && !t->in_plain)
		ksim_audit_plain(w, t, addr, write, marked, size);
	if (w->opt[KSIM_OPT_PLAIN_POINTS] && !t->in_plain) {
		t->in_plain = 1;
		ksim_point(write ? KSIM_OP_STORE : KSIM_OP_LOAD, write,
			   (const char *)w->arena + (off & ~(uintptr_t)7), 63,
			   "plain access", 0, "plain");
		t->in_plain = 0;
	}
	if (!w->opt[KSIM_OPT_FOOTPRINT])
		return;
	end = (off + (size ? size : 1) - 1) >> 3;
	for (g = off >> 3; g <= end; g++)
		foot_granule(w, g, write);
}

static inline __attribute__((always_inline)) void
ksim_plain(const void *addr, size_t size, int write)
{
	ksim_plain_marked(addr, size, write, 0);
}

/*
 * The step's own operation changed nothing it names (a trylock that
 * failed, a compare-and-swap that found another value): it only read its
 * object.  Said by an entry 0 in the footprint.
 */
void ksim_foot_op_read(struct ksim_task *t)
{
	struct ksim_world *w = ksim_tls_world;

	if (t && w && w->opt[KSIM_OPT_FOOTPRINT])
		foot_push(w, 0);
}

/* The step moved per-CPU work onto or off CPU cpu: it changes whether that
 * CPU's task can run, as a write of a pseudo object of the CPU. */
void ksim_foot_cpu(struct ksim_world *w, int cpu)
{
	if (w->opt[KSIM_OPT_FOOTPRINT] && cpu >= 0)
		foot_push(w, (1ULL << 62 | (uint64_t)cpu) << 1 | 1);
}

/*
 * The step changed a word of the runtime's own that another task's
 * pending operation waits on (a CPU's atomic-context bit, which
 * flush_work() waits to see clear): a write of that operation's object.
 */
void ksim_foot_word(struct ksim_world *w, const void *word, int bit)
{
	if (w->opt[KSIM_OPT_FOOTPRINT])
		foot_push(w, ksim_obj_key(w, word, bit) << 1 | 1);
}

size_t ksim_step_footprint(const struct ksim_world *w, const uint64_t **acc)
{
	if (acc)
		*acc = w->foot.acc;
	return w->foot.lost ? (size_t)-1 : w->foot.n;
}

int ksim_foot_enable(struct ksim_world *w)
{
	int i;

	if (!w->foot.bits) {
		w->foot.bits = calloc(KSIM_ARENA_SIZE / 8, sizeof(uint64_t));
		w->foot.subs = calloc(KSIM_ARENA_SIZE / 8, 1);
		if (!w->foot.bits || !w->foot.subs)
			return KSIM_ENOMEM;
		/*
		 * Every object the world named is known from the start, so that
		 * a step's footprint does not depend on which points ran
		 * before it (only objects nobody named are learnt later).
		 */
		for (i = 0; i < KSIM_NAME_SLOTS; i++)
			if (w->names[i].obj)
				ksim_foot_note_obj(w, w->names[i].obj,
						   w->names[i].bit);
	}
	return 0;
}

void ksim_foot_free(struct ksim_world *w)
{
	free(w->foot.acc);
	free(w->foot.bits);
	free(w->foot.subs);
	memset(&w->foot, 0, sizeof(w->foot));
}

/* data_race() in the kernel code: the accesses inside it may race. */
void ksim_data_race_enter(void)
{
	struct ksim_world *w = ksim_tls_world;

	if (w && w->cur)
		w->cur->in_data_race++;
}

void ksim_data_race_exit(void)
{
	struct ksim_world *w = ksim_tls_world;

	if (w && w->cur && w->cur->in_data_race)
		w->cur->in_data_race--;
}

/* smp_mb() and co: a fence, and the audit's ordering through it. */
void ksim_smp_fence(int acquire, int release)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_task *t;

	__sync_synchronize();
	if (w && w->audit && (t = w->cur) && !t->internal)
		ksim_audit_fence(w, t, acquire, release);
}

/* The calls the instrumentation makes. */
#define KSIM_TSAN(n)							\
void __tsan_read##n(void *p) { ksim_plain(p, n, 0); }			\
void __tsan_write##n(void *p) { ksim_plain(p, n, 1); }			\
void __tsan_unaligned_read##n(void *p) { ksim_plain(p, n, 0); }	\
void __tsan_unaligned_write##n(void *p) { ksim_plain(p, n, 1); }	\
void __tsan_volatile_read##n(void *p) { ksim_plain_marked(p, n, 0, 1); }	\
void __tsan_volatile_write##n(void *p) { ksim_plain_marked(p, n, 1, 1); }	\
void __tsan_unaligned_volatile_read##n(void *p) { ksim_plain_marked(p, n, 0, 1); } \
void __tsan_unaligned_volatile_write##n(void *p) { ksim_plain_marked(p, n, 1, 1); }

void __tsan_read1(void *p);
void __tsan_write1(void *p);
void __tsan_read1(void *p) { ksim_plain(p, 1, 0); }
void __tsan_write1(void *p) { ksim_plain(p, 1, 1); }
void __tsan_volatile_read1(void *p) { ksim_plain_marked(p, 1, 0, 1); }
void __tsan_volatile_write1(void *p) { ksim_plain_marked(p, 1, 1, 1); }

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmissing-prototypes"
KSIM_TSAN(2)
KSIM_TSAN(4)
KSIM_TSAN(8)
KSIM_TSAN(16)
#pragma clang diagnostic pop

void __tsan_read_range(void *p, unsigned long n) { ksim_plain(p, n, 0); }
void __tsan_write_range(void *p, unsigned long n) { ksim_plain(p, n, 1); }

void *__tsan_memcpy(void *d, const void *s, unsigned long n)
{
	ksim_plain(s, n, 0);
	ksim_plain(d, n, 1);
	return memcpy(d, s, n);
}

void *__tsan_memmove(void *d, const void *s, unsigned long n)
{
	ksim_plain(s, n, 0);
	ksim_plain(d, n, 1);
	return memmove(d, s, n);
}

void *__tsan_memset(void *d, int c, unsigned long n)
{
	ksim_plain(d, n, 1);
	return memset(d, c, n);
}

void __tsan_init(void) {}
void __tsan_func_entry(void *pc) { (void)pc; }
void __tsan_func_exit(void) {}
