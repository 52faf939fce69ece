/*
 * The supervisor's notifications. Each handler reads what it needs of the
 * calling thread (its credentials, the socket address from its memory, its
 * socket), carries out remap.c's policy on that socket with the thread's
 * credentials (follow.c), and returns a verdict; answer() alone answers
 * the kernel. A notification is checked to be still valid before anything
 * is done for it.
 *
 * The socket is taken with pidfd_getfd() and the memory reached with
 * process_vm_readv(), where the container's seccomp profile allows them
 * (podman's does). Docker's and containerd's refuse both without
 * CAP_SYS_PTRACE; there the socket is sent by the thread itself, held
 * at its call's restart (hold.c, take.c), the memory is /proc/TID/mem,
 * and a held call is answered through the thread's registers instead.
 *
 * Its own calls on the program's sockets are system calls made directly:
 * portremap may itself run with the library preloaded (an image's
 * ENV LD_PRELOAD), which must not remap or rewrite them a second time.
 *
 * A restarted call. Before Linux 5.19 a signal can interrupt a thread
 * after the supervisor has received its call, even once the answer is
 * sent, and the kernel then restarts the call (or returns EINTR, and the
 * program retries it): the second bind would find the socket already bound
 * and fail with EINVAL, the second connect with EISCONN. There, each call
 * made here is remembered for its thread until the thread's next call, and
 * the same call again, on a socket still in the state it left, gets the
 * first call's answer. (A program binding one socket twice to the same
 * mapped address is then told success the second time.) Where received
 * calls wait unmoved by signals, only a call whose answer found no one is
 * remembered: its thread was killed.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decide.h"
#include "format.h"
#include "kernel.h"
#include "log.h"
#include "map.h"
#include "marks.h"
#include "remap.h"
#include "say.h"
#include "settings.h"
#include "sockaddr.h"
#include "supervise.h"
#include "sys.h"

#define MADE_MAX	16
#define PIDFDS		64

enum verdict_kind { GO_ON, RETURN, GONE };

struct verdict {
	enum verdict_kind	kind;
	long			ret;	/* RETURN: 0 or -errno */
	unsigned		port;	/* where the socket ended, when acted */
};

/* A call made here, remembered for its restart (see above). */
struct made_call {
	uint32_t	tid;
	int32_t		nr;
	uint64_t	args[3];
	long		ret;
	unsigned	port;
};

struct pidfd_slot {
	pid_t	tid;		/* 0: empty */
	int	fd;
};

struct supervisor {
	int			 listener;
	const struct settings	*s;
	struct seccomp_notif	*n;
	struct seccomp_notif_resp *resp;
	size_t			 n_size, resp_size;
	int			 killable;	/* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
	int			 thread_pidfds;	/* PIDFD_THREAD (6.9), unless told not */
	struct creds		 self;
	struct made_call	 made[MADE_MAX];
	unsigned		 next_made;
	struct pidfd_slot	 pidfds[PIDFDS];
	pid_t			 said_pid;	/* the last "cannot" line */
	long			 said_nr;
	/* Through ptrace, where pidfd_getfd() is refused: */
	int			 by_ptrace;
	struct take_slot	*slot;		/* the calling thread's process */
	struct held		 held;
	int			 holding;	/* held.tid is this call's */
	int			 answered;	/* the kernel was answered */
	struct made_call	 pass;		/* let the kernel make it */
	struct taker		 taker;
};

static const struct verdict go_on = { GO_ON, 0, 0 };
static const struct verdict gone = { GONE, 0, 0 };

/* The kernel's structures may grow: size the buffers as it says. */
struct supervisor *
supervisor_new(int listener, int killable, int thread_pidfds, int by_ptrace,
    pid_t program, const struct settings *s)
{
	struct seccomp_notif_sizes sizes = { 0 };
	struct supervisor *sup;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0)
		return NULL;
	if ((sup = calloc(1, sizeof(*sup))) == NULL)
		return NULL;
	sup->listener = listener;
	sup->killable = killable;
	sup->thread_pidfds = thread_pidfds;
	sup->by_ptrace = by_ptrace;
	sup->held.program = program;
	sup->s = s;
	sup->n_size = sizes.seccomp_notif > sizeof(*sup->n) ?
	    sizes.seccomp_notif : sizeof(*sup->n);
	sup->resp_size = sizes.seccomp_notif_resp > sizeof(*sup->resp) ?
	    sizes.seccomp_notif_resp : sizeof(*sup->resp);
	sup->n = calloc(1, sup->n_size);
	sup->resp = calloc(1, sup->resp_size);
	if (sup->n == NULL || sup->resp == NULL ||
	    creds_read(0, &sup->self) != 0 ||
	    (by_ptrace && taker_init(&sup->taker) != 0)) {
		free(sup->n);
		free(sup->resp);
		free(sup);
		return NULL;
	}
	return sup;
}

