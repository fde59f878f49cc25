/* SPDX-License-Identifier: ISC */
/*
 * ip6: IPv6 header view, address predicates, ICMPv6 checksum, extension-header walk, and the
 * ICMPv6 error and echo-reply builders. Every read of packet bytes goes through lib/buf.h.
 * No state, no allocation, no I/O.
 */
#include <string.h>

#include "proto/ip6.h"

#include "lib/buf.h"
#include "proto/cksum.h"

static int ip6_read_hdr(struct ip6_view *v, struct buf_cur *c)
{
	uint32_t w0;

	if (buf_get_u32(c, &w0) || buf_get_u16(c, &v->plen) || buf_get_u8(c, &v->nxt) ||
	    buf_get_u8(c, &v->hlim) || buf_get_bytes(c, v->src.s6_addr, 16) ||
	    buf_get_bytes(c, v->dst.s6_addr, 16))
		return -1;
	if (w0 >> 28 != 6)
		return -1;
	v->tclass = (uint8_t)(w0 >> 20);
	v->flow = w0 & 0xfffff;
	return 0;
}

int ip6_parse_head(struct ip6_view *v, const uint8_t *pkt, size_t len)
{
	struct buf_cur c;

	buf_cur_init(&c, pkt, len);
	return ip6_read_hdr(v, &c);
}

int ip6_parse(struct ip6_view *v, const uint8_t *pkt, size_t len)
{
	/* RFC 8200 §3: the payload is exactly Payload Length bytes; the stream de-framer relies on
	 * it, so a packet whose length disagrees is malformed. Jumbograms cannot occur here. */
	if (ip6_parse_head(v, pkt, len))
		return -1;
	return (size_t)v->plen + IP6_HDR_LEN == len ? 0 : -1;
}

bool ip6_addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a->s6_addr, b->s6_addr, 16) == 0;
}

bool ip6_is_unspecified(const struct in6_addr *a)
{
	static const struct in6_addr any;

	return ip6_addr_eq(a, &any);
}

bool ip6_is_loopback(const struct in6_addr *a)
{
	static const struct in6_addr lo = {.s6_addr = {[15] = 1}};

	return ip6_addr_eq(a, &lo);
}

/* RFC 4291 §2.7: ff00::/8. */
bool ip6_is_multicast(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xff;
}

/* RFC 4291 §2.5.6: fe80::/10. */
bool ip6_is_linklocal(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}

/* RFC 4291 §2.7.1: ff02:0:0:0:0:1:ff00::/104. */
bool ip6_is_solicited_node(const struct in6_addr *a)
{
	static const struct in6_addr sn = {
	    .s6_addr = {0xff, 0x02, [11] = 0x01, [12] = 0xff},
	};

	return ip6_prefix_match(a, &sn, 104);
}

void ip6_solicited_node(struct in6_addr *out, const struct in6_addr *target)
{
	static const struct in6_addr sn = {
	    .s6_addr = {0xff, 0x02, [11] = 0x01, [12] = 0xff},
	};

	*out = sn;
	memcpy(&out->s6_addr[13], &target->s6_addr[13], 3);
}

bool ip6_prefix_match(const struct in6_addr *a, const struct in6_addr *prefix, unsigned plen)
{
	unsigned n = plen / 8, r = plen % 8;
	uint8_t mask;

	if (plen > 128)
		return false;
	if (memcmp(a->s6_addr, prefix->s6_addr, n) != 0)
		return false;
	if (r == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - r));
	return ((a->s6_addr[n] ^ prefix->s6_addr[n]) & mask) == 0;
}

void ip6_prefix_mask(struct in6_addr *a, unsigned plen)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (plen >= 8 * (i + 1))
			continue;
		if (plen > 8 * i)
			a->s6_addr[i] &= (uint8_t)(0xff << (8 - (plen - 8 * i)));
		else
			a->s6_addr[i] = 0;
	}
}

uint16_t ip6_cksum(const struct in6_addr *src, const struct in6_addr *dst, uint8_t nxt,
		   const uint8_t *data, size_t len)
{
	uint64_t sum = 0;

	/* RFC 8200 §8.1 pseudo-header: source, destination, 32-bit upper-layer length, three
	 * zero bytes and the Next Header value. */
	sum = cksum_add(sum, src->s6_addr, 16);
	sum = cksum_add(sum, dst->s6_addr, 16);
	sum += (uint64_t)len >> 16;
	sum += len & 0xffff;
	sum += nxt;
	sum = cksum_add(sum, data, len);
	return (uint16_t)~cksum_fold(sum);
}

