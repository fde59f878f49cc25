/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/proxy2: PROXY protocol v2 headers (haproxy doc/proxy-protocol.txt §2.2)
 * written out by hand: TCP over IPv4 and IPv6, LOCAL, the UNSPEC family, the SSL TLV with
 * client flags, verify and a CN sub-TLV (§2.2.6, laid out as HAProxy's make_proxy_line_v2
 * sends it), the CRC32c TLV (§2.2.3) with a checksum computed outside this code (a Python
 * bitwise CRC32c checked against the RFC 3720 B.4 / "123456789" -> 0xE3069283 vector) and with
 * the test's own table-driven CRC32c, checked against the same vector. Every prefix of a valid
 * header is INCOMPLETE; TLS, HTTP and v1 text are refused on their first byte; each malformed
 * field is refused on the byte that shows it; bytes after the header are never consumed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "proto/proxy2.h"

#define SIG 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a

static const char e_v1[] =
    "PROXY protocol v1 header: configure the balancer for v2 (send-proxy-v2)";
static const char e_tls[] = "TLS record where a PROXY v2 header was expected: configure the "
			    "balancer to send one (send-proxy-v2)";
static const char e_http[] = "HTTP request where a PROXY v2 header was expected: configure the "
			     "balancer to send one (send-proxy-v2)";

/* PROXY TCP4 192.0.2.10:51234 -> 203.0.113.5:443. */
static const uint8_t tcp4[] = {
    SIG, 0x21, 0x11, 0x00, 0x0c, 192, 0, 2, 10, 203, 0, 113, 5, 0xc8, 0x22, 0x01, 0xbb,
};

/* PROXY TCP6 [2001:db8:1:2::a]:50000 -> [2001:db8:ffff::1]:443. */
static const uint8_t tcp6[] = {
    SIG,  0x21, 0x21, 0x00, 0x24, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x02, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc3, 0x50, 0x01, 0xbb,
};

/* LOCAL, UNSPEC, no block: what HAProxy sends for its health checks. */
static const uint8_t local0[] = {SIG, 0x20, 0x00, 0x00, 0x00};

/*
 * tcp4 plus PP2_TYPE_SSL (36 bytes): client = SSL | CERT_CONN | CERT_SESS, verify 0,
 * PP2_SUBTYPE_SSL_VERSION "TLSv1.3", PP2_SUBTYPE_SSL_CN "client.example.com".
 */
static const uint8_t tcp4_ssl[] = {
    SIG,  0x21, 0x11, 0x00, 0x33, 192,	0,    2,    10,	  203,	0,    113,  5,	  0xc8,
    0x22, 0x01, 0xbb, 0x20, 0x00, 0x24, 0x07, 0x00, 0x00, 0x00, 0x00, 0x21, 0x00, 0x07,
    'T',  'L',	'S',  'v',  '1',  '.',	'3',  0x22, 0x00, 0x12, 'c',  'l',  'i',  'e',
    'n',  't',	'.',  'e',  'x',  'a',	'm',  'p',  'l',  'e',	'.',  'c',  'o',  'm',
};
#define SSL_CLIENT_AT 31 /* offset of the client byte in tcp4_ssl */
#define SSL_VERIFY_AT 32

/* tcp4 plus PP2_TYPE_CRC32C; 0xbd666b1f computed by a separate (Python) CRC32c. */
static const uint8_t tcp4_crc[] = {
    SIG, 0x21, 0x11, 0x00, 0x13, 192,  0,    2,	   10,	 203,  0,    113,
    5,	 0xc8, 0x22, 0x01, 0xbb, 0x03, 0x00, 0x04, 0xbd, 0x66, 0x6b, 0x1f,
};

/* The first bytes of a TLS 1.2/1.3 ClientHello record (RFC 8446 §5.1). */
static const uint8_t client_hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01,
				       0x00, 0x01, 0xfc, 0x03, 0x03};

/* ---- helpers ---- */

