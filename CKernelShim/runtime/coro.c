// SPDX-License-Identifier: GPL-2.0-only
/*
 * Coroutine stacks for simulated tasks.
 *
 * Every task of a world runs on its own mmap()ed stack with a PROT_NONE
 * guard page below it, inside the OS thread that drives the world.  On
 * x86-64 the switch is a few instructions of assembly that save the
 * callee-saved registers and swap stack pointers (no signal mask system
 * call, unlike swapcontext, and nothing that _FORTIFY_SOURCE's longjmp
 * check can object to).  Other architectures fall back to ucontext.
 *
 * Under AddressSanitizer every switch is announced with
 * __sanitizer_start_switch_fiber / __sanitizer_finish_switch_fiber.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ksim_internal.h"
#include "ksim_stack.h"

/*
 * Under valgrind a switch to another task's stack looks like a huge stack
 * pointer move; each stack is registered so that valgrind knows it is one
 * (the header comes with Debian's valgrind package; without it these
 * are no-ops, and valgrind then reports such moves as errors).
 */
#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define KSIM_STACK_REGISTER(lo, hi)	VALGRIND_STACK_REGISTER(lo, hi)
#  define KSIM_STACK_DEREGISTER(id)	VALGRIND_STACK_DEREGISTER(id)
# endif
#endif
#ifndef KSIM_STACK_REGISTER
# define KSIM_STACK_REGISTER(lo, hi)	0u
# define KSIM_STACK_DEREGISTER(id)	((void)(id))
#endif

__thread struct ksim_world *ksim_tls_world;

#ifdef KSIM_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom,
				    size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save,
				     const void **bottom_old, size_t *size_old);
#endif

static void ksim_coro_start(struct ksim_task *t);

#if defined(__x86_64__)

void ksim_ctx_switch(void **save_sp, void *to_sp);
void ksim_ctx_entry(void);

/*
 * ksim_ctx_switch(save_sp, to_sp): push the callee-saved registers, store
 * the stack pointer in *save_sp, load to_sp, pop and return there.
 * ksim_ctx_entry: first code a new stack runs; calls r13(r12).  Its CFI
 * marks the return address undefined so unwinders stop here.
 */
__asm__(
	".text\n"
	".globl ksim_ctx_switch\n"
	".type ksim_ctx_switch,@function\n"
	"ksim_ctx_switch:\n"
	"	.cfi_startproc\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	"	.cfi_endproc\n"
	".size ksim_ctx_switch,.-ksim_ctx_switch\n"
	".globl ksim_ctx_entry\n"
	".type ksim_ctx_entry,@function\n"
	"ksim_ctx_entry:\n"
	"	.cfi_startproc\n"
	"	.cfi_undefined rip\n"
	"	xorl %ebp, %ebp\n"
	"	movq %r12, %rdi\n"
	"	callq *%r13\n"
	"	ud2\n"
	"	.cfi_endproc\n"
	".size ksim_ctx_entry,.-ksim_ctx_entry\n"
	".section .note.GNU-stack,\"\",@progbits\n"
	".text\n");

void ksim_coro_init(struct ksim_world *w, struct ksim_task *t)
{
	uintptr_t top = (uintptr_t)t->stack_hi & ~(uintptr_t)15;
	void **sp = (void **)top;

	(void)w;
	*--sp = (void *)ksim_ctx_entry;		/* ret target */
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = (void *)t;			/* r12: argument */
	*--sp = (void *)ksim_coro_start;	/* r13: function */
	*--sp = 0;				/* r14 */
	*--sp = 0;				/* r15 */
	t->sp = sp;
}

static inline void ksim_switch(void **save, void *to)
{
	ksim_ctx_switch(save, to);
}

#else /* !__x86_64__: portable, slower */

#include <ucontext.h>

struct ksim_uctx {
	ucontext_t uc;
};

