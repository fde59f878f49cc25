/* SPDX-License-Identifier: ISC */
/*
 * test_relay: iphttps/relay on loopback. The test runs both ends itself, on the relay's own
 * event loop: an IPv4 application connecting to the relay's 127.0.0.1 listener and an IPv6
 * server on [::1] behind it, each an ev_io driven by ev_run_once, so every wait is a wait for
 * readiness (bounded by an iteration count and a wall-clock guard that only turns a hang into a
 * failure). Timeouts are reached by moving the loop's clock forward, never by sleeping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "iphttps/ppconf.h"
#include "iphttps/relay.h"
#include "lib/ev.h"
#include "lib/log.h"

#define MIB	     (1024 * 1024)
#define CHUNK	     (64 * 1024)
#define RUN_MAX_ITER 200000
#define RUN_GUARD_MS 30000

/* ---- clock: real time plus an offset the timeout tests move forward ---- */

static uint64_t clock_offset;

static uint64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t test_clock(void)
{
	return real_ms() + clock_offset;
}

static void advance(struct ev_loop *loop, uint64_t ms)
{
	clock_offset += ms;
	ev_update_time(loop);
}

/* Runs the loop until expr holds; fails naming expr if it does not come true. */
#define RUN_UNTIL(loop, expr)                                                                      \
	do {                                                                                       \
		uint64_t guard_ = real_ms() + RUN_GUARD_MS;                                        \
		for (int i_ = 0; !(expr) && i_ < RUN_MAX_ITER && real_ms() < guard_; i_++)         \
			assert_int_equal(ev_run_once((loop), 100), 0);                             \
		if (!(expr))                                                                       \
			fail_msg("line %d: never came true: %s", __LINE__, #expr);                 \
	} while (0)

/* ---- byte streams: a text, or a pattern whose period is no chunk size ---- */

struct stream {
	const char *text; /* NULL: pattern */
	size_t len;
	uint32_t seed;
};

static uint8_t stream_byte(const struct stream *s, size_t i)
{
	uint32_t x;

	if (s->text)
		return (uint8_t)s->text[i];
	x = (uint32_t)i * 2654435761u ^ s->seed;
	x ^= x >> 15;
	return (uint8_t)(x ^ (x >> 8) ^ (uint32_t)(i >> 16));
}

/* ---- one end of a connection, run by the test on the loop ---- */

struct peer {
	struct ev_loop *loop;
	int fd;
	struct ev_io io;
	struct stream out; /* what this end sends */
	size_t sent;
	bool shut_when_sent; /* shutdown(SHUT_WR) after the last byte */
	bool send_after_eof; /* answer only once the other side's FIN arrived */
	bool shut;
	bool blocked;	  /* a send found the socket full */
	bool reading;	  /* false: a reader that does not read */
	struct stream in; /* what must arrive */
	size_t got;
	bool mismatch, eof;
	int err; /* errno of a failed recv or send, or SO_ERROR */
};

static bool peer_may_send(const struct peer *p)
{
	return !p->shut && p->err == 0 && (!p->send_after_eof || p->eof) &&
	       (p->sent < p->out.len || p->shut_when_sent);
}

static void peer_cb(struct ev_loop *loop, struct ev_io *io, uint32_t events);

static void peer_arm(struct peer *p)
{
	uint32_t ev = 0;

	if (p->reading && !p->eof && p->err == 0)
		ev |= EPOLLIN;
	if (peer_may_send(p))
		ev |= EPOLLOUT;
	if (ev == 0)
		ev_io_del(p->loop, &p->io);
	else if (p->io.active)
		assert_int_equal(ev_io_mod(p->loop, &p->io, ev), 0);
	else
		assert_int_equal(ev_io_add(p->loop, &p->io, p->fd, ev, peer_cb, p), 0);
}

static void peer_recv(struct peer *p)
{
	static uint8_t buf[CHUNK];
	ssize_t n = recv(p->fd, buf, sizeof(buf), 0);

	if (n == 0) {
		p->eof = true;
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			p->err = errno;
		return;
	}
	for (ssize_t i = 0; i < n; i++, p->got++)
		if (p->got >= p->in.len || buf[i] != stream_byte(&p->in, p->got))
			p->mismatch = true;
}

static void peer_send(struct peer *p)
{
	static uint8_t buf[CHUNK];

	while (p->sent < p->out.len) {
		size_t n = p->out.len - p->sent < CHUNK ? p->out.len - p->sent : CHUNK;
		ssize_t w;

		for (size_t i = 0; i < n; i++)
			buf[i] = stream_byte(&p->out, p->sent + i);
		w = send(p->fd, buf, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN)
				p->blocked = true;
			else if (errno != EINTR)
				p->err = errno;
			return;
		}
		p->sent += (size_t)w;
	}
	if (p->shut_when_sent && !p->shut) {
		assert_int_equal(shutdown(p->fd, SHUT_WR), 0);
		p->shut = true;
	}
}

