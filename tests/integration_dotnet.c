/*
 * The mission's own scenario: a real ASP.NET Core app (examples/aspnetapp),
 * configured for port 80, run as an unprivileged user under the library.
 * Each test maps 80 (and 443) to ports of its own, except the one that uses
 * the default map; all skip, saying why, where the .NET SDK is missing.
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

static const char *
dotnet(void)
{
	const char *path = getenv("PORTREMAP_TEST_DOTNET");

	if (path == NULL || *path == '\0')
		cr_skip_test("the .NET SDK (dotnet) is not installed");
	return path;
}

static const char *
app(void)
{
	return staged("aspnetapp/aspnetapp.dll");
}

#define STARTED	"      Application started."

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

static void
serves_on(const char *const env[], const char *const argv[], unsigned port,
    const char *listening)
{
	struct proc p;

	proc_start_ready(&p, UNPRIVILEGED, env, argv, STARTED);
	get_ok("127.0.0.1", port, "/", "hello from ASP.NET Core on port 80\n");
	if (strstr(listening, "[::]") != NULL)
		get_ok("::1", port, "/", "hello from ASP.NET Core on port 80\n");
	proc_stop(&p);
	cr_assert(has_line(p.outbuf, listening), "missing \"%s\":\n%s",
	    listening, p.outbuf);
}

Test(dotnet, aspnetcore_urls_port_80_serves_on_the_target, .timeout = 120)
{
	struct proc p;
	const char *dn = dotnet();

	proc_start_ready(&p, UNPRIVILEGED, ENV(DOTNET_QUIET, "ASPNETCORE_URLS=http://+:80",
	    "PORTREMAP_MAP=80:20901"), ARGV(dn, app()), STARTED);
	get_ok("127.0.0.1", 20901, "/", "hello from ASP.NET Core on port 80\n");
	get_ok("::1", 20901, "/", "hello from ASP.NET Core on port 80\n");
	proc_stop(&p);
	cr_assert(has_line(p.outbuf, "      Now listening on: http://[::]:80"),
	    "%s", p.outbuf);
	expect_remap_logged(&p, "[::]:80", "[::]:20901");
}

Test(dotnet, through_portremap, .timeout = 120)
{
	const char *dn = dotnet();

	/* portremap puts the library first; CoreCLR then dies without ASan's. */
	if (getenv("PORTREMAP_TEST_PRELOAD_FIRST") != NULL)
		cr_skip_test("under a sanitizer, whose runtime must be preloaded "
		    "before the library, which portremap cannot do");

	serves_on(ENV(DOTNET_QUIET, "LD_PRELOAD=",
	    "ASPNETCORE_URLS=http://+:80"), ARGV(staged("portremap"), "-m",
	    "80:20902", "--", dn, app()), 20902,
	    "      Now listening on: http://[::]:80");
}

Test(dotnet, port_80_in_code_with_use_urls, .timeout = 120)
{
	const char *dn = dotnet();

	serves_on(ENV(DOTNET_QUIET, "PORTREMAP_MAP=80:20903"), ARGV(dn, app(),
	    "--use-urls"), 20903, "      Now listening on: http://[::]:80");
}

