/* SPDX-License-Identifier: ISC */
/*
 * probe: facts in, verdict, Windows LastErrorCode and findings out (see probe.h).
 *
 * The code is the first failure a Windows 8+ client meets on its way (ms-iphttps.md §3.4, §5.5):
 * the name, the proxy, TCP, the NULL-only ClientHello it sends first, the handshake, the
 * certificate, the HTTP answer. The verdict is separate: a device that is not an IP-HTTPS
 * server is named as such (PROBE_NOT_IPHTTPS) even when Windows would stumble over an earlier
 * problem first, because moving the name to the right device is the fix.
 *
 * Whether the responder is an IP-HTTPS server follows what nmap's ip-https-discover accepts
 * (§6.1: "HTTP/1.1 200" in the first answer), sharpened by the body: a 200 with a length or a
 * closed connection is a web page, not the never-ending body of §1.4.
 */
#include "proto/probe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/probe_int.h"
#include "proto/winerr.h"

void probe_add(struct probe_jctx *j, enum probe_level level, const char *topic, const char *fmt,
	       ...)
{
	struct probe_finding *fd;
	va_list ap;

	if (j->r->nfindings >= PROBE_FINDINGS_MAX)
		return;
	fd = &j->r->findings[j->r->nfindings++];
	fd->level = level;
	snprintf(fd->topic, sizeof(fd->topic), "%s", topic);
	va_start(ap, fmt);
	vsnprintf(fd->text, sizeof(fd->text), fmt, ap);
	va_end(ap);
}