static void peer_cb(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct peer *p = io->arg;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)loop;
	if (p->reading && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		peer_recv(p);
	else if (events & EPOLLERR) {
		getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		p->err = err ? err : EIO;
	}
	if ((events & EPOLLOUT) && peer_may_send(p))
		peer_send(p);
	peer_arm(p);
}

static void peer_close(struct peer *p)
{
	if (p->fd == -1)
		return;
	ev_io_del(p->loop, &p->io);
	close(p->fd);
	p->fd = -1;
}

/* ---- the IPv6 server and the IPv4 application ---- */

struct server {
	struct ev_loop *loop;
	int lfd;
	struct ev_io io;
	struct peer tmpl; /* what each accepted peer does */
	struct peer peer[4];
	int n;
};

static void server_accept(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct server *s = io->arg;
	int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)loop;
	(void)events;
	if (fd == -1)
		return;
	assert_true(s->n < 4);
	s->peer[s->n] = s->tmpl;
	s->peer[s->n].fd = fd;
	s->peer[s->n].loop = s->loop;
	s->peer[s->n].io.active = false;
	peer_arm(&s->peer[s->n++]);
}

/* A listener on [::1] with an ephemeral port; backlog as given. */
static uint16_t server_start(struct ev_loop *loop, struct server *s, int backlog)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t len = sizeof(a);
	int one = 1;

	s->loop = loop;
	s->n = 0;
	s->lfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(setsockopt(s->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, backlog), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(ev_io_add(loop, &s->io, s->lfd, EPOLLIN, server_accept, s), 0);
	return ntohs(a.sin6_port);
}

static void server_stop(struct server *s)
{
	for (int i = 0; i < s->n; i++)
		peer_close(&s->peer[i]);
	ev_io_del(s->loop, &s->io);
	close(s->lfd);
}

/* A port free on 127.0.0.1 a moment ago (bound to 0, read back, released). */
static uint16_t free_port4(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* A port on [::1] where nothing listens: connecting there is refused. */
static uint16_t closed_port6(void)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin6_port);
}

static struct ppconf_entry entry(uint16_t lport, uint16_t cport)
{
	struct ppconf_entry e;

	memset(&e, 0, sizeof(e));
	e.listen.sin_family = AF_INET;
	e.listen.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e.listen.sin_port = htons(lport);
	e.connect.sin6_family = AF_INET6;
	e.connect.sin6_addr = in6addr_loopback;
	e.connect.sin6_port = htons(cport);
	return e;
}

/* The application: a non-blocking connect to 127.0.0.1:port, then p's script. */
static void app_connect(struct ev_loop *loop, struct peer *p, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons(port)};
	int rc;

	p->loop = loop;
	p->io.active = false;
	p->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(p->fd >= 0);
	rc = connect(p->fd, (struct sockaddr *)&a, sizeof(a));
	assert_true(rc == 0 || errno == EINPROGRESS);
	peer_arm(p);
}

/*
 * Nothing registered on the loop is ready. epoll is level-triggered, so a socket registered
 * for something it can never make progress on (EPOLLIN with a full buffer, or a shut socket
 * whose EPOLLHUP is reported whatever the interest) shows here at every call: a busy loop.
 */
