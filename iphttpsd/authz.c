/* SPDX-License-Identifier: ISC */
/*
 * authz: the preauthentication decision (see authz.h). Order: a balancer's word is only
 * taken from a trusted peer (anyone else sending it is refused outright, in every mode, since
 * it can only be an attempt to impersonate); then the balancer's identity, else our own
 * certificate check; then the identity rules; then, in certificates mode, nothing
 * unauthenticated passes.
 */
#include "iphttpsd/authz.h"

#include <stdio.h>
#include <string.h>

#define AUTHZ_CANDIDATES (1 + TLS_PEER_NAMES + 1)

struct authz_names {
	const char *v[AUTHZ_CANDIDATES];
	size_t n;
	enum authz_via via;
};

const char *authz_via_name(enum authz_via via)
{
	switch (via) {
	case AUTHZ_VIA_CERTIFICATE:
		return "certificate";
	case AUTHZ_VIA_BALANCER:
		return "balancer";
	default:
		return "none";
	}
}

static void authz_add(struct authz_names *c, const char *name)
{
	if (name && name[0] && c->n < AUTHZ_CANDIDATES)
		c->v[c->n++] = name;
}

static void authz_refuse(struct authz_result *out, const char *reason)
{
	out->allow = false;
	out->via = AUTHZ_VIA_NONE;
	out->identity[0] = '\0';
	snprintf(out->reason, sizeof(out->reason), "%s", reason);
}

/* What a trusted balancer said; -1 when it said something unusable (out is refused). */
static int authz_balancer(const struct authz_input *in, struct authz_names *c,
			  struct authz_result *out)
{
	const struct http1_request *req = in->req;

	if (in->header_trusted && req && req->identity_count > 0) {
		/* A balancer replaces the header; two copies mean a client's got through. */
		if (req->identity_count > 1 || req->identity_truncated) {
			authz_refuse(out, "malformed identity header (repeated or too long)");
			return -1;
		}
		authz_add(c, req->identity);
	}
	if (in->pp_ssl_cert) {
		/* A failed verification is never outweighed by anything else the balancer sent. */
		if (in->pp_ssl_verify != 0) {
			snprintf(out->reason, sizeof(out->reason),
				 "the balancer reports a failed client certificate (verify %u)",
				 (unsigned)in->pp_ssl_verify);
			c->n = 0;
			return 0;
		}
		authz_add(c, in->pp_cn);
	}
	if (c->n > 0)
		c->via = AUTHZ_VIA_BALANCER;
	return 0;
}

static void authz_certificate(const struct tls_peer *t, struct authz_names *c,
			      struct authz_result *out)
{
	if (!t->cert_presented) {
		snprintf(out->reason, sizeof(out->reason), "no client certificate");
		return;
	}
	if (!t->cert_ok) {
		snprintf(out->reason, sizeof(out->reason), "%s", t->reason);
		return;
	}
	authz_add(c, t->cn);
	for (size_t i = 0; i < t->nnames && i < TLS_PEER_NAMES; i++)
		authz_add(c, t->names[i]);
	c->via = AUTHZ_VIA_CERTIFICATE;
}

/* dst = prefix NAME, with bytes a log line or listing should not carry (controls, non-ASCII:
   a balancer header may hold obs-text, RFC 9110 §5.5) shown as '?'. */
static void authz_printable(char *dst, size_t cap, const char *prefix, const char *name)
{
	size_t n = (size_t)snprintf(dst, cap, "%s", prefix);

	for (const unsigned char *s = (const unsigned char *)name; *s && n + 1 < cap; s++)
		dst[n++] = *s >= 0x20 && *s < 0x7f ? (char)*s : '?';
	dst[n] = '\0';
}

/* The first candidate the rules allow (any, without rules). */
static void authz_identity(const struct ident_rules *rules, const struct authz_names *c,
			   const char *subject, struct authz_result *out)
{
	/* A valid certificate without CN or DNS names identifies by its subject, for display
	   only: a DN ("O=pc9.corp.example.com") is no DNS name, never matched against rules. */
	if (c->n == 0) {
		if (ident_any(rules)) {
			snprintf(out->reason, sizeof(out->reason),
				 "identity not allowed: the certificate has no CN or DNS name");
			return;
		}
		authz_printable(out->identity, sizeof(out->identity), "", subject);
		out->via = c->via;
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		if (!ident_any(rules) || ident_match(rules, c->v[i])) {
			authz_printable(out->identity, sizeof(out->identity), "", c->v[i]);
			out->via = c->via;
			return;
		}
	}
	authz_printable(out->reason, sizeof(out->reason), "identity not allowed: ", c->v[0]);
}

void authz_decide(enum gwconf_auth mode, const struct ident_rules *rules,
		  const struct authz_input *in, struct authz_result *out)
{
	struct authz_names c = {.n = 0};
	bool offered = in->req && in->req->identity_count > 0;

	memset(out, 0, sizeof(*out));
	out->allow = true;
	if (offered && !in->header_trusted) {
		authz_refuse(out, "identity header from an untrusted address");
		out->forged = true;
		return;
	}
	if (authz_balancer(in, &c, out) == -1)
		return;
	if (c.via == AUTHZ_VIA_NONE && in->tls && !out->reason[0])
		authz_certificate(in->tls, &c, out);
	else if (c.via == AUTHZ_VIA_NONE && !out->reason[0])
		snprintf(out->reason, sizeof(out->reason), "%s",
			 in->header_trusted || in->pp_ssl_cert
			     ? "no client identity from the balancer"
			     : "no client certificate (plain HTTP)");
	if (c.via != AUTHZ_VIA_NONE)
		authz_identity(rules, &c, in->tls ? in->tls->subject : "", out);
	if (out->via == AUTHZ_VIA_NONE && mode == GWCONF_AUTH_CERTIFICATES) {
		out->allow = false;
		if (!out->reason[0])
			snprintf(out->reason, sizeof(out->reason), "not authenticated");
	} else if (out->via != AUTHZ_VIA_NONE) {
		out->reason[0] = '\0';
	}
}
