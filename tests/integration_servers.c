/*
 * Unmodified real servers configured for port 80, run as an unprivileged
 * user under the library, with LD_PRELOAD and through `portremap --`.
 * Each test maps 80 to a port of its own, but one uses the default map.
 */
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void
get_ok(const char *host, unsigned port, const char *expect)
{
	char reply[8192];
	int err = http_get(host, port, "/", reply, sizeof(reply));

	cr_assert_eq(err, 0, "GET http://%s:%u/: %s", host, port, strerror(err));
	cr_assert(strstr(reply, "200 OK") != NULL, "%s", reply);
	cr_assert(strstr(reply, expect) != NULL, "no \"%s\" in:\n%s", expect,
	    reply);
}

static void
refused(const char *host, unsigned port)
{
	char reply[64];

	cr_assert_eq(http_get(host, port, "/", reply, sizeof(reply)),
	    ECONNREFUSED, "%s:%u should not answer", host, port);
}

static void
http_server(const char *const env[], const char *const argv[], unsigned port)
{
	struct proc p;

	proc_start_ready(&p, UNPRIVILEGED, env, argv, "Serving HTTP");
	get_ok("127.0.0.1", port, "Directory listing");
	get_ok("::1", port, "Directory listing");
	proc_stop(&p);
	/* What the app believes: it printed the address it got. */
	cr_assert(strstr(p.outbuf, "Serving HTTP on :: port 80 ") != NULL,
	    "%s", p.outbuf);
	cr_assert(strstr(p.errbuf, "bind [::]:80 -> [::]:") != NULL, "%s",
	    p.errbuf);
}

Test(servers, cpython_http_server_with_ld_preload, .timeout = 60)
{
	http_server(ENV("PORTREMAP_MAP=80:20801"), ARGV("/usr/bin/python3", "-u",
	    "-m", "http.server", "--bind", "::", "80"), 20801);
}

Test(servers, cpython_http_server_through_portremap, .timeout = 60)
{
	http_server(ENV("LD_PRELOAD="), ARGV(staged("portremap"), "-m",
	    "80:20802", "--", "/usr/bin/python3", "-u", "-m", "http.server",
	    "--bind", "::", "80"), 20802);
}

/* nginx with examples/nginx/nginx.conf, in a prefix the user can write. */
static void
nginx(const char *const env[], int through_portremap, unsigned port)
{
	char prefix[] = "/tmp/portremap-nginx.XXXXXX", conf[128], copy[300];
	struct proc p;

	if (access("/usr/sbin/nginx", X_OK) != 0)
		cr_skip_test("nginx is not installed");
	cr_assert(mkdtemp(prefix) != NULL);
	chmod(prefix, 0777);
	snprintf(conf, sizeof(conf), "%s/nginx.conf", prefix);
	snprintf(copy, sizeof(copy), "cp %s %s && chmod 644 %s",
	    staged("nginx.conf"), conf, conf);
	cr_assert(system(copy) == 0);
	if (through_portremap)
		proc_start(&p, UNPRIVILEGED, env, ARGV(staged("portremap"),
		    "--", "/usr/sbin/nginx", "-e", "stderr", "-p", prefix, "-c",
		    conf, "-g", "daemon off;"));
	else
		proc_start(&p, UNPRIVILEGED, env, ARGV("/usr/sbin/nginx", "-e",
		    "stderr", "-p", prefix, "-c", conf, "-g", "daemon off;"));
	if (wait_listening("127.0.0.1", port) != 0) {
		proc_stop(&p);
		cr_assert_fail("nginx did not listen on %u\n%s", port, p.errbuf);
	}
	get_ok("127.0.0.1", port, "hello from nginx on port 80\n");
	get_ok("::1", port, "hello from nginx on port 80\n");
	proc_stop(&p);
	snprintf(copy, sizeof(copy), "rm -rf %s", prefix);
	cr_assert(system(copy) == 0);
	cr_assert(strstr(p.errbuf, "bind 0.0.0.0:80 -> 0.0.0.0:") != NULL,
	    "%s", p.errbuf);
	cr_assert(strstr(p.errbuf, "bind [::]:80 -> [::]:") != NULL, "%s",
	    p.errbuf);
}

Test(servers, nginx_with_ld_preload, .timeout = 60)
{
	nginx(ENV("PORTREMAP_MAP=80:20803"), 0, 20803);
	refused("127.0.0.1", 80);
}

Test(servers, nginx_through_portremap_on_the_default_8080, .timeout = 60)
{
	nginx(ENV("LD_PRELOAD="), 1, 8080);
}
