/* SPDX-License-Identifier: ISC */
/*
 * tun: TUNSETIFF on /dev/net/tun, as Documentation/networking/tuntap.rst §3.2 describes, and
 * on request the virtio header and TCP/IPv6 offloads (TUNSETVNETHDRSZ, TUNSETVNETLE,
 * TUNSETOFFLOAD; drivers/net/tun.c). No queue tuning, no persistence, no ownership changes.
 */
#include "lib/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#define TUN_DEV	     "/dev/net/tun"
#define TUN_VNET_LEN 10 /* sizeof(struct virtio_net_hdr): no num_buffers, no hash report */

static int tun_attach(const char *name, char actual[IFNAMSIZ], short flags)
{
	struct ifreq ifr;
	int fd, saved;

	memset(&ifr, 0, sizeof(ifr));
	if (name != NULL) {
		if (strnlen(name, IFNAMSIZ) >= IFNAMSIZ) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(ifr.ifr_name, name, strlen(name));
	}
	/*
	 * IFF_TUN: layer 3, no Ethernet header (ARPHRD_NONE), which is what the IP-HTTPS link
	 * carries. IFF_NO_PI: without it every packet is preceded by a 4-byte struct tun_pi
	 * (flags, protocol) that we would only have to add and strip (tuntap.rst §3.2).
	 * IFF_VNET_HDR changes the read/write format, so it is opt-in (tun_open_offload).
	 */
	ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | flags);

	fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (ioctl(fd, TUNSETIFF, &ifr) == -1)
		goto fail;
	if (actual != NULL) {
		memcpy(actual, ifr.ifr_name, IFNAMSIZ);
		actual[IFNAMSIZ - 1] = '\0';
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int tun_open(const char *name, char actual[IFNAMSIZ])
{
	return tun_attach(name, actual, 0);
}

/* The refusal, for the caller's log line; the descriptor is closed. */
static void tun_refused(struct tun_offload *off, int fd, const char *what)
{
	off->err = errno;
	off->refused = what;
	if (fd != -1)
		close(fd);
}

int tun_open_offload(const char *name, char actual[IFNAMSIZ], struct tun_offload *off)
{
	int fd, hdrsz = TUN_VNET_LEN, le = 1;

	off->on = false;
	off->err = 0;
	off->refused = NULL;
	fd = tun_attach(name, actual, IFF_VNET_HDR);
	if (fd == -1) {
		tun_refused(off, -1, "TUNSETIFF with IFF_VNET_HDR");
		return tun_open(name, actual);
	}
	/* The header size the reads and writes use; little-endian whatever the host (a legacy
	   virtio header is in the host's order otherwise, Virtio 1.2 §5.1.6 and tun.c). */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) == -1) {
		tun_refused(off, fd, "TUNSETVNETHDRSZ");
		return tun_open(name, actual);
	}
	if (ioctl(fd, TUNSETVNETLE, &le) == -1) {
		tun_refused(off, fd, "TUNSETVNETLE");
		return tun_open(name, actual);
	}
	/* TSO6 needs CSUM (tun.c set_offload). No TUN_F_TSO_ECN: ECN super-packets are cut by
	   the kernel, though proto/gso would handle CWR too. */
	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO6)) == -1) {
		tun_refused(off, fd, "TUNSETOFFLOAD");
		return tun_open(name, actual);
	}
	off->on = true;
	return fd;
}

int tun_write_vnet(int fd, const void *vnet, const void *pkt, size_t len)
{
	/* writev does not write through iov_base: the casts only satisfy struct iovec. */
	struct iovec iov[2] = {{(void *)(uintptr_t)vnet, TUN_VNET_LEN},
			       {(void *)(uintptr_t)pkt, len}};
	ssize_t n = writev(fd, iov, 2);

	if (n == (ssize_t)(TUN_VNET_LEN + len))
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

int tun_write(int fd, bool vnet, const void *pkt, size_t len)
{
	/* A zero header: flags 0 (no checksum to complete), GSO_NONE. */
	static const unsigned char hdr[TUN_VNET_LEN];
	ssize_t n;

	if (vnet)
		return tun_write_vnet(fd, hdr, pkt, len);
	n = write(fd, pkt, len);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}
