/*
 * portremap's supervisor, for programs that bypass the C library: Go
 * servers (static and cgo), busybox-static's httpd and a statically linked
 * probe, hard-coded to privileged ports, run as an unprivileged user.
 * Ports: source 7NN (and 80, 443) map to 212NN.
 */
#include <sys/wait.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* The library's line, said by the supervisor for the program's pid. */
static void
expect_remap_said(const struct proc *p, const char *from, const char *to)
{
	char want[256];

	snprintf(want, sizeof(want), "]: bind %s -> %s (uid %u lacks "
	    "CAP_NET_BIND_SERVICE)\n", from, to, unprivileged_uid());
	cr_assert(strstr(p->errbuf, want) != NULL &&
	    strncmp(p->errbuf, "portremap[", 10) == 0, "missing \"%s\" in:\n%s",
	    want, p->errbuf);
}

static void
get_ok(const char *host, unsigned port, const char *expect)
{
	char reply[4096];
	int err = http_get(host, port, "/", reply, sizeof(reply));

	cr_assert_eq(err, 0, "GET http://%s:%u/: %s", host, port,
	    strerror(err));
	cr_assert(strstr(reply, expect) != NULL, "no \"%s\" in:\n%s", expect,
	    reply);
}

/* A Go server hard-coded to :80, supervised: 8080's stand-in serves it. */
static void
go_serves_on_80(const char *binary, unsigned target)
{
	char map[32], to[32];
	struct proc p;

	snprintf(map, sizeof(map), "80:%u", target);
	proc_start_ready(&p, UNPRIVILEGED, ENV("GOMAXPROCS=2"),
	    ARGV(staged("portremap"), "-m", map, "--", staged_go(binary),
	    ":80"), "ready");
	get_ok("127.0.0.1", target, "hello from Go on port 80\n");
	get_ok("::1", target, "hello from Go on port 80\n");
	proc_stop(&p);
	/* The server's own view: Listener.Addr() says 80. */
	expect_out(&p, "ready [::]:80");
	snprintf(to, sizeof(to), "[::]:%u", target);
	expect_remap_said(&p, "[::]:80", to);
}

Test(supervise, a_static_go_server_on_80)
{
	go_serves_on_80("go-static", 21201);
}

Test(supervise, a_cgo_go_server_on_80)
{
	go_serves_on_80("go-cgo", 21202);
}

static void
go_tls_on_443(const char *binary, unsigned target)
{
	char dir[] = "/tmp/portremap-cert.XXXXXX", cmd[1200], reply[256] = "";
	char cert[128], key[128], map[32];
	struct proc p;
	FILE *curl;

	staged_go(binary);
	if (access("/usr/bin/openssl", X_OK) != 0 ||
	    access("/usr/bin/curl", X_OK) != 0)
		cr_skip_test("needs openssl and curl (apt-get install openssl curl)");
	cr_assert(mkdtemp(dir) != NULL);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd), "chmod 755 %s && openssl req -x509 -newkey "
	    "rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout %s -out %s "
	    ">/dev/null 2>&1 && chmod 644 %s %s", dir, key, cert, key, cert);
	cr_assert(system(cmd) == 0);
	snprintf(map, sizeof(map), "443:%u", target);
	proc_start_ready(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "-m", map, "--", staged(binary), "-cert", cert, "-key", key,
	    "[::]:443"), "ready");
	snprintf(cmd, sizeof(cmd), "curl -sk --max-time 10 https://127.0.0.1:"
	    "%u/ https://[::1]:%u/", target, target);
	curl = popen(cmd, "r");
	(void)!fread(reply, 1, sizeof(reply) - 1, curl);
	pclose(curl);
	proc_stop(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	expect_out(&p, "ready [::]:443");
	cr_assert_str_eq(reply, "hello from Go on port 443\n"
	    "hello from Go on port 443\n");
}

Test(supervise, a_static_go_tls_server_on_443, .timeout = 60)
{
	go_tls_on_443("go-static", 21203);
}

Test(supervise, a_cgo_go_tls_server_on_443, .timeout = 60)
{
	go_tls_on_443("go-cgo", 21208);
}

