/* Socket addresses as the kernel reads them from bind(). */
#include <sys/socket.h>

#include <netinet/in.h>

#include "sockaddr.h"

/* The kernel's shortest accepted IPv6 address (RFC 2133, no scope id). */
#define SIN6_MIN_LEN	24

/*
 * The port of an address the kernel would read as AF_INET or AF_INET6 (or
 * AF_UNSPEC, which an AF_INET socket accepts for INADDR_ANY), else -1.
 * Lengths the kernel rejects give -1 so that the call passes through.
 */
int
sockaddr_inet_port(const struct sockaddr *addr, socklen_t len, int *family)
{
	unsigned f;

	if (addr == NULL || len < sizeof(struct sockaddr_in) ||
	    len > sizeof(struct sockaddr_storage))
		return -1;
	f = sockaddr_family(addr);
	if (f == AF_INET6 && len < SIN6_MIN_LEN)
		return -1;
	if (f != AF_INET && f != AF_INET6 && f != AF_UNSPEC)
		return -1;
	*family = (int)f;
	return (int)sockaddr_get_port(addr);
}

/* Eight bytes at a time: the library calls no libc string function. */
void
sockaddr_copy(void *dst, const void *src, size_t len)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	size_t i = 0;

	for (; i + 8 <= len; i += 8)
		__builtin_memcpy(d + i, s + i, 8);
	for (; i < len; i++)
		d[i] = s[i];
}
