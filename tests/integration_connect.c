/*
 * PORTREMAP_CONNECT=loopback: clients in the same network namespace reach a
 * remapped server through the port they were configured with. Each test's
 * server maps 7NN to 207NN; clients run with the same map.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* A remapped HTTP server on [::]:port (dual-stack), as nobody. */
static void
start_server(struct proc *p, const char *map)
{
	const char *colon = strchr(map, ':');
	char port[8];

	snprintf(port, sizeof(port), "%.*s", (int)(colon - map - 14),
	    map + 14);
	proc_start_ready(p, UNPRIVILEGED, ENV(map), ARGV(PYTHON3,
	    "-u", "-m", "http.server", "--bind", "::", port), "Serving HTTP");
}

static const char client_py[] =
    "import socket, sys\n"
    "host, port = sys.argv[1], int(sys.argv[2])\n"
    "try:\n"
    "    s = socket.create_connection((host, port), timeout=10)\n"
    "except OSError as e:\n"
    "    print('connect errno=%d' % e.errno)\n"
    "    sys.exit(0)\n"
    "print('peer port=%d' % s.getpeername()[1])\n"
    "s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n"
    "print('reply ' + s.recv(64).decode().split('\\r\\n')[0])\n";

static void
python_client(struct proc *c, enum who who, const char *const env[],
    const char *host, const char *port)
{
	proc_run(c, who, env, ARGV(PYTHON3, "-c", client_py, host,
	    port));
}

Test(connect, off_by_default)
{
	struct proc server, client;

	start_server(&server, "PORTREMAP_MAP=721:20721");
	python_client(&client, UNPRIVILEGED, ENV("PORTREMAP_MAP=721:20721"),
	    "127.0.0.1", "721");
	proc_stop(&server);
	expect_out(&client, "connect errno=111");
	cr_assert_str_eq(client.errbuf, "");
}

Test(connect, cpython_reaches_the_server_and_sees_the_port_it_asked_for)
{
	struct proc server, client;
	const char *env[] = { "PORTREMAP_MAP=722:20722",
	    "PORTREMAP_CONNECT=loopback", NULL };

	start_server(&server, "PORTREMAP_MAP=722:20722");
	python_client(&client, UNPRIVILEGED, env, "127.0.0.1", "722");
	expect_out(&client, "peer port=722");
	expect_out(&client, "reply HTTP/1.0 200 OK");
	python_client(&client, UNPRIVILEGED, env, "::1", "722");
	expect_out(&client, "peer port=722");
	expect_out(&client, "reply HTTP/1.0 200 OK");
	python_client(&client, UNPRIVILEGED, env, "::ffff:127.0.0.1", "722");
	expect_out(&client, "peer port=722");
	python_client(&client, UNPRIVILEGED, env, "localhost", "722");
	expect_out(&client, "peer port=722");
	if (geteuid() == 0) {	/* a root client too: the server was remapped */
		python_client(&client, ROOT, env, "127.0.0.1", "722");
		expect_out(&client, "peer port=722");
		expect_out(&client, "reply HTTP/1.0 200 OK");
	}
	proc_stop(&server);
}

static void
curl(enum who who, const char *url, const char *connected)
{
	struct proc c;

	proc_run(&c, who, ENV("PORTREMAP_MAP=723:20723",
	    "PORTREMAP_CONNECT=loopback"), ARGV("/usr/bin/curl", "-sv",
	    "--max-time", "10", url));
	cr_assert_eq(c.status, 0, "curl %s failed:\n%s", url, c.errbuf);
	cr_assert(strstr(c.outbuf, "Directory listing") != NULL, "%s",
	    c.outbuf);
	/* curl asks getpeername() where it is connected. */
	cr_assert(strstr(c.errbuf, connected) != NULL, "no \"%s\" in:\n%s",
	    connected, c.errbuf);
}

Test(connect, curl_with_non_blocking_connects, .timeout = 60)
{
	struct proc server;

	if (access("/usr/bin/curl", X_OK) != 0)
		cr_skip_test("curl is not installed (apt-get install curl)");
	if (getenv("PORTREMAP_TEST_PRELOAD_FIRST") != NULL)
		cr_skip_test("curl deadlocks in setlocale() under a preloaded "
		    "ASan runtime, with or without the library");
	start_server(&server, "PORTREMAP_MAP=723:20723");
	curl(UNPRIVILEGED, "http://127.0.0.1:723/", "Connected to 127.0.0.1 "
	    "(127.0.0.1) port 723");
	curl(UNPRIVILEGED, "http://[::1]:723/", "Connected to ::1 (::1) port "
	    "723");
	curl(UNPRIVILEGED, "http://localhost:723/", "Connected to localhost");
	if (geteuid() == 0)	/* it is the server that was remapped */
		curl(ROOT, "http://127.0.0.1:723/", "Connected to 127.0.0.1 "
		    "(127.0.0.1) port 723");
	proc_stop(&server);
}

