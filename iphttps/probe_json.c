/* SPDX-License-Identifier: ISC */
/*
 * probe_json: `iphttps probe --json`, one object (RFC 8259) in the schema of iphttps/probe.h,
 * pretty-printed with two spaces per level, from the sealed view of probe_out. Strings go
 * through lib/sbuf's escaper (controls as \u00XX, invalid UTF-8 as \uFFFD).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "iphttps/probe.h"
#include "iphttps/probe_out.h"
#include "lib/sbuf.h"

/* ------------------------------------------------------------------------------------------ */
/* JSON (RFC 8259), pretty-printed with two spaces per level */

struct probe_json {
	struct sbuf b;
	int depth;
	bool first; /* nothing written yet in the innermost object or array */
};

/* Starts a member ("key": ), or an array element when key is NULL. */
static void probe_json_key(struct probe_json *j, const char *key)
{
	sbuf_printf(&j->b, "%s\n%*s", j->first ? "" : ",", 2 * j->depth, "");
	j->first = false;
	if (key) {
		sbuf_json_str(&j->b, key);
		sbuf_add(&j->b, ": ", 2);
	}
}

/* c is '{' or '['. */
static void probe_json_open(struct probe_json *j, const char *key, char c)
{
	probe_json_key(j, key);
	sbuf_add(&j->b, &c, 1);
	j->depth++;
	j->first = true;
}

static void probe_json_close(struct probe_json *j, char c)
{
	j->depth--;
	if (!j->first)
		sbuf_printf(&j->b, "\n%*s", 2 * j->depth, "");
	sbuf_add(&j->b, &c, 1);
	j->first = false;
}

/* A string, or null when s is NULL. */
static void probe_json_str(struct probe_json *j, const char *key, const char *s)
{
	probe_json_key(j, key);
	if (s)
		sbuf_json_str(&j->b, s);
	else
		sbuf_add(&j->b, "null", 4);
}

/* A string, or null when s is empty. */
static void probe_json_opt(struct probe_json *j, const char *key, const char *s)
{
	probe_json_str(j, key, s[0] ? s : NULL);
}

static void probe_json_bool(struct probe_json *j, const char *key, bool v)
{
	probe_json_key(j, key);
	sbuf_printf(&j->b, "%s", v ? "true" : "false");
}

/* A number, or null when !have. */
static void probe_json_int(struct probe_json *j, const char *key, long long v, bool have)
{
	probe_json_key(j, key);
	if (have)
		sbuf_printf(&j->b, "%lld", v);
	else
		sbuf_add(&j->b, "null", 4);
}

static void probe_json_null(struct probe_json *j, const char *key)
{
	probe_json_str(j, key, NULL);
}

static void probe_json_time(struct probe_json *j, const char *key, time_t t)
{
	char buf[32];

	probe_out_time(t, buf, sizeof(buf));
	probe_json_str(j, key, buf);
}

static void probe_json_head(struct probe_json *j, const struct probe_out_view *v)
{
	const struct probe_result *r = &v->r;

	probe_json_str(j, "target", v->target);
	probe_json_str(j, "verdict", probe_verdict_name(r->verdict));
	probe_json_int(j, "exit", (long long)r->verdict, true);
	probe_json_str(j, "iphttps", probe_out_iphttps_name(r->iphttps));
	probe_json_bool(j, "nmap", v->f.nmap_match);
	probe_json_str(j, "summary", r->summary);
	probe_json_str(j, "fix", r->fix);
	probe_json_open(j, "windows", '{');
	probe_json_str(j, "code", v->whex);
	probe_json_str(j, "name", v->wname);
	probe_json_str(j, "meaning", v->w->meaning);
	probe_json_str(j, "fix", v->w->fix);
	probe_json_close(j, '}');
}

