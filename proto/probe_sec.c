/* SPDX-License-Identifier: ISC */
/*
 * probe_sec: the TLS part of the judgement (see probe.h): the NULL-only ClientHello that
 * Windows 8+ sends first (ms-iphttps.md §3.4), the main handshake and where it stopped (§5.5
 * 0x80090326: right after the ClientHello, or after the ServerHello), the server certificate as
 * a Windows client checks it (§3.2), signs of interception, and the audit of versions and
 * suites (POODLE: SSLv3; Logjam: finite-field DHE under 2048 bits).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/probe_int.h"
#include "proto/winerr.h"

static const char probe_sec_fix_dropped[] =
    "point the URL's name (and port 443 on the firewall/NAT) at the IP-HTTPS server and let TLS "
    "through; on a Windows server a missing IP-HTTPS certificate binding resets every handshake "
    "(netsh http show sslcert ipport=0.0.0.0:443)";

static const char probe_sec_fix_null[] =
    "enable TLS_RSA_WITH_NULL_SHA256 and TLS_RSA_WITH_NULL_SHA (with an RSA certificate) on the "
    "device that terminates TLS, or make it reset such connections instead of sending an alert";

/*
 * §3.4 [WIN]: a Windows 8+ client offers only the NULL suites first. A fatal alert to that
 * hello surfaces as 0x80090326 and the client never tries its encrypted list; a reset or close
 * makes it retry at once with the encrypted list, which then decides.
 */
void probe_sec_null(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	if (f->null_only || f->plain_http)
		return; /* the main handshake is the NULL-only one, or there is no TLS */
	switch (f->null_hello) {
	case PROBE_HELLO_ACCEPTED:
		probe_add(
		    j, PROBE_INFO, "null",
		    "NULL suites offered (%s): Windows 8+ clients use them; fine when IPsec "
		    "protects the traffic (DirectAccess), otherwise the tunnel is unencrypted",
		    f->null_suite[0] ? f->null_suite : "?");
		break;
	case PROBE_HELLO_ALERT:
		probe_add(j, PROBE_ERROR, "null",
			  "a NULL-only ClientHello (Windows 8+) gets alert %d (%s) right after the "
			  "ClientHello: those clients show 0x80090326 and never fall back",
			  f->null_alert, probe_alert_name(f->null_alert));
		probe_decide(j, PROBE_FAILED, WINERR_SEC_E_ILLEGAL_MESSAGE, probe_sec_fix_null,
			     "Windows 8+ clients fail right after the ClientHello: no NULL suites "
			     "(alert %d); Windows 7 clients are not affected",
			     f->null_alert);
		break;
	case PROBE_HELLO_RESET:
	case PROBE_HELLO_CLOSED:
		probe_add(j, PROBE_INFO, "null",
			  "no NULL suites; the server %s a NULL-only ClientHello, so Windows 8+ "
			  "clients retry at once with encrypted suites (0x2746, then connect)",
			  f->null_hello == PROBE_HELLO_RESET ? "resets" : "closes");
		break;
	case PROBE_HELLO_TIMEOUT:
		/* Not one of the three codes Windows flips on: it waits in null mode again. */
		probe_add(j, PROBE_ERROR, "null",
			  "a NULL-only ClientHello (Windows 8+) gets no answer: those clients time "
			  "out (0x274C) and retry in null mode, never with encrypted suites");
		probe_decide(j, PROBE_FAILED, WINERR_WSAETIMEDOUT, probe_sec_fix_null,
			     "Windows 8+ clients time out right after the ClientHello: the server "
			     "does not answer the NULL suites");
		break;
	default:
		break;
	}
}

