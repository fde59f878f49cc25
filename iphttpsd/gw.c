/* SPDX-License-Identifier: ISC */
/*
 * gw: wiring of the unprivileged gateway process. The link core (proto/link) decides where
 * packets go; this file carries them: TUN reads into link_from_tun, link callbacks into client
 * queues or TUN writes, listeners into new clients, and after every event batch the queued
 * output of each touched client is flushed, so a burst leaves as few large TLS records.
 */
#include "iphttpsd/gw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "iphttpsd/client.h"
#include "iphttpsd/gwctl.h"
#include "iphttpsd/gwtls.h"
#include "iphttpsd/priv.h"
#include "lib/addr.h"
#include "lib/log.h"
#include "lib/sock.h"
#include "lib/tun.h"

/* ---- link callbacks ---- */

static int gw_to_peer(void *arg, struct link_peer *peer, const uint8_t *pkt, size_t len)
{
	(void)arg;
	return client_queue(peer->ctx, pkt, len);
}

/* With offloads, during a client's read batch, TCP segments are merged into super-packets
   (proto/gro, issue #6); otherwise one packet per write. */
static int gw_to_tun(void *arg, const uint8_t *pkt, size_t len)
{
	struct gw *gw = arg;

	if (gw->tun_batch)
		return gro_add(gw->gro, pkt, len);
	return tun_write(gw->tun_fd, gw->tun_vnet, pkt, len);
}

static int gw_gro_emit(void *arg, const uint8_t *vnet, const uint8_t *pkt, size_t len)
{
	struct gw *gw = arg;

	return tun_write_vnet(gw->tun_fd, vnet, pkt, len);
}

void gw_tun_batch_begin(struct gw *gw)
{
	gw->tun_batch = gw->gro != NULL;
}

/* Before the loop sleeps again: nothing stays held, so a lone packet is never delayed. */
void gw_tun_batch_end(struct gw *gw)
{
	if (!gw->tun_batch)
		return;
	gro_flush(gw->gro);
	gw->tun_batch = false;
}

static void gw_to_all(void *arg, struct link_peer *except, const uint8_t *pkt, size_t len)
{
	struct gw *gw = arg;

	for (struct client *c = gw->clients; c; c = c->next)
		if (&c->peer != except && c->state == CLIENT_UP)
			client_queue(c, pkt, len);
}

static void gw_drop(void *arg, const struct link_peer *from, enum link_drop why, const uint8_t *pkt,
		    size_t len)
{
	struct gw *gw = arg;
	char src[INET6_ADDRSTRLEN] = "?", dst[INET6_ADDRSTRLEN] = "?";

	if (!gw->conf.log_drops)
		return;
	if (len >= 40) {
		inet_ntop(AF_INET6, pkt + 8, src, sizeof(src));
		inet_ntop(AF_INET6, pkt + 24, dst, sizeof(dst));
	}
	if (from)
		log_info("drop %s: client %llu, %zu bytes %s -> %s", link_drop_name(why),
			 (unsigned long long)from->id, len, src, dst);
	else
		log_info("drop %s: from intranet, %zu bytes %s -> %s", link_drop_name(why), len,
			 src, dst);
}

/* ---- TUN ---- */

static void gw_stop(struct gw *gw);

static void gw_tun_packet(void *arg, const uint8_t *pkt, size_t len)
{
	struct gw *gw = arg;

	link_from_tun(&gw->link, pkt, len);
}

/*
 * With offloads a read is a virtio header and up to 64 KiB of TCP toward the clients (issue
 * #6): proto/gso cuts it into packets of the link MTU, each handed to the link core as a plain
 * read's packet would be.
 */
static void gw_tun_split(struct gw *gw, size_t len)
{
	const struct gso_out out = {gw->segbuf, sizeof(gw->segbuf), gw_tun_packet, gw};
	size_t nseg;
	enum gso_status st = gso_split(gw->tunbuf, len, gw->conf.mtu, &out, &nseg);

	if (st == GSO_OK)
		return;
	if (gw->cnt.tun_offload_errors++ == 0)
		log_warnx("tun %s: dropped a read of %zu bytes: %s (later ones are only counted)",
			  gw->conf.tun, len, gso_status_str(st));
}

