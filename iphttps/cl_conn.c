/* SPDX-License-Identifier: ISC */
/*
 * cl_conn: one attempt, from the name to the server's 200 ([MS-IPHTTPS] §3.1.5): resolve
 * (getaddrinfo, blocking but bounded by the resolver), a non-blocking TCP connect to each
 * address in turn, the CONNECT exchange with an HTTP proxy (§3.1.5.1), the TLS handshake
 * (cl_tls.c), the POST, and the response head. Each step has its own timeout (CL_STEP_TIMEOUT_MS)
 * and maps its failure to the Windows LastErrorCode (proto/winerr). Also the byte I/O over TLS or
 * plain TCP, as the gateway's client.c does it: partial writes through the output queue with
 * OpenSSL's same-length retry.
 */
#include "iphttps/cl.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "lib/addr.h"
#include "lib/log.h"
#include "lib/sock.h"
#include "lib/tls.h"
#include "proto/winerr.h"

#define CL_STEP_S (CL_STEP_TIMEOUT_MS / 1000)

static void cl_conn_io(struct ev_loop *loop, struct ev_io *io, uint32_t events);
static void cl_tcp_next(struct cl *c);

/* ---- byte I/O: >0 bytes, 0 would block, -1 failed with c->ioerr filled ---- */

static long cl_ioerr(struct cl *c, uint32_t code, const char *why)
{
	c->ioerr.code = code;
	snprintf(c->ioerr.why, sizeof(c->ioerr.why), "%s", why);
	return -1;
}

static long cl_ssl_result(struct cl *c, int r, bool writing)
{
	char reasons[128];
	int e = errno;

	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		c->write_wants_read = writing; /* renegotiation: EPOLLOUT alone would spin */
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->want_write = true;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		return cl_ioerr(c, WINERR_WSAECONNRESET, "TLS session closed (close_notify)");
	case SSL_ERROR_SYSCALL:
		c->ssl_fatal = true;
		if (e != 0)
			return cl_ioerr(c, winerr_from_errno(e), strerror(e));
		return cl_ioerr(c, WINERR_WSAECONNRESET, "connection closed");
	default:
		c->ssl_fatal = true;
		if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			return cl_ioerr(c, WINERR_WSAECONNRESET,
					"connection closed without close_notify");
		}
		tls_errors(reasons, sizeof(reasons));
		if (c->alert >= 0) {
			uint32_t code = cl_tls_alert(c, reasons, sizeof(reasons));

			return cl_ioerr(c, code, reasons);
		}
		return cl_ioerr(c, WINERR_SEC_E_ILLEGAL_MESSAGE,
				reasons[0] ? reasons : "TLS error");
	}
}

