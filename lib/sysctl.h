/* SPDX-License-Identifier: ISC */
/*
 * sysctl: reads and writes /proc/sys, and the IPv6 settings the gateway's TUN needs.
 * Values are the text the kernel reads and prints; /proc/sys/net follows the network namespace
 * of the calling thread. No caching, no saving of old values, no sysctl.d files.
 *
 * Keys are written as sysctl.d(5) defines them, so one key names one file even when an
 * interface name contains dots (VLANs: "eth0.100"):
 *   - if the first separator is a dot, dots and slashes are interchanged:
 *     "net.ipv6.conf.eth0/100.forwarding";
 *   - if the first separator is a slash, the key is a path below /proc/sys, dots kept:
 *     "net/ipv6/conf/eth0.100/forwarding".
 * Empty components, "." and ".." are refused (EINVAL): a key can only name a file in /proc/sys.
 */
#ifndef LIB_SYSCTL_H
#define LIB_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

#define SYSCTL_ROOT "/proc/sys/"

/* Writes value (no newline needed). -1 with errno: ENOENT no such key, EINVAL bad value... */
int sysctl_set(const char *key, const char *value);

/*
 * Reads the value into out (len bytes), NUL-terminated, without the trailing newline.
 * -1 with errno: ENOENT, EINVAL (bad key, len 0), ERANGE (value does not fit).
 */
int sysctl_get(const char *key, char *out, size_t len);

/*
 * Prepares ifname, the gateway's TUN, for IPv6 (Documentation/networking/ip-sysctl.rst), before
 * it is brought up:
 *   addr_gen_mode=1  no automatic link-local address: the daemon itself is the link's router
 *                    at fe80::1, so the kernel must own no address there and so never runs
 *                    DAD or sends Router Solicitations on the TUN;
 *   accept_ra=0      the kernel never configures itself from RAs seen on the TUN;
 *   autoconf=0       nor forms SLAAC addresses (RFC 4862) on it;
 *   forwarding=1     router behaviour on this interface (RFC 4861 §6.2.2).
 * addr_gen_mode only prevents the link-local at the moment the link goes up, hence "before".
 * Routing between interfaces also needs net.ipv6.conf.all.forwarding=1, which stays the
 * administrator's decision (see sysctl_ipv6_forwarding_enabled). The kernel still joins
 * multicast groups on the TUN (ff02::2 once forwarding is on) and writes MLDv2 reports for them
 * there, from :: as RFC 3810 allows without a link-local; the daemon drops what it reads from
 * the TUN that it does not route. -1 with errno (ENOENT: no such interface, or IPv6 disabled on
 * it) at the first setting that fails.
 */
int sysctl_tun_ipv6_setup(const char *ifname);

/* net.ipv6.conf.all.forwarding is non-zero. False when it cannot be read (no IPv6). */
bool sysctl_ipv6_forwarding_enabled(void);

#endif
