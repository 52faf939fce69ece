/*
 * Socket addresses: AF_INET and AF_INET6 keep the port, in network order, at
 * the same offset. Callers' buffers may be unaligned, so bytes are copied.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "portremap.h"

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
	sa_family_t f;

	if (addr == NULL || len < sizeof(struct sockaddr_in) ||
	    len > sizeof(struct sockaddr_storage))
		return -1;
	memcpy(&f, addr, sizeof(f));
	if (f == AF_INET6 && len < SIN6_MIN_LEN)
		return -1;
	if (f != AF_INET && f != AF_INET6 && f != AF_UNSPEC)
		return -1;
	*family = f;
	return (int)sockaddr_get_port(addr);
}

unsigned
sockaddr_get_port(const void *addr)
{
	uint16_t port;

	memcpy(&port, (const char *)addr + offsetof(struct sockaddr_in,
	    sin_port), sizeof(port));
	return ntohs(port);
}

void
sockaddr_set_port(void *addr, unsigned port)
{
	uint16_t net = htons((uint16_t)port);

	memcpy((char *)addr + offsetof(struct sockaddr_in, sin_port), &net,
	    sizeof(net));
}

/* "0.0.0.0:80" or "[::]:80", for log lines. */
void
sockaddr_format(char *buf, size_t len, const struct sockaddr *addr,
    socklen_t addrlen, unsigned port)
{
	struct sockaddr_storage ss;
	char host[INET6_ADDRSTRLEN];

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, addr, addrlen < sizeof(ss) ? addrlen : sizeof(ss));
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)&ss;

		if (inet_ntop(AF_INET6, &in6->sin6_addr, host,
		    sizeof(host)) == NULL)
			strcpy(host, "?");
		snprintf(buf, len, "[%s]:%u", host, port);
	} else {
		const struct sockaddr_in *in = (const void *)&ss;

		if (inet_ntop(AF_INET, &in->sin_addr, host,
		    sizeof(host)) == NULL)
			strcpy(host, "?");
		snprintf(buf, len, "%s:%u", host, port);
	}
}
