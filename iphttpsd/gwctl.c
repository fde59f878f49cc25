/* SPDX-License-Identifier: ISC */
/*
 * gwctl: control socket connections and the replies to "show", "clients" and "disconnect".
 * Every connection is bounded: a request line of at most GWCTL_REQ_MAX bytes, GWCTL_TIMEOUT_MS to
 * send it and take the reply, GWCTL_MAX_CONNS at once.
 */
#include "iphttpsd/gwctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iphttpsd/client.h"
#include "iphttpsd/gwtls.h"
#include "lib/addr.h"
#include "lib/log.h"
#include "lib/sock.h"

#ifndef IPHTTPS_VERSION
#define IPHTTPS_VERSION "0.1.0"
#endif

static void gwctl_conn_close(struct gwctl_conn *k)
{
	struct gw *gw = k->gw;

	ev_io_del(&gw->loop, &k->io);
	ev_timer_stop(&gw->loop, &k->timer);
	close(k->fd);
	sbuf_free(&k->out);
	if (k->prev)
		k->prev->next = k->next;
	else
		gw->ctls = k->next;
	if (k->next)
		k->next->prev = k->prev;
	gw->nctl--;
	free(k);
}

void gwctl_close_all(struct gw *gw)
{
	while (gw->ctls)
		gwctl_conn_close(gw->ctls);
}

/* ---- rendering ---- */

