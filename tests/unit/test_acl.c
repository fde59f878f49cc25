/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/acl: rule parsing and its canonical text (round trips, every error
 * message), and the verdict on hand-built IPv6 packets: TCP and UDP destination ports, ESP,
 * AH, ICMPv6 types, extension headers before the upper layer (RFC 8200 §4), first and
 * non-first fragments (§4.5), truncated upper-layer headers, malformed packets, and prefix
 * boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "proto/acl.h"
#include "proto/ip6.h"

#include "tests/unit/vectors.h"

#define SRC "2001:db8:1:1000::a0"

/* ---- helpers ------------------------------------------------------------------------------ */

/* Splits text at spaces into at most 16 words held in buf. */
static size_t split(char *buf, size_t cap, const char *text, const char **w)
{
	char *save = NULL, *t;
	size_t n = 0;

	snprintf(buf, cap, "%s", text);
	for (t = strtok_r(buf, " ", &save); t && n < 16; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	return n;
}

static int parse(struct acl_rule *r, const char *text, char *err, size_t errlen)
{
	const char *w[16];
	char buf[256];

	return acl_rule_parse(r, w, split(buf, sizeof(buf), text, w), err, errlen);
}

static struct acl_rule rule(const char *text)
{
	struct acl_rule r;
	char err[128] = "";

	if (parse(&r, text, err, sizeof(err)))
		fail_msg("'%s': %s", text, err);
	return r;
}

static void assert_rule_eq(const struct acl_rule *a, const struct acl_rule *b)
{
	assert_memory_equal(&a->to, &b->to, 16);
	assert_int_equal(a->to_len, b->to_len);
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->port_lo, b->port_lo);
	assert_int_equal(a->port_hi, b->port_hi);
	assert_int_equal(a->type_lo, b->type_lo);
	assert_int_equal(a->type_hi, b->type_hi);
}

/* A packet to dst with Next Header nxt and body[0..n). */
static size_t mk(uint8_t *b, const char *dst, uint8_t nxt, const uint8_t *body, size_t n)
{
	b[0] = 0x60;
	b[1] = b[2] = b[3] = 0;
	b[4] = (uint8_t)(n >> 8);
	b[5] = (uint8_t)n;
	b[6] = nxt;
	b[7] = 64;
	memcpy(b + 8, in6p(SRC), 16);
	memcpy(b + 24, in6p(dst), 16);
	memcpy(b + 40, body, n);
	return 40 + n;
}

/* A UDP or TCP header (8 bytes of it are enough here) to port dport. */
static void ports(uint8_t *h, uint16_t dport)
{
	static const uint8_t tmpl[8] = {0xc3, 0x50, 0, 0, 0, 8, 0, 0};

	memcpy(h, tmpl, 8);
	h[2] = (uint8_t)(dport >> 8);
	h[3] = (uint8_t)dport;
}

static size_t l4(uint8_t *b, const char *dst, uint8_t proto, uint16_t dport)
{
	uint8_t h[20] = {0};

	ports(h, dport);
	return mk(b, dst, proto, h, proto == 6 ? 20 : 8);
}

static size_t icmp_type(uint8_t *b, const char *dst, uint8_t type)
{
	const uint8_t h[8] = {type, 0, 0x12, 0x34};

	return mk(b, dst, IP6_NH_ICMPV6, h, sizeof(h));
}

static size_t esp(uint8_t *b, const char *dst)
{
	const uint8_t h[16] = {0, 0, 0x10, 0x01, 0, 0, 0, 1, 0xab, 0xab, 0xab, 0xab};

	return mk(b, dst, 50, h, sizeof(h));
}

/* An options header (Hop-by-Hop or Destination Options, RFC 8200 §4.3, §4.6): 8 bytes, PadN. */
static void opts(uint8_t *h, uint8_t next)
{
	const uint8_t t[8] = {next, 0, 1, 4, 0, 0, 0, 0};

	memcpy(h, t, 8);
}

