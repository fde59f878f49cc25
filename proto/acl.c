/* SPDX-License-Identifier: ISC */
/*
 * acl: allow-list rules for unauthenticated tunnels: parsing from configuration words, the
 * canonical text form, and the verdict on one IPv6 packet. The packet's fixed header and
 * extension-header chain are read by proto/ip6 (RFC 8200 §3, §4); the ports (RFC 9293 §3.1,
 * RFC 768) and the ICMPv6 type (RFC 4443 §2.1) through the bounds-checked cursor of lib/buf.h.
 *
 * Does not: reassemble fragments, follow a Routing header to its final destination (the
 * Destination Address is what the gateway forwards on), keep state, or allocate.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "proto/acl.h"
#include "proto/ip6.h"

#define ACL_NH_TCP 6
#define ACL_NH_UDP 17
#define ACL_NH_ESP 50

/* The parts of a rule, each at most once. */
enum acl_part { ACL_TO, ACL_PROTO, ACL_PORT, ACL_TYPE, ACL__NPARTS };

static const char *const acl_part_names[ACL__NPARTS] = {"to", "proto", "port", "type"};

static const struct acl_proto_name {
	const char *name;
	uint8_t nh;
} acl_proto_names[] = {
    {"tcp", ACL_NH_TCP}, {"udp", ACL_NH_UDP}, {"icmpv6", IP6_NH_ICMPV6},
    {"esp", ACL_NH_ESP}, {"ah", IP6_NH_AH},
};

/* What acl_allows needs to know about one packet. */
struct acl_pkt {
	bool parsed;   /* ip6_parse accepted it: dst is valid */
	bool known;    /* the upper layer was found (not a non-first fragment, chain sane) */
	bool nonfirst; /* a non-first fragment (RFC 8200 §4.5): only its destination is known */
	bool routed;   /* a Routing header with Segments Left > 0: dst is not the final one */
	uint8_t proto; /* the upper-layer Next Header, when known */
	bool has_ah;   /* an Authentication Header is in the chain, when known */
	bool has_port; /* TCP or UDP with its destination port present */
	uint16_t port; /* that port */
	bool has_type; /* ICMPv6 with its type present */
	uint8_t type;  /* that type */
	struct in6_addr dst;
};

/* ---- parsing ----------------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int acl_fail(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The first ACL_QUOTE_MAX characters of a word for an error message, each byte that is not
 * printable ASCII shown as '?', so the message stays one line whatever the input. */
#define ACL_QUOTE_MAX 64

static const char *acl_quote(char *out, const char *s)
{
	size_t i;

	for (i = 0; i < ACL_QUOTE_MAX && s[i]; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
	return out;
}

/* A decimal number 0..max: digits only, no sign, no spaces, no leading junk. */
static int acl_parse_num(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint32_t)(s[i] - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* "N" or "N-M" with N <= M <= max. */
static int acl_parse_range(const char *s, uint32_t max, uint32_t *lo, uint32_t *hi)
{
	const char *dash = strchr(s, '-');
	size_t n = strlen(s);

	if (!dash)
		return acl_parse_num(s, n, max, lo) || acl_parse_num(s, n, max, hi) ? -1 : 0;
	if (acl_parse_num(s, (size_t)(dash - s), max, lo) ||
	    acl_parse_num(dash + 1, n - (size_t)(dash - s) - 1, max, hi) || *lo > *hi)
		return -1;
	return 0;
}

/* "ADDR/LEN" or a bare "ADDR" (a /128); the host bits are cleared. */
static int acl_parse_prefix(const char *s, struct in6_addr *a, uint8_t *plen)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t len = 128;

	if (n == 0 || n >= sizeof(addr))
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET6, addr, a) != 1)
		return -1;
	if (slash && acl_parse_num(slash + 1, strlen(slash + 1), 128, &len))
		return -1;
	ip6_prefix_mask(a, len);
	*plen = (uint8_t)len;
	return 0;
}