static void probe_sec_tls_alert(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;
	uint32_t code = winerr_from_tls_alert(f->alert, f->cert_sent, f->cert_asked);
	const char *after = f->phase == PROBE_PHASE_CLIENT_HELLO ? "right after the ClientHello"
								 : "after the ServerHello";
	const char *fix;

	if (code == WINERR_SEC_I_INCOMPLETE_CREDENTIALS)
		fix = "the server requires a client certificate: give one from the CA it trusts "
		      "(--cert), or fix the trusted CA on the server or load balancer";
	else if (f->phase == PROBE_PHASE_CLIENT_HELLO)
		fix = f->null_only ? probe_sec_fix_null
				   : "no cipher suite or version in common: compare the server's "
				     "TLS settings with what clients offer (TLS 1.2 AES-GCM)";
	else
		fix = f->cert_sent ? "the server refused the client certificate: check its CA, "
				     "dates and Client Authentication usage"
				   : "client-certificate authentication is misconfigured on the "
				     "server or load balancer";
	probe_add(j, PROBE_ERROR, "tls", "TLS handshake failed %s: alert %d (%s)", after, f->alert,
		  probe_alert_name(f->alert));
	probe_decide(j, PROBE_FAILED, code, fix, "TLS handshake failed %s (alert %d, %s)", after,
		     f->alert, probe_alert_name(f->alert));
}

/* A reset, close or silence: a NULL-only refusal by design, or a device that is no TLS server. */
static void probe_sec_tls_dropped(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;
	bool early = f->phase != PROBE_PHASE_SERVER_HELLO;
	const char *how = f->tls == PROBE_HELLO_RESET	 ? "reset"
			  : f->tls == PROBE_HELLO_CLOSED ? "closed"
							 : "got no answer to";
	uint32_t code = f->tls == PROBE_HELLO_TIMEOUT ? WINERR_WSAETIMEDOUT : WINERR_WSAECONNRESET;
	char what[PROBE_TEXT];

	probe_add(j, PROBE_ERROR, "tls", "the server %s the connection %s", how,
		  early ? "right after the ClientHello" : "after the ServerHello");
	if (f->null_only || !early) {
		probe_decide(j, PROBE_FAILED, code,
			     f->null_only ? "Windows 8+ clients retry with encrypted suites after "
					    "a reset; probe without --null-only to see that attempt"
					  : NULL,
			     "the TLS handshake was %s %s", how,
			     early ? "right after the ClientHello" : "after the ServerHello");
		return;
	}
	probe_fmt(what, sizeof(what),
		  "something accepts TCP on port %u but %s the TLS handshake (a firewall, IPS or "
		  "load balancer refusing, or a service that is not TLS)",
		  f->port, how);
	probe_not_iphttps(j, code, probe_sec_fix_dropped, what);
}

/* The client refused what the server chose (SSLv3, a suite it did not offer): Schannel's own
   finding, SEC_E_ALGORITHM_MISMATCH (ms-iphttps.md §5.5). */
static void probe_sec_tls_local(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	probe_add(j, PROBE_ERROR, "tls", "the client refused the server's %s: %s",
		  f->phase == PROBE_PHASE_SERVER_HELLO ? "handshake after its ServerHello"
						       : "answer to the ClientHello",
		  f->tls_error[0] ? f->tls_error : "unknown error");
	probe_decide(j, PROBE_FAILED, WINERR_SEC_E_ALGORITHM_MISMATCH,
		     "enable TLS 1.2 (AES-GCM suites, and the NULL suites for Windows 8+) on the "
		     "server or load balancer",
		     "the server chose a TLS version or suite clients refuse (%s)",
		     f->tls_error[0] ? f->tls_error : "unknown error");
}