static void ksim_uc_trampoline(unsigned int hi, unsigned int lo)
{
	uintptr_t p = ((uintptr_t)hi << 32) | lo;

	ksim_coro_start((struct ksim_task *)p);
}

void ksim_coro_init(struct ksim_world *w, struct ksim_task *t)
{
	/* the ucontext lives at the top of the task's own stack */
	struct ksim_uctx *u = (struct ksim_uctx *)(((uintptr_t)t->stack_hi -
				sizeof(*u)) & ~(uintptr_t)15);
	uintptr_t p = (uintptr_t)t;

	(void)w;
	getcontext(&u->uc);
	u->uc.uc_stack.ss_sp = t->stack_lo;
	u->uc.uc_stack.ss_size = (char *)u - t->stack_lo;
	u->uc.uc_link = NULL;
	makecontext(&u->uc, (void (*)(void))ksim_uc_trampoline, 2,
		    (unsigned int)(p >> 32), (unsigned int)p);
	t->sp = u;
}

static inline void ksim_switch(void **save, void *to)
{
	struct ksim_uctx here;

	*save = &here;
	swapcontext(&here.uc, &((struct ksim_uctx *)to)->uc);
}

#endif

static void ksim_coro_start(struct ksim_task *t)
{
	struct ksim_world *w = ksim_tls_world;

#ifdef KSIM_ASAN
	__sanitizer_finish_switch_fiber(NULL, &w->drv_bottom, &w->drv_size);
#endif
	(void)w;
	ksim_task_main(t);
	__builtin_trap();	/* ksim_task_main never returns */
}

/* Driver -> task.  Returns when the task yields, ends or dies. */
void ksim_coro_enter(struct ksim_world *w, struct ksim_task *t)
{
	w->cur = t;
#ifdef KSIM_ASAN
	__sanitizer_start_switch_fiber(&w->driver_fake_stack, t->stack_lo,
				       t->stack_hi - t->stack_lo);
#endif
	ksim_switch(&w->driver_sp, t->sp);
#ifdef KSIM_ASAN
	__sanitizer_finish_switch_fiber(w->driver_fake_stack, NULL, NULL);
#endif
	w->cur = NULL;
}

/* Task -> driver.  Returns when the driver steps this task again. */
void ksim_coro_leave(struct ksim_world *w, struct ksim_task *t)
{
#ifdef KSIM_ASAN
	__sanitizer_start_switch_fiber(&t->asan_fake_stack, w->drv_bottom,
				       w->drv_size);
#endif
	ksim_switch(&t->sp, w->driver_sp);
#ifdef KSIM_ASAN
	__sanitizer_finish_switch_fiber(t->asan_fake_stack, &w->drv_bottom,
					&w->drv_size);
#endif
}

/*
 * Task -> task: the running task picked another one at its scheduling point
 * and hands the CPU straight to it, without a round trip through the
 * driver.  Returns when somebody picks this task again.  Not with ASan:
 * its fiber bookkeeping assumes every switch goes through the driver.
 */
void ksim_coro_hand_over(struct ksim_world *w, struct ksim_task *from,
			 struct ksim_task *to)
{
	w->cur = to;
	ksim_switch(&from->sp, to->sp);
}

/*
 * Task -> driver for the last time: the stack is abandoned.  The save slot
 * is t->sp (reinitialised before any reuse), not a local: with ASan's
 * detect_stack_use_after_return a local lives on the task's fake stack,
 * which __sanitizer_start_switch_fiber(NULL, ...) has just freed.
 */
void ksim_coro_exit(struct ksim_world *w, struct ksim_task *t)
{
#ifdef KSIM_ASAN
	__sanitizer_start_switch_fiber(NULL, w->drv_bottom, w->drv_size);
#endif
	ksim_switch(&t->sp, w->driver_sp);
	__builtin_trap();
}

