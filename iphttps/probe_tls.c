/* SPDX-License-Identifier: ISC */
/*
 * probe_tls: the main connection of `iphttps probe`. One TLS handshake as a client would make
 * it (encrypted suites first, the NULL suites last so a NULL-only server still answers; only
 * the NULL suites with --null-only, as Windows 8+ offers them first, ms-iphttps.md §3.4), with
 * the server certificate NOT checked during the handshake, so that an untrusted, expired or
 * misnamed certificate can still be examined (probe_cert) and the IP-HTTPS question still be
 * asked (probe_post). OpenSSL's message callback tells where a failed handshake stopped: no
 * ServerHello yet ("right after the ClientHello") or later (§5.5, 0x80090326), and whether the
 * server asked for a client certificate.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "iphttps/probe.h"
#include "lib/tls.h"

/* Everything a server might pick, at security level 0: the probe must see what is there. */
#define PROBE_TLS_CIPHERS "HIGH:MEDIUM:!aNULL:!eNULL:NULL-SHA256:NULL-SHA:@SECLEVEL=0"
#define PROBE_TLS_NULL	  "NULL-SHA256:NULL-SHA:@SECLEVEL=0"

static void probe_tls_msg(int write_p, int version, int content_type, const void *buf, size_t len,
			  SSL *ssl, void *arg)
{
	struct probe *p = arg;
	const uint8_t *b = buf;

	(void)version;
	(void)ssl;
	if (write_p)
		return;
	if (content_type == SSL3_RT_HEADER && !p->saw_record) {
		p->saw_record = true;
		p->nfirst = len < sizeof(p->first) ? len : sizeof(p->first);
		memcpy(p->first, b, p->nfirst);
	} else if (content_type == SSL3_RT_ALERT && len >= 2 && b[0] == SSL3_AL_FATAL) {
		p->f.alert = b[1];
	} else if (content_type == SSL3_RT_HANDSHAKE && len >= 1) {
		if (b[0] == SSL3_MT_SERVER_HELLO)
			p->saw_server_hello = true;
		else if (b[0] == SSL3_MT_CERTIFICATE_REQUEST)
			p->f.cert_asked = true;
	}
}

static SSL_CTX *probe_tls_ctx(struct probe *p)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	bool null = p->o.null_only;

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_max_proto_version(ctx, null ? TLS1_2_VERSION : 0);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_LEGACY_SERVER_CONNECT);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (!SSL_CTX_set_cipher_list(ctx, null ? PROBE_TLS_NULL : PROBE_TLS_CIPHERS))
		goto fail;
	if (p->o.cert_file &&
	    (SSL_CTX_use_certificate_chain_file(ctx, p->o.cert_file) != 1 ||
	     SSL_CTX_use_PrivateKey_file(ctx, p->o.key_file ? p->o.key_file : p->o.cert_file,
					 SSL_FILETYPE_PEM) != 1 ||
	     SSL_CTX_check_private_key(ctx) != 1))
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* Waits for what SSL_get_error asked; false on the deadline. */
static bool probe_tls_wait(int fd, int ssl_err, uint64_t end)
{
	uint64_t now = probe_net_now_ms();

	if (now >= end)
		return false;
	return probe_net_wait(fd, ssl_err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN,
			      (int)(end - now)) > 0;
}

/* The first bytes as printable text, for naming what answered instead of TLS. */
static void probe_tls_first(const struct probe *p, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < p->nfirst && o + 1 < len; i++)
		out[o++] = p->first[i] >= 0x20 && p->first[i] < 0x7f ? (char)p->first[i] : '.';
	out[o] = '\0';
}

static void probe_tls_failed(struct probe *p, int ssl_err, int e, bool timeout)
{
	struct probe_facts *f = &p->f;
	unsigned char t = p->nfirst ? p->first[0] : 0;

	f->phase = p->saw_server_hello ? PROBE_PHASE_SERVER_HELLO : PROBE_PHASE_CLIENT_HELLO;
	tls_errors(f->tls_error, sizeof(f->tls_error));
	if (p->saw_record && (t < SSL3_RT_CHANGE_CIPHER_SPEC || t > SSL3_RT_APPLICATION_DATA)) {
		f->tls = PROBE_HELLO_NOT_TLS;
		probe_tls_first(p, f->snippet, sizeof(f->snippet));
	} else if (f->alert >= 0) {
		f->tls = PROBE_HELLO_ALERT;
	} else if (timeout) {
		f->tls = PROBE_HELLO_TIMEOUT;
		snprintf(f->tls_error, sizeof(f->tls_error), "no answer in %d ms", p->o.timeout_ms);
	} else if (ssl_err == SSL_ERROR_SYSCALL && e == ECONNRESET) {
		f->tls = PROBE_HELLO_RESET;
	} else if (ssl_err == SSL_ERROR_SYSCALL || strstr(f->tls_error, "unexpected eof")) {
		f->tls = PROBE_HELLO_CLOSED;
	} else {
		f->tls = PROBE_HELLO_LOCAL; /* OpenSSL refused what the server sent */
	}
}

/* Drives the handshake to its end or the deadline. true when it completed. */
static bool probe_tls_handshake(struct probe *p, SSL *ssl, int fd)
{
	uint64_t end = probe_net_now_ms() + (uint64_t)p->o.timeout_ms;

	for (;;) {
		int r, err, e;

		ERR_clear_error();
		errno = 0;
		r = SSL_connect(ssl);
		e = errno;
		if (r == 1)
			return true;
		err = SSL_get_error(ssl, r);
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
			probe_tls_failed(p, err, e, false);
			return false;
		}
		if (!probe_tls_wait(fd, err, end)) {
			probe_tls_failed(p, err, 0, true);
			return false;
		}
	}
}

