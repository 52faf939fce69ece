/*
 * The mission's own scenario: a real ASP.NET Core app (examples/aspnetapp),
 * configured for port 80, run as an unprivileged user under the library,
 * in each build users ship: .NET 10 framework-dependent, .NET 8
 * self-contained, and NativeAOT. Each runtime's tests map 80 (and 443) to
 * ports of their own (20900, 21000, 21100 and up); the tests that need the
 * default map or the real port 80 take every runtime in turn. A runtime
 * that could not be built here skips, saying why.
 */
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define DOTNET_QUIET	"DOTNET_CLI_TELEMETRY_OPTOUT=1", "DOTNET_NOLOGO=1"
#define STARTED		"      Application started."
#define HELLO_80	"hello from ASP.NET Core on port 80\n"

struct runtime {
	const char	*name;
	const char	*folder;	/* staged next to the library */
	const char	*binary;	/* in it: run by dotnet, or itself */
	int		 needs_dotnet;
	unsigned	 ports;		/* this runtime's tests map onto ports+N */
};

static const struct runtime net10 = { ".NET 10, framework-dependent",
    "aspnetapp", "aspnetapp.dll", 1, 20900 };
static const struct runtime net8 = { ".NET 8, self-contained",
    "aspnetapp-net8", "aspnetapp", 0, 21000 };
static const struct runtime aot = { "NativeAOT", "aspnetapp-aot",
    "aspnetapp", 0, 21100 };
static const struct runtime *const runtimes[] = { &net10, &net8, &aot };

/* Why a runtime cannot run here, or NULL. */
static const char *
unavailable(const struct runtime *r)
{
	static char why[512];
	char path[600];
	FILE *f;

	if (getenv("PORTREMAP_TEST_DOTNET") == NULL ||
	    *getenv("PORTREMAP_TEST_DOTNET") == '\0')
		return "the .NET SDK (dotnet) is not installed (install the .NET SDK)";
	snprintf(path, sizeof(path), "%s/%s", staged(r->folder), r->binary);
	if (access(path, R_OK) == 0)
		return NULL;
	snprintf(path, sizeof(path), "%s.skip", staged(r->folder));
	if ((f = fopen(path, "r")) != NULL) {
		why[fread(why, 1, sizeof(why) - 1, f)] = '\0';
		fclose(f);
		why[strcspn(why, "\n")] = '\0';
		return why;
	}
	return "the app was not built";
}

static void
require(const struct runtime *r)
{
	const char *why = unavailable(r);

	if (why != NULL)
		cr_skip_test("%s: %s", r->name, why);
}

/* The app's command line: [dotnet] app [arg], in argv (four slots). */
static const char *const *
app_argv(const struct runtime *r, const char *argv[4], const char *arg)
{
	static char path[8][600];
	static int next;
	char *p = path[next++ % 8];
	int n = 0;

	snprintf(p, sizeof(path[0]), "%s/%s", staged(r->folder), r->binary);
	if (r->needs_dotnet)
		argv[n++] = getenv("PORTREMAP_TEST_DOTNET");
	argv[n++] = p;
	argv[n++] = arg;
	argv[n] = NULL;
	return argv;
}

static void
get_ok(const char *host, unsigned port, const char *path, const char *expect)
{
	char reply[8192];
	int err = http_get(host, port, path, reply, sizeof(reply));

	cr_assert_eq(err, 0, "GET http://%s:%u%s: %s", host, port, path,
	    strerror(err));
	cr_assert(strstr(reply, expect) != NULL, "no \"%s\" in:\n%s", expect,
	    reply);
}

/* "PORTREMAP_MAP=80:P" for this runtime's port N. */
static const char *
map_80(const struct runtime *r, unsigned n)
{
	static char env[8][64];
	static int next;
	char *e = env[next++ % 8];

	snprintf(e, sizeof(env[0]), "PORTREMAP_MAP=80:%u", r->ports + n);
	return e;
}

