/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/link: the gateway's answers (RA, NA, echo, ICMPv6 errors) parsed back
 * field by field, the address table (learning, DAD conflicts, eviction, peer_down, growth to
 * thousands of peers), the source rules, the Authentication Mode None filters of
 * [MS-IPHTTPS] §3.2.5.2.2 against Certificates mode, forwarding in both directions, the
 * ICMPv6 error rate limit with a controlled clock, neighbour resolution for addresses no client
 * has announced (NS fan-out, hold, delivery, retransmission, failure, limits, peer_down while
 * a packet is held), link_init's config checks, and the protections of an open link: the
 * unauthenticated peers' policy (on, off, swapped, per authenticated flag; the gateway's own
 * answers exempt), client isolation (unicast, resolution, certificates-mode multicast), the
 * per-client ICMPv6 rate and the per-client ICMPv6 error budget, with a controlled clock.
 * Vectors: the RS and DAD NS of ms-iphttps.md §1.5; the rest built here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/acl.h"
#include "proto/ip6.h"
#include "proto/link.h"
#include "proto/nd.h"

#include "tests/unit/vectors.h"

#define RS_SRC	"fe80::8d3c:41ff:2a9b:1c07"
#define DAD_TGT "2001:db8:1:1000:8d3c:41ff:2a9b:1c07"
#define PFX	"2001:db8:1:1000::"
#define GW_G	"2001:db8:1:1000::1"
#define G0	"2001:db8:1:1000::a0"
#define G1	"2001:db8:1:1000::a1"
#define L0	"fe80::a0"
#define L1	"fe80::a1"
#define FAR	"2001:db8:9::1"
#define NPEERS	4
#define MAXOUT	256 /* a few resolution NS per slot (LINK_MAX_PENDING) */

/* ---- recording ops ---------------------------------------------------------------------- */

struct out {
	struct link_peer *to; /* NULL: the TUN */
	uint8_t pkt[2048];
	size_t len;
};

struct drop {
	const struct link_peer *from;
	enum link_drop why;
};

static struct rec {
	struct out out[MAXOUT]; /* to_peer and to_tun, in order */
	size_t nout;
	struct out all[MAXOUT];
	struct link_peer *all_except[MAXOUT];
	size_t nall;
	struct drop drops[MAXOUT];
	size_t ndrops;
	int peer_ret, tun_ret;
	struct link_stats base; /* L.stats at the last rec_clear */
} R;

static void rec_out(struct out *o, struct link_peer *to, const uint8_t *pkt, size_t len)
{
	assert_true(len <= sizeof(o->pkt));
	o->to = to;
	memcpy(o->pkt, pkt, len);
	o->len = len;
}

static int rec_to_peer(void *arg, struct link_peer *peer, const uint8_t *pkt, size_t len)
{
	(void)arg;
	assert_non_null(peer);
	assert_true(peer->up); /* never down a closed connection (and ASan sees a freed one) */
	assert_true(R.nout < MAXOUT);
	if (R.peer_ret == 0)
		rec_out(&R.out[R.nout++], peer, pkt, len);
	return R.peer_ret;
}

static int rec_to_tun(void *arg, const uint8_t *pkt, size_t len)
{
	(void)arg;
	assert_true(R.nout < MAXOUT);
	if (R.tun_ret == 0)
		rec_out(&R.out[R.nout++], NULL, pkt, len);
	return R.tun_ret;
}

static void rec_to_all(void *arg, struct link_peer *except, const uint8_t *pkt, size_t len)
{
	(void)arg;
	assert_true(R.nall < MAXOUT);
	R.all_except[R.nall] = except;
	rec_out(&R.all[R.nall++], NULL, pkt, len);
}

static void rec_drop(void *arg, const struct link_peer *from, enum link_drop why,
		     const uint8_t *pkt, size_t len)
{
	(void)arg;
	(void)pkt;
	assert_true(len > 0);
	assert_true(R.ndrops < MAXOUT);
	R.drops[R.ndrops++] = (struct drop){from, why};
}

/* ---- fixture ------------------------------------------------------------------------------ */

static struct link L;

static void rec_clear(void)
{
	memset(&R, 0, sizeof(R));
	R.base = L.stats;
}
static struct link_peer peers[NPEERS];
static const struct link_ops ops = {rec_to_peer, rec_to_tun, rec_to_all, rec_drop, NULL};

static struct link_cfg base_cfg(void)
{
	struct link_cfg c = {
	    .prefix = in6(PFX),
	    .mtu = 1280,
	    .router_lifetime = 1800,
	    .valid_lifetime = 86400,
	    .preferred_lifetime = 14400,
	    .cur_hop_limit = 64,
	    .icmp_error_rate = 100,
	    .hash_key = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
	};

	return c;
}

static int setup_cfg(const struct link_cfg *c)
{
	size_t i;

	rec_clear();
	if (link_init(&L, c, &ops))
		return -1;
	for (i = 0; i < NPEERS; i++) {
		link_peer_init(&peers[i], i, NULL);
		link_peer_up(&L, &peers[i]);
	}
	rec_clear();
	memset(&L.stats, 0, sizeof(L.stats));
	return 0;
}

static int setup(void **state)
{
	struct link_cfg c = base_cfg();

	(void)state;
	return setup_cfg(&c);
}

static int setup_mtu1500(void **state)
{
	struct link_cfg c = base_cfg();

	(void)state;
	c.mtu = 1500;
	return setup_cfg(&c);
}

static int setup_resolve(void **state)
{
	struct link_cfg c = base_cfg();

	(void)state;
	c.resolve_rate = 10;
	return setup_cfg(&c);
}

static int setup_certs(void **state)
{
	struct link_cfg c = base_cfg();

	(void)state;
	c.auth_certificates = true;
	return setup_cfg(&c);
}

static int teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NPEERS; i++)
		link_peer_down(&L, &peers[i]);
	assert_int_equal(L.naddrs, 0);
	link_free(&L);
	return 0;
}

/* ---- packets ------------------------------------------------------------------------------ */

static size_t mkpkt(uint8_t *b, const char *src, const char *dst, uint8_t nxt, uint8_t hlim,
		    size_t plen)
{
	b[0] = 0x60;
	b[1] = b[2] = b[3] = 0;
	b[4] = (uint8_t)(plen >> 8);
	b[5] = (uint8_t)plen;
	b[6] = nxt;
	b[7] = hlim;
	memcpy(b + 8, in6p(src), 16);
	memcpy(b + 24, in6p(dst), 16);
	return 40 + plen;
}

static size_t udp(uint8_t *b, const char *src, const char *dst, size_t plen)
{
	size_t i;

	for (i = 0; i < plen; i++)
		b[40 + i] = (uint8_t)(i * 7);
	return mkpkt(b, src, dst, 17, 64, plen);
}

static void fix_cksum(uint8_t *b, size_t len)
{
	struct ip6_view v;
	uint16_t ck;

	assert_int_equal(ip6_parse(&v, b, len), 0);
	b[42] = b[43] = 0;
	ck = ip6_cksum(&v.src, &v.dst, IP6_NH_ICMPV6, b + 40, len - 40);
	b[42] = (uint8_t)(ck >> 8);
	b[43] = (uint8_t)ck;
}

/* An ICMPv6 message msg[0..n) with a correct checksum. */
static size_t icmp(uint8_t *b, const char *src, const char *dst, uint8_t hlim, const uint8_t *msg,
		   size_t n)
{
	memcpy(b + 40, msg, n);
	mkpkt(b, src, dst, IP6_NH_ICMPV6, hlim, n);
	fix_cksum(b, 40 + n);
	return 40 + n;
}

static size_t echo(uint8_t *b, const char *src, const char *dst)
{
	static const uint8_t msg[] = {128, 0, 0, 0, 0xbe, 0xef, 0, 1, 'a', 'b', 'c', 'd', 'e'};

	return icmp(b, src, dst, 64, msg, sizeof(msg));
}

static size_t dad(uint8_t *b, const char *target)
{
	struct in6_addr sn;
	struct buf_wr w;

	ip6_solicited_node(&sn, in6p(target));
	buf_wr_init(&w, b, 1500);
	assert_int_equal(nd_build_ns(&w, in6p("::"), &sn, in6p(target)), 0);
	return w.len;
}

static size_t na(uint8_t *b, const char *src, const char *dst, const char *target, uint8_t flags)
{
	struct buf_wr w;

	buf_wr_init(&w, b, 1500);
	assert_int_equal(nd_build_na(&w, in6p(src), in6p(dst), in6p(target), flags), 0);
	return w.len;
}

static void from(int peer, const uint8_t *b, size_t len)
{
	link_from_peer(&L, &peers[peer], b, len);
}

/* The owner of an address as a peer index, -1 for none. */
static int owner(const char *a)
{
	struct link_peer *p = link_lookup(&L, in6p(a));

	return p ? (int)(p - peers) : -1;
}

static void learn(int peer, const char *a)
{
	uint8_t b[128];

	from(peer, b, dad(b, a));
	assert_int_equal(owner(a), peer);
	assert_int_equal(R.nout, 0);
	assert_int_equal(R.ndrops, 0);
}

static void assert_drop(size_t i, enum link_drop why, int peer)
{
	assert_true(i < R.ndrops);
	assert_string_equal(link_drop_name(R.drops[i].why), link_drop_name(why));
	if (peer < 0)
		assert_null(R.drops[i].from);
	else
		assert_ptr_equal(R.drops[i].from, &peers[peer]);
}

/* The only event: one drop of this kind, nothing sent. */
static void assert_only_drop(enum link_drop why, int peer)
{
	assert_int_equal(R.ndrops, 1);
	assert_drop(0, why, peer);
	assert_int_equal(R.nout, 0);
	assert_int_equal(R.nall, 0);
	assert_int_equal(L.stats.drops[why], R.base.drops[why] + 1);
}

/* Exactly `count` drops since rec_clear, all of this kind. */
static void assert_only_drop_count(enum link_drop why, size_t count)
{
	size_t i;

	assert_int_equal(R.ndrops, count);
	for (i = 0; i < count; i++)
		assert_string_equal(link_drop_name(R.drops[i].why), link_drop_name(why));
	assert_int_equal(L.stats.drops[why], R.base.drops[why] + count);
}

/* An output parsed as IPv6 with a correct ICMPv6 checksum; returns its header. */
static struct ip6_view out_icmp(size_t i, uint8_t type)
{
	struct ip6_view v;

	assert_true(i < R.nout);
	assert_int_equal(ip6_parse(&v, R.out[i].pkt, R.out[i].len), 0);
	assert_int_equal(v.nxt, IP6_NH_ICMPV6);
	assert_true(ip6_icmp6_cksum_ok(&v.src, &v.dst, R.out[i].pkt + 40, R.out[i].len - 40));
	assert_int_equal(R.out[i].pkt[40], type);
	return v;
}

/* ---- Router Solicitation and Advertisement ------------------------------------------------ */

static void check_ra(size_t i, const char *dst, const struct link_cfg *c)
{
	struct ip6_view v = out_icmp(i, ND_TYPE_RA);
	struct nd_ra ra;
	size_t k;

	assert_true(ip6_addr_eq(&v.src, in6p("fe80::1")));
	assert_true(ip6_addr_eq(&v.dst, in6p(dst)));
	assert_int_equal(v.hlim, 255);
	assert_int_equal(R.out[i].pkt[41], 0);
	assert_int_equal(nd_parse_ra(&ra, &v, R.out[i].pkt + 40, R.out[i].len - 40), 0);
	assert_int_equal(ra.cur_hop_limit, c->cur_hop_limit);
	assert_false(ra.managed);
	assert_false(ra.other);
	assert_int_equal(ra.pref, 0);
	assert_int_equal(ra.router_lifetime, c->router_lifetime);
	assert_int_equal(ra.reachable, 0);
	assert_int_equal(ra.retrans, 0);
	assert_true(ra.has_prefix);
	assert_true(ip6_addr_eq(&ra.pi.prefix, &c->prefix));
	assert_int_equal(ra.pi.plen, 64);
	assert_true(ra.pi.onlink);
	assert_true(ra.pi.autonomous);
	assert_int_equal(ra.pi.valid, c->valid_lifetime);
	assert_int_equal(ra.pi.preferred, c->preferred_lifetime);
	assert_int_equal(ra.mtu, c->mtu);
	assert_int_equal(ra.nroutes, c->nroutes);
	for (k = 0; k < c->nroutes; k++) {
		assert_int_equal(ra.routes[k].plen, c->routes[k].plen);
		assert_int_equal(ra.routes[k].pref, c->routes[k].pref);
		assert_int_equal(ra.routes[k].lifetime, c->routes[k].lifetime);
		assert_true(ip6_prefix_match(&ra.routes[k].prefix, &c->routes[k].prefix,
					     c->routes[k].plen));
	}
}

