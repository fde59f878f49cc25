/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the client side of proto/http1: the POST and CONNECT request builders byte for
 * byte (ms-iphttps.md §1.3, §6.1; RFC 9110 §9.3.6), the refusal of every argument that could
 * split a head, base64 and Basic credentials (RFC 4648 §10, RFC 7617 §2 and §2.1 vectors), and
 * the response-head parser: the spec's 200, what nginx, squid and tinyproxy send, incremental
 * feeding, stream bytes after the head, malformed heads, non-HTTP peers and the head limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "proto/http1.h"

#define S(lit) lit, sizeof(lit) - 1

/* nmap's probe as ms-iphttps.md §1.3 dumps it (86 bytes, printf | xxd): what the client sends. */
static const uint8_t nmap_request[86] = {
    0x50, 0x4f, 0x53, 0x54, 0x20, 0x2f, 0x49, 0x50, 0x48, 0x54, 0x54, 0x50, 0x53, 0x20, 0x48,
    0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e, 0x31, 0x0d, 0x0a, 0x48, 0x6f, 0x73, 0x74, 0x3a, 0x20,
    0x64, 0x61, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x0d,
    0x0a, 0x43, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x2d, 0x4c, 0x65, 0x6e, 0x67, 0x74, 0x68,
    0x3a, 0x20, 0x31, 0x38, 0x34, 0x34, 0x36, 0x37, 0x34, 0x34, 0x30, 0x37, 0x33, 0x37, 0x30,
    0x39, 0x35, 0x35, 0x31, 0x36, 0x31, 0x35, 0x0d, 0x0a, 0x0d, 0x0a,
};

/* The spec's 200 response ([MS-IPHTTPS] §4.1, ms-iphttps.md §1.4, 87 bytes). */
static const uint8_t spec_response[87] = {
    0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e, 0x31, 0x20, 0x32, 0x30, 0x30, 0x20, 0x4f, 0x4b,
    0x0d, 0x0a, 0x53, 0x65, 0x72, 0x76, 0x65, 0x72, 0x3a, 0x20, 0x4d, 0x69, 0x63, 0x72, 0x6f,
    0x73, 0x6f, 0x66, 0x74, 0x2d, 0x48, 0x54, 0x54, 0x50, 0x41, 0x50, 0x49, 0x2f, 0x32, 0x2e,
    0x30, 0x0d, 0x0a, 0x44, 0x61, 0x74, 0x65, 0x3a, 0x20, 0x53, 0x75, 0x6e, 0x2c, 0x20, 0x31,
    0x30, 0x20, 0x41, 0x75, 0x67, 0x20, 0x32, 0x30, 0x30, 0x38, 0x20, 0x30, 0x33, 0x3a, 0x35,
    0x31, 0x3a, 0x35, 0x32, 0x20, 0x47, 0x4d, 0x54, 0x0d, 0x0a, 0x0d, 0x0a,
};

/* The Router Solicitation of ms-iphttps.md §1.5: IPv6 data right after the head. */
static const uint8_t rs_packet[48] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x8d, 0x3c, 0x41, 0xff, 0x2a, 0x9b, 0x1c, 0x07, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x85, 0x00, 0x67, 0x59, 0x00, 0x00, 0x00, 0x00,
};

/*
 * nginx's answer to the IP-HTTPS POST (ngx_atoof overflows on 2^64-1, ms-iphttps.md §1.3):
 * headers in ngx_http_header_filter_module.c's order and the stock 400 page with its
 * NGINX_VER tail (src/http/ngx_http_special_response.c), as nginx/1.22.1 sends them.
 */
#define NGINX_400_HEAD                                                                             \
	"HTTP/1.1 400 Bad Request\r\n"                                                             \
	"Server: nginx/1.22.1\r\n"                                                                 \
	"Date: Sun, 10 Aug 2008 03:51:52 GMT\r\n"                                                  \
	"Content-Type: text/html\r\n"                                                              \
	"Content-Length: 157\r\n"                                                                  \
	"Connection: close\r\n"                                                                    \
	"\r\n"
#define NGINX_400_BODY                                                                             \
	"<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n"                      \
	"<center><h1>400 Bad Request</h1></center>\r\n"                                            \
	"<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n"

/* tinyproxy 1.11.1 on this machine [MEASURED]: the answer to CONNECT, with and without auth. */
#define TINYPROXY_200 "HTTP/1.0 200 Connection established\r\nProxy-agent: tinyproxy/1.11.1\r\n\r\n"
#define TINYPROXY_407_HEAD                                                                         \
	"HTTP/1.0 407 Proxy Authentication Required\r\n"                                           \
	"Server: tinyproxy/1.11.1\r\n"                                                             \
	"Content-Type: text/html\r\n"                                                              \
	"Proxy-Authenticate: Basic realm=\"Tinyproxy\"\r\n"                                        \
	"Connection: close\r\n"                                                                    \
	"\r\n"

/* A squid-style 407: a keep-alive challenge with a length (squid's field set, shortened). */
#define SQUID_407_HEAD                                                                             \
	"HTTP/1.1 407 Proxy Authentication Required\r\n"                                           \
	"Server: squid/5.7\r\n"                                                                    \
	"Mime-Version: 1.0\r\n"                                                                    \
	"Date: Sun, 10 Aug 2008 03:51:52 GMT\r\n"                                                  \
	"Content-Type: text/html;charset=utf-8\r\n"                                                \
	"Content-Length: 3520\r\n"                                                                 \
	"X-Squid-Error: ERR_CACHE_ACCESS_DENIED 0\r\n"                                             \
	"Proxy-Authenticate: Basic realm=\"x\"\r\n"                                                \
	"Via: 1.1 proxy (squid/5.7)\r\n"                                                           \
	"Connection: keep-alive\r\n"                                                               \
	"\r\n"

/* ---- requests ---- */

