/* The next definitions of the wrapped functions (real.c). */
#ifndef PORTREMAP_REAL_H
#define PORTREMAP_REAL_H

#include <sys/socket.h>

#include <errno.h>

#include "common.h"

#pragma GCC visibility push(hidden)

/*
 * real.c: the next definitions in the lookup order (usually libc's), found
 * at load; until then, and where there are none, the system calls.
 */

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);
typedef int (*getname_fn)(int, struct sockaddr *, socklen_t *);

struct real_functions {
	bind_fn		bind;
	bind_fn		connect;
	getname_fn	getsockname;
	getname_fn	getpeername;
};

extern struct real_functions pr_real;

void real_resolve(void);

static inline int
real_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return __atomic_load_n(&pr_real.bind, __ATOMIC_RELAXED)(fd, addr, len);
}

static inline int
real_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return __atomic_load_n(&pr_real.connect, __ATOMIC_RELAXED)(fd, addr,
	    len);
}

static inline int
real_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return __atomic_load_n(&pr_real.getsockname, __ATOMIC_RELAXED)(fd,
	    addr, len);
}

static inline int
real_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return __atomic_load_n(&pr_real.getpeername, __ATOMIC_RELAXED)(fd,
	    addr, len);
}

/* A next definition's call as 0 or -errno, the caller's errno kept. */
static inline long
real_call(bind_fn next, int fd, const struct sockaddr *addr, socklen_t len)
{
	int saved = errno;
	long ret = next(fd, addr, len) == 0 ? 0 : -errno;

	errno = saved;
	return ret;
}

#pragma GCC visibility pop

#endif
