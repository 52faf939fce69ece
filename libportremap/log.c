/*
 * Diagnostics on stderr: one write(2) per line, no stdio (no locks, no
 * allocation, nothing that breaks in a signal handler or after fork), and
 * errno preserved so that logging never changes what the caller sees.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "portremap.h"

#define LINE_MAX_LEN	512

static void __attribute__((format(printf, 2, 0)))
emit(int with_pid, const char *fmt, va_list ap)
{
	char line[LINE_MAX_LEN];
	int saved = errno, n, m;
	size_t off = 0, len;

	if (with_pid)
		n = snprintf(line, sizeof(line), "portremap[%d]: ", (int)getpid());
	else
		n = snprintf(line, sizeof(line), "portremap: ");
	if (n < 0)
		goto out;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		goto out;
	len = (size_t)n + (size_t)m;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	while (off < len) {
		ssize_t w = write(STDERR_FILENO, line + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
out:
	errno = saved;
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