static struct verdict
returns(long ret, unsigned port)
{
	return (struct verdict){ RETURN, ret, port };
}

static int
still_valid(const struct supervisor *sup)
{
	uint64_t id = sup->n->id;

	return ioctl(sup->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* The thread's process, from /proc/TID/status; 0 when it is gone. */
static pid_t
tgid_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Tgid:", 5) == 0) {
			tgid = (pid_t)strtol(line + 5, NULL, 10);
			break;
		}
	fclose(f);
	return tgid;
}

/*
 * The calling thread's process, and its memory (/proc/PID/mem), kept from
 * one call to the next; anew when it reads nothing.
 */
static int
their_memory(struct supervisor *sup, pid_t tid, int anew)
{
	struct take_slot *slot = sup->slot;
	char path[64];
	pid_t tgid;

	if (slot == NULL) {
		if ((tgid = tgid_of(tid)) == 0) {
			errno = ESRCH;
			return -1;
		}
		slot = sup->slot = take_slot_of(&sup->taker, tgid);
	}
	if (anew && slot->mem >= 0) {
		close(slot->mem);
		slot->mem = -1;
	}
	if (slot->mem < 0) {
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)tid);
		slot->mem = open(path, O_RDWR | O_CLOEXEC);
	}
	return slot->mem;
}

/* Read or write the calling thread's memory through /proc. */
static int
access_memory(struct supervisor *sup, pid_t tid, int writing, uint64_t at,
    void *buf, size_t len)
{
	ssize_t done = 0;
	int mem;

	for (int anew = 0; anew < 2 && done == 0; anew++) {
		if ((mem = their_memory(sup, tid, anew)) < 0)
			return -1;
		done = writing ? pwrite(mem, buf, len, (off_t)at) :
		    pread(mem, buf, len, (off_t)at);
	}
	return done == (ssize_t)len ? 0 : -1;
}

static int
read_memory(struct supervisor *sup, pid_t pid, uint64_t at, void *buf,
    size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)at, len };

	if (!sup->by_ptrace)
		return process_vm_readv(pid, &local, 1, &remote, 1, 0) ==
		    (ssize_t)len ? 0 : -1;
	return access_memory(sup, pid, 0, at, buf, len);
}

/* The name's first bytes and its length, as the kernel writes them. */
static int
write_name(struct supervisor *sup, pid_t pid, uint64_t at, const void *name,
    size_t room, uint64_t len_at, const socklen_t *len)
{
	struct iovec local[2] = { { (void *)(uintptr_t)name, room },
	    { (void *)(uintptr_t)len, sizeof(*len) } };
	struct iovec remote[2] = { { (void *)(uintptr_t)at, room },
	    { (void *)(uintptr_t)len_at, sizeof(*len) } };
	int first = room > 0 ? 0 : 1;

	if (!sup->by_ptrace)
		return process_vm_writev(pid, local + first,
		    2UL - (unsigned)first, remote + first,
		    2UL - (unsigned)first, 0) ==
		    (ssize_t)(room + sizeof(*len)) ? 0 : -1;
	if (room > 0 && access_memory(sup, pid, 1, at, (void *)(uintptr_t)name,
	    room) != 0)
		return -1;
	return access_memory(sup, pid, 1, len_at, (void *)(uintptr_t)len,
	    sizeof(*len));
}

