/* SPDX-License-Identifier: ISC */
/*
 * client: the life of one IP-HTTPS connection. States:
 *   PROXY      on a proxy-protocol listener: the PROXY v2 header, read exactly (never a byte of
 *              the TLS stream after it), bounded by handshake-timeout;
 *   HANDSHAKE  TLS accept, bounded by handshake-timeout;
 *   HEAD       the request head (<= 8 KiB), bounded by head-timeout; answered at once, before any
 *              body is read, because Windows waits for the response headers ([MS-IPHTTPS]
 * §3.1.5.2); UP         both bodies carry IPv6 packets back to back (§3.2.5.2) between the socket
 * and the link core; CLOSING    an error response is being flushed; then close (Connection: close).
 * A closed client is torn down at once and freed after the event batch, so no pointer held by
 * the loop's current batch or the dirty list can dangle.
 */
#include "iphttpsd/client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/err.h>

#include "lib/addr.h"
#include "lib/log.h"
#include "lib/sock.h"

static void client_io(struct ev_loop *loop, struct ev_io *io, uint32_t events);
static void client_timeout(struct ev_loop *loop, struct ev_timer *t);
static void client_read_head(struct client *c);
static void client_read_stream(struct client *c);
static void client_handshake(struct client *c);

const char *client_state_name(enum client_state st)
{
	static const char *const names[] = {"proxy", "handshake", "head", "up", "closing"};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

/* The handshake's findings, once decided; the SSL forgets them first (its callbacks must
   never write to freed memory). */
static void client_auth_free(struct client *c)
{
	if (c->ssl)
		tls_server_attach(c->ssl, NULL);
	free(c->auth);
	c->auth = NULL;
}

static const char *client_remote(const struct client *c, char *buf, size_t len)
{
	return addr_format_sockaddr((const struct sockaddr *)&c->remote, buf, len);
}

static void client_link_in(struct gw *gw, struct client *c)
{
	c->next = gw->clients;
	if (gw->clients)
		gw->clients->prev = c;
	gw->clients = c;
	gw->nclients++;
}

static void client_link_out(struct gw *gw, struct client *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		gw->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	gw->nclients--;
}

static struct client *client_new(struct gw *gw, int fd, const struct sockaddr_storage *ss,
				 enum gw_transport transport)
{
	struct client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->auth = calloc(1, sizeof(*c->auth));
	if (!c->auth) {
		free(c);
		return NULL;
	}
	c->gw = gw;
	c->id = ++gw->next_id;
	c->fd = fd;
	c->transport = transport;
	c->remote = *ss;
	c->tcp_peer = *ss;
	c->start_ms = ev_now(&gw->loop);
	frame_rx_init(&c->rx, gw->conf.mtu);
	link_peer_init(&c->peer, c->id, c);
	outq_init(&c->q);
	ev_timer_init(&c->timer, client_timeout, c);
	if (transport == GW_TLS) {
		c->ssl = SSL_new(gw->ssl_ctx);
		if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1 ||
		    tls_server_attach(c->ssl, &c->auth->tls) == -1) {
			SSL_free(c->ssl);
			free(c->auth);
			free(c);
			return NULL;
		}
		SSL_set_accept_state(c->ssl);
		/*
		 * Read ahead: one read(2) takes the record header, its body and whatever follows,
		 * where OpenSSL otherwise reads the 5-byte header and the body apart, two calls
		 * per record (issue #6: a ping costs one syscall less per side, a bulk stream
		 * half its reads). Safe here because every read loop runs until WANT_READ or
		 * until client_drained finds OpenSSL holding nothing, and a budget cut ends in
		 * read_more, so bytes buffered inside OpenSSL, which epoll never reports, are
		 * always taken (SSL_CTX_set_read_ahead(3)). The PROXY header is read with recv(2)
		 * before OpenSSL touches the socket.
		 */
		SSL_set_read_ahead(c->ssl, 1);
		tls_watch_reads(c->ssl, &c->rx_drained);
		c->state = CLIENT_HANDSHAKE;
	} else {
		c->state = CLIENT_HEAD;
	}
	return c;
}

