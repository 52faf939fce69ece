/*
 * Holding a thread at its call's restart, and making calls in its name:
 * how the supervisor reaches a program's socket where pidfd_getfd() is
 * refused (Docker's and containerd's default seccomp profiles, without
 * CAP_SYS_PTRACE), through what those profiles allow: ptrace.
 *
 * The notification is answered -ERESTARTNOINTR while a PTRACE_INTERRUPT
 * is pending, so the thread stops before the kernel restarts its call,
 * its registers still holding the call. The stop is a moment the thread
 * could have been preempted at: nothing of the program runs, and nothing
 * has happened yet. From there a call is made as the thread's own
 * (hold_call), and the held call either returns a result (hold_release)
 * or restarts as if never stopped (hold_let_go). Neither leaves a restart
 * to repeat: a signal that comes afterwards finds the call finished.
 *
 * Signals wait while the thread is held: its mask blocks them all until it
 * goes on, as CRIU does for its parasite, so that no storm of them can keep
 * it from its call; they are delivered as soon as it does, with their own
 * siginfo. Only SIGSTOP cannot wait: it stops the thread before the call
 * made in its name runs, and the registers and mask are put back, the
 * thread let go with the signal, and the call restarts once continued.
 *
 * The architectures differ at the stop: x86_64 moves the pc back for the
 * restart only after it, while arm64 has already done so (x0 is the first
 * argument again, and the pc is at the svc).
 */
#define _GNU_SOURCE
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "kernel.h"
#include "supervise.h"
#include "sys.h"

#ifdef ARCH_NATIVE
#define SYSCALL_STOP	(SIGTRAP | 0x80)	/* PTRACE_O_TRACESYSGOOD */

static int
get_regs(pid_t tid, held_regs *r)
{
	struct iovec v = { r, sizeof(*r) };

	return ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &v) == 0 ?
	    0 : -1;
}

static int
set_regs(pid_t tid, const held_regs *r)
{
	struct iovec v = { (void *)(uintptr_t)r, sizeof(*r) };

	return ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &v) == 0 ?
	    0 : -1;
}

#if defined(__x86_64__)
static int
at_restart(pid_t tid, const held_regs *r, long nr,
    const uint64_t a[3])
{
	long ret = (long)r->rax;

	(void)tid;
	return (long)r->orig_rax == nr && ret <= -512 && ret >= -516 &&
	    r->rdi == a[0] && r->rsi == a[1] && r->rdx == a[2];
}

static void
set_call(held_regs *r, long nr, const uint64_t a[6])
{
	r->rax = (uint64_t)nr;
	r->orig_rax = (uint64_t)-1;	/* no restart: the call is set anew */
	r->rip -= 2;			/* back to the syscall instruction */
	r->rdi = a[0];
	r->rsi = a[1];
	r->rdx = a[2];
	r->r10 = a[3];
	r->r8 = a[4];
	r->r9 = a[5];
}

static long
result_of(const held_regs *r)
{
	return (long)r->rax;
}

static void
set_result(held_regs *r, long ret)
{
	r->rax = (uint64_t)ret;
	r->orig_rax = (uint64_t)-1;
}
#elif defined(__aarch64__)
#define SVC_0	0xd4000001U

static int
at_restart(pid_t tid, const held_regs *r, long nr,
    const uint64_t a[3])
{
	long insn;

	if ((long)r->regs[8] != nr || r->regs[0] != a[0] ||
	    r->regs[1] != a[1] || r->regs[2] != a[2])
		return 0;
	errno = 0;
	insn = ptrace(PTRACE_PEEKTEXT, tid, (void *)(uintptr_t)r->pc, NULL);
	return errno == 0 && (uint32_t)insn == SVC_0;
}

static void
set_call(held_regs *r, long nr, const uint64_t a[6])
{
	r->regs[8] = (uint64_t)nr;
	for (int i = 0; i < 6; i++)
		r->regs[i] = a[i];
}

static long
result_of(const held_regs *r)
{
	return (long)r->regs[0];
}

static void
set_result(held_regs *r, long ret)
{
	r->regs[0] = (uint64_t)ret;
	r->pc += 4;			/* past the svc */
}
#endif

/*
 * Wait for the held thread's next stop. Its end is reaped here, where it
 * is this process's to reap as its tracer; the program's own status is
 * kept for supervisor_reaped().
 */
static int
wait_stop(struct held *h, int *status)
{
	pid_t got;

	while ((got = waitpid(h->tid, status, __WALL)) < 0 && errno == EINTR)
		;
	if (got != h->tid) {
		h->tid = 0;
		return -1;
	}
	if (WIFSTOPPED(*status))
		return 0;
	if (got == h->program) {
		h->program_status = *status;
		h->program_reaped = 1;
	}
	h->tid = 0;			/* gone: no longer traced */
	errno = ESRCH;
	return -1;
}

/* The thread's signal mask, all blocked while held; 0, or -1. */
static int
block_signals(struct held *h)
{
	uint64_t all = ~(uint64_t)0;

	return ptrace(PTRACE_GETSIGMASK, h->tid, (void *)KERNEL_SIGSET_SIZE,
	    &h->mask) == 0 && ptrace(PTRACE_SETSIGMASK, h->tid,
	    (void *)KERNEL_SIGSET_SIZE, &all) == 0 ? 0 : -1;
}