static int acl_parse_proto(const char *s, int16_t *proto)
{
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(acl_proto_names) / sizeof(acl_proto_names[0]); i++) {
		if (strcasecmp(s, acl_proto_names[i].name) == 0) {
			*proto = acl_proto_names[i].nh;
			return 0;
		}
	}
	if (acl_parse_num(s, strlen(s), 255, &v))
		return -1;
	*proto = (int16_t)v;
	return 0;
}

/*
 * Extension headers are not upper layers (RFC 8200 §4): after ip6_find_upper a rule for one
 * of them would never match, so it is refused. AH is the exception: it is matched as being
 * present in the chain, whatever it protects (RFC 4302 §1).
 */
static bool acl_proto_is_ext(int16_t p)
{
	return p == IP6_NH_HOPOPTS || p == IP6_NH_ROUTING || p == IP6_NH_FRAGMENT ||
	       p == IP6_NH_DSTOPTS;
}

static int acl_parse_value(struct acl_rule *r, enum acl_part part, const char *v, char *err,
			   size_t errlen)
{
	char q[ACL_QUOTE_MAX + 1];
	uint32_t lo, hi;

	switch (part) {
	case ACL_TO:
		if (acl_parse_prefix(v, &r->to, &r->to_len))
			return acl_fail(err, errlen, "bad prefix '%s' (IPv6 address[/0-128])",
					acl_quote(q, v));
		return 0;
	case ACL_PROTO:
		if (acl_parse_proto(v, &r->proto))
			return acl_fail(err, errlen,
					"bad proto '%s' (tcp, udp, icmpv6, esp, ah or 0-255)",
					acl_quote(q, v));
		if (acl_proto_is_ext(r->proto))
			return acl_fail(err, errlen,
					"proto %d is an extension header, not an upper layer",
					r->proto);
		return 0;
	case ACL_PORT:
		if (acl_parse_range(v, 65535, &lo, &hi))
			return acl_fail(err, errlen, "bad port '%s' (N or N-M, 0-65535, N <= M)",
					acl_quote(q, v));
		r->port_lo = (uint16_t)lo;
		r->port_hi = (uint16_t)hi;
		return 0;
	default:
		if (acl_parse_range(v, 255, &lo, &hi))
			return acl_fail(err, errlen, "bad type '%s' (N or N-M, 0-255, N <= M)",
					acl_quote(q, v));
		r->type_lo = (uint8_t)lo;
		r->type_hi = (uint8_t)hi;
		return 0;
	}
}

static int acl_find_part(const char *w)
{
	int i;

	for (i = 0; i < ACL__NPARTS; i++)
		if (strcmp(w, acl_part_names[i]) == 0)
			return i;
	return -1;
}

/* The combinations RFC semantics allow: ports only with TCP or UDP, types only with ICMPv6. */
static int acl_check_parts(const struct acl_rule *r, unsigned seen, char *err, size_t errlen)
{
	if ((seen & 1U << ACL_PORT) && r->proto != ACL_NH_TCP && r->proto != ACL_NH_UDP)
		return acl_fail(err, errlen, "port needs proto tcp or udp");
	if ((seen & 1U << ACL_TYPE) && r->proto != IP6_NH_ICMPV6)
		return acl_fail(err, errlen, "type needs proto icmpv6");
	return 0;
}

static void acl_rule_any(struct acl_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->proto = -1;
	r->port_hi = 65535;
	r->type_hi = 255;
}

