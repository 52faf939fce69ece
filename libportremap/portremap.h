/*
 * Internal interfaces of libportremap. Nothing declared here is exported:
 * the library is built with -fvisibility=hidden and a version script, and
 * only the wrapped libc functions are marked PR_EXPORT.
 */
#ifndef PORTREMAP_H
#define PORTREMAP_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

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
	struct port_map	 map;
};

int settings_parse(struct settings *, const char *map, const char *mode,
    const char *log, char *err, size_t errlen);
const struct settings *settings_first_use(struct settings *scratch);

extern struct settings pr_published_settings;
extern int pr_settings_state;

/* The settings once published, or NULL before the first call finished. */
static inline const struct settings *
settings_ready(void)
{
	if (__atomic_load_n(&pr_settings_state, __ATOMIC_ACQUIRE) == 2)
		return &pr_published_settings;
	return NULL;
}

/* decide.c: whether a bind on a mapped port is remapped */

enum bind_action { ACTION_KEEP, ACTION_REMAP, ACTION_TRY_FIRST };

enum bind_action decide(enum remap_mode, int has_bind_capability);
int has_bind_capability(void);

/* sockaddr.c: reading and rewriting socket addresses */

int sockaddr_inet_port(const struct sockaddr *, socklen_t, int *family);
void sockaddr_set_port(void *addr, unsigned port);
unsigned sockaddr_get_port(const void *addr);
void sockaddr_format(char *buf, size_t len, const struct sockaddr *,
    socklen_t addrlen, unsigned port);

/* marks.c: what this process knows about each target port */

#define MARK_REMAPPED	1	/* a socket here was remapped onto the port */
#define MARK_DIRECT	2	/* a socket here holds the port unremapped */

extern unsigned char pr_port_marks[65536];

static inline unsigned
port_marks(unsigned port)
{
	return __atomic_load_n(&pr_port_marks[port], __ATOMIC_RELAXED);
}

static inline void
mark_port(unsigned port, unsigned bits)
{
	__atomic_fetch_or(&pr_port_marks[port], bits, __ATOMIC_RELAXED);
}

void tag_socket(int fd);
int socket_is_tagged(int fd);
int reports_source_slow(int fd, unsigned target, unsigned marks);

/*
 * Should a socket whose kernel port is a remap target report the source?
 * Memory answers in the common cases; the kernel settles the rest.
 */
static inline int
reports_source(int fd, unsigned target)
{
	unsigned marks = port_marks(target);

	if (marks == MARK_REMAPPED)
		return 1;
	if (marks == MARK_DIRECT)
		return 0;
	return reports_source_slow(fd, target, marks);
}

/* real.c: the next definitions in the lookup order (usually libc's) */

int real_bind(int, const struct sockaddr *, socklen_t);
int real_getsockname(int, struct sockaddr *, socklen_t *);

/* log.c */

void pr_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_log_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* PORTREMAP_H */
