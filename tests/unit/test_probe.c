/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/probe (probe.c, probe_sec.c, probe_http.c): the judgement behind
 * `iphttps probe`. Every rule is one table row: the facts of a healthy server, changed as
 * little as the rule needs, and the verdict (exit status), the Windows LastErrorCode
 * (ms-iphttps.md §5.5), the nmap-style "is it IP-HTTPS" answer (§6.1) and, where it matters, a
 * finding's topic and level. Also: the order in which a Windows 8+ client meets problems (the
 * NULL-only ClientHello first, §3.4), the bound on findings, invariants over a sweep of fact
 * combinations, and the *_name() functions.
 * test_windows_* hold two rules of Windows' client (ms-iphttps.md §3.3, §3.4) on their own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "proto/probe.h"
#include "proto/probe_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* Fills a fixed-size char array of the facts. */
#define SET(dst, s) snprintf((dst), sizeof(dst), "%s", (s))

#define HOST "gw.example.com"
#define PIN                                                                                        \
	"AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:"  \
	"45:67:89"

/*
 * What `iphttps probe` observes at a good IP-HTTPS server: the name resolves, TCP connects, TLS
 * 1.3 completes with a trusted, in-date RSA certificate for the name (with a CN, a CDP), the POST
 * gets "200" from HTTPAPI/2.0 with no length and a body that stays open, a Router Advertisement
 * with a prefix answers our Router Solicitation, and the audit finds TLS 1.2/1.3 only, the NULL
 * suites for Windows 8+ (§3.4) and no finite-field DHE.
 */
static void healthy(struct probe_facts *f)
{
	probe_facts_init(f);
	SET(f->host, HOST);
	f->port = 443;
	SET(f->path, "/IPHTTPS");

	f->resolved = true;
	f->naddrs = 1;
	SET(f->addrs[0], "192.0.2.1");

	f->tcp = PROBE_TCP_OK;
	SET(f->tcp_peer, "192.0.2.1:443");

	f->tls = PROBE_HELLO_ACCEPTED;
	SET(f->tls_version, "TLSv1.3");
	SET(f->tls_cipher, "TLS_AES_128_GCM_SHA256");

	f->cert = true;
	SET(f->subject, "CN=" HOST);
	SET(f->issuer, "CN=Example Root CA");
	SET(f->cn, HOST);
	SET(f->san, "DNS:" HOST);
	f->days_left = 300;
	SET(f->key, "RSA 2048");
	f->key_rsa = true;
	SET(f->sha256, PIN);
	f->has_cdp = true;
	f->chain_len = 1;
	SET(f->chain[0], "CN=" HOST);

	f->http_sent = true;
	f->http = PROBE_HELLO_ACCEPTED;
	f->status = 200;
	SET(f->reason, "OK");
	SET(f->server, "Microsoft-HTTPAPI/2.0");
	f->body_open = true;
	f->ra = true;
	SET(f->ra_prefix, "2001:db8:1:1000::/64");

	f->audited = true;
	f->ver[PROBE_SSL3] = PROBE_HELLO_ALERT;
	f->ver[PROBE_TLS10] = PROBE_HELLO_ALERT;
	f->ver[PROBE_TLS11] = PROBE_HELLO_ALERT;
	f->ver[PROBE_TLS12] = PROBE_HELLO_ACCEPTED;
	f->ver[PROBE_TLS13] = PROBE_HELLO_ACCEPTED;
	f->null_hello = PROBE_HELLO_ACCEPTED;
	SET(f->null_suite, "TLS_RSA_WITH_NULL_SHA256");
	f->dhe_hello = PROBE_HELLO_ALERT;
}

/* The POST was never sent: the connection did not get that far. */
static void cut_http(struct probe_facts *f)
{
	f->http_sent = false;
	f->http = PROBE_HELLO_NOT_TRIED;
	f->status = 0;
	f->reason[0] = f->server[0] = '\0';
	f->body_open = false;
	f->ra = false;
	f->ra_prefix[0] = '\0';
}

/* Nothing after TCP: no handshake, no certificate, no POST, no audit. */
static void cut_tls(struct probe_facts *f)
{
	cut_http(f);
	f->tls = PROBE_HELLO_NOT_TRIED;
	f->tls_version[0] = f->tls_cipher[0] = '\0';
	f->cert = false;
	f->audited = false;
	for (size_t i = 0; i < PROBE_NVER; i++)
		f->ver[i] = PROBE_HELLO_NOT_TRIED;
	f->null_hello = PROBE_HELLO_NOT_TRIED;
	f->null_suite[0] = '\0';
	f->dhe_hello = PROBE_HELLO_NOT_TRIED;
}

/* The main handshake failed before a certificate came: no certificate, no POST. */
static void tls_failed(struct probe_facts *f, enum probe_hello how, enum probe_phase phase,
		       int alert)
{
	cut_http(f);
	f->tls = how;
	f->phase = phase;
	f->alert = alert;
	f->tls_version[0] = f->tls_cipher[0] = '\0';
	if (phase != PROBE_PHASE_SERVER_HELLO)
		f->cert = false;
}

/* A web server that is not IP-HTTPS answering the POST (status, Server header). */
static void http_answer(struct probe_facts *f, int status, const char *reason, const char *server)
{
	f->status = status;
	SET(f->reason, reason);
	SET(f->server, server);
	f->body_open = false;
	f->ra = false;
	f->ra_prefix[0] = '\0';
	if (status != 200) {
		f->has_length = true;
		f->length = 157;
	}
}

/* ---- the edits, one per rule ------------------------------------------------------------- */

static void e_unresolvable(struct probe_facts *f)
{
	cut_tls(f);
	f->tcp = PROBE_TCP_NOT_TRIED;
	f->tcp_peer[0] = '\0';
	f->resolved = false;
	f->gai_error = EAI_NONAME;
	f->naddrs = 0;
}

static void e_no_data(struct probe_facts *f)
{
	e_unresolvable(f);
	f->gai_error = EAI_NODATA;
	f->no_data = true;
}

/* Through a proxy the proxy resolves the name (probe.h): resolved stays false. */
static void proxied(struct probe_facts *f)
{
	f->proxy = true;
	SET(f->proxy_name, "http://proxy.example.com:3128");
	f->proxy_tcp = PROBE_TCP_OK;
	f->proxy_answer = PROBE_HELLO_ACCEPTED;
	f->proxy_status = 200;
	SET(f->proxy_reason, "Connection established");
	f->resolved = false;
	f->naddrs = 0;
}

static void e_proxy_ok(struct probe_facts *f)
{
	proxied(f);
}

static void e_proxy_407(struct probe_facts *f)
{
	proxied(f);
	cut_tls(f);
	f->proxy_status = 407;
	SET(f->proxy_reason, "Proxy Authentication Required");
}

static void e_proxy_silent(struct probe_facts *f)
{
	proxied(f);
	cut_tls(f);
	f->proxy_answer = PROBE_HELLO_TIMEOUT;
	f->proxy_status = 0;
	f->proxy_reason[0] = '\0';
}

/* The proxy took the TCP connection but gave no HTTP answer to CONNECT: how it ended. */
static void proxy_no_answer(struct probe_facts *f, enum probe_hello how)
{
	proxied(f);
	cut_tls(f);
	f->proxy_answer = how;
	f->proxy_status = 0;
	f->proxy_reason[0] = '\0';
}

static void e_proxy_closed(struct probe_facts *f)
{
	proxy_no_answer(f, PROBE_HELLO_CLOSED);
}

static void e_proxy_reset(struct probe_facts *f)
{
	proxy_no_answer(f, PROBE_HELLO_RESET);
}

