/* SPDX-License-Identifier: ISC */
/*
 * cl: the client's life cycle and its answer to every failure. An attempt starts from the retry
 * timer (never from inside a failing callback, so a teardown can never re-enter itself); its
 * failure is reported once, with the Windows LastErrorCode a Windows client would show, and
 * followed by exactly one of: the immediate encrypted retry of the NULL-cipher fallback
 * (ms-iphttps.md §3.4), the exit of --once, an immediate reconnect after a lost link
 * ([MS-IPHTTPS] §3.1.5.4), or the reconnect timer of §3.1.2.1.
 */
#include "iphttps/cl.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iphttps/relay.h"
#include "lib/log.h"
#include "lib/tls.h"
#include "proto/winerr.h"

/* ---- state file ---- */

void cl_publish(struct cl *c, enum stfile_state st, uint64_t next_ms)
{
	time_t now = time(NULL);

	c->st.state = st;
	c->st.since = now;
	c->st.next_attempt = st == STFILE_BACKOFF ? now + (time_t)((next_ms + 999) / 1000) : 0;
	c->st.failures = c->failures;
	if (stfile_write(c->o.state_dir, &c->st) == -1) {
		if (!c->st_warned)
			log_warn("cannot write the state file in %s", c->o.state_dir);
		c->st_warned = true;
		return;
	}
	c->st_warned = false;
}

/* ---- failures and the reconnect schedule ---- */

static void cl_schedule(struct cl *c, uint64_t delay_ms)
{
	c->state = CL_IDLE;
	ev_timer_start(&c->loop, &c->retry, delay_ms);
}

static void cl_retry_fire(struct ev_loop *loop, struct ev_timer *t)
{
	struct cl *c = t->arg;

	(void)loop;
	cl_conn_start(c);
}

/* "30 s", "2 min 5 s". */
static const char *cl_delay_str(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = (ms + 999) / 1000;

	if (s < 60)
		snprintf(buf, len, "%llu s", (unsigned long long)s);
	else if (s % 60 == 0)
		snprintf(buf, len, "%llu min", (unsigned long long)(s / 60));
	else
		snprintf(buf, len, "%llu min %llu s", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	return buf;
}

static void cl_stop(struct cl *c, const char *why)
{
	log_notice("stopping: %s", why);
	ev_timer_stop(&c->loop, &c->retry);
	cl_conn_close(c, true);
	c->st.next_attempt = 0;
	cl_publish(c, STFILE_STOPPED, 0);
	ev_stop(&c->loop);
}

/*
 * ms-iphttps.md §3.4 [WIN]: in NULL mode, a code Windows flips on makes the next try, at once,
 * with the encrypted list. Only failures up to the end of the TLS handshake are about ciphers.
 * Windows stays in NULL mode after a handshake_failure alert (0x80090326) and never connects to
 * a load balancer without the null suites; this client flips on that alert too.
 */
static bool cl_flips(const struct cl *c, enum cl_state failed_in, uint32_t code)
{
	return c->null_mode && failed_in <= CL_TLS &&
	       (winerr_flips_cipher(code) || winerr_alert_no_suite(c->alert, c->cert_asked));
}

/*
 * [MS-IPHTTPS] §3.1.5.4: a client that loses its link MUST reconnect. The first try goes at
 * once (and the state file says "connecting", not "backoff"); if it fails, the timer of
 * §3.1.2.1 runs. At most one such immediate try per CL_QUICK_GAP_MS, so a gateway that drops
 * every link right after its 200 gets the reconnect timer, not a loop of handshakes.
 */
static bool cl_reconnect_at_once(struct cl *c, enum cl_state was)
{
	uint64_t now = ev_now(&c->loop);

	if (was != CL_UP || (c->quick_used && now - c->quick_ms < CL_QUICK_GAP_MS))
		return false;
	c->quick_used = true;
	c->quick_ms = now;
	return true;
}

void cl_fail(struct cl *c, uint32_t code, const char *fmt, ...)
{
	enum cl_state was = c->state;
	const char *what = was == CL_UP ? "link lost" : "connect failed";
	char name[32], when[32];
	uint64_t delay;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->st.detail, sizeof(c->st.detail), fmt, ap);
	va_end(ap);
	c->st.last_error = code;
	winerr_name(code, name, sizeof(name));
	cl_conn_close(c, false);
	if (cl_flips(c, was, code)) {
		c->null_mode = false;
		log_warnx("%s: 0x%X %s: %s; retrying at once with encrypted cipher suites", what,
			  code, name, c->st.detail);
		cl_schedule(c, 0);
		return;
	}
	c->null_mode = c->o.null_ciphers; /* every scheduled attempt starts in NULL mode again */
	if (c->o.once) {
		c->failures++;
		log_warnx("%s: 0x%X %s: %s; exiting (--once)", what, code, name, c->st.detail);
		c->exit_code = 1;
		cl_stop(c, "--once");
		return;
	}
	if (cl_reconnect_at_once(c, was)) {
		log_warnx("%s: 0x%X %s: %s; reconnecting now", what, code, name, c->st.detail);
		cl_schedule(c, 0);
		return;
	}
	if (c->failures < UINT32_MAX)
		c->failures++;
	delay = backoff_failure(&c->bo, ev_now(&c->loop));
	log_warnx("%s: 0x%X %s: %s; next attempt in %s", what, code, name, c->st.detail,
		  cl_delay_str(delay, when, sizeof(when)));
	cl_publish(c, STFILE_BACKOFF, delay);
	cl_schedule(c, delay);
}

/* ---- the loop ---- */

