/*
 * The one policy for binds and connects on mapped ports; see remap.h. It
 * asks the kernel only through the socket it is given and the call it is
 * handed, so that it means the same in the program and in its supervisor.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>

#include "decide.h"
#include "format.h"
#include "log.h"
#include "map.h"
#include "marks.h"
#include "remap.h"
#include "say.h"
#include "sockaddr.h"
#include "sys.h"

/* An AF_INET socket takes AF_UNSPEC with INADDR_ANY as AF_INET. */
static int
unspec_means_inet(int fd, const struct sockaddr *addr)
{
	const unsigned char *b = (const unsigned char *)addr;
	int domain = 0;
	socklen_t len = sizeof(domain);

	if ((b[4] | b[5] | b[6] | b[7]) != 0 ||
	    sys_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0)
		domain = 0;
	return domain == AF_INET;
}

unsigned
remap_target(const struct settings *s, int fd, const struct sockaddr *addr,
    socklen_t len, int connecting, struct remap_call *c)
{
	int family, port;
	unsigned target;

	if ((port = sockaddr_inet_port(addr, len, &family)) <= 0 ||
	    (target = map_target(&s->map, (unsigned)port)) == 0)
		return 0;
	if (connecting ? family == AF_UNSPEC ||
	    !sockaddr_is_loopback(addr, (unsigned)family) :
	    family == AF_UNSPEC && !unspec_means_inet(fd, addr))
		return 0;
	if ((c->transport = socket_transport(fd)) == 0)
		return 0;
	c->fd = fd;
	c->addr = addr;
	c->len = len;
	c->port = (unsigned)port;
	c->target = target;
	return target;
}

/* Whose call it is, asked only when something is said. */
static long
caller(const struct remap_call *c)
{
	return c->pid != 0 ? c->pid : sys_getpid();
}

static void
say_kept(const struct settings *s, const struct remap_call *c)
{
	char from[ENDPOINT_MAX];

	format_endpoint(from, sizeof(from), c->addr, c->port);
	pr_log_for(caller(c), "bind %s: not remapped (%s)", from,
	    s->mode == MODE_AUTO ? "the process has CAP_NET_BIND_SERVICE" :
	    s->mode == MODE_OFF ? "mode off" :
	    "the kernel did not refuse it");
}

/* The call on the target port, from a copy: the caller's is only read. */
static long
call_on_target(const struct remap_call *c, socket_call call)
{
	struct sockaddr_storage copy;

	sockaddr_copy(&copy, c->addr, c->len);
	sockaddr_set_port(&copy, c->target);
	return call(c->fd, (const struct sockaddr *)&copy, c->len);
}

enum remap_outcome
remap_bind(const struct settings *s, const struct remap_call *c,
    socket_call call, int capable, int bound_before, long *ret)
{
	enum bind_action action = decide(s->mode, capable);
	int err;

	if (action == ACTION_TRY_FIRST || action == ACTION_KEEP) {
		*ret = call(c->fd, c->addr, c->len);
		if (action == ACTION_KEEP || *ret != -EACCES) {
			if (s->log_level >= 2)
				say_kept(s, c);
			return REMAP_KEPT;
		}
	}
	if ((*ret = call_on_target(c, call)) == 0) {
		tag_socket(c->fd);
		if (s->log_level >= 1) {
			/* One order of system calls, whatever the compiler. */
			unsigned uid = c->uid >= 0 ? (unsigned)c->uid :
			    (unsigned)sys_getuid();

			say_remap(caller(c), uid, s->mode, capable, c->addr,
			    c->port, c->target);
		}
		return REMAP_DONE;
	}
	err = (int)-*ret;
	if (s->log_level >= 2 || (s->log_level >= 1 && worth_saying(err)))
		say_remap_failed(caller(c), c->addr, c->port, c->target, err,
		    bound_before);
	return REMAP_FAILED;
}

enum remap_outcome
remap_connect(const struct settings *s, const struct remap_call *c,
    socket_call call, long *ret)
{
	if (c->transport == TRANSPORT_STREAM) {
		*ret = call(c->fd, c->addr, c->len);
		if (*ret == -EINPROGRESS &&
		    (*ret = call(c->fd, c->addr, c->len)) == -EALREADY)
			*ret = -EINPROGRESS;
		if (*ret != -ECONNREFUSED)
			return REMAP_KEPT;
	}
	*ret = call_on_target(c, call);
	if (*ret != 0 && *ret != -EINPROGRESS)
		return REMAP_FAILED;
	tag_socket(c->fd);
	if (s->log_level >= 2)
		say_connect(caller(c), c->addr, c->port, c->target);
	return REMAP_DONE;
}