/* The thread as it was: its registers and its mask. */
static void
put_back(struct held *h, const held_regs *regs)
{
	(void)set_regs(h->tid, regs);
	(void)ptrace(PTRACE_SETSIGMASK, h->tid, (void *)KERNEL_SIGSET_SIZE,
	    &h->mask);
}

/* Let the thread go from any stop, with the signal it stopped for. */
static void
detach(struct held *h, int status)
{
	int sig = 0;

	/* A signal-delivery-stop: the signal is still the thread's. */
	if (status >> 16 == 0 && WSTOPSIG(status) != SYSCALL_STOP)
		sig = WSTOPSIG(status);
	(void)ptrace(PTRACE_DETACH, h->tid, NULL, (void *)(uintptr_t)sig);
	h->tid = 0;
}

int
hold_seize(struct held *h, pid_t tid)
{
	h->tid = 0;
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(uintptr_t)
	    (PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) != 0)
		return -1;
	h->tid = tid;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) != 0) {
		/* Seized, so only its end can refuse: wait for it. */
		int status;

		if (wait_stop(h, &status) == 0)
			detach(h, status);
		return -1;
	}
	return 0;
}

/*
 * After the answer: wait for the stop, and check that it is at the restart
 * of the call notified (nr, and its first three arguments).
 */
int
hold_stopped(struct held *h, long nr, const uint64_t args[3])
{
	int status;

	if (wait_stop(h, &status) != 0)
		return -1;
	if (status >> 16 != PTRACE_EVENT_STOP || WSTOPSIG(status) != SIGTRAP ||
	    get_regs(h->tid, &h->saved) != 0 ||
	    !at_restart(h->tid, &h->saved, nr, args)) {
		/* A group-stop, or not at the call: it stays as it is. */
		detach(h, status);
		errno = EAGAIN;
		return -1;
	}
	if (block_signals(h) != 0) {
		detach(h, status);
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

/*
 * Make a call as the held thread: its result (0 or more, or -errno) in
 * *ret, and 0. -1 when the thread is no longer held: it went on to take a
 * signal (the call was not made), or it is gone.
 */
int
hold_call(struct held *h, long nr, const uint64_t args[6], long *ret)
{
	held_regs regs = h->saved;
	int status;

	set_call(&regs, nr, args);
	if (set_regs(h->tid, &regs) != 0)
		goto lost;
	for (int stops = 0; stops < 2; stops++) {	/* entry, then exit */
		if (ptrace(PTRACE_SYSCALL, h->tid, NULL, NULL) != 0 ||
		    wait_stop(h, &status) != 0)
			goto lost;
		if (status >> 16 != 0 || WSTOPSIG(status) != SYSCALL_STOP) {
			/* SIGSTOP, before the call: back as it was. */
			put_back(h, &h->saved);
			detach(h, status);
			errno = EINTR;
			return -1;
		}
	}
	if (get_regs(h->tid, &regs) != 0)
		goto lost;
	*ret = result_of(&regs);
	return 0;
lost:
	if (h->tid != 0)
		hold_let_go(h);
	return -1;
}

/* The held call returns ret (0 or -errno), and the thread goes on. */
void
hold_release(struct held *h, long ret)
{
	held_regs regs = h->saved;

	set_result(&regs, ret);
	put_back(h, &regs);
	(void)ptrace(PTRACE_DETACH, h->tid, NULL, NULL);
	h->tid = 0;
}

/* The held call restarts, as if the thread had never stopped. */
void
hold_let_go(struct held *h)
{
	put_back(h, &h->saved);
	(void)ptrace(PTRACE_DETACH, h->tid, NULL, NULL);
	h->tid = 0;
}

/*
 * Whether the supervisor may hold the program's threads, tried on the
 * program itself before it starts (it waits on a read): 0, or -1 with errno.
 */
int
hold_possible(pid_t pid)
{
	struct held h = { 0 };
	int status;

	h.program = pid;
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0)
		return -1;
	h.tid = pid;
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) != 0 ||
	    wait_stop(&h, &status) != 0)
		return -1;
	detach(&h, status);
	return 0;
}
#else
/* Where the supervisor does not run, nothing is held. */
int
hold_seize(struct held *h, pid_t tid)
{
	(void)h;
	(void)tid;
	errno = ENOSYS;
	return -1;
}

int
hold_stopped(struct held *h, long nr, const uint64_t args[3])
{
	(void)h;
	(void)nr;
	(void)args;
	errno = ENOSYS;
	return -1;
}

int
hold_call(struct held *h, long nr, const uint64_t args[6], long *ret)
{
	(void)h;
	(void)nr;
	(void)args;
	(void)ret;
	errno = ENOSYS;
	return -1;
}

void
hold_release(struct held *h, long ret)
{
	(void)h;
	(void)ret;
}

void
hold_let_go(struct held *h)
{
	(void)h;
}

int
hold_possible(pid_t program)
{
	(void)program;
	errno = ENOSYS;
	return -1;
}
#endif
