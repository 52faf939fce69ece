/*
 * The probe's steps for what a supervisor meets: signals arriving while a
 * call waits for its answer, programs that leave its reach (not dumpable,
 * another user namespace), and 32-bit system calls.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

#define STORM_CALLS	3000
#define STORM_CONNECTS	2000
#define STORM_PERIOD_US	200

static volatile sig_atomic_t signals;

static void
count_signal(int sig)
{
	(void)sig;
	signals++;
}

/* SIGALRM every STORM_PERIOD_US, with or without SA_RESTART. */
static void
storm_start(int restart)
{
	struct sigaction sa;
	struct itimerval every = { { 0, STORM_PERIOD_US },
	    { 0, STORM_PERIOD_US } };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_signal;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &every, NULL);
}

static void
storm_stop(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_IGN);
}

static int
fresh_socket(int family)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return fd;
}

/*
 * Bind a mapped port again and again under the storm. A bind interrupted
 * without SA_RESTART (EINTR) is retried, as programs do; any other failure
 * counts.
 */
static void
bind_storm(const char *spec, int restart)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int failed = 0, interrupted = 0, first = 0;

	if (parse_endpoint(spec, &ss, &len) != 0)
		exit(2);
	storm_start(restart);
	for (int i = 0; i < STORM_CALLS; i++) {
		int fd = fresh_socket(ss.ss_family), ret;

		while ((ret = bind(fd, (struct sockaddr *)&ss, len)) != 0 &&
		    errno == EINTR)
			interrupted++;
		if (ret != 0 && failed++ == 0)
			first = errno;
		close(fd);
	}
	storm_stop();
	printf("bindstorm binds=%d failed=%d first_errno=%d interrupted=%d "
	    "signals=%d\n", STORM_CALLS, failed, first, interrupted,
	    (int)signals);
}

static void
step_bindstorm(const char *spec)
{
	bind_storm(spec, 1);
}

static void
step_bindstormintr(const char *spec)
{
	bind_storm(spec, 0);
}

/*
 * "connectstorm=SOURCE/TARGET": listen on TARGET, then connect to SOURCE
 * (nothing listens there: --connect loopback sends it to TARGET) again and
 * again under the storm, each connection accepted and closed.
 */
static void
step_connectstorm(const char *arg)
{
	struct sockaddr_storage source, target;
	socklen_t slen, tlen;
	char spec[128];
	const char *slash = strchr(arg, '/');
	int listener, failed = 0, first = 0;

	if (slash == NULL)
		exit(2);
	snprintf(spec, sizeof(spec), "%.*s", (int)(slash - arg), arg);
	if (parse_endpoint(spec, &source, &slen) != 0 ||
	    parse_endpoint(slash + 1, &target, &tlen) != 0)
		exit(2);
	listener = fresh_socket(target.ss_family);
	if (bind(listener, (struct sockaddr *)&target, tlen) != 0 ||
	    listen(listener, 64) != 0) {
		printf("connectstorm listen errno=%d\n", errno);
		return;
	}
	storm_start(1);
	for (int i = 0; i < STORM_CONNECTS; i++) {
		int fd = socket(source.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ret = connect(fd, (struct sockaddr *)&source, slen), peer;

		if (ret != 0 && failed++ == 0)
			first = errno;
		/* The client closes first: TIME_WAIT stays on its side. */
		peer = ret == 0 && wait_readable(listener) == 0 ?
		    accept(listener, NULL, NULL) : -1;
		if (ret == 0 && peer < 0 && failed++ == 0)
			first = ETIMEDOUT;
		close(fd);
		if (peer >= 0)
			close(peer);
	}
	storm_stop();
	close(listener);
	printf("connectstorm connects=%d failed=%d first_errno=%d signals=%d\n",
	    STORM_CONNECTS, failed, first, (int)signals);
}

static void
step_nodump(const char *arg)
{
	(void)arg;
	printf("nodump ret=%d\n", prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
}

/* A user namespace of its own, on the network it had. */
static void
step_usernsonly(const char *arg)
{
	(void)arg;
	printf("usernsonly ret=%d\n", unshare(CLONE_NEWUSER));
}

#if defined(__x86_64__)
/* A 32-bit system call (int $0x80), as an i386 program makes it. */
static long
call32(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b),
	    "d"(c) : "memory");
	return ret;
}

/*
 * "bind32=EP": the current socket bound by i386's bind (361) and, on a
 * second socket, by socketcall(SYS_BIND); the address in the low 4 GiB.
 */
static void
step_bind32(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	uint32_t *low;
	int second;

	if (parse_endpoint(spec, &ss, &len) != 0)
		exit(2);
	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		exit(2);
	memcpy(low + 4, &ss, len);
	printf("bind32 ret=%ld\n", call32(361, current,
	    (long)(uintptr_t)(low + 4), len));
	second = socket(ss.ss_family, SOCK_STREAM, 0);
	low[0] = (uint32_t)second;
	low[1] = (uint32_t)(uintptr_t)(low + 4);
	low[2] = len;
	printf("socketcall32 ret=%ld\n", call32(102, 2,
	    (long)(uintptr_t)low, 0));
	close(second);
	munmap(low, 4096);
}
#else
static void
step_bind32(const char *spec)
{
	(void)spec;
	printf("bind32 unsupported\n");
}
#endif

