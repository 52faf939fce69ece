/*
 * Unmodified real servers configured for port 80, run as an unprivileged
 * user under the library, with LD_PRELOAD and through `portremap --`.
 * Each test maps 80 to a port of its own, but one uses the default map.
 */
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
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
	http_server(ENV("PORTREMAP_MAP=80:20801"), ARGV(PYTHON3, "-u",
	    "-m", "http.server", "--bind", "::", "80"), 20801);
}

Test(servers, cpython_http_server_through_portremap, .timeout = 60)
{
	http_server(ENV("LD_PRELOAD="), ARGV(staged("portremap"), "-m",
	    "80:20802", "--", PYTHON3, "-u", "-m", "http.server",
	    "--bind", "::", "80"), 20802);
}

/* nginx with examples/nginx/nginx.conf, in a prefix the user can write. */
static void
nginx(const char *const env[], int through_portremap, unsigned port)
{
	char prefix[] = "/tmp/portremap-nginx.XXXXXX", conf[128], copy[300];
	struct proc p;

	if (access("/usr/sbin/nginx", X_OK) != 0)
		cr_skip_test("nginx is not installed (apt-get install nginx-light)");
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

/* The pid in an nginx pid file, or 0. */
static pid_t
read_pid(const char *prefix, const char *name)
{
	char path[300];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/%s", prefix, name);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

/* Wait up to ten seconds (scaled) for cond(pid) to hold. */
static int
wait_until(int (*cond)(pid_t, const char *), pid_t pid, const char *prefix)
{
	for (unsigned i = 0; i < 100 * time_scale(); i++) {
		if (cond(pid, prefix))
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

/*
 * The master has started its workers, so it blocks signals and takes
 * SIGUSR2 in its loop: one that came earlier would wait for another signal.
 */
static int
master_ready(pid_t master, const char *prefix)
{
	char path[300], line[512];
	int ready = 0;
	FILE *f;

	(void)master;
	snprintf(path, sizeof(path), "%s/error.log", prefix);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (!ready && fgets(line, sizeof(line), f) != NULL)
		ready = strstr(line, "start worker process ") != NULL;
	fclose(f);
	return ready;
}

static int
new_master_started(pid_t old, const char *prefix)
{
	pid_t now = read_pid(prefix, "nginx.pid");

	return now != 0 && now != old && read_pid(prefix, "nginx.pid.oldbin") ==
	    old;
}

static int
gone(pid_t pid, const char *prefix)
{
	(void)prefix;
	return kill(pid, 0) != 0;
}

/*
 * nginx's binary upgrade (SIGUSR2) starts the new binary with a cleared
 * environment; the example's `env` lines keep the library there, so the new
 * master takes its inherited sockets as port 80 instead of binding 80 again.
 * As a daemon: nginx upgrades only a master whose parent is gone.
 */
Test(servers, nginx_binary_upgrade_keeps_the_library, .timeout = 90)
{
	char prefix[] = "/tmp/portremap-nginx.XXXXXX", conf[128], log[128];
	char cmd[600], reply[8192], errors[4096] = "";
	struct proc p;
	pid_t old = 0, new = 0;
	int upgraded = 0, old_gone = 0, served = 0;
	FILE *f;

	if (access("/usr/sbin/nginx", X_OK) != 0)
		cr_skip_test("nginx is not installed (apt-get install nginx-light)");
	cr_assert(mkdtemp(prefix) != NULL);
	chmod(prefix, 0777);
	snprintf(conf, sizeof(conf), "%s/nginx.conf", prefix);
	snprintf(log, sizeof(log), "%s/error.log", prefix);
	/*
	 * Its log in a file: a daemon logging to stderr would hold the
	 * harness's pipe open, and proc_run() would wait out its timeout.
	 */
	snprintf(cmd, sizeof(cmd), "sed 's|^error_log stderr|error_log %s|' "
	    "%s >%s && chmod 644 %s", log, staged("nginx.conf"), conf, conf);
	cr_assert(system(cmd) == 0);
	proc_run(&p, UNPRIVILEGED, ENV("PORTREMAP_MAP=80:20806"),
	    ARGV("/usr/sbin/nginx", "-e", log, "-p", prefix, "-c", conf));
	if (p.status == 0 && wait_listening("127.0.0.1", 20806) == 0 &&
	    (old = read_pid(prefix, "nginx.pid")) != 0) {
		(void)wait_until(master_ready, old, prefix);
		kill(old, SIGUSR2);
		upgraded = wait_until(new_master_started, old, prefix);
		new = read_pid(prefix, "nginx.pid");
		kill(old, SIGQUIT);
		old_gone = wait_until(gone, old, prefix);
		served = http_get("127.0.0.1", 20806, "/", reply,
		    sizeof(reply)) == 0 && strstr(reply,
		    "hello from nginx on port 80\n") != NULL &&
		    http_get("::1", 20806, "/", reply, sizeof(reply)) == 0 &&
		    strstr(reply, "hello from nginx on port 80\n") != NULL;
	}
	/* Stop whatever runs before asserting: nginx outlives the test. */
	if (new != 0 && new != old) {
		kill(new, SIGQUIT);
		wait_until(gone, new, prefix);
	}
	if (old != 0 && !gone(old, prefix))
		kill(old, SIGKILL);
	if ((f = fopen(log, "r")) != NULL) {
		errors[fread(errors, 1, sizeof(errors) - 1, f)] = '\0';
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", prefix);
	(void)!system(cmd);
	cr_assert_eq(p.status, 0, "nginx did not start:\n%s\n%s", p.errbuf,
	    errors);
	cr_assert(old != 0, "no master:\n%s", errors);
	cr_assert(upgraded, "no new master after SIGUSR2:\n%s", errors);
	cr_assert(old_gone, "the old master did not quit:\n%s", errors);
	cr_assert(served, "the new master did not answer as port 80:\n%s",
	    errors);
	cr_assert(strstr(errors, "failed (13") == NULL, "%s", errors);
}

/*
 * systemd-socket-activate passes a few variables only: the program it
 * starts needs -E for the library, else it sees its socket as the target.
 */
static void
socket_activated(const char *map, unsigned port, const char *const argv[],
    const char *line)
{
	struct proc p;

	if (access("/usr/bin/systemd-socket-activate", X_OK) != 0)
		cr_skip_test("systemd-socket-activate is not installed (apt-get "
		    "install systemd)");
	proc_start(&p, UNPRIVILEGED, ENV(map), argv);
	/* It starts the program at the first connection. */
	cr_assert_eq(wait_listening("127.0.0.1", port), 0, "%s", p.errbuf);
	proc_finish(&p);
	expect_out(&p, line);
}

Test(servers, systemd_socket_activate_with_E_keeps_the_library)
{
	socket_activated("PORTREMAP_MAP=80:20807", 20807,
	    ARGV("/usr/bin/systemd-socket-activate", "-E",
	    "LD_PRELOAD", "-E", "PORTREMAP_MAP", "-l", "80", staged("probe"),
	    "adopt=3", "name"), "name port=80 len=28 family=10");
}

Test(servers, systemd_socket_activate_without_E_loses_it)
{
	socket_activated("PORTREMAP_MAP=80:20808", 20808,
	    ARGV("/usr/bin/systemd-socket-activate", "-l", "80",
	    staged("probe"), "adopt=3", "name"),
	    "name port=20808 len=28 family=10");
}
