/* SPDX-License-Identifier: ISC */
/*
 * winerr: Windows IP-HTTPS LastErrorCode values and the mapping from Linux/OpenSSL failures.
 *
 * It does: keep one table of codes with a one-line meaning and fix each (ms-iphttps.md §5.5,
 * field sources cited there, plus the codes our mappings produce), and translate what this
 * client observes into the code a Windows client shows for the same failure, so an
 * administrator can use the same knowledge base for both. It does not: read errno, OpenSSL's
 * error queue or the clock itself (callers pass values in), or decide what to do next.
 *
 * Names are those of winerror.h. Where Windows' own choice is not documented the mapping says
 * so and what it picked.
 */
#include "proto/winerr.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509_vfy.h>

/* Sorted by code for the reader; lookup is linear (a few dozen entries, looked up rarely). */
static const struct winerr_info winerr_table[] = {
    {WINERR_SUCCESS, "ERROR_SUCCESS", "connected: the server answered 200 OK and the link is up",
     "nothing to fix"},
    {WINERR_DUP_NAME, "ERROR_DUP_NAME",
     "interface creation failure: the tunnel interface could not be created",
     "remove a stale interface of the same name (ip link del NAME) and check that IPv6 and "
     "/dev/net/tun are available"},
    {WINERR_NO_MORE_ITEMS, "ERROR_NO_MORE_ITEMS",
     "no usable certificate(s) found: the server refused every client certificate tried",
     "use a client certificate issued by a CA the server trusts; check the URL host matches "
     "the server certificate's subject/SAN"},
    {WINERR_INVALID_NETNAME, "ERROR_INVALID_NETNAME",
     "invalid IP-HTTPS URL: the host is an IP address, not a DNS name",
     "put the server's DNS name (the one in its certificate) in the URL"},
    {WINERR_CONNECTION_REFUSED, "ERROR_CONNECTION_REFUSED", "the server refused the connection",
     "check that the server listens on the URL's port; Windows also flips its cipher list on "
     "this code"},
    {WINERR_INSTALL_FAILURE, "ERROR_INSTALL_FAILURE",
     "interface creation failure: the tunnel interface could not be created",
     "remove a stale interface of the same name (ip link del NAME) and check that IPv6 and "
     "/dev/net/tun are available"},
    {WINERR_WSAENETUNREACH, "WSAENETUNREACH", "no route to the server's network",
     "check this machine's uplink and default route (ip route get SERVER-ADDRESS)"},
    {WINERR_WSAECONNRESET, "WSAECONNRESET",
     "the connection was reset, often during the TLS handshake",
     "a server, load balancer or proxy reset it: check that it offers TLS suites the client "
     "offers (the client retries at once with its other cipher list)"},
    {WINERR_WSAETIMEDOUT, "WSAETIMEDOUT", "the TCP connection to the server timed out",
     "a firewall or NAT drops the traffic: open the port (443) and check the port forward to "
     "the server"},
    {WINERR_WSAECONNREFUSED, "WSAECONNREFUSED", "the server refused the TCP connection (RST)",
     "nothing listens on that address and port, or the name resolved to the wrong (internal) "
     "address: check DNS and the server"},
    {WINERR_WSAEHOSTUNREACH, "WSAEHOSTUNREACH", "the server's host is unreachable",
     "check routing and firewalls between this machine and the server"},
    {WINERR_WSAHOST_NOT_FOUND, "WSAHOST_NOT_FOUND", "the server's name could not be resolved",
     "check DNS for the URL host (getent ahosts HOST): it must be a public name your resolver "
     "answers, not caught by split DNS"},
    {WINERR_WSANO_DATA, "WSANO_DATA", "the server's name exists but has no usable address",
     "publish an A or AAAA record for the name; a DNS64 or split-DNS resolver may answer for "
     "it"},
    {WINERR_SEC_I_INCOMPLETE_CREDENTIALS, "SEC_I_INCOMPLETE_CREDENTIALS",
     "the server asked for a client certificate and the client had none it accepts",
     "configure a client certificate and key from the CA the server trusts, or set the server "
     "to authentication mode None"},
    {WINERR_E_FAIL, "E_FAIL", "the attempt failed for a reason with no closer Windows code",
     "see Detail for the system's own message"},
    {WINERR_SEC_E_UNKNOWN_CREDENTIALS, "SEC_E_UNKNOWN_CREDENTIALS",
     "the client certificate could not be used",
     "check that the key matches the certificate "
     "and is readable; the next certificate is tried"},
    {WINERR_SEC_E_NO_CREDENTIALS, "SEC_E_NO_CREDENTIALS",
     "no credentials are available for the client certificate",
     "check the client certificate and key files; the next certificate is tried"},
    {WINERR_SEC_E_ILLEGAL_MESSAGE, "SEC_E_ILLEGAL_MESSAGE",
     "the TLS handshake failed with a fatal alert from the server",
     "right after ClientHello: the server or load balancer lacks the client's suites (enable "
     "AEAD or null suites); later: client-certificate setup"},
    {WINERR_SEC_E_ALGORITHM_MISMATCH, "SEC_E_ALGORITHM_MISMATCH",
     "client and server have no cipher suite in common",
     "enable TLS 1.2/1.3 AEAD suites on the server (null suites for Windows 8+ clients); the "
     "client retries once with its other list"},
    {WINERR_CRYPT_E_REVOKED, "CRYPT_E_REVOKED",
     "the server certificate, or one in its chain, is revoked",
     "install a new server certificate; if the revocation is unexpected check the CRL"},
    {WINERR_CRYPT_E_REVOCATION_OFFLINE, "CRYPT_E_REVOCATION_OFFLINE",
     "revocation could not be checked: the CRL is unreachable or out of date",
     "publish a current CRL at a distribution point reachable from the Internet, or do not "
     "require CRL checks"},
    {WINERR_TRUST_E_CERT_SIGNATURE, "TRUST_E_CERT_SIGNATURE",
     "a certificate's signature in the server's chain does not verify",
     "the chain is corrupt or mixed up: install the server certificate with its own issuer's "
     "intermediates"},
    {WINERR_TRUST_E_BASIC_CONSTRAINTS, "TRUST_E_BASIC_CONSTRAINTS",
     "a certificate in the chain acts as a CA without being allowed to (basic constraints)",
     "reissue the chain: issuing certificates need CA:TRUE and a large enough path length"},
    {WINERR_CERT_E_EXPIRED, "CERT_E_EXPIRED",
     "a certificate is outside its validity period (expired or not yet valid)",
     "renew the server certificate (check it with openssl s_client); check this machine's "
     "clock"},
    {WINERR_CERT_E_UNTRUSTEDROOT, "CERT_E_UNTRUSTEDROOT",
     "the server certificate chains to a root this client does not trust",
     "install the issuing CA (--ca FILE or the system trust store); the server must also send "
     "its intermediate certificates"},
    {WINERR_CERT_E_CHAINING, "CERT_E_CHAINING",
     "the server's certificate chain failed a check that has no closer Windows code",
     "see Detail for OpenSSL's reason; reissue the certificate or fix the chain the server "
     "sends"},
    {WINERR_CERT_E_REVOKED, "CERT_E_REVOKED",
     "a certificate was revoked by its issuer (TLS checks report it as CRYPT_E_REVOKED)",
     "install a new certificate"},
    {WINERR_CERT_E_CN_NO_MATCH, "CERT_E_CN_NO_MATCH",
     "the server certificate's names do not match the URL host",
     "reissue the certificate with the URL host in its subjectAltName, or use a URL host the "
     "certificate names"},
    {WINERR_CERT_E_WRONG_USAGE, "CERT_E_WRONG_USAGE",
     "a certificate is not valid for this use (key usage / extended key usage)",
     "the server certificate needs the Server Authentication EKU, a client certificate Client "
     "Authentication"},
    {WINERR_HTTP_UNEXPECTED, "HTTP_E_STATUS_UNEXPECTED",
     "the answer to the request carried no valid HTTP status",
     "check that the URL points at an IP-HTTPS server and not at another service"},
    {0x8019012Du, "HTTP_E_STATUS_MOVED", "the server redirected the request (301)",
     "IP-HTTPS does not follow redirects: put the final URL in the configuration"},
    {0x8019012Eu, "HTTP_E_STATUS_REDIRECT", "the server redirected the request (302)",
     "IP-HTTPS does not follow redirects: put the final URL in the configuration"},
    {0x8019012Fu, "HTTP_E_STATUS_REDIRECT_METHOD", "the server redirected the request (303)",
     "IP-HTTPS does not follow redirects: put the final URL in the configuration"},
    {0x80190133u, "HTTP_E_STATUS_REDIRECT_KEEP_VERB", "the server redirected the request (307)",
     "IP-HTTPS does not follow redirects: put the final URL in the configuration"},
    {0x80190190u, "HTTP_E_STATUS_BAD_REQUEST",
     "the server, or a proxy in front of it, refused the request (400)",
     "an HTTP reverse proxy rejects Content-Length 2^64-1: forward TCP or TLS to the server "
     "instead"},
    {0x80190191u, "HTTP_E_STATUS_DENIED", "the server wants HTTP authentication (401)",
     "IP-HTTPS authenticates with TLS client certificates: check the URL points at the IP-HTTPS "
     "server"},
    {0x80190193u, "HTTP_E_STATUS_FORBIDDEN",
     "the server refused this client (403), or a proxy refused the CONNECT",
     "use a client certificate the server accepts; for a proxy, allow CONNECT to the server's "
     "port"},
    {0x80190194u, "HTTP_E_STATUS_NOT_FOUND",
     "the server answered 404: the URL path is not its IP-HTTPS path",
     "use the path the server serves, usually /IPHTTPS"},
    {0x80190195u, "HTTP_E_STATUS_BAD_METHOD", "the server does not accept POST on that URL (405)",
     "use the server's IP-HTTPS path, usually /IPHTTPS"},
    {WINERR_HTTP_PROXY_AUTH_REQ, "HTTP_E_STATUS_PROXY_AUTH_REQ",
     "the HTTP proxy wants authentication (407)",
     "give the proxy's credentials, or use a proxy that allows CONNECT to the server without"},
    {0x80190198u, "HTTP_E_STATUS_REQUEST_TIMEOUT",
     "the server or proxy timed out the request (408)",
     "check the path between client and server for a slow or intercepting proxy"},
    {0x801901F4u, "HTTP_E_STATUS_SERVER_ERROR", "the server failed internally (500)",
     "look at the server's log"},
    {0x801901F5u, "HTTP_E_STATUS_NOT_SUPPORTED", "the server does not support the request (501)",
     "check that the URL points at an IP-HTTPS server"},
    {0x801901F6u, "HTTP_E_STATUS_BAD_GATEWAY",
     "a proxy or load balancer could not reach the server (502)",
     "check the proxy's or load balancer's backends"},
    {0x801901F7u, "HTTP_E_STATUS_SERVICE_UNAVAIL",
     "the server is up but IP-HTTPS is not available (503)",
     "check the IP-HTTPS service on the server, or the load balancer's backends"},
    {0x801901F8u, "HTTP_E_STATUS_GATEWAY_TIMEOUT",
     "a proxy or load balancer timed out reaching the server (504)",
     "check the proxy's or load balancer's path to the server"},
};

