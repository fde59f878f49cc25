/* SPDX-License-Identifier: ISC */
/*
 * frame: the IP-HTTPS stream de-framer ([MS-IPHTTPS] §3.1.5.3, §3.2.5.2, §3.2.5.2.2).
 *
 * It does: cut the byte stream of one tunnel direction into IPv6 packets using nothing but the
 * fixed header (RFC 8200 §3: total length = 40 + Payload Length), hand whole packets found in
 * the caller's buffer over in place, reassemble only a packet split across reads (in at most
 * mtu bytes, allocated once), and cut packets longer than mtu down to their first mtu bytes.
 * It does not: validate anything past Version, Payload Length and Next Header (ip6 and link do),
 * resynchronise after garbage (a byte stream cannot: the caller closes), or do I/O.
 *
 * State between calls is one of: at a packet boundary (have == 0, skip == 0); holding the first
 * `have` bytes of a packet in buf (need == 0 until its first 7 bytes are in); or discarding the
 * `skip` bytes left of an oversize packet whose head was already passed to ->oversize.
 */
#include "proto/frame.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

#define FRAME_MIN_MTU	1280			 /* RFC 8200 §5; [MS-IPHTTPS] §3.2.3.1 */
#define FRAME_MAX_LEN	(FRAME_IPV6_HDR + 65535) /* the longest packet without a jumbo option */
#define FRAME_HDR_KNOWN 7 /* Version .. Next Header: enough for the length and the jumbo check */

void frame_rx_init(struct frame_rx *rx, uint32_t mtu)
{
	memset(rx, 0, sizeof(*rx));
	/* Below the IPv6 minimum nothing works; above the longest packet is memory for nothing. */
	if (mtu < FRAME_MIN_MTU)
		mtu = FRAME_MIN_MTU;
	if (mtu > FRAME_MAX_LEN)
		mtu = FRAME_MAX_LEN;
	rx->mtu = mtu;
}

void frame_rx_free(struct frame_rx *rx)
{
	free(rx->buf);
	rx->buf = NULL;
	rx->have = 0;
	rx->need = 0;
	rx->skip = 0;
}

size_t frame_rx_pending(const struct frame_rx *rx)
{
	return rx->have;
}

const char *frame_status_str(enum frame_status st)
{
	switch (st) {
	case FRAME_OK:
		return "ok";
	case FRAME_ERR_NOT_IPV6:
		return "not an IPv6 packet";
	case FRAME_ERR_JUMBO:
		return "jumbogram";
	case FRAME_ERR_NOMEM:
		return "out of memory";
	}
	return "unknown frame status";
}

/*
 * Looks at the first n (>= 1) bytes of a packet. The version is judged on the very first byte
 * ([MS-IPHTTPS] §3.2.5.2.2: not IPv6 -> discard and end the session, so there is no point in
 * waiting for more). Once Next Header is in, *need is the packet's total length; until then 0.
 */
static enum frame_status frame_head(const uint8_t *p, size_t n, uint32_t *need)
{
	struct buf_cur c;
	uint8_t vtc = 0, nh = 0;
	uint16_t plen = 0;

	*need = 0;
	buf_cur_init(&c, p, n);
	if (buf_get_u8(&c, &vtc) < 0)
		return FRAME_OK;
	if (vtc >> 4 != 6)
		return FRAME_ERR_NOT_IPV6;
	if (buf_skip(&c, 3) < 0 || buf_get_u16(&c, &plen) < 0 || buf_get_u8(&c, &nh) < 0)
		return FRAME_OK;
	/* RFC 2675 §3: Payload Length 0 with a Hop-by-Hop header is a jumbogram, whose length sits
	 * in an option; IP-HTTPS cannot carry one (MTU 1280) and the stream would be lost. */
	if (plen == 0 && nh == 0)
		return FRAME_ERR_JUMBO;
	*need = FRAME_IPV6_HDR + (uint32_t)plen;
	return FRAME_OK;
}

static void frame_packet(struct frame_rx *rx, const struct frame_cb *cb, const uint8_t *pkt,
			 uint32_t len)
{
	rx->packets++;
	if (cb->packet)
		cb->packet(cb->arg, pkt, len);
}

/* `head` is the first mtu bytes of a `len`-byte packet; the rest is discarded as it comes. */
static void frame_oversize(struct frame_rx *rx, const struct frame_cb *cb, const uint8_t *head,
			   uint32_t len)
{
	rx->oversize_count++;
	rx->skip = len - rx->mtu;
	if (cb->oversize)
		cb->oversize(cb->arg, head, rx->mtu, len);
}

static void frame_skip(struct frame_rx *rx, struct buf_cur *c)
{
	size_t n = buf_left(c) < rx->skip ? buf_left(c) : rx->skip;

	buf_skip(c, n);
	rx->skip -= (uint32_t)n;
}

/* Copies into buf what the current packet still lacks (its head only, if oversize). */
static enum frame_status frame_fill(struct frame_rx *rx, struct buf_cur *c,
				    const struct frame_cb *cb)
{
	uint32_t want = rx->need ? (rx->need < rx->mtu ? rx->need : rx->mtu) : FRAME_HDR_KNOWN;
	size_t n = buf_left(c) < want - rx->have ? buf_left(c) : want - rx->have;

	if (!rx->buf && !(rx->buf = malloc(rx->mtu)))
		return FRAME_ERR_NOMEM;
	buf_get_bytes(c, rx->buf + rx->have, n);
	rx->have += (uint32_t)n;
	if (!rx->need)
		return frame_head(rx->buf, rx->have, &rx->need);
	if (rx->have < want)
		return FRAME_OK;
	if (rx->need <= rx->mtu)
		frame_packet(rx, cb, rx->buf, rx->need);
	else
		frame_oversize(rx, cb, rx->buf, rx->need);
	rx->have = 0;
	rx->need = 0;
	return FRAME_OK;
}

/* At a packet boundary: pass the packet (or an oversize head) over in place if it is all here. */
static enum frame_status frame_start(struct frame_rx *rx, struct buf_cur *c,
				     const struct frame_cb *cb)
{
	const uint8_t *p = NULL;
	uint32_t need = 0;
	enum frame_status st = frame_head(buf_pos(c), buf_left(c), &need);

	if (st != FRAME_OK)
		return st;
	if (need && need <= rx->mtu && buf_get_ptr(c, &p, need) == 0) {
		frame_packet(rx, cb, p, need);
		return FRAME_OK;
	}
	if (need > rx->mtu && buf_get_ptr(c, &p, rx->mtu) == 0) {
		frame_oversize(rx, cb, p, need);
		return FRAME_OK;
	}
	return frame_fill(rx, c, cb);
}

enum frame_status frame_rx_feed(struct frame_rx *rx, const uint8_t *data, size_t len,
				const struct frame_cb *cb)
{
	enum frame_status st = FRAME_OK;
	struct buf_cur c;

	buf_cur_init(&c, data, len);
	while (st == FRAME_OK && buf_left(&c) > 0) {
		if (rx->skip)
			frame_skip(rx, &c);
		else if (rx->have)
			st = frame_fill(rx, &c, cb);
		else
			st = frame_start(rx, &c, cb);
	}
	rx->bytes += len; /* all of it arrived from the peer, even past an error */
	return st;
}
