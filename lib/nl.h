/* SPDX-License-Identifier: ISC */
/*
 * nl: the few rtnetlink requests the gateway and the client make (rtnetlink(7)): set a link's
 * MTU and state and its IPv6 address generation mode, add or replace and delete an IPv6 route
 * through a device, add an IPv6 address. A minimal client without libmnl, in the manner of
 * WireGuard's embeddable library.
 *
 * Each call opens a NETLINK_ROUTE socket, sends one request with NLM_F_ACK, waits at most
 * NL_TIMEOUT_S seconds for the kernel's acknowledgement and closes the socket: no global state,
 * no dumps, no event subscription. All calls act in the caller's network namespace and need
 * CAP_NET_ADMIN. They return 0, or -1 with errno: ENODEV for an unknown interface name, EINVAL
 * for a bad argument, the kernel's own error from NLMSG_ERROR (EEXIST, ESRCH, ENETDOWN...),
 * ETIMEDOUT when no acknowledgement came, EPROTO for a malformed answer.
 */
#ifndef LIB_NL_H
#define LIB_NL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define NL_TIMEOUT_S	5
#define NL_ROUTE_METRIC 1024 /* the kernel's default IPv6 route metric (IP6_RT_PRIO_USER) */

/*
 * Sets the MTU (mtu 0 leaves it unchanged) and brings the link up or down, in one RTM_NEWLINK.
 * The kernel applies the MTU before the flags. An IPv6 link needs mtu >= 1280 (RFC 8200 §5);
 * below that Linux removes IPv6 from the interface altogether.
 */
int nl_link_set(const char *ifname, uint32_t mtu, bool up);

/*
 * Adds, or replaces, the route dst/plen through ifname: main table, protocol static, metric
 * NL_ROUTE_METRIC, no gateway (on-link). Host bits of dst beyond plen are ignored. Replacing
 * is idempotent, and NLM_F_REPLACE also takes over a route to the same prefix and metric through
 * another device. The link must be up (ENETDOWN otherwise).
 */
int nl_route6_replace(const char *ifname, const struct in6_addr *dst, uint8_t plen);

/*
 * Deletes the route nl_route6_replace added: same prefix, device, protocol and metric, so a route
 * to the same prefix that someone else installed is left alone. ESRCH when there is none.
 */
int nl_route6_del(const char *ifname, const struct in6_addr *dst, uint8_t plen);

/*
 * Adds a/plen to ifname, or updates it if present (NLM_F_REPLACE: idempotent across restarts).
 * nodad sets IFA_F_NODAD: the address is usable at once, without Duplicate Address Detection
 * (RFC 4862 §5.4). The kernel adds the prefix route for a/plen itself, as for `ip addr add`.
 */
int nl_addr6_add(const char *ifname, const struct in6_addr *a, uint8_t plen, bool nodad);

/*
 * Sets the link's IPv6 address generation mode (IFLA_INET6_ADDR_GEN_MODE, the values of enum
 * in6_addr_gen_mode in <linux/if_link.h>), as `ip link set dev X addrgenmode random` does.
 * A TUN is ARPHRD_NONE and has no EUI-64 identifier, so the kernel forms link-local and SLAAC
 * addresses on it only in IN6_ADDR_GEN_MODE_RANDOM or _STABLE_PRIVACY mode. Set through
 * rtnetlink on the down device, the first Router Solicitation leaves as soon as the link comes
 * up; set through the addr_gen_mode sysctl it waits one router_solicitation_interval (4 s).
 * EINVAL for a mode the kernel does not know (or stable privacy without a secret).
 */
int nl_link_addrgenmode(const char *ifname, uint8_t mode);

#endif