bool ip6_icmp6_cksum_ok(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *icmp,
			size_t len)
{
	/* RFC 4443 §2.3: the sum over a message with its checksum is all ones. */
	return len >= 4 && ip6_cksum(src, dst, IP6_NH_ICMPV6, icmp, len) == 0;
}

static bool ip6_is_ext(uint8_t nxt)
{
	return nxt == IP6_NH_HOPOPTS || nxt == IP6_NH_ROUTING || nxt == IP6_NH_FRAGMENT ||
	       nxt == IP6_NH_DSTOPTS || nxt == IP6_NH_AH;
}

/*
 * Steps over one extension header at the cursor; *nxt is its type on entry and the following
 * header's type on return. Returns 1 for a non-first fragment, whose upper layer is elsewhere.
 */
static int ip6_ext_step(struct buf_cur *c, uint8_t *nxt, struct ip6_upper *u)
{
	uint8_t type = *nxt, hel, rtype, segleft;
	size_t start = c->off, n;
	uint16_t fo;

	if (buf_get_u8(c, nxt) || buf_get_u8(c, &hel))
		return -1;
	switch (type) {
	case IP6_NH_FRAGMENT: /* RFC 8200 §4.5: fixed 8 bytes; offset in the top 13 bits */
		if (buf_get_u16(c, &fo) || buf_skip(c, 4))
			return -1;
		if (fo & 0xfff8)
			return 1;
		u->fragment = true;
		return 0;
	case IP6_NH_AH: /* RFC 4302 §2.2: length in 4-byte units, minus 2 */
		n = ((size_t)hel + 2) * 4;
		break;
	case IP6_NH_ROUTING: /* RFC 8200 §4.4 */
		if (buf_get_u8(c, &rtype) || buf_get_u8(c, &segleft))
			return -1;
		u->routed |= segleft != 0;
		n = ((size_t)hel + 1) * 8;
		break;
	default: /* Hop-by-Hop and Destination Options, RFC 8200 §4.3, §4.6 */
		n = ((size_t)hel + 1) * 8;
		break;
	}
	return buf_skip(c, n - (c->off - start));
}

int ip6_find_upper(struct ip6_upper *u, const uint8_t *pkt, size_t len)
{
	struct buf_cur c;
	uint8_t nxt;
	unsigned n;
	int r;

	memset(u, 0, sizeof(*u));
	buf_cur_init(&c, pkt, len);
	if (buf_skip(&c, 6) || buf_get_u8(&c, &nxt) || buf_skip(&c, IP6_HDR_LEN - 7))
		return -1;
	for (n = 0; n < IP6_EXT_MAX && ip6_is_ext(nxt); n++) {
		/* RFC 8200 §4.1: Hop-by-Hop Options only immediately after the IPv6 header. */
		if (nxt == IP6_NH_HOPOPTS && n != 0)
			return -1;
		r = ip6_ext_step(&c, &nxt, u);
		if (r < 0)
			return -1;
		if (r > 0) {
			u->proto = IP6_NH_FRAGMENT;
			return 0;
		}
	}
	if (ip6_is_ext(nxt))
		return 0;
	u->known = true;
	u->proto = nxt;
	u->off = c.off;
	return 0;
}

/* Is the invoking packet an ICMPv6 error or Redirect (RFC 4443 §2.4(e.1), (e.2))? When its
 * headers are cut short the answer is unknown, and "yes" is the safe one. */
static bool ip6_about_icmp_error(const uint8_t *inv, size_t len)
{
	struct ip6_upper u;
	struct buf_cur c;
	uint8_t type;

	if (ip6_find_upper(&u, inv, len))
		return true;
	if (!u.known || u.proto != IP6_NH_ICMPV6)
		return false;
	buf_cur_init(&c, inv, len);
	if (buf_skip(&c, u.off) || buf_get_u8(&c, &type))
		return true;
	/* RFC 4443 §2.1: types 0..127 are errors. */
	return type < 128 || type == IP6_ICMP_REDIRECT;
}

