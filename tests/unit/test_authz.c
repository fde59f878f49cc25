/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for iphttpsd/authz: the preauthentication decision, every branch: certificate
 * verdicts in both modes, identity rules, balancer identities (header and PROXY v2 SSL TLV)
 * from trusted and untrusted peers, malformed balancer input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iphttpsd/authz.h"

struct fx {
	struct ident_rules none, rules;
	struct tls_peer tls;
	struct http1_request req;
	struct authz_input in;
	struct authz_result out;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[128];

	assert_non_null(f);
	ident_init(&f->none);
	ident_finish(&f->none);
	ident_init(&f->rules);
	assert_int_equal(ident_add(&f->rules, "*.corp.example.test", err, sizeof(err)), 0);
	assert_int_equal(ident_add(&f->rules, "gw-admin.example.test", err, sizeof(err)), 0);
	ident_finish(&f->rules);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	ident_free(&f->none);
	ident_free(&f->rules);
	free(f);
	return 0;
}

static void good_cert(struct fx *f, const char *cn)
{
	f->tls.cert_presented = true;
	f->tls.cert_ok = true;
	snprintf(f->tls.cn, sizeof(f->tls.cn), "%s", cn);
	snprintf(f->tls.subject, sizeof(f->tls.subject), "CN=%s", cn);
	f->in.tls = &f->tls;
	f->in.req = &f->req;
}

static void test_no_cert(void **state)
{
	struct fx *f = *state;

	f->in.tls = &f->tls;
	f->in.req = &f->req;
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->none, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_string_equal(f->out.reason, "no client certificate");
	assert_int_equal(f->out.via, AUTHZ_VIA_NONE);
	/* Mode none: allowed, unauthenticated, the reason kept for the log. */
	authz_decide(GWCONF_AUTH_NONE, &f->none, &f->in, &f->out);
	assert_true(f->out.allow);
	assert_int_equal(f->out.via, AUTHZ_VIA_NONE);
	assert_string_equal(f->out.identity, "");
	assert_string_equal(f->out.reason, "no client certificate");
}

static void test_bad_cert(void **state)
{
	struct fx *f = *state;

	good_cert(f, "pc1.corp.example.test");
	f->tls.cert_ok = false;
	snprintf(f->tls.reason, sizeof(f->tls.reason), "certificate revoked");
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_false(f->out.forged);
	assert_string_equal(f->out.reason, "certificate revoked");
	authz_decide(GWCONF_AUTH_NONE, &f->rules, &f->in, &f->out);
	assert_true(f->out.allow);
	assert_int_equal(f->out.via, AUTHZ_VIA_NONE);
}

static void test_good_cert(void **state)
{
	struct fx *f = *state;

	good_cert(f, "pc1.corp.example.test");
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_true(f->out.allow);
	assert_int_equal(f->out.via, AUTHZ_VIA_CERTIFICATE);
	assert_string_equal(f->out.identity, "pc1.corp.example.test");
	assert_string_equal(f->out.reason, "");
	assert_string_equal(authz_via_name(f->out.via), "certificate");
}

static void test_identity_rules(void **state)
{
	struct fx *f = *state;

	good_cert(f, "pc1.other.example.test");
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_string_equal(f->out.reason, "identity not allowed: pc1.other.example.test");
	/* In mode none the same certificate leaves the tunnel unauthenticated. */
	authz_decide(GWCONF_AUTH_NONE, &f->rules, &f->in, &f->out);
	assert_true(f->out.allow);
	assert_int_equal(f->out.via, AUTHZ_VIA_NONE);
	/* A SAN dNSName that matches counts, and is the identity recorded. */
	snprintf(f->tls.names[0], sizeof(f->tls.names[0]), "pc7.corp.example.test");
	f->tls.nnames = 1;
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_true(f->out.allow);
	assert_string_equal(f->out.identity, "pc7.corp.example.test");
	/* Without rules any verified name passes; without CN or names, the subject, shown. */
	good_cert(f, "");
	f->tls.nnames = 0;
	snprintf(f->tls.subject, sizeof(f->tls.subject), "O=pc9.corp.example.test");
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->none, &f->in, &f->out);
	assert_true(f->out.allow);
	assert_string_equal(f->out.identity, "O=pc9.corp.example.test");
	/* ... but a DN is never matched against name rules, even one that looks like a name. */
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_string_equal(f->out.reason,
			    "identity not allowed: the certificate has no CN or DNS name");
}

