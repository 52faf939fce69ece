/* Log text without stdio: a small formatter (format.c). */
#ifndef PORTREMAP_FORMAT_H
#define PORTREMAP_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

#include "common.h"

#pragma GCC visibility push(hidden)

size_t format(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));
size_t vformat(char *, size_t, const char *, va_list)
    __attribute__((format(printf, 3, 0)));
void format_endpoint(char *, size_t, const void *addr, unsigned port);

#pragma GCC visibility pop

#endif
