/* SPDX-License-Identifier: ISC */
/*
 * client: one IP-HTTPS connection through its life: TLS handshake, the request head
 * ([MS-IPHTTPS] §3.2.5.1), then the two never-ending bodies carrying IPv6 packets (§3.2.5.2).
 * Packets go to and from the link core; bytes go through a bounded output queue.
 */
#ifndef IPHTTPSD_CLIENT_H
#define IPHTTPSD_CLIENT_H

#include "iphttpsd/authz.h"
#include "iphttpsd/gw.h"
#include "proto/proxy2.h"

enum client_state {
	CLIENT_PROXY = 0, /* reading the PROXY v2 header of a proxy-protocol listener */
	CLIENT_HANDSHAKE,
	CLIENT_HEAD,
	CLIENT_UP,
	CLIENT_CLOSING, /* flushing an error response, then close */
};

/* What the connection's setup learns for the authorization decision; freed once it is made. */
struct client_auth {
	struct tls_peer tls;
	bool pp_ssl_cert;
	uint32_t pp_ssl_verify;
	char pp_cn[PROXY2_CN_MAX];
};

struct client {
	struct gw *gw;
	uint64_t id;
	int fd;
	SSL *ssl; /* NULL for the plain-HTTP transport */
	enum gw_transport transport;
	enum client_state state;
	struct ev_io io;
	struct ev_timer timer;
	struct sockaddr_storage remote;	  /* the client: the TCP peer, or a PROXY v2 source */
	struct sockaddr_storage tcp_peer; /* the TCP peer (a balancer when proxied) */
	bool trusted;			  /* peer is a trusted-proxy address */
	bool proxied;			  /* accepted on a proxy-protocol listener */
	bool reset;			  /* close with a TCP reset (SO_LINGER 0), no FIN */
	bool src_held;			  /* counted in gw->srclim under src */
	struct srclim_key src;
	struct client_auth *auth; /* until the request head is decided */
	char *identity;		  /* the accepted identity, NULL when unauthenticated */
	enum authz_via via;
	uint8_t *head; /* the request head while in CLIENT_HEAD, HTTP1_HEAD_MAX bytes */
	size_t headlen;
	struct frame_rx rx;
	struct link_peer peer;
	struct outq q;
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
	uint64_t start_ms;
	bool want_write; /* TLS needs the socket writable to make progress */
	bool read_more;	 /* the read budget ran out with data left: continue after the batch */
	bool rx_drained; /* the last read(2) on the socket came back short: its queue was empty */
	bool in_dirty;	 /* on gw->dirty: output queued, flush after the batch */
	bool dead;
	struct client *prev, *next; /* gw->clients */
	struct client *dirty_next;  /* gw->dirty */
};

void client_accept(struct gw *gw, int fd, const struct sockaddr_storage *ss,
		   const struct gw_listener *l);
/* Tears the connection down at once; the object is freed after the current batch. */
void client_close(struct client *c, const char *why);
/* Queues one packet toward the client; -1 if its queue is full or it is not up. */
int client_queue(struct client *c, const uint8_t *pkt, size_t len);
void client_flush(struct client *c);
/* Continues reading after the per-wakeup budget ran out. */
void client_continue_read(struct client *c);
const char *client_state_name(enum client_state st);
void client_free(struct client *c);

#endif