/* Any other 0x8019xxxx whose low half is an HTTP status. */
static const struct winerr_info winerr_http_generic = {
    WINERR_HTTP_BASE, "HTTP status",
    "the server or a proxy answered with an HTTP status other than 200 OK",
    "check that the URL's host, port and path point at the IP-HTTPS server; its log says why"};

static const struct winerr_info winerr_unknown = {
    WINERR_E_FAIL, "unknown", "a code this version of iphttps has no description for",
    "see Detail for what failed"};

static const struct winerr_info *winerr_find(uint32_t code)
{
	for (size_t i = 0; i < sizeof(winerr_table) / sizeof(winerr_table[0]); i++)
		if (winerr_table[i].code == code)
			return &winerr_table[i];
	return NULL;
}

int winerr_http_status(uint32_t code)
{
	uint32_t st = code & 0xFFFFu;

	/* RFC 9110 §15: a status code is three digits. */
	if ((code & 0xFFFF0000u) != WINERR_HTTP_BASE || st < 100 || st > 999)
		return -1;
	return (int)st;
}

bool winerr_known(uint32_t code)
{
	return winerr_find(code) != NULL;
}

const struct winerr_info *winerr_lookup(uint32_t code)
{
	const struct winerr_info *e = winerr_find(code);

	if (e)
		return e;
	if (winerr_http_status(code) >= 0)
		return &winerr_http_generic;
	return &winerr_unknown;
}

