/*
 * look_through(): the program a command runs behind its wrappers, read off
 * the words alone, as each wrapper's own parser reads them.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "wrappers.h"

#define WORDS(...)	((char *const[]){ __VA_ARGS__, NULL })

static struct final_program f;

static void
finds(char *const argv[], const char *command, const char *through)
{
	look_through(argv, &f);
	cr_assert(f.command != NULL, "unknown: %s", f.unknown);
	cr_assert_str_eq(f.command, command);
	cr_assert_str_eq(f.through, through);
}

static void
hides(char *const argv[], const char *why)
{
	look_through(argv, &f);
	cr_assert(f.command == NULL, "found %s", f.command);
	cr_assert_str_eq(f.unknown, why);
}

Test(wrappers, a_plain_command_is_its_own_program)
{
	finds(WORDS("/srv/server", "-p", "80"), "/srv/server", "");
	finds(WORDS("dotnet", "app.dll"), "dotnet", "");
	cr_assert_null(f.changes_user);
}

Test(wrappers, env_skips_its_options_and_assignments)
{
	finds(WORDS("env", "-i", "-u", "X", "--unset=Y", "--chdir", "/", "-",
	    "A=1", "B=", "/srv/server", "C=2"), "/srv/server", "env");
	cr_assert_null(f.path);
	finds(WORDS("/usr/bin/env", "PATH=/opt/bin", "server"), "server",
	    "env");
	cr_assert_str_eq(f.path, "/opt/bin");
	/* Assignments end env's options: a later "-u" is the program. */
	finds(WORDS("env", "X=1", "-u", "Y"), "-u", "env");
	hides(WORDS("env", "-S", "server -p 80"), "an option of env hides it "
	    "(a chroot, or words split at run time)");
	hides(WORDS("env", "--split-string=server"), "an option of env hides "
	    "it (a chroot, or words split at run time)");
	hides(WORDS("env", "-C", "/app", "./server"), "env -C moves the "
	    "directory its relative path starts from");
	finds(WORDS("env", "-C", "/app", "/srv/server"), "/srv/server", "env");
	/* Given no program, env is the program. */
	finds(WORDS("env", "A=1"), "env", "");
}

Test(wrappers, option_values_attached_or_apart)
{
	finds(WORDS("nice", "-n", "5", "server"), "server", "nice");
	finds(WORDS("nice", "-n5", "server"), "server", "nice");
	finds(WORDS("nice", "-10", "server"), "server", "nice");
	finds(WORDS("nice", "--adjustment=3", "server"), "server", "nice");
	finds(WORDS("timeout", "-s", "INT", "-k5", "--preserve-status", "60",
	    "server"), "server", "timeout");
	finds(WORDS("timeout", "--signal", "TERM", "10s", "server"), "server",
	    "timeout");
	finds(WORDS("nohup", "server"), "server", "nohup");
}

Test(wrappers, user_changers_take_their_user_first)
{
	finds(WORDS("tini", "--", "/usr/sbin/gosu", "app", "/srv/server"),
	    "/srv/server", "tini, gosu");
	cr_assert_str_eq(f.changes_user, "/usr/sbin/gosu");
	finds(WORDS("su-exec", "app:app", "server"), "server", "su-exec");
	finds(WORDS("s6-setuidgid", "app", "server"), "server", "s6-setuidgid");
	finds(WORDS("setuidgid", "app", "server"), "server", "setuidgid");
	finds(WORDS("setpriv", "--reuid=1000", "--regid", "1000",
	    "--clear-groups", "--inh-caps=-all", "server"), "server", "setpriv");
	cr_assert_null(f.path);
	finds(WORDS("setpriv", "--reset-env", "--reuid=app", "server"),
	    "server", "setpriv");
	cr_assert_str_eq(f.path, "/usr/local/bin:/bin:/usr/bin");
	finds(WORDS("chpst", "-u", "app", "-v", "-o1024", "server"), "server",
	    "chpst");
	hides(WORDS("chpst", "-/", "/jail", "server"), "an option of chpst "
	    "hides it (a chroot, or words split at run time)");
	finds(WORDS("runuser", "-u", "app", "--", "server", "-p"), "server",
	    "runuser");
	finds(WORDS("su", "app", "-c", "exec /srv/server"), "/srv/server",
	    "su");
	finds(WORDS("su", "-s", "/bin/sh", "-c", "/srv/server", "app"),
	    "/srv/server", "su");
	hides(WORDS("su", "-", "app"), "su starts the user's login shell");
	finds(WORDS("gosu", "app"), "gosu", "");
}

