/* PORTREMAP_MAP: parsing, and the lookups every wrapped call makes. */
#ifndef PORTREMAP_MAP_H
#define PORTREMAP_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#pragma GCC visibility push(hidden)

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

#pragma GCC visibility pop

#endif
