/*
 * What every file of libportremap shares. Nothing the headers declare is
 * exported: the library is built with -fvisibility=hidden and a version
 * script, each header also declares hidden (so that the compiler reaches
 * globals without the GOT), and only the wrapped libc functions are marked
 * PR_EXPORT.
 */
#ifndef PORTREMAP_COMMON_H
#define PORTREMAP_COMMON_H

#define PR_EXPORT	__attribute__((visibility("default")))
#define PR_UNLIKELY(x)	__builtin_expect(!!(x), 0)
#define PR_NOINLINE	__attribute__((noinline))

/* Bytes of a sockaddr_in or sockaddr_in6 up to the end of the port field. */
#define PORT_END	4

#endif
