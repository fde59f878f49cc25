/* SPDX-License-Identifier: ISC */
/*
 * test_addr: socket address and prefix parsing, formatting, and the RFC 4193 ULA builder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "lib/addr.h"

struct sa_case {
	const char *in;
	uint16_t default_port;
	int rc;
	const char *out; /* addr_format_sockaddr of the result when rc == 0 */
};

static const struct sa_case sa_cases[] = {
    {"0.0.0.0:443", 443, 0, "0.0.0.0:443"},
    {"192.0.2.1", 443, 0, "192.0.2.1:443"},
    {"192.0.2.1:8443", 443, 0, "192.0.2.1:8443"},
    {"192.0.2.1:65535", 443, 0, "192.0.2.1:65535"},
    {"192.0.2.1:1", 443, 0, "192.0.2.1:1"},
    {"[::]:443", 443, 0, "[::]:443"},
    {"[::]", 443, 0, "[::]:443"},
    {"[2001:db8::1]", 443, 0, "[2001:db8::1]:443"},
    {"[2001:DB8:0:0::1]:80", 0, 0, "[2001:db8::1]:80"},
    {"[::ffff:192.0.2.1]:443", 443, 0, "[::ffff:192.0.2.1]:443"},
    {"192.0.2.1", 0, ADDR_ENOPORT, NULL},
    {"[2001:db8::1]", 0, ADDR_ENOPORT, NULL},
    {"192.0.2.1:0", 443, ADDR_EPORT, NULL},
    {"192.0.2.1:65536", 443, ADDR_EPORT, NULL},
    {"192.0.2.1:", 443, ADDR_EPORT, NULL},
    {"192.0.2.1:+80", 443, ADDR_EPORT, NULL},
    {"192.0.2.1:-1", 443, ADDR_EPORT, NULL},
    {"192.0.2.1: 80", 443, ADDR_EPORT, NULL},
    {"192.0.2.1:443x", 443, ADDR_EPORT, NULL},
    {"192.0.2.1:000443", 443, ADDR_EPORT, NULL},
    {"[::1]:0", 443, ADDR_EPORT, NULL},
    {"[::1]:", 443, ADDR_EPORT, NULL},
    {"*", 443, ADDR_ESTAR, NULL},
    {"*:443", 443, ADDR_ESTAR, NULL},
    {"::", 443, ADDR_EBRACKETS, NULL},
    {"2001:db8::1", 443, ADDR_EBRACKETS, NULL},
    {"2001:db8::1:443", 443, ADDR_EBRACKETS, NULL},
    {"1.2.3.4:5:6", 443, ADDR_ESYNTAX, NULL},
    {"", 443, ADDR_ESYNTAX, NULL},
    {":443", 443, ADDR_ESYNTAX, NULL},
    {"localhost:443", 443, ADDR_ESYNTAX, NULL},
    {"192.0.2", 443, ADDR_ESYNTAX, NULL},
    {"192.0.2.256", 443, ADDR_ESYNTAX, NULL},
    {"192.0.2.01", 443, ADDR_ESYNTAX, NULL},
    {" 192.0.2.1", 443, ADDR_ESYNTAX, NULL},
    {"[192.0.2.1]:443", 443, ADDR_ESYNTAX, NULL},
    {"[fe80::1%eth0]:443", 443, ADDR_ESYNTAX, NULL},
    {"[::1", 443, ADDR_ESYNTAX, NULL},
    {"[::1]443", 443, ADDR_ESYNTAX, NULL},
    {"[::1]]:443", 443, ADDR_ESYNTAX, NULL},
    {"[1111:2222:3333:4444:5555:6666:7777:8888:9999]:1", 443, ADDR_ESYNTAX, NULL},
    {"0.0.0.0.0.0.0.0.0.0.0.0.0.0:1", 443, ADDR_ESYNTAX, NULL},
};

static void test_parse_sockaddr(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sa_cases) / sizeof(sa_cases[0]); i++) {
		const struct sa_case *t = &sa_cases[i];
		struct sockaddr_storage ss;
		socklen_t len = 0;
		char buf[ADDR_STRLEN];
		int rc = addr_parse_sockaddr(t->in, t->default_port, &ss, &len);

		if (rc != t->rc)
			fail_msg("'%s': rc %d, want %d", t->in, rc, t->rc);
		if (rc != 0)
			continue;
		assert_int_equal(len, ss.ss_family == AF_INET ? sizeof(struct sockaddr_in)
							      : sizeof(struct sockaddr_in6));
		assert_string_equal(addr_format_sockaddr((struct sockaddr *)&ss, buf, sizeof(buf)),
				    t->out);
	}
}

