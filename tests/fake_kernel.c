/*
 * Stand-ins for libc's bind() and getsockname() in the fuzz target for the
 * wrappers: they check lengths as the kernel does, remember the last bound
 * address, and write it back truncated as the kernel would.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <string.h>

#include "real.h"
#include "fake_kernel.h"

struct fake_kernel fake;

static int
fake_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	fake.binds++;
	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (addr == NULL || len < sizeof(struct sockaddr_in) ||
	    len > sizeof(struct sockaddr_storage)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&fake.bound, addr, len);
	fake.bound_len = len;
	return 0;
}

static int
fake_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	socklen_t n;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (len == NULL || (int)*len < 0) {
		errno = len == NULL ? EFAULT : EINVAL;
		return -1;
	}
	n = *len < fake.bound_len ? *len : fake.bound_len;
	if (n > 0 && addr == NULL) {
		errno = EFAULT;
		return -1;
	}
	if (n > 0)
		memcpy(addr, &fake.bound, n);
	*len = fake.bound_len;
	return 0;
}

static int
fake_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	(void)addr;
	(void)len;
	errno = fd < 0 ? EBADF : ECONNREFUSED;
	return -1;
}

struct real_functions pr_real = {
	fake_bind, fake_connect, fake_getsockname, fake_getsockname
};

/* The fake kernel is the next definition: nothing to look up. */
void
real_resolve(void)
{
}
