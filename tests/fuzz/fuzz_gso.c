/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for proto/gso. The first two input bytes pick the MTU (1280 + 0..254 * 8,
 * or 41..296 for 0xff) and the output buffer (the MTU, or a few bytes under it); the rest is one
 * TUN read: a virtio header and a packet. Checked for every input:
 *  - an error emits nothing, and *nseg counts the emits;
 *  - every emitted packet fits the output buffer, and comes from it unless it is a GSO_NONE
 *    packet passed through as it is (then it is the input's own bytes, whole);
 *  - for GSO_TCPV6, every segment is at most mtu bytes, a complete IPv6 packet (Payload Length)
 *    with a TCP checksum that verifies through proto/ip6's checksum (not gso's own code), and
 *    the payloads put back together are the input's payload.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/gso.h"
#include "proto/ip6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

struct ctx {
	const uint8_t *in; /* the read */
	size_t len;
	const uint8_t *buf; /* the output buffer */
	size_t cap, mtu;
	bool tso;
	size_t n;
	size_t pay; /* TSO: payload bytes seen so far */
	size_t hl;  /* TSO: the headers' length, the same in every segment */
};

/* The TCP header's offset in a segment: where the Next Header chain of the input led. */
static size_t tcp_off(const uint8_t *p, size_t len)
{
	struct ip6_upper u;

	CHECK(ip6_find_upper(&u, p, len) == 0 && u.known && u.proto == 6);
	return u.off;
}

static void check_tso_seg(struct ctx *c, const uint8_t *p, size_t len)
{
	struct in6_addr src, dst;
	size_t l4, hl;

	CHECK(len <= c->mtu && len >= 40);
	CHECK((size_t)(p[4] << 8 | p[5]) == len - 40);
	l4 = tcp_off(p, len);
	hl = l4 + (size_t)(p[l4 + 12] >> 4) * 4;
	CHECK(hl <= len && (c->n == 1 || hl == c->hl));
	c->hl = hl;
	memcpy(&src, p + 8, 16);
	memcpy(&dst, p + 24, 16);
	CHECK(ip6_cksum(&src, &dst, 6, p + l4, len - l4) == 0);
	/* The payload continues the input's: the input's headers are hl bytes too. */
	CHECK(GSO_VNET_HDR_LEN + hl + c->pay + (len - hl) <= c->len);
	CHECK(memcmp(p + hl, c->in + GSO_VNET_HDR_LEN + hl + c->pay, len - hl) == 0);
	c->pay += len - hl;
}

static void emit(void *arg, const uint8_t *p, size_t len)
{
	struct ctx *c = arg;

	c->n++;
	if (p == c->in + GSO_VNET_HDR_LEN) {
		CHECK(!c->tso && c->n == 1 && len == c->len - GSO_VNET_HDR_LEN);
		return;
	}
	CHECK(p == c->buf && len <= c->cap);
	if (c->tso)
		check_tso_seg(c, p, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[GSO_READ_MAX];
	struct ctx c = {0};
	struct gso_out out = {buf, 0, emit, &c};
	size_t nseg;
	enum gso_status st;

	if (size < 2)
		return 0;
	c.mtu = data[0] == 0xff ? 41 + data[1] : 1280 + (size_t)data[0] * 8;
	c.cap = out.cap = c.mtu - (data[1] < 8 ? data[1] : 0);
	c.in = data + 2;
	c.len = size - 2;
	c.buf = buf;
	c.tso = c.len > 1 && (c.in[1] & 0x7f) == GSO_TYPE_TCPV6;
	st = gso_split(c.in, c.len, c.mtu, &out, &nseg);
	CHECK(nseg == c.n);
	if (st != GSO_OK) {
		CHECK(c.n == 0);
		return 0;
	}
	CHECK(c.n >= 1);
	if (c.tso)
		CHECK(c.pay == c.len - GSO_VNET_HDR_LEN - c.hl);
	return 0;
}
