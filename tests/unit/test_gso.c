/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/gso: reads of a TUN with IFF_VNET_HDR cut into link-MTU packets.
 * Vectors: a SYN and a TSO super-packet captured from Linux 6.18 through such a TUN (a kernel
 * TCP socket talking to a scapy peer), and hand-built ones made with scapy; the expected
 * packets are scapy's (its own checksum code), compared byte for byte. Beyond the vectors, every
 * output is checked with this file's own checksum (RFC 1071, written plainly byte by byte) over
 * the RFC 8200 §8.1 pseudo-header, for many segment sizes and MTUs; then malformed headers,
 * each truncation of a read, and the rule that an error emits nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "proto/gso.h"

/* captured: a SYN read with IFF_VNET_HDR, TUN_F_CSUM|TUN_F_TSO6 (kernel 6.18) */
static const uint8_t real_syn[] = {
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x10, 0x00, 0x60, 0x02, 0x34, 0xd1, 0x00,
    0x28, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0xd9, 0xd6, 0x00, 0x50, 0x3d, 0x92, 0xab, 0x9a, 0x00, 0x00,
    0x00, 0x00, 0xa0, 0x02, 0xfc, 0x94, 0x5b, 0xa3, 0x00, 0x00, 0x02, 0x04, 0x04, 0xc4, 0x04,
    0x02, 0x08, 0x0a, 0xdd, 0xcc, 0x63, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
};

/* scapy 2.5: the same with its TCP checksum */
static const uint8_t real_syn_out[] = {
    0x60, 0x02, 0x34, 0xd1, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xd9, 0xd6, 0x00, 0x50, 0x3d, 0x92, 0xab, 0x9a,
    0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfc, 0x94, 0xeb, 0xf2, 0x00, 0x00, 0x02, 0x04, 0x04, 0xc4,
    0x04, 0x02, 0x08, 0x0a, 0xdd, 0xcc, 0x63, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
};

/* captured: virtio header, IPv6, TCP with timestamps; FIN|PSH|ACK, 3000 payload bytes follow */
static const uint8_t real_tso_head[] = {
    0x01, 0x04, 0x48, 0x00, 0xb8, 0x04, 0x28, 0x00, 0x10, 0x00, 0x60, 0x02, 0x34, 0xd1,
    0x0b, 0xd8, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xd9, 0xd6, 0x00, 0x50, 0x3d, 0x92,
    0xab, 0x9b, 0x00, 0x00, 0x03, 0xe9, 0x80, 0x19, 0x00, 0x40, 0x67, 0x53, 0x00, 0x00,
    0x01, 0x01, 0x08, 0x0a, 0xdd, 0xcc, 0x63, 0xd1, 0x00, 0x00, 0x13, 0x89,
};

/* scapy 2.5: headers of segment 0 (1280 bytes) */
static const uint8_t real_tso_seg0[] = {
    0x60, 0x02, 0x34, 0xd1, 0x04, 0xd8, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xd9, 0xd6, 0x00, 0x50, 0x3d,
    0x92, 0xab, 0x9b, 0x00, 0x00, 0x03, 0xe9, 0x80, 0x10, 0x00, 0x40, 0xcd, 0x38, 0x00, 0x00,
    0x01, 0x01, 0x08, 0x0a, 0xdd, 0xcc, 0x63, 0xd1, 0x00, 0x00, 0x13, 0x89,
};

/* scapy 2.5: headers of segment 1 (1280 bytes) */
static const uint8_t real_tso_seg1[] = {
    0x60, 0x02, 0x34, 0xd1, 0x04, 0xd8, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xd9, 0xd6, 0x00, 0x50, 0x3d,
    0x92, 0xb0, 0x53, 0x00, 0x00, 0x03, 0xe9, 0x80, 0x10, 0x00, 0x40, 0xe8, 0xa0, 0x00, 0x00,
    0x01, 0x01, 0x08, 0x0a, 0xdd, 0xcc, 0x63, 0xd1, 0x00, 0x00, 0x13, 0x89,
};

