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
