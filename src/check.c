/*
 * portremap --check [-- COMMAND]: the settings, the map, what this user
 * would get here and why, and for COMMAND which mechanism it gets and
 * what that mechanism cannot do for it. The verdict is decide()'s, the rule
 * the library and the supervisor carry out.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decide.h"
#include "kernel.h"
#include "map.h"
#include "settings.h"
#include "supervise.h"

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

/* What a bind on a mapped port would do here, and why: remap.c's rule. */
static void
print_verdict(const struct settings *s, unsigned uid, int capable)
{
	int allowed = kernel_allows(lowest_source(&s->map));

	switch (decide(s->mode, capable)) {
	case ACTION_KEEP:
		printf("verdict: mode off: nothing is remapped\n");
		break;
	case ACTION_REMAP:
		if (s->mode == MODE_ALWAYS)
			printf("verdict: mode always: every bind on a mapped "
			    "port is remapped\n");
		else
			printf("verdict: uid %u lacks CAP_NET_BIND_SERVICE: "
			    "binds on mapped ports are remapped\n", uid);
		break;
	case ACTION_TRY_FIRST:
		if (s->mode == MODE_AUTO && allowed)
			printf("verdict: uid %u has CAP_NET_BIND_SERVICE: binds "
			    "keep their ports\n", uid);
		else if (s->mode == MODE_AUTO)
			printf("verdict: uid %u lacks CAP_NET_BIND_SERVICE in "
			    "this network namespace: binds on mapped ports are "
			    "remapped\n", uid);
		else if (allowed)
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

/* A shell, or a script (not ELF): the preload reaches only its own calls. */
static int
is_shell(const struct program *p, const char *command)
{
	return (p->path != NULL && !p->readable && !p->bypasses &&
	    !p->execute_only) || names_a_shell(command);
}

/*
 * Whether this container lets portremap supervise, and which way, tried on
 * a child that runs nothing: 0; 1 where it is refused and the program
 * would run with the preload; -1 where the program would not run.
 */
static int
print_supervision_here(const struct settings *s, const struct choice *c)
{
	char refusal[400];

	switch (supervise(NULL, s, refusal, sizeof(refusal))) {
	case SUPERVISION_DIRECT:
		printf("supervision here: direct (pidfd_getfd() and "
		    "process_vm_readv() are allowed)\n");
		return 0;
	case SUPERVISION_HELD:
		printf("supervision here: through ptrace, holding the calling "
		    "thread for each remapped call, which costs more "
		    "(pidfd_getfd() or process_vm_readv() is refused, as "
		    "Docker's and containerd's default profiles do without "
		    "CAP_SYS_PTRACE)\n");
		return 0;
	}
	if (c->may_fall_back) {
		printf("warning: supervision is refused here (%s): the program "
		    "runs with LD_PRELOAD, which reaches it only if it uses the "
		    "C library's bind()\n", refusal);
		return 1;
	}
	printf("warning: supervision is refused here (%s): portremap would "
	    "exit with status 126 and run nothing\n", refusal);
	return -1;
}

/* What the supervisor will and will not do for the program. */
static int
print_supervision(const struct settings *s, const struct choice *c)
{
	const struct program *p = &c->program;
	const char *changer = c->final.changes_user;
	int here;

	printf("mechanism: supervision (%s): portremap stays as its parent and "
	    "remaps its system calls\n", c->why);
	here = print_supervision_here(s, c);
	if (c->may_fall_back && here == 0)
		printf("note: where supervision is refused, the program runs "
		    "with LD_PRELOAD, which reaches it only if it uses the C "
		    "library's bind()\n");
	printf("note: supervised programs run with no_new_privs: setuid and "
	    "file-capability programs they start (ping, sudo) get none of "
	    "their privileges\n");
	if (p->foreign)
		printf("warning: %s is a 32-bit program: the supervisor cannot "
		    "make its system calls, so its binds keep their ports "
		    "(EACCES for a user without the capability); use a 64-bit "
		    "build\n", p->path);
	if (changer != NULL && geteuid() == 0) {
		if (self_holds(CAP_SETUID) && self_holds(CAP_SETGID))
			printf("note: %s changes user: portremap follows the "
			    "program's credentials and acts with them (it "
			    "holds CAP_SETUID and CAP_SETGID)\n", changer);
		else
			printf("warning: %s changes user, and portremap cannot "
			    "follow (it lacks CAP_SETUID or CAP_SETGID): start "
			    "portremap after the change of user (gosu USER "
			    "portremap -- PROGRAM)\n", changer);
	}
	return here < 0 ? -1 : 0;
}

/* Which program portremap looked at, when wrappers stand before it. */
static void
print_program(const struct choice *c)
{
	const struct final_program *f = &c->final;

	if (f->through[0] == '\0' && f->command != NULL)
		return;
	if (c->program.path != NULL)
		printf("program: %s, run through %s\n", c->program.path,
		    f->through);
	else
		printf("program: not known, run through %s (%s)\n",
		    f->through, f->unknown);
}

/* How the program would run: 0, or -1 where it would not. */
static int
print_mechanism(const struct settings *s, const char *command,
    const struct choice *c)
{
	print_program(c);
	if (c->supervised && s->mode == MODE_OFF) {
		printf("mechanism: none (mode off): %s runs as it is\n",
		    command);
	} else if (c->supervised) {
		return print_supervision(s, c);
	} else {
		printf("mechanism: LD_PRELOAD (%s)\n", c->why);
		if (is_shell(&c->program, c->final.command != NULL ?
		    c->final.command : command))
			printf("note: a script or shell that runs a static or "
			    "Go program needs --supervise: the preload does not "
			    "reach such programs\n");
	}
	return 0;
}

int
check(const struct settings *s, char *const argv[], int supervision)
{
	const char *how, *library = find_library(&how);
	const char *map = getenv("PORTREMAP_MAP");
	unsigned uid = (unsigned)geteuid();
	int capable = has_bind_capability();
	int readable = access(library, R_OK) == 0, supervised = 0;
	struct choice c;

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
	if (argv != NULL) {
		choose(argv, supervision, &c);
		supervised = c.supervised && !c.may_fall_back;
		if (print_mechanism(s, argv[0], &c) != 0)
			return EXIT_CANNOT_RUN;
	}
	if (!readable && !supervised) {
		fprintf(stderr, "portremap: cannot read the library %s (%s); "
		    "set PORTREMAP_LIBRARY\n", library, how);
		return EXIT_CANNOT_RUN;
	}
	return 0;
}
