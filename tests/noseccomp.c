/*
 * Runs a command under a seccomp filter that refuses system calls with
 * EPERM, as a strict container profile does, so that the suite sees what
 * portremap's supervisor does there: seccomp; pidfd_getfd; or docker, the
 * calls Docker's and containerd's default profiles refuse without
 * CAP_SYS_PTRACE (pidfd_getfd, process_vm_readv, process_vm_writev); or
 * noptrace, those and ptrace.
 * Usage: noseccomp seccomp|pidfd_getfd|docker|noptrace COMMAND [ARG...]
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
	const char *which = argc > 1 ? argv[1] : "";
	int docker = strcmp(which, "docker") == 0;
	int noptrace = strcmp(which, "noptrace") == 0;
	unsigned refused = docker || noptrace ||
	    strcmp(which, "pidfd_getfd") == 0 ? SYS_pidfd_getfd : SYS_seccomp;
	unsigned also = docker || noptrace ? SYS_process_vm_readv : refused;
	unsigned and_also = docker ? SYS_process_vm_writev :
	    noptrace ? SYS_ptrace : refused;
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, refused, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, also, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, and_also, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	};
	struct sock_fprog prog = { 6, filter };

	if (argc < 3 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		perror("noseccomp");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
