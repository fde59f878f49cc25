/* SPDX-License-Identifier: ISC */
/*
 * relay: the port proxies' listeners and relayed connections on the caller's event loop
 * (contract in relay.h). A connection is two sockets, fd[0] the IPv4 application and fd[1]
 * the IPv6 server, and two halves, half[s] holding bytes read from fd[s] for fd[!s]. After
 * every event the connection "pumps": it flushes both halves, passes on FINs whose bytes are
 * delivered, and re-registers each socket for exactly what it now waits for.
 */
#include "iphttps/relay.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/log.h"
#include "lib/sock.h"

#define RELAY_ACCEPT_BATCH 32 /* accepts per readiness event: the loop's other work goes on */
#define RELAY_NAME_MAX	   (2 * ADDR_STRLEN + 8)

enum relay_end {
	RELAY_END_DONE,	   /* both sides sent FIN and every byte was delivered */
	RELAY_END_RESET,   /* a reset or an error on either side */
	RELAY_END_CONNECT, /* the IPv6 connect failed or timed out */
	RELAY_END_IDLE,	   /* nothing moved for idle_ms */
	RELAY_END_STOP,	   /* relay_stop or relay_reload removed the listener */
};

struct relay_half {
	char *buf;	 /* RELAY_BUF_SIZE bytes while any are held, else NULL */
	size_t off, len; /* the held bytes are buf[off .. off + len) */
	bool eof;	 /* the source sent FIN */
	bool shut;	 /* ... and it was passed on: shutdown(SHUT_WR) of the destination */
};

struct relay_conn {
	struct relay_listener *l;
	struct relay_conn *prev, *next;
	int fd[2]; /* 0: the IPv4 application (accepted), 1: the IPv6 server */
	struct ev_io io[2];
	struct ev_timer timer; /* the connect timeout, then the idle timeout */
	uint64_t last_ms;      /* when a byte last moved */
	bool connecting;
	struct relay_half half[2]; /* half[s]: read from fd[s], written to fd[!s] */
};

struct relay_listener {
	struct relay *r;
	bool used; /* the slot holds an open listener */
	struct ppconf_entry e;
	int fd;
	struct ev_io io;
	struct ev_timer pause; /* accept paused after EMFILE and the like */
	struct relay_conn *conns;
	size_t nconns;
	bool full_logged; /* "at the cap" said once until it drops below */
	int last_err;	  /* the last connect error logged, so a retrying app logs it once */
	char name[RELAY_NAME_MAX];
};

struct relay {
	struct ev_loop *loop;
	struct relay_limits lim;
	size_t nconns;
	struct relay_stats st; /* the counters; the gauges are computed by relay_stats */
	struct relay_listener l[PPCONF_MAX];
};

static void relay_conn_io(struct ev_loop *loop, struct ev_io *io, uint32_t events);
static void relay_accept(struct ev_loop *loop, struct ev_io *io, uint32_t events);

/* ---- ending a connection ---- */

static void relay_conn_count(struct relay *r, enum relay_end why)
{
	if (why == RELAY_END_RESET)
		r->st.reset++;
	else if (why == RELAY_END_CONNECT)
		r->st.connect_failed++;
	else if (why == RELAY_END_IDLE)
		r->st.idle++;
}

static void relay_conn_end(struct relay_conn *c, enum relay_end why)
{
	struct relay_listener *l = c->l;
	struct relay *r = l->r;

	ev_io_del(r->loop, &c->io[0]);
	ev_io_del(r->loop, &c->io[1]);
	ev_timer_stop(r->loop, &c->timer);
	/* Both FINs seen and delivered: an orderly close. Anything else must not look like one. */
	if (why == RELAY_END_DONE)
		close(c->fd[0]);
	else
		sock_reset_close(c->fd[0]);
	if (c->fd[1] != -1 && (why == RELAY_END_DONE || c->connecting))
		close(c->fd[1]);
	else if (c->fd[1] != -1)
		sock_reset_close(c->fd[1]);
	relay_conn_count(r, why);
	if (c->prev)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	l->nconns--;
	r->nconns--;
	free(c->half[0].buf);
	free(c->half[1].buf);
	free(c);
}

/* Ends c after err on side s (0 application, 1 server). */
static void relay_conn_fail(struct relay_conn *c, int s, int err)
{
	struct relay_listener *l = c->l;

	if (c->connecting && s == 1) {
		/* The one failure an administrator needs to see; once per cause, not per retry. */
		if (err != l->last_err)
			log_info("portproxy %s: cannot connect: %s", l->name, strerror(err));
		else
			log_debug("portproxy %s: cannot connect: %s", l->name, strerror(err));
		l->last_err = err;
		relay_conn_end(c, RELAY_END_CONNECT);
		return;
	}
	log_debug("portproxy %s: %s side: %s", l->name, s ? "server" : "application",
		  strerror(err));
	relay_conn_end(c, RELAY_END_RESET);
}