/* A Fragment header (RFC 8200 §4.5), offset in 8-byte units. */
static void frag(uint8_t *h, uint8_t next, uint16_t offset, bool more)
{
	uint16_t fo = (uint16_t)(offset << 3 | (more ? 1 : 0));
	const uint8_t t[8] = {next, 0, (uint8_t)(fo >> 8), (uint8_t)fo, 0xde, 0xad, 0xbe, 0xef};

	memcpy(h, t, 8);
}

/* An Authentication Header (RFC 4302 §2): 12 fixed bytes and a 4-byte ICV, length field 2. */
static void ah(uint8_t *h, uint8_t next)
{
	const uint8_t t[16] = {next, 2, 0, 0, 0, 0, 0x20, 0x02, 0, 0, 0, 9, 1, 2, 3, 4};

	memcpy(h, t, 16);
}

/* ---- parsing and formatting -------------------------------------------------------------- */

static void round_trip(const char *text, const char *canon)
{
	struct acl_rule r = rule(text), r2;
	char out[ACL_TEXT_MAX];

	assert_string_equal(acl_rule_format(&r, out, sizeof(out)), canon);
	r2 = rule(out);
	assert_rule_eq(&r, &r2);
	/* the canonical text is a fixed point */
	assert_string_equal(acl_rule_format(&r2, out, sizeof(out)), canon);
}

static void test_round_trip(void **state)
{
	(void)state;
	round_trip("any", "any");
	round_trip("to 2001:db8::/48", "to 2001:db8::/48");
	round_trip("to 2001:db8::1", "to 2001:db8::1/128");
	round_trip("to 2001:db8:1:2:3::/48", "to 2001:db8:1::/48"); /* masked */
	round_trip("to 2001:db8:ffff::/33", "to 2001:db8:8000::/33");
	round_trip("to ::/0", "any");
	round_trip("proto udp port 500 to 2001:db8::/32", "to 2001:db8::/32 proto udp port 500");
	round_trip("port 1000-2000 proto tcp", "proto tcp port 1000-2000");
	round_trip("proto tcp port 80-80", "proto tcp port 80");
	round_trip("proto tcp port 0-65535", "proto tcp");
	round_trip("proto udp port 0", "proto udp port 0");
	round_trip("proto udp port 65535", "proto udp port 65535");
	round_trip("type 1-4 proto icmpv6", "proto icmpv6 type 1-4");
	round_trip("proto icmpv6 type 128", "proto icmpv6 type 128");
	round_trip("proto icmpv6 type 0-255", "proto icmpv6");
	round_trip("proto ESP", "proto esp");
	round_trip("proto 6", "proto tcp");
	round_trip("proto 17 port 4500", "proto udp port 4500");
	round_trip("proto 58", "proto icmpv6");
	round_trip("proto 50", "proto esp");
	round_trip("proto ah", "proto ah");
	round_trip("proto 47", "proto 47");
	round_trip("proto 59", "proto 59");
	round_trip("proto 255", "proto 255");
	round_trip("to 2001:db8:9::/48 proto udp port 500-4500",
		   "to 2001:db8:9::/48 proto udp port 500-4500");
	round_trip("to 2001:db8::5 proto icmpv6 type 133-137",
		   "to 2001:db8::5/128 proto icmpv6 type 133-137");
}

static void test_parse_fields(void **state)
{
	struct acl_rule r;

	(void)state;
	r = rule("any");
	assert_int_equal(r.to_len, 0);
	assert_int_equal(r.proto, -1);
	assert_int_equal(r.port_lo, 0);
	assert_int_equal(r.port_hi, 65535);
	assert_int_equal(r.type_lo, 0);
	assert_int_equal(r.type_hi, 255);
	r = rule("to 2001:db8:9:8000::1/49 proto udp port 500-4500");
	assert_memory_equal(&r.to, in6p("2001:db8:9:8000::"), 16);
	assert_int_equal(r.to_len, 49);
	assert_int_equal(r.proto, 17);
	assert_int_equal(r.port_lo, 500);
	assert_int_equal(r.port_hi, 4500);
	r = rule("proto icmpv6 type 3");
	assert_int_equal(r.proto, 58);
	assert_int_equal(r.type_lo, 3);
	assert_int_equal(r.type_hi, 3);
	assert_int_equal(r.port_lo, 0);
	assert_int_equal(r.port_hi, 65535);
}

