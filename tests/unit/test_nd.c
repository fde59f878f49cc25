/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/nd: the builders reproduce the RS, DAD NS and RA byte vectors of
 * ms-iphttps.md §1.5; RFC 4861 §6.1.1/§7.1.1/§7.1.2 validation rejects each rule broken on
 * its own (checksum fixed so only that rule fails); RA parsing and RFC 4191 Route Information
 * encoding for /0, /48, /64, /128 with every preference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "proto/nd.h"

#include "tests/unit/vectors.h"

/* Recomputes Payload Length and the ICMPv6 checksum of a packet whose ICMPv6 is at 40. */
static void fix(uint8_t *pkt, size_t len)
{
	struct ip6_view v;
	uint16_t ck;

	pkt[4] = (uint8_t)((len - 40) >> 8);
	pkt[5] = (uint8_t)(len - 40);
	assert_int_equal(ip6_parse(&v, pkt, len), 0);
	pkt[42] = pkt[43] = 0;
	ck = ip6_cksum(&v.src, &v.dst, IP6_NH_ICMPV6, pkt + 40, len - 40);
	pkt[42] = (uint8_t)(ck >> 8);
	pkt[43] = (uint8_t)ck;
}

/* nd_parse over a whole packet. */
static int parse(struct nd_msg *m, const uint8_t *pkt, size_t len)
{
	struct ip6_view v;

	if (ip6_parse(&v, pkt, len))
		return -2;
	return nd_parse(m, &v, pkt + 40, len - 40);
}

static int parse_ra(struct nd_ra *ra, const uint8_t *pkt, size_t len)
{
	struct ip6_view v;

	assert_int_equal(ip6_parse(&v, pkt, len), 0);
	return nd_parse_ra(ra, &v, pkt + 40, len - 40);
}

static struct nd_ra spec_ra(void)
{
	struct nd_ra ra = {
	    .cur_hop_limit = 64,
	    .router_lifetime = 1800,
	    .has_prefix = true,
	    .pi = {.prefix = in6("2001:db8:1:1000::"),
		   .plen = 64,
		   .onlink = true,
		   .autonomous = true,
		   .valid = 86400,
		   .preferred = 14400},
	    .mtu = 1280,
	};

	return ra;
}

static void test_build_vectors(void **state)
{
	struct nd_ra ra = spec_ra();
	uint8_t out[256];
	struct buf_wr w;

	(void)state;
	buf_wr_init(&w, out, sizeof(out));
	assert_int_equal(nd_build_rs(&w, in6p("fe80::8d3c:41ff:2a9b:1c07"), in6p("ff02::2")), 0);
	assert_int_equal(w.len, sizeof(rs_vec));
	assert_memory_equal(out, rs_vec, sizeof(rs_vec));

	buf_wr_init(&w, out, sizeof(out));
	assert_int_equal(nd_build_ns(&w, in6p("::"), in6p("ff02::1:ff9b:1c07"),
				     in6p("2001:db8:1:1000:8d3c:41ff:2a9b:1c07")),
			 0);
	assert_int_equal(w.len, sizeof(dad_vec));
	assert_memory_equal(out, dad_vec, sizeof(dad_vec));

	buf_wr_init(&w, out, sizeof(out));
	assert_int_equal(nd_build_ra(&w, in6p("fe80::1"), in6p("ff02::1"), &ra), 0);
	assert_int_equal(w.len, sizeof(ra_vec));
	assert_memory_equal(out, ra_vec, sizeof(ra_vec));
}

