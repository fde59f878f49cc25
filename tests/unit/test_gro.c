/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/gro: TCP/IPv6 segments merged into virtio GSO super-packets on their way
 * into a TUN. The checksum contract is checked against the kernel itself: a TSO super-packet
 * that Linux 6.18 handed out through a TUN with IFF_VNET_HDR (the vector of test_gso), cut by
 * proto/gso and merged back, must come out as the kernel wrote it, virtio header and pseudo-
 * header checksum included. Beyond it, segments built here (their checksums by proto/ip6, not
 * gro's code): every super-packet is cut again by proto/gso and must give back the segments
 * that went in, byte for byte, and its partial checksum completed as Virtio 1.2 §5.1.6.2 says
 * must verify; then each rule that keeps a segment out, the order of what is not merged, the
 * 64 KiB bound, the table of flows and emit failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "proto/gro.h"
#include "proto/gso.h"
#include "proto/ip6.h"

/* captured (test_gso.c): virtio header, IPv6, TCP with timestamps, 3000 payload bytes follow;
 * the flags byte (offset 10 + 53) was FIN|PSH|ACK and is set to PSH|ACK here, since a FIN is
 * never merged; the checksum field 0x6753 is the kernel's pseudo-header sum. */
static const uint8_t real_tso_head[] = {
    0x01, 0x04, 0x48, 0x00, 0xb8, 0x04, 0x28, 0x00, 0x10, 0x00, 0x60, 0x02, 0x34, 0xd1,
    0x0b, 0xd8, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xd9, 0xd6, 0x00, 0x50, 0x3d, 0x92,
    0xab, 0x9b, 0x00, 0x00, 0x03, 0xe9, 0x80, 0x18, 0x00, 0x40, 0x67, 0x53, 0x00, 0x00,
    0x01, 0x01, 0x08, 0x0a, 0xdd, 0xcc, 0x63, 0xd1, 0x00, 0x00, 0x13, 0x89,
};
#define REAL_PAY 3000

#define MAX_EMITS 512
#define HL	  72 /* IPv6 and TCP with NOP, NOP, Timestamps */

/* Every emit, copied: the virtio header then the packet. */
struct sink {
	size_t n;
	uint8_t *buf[MAX_EMITS];
	size_t len[MAX_EMITS];
	bool fail; /* emits return -1 */
};

static int sink_emit(void *arg, const uint8_t *vnet, const uint8_t *pkt, size_t len)
{
	struct sink *s = arg;

	assert_true(s->n < MAX_EMITS);
	assert_true(len <= GRO_PKT_MAX);
	s->buf[s->n] = malloc(GRO_VNET_HDR_LEN + len);
	assert_non_null(s->buf[s->n]);
	memcpy(s->buf[s->n], vnet, GRO_VNET_HDR_LEN);
	memcpy(s->buf[s->n] + GRO_VNET_HDR_LEN, pkt, len);
	s->len[s->n++] = len;
	return s->fail ? -1 : 0;
}

static void sink_clear(struct sink *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->buf[i]);
	s->n = 0;
}

static struct gro *new_gro(struct sink *s)
{
	struct gro *g = malloc(sizeof(*g));

	assert_non_null(g);
	memset(s, 0, sizeof(*s));
	gro_init(g, sink_emit, s);
	return g;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* ---- segments ---- */

struct spec {
	uint16_t sport;
	uint32_t seq, ack;
	size_t pay;
	uint8_t flags;
	uint8_t hop, tc;
	uint32_t flow;
	uint32_t tsval;
	bool noopt, sack, badsum;
	const uint8_t *opt; /* other options than NOP, NOP, Timestamps: optlen bytes */
	size_t optlen;
};

static struct spec base(uint32_t seq, size_t pay)
{
	struct spec s = {.sport = 40000,
			 .seq = seq,
			 .ack = 7777,
			 .pay = pay,
			 .flags = 0x10,
			 .hop = 64,
			 .flow = 0x12345,
			 .tsval = 1000};