static void expect_error(const char *text, const char *msg)
{
	struct acl_rule r;
	char err[256] = "";

	if (parse(&r, text, err, sizeof(err)) != -1)
		fail_msg("'%s' parsed", text);
	assert_string_equal(err, msg);
}

static void test_parse_errors(void **state)
{
	const char *bad_prefix[] = {
	    "192.0.2.1",	 "2001:db8::/129", "2001:db8::/",	 "/48",
	    "2001:db8::/4a",	 "2001:db8::/+4",  "2001:db8::/-1",	 "fe80::1%eth0",
	    "2001:db8::1::2/64", "2001:db8::/ 48", "2001:db8::/0048000", "example.com",
	};
	const char *bad_port[] = {"65536", "2000-1000", "1-", "-5", "1-2-3", "0x50", "+80", "8 0"};
	char text[128], msg[200];
	size_t i;

	(void)state;
	expect_error("", "empty rule (expected 'any' or to/proto/port/type)");
	expect_error("any proto tcp", "'any' stands alone");
	expect_error("proto tcp any", "'any' stands alone");
	expect_error("any any", "'any' stands alone");
	expect_error("from 2001:db8::1", "unknown word 'from' (expected to, proto, port or type)");
	expect_error("To 2001:db8::1", "unknown word 'To' (expected to, proto, port or type)");
	expect_error("to 2001:db8::/48 to 2001:db8::1", "duplicate 'to'");
	expect_error("proto tcp proto udp", "duplicate 'proto'");
	expect_error("proto tcp port 1 port 2", "duplicate 'port'");
	expect_error("proto icmpv6 type 1 type 2", "duplicate 'type'");
	expect_error("to", "'to' needs a value");
	expect_error("proto", "'proto' needs a value");
	expect_error("proto tcp port", "'port' needs a value");
	expect_error("proto icmpv6 type", "'type' needs a value");
	for (i = 0; i < sizeof(bad_prefix) / sizeof(bad_prefix[0]); i++) {
		struct acl_rule r;
		const char *w[2] = {"to", bad_prefix[i]};
		char err[200] = "";

		assert_int_equal(acl_rule_parse(&r, w, 2, err, sizeof(err)), -1);
		snprintf(msg, sizeof(msg), "bad prefix '%s' (IPv6 address[/0-128])", bad_prefix[i]);
		assert_string_equal(err, msg);
	}
	expect_error("proto foo", "bad proto 'foo' (tcp, udp, icmpv6, esp, ah or 0-255)");
	expect_error("proto 256", "bad proto '256' (tcp, udp, icmpv6, esp, ah or 0-255)");
	expect_error("proto -1", "bad proto '-1' (tcp, udp, icmpv6, esp, ah or 0-255)");
	expect_error("proto icmp", "bad proto 'icmp' (tcp, udp, icmpv6, esp, ah or 0-255)");
	expect_error("proto 0", "proto 0 is an extension header, not an upper layer");
	expect_error("proto 43", "proto 43 is an extension header, not an upper layer");
	expect_error("proto 44", "proto 44 is an extension header, not an upper layer");
	expect_error("proto 60", "proto 60 is an extension header, not an upper layer");
	expect_error("port 80", "port needs proto tcp or udp");
	expect_error("port 80 to 2001:db8::1", "port needs proto tcp or udp");
	expect_error("proto esp port 80", "port needs proto tcp or udp");
	expect_error("proto icmpv6 port 80", "port needs proto tcp or udp");
	expect_error("type 1", "type needs proto icmpv6");
	expect_error("proto udp type 1", "type needs proto icmpv6");
	for (i = 0; i < sizeof(bad_port) / sizeof(bad_port[0]); i++) {
		struct acl_rule r;
		const char *w[4] = {"proto", "tcp", "port", bad_port[i]};
		char err[200] = "";

		assert_int_equal(acl_rule_parse(&r, w, 4, err, sizeof(err)), -1);
		snprintf(msg, sizeof(msg), "bad port '%s' (N or N-M, 0-65535, N <= M)",
			 bad_port[i]);
		assert_string_equal(err, msg);
	}
	expect_error("proto icmpv6 type 256", "bad type '256' (N or N-M, 0-255, N <= M)");
	expect_error("proto icmpv6 type 5-4", "bad type '5-4' (N or N-M, 0-255, N <= M)");
	expect_error("proto icmpv6 type x", "bad type 'x' (N or N-M, 0-255, N <= M)");
	/* the value is quoted on one line: bytes other than printable ASCII become '?' */
	{
		const char *w[2] = {"proto", "t\ncp\x80\x1b"};
		struct acl_rule r;
		char err[200] = "";

		assert_int_equal(acl_rule_parse(&r, w, 2, err, sizeof(err)), -1);
		assert_string_equal(err, "bad proto 't?cp?"
					 "?' (tcp, udp, icmpv6, esp, ah or 0-255)");
	}
	/* the value is quoted, at most 64 characters of it */
	memset(text, 'x', 100);
	text[100] = '\0';
	{
		const char *w[1] = {text};
		struct acl_rule r;
		char err[200] = "";

		assert_int_equal(acl_rule_parse(&r, w, 1, err, sizeof(err)), -1);
		snprintf(msg, sizeof(msg),
			 "unknown word '%.64s' (expected to, proto, port or type)", text);
		assert_string_equal(err, msg);
	}
}

