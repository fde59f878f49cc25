/* SPDX-License-Identifier: ISC */
/*
 * loadgen: the IP-HTTPS load generator of the benchmarks (issue #6). Opens N tunnels to a
 * gateway from several local source addresses, each one the way a client does it ([MS-IPHTTPS]
 * §3.1.5): TCP connect, TLS, the POST (§3.1.5.2), the 200 response head, a Router Solicitation
 * from :: to ff02::2 (RFC 4861 §6.3.7) and the Router Advertisement that answers it (checked
 * with iphttps/cl_ra). A tunnel counts as up once its RA has arrived. Then it holds the tunnels
 * idle (reading and discarding what the gateway sends, answering nothing) or keeps them all up,
 * reconnecting those that drop, and reports one JSON line of counters and timings.
 *
 * One epoll loop (lib/ev), non-blocking sockets, no threads. A tunnel costs its struct (160
 * bytes) plus the OpenSSL object with released buffers (about 16 KB with OpenSSL 3.0, measured
 * after the handshake; each TLS 1.3 session ticket the gateway sends adds about 8 KB), a queue
 * slot and the kernel's socket; the buffers it needs only on the way up (the response head, the
 * de-framer's reassembly buffer) are freed once it is up. Does not: carry traffic through the
 * tunnels, answer Neighbor Solicitations, present a client certificate, use a proxy, or resolve
 * names.
 *
 * Files: loadgen.c (main, the TLS context, the schedule: queue, concurrency, rate, phases,
 * signals), loadgen_opt.c (the command line), loadgen_tun.c (one tunnel's steps),
 * loadgen_stats.c (the JSON line, percentiles, RSS, the ready file).
 */
#ifndef BENCH_LOADGEN_H
#define BENCH_LOADGEN_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/ev.h"
#include "proto/frame.h"

#define LOADGEN_MAX_SRC	  65536 /* source addresses in --src / --src-range */
#define LOADGEN_FD_SLACK  64	/* descriptors beside the tunnels: epoll, signalfd, stdio, files */
#define LOADGEN_RXBUF	  16384 /* one TLS record of plaintext (RFC 8446 §5.1) */
#define LOADGEN_READS	  64	/* SSL_read calls per tunnel per wakeup */
#define LOADGEN_LOG_FIRST 3	/* failures of each kind logged in full; the others at debug */
#define LOADGEN_MTU	  1280	/* [MS-IPHTTPS] §3.1.5.2: the link MTU, enough for any RA */
#define LOADGEN_REQ_MAX	  1024	/* the POST head */

enum loadgen_state {
	LOADGEN_QUEUED = 0, /* waiting for a slot (--inflight) and a token (--rate) */
	LOADGEN_TCP,	    /* non-blocking connect */
	LOADGEN_TLS,	    /* SSL_connect */
	LOADGEN_POST,	    /* writing the POST */
	LOADGEN_HEAD,	    /* reading the response head */
	LOADGEN_RS,	    /* writing the Router Solicitation */
	LOADGEN_RA,	    /* waiting for the Router Advertisement */
	LOADGEN_UP,	    /* the RA arrived: held, reading and discarding */
	LOADGEN_WAIT,	    /* --reconnect: failed, queued again after --retry-ms */
	LOADGEN_DONE,	    /* failed or dropped and not retried */
};

enum loadgen_fail {
	LOADGEN_F_TCP = 0, /* socket, bind, connect */
	LOADGEN_F_TLS,	   /* the handshake, certificate verification */
	LOADGEN_F_HTTP,	   /* writing the POST, the response head, a status other than 200 */
	LOADGEN_F_RA,	   /* writing the RS, a stream that is not IPv6, a bad RA, closed before */
	LOADGEN_F_TIMEOUT, /* a step took longer than --timeout */
	LOADGEN_F_COUNT,
};

enum loadgen_phase {
	LOADGEN_RAMP = 0, /* opening the tunnels */
	LOADGEN_HOLD,	  /* all up (or failed): holding, or keeping them up with --reconnect */
	LOADGEN_END,	  /* closing */
};

struct loadgen_opts {
	struct sockaddr_storage gw; /* --connect */
	socklen_t gwlen;
	char gwtext[64];	/* its address without brackets, for the certificate check */
	char host[300];		/* the Host header: --host, --name or the address */
	const char *name;	/* --name: SNI and the name the certificate must bear */
	const char *path;	/* --path */
	const char *ca_file;	/* --ca */
	bool insecure;		/* --insecure: no certificate check */
	int tls_version;	/* --tls: 0 (1.2 or 1.3), TLS1_2_VERSION or TLS1_3_VERSION */
	const char *cipher;	/* --cipher */
	uint32_t count;		/* -n */
	uint32_t inflight;	/* --inflight */
	double rate;		/* --rate, tunnels per second; 0: as fast as --inflight allows */
	uint32_t timeout_ms;	/* --timeout, per step */
	int64_t hold_s;		/* --hold; -1: not given */
	bool reconnect;		/* --reconnect */
	uint32_t retry_ms;	/* --retry-ms */
	uint32_t stats_every_s; /* --stats-every; 0: none */
	uint32_t max_time_s;	/* --max-time; 0: none */
	const char *ready_file; /* --ready-file */
	struct sockaddr_storage *src; /* --src, --src-range */
	size_t nsrc;
	int verbose;
};

