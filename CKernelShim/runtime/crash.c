// SPDX-License-Identifier: GPL-2.0-only
/*
 * Crashes inside the kernel code under test become findings.
 *
 * A synchronous fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) raised
 * while a simulated task runs is handled on an alternate signal stack (a
 * stack overflow into a task's guard page needs one): the handler records
 * a "crash" finding and switches straight back to the driver, abandoning
 * the task's stack; the world is reset before its next run.  A fault
 * anywhere else goes to the handler that was installed before ours (a
 * task of another loaded build of the shim first goes to that build's
 * handler), or kills the process as it would have without the shim.
 *
 * When the handlers are in place (KSIM_OPT_CRASH_GUARD):
 *  1 (default) "per run": armed when a run starts (world creation, reset,
 *    every ksim_run_*), and when a step finds its thread unarmed; when the
 *    run ends the handlers and the alternate stack that were there before
 *    are put back (a handler somebody installed over ours meanwhile is
 *    left alone).  The start of a run checks that ours is still the
 *    SIGSEGV handler and re-installs it otherwise: a host that swaps
 *    handlers between its tests (cmocka) gets crash findings in every
 *    test.  Costs about a dozen sigaction() calls per run.
 *  2 "for good": installed at the first run on a thread, never taken
 *    away (kharness' own processes: no cost per run).
 *  0 off.
 *
 * Signal dispositions belong to the process, not to a thread or a world,
 * so what was installed before ours is kept in one process-wide record
 * (ksim_guard_proc(), behind a mutex): the one piece of process-wide
 * mutable state in the shim, and it only mirrors state the kernel holds
 * process-wide anyway.  Each thread has its own alternate stack (heap,
 * freed when the thread exits).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksim_internal.h"
#include "ksim_stack.h"

static const int ksim_crash_signals[] = {
	SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
};
#define NSIG_CRASH ((int)(sizeof(ksim_crash_signals) / sizeof(int)))
#define KSIM_ALTSTACK_SIZE	(64 * 1024)

struct ksim_guard_proc {
	pthread_mutex_t lock;
	int armed;		/* threads with a per-run guard armed */
	int sticky;		/* threads that installed it for good */
	int installed;		/* ours are in place, as far as we know (the
				 * host may have replaced them since) */
	int saved;		/* prev[] holds what was there before ours
				 * (kept after a restore: a handler of ours
				 * can still be reached through another
				 * build's chain) */
	struct sigaction prev[NSIG_CRASH];
};

/* The process-wide record (see the head of the file). */
static struct ksim_guard_proc *ksim_guard_proc(void)
{
	static struct ksim_guard_proc p = { .lock = PTHREAD_MUTEX_INITIALIZER };

	return &p;
}

/* Per thread, on the heap (a dlopen()ed build has little static TLS). */
struct ksim_guard_thread {
	int off;		/* KSIM_NO_CRASH_GUARD is set */
	int armed;		/* counted in proc->armed */
	int sticky;		/* counted in proc->sticky */
	int alt_ours;		/* our alternate stack is installed */
	stack_t prev_ss;	/* the one that was there before */
	void *alt;
};

static __thread struct ksim_guard_thread *ksim_guard_tls;

/* glibc's per-thread destructors (what C++ thread_local uses): no key. */
extern int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj,
				    void *dso);
extern void *__dso_handle;

static void ksim_crash_handler(int sig, siginfo_t *si, void *uc);

static int ksim_is_ours(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) &&
	       sa->sa_sigaction == ksim_crash_handler;
}

/*
 * The stack pointer at the fault, if it lies in a task stack of some shim
 * build: that build's handler (from the stack header), else NULL.
 */
