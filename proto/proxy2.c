/* SPDX-License-Identifier: ISC */
/*
 * proxy2: the PROXY protocol version 2 header (haproxy doc/proxy-protocol.txt §2.2).
 *
 * It does: check the 16-byte fixed part byte by byte as it arrives, so anything that is not a
 * v2 header (a TLS record, an HTTP request, a v1 text line) is refused on its first wrong byte;
 * read the TCP/IPv4 or TCP/IPv6 address block into sockaddrs; walk the TLVs (§2.2) bounds-
 * checked, verify PP2_TYPE_CRC32C (§2.2.3) and read PP2_TYPE_SSL with its PP2_SUBTYPE_SSL_CN
 * (§2.2.6); skip every other TLV.
 * It does not: parse v1 (refused with a hint), accept UDP or UNIX sockets (the gateway speaks
 * TCP), look inside a LOCAL header or an UNSPEC family's block (§2.2: the receiver "must use
 * the real connection endpoints and discard the protocol block"; an UNSPEC block has no layout
 * to find TLVs by), or decide whom to trust: the caller only parses headers from its balancers.
 */
#include "proto/proxy2.h"

#include <netinet/in.h>
#include <string.h>

#include "lib/buf.h"

#define PROXY2_SIG_LEN 12
/* §2.2: the signature; its NUL and CR LF pairs make it invalid as text in common protocols. */
static const uint8_t proxy2_sig[PROXY2_SIG_LEN] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
						   0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* §2.2, 13th byte: version (high nibble) and command (low nibble). */
#define PROXY2_VERSION	 0x2
#define PROXY2_CMD_LOCAL 0x0
#define PROXY2_CMD_PROXY 0x1
/* §2.2, 14th byte: address family (high nibble) and transport protocol (low nibble). */
#define PROXY2_AF_UNSPEC 0x0
#define PROXY2_AF_INET	 0x1
#define PROXY2_AF_INET6	 0x2
#define PROXY2_AF_UNIX	 0x3
#define PROXY2_TP_UNSPEC 0x0
#define PROXY2_TP_STREAM 0x1
#define PROXY2_TP_DGRAM	 0x2
/* §2.2 union proxy_addr: 2 addresses and 2 ports. */
#define PROXY2_BLOCK_INET  12
#define PROXY2_BLOCK_INET6 36

/* §2.2 registered TLV types, and §2.2.6 struct pp2_tlv_ssl. */
#define PP2_TYPE_CRC32C	     0x03
#define PP2_TYPE_SSL	     0x20
#define PP2_SUBTYPE_SSL_CN   0x22
#define PP2_CLIENT_SSL	     0x01
#define PP2_CLIENT_CERT_CONN 0x02
#define PP2_CLIENT_CERT_SESS 0x04
#define PROXY2_CRC_LEN	     4

#define PROXY2_STR_(x) #x
#define PROXY2_STR(x)  PROXY2_STR_(x)

static const char proxy2_e_v1[] =
    "PROXY protocol v1 header: configure the balancer for v2 (send-proxy-v2)";
static const char proxy2_e_tls[] = "TLS record where a PROXY v2 header was expected: configure "
				   "the balancer to send one (send-proxy-v2)";
static const char proxy2_e_http[] = "HTTP request where a PROXY v2 header was expected: "
				    "configure the balancer to send one (send-proxy-v2)";
static const char proxy2_e_tlv_short[] = "PROXY v2 header: truncated TLV";
static const char proxy2_e_tlv_over[] = "PROXY v2 header: TLV overruns the header";

/* What the first 16 bytes say. */
struct proxy2_fixed {
	uint8_t cmd, af, tp;
	uint16_t len; /* bytes after the fixed part */
};

/* TLV state kept across the walk. */
struct proxy2_walk {
	const uint8_t *crc; /* where the PP2_TYPE_CRC32C value lies in the header, NULL if none */
	uint32_t crc_sent;
	bool ssl_seen;
};

/* The best reason for a stream that does not start with the signature. Only the first bytes
 * are there, and they are what a misconfigured balancer most likely sends. */
