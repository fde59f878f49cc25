/* SPDX-License-Identifier: ISC */
/*
 * addr: numeric socket-address and IPv6-prefix parsing and formatting. No resolver, no locale
 * (digits are checked by hand, never with isdigit or strtol), no allocation.
 */
#include "lib/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const char *addr_strerror(int err)
{
	switch (err) {
	case 0:
		return "no error";
	case ADDR_ESYNTAX:
		return "not a numeric IPv4 or IPv6 address";
	case ADDR_ESTAR:
		return "'*' is not an address: write 0.0.0.0 or [::]";
	case ADDR_EBRACKETS:
		return "an IPv6 address must be written in brackets, as in [2001:db8::1]:443";
	case ADDR_EPORT:
		return "the port must be a number from 1 to 65535";
	case ADDR_ENOPORT:
		return "a port is required, as in 192.0.2.1:80";
	case ADDR_ENOPLEN:
		return "a prefix needs a length, as in 2001:db8::/48";
	case ADDR_EPLEN:
		return "the prefix length must be a number from 0 to 128";
	case ADDR_EHOSTBITS:
		return "bits are set past the prefix length";
	case ADDR_EPLEN4:
		return "the IPv4 prefix length must be a number from 0 to 32";
	default:
		return "unknown address error";
	}
}

static bool addr_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* A decimal number of 1..maxdigits digits, no sign, no space, at most max. */
static int addr_decimal(const char *s, size_t n, size_t maxdigits, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (n == 0 || n > maxdigits)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!addr_is_digit(s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static int addr_parse_port(const char *s, uint16_t *port)
{
	unsigned v;

	if (addr_decimal(s, strlen(s), 5, 65535, &v) < 0 || v == 0)
		return ADDR_EPORT;
	*port = (uint16_t)v;
	return 0;
}

/* Copies s[0..n) into buf as a C string; fails when it does not fit. */
static int addr_copy(char *buf, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

static void addr_fill4(struct sockaddr_storage *ss, socklen_t *len, const struct in_addr *a,
		       uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr = *a;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &sin, sizeof(sin));
	*len = sizeof(sin);
}

static void addr_fill6(struct sockaddr_storage *ss, socklen_t *len, const struct in6_addr *a,
		       uint16_t port)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	sin6.sin6_addr = *a;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &sin6, sizeof(sin6));
	*len = sizeof(sin6);
}

/* The text after the address: nothing (default port) or ":PORT". */
static int addr_parse_tail(const char *tail, uint16_t default_port, uint16_t *port)
{
	if (*tail == '\0') {
		if (default_port == 0)
			return ADDR_ENOPORT;
		*port = default_port;
		return 0;
	}
	if (*tail != ':')
		return ADDR_ESYNTAX;
	return addr_parse_port(tail + 1, port);
}

static int addr_parse_bracketed(const char *s, uint16_t default_port, struct sockaddr_storage *ss,
				socklen_t *len)
{
	const char *close = strchr(s, ']');
	char host[INET6_ADDRSTRLEN];
	struct in6_addr a;
	uint16_t port;
	int rc;

	if (close == NULL || addr_copy(host, sizeof(host), s + 1, (size_t)(close - s - 1)) < 0)
		return ADDR_ESYNTAX;
	if (inet_pton(AF_INET6, host, &a) != 1)
		return ADDR_ESYNTAX;
	if ((rc = addr_parse_tail(close + 1, default_port, &port)) < 0)
		return rc;
	addr_fill6(ss, len, &a, port);
	return 0;
}

static int addr_parse_v4(const char *s, uint16_t default_port, struct sockaddr_storage *ss,
			 socklen_t *len)
{
	const char *colon = strchr(s, ':');
	size_t hostlen = colon ? (size_t)(colon - s) : strlen(s);
	char host[INET_ADDRSTRLEN];
	struct in_addr a;
	uint16_t port;
	int rc;

	if (addr_copy(host, sizeof(host), s, hostlen) < 0 || inet_pton(AF_INET, host, &a) != 1)
		return ADDR_ESYNTAX;
	if ((rc = addr_parse_tail(s + hostlen, default_port, &port)) < 0)
		return rc;
	addr_fill4(ss, len, &a, port);
	return 0;
}

/* An IPv6 address, possibly followed by ":PORT" (the mistake ADDR_EBRACKETS names). */
static bool addr_looks_ipv6(const char *s)
{
	const char *last = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN];
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) == 1)
		return true;
	return addr_copy(host, sizeof(host), s, (size_t)(last - s)) == 0 &&
	       inet_pton(AF_INET6, host, &a) == 1;
}

int addr_parse_sockaddr(const char *s, uint16_t default_port, struct sockaddr_storage *ss,
			socklen_t *len)
{
	const char *colon = strchr(s, ':');

	if (s[0] == '[')
		return addr_parse_bracketed(s, default_port, ss, len);
	if (s[0] == '*')
		return ADDR_ESTAR;
	/* Two colons can only be IPv6; "::1:443" would be ambiguous without brackets. */
	if (colon != NULL && strchr(colon + 1, ':') != NULL)
		return addr_looks_ipv6(s) ? ADDR_EBRACKETS : ADDR_ESYNTAX;
	return addr_parse_v4(s, default_port, ss, len);
}

void addr_prefix6_mask(struct in6_addr *p, uint8_t plen)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = i * 8;

		if (plen >= bits + 8)
			continue;
		if (plen <= bits)
			p->s6_addr[i] = 0;
		else
			p->s6_addr[i] &= (uint8_t)(0xff00u >> (plen - bits));
	}
}