/*
 * Each stack is one naturally aligned KSIM_STACK_ALIGN block: guard page at
 * the bottom, the stack, and a small header at the top.  A crash handler
 * that finds the faulting stack pointer in such a block reads the header
 * to learn which build of the shim owns the task (several builds may be
 * loaded in one process: the built-in one and dlopen()ed patched ones).
 */
int ksim_stacks_alloc(struct ksim_task *t)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t a = KSIM_STACK_ALIGN;
	char *m = mmap(NULL, 2 * a, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *base;
	struct ksim_stack_hdr *h;

	if (m == MAP_FAILED)
		return KSIM_ENOMEM;
	base = (char *)(((uintptr_t)m + a - 1) & ~(uintptr_t)(a - 1));
	if (base > m)
		munmap(m, base - m);
	if (base + a < m + 2 * a)
		munmap(base + a, (m + 2 * a) - (base + a));
	if (mprotect(base, page, PROT_NONE)) {
		munmap(base, a);
		return KSIM_ENOMEM;
	}
	h = (struct ksim_stack_hdr *)(base + a - sizeof(*h));
	h->magic = KSIM_STACK_MAGIC;
	h->handler = ksim_crash_handler_addr();
	t->stack_map = base;
	t->stack_map_size = a;
	t->stack_lo = base + page;
	t->stack_hi = (char *)h;
	t->stack_vg_id = KSIM_STACK_REGISTER(t->stack_lo, t->stack_hi);
	return 0;
}

void ksim_stacks_free(struct ksim_task *t)
{
	if (t->stack_map) {
		KSIM_STACK_DEREGISTER(t->stack_vg_id);
		munmap(t->stack_map, t->stack_map_size);
	}
	t->stack_map = NULL;
}

/*
 * The bare round trip: a task that only yields, driven by a loop that
 * only resumes it.  Same stacks and switch code as real tasks, none of
 * the scheduler.
 */
struct ksim_bench_ctx {
	struct ksim_world w;
	long left;
};

static void ksim_bench_body(struct ksim_task *t)
{
	struct ksim_bench_ctx *b = (struct ksim_bench_ctx *)ksim_tls_world;

#ifdef KSIM_ASAN
	/* as ksim_coro_start: the switch that started this stack ends here */
	__sanitizer_finish_switch_fiber(NULL, &b->w.drv_bottom, &b->w.drv_size);
#endif
	for (;;) {
		b->left--;
		ksim_coro_leave(&b->w, t);
	}
}

#include <time.h>

double ksim_bench_roundtrip_ns(long iters)
{
	struct ksim_bench_ctx *b = calloc(1, sizeof(*b));
	struct ksim_task *t;
	struct timespec t0, t1;
	struct ksim_world *saved = ksim_tls_world;
	uintptr_t top;
	void **sp;
	double ns;

	if (!b || iters <= 0 || iters > 1000000000L) {
		free(b);
		return -1;
	}
	t = &b->w.tasks[0];
	if (ksim_stacks_alloc(t)) {
		free(b);
		return -1;
	}
	/* like ksim_coro_init, but entering ksim_bench_body */
	top = (uintptr_t)t->stack_hi & ~(uintptr_t)15;
#if defined(__x86_64__)
	sp = (void **)top;
	*--sp = (void *)ksim_ctx_entry;
	*--sp = 0;
	*--sp = 0;
	*--sp = (void *)t;
	*--sp = (void *)ksim_bench_body;
	*--sp = 0;
	*--sp = 0;
	t->sp = sp;
#else
	(void)sp;
	(void)top;
	ksim_stacks_free(t);
	free(b);
	return -1;
#endif
	ksim_tls_world = &b->w;
	/* the first entry starts the task; 'iters' round trips are timed */
	b->left = iters + 1;
	ksim_coro_enter(&b->w, t);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (b->left > 0)
		ksim_coro_enter(&b->w, t);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) /
	     (double)iters;
	ksim_tls_world = saved;
	ksim_stacks_free(t);
	free(b);
	return ns;
}
