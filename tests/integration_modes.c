/*
 * Modes, settings, log lines, collisions and getsockname() edge cases, in
 * real processes under the library. Ports: source 6NN maps to 206NN.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"


Test(modes, auto_keeps_the_port_for_root)
{
	struct proc p;

	require_root();
	proc_run(&p, ROOT, ENV("PORTREMAP_MAP=630:20630"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:630", "name"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "name port=630 len=16 family=2");
	expect_stderr_is(&p, "");
}

Test(modes, auto_keeps_the_port_for_a_user_with_the_capability)
{
	struct proc p;

	require_root();
	proc_run(&p, ROOT, ENV("PORTREMAP_MAP=631:20631"),
	    ARGV("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
	    "--clear-groups", "--inh-caps=+net_bind_service",
	    "--ambient-caps=+net_bind_service", staged("probe"), "tcp4",
	    "bind=127.0.0.1:631", "name"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "name port=631 len=16 family=2");
	expect_stderr_is(&p, "");
}

Test(modes, auto_follows_privileges_dropped_at_run_time)
{
	struct proc p;

	require_root();
	proc_run(&p, ROOT, ENV("PORTREMAP_MAP=632:20632,633:20633"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:632", "name", "drop",
	    "tcp4", "bind=127.0.0.1:633", "name"));
	expect_out(&p, "name port=632 len=16 family=2");
	expect_out(&p, "drop ret=0");
	expect_out(&p, "name port=633 len=16 family=2");
	cr_assert(strstr(p.errbuf, ":632 ->") == NULL, "%s", p.errbuf);
	expect_err(&p, "bind 127.0.0.1:633 -> 127.0.0.1:20633 "
	    "(uid 65534 lacks CAP_NET_BIND_SERVICE)");
}

Test(modes, always_remaps_root_too)
{
	struct proc p;

	require_root();
	proc_run(&p, ROOT, ENV("PORTREMAP_MAP=634:20634",
	    "PORTREMAP_MODE=always"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:634", "name", "listen", "ready"));
	expect_out(&p, "name port=634 len=16 family=2");
	expect_err(&p, "bind 127.0.0.1:634 -> 127.0.0.1:20634 "
	    "(mode always)");
}

Test(modes, always_remaps_an_unprivileged_user)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=635:20635",
	    "PORTREMAP_MODE=always"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:635", "name"));
	expect_out(&p, "name port=635 len=16 family=2");
	expect_err(&p, "bind 127.0.0.1:635 -> 127.0.0.1:20635 "
	    "(mode always)");
}

Test(modes, fallback_remaps_after_the_kernel_refuses)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=636:20636",
	    "PORTREMAP_MODE=fallback"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:636", "name"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "name port=636 len=16 family=2");
	expect_err(&p, "bind 127.0.0.1:636 -> 127.0.0.1:20636 "
	    "(port 636 refused with EACCES)");
}

Test(modes, fallback_keeps_the_port_when_the_kernel_allows_it)
{
	struct proc p;

	require_root();
	proc_run(&p, ROOT, ENV("PORTREMAP_MAP=637:20637",
	    "PORTREMAP_MODE=fallback"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:637", "name"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "name port=637 len=16 family=2");
	expect_stderr_is(&p, "");
}

Test(modes, off_leaves_every_call_alone)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=638:20638",
	    "PORTREMAP_MODE=off"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:638", "tcp4", "bind=127.0.0.1:20638", "name"));
	expect_out(&p, "bind ret=-1 errno=13");
	expect_out(&p, "name port=20638 len=16 family=2");
	expect_stderr_is(&p, "");
}

Test(settings, a_bad_map_is_reported_once_and_nothing_is_remapped)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=639:abc"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:639", "name", "tcp4",
	    "bind=127.0.0.1:639"));
	expect_out(&p, "bind ret=-1 errno=13");
	expect_stderr_is(&p, "portremap: PORTREMAP_MAP: \"639:abc\": target "
	    "must be a port 1024-65535\n");
}

Test(settings, a_bad_mode_is_reported_and_nothing_is_remapped)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=640:20640",
	    "PORTREMAP_MODE=sometimes"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:640"));
	expect_out(&p, "bind ret=-1 errno=13");
	expect_stderr_is(&p, "portremap: PORTREMAP_MODE: \"sometimes\": "
	    "expected auto, always, fallback or off\n");
}

Test(settings, a_bad_log_level_is_reported_and_nothing_is_remapped)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=641:20641",
	    "PORTREMAP_LOG=loud"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:641"));
	expect_out(&p, "bind ret=-1 errno=13");
	expect_stderr_is(&p, "portremap: PORTREMAP_LOG: \"loud\": expected "
	    "0, 1 or 2\n");
}

Test(settings, log_0_remaps_silently)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=642:20642",
	    "PORTREMAP_LOG=0"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:642", "name"));
	expect_out(&p, "name port=642 len=16 family=2");
	expect_stderr_is(&p, "");
}

Test(settings, log_2_explains_every_decision)
{
	struct proc p;
	char want[256];

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=643:20643",
	    "PORTREMAP_LOG=2"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:20653", "tcp4", "bind=127.0.0.1:643", "name"));
	expect_out(&p, "name port=643 len=16 family=2");
	expect_err(&p, "bind 127.0.0.1:20653: not remapped "
	    "(port not in PORTREMAP_MAP)");
	snprintf(want, sizeof(want), "portremap[%d]: bind 127.0.0.1:643 -> "
	    "127.0.0.1:20643 (uid %u lacks CAP_NET_BIND_SERVICE)", (int)p.pid,
	    unprivileged_uid());
	cr_assert(has_line(p.errbuf, want), "%s", p.errbuf);
	cr_assert(strstr(p.errbuf, ": port 20643 reported as 643\n") != NULL,
	    "%s", p.errbuf);
}

Test(settings, log_1_says_nothing_about_unmapped_binds)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=644:20644"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:20654", "name",
	    "udp6", "bind=[::]:0", "name"));
	expect_out(&p, "name port=20654 len=16 family=2");
	expect_stderr_is(&p, "");
}

Test(collisions, binding_the_target_after_the_remap_is_explained)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=645:20645"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:645", "listen",
	    "tcp4", "bind=127.0.0.1:20645"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "bind ret=-1 errno=98");
	expect_err(&p, "bind 127.0.0.1:20645 failed: port 20645 is already in "
	    "use; this process remapped port 645 onto it before "
	    "(PORTREMAP_MAP), and if it still holds that socket, listen on "
	    "only one of 645 and 20645, or map 645 elsewhere");
}

Test(collisions, a_target_held_by_another_process_is_explained)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
	    .sin_port = htons(20646) };
	struct proc p;
	int holder, one = 1;

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	holder = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(holder, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert(bind(holder, (struct sockaddr *)&in, sizeof(in)) == 0);
	cr_assert(listen(holder, 1) == 0);
	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=646:20646"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:646"));
	close(holder);
	expect_out(&p, "bind ret=-1 errno=98");
	expect_err(&p, "bind 127.0.0.1:646 -> 127.0.0.1:20646 "
	    "failed: port 20646 is already in use; it is the remap target of "
	    "port 646 (PORTREMAP_MAP)");
}

/* Bytes 0-3 of a sockaddr_in for port, as the probe prints them. */
static void
expect_short(const struct proc *p, int n, unsigned port)
{
	unsigned char bytes[4] = { AF_INET & 0xff, AF_INET >> 8,
	    (unsigned char)(port >> 8), (unsigned char)port };
	char want[128], *w;

	w = want + snprintf(want, sizeof(want), "short%d ret=0 len=16 bytes=",
	    n);
	for (int i = 0; i <= n; i++)
		w += sprintf(w, "%02x", i < n ? bytes[i] : 0xee);
	expect_out(p, want);
}

Test(getsockname, short_buffers_get_the_kernel_bytes_and_length)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=647:20647"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:647", "short=0",
	    "short=1", "short=2", "short=3", "short=4", "nulllen"));
	for (int n = 0; n <= 4; n++)
		expect_short(&p, n, 647);
	expect_out(&p, "nulllen ret=-1 errno=14");
}

Test(getsockname, short_buffers_on_an_unremapped_socket)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=648:20648"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:20648", "short=3",
	    "short=4"));
	expect_short(&p, 3, 20648);
	expect_short(&p, 4, 20648);
}
