/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for proto/frame. The input is one direction of an IP-HTTPS tunnel. It is
 * fed twice, once whole and once cut at pseudo-random points derived from the input itself
 * (a hash seeds the cuts: 1 byte, a few bytes, tens, hundreds), so reassembly across reads is
 * exercised. A reference walk of the stream checks, after every call:
 *  - each delivered packet is the next packet of the stream, byte for byte: version 6,
 *    len == 40 + Payload Length, len <= mtu; each oversize call gives the first mtu bytes of a
 *    packet longer than mtu and its true length;
 *  - a packet is delivered by the call that brings its last byte (its mtu-th, if oversize),
 *    in place when it lies whole in that call's buffer, from rx->buf otherwise;
 *  - errors come exactly when the reference says, on the byte that shows them;
 *  - rx->bytes counts every byte fed, also in the call that fails;
 *  - delivered bytes (full length of oversize packets) - skip still to come + pending == fed,
 *    pending < mtu, and the counters match.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

struct ctx {
	const uint8_t *data;
	size_t size;
	const struct frame_rx *rx;
	size_t pos;	    /* stream offset of the next packet the de-framer must deliver */
	size_t chunk_start; /* the current call's data[chunk_start..fed) */
	size_t fed;
	uint64_t packets, oversize;
};

static uint32_t pkt_len(const uint8_t *p)
{
	return 40u + ((uint32_t)p[4] << 8 | p[5]);
}

/* Where the bytes handed over must be: in place if the whole span came in this call. */
static void check_where(const struct ctx *c, const uint8_t *p, size_t span)
{
	if (c->pos >= c->chunk_start)
		CHECK(p == c->data + c->pos);
	else
		CHECK(p == c->rx->buf);
	CHECK(c->pos + span <= c->fed);
}

static void on_packet(void *arg, const uint8_t *pkt, size_t len)
{
	struct ctx *c = arg;

	CHECK(c->pos + 7 <= c->size);
	CHECK(len == pkt_len(c->data + c->pos) && len <= c->rx->mtu && len >= 40);
	CHECK(pkt[0] >> 4 == 6);
	check_where(c, pkt, len);
	CHECK(memcmp(pkt, c->data + c->pos, len) == 0);
	c->pos += len;
	c->packets++;
}

static void on_oversize(void *arg, const uint8_t *head, size_t headlen, size_t len)
{
	struct ctx *c = arg;

	CHECK(c->pos + 7 <= c->size);
	CHECK(len == pkt_len(c->data + c->pos) && len > c->rx->mtu && headlen == c->rx->mtu);
	check_where(c, head, headlen);
	CHECK(memcmp(head, c->data + c->pos, headlen) == 0);
	c->pos += len;
	c->oversize++;
}

/* What the reference walk says about the stream after `fed` bytes. */
static enum frame_status expected(const struct ctx *c)
{
	const uint8_t *p = c->data + c->pos;
	size_t tail;
	uint32_t need;

	if (c->pos >= c->fed)
		return FRAME_OK;
	tail = c->fed - c->pos;
	if (p[0] >> 4 != 6)
		return FRAME_ERR_NOT_IPV6;
	if (tail < 7)
		return FRAME_OK;
	if (p[4] == 0 && p[5] == 0 && p[6] == 0)
		return FRAME_ERR_JUMBO;
	need = pkt_len(p);
	CHECK(tail < (need < c->rx->mtu ? need : c->rx->mtu)); /* else it is overdue */
	return FRAME_OK;
}

static void check_state(const struct ctx *c, const struct frame_rx *rx)
{
	size_t pending = frame_rx_pending(rx);

	CHECK(rx->bytes == c->fed);
	CHECK(rx->packets == c->packets && rx->oversize_count == c->oversize);
	CHECK(c->pos - rx->skip + pending == c->fed);
	CHECK(pending < rx->mtu);
	CHECK(rx->skip == 0 || pending == 0);
	if (c->pos > c->fed)
		CHECK(rx->skip == c->pos - c->fed);
	else
		CHECK(rx->skip == 0 && pending == c->fed - c->pos);
}

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Feeds the input in chunks; split == false: one call. */
static void run(const uint8_t *data, size_t size, uint32_t mtu, bool split, uint64_t seed)
{
	struct frame_rx rx;
	struct ctx c = {.data = data, .size = size, .rx = &rx};
	struct frame_cb cb = {.packet = on_packet, .oversize = on_oversize, .arg = &c};
	uint64_t x = seed | 1;

	frame_rx_init(&rx, mtu);
	CHECK(rx.mtu >= 1280 && rx.mtu <= 65575);
	do {
		static const size_t scale[] = {1, 8, 64, 2048};
		size_t n = split ? 1 + next(&x) % scale[next(&x) % 4] : size;
		enum frame_status st, want;

		n = n < size - c.fed ? n : size - c.fed;
		c.chunk_start = c.fed;
		c.fed += n;
		st = frame_rx_feed(&rx, data + c.chunk_start, n, &cb);
		want = expected(&c);
		CHECK(st == want);
		if (st != FRAME_OK) {
			CHECK(rx.bytes == c.fed);
			break;
		}
		check_state(&c, &rx);
	} while (c.fed < size);
	frame_rx_free(&rx);
	CHECK(rx.buf == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325u;
	uint32_t mtu = 1280;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3u;
	/* Mostly the IP-HTTPS link MTU; sometimes another (clamped) value. */
	if ((h & 3) == 0)
		mtu = (uint32_t)(h >> 8) % 3000;
	else if ((h & 7) == 1)
		mtu = (uint32_t)(h >> 8);
	run(data, size, mtu, false, h);
	run(data, size, mtu, true, h);
	return 0;
}
