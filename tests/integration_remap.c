/*
 * The library preloaded into real processes running as an unprivileged user
 * (uid 65534 when the suite runs as root). Each test has its own ports:
 * source 6NN maps to 206NN, so tests can run in parallel; only the two
 * default-map tests use 80/8080 and 443/8443.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void
refused(const char *host, unsigned port)
{
	char reply[64];
	int err = tcp_fetch(host, port, reply, sizeof(reply));

	cr_assert_eq(err, ECONNREFUSED, "%s:%u should have nobody listening, "
	    "got %s", host, port, strerror(err));
}

static void
expect_silence(const struct proc *p)
{
	cr_assert_eq(p->errlen, 0, "stderr should be empty:\n%s", p->errbuf);
}

/* Serve once on `bind`, then fetch from the test process. */
static void
serve_tcp(struct proc *p, enum who who, const char *const env[],
    const char *sock, const char *bind, const char *host, unsigned port)
{
	proc_start_ready(p, who, env, ARGV(staged("probe"), sock, bind, "name",
	    "listen", "ready", "accept"), "ready");
	fetch_ok(host, port);
	proc_finish(p);
	cr_assert_eq(p->status, 0, "stdout:\n%s", p->outbuf);
}

Test(remap, tcp4_listens_on_the_target_and_reports_the_source)
{
	struct proc p;

	proc_start_ready(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=601:20601"),
	    ARGV(staged("probe"), "tcp4", "bind=0.0.0.0:601", "name", "listen",
	    "ready", "accept"), "ready");
	refused("127.0.0.1", 601);
	fetch_ok("127.0.0.1", 20601);
	proc_finish(&p);
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "name port=601 len=16 family=2");
	expect_out(&p, "accepted port=601 len=16 family=2");
	expect_remap_logged(&p, "0.0.0.0:601", "0.0.0.0:20601");
}

Test(remap, dual_stack_ipv6_serves_v4_and_v6_clients)
{
	struct proc p;

	proc_start_ready(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=602:20602"),
	    ARGV(staged("probe"), "tcp6", "bind=[::]:602", "name", "listen",
	    "ready", "accept", "accept"), "ready");
	fetch_ok("127.0.0.1", 20602);
	fetch_ok("::1", 20602);
	refused("::1", 602);
	proc_finish(&p);
	expect_out(&p, "name port=602 len=28 family=10");
	cr_assert(strstr(p.outbuf, "accepted port=20602") == NULL);
	cr_assert_eq(strstr(strstr(p.outbuf, "accepted port=602 len=28") + 1,
	    "accepted port=602 len=28") != NULL, 1,
	    "both accepted sockets report 602:\n%s", p.outbuf);
	expect_remap_logged(&p, "[::]:602", "[::]:20602");
}

Test(remap, ipv6_only_loopback)
{
	struct proc p;

	serve_tcp(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=603:20603"), "tcp6only",
	    "bind=[::1]:603", "::1", 20603);
	expect_out(&p, "name port=603 len=28 family=10");
	expect_out(&p, "accepted port=603 len=28 family=10");
	expect_remap_logged(&p, "[::1]:603", "[::1]:20603");
}

Test(remap, v4_mapped_ipv6_address)
{
	struct proc p;

	serve_tcp(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=604:20604"), "tcp6",
	    "bind=[::ffff:127.0.0.1]:604", "127.0.0.1", 20604);
	expect_out(&p, "name port=604 len=28 family=10");
	expect_out(&p, "accepted port=604 len=28 family=10");
	expect_remap_logged(&p, "[::ffff:127.0.0.1]:604",
	    "[::ffff:127.0.0.1]:20604");
}

static void
udp_case(const char *sock, const char *bind, const char *host,
    const char *map, unsigned target, const char *name_line)
{
	struct proc p;
	char reply[64] = "";
	int err;

	proc_start_ready(&p, UNPRIVILEGED, ENV(map), ARGV(staged("probe"), sock, bind,
	    "name", "ready", "recv"), "ready");
	err = udp_exchange(host, target, reply, sizeof(reply));
	proc_finish(&p);
	cr_assert_eq(err, 0, "udp %s:%u: %s\n%s", host, target, strerror(err),
	    p.outbuf);
	cr_assert_str_eq(reply, "hello\n");
	expect_out(&p, name_line);
}