static volatile sig_atomic_t signals_seen;

/* Each SIGINT, with where it came from: "sigint code=C pid=P". */
static void
say_sigint(int sig, siginfo_t *si, void *context)
{
	char line[64];
	int n;

	(void)context;
	signals_seen = 1;
	n = snprintf(line, sizeof(line), "%s code=%d\n", sig == SIGINT ?
	    "sigint" : "sigterm", si->si_code);
	(void)!write(STDOUT_FILENO, line, (size_t)n);
}

/*
 * "sigint": report every SIGINT and SIGTERM for two seconds, then exit.
 * "sigint=S": for up to S seconds, but only one more once the first came
 * (a second copy would be in by then): for a sender whose moment is not
 * the test's own, such as timeout(1).
 */
static void
step_sigint(const char *arg)
{
	struct sigaction sa;
	int ticks = *arg != '\0' ? atoi(arg) * 100 : 200, after = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = say_sigint;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < ticks && after != 0; i++, after--) {
		usleep(10000);
		if (*arg != '\0' && signals_seen && after < 0)
			after = 100;
	}
}

/*
 * io_uring's bind (IORING_OP_BIND, Linux 6.11), made with the raw system
 * calls: the kernel binds in its own context, where neither the library
 * nor a seccomp filter sees the call. The layouts are the kernel's
 * (linux/io_uring.h), declared here: the test machine may lack the header.
 */
#define URING_OP_BIND		56
#define URING_OFF_SQ_RING	0ULL
#define URING_OFF_CQ_RING	0x8000000ULL
#define URING_OFF_SQES		0x10000000ULL
#define URING_ENTER_GETEVENTS	1U

struct uring_sqe {
	uint8_t		opcode, flags;
	uint16_t	ioprio;
	int32_t		fd;
	uint64_t	off;		/* addr2: the address's length */
	uint64_t	addr;		/* the address */
	uint32_t	len, op_flags;
	uint64_t	user_data;
	uint64_t	pad[3];
};

struct uring_cqe {
	uint64_t	user_data;
	int32_t		res;
	uint32_t	flags;
};

struct uring_params {
	uint32_t	sq_entries, cq_entries, flags, sq_thread_cpu;
	uint32_t	sq_thread_idle, features, wq_fd, resv[3];
	struct {
		uint32_t	head, tail, ring_mask, ring_entries, flags;
		uint32_t	dropped, array, resv1;
		uint64_t	user_addr;
	} sq_off;
	struct {
		uint32_t	head, tail, ring_mask, ring_entries, overflow;
		uint32_t	cqes, flags, resv1;
		uint64_t	user_addr;
	} cq_off;
};

/* "uringbind=EP": bind the current socket through io_uring. */
static void
step_uringbind(const char *spec)
{
	struct uring_params p;
	struct sockaddr_storage ss;
	struct uring_sqe *sqe;
	struct uring_cqe *cqe;
	socklen_t len;
	char *sq, *cq;
	int ring;

	if (parse_endpoint(spec, &ss, &len) != 0)
		exit(2);
	memset(&p, 0, sizeof(p));
	if ((ring = (int)syscall(SYS_io_uring_setup, 1, &p)) < 0) {
		printf("uringbind setup errno=%d\n", errno);
		return;
	}
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(uint32_t),
	    PROT_READ | PROT_WRITE, MAP_SHARED, ring, URING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(*cqe),
	    PROT_READ | PROT_WRITE, MAP_SHARED, ring, URING_OFF_CQ_RING);
	sqe = mmap(NULL, p.sq_entries * sizeof(*sqe), PROT_READ | PROT_WRITE,
	    MAP_SHARED, ring, URING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqe == MAP_FAILED)
		exit(2);
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = URING_OP_BIND;
	sqe->fd = current;
	sqe->addr = (uint64_t)(uintptr_t)&ss;
	sqe->off = len;
	((uint32_t *)(sq + p.sq_off.array))[0] = 0;
	__atomic_store_n((uint32_t *)(sq + p.sq_off.tail), 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, ring, 1, 1, URING_ENTER_GETEVENTS,
	    NULL, 0) < 0) {
		printf("uringbind enter errno=%d\n", errno);
		return;
	}
	cqe = (struct uring_cqe *)(cq + p.cq_off.cqes);
	printf("uringbind res=%d\n", cqe->res);
	close(ring);
}

/*
 * What a supervisor that holds the program's threads meets: a program that
 * closed its standard streams (the next open() must still get 0), one that
 * closes every descriptor it did not make, one that puts a socket of its
 * own on a descriptor it did not make, and exec.
 */