static const char *proxy2_not_v2(const uint8_t *p, size_t len)
{
	static const char v1[] = "PROXY";
	struct buf_cur c;
	uint8_t b;
	size_t i;

	buf_cur_init(&c, p, len);
	if (buf_get_u8(&c, &b) == -1)
		return "not a PROXY v2 header";
	if (b == 0x16) /* RFC 8446 §5.1 ContentType handshake: TLS sent straight through */
		return proxy2_e_tls;
	if (b == 'P') {
		/* §2.1 and §2.2: v1 is the five letters "PROXY"; "POST"/"PUT" differ by byte 2. */
		for (i = 1; i < sizeof(v1) - 1 && buf_get_u8(&c, &b) == 0; i++)
			if (b != (uint8_t)v1[i])
				return proxy2_e_http;
		return proxy2_e_v1;
	}
	if (b >= 'A' && b <= 'Z') /* RFC 9110 §9: methods are tokens; all registered are upper */
		return proxy2_e_http;
	return "not a PROXY v2 header (wrong signature)";
}

/* §2.2 13th and 14th bytes; NULL when valid. The family matters only for PROXY: LOCAL's is
 * "ignored", and the gateway can take only TCP over IPv4 or IPv6 (or UNSPEC: no addresses). */
static const char *proxy2_check_fam(const struct proxy2_fixed *f)
{
	if (f->cmd == PROXY2_CMD_LOCAL)
		return NULL;
	if (f->af > PROXY2_AF_UNIX)
		return "PROXY v2 header: unknown address family";
	if (f->tp > PROXY2_TP_DGRAM)
		return "PROXY v2 header: unknown transport protocol";
	if (f->af == PROXY2_AF_UNIX)
		return "PROXY v2 header: UNIX socket family not supported";
	if (f->tp == PROXY2_TP_DGRAM)
		return "PROXY v2 header: DGRAM (UDP) not supported";
	if (f->af != PROXY2_AF_UNSPEC && f->tp != PROXY2_TP_STREAM)
		return "PROXY v2 header: IP family without a transport protocol";
	return NULL;
}

/* §2.2 15th-16th bytes: the length, against our bound and the family's address block. */
static const char *proxy2_check_len(const struct proxy2_fixed *f)
{
	if ((size_t)PROXY2_FIXED + f->len > PROXY2_MAX)
		return "PROXY v2 header: longer than " PROXY2_STR(PROXY2_MAX) " bytes";
	if (f->cmd != PROXY2_CMD_PROXY)
		return NULL;
	if (f->af == PROXY2_AF_INET && f->len < PROXY2_BLOCK_INET)
		return "PROXY v2 header: address block too short for TCP/IPv4";
	if (f->af == PROXY2_AF_INET6 && f->len < PROXY2_BLOCK_INET6)
		return "PROXY v2 header: address block too short for TCP/IPv6";
	return NULL;
}

/*
 * The fixed part, as far as it has arrived. INCOMPLETE: every byte so far is valid; OK: all 16
 * are in and valid (*f filled); ERROR: *err says why.
 */
static enum proxy2_status proxy2_fixed(struct buf_cur *c, struct proxy2_fixed *f, const char **err)
{
	uint8_t b, vc, fam;
	size_t i;

	for (i = 0; i < PROXY2_SIG_LEN; i++) {
		if (buf_get_u8(c, &b) == -1)
			return PROXY2_INCOMPLETE;
		if (b != proxy2_sig[i]) {
			*err = proxy2_not_v2(c->p, c->len);
			return PROXY2_ERROR;
		}
	}
	if (buf_get_u8(c, &vc) == -1)
		return PROXY2_INCOMPLETE;
	f->cmd = vc & 0x0f;
	/* §2.2: "the receiver must only accept" version 2, and "must drop connections
	 * presenting unexpected values" of the command. */
	if (vc >> 4 != PROXY2_VERSION)
		*err = "PROXY v2 header: version is not 2";
	else if (f->cmd != PROXY2_CMD_LOCAL && f->cmd != PROXY2_CMD_PROXY)
		*err = "PROXY v2 header: unknown command";
	else if (buf_get_u8(c, &fam) == -1)
		return PROXY2_INCOMPLETE;
	else {
		f->af = fam >> 4;
		f->tp = fam & 0x0f;
		if ((*err = proxy2_check_fam(f)) == NULL) {
			if (buf_get_u16(c, &f->len) == -1)
				return PROXY2_INCOMPLETE;
			*err = proxy2_check_len(f);
		}
	}
	return *err ? PROXY2_ERROR : PROXY2_OK;
}

/* §2.2 struct pp2_tlv: 1 with the next TLV's type and value, 0 at the end, -1 with *err. */
static int proxy2_tlv_next(struct buf_cur *c, uint8_t *type, struct buf_cur *v, const char **err)
{
	uint16_t len;

	if (buf_left(c) == 0)
		return 0;
	if (buf_get_u8(c, type) == -1 || buf_get_u16(c, &len) == -1) {
		*err = proxy2_e_tlv_short;
		return -1;
	}
	if (buf_sub(c, v, len) == -1) {
		*err = proxy2_e_tlv_over;
		return -1;
	}
	return 1;
}