/* CRC32c, table-driven (unlike the module's bitwise one), reflected 0x82F63B78. */
static uint32_t crc32c(const uint8_t *p, size_t n)
{
	static uint32_t table[256];
	uint32_t crc = 0xffffffffu;

	if (table[1] == 0)
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
			table[i] = c;
		}
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* A header: signature, ver_cmd, fam, length, then body. Returns its size. */
static size_t build(uint8_t *out, uint8_t vc, uint8_t fam, const uint8_t *body, size_t blen)
{
	static const uint8_t sig[12] = {SIG};

	memcpy(out, sig, 12);
	out[12] = vc;
	out[13] = fam;
	out[14] = (uint8_t)(blen >> 8);
	out[15] = (uint8_t)blen;
	if (blen)
		memcpy(out + 16, body, blen);
	return 16 + blen;
}

/* Appends a TLV to a body under construction. */
static size_t tlv(uint8_t *body, size_t at, uint8_t type, const void *v, size_t len)
{
	body[at] = type;
	body[at + 1] = (uint8_t)(len >> 8);
	body[at + 2] = (uint8_t)len;
	if (len)
		memcpy(body + at + 3, v, len);
	return at + 3 + len;
}

/* The tcp4 address block. */
static size_t block4(uint8_t *body)
{
	memcpy(body, tcp4 + 16, 12);
	return 12;
}

/* Fills in the CRC32c field whose value starts at off (§2.2.3: over the header, field 0). */
static void fix_crc(uint8_t *h, size_t n, size_t off)
{
	uint32_t c;

	memset(h + off, 0, 4);
	c = crc32c(h, n);
	h[off] = (uint8_t)(c >> 24);
	h[off + 1] = (uint8_t)(c >> 16);
	h[off + 2] = (uint8_t)(c >> 8);
	h[off + 3] = (uint8_t)c;
}

static enum proxy2_status parse(const uint8_t *p, size_t len, struct proxy2_result *r)
{
	return proxy2_parse(p, len, r);
}

static void assert_error(const uint8_t *p, size_t len, const char *why)
{
	struct proxy2_result r;

	assert_int_equal(parse(p, len, &r), PROXY2_ERROR);
	assert_non_null(r.error);
	if (why)
		assert_string_equal(r.error, why);
	/* Nothing half-parsed survives. */
	assert_int_equal(r.consumed, 0);
	assert_int_equal(r.src.ss_family, AF_UNSPEC);
	assert_int_equal(r.srclen, 0);
	assert_false(r.ssl);
	assert_string_equal(r.ssl_cn, "");
}

/* Every strict prefix is INCOMPLETE with an empty result; the whole is OK. */
static void assert_prefixes(const uint8_t *p, size_t len)
{
	struct proxy2_result r;

	for (size_t n = 0; n < len; n++) {
		assert_int_equal(parse(p, n, &r), PROXY2_INCOMPLETE);
		assert_null(r.error);
		assert_int_equal(r.consumed, 0);
		assert_int_equal(r.src.ss_family, AF_UNSPEC);
	}
	assert_int_equal(parse(p, len, &r), PROXY2_OK);
	assert_int_equal(r.consumed, len);
}

/* The first n-1 bytes are a valid prefix; byte n shows the error. */
static void assert_error_at(const uint8_t *p, size_t n, const char *why)
{
	struct proxy2_result r;

	assert_int_equal(parse(p, n - 1, &r), PROXY2_INCOMPLETE);
	assert_error(p, n, why);
}

static void assert_sin(const struct sockaddr_storage *ss, socklen_t len, const char *addr,
		       uint16_t port)
{
	struct sockaddr_in sin;
	char buf[INET_ADDRSTRLEN];

	assert_int_equal(len, sizeof(sin));
	memcpy(&sin, ss, sizeof(sin));
	assert_int_equal(sin.sin_family, AF_INET);
	assert_non_null(inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof(buf)));
	assert_string_equal(buf, addr);
	assert_int_equal(ntohs(sin.sin_port), port);
}

static void assert_sin6(const struct sockaddr_storage *ss, socklen_t len, const char *addr,
			uint16_t port)
{
	struct sockaddr_in6 sin6;
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(len, sizeof(sin6));
	memcpy(&sin6, ss, sizeof(sin6));
	assert_int_equal(sin6.sin6_family, AF_INET6);
	assert_non_null(inet_ntop(AF_INET6, &sin6.sin6_addr, buf, sizeof(buf)));
	assert_string_equal(buf, addr);
	assert_int_equal(ntohs(sin6.sin6_port), port);
	assert_int_equal(sin6.sin6_scope_id, 0);
	assert_int_equal(sin6.sin6_flowinfo, 0);
}