/* Something that is no HTTP proxy (an SSH server, a TLS port) answered CONNECT. */
static void e_proxy_not_http(struct probe_facts *f)
{
	proxy_no_answer(f, PROBE_HELLO_NOT_TLS);
}

/* The proxy's own name does not resolve: nothing was dialed, neither proxy nor server. */
static void e_proxy_unresolvable(struct probe_facts *f)
{
	proxy_no_answer(f, PROBE_HELLO_NOT_TRIED);
	f->proxy_gai_error = EAI_NONAME;
	f->proxy_tcp = PROBE_TCP_NOT_TRIED;
	f->tcp = PROBE_TCP_NOT_TRIED;
	f->tcp_peer[0] = '\0';
}

/* A status without proxy_answer (facts filled by another path): the status is the answer. */
static void e_proxy_status_only(struct probe_facts *f)
{
	proxied(f);
	f->proxy_answer = PROBE_HELLO_NOT_TRIED;
}

static void e_proxy_407_status_only(struct probe_facts *f)
{
	e_proxy_407(f);
	f->proxy_answer = PROBE_HELLO_NOT_TRIED;
}

static void e_proxy_refused(struct probe_facts *f)
{
	proxied(f);
	cut_tls(f);
	f->proxy_tcp = PROBE_TCP_REFUSED;
	f->proxy_status = 0;
}

static void tcp_fail(struct probe_facts *f, enum probe_tcp t)
{
	cut_tls(f);
	f->tcp = t;
}

static void e_tcp_refused(struct probe_facts *f)
{
	tcp_fail(f, PROBE_TCP_REFUSED);
	SET(f->tcp_error, "Connection refused");
}

static void e_tcp_timeout(struct probe_facts *f)
{
	tcp_fail(f, PROBE_TCP_TIMEOUT);
	SET(f->tcp_error, "no answer in 5 s");
}

static void e_tcp_unreach(struct probe_facts *f)
{
	tcp_fail(f, PROBE_TCP_UNREACH);
}

static void e_tcp_error(struct probe_facts *f)
{
	tcp_fail(f, PROBE_TCP_ERROR);
}

/* Two addresses; the first dropped the SYNs, the second answered (and was judged). */
static void e_tcp_failed_before(struct probe_facts *f)
{
	f->naddrs = 2;
	SET(f->addrs[0], "192.0.2.9");
	SET(f->addrs[1], "192.0.2.1");
	SET(f->tcp_failed, "192.0.2.9:443 timeout");
}

static void e_null_alert(struct probe_facts *f)
{
	f->null_hello = PROBE_HELLO_ALERT;
	f->null_alert = 40;
	f->null_suite[0] = '\0';
}

static void e_null_reset(struct probe_facts *f)
{
	f->null_hello = PROBE_HELLO_RESET;
	f->null_suite[0] = '\0';
}

/* Windows 8+ flipped to its encrypted list after the reset (§3.4); that hello got alert 40. */
static void e_tls_alert_ch(struct probe_facts *f)
{
	e_null_reset(f);
	tls_failed(f, PROBE_HELLO_ALERT, PROBE_PHASE_CLIENT_HELLO, 40);
}

/* --null-only: the main handshake is the Windows 8+ NULL-only one, and gets alert 40. */
static void e_null_only_alert(struct probe_facts *f)
{
	e_null_alert(f);
	f->null_only = true;
	tls_failed(f, PROBE_HELLO_ALERT, PROBE_PHASE_CLIENT_HELLO, 40);
}

/* --null-only at a server with the NULL suites: the NULL handshake is the good one. */
static void e_null_only_ok(struct probe_facts *f)
{
	f->null_only = true;
	SET(f->tls_version, "TLSv1.2");
	SET(f->tls_cipher, "TLS_RSA_WITH_NULL_SHA256");
	f->tls_null = true;
}

static void e_cert_not_sent(struct probe_facts *f)
{
	tls_failed(f, PROBE_HELLO_ALERT, PROBE_PHASE_SERVER_HELLO, 40);
	f->cert_asked = true;
}

static void e_cert_required_alert(struct probe_facts *f)
{
	tls_failed(f, PROBE_HELLO_ALERT, PROBE_PHASE_SERVER_HELLO, 116);
}

static void e_cert_refused(struct probe_facts *f)
{
	tls_failed(f, PROBE_HELLO_ALERT, PROBE_PHASE_SERVER_HELLO, 42);
	f->cert_given = f->cert_asked = f->cert_sent = true;
}

/* A device that resets every ClientHello, the NULL-only one too. */
static void e_tls_reset_ch(struct probe_facts *f)
{
	e_null_reset(f);
	tls_failed(f, PROBE_HELLO_RESET, PROBE_PHASE_CLIENT_HELLO, -1);
}

/* OpenSSL refused what the server chose (SSLv3 here): a local error, no alert came. */
static void e_tls_local(struct probe_facts *f)
{
	tls_failed(f, PROBE_HELLO_LOCAL, PROBE_PHASE_SERVER_HELLO, -1);
	f->cert = false;
	SET(f->tls_error, "error:0A000102:SSL routines::unsupported protocol");
}

/* The same refusal before a ServerHello was recognised, and no error text from OpenSSL. */
static void e_tls_local_early(struct probe_facts *f)
{
	tls_failed(f, PROBE_HELLO_LOCAL, PROBE_PHASE_CLIENT_HELLO, -1);
	f->tls_error[0] = '\0';
}

static void e_tls_reset_sh(struct probe_facts *f)
{
	tls_failed(f, PROBE_HELLO_RESET, PROBE_PHASE_SERVER_HELLO, -1);
}

static void e_null_only_reset(struct probe_facts *f)
{
	f->null_only = true;
	e_null_reset(f);
	tls_failed(f, PROBE_HELLO_RESET, PROBE_PHASE_CLIENT_HELLO, -1);
}

/* A plain HTTP server on 443: every ClientHello gets an HTTP 400 back. */
static void e_not_tls(struct probe_facts *f)
{
	f->null_hello = PROBE_HELLO_NOT_TLS;
	f->null_suite[0] = '\0';
	tls_failed(f, PROBE_HELLO_NOT_TLS, PROBE_PHASE_NONE, -1);
	SET(f->snippet, "HTTP/1.1 400 Bad Request");
}

/* Something accepts TCP and then says nothing, to either ClientHello. */
static void e_tls_timeout(struct probe_facts *f)
{
	f->null_hello = PROBE_HELLO_TIMEOUT;
	f->null_suite[0] = '\0';
	tls_failed(f, PROBE_HELLO_TIMEOUT, PROBE_PHASE_CLIENT_HELLO, -1);
}

static void e_untrusted(struct probe_facts *f)
{
	f->untrusted = true;
	f->verify_error = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
	SET(f->verify_text, "unable to get local issuer certificate");
}

static void e_expired(struct probe_facts *f)
{
	f->expired = true;
	f->days_left = -3;
	f->verify_error = X509_V_ERR_CERT_HAS_EXPIRED;
	SET(f->verify_text, "certificate has expired");
}

/* Windows checks the chain before the dates (§3.2): the untrusted root is what it shows. */
static void e_untrusted_expired(struct probe_facts *f)
{
	e_expired(f);
	f->untrusted = true;
}

static void e_not_yet_valid(struct probe_facts *f)
{
	f->not_yet_valid = true;
	f->verify_error = X509_V_ERR_CERT_NOT_YET_VALID;
}

static void e_revoked(struct probe_facts *f)
{
	f->revoked = true;
	f->verify_error = X509_V_ERR_CERT_REVOKED;
}

