/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/http1: the request-head rules of issue #2 (one table row or test per
 * rule), the spec and scanner requests byte for byte ([MS-IPHTTPS] §4.1, ms-iphttps.md §1.3,
 * §6.1, §6.3), incremental feeding, and the exact bytes of the responses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/http1.h"

#define S(lit) lit, sizeof(lit) - 1

/* 2^64-1, what every IP-HTTPS client sends ([MS-IPHTTPS] §3.1.5.2). */
#define CL_MAX "Content-Length: 18446744073709551615"

static const struct http1_policy pol = {
    .paths = {"/IPHTTPS", "/IPTLS"},
    .npaths = 2,
};

/* nmap's probe as ms-iphttps.md §1.3 dumps it (86 bytes, printf | xxd). */
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
#define SPEC_TIME ((time_t)1218340312) /* Sun, 10 Aug 2008 03:51:52 GMT */

/* The Router Solicitation of ms-iphttps.md §1.5: IPv6 data right after the head. */
static const uint8_t rs_packet[48] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x8d, 0x3c, 0x41, 0xff, 0x2a, 0x9b, 0x1c, 0x07, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x85, 0x00, 0x67, 0x59, 0x00, 0x00, 0x00, 0x00,
};

struct req_case {
	const char *name;
	const char *in;
	size_t len;
	enum http1_result res;
	int status;	 /* 200 on HTTP1_OK, 0 on HTTP1_INCOMPLETE */
	const char *why; /* if set, req.reason must contain it: for rules another rule would
			  * also catch (obs-fold lines are not tokens either, for example) */
};

/* clang-format off: one row per line reads better than what it would make of these */
#define OK(name, in)                                                                               \
	{                                                                                          \
		name, S(in), HTTP1_OK, 200, NULL                                                   \
	}
#define ERR(name, st, in)                                                                          \
	{                                                                                          \
		name, S(in), HTTP1_ERROR, st, NULL                                                 \
	}
#define ERRW(name, st, why, in)                                                                    \
	{                                                                                          \
		name, S(in), HTTP1_ERROR, st, why                                                  \
	}
#define INCOMPLETE(name, in)                                                                       \
	{                                                                                          \
		name, S(in), HTTP1_INCOMPLETE, 0, NULL                                             \
	}
#define POST_(path)	"POST " path " HTTP/1.1\r\n"
#define REQ(path, hdrs) POST_(path) "Host: gw\r\n" hdrs "\r\n"

