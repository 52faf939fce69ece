/* Loopback listeners, shared by the stress test and the bench. */
#ifndef LOOPBACK_H
#define LOOPBACK_H

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <unistd.h>

static inline struct sockaddr_in
loopback(unsigned port)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return in;
}

/* A TCP socket with SO_REUSEADDR, closed on exec; -1 when there is none. */
static inline int
reusable_tcp_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return fd;
}

/* Listening on 127.0.0.1:port; -1, errno set, when bind or listen fails. */
static inline int
loopback_listener(unsigned port, int backlog)
{
	struct sockaddr_in in = loopback(port);
	int fd = reusable_tcp_socket();

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&in, sizeof(in)) != 0 ||
	    listen(fd, backlog) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

#endif
