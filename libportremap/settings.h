/* The settings, parsed from the PORTREMAP_* variables (settings.c). */
#ifndef PORTREMAP_SETTINGS_H
#define PORTREMAP_SETTINGS_H

#include "common.h"
#include "map.h"

#pragma GCC visibility push(hidden)

enum remap_mode { MODE_OFF, MODE_AUTO, MODE_ALWAYS, MODE_FALLBACK };

struct settings {
	int		 active;	/* 0: every call goes to libc untouched */
	enum remap_mode	 mode;
	int		 log_level;
	int		 connect_loopback;	/* PORTREMAP_CONNECT=loopback */
	struct port_map	 map;
};

/* The variables' values, NULL when unset. */
struct settings_text {
	const char	*map;
	const char	*mode;
	const char	*log;
	const char	*connect;
};

int settings_parse(struct settings *, const struct settings_text *,
    char *err, size_t errlen);
void settings_read(struct settings *, char *err, size_t errlen);

#pragma GCC visibility pop

#endif
