/*
 * connect() and getpeername(), for PORTREMAP_CONNECT=loopback: a connection
 * to a mapped port on this host goes to its target when nothing serves the
 * port itself, because the server that should be there was remapped (health
 * checks, self-calls, sidecars in the same network namespace);
 * getpeername() then reports the port the client asked for. Off, the
 * default, both go straight to libc, and the only cost is one indirect jump.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>

#include "map.h"
#include "settings.h"
#include "init.h"
#include "decide.h"
#include "sockaddr.h"
#include "format.h"
#include "marks.h"
#include "real.h"
#include "remap.h"
#include "log.h"
#include "say.h"
#include "sys.h"

static int connect_first(int, const struct sockaddr *, socklen_t);
static int getpeername_first(int, struct sockaddr *, socklen_t *);

bind_fn pr_connect_next = connect_first;
getname_fn pr_getpeername_next = getpeername_first;

/* The library's way of making the call: libc's connect, errno kept. */
static long
call_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return real_call(__atomic_load_n(&pr_real.connect, __ATOMIC_RELAXED), fd,
	    addr, len);
}

static int
connect_remap(const struct settings *s, int fd, const struct sockaddr *addr,
    socklen_t len)
{
	struct remap_call c;
	int family, port, ret;
	unsigned target;
	long result;

	if ((port = sockaddr_inet_port(addr, len, &family)) <= 0 ||
	    family == AF_UNSPEC || !sockaddr_is_loopback(addr, (unsigned)family))
		return real_connect(fd, addr, len);
	if ((target = map_target(&s->map, (unsigned)port)) == 0) {
		ret = real_connect(fd, addr, len);
		if (map_source(&s->map, (unsigned)port) != 0 &&
		    (ret == 0 || errno == EINPROGRESS))
			mark_peer((unsigned)port, PEER_DIRECT);
		return ret;
	}
	if (!remap_accepts(fd, addr, len, family, (unsigned)port, target, 1,
	    &c))
		return real_connect(fd, addr, len);
	c.pid = 0;
	c.uid = -1;
	if (remap_connect(s, &c, call_connect, &result) == REMAP_DONE)
		mark_peer(c.target, PEER_REMAPPED);
	if (result == 0)
		return 0;
	errno = (int)-result;
	return -1;
}

/*
 * The port a peer reports: its source when this process sent the
 * connection there. Memory answers when all of this process's connections
 * to the port were of one kind; else the socket's tag.
 */
static unsigned
peer_source(const struct settings *s, int fd, const void *addr)
{
	unsigned family = sockaddr_family(addr), port = sockaddr_get_port(addr);
	unsigned source, marks;

	if ((family != AF_INET && family != AF_INET6) ||
	    !sockaddr_is_loopback(addr, family) ||
	    (source = map_source(&s->map, port)) == 0)
		return 0;
	marks = __atomic_load_n(&pr_peer_marks[port], __ATOMIC_RELAXED);
	if (marks == PEER_REMAPPED)
		return source;
	if (marks == PEER_DIRECT)
		return 0;
	return socket_is_tagged(fd) ? source : 0;
}

static int
getpeername_remap(const struct settings *s, int fd, struct sockaddr *addr,
    socklen_t *len)
{
	struct sockaddr_storage full;
	socklen_t room, full_len = sizeof(full);
	unsigned source;

	if (len == NULL)
		return real_getpeername(fd, addr, len);
	room = *len;
	if (real_getpeername(fd, addr, len) != 0)
		return -1;
	if (room >= sizeof(struct sockaddr_in6) || room >= *len) {
		if ((source = peer_source(s, fd, addr)) != 0)
			sockaddr_set_port(addr, source);
		return 0;
	}
	/* Too short to see the address: look at the whole of it. */
	if (room >= PORT_END - 1 &&
	    real_getpeername(fd, (struct sockaddr *)&full, &full_len) == 0 &&
	    (source = peer_source(s, fd, &full)) != 0)
		sockaddr_set_port_within(addr, room, source);
	return 0;
}

static int
connect_loopback(int fd, const struct sockaddr *addr, socklen_t len)
{
	return connect_remap(&pr_published_settings, fd, addr, len);
}

static int
getpeername_loopback(int fd, struct sockaddr *addr, socklen_t *len)
{
	return getpeername_remap(&pr_published_settings, fd, addr, len);
}

/* With a bad setting, the first connect() says so, then libc's takes over. */
static int
connect_reporting(int fd, const struct sockaddr *addr, socklen_t len)
{
	settings_report();
	__atomic_store_n(&pr_connect_next, pr_real.connect, __ATOMIC_RELAXED);
	return real_connect(fd, addr, len);
}

/* Called once, by init.c, with the settings it publishes. */
void
connect_publish(const struct settings *s, int error_pending)
{
	int on = s->active && s->connect_loopback;

	__atomic_store_n(&pr_connect_next, on ? connect_loopback :
	    error_pending ? connect_reporting : pr_real.connect,
	    __ATOMIC_RELEASE);
	__atomic_store_n(&pr_getpeername_next, on ? getpeername_loopback :
	    pr_real.getpeername, __ATOMIC_RELEASE);
}

/* Before the library's constructor: initialise, then as usual. */
static PR_NOINLINE int
connect_first(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct settings scratch;
	const struct settings *s = settings_now(&scratch);

	if (s == &pr_published_settings)
		return __atomic_load_n(&pr_connect_next,
		    __ATOMIC_ACQUIRE)(fd, addr, len);
	if (!s->active || !s->connect_loopback)
		return real_connect(fd, addr, len);
	return connect_remap(s, fd, addr, len);
}

static PR_NOINLINE int
getpeername_first(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct settings scratch;
	const struct settings *s = settings_now(&scratch);

	if (s == &pr_published_settings)
		return __atomic_load_n(&pr_getpeername_next,
		    __ATOMIC_ACQUIRE)(fd, addr, len);
	if (!s->active || !s->connect_loopback)
		return real_getpeername(fd, addr, len);
	return getpeername_remap(s, fd, addr, len);
}

PR_EXPORT int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return __atomic_load_n(&pr_connect_next, __ATOMIC_ACQUIRE)(fd, addr,
	    len);
}

PR_EXPORT int
getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return __atomic_load_n(&pr_getpeername_next, __ATOMIC_ACQUIRE)(fd,
	    addr, len);
}