static void probe_json_net(struct probe_json *j, const struct probe_facts *f)
{
	probe_json_open(j, "resolve", '{');
	probe_json_bool(j, "tried", probe_out_resolve_tried(f));
	probe_json_bool(j, "ok", f->resolved);
	probe_json_str(j, "error", probe_out_resolve_error(f));
	probe_json_open(j, "addresses", '[');
	for (size_t i = 0; i < f->naddrs; i++)
		probe_json_str(j, NULL, f->addrs[i]);
	probe_json_close(j, ']');
	probe_json_close(j, '}');
	if (f->proxy) {
		probe_json_open(j, "proxy", '{');
		probe_json_str(j, "url", f->proxy_name);
		probe_json_str(j, "tcp", probe_tcp_name(f->proxy_tcp));
		probe_json_str(j, "answer", probe_hello_name(f->proxy_answer));
		probe_json_int(j, "status", f->proxy_status, f->proxy_status != 0);
		probe_json_str(j, "reason", f->proxy_reason);
		probe_json_close(j, '}');
	} else {
		probe_json_null(j, "proxy");
	}
	probe_json_open(j, "tcp", '{');
	probe_json_str(j, "result", probe_tcp_name(f->tcp));
	probe_json_str(j, "peer", f->tcp_peer);
	probe_json_opt(j, "error", f->tcp_error);
	probe_json_opt(j, "failed_before", f->tcp_failed);
	probe_json_close(j, '}');
}

static void probe_json_tls(struct probe_json *j, const struct probe_facts *f)
{
	probe_json_open(j, "tls", '{');
	probe_json_str(j, "result", probe_hello_name(f->tls));
	probe_json_str(j, "failed_after", probe_phase_name(f->phase));
	probe_json_int(j, "alert", f->alert, f->alert >= 0);
	probe_json_str(j, "alert_name", f->alert >= 0 ? probe_alert_name(f->alert) : NULL);
	probe_json_str(j, "version", f->tls_version);
	probe_json_str(j, "cipher", f->tls_cipher);
	probe_json_bool(j, "null_cipher", f->tls_null);
	probe_json_bool(j, "client_cert_requested", f->cert_asked);
	probe_json_bool(j, "client_cert_sent", f->cert_sent);
	probe_json_opt(j, "error", f->tls_error);
	probe_json_close(j, '}');
}

/* OpenSSL's words for the first verification error; its number when it gave none. */

static void probe_json_cert_checks(struct probe_json *j, const struct probe_facts *f)
{
	char why[PROBE_TEXT + 32];

	probe_out_verify_text(f, why, sizeof(why));
	probe_json_bool(j, "trusted", !f->untrusted);
	probe_json_str(j, "verify_error", f->verify_error != 0 ? why : NULL);
	probe_json_bool(j, "untrusted", f->untrusted);
	probe_json_bool(j, "expired", f->expired);
	probe_json_bool(j, "not_yet_valid", f->not_yet_valid);
	probe_json_bool(j, "name_mismatch", f->name_mismatch);
	probe_json_bool(j, "wrong_usage", f->wrong_usage);
	probe_json_bool(j, "revoked", f->revoked);
}

static void probe_json_cert(struct probe_json *j, const struct probe_facts *f)
{
	if (!f->cert) {
		probe_json_null(j, "certificate");
		return;
	}
	probe_json_open(j, "certificate", '{');
	probe_json_str(j, "subject", f->subject);
	probe_json_str(j, "issuer", f->issuer);
	probe_json_opt(j, "cn", f->cn);
	probe_json_str(j, "san", f->san);
	probe_json_time(j, "not_before", f->not_before);
	probe_json_time(j, "not_after", f->not_after);
	probe_json_int(j, "days_left", f->days_left, true);
	probe_json_str(j, "key", f->key);
	probe_json_bool(j, "rsa", f->key_rsa);
	probe_json_str(j, "sha256", f->sha256);
	probe_json_bool(j, "self_signed", f->self_signed);
	probe_json_bool(j, "crl_distribution_point", f->has_cdp);
	probe_json_open(j, "chain", '[');
	for (size_t i = 0; i < f->chain_len; i++)
		probe_json_str(j, NULL, f->chain[i]);
	probe_json_close(j, ']');
	probe_json_cert_checks(j, f);
	probe_json_close(j, '}');
}