/* scapy 2.5: headers of segment 2 (656 bytes) */
static const uint8_t real_tso_seg2[] = {
    0x60, 0x02, 0x34, 0xd1, 0x02, 0x68, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xd9, 0xd6, 0x00, 0x50, 0x3d,
    0x92, 0xb5, 0x0b, 0x00, 0x00, 0x03, 0xe9, 0x80, 0x19, 0x00, 0x40, 0x41, 0x34, 0x00, 0x00,
    0x01, 0x01, 0x08, 0x0a, 0xdd, 0xcc, 0x63, 0xd1, 0x00, 0x00, 0x13, 0x89,
};

/* hand-built (scapy): Destination Options, CWR|ECE|PSH|ACK, seq wraps, gso_size 1400, 3000 payload
 * bytes follow */
static const uint8_t hand_tso_head[] = {
    0x01, 0x84, 0x00, 0x00, 0x78, 0x05, 0x30, 0x00, 0x10, 0x00, 0x60, 0x20, 0x00, 0x00, 0x0b, 0xd4,
    0x3c, 0x3f, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x07, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x10, 0x06, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0xbb, 0xc3, 0x50, 0xff, 0xff,
    0xf0, 0x00, 0x00, 0x00, 0x00, 0x07, 0x50, 0xd8, 0x01, 0xf4, 0xde, 0xad, 0x00, 0x00,
};

/* scapy 2.5: headers of segment 0 (1280 bytes) */
static const uint8_t hand_tso_seg0[] = {
    0x60, 0x20, 0x00, 0x00, 0x04, 0xd8, 0x3c, 0x3f, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
    0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x20, 0x01, 0x0d, 0xb8,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x06, 0x00,
    0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0xbb, 0xc3, 0x50, 0xff, 0xff, 0xf0, 0x00,
    0x00, 0x00, 0x00, 0x07, 0x50, 0xd0, 0x01, 0xf4, 0x35, 0xe2, 0x00, 0x00,
};

/* scapy 2.5: headers of segment 1 (1280 bytes) */
static const uint8_t hand_tso_seg1[] = {
    0x60, 0x20, 0x00, 0x00, 0x04, 0xd8, 0x3c, 0x3f, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
    0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x20, 0x01, 0x0d, 0xb8,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x06, 0x00,
    0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0xbb, 0xc3, 0x50, 0xff, 0xff, 0xf4, 0xbc,
    0x00, 0x00, 0x00, 0x07, 0x50, 0x50, 0x01, 0xf4, 0xf9, 0x6d, 0x00, 0x00,
};

/* scapy 2.5: headers of segment 2 (644 bytes) */
static const uint8_t hand_tso_seg2[] = {
    0x60, 0x20, 0x00, 0x00, 0x02, 0x5c, 0x3c, 0x3f, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
    0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x20, 0x01, 0x0d, 0xb8,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x06, 0x00,
    0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0xbb, 0xc3, 0x50, 0xff, 0xff, 0xf9, 0x78,
    0x00, 0x00, 0x00, 0x07, 0x50, 0x58, 0x01, 0xf4, 0x6f, 0x51, 0x00, 0x00,
};

/* hand-built (scapy): UDP, checksum field = pseudo-header sum (RFC 8200 §8.1) */
static const uint8_t hand_udp[] = {
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x06, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x6d,
    0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x07, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x10, 0x00, 0x35, 0x14, 0xe9, 0x00, 0x6d, 0x6d, 0x08, 0x03, 0x0a, 0x11, 0x18, 0x1f, 0x26,
    0x2d, 0x34, 0x3b, 0x42, 0x49, 0x50, 0x57, 0x5e, 0x65, 0x6c, 0x73, 0x7a, 0x81, 0x88, 0x8f, 0x96,
    0x9d, 0xa4, 0xab, 0xb2, 0xb9, 0xc0, 0xc7, 0xce, 0xd5, 0xdc, 0xe3, 0xea, 0xf1, 0xf8, 0xff, 0x06,
    0x0d, 0x14, 0x1b, 0x22, 0x29, 0x30, 0x37, 0x3e, 0x45, 0x4c, 0x53, 0x5a, 0x61, 0x68, 0x6f, 0x76,
    0x7d, 0x84, 0x8b, 0x92, 0x99, 0xa0, 0xa7, 0xae, 0xb5, 0xbc, 0xc3, 0xca, 0xd1, 0xd8, 0xdf, 0xe6,
    0xed, 0xf4, 0xfb, 0x02, 0x09, 0x10, 0x17, 0x1e, 0x25, 0x2c, 0x33, 0x3a, 0x41, 0x48, 0x4f, 0x56,
    0x5d, 0x64, 0x6b, 0x72, 0x79, 0x80, 0x87, 0x8e, 0x95, 0x9c, 0xa3, 0xaa, 0xb1, 0xb8, 0xbf,
};

