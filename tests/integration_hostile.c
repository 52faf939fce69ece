/*
 * Odd but real process shapes, where an interposer can harm the process it
 * is loaded into or disagree with the kernel: stderr that is not stderr,
 * threads and the dynamic loader, sanitised environments, sockets carried
 * across exec, capabilities per thread and per namespace, protocols other
 * than TCP and UDP, and loopback clients. Ports: source 7NN maps to 207NN.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* A listening socket of the test process itself, not preloaded. */
static int
listen_on(const char *host, unsigned port)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	cr_assert(inet_pton(AF_INET, host, &in.sin_addr) == 1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert(bind(fd, (struct sockaddr *)&in, sizeof(in)) == 0,
	    "bind %s:%u: %s", host, port, strerror(errno));
	cr_assert(listen(fd, 16) == 0);
	return fd;
}

/* Does the listener hold a connection waiting to be accepted? */
static int
has_pending(int listener)
{
	struct pollfd p = { .fd = listener, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}


/* 1. Diagnostics go nowhere but a real stderr. */

Test(stderr, a_client_connection_on_fd_2_gets_no_byte)
{
	struct proc p;
	char buf[256];
	int listener = listen_on("127.0.0.1", 20790), client;
	ssize_t n;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=740:20740",
	    "PORTREMAP_LOG=2"), ARGV(staged("probe"), "tcp4",
	    "connect=127.0.0.1:20790", "ontostderr", "tcp4",
	    "bind=127.0.0.1:740", "listen", "name"));
	expect_out(&p, "name port=740 len=16 family=2");
	cr_assert((client = accept(listener, NULL, NULL)) >= 0);
	n = read(client, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	cr_assert_eq(n, 0, "the client received \"%s\"", buf);
	close(client);
	close(listener);
}

Test(stderr, the_socket_being_bound_as_fd_2_kills_nothing)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=741:20741"),
	    ARGV(staged("probe"), "closestderr", "tcp4", "fd",
	    "bind=127.0.0.1:741", "name"));
	expect_out(&p, "fd=2");
	expect_out(&p, "name port=741 len=16 family=2");
	cr_assert_eq(p.status, 0, "status %d (141: SIGPIPE)", p.status);
}

Test(stderr, a_pipe_with_no_reader_as_fd_2_raises_no_sigpipe)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=742:20742"),
	    ARGV(staged("probe"), "brokenpipestderr", "tcp4",
	    "bind=127.0.0.1:742", "name"));
	expect_out(&p, "name port=742 len=16 family=2");
	cr_assert_eq(p.status, 0, "status %d (141: SIGPIPE)", p.status);
}

Test(stderr, an_af_unix_stream_still_gets_the_lines)
{
	struct proc p;
	char want[256];

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=743:20743"),
	    ARGV(staged("probe"), "unixstderr", "tcp4", "bind=127.0.0.1:743",
	    "readstderr"));
	snprintf(want, sizeof(want), "stderr got: portremap[%d]: bind "
	    "127.0.0.1:743 -> 127.0.0.1:20743 (uid %u lacks "
	    "CAP_NET_BIND_SERVICE)", (int)p.pid, unprivileged_uid());
	expect_out(&p, want);
}

Test(stderr, control_characters_in_a_setting_stay_on_one_line)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MODE=auto\nrm\r\x1b[2J"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:20749"));
	expect_stderr_is(&p, "portremap: PORTREMAP_MODE: \"auto\\nrm\\r\\x1b"
	    "[2J\": expected auto, always, fallback or off\n");
}

Test(stderr, a_trailing_newline_is_a_blank)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=744:20744\n",
	    "PORTREMAP_MODE=auto\n", "PORTREMAP_LOG=1\r\n"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:744", "kname"));
	expect_out(&p, "kname port=20744");
	expect_remap_logged(&p, "127.0.0.1:744", "127.0.0.1:20744");
}

/* 2. Initialised at load: no loader, allocator or environment work later. */

Test(init, a_thread_binds_while_dlopen_runs_a_constructor_that_waits_for_it)
{
	struct proc p;
	char spec[600];

	snprintf(spec, sizeof(spec), "dlopenwait=%s,127.0.0.1:20745",
	    staged("libbindlater.so"));
	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=745:20745"),
	    ARGV(staged("probe"), "tcp4", spec));
	expect_out(&p, "ctor waited: done");
	expect_out(&p, "bind ret=0 errno=4242");
}

Test(init, a_pending_dlerror_outlives_the_first_bind)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=746:20746"),
	    ARGV(staged("probe"), "tcp4", "dlerror=127.0.0.1:20846"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "dlerror kept");
}