static void test_rs_ra(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[128];

	(void)state;
	c.routes[0] = (struct link_route){in6("2001:db8:100::"), 40, 1, 3600};
	c.routes[1] = (struct link_route){in6("::"), 0, -1, 600};
	c.nroutes = 2;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	from(2, rs_vec, sizeof(rs_vec));
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[2]);
	check_ra(0, RS_SRC, &c); /* RFC 4861 §6.2.6: unicast to the soliciting client */
	assert_int_equal(L.stats.rs, 1);
	assert_int_equal(L.stats.ra, 1);
	assert_int_equal(owner(RS_SRC), 2); /* its source is learned */
	/* from ::, to all-nodes, still down this connection only */
	rec_clear();
	memcpy(b, rs_vec, sizeof(rs_vec));
	memset(b + 8, 0, 16);
	fix_cksum(b, sizeof(rs_vec));
	from(3, b, sizeof(rs_vec));
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[3]);
	check_ra(0, "ff02::1", &c);
	assert_int_equal(R.nall, 0);
	/* to the gateway's unicast address */
	rec_clear();
	memcpy(b, rs_vec, sizeof(rs_vec));
	memcpy(b + 24, in6p("fe80::1"), 16);
	fix_cksum(b, sizeof(rs_vec));
	from(2, b, sizeof(rs_vec));
	assert_int_equal(R.nout, 1);
	check_ra(0, RS_SRC, &c);
	assert_int_equal(L.stats.rs, 3);
	/* a full queue is a counted drop of the RA */
	rec_clear();
	R.peer_ret = -1;
	from(2, rs_vec, sizeof(rs_vec));
	assert_only_drop(LINK_DROP_QUEUE_FULL, 2);
	assert_int_equal(L.stats.ra, 3);
}

static void test_peer_up_ra(void **state)
{
	struct link_cfg c = base_cfg();
	struct link_peer p;

	(void)state;
	link_peer_init(&p, 77, &c);
	assert_false(p.up);
	assert_int_equal(p.id, 77);
	assert_ptr_equal(p.ctx, &c);
	link_send_ra(&L, &p); /* not up yet: nothing */
	assert_int_equal(R.nout, 0);
	link_peer_up(&L, &p);
	assert_true(p.up);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &p);
	check_ra(0, "ff02::1", &c);
	link_send_ra(&L, &p);
	assert_int_equal(R.nout, 2);
	assert_ptr_equal(R.out[1].to, &p);
	check_ra(1, "ff02::1", &c);
	assert_int_equal(L.stats.ra, 2);
	link_peer_down(&L, &p);
	link_send_ra(&L, &p);
	assert_int_equal(R.nout, 2);
}

static void test_route_info(void **state)
{
	struct link_cfg c = base_cfg();
	const uint8_t *o;

	(void)state;
	c.routes[0] = (struct link_route){in6("::"), 0, 0, 100};
	c.routes[1] = (struct link_route){in6("2001:db8:77:ffff::"), 48, 1, 200};
	c.routes[2] = (struct link_route){in6("2001:db8:88:1::"), 64, -1, 300};
	c.routes[3] = (struct link_route){in6("2001:db8::99"), 128, 1, 0xffffffff};
	c.nroutes = 4;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	link_send_ra(&L, &peers[0]);
	assert_int_equal(R.nout, 1);
	check_ra(0, "ff02::1", &c);
	/* RFC 4191 §2.3 after header (56), Prefix Information (32) and MTU (8) */
	assert_int_equal(R.out[0].len, 96 + 8 + 16 + 16 + 24);
	o = R.out[0].pkt + 96;
	assert_memory_equal(o, ((const uint8_t[]){24, 1, 0, 0x00, 0, 0, 0, 100}), 8);
	o += 8;
	assert_memory_equal(o,
			    ((const uint8_t[]){24, 2, 48, 0x08, 0, 0, 0, 200, 0x20, 0x01, 0x0d,
					       0xb8, 0x00, 0x77, 0, 0}),
			    16);
	o += 16;
	assert_memory_equal(o,
			    ((const uint8_t[]){24, 2, 64, 0x18, 0, 0, 1, 0x2c, 0x20, 0x01, 0x0d,
					       0xb8, 0x00, 0x88, 0, 1}),
			    16);
	o += 16;
	assert_memory_equal(o, ((const uint8_t[]){24, 3, 128, 0x08, 0xff, 0xff, 0xff, 0xff}), 8);
	assert_memory_equal(o + 8, in6p("2001:db8::99"), 16);
}

/* ---- DAD and NA --------------------------------------------------------------------------- */

static void test_dad_learn(void **state)
{
	struct in6_addr got[LINK_PEER_ADDRS];
	uint8_t b[128];

	(void)state;
	from(1, dad_vec, sizeof(dad_vec));
	assert_int_equal(R.nout, 0);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(owner(DAD_TGT), 1);
	assert_int_equal(L.stats.learned, 1);
	assert_int_equal(link_peer_addrs(&peers[1], got, LINK_PEER_ADDRS), 1);
	assert_true(ip6_addr_eq(&got[0], in6p(DAD_TGT)));
	/* a second probe for its own address changes nothing */
	from(1, dad_vec, sizeof(dad_vec));
	assert_int_equal(R.nout, 0);
	assert_int_equal(L.stats.learned, 1);
	/* a probe for an address outside the link is answered by no one and owned by no one */
	learn(1, L1);
	from(1, b, dad(b, FAR));
	assert_int_equal(owner(FAR), -1);
	assert_int_equal(R.nout, 0);
}

static void test_dad_conflict(void **state)
{
	struct ip6_view v;
	uint8_t b[128];
	struct nd_msg m;

	(void)state;
	learn(0, DAD_TGT);
	from(3, dad_vec, sizeof(dad_vec));
	/* [MS-IPHTTPS] §3.2.5.2.2: one NA, down the asking connection only */
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nall, 0);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[3]);
	v = out_icmp(0, ND_TYPE_NA);
	assert_true(ip6_addr_eq(&v.src, in6p(DAD_TGT)));
	assert_true(ip6_addr_eq(&v.dst, in6p("ff02::1")));
	assert_int_equal(v.hlim, 255);
	assert_int_equal(R.out[0].len, 64); /* no Target Link-Layer Address option */
	assert_int_equal(nd_parse(&m, &v, R.out[0].pkt + 40, 24), 0);
	assert_false(m.router);
	assert_false(m.solicited);
	assert_true(m.override);
	assert_true(ip6_addr_eq(&m.target, in6p(DAD_TGT)));
	assert_int_equal(L.stats.dad_conflicts, 1);
	assert_int_equal(owner(DAD_TGT), 0);
	/* a link-local conflict the same way */
	rec_clear();
	learn(1, L1);
	from(2, b, dad(b, L1));
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[2]);
	v = out_icmp(0, ND_TYPE_NA);
	assert_true(ip6_addr_eq(&v.src, in6p(L1)));
	assert_int_equal(L.stats.dad_conflicts, 2);
}

static void check_gw_na(size_t i, const char *src, const char *dst, const char *target,
			bool solicited, bool override)
{
	struct ip6_view v = out_icmp(i, ND_TYPE_NA);
	struct nd_msg m;

	assert_true(ip6_addr_eq(&v.src, in6p(src)));
	assert_true(ip6_addr_eq(&v.dst, in6p(dst)));
	assert_int_equal(R.out[i].len, 64);
	assert_int_equal(nd_parse(&m, &v, R.out[i].pkt + 40, 24), 0);
	assert_true(m.router);
	assert_int_equal(m.solicited, solicited);
	assert_int_equal(m.override, override);
	assert_true(ip6_addr_eq(&m.target, in6p(target)));
}

static void test_dad_gateway(void **state)
{
	uint8_t b[128];

	(void)state;
	/* RFC 4862 §5.4.3: the gateway defends fe80::1, prefix::1 and the anycast prefix:: */
	from(0, b, dad(b, "fe80::1"));
	from(0, b, dad(b, GW_G));
	from(0, b, dad(b, PFX));
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 3);
	check_gw_na(0, "fe80::1", "ff02::1", "fe80::1", false, true);
	check_gw_na(1, GW_G, "ff02::1", GW_G, false, true);
	check_gw_na(2, GW_G, "ff02::1", PFX, false, false);
	assert_int_equal(L.naddrs, 0);
	assert_int_equal(L.stats.dad_conflicts, 0);
}

static void test_ns_gateway(void **state)
{
	struct buf_wr w;
	uint8_t b[128];

	(void)state;
	/* address resolution to the solicited-node group, and NUD unicast */
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ns(&w, in6p(L0), in6p("ff02::1:ff00:1"), in6p("fe80::1")), 0);
	from(0, b, w.len);
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ns(&w, in6p(G0), in6p(GW_G), in6p(GW_G)), 0);
	from(0, b, w.len);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 2);
	assert_ptr_equal(R.out[0].to, &peers[0]);
	check_gw_na(0, "fe80::1", L0, "fe80::1", true, true);
	check_gw_na(1, GW_G, G0, GW_G, true, true);
	/* an NS for another client's address to its group: multicast, dropped in mode None */
	rec_clear();
	learn(1, G1);
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ns(&w, in6p(G0), in6p("ff02::1:ff00:a1"), in6p(G1)), 0);
	from(0, b, w.len);
	assert_only_drop(LINK_DROP_MCAST, 0);
}

static void test_na_from_peer(void **state)
{
	uint8_t b[128];

	(void)state;
	learn(0, L0);
	/* unsolicited NA: the target is learned; the NA itself is multicast (dropped, None) */
	from(0, b, na(b, L0, "ff02::1", G0, ND_NA_OVERRIDE));
	assert_int_equal(owner(G0), 0);
	assert_only_drop(LINK_DROP_MCAST, 0);
	/* another client's NA for it learns nothing */
	rec_clear();
	from(1, b, na(b, L1, "ff02::1", G0, ND_NA_OVERRIDE));
	assert_int_equal(owner(G0), 0);
	assert_drop(0, LINK_DROP_MCAST, 1);
	/* unicast for someone else's address: never passed on */
	rec_clear();
	learn(1, G1);
	from(1, b, na(b, G1, G0, G0, ND_NA_SOLICITED | ND_NA_OVERRIDE));
	assert_only_drop(LINK_DROP_SPOOFED, 1);
	/* for a gateway address: refused wherever it goes */
	rec_clear();
	from(1, b, na(b, G1, "ff02::1", "fe80::1", 0));
	assert_only_drop(LINK_DROP_SPOOFED, 1);
	/* to the gateway: consumed */
	rec_clear();
	from(1, b, na(b, L1, "fe80::1", "2001:db8:1:1000::b1", ND_NA_SOLICITED));
	assert_int_equal(owner("2001:db8:1:1000::b1"), 1);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 0);
	/* unicast, global, for its own address: NUD between clients works */
	from(1, b, na(b, G1, G0, G1, ND_NA_SOLICITED));
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[0]);
	assert_memory_equal(R.out[0].pkt, b, 64);
}

/* ---- source rules ------------------------------------------------------------------------- */

static void test_spoofed(void **state)
{
	static const char *const gw[] = {"fe80::1", GW_G, PFX, L0, G0};
	uint8_t b[128];
	size_t i;

	(void)state;
	learn(0, G0);
	learn(0, L0);
	for (i = 0; i < sizeof(gw) / sizeof(gw[0]); i++) {
		rec_clear();
		from(1, b, udp(b, gw[i], FAR, 8));
		assert_only_drop(LINK_DROP_SPOOFED, 1);
	}
	rec_clear();
	from(1, b, udp(b, "2001:db8:1:1001::5", FAR, 8));
	assert_only_drop(LINK_DROP_FOREIGN_SRC, 1);
	rec_clear();
	from(1, b, udp(b, "ff02::1", FAR, 8));
	assert_drop(0, LINK_DROP_FOREIGN_SRC, 1);
	rec_clear();
	from(1, b, udp(b, "::1", FAR, 8));
	assert_drop(0, LINK_DROP_FOREIGN_SRC, 1);
	/* the owner itself is fine */
	rec_clear();
	from(0, b, udp(b, G0, FAR, 8));
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	assert_null(R.out[0].to);
}