const char *winerr_name(uint32_t code, char *buf, size_t len)
{
	const struct winerr_info *e = winerr_find(code);
	int st = winerr_http_status(code);

	if (len == 0)
		return buf;
	if (e)
		snprintf(buf, len, "%s", e->name);
	else if (st >= 0)
		snprintf(buf, len, "%s %d", winerr_http_generic.name, st);
	else
		snprintf(buf, len, "%s", winerr_unknown.name);
	return buf;
}

size_t winerr_describe(uint32_t code, char *buf, size_t len)
{
	const struct winerr_info *e = winerr_lookup(code);
	char name[32];
	int n;

	winerr_name(code, name, sizeof(name));
	n = snprintf(buf, len, "0x%X %s: %s; fix: %s", (unsigned)code, name, e->meaning, e->fix);
	return n < 0 ? 0 : (size_t)n;
}

/* ms-iphttps.md §5.4: the InterfaceStatus strings Windows shows for particular codes. */
const char *winerr_interface_status(uint32_t code)
{
	switch (code) {
	case WINERR_SUCCESS:
		return "IPHTTPS interface active";
	case WINERR_NO_MORE_ITEMS:
		return "No usable certificate(s) found";
	case WINERR_INVALID_NETNAME:
		return "Invalid IPHTTPS URL specified";
	case WINERR_DUP_NAME:
	case WINERR_INSTALL_FAILURE:
		return "Interface creation failure";
	}
	return NULL;
}

