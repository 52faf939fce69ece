/* The probe's shared state and helpers, for the files that hold its steps. */
#ifndef PROBE_H
#define PROBE_H

#include <sys/socket.h>

#define WAIT_MS		10000
#define MADE_MAX	32

/* The socket steps act on, and every socket the probe made, in order. */
extern int current;
extern int made[MADE_MAX];
extern int made_count;

typedef void (*step_fn)(const char *arg);

struct step {
	const char	*name;	/* "bind=" takes an argument, "name" none */
	step_fn		 fn;
};

extern const struct step hostile_steps[];
extern const struct step supervised_steps[];

int parse_endpoint(const char *, struct sockaddr_storage *, socklen_t *);
void make_socket(int family, int type, int protocol, int v6only);
void print_name(const char *what, int fd);
void do_bind(const char *spec);
int wait_readable(int fd);

#endif