static void test_rs(void **state)
{
	uint8_t b[64];
	struct nd_msg m;

	(void)state;
	assert_int_equal(parse(&m, rs_vec, sizeof(rs_vec)), 0);
	assert_int_equal(m.type, ND_TYPE_RS);
	/* RFC 4861 §6.1.1, one rule at a time */
	memcpy(b, rs_vec, 48);
	b[7] = 254; /* hop limit (not covered by the checksum) */
	assert_int_equal(parse(&m, b, 48), -1);
	memcpy(b, rs_vec, 48);
	b[41] = 1; /* code */
	fix(b, 48);
	assert_int_equal(parse(&m, b, 48), -1);
	memcpy(b, rs_vec, 48);
	b[43] ^= 1; /* checksum */
	assert_int_equal(parse(&m, b, 48), -1);
	memcpy(b, rs_vec, 48);
	fix(b, 44); /* shorter than 8 bytes */
	assert_int_equal(parse(&m, b, 44), -1);
	/* an SLLA option: ignored from a link-local source, refused from :: */
	memcpy(b, rs_vec, 48);
	memcpy(b + 48, (const uint8_t[]){1, 1, 0, 0, 0, 0, 0, 0}, 8);
	fix(b, 56);
	assert_int_equal(parse(&m, b, 56), 0);
	memset(b + 8, 0, 16);
	fix(b, 56);
	assert_int_equal(parse(&m, b, 56), -1);
	/* an option of length 0; an option running past the end */
	memcpy(b, rs_vec, 48);
	memcpy(b + 48, (const uint8_t[]){9, 0, 0, 0, 0, 0, 0, 0}, 8);
	fix(b, 56);
	assert_int_equal(parse(&m, b, 56), -1);
	b[49] = 2;
	fix(b, 56);
	assert_int_equal(parse(&m, b, 56), -1);
	/* an unknown option is skipped */
	b[49] = 1;
	fix(b, 56);
	assert_int_equal(parse(&m, b, 56), 0);
}

static void test_ns(void **state)
{
	uint8_t b[96];
	struct nd_msg m;
	struct buf_wr w;

	(void)state;
	assert_int_equal(parse(&m, dad_vec, sizeof(dad_vec)), 0);
	assert_int_equal(m.type, ND_TYPE_NS);
	assert_true(m.dad);
	assert_true(ip6_addr_eq(&m.target, in6p("2001:db8:1:1000:8d3c:41ff:2a9b:1c07")));
	/* DAD to a solicited-node group that is not the target's */
	memcpy(b, dad_vec, 64);
	b[39] = 0x08;
	fix(b, 64);
	assert_int_equal(parse(&m, b, 64), -1);
	/* DAD to all-nodes */
	memcpy(b, dad_vec, 64);
	memcpy(b + 24, in6p("ff02::1"), 16);
	fix(b, 64);
	assert_int_equal(parse(&m, b, 64), -1);
	/* DAD with an SLLA option */
	memcpy(b, dad_vec, 64);
	memcpy(b + 64, (const uint8_t[]){1, 1, 0, 0, 0, 0, 0, 0}, 8);
	fix(b, 72);
	assert_int_equal(parse(&m, b, 72), -1);
	/* a multicast target */
	memcpy(b, dad_vec, 64);
	memcpy(b + 48, in6p("ff02::1"), 16);
	fix(b, 64);
	assert_int_equal(parse(&m, b, 64), -1);
	/* too short for the target */
	memcpy(b, dad_vec, 64);
	fix(b, 63);
	assert_int_equal(parse(&m, b, 63), -1);
	/* address resolution from a link-local source, with an SLLA (ignored) */
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ns(&w, in6p("fe80::5"), in6p("ff02::1:ff00:1"), in6p("fe80::1")),
			 0);
	assert_int_equal(parse(&m, b, w.len), 0);
	assert_false(m.dad);
	assert_true(ip6_addr_eq(&m.target, in6p("fe80::1")));
	memcpy(b + w.len, (const uint8_t[]){1, 1, 0, 0, 0, 0, 0, 0}, 8);
	fix(b, w.len + 8);
	assert_int_equal(parse(&m, b, w.len + 8), 0);
	/* hop limit */
	b[7] = 64;
	assert_int_equal(parse(&m, b, w.len + 8), -1);
}

