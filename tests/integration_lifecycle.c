/*
 * Process lifecycles, bad input, threads and secure execution, under the
 * library as an unprivileged user. Ports: source 6NN maps to 206NN.
 */
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void
serve_once(struct proc *p, const char *const env[], const char *const argv[],
    unsigned port)
{
	proc_start_ready(p, UNPRIVILEGED, env, argv, "ready");
	fetch_ok("127.0.0.1", port);
	proc_finish(p);
}

Test(lifecycle, accept4_with_any_flags_reports_the_source)
{
	struct proc p;

	serve_once(&p, ENV("PORTREMAP_MAP=660:20660"), ARGV(staged("probe"),
	    "tcp6", "bind=[::]:660", "listen", "ready", "accept4nb"), 20660);
	expect_out(&p, "accepted port=660 len=28 family=10");
}

Test(lifecycle, every_kind_of_duplicate_answers_like_the_original)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=661:20661"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:661", "listen",
	    "dups"));
	for (int i = 0; i < 5; i++) {
		char line[64];

		snprintf(line, sizeof(line), "dup%d port=661 len=16 family=2", i);
		expect_out(&p, line);
	}
}

Test(lifecycle, a_forked_child_answers_like_its_parent)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=662:20662"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:662", "fork"));
	expect_out(&p, "child port=662 len=16 family=2");
}

Test(lifecycle, the_first_call_can_come_in_a_forked_child)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=669:20669"),
	    ARGV(staged("probe"), "tcp4", "forkbind=127.0.0.1:669"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "child port=669 len=16 family=2");
}

Test(lifecycle, a_program_that_inherits_a_remapped_socket_across_exec)
{
	struct proc p;

	serve_once(&p, ENV("PORTREMAP_MAP=663:20663"), ARGV(staged("probe"),
	    "tcp4", "bind=127.0.0.1:663", "exec"), 20663);
	expect_out(&p, "name port=663 len=16 family=2");
	expect_out(&p, "accepted port=663 len=16 family=2");
}

Test(lifecycle, a_socket_bound_to_the_target_stays_the_target_across_exec)
{
	struct proc p;

	serve_once(&p, ENV("PORTREMAP_MAP=664:20664"), ARGV(staged("probe"),
	    "tcp4", "bind=127.0.0.1:20664", "exec"), 20664);
	expect_out(&p, "name port=20664 len=16 family=2");
	expect_out(&p, "accepted port=20664 len=16 family=2");
}

Test(lifecycle, no_stale_answer_after_close_and_fd_reuse)
{
	struct proc p;
	int first, second;
	const char *s;

	serve_once(&p, ENV("PORTREMAP_MAP=665:20665"), ARGV(staged("probe"),
	    "tcp4", "bind=127.0.0.1:665", "listen", "fd", "name", "close",
	    "tcp4", "bind=127.0.0.1:20665", "fd", "name", "listen", "ready",
	    "accept"), 20665);
	cr_assert((s = strstr(p.outbuf, "fd=")) != NULL);
	cr_assert_eq(sscanf(s, "fd=%d", &first), 1);
	cr_assert((s = strstr(s + 1, "fd=")) != NULL);
	cr_assert_eq(sscanf(s, "fd=%d", &second), 1);
	cr_assert_eq(first, second, "the new socket must reuse the fd number");
	expect_out(&p, "name port=665 len=16 family=2");
	expect_out(&p, "name port=20665 len=16 family=2");
	expect_out(&p, "accepted port=20665 len=16 family=2");
}

Test(lifecycle, an_address_in_read_only_memory)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=666:20666"),
	    ARGV(staged("probe"), "tcp4", "bindro=127.0.0.1:666", "name"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "name port=666 len=16 family=2");
}

Test(lifecycle, bad_input_gets_the_kernel_answer)
{
	struct proc with, without;
	size_t cases = 0;

	proc_run(&with, UNPRIVILEGED, ENV("PORTREMAP_MAP=667:20667"),
	    ARGV(staged("probe"), "badinput=667"));
	proc_run(&without, UNPRIVILEGED, ENV("LD_PRELOAD="),
	    ARGV(staged("probe"), "badinput=667"));
	for (const char *s = with.outbuf; (s = strstr(s, "case ")) != NULL; s++)
		cases++;
	cr_assert_geq(cases, 30, "%s", with.outbuf);
	cr_assert_str_eq(with.outbuf, without.outbuf);
	cr_assert_eq(with.status, 0);
	cr_assert_str_eq(with.errbuf, "", "a call that fails as it would "
	    "have anyway is not worth a line");
}

