/* Settings from the environment's values, and the mode decision. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "map.h"
#include "settings.h"
#include "decide.h"

static struct settings s;
static char err[ERR_MAX];

static int
parse(const char *map, const char *mode, const char *log, const char *connect)
{
	struct settings_text text = { map, mode, log, connect };

	return settings_parse(&s, &text, err, sizeof(err));
}

Test(settings, nothing_set_means_the_defaults)
{
	cr_assert_eq(parse(NULL, NULL, NULL, NULL), 0);
	cr_assert_eq(s.active, 1);
	cr_assert_eq(s.mode, MODE_AUTO);
	cr_assert_eq(s.log_level, 1);
	cr_assert_eq(map_target(&s.map, 80), 8080);
	cr_assert_eq(map_target(&s.map, 443), 8443);
	cr_assert_str_empty(err);
}

Test(settings, blank_values_mean_the_defaults)
{
	cr_assert_eq(parse("", " ", "\t", NULL), 0);
	cr_assert_eq(s.mode, MODE_AUTO);
	cr_assert_eq(s.log_level, 1);
	cr_assert_eq(map_target(&s.map, 80), 8080);
}

/* YAML block scalars (value: |) keep a trailing newline; CRLF files a CR. */
Test(settings, newlines_around_values_are_blanks)
{
	cr_assert_eq(parse("80:9080\n", "always\r\n", "\n2\n", "loopback\n"),
	    0, "%s", err);
	cr_assert_eq(map_target(&s.map, 80), 9080);
	cr_assert_eq(s.mode, MODE_ALWAYS);
	cr_assert_eq(s.log_level, 2);
	cr_assert_eq(s.connect_loopback, 1);
	cr_assert_eq(parse(" 80 : 9080 ,\n443:9443\r", NULL, "\n", NULL), 0,
	    "%s", err);
	cr_assert_eq(map_target(&s.map, 443), 9443);
	cr_assert_eq(s.log_level, 1);
}

/* The message stays one line, whatever the value holds. */
Test(settings, control_characters_in_a_bad_value_are_escaped)
{
	cr_assert_eq(parse("80:8080\n\n443", NULL, NULL, NULL), -1);
	cr_assert_str_eq(err, "PORTREMAP_MAP: \"80:8080\\n\\n443\": target "
	    "must be a port 1024-65535");
	cr_assert_eq(parse(NULL, "au\tto\x7f\x01", NULL, NULL), -1);
	cr_assert_str_eq(err, "PORTREMAP_MODE: \"au\\tto\\x7f\\x01\": "
	    "expected auto, always, fallback or off");
	cr_assert_null(strchr(err, '\n'));
}

Test(settings, a_given_map_replaces_the_default)
{
	cr_assert_eq(parse("22:2222", NULL, NULL, NULL), 0);
	cr_assert_eq(map_target(&s.map, 22), 2222);
	cr_assert_eq(map_target(&s.map, 80), 0);
	cr_assert_eq(map_target(&s.map, 443), 0);
}

