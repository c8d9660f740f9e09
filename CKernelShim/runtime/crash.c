// SPDX-License-Identifier: GPL-2.0-only
/*
 * Crashes inside the kernel code under test become findings.
 *
 * A synchronous fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) raised
 * while a simulated task runs is handled on an alternate signal stack (a
 * stack overflow into a task's guard page needs one): the handler records
 * a "crash" finding and switches straight back to the driver, abandoning
 * the task's stack; the world is reset before its next run.  A fault
 * anywhere else is passed on to the handler that was there before.
 */
#define _GNU_SOURCE
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

#if defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define KSIM_NO_CRASH_GUARD 1
# endif
#endif
#if defined(__SANITIZE_ADDRESS__)
# define KSIM_NO_CRASH_GUARD 1
#endif

#ifndef KSIM_NO_CRASH_GUARD
static const int ksim_crash_signals[] = {
	SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
};
#define NSIG_CRASH ((int)(sizeof(ksim_crash_signals) / sizeof(int)))

/*
 * Per OS thread: its alternate stack and the handlers found before.  The
 * handlers live on the heap: a dlopen()ed build has little static TLS to
 * spare (ksim_tls_world).
 */
static __thread int ksim_guard_ready;
static __thread struct sigaction *ksim_prev;

/*
 * The stack pointer at the fault, if it lies in a task stack of some shim
 * build: that build's handler (from the stack header), else NULL.
 */
static void *ksim_stack_owner(void *ucv)
{
	ucontext_t *uc = ucv;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t sp, top;
	unsigned char vec;
	const struct ksim_stack_hdr *h;

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
	if (mincore((void *)(top - page), page, &vec))
		return NULL;
	h = (const struct ksim_stack_hdr *)(top - sizeof(*h));
	/*
	 * Mapped is not readable (a thread's PROT_NONE guard page): copy the
	 * header through the kernel, which fails instead of faulting.
	 */
	{
		struct ksim_stack_hdr copy;
		struct iovec local = { &copy, sizeof(copy) };
		struct iovec remote = { (void *)h, sizeof(copy) };

		if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)sizeof(copy))
			return NULL;
		return copy.magic == KSIM_STACK_MAGIC ? copy.handler : NULL;
	}
}

static void ksim_crash_handler(int sig, siginfo_t *si, void *uc)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_task *t = w ? w->cur : NULL;
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
	for (i = 0; ksim_prev && i < NSIG_CRASH; i++) {
		if (ksim_crash_signals[i] != sig)
			continue;
		if (ksim_prev[i].sa_flags & SA_SIGINFO &&
		    ksim_prev[i].sa_sigaction != ksim_crash_handler) {
			ksim_prev[i].sa_sigaction(sig, si, uc);
			return;
		}
		if (!(ksim_prev[i].sa_flags & SA_SIGINFO) &&
		    ksim_prev[i].sa_handler != SIG_DFL &&
		    ksim_prev[i].sa_handler != SIG_IGN) {
			ksim_prev[i].sa_handler(sig);
			return;
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

#endif /* KSIM_NO_CRASH_GUARD */

void *ksim_crash_handler_addr(void)
{
#ifndef KSIM_NO_CRASH_GUARD
	return (void *)ksim_crash_handler;
#else
	return NULL;
#endif
}

void ksim_crash_guard_init(void)
{
#ifndef KSIM_NO_CRASH_GUARD
	struct sigaction sa;
	stack_t ss;
	int i;

	if (ksim_guard_ready)
		return;
	ksim_guard_ready = 1;
	if (getenv("KSIM_NO_CRASH_GUARD"))
		return;
	ss.ss_sp = malloc(64 * 1024);
	ss.ss_size = 64 * 1024;
	ss.ss_flags = 0;
	if (!ss.ss_sp || sigaltstack(&ss, NULL))
		return;
	ksim_prev = calloc(NSIG_CRASH, sizeof(*ksim_prev));
	if (!ksim_prev)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ksim_crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIG_CRASH; i++)
		sigaction(ksim_crash_signals[i], &sa, &ksim_prev[i]);
#endif
}
