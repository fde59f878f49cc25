/* SPDX-License-Identifier: ISC */
/*
 * gro: coalescing of TCP/IPv6 segments before they are written into a TUN with IFF_VNET_HDR.
 * Every header field is read through the bounds-checked cursor; each held flow owns one fixed
 * slot, a virtio header's room followed by the super-packet, so a merge is one copy of the
 * payload and a flush one emit.
 */
#include "proto/gro.h"

#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "proto/cksum.h"

#define GRO_IP6_LEN   40
#define GRO_TCP_MIN   20
#define GRO_NH_TCP    6 /* IANA protocol numbers */
#define GRO_IP6_PLEN  4 /* Payload Length, RFC 8200 §3 */
#define GRO_IP6_NH    6
#define GRO_IP6_HOP   7
#define GRO_IP6_SRC   8
#define GRO_TCP_ACK   8 /* offsets inside the TCP header, RFC 9293 §3.1 */
#define GRO_TCP_FLAGS 13
#define GRO_TCP_CSUM  16
#define GRO_TCP_PSH   0x08
#define GRO_TCP_ACKF  0x10
#define GRO_OPT_EOL   0 /* TCP option kinds, RFC 9293 §3.2 and RFC 7323 §3 */
#define GRO_OPT_NOP   1
#define GRO_OPT_TS    8
#define GRO_OPT_TSLEN 10
/* virtio_net_hdr values (linux/virtio_net.h), as proto/gso.h names them */
#define GRO_F_NEEDS_CSUM 1
#define GRO_GSO_TCPV6	 4

/* One packet as gro_add sees it. */
struct gro_pkt {
	const uint8_t *p;
	size_t len;
	uint8_t nh;
	bool tcp;  /* TCP right after the IPv6 header, its header whole: it has a flow */
	bool cand; /* it may be merged (the rules in gro.h) */
	bool psh;
	size_t hlen; /* IPv6 and TCP headers */
	size_t pay;  /* TCP payload bytes */
	uint32_t seq;
};

void gro_describe(const struct gro *g, char *buf, size_t len)
{
	snprintf(buf, len,
		 "%llu packets in %llu writes (%llu merged into super-packets), %llu lost to write "
		 "errors",
		 (unsigned long long)g->stats.packets, (unsigned long long)g->stats.writes,
		 (unsigned long long)g->stats.merged, (unsigned long long)g->stats.errors);
}

void gro_init(struct gro *g, gro_emit_fn emit, void *arg)
{
	memset(g->flow, 0, sizeof(g->flow));
	memset(&g->stats, 0, sizeof(g->stats));
	g->clock = 0;
	g->emit = emit;
	g->arg = arg;
}

/* RFC 8200 §8.1 pseudo-header of the packet at p: addresses, 32-bit TCP length, Next Header. */
static uint64_t gro_pseudo(const uint8_t *p, size_t tcplen)
{
	return cksum_add(0, p + GRO_IP6_SRC, 32) + (uint64_t)tcplen + GRO_NH_TCP;
}

/* Options: none, or a single Timestamps option among NOP/EOL padding (gro.h). */
static bool gro_opts_ok(const uint8_t *o, size_t len)
{
	struct buf_cur c;
	uint8_t kind, olen;
	bool ts = false;

	buf_cur_init(&c, o, len);
	while (buf_get_u8(&c, &kind) == 0) {
		if (kind == GRO_OPT_EOL) { /* the list ends; what follows is zero padding */
			while (buf_get_u8(&c, &kind) == 0)
				if (kind != 0)
					return false;
			return true;
		}
		if (kind == GRO_OPT_NOP)
			continue;
		if (kind != GRO_OPT_TS || ts || buf_get_u8(&c, &olen) || olen != GRO_OPT_TSLEN ||
		    buf_skip(&c, GRO_OPT_TSLEN - 2))
			return false;
		ts = true;
	}
	return true;
}

/* The candidate rules that concern the packet alone; k->tcp, hlen and pay are set. */
static bool gro_cand(const struct gro_pkt *k, uint8_t flags, size_t plen)
{
	const uint8_t *t = k->p + GRO_IP6_LEN;
	size_t tcplen = k->len - GRO_IP6_LEN;

	if (plen != tcplen || k->pay == 0)
		return false;
	if (flags != GRO_TCP_ACKF && flags != (GRO_TCP_ACKF | GRO_TCP_PSH))
		return false;
	if (!gro_opts_ok(t + GRO_TCP_MIN, k->hlen - GRO_IP6_LEN - GRO_TCP_MIN))
		return false;
	/* The kernel recomputes the checksum of a super-packet: only valid segments join. */
	return cksum_fold(cksum_add(gro_pseudo(k->p, tcplen), t, tcplen)) == 0xffff;
}

