/* The library's own formatter and address printing, against libc's. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

Test(format, directives_match_snprintf)
{
	char ours[128], libc[128];

	format(ours, sizeof(ours), "%s|%.3s|%.*s|%u|%d|%d|%u|100%%", "abc",
	    "abcdef", 2, "xyz", 0u, -42, 2147483647, 4294967295u);
	snprintf(libc, sizeof(libc), "%s|%.3s|%.*s|%u|%d|%d|%u|100%%", "abc",
	    "abcdef", 2, "xyz", 0u, -42, 2147483647, 4294967295u);
	cr_assert_str_eq(ours, libc);
	format(ours, sizeof(ours), "%d", (int)-2147483647 - 1);
	cr_assert_str_eq(ours, "-2147483648");
}

Test(format, strings_escape_control_characters)
{
	char buf[64];

	cr_assert_eq(format(buf, sizeof(buf), "[%s]", "a\nb\rc\td\x1b\x7f\xc3\xa9"),
	    strlen("[a\\nb\\rc\\td\\x1b\\x7f\xc3\xa9]"));
	cr_assert_str_eq(buf, "[a\\nb\\rc\\td\\x1b\\x7f\xc3\xa9]");
	/* The precision counts characters of the value, not of the output. */
	format(buf, sizeof(buf), "%.2s|", "\n\nxyz");
	cr_assert_str_eq(buf, "\\n\\n|");
}

Test(format, truncates_like_snprintf_and_counts_everything)
{
	char buf[8];
	size_t n;

	memset(buf, 'x', sizeof(buf));
	n = format(buf, sizeof(buf), "port %u and more", 8080u);
	cr_assert_eq(n, strlen("port 8080 and more"));
	cr_assert_str_eq(buf, "port 80");
	n = format(buf, 1, "abc");
	cr_assert_eq(n, 3);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(format(NULL, 0, "abc"), 3);
}

static void
endpoint_v4(const char *host, unsigned port, const char *want)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	char out[64];

	cr_assert_eq(inet_pton(AF_INET, host, &in.sin_addr), 1);
	format_endpoint(out, sizeof(out), &in, port);
	cr_assert_str_eq(out, want);
}

static void
endpoint_v6(const char *host, unsigned port, const char *want)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	char out[80];

	cr_assert_eq(inet_pton(AF_INET6, host, &in6.sin6_addr), 1);
	format_endpoint(out, sizeof(out), &in6, port);
	cr_assert_str_eq(out, want);
}

Test(format, endpoints_for_log_lines)
{
	endpoint_v4("0.0.0.0", 8080, "0.0.0.0:8080");
	endpoint_v4("255.255.255.255", 65535, "255.255.255.255:65535");
	endpoint_v4("127.0.0.1", 0, "127.0.0.1:0");
	endpoint_v6("::", 80, "[::]:80");
	endpoint_v6("::1", 1, "[::1]:1");
	endpoint_v6("::ffff:127.0.0.1", 443, "[::ffff:127.0.0.1]:443");
	endpoint_v6("2001:db8::1", 80, "[2001:db8::1]:80");
	endpoint_v6("fe80::1:2", 80, "[fe80::1:2]:80");
	endpoint_v6("1::", 80, "[1::]:80");
	endpoint_v6("1:0:0:1:0:0:0:1", 80, "[1:0:0:1::1]:80");
	endpoint_v6("1:0:0:2:0:0:3:4", 80, "[1::2:0:0:3:4]:80");
	endpoint_v6("1:0:2:3:4:5:6:7", 80, "[1:0:2:3:4:5:6:7]:80");
	endpoint_v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535,
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

/* Addresses with many zero runs, printed by us and by inet_ntop(). */
Test(format, ipv6_agrees_with_inet_ntop)
{
	unsigned seed = 1;

	for (int round = 0; round < 20000; round++) {
		struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
		char ours[80], libc[INET6_ADDRSTRLEN], want[80];

		for (int i = 0; i < 16; i += 2) {
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 3 != 0) {
				in6.sin6_addr.s6_addr[i] = (seed >> 8) & 3 ?
				    0 : (unsigned char)(seed >> 20);
				in6.sin6_addr.s6_addr[i + 1] =
				    (unsigned char)(seed >> 12);
			}
		}
		if (round % 7 == 0) {		/* v4-mapped and friends */
			memset(in6.sin6_addr.s6_addr, 0, 10);
			in6.sin6_addr.s6_addr[10] = in6.sin6_addr.s6_addr[11] =
			    round % 2 ? 0xff : 0;
		}
		cr_assert(inet_ntop(AF_INET6, &in6.sin6_addr, libc,
		    sizeof(libc)) != NULL);
		snprintf(want, sizeof(want), "[%s]:80", libc);
		format_endpoint(ours, sizeof(ours), &in6, 80);
		cr_assert_str_eq(ours, want);
	}
}
