/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the check-patch worker process needs from C: a Landlock sandbox and
 * hooks that note how the code under test ended the process.  Not part of
 * the shim's API (kshim.h); only kharness's worker uses it.
 */
#ifndef KH_WORKER_H
#define KH_WORKER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Restrict the calling thread and the threads it starts from now on:
 * files may be written, created or removed only beneath the `n` paths of
 * `writable` (and /dev/null), and, when the kernel's Landlock has network
 * rules (ABI 4), no TCP socket may bind or connect.  Returns the Landlock
 * ABI version in force (> 0), or -errno when the kernel has no Landlock or
 * a rule cannot be added (then nothing is restricted).
 */
int kh_landlock(const char *const *writable, int n, int block_tcp);

/*
 * On exit() and on SIGTERM, SIGINT, SIGHUP, SIGABRT, SIGTRAP, SIGSEGV,
 * SIGBUS, SIGILL and SIGFPE reaching the process: call `note(what,
 * status)` once ("exit" with the status, or "signal" with the number),
 * then end as the process would have.  `note` runs on the thread that
 * exited or took the signal; an alarm ends the process if it hangs.
 */
void kh_death_hooks(void (*note)(const char *what, int status));

/* The worker's own, normal end: the hooks note nothing from now on. */
void kh_death_hooks_disarm(void);

/*
 * Once the code under test may run: on every thread of the process (now
 * and later), refuse creating processes (fork, vfork, clone without
 * CLONE_THREAD), running programs (execve) and sockets (socket,
 * socketpair, io_uring).  Threads can still be started.  Returns 0, or
 * -errno when the kernel refuses the seccomp filter (nothing changed).
 */
int kh_contain(void);

/*
 * Count fork() calls from now on and end each copy at once (_exit(127)),
 * before it returns to its caller: a copy of the harness must not go on
 * running explorations and writing reports.
 */
void kh_fork_guard(void);
int kh_fork_count(void);

/* Make the calling process a child subreaper: 0 or -errno. */
int kh_subreaper(void);

/*
 * An unnamed read-write file in `dir` (O_TMPFILE, or a file unlinked at
 * once), close-on-exec: nothing is left behind however the process ends.
 * The descriptor, or -errno.
 */
int kh_capture_file(const char *dir);

/*
 * The loaded module a code address is in: its path (owned by the dynamic
 * linker; may be empty for the main program) and load base.  0, or -1
 * when no module holds it.
 */
int kh_code_module(const void *pc, const char **path, uintptr_t *base);

#ifdef __cplusplus
}
#endif
#endif /* KH_WORKER_H */