static void test_parse_robust(void **state)
{
	const char *w[3] = {"proto", NULL, "x"};
	struct acl_rule r;
	char err[8];

	(void)state;
	/* no buffer, a tiny buffer (cut, terminated), NULL words */
	assert_int_equal(parse(&r, "port 80", NULL, 0), -1);
	assert_int_equal(parse(&r, "port 80", err, 0), -1);
	assert_int_equal(parse(&r, "port 80", err, sizeof(err)), -1);
	assert_string_equal(err, "port ne");
	assert_int_equal(acl_rule_parse(&r, w, 3, err, sizeof(err)), -1);
	assert_string_equal(err, "missing");
	assert_int_equal(acl_rule_parse(&r, NULL, 0, err, sizeof(err)), -1);
}

static void test_format_robust(void **state)
{
	struct acl_rule r = rule("to 2001:db8:9::/48 proto udp port 500-4500");
	char small[5], big[ACL_TEXT_MAX];
	const char *ret;

	(void)state;
	ret = acl_rule_format(&r, small, sizeof(small));
	assert_ptr_equal(ret, small);
	assert_string_equal(small, "to 2");
	assert_string_equal(acl_rule_format(&r, small, 0), "");
	assert_string_equal(acl_rule_format(&r, NULL, 10), "");
	/* the longest rule fits ACL_TEXT_MAX */
	r = rule("to ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127 proto 255");
	r.port_lo = 65534;
	r.port_hi = 65535;
	r.type_lo = 254;
	r.type_hi = 255;
	acl_rule_format(&r, big, sizeof(big));
	assert_string_equal(big, "to ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127 proto 255 "
				 "port 65534-65535 type 254-255");
}

/* ---- matching ----------------------------------------------------------------------------- */

static struct acl A;

static int setup_acl(void **state)
{
	static const char *const rules[] = {
	    "to 2001:db8:9::/48 proto udp port 500",
	    "to 2001:db8:9::/48 proto udp port 4500",
	    "proto esp",
	    "proto icmpv6 type 1-4",
	    "to 2001:db8:5::/64 proto tcp port 8000-8080",
	    "to 2001:db8:7::1",
	};
	size_t i;

	(void)state;
	memset(&A, 0, sizeof(A));
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		A.rules[A.n++] = rule(rules[i]);
	return 0;
}