static const char *gwctl_ip6(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static void gwctl_show_link_json(const struct link *l, struct sbuf *o)
{
	const struct link_stats *s = &l->stats;

	sbuf_printf(o,
		    "\"link\":{\"to_tun\":%" PRIu64 ",\"from_tun\":%" PRIu64
		    ",\"peer_to_peer\":%" PRIu64 ",\"rs\":%" PRIu64 ",\"ra\":%" PRIu64
		    ",\"dad_conflicts\":%" PRIu64 ",\"echo\":%" PRIu64 ",\"icmp_errors\":%" PRIu64
		    ",\"learned\":%" PRIu64 ",\"evicted\":%" PRIu64 ",\"resolve_started\":%" PRIu64
		    ",\"resolved\":%" PRIu64 ",\"resolve_failed\":%" PRIu64
		    ",\"resolve_ns\":%" PRIu64 ",\"addresses\":%zu,\"drops\":{",
		    s->to_tun, s->from_tun, s->peer_to_peer, s->rs, s->ra, s->dad_conflicts,
		    s->echo, s->icmp_errors, s->learned, s->evicted, s->resolve_started,
		    s->resolved, s->resolve_failed, s->resolve_ns, l->naddrs);
	for (int i = 0; i < LINK_DROP__MAX; i++)
		sbuf_printf(o, "%s\"%s\":%" PRIu64, i ? "," : "", link_drop_name(i), s->drops[i]);
	sbuf_printf(o, "}}");
}

static void gwctl_cert_json(const struct gw *gw, size_t i, struct sbuf *o)
{
	const struct tls_cert_info *ci = &gw->certs[i];

	sbuf_printf(o, "{\"subject\":");
	sbuf_json_str(o, ci->subject);
	sbuf_printf(o, ",\"key\":");
	sbuf_json_str(o, ci->key);
	sbuf_printf(o, ",\"not_after\":%ld,\"days_left\":%ld,\"expiring\":%s,\"sha256\":",
		    (long)ci->not_after, tls_cert_days_left(ci, time(NULL)),
		    gwtls_expiring(gw, i, time(NULL)) ? "true" : "false");
	sbuf_json_str(o, ci->sha256);
	sbuf_printf(o, "}");
}

static void gwctl_warning(const struct gw *gw, size_t i, char *buf, size_t len)
{
	long days = tls_cert_days_left(&gw->certs[i], time(NULL));

	if (days < 0)
		snprintf(buf, len, "certificate %s has expired", gw->certs[i].subject);
	else
		snprintf(buf, len, "certificate %s expires in %ld days", gw->certs[i].subject,
			 days);
}

static void gwctl_warnings_json(const struct gw *gw, struct sbuf *o)
{
	bool first = true;
	char w[400];

	for (size_t i = 0; i < gw->ncerts; i++) {
		if (!gwtls_expiring(gw, i, time(NULL)))
			continue;
		gwctl_warning(gw, i, w, sizeof(w));
		sbuf_printf(o, "%s", first ? "" : ",");
		sbuf_json_str(o, w);
		first = false;
	}
}

static void gwctl_show_json(struct gw *gw, struct sbuf *o)
{
	const struct gw_counters *c = &gw->cnt;
	char p[INET6_ADDRSTRLEN];

	sbuf_printf(o,
		    "{\"version\":\"%s\",\"pid\":%d,\"uptime\":%" PRIu64 ",\"prefix\":\"%s/64\","
		    "\"mtu\":%u,\"tun\":",
		    IPHTTPS_VERSION, (int)getpid(), (ev_now(&gw->loop) - gw->start_ms) / 1000,
		    gwctl_ip6(&gw->conf.prefix, p), gw->conf.mtu);
	sbuf_json_str(o, gw->conf.tun);
	sbuf_printf(o, ",\"clients\":%zu,\"certificate\":", gw->nclients);
	gwctl_cert_json(gw, 0, o);
	sbuf_printf(o, ",\"certificates\":[");
	for (size_t i = 0; i < gw->ncerts; i++) {
		sbuf_printf(o, "%s", i ? "," : "");
		gwctl_cert_json(gw, i, o);
	}
	sbuf_printf(o, "],\"tls_profile\":\"%s\",\"auth\":\"%s\",\"warnings\":[",
		    tls_profile_name(gw->conf.tls_profile), gwconf_auth_name(gw->conf.auth));
	gwctl_warnings_json(gw, o);
	sbuf_printf(o, "],");
	gwctl_show_link_json(&gw->link, o);
	sbuf_printf(o,
		    ",\"connections\":{\"accepted\":%" PRIu64 ",\"handshake_failed\":%" PRIu64
		    ",\"handshake_timeout\":%" PRIu64 ",\"head_timeout\":%" PRIu64
		    ",\"http_errors\":%" PRIu64 ",\"not_ipv6\":%" PRIu64 ",\"closed\":%" PRIu64
		    ",\"rejected_max\":%" PRIu64 ",\"refused_source_conn\":%" PRIu64
		    ",\"refused_source_rate\":%" PRIu64 ",\"refused_source_full\":%" PRIu64
		    ",\"null_reset\":%" PRIu64 ",\"auth_refused\":%" PRIu64
		    ",\"forged_identity\":%" PRIu64 ",\"proxy_untrusted\":%" PRIu64
		    ",\"proxy_errors\":%" PRIu64 ",\"authenticated\":%" PRIu64 "}}\n",
		    c->accepted, c->handshake_failed, c->handshake_timeout, c->head_timeout,
		    c->http_errors, c->not_ipv6, c->closed, c->rejected_max, c->refused_source_conn,
		    c->refused_source_rate, c->refused_source_full, c->null_reset, c->auth_refused,
		    c->forged_identity, c->proxy_untrusted, c->proxy_errors, c->authenticated);
}

static void gwctl_show_text(struct gw *gw, struct sbuf *o)
{
	const struct link_stats *s = &gw->link.stats;
	const struct gw_counters *c = &gw->cnt;
	char p[INET6_ADDRSTRLEN];
	time_t exp = gw->cert.not_after;

	sbuf_printf(o, "iphttpsd %s, pid %d, up %" PRIu64 " s\n", IPHTTPS_VERSION, (int)getpid(),
		    (ev_now(&gw->loop) - gw->start_ms) / 1000);
	sbuf_printf(o, "link       %s/64 on %s, mtu %u, %zu clients, %zu addresses\n",
		    gwctl_ip6(&gw->conf.prefix, p), gw->conf.tun, gw->conf.mtu, gw->nclients,
		    gw->link.naddrs);
	for (size_t i = 0; i < gw->ncerts; i++) {
		exp = gw->certs[i].not_after;
		sbuf_printf(o, "cert       %s, %s (expires in %ld days)\n", gw->certs[i].subject,
			    gw->certs[i].key, (long)((exp - time(NULL)) / 86400));
	}
	sbuf_printf(o, "tls        profile %s, authentication %s\n",
		    tls_profile_name(gw->conf.tls_profile), gwconf_auth_name(gw->conf.auth));
	for (size_t i = 0; i < gw->ncerts; i++) {
		char w[400];

		if (!gwtls_expiring(gw, i, time(NULL)))
			continue;
		gwctl_warning(gw, i, w, sizeof(w));
		sbuf_printf(o, "WARNING    %s: renew it and send SIGHUP\n", w);
	}
	sbuf_printf(o,
		    "packets    to intranet %" PRIu64 ", from intranet %" PRIu64
		    ", client to client %" PRIu64 "\n",
		    s->to_tun, s->from_tun, s->peer_to_peer);
	sbuf_printf(o,
		    "nd         rs %" PRIu64 ", ra %" PRIu64 ", dad conflicts %" PRIu64
		    ", echo %" PRIu64 ", icmp errors %" PRIu64 ", resolved %" PRIu64 "/%" PRIu64
		    "\n",
		    s->rs, s->ra, s->dad_conflicts, s->echo, s->icmp_errors, s->resolved,
		    s->resolve_started);
	sbuf_printf(o,
		    "conns      accepted %" PRIu64 ", tls failed %" PRIu64 ", tls timeout %" PRIu64
		    ", head timeout %" PRIu64 ", http errors %" PRIu64 ", not ipv6 %" PRIu64
		    ", over max %" PRIu64 "\n",
		    c->accepted, c->handshake_failed, c->handshake_timeout, c->head_timeout,
		    c->http_errors, c->not_ipv6, c->rejected_max);
	sbuf_printf(o,
		    "refused    per-source conns %" PRIu64 ", handshake rate %" PRIu64
		    ", null-only reset %" PRIu64 ", 403 %" PRIu64 " (forged identity %" PRIu64
		    "), proxy untrusted %" PRIu64 ", proxy errors %" PRIu64 "\n",
		    c->refused_source_conn, c->refused_source_rate, c->null_reset, c->auth_refused,
		    c->forged_identity, c->proxy_untrusted, c->proxy_errors);
	size_t before;

	sbuf_printf(o, "drops     ");
	before = o->len;
	for (int i = 0; i < LINK_DROP__MAX; i++)
		if (s->drops[i])
			sbuf_printf(o, " %s %" PRIu64, link_drop_name(i), s->drops[i]);
	sbuf_printf(o, "%s\n", o->len == before ? " none" : "");
}

static void gwctl_client_json(struct gw *gw, const struct client *c, struct sbuf *o)
{
	struct in6_addr a[LINK_PEER_ADDRS];
	size_t n = link_peer_addrs(&c->peer, a, LINK_PEER_ADDRS);
	char r[64], ip[INET6_ADDRSTRLEN], tls[96] = "";

	if (c->ssl)
		tls_conn_describe(c->ssl, tls, sizeof(tls));
	sbuf_printf(o,
		    "{\"id\":%" PRIu64 ",\"remote\":\"%s\",\"transport\":\"%s\",\"state\":\"%s\","
		    "\"addresses\":[",
		    c->id, addr_format_sockaddr((const struct sockaddr *)&c->remote, r, sizeof(r)),
		    c->transport == GW_TLS ? "tls" : "http", client_state_name(c->state));
	for (size_t i = 0; i < n && i < LINK_PEER_ADDRS; i++)
		sbuf_printf(o, "%s\"%s\"", i ? "," : "", gwctl_ip6(&a[i], ip));
	sbuf_printf(o,
		    "],\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64 ",\"packets_in\":%" PRIu64
		    ",\"packets_out\":%" PRIu64 ",\"uptime\":%" PRIu64 ",\"tls\":",
		    c->bytes_in, c->bytes_out, c->packets_in, c->packets_out,
		    (ev_now(&gw->loop) - c->start_ms) / 1000);
	sbuf_json_str(o, tls);
	sbuf_printf(o, ",\"auth\":\"%s\",\"identity\":", authz_via_name(c->via));
	sbuf_json_str(o, c->identity ? c->identity : "");
	sbuf_printf(o, "}");
}

static void gwctl_client_text(struct gw *gw, const struct client *c, struct sbuf *o)
{
	struct in6_addr a[LINK_PEER_ADDRS];
	size_t n = link_peer_addrs(&c->peer, a, LINK_PEER_ADDRS);
	char r[64], ip[INET6_ADDRSTRLEN], tls[96] = "-";

	if (c->ssl)
		tls_conn_describe(c->ssl, tls, sizeof(tls));
	sbuf_printf(
	    o, "%-6" PRIu64 " %-24s %-9s %8" PRIu64 "s %12" PRIu64 " %12" PRIu64 "  %-28s %s\n",
	    c->id, addr_format_sockaddr((const struct sockaddr *)&c->remote, r, sizeof(r)),
	    client_state_name(c->state), (ev_now(&gw->loop) - c->start_ms) / 1000, c->bytes_in,
	    c->bytes_out, c->transport == GW_TLS ? tls : "http (offloaded)",
	    c->identity ? c->identity : "-");
	for (size_t i = 0; i < n && i < LINK_PEER_ADDRS; i++)
		sbuf_printf(o, "       %s\n", gwctl_ip6(&a[i], ip));
}

static void gwctl_clients(struct gw *gw, bool json, struct sbuf *o)
{
	bool first = true;

	if (json)
		sbuf_printf(o, "[");
	else
		sbuf_printf(o, "%-6s %-24s %-9s %9s %12s %12s  %-28s %s\n", "ID", "REMOTE", "STATE",
			    "UPTIME", "BYTES IN", "BYTES OUT", "TLS", "IDENTITY");
	for (const struct client *c = gw->clients; c; c = c->next) {
		if (json) {
			sbuf_printf(o, "%s", first ? "" : ",");
			gwctl_client_json(gw, c, o);
		} else {
			gwctl_client_text(gw, c, o);
		}
		first = false;
	}
	if (json)
		sbuf_printf(o, "]\n");
}

static void gwctl_disconnect(struct gw *gw, const char *arg, struct sbuf *o)
{
	char *end;
	unsigned long long id;

	errno = 0;
	id = strtoull(arg, &end, 10);
	if (errno || end == arg || *end) {
		sbuf_printf(o, "ERR bad client id '%s'\n", arg);
		return;
	}
	for (struct client *c = gw->clients; c; c = c->next) {
		if (c->id == id) {
			client_close(c, "disconnected by the operator");
			sbuf_printf(o, "OK\ndisconnected %llu\n", id);
			return;
		}
	}
	sbuf_printf(o, "ERR no client %llu\n", id);
}

void gwctl_handle(struct gw *gw, const char *req, struct sbuf *o)
{
	char cmd[32] = "", arg[64] = "";
	int n = sscanf(req, "%31s %63s", cmd, arg);
	bool json = n == 2 && strcmp(arg, "json") == 0;

	if (n >= 1 && strcmp(cmd, "show") == 0 && (n == 1 || json)) {
		sbuf_printf(o, "OK\n");
		if (json)
			gwctl_show_json(gw, o);
		else
			gwctl_show_text(gw, o);
	} else if (n >= 1 && strcmp(cmd, "clients") == 0 && (n == 1 || json)) {
		sbuf_printf(o, "OK\n");
		gwctl_clients(gw, json, o);
	} else if (n == 2 && strcmp(cmd, "disconnect") == 0) {
		gwctl_disconnect(gw, arg, o);
	} else {
		sbuf_printf(o, "ERR unknown request; try: show [json], clients [json], "
			       "disconnect ID\n");
	}
}

/* ---- connections ---- */

static void gwctl_write(struct gwctl_conn *k)
{
	while (k->off < k->out.len) {
		ssize_t n = send(k->fd, k->out.p + k->off, k->out.len - k->off, MSG_NOSIGNAL);

		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			break;
		k->off += (size_t)n;
	}
	gwctl_conn_close(k);
}

static void gwctl_read(struct gwctl_conn *k)
{
	ssize_t n = read(k->fd, k->req + k->reqlen, sizeof(k->req) - 1 - k->reqlen);
	char *nl;

	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		gwctl_conn_close(k);
		return;
	}
	k->reqlen += (size_t)n;
	k->req[k->reqlen] = '\0';
	nl = strchr(k->req, '\n');
	if (!nl && k->reqlen < sizeof(k->req) - 1)
		return;
	if (nl)
		*nl = '\0';
	else
		sbuf_printf(&k->out, "ERR request too long\n");
	if (nl)
		gwctl_handle(k->gw, k->req, &k->out);
	if (k->out.err) {
		sbuf_free(&k->out);
		sbuf_printf(&k->out, "ERR reply too large\n");
	}
	ev_io_mod(&k->gw->loop, &k->io, EPOLLOUT);
	gwctl_write(k);
}

