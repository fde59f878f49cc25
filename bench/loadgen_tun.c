/* SPDX-License-Identifier: ISC */
/*
 * loadgen_tun: one tunnel's steps, each bounded by --timeout: a non-blocking connect from the
 * next source address, SSL_connect, the POST ([MS-IPHTTPS] §3.1.5.2, proto/http1), the
 * response head (a 200 is success, §3.1.5.2 and ms-iphttps.md §1.2), a Router Solicitation
 * from :: to all-routers (RFC 4861 §4.1, §6.3.7; built by proto/nd), and the stream
 * de-framed (proto/frame, §3.1.5.3) until an RA that iphttps/cl_ra accepts. Once up, whatever
 * the gateway sends (periodic RAs, Neighbor Solicitations) is read and discarded: the tunnel
 * answers nothing. Failures and drops go to the schedule (loadgen.c), which counts them and
 * decides whether to retry. Does not: send anything after the RS.
 */
#include "bench/loadgen.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "iphttps/cl_ra.h"
#include "lib/buf.h"
#include "lib/tls.h"
#include "proto/http1.h"
#include "proto/nd.h"

static void loadgen_tun_io(struct ev_loop *loop, struct ev_io *io, uint32_t events);
static void loadgen_tun_timer(struct ev_loop *loop, struct ev_timer *tm);
static void loadgen_tun_post(struct loadgen_tun *t);
static void loadgen_tun_rs(struct loadgen_tun *t);
static void loadgen_tun_ra(struct loadgen_tun *t);

const char *loadgen_tun_state_str(enum loadgen_state st)
{
	switch (st) {
	case LOADGEN_QUEUED:
		return "queued";
	case LOADGEN_TCP:
		return "TCP connect";
	case LOADGEN_TLS:
		return "TLS handshake";
	case LOADGEN_POST:
		return "POST";
	case LOADGEN_HEAD:
		return "response head";
	case LOADGEN_RS:
		return "Router Solicitation";
	case LOADGEN_RA:
		return "Router Advertisement";
	case LOADGEN_UP:
		return "up";
	case LOADGEN_WAIT:
		return "retry wait";
	case LOADGEN_DONE:
		return "done";
	}
	return "?";
}

void loadgen_tun_init(struct loadgen *lg, struct loadgen_tun *t)
{
	memset(t, 0, sizeof(*t));
	t->lg = lg;
	t->io.fd = -1;
	ev_timer_init(&t->timer, loadgen_tun_timer, t);
	t->state = LOADGEN_QUEUED;
}

void loadgen_tun_close(struct loadgen_tun *t)
{
	struct loadgen *lg = t->lg;

	ev_timer_stop(&lg->loop, &t->timer);
	if (t->io.active)
		ev_io_del(&lg->loop, &t->io);
	if (t->ssl) {
		/* close_notify (RFC 8446 §6.1) only on a finished session, best effort: one small
		   write that never waits; never after an error (SSL_shutdown(3)). */
		if (t->state != LOADGEN_UP)
			SSL_set_quiet_shutdown(t->ssl, 1);
		SSL_shutdown(t->ssl);
		ERR_clear_error();
		SSL_free(t->ssl);
		t->ssl = NULL;
	}
	if (t->io.fd != -1)
		close(t->io.fd);
	t->io.fd = -1;
	free(t->head);
	t->head = NULL;
	t->headlen = t->headoff = 0;
	frame_rx_free(&t->rx);
	t->want_write = t->got_ra = false;
	t->ra_bad = 0;
}