static void gw_tun_read(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct gw *gw = io->arg;

	gw->link.now_ms = ev_now(loop);
	for (int i = 0; i < GW_TUN_BUDGET; i++) {
		ssize_t n = gw->tun_vnet ? read(gw->tun_fd, gw->tunbuf, sizeof(gw->tunbuf))
					 : read(gw->tun_fd, gw->rxbuf, sizeof(gw->rxbuf));

		if (n > 0) {
			gw->cnt.tun_reads++;
			if (gw->tun_vnet)
				gw_tun_split(gw, (size_t)n);
			else
				link_from_tun(&gw->link, gw->rxbuf, (size_t)n);
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR) && !(events & EPOLLERR))
			return;
		/* The device is gone (deleted, or its namespace torn down): epoll would report it
		   forever. Stop, and exit non-zero so a supervisor restarts us. */
		log_warn("tun %s: device lost; stopping", gw->conf.tun);
		ev_io_del(loop, io);
		gw->failed = true;
		gw_stop(gw);
		return;
	}
}

/* ---- listeners ---- */

static void gw_accept_resume(struct ev_loop *loop, struct ev_timer *t)
{
	struct gw_listener *l = t->arg;

	ev_io_mod(loop, &l->io, EPOLLIN);
}

static void gw_accept(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct gw_listener *l = io->arg;

	(void)events;
	for (int i = 0; i < GW_ACCEPT_BUDGET; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = sock_accept(l->fd, &ss, &len);

		if (fd != -1) {
			client_accept(l->gw, fd, &ss, l);
			continue;
		}
		if (sock_accept_retryable(errno))
			return;
		/* Out of descriptors: the pending connection stays readable, and level-triggered
		   epoll would report it again at once; stop listening for a moment instead. */
		log_warn("accept");
		ev_io_mod(loop, &l->io, 0);
		ev_timer_start(loop, &l->pause, GW_ACCEPT_PAUSE);
		return;
	}
}

/* ---- neighbour resolution timers (proto/link resolves unknown addresses by NS) ---- */

static void gw_nd_tick(struct ev_loop *loop, struct ev_timer *t)
{
	struct gw *gw = t->arg;

	gw->link.now_ms = ev_now(loop);
	link_tick(&gw->link);
}

/* Arms the timer for the link's earliest deadline; runs after every batch, which is when a
   resolution can have started. */
static void gw_nd_arm(struct gw *gw)
{
	uint64_t when = link_next_deadline(&gw->link), now = ev_now(&gw->loop);

	if (when == UINT64_MAX) {
		ev_timer_stop(&gw->loop, &gw->nd_timer);
		return;
	}
	if (!ev_timer_active(&gw->nd_timer) || gw->nd_timer.when_ms != when)
		ev_timer_start(&gw->loop, &gw->nd_timer, when > now ? when - now : 0);
}

/* ---- after each batch: continued reads, coalesced flushes, deferred frees ---- */

void gw_mark_dirty(struct gw *gw, struct client *c)
{
	if (c->in_dirty)
		return;
	c->in_dirty = true;
	c->dirty_next = gw->dirty;
	gw->dirty = c;
}

static void gw_after(struct ev_loop *loop, void *arg)
{
	struct gw *gw = arg;
	struct client *list = gw->dirty, **pp;

	gw->dirty = NULL;
	while (list) {
		struct client *c = list;

		list = c->dirty_next;
		c->in_dirty = false;
		if (c->dead)
			continue;
		if (c->read_more) {
			c->read_more = false;
			client_continue_read(c);
		}
		client_flush(c);
	}
	if (gw->dirty)
		ev_no_wait(loop);
	gw_nd_arm(gw);
	/* Free closed clients no longer referenced by the dirty list. */
	for (pp = &gw->grave; *pp;) {
		struct client *c = *pp;

		if (c->in_dirty) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		client_free(c);
		gw->freed++;
	}
}