/* ---- valid headers ---- */

static void test_tcp4(void **state)
{
	struct proxy2_result r;

	(void)state;
	assert_int_equal(parse(tcp4, sizeof(tcp4), &r), PROXY2_OK);
	assert_int_equal(r.consumed, 28);
	assert_false(r.local);
	assert_sin(&r.src, r.srclen, "192.0.2.10", 51234);
	assert_sin(&r.dst, r.dstlen, "203.0.113.5", 443);
	assert_false(r.ssl);
	assert_false(r.ssl_client_cert);
	assert_int_equal(r.ssl_verify, 0);
	assert_string_equal(r.ssl_cn, "");
	assert_null(r.error);
	assert_prefixes(tcp4, sizeof(tcp4));
}

static void test_tcp6(void **state)
{
	struct proxy2_result r;

	(void)state;
	assert_int_equal(parse(tcp6, sizeof(tcp6), &r), PROXY2_OK);
	assert_int_equal(r.consumed, 52);
	assert_false(r.local);
	assert_sin6(&r.src, r.srclen, "2001:db8:1:2::a", 50000);
	assert_sin6(&r.dst, r.dstlen, "2001:db8:ffff::1", 443);
	assert_false(r.ssl);
	assert_prefixes(tcp6, sizeof(tcp6));
}

static void test_local(void **state)
{
	struct proxy2_result r;
	uint8_t h[64], body[32];
	size_t n;

	(void)state;
	assert_int_equal(parse(local0, sizeof(local0), &r), PROXY2_OK);
	assert_int_equal(r.consumed, 16);
	assert_true(r.local);
	assert_int_equal(r.src.ss_family, AF_UNSPEC);
	assert_int_equal(r.srclen, 0);
	assert_prefixes(local0, sizeof(local0));

	/* §2.2: LOCAL's block is skipped by its length, family ignored, even one we refuse for
	 * PROXY (UNIX, UDP) and TLVs that would not parse. */
	n = build(h, 0x20, 0x11, body, block4(body));
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_true(r.local);
	assert_int_equal(r.consumed, 28);
	assert_int_equal(r.src.ss_family, AF_UNSPEC);
	memset(body, 0xee, sizeof(body));
	n = build(h, 0x20, 0x31, body, 5);
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_true(r.local);
	assert_int_equal(r.consumed, 21);
	n = build(h, 0x20, 0x12, body, 0);
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_true(r.local);
}