static bool allows(const uint8_t *b, size_t n)
{
	return acl_allows(&A, b, n);
}

static void test_empty_allows_all(void **state)
{
	struct acl none = {.n = 0};
	uint8_t b[128];
	size_t n = l4(b, "2001:db8:a::1", 6, 22);

	(void)state;
	assert_true(acl_allows(&none, b, n));
	assert_true(acl_allows(&none, b, 3)); /* even garbage */
	assert_true(acl_allows(&none, NULL, 0));
	assert_true(acl_allows(NULL, b, n));
}

static void test_udp_tcp_ports(void **state)
{
	uint8_t b[128];

	(void)state;
	assert_true(allows(b, l4(b, "2001:db8:9::5", 17, 500)));
	assert_true(allows(b, l4(b, "2001:db8:9::5", 17, 4500)));
	assert_false(allows(b, l4(b, "2001:db8:9::5", 17, 501)));
	assert_false(allows(b, l4(b, "2001:db8:9::5", 17, 499)));
	assert_false(allows(b, l4(b, "2001:db8:9::5", 17, 53)));
	assert_false(allows(b, l4(b, "2001:db8:9::5", 6, 500))); /* TCP, not UDP */
	/* a source port of 500 is not a destination port */
	l4(b, "2001:db8:9::5", 17, 53);
	b[40] = 0x01;
	b[41] = 0xf4;
	assert_false(allows(b, 48));
	/* the range, both ends */
	assert_true(allows(b, l4(b, "2001:db8:5::1", 6, 8000)));
	assert_true(allows(b, l4(b, "2001:db8:5::1", 6, 8080)));
	assert_true(allows(b, l4(b, "2001:db8:5::1", 6, 8042)));
	assert_false(allows(b, l4(b, "2001:db8:5::1", 6, 7999)));
	assert_false(allows(b, l4(b, "2001:db8:5::1", 6, 8081)));
	assert_false(allows(b, l4(b, "2001:db8:5::1", 17, 8000)));
}

static void test_prefix_boundaries(void **state)
{
	uint8_t b[128];

	(void)state;
	/* /48 */
	assert_true(allows(b, l4(b, "2001:db8:9::", 17, 500)));
	assert_true(allows(b, l4(b, "2001:db8:9:ffff:ffff:ffff:ffff:ffff", 17, 500)));
	assert_false(allows(b, l4(b, "2001:db8:a::", 17, 500)));
	assert_false(allows(b, l4(b, "2001:db8:8:ffff:ffff:ffff:ffff:ffff", 17, 500)));
	/* /64 */
	assert_true(allows(b, l4(b, "2001:db8:5:0:ffff:ffff:ffff:ffff", 6, 8000)));
	assert_false(allows(b, l4(b, "2001:db8:5:1::", 6, 8000)));
	/* /128: one host, any protocol */
	assert_true(allows(b, l4(b, "2001:db8:7::1", 6, 22)));
	assert_true(allows(b, mk(b, "2001:db8:7::1", 47, (const uint8_t[4]){0}, 4)));
	assert_false(allows(b, l4(b, "2001:db8:7::2", 6, 22)));
	assert_false(allows(b, l4(b, "2001:db8:7::", 6, 22)));
	/* /33, a boundary inside a 16-bit group */
	memset(&A, 0, sizeof(A));
	A.rules[A.n++] = rule("to 2001:db8:8000::/33");
	assert_true(allows(b, l4(b, "2001:db8:8000::", 6, 1)));
	assert_true(allows(b, l4(b, "2001:db8:ffff:ffff::1", 6, 1)));
	assert_false(allows(b, l4(b, "2001:db8:7fff:ffff::1", 6, 1)));
	/* /1 */
	A.rules[0] = rule("to 8000::/1");
	assert_true(allows(b, l4(b, "fe80::1", 6, 1)));
	assert_false(allows(b, l4(b, "2001:db8::1", 6, 1)));
}

