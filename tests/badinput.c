/*
 * Calls the library must not remap, with their results printed one per
 * line. The tests run this with and without the library and compare.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void bad_input(int);

static void
report(const char *name, int ret)
{
	printf("case %s ret=%d errno=%d\n", name, ret, errno);
}

static int
tcp(int family, unsigned port)
{
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (port != 0) {
		struct sockaddr_in in = { .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)port) };

		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		bind(fd, (struct sockaddr *)&in, sizeof(in));
	}
	return fd;
}

/* getsockname() into an n-byte buffer: result, length and bytes. */
static void
name_into(const char *name, int fd, socklen_t n)
{
	unsigned char buf[256];
	socklen_t len = n;
	int ret;

	memset(buf, 0xee, sizeof(buf));
	errno = 777;
	ret = getsockname(fd, (struct sockaddr *)buf, &len);
	printf("case %s ret=%d errno=%d len=%u bytes=", name, ret, errno,
	    (unsigned)len);
	for (socklen_t i = 0; i < n + 1 && i < 40; i++)
		printf("%02x", buf[i]);
	printf("\n");
}

/* Each bind case gets a fresh socket; mapped is a port in PORTREMAP_MAP. */
static void
bind_cases(unsigned mapped)
{
	unsigned char big[256];
	struct sockaddr_in in = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)mapped) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons((uint16_t)mapped) };
	int fd, pipefd[2];

	memset(big, 0, sizeof(big));
	memcpy(big, &in, sizeof(in));
	const struct {
		const char		*name;
		int			 family;
		const void		*addr;
		socklen_t		 len;
	} cases[] = {
		{ "bind_null_addr", AF_INET, NULL, sizeof(in) },
		{ "bind_null_addr_len0", AF_INET, NULL, 0 },
		{ "bind_len0", AF_INET, &in, 0 },
		{ "bind_len1", AF_INET, &in, 1 },
		{ "bind_len2", AF_INET, &in, 2 },
		{ "bind_len15", AF_INET, &in, 15 },
		{ "bind_len129", AF_INET, big, 129 },
		{ "bind_len256", AF_INET, big, 256 },
		{ "bind_len_max", AF_INET, big, (socklen_t)-1 },
		{ "bind_v6_on_v4", AF_INET, &in6, sizeof(in6) },
		{ "bind_v4_on_v6", AF_INET6, &in, sizeof(in) },
		{ "bind_v6_len20", AF_INET6, &in6, 20 },
		{ "bind_v6_len23", AF_INET6, &in6, 23 },
		{ "bind_inet_on_unix", AF_UNIX, &in, sizeof(in) },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fd = socket(cases[i].family, SOCK_STREAM, 0);
		errno = 777;
		report(cases[i].name, bind(fd, cases[i].addr, cases[i].len));
		close(fd);
	}

	errno = 777;
	report("bind_fd_minus1", bind(-1, (struct sockaddr *)&in, sizeof(in)));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	close(fd);
	errno = 777;
	report("bind_closed_fd", bind(fd, (struct sockaddr *)&in, sizeof(in)));
	if (pipe(pipefd) == 0) {
		errno = 777;
		report("bind_pipe", bind(pipefd[0], (struct sockaddr *)&in,
		    sizeof(in)));
		close(pipefd[0]);
		close(pipefd[1]);
	}
}

static void
getsockname_cases(unsigned unmapped)
{
	static const socklen_t sizes[] = { 0, 1, 2, 3, 4, 15, 16, 17, 100 };
	struct sockaddr_in in;
	socklen_t len;
	int fd, unbound, un, pipefd[2];
	char name[32];

	fd = tcp(AF_INET, unmapped);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(name, sizeof(name), "name_len%u", (unsigned)sizes[i]);
		name_into(name, fd, sizes[i]);
	}
	name_into("name_len_max", fd, (socklen_t)-1);
	unbound = tcp(AF_INET6, 0);
	name_into("name_unbound_v6", unbound, 28);
	un = socket(AF_UNIX, SOCK_STREAM, 0);
	name_into("name_unix", un, 110);
	name_into("name_fd_minus1", -1, 16);

	errno = 777;
	report("name_null_len", getsockname(fd, (struct sockaddr *)&in, NULL));
	len = 16;
	errno = 777;
	report("name_null_addr", getsockname(fd, NULL, &len));
	len = 0;
	errno = 777;
	report("name_null_addr_len0", getsockname(fd, NULL, &len));
	printf("case name_null_addr_len0 len=%u\n", (unsigned)len);
	if (pipe(pipefd) == 0) {
		name_into("name_pipe", pipefd[0], 16);
		close(pipefd[0]);
		close(pipefd[1]);
	}
	close(fd);
	name_into("name_closed_fd", fd, 16);
	close(unbound);
	close(un);
}

void
bad_input(int mapped)
{
	bind_cases((unsigned)mapped);
	getsockname_cases((unsigned)mapped + 20000 + 100);
}