static void test_sockaddr_fields(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	socklen_t len;

	(void)state;
	assert_int_equal(addr_parse_sockaddr("[2001:db8::7]:8443", 0, &ss, &len), 0);
	memcpy(&sin6, &ss, sizeof(sin6));
	assert_int_equal(sin6.sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6.sin6_port), 8443);
	assert_int_equal(sin6.sin6_scope_id, 0);
	assert_int_equal(sin6.sin6_flowinfo, 0);
	assert_int_equal(sin6.sin6_addr.s6_addr[0], 0x20);
	assert_int_equal(sin6.sin6_addr.s6_addr[15], 0x07);
	assert_int_equal(addr_port((struct sockaddr *)&ss), 8443);

	assert_int_equal(addr_parse_sockaddr("198.51.100.9", 443, &ss, &len), 0);
	memcpy(&sin, &ss, sizeof(sin));
	assert_int_equal(sin.sin_family, AF_INET);
	assert_int_equal(ntohs(sin.sin_port), 443);
	assert_int_equal(ntohl(sin.sin_addr.s_addr), 0xc6336409u);
}

static void test_wildcard_and_equal(void **state)
{
	struct sockaddr_storage a, b, c, d;
	socklen_t len;

	(void)state;
	assert_int_equal(addr_parse_sockaddr("0.0.0.0:1", 0, &a, &len), 0);
	assert_int_equal(addr_parse_sockaddr("[::]:1", 0, &b, &len), 0);
	assert_int_equal(addr_parse_sockaddr("127.0.0.1:1", 0, &c, &len), 0);
	assert_int_equal(addr_parse_sockaddr("[::1]:1", 0, &d, &len), 0);
	assert_true(addr_is_wildcard((struct sockaddr *)&a));
	assert_true(addr_is_wildcard((struct sockaddr *)&b));
	assert_false(addr_is_wildcard((struct sockaddr *)&c));
	assert_false(addr_is_wildcard((struct sockaddr *)&d));

	assert_true(addr_sockaddr_equal((struct sockaddr *)&c, (struct sockaddr *)&c));
	assert_false(addr_sockaddr_equal((struct sockaddr *)&a, (struct sockaddr *)&b));
	assert_false(addr_sockaddr_equal((struct sockaddr *)&a, (struct sockaddr *)&c));
	assert_int_equal(addr_parse_sockaddr("127.0.0.1:2", 0, &a, &len), 0);
	assert_false(addr_sockaddr_equal((struct sockaddr *)&a, (struct sockaddr *)&c));
}

struct pfx_case {
	const char *in;
	int rc;
	const char *out;
	unsigned plen;
};

static const struct pfx_case pfx_cases[] = {
    {"2001:db8::/48", 0, "2001:db8::/48", 48},
    {"2001:db8:1:1000::/64", 0, "2001:db8:1:1000::/64", 64},
    {"2001:DB8:0001:1000:0:0:0:0/64", 0, "2001:db8:1:1000::/64", 64},
    {"::/0", 0, "::/0", 0},
    {"2001:db8::1/128", 0, "2001:db8::1/128", 128},
    {"2001:db8:8000::/33", 0, "2001:db8:8000::/33", 33},
    {"2001:db8::1/64", ADDR_EHOSTBITS, NULL, 64},
    {"2001:db8:c000::/33", ADDR_EHOSTBITS, NULL, 33},
    {"::1/0", ADDR_EHOSTBITS, NULL, 0},
    {"2001:db8::", ADDR_ENOPLEN, NULL, 0},
    {"2001:db8::/129", ADDR_EPLEN, NULL, 0},
    {"2001:db8::/", ADDR_EPLEN, NULL, 0},
    {"2001:db8::/-1", ADDR_EPLEN, NULL, 0},
    {"2001:db8::/0064", ADDR_EPLEN, NULL, 0},
    {"2001:db8::/6 4", ADDR_EPLEN, NULL, 0},
    {"2001:db8::/48/48", ADDR_EPLEN, NULL, 0},
    {"192.0.2.0/24", ADDR_ESYNTAX, NULL, 0},
    {"[2001:db8::]/48", ADDR_ESYNTAX, NULL, 0},
    {"/48", ADDR_ESYNTAX, NULL, 0},
    {"", ADDR_ESYNTAX, NULL, 0},
    {"junk", ADDR_ESYNTAX, NULL, 0},
};