static void test_esp_icmp(void **state)
{
	uint8_t b[128];

	(void)state;
	assert_true(allows(b, esp(b, "2001:db8:a::1")));
	assert_true(allows(b, esp(b, "2001:db8:1:1000::a1")));
	assert_true(allows(b, icmp_type(b, "2001:db8:a::1", 1)));
	assert_true(allows(b, icmp_type(b, "2001:db8:a::1", 4)));
	assert_false(allows(b, icmp_type(b, "2001:db8:a::1", 0)));
	assert_false(allows(b, icmp_type(b, "2001:db8:a::1", 5)));
	assert_false(allows(b, icmp_type(b, "2001:db8:a::1", 128)));
	assert_false(allows(b, mk(b, "2001:db8:a::1", 47, (const uint8_t[4]){0}, 4)));
}

static void test_ext_headers(void **state)
{
	uint8_t body[64], b[128];

	(void)state;
	/* Hop-by-Hop, then UDP to 500 */
	opts(body, 17);
	ports(body + 8, 500);
	assert_true(allows(b, mk(b, "2001:db8:9::5", IP6_NH_HOPOPTS, body, 16)));
	ports(body + 8, 53);
	assert_false(allows(b, mk(b, "2001:db8:9::5", IP6_NH_HOPOPTS, body, 16)));
	/* Destination Options, then ESP */
	opts(body, 50);
	memset(body + 8, 0xab, 16);
	assert_true(allows(b, mk(b, "2001:db8:a::1", IP6_NH_DSTOPTS, body, 24)));
	/* Hop-by-Hop, Destination Options, ICMPv6 type 2 (Packet Too Big) */
	opts(body, IP6_NH_DSTOPTS);
	opts(body + 8, IP6_NH_ICMPV6);
	memset(body + 16, 0, 8);
	body[16] = 2;
	assert_true(allows(b, mk(b, "2001:db8:a::1", IP6_NH_HOPOPTS, body, 24)));
	body[16] = 128;
	assert_false(allows(b, mk(b, "2001:db8:a::1", IP6_NH_HOPOPTS, body, 24)));
	/* Hop-by-Hop anywhere but first: a malformed chain, the upper layer unknown; only
	 * the destination rule can match */
	opts(body, IP6_NH_HOPOPTS);
	opts(body + 8, 17);
	ports(body + 16, 500);
	assert_false(allows(b, mk(b, "2001:db8:9::5", IP6_NH_DSTOPTS, body, 24)));
	assert_true(allows(b, mk(b, "2001:db8:7::1", IP6_NH_DSTOPTS, body, 24)));
}

static void test_too_many_ext(void **state)
{
	uint8_t body[128], b[256];
	size_t i;

	(void)state;
	/* IP6_EXT_MAX + 1 Destination Options headers, then UDP to 500: unknown upper layer */
	for (i = 0; i <= IP6_EXT_MAX; i++)
		opts(body + 8 * i, i == IP6_EXT_MAX ? 17 : IP6_NH_DSTOPTS);
	ports(body + 8 * i, 500);
	assert_false(allows(b, mk(b, "2001:db8:9::5", IP6_NH_DSTOPTS, body, 8 * i + 8)));
	assert_true(allows(b, mk(b, "2001:db8:7::1", IP6_NH_DSTOPTS, body, 8 * i + 8)));
	/* IP6_EXT_MAX of them is still walked */
	opts(body + 8 * (IP6_EXT_MAX - 1), 17);
	ports(body + 8 * IP6_EXT_MAX, 500);
	assert_true(allows(b, mk(b, "2001:db8:9::5", IP6_NH_DSTOPTS, body, 8 * IP6_EXT_MAX + 8)));
}

/* RFC 8200 §4.4: with Segments Left > 0 the destination is only a waypoint; such a packet
 * passes only "any", so an allowed destination is no stepping stone to the rest. */
