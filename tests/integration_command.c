/* The portremap command, run as users run it. Ports: 7NN maps to 207NN. */
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define NO_PRELOAD	"LD_PRELOAD="

Test(command, runs_the_command_with_the_library)
{
	struct proc p;
	char want[160];

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "-m", "701:20701", "--", staged("probe"), "tcp4",
	    "bind=127.0.0.1:701", "name"));
	cr_assert_eq(p.status, 0, "%s", p.errbuf);
	expect_out(&p, "name port=701 len=16 family=2");
	snprintf(want, sizeof(want), "(uid %u lacks CAP_NET_BIND_SERVICE)",
	    unprivileged_uid());
	cr_assert(strstr(p.errbuf, "bind 127.0.0.1:701 -> 127.0.0.1:20701 ") !=
	    NULL && strstr(p.errbuf, want) != NULL, "%s", p.errbuf);
}

Test(command, options_become_the_settings)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "--map", " 702:20702 ", "--mode", "always", "-q", "/usr/bin/env"));
	expect_out(&p, "PORTREMAP_MAP= 702:20702 ");
	expect_out(&p, "PORTREMAP_MODE=always");
	expect_out(&p, "PORTREMAP_LOG=0");
	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "-v", "--connect", "loopback", "/usr/bin/env"));
	expect_out(&p, "PORTREMAP_LOG=2");
	expect_out(&p, "PORTREMAP_CONNECT=loopback");
}

Test(command, keeps_what_ld_preload_already_had)
{
	struct proc p;
	char old[600], want[1300];

	snprintf(old, sizeof(old), "LD_PRELOAD=%s", staged("libbindlater.so"));
	proc_run(&p, UNPRIVILEGED, ENV(old, "BINDLATER_CTOR_PORT=703"),
	    ARGV(staged("portremap"), "-m", "703:20703", "--", staged("probe")));
	/* Both libraries are in: the other one's bind is remapped. */
	expect_out(&p, "ctor bind ret=0 errno=0");
	expect_out(&p, "ctor name port=703");
	proc_run(&p, UNPRIVILEGED, ENV(old), ARGV(staged("portremap"),
	    "/usr/bin/env"));
	snprintf(want, sizeof(want), "LD_PRELOAD=%s:%s",
	    staged("libportremap.so"), staged("libbindlater.so"));
	expect_out(&p, want);
}

Test(command, the_exit_status_is_the_command_s)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "--", "/bin/sh", "-c", "exit 7"));
	cr_assert_eq(p.status, 7);
	/* The command's own options are its own. */
	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "/bin/sh", "-c", "echo $0 $1", "-q", "-m"));
	cr_assert_eq(p.status, 0);
	expect_out(&p, "-q -m");
}

Test(command, a_command_that_cannot_run_is_explained)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "--", "no-such-command-here"));
	cr_assert_eq(p.status, 127);
	cr_assert_str_eq(p.errbuf, "portremap: cannot run no-such-command-here: "
	    "No such file or directory\n");
	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "--", "/etc/passwd"));
	cr_assert_eq(p.status, 126);
	cr_assert_str_eq(p.errbuf, "portremap: cannot run /etc/passwd: "
	    "Permission denied\n");
}

Test(command, usage_errors)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "--bogus", "true"));
	cr_assert_eq(p.status, 2);
	cr_assert(strstr(p.errbuf, "usage: portremap") != NULL, "%s", p.errbuf);
	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap")));
	cr_assert_eq(p.status, 2);
	cr_assert(strncmp(p.errbuf, "portremap: no command given\nusage:", 34) ==
	    0, "%s", p.errbuf);
	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "-m"));
	cr_assert_eq(p.status, 2);
}

Test(command, help_and_version)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "--help"));
	cr_assert_eq(p.status, 0);
	cr_assert(strncmp(p.outbuf, "usage: portremap", 16) == 0);
	cr_assert(strstr(p.outbuf, "--check") != NULL);
	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "--version"));
	cr_assert_eq(p.status, 0);
	cr_assert(strncmp(p.outbuf, "portremap ", 10) == 0, "%s", p.outbuf);
}

Test(command, check_explains_the_settings_for_this_user)
{
	struct proc p;
	char want[200];

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "--check"));
	cr_assert_eq(p.status, 0, "%s", p.errbuf);
	snprintf(want, sizeof(want), "library: %s (next to portremap)",
	    staged("libportremap.so"));
	expect_out(&p, want);
	expect_out(&p, "map (the default):");
	expect_out(&p, "  80 -> 8080");
	expect_out(&p, "  443 -> 8443");
	expect_out(&p, "mode: auto");
	expect_out(&p, "log: 1");
	expect_out(&p, "connect: off");
	snprintf(want, sizeof(want), "auto would remap: uid %u lacks "
	    "CAP_NET_BIND_SERVICE", unprivileged_uid());
	expect_out(&p, want);
	snprintf(want, sizeof(want), "verdict: uid %u lacks "
	    "CAP_NET_BIND_SERVICE: binds on mapped ports are remapped",
	    unprivileged_uid());
	expect_out(&p, want);

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "-m", "1-1023:+8000", "--mode", "off", "--check"));
	expect_out(&p, "map:");
	expect_out(&p, "  1-1023 -> 8001-9023");
	expect_out(&p, "mode: off");
	expect_out(&p, "verdict: mode off: nothing is remapped");
	cr_assert(strstr(p.outbuf, "warning:") == NULL, "%s", p.outbuf);
	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "-m", "80:40080", "--check"));
	cr_assert(strstr(p.outbuf, "warning: targets 40080-40080 overlap the "
	    "ephemeral port range ") != NULL, "%s", p.outbuf);
	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "--connect", "loopback", "--check"));
	expect_out(&p, "connect: loopback (connections to a mapped port on this "
	    "host go to its target)");
}

