/*
 * portremap's second mechanism, for programs that make their system calls
 * themselves (static binaries, Go): the program runs under a seccomp filter
 * (filter.c, with no_new_privs) that hands its bind() and getsockname()
 * calls to this process, its parent, which answers them (notify.c).
 *
 * The life around it, as a careful PID 1 would have it:
 * - The program runs in a process group of its own, given the terminal's
 *   foreground when portremap had it, as tini does: the terminal's signals
 *   (Ctrl-C) reach the program alone, and a signal sent to portremap's
 *   group reaches portremap alone. Signals portremap receives go to the
 *   program through a pidfd, so that a reused pid never gets them: each
 *   signal reaches the program once. When the program stops (Ctrl-Z),
 *   portremap hands the terminal back and stops too, so that the shell
 *   sees its job stop; continued, it gives the terminal back and continues
 *   the program.
 * - portremap reaps every child, orphans included (it is their subreaper),
 *   and stays while a supervised process is left; it exits with the
 *   program's status. Once the program has ended, a terminating signal
 *   ends portremap.
 * - The program dies with portremap (PR_SET_PDEATHSIG), unless it changed
 *   its credentials since (the kernel then forgets that request).
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"
#include "settings.h"
#include "supervise.h"

static const int forwarded[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

/*
 * Why supervision cannot start, before the program has: one line naming
 * what is missing and what to do, and status 126; or, where the caller can
 * do without it, the reason in refusal and SUPERVISION_REFUSED.
 */
static int
refuse(char *refusal, size_t len, const char *what, int err)
{
	if (refusal != NULL)
		snprintf(refusal, len, "%s: %s", what, strerror(err));
	else if (err == EBUSY)
		fprintf(stderr, "portremap: cannot supervise the program: %s "
		    "(%s): it already runs under a seccomp supervisor (another "
		    "portremap, or its container's), and the kernel allows one "
		    "per process; run it without this portremap, or with "
		    "--no-supervise if it uses the C library's bind()\n", what,
		    strerror(err));
	else
		fprintf(stderr, "portremap: cannot supervise the program: %s "
		    "(%s); it needs Linux 5.9 or later, and a container seccomp "
		    "profile that allows seccomp(), and pidfd_getfd() or "
		    "ptrace(); or run it with --no-supervise if it uses the C "
		    "library's bind()\n", what, strerror(err));
	return refusal != NULL ? SUPERVISION_REFUSED : EXIT_CANNOT_RUN;
}

/* What the child tells: an error, or the listener and how it waits. */
struct started {
	int	err;
	int	killable;
};