static void test_unspec_family(void **state)
{
	struct proxy2_result r;
	uint8_t h[64], body[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	size_t n;

	(void)state;
	/* PROXY with UNSPEC: accepted, no addresses (keep the socket's), block skipped. */
	n = build(h, 0x21, 0x00, body, 0);
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_false(r.local);
	assert_int_equal(r.src.ss_family, AF_UNSPEC);
	assert_int_equal(r.consumed, 16);
	n = build(h, 0x21, 0x00, body, sizeof(body));
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_int_equal(r.consumed, 24);
	assert_int_equal(r.srclen, 0);
	/* UNSPEC family over STREAM: the same. */
	n = build(h, 0x21, 0x01, body, 0);
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_int_equal(r.src.ss_family, AF_UNSPEC);
}

static void test_trailing_data(void **state)
{
	struct proxy2_result r;
	uint8_t buf[sizeof(tcp4_ssl) + sizeof(client_hello)];

	(void)state;
	memcpy(buf, tcp4_ssl, sizeof(tcp4_ssl));
	memcpy(buf + sizeof(tcp4_ssl), client_hello, sizeof(client_hello));
	assert_int_equal(parse(buf, sizeof(buf), &r), PROXY2_OK);
	assert_int_equal(r.consumed, sizeof(tcp4_ssl));
	assert_string_equal(r.ssl_cn, "client.example.com");
	/* One trailing byte that is no TLV: still the stream's, not the header's. */
	assert_int_equal(parse(buf, sizeof(tcp4_ssl) + 1, &r), PROXY2_OK);
	assert_int_equal(r.consumed, sizeof(tcp4_ssl));
}

/* ---- PP2_TYPE_SSL ---- */

static void test_ssl_cn(void **state)
{
	struct proxy2_result r;

	(void)state;
	assert_int_equal(parse(tcp4_ssl, sizeof(tcp4_ssl), &r), PROXY2_OK);
	assert_int_equal(r.consumed, 67);
	assert_sin(&r.src, r.srclen, "192.0.2.10", 51234);
	assert_true(r.ssl);
	assert_true(r.ssl_client_cert);
	assert_int_equal(r.ssl_verify, 0);
	assert_string_equal(r.ssl_cn, "client.example.com");
	assert_prefixes(tcp4_ssl, sizeof(tcp4_ssl));
}

static void test_ssl_verify_and_flags(void **state)
{
	static const struct {
		uint8_t client;
		bool ssl, cert;
	} cases[] = {
	    {0x01, true, false},		       /* TLS, no certificate */
	    {0x03, true, true},			       /* certificate on this connection */
	    {0x05, true, true},			       /* certificate earlier in the session */
	    {0x07, true, true},	 {0x00, false, false}, /* HAProxy's TLV for a client without TLS */
	    {0xf1, true, false},		       /* unassigned bits ignored */
	};
	struct proxy2_result r;
	uint8_t h[sizeof(tcp4_ssl)];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(h, tcp4_ssl, sizeof(h));
		h[SSL_CLIENT_AT] = cases[i].client;
		assert_int_equal(parse(h, sizeof(h), &r), PROXY2_OK);
		assert_int_equal(r.ssl, cases[i].ssl);
		assert_int_equal(r.ssl_client_cert, cases[i].cert);
	}
	/* verify is big-endian: 21 = X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE. */
	memcpy(h, tcp4_ssl, sizeof(h));
	h[SSL_VERIFY_AT + 3] = 21;
	assert_int_equal(parse(h, sizeof(h), &r), PROXY2_OK);
	assert_int_equal(r.ssl_verify, 21);
	assert_true(r.ssl_client_cert);
	h[SSL_VERIFY_AT] = 0x80;
	assert_int_equal(parse(h, sizeof(h), &r), PROXY2_OK);
	assert_int_equal(r.ssl_verify, 0x80000015u);
	/* Certificate flags without PP2_CLIENT_SSL contradict each other. */
	memcpy(h, tcp4_ssl, sizeof(h));
	h[SSL_CLIENT_AT] = 0x02;
	assert_error(h, sizeof(h), "PROXY v2 header: SSL certificate flags without PP2_CLIENT_SSL");
}

/* tcp4 + an SSL TLV (client 0x07, verify 0) holding one CN sub-TLV of cnlen bytes of cn. */
static size_t build_cn(uint8_t *h, const uint8_t *cn, size_t cnlen)
{
	uint8_t body[PROXY2_MAX], ssl[PROXY2_MAX];
	size_t n = block4(body), s;

	ssl[0] = 0x07;
	memset(ssl + 1, 0, 4);
	s = tlv(ssl, 5, 0x22, cn, cnlen);
	n = tlv(body, n, 0x20, ssl, s);
	return build(h, 0x21, 0x11, body, n);
}

static void test_ssl_cn_checks(void **state)
{
	uint8_t h[PROXY2_MAX], cn[PROXY2_CN_MAX + 1];
	struct proxy2_result r;
	size_t n;

	(void)state;
	/* The longest accepted: PROXY2_CN_MAX - 1, NUL-terminated. */
	memset(cn, 'a', sizeof(cn));
	n = build_cn(h, cn, PROXY2_CN_MAX - 1);
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_int_equal(strlen(r.ssl_cn), PROXY2_CN_MAX - 1);
	assert_int_equal(r.ssl_cn[PROXY2_CN_MAX - 2], 'a');
	n = build_cn(h, cn, PROXY2_CN_MAX);
	assert_error(h, n, "PROXY v2 header: SSL CN too long");
	/* UTF-8 is fine ("é" = c3 a9). */
	n = build_cn(h, (const uint8_t *)"caf\xc3\xa9", 5);
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_string_equal(r.ssl_cn, "caf\xc3\xa9");
	/* NUL, control characters, DEL, empty. */
	n = build_cn(h, (const uint8_t *)"ab\0cd", 5);
	assert_error(h, n, "PROXY v2 header: control character in the SSL CN");
	n = build_cn(h, (const uint8_t *)"ab\ncd", 5);
	assert_error(h, n, "PROXY v2 header: control character in the SSL CN");
	n = build_cn(h, (const uint8_t *)"ab\x1b", 3);
	assert_error(h, n, "PROXY v2 header: control character in the SSL CN");
	n = build_cn(h, (const uint8_t *)"ab\x7f", 3);
	assert_error(h, n, "PROXY v2 header: control character in the SSL CN");
	n = build_cn(h, (const uint8_t *)"", 0);
	assert_error(h, n, "PROXY v2 header: empty SSL CN");
}