int acl_rule_parse(struct acl_rule *r, const char *const *words, size_t nwords, char *err,
		   size_t errlen)
{
	char q[ACL_QUOTE_MAX + 1];
	unsigned seen = 0;
	size_t i;
	int part;

	acl_rule_any(r);
	if (nwords == 0 || !words)
		return acl_fail(err, errlen, "empty rule (expected 'any' or to/proto/port/type)");
	for (i = 0; i < nwords; i++)
		if (!words[i])
			return acl_fail(err, errlen, "missing word");
	if (nwords == 1 && strcmp(words[0], "any") == 0)
		return 0;
	for (i = 0; i < nwords; i += 2) {
		if (strcmp(words[i], "any") == 0)
			return acl_fail(err, errlen, "'any' stands alone");
		part = acl_find_part(words[i]);
		if (part < 0)
			return acl_fail(err, errlen,
					"unknown word '%s' (expected to, proto, port or type)",
					acl_quote(q, words[i]));
		if (seen & 1U << part)
			return acl_fail(err, errlen, "duplicate '%s'", acl_part_names[part]);
		seen |= 1U << part;
		if (i + 1 >= nwords)
			return acl_fail(err, errlen, "'%s' needs a value", acl_part_names[part]);
		if (acl_parse_value(r, (enum acl_part)part, words[i + 1], err, errlen))
			return -1;
	}
	return acl_check_parts(r, seen, err, errlen);
}

/* ---- the canonical text ------------------------------------------------------------------ */