long cl_conn_read(struct cl *c, uint8_t *buf, size_t len)
{
	ssize_t n;

	if (c->ssl) {
		int r;

		ERR_clear_error();
		errno = 0;
		r = SSL_read(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
		if (r <= 0)
			return cl_ssl_result(c, r, false);
		c->cnt.bytes_in += (uint64_t)r;
		return r;
	}
	n = read(c->fd, buf, len);
	c->rx_drained = n > 0 && (size_t)n < len;
	if (n > 0) {
		c->cnt.bytes_in += (uint64_t)n;
		return n;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == 0)
		return cl_ioerr(c, WINERR_WSAECONNRESET, "connection closed");
	return cl_ioerr(c, winerr_from_errno(errno), strerror(errno));
}

bool cl_conn_drained(const struct cl *c)
{
	return c->rx_drained && !(c->ssl && SSL_has_pending(c->ssl));
}

static long cl_write(void *arg, const uint8_t *p, size_t len)
{
	struct cl *c = arg;
	long n;

	if (c->ssl) {
		int r;

		ERR_clear_error();
		errno = 0;
		r = SSL_write(c->ssl, p, len > INT_MAX ? INT_MAX : (int)len);
		n = r > 0 ? r : cl_ssl_result(c, r, true);
	} else {
		ssize_t w = send(c->fd, p, len, MSG_NOSIGNAL);

		if (w >= 0)
			n = w;
		else if (errno == EAGAIN || errno == EINTR)
			n = 0;
		else
			n = cl_ioerr(c, winerr_from_errno(errno), strerror(errno));
	}
	if (n > 0)
		c->cnt.bytes_out += (uint64_t)n;
	return n;
}

/* ---- events, flushing, closing ---- */

static void cl_update_events(struct cl *c)
{
	uint32_t ev = EPOLLIN;

	if (c->want_write || (c->q.bytes > 0 && !c->write_wants_read))
		ev |= EPOLLOUT;
	if (c->state == CL_TCP)
		ev = EPOLLOUT;
	if (ev_io_mod(&c->loop, &c->io, ev) == -1)
		cl_fail(c, WINERR_E_FAIL, "epoll_ctl: %s", strerror(errno));
}

static const char *cl_peer_name(const struct cl *c)
{
	return c->state == CL_PROXY || (c->state == CL_TCP && c->o.have_proxy) ? "proxy" : "server";
}

void cl_conn_flush(struct cl *c)
{
	if (c->state == CL_IDLE || c->fd == -1 || !c->io_on)
		return;
	if (c->state != CL_TCP && c->q.bytes > 0 &&
	    outq_flush(&c->q, &c->pool, cl_write, c) == -1) {
		cl_fail(c, c->ioerr.code, "writing to the %s: %s", cl_peer_name(c), c->ioerr.why);
		return;
	}
	cl_update_events(c);
}

void cl_conn_close(struct cl *c, bool graceful)
{
	ev_timer_stop(&c->loop, &c->step);
	if (c->state == CL_UP)
		cl_link_down(c);
	if (c->io_on) {
		ev_io_del(&c->loop, &c->io);
		c->io_on = false;
	}
	if (c->ssl) {
		/* close_notify, best effort; never after a fatal error (SSL_shutdown(3)). */
		if (c->ssl_fatal || !graceful || !SSL_is_init_finished(c->ssl))
			SSL_set_quiet_shutdown(c->ssl, 1);
		SSL_shutdown(c->ssl);
		ERR_clear_error();
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	outq_clear(&c->q, &c->pool);
	frame_rx_free(&c->rx);
	c->headlen = 0;
	c->want_write = c->write_wants_read = c->read_more = c->dirty = c->rx_drained = false;
	c->state = CL_IDLE;
}

/* ---- resolve and TCP ---- */

static const struct url *cl_first_hop(const struct cl *c)
{
	return c->o.have_proxy ? &c->o.proxy : &c->o.url;
}

static int cl_resolve(struct cl *c)
{
	const struct url *u = cl_first_hop(c);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res, *ai;
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%u", u->port);
	rc = getaddrinfo(u->host, port, &hints, &res);
	if (rc != 0) {
		cl_fail(c, winerr_from_gai(rc), "cannot resolve %s%s: %s",
			c->o.have_proxy ? "proxy " : "", u->host,
			rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai && c->naddrs < CL_MAX_ADDRS; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(c->addrs[0]))
			continue;
		memcpy(&c->addrs[c->naddrs], ai->ai_addr, ai->ai_addrlen);
		c->addrlens[c->naddrs++] = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	if (c->naddrs == 0) {
		cl_fail(c, WINERR_WSANO_DATA, "%s has no IPv4 or IPv6 address", u->host);
		return -1;
	}
	return 0;
}

/* Gives up on the address being tried (err: why) and closes its socket. */
static void cl_tcp_drop(struct cl *c, int err)
{
	log_info("connect to %s%s: %s", c->o.have_proxy ? "proxy " : "", c->peer, strerror(err));
	ev_timer_stop(&c->loop, &c->step);
	if (c->io_on)
		ev_io_del(&c->loop, &c->io);
	c->io_on = false;
	close(c->fd);
	c->fd = -1;
	c->last_errno = err;
	c->iaddr++;
}

/* Starts a connect to the next address; fails the attempt when none is left. */
static void cl_tcp_next(struct cl *c)
{
	for (; c->iaddr < c->naddrs; c->iaddr++) {
		const struct sockaddr *sa = (const struct sockaddr *)&c->addrs[c->iaddr];
		int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		addr_format_sockaddr(sa, c->peer, sizeof(c->peer));
		if (fd == -1 ||
		    (connect(fd, sa, c->addrlens[c->iaddr]) == -1 && errno != EINPROGRESS)) {
			c->last_errno = errno;
			log_info("connect to %s: %s", c->peer, strerror(errno));
			if (fd != -1)
				close(fd);
			continue;
		}
		c->fd = fd;
		if (ev_io_add(&c->loop, &c->io, fd, EPOLLOUT, cl_conn_io, c) == -1) {
			c->last_errno = errno;
			close(fd);
			c->fd = -1;
			break;
		}
		c->io_on = true;
		ev_timer_start(&c->loop, &c->step, CL_STEP_TIMEOUT_MS);
		return;
	}
	cl_fail(c, winerr_from_errno(c->last_errno), "connect to %s%s: %s%s",
		c->o.have_proxy ? "proxy " : "", c->peer, strerror(c->last_errno),
		c->naddrs > 1 ? " (and every other address of the name)" : "");
}

/* ---- proxy CONNECT (draft-luotonen-web-proxy-tunneling-01, RFC 9110 §9.3.6) ---- */

static void cl_tunnel_ready(struct cl *c);

static void cl_proxy_start(struct cl *c)
{
	char auth[URL_HOST_MAX + 16] = "", req[CL_REQ_MAX];
	size_t n = 0;

	if (url_authority(&c->o.url, true, auth, sizeof(auth)) > 0)
		n = http1_request_connect(req, sizeof(req), auth,
					  c->proxy_b64[0] ? c->proxy_b64 : NULL);
	if (n == 0 || outq_push(&c->q, &c->pool, req, n, SIZE_MAX) == -1) {
		cl_fail(c, WINERR_E_FAIL, "cannot build the CONNECT request for %s", auth);
		return;
	}
	explicit_bzero(req, sizeof(req)); /* it held the credentials */
	c->state = CL_PROXY;
	c->headlen = 0;
	ev_timer_start(&c->loop, &c->step, CL_STEP_TIMEOUT_MS);
	log_debug("proxy %s: CONNECT %s%s", c->peer, auth,
		  c->proxy_b64[0] ? " with Basic credentials" : "");
	cl_conn_flush(c);
}

/*
 * Reads and parses a response head into c->head. Returns 1 with *r when a final (non-1xx)
 * head is complete, 0 to wait for more, -1 after cl_fail. Interim 1xx heads are skipped.
 */
static int cl_head_read(struct cl *c, struct http1_response *r, const char *who)
{
	for (;;) {
		enum http1_result res = http1_parse_response(c->head, c->headlen, r);
		long n;

		if (res == HTTP1_OK && r->status < 200 && r->consumed > 0 &&
		    r->consumed <= c->headlen) {
			memmove(c->head, c->head + r->consumed, c->headlen - r->consumed);
			c->headlen -= r->consumed;
			continue;
		}
		if (res == HTTP1_OK)
			return 1;
		if (res == HTTP1_ERROR || c->headlen >= sizeof(c->head)) {
			cl_fail(c, WINERR_HTTP_UNEXPECTED, "the %s's answer is not HTTP: %s", who,
				r->why ? r->why : "head too large");
			return -1;
		}
		n = cl_conn_read(c, c->head + c->headlen, sizeof(c->head) - c->headlen);
		if (n == 0)
			return 0;
		if (n < 0) {
			cl_fail(c, c->ioerr.code, "%s: %s, before answering %s", who, c->ioerr.why,
				c->state == CL_PROXY ? "CONNECT" : "the POST");
			return -1;
		}
		c->headlen += (size_t)n;
	}
}

static void cl_proxy_answer(struct cl *c)
{
	struct http1_response r;

	if (cl_head_read(c, &r, "proxy") <= 0)
		return;
	if (r.status == 407) {
		cl_fail(c, winerr_from_http(407),
			c->proxy_b64[0] ? "proxy refused the credentials of user %s (407 %s)"
					: "proxy requires authentication (407 %s%s%s): give "
					  "http://USER:PASSWORD@... as the proxy",
			c->proxy_b64[0] ? c->o.proxy.user : r.reason,
			c->proxy_b64[0] ? r.reason : ", scheme ",
			c->proxy_b64[0] ? "" : (r.proxy_auth[0] ? r.proxy_auth : "unknown"));
		return;
	}
	if (r.status < 200 || r.status > 299) {
		cl_fail(c, winerr_from_http(r.status), "proxy answered %d %s to CONNECT %s:%u",
			r.status, r.reason, c->o.url.host, c->o.url.port);
		return;
	}
	/* The server speaks only after our ClientHello (or POST): nothing may follow yet. */
	if (r.consumed != c->headlen) {
		cl_fail(c, WINERR_HTTP_UNEXPECTED, "proxy sent %zu bytes after its %d answer",
			c->headlen - r.consumed, r.status);
		return;
	}
	c->headlen = 0;
	ev_timer_stop(&c->loop, &c->step);
	log_info("proxy %s: tunnel to %s:%u open (%d %s)", c->peer, c->o.url.host, c->o.url.port,
		 r.status, r.reason);
	cl_tunnel_ready(c);
}

/* ---- the request and its answer ([MS-IPHTTPS] §3.1.5.2) ---- */

void cl_conn_post(struct cl *c)
{
	char host[URL_HOST_MAX + 16], req[CL_REQ_MAX];
	size_t n = 0;

	if (url_authority(&c->o.url, false, host, sizeof(host)) > 0)
		n = http1_request_post(req, sizeof(req), c->o.url.path, host);
	/* One write, so one TLS record: the head alone, as Windows sends it. */
	if (n == 0 || outq_push(&c->q, &c->pool, req, n, SIZE_MAX) == -1) {
		cl_fail(c, WINERR_E_FAIL, "cannot build the POST request for %s", c->o.url.path);
		return;
	}
	c->state = CL_HEAD;
	c->headlen = 0;
	/*
	 * From the answer on, read ahead: one read(2) per record (or several records) instead
	 * of the 5-byte header and the body apart (issue #6: one syscall less per packet on
	 * the way in, half the reads of a bulk stream). Safe because cl_head_read and
	 * cl_link_read run until WANT_READ (cl_link_read also stops when cl_conn_drained finds
	 * OpenSSL holding nothing), and a budget cut ends in read_more, so no bytes stay
	 * inside OpenSSL unseen by epoll (SSL_CTX_set_read_ahead(3)). Set only now: the
	 * proxy's answer before TLS is read with read(2), never through OpenSSL. The read
	 * callback tells cl_conn_drained when a read(2) emptied the socket.
	 */
	if (c->ssl) {
		SSL_set_read_ahead(c->ssl, 1);
		tls_watch_reads(c->ssl, &c->rx_drained);
	}
	ev_timer_start(&c->loop, &c->step, CL_STEP_TIMEOUT_MS);
	log_debug("POST %s (Host %s) sent", c->o.url.path, host);
	cl_conn_flush(c);
}

static void cl_server_answer(struct cl *c)
{
	struct http1_response r;

	if (cl_head_read(c, &r, "server") <= 0)
		return;
	if (r.status != 200) {
		cl_fail(c, winerr_from_http(r.status), "server answered %d %s to POST %s%s%s%s",
			r.status, r.reason, c->o.url.path, r.server[0] ? " (Server: " : "",
			r.server, r.server[0] ? ")" : "");
		return;
	}
	if (r.chunked) {
		cl_fail(c, WINERR_HTTP_UNEXPECTED,
			"server answered 200 with a chunked body: not an IP-HTTPS server");
		return;
	}
	ev_timer_stop(&c->loop, &c->step);
	/* Bytes after the blank line are already the IPv6 stream (ms-iphttps.md §1.3). */
	cl_link_up(c, c->head + r.consumed, c->headlen - r.consumed);
}

static void cl_tunnel_ready(struct cl *c)
{
	if (c->o.url.scheme == URL_HTTPS)
		cl_tls_start(c);
	else
		cl_conn_post(c);
}

static void cl_tcp_ready(struct cl *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		cl_tcp_drop(c, err);
		cl_tcp_next(c);
		return;
	}
	ev_timer_stop(&c->loop, &c->step);
	/* [MS-IPHTTPS] has no keepalive: only TCP notices a gateway that vanished (§4.2). */
	if (sock_tcp_tune(c->fd, CL_KEEPALIVE_S, CL_USER_TIMEOUT_S) == -1)
		log_warn("TCP keepalive and user timeout");
	log_info("connected to %s%s", c->o.have_proxy ? "proxy " : "", c->peer);
	if (c->o.have_proxy) {
		char auth[URL_HOST_MAX + 16] = "";

		/* Through a proxy the server's address is the proxy's business: its name. */
		url_authority(&c->o.url, true, auth, sizeof(auth));
		snprintf(c->st.server, sizeof(c->st.server), "%.*s", (int)sizeof(c->st.server) - 1,
			 auth);
		cl_proxy_start(c);
		return;
	}
	snprintf(c->st.server, sizeof(c->st.server), "%s", c->peer);
	cl_tunnel_ready(c);
}

/* ---- dispatch ---- */

static void cl_conn_io(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct cl *c = io->arg;

	(void)loop;
	(void)events;
	c->want_write = c->write_wants_read = false;
	switch (c->state) {
	case CL_TCP:
		cl_tcp_ready(c);
		return;
	case CL_PROXY:
		cl_proxy_answer(c);
		break;
	case CL_TLS:
		cl_tls_step(c);
		break;
	case CL_HEAD:
		cl_server_answer(c);
		break;
	case CL_UP:
		cl_link_read(c);
		break;
	case CL_IDLE:
		return;
	}
	cl_conn_flush(c);
}

static void cl_conn_timeout(struct ev_loop *loop, struct ev_timer *t)
{
	struct cl *c = t->arg;

	(void)loop;
	switch (c->state) {
	case CL_TCP:
		cl_tcp_drop(c, ETIMEDOUT);
		cl_tcp_next(c);
		break;
	case CL_PROXY:
		cl_fail(c, WINERR_WSAETIMEDOUT, "proxy did not answer CONNECT within %d s",
			CL_STEP_S);
		break;
	case CL_TLS:
		cl_fail(c, WINERR_WSAETIMEDOUT, "TLS handshake did not finish within %d s",
			CL_STEP_S);
		break;
	case CL_HEAD:
		cl_fail(c, WINERR_WSAETIMEDOUT, "server did not answer the POST within %d s",
			CL_STEP_S);
		break;
	case CL_IDLE:
	case CL_UP:
		break;
	}
}

void cl_conn_init(struct cl *c)
{
	ev_timer_init(&c->step, cl_conn_timeout, c);
}

void cl_conn_start(struct cl *c)
{
	memset(&c->cnt, 0, sizeof(c->cnt));
	frame_rx_init(&c->rx, CL_MTU);
	c->alert = -1;
	c->cert_asked = c->ssl_fatal = false;
	c->naddrs = c->iaddr = 0;
	c->last_errno = ECONNREFUSED;
	c->peer[0] = c->st.server[0] = c->st.tls[0] = '\0';
	c->state = CL_TCP;
	cl_publish(c, STFILE_CONNECTING, 0);
	log_info("connecting to %s%s%s", c->st.url,
		 c->o.url.scheme == URL_HTTPS && c->null_mode ? " (NULL cipher suites)" : "",
		 c->o.have_proxy ? " through the proxy" : "");
	if (cl_resolve(c) == 0)
		cl_tcp_next(c);
}