static void e_name_mismatch(struct probe_facts *f)
{
	f->name_mismatch = true;
	SET(f->cn, "other.example.com");
	SET(f->san, "DNS:other.example.com");
	f->verify_error = X509_V_ERR_HOSTNAME_MISMATCH;
}

/* Probing by address: the certificate cannot name it, and that is not what Windows meets. */
static void e_ip_literal_mismatch(struct probe_facts *f)
{
	SET(f->host, "192.0.2.1");
	f->ip_literal = true;
	f->resolved = false;
	f->naddrs = 0;
	f->name_mismatch = true;
	f->verify_error = X509_V_ERR_IP_ADDRESS_MISMATCH;
}

/* Probing by address, with a certificate that names the address too: it all works. */
static void e_ip_literal(struct probe_facts *f)
{
	SET(f->host, "192.0.2.1");
	f->ip_literal = true;
	f->resolved = false;
	f->naddrs = 0;
}

static void e_wrong_usage(struct probe_facts *f)
{
	f->wrong_usage = true;
	f->verify_error = X509_V_ERR_INVALID_PURPOSE;
}

/* Only OpenSSL's verify code: the winerr mapping decides. */
static void e_bad_signature(struct probe_facts *f)
{
	f->verify_error = X509_V_ERR_CERT_SIGNATURE_FAILURE;
}

static void e_issuer_mismatch(struct probe_facts *f)
{
	f->expect_issuer = "Contoso Issuing CA";
}

static void e_pin_mismatch(struct probe_facts *f)
{
	f->pin = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:"
		 "AA:BB:CC:DD:EE:FF";
}

/* Both checks pass: the issuer text case-insensitively, the pin in lower case. */
static void e_expected_cert(struct probe_facts *f)
{
	f->expect_issuer = "example root";
	f->pin = "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:"
		 "01:23:45:67:89";
}

static void e_expires_soon(struct probe_facts *f)
{
	f->days_left = 10;
}

static void e_no_cn(struct probe_facts *f)
{
	f->cn[0] = '\0';
	SET(f->subject, "O=Example");
}

static void e_ecdsa(struct probe_facts *f)
{
	SET(f->key, "EC 256");
	f->key_rsa = false;
}

static void e_403_cert_asked(struct probe_facts *f)
{
	f->cert_asked = true;
	http_answer(f, 403, "Forbidden", "Microsoft-HTTPAPI/2.0");
}

static void e_403_httpapi(struct probe_facts *f)
{
	http_answer(f, 403, "Forbidden", "Microsoft-HTTPAPI/2.0");
}

static void e_nginx_400(struct probe_facts *f)
{
	e_null_reset(f);
	http_answer(f, 400, "Bad Request", "nginx/1.22.1");
}

static void e_nginx_400_null_alert(struct probe_facts *f)
{
	e_null_alert(f);
	http_answer(f, 400, "Bad Request", "nginx/1.22.1");
}

static void e_413(struct probe_facts *f)
{
	e_null_reset(f);
	http_answer(f, 413, "Request Entity Too Large", "nginx/1.22.1");
}

static void e_httpapi_503(struct probe_facts *f)
{
	http_answer(f, 503, "Service Unavailable", "Microsoft-HTTPAPI/2.0");
}

static void e_httpapi_404(struct probe_facts *f)
{
	http_answer(f, 404, "Not Found", "Microsoft-HTTPAPI/2.0");
}

static void e_200_length(struct probe_facts *f)
{
	f->has_length = true;
	f->length = 1234;
	f->body_open = false;
	f->ra = false;
	f->ra_prefix[0] = '\0';
}

/* nmap's own request carries this length (§6.1); a server may echo the never-ending one. */
static void e_200_length_max(struct probe_facts *f)
{
	f->has_length = true;
	f->length = UINT64_C(18446744073709551615);
}

static void e_200_chunked(struct probe_facts *f)
{
	e_200_length(f);
	f->has_length = false;
	f->length = 0;
	f->chunked = true;
}

static void e_200_ended(struct probe_facts *f)
{
	e_200_length(f);
	f->has_length = false;
	f->length = 0;
	f->body_ended = true;
}

/*
 * nmap's ip-https-discover matched the first read ("HTTP/1.1 200" ... "HTTPAPI/2.0", §6.1):
 * it reports IP-HTTPS whatever the body does next.
 */
static void e_200_length_nmap(struct probe_facts *f)
{
	e_200_length(f);
	f->nmap_match = true;
}

/* An IP-HTTPS server whose tunnel ends right after the 200 (tests/peers/fakeiphttps.py ended). */
static void e_200_ended_nmap(struct probe_facts *f)
{
	e_200_ended(f);
	f->nmap_match = true;
}

/* A 200 with no length, the connection still open, but the body is HTML: a captive portal. */
static void e_200_page(struct probe_facts *f)
{
	e_200_length(f);
	f->has_length = false;
	f->length = 0;
	f->body_not_ipv6 = true;
	SET(f->server, "nginx/1.22.1");
	SET(f->snippet, "<html>captive portal</html>");
}

/* The same page behind "Server: Microsoft-HTTPAPI/2.0": nmap takes it for IP-HTTPS. */
static void e_200_page_nmap(struct probe_facts *f)
{
	e_200_page(f);
	SET(f->server, "Microsoft-HTTPAPI/2.0");
	f->nmap_match = true;
}

/* The healthy 200 with nmap's pattern in the first read too: nothing changes. */
static void e_200_open_nmap(struct probe_facts *f)
{
	f->nmap_match = true;
}

/* Our own rule, without nmap's pattern (a server not saying HTTPAPI/2.0 in the first read). */
static void e_200_open_no_nmap(struct probe_facts *f)
{
	SET(f->server, "nginx/1.22.1");
	f->nmap_match = false;
}

static void no_answer(struct probe_facts *f, enum probe_hello how)
{
	http_answer(f, 0, "", "");
	f->has_length = false;
	f->http = how;
}

static void e_http_closed(struct probe_facts *f)
{
	no_answer(f, PROBE_HELLO_CLOSED);
}

static void e_http_timeout(struct probe_facts *f)
{
	no_answer(f, PROBE_HELLO_TIMEOUT);
}

static void e_http_not_http(struct probe_facts *f)
{
	no_answer(f, PROBE_HELLO_NOT_TLS);
}

static void e_no_ra(struct probe_facts *f)
{
	f->ra = false;
	f->ra_prefix[0] = '\0';
}

static void e_ra_no_prefix(struct probe_facts *f)
{
	f->ra_prefix[0] = '\0';
}

static void e_server_nginx(struct probe_facts *f)
{
	SET(f->server, "nginx/1.22.1");
}

static void e_no_server(struct probe_facts *f)
{
	f->server[0] = '\0';
}

/* A gateway behind a TLS-terminating balancer, probed over http:// (§1.3). */
static void e_plain_http(struct probe_facts *f)
{
	f->plain_http = true;
	f->port = 80;
	f->tls = PROBE_HELLO_NOT_TRIED;
	f->tls_version[0] = f->tls_cipher[0] = '\0';
	f->cert = false;
	f->audited = false;
	f->null_hello = PROBE_HELLO_NOT_TRIED;
}

/* http:// to a port that answered the POST with a TLS record (an alert): https:// was meant. */
static void e_http_to_tls_port(struct probe_facts *f)
{
	e_plain_http(f);
	f->port = 443;
	no_answer(f, PROBE_HELLO_NOT_TLS);
	f->http_is_tls = true;
}

