#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

#include <sys/socket.h>

struct fake_kernel {
	struct sockaddr_storage	bound;
	socklen_t		bound_len;
	unsigned		binds;
};

extern struct fake_kernel fake;

#endif