Test(lifecycle, a_library_constructor_can_bind_before_main)
{
	struct proc p;
	char preload[1200];

	const char *first = getenv("PORTREMAP_TEST_PRELOAD_FIRST");

	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s %s %s",
	    first != NULL ? first : "", staged("libportremap.so"),
	    staged("libbindlater.so"));
	proc_run(&p, UNPRIVILEGED, ENV(preload, "PORTREMAP_MAP=668:20668",
	    "BINDLATER_CTOR_PORT=668"), ARGV(staged("probe")));
	expect_out(&p, "ctor bind ret=0 errno=0");
	expect_out(&p, "ctor name port=668");
}

Test(lifecycle, many_threads_get_only_right_answers, .timeout = 120)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=670-677:+20000",
	    "PORTREMAP_LOG=0"), ARGV(staged("stress"), "670", "20000"));
	cr_assert_eq(p.status, 0, "%s\n%s", p.outbuf, p.errbuf);
	cr_assert(strncmp(p.outbuf, "stress ok", 9) == 0, "%s", p.outbuf);
}

/*
 * A setgid program runs in secure-execution mode. The loader ignores
 * LD_PRELOAD there, so the library is linked into the probe to see that it
 * stands aside by itself.
 */
Test(lifecycle, secure_execution_turns_the_library_off)
{
	char path[600];
	struct proc normal, secure;

	require_root();
	snprintf(path, sizeof(path), "%s", staged("probe-linked"));
	proc_run(&normal, UNPRIVILEGED, ENV("PORTREMAP_MAP=678:20678"),
	    ARGV(path, "tcp4", "bind=127.0.0.1:678", "name"));
	expect_out(&normal, "name port=678 len=16 family=2");

	/*
	 * secure_getenv() hides PORTREMAP_* there, so only the default map
	 * could apply: port 80 must stay refused.
	 */
	cr_assert(chown(path, 0, 0) == 0 && chmod(path, 02755) == 0);
	proc_run(&secure, UNPRIVILEGED, ENV("PORTREMAP_MODE=always"),
	    ARGV(path, "tcp4", "bind=127.0.0.1:80", "name"));
	chmod(path, 0755);
	expect_out(&secure, "bind ret=-1 errno=13");
	cr_assert_str_eq(secure.errbuf, "");
}

/* The system call names in an strace log after the probe's "mark" step. */
static void
syscalls_after_mark(const char *log, char *names, size_t len)
{
	FILE *f = fopen(log, "r");
	char line[1024];
	int marked = 0;

	cr_assert(f != NULL, "%s", log);
	names[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[64];

		if (sscanf(line, "%63[a-z0-9_]", name) != 1)
			continue;
		if (!marked) {
			marked = strcmp(name, "getppid") == 0;
			continue;
		}
		if (strcmp(name, "exit_group") == 0)
			break;
		snprintf(names + strlen(names), len - strlen(names), "%s ", name);
	}
	fclose(f);
}

static void
trace_probe(const char *log, const char *const env[], const char *bind,
    char *names, size_t len)
{
	struct proc p;

	unlink(log);
	proc_run(&p, UNPRIVILEGED, env, ARGV("/usr/bin/strace", "-qq", "-o",
	    log, staged("probe"), "tcp4", "mark", bind, "name"));
	cr_assert_eq(p.status, 0, "%s", p.errbuf);
	syscalls_after_mark(log, names, len);
	unlink(log);
}

Test(lifecycle, the_library_adds_only_the_calls_it_needs)
{
	char log[128], with[2048], without[2048], plain[2048], expected[2200];

	if (access("/usr/bin/strace", X_OK) != 0)
		cr_skip_test("strace is not installed (apt-get install strace)");
	snprintf(log, sizeof(log), "/tmp/portremap-trace-%d.log", (int)getpid());
	trace_probe(log, ENV("PORTREMAP_MAP=681:20681"), "bind=127.0.0.1:681",
	    with, sizeof(with));
	trace_probe(log, ENV("LD_PRELOAD="), "bind=127.0.0.1:681", without,
	    sizeof(without));
	/*
	 * Remapped: the socket's type and protocol and the thread's capability
	 * instead of the refused bind, the mark on the socket, and the log
	 * line, after a look at what fd 2 is, with SIGPIPE held off while it
	 * is written. Nothing opens a file or a socket.
	 */
	cr_assert(strncmp(without, "bind ", 5) == 0, "%s", without);
	snprintf(expected, sizeof(expected), "getsockopt getsockopt capget bind "
	    "setsockopt getuid getpid getsockopt rt_sigprocmask write "
	    "rt_sigprocmask %s", without + 5);
	cr_assert_str_eq(with, expected);
	/* An unmapped bind: not one call more. */
	trace_probe(log, ENV("PORTREMAP_MAP=682:20682"), "bind=127.0.0.1:20782",
	    plain, sizeof(plain));
	cr_assert_str_eq(plain, without);
}
