/* SPDX-License-Identifier: ISC */
/*
 * tls: the OpenSSL 3 pieces the gateway needs, kept out of the event code: a server SSL_CTX built
 * from PEM held in memory under one of three cipher profiles, with one RSA and one ECDSA
 * certificate, optional client certificates (CA bundle, CRLs) whose verdict lands in a
 * per-connection struct tls_peer, and the NULL-only ClientHello refusal; a self-signed
 * certificate for first start, a one-line summary of a certificate, a one-line description of a
 * connection, and the OpenSSL error queue as one line; and the client SSL_CTX of
 * `iphttps connect`.
 * It does not open sockets, poll, or drive SSL_accept/SSL_read/SSL_write (the daemon does that on
 * non-blocking sockets), does not read the server's certificate, key, CA or CRL files (the
 * privileged parent does and passes the bytes; the client context reads its own files), does not
 * apply identity rules to a client certificate (the daemon does, with tls_peer's names), and
 * never logs: key material is never copied into a message.
 */
#ifndef LIB_TLS_H
#define LIB_TLS_H

#include <openssl/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A size for the err buffers below that holds every message this module writes in full. */
#define TLS_ERRLEN 512

/* Cipher profiles (issue #4; ms-iphttps.md §3.1, §3.4). Never SSLv3, TLS 1.0/1.1, CBC, export
 * or finite-field DHE suites, in any profile. */
enum tls_profile {
	/* Zero, so a zeroed options struct never means the weakest profile. */
	TLS_PROFILE_MODERN = 0, /* default: TLS 1.2 ECDHE AEAD and TLS 1.3 */
	/* TLS 1.2 ECDHE AEAD + TLS_RSA AES-GCM + TLS_RSA_WITH_NULL_SHA256 and TLS_RSA_WITH_NULL_SHA
	 * (Windows 8+ with IPsec inside), and TLS 1.3 */
	TLS_PROFILE_COMPAT,
	TLS_PROFILE_STRICT, /* TLS 1.3 only */
};

#define TLS_MAX_CERTS 2 /* one RSA and one ECDSA certificate at once */
#define TLS_MAX_CRLS  16

/* Bytes the caller holds; never copied or kept past the call. */
struct tls_pem {
	const char *p;
	size_t len;
};

struct tls_server_opts {
	enum tls_profile profile;
	/*
	 * cert[i] holds a leaf then its intermediates (sent in that order, RFC 8446 §4.4.2,
	 * RFC 5246 §7.4.2); key[i] one unencrypted private key matching it (encrypted keys are
	 * refused, never prompted for). 1..TLS_MAX_CERTS pairs of different key types: OpenSSL
	 * picks by the suite and the client's signature algorithms. The caller still owns the key
	 * bytes and should cleanse them.
	 */
	struct tls_pem cert[TLS_MAX_CERTS], key[TLS_MAX_CERTS];
	size_t ncert;
	/*
	 * Client certificates. client_ca empty: none requested. Otherwise one is requested in
	 * the initial handshake (TLS 1.2 and 1.3; the CA names go in the CertificateRequest) but
	 * not required: the handshake completes either way and the verdict lands in the
	 * connection's struct tls_peer, so the caller can answer HTTP 403 after the request as
	 * Windows does ([ms-iphttps.md §3.3]). Each crl[i] is one CRL file's bytes, PEM (one or
	 * more CRLs) or DER; with any CRL loaded the leaf's revocation is checked and a leaf whose
	 * issuer has no CRL, or whose CRL has expired, is refused (fail closed).
	 */
	struct tls_pem client_ca;
	struct tls_pem crl[TLS_MAX_CRLS];
	size_t ncrl;
};

/*
 * Server context from PEM in memory under the profile's policy. Returns NULL with a one-line
 * reason in err (errlen may be 0; "pair N: " leads it when there are several pairs): no pair or
 * too many, unreadable or mismatched certificate or key, an encrypted key, a leaf key under
 * 112-bit strength (RSA < 2048, EC < 224, any profile) or a chain certificate OpenSSL's level 2
 * refuses, two certificates of one key type, CRLs without a CA bundle, a CA bundle without
 * certificates, an unreadable CRL.
 * Contexts that cannot negotiate NULL (tls_server_null_possible false) refuse a NULL-only
 * ClientHello without an alert: see tls_peer.null_refused. The context sends exactly the
 * configured chains (SSL_MODE_NO_AUTO_CHAIN) and keeps the client CAs and CRLs in its own
 * X509_STORE (SSL_CTX_get_cert_store).
 */
