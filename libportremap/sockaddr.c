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

/* 127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104. */
int
sockaddr_is_loopback(const void *addr, unsigned family)
{
	const unsigned char *b = addr;

	if (family == AF_INET)
		return b[4] == 127;
	for (int i = 8; i < 18; i++)
		if (b[i] != 0)
			return 0;
	if (b[18] == 0xff && b[19] == 0xff)
		return b[20] == 127;
	for (int i = 18; i < 23; i++)
		if (b[i] != 0)
			return 0;
	return b[23] == 1;
}