static void test_routing_header(void **state)
{
	uint8_t body[64] = {0}, b[128];

	(void)state;
	body[0] = 17; /* next header: UDP */
	body[1] = 0;  /* 8 bytes */
	body[2] = 4;  /* Segment Routing (RFC 8754); the walk does not care */
	body[3] = 1;  /* Segments Left */
	ports(body + 8, 500);
	assert_false(allows(b, mk(b, "2001:db8:9::5", IP6_NH_ROUTING, body, 16)));
	assert_false(allows(b, mk(b, "2001:db8:7::1", IP6_NH_ROUTING, body, 16)));
	body[3] = 0; /* exhausted: the destination is final, judged as usual */
	assert_true(allows(b, mk(b, "2001:db8:9::5", IP6_NH_ROUTING, body, 16)));
	body[3] = 1;
	{
		struct acl any = {.n = 1};

		any.rules[0] = rule("any");
		assert_true(acl_allows(&any, b, mk(b, "2001:db8:9::5", IP6_NH_ROUTING, body, 16)));
	}
}

static void test_fragments(void **state)
{
	uint8_t body[64], b[128];

	(void)state;
	/* a first fragment carries the upper-layer header: judged by it */
	frag(body, 17, 0, true);
	ports(body + 8, 500);
	assert_true(allows(b, mk(b, "2001:db8:9::5", IP6_NH_FRAGMENT, body, 16)));
	ports(body + 8, 53);
	assert_false(allows(b, mk(b, "2001:db8:9::5", IP6_NH_FRAGMENT, body, 16)));
	frag(body, 50, 0, true);
	assert_true(allows(b, mk(b, "2001:db8:a::1", IP6_NH_FRAGMENT, body, 16)));
	/* a non-first fragment has no ports: whatever its bytes look like, it passes only to a
	 * destination some rule names with `to` (its first fragment was judged in full), so
	 * fragmented IKE to the IPsec gateway completes */
	frag(body, 17, 1, true);
	ports(body + 8, 500);
	assert_true(allows(b, mk(b, "2001:db8:9::5", IP6_NH_FRAGMENT, body, 16)));
	ports(body + 8, 53);
	assert_true(allows(b, mk(b, "2001:db8:9::5", IP6_NH_FRAGMENT, body, 16)));
	/* "proto esp" names no destination: a later fragment elsewhere does not pass */
	frag(body, 50, 1, false);
	assert_false(allows(b, mk(b, "2001:db8:a::1", IP6_NH_FRAGMENT, body, 16)));
	assert_false(allows(b, mk(b, "2001:db8:6::1", IP6_NH_FRAGMENT, body, 16)));
	frag(body, 6, 185, false);
	assert_true(allows(b, mk(b, "2001:db8:7::1", IP6_NH_FRAGMENT, body, 16)));
	assert_false(allows(b, mk(b, "2001:db8:7::2", IP6_NH_FRAGMENT, body, 16)));
	/* a first fragment too short for the destination port */
	frag(body, 17, 0, true);
	ports(body + 8, 500);
	assert_false(allows(b, mk(b, "2001:db8:9::5", IP6_NH_FRAGMENT, body, 11)));
	assert_true(allows(b, mk(b, "2001:db8:9::5", IP6_NH_FRAGMENT, body, 12)));
}

static void test_truncated_upper(void **state)
{
	uint8_t h[8], b[128];

	(void)state;
	ports(h, 500);
	assert_false(allows(b, mk(b, "2001:db8:9::5", 17, h, 3)));
	assert_false(allows(b, mk(b, "2001:db8:9::5", 17, h, 0)));
	assert_true(allows(b, mk(b, "2001:db8:9::5", 17, h, 4)));
	assert_false(allows(b, mk(b, "2001:db8:a::1", IP6_NH_ICMPV6, h, 0)));
	/* a rule without the port matches the short header */
	memset(&A, 0, sizeof(A));
	A.rules[A.n++] = rule("to 2001:db8:9::/48 proto udp");
	assert_true(allows(b, mk(b, "2001:db8:9::5", 17, h, 3)));
	assert_true(allows(b, mk(b, "2001:db8:9::5", 17, h, 0)));
	assert_false(allows(b, mk(b, "2001:db8:9::5", 6, h, 0)));
	/* a missing port is not port 0 */
	A.rules[0] = rule("proto udp port 0-10");
	memset(h, 0, sizeof(h));
	assert_false(allows(b, mk(b, "2001:db8:9::5", 17, h, 3)));
	assert_true(allows(b, mk(b, "2001:db8:9::5", 17, h, 4)));
}