/* scapy 2.5: the same with its UDP checksum */
static const uint8_t hand_udp_out[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x6d, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x10,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x35, 0x14, 0xe9, 0x00,
    0x6d, 0x13, 0x62, 0x03, 0x0a, 0x11, 0x18, 0x1f, 0x26, 0x2d, 0x34, 0x3b, 0x42, 0x49, 0x50,
    0x57, 0x5e, 0x65, 0x6c, 0x73, 0x7a, 0x81, 0x88, 0x8f, 0x96, 0x9d, 0xa4, 0xab, 0xb2, 0xb9,
    0xc0, 0xc7, 0xce, 0xd5, 0xdc, 0xe3, 0xea, 0xf1, 0xf8, 0xff, 0x06, 0x0d, 0x14, 0x1b, 0x22,
    0x29, 0x30, 0x37, 0x3e, 0x45, 0x4c, 0x53, 0x5a, 0x61, 0x68, 0x6f, 0x76, 0x7d, 0x84, 0x8b,
    0x92, 0x99, 0xa0, 0xa7, 0xae, 0xb5, 0xbc, 0xc3, 0xca, 0xd1, 0xd8, 0xdf, 0xe6, 0xed, 0xf4,
    0xfb, 0x02, 0x09, 0x10, 0x17, 0x1e, 0x25, 0x2c, 0x33, 0x3a, 0x41, 0x48, 0x4f, 0x56, 0x5d,
    0x64, 0x6b, 0x72, 0x79, 0x80, 0x87, 0x8e, 0x95, 0x9c, 0xa3, 0xaa, 0xb1, 0xb8, 0xbf,
};

#define PAY	 3000	   /* payload bytes after each *_head vector */
#define SEG_MAX	 4096	   /* largest packet a test expects back */
#define MAX_SEGS (PAY + 8) /* gso_size 1 gives one segment per payload byte */
#define REAL_L4	 40
#define REAL_HL	 72 /* IPv6 + TCP with the timestamp option */
#define HAND_L4	 48 /* after an 8-byte Destination Options header */
#define HAND_HL	 68

