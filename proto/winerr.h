/* SPDX-License-Identifier: ISC */
/*
 * winerr: Windows' IP-HTTPS LastErrorCode values (ms-iphttps.md §5.5), what each means, what
 * usually fixes it, and the mapping from what Linux and OpenSSL report (getaddrinfo, errno,
 * X509_V_ERR_*, HTTP status, TLS alerts) to the code a Windows client would show for the same
 * failure. Pure: no syscalls, no clock, no allocation; every string is static or written into
 * a caller's buffer.
 *
 * It does not decide what the client does about an error (retry, next certificate, cipher
 * flip); it only names it. winerr_flips_cipher() states Windows' rule; the client applies it.
 */
#ifndef PROTO_WINERR_H
#define PROTO_WINERR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The codes the mappings produce, by their Windows names (winerror.h). */
#define WINERR_SUCCESS			    0x0u    /* ERROR_SUCCESS: link up */
#define WINERR_DUP_NAME			    0x34u   /* ERROR_DUP_NAME: interface creation failure */
#define WINERR_NO_MORE_ITEMS		    0x103u  /* no usable certificate(s) found */
#define WINERR_INVALID_NETNAME		    0x4BEu  /* invalid IP-HTTPS URL (IP literal) */
#define WINERR_CONNECTION_REFUSED	    0x4C9u  /* ERROR_CONNECTION_REFUSED */
#define WINERR_INSTALL_FAILURE		    0x643u  /* interface creation failure */
#define WINERR_WSAENETUNREACH		    0x2743u /* 10051 */
#define WINERR_WSAECONNRESET		    0x2746u /* 10054 */
#define WINERR_WSAETIMEDOUT		    0x274Cu /* 10060 */
#define WINERR_WSAECONNREFUSED		    0x274Du /* 10061 */
#define WINERR_WSAEHOSTUNREACH		    0x2751u /* 10065 */
#define WINERR_WSAHOST_NOT_FOUND	    0x2AF9u /* 11001 */
#define WINERR_WSANO_DATA		    0x2AFCu /* 11004 */
#define WINERR_SEC_I_INCOMPLETE_CREDENTIALS 0x90320u	/* server wants a client certificate */
#define WINERR_E_FAIL			    0x80004005u /* generic: no closer Windows code */
#define WINERR_SEC_E_UNKNOWN_CREDENTIALS    0x8009030Du
#define WINERR_SEC_E_NO_CREDENTIALS	    0x8009030Eu
#define WINERR_SEC_E_ILLEGAL_MESSAGE	    0x80090326u /* fatal TLS handshake error */
#define WINERR_SEC_E_ALGORITHM_MISMATCH	    0x80090331u /* no common cipher suite */
#define WINERR_CRYPT_E_REVOKED		    0x80092010u
#define WINERR_CRYPT_E_REVOCATION_OFFLINE   0x80092013u
#define WINERR_TRUST_E_CERT_SIGNATURE	    0x80096004u
#define WINERR_TRUST_E_BASIC_CONSTRAINTS    0x80096019u
#define WINERR_CERT_E_EXPIRED		    0x800B0101u
#define WINERR_CERT_E_UNTRUSTEDROOT	    0x800B0109u
#define WINERR_CERT_E_CHAINING		    0x800B010Au
#define WINERR_CERT_E_REVOKED		    0x800B010Cu
#define WINERR_CERT_E_CN_NO_MATCH	    0x800B010Fu
#define WINERR_CERT_E_WRONG_USAGE	    0x800B0110u
#define WINERR_HTTP_BASE		    0x80190000u /* | HTTP status: HTTP_E_STATUS_* */
#define WINERR_HTTP_UNEXPECTED		    0x80190001u /* no valid status code */
#define WINERR_HTTP_PROXY_AUTH_REQ	    0x80190197u /* 407 */

/* TLS AlertDescription values (RFC 8446 §6, RFC 5246 §7.2) that winerr_from_tls_alert tells apart.
 */
