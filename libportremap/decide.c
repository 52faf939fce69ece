/*
 * Whether this process may bind privileged ports, asked at every bind in
 * auto mode, because servers drop privileges at run time.
 */
#include <stdint.h>

#include "portremap.h"
#include "sys.h"

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

/*
 * Set once the capability is in neither the effective nor the permitted
 * set: from then on only an exec can bring it back, and exec starts afresh,
 * so later binds need not ask the kernel again.
 */
static int capability_gone;

/* Does this thread hold CAP_NET_BIND_SERVICE in its effective set? */
int
has_bind_capability(void)
{
	struct cap_header header = { CAP_VERSION_3, 0 };
	struct cap_data data[2];
	uint32_t bit = UINT32_C(1) << CAP_NET_BIND_SERVICE;

	if (__atomic_load_n(&capability_gone, __ATOMIC_RELAXED))
		return 0;
	if (sys_capget(&header, data) < 0)
		return sys_geteuid() == 0;
	if ((data[0].effective & bit) == 0 && (data[0].permitted & bit) == 0)
		__atomic_store_n(&capability_gone, 1, __ATOMIC_RELAXED);
	return (data[0].effective & bit) != 0;
}