/* What the capture sent and what the hand-built vectors carry: byte i is (7i + 3) mod 256. */
static uint8_t pat(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* A whole read: a *_head vector then PAY pattern bytes. Freed by the caller. */
static uint8_t *mk(const uint8_t *head, size_t hlen, size_t *len)
{
	uint8_t *p = malloc(hlen + PAY);

	assert_non_null(p);
	memcpy(p, head, hlen);
	for (size_t i = 0; i < PAY; i++)
		p[hlen + i] = pat(i);
	*len = hlen + PAY;
	return p;
}

/* Every packet emitted, copied (the pointers die with the call). */
struct col {
	size_t n;
	const uint8_t *first; /* where the first packet was, to check pass-through */
	uint8_t *bytes;	      /* MAX_SEGS slots of SEG_MAX */
	size_t len[MAX_SEGS];
};

static void col_emit(void *arg, const uint8_t *p, size_t len)
{
	struct col *c = arg;

	assert_true(c->n < MAX_SEGS);
	assert_true(len <= SEG_MAX);
	if (c->n == 0)
		c->first = p;
	memcpy(c->bytes + c->n * SEG_MAX, p, len);
	c->len[c->n++] = len;
}

static const uint8_t *seg(const struct col *c, size_t i)
{
	return c->bytes + i * SEG_MAX;
}

static struct col *col_new(void)
{
	struct col *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->bytes = malloc((size_t)MAX_SEGS * SEG_MAX);
	assert_non_null(c->bytes);
	return c;
}

static void col_free(struct col *c)
{
	free(c->bytes);
	free(c);
}

/* gso_split into a fresh col with an output buffer of cap bytes; *nseg must match the emits. */
static enum gso_status run(struct col *c, const uint8_t *in, size_t len, size_t mtu, size_t cap)
{
	uint8_t *buf = malloc(cap ? cap : 1);
	struct gso_out out = {buf, cap, col_emit, c};
	size_t nseg = 99;
	enum gso_status st;

	assert_non_null(buf);
	c->n = 0;
	c->first = NULL;
	st = gso_split(in, len, mtu, &out, &nseg);
	assert_int_equal(nseg, c->n);
	if (st != GSO_OK)
		assert_int_equal(c->n, 0); /* an error emits nothing */
	free(buf);
	return st;
}

/* ---- an independent checksum: RFC 1071 byte by byte, RFC 8200 §8.1 pseudo-header ---- */

static uint32_t ref_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sum += (i % 2 == 0) ? (uint32_t)p[i] << 8 : p[i];
	return sum;
}

static bool ref_l4_ok(const uint8_t *pkt, size_t len, size_t l4, uint8_t proto)
{
	uint8_t ph[40] = {0};
	uint32_t sum, ulen = (uint32_t)(len - l4);

	memcpy(ph, pkt + 8, 32);
	ph[32] = (uint8_t)(ulen >> 24);
	ph[33] = (uint8_t)(ulen >> 16);
	ph[34] = (uint8_t)(ulen >> 8);
	ph[35] = (uint8_t)ulen;
	ph[39] = proto;
	sum = ref_add(ref_add(0, ph, 40), pkt + l4, len - l4);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/*
 * Checks a TSO split of `in` (virtio header, then headers of hl bytes with TCP at l4) against
 * what RFC 9293 and the NIC model require, without the expected bytes: sizes, headers copied
 * except Payload Length / Sequence Number / flags / checksum, sequence numbers, FIN and PSH on
 * the last only, CWR on the first only, checksums, and the payload reassembled.
 */
static void check_tso(const struct col *c, const uint8_t *in, size_t len, size_t l4, size_t hl,
		      size_t mtu, size_t gso)
{
	const uint8_t *ip = in + GSO_VNET_HDR_LEN;
	size_t pay = len - GSO_VNET_HDR_LEN - hl, chunk = gso < mtu - hl ? gso : mtu - hl, off = 0;
	uint8_t fl = ip[l4 + 13];

	assert_int_equal(c->n, pay == 0 ? 1 : (pay + chunk - 1) / chunk);
	for (size_t i = 0; i < c->n; i++) {
		const uint8_t *s = seg(c, i);
		size_t n = c->len[i] - hl;
		uint8_t want = fl;

		assert_true(c->len[i] <= mtu);
		assert_int_equal(n, pay - off < chunk ? pay - off : chunk);
		assert_memory_equal(s, ip, 4);
		assert_int_equal(s[4] << 8 | s[5], c->len[i] - 40);
		assert_memory_equal(s + 6, ip + 6, l4 + 4 - 6);
		assert_int_equal(be32(s + l4 + 4), (uint32_t)(be32(ip + l4 + 4) + off));
		assert_memory_equal(s + l4 + 8, ip + l4 + 8, 5);
		if (i + 1 < c->n)
			want &= (uint8_t)~0x09; /* FIN, PSH */
		if (i > 0)
			want &= (uint8_t)~0x80; /* CWR */
		assert_int_equal(s[l4 + 13], want);
		assert_memory_equal(s + l4 + 14, ip + l4 + 14, 2);
		assert_memory_equal(s + l4 + 18, ip + l4 + 18, hl - l4 - 18);
		assert_true(ref_l4_ok(s, c->len[i], l4, 6));
		assert_memory_equal(s + hl, ip + hl + off, n);
		off += n;
	}
	assert_int_equal(off, pay);
}

/* ---- the vectors, byte for byte ---- */

static void test_real_syn(void **state)
{
	struct col *c = col_new();

	(void)state;
	assert_int_equal(run(c, real_syn, sizeof(real_syn), 1280, 1280), GSO_OK);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->len[0], sizeof(real_syn_out));
	assert_memory_equal(seg(c, 0), real_syn_out, sizeof(real_syn_out));
	col_free(c);
}