Test(init, the_settings_outlive_clearenv)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=747:20747",
	    "PORTREMAP_LOG=2"), ARGV(staged("probe"), "tcp4", "clearenv",
	    "bind=127.0.0.1:747", "kname", "name"));
	expect_out(&p, "kname port=20747");
	expect_out(&p, "name port=747 len=16 family=2");
	cr_assert(strstr(p.errbuf, ": port 20747 reported as 747\n") != NULL,
	    "PORTREMAP_LOG=2 was lost:\n%s", p.errbuf);
}

/*
 * Eight threads make the process's first calls at once, remapped; then the
 * process binds each target directly elsewhere. Every racer must still
 * report its source. A range map makes the old first-use window wide.
 */
Test(init, threads_racing_the_first_binds_keep_their_answers)
{
	for (int run = 0; run < 3; run++) {
		struct proc p;

		proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=1-1023:+20000",
		    "PORTREMAP_LOG=0"), ARGV(staged("probe"),
		    "threadrace=8,748,20748"));
		for (unsigned i = 0; i < 8; i++) {
			char want[64];

			snprintf(want, sizeof(want), "racer%u port=%u len=16 "
			    "family=2", i, 748 + i);
			expect_out(&p, want);
		}
	}
}

Test(init, nothing_is_printed_at_load)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=bogus"),
	    ARGV("/bin/true"));
	cr_assert_eq(p.status, 0);
	expect_stderr_is(&p, "");
}

/* 3. getsockname() right for every socket. */

Test(getsockname, both_kinds_on_one_target_across_exec)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=756:20756",
	    "PORTREMAP_LOG=0"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:756", "listen", "tcp4", "bind=127.0.0.2:20756",
	    "listen", "reexec=name"));
	expect_out(&p, "name port=756 len=16 family=2");
	expect_out(&p, "name port=20756 len=16 family=2");
}

/* 4. auto agrees with the kernel. */

Test(kernel, root_in_a_user_namespace_without_the_network_namespace)
{
	struct proc p;

	require_root();
	proc_run(&p, ROOT, ENV("PORTREMAP_MAP=757:20757"), ARGV("unshare",
	    "--user", "--map-root-user", staged("probe"), "tcp4",
	    "bind=127.0.0.1:757", "kname", "name"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "kname port=20757");
	expect_out(&p, "name port=757 len=16 family=2");
	expect_err(&p, "bind 127.0.0.1:757 -> 127.0.0.1:20757 (uid 0 lacks "
	    "CAP_NET_BIND_SERVICE in this network namespace)");
}

Test(kernel, each_thread_is_answered_for_itself)
{
	struct proc p;

	require_root();
	proc_run(&p, ROOT, ENV("PORTREMAP_MAP=758:20758,759:20759"),
	    ARGV(staged("probe"), "dropthread=127.0.0.1:758", "tcp4",
	    "bind=127.0.0.1:759", "kname"));
	expect_out(&p, "thread capset ret=0");
	expect_out(&p, "kname port=20758");
	expect_out(&p, "kname port=759");
	cr_assert(strstr(p.errbuf, "127.0.0.1:759 ->") == NULL, "%s",
	    p.errbuf);
}

Test(kernel, a_capability_regained_in_a_new_user_namespace)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=760:20760,80:20761"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:760", "userns",
	    "tcp4", "bind=127.0.0.1:80", "listen", "kname", "selfcheck=80"));
	if (strstr(p.outbuf, "userns errno=") != NULL)
		cr_skip_test("unprivileged user namespaces are disabled here");
	expect_out(&p, "userns ret=0");
	expect_out(&p, "kname port=80");
	expect_out(&p, "selfcheck 80 ret=0 errno=0");
}

static const char *const ports_from_0[] = {
	"net/ipv4/ip_unprivileged_port_start=0", NULL
};