SSL_CTX *tls_server_ctx_new(const struct tls_server_opts *o, char *err, size_t errlen);

/*
 * The cipher, version, option and mode policy of a server context for a profile: versions,
 * suites, groups, signature algorithms (never SHA-1), security level (compat: 0, others: 2),
 * auth level 2, no compression/renegotiation/tickets/cache, server preference. Certificates,
 * client authentication and the ClientHello callback are tls_server_ctx_new's. Leaves the
 * OpenSSL error queue filled on failure (also for an unknown profile). Returns 0 or -1.
 */
int tls_server_policy(SSL_CTX *ctx, enum tls_profile profile);

/* "compat", "modern", "strict"; "unknown" for other values. */
const char *tls_profile_name(enum tls_profile p);

/* Whether the NULL suites can be negotiated with these options: the compat profile and an
 * RSA certificate (TLS_RSA_* key exchange, RFC 5246 §7.4.7.1). For warnings in `-n`. */
bool tls_server_null_possible(const struct tls_server_opts *o);

/*
 * What the handshake learned about one client connection, filled by the context's callbacks.
 * The caller owns it (zeroed) and attaches it to each SSL with tls_server_attach before the
 * first SSL_accept. cert_presented false after the handshake: no certificate was sent (or
 * none was requested); the caller words that refusal itself.
 */
#define TLS_PEER_NAMES	  4
#define TLS_PEER_NAME_MAX 256
struct tls_peer {
	/*
	 * The ClientHello offered only NULL suites (TLS_RSA_WITH_NULL_*) and this context will
	 * not negotiate them. SSL_accept then returns -1 with SSL_ERROR_WANT_CLIENT_HELLO_CB
	 * and no alert has been sent: the caller resets the TCP connection (SO_LINGER 0), so a
	 * Windows client flips to its encrypted suites at once (0x2746; an alert would strand it
	 * at 0x80090326, ms-iphttps.md §3.4). Calling SSL_accept again only repeats the refusal.
	 * Suites counted as NULL: every IANA *_WITH_NULL_* one (0x0001, 0x0002, 0x003B, ...);
	 * SCSVs and GREASE values are ignored.
	 */
	bool null_refused;
	bool cert_presented; /* the client sent a certificate */
	bool cert_ok; /* chain to client_ca, dates, key usage, clientAuth EKU, CRL: all pass */
	/*
	 * When presented && !cert_ok, one line: "certificate has expired", "certificate is not
	 * yet valid", "certificate revoked", "untrusted: <OpenSSL text>" (e.g. "untrusted:
	 * self-signed certificate", "untrusted: unable to get local issuer certificate"), "wrong
	 * key usage: no TLS client authentication EKU", "wrong key usage: <OpenSSL text>", "no
	 * CRL for the issuer", "CRL has expired", else OpenSSL's text; " (depth N)" follows when
	 * the failing certificate is not the leaf.
	 */
	char reason[160];
	char subject[TLS_PEER_NAME_MAX]; /* RFC 2253 one line (controls, non-ASCII escaped) */
	/*
	 * The last subject commonName (RFC 2818 §3.1) and the first subjectAltName dNSNames, as
	 * UTF-8 with control characters, DEL and '\' escaped as "\XX"; "" or left out when
	 * absent or when longer than TLS_PEER_NAME_MAX - 1 (never cut: a prefix could match a
	 * rule).
	 */
	char cn[TLS_PEER_NAME_MAX];
	char names[TLS_PEER_NAMES][TLS_PEER_NAME_MAX];
	size_t nnames;
	char serial[64]; /* hex, as BN_bn2hex ("0A1B", "-01" for a bad negative one) */
};

/*
 * Attaches peer to ssl (SSL app data, index 0: the caller must not use SSL_set_app_data for
 * anything else); returns 0 or -1. peer NULL detaches: do that before freeing a peer while the
 * SSL lives on. Without a peer attached a bad client certificate fails the handshake instead
 * (nobody would see the verdict) and a NULL-only ClientHello is still refused.
 */
int tls_server_attach(SSL *ssl, struct tls_peer *peer);

