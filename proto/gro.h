/* SPDX-License-Identifier: ISC */
/*
 * gro: the receive half of the TUN offloads (issue #6), what a NIC's GRO does, in userspace.
 * The packets that one batch of stream input yields on their way into a TUN opened with
 * IFF_VNET_HDR are handed to gro_add one by one; consecutive TCP/IPv6 segments of one flow are
 * merged into a super-packet of up to 64 KiB that goes out with one write, its struct
 * virtio_net_hdr (Virtio 1.2 §5.1.6, little-endian: lib/tun sets TUNSETVNETLE) saying
 * GSO_TCPV6, gso_size and NEEDS_CSUM, so the kernel treats it as one CHECKSUM_PARTIAL GSO skb
 * (include/linux/virtio_net.h virtio_net_hdr_to_skb) and segments it only if it must.
 *
 * A segment joins the super-packet of its flow (addresses and ports) when, as Linux's
 * tcp_gro_receive and wireguard-go's tun offload require:
 *   - the IPv6 header is followed directly by TCP, Version/Traffic Class/Flow Label and Hop
 *     Limit equal the first segment's, and Payload Length is the packet's;
 *   - its flags are ACK, or ACK|PSH (then it is the last one): no SYN, FIN, RST, URG, ECE, CWR;
 *   - its options are none, or one Timestamps option (RFC 7323 §3) with NOP/EOL padding, and
 *     byte for byte the first segment's; the acknowledgment number is the same;
 *   - its sequence number is the next expected one (RFC 9293 §3.4), it carries data, no more
 *     than the first segment, and no shorter segment came before it;
 *   - its TCP checksum verifies: the kernel computes a fresh one for the super-packet, which
 *     would otherwise launder a corrupted segment;
 *   - the super-packet stays within the 16-bit Payload Length.
 * A merged super-packet carries the first segment's headers (window included, as Linux's GRO),
 * PSH if the last had it, Payload Length of the whole, and in the checksum field the pseudo-
 * header sum (RFC 8200 §8.1, not complemented) over the whole TCP length, csum_start at the TCP
 * header and csum_offset 16: the CHECKSUM_PARTIAL contract (the kernel adds the sum from
 * csum_start to the end, Virtio 1.2 §5.1.6.2). A flow with one segment goes out unchanged with
 * a zero header.
 *
 * Order: everything that cannot be merged goes out at once (a ping is never held), after the
 * held super-packet of its own flow if there is one; a packet with an extension header that
 * could hide TCP flushes every flow first. So the packets of one flow never change order; only
 * packets of different flows may, as on any multi-queue NIC. Held segments go out at
 * gro_flush, which the caller runs at the end of each batch, before it sleeps.
 *
 * Bounded: GRO_FLOWS flows are held at once, each in its own slot of GRO_SLOT bytes; a new
 * flow when all are taken flushes the one idle longest.
 *
 * Does not: merge out-of-order segments (only appends), TCP over IPv4 (an IPv6-only link),
 * UDP, or anything with extension headers; do any I/O itself.
 */
#ifndef PROTO_GRO_H
#define PROTO_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRO_VNET_HDR_LEN 10	      /* sizeof(struct virtio_net_hdr), as proto/gso */
#define GRO_PKT_MAX	 (40 + 65535) /* an IPv6 packet with the largest Payload Length */
#define GRO_SLOT	 (GRO_VNET_HDR_LEN + GRO_PKT_MAX)
#define GRO_FLOWS	 8

/*
 * One write into the TUN: vnet is its 10-byte virtio header, then pkt. Both are valid only
 * during the call. Returns 0, or -1 if the write failed (counted in gro_stats.errors).
 */
typedef int (*gro_emit_fn)(void *arg, const uint8_t *vnet, const uint8_t *pkt, size_t len);

struct gro_stats {
	uint64_t packets; /* given to gro_add */
	uint64_t merged;  /* of them, sent inside a super-packet of two or more */
	uint64_t writes;  /* emits: packets - writes is what coalescing saved */
	uint64_t errors;  /* packets lost in emits that failed */
};

/* A flow being held: its super-packet so far is in slot mem[i] of struct gro. */
struct gro_flow {
	bool used;
	bool closed;	/* PSH or a short segment came: nothing more may follow */
	uint64_t stamp; /* when last touched, for eviction */
	size_t len;	/* bytes of the IPv6 packet held */
	size_t hlen;	/* IPv6 and TCP headers */
	size_t seg;	/* the first segment's payload: gso_size */
	size_t nseg;
	uint32_t next_seq;
};

struct gro {
	gro_emit_fn emit;
	void *arg;
	struct gro_stats stats;
	uint64_t clock;
	struct gro_flow flow[GRO_FLOWS];
	uint8_t mem[GRO_FLOWS][GRO_SLOT];
};

void gro_init(struct gro *g, gro_emit_fn emit, void *arg);
/* "N packets in W writes (M merged into super-packets), E lost to write errors", for logs. */
void gro_describe(const struct gro *g, char *buf, size_t len);

/*
 * One IPv6 packet (len bytes, as it came out of the stream) on its way into the TUN: held for
 * merging, or emitted now. Returns -1 only when the packet itself was emitted now and the emit
 * failed (a caller's per-packet drop count stays exact for those); 0 otherwise.
 */
int gro_add(struct gro *g, const uint8_t *pkt, size_t len);

/* Emits every held flow, oldest first, and empties the table. */
void gro_flush(struct gro *g);

#endif
