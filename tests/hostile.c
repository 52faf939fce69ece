/*
 * The probe's steps for odd but real process shapes, where interposers
 * break: stderr closed or reused by a socket, threads and the dynamic
 * loader, sanitised environments, per-thread capabilities, namespaces,
 * sockets carried across exec.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

#define CAP_VERSION_3		0x20080522
#define CAP_NET_BIND_SERVICE	10

static int stderr_reader = -1;

/* The port the kernel holds, asked without the library. */
static void
step_kname(const char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	(void)arg;
	if (syscall(SYS_getsockname, current, (struct sockaddr *)&ss, &len) != 0)
		printf("kname errno=%d\n", errno);
	else
		printf("kname port=%u\n",
		    ntohs(((struct sockaddr_in *)&ss)->sin_port));
}

/* A daemon that closed stderr: the next socket may become fd 2. */
static void
step_closestderr(const char *arg)
{
	(void)arg;
	close(STDERR_FILENO);
}

/* An inetd-style server: a client's connection becomes fd 2. */
static void
step_ontostderr(const char *arg)
{
	(void)arg;
	dup2(current, STDERR_FILENO);
}

/* stderr as an AF_UNIX stream, as systemd's journal gives services. */
static void
step_unixstderr(const char *arg)
{
	int sv[2];

	(void)arg;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		exit(2);
	dup2(sv[0], STDERR_FILENO);
	close(sv[0]);
	stderr_reader = sv[1];
}

static void
step_readstderr(const char *arg)
{
	char buf[1024];
	ssize_t n;

	(void)arg;
	fcntl(stderr_reader, F_SETFL, O_NONBLOCK);
	n = read(stderr_reader, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("stderr got: %s", n > 0 ? buf : "nothing\n");
}

/* stderr a pipe whose reader is gone: a write raises SIGPIPE. */
static void
step_brokenpipestderr(const char *arg)
{
	int p[2];

	(void)arg;
	if (pipe(p) != 0)
		exit(2);
	dup2(p[1], STDERR_FILENO);
	close(p[0]);
	close(p[1]);
}

/* A pending dlerror() message must outlive the first bind. */
static void
step_dlerror(const char *spec)
{
	if (dlopen("/nonexistent/libportremap-probe.so", RTLD_NOW) != NULL)
		exit(2);
	do_bind(spec);
	printf("dlerror %s\n", dlerror() != NULL ? "kept" : "lost");
}

static void
step_clearenv(const char *arg)
{
	(void)arg;
	printf("clearenv ret=%d\n", clearenv());
}

struct racer {
	pthread_barrier_t	*start;
	unsigned		 port;
	int			 fd;
};

static void *
race_bind(void *arg)
{
	struct racer *r = arg;
	struct sockaddr_in in = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)r->port) };
	int one = 1;

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	pthread_barrier_wait(r->start);
	if (bind(r->fd, (struct sockaddr *)&in, sizeof(in)) != 0)
		printf("race bind errno=%d\n", errno);
	return NULL;
}

/*
 * "threadrace=N,SOURCE,TARGET": N threads bind SOURCE+i at once, as the
 * process's first calls; then a socket of the process's own binds each
 * TARGET+i directly on 127.0.0.2; each racer must still report its source.
 */
