/* SPDX-License-Identifier: ISC */
/*
 * probe_out: what `iphttps probe` prints. The human report is one screen: the target, one line
 * per step that was tried (name, proxy, TCP, TLS, certificate, client certificate, HTTP,
 * audit), the findings with a marker per level, and the verdict with the Windows
 * LastErrorCode a Windows client would most likely show (ms-iphttps.md §5.5) and its fix.
 * --json (probe_json.c) prints the same as one object; both start from the sealed view here.
 *
 * It does not judge (proto/probe does) and does no I/O besides writing to the given stream.
 * Both forms work on a sealed copy of the facts and the result (every string terminated,
 * every count clamped), so a bug in gathering cannot make the report read past a field. Text
 * from the server (certificate names, reason phrase, Server header, body snippet) reaches a
 * terminal only as printable ASCII, anything else as \xHH: no escape sequences from a server.
 */
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "iphttps/probe.h"
#include "iphttps/probe_out.h"
#include "lib/sbuf.h"
#include "proto/probe.h"
#include "proto/winerr.h"

#define PROBE_OUT_WIDTH 100  /* columns of the human report */
#define PROBE_OUT_COL	15   /* where a step's text starts */
#define PROBE_OUT_TEXT	1536 /* one composed value, before wrapping */

/* ------------------------------------------------------------------------------------------ */
/* Sealing */

#define PROBE_OUT_SEAL(a) ((a)[sizeof(a) - 1] = '\0')

static void probe_out_seal_facts(struct probe_facts *f)
{
	PROBE_OUT_SEAL(f->host);
	PROBE_OUT_SEAL(f->path);
	PROBE_OUT_SEAL(f->proxy_name);
	PROBE_OUT_SEAL(f->proxy_reason);
	PROBE_OUT_SEAL(f->tcp_peer);
	PROBE_OUT_SEAL(f->tcp_error);
	PROBE_OUT_SEAL(f->tls_version);
	PROBE_OUT_SEAL(f->tls_cipher);
	PROBE_OUT_SEAL(f->tls_error);
	PROBE_OUT_SEAL(f->subject);
	PROBE_OUT_SEAL(f->issuer);
	PROBE_OUT_SEAL(f->cn);
	PROBE_OUT_SEAL(f->san);
	PROBE_OUT_SEAL(f->key);
	PROBE_OUT_SEAL(f->sha256);
	PROBE_OUT_SEAL(f->verify_text);
	PROBE_OUT_SEAL(f->reason);
	PROBE_OUT_SEAL(f->server);
	PROBE_OUT_SEAL(f->ra_prefix);
	PROBE_OUT_SEAL(f->snippet);
	PROBE_OUT_SEAL(f->null_suite);
	if (f->naddrs > PROBE_MAX_ADDRS)
		f->naddrs = PROBE_MAX_ADDRS;
	for (size_t i = 0; i < f->naddrs; i++)
		PROBE_OUT_SEAL(f->addrs[i]);
	if (f->chain_len > PROBE_CHAIN_MAX)
		f->chain_len = PROBE_CHAIN_MAX;
	for (size_t i = 0; i < f->chain_len; i++)
		PROBE_OUT_SEAL(f->chain[i]);
}

static void probe_out_seal_result(struct probe_result *r)
{
	PROBE_OUT_SEAL(r->summary);
	PROBE_OUT_SEAL(r->fix);
	if (r->nfindings > PROBE_FINDINGS_MAX)
		r->nfindings = PROBE_FINDINGS_MAX;
	for (size_t i = 0; i < r->nfindings; i++) {
		PROBE_OUT_SEAL(r->findings[i].topic);
		PROBE_OUT_SEAL(r->findings[i].text);
	}
}

void probe_out_view_init(struct probe_out_view *v, const struct probe *p,
			 const struct probe_result *r)
{
	v->f = p->f;
	v->r = *r;
	probe_out_seal_facts(&v->f);
	probe_out_seal_result(&v->r);
	snprintf(v->target, sizeof(v->target), "%.*s",
		 (int)strnlen(p->o.url_text, sizeof(v->target) - 1), p->o.url_text);
	v->w = winerr_lookup(r->code);
	winerr_name(r->code, v->wname, sizeof(v->wname));
	snprintf(v->whex, sizeof(v->whex), "0x%" PRIX32, r->code);
}

