/*
 * The supervisor as a hostile but realistic user meets it: signal storms
 * while calls wait for it, programs that drop privileges after a root
 * start (gosu), change user namespace or leave its reach, 32-bit calls,
 * nested supervision, mode off, Ctrl-C, daemons and pid reuse, and a
 * SIGKILLed portremap. Ports: source 75N maps to 2135N.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/wait.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "harness.h"

/* "NAME ... failed=N ...": N, after printing the line for the log. */
static int
storm_failures(const struct proc *p, const char *name, const char *how)
{
	const char *line = strstr(p->outbuf, name), *failed;

	cr_assert(line != NULL, "%s\n%s", p->outbuf, p->errbuf);
	fprintf(stderr, "supervisor storm (%s): %.*s\n", how,
	    (int)strcspn(line, "\n"), line);
	cr_assert((failed = strstr(line, "failed=")) != NULL);
	return atoi(failed + 7);
}

/*
 * Each storm runs on the kernel's own wait and, where that is the killable
 * one (5.19), on the older interruptible one too, forced, where signals
 * interrupt a call the supervisor already made. Each run says which.
 */
static const char *const waits[] = { "PORTREMAP_SUPERVISOR_WAIT=",
	"PORTREMAP_SUPERVISOR_WAIT=interruptible" };

static unsigned
wait_paths(void)
{
	return kernel_at_least(5, 19) ? 2 : 1;
}

static const char *
wait_path(unsigned i)
{
	if (i == 1)
		return "interruptible wait, forced: the kernel has the "
		    "killable one";
	return kernel_at_least(5, 19) ? "the kernel's killable wait" :
	    "the kernel's own interruptible wait (before 5.19)";
}

static void
bind_storm(const char *map, const char *step)
{
	for (unsigned i = 0; i < wait_paths(); i++) {
		struct proc p;

		proc_run(&p, UNPRIVILEGED, ENV(waits[i]), ARGV(staged("portremap"),
		    "-q", "-m", map, "--", staged("probe-static"),
		    step));
		cr_assert_eq(storm_failures(&p, "bindstorm", wait_path(i)), 0,
		    "%s", p.outbuf);
		cr_assert_eq(p.status, 0, "%s", p.errbuf);
	}
}

Test(supervisor, a_signal_storm_never_fails_a_remapped_bind, .timeout = 120)
{
	bind_storm("750:21350", "bindstorm=127.0.0.1:750");
}

/* Without SA_RESTART the bind may say EINTR; its retry must succeed. */
Test(supervisor, a_retried_interrupted_bind_succeeds, .timeout = 120)
{
	bind_storm("750:21355", "bindstormintr=127.0.0.1:750");
}

Test(supervisor, a_go_listen_storm_never_fails, .timeout = 120)
{
	staged_go("go-static");
	for (unsigned i = 0; i < wait_paths(); i++) {
		struct proc p;

		proc_run(&p, UNPRIVILEGED, ENV(waits[i], "GOMAXPROCS=4"),
		    ARGV(staged("portremap"), "-q", "-m", "80:21351", "--",
		    staged("go-static"), "-storm", "3000", "127.0.0.1:80"));
		cr_assert_eq(storm_failures(&p, "storm", wait_path(i)), 0, "%s",
		    p.outbuf);
	}
}

Test(supervisor, a_signal_storm_never_fails_a_remapped_connect,
    .timeout = 120)
{
	for (unsigned i = 0; i < wait_paths(); i++) {
		struct proc p;

		proc_run(&p, UNPRIVILEGED, ENV(waits[i]), ARGV(staged("portremap"),
		    "-q", "-m", "752:21352", "--connect", "loopback", "--",
		    staged("probe-static"),
		    "connectstorm=127.0.0.1:752/127.0.0.1:21352"));
		cr_assert_eq(storm_failures(&p, "connectstorm", wait_path(i)), 0,
		    "%s", p.outbuf);
	}
}

/* Root starts portremap; the program drops to uid 65534 itself. */
static void
run_dropped(struct proc *p, const char *const pre[], const char *const env[],
    const char *map, const char *const steps[])
{
	const char *argv[40];
	int n = 0;

	require_root();
	for (int i = 0; pre != NULL && pre[i] != NULL; i++)
		argv[n++] = pre[i];
	argv[n++] = staged("portremap");
	argv[n++] = "-m";
	argv[n++] = map;
	argv[n++] = "--";
	argv[n++] = staged("probe-static");
	argv[n++] = "drop";
	for (int i = 0; steps[i] != NULL; i++)
		argv[n++] = steps[i];
	argv[n] = NULL;
	proc_start(p, ROOT, env, argv);
}

static void
expect_line(const struct proc *p, const char *text)
{
	cr_assert(strstr(p->errbuf, text) != NULL, "no \"%s\" in:\n%s", text,
	    p->errbuf);
}

