/* SPDX-License-Identifier: ISC */
/*
 * cl_ra: RFC 4861 §6.1.2 validation through proto/nd, then every Prefix Information option
 * (nd_parse_ra keeps only the first) and the Router Lifetime against the limits of RFC 4861
 * §6.2.1 and RFC 4862 §5.5.3. Reads go through lib/buf.h; the options were already checked for
 * well-formed lengths by nd_parse_ra.
 */
#include "iphttps/cl_ra.h"

#include <string.h>

#include "lib/buf.h"
#include "proto/ip6.h"
#include "proto/nd.h"

#define CL_RA_HDR_LEN 16 /* RFC 4861 §4.2: type .. retrans timer */
#define CL_RA_PI_AUTO 0x40

/* One Prefix Information option body (after type and length). */
static enum cl_ra_verdict cl_ra_pi(struct buf_cur *o, struct cl_ra_info *info)
{
	uint8_t plen, flags;
	uint32_t valid, preferred;
	struct in6_addr p;

	if (buf_get_u8(o, &plen) || buf_get_u8(o, &flags) || buf_get_u32(o, &valid) ||
	    buf_get_u32(o, &preferred) || buf_skip(o, 4) || buf_get_bytes(o, p.s6_addr, 16))
		return CL_RA_INVALID;
	if ((flags & CL_RA_PI_AUTO) && plen != CL_RA_PLEN)
		return CL_RA_PREFIX_LEN;
	if (preferred > valid)
		return CL_RA_PREFIX_LIFETIMES;
	if ((flags & CL_RA_PI_AUTO) && valid > 0 && !ip6_is_linklocal(&p) && !info->usable_prefix) {
		info->usable_prefix = true;
		ip6_prefix_mask(&p, plen);
		info->prefix = p;
		info->valid = valid;
		info->preferred = preferred;
	}
	return CL_RA_OK;
}

static enum cl_ra_verdict cl_ra_options(const uint8_t *icmp, size_t len, struct cl_ra_info *info)
{
	struct buf_cur c, o;
	uint8_t type, olen;

	buf_cur_init(&c, icmp, len);
	if (buf_skip(&c, CL_RA_HDR_LEN))
		return CL_RA_INVALID;
	while (buf_left(&c) > 0) {
		enum cl_ra_verdict v = CL_RA_OK;

		if (buf_get_u8(&c, &type) || buf_get_u8(&c, &olen) || olen == 0 ||
		    buf_sub(&c, &o, (size_t)olen * 8 - 2))
			return CL_RA_INVALID;
		if (type == ND_OPT_TYPE_PI && olen == 4)
			v = cl_ra_pi(&o, info);
		if (v != CL_RA_OK)
			return v;
	}
	return CL_RA_OK;
}

enum cl_ra_verdict cl_ra_check(const uint8_t *pkt, size_t len, struct cl_ra_info *info)
{
	struct ip6_view v;
	struct ip6_upper u;
	struct nd_ra ra;
	const uint8_t *icmp;

	memset(info, 0, sizeof(*info));
	if (ip6_parse(&v, pkt, len) == -1 || ip6_find_upper(&u, pkt, len) == -1)
		return CL_RA_NOT_RA;
	/* A non-first fragment has no known upper layer: the kernel cannot reassemble an RA whose
	   first fragment was dropped here, and RFC 6980 §5 has it drop the whole anyway. */
	if (!u.known || u.proto != IP6_NH_ICMPV6 || u.off >= len || pkt[u.off] != ND_TYPE_RA)
		return CL_RA_NOT_RA;
	if (u.fragment)
		return CL_RA_FRAGMENT;
	icmp = pkt + u.off;
	if (nd_parse_ra(&ra, &v, icmp, len - u.off) == -1)
		return CL_RA_INVALID;
	if (ra.router_lifetime > CL_RA_ROUTER_LIFETIME_MAX)
		return CL_RA_ROUTER_LIFETIME;
	info->router_lifetime = ra.router_lifetime;
	info->nroutes = ra.nroutes;
	return cl_ra_options(icmp, len - u.off, info);
}

const char *cl_ra_verdict_str(enum cl_ra_verdict v)
{
	switch (v) {
	case CL_RA_NOT_RA:
	case CL_RA_OK:
		return "";
	case CL_RA_INVALID:
		return "invalid (RFC 4861 §6.1.2)";
	case CL_RA_FRAGMENT:
		return "fragmented (RFC 6980)";
	case CL_RA_ROUTER_LIFETIME:
		return "router lifetime over 9000 s (RFC 4861 §6.2.1)";
	case CL_RA_PREFIX_LEN:
		return "autoconfiguration prefix that is not a /64";
	case CL_RA_PREFIX_LIFETIMES:
		return "prefix preferred lifetime longer than its valid lifetime";
	}
	return "?";
}