static void test_parse_prefix6(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pfx_cases) / sizeof(pfx_cases[0]); i++) {
		const struct pfx_case *t = &pfx_cases[i];
		struct in6_addr p;
		uint8_t plen = 0xee;
		char buf[ADDR_STRLEN];
		int rc = addr_parse_prefix6(t->in, &p, &plen);

		if (rc != t->rc)
			fail_msg("'%s': rc %d, want %d", t->in, rc, t->rc);
		if (rc == ADDR_EHOSTBITS)
			assert_int_equal(plen, t->plen);
		if (rc != 0)
			continue;
		assert_int_equal(plen, t->plen);
		assert_string_equal(addr_format_prefix6(&p, plen, buf, sizeof(buf)), t->out);
	}
}

static void test_prefix_mask_contains(void **state)
{
	struct in6_addr p, a;
	uint8_t plen;
	char buf[ADDR_STRLEN];

	(void)state;
	assert_int_equal(addr_parse_prefix6("2001:db8:ffff:ffff::1/36", &p, &plen), ADDR_EHOSTBITS);
	addr_prefix6_mask(&p, plen);
	assert_string_equal(addr_format_prefix6(&p, plen, buf, sizeof(buf)), "2001:db8:f000::/36");
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:f123::9", &a), 1);
	assert_true(addr_prefix6_contains(&p, plen, &a));
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:e123::9", &a), 1);
	assert_false(addr_prefix6_contains(&p, plen, &a));
	assert_true(addr_prefix6_contains(&p, 0, &a));
	assert_false(addr_prefix6_contains(&p, 129, &a));
	addr_prefix6_mask(&a, 128);
	assert_string_equal(addr_format_prefix6(&a, 128, buf, sizeof(buf)), "2001:db8:e123::9/128");
	addr_prefix6_mask(&a, 0);
	assert_string_equal(addr_format_prefix6(&a, 0, buf, sizeof(buf)), "::/0");
}

struct net_case {
	const char *in;
	int rc;
	const char *out; /* addr_format_net of the result when rc == 0 */
	unsigned plen;	 /* stored length; also checked on ADDR_EHOSTBITS */
	const char *v6;	 /* the stored address as IPv6 text when rc == 0 */
};

static const struct net_case net_cases[] = {
    {"192.0.2.5", 0, "192.0.2.5", 128, "::ffff:192.0.2.5"},
    {"192.0.2.5/32", 0, "192.0.2.5", 128, "::ffff:192.0.2.5"},
    {"198.51.100.0/24", 0, "198.51.100.0/24", 120, "::ffff:198.51.100.0"},
    {"203.0.113.128/25", 0, "203.0.113.128/25", 121, "::ffff:203.0.113.128"},
    {"0.0.0.0/0", 0, "0.0.0.0/0", 96, "::ffff:0.0.0.0"},
    {"2001:db8::5", 0, "2001:db8::5", 128, "2001:db8::5"},
    {"2001:DB8:0::5/128", 0, "2001:db8::5", 128, "2001:db8::5"},
    {"2001:db8::/64", 0, "2001:db8::/64", 64, "2001:db8::"},
    {"::/0", 0, "::/0", 0, "::"},
    {"::", 0, "::", 128, "::"},
    /* Written as IPv6, stored the same way as IPv4, printed as IPv4. */
    {"::ffff:192.0.2.0/120", 0, "192.0.2.0/24", 120, "::ffff:192.0.2.0"},
    {"::ffff:c000:205", 0, "192.0.2.5", 128, "::ffff:192.0.2.5"},
    /* Below /96 a mapped-looking prefix is just IPv6. */
    {"::ffff:0:0/80", ADDR_EHOSTBITS, NULL, 80, NULL},
    {"::/80", 0, "::/80", 80, "::"},
    {"198.51.100.1/24", ADDR_EHOSTBITS, NULL, 120, NULL},
    {"2001:db8::1/64", ADDR_EHOSTBITS, NULL, 64, NULL},
    {"192.0.2.0/33", ADDR_EPLEN4, NULL, 0, NULL},
    {"192.0.2.0/", ADDR_EPLEN4, NULL, 0, NULL},
    {"192.0.2.0/024", ADDR_EPLEN4, NULL, 0, NULL},
    {"192.0.2.0/-1", ADDR_EPLEN4, NULL, 0, NULL},
    {"192.0.2.0/24/24", ADDR_EPLEN4, NULL, 0, NULL},
    {"2001:db8::/129", ADDR_EPLEN, NULL, 0, NULL},
    {"2001:db8::/", ADDR_EPLEN, NULL, 0, NULL},
    {"2001:db8::/0064", ADDR_EPLEN, NULL, 0, NULL},
    {"[2001:db8::5]", ADDR_ESYNTAX, NULL, 0, NULL},
    {"192.0.2.5:80", ADDR_ESYNTAX, NULL, 0, NULL},
    {"192.0.2", ADDR_ESYNTAX, NULL, 0, NULL},
    {"192.0.2.01", ADDR_ESYNTAX, NULL, 0, NULL},
    {" 192.0.2.5", ADDR_ESYNTAX, NULL, 0, NULL},
    {"fe80::1%eth0", ADDR_ESYNTAX, NULL, 0, NULL},
    {"example.com", ADDR_ESYNTAX, NULL, 0, NULL},
    {"/24", ADDR_ESYNTAX, NULL, 0, NULL},
    {"", ADDR_ESYNTAX, NULL, 0, NULL},
};

