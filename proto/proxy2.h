/* SPDX-License-Identifier: ISC */
/*
 * proxy2: the PROXY protocol version 2 header a load balancer in TCP mode (HAProxy
 * `send-proxy-v2`, F5, NetScaler) puts in front of a connection so the gateway learns the real
 * client address (haproxy doc/proxy-protocol.txt §2.2), and the SSL TLVs (§2.2.6) with which a
 * TLS-terminating balancer passes the client certificate's verification result and subject CN
 * (`send-proxy-v2-ssl-cn`). Version 1 (text) is recognised only to be refused with a clear
 * reason. Pure: bytes in, a result out; no sockets, no allocation, no logging.
 * The caller must only parse headers from configured balancer addresses: anyone else could
 * claim any source address.
 */
#ifndef PROTO_PROXY2_H
#define PROTO_PROXY2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PROXY2_FIXED 16 /* signature (12), version/command, family/protocol, length (2) */
/* Largest header accepted. HAProxy sends well under this with SSL TLVs; the format allows
 * 16 + 65535, which a gateway has no reason to buffer per connection. */
#define PROXY2_MAX    1024
#define PROXY2_CN_MAX 256 /* PP2_SUBTYPE_SSL_CN value, NUL-terminated; longer is an error */

enum proxy2_status {
	PROXY2_INCOMPLETE = 0, /* a valid prefix: read more (at most PROXY2_MAX bytes in all) */
	PROXY2_OK,
	PROXY2_ERROR, /* r->error says why; close the connection */
};

struct proxy2_result {
	size_t consumed; /* header bytes, 16 + length; the stream (TLS or HTTP) starts here */
	bool local;	 /* LOCAL command (balancer health check): keep the socket's addresses */
	/* PROXY command over TCP/IPv4 or TCP/IPv6: the client's and the balancer's addresses.
	 * src.ss_family is AF_UNSPEC for LOCAL and the UNSPEC family: then keep the socket's. */
	struct sockaddr_storage src, dst;
	socklen_t srclen, dstlen;
	/* PP2_TYPE_SSL (§2.2.6). HAProxy sends that TLV with client 0 and verify 0 also for a
	 * client without TLS: trust a certificate only when ssl_client_cert && ssl_verify == 0. */
	bool ssl;	      /* PP2_CLIENT_SSL set: the client reached the balancer over TLS */
	bool ssl_client_cert; /* PP2_CLIENT_CERT_CONN or PP2_CLIENT_CERT_SESS set (needs ssl) */
	uint32_t ssl_verify;  /* its verify field: 0 when the client certificate verified */
	char ssl_cn[PROXY2_CN_MAX]; /* PP2_SUBTYPE_SSL_CN, "" when absent (empty is refused) */
	const char *error;	    /* static text on PROXY2_ERROR; then everything else is zero */
};

/*
 * Parses the start of a connection's byte stream. INCOMPLETE only while every byte so far is
 * a valid prefix of a v2 header (so a TLS ClientHello or an HTTP request is an ERROR at once,
 * not a wait). Errors: v1 text header, wrong signature, version other than 2, command other
 * than LOCAL/PROXY, protocol other than STREAM for PROXY, address block shorter than its
 * family needs, length over PROXY2_MAX, malformed TLVs, a CRC32c TLV that does not match
 * (§2.2.3 PP2_TYPE_CRC32C), a CN with control characters or NUL. LOCAL (health checks) and the
 * UNSPEC family skip the rest of the block unread, TLVs included (§2.2: "discard the protocol
 * block"; "should ignore address information"). Bytes after `consumed` are never looked at.
 */
enum proxy2_status proxy2_parse(const uint8_t *p, size_t len, struct proxy2_result *r);

#endif