static bool loop_idle(const struct ev_loop *loop)
{
	struct epoll_event ev[8];

	return epoll_wait(loop->epfd, ev, 8, 0) == 0;
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
	return ti.tcpi_state;
}

static struct relay_stats stats(const struct relay *r)
{
	struct relay_stats st;

	relay_stats(r, &st);
	return st;
}

static void loop_init(struct ev_loop *loop)
{
	assert_int_equal(ev_init(loop), 0);
	clock_offset = 0;
	loop->clock = test_clock;
	ev_update_time(loop);
}

/* One entry 127.0.0.1:<free> -> [::1]:cport; *lport receives the listen port. */
static struct relay *relay_one(struct ev_loop *loop, uint16_t cport, uint16_t *lport)
{
	struct ppconf c = {.n = 1};
	struct relay *r;

	*lport = free_port4();
	c.e[0] = entry(*lport, cport);
	r = relay_start(loop, &c);
	assert_non_null(r);
	assert_int_equal(stats(r).listeners, 1);
	return r;
}

/* ---- tests ---- */

/* 1 MiB each way at once, each side half-closing after its last byte. */
static void test_relay_both_ways(void **state)
{
	struct ev_loop loop;
	struct server srv = {0};
	struct peer app = {0};
	struct relay *r;
	uint16_t sport, lport;
	struct relay_stats st;

	(void)state;
	loop_init(&loop);
	srv.tmpl = (struct peer){
	    .out = {NULL, MIB, 2}, .shut_when_sent = true, .reading = true, .in = {NULL, MIB, 1}};
	sport = server_start(&loop, &srv, 16);
	r = relay_one(&loop, sport, &lport);
	app = (struct peer){
	    .out = {NULL, MIB, 1}, .shut_when_sent = true, .reading = true, .in = {NULL, MIB, 2}};
	app_connect(&loop, &app, lport);

	RUN_UNTIL(&loop, app.eof && srv.n == 1 && srv.peer[0].eof);
	assert_int_equal(app.got, MIB);
	assert_int_equal(srv.peer[0].got, MIB);
	assert_false(app.mismatch);
	assert_false(srv.peer[0].mismatch);
	assert_int_equal(app.err, 0);
	assert_int_equal(srv.peer[0].err, 0);
	/* Both FINs passed on and nothing left: the relay closes its two sockets by itself. */
	RUN_UNTIL(&loop, stats(r).active == 0);
	st = stats(r);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(st.bytes_out, MIB);
	assert_int_equal(st.bytes_in, MIB);
	assert_int_equal(st.reset + st.connect_failed + st.idle + st.refused, 0);
	assert_int_equal(st.buffered, 0);
	peer_close(&app);
	server_stop(&srv);
	relay_stop(r);
	ev_free(&loop);
}

/* HTTP/1.0 style: the request ends with the client's FIN; the answer comes after it. */
static void test_relay_half_close(void **state)
{
	static const char req[] = "GET / HTTP/1.0\r\nHost: [2001:db8::80]\r\n\r\n";
	static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello";
	struct ev_loop loop;
	struct server srv = {0};
	struct peer app = {0};
	struct relay *r;
	uint16_t sport, lport;

	(void)state;
	loop_init(&loop);
	srv.tmpl = (struct peer){.out = {resp, sizeof(resp) - 1, 0},
				 .shut_when_sent = true,
				 .send_after_eof = true,
				 .reading = true,
				 .in = {req, sizeof(req) - 1, 0}};
	sport = server_start(&loop, &srv, 16);
	r = relay_one(&loop, sport, &lport);
	app = (struct peer){.out = {req, sizeof(req) - 1, 0},
			    .shut_when_sent = true,
			    .reading = true,
			    .in = {resp, sizeof(resp) - 1, 0}};
	app_connect(&loop, &app, lport);

	/* The server sees the whole request, then EOF, while its own direction is still open. */
	RUN_UNTIL(&loop, srv.n == 1 && srv.peer[0].eof);
	assert_int_equal(srv.peer[0].got, sizeof(req) - 1);
	assert_false(srv.peer[0].mismatch);
	RUN_UNTIL(&loop, app.eof);
	assert_int_equal(app.got, sizeof(resp) - 1);
	assert_false(app.mismatch);
	assert_int_equal(app.err, 0);
	RUN_UNTIL(&loop, stats(r).active == 0);
	assert_int_equal(stats(r).reset, 0);
	peer_close(&app);
	server_stop(&srv);
	relay_stop(r);
	ev_free(&loop);
}

