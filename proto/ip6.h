/* SPDX-License-Identifier: ISC */
/*
 * ip6: IPv6 and ICMPv6 helpers for the link core. A view of the fixed header read through the
 * bounds-checked cursor (RFC 8200 §3), address predicates (RFC 4291 §2), the upper-layer
 * checksum (RFC 8200 §8.1, RFC 4443 §2.3), a bounded walk over extension headers (RFC 8200
 * §4), and builders for ICMPv6 errors (RFC 4443 §3.1, §3.2, §2.4) and echo replies (§4.2).
 *
 * Does not: reassemble fragments, process Routing headers, send anything, or keep state.
 * Builders write into a caller's struct buf_wr; the packet always starts at offset 0.
 */
#ifndef PROTO_IP6_H
#define PROTO_IP6_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define IP6_HDR_LEN	 40
#define IP6_MIN_MTU	 1280 /* RFC 8200 §5 */
#define IP6_PLEN_MAX	 65535
#define IP6_HLIM_DEFAULT 64 /* for the packets the gateway originates (echo replies, errors) */
#define IP6_EXT_MAX	 8  /* extension headers walked before the upper layer is "unknown" */

/* Next Header values (IANA "Assigned Internet Protocol Numbers"). */
#define IP6_NH_HOPOPTS	0
#define IP6_NH_ROUTING	43
#define IP6_NH_FRAGMENT 44
#define IP6_NH_AH	51
#define IP6_NH_ICMPV6	58
#define IP6_NH_NONE	59
#define IP6_NH_DSTOPTS	60

/* ICMPv6 types and codes (RFC 4443 §2.1, §3, §4). */
#define IP6_ICMP_UNREACH      1
#define IP6_ICMP_TOO_BIG      2
#define IP6_ICMP_TIME_EXCEED  3
#define IP6_ICMP_PARAM_PROB   4
#define IP6_ICMP_ECHO_REQUEST 128
#define IP6_ICMP_ECHO_REPLY   129
#define IP6_ICMP_REDIRECT     137 /* RFC 4861 §4.5; excluded from error replies by §2.4(e.2) */

#define IP6_UNREACH_NOROUTE 0
#define IP6_UNREACH_ADMIN   1
#define IP6_UNREACH_SCOPE   2 /* beyond scope of source address */
#define IP6_UNREACH_ADDR    3 /* address unreachable: no neighbour owns it */
#define IP6_PARAM_OPTION    2 /* unrecognized IPv6 option: may answer multicast (§2.4(e.3)) */

#define IP6_ICMP_HDR_LEN  8 /* type, code, checksum, 32-bit field */
#define IP6_ERROR_MAX_LEN IP6_MIN_MTU

/* The fixed header of one packet (RFC 8200 §3). */
struct ip6_view {
	uint8_t tclass;
	uint32_t flow;
	uint16_t plen;
	uint8_t nxt;
	uint8_t hlim;
	struct in6_addr src;
	struct in6_addr dst;
};

/* Where the upper-layer header is, after the extension headers (RFC 8200 §4.1). */
struct ip6_upper {
	bool known;    /* false: a non-first fragment or too many extension headers */
	uint8_t proto; /* the upper-layer Next Header value, when known */
	size_t off;    /* its offset from the start of the packet */
	bool fragment; /* a Fragment header (offset 0) was crossed */
	bool routed;   /* a Routing header with Segments Left > 0 was crossed */
};

/* A whole packet: version 6 and Payload Length equal to len - 40. */
int ip6_parse(struct ip6_view *v, const uint8_t *pkt, size_t len);
/* Only the fixed header, for the possibly truncated invoking packet of an ICMPv6 error. */
int ip6_parse_head(struct ip6_view *v, const uint8_t *pkt, size_t len);

bool ip6_addr_eq(const struct in6_addr *a, const struct in6_addr *b);
bool ip6_is_unspecified(const struct in6_addr *a);
bool ip6_is_loopback(const struct in6_addr *a);
bool ip6_is_multicast(const struct in6_addr *a);
bool ip6_is_linklocal(const struct in6_addr *a);
bool ip6_is_solicited_node(const struct in6_addr *a);
/* ff02::1:ffXX:XXXX from the low 24 bits of target (RFC 4291 §2.7.1). */
void ip6_solicited_node(struct in6_addr *out, const struct in6_addr *target);
/* The first plen bits of a and prefix are equal (plen 0..128). */
bool ip6_prefix_match(const struct in6_addr *a, const struct in6_addr *prefix, unsigned plen);
/* Clears every bit of a after the first plen. */
void ip6_prefix_mask(struct in6_addr *a, unsigned plen);

/*
 * The Internet checksum of the pseudo-header (RFC 8200 §8.1) and data[0..len). Over a message
 * that carries a correct checksum the result is 0; over one whose checksum field is zero, the
 * result is the value to store.
 */
uint16_t ip6_cksum(const struct in6_addr *src, const struct in6_addr *dst, uint8_t nxt,
		   const uint8_t *data, size_t len);
bool ip6_icmp6_cksum_ok(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *icmp,
			size_t len);

/*
 * Walks the extension headers of pkt (Hop-by-Hop first only, Routing, Fragment, Destination
 * Options, AH) up to IP6_EXT_MAX of them. Returns -1 when the chain is malformed or does not
 * fit in len (a first fragment must hold the whole chain, RFC 8200 §4.5).
 */
int ip6_find_upper(struct ip6_upper *u, const uint8_t *pkt, size_t len);

/*
 * RFC 4443 §2.4(e): may an error of this type and code be sent about the invoking packet?
 * Not about an ICMPv6 error or a Redirect, not about a packet to a multicast address (except
 * Packet Too Big and Parameter Problem code 2), not to an unspecified or multicast source.
 */
bool ip6_error_allowed(const uint8_t *invoking, size_t len, uint8_t type, uint8_t code);

/* The fixed header with Payload Length 0; ip6_icmp6_finish fills it in. */
void ip6_put_hdr(struct buf_wr *w, uint8_t nxt, uint8_t hlim, const struct in6_addr *src,
		 const struct in6_addr *dst);
/* For an ICMPv6 message right after the fixed header: sets Payload Length and checksum. */
int ip6_icmp6_finish(struct buf_wr *w);

/*
 * An ICMPv6 error from src to the invoking packet's source, quoting as much of it as fits in
 * 1280 bytes (RFC 4443 §2.4(c)) and in w. param is the MTU of Packet Too Big, the pointer of
 * Parameter Problem, 0 otherwise. Does not apply ip6_error_allowed: the caller does.
 */
int ip6_build_error(struct buf_wr *w, const struct in6_addr *src, uint8_t type, uint8_t code,
		    uint32_t param, const uint8_t *invoking, size_t len);

/* An Echo Reply from src to dst carrying the identifier, sequence and data of echo[0..len). */
int ip6_build_echo_reply(struct buf_wr *w, const struct in6_addr *src, const struct in6_addr *dst,
			 const uint8_t *echo, size_t len);

#endif
