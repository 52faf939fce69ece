/* portremap's supervisor, for programs that bypass the C library. */
#ifndef PORTREMAP_SUPERVISE_H
#define PORTREMAP_SUPERVISE_H

#include <stddef.h>

#include "settings.h"

/*
 * Does the program at path make its own system calls (statically linked,
 * or built by Go)? 1 with the reason in why, 0 with the reason too, or -1
 * when path cannot be read as an ELF file.
 */
int bypasses_libc(const char *path, char *why, size_t len);

/* COMMAND's path as execvp() would find it, or NULL. */
const char *find_command(const char *name);

/*
 * Run argv under the supervisor and return the exit status portremap
 * should exit with: the program's own, 128+N for a death by signal N, or
 * 126 (with one line on stderr) when the kernel or the container forbids
 * supervision.
 */
int supervise(char *const argv[], const struct settings *);

#endif