void probe_fmt(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

/* The first failure on Windows' path sets the code, the verdict, the summary and the fix. */
void probe_decide(struct probe_jctx *j, enum probe_verdict v, uint32_t code, const char *fix,
		  const char *fmt, ...)
{
	va_list ap;

	if (j->decided)
		return;
	j->decided = true;
	j->r->verdict = v;
	j->r->code = code;
	snprintf(j->r->fix, sizeof(j->r->fix), "%s", fix ? fix : winerr_lookup(code)->fix);
	va_start(ap, fmt);
	vsnprintf(j->r->summary, sizeof(j->r->summary), fmt, ap);
	va_end(ap);
}

/* The responder is not an IP-HTTPS server: that verdict and its summary win, the code stays. */
void probe_not_iphttps(struct probe_jctx *j, uint32_t code, const char *fix, const char *what)
{
	if (j->not_iphttps)
		return;
	j->not_iphttps = true;
	if (!j->decided) {
		probe_decide(j, PROBE_NOT_IPHTTPS, code, fix, "not an IP-HTTPS server: %s", what);
		return;
	}
	j->r->verdict = PROBE_NOT_IPHTTPS;
	snprintf(j->r->summary, sizeof(j->r->summary), "not an IP-HTTPS server: %s", what);
	snprintf(j->r->fix, sizeof(j->r->fix), "%s", fix);
}

const char probe_fix_device[] =
    "point the URL's name (and port 443 on the firewall/NAT) at the IP-HTTPS server, or configure "
    "this device to pass the connection through to it";

/* Windows accepts only a DNS name in the URL (§5.3, KB2980627). Probing by address is still
   useful to an administrator, so it is a warning, not the verdict. */
static void probe_judge_url(struct probe_jctx *j)
{
	if (j->f->ip_literal)
		probe_add(j, PROBE_WARN, "url",
			  "the URL host %s is an IP address: Windows clients refuse such a URL "
			  "(0x4BE); use the DNS name in the server certificate",
			  j->f->host);
	if (j->f->plain_http)
		probe_add(j, PROBE_INFO, "url",
			  "http:// URL: no TLS here, as behind a TLS-terminating balancer "
			  "(ms-iphttps.md section 1.3); "
			  "Windows clients connect with https://");
}

static void probe_judge_resolve(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	if (f->proxy || f->ip_literal)
		return;
	if (!f->resolved) {
		uint32_t code = f->no_data ? WINERR_WSANO_DATA : WINERR_WSAHOST_NOT_FOUND;

		probe_add(j, PROBE_ERROR, "dns", "%s does not resolve%s", f->host,
			  f->no_data ? " to an address" : "");
		probe_decide(j, PROBE_FAILED, code, NULL, "the name %s does not resolve", f->host);
		return;
	}
	probe_add(j, PROBE_GOOD, "dns", "%s resolves to %zu address%s", f->host, f->naddrs,
		  f->naddrs == 1 ? "" : "es");
}

static uint32_t probe_judge_tcp_code(enum probe_tcp t)
{
	switch (t) {
	case PROBE_TCP_REFUSED:
		return WINERR_WSAECONNREFUSED;
	case PROBE_TCP_TIMEOUT:
		return WINERR_WSAETIMEDOUT;
	case PROBE_TCP_UNREACH:
		return WINERR_WSAEHOSTUNREACH;
	default:
		return WINERR_E_FAIL;
	}
}

static const char *probe_judge_tcp_text(enum probe_tcp t)
{
	switch (t) {
	case PROBE_TCP_REFUSED:
		return "refused (RST): nothing listens there";
	case PROBE_TCP_TIMEOUT:
		return "timed out: no answer, a firewall drops it";
	case PROBE_TCP_UNREACH:
		return "unreachable";
	default:
		return "failed";
	}
}

/* The proxy's answer when it was no usable HTTP answer: closed, silent, reset, not HTTP. */
static const char *probe_judge_proxy_none(enum probe_hello h)
{
	switch (h) {
	case PROBE_HELLO_CLOSED:
		return "closed the connection without answering CONNECT";
	case PROBE_HELLO_TIMEOUT:
		return "did not answer CONNECT in time";
	case PROBE_HELLO_RESET:
		return "reset the connection instead of answering CONNECT";
	case PROBE_HELLO_NOT_TLS:
		return "answered CONNECT with something that is not HTTP (not an HTTP proxy?)";
	default:
		return "gave no answer to CONNECT";
	}
}

static bool probe_judge_proxy_reach(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	if (f->proxy_gai_error) {
		probe_add(j, PROBE_ERROR, "proxy", "the proxy's name in %s does not resolve",
			  f->proxy_name);
		probe_decide(j, PROBE_FAILED, WINERR_WSAHOST_NOT_FOUND,
			     "check the proxy URL (--proxy, https_proxy) and DNS for its name",
			     "the proxy %s cannot be found", f->proxy_name);
		return false;
	}
	if (f->proxy_tcp != PROBE_TCP_OK) {
		probe_add(j, PROBE_ERROR, "proxy", "TCP to the proxy %s %s", f->proxy_name,
			  probe_judge_tcp_text(f->proxy_tcp));
		probe_decide(j, PROBE_FAILED, probe_judge_tcp_code(f->proxy_tcp),
			     "check the proxy address (--proxy, https_proxy) and that it runs",
			     "the proxy %s cannot be reached", f->proxy_name);
		return false;
	}
	if (f->proxy_answer != PROBE_HELLO_ACCEPTED && f->proxy_status == 0) {
		probe_add(j, PROBE_ERROR, "proxy", "the proxy %s",
			  probe_judge_proxy_none(f->proxy_answer));
		probe_decide(j, PROBE_FAILED,
			     f->proxy_answer == PROBE_HELLO_TIMEOUT ? WINERR_WSAETIMEDOUT
								    : WINERR_WSAECONNRESET,
			     "check that the --proxy URL names an HTTP proxy that allows CONNECT",
			     "the proxy %s", probe_judge_proxy_none(f->proxy_answer));
		return false;
	}
	return true;
}

static void probe_judge_proxy(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	if (!f->proxy || !probe_judge_proxy_reach(j))
		return;
	if (f->proxy_status < 200 || f->proxy_status > 299) {
		uint32_t code = winerr_from_http(f->proxy_status);

		probe_add(j, PROBE_ERROR, "proxy", "the proxy answered CONNECT with %d %s",
			  f->proxy_status, f->proxy_reason);
		probe_decide(j, PROBE_FAILED, code,
			     f->proxy_status == 407
				 ? "give the proxy credentials in the proxy URL (user:password@)"
				 : "the proxy refuses or cannot reach the server: check its "
				   "allowed ports (CONNECT to 443) and its view of DNS",
			     "the proxy refused the tunnel: %d %s", f->proxy_status,
			     f->proxy_reason);
		return;
	}
	probe_add(j, PROBE_GOOD, "proxy", "the proxy opened a tunnel to %s:%u", f->host, f->port);
}

static void probe_judge_tcp(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	if (f->proxy || f->tcp == PROBE_TCP_NOT_TRIED)
		return;
	if (f->tcp != PROBE_TCP_OK) {
		probe_add(j, PROBE_ERROR, "tcp", "TCP to %s %s%s%s", f->tcp_peer,
			  probe_judge_tcp_text(f->tcp), f->tcp_error[0] ? ": " : "", f->tcp_error);
		probe_decide(j, PROBE_FAILED, probe_judge_tcp_code(f->tcp), NULL,
			     "cannot connect to %s port %u: %s", f->host, f->port,
			     probe_judge_tcp_text(f->tcp));
		return;
	}
	probe_add(j, PROBE_GOOD, "tcp", "TCP to %s connected", f->tcp_peer);
	if (f->tcp_failed[0])
		probe_add(j, PROBE_WARN, "tcp",
			  "before it: %s; clients trying those addresses first wait as long",
			  f->tcp_failed);
}

static const char *probe_judge_rating(const struct probe_facts *f)
{
	bool any = false;

	for (int v = 0; v < PROBE_NVER; v++)
		any = any || f->ver[v] == PROBE_HELLO_ACCEPTED;
	if (!f->audited || !any)
		return "unknown"; /* nothing answered the audit's hellos: no rating */
	if (f->ver[PROBE_SSL3] == PROBE_HELLO_ACCEPTED ||
	    (f->dhe_hello == PROBE_HELLO_ACCEPTED && f->dhe_bits < PROBE_DH_WEAK))
		return "bad";
	if (f->ver[PROBE_TLS10] == PROBE_HELLO_ACCEPTED ||
	    f->ver[PROBE_TLS11] == PROBE_HELLO_ACCEPTED ||
	    (f->dhe_hello == PROBE_HELLO_ACCEPTED && f->dhe_bits < PROBE_DH_STRONG))
		return "weak";
	return "good";
}

void probe_judge(const struct probe_facts *f, struct probe_result *r)
{
	struct probe_jctx j = {.f = f, .r = r};

	memset(r, 0, sizeof(*r));
	probe_judge_url(&j);
	probe_judge_resolve(&j);
	probe_judge_proxy(&j);
	probe_judge_tcp(&j);
	probe_sec_null(&j);
	probe_sec_tls(&j);
	probe_sec_cert(&j);
	probe_http_judge(&j);
	probe_sec_audit(&j);
	r->audit = probe_judge_rating(f);
	/* Nothing failed, but the IP-HTTPS question was never asked (a local TLS error): no OK. */
	if (!j.decided && !f->http_sent)
		probe_decide(&j, PROBE_FAILED, WINERR_E_FAIL, "see the TLS line of the report",
			     "the probe could not complete: %s",
			     f->tls_error[0] ? f->tls_error : "no IP-HTTPS request was sent");
	if (!j.decided)
		probe_decide(&j, PROBE_OK, WINERR_SUCCESS, "", "IP-HTTPS server OK: %s%s%s",
			     f->ip_literal ? "works at this address, but Windows clients need its "
					     "DNS name in the URL (0x4BE)"
					   : "a Windows client would connect",
			     f->ra && f->ra_prefix[0] ? "; link prefix " : "",
			     f->ra && f->ra_prefix[0] ? f->ra_prefix : "");
}

void probe_facts_init(struct probe_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->alert = -1;
	f->null_alert = -1;
	f->warn_days = 30;
}

const char *probe_hello_name(enum probe_hello h)
{
	static const char *const names[] = {
	    [PROBE_HELLO_NOT_TRIED] = "not-tried",   [PROBE_HELLO_ACCEPTED] = "accepted",
	    [PROBE_HELLO_REFUSED] = "refused",	     [PROBE_HELLO_ALERT] = "alert",
	    [PROBE_HELLO_RESET] = "reset",	     [PROBE_HELLO_CLOSED] = "closed",
	    [PROBE_HELLO_TIMEOUT] = "timeout",	     [PROBE_HELLO_NOT_TLS] = "not-tls",
	    [PROBE_HELLO_NO_CONN] = "no-connection", [PROBE_HELLO_LOCAL] = "refused-locally",
	};

	return (unsigned)h < sizeof(names) / sizeof(names[0]) ? names[h] : "?";
}

const char *probe_phase_name(enum probe_phase p)
{
	return p == PROBE_PHASE_CLIENT_HELLO   ? "client-hello"
	       : p == PROBE_PHASE_SERVER_HELLO ? "server-hello"
					       : "none";
}

const char *probe_tcp_name(enum probe_tcp t)
{
	static const char *const names[] = {
	    [PROBE_TCP_NOT_TRIED] = "not-tried", [PROBE_TCP_OK] = "ok",
	    [PROBE_TCP_REFUSED] = "refused",	 [PROBE_TCP_TIMEOUT] = "timeout",
	    [PROBE_TCP_UNREACH] = "unreachable", [PROBE_TCP_ERROR] = "error",
	};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

const char *probe_verdict_name(enum probe_verdict v)
{
	return v == PROBE_OK ? "ok" : v == PROBE_NOT_IPHTTPS ? "not-iphttps" : "failed";
}

const char *probe_ver_name(enum probe_ver v)
{
	static const char *const names[] = {"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"};

	return (unsigned)v < PROBE_NVER ? names[v] : "?";
}

const char *probe_level_name(enum probe_level l)
{
	static const char *const names[] = {"info", "good", "warning", "error"};

	return (unsigned)l < 4 ? names[l] : "?";
}

/* TLS AlertDescription names, as OpenSSL spells them (RFC 8446 §6, RFC 5246 §7.2). */
const char *probe_alert_name(int alert)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
	    {0, "close notify"},
	    {10, "unexpected message"},
	    {20, "bad record mac"},
	    {21, "decryption failed"},
	    {22, "record overflow"},
	    {30, "decompression failure"},
	    {40, "handshake failure"},
	    {41, "no certificate"},
	    {42, "bad certificate"},
	    {43, "unsupported certificate"},
	    {44, "certificate revoked"},
	    {45, "certificate expired"},
	    {46, "certificate unknown"},
	    {47, "illegal parameter"},
	    {48, "unknown CA"},
	    {49, "access denied"},
	    {50, "decode error"},
	    {51, "decrypt error"},
	    {60, "export restriction"},
	    {70, "protocol version"},
	    {71, "insufficient security"},
	    {80, "internal error"},
	    {86, "inappropriate fallback"},
	    {90, "user canceled"},
	    {100, "no renegotiation"},
	    {109, "missing extension"},
	    {110, "unsupported extension"},
	    {111, "certificate unobtainable"},
	    {112, "unrecognized name"},
	    {113, "bad certificate status response"},
	    {114, "bad certificate hash value"},
	    {115, "unknown PSK identity"},
	    {116, "certificate required"},
	    {120, "no application protocol"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == alert)
			return names[i].name;
	return "unknown";
}