/*
 * Nothing listens on the IPv6 side: the application's connection is reset, not left open, and
 * not closed with a FIN either (that would read as an empty answer). The application sends
 * nothing, so the reset is the relay's choice, not the kernel's for unread bytes.
 */
static void test_relay_refused(void **state)
{
	struct ev_loop loop;
	struct peer app = {0};
	struct relay *r;
	uint16_t lport;
	struct relay_stats st;

	(void)state;
	loop_init(&loop);
	r = relay_one(&loop, closed_port6(), &lport);
	app = (struct peer){.reading = true, .in = {NULL, 0, 0}};
	app_connect(&loop, &app, lport);

	RUN_UNTIL(&loop, app.err != 0 || app.eof);
	assert_int_equal(app.err, ECONNRESET);
	assert_int_equal(app.got, 0);
	st = stats(r);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(st.connect_failed, 1);
	assert_int_equal(st.active, 0);
	peer_close(&app);
	relay_stop(r);
	ev_free(&loop);
}

/*
 * A server that does not read: once the kernel buffers on the way are full the relay holds
 * exactly one full buffer and stops reading the application, whose sends then block, and the
 * loop goes idle (no event repeats without progress). When the server reads again every byte
 * arrives, in order.
 */
static void test_relay_slow_reader(void **state)
{
	struct ev_loop loop;
	struct server srv = {0};
	struct peer app = {0};
	struct relay *r;
	uint16_t sport, lport;
	const size_t cap = 512u * MIB; /* an unbounded relay would swallow it all */

	(void)state;
	loop_init(&loop);
	srv.tmpl = (struct peer){.reading = false, .in = {NULL, cap, 7}};
	sport = server_start(&loop, &srv, 16);
	r = relay_one(&loop, sport, &lport);
	app = (struct peer){.out = {NULL, cap, 7}};
	app_connect(&loop, &app, lport);

	RUN_UNTIL(&loop, srv.n == 1 && app.blocked && loop_idle(&loop));
	assert_true(app.sent < cap);
	assert_int_equal(stats(r).buffered, RELAY_BUF_SIZE);
	assert_int_equal(stats(r).active, 1);

	/* The reader wakes up: what was sent arrives, then the FIN. */
	app.out.len = app.sent;
	app.shut_when_sent = true;
	peer_arm(&app);
	srv.peer[0].reading = true;
	srv.peer[0].shut_when_sent = true;
	peer_arm(&srv.peer[0]);
	RUN_UNTIL(&loop, srv.peer[0].eof);
	assert_int_equal(srv.peer[0].got, app.sent);
	assert_false(srv.peer[0].mismatch);
	RUN_UNTIL(&loop, stats(r).active == 0);
	assert_int_equal(stats(r).reset, 0);
	peer_close(&app);
	server_stop(&srv);
	relay_stop(r);
	ev_free(&loop);
}

/*
 * The application socket shut both ways while its bytes wait for room: the server sent its FIN
 * at once (passed on: the relay shut its side toward the application), the application's FIN
 * sits in the relay's receive queue behind bytes the full buffer cannot take. That socket
 * reports EPOLLHUP whatever it is registered for; the loop must still go idle, and the bytes
 * and the FIN must arrive once the server reads.
 */
