/* SPDX-License-Identifier: ISC */
/*
 * loadgen: main and the schedule. Tunnels wait in a FIFO and start while fewer than --inflight
 * are between connect and RA and, with --rate, while the token bucket has a token. The ramp
 * ends when every tunnel is up or has failed (with --reconnect: when all are up); then the
 * run ends, or holds for --hold seconds, or, with --reconnect, keeps every tunnel up and
 * measures how long an outage (fewer than N up) lasts until all N are back (back_ms).
 * SIGTERM and SIGINT end the run at any point with the final line. Does not: spread the
 * tunnels over threads or processes (one core is the generator's budget; run several).
 */
#include "bench/loadgen.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "lib/log.h"
#include "lib/tls.h"

#define LOADGEN_BURST_S 0.05 /* --rate: at most 50 ms worth of tunnels start at once */

uint64_t loadgen_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the queue ---- */

static void loadgen_push(struct loadgen *lg, struct loadgen_tun *t)
{
	/* Each tunnel is queued at most once (its state says so), so count slots suffice. */
	lg->queue[(lg->qhead + lg->qlen) % lg->o.count] = (uint32_t)(t - lg->tun);
	lg->qlen++;
	t->state = LOADGEN_QUEUED;
}

static struct loadgen_tun *loadgen_pop(struct loadgen *lg)
{
	struct loadgen_tun *t = &lg->tun[lg->queue[lg->qhead]];

	lg->qhead = (lg->qhead + 1) % lg->o.count;
	lg->qlen--;
	return t;
}

/* --rate: a token bucket refilled at rate per second, holding at most 50 ms worth. */
static bool loadgen_token(struct loadgen *lg)
{
	uint64_t now = loadgen_now_us();
	double cap = lg->o.rate * LOADGEN_BURST_S < 1 ? 1 : lg->o.rate * LOADGEN_BURST_S;
	double wait_ms;

	if (lg->o.rate <= 0)
		return true;
	lg->tokens += (double)(now - lg->tok_us) * lg->o.rate / 1e6;
	lg->tok_us = now;
	if (lg->tokens > cap)
		lg->tokens = cap;
	if (lg->tokens >= 1) {
		lg->tokens -= 1;
		return true;
	}
	if (!ev_timer_active(&lg->pace)) {
		wait_ms = (1 - lg->tokens) * 1000 / lg->o.rate;
		ev_timer_start(&lg->loop, &lg->pace, wait_ms < 1 ? 1 : (uint64_t)wait_ms + 1);
	}
	return false;
}

/* Starts queued tunnels while the limits allow; bounded by the queue's length. */
static void loadgen_kick(struct loadgen *lg)
{
	uint32_t budget = lg->qlen;

	if (lg->phase == LOADGEN_END)
		return;
	while (budget-- > 0 && lg->qlen > 0 && lg->inflight < lg->o.inflight && loadgen_token(lg)) {
		struct loadgen_tun *t = loadgen_pop(lg);

		if (lg->attempts++ == 0)
			lg->t_start_us = loadgen_now_us();
		lg->inflight++;
		loadgen_tun_start(t);
	}
}

static void loadgen_pace(struct ev_loop *loop, struct ev_timer *tm)
{
	(void)loop;
	loadgen_kick(tm->arg);
}

/* ---- what the tunnels report ---- */

void loadgen_on_up(struct loadgen *lg, struct loadgen_tun *t)
{
	lg->inflight--;
	lg->up++;
	if (!t->ever_up) {
		t->ever_up = true;
		lg->first_ups++;
		lg->t_last_up_us = loadgen_now_us();
	}
	if (lg->outage && lg->up == lg->o.count) {
		lg->back_ms = (int64_t)((loadgen_now_us() - lg->outage_us) / 1000);
		lg->outage = false;
		lg->outages++;
		lg->back_pending = true;
	}
}

