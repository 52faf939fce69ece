/*
 * connect() and getpeername(), for PORTREMAP_CONNECT=loopback: a connection
 * to a mapped port on this host goes to its target, because the server that
 * should be there was remapped (health checks, self-calls, sidecars in the
 * same network namespace); getpeername() then reports the port the client
 * asked for. Off, the default, both go straight to libc, and the only cost
 * is one indirect jump.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>

#include "portremap.h"

static int connect_first(int, const struct sockaddr *, socklen_t);
static int getpeername_first(int, struct sockaddr *, socklen_t *);

/* What the wrappers call: first-use functions, until settings are read. */
static connect_fn connect_next = connect_first;
static getsockname_fn getpeername_next = getpeername_first;

/* 127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104. */
static int
is_loopback(const void *addr, unsigned family)
{
	const unsigned char *b = addr;

	if (family == AF_INET)
		return b[4] == 127;
	for (int i = 8; i < 18; i++)
		if (b[i] != 0)
			return 0;
	if (b[18] == 0xff && b[19] == 0xff)
		return b[20] == 127;
	for (int i = 18; i < 23; i++)
		if (b[i] != 0)
			return 0;
	return b[23] == 1;
}

static int
connect_remap(const struct settings *s, int fd, const struct sockaddr *addr,
    socklen_t len)
{
	struct sockaddr_storage copy;
	char from[64], to[64];
	int family, port, ret;
	unsigned target;

	if ((port = sockaddr_inet_port(addr, len, &family)) <= 0 ||
	    family == AF_UNSPEC || !is_loopback(addr, (unsigned)family))
		return real_connect(fd, addr, len);
	if ((target = map_target(&s->map, (unsigned)port)) == 0) {
		ret = real_connect(fd, addr, len);
		if (map_source(&s->map, (unsigned)port) != 0 &&
		    (ret == 0 || errno == EINPROGRESS))
			mark_peer((unsigned)port, PEER_DIRECT);
		return ret;
	}
	sockaddr_copy(&copy, addr, len);
	sockaddr_set_port(&copy, target);
	ret = real_connect(fd, (const struct sockaddr *)&copy, len);
	if (ret == 0 || errno == EINPROGRESS) {
		mark_peer(target, PEER_REMAPPED);
		if (s->log_level >= 2) {
			format_endpoint(from, sizeof(from), addr, (unsigned)port);
			format_endpoint(to, sizeof(to), addr, target);
			pr_log("connect %s -> %s (PORTREMAP_CONNECT=loopback)",
			    from, to);
		}
	}
	return ret;
}

/* The port a peer reports: its source when this process connected there. */
static unsigned
peer_source(const struct settings *s, const void *addr)
{
	unsigned family = sockaddr_family(addr), port = sockaddr_get_port(addr);

	if ((family != AF_INET && family != AF_INET6) ||
	    __atomic_load_n(&pr_peer_marks[port], __ATOMIC_RELAXED) !=
	    PEER_REMAPPED || !is_loopback(addr, family))
		return 0;
	return map_source(&s->map, port);
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
		if ((source = peer_source(s, addr)) != 0)
			sockaddr_set_port(addr, source);
		return 0;
	}
	/* Too short to see the address: look at the whole of it. */
	if (room >= PORT_END - 1 &&
	    real_getpeername(fd, (struct sockaddr *)&full, &full_len) == 0 &&
	    (source = peer_source(s, &full)) != 0)
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

/* Read the settings; once published, point both wrappers where they go. */
static const struct settings *
first_use(struct settings *scratch)
{
	const struct settings *s = settings_ready();
	int on;

	if (s == NULL)
		s = settings_first_use(scratch);
	if (s != &pr_published_settings)
		return s;
	on = s->active && s->connect_loopback;
	__atomic_store_n(&connect_next, on ? connect_loopback :
	    resolve_connect(), __ATOMIC_RELEASE);
	__atomic_store_n(&getpeername_next, on ? getpeername_loopback :
	    resolve_getpeername(), __ATOMIC_RELEASE);
	return s;
}

static PR_NOINLINE int
connect_first(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct settings scratch;
	const struct settings *s = first_use(&scratch);

	if (!s->active || !s->connect_loopback)
		return real_connect(fd, addr, len);
	return connect_remap(s, fd, addr, len);
}

static PR_NOINLINE int
getpeername_first(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct settings scratch;
	const struct settings *s = first_use(&scratch);

	if (!s->active || !s->connect_loopback)
		return real_getpeername(fd, addr, len);
	return getpeername_remap(s, fd, addr, len);
}

PR_EXPORT int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return __atomic_load_n(&connect_next, __ATOMIC_ACQUIRE)(fd, addr, len);
}

PR_EXPORT int
getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return __atomic_load_n(&getpeername_next, __ATOMIC_ACQUIRE)(fd, addr,
	    len);
}