/*
 * Writes a new self-signed RSA-2048/SHA-256 certificate for DNS name cn (subject CN and SAN,
 * serverAuth, valid from now-1h for 3650 days) to cert_path (0644) and its key to key_path
 * (0600). Each file is written under a fresh O_EXCL temporary name in its own directory, synced
 * and renamed over the target, so an existing pair is replaced atomically (a symlink at the
 * target is replaced, not followed) and the key is never readable by others. cn must be a host
 * name (letters, digits, '-', '.'; labels of 1..63, at most 64 characters because of the CN
 * upper bound, RFC 5280 Appendix A). Returns 0 or -1 with err filled; on failure neither
 * target has been touched unless the failure was between the two renames.
 */
int tls_selfsigned_create(const char *cert_path, const char *key_path, const char *cn, char *err,
			  size_t errlen);

/* Whether tls_selfsigned_create accepts cn (gethostname() may return names it refuses). */
bool tls_selfsigned_name_ok(const char *cn);

/* Summary of the first certificate of a PEM chain. */
struct tls_cert_info {
	char subject[256]; /* RFC 2253, one line (controls and non-ASCII escaped), may be cut */
	char issuer[256];  /* same form */
	time_t not_before, not_after;
	char sha256[96 + 1]; /* "AB:CD:...", SHA-256 of the DER, as `openssl x509 -fingerprint` */
	char key[32];	     /* "RSA 2048", "EC P-256", "ED25519 256" */
	bool has_cn;	     /* subject has a commonName: nmap needs one ([ms-iphttps.md §6.1]) */
};

/* Returns 0, or -1 when no certificate can be parsed (the error queue is cleared). */
int tls_cert_info_pem(const char *pem, size_t len, struct tls_cert_info *out);
/* The same from a parsed certificate (a peer's). 0, or -1 on an unreadable date. */
int tls_cert_info_x509(X509 *x, struct tls_cert_info *out);
/* A name as one line of ASCII, RFC 2253 with controls and non-ASCII escaped (may be cut). */
void tls_name_line(const X509_NAME *name, char *out, size_t len);

/* Whole days from now until notAfter, rounded down; negative once expired. */
long tls_cert_days_left(const struct tls_cert_info *info, time_t now);

/*
 * "TLSv1.3 TLS_AES_128_GCM_SHA256", "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" (IANA suite
 * names, as Windows and the reference notes spell them); "handshake: <state>" while the
 * handshake has not finished (e.g. after a failed one); "none" for NULL. Safe in any state.
 */
void tls_conn_describe(const SSL *ssl, char *buf, size_t len);

/* Sets *drained after each read(2) OpenSSL makes on ssl's socket: whether it came back short
   (the socket's queue is empty). drained must outlive the SSL's reads. */
void tls_watch_reads(SSL *ssl, bool *drained);

/*
 * Drains this thread's OpenSSL error queue into buf as one line, "reason: detail; reason2"
 * (repeats collapsed, control characters replaced); "" when the queue was empty (e.g. after
 * SSL_ERROR_SYSCALL, where errno tells the story). Returns buf.
 */
const char *tls_errors(char *buf, size_t len);

/* What tls_client_ctx_new needs: files are read at once, nothing is kept. */
struct tls_client_opts {
	const char *ca_file;   /* PEM CA certificates to trust instead of the system store */
	const char *cert_file; /* client certificate chain (PEM, leaf first), or NULL */
	const char *key_file;  /* its unencrypted key; NULL: in cert_file */
	bool null_ciphers;     /* offer only NULL-SHA256:NULL-SHA at TLS 1.2 (Windows 8+) */
	bool tls12_only;       /* no TLS 1.3, as a Windows client before Windows 11 */
};

/*
 * Client context for `iphttps connect`: TLS 1.2+ with the server's AEAD suites and groups at
 * security level 2, or, with null_ciphers, TLS 1.2 with only TLS_RSA_WITH_NULL_SHA256 and
 * TLS_RSA_WITH_NULL_SHA at level 0 ([ms-iphttps.md §3.4]), the certificate chain still checked
 * at level 2. The server is verified (SSL_VERIFY_PEER) against ca_file or the system store;
 * the caller sets the name to match and SNI on each SSL. Renegotiation is allowed (Windows
 * servers ask for client certificates that way, §3.3); no tickets, no session cache; partial
 * and moving writes for an output queue. Returns NULL with a one-line reason in err.
 */
SSL_CTX *tls_client_ctx_new(const struct tls_client_opts *o, char *err, size_t errlen);

#endif
