/* SPDX-License-Identifier: ISC */
/*
 * cl_link: the client's end of the IP-HTTPS link. The TUN is created once and kept across
 * reconnects; the kernel's own IPv6 host stack does the link's work on it (RFC 4861, RFC 4862):
 * a random link-local address, Router Solicitation, SLAAC from the gateway's RA with a random
 * interface identifier, and the routes of the RA. This file only prepares the TUN for that,
 * brings it up at the 200 and down when the connection ends (so every connection solicits and
 * configures afresh), carries packets between it and the connection, and checks the RAs on
 * the way in (cl_ra). The kernel skips Duplicate Address Detection on the TUN: it is an
 * IFF_NOARP device (addrconf_dad_begin), whatever accept_dad says.
 */
#include "iphttps/cl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iphttps/cl_ra.h"
#include "iphttps/relay.h"
#include "lib/log.h"
#include "lib/nl.h"
#include "lib/sysctl.h"
#include "lib/tun.h"
#include "proto/winerr.h"

/* ---- the kernel's IPv6 host behaviour on the TUN (Documentation/networking/ip-sysctl.rst) ---- */

struct cl_sysctl {
	const char *name;
	const char *value;
	bool optional; /* absent without CONFIG_IPV6_ROUTE_INFO / _ROUTER_PREF */
};

static int cl_sysctl_set(const char *ifname, const struct cl_sysctl *s)
{
	char key[128];

	/* The slash form keeps dots in an interface name (sysctl.h). */
	snprintf(key, sizeof(key), "net/ipv6/conf/%s/%s", ifname, s->name);
	if (sysctl_set(key, s->value) == 0)
		return 0;
	if (s->optional && errno == ENOENT) {
		log_notice("tun %s: this kernel has no %s: Route Information options are ignored",
			   ifname, s->name);
		return 0;
	}
	log_warn("tun %s: cannot set %s=%s", ifname, s->name, s->value);
	return -1;
}

static bool cl_forwarding(const char *ifname)
{
	char key[128], v[16];

	snprintf(key, sizeof(key), "net/ipv6/conf/%s/forwarding", ifname);
	return sysctl_get(key, v, sizeof(v)) == 0 && strcmp(v, "0") != 0;
}

static int cl_link_sysctls(struct cl *c)
{
	const struct cl_sysctl set[] = {
	    /* accept_ra 2: RAs are honoured even when this host forwards. */
	    {"accept_ra", cl_forwarding(c->o.tun) ? "2" : "1", false},
	    {"autoconf", "1", false},
	    {"accept_ra_pinfo", "1", false},
	    /* The gateway is a default router only when asked: split tunnel by default. */
	    {"accept_ra_defrtr", c->o.default_route ? "1" : "0", false},
	    /* RFC 4191 Route Information options, up to host routes. */
	    {"accept_ra_rtr_pref", "1", true},
	    {"accept_ra_rt_info_max_plen", "128", true},
	    /* Stable addresses: the gateway's table follows them (ms-iphttps.md §2.5). */
	    {"use_tempaddr", "0", false},
	    {"accept_dad", "1", false},
	    /* Addresses go when the link goes down, so each connection configures afresh. */
	    {"keep_addr_on_down", "0", false},
	};

	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (cl_sysctl_set(c->o.tun, &set[i]) == -1)
			return -1;
	return 0;
}

/* ---- packets ---- */

static bool cl_ra_pass(struct cl *c, const uint8_t *pkt, size_t len);

static void cl_link_packet(void *arg, const uint8_t *pkt, size_t len)
{
	struct cl *c = arg;

	c->cnt.packets_in++;
	if (!cl_ra_pass(c, pkt, len))
		return;
	/* With offloads, during a read batch, TCP segments are merged into super-packets
	   (proto/gro, issue #6); otherwise one packet per write. */
	if ((c->tun_batch ? gro_add(c->gro, pkt, len)
			  : tun_write(c->tun_fd, c->tun_vnet, pkt, len)) == -1)
		c->cnt.tun_errors++;
}

static int cl_gro_emit(void *arg, const uint8_t *vnet, const uint8_t *pkt, size_t len)
{
	struct cl *c = arg;

	return tun_write_vnet(c->tun_fd, vnet, pkt, len);
}

static void cl_link_oversize(void *arg, const uint8_t *head, size_t headlen, size_t len)
{
	struct cl *c = arg;

	(void)head;
	(void)headlen;
	(void)len;
	c->cnt.packets_in++;
	c->cnt.oversize++; /* the link MTU is 1280 ([MS-IPHTTPS] §3.1.5.2): the gateway erred */
}

