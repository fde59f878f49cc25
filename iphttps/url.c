/* SPDX-License-Identifier: ISC */
/*
 * url: RFC 3986 parsing of the server and proxy URLs, strictly enough that what reaches the
 * request line, the Host header, SNI and the resolver cannot carry spaces, control characters
 * or a second authority. Percent-decoding only in the proxy's user information (§3.2.1), the one
 * place where it changes what is sent (the Basic credentials).
 */
#include "iphttps/url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define URL_PROXY_PORT 1080 /* curl's default for a proxy without a port */

static uint16_t url_default_port(enum url_scheme s)
{
	return s == URL_HTTP ? 80 : 443;
}

/* Copies s[0..n) and a NUL into out[cap]; -1 when it does not fit. */
static int url_copy(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* RFC 3986 §3.2.2 reg-name restricted to what DNS names and IPv4 literals use. */
static bool url_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Port digits s[0..n): 1..65535. */
static int url_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "[v6]" at the start of s[0..n): fills u->host; returns the bytes used, or 0. */
static size_t url_host_v6(const char *s, size_t n, struct url *u)
{
	const char *close = memchr(s, ']', n);
	struct in6_addr a;

	if (!close || url_copy(u->host, sizeof(u->host), s + 1, (size_t)(close - s - 1)) == -1 ||
	    inet_pton(AF_INET6, u->host, &a) != 1)
		return 0;
	u->ip_literal = u->ipv6 = true;
	return (size_t)(close - s) + 1;
}

/* A name or IPv4 literal at the start of s[0..n): fills u->host; returns the bytes used, or 0. */
static size_t url_host_name(const char *s, size_t n, struct url *u)
{
	struct in_addr a;
	size_t i = 0;

	while (i < n && url_name_char(s[i]))
		i++;
	if (i == 0 || url_copy(u->host, sizeof(u->host), s, i) == -1)
		return 0;
	u->ip_literal = inet_pton(AF_INET, u->host, &a) == 1;
	return i;
}

/* host[:port] = s[0..n). */
static int url_hostport(const char *s, size_t n, uint16_t def_port, struct url *u, const char **why)
{
	size_t used = n > 0 && s[0] == '[' ? url_host_v6(s, n, u) : url_host_name(s, n, u);

	if (used == 0) {
		*why = n > 0 && s[0] == '[' ? "invalid IPv6 address in brackets"
					    : "missing or invalid host name";
		return -1;
	}
	u->port = def_port;
	if (used == n)
		return 0;
	if (s[used] != ':' || url_port(s + used + 1, n - used - 1, &u->port) == -1) {
		*why = s[used] == ':' ? "port must be a number from 1 to 65535"
				      : "invalid character after the host name";
		return -1;
	}
	return 0;
}

/* Skips "scheme://" when it is one of ours; sets u->scheme. Returns the length, or 0. */
static size_t url_scheme(const char *s, struct url *u)
{
	if (strncasecmp(s, "https://", 8) == 0) {
		u->scheme = URL_HTTPS;
		return 8;
	}
	if (strncasecmp(s, "http://", 7) == 0) {
		u->scheme = URL_HTTP;
		return 7;
	}
	return 0;
}

/* The path and query (RFC 3986 §3.3, §3.4): visible ASCII up to any fragment. */
static int url_path(const char *s, struct url *u, const char **why)
{
	size_t n = strcspn(s, "#"), off = 0;

	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) {
			*why = "the path may contain only visible ASCII characters (use %20 etc.)";
			return -1;
		}
	}
	if (n == 0 || s[0] != '/')
		u->path[off++] = '/'; /* "" or "?q": the path is "/" (RFC 9110 §4.2.3) */
	if (url_copy(u->path + off, sizeof(u->path) - off, s, n) == -1) {
		*why = "path too long";
		return -1;
	}
	return 0;
}

int url_parse(const char *s, struct url *u, const char **why)
{
	size_t off, alen;

	memset(u, 0, sizeof(*u));
	off = url_scheme(s, u);
	if (off == 0) {
		*why = "URL must start with https:// or http://";
		return -1;
	}
	alen = strcspn(s + off, "/?#");
	if (memchr(s + off, '@', alen)) {
		*why = "user information in the server URL is not supported";
		return -1;
	}
	if (url_hostport(s + off, alen, url_default_port(u->scheme), u, why) == -1)
		return -1;
	return url_path(s + off + alen, u, why);
}

