/*
 * portremap's second mechanism, for programs that make their system calls
 * themselves (static binaries, Go): the program runs under a seccomp filter
 * (with no_new_privs) that hands its bind() and getsockname() calls to this
 * process, which stays as its parent. A bind on a mapped port is made here,
 * on the program's own socket (pidfd_getfd), as the library would make it;
 * getsockname() on a remapped socket is answered with the source port,
 * written into the program's buffer. Every other call goes on untouched
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE). A notification is checked to be still
 * valid before acting on it and before answering it.
 *
 * Its own calls on the program's sockets are system calls made directly:
 * portremap may itself run with the library preloaded (an image's
 * ENV LD_PRELOAD), which must not remap or rewrite them a second time.
 *
 * Not a privilege boundary: the supervisor runs with the program's
 * credentials, reads at most a socket address and a length from its memory,
 * and writes only the buffer and length getsockname() was given.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decide.h"
#include "map.h"
#include "marks.h"
#include "say.h"
#include "settings.h"
#include "sockaddr.h"
#include "supervise.h"
#include "sys.h"

/* The kernel's interfaces, declared here: musl has no linux/ headers. */
#define SECCOMP_SET_MODE_FILTER			1
#define SECCOMP_FILTER_FLAG_NEW_LISTENER	(1UL << 3)
#define SECCOMP_RET_ALLOW			0x7fff0000U
#define SECCOMP_RET_USER_NOTIF			0x7fc00000U
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE	1U

struct syscall_data {
	int32_t		nr;
	uint32_t	arch;
	uint64_t	ip;
	uint64_t	args[6];
};

struct notif {
	uint64_t		id;
	uint32_t		pid;
	uint32_t		flags;
	struct syscall_data	data;
};

struct notif_resp {
	uint64_t	id;
	int64_t		val;
	int32_t		error;
	uint32_t	flags;
};

#define NOTIF_RECV	_IOWR('!', 0, struct notif)
#define NOTIF_SEND	_IOWR('!', 1, struct notif_resp)
#define NOTIF_ID_VALID	_IOW('!', 2, uint64_t)
#define NOTIF_SET_FLAGS	_IOW('!', 4, uint64_t)
#define NOTIF_FD_SYNC_WAKE_UP	1	/* Linux 6.6: hand the CPU over */

struct bpf_insn {
	uint16_t	code;
	uint8_t		jt;
	uint8_t		jf;
	uint32_t	k;
};

struct bpf_program {
	unsigned short	 len;
	struct bpf_insn	*insns;
};

#define BPF_LOAD_WORD	0x20	/* BPF_LD | BPF_W | BPF_ABS */
#define BPF_JUMP_EQ	0x15	/* BPF_JMP | BPF_JEQ | BPF_K */
#define BPF_RETURN	0x06	/* BPF_RET | BPF_K */

#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE	0xc000003eU
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE	0xc00000b7U
#endif

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif
#define PIDFD_THREAD		O_EXCL

#define EXIT_CANNOT_RUN		126

static const int forwarded[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

struct call {
	int			 listener;
	struct notif		 n;
	const struct settings	*s;
};

/* One line naming what is missing and what to do; status 126. */
static int
refuse(const char *what, int err)
{
	fprintf(stderr, "portremap: cannot supervise the program: %s (%s); "
	    "it needs Linux 5.9 or later, and a container seccomp profile "
	    "that allows seccomp() and pidfd_getfd(); or run it with "
	    "--no-supervise if it uses the C library's bind()\n", what,
	    strerror(err));
	return EXIT_CANNOT_RUN;
}

#ifdef AUDIT_ARCH_NATIVE
/* Calls of another architecture (32-bit compat) are let through. */
static int
install_filter(int loopback)
{
	struct bpf_insn insns[16];
	const long calls[] = { SYS_bind, SYS_getsockname, SYS_connect,
	    SYS_getpeername };
	unsigned n = 0, count = loopback ? 4 : 2;
	struct bpf_program prog;

	insns[n++] = (struct bpf_insn){ BPF_LOAD_WORD, 0, 0,
	    offsetof(struct syscall_data, arch) };
	insns[n++] = (struct bpf_insn){ BPF_JUMP_EQ, 0, (uint8_t)(count + 1),
	    AUDIT_ARCH_NATIVE };
	insns[n++] = (struct bpf_insn){ BPF_LOAD_WORD, 0, 0,
	    offsetof(struct syscall_data, nr) };
	for (unsigned i = 0; i < count; i++)
		insns[n++] = (struct bpf_insn){ BPF_JUMP_EQ,
		    (uint8_t)(count - i), 0, (uint32_t)calls[i] };
	insns[n++] = (struct bpf_insn){ BPF_RETURN, 0, 0, SECCOMP_RET_ALLOW };
	insns[n++] = (struct bpf_insn){ BPF_RETURN, 0, 0,
	    SECCOMP_RET_USER_NOTIF };
	prog.len = (unsigned short)n;
	prog.insns = insns;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}
#else
static int
install_filter(int loopback)
{
	(void)loopback;
	errno = ENOSYS;
	return -1;
}
#endif

static void
send_fd(int sock, int err, int fd)
{
	struct msghdr msg = { 0 };
	struct iovec iov = { &err, sizeof(err) };
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} control;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		control.hdr.cmsg_level = SOL_SOCKET;
		control.hdr.cmsg_type = SCM_RIGHTS;
		control.hdr.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&control.hdr), &fd, sizeof(int));
	}
	(void)sendmsg(sock, &msg, 0);
}