static void test_relay_hup_while_full(void **state)
{
	struct ev_loop loop;
	struct server srv = {0};
	struct peer app = {0};
	struct relay *r;
	uint16_t sport, lport;
	const size_t step = 16 * 1024, cap = 512u * MIB;

	(void)state;
	loop_init(&loop);
	srv.tmpl = (struct peer){.shut_when_sent = true, .reading = false, .in = {NULL, cap, 9}};
	sport = server_start(&loop, &srv, 16);
	r = relay_one(&loop, sport, &lport);
	app = (struct peer){.reading = true, .out = {NULL, 0, 9}};
	app_connect(&loop, &app, lport);
	RUN_UNTIL(&loop, srv.n == 1 && app.eof && loop_idle(&loop));

	/* Step by step until the relay's buffer is full, so little waits behind it. */
	while (stats(r).buffered < RELAY_BUF_SIZE && app.out.len < cap) {
		app.out.len += step;
		peer_arm(&app);
		RUN_UNTIL(&loop, app.sent == app.out.len && loop_idle(&loop));
	}
	assert_int_equal(stats(r).buffered, RELAY_BUF_SIZE);
	assert_int_equal(shutdown(app.fd, SHUT_WR), 0);
	app.shut = true;
	/* The application closed second (CLOSE_WAIT, LAST_ACK): CLOSE once its FIN was taken. */
	RUN_UNTIL(&loop, tcp_state(app.fd) == TCP_CLOSE && loop_idle(&loop));
	assert_int_equal(stats(r).buffered, RELAY_BUF_SIZE);

	srv.peer[0].reading = true;
	peer_arm(&srv.peer[0]);
	RUN_UNTIL(&loop, srv.peer[0].eof);
	assert_int_equal(srv.peer[0].got, app.sent);
	assert_false(srv.peer[0].mismatch);
	RUN_UNTIL(&loop, stats(r).active == 0);
	assert_int_equal(stats(r).reset, 0);
	peer_close(&app);
	server_stop(&srv);
	relay_stop(r);
	ev_free(&loop);
}

/* Closes p's socket with an RST (SO_LINGER 0), as a crashing or aborting program does. */
static void peer_abort(struct peer *p)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	assert_int_equal(setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	peer_close(p);
}

/* A reset on either side is passed on as a reset, not as an orderly end of the stream. */
static void test_relay_reset_propagates(void **state)
{
	static const char hi[] = "hello";
	struct ev_loop loop;
	struct server srv = {0};
	struct peer app[2];
	struct relay *r;
	uint16_t sport, lport;

	(void)state;
	loop_init(&loop);
	srv.tmpl = (struct peer){.reading = true, .in = {hi, 5, 0}};
	sport = server_start(&loop, &srv, 16);
	r = relay_one(&loop, sport, &lport);
	for (int i = 0; i < 2; i++) {
		app[i] = (struct peer){.out = {hi, 5, 0}, .reading = true, .in = {NULL, 0, 0}};
		app_connect(&loop, &app[i], lport);
		RUN_UNTIL(&loop, srv.n == i + 1 && srv.peer[i].got == 5);
	}

	peer_abort(&app[0]); /* the application aborts: the server sees a reset */
	RUN_UNTIL(&loop, srv.peer[0].err != 0 || srv.peer[0].eof);
	assert_int_equal(srv.peer[0].err, ECONNRESET);
	assert_false(srv.peer[0].eof);

	peer_abort(&srv.peer[1]); /* the server aborts: the application sees a reset */
	RUN_UNTIL(&loop, app[1].err != 0 || app[1].eof);
	assert_int_equal(app[1].err, ECONNRESET);
	assert_false(app[1].eof);

	RUN_UNTIL(&loop, stats(r).active == 0);
	assert_int_equal(stats(r).reset, 2);
	peer_close(&app[1]);
	server_stop(&srv);
	relay_stop(r);
	ev_free(&loop);
}

