/*
 * Taking a program's socket through one of its threads, held (hold.c): the
 * thread sends it to the supervisor, as SCM_RIGHTS over a unix socket
 * whose other end is the supervisor's. That end is put into the program
 * with SECCOMP_IOCTL_NOTIF_ADDFD; the message lives in a page mapped in the
 * program by the thread, once. Neither is ever below the stack pointer:
 * Go's goroutine stacks leave only about 128 bytes there.
 *
 * Both are the program's own from then on: it may close the descriptor,
 * reuse its number, unmap the page, fork or exec. So both are checked
 * before each use, as the thread sees them: the descriptor must still be
 * this socket (its /proc link), and the page must hold this supervisor's
 * random cookie. Whatever fails the check is made anew. Each message
 * carries a number of its own, so that whatever else arrives on the
 * supervisor's end is told apart and closed.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"
#include "supervise.h"

/* The page's start, as the program sees it (the pointers are its own). */
struct scratch {
	uint64_t	cookie;
	uint64_t	number;		/* the message's, its one byte of data */
	struct msghdr	msg;
	struct iovec	iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} control;
};

#define PAGE	4096

#ifndef SYS_mmap
#define SYS_mmap	SYS_mmap2	/* 32-bit: the offset in pages */
#endif

int
taker_init(struct taker *t)
{
	int pair[2];
	struct stat st;
	struct timespec now;

	memset(t, 0, sizeof(*t));
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) != 0)
		return -1;
	t->ours = pair[0];
	t->theirs = pair[1];
	if (fstat(t->theirs, &st) != 0) {
		close(pair[0]);
		close(pair[1]);
		return -1;
	}
	snprintf(t->link, sizeof(t->link), "socket:[%lu]",
	    (unsigned long)st.st_ino);
	if (getrandom(&t->cookie, sizeof(t->cookie), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(t->cookie)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		t->cookie = ((uint64_t)now.tv_nsec << 32) ^
		    (uint64_t)now.tv_sec ^ (uint64_t)getpid();
	}
	t->cookie |= 1;		/* never the zeros of a fresh page */
	return 0;
}

/* Is fd, in the thread's table, the supervisor's socket? */
static int
is_ours(const struct taker *t, pid_t tid, int fd)
{
	char path[64], link[sizeof(t->link)];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, fd);
	len = readlink(path, link, sizeof(link));
	return len == (ssize_t)strlen(t->link) &&
	    memcmp(link, t->link, (size_t)len) == 0;
}

/*
 * What is known of a process. Its memory, opened once: a descriptor of
 * /proc/PID/mem keeps to the memory it was opened on, and reads nothing
 * once that is gone (exec, or the end of the process and its pid reused).
 */
struct take_slot *
take_slot_of(struct taker *t, pid_t tgid)
{
	struct take_slot *slot = &t->slots[(unsigned)tgid % TAKE_SLOTS];

	if (slot->tgid != tgid) {
		if (slot->tgid != 0 && slot->mem >= 0)
			close(slot->mem);
		slot->tgid = tgid;
		slot->mem = -1;
		slot->page = 0;
		slot->fd = -1;
	}
	return slot;
}

/*
 * Before the notification is answered, while it can still put a
 * descriptor into the program: the page and the descriptor checked, as
 * the thread sees them, the descriptor put in anew where needed. -1, with
 * errno.
 */
int
take_prepare(struct taker *t, struct take_slot *slot, int listener,
    uint64_t id, pid_t tid)
{
	struct seccomp_notif_addfd add = { 0 };
	uint64_t cookie;
	int fd, mem = slot->mem;

	if (slot->page != 0 && (pread(mem, &cookie, sizeof(cookie),
	    (off_t)slot->page) != (ssize_t)sizeof(cookie) ||
	    cookie != t->cookie))
		slot->page = 0;
	if (slot->fd >= 0 && is_ours(t, tid, slot->fd))
		return 0;
	slot->fd = -1;
	add.id = id;
	add.srcfd = (uint32_t)t->theirs;
	add.newfd_flags = O_CLOEXEC;
	if ((fd = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add)) < 0)
		return -1;
	slot->fd = fd;
	return 0;
}