static void test_ssl_malformed(void **state)
{
	uint8_t h[512], body[256], ssl[128];
	size_t n, s;

	(void)state;
	/* Shorter than client + verify. */
	n = tlv(body, block4(body), 0x20, "\x01\x00\x00\x00", 4);
	n = build(h, 0x21, 0x11, body, n);
	assert_error(h, n, "PROXY v2 header: SSL TLV shorter than 5 bytes");
	/* Two SSL TLVs. */
	n = tlv(body, block4(body), 0x20, "\x01\x00\x00\x00\x00", 5);
	n = tlv(body, n, 0x20, "\x01\x00\x00\x00\x00", 5);
	n = build(h, 0x21, 0x11, body, n);
	assert_error(h, n, "PROXY v2 header: more than one SSL TLV");
	/* Two CNs. */
	ssl[0] = 0x07;
	memset(ssl + 1, 0, 4);
	s = tlv(ssl, 5, 0x22, "a", 1);
	s = tlv(ssl, s, 0x22, "b", 1);
	n = build(h, 0x21, 0x11, body, tlv(body, block4(body), 0x20, ssl, s));
	assert_error(h, n, "PROXY v2 header: more than one SSL CN");
	/* A sub-TLV running past the SSL value (but not past the header). */
	s = tlv(ssl, 5, 0x22, "abcd", 4);
	ssl[7] = 5; /* CN length 5, 4 bytes there */
	n = tlv(body, block4(body), 0x20, ssl, s);
	n = tlv(body, n, 0x04, "xxxx", 4);
	n = build(h, 0x21, 0x11, body, n);
	assert_error(h, n, "PROXY v2 header: TLV overruns the header");
	/* Two stray bytes after the sub-TLVs: a truncated sub-TLV. */
	s = tlv(ssl, 5, 0x22, "abcd", 4);
	ssl[s++] = 0x21;
	ssl[s++] = 0x00;
	n = build(h, 0x21, 0x11, body, tlv(body, block4(body), 0x20, ssl, s));
	assert_error(h, n, "PROXY v2 header: truncated TLV");
	/* Other sub-TLVs (version, cipher, sig/key alg, unknown) are skipped. */
	s = tlv(ssl, 5, 0x21, "TLSv1.2", 7);
	s = tlv(ssl, s, 0x23, "ECDHE-RSA-AES128-GCM-SHA256", 27);
	s = tlv(ssl, s, 0x24, "RSA-SHA256", 10);
	s = tlv(ssl, s, 0x25, "RSA2048", 7);
	s = tlv(ssl, s, 0x99, "", 0);
	n = build(h, 0x21, 0x11, body, tlv(body, block4(body), 0x20, ssl, s));
	{
		struct proxy2_result r;

		assert_int_equal(parse(h, n, &r), PROXY2_OK);
		assert_true(r.ssl);
		assert_string_equal(r.ssl_cn, "");
	}
}

/* ---- PP2_TYPE_CRC32C ---- */

static void test_crc32c_vector(void **state)
{
	(void)state;
	/* The check value of CRC-32C (RFC 3720 B.4 polynomial): the test's CRC is right. */
	assert_int_equal(crc32c((const uint8_t *)"123456789", 9), 0xe3069283u);
}

static void test_crc_right(void **state)
{
	struct proxy2_result r;
	uint8_t h[sizeof(tcp4_crc)];

	(void)state;
	/* The test's CRC agrees with the vector's outside computation. */
	memcpy(h, tcp4_crc, sizeof(h));
	fix_crc(h, sizeof(h), 31);
	assert_memory_equal(h, tcp4_crc, sizeof(h));
	assert_int_equal(parse(tcp4_crc, sizeof(tcp4_crc), &r), PROXY2_OK);
	assert_int_equal(r.consumed, 35);
	assert_sin(&r.src, r.srclen, "192.0.2.10", 51234);
	assert_prefixes(tcp4_crc, sizeof(tcp4_crc));
}

