/*
 * The one policy for a bind or connect on a mapped port: whether it is
 * portremap's business, what the kernel is asked, in which order, and what
 * is said (its words in remap.c). Two executors carry it out, each with its
 * own way of making the call: the library on its process's own socket, and
 * portremap's supervisor on a socket taken from the program; portremap
 * --check describes it with decide(). Inline, so that each executor's call
 * is a direct one: a remapped bind stays within its instruction budget.
 */
#ifndef PORTREMAP_REMAP_H
#define PORTREMAP_REMAP_H

#include <sys/socket.h>

#include <errno.h>

#include "common.h"
#include "decide.h"
#include "marks.h"
#include "say.h"
#include "settings.h"
#include "sockaddr.h"
#include "sys.h"

#pragma GCC visibility push(hidden)

/* Makes a bind or connect on the socket: 0 or -errno; errno untouched. */
typedef long (*socket_call)(int fd, const struct sockaddr *, socklen_t);

/* A call on a mapped port, as remap_accepts() found it. */
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

/* remap.c: the parts off the way through. */
int remap_unspec_means_inet(int fd, const struct sockaddr *);
void remap_say_kept(const struct settings *, const struct remap_call *);
void remap_say_done(const struct settings *, const struct remap_call *,
    int capable);
void remap_say_failed(const struct remap_call *, int err, int bound_before);
void remap_say_connect(const struct remap_call *);

/*
 * Is a bind (connecting 0) or a connect (1) on fd, to a port the map sends
 * to target (as sockaddr_inet_port() and map_target() found them),
 * portremap's business? 1 with c filled, or 0: a connect off loopback, an
 * AF_UNSPEC bind on a socket that is not AF_INET (only that one takes it,
 * as AF_INET), or a socket that is not TCP or UDP.
 */
static inline int
remap_accepts(int fd, const struct sockaddr *addr, socklen_t len, int family,
    unsigned port, unsigned target, int connecting, struct remap_call *c)
{
	if (connecting ? family == AF_UNSPEC ||
	    !sockaddr_is_loopback(addr, (unsigned)family) :
	    family == AF_UNSPEC && !remap_unspec_means_inet(fd, addr))
		return 0;
	if ((c->transport = socket_transport(fd)) == 0)
		return 0;
	c->fd = fd;
	c->addr = addr;
	c->len = len;
	c->port = port;
	c->target = target;
	return 1;
}

/* The call on the target port, from a copy: the caller's is only read. */
static inline long
remap_on_target(const struct remap_call *c, socket_call call)
{
	struct sockaddr_storage copy;

	sockaddr_copy(&copy, c->addr, c->len);
	sockaddr_set_port(&copy, c->target);
	return call(c->fd, (const struct sockaddr *)&copy, c->len);
}

/*
 * bind() on a mapped port, as the mode decides for a thread that has
 * (capable) CAP_NET_BIND_SERVICE or not: the port itself first where the
 * kernel decides, then the target. The result of the last call made (0 or
 * -errno) goes to *ret. bound_before: this process bound the target itself
 * before (said when the target is in use).
 */
static inline enum remap_outcome
remap_bind(const struct settings *s, const struct remap_call *c,
    socket_call call, int capable, int bound_before, long *ret)
{
	enum bind_action action = decide(s->mode, capable);
	int err;

	if (action == ACTION_TRY_FIRST || action == ACTION_KEEP) {
		*ret = call(c->fd, c->addr, c->len);
		if (action == ACTION_KEEP || *ret != -EACCES) {
			if (s->log_level >= 2)
				remap_say_kept(s, c);
			return REMAP_KEPT;
		}
	}
	if ((*ret = remap_on_target(c, call)) == 0) {
		tag_socket(c->fd);
		if (s->log_level >= 1)
			remap_say_done(s, c, capable);
		return REMAP_DONE;
	}
	err = (int)-*ret;
	if (s->log_level >= 2 || (s->log_level >= 1 && worth_saying(err)))
		remap_say_failed(c, err, bound_before);
	return REMAP_FAILED;
}

/* How long a loopback connection may take to be answered, at most. */
#define LOOPBACK_ANSWER_MS	100

/*
 * connect() to a mapped port on loopback: TCP asks the port itself first,
 * so that a server really listening there is never bypassed; only the
 * kernel's refusal sends the connection to the target. On loopback the
 * answer is usually in before connect() returns, even on a non-blocking
 * socket, where a second call reports how the first ended. A kernel that
 * put off its network work (under load) may not have it yet: then the
 * socket is given up to LOOPBACK_ANSWER_MS, and a third call tells.
 */
static inline enum remap_outcome
remap_connect(const struct settings *s, const struct remap_call *c,
    socket_call call, long *ret)
{
	if (c->transport == TRANSPORT_STREAM) {
		*ret = call(c->fd, c->addr, c->len);
		if (*ret == -EINPROGRESS &&
		    (*ret = call(c->fd, c->addr, c->len)) == -EALREADY &&
		    sys_wait_writable(c->fd, LOOPBACK_ANSWER_MS) > 0)
			*ret = call(c->fd, c->addr, c->len);
		if (*ret == -EALREADY)
			*ret = -EINPROGRESS;
		if (*ret != -ECONNREFUSED)
			return REMAP_KEPT;
	}
	*ret = remap_on_target(c, call);
	if (*ret != 0 && *ret != -EINPROGRESS)
		return REMAP_FAILED;
	tag_socket(c->fd);
	if (s->log_level >= 2)
		remap_say_connect(c);
	return REMAP_DONE;
}

#pragma GCC visibility pop

#endif
