/*
 * How a command is run, which portremap and portremap --check both need to
 * know: where the library is, and whether the program gets the supervisor
 * or the preload.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"	/* PORTREMAP_LIBDIR */
#include "kernel.h"
#include "supervise.h"
#include "wrappers.h"

/* Where the library is: the variable, next to this program, or installed. */
const char *
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

/*
 * Does the program get the supervisor (1) or the preload (0)? The preload
 * cannot reach programs that make their system calls themselves; the
 * supervisor reaches every program, one whose kind is unknown included.
 */
int
uses_supervision(const struct program *p, int supervision, char *why,
    size_t len)
{
	if (supervision == SUPERVISE_ALWAYS) {
		snprintf(why, len, "--supervise");
		return 1;
	}
	if (supervision == SUPERVISE_NEVER) {
		snprintf(why, len, "--no-supervise");
		return 0;
	}
	snprintf(why, len, "%s", p->why);
	/*
	 * The kernel makes a program it could not read undumpable: only a
	 * supervisor with CAP_SYS_PTRACE reaches it. Without, the preload
	 * still reaches a dynamic one.
	 */
	if (p->execute_only)
		return self_holds(CAP_SYS_PTRACE);
	return p->bypasses;
}

/*
 * What portremap does with a command: its program, looked for through the
 * wrappers it starts with, decides. A program that cannot be known is
 * supervised, as the supervisor reaches every program; where supervision
 * is refused, the preload still reaches a dynamic one (c->may_fall_back).
 */
void
choose(char *const argv[], int supervision, struct choice *c)
{
	struct final_program *f = &c->final;

	memset(c, 0, sizeof(*c));
	look_through(argv, f);
	if (f->command != NULL)
		inspect_program(f->command, f->path, &c->program);
	if (f->command != NULL && (*f->through == '\0' ||
	    (c->program.path != NULL && access(c->program.path, X_OK) == 0))) {
		c->supervised = uses_supervision(&c->program, supervision,
		    c->why, sizeof(c->why));
		if (*f->through != '\0' && supervision == SUPERVISE_AUTO)
			snprintf(c->why, sizeof(c->why), "through %s: %s",
			    f->through, c->program.why);
		return;
	}
	if (f->command != NULL)
		snprintf(f->unknown, sizeof(f->unknown), "%s was not found",
		    f->command);
	snprintf(c->program.why, sizeof(c->program.why), "the program run "
	    "through %s cannot be known: %s", f->through, f->unknown);
	c->program.path = NULL;
	c->supervised = supervision != SUPERVISE_NEVER;
	c->may_fall_back = supervision == SUPERVISE_AUTO;
	if (supervision == SUPERVISE_AUTO)
		snprintf(c->why, sizeof(c->why), "%s", c->program.why);
	else
		(void)uses_supervision(&c->program, supervision, c->why,
		    sizeof(c->why));
}