static void expect_segs(const struct col *c, const uint8_t *in, size_t hl,
			const uint8_t *const heads[3], const size_t lens[3])
{
	size_t off = 0;

	assert_int_equal(c->n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(c->len[i], lens[i]);
		assert_memory_equal(seg(c, i), heads[i], hl);
		assert_memory_equal(seg(c, i) + hl, in + GSO_VNET_HDR_LEN + hl + off, lens[i] - hl);
		off += lens[i] - hl;
	}
}

static void test_real_tso(void **state)
{
	const uint8_t *const heads[3] = {real_tso_seg0, real_tso_seg1, real_tso_seg2};
	const size_t lens[3] = {1280, 1280, REAL_HL + PAY - 2 * 1208};
	struct col *c = col_new();
	size_t len;
	uint8_t *in = mk(real_tso_head, sizeof(real_tso_head), &len);

	(void)state;
	assert_int_equal(run(c, in, len, 1280, 1280), GSO_OK);
	expect_segs(c, in, REAL_HL, heads, lens);
	check_tso(c, in, len, REAL_L4, REAL_HL, 1280, 1208);
	free(in);
	col_free(c);
}

/* gso_size 1400 is more than mtu 1280 allows: chunks of 1280 - 68; CWR only on the first. */
static void test_hand_tso(void **state)
{
	const uint8_t *const heads[3] = {hand_tso_seg0, hand_tso_seg1, hand_tso_seg2};
	const size_t lens[3] = {1280, 1280, HAND_HL + PAY - 2 * (1280 - HAND_HL)};
	struct col *c = col_new();
	size_t len;
	uint8_t *in = mk(hand_tso_head, sizeof(hand_tso_head), &len);

	(void)state;
	assert_int_equal(run(c, in, len, 1280, 1280), GSO_OK);
	expect_segs(c, in, HAND_HL, heads, lens);
	check_tso(c, in, len, HAND_L4, HAND_HL, 1280, 1400);
	free(in);
	col_free(c);
}

static void test_hand_udp_csum(void **state)
{
	struct col *c = col_new();

	(void)state;
	assert_int_equal(run(c, hand_udp, sizeof(hand_udp), 1280, 1280), GSO_OK);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->len[0], sizeof(hand_udp_out));
	assert_memory_equal(seg(c, 0), hand_udp_out, sizeof(hand_udp_out));
	assert_true(ref_l4_ok(seg(c, 0), c->len[0], 40, 17));
	col_free(c);
}

/* No offload asked for: the packet itself, not copied, whatever its length or content. */
static void test_none_passthrough(void **state)
{
	uint8_t in[GSO_VNET_HDR_LEN + 2000] = {0};
	struct col *c = col_new();

	(void)state;
	in[GSO_VNET_HDR_LEN] = 0x60;
	in[1] = GSO_TYPE_ECN; /* a flag, not a type */
	assert_int_equal(run(c, in, sizeof(in), 1280, 1280), GSO_OK);
	assert_int_equal(c->n, 1);
	assert_ptr_equal(c->first, in + GSO_VNET_HDR_LEN);
	assert_int_equal(c->len[0], 2000);
	assert_int_equal(run(c, in, GSO_VNET_HDR_LEN, 1280, 1280), GSO_OK);
	assert_int_equal(c->len[0], 0);
	col_free(c);
}

/* ---- every segment size and several MTUs, checked without expected bytes ---- */