Test(settings, every_mode_is_understood)
{
	static const struct { const char *text; enum remap_mode mode; int active; }
	    cases[] = {
		{ "auto", MODE_AUTO, 1 }, { "always", MODE_ALWAYS, 1 },
		{ "fallback", MODE_FALLBACK, 1 }, { "off", MODE_OFF, 0 },
		{ " always ", MODE_ALWAYS, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(parse(NULL, cases[i].text, NULL, NULL), 0, "%s", cases[i].text);
		cr_assert_eq(s.mode, cases[i].mode, "%s", cases[i].text);
		cr_assert_eq(s.active, cases[i].active, "%s", cases[i].text);
		cr_assert_str_empty(err);
	}
}

Test(settings, a_bad_mode_is_named_and_disables_the_library)
{
	static const char *bad[] = { "sometimes", "AUTO", "on", "auto,always",
	    "1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[ERR_MAX];

		snprintf(want, sizeof(want), "PORTREMAP_MODE: \"%s\": expected "
		    "auto, always, fallback or off", bad[i]);
		cr_assert_eq(parse(NULL, bad[i], NULL, NULL), -1, "%s", bad[i]);
		cr_assert_str_eq(err, want);
		cr_assert_eq(s.active, 0);
	}
}

Test(settings, log_levels_0_to_2)
{
	for (int level = 0; level <= 2; level++) {
		char text[2] = { (char)('0' + level), '\0' };

		cr_assert_eq(parse(NULL, NULL, text, NULL), 0);
		cr_assert_eq(s.log_level, level);
	}
}

Test(settings, a_bad_log_level_is_named)
{
	static const char *bad[] = { "3", "-1", "01", "yes", "1 1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[ERR_MAX];

		snprintf(want, sizeof(want), "PORTREMAP_LOG: \"%s\": expected "
		    "0, 1 or 2", bad[i]);
		cr_assert_eq(parse(NULL, NULL, bad[i], NULL), -1);
		cr_assert_str_eq(err, want);
		cr_assert_eq(s.active, 0);
		cr_assert_eq(s.log_level, 1, "the error itself must be shown");
	}
}

Test(settings, a_bad_map_is_named_and_disables_the_library)
{
	cr_assert_eq(parse("80:abc", NULL, NULL, NULL),
	    -1);
	cr_assert_str_eq(err, "PORTREMAP_MAP: \"80:abc\": target must be a "
	    "port 1024-65535");
	cr_assert_eq(s.active, 0);
	cr_assert_eq(map_target(&s.map, 80), 0);
}

Test(settings, log_0_keeps_a_bad_map_quiet)
{
	cr_assert_eq(parse("80:abc", NULL, "0", NULL),
	    -1);
	cr_assert_eq(s.log_level, 0);
	cr_assert_eq(s.active, 0);
}

Test(settings, connect_is_off_unless_asked_for_loopback)
{
	cr_assert_eq(parse(NULL, NULL, NULL, NULL), 0);
	cr_assert_eq(s.connect_loopback, 0);
	cr_assert_eq(parse(NULL, NULL, NULL, " loopback "), 0);
	cr_assert_eq(s.connect_loopback, 1);
	cr_assert_eq(parse(NULL, NULL, NULL, "off"), 0);
	cr_assert_eq(s.connect_loopback, 0);
	cr_assert_eq(parse(NULL, NULL, NULL, ""), 0);
	cr_assert_eq(s.connect_loopback, 0);
}

Test(settings, a_bad_connect_value_is_named_and_disables_the_library)
{
	static const char *bad[] = { "on", "Loopback", "loopback,off", "1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[ERR_MAX];

		snprintf(want, sizeof(want), "PORTREMAP_CONNECT: \"%s\": "
		    "expected loopback or off", bad[i]);
		cr_assert_eq(parse(NULL, NULL, NULL, bad[i]), -1, "%s", bad[i]);
		cr_assert_str_eq(err, want);
		cr_assert_eq(s.active, 0);
		cr_assert_eq(s.connect_loopback, 0);
	}
}

/* With it, the kernel settles whether it reaches the network namespace. */
Test(decide, auto_remaps_without_the_capability_and_asks_the_kernel_with_it)
{
	cr_assert_eq(decide(MODE_AUTO, 0), ACTION_REMAP);
	cr_assert_eq(decide(MODE_AUTO, 1), ACTION_TRY_FIRST);
}

Test(decide, always_remaps_everyone)
{
	cr_assert_eq(decide(MODE_ALWAYS, 0), ACTION_REMAP);
	cr_assert_eq(decide(MODE_ALWAYS, 1), ACTION_REMAP);
}

Test(decide, fallback_tries_the_requested_port_first)
{
	cr_assert_eq(decide(MODE_FALLBACK, 0), ACTION_TRY_FIRST);
	cr_assert_eq(decide(MODE_FALLBACK, 1), ACTION_TRY_FIRST);
}

Test(decide, off_keeps_everything)
{
	cr_assert_eq(decide(MODE_OFF, 0), ACTION_KEEP);
	cr_assert_eq(decide(MODE_OFF, 1), ACTION_KEEP);
}

Test(decide, this_process_capability_matches_its_euid)
{
	/* The suite runs either as full root or as a plain user. */
	cr_assert_eq(has_bind_capability(), geteuid() == 0);
}
