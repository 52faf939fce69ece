/*
 * Many threads binding, accepting and calling getsockname() at once, their
 * first calls released together so that the library's first use races too.
 * Usage: stress SOURCE OFFSET	(threads use SOURCE.., mapped by +OFFSET)
 * Prints "stress ok ..." and exits 0 when every answer was right.
 */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loopback.h"

#define THREADS	8
#define ROUNDS	150

static unsigned first_source, offset;
static pthread_barrier_t start;
static int failures;

static void
fail(const char *what, unsigned got, unsigned want)
{
	fprintf(stderr, "stress: %s: port %u, expected %u\n", what, got, want);
	__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

static unsigned
port_of(int fd)
{
	struct sockaddr_in in;
	socklen_t len = sizeof(in);

	if (getsockname(fd, (struct sockaddr *)&in, &len) != 0)
		return 0;
	return ntohs(in.sin_port);
}

static int
listener(unsigned port)
{
	int fd = loopback_listener(port, 64);

	if (fd < 0) {
		fprintf(stderr, "stress: bind/listen %u: %s\n", port,
		    strerror(errno));
		__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	}
	return fd;
}

static void *
worker(void *arg)
{
	unsigned source = first_source + (unsigned)(uintptr_t)arg;
	struct sockaddr_in target = loopback(source + offset);
	unsigned direct_port;
	int remapped, direct;

	pthread_barrier_wait(&start);
	if ((remapped = listener(source)) < 0 || (direct = listener(0)) < 0)
		return NULL;
	direct_port = port_of(direct);
	if (port_of(remapped) != source)
		fail("remapped listener", port_of(remapped), source);
	for (int round = 0; round < ROUNDS; round++) {
		int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int accepted;
		unsigned port;

		if (connect(client, (struct sockaddr *)&target,
		    sizeof(target)) != 0) {
			fail("connect", source + offset, 0);
			close(client);
			break;
		}
		accepted = accept4(remapped, NULL, NULL, SOCK_CLOEXEC);
		if ((port = port_of(accepted)) != source)
			fail("accepted", port, source);
		if ((port = port_of(client)) == source || port < 1024)
			fail("client", port, 0);
		if ((port = port_of(direct)) != direct_port)
			fail("direct listener", port, direct_port);
		close(client);
		close(accepted);
	}
	if (port_of(remapped) != source)
		fail("remapped listener at the end", port_of(remapped), source);
	close(remapped);
	close(direct);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t threads[THREADS];

	if (argc != 3)
		return 2;
	first_source = (unsigned)atoi(argv[1]);
	offset = (unsigned)atoi(argv[2]);
	pthread_barrier_init(&start, NULL, THREADS);
	for (uintptr_t i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, worker, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	if (failures != 0) {
		printf("stress failed: %d wrong answers\n", failures);
		return 1;
	}
	printf("stress ok: %d threads, %d connections each\n", THREADS, ROUNDS);
	return 0;
}