static void probe_tls_done(struct probe *p, SSL *ssl)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);

	p->f.tls = PROBE_HELLO_ACCEPTED;
	snprintf(p->f.tls_version, sizeof(p->f.tls_version), "%s", SSL_get_version(ssl));
	snprintf(p->f.tls_cipher, sizeof(p->f.tls_cipher), "%s",
		 c && SSL_CIPHER_standard_name(c) ? SSL_CIPHER_standard_name(c) : "?");
	p->f.tls_null = c && SSL_CIPHER_get_cipher_nid(c) == NID_undef;
	p->f.cert_sent = p->f.cert_asked && p->o.cert_file;
}

static SSL *probe_tls_new(struct probe *p, SSL_CTX *ctx, int fd)
{
	SSL *ssl = SSL_new(ctx);

	if (!ssl || SSL_set_fd(ssl, fd) != 1 ||
	    (!p->o.url.ip_literal && !SSL_set_tlsext_host_name(ssl, p->name))) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_msg_callback(ssl, probe_tls_msg);
	SSL_set_msg_callback_arg(ssl, p);
	SSL_set_connect_state(ssl);
	return ssl;
}

void probe_tls_run(struct probe *p)
{
	struct probe_io io = {.fd = probe_net_connect(p)};
	SSL_CTX *ctx = NULL;

	if (io.fd < 0)
		return;
	if (p->o.url.scheme == URL_HTTPS) {
		ctx = probe_tls_ctx(p);
		if (!ctx || !(io.ssl = probe_tls_new(p, ctx, io.fd))) {
			p->f.tls = PROBE_HELLO_NO_CONN;
			tls_errors(p->f.tls_error, sizeof(p->f.tls_error));
			goto out;
		}
		if (!probe_tls_handshake(p, io.ssl, io.fd)) {
			probe_cert_examine(
			    p, io.ssl); /* a certificate may have come before it failed */
			goto out;
		}
		probe_tls_done(p, io.ssl);
		probe_cert_examine(p, io.ssl);
	}
	probe_post_run(p, &io);
out:
	if (io.ssl && p->f.tls == PROBE_HELLO_ACCEPTED && !p->dead)
		SSL_shutdown(io.ssl);
	SSL_free(io.ssl);
	SSL_CTX_free(ctx);
	close(io.fd);
}

/* A fatal alert after the handshake: a TLS 1.3 server refusing our (missing) certificate after
   its Finished (RFC 8446 §4.4.2.4). The handshake failed after the ServerHello, in effect. */
static void probe_tls_late_alert(struct probe *p)
{
	p->f.tls = PROBE_HELLO_ALERT;
	p->f.phase = PROBE_PHASE_SERVER_HELLO;
	tls_errors(p->f.tls_error, sizeof(p->f.tls_error));
}

/* OpenSSL 3 reports a TCP close without close_notify as an SSL error, not as EOF. */
static bool probe_tls_eof(int err, int e)
{
	return (err == SSL_ERROR_SYSCALL && e == 0) ||
	       (err == SSL_ERROR_SSL &&
		ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
}

static long probe_tls_read_ssl(struct probe *p, struct probe_io *io, uint8_t *buf, size_t len,
			       uint64_t end)
{
	for (;;) {
		int r, err, e;

		ERR_clear_error();
		errno = 0;
		r = SSL_read(io->ssl, buf, (int)(len > INT32_MAX ? INT32_MAX : len));
		e = errno;
		if (r > 0)
			return r;
		err = SSL_get_error(io->ssl, r);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
			if (probe_tls_wait(io->fd, err, end))
				continue;
			errno = ETIMEDOUT;
			return -1;
		}
		p->dead = true;
		if (err == SSL_ERROR_ZERO_RETURN || probe_tls_eof(err, e))
			return 0;
		if (p->f.alert >= 0) {
			probe_tls_late_alert(p);
			errno = EPROTO;
			return -1;
		}
		errno = e ? e : ECONNRESET;
		return -1;
	}
}

long probe_tls_read(struct probe *p, struct probe_io *io, uint8_t *buf, size_t len, int timeout_ms)
{
	uint64_t end = probe_net_now_ms() + (uint64_t)timeout_ms;

	if (io->ssl)
		return probe_tls_read_ssl(p, io, buf, len, end);
	for (;;) {
		ssize_t n = recv(io->fd, buf, len, 0);
		uint64_t now;

		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
		now = probe_net_now_ms();
		if (now >= end || probe_net_wait(io->fd, POLLIN, (int)(end - now)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

int probe_tls_write(struct probe *p, struct probe_io *io, const void *buf, size_t len)
{
	uint64_t end = probe_net_now_ms() + (uint64_t)p->o.timeout_ms;

	if (!io->ssl)
		return probe_net_send(io->fd, buf, len, p->o.timeout_ms);
	for (;;) {
		int r, err, e;

		ERR_clear_error();
		errno = 0;
		r = SSL_write(io->ssl, buf, (int)len);
		e = errno;
		if (r > 0)
			return 0; /* without SSL_MODE_ENABLE_PARTIAL_WRITE: all of it */
		err = SSL_get_error(io->ssl, r);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
			if (probe_tls_wait(io->fd, err, end))
				continue;
			errno = ETIMEDOUT;
			return -1;
		}
		p->dead = true;
		if (p->f.alert >= 0)
			probe_tls_late_alert(p);
		errno = err == SSL_ERROR_SYSCALL && e ? e : ECONNRESET;
		return -1;
	}
}
