/*
 * Diagnostics on stderr: one write(2) per line, no stdio (no locks, no
 * allocation, nothing that breaks in a signal handler or after fork), and
 * errno untouched so that logging never changes what the caller sees.
 */
#include <errno.h>
#include <stdarg.h>

#include "portremap.h"
#include "sys.h"

#define LINE_MAX_LEN	512

static void __attribute__((format(printf, 2, 0)))
emit(int with_pid, const char *fmt, va_list ap)
{
	char line[LINE_MAX_LEN];
	size_t len, off = 0;

	if (with_pid)
		len = format(line, sizeof(line), "portremap[%d]: ",
		    (int)sys_getpid());
	else
		len = format(line, sizeof(line), "portremap: ");
	len += vformat(line + len, sizeof(line) - len - 1, fmt, ap);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	while (off < len) {
		long w = sys_write(2, line + off, len - off);

		if (w == -EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

/* "portremap[PID]: ..." for what happened to a call. */
void
pr_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(1, fmt, ap);
	va_end(ap);
}

/* "portremap: ..." for settings errors. */
void
pr_log_plain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(0, fmt, ap);
	va_end(ap);
}
