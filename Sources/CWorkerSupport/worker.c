// SPDX-License-Identifier: GPL-2.0-only
/*
 * Landlock sandbox and death hooks of the check-patch worker process.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kh_worker.h"

/* The Landlock ABI, spelled out: the build machine's headers may predate it. */
#define KH_LL_CREATE_RULESET_VERSION	(1U << 0)
#define KH_LL_RULE_PATH_BENEATH		1
#define KH_LL_FS_EXECUTE		(1ULL << 0)
#define KH_LL_FS_WRITE_FILE		(1ULL << 1)
#define KH_LL_FS_READ_FILE		(1ULL << 2)
#define KH_LL_FS_READ_DIR		(1ULL << 3)
#define KH_LL_FS_REMOVE_DIR		(1ULL << 4)
#define KH_LL_FS_REMOVE_FILE		(1ULL << 5)
#define KH_LL_FS_MAKE_CHAR		(1ULL << 6)
#define KH_LL_FS_MAKE_DIR		(1ULL << 7)
#define KH_LL_FS_MAKE_REG		(1ULL << 8)
#define KH_LL_FS_MAKE_SOCK		(1ULL << 9)
#define KH_LL_FS_MAKE_FIFO		(1ULL << 10)
#define KH_LL_FS_MAKE_BLOCK		(1ULL << 11)
#define KH_LL_FS_MAKE_SYM		(1ULL << 12)
#define KH_LL_FS_REFER			(1ULL << 13)	/* ABI 2 */
#define KH_LL_FS_TRUNCATE		(1ULL << 14)	/* ABI 3 */
#define KH_LL_NET_BIND_TCP		(1ULL << 0)	/* ABI 4 */
#define KH_LL_NET_CONNECT_TCP		(1ULL << 1)

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset	444
#define SYS_landlock_add_rule		445
#define SYS_landlock_restrict_self	446
#endif

struct kh_ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
};

struct kh_ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

int kh_landlock(const char *const *writable, int n, int block_tcp)
{
	struct kh_ll_ruleset_attr attr = { 0 };
	uint64_t write_dir, write_file;
	size_t attr_size;
	int abi, fd, i;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, KH_LL_CREATE_RULESET_VERSION);
	if (abi < 0)
		return -errno;
	write_file = KH_LL_FS_WRITE_FILE | (abi >= 3 ? KH_LL_FS_TRUNCATE : 0);
	write_dir = write_file | KH_LL_FS_REMOVE_DIR | KH_LL_FS_REMOVE_FILE |
		    KH_LL_FS_MAKE_CHAR | KH_LL_FS_MAKE_DIR | KH_LL_FS_MAKE_REG |
		    KH_LL_FS_MAKE_SOCK | KH_LL_FS_MAKE_FIFO | KH_LL_FS_MAKE_BLOCK |
		    KH_LL_FS_MAKE_SYM | (abi >= 2 ? KH_LL_FS_REFER : 0);
	attr.handled_access_fs = write_dir;
	attr_size = sizeof(attr.handled_access_fs);
	if (block_tcp && abi >= 4) {
		attr.handled_access_net = KH_LL_NET_BIND_TCP | KH_LL_NET_CONNECT_TCP;
		attr_size = sizeof(attr);
	}
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i <= n; i++) {
		const char *path = i < n ? writable[i] : "/dev/null";
		struct kh_ll_path_beneath_attr pb = { 0 };
		int dfd = open(path, O_PATH | O_CLOEXEC);

		if (dfd < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		pb.allowed_access = i < n ? write_dir : write_file;
		pb.parent_fd = dfd;
		if (syscall(SYS_landlock_add_rule, fd, KH_LL_RULE_PATH_BENEATH, &pb, 0)) {
			int e = errno;

			close(dfd);
			close(fd);
			return -e;
		}
		close(dfd);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_landlock_restrict_self, fd, 0)) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return abi;
}

static void (*kh_note)(const char *, int);
static int kh_noted;	/* the first death wins */

static void kh_at_exit(void);

static void kh_note_once(const char *what, int status)
{
	if (__atomic_exchange_n(&kh_noted, 1, __ATOMIC_SEQ_CST))
		return;
	if (kh_note)
		kh_note(what, status);
}

static int kh_exit_status;	/* set by on_exit */

static void kh_on_exit(int status, void *arg)
{
	(void)arg;
	kh_exit_status = status;
	kh_at_exit();
}

static void kh_at_exit(void)
{
	alarm(3);
	kh_note_once("exit", kh_exit_status);
}