static bool loadgen_log_first(uint64_t n)
{
	return n <= LOADGEN_LOG_FIRST;
}

void loadgen_on_fail(struct loadgen *lg, struct loadgen_tun *t, enum loadgen_fail kind,
		     const char *step, const char *why)
{
	static const char *const names[LOADGEN_F_COUNT] = {"tcp", "tls", "http", "ra", "timeout"};
	uint64_t n = ++lg->failures[kind];

	lg->inflight--;
	lg->failed++;
	if (loadgen_log_first(n))
		log_warnx("tunnel %zu: %s failure (%s): %s%s", (size_t)(t - lg->tun), names[kind],
			  step, why, n == LOADGEN_LOG_FIRST ? " (more of these at debug)" : "");
	else
		log_debug("tunnel %zu: %s failure (%s): %s", (size_t)(t - lg->tun), names[kind],
			  step, why);
	if (lg->o.reconnect && lg->phase != LOADGEN_END) {
		t->state = LOADGEN_WAIT;
		ev_timer_start(&lg->loop, &t->timer, lg->o.retry_ms);
	} else {
		t->state = LOADGEN_DONE;
		lg->done++;
	}
}

void loadgen_on_drop(struct loadgen *lg, struct loadgen_tun *t, const char *why)
{
	if (lg->o.reconnect && lg->phase == LOADGEN_HOLD && lg->up == lg->o.count) {
		lg->outage = true;
		lg->outage_us = loadgen_now_us();
	}
	lg->up--;
	if (loadgen_log_first(++lg->dropped))
		log_warnx("tunnel %zu dropped: %s%s", (size_t)(t - lg->tun), why,
			  lg->dropped == LOADGEN_LOG_FIRST ? " (more of these at debug)" : "");
	else
		log_debug("tunnel %zu dropped: %s", (size_t)(t - lg->tun), why);
	if (lg->o.reconnect && lg->phase != LOADGEN_END) {
		loadgen_push(lg, t); /* at once: --rate and --inflight bound the storm */
	} else {
		t->state = LOADGEN_DONE;
		lg->done++;
	}
}

void loadgen_on_retry(struct loadgen *lg, struct loadgen_tun *t)
{
	loadgen_push(lg, t);
}

/* ---- phases ---- */

static void loadgen_finish(struct loadgen *lg)
{
	if (lg->phase == LOADGEN_END)
		return;
	lg->exit_code = lg->up == lg->o.count ? 0 : 1;
	loadgen_stats_print(lg, "end");
	lg->phase = LOADGEN_END;
	for (uint32_t i = 0; i < lg->o.count; i++)
		loadgen_tun_close(&lg->tun[i]);
	ev_stop(&lg->loop);
}

static void loadgen_timer_finish(struct ev_loop *loop, struct ev_timer *tm)
{
	struct loadgen *lg = tm->arg;

	(void)loop;
	if (tm == &lg->limit)
		log_notice("--max-time reached");
	loadgen_finish(lg);
}

static void loadgen_stats_tick(struct ev_loop *loop, struct ev_timer *tm)
{
	struct loadgen *lg = tm->arg;

	loadgen_stats_print(lg, lg->phase == LOADGEN_RAMP ? "ramp" : "hold");
	ev_timer_start(loop, tm, (uint64_t)lg->o.stats_every_s * 1000);
}

static void loadgen_ramp_done(struct loadgen *lg)
{
	lg->phase = LOADGEN_HOLD;
	log_info("ramp done: %u of %u up, %llu failed", lg->up, lg->o.count,
		 (unsigned long long)lg->failed);
	if (lg->o.hold_s < 0 && !lg->o.reconnect) {
		loadgen_finish(lg);
		return;
	}
	loadgen_stats_print(lg, "hold");
	loadgen_stats_ready(lg);
	if (lg->o.hold_s > 0)
		ev_timer_start(&lg->loop, &lg->hold, (uint64_t)lg->o.hold_s * 1000);
	else if (!lg->o.reconnect)
		loadgen_finish(lg); /* --hold 0 */
}