Test(remap, udp4)
{
	udp_case("udp4", "bind=127.0.0.1:605", "127.0.0.1",
	    "PORTREMAP_MAP=605:20605", 20605, "received port=605 len=16 family=2");
}

Test(remap, udp6_dual_stack)
{
	udp_case("udp6", "bind=[::]:606", "::1", "PORTREMAP_MAP=606:20606",
	    20606, "received port=606 len=28 family=10");
}

Test(remap, default_map_sends_80_to_8080)
{
	struct proc p;

	serve_tcp(&p, UNPRIVILEGED, NO_ENV, "tcp6", "bind=[::]:80", "127.0.0.1",
	    8080);
	expect_out(&p, "name port=80 len=28 family=10");
	expect_out(&p, "accepted port=80 len=28 family=10");
	expect_remap_logged(&p, "[::]:80", "[::]:8080");
}

Test(remap, default_map_sends_443_to_8443)
{
	struct proc p;

	serve_tcp(&p, UNPRIVILEGED, NO_ENV, "tcp4", "bind=0.0.0.0:443",
	    "127.0.0.1", 8443);
	expect_out(&p, "name port=443 len=16 family=2");
	expect_remap_logged(&p, "0.0.0.0:443", "0.0.0.0:8443");
}

Test(remap, range_map_with_offset)
{
	struct proc p;

	serve_tcp(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=1-1023:+30000"), "tcp4",
	    "bind=127.0.0.1:607", "127.0.0.1", 30607);
	expect_out(&p, "name port=607 len=16 family=2");
	expect_out(&p, "accepted port=607 len=16 family=2");
	expect_remap_logged(&p, "127.0.0.1:607", "127.0.0.1:30607");
}

Test(remap, a_custom_map_replaces_the_default)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=608:20608"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:80"));
	expect_out(&p, "bind ret=-1 errno=13");
	expect_silence(&p);
}

Test(remap, unmapped_privileged_port_keeps_the_kernel_error)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=609:20609"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:610"));
	expect_out(&p, "bind ret=-1 errno=13");
	expect_silence(&p);
}

Test(remap, unmapped_unprivileged_port_is_untouched)
{
	struct proc p;

	serve_tcp(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=611:20611"), "tcp4",
	    "bind=127.0.0.1:20711", "127.0.0.1", 20711);
	expect_out(&p, "name port=20711 len=16 family=2");
	expect_out(&p, "accepted port=20711 len=16 family=2");
	expect_silence(&p);
}

Test(remap, port_zero_is_untouched)
{
	struct proc p;
	unsigned port = 0;
	const char *line;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=1-1023:+31000"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:0", "name"));
	expect_out(&p, "bind ret=0 errno=4242");
	cr_assert((line = strstr(p.outbuf, "name port=")) != NULL);
	cr_assert_eq(sscanf(line, "name port=%u", &port), 1);
	cr_assert(port >= 1024, "ephemeral port %u", port);
	expect_silence(&p);
}

Test(remap, a_socket_the_app_binds_to_the_target_reports_the_target)
{
	struct proc p;

	serve_tcp(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=612:20612"), "tcp4",
	    "bind=127.0.0.1:20612", "127.0.0.1", 20612);
	expect_out(&p, "name port=20612 len=16 family=2");
	expect_out(&p, "accepted port=20612 len=16 family=2");
	expect_silence(&p);
}

Test(remap, unix_sockets_are_untouched_and_unlogged)
{
	struct proc p;
	char bind[128];

	snprintf(bind, sizeof(bind), "bind=/tmp/portremap-test-%d.sock",
	    (int)getpid());
	unlink(bind + 5);
	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_LOG=2"),
	    ARGV(staged("probe"), "unix", bind, "name"));
	unlink(bind + 5);
	expect_out(&p, "bind ret=0 errno=4242");
	expect_silence(&p);
}

Test(remap, plain_accept_and_accept4_report_the_source)
{
	struct proc p;

	proc_start_ready(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=613:20613"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:613", "listen",
	    "ready", "accept0", "accept"), "ready");
	fetch_ok("127.0.0.1", 20613);
	fetch_ok("127.0.0.1", 20613);
	proc_finish(&p);
	cr_assert_eq(strstr(strstr(p.outbuf, "accepted port=613 len=16") + 1,
	    "accepted port=613 len=16") != NULL, 1, "%s", p.outbuf);
}

