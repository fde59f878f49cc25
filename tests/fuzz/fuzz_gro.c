/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for proto/gro. The input is a program that builds a batch of packets: byte
 * 0 picks which emits fail; then each record is either a raw packet (0xf0..0xff, a length byte,
 * that many bytes) or a TCP/IPv6 segment of one of 8 flows (low 3 bits) with a mutation (the
 * rest: PSH, FIN, SYN, a sequence gap or rewind, another hop limit, traffic class, flow label,
 * acknowledgment or timestamp, a bad checksum, no options, no payload, or an ICMPv6, UDP or
 * Destination Options packet instead) and a payload-size byte; the checksums are proto/ip6's.
 * Checked for every input:
 *  - gro_add returns -1 only when emits fail;
 *  - every emit is a plain packet under a zero virtio header, or a TCPV6 super-packet of at
 *    most 64 KiB with a consistent header, whose partial checksum completes (Virtio 1.2
 *    §5.1.6.2) to one that verifies, and that proto/gso cuts into two or more segments;
 *  - after gro_flush, the packets out (super-packets cut again) are the packets in: per TCP
 *    flow and for all other packets, the same sequence byte for byte, except the window and
 *    the checksum of merged segments (the first segment's window, a recomputed checksum).
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/gro.h"
#include "proto/gso.h"
#include "proto/ip6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#define MAX_PKTS 256
#define PKT_MAX	 1400

/* The packets of the batch, in, and out (cut again); merged: from a super-packet. */
struct list {
	size_t n;
	uint8_t p[MAX_PKTS][PKT_MAX];
	size_t len[MAX_PKTS];
	bool merged[MAX_PKTS];
};

struct ctx {
	struct list in, out;
	uint8_t fail; /* emit i fails when bit (i % 8) is set */
	size_t emits;
	bool cutting; /* gso_split is running on a super-packet */
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void list_add(struct list *l, const uint8_t *p, size_t len, bool merged)
{
	CHECK(l->n < MAX_PKTS && len <= PKT_MAX);
	memcpy(l->p[l->n], p, len);
	l->len[l->n] = len;
	l->merged[l->n++] = merged;
}

static void seg_out(void *arg, const uint8_t *p, size_t len)
{
	struct ctx *c = arg;

	list_add(&c->out, p, len, true);
}

static void check_partial(const uint8_t *vnet, const uint8_t *pkt, size_t len)
{
	static uint8_t p[GRO_PKT_MAX];
	struct in6_addr src, dst;
	size_t start = le16(vnet + 6), at = start + le16(vnet + 8);
	uint64_t sum = 0;

	CHECK(start == 40 && at == 56 && len > at + 2);
	memcpy(p, pkt, len);
	for (size_t i = start; i < len; i++)
		sum += (i - start) % 2 == 0 ? (uint32_t)p[i] << 8 : p[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[at] = (uint8_t)(~sum >> 8);
	p[at + 1] = (uint8_t)~sum;
	memcpy(&src, p + 8, 16);
	memcpy(&dst, p + 24, 16);
	CHECK(ip6_cksum(&src, &dst, 6, p + 40, len - 40) == 0);
}

static int emit(void *arg, const uint8_t *vnet, const uint8_t *pkt, size_t len)
{
	static uint8_t buf[GSO_READ_MAX], seg[GSO_READ_MAX];
	struct ctx *c = arg;
	const struct gso_out o = {seg, sizeof(seg), seg_out, c};
	size_t nseg, before = c->out.n;

	CHECK(len <= GRO_PKT_MAX);
	if (vnet[1] == GSO_TYPE_NONE) {
		static const uint8_t zero[GRO_VNET_HDR_LEN];

		CHECK(memcmp(vnet, zero, sizeof(zero)) == 0);
		list_add(&c->out, pkt, len, false);
	} else {
		CHECK(vnet[0] == GSO_F_NEEDS_CSUM && vnet[1] == GSO_TYPE_TCPV6);
		CHECK((size_t)(pkt[4] << 8 | pkt[5]) == len - 40 && pkt[6] == 6);
		check_partial(vnet, pkt, len);
		memcpy(buf, vnet, GRO_VNET_HDR_LEN);
		memcpy(buf + GRO_VNET_HDR_LEN, pkt, len);
		CHECK(gso_split(buf, GRO_VNET_HDR_LEN + len,
				(size_t)le16(vnet + 2) + le16(vnet + 4), &o, &nseg) == GSO_OK);
		CHECK(nseg >= 2 && c->out.n == before + nseg);
	}
	return c->fail >> (c->emits++ % 8) & 1 ? -1 : 0;
}

/* Whether two packets are of one sequence: the same TCP flow, or both not TCP. */
static bool same_group(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	bool at = alen >= 44 && a[0] >> 4 == 6 && a[6] == 6;
	bool bt = blen >= 44 && b[0] >> 4 == 6 && b[6] == 6;

	if (at != bt)
		return false;
	return !at || memcmp(a + 8, b + 8, 36) == 0;
}

/* Each group's packets come out in the order they went in. */
static void check_groups(const struct ctx *c)
{
	bool used[MAX_PKTS] = {false};

	CHECK(c->out.n == c->in.n);
	for (size_t i = 0; i < c->in.n; i++) {
		const uint8_t *p = c->in.p[i];
		size_t len = c->in.len[i], j;

		/* The first unused output packet of the same group. */
		for (j = 0; j < c->out.n; j++)
			if (!used[j] && same_group(p, len, c->out.p[j], c->out.len[j]))
				break;
		CHECK(j < c->out.n && c->out.len[j] == len);
		used[j] = true;
		if (!c->out.merged[j]) {
			CHECK(memcmp(p, c->out.p[j], len) == 0);
			continue;
		}
		/* Window (TCP bytes 14-15) and checksum (16-17) aside. */
		CHECK(memcmp(p, c->out.p[j], 54) == 0 &&
		      memcmp(p + 58, c->out.p[j] + 58, len - 58) == 0);
	}
}

/* ---- the program ---- */

struct flow {
	uint32_t seq, ack, ts;
};

static size_t build(uint8_t *p, struct flow *f, unsigned idx, unsigned mut, size_t pay)
{
	struct in6_addr src = {{{0x20, 0x01, 0x0d, 0xb8, [15] = 1}}};
	struct in6_addr dst = {{{0x20, 0x01, 0x0d, 0xb8, [15] = 2}}};
	size_t hl = mut == 19 ? 60 : 72, l4 = 40, len;
	uint8_t *t, nh = 6;
	uint32_t seq = f->seq;
	uint16_t ck;

	if (mut == 21)
		l4 = 48; /* Destination Options first */
	if (mut == 20 || mut == 22 || mut == 23)
		pay = 0;
	if (mut == 13)
		seq++;
	if (mut == 24)
		seq -= (uint32_t)pay;
	hl += l4 - 40;
	len = hl + pay;
	memset(p, 0, len);
	p[0] = 0x60;
	p[1] = mut == 15 ? 0x10 : 0;
	p[3] = mut == 25 ? 7 : 1;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[7] = mut == 14 ? 63 : 64;
	memcpy(p + 8, &src, 16);
	memcpy(p + 24, &dst, 16);
	if (mut == 21) {
		p[40] = 6;
		nh = 60;
	}
	t = p + l4;
	t[0] = 0x03;
	t[1] = (uint8_t)idx;
	t[3] = 80;
	for (int i = 0; i < 4; i++) {
		t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		t[8 + i] = (uint8_t)(f->ack >> (24 - 8 * i));
		t[24 + i] = (uint8_t)(f->ts >> (24 - 8 * i));
	}
	t[12] = (uint8_t)((hl - l4) / 4 << 4);
	t[13] = mut == 10 ? 0x18 : mut == 11 ? 0x11 : mut == 12 ? 0x12 : 0x10;
	t[14] = (uint8_t)(seq >> 4); /* a window that moves: it is not compared */
	if (hl - l4 > 20) {
		t[20] = t[21] = 1;
		t[22] = 8;
		t[23] = 10;
	}
	for (size_t i = 0; i < pay; i++)
		p[hl + i] = (uint8_t)((seq + i) * 7 + idx);
	ck = ip6_cksum(&src, &dst, 6, t, len - l4);
	t[16] = (uint8_t)(ck >> 8);
	t[17] = (uint8_t)(ck ^ (mut == 18 ? 1 : 0));
	if (mut == 20 || mut == 22) {
		/* ICMPv6 Echo Request or UDP: not TCP at all. */
		nh = mut == 20 ? 58 : 17;
		t[0] = mut == 20 ? 128 : 0;
	}
	p[6] = nh;
	f->seq = seq + (uint32_t)pay;
	return len;
}

static size_t next_packet(const uint8_t **d, size_t *left, struct flow *flows, uint8_t *p)
{
	uint8_t t = (*d)[0], b = *left > 1 ? (*d)[1] : 0;
	struct flow *f = &flows[t & 7];
	unsigned mut = t >> 3;
	size_t n;

	*d += *left > 1 ? 2 : 1;
	*left -= *left > 1 ? 2 : 1;
	if (t >= 0xf0) {
		n = (size_t)b * 4 + (t & 3);
		n = n < *left ? n : *left;
		n = n < PKT_MAX ? n : PKT_MAX;
		memcpy(p, *d, n);
		*d += n;
		*left -= n;
		return n;
	}
	if (mut == 16)
		f->ack++;
	if (mut == 17)
		f->ts++;
	return build(p, f, t & 7, mut, b >= 0x80 ? 1208 : (size_t)b * 9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctx c;
	static struct gro g;
	struct flow flows[8] = {{0}};
	uint8_t p[PKT_MAX];
	size_t left;

	if (size < 1)
		return 0;
	c.in.n = c.out.n = 0;
	c.emits = 0;
	c.fail = data[0];
	gro_init(&g, emit, &c);
	data++;
	left = size - 1;
	while (left > 0 && c.in.n < MAX_PKTS) {
		size_t len = next_packet(&data, &left, flows, p);
		size_t emits = c.emits;
		int r;

		list_add(&c.in, p, len, false);
		r = gro_add(&g, p, len);
		CHECK(r == 0 || (r == -1 && c.fail != 0 && c.emits > emits));
	}
	gro_flush(&g);
	CHECK(g.stats.packets == c.in.n && g.stats.writes == c.emits);
	check_groups(&c);
	return 0;
}