/*
 * getaddrinfo (POSIX, glibc's EAI_NODATA/EAI_ADDRFAMILY under _GNU_SOURCE). Field reports show
 * every name-resolution failure of an IP-HTTPS client as WSAHOST_NOT_FOUND 0x2AF9 and a name
 * with no address of the wanted type as WSANO_DATA 0x2AFC (ms-iphttps.md §5.5, KB2980635,
 * KB3056560). Windows' own getaddrinfo would give a temporary DNS failure (EAI_AGAIN) its own
 * code, WSATRY_AGAIN; the status line keeps gai_strerror() in Detail, so folding it into
 * 0x2AF9 loses nothing and points the administrator at the documented fix (DNS, NRPT).
 */
uint32_t winerr_from_gai(int eai)
{
	switch (eai) {
	case 0:
		return WINERR_SUCCESS;
	case EAI_NONAME:
	case EAI_FAIL:
	case EAI_AGAIN:
		return WINERR_WSAHOST_NOT_FOUND;
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
	case EAI_ADDRFAMILY:
#endif
		return WINERR_WSANO_DATA;
	}
	/* EAI_MEMORY, EAI_SYSTEM, EAI_SERVICE...: local trouble, not the name's. */
	return WINERR_E_FAIL;
}

/*
 * Socket errors as Windows Sockets names them (WSAE* = 10000 + the BSD errno of 4.3BSD, so
 * WSAETIMEDOUT 10060, WSAECONNREFUSED 10061, WSAECONNRESET 10054, WSAENETUNREACH 10051,
 * WSAEHOSTUNREACH 10065). EPIPE is a write to a connection the peer reset: Windows reports
 * that as WSAECONNRESET too. Everything else, errno 0 included, is E_FAIL (see the header).
 */
uint32_t winerr_from_errno(int err)
{
	switch (err) {
	case ETIMEDOUT:
		return WINERR_WSAETIMEDOUT;
	case ECONNREFUSED:
		return WINERR_WSAECONNREFUSED;
	case ECONNRESET:
	case EPIPE:
		return WINERR_WSAECONNRESET;
	case ENETUNREACH:
		return WINERR_WSAENETUNREACH;
	case EHOSTUNREACH:
		return WINERR_WSAEHOSTUNREACH;
	}
	return WINERR_E_FAIL;
}

static bool winerr_verify_untrusted(long e)
{
	return e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
	       e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	       e == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE ||
	       e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
	       e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN || e == X509_V_ERR_CERT_CHAIN_TOO_LONG ||
	       e == X509_V_ERR_CERT_UNTRUSTED || e == X509_V_ERR_CERT_REJECTED;
}

static bool winerr_verify_crl(long e)
{
	return e == X509_V_ERR_UNABLE_TO_GET_CRL || e == X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER ||
	       e == X509_V_ERR_CRL_NOT_YET_VALID || e == X509_V_ERR_CRL_HAS_EXPIRED ||
	       e == X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD ||
	       e == X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD;
}