bool ip6_error_allowed(const uint8_t *invoking, size_t len, uint8_t type, uint8_t code)
{
	struct ip6_view v;

	if (ip6_parse_head(&v, invoking, len))
		return false;
	/* (e.6): the source must identify a single node. */
	if (ip6_is_unspecified(&v.src) || ip6_is_multicast(&v.src))
		return false;
	/* (e.3): not about multicast, except Packet Too Big and Parameter Problem code 2. */
	if (ip6_is_multicast(&v.dst) && type != IP6_ICMP_TOO_BIG &&
	    !(type == IP6_ICMP_PARAM_PROB && code == IP6_PARAM_OPTION))
		return false;
	return !ip6_about_icmp_error(invoking, len);
}

void ip6_put_hdr(struct buf_wr *w, uint8_t nxt, uint8_t hlim, const struct in6_addr *src,
		 const struct in6_addr *dst)
{
	/* The builders' packets start at offset 0 of the writer (ip6_icmp6_finish relies on it). */
	if (w->len != 0)
		w->err = true;
	buf_put_u32(w, 0x60000000);
	buf_put_u16(w, 0);
	buf_put_u8(w, nxt);
	buf_put_u8(w, hlim);
	buf_put_bytes(w, src->s6_addr, 16);
	buf_put_bytes(w, dst->s6_addr, 16);
}

int ip6_icmp6_finish(struct buf_wr *w)
{
	struct ip6_view v;
	size_t plen;
	uint16_t ck;

	if (!buf_wr_ok(w) || w->len < IP6_HDR_LEN + 4 || w->len - IP6_HDR_LEN > IP6_PLEN_MAX)
		goto fail;
	plen = w->len - IP6_HDR_LEN;
	w->p[4] = (uint8_t)(plen >> 8);
	w->p[5] = (uint8_t)plen;
	w->p[IP6_HDR_LEN + 2] = 0;
	w->p[IP6_HDR_LEN + 3] = 0;
	if (ip6_parse_head(&v, w->p, w->len))
		goto fail;
	ck = ip6_cksum(&v.src, &v.dst, IP6_NH_ICMPV6, w->p + IP6_HDR_LEN, plen);
	w->p[IP6_HDR_LEN + 2] = (uint8_t)(ck >> 8);
	w->p[IP6_HDR_LEN + 3] = (uint8_t)ck;
	return 0;
fail:
	w->err = true;
	return -1;
}

int ip6_build_error(struct buf_wr *w, const struct in6_addr *src, uint8_t type, uint8_t code,
		    uint32_t param, const uint8_t *invoking, size_t len)
{
	const size_t fixed = IP6_HDR_LEN + IP6_ICMP_HDR_LEN;
	struct ip6_view v;
	size_t quote = len;

	if (ip6_parse_head(&v, invoking, len) || w->cap < fixed)
		return -1;
	/* RFC 4443 §2.4(c): as much of the invoking packet as fits without the error exceeding
	 * the minimum IPv6 MTU. */
	if (quote > IP6_ERROR_MAX_LEN - fixed)
		quote = IP6_ERROR_MAX_LEN - fixed;
	if (quote > w->cap - fixed)
		quote = w->cap - fixed;
	ip6_put_hdr(w, IP6_NH_ICMPV6, IP6_HLIM_DEFAULT, src, &v.src);
	buf_put_u8(w, type);
	buf_put_u8(w, code);
	buf_put_u16(w, 0);
	buf_put_u32(w, param);
	buf_put_bytes(w, invoking, quote);
	return ip6_icmp6_finish(w);
}

int ip6_build_echo_reply(struct buf_wr *w, const struct in6_addr *src, const struct in6_addr *dst,
			 const uint8_t *echo, size_t len)
{
	const uint8_t *rest;
	struct buf_cur c;
	uint8_t type;

	/* RFC 4443 §4.2: identifier, sequence number and data returned unmodified. */
	buf_cur_init(&c, echo, len);
	if (len < IP6_ICMP_HDR_LEN || buf_get_u8(&c, &type) || type != IP6_ICMP_ECHO_REQUEST ||
	    buf_skip(&c, 3) || buf_get_ptr(&c, &rest, len - 4))
		return -1;
	ip6_put_hdr(w, IP6_NH_ICMPV6, IP6_HLIM_DEFAULT, src, dst);
	buf_put_u8(w, IP6_ICMP_ECHO_REPLY);
	buf_put_u8(w, 0);
	buf_put_u16(w, 0);
	buf_put_bytes(w, rest, len - 4);
	return ip6_icmp6_finish(w);
}