/* The .NET 8 image contract: 8080, whatever the runtime's sysctl. */
Test(kernel, auto_moves_80_where_every_port_is_unprivileged)
{
	struct proc p;

	proc_start_netns(&p, UNPRIVILEGED, ports_from_0,
	    ENV("PORTREMAP_MAP=80:20762"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:80", "kname", "name"));
	proc_finish(&p);
	expect_out(&p, "kname port=20762");
	expect_out(&p, "name port=80 len=16 family=2");
	expect_remap_logged(&p, "127.0.0.1:80", "127.0.0.1:20762");
}

Test(kernel, fallback_keeps_80_where_every_port_is_unprivileged)
{
	struct proc p;

	proc_start_netns(&p, UNPRIVILEGED, ports_from_0,
	    ENV("PORTREMAP_MAP=80:20787", "PORTREMAP_MODE=fallback"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:80", "kname"));
	proc_finish(&p);
	expect_out(&p, "kname port=80");
	expect_stderr_is(&p, "");
}

Test(kernel, a_target_the_namespace_refuses_is_said_at_level_1)
{
	static const char *const ports_from_30000[] = {
		"net/ipv4/ip_unprivileged_port_start=30000", NULL
	};
	struct proc p;

	proc_start_netns(&p, UNPRIVILEGED, ports_from_30000,
	    ENV("PORTREMAP_MAP=763:20763"), ARGV(staged("probe"), "tcp4",
	    "bind=127.0.0.1:763"));
	proc_finish(&p);
	expect_out(&p, "bind ret=-1 errno=13");
	expect_err(&p, "bind 127.0.0.1:763 -> 127.0.0.1:20763 failed: the "
	    "kernel refuses port 20763 too (EACCES: ip_unprivileged_port_start "
	    "is above it in this network namespace); map port 763 below that");
}

Test(kernel, an_unavailable_address_is_said_at_level_1)
{
	struct proc p;

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=764:20764"),
	    ARGV(staged("probe"), "tcp4", "bind=192.0.2.1:764"));
	expect_out(&p, "bind ret=-1 errno=99");
	expect_err(&p, "bind 192.0.2.1:764 -> 192.0.2.1:20764 failed: the "
	    "address is not available (EADDRNOTAVAIL)");
}

/* 5. Only TCP and UDP. */

Test(protocols, an_icmp_echo_socket_keeps_its_identifier)
{
	static const char *const ping_for_all[] = {
		"net/ipv4/ping_group_range=0 2147483647", NULL
	};
	struct proc p;

	proc_start_netns(&p, UNPRIVILEGED, ping_for_all,
	    ENV("PORTREMAP_MAP=765:20765", "PORTREMAP_LOG=2"),
	    ARGV(staged("probe"), "icmp4", "bind=127.0.0.1:765", "kname",
	    "name"));
	proc_finish(&p);
	expect_out(&p, "bind ret=0 errno=4242");
	expect_out(&p, "kname port=765");
	expect_out(&p, "name port=765 len=16 family=2");
	expect_stderr_is(&p, "");
}

Test(protocols, a_raw_socket_is_left_alone)
{
	struct proc p;

	require_root();
	proc_run(&p, ROOT, ENV("PORTREMAP_MAP=766:20766",
	    "PORTREMAP_MODE=always", "PORTREMAP_LOG=2"), ARGV(staged("probe"),
	    "raw4", "bind=127.0.0.1:766"));
	expect_out(&p, "bind ret=0 errno=4242");
	expect_stderr_is(&p, "");
}

/* 6. PORTREMAP_CONNECT=loopback edges. */

/* Each kind of socket has ports of its own: the tests run in parallel. */
static void
never_bypassed(const char *kind, unsigned port)
{
	char map[64], to[64], peer[32];
	struct proc p;
	int real, impostor;

	require_root();
	real = listen_on("127.0.0.1", port);
	impostor = listen_on("127.0.0.1", 20000 + port);
	snprintf(map, sizeof(map), "PORTREMAP_MAP=%u:%u", port, 20000 + port);
	snprintf(to, sizeof(to), "connect=127.0.0.1:%u", port);
	snprintf(peer, sizeof(peer), "peer port=%u", port);
	proc_run(&p, ROOT, ENV(map, "PORTREMAP_CONNECT=loopback"),
	    ARGV(staged("probe"), kind, to, "peer"));
	expect_out(&p, peer);
	cr_assert(has_pending(real), "the real listener got no connection");
	cr_assert(!has_pending(impostor), "the connection went to the target");
	close(real);
	close(impostor);
}

Test(connect, a_listener_on_the_source_is_never_bypassed)
{
	never_bypassed("tcp4", 767);
}

Test(connect, a_listener_on_the_source_is_never_bypassed_non_blocking)
{
	never_bypassed("tcp4nb", 770);
}

Test(connect, remapped_and_direct_connections_each_report_their_port)
{
	struct proc p;
	int server = listen_on("127.0.0.1", 20768);

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=768:20768",
	    "PORTREMAP_CONNECT=loopback"), ARGV(staged("probe"), "tcp4",
	    "connect=127.0.0.1:768", "tcp4", "connect=127.0.0.1:20768",
	    "peers", "reexec=peer"));
	close(server);
	expect_out(&p, "peers port=768");
	expect_out(&p, "peers port=20768");
	expect_out(&p, "peer port=768");
	expect_out(&p, "peer port=20768");
}

/* 7. Collision lines that stay true. */

Test(collisions, a_closed_remap_is_not_blamed_as_the_holder)
{
	struct proc p;
	int holder = listen_on("127.0.0.2", 20769);

	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=769:20769"),
	    ARGV(staged("probe"), "tcp4", "bind=127.0.0.1:769", "close",
	    "tcp4", "bind=127.0.0.2:20769"));
	close(holder);
	expect_out(&p, "bind ret=-1 errno=98");
	expect_err(&p, "bind 127.0.0.2:20769 failed: port 20769 is already in "
	    "use; this process remapped port 769 onto it before "
	    "(PORTREMAP_MAP), and if it still holds that socket, listen on "
	    "only one of 769 and 20769, or map 769 elsewhere");
}
