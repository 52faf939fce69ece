/*
 * The program a command ends up running. Containers start servers through
 * small programs that set something up and execute the rest of their
 * arguments: env, nice, timeout, gosu, su-exec, setpriv, tini, dumb-init,
 * chpst, sh -c 'exec ...'. Whether the preload reaches the server depends
 * on the server, not on them: a dynamic setpriv executing a static server
 * needs the supervisor.
 *
 * Each wrapper's options are skipped as its own parser reads them (all
 * stop at the first word that is not an option). What this cannot follow
 * (a chroot, env -S, a pipeline, an expansion naming the program) leaves
 * the program unknown, with the reason.
 */
#include <stdio.h>
#include <string.h>

#include "wrappers.h"

#define DEPTH_MAX	16
#define DEFAULT_PATH	"/usr/local/bin:/bin:/usr/bin"

#define ASSIGNMENTS	0x01	/* NAME=VALUE words come first (env) */
#define NUMBERS		0x02	/* -N is an option (nice -10) */
#define CHANGES_USER	0x04
#define SHELL		0x08	/* -c STRING [NAME [ARG ...]] */
#define LOGIN		0x10	/* su, runuser: [-u USER PROGRAM | USER -c ...] */
#define MULTICALL	0x20	/* busybox APPLET: the applet may be a wrapper */

struct wrapper {
	const char		*name;
	const char		*with_value;	/* short options that take one */
	const char *const	*long_with_value;
	const char		*hiding;	/* short options hiding the program */
	const char *const	*long_hiding;
	unsigned		 operands;	/* words before the program */
	unsigned		 flags;
};

static const char *const none[] = { NULL };
static const char *const env_long[] = { "unset", "chdir", NULL };
static const char *const env_hiding[] = { "split-string", NULL };
static const char *const nice_long[] = { "adjustment", NULL };
static const char *const timeout_long[] = { "signal", "kill-after", NULL };
static const char *const setpriv_long[] = { "reuid", "regid", "groups",
	"inh-caps", "ambient-caps", "bounding-set", "securebits", "pdeathsig",
	"selinux-label", "apparmor-profile", "landlock-access",
	"landlock-rule", "seccomp-filter", NULL };
static const char *const dumb_init_long[] = { "rewrite", NULL };
static const char *const su_long[] = { "command", "session-command",
	"group", "supp-group", "shell", "user", "whitelist-environment", NULL };
static const char *const shell_long[] = { "rcfile", "init-file", NULL };

static const struct wrapper wrappers[] = {
	{ "env", "uC", env_long, "S", env_hiding, 0, ASSIGNMENTS },
	{ "nice", "n", nice_long, "", none, 0, NUMBERS },
	{ "nohup", "", none, "", none, 0, 0 },
	{ "timeout", "sk", timeout_long, "", none, 1, 0 },
	{ "setpriv", "", setpriv_long, "", none, 0, CHANGES_USER },
	{ "gosu", "", none, "", none, 1, CHANGES_USER },
	{ "su-exec", "", none, "", none, 1, CHANGES_USER },
	{ "s6-setuidgid", "", none, "", none, 1, CHANGES_USER },
	{ "setuidgid", "", none, "", none, 1, CHANGES_USER },
	{ "chpst", "uUbenlLmdopfcrt", none, "/", none, 0, CHANGES_USER },
	{ "tini", "ep", none, "", none, 0, 0 },
	{ "dumb-init", "r", dumb_init_long, "", none, 0, 0 },
	{ "su", "cgGsuw", su_long, "", none, 0, CHANGES_USER | LOGIN },
	{ "runuser", "cgGsuw", su_long, "", none, 0, CHANGES_USER | LOGIN },
	{ "sh", "o", shell_long, "", none, 0, SHELL },
	{ "bash", "o", shell_long, "", none, 0, SHELL },
	{ "dash", "o", shell_long, "", none, 0, SHELL },
	{ "ash", "o", shell_long, "", none, 0, SHELL },
	{ "ksh", "o", shell_long, "", none, 0, SHELL },
	{ "zsh", "o", shell_long, "", none, 0, SHELL },
	{ "busybox", "", none, "", none, 0, MULTICALL },
};

/* Where a wrapper's own words end. */
struct scan {
	char *const	*words;
	unsigned	 next;		/* the first word not yet read */
	const char	*user;		/* -u USER (runuser) */
	const char	*command;	/* -c STRING (su, runuser) */
	int		 shell_command;	/* -c as a flag (shells) */
	int		 chdir;		/* env -C: relative paths move */
};

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL ? path : slash + 1;
}