bool addr_prefix6_contains(const struct in6_addr *prefix, uint8_t plen, const struct in6_addr *a)
{
	struct in6_addr m = *a, p = *prefix;

	if (plen > 128)
		return false;
	addr_prefix6_mask(&m, plen);
	addr_prefix6_mask(&p, plen);
	return memcmp(&m, &p, sizeof(m)) == 0;
}

int addr_parse_prefix6(const char *s, struct in6_addr *p, uint8_t *plen)
{
	const char *slash = strchr(s, '/');
	char host[INET6_ADDRSTRLEN];
	struct in6_addr masked;
	unsigned v;

	if (slash == NULL) {
		struct in6_addr tmp;

		return inet_pton(AF_INET6, s, &tmp) == 1 ? ADDR_ENOPLEN : ADDR_ESYNTAX;
	}
	if (addr_copy(host, sizeof(host), s, (size_t)(slash - s)) < 0 ||
	    inet_pton(AF_INET6, host, p) != 1)
		return ADDR_ESYNTAX;
	if (addr_decimal(slash + 1, strlen(slash + 1), 3, 128, &v) < 0)
		return ADDR_EPLEN;
	*plen = (uint8_t)v;
	masked = *p;
	addr_prefix6_mask(&masked, *plen);
	if (memcmp(&masked, p, sizeof(masked)) != 0)
		return ADDR_EHOSTBITS;
	return 0;
}

/* RFC 4291 §2.5.5.2: ::ffff:a.b.c.d. */
static void addr_map4(struct in6_addr *out, const struct in_addr *v4)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], v4, 4);
}

int addr_parse_net(const char *s, struct in6_addr *a, uint8_t *plen)
{
	const char *slash = strchr(s, '/');
	size_t hostlen = slash ? (size_t)(slash - s) : strlen(s);
	char host[INET6_ADDRSTRLEN];
	struct in6_addr masked;
	struct in_addr v4;
	unsigned max = 128, v = 128;

	if (addr_copy(host, sizeof(host), s, hostlen) < 0)
		return ADDR_ESYNTAX;
	if (inet_pton(AF_INET, host, &v4) == 1) {
		addr_map4(a, &v4);
		max = 32;
	} else if (inet_pton(AF_INET6, host, a) != 1) {
		return ADDR_ESYNTAX;
	}
	if (slash == NULL)
		v = max;
	else if (addr_decimal(slash + 1, strlen(slash + 1), max == 32 ? 2 : 3, max, &v) < 0)
		return max == 32 ? ADDR_EPLEN4 : ADDR_EPLEN;
	*plen = (uint8_t)(v + 128 - max);
	masked = *a;
	addr_prefix6_mask(&masked, *plen);
	if (memcmp(&masked, a, sizeof(masked)) != 0)
		return ADDR_EHOSTBITS;
	return 0;
}

const char *addr_format_net(const struct in6_addr *a, uint8_t plen, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	bool v4 = plen >= 96 && plen <= 128 && IN6_IS_ADDR_V4MAPPED(a);
	unsigned full = v4 ? 32 : 128, n = v4 ? plen - 96u : plen;

	if (len == 0)
		return buf;
	if (v4)
		inet_ntop(AF_INET, &a->s6_addr[12], host, sizeof(host));
	else
		inet_ntop(AF_INET6, a, host, sizeof(host));
	if (n == full)
		snprintf(buf, len, "%s", host);
	else
		snprintf(buf, len, "%s/%u", host, n);
	return buf;
}

bool addr_net_contains_sockaddr(const struct in6_addr *a, uint8_t plen, const struct sockaddr *sa)
{
	struct in6_addr x;

	if (sa->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		addr_map4(&x, &sin.sin_addr);
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		x = sin6.sin6_addr;
	} else {
		return false;
	}
	return addr_prefix6_contains(a, plen, &x);
}

const char *addr_format_sockaddr(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (len == 0)
		return buf;
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		inet_ntop(AF_INET, &sin.sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, (unsigned)ntohs(sin.sin_port));
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		inet_ntop(AF_INET6, &sin6.sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, (unsigned)ntohs(sin6.sin6_port));
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

const char *addr_format_prefix6(const struct in6_addr *p, uint8_t plen, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (len == 0)
		return buf;
	inet_ntop(AF_INET6, p, host, sizeof(host));
	snprintf(buf, len, "%s/%u", host, (unsigned)plen);
	return buf;
}

bool addr_is_wildcard(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		return sin.sin_addr.s_addr == htonl(INADDR_ANY);
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		return IN6_IS_ADDR_UNSPECIFIED(&sin6.sin6_addr);
	}
	return false;
}

uint16_t addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		return ntohs(sin.sin_port);
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		return ntohs(sin6.sin6_port);
	}
	return 0;
}

bool addr_sockaddr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family || addr_port(a) != addr_port(b))
		return false;
	if (a->sa_family == AF_INET) {
		struct sockaddr_in x, y;

		memcpy(&x, a, sizeof(x));
		memcpy(&y, b, sizeof(y));
		return x.sin_addr.s_addr == y.sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		struct sockaddr_in6 x, y;

		memcpy(&x, a, sizeof(x));
		memcpy(&y, b, sizeof(y));
		return memcmp(&x.sin6_addr, &y.sin6_addr, sizeof(x.sin6_addr)) == 0;
	}
	return false;
}

void addr_random_ula64(struct in6_addr *out, const uint8_t rnd[5 + 2])
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[0] = 0xfd; /* fc00::/7 with the L bit set: locally assigned (§3.1) */
	memcpy(&out->s6_addr[1], rnd, 5);     /* Global ID */
	memcpy(&out->s6_addr[6], rnd + 5, 2); /* Subnet ID */
}