/* Send the kernel an answer: the kernel's own call, or ret (0, -errno). */
static int
reply(struct supervisor *sup, int kernel_makes_it, long ret)
{
	struct seccomp_notif_resp *r = sup->resp;

	memset(r, 0, sup->resp_size);
	r->id = sup->n->id;
	if (kernel_makes_it) {
		r->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else {
		r->val = ret == 0 ? 0 : -1;
		r->error = (int32_t)ret;
	}
	sup->answered = 1;
	return ioctl(sup->listener, SECCOMP_IOCTL_NOTIF_SEND, r);
}

/*
 * The socket sent by the thread itself, held at its call's restart: the
 * kernel is answered here, so that the thread stops there. Once the thread
 * is held, answer() gives the call its result through the thread.
 */
static int
held_socket(struct supervisor *sup, pid_t tid, int fd)
{
	const struct seccomp_notif *n = sup->n;
	int sock;

	if (their_memory(sup, tid, 0) < 0 ||
	    take_prepare(&sup->taker, sup->slot, sup->listener, n->id,
	    tid) != 0 || hold_seize(&sup->held, tid) != 0)
		return -1;
	(void)reply(sup, 0, -ERESTARTNOINTR);
	if (hold_stopped(&sup->held, n->data.nr, n->data.args) != 0)
		return -1;	/* let go: its call restarts, notified anew */
	sup->holding = 1;
	if ((sock = take_socket(&sup->taker, &sup->held, sup->slot, fd)) < 0 &&
	    sup->held.tid == 0)
		sup->holding = 0;	/* a signal took it back, or it ended */
	return sock;
}

/*
 * A pidfd for the thread (Linux 6.9), kept for its next call: Go servers
 * ask for every connection they accept. It refers to its own thread for
 * good, so a reused tid cannot reach another process through it.
 */
static int
thread_pidfd(struct supervisor *sup, pid_t tid, int fresh)
{
	struct pidfd_slot *slot = &sup->pidfds[(unsigned)tid % PIDFDS];

	if (!sup->thread_pidfds) {
		errno = EINVAL;		/* as before Linux 6.9 */
		return -1;
	}
	if (slot->tid == tid && !fresh)
		return slot->fd;
	if (slot->tid != 0)
		close(slot->fd);
	slot->tid = 0;
	if ((slot->fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD)) >= 0)
		slot->tid = tid;
	return slot->fd;
}

/*
 * The calling thread's socket fd, as the supervisor's own, or -1. Before
 * Linux 6.9 a pidfd names a process only: the thread's, looked up each
 * time (a kept one could outlive the thread, and its tid be reused).
 */
static int
their_socket(struct supervisor *sup, pid_t tid, pid_t tgid, int fd)
{
	int pidfd, sock, err;

	if (sup->by_ptrace)
		return held_socket(sup, tid, fd);
	for (int fresh = 0; fresh < 2; fresh++) {
		if ((pidfd = thread_pidfd(sup, tid, fresh)) < 0)
			break;
		if ((sock = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0)) >= 0 ||
		    errno != ESRCH)
			return sock;
	}
	if (errno != EINVAL || (tgid == 0 && (tgid = tgid_of(tid)) == 0) ||
	    (pidfd = (int)syscall(SYS_pidfd_open, tgid, 0)) < 0)
		return -1;
	sock = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	err = errno;
	close(pidfd);
	errno = err;
	return sock;
}

/*
 * One line, at level 1, where the supervisor cannot act on a call it should
 * act on: which call, why, and what to do. Once for each program and call.
 */
static void
cannot(struct supervisor *sup, pid_t pid, const char *call,
    const struct sockaddr *addr, unsigned port, const char *why,
    const char *todo)
{
	char where[ENDPOINT_MAX] = "";
	long nr = sup->n->data.nr;

	if (sup->s->log_level < 1 || (sup->said_pid == pid &&
	    sup->said_nr == nr))
		return;
	sup->said_pid = pid;
	sup->said_nr = nr;
	if (addr != NULL)
		format_endpoint(where, sizeof(where), addr, port);
	pr_log_for(pid, "%s%s%s not remapped: %s; %s", call, *where ? " " : "",
	    where, why, todo);
}

/* Why the program's memory or socket is out of reach, and what to do. */
static void
cannot_reach(struct supervisor *sup, pid_t pid, const char *call,
    const struct sockaddr *addr, unsigned port, int err)
{
	char why[256];

	if (err != EPERM && err != EACCES)
		return;		/* the thread is gone: nothing to say */
	format(why, sizeof(why), "portremap may not reach the program's "
	    "memory and sockets (%s): it is not dumpable, as a program is "
	    "after changing its user itself%s", strerror(err), sup->by_ptrace ?
	    ", or another tracer (strace, gdb) holds it" : "");
	cannot(sup, pid, call, addr, port, why, "start portremap after the "
	    "change of user (gosu USER portremap -- PROGRAM), or give it "
	    "CAP_SYS_PTRACE");
}