Test(remap, unspec_any_on_an_ipv4_socket_is_remapped)
{
	struct proc p;

	serve_tcp(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=614:20614"), "tcp4",
	    "bind=unspec/0.0.0.0:614", "127.0.0.1", 20614);
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "name port=614 len=16 family=2");
}

Test(remap, unspec_with_an_address_keeps_the_kernel_error)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=615:20615"),
	    ARGV(staged("probe"), "tcp4", "bind=unspec/127.0.0.1:615"));
	expect_out(&p, "bind ret=-1 errno=97");	/* EAFNOSUPPORT */
	expect_silence(&p);
}

Test(remap, bind_inside_a_dlopened_library)
{
	struct proc p;
	char step[600];

	snprintf(step, sizeof(step), "dlbind=%s,127.0.0.1:616",
	    staged("libbindlater.so"));
	proc_start_ready(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=616:20616"),
	    ARGV(staged("probe"), "tcp4", step, "name", "listen", "ready",
	    "accept"), "ready");
	fetch_ok("127.0.0.1", 20616);
	proc_finish(&p);
	expect_out(&p, "bind ret=0");
	expect_out(&p, "name port=616 len=16 family=2");
	expect_remap_logged(&p, "127.0.0.1:616", "127.0.0.1:20616");
}

static const char python_tcp[] =
    "import socket, sys\n"
    "host, port = sys.argv[1], int(sys.argv[2])\n"
    "family = socket.AF_INET6 if ':' in host else socket.AF_INET\n"
    "s = socket.socket(family, socket.SOCK_STREAM)\n"
    "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "if family == socket.AF_INET6:\n"
    "    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)\n"
    "s.bind((host, port))\n"
    "s.listen()\n"
    "print('name port=%d' % s.getsockname()[1], flush=True)\n"
    "print('ready', flush=True)\n"
    "for _ in range(int(sys.argv[3])):\n"
    "    c, _ = s.accept()\n"
    "    print('accepted port=%d' % c.getsockname()[1], flush=True)\n"
    "    c.sendall(b'hello\\n')\n"
    "    c.close()\n";

Test(python, cpython_dual_stack_server)
{
	struct proc p;

	proc_start_ready(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=617:20617"),
	    ARGV(PYTHON3, "-c", python_tcp, "::", "617", "2"), "ready");
	fetch_ok("127.0.0.1", 20617);
	fetch_ok("::1", 20617);
	proc_finish(&p);
	cr_assert_eq(p.status, 0, "%s", p.errbuf);
	expect_out(&p, "name port=617");
	expect_out(&p, "accepted port=617");
	cr_assert(strstr(p.outbuf, "20617") == NULL, "%s", p.outbuf);
	expect_remap_logged(&p, "[::]:617", "[::]:20617");
}

Test(python, cpython_ipv4_server)
{
	struct proc p;

	proc_start_ready(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=618:20618"),
	    ARGV(PYTHON3, "-c", python_tcp, "0.0.0.0", "618", "1"), "ready");
	fetch_ok("127.0.0.1", 20618);
	proc_finish(&p);
	expect_out(&p, "name port=618");
	expect_out(&p, "accepted port=618");
}

Test(python, cpython_udp)
{
	struct proc p;
	char reply[64] = "";
	int err;

	proc_start_ready(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=619:20619"),
	    ARGV(PYTHON3, "-c",
	    "import socket\n"
	    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
	    "s.bind(('127.0.0.1', 619))\n"
	    "print('name port=%d' % s.getsockname()[1], flush=True)\n"
	    "print('ready', flush=True)\n"
	    "s.settimeout(10)\n"
	    "data, peer = s.recvfrom(64)\n"
	    "s.sendto(b'hello\\n', peer)\n"), "ready");
	err = udp_exchange("127.0.0.1", 20619, reply, sizeof(reply));
	proc_finish(&p);
	cr_assert_eq(err, 0, "%s\n%s", strerror(err), p.errbuf);
	cr_assert_str_eq(reply, "hello\n");
	expect_out(&p, "name port=619");
}

Test(python, a_process_that_binds_nothing_prints_nothing)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, NO_ENV, ARGV(PYTHON3, "-c",
	    "import socket; socket.socket().connect_ex(('127.0.0.1', 9))\n"
	    "print('done')"));
	expect_out(&p, "done");
	expect_silence(&p);
}
