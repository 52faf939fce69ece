/*
 * getsockname(): a socket remapped onto a target port, and every socket
 * accepted from it, reports the port the app asked for. The kernel fills the
 * caller's buffer exactly as without the library; only the port bytes it
 * wrote may change afterwards.
 *
 * Servers call this for every connection, so the common case costs a few
 * instructions: one load of the port's entry says whether it is a target,
 * which source it maps from, and whether this process remapped onto it.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include "map.h"
#include "settings.h"
#include "init.h"
#include "sockaddr.h"
#include "marks.h"
#include "real.h"
#include "log.h"

static int getsockname_first(int, struct sockaddr *, socklen_t *);

getname_fn pr_getsockname_next = getsockname_first;

static void
log_rewrite(int fd, unsigned port, unsigned source)
{
	pr_log("getsockname fd %d: port %u reported as %u", fd, port, source);
}

/* The source for a target port, under settings published or not. */
static unsigned
source_of(const struct settings *s, unsigned port)
{
	if (s == &pr_published_settings)
		return entry_source(port_entry(port));
	return map_source(&s->map, port);
}

/*
 * A buffer too short for the whole port: a 3-byte one holds its high byte,
 * so learn the whole port with a second call into local storage.
 */
static PR_NOINLINE void
patch_truncated(const struct settings *s, int fd, struct sockaddr *addr,
    socklen_t room)
{
	struct sockaddr_storage full;
	socklen_t len = sizeof(full);
	unsigned port, source, family;

	if (room != PORT_END - 1 ||
	    real_getsockname(fd, (struct sockaddr *)&full, &len) != 0 ||
	    len < PORT_END)
		return;
	family = sockaddr_family(&full);
	port = sockaddr_get_port(&full);
	if ((family != AF_INET && family != AF_INET6) ||
	    (source = source_of(s, port)) == 0 || !reports_source(fd, port))
		return;
	sockaddr_set_port_within(addr, room, source);
}

/*
 * The whole job under given settings: for short or missing lengths, and for
 * a call that comes while this process is still publishing its settings.
 * The fast path may look at the result again; that is harmless, since a
 * source port is never a target.
 */
static PR_NOINLINE int
getsockname_with(const struct settings *s, int fd, struct sockaddr *addr,
    socklen_t *len)
{
	socklen_t room;
	unsigned port, source, family;

	if (!s->active || len == NULL)
		return real_getsockname(fd, addr, len);
	room = *len;
	if (real_getsockname(fd, addr, len) != 0)
		return -1;
	if (room < PORT_END) {
		patch_truncated(s, fd, addr, room);
		return 0;
	}
	family = sockaddr_family(addr);
	port = sockaddr_get_port(addr);
	if ((family != AF_INET && family != AF_INET6) ||
	    (source = source_of(s, port)) == 0 || !reports_source(fd, port))
		return 0;
	sockaddr_set_port(addr, source);
	if (s->log_level >= 2)
		log_rewrite(fd, port, source);
	return 0;
}

static PR_NOINLINE int
getsockname_slow(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct settings scratch;

	return getsockname_with(settings_now(&scratch), fd, addr, len);
}

/* Before the library's constructor: initialise, then as usual. */
static PR_NOINLINE int
getsockname_first(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct settings scratch;
	const struct settings *s = settings_now(&scratch);

	if (s == &pr_published_settings)	/* the caller rewrites */
		return real_getsockname(fd, addr, len);
	return getsockname_with(s, fd, addr, len);
}

/* A target port this process did not only remap onto, or a verbose log. */
static PR_NOINLINE int
getsockname_unsure(int fd, struct sockaddr *addr, uint32_t entry)
{
	unsigned port = sockaddr_get_port(addr), marks = entry & MARKS;

	if (marks == MARK_DIRECT ||
	    (marks != MARK_REMAPPED && !socket_is_tagged(fd)))
		return 0;
	sockaddr_set_port(addr, entry_source(entry));
	if (entry & LOG_EACH)
		log_rewrite(fd, port, entry_source(entry));
	return 0;
}

PR_EXPORT int
getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	getname_fn next;
	uint32_t entry;
	uint16_t raw;

	if (PR_UNLIKELY(len == NULL || *len < PORT_END))
		return getsockname_slow(fd, addr, len);
	next = __atomic_load_n(&pr_getsockname_next, __ATOMIC_ACQUIRE);
	if (next(fd, addr, len) != 0)
		return -1;
	__builtin_memcpy(&raw, (char *)addr + 2, sizeof(raw));
	if ((entry = port_entry_raw(raw)) == 0)
		return 0;
	/* AF_INET (2) or AF_INET6 (10): other families keep other bytes here. */
	if ((sockaddr_family(addr) & ~8U) != AF_INET)
		return 0;
	if (PR_UNLIKELY((uint8_t)entry != MARK_REMAPPED))
		return getsockname_unsure(fd, addr, entry);
	raw = (uint16_t)(entry >> SOURCE_SHIFT);
	__builtin_memcpy((char *)addr + 2, &raw, sizeof(raw));
	return 0;
}
