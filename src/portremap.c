/*
 * portremap: run a command with libportremap preloaded.
 *
 *	portremap [-m MAP] [--mode MODE] [-q | -v] [--] COMMAND [ARG ...]
 *	portremap [-m MAP] [--mode MODE] --check
 *
 * Sets the PORTREMAP_* variables from its options, puts the library first in
 * LD_PRELOAD (keeping what is there), and executes COMMAND, whose exit
 * status becomes its own. Written in C so that it runs in images without a
 * shell. The settings are checked here with the library's own parser.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"	/* PORTREMAP_VERSION, PORTREMAP_LIBDIR */
#include "map.h"
#include "settings.h"
#include "decide.h"
#include "supervise.h"

#define LIBRARY_NAME	"libportremap.so"
#define EXIT_USAGE	2
#define EXIT_CANNOT_RUN	126
#define EXIT_NOT_FOUND	127

static const char usage_line[] =
    "usage: portremap [-m MAP] [--mode MODE] [--connect loopback] [-q | -v]\n"
    "                 [--supervise | --no-supervise] [--] COMMAND [ARG ...]\n"
    "       portremap [options] --check [-- COMMAND]\n";

static void
usage(FILE *to)
{
	fputs(usage_line, to);
}

static void
help(void)
{
	usage(stdout);
	fputs("\n"
	    "Run COMMAND with libportremap preloaded: when it may not bind a\n"
	    "privileged port, a bind on a mapped one (80, 443) lands on its\n"
	    "target (8080, 8443), and getsockname() still reports the port it\n"
	    "asked for.\n"
	    "\n"
	    "  -m, --map MAP     set PORTREMAP_MAP, e.g. 80:8080,443:8443 or\n"
	    "                    1-1023:+8000\n"
	    "      --mode MODE   set PORTREMAP_MODE: auto, always, fallback or off\n"
	    "      --connect loopback\n"
	    "                    set PORTREMAP_CONNECT: connections to a mapped\n"
	    "                    port on this host go to its target as well\n"
	    "  -q, --quiet       set PORTREMAP_LOG=0: print nothing\n"
	    "  -v, --verbose     set PORTREMAP_LOG=2: explain every decision\n"
	    "      --supervise   run COMMAND under portremap's supervisor (seccomp\n"
	    "                    user notification), which reaches programs that\n"
	    "                    bypass the C library; the default for static\n"
	    "                    and Go programs\n"
	    "      --no-supervise  always use LD_PRELOAD\n"
	    "      --check       print the settings, the map, and whether this\n"
	    "                    user would be remapped (and how, for COMMAND),\n"
	    "                    then exit\n"
	    "  -h, --help        print this help\n"
	    "  -V, --version     print the version\n"
	    "\n"
	    "The library is PORTREMAP_LIBRARY if set, else " LIBRARY_NAME
	    " next to\nthis program, else " PORTREMAP_LIBDIR "/" LIBRARY_NAME
	    ".\nSee portremap(1) and libportremap(7).\n", stdout);
}

/* Where the library is: the variable, next to this program, or installed. */
static const char *
find_library(const char **how)
{
	static char path[4096];
	const char *set = getenv("PORTREMAP_LIBRARY");
	ssize_t n;
	char *slash;

	if (set != NULL && *set != '\0') {
		*how = "from PORTREMAP_LIBRARY";
		return set;
	}
	n = readlink("/proc/self/exe", path, sizeof(path) - sizeof(LIBRARY_NAME) - 1);
	if (n > 0) {
		path[n] = '\0';
		if ((slash = strrchr(path, '/')) != NULL) {
			strcpy(slash + 1, LIBRARY_NAME);
			if (access(path, R_OK) == 0) {
				*how = "next to portremap";
				return path;
			}
		}
	}
	*how = "installed";
	return PORTREMAP_LIBDIR "/" LIBRARY_NAME;
}

/* LD_PRELOAD with the library first, the entries already there after it. */
static int
prepend_preload(const char *library)
{
	const char *old = getenv("LD_PRELOAD");
	char *value;
	int ret;

	if (old == NULL || *old == '\0')
		return setenv("LD_PRELOAD", library, 1);
	if (asprintf(&value, "%s:%s", library, old) < 0)
		return -1;
	ret = setenv("LD_PRELOAD", value, 1);
	free(value);
	return ret;
}

static void
print_map(const struct port_map *m)
{
	for (unsigned i = 0; i < m->count; i++) {
		const struct map_entry *e = &m->entry[i];

		if (e->lo == e->hi)
			printf("  %u -> %u\n", e->lo, e->lo + e->offset);
		else
			printf("  %u-%u -> %u-%u\n", e->lo, e->hi,
			    e->lo + e->offset, e->hi + e->offset);
	}
}

