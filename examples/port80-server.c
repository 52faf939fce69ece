/*
 * A tiny HTTP server hard-coded to port 80, as legacy apps are. It answers
 * with the port it believes it listens on, as getsockname() tells it, and
 * its pid, so that a client can tell it from any other server.
 * Usage: port80-server [REQUESTS]	(serve that many, default forever)
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned
local_port(int fd)
{
	struct sockaddr_in6 name;
	socklen_t len = sizeof(name);

	if (getsockname(fd, (struct sockaddr *)&name, &len) != 0)
		return 0;
	return ntohs(name.sin6_port);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6,
	    .sin6_port = htons(80), .sin6_addr = IN6ADDR_ANY_INIT };
	long requests = argc > 1 ? strtol(argv[1], NULL, 10) : -1;
	int fd, one = 1, zero = 0;

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&any, sizeof(any)) != 0) {
		perror("port80-server: bind [::]:80");
		return 1;
	}
	if (listen(fd, 16) != 0) {
		perror("port80-server: listen");
		return 1;
	}
	printf("port80-server: listening on port %u\n", local_port(fd));
	fflush(stdout);
	for (; requests != 0; requests--) {
		char request[1024], reply[256];
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		int n;

		if (c < 0)
			continue;
		if (read(c, request, sizeof(request)) < 0)
			perror("port80-server: read");
		n = snprintf(reply, sizeof(reply), "HTTP/1.0 200 OK\r\n"
		    "Content-Type: text/plain\r\n\r\n"
		    "hello from a server that believes it listens on port "
		    "%u (pid %d)\n", local_port(c), (int)getpid());
		if (write(c, reply, (size_t)n) != n)
			perror("port80-server: write");
		close(c);
	}
	return 0;
}