/* The client's POST is nmap's probe byte for byte; never a byte past cap. */
static void test_post_exact(void **state)
{
	char out[sizeof(nmap_request) + 16];

	(void)state;
	memset(out, '#', sizeof(out));
	assert_int_equal(http1_request_post(out, sizeof(out), "/IPHTTPS", "da.example.com"),
			 sizeof(nmap_request));
	assert_memory_equal(out, nmap_request, sizeof(nmap_request));
	assert_int_equal(out[sizeof(nmap_request)], '#');
	for (size_t cap = 0; cap < sizeof(nmap_request); cap++) {
		memset(out, '#', sizeof(out));
		assert_int_equal(http1_request_post(out, cap, "/IPHTTPS", "da.example.com"), 0);
		for (size_t i = cap; i < sizeof(out); i++)
			assert_int_equal(out[i], '#');
	}
	assert_int_equal(
	    http1_request_post(out, sizeof(nmap_request), "/IPHTTPS", "da.example.com"),
	    sizeof(nmap_request));
	assert_int_equal(http1_request_post(NULL, 0, "/IPHTTPS", "da.example.com"), 0);
}

struct build_case {
	const char *a, *b; /* POST: path, host; CONNECT: authority, credentials */
	const char *want;  /* NULL: refused */
};

#define POST_TAIL "\r\nContent-Length: 18446744073709551615\r\n\r\n"

static const struct build_case post_cases[] = {
    /* The spec's path and IP-literal Host ([MS-IPHTTPS] §4.1), ports, IPv6, query. */
    {"/IPTLS", "192.0.2.1", "POST /IPTLS HTTP/1.1\r\nHost: 192.0.2.1" POST_TAIL},
    {"/IPHTTPS", "gw.example:8443", "POST /IPHTTPS HTTP/1.1\r\nHost: gw.example:8443" POST_TAIL},
    {"/IPHTTPS", "[2001:db8::1]", "POST /IPHTTPS HTTP/1.1\r\nHost: [2001:db8::1]" POST_TAIL},
    {"/IPHTTPS", "[2001:db8::1]:443",
     "POST /IPHTTPS HTTP/1.1\r\nHost: [2001:db8::1]:443" POST_TAIL},
    {"/IPHTTPS?a=b&c=%20", "h", "POST /IPHTTPS?a=b&c=%20 HTTP/1.1\r\nHost: h" POST_TAIL},
    {"/", "h:65535", "POST / HTTP/1.1\r\nHost: h:65535" POST_TAIL},
    {"/x", "h:1", "POST /x HTTP/1.1\r\nHost: h:1" POST_TAIL},
    {"/x", "xn--bcher-kva.example", "POST /x HTTP/1.1\r\nHost: xn--bcher-kva.example" POST_TAIL},
    /* Refused: NULL or empty, and everything that could split the head or is not a target. */
    {NULL, "h", NULL},
    {"/x", NULL, NULL},
    {"", "h", NULL},
    {"/x", "", NULL},
    {"IPHTTPS", "h", NULL},
    {"*", "h", NULL},
    {"https://h/IPHTTPS", "h", NULL},
    {"/IP HTTPS", "h", NULL},
    {"/IPHTTPS HTTP/1.1\r\nX-Injected: 1\r\n\r\nPOST /x", "h", NULL},
    {"/x\r", "h", NULL},
    {"/x\n", "h", NULL},
    {"/x\ty", "h", NULL},
    {"/x#frag", "h", NULL},
    {"/x\x7f", "h", NULL},
    {"/\xc3\xa9", "h", NULL},
    {"/x", "h\r\nX-Injected: 1", NULL},
    {"/x", "h\n", NULL},
    {"/x", "h\r", NULL},
    {"/x", "h x", NULL},
    {"/x", "h\t", NULL},
    {"/x", "user@h", NULL},
    {"/x", "h/path", NULL},
    {"/x", "h?q", NULL},
    {"/x", "h#f", NULL},
    {"/x", "\"h\"", NULL},
    {"/x", "h\xc3\xa9", NULL},
    {"/x", "h:", NULL},
    {"/x", ":443", NULL},
    {"/x", "h:0", NULL},
    {"/x", "h:65536", NULL},
    {"/x", "h:123456", NULL},
    {"/x", "h:44x", NULL},
    {"/x", "h:+44", NULL},
    {"/x", "h:443:443", NULL},
    {"/x", "2001:db8::1", NULL},
    {"/x", "[2001:db8::1", NULL},
    {"/x", "[]", NULL},
    {"/x", "[]:443", NULL},
    {"/x", "[::1]x", NULL},
    {"/x", "[::1]:", NULL},
    {"/x", "[::1]]", NULL},
    {"/x", "[[::1]", NULL},
};

static const struct build_case connect_cases[] = {
    {"da.example.com:443", NULL,
     "CONNECT da.example.com:443 HTTP/1.1\r\nHost: da.example.com:443\r\n\r\n"},
    /* RFC 7617 §2's example credentials. */
    {"da.example.com:443", "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
     "CONNECT da.example.com:443 HTTP/1.1\r\nHost: da.example.com:443\r\n"
     "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"},
    {"[2001:db8::1]:443", NULL,
     "CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n"},
    {"192.0.2.1:8443", "Og==",
     "CONNECT 192.0.2.1:8443 HTTP/1.1\r\nHost: 192.0.2.1:8443\r\n"
     "Proxy-Authorization: Basic Og==\r\n\r\n"},
    {"h:1", "a-._~+/b",
     "CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\nProxy-Authorization: Basic a-._~+/b\r\n\r\n"},
    /* Authority-form needs the port (RFC 9110 §9.3.6); the usual injections. */
    {NULL, NULL, NULL},
    {"", NULL, NULL},
    {"da.example.com", NULL, NULL},
    {"da.example.com:", NULL, NULL},
    {"[2001:db8::1]", NULL, NULL},
    {"2001:db8::1:443", NULL, NULL},
    {"h:0", NULL, NULL},
    {"h:65536", NULL, NULL},
    {"user:pw@h:443", NULL, NULL},
    {"h:443/x", NULL, NULL},
    {"h:443 HTTP/1.1\r\nX: y\r\n\r\nGET / HTTP/1.1", NULL, NULL},
    {"h:443\r\n", NULL, NULL},
    {"h :443", NULL, NULL},
    /* Credentials: a non-empty token68 (RFC 9110 §11.2), nothing else. */
    {"h:443", "", NULL},
    {"h:443", "=", NULL},
    {"h:443", "=QWxh", NULL},
    {"h:443", "QW=xh", NULL},
    {"h:443", "QWxh =", NULL},
    {"h:443", "QWxh\r\nX-Injected: 1", NULL},
    {"h:443", "QWxh\n", NULL},
    {"h:443", "QWxh,", NULL},
    {"h:443", "Basic QWxh", NULL},
};