static void loadgen_tun_fail(struct loadgen_tun *t, enum loadgen_fail kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void loadgen_tun_fail(struct loadgen_tun *t, enum loadgen_fail kind, const char *fmt, ...)
{
	const char *step = loadgen_tun_state_str(t->state);
	char why[TLS_ERRLEN + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	loadgen_tun_close(t);
	loadgen_on_fail(t->lg, t, kind, step, why);
}

/* The next step: its own timeout from now. */
static void loadgen_tun_step(struct loadgen_tun *t, enum loadgen_state st)
{
	t->state = st;
	t->want_write = false;
	ev_timer_start(&t->lg->loop, &t->timer, t->lg->o.timeout_ms);
}

/* Level-triggered: EPOLLOUT while connecting or while OpenSSL waits to write, else EPOLLIN. */
static void loadgen_tun_events(struct loadgen_tun *t)
{
	uint32_t ev = t->state == LOADGEN_TCP || t->want_write ? EPOLLOUT : EPOLLIN;

	if (ev_io_mod(&t->lg->loop, &t->io, ev) == -1)
		loadgen_tun_fail(t, LOADGEN_F_TCP, "epoll_ctl: %s", strerror(errno));
}

/* ---- TCP ---- */

void loadgen_tun_start(struct loadgen_tun *t)
{
	struct loadgen *lg = t->lg;
	const struct sockaddr *gw = (const struct sockaddr *)&lg->o.gw;
	int one = 1, fd;

	t->t0_us = loadgen_now_us();
	loadgen_tun_step(t, LOADGEN_TCP);
	fd = socket(gw->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		loadgen_tun_fail(t, LOADGEN_F_TCP, "socket: %s", strerror(errno));
		return;
	}
	t->io.fd = fd;
	/* The POST and the RS are small writes right after the handshake: Nagle would hold the
	   RS behind the unacknowledged POST and add a delayed ACK to every handshake time. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (lg->o.nsrc > 0) {
		const struct sockaddr_storage *src = &lg->o.src[lg->next_src++ % lg->o.nsrc];

		/* The port is chosen at connect, for the whole 4-tuple (ip(7)): without this, bind
		   reserves a port per source for every destination, and some 28,000 sockets per
		   source exhaust ip_local_port_range long before 100,000. */
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(fd, (const struct sockaddr *)src, lg->o.gwlen) == -1) {
			loadgen_tun_fail(t, LOADGEN_F_TCP, "bind: %s", strerror(errno));
			return;
		}
	}
	if (connect(fd, gw, lg->o.gwlen) == -1 && errno != EINPROGRESS) {
		loadgen_tun_fail(t, LOADGEN_F_TCP, "connect: %s", strerror(errno));
		return;
	}
	/* Even a connect that completed at once reports EPOLLOUT: one path for both. */
	if (ev_io_add(&lg->loop, &t->io, fd, EPOLLOUT, loadgen_tun_io, t) == -1)
		loadgen_tun_fail(t, LOADGEN_F_TCP, "epoll_ctl: %s", strerror(errno));
}

