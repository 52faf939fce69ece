/* The lines remaps are reported with (say.c), for any process. */
#ifndef PORTREMAP_SAY_H
#define PORTREMAP_SAY_H

#include <sys/socket.h>

#include "common.h"
#include "settings.h"

#pragma GCC visibility push(hidden)

#define ENDPOINT_MAX	64

int worth_saying(int err);
void say_remap(long pid, unsigned uid, enum remap_mode, int capable,
    const struct sockaddr *addr, unsigned port, unsigned target);
void say_remap_failed(long pid, const struct sockaddr *addr, unsigned port,
    unsigned target, int err, int bound_directly_before);
void say_connect(long pid, const struct sockaddr *addr, unsigned port,
    unsigned target);

#pragma GCC visibility pop

#endif