static void test_parse_net(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(net_cases) / sizeof(net_cases[0]); i++) {
		const struct net_case *t = &net_cases[i];
		struct in6_addr a;
		uint8_t plen = 0xee;
		char buf[ADDR_STRLEN], v6[INET6_ADDRSTRLEN];
		int rc = addr_parse_net(t->in, &a, &plen);

		if (rc != t->rc)
			fail_msg("'%s': rc %d, want %d", t->in, rc, t->rc);
		if (rc == ADDR_EHOSTBITS)
			assert_int_equal(plen, t->plen);
		if (rc != 0)
			continue;
		assert_int_equal(plen, t->plen);
		assert_non_null(inet_ntop(AF_INET6, &a, v6, sizeof(v6)));
		assert_string_equal(v6, t->v6);
		assert_string_equal(addr_format_net(&a, plen, buf, sizeof(buf)), t->out);
		/* The printed form parses back to the same network. */
		{
			struct in6_addr b;
			uint8_t blen = 0;

			assert_int_equal(addr_parse_net(buf, &b, &blen), 0);
			assert_int_equal(blen, plen);
			assert_memory_equal(&a, &b, sizeof(a));
		}
	}
}

static void test_format_net_small(void **state)
{
	struct in6_addr a;
	uint8_t plen;
	char buf[6];

	(void)state;
	assert_int_equal(addr_parse_net("198.51.100.0/24", &a, &plen), 0);
	assert_string_equal(addr_format_net(&a, plen, buf, sizeof(buf)), "198.5");
	assert_ptr_equal(addr_format_net(&a, plen, buf, 0), buf);
	/* A mapped address with a length below 96 is printed as IPv6. */
	assert_string_equal(addr_format_net(&a, 95, buf, sizeof(buf)), "::fff");
}

/* A socket address of family and text, port 443. */
static struct sockaddr_storage net_sa(const char *text)
{
	struct sockaddr_storage ss;
	socklen_t len;

	assert_int_equal(addr_parse_sockaddr(text, 443, &ss, &len), 0);
	return ss;
}

static bool net_has(const char *net, const char *sa_text)
{
	struct in6_addr a;
	uint8_t plen;
	struct sockaddr_storage ss = net_sa(sa_text);

	assert_int_equal(addr_parse_net(net, &a, &plen), 0);
	return addr_net_contains_sockaddr(&a, plen, (const struct sockaddr *)&ss);
}

