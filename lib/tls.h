/* SPDX-License-Identifier: ISC */
/*
 * tls: the OpenSSL 3 pieces the gateway needs, kept out of the event code: a server SSL_CTX built
 * from PEM held in memory under one cipher/version policy, a self-signed certificate for first
 * start, a one-line summary of a certificate, a one-line description of a connection, and the
 * OpenSSL error queue as one line; and the client SSL_CTX of `iphttps connect`.
 * It does not open sockets, poll, or drive SSL_accept/SSL_read/SSL_write (the daemon does that on
 * non-blocking sockets), does not read the server's certificate or key files (the privileged
 * parent does and passes the bytes; the client context reads its own files), and never logs:
 * key material is never copied into a message.
 */
#ifndef LIB_TLS_H
#define LIB_TLS_H

#include <openssl/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A size for the err buffers below that holds every message this module writes in full. */
#define TLS_ERRLEN 512

/*
 * Server context from PEM in memory. cert_pem holds the leaf first, then any intermediates
 * (sent in that order, RFC 8446 §4.4.2, RFC 5246 §7.4.2); key_pem holds one unencrypted private
 * key (encrypted keys are refused, never prompted for). The key must match the leaf. Neither
 * buffer is copied, kept or modified; the caller still owns key_pem and should cleanse it.
 * Returns NULL with a one-line reason in err (errlen may be 0).
 */
SSL_CTX *tls_server_ctx_new(const char *cert_pem, size_t cert_len, const char *key_pem,
			    size_t key_len, char *err, size_t errlen);

/*
 * The cipher, version, option and mode policy of a server context, in one place so that the
 * profiles of issue #4 (NULL suites for Windows 8+ clients, [ms-iphttps.md §3.4]) extend it
 * here. Leaves the OpenSSL error queue filled on failure. Returns 0 or -1.
 */
int tls_server_policy(SSL_CTX *ctx);

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

/* Whole days from now until notAfter, rounded down; negative once expired. */
long tls_cert_days_left(const struct tls_cert_info *info, time_t now);

/*
 * "TLSv1.3 TLS_AES_128_GCM_SHA256", "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" (IANA suite
 * names, as Windows and the reference notes spell them); "handshake: <state>" while the
 * handshake has not finished (e.g. after a failed one); "none" for NULL. Safe in any state.
 */
void tls_conn_describe(const SSL *ssl, char *buf, size_t len);

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