static void sweep(const uint8_t *head, size_t headlen, size_t l4, size_t hl)
{
	static const size_t mtus[] = {1280, 1281, 1400, 1500, 9000, 65575};
	struct col *c = col_new();
	size_t len;
	uint8_t *in = mk(head, headlen, &len);

	for (size_t m = 0; m < sizeof(mtus) / sizeof(mtus[0]); m++)
		for (size_t gso = 1; gso <= PAY + 2; gso += gso < 40 ? 1 : 97) {
			set_le16(in + 4, (uint16_t)gso);
			assert_int_equal(run(c, in, len, mtus[m], SEG_MAX), GSO_OK);
			check_tso(c, in, len, l4, hl, mtus[m], gso);
		}
	/* The smallest MTU that leaves room: one payload byte per segment. */
	set_le16(in + 4, 1208);
	assert_int_equal(run(c, in, len, hl + 1, hl + 1), GSO_OK);
	check_tso(c, in, len, l4, hl, hl + 1, 1208);
	free(in);
	col_free(c);
}

static void test_sweep(void **state)
{
	(void)state;
	sweep(real_tso_head, sizeof(real_tso_head), REAL_L4, REAL_HL);
	sweep(hand_tso_head, sizeof(hand_tso_head), HAND_L4, HAND_HL);
}

/* A super-packet without payload (the Payload Length says so) is one segment. */
static void test_no_payload(void **state)
{
	uint8_t in[sizeof(real_tso_head)];
	struct col *c = col_new();

	(void)state;
	memcpy(in, real_tso_head, sizeof(in));
	in[GSO_VNET_HDR_LEN + 4] = 0;
	in[GSO_VNET_HDR_LEN + 5] = REAL_HL - 40;
	assert_int_equal(run(c, in, sizeof(in), 1280, 1280), GSO_OK);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->len[0], REAL_HL);
	assert_int_equal(seg(c, 0)[REAL_L4 + 13], 0x19); /* FIN PSH ACK */
	assert_true(ref_l4_ok(seg(c, 0), REAL_HL, REAL_L4, 6));
	col_free(c);
}

/* ---- malformed reads ---- */

/* A copy of the real super-packet with one byte changed; the result of splitting it. */
static enum gso_status poke(struct col *c, size_t at, uint8_t v, size_t mtu, size_t cap)
{
	size_t len;
	uint8_t *in = mk(real_tso_head, sizeof(real_tso_head), &len);
	enum gso_status st;

	in[at] = v;
	st = run(c, in, len, mtu, cap);
	free(in);
	return st;
}

static void test_bad_vnet(void **state)
{
	static const uint8_t types[] = {GSO_TYPE_TCPV4,
					2,
					GSO_TYPE_UDP,
					GSO_TYPE_UDP_L4,
					6,
					0x7f,
					GSO_TYPE_TCPV4 | GSO_TYPE_ECN};
	struct col *c = col_new();

	(void)state;
	for (size_t n = 0; n < GSO_VNET_HDR_LEN; n++)
		assert_int_equal(run(c, real_syn, n, 1280, 1280), GSO_ERR_SHORT);
	for (size_t i = 0; i < sizeof(types); i++)
		assert_int_equal(poke(c, 1, types[i], 1280, 1280), GSO_ERR_TYPE);
	/* csum_start (bytes 6-7) not the TCP header, csum_offset (8-9) not its checksum. */
	assert_int_equal(poke(c, 6, 41, 1280, 1280), GSO_ERR_CSUM);
	assert_int_equal(poke(c, 7, 1, 1280, 1280), GSO_ERR_CSUM);
	assert_int_equal(poke(c, 8, 6, 1280, 1280), GSO_ERR_CSUM);
	/* Without NEEDS_CSUM the offsets are not used; the checksums are computed all the same. */
	assert_int_equal(poke(c, 0, 0, 1280, 1280), GSO_OK);
	assert_int_equal(c->n, 3);
	for (size_t i = 0; i < 3; i++)
		assert_true(ref_l4_ok(seg(c, i), c->len[i], REAL_L4, 6));
	col_free(c);
}