static void test_unspec_src(void **state)
{
	uint8_t b[128];

	(void)state;
	from(0, b, udp(b, "::", FAR, 8));
	assert_only_drop(LINK_DROP_UNSPEC_SRC, 0);
	/* an echo request from :: */
	rec_clear();
	from(0, b, echo(b, "::", "fe80::1"));
	assert_drop(0, LINK_DROP_UNSPEC_SRC, 0);
	/* an RS from :: that is not for a router is not answered, nor passed on */
	rec_clear();
	memcpy(b, rs_vec, sizeof(rs_vec));
	memset(b + 8, 0, 16);
	memcpy(b + 24, in6p("ff02::1"), 16);
	fix_cksum(b, sizeof(rs_vec));
	from(0, b, sizeof(rs_vec));
	assert_only_drop(LINK_DROP_UNSPEC_SRC, 0);
}

static void test_learn_source(void **state)
{
	uint8_t b[128];

	(void)state;
	from(2, b, udp(b, G0, FAR, 8));
	from(2, b, udp(b, L0, "fe80::1", 8));
	assert_int_equal(owner(G0), 2);
	assert_int_equal(owner(L0), 2);
	assert_int_equal(L.stats.learned, 2);
	assert_int_equal(R.ndrops, 1);
	assert_drop(0, LINK_DROP_GW_UNHANDLED, 2);
}

/* ---- mode None against Certificates ------------------------------------------------------- */

static void test_ll_unicast_none(void **state)
{
	uint8_t b[128];

	(void)state;
	learn(0, L0);
	from(1, b, udp(b, L1, L0, 8));
	assert_only_drop(LINK_DROP_LL_NOT_GW, 1);
}

static void test_ll_unicast_certs(void **state)
{
	struct ip6_view v;
	uint8_t b[128];
	size_t n;

	(void)state;
	learn(0, L0);
	n = udp(b, L1, L0, 8);
	from(1, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[0]);
	assert_int_equal(R.out[0].len, n);
	assert_memory_equal(R.out[0].pkt, b, n);
	assert_int_equal(L.stats.peer_to_peer, 1);
	/* to an unknown link-local: address unreachable, from fe80::1 */
	rec_clear();
	from(1, b, udp(b, L1, "fe80::99", 8));
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, 1);
	assert_int_equal(R.nout, 1);
	v = out_icmp(0, 1);
	assert_true(ip6_addr_eq(&v.src, in6p("fe80::1")));
	assert_true(ip6_addr_eq(&v.dst, in6p(L1)));
}

static void test_mcast_none(void **state)
{
	static const uint8_t mld[] = {143, 0, 0, 0, 0, 0, 0, 0};
	uint8_t b[128];

	(void)state;
	from(0, b, udp(b, L0, "ff02::1", 8));
	assert_only_drop(LINK_DROP_MCAST, 0);
	rec_clear();
	from(0, b, icmp(b, L0, "ff02::16", 1, mld, sizeof(mld)));
	assert_drop(0, LINK_DROP_MCAST, 0);
	rec_clear();
	from(0, b, udp(b, G0, "ff0e::101", 8));
	assert_drop(0, LINK_DROP_MCAST, 0);
	assert_int_equal(R.nall, 0);
}

static void test_mcast_certs(void **state)
{
	struct link_ops no_all = ops;
	struct link_cfg c = base_cfg();
	uint8_t b[128];
	size_t n;

	(void)state;
	n = udp(b, L0, "ff02::1", 8);
	from(0, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 0);
	assert_int_equal(R.nall, 1);
	assert_ptr_equal(R.all_except[0], &peers[0]);
	assert_memory_equal(R.all[0].pkt, b, n);
	assert_int_equal(L.stats.to_all, 1);
	/* RS and DAD NS are still answered locally, never fanned out */
	rec_clear();
	from(1, rs_vec, sizeof(rs_vec));
	from(1, dad_vec, sizeof(dad_vec));
	assert_int_equal(R.nall, 0);
	assert_int_equal(R.nout, 1);
	/* without to_all: a counted drop */
	teardown(NULL);
	c.auth_certificates = true;
	no_all.to_all = NULL;
	assert_int_equal(link_init(&L, &c, &no_all), 0);
	rec_clear();
	link_peer_up(&L, &peers[0]);
	rec_clear();
	from(0, b, n);
	assert_only_drop(LINK_DROP_MCAST, 0);
}

/* ---- ICMPv6 from clients ------------------------------------------------------------------ */

static void test_rogue(void **state)
{
	static const uint8_t ra[16] = {134, 0, 0, 0, 64, 0, 0x07, 0x08};
	static const uint8_t redirect[40] = {137};
	uint8_t b[128];

	(void)state;
	from(0, b, icmp(b, L0, "ff02::1", 255, ra, sizeof(ra)));
	assert_only_drop(LINK_DROP_ROGUE_ND, 0);
	rec_clear();
	from(0, b, icmp(b, L0, "fe80::77", 255, redirect, sizeof(redirect)));
	assert_only_drop(LINK_DROP_ROGUE_ND, 0);
	/* also to a global unicast address and in certificates mode */
	rec_clear();
	L.cfg.auth_certificates = true;
	from(0, b, icmp(b, L0, G1, 255, ra, sizeof(ra)));
	assert_only_drop(LINK_DROP_ROGUE_ND, 0);
}

static void test_nd_invalid(void **state)
{
	uint8_t b[128];
	size_t n;

	(void)state;
	memcpy(b, rs_vec, sizeof(rs_vec));
	b[7] = 64; /* RFC 4861 §6.1.1: hop limit 255 */
	from(0, b, sizeof(rs_vec));
	assert_only_drop(LINK_DROP_ND_INVALID, 0);
	assert_int_equal(L.stats.rs, 0);
	rec_clear();
	memcpy(b, dad_vec, sizeof(dad_vec));
	b[43] ^= 0xff; /* checksum */
	from(0, b, sizeof(dad_vec));
	assert_drop(0, LINK_DROP_ND_INVALID, 0);
	assert_int_equal(owner(DAD_TGT), -1);
	/* DAD to all-nodes instead of the target's group */
	rec_clear();
	memcpy(b, dad_vec, sizeof(dad_vec));
	memcpy(b + 24, in6p("ff02::1"), 16);
	fix_cksum(b, sizeof(dad_vec));
	from(0, b, sizeof(dad_vec));
	assert_drop(0, LINK_DROP_ND_INVALID, 0);
	assert_int_equal(owner(DAD_TGT), -1);
	/* RFC 6980 §5: a DAD probe in a fragment */
	rec_clear();
	memcpy(b + 48, dad_vec + 40, 24);
	memcpy(b + 40, ((const uint8_t[]){58, 0, 0, 0, 0, 0, 0, 1}), 8);
	n = mkpkt(b, "::", "ff02::1:ff9b:1c07", IP6_NH_FRAGMENT, 255, 32);
	from(0, b, n);
	assert_drop(0, LINK_DROP_ND_INVALID, 0);
	assert_int_equal(owner(DAD_TGT), -1);
}

static void check_echo_reply(size_t i, const char *src, const char *dst, const uint8_t *req)
{
	struct ip6_view v = out_icmp(i, 129);

	assert_true(ip6_addr_eq(&v.src, in6p(src)));
	assert_true(ip6_addr_eq(&v.dst, in6p(dst)));
	assert_int_equal(R.out[i].len, 53);
	assert_int_equal(R.out[i].pkt[41], 0);
	/* identifier, sequence and data unchanged (RFC 4443 §4.2) */
	assert_memory_equal(R.out[i].pkt + 44, req + 44, 9);
}

static void test_echo(void **state)
{
	uint8_t b[128];

	(void)state;
	from(0, b, echo(b, L0, "fe80::1"));
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[0]);
	check_echo_reply(0, "fe80::1", L0, b);
	from(0, b, echo(b, G0, GW_G));
	assert_int_equal(R.nout, 2);
	check_echo_reply(1, GW_G, G0, b);
	assert_int_equal(L.stats.echo, 2);
	/* a bad checksum is not answered */
	rec_clear();
	echo(b, G0, GW_G);
	b[50] ^= 1;
	from(0, b, 53);
	assert_only_drop(LINK_DROP_MALFORMED, 0);
	/* other traffic for the gateway, and echo to the anycast address */
	rec_clear();
	from(0, b, udp(b, G0, GW_G, 8));
	from(0, b, echo(b, G0, PFX));
	assert_int_equal(R.ndrops, 2);
	assert_drop(0, LINK_DROP_GW_UNHANDLED, 0);
	assert_drop(1, LINK_DROP_GW_UNHANDLED, 0);
	assert_int_equal(R.nout, 0);
}

/* ---- forwarding --------------------------------------------------------------------------- */

/* The ICMPv6 error at output i, quoting the invoking packet inv[0..n). */
static void check_error(size_t i, uint8_t type, uint8_t code, uint32_t param, const char *src,
			const char *dst, const uint8_t *inv, size_t n)
{
	struct ip6_view v = out_icmp(i, type);
	const uint8_t *e = R.out[i].pkt;
	size_t q = n > 1232 ? 1232 : n;

	assert_true(ip6_addr_eq(&v.src, in6p(src)));
	assert_true(ip6_addr_eq(&v.dst, in6p(dst)));
	assert_int_equal(e[41], code);
	assert_int_equal(
	    (uint32_t)e[44] << 24 | (uint32_t)e[45] << 16 | (uint32_t)e[46] << 8 | e[47], param);
	assert_int_equal(R.out[i].len, 48 + q);
	assert_true(R.out[i].len <= 1280);
	assert_memory_equal(e + 48, inv, q);
}

static void test_peer_to_peer(void **state)
{
	uint8_t b[256];
	size_t n;

	(void)state;
	learn(0, G0);
	n = udp(b, G1, G0, 100);
	from(1, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[0]);
	assert_int_equal(R.out[0].len, n);
	assert_memory_equal(R.out[0].pkt, b, n);
	assert_int_equal(L.stats.peer_to_peer, 1);
	assert_int_equal(owner(G1), 1);
	rec_clear();
	R.peer_ret = -1;
	from(1, b, n);
	assert_only_drop(LINK_DROP_QUEUE_FULL, 1);
}

static void test_to_tun(void **state)
{
	uint8_t b[256];
	size_t n;

	(void)state;
	n = udp(b, G0, FAR, 100);
	from(0, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	assert_null(R.out[0].to);
	assert_memory_equal(R.out[0].pkt, b, n);
	assert_int_equal(L.stats.to_tun, 1);
	rec_clear();
	R.tun_ret = -1;
	from(0, b, n);
	assert_only_drop(LINK_DROP_TUN, 0);
	/* a link-local source cannot leave the link: RFC 4443 §3.1 code 2, from fe80::1 */
	rec_clear();
	n = udp(b, L0, FAR, 8);
	from(0, b, n);
	assert_drop(0, LINK_DROP_FOREIGN_SRC, 0);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[0]);
	check_error(0, 1, 2, 0, "fe80::1", L0, b, n);
	/* but it may talk to another client's global address on the link */
	rec_clear();
	learn(1, G1);
	from(0, b, udp(b, L0, G1, 8));
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[1]);
	/* nonsense destinations */
	rec_clear();
	from(0, b, udp(b, G0, "::", 8));
	from(0, b, udp(b, G0, "::1", 8));
	assert_int_equal(R.ndrops, 2);
	assert_drop(0, LINK_DROP_MALFORMED, 0);
	assert_drop(1, LINK_DROP_MALFORMED, 0);
	/* not IPv6, or a length that disagrees with the header */
	rec_clear();
	n = udp(b, G0, FAR, 8);
	from(0, b, n - 1);
	b[0] = 0x40;
	from(0, b, n);
	assert_int_equal(R.ndrops, 2);
	assert_drop(0, LINK_DROP_MALFORMED, 0);
	assert_drop(1, LINK_DROP_MALFORMED, 0);
}

static void test_no_neighbor_from_peer(void **state)
{
	uint8_t b[256];
	size_t n;

	(void)state;
	n = udp(b, G0, "2001:db8:1:1000::99", 50);
	from(0, b, n);
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, 0);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[0]);
	check_error(0, 1, 3, 0, GW_G, G0, b, n);
	assert_int_equal(L.stats.icmp_errors, 1);
}