Test(dotnet, port_80_in_code_with_listen_any, .timeout = 120)
{
	const char *dn = dotnet();

	serves_on(ENV(DOTNET_QUIET, "PORTREMAP_MAP=80:20904"), ARGV(dn, app(),
	    "--listen-any"), 20904, "      Now listening on: http://0.0.0.0:80");
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

Test(dotnet, http_and_https_together, .timeout = 120)
{
	char dir[] = "/tmp/portremap-cert.XXXXXX", cert[128], key[128];
	char cert_env[256], key_env[256], command[300];
	const char *dn = dotnet();
	struct proc p;
	FILE *curl;
	char reply[256] = "";

	if (access("/usr/bin/openssl", X_OK) != 0 ||
	    access("/usr/bin/curl", X_OK) != 0)
		cr_skip_test("needs openssl and curl");
	make_certificate(dir, cert, key, sizeof(cert));
	snprintf(cert_env, sizeof(cert_env),
	    "Kestrel__Certificates__Default__Path=%s", cert);
	snprintf(key_env, sizeof(key_env),
	    "Kestrel__Certificates__Default__KeyPath=%s", key);
	proc_start_ready(&p, UNPRIVILEGED, ENV(DOTNET_QUIET,
	    "ASPNETCORE_URLS=http://+:80;https://+:443", cert_env, key_env,
	    "PORTREMAP_MAP=80:20905,443:20906"), ARGV(dn, app()), STARTED);
	get_ok("127.0.0.1", 20905, "/", "hello from ASP.NET Core on port 80\n");
	snprintf(command, sizeof(command), "curl -sk --max-time 10 "
	    "https://127.0.0.1:20906/");
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
	expect_remap_logged(&p, "[::]:80", "[::]:20905");
	expect_remap_logged(&p, "[::]:443", "[::]:20906");
}

/* The .NET 7 rootful images listed both 80 and 8080. */
Test(dotnet, port_80_and_its_target_collide_and_are_explained, .timeout = 120)
{
	const char *dn = dotnet();
	struct proc p;
	char want[300];

	proc_start(&p, UNPRIVILEGED, ENV(DOTNET_QUIET,
	    "ASPNETCORE_URLS=http://+:80;http://+:20907",
	    "PORTREMAP_MAP=80:20907"), ARGV(dn, app()));
	proc_finish(&p);
	cr_assert_neq(p.status, 0, "the app must fail to start");
	cr_assert(strstr(p.outbuf, "address already in use") != NULL ||
	    strstr(p.errbuf, "address already in use") != NULL,
	    "Kestrel's error is missing:\n%s\n%s", p.outbuf, p.errbuf);
	snprintf(want, sizeof(want), "portremap[%d]: bind [::]:20907 failed: "
	    "port 20907 is already in use; this process remapped port 80 onto "
	    "it before (PORTREMAP_MAP), and if it still holds that socket, "
	    "listen on only one of 80 and 20907, or map 80 elsewhere",
	    (int)p.pid);
	cr_assert(has_line(p.errbuf, want), "%s", p.errbuf);
}

/*
 * The default map, and the proposal's `curl localhost:8080/Environment`;
 * then the .NET 8 default, ASPNETCORE_HTTP_PORTS=8080, left alone.
 */
Test(dotnet, default_map_and_the_net8_default_port, .timeout = 180)
{
	const char *dn = dotnet();
	struct proc p;

	proc_start_ready(&p, UNPRIVILEGED, ENV(DOTNET_QUIET, "ASPNETCORE_URLS=http://+:80"),
	    ARGV(dn, app()), STARTED);
	get_ok("127.0.0.1", 8080, "/Environment", "\"localPort\":80");
	get_ok("127.0.0.1", 8080, "/Environment", "\"runtimeVersion\":\".NET");
	proc_stop(&p);
	expect_remap_logged(&p, "[::]:80", "[::]:8080");

	proc_start_ready(&p, UNPRIVILEGED, ENV(DOTNET_QUIET, "ASPNETCORE_HTTP_PORTS=8080"),
	    ARGV(dn, app()), STARTED);
	get_ok("127.0.0.1", 8080, "/", "hello from ASP.NET Core on port 8080\n");
	proc_stop(&p);
	cr_assert(has_line(p.outbuf, "      Now listening on: http://[::]:8080"),
	    "%s", p.outbuf);
	cr_assert(strstr(p.errbuf, "portremap") == NULL, "%s", p.errbuf);
}

Test(dotnet, root_keeps_port_80_in_auto_mode, .timeout = 120)
{
	const char *dn = dotnet();
	struct proc p;

	require_root();
	proc_start_ready(&p, ROOT, ENV(DOTNET_QUIET,
	    "ASPNETCORE_URLS=http://+:80"), ARGV(dn, app()), STARTED);
	get_ok("127.0.0.1", 80, "/", "hello from ASP.NET Core on port 80\n");
	proc_stop(&p);
	cr_assert(strstr(p.errbuf, "portremap") == NULL, "%s", p.errbuf);
}