#define WINERR_ALERT_NONE		   (-1) /* the handshake failed without an alert from the server */
#define WINERR_ALERT_HANDSHAKE_FAILURE	   40
#define WINERR_ALERT_INSUFFICIENT_SECURITY 71
#define WINERR_ALERT_CERTIFICATE_REQUIRED  116

struct winerr_info {
	uint32_t code;
	const char *name;    /* Windows' symbolic name, "CERT_E_UNTRUSTEDROOT" */
	const char *meaning; /* one line: what the code means for an IP-HTTPS client */
	const char *fix;     /* one line: what usually fixes it */
};

/*
 * The description of code; never NULL. Codes in the table (ms-iphttps.md §5.5 plus the ones
 * this client produces) have their own entry; any other 0x8019xxxx with xxxx an HTTP status
 * (100..999) gets the generic HTTP entry; anything else the generic "unknown" entry. Compare
 * ->code with code, or call winerr_known(), to tell an own entry from a generic one.
 */
const struct winerr_info *winerr_lookup(uint32_t code);
bool winerr_known(uint32_t code);

/*
 * The name to print for code: the table's ("CERT_E_UNTRUSTEDROOT"), "HTTP status 418" for an
 * HTTP status without its own entry, "unknown" otherwise. Always NUL-terminates buf (len > 0);
 * returns buf. 32 bytes hold every name.
 */
const char *winerr_name(uint32_t code, char *buf, size_t len);

/*
 * One line for logs: "0x80190194 HTTP_E_STATUS_NOT_FOUND: <meaning>; fix: <fix>". Truncates to
 * fit buf (len > 0, always NUL-terminated); returns the length it wanted, as snprintf does.
 */
size_t winerr_describe(uint32_t code, char *buf, size_t len);

/*
 * Windows' InterfaceStatus text for the codes that have their own (ms-iphttps.md §5.4):
 * 0 "IPHTTPS interface active", 0x103 "No usable certificate(s) found", 0x4BE "Invalid IPHTTPS
 * URL specified", 0x34 and 0x643 "Interface creation failure"; NULL for every other code (the
 * caller then shows its state, e.g. "Failed to connect to the IPHTTPS server; waiting to
 * reconnect").
 */
const char *winerr_interface_status(uint32_t code);

/* If code is HTTP_E_STATUS_* (0x80190000 | status, status 100..999), the status; else -1. */
int winerr_http_status(uint32_t code);

/*
 * Mappings; none fails. getaddrinfo 0, X509_V_OK and HTTP 200 give 0. errno 0 does not: OpenSSL
 * reports a connection closed in mid-handshake as SSL_ERROR_SYSCALL with errno 0, a failure.
 */
uint32_t winerr_from_gai(int eai);	    /* a getaddrinfo() return value */
uint32_t winerr_from_errno(int err);	    /* errno of a failed connect/read/write */
uint32_t winerr_from_verify(long x509_err); /* SSL_get_verify_result() */
uint32_t winerr_from_http(int status); /* the status code of the server's (or proxy's) answer */
/*
 * A failed TLS handshake: alert is the AlertDescription the server sent (WINERR_ALERT_NONE if
 * it sent none), server_asked_cert whether a CertificateRequest arrived, we_sent_cert whether
 * we answered it with a certificate.
 */
uint32_t winerr_from_tls_alert(int alert, bool we_sent_cert, bool server_asked_cert);

/*
 * Whether a fatal alert most likely means "no cipher suite in common": handshake_failure or
 * insufficient_security before any CertificateRequest (RFC 5246 §7.4.1.3). Windows still shows
 * SEC_E_ILLEGAL_MESSAGE for it and does not flip its cipher list; `iphttps connect` flips.
 */
bool winerr_alert_no_suite(int alert, bool server_asked_cert);

/*
 * True for the codes on which Windows 8+ toggles between its null and its default cipher list
 * before the next attempt (ms-iphttps.md §3.4): SEC_E_ALGORITHM_MISMATCH, ERROR_CONNECTION_REFUSED,
 * WSAECONNRESET.
 */
bool winerr_flips_cipher(uint32_t code);

#endif