/*
 * Act with the thread's credentials: 0, 1 when they changed, or -1 (the
 * thread is gone, or the line saying why not is said).
 */
static int
act_as(struct supervisor *sup, pid_t tid, const char *call,
    const struct sockaddr *addr, unsigned port, struct creds *program)
{
	char why[160];
	int changed;

	if (creds_read(tid, program) != 0)
		return -1;		/* the thread is gone */
	if ((changed = creds_follow(&sup->self, program)) >= 0) {
		if (changed && sup->s->log_level >= 2)
			pr_log_for(program->tgid, "portremap follows the "
			    "program's credentials: uid %u, gid %u",
			    program->uid[1], program->gid[1]);
		return changed;
	}
	format(why, sizeof(why), "portremap cannot take the program's "
	    "credentials (uid %u, gid %u: %s), and never acts with more",
	    program->uid[1], program->gid[1], strerror(errno));
	cannot(sup, program->tgid, call, addr, port, why, "start portremap as "
	    "that user (after the change of user: gosu USER portremap -- "
	    "PROGRAM), or give it CAP_SETUID and CAP_SETGID");
	return -1;
}

/*
 * Read the thread's memory. Refused, the thread may have changed user:
 * follow it and try again, else say why it is out of reach.
 */
static int
read_their(struct supervisor *sup, pid_t tid, const char *call, uint64_t at,
    void *buf, size_t len)
{
	struct creds program;
	int err;

	while (read_memory(sup, tid, at, buf, len) != 0) {
		if ((err = errno) != EPERM && err != EACCES)
			return -1;	/* the thread is gone, or a bad address */
		switch (act_as(sup, tid, call, NULL, 0, &program)) {
		case 1:
			continue;
		case 0:
			cannot_reach(sup, program.tgid, call, NULL, 0, err);
			break;
		}
		return -1;
	}
	return 0;
}

/* The thread's remembered call, if any. */
static struct made_call *
remembered(struct supervisor *sup)
{
	for (unsigned i = 0; i < MADE_MAX; i++)
		if (sup->made[i].tid == sup->n->pid)
			return &sup->made[i];
	return NULL;
}

/* Is this the remembered call again? Any other call of its thread ends it. */
static struct made_call *
find_made(struct supervisor *sup)
{
	const struct seccomp_notif *n = sup->n;
	struct made_call *u = remembered(sup);

	if (u == NULL)
		return NULL;
	if (u->nr == n->data.nr &&
	    memcmp(u->args, n->data.args, sizeof(u->args)) == 0)
		return u;
	u->tid = 0;
	return NULL;
}

/*
 * The answer to a restarted call, if this is one: the socket must still
 * be where the first call left it (its own port for a bind, its peer's
 * for a connect) and carry the tag of a call made here.
 */
static int
replay(struct supervisor *sup, int sock, struct verdict *v)
{
	struct made_call *u = find_made(sup);
	struct sockaddr_storage name;
	socklen_t len = sizeof(name);
	long got;

	if (u == NULL)
		return 0;
	got = sup->n->data.nr == SYS_bind ?
	    sys_getsockname(sock, (struct sockaddr *)&name, &len) :
	    sys_getpeername(sock, (struct sockaddr *)&name, &len);
	if ((got == 0 && len >= PORT_END &&
	    sockaddr_get_port(&name) == u->port) ||
	    (got == -ENOTCONN && u->ret == -EINPROGRESS))
		*v = returns(u->ret, u->port);
	u->tid = 0;
	return v->kind == RETURN;
}

/* A call made here: remember it for its restart, one for each thread. */
static void
remember(struct supervisor *sup, const struct verdict *v)
{
	struct made_call *u = remembered(sup);

	if (u == NULL)
		u = &sup->made[sup->next_made++ % MADE_MAX];
	u->tid = sup->n->pid;
	u->nr = sup->n->data.nr;
	memcpy(u->args, sup->n->data.args, sizeof(u->args));
	u->ret = v->ret;
	u->port = v->port;
}

