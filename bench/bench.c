/*
 * Workloads for `make bench`, run with and without the library:
 *
 *	bench count WORKLOAD N	do N operations (for callgrind and strace)
 *	bench time WORKLOAD [N]	print nanoseconds per operation
 *	bench conns SECONDS	print connections per second, accept and close
 *	bench http PORT SECONDS [CLIENTS]
 *				print HTTP requests per second to a server,
 *				from CLIENTS processes at once (1)
 *	bench notified [N]	print nanoseconds per getsockname() under a
 *				seccomp supervisor that only lets it go on
 *	bench notified -- PROGRAM [ARG...]
 *				run PROGRAM under that supervisor
 *
 * Workloads: getsockname-remapped, getsockname-plain, accept, bind,
 * connect-plain (to 8080) and connect-remapped (to 80, which
 * PORTREMAP_CONNECT=loopback sends to 8080; to 8080 without it).
 * Ports: 80 (remapped to 8080 by the default map) and ephemeral ones.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"
#include "loopback.h"

#define BENCH_PORT	80

static int
tcp_socket(void)
{
	int fd = reusable_tcp_socket();

	if (fd < 0) {
		perror("bench: socket");
		exit(1);
	}
	return fd;
}

/* A client that resets on close, so that no port waits in TIME_WAIT. */
static int
client_socket(void)
{
	struct linger reset = { 1, 0 };
	int fd = tcp_socket();

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	return fd;
}

/*
 * A listener on port 80: remapped under the library. Without it, an
 * unprivileged run cannot have port 80, so the baseline listens on the
 * port the library would have chosen, and the kernel does the same work.
 */
static int
listener(unsigned port)
{
	int fd;

	if ((fd = loopback_listener(port, 128)) < 0 &&
	    (fd = loopback_listener(8080, 128)) < 0) {
		perror("bench: bind/listen");
		exit(1);
	}
	return fd;
}

static unsigned
connect_port(int listening)
{
	struct sockaddr_in in;
	socklen_t len = sizeof(in);

	/* The true port: ask the kernel, past any preloaded getsockname. */
	if (getsockname(listening, (struct sockaddr *)&in, &len) != 0)
		exit(1);
	return ntohs(in.sin_port) == BENCH_PORT ? 8080 : ntohs(in.sin_port);
}

static volatile unsigned sink;

/* n connections to `to`, each accepted (and asked its name) and closed. */
static void
connect_accept(int listening, struct sockaddr_in to, long n, int ask_name)
{
	struct sockaddr_in name;
	socklen_t len;

	for (long i = 0; i < n; i++) {
		int client = client_socket(), conn;

		if (connect(client, (struct sockaddr *)&to, sizeof(to)) != 0) {
			perror("bench: connect");
			exit(1);
		}
		conn = accept4(listening, NULL, NULL, SOCK_CLOEXEC);
		if (ask_name) {
			len = sizeof(name);
			getsockname(conn, (struct sockaddr *)&name, &len);
			sink += name.sin_port;
		}
		close(client);
		close(conn);
	}
}

