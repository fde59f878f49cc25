/* SPDX-License-Identifier: ISC */
/*
 * http1: the IP-HTTPS request-head parser and the response builders ([MS-IPHTTPS] §3.2.5.1,
 * RFC 9112, RFC 9110). See http1.h for the rules.
 *
 * It does: find the end of a request head within HTTP1_HEAD_MAX bytes, check the request line
 * and every field line strictly (RFC 9112 §2.2, §3, §5), parse Content-Length as an exact
 * uint64 (the IP-HTTPS client sends 2^64-1), decide 200/4xx/5xx, and write responses.
 * It does not: read or write sockets, keep state between calls, allocate, log, read the clock,
 * decode percent-escapes, or look at the body. Character classes are spelled out in ASCII so
 * the locale cannot change what is accepted.
 *
 * Order of the verdicts, so that a request gets the same answer however it was split:
 * end of head (431) -> request line (400, then 505) -> field lines in order (400, 431) ->
 * path (404) -> method (405) -> Content-Length present (411).
 */
#include "proto/http1.h"

#include <string.h>

#include "lib/buf.h"

/* A slice of the head: a line without its CRLF or bare LF (RFC 9112 §2.2), or part of one. */
struct http1_line {
	const uint8_t *p;
	size_t len;
};

/* The pieces of the request line (RFC 9112 §3) the decision needs. */
struct http1_rline {
	struct http1_line method;
	struct http1_line target;
	struct http1_line path; /* the target's path, query left out */
};

struct http1_status {
	int code;
	const char *reason;
};

/* Every status this module answers with; http1_response_error() refuses others. */
static const struct http1_status http1_statuses[] = {
    {200, "OK"},
    {400, "Bad Request"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {408, "Request Timeout"},
    {411, "Length Required"},
    {431, "Request Header Fields Too Large"},
    {501, "Not Implemented"},
    {503, "Service Unavailable"},
    {505, "HTTP Version Not Supported"},
};

/* ---- ASCII character classes (no <ctype.h>: it follows the locale) ---- */

static bool http1_is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool http1_is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static uint8_t http1_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c;
}

/* RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 * "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
static bool http1_is_tchar(uint8_t c)
{
	return http1_is_alpha(c) || http1_is_digit(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 9110 §5.6.3: OWS = *( SP / HTAB ) */
static bool http1_is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 §5.5: field-vchar = VCHAR / obs-text, with SP and HTAB inside; no CTL, no DEL. */
static bool http1_is_value_char(uint8_t c)
{
	return http1_is_ws(c) || (c >= 0x21 && c != 0x7f);
}

/* VCHAR (RFC 5234 App. B.1): what a request-target may hold (RFC 3986 §2 is narrower). */
static bool http1_is_vchar(uint8_t c)
{
	return c >= 0x21 && c <= 0x7e;
}