static void loadgen_tun_connected(struct loadgen_tun *t)
{
	struct loadgen *lg = t->lg;
	int err = 0;
	socklen_t len = sizeof(err);
	char e[TLS_ERRLEN];

	if (getsockopt(t->io.fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err) {
		loadgen_tun_fail(t, LOADGEN_F_TCP, "connect: %s", strerror(err));
		return;
	}
	t->ssl = SSL_new(lg->ctx);
	if (!t->ssl || SSL_set_fd(t->ssl, t->io.fd) != 1 ||
	    (lg->o.name && SSL_set_tlsext_host_name(t->ssl, lg->o.name) != 1)) {
		loadgen_tun_fail(t, LOADGEN_F_TLS, "cannot set up TLS: %s",
				 tls_errors(e, sizeof(e)));
		return;
	}
	SSL_set_connect_state(t->ssl);
	loadgen_tun_step(t, LOADGEN_TLS);
}

/* ---- OpenSSL results ---- */

/* After SSL_connect/read/write returned r <= 0 with errno e: 0 would block (want_write set),
   -1 failed with the reason in why. */
static int loadgen_tun_ssl_result(struct loadgen_tun *t, int r, int e, char *why, size_t len)
{
	switch (SSL_get_error(t->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		t->want_write = false;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		t->want_write = true;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		snprintf(why, len, "closed by the gateway (close_notify)");
		return -1;
	case SSL_ERROR_SYSCALL:
		snprintf(why, len, "%s", e ? strerror(e) : "connection closed by the gateway");
		ERR_clear_error();
		return -1;
	default:
		tls_errors(why, len);
		if (!why[0])
			snprintf(why, len, "TLS error");
		return -1;
	}
}

/* 1 written, 0 would block, -1 failed (why filled). Retries rebuild the same bytes: the
   context has SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER. */
static int loadgen_tun_write(struct loadgen_tun *t, const void *p, size_t n, char *why, size_t len)
{
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_write(t->ssl, p, (int)n);
	if (r > 0)
		return 1;
	return loadgen_tun_ssl_result(t, r, errno, why, len);
}

/* >0 bytes read into p, 0 would block, -1 failed (why filled). */
static int loadgen_tun_read(struct loadgen_tun *t, uint8_t *p, size_t n, char *why, size_t len)
{
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_read(t->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
	if (r > 0)
		return r;
	return loadgen_tun_ssl_result(t, r, errno, why, len);
}

/* ---- TLS, POST, head ---- */

static void loadgen_tun_tls(struct loadgen_tun *t)
{
	char why[TLS_ERRLEN];
	long v;
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_connect(t->ssl);
	e = errno;
	if (r == 1) {
		loadgen_tun_step(t, LOADGEN_POST);
		loadgen_tun_post(t);
		return;
	}
	if (loadgen_tun_ssl_result(t, r, e, why, sizeof(why)) == 0)
		return;
	v = SSL_get_verify_result(t->ssl);
	if (v != X509_V_OK)
		loadgen_tun_fail(t, LOADGEN_F_TLS, "certificate verify failed: %s",
				 X509_verify_cert_error_string(v));
	else
		loadgen_tun_fail(t, LOADGEN_F_TLS, "%s", why);
}

static void loadgen_tun_post(struct loadgen_tun *t)
{
	char req[LOADGEN_REQ_MAX], why[TLS_ERRLEN];
	size_t n = http1_request_post(req, sizeof(req), t->lg->o.path, t->lg->o.host);
	int rc = loadgen_tun_write(t, req, n, why, sizeof(why));

	if (rc == 0)
		return;
	if (rc == -1) {
		loadgen_tun_fail(t, LOADGEN_F_HTTP, "writing the POST: %s", why);
		return;
	}
	t->head = malloc(HTTP1_HEAD_MAX);
	if (!t->head) {
		loadgen_tun_fail(t, LOADGEN_F_HTTP, "out of memory");
		return;
	}
	/* The caller reads the head next: the 200 may already be in the socket. */
	loadgen_tun_step(t, LOADGEN_HEAD);
}

/* The response head is complete in head[0..headlen): 200 or a failure. */
static void loadgen_tun_head_done(struct loadgen_tun *t, const struct http1_response *resp)
{
	if (resp->status != 200) {
		loadgen_tun_fail(t, LOADGEN_F_HTTP, "HTTP %d %s", resp->status, resp->reason);
		return;
	}
	t->headoff = (uint16_t)resp->consumed;
	loadgen_tun_step(t, LOADGEN_RS);
	loadgen_tun_rs(t);
}

static void loadgen_tun_head(struct loadgen_tun *t)
{
	struct http1_response resp;
	char why[TLS_ERRLEN];

	/* Bounded: each round adds at least one byte, and HTTP1_HEAD_MAX ends the head. */
	while (t->headlen < HTTP1_HEAD_MAX) {
		int n = loadgen_tun_read(t, t->head + t->headlen, HTTP1_HEAD_MAX - t->headlen, why,
					 sizeof(why));
		enum http1_result res;

		if (n == 0)
			return;
		if (n < 0) {
			loadgen_tun_fail(t, LOADGEN_F_HTTP, "reading the response head: %s", why);
			return;
		}
		t->headlen = (uint16_t)(t->headlen + n);
		res = http1_parse_response(t->head, t->headlen, &resp);
		if (res == HTTP1_ERROR) {
			loadgen_tun_fail(t, LOADGEN_F_HTTP, "bad response head: %s", resp.why);
			return;
		}
		if (res == HTTP1_OK) {
			loadgen_tun_head_done(t, &resp);
			return;
		}
	}
	loadgen_tun_fail(t, LOADGEN_F_HTTP, "no end of the response head in %d bytes",
			 HTTP1_HEAD_MAX);
}

/* ---- RS, RA ---- */

static void loadgen_tun_packet(void *arg, const uint8_t *pkt, size_t len)
{
	struct loadgen_tun *t = arg;
	struct cl_ra_info info;
	enum cl_ra_verdict v;

	if (t->got_ra || t->ra_bad)
		return;
	v = cl_ra_check(pkt, len, &info);
	if (v == CL_RA_OK)
		t->got_ra = true;
	else if (v != CL_RA_NOT_RA)
		t->ra_bad = (uint8_t)v;
}

static void loadgen_tun_oversize(void *arg, const uint8_t *head, size_t headlen, size_t len)
{
	/* Larger than the link MTU: not an RA (RFC 4861 §6.1.2 needs no such size); skipped. */
	(void)arg;
	(void)head;
	(void)headlen;
	(void)len;
}

static void loadgen_tun_up(struct loadgen_tun *t)
{
	ev_timer_stop(&t->lg->loop, &t->timer);
	frame_rx_free(&t->rx);
	t->state = LOADGEN_UP;
	t->want_write = false;
	t->hs_us = (uint32_t)(loadgen_now_us() - t->t0_us);
	loadgen_on_up(t->lg, t);
}

/* Stream bytes while waiting for the RA: 0 fed (maybe up now), -1 failed. */
static int loadgen_tun_feed(struct loadgen_tun *t, const uint8_t *p, size_t len)
{
	const struct frame_cb cb = {loadgen_tun_packet, loadgen_tun_oversize, t};
	enum frame_status st = frame_rx_feed(&t->rx, p, len, &cb);

	if (st != FRAME_OK) {
		/* A stream cannot resynchronise ([MS-IPHTTPS] §3.1.5.3). */
		loadgen_tun_fail(t, LOADGEN_F_RA, "gateway stream: %s", frame_status_str(st));
		return -1;
	}
	if (t->ra_bad) {
		loadgen_tun_fail(t, LOADGEN_F_RA, "Router Advertisement refused: %s",
				 cl_ra_verdict_str((enum cl_ra_verdict)t->ra_bad));
		return -1;
	}
	if (t->got_ra)
		loadgen_tun_up(t);
	return 0;
}

static void loadgen_tun_rs(struct loadgen_tun *t)
{
	/* ff02::2, all-routers (RFC 4291 §2.7.1): where an RS goes (RFC 4861 §6.3.7). */
	const struct in6_addr all_routers = {{{0xff, 0x02, [15] = 0x02}}};
	const struct in6_addr unspec = IN6ADDR_ANY_INIT;
	uint8_t pkt[IP6_HDR_LEN + 64];
	char why[TLS_ERRLEN];
	struct buf_wr w;
	int rc;

	buf_wr_init(&w, pkt, sizeof(pkt));
	if (nd_build_rs(&w, &unspec, &all_routers) == -1 || !buf_wr_ok(&w)) {
		loadgen_tun_fail(t, LOADGEN_F_RA, "cannot build the Router Solicitation");
		return;
	}
	rc = loadgen_tun_write(t, pkt, w.len, why, sizeof(why));
	if (rc == 0)
		return;
	if (rc == -1) {
		loadgen_tun_fail(t, LOADGEN_F_RA, "writing the Router Solicitation: %s", why);
		return;
	}
	loadgen_tun_step(t, LOADGEN_RA);
	frame_rx_init(&t->rx, LOADGEN_MTU);
	/* Stream bytes that came with the head: the 200 is sent alone in its record (design.md),
	   but another gateway may not. */
	if (t->headlen > t->headoff &&
	    loadgen_tun_feed(t, t->head + t->headoff, (size_t)(t->headlen - t->headoff)) == -1)
		return;
	free(t->head);
	t->head = NULL;
	if (t->state == LOADGEN_RA)
		loadgen_tun_ra(t);
}

static void loadgen_tun_ra(struct loadgen_tun *t)
{
	char why[TLS_ERRLEN];

	for (int i = 0; i < LOADGEN_READS && t->state == LOADGEN_RA; i++) {
		int n = loadgen_tun_read(t, t->lg->rxbuf, sizeof(t->lg->rxbuf), why, sizeof(why));

		if (n == 0)
			return;
		if (n < 0) {
			loadgen_tun_fail(t, LOADGEN_F_RA, "waiting for the RA: %s", why);
			return;
		}
		if (loadgen_tun_feed(t, t->lg->rxbuf, (size_t)n) == -1)
			return;
	}
}

/* ---- up: read and discard ---- */

static void loadgen_tun_drain(struct loadgen_tun *t)
{
	char why[TLS_ERRLEN];

	/* Bounded; the buffer holds a whole record, so nothing stays decrypted inside OpenSSL
	   where level-triggered epoll could not see it. */
	for (int i = 0; i < LOADGEN_READS; i++) {
		int n = loadgen_tun_read(t, t->lg->rxbuf, sizeof(t->lg->rxbuf), why, sizeof(why));

		if (n == 0)
			return;
		if (n < 0) {
			SSL_set_quiet_shutdown(t->ssl, 1); /* no close_notify after an error */
			loadgen_tun_close(t);
			loadgen_on_drop(t->lg, t, why);
			return;
		}
	}
}

/* ---- events ---- */

static void loadgen_tun_io(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct loadgen_tun *t = io->arg;

	(void)loop;
	(void)events; /* errors and hang-ups surface in the next socket or OpenSSL call */
	switch ((enum loadgen_state)t->state) {
	case LOADGEN_TCP:
		loadgen_tun_connected(t);
		break;
	case LOADGEN_POST:
		loadgen_tun_post(t);
		break;
	case LOADGEN_RS:
		loadgen_tun_rs(t);
		break;
	case LOADGEN_RA:
		loadgen_tun_ra(t);
		break;
	case LOADGEN_UP:
		loadgen_tun_drain(t);
		break;
	default:
		break;
	}
	/* The steps run on as far as they can: a connect leads straight into the handshake, a
	   finished handshake into the POST, the POST into reading the head (TLS and HEAD are
	   run here only, so that each runs once per event). */
	if (t->state == LOADGEN_TLS)
		loadgen_tun_tls(t);
	if (t->state == LOADGEN_HEAD)
		loadgen_tun_head(t);
	if (t->io.active)
		loadgen_tun_events(t);
}

static void loadgen_tun_timer(struct ev_loop *loop, struct ev_timer *tm)
{
	struct loadgen_tun *t = tm->arg;

	(void)loop;
	if (t->state == LOADGEN_WAIT) {
		loadgen_on_retry(t->lg, t);
		return;
	}
	loadgen_tun_fail(t, LOADGEN_F_TIMEOUT, "no progress in %u s", t->lg->o.timeout_ms / 1000);
}