static const struct req_case req_cases[] = {
    /* Senders that must work ([MS-IPHTTPS] §4.1; ms-iphttps.md §1.3, §6.1, §6.3). */
    OK("spec example §4.1", POST_("/IPTLS") CL_MAX "\r\nHost: 192.0.2.1\r\n\r\n"),
    OK("nmap §6.1", POST_("/IPHTTPS") "Host: scanme.example\r\n" CL_MAX "\r\n\r\n"),
    OK("takeshixx LF-only §6.3", "POST /IPHTTPS HTTP/1.1\nHost: vpn1.contoso.com\n" CL_MAX "\n\n"),
    OK("HTTP/1.0", "POST /IPHTTPS HTTP/1.0\r\n" CL_MAX "\r\n\r\n"),
    OK("mixed CRLF and LF", "POST /IPHTTPS HTTP/1.1\r\n" CL_MAX "\n\r\n"),
    OK("no Host", POST_("/IPHTTPS") CL_MAX "\r\n\r\n"),
    OK("extra headers ignored",
       REQ("/IPHTTPS", "User-Agent: x/1\r\nConnection: keep-alive\r\nCache-Control: no-cache\r\n"
		       "Content-Type: application/octet-stream\r\n" CL_MAX "\r\n")),
    /* Path: case-insensitive, query ignored, absolute-form (RFC 9112 §3.2). */
    OK("path lower case", REQ("/iphttps", CL_MAX "\r\n")),
    OK("path mixed case", REQ("/IPHTTPs", CL_MAX "\r\n")),
    OK("second configured path", REQ("/iptls", CL_MAX "\r\n")),
    OK("query ignored", REQ("/IPHTTPS?a=b&c", CL_MAX "\r\n")),
    OK("empty query", REQ("/IPHTTPS?", CL_MAX "\r\n")),
    OK("absolute-form https", REQ("https://da.example.com/IPHTTPS", CL_MAX "\r\n")),
    OK("absolute-form http port query", REQ("http://da.example.com:443/iphttps?x", CL_MAX "\r\n")),
    OK("absolute-form scheme case", REQ("HTTPS://da.example.com/IPHTTPS", CL_MAX "\r\n")),
    /* RFC 9112 §2.2: empty lines before the request line. */
    OK("leading empty lines", "\r\n\n\r\n" POST_("/IPHTTPS") CL_MAX "\r\n\r\n"),
    /* Content-Length: exact uint64, OWS, duplicates (RFC 9110 §8.6, §5.5). */
    OK("CL zero", REQ("/IPHTTPS", "Content-Length: 0\r\n")),
    OK("CL small", REQ("/IPHTTPS", "Content-Length: 1280\r\n")),
    OK("CL leading zeros", REQ("/IPHTTPS", "Content-Length: 00018446744073709551615\r\n")),
    OK("CL no space", REQ("/IPHTTPS", "Content-Length:18446744073709551615\r\n")),
    OK("CL OWS both sides", REQ("/IPHTTPS", "Content-Length: \t 18446744073709551615 \t\r\n")),
    OK("CL name case", REQ("/IPHTTPS", "content-LENGTH: 5\r\n")),
    OK("CL identical duplicates", REQ("/IPHTTPS", "Content-Length: 7\r\nContent-Length: 7\r\n")),
    OK("CL identical list", REQ("/IPHTTPS", "Content-Length: 7 ,7,\t7\r\n")),
    OK("value with HTAB and obs-text", REQ("/IPHTTPS", "X-A: a\tb \x80\xff"
						       "c\r\n" CL_MAX "\r\n")),
    OK("empty field value", REQ("/IPHTTPS", "X-Empty:\r\nX-Ows: \t \r\n" CL_MAX "\r\n")),
    OK("tchar field name", REQ("/IPHTTPS", "!#$%&'*+-.^_`|~09az: v\r\n" CL_MAX "\r\n")),
    OK("Expect ignored", REQ("/IPHTTPS", "Expect: 100-continue\r\n" CL_MAX "\r\n")),

    /* 404 before 405 (issue #2), and paths compared whole. */
    ERR("wrong path", 404, REQ("/foo", CL_MAX "\r\n")),
    ERR("root path", 404, REQ("/", CL_MAX "\r\n")),
    ERR("trailing slash", 404, REQ("/IPHTTPS/", CL_MAX "\r\n")),
    ERR("prefix of path", 404, REQ("/IPHTTP", CL_MAX "\r\n")),
    ERR("path with suffix", 404, REQ("/IPHTTPSX", CL_MAX "\r\n")),
    ERR("percent-encoded path", 404, REQ("/%49PHTTPS", CL_MAX "\r\n")),
    ERR("absolute-form without path", 404, REQ("https://da.example.com", CL_MAX "\r\n")),
    ERR("absolute-form wrong path", 404, REQ("https://da.example.com/x?/IPHTTPS", CL_MAX "\r\n")),
    ERR("wrong path and method: 404 first", 404, "GET /foo HTTP/1.1\r\n\r\n"),
    ERR("wrong path, no length: 404 first", 404, REQ("/foo", "")),
    ERR("GET on the path", 405, "GET /IPHTTPS HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("method is case-sensitive", 405, "post /IPHTTPS HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("PUT on the path", 405, "PUT /IPHTTPS HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("method before length", 405, "GET /IPHTTPS HTTP/1.1\r\n\r\n"),
    ERR("no Content-Length", 411, REQ("/IPHTTPS", "")),

    /* Content-Length junk, overflow, differing values: 400 (RFC 9112 §6.3 rule 5). */
    ERRW("CL 2^64", 400, "overflow", REQ("/IPHTTPS", "Content-Length: 18446744073709551616\r\n")),
    ERR("CL 2^64+9", 400, REQ("/IPHTTPS", "Content-Length: 18446744073709551625\r\n")),
    ERR("CL 20 nines", 400, REQ("/IPHTTPS", "Content-Length: 99999999999999999999\r\n")),
    ERR("CL 10*(2^64-1)", 400, REQ("/IPHTTPS", "Content-Length: 184467440737095516150\r\n")),
    ERR("CL plus sign", 400, REQ("/IPHTTPS", "Content-Length: +5\r\n")),
    ERR("CL minus", 400, REQ("/IPHTTPS", "Content-Length: -1\r\n")),
    ERR("CL hex", 400, REQ("/IPHTTPS", "Content-Length: 0x10\r\n")),
    ERR("CL trailing junk", 400, REQ("/IPHTTPS", "Content-Length: 5x\r\n")),
    ERR("CL two numbers", 400, REQ("/IPHTTPS", "Content-Length: 5 5\r\n")),
    ERR("CL empty", 400, REQ("/IPHTTPS", "Content-Length:\r\n")),
    ERR("CL empty list element", 400, REQ("/IPHTTPS", "Content-Length: 5,\r\n")),
    ERR("CL leading comma", 400, REQ("/IPHTTPS", "Content-Length: ,5\r\n")),
    ERRW("CL differing list", 400, "differing", REQ("/IPHTTPS", "Content-Length: 5, 6\r\n")),
    ERRW("CL differing lines", 400, "differing",
	 REQ("/IPHTTPS", "Content-Length: 5\r\nContent-Length: 6\r\n")),
    ERR("CL max then other", 400, REQ("/IPHTTPS", CL_MAX "\r\nContent-Length: 0\r\n")),
    ERR("CL junk on wrong path: 400 first", 400, REQ("/foo", "Content-Length: x\r\n")),
    ERR("CL junk with GET: 400 first", 400, "GET /IPHTTPS HTTP/1.1\r\nContent-Length: x\r\n\r\n"),
    /* Transfer-Encoding: the body is raw IPv6, never chunked. */
    ERRW("TE chunked", 400, "Transfer-Encoding",
	 REQ("/IPHTTPS", "Transfer-Encoding: chunked\r\n" CL_MAX "\r\n")),
    ERR("TE after CL", 400, REQ("/IPHTTPS", CL_MAX "\r\ntransfer-encoding: identity\r\n")),
    ERR("TE empty", 400, REQ("/IPHTTPS", CL_MAX "\r\nTransfer-Encoding:\r\n")),
    ERR("TE on wrong path: 400 first", 400, REQ("/foo", "Transfer-Encoding: chunked\r\n")),
    /* Field lines (RFC 9112 §5, §5.1, §5.2, §2.2). */
    ERRW("obs-fold SP", 400, "obs-fold", REQ("/IPHTTPS", "X-A: a\r\n b\r\n" CL_MAX "\r\n")),
    ERRW("obs-fold with colon", 400, "obs-fold",
	 REQ("/IPHTTPS", "X-A: a\r\n X-B: c\r\n" CL_MAX "\r\n")),
    ERR("obs-fold HTAB", 400, REQ("/IPHTTPS", CL_MAX "\r\n\tb\r\n")),
    ERRW("whitespace after request line", 400, "whitespace-preceded",
	 POST_("/IPHTTPS") " Host: x\r\n" CL_MAX "\r\n\r\n"),
    ERRW("space before colon", 400, "before colon", REQ("/IPHTTPS", "Content-Length : 5\r\n")),
    ERRW("tab before colon", 400, "before colon", REQ("/IPHTTPS", "X-A\t: 5\r\n" CL_MAX "\r\n")),
    ERRW("space inside name", 400, "not a token", REQ("/IPHTTPS", "X A: 5\r\n" CL_MAX "\r\n")),
    ERR("separator in name", 400, REQ("/IPHTTPS", "X(A): 5\r\n" CL_MAX "\r\n")),
    ERR("obs-text in name", 400, REQ("/IPHTTPS", "X\xe9: 5\r\n" CL_MAX "\r\n")),
    ERR("empty name", 400, REQ("/IPHTTPS", ": 5\r\n" CL_MAX "\r\n")),
    ERR("no colon", 400, REQ("/IPHTTPS", "X-A 5\r\n" CL_MAX "\r\n")),
    ERRW("NUL in value", 400, "control", REQ("/IPHTTPS", "X-A: a\0b\r\n" CL_MAX "\r\n")),
    ERR("NUL in name", 400, REQ("/IPHTTPS", "X\0A: b\r\n" CL_MAX "\r\n")),
    ERR("SOH in value", 400, REQ("/IPHTTPS", "X-A: a\x01z\r\n" CL_MAX "\r\n")),
    ERR("DEL in value", 400, REQ("/IPHTTPS", "X-A: a\x7fz\r\n" CL_MAX "\r\n")),
    ERR("bare CR in value", 400, REQ("/IPHTTPS", "X-A: a\rb\r\n" CL_MAX "\r\n")),
    ERR("CR CR LF", 400, REQ("/IPHTTPS", "X-A: a\r\r\n" CL_MAX "\r\n")),
    ERR("ESC in Host", 400, REQ("/IPHTTPS", "Host: a\x1b[2J\r\n" CL_MAX "\r\n")),
    /* Request line (RFC 9112 §3): 400 malformed, 505 other versions. */
    ERR("no version", 400, "POST /IPHTTPS\r\n" CL_MAX "\r\n\r\n"),
    ERR("one word", 400, "POST\r\n\r\n"),
    ERR("double space", 400, "POST  /IPHTTPS HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("trailing space", 400, "POST /IPHTTPS HTTP/1.1 \r\n" CL_MAX "\r\n\r\n"),
    ERR("tab separator", 400, "POST\t/IPHTTPS HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("leading space", 400, " POST /IPHTTPS HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("method not a token", 400, "PO(ST /IPHTTPS HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("control in target", 400, "POST /IPH\x01TTPS HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("obs-text in target", 400, "POST /IPH\xc3\xa9 HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("DEL in target", 400, "POST /IPHTTPS\x7f HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("asterisk-form", 400, "POST * HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("authority-form", 400, "POST da.example.com:443 HTTP/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("other scheme", 400, REQ("ftp://da.example.com/IPHTTPS", CL_MAX "\r\n")),
    ERR("empty host", 400, REQ("https:///IPHTTPS", CL_MAX "\r\n")),
    ERR("single slash after scheme", 400, REQ("https:/IPHTTPS", CL_MAX "\r\n")),
    ERR("version lower case", 400, "POST /IPHTTPS http/1.1\r\n" CL_MAX "\r\n\r\n"),
    ERR("version two digits", 400, "POST /IPHTTPS HTTP/1.10\r\n" CL_MAX "\r\n\r\n"),
    ERR("version no minor", 400, "POST /IPHTTPS HTTP/1\r\n" CL_MAX "\r\n\r\n"),
    ERR("version junk", 400, "POST /IPHTTPS HTTP/1.x\r\n" CL_MAX "\r\n\r\n"),
    ERR("bare CR in request line", 400, "POST /IPHTTPS HTTP/1.1\r\r\n" CL_MAX "\r\n\r\n"),
    ERR("binary junk", 400, "\x16\x03\x01\x02\x00\x01\n\n"),
    ERR("HTTP/2.0", 505, "POST /IPHTTPS HTTP/2.0\r\n" CL_MAX "\r\n\r\n"),
    ERR("HTTP/1.2", 505, "POST /IPHTTPS HTTP/1.2\r\n" CL_MAX "\r\n\r\n"),
    ERR("HTTP/0.9", 505, "POST /IPHTTPS HTTP/0.9\r\n" CL_MAX "\r\n\r\n"),
    ERR("505 before 404", 505, "GET /foo HTTP/3.0\r\n\r\n"),
    ERR("400 request line before field errors", 400, "POST /IPHTTPS HTTP/1.1 x\r\n:\r\n\r\n"),

    /* No blank line yet and fewer than HTTP1_HEAD_MAX bytes: wait, whatever came so far. */
    INCOMPLETE("empty", ""),
    INCOMPLETE("request line only", POST_("/IPHTTPS")),
    INCOMPLETE("last LF missing", POST_("/IPHTTPS") CL_MAX "\r\n\r"),
    INCOMPLETE("only empty lines", "\r\n\r\n\n\n"),
    INCOMPLETE("no LF at all", "POST /IPHTTPS HTTP/1.1"),
    INCOMPLETE("bad request line, no blank line", "GARBAGE\r\n"),
    INCOMPLETE("bad field, no blank line", POST_("/IPHTTPS") "X A: b\r\n"),
    INCOMPLETE("CR at the end of what arrived", "POST /IPHTTPS HTTP/1.1\r"),
    ERRW("TLS ClientHello on the plain-HTTP port", 400, "TLS handshake",
	 "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"),
    ERRW("TLS after empty lines", 400, "TLS handshake", "\r\n\x16\x03\x01"),
    ERRW("NUL in an incomplete request line", 400, "not printable", "POST /IPH\0TTPS"),
    ERRW("high byte in an incomplete request line", 400, "not printable", "POST /\xc3\xa9"),
    ERRW("lone CR inside an incomplete request line", 400, "not printable", "POST /\rX"),
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

static void check_case(const struct req_case *tc)
{
	struct http1_request req;
	enum http1_result r;

	memset(&req, 0xa5, sizeof(req)); /* the parser must not depend on what was there */
	r = http1_parse_request(&pol, (const uint8_t *)tc->in, tc->len, &req);
	if (r != tc->res || req.status != tc->status)
		fail_msg("%s: got %s %d (%s), want %s %d", tc->name, result_name(r), req.status,
			 req.reason ? req.reason : "-", result_name(tc->res), tc->status);
	if (r == HTTP1_OK && (req.consumed != tc->len || !req.has_length))
		fail_msg("%s: consumed %zu of %zu", tc->name, req.consumed, tc->len);
	if (r == HTTP1_ERROR && (!req.reason || !*req.reason))
		fail_msg("%s: no reason", tc->name);
	if (tc->why && (r != HTTP1_ERROR || !strstr(req.reason, tc->why)))
		fail_msg("%s: reason \"%s\" lacks \"%s\"", tc->name, req.reason, tc->why);
	if (r == HTTP1_INCOMPLETE && req.consumed != 0)
		fail_msg("%s: consumed set on INCOMPLETE", tc->name);
}

static void test_request_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++)
		check_case(&req_cases[i]);
}

static enum http1_result parse(const void *buf, size_t len, struct http1_request *req)
{
	return http1_parse_request(&pol, buf, len, req);
}

/* ms-iphttps.md §1.3: the 86-byte nmap request, and every prefix of it is INCOMPLETE. */
static void test_nmap_bytes_incremental(void **state)
{
	struct http1_request req;

	(void)state;
	for (size_t n = 0; n < sizeof(nmap_request); n++)
		assert_int_equal(parse(nmap_request, n, &req), HTTP1_INCOMPLETE);
	assert_int_equal(parse(nmap_request, sizeof(nmap_request), &req), HTTP1_OK);
	assert_int_equal(req.status, 200);
	assert_int_equal(req.consumed, 86);
	assert_int_equal(req.version_minor, 1);
	assert_true(req.has_length);
	assert_true(req.length == UINT64_MAX);
	assert_string_equal(req.host, "da.example.com");
	assert_string_equal(req.path, "/IPHTTPS");
}

/* The same request in every byte-by-byte prefix with CRLF, LF-only and HTTP/1.0 forms. */
static void test_incremental_forms(void **state)
{
	static const char *const reqs[] = {
	    POST_("/IPTLS") CL_MAX "\r\nHost: 192.0.2.1\r\n\r\n",
	    "POST /IPHTTPS HTTP/1.1\nHost: vpn1.contoso.com\n" CL_MAX "\n\n",
	    "\r\nPOST /iphttps HTTP/1.0\r\n" CL_MAX "\r\n\r\n",
	};
	struct http1_request req;

	(void)state;
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		size_t len = strlen(reqs[i]);

		for (size_t n = 0; n < len; n++)
			assert_int_equal(parse(reqs[i], n, &req), HTTP1_INCOMPLETE);
		assert_int_equal(parse(reqs[i], len, &req), HTTP1_OK);
		assert_int_equal(req.consumed, len);
		assert_true(req.length == UINT64_MAX);
	}
	assert_int_equal(req.version_minor, 0);
}

/* Bytes after the blank line are the IPv6 stream: not consumed, whatever they are. */
static void test_data_after_head(void **state)
{
	uint8_t buf[sizeof(nmap_request) + sizeof(rs_packet) + 4];
	struct http1_request req;

	(void)state;
	memcpy(buf, nmap_request, sizeof(nmap_request));
	memcpy(buf + sizeof(nmap_request), rs_packet, sizeof(rs_packet));
	memcpy(buf + sizeof(nmap_request) + sizeof(rs_packet), "\r\n\r\n", 4);
	assert_int_equal(parse(buf, sizeof(buf), &req), HTTP1_OK);
	assert_int_equal(req.consumed, sizeof(nmap_request));
	assert_memory_equal(buf + req.consumed, rs_packet, sizeof(rs_packet));
	/* Any partial packet after the head changes nothing either. */
	for (size_t n = sizeof(nmap_request); n <= sizeof(buf); n++) {
		assert_int_equal(parse(buf, n, &req), HTTP1_OK);
		assert_int_equal(req.consumed, sizeof(nmap_request));
	}
}

/* Stateless: the same buffer gives the same verdict whatever came before. */
static void test_stateless(void **state)
{
	static const char bad[] = REQ("/foo", CL_MAX "\r\n");
	struct http1_request a, b;

	(void)state;
	assert_int_equal(parse(bad, strlen(bad), &a), HTTP1_ERROR);
	assert_int_equal(parse(nmap_request, sizeof(nmap_request), &a), HTTP1_OK);
	memset(&b, 0xff, sizeof(b));
	assert_int_equal(parse(nmap_request, sizeof(nmap_request), &b), HTTP1_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(parse(bad, strlen(bad), &a), HTTP1_ERROR);
	assert_int_equal(a.status, 404);
	assert_string_equal(a.host, "gw");
}

/* Builds "POST /IPHTTPS HTTP/1.1\r\n" + n "X-N: v\r\n" lines + CL + blank line. */
static size_t build_headers(char *buf, size_t cap, size_t n, bool with_cl)
{
	size_t len = (size_t)snprintf(buf, cap, "%s", POST_("/IPHTTPS"));

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "X-%zu: v\r\n", i);
	if (with_cl)
		len += (size_t)snprintf(buf + len, cap - len, "Content-Length: 1\r\n");
	len += (size_t)snprintf(buf + len, cap - len, "\r\n");
	assert_true(len < cap);
	return len;
}

/* HTTP1_MAX_HEADERS field lines are fine, one more is 431, counted before any other error. */
static void test_header_count(void **state)
{
	char buf[4096];
	struct http1_request req;
	size_t len;

	(void)state;
	len = build_headers(buf, sizeof(buf), HTTP1_MAX_HEADERS - 1, true);
	assert_int_equal(parse(buf, len, &req), HTTP1_OK);
	len = build_headers(buf, sizeof(buf), HTTP1_MAX_HEADERS, true);
	assert_int_equal(parse(buf, len, &req), HTTP1_ERROR);
	assert_int_equal(req.status, 431);
	len = build_headers(buf, sizeof(buf), HTTP1_MAX_HEADERS, false);
	assert_int_equal(parse(buf, len, &req), HTTP1_ERROR);
	assert_int_equal(req.status, 411);
	len = build_headers(buf, sizeof(buf), HTTP1_MAX_HEADERS + 1, false);
	assert_int_equal(parse(buf, len, &req), HTTP1_ERROR);
	assert_int_equal(req.status, 431);
}

/* A head of `total` bytes (filler header sized to fit), ending with the blank line. */
static void build_sized(uint8_t *buf, size_t total)
{
	static const char head[] = POST_("/IPHTTPS") CL_MAX "\r\nX-Pad: ";
	size_t pad = total - (sizeof(head) - 1) - 4;

	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, 'p', pad);
	memcpy(buf + total - 4, "\r\n\r\n", 4);
}

/* HTTP1_HEAD_MAX: a head of exactly 8192 bytes passes, 8193 is 431; before 8192 bytes, wait. */
static void test_head_limit(void **state)
{
	static uint8_t buf[HTTP1_HEAD_MAX + 64];
	struct http1_request req;

	(void)state;
	build_sized(buf, HTTP1_HEAD_MAX);
	assert_int_equal(parse(buf, HTTP1_HEAD_MAX, &req), HTTP1_OK);
	assert_int_equal(req.consumed, HTTP1_HEAD_MAX);
	assert_int_equal(parse(buf, sizeof(buf), &req), HTTP1_OK);
	assert_int_equal(req.consumed, HTTP1_HEAD_MAX);
	assert_int_equal(parse(buf, HTTP1_HEAD_MAX - 1, &req), HTTP1_INCOMPLETE);

	build_sized(buf, HTTP1_HEAD_MAX + 1);
	assert_int_equal(parse(buf, HTTP1_HEAD_MAX - 1, &req), HTTP1_INCOMPLETE);
	assert_int_equal(parse(buf, HTTP1_HEAD_MAX, &req), HTTP1_ERROR);
	assert_int_equal(req.status, 431);
	assert_int_equal(parse(buf, HTTP1_HEAD_MAX + 1, &req), HTTP1_ERROR);
	assert_int_equal(req.status, 431);

	/* 8 KiB of empty lines, and 8 KiB without any LF. */
	memset(buf, '\n', sizeof(buf));
	assert_int_equal(parse(buf, HTTP1_HEAD_MAX - 1, &req), HTTP1_INCOMPLETE);
	assert_int_equal(parse(buf, HTTP1_HEAD_MAX, &req), HTTP1_ERROR);
	assert_int_equal(req.status, 431);
	memset(buf, 'A', sizeof(buf));
	assert_int_equal(parse(buf, HTTP1_HEAD_MAX - 1, &req), HTTP1_INCOMPLETE);
	assert_int_equal(parse(buf, sizeof(buf), &req), HTTP1_ERROR);
	assert_int_equal(req.status, 431);
}

static void test_fields_copied(void **state)
{
	static const char dup[] = REQ("/IPHTTPS", "Host: second\r\n" CL_MAX "\r\n");
	static const char odd[] = POST_("/IPhttps?q=1") "Host: \ta\x80\tb \r\n" CL_MAX "\r\n\r\n";
	static const char absf[] = REQ("https://gw.example/IPTLS?x", CL_MAX "\r\n");
	static const char nopath[] = REQ("https://gw.example?x", CL_MAX "\r\n");
	char big[700];
	struct http1_request req;
	int n;

	(void)state;
	assert_int_equal(parse(dup, strlen(dup), &req), HTTP1_OK);
	assert_string_equal(req.host, "gw");
	assert_int_equal(parse(odd, strlen(odd), &req), HTTP1_OK);
	assert_string_equal(req.host, "a??b");
	assert_string_equal(req.path, "/IPhttps"); /* as sent, without the query */
	assert_int_equal(parse(absf, strlen(absf), &req), HTTP1_OK);
	assert_string_equal(req.path, "/IPTLS");
	assert_int_equal(parse(nopath, strlen(nopath), &req), HTTP1_ERROR);
	assert_int_equal(req.status, 404);
	assert_string_equal(req.path, "/");

	/* Long values are truncated; filled as far as the parser got, here to the 404. */
	n = snprintf(big, sizeof(big), "POST /x%0300d?q HTTP/1.1\r\nHost: %0300d\r\n%s\r\n\r\n", 0,
		     0, CL_MAX);
	assert_true(n > 0 && (size_t)n < sizeof(big));
	assert_int_equal(parse(big, (size_t)n, &req), HTTP1_ERROR);
	assert_int_equal(req.status, 404);
	assert_int_equal(strlen(req.host), sizeof(req.host) - 1);
	assert_int_equal(strlen(req.path), sizeof(req.path) - 1);
	assert_memory_equal(req.path, "/x000", 5);
	assert_int_equal(req.length, UINT64_MAX);
}

/* No configured path: everything is 404. */
static void test_empty_policy(void **state)
{
	struct http1_policy none = {.npaths = 0};
	struct http1_request req;

	(void)state;
	assert_int_equal(http1_parse_request(&none, nmap_request, sizeof(nmap_request), &req),
			 HTTP1_ERROR);
	assert_int_equal(req.status, 404);
	assert_int_equal(http1_parse_request(NULL, nmap_request, sizeof(nmap_request), &req),
			 HTTP1_ERROR);
	assert_int_equal(req.status, 404);
}

/* ---- responses ---- */

/* [MS-IPHTTPS] §4.1 byte for byte, and never a byte past cap. */
static void test_response_ok_exact(void **state)
{
	char out[sizeof(spec_response) + 16];

	(void)state;
	memset(out, '#', sizeof(out));
	assert_int_equal(http1_response_ok(out, sizeof(out), "Microsoft-HTTPAPI/2.0", SPEC_TIME),
			 sizeof(spec_response));
	assert_memory_equal(out, spec_response, sizeof(spec_response));
	assert_int_equal(out[sizeof(spec_response)], '#');

	for (size_t cap = 0; cap < sizeof(spec_response); cap++) {
		memset(out, '#', sizeof(out));
		assert_int_equal(http1_response_ok(out, cap, "Microsoft-HTTPAPI/2.0", SPEC_TIME),
				 0);
		for (size_t i = cap; i < sizeof(out); i++)
			assert_int_equal(out[i], '#');
	}
	assert_int_equal(
	    http1_response_ok(out, sizeof(spec_response), "Microsoft-HTTPAPI/2.0", SPEC_TIME),
	    sizeof(spec_response));
}

static void test_response_ok_server(void **state)
{
	char out[256];
	size_t n;

	(void)state;
	n = http1_response_ok(out, sizeof(out), "iphttps", 0);
	assert_int_equal(n, strlen("HTTP/1.1 200 OK\r\nServer: iphttps\r\n"
				   "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n"));
	assert_memory_equal(out,
			    "HTTP/1.1 200 OK\r\nServer: iphttps\r\nDate: Thu, 01 Jan 1970 "
			    "00:00:00 GMT\r\n\r\n",
			    n);
	/* A Server value must not be able to add fields. */
	assert_int_equal(http1_response_ok(out, sizeof(out), "x\r\nSet-Cookie: a", 0), 0);
	assert_int_equal(http1_response_ok(out, sizeof(out), "x\ny", 0), 0);
	assert_int_equal(http1_response_ok(out, sizeof(out), NULL, 0), 0);
	assert_int_equal(http1_response_error(out, sizeof(out), 404, "x\r\n", 0), 0);
}

struct err_case {
	int status;
	const char *line;
};

static const struct err_case err_cases[] = {
    {400, "HTTP/1.1 400 Bad Request\r\n"},
    {404, "HTTP/1.1 404 Not Found\r\n"},
    {405, "HTTP/1.1 405 Method Not Allowed\r\n"},
    {408, "HTTP/1.1 408 Request Timeout\r\n"},
    {411, "HTTP/1.1 411 Length Required\r\n"},
    {431, "HTTP/1.1 431 Request Header Fields Too Large\r\n"},
    {501, "HTTP/1.1 501 Not Implemented\r\n"},
    {503, "HTTP/1.1 503 Service Unavailable\r\n"},
    {505, "HTTP/1.1 505 HTTP Version Not Supported\r\n"},
};

/* Checks one error response: status line, the fields, Content-Length == body length. */
static void check_error_response(const struct err_case *ec, const char *out, size_t n)
{
	static const char *const fields[] = {
	    "\r\nContent-Type: text/html; charset=us-ascii\r\n",
	    "\r\nServer: gw/1\r\n",
	    "\r\nDate: Sun, 10 Aug 2008 03:51:52 GMT\r\n",
	    "\r\nConnection: close\r\n",
	};
	char copy[1024], want_cl[64];
	const char *body;

	assert_true(n > 0 && n < sizeof(copy));
	memcpy(copy, out, n);
	copy[n] = '\0';
	assert_int_equal(strncmp(copy, ec->line, strlen(ec->line)), 0);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		assert_non_null(strstr(copy, fields[i]));
	assert_true((strstr(copy, "\r\nAllow: POST\r\n") != NULL) == (ec->status == 405));
	assert_null(strstr(copy, "Transfer-Encoding"));
	body = strstr(copy, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	snprintf(want_cl, sizeof(want_cl), "\r\nContent-Length: %zu\r\n", strlen(body));
	assert_non_null(strstr(copy, want_cl));
	assert_true(strlen(body) > 0);
}

static void test_response_errors(void **state)
{
	char out[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *ec = &err_cases[i];
		size_t n = http1_response_error(out, sizeof(out), ec->status, "gw/1", SPEC_TIME);
		char h1[96];

		check_error_response(ec, out, n);
		/* The body names the status too. */
		snprintf(h1, sizeof(h1), "<h1>%d %s</h1>", ec->status, http1_reason(ec->status));
		assert_non_null(memmem(out, n, h1, strlen(h1)));
		/* Every cap short of n fails and writes nothing past cap. */
		for (size_t cap = 0; cap < n; cap++) {
			char small[1024];

			memset(small, '#', sizeof(small));
			assert_int_equal(
			    http1_response_error(small, cap, ec->status, "gw/1", SPEC_TIME), 0);
			for (size_t j = cap; j < sizeof(small); j++)
				assert_int_equal(small[j], '#');
		}
		assert_int_equal(http1_response_error(out, n, ec->status, "gw/1", SPEC_TIME), n);
	}
}

/* One error response byte for byte, so a change of layout is a visible decision. */
static void test_response_404_exact(void **state)
{
	static const char want[] =
	    "HTTP/1.1 404 Not Found\r\n"
	    "Content-Type: text/html; charset=us-ascii\r\n"
	    "Server: Microsoft-HTTPAPI/2.0\r\n"
	    "Date: Sun, 10 Aug 2008 03:51:52 GMT\r\n"
	    "Connection: close\r\n"
	    "Content-Length: 110\r\n"
	    "\r\n"
	    "<!DOCTYPE html>\r\n<html><head><title>404 Not Found</title></head>\r\n"
	    "<body><h1>404 Not Found</h1></body></html>\r\n";
	char out[512];

	(void)state;
	assert_int_equal(
	    http1_response_error(out, sizeof(out), 404, "Microsoft-HTTPAPI/2.0", SPEC_TIME),
	    sizeof(want) - 1);
	assert_memory_equal(out, want, sizeof(want) - 1);
}

static void test_response_unknown_status(void **state)
{
	static const int bad[] = {0, 100, 200, 302, 401, 500, 599, 999, -404};
	char out[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(http1_response_error(out, sizeof(out), bad[i], "gw", 0), 0);
}

/* 403 is what a client refused by preauthentication gets (ms-iphttps.md §3.3). */
static void test_response_403(void **state)
{
	char out[1024];
	size_t n;

	(void)state;
	n = http1_response_error(out, sizeof(out), 403, "gw", SPEC_TIME);
	assert_true(n > 0);
	assert_memory_equal(out, "HTTP/1.1 403 Forbidden\r\n", 24);
}

static const struct http1_policy idpol = {
    .paths = {"/IPHTTPS"},
    .npaths = 1,
    .identity_header = "X-Client-Identity",
};

static void parse_id(const char *head, struct http1_request *req)
{
	assert_int_equal(http1_parse_request(&idpol, (const uint8_t *)head, strlen(head), req),
			 HTTP1_OK);
}

/* The balancer's identity header: copied once, counted, case-insensitive name. */
static void test_identity_header(void **state)
{
	struct http1_request req;
	char longv[400];

	(void)state;
	parse_id("POST /IPHTTPS HTTP/1.1\r\nContent-Length: 1\r\n\r\n", &req);
	assert_int_equal(req.identity_count, 0);
	assert_string_equal(req.identity, "");
	parse_id("POST /IPHTTPS HTTP/1.1\r\nx-client-identity:  pc1.example.test \r\n"
		 "Content-Length: 1\r\n\r\n",
		 &req);
	assert_int_equal(req.identity_count, 1);
	assert_string_equal(req.identity, "pc1.example.test");
	assert_false(req.identity_truncated);
	parse_id("POST /IPHTTPS HTTP/1.1\r\nX-Client-Identity: a\r\nX-Client-Identity: b\r\n"
		 "Content-Length: 1\r\n\r\n",
		 &req);
	assert_int_equal(req.identity_count, 2);
	assert_string_equal(req.identity, "a");
	memset(longv, 'a', sizeof(longv));
	longv[sizeof(longv) - 1] = '\0';
	{
		char head[600];

		snprintf(head, sizeof(head),
			 "POST /IPHTTPS HTTP/1.1\r\nX-Client-Identity: %s\r\n"
			 "Content-Length: 1\r\n\r\n",
			 longv);
		parse_id(head, &req);
		assert_true(req.identity_truncated);
	}
	/* Without a configured header nothing is captured. */
	{
		const char *h = "POST /IPHTTPS HTTP/1.1\r\nX-Client-Identity: a\r\n"
				"Content-Length: 1\r\n\r\n";

		assert_int_equal(http1_parse_request(&pol, (const uint8_t *)h, strlen(h), &req),
				 HTTP1_OK);
		assert_int_equal(req.identity_count, 0);
	}
}

static void test_reason(void **state)
{
	(void)state;
	assert_string_equal(http1_reason(200), "OK");
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		char line[96];

		snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", err_cases[i].status,
			 http1_reason(err_cases[i].status));
		assert_string_equal(line, err_cases[i].line);
	}
	assert_string_equal(http1_reason(302), "Error");
	assert_string_equal(http1_reason(-1), "Error");
}

/* ---- IMF-fixdate (RFC 9110 §5.6.7) ---- */

struct date_case {
	time_t t;
	const char *s;
};

static const struct date_case date_cases[] = {
    {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
    {SPEC_TIME, "Sun, 10 Aug 2008 03:51:52 GMT"},
    {784111777, "Sun, 06 Nov 1994 08:49:37 GMT"}, /* RFC 9110 §5.6.7's example */
    {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
    {-1, "Wed, 31 Dec 1969 23:59:59 GMT"},
    {4107542399, "Sun, 28 Feb 2100 23:59:59 GMT"},
    {4107542400, "Mon, 01 Mar 2100 00:00:00 GMT"},
    {253402300799, "Fri, 31 Dec 9999 23:59:59 GMT"},
    {-62167219200, "Sat, 01 Jan 0000 00:00:00 GMT"},
};

static void test_date(void **state)
{
	char out[HTTP1_DATE_LEN + 8];

	(void)state;
	for (size_t i = 0; i < sizeof(date_cases) / sizeof(date_cases[0]); i++) {
		assert_int_equal(http1_date(out, sizeof(out), date_cases[i].t), HTTP1_DATE_LEN);
		assert_string_equal(out, date_cases[i].s);
	}
	assert_int_equal(http1_date(out, HTTP1_DATE_LEN, 0), 0);
	assert_int_equal(http1_date(out, HTTP1_DATE_LEN + 1, 0), HTTP1_DATE_LEN);
	assert_int_equal(http1_date(out, sizeof(out), 253402300800), 0); /* year 10000 */
	assert_int_equal(http1_date(out, sizeof(out), -62167219201), 0); /* year -1 */
	assert_int_equal(http1_date(out, sizeof(out), INT64_MAX), 0);
	assert_int_equal(http1_date(out, sizeof(out), INT64_MIN), 0);
}

/* Cross-check with the C library over the whole 0000-9999 range. */
static void test_date_vs_gmtime(void **state)
{
	const int64_t lo = -62167219200, span = 253402300799 - lo + 1;
	uint64_t x = 0x9e3779b97f4a7c15u;
	char out[HTTP1_DATE_LEN + 1], want[64];
	struct tm tm;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		time_t t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t = (time_t)(lo + (int64_t)(x % (uint64_t)span));
		assert_non_null(gmtime_r(&t, &tm));
		strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		if (tm.tm_year + 1900 < 1000)
			snprintf(want + 12, sizeof(want) - 12, "%04d %02d:%02d:%02d GMT",
				 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		assert_int_equal(http1_date(out, sizeof(out), t), HTTP1_DATE_LEN);
		assert_string_equal(out, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request_table),
	    cmocka_unit_test(test_nmap_bytes_incremental),
	    cmocka_unit_test(test_incremental_forms),
	    cmocka_unit_test(test_data_after_head),
	    cmocka_unit_test(test_stateless),
	    cmocka_unit_test(test_header_count),
	    cmocka_unit_test(test_head_limit),
	    cmocka_unit_test(test_fields_copied),
	    cmocka_unit_test(test_empty_policy),
	    cmocka_unit_test(test_response_ok_exact),
	    cmocka_unit_test(test_response_ok_server),
	    cmocka_unit_test(test_response_errors),
	    cmocka_unit_test(test_response_404_exact),
	    cmocka_unit_test(test_response_unknown_status),
	    cmocka_unit_test(test_response_403),
	    cmocka_unit_test(test_identity_header),
	    cmocka_unit_test(test_reason),
	    cmocka_unit_test(test_date),
	    cmocka_unit_test(test_date_vs_gmtime),
	};

	return cmocka_run_group_tests_name("http1", tests, NULL, NULL);
}