/* Over the cap a connection is accepted and reset at once, and counted; the others go on. */
static void test_relay_cap(void **state)
{
	static const char hi[] = "hi";
	struct relay_limits lim = {
	    .max_conns = 2, .max_total = 8, .connect_ms = 10000, .idle_ms = 60000};
	struct ev_loop loop;
	struct server srv = {0};
	struct peer app[3];
	struct relay *r;
	uint16_t sport, lport;

	(void)state;
	loop_init(&loop);
	srv.tmpl = (struct peer){.reading = true, .in = {hi, 2, 0}};
	sport = server_start(&loop, &srv, 16);
	r = relay_one(&loop, sport, &lport);
	relay_set_limits(r, &lim);
	for (int i = 0; i < 2; i++) {
		app[i] = (struct peer){.reading = true, .in = {NULL, 0, 0}};
		app_connect(&loop, &app[i], lport);
	}
	RUN_UNTIL(&loop, srv.n == 2);
	app[2] = (struct peer){.reading = true, .in = {NULL, 0, 0}};
	app_connect(&loop, &app[2], lport);
	RUN_UNTIL(&loop, app[2].err != 0 || app[2].eof);
	assert_int_equal(app[2].err, ECONNRESET);
	assert_int_equal(stats(r).refused, 1);
	assert_int_equal(stats(r).accepted, 2);
	assert_int_equal(stats(r).active, 2);

	/* The two under the cap still carry bytes. */
	app[0].out = (struct stream){hi, 2, 0};
	peer_arm(&app[0]);
	RUN_UNTIL(&loop, srv.peer[0].got + srv.peer[1].got == 2);
	assert_false(srv.peer[0].mismatch || srv.peer[1].mismatch);
	for (int i = 0; i < 3; i++)
		peer_close(&app[i]);
	server_stop(&srv);
	relay_stop(r);
	ev_free(&loop);
}

/* Nothing moves for idle_ms: both sides are reset. */
static void test_relay_idle(void **state)
{
	struct relay_limits lim = {
	    .max_conns = 4, .max_total = 4, .connect_ms = 10000, .idle_ms = 5000};
	struct ev_loop loop;
	struct server srv = {0};
	struct peer app = {0};
	struct relay *r;
	uint16_t sport, lport;

	(void)state;
	loop_init(&loop);
	srv.tmpl = (struct peer){.reading = true, .in = {NULL, 0, 0}};
	sport = server_start(&loop, &srv, 16);
	r = relay_one(&loop, sport, &lport);
	relay_set_limits(r, &lim);
	app = (struct peer){.reading = true, .in = {NULL, 0, 0}};
	app_connect(&loop, &app, lport);
	RUN_UNTIL(&loop, srv.n == 1);

	advance(&loop, 4000); /* not yet */
	assert_int_equal(ev_run_once(&loop, 0), 0);
	assert_int_equal(stats(r).idle, 0);
	assert_int_equal(stats(r).active, 1);
	advance(&loop, 1500);
	RUN_UNTIL(&loop, app.err != 0 && srv.peer[0].err != 0);
	assert_int_equal(app.err, ECONNRESET);
	assert_int_equal(srv.peer[0].err, ECONNRESET);
	assert_int_equal(stats(r).idle, 1);
	assert_int_equal(stats(r).active, 0);
	peer_close(&app);
	server_stop(&srv);
	relay_stop(r);
	ev_free(&loop);
}

/*
 * The IPv6 server never answers the SYN (its accept queue is full: Linux drops the SYN,
 * tcp_conn_request()), so only the connect timeout ends the attempt.
 */
static void test_relay_connect_timeout(void **state)
{
	struct ev_loop loop;
	struct server srv = {0};
	struct peer app = {0};
	struct relay *r;
	uint16_t sport, lport;
	int fill[2];
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};

	(void)state;
	loop_init(&loop);
	sport = server_start(&loop, &srv, 0);
	ev_io_del(&loop, &srv.io); /* never accepts */
	a.sin6_port = htons(sport);
	for (int i = 0; i < 2; i++) {
		fill[i] = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		assert_true(fill[i] >= 0);
		connect(fill[i], (struct sockaddr *)&a, sizeof(a));
	}
	r = relay_one(&loop, sport, &lport);
	app = (struct peer){.reading = true, .in = {NULL, 0, 0}};
	app_connect(&loop, &app, lport);
	RUN_UNTIL(&loop, stats(r).accepted == 1);
	assert_int_equal(ev_run_once(&loop, 50), 0);
	assert_int_equal(stats(r).active, 1); /* still connecting */

	advance(&loop, RELAY_CONNECT_TIMEOUT);
	RUN_UNTIL(&loop, app.err != 0);
	assert_int_equal(app.err, ECONNRESET);
	assert_int_equal(stats(r).connect_failed, 1);
	assert_int_equal(stats(r).active, 0);
	for (int i = 0; i < 2; i++)
		close(fill[i]);
	peer_close(&app);
	server_stop(&srv);
	relay_stop(r);
	ev_free(&loop);
}

