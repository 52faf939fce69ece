/*
 * getsockname(): a socket remapped onto a target port, and every socket
 * accepted from it, reports the port the app asked for. The kernel fills the
 * caller's buffer exactly as without the library; only the port bytes it
 * wrote may change afterwards.
 */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "portremap.h"

static void
log_rewrite(int fd, unsigned port, unsigned source)
{
	pr_log("getsockname fd %d: port %u reported as %u", fd, port, source);
}

/*
 * A 3-byte buffer holds only the high byte of the port: learn the whole
 * port with a second call into local storage, then fix that byte.
 */
static PR_NOINLINE void
patch_truncated(const struct settings *s, int fd, struct sockaddr *addr)
{
	struct sockaddr_storage full;
	socklen_t len = sizeof(full);
	unsigned port, source;
	unsigned char high;
	int saved = errno;

	if (real_getsockname(fd, (struct sockaddr *)&full, &len) != 0 ||
	    len < PORT_END ||
	    (full.ss_family != AF_INET && full.ss_family != AF_INET6))
		goto out;
	port = sockaddr_get_port(&full);
	if ((source = map_source(&s->map, port)) == 0 ||
	    !reports_source(fd, port))
		goto out;
	high = (unsigned char)(source >> 8);
	memcpy((char *)addr + PORT_END - 2, &high, 1);
out:
	errno = saved;
}

static inline int
remap_getsockname(const struct settings *s, int fd, struct sockaddr *addr,
    socklen_t *len)
{
	socklen_t room;
	sa_family_t family;
	unsigned port, source;

	if (!s->active || len == NULL)
		return real_getsockname(fd, addr, len);
	room = *len;
	if (real_getsockname(fd, addr, len) != 0)
		return -1;
	if (PR_UNLIKELY(room < PORT_END)) {
		if (room == PORT_END - 1)
			patch_truncated(s, fd, addr);
		return 0;
	}
	memcpy(&family, addr, sizeof(family));
	if (family != AF_INET && family != AF_INET6)
		return 0;
	port = sockaddr_get_port(addr);
	if ((source = map_source(&s->map, port)) == 0 ||
	    !reports_source(fd, port))
		return 0;
	sockaddr_set_port(addr, source);
	if (PR_UNLIKELY(s->log_level >= 2))
		log_rewrite(fd, port, source);
	return 0;
}

static PR_NOINLINE int
getsockname_first_use(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct settings scratch;

	return remap_getsockname(settings_first_use(&scratch), fd, addr, len);
}

PR_EXPORT int
getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	const struct settings *s = settings_ready();

	if (PR_UNLIKELY(s == NULL))
		return getsockname_first_use(fd, addr, len);
	return remap_getsockname(s, fd, addr, len);
}
