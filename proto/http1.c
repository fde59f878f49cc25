/* SPDX-License-Identifier: ISC */
/*
 * http1: the IP-HTTPS request-head parser and the response builders ([MS-IPHTTPS] §3.2.5.1,
 * RFC 9112, RFC 9110). See http1.h for the rules.
 *
 * It does: find the end of a request head within HTTP1_HEAD_MAX bytes, check the request line
 * and every field line strictly (RFC 9112 §2.2, §3, §5), parse Content-Length as an exact
 * uint64 (the IP-HTTPS client sends 2^64-1), decide 200/4xx/5xx, and write responses.
 * For the client it writes the POST and CONNECT requests (checking every argument that could
 * split the head), Basic credentials (RFC 7617), and parses the server's or a proxy's response
 * head with the same line and field rules (RFC 9112 §4), refusing a non-HTTP peer at its first
 * impossible byte.
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
    {403, "Forbidden"},
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
static int http1_field_use(const struct http1_policy *pol, const struct http1_line *name,
			   const struct http1_line *value, struct http1_request *req,
			   bool *seen_host)
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
	} else if (pol && pol->identity_header && http1_ieq(name, pol->identity_header)) {
		/* A balancer's identity: counted, so the caller can refuse a repeated one (a
		   client-supplied copy the balancer failed to strip); truncation is flagged, never
		   silently shortened into another name. */
		if (req->identity_count++ == 0) {
			http1_copy(req->identity, sizeof(req->identity), value);
			req->identity_truncated = value->len >= sizeof(req->identity);
		}
	}
	return 0;
}

/*
 * RFC 9112 §5: field-line = field-name ":" OWS field-value OWS. Splits and checks one line for
 * requests and responses alike; -1 with *why on a malformed line.
 */
static int http1_field_split(const struct http1_line *l, struct http1_line *name,
			     struct http1_line *value, const char **why)
{
	struct buf_cur c;
	uint8_t first = 0;

	buf_cur_init(&c, l->p, l->len);
	/* RFC 9112 §5.2 obs-fold, §2.2 whitespace after the start-line: rejected, never joined. */
	if (http1_peek(&c, &first) && http1_is_ws(first))
		*why = "obs-fold or whitespace-preceded field line";
	else if (http1_take_until(&c, ':', name) < 0)
		*why = "field line without a colon";
	/* RFC 9112 §5.1: no whitespace between field name and colon, MUST answer 400. */
	else if (name->len > 0 && http1_is_ws(name->p[name->len - 1]))
		*why = "whitespace before colon";
	else if (name->len == 0 || !http1_all(name, http1_is_tchar))
		*why = "field name is not a token";
	else
		*why = NULL;
	if (*why)
		return -1;
	*value = http1_rest(&c);
	http1_trim(value);
	if (!http1_all(value, http1_is_value_char)) {
		*why = "control character in field value";
		return -1;
	}
	return 0;
}

static int http1_field(const struct http1_policy *pol, const struct http1_line *l,
		       struct http1_request *req, bool *seen_host)
{
	struct http1_line name, value;
	const char *why = NULL;

	if (http1_field_split(l, &name, &value, &why) < 0)
		return http1_fail(req, 400, why);
	return http1_field_use(pol, &name, &value, req, seen_host);
}

/* The field lines up to the blank line that ends the head. */
static int http1_fields(const struct http1_policy *pol, struct buf_cur *c,
			struct http1_request *req)
{
	struct http1_line l;
	size_t n = 0;
	bool seen_host = false;

