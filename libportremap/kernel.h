/*
 * The kernel interfaces the library and portremap use, declared once under
 * the kernel's own names: musl and minimal images have no linux/ headers,
 * and libcap's may not be installed. Values are the kernel's ABI.
 */
#ifndef PORTREMAP_KERNEL_H
#define PORTREMAP_KERNEL_H

#include <stdint.h>

/* Capabilities (linux/capability.h). */
#define _LINUX_CAPABILITY_VERSION_3	0x20080522
#define CAP_SETGID			6
#define CAP_SETUID			7
#define CAP_NET_BIND_SERVICE		10
#define CAP_SYS_PTRACE			19

struct __user_cap_header_struct {
	uint32_t	version;
	int		pid;
};

struct __user_cap_data_struct {
	uint32_t	effective;
	uint32_t	permitted;
	uint32_t	inheritable;
};

/* Sockets (linux/in.h). */
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT		24
#endif
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP			262
#endif

/* seccomp (linux/seccomp.h, linux/filter.h, linux/audit.h). */
#define SECCOMP_SET_MODE_FILTER			1
#define SECCOMP_GET_NOTIF_SIZES			3
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW		(1UL << 2)
#define SECCOMP_FILTER_FLAG_NEW_LISTENER	(1UL << 3)
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV	(1UL << 5)	/* 5.19 */
#define SECCOMP_RET_ALLOW			0x7fff0000U
#define SECCOMP_RET_USER_NOTIF			0x7fc00000U
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE	(1U << 0)
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP	(1U << 0)	/* 6.6 */

struct seccomp_data {
	int32_t		nr;
	uint32_t	arch;
	uint64_t	instruction_pointer;
	uint64_t	args[6];
};

struct seccomp_notif_sizes {
	uint16_t	seccomp_notif;
	uint16_t	seccomp_notif_resp;
	uint16_t	seccomp_data;
};

struct seccomp_notif {
	uint64_t		id;
	uint32_t		pid;
	uint32_t		flags;
	struct seccomp_data	data;
};

struct seccomp_notif_resp {
	uint64_t	id;
	int64_t		val;
	int32_t		error;
	uint32_t	flags;
};

#define SECCOMP_IOC_MAGIC		'!'
#define SECCOMP_IOCTL_NOTIF_RECV	_IOWR(SECCOMP_IOC_MAGIC, 0, \
					    struct seccomp_notif)
#define SECCOMP_IOCTL_NOTIF_SEND	_IOWR(SECCOMP_IOC_MAGIC, 1, \
					    struct seccomp_notif_resp)
#define SECCOMP_IOCTL_NOTIF_ID_VALID	_IOW(SECCOMP_IOC_MAGIC, 2, uint64_t)
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS	_IOW(SECCOMP_IOC_MAGIC, 4, uint64_t)

/* A descriptor put into the calling process (5.9). */
struct seccomp_notif_addfd {
	uint64_t	id;
	uint32_t	flags;
	uint32_t	srcfd;
	uint32_t	newfd;
	uint32_t	newfd_flags;
};

#define SECCOMP_IOCTL_NOTIF_ADDFD	_IOW(SECCOMP_IOC_MAGIC, 3, \
					    struct seccomp_notif_addfd)

/* The kernel restarts a call that returns this, signal or not. */
#define ERESTARTNOINTR			513

struct sock_filter {
	uint16_t	code;
	uint8_t		jt;
	uint8_t		jf;
	uint32_t	k;
};

struct sock_fprog {
	unsigned short		 len;
	struct sock_filter	*filter;
};

#define BPF_LD		0x00
#define BPF_W		0x00
#define BPF_ABS		0x20
#define BPF_JMP		0x05
#define BPF_JEQ		0x10
#define BPF_K		0x00
#define BPF_RET		0x06

#define AUDIT_ARCH_X86_64	0xc000003eU
#define AUDIT_ARCH_I386		0x40000003U
#define AUDIT_ARCH_AARCH64	0xc00000b7U
#define AUDIT_ARCH_ARM		0x40000028U

/* pidfd (linux/pidfd.h); the numbers are one table on every architecture. */
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal	424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif
#define PIDFD_THREAD		O_EXCL	/* 6.9 */

/*
 * Scheduling: linux/sched/types.h's struct sched_attr, first version, named
 * apart from the one newer C libraries declare in <sched.h>.
 */
struct sched_attr_v0 {
	uint32_t	size;
	uint32_t	sched_policy;
	uint64_t	sched_flags;
	int32_t		sched_nice;
	uint32_t	sched_priority;
	uint64_t	sched_runtime;	/* SCHED_OTHER: the slice (6.12) */
	uint64_t	sched_deadline;
	uint64_t	sched_period;
};

#define SHORTEST_SLICE_NS	100000	/* the kernel's least */

#endif