static void gro_parse(struct gro_pkt *k, const uint8_t *p, size_t len)
{
	struct buf_cur c;
	uint16_t plen;
	uint8_t ver, doff, flags;

	memset(k, 0, sizeof(*k));
	k->p = p;
	k->len = len;
	k->nh = 0xff; /* unknown: treated like an extension header */
	buf_cur_init(&c, p, len);
	if (buf_get_u8(&c, &ver) || ver >> 4 != 6 || buf_skip(&c, 3) || buf_get_u16(&c, &plen) ||
	    buf_get_u8(&c, &k->nh))
		return;
	if (k->nh != GRO_NH_TCP)
		return;
	if (buf_skip(&c, 1 + 32) || buf_skip(&c, 4) || buf_get_u32(&c, &k->seq) ||
	    buf_skip(&c, 4) || buf_get_u8(&c, &doff) || buf_get_u8(&c, &flags))
		return;
	doff = (uint8_t)(doff >> 4);
	/* RFC 9293 §3.1: Data Offset counts 32-bit words, at least 5, within the packet. */
	if (doff < 5 || GRO_IP6_LEN + (size_t)doff * 4 > len)
		return;
	k->tcp = true;
	k->hlen = GRO_IP6_LEN + (size_t)doff * 4;
	k->pay = len - k->hlen;
	k->psh = flags & GRO_TCP_PSH;
	k->cand = gro_cand(k, flags, plen);
}

/*
 * Next Header values after which TCP of a held flow may still follow (RFC 8200 §4, IANA
 * "IPv6 Extension Header Types"), or an unparsable header: the packet may belong to any flow.
 */
static bool gro_maybe_tcp(uint8_t nh)
{
	switch (nh) {
	case 0:	  /* Hop-by-Hop Options */
	case 43:  /* Routing */
	case 44:  /* Fragment */
	case 51:  /* Authentication Header */
	case 60:  /* Destination Options */
	case 135: /* Mobility */
	case 139: /* HIP */
	case 140: /* Shim6 */
	case 253: /* experiments, RFC 3692 */
	case 254:
	case 0xff: /* not a whole IPv6 header */
		return true;
	default:
		return false;
	}
}

static uint8_t *gro_slot_pkt(struct gro *g, size_t i)
{
	return g->mem[i] + GRO_VNET_HDR_LEN;
}

static void gro_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The virtio header is little-endian (TUNSETVNETLE). */
static void gro_put_le16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static int gro_emit(struct gro *g, const uint8_t *vnet, const uint8_t *pkt, size_t len, size_t npkt)
{
	int r = g->emit(g->arg, vnet, pkt, len);

	g->stats.writes++;
	if (r == -1)
		g->stats.errors += npkt;
	return r;
}

/* Turns slot i into a super-packet (gro.h) and emits it; the slot is free afterwards. */
static void gro_flush_one(struct gro *g, size_t i)
{
	static const uint8_t zero[GRO_VNET_HDR_LEN];
	struct gro_flow *f = &g->flow[i];
	uint8_t *v = g->mem[i], *p = gro_slot_pkt(g, i);
	size_t tcplen = f->len - GRO_IP6_LEN;

	f->used = false;
	if (f->nseg == 1) {
		gro_emit(g, zero, p, f->len, 1);
		return;
	}
	gro_put16(p + GRO_IP6_PLEN, (uint16_t)tcplen);
	/* CHECKSUM_PARTIAL: the pseudo-header sum, not complemented, over the whole length. */
	gro_put16(p + GRO_IP6_LEN + GRO_TCP_CSUM, cksum_fold(gro_pseudo(p, tcplen)));
	v[0] = GRO_F_NEEDS_CSUM;
	v[1] = GRO_GSO_TCPV6;
	gro_put_le16(v + 2, f->hlen);
	gro_put_le16(v + 4, f->seg);
	gro_put_le16(v + 6, GRO_IP6_LEN);
	gro_put_le16(v + 8, GRO_TCP_CSUM);
	g->stats.merged += f->nseg;
	gro_emit(g, v, p, f->len, f->nseg);
}

void gro_flush(struct gro *g)
{
	for (;;) {
		size_t best = GRO_FLOWS;

		for (size_t i = 0; i < GRO_FLOWS; i++)
			if (g->flow[i].used &&
			    (best == GRO_FLOWS || g->flow[i].stamp < g->flow[best].stamp))
				best = i;
		if (best == GRO_FLOWS)
			return;
		gro_flush_one(g, best);
	}
}