static void gwctl_io(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct gwctl_conn *k = io->arg;

	(void)loop;
	if (k->out.len > 0 || (events & EPOLLOUT))
		gwctl_write(k);
	else
		gwctl_read(k);
}

static void gwctl_timeout(struct ev_loop *loop, struct ev_timer *t)
{
	(void)loop;
	gwctl_conn_close(t->arg);
}

void gwctl_resume(struct ev_loop *loop, struct ev_timer *t)
{
	struct gw *gw = t->arg;

	ev_io_mod(loop, &gw->ctl_io, EPOLLIN);
}

void gwctl_accept(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct gw *gw = io->arg;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct gwctl_conn *k;
	int fd;

	(void)events;
	fd = sock_accept(gw->ctl_fd, &ss, &len);
	if (fd == -1) {
		if (sock_accept_retryable(errno))
			return;
		/* Out of descriptors: pause as the client listeners do, or epoll would spin. */
		log_warn("control socket: accept");
		ev_io_mod(loop, io, 0);
		ev_timer_start(loop, &gw->ctl_pause, GW_ACCEPT_PAUSE);
		return;
	}
	if (gw->nctl >= GWCTL_MAX_CONNS || !(k = calloc(1, sizeof(*k)))) {
		close(fd);
		return;
	}
	k->gw = gw;
	k->fd = fd;
	sbuf_init(&k->out);
	if (ev_io_add(loop, &k->io, fd, EPOLLIN, gwctl_io, k) == -1) {
		close(fd);
		free(k);
		return;
	}
	ev_timer_init(&k->timer, gwctl_timeout, k);
	ev_timer_start(loop, &k->timer, GWCTL_TIMEOUT_MS);
	k->next = gw->ctls;
	if (gw->ctls)
		gw->ctls->prev = k;
	gw->ctls = k;
	gw->nctl++;
}
