/*
 * A scriptable socket program run under the library by the integration
 * tests. Each argument is one step on the current socket; each step prints
 * one line that the tests read, e.g.
 *
 *	probe tcp6 bind=[::]:80 name listen ready accept
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS	10000

static int current = -1;

#ifdef __SANITIZE_ADDRESS__
/* Setgid runs ignore ASAN_OPTIONS, and LeakSanitizer cannot work there. */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

void bad_input(int);

static int
parse_endpoint(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *colon;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_un *un = (struct sockaddr_un *)ss;

	memset(ss, 0, sizeof(*ss));
	if (text[0] == '/') {
		un->sun_family = AF_UNIX;
		snprintf(un->sun_path, sizeof(un->sun_path), "%s", text);
		*len = sizeof(*un);
		return 0;
	}
	if ((colon = strrchr(text, ':')) == NULL)
		return -1;
	if (text[0] == '[') {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - text - 2),
		    text + 1);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(colon + 1));
		*len = sizeof(*in6);
		return inet_pton(AF_INET6, host, &in6->sin6_addr) == 1 ? 0 : -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
	in->sin_family = strncmp(host, "unspec/", 7) == 0 ? AF_UNSPEC : AF_INET;
	in->sin_port = htons((uint16_t)atoi(colon + 1));
	*len = sizeof(*in);
	return inet_pton(AF_INET, host + (in->sin_family == AF_UNSPEC ? 7 : 0),
	    &in->sin_addr) == 1 ? 0 : -1;
}

static void
print_name(const char *what, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		printf("%s ret=-1 errno=%d\n", what, errno);
		return;
	}
	printf("%s port=%u len=%u family=%d\n", what,
	    ntohs(((struct sockaddr_in *)&ss)->sin_port), (unsigned)len,
	    ss.ss_family);
}

static int
wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, WAIT_MS) == 1 ? 0 : -1;
}