/* ---- moving bytes ---- */

static bool relay_conn_wants_read(const struct relay_conn *c, int s)
{
	if (s == 1 && c->connecting)
		return false;
	return !c->half[s].eof && c->half[s].len < RELAY_BUF_SIZE;
}

static uint32_t relay_conn_events(const struct relay_conn *c, int s)
{
	uint32_t ev = 0;

	if (s == 1 && c->connecting)
		return EPOLLOUT; /* connect(2): writable once it completed or failed */
	if (relay_conn_wants_read(c, s))
		ev |= EPOLLIN;
	if (!c->connecting && c->half[!s].len > 0)
		ev |= EPOLLOUT;
	return ev;
}

/*
 * Registers fd[s] for what it waits for. Waiting for nothing, it leaves epoll altogether:
 * epoll reports EPOLLHUP and EPOLLERR even without interest, and a socket whose both
 * directions are shut while its data waits for room on the other side would be reported at
 * every iteration. What ends that wait is an event on the other socket, or the idle timer.
 */
static int relay_conn_arm(struct relay_conn *c, int s)
{
	struct ev_loop *loop = c->l->r->loop;
	uint32_t ev = relay_conn_events(c, s);

	if (ev == 0) {
		ev_io_del(loop, &c->io[s]);
		return 0;
	}
	if (c->io[s].active)
		return ev_io_mod(loop, &c->io[s], ev);
	return ev_io_add(loop, &c->io[s], c->fd[s], ev, relay_conn_io, c);
}

/* Reads what fits into half[s]. -1 with errno on an error of the socket. */
static int relay_conn_read(struct relay_conn *c, int s)
{
	struct relay_half *h = &c->half[s];
	ssize_t n;

	if (h->buf == NULL && (h->buf = malloc(RELAY_BUF_SIZE)) == NULL)
		return -1;
	if (h->off + h->len == RELAY_BUF_SIZE) {
		memmove(h->buf, h->buf + h->off, h->len);
		h->off = 0;
	}
	n = recv(c->fd[s], h->buf + h->off + h->len, RELAY_BUF_SIZE - h->off - h->len, 0);
	if (n > 0) {
		h->len += (size_t)n;
		c->last_ms = ev_now(c->l->r->loop);
	} else if (n == 0) {
		h->eof = true;
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		return -1;
	}
	return 0;
}

/* Writes half[s] to fd[!s], then passes its FIN on once it is empty. -1 with errno. */
static int relay_conn_flush(struct relay_conn *c, int s)
{
	struct relay_half *h = &c->half[s];
	struct relay *r = c->l->r;

	while (h->len > 0) {
		ssize_t n = send(c->fd[!s], h->buf + h->off, h->len, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == -1)
			return -1;
		h->off += (size_t)n;
		h->len -= (size_t)n;
		*(s == 0 ? &r->st.bytes_out : &r->st.bytes_in) += (uint64_t)n;
		c->last_ms = ev_now(r->loop);
	}
	if (h->len == 0 && h->buf != NULL) {
		free(h->buf); /* an idle connection holds no buffer */
		h->buf = NULL;
		h->off = 0;
	}
	if (h->eof && h->len == 0 && !h->shut) {
		if (shutdown(c->fd[!s], SHUT_WR) == -1)
			return -1;
		h->shut = true;
	}
	return 0;
}

/* After any event: deliver what can be, end the connection when both halves are done. */
static void relay_conn_pump(struct relay_conn *c)
{
	if (!c->connecting) {
		for (int s = 0; s < 2; s++) {
			if (relay_conn_flush(c, s) == -1) {
				relay_conn_fail(c, !s, errno);
				return;
			}
		}
		if (c->half[0].shut && c->half[1].shut) {
			relay_conn_end(c, RELAY_END_DONE);
			return;
		}
	}
	for (int s = 0; s < 2; s++) {
		if (relay_conn_arm(c, s) == -1) {
			relay_conn_fail(c, s, errno);
			return;
		}
	}
}

/* The non-blocking connect of fd[1] finished: 0 if it succeeded, else -1 with its errno. */
static int relay_conn_connected(struct relay_conn *c)
{
	struct relay *r = c->l->r;
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0 && ev_timer_start(r->loop, &c->timer, r->lim.idle_ms) == -1)
		err = ENOMEM;
	if (err != 0) {
		errno = err;
		return -1;
	}
	c->connecting = false;
	c->l->last_err = 0;
	(void)sock_tcp_tune(c->fd[1], 0, 0); /* TCP_NODELAY: the application chose its timing */
	return 0;
}

