/* SPDX-License-Identifier: ISC */
/*
 * probe: `iphttps probe URL|host[:port]`, the diagnosis of whatever answers at an IP-HTTPS URL
 * (issue #5; ms-iphttps.md §3, §5, §6). Blocking I/O, one connection at a time, every step
 * bounded by --timeout: this is a one-shot tool, not the data path.
 *
 * Files: probe.c (options, the order of the steps, the exit status), probe_net.c (resolve, TCP,
 * the CONNECT through a proxy, byte I/O with deadlines), probe_tls.c (the main handshake with
 * OpenSSL and its phase), probe_cert.c (the certificate examined and verified), probe_post.c
 * (the IP-HTTPS POST, its answer and a Router Solicitation), probe_audit.c (raw ClientHellos from
 * proto/tlshello: versions, NULL, DHE), probe_out.c (the human report), probe_json.c (--json). The
 * judgement is proto/probe, pure.
 *
 * --json prints one object:
 * {
 *   "target": "https://gw.example.test/IPHTTPS",
 *   "verdict": "ok" | "failed" | "not-iphttps",  "exit": 0 | 1 | 3,
 *   "iphttps": "yes" | "no" | "unknown",   (an IP-HTTPS server: a 200 whose body stays open, or
 *                                           whatever nmap's ip-https-discover reports as one)
 *   "nmap": bool,                          (the first read matches nmap's pattern, §6.1)
 *   "summary": "...",  "fix": "...",
 *   "windows": {"code": "0x800B0109", "name": "CERT_E_UNTRUSTEDROOT", "meaning": "...",
 *               "fix": "..."},
 *   "resolve": {"tried": bool, "ok": bool, "error": "..." | null, "addresses": ["192.0.2.1"]},
 *   "proxy": null | {"url": "...", "tcp": TCP, "answer": HELLO, "status": 200 | null,
 *            "reason": "..."},
 *   "tcp": {"result": TCP, "peer": "192.0.2.1:443", "error": "..." | null,
 *           "failed_before": "192.0.2.9:443 timeout" | null},
 *   "tls": {"result": HELLO, "failed_after": "none" | "client-hello" | "server-hello",
 *           "alert": 40 | null, "alert_name": "handshake failure" | null, "version": "TLSv1.3",
 *           "cipher": "TLS_AES_128_GCM_SHA256", "null_cipher": bool,
 *           "client_cert_requested": bool, "client_cert_sent": bool, "error": "..." | null},
 *   "certificate": null | {"subject", "issuer", "cn" (null when none), "san",
 *           "not_before", "not_after" ("2026-12-07T02:00:00Z"), "days_left", "key", "rsa",
 *           "sha256", "self_signed", "crl_distribution_point", "chain": ["subject", ...],
 *           "trusted", "verify_error" (null when good), "untrusted", "expired",
 *           "not_yet_valid", "name_mismatch", "wrong_usage", "revoked"},
 *   "http": {"sent": bool, "result": HELLO, "status": 200 | null, "reason", "server",
 *           "content_length": N | null, "chunked", "body_open", "body_ended",
 *           "body_not_ipv6", "port_speaks_tls",
 *           "router_advertisement": bool, "prefix": "2001:db8:1:1000::/64" | null,
 *           "snippet": "..." | null},
 *   "audit": null | {"versions": {"SSLv3": HELLO, "TLSv1.0": HELLO, "TLSv1.1": HELLO,
 *           "TLSv1.2": HELLO, "TLSv1.3": HELLO},
 *           "null": {"result": HELLO, "alert": 40 | null, "suite": "..." | null},
 *           "dhe": {"result": HELLO, "bits": N | null}, "rating": "good" | "weak" | "bad"},
 *   "findings": [{"level": "info" | "good" | "warning" | "error", "topic": "...",
 *                 "text": "..."}]
 * }
 * TCP is a probe_tcp_name(), HELLO a probe_hello_name() (proto/probe.h).
 */
#ifndef IPHTTPS_PROBE_H
#define IPHTTPS_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "iphttps/url.h"
#include "proto/probe.h"

#define PROBE_TIMEOUT_MS 5000 /* each step: TCP connect, proxy answer, handshake, HTTP answer */
#define PROBE_RA_WAIT_MS 2000 /* after a 200: an RA, or the body still open, within this */
#define PROBE_WARN_DAYS	 30   /* a certificate expiring sooner is a warning */