static void *ksim_stack_owner(void *ucv)
{
	ucontext_t *uc = ucv;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t sp, top;
	unsigned char vec[1] = { 0 };
	const struct ksim_stack_hdr *h;
	struct ksim_stack_hdr copy;
	struct iovec local, remote;

	if (!uc)
		return NULL;
#if defined(__x86_64__)
	sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
	sp = (uintptr_t)uc->uc_mcontext.sp;
#else
	return NULL;
#endif
	top = (sp & ~(uintptr_t)(KSIM_STACK_ALIGN - 1)) + KSIM_STACK_ALIGN;
	/* mincore() fails on unmapped memory: probe before reading */
	if (mincore((void *)(top - page), page, vec))
		return NULL;
	h = (const struct ksim_stack_hdr *)(top - sizeof(*h));
	/*
	 * Mapped is not readable (a thread's PROT_NONE guard page): copy the
	 * header through the kernel, which fails instead of faulting.
	 */
	memset(&copy, 0, sizeof(copy));
	local.iov_base = &copy;
	local.iov_len = sizeof(copy);
	remote.iov_base = (void *)h;
	remote.iov_len = sizeof(copy);
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)sizeof(copy))
		return NULL;
	return copy.magic == KSIM_STACK_MAGIC ? copy.handler : NULL;
}

