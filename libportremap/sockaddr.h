/* Socket addresses, read and rewritten a byte at a time. */
#ifndef PORTREMAP_SOCKADDR_H
#define PORTREMAP_SOCKADDR_H

#include <sys/socket.h>

#include <stddef.h>

#include "common.h"

#pragma GCC visibility push(hidden)

/*
 * sockaddr.c: reading and rewriting socket addresses. AF_INET and AF_INET6
 * keep the port, in network order, in bytes 2 and 3; callers' buffers may be
 * unaligned, so they are read and written a byte at a time.
 */

int sockaddr_inet_port(const struct sockaddr *, socklen_t, int *family);
void sockaddr_copy(void *dst, const void *src, size_t len);
int sockaddr_is_loopback(const void *addr, unsigned family);

static inline unsigned
sockaddr_family(const void *addr)
{
	return ((const struct sockaddr *)addr)->sa_family;
}

static inline unsigned
sockaddr_get_port(const void *addr)
{
	const unsigned char *b = addr;

	return (unsigned)b[2] << 8 | b[3];
}

static inline void
sockaddr_set_port(void *addr, unsigned port)
{
	unsigned char *b = addr;

	b[2] = (unsigned char)(port >> 8);
	b[3] = (unsigned char)port;
}

/* Only the port bytes that fit in the caller's buffer of room bytes. */
static inline void
sockaddr_set_port_within(void *addr, socklen_t room, unsigned port)
{
	unsigned char *b = addr;

	if (room > 2)
		b[2] = (unsigned char)(port >> 8);
	if (room > 3)
		b[3] = (unsigned char)port;
}

#pragma GCC visibility pop

#endif
