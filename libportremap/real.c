/*
 * The next definitions of the wrapped functions, found on first use with
 * dlsym(RTLD_NEXT) so that other preloaded libraries still see the calls.
 * Lookup races are harmless: every thread stores the same pointer.
 */
#define _GNU_SOURCE	/* RTLD_NEXT */
#include <sys/socket.h>

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include "portremap.h"
#include "sys.h"

/*
 * glibc 2.34 moved dlsym into libc under a new version; bind the old one so
 * that the same binary loads on older systems, where it lives in libdl. The
 * reference is weak so that the library loads even into a program without
 * libdl there: it then calls the kernel directly.
 */
#if defined(__GLIBC__) && defined(__x86_64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
#elif defined(__GLIBC__) && defined(__aarch64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.17");
#endif
#pragma weak dlsym

/* The functions found, cached as the object pointers dlsym() returns. */
static void *bind_cache, *connect_cache, *getsockname_cache, *getpeername_cache;

/* With no later definition to call, the kernel is called directly. */
static int
result(long ret)
{
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return (int)ret;
}

static int
syscall_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return result(sys_bind(fd, addr, len));
}

static int
syscall_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return result(sys_getsockname(fd, addr, len));
}

static int
syscall_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return result(sys_connect(fd, addr, len));
}

static int
syscall_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return result(sys_getpeername(fd, addr, len));
}

static void *
lookup(const char *name)
{
	return dlsym != NULL ? dlsym(RTLD_NEXT, name) : NULL;
}

/* The cached next definition of name, or the system call. */
static void *
next(void **cache, const char *name, void *fallback)
{
	void *fn = __atomic_load_n(cache, __ATOMIC_RELAXED);

	if (PR_UNLIKELY(fn == NULL)) {
		if ((fn = lookup(name)) == NULL)
			fn = fallback;
		__atomic_store_n(cache, fn, __ATOMIC_RELAXED);
	}
	return fn;
}

int
real_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return ((connect_fn)next(&bind_cache, "bind",
	    (void *)syscall_bind))(fd, addr, len);
}

connect_fn
resolve_connect(void)
{
	return (connect_fn)next(&connect_cache, "connect",
	    (void *)syscall_connect);
}

int
real_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return resolve_connect()(fd, addr, len);
}

getsockname_fn
resolve_getpeername(void)
{
	return (getsockname_fn)next(&getpeername_cache, "getpeername",
	    (void *)syscall_getpeername);
}

int
real_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return resolve_getpeername()(fd, addr, len);
}

getsockname_fn
resolve_getsockname(void)
{
	return (getsockname_fn)next(&getsockname_cache, "getsockname",
	    (void *)syscall_getsockname);
}

int
real_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return resolve_getsockname()(fd, addr, len);
}