static void *
fetch_many(void *arg)
{
	long *wrong = arg;

	for (int i = 0; i < 40; i++) {
		char reply[1024];

		if (http_get(i % 2 ? "::1" : "127.0.0.1", 21204, "/", reply,
		    sizeof(reply)) != 0 ||
		    strstr(reply, "hello from Go on port 80\n") == NULL)
			__atomic_add_fetch(wrong, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Each accepted connection costs Go a supervised getsockname(). */
Test(supervise, hundreds_of_concurrent_connections, .timeout = 90)
{
	pthread_t threads[10];
	struct proc p;
	long wrong = 0;

	proc_start_ready(&p, UNPRIVILEGED, ENV("GOMAXPROCS=4"),
	    ARGV(staged("portremap"), "-m", "80:21204", "--",
	    staged_go("go-static"), ":80"), "ready");
	for (int i = 0; i < 10; i++)
		pthread_create(&threads[i], NULL, fetch_many, &wrong);
	for (int i = 0; i < 10; i++)
		pthread_join(threads[i], NULL);
	proc_stop(&p);
	cr_assert_eq(wrong, 0, "%ld of 400 answers were wrong", wrong);
}

Test(supervise, a_go_client_reaches_localhost_80_with_connect_loopback)
{
	struct proc server, client;

	proc_start_ready(&server, UNPRIVILEGED, NO_ENV,
	    ARGV(staged("portremap"), "-m", "80:21205", "--",
	    staged_go("go-static"), ":80"), "ready");
	proc_run(&client, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "-m",
	    "80:21205", "--connect", "loopback", "--",
	    staged("go-static"), "-get", "localhost:80"));
	proc_stop(&server);
	cr_assert(has_line(client.outbuf, "peer 127.0.0.1:80") ||
	    has_line(client.outbuf, "peer [::1]:80"), "%s\n%s", client.outbuf,
	    client.errbuf);
	expect_out(&client, "body hello from Go on port 80");
}

/* A folder of one index.html the unprivileged user can read. */
static void
www(char *dir)
{
	char cmd[300];

	(void)BUSYBOX;		/* skips where it is missing */
	cr_assert(mkdtemp(dir) != NULL);
	snprintf(cmd, sizeof(cmd), "chmod 755 %s && echo 'hello from busybox' "
	    ">%s/index.html && chmod 644 %s/index.html", dir, dir, dir);
	cr_assert(system(cmd) == 0);
}

static void
remove_www(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

Test(supervise, busybox_httpd_on_80)
{
	char dir[] = "/tmp/portremap-www.XXXXXX";
	struct proc p;

	www(dir);
	proc_start(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "-m",
	    "80:21206", "--", BUSYBOX, "httpd", "-f", "-p", "80", "-h", dir));
	cr_assert_eq(wait_listening("127.0.0.1", 21206), 0, "%s", p.errbuf);
	get_ok("127.0.0.1", 21206, "hello from busybox");
	proc_stop(&p);
	remove_www(dir);
	expect_remap_said(&p, "[::]:80", "[::]:21206");
}

/* A program that daemonizes keeps its supervisor until the daemon ends. */
Test(supervise, a_daemonizing_busybox_httpd_stays_supervised)
{
	char dir[] = "/tmp/portremap-www.XXXXXX", cmd[300];
	struct proc p;

	www(dir);
	proc_start(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "-m",
	    "80:21207", "--", BUSYBOX, "httpd", "-p", "80", "-h", dir));
	cr_assert_eq(wait_listening("127.0.0.1", 21207), 0, "%s", p.errbuf);
	get_ok("127.0.0.1", 21207, "hello from busybox");
	/* [8]0: the pattern must not match the shell that runs pkill. */
	snprintf(cmd, sizeof(cmd), "pkill -f 'httpd -p [8]0 -h %s'", dir);
	cr_assert(system(cmd) == 0);
	proc_finish(&p);
	remove_www(dir);
	cr_assert_eq(p.status, 0, "%s", p.errbuf);
}

/* The probe, statically linked: the library's edge cases, supervised. */
static void
probe_static(struct proc *p, const char *map, const char *const steps[])
{
	const char *argv[32];
	int n = 0;

	argv[n++] = staged("portremap");
	argv[n++] = "-m";
	argv[n++] = map;
	argv[n++] = "--";
	argv[n++] = staged("probe-static");
	for (int i = 0; steps[i] != NULL && n < 31; i++)
		argv[n++] = steps[i];
	argv[n] = NULL;
	proc_start(p, UNPRIVILEGED, NO_ENV, argv);
}

Test(supervise, static_probe_accept_dup_fork)
{
	struct proc p;

	probe_static(&p, "711:21211", ARGV("tcp4", "bind=127.0.0.1:711",
	    "name", "listen", "dups", "fork", "ready", "accept4nb"));
	cr_assert(proc_wait_for(&p, "ready"), "%s\n%s", p.outbuf, p.errbuf);
	fetch_ok("127.0.0.1", 21211);
	proc_finish(&p);
	expect_out(&p, "name port=711 len=16 family=2");
	for (int i = 0; i < 5; i++) {
		char line[64];

		snprintf(line, sizeof(line), "dup%d port=711 len=16 family=2", i);
		expect_out(&p, line);
	}
	expect_out(&p, "child port=711 len=16 family=2");
	expect_out(&p, "accepted port=711 len=16 family=2");
}

Test(supervise, static_probe_across_exec_and_in_a_forked_first_bind)
{
	struct proc p;

	probe_static(&p, "712:21212,713:21213", ARGV("tcp4",
	    "forkbind=127.0.0.1:713", "tcp4", "bind=127.0.0.1:712", "exec"));
	cr_assert(proc_wait_for(&p, "ready"), "%s\n%s", p.outbuf, p.errbuf);
	fetch_ok("127.0.0.1", 21212);
	proc_finish(&p);
	expect_out(&p, "child port=713 len=16 family=2");
	expect_out(&p, "name port=712 len=16 family=2");
	expect_out(&p, "accepted port=712 len=16 family=2");
}

Test(supervise, static_probe_short_buffers_and_bad_input)
{
	struct proc with, without;

	probe_static(&with, "714:21214", ARGV("tcp4", "bind=127.0.0.1:714",
	    "short=0", "short=2", "short=3", "short=4", "short=16", "nulllen"));
	proc_finish(&with);
	expect_out(&with, "short0 ret=0 len=16 bytes=ee");
	expect_out(&with, "short2 ret=0 len=16 bytes=0200ee");
	expect_out(&with, "short3 ret=0 len=16 bytes=020002ee");
	expect_out(&with, "short4 ret=0 len=16 bytes=020002caee");
	expect_out(&with, "short16 ret=0 len=16 bytes=020002ca7f000001000000000"
	    "0000000ee");
	expect_out(&with, "nulllen ret=-1 errno=14");
	/* Calls the supervisor does not remap get the kernel's answers. */
	probe_static(&with, "715:21215", ARGV("badinput=715"));
	proc_finish(&with);
	proc_run(&without, UNPRIVILEGED, ENV("LD_PRELOAD="),
	    ARGV(staged("probe-static"), "badinput=715"));
	cr_assert_str_eq(with.outbuf, without.outbuf);
	cr_assert_eq(with.status, 0, "%s", with.errbuf);
}

/* Once, not twice: the library remaps first, the supervisor sees 8080. */
Test(supervise, a_dynamic_program_with_the_library_too_is_remapped_once)
{
	struct proc p;
	const char *s;
	int lines = 0;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=716:21216"),
	    ARGV(staged("portremap"), "--supervise", "--", staged("probe"),
	    "tcp4", "bind=127.0.0.1:716", "kname", "name"));
	expect_out(&p, "name port=716 len=16 family=2");
	/* The raw system call too: the supervisor answered it. */
	expect_out(&p, "kname port=716");
	for (s = p.errbuf; (s = strstr(s, " -> ")) != NULL; s++)
		lines++;
	cr_assert_eq(lines, 1, "%s", p.errbuf);
}

