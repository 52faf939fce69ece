#define _GNU_SOURCE	/* secure_getenv */
/*
 * Settings come from the environment once, at the first wrapped call, not at
 * load: most processes in an image never bind, and should pay nothing.
 */
#include <sys/auxv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portremap.h"

struct settings pr_published_settings;
int pr_settings_state;		/* 0 unclaimed, 1 being written, 2 ready */

static const char *
trim(const char *s, size_t *len)
{
	size_t n = strlen(s);

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}

static int
word_is(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(s, word, len) == 0;
}

static int
parse_mode(const char *text, enum remap_mode *mode, char *err, size_t errlen)
{
	static const struct {
		const char	*name;
		enum remap_mode	 mode;
	} modes[] = {
		{ "auto", MODE_AUTO }, { "always", MODE_ALWAYS },
		{ "fallback", MODE_FALLBACK }, { "off", MODE_OFF },
	};
	size_t len;
	const char *s = trim(text, &len);

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (word_is(s, len, modes[i].name)) {
			*mode = modes[i].mode;
			return 0;
		}
	}
	snprintf(err, errlen, "PORTREMAP_MODE: \"%.64s\": expected auto, "
	    "always, fallback or off", text);
	return -1;
}

static int
parse_log(const char *text, int *level, char *err, size_t errlen)
{
	size_t len;
	const char *s = trim(text, &len);

	if (len == 1 && s[0] >= '0' && s[0] <= '2') {
		*level = s[0] - '0';
		return 0;
	}
	snprintf(err, errlen, "PORTREMAP_LOG: \"%.64s\": expected 0, 1 or 2",
	    text);
	return -1;
}

/*
 * Fill *s from the three variables (NULL or blank: the default). On a bad
 * value, *s is inactive and err names the variable, the token and what was
 * expected. The log level is kept when valid, so that 0 silences the error.
 */
int
settings_parse(struct settings *s, const char *map, const char *mode,
    const char *log, char *err, size_t errlen)
{
	char why[ERR_MAX];
	size_t len;

	memset(s, 0, sizeof(*s));
	s->log_level = 1;
	s->mode = MODE_AUTO;
	err[0] = '\0';
	if (log != NULL && (trim(log, &len), len > 0) &&
	    parse_log(log, &s->log_level, err, errlen) == -1)
		goto bad;
	if (mode != NULL && (trim(mode, &len), len > 0) &&
	    parse_mode(mode, &s->mode, err, errlen) == -1)
		goto bad;
	if (map == NULL || (trim(map, &len), len == 0))
		map = MAP_DEFAULT;
	if (map_parse(&s->map, map, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "PORTREMAP_MAP: %s", why);
		goto bad;
	}
	s->active = s->mode != MODE_OFF;
	return 0;
bad:
	s->active = 0;
	s->mode = MODE_OFF;
	return -1;
}

static const char *
setting(const char *name)
{
#ifdef __GLIBC__
	return secure_getenv(name);
#else
	return getenv(name);	/* AT_SECURE was checked by the caller */
#endif
}

static void
settings_from_environment(struct settings *s, char *err, size_t errlen)
{
	/* A setuid or setcap program is not the user's to reconfigure. */
	if (getauxval(AT_SECURE) != 0) {
		memset(s, 0, sizeof(*s));
		err[0] = '\0';
		return;
	}
	settings_parse(s, setting("PORTREMAP_MAP"), setting("PORTREMAP_MODE"),
	    setting("PORTREMAP_LOG"), err, errlen);
}

/*
 * The first call in a process reads the environment. Whoever publishes first
 * wins; a thread that loses the race, or runs while another is publishing,
 * uses its own copy, so nothing ever waits (safe in signal handlers and in a
 * child forked mid-publication).
 */
const struct settings *
settings_first_use(struct settings *scratch)
{
	char err[ERR_MAX];
	int expected = 0;

	settings_from_environment(scratch, err, sizeof(err));
	if (!__atomic_compare_exchange_n(&pr_settings_state, &expected, 1, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return expected == 2 ? &pr_published_settings : scratch;
	pr_published_settings = *scratch;
	__atomic_store_n(&pr_settings_state, 2, __ATOMIC_RELEASE);
	if (err[0] != '\0' && scratch->log_level > 0)
		pr_log_plain("%s", err);
	return &pr_published_settings;
}