static const struct wrapper *
find_wrapper(const char *command)
{
	const char *name = base_name(command);

	for (size_t i = 0; i < sizeof(wrappers) / sizeof(wrappers[0]); i++)
		if (strcmp(name, wrappers[i].name) == 0)
			return &wrappers[i];
	return NULL;
}

/* A shell, or busybox (whose sh is one), by the name it runs as. */
int
names_a_shell(const char *command)
{
	const struct wrapper *w = find_wrapper(command);

	return w != NULL && (w->flags & (SHELL | MULTICALL)) != 0;
}

static int
listed(const char *const list[], const char *name, size_t len)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == len && strncmp(*list, name, len) == 0)
			return 1;
	return 0;
}

static void
unknown(struct final_program *f, const char *why)
{
	f->command = NULL;
	snprintf(f->unknown, sizeof(f->unknown), "%s", why);
}

/* --name, --name=VALUE or --name VALUE: 0, or -1 when it hides the program. */
static int
long_option(const struct wrapper *w, struct scan *sc, const char *word)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const char *value = eq != NULL ? eq + 1 : sc->words[sc->next];

	if (listed(w->long_hiding, name, len))
		return -1;
	if (!listed(w->long_with_value, name, len))
		return 0;
	if (eq == NULL && value != NULL)
		sc->next++;
	if (len == 4 && strncmp(name, "user", 4) == 0)
		sc->user = value;
	else if (len == 7 && strncmp(name, "command", 7) == 0)
		sc->command = value;
	else if (len == 5 && strncmp(name, "chdir", 5) == 0)
		sc->chdir = 1;
	return 0;
}

/* -abc, -nVALUE or -n VALUE: 0, or -1 when it hides the program. */
static int
short_options(const struct wrapper *w, struct scan *sc, const char *word)
{
	for (const char *c = word + 1; *c != '\0'; c++) {
		const char *value;

		if (strchr(w->hiding, *c) != NULL)
			return -1;
		if ((w->flags & SHELL) && *c == 'c')
			sc->shell_command = 1;
		if (strchr(w->with_value, *c) == NULL)
			continue;
		value = c[1] != '\0' ? c + 1 : sc->words[sc->next];
		if (c[1] == '\0' && value != NULL)
			sc->next++;
		if (*c == 'u' && (w->flags & LOGIN))
			sc->user = value;
		else if (*c == 'c' && (w->flags & LOGIN))
			sc->command = value;
		else if (*c == 'C')
			sc->chdir = 1;
		break;
	}
	return 0;
}

/* PATH=... among env's assignments names where the program is looked up. */
static int
assignment(struct final_program *f, const char *word)
{
	const char *eq = strchr(word, '=');

	if (eq == NULL || eq == word)
		return 0;
	if (strncmp(word, "PATH=", 5) == 0)
		f->path = word + 5;
	return 1;
}

/* The wrapper's options and assignments: 0, or -1 when they hide it. */
static int
skip_options(const struct wrapper *w, struct final_program *f,
    struct scan *sc)
{
	const char *word;

	while ((word = sc->words[sc->next]) != NULL) {
		if (strcmp(word, "--") == 0) {
			sc->next++;
			break;
		}
		if ((w->flags & (ASSIGNMENTS | LOGIN)) && strcmp(word, "-") == 0) {
			sc->next++;
			continue;
		}
		if ((word[0] != '-' && !((w->flags & SHELL) && word[0] == '+')) ||
		    word[1] == '\0')
			break;
		sc->next++;
		if (strcmp(base_name(sc->words[0]), "setpriv") == 0 &&
		    strcmp(word, "--reset-env") == 0)
			f->path = DEFAULT_PATH;
		if (word[0] == '-' && word[1] == '-') {
			if (long_option(w, sc, word) != 0)
				return -1;
		} else if ((w->flags & NUMBERS) && word[1] >= '0' &&
		    word[1] <= '9') {
			continue;
		} else if (short_options(w, sc, word) != 0) {
			return -1;
		}
	}
	if (w->flags & ASSIGNMENTS)
		while (sc->words[sc->next] != NULL &&
		    assignment(f, sc->words[sc->next]))
			sc->next++;
	return 0;
}

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * The last command of a shell's command string: after its last ";", "&&"
 * or newline. Constructs whose program cannot be read off the words give
 * NULL and why.
 */