/* §2.2.6 PP2_SUBTYPE_SSL_CN: UTF-8 text. HAProxy sends it only for a non-empty CN. Control
 * characters and NUL are refused: the CN ends up in logs and in identity comparisons. */
static const char *proxy2_cn(struct buf_cur *v, struct proxy2_result *r)
{
	size_t n = buf_left(v), i;
	uint8_t b;

	if (r->ssl_cn[0] != '\0')
		return "PROXY v2 header: more than one SSL CN";
	if (n == 0)
		return "PROXY v2 header: empty SSL CN";
	if (n > PROXY2_CN_MAX - 1)
		return "PROXY v2 header: SSL CN too long";
	for (i = 0; i < n; i++) {
		if (buf_get_u8(v, &b) == -1)
			return proxy2_e_tlv_short;
		if (b < 0x20 || b == 0x7f)
			return "PROXY v2 header: control character in the SSL CN";
		r->ssl_cn[i] = (char)b;
	}
	r->ssl_cn[n] = '\0';
	return NULL;
}

/*
 * §2.2.6 struct pp2_tlv_ssl: client flags, verify, then sub-TLVs. HAProxy sends this TLV with
 * client 0 and verify 0 for a client that did not use TLS, so `ssl` is the PP2_CLIENT_SSL flag,
 * not the TLV's presence, and verify means something only with a certificate flag.
 */
static const char *proxy2_ssl(struct buf_cur *v, struct proxy2_walk *w, struct proxy2_result *r)
{
	const char *err = NULL;
	struct buf_cur sv;
	uint8_t client, type;
	int rc;

	if (w->ssl_seen)
		return "PROXY v2 header: more than one SSL TLV";
	w->ssl_seen = true;
	if (buf_get_u8(v, &client) == -1 || buf_get_u32(v, &r->ssl_verify) == -1)
		return "PROXY v2 header: SSL TLV shorter than 5 bytes";
	r->ssl = (client & PP2_CLIENT_SSL) != 0;
	r->ssl_client_cert = (client & (PP2_CLIENT_CERT_CONN | PP2_CLIENT_CERT_SESS)) != 0;
	if (r->ssl_client_cert && !r->ssl)
		return "PROXY v2 header: SSL certificate flags without PP2_CLIENT_SSL";
	/* Bounded: each sub-TLV takes at least 3 of the value's bytes. */
	while ((rc = proxy2_tlv_next(v, &type, &sv, &err)) == 1)
		if (type == PP2_SUBTYPE_SSL_CN && (err = proxy2_cn(&sv, r)) != NULL)
			return err;
	return rc == 0 ? NULL : err;
}

/* §2.2.3: the value is kept aside (network order, as HAProxy writes it) and checked once the
 * whole header is known to be well formed. */
static const char *proxy2_crc_tlv(struct buf_cur *v, struct proxy2_walk *w)
{
	if (w->crc)
		return "PROXY v2 header: more than one CRC32c TLV";
	if (buf_left(v) != PROXY2_CRC_LEN)
		return "PROXY v2 header: CRC32c TLV not 4 bytes";
	w->crc = buf_pos(v);
	return buf_get_u32(v, &w->crc_sent) == -1 ? proxy2_e_tlv_short : NULL;
}

/* The TLVs after the address block; bounded, each takes at least 3 bytes of at most
 * PROXY2_MAX. Unknown types (ALPN, AUTHORITY, NOOP, UNIQUE_ID, NETNS, custom) are skipped. */
static const char *proxy2_tlvs(struct buf_cur *blk, struct proxy2_walk *w, struct proxy2_result *r)
{
	const char *err = NULL;
	struct buf_cur v;
	uint8_t type;
	int rc;

	while ((rc = proxy2_tlv_next(blk, &type, &v, &err)) == 1) {
		if (type == PP2_TYPE_CRC32C)
			err = proxy2_crc_tlv(&v, w);
		else if (type == PP2_TYPE_SSL)
			err = proxy2_ssl(&v, w, r);
		if (err)
			return err;
	}
	return rc == 0 ? NULL : err;
}

/* CRC32c (Castagnoli, reflected polynomial 0x82F63B78), RFC 4960 Appendix B / RFC 3309, bit by
 * bit: a header is at most PROXY2_MAX bytes, once per connection. crc is the running register
 * (start 0xffffffff, final complement); `zero` bytes of the input read as 0 from `skip` on. */