static void test_from_tun_owner(void **state)
{
	uint8_t b[1500];
	size_t n;

	(void)state;
	learn(2, G0);
	n = udp(b, FAR, G0, 1240);
	link_from_tun(&L, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[2]);
	assert_memory_equal(R.out[0].pkt, b, n);
	assert_int_equal(L.stats.from_tun, 1);
	rec_clear();
	R.peer_ret = -1;
	link_from_tun(&L, b, n);
	assert_only_drop(LINK_DROP_QUEUE_FULL, -1);
}

static void test_from_tun_unknown(void **state)
{
	uint8_t b[256];
	size_t n;

	(void)state;
	n = udp(b, FAR, "2001:db8:1:1000::99", 60);
	link_from_tun(&L, b, n);
	assert_int_equal(R.ndrops, 1);
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, -1);
	assert_int_equal(R.nout, 1);
	assert_null(R.out[0].to);
	check_error(0, 1, 3, 0, GW_G, FAR, b, n);
	/* not about an ICMPv6 error (RFC 4443 §2.4(e.1)) */
	rec_clear();
	n = icmp(b, FAR, "2001:db8:1:1000::99", 64, (const uint8_t[8]){1, 3}, 8);
	link_from_tun(&L, b, n);
	assert_only_drop(LINK_DROP_NO_NEIGHBOR, -1);
	assert_int_equal(L.stats.icmp_errors, 1);
}

static void test_from_tun_other(void **state)
{
	uint8_t b[256];

	(void)state;
	learn(0, L0);
	link_from_tun(&L, b, udp(b, FAR, "ff02::1", 8));
	link_from_tun(&L, b, udp(b, FAR, "ff0e::1", 8));
	link_from_tun(&L, b, udp(b, FAR, "2001:db8:9::2", 8));
	link_from_tun(&L, b, udp(b, FAR, L0, 8));
	link_from_tun(&L, b, udp(b, FAR, GW_G, 8));
	link_from_tun(&L, b, 39);
	assert_int_equal(R.nout, 0);
	assert_int_equal(R.ndrops, 6);
	assert_drop(0, LINK_DROP_TUN_MCAST, -1);
	assert_drop(1, LINK_DROP_TUN_MCAST, -1);
	assert_drop(2, LINK_DROP_TUN_OFFLINK, -1);
	assert_drop(3, LINK_DROP_TUN_OFFLINK, -1);
	assert_drop(4, LINK_DROP_GW_UNHANDLED, -1);
	assert_drop(5, LINK_DROP_MALFORMED, -1);
	/* echo to the gateway from the intranet */
	rec_clear();
	link_from_tun(&L, b, echo(b, FAR, GW_G));
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	assert_null(R.out[0].to);
	check_echo_reply(0, GW_G, FAR, b);
}

static void test_tun_too_big(void **state)
{
	uint8_t b[1400];
	size_t n;

	(void)state;
	learn(1, G1);
	n = udp(b, FAR, G1, 1400 - 40);
	link_from_tun(&L, b, n);
	assert_drop(0, LINK_DROP_TOO_BIG, -1);
	assert_int_equal(R.nout, 1);
	assert_null(R.out[0].to);
	check_error(0, 2, 0, 1280, GW_G, FAR, b, n);
	assert_int_equal(R.out[0].len, 1280);
}

static void test_mtu_1500(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[1600];
	size_t n;

	(void)state;
	c.mtu = 1500;
	link_send_ra(&L, &peers[0]);
	check_ra(0, "ff02::1", &c); /* the MTU option says 1500 */
	rec_clear();
	learn(1, G1);
	n = udp(b, FAR, G1, 1500 - 40);
	link_from_tun(&L, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[1]);
	rec_clear();
	n = udp(b, FAR, G1, 1501 - 40);
	link_from_tun(&L, b, n);
	assert_drop(0, LINK_DROP_TOO_BIG, -1);
	assert_int_equal(R.nout, 1);
	check_error(0, 2, 0, 1500, GW_G, FAR, b, n);
	/* from a client the same: up to 1500 passes */
	rec_clear();
	n = udp(b, G1, FAR, 1500 - 40);
	from(1, b, n);
	assert_int_equal(R.nout, 1);
	assert_null(R.out[0].to);
	link_oversize_from_peer(&L, &peers[1], b, 1500, 1600);
	assert_int_equal(R.nout, 2);
	check_error(1, 2, 0, 1500, GW_G, G1, b, 1500);
}

static void test_oversize_from_peer(void **state)
{
	uint8_t b[1500];
	size_t n;

	(void)state;
	n = udp(b, G0, FAR, 1500 - 40);
	link_oversize_from_peer(&L, &peers[0], b, 1280, n);
	assert_drop(0, LINK_DROP_TOO_BIG, 0);
	assert_int_equal(R.nout, 1);
	assert_ptr_equal(R.out[0].to, &peers[0]);
	check_error(0, 2, 0, 1280, GW_G, G0, b, 1280);
	/* link_from_peer over the MTU takes the same way */
	rec_clear();
	from(0, b, n);
	assert_drop(0, LINK_DROP_TOO_BIG, 0);
	assert_int_equal(R.nout, 1);
	check_error(0, 2, 0, 1280, GW_G, G0, b, 1280);
	/* to a multicast destination: still allowed (RFC 4443 §2.4(e.3)) */
	rec_clear();
	n = udp(b, L0, "ff02::1", 1500 - 40);
	link_oversize_from_peer(&L, &peers[0], b, 1280, n);
	assert_int_equal(R.nout, 1);
	check_error(0, 2, 0, 1280, "fe80::1", L0, b, 1280);
	/* never to a source this client does not own */
	rec_clear();
	learn(1, G1);
	n = udp(b, G1, FAR, 1500 - 40);
	link_oversize_from_peer(&L, &peers[0], b, 1280, n);
	assert_only_drop(LINK_DROP_TOO_BIG, 0);
}

static void test_rate_limit(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[128];
	size_t n, i;

	(void)state;
	c.icmp_error_rate = 3;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	L.now_ms = 100000;
	n = udp(b, FAR, "2001:db8:1:1000::99", 8);
	for (i = 0; i < 5; i++)
		link_from_tun(&L, b, n);
	assert_int_equal(L.stats.icmp_errors, 3);
	assert_int_equal(L.stats.drops[LINK_DROP_ICMP_RATE], 2);
	assert_int_equal(L.stats.drops[LINK_DROP_NO_NEIGHBOR], 5);
	/* a third of a second later, one token */
	L.now_ms += 334;
	link_from_tun(&L, b, n);
	link_from_tun(&L, b, n);
	assert_int_equal(L.stats.icmp_errors, 4);
	assert_int_equal(L.stats.drops[LINK_DROP_ICMP_RATE], 3);
	/* a long pause refills only the burst */
	L.now_ms += 60000;
	for (i = 0; i < 5; i++)
		link_from_tun(&L, b, n);
	assert_int_equal(L.stats.icmp_errors, 7);
	assert_int_equal(L.stats.drops[LINK_DROP_ICMP_RATE], 5);
	/* a clock going backwards does not mint tokens */
	L.now_ms -= 5000;
	link_from_tun(&L, b, n);
	assert_int_equal(L.stats.icmp_errors, 7);
	assert_int_equal(R.nout, 7);
	/* rate 0: no errors at all */
	c.icmp_error_rate = 0;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	L.now_ms += 100000;
	link_from_tun(&L, b, n);
	assert_int_equal(L.stats.icmp_errors, 7);
}

/* ---- the address table -------------------------------------------------------------------- */

static void test_eviction(void **state)
{
	struct in6_addr got[LINK_PEER_ADDRS + 4];
	char a[64];
	uint8_t b[128];
	int i;

	(void)state;
	for (i = 0; i < LINK_PEER_ADDRS; i++) {
		snprintf(a, sizeof(a), "2001:db8:1:1000::%x", 0x100 + i);
		from(0, b, udp(b, a, FAR, 8));
	}
	assert_int_equal(link_peer_addrs(&peers[0], got, 2), LINK_PEER_ADDRS);
	assert_int_equal(L.stats.evicted, 0);
	/* the first one is used again, so the second is now the least recently used */
	from(0, b, udp(b, "2001:db8:1:1000::100", FAR, 8));
	from(0, b, dad(b, "2001:db8:1:1000::200"));
	assert_int_equal(L.stats.evicted, 1);
	assert_int_equal(owner("2001:db8:1:1000::101"), -1);
	assert_int_equal(owner("2001:db8:1:1000::100"), 0);
	assert_int_equal(owner("2001:db8:1:1000::200"), 0);
	assert_int_equal(link_peer_addrs(&peers[0], got, LINK_PEER_ADDRS + 4), LINK_PEER_ADDRS);
	assert_int_equal(L.naddrs, LINK_PEER_ADDRS);
	/* the evicted address is free for another client */
	from(1, b, dad(b, "2001:db8:1:1000::101"));
	assert_int_equal(owner("2001:db8:1:1000::101"), 1);
	/* the UDP packets went to the TUN; the DAD probes were answered by no one */
	assert_int_equal(R.nout, LINK_PEER_ADDRS + 1);
	assert_int_equal(R.ndrops, 0);
}

static void test_peer_down(void **state)
{
	struct in6_addr got[LINK_PEER_ADDRS];
	uint8_t b[128];

	(void)state;
	learn(0, G0);
	learn(0, L0);
	learn(1, G1);
	assert_int_equal(L.naddrs, 3);
	link_peer_down(&L, &peers[0]);
	assert_false(peers[0].up);
	assert_int_equal(owner(G0), -1);
	assert_int_equal(owner(L0), -1);
	assert_int_equal(owner(G1), 1);
	assert_int_equal(L.naddrs, 1);
	assert_int_equal(link_peer_addrs(&peers[0], got, LINK_PEER_ADDRS), 0);
	/* a closed connection learns nothing more */
	from(0, b, dad(b, G0));
	assert_only_drop(LINK_DROP_PEER_DOWN, 0);
	assert_int_equal(owner(G0), -1);
	rec_clear();
	link_oversize_from_peer(&L, &peers[0], b, 64, 2000);
	assert_drop(0, LINK_DROP_PEER_DOWN, 0);
	/* and traffic to its old addresses is now unreachable */
	rec_clear();
	link_from_tun(&L, b, udp(b, FAR, G0, 8));
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, -1);
	/* another client may take them */
	rec_clear();
	learn(2, G0);
}

/* Peer i's global (learned by DAD) and link-local (learned as a source) addresses. */
static void many_addrs(size_t i, struct in6_addr *g, struct in6_addr *ll)
{
	*g = in6(PFX);
	*ll = in6("fe80::");
	g->s6_addr[12] = ll->s6_addr[12] = (uint8_t)(i >> 8);
	g->s6_addr[13] = ll->s6_addr[13] = (uint8_t)i;
	g->s6_addr[15] = 7;
	ll->s6_addr[15] = 9;
}

static void test_hash_growth(void **state)
{
	const size_t n = 5000;
	struct link_peer *many = calloc(n, sizeof(*many));
	struct in6_addr g, ll, sn;
	uint8_t b[128];
	struct buf_wr w;
	size_t i, len;

	(void)state;
	assert_non_null(many);
	for (i = 0; i < n; i++) {
		many_addrs(i, &g, &ll);
		link_peer_init(&many[i], i, NULL);
		link_peer_up(&L, &many[i]);
		ip6_solicited_node(&sn, &g);
		buf_wr_init(&w, b, sizeof(b));
		assert_int_equal(nd_build_ns(&w, in6p("::"), &sn, &g), 0);
		link_from_peer(&L, &many[i], b, w.len);
		len = echo(b, "fe80::ff", "fe80::1");
		memcpy(b + 8, ll.s6_addr, 16);
		fix_cksum(b, len);
		link_from_peer(&L, &many[i], b, len);
		R.nout = 0;
	}
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(L.stats.echo, n);
	assert_int_equal(L.naddrs, 2 * n);
	assert_int_equal(L.stats.learned, 2 * n);
	assert_true(L.nbuckets >= L.naddrs);
	assert_int_equal(L.nbuckets & (L.nbuckets - 1), 0);
	for (i = 0; i < n; i++) {
		many_addrs(i, &g, &ll);
		assert_ptr_equal(link_lookup(&L, &g), &many[i]);
		assert_ptr_equal(link_lookup(&L, &ll), &many[i]);
		g.s6_addr[15] = 8;
		assert_null(link_lookup(&L, &g));
	}
	for (i = 0; i < n; i += 2)
		link_peer_down(&L, &many[i]);
	assert_int_equal(L.naddrs, n);
	for (i = 0; i < n; i++) {
		many_addrs(i, &g, &ll);
		assert_ptr_equal(link_lookup(&L, &g), i % 2 ? &many[i] : NULL);
		assert_ptr_equal(link_lookup(&L, &ll), i % 2 ? &many[i] : NULL);
	}
	for (i = 1; i < n; i += 2)
		link_peer_down(&L, &many[i]);
	assert_int_equal(L.naddrs, 0);
	free(many);
}

