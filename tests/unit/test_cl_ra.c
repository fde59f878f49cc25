/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for iphttps/cl_ra: the client's check of Router Advertisements from the gateway.
 * A good RA (the ms-iphttps.md §1.5 example's contents) passes and reports its /64; each rule
 * broken alone refuses it: a Prefix Information option with A=1 that is not a /64, preferred
 * lifetime over valid, Router Lifetime over 9000 s (RFC 4861 §6.2.1), a bad checksum or hop
 * limit (§6.1.2), a fragment (RFC 6980); the rule applies to every PI option, not only the
 * first; other packets are not its business.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "iphttps/cl_ra.h"
#include "lib/buf.h"
#include "proto/ip6.h"
#include "proto/nd.h"

#include "tests/unit/vectors.h"

/* One Prefix Information option as RFC 4861 §4.6.2 lays it out. */
struct pi {
	const char *prefix;
	uint8_t plen;
	uint8_t flags; /* 0x80 L, 0x40 A */
	uint32_t valid, preferred;
};

/* An RA from fe80::1 to ff02::1 with the given PI options and an MTU option, checksum set. */
static size_t build_ra(uint8_t *out, size_t cap, uint16_t router_lifetime, const struct pi *pis,
		       size_t npi, uint8_t hlim)
{
	struct buf_wr w;

	buf_wr_init(&w, out, cap);
	ip6_put_hdr(&w, IP6_NH_ICMPV6, hlim, in6p("fe80::1"), in6p("ff02::1"));
	buf_put_u8(&w, ND_TYPE_RA);
	buf_put_u8(&w, 0);
	buf_put_u16(&w, 0);
	buf_put_u8(&w, 64);
	buf_put_u8(&w, 0);
	buf_put_u16(&w, router_lifetime);
	buf_put_u32(&w, 0);
	buf_put_u32(&w, 0);
	for (size_t i = 0; i < npi; i++) {
		buf_put_u8(&w, ND_OPT_TYPE_PI);
		buf_put_u8(&w, 4);
		buf_put_u8(&w, pis[i].plen);
		buf_put_u8(&w, pis[i].flags);
		buf_put_u32(&w, pis[i].valid);
		buf_put_u32(&w, pis[i].preferred);
		buf_put_u32(&w, 0);
		buf_put_bytes(&w, in6p(pis[i].prefix)->s6_addr, 16);
	}
	buf_put_u8(&w, ND_OPT_TYPE_MTU);
	buf_put_u8(&w, 1);
	buf_put_u16(&w, 0);
	buf_put_u32(&w, 1280);
	assert_int_equal(ip6_icmp6_finish(&w), 0);
	assert_true(buf_wr_ok(&w));
	return w.len;
}

static const struct pi good = {"2001:db8:1:1000::", 64, 0xc0, 86400, 14400};

static enum cl_ra_verdict check1(struct pi p, uint16_t rl, struct cl_ra_info *info)
{
	uint8_t b[256];
	size_t n = build_ra(b, sizeof(b), rl, &p, 1, 255);

	return cl_ra_check(b, n, info);
}

static void test_good(void **state)
{
	struct pi eq = good, inf = good;
	struct cl_ra_info info;
	char s[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(check1(good, 1800, &info), CL_RA_OK);
	assert_true(info.usable_prefix);
	assert_string_equal(inet_ntop(AF_INET6, &info.prefix, s, sizeof(s)), "2001:db8:1:1000::");
	assert_int_equal(info.valid, 86400);
	assert_int_equal(info.preferred, 14400);
	assert_int_equal(info.router_lifetime, 1800);
	/* The limits themselves pass. */
	assert_int_equal(check1(good, 9000, &info), CL_RA_OK);
	assert_int_equal(check1(good, 0, &info), CL_RA_OK);
	eq.preferred = eq.valid;
	assert_int_equal(check1(eq, 1800, &info), CL_RA_OK);
	inf.valid = inf.preferred = 0xffffffff; /* infinity is allowed (RFC 4861 §4.6.2) */
	assert_int_equal(check1(inf, 1800, &info), CL_RA_OK);
}

static void test_refused(void **state)
{
	struct cl_ra_info info;
	struct pi p;

	(void)state;
	assert_int_equal(check1(good, 9001, &info), CL_RA_ROUTER_LIFETIME);
	assert_int_equal(check1(good, 65535, &info), CL_RA_ROUTER_LIFETIME);
	p = good;
	p.plen = 48;
	assert_int_equal(check1(p, 1800, &info), CL_RA_PREFIX_LEN);
	p.plen = 96;
	assert_int_equal(check1(p, 1800, &info), CL_RA_PREFIX_LEN);
	p.plen = 0;
	assert_int_equal(check1(p, 1800, &info), CL_RA_PREFIX_LEN);
	p = good;
	p.preferred = p.valid + 1;
	assert_int_equal(check1(p, 1800, &info), CL_RA_PREFIX_LIFETIMES);
	p.flags = 0x80; /* on-link only: lifetimes still matter (RFC 4862 §5.5.3 c) */
	assert_int_equal(check1(p, 1800, &info), CL_RA_PREFIX_LIFETIMES);
	for (int v = CL_RA_INVALID; v <= CL_RA_PREFIX_LIFETIMES; v++)
		assert_true(cl_ra_verdict_str((enum cl_ra_verdict)v)[0] != '\0');
}

static void test_not_usable(void **state)
{
	struct cl_ra_info info;
	struct pi p;

	(void)state;
	p = good;
	p.plen = 48;
	p.flags = 0x80; /* L only: an on-link /48 is not for SLAAC, and fine */
	assert_int_equal(check1(p, 1800, &info), CL_RA_OK);
	assert_false(info.usable_prefix);
	p = good;
	p.valid = p.preferred = 0; /* withdraws the prefix */
	assert_int_equal(check1(p, 1800, &info), CL_RA_OK);
	assert_false(info.usable_prefix);
	p = good;
	p.prefix = "fe80::"; /* RFC 4862 §5.5.3 b) */
	assert_int_equal(check1(p, 1800, &info), CL_RA_OK);
	assert_false(info.usable_prefix);
	/* No PI at all: an RA for routes only. */
	{
		uint8_t b[256];
		size_t n = build_ra(b, sizeof(b), 1800, NULL, 0, 255);

		assert_int_equal(cl_ra_check(b, n, &info), CL_RA_OK);
		assert_false(info.usable_prefix);
	}
}

/* nd_parse_ra keeps only the first PI: the check must look at all of them. */
static void test_every_pi(void **state)
{
	struct pi two[2] = {good, {"2001:db8:2::", 56, 0xc0, 86400, 14400}};
	struct cl_ra_info info;
	uint8_t b[256];
	size_t n;

	(void)state;
	n = build_ra(b, sizeof(b), 1800, two, 2, 255);
	assert_int_equal(cl_ra_check(b, n, &info), CL_RA_PREFIX_LEN);
	two[1] = good;
	two[1].prefix = "2001:db8:3::";
	two[1].preferred = 86401;
	n = build_ra(b, sizeof(b), 1800, two, 2, 255);
	assert_int_equal(cl_ra_check(b, n, &info), CL_RA_PREFIX_LIFETIMES);
	two[1].preferred = 100;
	n = build_ra(b, sizeof(b), 1800, two, 2, 255);
	assert_int_equal(cl_ra_check(b, n, &info), CL_RA_OK);
	assert_true(info.usable_prefix);
	assert_int_equal(info.prefix.s6_addr[4], 0x00); /* the first usable one is reported */
	assert_int_equal(info.prefix.s6_addr[5], 0x01);
}

static void test_invalid(void **state)
{
	struct cl_ra_info info;
	uint8_t b[256];
	size_t n;

	(void)state;
	n = build_ra(b, sizeof(b), 1800, &good, 1, 64); /* hop limit not 255 */
	assert_int_equal(cl_ra_check(b, n, &info), CL_RA_INVALID);
	n = build_ra(b, sizeof(b), 1800, &good, 1, 255);
	b[n - 1] ^= 1; /* checksum no longer matches */
	assert_int_equal(cl_ra_check(b, n, &info), CL_RA_INVALID);
	n = build_ra(b, sizeof(b), 1800, &good, 1, 255);
	memcpy(b + 8, in6p("2001:db8::1")->s6_addr, 16); /* not from a link-local source */
	assert_int_equal(cl_ra_check(b, n, &info), CL_RA_INVALID);
}

static void test_not_ra(void **state)
{
	struct cl_ra_info info;
	uint8_t b[256];
	struct buf_wr w;
	size_t n;

	(void)state;
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ns(&w, in6p("fe80::1"), in6p("2001:db8::2"), in6p("2001:db8::2")),
			 0);
	assert_int_equal(cl_ra_check(b, w.len, &info), CL_RA_NOT_RA);
	n = build_ra(b, sizeof(b), 1800, &good, 1, 255);
	assert_int_equal(cl_ra_check(b, n - 1, &info), CL_RA_NOT_RA); /* length mismatch */
	assert_int_equal(cl_ra_check(b, 20, &info), CL_RA_NOT_RA);
	assert_int_equal(cl_ra_check(b, 0, &info), CL_RA_NOT_RA);
	b[0] = 0x45; /* IPv4 */
	assert_int_equal(cl_ra_check(b, n, &info), CL_RA_NOT_RA);
}

/* The same RA behind a Fragment header (offset 0, M=0): RFC 6980 §5. */
static void test_fragment(void **state)
{
	struct cl_ra_info info;
	uint8_t ra[256], b[300];
	size_t n;

	(void)state;
	n = build_ra(ra, sizeof(ra), 1800, &good, 1, 255);
	memcpy(b, ra, 40);
	b[6] = IP6_NH_FRAGMENT;
	memset(b + 40, 0, 8);
	b[40] = IP6_NH_ICMPV6;
	memcpy(b + 48, ra + 40, n - 40);
	b[4] = (uint8_t)((n - 40 + 8) >> 8);
	b[5] = (uint8_t)(n - 40 + 8);
	assert_int_equal(cl_ra_check(b, n + 8, &info), CL_RA_FRAGMENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),       cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_not_usable), cmocka_unit_test(test_every_pi),
	    cmocka_unit_test(test_invalid),    cmocka_unit_test(test_not_ra),
	    cmocka_unit_test(test_fragment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