static size_t build(bool post, char *out, size_t cap, const struct build_case *bc)
{
	return post ? http1_request_post(out, cap, bc->a, bc->b)
		    : http1_request_connect(out, cap, bc->a, bc->b);
}

/* Each case byte for byte; refused cases write nothing; every short cap fails inside cap. */
static void check_builds(bool post, const struct build_case *cases, size_t n)
{
	char out[512];

	for (size_t i = 0; i < n; i++) {
		const struct build_case *bc = &cases[i];
		size_t got, want = bc->want ? strlen(bc->want) : 0;

		memset(out, '#', sizeof(out));
		got = build(post, out, sizeof(out), bc);
		if (got != want || (want && memcmp(out, bc->want, want) != 0))
			fail_msg("%s case %zu (%s, %s): got %zu \"%.*s\"",
				 post ? "POST" : "CONNECT", i, bc->a ? bc->a : "NULL",
				 bc->b ? bc->b : "NULL", got, (int)got, out);
		for (size_t j = want; j < sizeof(out); j++)
			assert_int_equal(out[j], '#');
		for (size_t cap = 0; cap < want; cap++) {
			memset(out, '#', sizeof(out));
			assert_int_equal(build(post, out, cap, bc), 0);
			for (size_t j = cap; j < sizeof(out); j++)
				assert_int_equal(out[j], '#');
		}
		if (want)
			assert_int_equal(build(post, out, want, bc), want);
	}
}

static void test_post_cases(void **state)
{
	(void)state;
	check_builds(true, post_cases, sizeof(post_cases) / sizeof(post_cases[0]));
}

static void test_connect_cases(void **state)
{
	(void)state;
	check_builds(false, connect_cases, sizeof(connect_cases) / sizeof(connect_cases[0]));
}

/* The whole path: credentials from the user's strings into the CONNECT request. */
static void test_connect_with_credentials(void **state)
{
	static const char want[] = "CONNECT da.example.com:443 HTTP/1.1\r\n"
				   "Host: da.example.com:443\r\n"
				   "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"
				   "\r\n";
	char b64[64], out[256];

	(void)state;
	assert_int_equal(http1_basic_credentials("Aladdin", "open sesame", b64, sizeof(b64)), 28);
	assert_int_equal(http1_request_connect(out, sizeof(out), "da.example.com:443", b64),
			 sizeof(want) - 1);
	assert_memory_equal(out, want, sizeof(want) - 1);
}

/* ---- base64 and Basic credentials ---- */

struct b64_case {
	const char *in, *out;
};

/* RFC 4648 §10 test vectors. */
static const struct b64_case rfc4648_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_base64_rfc4648(void **state)
{
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648_vectors) / sizeof(rfc4648_vectors[0]); i++) {
		const struct b64_case *v = &rfc4648_vectors[i];
		size_t n = strlen(v->out);

		memset(out, '#', sizeof(out));
		assert_int_equal(
		    http1_base64((const uint8_t *)v->in, strlen(v->in), out, sizeof(out)), n);
		assert_string_equal(out, v->out);
		assert_int_equal(out[n + 1], '#');
		/* Exactly n + 1 fits; n (no room for the NUL) does not, and leaves "". */
		assert_int_equal(http1_base64((const uint8_t *)v->in, strlen(v->in), out, n + 1),
				 n);
		memset(out, '#', sizeof(out));
		if (n > 0) {
			assert_int_equal(
			    http1_base64((const uint8_t *)v->in, strlen(v->in), out, n), 0);
			assert_int_equal(out[0], '\0');
			for (size_t j = n; j < sizeof(out); j++)
				assert_int_equal(out[j], '#');
		}
	}
	/* Every byte value and all 64 characters of the alphabet (RFC 4648 §4, Table 1). */
	{
		static const uint8_t all[] = {
		    0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8b, 0x30, 0xd3, 0x8f,
		    0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96, 0x9b, 0x71, 0xd7, 0x9f,
		    0x82, 0x18, 0xa3, 0x92, 0x59, 0xa7, 0xa2, 0x9a, 0xab, 0xb2, 0xdb, 0xaf,
		    0xc3, 0x1c, 0xb3, 0xd3, 0x5d, 0xb7, 0xe3, 0x9e, 0xbb, 0xf3, 0xdf, 0xbf};
		char big[80];

		assert_int_equal(http1_base64(all, sizeof(all), big, sizeof(big)), 64);
		assert_string_equal(
		    big, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	}
	assert_int_equal(http1_base64((const uint8_t *)"f", 1, NULL, 0), 0);
}