/*
 * What a bind or connect needs before the policy: its address read, the
 * port mapped, the thread's credentials taken, its socket taken. The
 * socket, or -1 with *v the verdict.
 */
static int
prepare(struct supervisor *sup, int connecting, struct creds *program,
    struct sockaddr_storage *addr, struct remap_call *c, struct verdict *v)
{
	const struct seccomp_notif *n = sup->n;
	const char *call = connecting ? "connect" : "bind";
	pid_t tid = (pid_t)n->pid;
	socklen_t len = (socklen_t)n->data.args[2];
	int port, family, sock;
	unsigned target;

	*v = go_on;
	if (len < sizeof(struct sockaddr_in) || len > sizeof(*addr) ||
	    read_their(sup, tid, call, n->data.args[1], addr, len) != 0 ||
	    (port = sockaddr_inet_port((struct sockaddr *)addr, len,
	    &family)) <= 0 ||
	    (target = map_target(&sup->s->map, (unsigned)port)) == 0 ||
	    act_as(sup, tid, call, (struct sockaddr *)addr, (unsigned)port,
	    program) < 0)
		return -1;
	if ((sock = their_socket(sup, tid, program->tgid,
	    (int)n->data.args[0])) < 0) {
		cannot_reach(sup, program->tgid, call, (struct sockaddr *)addr,
		    (unsigned)port, errno);
		return -1;
	}
	if (replay(sup, sock, v) || !remap_accepts(sock,
	    (struct sockaddr *)addr, len, family, (unsigned)port, target,
	    connecting, c)) {
		close(sock);
		return -1;
	}
	if (!sup->answered && !still_valid(sup)) {
		*v = gone;
		close(sock);
		return -1;
	}
	c->pid = program->tgid;
	c->uid = program->uid[0];
	return sock;
}

/* A bind or connect on a mapped port, carried out by remap.h's rule. */
static struct verdict
on_remap(struct supervisor *sup, int connecting)
{
	struct creds program;
	struct sockaddr_storage addr;
	struct remap_call c;
	struct verdict v;
	enum remap_outcome done;
	long ret;
	int sock;

	if ((sock = prepare(sup, connecting, &program, &addr, &c, &v)) < 0)
		return v;
	done = connecting ? remap_connect(sup->s, &c, sys_connect, &ret) :
	    remap_bind(sup->s, &c, sys_bind, creds_can_bind_privileged(&program),
	    0, &ret);
	close(sock);
	return returns(ret, done == REMAP_DONE ? c.target : c.port);
}

/*
 * getsockname() of a remapped socket, or getpeername() of a connection
 * sent to a target on loopback: the port the program asked for, written
 * into its buffer and length as the kernel would write them. Any other
 * socket goes on to the kernel.
 */
static struct verdict
answer_name(struct supervisor *sup, int peer)
{
	const uint64_t *a = sup->n->data.args;
	pid_t tid = (pid_t)sup->n->pid;
	const char *call = peer ? "getpeername" : "getsockname";
	struct sockaddr_storage name;
	socklen_t room, len = sizeof(name);
	unsigned source, family;
	int sock, got;

	if (a[2] == 0)
		return go_on;
	if (read_their(sup, tid, call, a[2], &room, sizeof(room)) != 0)
		return go_on;
	if ((sock = their_socket(sup, tid, 0, (int)a[0])) < 0) {
		cannot_reach(sup, tid, call, NULL, 0, errno);
		return go_on;
	}
	got = (int)(peer ? sys_getpeername(sock, (struct sockaddr *)&name,
	    &len) : sys_getsockname(sock, (struct sockaddr *)&name, &len));
	if ((int)room < 0 || got != 0 || len < PORT_END ||
	    ((family = sockaddr_family(&name)) != AF_INET &&
	    family != AF_INET6) ||
	    (peer && !sockaddr_is_loopback(&name, family)) ||
	    (source = map_source(&sup->s->map, sockaddr_get_port(&name))) ==
	    0 || !socket_is_tagged(sock)) {
		close(sock);
		return go_on;
	}
	close(sock);
	sockaddr_set_port(&name, source);
	if (!sup->answered && !still_valid(sup))
		return gone;
	if (write_name(sup, tid, a[1], &name, room < len ? room : len, a[2],
	    &len) != 0)
		return returns(-EFAULT, 0);
	return returns(0, 0);
}