void probe_sec_tls(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	if (f->plain_http || f->tls == PROBE_HELLO_NOT_TRIED || f->tls == PROBE_HELLO_NO_CONN)
		return;
	switch (f->tls) {
	case PROBE_HELLO_ACCEPTED:
		probe_add(j, f->tls_null && !f->null_only ? PROBE_WARN : PROBE_GOOD, "tls",
			  "TLS handshake done: %s %s%s", f->tls_version, f->tls_cipher,
			  f->tls_null && !f->null_only
			      ? " (the server prefers a NULL suite over encrypted ones)"
			      : "");
		break;
	case PROBE_HELLO_ALERT:
		probe_sec_tls_alert(j);
		break;
	case PROBE_HELLO_LOCAL:
		probe_sec_tls_local(j);
		break;
	case PROBE_HELLO_NOT_TLS:
		probe_add(j, PROBE_ERROR, "tls", "the answer to the ClientHello is not TLS%s%s",
			  f->snippet[0] ? ": " : "", f->snippet);
		probe_not_iphttps(j, WINERR_SEC_E_ILLEGAL_MESSAGE, probe_fix_device,
				  "the service on this port does not speak TLS (plain HTTP?)");
		break;
	default:
		probe_sec_tls_dropped(j);
		break;
	}
	if (f->cert_asked)
		probe_add(j, PROBE_INFO, "client-cert",
			  "the server asks for a client certificate; %s",
			  f->cert_sent ? "ours was sent" : "none was sent (--cert)");
}

/* The certificate problem a Windows client reports, in the order it checks (§3.2, §5.5). */
static uint32_t probe_sec_cert_code(const struct probe_facts *f, const char **what)
{
	if (f->untrusted) {
		*what = "does not chain to a trusted root";
		return WINERR_CERT_E_UNTRUSTEDROOT;
	}
	if (f->expired || f->not_yet_valid) {
		*what = f->expired ? "has expired" : "is not valid yet";
		return WINERR_CERT_E_EXPIRED;
	}
	if (f->revoked) {
		*what = "is revoked";
		return WINERR_CRYPT_E_REVOKED;
	}
	if (f->wrong_usage) {
		*what = "lacks the Server Authentication usage";
		return WINERR_CERT_E_WRONG_USAGE;
	}
	if (f->name_mismatch && !f->ip_literal) {
		*what = "does not carry the URL's host name";
		return WINERR_CERT_E_CN_NO_MATCH;
	}
	if (f->verify_error != 0 && !(f->name_mismatch && f->ip_literal)) {
		*what = "failed verification";
		return winerr_from_verify(f->verify_error);
	}
	return WINERR_SUCCESS;
}

static void probe_sec_cert_fix(const struct probe_facts *f, uint32_t code, char *fix, size_t len)
{
	if (code == WINERR_CERT_E_CN_NO_MATCH)
		probe_fmt(
		    fix, len,
		    "issue the server certificate for %s (subject CN or SAN), or use the name "
		    "it carries (%s) in the URL",
		    f->host, f->cn[0] ? f->cn : f->san);
	else if (code == WINERR_CERT_E_UNTRUSTEDROOT)
		probe_fmt(
		    fix, len,
		    "install the issuing root (%s) in the clients' computer Trusted Root store "
		    "(and pass --ca here), or use a certificate from a public CA",
		    f->issuer);
	else
		probe_fmt(fix, len, "%s", winerr_lookup(code)->fix);
}

/* --expect-issuer and --pin: a different certificate means someone re-signs the connection. */
static void probe_sec_intercept(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;
	bool bad_issuer =
	    f->expect_issuer && f->expect_issuer[0] && !strcasestr(f->issuer, f->expect_issuer);
	bool bad_pin = f->pin && f->pin[0] && strcasecmp(f->pin, f->sha256) != 0;

	if (!bad_issuer && !bad_pin) {
		if ((f->expect_issuer && f->expect_issuer[0]) || (f->pin && f->pin[0]))
			probe_add(j, PROBE_GOOD, "cert",
				  "the certificate is the expected one (--expect-issuer, --pin)");
		return;
	}
	probe_add(j, PROBE_ERROR, "cert",
		  "possible TLS interception: %s (issuer %s); a proxy, firewall or another server "
		  "presents its own certificate",
		  bad_pin ? "the fingerprint differs from the pinned one" : "unexpected issuer",
		  f->issuer);
	/* A client that trusts the interceptor's CA connects (code 0) through it. */
	probe_decide(
	    j, PROBE_FAILED, WINERR_SUCCESS,
	    "find the device that re-signs the connection (proxy, firewall, load balancer) "
	    "and exempt the IP-HTTPS name from TLS inspection",
	    "possible TLS interception: the server certificate is not the expected one");
}