/*
 * portremap itself under the library (an image's ENV LD_PRELOAD), as root
 * in a user namespace on the host network, whose bind of 80 is tried and
 * refused: the supervisor's own calls on the program's socket are its own,
 * not remapped again by the library loaded into it (whose map would be
 * the default one, not -m's).
 */
Test(supervise, the_supervisor_under_the_library_binds_as_told)
{
	struct proc p;

	require_root();
	proc_start_ready(&p, ROOT, NO_ENV, ARGV("unshare", "--user",
	    "--map-root-user", staged("portremap"), "-m", "80:21209", "--",
	    staged_go("go-static"), ":80"), "ready");
	get_ok("127.0.0.1", 21209, "hello from Go on port 80\n");
	proc_stop(&p);
	expect_out(&p, "ready [::]:80");
	cr_assert(strstr(p.errbuf, "]: bind [::]:80 -> [::]:21209 (uid 0 lacks "
	    "CAP_NET_BIND_SERVICE in this network namespace)\n") != NULL,
	    "%s", p.errbuf);
}

Test(supervise, exit_statuses_and_forwarded_signals)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "--supervise", "--", "/bin/sh", "-c", "exit 7"));
	cr_assert_eq(p.status, 7);
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "--supervise", "--", "/bin/sh", "-c", "kill -USR1 $$"));
	cr_assert_eq(p.status, 128 + SIGUSR1);
	proc_start_ready(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "--supervise", "--", "/bin/sh", "-c", "trap 'echo got USR2; exit 3' "
	    "USR2; echo ready; while :; do sleep 0.1; done"), "ready");
	kill(p.pid, SIGUSR2);
	proc_finish(&p);
	expect_out(&p, "got USR2");
	cr_assert_eq(p.status, 3);
	proc_start_ready(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "-m", "80:21217", "--", staged_go("go-static"), ":80"), "ready");
	kill(p.pid, SIGTERM);
	proc_finish(&p);
	cr_assert_eq(p.status, 128 + SIGTERM);
}

