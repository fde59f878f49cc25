/* SPDX-License-Identifier: ISC */
/*
 * acl: the access policy for unauthenticated tunnels. In Authentication Mode None anyone who
 * reaches port 443 gets an address on the link ([MS-IPHTTPS] §5.1, ms-iphttps.md §2.3); an
 * allow-list of destinations and protocols (for DirectAccess: IKE and ESP to the IPsec gateway,
 * and ICMPv6 errors) keeps such a device from scanning the intranet. A packet passes when any
 * rule matches it; an empty list allows everything (Windows' behaviour).
 * Rule text, as in the configuration (`unauth-allow ...`):
 *   any
 *   [to PREFIX] [proto tcp|udp|icmpv6|esp|ah|NUMBER] [port N[-M]] [type N[-M]]
 * `port` needs proto tcp or udp (destination port), `type` needs proto icmpv6; at least one
 * part must be given, each at most once, in any order. PREFIX is ADDR/LEN or a bare ADDR
 * (/128); host bits are cleared. proto is the upper layer after the extension headers
 * (RFC 8200 §4), so the extension header numbers 0, 43, 44 and 60 are refused; `proto ah`
 * matches a packet whose chain holds an Authentication Header (RFC 4302).
 * A non-first fragment has no protocol, ports or types: it passes to a destination that some
 * rule names with `to` (its first fragment was judged by the whole rule; without that one
 * nothing reassembles), so fragmented IKE completes. A packet whose upper layer cannot be
 * found (too many extension headers, a malformed chain) matches only rules without proto,
 * port and type, by destination. A packet with a Routing header still to be followed
 * (Segments Left > 0, RFC 8200 §4.4) matches only "any": its destination is a waypoint. A TCP or
 * UDP header too short for the destination port never matches a rule with a port, nor an empty
 * ICMPv6 header one with a type. Pure: packets in, a verdict out; every read bounds-checked
 * (proto/ip6, lib/buf.h).
 */
#ifndef PROTO_ACL_H
#define PROTO_ACL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACL_MAX_RULES 64
#define ACL_TEXT_MAX  128 /* acl_rule_format output */

struct acl_rule {
	struct in6_addr to; /* destination prefix; to_len 0 = any */
	uint8_t to_len;
	int16_t proto;		   /* upper-layer protocol (Next Header), -1 = any */
	uint16_t port_lo, port_hi; /* destination port, tcp/udp; 0-65535 = any */
	uint8_t type_lo, type_hi;  /* ICMPv6 type; 0-255 = any */
};

struct acl {
	struct acl_rule rules[ACL_MAX_RULES];
	size_t n;
};

/* Parses one rule from its words; -1 with a one-line reason in err. */
int acl_rule_parse(struct acl_rule *r, const char *const *words, size_t nwords, char *err,
		   size_t errlen);
/* The rule as text acl_rule_parse reads back ("to 2001:db8::/48 proto udp port 500"): parts in
 * the order to, proto, port, type; "any" for a rule without any; ranges only when lo != hi;
 * cut short (still NUL-terminated) when len is too small. Returns buf. */
const char *acl_rule_format(const struct acl_rule *r, char *buf, size_t len);
/* Whether the packet (a whole IPv6 packet, len bytes) may pass. a NULL or n == 0: always
 * true. A packet that does not parse (ip6_parse) matches only the rule "any". */
bool acl_allows(const struct acl *a, const uint8_t *pkt, size_t len);

#endif