static void probe_json_http(struct probe_json *j, const struct probe_facts *f)
{
	probe_json_open(j, "http", '{');
	probe_json_bool(j, "sent", f->http_sent);
	probe_json_str(j, "result", probe_hello_name(f->http));
	probe_json_int(j, "status", f->status, f->status != 0);
	probe_json_str(j, "reason", f->reason);
	probe_json_str(j, "server", f->server);
	/* Content-Length is 64 bits wide (nmap and Windows send 2^64-1): not a long long. */
	probe_json_key(j, "content_length");
	if (f->has_length)
		sbuf_printf(&j->b, "%" PRIu64, f->length);
	else
		sbuf_add(&j->b, "null", 4);
	probe_json_bool(j, "chunked", f->chunked);
	probe_json_bool(j, "body_open", f->body_open);
	probe_json_bool(j, "body_ended", f->body_ended);
	probe_json_bool(j, "body_not_ipv6", f->body_not_ipv6);
	probe_json_bool(j, "port_speaks_tls", f->http_is_tls);
	probe_json_bool(j, "router_advertisement", f->ra);
	probe_json_opt(j, "prefix", f->ra_prefix);
	probe_json_opt(j, "snippet", f->snippet);
	probe_json_close(j, '}');
}

static void probe_json_audit(struct probe_json *j, const struct probe_out_view *v)
{
	const struct probe_facts *f = &v->f;

	if (!f->audited) {
		probe_json_null(j, "audit");
		return;
	}
	probe_json_open(j, "audit", '{');
	probe_json_open(j, "versions", '{');
	for (int i = 0; i < PROBE_NVER; i++)
		probe_json_str(j, probe_ver_name((enum probe_ver)i), probe_hello_name(f->ver[i]));
	probe_json_close(j, '}');
	probe_json_open(j, "null", '{');
	probe_json_str(j, "result", probe_hello_name(f->null_hello));
	probe_json_int(j, "alert", f->null_alert, f->null_alert >= 0);
	probe_json_opt(j, "suite", f->null_suite);
	probe_json_close(j, '}');
	probe_json_open(j, "dhe", '{');
	probe_json_str(j, "result", probe_hello_name(f->dhe_hello));
	probe_json_int(j, "bits", f->dhe_bits, f->dhe_bits > 0);
	probe_json_close(j, '}');
	probe_json_str(j, "rating", v->r.audit);
	probe_json_close(j, '}');
}

static void probe_json_findings(struct probe_json *j, const struct probe_result *r)
{
	probe_json_open(j, "findings", '[');
	for (size_t i = 0; i < r->nfindings; i++) {
		probe_json_open(j, NULL, '{');
		probe_json_str(j, "level", probe_level_name(r->findings[i].level));
		probe_json_str(j, "topic", r->findings[i].topic);
		probe_json_str(j, "text", r->findings[i].text);
		probe_json_close(j, '}');
	}
	probe_json_close(j, ']');
}

void probe_json_print(FILE *out, const struct probe *p, const struct probe_result *r)
{
	struct probe_out_view v;
	struct probe_json j = {.depth = 1, .first = true}; /* inside the outer object */

	probe_out_view_init(&v, p, r);
	sbuf_init(&j.b);
	sbuf_add(&j.b, "{", 1);
	probe_json_head(&j, &v);
	probe_json_net(&j, &v.f);
	probe_json_tls(&j, &v.f);
	probe_json_cert(&j, &v.f);
	probe_json_http(&j, &v.f);
	probe_json_audit(&j, &v);
	probe_json_findings(&j, &v.r);
	sbuf_add(&j.b, "\n}\n", 3);
	/* A truncated object would be invalid JSON: print a valid one that says so instead. */
	if (j.b.err)
		fputs("{\"error\": \"out of memory\"}\n", out);
	else
		fwrite(j.b.p, 1, j.b.len, out);
	sbuf_free(&j.b);
}
