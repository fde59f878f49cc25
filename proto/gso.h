/* SPDX-License-Identifier: ISC */
/*
 * gso: what a NIC does with a packet handed over with offloads, done in userspace for a TUN
 * opened with IFF_VNET_HDR and TUNSETOFFLOAD (Documentation/networking/tuntap.rst, issue #6).
 * Each read from such a TUN is a struct virtio_net_hdr (Virtio 1.2 §5.1.6, linux/virtio_net.h;
 * little-endian: lib/tun sets TUNSETVNETLE) and then one IPv6 packet, which may be a TCP
 * "super-packet" of up to 64 KiB. gso_split turns it into the packets of at most mtu bytes that
 * the wire would carry:
 *   - VIRTIO_NET_HDR_GSO_TCPV6: the TCP payload cut into chunks of gso_size (smaller if the
 *     headers and gso_size would not fit in mtu), the IPv6 and TCP headers copied onto each,
 *     Payload Length set, sequence numbers advanced, FIN and PSH only on the last segment and
 *     CWR only on the first (RFC 3168 §6.1.2), and a full TCP checksum over the RFC 8200 §8.1
 *     pseudo-header (RFC 9293 §3.1);
 *   - VIRTIO_NET_HDR_GSO_NONE with VIRTIO_NET_HDR_F_NEEDS_CSUM: the partial checksum completed
 *     (Virtio 1.2 §5.1.6.2: sum from csum_start to the end, stored at csum_start + csum_offset;
 *     the field already holds the pseudo-header sum);
 *   - GSO_NONE without the flag: the packet as it is, not copied, whatever its length (what the
 *     TUN returns without offloads; the caller's size policy applies as before).
 *
 * Does not: handle TCPv4, UDP or UFO/USO super-packets (lib/tun does not enable them: the link
 * is IPv6-only), coalesce packets (GRO, the other direction), trust hdr_len (the kernel sets it
 * to the linear part of the skb, not the headers), or do any I/O.
 */
#ifndef PROTO_GSO_H
#define PROTO_GSO_H

#include <stddef.h>
#include <stdint.h>

#define GSO_VNET_HDR_LEN 10 /* sizeof(struct virtio_net_hdr), set with TUNSETVNETHDRSZ */
/* One read from the TUN: the header, then an IPv6 packet whose Payload Length is 16 bits. */
#define GSO_READ_MAX (GSO_VNET_HDR_LEN + 40 + 65535)

/* virtio_net_hdr values (linux/virtio_net.h, Virtio 1.2 §5.1.6). */
#define GSO_F_NEEDS_CSUM 1
#define GSO_TYPE_NONE	 0
#define GSO_TYPE_TCPV4	 1
#define GSO_TYPE_UDP	 3
#define GSO_TYPE_TCPV6	 4
#define GSO_TYPE_UDP_L4	 5
#define GSO_TYPE_ECN	 0x80 /* a flag: the TCP data carries ECN (CWR once) */

enum gso_status {
	GSO_OK = 0,
	GSO_ERR_SHORT, /* shorter than the virtio header */
	GSO_ERR_TYPE,  /* a gso_type that was not enabled (TCPv4, UDP, unknown) */
	GSO_ERR_CSUM,  /* csum_start / csum_offset outside the packet or not the TCP checksum */
	GSO_ERR_IP6,   /* not one whole IPv6 packet, fragmented, routed, or not TCP */
	GSO_ERR_TCP,   /* the TCP header is cut short or its Data Offset is wrong */
	GSO_ERR_SIZE,  /* gso_size 0, or the headers leave no room under mtu */
	GSO_ERR_SPACE, /* a packet to build does not fit in the caller's buffer */
};

/* A packet to send on; valid only during the call. */
typedef void (*gso_emit_fn)(void *arg, const uint8_t *pkt, size_t len);

struct gso_out {
	uint8_t *buf; /* where each built packet is assembled: at least mtu bytes */
	size_t cap;
	gso_emit_fn emit;
	void *arg;
};

/*
 * Splits one read (virtio header and packet, len bytes) into packets of at most mtu bytes and
 * passes each to out->emit, in order; *nseg is how many. On an error nothing was passed: every
 * header and the output space are checked before the first packet is built.
 */
enum gso_status gso_split(const uint8_t *in, size_t len, size_t mtu, const struct gso_out *out,
			  size_t *nseg);
const char *gso_status_str(enum gso_status st);

#endif