/* A container profile that refuses seccomp(): one line, status 126. */
static void
refused(const char *call, const char *line)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("noseccomp"), call,
	    staged("portremap"), "--", staged("probe-static"), "ready"));
	cr_assert_eq(p.status, 126, "%s", p.errbuf);
	cr_assert_str_eq(p.outbuf, "", "the program ran unremapped");
	cr_assert(strncmp(p.errbuf, line, strlen(line)) == 0 &&
	    strchr(p.errbuf, '\n') == p.errbuf + p.errlen - 1, "%s", p.errbuf);
}

Test(supervise, refused_seccomp_is_said_and_nothing_runs)
{
	refused("seccomp", "portremap: cannot supervise the program: seccomp() "
	    "with user notification was refused (Operation not permitted)");
}

Test(supervise, refused_ptrace_too_is_said_and_nothing_runs)
{
	refused("noptrace", "portremap: cannot supervise the program: "
	    "pidfd_getfd() or process_vm_readv(), and ptrace(), were refused "
	    "(Operation not permitted)");
}

/*
 * Docker's and containerd's default profiles refuse pidfd_getfd() and
 * process_vm_*() without CAP_SYS_PTRACE: the program is supervised all the
 * same, through ptrace, and its bind and getsockname are remapped.
 */
Test(supervise, refused_pidfd_getfd_supervises_through_ptrace)
{
	const char *calls[] = { "pidfd_getfd", "docker" };
	struct proc p;

	for (size_t i = 0; i < 2; i++) {
		proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("noseccomp"),
		    calls[i], staged("portremap"), "-m", "80:21219", "--",
		    staged("probe-static"), "tcp4", "bind=127.0.0.1:80",
		    "name"));
		cr_assert_eq(p.status, 0, "%s: %s", calls[i], p.errbuf);
		expect_out(&p, "bind ret=0 errno=4242");
		expect_out(&p, "name port=80 len=16 family=2");
	}
}

/*
 * The filter is a mechanism, not a sandbox. Before Linux 5.16, on CPUs
 * with the controls, any seccomp filter also turned on the speculation
 * mitigations (SSBD, STIBP) for its process: a supervised program keeps
 * the ones it would have had. Where a plain filter changes nothing, the
 * difference cannot be seen, and the test says so.
 */