static void
send_fd(int sock, const struct started *st, int fd)
{
	struct msghdr msg = { 0 };
	struct iovec iov = { (void *)(uintptr_t)st, sizeof(*st) };
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

/* The listener the child sent, or -1 with st->err; -1 on a closed socket. */
static int
receive_fd(int sock, struct started *st)
{
	struct msghdr msg = { 0 };
	struct iovec iov = { st, sizeof(*st) };
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
	st->err = EPIPE;
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	if ((c = CMSG_FIRSTHDR(&msg)) != NULL && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * The terminal portremap runs in the foreground of, or -1: the program is
 * given its foreground.
 */
static int
foreground_terminal(void)
{
	return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp() ?
	    STDIN_FILENO : -1;
}

/* Put group in the terminal's foreground, from the background if need be. */
static void
give_terminal(int tty, pid_t group)
{
	sigset_t ttou, old;

	if (tty < 0)
		return;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	(void)tcsetpgrp(tty, group);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void __attribute__((noreturn))
run_child(int sock, char *const argv[], const sigset_t *mask, int loopback,
    int interruptible, pid_t parent, int tty)
{
	struct started st = { 0, 0 };
	int listener, err;
	char go;

	(void)setpgid(0, 0);
	/* Not one supervised call without a supervisor. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 ||
	    getppid() != parent)
		_exit(EXIT_CANNOT_RUN);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    (listener = install_filter(loopback, interruptible,
	    &st.killable)) < 0) {
		st.err = errno;
		send_fd(sock, &st, -1);
		_exit(EXIT_CANNOT_RUN);
	}
	send_fd(sock, &st, listener);
	close(listener);
	/* Exec only once the supervisor holds the listener; a probe never. */
	if (read(sock, &go, 1) != 1 || argv == NULL)
		_exit(EXIT_CANNOT_RUN);
	close(sock);
	give_terminal(tty, getpgrp());
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvp(argv[0], argv);
	err = errno;
	fprintf(stderr, "portremap: cannot run %s: %s\n", argv[0],
	    strerror(err));
	_exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/*
 * The program stopped on the terminal (Ctrl-Z): hand the terminal back and
 * stop as it did, for the shell; once continued, continue the program.
 */
static void
stop_with(pid_t program, int tty, int sig)
{
	give_terminal(tty, getpgrp());
	(void)raise(sig == SIGTTIN || sig == SIGTTOU ? sig : SIGTSTP);
	give_terminal(tty, program);
	(void)kill(-program, SIGCONT);
}

/*
 * Reap every child that ended; the program's status once it has, and the
 * terminal back to portremap's group.
 */
static int
reap(pid_t program, int tty, int *status)
{
	int done = 0, st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG | (tty >= 0 ? WUNTRACED : 0))) >
	    0) {
		if (pid != program)
			continue;
		if (WIFSTOPPED(st)) {
			stop_with(program, tty, WSTOPSIG(st));
			continue;
		}
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		give_terminal(tty, getpgrp());
		done = 1;
	}
	return done;
}

static int
terminating(int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP ||
	    sig == SIGQUIT;
}

/* Two copies of one signal from one sender closer than this are one. */
#define SAME_SIGNAL_NS	50000000L

/*
 * A signal for the program, which has no other copy (its own group). A
 * sender that signals portremap and then its group (GNU timeout) sends two
 * copies back to back; a program in that group would have had the second
 * merged into the first, still pending. Forwarded, the first is often
 * delivered before the second comes: so the second is dropped here.
 */
static void
forward(int pidfd, const struct signalfd_siginfo *si)
{
	static struct signalfd_siginfo last;
	static struct timespec last_at;
	struct timespec now;
	long apart;

	clock_gettime(CLOCK_MONOTONIC, &now);
	apart = (now.tv_sec - last_at.tv_sec) * 1000000000L +
	    (now.tv_nsec - last_at.tv_nsec);
	if (si->ssi_signo == last.ssi_signo && si->ssi_pid == last.ssi_pid &&
	    si->ssi_code == last.ssi_code && apart < SAME_SIGNAL_NS)
		return;
	last = *si;
	last_at = now;
	(void)syscall(SYS_pidfd_send_signal, pidfd, (int)si->ssi_signo, NULL,
	    0);
}

/*
 * Answer notifications until the program has exited and no process it
 * started is left under the filter (the listener then hangs up): a program
 * that daemonizes keeps its supervisor. The status is the program's own.
 */
static int
serve(struct supervisor *sup, int listener, int sigfd, pid_t program,
    int pidfd, int tty)
{
	struct pollfd fds[2] = {
		{ .fd = listener, .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	int status = 0, exited = 0;

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return EXIT_CANNOT_RUN;
		}
		if (fds[1].revents & POLLIN) {
			while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					exited |= reap(program, tty, &status);
				else if (!exited)
					forward(pidfd, &si);
				else if (terminating((int)si.ssi_signo))
					return status;
			}
		}
		if (fds[0].revents & POLLIN) {
			if (supervisor_serve_one(sup) != 0)
				fds[0].fd = -1;
			/* Its end, seen while one of its threads was held. */
			if (supervisor_reaped(sup, &status)) {
				status = WIFEXITED(status) ?
				    WEXITSTATUS(status) :
				    128 + WTERMSIG(status);
				give_terminal(tty, getpgrp());
				exited = 1;
			}
		} else if (fds[0].revents & (POLLHUP | POLLERR)) {
			fds[0].fd = -1;	/* no supervised process is left */
		}
		if (exited && fds[0].fd < 0)
			return status;
	}
}

/*
 * The supervisor runs in bursts of a few microseconds while a thread of
 * the program waits for it. Since Linux 6.12 a task may ask for a short
 * slice, and the scheduler then runs it as soon as it is woken instead of
 * after the tasks queued there before it (tens of microseconds on a busy
 * machine). Its policy and nice value stay as they were; older kernels
 * ignore the slice, and a refusal changes nothing.
 */
static void
answer_promptly(void)
{
	struct sched_attr_v0 attr;

	if (syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) != 0 ||
	    attr.sched_policy != SCHED_OTHER)
		return;
	attr.size = sizeof(attr);
	attr.sched_runtime = SHORTEST_SLICE_NS;
	(void)syscall(SYS_sched_setattr, 0, &attr, 0);
}