static const char *
last_command(const char *s, const char **why)
{
	const char *start = s;
	char quote = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (quote != 0) {
			if (*p == '\\' && quote == '"' && p[1] != '\0')
				p++;
			else if (*p == quote)
				quote = 0;
			continue;
		}
		switch (*p) {
		case '\'':
		case '"':
			quote = *p;
			break;
		case '\\':
			if (p[1] != '\0')
				p++;
			break;
		case ';':
		case '\n':
			start = p + 1;
			break;
		case '&':
			/* 2>&1 and &>FILE are redirections. */
			if ((p > s && (p[-1] == '>' || p[-1] == '<')) ||
			    p[1] == '>')
				break;
			if (p[1] != '&') {
				*why = "its command string runs a program in "
				    "the background";
				return NULL;
			}
			start = ++p + 1;
			break;
		case '|':
			*why = "its command string has a pipeline or \"||\"";
			return NULL;
		case '(':
		case ')':
		case '{':
		case '}':
		case '`':
			*why = "its command string has a subshell, group or "
			    "command substitution";
			return NULL;
		}
	}
	return start;
}

/*
 * One word of a command string, unquoted into out: its length past *s, or
 * 0 at the end. *literal: no expansion in it.
 */
static size_t
shell_word(const char **s, char *out, size_t room, int *literal,
    int *redirection)
{
	const char *p = *s;
	char quote = 0;
	size_t n = 0;

	while (blank(*p))
		p++;
	if (*p == '\0')
		return 0;
	*literal = 1;
	*redirection = 0;
	for (; *p != '\0' && (quote != 0 || !blank(*p)); p++) {
		char c = *p;

		if (quote == 0 && (c == '\'' || c == '"')) {
			quote = c;
			continue;
		}
		if (quote != 0 && c == quote) {
			quote = 0;
			continue;
		}
		if (quote != '\'' && c == '\\' && p[1] != '\0') {
			c = *++p;
		} else if (quote != '\'' && c == '$') {
			*literal = 0;
		} else if (quote == 0 && (c == '<' || c == '>')) {
			*redirection = 1;
		} else if (quote == 0 && n == 0 && c == '~') {
			*literal = 0;
		} else if (quote == 0 && (c == '*' || c == '?' || c == '[')) {
			*literal = 0;
		}
		if (n + 1 < room)
			out[n++] = c;
	}
	out[n] = '\0';
	*s = p;
	return n + 1;
}

/* Does a command before the last one change directory (cd, pushd)? */
static int
changes_directory(const char *string, const char *last)
{
	static const char *const movers[] = { "cd", "pushd" };

	for (const char *p = string; p < last; p++) {
		if (p != string && !blank(p[-1]) && p[-1] != ';' &&
		    p[-1] != '&' && p[-1] != '\n')
			continue;
		for (size_t i = 0; i < 2; i++) {
			size_t len = strlen(movers[i]);

			if (strncmp(p, movers[i], len) == 0 &&
			    (blank(p[len]) || p[len] == ';' || p[len] == '&' ||
			    p[len] == '\n' || p[len] == '\0'))
				return 1;
		}
	}
	return 0;
}

/*
 * The last command of sh -c STRING as words from f->words[0], its program
 * first, "$@" standing for args: 0, or -1 with the program unknown.
 */
static int
split_command(struct final_program *f, const char *string,
    char *const args[])
{
	const char *why = "", *last = last_command(string, &why), *s = last;
	char *out = f->text;
	size_t room = sizeof(f->text), len;
	unsigned n = 0;
	int literal, redirection, after_exec = 0, skip_next = 0;

	if (last == NULL) {
		unknown(f, why);
		return -1;
	}
	while (n < WORDS_MAX && (len = shell_word(&s, out, room, &literal,
	    &redirection)) != 0) {
		if (skip_next) {		/* "> file", "exec -a NAME" */
			skip_next = 0;
		} else if (redirection) {
			skip_next = out[len - 2] == '<' || out[len - 2] == '>';
		} else if (n == 0 && (strcmp(out, "exec") == 0 ||
		    strcmp(out, "command") == 0)) {
			after_exec = 1;
		} else if (n == 0 && after_exec && out[0] == '-') {
			skip_next = strcmp(out, "-a") == 0;
		} else if (n == 0 && !after_exec && literal &&
		    strchr(out, '=') != NULL && out[0] != '=') {
			if (strncmp(out, "PATH=", 5) == 0) {
				f->path = out + 5;
				out += len;
				room -= len;
			}
		} else if (!literal && strcmp(out, "$@") == 0) {
			for (unsigned i = 0; args[i] != NULL && n < WORDS_MAX;
			    i++)
				f->words[n++] = args[i];
		} else if (!literal && n == 0) {
			unknown(f, "its command string names the program "
			    "through an expansion");
			return -1;
		} else {
			f->words[n++] = out;
			out += len;
			room -= len;
		}
	}
	f->words[n] = NULL;
	if (n == 0) {
		unknown(f, "its command string runs no program");
		return -1;
	}
	if (f->words[0][0] != '/' && strchr(f->words[0], '/') != NULL &&
	    changes_directory(string, last)) {
		unknown(f, "its command string changes directory before a "
		    "relative path");
		return -1;
	}
	return 0;
}

