/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/ip6: header view, address predicates, ICMPv6 checksum (against the
 * byte vectors of ms-iphttps.md §1.5 and an independent byte-wise sum), the extension-header
 * walk, the RFC 4443 §2.4(e) predicate, and the error and echo-reply builders.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "proto/ip6.h"

#include "tests/unit/vectors.h"

/* A packet: fixed header, then body[0..n). Returns its length. */
static size_t mkpkt(uint8_t *out, const char *src, const char *dst, uint8_t nxt, uint8_t hlim,
		    const uint8_t *body, size_t n)
{
	struct in6_addr s = in6(src), d = in6(dst);

	out[0] = 0x60;
	out[1] = out[2] = out[3] = 0;
	out[4] = (uint8_t)(n >> 8);
	out[5] = (uint8_t)n;
	out[6] = nxt;
	out[7] = hlim;
	memcpy(out + 8, s.s6_addr, 16);
	memcpy(out + 24, d.s6_addr, 16);
	memcpy(out + 40, body, n);
	return 40 + n;
}

/* An independent RFC 1071 checksum, one byte at a time. */
static uint16_t ref_cksum(const uint8_t *src, const uint8_t *dst, uint8_t nxt, const uint8_t *d,
			  size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < 16; i++)
		sum += (uint32_t)(i & 1 ? src[i] : src[i] << 8) + (i & 1 ? dst[i] : dst[i] << 8);
	sum += (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff) + nxt;
	for (i = 0; i < n; i++)
		sum += i & 1 ? d[i] : (uint32_t)d[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void test_parse(void **state)
{
	struct ip6_view v;
	uint8_t b[64];

	(void)state;
	assert_int_equal(ip6_parse(&v, rs_vec, sizeof(rs_vec)), 0);
	assert_int_equal(v.plen, 8);
	assert_int_equal(v.nxt, 58);
	assert_int_equal(v.hlim, 255);
	assert_int_equal(v.tclass, 0);
	assert_int_equal(v.flow, 0);
	assert_true(ip6_addr_eq(&v.src, in6p("fe80::8d3c:41ff:2a9b:1c07")));
	assert_true(ip6_addr_eq(&v.dst, in6p("ff02::2")));
	/* payload length must equal len - 40 */
	assert_int_equal(ip6_parse(&v, rs_vec, sizeof(rs_vec) - 1), -1);
	memcpy(b, rs_vec, sizeof(rs_vec));
	b[48] = 0;
	assert_int_equal(ip6_parse(&v, b, 49), -1);
	/* but the head parser takes a truncated packet */
	assert_int_equal(ip6_parse_head(&v, rs_vec, 40), 0);
	assert_int_equal(ip6_parse_head(&v, rs_vec, 39), -1);
	/* version */
	b[0] = 0x45;
	assert_int_equal(ip6_parse(&v, b, 48), -1);
	/* traffic class and flow label */
	memcpy(b, rs_vec, 48);
	b[0] = 0x6a;
	b[1] = 0xbc;
	b[2] = 0xde;
	b[3] = 0xf1;
	assert_int_equal(ip6_parse(&v, b, 48), 0);
	assert_int_equal(v.tclass, 0xab);
	assert_int_equal(v.flow, 0xcdef1);
}

static void test_predicates(void **state)
{
	struct in6_addr a, sn;

	(void)state;
	assert_true(ip6_is_linklocal(in6p("fe80::1")));
	assert_true(ip6_is_linklocal(in6p("febf:ffff::1")));
	assert_false(ip6_is_linklocal(in6p("fec0::1")));
	assert_false(ip6_is_linklocal(in6p("fe7f::1")));
	assert_true(ip6_is_multicast(in6p("ff02::1")));
	assert_false(ip6_is_multicast(in6p("fe80::1")));
	assert_true(ip6_is_unspecified(in6p("::")));
	assert_false(ip6_is_unspecified(in6p("::1")));
	assert_true(ip6_is_loopback(in6p("::1")));
	assert_true(ip6_is_solicited_node(in6p("ff02::1:ff9b:1c07")));
	assert_false(ip6_is_solicited_node(in6p("ff02::1:fe9b:1c07")));
	assert_false(ip6_is_solicited_node(in6p("ff05::1:ff9b:1c07")));
	a = in6("2001:db8:1:1000:8d3c:41ff:2a9b:1c07");
	ip6_solicited_node(&sn, &a);
	assert_memory_equal(sn.s6_addr, dad_vec + 24, 16);
}

static void test_prefix(void **state)
{
	struct in6_addr p = in6("2001:db8:1:1000::"), a = in6("2001:db8:1:1000:8d3c::1");

	(void)state;
	assert_true(ip6_prefix_match(&a, &p, 64));
	assert_true(ip6_prefix_match(&a, &p, 0));
	assert_false(ip6_prefix_match(&a, &p, 65));
	assert_false(ip6_prefix_match(&a, &p, 128));
	assert_true(ip6_prefix_match(&a, &a, 128));
	assert_false(ip6_prefix_match(&a, &a, 129));
	a = in6("2001:db8:1:1001::");
	assert_true(ip6_prefix_match(&a, &p, 63));
	assert_false(ip6_prefix_match(&a, &p, 64));
	a = in6("2001:db8:ffff:ffff:ffff::");
	ip6_prefix_mask(&a, 35);
	assert_true(ip6_addr_eq(&a, in6p("2001:db8:e000::")));
	a = in6("2001:db8::1");
	ip6_prefix_mask(&a, 0);
	assert_true(ip6_is_unspecified(&a));
	a = in6("2001:db8::1");
	ip6_prefix_mask(&a, 128);
	assert_true(ip6_addr_eq(&a, in6p("2001:db8::1")));
}

static void check_vector(const uint8_t *vec, size_t len, uint16_t want)
{
	struct ip6_view v;
	uint8_t b[128];

	memcpy(b, vec, len);
	assert_int_equal(ip6_parse(&v, b, len), 0);
	assert_true(ip6_icmp6_cksum_ok(&v.src, &v.dst, b + 40, len - 40));
	b[42] = b[43] = 0;
	assert_int_equal(ip6_cksum(&v.src, &v.dst, 58, b + 40, len - 40), want);
	assert_int_equal(ref_cksum(b + 8, b + 24, 58, b + 40, len - 40), want);
	/* one flipped bit anywhere in the message or the pseudo-header is caught */
	memcpy(b, vec, len);
	b[len - 1] ^= 0x10;
	assert_false(ip6_icmp6_cksum_ok(&v.src, &v.dst, b + 40, len - 40));
	v.dst.s6_addr[15] ^= 1;
	assert_false(ip6_icmp6_cksum_ok(&v.src, &v.dst, vec + 40, len - 40));
}

static void test_cksum_vectors(void **state)
{
	(void)state;
	check_vector(rs_vec, sizeof(rs_vec), 0x6759);
	check_vector(dad_vec, sizeof(dad_vec), 0x0a6e);
	check_vector(ra_vec, sizeof(ra_vec), 0x1fbe);
}

static void test_cksum_odd(void **state)
{
	struct in6_addr s = in6("2001:db8::1"), d = in6("2001:db8::2");
	uint8_t data[37];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 11);
	data[2] = data[3] = 0;
	assert_int_equal(ip6_cksum(&s, &d, 58, data, sizeof(data)),
			 ref_cksum(s.s6_addr, d.s6_addr, 58, data, sizeof(data)));
	assert_int_equal(ip6_cksum(&s, &d, 17, data, 1),
			 ref_cksum(s.s6_addr, d.s6_addr, 17, data, 1));
	assert_false(ip6_icmp6_cksum_ok(&s, &d, data, 3)); /* shorter than an ICMPv6 header */
}