/* http:// and an answer that is neither HTTP nor TLS: no https:// advice, not IP-HTTPS. */
static void e_http_not_http_plain(struct probe_facts *f)
{
	e_plain_http(f);
	no_answer(f, PROBE_HELLO_NOT_TLS);
	SET(f->snippet, "SSH-2.0-OpenSSH_9.2p1");
}

static void e_prefers_null(struct probe_facts *f)
{
	SET(f->tls_version, "TLSv1.2");
	SET(f->tls_cipher, "TLS_RSA_WITH_NULL_SHA256");
	f->tls_null = true;
}

static void e_ssl3(struct probe_facts *f)
{
	f->ver[PROBE_SSL3] = PROBE_HELLO_ACCEPTED;
}

static void e_tls10(struct probe_facts *f)
{
	f->ver[PROBE_TLS10] = PROBE_HELLO_ACCEPTED;
}

static void e_tls11(struct probe_facts *f)
{
	f->ver[PROBE_TLS11] = PROBE_HELLO_ACCEPTED;
}

static void e_no_tls12(struct probe_facts *f)
{
	f->ver[PROBE_TLS12] = PROBE_HELLO_ALERT;
}

static void dhe(struct probe_facts *f, int bits)
{
	f->dhe_hello = PROBE_HELLO_ACCEPTED;
	f->dhe_bits = bits;
}

static void e_dhe_1024(struct probe_facts *f)
{
	dhe(f, 1024);
}

static void e_dhe_512(struct probe_facts *f)
{
	dhe(f, 512);
}

static void e_dhe_2048(struct probe_facts *f)
{
	dhe(f, 2048);
}

static void e_not_audited(struct probe_facts *f)
{
	f->audited = false;
	for (size_t i = 0; i < PROBE_NVER; i++)
		f->ver[i] = PROBE_HELLO_NOT_TRIED;
	f->null_hello = PROBE_HELLO_NOT_TRIED;
	f->null_suite[0] = '\0';
	f->dhe_hello = PROBE_HELLO_NOT_TRIED;
}

/* The audit ran, but no hello of it was accepted (connections failed or all refused). */
static void e_audit_no_conn(struct probe_facts *f)
{
	for (size_t i = 0; i < PROBE_NVER; i++)
		f->ver[i] = PROBE_HELLO_NO_CONN;
	f->null_hello = PROBE_HELLO_NO_CONN;
	f->null_suite[0] = '\0';
	f->dhe_hello = PROBE_HELLO_NO_CONN;
}

static void e_audit_all_refused(struct probe_facts *f)
{
	for (size_t i = 0; i < PROBE_NVER; i++)
		f->ver[i] = PROBE_HELLO_ALERT;
}

/* (test_windows_null_timeout) the NULL-only hello gets no answer. */
static void e_null_timeout(struct probe_facts *f)
{
	f->null_hello = PROBE_HELLO_TIMEOUT;
	f->null_suite[0] = '\0';
}

/* (test_windows_403) a 403 from a web server that asked for no certificate. */
static void e_nginx_403(struct probe_facts *f)
{
	e_null_reset(f);
	http_answer(f, 403, "Forbidden", "nginx/1.22.1");
}

/* ---- the table runner -------------------------------------------------------------------- */

enum { ANY = -1 };

struct judge_case {
	const char *name;
	void (*edit)(struct probe_facts *f);
	enum probe_verdict verdict;
	uint32_t code;
	enum probe_iphttps iphttps;
	/* a finding that must be present; topic NULL: none checked */
	const char *topic;
	int level;	     /* enum probe_level, or ANY */
	const char *text;    /* a substring of its text, or NULL */
	const char *audit;   /* the rating, or NULL: not checked */
	const char *fix;     /* a substring of the fix, or NULL */
	const char *summary; /* a substring of the summary, or NULL */
};

static const struct probe_finding *find(const struct probe_result *r, const char *topic, int level,
					const char *text)
{
	for (size_t i = 0; i < r->nfindings && i < PROBE_FINDINGS_MAX; i++) {
		const struct probe_finding *fd = &r->findings[i];

		if (strcmp(fd->topic, topic) != 0)
			continue;
		if (level != ANY && (int)fd->level != level)
			continue;
		if (text && !strstr(fd->text, text))
			continue;
		return fd;
	}
	return NULL;
}

static void dump(const struct probe_result *r)
{
	print_error("    got: verdict %s code 0x%X iphttps %d audit %s\n    summary: %s\n    fix: "
		    "%s\n",
		    probe_verdict_name(r->verdict), r->code, (int)r->iphttps, r->audit, r->summary,
		    r->fix);
	for (size_t i = 0; i < r->nfindings && i < PROBE_FINDINGS_MAX; i++)
		print_error("    [%s/%s] %s\n", probe_level_name(r->findings[i].level),
			    r->findings[i].topic, r->findings[i].text);
}

/* What every result must satisfy, whatever the facts. */
static bool result_sane(const struct probe_result *r)
{
	if (r->verdict != PROBE_OK && r->verdict != PROBE_FAILED && r->verdict != PROBE_NOT_IPHTTPS)
		return false;
	if (r->summary[0] == '\0' || r->audit == NULL || r->nfindings > PROBE_FINDINGS_MAX)
		return false;
	if (r->verdict == PROBE_OK)
		return r->code == 0 && r->fix[0] == '\0';
	return r->fix[0] != '\0';
}

static bool case_ok(const struct judge_case *c)
{
	struct probe_facts f;
	struct probe_result r;
	bool ok = true;

	healthy(&f);
	if (c->edit)
		c->edit(&f);
	probe_judge(&f, &r);
	ok &= r.verdict == c->verdict && r.code == c->code && r.iphttps == c->iphttps;
	ok &= result_sane(&r);
	if (c->topic)
		ok &= find(&r, c->topic, c->level, c->text) != NULL;
	if (c->audit)
		ok &= strcmp(r.audit, c->audit) == 0;
	if (c->fix)
		ok &= strstr(r.fix, c->fix) != NULL;
	if (c->summary)
		ok &= strstr(r.summary, c->summary) != NULL;
	if (!ok) {
		print_error("case \"%s\": want verdict %s code 0x%X iphttps %d, finding %s/%d "
			    "\"%s\", audit %s, fix \"%s\", summary \"%s\"\n",
			    c->name, probe_verdict_name(c->verdict), c->code, (int)c->iphttps,
			    c->topic ? c->topic : "-", c->level, c->text ? c->text : "",
			    c->audit ? c->audit : "-", c->fix ? c->fix : "",
			    c->summary ? c->summary : "");
		dump(&r);
	}
	return ok;
}

/* Runs every row and fails once at the end, so that one report names every failing row. */
static void run_cases(const struct judge_case *cases, size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++)
		if (!case_ok(&cases[i]))
			bad++;
	assert_int_equal(bad, 0);
}

#define OK  PROBE_OK
#define BAD PROBE_FAILED
#define NOT PROBE_NOT_IPHTTPS
#define YES PROBE_IPHTTPS_YES
#define NO  PROBE_IPHTTPS_NO
#define UNK PROBE_IPHTTPS_UNKNOWN

