// SPDX-License-Identifier: GPL-2.0-only
/*
 * Landlock sandbox and death hooks of the check-patch worker process.
 */
#define _GNU_SOURCE
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