static void test_upper_plain(void **state)
{
	struct ip6_upper u;

	(void)state;
	assert_int_equal(ip6_find_upper(&u, dad_vec, sizeof(dad_vec)), 0);
	assert_true(u.known);
	assert_int_equal(u.proto, 58);
	assert_int_equal(u.off, 40);
	assert_false(u.fragment);
	assert_false(u.routed);
	assert_int_equal(ip6_find_upper(&u, dad_vec, 39), -1);
}

static void test_upper_chain(void **state)
{
	/* HBH (8) -> Routing type 4 segleft 1 (16) -> Fragment offset 0 (8) -> Dst (8) -> ICMPv6 */
	static const uint8_t body[] = {
	    43,	 0, 1, 4, 0, 0, 0, 0,			      /* Hop-by-Hop, PadN */
	    44,	 1, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* Routing, Segments Left 1 */
	    60,	 0, 0, 1, 0, 0, 0, 9,			      /* Fragment, offset 0, M=1 */
	    58,	 0, 1, 4, 0, 0, 0, 0,			      /* Destination Options */
	    128, 0, 0, 0, 0, 1, 0, 1,			      /* echo request */
	};
	struct ip6_upper u;
	uint8_t p[128];
	size_t n;

	(void)state;
	n = mkpkt(p, "2001:db8::1", "2001:db8::2", 0, 64, body, sizeof(body));
	assert_int_equal(ip6_find_upper(&u, p, n), 0);
	assert_true(u.known);
	assert_int_equal(u.proto, 58);
	assert_int_equal(u.off, 40 + 40);
	assert_true(u.fragment);
	assert_true(u.routed);
	/* the chain cut short: malformed (RFC 8200 §4.5, the first fragment holds it all) */
	assert_int_equal(ip6_find_upper(&u, p, 40 + 30), -1);
	/* a non-first fragment: offset 8 */
	p[40 + 24 + 3] = 0x08;
	assert_int_equal(ip6_find_upper(&u, p, n), 0);
	assert_false(u.known);
	/* Hop-by-Hop after the first header is malformed */
	n = mkpkt(p, "2001:db8::1", "2001:db8::2", 60, 64,
		  (const uint8_t[]){0, 0, 1, 4, 0, 0, 0, 0, 58, 0, 1, 4, 0, 0, 0, 0, 128, 0, 0, 0},
		  20);
	assert_int_equal(ip6_find_upper(&u, p, n), -1);
}

