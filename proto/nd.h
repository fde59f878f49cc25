/* SPDX-License-Identifier: ISC */
/*
 * nd: Neighbor Discovery (RFC 4861) messages as the IP-HTTPS gateway needs them: validation of
 * Router Solicitations, Neighbor Solicitations and Advertisements (§6.1.1, §7.1.1, §7.1.2),
 * parsing of Router Advertisements (§6.1.2, for tests and clients), and builders for RA (§4.2,
 * with Prefix Information, MTU and RFC 4191 Route Information options), NA, NS and RS.
 *
 * The IP-HTTPS link has no link-layer addresses ([MS-IPHTTPS] §3): nothing built here carries
 * a Source or Target Link-Layer Address option, and such options are ignored on input (the
 * proxy NA of §3.2.5.2.2 must not carry one). Does not: keep a neighbour cache, run timers,
 * or accept fragmented ND (RFC 6980 §5; the caller checks, it sees the extension headers).
 */
#ifndef PROTO_ND_H
#define PROTO_ND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "proto/ip6.h"

/* ICMPv6 types (RFC 4861 §4). */
#define ND_TYPE_RS	 133
#define ND_TYPE_RA	 134
#define ND_TYPE_NS	 135
#define ND_TYPE_NA	 136
#define ND_TYPE_REDIRECT 137

/* Option types (RFC 4861 §4.6, RFC 4191 §2.3). */
#define ND_OPT_TYPE_SLLA 1
#define ND_OPT_TYPE_TLLA 2
#define ND_OPT_TYPE_PI	 3
#define ND_OPT_TYPE_MTU	 5
#define ND_OPT_TYPE_RIO	 24

#define ND_HOP_LIMIT  255 /* every ND message, RFC 4861 §6.1, §7.1 */
#define ND_MAX_ROUTES 32  /* Route Information options kept by nd_parse_ra / sent by nd_build_ra */

/* Neighbor Advertisement flags (RFC 4861 §4.4), as nd_build_na takes them. */
#define ND_NA_ROUTER	0x80
#define ND_NA_SOLICITED 0x40
#define ND_NA_OVERRIDE	0x20

/* A validated RS, NS or NA. */
struct nd_msg {
	uint8_t type;
	struct in6_addr target; /* NS, NA */
	bool router;		/* NA flags */
	bool solicited;
	bool override;
	bool dad; /* NS from :: to the target's solicited-node group */
};

struct nd_route {
	struct in6_addr prefix;
	uint8_t plen;	   /* 0..128 */
	int8_t pref;	   /* RFC 4191 §2.1: 1 high, 0 medium, -1 low */
	uint32_t lifetime; /* seconds; 0xffffffff infinity */
};

struct nd_prefix {
	struct in6_addr prefix;
	uint8_t plen;
	bool onlink;	 /* L */
	bool autonomous; /* A */
	uint32_t valid;
	uint32_t preferred;
};

struct nd_ra {
	uint8_t cur_hop_limit;
	bool managed; /* M */
	bool other;   /* O */
	int8_t pref;  /* RFC 4191 §2.2 default router preference */
	uint16_t router_lifetime;
	uint32_t reachable;
	uint32_t retrans;
	bool has_prefix;
	struct nd_prefix pi; /* the first Prefix Information option */
	uint32_t mtu;	     /* 0: no MTU option */
	struct nd_route routes[ND_MAX_ROUTES];
	size_t nroutes;
};

/*
 * Validates an RS, NS or NA whose ICMPv6 message is icmp[0..len) inside the packet with fixed
 * header v (no Routing header: the pseudo-header uses v->dst). Hop limit 255, code 0, minimum
 * length, correct checksum, options non-empty and inside the message, and the rules for the
 * unspecified source. Returns -1 on anything else, including other ICMPv6 types.
 */
int nd_parse(struct nd_msg *m, const struct ip6_view *v, const uint8_t *icmp, size_t len);

/* RFC 4861 §6.1.2 validation plus the options the gateway sends; unknown options skipped. */
int nd_parse_ra(struct nd_ra *ra, const struct ip6_view *v, const uint8_t *icmp, size_t len);

/* Builders: the whole IPv6 packet into an empty writer, hop limit 255, checksum set. */
int nd_build_ra(struct buf_wr *w, const struct in6_addr *src, const struct in6_addr *dst,
		const struct nd_ra *ra);
int nd_build_na(struct buf_wr *w, const struct in6_addr *src, const struct in6_addr *dst,
		const struct in6_addr *target, uint8_t flags);
int nd_build_ns(struct buf_wr *w, const struct in6_addr *src, const struct in6_addr *dst,
		const struct in6_addr *target);
int nd_build_rs(struct buf_wr *w, const struct in6_addr *src, const struct in6_addr *dst);

/* RFC 4191 §2.3: the Route Information option's Length (units of 8 bytes) for a prefix. */
unsigned nd_rio_len(uint8_t plen);

#endif