	while (http1_next_line(c, &l) == 0 && l.len > 0) {
		if (++n > HTTP1_MAX_HEADERS)
			return http1_fail(req, 431, "too many header fields");
		if (http1_field(pol, &l, req, &seen_host) < 0)
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
	    http1_fields(pol, &c, req) < 0 || http1_decide(pol, &rl, req) < 0)
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

/* ---- the client side: requests ---- */

/* What every IP-HTTPS client sends: 2^64-1, the body that never ends ([MS-IPHTTPS] §3.1.5.2). */
#define HTTP1_ENDLESS_LENGTH "18446744073709551615"

/* RFC 3986 §3.2.2 reg-name = *( unreserved / pct-encoded / sub-delims ); IPv4 fits in it. */
static bool http1_is_regname_char(uint8_t c)
{
	return http1_is_alpha(c) || http1_is_digit(c) || (c != 0 && strchr("-._~%!$&'()*+,;=", c));
}

/* Inside "[...]": IPv6address, IPvFuture or an RFC 6874 zone ID; never ']', '/', '@' or SP. */
static bool http1_is_literal_char(uint8_t c)
{
	return c == ':' || http1_is_regname_char(c);
}

/* RFC 3986 §3.2.3 port, restricted to what can be connected to: 1-65535. */
static bool http1_port_ok(const struct http1_line *p)
{
	uint32_t v = 0;

	if (p->len == 0 || p->len > 5 || !http1_all(p, http1_is_digit))
		return false;
	for (size_t i = 0; i < p->len; i++)
		v = v * 10 + (uint32_t)(p->p[i] - '0');
	return v >= 1 && v <= 65535;
}

/*
 * uri-host [":" port] (RFC 9110 §7.2 Host, RFC 9112 §3.2.3 authority-form, RFC 3986 §3.2.2):
 * a host made only of these characters cannot split the head or smuggle a userinfo or path.
 */
static bool http1_authority_ok(const char *s, bool need_port)
{
	struct http1_line host, inner, port = {0};
	const uint8_t *cut;
	size_t n;

	if (!s || !*s)
		return false;
	n = strlen(s);
	host = (struct http1_line){.p = (const uint8_t *)s, .len = n};
	if (s[0] == '[') {
		cut = memchr(host.p, ']', n);
		if (!cut)
			return false;
		host.len = (size_t)(cut - host.p) + 1;
		inner = (struct http1_line){.p = host.p + 1, .len = host.len - 2};
		if (inner.len == 0 || !http1_all(&inner, http1_is_literal_char))
			return false;
	} else {
		cut = memchr(host.p, ':', n);
		host.len = cut ? (size_t)(cut - host.p) : n;
		if (host.len == 0 || !http1_all(&host, http1_is_regname_char))
			return false;
	}
	if (host.len == n)
		return !need_port;
	if (s[host.len] != ':')
		return false;
	port = (struct http1_line){.p = host.p + host.len + 1, .len = n - host.len - 1};
	return http1_port_ok(&port);
}

/* RFC 9112 §3.2.1 origin-form: absolute-path [ "?" query ], VCHAR only, no fragment. */
static bool http1_is_target_char(uint8_t c)
{
	return http1_is_vchar(c) && c != '#';
}

static bool http1_path_ok(const char *s)
{
	struct http1_line l;

	if (!s || s[0] != '/')
		return false;
	l = (struct http1_line){.p = (const uint8_t *)s, .len = strlen(s)};
	return http1_all(&l, http1_is_target_char);
}

/* RFC 9110 §11.2: token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static bool http1_token68_ok(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	while (http1_is_alpha((uint8_t)s[n]) || http1_is_digit((uint8_t)s[n]) ||
	       (s[n] != '\0' && strchr("-._~+/", s[n])))
		n++;
	if (n == 0)
		return false;
	while (s[n] == '=')
		n++;
	return s[n] == '\0';
}

size_t http1_request_post(char *out, size_t cap, const char *path, const char *host)
{
	struct buf_wr w;

	if (!http1_path_ok(path) || !http1_authority_ok(host, false))
		return 0;
	buf_wr_init(&w, out, cap);
	http1_put_str(&w, "POST ");
	http1_put_str(&w, path);
	http1_put_str(&w, " HTTP/1.1\r\nHost: ");
	http1_put_str(&w, host);
	http1_put_str(&w, "\r\nContent-Length: " HTTP1_ENDLESS_LENGTH "\r\n\r\n");
	return buf_wr_ok(&w) ? w.len : 0;
}

size_t http1_request_connect(char *out, size_t cap, const char *authority, const char *basic_b64)
{
	struct buf_wr w;

	if (!http1_authority_ok(authority, true) || (basic_b64 && !http1_token68_ok(basic_b64)))
		return 0;
	buf_wr_init(&w, out, cap);
	/* RFC 9110 §9.3.6: the target is authority-form and Host repeats it (RFC 9112 §3.2.3). */
	http1_put_str(&w, "CONNECT ");
	http1_put_str(&w, authority);
	http1_put_str(&w, " HTTP/1.1\r\nHost: ");
	http1_put_str(&w, authority);
	http1_put_str(&w, "\r\n");
	if (basic_b64) {
		http1_put_str(&w, "Proxy-Authorization: Basic ");
		http1_put_str(&w, basic_b64);
		http1_put_str(&w, "\r\n");
	}
	http1_put_str(&w, "\r\n");
	return buf_wr_ok(&w) ? w.len : 0;
}

