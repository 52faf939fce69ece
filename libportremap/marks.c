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
 *   inherit. It answers whenever memory cannot be sure: a port that holds
 *   both kinds of socket, and a port this process did not bind itself
 *   (sockets inherited across exec or received from another process). Such
 *   answers are not remembered: another socket on the same port may be of
 *   the other kind.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include "kernel.h"
#include "map.h"
#include "marks.h"
#include "sys.h"


uint32_t pr_ports[65536];
unsigned char pr_peer_marks[65536];

/* Record each target's source, for getsockname() to find in one load. */
void
ports_fill(const struct port_map *m, int log_each)
{
	for (unsigned i = 0; i < m->count; i++) {
		for (unsigned p = m->entry[i].lo; p <= m->entry[i].hi; p++) {
			unsigned target = p + m->entry[i].offset;
			uint32_t value = (uint32_t)net16(p) << SOURCE_SHIFT;

			__atomic_fetch_or(&pr_ports[net16(target)], value |
			    (log_each ? LOG_EACH : 0), __ATOMIC_RELAXED);
		}
	}
}

void
tag_socket(int fd)
{
	int one = 1;

	(void)sys_setsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one,
	    sizeof(one));
}

int
socket_is_tagged(int fd)
{
	int value = 0;
	socklen_t len = sizeof(value);

	if (sys_getsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &value,
	    &len) != 0)
		value = 0;
	return value != 0;
}