static void loadgen_after(struct ev_loop *loop, void *arg)
{
	struct loadgen *lg = arg;
	bool settled;

	(void)loop;
	if (lg->phase == LOADGEN_END)
		return;
	loadgen_kick(lg);
	settled = lg->o.reconnect ? lg->up == lg->o.count : lg->up + lg->done == lg->o.count;
	if (lg->phase == LOADGEN_RAMP && settled)
		loadgen_ramp_done(lg);
	if (lg->back_pending && lg->phase == LOADGEN_HOLD) {
		lg->back_pending = false;
		log_info("all %u back after %lld ms", lg->o.count, (long long)lg->back_ms);
		loadgen_stats_print(lg, "back");
		loadgen_stats_ready(lg);
	}
}

static void loadgen_signal(struct ev_loop *loop, int signo, void *arg)
{
	(void)loop;
	log_info("signal %d: closing", signo);
	loadgen_finish(arg);
}

/* ---- set-up ---- */

/* Every tunnel is a descriptor: take the hard limit, and as root raise it (fs.nr_open caps it)
   when N does not fit. */
static int loadgen_nofile(uint32_t count)
{
	rlim_t need = (rlim_t)count + LOADGEN_FD_SLACK;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit");
		return -1;
	}
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		struct rlimit want = {need, need};

		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			return 0;
		log_warn("%u tunnels need %llu descriptors, but RLIMIT_NOFILE's hard limit is %llu "
			 "and cannot be raised (run as root, or raise fs.nr_open / ulimit -Hn)",
			 count, (unsigned long long)need, (unsigned long long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("setrlimit RLIMIT_NOFILE");
		return -1;
	}
	return 0;
}