static void test_healthy(void **state)
{
	struct probe_facts f;
	struct probe_result r;

	(void)state;
	healthy(&f);
	probe_judge(&f, &r);
	if (r.verdict != PROBE_OK)
		dump(&r);
	assert_int_equal(r.verdict, PROBE_OK);
	assert_int_equal(r.code, 0x0);
	assert_int_equal(r.iphttps, PROBE_IPHTTPS_YES);
	assert_string_equal(r.audit, "good");
	assert_string_equal(r.fix, "");
	/* The summary names the prefix the RA carried. */
	assert_non_null(strstr(r.summary, "IP-HTTPS server OK"));
	assert_non_null(strstr(r.summary, "2001:db8:1:1000::/64"));
	/* Nothing to warn about, and every step that worked says so. */
	for (size_t i = 0; i < r.nfindings; i++)
		assert_true(r.findings[i].level == PROBE_GOOD || r.findings[i].level == PROBE_INFO);
	assert_non_null(find(&r, "dns", PROBE_GOOD, NULL));
	assert_non_null(find(&r, "tcp", PROBE_GOOD, NULL));
	assert_non_null(find(&r, "tls", PROBE_GOOD, "TLSv1.3"));
	assert_non_null(find(&r, "cert", PROBE_GOOD, NULL));
	assert_non_null(find(&r, "http", PROBE_GOOD, NULL));
	assert_non_null(find(&r, "link", PROBE_GOOD, "2001:db8:1:1000::/64"));
	assert_non_null(find(&r, "null", PROBE_INFO, "TLS_RSA_WITH_NULL_SHA256"));
	assert_null(find(&r, "http", PROBE_INFO, "nmap"));
}

/* ms-iphttps.md §5.5: the name, the proxy (§4.3), TCP. */
static void test_path(void **state)
{
	static const struct judge_case cases[] = {
	    {"unresolvable", e_unresolvable, BAD, 0x2AF9, UNK, .topic = "dns", .level = PROBE_ERROR,
	     .text = HOST},
	    {"no address (EAI_NODATA)", e_no_data, BAD, 0x2AFC, UNK, .topic = "dns",
	     .level = PROBE_ERROR, .text = "to an address"},
	    {"through a proxy", e_proxy_ok, OK, 0x0, YES, .topic = "proxy", .level = PROBE_GOOD},
	    {"proxy 407", e_proxy_407, BAD, 0x80190197, UNK, .topic = "proxy", .level = PROBE_ERROR,
	     .text = "407", .fix = "credentials"},
	    {"proxy without an answer", e_proxy_silent, BAD, 0x274C, UNK, .topic = "proxy",
	     .level = PROBE_ERROR, .text = "did not answer CONNECT in time", .fix = "CONNECT"},
	    {"proxy closed without an answer", e_proxy_closed, BAD, 0x2746, UNK, .topic = "proxy",
	     .level = PROBE_ERROR, .text = "closed the connection without answering CONNECT",
	     .fix = "allows CONNECT", .summary = "closed"},
	    {"proxy reset instead of an answer", e_proxy_reset, BAD, 0x2746, UNK, .topic = "proxy",
	     .level = PROBE_ERROR, .text = "reset the connection", .fix = "allows CONNECT"},
	    {"proxy answer not HTTP", e_proxy_not_http, BAD, 0x2746, UNK, .topic = "proxy",
	     .level = PROBE_ERROR, .text = "not HTTP", .fix = "HTTP proxy"},
	    {"proxy name does not resolve", e_proxy_unresolvable, BAD, 0x2AF9, UNK,
	     .topic = "proxy", .level = PROBE_ERROR, .text = "does not resolve", .fix = "proxy URL",
	     .summary = "proxy.example.com"},
	    {"proxy status without proxy_answer", e_proxy_status_only, OK, 0x0, YES,
	     .topic = "proxy", .level = PROBE_GOOD, .text = "opened a tunnel"},
	    {"proxy 407 without proxy_answer", e_proxy_407_status_only, BAD, 0x80190197, UNK,
	     .topic = "proxy", .level = PROBE_ERROR, .text = "407", .fix = "credentials"},
	    {"proxy TCP refused", e_proxy_refused, BAD, 0x274D, UNK, .topic = "proxy",
	     .level = PROBE_ERROR, .text = "proxy.example.com"},
	    {"TCP refused", e_tcp_refused, BAD, 0x274D, UNK, .topic = "tcp", .level = PROBE_ERROR,
	     .text = "Connection refused"},
	    {"TCP timeout", e_tcp_timeout, BAD, 0x274C, UNK, .topic = "tcp", .level = PROBE_ERROR,
	     .text = "timed out"},
	    {"TCP unreachable", e_tcp_unreach, BAD, 0x2751, UNK, .topic = "tcp",
	     .level = PROBE_ERROR, .text = "unreachable"},
	    {"TCP other error", e_tcp_error, BAD, 0x80004005, UNK, .topic = "tcp",
	     .level = PROBE_ERROR},
	    {"an address failed before one answered", e_tcp_failed_before, OK, 0x0, YES,
	     .topic = "tcp", .level = PROBE_WARN, .text = "192.0.2.9:443 timeout"},
	};

	(void)state;
	run_cases(cases, N(cases));
}

/* ms-iphttps.md §3.4: the NULL-only ClientHello of Windows 8+, and the main handshake (§5.5). */
static void test_tls(void **state)
{
	static const struct judge_case cases[] = {
	    /* An alert to the NULL-only hello strands Windows 8+ even though HTTP is fine. */
	    {"NULL hello alert", e_null_alert, BAD, 0x80090326, YES, .topic = "null",
	     .level = PROBE_ERROR, .text = "alert 40", .fix = "NULL"},
	    /* A reset makes it flip to the encrypted list, which works. */
	    {"NULL hello reset", e_null_reset, OK, 0x0, YES, .topic = "null", .level = PROBE_INFO,
	     .text = "resets"},
	    {"alert right after the ClientHello", e_tls_alert_ch, BAD, 0x80090326, UNK,
	     .topic = "tls", .level = PROBE_ERROR, .text = "right after the ClientHello: alert 40",
	     .fix = "cipher suite"},
	    {"--null-only alert", e_null_only_alert, BAD, 0x80090326, UNK, .topic = "tls",
	     .level = PROBE_ERROR, .text = "alert 40", .fix = "TLS_RSA_WITH_NULL_SHA256"},
	    {"--null-only accepted", e_null_only_ok, OK, 0x0, YES, .topic = "tls",
	     .level = PROBE_GOOD, .text = "TLS_RSA_WITH_NULL_SHA256"},
	    {"client certificate asked, none sent", e_cert_not_sent, BAD, 0x90320, UNK,
	     .topic = "client-cert", .level = PROBE_INFO, .text = "none was sent",
	     .fix = "client certificate"},
	    {"certificate_required alert", e_cert_required_alert, BAD, 0x90320, UNK, .topic = "tls",
	     .level = PROBE_ERROR, .text = "alert 116"},
	    {"client certificate refused", e_cert_refused, BAD, 0x80090326, UNK, .topic = "tls",
	     .level = PROBE_ERROR, .text = "after the ServerHello: alert 42",
	     .fix = "refused the client"},
	    /* A Windows IP-HTTPS server without its certificate binding resets every handshake. */
	    {"reset right after the ClientHello", e_tls_reset_ch, NOT, 0x2746, UNK, .topic = "tls",
	     .level = PROBE_ERROR, .text = "reset", .fix = "netsh http show sslcert",
	     .summary = "not an IP-HTTPS server"},
	    {"reset after the ServerHello", e_tls_reset_sh, BAD, 0x2746, UNK, .topic = "tls",
	     .level = PROBE_ERROR, .text = "after the ServerHello"},
	    {"--null-only reset", e_null_only_reset, BAD, 0x2746, UNK, .topic = "tls",
	     .level = PROBE_ERROR, .text = "reset", .fix = "--null-only"},
	    {"not TLS", e_not_tls, NOT, 0x80090326, UNK, .topic = "tls", .level = PROBE_ERROR,
	     .text = "400 Bad Request", .summary = "not an IP-HTTPS server"},
	    {"TLS timeout", e_tls_timeout, NOT, 0x274C, UNK, .topic = "tls", .level = PROBE_ERROR,
	     .text = "no answer"},
	    /* Schannel's SEC_E_ALGORITHM_MISMATCH, not an alert from the server (0x80090326). */
	    {"the client refused the server's choice", e_tls_local, BAD, 0x80090331, UNK,
	     .topic = "tls", .level = PROBE_ERROR, .text = "unsupported protocol", .fix = "TLS 1.2",
	     .summary = "clients refuse"},
	    {"the client refused, no ServerHello seen", e_tls_local_early, BAD, 0x80090331, UNK,
	     .topic = "tls", .level = PROBE_ERROR, .text = "answer to the ClientHello"},
	    {"server prefers a NULL suite", e_prefers_null, OK, 0x0, YES, .topic = "tls",
	     .level = PROBE_WARN, .text = "prefers a NULL suite"},
	};

	(void)state;
	run_cases(cases, N(cases));
}