/* ---- base64 (RFC 4648 §4) and Basic credentials (RFC 7617 §2) ---- */

struct http1_b64 {
	struct buf_wr w;
	uint8_t in[3];
	size_t n;
};

/* Encodes the 1-3 pending bytes as one quantum of four characters, '='-padded (§4). */
static void http1_b64_flush(struct http1_b64 *e)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t v;
	char q[4];

	if (e->n == 0)
		return;
	memset(e->in + e->n, 0, sizeof(e->in) - e->n);
	v = (uint32_t)e->in[0] << 16 | (uint32_t)e->in[1] << 8 | e->in[2];
	for (size_t i = 0; i < sizeof(q); i++)
		q[i] = i <= e->n ? alphabet[(v >> (18 - 6 * i)) & 0x3f] : '=';
	buf_put_bytes(&e->w, q, sizeof(q));
	e->n = 0;
}

static void http1_b64_put(struct http1_b64 *e, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		e->in[e->n++] = b[i];
		if (e->n == sizeof(e->in))
			http1_b64_flush(e);
	}
}

/* Pads, NUL-terminates, and returns the text length or 0 (out[0] = NUL if there is room). */
static size_t http1_b64_end(struct http1_b64 *e)
{
	http1_b64_flush(e);
	buf_put_u8(&e->w, '\0');
	if (buf_wr_ok(&e->w))
		return e->w.len - 1;
	if (e->w.cap > 0)
		e->w.p[0] = '\0';
	return 0;
}

size_t http1_base64(const uint8_t *in, size_t n, char *out, size_t cap)
{
	struct http1_b64 e = {.n = 0};

	buf_wr_init(&e.w, out, cap);
	http1_b64_put(&e, in, n);
	return http1_b64_end(&e);
}