static void test_upper_limits(void **state)
{
	uint8_t body[8 * (IP6_EXT_MAX + 1) + 8] = {0};
	struct ip6_upper u;
	uint8_t p[256];
	size_t i, n;

	(void)state;
	/* IP6_EXT_MAX Destination Options headers, then ICMPv6: found */
	for (i = 0; i < IP6_EXT_MAX; i++) {
		memcpy(body + 8 * i, (const uint8_t[]){60, 0, 1, 4, 0, 0, 0, 0}, 8);
	}
	body[8 * (IP6_EXT_MAX - 1)] = 58;
	n = mkpkt(p, "2001:db8::1", "2001:db8::2", 60, 64, body, 8 * IP6_EXT_MAX + 4);
	assert_int_equal(ip6_find_upper(&u, p, n), 0);
	assert_true(u.known);
	assert_int_equal(u.off, 40 + 8 * IP6_EXT_MAX);
	/* one more: unknown, never a long walk */
	for (i = 0; i <= IP6_EXT_MAX; i++)
		memcpy(body + 8 * i, (const uint8_t[]){60, 0, 1, 4, 0, 0, 0, 0}, 8);
	body[8 * IP6_EXT_MAX] = 58;
	n = mkpkt(p, "2001:db8::1", "2001:db8::2", 60, 64, body, sizeof(body));
	assert_int_equal(ip6_find_upper(&u, p, n), 0);
	assert_false(u.known);
	/* AH: length in 4-byte units minus 2 (RFC 4302) */
	n = mkpkt(p, "2001:db8::1", "2001:db8::2", 51, 64,
		  (const uint8_t[]){58, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 136, 0, 0, 0}, 16);
	assert_int_equal(ip6_find_upper(&u, p, n), 0);
	assert_int_equal(u.proto, 58);
	assert_int_equal(u.off, 52);
}