/* Targets inside the ephemeral range can be mistaken for client ports. */
static void
warn_ephemeral(const struct port_map *m)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned lo, hi;

	if (f == NULL)
		return;
	if (fscanf(f, "%u %u", &lo, &hi) == 2) {
		for (unsigned i = 0; i < m->count; i++) {
			unsigned first = m->entry[i].lo + m->entry[i].offset;
			unsigned last = m->entry[i].hi + m->entry[i].offset;

			if (first <= hi && lo <= last)
				printf("warning: targets %u-%u overlap the "
				    "ephemeral port range %u-%u; outgoing "
				    "connections may get those ports\n", first,
				    last, lo, hi);
		}
	}
	fclose(f);
}

static int
unprivileged_port_start(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r");
	int start = 1024;

	if (f != NULL) {
		if (fscanf(f, "%d", &start) != 1)
			start = 1024;
		fclose(f);
	}
	return start;
}

/*
 * Would the kernel let this thread bind port, here? Asked without taking
 * it: the kernel checks the port before it checks whether the socket is
 * bound already, so a socket bound to port 0 answers EACCES or EINVAL. The
 * system call is made directly: this program may run under the library.
 */
static int
kernel_allows(unsigned port)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	int fd, refused = 0;

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return 1;
	if (syscall(SYS_bind, fd, (struct sockaddr *)&in, sizeof(in)) == 0) {
		in.sin_port = htons((uint16_t)port);
		refused = syscall(SYS_bind, fd, (struct sockaddr *)&in,
		    sizeof(in)) != 0 && errno == EACCES;
	}
	close(fd);
	return !refused;
}

static unsigned
lowest_source(const struct port_map *m)
{
	unsigned low = SOURCE_MAX;

	for (unsigned i = 0; i < m->count; i++)
		if (m->entry[i].lo < low)
			low = m->entry[i].lo;
	return low;
}

/*
 * What auto and fallback would each do here, whatever the mode: the
 * namespace's ip_unprivileged_port_start changes one and not the other.
 */
static void
print_modes(const struct port_map *m, unsigned uid, int capable)
{
	int start = unprivileged_port_start();
	unsigned port = lowest_source(m);
	int allowed = kernel_allows(port);

	printf("ip_unprivileged_port_start: %d (this network namespace)%s\n",
	    start, start <= 1 ? ": the kernel lets every user bind every port" :
	    "");
	if (!capable)
		printf("auto would remap: uid %u lacks CAP_NET_BIND_SERVICE%s\n",
		    uid, (int)port >= start ? "; auto does not look at "
		    "ip_unprivileged_port_start, so mapped ports still move to "
		    "their targets, where the .NET 8 images listen" : "");
	else if (allowed)
		printf("auto would keep the ports: uid %u has "
		    "CAP_NET_BIND_SERVICE\n", uid);
	else
		printf("auto would remap: uid %u has CAP_NET_BIND_SERVICE, but "
		    "not in this network namespace\n", uid);
	if (allowed)
		printf("fallback would keep the ports: the kernel lets uid %u "
		    "bind port %u\n", uid, port);
	else
		printf("fallback would remap: the kernel refuses port %u to uid "
		    "%u\n", port, uid);
}

/* What a bind on a mapped port would do here, and why. */
static void
print_verdict(const struct settings *s, unsigned uid, int capable)
{
	int allowed = kernel_allows(lowest_source(&s->map));

	switch (s->mode) {
	case MODE_OFF:
		printf("verdict: mode off: nothing is remapped\n");
		break;
	case MODE_ALWAYS:
		printf("verdict: mode always: every bind on a mapped port is "
		    "remapped\n");
		break;
	case MODE_AUTO:
		if (capable && allowed)
			printf("verdict: uid %u has CAP_NET_BIND_SERVICE: binds "
			    "keep their ports\n", uid);
		else if (capable)
			printf("verdict: uid %u lacks CAP_NET_BIND_SERVICE in "
			    "this network namespace: binds on mapped ports are "
			    "remapped\n", uid);
		else
			printf("verdict: uid %u lacks CAP_NET_BIND_SERVICE: "
			    "binds on mapped ports are remapped\n", uid);
		break;
	case MODE_FALLBACK:
		if (allowed)
			printf("verdict: mode fallback: the kernel lets uid %u "
			    "bind privileged ports, so binds keep their "
			    "ports\n", uid);
		else
			printf("verdict: mode fallback: the kernel refuses "
			    "privileged ports to uid %u, so binds on mapped "
			    "ports are remapped\n", uid);
		break;
	}
}

enum { SUPERVISE_AUTO, SUPERVISE_ALWAYS, SUPERVISE_NEVER };

/*
 * Does COMMAND get the supervisor (1) or the preload (0)? The preload
 * cannot reach programs that make their system calls themselves.
 */