static const struct {
	const char *user, *pass, *want; /* want NULL: refused */
} basic_cases[] = {
    {"Aladdin", "open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}, /* RFC 7617 §2 */
    {"test", "123\xc2\xa3", "dGVzdDoxMjPCow=="},		/* RFC 7617 §2.1, UTF-8 */
    /* The user-id may be empty (RFC 7617 §2 forbids only the colon), so may the password. */
    {"", "", "Og=="},
    {"", "x", "Ong="},
    {"u", "", "dTo="},
    {"a", "b:c", "YTpiOmM="}, /* colons belong to the password */
    {"a b", "c d", "YSBiOmMgZA=="},
    {"a:b", "c", NULL},
    {":", "", NULL},
    {"a\r\n", "b", NULL},
    {"a", "b\r\nX-Injected: 1", NULL},
    {"a\tb", "c", NULL},
    {"a", "\x7f", NULL},
    {"a", "\x1b[2J", NULL},
    {NULL, "b", NULL},
    {"a", NULL, NULL},
};

static void test_basic_credentials(void **state)
{
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(basic_cases) / sizeof(basic_cases[0]); i++) {
		size_t n;

		memset(out, '#', sizeof(out));
		n = http1_basic_credentials(basic_cases[i].user, basic_cases[i].pass, out,
					    sizeof(out));
		if (!basic_cases[i].want) {
			if (n != 0 || out[0] != '\0')
				fail_msg("case %zu: not refused: %zu", i, n);
			continue;
		}
		assert_int_equal(n, strlen(basic_cases[i].want));
		assert_string_equal(out, basic_cases[i].want);
		/* No room for the NUL: refused, and out is "" rather than unterminated. */
		memset(out, '#', sizeof(out));
		assert_int_equal(
		    http1_basic_credentials(basic_cases[i].user, basic_cases[i].pass, out, n), 0);
		assert_int_equal(out[0], '\0');
		assert_int_equal(out[n], '#');
	}
	assert_int_equal(http1_basic_credentials("Aladdin", "open sesame", NULL, 0), 0);
}

/* ---- the response head ---- */

struct resp_case {
	const char *name;
	const char *in;
	size_t len;
	enum http1_result res;
	int status;	 /* on HTTP1_OK; 0 otherwise */
	const char *why; /* on HTTP1_ERROR: a substring of resp.why */
};

/* clang-format off: one row per line reads better than what it would make of these */
#define ROK(name, st, in)                                                                          \
	{                                                                                          \
		name, S(in), HTTP1_OK, st, NULL                                                    \
	}
#define RERR(name, why, in)                                                                        \
	{                                                                                          \
		name, S(in), HTTP1_ERROR, 0, why                                                   \
	}
#define RINC(name, in)                                                                             \
	{                                                                                          \
		name, S(in), HTTP1_INCOMPLETE, 0, NULL                                             \
	}
#define H200 "HTTP/1.1 200 OK\r\n"

