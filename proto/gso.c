/* SPDX-License-Identifier: ISC */
/*
 * gso: segmentation and checksum completion of TUN reads made with IFF_VNET_HDR. Every header
 * field is read through the bounds-checked cursor and checked against the packet before the
 * first byte is emitted; the output is built in the caller's buffer with struct buf_wr.
 */
#include "proto/gso.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "lib/buf.h"
#include "proto/cksum.h"
#include "proto/ip6.h"

#define GSO_NH_TCP    6 /* IANA protocol number */
#define GSO_TCP_MIN   20
#define GSO_TCP_SEQ   4	 /* offsets inside the TCP header, RFC 9293 §3.1 */
#define GSO_TCP_FLAGS 13 /* CWR ECE URG ACK PSH RST SYN FIN */
#define GSO_TCP_CSUM  16
#define GSO_TCP_FIN   0x01
#define GSO_TCP_PSH   0x08
#define GSO_TCP_CWR   0x80
#define GSO_IP6_PLEN  4 /* Payload Length, RFC 8200 §3 */
#define GSO_IP6_SRC   8
#define GSO_IP6_DST   24

/* The virtio header, host order. */
struct gso_vnet {
	uint8_t flags, type;
	uint16_t hdr_len, size, csum_start, csum_off;
};

/* A validated TCP super-packet. */
struct gso_tcp {
	const uint8_t *pkt;
	size_t len;
	size_t l4;   /* offset of the TCP header */
	size_t hlen; /* IPv6, extension and TCP headers: where the payload starts */
	uint32_t seq;
	uint8_t flags;
	struct in6_addr src, dst;
};

/* The virtio header is little-endian (TUNSETVNETLE); the cursor reads network order. */
static int gso_get_le16(struct buf_cur *c, uint16_t *v)
{
	uint16_t be;

	if (buf_get_u16(c, &be))
		return -1;
	*v = (uint16_t)(be >> 8 | be << 8);
	return 0;
}

static int gso_get_vnet(struct buf_cur *c, struct gso_vnet *h)
{
	if (buf_get_u8(c, &h->flags) || buf_get_u8(c, &h->type) || gso_get_le16(c, &h->hdr_len) ||
	    gso_get_le16(c, &h->size) || gso_get_le16(c, &h->csum_start) ||
	    gso_get_le16(c, &h->csum_off))
		return -1;
	return 0;
}