static void test_crc_with_ssl(void **state)
{
	uint8_t h[512], body[256], ssl[128];
	struct proxy2_result r;
	size_t n, s, crc_at;

	(void)state;
	/* CRC first, then ALPN, then SSL: the checksum covers all of it. */
	ssl[0] = 0x07;
	memset(ssl + 1, 0, 4);
	s = tlv(ssl, 5, 0x22, "client.example.com", 18);
	n = tlv(body, block4(body), 0x03, "\0\0\0\0", 4);
	crc_at = 16 + 12 + 3;
	n = tlv(body, n, 0x01, "\x08http/1.1", 9);
	n = tlv(body, n, 0x20, ssl, s);
	n = build(h, 0x21, 0x11, body, n);
	fix_crc(h, n, crc_at);
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_string_equal(r.ssl_cn, "client.example.com");
	/* Changing the CN (after the CRC TLV) breaks it. */
	h[n - 1] ^= 0x01;
	assert_error(h, n, "PROXY v2 header: CRC32c mismatch");
}

static void test_crc_wrong(void **state)
{
	uint8_t h[sizeof(tcp4_crc) + 8], body[32];
	size_t n;

	(void)state;
	/* Each byte of the checksum, and a byte of the address it covers. */
	for (size_t i = 31; i < 35; i++) {
		memcpy(h, tcp4_crc, sizeof(tcp4_crc));
		h[i] ^= 0x40;
		assert_error(h, sizeof(tcp4_crc), "PROXY v2 header: CRC32c mismatch");
	}
	memcpy(h, tcp4_crc, sizeof(tcp4_crc));
	h[19] = 11; /* source 192.0.2.11 */
	assert_error(h, sizeof(tcp4_crc), "PROXY v2 header: CRC32c mismatch");
	/* A zero field is no opt-out: it is checked like any value. */
	memcpy(h, tcp4_crc, sizeof(tcp4_crc));
	memset(h + 31, 0, 4);
	assert_error(h, sizeof(tcp4_crc), "PROXY v2 header: CRC32c mismatch");
	/* Wrong size, and twice. */
	n = build(h, 0x21, 0x11, body, tlv(body, block4(body), 0x03, "\0\0\0", 3));
	assert_error(h, n, "PROXY v2 header: CRC32c TLV not 4 bytes");
	n = tlv(body, block4(body), 0x03, "\0\0\0\0", 4);
	n = build(h, 0x21, 0x11, body, tlv(body, n, 0x03, "\0\0\0\0", 4));
	fix_crc(h, n, 31);
	assert_error(h, n, "PROXY v2 header: more than one CRC32c TLV");
}

/* ---- other TLVs ---- */

static void test_other_tlvs_skipped(void **state)
{
	static const uint8_t zeros[PROXY2_MAX];
	uint8_t h[PROXY2_MAX + 8], body[PROXY2_MAX];
	struct proxy2_result r;
	size_t n;

	(void)state;
	n = tlv(body, block4(body), 0x01, "\x02h2", 3);		   /* ALPN */
	n = tlv(body, n, 0x02, "gw.example.com", 14);		   /* AUTHORITY */
	n = tlv(body, n, 0x04, "", 0);				   /* NOOP, empty */
	n = tlv(body, n, 0x05, "0123456789abcdef", 16);		   /* UNIQUE_ID */
	n = tlv(body, n, 0x30, "ns1", 3);			   /* NETNS */
	n = tlv(body, n, 0xe0, "\x03\x00\x04\x00\x00\x00\x01", 7); /* custom, CRC-like inside */
	n = build(h, 0x21, 0x11, body, n);
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_int_equal(r.consumed, n);
	assert_false(r.ssl);
	assert_prefixes(h, n);

	/* Exactly PROXY2_MAX bytes, padded with NOOP. */
	n = block4(body);
	n = tlv(body, n, 0x04, zeros, PROXY2_MAX - 16 - 12 - 3);
	n = build(h, 0x21, 0x11, body, n);
	assert_int_equal(n, PROXY2_MAX);
	assert_int_equal(parse(h, n, &r), PROXY2_OK);
	assert_int_equal(r.consumed, PROXY2_MAX);
}

