/*
 * Text for log lines and error messages: a formatter for the few directives
 * the library uses (%s with an optional precision, %u, %d) and socket
 * addresses written as inet_ntop() writes them. Keeping stdio out keeps the
 * library's imports, and so its load cost, small.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "sockaddr.h"
#include "format.h"

struct out {
	char	*buf;
	size_t	 cap;
	size_t	 len;
};

static void
put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

/*
 * Control characters are escaped, so that a value from the environment
 * (YAML block scalars keep a trailing newline) never splits a line.
 */
static void
put_string(struct out *o, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f) {
			put(o, (char)c);
			continue;
		}
		put(o, '\\');
		if (c == '\n' || c == '\r' || c == '\t') {
			put(o, c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
			continue;
		}
		put(o, 'x');
		put(o, "0123456789abcdef"[c >> 4]);
		put(o, "0123456789abcdef"[c & 15]);
	}
}

static void
put_unsigned(struct out *o, unsigned long v, unsigned base)
{
	char digits[24];
	size_t n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	while (n > 0)
		put(o, digits[--n]);
}

static void
finish(struct out *o)
{
	if (o->cap > 0)
		o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
}

/* Like vsnprintf() for %s, %.*s, %.Ns, %u, %d and %%. */
size_t
vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct out o = { buf, cap, 0 };

	for (const char *p = fmt; *p != '\0'; p++) {
		size_t precision = SIZE_MAX;

		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		if (*++p == '.') {
			if (*++p == '*') {
				int n = va_arg(ap, int);

				precision = n < 0 ? SIZE_MAX : (size_t)n;
				p++;
			} else {
				for (precision = 0; *p >= '0' && *p <= '9'; p++)
					precision = precision * 10 +
					    (size_t)(*p - '0');
			}
		}
		if (*p == 's') {
			put_string(&o, va_arg(ap, const char *), precision);
		} else if (*p == 'u') {
			put_unsigned(&o, va_arg(ap, unsigned), 10);
		} else if (*p == 'd') {
			int v = va_arg(ap, int);

			if (v < 0)
				put(&o, '-');
			put_unsigned(&o, v < 0 ? 0UL - (unsigned long)v :
			    (unsigned long)v, 10);
		} else if (*p == '%') {
			put(&o, '%');
		} else {
			break;	/* not a directive this formatter knows */
		}
	}
	finish(&o);
	return o.len;
}

size_t
format(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = vformat(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

static void
put_ipv4(struct out *o, const unsigned char *a)
{
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			put(o, '.');
		put_unsigned(o, a[i], 10);
	}
}

/* RFC 5952, as glibc's inet_ntop(): the longest run of zeros becomes "::". */
static void
put_ipv6(struct out *o, const unsigned char *a)
{
	unsigned words[8];
	int best = -1, best_len = 0;

	for (int i = 0; i < 8; i++)
		words[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && words[j] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			put(o, ':');
			if (i + best_len == 8)
				put(o, ':');
			i += best_len - 1;
			continue;
		}
		if (i > 0)
			put(o, ':');
		if (i == 6 && best == 0 && (best_len == 6 ||
		    (best_len == 5 && words[5] == 0xffff))) {
			put_ipv4(o, a + 12);
			return;
		}
		put_unsigned(o, words[i], 16);
	}
}

/* "0.0.0.0:80" or "[::]:80", the address read from an AF_INET(6) sockaddr. */
void
format_endpoint(char *buf, size_t cap, const void *addr, unsigned port)
{
	const unsigned char *b = addr;
	struct out o = { buf, cap, 0 };

	if (sockaddr_family(addr) == AF_INET6) {
		put(&o, '[');
		put_ipv6(&o, b + 8);
		put(&o, ']');
	} else {
		put_ipv4(&o, b + 4);
	}
	put(&o, ':');
	put_unsigned(&o, port, 10);
	finish(&o);
}