/* The held flow of k (addresses and ports), or GRO_FLOWS. */
static size_t gro_find(struct gro *g, const struct gro_pkt *k)
{
	for (size_t i = 0; i < GRO_FLOWS; i++) {
		const uint8_t *s = gro_slot_pkt(g, i);

		if (g->flow[i].used && memcmp(s + GRO_IP6_SRC, k->p + GRO_IP6_SRC, 32) == 0 &&
		    memcmp(s + GRO_IP6_LEN, k->p + GRO_IP6_LEN, 4) == 0)
			return i;
	}
	return GRO_FLOWS;
}

/* The rules of gro.h that compare k with the flow held in slot i. */
static bool gro_fits(struct gro *g, size_t i, const struct gro_pkt *k)
{
	const struct gro_flow *f = &g->flow[i];
	const uint8_t *s = gro_slot_pkt(g, i), *p = k->p;

	if (!k->cand || f->closed || k->seq != f->next_seq || k->pay > f->seg ||
	    k->hlen != f->hlen || f->len + k->pay > GRO_PKT_MAX)
		return false;
	/* Version, Traffic Class, Flow Label; Hop Limit. */
	if (memcmp(s, p, 4) != 0 || s[GRO_IP6_HOP] != p[GRO_IP6_HOP])
		return false;
	/* The acknowledgment number, and the options (timestamps) byte for byte. */
	return memcmp(s + GRO_IP6_LEN + GRO_TCP_ACK, p + GRO_IP6_LEN + GRO_TCP_ACK, 4) == 0 &&
	       memcmp(s + GRO_IP6_LEN + GRO_TCP_MIN, p + GRO_IP6_LEN + GRO_TCP_MIN,
		      f->hlen - GRO_IP6_LEN - GRO_TCP_MIN) == 0;
}

static void gro_append(struct gro *g, size_t i, const struct gro_pkt *k)
{
	struct gro_flow *f = &g->flow[i];
	uint8_t *s = gro_slot_pkt(g, i);

	memcpy(s + f->len, k->p + k->hlen, k->pay);
	f->len += k->pay;
	f->next_seq += (uint32_t)k->pay;
	f->nseg++;
	/* PSH only on the last segment, and after a short one nothing (gro.h). */
	if (k->psh) {
		s[GRO_IP6_LEN + GRO_TCP_FLAGS] |= GRO_TCP_PSH;
		f->closed = true;
	}
	if (k->pay < f->seg)
		f->closed = true;
}

/* A new flow in a free slot, or in the oldest one, flushed first. */
static void gro_start(struct gro *g, const struct gro_pkt *k)
{
	size_t i, best = 0;
	struct gro_flow *f;

	for (i = 0; i < GRO_FLOWS && g->flow[i].used; i++)
		if (g->flow[i].stamp < g->flow[best].stamp)
			best = i;
	if (i == GRO_FLOWS) {
		gro_flush_one(g, best);
		i = best;
	}
	f = &g->flow[i];
	memcpy(gro_slot_pkt(g, i), k->p, k->len);
	f->used = true;
	f->closed = false;
	f->stamp = g->clock++;
	f->len = k->len;
	f->hlen = k->hlen;
	f->seg = k->pay;
	f->nseg = 1;
	f->next_seq = k->seq + (uint32_t)k->pay;
}

int gro_add(struct gro *g, const uint8_t *pkt, size_t len)
{
	static const uint8_t zero[GRO_VNET_HDR_LEN];
	struct gro_pkt k;
	size_t i;

	g->stats.packets++;
	gro_parse(&k, pkt, len);
	if (k.tcp) {
		i = gro_find(g, &k);
		if (i < GRO_FLOWS && gro_fits(g, i, &k)) {
			gro_append(g, i, &k);
			return 0;
		}
		/* Whatever comes next of this flow goes out after what is held of it. */
		if (i < GRO_FLOWS)
			gro_flush_one(g, i);
		/* A PSH segment alone would only wait: it goes out at once. */
		if (k.cand && !k.psh && len <= GRO_PKT_MAX) {
			gro_start(g, &k);
			return 0;
		}
	} else if (k.nh == GRO_NH_TCP || gro_maybe_tcp(k.nh)) {
		/* A TCP header cut short or an extension header: it may be any held flow's. */
		gro_flush(g);
	}
	return gro_emit(g, zero, pkt, len, 1);
}