static const struct resp_case resp_cases[] = {
    /* What the client meets: the gateway, HTTP.sys, nginx, proxies. */
    ROK("nginx 400", 400, NGINX_400_HEAD),
    ROK("tinyproxy CONNECT 200", 200, TINYPROXY_200),
    ROK("tinyproxy 407", 407, TINYPROXY_407_HEAD),
    ROK("squid 407", 407, SQUID_407_HEAD),
    ROK("squid 2 CONNECT 200", 200, "HTTP/1.0 200 Connection established\r\n\r\n"),
    ROK("squid 3+ CONNECT 200", 200, "HTTP/1.1 200 Connection established\r\n\r\n"),
    ROK("LF only", 200, "HTTP/1.1 200 OK\nServer: x\n\n"),
    ROK("mixed line ends", 200, "HTTP/1.1 200 OK\r\nServer: x\n\r\n"),
    ROK("HTTP/1.0", 200, "HTTP/1.0 200 OK\r\n\r\n"),
    ROK("HTTP/1.9 read as 1.x (RFC 9110 §2.5)", 200, "HTTP/1.9 200 OK\r\n\r\n"),
    /* Status line (RFC 9112 §4): reason may be empty or odd; SP before it may be missing. */
    ROK("empty reason", 200, "HTTP/1.1 200 \r\n\r\n"),
    ROK("no SP, no reason", 200, "HTTP/1.1 200\r\n\r\n"),
    ROK("no SP, no reason, LF", 204, "HTTP/1.1 204\n\n"),
    ROK("reason with HTAB and obs-text", 403, "HTTP/1.1 403 Acc\tess \xe9t\xe9\r\n\r\n"),
    ROK("reason with colons and spaces", 502, "HTTP/1.1 502 Bad Gateway: a b  c \r\n\r\n"),
    ROK("status 100", 100, "HTTP/1.1 100 Continue\r\n\r\n"),
    ROK("status 999", 999, "HTTP/1.1 999 x\r\n\r\n"),
    ROK("status 101", 101, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"),
    /* Fields as for requests (RFC 9112 §5), Content-Length as an exact uint64. */
    ROK("CL 2^64-1", 200, H200 "Content-Length: 18446744073709551615\r\n\r\n"),
    ROK("CL identical repeats", 200, H200 "Content-Length: 7\r\nContent-Length: 7, 7\r\n\r\n"),
    ROK("TE chunked", 200, H200 "Transfer-Encoding: chunked\r\n\r\n"),
    ROK("odd but valid fields", 200, H200 "X-E:\r\n!#$%&'*+-.^_`|~09az: v\r\nX: a\tb \x80\r\n\r\n"),
    RERR("CL 2^64", "overflow", H200 "Content-Length: 18446744073709551616\r\n\r\n"),
    RERR("CL differing lines", "differing", H200 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n"),
    RERR("CL differing list", "differing", H200 "Content-Length: 5, 6\r\n\r\n"),
    RERR("CL junk", "Content-Length", H200 "Content-Length: 5x\r\n\r\n"),
    RERR("CL sign", "Content-Length", H200 "Content-Length: +5\r\n\r\n"),
    RERR("CL empty", "Content-Length", H200 "Content-Length:\r\n\r\n"),
    RERR("TE and CL", "both", H200 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"),
    RERR("CL and TE", "both", H200 "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\n"),
    RERR("obs-fold", "obs-fold", H200 "Server: a\r\n b\r\n\r\n"),
    RERR("obs-fold HTAB", "obs-fold", H200 "Server: a\r\n\tb\r\n\r\n"),
    RERR("space before colon", "before colon", H200 "Server : a\r\n\r\n"),
    RERR("name not a token", "not a token", H200 "Ser ver: a\r\n\r\n"),
    RERR("empty name", "not a token", H200 ": a\r\n\r\n"),
    RERR("no colon", "colon", H200 "Server a\r\n\r\n"),
    RERR("NUL in value", "control", H200 "Server: a\0b\r\n\r\n"),
    RERR("bare CR in value", "control", H200 "Server: a\rb\r\n\r\n"),
    RERR("DEL in value", "control", H200 "X: \x7f\r\n\r\n"),
    RERR("ESC in value", "control", H200 "X: \x1b[2J\r\n\r\n"),
    /* A status line that can never be one: refused at the byte that shows it. */
    RERR("TLS handshake record", "TLS record", "\x16\x03\x03\x00\x5a\x02\x00\x00\x56\x03\x03"),
    RERR("TLS alert record", "TLS record", "\x15\x03\x01\x00\x02\x02\x46"),
    RERR("TLS one byte", "TLS record", "\x16"),
    RERR("SSH banner", "not an HTTP response", "SSH-2.0-OpenSSH_9.2\r\n"),
    RERR("SMTP banner", "not an HTTP response", "220 mail.example ESMTP\r\n"),
    RERR("HTML without head", "not an HTTP response", "<html>"),
    RERR("leading empty line", "not an HTTP response", "\r\nHTTP/1.1 200 OK\r\n\r\n"),
    RERR("leading LF", "not an HTTP response", "\n"),
    RERR("lower-case name", "not an HTTP response", "http/1.1 200 OK\r\n\r\n"),
    RERR("NUL first", "not an HTTP response", "\0"),
    RERR("HTTP/2.0", "not 1.x", "HTTP/2.0 200 OK\r\n\r\n"),
    RERR("HTTP/0.9", "not 1.x", "HTTP/0.9 200 OK\r\n\r\n"),
    RERR("HTTP/1", "not 1.x", "HTTP/1 200 OK\r\n\r\n"),
    RERR("HTTP/1.x", "version", "HTTP/1.x 200 OK\r\n\r\n"),
    RERR("HTTP/1.10", "status line", "HTTP/1.10 200 OK\r\n\r\n"),
    RERR("two spaces", "status code", "HTTP/1.1  200 OK\r\n\r\n"),
    RERR("tab separator", "status line", "HTTP/1.1\t200 OK\r\n\r\n"),
    RERR("status 099", "status code", "HTTP/1.1 099 x\r\n\r\n"),
    RERR("status 000", "status code", "HTTP/1.1 000 x\r\n\r\n"),
    RERR("status 2x0", "status code", "HTTP/1.1 2x0 OK\r\n\r\n"),
    RERR("status four digits", "status line", "HTTP/1.1 2000 OK\r\n\r\n"),
    RERR("status two digits", "status code", "HTTP/1.1 20 OK\r\n\r\n"),
    RERR("status two digits, line end", "status code", "HTTP/1.1 20\r\n\r\n"),
    RERR("no status", "status line", "HTTP/1.1\r\n\r\n"),
    RERR("CR in status line", "status code", "HTTP/1.1 2\r00 OK"),
    RERR("bare CR in reason", "reason", "HTTP/1.1 200 O\rK\r\n\r\n"),
    RERR("CR CR LF", "reason", "HTTP/1.1 200 OK\r\r\n\r\n"),
    RERR("NUL in reason", "reason", "HTTP/1.1 200 O\0K"),
    RERR("DEL in reason", "reason", "HTTP/1.1 200 O\x7f"),
    /* Not complete yet, whatever came so far of a possible response. */
    RINC("nothing", ""),
    RINC("H", "H"),
    RINC("HTTP/1.", "HTTP/1."),
    RINC("status code half", "HTTP/1.1 20"),
    RINC("status line without end", "HTTP/1.1 200 OK"),
    RINC("CR at the end", "HTTP/1.1 200 OK\r"),
    RINC("status line only", "HTTP/1.1 200 OK\r\n"),
    RINC("no SP, CR at the end", "HTTP/1.1 200\r"),
    RINC("last LF missing", H200 "Server: x\r\n\r"),
    RINC("bad field, no blank line yet", H200 "Ser ver: x\r\n"),
    RINC("differing CL, no blank line yet", H200 "Content-Length: 1\r\nContent-Length: 2\r\n"),
};
/* clang-format on */

static const char *result_name(enum http1_result r)
{
	switch (r) {
	case HTTP1_INCOMPLETE:
		return "INCOMPLETE";
	case HTTP1_OK:
		return "OK";
	case HTTP1_ERROR:
		return "ERROR";
	}
	return "?";
}

static enum http1_result rparse(const void *buf, size_t len, struct http1_response *resp)
{
	memset(resp, 0xa5, sizeof(*resp)); /* the parser must not depend on what was there */
	return http1_parse_response(buf, len, resp);
}

static void check_resp_case(const struct resp_case *tc)
{
	struct http1_response resp;
	enum http1_result r = rparse(tc->in, tc->len, &resp);

	if (r != tc->res || resp.status != tc->status)
		fail_msg("%s: got %s %d (%s), want %s %d", tc->name, result_name(r), resp.status,
			 resp.why ? resp.why : "-", result_name(tc->res), tc->status);
	if (r == HTTP1_OK && (resp.consumed != tc->len || resp.why != NULL))
		fail_msg("%s: consumed %zu of %zu", tc->name, resp.consumed, tc->len);
	if (r == HTTP1_ERROR && (!resp.why || !strstr(resp.why, tc->why)))
		fail_msg("%s: why \"%s\" lacks \"%s\"", tc->name, resp.why ? resp.why : "-",
			 tc->why);
	if (r == HTTP1_INCOMPLETE && (resp.consumed != 0 || resp.why != NULL))
		fail_msg("%s: consumed or why set on INCOMPLETE", tc->name);
	assert_non_null(memchr(resp.reason, '\0', sizeof(resp.reason)));
	assert_non_null(memchr(resp.server, '\0', sizeof(resp.server)));
	assert_non_null(memchr(resp.proxy_auth, '\0', sizeof(resp.proxy_auth)));
}

/* Every row, and every row's every prefix: INCOMPLETE, or the same early refusal. */
static void test_response_table(void **state)
{
	struct http1_response full, resp;

	(void)state;
	for (size_t i = 0; i < sizeof(resp_cases) / sizeof(resp_cases[0]); i++) {
		const struct resp_case *tc = &resp_cases[i];
		enum http1_result fr;

		check_resp_case(tc);
		fr = rparse(tc->in, tc->len, &full);
		for (size_t n = 0; n < tc->len; n++) {
			enum http1_result r = rparse(tc->in, n, &resp);

			if (r == HTTP1_INCOMPLETE)
				continue;
			/* Only a refusal of the status line may come before the blank line, and
			 * then the whole input is refused the same way. */
			if (r != HTTP1_ERROR || fr != HTTP1_ERROR || resp.consumed != 0 ||
			    full.consumed != 0 || strcmp(resp.why, full.why) != 0)
				fail_msg("%s: prefix of %zu bytes gave %s (%s)", tc->name, n,
					 result_name(r), resp.why ? resp.why : "-");
		}
	}
}

/* [MS-IPHTTPS] §4.1's 200 byte by byte: INCOMPLETE until its last byte, then every field. */
static void test_spec_200_incremental(void **state)
{
	struct http1_response resp;

	(void)state;
	for (size_t n = 0; n < sizeof(spec_response); n++)
		assert_int_equal(rparse(spec_response, n, &resp), HTTP1_INCOMPLETE);
	assert_int_equal(rparse(spec_response, sizeof(spec_response), &resp), HTTP1_OK);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.version_minor, 1);
	assert_int_equal(resp.consumed, 87);
	assert_string_equal(resp.reason, "OK");
	assert_null(resp.why);
	assert_string_equal(resp.server, "Microsoft-HTTPAPI/2.0");
	assert_false(resp.has_length);
	assert_false(resp.chunked);
	assert_false(resp.close);
	assert_string_equal(resp.proxy_auth, "");
}

/* Our own gateway's 200 parses back (http1_response_ok), and so do its error pages. */
static void test_own_responses(void **state)
{
	static const int statuses[] = {400, 404, 405, 408, 411, 431, 501, 503, 505};
	struct http1_response resp;
	char out[1024];
	size_t n;

	(void)state;
	n = http1_response_ok(out, sizeof(out), "iphttps", 1218340312);
	assert_int_equal(rparse(out, n, &resp), HTTP1_OK);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.consumed, n);
	assert_string_equal(resp.server, "iphttps");
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		n = http1_response_error(out, sizeof(out), statuses[i], "gw/1", 0);
		assert_true(n > 0);
		assert_int_equal(rparse(out, n, &resp), HTTP1_OK);
		assert_int_equal(resp.status, statuses[i]);
		assert_string_equal(resp.reason, http1_reason(statuses[i]));
		assert_true(resp.close && resp.has_length);
		assert_int_equal(resp.consumed + resp.length, n);
	}
}

