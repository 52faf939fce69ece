/*
 * portremap: run a command with libportremap preloaded, or supervised.
 *
 *	portremap [-m MAP] [--mode MODE] [-q | -v] [--] COMMAND [ARG ...]
 *	portremap [-m MAP] [--mode MODE] --check [-- COMMAND]
 *
 * Sets the PORTREMAP_* variables from its options, then either puts the
 * library first in LD_PRELOAD (keeping what is there) and executes COMMAND,
 * or, for programs the preload cannot reach, supervises it (supervise.c);
 * COMMAND's exit status becomes its own. Written in C so that it runs in
 * images without a shell. The settings are checked here with the library's
 * own parser.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"	/* PORTREMAP_VERSION, PORTREMAP_LIBDIR */
#include "kernel.h"
#include "settings.h"
#include "supervise.h"

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

/* LD_PRELOAD with the library first; 0, or -1 after saying why not. */
static int
preload(void)
{
	const char *how, *library = find_library(&how);

	if (access(library, R_OK) != 0) {
		fprintf(stderr, "portremap: cannot read the library %s (%s): "
		    "%s; set PORTREMAP_LIBRARY\n", library, how,
		    strerror(errno));
		return -1;
	}
	if (prepend_preload(library) != 0) {
		fprintf(stderr, "portremap: LD_PRELOAD: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* What the options ask for, once they have set the PORTREMAP_* variables. */
struct request {
	int	checking;
	int	supervision;
};

#define OPTIONS_DONE	-1

/*
 * Options into the environment, as the library reads its settings there:
 * OPTIONS_DONE, or the status to exit with (help, version, a bad option).
 */
static int
take_options(int argc, char **argv, struct request *r)
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
	int c;

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
			r->checking = 1;
			break;
		case 'S':
			r->supervision = SUPERVISE_ALWAYS;
			break;
		case 'N':
			r->supervision = SUPERVISE_NEVER;
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
	return OPTIONS_DONE;
}

/* Run the command the way its program needs; returns only on failure. */
static int
run(char *const argv[], const struct settings *s, int supervision)
{
	struct choice c;
	char refusal[400];
	int status;

	choose(argv, supervision, &c);
	/* Mode off: nothing to remap, so nothing to supervise. */
	if (c.supervised && s->mode != MODE_OFF) {
		status = supervise(argv, s, c.may_fall_back ? refusal : NULL,
		    sizeof(refusal));
		if (status != SUPERVISION_REFUSED)
			return status;
		if (s->log_level >= 1)
			fprintf(stderr, "portremap: %s; supervision is refused "
			    "here (%s), so it runs with LD_PRELOAD, which does "
			    "not reach a static or Go program\n", c.why,
			    refusal);
	}
	if (!c.supervised || c.may_fall_back) {
		if (preload() != 0)
			return EXIT_CANNOT_RUN;
		if (c.program.execute_only && s->log_level >= 1)
			fprintf(stderr, "portremap: %s; it runs with LD_PRELOAD, "
			    "which does not reach a static or Go program: make "
			    "it readable, or give portremap CAP_SYS_PTRACE to "
			    "supervise it\n", c.why);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "portremap: cannot run %s: %s\n", argv[0],
	    strerror(errno));
	return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
}

int
main(int argc, char **argv)
{
	struct request r = { 0, SUPERVISE_AUTO };
	struct settings s;
	struct settings_text text;
	char err[ERR_MAX];
	int status;

	if ((status = take_options(argc, argv, &r)) != OPTIONS_DONE)
		return status;
	text.map = getenv("PORTREMAP_MAP");
	text.mode = getenv("PORTREMAP_MODE");
	text.log = getenv("PORTREMAP_LOG");
	text.connect = getenv("PORTREMAP_CONNECT");
	if (settings_parse(&s, &text, err, sizeof(err)) != 0) {
		fprintf(stderr, "portremap: %s\n", err);
		return EXIT_USAGE;
	}
	if (r.checking)
		return check(&s, optind < argc ? argv + optind : NULL,
		    r.supervision);
	if (optind == argc) {
		fprintf(stderr, "portremap: no command given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	return run(argv + optind, &s, r.supervision);
}