static void test_tlv_truncated(void **state)
{
	uint8_t h[64], body[32];
	size_t n;

	(void)state;
	/* 1 and 2 bytes of a TLV header. */
	n = block4(body);
	body[n++] = 0x04;
	assert_error(h, build(h, 0x21, 0x11, body, n), "PROXY v2 header: truncated TLV");
	body[n++] = 0x00;
	assert_error(h, build(h, 0x21, 0x11, body, n), "PROXY v2 header: truncated TLV");
	/* A value longer than what is left of the header. */
	n = tlv(body, block4(body), 0x04, "abc", 3);
	body[14] = 4;
	assert_error(h, build(h, 0x21, 0x11, body, n), "PROXY v2 header: TLV overruns the header");
	n = tlv(body, block4(body), 0x02, "abc", 3);
	body[13] = 0xff;
	assert_error(h, build(h, 0x21, 0x11, body, n), "PROXY v2 header: TLV overruns the header");
}

/* ---- refused at once ---- */

static void test_tls_at_once(void **state)
{
	(void)state;
	for (size_t n = 1; n <= sizeof(client_hello); n++)
		assert_error(client_hello, n, e_tls);
}

static void test_http_at_once(void **state)
{
	static const char get[] = "GET / HTTP/1.1\r\nHost: gw.example.com\r\n\r\n";
	static const char post[] = "POST /IPHTTPS HTTP/1.1\r\n";

	(void)state;
	assert_error((const uint8_t *)get, 1, e_http);
	assert_error((const uint8_t *)get, strlen(get), e_http);
	assert_error((const uint8_t *)post, 2, e_http);
	assert_error((const uint8_t *)"PUT ", 4, e_http);
	/* Anything else that is not the signature. */
	assert_error((const uint8_t *)"\r\n\r\n\n", 5, "not a PROXY v2 header (wrong signature)");
	assert_error((const uint8_t *)"\x00", 1, "not a PROXY v2 header (wrong signature)");
}

static void test_v1_text(void **state)
{
	static const char v1[] =
	    "PROXY TCP4 192.0.2.10 203.0.113.5 51234 443\r\nGET / HTTP/1.1\r\n";

	(void)state;
	for (size_t n = 1; n <= strlen(v1); n++)
		assert_error((const uint8_t *)v1, n, e_v1);
	assert_error((const uint8_t *)"PROXY UNKNOWN\r\n", 15, e_v1);
}

static void test_signature_byte_by_byte(void **state)
{
	uint8_t h[sizeof(tcp4)];

	(void)state;
	for (size_t i = 0; i < 12; i++) {
		memcpy(h, tcp4, sizeof(h));
		h[i] ^= 0x20;
		assert_error_at(h, i + 1, NULL);
		assert_error(h, sizeof(h), NULL);
	}
	/* The NUL in the middle is data, not an end. */
	memcpy(h, tcp4, sizeof(h));
	h[4] = 'x';
	assert_error_at(h, 5, "not a PROXY v2 header (wrong signature)");
}

static void test_version_and_command(void **state)
{
	static const struct {
		uint8_t vc;
		const char *why;
	} cases[] = {
	    {0x11, "PROXY v2 header: version is not 2"},
	    {0x01, "PROXY v2 header: version is not 2"},
	    {0x31, "PROXY v2 header: version is not 2"},
	    {0xf0, "PROXY v2 header: version is not 2"},
	    {0x22, "PROXY v2 header: unknown command"},
	    {0x2f, "PROXY v2 header: unknown command"},
	};
	uint8_t h[sizeof(tcp4)];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(h, tcp4, sizeof(h));
		h[12] = cases[i].vc;
		assert_error_at(h, 13, cases[i].why);
	}
}

