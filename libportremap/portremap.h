/*
 * Internal interfaces of libportremap. Nothing declared here is exported:
 * the library is built with -fvisibility=hidden and a version script, and
 * only the wrapped libc functions are marked PR_EXPORT.
 */
#ifndef PORTREMAP_H
#define PORTREMAP_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Declarations too: the compiler then reaches globals without the GOT. */
#pragma GCC visibility push(hidden)

#define PR_EXPORT	__attribute__((visibility("default")))
#define PR_UNLIKELY(x)	__builtin_expect(!!(x), 0)
#define PR_NOINLINE	__attribute__((noinline))

/* Bytes of a sockaddr_in or sockaddr_in6 up to the end of the port field. */
#define PORT_END	4

/* map.c: PORTREMAP_MAP */

#define MAP_MAX_ENTRIES	64
#define SOURCE_MAX	1023
#define TARGET_MIN	1024
#define TARGET_MAX	65535

/* Source ports lo..hi land on lo+offset..hi+offset. */
struct map_entry {
	uint16_t lo;
	uint16_t hi;
	uint16_t offset;
};

struct port_map {
	unsigned	 count;
	uint16_t	 min_target;	/* bounds that let most ports skip the scan */
	uint16_t	 max_target;
	struct map_entry entry[MAP_MAX_ENTRIES];
};

#define MAP_DEFAULT	"80:8080,443:8443"

/* Blanks around values and tokens; a YAML block scalar adds a newline. */
static inline int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
#define ERR_MAX		192

int map_parse(struct port_map *, const char *text, char *err, size_t errlen);

/* The mapped port for a source port, or 0 when the port is not a source. */
static inline unsigned
map_target(const struct port_map *m, unsigned port)
{
	if (port > SOURCE_MAX)
		return 0;
	for (unsigned i = 0; i < m->count; i++)
		if (port - m->entry[i].lo <= (unsigned)(m->entry[i].hi - m->entry[i].lo))
			return port + m->entry[i].offset;
	return 0;
}

/* The source port that maps onto a target port, or 0 when none does. */
static inline unsigned
map_source(const struct port_map *m, unsigned port)
{
	if (port < m->min_target || port > m->max_target)
		return 0;
	for (unsigned i = 0; i < m->count; i++) {
		unsigned lo = m->entry[i].lo + m->entry[i].offset;

		if (port - lo <= (unsigned)(m->entry[i].hi - m->entry[i].lo))
			return port - m->entry[i].offset;
	}
	return 0;
}

/* settings.c: the environment, read once */

enum remap_mode { MODE_OFF, MODE_AUTO, MODE_ALWAYS, MODE_FALLBACK };

struct settings {
	int		 active;	/* 0: every call goes to libc untouched */
	enum remap_mode	 mode;
	int		 log_level;
	int		 connect_loopback;	/* PORTREMAP_CONNECT=loopback */
	struct port_map	 map;
};

/* The variables' values, NULL when unset. */
struct settings_text {
	const char	*map;
	const char	*mode;
	const char	*log;
	const char	*connect;
};

int settings_parse(struct settings *, const struct settings_text *,
    char *err, size_t errlen);
void settings_read(struct settings *, char *err, size_t errlen);

/*
 * init.c: everything the environment and the dynamic loader decide, done
 * once when the library is loaded. pr_settings_state is SETTINGS_UNREAD,
 * SETTINGS_READY, or, while one process publishes, minus its pid.
 */
#define SETTINGS_UNREAD		0
#define SETTINGS_READY		1

extern struct settings pr_published_settings;
extern int pr_settings_state;

void pr_init(void);
const struct settings *settings_now(struct settings *scratch);
void settings_report(void);

/* The published settings, or NULL while they are not. */
static inline const struct settings *
settings_ready(void)
{
	return __atomic_load_n(&pr_settings_state, __ATOMIC_ACQUIRE) ==
	    SETTINGS_READY ? &pr_published_settings : NULL;
}

/*
 * Whether a bind on a mapped port is remapped (decide.c: the capability).
 * A thread with the capability still tries the port first: the kernel
 * alone knows whether the capability reaches the socket's network
 * namespace (it does not for root in a user namespace on a network
 * namespace that namespace does not own).
 */

enum bind_action { ACTION_KEEP, ACTION_REMAP, ACTION_TRY_FIRST };

int has_bind_capability(void);
#define TRANSPORT_STREAM	1
#define TRANSPORT_DATAGRAM	2

int socket_transport(int fd);

static inline enum bind_action
decide(enum remap_mode mode, int capable)
{
	switch (mode) {
	case MODE_AUTO:
		return capable ? ACTION_TRY_FIRST : ACTION_REMAP;
	case MODE_ALWAYS:
		return ACTION_REMAP;
	case MODE_FALLBACK:
		return ACTION_TRY_FIRST;
	case MODE_OFF:
		break;
	}
	return ACTION_KEEP;
}

/*
 * sockaddr.c: reading and rewriting socket addresses. AF_INET and AF_INET6
 * keep the port, in network order, in bytes 2 and 3; callers' buffers may be
 * unaligned, so they are read and written a byte at a time.
 */

int sockaddr_inet_port(const struct sockaddr *, socklen_t, int *family);
void sockaddr_copy(void *dst, const void *src, size_t len);

