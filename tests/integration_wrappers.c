/*
 * Containers start servers through programs that only execute another:
 * env, setpriv, gosu, tini, sh -c 'exec ...'. portremap looks through them
 * to the program they run: a static server behind a dynamic wrapper is
 * supervised, never left unremapped in silence, and a program it cannot
 * know is supervised too. The library is kept out of the environment, so
 * only portremap's choice remaps. Ports: source 77N maps to 2137N.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void
expect_line(const struct proc *p, const char *text)
{
	cr_assert(strstr(p->errbuf, text) != NULL, "missing \"%s\" in:\n%s",
	    text, p->errbuf);
}

Test(wrappers, env_runs_a_static_program_under_the_supervisor)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV(without_library()),
	    ARGV(staged("portremap"), "-m", "770:21370", "--", "env", "-u", "HOME",
	    "X=1", staged("probe-static"), "tcp4", "bind=127.0.0.1:770",
	    "name"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "name port=770 len=16 family=2");
	expect_line(&p, "]: bind 127.0.0.1:770 -> 127.0.0.1:21370");
}

/* The issue's own case: root starts it, setpriv drops to the user. */
Test(wrappers, setpriv_dropping_to_a_user_runs_a_static_server_remapped)
{
	struct proc p;

	require_root();
	proc_start(&p, ROOT, ENV(without_library()), ARGV(staged("portremap"),
	    "-m", "771:21371", "--", "setpriv", "--reuid=65534",
	    "--regid=65534", "--clear-groups", staged("probe-static"), "tcp4",
	    "bind=127.0.0.1:771", "name", "listen", "ready", "accept"));
	cr_assert(proc_wait_for(&p, "ready"), "%s\n%s", p.outbuf, p.errbuf);
	fetch_ok("127.0.0.1", 21371);
	proc_finish(&p);
	expect_out(&p, "name port=771 len=16 family=2");
	expect_line(&p, "]: bind 127.0.0.1:771 -> 127.0.0.1:21371 (uid 65534 "
	    "lacks CAP_NET_BIND_SERVICE)");
}

/* An entrypoint's sh -c 'exec "$@"' names the program in its arguments. */
Test(wrappers, a_shell_execing_its_arguments_runs_them_supervised)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV(without_library()),
	    ARGV(staged("portremap"), "-m", "772:21372", "--", "/bin/sh", "-c",
	    "exec \"$@\"", "entrypoint", "timeout", "-s", "INT", "60",
	    staged("probe-static"), "tcp4", "bind=127.0.0.1:772", "name"));
	expect_out(&p, "name port=772 len=16 family=2");
}

/*
 * portremap, after pre (a wrapper of its own, or nothing), given a map of
 * 77N to 2137N and sh -c 'PROBE ... | cat': a pipeline hides which program
 * binds. The probe binds 77N and names its port.
 */
static void
pipeline(struct proc *p, const char *pre, const char *probe, unsigned n)
{
	char script[512], map[32], want[64];

	snprintf(script, sizeof(script), "%s tcp4 bind=127.0.0.1:77%u name | "
	    "cat", staged(probe), n);
	snprintf(map, sizeof(map), "77%u:2137%u", n, n);
	proc_run(p, UNPRIVILEGED, ENV(without_library()), pre != NULL ?
	    ARGV(staged(pre), "seccomp", staged("portremap"), "-m", map, "--",
	    "/bin/sh", "-c", script) : ARGV(staged("portremap"), "-m", map,
	    "--", "/bin/sh", "-c", script));
	snprintf(want, sizeof(want), "name port=77%u len=16 family=2", n);
	expect_out(p, want);
}

/* A program that cannot be known is supervised all the same. */
Test(wrappers, a_program_that_cannot_be_known_is_supervised)
{
	struct proc p;

	pipeline(&p, NULL, "probe-static", 3);
}

/*
 * Where the profile refuses supervision, a program that cannot be known
 * still gets the preload, which reaches a dynamic one, and one line says
 * so; a static program that is known is refused as ever.
 */
Test(wrappers, refused_supervision_of_an_unknown_program_falls_back)
{
	struct proc p;

	pipeline(&p, "noseccomp", "probe", 4);
	expect_line(&p, "portremap: the program run through sh cannot be known: "
	    "its command string has a pipeline or \"||\"; supervision is "
	    "refused here (seccomp() with user notification was refused: "
	    "Operation not permitted), so it runs with LD_PRELOAD, which does "
	    "not reach a static or Go program\n");
	proc_run(&p, UNPRIVILEGED, ENV(without_library()),
	    ARGV(staged("noseccomp"), "seccomp", staged("portremap"), "-m",
	    "774:21374", "--", "env", staged("probe-static"), "ready"));
	cr_assert_eq(p.status, 126, "%s", p.errbuf);
	cr_assert_str_eq(p.outbuf, "", "the program ran unremapped");
}

/* A dynamic program behind a Go wrapper (gosu) needs no supervisor. */
Test(wrappers, a_dynamic_program_behind_a_static_wrapper_gets_the_preload)
{
	struct proc p;

	require_root();
	installed("/usr/sbin/gosu", "gosu");
	proc_run(&p, ROOT, ENV(without_library()), ARGV(staged("portremap"),
	    "-m", "775:21375", "--", "/usr/sbin/gosu", "nobody",
	    staged("probe"), "tcp4", "bind=127.0.0.1:775", "name"));
	expect_out(&p, "name port=775 len=16 family=2");
	proc_run(&p, ROOT, NO_ENV, ARGV(staged("portremap"), "--check", "--",
	    "/usr/sbin/gosu", "nobody", staged("probe")));
	cr_assert(strstr(p.outbuf, "\nmechanism: LD_PRELOAD (through gosu: ") !=
	    NULL, "%s", p.outbuf);
}

Test(wrappers, check_says_which_program_it_looked_at)
{
	char want[600];
	struct proc p;

	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "--check",
	    "--", "nice", "-n", "5", "env", "PORT=8080", staged("probe-static")));
	snprintf(want, sizeof(want), "program: %s, run through nice, env",
	    staged("probe-static"));
	expect_out(&p, want);
	snprintf(want, sizeof(want), "mechanism: supervision (through nice, "
	    "env: %s is statically linked): portremap stays as its parent and "
	    "remaps its system calls", staged("probe-static"));
	expect_out(&p, want);
	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(staged("portremap"), "--check",
	    "--", "tini", "--", "sh", "-c", "cd /app && exec ./server"));
	expect_out(&p, "program: not known, run through tini, sh (its command "
	    "string changes directory before a relative path)");
	expect_out(&p, "note: where supervision is refused, the program runs "
	    "with LD_PRELOAD, which reaches it only if it uses the C library's "
	    "bind()");
}