/* RFC 7617 §2: neither user-id nor password may hold a CTL (RFC 5234 App. B.1). */
static bool http1_has_ctl(const char *s)
{
	for (; *s; s++)
		if ((uint8_t)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

size_t http1_basic_credentials(const char *user, const char *pass, char *out, size_t cap)
{
	struct http1_b64 e = {.n = 0};

	buf_wr_init(&e.w, out, cap);
	/* RFC 7617 §2: a user-id containing a colon cannot be encoded; an empty one can. */
	if (!user || !pass || strchr(user, ':') || http1_has_ctl(user) || http1_has_ctl(pass)) {
		if (cap > 0)
			out[0] = '\0';
		return 0;
	}
	http1_b64_put(&e, user, strlen(user));
	http1_b64_put(&e, ":", 1);
	http1_b64_put(&e, pass, strlen(pass));
	return http1_b64_end(&e);
}

/* ---- the client side: the response head ---- */

/* Which fields have been seen while reading a response head. */
struct http1_resp_seen {
	bool server;
	bool proxy_auth;
	bool te;
};

static int http1_resp_fail(struct http1_response *resp, const char *why)
{
	resp->why = why;
	return -1;
}

/* Copies l for logs, truncated; bytes other than SP and VCHAR become '?'. */
static void http1_copy_print(char *dst, size_t cap, const struct http1_line *l)
{
	http1_copy(dst, cap, l);
	for (char *s = dst; *s; s++)
		if ((uint8_t)*s < 0x20 || (uint8_t)*s > 0x7e)
			*s = '?';
}

/*
 * What byte i of a status line may be (RFC 9112 §4, §2.3): "HTTP/1." DIGIT SP 3DIGIT SP reason,
 * reason = *( HTAB / SP / VCHAR / obs-text ). NULL if it fits, else why it cannot.
 */
static const char *http1_status_byte(size_t i, uint8_t c)
{
	static const char lead[] = "HTTP/1.";

	/* RFC 8446 §5.1: a TLS record starts with its content type, 20-23. */
	if (i == 0 && c >= 0x14 && c <= 0x17)
		return "a TLS record where plain HTTP was expected";
	if (i < 5)
		return c == (uint8_t)lead[i] ? NULL : "not an HTTP response";
	if (i < 7)
		return c == (uint8_t)lead[i] ? NULL : "HTTP version is not 1.x";
	if (i == 7)
		return http1_is_digit(c) ? NULL : "malformed HTTP version";
	if (i == 8 || i == 12)
		return c == ' ' ? NULL : "malformed status line";
	/* RFC 9110 §15: 3DIGIT; below 100 is no status at all. */
	if (i == 9)
		return c >= '1' && c <= '9' ? NULL : "malformed status code";
	if (i < 12)
		return http1_is_digit(c) ? NULL : "malformed status code";
	return http1_is_value_char(c) ? NULL : "control character in reason phrase";
}

/*
 * Whether buf[0..lim), complete or still arriving, can start a response: its first line so far
 * must be a prefix of a status line, with CR only before LF. Adding bytes never makes a refused
 * buffer acceptable, so the verdict does not depend on how the bytes were split. The line may
 * end right after the status code (empty reason without its SP); a line end before it is a byte
 * the status line cannot hold there.
 */
static bool http1_resp_viable(const uint8_t *buf, size_t lim, const char **why)
{
	for (size_t i = 0; i < lim; i++) {
		uint8_t c = buf[i];

		if (i >= 12 && (c == '\n' || (c == '\r' && (i + 1 == lim || buf[i + 1] == '\n'))))
			return true;
		*why = http1_status_byte(i, c);
		if (*why)
			return false;
	}
	return true;
}

/* The values of a status line http1_resp_viable() has accepted. Returns the status code. */
static int http1_status_line(const struct http1_line *l, struct http1_response *resp)
{
	struct buf_cur c;
	struct http1_line reason;
	uint8_t minor = '0', code[3] = {'0', '0', '0'};

	buf_cur_init(&c, l->p, l->len);
	if (buf_skip(&c, 7) < 0 || buf_get_u8(&c, &minor) < 0 || buf_skip(&c, 1) < 0 ||
	    buf_get_bytes(&c, code, sizeof(code)) < 0)
		return 0;
	buf_skip(&c, 1); /* the SP before the reason, if any */
	reason = http1_rest(&c);
	http1_copy_print(resp->reason, sizeof(resp->reason), &reason);
	resp->version_minor = minor - '0';
	return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
}

/*
 * Takes the next element of a #list (RFC 9110 §5.6.1): up to a comma outside a quoted-string
 * (§5.6.4), OWS trimmed; empty elements are skipped as recipients must. -1 when none is left.
 */
static int http1_list_next(struct buf_cur *c, struct http1_line *el)
{
	bool quoted = false, esc = false;
	uint8_t ch;

	while (buf_left(c) > 0) {
		*el = (struct http1_line){.p = buf_pos(c), .len = 0};
		while (buf_get_u8(c, &ch) == 0 && (quoted || ch != ',')) {
			el->len++;
			if (esc)
				esc = false;
			else if (quoted && ch == '\\')
				esc = true;
			else if (ch == '"')
				quoted = !quoted;
		}
		http1_trim(el);
		if (el->len > 0)
			return 0;
	}
	return -1;
}

/* The leading token of l: a transfer-coding's name, a challenge's auth-scheme. */
static struct http1_line http1_token_prefix(const struct http1_line *l)
{
	struct http1_line t = {.p = l->p, .len = 0};

	while (t.len < l->len && http1_is_tchar(l->p[t.len]))
		t.len++;
	return t;
}

/* RFC 9112 §6.3 rule 4: what matters is whether chunked is the final coding. */
static void http1_resp_te(const struct http1_line *value, struct http1_response *resp)
{
	struct buf_cur c;
	struct http1_line el, name;
	bool any = false, chunked = false;

	buf_cur_init(&c, value->p, value->len);
	while (http1_list_next(&c, &el) == 0) {
		name = http1_token_prefix(&el);
		chunked = http1_ieq(&name, "chunked");
		any = true;
	}
	if (any)
		resp->chunked = chunked;
}

/* RFC 9112 §9.6: the "close" connection option. */
static void http1_resp_connection(const struct http1_line *value, struct http1_response *resp)
{
	struct buf_cur c;
	struct http1_line el;

	buf_cur_init(&c, value->p, value->len);
	while (http1_list_next(&c, &el) == 0)
		if (http1_ieq(&el, "close"))
			resp->close = true;
}

/*
 * RFC 9110 §11.6.1 Proxy-Authenticate = #challenge, challenge = auth-scheme [ 1*SP ... ]: the
 * scheme of the first challenge of the first field that has one. A first challenge whose
 * scheme is not a token followed by SP or the end leaves proxy_auth empty.
 */
static void http1_resp_proxy_auth(const struct http1_line *value, struct http1_response *resp,
				  struct http1_resp_seen *seen)
{
	struct buf_cur c;
	struct http1_line el, scheme;

	buf_cur_init(&c, value->p, value->len);
	if (http1_list_next(&c, &el) < 0)
		return;
	seen->proxy_auth = true;
	scheme = http1_token_prefix(&el);
	if (scheme.len > 0 && (scheme.len == el.len || el.p[scheme.len] == ' '))
		http1_copy(resp->proxy_auth, sizeof(resp->proxy_auth), &scheme);
}

/* Acts on the fields the client cares about; every other field is ignored. */
static int http1_resp_field_use(const struct http1_line *name, const struct http1_line *value,
				struct http1_response *resp, struct http1_resp_seen *seen)
{
	const char *why = NULL;
	uint64_t v = 0;

	if (http1_ieq(name, "content-length")) {
		if (http1_content_length(value, &v, &why) < 0)
			return http1_resp_fail(resp, why);
		if (resp->has_length && v != resp->length)
			return http1_resp_fail(resp, "differing Content-Length values");
		resp->has_length = true;
		resp->length = v;
	} else if (http1_ieq(name, "transfer-encoding")) {
		seen->te = true;
		http1_resp_te(value, resp);
	} else if (http1_ieq(name, "connection")) {
		http1_resp_connection(value, resp);
	} else if (http1_ieq(name, "server") && !seen->server) {
		seen->server = true;
		http1_copy_print(resp->server, sizeof(resp->server), value);
	} else if (http1_ieq(name, "proxy-authenticate") && !seen->proxy_auth) {
		http1_resp_proxy_auth(value, resp, seen);
	}
	return 0;
}

/* The field lines up to the blank line that ends the head. */
static int http1_resp_fields(struct buf_cur *c, struct http1_response *resp)
{
	struct http1_resp_seen seen = {.server = false};
	struct http1_line l, name, value;
	const char *why = NULL;
	size_t n = 0;

	while (http1_next_line(c, &l) == 0 && l.len > 0) {
		if (++n > HTTP1_MAX_HEADERS)
			return http1_resp_fail(resp, "too many header fields");
		if (http1_field_split(&l, &name, &value, &why) < 0)
			return http1_resp_fail(resp, why);
		if (http1_resp_field_use(&name, &value, resp, &seen) < 0)
			return -1;
	}
	/* RFC 9112 §6.3 rule 3: "ought to be handled as an error" (smuggling, splitting). */
	if (seen.te && resp->has_length)
		return http1_resp_fail(resp, "both Transfer-Encoding and Content-Length");
	return 0;
}

enum http1_result http1_parse_response(const uint8_t *buf, size_t len, struct http1_response *resp)
{
	size_t lim = len < HTTP1_HEAD_MAX ? len : HTTP1_HEAD_MAX;
	size_t start = 0, end = 0;
	struct http1_line l;
	struct buf_cur c;
	const char *why = NULL;
	int status;

	memset(resp, 0, sizeof(*resp));
	/* First, whole head or not, so the verdict never depends on how the bytes arrived. */
	if (!http1_resp_viable(buf, lim, &why)) {
		http1_resp_fail(resp, why);
		return HTTP1_ERROR;
	}
	if (len == 0 || !http1_find_head(buf, lim, &start, &end)) {
		if (len < HTTP1_HEAD_MAX)
			return HTTP1_INCOMPLETE;
		http1_resp_fail(resp, "no end of response head within 8 KiB");
		return HTTP1_ERROR;
	}
	/* The first byte is 'H' (viable), so the head starts at 0 and its first line is the
	 * status line already checked. */
	resp->consumed = end;
	buf_cur_init(&c, buf + start, end - start);
	if (http1_next_line(&c, &l) < 0 || (status = http1_status_line(&l, resp)) == 0) {
		http1_resp_fail(resp, "malformed status line");
		return HTTP1_ERROR;
	}
	if (http1_resp_fields(&c, resp) < 0)
		return HTTP1_ERROR;
	resp->status = status;
	return HTTP1_OK;
}