Test(wrappers, inits_and_nesting)
{
	finds(WORDS("tini", "-s", "-e", "143", "--", "gosu", "app", "env",
	    "X=1", "server"), "server", "tini, gosu, env");
	finds(WORDS("dumb-init", "--rewrite", "15:2", "-c", "server"),
	    "server", "dumb-init");
	finds(WORDS("busybox", "env", "server"), "server", "env");
	finds(WORDS("busybox", "httpd", "-p", "80"), "busybox", "");
	finds(WORDS("/bin/busybox"), "/bin/busybox", "");
}

Test(wrappers, a_shell_command_string)
{
	finds(WORDS("sh", "-c", "exec /srv/server --port $PORT"),
	    "/srv/server", "sh");
	finds(WORDS("/bin/bash", "-ec", "/srv/server"), "/srv/server", "bash");
	finds(WORDS("sh", "-e", "-o", "pipefail", "-c", "mkdir -p /tmp/x; "
	    "echo start && PATH=/opt X=1 exec -a srv 'my server' >log 2>&1"),
	    "my server", "sh");
	cr_assert_str_eq(f.path, "/opt");
	finds(WORDS("sh", "-c", "exec \"$@\"", "sh", "gosu", "app", "/srv/x"),
	    "/srv/x", "sh, gosu");
	finds(WORDS("sh", "-c", "exec $@", "sh", "server"), "server", "sh");
	finds(WORDS("sh", "-c", "exec 'gosu' app \"/srv/my x\""), "/srv/my x",
	    "sh, gosu");
	finds(WORDS("sh", "-c", "cd /app\nexec /srv/server"), "/srv/server",
	    "sh");
	/* A script: the shell is the program. */
	finds(WORDS("sh", "/entrypoint.sh"), "sh", "");
	finds(WORDS("bash"), "bash", "");
}

Test(wrappers, shell_strings_that_hide_the_program)
{
	hides(WORDS("sh", "-c", "server | tee log"), "its command string has "
	    "a pipeline or \"||\"");
	hides(WORDS("sh", "-c", "server || exit 1"), "its command string has "
	    "a pipeline or \"||\"");
	hides(WORDS("sh", "-c", "server &"), "its command string runs a "
	    "program in the background");
	hides(WORDS("sh", "-c", "(cd /x; server)"), "its command string has a "
	    "subshell, group or command substitution");
	hides(WORDS("sh", "-c", "exec `which server`"), "its command string "
	    "has a subshell, group or command substitution");
	hides(WORDS("sh", "-c", "exec $SERVER"), "its command string names the "
	    "program through an expansion");
	hides(WORDS("sh", "-c", "exec ~/server"), "its command string names the "
	    "program through an expansion");
	hides(WORDS("sh", "-c", "exec /srv/*"), "its command string names the "
	    "program through an expansion");
	hides(WORDS("sh", "-c", "cd /app && exec ./server"), "its command "
	    "string changes directory before a relative path");
	hides(WORDS("sh", "-c", "  "), "its command string runs no program");
	hides(WORDS("sh", "-c", "exec sh -c 'exec server'"), "a command "
	    "string runs another one");
	/* Quotes keep separators: this is one command. */
	finds(WORDS("sh", "-c", "exec server 'a|b' \"c;d\""), "server", "sh");
	/* Past cd, an absolute path is still known. */
	finds(WORDS("sh", "-c", "cd /app && exec /srv/server"), "/srv/server",
	    "sh");
	/* A word merely starting with cd is no cd. */
	finds(WORDS("sh", "-c", "cdx; exec ./server"), "./server", "sh");
}

Test(wrappers, missing_words_and_deep_nesting)
{
	char *argv[40];

	finds(WORDS("timeout", "10"), "timeout", "");
	finds(WORDS("sh", "-c"), "sh", "");
	finds(WORDS("tini", "--", "env"), "env", "tini");
	for (int i = 0; i < 39; i++)
		argv[i] = "nohup";
	argv[39] = NULL;
	look_through(argv, &f);
	cr_assert_null(f.command);
	cr_assert_str_eq(f.unknown, "its wrappers nest too deeply");
}
