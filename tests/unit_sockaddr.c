/* Reading and rewriting socket addresses. */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <criterion/criterion.h>
#include <string.h>

#include "sockaddr.h"

static struct sockaddr_in
v4(const char *host, unsigned port)
{
	struct sockaddr_in in;

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, host, &in.sin_addr);
	return in;
}

static struct sockaddr_in6
v6(const char *host, unsigned port)
{
	struct sockaddr_in6 in6;

	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, host, &in6.sin6_addr);
	return in6;
}

Test(sockaddr, inet_port_reads_both_families)
{
	struct sockaddr_in in = v4("0.0.0.0", 80);
	struct sockaddr_in6 in6 = v6("::", 443);
	int family = -1;

	cr_assert_eq(sockaddr_inet_port((struct sockaddr *)&in, sizeof(in),
	    &family), 80);
	cr_assert_eq(family, AF_INET);
	cr_assert_eq(sockaddr_inet_port((struct sockaddr *)&in6, sizeof(in6),
	    &family), 443);
	cr_assert_eq(family, AF_INET6);
}

Test(sockaddr, lengths_the_kernel_refuses_pass_through)
{
	struct sockaddr_storage ss;
	struct sockaddr_in in = v4("0.0.0.0", 80);
	struct sockaddr_in6 in6 = v6("::", 80);
	int family;

	cr_assert_eq(sockaddr_inet_port(NULL, sizeof(in), &family), -1);
	for (socklen_t len = 0; len < sizeof(in); len++)
		cr_assert_eq(sockaddr_inet_port((struct sockaddr *)&in, len,
		    &family), -1, "AF_INET length %u", (unsigned)len);
	cr_assert_eq(sockaddr_inet_port((struct sockaddr *)&in6, 23, &family),
	    -1);
	cr_assert_eq(sockaddr_inet_port((struct sockaddr *)&in6, 24, &family),
	    80, "the kernel takes IPv6 addresses without a scope id");
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &in, sizeof(in));
	cr_assert_eq(sockaddr_inet_port((struct sockaddr *)&ss, sizeof(ss),
	    &family), 80);
	cr_assert_eq(sockaddr_inet_port((struct sockaddr *)&ss, sizeof(ss) + 1,
	    &family), -1);
}

Test(sockaddr, other_families_pass_through)
{
	struct sockaddr_un un;
	struct sockaddr_storage ss;
	int family;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	memcpy(un.sun_path, "\0\0P", 3);	/* bytes that look like port 80 */
	cr_assert_eq(sockaddr_inet_port((struct sockaddr *)&un, sizeof(un),
	    &family), -1);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_NETLINK;
	cr_assert_eq(sockaddr_inet_port((struct sockaddr *)&ss, 12 + 4,
	    &family), -1);
}

Test(sockaddr, unspec_is_reported_for_the_caller_to_check)
{
	struct sockaddr_in in = v4("0.0.0.0", 80);
	int family = -1;

	in.sin_family = AF_UNSPEC;
	cr_assert_eq(sockaddr_inet_port((struct sockaddr *)&in, sizeof(in),
	    &family), 80);
	cr_assert_eq(family, AF_UNSPEC);
}

Test(sockaddr, set_port_changes_only_the_port_even_unaligned)
{
	unsigned char buf[1 + sizeof(struct sockaddr_in6)];
	unsigned char before[sizeof(buf)];
	struct sockaddr_in6 in6 = v6("2001:db8::1", 80);

	memset(buf, 0xab, sizeof(buf));
	memcpy(buf + 1, &in6, sizeof(in6));
	memcpy(before, buf, sizeof(buf));
	sockaddr_set_port(buf + 1, 8080);
	cr_assert_eq(sockaddr_get_port(buf + 1), 8080);
	cr_assert_eq(buf[3], 8080 >> 8);
	cr_assert_eq(buf[4], 8080 & 0xff);
	buf[3] = before[3];
	buf[4] = before[4];
	cr_assert_arr_eq(buf, before, sizeof(buf));
	sockaddr_set_port(buf + 1, 65535);
	cr_assert_eq(sockaddr_get_port(buf + 1), 65535);
	sockaddr_set_port(buf + 1, 0);
	cr_assert_eq(sockaddr_get_port(buf + 1), 0);
}

static int
loopback4(const char *text)
{
	struct sockaddr_in in = { .sin_family = AF_INET };

	cr_assert(inet_pton(AF_INET, text, &in.sin_addr) == 1);
	return sockaddr_is_loopback(&in, AF_INET);
}

static int
loopback6(const char *text)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };

	cr_assert(inet_pton(AF_INET6, text, &in6.sin6_addr) == 1);
	return sockaddr_is_loopback(&in6, AF_INET6);
}

Test(sockaddr, loopback_is_127_8_and_the_ipv6_forms_of_it)
{
	cr_assert(loopback4("127.0.0.1"));
	cr_assert(loopback4("127.255.255.254"));
	cr_assert(!loopback4("126.255.255.255"));
	cr_assert(!loopback4("128.0.0.1"));
	cr_assert(!loopback4("0.0.0.0"));
	cr_assert(loopback6("::1"));
	cr_assert(!loopback6("::"));
	cr_assert(!loopback6("::2"));
	cr_assert(!loopback6("::1:1"));
	cr_assert(loopback6("::ffff:127.0.0.1"));
	cr_assert(loopback6("::ffff:127.1.2.3"));
	cr_assert(!loopback6("::ffff:10.0.0.1"));
	cr_assert(!loopback6("::127.0.0.1"));	/* v4-compatible: not loopback */
	cr_assert(!loopback6("fe80::1"));
}