static int cl_link_feed(struct cl *c, const uint8_t *p, size_t len)
{
	const struct frame_cb cb = {cl_link_packet, cl_link_oversize, c};
	enum frame_status st = frame_rx_feed(&c->rx, p, len, &cb);

	if (st == FRAME_OK)
		return 0;
	/* A stream cannot resynchronise ([MS-IPHTTPS] §3.1.5.3): most likely a web server that
	   answered 200 with a page. */
	if (st == FRAME_ERR_NOT_IPV6)
		cl_fail(c, WINERR_HTTP_UNEXPECTED,
			"server stream is not IPv6 (after %llu packets): not an IP-HTTPS server?",
			(unsigned long long)c->rx.packets);
	else
		cl_fail(c, WINERR_HTTP_UNEXPECTED, "server stream: %s", frame_status_str(st));
	return -1;
}

static void cl_link_read_batch(struct cl *c)
{
	size_t budget = CL_READ_BUDGET;

	while (budget > 0 && c->state == CL_UP) {
		long n = cl_conn_read(c, c->rxbuf, sizeof(c->rxbuf));

		if (n == 0)
			return;
		if (n < 0) {
			cl_fail(c, c->ioerr.code, "server: %s", c->ioerr.why);
			return;
		}
		/* Drained: the read that follows would only return EAGAIN. */
		if (cl_link_feed(c, c->rxbuf, (size_t)n) == -1 || cl_conn_drained(c))
			return;
		budget -= (size_t)n < budget ? (size_t)n : budget;
	}
	/* Records already inside OpenSSL are invisible to epoll: continue after the batch. */
	if (c->state == CL_UP)
		c->read_more = true;
}

/* Ends a batch: nothing stays held when the loop sleeps, so a lone packet is never delayed. */
static void cl_link_flush(struct cl *c)
{
	if (!c->tun_batch)
		return;
	gro_flush(c->gro);
	c->tun_batch = false;
}

/* One wakeup's input from the server is one batch toward the TUN. */
void cl_link_read(struct cl *c)
{
	c->tun_batch = c->gro != NULL;
	cl_link_read_batch(c);
	cl_link_flush(c);
}

/* One packet from the local host toward the server. */
static void cl_tun_packet(void *arg, const uint8_t *pkt, size_t len)
{
	struct cl *c = arg;

	/* Nothing goes to the server before its 200 ([MS-IPHTTPS] §3.1.5.2), nor after a
	   failed flush ended the link in the middle of a super-packet. */
	if (c->state != CL_UP) {
		c->cnt.before_up++;
		return;
	}
	if (outq_push(&c->q, &c->pool, pkt, len, CL_QUEUE_MAX) == -1) {
		c->cnt.queue_full++;
		return;
	}
	c->cnt.packets_out++;
	c->dirty = true;
	/* A full record waiting: write it now, as the gateway does; a TUN wakeup reads more
	   than the queue holds, and dropped bursts stall the inner TCP (lost window updates,
	   retransmissions in backoff). A failure ends the link. */
	if (c->q.bytes >= OUTQ_BLOCK && !c->want_write && !c->write_wants_read)
		cl_conn_flush(c);
}

/*
 * With offloads a read is a virtio header and up to 64 KiB of TCP (issue #6): proto/gso cuts it
 * into packets of the link MTU, each queued as a plain read's packet would be.
 */
static void cl_tun_split(struct cl *c, size_t len)
{
	const struct gso_out out = {c->segbuf, sizeof(c->segbuf), cl_tun_packet, c};
	size_t nseg;
	enum gso_status st = gso_split(c->tunbuf, len, CL_MTU, &out, &nseg);

	if (st == GSO_OK)
		return;
	if (c->cnt.gso_errors++ == 0)
		log_warnx("tun %s: dropped a read of %zu bytes: %s", c->o.tun, len,
			  gso_status_str(st));
}

static void cl_tun_read(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct cl *c = io->arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < CL_TUN_BUDGET; i++) {
		bool up = c->state == CL_UP;
		ssize_t n = c->tun_vnet ? read(c->tun_fd, c->tunbuf, sizeof(c->tunbuf))
					: read(c->tun_fd, c->rxbuf, sizeof(c->rxbuf));

		if (n <= 0) {
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				log_warn("tun %s: read", c->o.tun);
			return;
		}
		c->cnt.tun_reads++;
		if (c->tun_vnet)
			cl_tun_split(c, (size_t)n);
		else
			cl_tun_packet(c, c->rxbuf, (size_t)n);
		if (up && c->state != CL_UP)
			return; /* the connection failed; its link is down */
	}
}

/* Packets the kernel queued while the link was going down: never sent anywhere. */
static void cl_tun_drain(struct cl *c)
{
	for (int i = 0; i < CL_TUN_BUDGET; i++)
		if (read(c->tun_fd, c->rxbuf, sizeof(c->rxbuf)) <= 0)
			return;
}

