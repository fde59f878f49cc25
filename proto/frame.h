/* SPDX-License-Identifier: ISC */
/*
 * frame: the IP-HTTPS stream de-framer ([MS-IPHTTPS] §3.1.5.3, §3.2.5.2). Each direction of the
 * tunnel is complete IPv6 packets back to back with no per-packet header; the only delimiter is
 * the IPv6 Payload Length. Pure: bytes in, packets out through callbacks; no I/O.
 *
 * Input arrives in arbitrary pieces (a TLS read may hold half a packet or twenty). Whole packets
 * inside the caller's buffer are passed through without copying; only a packet split across
 * reads is copied into the de-framer's own buffer (mtu bytes, allocated on first need).
 */
#ifndef PROTO_FRAME_H
#define PROTO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_IPV6_HDR 40

enum frame_status {
	FRAME_OK = 0,
	FRAME_ERR_NOT_IPV6, /* version nibble != 6: the stream cannot resynchronise; close */
	FRAME_ERR_JUMBO,    /* Payload Length 0 with a Hop-by-Hop header: a jumbogram; close */
	FRAME_ERR_NOMEM,    /* could not allocate the reassembly buffer; close */
};

struct frame_cb {
	/* A complete packet of at most mtu bytes. `pkt` is valid only during the call. */
	void (*packet)(void *arg, const uint8_t *pkt, size_t len);
	/*
	 * A packet longer than mtu. `head` holds its first `headlen` bytes (min(len, mtu)), enough
	 * to build an ICMPv6 Packet Too Big; the rest of it is skipped without buffering.
	 */
	void (*oversize)(void *arg, const uint8_t *head, size_t headlen, size_t len);
	void *arg;
};

struct frame_rx {
	uint8_t *buf;	  /* reassembly buffer, mtu bytes, NULL until needed */
	uint32_t mtu;	  /* largest packet passed to ->packet (>= 1280) */
	uint32_t have;	  /* bytes of the current packet held in buf */
	uint32_t need;	  /* total length of the current packet, 0 until its header is known */
	uint32_t skip;	  /* bytes of an oversize packet still to discard */
	uint64_t packets; /* counters for the control socket */
	uint64_t oversize_count;
	uint64_t bytes; /* stream bytes fed, i.e. the sum of every len given to frame_rx_feed */
};

/* mtu outside [1280, 40 + 65535] is clamped into it: memory stays bounded whatever is asked. */
void frame_rx_init(struct frame_rx *rx, uint32_t mtu);
void frame_rx_free(struct frame_rx *rx);

/*
 * Feeds len bytes. Calls cb->packet / cb->oversize for every packet completed by them, in order.
 * After an error the stream is dead: the caller closes the connection and must not feed again.
 */
enum frame_status frame_rx_feed(struct frame_rx *rx, const uint8_t *data, size_t len,
				const struct frame_cb *cb);

/*
 * Bytes of a partial packet currently buffered (0 when the stream is at a packet boundary).
 * The unread remainder of an oversize packet is never buffered: rx->skip says how much is left.
 */
size_t frame_rx_pending(const struct frame_rx *rx);

const char *frame_status_str(enum frame_status st);

#endif
