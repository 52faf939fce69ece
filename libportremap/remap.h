/*
 * The one policy for a bind or connect on a mapped port (remap.c): whether
 * it is portremap's business, what the kernel is asked, in which order,
 * and what is said. Two executors carry it out with their own way of making
 * the call: the library on its process's own socket, and portremap's
 * supervisor on a socket taken from the program; portremap --check
 * describes it with decide().
 */
#ifndef PORTREMAP_REMAP_H
#define PORTREMAP_REMAP_H

#include <sys/socket.h>

#include "common.h"
#include "settings.h"

#pragma GCC visibility push(hidden)

/* Makes a bind or connect on the socket: 0 or -errno; errno untouched. */
typedef long (*socket_call)(int fd, const struct sockaddr *, socklen_t);

/* A call on a mapped port, as remap_target() found it. */
struct remap_call {
	int			 fd;
	const struct sockaddr	*addr;		/* as asked: only ever read */
	socklen_t		 len;
	unsigned		 port;		/* asked for */
	unsigned		 target;	/* its target in the map */
	int			 transport;	/* TRANSPORT_STREAM or _DATAGRAM */
	long			 pid;		/* whose call; 0: this process */
	long			 uid;		/* its uid; -1: this process's */
};

enum remap_outcome {
	REMAP_KEPT,		/* made as asked, on the port itself */
	REMAP_DONE,		/* made on the target, the socket tagged */
	REMAP_FAILED,		/* the target refused; said where it matters */
};

/*
 * The target for a bind (connecting 0) or a connect (1) on fd, filling c,
 * or 0 when the call is none of portremap's business: not an inet address,
 * an unmapped port, a connect off loopback, or a socket that is not TCP or
 * UDP. Only an AF_INET socket takes an AF_UNSPEC bind (as AF_INET).
 */
unsigned remap_target(const struct settings *, int fd,
    const struct sockaddr *addr, socklen_t len, int connecting,
    struct remap_call *c);

/*
 * bind() on a mapped port, as the mode decides for a thread that has
 * (capable) CAP_NET_BIND_SERVICE or not: the port
 * itself first where the kernel decides, then the target. The result of
 * the last call made (0 or -errno) goes to *ret. bound_before: this process
 * bound the target itself before (said when the target is in use).
 */
enum remap_outcome remap_bind(const struct settings *, const struct remap_call *,
    socket_call, int capable, int bound_before, long *ret);

/*
 * connect() to a mapped port on loopback: TCP asks the port itself first,
 * so that a server really listening there is never bypassed; only the
 * kernel's refusal sends the connection to the target. On loopback the
 * refusal is in before connect() returns, even on a non-blocking socket,
 * where a second call reports how the first ended.
 */
enum remap_outcome remap_connect(const struct settings *,
    const struct remap_call *, socket_call, long *ret);

#pragma GCC visibility pop

#endif
