#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define IO_TIMEOUT_MS	(15000 * time_scale())
#define SCALE_MAX	100

/*
 * How many times slower than this machine the suite runs (a VM under
 * emulation, make check-kernels): every wait of the harness, and each
 * test's own timeout, stretch by it. PORTREMAP_TEST_TIME_SCALE, 1 by default.
 */
unsigned
time_scale(void)
{
	static unsigned scale;
	const char *set;
	char *end;
	long n;

	if (scale == 0) {
		scale = 1;
		if ((set = getenv("PORTREMAP_TEST_TIME_SCALE")) != NULL &&
		    (n = strtol(set, &end, 10)) >= 1 && n <= SCALE_MAX &&
		    *end == '\0')
			scale = (unsigned)n;
	}
	return scale;
}

int
kernel_at_least(unsigned major, unsigned minor)
{
	struct utsname u;
	unsigned have_major = 0, have_minor = 0;

	if (uname(&u) != 0 ||
	    sscanf(u.release, "%u.%u", &have_major, &have_minor) != 2)
		return 1;
	return have_major > major || (have_major == major &&
	    have_minor >= minor);
}

/* Criterion reads each test's timeout after this, before running it. */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	FOREACH_SET(struct criterion_suite_set *suite, set->suites) {
		FOREACH_SET(struct criterion_test *test, suite->tests) {
			if (test->data->timeout > 0)
				test->data->timeout *= time_scale();
		}
	}
}

const char *
staged(const char *name)
{
	static char paths[8][512];
	static int next;
	const char *dir = getenv("PORTREMAP_TEST_STAGE");
	char *p = paths[next++ % 8];

	if (dir == NULL)
		cr_assert_fail("PORTREMAP_TEST_STAGE is not set: run the suite with "
		    "`make check`");
	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
	return p;
}

unsigned
unprivileged_uid(void)
{
	return geteuid() == 0 ? NOBODY : (unsigned)geteuid();
}

void
require_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root: this test compares root with an "
		    "unprivileged user");
}

static void
require_root_for_namespaces(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root: it runs in a network namespace of its "
		    "own");
}

static void
become_unprivileged(void)
{
	if (geteuid() != 0)
		return;		/* already unprivileged */
	if (setgroups(0, NULL) != 0 ||
	    setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) != 0) {
		perror("drop privileges");
		_exit(127);
	}
}

const char *
staged_go(const char *name)
{
	const char *path = staged(name);

	if (access(path, X_OK) != 0)
		cr_skip_test("Go is not installed (apt-get install golang-go): %s "
		    "was not built", name);
	return path;
}

const char *
installed(const char *path, const char *package)
{
	if (access(path, X_OK) != 0)
		cr_skip_test("%s is not installed (apt-get install %s)", path,
		    package);
	return path;
}

const char *
without_library(void)
{
	static char preload[1100];
	const char *first = getenv("PORTREMAP_TEST_PRELOAD_FIRST");

	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s",
	    first != NULL ? first : "");
	return preload;
}

/*
 * A sanitizer build puts its runtime first in LD_PRELOAD, and its options
 * pass through to the programs under test.
 */
static void
build_env(const char *envp[], size_t max, const char *const extra[])
{
	static char preload[1200], options[3][600];
	static const char *const passed[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS",
	    "TSAN_OPTIONS" };
	const char *first = getenv("PORTREMAP_TEST_PRELOAD_FIRST");
	const char *defaults[8] = { "PATH=/usr/bin:/bin", "HOME=/tmp",
	    "LANG=C", preload };
	size_t n = 0, d = 4;

	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s%s%s",
	    first != NULL ? first : "", first != NULL ? " " : "",
	    staged("libportremap.so"));
	for (size_t i = 0; i < 3; i++) {
		const char *value = getenv(passed[i]);

		if (value == NULL)
			continue;
		snprintf(options[i], sizeof(options[i]), "%s=%s", passed[i],
		    value);
		defaults[d++] = options[i];
	}
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n + 1 < max; i++)
		envp[n++] = extra[i];
	for (size_t i = 0; defaults[i] != NULL && n + 1 < max; i++) {
		size_t key = strcspn(defaults[i], "=") + 1;
		int overridden = 0;

		for (size_t j = 0; extra != NULL && extra[j] != NULL; j++)
			if (strncmp(extra[j], defaults[i], key) == 0)
				overridden = 1;
		if (!overridden)
			envp[n++] = defaults[i];
	}
	envp[n] = NULL;
}

