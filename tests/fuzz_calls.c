/*
 * libFuzzer target for the wrappers' argument handling, over a fake kernel
 * (fake_kernel.c). Input: fd byte, bind length (2 bytes), getsockname room
 * (2 bytes), the byte the caller's buffer holds before getsockname(), then
 * the address bytes. Checked: the caller's address is never
 * written; getsockname() returns the kernel's length, writes no byte the
 * kernel would not, and changes only the port, from a target to its source.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "settings.h"
#include "init.h"
#include "sockaddr.h"
#include "fake_kernel.h"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int tcp_socket = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("PORTREMAP_MAP", "80:8080,443:8443,1-79:+30000", 1);
	setenv("PORTREMAP_MODE", "always", 1);
	setenv("PORTREMAP_LOG", "0", 1);
	/* The constructor read the environment before this: read it again. */
	pr_settings_state = SETTINGS_UNREAD;
	pr_init();
	/* Only a TCP or UDP socket is remapped; the kernel is asked which. */
	tcp_socket = socket(AF_INET, SOCK_STREAM, 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char addr[300], before[300], out[300], kernel[300];
	const struct settings *s;
	socklen_t len, room, got, written;
	int fd, ret, bound;
	unsigned char fill;
	size_t n;

	if (size < 6)
		return 0;
	/* Odd: a real TCP socket, so the fake kernel's bind is remapped. */
	fd = data[0] & 1 ? tcp_socket : (int)(int8_t)data[0];
	len = (socklen_t)(data[1] | data[2] << 8);
	room = (socklen_t)(data[3] | data[4] << 8) % sizeof(out);
	fill = data[5];
	n = size - 6 < sizeof(addr) ? size - 6 : sizeof(addr);
	memset(addr, 0, sizeof(addr));
	memcpy(addr, data + 6, n);
	memcpy(before, addr, sizeof(addr));

	fake.binds = 0;
	ret = bind(fd, len > sizeof(addr) ? NULL : (struct sockaddr *)addr,
	    len);
	if (memcmp(addr, before, sizeof(addr)) != 0)
		abort();		/* the caller's address was written */
	bound = ret == 0;
	if (!bound)
		return 0;

	/* What the kernel would write, and what the caller gets. */
	memset(kernel, fill, sizeof(kernel));
	memset(out, fill, sizeof(out));
	got = room;
	memcpy(kernel, &fake.bound, room < fake.bound_len ? room :
	    fake.bound_len);
	if (getsockname(fd, (struct sockaddr *)out, &got) != 0)
		abort();
	if (got != fake.bound_len)
		abort();		/* the length must be the kernel's */
	written = room < fake.bound_len ? room : fake.bound_len;
	for (size_t i = 0; i < sizeof(out); i++) {
		if (out[i] == kernel[i])
			continue;
		if (i >= written || (i != 2 && i != 3))
			abort();	/* only port bytes the kernel wrote */
	}
	if (memcmp(out + 2, kernel + 2, 2) != 0) {
		unsigned source;

		s = settings_ready();
		if (s == NULL || written < 3)
			abort();
		source = written >= 4 ? map_source(&s->map,
		    sockaddr_get_port(kernel)) : map_source(&s->map,
		    sockaddr_get_port(&fake.bound));
		if (source == 0 || out[2] != source >> 8 ||
		    (written >= 4 && out[3] != (source & 0xff)))
			abort();	/* and only from a target to its source */
	}
	return 0;
}