Test(command, check_as_root_keeps_the_ports)
{
	struct proc p;

	require_root();
	proc_run(&p, ROOT, ENV(NO_PRELOAD), ARGV(staged("portremap"), "--check"));
	expect_out(&p, "verdict: uid 0 has CAP_NET_BIND_SERVICE: binds keep "
	    "their ports");
	proc_run(&p, ROOT, ENV(NO_PRELOAD), ARGV(staged("portremap"), "--mode",
	    "always", "--check"));
	expect_out(&p, "verdict: mode always: every bind on a mapped port is "
	    "remapped");
}

/* Where every port is unprivileged, auto and fallback part ways. */
Test(command, check_says_what_ip_unprivileged_port_start_changes)
{
	static const char *const ports_from_0[] = {
		"net/ipv4/ip_unprivileged_port_start=0", NULL
	};
	struct proc p;
	char want[300];
	unsigned uid = unprivileged_uid();

	proc_start_netns(&p, UNPRIVILEGED, ports_from_0, ENV(NO_PRELOAD),
	    ARGV(staged("portremap"), "--check"));
	proc_finish(&p);
	expect_out(&p, "ip_unprivileged_port_start: 0 (this network namespace): "
	    "the kernel lets every user bind every port");
	snprintf(want, sizeof(want), "auto would remap: uid %u lacks "
	    "CAP_NET_BIND_SERVICE; auto does not look at "
	    "ip_unprivileged_port_start, so mapped ports still move to their "
	    "targets, where the .NET 8 images listen", uid);
	expect_out(&p, want);
	snprintf(want, sizeof(want), "fallback would keep the ports: the kernel "
	    "lets uid %u bind port 80", uid);
	expect_out(&p, want);
	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "-m", "443:8443", "--check"));
	snprintf(want, sizeof(want), "fallback would remap: the kernel refuses "
	    "port 443 to uid %u", uid);
	expect_out(&p, want);
}

Test(command, check_for_root_in_a_user_namespace_on_the_host_network)
{
	struct proc p;

	require_root();
	proc_run(&p, ROOT, ENV(NO_PRELOAD), ARGV("unshare", "--user",
	    "--map-root-user", staged("portremap"), "--check"));
	expect_out(&p, "auto would remap: uid 0 has CAP_NET_BIND_SERVICE, but not "
	    "in this network namespace");
	expect_out(&p, "verdict: uid 0 lacks CAP_NET_BIND_SERVICE in this network "
	    "namespace: binds on mapped ports are remapped");
}

Test(command, bad_settings_get_the_library_s_message_and_status_2)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD), ARGV(staged("portremap"),
	    "-m", "80:abc", "--check"));
	cr_assert_eq(p.status, 2);
	cr_assert_str_eq(p.errbuf, "portremap: PORTREMAP_MAP: \"80:abc\": "
	    "target must be a port 1024-65535\n");
	cr_assert_str_eq(p.outbuf, "");
	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD, "PORTREMAP_MODE=sometimes"),
	    ARGV(staged("portremap"), "--", "/bin/true"));
	cr_assert_eq(p.status, 2);
	cr_assert_str_eq(p.errbuf, "portremap: PORTREMAP_MODE: \"sometimes\": "
	    "expected auto, always, fallback or off\n");
}

/* A check that finds no library cannot pass: status 126, as a run would. */
Test(command, check_fails_when_the_library_is_missing)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD,
	    "PORTREMAP_LIBRARY=/nonexistent/libportremap.so"),
	    ARGV(staged("portremap"), "--check"));
	cr_assert_eq(p.status, 126, "status %d", p.status);
	expect_out(&p, "library: /nonexistent/libportremap.so (from "
	    "PORTREMAP_LIBRARY) - not found or not readable");
	cr_assert_str_eq(p.errbuf, "portremap: cannot read the library "
	    "/nonexistent/libportremap.so (from PORTREMAP_LIBRARY); set "
	    "PORTREMAP_LIBRARY\n");
}

Test(command, portremap_library_chooses_the_library)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV(NO_PRELOAD,
	    "PORTREMAP_LIBRARY=/nonexistent/libportremap.so"),
	    ARGV(staged("portremap"), "/bin/true"));
	cr_assert_eq(p.status, 126);
	cr_assert(strstr(p.errbuf, "cannot read the library "
	    "/nonexistent/libportremap.so (from PORTREMAP_LIBRARY)") != NULL,
	    "%s", p.errbuf);
}