/* nginx's refusal of the 2^64-1 POST: a 400 with a body the caller can skip or log. */
static void test_nginx_400(void **state)
{
	static const char all[] = NGINX_400_HEAD NGINX_400_BODY;
	struct http1_response resp;

	(void)state;
	assert_int_equal(rparse(all, sizeof(all) - 1, &resp), HTTP1_OK);
	assert_int_equal(resp.status, 400);
	assert_string_equal(resp.reason, "Bad Request");
	assert_string_equal(resp.server, "nginx/1.22.1");
	assert_true(resp.has_length && resp.close && !resp.chunked);
	assert_int_equal(resp.consumed, strlen(NGINX_400_HEAD));
	assert_int_equal(resp.length, strlen(NGINX_400_BODY));
	assert_int_equal(resp.consumed + resp.length, sizeof(all) - 1);
}

/* Proxies: the challenge's scheme, the tunnel's 200 in both HTTP versions. */
static void test_proxy_responses(void **state)
{
	struct http1_response resp;

	(void)state;
	assert_int_equal(rparse(S(TINYPROXY_407_HEAD), &resp), HTTP1_OK);
	assert_int_equal(resp.status, 407);
	assert_int_equal(resp.version_minor, 0);
	assert_string_equal(resp.reason, "Proxy Authentication Required");
	assert_string_equal(resp.proxy_auth, "Basic");
	assert_string_equal(resp.server, "tinyproxy/1.11.1");
	assert_true(resp.close && !resp.has_length);

	assert_int_equal(rparse(S(SQUID_407_HEAD), &resp), HTTP1_OK);
	assert_int_equal(resp.status, 407);
	assert_string_equal(resp.proxy_auth, "Basic");
	assert_string_equal(resp.server, "squid/5.7");
	assert_true(!resp.close && resp.has_length && resp.length == 3520);

	assert_int_equal(rparse(S(TINYPROXY_200), &resp), HTTP1_OK);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.version_minor, 0);
	assert_string_equal(resp.reason, "Connection established");
	assert_string_equal(resp.server, "");
	assert_false(resp.close);
}

struct pa_case {
	const char *fields;
	const char *scheme;
};

