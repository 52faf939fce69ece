/*
 * How getsockname() knows which sockets to report with their requested
 * port, without tracking file descriptors (which go stale through close,
 * dup2, fork and exec):
 *
 * - In memory, per target port: whether this process remapped a socket onto
 *   it, bound one to it directly, or both. Duplicates, forked children and
 *   accepted connections share their listener's port, so they answer alike
 *   with no extra system call.
 * - In the kernel, per socket: a remapped socket carries IP_BIND_ADDRESS_NO_PORT,
 *   which does nothing once a socket has a port, and which accepted sockets
 *   inherit. It settles the rare cases memory cannot: a socket inherited
 *   across exec, and a port that holds both kinds of socket.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>

#include "portremap.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT	24
#endif

unsigned char pr_port_marks[65536];

void
tag_socket(int fd)
{
	int one = 1;

	(void)setsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one,
	    sizeof(one));
}

int
socket_is_tagged(int fd)
{
	int value = 0;
	socklen_t len = sizeof(value);

	if (getsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &value,
	    &len) != 0)
		return 0;
	return value != 0;
}

/*
 * A port with no mark (a socket inherited across exec) or with both marks
 * asks the socket itself. Preserves errno.
 */
int
reports_source_slow(int fd, unsigned target, unsigned marks)
{
	int saved = errno, tagged;

	tagged = socket_is_tagged(fd);
	errno = saved;
	if (marks == 0)
		mark_port(target, tagged ? MARK_REMAPPED : MARK_DIRECT);
	return tagged;
}
