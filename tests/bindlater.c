/*
 * A library the probe loads with dlopen(), as .NET loads libSystem.Native.
 * Preloaded after libportremap instead, its constructor binds the port in
 * BINDLATER_CTOR_PORT before main() runs, as another library's might.
 * With BINDLATER_GO_FD, its constructor (run under the loader's lock) lets
 * another thread bind and waits for it, as plugin initialisers do.
 */
#include <sys/socket.h>

#include <poll.h>
#include <unistd.h>

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

/* Tell the thread to bind, and wait for it, at most three seconds. */
static void
wait_for_thread(int go, int done)
{
	struct pollfd p = { .fd = done, .events = POLLIN };

	if (write(go, "x", 1) != 1)
		return;
	printf("ctor waited: %s\n", poll(&p, 1, 3000) == 1 ? "done" :
	    "timeout");
	fflush(stdout);
}

__attribute__((constructor)) static void
bind_in_constructor(void)
{
	const char *port = getenv("BINDLATER_CTOR_PORT");
	const char *go = getenv("BINDLATER_GO_FD");

	if (go != NULL && getenv("BINDLATER_DONE_FD") != NULL) {
		wait_for_thread(atoi(go), atoi(getenv("BINDLATER_DONE_FD")));
		return;
	}
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