static void test_error_allowed(void **state)
{
	uint8_t p[128];
	size_t n;

	(void)state;
	/* TCP to a unicast destination */
	n = mkpkt(p, "2001:db8::1", "2001:db8::2", 6, 64, (const uint8_t[20]){0}, 20);
	assert_true(ip6_error_allowed(p, n, IP6_ICMP_UNREACH, 3));
	/* (e.1) about an ICMPv6 error */
	n = mkpkt(p, "2001:db8::1", "2001:db8::2", 58, 64, (const uint8_t[8]){1, 3}, 8);
	assert_false(ip6_error_allowed(p, n, IP6_ICMP_UNREACH, 3));
	assert_false(ip6_error_allowed(p, n, IP6_ICMP_TOO_BIG, 0));
	/* (e.2) about a Redirect */
	n = mkpkt(p, "fe80::2", "fe80::3", 58, 255, (const uint8_t[8]){137}, 8);
	assert_false(ip6_error_allowed(p, n, IP6_ICMP_UNREACH, 3));
	/* an informational message is fine */
	n = mkpkt(p, "2001:db8::1", "2001:db8::2", 58, 64, (const uint8_t[8]){128}, 8);
	assert_true(ip6_error_allowed(p, n, IP6_ICMP_UNREACH, 3));
	/* the type cannot be read: assume the worst */
	assert_false(ip6_error_allowed(p, 40, IP6_ICMP_UNREACH, 3));
	/* (e.3) multicast destination: only Packet Too Big and Parameter Problem code 2 */
	n = mkpkt(p, "2001:db8::1", "ff0e::1", 17, 64, (const uint8_t[8]){0}, 8);
	assert_false(ip6_error_allowed(p, n, IP6_ICMP_UNREACH, 3));
	assert_true(ip6_error_allowed(p, n, IP6_ICMP_TOO_BIG, 0));
	assert_true(ip6_error_allowed(p, n, IP6_ICMP_PARAM_PROB, 2));
	assert_false(ip6_error_allowed(p, n, IP6_ICMP_PARAM_PROB, 1));
	/* (e.6) sources that do not name one node */
	n = mkpkt(p, "::", "2001:db8::2", 17, 64, (const uint8_t[8]){0}, 8);
	assert_false(ip6_error_allowed(p, n, IP6_ICMP_TOO_BIG, 0));
	n = mkpkt(p, "ff02::1", "2001:db8::2", 17, 64, (const uint8_t[8]){0}, 8);
	assert_false(ip6_error_allowed(p, n, IP6_ICMP_TOO_BIG, 0));
	/* not IPv6 at all */
	assert_false(ip6_error_allowed(p, 20, IP6_ICMP_TOO_BIG, 0));
}

static void test_build_error(void **state)
{
	uint8_t inv[1500], out[1500];
	struct in6_addr gw = in6("2001:db8:1:1000::1");
	struct ip6_view v;
	struct buf_wr w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inv); i++)
		inv[i] = (uint8_t)i;
	mkpkt(inv, "2001:db8:1:1000::5", "2001:db8:9::9", 17, 64, inv + 40, sizeof(inv) - 40);
	buf_wr_init(&w, out, sizeof(out));
	assert_int_equal(ip6_build_error(&w, &gw, IP6_ICMP_TOO_BIG, 0, 1280, inv, sizeof(inv)), 0);
	/* RFC 4443 §2.4(c): the error fits the minimum MTU exactly */
	assert_int_equal(w.len, 1280);
	assert_int_equal(ip6_parse(&v, out, w.len), 0);
	assert_int_equal(v.hlim, IP6_HLIM_DEFAULT);
	assert_int_equal(v.nxt, 58);
	assert_true(ip6_addr_eq(&v.src, &gw));
	assert_true(ip6_addr_eq(&v.dst, in6p("2001:db8:1:1000::5")));
	assert_memory_equal(out + 40, ((const uint8_t[]){2, 0}), 2);
	assert_memory_equal(out + 44, ((const uint8_t[]){0, 0, 5, 0}), 4);
	assert_memory_equal(out + 48, inv, 1232);
	assert_true(ip6_icmp6_cksum_ok(&v.src, &v.dst, out + 40, w.len - 40));
	/* a small invoking packet is quoted whole */
	buf_wr_init(&w, out, sizeof(out));
	assert_int_equal(ip6_build_error(&w, &gw, IP6_ICMP_UNREACH, 3, 0, inv, 100), 0);
	assert_int_equal(w.len, 148);
	assert_memory_equal(out + 48, inv, 100);
	/* a writer smaller than 1280 limits the quote */
	buf_wr_init(&w, out, 200);
	assert_int_equal(ip6_build_error(&w, &gw, IP6_ICMP_UNREACH, 3, 0, inv, sizeof(inv)), 0);
	assert_int_equal(w.len, 200);
	assert_int_equal(ip6_parse(&v, out, w.len), 0);
	assert_true(ip6_icmp6_cksum_ok(&v.src, &v.dst, out + 40, w.len - 40));
	/* not an IPv6 packet; a writer too small for the headers */
	buf_wr_init(&w, out, sizeof(out));
	assert_int_equal(ip6_build_error(&w, &gw, 1, 3, 0, inv, 39), -1);
	buf_wr_init(&w, out, 47);
	assert_int_equal(ip6_build_error(&w, &gw, 1, 3, 0, inv, 100), -1);
}

