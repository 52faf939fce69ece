/*
 * Which programs the preload cannot reach: a statically linked ELF file
 * (no PT_INTERP: no dynamic loader, so no LD_PRELOAD), and a Go program,
 * which makes its system calls itself even when linked dynamically (cgo).
 * Go marks its binaries with a .go.buildinfo section.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "supervise.h"

#define NAMES_MAX	65536

static int
read_at(int fd, off_t off, void *buf, size_t len)
{
	return pread(fd, buf, len, off) == (ssize_t)len ? 0 : -1;
}

/* Program and section headers, read the same way for 32 and 64 bits. */
struct elf_file {
	int		fd;
	int		wide;		/* ELFCLASS64 */
	uint64_t	phoff, shoff;
	unsigned	phnum, shnum, shstrndx, phentsize, shentsize;
};

/* The fields of an Elf32_Ehdr or Elf64_Ehdr h, as read. */
#define TAKE_HEADER(e, h) do {						\
	(e)->phoff = (h).e_phoff;					\
	(e)->shoff = (h).e_shoff;					\
	(e)->phnum = (h).e_phnum;					\
	(e)->shnum = (h).e_shnum;					\
	(e)->shstrndx = (h).e_shstrndx;					\
	(e)->phentsize = (h).e_phentsize;				\
	(e)->shentsize = (h).e_shentsize;				\
} while (0)

static int
open_elf(struct elf_file *e, int fd)
{
	unsigned char ident[EI_NIDENT];
	Elf64_Ehdr h64;
	Elf32_Ehdr h32;

	e->fd = fd;
	if (read_at(fd, 0, ident, sizeof(ident)) != 0 ||
	    memcmp(ident, ELFMAG, SELFMAG) != 0)
		return -1;
	e->wide = ident[EI_CLASS] == ELFCLASS64;
	if (e->wide && read_at(fd, 0, &h64, sizeof(h64)) == 0)
		TAKE_HEADER(e, h64);
	else if (!e->wide && read_at(fd, 0, &h32, sizeof(h32)) == 0)
		TAKE_HEADER(e, h32);
	else
		return -1;
	return 0;
}

static int
has_interpreter(const struct elf_file *e)
{
	for (unsigned i = 0; i < e->phnum; i++) {
		uint32_t type;

		if (read_at(e->fd, (off_t)(e->phoff + (uint64_t)i * e->phentsize),
		    &type, sizeof(type)) != 0)
			return 0;
		if (type == PT_INTERP)
			return 1;
	}
	return 0;
}

/* Section i's name offset, file offset and size. */
static int
section(const struct elf_file *e, unsigned i, uint32_t *name, uint64_t *off,
    uint64_t *size)
{
	off_t at = (off_t)(e->shoff + (uint64_t)i * e->shentsize);
	Elf64_Shdr s64;
	Elf32_Shdr s32;

	if (e->wide ? read_at(e->fd, at, &s64, sizeof(s64)) != 0 :
	    read_at(e->fd, at, &s32, sizeof(s32)) != 0)
		return -1;
	*name = e->wide ? s64.sh_name : s32.sh_name;
	*off = e->wide ? s64.sh_offset : s32.sh_offset;
	*size = e->wide ? s64.sh_size : s32.sh_size;
	return 0;
}

static int
has_section(const struct elf_file *e, const char *wanted)
{
	static char names[NAMES_MAX];
	uint32_t name;
	uint64_t off, size, nsize;

	if (e->shnum == 0 || e->shstrndx >= e->shnum ||
	    section(e, e->shstrndx, &name, &off, &nsize) != 0)
		return 0;
	if (nsize > sizeof(names) - 1)
		nsize = sizeof(names) - 1;
	if (read_at(e->fd, (off_t)off, names, (size_t)nsize) != 0)
		return 0;
	names[nsize] = '\0';
	for (unsigned i = 0; i < e->shnum; i++)
		if (section(e, i, &name, &off, &size) == 0 && name < nsize &&
		    strcmp(names + name, wanted) == 0)
			return 1;
	return 0;
}

#if defined(__x86_64__)
#define MACHINE_NATIVE	EM_X86_64
#elif defined(__aarch64__)
#define MACHINE_NATIVE	EM_AARCH64
#endif

/* A 32-bit program on a 64-bit machine: the supervisor cannot remap it. */
static int
is_foreign(int fd)
{
#ifdef MACHINE_NATIVE
	uint16_t machine;

	return read_at(fd, offsetof(Elf64_Ehdr, e_machine), &machine,
	    sizeof(machine)) == 0 && machine != MACHINE_NATIVE;
#else
	(void)fd;
	return 0;
#endif
}

void
inspect_program(const char *command, const char *search, struct program *p)
{
	struct elf_file e;
	int fd;

	memset(p, 0, sizeof(*p));
	if ((p->path = find_command(command, search)) == NULL) {
		format(p->why, sizeof(p->why), "%s was not found", command);
		return;
	}
	if ((fd = open(p->path, O_RDONLY | O_CLOEXEC)) < 0) {
		p->execute_only = errno == EACCES && access(p->path, X_OK) == 0;
		format(p->why, sizeof(p->why), p->execute_only ? "%s cannot be "
		    "read (execute-only), so its kind is unknown" :
		    "%s cannot be read", p->path);
		return;
	}
	if (open_elf(&e, fd) != 0) {
		format(p->why, sizeof(p->why), "%s is not an ELF program here",
		    p->path);
	} else {
		p->readable = 1;
		p->foreign = is_foreign(fd);
		if (has_section(&e, ".go.buildinfo")) {
			format(p->why, sizeof(p->why), "%s is a Go program: it "
			    "makes its system calls itself", p->path);
			p->bypasses = 1;
		} else if (!has_interpreter(&e)) {
			format(p->why, sizeof(p->why), "%s is statically linked",
			    p->path);
			p->bypasses = 1;
		} else {
			format(p->why, sizeof(p->why), "%s is dynamically linked",
			    p->path);
		}
	}
	close(fd);
}

const char *
find_command(const char *name, const char *dirs)
{
	static char path[PATH_MAX];
	const char *p;

	if (strchr(name, '/') != NULL)
		return name;
	if (dirs == NULL)
		dirs = getenv("PATH");
	if (dirs == NULL)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	for (p = dirs; *p != '\0';) {
		size_t n = strcspn(p, ":");

		/* An empty entry is the current directory. */
		if (snprintf(path, sizeof(path), "%.*s/%s", n ? (int)n : 1,
		    n ? p : ".", name) < (int)sizeof(path) &&
		    access(path, X_OK) == 0)
			return path;
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}
