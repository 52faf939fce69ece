/* PORTREMAP_MAP parsing and lookups, linked straight to the parser. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "map.h"

static struct port_map map;
static char err[ERR_MAX];

static void
parse_ok(const char *text)
{
	cr_assert_eq(map_parse(&map, text, err, sizeof(err)), 0,
	    "\"%s\" was refused: %s", text, err);
}

static void
parse_bad(const char *text, const char *message)
{
	cr_assert_eq(map_parse(&map, text, err, sizeof(err)), -1,
	    "\"%s\" was accepted", text);
	cr_assert_str_eq(err, message, "\"%s\"", text);
	cr_assert_eq(map.count, 0, "a refused map must be empty");
	cr_assert_eq(map_target(&map, 80), 0);
}

Test(map, default_map_sends_80_and_443)
{
	parse_ok(MAP_DEFAULT);
	cr_assert_eq(map.count, 2);
	cr_assert_eq(map_target(&map, 80), 8080);
	cr_assert_eq(map_target(&map, 443), 8443);
	cr_assert_eq(map_source(&map, 8080), 80);
	cr_assert_eq(map_source(&map, 8443), 443);
}

Test(map, unmapped_ports_have_no_target_or_source)
{
	static const unsigned ports[] = { 0, 1, 79, 81, 442, 444, 1023, 1024,
	    8079, 8081, 8442, 8444, 65535 };

	parse_ok(MAP_DEFAULT);
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		cr_assert_eq(map_target(&map, ports[i]), 0, "port %u", ports[i]);
		cr_assert_eq(map_source(&map, ports[i]), 0, "port %u", ports[i]);
	}
	cr_assert_eq(map_target(&map, 8080), 0, "targets are not sources");
	cr_assert_eq(map_source(&map, 80), 0, "sources are not targets");
}

Test(map, range_with_offset_covers_every_port)
{
	parse_ok("1-1023:+8000");
	cr_assert_eq(map_target(&map, 1), 8001);
	cr_assert_eq(map_target(&map, 22), 8022);
	cr_assert_eq(map_target(&map, 80), 8080);
	cr_assert_eq(map_target(&map, 1023), 9023);
	cr_assert_eq(map_target(&map, 0), 0);
	cr_assert_eq(map_target(&map, 1024), 0);
	cr_assert_eq(map_source(&map, 8001), 1);
	cr_assert_eq(map_source(&map, 9023), 1023);
	cr_assert_eq(map_source(&map, 8000), 0);
	cr_assert_eq(map_source(&map, 9024), 0);
}

Test(map, edges_of_source_and_target_ranges)
{
	parse_ok("1:1024");
	cr_assert_eq(map_target(&map, 1), 1024);
	parse_ok("1023:65535");
	cr_assert_eq(map_target(&map, 1023), 65535);
	cr_assert_eq(map_source(&map, 65535), 1023);
	parse_ok("1-1023:+1023");
	cr_assert_eq(map_target(&map, 1), 1024);
	parse_ok("1-1023:+64512");
	cr_assert_eq(map_target(&map, 1023), 65535);
	parse_ok("80:+8000");
	cr_assert_eq(map_target(&map, 80), 8080);
	parse_ok("5-5:+2000");
	cr_assert_eq(map_target(&map, 5), 2005);
}

Test(map, blanks_around_tokens_are_allowed)
{
	parse_ok("  80 : 8080 ,\t443:8443\t, 20 - 21 : +9000 ");
	cr_assert_eq(map.count, 3);
	cr_assert_eq(map_target(&map, 80), 8080);
	cr_assert_eq(map_target(&map, 443), 8443);
	cr_assert_eq(map_target(&map, 21), 9021);
}

Test(map, sources_must_be_privileged_ports)
{
	parse_bad("0:8080", "\"0:8080\": source must be a port 1-1023");
	parse_bad("1024:8080", "\"1024:8080\": source must be a port 1-1023");
	parse_bad("65536:8080", "\"65536:8080\": source must be a port 1-1023");
	parse_bad("-80:8080", "\"-80:8080\": source must be a port 1-1023");
	parse_bad("+80:8080", "\"+80:8080\": source must be a port 1-1023");
	parse_bad("abc:8080", "\"abc:8080\": source must be a port 1-1023");
	parse_bad("1-1024:+8000", "\"1-1024:+8000\": source must be a port 1-1023");
}

Test(map, targets_must_be_unprivileged_ports)
{
	parse_bad("80:abc", "\"80:abc\": target must be a port 1024-65535");
	parse_bad("80:1023", "\"80:1023\": target must be a port 1024-65535");
	parse_bad("80:0", "\"80:0\": target must be a port 1024-65535");
	parse_bad("80:65536", "\"80:65536\": target must be a port 1024-65535");
	parse_bad("80:99999999999999999999",
	    "\"80:99999999999999999999\": target must be a port 1024-65535");
	parse_bad("80:-8080", "\"80:-8080\": target must be a port 1024-65535");
	parse_bad("80:8080x", "\"80:8080x\": target must be a port 1024-65535");
	parse_bad("80:80 80", "\"80:80 80\": target must be a port 1024-65535");
	parse_bad("80:", "\"80:\": target must be a port 1024-65535");
}

Test(map, offsets_must_land_on_unprivileged_ports)
{
	parse_bad("1-1023:+1022", "\"1-1023:+1022\": targets must be ports 1024-65535");
	parse_bad("1-1023:+64513", "\"1-1023:+64513\": targets must be ports 1024-65535");
	parse_bad("80:+x", "\"80:+x\": offset must be a number");
	/* A number, only too large: the range is what is wrong. */
	parse_bad("1-1023:+70000", "\"1-1023:+70000\": targets must be ports "
	    "1024-65535");
	parse_bad("80:+65536", "\"80:+65536\": targets must be ports 1024-65535");
	parse_bad("80:+", "\"80:+\": offset must be a number");
	parse_bad("80:+8000x", "\"80:+8000x\": offset must be a number");
}