static void test_net_contains(void **state)
{
	struct sockaddr unknown = {.sa_family = AF_UNIX};
	struct in6_addr a;
	uint8_t plen;

	(void)state;
	assert_true(net_has("192.0.2.5", "192.0.2.5"));
	assert_false(net_has("192.0.2.5", "192.0.2.6"));
	assert_true(net_has("198.51.100.0/24", "198.51.100.255"));
	assert_false(net_has("198.51.100.0/24", "198.51.101.0"));
	assert_true(net_has("203.0.113.128/25", "203.0.113.200"));
	assert_false(net_has("203.0.113.128/25", "203.0.113.127"));
	/* A v4-mapped peer on a dual-stack IPv6 socket matches IPv4 networks. */
	assert_true(net_has("198.51.100.0/24", "[::ffff:198.51.100.7]"));
	assert_false(net_has("198.51.100.0/24", "[::ffff:198.51.99.7]"));
	assert_true(net_has("0.0.0.0/0", "203.0.113.1"));
	assert_false(net_has("0.0.0.0/0", "[2001:db8::1]"));
	/* IPv6 networks. */
	assert_true(net_has("2001:db8::/64", "[2001:db8::abcd]"));
	assert_false(net_has("2001:db8::/64", "[2001:db8:0:1::1]"));
	assert_true(net_has("2001:db8::5", "[2001:db8::5]"));
	assert_false(net_has("2001:db8::5", "[2001:db8::6]"));
	assert_false(net_has("2001:db8::/32", "192.0.2.1"));
	/* ::/0 holds every IPv6 address, and with it every IPv4-mapped one. */
	assert_true(net_has("::/0", "192.0.2.1"));
	assert_true(net_has("::/0", "[2001:db8::1]"));
	/* Other families and impossible lengths never match. */
	assert_int_equal(addr_parse_net("::/0", &a, &plen), 0);
	assert_false(addr_net_contains_sockaddr(&a, plen, &unknown));
	assert_int_equal(addr_parse_net("192.0.2.0/24", &a, &plen), 0);
	{
		struct sockaddr_storage ss = net_sa("192.0.2.1");

		assert_true(addr_net_contains_sockaddr(&a, plen, (const struct sockaddr *)&ss));
		assert_false(addr_net_contains_sockaddr(&a, 129, (const struct sockaddr *)&ss));
	}
}

static void test_format_small_buffers(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[8];
	struct sockaddr unknown = {.sa_family = AF_UNIX};

	(void)state;
	assert_int_equal(addr_parse_sockaddr("[2001:db8::1]:443", 0, &ss, &len), 0);
	assert_string_equal(addr_format_sockaddr((struct sockaddr *)&ss, buf, sizeof(buf)),
			    "[2001:d");
	assert_string_equal(addr_format_sockaddr(&unknown, buf, sizeof(buf)), "?");
	assert_false(addr_is_wildcard(&unknown));
	assert_int_equal(addr_port(&unknown), 0);
	assert_ptr_equal(addr_format_sockaddr((struct sockaddr *)&ss, buf, 0), buf);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = ADDR_EPLEN4; e <= 0; e++)
		assert_string_not_equal(addr_strerror(e), "unknown address error");
	assert_string_equal(addr_strerror(-100), "unknown address error");
}

/* RFC 4193 §3.2: fd + 40-bit Global ID + 16-bit Subnet ID, interface ID zero. */
static void test_random_ula64(void **state)
{
	static const uint8_t rnd[7] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde};
	static const uint8_t ones[7] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct in6_addr a;
	char buf[ADDR_STRLEN];

	(void)state;
	memset(&a, 0x55, sizeof(a));
	addr_random_ula64(&a, rnd);
	assert_string_equal(addr_format_prefix6(&a, 64, buf, sizeof(buf)),
			    "fd12:3456:789a:bcde::/64");
	addr_random_ula64(&a, ones);
	assert_string_equal(addr_format_prefix6(&a, 64, buf, sizeof(buf)),
			    "fdff:ffff:ffff:ffff::/64");
	/* Always inside fc00::/7 with L = 1, i.e. fd00::/8. */
	assert_int_equal(a.s6_addr[0], 0xfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_sockaddr),	 cmocka_unit_test(test_sockaddr_fields),
	    cmocka_unit_test(test_wildcard_and_equal),	 cmocka_unit_test(test_parse_prefix6),
	    cmocka_unit_test(test_prefix_mask_contains), cmocka_unit_test(test_parse_net),
	    cmocka_unit_test(test_format_net_small),	 cmocka_unit_test(test_net_contains),
	    cmocka_unit_test(test_format_small_buffers), cmocka_unit_test(test_strerror),
	    cmocka_unit_test(test_random_ula64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