/* ---- periodic RAs ---- */

static void gw_ra_tick(struct ev_loop *loop, struct ev_timer *t)
{
	struct gw *gw = t->arg;

	/* RFC 4861 §6.2.4: unsolicited RAs keep router and prefix lifetimes from expiring; on
	   this link they go down each connection, never as multicast ([MS-IPHTTPS] §3.2.5.2.1). */
	gw->link.now_ms = ev_now(loop);
	for (struct client *c = gw->clients; c; c = c->next)
		if (c->state == CLIENT_UP)
			link_send_ra(&gw->link, &c->peer);
	ev_timer_start(loop, t, (uint64_t)gw->conf.ra_interval * 1000);
}

/* ---- signals ---- */

static void gw_stop(struct gw *gw)
{
	if (gw->stopping)
		return;
	gw->stopping = true;
	log_notice("stopping: closing %zu clients", gw->nclients);
	/* [MS-IPHTTPS] §3.2.4.2, §3.2.7.3: shutting down disconnects every client. */
	while (gw->clients)
		client_close(gw->clients, "gateway shutting down");
	ev_stop(&gw->loop);
}

static void gw_signal(struct ev_loop *loop, int signo, void *arg)
{
	struct gw *gw = arg;

	(void)loop;
	if (signo == SIGHUP) {
		log_notice("SIGHUP: asking for the configuration and certificates again");
		if (priv_send(gw->priv_fd, PRIV_RELOAD_REQ, NULL, 0) == -1)
			log_warn("reload request");
		return;
	}
	gw_stop(gw);
}

static void gw_priv_read(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct gw *gw = io->arg;
	struct priv_msg m;

	(void)loop;
	(void)events;
	if (priv_recv(gw->priv_fd, &m) == -1) {
		log_warnx("privileged parent went away; stopping");
		gw_stop(gw);
		return;
	}
	if (m.type == PRIV_RELOAD && m.n == PRIV_PARTS) {
		struct gwfiles f;

		for (size_t i = 0; i < GWFILES_PARTS; i++)
			f.part[i] = (struct gwfiles_part){m.part[1 + i], m.len[1 + i]};
		gw_reload(gw, m.part[0], m.len[0], "configuration", &f);
	} else
		log_warnx("privileged parent: unexpected message %u", m.type);
	priv_msg_free(&m);
}

/* ---- configuration ---- */

static void gw_http_policy(struct gw *gw)
{
	gw->http.npaths = 0;
	gw->http.paths[gw->http.npaths++] = gw->conf.path;
	if (gw->conf.accept_iptls)
		gw->http.paths[gw->http.npaths++] = "/IPTLS";
	/* Always captured, so that a forged one from an untrusted peer can be refused. */
	gw->http.identity_header = gw->conf.identity_header;
}

bool gw_log_allowed(struct gw *gw, struct gw_loglimit *l)
{
	uint64_t now = ev_now(&gw->loop);

	if (l->last_ms != 0 && now - l->last_ms < GW_REFUSE_LOG_MS) {
		l->suppressed++;
		return false;
	}
	if (l->suppressed)
		log_info("(%llu similar refusals not logged)", (unsigned long long)l->suppressed);
	l->last_ms = now;
	l->suppressed = 0;
	return true;
}

static void gw_link_cfg(const struct gwconf *conf, struct link_cfg *lc)
{
	memset(lc, 0, sizeof(*lc));
	lc->prefix = conf->prefix;
	lc->mtu = conf->mtu;
	lc->auth_certificates = conf->auth == GWCONF_AUTH_CERTIFICATES;
	lc->isolation = conf->client_isolation;
	lc->client_icmp_rate = conf->client_icmp_rate;
	lc->unauth_policy = &conf->unauth_allow;
	lc->router_lifetime = conf->router_lifetime;
	lc->valid_lifetime = conf->valid_lifetime;
	lc->preferred_lifetime = conf->preferred_lifetime;
	lc->cur_hop_limit = 64;
	lc->icmp_error_rate = conf->icmp_error_rate;
	lc->resolve_rate = conf->nd_resolve_rate;
	memcpy(lc->routes, conf->routes, sizeof(lc->routes));
	lc->nroutes = conf->nroutes;
}

