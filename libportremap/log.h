/* Diagnostics on stderr, only where a log can be (log.c). */
#ifndef PORTREMAP_LOG_H
#define PORTREMAP_LOG_H

#include "common.h"

#pragma GCC visibility push(hidden)

void pr_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_log_for(long pid, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pr_log_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#pragma GCC visibility pop

#endif
