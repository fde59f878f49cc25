/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/winerr: every code of ms-iphttps.md §5.5 (and the ones the mappings add)
 * has its own entry with a one-line meaning and fix; every mapping, table-driven (getaddrinfo,
 * errno, X509_V_ERR_*, HTTP status, TLS alerts); the generic HTTP and unknown entries; names,
 * one-line descriptions and their truncation; the §5.4 InterfaceStatus strings; the §3.4
 * cipher-flip codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "proto/winerr.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ms-iphttps.md §5.5, row by row (0x8019xxxx stands for the HTTP rows below), with the name. */
static const struct {
	uint32_t code;
	const char *name;
} spec_codes[] = {
    {0x0, "ERROR_SUCCESS"},
    {0x103, "ERROR_NO_MORE_ITEMS"},
    {0x34, "ERROR_DUP_NAME"},
    {0x643, "ERROR_INSTALL_FAILURE"},
    {0x4BE, "ERROR_INVALID_NETNAME"},
    {0x2AF9, "WSAHOST_NOT_FOUND"},
    {0x2AFC, "WSANO_DATA"},
    {0x274C, "WSAETIMEDOUT"},
    {0x274D, "WSAECONNREFUSED"},
    {0x2746, "WSAECONNRESET"},
    {0x4C9, "ERROR_CONNECTION_REFUSED"},
    {0x80090326, "SEC_E_ILLEGAL_MESSAGE"},
    {0x80090331, "SEC_E_ALGORITHM_MISMATCH"},
    {0x90320, "SEC_I_INCOMPLETE_CREDENTIALS"},
    {0x8009030D, "SEC_E_UNKNOWN_CREDENTIALS"},
    {0x8009030E, "SEC_E_NO_CREDENTIALS"},
    {0x800B0110, "CERT_E_WRONG_USAGE"},
    {0x800B0109, "CERT_E_UNTRUSTEDROOT"},
    {0x800B0101, "CERT_E_EXPIRED"},
    {0x800B010F, "CERT_E_CN_NO_MATCH"},
    {0x80092013, "CRYPT_E_REVOCATION_OFFLINE"},
    {0x80190197, "HTTP_E_STATUS_PROXY_AUTH_REQ"},
    {0x80190194, "HTTP_E_STATUS_NOT_FOUND"},	   /* §5.5's 0x8019xxxx example, 404 */
    {0x80190190, "HTTP_E_STATUS_BAD_REQUEST"},	   /* §1.4 example, 400 */
    {0x801901F7, "HTTP_E_STATUS_SERVICE_UNAVAIL"}, /* §1.4 example, 503 */
    /* Issue #3's additions and the codes the mappings produce. */
    {0x2743, "WSAENETUNREACH"},
    {0x2751, "WSAEHOSTUNREACH"},
    {0x800B010C, "CERT_E_REVOKED"},
    {0x80092010, "CRYPT_E_REVOKED"},
    {0x800B010A, "CERT_E_CHAINING"},
    {0x80096004, "TRUST_E_CERT_SIGNATURE"},
    {0x80096019, "TRUST_E_BASIC_CONSTRAINTS"},
    {0x80004005, "E_FAIL"},
    {0x80190001, "HTTP_E_STATUS_UNEXPECTED"},
    {0x80190193, "HTTP_E_STATUS_FORBIDDEN"},
};

/* A one-line, non-empty text: what status prints after "Meaning : " must stay one line. */
static void assert_one_line(const char *s)
{
	assert_non_null(s);
	assert_true(strlen(s) > 0);
	for (const char *p = s; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static void test_spec_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(spec_codes); i++) {
		const struct winerr_info *e = winerr_lookup(spec_codes[i].code);
		char name[32];

		assert_true(winerr_known(spec_codes[i].code));
		assert_int_equal(e->code, spec_codes[i].code);
		assert_string_equal(e->name, spec_codes[i].name);
		assert_one_line(e->meaning);
		assert_one_line(e->fix);
		assert_string_equal(winerr_name(spec_codes[i].code, name, sizeof(name)),
				    spec_codes[i].name);
	}
}

/*
 * Every entry of the table, not just the rows above, found by scanning the code families it
 * holds: its own code back, a name, and one-line texts. 0x80004005 is the one entry outside.
 */