static void test_na(void **state)
{
	uint8_t b[96];
	struct nd_msg m;
	struct buf_wr w;
	size_t n;

	(void)state;
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_na(&w, in6p("fe80::1"), in6p("fe80::5"), in6p("fe80::1"),
				     ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE),
			 0);
	n = w.len;
	assert_int_equal(n, 64); /* no Target Link-Layer Address option, ever */
	assert_int_equal(b[44], 0xe0);
	assert_int_equal(parse(&m, b, n), 0);
	assert_int_equal(m.type, ND_TYPE_NA);
	assert_true(m.router && m.solicited && m.override);
	assert_true(ip6_addr_eq(&m.target, in6p("fe80::1")));
	/* a TLLA on input is ignored */
	memcpy(b + n, (const uint8_t[]){2, 1, 0, 0, 0, 0, 0, 0}, 8);
	fix(b, n + 8);
	assert_int_equal(parse(&m, b, n + 8), 0);
	/* solicited to a multicast destination (RFC 4861 §7.1.2) */
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(
	    nd_build_na(&w, in6p("fe80::7"), in6p("ff02::1"), in6p("fe80::7"), ND_NA_SOLICITED), 0);
	assert_int_equal(parse(&m, b, w.len), -1);
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(
	    nd_build_na(&w, in6p("fe80::7"), in6p("ff02::1"), in6p("fe80::7"), ND_NA_OVERRIDE), 0);
	assert_int_equal(parse(&m, b, w.len), 0);
	assert_false(m.router || m.solicited);
	assert_true(m.override);
	/* a multicast target */
	memcpy(b + 48, in6p("ff02::1"), 16);
	fix(b, 64);
	assert_int_equal(parse(&m, b, 64), -1);
	/* builders only set the three defined flags */
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_na(&w, in6p("fe80::7"), in6p("ff02::1"), in6p("fe80::7"), 0xff),
			 0);
	assert_int_equal(b[44], 0xe0);
	assert_memory_equal(b + 45, ((const uint8_t[3]){0}), 3);
	/* other ICMPv6 types are not ND messages for nd_parse */
	assert_int_equal(parse(&m, ra_vec, sizeof(ra_vec)), -1);
}

static void test_parse_ra(void **state)
{
	struct nd_ra ra;
	uint8_t b[128];

	(void)state;
	assert_int_equal(parse_ra(&ra, ra_vec, sizeof(ra_vec)), 0);
	assert_int_equal(ra.cur_hop_limit, 64);
	assert_false(ra.managed || ra.other);
	assert_int_equal(ra.pref, 0);
	assert_int_equal(ra.router_lifetime, 1800);
	assert_int_equal(ra.reachable, 0);
	assert_int_equal(ra.retrans, 0);
	assert_true(ra.has_prefix);
	assert_true(ip6_addr_eq(&ra.pi.prefix, in6p("2001:db8:1:1000::")));
	assert_int_equal(ra.pi.plen, 64);
	assert_true(ra.pi.onlink && ra.pi.autonomous);
	assert_int_equal(ra.pi.valid, 86400);
	assert_int_equal(ra.pi.preferred, 14400);
	assert_int_equal(ra.mtu, 1280);
	assert_int_equal(ra.nroutes, 0);
	/* RFC 4861 §6.1.2: from a link-local source only */
	memcpy(b, ra_vec, 96);
	memcpy(b + 8, in6p("2001:db8:1:1000::1"), 16);
	fix(b, 96);
	assert_int_equal(parse_ra(&ra, b, 96), -1);
	/* an option of length 0 */
	memcpy(b, ra_vec, 96);
	b[89] = 0;
	fix(b, 96);
	assert_int_equal(parse_ra(&ra, b, 96), -1);
	/* hop limit */
	memcpy(b, ra_vec, 96);
	b[7] = 1;
	assert_int_equal(parse_ra(&ra, b, 96), -1);
}

/* The Route Information option at off: its raw bytes. */
static void check_rio(const uint8_t *o, unsigned len, uint8_t plen, uint8_t prf, uint32_t lifetime,
		      const char *prefix)
{
	struct in6_addr p = in6(prefix);

	assert_int_equal(o[0], 24);
	assert_int_equal(o[1], len);
	assert_int_equal(o[2], plen);
	assert_int_equal(o[3], prf);
	assert_int_equal((uint32_t)o[4] << 24 | (uint32_t)o[5] << 16 | (uint32_t)o[6] << 8 | o[7],
			 lifetime);
	assert_memory_equal(o + 8, p.s6_addr, (len - 1) * 8);
}