/* The scheme of the first challenge (RFC 9110 §11.6.1), whatever follows it. */
static const struct pa_case pa_cases[] = {
    {"Proxy-Authenticate: Basic realm=\"x\"\r\n", "Basic"},
    {"proxy-authenticate: NTLM\r\n", "NTLM"},
    {"Proxy-Authenticate: Negotiate, Basic realm=\"x\"\r\n", "Negotiate"},
    {"Proxy-Authenticate: Negotiate\r\nProxy-Authenticate: Basic realm=\"x\"\r\n", "Negotiate"},
    {"Proxy-Authenticate: Digest realm=\"a, b\", nonce=\"n\", Basic realm=\"c\"\r\n", "Digest"},
    {"Proxy-Authenticate: , ,Basic realm=\"x\"\r\n", "Basic"},
    {"Proxy-Authenticate:\r\nProxy-Authenticate: Basic realm=\"x\"\r\n", "Basic"},
    {"Proxy-Authenticate: Bearer abc.def==\r\n", "Bearer"},
    {"Proxy-Authenticate: \"Basic\" realm=\"x\"\r\nProxy-Authenticate: Basic\r\n", ""},
    {"Proxy-Authenticate: Basic=realm\r\n", ""},
    {"WWW-Authenticate: Basic realm=\"x\"\r\n", ""},
    {"", ""},
};

static void test_proxy_authenticate(void **state)
{
	struct http1_response resp;
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(pa_cases) / sizeof(pa_cases[0]); i++) {
		int n = snprintf(buf, sizeof(buf),
				 "HTTP/1.1 407 Proxy Authentication Required\r\n%s\r\n",
				 pa_cases[i].fields);

		assert_true(n > 0 && (size_t)n < sizeof(buf));
		assert_int_equal(rparse(buf, (size_t)n, &resp), HTTP1_OK);
		if (strcmp(resp.proxy_auth, pa_cases[i].scheme) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, resp.proxy_auth,
				 pa_cases[i].scheme);
	}
}

struct flag_case {
	const char *fields;
	bool chunked, close;
};

/* RFC 9112 §6.3 rule 4: chunked only as the final coding; RFC 9112 §9.6 "close". */
static const struct flag_case flag_cases[] = {
    {"Transfer-Encoding: chunked\r\n", true, false},
    {"Transfer-Encoding: CHUNKED\r\n", true, false},
    {"Transfer-Encoding: gzip, chunked\r\n", true, false},
    {"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", true, false},
    {"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", false, false},
    {"Transfer-Encoding: chunked, gzip\r\n", false, false},
    {"Transfer-Encoding: chunked,\r\n", true, false},
    {"Transfer-Encoding: chunked\r\nTransfer-Encoding:\r\n", true, false},
    {"Transfer-Encoding: chunkedx\r\n", false, false},
    {"Transfer-Encoding: x;q=\"a,chunked\"\r\n", false, false},
    {"Transfer-Encoding: chunked;p=1\r\n", true, false},
    {"Transfer-Encoding: x;q=\"a\\\",chunked\"\r\n", false, false}, /* quoted-pair */
    {"Connection: close\r\n", false, true},
    {"Connection: Close\r\n", false, true},
    {"Connection: keep-alive, close\r\n", false, true},
    {"Connection: upgrade\r\nConnection: close\r\n", false, true},
    {"Connection: keep-alive\r\n", false, false},
    {"Connection: closed\r\n", false, false},
    {"Connection: \"close\"\r\n", false, false},
    {"Connection: x=\"a\\\", close\"\r\n", false, false},
    {"X-Connection: close\r\n", false, false},
};

static void test_framing_flags(void **state)
{
	struct http1_response resp;
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++) {
		int n = snprintf(buf, sizeof(buf), H200 "%s\r\n", flag_cases[i].fields);

		assert_true(n > 0 && (size_t)n < sizeof(buf));
		assert_int_equal(rparse(buf, (size_t)n, &resp), HTTP1_OK);
		if (resp.chunked != flag_cases[i].chunked || resp.close != flag_cases[i].close)
			fail_msg("case %zu: chunked %d close %d", i, resp.chunked, resp.close);
		assert_false(resp.has_length);
	}
}

/* Bytes after the blank line are the stream: never consumed, whatever they are. */
static void test_stream_after_head(void **state)
{
	uint8_t buf[sizeof(spec_response) + sizeof(rs_packet) + 4];
	struct http1_response resp;

	(void)state;
	memcpy(buf, spec_response, sizeof(spec_response));
	memcpy(buf + sizeof(spec_response), rs_packet, sizeof(rs_packet));
	memcpy(buf + sizeof(spec_response) + sizeof(rs_packet), "\r\n\r\n", 4);
	for (size_t n = sizeof(spec_response); n <= sizeof(buf); n++) {
		assert_int_equal(rparse(buf, n, &resp), HTTP1_OK);
		assert_int_equal(resp.consumed, sizeof(spec_response));
		assert_int_equal(resp.status, 200);
	}
	assert_memory_equal(buf + resp.consumed, rs_packet, sizeof(rs_packet));

	/* A proxy's 200 followed at once by the server's first TLS bytes. */
	{
		static const char t[] = TINYPROXY_200 "\x16\x03\x03\x00\x7a\x02";

		assert_int_equal(rparse(S(t), &resp), HTTP1_OK);
		assert_int_equal(resp.consumed, strlen(TINYPROXY_200));
	}
	/* A 1xx interim response: the final one starts at consumed (RFC 9110 §15.2). */
	{
		static const char t[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n";

		assert_int_equal(rparse(S(t), &resp), HTTP1_OK);
		assert_int_equal(resp.status, 100);
		assert_int_equal(rparse(t + resp.consumed, sizeof(t) - 1 - resp.consumed, &resp),
				 HTTP1_OK);
		assert_int_equal(resp.status, 200);
	}
}

/* Stateless: the same bytes give the same answer whatever came before; ERROR leaves 0. */
static void test_response_stateless(void **state)
{
	static const char bad[] = H200 "Content-Length: 1\r\nContent-Length: 2\r\n\r\n";
	struct http1_response a, b;

	(void)state;
	assert_int_equal(rparse(S(bad), &a), HTTP1_ERROR);
	assert_int_equal(a.status, 0);
	assert_int_equal(a.consumed, sizeof(bad) - 1);
	assert_int_equal(rparse(S(SQUID_407_HEAD), &a), HTTP1_OK);
	memset(&b, 0, sizeof(b));
	assert_int_equal(
	    http1_parse_response((const uint8_t *)SQUID_407_HEAD, strlen(SQUID_407_HEAD), &b),
	    HTTP1_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(rparse(S("\x16\x03\x01"), &a), HTTP1_ERROR);
	assert_int_equal(a.status, 0);
	assert_int_equal(a.consumed, 0);
}

/* Long values are truncated, unprintable bytes made '?', first Server wins. */
static void test_response_strings(void **state)
{
	struct http1_response resp;
	char buf[1024];
	int n;

	(void)state;
	n = snprintf(buf, sizeof(buf), "HTTP/1.1 200 %0200d\r\nServer: %0300d\r\n\r\n", 0, 0);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(rparse(buf, (size_t)n, &resp), HTTP1_OK);
	assert_int_equal(strlen(resp.reason), sizeof(resp.reason) - 1);
	assert_int_equal(strlen(resp.server), sizeof(resp.server) - 1);

	n = snprintf(
	    buf, sizeof(buf), "%s",
	    "HTTP/1.1 403 Acc\tess \xc3\xa9\r\nServer: a\tb\x80 c \r\nServer: second\r\n\r\n");
	assert_int_equal(rparse(buf, (size_t)n, &resp), HTTP1_OK);
	assert_string_equal(resp.reason, "Acc?ess ??");
	assert_string_equal(resp.server, "a?b? c");

	/* Scheme names are tokens: a long one is truncated, never overflowing. */
	n = snprintf(buf, sizeof(buf), "HTTP/1.1 407 x\r\nProxy-Authenticate: %0100d x\r\n\r\n", 0);
	assert_int_equal(rparse(buf, (size_t)n, &resp), HTTP1_OK);
	assert_int_equal(strlen(resp.proxy_auth), sizeof(resp.proxy_auth) - 1);
}

/* A head of `total` bytes (filler header sized to fit), ending with the blank line. */
static void build_sized(uint8_t *buf, size_t total)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nX-Pad: ";
	size_t pad = total - (sizeof(head) - 1) - 4;

	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, 'p', pad);
	memcpy(buf + total - 4, "\r\n\r\n", 4);
}