/* The child's error, or the listener it sent; -1 on a closed socket. */
static int
receive_fd(int sock, int *err)
{
	struct msghdr msg = { 0 };
	struct iovec iov = { err, sizeof(*err) };
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct cmsghdr *c;
	int fd = -1;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	*err = EPIPE;
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	if ((c = CMSG_FIRSTHDR(&msg)) != NULL && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void __attribute__((noreturn))
run_child(int sock, char *const argv[], const sigset_t *mask, int loopback)
{
	int listener, err = 0;
	char go;

	sigprocmask(SIG_SETMASK, mask, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    (listener = install_filter(loopback)) < 0) {
		send_fd(sock, errno, -1);
		_exit(EXIT_CANNOT_RUN);
	}
	send_fd(sock, 0, listener);
	close(listener);
	/* Exec only once the supervisor holds the listener. */
	if (read(sock, &go, 1) != 1)
		_exit(EXIT_CANNOT_RUN);
	close(sock);
	execvp(argv[0], argv);
	err = errno;
	fprintf(stderr, "portremap: cannot run %s: %s\n", argv[0],
	    strerror(err));
	_exit(err == ENOENT ? 127 : EXIT_CANNOT_RUN);
}

static int
still_valid(const struct call *c)
{
	uint64_t id = c->n.id;

	return ioctl(c->listener, NOTIF_ID_VALID, &id) == 0;
}

static void
answer(const struct call *c, int64_t val, int err, uint32_t flags)
{
	struct notif_resp r = { c->n.id, val, err != 0 ? -err : 0, flags };

	(void)ioctl(c->listener, NOTIF_SEND, &r);
}

static void
go_on(const struct call *c)
{
	answer(c, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

static int
read_memory(pid_t pid, uint64_t at, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)at, len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) ==
	    (ssize_t)len ? 0 : -1;
}

static int
write_memory(pid_t pid, uint64_t at, const void *buf, size_t len)
{
	struct iovec local = { (void *)(uintptr_t)buf, len };
	struct iovec remote = { (void *)(uintptr_t)at, len };

	return process_vm_writev(pid, &local, 1, &remote, 1, 0) ==
	    (ssize_t)len ? 0 : -1;
}

/* A field of /proc/TID/status ("Tgid:", "Uid:", "CapEff:"), or -1. */
static long long
status_field(pid_t tid, const char *field, int base)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0) {
			value = strtoll(line + n, NULL, base);
			break;
		}
	fclose(f);
	return value;
}

/* The calling thread's socket fd, as our own descriptor, or -1. */
static int
their_socket(pid_t tid, int fd)
{
	int pidfd, sock;
	long long tgid;

	pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (pidfd < 0 && (tgid = status_field(tid, "Tgid:", 10)) > 0)
		pidfd = (int)syscall(SYS_pidfd_open, (pid_t)tgid, 0);
	if (pidfd < 0)
		return -1;
	sock = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return sock;
}