/* fallback with a dropped program: the kernel refuses it 753, so it moves. */
Test(supervisor, fallback_never_gives_a_dropped_program_a_privileged_port)
{
	struct proc p;

	run_dropped(&p, NULL, ENV("PORTREMAP_MODE=fallback"), "753:21353",
	    ARGV("tcp4", "bind=127.0.0.1:753", "name", "listen", "ready",
	    "accept"));
	cr_assert(proc_wait_for(&p, "ready"), "%s\n%s", p.outbuf, p.errbuf);
	fetch_ok("127.0.0.1", 21353);
	proc_finish(&p);
	expect_out(&p, "drop ret=0");
	expect_out(&p, "name port=753 len=16 family=2");
	expect_line(&p, "]: bind 127.0.0.1:753 -> 127.0.0.1:21353 (port 753 "
	    "refused with EACCES)");
}

/*
 * auto, the dropped program in a user namespace of its own on the host
 * network: its capabilities there do not reach the host's ports.
 */
Test(supervisor, a_new_user_namespace_lends_no_privileged_port)
{
	struct proc p;

	run_dropped(&p, NULL, NO_ENV, "754:21354", ARGV("usernsonly", "tcp4",
	    "bind=127.0.0.1:754", "name", "listen", "ready", "accept"));
	cr_assert(proc_wait_for(&p, "ready"), "%s\n%s", p.outbuf, p.errbuf);
	fetch_ok("127.0.0.1", 21354);
	proc_finish(&p);
	expect_out(&p, "usernsonly ret=0");
	expect_line(&p, "]: bind 127.0.0.1:754 -> 127.0.0.1:21354 (uid 65534 "
	    "lacks CAP_NET_BIND_SERVICE in this network namespace)");
}

/* ip_unprivileged_port_start=10000: the target 8755 is refused too. */
Test(supervisor, the_namespaces_unprivileged_port_start_holds)
{
	const char *argv[] = { staged("portremap"), "-m", "755:8755", "--",
	    staged("probe-static"), "drop", "tcp4", "bind=127.0.0.1:755", NULL };
	struct proc p;

	proc_start_netns(&p, ROOT, ENV(
	    "net/ipv4/ip_unprivileged_port_start=10000"), NO_ENV, argv);
	proc_finish(&p);
	expect_out(&p, "bind ret=-1 errno=13");
	expect_line(&p, "]: bind 127.0.0.1:755 -> 127.0.0.1:8755 failed: the "
	    "kernel refuses port 8755 too");
}

/*
 * A container's root has no CAP_SYS_PTRACE. gosu drops to the app user
 * and executes a dynamic program: portremap follows it there.
 */
Test(supervisor, gosu_after_a_root_start_without_cap_sys_ptrace)
{
	struct proc p;

	require_root();
	if (access("/usr/sbin/gosu", X_OK) != 0)
		cr_skip_test("gosu is not installed (apt-get install gosu)");
	/* No library in the program: the supervisor alone remaps. */
	proc_start(&p, ROOT, ENV(without_library()), ARGV("setpriv",
	    "--bounding-set=-sys_ptrace", "--inh-caps=-sys_ptrace",
	    staged("portremap"), "-m", "756:21356",
	    "--", "/usr/sbin/gosu", "nobody", staged("probe"), "tcp4",
	    "bind=127.0.0.1:756", "name", "listen", "ready", "accept"));
	cr_assert(proc_wait_for(&p, "ready"), "%s\n%s", p.outbuf, p.errbuf);
	fetch_ok("127.0.0.1", 21356);
	proc_finish(&p);
	expect_out(&p, "name port=756 len=16 family=2");
	expect_line(&p, "]: bind 127.0.0.1:756 -> 127.0.0.1:21356 (uid 65534 "
	    "lacks CAP_NET_BIND_SERVICE)");
}

/*
 * A static program that drops privileges itself is not dumpable: without
 * CAP_SYS_PTRACE it is out of reach, and portremap says so.
 */
Test(supervisor, a_self_dropping_program_out_of_reach_is_said)
{
	struct proc p;

	run_dropped(&p, ARGV("setpriv", "--bounding-set=-sys_ptrace",
	    "--inh-caps=-sys_ptrace"), NO_ENV, "757:21357", ARGV("tcp4",
	    "bind=127.0.0.1:757"));
	proc_finish(&p);
	expect_out(&p, "bind ret=-1 errno=13");
	/* pidfd_getfd says EPERM; /proc/PID/mem, under Docker's refusals, EACCES. */
	expect_line(&p, "]: bind not remapped: portremap may not reach the "
	    "program's memory and sockets (");
	expect_line(&p, "): it is not dumpable, as a program is after changing "
	    "its user itself");
	expect_line(&p, "or give it CAP_SYS_PTRACE\n");
}

Test(supervisor, a_non_dumpable_program_is_said)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "-m",
	    "758:21358", "--", staged("probe-static"), "nodump", "tcp4",
	    "bind=127.0.0.1:758"));
	expect_out(&p, "bind ret=-1 errno=13");
	expect_line(&p, "bind not remapped: portremap may not reach");
}