static int url_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into out[cap]; refuses control characters, encoded or not. */
static int url_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi = i + 2 < n ? url_hex(s[i + 1]) : -1;
			int lo = i + 2 < n ? url_hex(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || o + 1 >= cap)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* "user[:pass]" = s[0..n). */
static int url_userinfo(const char *s, size_t n, struct url *u, const char **why)
{
	const char *colon = memchr(s, ':', n);
	size_t ulen = colon ? (size_t)(colon - s) : n;

	if (url_decode(s, ulen, u->user, sizeof(u->user)) == -1 ||
	    (colon && url_decode(colon + 1, n - ulen - 1, u->pass, sizeof(u->pass)) == -1)) {
		*why =
		    "invalid user name or password (bad % escape, control character or too long)";
		return -1;
	}
	/* RFC 7617 §2: a user-id containing a colon cannot be sent in Basic credentials. */
	if (u->user[0] == '\0' || strchr(u->user, ':')) {
		*why = "empty user name, or a user name with a colon";
		return -1;
	}
	u->has_cred = true;
	return 0;
}

int url_parse_proxy(const char *s, struct url *u, const char **why)
{
	size_t off, alen;
	const char *at;

	memset(u, 0, sizeof(*u));
	off = url_scheme(s, u);
	if (off > 0 && u->scheme == URL_HTTPS) {
		*why = "TLS to the proxy (https://) is not supported; use http://";
		return -1;
	}
	if (off == 0 && strstr(s, "://")) {
		*why = "only http:// proxies are supported";
		return -1;
	}
	u->scheme = URL_HTTP;
	alen = strcspn(s + off, "/?#");
	/* The last '@' ends the user information: a password may contain '@' unencoded. */
	at = memrchr(s + off, '@', alen);
	if (at) {
		if (url_userinfo(s + off, (size_t)(at - s - off), u, why) == -1)
			return -1;
		alen -= (size_t)(at + 1 - s - off);
		off = (size_t)(at + 1 - s);
	}
	if (url_hostport(s + off, alen, URL_PROXY_PORT, u, why) == -1)
		return -1;
	if (s[off + alen] != '\0' && strcmp(s + off + alen, "/") != 0) {
		*why = "a proxy URL has no path";
		return -1;
	}
	u->path[0] = '/';
	return 0;
}

size_t url_authority(const struct url *u, bool always_port, char *out, size_t cap)
{
	const char *lb = u->ipv6 ? "[" : "", *rb = u->ipv6 ? "]" : "";
	int n;

	if (always_port || u->port != url_default_port(u->scheme))
		n = snprintf(out, cap, "%s%s%s:%u", lb, u->host, rb, u->port);
	else
		n = snprintf(out, cap, "%s%s%s", lb, u->host, rb);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

size_t url_format(const struct url *u, char *out, size_t cap)
{
	char auth[URL_HOST_MAX + 16];
	int n;

	if (url_authority(u, false, auth, sizeof(auth)) == 0)
		return 0;
	n = snprintf(out, cap, "%s://%s%s%s%s", u->scheme == URL_HTTP ? "http" : "https",
		     u->has_cred ? u->user : "", u->has_cred ? "@" : "", auth, u->path);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

/* One no_proxy entry e[0..n) against host. */
static bool url_no_proxy_entry(const char *e, size_t n, const char *host)
{
	size_t hlen = strlen(host);

	if (n >= 2 && e[0] == '[' && e[n - 1] == ']') {
		e++;
		n -= 2;
	}
	while (n > 0 && e[0] == '.') {
		e++;
		n--;
	}
	if (n == 0)
		return false;
	if (n == 1 && e[0] == '*')
		return true;
	if (hlen == n)
		return strncasecmp(host, e, n) == 0;
	return hlen > n && host[hlen - n - 1] == '.' && strncasecmp(host + hlen - n, e, n) == 0;
}

bool url_no_proxy(const char *list, const char *host)
{
	const char *p = list;

	if (!list)
		return false;
	while (*p) {
		size_t n;

		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n > 0 && url_no_proxy_entry(p, n, host))
			return true;
		p += n;
	}
	return false;
}