/*
 * For a program of another architecture, PORTREMAP_TEST_RUNNER names the
 * emulator ("qemu-aarch64 -L /usr/aarch64-linux-gnu"): it runs the program,
 * and the preload goes to the guest (-E), not to the emulator itself.
 * PORTREMAP_TEST_PROFILE=docker runs each command under the system calls
 * Docker's and containerd's default seccomp profiles refuse (noseccomp.c).
 */
static void
apply_runner(const char *envp[], const char *argv[], size_t max,
    const char *const *original)
{
	static char words[512], preload[1300];
	const char *runner = getenv("PORTREMAP_TEST_RUNNER");
	const char *profile = getenv("PORTREMAP_TEST_PROFILE");
	size_t n = 0, i;

	for (i = 0; original[i] != NULL && i + 1 < max; i++)
		argv[i] = original[i];
	argv[i] = NULL;
	if (profile != NULL && *profile != '\0' && i + 3 < max) {
		/* Under a container's refusals (noseccomp.c), the same pid. */
		memmove(argv + 2, argv, (i + 1) * sizeof(*argv));
		argv[0] = staged("noseccomp");
		argv[1] = profile;
	}
	if (runner == NULL || *runner == '\0')
		return;
	snprintf(words, sizeof(words), "%s", runner);
	for (char *w = strtok(words, " "); w != NULL && n + 4 < max;
	    w = strtok(NULL, " "))
		argv[n++] = w;
	for (i = 0; envp[i] != NULL; i++) {
		if (strncmp(envp[i], "LD_PRELOAD=", 11) != 0)
			continue;
		if (envp[i][11] != '\0') {
			snprintf(preload, sizeof(preload), "%s", envp[i]);
			argv[n++] = "-E";
			argv[n++] = preload;
		}
		for (; envp[i] != NULL; i++)
			envp[i] = envp[i + 1];
		break;
	}
	for (i = 0; original[i] != NULL && n + 1 < max; i++)
		argv[n++] = original[i];
	argv[n] = NULL;
}

/*
 * The run's registry of ports. Every port 10000-29999 that a test reaches,
 * however it reaches it (a program's arguments or environment, a helper's
 * connection from the test process), is claimed for that test in
 * PORTREMAP_TEST_PORTS, a folder the whole run shares: a symbolic link
 * named for the port, pointing at the test's name, made atomically. A port
 * another test claimed fails the test, naming both, whatever the order or
 * parallelism of the suite. 20000, the offset maps use, is no port.
 */
static void
claim_port(unsigned port)
{
	const char *dir = getenv("PORTREMAP_TEST_PORTS");
	char path[512], me[256], owner[256];
	ssize_t n;

	if (dir == NULL || port < 10000 || port >= 30000 || port == 20000)
		return;
	snprintf(me, sizeof(me), "%s::%s", criterion_current_test->category,
	    criterion_current_test->name);
	snprintf(path, sizeof(path), "%s/%u", dir, port);
	if (symlink(me, path) == 0)
		return;
	cr_assert_eq(errno, EEXIST, "claiming port %u in %s: %s", port, dir,
	    strerror(errno));
	cr_assert((n = readlink(path, owner, sizeof(owner) - 1)) > 0);
	owner[n] = '\0';
	cr_assert_str_eq(owner, me, "port %u is used by %s and by %s: give "
	    "each test ports of its own (tests/ports.sh)", port, owner, me);
}

/* The ports written in s: five-digit numbers standing alone, not offsets. */
static void
claim_ports_in(const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		size_t n = strspn(p, "0123456789");

		if (n == 5 && !isalnum((unsigned char)p[n]) && (p == s ||
		    (!isalnum((unsigned char)p[-1]) && p[-1] != '+' &&
		    p[-1] != '.')))
			claim_port((unsigned)strtoul(p, NULL, 10));
		if (n > 0)
			p += n - 1;
	}
}

/* Write value to a file under /proc/sys; 0 or -1. */
static int
write_sysctl(const char *name, const char *value)
{
	char path[256];
	int fd, ok;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * In the child, as root: a network namespace of its own, loopback up, and
 * "net/ipv4/NAME=VALUE" settings, untouched by the host's.
 */
static void
enter_network_namespace(const char *const sysctls[])
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET) != 0) {
		perror("unshare(CLONE_NEWNET)");
		_exit(127);
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ifr.ifr_flags = IFF_UP;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) {
		perror("loopback up");
		_exit(127);
	}
	close(fd);
	for (size_t i = 0; sysctls != NULL && sysctls[i] != NULL; i++) {
		char name[128];
		const char *eq = strchr(sysctls[i], '=');

		snprintf(name, sizeof(name), "%.*s", (int)(eq - sysctls[i]),
		    sysctls[i]);
		if (write_sysctl(name, eq + 1) != 0) {
			perror(name);
			_exit(127);
		}
	}
}