	return s;
}

static uint8_t pat(uint32_t seq)
{
	return (uint8_t)(seq * 7 + 3);
}

/* A TCP/IPv6 segment of 2001:db8::1 -> 2001:db8::2 port 5201; its length. */
static size_t mkseg(uint8_t *p, const struct spec *s)
{
	size_t hl = s->opt ? 60 + s->optlen : s->noopt ? 60 : HL, len = hl + s->pay;
	struct in6_addr src = {{{0x20, 0x01, 0x0d, 0xb8, [15] = 1}}};
	struct in6_addr dst = {{{0x20, 0x01, 0x0d, 0xb8, [15] = 2}}};
	uint8_t *t = p + 40;
	uint16_t ck;

	memset(p, 0, len);
	p[0] = (uint8_t)(0x60 | s->tc >> 4);
	p[1] = (uint8_t)(s->tc << 4 | (s->flow >> 16 & 0x0f));
	p[2] = (uint8_t)(s->flow >> 8);
	p[3] = (uint8_t)s->flow;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[6] = 6;
	p[7] = s->hop;
	memcpy(p + 8, &src, 16);
	memcpy(p + 24, &dst, 16);
	t[0] = (uint8_t)(s->sport >> 8);
	t[1] = (uint8_t)s->sport;
	t[2] = 0x14;
	t[3] = 0x51;
	for (int i = 0; i < 4; i++) {
		t[4 + i] = (uint8_t)(s->seq >> (24 - 8 * i));
		t[8 + i] = (uint8_t)(s->ack >> (24 - 8 * i));
		t[24 + i] = (uint8_t)(s->tsval >> (24 - 8 * i));
	}
	t[12] = (uint8_t)((hl - 40) / 4 << 4);
	t[13] = s->flags;
	t[14] = 0x01; /* window */
	if (s->opt)
		memcpy(t + 20, s->opt, s->optlen);
	else if (!s->noopt) {
		t[20] = t[21] = 1;
		t[22] = s->sack ? 5 : 8; /* SACK (RFC 2018) with a bogus length, or Timestamps */
		t[23] = 10;
	}
	for (size_t i = 0; i < s->pay; i++)
		p[hl + i] = pat(s->seq + (uint32_t)i);
	ck = ip6_cksum(&src, &dst, 6, t, len - 40);
	t[16] = (uint8_t)(ck >> 8);
	t[17] = (uint8_t)(ck ^ (s->badsum ? 1 : 0));
	return len;
}

/* Builds s and hands it to g; returns gro_add's result. */
static int add(struct gro *g, const struct spec *s)
{
	uint8_t p[2000];

	assert_true(s->pay <= 2000 - 100);
	return gro_add(g, p, mkseg(p, s));
}

/* ---- what came out ---- */

/* The partial checksum completed as Virtio 1.2 §5.1.6.2 does, then verified by proto/ip6. */
static void check_partial(const uint8_t *e, size_t len)
{
	uint8_t *p = malloc(len);
	struct in6_addr src, dst;
	size_t start = le16(e + 6), at = start + le16(e + 8);
	uint32_t sum = 0;

	assert_non_null(p);
	memcpy(p, e + GRO_VNET_HDR_LEN, len);
	for (size_t i = start; i < len; i++)
		sum += (i - start) % 2 == 0 ? (uint32_t)p[i] << 8 : p[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[at] = (uint8_t)(~sum >> 8);
	p[at + 1] = (uint8_t)~sum;
	memcpy(&src, p + 8, 16);
	memcpy(&dst, p + 24, 16);
	assert_int_equal(ip6_cksum(&src, &dst, 6, p + 40, len - 40), 0);
	free(p);
}

struct segs {
	size_t n;
	uint8_t p[64][2000];
	size_t len[64];
};

static void segs_emit(void *arg, const uint8_t *p, size_t len)
{
	struct segs *s = arg;

	assert_true(s->n < 64 && len <= 2000);
	memcpy(s->p[s->n], p, len);
	s->len[s->n++] = len;
}

/* Emit i cut back into segments by proto/gso (a plain one is itself); checks the header. */
static void expand(const struct sink *k, size_t i, struct segs *out)
{
	const uint8_t *e = k->buf[i];
	static uint8_t buf[GSO_READ_MAX];
	const struct gso_out o = {buf, sizeof(buf), segs_emit, out};
	size_t nseg;

	out->n = 0;
	if (e[1] == GSO_TYPE_NONE) {
		assert_int_equal(e[0], 0);
		segs_emit(out, e + GRO_VNET_HDR_LEN, k->len[i]);
		return;
	}
	assert_int_equal(e[0], GSO_F_NEEDS_CSUM);
	assert_int_equal(e[1], GSO_TYPE_TCPV6);
	assert_int_equal(le16(e + 6), 40);
	assert_int_equal(le16(e + 8), 16);
	assert_int_equal((size_t)(e[10 + 4] << 8 | e[10 + 5]), k->len[i] - 40);
	check_partial(e, k->len[i]);
	assert_int_equal(gso_split(e, GRO_VNET_HDR_LEN + k->len[i],
				   (size_t)le16(e + 2) + le16(e + 4), &o, &nseg),
			 GSO_OK);
	assert_true(nseg >= 2);
}

/* Emit i is exactly the segments specs[0..n), in order. */
static void expect(const struct sink *k, size_t i, const struct spec *specs, size_t n)
{
	static struct segs got;
	uint8_t want[2000];

	assert_true(i < k->n);
	expand(k, i, &got);
	assert_int_equal(got.n, n);
	for (size_t j = 0; j < n; j++) {
		size_t len = mkseg(want, &specs[j]);

		assert_int_equal(got.len[j], len);
		assert_memory_equal(got.p[j], want, len);
	}
}

/* ---- tests ---- */

/* The kernel's super-packet, cut and merged again, is the kernel's super-packet. */
static void test_kernel_roundtrip(void **state)
{
	static uint8_t in[sizeof(real_tso_head) + REAL_PAY], seg[1280];
	struct segs *segs = calloc(1, sizeof(*segs));
	const struct gso_out o = {seg, sizeof(seg), segs_emit, segs};
	struct sink k;
	struct gro *g = new_gro(&k);
	size_t nseg;

	(void)state;
	assert_non_null(segs);
	memcpy(in, real_tso_head, sizeof(real_tso_head));
	for (size_t i = 0; i < REAL_PAY; i++)
		in[sizeof(real_tso_head) + i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(gso_split(in, sizeof(in), 1280, &o, &nseg), GSO_OK);
	assert_int_equal(nseg, 3);
	for (size_t i = 0; i < nseg; i++)
		assert_int_equal(gro_add(g, segs->p[i], segs->len[i]), 0);
	assert_int_equal(k.n, 0); /* held until the batch ends */
	gro_flush(g);
	assert_int_equal(k.n, 1);
	assert_int_equal(k.len[0], sizeof(in) - GRO_VNET_HDR_LEN);
	assert_memory_equal(k.buf[0], in, sizeof(in));
	assert_int_equal(g->stats.packets, 3);
	assert_int_equal(g->stats.merged, 3);
	assert_int_equal(g->stats.writes, 1);
	sink_clear(&k);
	free(segs);
	free(g);
}

static void test_merge(void **state)
{
	struct spec s[10];
	struct sink k;
	struct gro *g = new_gro(&k);

	(void)state;
	for (int i = 0; i < 10; i++) {
		s[i] = base(0xfffff000u + (uint32_t)i * 1000, 1000); /* the sequence wraps */
		assert_int_equal(add(g, &s[i]), 0);
	}
	gro_flush(g);
	assert_int_equal(k.n, 1);
	assert_int_equal(le16(k.buf[0] + 2), HL);
	assert_int_equal(le16(k.buf[0] + 4), 1000);
	expect(&k, 0, s, 10);
	/* A second flush has nothing left. */
	gro_flush(g);
	assert_int_equal(k.n, 1);
	sink_clear(&k);
	free(g);
}

/* A shorter segment ends a super-packet; so does PSH, which the super-packet then carries. */
static void test_short_and_psh(void **state)
{
	struct spec s[7];
	struct sink k;
	struct gro *g = new_gro(&k);

	(void)state;
	s[0] = base(1, 1000);
	s[1] = base(1001, 1000);
	s[2] = base(2001, 400);
	s[3] = base(2401, 1000); /* after a short one: a new super-packet */
	s[4] = base(3401, 1000);
	s[5] = base(4401, 1000);
	s[5].flags = 0x18;
	s[6] = base(5401, 200); /* after PSH: new again */
	for (int i = 0; i < 7; i++)
		assert_int_equal(add(g, &s[i]), 0);
	gro_flush(g);
	assert_int_equal(k.n, 3);
	expect(&k, 0, s, 3);
	expect(&k, 1, s + 3, 3);
	assert_int_equal(k.buf[1][GRO_VNET_HDR_LEN + 40 + 13], 0x18);
	expect(&k, 2, s + 6, 1);
	/* A larger segment after the first does not join either. */
	sink_clear(&k);
	s[0] = base(1, 500);
	s[1] = base(501, 501);
	add(g, &s[0]);
	add(g, &s[1]);
	gro_flush(g);
	assert_int_equal(k.n, 2);
	expect(&k, 0, s, 1);
	expect(&k, 1, s + 1, 1);
	sink_clear(&k);
	free(g);
}

/* Each field that must match, changed on the second segment: two emits, in order. */
static void test_fields(void **state)
{
	struct sink k;
	struct gro *g = new_gro(&k);

	(void)state;
	for (int v = 0; v < 8; v++) {
		struct spec s[2] = {base(1, 1000), base(1001, 1000)};

		switch (v) {
		case 0:
			s[1].hop = 63;
			break;
		case 1:
			s[1].tc = 0x01; /* ECN ECT(1): Traffic Class differs */
			break;
		case 2:
			s[1].flow = 0x54321;
			break;
		case 3:
			s[1].ack = 7778;
			break;
		case 4:
			s[1].tsval = 1001;
			break;
		case 5:
			s[1].seq = 1002; /* a gap */
			break;
		case 6:
			s[1].badsum = true;
			break;
		case 7:
			s[1].noopt = true;
			break;
		}
		add(g, &s[0]);
		add(g, &s[1]);
		gro_flush(g);
		assert_int_equal(k.n, 2);
		expect(&k, 0, s, 1);
		expect(&k, 1, s + 1, 1);
		assert_int_equal(g->stats.merged, 0);
		sink_clear(&k);
	}
	free(g);
}

/* SYN, FIN, RST, URG, ECE, CWR, no ACK, no payload, other options: out at once, after what is
 * held of their flow. */
static void test_flags(void **state)
{
	static const uint8_t bad[] = {0x12, 0x11, 0x14, 0x30, 0x50, 0x90, 0x00, 0x08};
	struct sink k;
	struct gro *g = new_gro(&k);

	(void)state;
	for (size_t v = 0; v < sizeof(bad) + 2; v++) {
		struct spec s[3] = {base(1, 1000), base(1001, 1000), base(2001, 1000)};

		if (v < sizeof(bad))
			s[2].flags = bad[v];
		else if (v == sizeof(bad))
			s[2].pay = 0; /* a pure ACK */
		else
			s[2].sack = true;
		add(g, &s[0]);
		add(g, &s[1]);
		assert_int_equal(k.n, 0);
		add(g, &s[2]);
		assert_int_equal(k.n, 2); /* the held pair, then it */
		expect(&k, 0, s, 2);
		expect(&k, 1, s + 2, 1);
		gro_flush(g);
		assert_int_equal(k.n, 2);
		sink_clear(&k);
	}
	/* Alone, such a packet is never held. */
	for (size_t v = 0; v < sizeof(bad); v++) {
		struct spec s = base(1, 100);

		s.flags = bad[v];
		add(g, &s);
		assert_int_equal(k.n, 1);
		sink_clear(&k);
	}
	free(g);
}

/* Options: a Timestamps option among NOP and EOL padding merges; two of them, anything after
 * EOL but padding, or another kind does not. */
static void test_options(void **state)
{
	static const uint8_t ok1[] = {8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0};
	static const uint8_t ok2[] = {1, 1, 1, 1};
	static const uint8_t bad1[] = {8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 8, 10,
				       1, 2,  3, 4, 5, 6, 7, 8, 1, 1, 1, 1};
	static const uint8_t bad2[] = {1, 0, 1, 0};
	static const uint8_t bad3[] = {2, 4, 5, 0x10}; /* MSS */
	static const uint8_t bad4[] = {8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0};
	static const struct {
		const uint8_t *o;
		size_t len;
		bool merges;
	} v[] = {{ok1, sizeof(ok1), true},    {ok2, sizeof(ok2), true},
		 {bad1, sizeof(bad1), false}, {bad2, sizeof(bad2), false},
		 {bad3, sizeof(bad3), false}, {bad4, sizeof(bad4), false}};
	struct sink k;
	struct gro *g = new_gro(&k);

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct spec s[2] = {base(1, 1000), base(1001, 1000)};

		s[0].opt = s[1].opt = v[i].o;
		s[0].optlen = s[1].optlen = v[i].len;
		add(g, &s[0]);
		add(g, &s[1]);
		gro_flush(g);
		if (v[i].merges) {
			assert_int_equal(k.n, 1);
			expect(&k, 0, s, 2);
		} else {
			assert_int_equal(k.n, 2);
			expect(&k, 0, s, 1);
			expect(&k, 1, s + 1, 1);
		}
		sink_clear(&k);
	}
	free(g);
}

/* A ping between held segments goes out at once; an extension header flushes everything. */
static void test_order(void **state)
{
	uint8_t ping[48] = {0x60,	0,    0,	0,	     0,	   8,	     58,	64,
			    [8] = 0x20, 0x01, [23] = 1, [24] = 0x20, 0x01, [39] = 2, [40] = 128};
	uint8_t ext[68];
	struct spec s[4] = {base(1, 1000), base(1001, 1000), base(2001, 1000), base(3001, 1000)};
	struct sink k;
	struct gro *g = new_gro(&k);

	(void)state;
	s[2].sport = s[3].sport = 40001;
	add(g, &s[0]);
	add(g, &s[2]);
	assert_int_equal(gro_add(g, ping, sizeof(ping)), 0);
	assert_int_equal(k.n, 1);
	assert_memory_equal(k.buf[0] + GRO_VNET_HDR_LEN, ping, sizeof(ping));
	add(g, &s[1]);
	add(g, &s[3]);
	/* Destination Options (RFC 8200 §4.6) then TCP: it may be either flow's. */
	memcpy(ext, ping, 40);
	ext[4] = 0;
	ext[5] = 28;
	ext[6] = 60;
	memset(ext + 40, 0, 28);
	ext[40] = 6;
	assert_int_equal(gro_add(g, ext, sizeof(ext)), 0);
	assert_int_equal(k.n, 4);
	expect(&k, 1, s, 2); /* the older flow first */
	expect(&k, 2, s + 2, 2);
	assert_memory_equal(k.buf[3] + GRO_VNET_HDR_LEN, ext, sizeof(ext));
	gro_flush(g);
	assert_int_equal(k.n, 4);
	sink_clear(&k);
	free(g);
}

/* Never more than 65535 bytes of Payload Length; the rest goes on in the next super-packet. */
static void test_64k(void **state)
{
	struct spec s[60];
	size_t per = (65535 - (HL - 40)) / 1208; /* 54 segments fit */
	struct sink k;
	struct gro *g = new_gro(&k);

	(void)state;
	for (uint32_t i = 0; i < 60; i++) {
		s[i] = base(5 + i * 1208, 1208);
		add(g, &s[i]);
	}
	assert_int_equal(k.n, 1); /* the full one went out when the next did not fit */
	gro_flush(g);
	assert_int_equal(k.n, 2);
	assert_true(k.len[0] <= GRO_PKT_MAX);
	expect(&k, 0, s, per);
	expect(&k, 1, s + per, 60 - per);
	sink_clear(&k);
	free(g);
}

/* Interleaved flows, as many as there are slots, all merge. More flows than slots: the oldest
 * goes out to make room (round robin then merges nothing), and every flow stays in order. */
static void test_table(void **state)
{
	struct spec s[GRO_FLOWS + 1][3];
	struct sink k;
	struct gro *g = new_gro(&k);

	(void)state;
	for (int j = 0; j < 3; j++)
		for (int f = 0; f < GRO_FLOWS; f++) {
			s[f][j] = base(1 + (uint32_t)j * 100, 100);
			s[f][j].sport = (uint16_t)(1000 + f);
			add(g, &s[f][j]);
		}
	assert_int_equal(k.n, 0);
	gro_flush(g);
	assert_int_equal(k.n, GRO_FLOWS);
	for (int f = 0; f < GRO_FLOWS; f++)
		expect(&k, (size_t)f, s[f], 3);
	sink_clear(&k);
	for (int j = 0; j < 2; j++)
		for (int f = 0; f <= GRO_FLOWS; f++) {
			s[f][j] = base(1 + (uint32_t)j * 100, 100);
			s[f][j].sport = (uint16_t)(1000 + f);
			add(g, &s[f][j]);
		}
	gro_flush(g);
	assert_int_equal(k.n, 2 * (GRO_FLOWS + 1));
	for (size_t i = 0; i < k.n; i++)
		expect(&k, i, &s[i % (GRO_FLOWS + 1)][i / (GRO_FLOWS + 1)], 1);
	sink_clear(&k);
	free(g);
}

/* Malformed packets go out as they are, at once; an emit that fails is reported for a packet
 * sent at once, and counted for held ones. */
static void test_malformed_and_errors(void **state)
{
	uint8_t p[2000];
	struct spec s = base(1, 1000);
	size_t len = mkseg(p, &s);
	struct sink k;
	struct gro *g = new_gro(&k);

	(void)state;
	for (size_t cut = 0; cut < HL + 2; cut++) {
		assert_int_equal(gro_add(g, p, cut), 0);
		assert_int_equal(k.n, 1);
		assert_int_equal(k.len[0], cut);
		sink_clear(&k);
	}
	p[5]++; /* Payload Length off by one */
	gro_add(g, p, len);
	assert_int_equal(k.n, 1);
	p[5]--;
	p[40 + 12] = 0x40; /* Data Offset 4 */
	gro_add(g, p, len);
	assert_int_equal(k.n, 2);
	sink_clear(&k);
	k.fail = true;
	assert_int_equal(add(g, &s), 0);
	s.seq = 1001;
	assert_int_equal(add(g, &s), 0);
	s.flags = 0x11;
	s.seq = 2001;
	assert_int_equal(add(g, &s), -1);
	assert_int_equal(g->stats.errors, 3);
	sink_clear(&k);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kernel_roundtrip),
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_short_and_psh),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_options),
	    cmocka_unit_test(test_order),
	    cmocka_unit_test(test_64k),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_malformed_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
