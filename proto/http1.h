/* SPDX-License-Identifier: ISC */
/*
 * http1: the bounded HTTP/1.x request-head parser and response builder for IP-HTTPS
 * ([MS-IPHTTPS] §3.2.5.1, RFC 9112). Pure: bytes in, a verdict out; no I/O, no allocation.
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

#define HTTP1_HEAD_MAX	  8192 /* request head limit, issue #2 */
#define HTTP1_MAX_HEADERS 100
#define HTTP1_MAX_PATHS	  4
#define HTTP1_DATE_LEN	  29 /* "Sun, 10 Aug 2008 03:51:52 GMT" */

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
};

struct http1_request {
	/* Filled on HTTP1_OK and, as far as it got, on HTTP1_ERROR. */
	int status;	    /* on HTTP1_ERROR: 400, 404, 405, 411, 431, 501 or 505 */
	const char *reason; /* on HTTP1_ERROR: a short human explanation for logs */
	size_t consumed;    /* on HTTP1_OK: length of the head including the blank line */
	int version_minor;  /* 0 or 1 (HTTP/1.0 or HTTP/1.1) */
	bool has_length;    /* a Content-Length header was present */
	uint64_t length;    /* its value; UINT64_MAX is the never-ending IP-HTTPS body */
	char host[256];	    /* Host header, NUL-terminated, truncated; informational only */
	char path[256];	    /* request path as sent (truncated), for logs */
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

#endif