static int
mechanism(const char *command, int supervision, char *why, size_t len)
{
	const char *path = find_command(command);
	int bypasses;

	if (supervision == SUPERVISE_ALWAYS) {
		snprintf(why, len, "--supervise");
		return 1;
	}
	if (path == NULL || (bypasses = bypasses_libc(path, why, len)) < 0) {
		snprintf(why, len, "%s is not an ELF program here", command);
		return 0;
	}
	if (supervision == SUPERVISE_NEVER) {
		snprintf(why, len, "--no-supervise");
		return 0;
	}
	return bypasses;
}

static int
check(const struct settings *s, const char *command, int supervision)
{
	const char *how, *library = find_library(&how);
	const char *map = getenv("PORTREMAP_MAP");
	unsigned uid = (unsigned)geteuid();
	int capable = has_bind_capability();

	int readable = access(library, R_OK) == 0;

	printf("library: %s (%s)%s\n", library, how,
	    readable ? "" : " - not found or not readable");
	printf("map%s:\n", map == NULL || *map == '\0' ? " (the default)" : "");
	print_map(&s->map);
	warn_ephemeral(&s->map);
	printf("mode: %s\n", (const char *[]){ "off", "auto", "always",
	    "fallback" }[s->mode]);
	printf("log: %d\n", s->log_level);
	printf("connect: %s\n", s->connect_loopback ? "loopback (connections "
	    "to a mapped port on this host go to its target)" : "off");
	print_modes(&s->map, uid, capable);
	print_verdict(s, uid, capable);
	if (command != NULL) {
		char why[PATH_MAX + 128];

		if (mechanism(command, supervision, why, sizeof(why)))
			printf("mechanism: supervision (%s): portremap stays "
			    "as its parent and remaps its system calls\n", why);
		else
			printf("mechanism: LD_PRELOAD (%s)\n", why);
		if (!readable && mechanism(command, supervision, why,
		    sizeof(why)))
			return 0;
	}
	if (!readable) {
		fprintf(stderr, "portremap: cannot read the library %s (%s); "
		    "set PORTREMAP_LIBRARY\n", library, how);
		return EXIT_CANNOT_RUN;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "map", required_argument, NULL, 'm' },
		{ "mode", required_argument, NULL, 'M' },
		{ "connect", required_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "check", no_argument, NULL, 'c' },
		{ "supervise", no_argument, NULL, 'S' },
		{ "no-supervise", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct settings s;
	struct settings_text text;
	char why[PATH_MAX + 128];
	char err[ERR_MAX];
	const char *how, *library;
	int c, checking = 0, supervision = SUPERVISE_AUTO;

	/* '+': options end at the command, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+m:qvhV", options, NULL)) != -1) {
		switch (c) {
		case 'm':
			setenv("PORTREMAP_MAP", optarg, 1);
			break;
		case 'M':
			setenv("PORTREMAP_MODE", optarg, 1);
			break;
		case 'C':
			setenv("PORTREMAP_CONNECT", optarg, 1);
			break;
		case 'q':
			setenv("PORTREMAP_LOG", "0", 1);
			break;
		case 'v':
			setenv("PORTREMAP_LOG", "2", 1);
			break;
		case 'c':
			checking = 1;
			break;
		case 'S':
			supervision = SUPERVISE_ALWAYS;
			break;
		case 'N':
			supervision = SUPERVISE_NEVER;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			printf("portremap %s\n", PORTREMAP_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	text.map = getenv("PORTREMAP_MAP");
	text.mode = getenv("PORTREMAP_MODE");
	text.log = getenv("PORTREMAP_LOG");
	text.connect = getenv("PORTREMAP_CONNECT");
	if (settings_parse(&s, &text, err, sizeof(err)) != 0) {
		fprintf(stderr, "portremap: %s\n", err);
		return EXIT_USAGE;
	}
	if (checking)
		return check(&s, optind < argc ? argv[optind] : NULL,
		    supervision);
	if (optind == argc) {
		fprintf(stderr, "portremap: no command given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (mechanism(argv[optind], supervision, why, sizeof(why)))
		return supervise(argv + optind, &s);
	library = find_library(&how);
	if (access(library, R_OK) != 0) {
		fprintf(stderr, "portremap: cannot read the library %s (%s): "
		    "%s; set PORTREMAP_LIBRARY\n", library, how,
		    strerror(errno));
		return EXIT_CANNOT_RUN;
	}
	if (prepend_preload(library) != 0) {
		fprintf(stderr, "portremap: LD_PRELOAD: %s\n", strerror(errno));
		return EXIT_CANNOT_RUN;
	}
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "portremap: cannot run %s: %s\n", argv[optind],
	    strerror(errno));
	return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
}
