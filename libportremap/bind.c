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
#include "log.h"
#include "say.h"
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

static PR_NOINLINE int
bind_mapped(const struct settings *s, int fd, const struct sockaddr *addr,
    socklen_t len, unsigned port, unsigned target)
{
	struct sockaddr_storage copy;
	char from[ENDPOINT_MAX];
	int saved = errno, ret, err, capable = 0;
	enum bind_action action;

	if (socket_transport(fd) == 0)
		return real_bind(fd, addr, len);
	if (s->mode == MODE_AUTO)
		capable = has_bind_capability();
	action = decide(s->mode, capable);
	if (action == ACTION_TRY_FIRST || action == ACTION_KEEP) {
		ret = real_bind(fd, addr, len);
		err = errno;
		if (action == ACTION_KEEP || ret == 0 || err != EACCES) {
			if (s->log_level >= 2) {
				format_endpoint(from, sizeof(from), addr, port);
				pr_log("bind %s: not remapped (%s)", from,
				    s->mode == MODE_AUTO ?
				    "the process has CAP_NET_BIND_SERVICE" :
				    "the kernel did not refuse it");
			}
			errno = ret == 0 ? saved : err;
			return ret;
		}
	}

	sockaddr_copy(&copy, addr, len);
	sockaddr_set_port(&copy, target);
	ret = real_bind(fd, (const struct sockaddr *)&copy, len);
	err = errno;
	if (ret == 0) {
		tag_socket(fd);
		mark_port(target, port, MARK_REMAPPED);
		if (s->log_level >= 1) {
			/* One order of system calls, whatever the compiler. */
			unsigned uid = (unsigned)sys_getuid();

			say_remap(sys_getpid(), uid, s->mode, capable, addr,
			    port, target);
		}
		errno = saved;
		return ret;
	}
	if (s->log_level >= 2 || (s->log_level >= 1 && worth_saying(err)))
		say_remap_failed(sys_getpid(), addr, port, target, err,
		    port_marks(target) & MARK_DIRECT);
	errno = err;
	return ret;
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

static int
remap_bind(const struct settings *s, int fd, const struct sockaddr *addr,
    socklen_t len)
{
	char where[ENDPOINT_MAX];
	int family, port;
	unsigned other;

	if (PR_UNLIKELY(!s->active)) {
		settings_report();
		return real_bind(fd, addr, len);
	}
	if ((port = sockaddr_inet_port(addr, len, &family)) <= 0)
		return real_bind(fd, addr, len);
	if (family == AF_UNSPEC && !unspec_means_inet(fd, addr))
		return real_bind(fd, addr, len);
	if ((other = map_target(&s->map, (unsigned)port)) != 0)
		return bind_mapped(s, fd, addr, len, (unsigned)port, other);
	if ((other = map_source(&s->map, (unsigned)port)) != 0)
		return bind_target(s, fd, addr, len, (unsigned)port, other);
	if (PR_UNLIKELY(s->log_level >= 2) && socket_transport(fd) != 0) {
		format_endpoint(where, sizeof(where), addr, (unsigned)port);
		pr_log("bind %s: not remapped (port not in PORTREMAP_MAP)",
		    where);
	}
	return real_bind(fd, addr, len);
}

/* Before the library's constructor: another library's constructor. */
static PR_NOINLINE int
bind_first(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct settings scratch;

	return remap_bind(settings_now(&scratch), fd, addr, len);
}

PR_EXPORT int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct settings *s = settings_ready();

	if (PR_UNLIKELY(s == NULL))
		return bind_first(fd, addr, len);
	return remap_bind(s, fd, addr, len);
}