static void
start(struct proc *p, enum who who, const char *const sysctls[],
    const char *const env[], const char *const original_argv[]);

void
proc_start(struct proc *p, enum who who, const char *const env[],
    const char *const original_argv[])
{
	start(p, who, NULL, env, original_argv);
}

void
proc_start_netns(struct proc *p, enum who who, const char *const sysctls[],
    const char *const env[], const char *const argv[])
{
	require_root_for_namespaces();
	start(p, who, sysctls != NULL ? sysctls : NO_ENV, env, argv);
}

static void
start(struct proc *p, enum who who, const char *const sysctls[],
    const char *const env[], const char *const original_argv[])
{
	int out[2], err[2];
	const char *envp[64], *argv[64];

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		claim_ports_in(env[i]);
	for (size_t i = 0; original_argv[i] != NULL; i++)
		claim_ports_in(original_argv[i]);
	build_env(envp, 64, env);
	apply_runner(envp, argv, 64, original_argv);
	cr_assert(pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0);
	fflush(NULL);
	p->pid = fork();
	cr_assert(p->pid >= 0);
	if (p->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		if (chdir("/") != 0)
			_exit(127);
		if (sysctls != NULL)
			enter_network_namespace(sysctls);
		if (who == UNPRIVILEGED)
			become_unprivileged();
		/* After the drop, which clears it: a failed test leaves no server. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execvpe(argv[0], (char *const *)argv, (char *const *)envp);
		perror(argv[0]);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	p->out = out[0];
	p->err = err[0];
}

/* Read what is there from both pipes; -1 when both are closed. */
static int
pump(struct proc *p, int timeout_ms)
{
	struct pollfd fds[2] = {
		{ .fd = p->out, .events = POLLIN },
		{ .fd = p->err, .events = POLLIN },
	};
	int ready;

	if (p->out < 0 && p->err < 0)
		return -1;
	ready = poll(fds, 2, timeout_ms);
	if (ready <= 0)
		return ready;
	for (int i = 0; i < 2; i++) {
		int *fd = i == 0 ? &p->out : &p->err;
		char *buf = i == 0 ? p->outbuf : p->errbuf;
		size_t *len = i == 0 ? &p->outlen : &p->errlen;
		ssize_t n;

		if (fds[i].revents == 0)
			continue;
		n = read(*fd, buf + *len, OUTPUT_MAX - 1 - *len);
		if (n <= 0) {
			close(*fd);
			*fd = -1;
		} else {
			*len += (size_t)n;
			buf[*len] = '\0';
		}
	}
	return 1;
}

static int
has_prefix_line(const char *buf, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *line = buf; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');

		if (nl == NULL)
			return 0;	/* wait for the whole line */
		if ((size_t)(nl - line) >= n && strncmp(line, prefix, n) == 0)
			return 1;
		line = nl + 1;
	}
	return 0;
}

void
proc_start_ready(struct proc *p, enum who who, const char *const env[],
    const char *const argv[], const char *ready)
{
	proc_start(p, who, env, argv);
	if (!proc_wait_for(p, ready)) {
		proc_stop(p);
		cr_assert_fail("%s never printed \"%s\" (status %d)\nstdout:\n%s\n"
		    "stderr:\n%s", argv[0], ready, p->status, p->outbuf,
		    p->errbuf);
	}
}

int
proc_wait_for(struct proc *p, const char *prefix)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!has_prefix_line(p->outbuf, prefix)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > IO_TIMEOUT_MS / 1000)
			return 0;
		if (pump(p, 200) < 0)
			return has_prefix_line(p->outbuf, prefix);
	}
	return 1;
}

void
proc_finish(struct proc *p)
{
	struct timespec start, now;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (pump(p, 200) >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > IO_TIMEOUT_MS / 1000) {
			kill(p->pid, SIGKILL);
			break;
		}
	}
	if (p->out >= 0)
		close(p->out);
	if (p->err >= 0)
		close(p->err);
	p->out = p->err = -1;
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	p->status = WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}

void
proc_stop(struct proc *p)
{
	kill(p->pid, SIGTERM);
	proc_finish(p);
}

void
proc_run(struct proc *p, enum who who, const char *const env[],
    const char *const argv[])
{
	proc_start(p, who, env, argv);
	proc_finish(p);
}