/*
 * Mode 0711: not readable, so of unknown kind, and not dumpable once it
 * runs. A user without CAP_SYS_PTRACE gets the preload (which reaches a
 * dynamic program) and a line saying what it cannot reach; root gets the
 * supervisor, which reaches every kind.
 */
static const char *
execute_only(const char *name, char *path, size_t len)
{
	char cmd[600];

	require_root();
	snprintf(path, len, "%s%s-xonly", staged(""), name);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 0711 %s", staged(name),
	    path, path);
	cr_assert(system(cmd) == 0);
	return path;
}

Test(supervisor, an_execute_only_dynamic_program_gets_the_preload)
{
	char path[256], want[600];
	struct proc p;

	if (getenv("PORTREMAP_TEST_PRELOAD_FIRST") != NULL)
		cr_skip_test("a sanitizer's runtime cannot start in a program it "
		    "may not read: it reads /proc/self/maps, which is closed to "
		    "a process that is not dumpable");
	execute_only("probe", path, sizeof(path));
	proc_run(&p, UNPRIVILEGED, ENV(without_library()),
	    ARGV(staged("portremap"), "-m", "759:21359", "--", path, "tcp4",
	    "bind=127.0.0.1:759"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_line(&p, "]: bind 127.0.0.1:759 -> 127.0.0.1:21359");
	snprintf(want, sizeof(want), "portremap: %s cannot be read "
	    "(execute-only), so its kind is unknown; it runs with LD_PRELOAD, "
	    "which does not reach a static or Go program: make it readable, or "
	    "give portremap CAP_SYS_PTRACE to supervise it\n", path);
	expect_line(&p, want);
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "--check",
	    "--", path));
	unlink(path);
	snprintf(want, sizeof(want), "mechanism: LD_PRELOAD (%s cannot be read "
	    "(execute-only), so its kind is unknown)", path);
	expect_out(&p, want);
}

Test(supervisor, an_execute_only_program_is_supervised_by_root)
{
	char path[256];
	struct proc p;

	execute_only("probe-static", path, sizeof(path));
	proc_run(&p, ROOT, ENV("PORTREMAP_MODE=always"), ARGV(staged("portremap"),
	    "-m", "764:21364", "--", path, "tcp4", "bind=127.0.0.1:764"));
	unlink(path);
	expect_out(&p, "bind ret=0 errno=4242");
	expect_line(&p, "]: bind 127.0.0.1:764 -> 127.0.0.1:21364 (mode always)");
}

/* An i386 program's bind and socketcall(SYS_BIND): said, not silent. */
Test(supervisor, thirty_two_bit_binds_are_said)
{
	struct proc p;

#ifndef __x86_64__
	cr_skip_test("32-bit system calls are tested on x86_64");
#endif
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "-m",
	    "760:21360", "--", staged("probe-static"), "tcp4",
	    "bind32=127.0.0.1:760"));
	expect_out(&p, "bind32 ret=-13");
	expect_out(&p, "socketcall32 ret=-13");
	expect_line(&p, "]: bind 127.0.0.1:760 not remapped: the program is a "
	    "32-bit one, whose system calls portremap cannot make; use a 64-bit "
	    "build of the program\n");
}

Test(supervisor, nested_supervision_names_its_cause)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "--supervise", "--", staged("portremap"), "--supervise", "--",
	    staged("probe-static"), "ready"));
	cr_assert_eq(p.status, 126, "%s", p.errbuf);
	cr_assert_str_eq(p.outbuf, "");
	expect_line(&p, "it already runs under a seccomp supervisor (another "
	    "portremap, or its container's), and the kernel allows one per "
	    "process");
}

/* Mode off: root keeps its port; nothing is remapped or said. */
Test(supervisor, mode_off_remaps_nothing)
{
	const char *const ways[][2] = { { "--mode", "off" },
	    { "-m", "761:21361" } };

	require_root();
	for (int i = 0; i < 2; i++) {
		struct proc p;

		proc_start(&p, ROOT, i == 1 ? ENV("PORTREMAP_MODE=off") :
		    NO_ENV, ARGV(staged("portremap"), "-m", "761:21361",
		    ways[i][0], ways[i][1], "--", staged("probe-static"), "tcp4",
		    "bind=127.0.0.1:761", "listen", "ready", "accept"));
		cr_assert(proc_wait_for(&p, "ready"), "%s", p.errbuf);
		fetch_ok("127.0.0.1", 761);
		proc_finish(&p);
		cr_assert_str_eq(p.errbuf, "");
	}
}

Test(supervisor, af_unspec_binds_are_remapped_as_the_library_does)
{
	struct proc p;

	proc_start(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "-m",
	    "762:21362", "--", staged("probe-static"), "tcp4",
	    "bind=unspec/0.0.0.0:762", "listen", "ready", "accept"));
	cr_assert(proc_wait_for(&p, "ready"), "%s\n%s", p.outbuf, p.errbuf);
	fetch_ok("127.0.0.1", 21362);
	proc_finish(&p);
	expect_out(&p, "bind ret=0 errno=4242");
}

