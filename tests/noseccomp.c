/*
 * Runs a command under a seccomp filter that refuses one system call
 * (seccomp or pidfd_getfd) with EPERM, as a strict container profile does,
 * so that the suite sees what portremap's supervisor says there.
 * Usage: noseccomp seccomp|pidfd_getfd COMMAND [ARG...]
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd	438
#endif

int
main(int argc, char **argv)
{
	unsigned refused = argc > 1 && strcmp(argv[1], "pidfd_getfd") == 0 ?
	    SYS_pidfd_getfd : SYS_seccomp;
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, refused, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { 4, filter };

	if (argc < 3 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		perror("noseccomp");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