Test(connect, connected_udp)
{
	struct proc server, client;

	proc_start_ready(&server, UNPRIVILEGED, ENV("PORTREMAP_MAP=724:20724"),
	    ARGV(staged("probe"), "udp4", "bind=127.0.0.1:724", "ready",
	    "recv"), "ready");
	proc_run(&client, UNPRIVILEGED, ENV("PORTREMAP_MAP=724:20724",
	    "PORTREMAP_CONNECT=loopback"), ARGV(PYTHON3, "-c",
	    "import socket\n"
	    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
	    "s.settimeout(10)\n"
	    "s.connect(('127.0.0.1', 724))\n"
	    "s.send(b'ping')\n"
	    "print('reply', s.recv(64).decode().strip())\n"
	    "print('peer port=%d' % s.getpeername()[1])\n"));
	proc_finish(&server);
	expect_out(&client, "reply hello");
	expect_out(&client, "peer port=724");
}

Test(connect, unmapped_ports_and_direct_connections_are_untouched)
{
	struct proc server, client;
	const char *env[] = { "PORTREMAP_MAP=725:20725",
	    "PORTREMAP_CONNECT=loopback", NULL };

	start_server(&server, "PORTREMAP_MAP=725:20725");
	/* Straight to the target: the peer is the target. */
	python_client(&client, UNPRIVILEGED, env, "127.0.0.1", "20725");
	expect_out(&client, "peer port=20725");
	/* A privileged port not in the map: the kernel's answer. */
	python_client(&client, UNPRIVILEGED, env, "127.0.0.1", "726");
	expect_out(&client, "connect errno=111");
	proc_stop(&server);
}

/* This host's own non-loopback address: local traffic, never remapped. */
Test(connect, non_loopback_destinations_are_untouched)
{
	struct ifaddrs *list, *i;
	char host[INET_ADDRSTRLEN] = "";
	struct proc server, client;

	cr_assert(getifaddrs(&list) == 0);
	for (i = list; i != NULL && host[0] == '\0'; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
		    (ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr)
		    >> 24) != 127)
			inet_ntop(AF_INET, &((struct sockaddr_in *)
			    i->ifa_addr)->sin_addr, host, sizeof(host));
	freeifaddrs(list);
	if (host[0] == '\0')
		cr_skip_test("this host has no non-loopback IPv4 address");
	start_server(&server, "PORTREMAP_MAP=727:20727");
	python_client(&client, UNPRIVILEGED, ENV("PORTREMAP_MAP=727:20727",
	    "PORTREMAP_CONNECT=loopback"), host, "727");
	expect_out(&client, "connect errno=111");
	python_client(&client, UNPRIVILEGED, ENV("PORTREMAP_MAP=727:20727",
	    "PORTREMAP_CONNECT=loopback"), host, "20727");
	expect_out(&client, "peer port=20727");
	proc_stop(&server);
}

Test(connect, a_bad_value_is_reported_and_nothing_is_touched)
{
	struct proc client;

	python_client(&client, UNPRIVILEGED, ENV("PORTREMAP_MAP=728:20728",
	    "PORTREMAP_CONNECT=yes"), "127.0.0.1", "728");
	expect_out(&client, "connect errno=111");
	cr_assert_str_eq(client.errbuf, "portremap: PORTREMAP_CONNECT: \"yes\": "
	    "expected loopback or off\n");
}

Test(connect, log_2_explains_each_remapped_connect)
{
	struct proc server, client;
	char want[160];

	start_server(&server, "PORTREMAP_MAP=729:20729");
	python_client(&client, UNPRIVILEGED, ENV("PORTREMAP_MAP=729:20729",
	    "PORTREMAP_CONNECT=loopback", "PORTREMAP_LOG=2"), "127.0.0.1",
	    "729");
	proc_stop(&server);
	snprintf(want, sizeof(want), "portremap[%d]: connect 127.0.0.1:729 -> "
	    "127.0.0.1:20729 (PORTREMAP_CONNECT=loopback)", (int)client.pid);
	cr_assert(has_line(client.errbuf, want), "%s", client.errbuf);
}
