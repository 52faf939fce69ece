/* Whether a mapped bind is remapped, and what the kernel is asked. */
#ifndef PORTREMAP_DECIDE_H
#define PORTREMAP_DECIDE_H

#include "common.h"
#include "settings.h"

#pragma GCC visibility push(hidden)

/*
 * Whether a bind on a mapped port is remapped (decide.c: the capability).
 * A thread with the capability still tries the port first: the kernel
 * alone knows whether the capability reaches the socket's network
 * namespace (it does not for root in a user namespace on a network
 * namespace that namespace does not own).
 */

enum bind_action { ACTION_KEEP, ACTION_REMAP, ACTION_TRY_FIRST };

int has_bind_capability(void);
#define TRANSPORT_STREAM	1
#define TRANSPORT_DATAGRAM	2

int socket_transport(int fd);

static inline enum bind_action
decide(enum remap_mode mode, int capable)
{
	switch (mode) {
	case MODE_AUTO:
		return capable ? ACTION_TRY_FIRST : ACTION_REMAP;
	case MODE_ALWAYS:
		return ACTION_REMAP;
	case MODE_FALLBACK:
		return ACTION_TRY_FIRST;
	case MODE_OFF:
		break;
	}
	return ACTION_KEEP;
}

#pragma GCC visibility pop

#endif