Test(map, ranges_are_low_to_high_with_an_offset)
{
	parse_bad("100-1:+8000", "\"100-1:+8000\": range must run from low to high");
	parse_bad("1-1023:8000", "\"1-1023:8000\": a range needs +OFFSET as its target");
	parse_bad("1-:+8000", "\"1-:+8000\": source must be a port 1-1023");
}

Test(map, entries_need_a_colon)
{
	parse_bad("80", "\"80\": expected FROM:TO or LO-HI:+OFFSET");
	parse_bad("80-8080", "\"80-8080\": expected FROM:TO or LO-HI:+OFFSET");
	parse_bad("garbage", "\"garbage\": expected FROM:TO or LO-HI:+OFFSET");
	parse_bad("80 8080", "\"80 8080\": expected FROM:TO or LO-HI:+OFFSET");
}

Test(map, empty_entries_are_refused)
{
	parse_bad("", "\"\": empty entry");
	parse_bad("80:8080,", "\"80:8080,\": empty entry");
	parse_bad(",80:8080", "\",80:8080\": empty entry");
	parse_bad("80:8080,,443:8443", "\"80:8080,,443:8443\": empty entry");
	parse_bad(" , ", "\" , \": empty entry");
}

Test(map, a_source_is_mapped_once)
{
	parse_bad("80:8080,80:9090", "\"80:9090\": source 80 is mapped twice");
	parse_bad("1-100:+8000,50:9050", "\"50:9050\": source 50 is mapped twice");
	parse_bad("50:9050,1-100:+8000", "\"1-100:+8000\": source 50 is mapped twice");
}

Test(map, a_target_has_one_source)
{
	parse_bad("80:8080,81:8080",
	    "\"81:8080\": target 8080 is already the target of 80");
	parse_bad("1-100:+8000,200:8050",
	    "\"200:8050\": target 8050 is already the target of 50");
}

Test(map, at_most_64_entries)
{
	char text[1024];
	size_t off = 0;

	for (int i = 1; i <= 64; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%d:%d",
		    i > 1 ? "," : "", i, 2000 + i);
	parse_ok(text);
	cr_assert_eq(map.count, 64);
	cr_assert_eq(map_target(&map, 64), 2064);
	cr_assert_eq(map_source(&map, 2001), 1);
	snprintf(text + off, sizeof(text) - off, ",65:2065");
	parse_bad(text, "\"65:2065\": too many entries (at most 64)");
}

Test(map, long_tokens_are_cut_in_messages)
{
	char text[300];

	memset(text, '9', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	cr_assert_eq(map_parse(&map, text, err, sizeof(err)), -1);
	cr_assert_eq(strlen(err), 1 + 64 + strlen("\": expected FROM:TO or "
	    "LO-HI:+OFFSET"), "message: %s", err);
}