static void relay_conn_io(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct relay_conn *c = io->arg;
	int s = io == &c->io[1], err = 0;
	socklen_t len = sizeof(err);

	(void)loop;
	if (s == 1 && c->connecting) {
		if (relay_conn_connected(c) == -1) {
			relay_conn_fail(c, 1, errno);
			return;
		}
	} else if (events & EPOLLERR) {
		if (getsockopt(c->fd[s], SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err == 0)
			err = ECONNRESET;
		relay_conn_fail(c, s, err);
		return;
	}
	/* EPOLLHUP alone: the read returns what is left, then 0 or the error. */
	if ((events & (EPOLLIN | EPOLLHUP)) && relay_conn_wants_read(c, s) &&
	    relay_conn_read(c, s) == -1) {
		relay_conn_fail(c, s, errno);
		return;
	}
	relay_conn_pump(c);
}

static void relay_conn_timeout(struct ev_loop *loop, struct ev_timer *t)
{
	struct relay_conn *c = t->arg;
	uint64_t idle_ms = c->l->r->lim.idle_ms, idle = ev_now(loop) - c->last_ms;

	if (c->connecting) {
		relay_conn_fail(c, 1, ETIMEDOUT);
		return;
	}
	if (idle >= idle_ms) {
		log_debug("portproxy %s: idle for %llu s: reset", c->l->name,
			  (unsigned long long)(idle / 1000));
		relay_conn_end(c, RELAY_END_IDLE);
		return;
	}
	/* Activity does not touch the timer (a heap update per read); it is checked here. */
	if (ev_timer_start(loop, t, idle_ms - idle) == -1)
		relay_conn_end(c, RELAY_END_RESET);
}

/* ---- accepting ---- */

static bool relay_over_cap(struct relay_listener *l)
{
	struct relay *r = l->r;

	if (l->nconns < r->lim.max_conns && r->nconns < r->lim.max_total) {
		l->full_logged = false;
		return false;
	}
	if (!l->full_logged)
		log_notice("portproxy %s: %zu connections open (%zu in all): resetting new ones",
			   l->name, l->nconns, r->nconns);
	l->full_logged = true;
	return true;
}

/* Starts the IPv6 connect; the outcome arrives as EPOLLOUT on fd[1]. */
static int relay_conn_dial(struct relay_conn *c)
{
	const struct sockaddr_in6 *to = &c->l->e.connect;

	c->fd[1] = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (c->fd[1] == -1)
		return -1;
	if (connect(c->fd[1], (const struct sockaddr *)to, sizeof(*to)) == 0)
		return relay_conn_connected(c);
	return errno == EINPROGRESS ? 0 : -1;
}

static void relay_conn_new(struct relay_listener *l, int fd)
{
	struct relay *r = l->r;
	struct relay_conn *c;

	if (relay_over_cap(l) || (c = calloc(1, sizeof(*c))) == NULL) {
		r->st.refused++;
		sock_reset_close(fd);
		return;
	}
	c->l = l;
	c->fd[0] = fd;
	c->fd[1] = -1;
	c->connecting = true;
	c->last_ms = ev_now(r->loop);
	ev_timer_init(&c->timer, relay_conn_timeout, c);
	c->next = l->conns;
	if (l->conns)
		l->conns->prev = c;
	l->conns = c;
	l->nconns++;
	r->nconns++;
	r->st.accepted++;
	(void)sock_tcp_tune(fd, 0, 0);
	if (ev_timer_start(r->loop, &c->timer, r->lim.connect_ms) == -1 ||
	    relay_conn_dial(c) == -1) {
		relay_conn_fail(c, 1, errno);
		return;
	}
	relay_conn_pump(c);
}

static void relay_listener_pause(struct relay_listener *l)
{
	ev_io_del(l->r->loop, &l->io);
	if (ev_timer_start(l->r->loop, &l->pause, RELAY_PAUSE_MS) == -1)
		log_warnx("portproxy %s: cannot arm a timer: accepting stopped", l->name);
}

static void relay_listener_resume(struct ev_loop *loop, struct ev_timer *t)
{
	struct relay_listener *l = t->arg;

	if (ev_io_add(loop, &l->io, l->fd, EPOLLIN, relay_accept, l) == -1)
		relay_listener_pause(l);
}

static void relay_accept(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct relay_listener *l = io->arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < RELAY_ACCEPT_BATCH; i++) {
		int fd = sock_accept(l->fd, NULL, NULL);

		if (fd == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (fd == -1 && sock_accept_retryable(errno))
			continue;
		if (fd == -1) {
			/* EMFILE and the like: the listener stays readable; do not spin on it. */
			log_warn("portproxy %s: accept (paused for %d ms)", l->name,
				 RELAY_PAUSE_MS);
			relay_listener_pause(l);
			return;
		}
		relay_conn_new(l, fd);
	}
}

/* ---- listeners ---- */

static bool relay_entry_equal(const struct ppconf_entry *a, const struct ppconf_entry *b)
{
	return addr_sockaddr_equal((const struct sockaddr *)&a->listen,
				   (const struct sockaddr *)&b->listen) &&
	       addr_sockaddr_equal((const struct sockaddr *)&a->connect,
				   (const struct sockaddr *)&b->connect);
}

static void relay_listener_open(struct relay *r, struct relay_listener *l,
				const struct ppconf_entry *e)
{
	char to[ADDR_STRLEN];

	memset(l, 0, sizeof(*l));
	l->r = r;
	l->e = *e;
	addr_format_sockaddr((const struct sockaddr *)&e->listen, l->name, sizeof(l->name));
	addr_format_sockaddr((const struct sockaddr *)&e->connect, to, sizeof(to));
	l->fd =
	    sock_listen_tcp((const struct sockaddr *)&e->listen, sizeof(e->listen), RELAY_BACKLOG);
	if (l->fd == -1) {
		log_warn("portproxy %s: cannot listen (proxy to %s not served)", l->name, to);
		return;
	}
	ev_timer_init(&l->pause, relay_listener_resume, l);
	if (ev_io_add(r->loop, &l->io, l->fd, EPOLLIN, relay_accept, l) == -1) {
		log_warn("portproxy %s: epoll", l->name);
		close(l->fd);
		return;
	}
	l->used = true;
	log_info("portproxy: listening on %s for %s", l->name, to);
}

static void relay_listener_close(struct relay_listener *l)
{
	while (l->conns)
		relay_conn_end(l->conns, RELAY_END_STOP);
	ev_io_del(l->r->loop, &l->io);
	ev_timer_stop(l->r->loop, &l->pause);
	close(l->fd);
	l->used = false;
}

static bool relay_has_entry(const struct ppconf *c, const struct ppconf_entry *e)
{
	for (size_t i = 0; i < c->n; i++)
		if (relay_entry_equal(&c->e[i], e))
			return true;
	return false;
}

static bool relay_has_listener(const struct relay *r, const struct ppconf_entry *e)
{
	for (size_t i = 0; i < PPCONF_MAX; i++)
		if (r->l[i].used && relay_entry_equal(&r->l[i].e, e))
			return true;
	return false;
}

void relay_reload(struct relay *r, const struct ppconf *c)
{
	size_t n = c->n < PPCONF_MAX ? c->n : PPCONF_MAX, slot = 0;

	/* Close first: an entry whose target changed releases its port for its replacement. */
	for (size_t i = 0; i < PPCONF_MAX; i++) {
		if (r->l[i].used && !relay_has_entry(c, &r->l[i].e)) {
			log_info("portproxy %s: removed", r->l[i].name);
			relay_listener_close(&r->l[i]);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (relay_has_listener(r, &c->e[i]))
			continue;
		/* Listeners in use are at most as many as kept entries: a free slot exists. */
		while (r->l[slot].used)
			slot++;
		relay_listener_open(r, &r->l[slot], &c->e[i]);
	}
}

struct relay *relay_start(struct ev_loop *loop, const struct ppconf *c)
{
	struct relay *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->loop = loop;
	r->lim = (struct relay_limits){
	    .max_conns = RELAY_MAX_CONNS,
	    .max_total = RELAY_MAX_TOTAL,
	    .connect_ms = RELAY_CONNECT_TIMEOUT,
	    .idle_ms = RELAY_IDLE_TIMEOUT,
	};
	relay_reload(r, c);
	return r;
}

void relay_stop(struct relay *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < PPCONF_MAX; i++)
		if (r->l[i].used)
			relay_listener_close(&r->l[i]);
	free(r);
}

void relay_set_limits(struct relay *r, const struct relay_limits *lim)
{
	r->lim = *lim;
}

void relay_stats(const struct relay *r, struct relay_stats *st)
{
	*st = r->st;
	st->listeners = 0;
	st->buffered = 0;
	st->active = r->nconns;
	for (size_t i = 0; i < PPCONF_MAX; i++) {
		if (!r->l[i].used)
			continue;
		st->listeners++;
		for (const struct relay_conn *c = r->l[i].conns; c; c = c->next)
			st->buffered += c->half[0].len + c->half[1].len;
	}
}