static int loadgen_ctx_verify(struct loadgen *lg)
{
	X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(lg->ctx);
	const struct loadgen_opts *o = &lg->o;

	if (o->insecure) {
		SSL_CTX_set_verify(lg->ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	SSL_CTX_set_verify(lg->ctx, SSL_VERIFY_PEER, NULL);
	if (o->ca_file ? SSL_CTX_load_verify_locations(lg->ctx, o->ca_file, NULL) != 1
		       : SSL_CTX_set_default_verify_paths(lg->ctx) != 1)
		return -1;
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	/* The certificate must bear --name, or else the address connected to (RFC 6125 §6). */
	if (o->name)
		return X509_VERIFY_PARAM_set1_host(vp, o->name, 0) == 1 ? 0 : -1;
	return X509_VERIFY_PARAM_set1_ip_asc(vp, o->gwtext) == 1 ? 0 : -1;
}

static int loadgen_ctx(struct loadgen *lg)
{
	const struct loadgen_opts *o = &lg->o;
	char err[TLS_ERRLEN];
	int min = o->tls_version ? o->tls_version : TLS1_2_VERSION;

	lg->ctx = SSL_CTX_new(TLS_client_method());
	if (!lg->ctx || SSL_CTX_set_min_proto_version(lg->ctx, min) != 1 ||
	    SSL_CTX_set_max_proto_version(lg->ctx, o->tls_version) != 1)
		goto fail;
	/* About 13 KB per idle connection instead of about 46 KB (anchors.md §7.2): the held
	   tunnels are the point of the exercise. Moving buffers: a retried write is rebuilt. */
	SSL_CTX_set_mode(lg->ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(lg->ctx, SSL_SESS_CACHE_OFF);
	if (o->cipher) {
		/* NULL-SHA256 and NULL-SHA offer no encryption: OpenSSL refuses them above level 0.
		 */
		SSL_CTX_set_security_level(lg->ctx, 0);
		if (o->tls_version == TLS1_3_VERSION
			? SSL_CTX_set_ciphersuites(lg->ctx, o->cipher) != 1
			: SSL_CTX_set_cipher_list(lg->ctx, o->cipher) != 1)
			goto fail;
	}
	if (loadgen_ctx_verify(lg) == -1)
		goto fail;
	return 0;
fail:
	log_warnx("TLS context: %s", tls_errors(err, sizeof(err)));
	return -1;
}

static int loadgen_setup(struct loadgen *lg)
{
	if (loadgen_nofile(lg->o.count) == -1 || loadgen_ctx(lg) == -1)
		return -1;
	if (ev_init(&lg->loop) == -1) {
		log_warn("epoll");
		return -1;
	}
	lg->rss_base_kb = loadgen_stats_rss_kb();
	lg->tun = calloc(lg->o.count, sizeof(*lg->tun));
	lg->queue = calloc(lg->o.count, sizeof(*lg->queue));
	if (!lg->tun || !lg->queue) {
		log_warnx("out of memory for %u tunnels", lg->o.count);
		return -1;
	}
	for (uint32_t i = 0; i < lg->o.count; i++) {
		loadgen_tun_init(lg, &lg->tun[i]);
		loadgen_push(lg, &lg->tun[i]);
	}
	ev_timer_init(&lg->pace, loadgen_pace, lg);
	ev_timer_init(&lg->hold, loadgen_timer_finish, lg);
	ev_timer_init(&lg->limit, loadgen_timer_finish, lg);
	ev_timer_init(&lg->stats, loadgen_stats_tick, lg);
	lg->tok_us = loadgen_now_us();
	lg->back_ms = -1;
	ev_set_after(&lg->loop, loadgen_after, lg);
	/* A write to a connection the gateway reset must fail with EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (ev_signal_add(&lg->loop, SIGTERM, loadgen_signal, lg) == -1 ||
	    ev_signal_add(&lg->loop, SIGINT, loadgen_signal, lg) == -1) {
		log_warn("signalfd");
		return -1;
	}
	if (lg->o.stats_every_s)
		ev_timer_start(&lg->loop, &lg->stats, (uint64_t)lg->o.stats_every_s * 1000);
	if (lg->o.max_time_s)
		ev_timer_start(&lg->loop, &lg->limit, (uint64_t)lg->o.max_time_s * 1000);
	return 0;
}

static void loadgen_free(struct loadgen *lg)
{
	if (lg->tun)
		for (uint32_t i = 0; i < lg->o.count; i++)
			loadgen_tun_close(&lg->tun[i]);
	free(lg->tun);
	free(lg->queue);
	if (lg->loop.epfd != -1)
		ev_free(&lg->loop);
	SSL_CTX_free(lg->ctx);
	loadgen_opt_free(&lg->o);
}

int main(int argc, char **argv)
{
	struct loadgen *lg = calloc(1, sizeof(*lg));
	int rc;

	if (!lg) {
		fprintf(stderr, "loadgen: out of memory\n");
		return 2;
	}
	rc = loadgen_opt_parse(argc, argv, &lg->o);
	if (rc != 0) {
		loadgen_opt_free(&lg->o);
		free(lg);
		return rc > 0 ? 0 : 2;
	}
	log_init("loadgen", false,
		 lg->o.verbose >= 2   ? LOG_LVL_DEBUG
		 : lg->o.verbose == 1 ? LOG_LVL_INFO
				      : LOG_LVL_NOTICE);
	lg->loop.epfd = -1;
	if (loadgen_setup(lg) == -1) {
		loadgen_free(lg);
		free(lg);
		return 2;
	}
	/* The first batch of connects starts from the after-batch hook of the first round. */
	loadgen_kick(lg);
	if (ev_run(&lg->loop) == -1) {
		log_warn("epoll_wait");
		lg->exit_code = 2;
	}
	rc = lg->exit_code;
	loadgen_free(lg);
	free(lg);
	return rc;
}