static void test_whole_table(void **state)
{
	static const uint32_t families[] = {0x00000000, 0x00090000, 0x80090000, 0x800B0000,
					    0x80190000};
	size_t known = 0;

	(void)state;
	for (size_t f = 0; f < N(families); f++) {
		for (uint32_t lo = 0; lo <= 0xFFFF; lo++) {
			uint32_t c = families[f] | lo;
			const struct winerr_info *e;

			if (!winerr_known(c))
				continue;
			e = winerr_lookup(c);
			assert_int_equal(e->code, c);
			assert_one_line(e->name);
			assert_one_line(e->meaning);
			assert_one_line(e->fix);
			known++;
		}
	}
	assert_true(winerr_known(0x80004005));
	assert_true(known + 1 >= N(spec_codes));
}

/* Every code any mapping can return must have its own entry, so status never says "unknown". */
static void assert_mapped_known(uint32_t code)
{
	if (winerr_http_status(code) < 0)
		assert_true(winerr_known(code));
}

static void test_from_gai(void **state)
{
	static const struct {
		int eai;
		uint32_t want;
	} cases[] = {
	    {0, 0x0},
	    {EAI_NONAME, 0x2AF9},
	    {EAI_FAIL, 0x2AF9},
	    {EAI_AGAIN, 0x2AF9},
	    {EAI_NODATA, 0x2AFC},
	    {EAI_ADDRFAMILY, 0x2AFC},
	    {EAI_MEMORY, 0x80004005},
	    {EAI_SYSTEM, 0x80004005},
	    {EAI_SERVICE, 0x80004005},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		assert_int_equal(winerr_from_gai(cases[i].eai), cases[i].want);
		assert_mapped_known(cases[i].want);
	}
}

static void test_from_errno(void **state)
{
	static const struct {
		int err;
		uint32_t want;
	} cases[] = {
	    {ETIMEDOUT, 0x274C},  {ECONNREFUSED, 0x274D}, {ECONNRESET, 0x2746},
	    {EPIPE, 0x2746},	  {ENETUNREACH, 0x2743},  {EHOSTUNREACH, 0x2751},
	    {EACCES, 0x80004005}, {ENOMEM, 0x80004005},	  {0, 0x80004005}, /* OpenSSL's EOF */
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		assert_int_equal(winerr_from_errno(cases[i].err), cases[i].want);
		assert_mapped_known(cases[i].want);
	}
}

static void test_from_verify(void **state)
{
	static const struct {
		long v;
		uint32_t want;
	} cases[] = {
	    {X509_V_OK, 0x0},
	    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, 0x800B0109},
	    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0x800B0109},
	    {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, 0x800B0109},
	    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0x800B0109},
	    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 0x800B0109},
	    {X509_V_ERR_CERT_CHAIN_TOO_LONG, 0x800B0109},
	    {X509_V_ERR_CERT_UNTRUSTED, 0x800B0109},
	    {X509_V_ERR_CERT_REJECTED, 0x800B0109},
	    {X509_V_ERR_CERT_HAS_EXPIRED, 0x800B0101},
	    {X509_V_ERR_CERT_NOT_YET_VALID, 0x800B0101},
	    {X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, 0x800B0101},
	    {X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, 0x800B0101},
	    {X509_V_ERR_HOSTNAME_MISMATCH, 0x800B010F},
	    {X509_V_ERR_IP_ADDRESS_MISMATCH, 0x800B010F},
	    {X509_V_ERR_CERT_REVOKED, 0x80092010},
	    {X509_V_ERR_INVALID_PURPOSE, 0x800B0110},
	    {X509_V_ERR_UNABLE_TO_GET_CRL, 0x80092013},
	    {X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER, 0x80092013},
	    {X509_V_ERR_CRL_HAS_EXPIRED, 0x80092013},
	    {X509_V_ERR_CRL_NOT_YET_VALID, 0x80092013},
	    {X509_V_ERR_CERT_SIGNATURE_FAILURE, 0x80096004},
	    {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, 0x80096004},
	    {X509_V_ERR_INVALID_CA, 0x80096019},
	    {X509_V_ERR_INVALID_NON_CA, 0x80096019},
	    {X509_V_ERR_PATH_LENGTH_EXCEEDED, 0x80096019},
	    {X509_V_ERR_EE_KEY_TOO_SMALL, 0x800B010A}, /* no closer code: CERT_E_CHAINING */
	    {X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, 0x800B010A},
	    {X509_V_ERR_UNSPECIFIED, 0x800B010A},
	    {9999, 0x800B010A},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		assert_int_equal(winerr_from_verify(cases[i].v), cases[i].want);
		assert_mapped_known(cases[i].want);
	}
}

