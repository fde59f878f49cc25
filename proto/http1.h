/* SPDX-License-Identifier: ISC */
/*
 * http1: the bounded HTTP/1.x request-head parser and response builder for IP-HTTPS
 * ([MS-IPHTTPS] §3.2.5.1, RFC 9112), and the client's side: the POST and CONNECT request
 * builders, Basic proxy credentials and the response-head parser ([MS-IPHTTPS] §3.1.5).
 * Pure: bytes in, a verdict out; no I/O, no allocation.
 *
 * The caller accumulates the head in its own buffer (at most HTTP1_HEAD_MAX bytes) and calls
 * http1_parse_request() after each read with everything received so far. The parser is
 * stateless between calls (re-parsing 8 KiB at most is cheaper than a state machine and cannot
 * drift). Bytes after the blank line belong to the IPv6 stream: `consumed` says where they start.
 */
#ifndef PROTO_HTTP1_H
#define PROTO_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HTTP1_HEAD_MAX	  8192 /* request and response head limit, issue #2 */
#define HTTP1_MAX_HEADERS 100
#define HTTP1_MAX_PATHS	  4
#define HTTP1_DATE_LEN	  29 /* "Sun, 10 Aug 2008 03:51:52 GMT" */

/* The comments are for requests; for responses OK is a well-formed head, ERROR means close. */
enum http1_result {
	HTTP1_INCOMPLETE = 0, /* need more bytes; nothing is wrong yet */
	HTTP1_OK,	      /* a valid IP-HTTPS request: answer 200 */
	HTTP1_ERROR,	      /* answer `status` with Connection: close, then close */
};

/* What the server accepts; set once from the configuration. */
struct http1_policy {
	const char
	    *paths[HTTP1_MAX_PATHS]; /* matched case-insensitively, e.g. "/IPHTTPS", "/IPTLS" */
	size_t npaths;
	/* A header through which a TLS-terminating balancer passes the client's identity
	   (e.g. "X-Client-Identity"), copied into req->identity; NULL: none. */
	const char *identity_header;
};

struct http1_request {
	/* Filled on HTTP1_OK and, as far as it got, on HTTP1_ERROR. */
	int status;		 /* on HTTP1_ERROR: 400, 404, 405, 411, 431, 501 or 505 */
	const char *reason;	 /* on HTTP1_ERROR: a short human explanation for logs */
	size_t consumed;	 /* on HTTP1_OK: length of the head including the blank line */
	int version_minor;	 /* 0 or 1 (HTTP/1.0 or HTTP/1.1) */
	bool has_length;	 /* a Content-Length header was present */
	uint64_t length;	 /* its value; UINT64_MAX is the never-ending IP-HTTPS body */
	char host[256];		 /* Host header, NUL-terminated, truncated; informational only */
	char path[256];		 /* request path as sent (truncated), for logs */
	unsigned identity_count; /* how many policy->identity_header fields were present */
	char identity[256];	 /* the first one's value (VCHAR and spaces only, RFC 9110 §5.5) */
	bool identity_truncated; /* it did not fit: never use a cut name */
};

/*
 * Parses the head in buf[0..len). Rules (issue #2, spec §1.3 of ms-iphttps.md):
 *  - CRLF or bare LF line ends; leading empty lines before the request line are skipped;
 *  - request line "METHOD SP target SP HTTP/1.x"; origin-form or absolute-form target; the
 *    query string is ignored for matching; path compared case-insensitively with the policy;
 *  - wrong path: 404 (checked before the method); right path, method not POST: 405;
 *    version not 1.0/1.1: 505; malformed line or header, obs-fold, space before colon: 400;
 *  - Content-Length parsed exactly as uint64 with overflow detection; several differing values,
 *    junk, sign or overflow: 400; absent: 411; any valid value is accepted and treated as an
 *    unbounded stream (spec Q10);
 *  - Transfer-Encoding present: 400 (the body is raw IPv6, never chunked);
 *  - more than HTTP1_MAX_HEADERS headers: 431; no blank line within HTTP1_HEAD_MAX bytes: 431;
 *  - Host is not required and never matched; its first value is copied into req->host with
 *    bytes other than VCHAR replaced by '?';
 *  - verdict order, the same however the bytes were split: end of head (431), request line
 *    (400, then 505), field lines in order (400, 431), path (404), method (405), length (411);
 *  - while len < HTTP1_HEAD_MAX and no blank line has arrived the result is HTTP1_INCOMPLETE,
 *    whatever the bytes so far; only the first HTTP1_HEAD_MAX bytes of buf are ever looked at.
 */