/* Append a wrapper's name to the list said. */
static void
passed(struct final_program *f, const char *name)
{
	size_t used = strlen(f->through);

	snprintf(f->through + used, sizeof(f->through) - used, "%s%s",
	    used > 0 ? ", " : "", name);
}

/*
 * The words that follow a wrapper's own, as the program it executes and
 * that program's arguments: 0 with *words moved to them, 1 when the
 * command is no wrapper (its program is final), -1 when unknown.
 */
static int
step(struct final_program *f, char *const **words, int *split)
{
	const struct wrapper *w = find_wrapper((*words)[0]);
	struct scan sc = { *words, 1, NULL, NULL, 0, 0 };
	const char *name;
	char why[160];
	size_t before;

	if (w == NULL)
		return 1;
	name = base_name((*words)[0]);
	if (w->flags & MULTICALL) {
		/* busybox APPLET: the applet is busybox itself, or a wrapper. */
		if ((*words)[1] == NULL || find_wrapper((*words)[1]) == NULL)
			return 1;
		*words += 1;
		return 0;
	}
	before = strlen(f->through);
	passed(f, name);
	if (w->flags & CHANGES_USER)
		f->changes_user = (*words)[0];
	if (skip_options(w, f, &sc) != 0) {
		snprintf(why, sizeof(why), "an option of %s hides it (a "
		    "chroot, or words split at run time)", name);
		unknown(f, why);
		return -1;
	}
	if (w->flags & SHELL) {
		if (!sc.shell_command) {
			/* A script: the shell is the program. */
			f->through[before] = '\0';
			return 1;
		}
		if ((sc.command = sc.words[sc.next]) == NULL) {
			f->through[before] = '\0';
			return 1;
		}
		sc.next++;
	} else if ((w->flags & LOGIN) && sc.command == NULL && sc.user == NULL) {
		/* su USER [-c STRING]: the rest goes to USER's shell. */
		if (sc.words[sc.next] != NULL)
			sc.next++;
		if (sc.words[sc.next] != NULL &&
		    strcmp(sc.words[sc.next], "-c") == 0 &&
		    sc.words[sc.next + 1] != NULL) {
			sc.command = sc.words[sc.next + 1];
			sc.next += 2;
		} else {
			snprintf(why, sizeof(why), "%s starts the user's login "
			    "shell", name);
			unknown(f, why);
			return -1;
		}
	} else {
		for (unsigned i = 0; i < w->operands; i++)
			if (sc.words[sc.next] != NULL)
				sc.next++;
	}
	if (sc.command != NULL) {
		if ((*split)++ > 0) {
			unknown(f, "a command string runs another one");
			return -1;
		}
		/* sh -c STRING NAME ARG...: "$@" is ARG... */
		if (sc.words[sc.next] != NULL)
			sc.next++;
		if (split_command(f, sc.command, sc.words + sc.next) != 0)
			return -1;
		*words = f->words;
		return 0;
	}
	if (sc.words[sc.next] == NULL) {
		/* Given no program (env alone), it is the program. */
		f->through[before] = '\0';
		return 1;
	}
	if (sc.chdir && strchr(sc.words[sc.next], '/') != NULL &&
	    sc.words[sc.next][0] != '/') {
		unknown(f, "env -C moves the directory its relative path "
		    "starts from");
		return -1;
	}
	*words = sc.words + sc.next;
	return 0;
}

void
look_through(char *const argv[], struct final_program *f)
{
	char *const *words = argv;
	int split = 0, status = 0;

	memset(f, 0, sizeof(*f));
	for (int depth = 0; depth < DEPTH_MAX; depth++)
		if ((status = step(f, &words, &split)) != 0)
			break;
	if (status == 0)
		unknown(f, "its wrappers nest too deeply");
	else if (status > 0)
		f->command = words[0];
}