static void cl_signal(struct ev_loop *loop, int signo, void *arg)
{
	struct cl *c = arg;

	(void)loop;
	if (signo == SIGHUP) {
		cl_link_reload(c);
		return;
	}
	cl_stop(c, signo == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* After each batch: reads cut short by the budget continue, queued packets leave together. */
static void cl_after(struct ev_loop *loop, void *arg)
{
	struct cl *c = arg;

	if (c->read_more && c->state == CL_UP) {
		c->read_more = false;
		cl_link_read(c);
	}
	if (c->dirty && c->state != CL_IDLE) {
		c->dirty = false;
		cl_conn_flush(c);
	}
	if (c->read_more && c->state == CL_UP)
		ev_no_wait(loop);
}

static int cl_tls_init(struct cl *c)
{
	struct tls_client_opts t = {.ca_file = c->o.ca_file,
				    .cert_file = c->o.cert_file,
				    .key_file = c->o.key_file,
				    .tls12_only = c->o.tls12_only};
	char err[TLS_ERRLEN];

	if (c->o.url.scheme != URL_HTTPS)
		return 0;
	if (!(c->ctx_enc = tls_client_ctx_new(&t, err, sizeof(err)))) {
		log_warnx("TLS: %s", err);
		return -1;
	}
	t.null_ciphers = true;
	if (c->o.null_ciphers && !(c->ctx_null = tls_client_ctx_new(&t, err, sizeof(err)))) {
		log_warnx("TLS (NULL cipher suites): %s", err);
		return -1;
	}
	return 0;
}

static int cl_proxy_init(struct cl *c)
{
	const struct url *p = &c->o.proxy;

	if (!c->o.have_proxy || !p->has_cred)
		return 0;
	if (http1_basic_credentials(p->user, p->pass, c->proxy_b64, sizeof(c->proxy_b64)) == 0) {
		log_warnx("proxy: cannot encode the user name and password as Basic credentials");
		return -1;
	}
	return 0;
}

static void cl_state_init(struct cl *c)
{
	snprintf(c->st.interface, sizeof(c->st.interface), "%s", c->o.tun);
	if (url_format(&c->o.url, c->st.url, sizeof(c->st.url)) == 0)
		snprintf(c->st.url, sizeof(c->st.url), "%s", c->o.url_text);
	if (c->o.have_proxy && url_format(&c->o.proxy, c->st.proxy, sizeof(c->st.proxy)) == 0)
		snprintf(c->st.proxy, sizeof(c->st.proxy), "(too long)");
	c->st.pid = (int)getpid();
}

static int cl_signals(struct cl *c)
{
	signal(SIGPIPE, SIG_IGN);
	if (ev_signal_add(&c->loop, SIGTERM, cl_signal, c) == -1 ||
	    ev_signal_add(&c->loop, SIGINT, cl_signal, c) == -1 ||
	    ev_signal_add(&c->loop, SIGHUP, cl_signal, c) == -1) {
		log_warn("signals");
		return -1;
	}
	return 0;
}

int cl_init(struct cl *c, const struct cl_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->loop.epfd = c->loop.sigfd = -1; /* cl_free is safe whatever failed below */
	c->o = *o;
	c->o.null_ciphers = o->null_ciphers && o->url.scheme == URL_HTTPS; /* no TLS, no suites */
	c->fd = c->tun_fd = -1;
	c->alert = -1;
	c->null_mode = c->o.null_ciphers;
	outq_init(&c->q);
	frame_rx_init(&c->rx, CL_MTU);
	backoff_init(&c->bo, o->retry_base_s * 1000, o->retry_max_s * 1000);
	ev_timer_init(&c->retry, cl_retry_fire, c);
	cl_conn_init(c);
	cl_state_init(c);
	if (ev_init(&c->loop) == -1) {
		log_warn("epoll");
		return -1;
	}
	if (cl_tls_init(c) == -1 || cl_proxy_init(c) == -1)
		return -1;
	if (ppconf_load(o->portproxy_file, &c->pp) == -1) {
		log_warnx("port proxies: %s is not usable; fix it or give --portproxy-file",
			  o->portproxy_file);
		return -1;
	}
	if (cl_signals(c) == -1 || cl_link_open(c) == -1)
		return -1;
	ev_set_after(&c->loop, cl_after, c);
	cl_schedule(c, 0);
	return 0;
}

int cl_run(struct cl *c)
{
	char url[600];

	log_notice("iphttps connect %s: tun %s, %s%s%s", c->st.url, c->o.tun,
		   c->o.url.scheme == URL_HTTP ? "plain HTTP"
		   : c->o.null_ciphers	       ? "TLS, NULL cipher suites first"
					       : "TLS",
		   c->o.have_proxy ? ", proxy " : "",
		   c->o.have_proxy && url_format(&c->o.proxy, url, sizeof(url)) ? url : "");
	if (ev_run(&c->loop) == -1) {
		log_warn("event loop");
		return 1;
	}
	return c->exit_code;
}

void cl_free(struct cl *c)
{
	if (c->state != CL_IDLE)
		cl_conn_close(c, true);
	ev_timer_stop(&c->loop, &c->retry);
	cl_link_close(c);
	frame_rx_free(&c->rx);
	outq_clear(&c->q, &c->pool);
	outq_pool_free(&c->pool);
	SSL_CTX_free(c->ctx_enc);
	SSL_CTX_free(c->ctx_null);
	ev_free(&c->loop);
	explicit_bzero(c->proxy_b64, sizeof(c->proxy_b64));
	explicit_bzero(c->o.proxy.pass, sizeof(c->o.proxy.pass));
}
