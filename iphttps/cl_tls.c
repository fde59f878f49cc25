/* SPDX-License-Identifier: ISC */
/*
 * cl_tls: the client's TLS handshake on the non-blocking socket: the name the server
 * certificate must bear (the URL host, SNI unless it is an IP literal; ms-iphttps.md §3.2), the
 * context of the attempt (NULL suites first with --null-ciphers, §3.4), and the mapping of a
 * failed handshake to the Windows LastErrorCode: the verify result (CERT_E_*), the server's
 * alert (winerr_from_tls_alert, with whether it asked for a client certificate), a closed or
 * reset connection (WSAECONNRESET, on which the NULL-cipher fallback flips), anything else
 * (SEC_E_ILLEGAL_MESSAGE: e.g. a server that does not speak TLS).
 */
#include "iphttps/cl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "lib/log.h"
#include "lib/tls.h"
#include "proto/winerr.h"

/* A fatal alert from the server, during or after the handshake (TLS 1.3 servers refuse a
   client certificate only after the client's Finished). Returns its code and fills why. */
uint32_t cl_tls_alert(const struct cl *c, char *why, size_t len)
{
	bool sent_cert = c->cert_asked && c->o.cert_file;

	snprintf(why, len, "TLS alert %d (%s)%s", c->alert, SSL_alert_desc_string_long(c->alert),
		 c->cert_asked && !sent_cert ? " after asking for a client certificate" : "");
	return winerr_from_tls_alert(c->alert, sent_cert, c->cert_asked);
}

/* Records the server's alert and its CertificateRequest, for winerr_from_tls_alert. */
static void cl_tls_msg(int write_p, int version, int content_type, const void *buf, size_t len,
		       SSL *ssl, void *arg)
{
	struct cl *c = arg;
	const uint8_t *p = buf;

	(void)version;
	(void)ssl;
	if (write_p)
		return;
	if (content_type == SSL3_RT_ALERT && len >= 2 && p[1] != SSL3_AD_CLOSE_NOTIFY)
		c->alert = p[1];
	else if (content_type == SSL3_RT_HANDSHAKE && len >= 1 &&
		 p[0] == SSL3_MT_CERTIFICATE_REQUEST)
		c->cert_asked = true;
}

/* SNI (never for an IP literal, RFC 6066 §3) and the name or address the certificate must bear. */
static int cl_tls_names(struct cl *c)
{
	X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
	const struct url *u = &c->o.url;

	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (u->ip_literal)
		return X509_VERIFY_PARAM_set1_ip_asc(vp, u->host) ? 0 : -1;
	if (!X509_VERIFY_PARAM_set1_host(vp, u->host, 0) ||
	    !SSL_set_tlsext_host_name(c->ssl, u->host))
		return -1;
	return 0;
}

void cl_tls_start(struct cl *c)
{
	SSL_CTX *ctx = c->null_mode && c->ctx_null ? c->ctx_null : c->ctx_enc;
	char err[TLS_ERRLEN];

	c->ssl = SSL_new(ctx);
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1 || cl_tls_names(c) == -1) {
		cl_fail(c, WINERR_E_FAIL, "cannot set up TLS: %s", tls_errors(err, sizeof(err)));
		return;
	}
	SSL_set_msg_callback(c->ssl, cl_tls_msg);
	SSL_set_msg_callback_arg(c->ssl, c);
	SSL_set_connect_state(c->ssl);
	c->state = CL_TLS;
	ev_timer_start(&c->loop, &c->step, CL_STEP_TIMEOUT_MS);
	log_debug("TLS handshake with %s, %s cipher suites", c->o.url.host,
		  c->null_mode && c->ctx_null ? "NULL" : "encrypted");
	cl_tls_step(c);
	cl_conn_flush(c);
}

/* ssl_err from SSL_get_error, e the errno SSL_connect left. */
static void cl_tls_failed(struct cl *c, int ssl_err, int e)
{
	long v = SSL_get_verify_result(c->ssl);
	bool sent_cert = c->cert_asked && c->o.cert_file;
	char reasons[160];

	c->ssl_fatal = true;
	tls_errors(reasons, sizeof(reasons));
	if (v != X509_V_OK) {
		bool mismatch =
		    v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH;

		cl_fail(c, winerr_from_verify(v), "certificate verify failed: %s%s%s%s",
			X509_verify_cert_error_string(v), mismatch ? " (URL host " : "",
			mismatch ? c->o.url.host : "", mismatch ? ")" : "");
	} else if (c->alert >= 0) {
		uint32_t code = cl_tls_alert(c, reasons, sizeof(reasons));

		cl_fail(c, code, "server sent %s", reasons);
	} else if (ssl_err == SSL_ERROR_SYSCALL || strstr(reasons, "unexpected eof")) {
		cl_fail(c, e ? winerr_from_errno(e) : WINERR_WSAECONNRESET,
			"server %s during the TLS handshake",
			e ? strerror(e) : "closed the connection");
	} else {
		cl_fail(c, winerr_from_tls_alert(WINERR_ALERT_NONE, sent_cert, c->cert_asked),
			"TLS handshake failed: %s", reasons[0] ? reasons : "unknown error");
	}
}

static void cl_tls_done(struct cl *c)
{
	long v = SSL_get_verify_result(c->ssl);

	/* SSL_VERIFY_PEER already failed the handshake otherwise: this is belt and braces. */
	if (v != X509_V_OK || !SSL_get0_peer_certificate(c->ssl)) {
		cl_fail(c, winerr_from_verify(v), "server certificate not verified: %s",
			X509_verify_cert_error_string(v));
		return;
	}
	tls_conn_describe(c->ssl, c->st.tls, sizeof(c->st.tls));
	log_info("TLS with %s: %s%s", c->o.url.host, c->st.tls,
		 SSL_CIPHER_get_cipher_nid(SSL_get_current_cipher(c->ssl)) == NID_undef
		     ? " (NULL cipher: authenticated, not encrypted)"
		     : "");
	cl_conn_post(c);
}

void cl_tls_step(struct cl *c)
{
	int r, err, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_connect(c->ssl);
	e = errno;
	if (r == 1) {
		ev_timer_stop(&c->loop, &c->step);
		cl_tls_done(c);
		return;
	}
	err = SSL_get_error(c->ssl, r);
	if (err == SSL_ERROR_WANT_READ)
		return;
	if (err == SSL_ERROR_WANT_WRITE) {
		c->want_write = true;
		return;
	}
	cl_tls_failed(c, err, e);
}