struct loadgen_tun {
	struct ev_io io;       /* io.fd is the socket, -1 when closed */
	struct ev_timer timer; /* the step's timeout, or the retry delay in LOADGEN_WAIT */
	struct loadgen *lg;
	SSL *ssl;
	uint8_t *head;	    /* the response head (HTTP1_HEAD_MAX) from LOADGEN_HEAD to LOADGEN_RA */
	struct frame_rx rx; /* the IPv6 stream until the RA; its buffer is freed once up */
	uint64_t t0_us;	    /* start of the current attempt */
	uint32_t hs_us;	    /* the last attempt that came up: connect to RA, microseconds */
	uint16_t headlen;   /* bytes in head */
	uint16_t headoff;   /* where the stream starts in head, after the 200 */
	uint8_t state;	    /* enum loadgen_state */
	uint8_t ra_bad;	    /* enum cl_ra_verdict of a refused RA, 0 while none */
	bool want_write;    /* OpenSSL waits for the socket to be writable */
	bool got_ra;	    /* an acceptable RA arrived in the last bytes fed */
	bool ever_up;	    /* came up at least once (the ramp's rate counts first ups) */
};

struct loadgen {
	struct loadgen_opts o;
	struct ev_loop loop;
	SSL_CTX *ctx;
	struct loadgen_tun *tun; /* o.count of them */
	uint32_t *queue;	 /* ring of tunnel indices in LOADGEN_QUEUED */
	uint32_t qhead, qlen;
	uint32_t next_src; /* round-robin over o.src */
	uint32_t inflight; /* tunnels between LOADGEN_TCP and LOADGEN_RA */
	uint32_t up;	   /* tunnels in LOADGEN_UP */
	uint32_t done;	   /* tunnels in LOADGEN_DONE */
	uint64_t attempts; /* connects started */
	uint64_t failed;   /* attempts that failed (the sum of failures[]) */
	uint64_t failures[LOADGEN_F_COUNT];
	uint64_t dropped; /* up tunnels that the gateway closed */
	double tokens;	  /* --rate: token bucket */
	uint64_t tok_us;
	struct ev_timer pace;  /* the next token */
	struct ev_timer hold;  /* end of --hold */
	struct ev_timer stats; /* --stats-every */
	struct ev_timer limit; /* --max-time */
	enum loadgen_phase phase;
	uint64_t t_start_us;   /* the first connect */
	uint64_t t_last_up_us; /* the last first-time up */
	uint32_t first_ups;    /* tunnels that came up at least once */
	uint64_t rss_base_kb;  /* before the tunnels were allocated */
	bool outage;	       /* --reconnect: fewer than N up since outage_us */
	uint64_t outage_us;
	int64_t back_ms; /* the last outage's length; -1: none yet */
	uint32_t outages;
	bool back_pending; /* all back: report in the after-batch hook */
	int exit_code;
	uint8_t rxbuf[LOADGEN_RXBUF]; /* shared by every tunnel: read, de-framed, discarded */
};

/* loadgen.c: what a tunnel reports to the schedule. */
uint64_t loadgen_now_us(void);
void loadgen_on_up(struct loadgen *lg, struct loadgen_tun *t);
void loadgen_on_fail(struct loadgen *lg, struct loadgen_tun *t, enum loadgen_fail kind,
		     const char *step, const char *why);
void loadgen_on_drop(struct loadgen *lg, struct loadgen_tun *t, const char *why);
void loadgen_on_retry(struct loadgen *lg, struct loadgen_tun *t);

/* loadgen_opt.c: 0 to run, 1 after --help, -1 on a usage error (already reported). */
int loadgen_opt_parse(int argc, char **argv, struct loadgen_opts *o);
void loadgen_opt_free(struct loadgen_opts *o);

/* loadgen_tun.c */
void loadgen_tun_init(struct loadgen *lg, struct loadgen_tun *t);
/* Starts an attempt: the tunnel must be closed. Failures come back through loadgen_on_fail. */
void loadgen_tun_start(struct loadgen_tun *t);
/* Closes whatever the tunnel holds; close_notify first when it is up. State unchanged. */
void loadgen_tun_close(struct loadgen_tun *t);
const char *loadgen_tun_state_str(enum loadgen_state st);

/* loadgen_stats.c: one JSON object and a newline on stdout, flushed; phase as given. */
void loadgen_stats_print(struct loadgen *lg, const char *phase);
/* The same line into o.ready_file (written beside it, then renamed). */
void loadgen_stats_ready(struct loadgen *lg);
uint64_t loadgen_stats_rss_kb(void);

#endif
