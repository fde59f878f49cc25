/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for proto/http1. The input is the bytes a client sent before the server
 * answered. Checked on every input:
 *  - HTTP1_OK: consumed <= len and <= HTTP1_HEAD_MAX, the head ends with a blank line
 *    (LF LF or LF CR LF), status 200, a Content-Length was seen;
 *  - HTTP1_ERROR: a status this module documents and a reason; HTTP1_INCOMPLETE: len < 8 KiB;
 *  - statelessness: the verdict on the head alone equals the verdict on head + trailing bytes,
 *    and the head minus its last byte is INCOMPLETE;
 *  - host and path are NUL-terminated inside their arrays;
 *  - the response builders never write past cap (canary bytes), return 0 or a length <= cap,
 *    and what they write starts with the status line and ends the head properly;
 *  - http1_date agrees with gmtime_r.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static const struct http1_policy pol = {
    .paths = {"/IPHTTPS", "/IPTLS", "/a"},
    .npaths = 3,
    .identity_header = "X-Client-Identity",
};

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return h;
}

static bool known_error(int status)
{
	static const int st[] = {400, 404, 405, 411, 431, 501, 505};

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (st[i] == status)
			return true;
	return false;
}

static void check_strings(const struct http1_request *req)
{
	CHECK(memchr(req->host, '\0', sizeof(req->host)) != NULL);
	CHECK(memchr(req->path, '\0', sizeof(req->path)) != NULL);
	/* The balancer identity: terminated, and no control character but HTAB (RFC 9110 §5.5
	   field-value: VCHAR, obs-text, SP, HTAB). */
	CHECK(memchr(req->identity, '\0', sizeof(req->identity)) != NULL);
	for (const char *s = req->identity; *s; s++)
		CHECK(((unsigned char)*s >= 0x20 || *s == '\t') && *s != 0x7f);
	CHECK(req->identity_count > 0 || req->identity[0] == '\0');
}

static void check_ok(const uint8_t *data, size_t size, const struct http1_request *req)
{
	size_t c = req->consumed;

	CHECK(c <= size && c <= HTTP1_HEAD_MAX && c >= 2);
	CHECK(data[c - 1] == '\n');
	CHECK(data[c - 2] == '\n' || (c >= 3 && data[c - 2] == '\r' && data[c - 3] == '\n'));
	CHECK(req->status == 200 && req->reason == NULL && req->has_length);
	CHECK(req->version_minor == 0 || req->version_minor == 1);
	CHECK(req->path[0] != '\0');
}

/* The verdict cannot depend on bytes after the head, nor come before its last byte. */
static void check_stateless(const uint8_t *data, size_t size, enum http1_result r,
			    const struct http1_request *req)
{
	struct http1_request again;

	if (r == HTTP1_INCOMPLETE || req->consumed == 0)
		return;
	CHECK(http1_parse_request(&pol, data, req->consumed, &again) == r);
	CHECK(again.status == req->status && again.consumed == req->consumed);
	CHECK(again.length == req->length && again.has_length == req->has_length);
	CHECK(strcmp(again.host, req->host) == 0 && strcmp(again.path, req->path) == 0);
	CHECK(http1_parse_request(&pol, data, req->consumed - 1, &again) == HTTP1_INCOMPLETE);
	(void)size;
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return true;
	return false;
}

/* Builds into out[0..cap) with canaries after it; returns the length and checks the bounds. */
static void check_responses(const uint8_t *data, size_t size, int status, uint64_t h)
{
	static const char *const servers[] = {"Microsoft-HTTPAPI/2.0", "iphttps", ""};
	char out[1200], server[48];
	size_t cap = (size_t)(h % 700), n;
	time_t now = (time_t)(int64_t)(h * 0x9e3779b97f4a7c15u);

	if (h & 0x100) {
		size_t m = size < sizeof(server) - 1 ? size : sizeof(server) - 1;

		memcpy(server, data, m);
		server[m] = '\0';
	} else {
		strcpy(server, servers[(h >> 9) % 3]);
	}
	if (h & 0x200)
		now = (time_t)(h % 253402300800u);
	memset(out, 0x5a, sizeof(out));
	n = http1_response_ok(out, cap, server, now);
	CHECK(n <= cap);
	for (size_t i = cap; i < sizeof(out); i++)
		CHECK(out[i] == 0x5a);
	if (n) {
		CHECK(!has_ctl(server));
		CHECK(n > 21 && memcmp(out, "HTTP/1.1 200 OK\r\nServer: ", 25) == 0);
		CHECK(memcmp(out + n - 4, "\r\n\r\n", 4) == 0);
	}

	memset(out, 0x5a, sizeof(out));
	n = http1_response_error(out, cap, status, server, now);
	CHECK(n <= cap);
	for (size_t i = cap; i < sizeof(out); i++)
		CHECK(out[i] == 0x5a);
	if (n)
		CHECK(memcmp(out, "HTTP/1.1 ", 9) == 0 && !has_ctl(server));
	/* With room to spare, a documented status and a clean server always produce a response. */
	if (known_error(status) && !has_ctl(server) && strlen(server) < 40 && now >= 0 &&
	    now < 253402300800)
		CHECK(http1_response_error(out, sizeof(out), status, server, now) > 0);
}

static void check_date(uint64_t h)
{
	time_t t = (time_t)(int64_t)(h % 253402300800u) - (time_t)(h & 1 ? 62167219200 : 0);
	char out[HTTP1_DATE_LEN + 1], want[64];
	struct tm tm;

	if (t < -30610224000) /* before year 1000 strftime drops the leading zeros */
		return;
	CHECK(gmtime_r(&t, &tm) != NULL);
	strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	CHECK(http1_date(out, sizeof(out), t) == HTTP1_DATE_LEN);
	CHECK(strcmp(out, want) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http1_request req;
	enum http1_result r;
	uint64_t h = fnv1a(data, size);

	memset(&req, 0x77, sizeof(req));
	r = http1_parse_request(&pol, data, size, &req);
	check_strings(&req);
	switch (r) {
	case HTTP1_OK:
		check_ok(data, size, &req);
		break;
	case HTTP1_ERROR:
		CHECK(known_error(req.status) && req.reason && *req.reason);
		CHECK(req.consumed <= size && req.consumed <= HTTP1_HEAD_MAX);
		/* No complete head: either the 8 KiB limit, or a request line that can never be
		 * one. */
		CHECK(req.consumed > 0 || (req.status == 431 && size >= HTTP1_HEAD_MAX) ||
		      (req.status == 400 && (strstr(req.reason, "TLS handshake") ||
					     strstr(req.reason, "not printable"))));
		break;
	case HTTP1_INCOMPLETE:
		CHECK(size < HTTP1_HEAD_MAX && req.status == 0 && req.consumed == 0);
		break;
	default:
		abort();
	}
	check_stateless(data, size, r, &req);
	check_responses(data, size, r == HTTP1_ERROR ? req.status : (int)(h % 620), h);
	check_date(h);
	return 0;
}