/* Keys that need a restart: warn naming them, keep the running values. */
static void gw_keep_restart_keys(const struct gwconf *old, struct gwconf *nc)
{
	const char *keys[16];
	size_t n;

	if (!nc->have_prefix) { /* "prefix auto" resolves to the prefix kept in state-dir */
		nc->have_prefix = old->have_prefix;
		nc->prefix = old->prefix;
	}
	n = gwconf_restart_changes(old, nc, keys, 16);
	for (size_t i = 0; i < n && i < 16; i++)
		log_warnx("reload: %s changes only at restart; keeping the running value", keys[i]);
	nc->have_prefix = old->have_prefix;
	nc->prefix = old->prefix;
	nc->mtu = old->mtu;
	nc->tun_offload = old->tun_offload;
	memcpy(nc->tun, old->tun, sizeof(nc->tun));
	memcpy(nc->listen, old->listen, sizeof(nc->listen));
	nc->nlisten = old->nlisten;
	memcpy(nc->listen_http, old->listen_http, sizeof(nc->listen_http));
	nc->nlisten_http = old->nlisten_http;
	memcpy(nc->control, old->control, sizeof(nc->control));
	memcpy(nc->user, old->user, sizeof(nc->user));
	memcpy(nc->state_dir, old->state_dir, sizeof(nc->state_dir));
	nc->log_syslog = old->log_syslog;
}

/* [MS-IPHTTPS] §3.2.7.1: a changed Authentication Mode closes every connection. */
static void gw_auth_changed(struct gw *gw, enum gwconf_auth old)
{
	size_t n = gw->nclients;

	if (gw->conf.auth == old)
		return;
	while (gw->clients)
		client_close(gw->clients, "authentication mode changed");
	log_notice("reload: authentication mode changed to %s: %zu clients dropped",
		   gwconf_auth_name(gw->conf.auth), n);
}

int gw_reload(struct gw *gw, const char *conf_text, size_t conf_len, const char *conf_name,
	      const struct gwfiles *files)
{
	enum gwconf_auth old_auth = gw->conf.auth;
	struct gwconf *nc = malloc(sizeof(*nc));
	struct link_cfg lc;

	if (!nc)
		return -1;
	gwconf_defaults(nc);
	if (conf_text && gwconf_parse(nc, conf_text, conf_len, conf_name) > 0) {
		log_warnx("reload: configuration has errors; nothing changed");
		free(nc);
		return -1;
	}
	if (!conf_text)
		*nc = gw->conf;
	else
		gwconf_worker(nc, gw->worker); /* this worker's /64, names and client share */
	gw_keep_restart_keys(&gw->conf, nc);
	gw_link_cfg(nc, &lc);
	lc.unauth_policy = &gw->conf.unauth_allow; /* gw->conf is overwritten in place below */
	if (link_reconfigure(&gw->link, &lc) == -1) {
		log_warnx("reload: link configuration refused; nothing changed");
		free(nc);
		return -1;
	}
	/* Then the TLS material: a bad CA file or allow-list must not leave the new mode
	   running with the old rules, so the link goes back to the running values. */
	if (files && gwtls_load(gw, nc, files) == -1) {
		gw_link_cfg(&gw->conf, &lc);
		link_reconfigure(&gw->link, &lc);
		log_warnx("reload: TLS material refused; nothing changed");
		free(nc);
		return -1;
	}
	gw->conf = *nc;
	free(nc);
	srclim_reconfigure(&gw->srclim, gw->conf.max_conn_per_source, gw->conf.handshake_rate);
	gw_http_policy(gw);
	gw_auth_changed(gw, old_auth);
	log_set_level((enum log_level)gw->conf.log_level);
	log_notice("reload: done; %zu clients kept", gw->nclients);
	return 0;
}

