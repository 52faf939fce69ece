/*
 * portremap's supervisor, for programs that bypass the C library, and what
 * the command's files share.
 */
#ifndef PORTREMAP_SUPERVISE_H
#define PORTREMAP_SUPERVISE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "settings.h"
#include "wrappers.h"

#define EXIT_USAGE	2
#define EXIT_CANNOT_RUN	126
#define EXIT_NOT_FOUND	127

/* detect.c: what kind of program a command is. */
struct program {
	const char	*path;		/* as execvp() would find it, or NULL */
	int		 readable;	/* an ELF file that could be read */
	int		 execute_only;	/* of unknown kind: it cannot be read */
	int		 bypasses;	/* static, or Go: the preload cannot reach it */
	int		 foreign;	/* of another architecture (32-bit) */
	char		 why[4200];	/* the reason, in words */
};

/* Looked up in search, a PATH; NULL: the environment's. */
void inspect_program(const char *command, const char *search,
    struct program *);
const char *find_command(const char *name, const char *search);

/* choose.c: how a command is run. */
#define LIBRARY_NAME	"libportremap.so"

enum { SUPERVISE_AUTO, SUPERVISE_ALWAYS, SUPERVISE_NEVER };

const char *find_library(const char **how);
int uses_supervision(const struct program *, int supervision, char *why,
    size_t len);

struct choice {
	struct final_program	 final;		/* through its wrappers */
	struct program		 program;	/* the final program's kind */
	int			 supervised;
	int			 may_fall_back;	/* to the preload, if refused */
	char			 why[4600];
};

void choose(char *const argv[], int supervision, struct choice *);

/* check.c: portremap --check. */
int check(const struct settings *, char *const argv[], int supervision);

/*
 * supervise.c: run argv supervised; the status portremap exits with. When
 * refusal is given, a refusal before the program starts is handed back in
 * it (SUPERVISION_REFUSED) rather than said.
 */
#define SUPERVISION_REFUSED	(-1)

int supervise(char *const argv[], const struct settings *, char *refusal,
    size_t len);

/*
 * filter.c: install the filter in the calling process; the listener, and
 * whether a received call waits for its answer unmoved by signals. The
 * architecture of the system calls the supervisor remaps, and the one whose
 * binds it can only report (32-bit programs).
 */
#if defined(__x86_64__)
#define ARCH_NATIVE		AUDIT_ARCH_X86_64
#define ARCH_FOREIGN		AUDIT_ARCH_I386
#define FOREIGN_BIND		361
#define FOREIGN_SOCKETCALL	102
#elif defined(__aarch64__)
#define ARCH_NATIVE		AUDIT_ARCH_AARCH64
#define ARCH_FOREIGN		AUDIT_ARCH_ARM
#define FOREIGN_BIND		282
#endif

int install_filter(int loopback, int interruptible, int *killable);

/* follow.c: a thread's credentials, and taking them. */
#define GROUPS_MAX	256

struct creds {
	pid_t		 tgid;
	unsigned	 uid[4];	/* real, effective, saved, fs */
	unsigned	 gid[4];
	int		 ngroups;
	gid_t		 groups[GROUPS_MAX];
	uint64_t	 cap_eff, cap_prm;
	dev_t		 userns_dev;
	ino_t		 userns_ino;
};

/* tid 0: the calling thread. 0, or -1 with errno. */
int creds_read(pid_t tid, struct creds *);
int creds_can_bind_privileged(const struct creds *);
/* Does this thread hold the capability, effective? */
int self_holds(unsigned cap);
/*
 * Make self (the supervisor's, updated) act as program: 0 when it already
 * does, 1 when it changed, -1 with errno when it cannot.
 */
int creds_follow(struct creds *self, const struct creds *program);

/* notify.c: the notifications, one at a time. */
struct supervisor;

struct supervisor *supervisor_new(int listener, int killable,
    int thread_pidfds, const struct settings *);
/* Receive one notification and answer it; -1 when the listener is gone. */
int supervisor_serve_one(struct supervisor *);

#endif
