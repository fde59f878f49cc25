/* SPDX-License-Identifier: ISC */
/*
 * probe_net: the network steps of `iphttps probe` below TLS: name resolution (getaddrinfo,
 * ms-iphttps.md §5.5 0x2AF9/0x2AFC), a TCP connect with a deadline that tells a refusal (RST:
 * 0x274D) from silence (a firewall dropping: 0x274C), and the CONNECT tunnel through an HTTP
 * proxy (RFC 9110 §9.3.6, §4.3), where the proxy resolves the name. Sockets are non-blocking and
 * every wait is a poll() bounded by --timeout, so no step can hang.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iphttps/probe.h"
#include "lib/addr.h"
#include "lib/log.h"
#include "proto/http1.h"

uint64_t probe_net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int probe_net_wait(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	uint64_t end = probe_net_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	int r;

	for (;;) {
		uint64_t now = probe_net_now_ms();

		r = poll(&pfd, 1, now >= end ? 0 : (int)(end - now));
		if (r >= 0 || errno != EINTR)
			return r < 0 ? -1 : r;
	}
}

int probe_net_send(int fd, const void *buf, size_t len, int timeout_ms)
{
	const uint8_t *p = buf;
	uint64_t end = probe_net_now_ms() + (uint64_t)timeout_ms;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		uint64_t now;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		now = probe_net_now_ms();
		if (now >= end || probe_net_wait(fd, POLLOUT, (int)(end - now)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

static enum probe_tcp probe_net_tcp_kind(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return PROBE_TCP_REFUSED;
	case ETIMEDOUT:
		return PROBE_TCP_TIMEOUT;
	case EHOSTUNREACH:
	case ENETUNREACH:
		return PROBE_TCP_UNREACH;
	default:
		return PROBE_TCP_ERROR;
	}
}

/* One non-blocking connect, bounded by timeout_ms. Returns the fd, or -1 with errno. */
static int probe_net_dial(const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	int err = 0, r;
	socklen_t elen = sizeof(err);

	if (fd < 0)
		return -1;
	if (connect(fd, sa, len) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	r = probe_net_wait(fd, POLLOUT, timeout_ms);
	if (r == 0)
		errno = ETIMEDOUT;
	if (r <= 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
		goto fail;
	if (err == 0)
		return fd;
	errno = err;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

int probe_net_resolve(struct probe *p)
{
	const struct url *u = p->o.have_proxy ? &p->o.proxy : &p->o.url;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
	struct addrinfo *res = NULL, *ai;
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%u", u->port);
	if (u->ip_literal)
		hints.ai_flags = AI_NUMERICHOST;
	rc = getaddrinfo(u->host, port, &hints, &res);
	if (rc != 0) {
		if (p->o.have_proxy) {
			p->f.proxy_gai_error = rc;
		} else {
			p->f.gai_error = rc;
			p->f.no_data = rc == EAI_NODATA;
		}
		snprintf(p->f.tcp_error, sizeof(p->f.tcp_error), "%.60s: %s", u->host,
			 gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai && p->naddrs < PROBE_MAX_ADDRS; ai = ai->ai_next) {
		memcpy(&p->addrs[p->naddrs], ai->ai_addr, ai->ai_addrlen);
		p->addrlens[p->naddrs] = ai->ai_addrlen;
		if (!p->o.have_proxy &&
		    getnameinfo(ai->ai_addr, ai->ai_addrlen, p->f.addrs[p->f.naddrs],
				sizeof(p->f.addrs[0]), NULL, 0, NI_NUMERICHOST) == 0)
			p->f.naddrs++;
		p->naddrs++;
	}
	freeaddrinfo(res);
	p->f.resolved = !p->o.have_proxy;
	return 0;
}

/* A failed proxy answer: what came instead of a head. */
static int probe_net_proxy_fail(struct probe *p, bool record, enum probe_hello how)
{
	if (record)
		p->f.proxy_answer = how;
	return -1;
}

/*
 * Reads the proxy's answer to CONNECT, head only, one byte at a time: nothing of the tunnel
 * may be consumed with it. One deadline for the whole head.
 */
static int probe_net_proxy_answer(struct probe *p, int fd, bool record)
{
	uint8_t head[HTTP1_HEAD_MAX];
	struct http1_response r;
	size_t len = 0;
	uint64_t end = probe_net_now_ms() + (uint64_t)p->o.timeout_ms;

	while (len < sizeof(head)) {
		ssize_t n = recv(fd, head + len, 1, 0);
		int e = errno;
		uint64_t now = probe_net_now_ms();
		enum http1_result hr;

		if (n == 0)
			return probe_net_proxy_fail(p, record, PROBE_HELLO_CLOSED);
		if (n < 0 && e != EAGAIN && e != EINTR)
			return probe_net_proxy_fail(p, record, PROBE_HELLO_RESET);
		if (n < 0) {
			if (now >= end || probe_net_wait(fd, POLLIN, (int)(end - now)) == 0)
				return probe_net_proxy_fail(p, record, PROBE_HELLO_TIMEOUT);
			continue;
		}
		len++;
		hr = http1_parse_response(head, len, &r);
		if (hr == HTTP1_INCOMPLETE)
			continue;
		if (hr != HTTP1_OK)
			return probe_net_proxy_fail(p, record, PROBE_HELLO_NOT_TLS);
		if (record) {
			p->f.proxy_answer = PROBE_HELLO_ACCEPTED;
			p->f.proxy_status = r.status;
			snprintf(p->f.proxy_reason, sizeof(p->f.proxy_reason), "%s", r.reason);
		}
		return r.status >= 200 && r.status <= 299 ? 0 : -1;
	}
	return probe_net_proxy_fail(p, record, PROBE_HELLO_NOT_TLS);
}

static int probe_net_proxy(struct probe *p, int fd, bool record)
{
	char req[1024], auth[URL_HOST_MAX + 8];
	size_t n;

	if (url_authority(&p->o.url, true, auth, sizeof(auth)) == 0)
		return -1;
	n = http1_request_connect(req, sizeof(req), auth, p->proxy_b64[0] ? p->proxy_b64 : NULL);
	if (n == 0 || probe_net_send(fd, req, n, p->o.timeout_ms) == -1)
		return probe_net_proxy_fail(p, record, PROBE_HELLO_RESET);
	return probe_net_proxy_answer(p, fd, record);
}

/* "192.0.2.9:443 timeout" appended to the addresses that failed before one answered. */
static void probe_net_failed_before(struct probe *p, const char *peer, enum probe_tcp t)
{
	size_t o = strlen(p->f.tcp_failed);

	if (o + 1 < sizeof(p->f.tcp_failed))
		snprintf(p->f.tcp_failed + o, sizeof(p->f.tcp_failed) - o, "%s%s %s", o ? ", " : "",
			 peer, probe_tcp_name(t));
}

static void probe_net_record(struct probe *p, size_t i, int e, bool ok)
{
	enum probe_tcp t = ok ? PROBE_TCP_OK : probe_net_tcp_kind(e);

	if (p->o.have_proxy) {
		p->f.proxy_tcp = t;
		return;
	}
	p->f.tcp = t;
	addr_format_sockaddr((struct sockaddr *)&p->addrs[i], p->f.tcp_peer, sizeof(p->f.tcp_peer));
	/* Every failure is kept: before the address that answers, clients wait for each. */
	if (!ok)
		probe_net_failed_before(p, p->f.tcp_peer, t);
	if (ok)
		p->f.tcp_error[0] = '\0';
	else if (e == ETIMEDOUT)
		snprintf(p->f.tcp_error, sizeof(p->f.tcp_error), "no answer in %d ms",
			 p->o.timeout_ms);
	else
		snprintf(p->f.tcp_error, sizeof(p->f.tcp_error), "%s", strerror(e));
}

/* Address i, and the proxy's tunnel when there is one. fd or -1. */
static int probe_net_open(struct probe *p, size_t i, bool record)
{
	int fd = probe_net_dial((struct sockaddr *)&p->addrs[i], p->addrlens[i], p->o.timeout_ms);

	if (record)
		probe_net_record(p, i, errno, fd >= 0);
	if (fd < 0 || !p->o.have_proxy)
		return fd;
	if (probe_net_proxy(p, fd, record) == 0) {
		if (record)
			p->f.tcp = PROBE_TCP_OK;
		return fd;
	}
	close(fd);
	return -1;
}

int probe_net_connect(struct probe *p)
{
	for (size_t i = 0; i < p->naddrs; i++) {
		int fd = probe_net_open(p, i, true);

		if (fd >= 0) {
			p->iaddr = i;
			return fd;
		}
		if (p->o.have_proxy && p->f.proxy_tcp == PROBE_TCP_OK)
			return -1; /* the proxy answered: another of its addresses would say the
				      same */
	}
	return -1;
}

int probe_net_again(struct probe *p)
{
	return p->iaddr < p->naddrs ? probe_net_open(p, p->iaddr, false) : -1;
}
