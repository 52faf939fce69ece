/*
 * The demo's client: GET http://HOST:PORT/ and print the body's first
 * line, or "error: " and why. HOST is an IPv4 address or a bracketed IPv6
 * one, so that the demo needs nothing beyond a C compiler.
 * Usage: fetch http://HOST:PORT/
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The address in url, or 0 when url is not of the form above. */
static socklen_t
parse(const char *url, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[64], *end;
	const char *p, *colon;
	unsigned long port;

	if (strncmp(url, "http://", 7) != 0)
		return 0;
	p = url + 7;
	if (*p == '[') {
		if ((colon = strstr(p, "]:")) == NULL)
			return 0;
		p++;
	} else if ((colon = strchr(p, ':')) == NULL)
		return 0;
	if ((size_t)(colon - p) >= sizeof(host))
		return 0;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	colon += *colon == ']' ? 2 : 1;
	errno = 0;
	port = strtoul(colon, &end, 10);
	if (end == colon || port == 0 || port > 65535 || errno != 0 ||
	    (*end != '\0' && *end != '/'))
		return 0;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)port);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		return sizeof(*in6);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const char request[] = "GET / HTTP/1.0\r\n\r\n";
	struct sockaddr_storage ss;
	struct timeval timeout = { 5, 0 };
	char reply[4096], *body, *eol;
	size_t got = 0;
	ssize_t n;
	socklen_t len;
	int fd;

	if (argc != 2 || (len = parse(argv[1], &ss)) == 0) {
		fprintf(stderr, "usage: fetch http://HOST:PORT/\n");
		return 2;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout,
	    sizeof(timeout)) != 0 ||
	    connect(fd, (struct sockaddr *)&ss, len) != 0 ||
	    write(fd, request, sizeof(request) - 1) !=
	    (ssize_t)(sizeof(request) - 1)) {
		printf("error: %s\n", strerror(errno));
		return 1;
	}
	while (got + 1 < sizeof(reply) &&
	    (n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
		got += (size_t)n;
	reply[got] = '\0';
	close(fd);
	if ((body = strstr(reply, "\r\n\r\n")) == NULL) {
		printf("error: no HTTP answer\n");
		return 1;
	}
	body += 4;
	if ((eol = strchr(body, '\n')) != NULL)
		*eol = '\0';
	printf("%s\n", body);
	return 0;
}