/* ms-iphttps.md §3.2, §5.5: the server certificate, in the order Windows checks it. */
static void test_cert(void **state)
{
	static const struct judge_case cases[] = {
	    {"untrusted", e_untrusted, BAD, 0x800B0109, YES, .topic = "cert", .level = PROBE_ERROR,
	     .text = "unable to get local issuer", .fix = "Example Root CA"},
	    {"expired", e_expired, BAD, 0x800B0101, YES, .topic = "cert", .level = PROBE_ERROR,
	     .text = "has expired"},
	    {"untrusted and expired", e_untrusted_expired, BAD, 0x800B0109, YES, .topic = "cert",
	     .level = PROBE_ERROR, .text = "trusted root"},
	    {"not yet valid", e_not_yet_valid, BAD, 0x800B0101, YES, .topic = "cert",
	     .level = PROBE_ERROR, .text = "not valid yet"},
	    {"revoked", e_revoked, BAD, 0x80092010, YES, .topic = "cert", .level = PROBE_ERROR,
	     .text = "revoked"},
	    {"wrong name", e_name_mismatch, BAD, 0x800B010F, YES, .topic = "cert",
	     .level = PROBE_ERROR, .text = "host name", .fix = HOST},
	    {"wrong name, URL by address", e_ip_literal_mismatch, OK, 0x0, YES, .topic = "url",
	     .level = PROBE_WARN, .text = "0x4BE", .summary = "DNS name in the URL (0x4BE)"},
	    /* OK, but the summary must not promise that a Windows client would connect. */
	    {"URL by address", e_ip_literal, OK, 0x0, YES, .topic = "url", .level = PROBE_WARN,
	     .text = "0x4BE",
	     .summary = "works at this address, but Windows clients need its DNS "
			"name in the URL (0x4BE)"},
	    {"wrong usage", e_wrong_usage, BAD, 0x800B0110, YES, .topic = "cert",
	     .level = PROBE_ERROR, .text = "Server Authentication"},
	    {"bad signature (verify code only)", e_bad_signature, BAD, 0x80096004, YES,
	     .topic = "cert", .level = PROBE_ERROR, .text = "failed verification"},
	    {"--expect-issuer mismatch", e_issuer_mismatch, BAD, 0x0, YES, .topic = "cert",
	     .level = PROBE_ERROR, .text = "unexpected issuer", .fix = "inspection",
	     .summary = "interception"},
	    {"--pin mismatch", e_pin_mismatch, BAD, 0x0, YES, .topic = "cert", .level = PROBE_ERROR,
	     .text = "fingerprint", .fix = "inspection", .summary = "interception"},
	    {"--expect-issuer and --pin match", e_expected_cert, OK, 0x0, YES, .topic = "cert",
	     .level = PROBE_GOOD, .text = "expected"},
	    {"expires soon", e_expires_soon, OK, 0x0, YES, .topic = "cert", .level = PROBE_WARN,
	     .text = "expires in 10 days"},
	    {"no CN", e_no_cn, OK, 0x0, YES, .topic = "cert", .level = PROBE_WARN, .text = "no CN"},
	    {"ECDSA key", e_ecdsa, OK, 0x0, YES, .topic = "cert", .level = PROBE_INFO,
	     .text = "RSA certificate"},
	};

	(void)state;
	run_cases(cases, N(cases));
}

/* ms-iphttps.md §1.4 (the answers and what Windows shows), §6.1 (what nmap takes). */
static void test_http(void **state)
{
	static const struct judge_case cases[] = {
	    {"403 after a CertificateRequest", e_403_cert_asked, BAD, 0x103, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "403", .fix = "--cert"},
	    {"403 from HTTPAPI", e_403_httpapi, BAD, 0x103, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "403"},
	    {"nginx 400, NULL hello reset", e_nginx_400, NOT, 0x80190190, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "nginx/1.22.1", .fix = "IP-HTTPS server",
	     .summary = "nginx/1.22.1"},
	    /* The alert to the NULL hello is what Windows meets first: its code stays. */
	    {"nginx 400, NULL hello alert", e_nginx_400_null_alert, NOT, 0x80090326, NO,
	     .topic = "null", .level = PROBE_ERROR, .text = "alert 40", .fix = "IP-HTTPS server",
	     .summary = "not an IP-HTTPS server"},
	    {"413", e_413, NOT, 0x8019019D, NO, .topic = "http", .level = PROBE_ERROR,
	     .text = "413"},
	    {"HTTPAPI 503", e_httpapi_503, BAD, 0x801901F7, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "503"},
	    {"HTTPAPI 404", e_httpapi_404, NOT, 0x80190194, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "404", .summary = "/IPHTTPS"},
	    {"200 with Content-Length 1234", e_200_length, NOT, 0x80190001, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "has a length"},
	    {"200 with the never-ending length", e_200_length_max, OK, 0x0, YES, .topic = "http",
	     .level = PROBE_GOOD},
	    {"200 chunked", e_200_chunked, NOT, 0x80190001, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "chunked"},
	    {"200 and the body ended", e_200_ended, NOT, 0x2746, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "ended"},
	    {"closed without an answer", e_http_closed, NOT, 0x2746, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "without an answer"},
	    {"no answer in time", e_http_timeout, NOT, 0x274C, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "no answer"},
	    {"answer not HTTP", e_http_not_http, NOT, 0x80190001, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "not HTTP"},
	    {"200 without an RA", e_no_ra, OK, 0x0, YES, .topic = "link", .level = PROBE_WARN,
	     .text = "Router Solicitation"},
	    {"200, RA without a prefix", e_ra_no_prefix, OK, 0x0, YES, .topic = "link",
	     .level = PROBE_GOOD, .text = "without a usable prefix"},
	    {"Server not HTTPAPI", e_server_nginx, OK, 0x0, YES, .topic = "http",
	     .level = PROBE_INFO, .text = "nmap"},
	    {"no Server header", e_no_server, OK, 0x0, YES, .topic = "http", .level = PROBE_INFO,
	     .text = "nmap"},
	    {"http:// behind a balancer", e_plain_http, OK, 0x0, YES, .topic = "url",
	     .level = PROBE_INFO, .text = "http://"},
	    /* nmap says "supported" for these: never "no", but the tunnel is broken. */
	    {"nmap match, 200 with Content-Length 1234", e_200_length_nmap, BAD, 0x2746, YES,
	     .topic = "http", .level = PROBE_ERROR, .text = "nmap reports IP-HTTPS here",
	     .summary = "does not keep the tunnel open"},
	    {"nmap match, body ended", e_200_ended_nmap, BAD, 0x2746, YES, .topic = "http",
	     .level = PROBE_ERROR, .text = "but the body ended"},
	    {"nmap match, body not IPv6", e_200_page_nmap, BAD, 0x2746, YES, .topic = "http",
	     .level = PROBE_ERROR, .text = "is not IPv6 packets"},
	    {"nmap match, body open", e_200_open_nmap, OK, 0x0, YES, .topic = "http",
	     .level = PROBE_GOOD, .text = "body open"},
	    {"no nmap match, body open (our own rule)", e_200_open_no_nmap, OK, 0x0, YES,
	     .topic = "http", .level = PROBE_GOOD, .text = "body open"},
	    {"200, body not IPv6 (captive portal)", e_200_page, NOT, 0x80190001, NO,
	     .topic = "http", .level = PROBE_ERROR, .text = "200", .summary = "captive portal"},
	    {"http:// to a TLS port", e_http_to_tls_port, BAD, 0x80190001, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "speaks TLS", .fix = "https://", .summary = "http://"},
	    {"http://, answer neither HTTP nor TLS", e_http_not_http_plain, NOT, 0x80190001, NO,
	     .topic = "http", .level = PROBE_ERROR, .text = "not HTTP"},
	};

	(void)state;
	run_cases(cases, N(cases));
}