static void
on_bind(const struct call *c)
{
	const struct settings *s = c->s;
	const uint64_t *a = c->n.data.args;
	pid_t tid = (pid_t)c->n.pid;
	struct sockaddr_storage addr, copy;
	socklen_t len = (socklen_t)a[2];
	int family, port, sock, capable = 0, err;
	unsigned target;
	long long tgid;

	if (len < sizeof(struct sockaddr_in) || len > sizeof(addr) ||
	    read_memory(tid, a[1], &addr, len) != 0 ||
	    (port = sockaddr_inet_port((struct sockaddr *)&addr, len,
	    &family)) <= 0 || family == AF_UNSPEC ||
	    (target = map_target(&s->map, (unsigned)port)) == 0 ||
	    (sock = their_socket(tid, (int)a[0])) < 0) {
		go_on(c);
		return;
	}
	if (socket_transport(sock) == 0) {
		close(sock);
		go_on(c);
		return;
	}
	if (s->mode == MODE_AUTO)
		capable = (status_field(tid, "CapEff:", 16) >>
		    10 & 1) == 1;
	if (!still_valid(c)) {
		close(sock);
		return;
	}
	if (decide(s->mode, capable) == ACTION_TRY_FIRST &&
	    (err = -(int)sys_bind(sock, (struct sockaddr *)&addr, len)) !=
	    EACCES) {
		answer(c, err == 0 ? 0 : -1, err, 0);
		close(sock);
		return;
	}
	memcpy(&copy, &addr, len);
	sockaddr_set_port(&copy, target);
	err = -(int)sys_bind(sock, (struct sockaddr *)&copy, len);
	tgid = status_field(tid, "Tgid:", 10);
	if (err == 0) {
		tag_socket(sock);
		if (s->log_level >= 1)
			say_remap(tgid, (unsigned)status_field(tid, "Uid:", 10),
			    s->mode, capable, (struct sockaddr *)&addr,
			    (unsigned)port, target);
	} else if (s->log_level >= 2 || (s->log_level >= 1 &&
	    worth_saying(err))) {
		say_remap_failed(tgid, (struct sockaddr *)&addr, (unsigned)port,
		    target, err, 0);
	}
	answer(c, err == 0 ? 0 : -1, err, 0);
	close(sock);
}

/*
 * connect() to a mapped port on loopback (PORTREMAP_CONNECT=loopback): as
 * the library does, TCP asks the port itself first, and only the kernel's
 * refusal sends the connection to the target. It is made here, on the
 * program's socket; a loopback handshake completes within the call.
 */
static void
on_connect(const struct call *c)
{
	const uint64_t *a = c->n.data.args;
	pid_t tid = (pid_t)c->n.pid;
	struct sockaddr_storage addr, copy;
	socklen_t len = (socklen_t)a[2];
	int family, port, sock, transport, err;
	unsigned target;

	if (len < sizeof(struct sockaddr_in) || len > sizeof(addr) ||
	    read_memory(tid, a[1], &addr, len) != 0 ||
	    (port = sockaddr_inet_port((struct sockaddr *)&addr, len,
	    &family)) <= 0 || family == AF_UNSPEC ||
	    !sockaddr_is_loopback(&addr, (unsigned)family) ||
	    (target = map_target(&c->s->map, (unsigned)port)) == 0 ||
	    (sock = their_socket(tid, (int)a[0])) < 0) {
		go_on(c);
		return;
	}
	if ((transport = socket_transport(sock)) == 0 || !still_valid(c)) {
		close(sock);
		if (transport == 0)
			go_on(c);
		return;
	}
	if (transport == TRANSPORT_STREAM) {
		err = -(int)sys_connect(sock, (struct sockaddr *)&addr, len);
		if (err == EINPROGRESS && (err = -(int)sys_connect(sock,
		    (struct sockaddr *)&addr, len)) == EALREADY)
			err = EINPROGRESS;
		if (err != ECONNREFUSED) {
			answer(c, err == 0 ? 0 : -1, err, 0);
			close(sock);
			return;
		}
	}
	memcpy(&copy, &addr, len);
	sockaddr_set_port(&copy, target);
	err = -(int)sys_connect(sock, (struct sockaddr *)&copy, len);
	if (err == 0 || err == EINPROGRESS) {
		tag_socket(sock);
		if (c->s->log_level >= 2)
			say_connect(status_field(tid, "Tgid:", 10),
			    (struct sockaddr *)&addr, (unsigned)port, target);
	}
	answer(c, err == 0 ? 0 : -1, err, 0);
	close(sock);
}

/*
 * getsockname() of a remapped socket, or getpeername() of a connection
 * sent to a target on loopback: the port the program asked for, written
 * into its buffer and length as the kernel would write them. Any other
 * socket goes on to the kernel.
 */