static void
make_socket(int family, int type, int v6only)
{
	int one = 1;

	current = socket(family, type, 0);
	if (current < 0) {
		printf("socket errno=%d\n", errno);
		exit(1);
	}
	if (family != AF_UNIX)
		setsockopt(current, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(current, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
		    sizeof(v6only));
}

static void
do_bind(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int ret;

	if (parse_endpoint(spec, &ss, &len) != 0) {
		printf("bad endpoint %s\n", spec);
		exit(2);
	}
	errno = 4242;	/* a successful bind must leave errno alone */
	ret = bind(current, (struct sockaddr *)&ss, len);
	printf("bind ret=%d errno=%d\n", ret, errno);
}

static void
do_accept(int use_accept4)
{
	int fd;

	if (wait_readable(current) != 0) {
		printf("accept timeout\n");
		return;
	}
	if (use_accept4 == 2)
		fd = accept4(current, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	else if (use_accept4)
		fd = accept4(current, NULL, NULL, SOCK_CLOEXEC);
	else
		fd = accept(current, NULL, NULL);
	if (fd < 0) {
		printf("accept errno=%d\n", errno);
		return;
	}
	print_name("accepted", fd);
	if (write(fd, "hello\n", 6) != 6)
		printf("write errno=%d\n", errno);
	close(fd);
}

static void
do_recv(void)
{
	struct sockaddr_storage from;
	socklen_t len = sizeof(from);
	char buf[64];

	if (wait_readable(current) != 0) {
		printf("recv timeout\n");
		return;
	}
	if (recvfrom(current, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &len) < 0) {
		printf("recv errno=%d\n", errno);
		return;
	}
	print_name("received", current);
	(void)sendto(current, "hello\n", 6, 0, (struct sockaddr *)&from, len);
}

/* Ask a library loaded with dlopen() to do the bind. */
static void
do_dlopen_bind(const char *spec)
{
	char path[512];
	const char *sep = strchr(spec, ',');
	struct sockaddr_storage ss;
	socklen_t len;
	void *lib;
	int (*bind_later)(int, const struct sockaddr *, socklen_t);

	snprintf(path, sizeof(path), "%.*s", (int)(sep - spec), spec);
	if ((lib = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (bind_later = (int (*)(int, const struct sockaddr *, socklen_t))
	    dlsym(lib, "bind_later")) == NULL) {
		printf("dlopen failed: %s\n", dlerror());
		exit(2);
	}
	if (parse_endpoint(sep + 1, &ss, &len) != 0)
		exit(2);
	printf("bind ret=%d\n", bind_later(current, (struct sockaddr *)&ss,
	    len));
}

/* getsockname() into a buffer of n bytes: what was written, and the length. */
static void
do_short_name(int n)
{
	unsigned char buf[sizeof(struct sockaddr_storage)];
	socklen_t len = (socklen_t)n;
	int ret;

	memset(buf, 0xee, sizeof(buf));
	ret = getsockname(current, (struct sockaddr *)buf, &len);
	printf("short%d ret=%d len=%u bytes=", n, ret, (unsigned)len);
	for (int i = 0; i < n + 1 && i < (int)sizeof(buf); i++)
		printf("%02x", buf[i]);
	printf("\n");
}

/* Every way to copy a descriptor answers like the original. */
static void
do_dups(void)
{
	int copies[5];

	copies[0] = dup(current);
	copies[1] = dup2(current, 100);
	copies[2] = dup3(current, 101, O_CLOEXEC);
	copies[3] = fcntl(current, F_DUPFD, 200);
	copies[4] = fcntl(current, F_DUPFD_CLOEXEC, 300);
	for (int i = 0; i < 5; i++) {
		char what[16];

		snprintf(what, sizeof(what), "dup%d", i);
		print_name(what, copies[i]);
	}
}

/* The library's first call happens in a forked child. */
static void
do_fork_bind(const char *spec)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		do_bind(spec);
		print_name("child", current);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
}

static void
do_fork(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		print_name("child", current);
		_exit(0);
	}
	waitpid(pid, &status, 0);
}

/* Run this program again, handing it the current socket as exec would. */
static void
do_exec(const char *self)
{
	char adopt[32];

	snprintf(adopt, sizeof(adopt), "adopt=%d", current);
	fflush(stdout);
	execl(self, self, adopt, "name", "listen", "ready", "accept", (char *)NULL);
	printf("exec errno=%d\n", errno);
}

/* Bind from an address in read-only memory: the library only reads it. */
static void
do_bind_readonly(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	void *page;

	if (parse_endpoint(spec, &ss, &len) != 0)
		exit(2);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		exit(2);
	memcpy(page, &ss, len);
	mprotect(page, 4096, PROT_READ);
	errno = 4242;
	printf("bind ret=%d errno=%d\n", bind(current, page, len), errno);
	munmap(page, 4096);
}

static void
do_null_length(void)
{
	struct sockaddr_storage ss;
	int ret = getsockname(current, (struct sockaddr *)&ss, NULL);

	printf("nulllen ret=%d errno=%d\n", ret, errno);
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *step = argv[i];

		if (strcmp(step, "tcp4") == 0)
			make_socket(AF_INET, SOCK_STREAM, 0);
		else if (strcmp(step, "tcp6") == 0)
			make_socket(AF_INET6, SOCK_STREAM, 0);
		else if (strcmp(step, "tcp6only") == 0)
			make_socket(AF_INET6, SOCK_STREAM, 1);
		else if (strcmp(step, "udp4") == 0)
			make_socket(AF_INET, SOCK_DGRAM, 0);
		else if (strcmp(step, "udp6") == 0)
			make_socket(AF_INET6, SOCK_DGRAM, 0);
		else if (strcmp(step, "unix") == 0)
			make_socket(AF_UNIX, SOCK_STREAM, 0);
		else if (strncmp(step, "bind=", 5) == 0)
			do_bind(step + 5);
		else if (strncmp(step, "dlbind=", 7) == 0)
			do_dlopen_bind(step + 7);
		else if (strcmp(step, "name") == 0)
			print_name("name", current);
		else if (strncmp(step, "short=", 6) == 0)
			do_short_name(atoi(step + 6));
		else if (strcmp(step, "dups") == 0)
			do_dups();
		else if (strcmp(step, "fork") == 0)
			do_fork();
		else if (strncmp(step, "forkbind=", 9) == 0)
			do_fork_bind(step + 9);
		else if (strcmp(step, "exec") == 0)
			do_exec(argv[0]);
		else if (strncmp(step, "adopt=", 6) == 0)
			current = atoi(step + 6);
		else if (strcmp(step, "mark") == 0)
			(void)getppid();	/* where a trace starts */
		else if (strcmp(step, "fd") == 0)
			printf("fd=%d\n", current);
		else if (strcmp(step, "accept4nb") == 0)
			do_accept(2);
		else if (strncmp(step, "badinput=", 9) == 0)
			bad_input(atoi(step + 9));
		else if (strncmp(step, "bindro=", 7) == 0)
			do_bind_readonly(step + 7);
		else if (strcmp(step, "nulllen") == 0)
			do_null_length();
		else if (strcmp(step, "listen") == 0)
			printf("listen ret=%d\n", listen(current, 16));
		else if (strcmp(step, "ready") == 0)
			printf("ready\n");
		else if (strcmp(step, "accept") == 0)
			do_accept(1);
		else if (strcmp(step, "accept0") == 0)
			do_accept(0);
		else if (strcmp(step, "recv") == 0)
			do_recv();
		else if (strcmp(step, "close") == 0)
			printf("close ret=%d\n", close(current));
		else if (strcmp(step, "drop") == 0)
			printf("drop ret=%d\n", setresgid(65534, 65534, 65534) |
			    setresuid(65534, 65534, 65534));
		else {
			printf("unknown step %s\n", step);
			return 2;
		}
	}
	return 0;
}