/*
 * Per-source limits (issue #4), before any TLS work: 1 admitted and counted under *k, 0 not a
 * limited family, -1 refused (the caller resets the connection).
 */
static int client_admit(struct gw *gw, const struct sockaddr_storage *ss, struct srclim_key *k)
{
	enum srclim_verdict v;
	char r[64];

	if (!srclim_key_from(k, (const struct sockaddr *)ss))
		return 0;
	v = srclim_admit(&gw->srclim, k, ev_now(&gw->loop));
	if (v == SRCLIM_OK)
		return 1;
	if (v == SRCLIM_TOO_MANY)
		gw->cnt.refused_source_conn++;
	else if (v == SRCLIM_RATE)
		gw->cnt.refused_source_rate++;
	else
		gw->cnt.refused_source_full++;
	if (gw_log_allowed(gw, &gw->log_source))
		log_info("client: refused %s: %s",
			 addr_format_sockaddr((const struct sockaddr *)ss, r, sizeof(r)),
			 srclim_verdict_name(v));
	return -1;
}

/* Connections to a proxy-protocol listener only from trusted-proxy addresses: anyone else
   could claim any source address in the header. */
static bool client_proxy_allowed(struct gw *gw, const struct sockaddr_storage *ss, bool trusted)
{
	char r[64];

	if (trusted)
		return true;
	gw->cnt.proxy_untrusted++;
	if (gw_log_allowed(gw, &gw->log_proxy))
		log_info("client: refused %s on a proxy-protocol listener: not a trusted-proxy "
			 "address",
			 addr_format_sockaddr((const struct sockaddr *)ss, r, sizeof(r)));
	return false;
}

static void client_start(struct client *c, const struct gw_listener *l, bool trusted)
{
	struct gw *gw = c->gw;
	uint32_t tmo;

	c->trusted = trusted;
	c->proxied = l->proxy_protocol;
	if (l->proxy_protocol)
		c->state = CLIENT_PROXY;
	tmo = c->state == CLIENT_HEAD ? gw->conf.head_timeout : gw->conf.handshake_timeout;
	ev_timer_start(&gw->loop, &c->timer, (uint64_t)tmo * 1000);
	client_link_in(gw, c);
	gw->cnt.accepted++;
	if (log_enabled(LOG_LVL_DEBUG)) {
		char r[64];

		log_debug("client %llu: accepted from %s (%s%s)", (unsigned long long)c->id,
			  client_remote(c, r, sizeof(r)), c->transport == GW_TLS ? "tls" : "http",
			  l->proxy_protocol ? ", PROXY v2" : "");
	}
}

void client_accept(struct gw *gw, int fd, const struct sockaddr_storage *ss,
		   const struct gw_listener *l)
{
	struct srclim_key k = {{0}};
	int held = 0;
	struct client *c;
	bool trusted = gwconf_trusted_proxy(&gw->conf, (const struct sockaddr *)ss);

	if (gw->nclients >= gw->conf.max_clients) {
		gw->cnt.rejected_max++;
		sock_reset_close(fd);
		return;
	}
	if (l->proxy_protocol && !client_proxy_allowed(gw, ss, trusted)) {
		sock_reset_close(fd);
		return;
	}
	/* A balancer's own address is not the client's: limited after its PROXY header, or
	   not at all when it terminates TLS and forwards without one. */
	if (!l->proxy_protocol && !trusted && (held = client_admit(gw, ss, &k)) == -1) {
		sock_reset_close(fd);
		return;
	}
	if (sock_tcp_tune(fd, gw->conf.tcp_keepalive, gw->conf.tcp_user_timeout) == -1)
		log_debug("client: tuning TCP options failed: %s", strerror(errno));
	c = client_new(gw, fd, ss, l->transport);
	if (!c) {
		log_warnx("client: out of memory accepting a connection");
		if (held == 1)
			srclim_release(&gw->srclim, &k);
		close(fd);
		return;
	}
	c->src = k;
	c->src_held = held == 1;
	if (ev_io_add(&gw->loop, &c->io, fd, EPOLLIN, client_io, c) == -1) {
		log_warn("client: epoll");
		if (held == 1)
			srclim_release(&gw->srclim, &k);
		SSL_free(c->ssl);
		frame_rx_free(&c->rx);
		free(c->auth);
		free(c);
		close(fd);
		return;
	}
	client_start(c, l, trusted);
}