/*
 * Served on the runtime's port n, from each address Kestrel bound ("[::]",
 * "0.0.0.0", "127.0.0.1", "[::1]"), remapped and logged, Kestrel saying 80.
 */
static void
serves(const struct runtime *r, const char *urls, const char *arg,
    unsigned n, const char *listening, const char *const binds[])
{
	const char *argv[4];
	struct proc p;
	char from[32], to[32];

	require(r);
	proc_start_ready(&p, UNPRIVILEGED, ENV(DOTNET_QUIET, urls, map_80(r, n)),
	    app_argv(r, argv, arg), STARTED);
	get_ok("127.0.0.1", r->ports + n, "/", HELLO_80);
	for (int i = 0; binds[i] != NULL; i++)
		if (binds[i][0] == '[')
			get_ok("::1", r->ports + n, "/", HELLO_80);
	proc_stop(&p);
	cr_assert(has_line(p.outbuf, listening), "missing \"%s\":\n%s",
	    listening, p.outbuf);
	for (int i = 0; binds[i] != NULL; i++) {
		snprintf(from, sizeof(from), "%s:80", binds[i]);
		snprintf(to, sizeof(to), "%s:%u", binds[i], r->ports + n);
		expect_remap_logged(&p, from, to);
	}
}

#define ANY6		((const char *const[]){ "[::]", NULL })
#define LISTEN_ANY6	"      Now listening on: http://[::]:80"

static void
aspnetcore_urls_port_80(const struct runtime *r)
{
	serves(r, "ASPNETCORE_URLS=http://+:80", NULL, 1, LISTEN_ANY6, ANY6);
}

static void
aspnetcore_urls_localhost_80(const struct runtime *r)
{
	serves(r, "ASPNETCORE_URLS=http://localhost:80", NULL, 2,
	    "      Now listening on: http://localhost:80",
	    (const char *const[]){ "127.0.0.1", "[::1]", NULL });
}

static void
aspnetcore_http_ports_80(const struct runtime *r)
{
	serves(r, "ASPNETCORE_HTTP_PORTS=80", NULL, 3, LISTEN_ANY6, ANY6);
}

static void
port_80_in_code_with_use_urls(const struct runtime *r)
{
	serves(r, "ASPNETCORE_URLS=", "--use-urls", 4, LISTEN_ANY6, ANY6);
}

static void
port_80_in_code_with_listen_any(const struct runtime *r)
{
	serves(r, "ASPNETCORE_URLS=", "--listen-any", 5,
	    "      Now listening on: http://0.0.0.0:80",
	    (const char *const[]){ "0.0.0.0", NULL });
}

static void
through_portremap(const struct runtime *r)
{
	const char *app[4], *argv[8];
	char map[32];
	struct proc p;
	int n = 0;

	require(r);
	/* portremap puts the library first; the runtime then dies without ASan's. */
	if (getenv("PORTREMAP_TEST_PRELOAD_FIRST") != NULL)
		cr_skip_test("under a sanitizer, whose runtime must be preloaded "
		    "before the library, which portremap cannot do");
	snprintf(map, sizeof(map), "80:%u", r->ports + 6);
	argv[n++] = staged("portremap");
	argv[n++] = "-m";
	argv[n++] = map;
	argv[n++] = "--";
	for (const char *const *a = app_argv(r, app, NULL); *a != NULL; a++)
		argv[n++] = *a;
	argv[n] = NULL;
	proc_start_ready(&p, UNPRIVILEGED, ENV(DOTNET_QUIET, "LD_PRELOAD=",
	    "ASPNETCORE_URLS=http://+:80"), argv, STARTED);
	get_ok("127.0.0.1", r->ports + 6, "/", HELLO_80);
	proc_stop(&p);
	cr_assert(has_line(p.outbuf, "      Now listening on: http://[::]:80"),
	    "%s", p.outbuf);
}

