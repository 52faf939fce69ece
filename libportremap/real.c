#define _GNU_SOURCE	/* RTLD_NEXT */
/*
 * The next definitions of the wrapped functions, found on first use with
 * dlsym(RTLD_NEXT) so that other preloaded libraries still see the calls.
 * Lookup races are harmless: every thread stores the same pointer.
 */
#include <sys/socket.h>
#include <sys/syscall.h>

#include <dlfcn.h>
#include <unistd.h>

#include "portremap.h"

/*
 * glibc 2.34 moved dlsym into libc under a new version; bind the old one so
 * that the same binary loads on older systems (where it lives in libdl).
 */
#if defined(__GLIBC__) && defined(__x86_64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
#elif defined(__GLIBC__) && defined(__aarch64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.17");
#endif

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);
typedef int (*getsockname_fn)(int, struct sockaddr *, socklen_t *);

static bind_fn next_bind;
static getsockname_fn next_getsockname;

/* If no later object defines the function, the system call still works. */
static int
syscall_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return (int)syscall(SYS_bind, fd, addr, len);
}

static int
syscall_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return (int)syscall(SYS_getsockname, fd, addr, len);
}

static void *
lookup(const char *name, void *fallback)
{
	void *fn = dlsym(RTLD_NEXT, name);

	return fn != NULL ? fn : fallback;
}

int
real_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	bind_fn fn = __atomic_load_n(&next_bind, __ATOMIC_RELAXED);

	if (PR_UNLIKELY(fn == NULL)) {
		fn = (bind_fn)lookup("bind", (void *)syscall_bind);
		__atomic_store_n(&next_bind, fn, __ATOMIC_RELAXED);
	}
	return fn(fd, addr, len);
}

int
real_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	getsockname_fn fn = __atomic_load_n(&next_getsockname,
	    __ATOMIC_RELAXED);

	if (PR_UNLIKELY(fn == NULL)) {
		fn = (getsockname_fn)lookup("getsockname",
		    (void *)syscall_getsockname);
		__atomic_store_n(&next_getsockname, fn, __ATOMIC_RELAXED);
	}
	return fn(fd, addr, len);
}
