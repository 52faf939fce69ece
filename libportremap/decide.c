/*
 * What the kernel is asked before a bind on a mapped port is remapped: the
 * socket's protocol, and the binding thread's capability, at every such
 * bind and never cached, because capabilities are per thread and change at
 * run time (a server drops them; unshare(CLONE_NEWUSER) brings them back).
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdint.h>

#include "decide.h"
#include "kernel.h"
#include "sys.h"

/* Does the calling thread hold CAP_NET_BIND_SERVICE in its effective set? */
int
has_bind_capability(void)
{
	struct __user_cap_header_struct header = {
		_LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (sys_capget(&header, data) < 0)
		return sys_geteuid() == 0;
	return (data[0].effective & UINT32_C(1) << CAP_NET_BIND_SERVICE) != 0;
}

/*
 * Ports are TCP's and UDP's business: TRANSPORT_STREAM for a TCP or MPTCP
 * socket, TRANSPORT_DATAGRAM for UDP or UDP-Lite, else 0. Other sockets
 * keep something else in the port field (an ICMP echo socket its
 * identifier, which the kernel lets anyone choose; a raw socket its
 * protocol), so the type and the protocol are both asked.
 */
int
socket_transport(int fd)
{
	int type = 0, protocol = 0;
	socklen_t len = sizeof(type);

	if (sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    (type != SOCK_STREAM && type != SOCK_DGRAM))
		return 0;
	len = sizeof(protocol);
	if (sys_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0)
		return 0;
	if (type == SOCK_STREAM)
		return protocol == IPPROTO_TCP || protocol == IPPROTO_MPTCP ?
		    TRANSPORT_STREAM : 0;
	return protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE ?
	    TRANSPORT_DATAGRAM : 0;
}