struct probe_opts {
	struct url url;
	char url_text[URL_HOST_MAX + URL_PATH_MAX + 32]; /* normalised: "https://host/path" */
	bool have_proxy;
	struct url proxy;
	const char *ca_file, *cert_file, *key_file;
	const char *expect_issuer;
	char pin[97]; /* normalised "AB:CD:...", "" for none */
	int timeout_ms;
	bool null_only;
	bool audit;
	bool json;
	long warn_days;
};

/* One run: options, what was found, and the addresses to try. No globals. */
struct probe {
	struct probe_opts o;
	struct probe_facts f;
	struct sockaddr_storage addrs[PROBE_MAX_ADDRS];
	socklen_t addrlens[PROBE_MAX_ADDRS];
	size_t naddrs;
	size_t iaddr;		 /* the address that answered the main connection */
	char proxy_b64[700];	 /* Basic credentials for the proxy, "" for none */
	char name[URL_HOST_MAX]; /* the URL host without a trailing dot: SNI, certificate name */
	bool dead;		 /* the main connection ended: no close_notify to write */

	/* the main connection, seen by OpenSSL's message callback */
	bool saw_server_hello;
	bool saw_record;  /* a record header arrived */
	uint8_t first[8]; /* the first bytes the server sent, to tell "not TLS" */
	size_t nfirst;
};

/* The main connection: TLS over fd, or plain fd for an http:// URL (ssl NULL). */
struct probe_io {
	int fd;
	SSL *ssl;
};

/* probe_net.c */
/* Resolves the URL host (or the proxy's), filling p->addrs and the facts. 0 or -1. */
int probe_net_resolve(struct probe *p);
/*
 * The main connection: a connected non-blocking socket to the server, directly (each address
 * in turn, the failures recorded) or through the proxy's CONNECT tunnel, filling the tcp and
 * proxy facts. Returns the fd or -1.
 */
int probe_net_connect(struct probe *p);
/* Another connection (the audit's) to the address that answered the main one. fd or -1. */
int probe_net_again(struct probe *p);
/* Writes all of buf within timeout_ms. 0, or -1 with errno (ETIMEDOUT on the deadline). */
int probe_net_send(int fd, const void *buf, size_t len, int timeout_ms);
/* Waits for fd to be readable (events POLLIN) or writable (POLLOUT). 1 ready, 0 timeout, -1. */
int probe_net_wait(int fd, short events, int timeout_ms);
/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t probe_net_now_ms(void);

/* probe_tls.c */
/* The main connection: TLS (unless http://), the certificate, the POST, the answer, the RA. */
void probe_tls_run(struct probe *p);
/* >0 bytes read, 0 the peer closed, -1 failed (errno ECONNRESET, ETIMEDOUT, EPROTO for a TLS
   alert, which is recorded in the facts). Waits at most timeout_ms. */
long probe_tls_read(struct probe *p, struct probe_io *io, uint8_t *buf, size_t len, int timeout_ms);
/* Writes all of buf. 0, or -1 with errno. */
int probe_tls_write(struct probe *p, struct probe_io *io, const void *buf, size_t len);

/* probe_cert.c */
/* Examines and verifies the server's certificate chain (--ca or the system store) into the
   facts: every problem, not only the first. */
void probe_cert_examine(struct probe *p, SSL *ssl);

/* probe_post.c */
/* Sends the IP-HTTPS POST on io, reads the answer, and after a 200 a Router Solicitation. */
void probe_post_run(struct probe *p, struct probe_io *io);

/* probe_audit.c */
/* The raw-ClientHello audit: SSLv3 to TLS 1.3, NULL-only, DHE-only; one connection each. */
void probe_audit_run(struct probe *p);
/* Whether the port answers a TLS 1.2 ClientHello with TLS (for an http:// URL that got nothing). */
bool probe_audit_speaks_tls(struct probe *p);

/* probe_out.c, probe_json.c */
void probe_out_human(FILE *out, const struct probe *p, const struct probe_result *r);
void probe_json_print(FILE *out, const struct probe *p, const struct probe_result *r);

#endif
