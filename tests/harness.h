/*
 * Integration test harness: runs real programs under the staged library as
 * an unprivileged user, and talks to them over loopback from the (not
 * preloaded) test process.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <sys/types.h>

#include <stddef.h>

#define NOBODY		65534
#define OUTPUT_MAX	16384

/* Argument and environment lists, written inline. */
#define ARGV(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define ENV(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define NO_ENV		((const char *const[]){ NULL })

enum who { UNPRIVILEGED, ROOT };

struct proc {
	pid_t	pid;
	int	out;
	int	err;
	int	status;		/* exit code, or 128 + signal */
	size_t	outlen;
	size_t	errlen;
	char	outbuf[OUTPUT_MAX];
	char	errbuf[OUTPUT_MAX];
};

/* A file staged beside the library in the world-readable test folder. */
const char *staged(const char *name);

/* A staged Go program; the test skips, saying why, where Go is missing. */
const char *staged_go(const char *name);

/* path; the test skips, saying which package to install, where it is missing. */
const char *installed(const char *path, const char *package);
#define PYTHON3		installed("/usr/bin/python3", "python3")
#define BUSYBOX		installed("/bin/busybox", "busybox-static")

/*
 * "LD_PRELOAD=" without the library, for env: only a sanitizer's runtime,
 * which its programs need first.
 */
const char *without_library(void);

/*
 * How many times slower than usual the suite runs: the harness's waits and
 * the tests' timeouts stretch by it (PORTREMAP_TEST_TIME_SCALE).
 */
unsigned time_scale(void);

/* Is the running kernel this version or later? */
int kernel_at_least(unsigned major, unsigned minor);

/* The uid the unprivileged runs have: 65534 under root, else our own. */
unsigned unprivileged_uid(void);

/* Skip the current test unless the suite runs as root. */
void require_root(void);

/*
 * Start argv (NULL-terminated) with a small clean environment, LD_PRELOAD
 * set to the staged library, and env's "NAME=value" entries on top.
 */
void proc_start(struct proc *, enum who, const char *const env[],
    const char *const argv[]);
/*
 * proc_start() in a network namespace of its own (root only: the test is
 * skipped otherwise), loopback up, with sysctls such as
 * "net/ipv4/ip_unprivileged_port_start=0" set there; NULL for none.
 */
void proc_start_netns(struct proc *, enum who, const char *const sysctls[],
    const char *const env[], const char *const argv[]);
/*
 * proc_start(), then wait for a stdout line starting with ready; when it
 * never comes, the program is stopped and the test fails with its output.
 */
void proc_start_ready(struct proc *, enum who, const char *const env[],
    const char *const argv[], const char *ready);
/* Read until stdout has a line starting with prefix; 0 when it never came. */
int proc_wait_for(struct proc *, const char *prefix);
/* Read everything left and reap the process. */
void proc_finish(struct proc *);
/* proc_start then proc_finish. */
void proc_run(struct proc *, enum who, const char *const env[],
    const char *const argv[]);

/* Ask the process to stop (SIGTERM), then proc_finish(). */
void proc_stop(struct proc *);

/* Does stdout (or stderr) hold exactly this line? */
int has_line(const char *buf, const char *line);

/* Connect over TCP from the test process and read a line; 0 or an errno. */
int tcp_fetch(const char *host, unsigned port, char *reply, size_t len);
/* GET path over HTTP/1.0; the whole response in reply; 0 or an errno. */
int http_get(const char *host, unsigned port, const char *path, char *reply,
    size_t len);
/* Retry connecting for a few seconds, for servers with no ready line. */
int wait_listening(const char *host, unsigned port);
/* Send a datagram to host:port and wait for the reply; 0 or an errno. */
int udp_exchange(const char *host, unsigned port, char *reply, size_t len);

/* Assertions on what a finished process printed. */
void expect_out(const struct proc *, const char *line);
/* A line of the library's on stderr, after its "portremap[PID]: " prefix. */
void expect_err(const struct proc *, const char *line);
/* stderr must be exactly text. */
void expect_stderr_is(const struct proc *, const char *text);
/* The library's line for a remap in auto mode, as the unprivileged user. */
void expect_remap_logged(const struct proc *, const char *from,
    const char *to);
/* tcp_fetch() must succeed and read the probe's "hello". */
void fetch_ok(const char *host, unsigned port);

#endif