/* Case-insensitive comparison of wire bytes with a NUL-terminated ASCII string. */
static bool http1_ieq(const struct http1_line *l, const char *s)
{
	size_t n = strlen(s);

	if (l->len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (http1_lower(l->p[i]) != http1_lower((uint8_t)s[i]))
			return false;
	return true;
}

/* ---- cursor helpers on top of lib/buf.h ---- */

static bool http1_peek(const struct buf_cur *c, uint8_t *v)
{
	if (buf_left(c) < 1)
		return false;
	*v = *buf_pos(c);
	return true;
}

static struct http1_line http1_rest(const struct buf_cur *c)
{
	return (struct http1_line){.p = buf_pos(c), .len = buf_left(c)};
}

/* Takes the bytes before the next `stop` and steps over it; -1 (cursor unmoved) if none. */
static int http1_take_until(struct buf_cur *c, uint8_t stop, struct http1_line *out)
{
	const uint8_t *hit;

	if (buf_left(c) == 0)
		return -1;
	hit = memchr(buf_pos(c), stop, buf_left(c));
	if (!hit)
		return -1;
	out->p = buf_pos(c);
	out->len = (size_t)(hit - out->p);
	return buf_skip(c, out->len + 1);
}

/* RFC 9112 §2.2: a line ends at LF; a CR right before the LF belongs to the line end. */
static int http1_next_line(struct buf_cur *c, struct http1_line *l)
{
	if (http1_take_until(c, '\n', l) < 0)
		return -1;
	if (l->len > 0 && l->p[l->len - 1] == '\r')
		l->len--;
	return 0;
}

/* True if every byte of l satisfies pred; an empty slice passes. */
static bool http1_all(const struct http1_line *l, bool (*pred)(uint8_t))
{
	struct buf_cur c;
	uint8_t ch;

	buf_cur_init(&c, l->p, l->len);
	while (buf_get_u8(&c, &ch) == 0)
		if (!pred(ch))
			return false;
	return true;
}

static void http1_skip_ows(struct buf_cur *c)
{
	uint8_t ch;

	while (http1_peek(c, &ch) && http1_is_ws(ch))
		buf_skip(c, 1);
}

/* RFC 9110 §5.5: OWS around a field value is not part of it. */
static void http1_trim(struct http1_line *l)
{
	while (l->len > 0 && http1_is_ws(l->p[0])) {
		l->p++;
		l->len--;
	}
	while (l->len > 0 && http1_is_ws(l->p[l->len - 1]))
		l->len--;
}

static int http1_fail(struct http1_request *req, int status, const char *why)
{
	req->status = status;
	req->reason = why;
	return -1;
}

static void http1_copy(char *dst, size_t cap, const struct http1_line *l)
{
	size_t n = l->len < cap - 1 ? l->len : cap - 1;

	if (n)
		memcpy(dst, l->p, n);
	dst[n] = '\0';
}

/* ---- the head ---- */

/*
 * Finds the request line and the end of the head within buf[0..lim): empty lines before the
 * request line are skipped (RFC 9112 §2.2); the head ends with the first empty line after it.
 * *start is where the request line begins, *end is just past the blank line.
 */
static bool http1_find_head(const uint8_t *buf, size_t lim, size_t *start, size_t *end)
{
	struct buf_cur c;
	struct http1_line l;
	bool started = false;

	buf_cur_init(&c, buf, lim);
	while (http1_next_line(&c, &l) == 0) {
		if (l.len > 0 && !started) {
			*start = (size_t)(l.p - buf);
			started = true;
		} else if (l.len == 0 && started) {
			*end = c.off;
			return true;
		}
	}
	return false;
}

/*
 * RFC 9112 §3.2.1 origin-form "/path?query" or §3.2.2 absolute-form "http(s)://host/path?query"
 * (scheme case-insensitive, RFC 3986 §3.1); the path is what precedes '?', and an absolute-form
 * target without a path means "/" (RFC 9112 §3.3). Authority-form and asterisk-form have no
 * use for IP-HTTPS: -1.
 */
static int http1_target_path(const struct http1_line *t, struct http1_line *path)
{
	static const uint8_t root = '/';
	struct buf_cur c;
	struct http1_line scheme, rest;
	size_t auth = 0;
	const uint8_t *q;

	buf_cur_init(&c, t->p, t->len);
	if (t->p[0] != '/') {
		if (http1_take_until(&c, ':', &scheme) < 0 ||
		    (!http1_ieq(&scheme, "http") && !http1_ieq(&scheme, "https")))
			return -1;
		rest = http1_rest(&c);
		if (rest.len < 2 || memcmp(rest.p, "//", 2) != 0)
			return -1;
		buf_skip(&c, 2);
		rest = http1_rest(&c);
		while (auth < rest.len && rest.p[auth] != '/' && rest.p[auth] != '?')
			auth++;
		/* RFC 9110 §4.2.1: an http(s) URI with an empty host is invalid. */
		if (auth == 0 || buf_skip(&c, auth) < 0)
			return -1;
	}
	*path = http1_rest(&c);
	q = path->len ? memchr(path->p, '?', path->len) : NULL;
	if (q)
		path->len = (size_t)(q - path->p);
	if (path->len == 0)
		*path = (struct http1_line){.p = &root, .len = 1};
	return 0;
}

/* RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive. */
static int http1_version(struct buf_cur *c, struct http1_request *req)
{
	uint8_t v[8];

	if (buf_left(c) != sizeof(v) || buf_get_bytes(c, v, sizeof(v)) < 0 ||
	    memcmp(v, "HTTP/", 5) != 0 || !http1_is_digit(v[5]) || v[6] != '.' ||
	    !http1_is_digit(v[7]))
		return http1_fail(req, 400, "malformed HTTP version");
	if (v[5] != '1' || v[7] > '1')
		return http1_fail(req, 505, "HTTP version is not 1.0 or 1.1");
	req->version_minor = v[7] - '0';
	return 0;
}

/* RFC 9112 §3: request-line = method SP request-target SP HTTP-version, single spaces. */
static int http1_request_line(const struct http1_line *l, struct http1_rline *rl,
			      struct http1_request *req)
{
	struct buf_cur c;

	buf_cur_init(&c, l->p, l->len);
	if (http1_take_until(&c, ' ', &rl->method) < 0 ||
	    http1_take_until(&c, ' ', &rl->target) < 0)
		return http1_fail(req, 400, "malformed request line");
	if (rl->method.len == 0 || !http1_all(&rl->method, http1_is_tchar))
		return http1_fail(req, 400, "method is not a token");
	if (rl->target.len == 0 || !http1_all(&rl->target, http1_is_vchar))
		return http1_fail(req, 400, "malformed request target");
	if (http1_target_path(&rl->target, &rl->path) < 0)
		return http1_fail(req, 400, "request target neither origin- nor absolute-form");
	http1_copy(req->path, sizeof(req->path), &rl->path);
	return http1_version(&c, req);
}

/* 1*DIGIT as an exact uint64: 18446744073709551615 fits, one more overflows. */
static int http1_uint64(struct buf_cur *c, uint64_t *v, const char **why)
{
	uint8_t ch;
	size_t n = 0;

	*v = 0;
	while (http1_peek(c, &ch) && http1_is_digit(ch)) {
		if (*v > (UINT64_MAX - (uint64_t)(ch - '0')) / 10) {
			*why = "Content-Length overflows 64 bits";
			return -1;
		}
		*v = *v * 10 + (uint64_t)(ch - '0');
		buf_skip(c, 1);
		n++;
	}
	if (n == 0) {
		*why = "malformed Content-Length";
		return -1;
	}
	return 0;
}

/*
 * RFC 9110 §8.6: Content-Length = 1*DIGIT; a comma-separated list repeating one value may be
 * taken as that value, differing values are invalid. RFC 9112 §6.3 rule 5: invalid -> 400.
 */
static int http1_content_length(const struct http1_line *v, uint64_t *out, const char **why)
{
	struct buf_cur c;
	uint64_t x;
	uint8_t ch;
	bool any = false;

	buf_cur_init(&c, v->p, v->len);
	for (;;) {
		http1_skip_ows(&c);
		if (http1_uint64(&c, &x, why) < 0)
			return -1;
		if (any && x != *out) {
			*why = "differing Content-Length values";
			return -1;
		}
		*out = x;
		any = true;
		http1_skip_ows(&c);
		if (buf_get_u8(&c, &ch) < 0)
			return 0;
		if (ch != ',') {
			*why = "malformed Content-Length";
			return -1;
		}
	}
}

/* Acts on the fields IP-HTTPS cares about; every other field is ignored. */
static int http1_field_use(const struct http1_line *name, const struct http1_line *value,
			   struct http1_request *req, bool *seen_host)
{
	const char *why = NULL;
	uint64_t v = 0;

	if (http1_ieq(name, "content-length")) {
		if (http1_content_length(value, &v, &why) < 0)
			return http1_fail(req, 400, why);
		if (req->has_length && v != req->length)
			return http1_fail(req, 400, "differing Content-Length values");
		req->has_length = true;
		req->length = v;
	} else if (http1_ieq(name, "transfer-encoding")) {
		/* The body is raw IPv6 until close, never chunked ([MS-IPHTTPS] §3.1.5.2). */
		return http1_fail(req, 400, "Transfer-Encoding is not supported");
	} else if (http1_ieq(name, "host") && !*seen_host) {
		/* Informational only; bytes a log line should not carry become '?'. */
		*seen_host = true;
		http1_copy(req->host, sizeof(req->host), value);
		for (char *s = req->host; *s; s++)
			if (!http1_is_vchar((uint8_t)*s))
				*s = '?';
	}
	return 0;
}

/* RFC 9112 §5: field-line = field-name ":" OWS field-value OWS */
static int http1_field(const struct http1_line *l, struct http1_request *req, bool *seen_host)
{
	struct buf_cur c;
	struct http1_line name, value;
	uint8_t first = 0;

	buf_cur_init(&c, l->p, l->len);
	/* RFC 9112 §5.2 obs-fold, §2.2 whitespace after the start-line: rejected, never joined. */
	if (http1_peek(&c, &first) && http1_is_ws(first))
		return http1_fail(req, 400, "obs-fold or whitespace-preceded field line");
	if (http1_take_until(&c, ':', &name) < 0)
		return http1_fail(req, 400, "field line without a colon");
	/* RFC 9112 §5.1: no whitespace between field name and colon, MUST answer 400. */
	if (name.len > 0 && http1_is_ws(name.p[name.len - 1]))
		return http1_fail(req, 400, "whitespace before colon");
	if (name.len == 0 || !http1_all(&name, http1_is_tchar))
		return http1_fail(req, 400, "field name is not a token");
	value = http1_rest(&c);
	http1_trim(&value);
	if (!http1_all(&value, http1_is_value_char))
		return http1_fail(req, 400, "control character in field value");
	return http1_field_use(&name, &value, req, seen_host);
}

/* The field lines up to the blank line that ends the head. */
static int http1_fields(struct buf_cur *c, struct http1_request *req)
{
	struct http1_line l;
	size_t n = 0;
	bool seen_host = false;

	while (http1_next_line(c, &l) == 0 && l.len > 0) {
		if (++n > HTTP1_MAX_HEADERS)
			return http1_fail(req, 431, "too many header fields");
		if (http1_field(&l, req, &seen_host) < 0)
			return -1;
	}
	return 0;
}

static bool http1_path_known(const struct http1_policy *pol, const struct http1_line *path)
{
	size_t n;

	if (!pol)
		return false;
	n = pol->npaths < HTTP1_MAX_PATHS ? pol->npaths : HTTP1_MAX_PATHS;
	for (size_t i = 0; i < n; i++)
		if (pol->paths[i] && http1_ieq(path, pol->paths[i]))
			return true;
	return false;
}

/* [MS-IPHTTPS] §3.2.5.1: the configured path, then POST, then the endless Content-Length. */
static int http1_decide(const struct http1_policy *pol, const struct http1_rline *rl,
			struct http1_request *req)
{
	if (!http1_path_known(pol, &rl->path))
		return http1_fail(req, 404, "unknown path");
	/* RFC 9110 §9.1: the method token is case-sensitive. */
	if (rl->method.len != 4 || memcmp(rl->method.p, "POST", 4) != 0)
		return http1_fail(req, 405, "method is not POST");
	if (!req->has_length)
		return http1_fail(req, 411, "no Content-Length");
	req->status = 200;
	return 0;
}

/*
 * Whether buf[0..lim), a head complete or still arriving, can be a request at all: empty lines,
 * then a request line of printable ASCII and spaces (RFC 9112 §3: method token, target, version),
 * with CR only before LF. Anything else (a TLS ClientHello on the plain-HTTP port starts with 0x16,
 * RFC 8446 §5.1; binary junk) is refused at once instead of waiting for the head timeout.
 */
static bool http1_viable(const uint8_t *buf, size_t lim, const char **why)
{
	size_t i = 0;

	while (i < lim && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i < lim && buf[i] == 0x16) {
		*why = "a TLS handshake where plain HTTP was expected";
		return false;
	}
	for (; i < lim && buf[i] != '\n'; i++) {
		if (buf[i] == '\r' && (i + 1 == lim || buf[i + 1] == '\n'))
			continue;
		if (buf[i] < 0x20 || buf[i] > 0x7e) {
			*why = "request line is not printable ASCII";
			return false;
		}
	}
	return true;
}

enum http1_result http1_parse_request(const struct http1_policy *pol, const uint8_t *buf,
				      size_t len, struct http1_request *req)
{
	size_t lim = len < HTTP1_HEAD_MAX ? len : HTTP1_HEAD_MAX;
	size_t start = 0, end = 0;
	struct http1_rline rl;
	struct http1_line l;
	struct buf_cur c;

	const char *why = NULL;

	memset(req, 0, sizeof(*req));
	/* First, whole head or not, so the verdict never depends on how the bytes arrived. */
	if (!http1_viable(buf, lim, &why)) {
		http1_fail(req, 400, why);
		return HTTP1_ERROR;
	}
	if (len == 0 || !http1_find_head(buf, lim, &start, &end)) {
		if (len < HTTP1_HEAD_MAX)
			return HTTP1_INCOMPLETE;
		http1_fail(req, 431, "no end of request head within 8 KiB");
		return HTTP1_ERROR;
	}
	req->consumed = end;
	buf_cur_init(&c, buf + start, end - start);
	if (http1_next_line(&c, &l) < 0 || http1_request_line(&l, &rl, req) < 0 ||
	    http1_fields(&c, req) < 0 || http1_decide(pol, &rl, req) < 0)
		return HTTP1_ERROR;
	return HTTP1_OK;
}

/* ---- responses ---- */

const char *http1_reason(int status)
{
	for (size_t i = 0; i < sizeof(http1_statuses) / sizeof(http1_statuses[0]); i++)
		if (http1_statuses[i].code == status)
			return http1_statuses[i].reason;
	return "Error";
}

static void http1_put_str(struct buf_wr *w, const char *s)
{
	buf_put_bytes(w, s, strlen(s));
}

static void http1_put_uint(struct buf_wr *w, uint64_t v, size_t width)
{
	char d[20];
	size_t n = 0;

	do {
		d[sizeof(d) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(d));
	while (n < width && n < sizeof(d))
		d[sizeof(d) - ++n] = '0';
	buf_put_bytes(w, d + sizeof(d) - n, n);
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days). */
static void http1_civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* RFC 9110 §5.6.7: IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT */
size_t http1_date(char *out, size_t cap, time_t now)
{
	static const char wdays[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int64_t t = (int64_t)now, days = t / 86400, sod = t % 86400, y;
	unsigned m, d;
	struct buf_wr w;

	if (sod < 0) {
		sod += 86400;
		days--;
	}
	http1_civil(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return 0;
	buf_wr_init(&w, out, cap);
	buf_put_bytes(&w, wdays + 3 * (size_t)((days % 7 + 11) % 7), 3); /* 1970-01-01: Thu */
	http1_put_str(&w, ", ");
	http1_put_uint(&w, d, 2);
	buf_put_u8(&w, ' ');
	buf_put_bytes(&w, months + 3 * (m - 1), 3);
	buf_put_u8(&w, ' ');
	http1_put_uint(&w, (uint64_t)y, 4);
	buf_put_u8(&w, ' ');
	http1_put_uint(&w, (uint64_t)(sod / 3600), 2);
	buf_put_u8(&w, ':');
	http1_put_uint(&w, (uint64_t)(sod / 60 % 60), 2);
	buf_put_u8(&w, ':');
	http1_put_uint(&w, (uint64_t)(sod % 60), 2);
	http1_put_str(&w, " GMT");
	buf_put_u8(&w, '\0');
	return buf_wr_ok(&w) ? w.len - 1 : 0;
}

/* A configured Server value must not be able to split the head: no CR, LF or other CTL. */
static bool http1_server_ok(const char *server)
{
	if (!server)
		return false;
	for (const char *s = server; *s; s++)
		if (!http1_is_value_char((uint8_t)*s))
			return false;
	return true;
}

/* "Server: x\r\nDate: y\r\n", the two fields [MS-IPHTTPS] §3.2.5.1 asks for, in §4.1's order. */
static int http1_put_server_date(struct buf_wr *w, const char *server, time_t now)
{
	char date[HTTP1_DATE_LEN + 1];

	if (!http1_server_ok(server) || http1_date(date, sizeof(date), now) != HTTP1_DATE_LEN)
		return -1;
	http1_put_str(w, "Server: ");
	http1_put_str(w, server);
	http1_put_str(w, "\r\nDate: ");
	http1_put_str(w, date);
	http1_put_str(w, "\r\n");
	return 0;
}

size_t http1_response_ok(char *out, size_t cap, const char *server, time_t now)
{
	struct buf_wr w;

	buf_wr_init(&w, out, cap);
	http1_put_str(&w, "HTTP/1.1 200 OK\r\n");
	/* No Content-Length, Transfer-Encoding or Connection: the body is the endless IPv6 stream,
	 * delimited by the close (RFC 9112 §6.3 rule 8). */
	if (http1_put_server_date(&w, server, now) < 0)
		return 0;
	http1_put_str(&w, "\r\n");
	return buf_wr_ok(&w) ? w.len : 0;
}

static void http1_put_status(struct buf_wr *w, int status, const char *reason)
{
	http1_put_uint(w, (uint64_t)status, 3);
	buf_put_u8(w, ' ');
	http1_put_str(w, reason);
}

/* A small HTML page naming the status, like the stock pages of other servers. */
static size_t http1_error_body(char *out, size_t cap, int status, const char *reason)
{
	struct buf_wr w;

	buf_wr_init(&w, out, cap);
	http1_put_str(&w, "<!DOCTYPE html>\r\n<html><head><title>");
	http1_put_status(&w, status, reason);
	http1_put_str(&w, "</title></head>\r\n<body><h1>");
	http1_put_status(&w, status, reason);
	http1_put_str(&w, "</h1></body></html>\r\n");
	return buf_wr_ok(&w) ? w.len : 0;
}

size_t http1_response_error(char *out, size_t cap, int status, const char *server, time_t now)
{
	const char *reason = http1_reason(status);
	char body[256];
	size_t blen;
	struct buf_wr w;

	if (status < 400 || status > 599 || strcmp(reason, "Error") == 0)
		return 0;
	blen = http1_error_body(body, sizeof(body), status, reason);
	buf_wr_init(&w, out, cap);
	http1_put_str(&w, "HTTP/1.1 ");
	http1_put_status(&w, status, reason);
	http1_put_str(&w, "\r\nContent-Type: text/html; charset=us-ascii\r\n");
	if (blen == 0 || http1_put_server_date(&w, server, now) < 0)
		return 0;
	http1_put_str(&w, "Connection: close\r\n");
	/* RFC 9110 §15.5.6: a 405 response MUST carry Allow. */
	if (status == 405)
		http1_put_str(&w, "Allow: POST\r\n");
	http1_put_str(&w, "Content-Length: ");
	http1_put_uint(&w, blen, 1);
	http1_put_str(&w, "\r\n\r\n");
	buf_put_bytes(&w, body, blen);
	return buf_wr_ok(&w) ? w.len : 0;
}