/* The audit is findings and a rating only: it never changes the verdict. */
static void test_audit(void **state)
{
	static const struct judge_case cases[] = {
	    {"SSLv3", e_ssl3, OK, 0x0, YES, .topic = "audit", .level = PROBE_ERROR,
	     .text = "POODLE", .audit = "bad"},
	    {"TLS 1.0", e_tls10, OK, 0x0, YES, .topic = "audit", .level = PROBE_WARN,
	     .text = "TLS 1.0/1.1", .audit = "weak"},
	    {"TLS 1.1", e_tls11, OK, 0x0, YES, .topic = "audit", .level = PROBE_WARN,
	     .text = "TLS 1.0/1.1", .audit = "weak"},
	    {"no TLS 1.2", e_no_tls12, OK, 0x0, YES, .topic = "audit", .level = PROBE_WARN,
	     .text = "TLS 1.2 not", .audit = "good"},
	    {"DHE 1024", e_dhe_1024, OK, 0x0, YES, .topic = "audit", .level = PROBE_WARN,
	     .text = "1024-bit", .audit = "weak"},
	    {"DHE 512", e_dhe_512, OK, 0x0, YES, .topic = "audit", .level = PROBE_ERROR,
	     .text = "512-bit", .audit = "bad"},
	    {"DHE 2048", e_dhe_2048, OK, 0x0, YES, .topic = "audit", .level = PROBE_GOOD,
	     .text = "2048-bit", .audit = "good"},
	    {"not audited", e_not_audited, OK, 0x0, YES, .audit = "unknown"},
	    /* Audited, but nothing accepted: no answer to rate (not "good"). */
	    {"audit without a connection", e_audit_no_conn, OK, 0x0, YES, .audit = "unknown"},
	    {"audit, every version refused", e_audit_all_refused, OK, 0x0, YES, .audit = "unknown"},
	};

	(void)state;
	run_cases(cases, N(cases));
}

/* No audit finding at all when there was no audit. */
static void test_audit_absent(void **state)
{
	struct probe_facts f;
	struct probe_result r;

	(void)state;
	healthy(&f);
	e_not_audited(&f);
	e_ssl3(&f); /* a stale fact must not be judged when audited is false */
	f.audited = false;
	probe_judge(&f, &r);
	assert_null(find(&r, "audit", ANY, NULL));
	assert_null(find(&r, "null", ANY, NULL));
	assert_string_equal(r.audit, "unknown");
}

/*
 * ms-iphttps.md §3.4 [WIN]: Windows 8+ flips to its encrypted list only on 0x80090331,
 * 0x4C9 and 0x2746; "any other TLS error ... does not toggle → plain backoff, forever in null
 * mode". A NULL-only hello that gets no answer fails with a timeout (0x274C, §5.5) and strands
 * the client just like an alert does, however well the encrypted handshake goes.
 */
static void test_windows_null_timeout(void **state)
{
	static const struct judge_case cases[] = {
	    {"NULL hello timeout strands Windows 8+", e_null_timeout, BAD, 0x274C, YES,
	     .topic = "null", .level = PROBE_ERROR},
	};

	(void)state;
	run_cases(cases, N(cases));
}

/*
 * ms-iphttps.md §1.4 and §3.3 [WIN]: on HTTP 403 a Windows client moves to its next
 * client certificate (with none, it has no next one) and stops with 0x103, whoever sent the 403.
 * The verdict stays "not IP-HTTPS" for a web server's 403.
 */
static void test_windows_403(void **state)
{
	static const struct judge_case cases[] = {
	    {"nginx 403 shows as 0x103", e_nginx_403, NOT, 0x103, NO, .topic = "http",
	     .level = PROBE_ERROR, .text = "403"},
	};

	(void)state;
	run_cases(cases, N(cases));
}

/* probe_add() drops findings past PROBE_FINDINGS_MAX and writes nothing beyond the array. */
static void test_findings_bound(void **state)
{
	struct probe_facts f;
	struct {
		struct probe_result r;
		unsigned char guard[64];
	} g;
	struct probe_jctx j = {.f = &f, .r = &g.r};
	unsigned char zero[sizeof(g.guard)];

	(void)state;
	probe_facts_init(&f);
	memset(&g, 0, sizeof(g));
	memset(zero, 0, sizeof(zero));
	for (int i = 0; i < PROBE_FINDINGS_MAX + 10; i++)
		probe_add(&j, PROBE_WARN, "a-topic-longer-than-sixteen", "finding %d", i);
	assert_int_equal(g.r.nfindings, PROBE_FINDINGS_MAX);
	assert_string_equal(g.r.findings[PROBE_FINDINGS_MAX - 1].text, "finding 31");
	assert_string_equal(g.r.findings[0].topic, "a-topic-longer-"); /* truncated, terminated */
	assert_memory_equal(g.guard, zero, sizeof(zero));
}

/* Everything that can be wrong at once without an early stop: a long list, still bounded. */
static void e_many(struct probe_facts *f)
{
	e_ip_literal_mismatch(f);
	e_issuer_mismatch(f);
	e_pin_mismatch(f);
	e_expires_soon(f);
	e_no_cn(f);
	e_ecdsa(f);
	f->has_cdp = false;
	f->self_signed = true;
	f->cert_asked = true;
	e_prefers_null(f);
	e_server_nginx(f);
	e_no_ra(f);
	e_ssl3(f);
	e_tls10(f);
	e_no_tls12(f);
	e_dhe_512(f);
}

static void test_findings_many(void **state)
{
	struct probe_facts f;
	struct probe_result r;

	(void)state;
	healthy(&f);
	e_many(&f);
	probe_judge(&f, &r);
	assert_true(r.nfindings >= 18);
	assert_true(r.nfindings <= PROBE_FINDINGS_MAX);
	for (size_t i = 0; i < r.nfindings; i++) {
		assert_true(r.findings[i].level <= PROBE_ERROR);
		assert_true(r.findings[i].topic[0] != '\0');
		assert_true(r.findings[i].text[0] != '\0');
	}
	/* The interception is the only thing that decides; the rest are findings. */
	assert_int_equal(r.verdict, PROBE_FAILED);
	assert_int_equal(r.code, 0x0);
	assert_string_equal(r.audit, "bad");
}