/* ---- life cycle ---- */

static void gw_expiry_tick(struct ev_loop *loop, struct ev_timer *t)
{
	struct gw *gw = t->arg;

	gwtls_warn_expiry(gw, time(NULL));
	ev_timer_start(loop, t, GW_EXPIRY_CHECK);
}

/*
 * A burst of connections that came and went (a handshake flood, a reconnect storm) leaves
 * glibc's heap holding the freed TLS objects as free chunks between live ones, which it never
 * returns by itself (issue #6: RSS stayed at the flood's peak). After GW_TRIM_CHURN frees,
 * malloc_trim(3) gives the free pages back (madvise), checked every GW_TRIM_CHECK ms.
 */
static void gw_trim_tick(struct ev_loop *loop, struct ev_timer *t)
{
	struct gw *gw = t->arg;

	if (gw->freed >= GW_TRIM_CHURN) {
		gw->freed = 0;
		outq_pool_free(&gw->pool); /* idle output blocks go too */
		malloc_trim(0);
	}
	ev_timer_start(loop, t, GW_TRIM_CHECK);
}

static int gw_srclim_init(struct gw *gw)
{
	struct srclim_cfg sc = {
	    .max_conn = gw->conf.max_conn_per_source,
	    .rate = gw->conf.handshake_rate,
	    /* Every open connection holds one entry; room beyond that for sources that only
	       knock (rate state), bounded. */
	    .capacity = (size_t)gw->conf.max_clients + 65536,
	};

	if (getrandom(sc.hash_key, sizeof(sc.hash_key), 0) != (ssize_t)sizeof(sc.hash_key) ||
	    srclim_init(&gw->srclim, &sc) == -1) {
		log_warn("per-source limits");
		return -1;
	}
	return 0;
}

static int gw_add_listeners(struct gw *gw, struct gw_setup *s)
{
	for (size_t i = 0; i < s->nlisten; i++) {
		struct gw_listener *l = &gw->listeners[gw->nlisteners++];

		l->gw = gw;
		l->fd = s->listen_fd[i];
		l->transport = s->listen_transport[i];
		l->proxy_protocol = s->listen_proxy[i];
		s->listen_fd[i] = -1;
		ev_timer_init(&l->pause, gw_accept_resume, l);
		if (ev_io_add(&gw->loop, &l->io, l->fd, EPOLLIN, gw_accept, l) == -1)
			return -1;
	}
	return 0;
}

static int gw_add_fds(struct gw *gw, struct gw_setup *s)
{
	gw->tun_fd = s->tun_fd;
	gw->tun_vnet = s->tun_vnet;
	/* Its slots are touched only by the flows that use them. */
	if (gw->tun_vnet && !(gw->gro = malloc(sizeof(*gw->gro)))) {
		log_warn("malloc");
		return -1;
	}
	if (gw->gro)
		gro_init(gw->gro, gw_gro_emit, gw);
	gw->ctl_fd = s->ctl_fd;
	gw->priv_fd = s->priv_fd;
	s->tun_fd = s->ctl_fd = s->priv_fd = -1;
	if (ev_io_add(&gw->loop, &gw->tun_io, gw->tun_fd, EPOLLIN, gw_tun_read, gw) == -1 ||
	    ev_io_add(&gw->loop, &gw->priv_io, gw->priv_fd, EPOLLIN, gw_priv_read, gw) == -1)
		return -1;
	if (gw->ctl_fd != -1 &&
	    ev_io_add(&gw->loop, &gw->ctl_io, gw->ctl_fd, EPOLLIN, gwctl_accept, gw) == -1)
		return -1;
	return gw_add_listeners(gw, s);
}