/*
 * Can this process take the program's sockets and read its memory
 * directly? Try on its socket, and on its copy of this process's memory
 * (it is a fork). Docker's and containerd's default seccomp profiles
 * refuse both without CAP_SYS_PTRACE.
 */
static int
can_take_sockets(pid_t pid, int pidfd, int fd)
{
	static const char probe_bytes[] = "portremap";
	char got[sizeof(probe_bytes)];
	struct iovec local = { got, sizeof(got) };
	struct iovec remote = { (void *)(uintptr_t)probe_bytes, sizeof(got) };
	int probe = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);

	if (probe < 0)
		return 0;
	close(probe);
	return process_vm_readv(pid, &local, 1, &remote, 1, 0) ==
	    (ssize_t)sizeof(got);
}

/* Can it take them through the program's threads instead (hold.c)? */
static int
can_hold(pid_t pid)
{
	char path[64];
	int mem;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	if ((mem = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return 0;
	close(mem);
	return hold_possible(pid) == 0;
}

/*
 * The program never started: end the child waiting to, and leave this
 * process as it was, for the caller to run the program another way.
 */
static void
abandon(pid_t pid, const sigset_t *old, int fds[], size_t n)
{
	int status;

	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	(void)prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	sigprocmask(SIG_SETMASK, old, NULL);
}

int
supervise(char *const argv[], const struct settings *s, char *refusal,
    size_t len)
{
	struct supervisor *sup;
	struct started st;
	sigset_t mask, old;
	int sv[2], err, sigfd, status;
	/* What is closed when the program does not start: */
	int fds[4] = { -1, -1, -1, -1 };	/* sv[0], listener, pidfd, sigfd */
	int tty = foreground_terminal();
	pid_t pid, self = getpid();
	const char *wait = getenv("PORTREMAP_SUPERVISOR_WAIT");
	const char *pidfds = getenv("PORTREMAP_SUPERVISOR_PIDFD");
	/* For tests, as on older kernels: signals interrupt the wait (5.19), */
	int interruptible = wait != NULL && strcmp(wait, "interruptible") == 0;
	/* and a pidfd names a process, not a thread (6.9). */
	int thread_pidfds = pidfds == NULL || strcmp(pidfds, "process") != 0;
	const char *what;
	char go = 1;
	int by_ptrace = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&mask, forwarded[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		err = errno;
		abandon(0, &old, fds, 4);
		return refuse(refusal, len, "socketpair", err);
	}
	fds[0] = sv[0];
	if ((pid = fork()) < 0) {
		err = errno;
		close(sv[1]);
		abandon(0, &old, fds, 4);
		return refuse(refusal, len, "fork", err);
	}
	if (pid == 0) {
		close(sv[0]);
		run_child(sv[1], argv, &old, s->connect_loopback,
		    interruptible, self, tty);
	}
	(void)setpgid(pid, pid);	/* as the child does: no race */
	close(sv[1]);
	if ((fds[1] = receive_fd(sv[0], &st)) < 0) {
		err = st.err;
		what = "seccomp() with user notification was refused";
	} else if ((fds[2] = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
		err = errno;
		what = "pidfd_open() was refused";
	} else if (!can_take_sockets(pid, fds[2], sv[1]) &&
	    !(by_ptrace = can_hold(pid))) {
		err = errno;
		what = "pidfd_getfd() or process_vm_readv(), and ptrace(), were "
		    "refused";
	} else if (argv == NULL) {
		abandon(pid, &old, fds, 4);
		return by_ptrace ? SUPERVISION_HELD : SUPERVISION_DIRECT;
	} else if ((sup = supervisor_new(fds[1], st.killable, thread_pidfds,
	    by_ptrace, pid, s)) == NULL) {
		err = errno;
		what = "SECCOMP_GET_NOTIF_SIZES";
	} else if ((fds[3] = sigfd = signalfd(-1, &mask, SFD_CLOEXEC |
	    SFD_NONBLOCK)) < 0) {
		err = errno;
		what = "signalfd";
	} else {
		/* Older kernels lack it and only answer more slowly. */
		(void)ioctl(fds[1], SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
		answer_promptly();	/* the program has not inherited it */
		if (write(sv[0], &go, 1) == 1) {
			close(sv[0]);
			return serve(sup, fds[1], sigfd, pid, fds[2], tty);
		}
		/* The child is gone before it could start the program. */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return refuse(NULL, 0, "starting the program", EPIPE);
	}
	abandon(pid, &old, fds, 4);
	return refuse(refusal, len, what, err);
}