static void
run(const char *workload, long n)
{
	struct sockaddr_in name;
	socklen_t len;

	if (strcmp(workload, "getsockname-remapped") == 0 ||
	    strcmp(workload, "getsockname-plain") == 0) {
		int fd = listener(workload[12] == 'r' ? BENCH_PORT : 0);

		for (long i = 0; i < n; i++) {
			len = sizeof(name);
			getsockname(fd, (struct sockaddr *)&name, &len);
			sink += name.sin_port;
		}
		close(fd);
	} else if (strcmp(workload, "accept") == 0) {
		int fd = listener(BENCH_PORT);

		connect_accept(fd, loopback(connect_port(fd)), n, 1);
		close(fd);
	} else if (strncmp(workload, "connect-", 8) == 0) {
		int fd = listener(BENCH_PORT);
		const char *mode = getenv("PORTREMAP_CONNECT");

		connect_accept(fd, loopback(strcmp(workload, "connect-remapped") ==
		    0 && mode != NULL && strcmp(mode, "loopback") == 0 ?
		    BENCH_PORT : connect_port(fd)), n, 0);
		close(fd);
	} else if (strcmp(workload, "bind") == 0) {
		struct sockaddr_in in = loopback(BENCH_PORT);

		for (long i = 0; i < n; i++) {
			int fd = tcp_socket();

			sink += (unsigned)bind(fd, (struct sockaddr *)&in,
			    sizeof(in));
			close(fd);
		}
	} else {
		fprintf(stderr, "bench: unknown workload %s\n", workload);
		exit(2);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Nanoseconds per operation: the best of five runs of n (0: a default). */
static void
time_workload(const char *workload, long n)
{
	if (n <= 0)
		n = strcmp(workload, "accept") == 0 ||
		    strncmp(workload, "connect-", 8) == 0 ? 3000 :
		    strcmp(workload, "bind") == 0 ? 20000 : 300000;
	double best = 0;

	for (int round = 0; round < 5; round++) {
		double start = now(), ns;

		run(workload, n);
		ns = (now() - start) / (double)n;
		if (round == 0 || ns < best)
			best = ns;
	}
	printf("%.1f\n", best);
}

/*
 * Connections accepted and closed per second, from a forked client that
 * connects again as soon as the server has closed the last one.
 */
static void
connections(double seconds)
{
	int fd = listener(BENCH_PORT);
	struct sockaddr_in to = loopback(connect_port(fd));
	long accepted = 0;
	double start, stop;
	pid_t client;

	if ((client = fork()) == 0) {
		close(fd);
		for (;;) {
			int c = client_socket();
			char byte;

			if (connect(c, (struct sockaddr *)&to, sizeof(to)) != 0)
				_exit(0);
			/* One connection at a time: wait for the server's close. */
			if (read(c, &byte, 1) < 0)
				_exit(0);
			close(c);
		}
	}
	start = now();
	stop = start + seconds * 1e9;
	while (now() < stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int conn;

		if (poll(&p, 1, 100) != 1)
			continue;
		conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		struct sockaddr_in name;
		socklen_t len = sizeof(name);

		if (conn < 0)
			continue;
		getsockname(conn, (struct sockaddr *)&name, &len);
		close(conn);
		accepted++;
	}
	stop = now();
	kill(client, SIGKILL);
	waitpid(client, NULL, 0);
	close(fd);
	printf("%.0f\n", (double)accepted * 1e9 / (stop - start));
}

/*
 * HTTP/1.0 requests (the server closes each connection) to 127.0.0.1:port
 * for the given seconds, one connection each, as fast as they are
 * answered: how many were.
 */
static long
http_requests(unsigned port, double seconds)
{
	struct sockaddr_in to = loopback(port);
	double start = now();
	long done = 0;

	while (now() - start < seconds * 1e9) {
		static const char request[] = "GET / HTTP/1.0\r\n\r\n";
		char reply[512];
		int c = client_socket();

		if (connect(c, (struct sockaddr *)&to, sizeof(to)) != 0 ||
		    write(c, request, sizeof(request) - 1) !=
		    (ssize_t)sizeof(request) - 1) {
			perror("bench: http");
			exit(1);
		}
		while (read(c, reply, sizeof(reply)) > 0)
			;
		close(c);
		done++;
	}
	return done;
}

/*
 * Requests per second from clients processes at once, each counting its
 * own: a server's concurrent rate, where a supervisor answering one call
 * at a time would show.
 */
static void
http_rate(unsigned port, double seconds, int clients)
{
	double start = now();
	long total = 0, done;
	int pipes[2], status;

	if (pipe(pipes) != 0) {
		perror("bench: pipe");
		exit(1);
	}
	for (int i = 0; i < clients; i++) {
		switch (fork()) {
		case -1:
			perror("bench: fork");
			exit(1);
		case 0:
			done = http_requests(port, seconds);
			_exit(write(pipes[1], &done, sizeof(done)) ==
			    (ssize_t)sizeof(done) ? 0 : 1);
		}
	}
	close(pipes[1]);
	while (read(pipes[0], &done, sizeof(done)) == (ssize_t)sizeof(done))
		total += done;
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			exit(1);
	printf("%.0f\n", total / ((now() - start) / 1e9));
}

/* Let every notified call go on, as fast as the kernel hands them over. */
static void
let_go_on(int listener)
{
	struct seccomp_notif_sizes sizes;
	union {
		struct seccomp_notif n;
		char room[512];
	} got;
	union {
		struct seccomp_notif_resp r;
		char room[512];
	} answer;
	struct pollfd p = { .fd = listener, .events = POLLIN };

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0 ||
	    sizes.seccomp_notif > sizeof(got) ||
	    sizes.seccomp_notif_resp > sizeof(answer))
		_exit(1);
	(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
	    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	while (poll(&p, 1, -1) >= 0 || errno == EINTR) {
		if (p.revents & (POLLHUP | POLLERR))
			_exit(0);	/* no process is left under the filter */
		if (!(p.revents & POLLIN))
			continue;
		memset(&got, 0, sizeof(got));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &got.n) != 0)
			continue;
		memset(&answer, 0, sizeof(answer));
		answer.r.id = got.n.id;
		answer.r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &answer.r);
	}
	_exit(1);
}