/* A self-signed certificate the unprivileged user can read. */
static void
make_certificate(char *dir, char *cert, char *key, size_t len)
{
	char command[1024];

	cr_assert(mkdtemp(dir) != NULL);
	chmod(dir, 0755);
	snprintf(cert, len, "%s/cert.pem", dir);
	snprintf(key, len, "%s/key.pem", dir);
	snprintf(command, sizeof(command), "openssl req -x509 -newkey rsa:2048 "
	    "-nodes -days 1 -subj /CN=localhost -keyout %s -out %s "
	    ">/dev/null 2>&1 && chmod 644 %s %s", key, cert, key, cert);
	cr_assert(system(command) == 0, "openssl failed");
}

static void
http_and_https_together(const struct runtime *r)
{
	char dir[] = "/tmp/portremap-cert.XXXXXX", cert[128], key[128];
	char cert_env[256], key_env[256], map[64], command[300], to[32];
	const char *argv[4];
	struct proc p;
	FILE *curl;
	char reply[256] = "";

	require(r);
	if (access("/usr/bin/openssl", X_OK) != 0 ||
	    access("/usr/bin/curl", X_OK) != 0)
		cr_skip_test("needs openssl and curl (apt-get install openssl curl)");
	make_certificate(dir, cert, key, sizeof(cert));
	snprintf(cert_env, sizeof(cert_env),
	    "Kestrel__Certificates__Default__Path=%s", cert);
	snprintf(key_env, sizeof(key_env),
	    "Kestrel__Certificates__Default__KeyPath=%s", key);
	snprintf(map, sizeof(map), "PORTREMAP_MAP=80:%u,443:%u", r->ports + 7,
	    r->ports + 8);
	proc_start_ready(&p, UNPRIVILEGED, ENV(DOTNET_QUIET,
	    "ASPNETCORE_URLS=http://+:80;https://+:443", cert_env, key_env, map),
	    app_argv(r, argv, NULL), STARTED);
	get_ok("127.0.0.1", r->ports + 7, "/", HELLO_80);
	snprintf(command, sizeof(command), "curl -sk --max-time 10 "
	    "https://127.0.0.1:%u/", r->ports + 8);
	curl = popen(command, "r");
	cr_assert(curl != NULL);
	(void)!fread(reply, 1, sizeof(reply) - 1, curl);
	pclose(curl);
	proc_stop(&p);
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	cr_assert(system(command) == 0);
	cr_assert_str_eq(reply, "hello from ASP.NET Core on port 443\n");
	cr_assert(has_line(p.outbuf, "      Now listening on: http://[::]:80"));
	cr_assert(has_line(p.outbuf, "      Now listening on: https://[::]:443"));
	snprintf(to, sizeof(to), "[::]:%u", r->ports + 7);
	expect_remap_logged(&p, "[::]:80", to);
	snprintf(to, sizeof(to), "[::]:%u", r->ports + 8);
	expect_remap_logged(&p, "[::]:443", to);
}

/* The .NET 7 rootful images listed both 80 and 8080. */
static void
port_80_and_its_target_collide_and_are_explained(const struct runtime *r)
{
	const char *argv[4];
	char urls[64], want[300];
	struct proc p;
	unsigned port = r->ports + 9;

	require(r);
	snprintf(urls, sizeof(urls), "ASPNETCORE_URLS=http://+:80;http://+:%u",
	    port);
	proc_run(&p, UNPRIVILEGED, ENV(DOTNET_QUIET, urls, map_80(r, 9)),
	    app_argv(r, argv, NULL));
	cr_assert_neq(p.status, 0, "the app must fail to start");
	cr_assert(strstr(p.outbuf, "address already in use") != NULL ||
	    strstr(p.errbuf, "address already in use") != NULL,
	    "Kestrel's error is missing:\n%s\n%s", p.outbuf, p.errbuf);
	snprintf(want, sizeof(want), "bind [::]:%u failed: port %u is already "
	    "in use; this process remapped port 80 onto it before "
	    "(PORTREMAP_MAP), and if it still holds that socket, listen on "
	    "only one of 80 and %u, or map 80 elsewhere", port, port, port);
	expect_err(&p, want);
}