static void test_malformed(void **state)
{
	uint8_t b[128];
	size_t n;

	(void)state;
	/* Payload Length disagrees, not version 6, shorter than a header: no destination rule
	 * matches, even the one-host rule */
	n = l4(b, "2001:db8:7::1", 17, 500);
	assert_true(allows(b, n));
	assert_false(allows(b, n - 1));
	assert_false(allows(b, 39));
	b[0] = 0x40;
	assert_false(allows(b, n));
	assert_false(allows(NULL, 0));
	/* "any" takes everything */
	A.rules[A.n++] = rule("any");
	assert_true(allows(b, n));
	assert_true(allows(b, 3));
	assert_true(allows(NULL, 0));
}

static void test_ah(void **state)
{
	uint8_t body[64], b[128];

	(void)state;
	memset(&A, 0, sizeof(A));
	A.rules[A.n++] = rule("proto ah");
	A.rules[A.n++] = rule("proto udp port 500");
	/* AH protecting UDP to 53: the AH rule; UDP to 500 behind AH: the port rule */
	ah(body, 17);
	ports(body + 16, 53);
	assert_true(allows(b, mk(b, "2001:db8:a::1", IP6_NH_AH, body, 24)));
	A.rules[0] = rule("proto esp");
	assert_false(allows(b, mk(b, "2001:db8:a::1", IP6_NH_AH, body, 24)));
	ports(body + 16, 500);
	assert_true(allows(b, mk(b, "2001:db8:a::1", IP6_NH_AH, body, 24)));
	/* AH after Destination Options */
	A.rules[0] = rule("proto ah");
	opts(body, IP6_NH_AH);
	ah(body + 8, 17);
	ports(body + 24, 53);
	assert_true(allows(b, mk(b, "2001:db8:a::1", IP6_NH_DSTOPTS, body, 32)));
	/* no AH: plain UDP to 53 */
	assert_false(allows(b, l4(b, "2001:db8:a::1", 17, 53)));
	/* No Next Header is an upper layer of its own */
	A.rules[1] = rule("proto 59");
	assert_true(allows(b, mk(b, "2001:db8:a::1", IP6_NH_NONE, body, 0)));
}

static void test_rule_count_bound(void **state)
{
	uint8_t b[128];
	size_t i;

	(void)state;
	memset(&A, 0, sizeof(A));
	for (i = 0; i < ACL_MAX_RULES; i++)
		A.rules[i] = rule("to 2001:db8:7::1");
	A.rules[ACL_MAX_RULES - 1] = rule("proto esp");
	A.n = ACL_MAX_RULES + 100; /* only the rules that exist are read */
	assert_true(allows(b, esp(b, "2001:db8:a::1")));
	assert_false(allows(b, l4(b, "2001:db8:a::1", 6, 1)));
}

#define TA(f) cmocka_unit_test_setup(f, setup_acl)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_parse_fields),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_parse_robust),
	    cmocka_unit_test(test_format_robust),
	    TA(test_empty_allows_all),
	    TA(test_udp_tcp_ports),
	    TA(test_prefix_boundaries),
	    TA(test_esp_icmp),
	    TA(test_ext_headers),
	    TA(test_too_many_ext),
	    TA(test_fragments),
	    TA(test_routing_header),
	    TA(test_truncated_upper),
	    TA(test_malformed),
	    TA(test_ah),
	    TA(test_rule_count_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