#ifdef ARCH_FOREIGN
/*
 * A 32-bit program's bind (x86_64: bind or socketcall(SYS_BIND)): its
 * calls cannot be made here, so a mapped port is only reported.
 */
static struct verdict
on_foreign_bind(struct supervisor *sup)
{
	const uint64_t *a = sup->n->data.args;
	pid_t tid = (pid_t)sup->n->pid;
	struct sockaddr_storage addr;
	uint32_t args[3] = { (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2] };
	int port, family;

	if (sup->n->data.nr != FOREIGN_BIND &&
	    read_memory(sup, tid, (uint32_t)a[1], args, sizeof(args)) != 0)
		return go_on;
	if (args[2] < sizeof(struct sockaddr_in) || args[2] > sizeof(addr) ||
	    read_memory(sup, tid, args[1], &addr, args[2]) != 0 ||
	    (port = sockaddr_inet_port((struct sockaddr *)&addr, args[2],
	    &family)) <= 0 || map_target(&sup->s->map, (unsigned)port) == 0)
		return go_on;
	cannot(sup, tid, "bind", (struct sockaddr *)&addr, (unsigned)port,
	    "the program is a 32-bit one, whose system calls portremap "
	    "cannot make", "use a 64-bit build of the program");
	return go_on;
}
#endif

/* Is this the call a held thread was let go to make? The kernel makes it. */
static int
passed(struct supervisor *sup)
{
	const struct seccomp_notif *n = sup->n;
	struct made_call *p = &sup->pass;
	int same;

	if (p->tid != n->pid)
		return 0;
	same = p->nr == n->data.nr &&
	    memcmp(p->args, n->data.args, sizeof(p->args)) == 0;
	p->tid = 0;
	return same;
}

static struct verdict
decide_call(struct supervisor *sup)
{
	long nr = sup->n->data.nr;

	if (passed(sup))
		return go_on;
	(void)find_made(sup);	/* another call ends a remembered one */
#ifdef ARCH_FOREIGN
	if (sup->n->data.arch != ARCH_NATIVE)
		return on_foreign_bind(sup);
#endif
	if (nr == SYS_bind)
		return on_remap(sup, 0);
	if (nr == SYS_getsockname)
		return answer_name(sup, 0);
	if (nr == SYS_connect)
		return on_remap(sup, 1);
	if (nr == SYS_getpeername)
		return answer_name(sup, 1);
	return go_on;
}

/*
 * The one place a verdict is given: to the kernel, or through a held
 * thread, whose call either returns or restarts to be made by the kernel.
 */
static void
answer(struct supervisor *sup, const struct verdict *v)
{
	const struct seccomp_notif *n = sup->n;

	if (sup->holding) {
		if (v->kind == RETURN) {
			hold_release(&sup->held, v->ret);
			return;
		}
		if (v->kind == GO_ON) {
			sup->pass.tid = n->pid;
			sup->pass.nr = n->data.nr;
			memcpy(sup->pass.args, n->data.args,
			    sizeof(sup->pass.args));
		}
		hold_let_go(&sup->held);
		return;
	}
	if (v->kind == GONE || sup->answered)
		return;
	if ((reply(sup, v->kind == GO_ON, v->ret) != 0 && errno == ENOENT) ||
	    !sup->killable) {
		if (v->kind == RETURN && v->port != 0 &&
		    (v->ret == 0 || v->ret == -EINPROGRESS))
			remember(sup, v);
	}
}

int
supervisor_serve_one(struct supervisor *sup)
{
	struct verdict v;

	memset(sup->n, 0, sup->n_size);
	if (ioctl(sup->listener, SECCOMP_IOCTL_NOTIF_RECV, sup->n) != 0)
		return errno == ENOENT || errno == EINTR ? 0 : -1;
	sup->holding = 0;
	sup->answered = 0;
	sup->slot = NULL;	/* a tid may name another thread next */
	v = decide_call(sup);
	answer(sup, &v);
	return 0;
}

int
supervisor_reaped(struct supervisor *sup, int *status)
{
	if (!sup->held.program_reaped)
		return 0;
	sup->held.program_reaped = 0;
	*status = sup->held.program_status;
	return 1;
}
