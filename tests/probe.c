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

#include "probe.h"

int current = -1;
int made[MADE_MAX];
int made_count;

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

int
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

void
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

int
wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, WAIT_MS) == 1 ? 0 : -1;
}

void
make_socket(int family, int type, int protocol, int v6only)
{
	int one = 1;

	current = socket(family, type, protocol);
	if (current < 0) {
		printf("socket errno=%d\n", errno);
		exit(1);
	}
	if (made_count < MADE_MAX)
		made[made_count++] = current;
	if (family != AF_UNIX && type != SOCK_RAW)
		setsockopt(current, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(current, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
		    sizeof(v6only));
}

void
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

/* Make the socket a step names; 0 when the step names none. */
static int
step_socket(const char *name)
{
	static const struct {
		const char	*name;
		int		 family, type, protocol, v6only;
	} kinds[] = {
		{ "tcp4", AF_INET, SOCK_STREAM, 0, 0 },
		{ "tcp4nb", AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, 0 },
		{ "tcp6", AF_INET6, SOCK_STREAM, 0, 0 },
		{ "tcp6only", AF_INET6, SOCK_STREAM, 0, 1 },
		{ "udp4", AF_INET, SOCK_DGRAM, 0, 0 },
		{ "udp6", AF_INET6, SOCK_DGRAM, 0, 0 },
		{ "unix", AF_UNIX, SOCK_STREAM, 0, 0 },
		{ "icmp4", AF_INET, SOCK_DGRAM, IPPROTO_ICMP, 0 },
		{ "raw4", AF_INET, SOCK_RAW, IPPROTO_UDP, 0 },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kinds[i].name, name) == 0) {
			make_socket(kinds[i].family, kinds[i].type,
			    kinds[i].protocol, kinds[i].v6only);
			return 1;
		}
	}
	return 0;
}

static const char *self;

static void
step_name(const char *arg)
{
	(void)arg;
	print_name("name", current);
}

static void
step_short(const char *arg)
{
	do_short_name(atoi(arg));
}

static void
step_dups(const char *arg)
{
	(void)arg;
	do_dups();
}

static void
step_fork(const char *arg)
{
	(void)arg;
	do_fork();
}

static void
step_exec(const char *arg)
{
	(void)arg;
	do_exec(self);
}

static void
step_adopt(const char *arg)
{
	current = atoi(arg);
}

static void
step_mark(const char *arg)
{
	(void)arg;
	(void)getppid();
}

static void
step_fd(const char *arg)
{
	(void)arg;
	printf("fd=%d\n", current);
}

static void
step_accept4nb(const char *arg)
{
	(void)arg;
	do_accept(2);
}

static void
step_badinput(const char *arg)
{
	bad_input(atoi(arg));
}

static void
step_nulllen(const char *arg)
{
	(void)arg;
	do_null_length();
}

static void
step_ready(const char *arg)
{
	(void)arg;
	printf("ready\n");
}

static void
step_accept(const char *arg)
{
	(void)arg;
	do_accept(1);
}

static void
step_accept0(const char *arg)
{
	(void)arg;
	do_accept(0);
}

static void
step_recv(const char *arg)
{
	(void)arg;
	do_recv();
}

static void
step_listen(const char *arg)
{
	(void)arg;
	printf("listen ret=%d\n", listen(current, 16));
}

static void
step_close(const char *arg)
{
	(void)arg;
	printf("close ret=%d\n", close(current));
}

static void
step_drop(const char *arg)
{
	(void)arg;
	printf("drop ret=%d\n", setresgid(65534, 65534, 65534) |
	    setresuid(65534, 65534, 65534));
}

/* "bind=EP" takes an argument; "name" does not. */
static const struct step core_steps[] = {
	{ "bind=", do_bind },
	{ "dlbind=", do_dlopen_bind },
	{ "name", step_name },
	{ "short=", step_short },
	{ "dups", step_dups },
	{ "fork", step_fork },
	{ "forkbind=", do_fork_bind },
	{ "exec", step_exec },
	{ "adopt=", step_adopt },
	{ "mark", step_mark },		/* where a trace starts */
	{ "fd", step_fd },
	{ "accept4nb", step_accept4nb },
	{ "badinput=", step_badinput },
	{ "bindro=", do_bind_readonly },
	{ "nulllen", step_nulllen },
	{ "listen", step_listen },
	{ "ready", step_ready },
	{ "accept", step_accept },
	{ "accept0", step_accept0 },
	{ "recv", step_recv },
	{ "close", step_close },
	{ "drop", step_drop },
	{ NULL, NULL },
};

/* The step's function and its argument, or NULL. */
static step_fn
find_step(const struct step *table, const char *word, const char **arg)
{
	for (; table->name != NULL; table++) {
		size_t n = strlen(table->name);

		if (table->name[n - 1] == '=' ? strncmp(word, table->name, n) == 0 :
		    strcmp(word, table->name) == 0) {
			*arg = word + n;
			return table->fn;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	self = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *arg = NULL;
		step_fn fn;

		if ((fn = find_step(core_steps, argv[i], &arg)) != NULL ||
		    (fn = find_step(hostile_steps, argv[i], &arg)) != NULL ||
		    (fn = find_step(supervised_steps, argv[i], &arg)) != NULL)
			fn(arg);
		else if (!step_socket(argv[i])) {
			printf("unknown step %s\n", argv[i]);
			return 2;
		}
	}
	return 0;
}
