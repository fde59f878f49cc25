/* SPDX-License-Identifier: ISC */
/*
 * tun: TUNSETIFF on /dev/net/tun, as Documentation/networking/tuntap.rst §3.2 describes.
 * No queue tuning, no offloads, no persistence, no ownership changes.
 */
#include "lib/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TUN_DEV "/dev/net/tun"

int tun_open(const char *name, char actual[IFNAMSIZ])
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
	 * Issue #6 (scaling) adds IFF_MULTI_QUEUE here (one queue per worker, each opened with
	 * the same name, tuntap.rst §3.3) and possibly IFF_VNET_HDR (a struct virtio_net_hdr
	 * before each packet, with TUNSETOFFLOAD, for GSO batches): both change the read/write
	 * format, so they must be opt-in flags of this function, not silent changes.
	 */
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;

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