static void
answer_name(const struct call *c, int peer)
{
	const uint64_t *a = c->n.data.args;
	pid_t tid = (pid_t)c->n.pid;
	struct sockaddr_storage name;
	socklen_t room, len = sizeof(name);
	unsigned source, family;
	int sock, got;

	if (a[2] == 0 || read_memory(tid, a[2], &room, sizeof(room)) != 0 ||
	    (int)room < 0 || (sock = their_socket(tid, (int)a[0])) < 0) {
		go_on(c);
		return;
	}
	got = (int)(peer ? sys_getpeername(sock, (struct sockaddr *)&name,
	    &len) : sys_getsockname(sock, (struct sockaddr *)&name, &len));
	if (got != 0 || len < PORT_END ||
	    ((family = sockaddr_family(&name)) != AF_INET &&
	    family != AF_INET6) ||
	    (peer && !sockaddr_is_loopback(&name, family)) ||
	    (source = map_source(&c->s->map, sockaddr_get_port(&name))) == 0 ||
	    !socket_is_tagged(sock)) {
		close(sock);
		go_on(c);
		return;
	}
	close(sock);
	sockaddr_set_port(&name, source);
	if (!still_valid(c))
		return;
	if ((room > 0 && write_memory(tid, a[1], &name, room < len ? room :
	    len) != 0) || write_memory(tid, a[2], &len, sizeof(len)) != 0) {
		answer(c, -1, EFAULT, 0);
		return;
	}
	answer(c, 0, 0, 0);
}

static void
on_call(const struct call *c)
{
	long nr = c->n.data.nr;

	if (nr == SYS_bind)
		on_bind(c);
	else if (nr == SYS_getsockname)
		answer_name(c, 0);
	else if (nr == SYS_connect)
		on_connect(c);
	else if (nr == SYS_getpeername)
		answer_name(c, 1);
	else
		go_on(c);
}

/* Reap every child that ended; the program's status once it has. */
static int
reap(pid_t program, int *status)
{
	int done = 0, st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == program) {
			*status = WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st);
			done = 1;
		}
	return done;
}

/*
 * Answer notifications until the program has exited and no process it
 * started is left under the filter (the listener then hangs up): a program
 * that daemonizes keeps its supervisor. The status is the program's own.
 */
static int
serve(int listener, int sigfd, pid_t program, const struct settings *s)
{
	struct pollfd fds[2] = {
		{ .fd = listener, .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	struct call c = { .listener = listener, .s = s };
	int status = 0, exited = 0;

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return EXIT_CANNOT_RUN;
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo != SIGCHLD)
					kill(program, (int)si.ssi_signo);
				else if (reap(program, &status))
					exited = 1;
			}
		}
		if (fds[0].revents & POLLIN) {
			memset(&c.n, 0, sizeof(c.n));
			if (ioctl(listener, NOTIF_RECV, &c.n) == 0)
				on_call(&c);
		} else if (fds[0].revents & (POLLHUP | POLLERR)) {
			fds[0].fd = -1;	/* no supervised process is left */
		}
		if (exited && fds[0].fd < 0)
			return status;
	}
}

int
supervise(char *const argv[], const struct settings *s)
{
	sigset_t mask, old;
	int sv[2], listener, err, sigfd, probe, pidfd, status;
	pid_t pid;
	char go = 1;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&mask, forwarded[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return refuse("socketpair", errno);
	if ((pid = fork()) < 0)
		return refuse("fork", errno);
	if (pid == 0) {
		close(sv[0]);
		run_child(sv[1], argv, &old, s->active && s->connect_loopback);
	}
	close(sv[1]);
	if ((listener = receive_fd(sv[0], &err)) < 0) {
		waitpid(pid, &status, 0);
		return refuse("seccomp() with user notification was refused",
		    err);
	}
	/* Can this process take the program's sockets? Try on its socket. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	probe = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, sv[1],
	    0);
	err = errno;
	if (pidfd >= 0)
		close(pidfd);
	if (probe < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return refuse(pidfd < 0 ? "pidfd_open() was refused" :
		    "pidfd_getfd() was refused (ptrace restrictions?)", err);
	}
	close(probe);
	if ((sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return refuse("signalfd", errno);
	/* Older kernels lack it and only answer more slowly. */
	(void)ioctl(listener, NOTIF_SET_FLAGS, NOTIF_FD_SYNC_WAKE_UP);
	if (write(sv[0], &go, 1) != 1)
		return refuse("starting the program", errno);
	close(sv[0]);
	return serve(listener, sigfd, pid, s);
}
