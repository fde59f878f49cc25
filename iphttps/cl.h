/* SPDX-License-Identifier: ISC */
/*
 * cl: the IP-HTTPS client engine behind `iphttps connect`. One struct cl holds everything: the
 * event loop, the TUN device (made once, kept across reconnects), the connection of the
 * current attempt and the reconnect schedule. No globals.
 *
 * States, after [MS-IPHTTPS] §3.1.1 (LinkDown covers CL_IDLE..CL_TLS, Established is CL_HEAD):
 *   CL_IDLE   waiting for the next attempt (proto/backoff, §3.1.2.1)
 *   CL_TCP    non-blocking connect to the server or the proxy, bounded by CL_STEP_TIMEOUT_MS
 *   CL_PROXY  CONNECT sent to the HTTP proxy, reading its answer (§3.1.5.1)
 *   CL_TLS    TLS handshake, server verified against the URL host
 *   CL_HEAD   POST sent, reading the response head (§3.1.5.2)
 *   CL_UP     200 received (LinkUp): the TUN is up, packets flow both ways (§3.1.5.3)
 * Every failure goes through cl_fail: one log line with the Windows LastErrorCode, the state
 * file, then the NULL-cipher flip, --once, or the next attempt.
 *
 * Files: cl.c (life cycle, failures, schedule, signals, state file), cl_conn.c (an attempt up
 * to the 200, and the TLS/TCP byte I/O), cl_tls.c (the handshake and its error codes),
 * cl_link.c (the TUN, link up and down, the packet stream both ways), cl_ra.c (the pure Router
 * Advertisement check).
 */
#ifndef IPHTTPS_CL_H
#define IPHTTPS_CL_H

#include <net/if.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "iphttps/ppconf.h"
#include "iphttps/stfile.h"
#include "iphttps/url.h"
#include "lib/ev.h"
#include "lib/outq.h"
#include "proto/backoff.h"
#include "proto/frame.h"
#include "proto/gro.h"
#include "proto/gso.h"
#include "proto/http1.h"

#define CL_MTU		   1280	 /* [MS-IPHTTPS] §3.1.5.2 */
#define CL_STEP_TIMEOUT_MS 10000 /* TCP connect, proxy answer, TLS handshake, response head */
#define CL_RA_WAIT_MS	   10000 /* after link up, a missing usable RA is reported */
#define CL_QUICK_GAP_MS	   10000 /* at most one immediate reconnect after a loss per 10 s */
#define CL_KEEPALIVE_S	   30	 /* TCP keepalive idle time: under common NAT timeouts */
#define CL_USER_TIMEOUT_S  60	 /* TCP_USER_TIMEOUT: a dead gateway is noticed in about 60 s */
#define CL_READ_BUDGET	   (256 * 1024) /* bytes read from the server per wakeup */
#define CL_TUN_BUDGET	   256		/* reads from the TUN per wakeup */
#define CL_QUEUE_MAX	   (256 * 1024) /* bytes queued toward the server before drops */
#define CL_RXBUF	   16384	/* one TLS record of plaintext */
#define CL_MAX_ADDRS	   8		/* resolved addresses tried per attempt */
#define CL_REQ_MAX	   2048		/* a POST or CONNECT request head */
#define CL_B64_MAX	   700		/* Basic credentials of URL_CRED_MAX user and password */

enum cl_state {
	CL_IDLE = 0,
	CL_TCP,
	CL_PROXY,
	CL_TLS,
	CL_HEAD,
	CL_UP,
};

struct cl_opts {
	struct url url; /* the server */
	const char *url_text;
	bool have_proxy;
	struct url proxy;
	const char *ca_file, *cert_file, *key_file;
	bool null_ciphers;
	bool tls12_only; /* --tls-max 1.2 */
	char tun[IFNAMSIZ];
	bool default_route;
	bool no_offload; /* --no-offload: a plain TUN, one packet per read */
	uint32_t retry_base_s, retry_max_s;
	const char *state_dir;
	const char *portproxy_file;
	bool once;
};

/* Per connection; logged when it ends. */
struct cl_counters {
	uint64_t bytes_in, bytes_out;
	uint64_t packets_in, packets_out;
	uint64_t queue_full; /* TUN packets dropped: the queue toward the server was full */
	uint64_t tun_errors; /* packets the TUN did not take */
	uint64_t oversize;   /* packets from the server over the MTU, dropped */
	uint64_t ra_dropped; /* Router Advertisements refused by cl_ra_check */
	uint64_t before_up;  /* packets read from the TUN while the link was not up */
	uint64_t tun_reads;  /* reads from the TUN: packets_out / tun_reads is the offload gain */
	uint64_t gso_errors; /* TUN reads proto/gso refused (a malformed virtio header), dropped */
};

/* Why the last I/O call failed: filled by cl_read/cl_write when they return -1. */
struct cl_ioerr {
	uint32_t code;
	char why[160];
};

struct relay;

struct cl {
	struct cl_opts o;
	struct ev_loop loop;
	SSL_CTX *ctx_enc, *ctx_null;
	char proxy_b64[CL_B64_MAX]; /* Basic credentials for the proxy, "" for none */