/* portremap --supervise -- probe STEP, in place of the caller. */
static void __attribute__((noreturn))
exec_portremap(const char *step)
{
	execl(staged("portremap"), "portremap", "--supervise", "--",
	    staged("probe"), step, (char *)NULL);
	_exit(127);
}

/* run(step) in a child leading a session on a new terminal, its master. */
static pid_t
on_new_terminal(int *master, void (*run)(const char *), const char *step)
{
	char *name;
	pid_t pid;

	cr_assert((*master = posix_openpt(O_RDWR | O_NOCTTY)) >= 0);
	cr_assert(grantpt(*master) == 0 && unlockpt(*master) == 0);
	cr_assert((name = ptsname(*master)) != NULL);
	if ((pid = fork()) == 0) {
		int slave;

		setsid();
		if ((slave = open(name, O_RDWR)) < 0)
			_exit(127);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		run(step);
		_exit(127);
	}
	return pid;
}

/* Read the terminal into buf for up to tenths * 0.1 s, or until want. */
static void
read_terminal(int master, char *buf, size_t size, size_t *len,
    const char *want, unsigned tenths)
{
	for (unsigned tries = 0; tries < tenths * time_scale() && (want == NULL ||
	    strstr(buf, want) == NULL); tries++) {
		struct pollfd fd = { master, POLLIN, 0 };
		ssize_t n;

		if (poll(&fd, 1, 100) == 1 && (n = read(master, buf + *len,
		    size - *len - 1)) > 0)
			*len += (size_t)n;
		buf[*len] = '\0';
	}
}

/*
 * Ctrl-C on a terminal: the kernel sends SIGINT to the foreground group,
 * which is the program's own; it gets it once, from the kernel (si_code
 * SI_KERNEL, 128), and no copy from portremap.
 */
Test(supervisor, ctrl_c_reaches_the_program_once, .timeout = 30)
{
	char buf[4096] = "";
	size_t len = 0;
	int master, count = 0;
	pid_t pid = on_new_terminal(&master, exec_portremap, "sigint");

	read_terminal(master, buf, sizeof(buf), &len, "ready", 100);
	cr_assert(strstr(buf, "ready") != NULL, "%s", buf);
	cr_assert(write(master, "\003", 1) == 1);
	read_terminal(master, buf, sizeof(buf), &len, NULL, 10);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(master);
	for (const char *s = buf; (s = strstr(s, "sigint code=")) != NULL; s++)
		count++;
	cr_assert_eq(count, 1, "%s", buf);
	cr_assert(strstr(buf, "sigint code=128\r\n") != NULL, "%s", buf);
}

/*
 * A job-control shell, on the terminal: portremap --supervise -- probe STEP
 * as its foreground job; when the job stops, say whose the terminal is,
 * then continue it (fg) and exit with its status.
 */
