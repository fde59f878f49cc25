/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the client side of proto/http1. The input is what a server or proxy
 * sent; split at NUL bytes it is also the arguments of the request builders. Checked:
 *  - HTTP1_OK: consumed <= len and <= HTTP1_HEAD_MAX, the head starts with "HTTP/1." and ends
 *    with a blank line (LF LF or LF CR LF), status 100-999, why NULL;
 *  - HTTP1_ERROR: status 0 and a why; with no complete head, either the 8 KiB limit or the
 *    early refusal of a status line, which then holds for the shortest refused prefix too;
 *  - HTTP1_INCOMPLETE: len < 8 KiB, nothing set; every shorter prefix is INCOMPLETE as well;
 *  - statelessness: the head alone gives the same verdict and fields as head + stream, the head
 *    minus its last byte gives INCOMPLETE;
 *  - reason, server, proxy_auth are NUL-terminated inside their arrays;
 *  - the POST and CONNECT builders never write past cap (canaries), return 0 or <= cap, and
 *    what they write is CRLF-delimited lines without any other CR or LF; a POST they accept is
 *    a request the server's parser accepts whole;
 *  - base64 and Basic credentials never write past cap, give 4 * ceil(n / 3) characters of the
 *    alphabet, and decode back to the input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#define CANARY	0x5a
#define OUT_MAX 1400

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return h;
}

static void check_strings(const struct http1_response *r)
{
	CHECK(memchr(r->reason, '\0', sizeof(r->reason)) != NULL);
	CHECK(memchr(r->server, '\0', sizeof(r->server)) != NULL);
	CHECK(memchr(r->proxy_auth, '\0', sizeof(r->proxy_auth)) != NULL);
}

static bool same(const struct http1_response *a, const struct http1_response *b)
{
	return a->status == b->status && a->version_minor == b->version_minor &&
	       a->consumed == b->consumed && a->has_length == b->has_length &&
	       a->length == b->length && a->chunked == b->chunked && a->close == b->close &&
	       (a->why == b->why || (a->why && b->why && strcmp(a->why, b->why) == 0)) &&
	       strcmp(a->reason, b->reason) == 0 && strcmp(a->server, b->server) == 0 &&
	       strcmp(a->proxy_auth, b->proxy_auth) == 0;
}

static void check_ok(const uint8_t *data, size_t size, const struct http1_response *r)
{
	size_t c = r->consumed;

	CHECK(c <= size && c <= HTTP1_HEAD_MAX && c >= 14);
	CHECK(memcmp(data, "HTTP/1.", 7) == 0);
	CHECK(data[c - 1] == '\n');
	CHECK(data[c - 2] == '\n' || (data[c - 2] == '\r' && data[c - 3] == '\n'));
	CHECK(r->status >= 100 && r->status <= 999 && r->why == NULL);
	CHECK(r->version_minor >= 0 && r->version_minor <= 9);
	CHECK(!(r->has_length && r->chunked));
}