/* ---- Router Advertisements ---- */

static void cl_ra_usable(struct cl *c, const struct cl_ra_info *info)
{
	char p[INET6_ADDRSTRLEN];

	ev_timer_stop(&c->loop, &c->ra_timer);
	log_info("router advertisement: prefix %s/64 (valid %u s), router lifetime %u s%s, %zu "
		 "routes",
		 inet_ntop(AF_INET6, &info->prefix, p, sizeof(p)), info->valid,
		 info->router_lifetime, c->o.default_route ? "" : " (not a default route)",
		 info->nroutes);
	if (!c->ra_ok && c->st.last_error == WINERR_WSANO_DATA) {
		c->st.last_error = 0;
		c->st.detail[0] = '\0';
		cl_publish(c, STFILE_UP, 0);
	}
	c->ra_ok = true;
}

/* Whether a packet from the server may reach the kernel: every RA is checked first. */
static bool cl_ra_pass(struct cl *c, const uint8_t *pkt, size_t len)
{
	struct cl_ra_info info;
	enum cl_ra_verdict v = cl_ra_check(pkt, len, &info);

	if (v == CL_RA_NOT_RA)
		return true;
	if (v == CL_RA_OK) {
		if (info.usable_prefix)
			cl_ra_usable(c, &info);
		return true;
	}
	/* Logged once per connection; the count goes to the link-down line. */
	if (c->cnt.ra_dropped++ == 0)
		log_warnx("dropped a Router Advertisement from the server: %s",
			  cl_ra_verdict_str(v));
	else
		log_debug("dropped a Router Advertisement from the server: %s",
			  cl_ra_verdict_str(v));
	return false;
}

/*
 * No usable RA CL_RA_WAIT_MS after the 200: the link stays up (the gateway may still send
 * one), but the state file says what Windows reports for a server without a published prefix
 * (KB2980635, ms-iphttps.md §2.2, §5.5): WSANO_DATA, the server has no address data for us.
 */
static void cl_ra_timeout(struct ev_loop *loop, struct ev_timer *t)
{
	struct cl *c = t->arg;

	(void)loop;
	if (c->state != CL_UP || c->ra_ok)
		return;
	c->st.last_error = WINERR_WSANO_DATA;
	snprintf(c->st.detail, sizeof(c->st.detail),
		 "no usable Router Advertisement (a /64 prefix with A=1) within %d s of link up; "
		 "%llu refused: the server publishes no prefix?",
		 CL_RA_WAIT_MS / 1000, (unsigned long long)c->cnt.ra_dropped);
	log_warnx("0x%X WSANO_DATA: %s", WINERR_WSANO_DATA, c->st.detail);
	cl_publish(c, STFILE_UP, 0);
}

/* ---- up and down ---- */

void cl_link_up(struct cl *c, const uint8_t *leftover, size_t len)
{
	c->state = CL_UP;
	c->up_ms = ev_now(&c->loop);
	c->ra_ok = false;
	backoff_success(&c->bo);
	c->failures = 0;
	/* Up after the 200 only: the kernel's first RS must find a working link. */
	if (nl_link_set(c->o.tun, 0, true) == -1) {
		cl_fail(c, WINERR_INSTALL_FAILURE, "cannot bring %s up: %s", c->o.tun,
			strerror(errno));
		return;
	}
	ev_timer_start(&c->loop, &c->ra_timer, CL_RA_WAIT_MS);
	if (c->pp.n > 0 && !c->relay)
		c->relay = relay_start(&c->loop, &c->pp);
	c->st.last_error = 0;
	c->st.detail[0] = '\0';
	cl_publish(c, STFILE_UP, 0);
	log_notice("link up: %s at %s%s%s, %s up", c->st.url, c->st.server,
		   c->st.tls[0] ? ", " : "", c->st.tls, c->o.tun);
	if (len > 0 && cl_link_feed(c, leftover, len) == -1)
		return;
	cl_link_read(c);
}

void cl_link_down(struct cl *c)
{
	const struct cl_counters *n = &c->cnt;

	/* What arrived before the failure goes in while the link is still up, as it would have
	   one write at a time. */
	cl_link_flush(c);
	relay_stop(c->relay);
	c->relay = NULL;
	ev_timer_stop(&c->loop, &c->ra_timer);
	if (nl_link_set(c->o.tun, 0, false) == -1)
		log_warn("tun %s: cannot bring it down", c->o.tun);
	cl_tun_drain(c);
	log_info(
	    "link down after %llu s: packets %llu in, %llu out (in %llu TUN reads); bytes "
	    "%llu in, %llu out; dropped: %llu queue full, %llu over the MTU, %llu refused RAs, "
	    "%llu TUN errors, %llu bad offload reads",
	    (unsigned long long)((ev_now(&c->loop) - c->up_ms) / 1000),
	    (unsigned long long)n->packets_in, (unsigned long long)n->packets_out,
	    (unsigned long long)n->tun_reads, (unsigned long long)n->bytes_in,
	    (unsigned long long)n->bytes_out, (unsigned long long)n->queue_full,
	    (unsigned long long)n->oversize, (unsigned long long)n->ra_dropped,
	    (unsigned long long)n->tun_errors, (unsigned long long)n->gso_errors);
}