static void __attribute__((noreturn))
shell_with_job(const char *step)
{
	int status;
	pid_t job;

	if ((job = fork()) == 0) {
		setpgid(0, 0);
		exec_portremap(step);
	}
	setpgid(job, job);
	signal(SIGTTOU, SIG_IGN);
	tcsetpgrp(0, job);
	if (waitpid(job, &status, WUNTRACED) == job && WIFSTOPPED(status)) {
		printf("job stopped, the terminal %s\n", tcgetpgrp(0) == job ?
		    "with its group" : "elsewhere");
		fflush(stdout);
		tcsetpgrp(0, job);
		kill(-job, SIGCONT);
		waitpid(job, &status, 0);
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/*
 * Ctrl-Z stops the program, and portremap with it, as the shell that
 * waits for portremap expects, with the terminal its group's again;
 * continued (fg), both go on, and the program's status is portremap's.
 */
Test(supervisor, ctrl_z_stops_portremap_and_fg_continues_both,
    .timeout = 30)
{
	char buf[4096] = "";
	size_t len = 0;
	int master, status;
	pid_t shell = on_new_terminal(&master, shell_with_job, "sigint");

	read_terminal(master, buf, sizeof(buf), &len, "ready", 100);
	cr_assert(strstr(buf, "ready") != NULL, "%s", buf);
	cr_assert(write(master, "\032", 1) == 1);
	read_terminal(master, buf, sizeof(buf), &len, "job stopped", 50);
	cr_assert_eq(waitpid(shell, &status, 0), shell);
	read_terminal(master, buf, sizeof(buf), &len, NULL, 2);
	close(master);
	cr_assert(strstr(buf, "job stopped, the terminal with its group") !=
	    NULL, "%s", buf);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x: %s", status, buf);
}

/* How many times the probe reported sig ("sigint" or "sigterm"). */
static int
reported(const struct proc *p, const char *sig)
{
	char what[32];
	int count = 0;

	snprintf(what, sizeof(what), "%s code=", sig);
	for (const char *s = p->outbuf; (s = strstr(s, what)) != NULL; s++)
		count++;
	return count;
}

/*
 * A signal sent to portremap's whole process group (a shell's kill %1,
 * kill -- -PGID) reaches the program once: the program has a group of its
 * own, and gets only portremap's copy.
 */
Test(supervisor, a_group_kill_reaches_the_program_once, .timeout = 30)
{
	struct proc p;

	/* setsid: portremap leads a group of its own, as a shell's job does. */
	proc_start_ready(&p, UNPRIVILEGED, NO_ENV, ARGV("setsid",
	    staged("portremap"), "--supervise", "--", staged("probe"),
	    "sigint"), "ready");
	cr_assert_eq(kill(-p.pid, SIGINT), 0, "portremap leads its group");
	usleep(300 * 1000);
	cr_assert_eq(kill(-p.pid, SIGTERM), 0);
	proc_finish(&p);
	cr_assert_eq(reported(&p, "sigint"), 1, "%s", p.outbuf);
	cr_assert_eq(reported(&p, "sigterm"), 1, "%s", p.outbuf);
	cr_assert_eq(p.status, 0, "%s", p.errbuf);
}

/* So does one sent to portremap alone, and GNU timeout's, sent to both. */
Test(supervisor, a_direct_kill_and_timeouts_reach_the_program_once,
    .timeout = 30)
{
	struct proc p;

	proc_start_ready(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "--supervise", "--", staged("probe"), "sigint"), "ready");
	cr_assert_eq(kill(p.pid, SIGINT), 0);
	proc_finish(&p);
	cr_assert_eq(reported(&p, "sigint"), 1, "%s", p.outbuf);
	/*
	 * timeout signals its child, then its whole process group: two
	 * copies back to back, which a program in that group gets as one.
	 */
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV("timeout", "-s", "TERM", "3",
	    staged("portremap"), "--supervise", "--", staged("probe"),
	    "sigint=20"));
	cr_assert_eq(reported(&p, "sigterm"), 1, "%s", p.outbuf);
	/* So are two from one sender 5 ms apart; one 300 ms later is not. */
	proc_start_ready(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "--supervise", "--", staged("probe"), "sigint=20"), "ready");
	cr_assert_eq(kill(p.pid, SIGTERM), 0);
	usleep(5000);
	cr_assert_eq(kill(p.pid, SIGTERM), 0);
	usleep(300000);
	cr_assert_eq(kill(p.pid, SIGTERM), 0);
	proc_finish(&p);
	cr_assert_eq(reported(&p, "sigterm"), 2, "%s", p.outbuf);
}

/*
 * The program daemonizes and exits, and its pid goes to another process
 * (forced, in a pid namespace): a signal for portremap must not reach it.
 * (The daemon leaves the program's process group, whose id would
 * otherwise keep the pid from reuse: the script waits until it has.)
 * Once the program has ended, SIGTERM ends portremap.
 */
Test(supervisor, a_reused_pid_gets_no_forwarded_signal, .timeout = 30)
{
	char script[2000], dir[] = "/tmp/portremap-pids.XXXXXX";
	struct proc p;

	require_root();
	cr_assert(mkdtemp(dir) != NULL);
	snprintf(script, sizeof(script),
	    "d=%s\n"
	    "%s --supervise -- /bin/sh -c 'setsid sleep 30 & echo $$ "
	    ">%s/program' &\n"
	    "pr=$!\n"
	    "while [ ! -s $d/program ]; do sleep 0.01; done\n"
	    "p=$(cat $d/program)\n"
	    "while kill -0 $p || kill -0 -$p; do sleep 0.01; done 2>/dev/null\n"
	    "echo $((p - 1)) >/proc/sys/kernel/ns_last_pid\n"
	    "/bin/sh -c 'trap \"echo victim got USR1\" USR1; "
	    "while :; do sleep 0.02; done' &\n"
	    "v=$!\n"
	    "[ $v = $p ] && echo pid reused\n"
	    "sleep 0.2; kill -USR1 $pr; sleep 0.5\n"
	    "kill -TERM $pr; wait $pr; echo portremap status $?\n"
	    "kill $v\n", dir, staged("portremap"), dir);
	proc_run(&p, ROOT, ENV("LD_PRELOAD="), ARGV("unshare", "--pid", "--fork",
	    "--mount-proc", "/bin/sh", "-c", script));
	snprintf(script, sizeof(script), "rm -rf %s", dir);
	(void)!system(script);
	expect_out(&p, "pid reused");
	cr_assert(strstr(p.outbuf, "victim") == NULL, "%s", p.outbuf);
	expect_out(&p, "portremap status 0");
}

/* Gone, or a zombie no one reaped yet. */
static int
gone(pid_t pid)
{
	char path[64], line[256];
	int zombie = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "State:", 6) == 0)
			zombie = strchr(line, 'Z') != NULL;
	fclose(f);
	return zombie;
}