static void ksim_crash_handler(int sig, siginfo_t *si, void *uc)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_task *t = w ? w->cur : NULL;
	struct ksim_guard_proc *p = ksim_guard_proc();
	void *owner;
	int i;

	if (!t) {
		/* a task of another build of the shim, on this thread? */
		owner = ksim_stack_owner(uc);
		if (owner && owner != (void *)ksim_crash_handler) {
			((void (*)(int, siginfo_t *, void *))owner)(sig, si, uc);
			return;
		}
	}
	if (t && !w->in_signal_stop) {
		struct ksim_finding_rec *r;

		w->in_signal_stop = 1;
		r = ksim_finding_add(w, KSIM_F_CRASH, t, t->pend.file,
				     t->pend.line, t->pend.func,
				     "crash: %s (fault address %p) in task %s after %s:%d",
				     strsignal(sig), si ? si->si_addr : NULL,
				     t->name, ksim_short_file(t->pend.file),
				     t->pend.line);
		if (r && w->opt[KSIM_OPT_BACKTRACE])
			ksim_capture_frames(&r->frames);
		w->in_signal_stop = 0;
		ksim_finding_stop(w, t);
	}
	/* not ours to handle: whoever was there before */
	for (i = 0; p->saved && i < NSIG_CRASH; i++) {
		const struct sigaction *o = &p->prev[i];

		if (ksim_crash_signals[i] != sig)
			continue;
		if ((o->sa_flags & SA_SIGINFO) && !ksim_is_ours(o)) {
			o->sa_sigaction(sig, si, uc);
			return;
		}
		if (!(o->sa_flags & SA_SIGINFO) && o->sa_handler != SIG_DFL &&
		    o->sa_handler != SIG_IGN) {
			o->sa_handler(sig);
			return;
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void *ksim_crash_handler_addr(void)
{
	return (void *)ksim_crash_handler;
}

/* Thread exit: our alternate stack goes, a per-run guard is disarmed. */
static void ksim_guard_thread_exit(void *arg)
{
	struct ksim_guard_thread *g = arg;

	ksim_crash_guard_disarm();
	if (g->alt_ours) {
		stack_t off = { .ss_flags = SS_DISABLE };

		sigaltstack(&off, NULL);
	}
	free(g->alt);
	free(g);
	ksim_guard_tls = NULL;
}

static struct ksim_guard_thread *ksim_guard_thread(void)
{
	struct ksim_guard_thread *g = ksim_guard_tls;

	if (g)
		return g;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	if (__cxa_thread_atexit_impl(ksim_guard_thread_exit, g, &__dso_handle)) {
		free(g);
		return NULL;
	}
	g->off = getenv("KSIM_NO_CRASH_GUARD") != NULL;
	ksim_guard_tls = g;
	return g;
}

/* An alternate stack for this thread: the one in place if big enough. */
static void ksim_altstack_arm(struct ksim_guard_thread *g)
{
	stack_t ss;

	if (g->alt_ours || sigaltstack(NULL, &g->prev_ss))
		return;
	if (!(g->prev_ss.ss_flags & SS_DISABLE) &&
	    g->prev_ss.ss_size >= KSIM_ALTSTACK_SIZE)
		return;
	if (!g->alt)
		g->alt = malloc(KSIM_ALTSTACK_SIZE);
	if (!g->alt)
		return;
	ss.ss_sp = g->alt;
	ss.ss_size = KSIM_ALTSTACK_SIZE;
	ss.ss_flags = 0;
	if (!sigaltstack(&ss, NULL))
		g->alt_ours = 1;
}

static void ksim_altstack_disarm(struct ksim_guard_thread *g)
{
	stack_t cur, off = { .ss_flags = SS_DISABLE };

	if (!g->alt_ours || g->sticky)
		return;
	g->alt_ours = 0;
	if (!(g->prev_ss.ss_flags & SS_DISABLE)) {
		g->prev_ss.ss_flags = 0;
		off = g->prev_ss;
	}
	/* somebody else's stack meanwhile: theirs stays */
	if (!sigaltstack(&off, &cur) && cur.ss_sp != g->alt)
		sigaltstack(&cur, NULL);
}

/* Ours in place of whatever is there (caller holds the lock). */
static void ksim_handlers_install(struct ksim_guard_proc *p)
{
	struct sigaction sa, cur;
	int i;

	/* believed in place: make sure (cmocka swaps handlers per test) */
	if (p->installed && !sigaction(SIGSEGV, NULL, &cur) && ksim_is_ours(&cur))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ksim_crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIG_CRASH; i++) {
		if (sigaction(ksim_crash_signals[i], &sa, &cur))
			continue;
		if (!ksim_is_ours(&cur) || !p->saved)
			p->prev[i] = cur;
	}
	p->saved = 1;
	p->installed = 1;
}

/* Put back what was there before, where ours is still in place. */
static void ksim_handlers_restore(struct ksim_guard_proc *p)
{
	struct sigaction cur;
	int i;

	if (!p->saved)
		return;
	for (i = 0; i < NSIG_CRASH; i++) {
		if (ksim_is_ours(&p->prev[i]))
			continue;
		if (sigaction(ksim_crash_signals[i], &p->prev[i], &cur))
			continue;
		if (!ksim_is_ours(&cur))	/* not ours any more: theirs stays */
			sigaction(ksim_crash_signals[i], &cur, NULL);
	}
	p->installed = 0;
}

void ksim_crash_guard_arm(struct ksim_world *w)
{
	long mode = w->opt[KSIM_OPT_CRASH_GUARD];
	struct ksim_guard_proc *p = ksim_guard_proc();
	struct ksim_guard_thread *g;

	if (mode == KSIM_CRASH_GUARD_OFF)
		return;
	g = ksim_guard_thread();
	if (!g || g->off || g->sticky)
		return;
	pthread_mutex_lock(&p->lock);
	ksim_altstack_arm(g);
	ksim_handlers_install(p);
	if (mode == KSIM_CRASH_GUARD_KEEP) {
		g->sticky = 1;
		p->sticky++;
	} else if (!g->armed) {
		g->armed = 1;
		p->armed++;
	}
	pthread_mutex_unlock(&p->lock);
}

void ksim_crash_guard_disarm(void)
{
	struct ksim_guard_proc *p = ksim_guard_proc();
	struct ksim_guard_thread *g = ksim_guard_tls;

	if (!g || !g->armed)
		return;
	pthread_mutex_lock(&p->lock);
	g->armed = 0;
	if (--p->armed == 0 && !p->sticky)
		ksim_handlers_restore(p);
	ksim_altstack_disarm(g);
	pthread_mutex_unlock(&p->lock);
}

int ksim_crash_guard_armed(void)
{
	const struct ksim_guard_thread *g = ksim_guard_tls;

	return g && (g->armed || g->sticky);
}