static void gso_put16_at(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void gso_put32_at(uint8_t *p, uint32_t v)
{
	gso_put16_at(p, (uint16_t)(v >> 16));
	gso_put16_at(p + 2, (uint16_t)v);
}

/* ---- GSO_NONE ---- */

static enum gso_status gso_none(const struct gso_vnet *h, const uint8_t *pkt, size_t len,
				const struct gso_out *out, size_t *nseg)
{
	struct buf_wr w;
	size_t at = (size_t)h->csum_start + h->csum_off;
	uint16_t partial;

	if (!(h->flags & GSO_F_NEEDS_CSUM)) {
		out->emit(out->arg, pkt, len);
		*nseg = 1;
		return GSO_OK;
	}
	/* The field itself lies between csum_start and the end (Virtio 1.2 §5.1.6.2). */
	if (h->csum_start >= len || at > len - 2)
		return GSO_ERR_CSUM;
	buf_wr_init(&w, out->buf, out->cap);
	buf_put_bytes(&w, pkt, len);
	if (!buf_wr_ok(&w))
		return GSO_ERR_SPACE;
	/* The field holds the pseudo-header sum, not complemented: it is part of the sum. */
	partial = cksum_fold(cksum_add(0, out->buf + h->csum_start, len - h->csum_start));
	gso_put16_at(out->buf + at, (uint16_t)~partial);
	out->emit(out->arg, out->buf, len);
	*nseg = 1;
	return GSO_OK;
}

/* ---- GSO_TCPV6 ---- */

/* The IPv6 header and the TCP header it leads to, checked against the virtio header. */
static enum gso_status gso_tcp_parse(struct gso_tcp *t, const struct gso_vnet *h,
				     const uint8_t *pkt, size_t len)
{
	struct ip6_view v;
	struct ip6_upper u;
	struct buf_cur c;
	uint8_t doff;

	/* Version 6 and Payload Length = len - 40: the kernel fills it in for the whole
	   super-packet (ip6_xmit), and no Jumbo Payload (RFC 2675) fits in a TUN read. */
	if (ip6_parse(&v, pkt, len) || ip6_find_upper(&u, pkt, len))
		return GSO_ERR_IP6;
	/* RFC 8200 §8.1: a Routing header would change the pseudo-header's destination, and a
	   fragment cannot be cut further; the kernel sends neither as TSO. */
	if (!u.known || u.proto != GSO_NH_TCP || u.fragment || u.routed)
		return GSO_ERR_IP6;
	if ((h->flags & GSO_F_NEEDS_CSUM) &&
	    (h->csum_start != u.off || h->csum_off != GSO_TCP_CSUM))
		return GSO_ERR_CSUM;
	buf_cur_init(&c, pkt, len);
	if (buf_skip(&c, u.off + GSO_TCP_SEQ) || buf_get_u32(&c, &t->seq) || buf_skip(&c, 4) ||
	    buf_get_u8(&c, &doff) || buf_get_u8(&c, &t->flags))
		return GSO_ERR_TCP;
	doff = (uint8_t)(doff >> 4);
	/* RFC 9293 §3.1: Data Offset counts 32-bit words, at least 5, within the packet. */
	if (doff < 5 || u.off + (size_t)doff * 4 > len)
		return GSO_ERR_TCP;
	t->pkt = pkt;
	t->len = len;
	t->l4 = u.off;
	t->hlen = u.off + (size_t)doff * 4;
	t->src = v.src;
	t->dst = v.dst;
	return GSO_OK;
}

/* Builds the segment of payload [off, off + n) in out->buf; returns its length, 0 if no room. */
static size_t gso_tcp_build(const struct gso_tcp *t, const struct gso_out *out, size_t off,
			    size_t n, bool first, bool last)
{
	struct buf_wr w;
	uint8_t *seg = out->buf, flags = t->flags;
	uint64_t sum;

	buf_wr_init(&w, out->buf, out->cap);
	buf_put_bytes(&w, t->pkt, t->hlen);
	buf_put_bytes(&w, t->pkt + off, n);
	if (!buf_wr_ok(&w))
		return 0;
	if (!last)
		flags &= (uint8_t) ~(GSO_TCP_FIN | GSO_TCP_PSH);
	if (!first)
		flags &= (uint8_t)~GSO_TCP_CWR; /* RFC 3168 §6.1.2: once per window reduction */
	gso_put16_at(seg + GSO_IP6_PLEN, (uint16_t)(w.len - IP6_HDR_LEN));
	/* RFC 9293 §3.4: the sequence number of the segment's first data byte, modulo 2^32. */
	gso_put32_at(seg + t->l4 + GSO_TCP_SEQ, t->seq + (uint32_t)(off - t->hlen));
	seg[t->l4 + GSO_TCP_FLAGS] = flags;
	gso_put16_at(seg + t->l4 + GSO_TCP_CSUM, 0);
	/* RFC 8200 §8.1 pseudo-header: addresses, 32-bit upper-layer length, Next Header. */
	sum = cksum_add(0, seg + GSO_IP6_SRC, 32);
	sum += (uint64_t)(w.len - t->l4) + GSO_NH_TCP;
	sum = cksum_add(sum, seg + t->l4, w.len - t->l4);
	gso_put16_at(seg + t->l4 + GSO_TCP_CSUM, (uint16_t)~cksum_fold(sum));
	return w.len;
}

static enum gso_status gso_tcp6(const struct gso_vnet *h, const uint8_t *pkt, size_t len,
				size_t mtu, const struct gso_out *out, size_t *nseg)
{
	struct gso_tcp t;
	enum gso_status st = gso_tcp_parse(&t, h, pkt, len);
	size_t chunk, off, n, seglen;

	if (st != GSO_OK)
		return st;
	if (h->size == 0 || mtu <= t.hlen)
		return GSO_ERR_SIZE;
	/* Never over mtu, even when gso_size would allow it (a route MTU above the link's). */
	chunk = h->size < mtu - t.hlen ? h->size : mtu - t.hlen;
	/* The largest segment is checked here, so that an error never leaves a partial batch. */
	if (t.hlen + (chunk < len - t.hlen ? chunk : len - t.hlen) > out->cap)
		return GSO_ERR_SPACE;
	/* At most 65535 chunks (chunk >= 1); a super-packet without payload is one segment. */
	off = t.hlen;
	do {
		n = len - off < chunk ? len - off : chunk;
		seglen = gso_tcp_build(&t, out, off, n, off == t.hlen, off + n == len);
		if (seglen == 0)
			return GSO_ERR_SPACE; /* unreachable after the check above */
		out->emit(out->arg, out->buf, seglen);
		(*nseg)++;
		off += n;
	} while (off < len);
	return GSO_OK;
}

enum gso_status gso_split(const uint8_t *in, size_t len, size_t mtu, const struct gso_out *out,
			  size_t *nseg)
{
	struct buf_cur c;
	struct gso_vnet h;
	const uint8_t *pkt;
	size_t plen;

	*nseg = 0;
	buf_cur_init(&c, in, len);
	if (gso_get_vnet(&c, &h))
		return GSO_ERR_SHORT;
	plen = buf_left(&c);
	if (buf_get_ptr(&c, &pkt, plen))
		return GSO_ERR_SHORT;
	switch (h.type & (uint8_t)~GSO_TYPE_ECN) {
	case GSO_TYPE_NONE:
		return gso_none(&h, pkt, plen, out, nseg);
	case GSO_TYPE_TCPV6:
		return gso_tcp6(&h, pkt, plen, mtu, out, nseg);
	default:
		return GSO_ERR_TYPE;
	}
}

const char *gso_status_str(enum gso_status st)
{
	switch (st) {
	case GSO_OK:
		return "ok";
	case GSO_ERR_SHORT:
		return "shorter than the virtio header";
	case GSO_ERR_TYPE:
		return "GSO type not enabled";
	case GSO_ERR_CSUM:
		return "checksum offsets outside the packet";
	case GSO_ERR_IP6:
		return "not a whole unfragmented IPv6 TCP packet";
	case GSO_ERR_TCP:
		return "malformed TCP header";
	case GSO_ERR_SIZE:
		return "segment size 0 or headers too long for the MTU";
	case GSO_ERR_SPACE:
		return "packet larger than the output buffer";
	}
	return "?";
}
