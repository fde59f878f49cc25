/* SPDX-License-Identifier: ISC */
/*
 * tlshello: raw TLS ClientHello records and the parser for a server's first flight, for the
 * protocol and suite audit of `iphttps probe`. Raw bytes because the audit must ask for what
 * the local TLS library no longer speaks (SSLv3, NULL suites, DHE with a small prime) and
 * needs only to see what the server answers, never to finish a handshake.
 * Pure: bytes in, bytes or a verdict out; no sockets, no allocation, no clock, no logging.
 * The caller supplies the randomness (client random, X25519 key share).
 */
#ifndef PROTO_TLSHELLO_H
#define PROTO_TLSHELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A buffer of this size always holds what tlshello_build() writes (a hello with the longest
 * SNI is about 600 bytes). */
#define TLSHELLO_HELLO_MAX 1024
/* tlshello_parse() looks at no more than this: a first flight that has not come to a verdict
 * within it is MALFORMED. Certificate chains of real servers are far below it. */
#define TLSHELLO_PARSE_MAX (256 * 1024)

/* What a ClientHello offers. Each set tests one thing: NULL suites only in TLSHELLO_NULL,
 * finite-field DHE suites only in TLSHELLO_DHE, supported_versions only in TLSHELLO_TLS13. */
enum tlshello_set {
	/* client_version and record version 0x0300, RSA key exchange suites (AES, 3DES, RC4) and
	 * the renegotiation SCSV 0x00FF; no extensions (SSLv3 has none, RFC 6101 §5.6.1.2). */
	TLSHELLO_SSL3 = 0,
	TLSHELLO_TLS10, /* 0x0301: ECDHE and RSA, AES-CBC, 3DES, RC4 */
	TLSHELLO_TLS11, /* 0x0302: as TLS10 */
	/* 0x0303, no supported_versions: an OpenSSL server limited to TLS 1.2 answers a hello
	 * with supported_versions as if TLS 1.3 were asked for. ECDHE and RSA with AES-GCM,
	 * CHACHA20, AES-CBC (SHA, SHA256, SHA384) and 3DES. */
	TLSHELLO_TLS12,
	/* legacy_version 0x0303 + supported_versions [0x0304] + key_share x25519, only the
	 * three TLS 1.3 suites: a server without TLS 1.3 answers with an alert, not with 1.2. */
	TLSHELLO_TLS13,
	/* TLS 1.2 with only TLS_RSA_WITH_NULL_SHA256 (0x003B) and TLS_RSA_WITH_NULL_SHA (0x0002)
	 * (and the SCSV): what a Windows 8+ IP-HTTPS client sends first. */
	TLSHELLO_NULL,
	/* TLS 1.2 with only finite-field DHE suites (DHE_RSA, DHE_DSS; AES-CBC, AES-GCM,
	 * CHACHA20, 3DES); its signature_algorithms also lists DSA so DHE_DSS can be chosen. */
	TLSHELLO_DHE,
};

struct tlshello_opts {
	enum tlshello_set set;
	/* host_name for SNI (RFC 6066 §3), NULL for none. Letters, digits, '-', '_' and '.'
	 * labels of 1-63 characters, at most 253 in all, no trailing dot; a last label of only
	 * digits (an IPv4 literal, which §3 forbids) is refused. SSL3 sends no extensions: there
	 * it is checked and then left out. */
	const char *sni;
	uint8_t random[32]; /* client random (RFC 5246 §7.4.1.2) */
	/* X25519 key share for TLSHELLO_TLS13 (RFC 8446 §4.2.8.2). Any 32 bytes decode to a
	 * public key, but a low-order point such as all zeros gives the all-zero shared secret
	 * that servers refuse (RFC 7748 §6.1): use random bytes. */
	uint8_t x25519[32];
};