/* Once no supervisor listens, a notified call fails at once (ENOSYS). */
static int
answered(void)
{
	struct sockaddr_in name;
	socklen_t len = sizeof(name);
	int fd = tcp_socket(), ok;

	ok = getsockname(fd, (struct sockaddr *)&name, &len) == 0;
	if (!ok)
		perror("bench: notified getsockname");
	close(fd);
	return ok;
}

/*
 * Put this process under a seccomp filter that sends its getsockname()
 * calls to a supervisor, woken as portremap's is, that lets them go on at
 * once: the kernel's round trip, and nothing of portremap's work.
 */
static pid_t
notify_getsockname(void)
{
	struct sock_filter only_getsockname[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 0 },	/* nr */
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, SYS_getsockname },
		{ BPF_RET, 0, 0, SECCOMP_RET_USER_NOTIF },
		{ BPF_RET, 0, 0, SECCOMP_RET_ALLOW },
	};
	struct sock_fprog prog = { 4, only_getsockname };
	pid_t supervisor;
	int listener;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    (listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER |
	    SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog)) < 0) {
		perror("bench: seccomp");
		_exit(1);
	}
	if ((supervisor = fork()) == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		let_go_on(listener);
	}
	close(listener);
	if (supervisor < 0 || !answered())
		_exit(1);
	return supervisor;
}

/*
 * The kernel's share of a supervised getsockname(): what portremap's
 * supervisor adds is the difference. A child measures, so that this
 * process keeps no filter.
 */
static void
notified(long n)
{
	pid_t measured, supervisor;
	int status;

	if (n <= 0)
		n = 100000;
	if ((measured = fork()) != 0) {
		if (measured < 0 || waitpid(measured, &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench: notified: no measure\n");
			exit(1);
		}
		return;
	}
	supervisor = notify_getsockname();
	time_workload("getsockname-plain", n);
	fflush(stdout);
	kill(supervisor, SIGKILL);
	waitpid(supervisor, NULL, 0);
	_exit(0);
}

/* The same round trip under a whole program: a server's floor. */
static void
notified_exec(char **argv)
{
	(void)notify_getsockname();	/* killed as its parent thread ends */
	execvp(argv[0], argv);
	fprintf(stderr, "bench: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "count") == 0)
		run(argv[2], atol(argv[3]));
	else if ((argc == 3 || argc == 4) && strcmp(argv[1], "time") == 0)
		time_workload(argv[2], argc == 4 ? atol(argv[3]) : 0);
	else if (argc > 3 && strcmp(argv[1], "notified") == 0 &&
	    strcmp(argv[2], "--") == 0)
		notified_exec(argv + 3);
	else if ((argc == 2 || argc == 3) && strcmp(argv[1], "notified") == 0)
		notified(argc == 3 ? atol(argv[2]) : 0);
	else if (argc == 3 && strcmp(argv[1], "conns") == 0)
		connections(atof(argv[2]));
	else if ((argc == 4 || argc == 5) && strcmp(argv[1], "http") == 0)
		http_rate((unsigned)atoi(argv[2]), atof(argv[3]),
		    argc == 5 ? atoi(argv[4]) : 1);
	else {
		fprintf(stderr, "usage: bench count WORKLOAD N | time WORKLOAD "
		    "[N] | notified [N] | notified -- PROGRAM [ARG...] |\n"
		    "       conns SECONDS | http PORT SECONDS [CLIENTS]\n");
		return 2;
	}
	return 0;
}
