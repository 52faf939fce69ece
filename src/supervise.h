/*
 * portremap's supervisor, for programs that bypass the C library, and what
 * the command's files share.
 */
#ifndef PORTREMAP_SUPERVISE_H
#define PORTREMAP_SUPERVISE_H

#include <sys/types.h>
#include <sys/user.h>

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
 * it (SUPERVISION_REFUSED) rather than said. With argv NULL nothing runs:
 * the way supervision would take here, tried on a child that stops before
 * any program (portremap --check).
 */
#define SUPERVISION_REFUSED	(-1)
#define SUPERVISION_DIRECT	(-2)
#define SUPERVISION_HELD	(-3)

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

/*
 * hold.c: a thread held at its call's restart, by ptrace. The program's
 * end, should it come while one of its threads is held, is kept for reap.
 */
#ifdef ARCH_NATIVE
typedef struct user_regs_struct held_regs;
#else
typedef struct { unsigned long none; } held_regs;	/* no supervisor */
#endif

struct held {
	pid_t		 tid;		/* 0: none */
	pid_t		 program;
	int		 program_reaped;
	int		 program_status;
	held_regs	 saved;
	uint64_t	 mask;		/* its signal mask */
};

/* Before the notification is answered; 0, or -1 with errno. */
int hold_seize(struct held *, pid_t tid);
/* After: stopped at the restart of call nr with these arguments. */
int hold_stopped(struct held *, long nr, const uint64_t args[3]);
int hold_call(struct held *, long nr, const uint64_t args[6], long *ret);
void hold_release(struct held *, long ret);
void hold_let_go(struct held *);
int hold_possible(pid_t program);

/* take.c: a held thread's socket, sent by the thread itself. */
#define TAKE_SLOTS	16

struct take_slot {
	pid_t		 tgid;		/* 0: empty */
	int		 mem;		/* /proc/PID/mem, or -1 */
	uint64_t	 page;		/* the program's scratch page, or 0 */
	int		 fd;		/* its end of the supervisor's, or -1 */
};

struct taker {
	int			 ours, theirs;	/* a unix socket's ends */
	char			 link[32];	/* theirs, as /proc shows it */
	uint64_t		 cookie;
	uint64_t		 number;
	struct take_slot	 slots[TAKE_SLOTS];
};

int taker_init(struct taker *);
struct take_slot *take_slot_of(struct taker *, pid_t tgid);
int take_prepare(struct taker *, struct take_slot *, int listener,
    uint64_t id, pid_t tid);
int take_socket(struct taker *, struct held *, struct take_slot *, int fd);

/* notify.c: the notifications, one at a time. */
struct supervisor;

/*
 * by_ptrace: the program's sockets are taken through its threads (take.c)
 * and its memory through /proc, where pidfd_getfd() and process_vm_*() are
 * refused.
 */
struct supervisor *supervisor_new(int listener, int killable,
    int thread_pidfds, int by_ptrace, pid_t program,
    const struct settings *);
/* Receive one notification and answer it; -1 when the listener is gone. */
int supervisor_serve_one(struct supervisor *);
/* The program's status, once, if its end was seen while it was held. */
int supervisor_reaped(struct supervisor *, int *status);

#endif