static void test_echo_reply(void **state)
{
	static const uint8_t echo[] = {128,  0,	  0,   0,   0x12, 0x34, 0x00,
				       0x07, 'p', 'i', 'n', 'g',  '!'};
	struct in6_addr s = in6("2001:db8:1:1000::1"), d = in6("2001:db8:1:1000::99");
	uint8_t out[128];
	struct ip6_view v;
	struct buf_wr w;

	(void)state;
	buf_wr_init(&w, out, sizeof(out));
	assert_int_equal(ip6_build_echo_reply(&w, &s, &d, echo, sizeof(echo)), 0);
	assert_int_equal(w.len, 40 + sizeof(echo));
	assert_int_equal(ip6_parse(&v, out, w.len), 0);
	assert_true(ip6_addr_eq(&v.src, &s));
	assert_true(ip6_addr_eq(&v.dst, &d));
	assert_int_equal(out[40], 129);
	assert_int_equal(out[41], 0);
	assert_memory_equal(out + 44, echo + 4, sizeof(echo) - 4);
	assert_true(ip6_icmp6_cksum_ok(&s, &d, out + 40, w.len - 40));
	assert_int_equal(
	    ((uint16_t)out[42] << 8 | out[43]),
	    ref_cksum(s.s6_addr, d.s6_addr, 58,
		      (const uint8_t[]){129, 0, 0, 0, 0x12, 0x34, 0, 7, 'p', 'i', 'n', 'g', '!'},
		      sizeof(echo)));
	/* not a request; too short; a writer too small */
	buf_wr_init(&w, out, sizeof(out));
	assert_int_equal(ip6_build_echo_reply(&w, &s, &d, (const uint8_t[8]){129}, 8), -1);
	buf_wr_init(&w, out, sizeof(out));
	assert_int_equal(ip6_build_echo_reply(&w, &s, &d, echo, 7), -1);
	buf_wr_init(&w, out, 50);
	assert_int_equal(ip6_build_echo_reply(&w, &s, &d, echo, sizeof(echo)), -1);
}

static void test_finish(void **state)
{
	struct in6_addr s = in6("fe80::1"), d = in6("ff02::1");
	uint8_t out[64];
	struct buf_wr w;

	(void)state;
	buf_wr_init(&w, out, sizeof(out));
	ip6_put_hdr(&w, 58, 255, &s, &d);
	buf_put_u32(&w, 0x80000000);
	buf_put_u32(&w, 0xdeadbeef);
	assert_int_equal(ip6_icmp6_finish(&w), 0);
	assert_int_equal(out[4], 0);
	assert_int_equal(out[5], 8);
	assert_true(ip6_icmp6_cksum_ok(&s, &d, out + 40, 8));
	/* a writer that is not empty at the header is an error, not a shifted packet */
	buf_wr_init(&w, out, sizeof(out));
	buf_put_u8(&w, 0);
	ip6_put_hdr(&w, 58, 255, &s, &d);
	buf_put_u32(&w, 0);
	assert_int_equal(ip6_icmp6_finish(&w), -1);
	/* nothing after the header */
	buf_wr_init(&w, out, sizeof(out));
	ip6_put_hdr(&w, 58, 255, &s, &d);
	assert_int_equal(ip6_icmp6_finish(&w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),	  cmocka_unit_test(test_predicates),
	    cmocka_unit_test(test_prefix),	  cmocka_unit_test(test_cksum_vectors),
	    cmocka_unit_test(test_cksum_odd),	  cmocka_unit_test(test_upper_plain),
	    cmocka_unit_test(test_upper_chain),	  cmocka_unit_test(test_upper_limits),
	    cmocka_unit_test(test_error_allowed), cmocka_unit_test(test_build_error),
	    cmocka_unit_test(test_echo_reply),	  cmocka_unit_test(test_finish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
