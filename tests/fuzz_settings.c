/*
 * libFuzzer target for the settings parser. The input is split at the first
 * three newlines into PORTREMAP_MAP, PORTREMAP_MODE, PORTREMAP_LOG and
 * PORTREMAP_CONNECT. A map
 * that parses must obey every rule; one that does not must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_map(const struct port_map *m)
{
	static unsigned char seen[65536];

	memset(seen, 0, sizeof(seen));
	for (unsigned port = 0; port <= 65535; port++) {
		unsigned target = map_target(m, port);

		if (target == 0)
			continue;
		if (port < 1 || port > SOURCE_MAX || target < TARGET_MIN ||
		    target > TARGET_MAX || seen[target] ||
		    map_source(m, target) != port)
			abort();
		seen[target] = 1;
	}
	for (unsigned port = 0; port <= 65535; port++)
		if (map_source(m, port) != 0 && !seen[port])
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *parts[4] = { NULL, NULL, NULL, NULL };
	struct settings_text values;
	char err[ERR_MAX];
	struct settings s;
	int n = 0;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *p = text; n < 4 && p != NULL; n++) {
		parts[n] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	values.map = parts[0];
	values.mode = parts[1];
	values.log = parts[2];
	values.connect = parts[3];
	if (settings_parse(&s, &values, err, sizeof(err)) == 0) {
		if (err[0] != '\0')
			abort();
		check_map(&s.map);
	} else if (err[0] == '\0' || s.active) {
		abort();
	}
	free(text);
	return 0;
}