/* ------------------------------------------------------------------------------------------ */
/* Names shared by both forms */

const char *probe_out_iphttps_name(enum probe_iphttps i)
{
	switch (i) {
	case PROBE_IPHTTPS_YES:
		return "yes";
	case PROBE_IPHTTPS_NO:
		return "no";
	case PROBE_IPHTTPS_UNKNOWN:
		break;
	}
	return "unknown";
}

/* "2026-12-07T02:00:00Z" (RFC 3339 §5.6, UTC); "" when the time cannot be broken down. */
void probe_out_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
}

bool probe_out_resolve_tried(const struct probe_facts *f)
{
	return f->resolved || f->gai_error != 0 || f->no_data;
}

const char *probe_out_resolve_error(const struct probe_facts *f)
{
	if (f->gai_error != 0)
		return gai_strerror(f->gai_error);
	return f->no_data ? "the name has no address" : NULL;
}

void probe_out_verify_text(const struct probe_facts *f, char *buf, size_t len)
{
	if (f->verify_text[0])
		snprintf(buf, len, "%s", f->verify_text);
	else
		snprintf(buf, len, "verify error %ld", f->verify_error);
}

/* ------------------------------------------------------------------------------------------ */
/* The human report */

/* Appends to a NUL-terminated buf of size len; output that does not fit is cut off. */
__attribute__((format(printf, 3, 4))) static void probe_out_cat(char *buf, size_t len,
								const char *fmt, ...)
{
	size_t n = strnlen(buf, len);
	va_list ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* text as printable ASCII: other bytes (a server's escape sequences) become \xHH. */
static void probe_out_safe(const char *text, char *buf, size_t len)
{
	size_t n = 0;

	for (const unsigned char *s = (const unsigned char *)text; *s && n + 5 <= len; s++) {
		if (*s >= 0x20 && *s < 0x7f)
			buf[n++] = (char)*s;
		else
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", *s);
	}
	buf[n] = '\0';
}

/* Length of the part of s (no leading spaces) that fits in room columns, cut at a space. */
static size_t probe_out_fit(const char *s, size_t room)
{
	size_t n = strlen(s), cut = 0;

	if (n <= room)
		return n;
	for (size_t i = 1; i <= room; i++)
		if (s[i] == ' ')
			cut = i;
	return cut > 0 ? cut : room; /* one word longer than the line: cut it */
}

/*
 * Prints lead, then text wrapped at PROBE_OUT_WIDTH columns; continuation lines start at column
 * cont. lead must be shorter than PROBE_OUT_WIDTH.
 */
static void probe_out_wrap(FILE *out, const char *lead, size_t cont, const char *text)
{
	char safe[4 * PROBE_OUT_TEXT];
	size_t col = strlen(lead), n;
	const char *s = safe;

	probe_out_safe(text, safe, sizeof(safe));
	fputs(lead, out);
	for (;;) {
		/* Every turn but an empty text's only one consumes a byte or more: it ends. */
		n = probe_out_fit(s, col < PROBE_OUT_WIDTH ? PROBE_OUT_WIDTH - col : 1);
		fprintf(out, "%.*s\n", (int)n, s);
		s += n;
		s += strspn(s, " ");
		if (*s == '\0')
			break;
		fprintf(out, "%*s", (int)cont, "");
		col = cont;
	}
}

/* One step: "  tls          TLSv1.3 TLS_AES_128_GCM_SHA256". */
static void probe_out_step(FILE *out, const char *name, const char *text)
{
	char lead[PROBE_OUT_COL + 1];

	snprintf(lead, sizeof(lead), "  %-*s", PROBE_OUT_COL - 2, name);
	probe_out_wrap(out, lead, PROBE_OUT_COL, text);
}

/* What came back for a ClientHello, in words. */
static const char *probe_out_hello_text(enum probe_hello h)
{
	switch (h) {
	case PROBE_HELLO_ACCEPTED:
		return "accepted";
	case PROBE_HELLO_REFUSED:
		return "refused (answered for another version)";
	case PROBE_HELLO_ALERT:
		return "fatal alert";
	case PROBE_HELLO_RESET:
		return "connection reset";
	case PROBE_HELLO_CLOSED:
		return "connection closed";
	case PROBE_HELLO_TIMEOUT:
		return "no answer";
	case PROBE_HELLO_NOT_TLS:
		return "the answer is not TLS";
	case PROBE_HELLO_NO_CONN:
		return "no connection";
	case PROBE_HELLO_LOCAL:
		return "refused by the client";
	case PROBE_HELLO_NOT_TRIED:
		break;
	}
	return "not tried";
}

/* Through a proxy the name resolved is the proxy's: the proxy resolves the server's. */
static void probe_out_h_name(FILE *out, const struct probe_facts *f)
{
	char t[PROBE_OUT_TEXT] = "";

	if (!probe_out_resolve_tried(f))
		return;
	if (f->proxy)
		probe_out_cat(t, sizeof(t), "the proxy %s", f->proxy_name);
	else
		probe_out_cat(t, sizeof(t), "%s", f->host);
	if (!f->resolved) {
		probe_out_cat(t, sizeof(t), ": %s", probe_out_resolve_error(f));
	} else {
		for (size_t i = 0; i < f->naddrs; i++)
			probe_out_cat(t, sizeof(t), "%s%s", i ? ", " : " -> ", f->addrs[i]);
	}
	probe_out_step(out, "name", t);
}

static void probe_out_h_proxy(FILE *out, const struct probe_facts *f)
{
	char t[PROBE_OUT_TEXT] = "";

	if (!f->proxy)
		return;
	probe_out_cat(t, sizeof(t), "%s: ", f->proxy_name);
	if (f->proxy_gai_error)
		probe_out_cat(t, sizeof(t), "the name does not resolve (%s)", f->tcp_error);
	else if (f->proxy_tcp != PROBE_TCP_OK && f->proxy_tcp != PROBE_TCP_NOT_TRIED)
		probe_out_cat(t, sizeof(t), "TCP %s", probe_tcp_name(f->proxy_tcp));
	else if (f->proxy_status != 0)
		probe_out_cat(t, sizeof(t), "CONNECT answered %d %s", f->proxy_status,
			      f->proxy_reason);
	else if (f->proxy_tcp == PROBE_TCP_OK)
		probe_out_cat(t, sizeof(t), "CONNECT: %s", probe_out_hello_text(f->proxy_answer));
	else
		probe_out_cat(t, sizeof(t), "not tried");
	probe_out_step(out, "proxy", t);
}

static void probe_out_h_tcp(FILE *out, const struct probe_facts *f)
{
	const char *peer = f->tcp_peer[0] ? f->tcp_peer : "the server";
	char t[PROBE_OUT_TEXT] = "";

	switch (f->tcp) {
	case PROBE_TCP_NOT_TRIED:
		return;
	case PROBE_TCP_OK:
		probe_out_cat(t, sizeof(t), "connected to %s%s", peer,
			      f->proxy ? " through the proxy" : "");
		break;
	case PROBE_TCP_REFUSED:
		probe_out_cat(t, sizeof(t), "%s refused the connection (RST)", peer);
		break;
	case PROBE_TCP_TIMEOUT:
		probe_out_cat(t, sizeof(t), "no answer from %s (timeout)", peer);
		break;
	case PROBE_TCP_UNREACH:
		probe_out_cat(t, sizeof(t), "%s is unreachable", peer);
		break;
	case PROBE_TCP_ERROR:
		probe_out_cat(t, sizeof(t), "%s: failed", peer);
		break;
	}
	if (f->tcp != PROBE_TCP_OK && f->tcp_error[0])
		probe_out_cat(t, sizeof(t), ": %s", f->tcp_error);
	if (f->tcp_failed[0])
		probe_out_cat(t, sizeof(t), " (after %s)", f->tcp_failed);
	probe_out_step(out, "tcp", t);
}

/* How a ClientHello was answered: "alert 40 handshake failure", "connection reset"... */
static void probe_out_hello_what(enum probe_hello h, int alert, char *t, size_t len)
{
	if (h == PROBE_HELLO_ALERT && alert >= 0)
		probe_out_cat(t, len, "alert %d %s", alert, probe_alert_name(alert));
	else
		probe_out_cat(t, len, "%s", probe_out_hello_text(h));
}

/* ms-iphttps.md §5.5: where it failed tells the two causes of SEC_E_ILLEGAL_MESSAGE apart. */
static void probe_out_h_tls(FILE *out, const struct probe_facts *f)
{
	char t[PROBE_OUT_TEXT] = "";

	if (f->tls == PROBE_HELLO_NOT_TRIED)
		return;
	if (f->tls == PROBE_HELLO_ACCEPTED) {
		probe_out_cat(t, sizeof(t), "%s %s%s", f->tls_version, f->tls_cipher,
			      f->tls_null ? " (NULL: not encrypted)" : "");
	} else {
		probe_out_cat(t, sizeof(t), "failed%s: ",
			      f->phase == PROBE_PHASE_CLIENT_HELLO ? " right after the ClientHello"
			      : f->phase == PROBE_PHASE_SERVER_HELLO ? " after the ServerHello"
								     : "");
		probe_out_hello_what(f->tls, f->alert, t, sizeof(t));
		if (f->tls_error[0])
			probe_out_cat(t, sizeof(t), " (%s)", f->tls_error);
	}
	if (f->null_only)
		probe_out_cat(t, sizeof(t), "; offered the NULL suites only");
	probe_out_step(out, "tls", t);
}

/* "valid until 2026-12-07 (372 days left)", or why not. */
static void probe_out_cert_dates(const struct probe_facts *f, char *t, size_t len)
{
	char day[32];

	if (f->not_yet_valid) {
		probe_out_time(f->not_before, day, sizeof(day));
		probe_out_cat(t, len, "NOT YET VALID: from %.10s", day);
		return;
	}
	probe_out_time(f->not_after, day, sizeof(day));
	if (f->days_left < 0) {
		/* 0 - x in unsigned arithmetic: no overflow even for LONG_MIN. */
		probe_out_cat(t, len, "EXPIRED on %.10s (%lu days ago)", day,
			      0UL - (unsigned long)f->days_left);
		return;
	}
	probe_out_cat(t, len, "valid until %.10s (%ld days left)", day, f->days_left);
	if (f->expired) /* the leaf is in date: another certificate of the chain is not */
		probe_out_cat(t, len, ", but a certificate of the chain has EXPIRED");
}

/* Trust, name and usage; every problem, not just the first. */
static void probe_out_cert_checks(const struct probe_facts *f, char *t, size_t len)
{
	char why[PROBE_TEXT + 32];

	probe_out_verify_text(f, why, sizeof(why));
	if (f->untrusted)
		probe_out_cat(t, len, "; NOT TRUSTED: %s", why);
	else if (f->verify_error != 0 && !f->expired && !f->not_yet_valid)
		probe_out_cat(t, len, "; chain: %s", why);
	else
		probe_out_cat(t, len, "; trusted");
	if (f->revoked)
		probe_out_cat(t, len, "; REVOKED");
	if (f->wrong_usage)
		probe_out_cat(t, len, "; no Server Authentication EKU");
	probe_out_cat(t, len, "; %s %s", f->name_mismatch ? "NAME MISMATCH:" : "name matches",
		      f->host);
	if (f->self_signed)
		probe_out_cat(t, len, "; self-signed");
}

static void probe_out_h_cert(FILE *out, const struct probe_facts *f)
{
	char t[PROBE_OUT_TEXT] = "";

	if (!f->cert)
		return;
	probe_out_cat(t, sizeof(t), "CN %s, %s, issuer %s", f->cn[0] ? f->cn : "(none)",
		      f->key[0] ? f->key : "unknown key", f->issuer);
	probe_out_step(out, "certificate", t);
	t[0] = '\0';
	probe_out_cert_dates(f, t, sizeof(t));
	probe_out_cert_checks(f, t, sizeof(t));
	probe_out_step(out, "", t);
}

static void probe_out_h_client_cert(FILE *out, const struct probe_facts *f)
{
	const char *t;

	/* Before the ServerHello the server cannot have asked: nothing to say. */
	if (f->tls != PROBE_HELLO_ACCEPTED && !f->cert_asked &&
	    f->phase != PROBE_PHASE_SERVER_HELLO)
		return;
	if (!f->cert_asked)
		t = f->cert_given ? "not asked for (--cert unused)" : "not asked for";
	else if (!f->cert_sent)
		t = f->cert_given ? "asked for, none sent" : "asked for, none sent (no --cert)";
	else if (f->tls != PROBE_HELLO_ACCEPTED)
		t = "asked for and sent; the handshake failed after it";
	else if (f->status == 403)
		t = "asked for and sent; refused with 403";
	else
		t = "asked for, sent and accepted";
	probe_out_step(out, "client cert", t);
}

/* What followed the response head: the body, the Router Advertisement. */
static void probe_out_http_body(const struct probe_facts *f, char *t, size_t len)
{
	if (f->has_length)
		probe_out_cat(t, len, "; Content-Length %" PRIu64, f->length);
	if (f->chunked)
		probe_out_cat(t, len, "; chunked");
	if (f->body_open)
		probe_out_cat(t, len, "; body stays open");
	else if (f->body_not_ipv6)
		probe_out_cat(t, len, "; body is not IPv6 packets");
	else if (f->body_ended)
		probe_out_cat(t, len, "; body ended");
	if (f->ra)
		probe_out_cat(t, len, "; RA %s",
			      f->ra_prefix[0] ? f->ra_prefix : "without a prefix");
	else if (f->status == 200)
		probe_out_cat(t, len, "; no RA");
	if (f->snippet[0])
		probe_out_cat(t, len, "; body \"%s\"", f->snippet);
}

static void probe_out_h_http(FILE *out, const struct probe_facts *f)
{
	char t[PROBE_OUT_TEXT] = "";

	/* Not sent, or the handshake failed late (a TLS 1.3 certificate refusal): no HTTP line. */
	if (!f->http_sent)
		return;
	if (f->http == PROBE_HELLO_ACCEPTED) {
		probe_out_cat(t, sizeof(t), "%d %s", f->status, f->reason);
		if (f->server[0])
			probe_out_cat(t, sizeof(t), ", Server: %s", f->server);
		probe_out_http_body(f, t, sizeof(t));
	} else if (f->http == PROBE_HELLO_NOT_TLS) {
		probe_out_cat(t, sizeof(t), "POST sent; the answer is not HTTP%s",
			      f->http_is_tls ? " but TLS: use https://" : "");
	} else {
		probe_out_cat(t, sizeof(t), "POST sent; %s", probe_out_hello_text(f->http));
	}
	probe_out_step(out, "http", t);
}

/* "TLSv1.2 TLSv1.3 (not SSLv3 TLSv1.0 TLSv1.1)" */
static void probe_out_audit_versions(const struct probe_facts *f, char *t, size_t len)
{
	int yes = 0, no = 0;

	for (int i = 0; i < PROBE_NVER; i++)
		if (f->ver[i] == PROBE_HELLO_ACCEPTED)
			probe_out_cat(t, len, "%s%s", yes++ ? " " : "",
				      probe_ver_name((enum probe_ver)i));
	if (yes == 0)
		probe_out_cat(t, len, "no version accepted");
	for (int i = 0; i < PROBE_NVER; i++)
		if (f->ver[i] != PROBE_HELLO_ACCEPTED && f->ver[i] != PROBE_HELLO_NOT_TRIED)
			probe_out_cat(t, len, "%s%s", no++ ? " " : " (not ",
				      probe_ver_name((enum probe_ver)i));
	if (no > 0)
		probe_out_cat(t, len, ")");
}

static void probe_out_h_audit(FILE *out, const struct probe_out_view *v)
{
	const struct probe_facts *f = &v->f;
	char t[PROBE_OUT_TEXT] = "";

	if (!f->audited)
		return;
	probe_out_audit_versions(f, t, sizeof(t));
	probe_out_cat(t, sizeof(t), "; NULL: ");
	if (f->null_hello == PROBE_HELLO_ACCEPTED && f->null_suite[0])
		probe_out_cat(t, sizeof(t), "%s", f->null_suite);
	else
		probe_out_hello_what(f->null_hello, f->null_alert, t, sizeof(t));
	if (f->dhe_hello == PROBE_HELLO_ACCEPTED && f->dhe_bits > 0)
		probe_out_cat(t, sizeof(t), "; DHE: %d-bit group", f->dhe_bits);
	else
		probe_out_cat(t, sizeof(t), "; DHE: %s", probe_out_hello_text(f->dhe_hello));
	if (v->r.audit)
		probe_out_cat(t, sizeof(t), "; rating %s", v->r.audit);
	probe_out_step(out, "audit", t);
}

static const char *probe_out_marker(enum probe_level l)
{
	switch (l) {
	case PROBE_GOOD:
		return "ok";
	case PROBE_WARN:
		return "WARN";
	case PROBE_ERROR:
		return "FAIL";
	case PROBE_INFO:
		break;
	}
	return "--";
}

static void probe_out_h_findings(FILE *out, const struct probe_result *r)
{
	char lead[16], t[PROBE_OUT_TEXT];

	if (r->nfindings == 0)
		return;
	fputs("findings\n", out);
	for (size_t i = 0; i < r->nfindings; i++) {
		snprintf(lead, sizeof(lead), "  %-4s ", probe_out_marker(r->findings[i].level));
		snprintf(t, sizeof(t), "%s: %s", r->findings[i].topic, r->findings[i].text);
		probe_out_wrap(out, lead, strlen(lead), t);
	}
}

static const char *probe_out_verdict_word(enum probe_verdict v)
{
	switch (v) {
	case PROBE_OK:
		return "OK";
	case PROBE_NOT_IPHTTPS:
		return "NOT IP-HTTPS";
	case PROBE_FAILED:
		break;
	}
	return "FAILED";
}

/* The verdict, the Windows code a client would show (ms-iphttps.md §5.5) and what to do. */
static void probe_out_h_verdict(FILE *out, const struct probe_out_view *v)
{
	const struct probe_result *r = &v->r;
	char t[PROBE_OUT_TEXT];

	snprintf(t, sizeof(t), "%s - %s", probe_out_verdict_word(r->verdict), r->summary);
	probe_out_wrap(out, "Verdict: ", 9, t);
	snprintf(t, sizeof(t), "%s %s - %s", v->whex, v->wname, v->w->meaning);
	probe_out_wrap(out, "Windows LastErrorCode: ", 23, t);
	if (r->code == WINERR_SUCCESS && !r->fix[0])
		return;
	probe_out_wrap(out, "Fix: ", 5, r->fix[0] ? r->fix : v->w->fix);
}

void probe_out_human(FILE *out, const struct probe *p, const struct probe_result *r)
{
	struct probe_out_view v;

	probe_out_view_init(&v, p, r);
	probe_out_wrap(out, "iphttps probe ", 14, v.target);
	probe_out_h_name(out, &v.f);
	probe_out_h_proxy(out, &v.f);
	probe_out_h_tcp(out, &v.f);
	probe_out_h_tls(out, &v.f);
	probe_out_h_cert(out, &v.f);
	probe_out_h_client_cert(out, &v.f);
	probe_out_h_http(out, &v.f);
	probe_out_h_audit(out, &v);
	probe_out_h_findings(out, &v.r);
	probe_out_h_verdict(out, &v);
}
