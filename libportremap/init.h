/* What is published at load (init.c), and what the wrappers call next. */
#ifndef PORTREMAP_INIT_H
#define PORTREMAP_INIT_H

#include <sys/socket.h>

#include "common.h"
#include "real.h"
#include "settings.h"

#pragma GCC visibility push(hidden)

/*
 * init.c: everything the environment and the dynamic loader decide, done
 * once when the library is loaded. pr_settings_state is SETTINGS_UNREAD,
 * SETTINGS_READY, or, while one process publishes, minus its pid.
 */
#define SETTINGS_UNREAD		0
#define SETTINGS_READY		1

extern struct settings pr_published_settings;
extern int pr_settings_state;

void pr_init(void);
const struct settings *settings_now(struct settings *scratch);
void settings_report(void);

/* The published settings, or NULL while they are not. */
static inline const struct settings *
settings_ready(void)
{
	return __atomic_load_n(&pr_settings_state, __ATOMIC_ACQUIRE) ==
	    SETTINGS_READY ? &pr_published_settings : NULL;
}

/*
 * What the wrappers call next: until the library is initialised, functions
 * that initialise it first; then libc's, or the loopback remapping.
 */
extern getname_fn pr_getsockname_next;
extern bind_fn pr_connect_next;
extern getname_fn pr_getpeername_next;

void connect_publish(const struct settings *, int error_pending);

#pragma GCC visibility pop

#endif
