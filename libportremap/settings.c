#define _GNU_SOURCE	/* secure_getenv */
/*
 * The settings, parsed from the PORTREMAP_* variables. They are read once,
 * when the library is loaded (init.c): a process may change or clear its
 * environment later, and a wrapped call must not read it.
 */
#include <sys/auxv.h>

#include <stdlib.h>

#include "map.h"
#include "settings.h"
#include "format.h"

static const char *
trim(const char *s, size_t *len)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	*len = n;
	return s;
}

static int
word_is(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (word[i] != s[i])
			return 0;
	return word[i] == '\0';
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
	format(err, errlen, "PORTREMAP_MODE: \"%.64s\": expected auto, "
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
	format(err, errlen, "PORTREMAP_LOG: \"%.64s\": expected 0, 1 or 2",
	    text);
	return -1;
}

static int
parse_connect(const char *text, int *loopback, char *err, size_t errlen)
{
	size_t len;
	const char *s = trim(text, &len);

	if (word_is(s, len, "loopback") || word_is(s, len, "off")) {
		*loopback = s[0] == 'l';
		return 0;
	}
	format(err, errlen, "PORTREMAP_CONNECT: \"%.64s\": expected loopback "
	    "or off", text);
	return -1;
}

static int
given(const char *value)
{
	size_t len;

	return value != NULL && (trim(value, &len), len > 0);
}

/*
 * Fill *s from the variables (NULL or blank: the default). On a bad value,
 * *s is inactive and err names the variable, the token and what was
 * expected. The log level is kept when valid, so that 0 silences the error.
 */
int
settings_parse(struct settings *s, const struct settings_text *text,
    char *err, size_t errlen)
{
	char why[ERR_MAX];
	const char *map = text->map;

	s->active = 0;
	s->log_level = 1;
	s->mode = MODE_AUTO;
	s->connect_loopback = 0;
	s->map.count = s->map.min_target = s->map.max_target = 0;
	err[0] = '\0';
	if (given(text->log) &&
	    parse_log(text->log, &s->log_level, err, errlen) == -1)
		goto bad;
	if (given(text->mode) &&
	    parse_mode(text->mode, &s->mode, err, errlen) == -1)
		goto bad;
	if (given(text->connect) && parse_connect(text->connect,
	    &s->connect_loopback, err, errlen) == -1)
		goto bad;
	if (!given(map))
		map = MAP_DEFAULT;
	if (map_parse(&s->map, map, why, sizeof(why)) == -1) {
		format(err, errlen, "PORTREMAP_MAP: %s", why);
		goto bad;
	}
	s->active = s->mode != MODE_OFF;
	return 0;
bad:
	s->active = 0;
	s->mode = MODE_OFF;
	s->connect_loopback = 0;
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

/* Fill *s from the environment; err is empty or says what was wrong. */
void
settings_read(struct settings *s, char *err, size_t errlen)
{
	struct settings_text text;

	/* A setuid or setcap program is not the user's to reconfigure. */
	if (getauxval(AT_SECURE) != 0) {
		s->active = 0;
		s->mode = MODE_OFF;
		s->log_level = 0;
		s->connect_loopback = 0;
		s->map.count = s->map.min_target = s->map.max_target = 0;
		err[0] = '\0';
		return;
	}
	text.map = setting("PORTREMAP_MAP");
	text.mode = setting("PORTREMAP_MODE");
	text.log = setting("PORTREMAP_LOG");
	text.connect = setting("PORTREMAP_CONNECT");
	settings_parse(s, &text, err, errlen);
}