static void test_header_untrusted(void **state)
{
	struct fx *f = *state;

	f->req.identity_count = 1;
	snprintf(f->req.identity, sizeof(f->req.identity), "pc1.corp.example.test");
	f->in.req = &f->req;
	f->in.header_trusted = false;
	authz_decide(GWCONF_AUTH_NONE, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_true(f->out.forged);
	assert_string_equal(f->out.reason, "identity header from an untrusted address");
	/* Even with a good certificate of its own. */
	good_cert(f, "pc1.corp.example.test");
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_true(f->out.forged);
	/* On a proxy-protocol listener the client wrote the head (a TCP-mode balancer passes
	   its bytes untouched): its header is forged even next to a genuine SSL TLV. */
	f->in.tls = NULL;
	f->in.pp_ssl_cert = true;
	f->in.pp_cn = "pc2.corp.example.test";
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_true(f->out.forged);
	/* Without the header the TLV alone is the identity. */
	f->req.identity_count = 0;
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_true(f->out.allow);
	assert_string_equal(f->out.identity, "pc2.corp.example.test");
}

static void test_header_trusted(void **state)
{
	struct fx *f = *state;

	f->req.identity_count = 1;
	snprintf(f->req.identity, sizeof(f->req.identity), "pc2.corp.example.test");
	f->in.req = &f->req;
	f->in.header_trusted = true;
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_true(f->out.allow);
	assert_int_equal(f->out.via, AUTHZ_VIA_BALANCER);
	assert_string_equal(f->out.identity, "pc2.corp.example.test");
	snprintf(f->req.identity, sizeof(f->req.identity), "evil.example.test");
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_false(f->out.forged);
	assert_string_equal(f->out.reason, "identity not allowed: evil.example.test");
	f->req.identity_count = 2;
	authz_decide(GWCONF_AUTH_NONE, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_string_equal(f->out.reason, "malformed identity header (repeated or too long)");
	f->req.identity_count = 1;
	f->req.identity_truncated = true;
	authz_decide(GWCONF_AUTH_NONE, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
}

static void test_trusted_without_identity(void **state)
{
	struct fx *f = *state;

	f->in.req = &f->req;
	f->in.header_trusted = true;
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_string_equal(f->out.reason, "no client identity from the balancer");
	f->in.header_trusted = false;
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_string_equal(f->out.reason, "no client certificate (plain HTTP)");
	authz_decide(GWCONF_AUTH_NONE, &f->rules, &f->in, &f->out);
	assert_true(f->out.allow);
	assert_int_equal(f->out.via, AUTHZ_VIA_NONE);
}

static void test_proxy_tlv(void **state)
{
	struct fx *f = *state;

	f->in.req = &f->req;
	f->in.pp_ssl_cert = true;
	f->in.pp_cn = "pc3.corp.example.test";
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_true(f->out.allow);
	assert_int_equal(f->out.via, AUTHZ_VIA_BALANCER);
	assert_string_equal(f->out.identity, "pc3.corp.example.test");
	f->in.pp_ssl_verify = 10;
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	assert_string_equal(f->out.reason,
			    "the balancer reports a failed client certificate (verify 10)");
	/* A failed verification is not outweighed by a trusted header either. */
	f->in.header_trusted = true;
	f->req.identity_count = 1;
	snprintf(f->req.identity, sizeof(f->req.identity), "pc3.corp.example.test");
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_false(f->out.allow);
	f->in.header_trusted = false;
	f->req.identity_count = 0;
	/* Balancer identity wins over our own handshake's (TLS bridging by a balancer). */
	f->in.pp_ssl_verify = 0;
	good_cert(f, "pc9.corp.example.test");
	authz_decide(GWCONF_AUTH_CERTIFICATES, &f->rules, &f->in, &f->out);
	assert_string_equal(f->out.identity, "pc3.corp.example.test");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_no_cert, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_cert, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_good_cert, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_identity_rules, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_header_untrusted, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_header_trusted, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_trusted_without_identity, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_proxy_tlv, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