static int
call(struct held *h, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
    uint64_t a3, uint64_t a4, uint64_t a5, long *ret)
{
	const uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };

	return hold_call(h, nr, args, ret);
}

/*
 * The page and a descriptor above 2, made by the thread where missing: a
 * program that closed its standard streams finds their numbers free.
 */
static int
ready(struct held *h, struct take_slot *slot, uint64_t cookie)
{
	long ret, moved;
	int mem = slot->mem;

	if (slot->page == 0) {
		if (call(h, SYS_mmap, 0, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0, &ret) != 0)
			return -1;
		if (ret < 0 && ret > -PAGE) {
			errno = (int)-ret;
			return -1;
		}
		if (pwrite(mem, &cookie, sizeof(cookie), (off_t)ret) !=
		    (ssize_t)sizeof(cookie))
			return -1;
		slot->page = (uint64_t)ret;
	}
	if (slot->fd <= STDERR_FILENO) {
		if (call(h, SYS_fcntl, (uint64_t)slot->fd, F_DUPFD_CLOEXEC,
		    STDERR_FILENO + 1, 0, 0, 0, &moved) != 0)
			return -1;
		if (moved < 0) {
			errno = (int)-moved;
			return -1;
		}
		if (call(h, SYS_close, (uint64_t)slot->fd, 0, 0, 0, 0, 0,
		    &ret) != 0)
			return -1;
		slot->fd = (int)moved;
	}
	return 0;
}

/* The socket the message numbered number carries; others are closed. */
static int
receive(const struct taker *t, uint64_t number)
{
	struct scratch s;
	struct iovec iov = { &s.number, sizeof(s.number) };
	struct msghdr msg = { 0 };
	struct cmsghdr *c;
	int fd;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = s.control.buf;
		msg.msg_controllen = sizeof(s.control.buf);
		s.number = 0;
		if (recvmsg(t->ours, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
			return -1;
		fd = -1;
		if ((c = CMSG_FIRSTHDR(&msg)) != NULL &&
		    c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		if (s.number == number && fd >= 0)
			return fd;
		if (fd >= 0)
			close(fd);
	}
}

/*
 * The held thread's descriptor fd, as the supervisor's own; -1 with errno
 * (the thread's own errno for a descriptor it cannot send, EINTR when a
 * signal took the thread back).
 */
int
take_socket(struct taker *t, struct held *h, struct take_slot *slot, int fd)
{
	struct scratch s;
	uint64_t at;
	long sent;
	int mem = slot->mem;

	if (ready(h, slot, t->cookie) != 0)
		return -1;
	at = slot->page;
	memset(&s, 0, sizeof(s));
	s.cookie = t->cookie;
	s.number = ++t->number;
	s.msg.msg_iov = (struct iovec *)(uintptr_t)(at +
	    offsetof(struct scratch, iov));
	s.msg.msg_iovlen = 1;
	s.msg.msg_control = (void *)(uintptr_t)(at +
	    offsetof(struct scratch, control));
	s.msg.msg_controllen = sizeof(s.control.buf);
	s.iov.iov_base = (void *)(uintptr_t)(at +
	    offsetof(struct scratch, number));
	s.iov.iov_len = sizeof(s.number);
	s.control.hdr.cmsg_level = SOL_SOCKET;
	s.control.hdr.cmsg_type = SCM_RIGHTS;
	s.control.hdr.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&s.control.hdr), &fd, sizeof(fd));
	if (pwrite(mem, &s, sizeof(s), (off_t)at) != (ssize_t)sizeof(s) ||
	    call(h, SYS_sendmsg, (uint64_t)slot->fd,
	    at + offsetof(struct scratch, msg), MSG_DONTWAIT | MSG_NOSIGNAL,
	    0, 0, 0, &sent) != 0)
		return -1;
	if (sent < 0) {
		errno = (int)-sent;
		return -1;
	}
	return receive(t, s.number);
}