int
has_line(const char *buf, const char *line)
{
	size_t n = strlen(line);

	for (const char *s = buf; (s = strstr(s, line)) != NULL; s++)
		if ((s == buf || s[-1] == '\n') &&
		    (s[n] == '\n' || s[n] == '\0'))
			return 1;
	return 0;
}

static int
endpoint(const char *host, unsigned port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*len = sizeof(*in);
		return AF_INET;
	}
	cr_assert(inet_pton(AF_INET6, host, &in6->sin6_addr) == 1);
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons((uint16_t)port);
	*len = sizeof(*in6);
	return AF_INET6;
}

static int
read_reply(int fd, char *reply, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, IO_TIMEOUT_MS) != 1)
		return ETIMEDOUT;
	if ((n = read(fd, reply, len - 1)) < 0)
		return errno;
	reply[n] = '\0';
	return 0;
}

/* A socket of type connected to host:port; -1 with *err set if it fails. */
static int
connected(const char *host, unsigned port, int type, int *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd;

	claim_port(port);
	fd = socket(endpoint(host, port, &ss, &sslen), type | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	if (connect(fd, (struct sockaddr *)&ss, sslen) != 0) {
		*err = errno;
		close(fd);
		return -1;
	}
	*err = 0;
	return fd;
}

int
tcp_fetch(const char *host, unsigned port, char *reply, size_t len)
{
	int err, fd = connected(host, port, SOCK_STREAM, &err);

	if (fd < 0)
		return err;
	err = read_reply(fd, reply, len);
	close(fd);	/* the client closes first: no TIME_WAIT on the server */
	return err;
}

int
http_get(const char *host, unsigned port, const char *path, char *reply,
    size_t len)
{
	char request[256];
	size_t got = 0;
	int err, n, fd = connected(host, port, SOCK_STREAM, &err);

	reply[0] = '\0';
	if (fd < 0)
		return err;
	n = snprintf(request, sizeof(request), "GET %s HTTP/1.0\r\n"
	    "Host: localhost\r\n\r\n", path);
	if (write(fd, request, (size_t)n) != n)
		err = errno;
	while (err == 0 && got + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, IO_TIMEOUT_MS) != 1) {
			err = ETIMEDOUT;
			break;
		}
		if ((r = read(fd, reply + got, len - 1 - got)) <= 0) {
			err = r < 0 ? errno : 0;
			break;
		}
		got += (size_t)r;
	}
	reply[got] = '\0';
	close(fd);
	return err;
}

int
wait_listening(const char *host, unsigned port)
{
	for (unsigned i = 0; i < 100 * time_scale(); i++) {
		int err, fd = connected(host, port, SOCK_STREAM, &err);

		if (fd >= 0) {
			close(fd);
			return 0;
		}
		usleep(100 * 1000);
	}
	return ETIMEDOUT;
}

int
udp_exchange(const char *host, unsigned port, char *reply, size_t len)
{
	int err, fd = connected(host, port, SOCK_DGRAM, &err);

	if (fd < 0)
		return err;
	if (send(fd, "ping\n", 5, 0) != 5)
		err = errno;
	else
		err = read_reply(fd, reply, len);
	close(fd);
	return err;
}

void
expect_out(const struct proc *p, const char *line)
{
	cr_assert(has_line(p->outbuf, line), "missing \"%s\" in stdout:\n%s\n"
	    "stderr:\n%s", line, p->outbuf, p->errbuf);
}

void
expect_err(const struct proc *p, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "portremap[%d]: %s", (int)p->pid, line);
	cr_assert(has_line(p->errbuf, want), "missing \"%s\" in stderr:\n%s",
	    want, p->errbuf);
}

void
expect_stderr_is(const struct proc *p, const char *text)
{
	cr_assert_str_eq(p->errbuf, text);
}

void
expect_remap_logged(const struct proc *p, const char *from, const char *to)
{
	char want[256];

	snprintf(want, sizeof(want), "portremap[%d]: bind %s -> %s (uid %u "
	    "lacks CAP_NET_BIND_SERVICE)", (int)p->pid, from, to,
	    unprivileged_uid());
	cr_assert(has_line(p->errbuf, want), "missing \"%s\" in stderr:\n%s",
	    want, p->errbuf);
}

void
fetch_ok(const char *host, unsigned port)
{
	char reply[64] = "";
	int err = tcp_fetch(host, port, reply, sizeof(reply));

	cr_assert_eq(err, 0, "connect %s:%u: %s", host, port, strerror(err));
	cr_assert_str_eq(reply, "hello\n");
}