enum http1_result http1_parse_request(const struct http1_policy *pol, const uint8_t *buf,
				      size_t len, struct http1_request *req);

/*
 * Writes the 200 response: "HTTP/1.1 200 OK", Server, Date (RFC 9110 IMF-fixdate from `now`),
 * blank line. No Content-Length, no Transfer-Encoding, no Connection header (spec §3.2.5.1).
 * Returns the length written, or 0 if `cap` is too small (or `server` is NULL or holds a
 * control character, which would split the head). Never writes past out[cap - 1]; the output
 * is not NUL-terminated.
 */
size_t http1_response_ok(char *out, size_t cap, const char *server, time_t now);

/*
 * Writes an error response with Content-Type text/html, Server, Date, Connection: close,
 * Content-Length and a small HTML body naming the status; 405 adds "Allow: POST".
 * Statuses: 400, 404, 405, 408 (Request Timeout: the caller's head timer expired), 411, 431,
 * 501, 503 (Service Unavailable: e.g. the client table is full) and 505.
 * Returns the length written, or 0 if `cap` is too small, status is unknown or `server` is
 * unusable (as for http1_response_ok).
 */
size_t http1_response_error(char *out, size_t cap, int status, const char *server, time_t now);

/* Standard reason phrase for a status this module emits (200 and the error statuses above),
 * or "Error". */
const char *http1_reason(int status);

/*
 * Writes the RFC 9110 §5.6.7 IMF-fixdate for `now` ("Sun, 10 Aug 2008 03:51:52 GMT") and a NUL.
 * Returns HTTP1_DATE_LEN, or 0 if cap < HTTP1_DATE_LEN + 1 or the year is outside 0000-9999.
 */
size_t http1_date(char *out, size_t cap, time_t now);

/* ---- the client side: requests to the server and to proxies, and their responses ---- */

/*
 * Writes the IP-HTTPS request ([MS-IPHTTPS] §3.1.5.2) in nmap's header order (ms-iphttps.md
 * §6.1): "POST <path> HTTP/1.1", "Host: <host>", "Content-Length: 18446744073709551615", blank
 * line. `path` is an origin-form target (RFC 9112 §3.2.1): '/' then VCHAR, no '#'. `host` is
 * uri-host [":" port] (RFC 9110 §7.2): a reg-name or IPv4 address (RFC 3986 unreserved,
 * sub-delims, '%'), or an IP-literal in brackets; a port is 1-65535.
 * Returns the length written, or 0 if it does not fit or an argument is NULL, empty or outside
 * those rules (which also refuses CR, LF, SP and every other byte that could split the head).
 * Never writes past out[cap - 1]; the output is not NUL-terminated.
 */
size_t http1_request_post(char *out, size_t cap, const char *path, const char *host);

/*
 * Writes "CONNECT <authority> HTTP/1.1", "Host: <authority>", and, if basic_b64 is not NULL,
 * "Proxy-Authorization: Basic <basic_b64>", then the blank line (RFC 9110 §9.3.6, RFC 7617 §2).
 * `authority` is authority-form (RFC 9112 §3.2.3): host as for http1_request_post, and the port
 * is required. `basic_b64` must be a non-empty token68 (RFC 9110 §11.2), e.g. the output of
 * http1_basic_credentials(). Returns the length written, or 0 (as for http1_request_post).
 */
size_t http1_request_connect(char *out, size_t cap, const char *authority, const char *basic_b64);