void cl_link_reload(struct cl *c)
{
	struct ppconf nc;

	if (ppconf_load(c->o.portproxy_file, &nc) == -1) {
		log_warnx("SIGHUP: %s has errors; keeping the %zu running port proxies",
			  c->o.portproxy_file, c->pp.n);
		return;
	}
	c->pp = nc;
	log_notice("SIGHUP: %zu port proxies from %s", c->pp.n, c->o.portproxy_file);
	if (c->state != CL_UP)
		return; /* started at the next link up */
	if (c->relay)
		relay_reload(c->relay, &c->pp);
	else if (c->pp.n > 0)
		c->relay = relay_start(&c->loop, &c->pp);
}

/* ---- the TUN ---- */

/* A local failure to set up the link: Windows' "Interface creation failure" (§5.4). */
static int cl_link_err(struct cl *c, const char *what)
{
	int e = errno;

	c->st.last_error = WINERR_INSTALL_FAILURE;
	snprintf(c->st.detail, sizeof(c->st.detail), "%s %s: %s%s", what, c->o.tun, strerror(e),
		 e == EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
	log_warnx("0x%X ERROR_INSTALL_FAILURE: %s", WINERR_INSTALL_FAILURE, c->st.detail);
	/* EBUSY: another client runs on this TUN, and the state file is its own. */
	if (e != EBUSY)
		cl_publish(c, STFILE_STOPPED, 0);
	return -1;
}

/* The TUN with offloads unless --no-offload; a kernel that refuses them gets plain packets. */
static int cl_link_tun(struct cl *c, char name[IFNAMSIZ])
{
	struct tun_offload off;
	int fd;

	c->tun_vnet = false;
	if (c->o.no_offload)
		return tun_open(c->o.tun, name);
	fd = tun_open_offload(c->o.tun, name, &off);
	if (fd != -1 && !off.on)
		log_notice("tun %s: the kernel refused %s (%s): one packet per read", c->o.tun,
			   off.refused, strerror(off.err));
	c->tun_vnet = fd != -1 && off.on;
	/* Its slots are touched only by the flows that use them. */
	if (c->tun_vnet && !(c->gro = malloc(sizeof(*c->gro)))) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	if (c->gro)
		gro_init(c->gro, cl_gro_emit, c);
	return fd;
}

int cl_link_open(struct cl *c)
{
	char name[IFNAMSIZ];

	ev_timer_init(&c->ra_timer, cl_ra_timeout, c);
	c->tun_fd = cl_link_tun(c, name);
	if (c->tun_fd == -1)
		return cl_link_err(c, "cannot create TUN");
	/* Down (an existing persistent device may be up), MTU 1280 ([MS-IPHTTPS] §3.1.5.2), then
	   random interface identifiers through rtnetlink: the RS leaves at once on link up. */
	if (nl_link_set(c->o.tun, CL_MTU, false) == -1)
		return cl_link_err(c, "cannot set the MTU of");
	if (nl_link_addrgenmode(c->o.tun, IN6_ADDR_GEN_MODE_RANDOM) == -1)
		return cl_link_err(c, "cannot set addrgenmode random on");
	if (cl_link_sysctls(c) == -1)
		return cl_link_err(c, "cannot set the IPv6 sysctls of");
	if (ev_io_add(&c->loop, &c->tun_io, c->tun_fd, EPOLLIN, cl_tun_read, c) == -1)
		return cl_link_err(c, "epoll on");
	log_info("tun %s: mtu %d%s; the kernel does RS, SLAAC (random identifiers) and RA "
		 "routes%s",
		 c->o.tun, CL_MTU, c->tun_vnet ? ", TCP offloads (cut to the MTU here)" : "",
		 c->o.default_route ? ", default route included" : "");
	return 0;
}

void cl_link_close(struct cl *c)
{
	if (c->gro) {
		char d[160];

		gro_describe(c->gro, d, sizeof(d));
		log_info("tun %s, from the server: %s", c->o.tun, d);
	}
	free(c->gro);
	c->gro = NULL;
	if (c->tun_fd == -1)
		return;
	ev_io_del(&c->loop, &c->tun_io);
	close(c->tun_fd); /* not persistent: the device, its addresses and routes disappear */
	c->tun_fd = -1;
}