void client_free(struct client *c)
{
	free(c->identity);
	free(c);
}

void client_close(struct client *c, const char *why)
{
	struct gw *gw = c->gw;
	char r[64];

	if (c->dead)
		return;
	c->dead = true;
	log_info("client %llu %s: closed in state %s after %llu ms, %llu bytes in, %llu out: %s",
		 (unsigned long long)c->id, client_remote(c, r, sizeof(r)),
		 client_state_name(c->state), (unsigned long long)(ev_now(&gw->loop) - c->start_ms),
		 (unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out, why);
	ev_io_del(&gw->loop, &c->io);
	ev_timer_stop(&gw->loop, &c->timer);
	if (c->peer.up)
		link_peer_down(&gw->link, &c->peer);
	if (c->ssl) {
		/* close_notify, best effort; never after a fatal error (SSL_shutdown(3)). */
		if (SSL_is_init_finished(c->ssl) && !(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN))
			SSL_shutdown(c->ssl);
		ERR_clear_error();
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->reset)
		sock_reset_close(c->fd);
	else
		close(c->fd);
	if (c->src_held)
		srclim_release(&gw->srclim, &c->src);
	c->src_held = false;
	client_auth_free(c);
	free(c->head);
	c->head = NULL;
	frame_rx_free(&c->rx);
	outq_clear(&c->q, &gw->pool);
	client_link_out(gw, c);
	gw->cnt.closed++;
	c->next = gw->grave;
	gw->grave = c;
}

/* ---- byte I/O over TLS or plain TCP: >0 bytes, 0 would block, -1 closed or failed ---- */

static long client_ssl_result(struct client *c, int r, const char **why)
{
	int err = SSL_get_error(c->ssl, r);

	switch (err) {
	case SSL_ERROR_WANT_READ:
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->want_write = true;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		*why = "peer sent close_notify";
		break;
	case SSL_ERROR_SYSCALL:
		*why = errno ? strerror(errno) : "peer closed the connection";
		SSL_set_quiet_shutdown(c->ssl, 1);
		break;
	default:
		/* A peer that closes without close_notify (nmap does, ms-iphttps.md §6.1) shows up
		   as an SSL error in OpenSSL 3; name it plainly rather than as a TLS failure. */
		if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			*why = "peer closed the connection without close_notify";
		else
			*why = "TLS error";
		SSL_set_quiet_shutdown(c->ssl, 1);
		break;
	}
	return -1;
}

static long client_read(struct client *c, uint8_t *buf, size_t len, const char **why)
{
	ssize_t n;

	if (c->ssl) {
		int r;

		ERR_clear_error();
		r = SSL_read(c->ssl, buf, (int)len);
		return r > 0 ? r : client_ssl_result(c, r, why);
	}
	n = read(c->fd, buf, len);
	c->rx_drained = n > 0 && (size_t)n < len;
	if (n > 0)
		return n;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	*why = n == 0 ? "peer closed the connection" : strerror(errno);
	return -1;
}

static long client_write(void *arg, const uint8_t *p, size_t len)
{
	struct client *c = arg;
	const char *why = "write failed";
	long n;

	if (c->ssl) {
		int r;

		ERR_clear_error();
		r = SSL_write(c->ssl, p, (int)len);
		n = r > 0 ? r : client_ssl_result(c, r, &why);
	} else {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n == -1)
			n = (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	}
	if (n > 0)
		c->bytes_out += (uint64_t)n;
	return n;
}

/* ---- output ---- */

static void client_update_events(struct client *c)
{
	uint32_t ev = EPOLLIN;

	if (c->q.bytes > 0 || c->want_write)
		ev |= EPOLLOUT;
	if (ev_io_mod(&c->gw->loop, &c->io, ev) == -1)
		client_close(c, "epoll_ctl failed");
}

void client_flush(struct client *c)
{
	if (c->dead)
		return;
	if (c->q.bytes > 0 && outq_flush(&c->q, &c->gw->pool, client_write, c) == -1) {
		client_close(c, "write failed");
		return;
	}
	if (c->state == CLIENT_CLOSING && c->q.bytes == 0) {
		client_close(c, "request refused");
		return;
	}
	client_update_events(c);
}

int client_queue(struct client *c, const uint8_t *pkt, size_t len)
{
	if (c->dead || c->state != CLIENT_UP)
		return -1;
	if (outq_push(&c->q, &c->gw->pool, pkt, len, c->gw->conf.client_queue) == -1)
		return -1;
	c->packets_out++;
	gw_mark_dirty(c->gw, c);
	/*
	 * A full record's worth waiting: write it now rather than after the batch. One TUN
	 * wakeup reads up to GW_TUN_BUDGET packets (~320 KB), far more than client-queue holds,
	 * so waiting for the batch's end dropped whole bursts, and a lost window update or
	 * retransmission left the inner TCP in exponential backoff for 10 s and more. Records
	 * stay full (coalescing is kept); a failed write is left to the flush after the batch,
	 * which closes the connection outside the link's call chain.
	 */
	if (c->q.bytes >= OUTQ_BLOCK && !c->want_write)
		outq_flush(&c->q, &c->gw->pool, client_write, c);
	return 0;
}

/* ---- handshake ---- */

/* [ms-iphttps.md §3.4]: a NULL-only ClientHello the profile refuses gets a TCP reset, not an
   alert, so a Windows client flips to its encrypted suites at once (0x2746). */
static void client_null_refused(struct client *c)
{
	char r[64];

	c->gw->cnt.null_reset++;
	c->reset = true;
	log_info("client %llu %s: offered only NULL suites, which profile %s refuses: TCP reset",
		 (unsigned long long)c->id, client_remote(c, r, sizeof(r)),
		 tls_profile_name(c->gw->conf.tls_profile));
	SSL_set_quiet_shutdown(c->ssl, 1);
	client_close(c, "NULL-only ClientHello refused (reset)");
}

static void client_handshake(struct client *c)
{
	struct gw *gw = c->gw;
	const char *why = NULL;
	int r;

	ERR_clear_error();
	r = SSL_accept(c->ssl);
	if (r == 1) {
		c->state = CLIENT_HEAD;
		ev_timer_start(&gw->loop, &c->timer, (uint64_t)gw->conf.head_timeout * 1000);
		client_read_head(c);
		return;
	}
	/* The hello callback parks the handshake (no alert sent) only to refuse NULL. */
	if (SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_CLIENT_HELLO_CB ||
	    (c->auth && c->auth->tls.null_refused)) {
		ERR_clear_error();
		client_null_refused(c);
		return;
	}
	if (client_ssl_result(c, r, &why) == 0)
		return;
	gw->cnt.handshake_failed++;
	if (strcmp(why, "TLS error") == 0) {
		char err[256];

		tls_errors(err, sizeof(err));
		client_close(c, err[0] ? err : "TLS handshake failed");
	} else {
		client_close(c, why);
	}
}

/* ---- PROXY v2 header (haproxy doc/proxy-protocol.txt §2.2) ---- */

static void client_proxy_fail(struct client *c, const char *why)
{
	c->gw->cnt.proxy_errors++;
	c->reset = true;
	client_close(c, why);
}

/* The header is in: take the client's address, apply its limits, move on to TLS or HTTP. */
static void client_proxy_done(struct client *c, const struct proxy2_result *pp)
{
	struct gw *gw = c->gw;

	if (!pp->local && pp->src.ss_family != AF_UNSPEC)
		c->remote = pp->src;
	/* SSL TLVs mean something only from a balancer that terminated TLS, i.e. on a
	   plain-HTTP listener; behind TLS passthrough our own handshake is the check. */
	c->auth->pp_ssl_cert = !c->ssl && pp->ssl && pp->ssl_client_cert;
	c->auth->pp_ssl_verify = pp->ssl_verify;
	memcpy(c->auth->pp_cn, pp->ssl_cn, sizeof(c->auth->pp_cn));
	/* LOCAL (health checks) and UNSPEC carry no client address: the balancer's own would
	   be limited as if it were one client. */
	if (!pp->local && pp->src.ss_family != AF_UNSPEC) {
		int held = client_admit(gw, &c->remote, &c->src);

		if (held == -1) {
			c->reset = true;
			client_close(c, "per-source limit");
			return;
		}
		c->src_held = held == 1;
	}
	c->headlen = 0;
	c->state = c->ssl ? CLIENT_HANDSHAKE : CLIENT_HEAD;
	if (c->ssl) {
		client_handshake(c);
	} else {
		ev_timer_start(&gw->loop, &c->timer, (uint64_t)gw->conf.head_timeout * 1000);
		client_read_head(c);
	}
}

/* Reads exactly the header's bytes, so the TLS stream after it stays in the socket for
   OpenSSL: the fixed 16 bytes first, then the length they announce. */
static void client_read_proxy(struct client *c)
{
	struct proxy2_result pp;

	if (!c->head && !(c->head = malloc(HTTP1_HEAD_MAX))) {
		client_close(c, "out of memory");
		return;
	}
	for (int i = 0; i < 4; i++) {
		size_t want = PROXY2_FIXED;
		ssize_t n;

		if (c->headlen >= PROXY2_FIXED)
			want += (size_t)c->head[14] << 8 | c->head[15];
		if (want > PROXY2_MAX)
			want = PROXY2_MAX;
		if (c->headlen < want) {
			n = recv(c->fd, c->head + c->headlen, want - c->headlen, 0);
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				return;
			if (n <= 0) {
				client_proxy_fail(c, n == 0 ? "peer closed the connection"
							    : strerror(errno));
				return;
			}
			c->headlen += (size_t)n;
			c->bytes_in += (uint64_t)n;
		}
		switch (proxy2_parse(c->head, c->headlen, &pp)) {
		case PROXY2_OK:
			client_proxy_done(c, &pp);
			return;
		case PROXY2_ERROR:
			client_proxy_fail(c, pp.error ? pp.error : "bad PROXY header");
			return;
		case PROXY2_INCOMPLETE:
			break;
		}
	}
}

/* ---- request head ---- */

static void client_reject(struct client *c, int status, const char *reason)
{
	struct gw *gw = c->gw;
	char resp[1024];
	size_t n;

	gw->cnt.http_errors++;
	log_info("client %llu: HTTP %d: %s", (unsigned long long)c->id, status, reason);
	n = http1_response_error(resp, sizeof(resp), status, gw->conf.server_header, time(NULL));
	free(c->head);
	c->head = NULL;
	c->state = CLIENT_CLOSING;
	ev_timer_start(&gw->loop, &c->timer, GW_CLOSE_GRACE);
	if (n == 0 || outq_push(&c->q, &gw->pool, resp, n, SIZE_MAX) == -1) {
		client_close(c, "could not queue the error response");
		return;
	}
	client_flush(c);
}

static void client_packet(void *arg, const uint8_t *pkt, size_t len)
{
	struct client *c = arg;

	c->packets_in++;
	link_from_peer(&c->gw->link, &c->peer, pkt, len);
}

static void client_oversize(void *arg, const uint8_t *head, size_t headlen, size_t len)
{
	struct client *c = arg;

	c->packets_in++;
	link_oversize_from_peer(&c->gw->link, &c->peer, head, headlen, len);
}

/* Feeds stream bytes to the de-framer; returns -1 (and closes) if the stream is not IPv6. */
static int client_feed(struct client *c, const uint8_t *p, size_t len)
{
	const struct frame_cb cb = {client_packet, client_oversize, c};
	enum frame_status st;

	c->gw->link.now_ms = ev_now(&c->gw->loop);
	st = frame_rx_feed(&c->rx, p, len, &cb);
	if (st == FRAME_OK)
		return 0;
	if (st != FRAME_ERR_NOMEM)
		c->gw->cnt.not_ipv6++;
	client_close(c, frame_status_str(st));
	return -1;
}

static void client_start_stream(struct client *c, const struct http1_request *req)
{
	struct gw *gw = c->gw;
	char resp[512], r[64], tls[96] = "";
	size_t n = http1_response_ok(resp, sizeof(resp), gw->conf.server_header, time(NULL));
	uint8_t *head = c->head;
	size_t headlen = c->headlen;

	ev_timer_stop(&gw->loop, &c->timer);
	c->state = CLIENT_UP;
	c->head = NULL;
	/* The 200 goes out alone first, in one record: nmap's ip-https-discover reads only its
	   first chunk (ms-iphttps.md §6.1), and Windows waits for it before sending (§1.2). */
	if (n == 0 || outq_push(&c->q, &gw->pool, resp, n, SIZE_MAX) == -1) {
		free(head);
		client_close(c, "could not queue the response");
		return;
	}
	client_flush(c);
	if (c->dead) {
		free(head);
		return;
	}
	if (c->ssl)
		tls_conn_describe(c->ssl, tls, sizeof(tls));
	log_info("client %llu %s: link up (%s%s%s, Host \"%s\", %s%s%s)", (unsigned long long)c->id,
		 client_remote(c, r, sizeof(r)), req->path, tls[0] ? ", " : "", tls, req->host,
		 c->identity ? "identity " : "unauthenticated", c->identity ? c->identity : "",
		 c->identity ? c->via == AUTHZ_VIA_BALANCER ? " via balancer" : " by certificate"
			     : "");
	c->gw->link.now_ms = ev_now(&gw->loop);
	link_peer_up(&gw->link, &c->peer);
	/* Bytes after the blank line are already the IPv6 stream (ms-iphttps.md §1.3). */
	if (headlen > req->consumed &&
	    client_feed(c, head + req->consumed, headlen - req->consumed) == -1) {
		free(head);
		return;
	}
	free(head);
	client_read_stream(c);
}

/* Preauthentication ([MS-IPHTTPS] §3.2.1, ms-iphttps.md §3.3): 0 to go on, -1 refused with
   403 (after which Windows clients try their next certificate). */
static int client_authorize(struct client *c, const struct http1_request *req)
{
	struct gw *gw = c->gw;
	struct authz_input in = {
	    .tls = c->ssl ? &c->auth->tls : NULL,
	    .header_trusted = c->transport == GW_HTTP && !c->proxied && c->trusted,
	    .req = req,
	    .pp_ssl_cert = c->auth->pp_ssl_cert,
	    .pp_ssl_verify = c->auth->pp_ssl_verify,
	    .pp_cn = c->auth->pp_cn,
	};
	struct authz_result out;
	char r[64];

	authz_decide(gw->conf.auth, &gw->ident, &in, &out);
	if (!out.allow) {
		gw->cnt.auth_refused++;
		if (out.forged)
			gw->cnt.forged_identity++;
		if (c->ssl && c->auth->tls.cert_presented)
			log_info("client %llu %s: refused certificate %s, serial %s",
				 (unsigned long long)c->id, client_remote(c, r, sizeof(r)),
				 c->auth->tls.subject, c->auth->tls.serial);
		client_reject(c, 403, out.reason);
		return -1;
	}
	if (out.reason[0])
		log_info("client %llu %s: unauthenticated: %s", (unsigned long long)c->id,
			 client_remote(c, r, sizeof(r)), out.reason);
	c->via = out.via;
	c->peer.authenticated = out.via != AUTHZ_VIA_NONE;
	if (c->peer.authenticated) {
		gw->cnt.authenticated++;
		c->identity = strdup(out.identity);
		if (!c->identity) {
			client_close(c, "out of memory");
			return -1;
		}
	}
	client_auth_free(c);
	return 0;
}

static void client_read_head(struct client *c)
{
	struct http1_request req;
	const char *why = "read failed";

	if (!c->head && !(c->head = malloc(HTTP1_HEAD_MAX))) {
		client_close(c, "out of memory");
		return;
	}
	while (c->headlen < HTTP1_HEAD_MAX) {
		long n = client_read(c, c->head + c->headlen, HTTP1_HEAD_MAX - c->headlen, &why);

		if (n == 0)
			return;
		if (n < 0) {
			client_close(c, why);
			return;
		}
		c->headlen += (size_t)n;
		c->bytes_in += (uint64_t)n;
		switch (http1_parse_request(&c->gw->http, c->head, c->headlen, &req)) {
		case HTTP1_INCOMPLETE:
			continue;
		case HTTP1_OK:
			if (client_authorize(c, &req) == 0)
				client_start_stream(c, &req);
			return;
		case HTTP1_ERROR:
			client_reject(c, req.status, req.reason);
			return;
		}
	}
	client_reject(c, 431, "request head too large");
}

/* ---- the stream ---- */

/*
 * Nothing left to read now: the socket's queue was emptied by the last read(2) and OpenSSL
 * holds no record, whole or partial. Epoll is level-triggered, so bytes that arrive after
 * that read wake the loop again; stopping here only saves the read that returns EAGAIN.
 */
static bool client_drained(const struct client *c)
{
	return c->rx_drained && !(c->ssl && SSL_has_pending(c->ssl));
}

static void client_read_batch(struct client *c)
{
	size_t budget = GW_READ_BUDGET;
	const char *why = "read failed";

	while (!c->dead && budget > 0) {
		long n = client_read(c, c->gw->rxbuf, sizeof(c->gw->rxbuf), &why);

		if (n == 0)
			return;
		if (n < 0) {
			client_close(c, why);
			return;
		}
		c->bytes_in += (uint64_t)n;
		if (client_feed(c, c->gw->rxbuf, (size_t)n) == -1 || client_drained(c))
			return;
		budget -= (size_t)n < budget ? (size_t)n : budget;
	}
	if (!c->dead) {
		/* Bytes may wait inside OpenSSL where epoll cannot see them: come back after the
		   batch instead of starving other clients now. */
		c->read_more = true;
		gw_mark_dirty(c->gw, c);
	}
}

/* One wakeup's stream input is one batch toward the TUN (issue #6: GRO); c may be closed in
   it, the gateway outlives it. */
static void client_read_stream(struct client *c)
{
	struct gw *gw = c->gw;

	gw_tun_batch_begin(gw);
	client_read_batch(c);
	gw_tun_batch_end(gw);
}

/* Reads and discards input while an error response drains; bounded by the grace timer. */
static void client_drain(struct client *c)
{
	const char *why = "read failed";

	for (int i = 0; i < 16 && !c->dead; i++) {
		long n = client_read(c, c->gw->rxbuf, sizeof(c->gw->rxbuf), &why);

		if (n == 0)
			return;
		if (n < 0)
			client_close(c, why);
	}
}

static void client_progress(struct client *c)
{
	switch (c->state) {
	case CLIENT_PROXY:
		client_read_proxy(c);
		break;
	case CLIENT_HANDSHAKE:
		client_handshake(c);
		break;
	case CLIENT_HEAD:
		client_read_head(c);
		break;
	case CLIENT_UP:
		client_read_stream(c);
		break;
	case CLIENT_CLOSING:
		client_drain(c);
		break;
	}
}

void client_continue_read(struct client *c)
{
	if (c->dead || c->state != CLIENT_UP)
		return;
	client_read_stream(c);
}

static void client_io(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct client *c = io->arg;

	(void)loop;
	c->want_write = false;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP) || (events & EPOLLOUT))
		client_progress(c);
	client_flush(c);
}

static void client_timeout(struct ev_loop *loop, struct ev_timer *t)
{
	struct client *c = t->arg;

	(void)loop;
	switch (c->state) {
	case CLIENT_PROXY:
		client_proxy_fail(c, "PROXY header timed out");
		break;
	case CLIENT_HANDSHAKE:
		c->gw->cnt.handshake_timeout++;
		client_close(c, "TLS handshake timed out");
		break;
	case CLIENT_HEAD:
		c->gw->cnt.head_timeout++;
		client_reject(c, 408, "request head timed out");
		break;
	case CLIENT_CLOSING:
		client_close(c, "peer did not take the error response");
		break;
	case CLIENT_UP:
		break;
	}
}