static void
step_threadrace(const char *arg)
{
	struct racer racers[16];
	pthread_t threads[16];
	pthread_barrier_t start;
	unsigned n, source, target;

	if (sscanf(arg, "%u,%u,%u", &n, &source, &target) != 3 || n > 16)
		exit(2);
	pthread_barrier_init(&start, NULL, n);
	for (unsigned i = 0; i < n; i++) {
		racers[i].start = &start;
		racers[i].port = source + i;
		pthread_create(&threads[i], NULL, race_bind, &racers[i]);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	for (unsigned i = 0; i < n; i++) {
		char spec[64];

		make_socket(AF_INET, SOCK_STREAM, 0, 0);
		snprintf(spec, sizeof(spec), "127.0.0.2:%u", target + i);
		do_bind(spec);
	}
	for (unsigned i = 0; i < n; i++) {
		char what[32];

		snprintf(what, sizeof(what), "racer%u", i);
		print_name(what, racers[i].fd);
	}
}

struct waiter {
	int		 go;
	int		 done;
	const char	*spec;
};

static void *
bind_when_told(void *arg)
{
	struct waiter *w = arg;
	char byte;

	if (read(w->go, &byte, 1) != 1)
		return NULL;
	do_bind(w->spec);
	if (write(w->done, "x", 1) != 1)
		printf("done errno=%d\n", errno);
	return NULL;
}

/*
 * "dlopenwait=LIB,EP": a thread's first bind runs while the main thread is
 * inside dlopen(LIB), whose constructor waits for that bind (bindlater.c).
 */
static void
step_dlopenwait(const char *arg)
{
	static struct waiter w;
	char path[512], number[16];
	const char *comma = strchr(arg, ',');
	int go[2], done[2];
	pthread_t thread;

	if (comma == NULL || pipe(go) != 0 || pipe(done) != 0)
		exit(2);
	snprintf(path, sizeof(path), "%.*s", (int)(comma - arg), arg);
	w.go = go[0];
	w.done = done[1];
	w.spec = comma + 1;
	snprintf(number, sizeof(number), "%d", go[1]);
	setenv("BINDLATER_GO_FD", number, 1);
	snprintf(number, sizeof(number), "%d", done[0]);
	setenv("BINDLATER_DONE_FD", number, 1);
	pthread_create(&thread, NULL, bind_when_told, &w);
	if (dlopen(path, RTLD_NOW) == NULL)
		printf("dlopen failed: %s\n", dlerror());
	pthread_join(thread, NULL);
}

/* "reexec=STEP": run the probe again with "adopt=FD STEP" for each socket. */
static void
step_reexec(const char *arg)
{
	static char adopt[MADE_MAX][24];
	const char *argv[2 * MADE_MAX + 2];
	char self[4096];
	ssize_t n;
	int i, k = 0;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		exit(2);
	self[n] = '\0';
	argv[k++] = self;
	for (i = 0; i < made_count; i++) {
		snprintf(adopt[i], sizeof(adopt[i]), "adopt=%d", made[i]);
		argv[k++] = adopt[i];
		argv[k++] = arg;
	}
	argv[k] = NULL;
	fflush(stdout);
	execv(self, (char *const *)argv);
	printf("exec errno=%d\n", errno);
}

static void
print_peer(const char *what, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		printf("%s ret=-1 errno=%d\n", what, errno);
	else
		printf("%s port=%u\n", what,
		    ntohs(((struct sockaddr_in *)&ss)->sin_port));
}

static void
step_peer(const char *arg)
{
	(void)arg;
	print_peer("peer", current);
}

static void
step_names(const char *arg)
{
	(void)arg;
	for (int i = 0; i < made_count; i++)
		print_name("names", made[i]);
}

static void
step_peers(const char *arg)
{
	(void)arg;
	for (int i = 0; i < made_count; i++)
		print_peer("peers", made[i]);
}

/* connect the current socket; a non-blocking one is waited for. */
static void
step_connect(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int ret, err, so_error = 0;

	if (parse_endpoint(spec, &ss, &len) != 0)
		exit(2);
	errno = 4242;
	ret = connect(current, (struct sockaddr *)&ss, len);
	err = errno;
	if (ret != 0 && err == EINPROGRESS) {
		struct pollfd p = { .fd = current, .events = POLLOUT };
		socklen_t optlen = sizeof(so_error);

		poll(&p, 1, WAIT_MS);
		getsockopt(current, SOL_SOCKET, SO_ERROR, &so_error, &optlen);
		printf("connect ret=-1 errno=%d then=%d\n", err, so_error);
		return;
	}
	printf("connect ret=%d errno=%d\n", ret, err);
}

static void
step_read(const char *arg)
{
	char buf[128];
	ssize_t n;

	(void)arg;
	if (wait_readable(current) != 0) {
		printf("read timeout\n");
		return;
	}
	n = read(current, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("read %s", n > 0 ? buf : "nothing\n");
}

struct cap_header {
	uint32_t	version;
	int		pid;
};

struct cap_data {
	uint32_t	effective;
	uint32_t	permitted;
	uint32_t	inheritable;
};

static void *
drop_and_bind(void *arg)
{
	struct cap_header header = { CAP_VERSION_3, 0 };
	struct cap_data data[2];
	uint32_t bit = UINT32_C(1) << CAP_NET_BIND_SERVICE;

	/* capset() acts on the calling thread alone. */
	if (syscall(SYS_capget, &header, data) != 0)
		exit(2);
	data[0].effective &= ~bit;
	data[0].permitted &= ~bit;
	printf("thread capset ret=%ld\n", syscall(SYS_capset, &header, data));
	make_socket(AF_INET, SOCK_STREAM, 0, 0);
	do_bind(arg);
	step_kname(NULL);
	return NULL;
}

/* "dropthread=EP": a thread drops CAP_NET_BIND_SERVICE for itself, binds. */
static void
step_dropthread(const char *spec)
{
	pthread_t thread;

	pthread_create(&thread, NULL, drop_and_bind, (void *)spec);
	pthread_join(thread, NULL);
}

/* A user namespace and a network namespace of its own, loopback up. */
static void
step_userns(const char *arg)
{
	struct ifreq ifr;
	int fd;

	(void)arg;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) {
		printf("userns errno=%d\n", errno);
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ifr.ifr_flags = IFF_UP;
	printf("userns ret=%d\n", ioctl(fd, SIOCSIFFLAGS, &ifr));
	close(fd);
}

/* "selfcheck=PORT": is anything listening on 127.0.0.1:PORT here? */
static void
step_selfcheck(const char *arg)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)atoi(arg)) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ret;

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ret = (int)syscall(SYS_connect, fd, (struct sockaddr *)&in, sizeof(in));
	printf("selfcheck %s ret=%d errno=%d\n", arg, ret, ret == 0 ? 0 : errno);
	close(fd);
}

const struct step hostile_steps[] = {
	{ "kname", step_kname },
	{ "closestderr", step_closestderr },
	{ "ontostderr", step_ontostderr },
	{ "unixstderr", step_unixstderr },
	{ "readstderr", step_readstderr },
	{ "brokenpipestderr", step_brokenpipestderr },
	{ "dlerror=", step_dlerror },
	{ "clearenv", step_clearenv },
	{ "threadrace=", step_threadrace },
	{ "dlopenwait=", step_dlopenwait },
	{ "reexec=", step_reexec },
	{ "peer", step_peer },
	{ "names", step_names },
	{ "peers", step_peers },
	{ "connect=", step_connect },
	{ "read", step_read },
	{ "dropthread=", step_dropthread },
	{ "userns", step_userns },
	{ "selfcheck=", step_selfcheck },
	{ NULL, NULL },
};
