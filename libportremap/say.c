/*
 * What a remapped bind or connect is reported with. The library says it of its own
 * process; portremap's supervisor says it of the program it supervises, in
 * the same words.
 */
#include <errno.h>

#include "format.h"
#include "log.h"
#include "say.h"

/* The failures a user must hear of; others only at PORTREMAP_LOG=2. */
int
worth_saying(int err)
{
	return err == EADDRINUSE || err == EACCES || err == EADDRNOTAVAIL;
}

void
say_remap(long pid, unsigned uid, enum remap_mode mode, int capable,
    const struct sockaddr *addr, unsigned port, unsigned target)
{
	char from[ENDPOINT_MAX], to[ENDPOINT_MAX], why[96];

	if (mode == MODE_AUTO && capable)
		format(why, sizeof(why), "uid %u lacks CAP_NET_BIND_SERVICE in "
		    "this network namespace", uid);
	else if (mode == MODE_AUTO)
		format(why, sizeof(why), "uid %u lacks CAP_NET_BIND_SERVICE",
		    uid);
	else if (mode == MODE_ALWAYS)
		format(why, sizeof(why), "mode always");
	else
		format(why, sizeof(why), "port %u refused with EACCES", port);
	format_endpoint(from, sizeof(from), addr, port);
	format_endpoint(to, sizeof(to), addr, target);
	pr_log_for(pid, "bind %s -> %s (%s)", from, to, why);
}

void
say_remap_failed(long pid, const struct sockaddr *addr, unsigned port,
    unsigned target, int err, int bound_directly_before)
{
	char from[ENDPOINT_MAX], to[ENDPOINT_MAX];

	format_endpoint(from, sizeof(from), addr, port);
	format_endpoint(to, sizeof(to), addr, target);
	if (err == EADDRINUSE)
		pr_log_for(pid, "bind %s -> %s failed: port %u is already in "
		    "use; it is the remap target of port %u (PORTREMAP_MAP)%s",
		    from, to, target, port, bound_directly_before ?
		    "; this process bound it itself before, and may still "
		    "hold it" : "");
	else if (err == EACCES)
		pr_log_for(pid, "bind %s -> %s failed: the kernel refuses port "
		    "%u too (EACCES: ip_unprivileged_port_start is above it in "
		    "this network namespace); map port %u below that", from, to,
		    target, port);
	else if (err == EADDRNOTAVAIL)
		pr_log_for(pid, "bind %s -> %s failed: the address is not "
		    "available (EADDRNOTAVAIL)", from, to);
	else
		pr_log_for(pid, "bind %s -> %s failed: errno %d", from, to, err);
}

void
say_connect(long pid, const struct sockaddr *addr, unsigned port,
    unsigned target)
{
	char from[ENDPOINT_MAX], to[ENDPOINT_MAX];

	format_endpoint(from, sizeof(from), addr, port);
	format_endpoint(to, sizeof(to), addr, target);
	pr_log_for(pid, "connect %s -> %s (PORTREMAP_CONNECT=loopback)", from,
	    to);
}
