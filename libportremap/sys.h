/*
 * The kernel calls the library makes for itself. They return -errno rather
 * than setting errno, so that the caller's errno is never touched, and on
 * x86_64 and arm64 they are made inline: with BIND_NOW every libc symbol the
 * library imports costs each process a lookup at load, bind or not.
 */
#ifndef PORTREMAP_SYS_H
#define PORTREMAP_SYS_H

#include <sys/socket.h>
#include <sys/syscall.h>

#include <poll.h>

#include <stddef.h>

#if defined(__x86_64__)
static inline long
sys_call5(long n, long a, long b, long c, long d, long e)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b),
	    "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
static inline long
sys_call5(long n, long a, long b, long c, long d, long e)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2),
	    "r"(x3), "r"(x4) : "memory", "cc");
	return x0;
}
#else
#include <errno.h>
#include <unistd.h>

static inline long
sys_call5(long n, long a, long b, long c, long d, long e)
{
	int saved = errno;
	long ret = syscall(n, a, b, c, d, e);

	if (ret == -1) {
		ret = -errno;
		errno = saved;
	}
	return ret;
}
#endif

static inline long
sys_write(int fd, const void *buf, size_t len)
{
	return sys_call5(SYS_write, fd, (long)buf, (long)len, 0, 0);
}

static inline long
sys_getpid(void)
{
	return sys_call5(SYS_getpid, 0, 0, 0, 0, 0);
}

/* 32-bit ARM keeps 16-bit uids in getuid; getuid32 has the whole uid. */
#ifdef SYS_getuid32
#define SYS_GETUID	SYS_getuid32
#define SYS_GETEUID	SYS_geteuid32
#else
#define SYS_GETUID	SYS_getuid
#define SYS_GETEUID	SYS_geteuid
#endif

static inline long
sys_getuid(void)
{
	return sys_call5(SYS_GETUID, 0, 0, 0, 0, 0);
}

static inline long
sys_geteuid(void)
{
	return sys_call5(SYS_GETEUID, 0, 0, 0, 0, 0);
}

static inline long
sys_capget(void *header, void *data)
{
	return sys_call5(SYS_capget, (long)header, (long)data, 0, 0, 0);
}

static inline long
sys_setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
	return sys_call5(SYS_setsockopt, fd, level, name, (long)value, len);
}

static inline long
sys_getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
	return sys_call5(SYS_getsockopt, fd, level, name, (long)value,
	    (long)len);
}

static inline long
sys_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return sys_call5(SYS_bind, fd, (long)addr, len, 0, 0);
}

static inline long
sys_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return sys_call5(SYS_getsockname, fd, (long)addr, (long)len, 0, 0);
}

static inline long
sys_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return sys_call5(SYS_connect, fd, (long)addr, len, 0, 0);
}

static inline long
sys_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return sys_call5(SYS_getpeername, fd, (long)addr, (long)len, 0, 0);
}

static inline long
sys_sendto(int fd, const void *buf, size_t len, int flags)
{
	return sys_call5(SYS_sendto, fd, (long)buf, (long)len, flags, 0);
}

/* Wait up to ms for fd to be writable or in error: events, 0, or -errno. */
static inline long
sys_wait_writable(int fd, long ms)
{
	struct pollfd p = { fd, POLLOUT, 0 };
	struct { long sec, nsec; } timeout = { ms / 1000, ms % 1000 * 1000000 };

	return sys_call5(SYS_ppoll, (long)&p, 1, (long)&timeout, 0, 0);
}

/* The kernel's signal set: 64 signals on every architecture built here. */
#define KERNEL_SIGSET_SIZE	8

static inline long
sys_sigprocmask(int how, const void *set, void *old)
{
	return sys_call5(SYS_rt_sigprocmask, how, (long)set, (long)old,
	    KERNEL_SIGSET_SIZE, 0);
}

static inline long
sys_sigpending(void *set)
{
	return sys_call5(SYS_rt_sigpending, (long)set, KERNEL_SIGSET_SIZE, 0, 0,
	    0);
}

static inline long
sys_sigtimedwait(const void *set, const void *timeout)
{
	return sys_call5(SYS_rt_sigtimedwait, (long)set, 0, (long)timeout,
	    KERNEL_SIGSET_SIZE, 0);
}

#endif
