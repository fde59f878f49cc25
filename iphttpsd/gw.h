/* SPDX-License-Identifier: ISC */
/*
 * gw: the unprivileged gateway process: one event loop that owns the listeners, the TUN device,
 * the link core, every client connection and the control socket. All state hangs off
 * struct gw; nothing is global, so several gateways (one per worker or per /64, issue #6) can
 * later run side by side in one process.
 */
#ifndef IPHTTPSD_GW_H
#define IPHTTPSD_GW_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "iphttpsd/gwconf.h"
#include "iphttpsd/gwfiles.h"
#include "lib/outq.h"
#include "lib/ev.h"
#include "lib/tls.h"
#include "proto/frame.h"
#include "proto/gro.h"
#include "proto/gso.h"
#include "proto/http1.h"
#include "proto/ident.h"
#include "proto/link.h"
#include "proto/srclim.h"

#define GW_READ_BUDGET	 (256 * 1024) /* bytes read from one client per wakeup, for fairness */
#define GW_TUN_BUDGET	 256	      /* reads from the TUN per wakeup */
#define GW_ACCEPT_BUDGET 64	      /* connections accepted per wakeup of one listener */
#define GW_RXBUF	 16384	      /* one TLS record of plaintext */
#define GW_CLOSE_GRACE	 2000	      /* ms to flush an error response before closing */
#define GW_ACCEPT_PAUSE	 1000	      /* ms without accepting after running out of fds */
#define GW_EXPIRY_CHECK	 (24u * 3600 * 1000) /* ms between certificate expiry warnings */
#define GW_REFUSE_LOG_MS 1000		     /* at most one refusal log line per this, per kind */
#define GW_TRIM_CHECK	 5000 /* ms between checks whether freed memory should go back */
#define GW_TRIM_CHURN	 1000 /* connections freed since the last trim that make one worth it */

enum gw_transport {
	GW_TLS = 0,
	GW_HTTP, /* plain HTTP behind a TLS-terminating balancer, spec §1.3 / §5.1 */
};

struct gw_counters {
	uint64_t accepted;
	uint64_t handshake_failed;
	uint64_t handshake_timeout;
	uint64_t head_timeout;
	uint64_t http_errors;
	uint64_t not_ipv6;
	uint64_t closed;
	uint64_t rejected_max;
	uint64_t refused_source_conn; /* max-conn-per-source */
	uint64_t refused_source_rate; /* handshake-rate */
	uint64_t refused_source_full; /* the per-source table was full */
	uint64_t null_reset;	      /* NULL-only ClientHello the profile refuses: TCP reset */
	uint64_t auth_refused;	      /* HTTP 403 by preauthentication */
	uint64_t forged_identity;     /* identity header / SSL TLV from an untrusted address */
	uint64_t proxy_untrusted;     /* connection to a proxy-protocol listener from elsewhere */
	uint64_t proxy_errors;	      /* malformed or timed-out PROXY v2 headers */
	uint64_t authenticated;	      /* tunnels up with an accepted identity */
	uint64_t tun_reads;	      /* reads from the TUN (with offloads, many packets each) */
	uint64_t tun_offload_errors;  /* TUN reads proto/gso refused, dropped */
};

/* Rate-limited logging of refusals that a flood can trigger by the thousand. */
struct gw_loglimit {
	uint64_t last_ms;
	uint64_t suppressed;
};

struct gw;

struct gw_listener {
	struct gw *gw;
	int fd;
	enum gw_transport transport;
	bool proxy_protocol; /* a PROXY v2 header first, only from trusted-proxy addresses */
	struct ev_io io;
	struct ev_timer pause; /* accepting paused after EMFILE/ENFILE, so epoll cannot spin */
};

struct client;
struct gwctl_conn;