/* portremap killed outright: the program does not run on unsupervised. */
Test(supervisor, the_program_dies_with_a_killed_portremap, .timeout = 30)
{
	char path[64], line[64] = "";
	struct proc p;
	FILE *f;
	pid_t program = 0;
	int alive;

	proc_start_ready(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"),
	    "-m", "763:21363", "--", staged("probe-static"), "tcp4",
	    "bind=127.0.0.1:763", "listen", "ready", "accept"), "ready");
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)p.pid,
	    (int)p.pid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(line, sizeof(line), f) != NULL)
			program = (pid_t)atoi(line);
		fclose(f);
	}
	cr_assert(program > 0, "no child of portremap in %s", path);
	kill(p.pid, SIGKILL);
	for (unsigned tries = 0; tries < 100 * time_scale() && !gone(program);
	    tries++)
		usleep(20000);
	alive = !gone(program);
	kill(program, SIGKILL);
	proc_finish(&p);
	cr_assert(!alive, "the program (pid %d) outlived portremap",
	    (int)program);
}

Test(supervisor, check_says_what_supervision_cannot_do)
{
	char want[400];
	struct proc p;

	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "--check",
	    "--", staged("probe-static")));
	expect_out(&p, "note: supervised programs run with no_new_privs: setuid "
	    "and file-capability programs they start (ping, sudo) get none of "
	    "their privileges");
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "--check",
	    "--", "/bin/sh", "/entrypoint.sh"));
	expect_out(&p, "note: a script or shell that runs a static or Go "
	    "program needs --supervise: the preload does not reach such "
	    "programs");
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "--mode",
	    "off", "--check", "--", staged("probe-static")));
	snprintf(want, sizeof(want), "mechanism: none (mode off): %s runs as "
	    "it is", staged("probe-static"));
	expect_out(&p, want);
}

Test(supervisor, check_predicts_a_change_of_user)
{
	struct proc p;

	require_root();
	if (access("/usr/sbin/gosu", X_OK) != 0)
		cr_skip_test("gosu is not installed (apt-get install gosu)");
	proc_run(&p, ROOT, NO_ENV, ARGV(staged("portremap"), "--check", "--",
	    "/usr/sbin/gosu", "app", staged("probe-static")));
	expect_out(&p, "note: /usr/sbin/gosu changes user: portremap follows "
	    "the program's credentials and acts with them (it holds CAP_SETUID "
	    "and CAP_SETGID)");
	proc_run(&p, ROOT, NO_ENV, ARGV("setpriv", "--bounding-set=-setuid",
	    "--inh-caps=-setuid", staged("portremap"), "--check", "--",
	    "/usr/sbin/gosu", "app", staged("probe-static")));
	expect_out(&p, "warning: /usr/sbin/gosu changes user, and portremap "
	    "cannot follow (it lacks CAP_SETUID or CAP_SETGID): start portremap "
	    "after the change of user (gosu USER portremap -- PROGRAM)");
}

/* An empty PATH entry is the current directory, as for execvp(). */
Test(supervisor, an_empty_path_entry_is_the_current_directory)
{
	char want[400];
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PATH=/usr/bin::/bin"), ARGV("/bin/sh",
	    "-c", "cd \"$0\" && exec ./portremap --check -- probe-static",
	    staged("")));
	snprintf(want, sizeof(want), "mechanism: supervision (./probe-static is "
	    "statically linked): portremap stays as its parent and remaps its "
	    "system calls");
	expect_out(&p, want);
}

/*
 * Under Docker's refusals (noseccomp docker) portremap holds the program's
 * threads and has them send their sockets: over a descriptor of its own put
 * into the program, with a page of its own there. The program may close,
 * reuse or lose both.
 */
static void
run_held(struct proc *p, const char *map, const char *const steps[])
{
	const char *argv[40];
	int n = 0;

	argv[n++] = staged("noseccomp");
	argv[n++] = "docker";
	argv[n++] = staged("portremap");
	argv[n++] = "-m";
	argv[n++] = map;
	argv[n++] = "--";
	argv[n++] = staged("probe-static");
	for (int i = 0; steps[i] != NULL; i++)
		argv[n++] = steps[i];
	argv[n] = NULL;
	proc_run(p, UNPRIVILEGED, NO_ENV, argv);
	cr_assert_eq(p->status, 0, "%s", p->errbuf);
}

/*
 * A program whose standard streams are closed finds their numbers free: its
 * socket takes 0, and 2 stays free for its next open().
 */