/* The bucket of an address in L, found by walking the chains. */
static size_t bucket_of(const struct link *l, const struct in6_addr *a)
{
	const struct link_addr *e;
	size_t i;

	for (i = 0; i < l->nbuckets; i++)
		for (e = l->buckets[i]; e; e = e->hnext)
			if (ip6_addr_eq(&e->addr, a))
				return i;
	fail();
	return 0;
}

static void test_hash_keyed(void **state)
{
	struct in6_addr a[LINK_PEER_ADDRS];
	size_t first[LINK_PEER_ADDRS], i, moved = 0;
	struct link_cfg c = base_cfg();
	char s[64];
	int round;

	(void)state;
	/* the same addresses under two keys that differ only in their second half land in
	 * different buckets: both key words reach the hash */
	for (round = 0; round < 2; round++) {
		if (round) {
			teardown(NULL);
			c.hash_key[12] ^= 0x5a;
			assert_int_equal(setup_cfg(&c), 0);
		}
		for (i = 0; i < LINK_PEER_ADDRS; i++) {
			snprintf(s, sizeof(s), "2001:db8:1:1000::%zx", 0x300 + i);
			a[i] = in6(s);
			learn(0, s);
			if (round == 0)
				first[i] = bucket_of(&L, &a[i]);
			else
				moved += first[i] != bucket_of(&L, &a[i]);
		}
	}
	assert_true(moved > 0);
}

/* ---- configuration ------------------------------------------------------------------------ */

static void test_init_prefix_mtu(void **state)
{
	struct link_cfg c = base_cfg();
	struct link l2;

	(void)state;
	assert_int_equal(link_init(&l2, &c, &ops), 0);
	assert_true(ip6_addr_eq(&l2.gw_ll, in6p("fe80::1")));
	assert_true(ip6_addr_eq(&l2.gw_global, in6p(GW_G)));
	assert_true(l2.nbuckets > 0);
	link_free(&l2);
	/* a /64: no host bits */
	c.prefix = in6("2001:db8:1:1000::1");
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c.prefix = in6("2001:db8:1:1000:8000::");
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c.prefix = in6("fe80::");
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c.prefix = in6("ff02::");
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c.prefix = in6("::");
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c = base_cfg();
	c.mtu = 1279;
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c.mtu = 65536;
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c.mtu = 65535;
	assert_int_equal(link_init(&l2, &c, &ops), 0);
	link_free(&l2);
}

static void test_init_routes_ops(void **state)
{
	struct link_ops bad_ops = ops;
	struct link_cfg c = base_cfg();
	struct link l2;
	size_t i;

	(void)state;
	c.preferred_lifetime = c.valid_lifetime + 1;
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c.preferred_lifetime = c.valid_lifetime;
	assert_int_equal(link_init(&l2, &c, &ops), 0);
	link_free(&l2);
	c.nroutes = LINK_MAX_ROUTES + 1;
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c.nroutes = 1;
	c.routes[0].plen = 129;
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c.routes[0].plen = 128;
	c.routes[0].pref = 2;
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	c.routes[0].pref = -1;
	assert_int_equal(link_init(&l2, &c, &ops), 0);
	link_free(&l2);
	bad_ops.to_peer = NULL;
	assert_int_equal(link_init(&l2, &c, &bad_ops), -1);
	bad_ops = ops;
	bad_ops.to_tun = NULL;
	assert_int_equal(link_init(&l2, &c, &bad_ops), -1);
	/* the most routes, all /128: the RA still fits the minimum MTU */
	for (i = 0; i < LINK_MAX_ROUTES; i++)
		c.routes[i] = (struct link_route){in6("2001:db8::5"), 128, 1, 60};
	c.nroutes = LINK_MAX_ROUTES;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	link_send_ra(&L, &peers[0]);
	assert_int_equal(R.nout, 1);
	assert_true(R.out[0].len <= 1280);
	check_ra(0, "ff02::1", &c);
}

static void test_reconfigure(void **state)
{
	struct link_cfg c = base_cfg();

	(void)state;
	learn(0, G0);
	c.prefix = in6("2001:db8:1:2000::");
	assert_int_equal(link_reconfigure(&L, &c), -1);
	c = base_cfg();
	c.mtu = 1400;
	assert_int_equal(link_reconfigure(&L, &c), -1);
	c = base_cfg();
	c.preferred_lifetime = c.valid_lifetime + 1;
	assert_int_equal(link_reconfigure(&L, &c), -1);
	/* lifetimes and routes may change; the table and the hash key stay */
	c = base_cfg();
	c.router_lifetime = 0;
	c.valid_lifetime = 600;
	c.preferred_lifetime = 300;
	memset(c.hash_key, 0xee, sizeof(c.hash_key));
	assert_int_equal(link_reconfigure(&L, &c), 0);
	assert_int_equal(owner(G0), 0);
	link_send_ra(&L, &peers[0]);
	check_ra(0, "ff02::1", &c);
}

static void test_drop_names(void **state)
{
	static const char *const want[] = {
	    "malformed",   "spoofed",	  "foreign_src",
	    "unspec_src",  "ll_not_gw",	  "mcast",
	    "rogue_nd",	   "nd_invalid",  "too_big",
	    "no_neighbor", "queue_full",  "tun",
	    "tun_mcast",   "tun_offlink", "gw_unhandled",
	    "icmp_rate",   "peer_down",	  "resolve_replaced",
	    "policy",	   "isolated",	  "client_icmp_rate",
	};
	size_t i;

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), LINK_DROP__MAX);
	for (i = 0; i < LINK_DROP__MAX; i++)
		assert_string_equal(link_drop_name((enum link_drop)i), want[i]);
	assert_string_equal(link_drop_name(LINK_DROP__MAX), "unknown");
}

/* ---- neighbour resolution ----------------------------------------------------------------- */

#define X  "2001:db8:1:1000::99" /* in the prefix, owned by no one until a test says so */
#define X2 "2001:db8:1:1000::98"

/* to_all output i is the resolution NS for target: prefix::1 -> target, hop limit 255, no
 * options, valid checksum (RFC 4861 §4.3, §7.2.2), down every connection. */
static void check_ns(size_t i, const char *target)
{
	const uint8_t *b = R.all[i].pkt;
	struct ip6_view v;
	struct nd_msg m;

	assert_true(i < R.nall);
	assert_null(R.all_except[i]);
	assert_int_equal(R.all[i].len, 64);
	assert_int_equal(ip6_parse(&v, b, R.all[i].len), 0);
	assert_int_equal(b[0], 0x60);
	assert_int_equal(b[4] << 8 | b[5], 24);
	assert_int_equal(v.nxt, IP6_NH_ICMPV6);
	assert_int_equal(v.hlim, 255);
	assert_true(ip6_addr_eq(&v.src, in6p(GW_G)));
	assert_true(ip6_addr_eq(&v.dst, in6p(target)));
	assert_true(ip6_icmp6_cksum_ok(&v.src, &v.dst, b + 40, 24));
	assert_int_equal(b[40], ND_TYPE_NS);
	assert_int_equal(b[41], 0);
	assert_memory_equal(b + 44, ((const uint8_t[4]){0}), 4);
	assert_memory_equal(b + 48, in6p(target), 16);
	assert_int_equal(nd_parse(&m, &v, b + 40, 24), 0);
	assert_false(m.dad);
	assert_true(ip6_addr_eq(&m.target, in6p(target)));
}

/* A Linux client's answer to that NS: from its address to prefix::1, S and O set. */
static size_t na_answer(uint8_t *b, const char *addr)
{
	return na(b, addr, GW_G, addr, ND_NA_SOLICITED | ND_NA_OVERRIDE);
}

/* Output i is the packet b[0..n), delivered down peer's connection. */
static void check_delivered(size_t i, int peer, const uint8_t *b, size_t n)
{
	assert_true(i < R.nout);
	assert_ptr_equal(R.out[i].to, &peers[peer]);
	assert_int_equal(R.out[i].len, n);
	assert_memory_equal(R.out[i].pkt, b, n);
}

/* Sets the clock and runs the timers. */
static void tick_at(uint64_t ms)
{
	L.now_ms = ms;
	link_tick(&L);
}

static void test_resolve_from_tun(void **state)
{
	uint8_t b[256], a[128];
	size_t n;

	(void)state;
	L.now_ms = 5000;
	n = udp(b, FAR, X, 60);
	link_from_tun(&L, b, n);
	/* held, not refused: one NS for every connection, nothing else */
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 0);
	assert_int_equal(R.nall, 1);
	check_ns(0, X);
	assert_int_equal(L.stats.resolve_started, 1);
	assert_int_equal(L.stats.resolve_ns, 1);
	assert_int_equal(L.stats.icmp_errors, 0);
	assert_int_equal(L.npending, 1);
	assert_int_equal(link_next_deadline(&L), 6000);
	/* the owner answers: the NA to the gateway is learned from, not dropped, and the held
	 * packet goes to it unchanged */
	L.now_ms = 5040;
	from(2, a, na_answer(a, X));
	assert_int_equal(owner(X), 2);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	check_delivered(0, 2, b, n);
	assert_int_equal(L.stats.from_tun, 1);
	assert_int_equal(L.stats.resolved, 1);
	assert_int_equal(L.stats.resolve_failed, 0);
	assert_int_equal(L.npending, 0);
	assert_int_equal(link_next_deadline(&L), UINT64_MAX);
	/* nothing more: no retransmission, no late error */
	tick_at(20000);
	assert_int_equal(R.nall, 1);
	assert_int_equal(R.nout, 1);
	/* the next packet goes straight to the owner */
	link_from_tun(&L, b, n);
	assert_int_equal(R.nout, 2);
	check_delivered(1, 2, b, n);
	assert_int_equal(R.nall, 1);
	assert_int_equal(L.stats.resolve_started, 1);
}

static void test_resolve_peer_to_peer(void **state)
{
	uint8_t b[256], a[128];
	size_t n;

	(void)state;
	L.now_ms = 1000;
	n = udp(b, G0, X, 100);
	from(0, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 0);
	assert_int_equal(R.nall, 1);
	check_ns(0, X);
	assert_int_equal(owner(G0), 0); /* the sender's source is learned as usual */
	from(3, a, na_answer(a, X));
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	check_delivered(0, 3, b, n);
	assert_int_equal(L.stats.peer_to_peer, 1);
	assert_int_equal(L.stats.from_tun, 0);
	assert_int_equal(L.stats.resolved, 1);
	/* the answer comes back directly */
	from(3, a, udp(a, X, G0, 20));
	assert_int_equal(R.nout, 2);
	assert_ptr_equal(R.out[1].to, &peers[0]);
	assert_int_equal(R.nall, 1);
}

/* Any way of learning ends the resolution: a DAD probe, a source address, an NA's target. */
static void test_resolve_learn_paths(void **state)
{
	uint8_t b[256], b2[256], a[128];
	size_t n, n2;

	(void)state;
	n = udp(b, FAR, X, 30);
	n2 = udp(b2, FAR, X2, 40);
	link_from_tun(&L, b, n);
	link_from_tun(&L, b2, n2);
	assert_int_equal(R.nall, 2);
	check_ns(1, X2);
	from(1, a, dad(a, X));
	assert_int_equal(R.nout, 1);
	check_delivered(0, 1, b, n);
	/* X2 sends first: the held packet, then its own to the intranet */
	from(2, a, udp(a, X2, FAR, 8));
	assert_int_equal(R.nout, 3);
	check_delivered(1, 2, b2, n2);
	assert_null(R.out[2].to);
	assert_int_equal(L.stats.resolved, 2);
	assert_int_equal(L.stats.from_tun, 2);
	/* an NA from a link-local source for a global target */
	rec_clear();
	n = udp(b, FAR, "2001:db8:1:1000::97", 30);
	link_from_tun(&L, b, n);
	from(3, a, na(a, "fe80::a3", "fe80::1", "2001:db8:1:1000::97", ND_NA_SOLICITED));
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	check_delivered(0, 3, b, n);
	assert_int_equal(L.npending, 0);
	assert_int_equal(R.ndrops, 0);
}

