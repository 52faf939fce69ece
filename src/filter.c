/*
 * The seccomp filter the program runs under: its bind() and getsockname()
 * (and connect() and getpeername() with --connect loopback) go to the
 * supervisor, everything else to the kernel. A 32-bit program's bind goes
 * to the supervisor too, which cannot remap it but says so.
 *
 * Since Linux 5.19 a thread whose call the supervisor has received waits
 * for the answer unmoved by signals (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV):
 * a signal then never makes the kernel restart a call that the supervisor
 * has already made. Older kernels restart it, which notify.c answers.
 *
 * The filter is a mechanism, not a sandbox: before Linux 5.16 a seccomp
 * filter also turned on the costly speculation mitigations (SSBD, STIBP)
 * for the program, where the CPU has them. SECCOMP_FILTER_FLAG_SPEC_ALLOW
 * leaves the program the ones it would have had without portremap.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "kernel.h"
#include "supervise.h"

#define SOCKETCALL_BIND		2	/* socketcall()'s first argument */

#define FLAGS	\
    (SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_SPEC_ALLOW)

#define FIELD(f)	((uint32_t)offsetof(struct seccomp_data, f))

#ifdef ARCH_NATIVE
enum { TO_NEXT, TO_ALLOW, TO_NOTIFY, TO_FOREIGN };

struct program_text {
	struct sock_filter	insn[24];
	uint8_t			to[24];		/* where a jeq goes when equal */
	uint8_t			otherwise[24];	/* and when not */
	unsigned		n, foreign;
};

static void
load(struct program_text *p, uint32_t field)
{
	p->insn[p->n++] = (struct sock_filter){ BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    field };
}

static void
jump_if(struct program_text *p, uint32_t value, uint8_t to, uint8_t otherwise)
{
	p->to[p->n] = to;
	p->otherwise[p->n] = otherwise;
	p->insn[p->n++] = (struct sock_filter){ BPF_JMP | BPF_JEQ | BPF_K, 0, 0,
	    value };
}

/* Jumps are relative: resolve them once the end is known. */
static void
resolve(struct program_text *p, unsigned allow, unsigned notify)
{
	for (unsigned i = 0; i < p->n; i++) {
		const unsigned where[] = { i + 1, allow, notify, p->foreign };

		if (p->insn[i].code != (BPF_JMP | BPF_JEQ | BPF_K))
			continue;
		p->insn[i].jt = (uint8_t)(where[p->to[i]] - i - 1);
		p->insn[i].jf = (uint8_t)(where[p->otherwise[i]] - i - 1);
	}
}

static int
seccomp(unsigned op, unsigned long flags, void *arg)
{
	return (int)syscall(SYS_seccomp, op, flags, arg);
}

int
install_filter(int loopback, int interruptible, int *killable)
{
	const long calls[] = { SYS_bind, SYS_getsockname, SYS_connect,
	    SYS_getpeername };
	struct program_text p = { .n = 0 };
	struct sock_fprog prog;
	unsigned count = loopback ? 4 : 2, allow, notify;
	int listener;

	load(&p, FIELD(arch));
	jump_if(&p, ARCH_NATIVE, TO_NEXT, TO_FOREIGN);
	load(&p, FIELD(nr));
	for (unsigned i = 0; i < count; i++)
		jump_if(&p, (uint32_t)calls[i], TO_NOTIFY, TO_NEXT);
	p.insn[p.n++] = (struct sock_filter){ BPF_RET, 0, 0, SECCOMP_RET_ALLOW };
	p.foreign = p.n;
	jump_if(&p, ARCH_FOREIGN, TO_NEXT, TO_ALLOW);
	load(&p, FIELD(nr));
	jump_if(&p, FOREIGN_BIND, TO_NOTIFY, TO_NEXT);
#ifdef FOREIGN_SOCKETCALL
	jump_if(&p, FOREIGN_SOCKETCALL, TO_NEXT, TO_ALLOW);
	load(&p, FIELD(args[0]));	/* its low half, on little-endian */
	jump_if(&p, SOCKETCALL_BIND, TO_NOTIFY, TO_ALLOW);
#endif
	allow = p.n;
	p.insn[p.n++] = (struct sock_filter){ BPF_RET, 0, 0, SECCOMP_RET_ALLOW };
	notify = p.n;
	p.insn[p.n++] = (struct sock_filter){ BPF_RET, 0, 0,
	    SECCOMP_RET_USER_NOTIF };
	resolve(&p, allow, notify);
	prog.len = (unsigned short)p.n;
	prog.filter = p.insn;
	*killable = 0;
	if (!interruptible) {
		listener = seccomp(SECCOMP_SET_MODE_FILTER, FLAGS |
		    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
		*killable = listener >= 0;
		if (listener >= 0 || errno != EINVAL)
			return listener;
	}
	return seccomp(SECCOMP_SET_MODE_FILTER, FLAGS, &prog);
}
#else
int
install_filter(int loopback, int interruptible, int *killable)
{
	(void)loopback;
	(void)interruptible;
	*killable = 0;
	errno = ENOSYS;
	return -1;
}
#endif
