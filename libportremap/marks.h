/* What this process did on each target port, and the socket tag. */
#ifndef PORTREMAP_MARKS_H
#define PORTREMAP_MARKS_H

#include <stdint.h>

#include "common.h"
#include "map.h"

#pragma GCC visibility push(hidden)

/*
 * marks.c: one 32-bit entry per port, indexed by the port as it sits in a
 * sockaddr (network byte order), so that getsockname() moves bytes without
 * swapping them. Bits 0-1: what this process did with its own sockets on
 * that port; bit 2: log each rewrite; bits 16-31: the source port, in
 * network byte order, when the port is a remap target. A mark is written
 * together with its source, so an entry with a mark always has one.
 */

#define MARK_REMAPPED	1	/* this process remapped a socket onto the port */
#define MARK_DIRECT	2	/* this process bound a socket to it directly */
#define MARKS		3
#define LOG_EACH	4	/* PORTREMAP_LOG=2: every rewrite is logged */
#define SOURCE_SHIFT	16

extern uint32_t pr_ports[65536];

static inline unsigned
net16(unsigned port)
{
	uint16_t raw;
	unsigned char b[2] = { (unsigned char)(port >> 8), (unsigned char)port };

	__builtin_memcpy(&raw, b, 2);
	return raw;
}

static inline uint32_t
port_entry_raw(unsigned raw)
{
	return __atomic_load_n(&pr_ports[raw], __ATOMIC_RELAXED);
}

static inline uint32_t
port_entry(unsigned port)
{
	return port_entry_raw(net16(port));
}

static inline unsigned
entry_source(uint32_t entry)
{
	return net16(entry >> SOURCE_SHIFT);	/* the swap is its own inverse */
}

static inline unsigned
port_marks(unsigned port)
{
	return port_entry(port) & MARKS;
}

static inline void
mark_port(unsigned target, unsigned source, unsigned bits)
{
	__atomic_fetch_or(&pr_ports[net16(target)],
	    (uint32_t)net16(source) << SOURCE_SHIFT | bits, __ATOMIC_RELAXED);
}

void ports_fill(const struct port_map *, int log_each);

/* For getpeername(): what this process connected to each target port. */
#define PEER_REMAPPED	1	/* a connect to the source was sent here */
#define PEER_DIRECT	2	/* a connect asked for this port itself */

extern unsigned char pr_peer_marks[65536];

static inline void
mark_peer(unsigned port, unsigned bits)
{
	__atomic_fetch_or(&pr_peer_marks[port], bits, __ATOMIC_RELAXED);
}

void tag_socket(int fd);
int socket_is_tagged(int fd);

/*
 * Should a socket whose kernel port is a remap target report the source?
 * Memory answers when all of this process's own binds there were of one
 * kind; otherwise (both kinds, or none: a socket inherited across exec or
 * received from another process) the socket itself does.
 */
static inline int
reports_source(int fd, unsigned target)
{
	unsigned marks = port_marks(target);

	if (marks == MARK_REMAPPED)
		return 1;
	if (marks == MARK_DIRECT)
		return 0;
	return socket_is_tagged(fd);
}

#pragma GCC visibility pop

#endif
