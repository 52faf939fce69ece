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

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

static bind_fn next_bind;
static getsockname_fn next_getsockname;

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

static void *
lookup(const char *name)
{
	return dlsym != NULL ? dlsym(RTLD_NEXT, name) : NULL;
}

int
real_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	bind_fn fn = __atomic_load_n(&next_bind, __ATOMIC_RELAXED);

	if (PR_UNLIKELY(fn == NULL)) {
		if ((fn = (bind_fn)lookup("bind")) == NULL)
			fn = syscall_bind;
		__atomic_store_n(&next_bind, fn, __ATOMIC_RELAXED);
	}
	return fn(fd, addr, len);
}

getsockname_fn
resolve_getsockname(void)
{
	getsockname_fn fn = __atomic_load_n(&next_getsockname,
	    __ATOMIC_RELAXED);

	if (fn == NULL) {
		if ((fn = (getsockname_fn)lookup("getsockname")) == NULL)
			fn = syscall_getsockname;
		__atomic_store_n(&next_getsockname, fn, __ATOMIC_RELAXED);
	}
	return fn;
}

int
real_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return resolve_getsockname()(fd, addr, len);
}