static void test_resolve_timeout(void **state)
{
	uint8_t b[256];
	size_t n, i;

	(void)state;
	L.now_ms = 1000;
	n = udp(b, FAR, X, 60);
	link_from_tun(&L, b, n);
	/* RFC 4861 §10: MAX_MULTICAST_SOLICIT 3, RETRANS_TIMER 1 s */
	tick_at(1999);
	assert_int_equal(R.nall, 1);
	tick_at(2000);
	assert_int_equal(R.nall, 2);
	assert_int_equal(link_next_deadline(&L), 3000);
	tick_at(2500);
	assert_int_equal(R.nall, 2);
	tick_at(3000);
	assert_int_equal(R.nall, 3);
	for (i = 0; i < 3; i++) {
		check_ns(i, X);
		assert_memory_equal(R.all[i].pkt, R.all[0].pkt, 64);
	}
	assert_int_equal(L.stats.resolve_ns, 3);
	assert_int_equal(link_next_deadline(&L), 4000);
	tick_at(3999);
	assert_int_equal(R.nout, 0);
	assert_int_equal(R.ndrops, 0);
	/* one second after the last NS: Address Unreachable to the intranet, quoting the packet */
	tick_at(4000);
	assert_int_equal(R.nall, 3);
	assert_int_equal(R.nout, 1);
	assert_null(R.out[0].to);
	check_error(0, 1, 3, 0, GW_G, FAR, b, n);
	assert_int_equal(R.ndrops, 1);
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, -1);
	assert_int_equal(L.stats.resolve_failed, 1);
	assert_int_equal(L.stats.resolved, 0);
	assert_int_equal(L.stats.icmp_errors, 1);
	assert_int_equal(L.npending, 0);
	assert_int_equal(link_next_deadline(&L), UINT64_MAX);
	tick_at(100000);
	assert_int_equal(R.nout, 1);
	assert_int_equal(R.nall, 3);
	/* a late answer just teaches the address */
	from(1, b, na_answer(b, X));
	assert_int_equal(owner(X), 1);
	assert_int_equal(R.nout, 1);
}

/* From a client: the error goes back down its connection; the ICMPv6 error limit applies, one
 * bucket per client. */
static void test_resolve_timeout_peer(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[256], b2[256];
	size_t n, n2;

	(void)state;
	n = udp(b, G0, X, 50);
	from(0, b, n);
	n2 = udp(b2, G1, X2, 50);
	from(1, b2, n2);
	assert_int_equal(R.nall, 2);
	tick_at(1000);
	tick_at(2000);
	/* one error token per client when they fail: each gets its own error */
	c.resolve_rate = 10;
	c.icmp_error_rate = 1;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	tick_at(3000);
	assert_int_equal(R.nall, 6);
	assert_int_equal(R.nout, 2);
	assert_ptr_equal(R.out[0].to, &peers[0]);
	check_error(0, 1, 3, 0, GW_G, G0, b, n);
	assert_ptr_equal(R.out[1].to, &peers[1]);
	check_error(1, 1, 3, 0, GW_G, G1, b2, n2);
	assert_int_equal(R.ndrops, 2);
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, 0);
	assert_drop(1, LINK_DROP_NO_NEIGHBOR, 1);
	assert_int_equal(L.stats.resolve_failed, 2);
	/* an error about an ICMPv6 error is never sent (RFC 4443 §2.4(e.1)) */
	rec_clear();
	c.icmp_error_rate = 100;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	L.now_ms = 10000;
	from(0, b, icmp(b, G0, X, 64, (const uint8_t[8]){1, 4}, 8));
	assert_int_equal(R.nall, 1);
	tick_at(11000);
	tick_at(12000);
	tick_at(13000);
	assert_int_equal(R.nout, 0);
	assert_only_drop_count(LINK_DROP_NO_NEIGHBOR, 1);
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, 0);
}

/* One packet held per address: the newest (RFC 4861 §7.2.2), the older one a counted drop. */
static void test_resolve_replace(void **state)
{
	uint8_t b1[256], b2[256], b3[256], a[128];
	size_t n1, n2, n3;

	(void)state;
	n1 = udp(b1, FAR, X, 10);
	n2 = udp(b2, FAR, X, 20);
	n3 = udp(b3, G0, X, 30);
	link_from_tun(&L, b1, n1);
	L.now_ms = 300;
	link_from_tun(&L, b2, n2);
	assert_int_equal(R.nall, 1); /* no second NS, no new deadline */
	assert_int_equal(R.nout, 0);
	assert_int_equal(R.ndrops, 1);
	assert_drop(0, LINK_DROP_RESOLVE_REPLACED, -1);
	assert_int_equal(link_next_deadline(&L), 1000);
	from(0, b3, n3);
	assert_int_equal(R.ndrops, 2);
	assert_drop(1, LINK_DROP_RESOLVE_REPLACED, -1); /* the TUN's packet was replaced */
	assert_int_equal(L.stats.resolve_started, 1);
	assert_int_equal(L.npending, 1);
	from(2, a, na_answer(a, X));
	assert_int_equal(R.nout, 1);
	check_delivered(0, 2, b3, n3);
	assert_int_equal(L.stats.peer_to_peer, 1);
	assert_int_equal(L.stats.from_tun, 0);
	assert_int_equal(L.stats.drops[LINK_DROP_RESOLVE_REPLACED], 2);
	/* a replaced client's packet is reported as that client's */
	rec_clear();
	from(0, b1, udp(b1, G0, X2, 10));
	link_from_tun(&L, b2, udp(b2, FAR, X2, 10));
	assert_only_drop_count(LINK_DROP_RESOLVE_REPLACED, 1);
	assert_drop(0, LINK_DROP_RESOLVE_REPLACED, 0);
	assert_int_equal(R.nout, 0);
}

/* A resolution the rate limit refuses: Destination Unreachable at once, as without one. */
static void test_resolve_rate_limit(void **state)
{
	struct link_cfg c = base_cfg();
	char a[64];
	uint8_t b[256];
	size_t n, i;

	(void)state;
	c.resolve_rate = 2;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	L.now_ms = 100000;
	for (i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "2001:db8:1:1000::5:%zx", i);
		n = udp(b, FAR, a, 8);
		link_from_tun(&L, b, n);
	}
	assert_int_equal(R.nall, 2);
	assert_int_equal(L.stats.resolve_started, 2);
	assert_int_equal(R.nout, 1);
	check_error(0, 1, 3, 0, GW_G, FAR, b, n);
	assert_only_drop_count(LINK_DROP_NO_NEIGHBOR, 1);
	/* half a second later one token: one more resolution */
	L.now_ms += 500;
	link_from_tun(&L, b, n);
	assert_int_equal(R.nall, 3);
	check_ns(2, "2001:db8:1:1000::5:2");
	assert_int_equal(R.nout, 1);
	/* a packet for an address being resolved is held whatever the limit */
	link_from_tun(&L, b, n);
	assert_int_equal(R.nout, 1);
	assert_int_equal(L.stats.resolve_started, 3);
}

/* Retransmissions draw on the same limit; one refused still counts as sent, so a resolution
 * ends 3 s after it began. */
static void test_resolve_retransmit_limited(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[256];

	(void)state;
	c.resolve_rate = 1;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	L.now_ms = 1000;
	link_from_tun(&L, b, udp(b, FAR, X, 8)); /* A: the one token */
	assert_int_equal(R.nall, 1);
	L.now_ms = 2000; /* one token again, taken by B before A's retransmission is due */
	link_from_tun(&L, b, udp(b, FAR, X2, 8));
	assert_int_equal(R.nall, 2);
	check_ns(1, X2);
	link_tick(&L); /* A's second NS: refused */
	assert_int_equal(R.nall, 2);
	assert_int_equal(link_next_deadline(&L), 3000);
	tick_at(3000); /* A's third: sent; B's second: refused */
	assert_int_equal(R.nall, 3);
	check_ns(2, X);
	tick_at(4000); /* A fails; B's third: sent */
	assert_int_equal(R.nall, 4);
	check_ns(3, X2);
	assert_int_equal(L.stats.resolve_failed, 1);
	assert_int_equal(R.nout, 1);
	tick_at(5000); /* B fails */
	assert_int_equal(L.stats.resolve_failed, 2);
	assert_int_equal(R.nout, 2);
	assert_int_equal(L.stats.resolve_ns, 4);
	assert_int_equal(L.npending, 0);
}

static void test_resolve_slots(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[256], a[128];
	char s[64];
	size_t i, n;

	(void)state;
	c.resolve_rate = 1000;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	L.now_ms = 50000;
	for (i = 0; i < LINK_MAX_PENDING; i++) {
		snprintf(s, sizeof(s), "2001:db8:1:1000::6:%zx", i);
		link_from_tun(&L, b, udp(b, FAR, s, 8));
	}
	assert_int_equal(R.nall, LINK_MAX_PENDING);
	assert_int_equal(R.nout, 0);
	assert_int_equal(L.npending, LINK_MAX_PENDING);
	/* every slot in use: the next address is refused at once */
	n = udp(b, FAR, X, 8);
	link_from_tun(&L, b, n);
	assert_int_equal(R.nall, LINK_MAX_PENDING);
	assert_int_equal(R.nout, 1);
	check_error(0, 1, 3, 0, GW_G, FAR, b, n);
	assert_only_drop_count(LINK_DROP_NO_NEIGHBOR, 1);
	/* one is resolved: its slot serves the next */
	from(1, a, na_answer(a, "2001:db8:1:1000::6:7"));
	assert_int_equal(R.nout, 2);
	assert_ptr_equal(R.out[1].to, &peers[1]);
	link_from_tun(&L, b, n);
	assert_int_equal(R.nall, LINK_MAX_PENDING + 1);
	check_ns(LINK_MAX_PENDING, X);
	assert_int_equal(R.nout, 2);
	/* all of them fail together, each with its own error */
	tick_at(51000);
	tick_at(52000);
	tick_at(53000);
	assert_int_equal(R.nall, 3 * LINK_MAX_PENDING + 1); /* the resolved one asked once */
	assert_int_equal(L.stats.resolve_failed, LINK_MAX_PENDING);
	assert_int_equal(L.npending, 0);
	assert_int_equal(L.stats.icmp_errors, 1 + LINK_MAX_PENDING);
	assert_int_equal(R.nout, 2 + LINK_MAX_PENDING);
}

/* A held packet's client goes away: nothing refers to it any more (run under ASan), nothing
 * is sent to it, and the resolution goes on for nobody. */
static void test_resolve_peer_down(void **state)
{
	struct link_peer *p = calloc(1, sizeof(*p));
	uint8_t b[256], a[128];
	size_t n;

	(void)state;
	assert_non_null(p);
	link_peer_init(p, 99, NULL);
	link_peer_up(&L, p);
	rec_clear();
	n = udp(b, G0, X, 40);
	link_from_peer(&L, p, b, n);
	link_from_peer(&L, p, a, udp(a, G0, X2, 40));
	assert_int_equal(R.nall, 2);
	link_peer_down(&L, p);
	assert_int_equal(R.ndrops, 2);
	assert_ptr_equal(R.drops[0].from, p);
	assert_string_equal(link_drop_name(R.drops[0].why), "peer_down");
	assert_ptr_equal(R.drops[1].from, p);
	memset(p, 0xa5, sizeof(*p));
	free(p);
	assert_int_equal(L.npending, 2);
	/* X is answered: nothing to deliver; X2 runs out: no error to anyone */
	from(2, a, na_answer(a, X));
	assert_int_equal(owner(X), 2);
	assert_int_equal(L.stats.resolved, 1);
	tick_at(1000);
	tick_at(2000);
	tick_at(3000);
	assert_int_equal(R.nout, 0);
	assert_int_equal(R.ndrops, 2);
	assert_int_equal(L.stats.resolve_failed, 1);
	assert_int_equal(L.stats.icmp_errors, 0);
	assert_int_equal(L.npending, 0);
	/* a packet held after that is a packet held again */
	rec_clear();
	n = udp(b, G1, X2, 40);
	from(1, b, n);
	from(3, a, na_answer(a, X2));
	assert_int_equal(R.nout, 1);
	check_delivered(0, 3, b, n);
}

static void test_resolve_queue_full(void **state)
{
	uint8_t b[256], a[128];

	(void)state;
	link_from_tun(&L, b, udp(b, FAR, X, 8));
	R.peer_ret = -1;
	from(2, a, na_answer(a, X));
	assert_only_drop_count(LINK_DROP_QUEUE_FULL, 1);
	assert_drop(0, LINK_DROP_QUEUE_FULL, -1);
	assert_int_equal(R.nout, 0);
	assert_int_equal(L.stats.resolved, 1);
	assert_int_equal(L.stats.from_tun, 0);
	assert_int_equal(L.npending, 0);
}