/*
 * Writes one TLS record (RFC 5246 §6.2.1) holding the ClientHello for o->set. Returns its
 * length, or 0 if cap is too small, the SNI is refused or the set is unknown. Extensions for
 * TLS 1.0 and up: server_name, supported_groups (x25519, secp256r1, secp384r1),
 * ec_point_formats (uncompressed); from TLS 1.2 on signature_algorithms (RFC 5246 §7.4.1.4.1
 * forbids it in a hello offering only older versions); TLS13 adds supported_versions and
 * key_share; a record of 256 to 511 bytes is padded to 512 (RFC 7685 §4: a server is known
 * to hang on those lengths). Deterministic: the same opts give the same bytes.
 */
size_t tlshello_build(const struct tlshello_opts *o, uint8_t *out, size_t cap);

enum tlshello_kind {
	TLSHELLO_INCOMPLETE = 0, /* need more bytes */
	TLSHELLO_SERVER_HELLO,	 /* a ServerHello (see version, suite) */
	/* a HelloRetryRequest (RFC 8446 §4.1.3 special random): still means TLS 1.3 is spoken */
	TLSHELLO_HRR,
	TLSHELLO_ALERT,	    /* an alert record came first */
	TLSHELLO_NOT_TLS,   /* the first bytes are not a TLS record (e.g. "HTTP/1.1 400") */
	TLSHELLO_MALFORMED, /* TLS records, but a broken handshake */
};

struct tlshello_answer {
	enum tlshello_kind kind;
	/* negotiated: supported_versions (RFC 8446 §4.2.1) if present (one naming a version
	 * before TLS 1.3 is MALFORMED), else server_version */
	uint16_t version;
	uint16_t suite; /* chosen cipher suite */
	/* ALERT: the alert. SERVER_HELLO: an alert that ended the flight after a DHE
	 * ServerHello before its ServerKeyExchange (then dh_bits is 0); else both 0. */
	uint8_t alert_level, alert_desc;
	bool dh;	  /* the chosen suite is finite-field DHE (tlshello_suite_is_dhe) */
	unsigned dh_bits; /* bit length of the DH prime p from the ServerKeyExchange
			     (RFC 5246 §7.4.3), 0 if not (yet) seen */
	/* NOT_TLS / MALFORMED: short reason (static text), NULL otherwise. A MALFORMED flight
	 * after a good ServerHello keeps version, suite and dh from it. */
	const char *why;
};

/*
 * Parses everything the server sent so far, buf[0..len) (stateless: call again with more
 * bytes). *a is always filled; the return value is a->kind.
 * want_dh: when the ServerHello chose a DHE suite, keep going through Certificate etc. until
 * the ServerKeyExchange (then report dh_bits) or ServerHelloDone (MALFORMED: DHE needs a
 * ServerKeyExchange); until then INCOMPLETE. Without want_dh, or for another suite, the
 * verdict comes with the record that completes the ServerHello.
 * Handshake messages may span several records and a record may hold several messages;
 * HelloRequests before the ServerHello are skipped (RFC 5246 §7.4.1.1); records of other
 * content types between messages after the ServerHello are skipped (e.g. change_cipher_spec
 * in TLS 1.3 middlebox mode, RFC 8446 §D.4).
 * An INCOMPLETE answer after a DHE ServerHello (want_dh) already has its version, suite and dh.
 * Once the answer is not INCOMPLETE, more bytes never change it: the verdict is taken on the
 * first bytes that settle it and nothing after them is read. Only buf[0..TLSHELLO_PARSE_MAX)
 * is looked at; never reads out of bounds, loops are bounded by the bytes given.
 */
enum tlshello_kind tlshello_parse(const uint8_t *buf, size_t len, bool want_dh,
				  struct tlshello_answer *a);

/* IANA name of a suite this module offers or knows as NULL ("TLS_RSA_WITH_NULL_SHA256"), a
 * static string, or NULL if unknown. */
const char *tlshello_suite_name(uint16_t suite);
/* The suite authenticates but does not encrypt (NULL bulk cipher). */
bool tlshello_suite_is_null(uint16_t suite);
/* The suite's key exchange is finite-field Diffie-Hellman (one of TLSHELLO_DHE's). */
bool tlshello_suite_is_dhe(uint16_t suite);
/* Version name "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3", or NULL. */
const char *tlshello_version_name(uint16_t v);

#endif