static void kh_on_signal(int sig)
{
	alarm(3);
	kh_note_once("signal", sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

void kh_death_hooks(void (*note)(const char *what, int status))
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGABRT, SIGTRAP,
				    SIGSEGV, SIGBUS, SIGILL, SIGFPE };
	size_t i;

	kh_note = note;
	on_exit(kh_on_exit, NULL);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		/* keep the shim's own SIGSEGV/SIGBUS handling (crash findings) */
		if (sigaction(sigs[i], NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
		    sa.sa_handler != SIG_IGN)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = kh_on_signal;
		sa.sa_flags = SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

void kh_death_hooks_disarm(void)
{
	__atomic_store_n(&kh_noted, 1, __ATOMIC_SEQ_CST);
}

/*
 * seccomp: once the patched code may run, the process creates no other
 * process, runs no program and opens no socket, on every thread
 * (SECCOMP_FILTER_FLAG_TSYNC; Landlock only covers threads started after
 * it).  clone3 answers ENOSYS so that glibc starts threads with clone,
 * whose flags the filter can read: clone without CLONE_THREAD is a fork.
 * io_uring is refused because its requests bypass the filter.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>

#if defined(__x86_64__)
#define KH_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define KH_ARCH AUDIT_ARCH_AARCH64
#endif

#define KH_ERRNO(e) (SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))
#define KH_LD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define KH_RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
/* if nr == n: return v; else go on */
#define KH_DENY(n, v) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (n), 0, 1), KH_RET(v)

int kh_contain(void)
{
#ifdef KH_ARCH
	struct sock_filter f[] = {
		KH_LD(arch),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, KH_ARCH, 1, 0),
		KH_RET(KH_ERRNO(ENOSYS)),	/* a foreign syscall ABI */
		KH_LD(nr),
#ifdef __x86_64__
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),	/* x32 */
		KH_RET(KH_ERRNO(ENOSYS)),
#endif
		KH_DENY(__NR_clone3, KH_ERRNO(ENOSYS)),
#ifdef __NR_fork
		KH_DENY(__NR_fork, KH_ERRNO(EPERM)),
		KH_DENY(__NR_vfork, KH_ERRNO(EPERM)),
#endif
		KH_DENY(__NR_execve, KH_ERRNO(EPERM)),
		KH_DENY(__NR_execveat, KH_ERRNO(EPERM)),
		KH_DENY(__NR_socket, KH_ERRNO(EACCES)),
		KH_DENY(__NR_socketpair, KH_ERRNO(EACCES)),
		KH_DENY(__NR_io_uring_setup, KH_ERRNO(EPERM)),
		/* clone: a thread (CLONE_THREAD) is allowed, a fork is not */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 1, 0),
		KH_RET(KH_ERRNO(EPERM)),
		KH_RET(SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };
	long r;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (r < 0)
		return -errno;
	/* > 0: the id of a thread that could not take the filter */
	return r > 0 ? -EBUSY : 0;
#else
	return -ENOSYS;
#endif
}

static int kh_forks;	/* fork() calls since kh_fork_guard() */

static void kh_fork_prepare(void)
{
	__atomic_add_fetch(&kh_forks, 1, __ATOMIC_SEQ_CST);
}

static void kh_fork_child(void)
{
	/* the copy would go on running the harness: end it at once */
	_exit(127);
}

void kh_fork_guard(void)
{
	pthread_atfork(kh_fork_prepare, NULL, kh_fork_child);
}

int kh_fork_count(void)
{
	return __atomic_load_n(&kh_forks, __ATOMIC_SEQ_CST);
}

int kh_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) ? -errno : 0;
}

int kh_capture_file(const char *dir)
{
	size_t n = strlen(dir);
	char *path;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	/* a file system without O_TMPFILE: a named file, unlinked at once */
	path = malloc(n + sizeof("/kharness-output-XXXXXX"));
	if (!path)
		return -ENOMEM;
	memcpy(path, dir, n);
	memcpy(path + n, "/kharness-output-XXXXXX", sizeof("/kharness-output-XXXXXX"));
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		fd = -errno;
	} else {
		unlink(path);
	}
	free(path);
	return fd;
}

int kh_code_module(const void *pc, const char **path, uintptr_t *base)
{
	Dl_info info;

	if (!dladdr(pc, &info) || !info.dli_fbase)
		return -1;
	*path = info.dli_fname ? info.dli_fname : "";
	*base = (uintptr_t)info.dli_fbase;
	return 0;
}