static uint32_t proxy2_crc32c(uint32_t crc, struct buf_cur *c, const uint8_t *skip)
{
	uint8_t b;
	int k;

	while (buf_left(c) > 0) {
		const uint8_t *at = buf_pos(c);

		if (buf_get_u8(c, &b) == -1)
			break;
		if (at >= skip && at < skip + PROXY2_CRC_LEN)
			b = 0;
		crc ^= b;
		for (k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return crc;
}

/* §2.2.3: the CRC32c of the whole header with the checksum field zeroed. */
static bool proxy2_crc_ok(const uint8_t *p, size_t hdrlen, const struct proxy2_walk *w)
{
	struct buf_cur c;

	buf_cur_init(&c, p, hdrlen);
	return ~proxy2_crc32c(0xffffffffu, &c, w->crc) == w->crc_sent;
}

/* §2.2 union proxy_addr, TCP over IPv4: source address, destination address, ports. */
static int proxy2_inet(struct buf_cur *blk, struct proxy2_result *r)
{
	struct sockaddr_in s = {.sin_family = AF_INET}, d = {.sin_family = AF_INET};
	uint16_t sp, dp;

	if (buf_get_bytes(blk, &s.sin_addr, 4) == -1 || buf_get_bytes(blk, &d.sin_addr, 4) == -1 ||
	    buf_get_u16(blk, &sp) == -1 || buf_get_u16(blk, &dp) == -1)
		return -1;
	s.sin_port = htons(sp);
	d.sin_port = htons(dp);
	memcpy(&r->src, &s, sizeof(s));
	memcpy(&r->dst, &d, sizeof(d));
	r->srclen = r->dstlen = sizeof(s);
	return 0;
}

/* §2.2 union proxy_addr, TCP over IPv6. */
static int proxy2_inet6(struct buf_cur *blk, struct proxy2_result *r)
{
	struct sockaddr_in6 s = {.sin6_family = AF_INET6}, d = {.sin6_family = AF_INET6};
	uint16_t sp, dp;

	if (buf_get_bytes(blk, &s.sin6_addr, 16) == -1 ||
	    buf_get_bytes(blk, &d.sin6_addr, 16) == -1 || buf_get_u16(blk, &sp) == -1 ||
	    buf_get_u16(blk, &dp) == -1)
		return -1;
	s.sin6_port = htons(sp);
	d.sin6_port = htons(dp);
	memcpy(&r->src, &s, sizeof(s));
	memcpy(&r->dst, &d, sizeof(d));
	r->srclen = r->dstlen = sizeof(s);
	return 0;
}

/* A PROXY command's block (the fixed part checked its length covers the addresses). */
static const char *proxy2_proxy(const uint8_t *p, const struct proxy2_fixed *f, struct buf_cur *blk,
				struct proxy2_result *r)
{
	struct proxy2_walk w = {0};
	const char *err;

	/* §2.2: with UNSPEC the receiver "should ignore address information"; its layout is
	 * unknown, so are any TLVs: none are read (no SSL facts, which fails closed). */
	if (f->af == PROXY2_AF_UNSPEC)
		return NULL;
	if ((f->af == PROXY2_AF_INET ? proxy2_inet(blk, r) : proxy2_inet6(blk, r)) == -1)
		return "PROXY v2 header: address block too short";
	if ((err = proxy2_tlvs(blk, &w, r)) != NULL)
		return err;
	if (w.crc && !proxy2_crc_ok(p, PROXY2_FIXED + (size_t)f->len, &w))
		return "PROXY v2 header: CRC32c mismatch";
	return NULL;
}

enum proxy2_status proxy2_parse(const uint8_t *p, size_t len, struct proxy2_result *r)
{
	struct proxy2_fixed f = {0};
	const char *err = NULL;
	enum proxy2_status st;
	struct buf_cur c, blk;

	memset(r, 0, sizeof(*r));
	buf_cur_init(&c, p, p ? len : 0);
	st = proxy2_fixed(&c, &f, &err);
	if (st == PROXY2_OK && buf_sub(&c, &blk, f.len) == -1)
		return PROXY2_INCOMPLETE;
	if (st == PROXY2_OK) {
		r->local = f.cmd == PROXY2_CMD_LOCAL;
		if (!r->local)
			err = proxy2_proxy(p, &f, &blk, r);
	}
	if (err) {
		/* Nothing half-parsed survives an error. */
		memset(r, 0, sizeof(*r));
		r->error = err;
		return PROXY2_ERROR;
	}
	if (st == PROXY2_OK)
		r->consumed = PROXY2_FIXED + (size_t)f.len;
	return st;
}