/*
 * A sweep over the facts that steer the judgement: every result is sane (verdict one of three,
 * a summary, a fix exactly when not OK, code 0 when OK), "yes" only for a 200 with an open
 * body, "unknown" exactly when no POST was sent, and a failed handshake is never OK.
 */
static void sweep_one(const struct probe_facts *f, size_t *bad)
{
	struct probe_result r;
	bool ok;

	probe_judge(f, &r);
	ok = result_sane(&r);
	if (r.iphttps == PROBE_IPHTTPS_YES)
		ok &= f->http == PROBE_HELLO_ACCEPTED && f->status == 200;
	ok &= (r.iphttps == PROBE_IPHTTPS_UNKNOWN) == !f->http_sent;
	if (f->tls != PROBE_HELLO_ACCEPTED && f->tls != PROBE_HELLO_NOT_TRIED &&
	    f->tls != PROBE_HELLO_NO_CONN)
		ok &= r.verdict != PROBE_OK;
	if (!ok && (*bad)++ < 5) {
		print_error("sweep: tls %s phase %s null %s http %s status %d null_only %d\n",
			    probe_hello_name(f->tls), probe_phase_name(f->phase),
			    probe_hello_name(f->null_hello), probe_hello_name(f->http), f->status,
			    f->null_only);
		dump(&r);
	}
}

static void test_sweep(void **state)
{
	static const int statuses[] = {0, 200, 400, 403, 404, 407, 413, 503};
	struct probe_facts f;
	size_t bad = 0, n = 0;

	(void)state;
	/* Nothing gathered at all. */
	probe_facts_init(&f);
	sweep_one(&f, &bad);
	/* PROBE_HELLO_LOCAL is the last value of enum probe_hello. */
	for (int tls = PROBE_HELLO_NOT_TRIED; tls <= PROBE_HELLO_LOCAL; tls++)
		for (int ph = PROBE_PHASE_NONE; ph <= PROBE_PHASE_SERVER_HELLO; ph++)
			for (int nh = PROBE_HELLO_NOT_TRIED; nh <= PROBE_HELLO_LOCAL; nh++)
				for (int http = PROBE_HELLO_NOT_TRIED; http <= PROBE_HELLO_LOCAL;
				     http++)
					for (size_t s = 0; s < N(statuses); s++)
						for (int no = 0; no < 2; no++) {
							healthy(&f);
							f.tls = (enum probe_hello)tls;
							f.phase = (enum probe_phase)ph;
							f.alert =
							    tls == PROBE_HELLO_ALERT ? 40 : -1;
							f.null_hello = (enum probe_hello)nh;
							f.null_alert =
							    nh == PROBE_HELLO_ALERT ? 40 : -1;
							f.http = (enum probe_hello)http;
							f.http_sent = http != PROBE_HELLO_NOT_TRIED;
							f.status = statuses[s];
							f.null_only = no;
							sweep_one(&f, &bad);
							n++;
						}
	assert_int_equal(n, 10 * 3 * 10 * 10 * N(statuses) * 2);
	assert_int_equal(bad, 0);
}

/* probe_judge() overwrites the whole result: nothing of a previous run survives. */
static void test_result_reset(void **state)
{
	struct probe_facts f;
	struct probe_result r;

	(void)state;
	memset(&r, 0x5A, sizeof(r));
	healthy(&f);
	probe_judge(&f, &r);
	assert_int_equal(r.verdict, PROBE_OK);
	assert_true(r.nfindings <= PROBE_FINDINGS_MAX);
	assert_string_equal(r.fix, "");
}

static void test_facts_init(void **state)
{
	struct probe_facts f;

	(void)state;
	memset(&f, 0x5A, sizeof(f));
	probe_facts_init(&f);
	assert_int_equal(f.alert, -1);
	assert_int_equal(f.null_alert, -1);
	assert_int_equal(f.warn_days, 30);
	assert_false(f.resolved);
	assert_int_equal(f.tcp, PROBE_TCP_NOT_TRIED);
	assert_int_equal(f.tls, PROBE_HELLO_NOT_TRIED);
	assert_int_equal(f.http, PROBE_HELLO_NOT_TRIED);
	assert_null(f.expect_issuer);
	assert_null(f.pin);
	assert_string_equal(f.host, "");
}

static void test_names(void **state)
{
	static const char *const hello[] = {"not-tried",     "accepted",       "refused", "alert",
					    "reset",	     "closed",	       "timeout", "not-tls",
					    "no-connection", "refused-locally"};
	static const char *const tcp[] = {"not-tried", "ok",	      "refused",
					  "timeout",   "unreachable", "error"};
	static const char *const ver[] = {"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
	static const char *const level[] = {"info", "good", "warning", "error"};

	(void)state;
	for (int i = 0; i < (int)N(hello); i++)
		assert_string_equal(probe_hello_name((enum probe_hello)i), hello[i]);
	assert_string_equal(probe_hello_name((enum probe_hello)N(hello)), "?");
	assert_string_equal(probe_hello_name((enum probe_hello) - 1), "?");

	for (int i = 0; i < (int)N(tcp); i++)
		assert_string_equal(probe_tcp_name((enum probe_tcp)i), tcp[i]);
	assert_string_equal(probe_tcp_name((enum probe_tcp)N(tcp)), "?");
	assert_string_equal(probe_tcp_name((enum probe_tcp) - 1), "?");

	assert_int_equal(N(ver), PROBE_NVER);
	for (int i = 0; i < PROBE_NVER; i++)
		assert_string_equal(probe_ver_name((enum probe_ver)i), ver[i]);
	assert_string_equal(probe_ver_name(PROBE_NVER), "?");
	assert_string_equal(probe_ver_name((enum probe_ver) - 1), "?");

	for (int i = 0; i < (int)N(level); i++)
		assert_string_equal(probe_level_name((enum probe_level)i), level[i]);
	assert_string_equal(probe_level_name((enum probe_level)N(level)), "?");
	assert_string_equal(probe_level_name((enum probe_level) - 1), "?");

	assert_string_equal(probe_phase_name(PROBE_PHASE_NONE), "none");
	assert_string_equal(probe_phase_name(PROBE_PHASE_CLIENT_HELLO), "client-hello");
	assert_string_equal(probe_phase_name(PROBE_PHASE_SERVER_HELLO), "server-hello");
	/* No "?" here: anything else reads as "none" (the JSON "failed_after" field). */
	assert_string_equal(probe_phase_name((enum probe_phase)3), "none");

	assert_string_equal(probe_verdict_name(PROBE_OK), "ok");
	assert_string_equal(probe_verdict_name(PROBE_FAILED), "failed");
	assert_string_equal(probe_verdict_name(PROBE_NOT_IPHTTPS), "not-iphttps");
	/* No "?" here either: anything that is not OK or NOT_IPHTTPS reads as "failed". */
	assert_string_equal(probe_verdict_name((enum probe_verdict)2), "failed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_healthy),	  cmocka_unit_test(test_path),
	    cmocka_unit_test(test_tls),		  cmocka_unit_test(test_cert),
	    cmocka_unit_test(test_http),	  cmocka_unit_test(test_audit),
	    cmocka_unit_test(test_audit_absent),  cmocka_unit_test(test_findings_bound),
	    cmocka_unit_test(test_findings_many), cmocka_unit_test(test_sweep),
	    cmocka_unit_test(test_result_reset),  cmocka_unit_test(test_facts_init),
	    cmocka_unit_test(test_names),	  cmocka_unit_test(test_windows_null_timeout),
	    cmocka_unit_test(test_windows_403),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