static void test_bad_size(void **state)
{
	struct col *c = col_new();
	size_t len;
	uint8_t *in = mk(real_tso_head, sizeof(real_tso_head), &len);

	(void)state;
	set_le16(in + 4, 0);
	assert_int_equal(run(c, in, len, 1280, 1280), GSO_ERR_SIZE);
	set_le16(in + 4, 1208);
	assert_int_equal(run(c, in, len, REAL_HL, 1280), GSO_ERR_SIZE);
	assert_int_equal(run(c, in, len, 0, 1280), GSO_ERR_SIZE);
	assert_int_equal(run(c, in, len, 1280, 1279), GSO_ERR_SPACE);
	assert_int_equal(run(c, in, len, 1280, 0), GSO_ERR_SPACE);
	/* The largest segment is the last one when the payload is shorter than a chunk. */
	assert_int_equal(run(c, in, len, 65575, REAL_HL + PAY), GSO_OK);
	assert_int_equal(c->n, 3);
	set_le16(in + 4, 65535);
	assert_int_equal(run(c, in, len, 65575, REAL_HL + PAY - 1), GSO_ERR_SPACE);
	assert_int_equal(run(c, in, len, 65575, REAL_HL + PAY), GSO_OK);
	assert_int_equal(c->n, 1);
	free(in);
	col_free(c);
}

static void test_bad_ip6(void **state)
{
	const size_t ip = GSO_VNET_HDR_LEN;
	struct col *c = col_new();

	(void)state;
	assert_int_equal(poke(c, ip, 0x40, 1280, 1280), GSO_ERR_IP6);	  /* version 4 */
	assert_int_equal(poke(c, ip + 5, 0xcd, 1280, 1280), GSO_ERR_IP6); /* Payload Length */
	assert_int_equal(poke(c, ip + 4, 0, 1280, 1280), GSO_ERR_IP6);
	assert_int_equal(poke(c, ip + 6, 17, 1280, 1280), GSO_ERR_IP6); /* UDP */
	assert_int_equal(poke(c, ip + 6, 59, 1280, 1280), GSO_ERR_IP6); /* No Next Header */
	/* Data Offset 4 and 0 are wrong; 15 (60 bytes) is fine with 3000 bytes after it (a
	   short packet is test_truncated's). */
	assert_int_equal(poke(c, ip + REAL_L4 + 12, 0x40, 1280, 1280), GSO_ERR_TCP);
	assert_int_equal(poke(c, ip + REAL_L4 + 12, 0x00, 1280, 1280), GSO_ERR_TCP);
	assert_int_equal(poke(c, ip + REAL_L4 + 12, 0xf0, 1280, 1280), GSO_OK);
	col_free(c);
}

/* An extension header inserted after the fixed header: fragment, or routed. */
static enum gso_status with_ext(struct col *c, const uint8_t ext[8])
{
	uint8_t in[sizeof(real_tso_head) + 8 + 100];
	const size_t ip = GSO_VNET_HDR_LEN;

	memcpy(in, real_tso_head, ip + 40);
	memcpy(in + ip + 40, ext, 8);
	memcpy(in + ip + 48, real_tso_head + ip + 40, REAL_HL - 40);
	memset(in + ip + REAL_HL + 8, 0xab, 100);
	in[ip + 6] = ext[7]; /* the extension's own type, passed in its last byte */
	in[ip + 4] = 0;
	in[ip + 5] = (uint8_t)(REAL_HL - 40 + 8 + 100);
	in[6] = 48; /* csum_start */
	return run(c, in, sizeof(in), 1280, 1280);
}