static void
step_closestd(const char *arg)
{
	(void)arg;
	printf("closestd ret=%d\n", close(STDIN_FILENO) | close(STDERR_FILENO));
}

static void
step_lowest(const char *arg)
{
	int fd = open("/dev/null", O_RDONLY);

	(void)arg;
	printf("lowest fd=%d\n", fd);
	close(fd);
}

/* Is fd a socket the probe did not make? */
static int
foreign_socket(int fd)
{
	struct stat st;

	if (fd == current || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
		return 0;
	for (int i = 0; i < made_count; i++)
		if (made[i] == fd)
			return 0;
	return 1;
}

static void
step_closeothers(const char *arg)
{
	int n = 0;

	(void)arg;
	for (int fd = STDERR_FILENO + 1; fd < 1024; fd++)
		if (foreign_socket(fd) && close(fd) == 0)
			n++;
	printf("closeothers n=%d\n", n);
}

static int squatters[16], squatter_count;

static void
step_squat(const char *arg)
{
	int pair[2];

	int foreign[16], n = 0;

	(void)arg;
	for (int fd = STDERR_FILENO + 1; fd < 1024 && n < 16; fd++)
		if (foreign_socket(fd))
			foreign[n++] = fd;
	for (int i = 0; i < n; i++) {
		int fd = foreign[i];

		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) != 0)
			continue;
		dup2(pair[0], fd);
		close(pair[0]);
		made[made_count < MADE_MAX ? made_count++ : 0] = fd;
		squatters[squatter_count++] = pair[1];
	}
	printf("squat n=%d\n", squatter_count);
}

static void
step_squatcheck(const char *arg)
{
	char buf[64];
	int received = 0;

	(void)arg;
	for (int i = 0; i < squatter_count; i++)
		while (recv(squatters[i], buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			received++;
	printf("squat received=%d\n", received);
}

/* exec this program again, to bind EP there. */
static void
step_execbind(const char *arg)
{
	char bind[160];

	snprintf(bind, sizeof(bind), "bind=%s", arg);
	fflush(stdout);
	execl("/proc/self/exe", "probe", "tcp4", bind, "name", (char *)NULL);
	printf("execbind errno=%d\n", errno);
}

#define RT_SIGNALS	500
#define RT_BINDS	500

static volatile sig_atomic_t rt_count, rt_bad;
static volatile long rt_sum;
static volatile pid_t rt_sender;

static void
count_rt(int sig, siginfo_t *si, void *context)
{
	(void)sig;
	(void)context;
	rt_count++;
	rt_sum += si->si_value.sival_int;
	if (si->si_code != SI_QUEUE || si->si_pid != rt_sender)
		rt_bad++;
}

/*
 * "rtbind=EP": bind EP RT_BINDS times while a child queues RT_SIGNALS
 * real-time signals, numbered, at this process: each must arrive once,
 * with its own siginfo, however the supervisor handles the binds.
 */
static void
step_rtbind(const char *spec)
{
	struct sigaction sa;
	struct sockaddr_storage ss;
	socklen_t len;
	pid_t parent = getpid(), sender;
	int bound = 0, one = 1, fd, status, go[2];
	char c;

	if (parse_endpoint(spec, &ss, &len) != 0)
		exit(2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = count_rt;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGRTMIN, &sa, NULL);
	if (pipe(go) != 0)
		exit(2);
	if ((sender = fork()) == 0) {
		/* Once the parent knows this child's pid. */
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (int i = 1; i <= RT_SIGNALS; i++) {
			union sigval v = { .sival_int = i };

			while (sigqueue(parent, SIGRTMIN, v) != 0)
				usleep(100);
			usleep(20);
		}
		_exit(0);
	}
	rt_sender = sender;
	close(go[0]);
	if (write(go[1], "g", 1) != 1)
		exit(2);
	close(go[1]);
	for (int i = 0; i < RT_BINDS; i++) {
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, len) == 0)
			bound++;
		close(fd);
	}
	while (waitpid(sender, &status, 0) < 0 && errno == EINTR)
		;
	for (int i = 0; i < 2000 && rt_count < RT_SIGNALS; i++)
		usleep(1000);
	printf("rtbind binds=%d signals=%d sum=%ld bad=%d\n", bound,
	    (int)rt_count, (long)rt_sum, (int)rt_bad);
}

const struct step supervised_steps[] = {
	{ "rtbind=", step_rtbind },
	{ "closestd", step_closestd },
	{ "lowest", step_lowest },
	{ "closeothers", step_closeothers },
	{ "squatcheck", step_squatcheck },
	{ "squat", step_squat },
	{ "execbind=", step_execbind },
	{ "uringbind=", step_uringbind },
	{ "sigint=", step_sigint },
	{ "sigint", step_sigint },
	{ "bindstorm=", step_bindstorm },
	{ "bindstormintr=", step_bindstormintr },
	{ "connectstorm=", step_connectstorm },
	{ "nodump", step_nodump },
	{ "usernsonly", step_usernsonly },
	{ "bind32=", step_bind32 },
	{ NULL, NULL },
};
