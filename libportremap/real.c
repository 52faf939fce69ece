/*
 * The next definitions of the wrapped functions, found with
 * dlsym(RTLD_NEXT) when the library is initialised, so that other
 * preloaded libraries still see the calls and no wrapped call ever enters
 * the dynamic loader. Until then, and where dlsym finds nothing, the
 * functions call the kernel directly.
 */
#define _GNU_SOURCE	/* RTLD_NEXT */
#include <sys/socket.h>

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include "real.h"
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
#elif defined(__GLIBC__) && defined(__arm__)
__asm__(".symver dlsym,dlsym@GLIBC_2.4");
#endif
#pragma weak dlsym

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
syscall_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return result(sys_connect(fd, addr, len));
}

static int
syscall_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return result(sys_getsockname(fd, addr, len));
}

static int
syscall_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return result(sys_getpeername(fd, addr, len));
}

struct real_functions pr_real = {
	syscall_bind, syscall_connect, syscall_getsockname, syscall_getpeername
};

/* POSIX lets dlsym()'s object pointer be converted to a function pointer. */
#define RESOLVE(field, type) do {					\
	void *fn_ = dlsym(RTLD_NEXT, #field);				\
									\
	if (fn_ != NULL)						\
		__atomic_store_n(&pr_real.field, (type)fn_,		\
		    __ATOMIC_RELAXED);					\
} while (0)

/* Races are harmless: every caller stores the same pointers. */
void
real_resolve(void)
{
	if (dlsym == NULL)
		return;
	RESOLVE(bind, bind_fn);
	RESOLVE(connect, bind_fn);
	RESOLVE(getsockname, getname_fn);
	RESOLVE(getpeername, getname_fn);
}
