/* A library the probe loads with dlopen(), as .NET loads libSystem.Native. */
#include <sys/socket.h>

int bind_later(int, const struct sockaddr *, socklen_t);

int
bind_later(int fd, const struct sockaddr *addr, socklen_t len)
{
	return bind(fd, addr, len);
}