/* Where there is nothing to resolve, or nobody to ask: an immediate answer, as before. */
static void test_resolve_not_started(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[1500];
	size_t n, i;

	(void)state;
	/* over the MTU: cannot be held */
	n = udp(b, FAR, X, 1400 - 40);
	link_from_tun(&L, b, n);
	assert_int_equal(R.nall, 0);
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, -1);
	check_error(0, 1, 3, 0, GW_G, FAR, b, n);
	/* link-local in certificates mode: outside the prefix, not resolved */
	rec_clear();
	c.resolve_rate = 10;
	c.auth_certificates = true;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	from(1, b, udp(b, L1, "fe80::99", 8));
	assert_int_equal(R.nall, 0);
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, 1);
	/* the gateway's own addresses and off-prefix ones are no neighbours to look for */
	rec_clear();
	link_from_tun(&L, b, udp(b, FAR, PFX, 8));
	link_from_tun(&L, b, udp(b, FAR, "2001:db8:1:1001::5", 8));
	assert_int_equal(R.nall, 0);
	/* nobody connected: nobody to ask */
	for (i = 0; i < NPEERS; i++)
		link_peer_down(&L, &peers[i]);
	rec_clear();
	n = udp(b, FAR, X, 8);
	link_from_tun(&L, b, n);
	assert_int_equal(R.nall, 0);
	assert_int_equal(R.nout, 1);
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, -1);
	link_peer_up(&L, &peers[0]);
	rec_clear();
	link_from_tun(&L, b, n);
	assert_int_equal(R.nall, 1);
	assert_int_equal(R.nout, 0);
	assert_int_equal(L.stats.resolve_started, 1);
}

/* resolve_rate 0, the default of a bare link_cfg: exactly the behaviour without resolution. */
static void test_resolve_off(void **state)
{
	struct link_ops no_all = ops;
	struct link_cfg c = base_cfg();
	uint8_t b[256];
	size_t n;

	(void)state;
	n = udp(b, FAR, X, 8);
	link_from_tun(&L, b, n);
	from(0, b, udp(b, G0, X, 8));
	assert_int_equal(R.nall, 0);
	assert_int_equal(R.nout, 2);
	assert_int_equal(L.stats.drops[LINK_DROP_NO_NEIGHBOR], 2);
	assert_int_equal(L.stats.resolve_started, 0);
	assert_int_equal(L.npending, 0);
	assert_int_equal(link_next_deadline(&L), UINT64_MAX);
	/* and without to_all there is no way to ask */
	teardown(NULL);
	c.resolve_rate = 10;
	no_all.to_all = NULL;
	assert_int_equal(link_init(&L, &c, &no_all), 0);
	link_peer_up(&L, &peers[0]);
	rec_clear();
	link_from_tun(&L, b, n);
	assert_int_equal(R.nout, 1);
	assert_only_drop_count(LINK_DROP_NO_NEIGHBOR, 1);
	assert_int_equal(L.stats.resolve_started, 0);
}

/* A reload to resolve_rate 0: nothing new starts, what runs ends (no more NS, then fails). */
static void test_resolve_reconfigure(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[256], b2[256];
	size_t n;

	(void)state;
	n = udp(b, FAR, X, 8);
	link_from_tun(&L, b, n);
	assert_int_equal(R.nall, 1);
	c.resolve_rate = 0;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	assert_true(L.resolve_limit.tokens <= 0.0);
	link_from_tun(&L, b2, udp(b2, FAR, X2, 8));
	assert_int_equal(R.nout, 1);
	check_error(0, 1, 3, 0, GW_G, FAR, b2, 48);
	tick_at(1000);
	tick_at(2000);
	assert_int_equal(R.nall, 1);
	tick_at(3000);
	assert_int_equal(R.nout, 2);
	check_error(1, 1, 3, 0, GW_G, FAR, b, n);
	assert_int_equal(L.stats.resolve_failed, 1);
}

static void test_next_deadline(void **state)
{
	uint8_t b[256], a[128];

	(void)state;
	assert_int_equal(link_next_deadline(&L), UINT64_MAX);
	link_tick(&L); /* nothing pending: nothing happens */
	assert_int_equal(R.nall + R.nout + R.ndrops, 0);
	L.now_ms = 5000;
	link_from_tun(&L, b, udp(b, FAR, X, 8));
	assert_int_equal(link_next_deadline(&L), 6000);
	L.now_ms = 5400;
	link_from_tun(&L, b, udp(b, FAR, X2, 8));
	assert_int_equal(link_next_deadline(&L), 6000);
	tick_at(6000);
	assert_int_equal(link_next_deadline(&L), 6400);
	/* a late tick: the next NS is a full interval after it */
	tick_at(6900);
	assert_int_equal(link_next_deadline(&L), 7000);
	tick_at(7000);
	assert_int_equal(link_next_deadline(&L), 7900);
	from(1, a, na_answer(a, X2));
	assert_int_equal(link_next_deadline(&L), 8000);
	tick_at(8000); /* X fails */
	assert_int_equal(link_next_deadline(&L), UINT64_MAX);
	assert_int_equal(R.nall, 5);
}

/* ---- protections of an open link: policy, isolation, ICMPv6 rates ------------------------- */

#define G2 "2001:db8:1:1000::a2"

static struct acl pol;

