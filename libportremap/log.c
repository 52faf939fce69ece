/*
 * Diagnostics on stderr: one write per line, no stdio (no locks, no
 * allocation, nothing that breaks in a signal handler or after fork), and
 * errno untouched so that logging never changes what the caller sees.
 *
 * fd 2 is not always stderr by the time a line is written: daemons close
 * it, and inetd-style servers dup2() a client's connection onto it. A line
 * goes only where a log can be: a file, a pipe, a terminal, or an AF_UNIX
 * stream (systemd's journal gives services one); never into a network
 * socket, and never with a SIGPIPE for the process.
 */
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>

#include "format.h"
#include "log.h"
#include "sys.h"

#define LINE_MAX_LEN	512

/* A socket at fd 2: only an AF_UNIX stream, and without SIGPIPE. */
static void
send_line(const char *line, size_t len)
{
	int type = 0;
	socklen_t optlen = sizeof(type);
	size_t off = 0;

	if (sys_getsockopt(2, SOL_SOCKET, SO_TYPE, &type, &optlen) != 0 ||
	    type != SOCK_STREAM)
		return;
	while (off < len) {
		long w = sys_sendto(2, line + off, len - off, MSG_NOSIGNAL);

		if (w == -EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/*
 * Anything else: SIGPIPE is blocked for this thread while writing, and one
 * the write raised is taken back before the mask is restored.
 */
static void
write_line(const char *line, size_t len)
{
	uint64_t pipe_bit = UINT64_C(1) << (SIGPIPE - 1), old = 0, pending = 0;
	const struct timespec now = { 0, 0 };
	size_t off = 0;
	long w = 0;

	if (sys_sigprocmask(SIG_BLOCK, &pipe_bit, &old) != 0)
		return;
	/* Only a thread that blocked it already can have one pending. */
	if ((old & pipe_bit) != 0)
		(void)sys_sigpending(&pending);
	while (off < len) {
		w = sys_write(2, line + off, len - off);
		if (w == -EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (w == -EPIPE && (pending & pipe_bit) == 0)
		(void)sys_sigtimedwait(&pipe_bit, &now);
	(void)sys_sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
put_line(const char *line, size_t len)
{
	int domain = 0;
	socklen_t optlen = sizeof(domain);
	long ret = sys_getsockopt(2, SOL_SOCKET, SO_DOMAIN, &domain, &optlen);

	if (ret == 0 && domain == AF_UNIX)
		send_line(line, len);
	else if (ret == -ENOTSOCK)
		write_line(line, len);
	/* Closed (EBADF), or a network or other socket: say nothing. */
}

/* pid 0: the "portremap: " prefix of settings errors. */
static void __attribute__((format(printf, 2, 0)))
emit(long pid, const char *fmt, va_list ap)
{
	char line[LINE_MAX_LEN];
	size_t len;

	if (pid != 0)
		len = format(line, sizeof(line), "portremap[%d]: ", (int)pid);
	else
		len = format(line, sizeof(line), "portremap: ");
	len += vformat(line + len, sizeof(line) - len - 1, fmt, ap);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	put_line(line, len);
}

/* "portremap[PID]: ..." for what happened to a call. */
void
pr_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(sys_getpid(), fmt, ap);
	va_end(ap);
}

/* The same for a call of another process: the supervised program's. */
void
pr_log_for(long pid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(pid, fmt, ap);
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
