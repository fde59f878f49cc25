/* SPDX-License-Identifier: ISC */
/*
 * tun: opens the layer-3 TUN device (Documentation/networking/tuntap.rst). With tun_open,
 * packets read from and written to the descriptor are bare IPv6 packets, nothing before them.
 * With tun_open_offload (issue #6) each read and write starts with a struct virtio_net_hdr,
 * and a read may be a TCP super-packet of up to 64 KiB that proto/gso cuts to the link MTU.
 * It only creates the device; its MTU, state, routes and sysctls are set by nl and sysctl.
 */
#ifndef LIB_TUN_H
#define LIB_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Creates (or attaches to an existing persistent) TUN device `name` and returns its descriptor,
 * non-blocking and close-on-exec. NULL or "" lets the kernel choose ("tun%d"). The name the
 * kernel used is copied to `actual` (may be NULL). The device is not persistent: it disappears,
 * with its addresses and routes, when the last descriptor is closed, so a crashed daemon leaves
 * nothing behind. Needs CAP_NET_ADMIN. Returns -1 with errno on failure: ENAMETOOLONG (name of
 * IFNAMSIZ or more), EBUSY (another process has it open), EINVAL (invalid name, or an existing
 * device of another kind), EPERM.
 */
int tun_open(const char *name, char actual[IFNAMSIZ]);

/* What tun_open_offload obtained. */
struct tun_offload {
	bool on;	     /* IFF_VNET_HDR, TUN_F_CSUM and TUN_F_TSO6 are on */
	int err;	     /* off: the errno of the refusal */
	const char *refused; /* off: the ioctl the kernel refused */
};

/*
 * tun_open with IFF_VNET_HDR (a 10-byte little-endian struct virtio_net_hdr before every packet
 * both ways) and the offloads TUN_F_CSUM | TUN_F_TSO6: the kernel may hand over TCP/IPv6
 * super-packets of up to 64 KiB and packets whose checksum is left to us (proto/gso). Not
 * TSO4, USO or UFO: the link is IPv6-only and proto/gso cuts TCP/IPv6 only. If the kernel
 * refuses any of it, the device is opened as tun_open does and off says why (off->on false):
 * the caller logs it and carries plain packets. Errors as tun_open's.
 */
int tun_open_offload(const char *name, char actual[IFNAMSIZ], struct tun_offload *off);

/*
 * Writes one whole packet. vnet: the descriptor is in IFF_VNET_HDR mode; a zeroed header goes
 * first (GSO_NONE, no checksum to complete: a finished packet, Virtio 1.2 §5.1.6). Returns 0,
 * or -1 with errno (a short write sets EIO).
 */
int tun_write(int fd, bool vnet, const void *pkt, size_t len);

/*
 * Writes one packet after the given 10-byte virtio header (a descriptor in IFF_VNET_HDR mode):
 * what proto/gro emits, a GSO super-packet or a plain packet. Returns as tun_write.
 */
int tun_write_vnet(int fd, const void *vnet, const void *pkt, size_t len);

#endif