Test(supervisor, held_programs_keep_their_lowest_descriptors)
{
	struct proc p;

	run_held(&p, "770:21380", ARGV("closestd", "tcp4",
	    "bind=127.0.0.1:770", "name", "fd", "lowest"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "name port=770 len=16 family=2");
	expect_out(&p, "fd=0");
	expect_out(&p, "lowest fd=2");
}

Test(supervisor, held_programs_may_close_portremaps_descriptor)
{
	struct proc p;

	run_held(&p, "771:21381,772:21382", ARGV("tcp4", "bind=127.0.0.1:771",
	    "name", "closeothers", "tcp4", "bind=127.0.0.1:772", "name"));
	expect_out(&p, "closeothers n=1");
	expect_out(&p, "name port=771 len=16 family=2");
	expect_out(&p, "name port=772 len=16 family=2");
}

/* Its number now names the program's own socket: nothing is sent there. */
Test(supervisor, held_programs_get_no_bytes_in_their_sockets)
{
	struct proc p;

	run_held(&p, "773:21383,774:21384", ARGV("tcp4", "bind=127.0.0.1:773",
	    "squat", "tcp4", "bind=127.0.0.1:774", "name", "squatcheck"));
	expect_out(&p, "squat n=1");
	expect_out(&p, "name port=774 len=16 family=2");
	expect_out(&p, "squat received=0");
}

Test(supervisor, held_programs_fork_and_exec)
{
	struct proc p;

	run_held(&p, "775:21385,776:21386,777:21387", ARGV("tcp4",
	    "bind=127.0.0.1:775", "name", "tcp4", "forkbind=127.0.0.1:776",
	    "execbind=127.0.0.1:777"));
	expect_out(&p, "name port=775 len=16 family=2");
	expect_out(&p, "child port=776 len=16 family=2");
	expect_out(&p, "name port=777 len=16 family=2");
}

/*
 * Signals wait while a thread is held, and arrive after: real-time signals
 * queued during 500 remapped binds all arrive once, with their siginfo,
 * directly and held.
 */
Test(supervisor, signals_arrive_once_with_their_siginfo, .timeout = 120)
{
	struct proc p;

	const char *const *ways[] = {
		ARGV(staged("portremap"), "-m", "779:21389", "--",
		    staged("probe-static"), "rtbind=127.0.0.1:779"),
		ARGV(staged("noseccomp"), "docker", staged("portremap"), "-m",
		    "779:21389", "--", staged("probe-static"),
		    "rtbind=127.0.0.1:779"),
	};

	for (size_t i = 0; i < 2; i++) {
		proc_run(&p, UNPRIVILEGED, NO_ENV, ways[i]);
		cr_assert_eq(p.status, 0, "%s", p.errbuf);
		expect_out(&p, "rtbind binds=500 signals=500 sum=125250 bad=0");
	}
}

/* A thread another tracer holds cannot be held: one line says so. */
Test(supervisor, held_programs_under_another_tracer_are_said)
{
	struct proc p;

	if (access("/usr/bin/strace", X_OK) != 0)
		cr_skip_test("strace is not installed (apt-get install strace)");
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("noseccomp"), "docker",
	    staged("portremap"), "--supervise", "-m", "778:21388", "--",
	    "/usr/bin/strace", "-f", "-o", "/dev/null", staged("probe-static"),
	    "tcp4", "bind=127.0.0.1:778"));
	expect_out(&p, "bind ret=-1 errno=13");
	expect_line(&p, "bind 127.0.0.1:778 not remapped: portremap may not "
	    "reach the program's memory and sockets (Operation not permitted): "
	    "it is not dumpable, as a program is after changing its user "
	    "itself, or another tracer (strace, gdb) holds it");
}

/*
 * io_uring's bind (Linux 6.11) is made by the kernel itself: neither the
 * library nor the supervisor sees it, and the kernel refuses a mapped
 * port with EACCES. A stated limit (README, libportremap(7)), pinned here
 * so that the documents change if it ever does.
 */
Test(supervisor, io_uring_binds_are_not_remapped)
{
	struct proc lib, sup;

	proc_run(&lib, UNPRIVILEGED, ENV("PORTREMAP_MAP=765:21365"),
	    ARGV(staged("probe"), "tcp4", "uringbind=127.0.0.1:765"));
	if (strstr(lib.outbuf, "uringbind setup") != NULL ||
	    strstr(lib.outbuf, "uringbind res=-22") != NULL)
		cr_skip_test("no io_uring bind here (Linux 6.11): %s",
		    lib.outbuf);
	expect_out(&lib, "uringbind res=-13");
	proc_run(&sup, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "-m",
	    "765:21365", "--", staged("probe-static"), "tcp4",
	    "uringbind=127.0.0.1:765"));
	expect_out(&sup, "uringbind res=-13");
}

/*
 * Before Linux 6.9 a pidfd names a process, not a thread: the supervisor
 * then finds each calling thread's process, for every accepted connection
 * of a Go server with several threads, and for a forked child's calls.
 */
