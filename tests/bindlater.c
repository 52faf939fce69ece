/*
 * A library the probe loads with dlopen(), as .NET loads libSystem.Native.
 * Preloaded after libportremap instead, its constructor binds the port in
 * BINDLATER_CTOR_PORT before main() runs, as another library's might.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int bind_later(int, const struct sockaddr *, socklen_t);

int
bind_later(int fd, const struct sockaddr *addr, socklen_t len)
{
	return bind(fd, addr, len);
}

__attribute__((constructor)) static void
bind_in_constructor(void)
{
	const char *port = getenv("BINDLATER_CTOR_PORT");
	struct sockaddr_in in = { .sin_family = AF_INET };
	socklen_t len = sizeof(in);
	int fd, ret;

	if (port == NULL)
		return;
	in.sin_port = htons((uint16_t)atoi(port));
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ret = bind(fd, (struct sockaddr *)&in, sizeof(in));
	printf("ctor bind ret=%d errno=%d\n", ret, ret == 0 ? 0 : errno);
	getsockname(fd, (struct sockaddr *)&in, &len);
	printf("ctor name port=%u\n", ntohs(in.sin_port));
	fflush(stdout);
}