static void test_from_http(void **state)
{
	static const struct {
		int status;
		uint32_t want;
	} cases[] = {
	    {200, 0x0},	       /* ms-iphttps.md §1.4: exactly 200 is success */
	    {407, 0x80190197}, /* proxy authentication */
	    {404, 0x80190194}, /* §1.4 and §5.5 examples */
	    {400, 0x80190190}, {503, 0x801901F7},
	    {403, 0x80190193}, {201, 0x801900C9}, /* any other 2xx is still not "200" */
	    {101, 0x80190065}, {999, 0x801903E7},
	    {0, 0x80190001}, /* no valid status: HTTP_E_STATUS_UNEXPECTED */
	    {99, 0x80190001},  {1000, 0x80190001},
	    {-1, 0x80190001},  {65536 + 404, 0x80190001}, /* must not bleed into the high half */
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		assert_int_equal(winerr_from_http(cases[i].status), cases[i].want);
}

static void test_from_tls_alert(void **state)
{
	static const struct {
		int alert;
		bool sent, asked;
		uint32_t want;
	} cases[] = {
	    /* Server asked for a certificate we did not have: whatever the alert. */
	    {WINERR_ALERT_CERTIFICATE_REQUIRED, false, true, 0x90320},
	    {WINERR_ALERT_HANDSHAKE_FAILURE, false, true, 0x90320},
	    {WINERR_ALERT_NONE, false, true, 0x90320},
	    {42 /* bad_certificate */, false, true, 0x90320},
	    /* certificate_required from a TLS 1.3 server (RFC 8446 §4.4.2.4). */
	    {WINERR_ALERT_CERTIFICATE_REQUIRED, false, false, 0x90320},
	    {WINERR_ALERT_CERTIFICATE_REQUIRED, true, true, 0x90320},
	    /* No suite in common, alert before any CertificateRequest: Windows shows 0x80090326
	       (a load balancer without the null suites, ms-iphttps.md §3.4, §5.5). */
	    {WINERR_ALERT_HANDSHAKE_FAILURE, false, false, 0x80090326},
	    {WINERR_ALERT_INSUFFICIENT_SECURITY, false, false, 0x80090326},
	    /* Our certificate was sent and refused: a fatal error, not a cipher mismatch. */
	    {WINERR_ALERT_HANDSHAKE_FAILURE, true, true, 0x80090326},
	    {42 /* bad_certificate */, true, true, 0x80090326},
	    {48 /* unknown_ca */, true, true, 0x80090326},
	    /* Other fatal alerts. */
	    {70 /* protocol_version */, false, false, 0x80090326},
	    {50 /* decode_error */, false, false, 0x80090326},
	    {80 /* internal_error */, false, false, 0x80090326},
	    {WINERR_ALERT_NONE, false, false, 0x80090326},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		uint32_t got = winerr_from_tls_alert(cases[i].alert, cases[i].sent, cases[i].asked);

		assert_int_equal(got, cases[i].want);
		assert_mapped_known(got);
	}
}

static void test_flips_cipher(void **state)
{
	(void)state;
	/* ms-iphttps.md §3.4: exactly these three toggle the null/default cipher list. */
	assert_true(winerr_flips_cipher(0x80090331));
	assert_true(winerr_flips_cipher(0x4C9));
	assert_true(winerr_flips_cipher(0x2746));
	for (size_t i = 0; i < N(spec_codes); i++) {
		uint32_t c = spec_codes[i].code;

		if (c != 0x80090331 && c != 0x4C9 && c != 0x2746)
			assert_false(winerr_flips_cipher(c));
	}
	/* 0x80090326 in particular does not flip: the client stays in null mode (§3.4). */
	assert_false(winerr_flips_cipher(0x80090326));
	/* What the mappings produce for a reset and for no shared suite does flip. */
	assert_true(winerr_flips_cipher(winerr_from_errno(ECONNRESET)));
	/* A fatal alert does not: it strands a Windows 8+ client in null mode (§3.4). */
	assert_false(winerr_flips_cipher(winerr_from_tls_alert(40, false, false)));
}

static void test_alert_no_suite(void **state)
{
	(void)state;
	assert_true(winerr_alert_no_suite(WINERR_ALERT_HANDSHAKE_FAILURE, false));
	assert_true(winerr_alert_no_suite(WINERR_ALERT_INSUFFICIENT_SECURITY, false));
	/* After a CertificateRequest a handshake_failure is about the certificate. */
	assert_false(winerr_alert_no_suite(WINERR_ALERT_HANDSHAKE_FAILURE, true));
	assert_false(winerr_alert_no_suite(48 /* unknown_ca */, false));
	assert_false(winerr_alert_no_suite(WINERR_ALERT_NONE, false));
}

static void test_http_generic(void **state)
{
	const struct winerr_info *e = winerr_lookup(0x801901A2); /* 418 */
	char name[32], line[256];

	(void)state;
	assert_false(winerr_known(0x801901A2));
	assert_int_equal(winerr_http_status(0x801901A2), 418);
	assert_int_not_equal(e->code, 0x801901A2);
	assert_one_line(e->meaning);
	assert_one_line(e->fix);
	assert_string_equal(winerr_name(0x801901A2, name, sizeof(name)), "HTTP status 418");
	winerr_describe(0x801901A2, line, sizeof(line));
	assert_true(strncmp(line, "0x801901A2 HTTP status 418: ", 28) == 0);
	/* Known HTTP codes report their status as well. */
	assert_int_equal(winerr_http_status(0x80190197), 407);
	/* 0x8019xxxx whose low half is no HTTP status, and other families, are not HTTP. */
	assert_int_equal(winerr_http_status(0x80190002), -1);
	assert_int_equal(winerr_http_status(0x801903E8), -1); /* 1000 */
	assert_int_equal(winerr_http_status(0x800B0109), -1);
	assert_int_equal(winerr_http_status(0x00190194), -1);
}

static void test_unknown(void **state)
{
	const struct winerr_info *e = winerr_lookup(0x12345678);
	char name[32];

	(void)state;
	assert_false(winerr_known(0x12345678));
	assert_false(winerr_known(0x80190002));
	assert_non_null(e);
	assert_int_not_equal(e->code, 0x12345678);
	assert_one_line(e->meaning);
	assert_one_line(e->fix);
	assert_string_equal(winerr_name(0x12345678, name, sizeof(name)), "unknown");
	assert_string_equal(winerr_name(0x80190002, name, sizeof(name)), "unknown");
}

static void test_describe(void **state)
{
	const struct winerr_info *e = winerr_lookup(0x80190194);
	char line[512], want[512], small[16];
	size_t n;

	(void)state;
	n = winerr_describe(0x80190194, line, sizeof(line));
	snprintf(want, sizeof(want), "0x80190194 HTTP_E_STATUS_NOT_FOUND: %s; fix: %s", e->meaning,
		 e->fix);
	assert_string_equal(line, want);
	assert_int_equal(n, strlen(want));
	assert_one_line(line);

	winerr_describe(0x0, line, sizeof(line));
	assert_true(strncmp(line, "0x0 ERROR_SUCCESS: ", 19) == 0);

	/* Truncation: always terminated, returns the length it wanted. */
	memset(small, 'Z', sizeof(small));
	assert_int_equal(winerr_describe(0x80190194, small, sizeof(small)), strlen(want));
	assert_string_equal(small, "0x80190194 HTTP");
	/* A name buffer too small is still terminated. */
	assert_string_equal(winerr_name(0x800B0109, small, 5), "CERT");
}

static void test_interface_status(void **state)
{
	(void)state;
	/* ms-iphttps.md §5.4 */
	assert_string_equal(winerr_interface_status(0x0), "IPHTTPS interface active");
	assert_string_equal(winerr_interface_status(0x103), "No usable certificate(s) found");
	assert_string_equal(winerr_interface_status(0x4BE), "Invalid IPHTTPS URL specified");
	assert_string_equal(winerr_interface_status(0x34), "Interface creation failure");
	assert_string_equal(winerr_interface_status(0x643), "Interface creation failure");
	assert_null(winerr_interface_status(0x800B0109));
	assert_null(winerr_interface_status(0x2AF9));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_table),	     cmocka_unit_test(test_whole_table),
	    cmocka_unit_test(test_from_gai),	     cmocka_unit_test(test_from_errno),
	    cmocka_unit_test(test_from_verify),	     cmocka_unit_test(test_from_http),
	    cmocka_unit_test(test_from_tls_alert),   cmocka_unit_test(test_flips_cipher),
	    cmocka_unit_test(test_alert_no_suite),   cmocka_unit_test(test_http_generic),
	    cmocka_unit_test(test_unknown),	     cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_interface_status),
	};

	return cmocka_run_group_tests_name("winerr", tests, NULL, NULL);
}