struct gw {
	struct gwconf conf;
	struct ev_loop loop;
	struct link link;
	SSL_CTX *ssl_ctx;
	struct tls_cert_info cert; /* certs[0], kept for the older show fields */
	struct tls_cert_info certs[TLS_MAX_CERTS];
	size_t ncerts;
	struct ident_rules ident; /* client-name and client-names */
	struct srclim srclim;	  /* max-conn-per-source, handshake-rate */
	struct gw_loglimit log_source, log_proxy;
	struct ev_timer expiry_timer;
	struct ev_timer trim_timer; /* malloc_trim after churn (gw_trim_tick) */
	uint64_t freed;		    /* connections freed since the last trim */
	int tun_fd;
	bool tun_vnet; /* offloads on: reads are virtio header + super-packet (proto/gso) */
	/* Offloads on: packets toward the TUN are coalesced (proto/gro) while tun_batch, i.e.
	   during one client's read batch (gw_tun_batch_begin/end); allocated with the TUN. */
	struct gro *gro;
	bool tun_batch;
	struct ev_io tun_io;
	struct gw_listener listeners[2 * GWCONF_MAX_LISTEN];
	size_t nlisteners;
	int ctl_fd;
	struct ev_io ctl_io;
	struct gwctl_conn *ctls; /* open control connections */
	size_t nctl;
	int priv_fd; /* to the privileged parent: reload requests and answers */
	struct ev_io priv_io;
	struct client *clients;
	size_t nclients;
	struct client *dirty; /* clients to flush or read further after the batch */
	struct client *grave; /* closed clients, freed after the batch */
	uint64_t next_id;
	struct gw_counters cnt;
	struct outq_pool pool;
	struct ev_timer ra_timer;
	struct ev_timer nd_timer; /* neighbour resolution retransmissions and failures */
	struct http1_policy http;
	uint64_t start_ms;
	uint32_t worker; /* which of conf.workers this process is (gwconf_worker on reload) */
	bool stopping;
	bool failed;		   /* stopped by a fault (the TUN vanished...): exit non-zero */
	struct ev_timer ctl_pause; /* control accepts paused after EMFILE, like the listeners */
	uint8_t rxbuf[GW_RXBUF];
	uint8_t tunbuf[GSO_READ_MAX]; /* one TUN read with offloads */
	uint8_t segbuf[GSO_READ_MAX]; /* one packet of at most conf.mtu cut from it */
};

/* Everything the privileged parent hands over before dropping privileges. */
struct gw_setup {
	struct gwconf conf;
	int tun_fd;
	bool
	    tun_vnet; /* tun_fd was opened with offloads (conf.tun_offload, if the kernel agreed) */
	int listen_fd[2 * GWCONF_MAX_LISTEN];
	enum gw_transport listen_transport[2 * GWCONF_MAX_LISTEN];
	bool listen_proxy[2 * GWCONF_MAX_LISTEN];
	size_t nlisten;
	int ctl_fd;
	int priv_fd;
	uint32_t worker; /* 0 .. conf.workers - 1 */
	struct gwfiles files;
};

int gw_init(struct gw *gw, struct gw_setup *setup);
int gw_run(struct gw *gw);
void gw_free(struct gw *gw);
/*
 * Applies a new configuration and files on SIGHUP without dropping clients, except that a
 * changed Authentication Mode drops every client ([MS-IPHTTPS] §3.2.7.1). files NULL: keep
 * the TLS material.
 */
int gw_reload(struct gw *gw, const char *conf_text, size_t conf_len, const char *conf_name,
	      const struct gwfiles *files);
/* Schedules a client's output flush after the current batch (several packets per record). */
void gw_mark_dirty(struct gw *gw, struct client *c);
/* Around the packets of one batch of stream input toward the TUN: with offloads, TCP segments
   of one flow are merged (proto/gro) and whatever is held is written at the end. */
void gw_tun_batch_begin(struct gw *gw);
void gw_tun_batch_end(struct gw *gw);
/* Logs a refusal unless one of the same kind was logged within GW_REFUSE_LOG_MS. */
bool gw_log_allowed(struct gw *gw, struct gw_loglimit *l);

#endif
