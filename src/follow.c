/*
 * The supervisor acts with the program's rights: before it binds or
 * connects for a thread, it takes that thread's credentials (user and group
 * ids, supplementary groups, capabilities), so that the kernel refuses it
 * what the kernel would refuse the thread. A program that changes user
 * (gosu, su-exec, setpriv, or its own setuid()) is followed there, which
 * also keeps its memory and sockets within reach without CAP_SYS_PTRACE.
 *
 * Capabilities held in another user namespace do not reach the networks
 * this one owns, so a thread in another user namespace lends none. Only
 * CAP_SYS_PTRACE is kept when the supervisor has it: it lets the supervisor
 * reach a program that is not dumpable, and grants no port.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "supervise.h"

#define BIT(cap)	(UINT64_C(1) << (cap))

/* The ids on a "Uid:" or "Gid:" line: real, effective, saved, fs. */
static int
parse_ids(const char *s, unsigned ids[4])
{
	char *end;

	for (int i = 0; i < 4; i++) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s)
			return -1;
		ids[i] = (unsigned)v;
		s = end;
	}
	return 0;
}

static int
parse_groups(const char *s, struct creds *c)
{
	char *end;

	c->ngroups = 0;
	for (;;) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s)
			return 0;
		if (c->ngroups == GROUPS_MAX)
			return -1;
		c->groups[c->ngroups++] = (gid_t)v;
		s = end;
	}
}

static int
userns_of(pid_t tid, struct creds *c)
{
	char path[64];
	struct stat st;

	if (tid == 0)
		snprintf(path, sizeof(path), "/proc/self/ns/user");
	else
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)tid);
	/*
	 * A thread out of reach (not dumpable) hides its namespaces: taken
	 * for another one's, it lends no capability.
	 */
	if (stat(path, &st) != 0)
		return errno == EACCES || errno == EPERM ? 0 : -1;
	c->userns_dev = st.st_dev;
	c->userns_ino = st.st_ino;
	return 0;
}

int
creds_read(pid_t tid, struct creds *c)
{
	char path[64], line[1024];
	unsigned seen = 0;
	FILE *f;

	memset(c, 0, sizeof(*c));
	if (tid == 0)
		snprintf(path, sizeof(path), "/proc/thread-self/status");
	else
		snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Tgid:", 5) == 0)
			c->tgid = (pid_t)strtol(line + 5, NULL, 10), seen |= 1;
		else if (strncmp(line, "Uid:", 4) == 0 &&
		    parse_ids(line + 4, c->uid) == 0)
			seen |= 2;
		else if (strncmp(line, "Gid:", 4) == 0 &&
		    parse_ids(line + 4, c->gid) == 0)
			seen |= 4;
		else if (strncmp(line, "Groups:", 7) == 0 &&
		    parse_groups(line + 7, c) == 0)
			seen |= 8;
		else if (strncmp(line, "CapPrm:", 7) == 0)
			c->cap_prm = strtoull(line + 7, NULL, 16), seen |= 16;
		else if (strncmp(line, "CapEff:", 7) == 0)
			c->cap_eff = strtoull(line + 7, NULL, 16), seen |= 32;
	}
	fclose(f);
	if (seen != 63 || userns_of(tid, c) != 0) {
		errno = seen != 63 ? ESRCH : errno;
		return -1;
	}
	return 0;
}

int
self_holds(unsigned cap)
{
	struct __user_cap_header_struct header = {
		_LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &header, data) != 0)
		return 0;
	return (data[cap / 32].effective >> (cap % 32) & 1) != 0;
}

int
creds_can_bind_privileged(const struct creds *c)
{
	return (c->cap_eff & BIT(CAP_NET_BIND_SERVICE)) != 0;
}

/* What the supervisor should hold to act for a thread holding program. */
static void
wanted(const struct creds *program, const struct creds *self,
    struct creds *want)
{
	uint64_t kept = self->cap_prm & BIT(CAP_SYS_PTRACE);

	*want = *program;
	want->userns_dev = self->userns_dev;
	want->userns_ino = self->userns_ino;
	if (program->userns_dev != self->userns_dev ||
	    program->userns_ino != self->userns_ino)
		want->cap_eff = want->cap_prm = 0;
	want->cap_eff |= kept;
	want->cap_prm |= kept;
}

static int
same(const struct creds *a, const struct creds *b)
{
	/* Real, effective and saved ids: the fs ids follow the effective. */
	return memcmp(a->uid, b->uid, 3 * sizeof(a->uid[0])) == 0 &&
	    memcmp(a->gid, b->gid, 3 * sizeof(a->gid[0])) == 0 &&
	    a->ngroups == b->ngroups &&
	    memcmp(a->groups, b->groups, (size_t)a->ngroups *
	    sizeof(a->groups[0])) == 0 &&
	    a->cap_eff == b->cap_eff && a->cap_prm == b->cap_prm;
}

static int
set_caps(uint64_t eff, uint64_t prm)
{
	struct __user_cap_header_struct header = {
		_LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {
		{ (uint32_t)eff, (uint32_t)prm, 0 },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), 0 },
	};

	return (int)syscall(SYS_capset, &header, data);
}

/*
 * The order the kernel needs: groups and gids while the capabilities to
 * change them are still there, uids with PR_SET_KEEPCAPS so that the
 * permitted set survives, then the capability sets themselves.
 */
static int
take(const struct creds *w, const struct creds *self)
{
	int ret = 0;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
		return -1;
	if ((w->ngroups != self->ngroups || memcmp(w->groups, self->groups,
	    (size_t)w->ngroups * sizeof(w->groups[0])) != 0) &&
	    setgroups((size_t)w->ngroups, w->groups) != 0)
		ret = -1;
	else if (setresgid(w->gid[0], w->gid[1], w->gid[2]) != 0 ||
	    setresuid(w->uid[0], w->uid[1], w->uid[2]) != 0 ||
	    set_caps(w->cap_eff, w->cap_prm) != 0)
		ret = -1;
	(void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return ret;
}

int
creds_follow(struct creds *self, const struct creds *program)
{
	struct creds want;
	int err;

	wanted(program, self, &want);
	if (same(&want, self))
		return 0;
	if (take(&want, self) != 0) {
		err = errno;
		(void)creds_read(0, self);	/* what is held now */
		errno = err;
		return -1;
	}
	return creds_read(0, self) == 0 && same(&want, self) ? 1 : -1;
}