Test(supervisor, without_thread_pidfds_every_thread_is_reached, .timeout = 60)
{
	/* Forced where the kernel has thread pidfds; its own before 6.9. */
	const char *pidfds = kernel_at_least(6, 9) ?
	    "PORTREMAP_SUPERVISOR_PIDFD=process" : "PORTREMAP_SUPERVISOR_PIDFD=";
	struct proc p;

	fprintf(stderr, "supervisor without thread pidfds: %s\n",
	    kernel_at_least(6, 9) ? "forced: the kernel has them" :
	    "the kernel's own (before 6.9)");
	proc_start_ready(&p, UNPRIVILEGED, ENV(pidfds, "GOMAXPROCS=4"), ARGV(staged("portremap"), "-m", "80:21366", "--",
	    staged_go("go-static"), ":80"), "ready");
	for (int i = 0; i < 20; i++) {
		char reply[1024];

		cr_assert_eq(http_get("127.0.0.1", 21366, "/", reply,
		    sizeof(reply)), 0);
		cr_assert(strstr(reply, "hello from Go on port 80\n") != NULL,
		    "%s", reply);
	}
	proc_stop(&p);
	proc_run(&p, UNPRIVILEGED, ENV(pidfds),
	    ARGV(staged("portremap"), "-m", "767:21367,768:21368", "--",
	    staged("probe-static"), "tcp4", "forkbind=127.0.0.1:767", "tcp4",
	    "bind=127.0.0.1:768", "name"));
	expect_out(&p, "child port=767 len=16 family=2");
	expect_out(&p, "name port=768 len=16 family=2");
}

/* --check reads the program's ELF header: a 32-bit x86 one is foretold. */
Test(supervisor, check_predicts_a_32_bit_program)
{
	char path[256], cmd[1200], want[700];
	struct proc p;

#ifndef __x86_64__
	cr_skip_test("the 32-bit prediction is tested on x86_64");
#endif
	require_root();
	snprintf(path, sizeof(path), "%sprobe-i386", staged(""));
	/* e_machine, at offset 18, becomes EM_386 (3). */
	snprintf(cmd, sizeof(cmd), "cp %s %s && printf '\\003\\000' | dd of=%s "
	    "bs=1 seek=18 conv=notrunc 2>/dev/null && chmod 755 %s",
	    staged("probe-static"), path, path, path);
	cr_assert(system(cmd) == 0);
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "--check",
	    "--", path));
	unlink(path);
	snprintf(want, sizeof(want), "warning: %s is a 32-bit program: the "
	    "supervisor cannot make its system calls, so its binds keep their "
	    "ports (EACCES for a user without the capability); use a 64-bit "
	    "build", path);
	expect_out(&p, want);
}

/* A process's "se.slice" in ns, or 0; its nice value in *nice. */
static unsigned long
slice_of(pid_t pid, int *nice)
{
	char path[64], line[256], *end;
	unsigned long slice = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cr_assert((f = fopen(path, "re")) != NULL, "%s: %s", path,
	    strerror(errno));
	cr_assert(fgets(line, sizeof(line), f) != NULL);
	fclose(f);
	/* After the name: state, then fields 4 to 19, nice the last. */
	cr_assert((end = strrchr(line, ')')) != NULL);
	cr_assert(sscanf(end + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
	    "%*u %*u %*u %*d %*d %*d %d", nice) == 1, "%s", line);
	snprintf(path, sizeof(path), "/proc/%d/sched", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "se.slice ", 9) == 0 &&
		    (end = strchr(line, ':')) != NULL)
			slice = strtoul(end + 1, NULL, 10);
	fclose(f);
	return slice;
}

/*
 * The supervisor answers as soon as it is woken: it asks for the kernel's
 * shortest slice (Linux 6.12), the program keeps its own, and both keep
 * the nice value they were started with.
 */
Test(supervisor, the_supervisor_asks_for_short_slices_the_program_does_not)
{
	char path[64], children[64] = "";
	unsigned long slice, program_slice;
	int nice, program_nice;
	pid_t program;
	struct proc p;
	FILE *f;

	if (!kernel_at_least(6, 12))
		cr_skip_test("a task's own slice came with Linux 6.12");
	proc_start_ready(&p, UNPRIVILEGED, NO_ENV, ARGV("nice", "-n", "3",
	    staged("portremap"), "--supervise", "--", BUSYBOX, "sh", "-c",
	    "echo ready; exec sleep 10"), "ready");
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)p.pid,
	    (int)p.pid);
	cr_assert((f = fopen(path, "re")) != NULL);
	(void)!fgets(children, sizeof(children), f);
	fclose(f);
	cr_assert((program = (pid_t)atoi(children)) > 0, "no program: %s",
	    children);
	slice = slice_of(p.pid, &nice);
	program_slice = slice_of(program, &program_nice);
	proc_stop(&p);
	if (slice == 0)
		cr_skip_test("the kernel shows no slices (/proc/PID/sched)");
	cr_assert_eq(slice, 100000, "the supervisor's slice: %lu ns", slice);
	cr_assert_neq(program_slice, 100000, "the program's slice changed");
	cr_assert_eq(nice, 3);
	cr_assert_eq(program_nice, 3);
}
