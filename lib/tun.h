/* SPDX-License-Identifier: ISC */
/*
 * tun: opens the gateway's layer-3 TUN device (Documentation/networking/tuntap.rst). Packets
 * read from and written to the descriptor are bare IPv6 packets, nothing before them.
 * It only creates the device; its MTU, state, routes and sysctls are set by nl and sysctl.
 */
#ifndef LIB_TUN_H
#define LIB_TUN_H

#include <net/if.h>

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

#endif
