/* SPDX-License-Identifier: ISC */
/*
 * addr: socket address and IPv6 prefix text helpers. Numeric only: no name resolution, no
 * locale, no scope ids; inet_pton/inet_ntop and plain digit loops. Parsers return 0 or one of
 * the negative enum addr_err codes, which addr_strerror turns into a message for the user.
 */
#ifndef LIB_ADDR_H
#define LIB_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDR_STRLEN 64 /* fits "[ffff:...:255.255.255.255]:65535" and any prefix text */

enum addr_err {
	ADDR_ESYNTAX = -1,   /* not a numeric IPv4 or IPv6 address */
	ADDR_ESTAR = -2,     /* "*": the wildcards must be written 0.0.0.0 or [::] */
	ADDR_EBRACKETS = -3, /* an IPv6 address (or a port after one) without brackets */
	ADDR_EPORT = -4,     /* port not a decimal number 1..65535 */
	ADDR_ENOPORT = -5,   /* no port and no default */
	ADDR_ENOPLEN = -6,   /* prefix without "/length" */
	ADDR_EPLEN = -7,     /* prefix length not a decimal number 0..128 */
	ADDR_EHOSTBITS = -8, /* bits set past the prefix length */
	ADDR_EPLEN4 = -9,    /* IPv4 prefix length not a decimal number 0..32 */
};

const char *addr_strerror(int err);

/*
 * Parses "192.0.2.1:443", "192.0.2.1", "[2001:db8::1]:443" or "[2001:db8::1]". Without a port
 * the default_port is used; a default_port of 0 makes the port mandatory. "*", host names,
 * bare IPv6 ("::1") and port 0 are refused.
 */
int addr_parse_sockaddr(const char *s, uint16_t default_port, struct sockaddr_storage *ss,
			socklen_t *len);

/*
 * Parses "2001:db8::/48": plen 0..128. On ADDR_EHOSTBITS *p and *plen hold what was written, so
 * the caller can suggest the masked prefix (addr_prefix6_mask).
 */
int addr_parse_prefix6(const char *s, struct in6_addr *p, uint8_t *plen);

/* Clears the bits past plen. */
void addr_prefix6_mask(struct in6_addr *p, uint8_t plen);
/* True when a lies inside prefix/plen. */
bool addr_prefix6_contains(const struct in6_addr *prefix, uint8_t plen, const struct in6_addr *a);

/*
 * Parses an IPv4 or IPv6 network for address lists that hold both families: "192.0.2.5",
 * "198.51.100.0/24", "2001:db8::5", "2001:db8::/64" (no brackets, no port; a bare address is a
 * /32 or /128). IPv4 is stored IPv4-mapped (RFC 4291 §2.5.5.2): ::ffff:a.b.c.d with *plen
 * 96 + the IPv4 length. Errors as addr_parse_prefix6 (ADDR_EPLEN4 for an IPv4 length past 32);
 * on ADDR_EHOSTBITS *a and *plen hold what was written.
 */
int addr_parse_net(const char *s, struct in6_addr *a, uint8_t *plen);
/*
 * The network as addr_parse_net reads it back: IPv4-mapped networks of length 96 or more as
 * IPv4 text, single addresses without a length ("192.0.2.5", "2001:db8::/64"). Returns buf.
 */
const char *addr_format_net(const struct in6_addr *a, uint8_t plen, char *buf, size_t len);
/*
 * Whether the address of sa lies in the network: AF_INET compared as IPv4-mapped, AF_INET6 as
 * is (so a v4-mapped address on a dual-stack socket matches IPv4 networks); false for other
 * families and lengths past 128.
 */
bool addr_net_contains_sockaddr(const struct in6_addr *a, uint8_t plen, const struct sockaddr *sa);

/* "192.0.2.1:443" or "[2001:db8::1]:443"; "?" for other families. Returns buf. */
const char *addr_format_sockaddr(const struct sockaddr *sa, char *buf, size_t len);
/* "2001:db8::/48". Returns buf. */
const char *addr_format_prefix6(const struct in6_addr *p, uint8_t plen, char *buf, size_t len);

/* 0.0.0.0 or :: (any port). */
bool addr_is_wildcard(const struct sockaddr *sa);
/* Same family, address and port. */
bool addr_sockaddr_equal(const struct sockaddr *a, const struct sockaddr *b);
uint16_t addr_port(const struct sockaddr *sa);

/*
 * RFC 4193 §3.2: a Unique Local /64 built from caller-supplied random bytes: fd00::/8 (prefix
 * fc00::/7 with L = 1), rnd[0..4] as the 40-bit Global ID, rnd[5..6] as the 16-bit Subnet ID,
 * interface identifier zero.
 */
void addr_random_ula64(struct in6_addr *out, const uint8_t rnd[5 + 2]);

#endif