static void test_route_info(void **state)
{
	struct nd_ra ra = spec_ra(), back;
	uint8_t b[512];
	struct buf_wr w;

	(void)state;
	ra.routes[0] = (struct nd_route){in6("::"), 0, 0, 1800};
	/* host bits after /48 are sent as zero */
	ra.routes[1] = (struct nd_route){in6("2001:db8:aa:ffff::"), 48, 1, 3600};
	ra.routes[2] = (struct nd_route){in6("2001:db8:bb:cc::"), 64, -1, 0xffffffff};
	ra.routes[3] = (struct nd_route){in6("2001:db8::dd"), 128, 1, 0};
	ra.nroutes = 4;
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ra(&w, in6p("fe80::1"), in6p("ff02::1"), &ra), 0);
	/* after the RA of the spec vector: 8 + 16 + 16 + 24 bytes of Route Information */
	assert_int_equal(w.len, 96 + 8 + 16 + 16 + 24);
	check_rio(b + 96, 1, 0, 0x00, 1800, "::");
	check_rio(b + 104, 2, 48, 0x08, 3600, "2001:db8:aa::");
	check_rio(b + 120, 2, 64, 0x18, 0xffffffff, "2001:db8:bb:cc::");
	check_rio(b + 136, 3, 128, 0x08, 0, "2001:db8::dd");
	assert_int_equal(parse_ra(&back, b, w.len), 0);
	assert_int_equal(back.nroutes, 4);
	assert_int_equal(back.routes[0].plen, 0);
	assert_int_equal(back.routes[1].pref, 1);
	assert_true(ip6_addr_eq(&back.routes[1].prefix, in6p("2001:db8:aa::")));
	assert_int_equal(back.routes[2].pref, -1);
	assert_int_equal(back.routes[2].lifetime, 0xffffffff);
	assert_true(ip6_addr_eq(&back.routes[3].prefix, in6p("2001:db8::dd")));
	assert_int_equal(back.routes[3].plen, 128);
}

static void test_route_info_ignored(void **state)
{
	struct nd_ra ra = spec_ra(), back;
	uint8_t b[512];
	struct buf_wr w;

	(void)state;
	ra.routes[0] = (struct nd_route){in6("2001:db8:1::"), 48, 0, 60};
	ra.routes[1] = (struct nd_route){in6("2001:db8:2::"), 48, 0, 60};
	ra.routes[2] = (struct nd_route){in6("2001:db8:3::"), 48, 0, 60};
	ra.nroutes = 3;
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ra(&w, in6p("fe80::1"), in6p("ff02::1"), &ra), 0);
	/* RFC 4191 §2.3, §3.1: the reserved preference 10, and a /65 in a Length-2 option, are
	 * ignored; the rest of the RA stands */
	b[96 + 3] = 0x10;
	b[112 + 2] = 65;
	fix(b, w.len);
	assert_int_equal(parse_ra(&back, b, w.len), 0);
	assert_int_equal(back.nroutes, 1);
	assert_true(ip6_addr_eq(&back.routes[0].prefix, in6p("2001:db8:3::")));
}

static void test_build_ra_limits(void **state)
{
	struct nd_ra ra = spec_ra();
	uint8_t b[2048];
	struct buf_wr w;
	size_t i;

	(void)state;
	for (i = 0; i < ND_MAX_ROUTES; i++)
		ra.routes[i] = (struct nd_route){in6("2001:db8::1"), 128, -1, 1};
	ra.nroutes = ND_MAX_ROUTES;
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ra(&w, in6p("fe80::1"), in6p("ff02::1"), &ra), 0);
	/* the largest RA the gateway sends still fits the minimum MTU */
	assert_true(w.len <= 1280);
	ra.nroutes = ND_MAX_ROUTES + 1;
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ra(&w, in6p("fe80::1"), in6p("ff02::1"), &ra), -1);
	ra.nroutes = 1;
	ra.routes[0].plen = 129;
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ra(&w, in6p("fe80::1"), in6p("ff02::1"), &ra), -1);
	ra.routes[0].plen = 64;
	ra.routes[0].pref = 2;
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ra(&w, in6p("fe80::1"), in6p("ff02::1"), &ra), -1);
	ra.routes[0].pref = 0;
	buf_wr_init(&w, b, 100);
	assert_int_equal(nd_build_ra(&w, in6p("fe80::1"), in6p("ff02::1"), &ra), -1);
}

static void test_rio_len(void **state)
{
	(void)state;
	assert_int_equal(nd_rio_len(0), 1);
	assert_int_equal(nd_rio_len(1), 2);
	assert_int_equal(nd_rio_len(48), 2);
	assert_int_equal(nd_rio_len(64), 2);
	assert_int_equal(nd_rio_len(65), 3);
	assert_int_equal(nd_rio_len(128), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_vectors),
	    cmocka_unit_test(test_rs),
	    cmocka_unit_test(test_ns),
	    cmocka_unit_test(test_na),
	    cmocka_unit_test(test_parse_ra),
	    cmocka_unit_test(test_route_info),
	    cmocka_unit_test(test_route_info_ignored),
	    cmocka_unit_test(test_build_ra_limits),
	    cmocka_unit_test(test_rio_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
