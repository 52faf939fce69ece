/*
 * bind(): a mapped privileged port goes to its target when the mode says so.
 * Everything else reaches libc untouched, and the caller's address is only
 * ever read.
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

/* The library's way of making the call: libc's bind, errno kept. */
static long
call_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return real_call(__atomic_load_n(&pr_real.bind, __ATOMIC_RELAXED), fd,
	    addr, len);
}

static PR_NOINLINE int
bind_mapped(const struct settings *s, int fd, const struct sockaddr *addr,
    socklen_t len, int family, unsigned port, unsigned target)
{
	struct remap_call c;
	int capable = 0;
	long ret;

	if (!remap_accepts(fd, addr, len, family, port, target, 0, &c))
		return real_bind(fd, addr, len);
	if (s->mode == MODE_AUTO)
		capable = has_bind_capability();
	c.pid = 0;
	c.uid = -1;
	if (remap_bind(s, &c, call_bind, capable,
	    port_marks(target) & MARK_DIRECT, &ret) == REMAP_DONE)
		mark_port(target, port, MARK_REMAPPED);
	if (ret == 0)
		return 0;
	errno = (int)-ret;
	return -1;
}

/*
 * The app binds a remap target itself: fine, unless its remap holds it.
 * Marks are never cleared (close() is not wrapped), so the line says what
 * may be the cause rather than what is.
 */
static PR_NOINLINE int
bind_target(const struct settings *s, int fd, const struct sockaddr *addr,
    socklen_t len, unsigned port, unsigned source)
{
	char where[ENDPOINT_MAX];
	int ret, err;

	ret = real_bind(fd, addr, len);
	if (ret == 0) {
		mark_port(port, source, MARK_DIRECT);
		return ret;
	}
	err = errno;
	if (err == EADDRINUSE && (port_marks(port) & MARK_REMAPPED) &&
	    s->log_level >= 1 && socket_transport(fd) != 0) {
		format_endpoint(where, sizeof(where), addr, port);
		pr_log("bind %s failed: port %u is already in use; this process "
		    "remapped port %u onto it before (PORTREMAP_MAP), and if it "
		    "still holds that socket, listen on only one of %u and %u, "
		    "or map %u elsewhere", where, port, source, source, port,
		    source);
	}
	errno = err;
	return ret;
}

static PR_NOINLINE void
say_not_mapped(int fd, const struct sockaddr *addr, unsigned port)
{
	char where[ENDPOINT_MAX];

	if (socket_transport(fd) == 0)
		return;
	format_endpoint(where, sizeof(where), addr, port);
	pr_log("bind %s: not remapped (port not in PORTREMAP_MAP)", where);
}

static int
bind_with(const struct settings *s, int fd, const struct sockaddr *addr,
    socklen_t len)
{
	int family, port;
	unsigned other;

	if (PR_UNLIKELY(!s->active)) {
		settings_report();
		return real_bind(fd, addr, len);
	}
	if ((port = sockaddr_inet_port(addr, len, &family)) <= 0)
		return real_bind(fd, addr, len);
	if ((other = map_target(&s->map, (unsigned)port)) != 0)
		return bind_mapped(s, fd, addr, len, family, (unsigned)port,
		    other);
	if ((other = map_source(&s->map, (unsigned)port)) != 0)
		return bind_target(s, fd, addr, len, (unsigned)port, other);
	if (PR_UNLIKELY(s->log_level >= 2))
		say_not_mapped(fd, addr, (unsigned)port);
	return real_bind(fd, addr, len);
}

/* Before the library's constructor: another library's constructor. */
static PR_NOINLINE int
bind_first(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct settings scratch;

	return bind_with(settings_now(&scratch), fd, addr, len);
}

PR_EXPORT int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct settings *s = settings_ready();

	if (PR_UNLIKELY(s == NULL))
		return bind_first(fd, addr, len);
	return bind_with(s, fd, addr, len);
}
