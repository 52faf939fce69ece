/*
 * Whether a bind on a mapped port is remapped. In auto mode the answer is
 * taken at every bind, because servers drop (and regain) privileges at run
 * time.
 */
#include <sys/syscall.h>

#include <stdint.h>
#include <unistd.h>

#include "portremap.h"

#define CAP_VERSION_3		0x20080522
#define CAP_NET_BIND_SERVICE	10

/* Declared here: the kernel's and libcap's headers may not be installed. */
struct cap_header {
	uint32_t	version;
	int		pid;
};

struct cap_data {
	uint32_t	effective;
	uint32_t	permitted;
	uint32_t	inheritable;
};

enum bind_action
decide(enum remap_mode mode, int capable)
{
	switch (mode) {
	case MODE_AUTO:
		return capable ? ACTION_KEEP : ACTION_REMAP;
	case MODE_ALWAYS:
		return ACTION_REMAP;
	case MODE_FALLBACK:
		return ACTION_TRY_FIRST;
	case MODE_OFF:
		break;
	}
	return ACTION_KEEP;
}

/* Does this thread hold CAP_NET_BIND_SERVICE in its effective set? */
int
has_bind_capability(void)
{
	struct cap_header header = { CAP_VERSION_3, 0 };
	struct cap_data data[2];

	if (syscall(SYS_capget, &header, data) != 0)
		return geteuid() == 0;
	return (data[0].effective >> CAP_NET_BIND_SERVICE) & 1;
}
