/*
 * The parts of the one policy (remap.h) that are not on its way through:
 * an AF_UNSPEC bind's socket, and what is said.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>

#include "decide.h"
#include "format.h"
#include "log.h"
#include "marks.h"
#include "remap.h"
#include "say.h"
#include "sockaddr.h"
#include "sys.h"

/* An AF_INET socket takes AF_UNSPEC with INADDR_ANY as AF_INET. */
int
remap_unspec_means_inet(int fd, const struct sockaddr *addr)
{
	const unsigned char *b = (const unsigned char *)addr;
	int domain = 0;
	socklen_t len = sizeof(domain);

	if ((b[4] | b[5] | b[6] | b[7]) != 0 ||
	    sys_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0)
		domain = 0;
	return domain == AF_INET;
}

/* Whose call it is, asked only when something is said. */
static long
remap_caller(const struct remap_call *c)
{
	return c->pid != 0 ? c->pid : sys_getpid();
}

void
remap_say_kept(const struct settings *s, const struct remap_call *c)
{
	char from[ENDPOINT_MAX];

	format_endpoint(from, sizeof(from), c->addr, c->port);
	pr_log_for(remap_caller(c), "bind %s: not remapped (%s)", from,
	    s->mode == MODE_AUTO ? "the process has CAP_NET_BIND_SERVICE" :
	    s->mode == MODE_OFF ? "mode off" :
	    "the kernel did not refuse it");
}

void
remap_say_done(const struct settings *s, const struct remap_call *c,
    int capable)
{
	/* One order of system calls, whatever the compiler. */
	unsigned uid = c->uid >= 0 ? (unsigned)c->uid : (unsigned)sys_getuid();

	say_remap(remap_caller(c), uid, s->mode, capable, c->addr, c->port,
	    c->target);
}

void
remap_say_failed(const struct remap_call *c, int err, int bound_before)
{
	say_remap_failed(remap_caller(c), c->addr, c->port, c->target, err,
	    bound_before);
}

void
remap_say_connect(const struct remap_call *c)
{
	say_connect(remap_caller(c), c->addr, c->port, c->target);
}