/* Adds one rule, given as its configuration text, to pol. */
static void pol_rule(const char *text)
{
	char buf[128], err[128], *save = NULL, *t;
	const char *w[16];
	size_t n = 0;

	assert_true(pol.n < ACL_MAX_RULES);
	snprintf(buf, sizeof(buf), "%s", text);
	for (t = strtok_r(buf, " ", &save); t && n < 16; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	assert_int_equal(acl_rule_parse(&pol.rules[pol.n], w, n, err, sizeof(err)), 0);
	pol.n++;
}

/* base_cfg with pol holding r1 and r2 (NULL: none) as the unauthenticated peers' policy. */
static struct link_cfg policy_cfg(const char *r1, const char *r2)
{
	struct link_cfg c = base_cfg();

	memset(&pol, 0, sizeof(pol));
	if (r1)
		pol_rule(r1);
	if (r2)
		pol_rule(r2);
	c.unauth_policy = &pol;
	return c;
}

static size_t udp_port(uint8_t *b, const char *src, const char *dst, uint16_t port)
{
	size_t n = udp(b, src, dst, 16);

	b[42] = (uint8_t)(port >> 8);
	b[43] = (uint8_t)port;
	return n;
}

/* An ESP packet (RFC 4303): SPI, sequence number and opaque bytes. */
static size_t esp(uint8_t *b, const char *src, const char *dst)
{
	memset(b + 40, 0xab, 24);
	return mkpkt(b, src, dst, 50, 64, 24);
}

/* Output i is the packet b[0..n) itself, down peer's connection (-1: to the TUN). */
static void check_fwd(size_t i, int peer, const uint8_t *b, size_t n)
{
	assert_true(i < R.nout);
	if (peer < 0)
		assert_null(R.out[i].to);
	else
		assert_ptr_equal(R.out[i].to, &peers[peer]);
	assert_int_equal(R.out[i].len, n);
	assert_memory_equal(R.out[i].pkt, b, n);
}

static void test_policy_unauth(void **state)
{
	struct link_cfg c = policy_cfg("proto esp", "to 2001:db8:9::/48 proto udp port 500");
	static struct link l2;
	uint8_t b[256];
	size_t n;

	(void)state;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	learn(0, G0);
	learn(1, G1);
	/* not allowed: dropped silently, no ICMPv6 error */
	from(0, b, udp_port(b, G0, FAR, 53));
	assert_only_drop(LINK_DROP_POLICY, 0);
	assert_int_equal(L.stats.to_tun, 0);
	assert_int_equal(L.stats.icmp_errors, 0);
	rec_clear();
	from(0, b, udp_port(b, G0, "2001:db8:a::1", 500)); /* the port, outside the prefix */
	assert_only_drop(LINK_DROP_POLICY, 0);
	/* allowed: IKE to the gateway's range, ESP anywhere */
	rec_clear();
	n = udp_port(b, G0, FAR, 500);
	from(0, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	check_fwd(0, -1, b, n);
	rec_clear();
	n = esp(b, G0, FAR);
	from(0, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	check_fwd(0, -1, b, n);
	assert_int_equal(L.stats.to_tun, 2);
	/* client to client by the same rules */
	rec_clear();
	from(0, b, udp_port(b, G0, G1, 500));
	assert_only_drop(LINK_DROP_POLICY, 0);
	assert_int_equal(L.stats.peer_to_peer, 0);
	rec_clear();
	n = esp(b, G0, G1);
	from(0, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	check_fwd(0, 1, b, n);
	/* an authenticated peer is not subject to it, nor is the intranet's traffic */
	rec_clear();
	peers[2].authenticated = true;
	n = udp_port(b, G2, FAR, 53);
	from(2, b, n);
	assert_int_equal(R.ndrops, 0);
	check_fwd(0, -1, b, n);
	n = udp_port(b, FAR, G0, 53);
	link_from_tun(&L, b, n);
	assert_int_equal(R.ndrops, 0);
	check_fwd(1, 0, b, n);
	/* swapped away by link_reconfigure, or empty: no restriction */
	rec_clear();
	c.unauth_policy = NULL;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	n = udp_port(b, G0, FAR, 53);
	from(0, b, n);
	c.unauth_policy = &pol;
	pol.n = 0;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	from(0, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 2);
	check_fwd(1, -1, b, n);
	/* more rules than an acl holds: refused */
	pol.n = ACL_MAX_RULES + 1;
	assert_int_equal(link_reconfigure(&L, &c), -1);
	assert_int_equal(link_init(&l2, &c, &ops), -1);
	pol.n = 0;
}

/* Under a policy that allows only ESP, the gateway still answers an unauthenticated client's
 * RS, DAD, NS and echo: those never reach the policy. */
static void test_policy_gateway_answers(void **state)
{
	struct link_cfg c = policy_cfg("proto esp", NULL);
	struct buf_wr w;
	uint8_t b[256];

	(void)state;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	from(0, rs_vec, sizeof(rs_vec));
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	check_ra(0, RS_SRC, &c);
	from(1, dad_vec, sizeof(dad_vec));
	assert_int_equal(owner(DAD_TGT), 1);
	buf_wr_init(&w, b, sizeof(b));
	assert_int_equal(nd_build_ns(&w, in6p(G0), in6p(GW_G), in6p(GW_G)), 0);
	from(0, b, w.len);
	assert_int_equal(R.nout, 2);
	check_gw_na(1, GW_G, G0, GW_G, true, true);
	from(0, b, echo(b, G0, GW_G));
	assert_int_equal(R.nout, 3);
	check_echo_reply(2, GW_G, G0, b);
	from(0, b, echo(b, L0, "fe80::1"));
	assert_int_equal(R.nout, 4);
	check_echo_reply(3, "fe80::1", L0, b);
	from(0, b, na_answer(b, G0)); /* consumed by the gateway */
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 4);
	/* the same echo to anyone else is policy */
	rec_clear();
	from(0, b, echo(b, G0, FAR));
	assert_only_drop(LINK_DROP_POLICY, 0);
}

/* Policy before resolution: a refused packet starts no NS and gets no error; one held before
 * the policy changed is judged by the new policy on delivery. */
static void test_policy_resolve(void **state)
{
	struct link_cfg c = policy_cfg("proto esp", NULL);
	uint8_t b[256], a[128];
	size_t n;

	(void)state;
	c.resolve_rate = 10; /* as setup_resolve */
	assert_int_equal(link_reconfigure(&L, &c), 0);
	learn(0, G0);
	from(0, b, udp_port(b, G0, X, 53));
	assert_only_drop(LINK_DROP_POLICY, 0);
	assert_int_equal(L.npending, 0);
	/* ESP to the same unknown address is resolved and delivered */
	rec_clear();
	n = esp(b, G0, X);
	from(0, b, n);
	assert_int_equal(R.nall, 1);
	check_ns(0, X);
	from(1, a, na_answer(a, X));
	assert_int_equal(owner(X), 1);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	check_delivered(0, 1, b, n);
	/* UDP held while no policy was set, then a policy that refuses it */
	rec_clear();
	c.unauth_policy = NULL;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	from(0, b, udp_port(b, G0, X2, 53));
	assert_int_equal(L.npending, 1);
	c.unauth_policy = &pol;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	from(2, a, na_answer(a, X2));
	assert_int_equal(owner(X2), 2);
	assert_int_equal(L.npending, 0);
	assert_int_equal(R.nout, 0);
	assert_only_drop_count(LINK_DROP_POLICY, 1);
	assert_drop(0, LINK_DROP_POLICY, 0);
}

static void test_isolation(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[256];
	size_t n;

	(void)state;
	c.isolation = true;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	learn(0, G0);
	learn(1, G1);
	from(0, b, udp_port(b, G0, G1, 53));
	assert_only_drop(LINK_DROP_ISOLATED, 0);
	rec_clear();
	from(0, b, esp(b, G0, G1));
	assert_only_drop(LINK_DROP_ISOLATED, 0);
	/* an unknown address on the link is some client's: no error that would tell */
	rec_clear();
	from(0, b, udp_port(b, G0, X, 53));
	assert_only_drop(LINK_DROP_ISOLATED, 0);
	assert_int_equal(L.stats.peer_to_peer, 0);
	assert_int_equal(L.stats.icmp_errors, 0);
	/* the intranet both ways, and the gateway's answers, are not client to client */
	rec_clear();
	n = udp_port(b, G0, FAR, 53);
	from(0, b, n);
	check_fwd(0, -1, b, n);
	n = udp_port(b, FAR, G1, 53);
	link_from_tun(&L, b, n);
	check_fwd(1, 1, b, n);
	from(0, b, echo(b, G0, GW_G));
	check_echo_reply(2, GW_G, G0, b);
	from(1, b, dad(b, G0)); /* DAD is still defended on the owner's behalf */
	assert_int_equal(R.nout, 4);
	assert_int_equal(L.stats.dad_conflicts, 1);
	assert_int_equal(R.ndrops, 0);
	/* off again */
	rec_clear();
	c.isolation = false;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	n = udp_port(b, G0, G1, 53);
	from(0, b, n);
	assert_int_equal(R.ndrops, 0);
	check_fwd(0, 1, b, n);
}

/* Certificates mode: link-local unicast and the multicast fan-out between clients. */
static void test_isolation_certs(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[256];
	size_t n;

	(void)state;
	c.auth_certificates = true;
	c.isolation = true;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	learn(0, L0);
	learn(1, L1);
	from(0, b, udp_port(b, L0, L1, 53));
	assert_only_drop(LINK_DROP_ISOLATED, 0);
	rec_clear();
	from(0, b, udp_port(b, L0, "ff02::1", 53));
	assert_only_drop(LINK_DROP_ISOLATED, 0);
	assert_int_equal(L.stats.to_all, 0);
	/* RS is the gateway's to answer */
	rec_clear();
	from(1, rs_vec, sizeof(rs_vec));
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nout, 1);
	/* without isolation the fan-out happens, but an unauthenticated client's multicast is
	 * still subject to the policy */
	rec_clear();
	c = policy_cfg("proto esp", NULL);
	c.auth_certificates = true;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	from(0, b, udp_port(b, L0, "ff02::1", 53));
	assert_only_drop(LINK_DROP_POLICY, 0);
	rec_clear();
	peers[0].authenticated = true;
	n = udp_port(b, L0, "ff02::1", 53);
	from(0, b, n);
	assert_int_equal(R.ndrops, 0);
	assert_int_equal(R.nall, 1);
	assert_ptr_equal(R.all_except[0], &peers[0]);
	assert_memory_equal(R.all[0].pkt, b, n);
	n = udp_port(b, L0, L1, 53);
	from(0, b, n);
	check_fwd(0, 1, b, n);
}

/* A packet held for resolution before isolation was switched on is not delivered to the client
 * that turns out to own the address. */
static void test_isolation_resolved(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[256], a[128];
	size_t n;

	(void)state;
	learn(0, G0);
	n = udp_port(b, G0, X, 53);
	from(0, b, n);
	assert_int_equal(L.npending, 1);
	c.resolve_rate = 10;
	c.isolation = true;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	from(1, a, na_answer(a, X));
	assert_int_equal(owner(X), 1);
	assert_int_equal(L.stats.resolved, 1);
	assert_int_equal(R.nout, 0);
	assert_only_drop_count(LINK_DROP_ISOLATED, 1);
	assert_drop(0, LINK_DROP_ISOLATED, 0);
}

static int setup_icmp_rate(void **state)
{
	struct link_cfg c = base_cfg();

	(void)state;
	c.client_icmp_rate = 3;
	return setup_cfg(&c); /* the peers come up at now_ms 0 with full buckets */
}

/* Echo requests from peer, expecting `answered` replies and `dropped` rate drops. */
static void echoes(int peer, const char *src, int count, size_t answered, size_t dropped)
{
	uint8_t b[128];
	int i;

	rec_clear();
	for (i = 0; i < count; i++)
		from(peer, b, echo(b, src, GW_G));
	assert_int_equal(R.nout, answered);
	assert_only_drop_count(LINK_DROP_CLIENT_ICMP_RATE, dropped);
}

static void test_client_icmp_rate(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[128];
	size_t n, i;

	(void)state;
	echoes(0, G0, 4, 3, 1); /* the burst */
	assert_drop(0, LINK_DROP_CLIENT_ICMP_RATE, 0);
	assert_int_equal(owner(G0), 0); /* the source checks ran first */
	/* a spoofed packet is a spoofed drop and costs nothing; RS count as well as echo */
	rec_clear();
	from(1, b, echo(b, G0, GW_G));
	assert_only_drop(LINK_DROP_SPOOFED, 1);
	rec_clear();
	for (i = 0; i < 4; i++)
		from(1, rs_vec, sizeof(rs_vec));
	assert_int_equal(R.nout, 3);
	assert_int_equal(L.stats.ra, 3);
	assert_only_drop_count(LINK_DROP_CLIENT_ICMP_RATE, 1);
	assert_drop(0, LINK_DROP_CLIENT_ICMP_RATE, 1);
	/* ICMPv6 to anyone counts; other protocols do not */
	rec_clear();
	from(0, b, echo(b, G0, FAR));
	n = udp(b, G0, FAR, 8);
	from(0, b, n);
	assert_only_drop_count(LINK_DROP_CLIENT_ICMP_RATE, 1);
	assert_int_equal(R.nout, 1);
	check_fwd(0, -1, b, n);
	/* a third of a second later, one token; a clock going backwards mints none */
	L.now_ms = 334;
	echoes(0, G0, 2, 1, 1);
	L.now_ms = 100;
	echoes(0, G0, 1, 0, 1);
	/* a long pause refills only the burst */
	L.now_ms = 100000;
	echoes(0, G0, 5, 3, 2);
	/* rate 0: unlimited */
	c.client_icmp_rate = 0;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	echoes(0, G0, 20, 20, 0);
	/* a lower rate caps the tokens saved under the higher one */
	c.client_icmp_rate = 1;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	L.now_ms = 200000;
	echoes(1, RS_SRC, 3, 1, 2);
}

/* ICMPv6 errors: one bucket per client, and one for the TUN. */
static void test_error_budget_per_peer(void **state)
{
	struct link_cfg c = base_cfg();
	uint8_t b[256], b1[256], bt[256];
	size_t n, n1, nt, i;

	(void)state;
	c.icmp_error_rate = 2;
	assert_int_equal(link_reconfigure(&L, &c), 0);
	L.now_ms = 100000;
	n = udp(b, G0, X, 16);
	n1 = udp(b1, G1, X2, 16);
	nt = udp(bt, FAR, X, 16);
	for (i = 0; i < 3; i++)
		from(0, b, n);
	/* peer 0 spent its budget: peer 1's and the TUN's are whole */
	for (i = 0; i < 2; i++)
		from(1, b1, n1);
	for (i = 0; i < 2; i++)
		link_from_tun(&L, bt, nt);
	assert_int_equal(R.nout, 6);
	for (i = 0; i < 2; i++) {
		assert_ptr_equal(R.out[i].to, &peers[0]);
		check_error(i, 1, 3, 0, GW_G, G0, b, n);
		assert_ptr_equal(R.out[2 + i].to, &peers[1]);
		check_error(2 + i, 1, 3, 0, GW_G, G1, b1, n1);
		assert_null(R.out[4 + i].to);
		check_error(4 + i, 1, 3, 0, GW_G, FAR, bt, nt);
	}
	assert_int_equal(L.stats.icmp_errors, 6);
	assert_int_equal(L.stats.drops[LINK_DROP_ICMP_RATE], 1);
	assert_int_equal(L.stats.drops[LINK_DROP_NO_NEIGHBOR], 7);
	/* then each runs out on its own */
	rec_clear();
	from(1, b1, n1);
	link_from_tun(&L, bt, nt);
	assert_int_equal(R.nout, 0);
	assert_int_equal(L.stats.drops[LINK_DROP_ICMP_RATE], 3);
	/* and refills on its own: half a second gives each one token */
	L.now_ms += 500;
	from(0, b, n);
	from(0, b, n);
	from(1, b1, n1);
	assert_int_equal(R.nout, 2);
	assert_ptr_equal(R.out[0].to, &peers[0]);
	assert_ptr_equal(R.out[1].to, &peers[1]);
	/* a peer that comes up starts with a full budget */
	rec_clear();
	link_peer_down(&L, &peers[3]);
	link_peer_init(&peers[3], 3, NULL);
	link_peer_up(&L, &peers[3]);
	rec_clear();
	n = udp(b, "2001:db8:1:1000::a3", X, 16);
	for (i = 0; i < 3; i++)
		from(3, b, n);
	assert_int_equal(R.nout, 2);
	assert_int_equal(R.ndrops, 4);
	assert_drop(0, LINK_DROP_NO_NEIGHBOR, 3);
	assert_drop(1, LINK_DROP_NO_NEIGHBOR, 3);
	assert_drop(2, LINK_DROP_ICMP_RATE, 3);
	assert_drop(3, LINK_DROP_NO_NEIGHBOR, 3);
}

#define T(f)  cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TC(f) cmocka_unit_test_setup_teardown(f, setup_certs, teardown)
#define TR(f) cmocka_unit_test_setup_teardown(f, setup_resolve, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_rs_ra),
	    T(test_peer_up_ra),
	    T(test_route_info),
	    T(test_dad_learn),
	    T(test_dad_conflict),
	    T(test_dad_gateway),
	    T(test_ns_gateway),
	    T(test_na_from_peer),
	    T(test_spoofed),
	    T(test_unspec_src),
	    T(test_learn_source),
	    T(test_ll_unicast_none),
	    TC(test_ll_unicast_certs),
	    T(test_mcast_none),
	    TC(test_mcast_certs),
	    T(test_rogue),
	    T(test_nd_invalid),
	    T(test_echo),
	    T(test_peer_to_peer),
	    T(test_to_tun),
	    T(test_no_neighbor_from_peer),
	    T(test_from_tun_owner),
	    T(test_from_tun_unknown),
	    T(test_from_tun_other),
	    T(test_tun_too_big),
	    T(test_oversize_from_peer),
	    cmocka_unit_test_setup_teardown(test_mtu_1500, setup_mtu1500, teardown),
	    T(test_rate_limit),
	    T(test_eviction),
	    T(test_peer_down),
	    T(test_hash_growth),
	    T(test_hash_keyed),
	    T(test_init_prefix_mtu),
	    T(test_init_routes_ops),
	    T(test_reconfigure),
	    T(test_drop_names),
	    TR(test_resolve_from_tun),
	    TR(test_resolve_peer_to_peer),
	    TR(test_resolve_learn_paths),
	    TR(test_resolve_timeout),
	    TR(test_resolve_timeout_peer),
	    TR(test_resolve_replace),
	    TR(test_resolve_rate_limit),
	    TR(test_resolve_retransmit_limited),
	    TR(test_resolve_slots),
	    TR(test_resolve_peer_down),
	    TR(test_resolve_queue_full),
	    TR(test_resolve_not_started),
	    T(test_resolve_off),
	    TR(test_resolve_reconfigure),
	    TR(test_next_deadline),
	    T(test_policy_unauth),
	    T(test_policy_gateway_answers),
	    TR(test_policy_resolve),
	    T(test_isolation),
	    TC(test_isolation_certs),
	    TR(test_isolation_resolved),
	    cmocka_unit_test_setup_teardown(test_client_icmp_rate, setup_icmp_rate, teardown),
	    T(test_error_budget_per_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