static void test_family_protocol(void **state)
{
	static const struct {
		uint8_t fam;
		const char *why;
	} cases[] = {
	    {0x31, "PROXY v2 header: UNIX socket family not supported"},
	    {0x32, "PROXY v2 header: UNIX socket family not supported"},
	    {0x30, "PROXY v2 header: UNIX socket family not supported"},
	    {0x12, "PROXY v2 header: DGRAM (UDP) not supported"},
	    {0x22, "PROXY v2 header: DGRAM (UDP) not supported"},
	    {0x02, "PROXY v2 header: DGRAM (UDP) not supported"},
	    {0x10, "PROXY v2 header: IP family without a transport protocol"},
	    {0x20, "PROXY v2 header: IP family without a transport protocol"},
	    {0x41, "PROXY v2 header: unknown address family"},
	    {0xf1, "PROXY v2 header: unknown address family"},
	    {0x13, "PROXY v2 header: unknown transport protocol"},
	    {0x1f, "PROXY v2 header: unknown transport protocol"},
	};
	uint8_t h[sizeof(tcp6)];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(h, tcp6, sizeof(h));
		h[13] = cases[i].fam;
		assert_error_at(h, 14, cases[i].why);
	}
}

static void test_length_checks(void **state)
{
	uint8_t h[PROXY2_MAX + 16];
	struct proxy2_result r;

	(void)state;
	/* Over PROXY2_MAX: refused on the length's second byte, without waiting. */
	memcpy(h, tcp4, sizeof(tcp4));
	h[14] = (PROXY2_MAX - 16 + 1) >> 8;
	h[15] = (PROXY2_MAX - 16 + 1) & 0xff;
	assert_error_at(h, 16, "PROXY v2 header: longer than 1024 bytes");
	h[14] = h[15] = 0xff;
	assert_error_at(h, 16, "PROXY v2 header: longer than 1024 bytes");
	/* Exactly PROXY2_MAX: waits for the rest. */
	h[14] = (PROXY2_MAX - 16) >> 8;
	h[15] = (PROXY2_MAX - 16) & 0xff;
	assert_int_equal(parse(h, 16, &r), PROXY2_INCOMPLETE);
	assert_int_equal(parse(h, sizeof(tcp4), &r), PROXY2_INCOMPLETE);
	/* Address blocks shorter than the family needs. */
	memcpy(h, tcp4, sizeof(tcp4));
	h[15] = 11;
	assert_error_at(h, 16, "PROXY v2 header: address block too short for TCP/IPv4");
	h[15] = 0;
	assert_error_at(h, 16, "PROXY v2 header: address block too short for TCP/IPv4");
	memcpy(h, tcp6, sizeof(tcp6));
	h[15] = 35;
	assert_error_at(h, 16, "PROXY v2 header: address block too short for TCP/IPv6");
	h[15] = 12; /* an IPv4-sized block under an IPv6 family */
	assert_error_at(h, 16, "PROXY v2 header: address block too short for TCP/IPv6");
}

static void test_null_input(void **state)
{
	struct proxy2_result r;

	(void)state;
	assert_int_equal(proxy2_parse(NULL, 0, &r), PROXY2_INCOMPLETE);
	assert_int_equal(r.consumed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tcp4),
	    cmocka_unit_test(test_tcp6),
	    cmocka_unit_test(test_local),
	    cmocka_unit_test(test_unspec_family),
	    cmocka_unit_test(test_trailing_data),
	    cmocka_unit_test(test_ssl_cn),
	    cmocka_unit_test(test_ssl_verify_and_flags),
	    cmocka_unit_test(test_ssl_cn_checks),
	    cmocka_unit_test(test_ssl_malformed),
	    cmocka_unit_test(test_crc32c_vector),
	    cmocka_unit_test(test_crc_right),
	    cmocka_unit_test(test_crc_with_ssl),
	    cmocka_unit_test(test_crc_wrong),
	    cmocka_unit_test(test_other_tlvs_skipped),
	    cmocka_unit_test(test_tlv_truncated),
	    cmocka_unit_test(test_tls_at_once),
	    cmocka_unit_test(test_http_at_once),
	    cmocka_unit_test(test_v1_text),
	    cmocka_unit_test(test_signature_byte_by_byte),
	    cmocka_unit_test(test_version_and_command),
	    cmocka_unit_test(test_family_protocol),
	    cmocka_unit_test(test_length_checks),
	    cmocka_unit_test(test_null_input),
	};

	return cmocka_run_group_tests_name("proxy2", tests, NULL, NULL);
}