/* Appends to buf[0..len) at *off; output past the end is cut (snprintf semantics). */
__attribute__((format(printf, 4, 5))) static void acl_put(char *buf, size_t len, size_t *off,
							  const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

static const char *acl_proto_name(int16_t p)
{
	size_t i;

	for (i = 0; i < sizeof(acl_proto_names) / sizeof(acl_proto_names[0]); i++)
		if (acl_proto_names[i].nh == p)
			return acl_proto_names[i].name;
	return NULL;
}

/* Parts are separated by one space. */
static const char *acl_sep(size_t off)
{
	return off ? " " : "";
}

static void acl_put_range(char *buf, size_t len, size_t *off, const char *kw, unsigned lo,
			  unsigned hi)
{
	if (lo == hi)
		acl_put(buf, len, off, "%s%s %u", acl_sep(*off), kw, lo);
	else
		acl_put(buf, len, off, "%s%s %u-%u", acl_sep(*off), kw, lo, hi);
}

const char *acl_rule_format(const struct acl_rule *r, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	struct in6_addr a = r->to;
	const char *name;
	size_t off = 0;

	if (!buf || len == 0)
		return "";
	buf[0] = '\0';
	if (r->to_len) {
		ip6_prefix_mask(&a, r->to_len);
		if (!inet_ntop(AF_INET6, &a, addr, sizeof(addr)))
			addr[0] = '\0';
		acl_put(buf, len, &off, "to %s/%u", addr, r->to_len);
	}
	if (r->proto >= 0) {
		name = acl_proto_name(r->proto);
		if (name)
			acl_put(buf, len, &off, "%sproto %s", acl_sep(off), name);
		else
			acl_put(buf, len, &off, "%sproto %d", acl_sep(off), r->proto);
	}
	if (r->port_lo != 0 || r->port_hi != 65535)
		acl_put_range(buf, len, &off, "port", r->port_lo, r->port_hi);
	if (r->type_lo != 0 || r->type_hi != 255)
		acl_put_range(buf, len, &off, "type", r->type_lo, r->type_hi);
	if (off == 0)
		snprintf(buf, len, "any");
	return buf;
}

/* ---- matching ---------------------------------------------------------------------------- */

/* Whether an AH (RFC 4302) lies in the chain before the upper layer at u->off. The chain was
 * already validated by ip6_find_upper; the walk is still bounded and bounds-checked. */
static bool acl_chain_has_ah(const uint8_t *pkt, const struct ip6_upper *u, uint8_t nxt)
{
	struct buf_cur c;
	uint8_t next, hel;
	unsigned i;

	buf_cur_init(&c, pkt, u->off);
	if (buf_skip(&c, IP6_HDR_LEN))
		return false;
	for (i = 0; i < IP6_EXT_MAX && buf_left(&c) > 0; i++) {
		if (nxt == IP6_NH_AH)
			return true;
		if (buf_get_u8(&c, &next) || buf_get_u8(&c, &hel))
			return false;
		/* RFC 8200 §4.5: the Fragment header is 8 bytes; the others count 8-byte units
		 * after the first 8 (§4.3, §4.4, §4.6). */
		if (buf_skip(&c, (nxt == IP6_NH_FRAGMENT ? 0 : (size_t)hel * 8) + 6))
			return false;
		nxt = next;
	}
	return false;
}

/* The destination port (the second 16-bit word of TCP and UDP) or the ICMPv6 type. */
static void acl_read_upper(struct acl_pkt *k, const uint8_t *pkt, size_t len, size_t off)
{
	struct buf_cur c;

	buf_cur_init(&c, pkt, len);
	if (buf_skip(&c, off))
		return;
	if (k->proto == ACL_NH_TCP || k->proto == ACL_NH_UDP)
		k->has_port = buf_skip(&c, 2) == 0 && buf_get_u16(&c, &k->port) == 0;
	else if (k->proto == IP6_NH_ICMPV6)
		k->has_type = buf_get_u8(&c, &k->type) == 0;
}

static void acl_pkt_read(struct acl_pkt *k, const uint8_t *pkt, size_t len)
{
	struct ip6_upper u;
	struct ip6_view v;

	memset(k, 0, sizeof(*k));
	if (!pkt || ip6_parse(&v, pkt, len))
		return;
	k->parsed = true;
	k->dst = v.dst;
	if (ip6_find_upper(&u, pkt, len))
		return;
	k->routed = u.routed;
	k->nonfirst = !u.known && u.proto == IP6_NH_FRAGMENT;
	if (!u.known)
		return;
	k->known = true;
	k->proto = u.proto;
	k->has_ah = acl_chain_has_ah(pkt, &u, v.nxt);
	acl_read_upper(k, pkt, len, u.off);
}

static bool acl_has_ports(const struct acl_rule *r)
{
	return r->port_lo != 0 || r->port_hi != 65535;
}

static bool acl_has_types(const struct acl_rule *r)
{
	return r->type_lo != 0 || r->type_hi != 255;
}

static bool acl_rule_match(const struct acl_rule *r, const struct acl_pkt *k)
{
	bool any_upper = r->proto < 0 && !acl_has_ports(r) && !acl_has_types(r);

	/*
	 * A packet that does not parse has no trustworthy destination, and one with a Routing
	 * header still to be followed is headed beyond it (RFC 8200 §4.4): only "any" takes
	 * them, so an allowed destination cannot be used as a stepping stone.
	 */
	if (!k->parsed || k->routed)
		return any_upper && r->to_len == 0;
	if (r->to_len && !ip6_prefix_match(&k->dst, &r->to, r->to_len))
		return false;
	if (any_upper)
		return true;
	/*
	 * A non-first fragment carries no ports or types; its first fragment, which does, was
	 * judged by the whole rule, and without it nothing reassembles. So it passes to a
	 * destination a rule names explicitly: fragmented IKE (certificate payloads over the
	 * 1280-byte MTU) would otherwise never complete. An unwalkable chain never matches.
	 */
	if (!k->known)
		return k->nonfirst && r->to_len > 0;
	if (r->proto >= 0 && r->proto != k->proto && !(r->proto == IP6_NH_AH && k->has_ah))
		return false;
	if (acl_has_ports(r) && (!k->has_port || k->port < r->port_lo || k->port > r->port_hi))
		return false;
	if (acl_has_types(r) && (!k->has_type || k->type < r->type_lo || k->type > r->type_hi))
		return false;
	return true;
}

bool acl_allows(const struct acl *a, const uint8_t *pkt, size_t len)
{
	struct acl_pkt k;
	size_t i, n;

	if (!a || a->n == 0)
		return true;
	acl_pkt_read(&k, pkt, len);
	n = a->n < ACL_MAX_RULES ? a->n : ACL_MAX_RULES;
	for (i = 0; i < n; i++)
		if (acl_rule_match(&a->rules[i], &k))
			return true;
	return false;
}