Test(supervise, a_supervised_program_keeps_its_speculation_controls)
{
	struct proc plain, filtered, supervised;

	proc_run(&plain, UNPRIVILEGED, NO_ENV, ARGV(BUSYBOX, "grep",
	    "^Specul", "/proc/self/status"));
	proc_run(&supervised, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "--supervise", "--", BUSYBOX, "grep", "^Specul",
	    "/proc/self/status"));
	cr_assert_eq(supervised.status, 0, "%s", supervised.errbuf);
	cr_assert_str_eq(supervised.outbuf, plain.outbuf);
	proc_run(&filtered, UNPRIVILEGED, NO_ENV, ARGV(staged("noseccomp"),
	    "pidfd_getfd", BUSYBOX, "grep", "^Specul", "/proc/self/status"));
	if (strcmp(filtered.outbuf, plain.outbuf) == 0)
		cr_skip_test("a seccomp filter leaves speculation controls as "
		    "they are on this kernel and CPU (Linux 5.16 or later, or "
		    "no SSBD): nothing to tell apart");
}

#define DIRECT_HERE	"supervision here: direct (pidfd_getfd() and " \
	"process_vm_readv() are allowed)"
#define HELD_HERE	"supervision here: through ptrace, holding the " \
	"calling thread for each remapped call, which costs more " \
	"(pidfd_getfd() or process_vm_readv() is refused, as Docker's and " \
	"containerd's default profiles do without CAP_SYS_PTRACE)"

/*
 * portremap --check -- probe-static under noseccomp's refusals (NULL for
 * none): its status, and the line about supervision here.
 */
static void
check_under(const char *refusals, int status, const char *line)
{
	struct proc p;

	if (refusals == NULL)
		proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
		    "--check", "--", staged("probe-static")));
	else
		proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("noseccomp"),
		    refusals, staged("portremap"), "--check", "--",
		    staged("probe-static")));
	cr_assert_eq(p.status, status, "%s%s", p.outbuf, p.errbuf);
	expect_out(&p, line);
}

/*
 * --check tries, on a child that runs nothing, whether this container lets
 * portremap supervise, and which way; where it would not run the program,
 * it says so and exits 126, as the run would.
 */
Test(supervise, check_says_how_it_would_supervise_here)
{
	const char *profile = getenv("PORTREMAP_TEST_PROFILE");
	int refused_here = profile != NULL && *profile != '\0';
	struct proc p;

	check_under(NULL, 0, refused_here ? HELD_HERE : DIRECT_HERE);
	check_under("docker", 0, HELD_HERE);
	check_under("noptrace", 126, "warning: supervision is refused here "
	    "(pidfd_getfd() or process_vm_readv(), and ptrace(), were refused: "
	    "Operation not permitted): portremap would exit with status 126 "
	    "and run nothing");
	check_under("seccomp", 126, "warning: supervision is refused here "
	    "(seccomp() with user notification was refused: Operation not "
	    "permitted): portremap would exit with status 126 and run nothing");
	/* A program it cannot know falls back to the preload, and runs. */
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("noseccomp"), "seccomp",
	    staged("portremap"), "--check", "--", "sh", "-c",
	    "cd /app && exec ./server"));
	cr_assert_eq(p.status, 0, "%s%s", p.outbuf, p.errbuf);
	expect_out(&p, "warning: supervision is refused here (seccomp() with "
	    "user notification was refused: Operation not permitted): the "
	    "program runs with LD_PRELOAD, which reaches it only if it uses "
	    "the C library's bind()");
}

Test(supervise, check_says_which_mechanism_and_why)
{
	struct proc p;
	char want[600];

	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "--check",
	    "--", staged("probe-static")));
	snprintf(want, sizeof(want), "mechanism: supervision (%s is statically "
	    "linked): portremap stays as its parent and remaps its system calls",
	    staged("probe-static"));
	expect_out(&p, want);
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "--check",
	    "--", staged("probe")));
	snprintf(want, sizeof(want), "mechanism: LD_PRELOAD (%s is dynamically "
	    "linked)", staged("probe"));
	expect_out(&p, want);
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "--no-supervise", "--check", "--", staged("probe-static")));
	expect_out(&p, "mechanism: LD_PRELOAD (--no-supervise)");
}
