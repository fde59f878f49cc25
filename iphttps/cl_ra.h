/* SPDX-License-Identifier: ISC */
/*
 * cl_ra: the client's check of Router Advertisements arriving from the gateway, before they are
 * written to the TUN where the kernel's IPv6 host stack acts on them (RFC 4861 §6.3.4,
 * RFC 4862 §5.5.3). The kernel already ignores what RFC 4862 tells it to (a Prefix Information
 * option that is not /64 on this link, preferred > valid); an RA carrying such a thing is here
 * refused whole, counted and reported, because a gateway that sends it is misconfigured or
 * hostile, and the operator should hear of it rather than get a half-configured link.
 * Pure: a packet in, a verdict out; no I/O, no state.
 */
#ifndef IPHTTPS_CL_RA_H
#define IPHTTPS_CL_RA_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CL_RA_ROUTER_LIFETIME_MAX 9000 /* RFC 4861 §6.2.1 AdvDefaultLifetime */
#define CL_RA_PLEN		  64   /* RFC 4862 §5.5.3 d), RFC 4291 §2.5.1 on this link */

enum cl_ra_verdict {
	CL_RA_NOT_RA = 0,	/* not a Router Advertisement: none of this module's business */
	CL_RA_OK,		/* pass it to the kernel */
	CL_RA_INVALID,		/* fails RFC 4861 §6.1.2 (checksum, hop limit, source, options) */
	CL_RA_FRAGMENT,		/* an RA in a fragment (RFC 6980 §5: never valid) */
	CL_RA_ROUTER_LIFETIME,	/* Router Lifetime over 9000 s */
	CL_RA_PREFIX_LEN,	/* a Prefix Information option with A=1 that is not a /64 */
	CL_RA_PREFIX_LIFETIMES, /* a Prefix Information option with preferred > valid */
};

/* What an acceptable RA offers, for the log and the "prefix published" check. */
struct cl_ra_info {
	uint16_t router_lifetime;
	bool
	    usable_prefix; /* a /64 Prefix Information option with A=1, valid > 0, not link-local */
	struct in6_addr prefix;
	uint32_t valid, preferred;
	size_t nroutes; /* Route Information options */
};

/* Checks one packet from the gateway, pkt[0..len). info is filled for CL_RA_OK. */
enum cl_ra_verdict cl_ra_check(const uint8_t *pkt, size_t len, struct cl_ra_info *info);

/* "router lifetime over 9000 s", ...; "" for CL_RA_NOT_RA and CL_RA_OK. */
const char *cl_ra_verdict_str(enum cl_ra_verdict v);

#endif