/* The smallest n at which data[0..n) is refused; the refusal is monotone, so bisect. */
static size_t first_refusal(const uint8_t *data, size_t size)
{
	struct http1_response r;
	size_t lo = 0, hi = size; /* data[0..lo) not refused, data[0..hi) refused */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (http1_parse_response(data, mid, &r) == HTTP1_ERROR)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static void check_response(const uint8_t *data, size_t size, uint64_t h)
{
	struct http1_response r, again;
	enum http1_result res;

	memset(&r, 0x77, sizeof(r));
	res = http1_parse_response(data, size, &r);
	check_strings(&r);
	switch (res) {
	case HTTP1_OK:
		check_ok(data, size, &r);
		break;
	case HTTP1_ERROR:
		CHECK(r.status == 0 && r.why && *r.why);
		CHECK(r.consumed <= size && r.consumed <= HTTP1_HEAD_MAX);
		if (r.consumed == 0 && !(size >= HTTP1_HEAD_MAX && strstr(r.why, "8 KiB"))) {
			size_t n = first_refusal(data, size);

			CHECK(n > 0 && n <= size);
			CHECK(http1_parse_response(data, n, &again) == HTTP1_ERROR);
			CHECK(again.consumed == 0 && strcmp(again.why, r.why) == 0);
		}
		break;
	case HTTP1_INCOMPLETE:
		CHECK(size < HTTP1_HEAD_MAX && r.status == 0 && r.consumed == 0 && !r.why);
		if (size > 0) {
			size_t cut = (size_t)(h % size);

			CHECK(http1_parse_response(data, size - 1, &again) == HTTP1_INCOMPLETE);
			CHECK(http1_parse_response(data, cut, &again) == HTTP1_INCOMPLETE);
		}
		break;
	default:
		abort();
	}
	if (r.consumed == 0)
		return;
	/* Once the head is complete the verdict is the head's, with or without the stream. */
	memset(&again, 0x33, sizeof(again));
	CHECK(http1_parse_response(data, r.consumed, &again) == res);
	CHECK(same(&r, &again));
	CHECK(http1_parse_response(data, r.consumed - 1, &again) == HTTP1_INCOMPLETE);
}

/* Up to four NUL-separated strings from the input; the rest are "". */
struct pieces {
	char buf[OUT_MAX];
	const char *s[4];
};

static void split(const uint8_t *data, size_t size, struct pieces *p)
{
	size_t n = size < sizeof(p->buf) - 1 ? size : sizeof(p->buf) - 1, k = 1;

	memcpy(p->buf, data, n);
	p->buf[n] = '\0';
	p->s[0] = p->buf;
	for (size_t i = 0; i < n && k < 4; i++)
		if (p->buf[i] == '\0')
			p->s[k++] = p->buf + i + 1;
	while (k < 4)
		p->s[k++] = "";
}

/* Lines end with CRLF, no other CR or LF, a blank line last; returns the number of lines. */
static size_t crlf_lines(const char *out, size_t n)
{
	size_t lines = 0;

	CHECK(n >= 4 && memcmp(out + n - 4, "\r\n\r\n", 4) == 0);
	for (size_t i = 0; i < n; i++) {
		CHECK(out[i] != '\0');
		if (out[i] == '\r') {
			CHECK(i + 1 < n && out[i + 1] == '\n');
			lines++;
		} else if (out[i] == '\n') {
			CHECK(i > 0 && out[i - 1] == '\r');
		}
	}
	return lines;
}

static void check_canary(const char *out, size_t cap)
{
	for (size_t i = cap; i < OUT_MAX; i++)
		CHECK((uint8_t)out[i] == CANARY);
}

/* A POST the builder accepts is one the server's parser takes whole, for its own path. */
static void check_post_roundtrip(const char *out, size_t n, const char *path)
{
	char want[OUT_MAX];
	struct http1_policy pol = {.paths = {want}, .npaths = 1};
	struct http1_request req;
	size_t plen = strcspn(path, "?");

	memcpy(want, path, plen);
	want[plen] = '\0';
	CHECK(http1_parse_request(&pol, (const uint8_t *)out, n, &req) == HTTP1_OK);
	CHECK(req.consumed == n && req.has_length && req.length == UINT64_MAX);
}

static void check_post(const char *path, const char *host, size_t cap)
{
	char out[OUT_MAX];
	size_t n;

	memset(out, CANARY, sizeof(out));
	n = http1_request_post(out, cap, path, host);
	CHECK(n <= cap);
	check_canary(out, cap);
	if (n == 0)
		return;
	CHECK(memcmp(out, "POST /", 6) == 0 && crlf_lines(out, n) == 4);
	check_post_roundtrip(out, n, path);
}

static void check_connect(const char *authority, const char *b64, size_t cap)
{
	char out[OUT_MAX];
	size_t n;

	memset(out, CANARY, sizeof(out));
	n = http1_request_connect(out, cap, authority, b64);
	CHECK(n <= cap);
	check_canary(out, cap);
	if (n == 0)
		return;
	CHECK(memcmp(out, "CONNECT ", 8) == 0 && crlf_lines(out, n) == (b64 ? 4u : 3u));
	CHECK(!memchr(authority, ' ', strlen(authority)) &&
	      !memchr(authority, '@', strlen(authority)));
}

static int b64_value(char c)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

/* Decodes padded base64 text of length n (a multiple of 4) into out; returns its length. */
static size_t b64_decode(const char *s, size_t n, uint8_t *out)
{
	size_t o = 0;

	CHECK(n % 4 == 0);
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		uint32_t q = 0;
		size_t pad = 0;

		for (size_t j = 0; j < 4; j++) {
			v[j] = b64_value(s[i + j]);
			if (s[i + j] == '=') {
				CHECK(i + 4 == n && j >= 2);
				pad++;
				v[j] = 0;
			} else {
				CHECK(v[j] >= 0 && pad == 0);
			}
			q = q << 6 | (uint32_t)v[j];
		}
		out[o++] = (uint8_t)(q >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(q >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)q;
	}
	return o;
}

static void check_base64(const uint8_t *data, size_t size, size_t cap)
{
	char out[OUT_MAX];
	uint8_t back[OUT_MAX];
	size_t in = size < 900 ? size : 900, want = (in + 2) / 3 * 4, n;

	memset(out, CANARY, sizeof(out));
	n = http1_base64(data, in, out, cap);
	check_canary(out, cap);
	CHECK(n == (cap > want ? want : 0));
	if (n == 0)
		return;
	CHECK(out[n] == '\0' && strlen(out) == n);
	CHECK(b64_decode(out, n, back) == in && memcmp(back, data, in) == 0);
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((uint8_t)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void check_credentials(const char *user, const char *pass, size_t cap)
{
	char out[OUT_MAX], joined[2 * OUT_MAX];
	uint8_t back[2 * OUT_MAX];
	size_t ul = strlen(user), pl = strlen(pass), want = (ul + 1 + pl + 2) / 3 * 4, n;
	bool valid = !strchr(user, ':') && !has_ctl(user) && !has_ctl(pass);

	memset(out, CANARY, sizeof(out));
	n = http1_basic_credentials(user, pass, out, cap);
	check_canary(out, cap);
	CHECK(n == (valid && cap > want ? want : 0));
	if (n == 0) {
		CHECK(cap == 0 || out[0] == '\0');
		return;
	}
	memcpy(joined, user, ul);
	joined[ul] = ':';
	memcpy(joined + ul + 1, pass, pl);
	CHECK(b64_decode(out, n, back) == ul + 1 + pl && memcmp(back, joined, ul + 1 + pl) == 0);
	/* Credentials are always a token68 the CONNECT builder takes. */
	check_connect("proxy.example:3128", out, OUT_MAX);
	if (n < 1000) {
		char req[OUT_MAX];

		CHECK(http1_request_connect(req, sizeof(req), "proxy.example:3128", out) > 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t h = fnv1a(data, size);
	size_t cap = (size_t)(h % OUT_MAX);
	struct pieces p;

	check_response(data, size, h);

	split(data, size, &p);
	check_post(p.s[0], p.s[1], cap);
	check_post(p.s[0], "da.example.com", OUT_MAX);
	check_post("/IPHTTPS", p.s[0], OUT_MAX);
	check_connect(p.s[0], (h & 1) ? p.s[1] : NULL, cap);
	check_connect(p.s[0], NULL, OUT_MAX);
	check_connect("h:443", p.s[0], OUT_MAX);
	check_base64(data, size, cap);
	check_credentials(p.s[2], p.s[3], cap);
	check_credentials(p.s[0], p.s[1], OUT_MAX);
	return 0;
}