static void probe_sec_cert_notes(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	if (f->days_left >= 0 && f->days_left < f->warn_days)
		probe_add(j, PROBE_WARN, "cert", "the certificate expires in %ld day%s",
			  f->days_left, f->days_left == 1 ? "" : "s");
	if (!f->cn[0])
		probe_add(j, PROBE_WARN, "cert",
			  "the certificate subject has no CN: nmap's ip-https-discover cannot "
			  "probe this server by IP address");
	if (!f->key_rsa)
		probe_add(j, PROBE_INFO, "cert",
			  "%s key: the NULL suites (TLS_RSA_WITH_*) need an RSA certificate",
			  f->key);
	if (!f->has_cdp)
		probe_add(j, PROBE_INFO, "cert",
			  "no CRL distribution point: Windows 7 clients insist on a reachable CRL "
			  "(0x80092013)");
	if (f->self_signed)
		probe_add(j, PROBE_INFO, "cert", "the certificate is self-signed");
}

void probe_sec_cert(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;
	const char *what = "";
	char fix[PROBE_TEXT];
	uint32_t code;

	if (!f->cert)
		return;
	code = probe_sec_cert_code(f, &what);
	if (code != WINERR_SUCCESS) {
		probe_sec_cert_fix(f, code, fix, sizeof(fix));
		probe_add(j, PROBE_ERROR, "cert", "the server certificate %s%s%s", what,
			  f->verify_text[0] ? ": " : "", f->verify_text);
		probe_decide(j, PROBE_FAILED, code, fix, "the server certificate %s", what);
	} else {
		probe_add(j, PROBE_GOOD, "cert", "certificate trusted, valid for %ld more days, %s",
			  f->days_left,
			  f->ip_literal ? "(name not checked: IP address)" : "name matches");
	}
	if (f->name_mismatch && f->ip_literal)
		probe_add(j, PROBE_INFO, "cert", "the certificate does not name the address %s",
			  f->host);
	probe_sec_intercept(j);
	probe_sec_cert_notes(j);
}

static void probe_sec_versions(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	if (f->ver[PROBE_SSL3] == PROBE_HELLO_ACCEPTED)
		probe_add(j, PROBE_ERROR, "audit",
			  "SSLv3 accepted: POODLE (CVE-2014-3566); disable it");
	if (f->ver[PROBE_TLS10] == PROBE_HELLO_ACCEPTED ||
	    f->ver[PROBE_TLS11] == PROBE_HELLO_ACCEPTED)
		probe_add(j, PROBE_WARN, "audit",
			  "TLS 1.0/1.1 accepted: deprecated (RFC 8996); only unpatched Windows 7 "
			  "clients need them");
	if (f->ver[PROBE_TLS12] != PROBE_HELLO_ACCEPTED)
		probe_add(j, PROBE_WARN, "audit",
			  "TLS 1.2 not accepted: Windows clients before Windows 11 need it, and "
			  "the NULL suites exist only up to TLS 1.2");
}

void probe_sec_audit(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	if (!f->audited)
		return;
	probe_sec_versions(j);
	if (f->dhe_hello == PROBE_HELLO_ACCEPTED && f->dhe_bits < PROBE_DH_STRONG)
		probe_add(j, f->dhe_bits < PROBE_DH_WEAK ? PROBE_ERROR : PROBE_WARN, "audit",
			  "finite-field DHE with a %d-bit group: Logjam (CVE-2015-4000); use "
			  "ECDHE or groups of 2048 bits or more",
			  f->dhe_bits);
	else if (f->dhe_hello == PROBE_HELLO_ACCEPTED)
		probe_add(j, PROBE_GOOD, "audit", "finite-field DHE with a %d-bit group",
			  f->dhe_bits);
}
