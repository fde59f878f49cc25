/* SPDX-License-Identifier: ISC */
/*
 * nd: RFC 4861 validation and building of the Neighbor Discovery messages the IP-HTTPS gateway
 * sees and sends. Reads go through lib/buf.h; builders use struct buf_wr and finish with the
 * ICMPv6 checksum. No link-layer address options are ever built ([MS-IPHTTPS] §3.2.5.2.2).
 */
#include <string.h>

#include "proto/nd.h"

#define ND_RS_LEN 8  /* RFC 4861 §4.1 */
#define ND_RA_LEN 16 /* §4.2 */
#define ND_NS_LEN 24 /* §4.3 */
#define ND_NA_LEN 24 /* §4.4 */

#define ND_RA_MANAGED 0x80
#define ND_RA_OTHER   0x40
#define ND_PI_ONLINK  0x80
#define ND_PI_AUTO    0x40

/* RFC 4191 §2.1: Prf is two bits (01 high, 00 medium, 11 low, 10 reserved) at bits 4..3. */
static uint8_t nd_prf_bits(int8_t pref)
{
	if (pref > 0)
		return 0x08;
	if (pref < 0)
		return 0x18;
	return 0;
}

/* Returns -2 for the reserved value 10. */
static int nd_prf_value(uint8_t bits)
{
	static const int8_t val[4] = {0, 1, -2, -1};

	return val[(bits >> 3) & 3];
}

unsigned nd_rio_len(uint8_t plen)
{
	/* RFC 4191 §2.3: 1 for ::/0, 2 when the prefix fits in 64 bits, 3 otherwise. */
	if (plen == 0)
		return 1;
	return plen <= 64 ? 2 : 3;
}

/* RFC 4861 §4.6: each option has a non-zero length and ends inside the message. */
static int nd_opts_check(struct buf_cur c, bool *slla)
{
	uint8_t type, olen;

	*slla = false;
	while (buf_left(&c) > 0) {
		if (buf_get_u8(&c, &type) || buf_get_u8(&c, &olen) || olen == 0 ||
		    buf_skip(&c, (size_t)olen * 8 - 2))
			return -1;
		if (type == ND_OPT_TYPE_SLLA)
			*slla = true;
	}
	return 0;
}

/* Hop limit 255, code 0, a correct checksum, and the message is at least min bytes. */
static int nd_check_common(const struct ip6_view *v, const uint8_t *icmp, size_t len, size_t min,
			   uint8_t want)
{
	struct buf_cur c;
	uint8_t type, code;

	buf_cur_init(&c, icmp, len);
	if (len < min || buf_get_u8(&c, &type) || buf_get_u8(&c, &code))
		return -1;
	if (type != want || code != 0 || v->hlim != ND_HOP_LIMIT)
		return -1;
	return ip6_icmp6_cksum_ok(&v->src, &v->dst, icmp, len) ? 0 : -1;
}

/* RFC 4861 §6.1.1. */
static int nd_parse_rs(const struct ip6_view *v, struct buf_cur *c)
{
	bool slla;

	if (buf_skip(c, 4) || nd_opts_check(*c, &slla))
		return -1;
	/* From the unspecified address, no Source Link-Layer Address option. */
	return ip6_is_unspecified(&v->src) && slla ? -1 : 0;
}

/* RFC 4861 §7.1.1. */
static int nd_parse_ns(struct nd_msg *m, const struct ip6_view *v, struct buf_cur *c)
{
	struct in6_addr sn;
	bool slla;

	if (buf_skip(c, 4) || buf_get_bytes(c, m->target.s6_addr, 16) || nd_opts_check(*c, &slla))
		return -1;
	if (ip6_is_multicast(&m->target))
		return -1;
	if (!ip6_is_unspecified(&v->src))
		return 0;
	/* Duplicate Address Detection (RFC 4862 §5.4.2): to the target's solicited-node group,
	 * without a Source Link-Layer Address option. */
	ip6_solicited_node(&sn, &m->target);
	if (!ip6_addr_eq(&v->dst, &sn) || slla)
		return -1;
	m->dad = true;
	return 0;
}

/* RFC 4861 §7.1.2. */
static int nd_parse_na(struct nd_msg *m, const struct ip6_view *v, struct buf_cur *c)
{
	uint32_t flags;
	bool slla;

	if (buf_get_u32(c, &flags) || buf_get_bytes(c, m->target.s6_addr, 16) ||
	    nd_opts_check(*c, &slla))
		return -1;
	m->router = flags & 0x80000000u;
	m->solicited = flags & 0x40000000u;
	m->override = flags & 0x20000000u;
	if (ip6_is_multicast(&m->target))
		return -1;
	/* A multicast advertisement cannot be solicited. */
	return ip6_is_multicast(&v->dst) && m->solicited ? -1 : 0;
}

