/* SPDX-License-Identifier: ISC */
/*
 * url: the two URLs `iphttps connect` takes, parsed into their parts (RFC 3986 §3), and the
 * text forms built back from them. Pure: no I/O, no name resolution, no allocation.
 *
 *   server  https://host[:port][/path]  (http:// for a gateway behind a TLS-terminating balancer,
 *           [MS-IPHTTPS] §1.3). host is a DNS name, an IPv4 literal or a bracketed IPv6 literal;
 *           the port defaults to 443 (80 for http); the path to "/". No user information: the
 *           server authenticates the client by TLS, never by URL credentials.
 *   proxy   [http://][user[:password]@]host[:port][/]  as in https_proxy; the port defaults to
 *           1080 as curl's does; user and password are percent-decoded (RFC 3986 §2.1).
 *
 * Does not: accept IPv6 zone identifiers, IDNA (non-ASCII) names, percent-encoded host names,
 * TLS to the proxy (https://) or SOCKS.
 */
#ifndef IPHTTPS_URL_H
#define IPHTTPS_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define URL_HOST_MAX 254 /* a DNS name of 253 characters (RFC 1035 §2.3.4) and the NUL */
#define URL_PATH_MAX 1024
#define URL_CRED_MAX 256

enum url_scheme {
	URL_HTTPS = 0,
	URL_HTTP,
};

struct url {
	enum url_scheme scheme;
	char
	    host[URL_HOST_MAX]; /* without brackets: "gw.example.com", "192.0.2.1", "2001:db8::1" */
	uint16_t port;		/* as written, or the default */
	bool ip_literal;	/* host is an IPv4 or IPv6 address */
	bool ipv6;		/* host is an IPv6 address: written in brackets */
	char path[URL_PATH_MAX]; /* "/IPHTTPS", with any query; never the fragment */
	bool has_cred;		 /* proxy only: user information was given */
	char user[URL_CRED_MAX]; /* decoded */
	char pass[URL_CRED_MAX]; /* decoded; "" when only a user was given */
};

/*
 * Parses a server URL. Returns 0, or -1 with *why set to a short reason for the user
 * ("URL must start with https:// or http://", "port must be a number from 1 to 65535"...).
 */
int url_parse(const char *s, struct url *u, const char **why);

/* Parses a proxy URL (--proxy, https_proxy). Returns 0, or -1 with *why set. */
int url_parse_proxy(const char *s, struct url *u, const char **why);

/*
 * "host:port" or "[2001:db8::1]:port": the authority of a CONNECT request (RFC 9110 §9.3.6)
 * when always_port; otherwise the port is left out when it is the scheme's default, the form
 * of a Host header (RFC 9110 §7.2). Returns the length written (NUL not counted), or 0 when cap
 * is too small.
 */
size_t url_authority(const struct url *u, bool always_port, char *out, size_t cap);

/*
 * The URL as text, for logs and the state file: "https://gw.example.com/IPHTTPS",
 * "http://user@proxy.example:3128". Never the password. Returns the length, or 0 when cap is
 * too small.
 */
size_t url_format(const struct url *u, char *out, size_t cap);

/*
 * Whether the no_proxy list (curl's rules: names separated by commas or spaces, "*" for every
 * host, a leading dot optional) exempts host: equal to an entry, or inside its domain,
 * case-insensitively. IPv6 entries may be written with or without brackets.
 */
bool url_no_proxy(const char *list, const char *host);

#endif