/* A listener that cannot bind is skipped; the others run. An empty list is an empty relay. */
static void test_relay_bind_failure(void **state)
{
	struct ev_loop loop;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	struct ppconf c = {.n = 2};
	struct ppconf empty = {.n = 0};
	struct relay *r;
	int taken = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	enum log_level saved = log_get_level();

	(void)state;
	loop_init(&loop);
	assert_true(taken >= 0);
	assert_int_equal(bind(taken, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(taken, 1), 0);
	assert_int_equal(getsockname(taken, (struct sockaddr *)&a, &len), 0);
	c.e[0] = entry(ntohs(a.sin_port), 80);
	c.e[1] = entry(free_port4(), 80);
	log_set_level(LOG_LVL_ERR); /* the expected "cannot listen" warning */
	r = relay_start(&loop, &c);
	log_set_level(saved);
	assert_non_null(r);
	assert_int_equal(stats(r).listeners, 1);
	relay_stop(r);
	r = relay_start(&loop, &empty);
	assert_non_null(r);
	assert_int_equal(stats(r).listeners, 0);
	relay_stop(r);
	relay_stop(NULL);
	close(taken);
	ev_free(&loop);
}

/* A reload keeps the connections of unchanged entries and resets those of removed ones. */
static void test_relay_reload(void **state)
{
	static const char hi[] = "hello";
	struct ev_loop loop;
	struct server srv = {0};
	struct peer app = {0};
	struct ppconf c = {.n = 1};
	struct relay *r;
	uint16_t sport;

	(void)state;
	loop_init(&loop);
	srv.tmpl = (struct peer){.reading = true, .in = {hi, 5, 0}};
	sport = server_start(&loop, &srv, 16);
	c.e[0] = entry(free_port4(), sport);
	r = relay_start(&loop, &c);
	assert_non_null(r);
	app = (struct peer){.reading = true, .in = {NULL, 0, 0}};
	app_connect(&loop, &app, ntohs(c.e[0].listen.sin_port));
	RUN_UNTIL(&loop, srv.n == 1);

	c.e[1] = entry(free_port4(), sport);
	c.n = 2;
	relay_reload(r, &c);
	assert_int_equal(stats(r).listeners, 2);
	assert_int_equal(stats(r).active, 1);
	app.out = (struct stream){hi, 5, 0};
	peer_arm(&app);
	RUN_UNTIL(&loop, srv.peer[0].got == 5);
	assert_false(srv.peer[0].mismatch);

	c.e[0] = c.e[1];
	c.n = 1;
	relay_reload(r, &c);
	assert_int_equal(stats(r).listeners, 1);
	assert_int_equal(stats(r).active, 0);
	RUN_UNTIL(&loop, app.err != 0);
	assert_int_equal(app.err, ECONNRESET);
	peer_close(&app);
	server_stop(&srv);
	relay_stop(r);
	ev_free(&loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_relay_both_ways),
	    cmocka_unit_test(test_relay_half_close),
	    cmocka_unit_test(test_relay_refused),
	    cmocka_unit_test(test_relay_slow_reader),
	    cmocka_unit_test(test_relay_hup_while_full),
	    cmocka_unit_test(test_relay_reset_propagates),
	    cmocka_unit_test(test_relay_cap),
	    cmocka_unit_test(test_relay_idle),
	    cmocka_unit_test(test_relay_connect_timeout),
	    cmocka_unit_test(test_relay_bind_failure),
	    cmocka_unit_test(test_relay_reload),
	};

	log_init("test_relay", false, LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