/*
 * Writes the base64 (RFC 4648 §4, padded) of in[0..n) and a NUL. Returns the length of the
 * text (4 * ceil(n / 3)), or 0 if out[cap] cannot hold it and its NUL; the empty input gives ""
 * and 0 too. Never writes past out[cap - 1].
 */
size_t http1_base64(const uint8_t *in, size_t n, char *out, size_t cap);

/*
 * Writes the Basic credentials (RFC 7617 §2): base64 of "user:pass", NUL-terminated. The user
 * may be empty but must not contain ':'; neither may contain a control character (RFC 7617 §2).
 * Bytes are sent as given (UTF-8 is the caller's business). Returns the length of the text, or
 * 0 on bad input or if it does not fit.
 */
size_t http1_basic_credentials(const char *user, const char *pass, char *out, size_t cap);

/* What the client learns from a response head: the server's answer or a proxy's. */
struct http1_response {
	int status; /* HTTP1_OK: 100-999 as sent (600-999 count as 5xx, RFC 9110 §15); else 0 */
	int version_minor;   /* the x of HTTP/1.x, 0-9 */
	size_t consumed;     /* once the head is complete: its length including the blank line */
	char reason[64];     /* reason phrase, truncated, bytes other than SP/VCHAR made '?' */
	const char *why;     /* HTTP1_ERROR: a short human explanation for logs; else NULL */
	bool has_length;     /* a valid Content-Length header was present */
	uint64_t length;     /* its value (2^64-1 is valid) */
	bool chunked;	     /* Transfer-Encoding's final coding is chunked (RFC 9112 §6.3) */
	bool close;	     /* a Connection header holds the "close" option (RFC 9112 §9.6) */
	char server[128];    /* first Server value, truncated, bytes other than SP/VCHAR '?' */
	char proxy_auth[64]; /* scheme of the first Proxy-Authenticate challenge, e.g. "Basic" */
};

/*
 * Parses the response head in buf[0..len), stateless like http1_parse_request(): call it again
 * with everything received so far. Bytes after the blank line are the stream (the IPv6 packets
 * after a 200 from the server, the tunnel after a 2xx from a proxy): `consumed` says where they
 * start. A 1xx interim response is reported like any other; the next head starts at consumed.
 * Rules:
 *  - status line "HTTP/1." DIGIT SP 3DIGIT [SP reason] (RFC 9112 §4); a missing SP before an
 *    empty reason is accepted (nginx, curl and Go do too); status below 100 is malformed;
 *    the reason is *( HTAB / SP / VCHAR / obs-text ); no empty lines before the status line;
 *  - CRLF or bare LF line ends; field lines as for requests: token names, no whitespace before
 *    the colon, no obs-fold (RFC 9112 §5.2 would have a user agent unfold it: refused instead),
 *    no control characters in values; at most HTTP1_MAX_HEADERS of them;
 *  - Content-Length exact uint64, identical repeats allowed, differing values an error;
 *    Transfer-Encoding together with Content-Length an error (RFC 9112 §6.3 rule 3);
 *  - no blank line within HTTP1_HEAD_MAX bytes: HTTP1_ERROR;
 *  - the status line is checked as it arrives: a byte it can never hold (a TLS record, an SSH
 *    banner, binary junk) gives HTTP1_ERROR at once, before the head is complete;
 *  - otherwise, while len < HTTP1_HEAD_MAX and no blank line has arrived: HTTP1_INCOMPLETE;
 *    only the first HTTP1_HEAD_MAX bytes of buf are ever looked at.
 * Body framing is the caller's: a 2xx to CONNECT has none (RFC 9110 §9.3.6); otherwise chunked,
 * then length, then until close (RFC 9112 §6.3). HTTP/1.0 without "keep-alive" also ends the
 * connection (RFC 9112 §9.3), which `close` does not reflect.
 * On HTTP1_ERROR `status` is 0 and `why` is set; the other fields hold what was read so far.
 */
enum http1_result http1_parse_response(const uint8_t *buf, size_t len, struct http1_response *resp);

#endif