/* HTTP1_HEAD_MAX: exactly 8192 bytes pass, 8193 fail; fewer than 8192 bytes: wait. */
static void test_response_head_limit(void **state)
{
	static uint8_t buf[HTTP1_HEAD_MAX + 64];
	struct http1_response resp;

	(void)state;
	build_sized(buf, HTTP1_HEAD_MAX);
	assert_int_equal(rparse(buf, HTTP1_HEAD_MAX, &resp), HTTP1_OK);
	assert_int_equal(resp.consumed, HTTP1_HEAD_MAX);
	assert_int_equal(rparse(buf, sizeof(buf), &resp), HTTP1_OK);
	assert_int_equal(resp.consumed, HTTP1_HEAD_MAX);
	assert_int_equal(rparse(buf, HTTP1_HEAD_MAX - 1, &resp), HTTP1_INCOMPLETE);

	build_sized(buf, HTTP1_HEAD_MAX + 1);
	assert_int_equal(rparse(buf, HTTP1_HEAD_MAX - 1, &resp), HTTP1_INCOMPLETE);
	assert_int_equal(rparse(buf, HTTP1_HEAD_MAX, &resp), HTTP1_ERROR);
	assert_non_null(strstr(resp.why, "8 KiB"));
	assert_int_equal(resp.status, 0);
	assert_int_equal(rparse(buf, HTTP1_HEAD_MAX + 1, &resp), HTTP1_ERROR);

	/* An endless reason phrase is refused at the limit too. */
	memcpy(buf, "HTTP/1.1 200 ", 13);
	memset(buf + 13, 'r', sizeof(buf) - 13);
	assert_int_equal(rparse(buf, HTTP1_HEAD_MAX - 1, &resp), HTTP1_INCOMPLETE);
	assert_int_equal(rparse(buf, sizeof(buf), &resp), HTTP1_ERROR);
	assert_non_null(strstr(resp.why, "8 KiB"));
}

/* Builds a 200 head with n "X-N: v" field lines. */
static size_t build_fields(char *buf, size_t cap, size_t n)
{
	size_t len = (size_t)snprintf(buf, cap, "%s", H200);

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "X-%zu: v\r\n", i);
	len += (size_t)snprintf(buf + len, cap - len, "\r\n");
	assert_true(len < cap);
	return len;
}

static void test_response_field_count(void **state)
{
	char buf[4096];
	struct http1_response resp;
	size_t len;

	(void)state;
	len = build_fields(buf, sizeof(buf), HTTP1_MAX_HEADERS);
	assert_int_equal(rparse(buf, len, &resp), HTTP1_OK);
	len = build_fields(buf, sizeof(buf), HTTP1_MAX_HEADERS + 1);
	assert_int_equal(rparse(buf, len, &resp), HTTP1_ERROR);
	assert_non_null(strstr(resp.why, "too many"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_post_exact),
	    cmocka_unit_test(test_post_cases),
	    cmocka_unit_test(test_connect_cases),
	    cmocka_unit_test(test_connect_with_credentials),
	    cmocka_unit_test(test_base64_rfc4648),
	    cmocka_unit_test(test_basic_credentials),
	    cmocka_unit_test(test_response_table),
	    cmocka_unit_test(test_spec_200_incremental),
	    cmocka_unit_test(test_own_responses),
	    cmocka_unit_test(test_nginx_400),
	    cmocka_unit_test(test_proxy_responses),
	    cmocka_unit_test(test_proxy_authenticate),
	    cmocka_unit_test(test_framing_flags),
	    cmocka_unit_test(test_stream_after_head),
	    cmocka_unit_test(test_response_stateless),
	    cmocka_unit_test(test_response_strings),
	    cmocka_unit_test(test_response_head_limit),
	    cmocka_unit_test(test_response_field_count),
	};

	return cmocka_run_group_tests_name("http1c", tests, NULL, NULL);
}