	/* the current attempt */
	enum cl_state state;
	bool null_mode; /* this attempt offers the NULL suites (--null-ciphers, §3.4) */
	struct sockaddr_storage addrs[CL_MAX_ADDRS];
	socklen_t addrlens[CL_MAX_ADDRS];
	size_t naddrs, iaddr;
	int last_errno; /* of the last address that failed */
	char peer[64];	/* the address being tried, "192.0.2.1:443" */
	int fd;
	SSL *ssl;
	bool ssl_fatal; /* no close_notify after a fatal error (SSL_shutdown(3)) */
	struct ev_io io;
	bool io_on;
	struct ev_timer step;  /* the timeout of the current step */
	bool want_write;       /* TLS needs the socket writable to make progress */
	bool write_wants_read; /* SSL_write waits for input (renegotiation): no EPOLLOUT */
	bool read_more;	       /* the read budget ran out: continue after the batch */
	bool rx_drained;       /* the last read(2) on the socket came back short */
	bool dirty;	       /* output queued: flush after the batch */
	int alert;	       /* TLS alert received from the server, or -1 */
	bool cert_asked;       /* the server sent a CertificateRequest */
	uint8_t head[HTTP1_HEAD_MAX];
	size_t headlen;
	struct outq q;
	struct outq_pool pool;
	struct frame_rx rx;
	struct cl_counters cnt;
	struct cl_ioerr ioerr;
	uint64_t up_ms; /* when the link came up */

	/* the link */
	int tun_fd;
	bool tun_vnet; /* offloads on: reads are virtio header + super-packet (proto/gso) */
	/* Offloads on: the server's TCP segments are merged toward the TUN (proto/gro) while
	   tun_batch, i.e. during one cl_link_read; allocated with the TUN. */
	struct gro *gro;
	bool tun_batch;
	struct ev_io tun_io;
	struct ev_timer ra_timer;
	bool ra_ok; /* a usable RA arrived on this connection */

	/* reconnecting */
	struct backoff bo;
	struct ev_timer retry;
	uint32_t failures;
	bool quick_used; /* an immediate reconnect after a lost link happened, at quick_ms */
	uint64_t quick_ms;

	struct stfile st;
	bool st_warned;
	struct ppconf pp;
	struct relay *relay;
	int exit_code;
	uint8_t rxbuf[CL_RXBUF];
	uint8_t tunbuf[GSO_READ_MAX]; /* one TUN read with offloads */
	uint8_t segbuf[CL_MTU];	      /* one packet cut from it */
};

/* cl.c */
/* Sets everything up (TLS contexts, TUN, signals) and schedules the first attempt. 0 or -1. */
int cl_init(struct cl *c, const struct cl_opts *o);
/* Runs until SIGTERM/SIGINT, or the first failure with --once. Returns the exit status. */
int cl_run(struct cl *c);
void cl_free(struct cl *c);
/*
 * The current attempt or link failed with a Windows LastErrorCode: logs it, tears the
 * connection down, publishes the state and schedules what comes next. The caller returns at
 * once: the connection is gone.
 */
void cl_fail(struct cl *c, uint32_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes the state file for st (next_ms: delay to the next attempt in STFILE_BACKOFF). */
void cl_publish(struct cl *c, enum stfile_state st, uint64_t next_ms);

/* cl_conn.c */
void cl_conn_init(struct cl *c);
/* Starts an attempt: resolve, connect, proxy, TLS, POST. Failures go through cl_fail. */
void cl_conn_start(struct cl *c);
/* Closes the connection (close_notify when graceful), and the link if it was up. */
void cl_conn_close(struct cl *c, bool graceful);
/* Writes queued output and updates the events waited for. */
void cl_conn_flush(struct cl *c);
/* >0 bytes read, 0 would block, -1 failed (c->ioerr says why). */
long cl_conn_read(struct cl *c, uint8_t *buf, size_t len);
/* The socket's queue was emptied by the last read and TLS holds nothing: reading on would
   only return EAGAIN (epoll is level-triggered and reports what arrives later). */
bool cl_conn_drained(const struct cl *c);
/* Sends the POST ([MS-IPHTTPS] §3.1.5.2) on the tunnel (TLS done, or plain HTTP). */
void cl_conn_post(struct cl *c);

/* cl_tls.c */
/* Starts the TLS handshake on the connected socket (or the proxy's tunnel). */
void cl_tls_start(struct cl *c);
/* Drives the handshake on; on success sends the POST, on failure calls cl_fail. */
void cl_tls_step(struct cl *c);
/* The code of the server's fatal alert (c->alert >= 0); describes it in why. */
uint32_t cl_tls_alert(const struct cl *c, char *why, size_t len);

/* cl_link.c */
/* Creates the TUN and prepares the kernel's IPv6 host behaviour on it. 0 or -1 (logged). */
int cl_link_open(struct cl *c);
void cl_link_close(struct cl *c);
/* The 200 arrived: TUN up, relays, state file. leftover is the start of the stream. */
void cl_link_up(struct cl *c, const uint8_t *leftover, size_t len);
/* The connection ended: TUN down (the kernel forgets its addresses), relays stopped. */
void cl_link_down(struct cl *c);
/* Reads the stream from the server within the budget. */
void cl_link_read(struct cl *c);
/* SIGHUP: re-reads the port proxy file; a bad file keeps the running list. */
void cl_link_reload(struct cl *c);

#endif