/* Each scenario, once per runtime. */
#define ON_EACH_RUNTIME(scenario)					\
	Test(dotnet10, scenario, .timeout = 120) { scenario(&net10); }	\
	Test(dotnet8, scenario, .timeout = 120) { scenario(&net8); }	\
	Test(nativeaot, scenario, .timeout = 120) { scenario(&aot); }

ON_EACH_RUNTIME(aspnetcore_urls_port_80)
ON_EACH_RUNTIME(aspnetcore_urls_localhost_80)
ON_EACH_RUNTIME(aspnetcore_http_ports_80)
ON_EACH_RUNTIME(port_80_in_code_with_use_urls)
ON_EACH_RUNTIME(port_80_in_code_with_listen_any)
ON_EACH_RUNTIME(through_portremap)
ON_EACH_RUNTIME(http_and_https_together)
ON_EACH_RUNTIME(port_80_and_its_target_collide_and_are_explained)

/*
 * A scenario that needs a port every runtime wants (8080, or the real 80):
 * each built runtime in turn; those not built are skipped by their own
 * tests above, and when none is, this one skips too.
 */
static void
on_every_runtime(void (*scenario)(const struct runtime *))
{
	int ran = 0;

	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		if (unavailable(runtimes[i]) != NULL)
			continue;
		scenario(runtimes[i]);
		ran++;
	}
	if (ran == 0)
		cr_skip_test("%s", unavailable(&net10));
}

/*
 * The default map, and the proposal's `curl localhost:8080/Environment`;
 * then the .NET 8 default, ASPNETCORE_HTTP_PORTS=8080, left alone.
 */
static void
default_map_and_the_net8_default_port(const struct runtime *r)
{
	const char *argv[4];
	struct proc p;

	proc_start_ready(&p, UNPRIVILEGED, ENV(DOTNET_QUIET,
	    "ASPNETCORE_URLS=http://+:80"), app_argv(r, argv, NULL), STARTED);
	get_ok("127.0.0.1", 8080, "/Environment", "\"localPort\":80");
	get_ok("127.0.0.1", 8080, "/Environment", r == &net8 ?
	    "\"runtimeVersion\":\".NET 8." : "\"runtimeVersion\":\".NET 10.");
	proc_stop(&p);
	expect_remap_logged(&p, "[::]:80", "[::]:8080");

	proc_start_ready(&p, UNPRIVILEGED, ENV(DOTNET_QUIET,
	    "ASPNETCORE_HTTP_PORTS=8080"), app_argv(r, argv, NULL), STARTED);
	get_ok("127.0.0.1", 8080, "/", "hello from ASP.NET Core on port 8080\n");
	proc_stop(&p);
	cr_assert(has_line(p.outbuf, "      Now listening on: http://[::]:8080"),
	    "%s: %s", r->name, p.outbuf);
	cr_assert(strstr(p.errbuf, "portremap") == NULL, "%s", p.errbuf);
}

static void
root_keeps_port_80_in_auto_mode(const struct runtime *r)
{
	const char *argv[4];
	struct proc p;

	proc_start_ready(&p, ROOT, ENV(DOTNET_QUIET,
	    "ASPNETCORE_URLS=http://+:80"), app_argv(r, argv, NULL), STARTED);
	get_ok("127.0.0.1", 80, "/", HELLO_80);
	proc_stop(&p);
	cr_assert(strstr(p.errbuf, "portremap") == NULL, "%s: %s", r->name,
	    p.errbuf);
}

Test(dotnet, default_map_and_the_net8_default_port_on_every_runtime,
    .timeout = 240)
{
	on_every_runtime(default_map_and_the_net8_default_port);
}

Test(dotnet, root_keeps_port_80_in_auto_mode_on_every_runtime, .timeout = 240)
{
	require_root();
	on_every_runtime(root_keeps_port_80_in_auto_mode);
}