int gw_init(struct gw *gw, struct gw_setup *s)
{
	struct link_cfg lc;
	struct link_ops ops = {gw_to_peer, gw_to_tun, gw_to_all, gw_drop, gw};

	memset(gw, 0, sizeof(*gw));
	gw->tun_fd = gw->ctl_fd = gw->priv_fd = -1;
	/* Before anything can fail: gw_free stops these timers whatever state init reached. */
	ev_timer_init(&gw->nd_timer, gw_nd_tick, gw);
	ev_timer_init(&gw->ra_timer, gw_ra_tick, gw);
	ev_timer_init(&gw->ctl_pause, gwctl_resume, gw);
	ev_timer_init(&gw->expiry_timer, gw_expiry_tick, gw);
	ev_timer_init(&gw->trim_timer, gw_trim_tick, gw);
	ident_init(&gw->ident);
	gw->conf = s->conf;
	gw->worker = s->worker;
	gw_http_policy(gw);
	if (ev_init(&gw->loop) == -1) {
		log_warn("epoll");
		return -1;
	}
	gw->start_ms = ev_now(&gw->loop);
	gw_link_cfg(&gw->conf, &lc);
	/* A secret hash key, so clients cannot choose addresses that collide in the table. */
	if (getrandom(lc.hash_key, sizeof(lc.hash_key), 0) != (ssize_t)sizeof(lc.hash_key)) {
		log_warn("getrandom");
		return -1;
	}
	if (link_init(&gw->link, &lc, &ops) == -1) {
		log_warnx("link: configuration refused");
		return -1;
	}
	if (gwtls_load(gw, &gw->conf, &s->files) == -1 || gw_srclim_init(gw) == -1)
		return -1;
	if (gw_add_fds(gw, s) == -1) {
		log_warn("event loop setup");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (ev_signal_add(&gw->loop, SIGTERM, gw_signal, gw) == -1 ||
	    ev_signal_add(&gw->loop, SIGINT, gw_signal, gw) == -1 ||
	    ev_signal_add(&gw->loop, SIGHUP, gw_signal, gw) == -1) {
		log_warn("signals");
		return -1;
	}
	ev_set_after(&gw->loop, gw_after, gw);
	ev_timer_start(&gw->loop, &gw->ra_timer, (uint64_t)gw->conf.ra_interval * 1000);
	ev_timer_start(&gw->loop, &gw->expiry_timer, GW_EXPIRY_CHECK);
	ev_timer_start(&gw->loop, &gw->trim_timer, GW_TRIM_CHECK);
	return 0;
}

int gw_run(struct gw *gw)
{
	char p[64];

	log_notice("gateway running: prefix %s/64, mtu %u, tun %s, %zu listeners",
		   inet_ntop(AF_INET6, &gw->conf.prefix, p, sizeof(p)), gw->conf.mtu, gw->conf.tun,
		   gw->nlisteners);
	if (ev_run(&gw->loop) == -1) {
		log_warn("event loop");
		return -1;
	}
	gw_after(&gw->loop, gw);
	return gw->failed ? -1 : 0;
}

void gw_free(struct gw *gw)
{
	while (gw->clients)
		client_close(gw->clients, "gateway exiting");
	gw_after(&gw->loop, gw);
	for (size_t i = 0; i < gw->nlisteners; i++)
		close(gw->listeners[i].fd);
	gwctl_close_all(gw);
	if (gw->tun_fd != -1)
		close(gw->tun_fd);
	if (gw->ctl_fd != -1)
		close(gw->ctl_fd);
	if (gw->priv_fd != -1)
		close(gw->priv_fd);
	ev_timer_stop(&gw->loop, &gw->ctl_pause);
	ev_timer_stop(&gw->loop, &gw->expiry_timer);
	ev_timer_stop(&gw->loop, &gw->trim_timer);
	if (gw->gro) {
		char d[160];

		gro_describe(gw->gro, d, sizeof(d));
		log_info("tun %s, from clients: %s", gw->conf.tun, d);
	}
	free(gw->gro);
	link_free(&gw->link);
	srclim_free(&gw->srclim);
	gwtls_free(gw);
	outq_pool_free(&gw->pool);
	ev_free(&gw->loop);
}