static inline unsigned
sockaddr_family(const void *addr)
{
	return ((const struct sockaddr *)addr)->sa_family;
}

static inline unsigned
sockaddr_get_port(const void *addr)
{
	const unsigned char *b = addr;

	return (unsigned)b[2] << 8 | b[3];
}

static inline void
sockaddr_set_port(void *addr, unsigned port)
{
	unsigned char *b = addr;

	b[2] = (unsigned char)(port >> 8);
	b[3] = (unsigned char)port;
}

/* Only the port bytes that fit in the caller's buffer of room bytes. */
static inline void
sockaddr_set_port_within(void *addr, socklen_t room, unsigned port)
{
	unsigned char *b = addr;

	if (room > 2)
		b[2] = (unsigned char)(port >> 8);
	if (room > 3)
		b[3] = (unsigned char)port;
}

/* format.c: log text without stdio */

size_t format(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));
size_t vformat(char *, size_t, const char *, va_list)
    __attribute__((format(printf, 3, 0)));
void format_endpoint(char *, size_t, const void *addr, unsigned port);

/*
 * marks.c: one 32-bit entry per port, indexed by the port as it sits in a
 * sockaddr (network byte order), so that getsockname() moves bytes without
 * swapping them. Bits 0-1: what this process did with its own sockets on
 * that port; bit 2: log each rewrite; bits 16-31: the source port, in
 * network byte order, when the port is a remap target. A mark is written
 * together with its source, so an entry with a mark always has one.
 */

#define MARK_REMAPPED	1	/* this process remapped a socket onto the port */
#define MARK_DIRECT	2	/* this process bound a socket to it directly */
#define MARKS		3
#define LOG_EACH	4	/* PORTREMAP_LOG=2: every rewrite is logged */
#define SOURCE_SHIFT	16

extern uint32_t pr_ports[65536];

static inline unsigned
net16(unsigned port)
{
	uint16_t raw;
	unsigned char b[2] = { (unsigned char)(port >> 8), (unsigned char)port };

	__builtin_memcpy(&raw, b, 2);
	return raw;
}

static inline uint32_t
port_entry_raw(unsigned raw)
{
	return __atomic_load_n(&pr_ports[raw], __ATOMIC_RELAXED);
}

static inline uint32_t
port_entry(unsigned port)
{
	return port_entry_raw(net16(port));
}

static inline unsigned
entry_source(uint32_t entry)
{
	return net16(entry >> SOURCE_SHIFT);	/* the swap is its own inverse */
}

static inline unsigned
port_marks(unsigned port)
{
	return port_entry(port) & MARKS;
}

static inline void
mark_port(unsigned target, unsigned source, unsigned bits)
{
	__atomic_fetch_or(&pr_ports[net16(target)],
	    (uint32_t)net16(source) << SOURCE_SHIFT | bits, __ATOMIC_RELAXED);
}

void ports_fill(const struct port_map *, int log_each);

/* For getpeername(): what this process connected to each target port. */
#define PEER_REMAPPED	1	/* a connect to the source was sent here */
#define PEER_DIRECT	2	/* a connect asked for this port itself */

extern unsigned char pr_peer_marks[65536];

static inline void
mark_peer(unsigned port, unsigned bits)
{
	__atomic_fetch_or(&pr_peer_marks[port], bits, __ATOMIC_RELAXED);
}

void tag_socket(int fd);
int socket_is_tagged(int fd);

/*
 * Should a socket whose kernel port is a remap target report the source?
 * Memory answers when all of this process's own binds there were of one
 * kind; otherwise (both kinds, or none: a socket inherited across exec or
 * received from another process) the socket itself does.
 */
static inline int
reports_source(int fd, unsigned target)
{
	unsigned marks = port_marks(target);

	if (marks == MARK_REMAPPED)
		return 1;
	if (marks == MARK_DIRECT)
		return 0;
	return socket_is_tagged(fd);
}

/*
 * real.c: the next definitions in the lookup order (usually libc's), found
 * at load; until then, and where there are none, the system calls.
 */

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);
typedef int (*getname_fn)(int, struct sockaddr *, socklen_t *);

struct real_functions {
	bind_fn		bind;
	bind_fn		connect;
	getname_fn	getsockname;
	getname_fn	getpeername;
};

extern struct real_functions pr_real;

void real_resolve(void);

static inline int
real_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return __atomic_load_n(&pr_real.bind, __ATOMIC_RELAXED)(fd, addr, len);
}

static inline int
real_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return __atomic_load_n(&pr_real.connect, __ATOMIC_RELAXED)(fd, addr,
	    len);
}

static inline int
real_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return __atomic_load_n(&pr_real.getsockname, __ATOMIC_RELAXED)(fd,
	    addr, len);
}

static inline int
real_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return __atomic_load_n(&pr_real.getpeername, __ATOMIC_RELAXED)(fd,
	    addr, len);
}

/*
 * What the wrappers call next: until the library is initialised, functions
 * that initialise it first; then libc's, or the loopback remapping.
 */
extern getname_fn pr_getsockname_next;
extern bind_fn pr_connect_next;
extern getname_fn pr_getpeername_next;

void connect_publish(const struct settings *, int error_pending);

/* log.c */

void pr_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_log_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#pragma GCC visibility pop

#endif /* PORTREMAP_H */