/*
 * OpenSSL's verify result to the code CertVerifyCertificateChainPolicy gives for an SSL server
 * (its base and SSL policy errors, learn.microsoft.com CERT_CHAIN_POLICY_STATUS): that is what
 * a Windows client's TLS stack reports. In particular a revoked certificate is
 * CRYPT_E_REVOKED 0x80092010 there; CERT_E_REVOKED 0x800B010C is the Authenticode policy's
 * spelling and is kept in the table only to explain it when seen. CERT_E_EXPIRED covers "not
 * yet valid" as well ("not within its validity period"). An unable-to-get-issuer failure is
 * reported as an untrusted root, its usual cause with a server sending its full chain.
 * A failure with no closer code is CERT_E_CHAINING, and Detail keeps OpenSSL's own words.
 */
uint32_t winerr_from_verify(long x509_err)
{
	if (x509_err == X509_V_OK)
		return WINERR_SUCCESS;
	if (winerr_verify_untrusted(x509_err))
		return WINERR_CERT_E_UNTRUSTEDROOT;
	if (winerr_verify_crl(x509_err))
		return WINERR_CRYPT_E_REVOCATION_OFFLINE;
	switch (x509_err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
		return WINERR_CERT_E_EXPIRED;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return WINERR_CERT_E_CN_NO_MATCH;
	case X509_V_ERR_CERT_REVOKED:
		return WINERR_CRYPT_E_REVOKED;
	case X509_V_ERR_INVALID_PURPOSE:
		return WINERR_CERT_E_WRONG_USAGE;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
		return WINERR_TRUST_E_CERT_SIGNATURE;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_INVALID_NON_CA:
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
		return WINERR_TRUST_E_BASIC_CONSTRAINTS;
	}
	return WINERR_CERT_E_CHAINING;
}

/*
 * [MS-IPHTTPS] §3.1.5.2: only a successful response brings the link up; Windows takes exactly
 * 200 as success and reports any other status S as 0x80190000 | S, 407 being
 * HTTP_E_STATUS_PROXY_AUTH_REQ (ms-iphttps.md §1.4, §4.3). What to do after a 403 (next client
 * certificate, then ERROR_NO_MORE_ITEMS) is the client's business, not this mapping's.
 */
uint32_t winerr_from_http(int status)
{
	if (status == 200)
		return WINERR_SUCCESS;
	if (status == 407)
		return WINERR_HTTP_PROXY_AUTH_REQ;
	if (status < 100 || status > 999)
		return WINERR_HTTP_UNEXPECTED;
	return WINERR_HTTP_BASE | (uint32_t)status;
}

/*
 * ms-iphttps.md §3.3-3.4, §5.5. A server that asked for a certificate we could not give, or that
 * says so (certificate_required, RFC 8446 §4.4.2.4), is SEC_I_INCOMPLETE_CREDENTIALS. Every other
 * fatal alert is SEC_E_ILLEGAL_MESSAGE: Schannel reports a received fatal alert that way, which
 * is what Windows 8+ clients show against a load balancer without the null suites (a
 * handshake_failure right after the NULL-only ClientHello, Hicks in §5.5) and with
 * client-certificate trouble (after the ServerHello). SEC_E_ALGORITHM_MISMATCH is the client's
 * own finding, not an alert's: Windows flips its cipher list on it, and not on 0x80090326, which
 * is why a fatal alert strands a Windows 8+ client in null mode (§3.4). winerr_alert_no_suite()
 * tells the alerts that mean "no suite in common" apart, for a client that does better.
 */
uint32_t winerr_from_tls_alert(int alert, bool we_sent_cert, bool server_asked_cert)
{
	if ((server_asked_cert && !we_sent_cert) || alert == WINERR_ALERT_CERTIFICATE_REQUIRED)
		return WINERR_SEC_I_INCOMPLETE_CREDENTIALS;
	return WINERR_SEC_E_ILLEGAL_MESSAGE;
}

bool winerr_alert_no_suite(int alert, bool server_asked_cert)
{
	return !server_asked_cert && (alert == WINERR_ALERT_HANDSHAKE_FAILURE ||
				      alert == WINERR_ALERT_INSUFFICIENT_SECURITY);
}

/* ms-iphttps.md §3.4 [WIN]: the three codes on which Windows toggles null/default ciphers. */
bool winerr_flips_cipher(uint32_t code)
{
	return code == WINERR_SEC_E_ALGORITHM_MISMATCH || code == WINERR_CONNECTION_REFUSED ||
	       code == WINERR_WSAECONNRESET;
}