int nd_parse(struct nd_msg *m, const struct ip6_view *v, const uint8_t *icmp, size_t len)
{
	struct buf_cur c;
	uint8_t type;

	memset(m, 0, sizeof(*m));
	buf_cur_init(&c, icmp, len);
	if (buf_get_u8(&c, &type) || buf_skip(&c, 3))
		return -1;
	m->type = type;
	switch (type) {
	case ND_TYPE_RS:
		if (nd_check_common(v, icmp, len, ND_RS_LEN, type))
			return -1;
		return nd_parse_rs(v, &c);
	case ND_TYPE_NS:
		if (nd_check_common(v, icmp, len, ND_NS_LEN, type))
			return -1;
		return nd_parse_ns(m, v, &c);
	case ND_TYPE_NA:
		if (nd_check_common(v, icmp, len, ND_NA_LEN, type))
			return -1;
		return nd_parse_na(m, v, &c);
	default:
		return -1;
	}
}

static void nd_parse_pi(struct nd_ra *ra, struct buf_cur *o)
{
	struct nd_prefix *pi = &ra->pi;
	uint8_t flags;

	/* RFC 4861 §4.6.2: Length 4; only the first one is kept. */
	if (ra->has_prefix || buf_left(o) != 30)
		return;
	if (buf_get_u8(o, &pi->plen) || buf_get_u8(o, &flags) || buf_get_u32(o, &pi->valid) ||
	    buf_get_u32(o, &pi->preferred) || buf_skip(o, 4) ||
	    buf_get_bytes(o, pi->prefix.s6_addr, 16))
		return;
	pi->onlink = flags & ND_PI_ONLINK;
	pi->autonomous = flags & ND_PI_AUTO;
	ra->has_prefix = true;
}

static void nd_parse_mtu(struct nd_ra *ra, struct buf_cur *o)
{
	uint32_t mtu;

	/* RFC 4861 §4.6.4: Length 1. */
	if (buf_left(o) == 6 && buf_skip(o, 2) == 0 && buf_get_u32(o, &mtu) == 0)
		ra->mtu = mtu;
}

static void nd_parse_rio(struct nd_ra *ra, struct buf_cur *o)
{
	struct nd_route r = {0};
	size_t plen_bytes;
	uint8_t flags;
	int pref;

	if (ra->nroutes >= ND_MAX_ROUTES || buf_get_u8(o, &r.plen) || buf_get_u8(o, &flags) ||
	    buf_get_u32(o, &r.lifetime))
		return;
	/* RFC 4191 §2.3, §3.1: ignore a prefix over 128 bits, a Length too short for the
	 * prefix or over 3, and the reserved preference 10. */
	pref = nd_prf_value(flags);
	plen_bytes = (nd_rio_len(r.plen) - 1) * 8;
	if (r.plen > 128 || buf_left(o) < plen_bytes || buf_left(o) > 16 || pref == -2)
		return;
	if (buf_get_bytes(o, r.prefix.s6_addr, buf_left(o)))
		return;
	ip6_prefix_mask(&r.prefix, r.plen);
	r.pref = (int8_t)pref;
	ra->routes[ra->nroutes++] = r;
}

static int nd_parse_ra_opts(struct nd_ra *ra, struct buf_cur c)
{
	struct buf_cur o;
	uint8_t type, olen;

	while (buf_left(&c) > 0) {
		if (buf_get_u8(&c, &type) || buf_get_u8(&c, &olen) || olen == 0 ||
		    buf_sub(&c, &o, (size_t)olen * 8 - 2))
			return -1;
		if (type == ND_OPT_TYPE_PI)
			nd_parse_pi(ra, &o);
		else if (type == ND_OPT_TYPE_MTU)
			nd_parse_mtu(ra, &o);
		else if (type == ND_OPT_TYPE_RIO)
			nd_parse_rio(ra, &o);
	}
	return 0;
}

int nd_parse_ra(struct nd_ra *ra, const struct ip6_view *v, const uint8_t *icmp, size_t len)
{
	struct buf_cur c;
	uint8_t flags;
	int pref;

	memset(ra, 0, sizeof(*ra));
	/* RFC 4861 §6.1.2: also from a link-local source. */
	if (nd_check_common(v, icmp, len, ND_RA_LEN, ND_TYPE_RA) || !ip6_is_linklocal(&v->src))
		return -1;
	buf_cur_init(&c, icmp, len);
	if (buf_skip(&c, 4) || buf_get_u8(&c, &ra->cur_hop_limit) || buf_get_u8(&c, &flags) ||
	    buf_get_u16(&c, &ra->router_lifetime) || buf_get_u32(&c, &ra->reachable) ||
	    buf_get_u32(&c, &ra->retrans))
		return -1;
	ra->managed = flags & ND_RA_MANAGED;
	ra->other = flags & ND_RA_OTHER;
	/* RFC 4191 §2.2: the reserved value is treated as medium. */
	pref = nd_prf_value(flags);
	ra->pref = (int8_t)(pref == -2 ? 0 : pref);
	return nd_parse_ra_opts(ra, c);
}

