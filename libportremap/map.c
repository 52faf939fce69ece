/*
 * PORTREMAP_MAP: "FROM:TO" and "LO-HI:+OFFSET" entries separated by commas.
 * Parsing is strict (every number range-checked, nothing trailing) so that
 * a typo is reported rather than half-applied.
 */
#include "map.h"
#include "format.h"

struct cursor {
	const char	*p;
	const char	*end;
};

static void
skip_blanks(struct cursor *c)
{
	while (c->p < c->end && is_blank(*c->p))
		c->p++;
}

#define NOT_A_NUMBER	(-1)
#define TOO_LARGE	(-2)

/* Digits only: no sign, no blanks inside, at most 65535. */
static int
read_number(struct cursor *c, unsigned *value)
{
	unsigned v = 0;
	const char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		v = v * 10 + (unsigned)(*c->p - '0');
		if (v > 65535)
			return TOO_LARGE;
		c->p++;
	}
	if (c->p == start)
		return NOT_A_NUMBER;
	*value = v;
	return 0;
}

static int
fail(char *err, size_t errlen, const char *tok, size_t toklen, const char *why)
{
	format(err, errlen, "\"%.*s\": %s", (int)(toklen > 64 ? 64 : toklen),
	    tok, why);
	return -1;
}

static const char *
find_char(const char *p, const char *end, char c)
{
	for (; p < end; p++)
		if (*p == c)
			return p;
	return NULL;
}

static int
overlap(unsigned lo1, unsigned hi1, unsigned lo2, unsigned hi2)
{
	return lo1 <= hi2 && lo2 <= hi1;
}

/* Parse one entry, already cut from the list, into *e. */
static int
parse_entry(const char *tok, size_t len, struct map_entry *e, char *err,
    size_t errlen)
{
	struct cursor c = { tok, tok + len };
	unsigned lo, hi, target;
	int range = 0;

	skip_blanks(&c);
	if (find_char(tok, tok + len, ':') == NULL)
		return fail(err, errlen, tok, len,
		    "expected FROM:TO or LO-HI:+OFFSET");
	if (read_number(&c, &lo) != 0 || lo < 1 || lo > SOURCE_MAX)
		return fail(err, errlen, tok, len, "source must be a port 1-1023");
	hi = lo;
	skip_blanks(&c);
	if (c.p < c.end && *c.p == '-') {
		c.p++;
		skip_blanks(&c);
		if (read_number(&c, &hi) != 0 || hi < 1 || hi > SOURCE_MAX)
			return fail(err, errlen, tok, len,
			    "source must be a port 1-1023");
		if (hi < lo)
			return fail(err, errlen, tok, len,
			    "range must run from low to high");
		range = 1;
		skip_blanks(&c);
	}
	if (c.p == c.end || *c.p != ':')
		return fail(err, errlen, tok, len,
		    "expected FROM:TO or LO-HI:+OFFSET");
	c.p++;
	skip_blanks(&c);
	if (c.p < c.end && *c.p == '+') {
		int got;

		c.p++;
		if ((got = read_number(&c, &target)) == TOO_LARGE)
			return fail(err, errlen, tok, len,
			    "targets must be ports 1024-65535");
		if (got == NOT_A_NUMBER)
			return fail(err, errlen, tok, len,
			    "offset must be a number");
		skip_blanks(&c);
		if (c.p != c.end)
			return fail(err, errlen, tok, len,
			    "offset must be a number");
		if (lo + target < TARGET_MIN || hi + target > TARGET_MAX)
			return fail(err, errlen, tok, len,
			    "targets must be ports 1024-65535");
		target += lo;
	} else {
		if (read_number(&c, &target) != 0 || target < TARGET_MIN)
			return fail(err, errlen, tok, len,
			    "target must be a port 1024-65535");
		skip_blanks(&c);
		if (c.p != c.end)
			return fail(err, errlen, tok, len,
			    "target must be a port 1024-65535");
		if (range)
			return fail(err, errlen, tok, len,
			    "a range needs +OFFSET as its target");
	}
	e->lo = (uint16_t)lo;
	e->hi = (uint16_t)hi;
	e->offset = (uint16_t)(target - lo);
	return 0;
}

/* Check a new entry against those already in the map. */
static int
check_conflicts(const struct port_map *m, const struct map_entry *e,
    const char *tok, size_t len, char *err, size_t errlen)
{
	char why[96];

	for (unsigned i = 0; i < m->count; i++) {
		const struct map_entry *o = &m->entry[i];
		unsigned olo = o->lo + o->offset, ohi = o->hi + o->offset;
		unsigned elo = e->lo + e->offset, ehi = e->hi + e->offset;

		if (overlap(e->lo, e->hi, o->lo, o->hi)) {
			unsigned port = e->lo > o->lo ? e->lo : o->lo;

			format(why, sizeof(why), "source %u is mapped twice",
			    port);
			return fail(err, errlen, tok, len, why);
		}
		if (overlap(elo, ehi, olo, ohi)) {
			unsigned port = elo > olo ? elo : olo;

			format(why, sizeof(why),
			    "target %u is already the target of %u", port,
			    port - o->offset);
			return fail(err, errlen, tok, len, why);
		}
	}
	return 0;
}

/*
 * Parse text into *m. On error returns -1, leaves a message naming the
 * offending entry in err, and *m empty.
 */
int
map_parse(struct port_map *m, const char *text, char *err, size_t errlen)
{
	const char *p = text, *end = text;

	while (*end != '\0')
		end++;
	m->count = m->min_target = m->max_target = 0;
	for (;;) {
		const char *comma = find_char(p, end, ',');
		const char *stop = comma != NULL ? comma : end;
		const char *a = p, *b = stop;
		struct map_entry e;

		while (a < b && is_blank(*a))
			a++;
		while (b > a && is_blank(b[-1]))
			b--;
		if (a == b) {
			fail(err, errlen, text, (size_t)(end - text),
			    "empty entry");
			goto bad;
		}
		if (m->count == MAP_MAX_ENTRIES) {
			fail(err, errlen, a, (size_t)(b - a),
			    "too many entries (at most 64)");
			goto bad;
		}
		if (parse_entry(a, (size_t)(b - a), &e, err, errlen) == -1 ||
		    check_conflicts(m, &e, a, (size_t)(b - a), err, errlen) == -1)
			goto bad;
		if (m->count == 0 || e.lo + e.offset < m->min_target)
			m->min_target = (uint16_t)(e.lo + e.offset);
		if (e.hi + e.offset > m->max_target)
			m->max_target = (uint16_t)(e.hi + e.offset);
		m->entry[m->count++] = e;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
bad:
	m->count = m->min_target = m->max_target = 0;
	return -1;
}