static void test_bad_ext(void **state)
{
	/* Byte 7 is overwritten by with_ext's Next Header fix-up: it names the header type here,
	   and is a reserved or identification byte in the header itself. */
	const uint8_t frag[8] = {6, 0, 0, 0, 0, 0, 0, 44};	 /* offset 0: a first fragment */
	const uint8_t routed[8] = {6, 0, 4, 1, 0, 0, 0, 43};	 /* Segments Left 1 */
	const uint8_t route_done[8] = {6, 0, 4, 0, 0, 0, 0, 43}; /* Segments Left 0 */
	const uint8_t dstopts[8] = {6, 0, 1, 4, 0, 0, 0, 60};	 /* PadN */
	const uint8_t hbh_bad_len[8] = {6, 9, 1, 4, 0, 0, 0, 0}; /* 80 bytes: past the headers */
	struct col *c = col_new();

	(void)state;
	assert_int_equal(with_ext(c, frag), GSO_ERR_IP6);
	assert_int_equal(with_ext(c, routed), GSO_ERR_IP6);
	assert_int_equal(with_ext(c, route_done), GSO_OK);
	assert_int_equal(with_ext(c, dstopts), GSO_OK);
	assert_int_equal(c->n, 1);
	assert_true(ref_l4_ok(seg(c, 0), c->len[0], 48, 6));
	assert_int_not_equal(with_ext(c, hbh_bad_len), GSO_OK);
	col_free(c);
}

static void test_bad_none(void **state)
{
	uint8_t in[sizeof(hand_udp)];
	struct col *c = col_new();
	const size_t plen = sizeof(hand_udp) - GSO_VNET_HDR_LEN;

	(void)state;
	memcpy(in, hand_udp, sizeof(in));
	set_le16(in + 6, (uint16_t)plen); /* csum_start at the end */
	assert_int_equal(run(c, in, sizeof(in), 1280, 1280), GSO_ERR_CSUM);
	set_le16(in + 6, (uint16_t)(plen - 2)); /* the field is the last two bytes: fine */
	set_le16(in + 8, 0);
	assert_int_equal(run(c, in, sizeof(in), 1280, 1280), GSO_OK);
	set_le16(in + 8, 1); /* one byte past the end */
	assert_int_equal(run(c, in, sizeof(in), 1280, 1280), GSO_ERR_CSUM);
	set_le16(in + 6, 0xffff);
	set_le16(in + 8, 0xffff);
	assert_int_equal(run(c, in, sizeof(in), 1280, 1280), GSO_ERR_CSUM);
	/* It is copied to complete the checksum: the output buffer must hold it. */
	assert_int_equal(run(c, hand_udp, sizeof(hand_udp), 1280, plen - 1), GSO_ERR_SPACE);
	col_free(c);
}

/* Every truncation of a read: an error (nothing emitted) or, for GSO_NONE, one packet. */
static void test_truncated(void **state)
{
	struct col *c = col_new();
	size_t len;
	uint8_t *in = mk(hand_tso_head, sizeof(hand_tso_head), &len);

	(void)state;
	for (size_t n = 0; n < len; n++)
		assert_int_not_equal(run(c, in, n, 1280, 1280), GSO_OK);
	for (size_t n = 0; n < sizeof(hand_udp); n++) {
		enum gso_status st = run(c, hand_udp, n, 1280, 1280);

		assert_true(st == GSO_OK ? c->n == 1 && c->len[0] == n - GSO_VNET_HDR_LEN
					 : c->n == 0);
	}
	free(in);
	col_free(c);
}

static void test_status_str(void **state)
{
	(void)state;
	for (int s = GSO_OK; s <= GSO_ERR_SPACE; s++)
		assert_string_not_equal(gso_status_str((enum gso_status)s), "?");
	assert_string_equal(gso_status_str((enum gso_status)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_syn),	     cmocka_unit_test(test_real_tso),
	    cmocka_unit_test(test_hand_tso),	     cmocka_unit_test(test_hand_udp_csum),
	    cmocka_unit_test(test_none_passthrough), cmocka_unit_test(test_sweep),
	    cmocka_unit_test(test_no_payload),	     cmocka_unit_test(test_bad_vnet),
	    cmocka_unit_test(test_bad_size),	     cmocka_unit_test(test_bad_ip6),
	    cmocka_unit_test(test_bad_ext),	     cmocka_unit_test(test_bad_none),
	    cmocka_unit_test(test_truncated),	     cmocka_unit_test(test_status_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