static void nd_put_pi(struct buf_wr *w, const struct nd_prefix *pi)
{
	struct in6_addr p = pi->prefix;

	/* RFC 4861 §4.6.2; bits after the prefix length are sent as zero. */
	ip6_prefix_mask(&p, pi->plen);
	buf_put_u8(w, ND_OPT_TYPE_PI);
	buf_put_u8(w, 4);
	buf_put_u8(w, pi->plen);
	buf_put_u8(w,
		   (uint8_t)((pi->onlink ? ND_PI_ONLINK : 0) | (pi->autonomous ? ND_PI_AUTO : 0)));
	buf_put_u32(w, pi->valid);
	buf_put_u32(w, pi->preferred);
	buf_put_u32(w, 0);
	buf_put_bytes(w, p.s6_addr, 16);
}

static void nd_put_rio(struct buf_wr *w, const struct nd_route *r)
{
	unsigned n = nd_rio_len(r->plen);
	struct in6_addr p = r->prefix;

	/* RFC 4191 §2.3: only as many 8-byte units of prefix as the length needs, the bits after
	 * the prefix length zero. */
	if (r->plen > 128 || r->pref < -1 || r->pref > 1) {
		w->err = true;
		return;
	}
	ip6_prefix_mask(&p, r->plen);
	buf_put_u8(w, ND_OPT_TYPE_RIO);
	buf_put_u8(w, (uint8_t)n);
	buf_put_u8(w, r->plen);
	buf_put_u8(w, nd_prf_bits(r->pref));
	buf_put_u32(w, r->lifetime);
	buf_put_bytes(w, p.s6_addr, (n - 1) * 8);
}

int nd_build_ra(struct buf_wr *w, const struct in6_addr *src, const struct in6_addr *dst,
		const struct nd_ra *ra)
{
	uint8_t flags;
	size_t i;

	if (ra->nroutes > ND_MAX_ROUTES || ra->pref < -1 || ra->pref > 1)
		return -1;
	flags = (uint8_t)((ra->managed ? ND_RA_MANAGED : 0) | (ra->other ? ND_RA_OTHER : 0) |
			  nd_prf_bits(ra->pref));
	ip6_put_hdr(w, IP6_NH_ICMPV6, ND_HOP_LIMIT, src, dst);
	buf_put_u8(w, ND_TYPE_RA);
	buf_put_u8(w, 0);
	buf_put_u16(w, 0);
	buf_put_u8(w, ra->cur_hop_limit);
	buf_put_u8(w, flags);
	buf_put_u16(w, ra->router_lifetime);
	buf_put_u32(w, ra->reachable);
	buf_put_u32(w, ra->retrans);
	if (ra->has_prefix)
		nd_put_pi(w, &ra->pi);
	if (ra->mtu) { /* RFC 4861 §4.6.4 */
		buf_put_u8(w, ND_OPT_TYPE_MTU);
		buf_put_u8(w, 1);
		buf_put_u16(w, 0);
		buf_put_u32(w, ra->mtu);
	}
	for (i = 0; i < ra->nroutes; i++)
		nd_put_rio(w, &ra->routes[i]);
	return ip6_icmp6_finish(w);
}

int nd_build_na(struct buf_wr *w, const struct in6_addr *src, const struct in6_addr *dst,
		const struct in6_addr *target, uint8_t flags)
{
	/* RFC 4861 §4.4, never with a Target Link-Layer Address option ([MS-IPHTTPS]
	 * §3.2.5.2.2: the link has none). */
	ip6_put_hdr(w, IP6_NH_ICMPV6, ND_HOP_LIMIT, src, dst);
	buf_put_u8(w, ND_TYPE_NA);
	buf_put_u8(w, 0);
	buf_put_u16(w, 0);
	buf_put_u8(w, flags & (ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE));
	buf_put_zero(w, 3);
	buf_put_bytes(w, target->s6_addr, 16);
	return ip6_icmp6_finish(w);
}

int nd_build_ns(struct buf_wr *w, const struct in6_addr *src, const struct in6_addr *dst,
		const struct in6_addr *target)
{
	/* RFC 4861 §4.3, without a Source Link-Layer Address option. */
	ip6_put_hdr(w, IP6_NH_ICMPV6, ND_HOP_LIMIT, src, dst);
	buf_put_u8(w, ND_TYPE_NS);
	buf_put_u8(w, 0);
	buf_put_u16(w, 0);
	buf_put_u32(w, 0);
	buf_put_bytes(w, target->s6_addr, 16);
	return ip6_icmp6_finish(w);
}

int nd_build_rs(struct buf_wr *w, const struct in6_addr *src, const struct in6_addr *dst)
{
	/* RFC 4861 §4.1. */
	ip6_put_hdr(w, IP6_NH_ICMPV6, ND_HOP_LIMIT, src, dst);
	buf_put_u8(w, ND_TYPE_RS);
	buf_put_u8(w, 0);
	buf_put_u16(w, 0);
	buf_put_u32(w, 0);
	return ip6_icmp6_finish(w);
}
