/* SPDX-License-Identifier: ISC */
/*
 * probe_cert: the server certificate as a Windows IP-HTTPS client judges it (ms-iphttps.md
 * §3.2): a chain to a trusted root (--ca, or the system store as the client's computer store),
 * in date, Server Authentication usage when an EKU is present (RFC 5280 §4.2.1.12), and the URL
 * host among its names (RFC 6125 §6; an address against its IP SANs). Verification runs once
 * with a callback that records every error and lets OpenSSL go on, so an untrusted AND expired
 * certificate is reported as both. Also what an administrator needs beside: key type (the NULL
 * suites need RSA, §3.4), subject CN (nmap by IP, §6.1), a CRL distribution point (Windows 7,
 * §3.2), days to expiry, the chain as sent, and the fingerprint for --pin.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "iphttps/probe.h"
#include "lib/tls.h"

/* Records one verification error; returning 1 lets OpenSSL check the rest. */
static int probe_cert_cb(int ok, X509_STORE_CTX *xs)
{
	struct probe_facts *f = X509_STORE_CTX_get_app_data(xs);
	int e = X509_STORE_CTX_get_error(xs);

	if (ok || !f)
		return 1;
	if (f->verify_error == X509_V_OK) {
		f->verify_error = e;
		snprintf(f->verify_text, sizeof(f->verify_text), "%s",
			 X509_verify_cert_error_string(e));
	}
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		f->untrusted = true;
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		f->expired = true;
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		f->not_yet_valid = true;
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		f->name_mismatch = true;
		break;
	case X509_V_ERR_INVALID_PURPOSE:
		f->wrong_usage = true;
		break;
	case X509_V_ERR_CERT_REVOKED:
		f->revoked = true;
		break;
	default:
		break;
	}
	return 1;
}

static X509_STORE *probe_cert_store(const struct probe *p)
{
	X509_STORE *st = X509_STORE_new();

	if (!st)
		return NULL;
	if (p->o.ca_file ? X509_STORE_load_file(st, p->o.ca_file) != 1
			 : X509_STORE_set_default_paths(st) != 1) {
		X509_STORE_free(st);
		return NULL;
	}
	return st;
}

/* The name or address the certificate must carry, and Server Authentication purpose. */
static int probe_cert_params(const struct probe *p, X509_STORE_CTX *xs)
{
	X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(xs);
	const struct url *u = &p->o.url;

	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (u->ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(vp, u->host) != 1
			  : X509_VERIFY_PARAM_set1_host(vp, p->name, 0) != 1)
		return -1;
	return X509_STORE_CTX_set_purpose(xs, X509_PURPOSE_SSL_SERVER) == 1 ? 0 : -1;
}

static void probe_cert_verify(struct probe *p, X509 *leaf, STACK_OF(X509) * chain)
{
	X509_STORE *st = probe_cert_store(p);
	X509_STORE_CTX *xs = X509_STORE_CTX_new();

	if (!st || !xs || X509_STORE_CTX_init(xs, st, leaf, chain) != 1 ||
	    probe_cert_params(p, xs) == -1) {
		p->f.verify_error = X509_V_ERR_UNSPECIFIED;
		snprintf(p->f.verify_text, sizeof(p->f.verify_text), "cannot verify: %s",
			 p->o.ca_file ? "--ca file unreadable" : "no system trust store");
		p->f.untrusted = true;
		goto out;
	}
	X509_STORE_CTX_set_app_data(xs, &p->f);
	X509_STORE_CTX_set_verify_cb(xs, probe_cert_cb);
	if (X509_verify_cert(xs) != 1 && p->f.verify_error == X509_V_OK) {
		p->f.verify_error = X509_STORE_CTX_get_error(xs);
		snprintf(p->f.verify_text, sizeof(p->f.verify_text), "%s",
			 X509_verify_cert_error_string(p->f.verify_error));
	}
out:
	ERR_clear_error();
	X509_STORE_CTX_free(xs);
	X509_STORE_free(st);
}

/* "DNS:gw.example.test, IP:192.0.2.1" */
static void probe_cert_sans(X509 *x, char *out, size_t len)
{
	GENERAL_NAMES *gn = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; gn && i < sk_GENERAL_NAME_num(gn) && o + 1 < len; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gn, i);
		char v[256] = "";

		if (g->type == GEN_DNS)
			snprintf(v, sizeof(v), "DNS:%.*s", ASN1_STRING_length(g->d.dNSName) & 0xff,
				 (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		else if (g->type == GEN_IPADD && ASN1_STRING_length(g->d.iPAddress) == 4) {
			const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);

			snprintf(v, sizeof(v), "IP:%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		} else if (g->type == GEN_IPADD) {
			snprintf(v, sizeof(v), "IP:(IPv6)");
		}
		for (char *c = v; *c; c++)
			if (*c < 0x20 || *c == 0x7f)
				*c = '?';
		if (v[0])
			o += (size_t)snprintf(out + o, len - o, "%s%s", o ? ", " : "", v);
	}
	GENERAL_NAMES_free(gn);
}

static void probe_cert_leaf(struct probe *p, X509 *x)
{
	struct probe_facts *f = &p->f;
	struct tls_cert_info info;
	const EVP_PKEY *k = X509_get0_pubkey(x);

	f->cert = true;
	if (tls_cert_info_x509(x, &info) == 0) {
		snprintf(f->subject, sizeof(f->subject), "%s", info.subject);
		snprintf(f->issuer, sizeof(f->issuer), "%s", info.issuer);
		snprintf(f->key, sizeof(f->key), "%s", info.key);
		snprintf(f->sha256, sizeof(f->sha256), "%s", info.sha256);
		f->not_before = info.not_before;
		f->not_after = info.not_after;
		f->days_left = tls_cert_days_left(&info, time(NULL));
	}
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, f->cn,
				      (int)sizeof(f->cn)) < 0)
		f->cn[0] = '\0';
	for (char *c = f->cn; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			*c = '?';
	probe_cert_sans(x, f->san, sizeof(f->san));
	f->key_rsa = k && EVP_PKEY_is_a(k, "RSA");
	f->self_signed = X509_check_issued(x, x) == X509_V_OK;
	f->has_cdp = X509_get_ext_by_NID(x, NID_crl_distribution_points, -1) >= 0;
	ERR_clear_error();
}

void probe_cert_examine(struct probe *p, SSL *ssl)
{
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	int n = chain ? sk_X509_num(chain) : 0;

	if (!leaf)
		return;
	probe_cert_leaf(p, leaf);
	p->f.chain_len = (size_t)n;
	for (int i = 0; i < n && i < PROBE_CHAIN_MAX; i++)
		tls_name_line(X509_get_subject_name(sk_X509_value(chain, i)), p->f.chain[i],
			      sizeof(p->f.chain[i]));
	probe_cert_verify(p, leaf, chain);
}
