/* SPDX-License-Identifier: ISC */
/*
 * probe_audit: the TLS audit of `iphttps probe`, one raw ClientHello per connection
 * (proto/tlshello), read until the server's answer settles: SSLv3 (POODLE), TLS 1.0 to 1.3,
 * the NULL-only hello of Windows 8+ (ms-iphttps.md §3.4: accepted, refused with an alert that
 * strands those clients, or reset so they fall back), and finite-field DHE with the size of the
 * server's prime (Logjam). Raw bytes, because the local OpenSSL no longer speaks SSLv3 and need
 * not finish a handshake to learn what the server accepts. It does not enumerate every suite.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "iphttps/probe.h"
#include "proto/tlshello.h"

#define PROBE_AUDIT_BUF (64 * 1024) /* certificate chains of real servers fit */

struct probe_audit_one {
	enum probe_hello result;
	struct tlshello_answer a;
};

static enum probe_hello probe_audit_kind(const struct tlshello_answer *a, uint16_t want)
{
	switch (a->kind) {
	case TLSHELLO_SERVER_HELLO:
		return a->version == want ? PROBE_HELLO_ACCEPTED : PROBE_HELLO_REFUSED;
	case TLSHELLO_HRR:
		return want == 0x0304 ? PROBE_HELLO_ACCEPTED : PROBE_HELLO_REFUSED;
	case TLSHELLO_ALERT:
		return PROBE_HELLO_ALERT;
	default:
		return PROBE_HELLO_NOT_TLS;
	}
}

/* Reads until the answer settles, the server stops, or the deadline. */
static enum probe_hello probe_audit_read(struct probe *p, int fd, uint8_t *buf, bool want_dh,
					 uint16_t want, struct tlshello_answer *a)
{
	uint64_t end = probe_net_now_ms() + (uint64_t)p->o.timeout_ms;
	size_t len = 0;

	while (len < PROBE_AUDIT_BUF) {
		uint64_t now = probe_net_now_ms();
		ssize_t n;

		if (now >= end || probe_net_wait(fd, POLLIN, (int)(end - now)) <= 0)
			return PROBE_HELLO_TIMEOUT;
		n = recv(fd, buf + len, PROBE_AUDIT_BUF - len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return n == 0 || errno != ECONNRESET ? PROBE_HELLO_CLOSED
							     : PROBE_HELLO_RESET;
		len += (size_t)n;
		if (tlshello_parse(buf, len, want_dh, a) != TLSHELLO_INCOMPLETE)
			return probe_audit_kind(a, want);
	}
	return PROBE_HELLO_NOT_TLS;
}

static void probe_audit_hello(struct probe *p, enum tlshello_set set, uint16_t want, uint8_t *buf,
			      struct probe_audit_one *one)
{
	struct tlshello_opts ho = {.set = set, .sni = p->o.url.ip_literal ? NULL : p->name};
	uint8_t hello[TLSHELLO_HELLO_MAX];
	size_t n;
	int fd;

	memset(one, 0, sizeof(*one));
	if (RAND_bytes(ho.random, sizeof(ho.random)) != 1 ||
	    RAND_bytes(ho.x25519, sizeof(ho.x25519)) != 1 ||
	    (n = tlshello_build(&ho, hello, sizeof(hello))) == 0) {
		one->result = PROBE_HELLO_NOT_TRIED;
		return;
	}
	fd = probe_net_again(p);
	if (fd < 0) {
		one->result = PROBE_HELLO_NO_CONN;
		return;
	}
	if (probe_net_send(fd, hello, n, p->o.timeout_ms) == -1)
		one->result = errno == ETIMEDOUT ? PROBE_HELLO_TIMEOUT : PROBE_HELLO_RESET;
	else
		one->result = probe_audit_read(p, fd, buf, set == TLSHELLO_DHE, want, &one->a);
	close(fd);
}

static void probe_audit_versions(struct probe *p, uint8_t *buf)
{
	static const struct {
		enum tlshello_set set;
		uint16_t version;
		enum probe_ver ver;
	} versions[] = {
	    {TLSHELLO_SSL3, 0x0300, PROBE_SSL3},   {TLSHELLO_TLS10, 0x0301, PROBE_TLS10},
	    {TLSHELLO_TLS11, 0x0302, PROBE_TLS11}, {TLSHELLO_TLS12, 0x0303, PROBE_TLS12},
	    {TLSHELLO_TLS13, 0x0304, PROBE_TLS13},
	};
	struct probe_audit_one one;

	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		probe_audit_hello(p, versions[i].set, versions[i].version, buf, &one);
		p->f.ver[versions[i].ver] = one.result;
	}
}

bool probe_audit_speaks_tls(struct probe *p)
{
	uint8_t *buf = malloc(PROBE_AUDIT_BUF);
	struct probe_audit_one one;

	if (!buf)
		return false;
	probe_audit_hello(p, TLSHELLO_TLS12, 0x0303, buf, &one);
	free(buf);
	return one.result == PROBE_HELLO_ACCEPTED || one.result == PROBE_HELLO_REFUSED ||
	       one.result == PROBE_HELLO_ALERT;
}

void probe_audit_run(struct probe *p)
{
	uint8_t *buf = malloc(PROBE_AUDIT_BUF);
	struct probe_audit_one one;
	const char *name;

	if (!buf)
		return;
	probe_audit_versions(p, buf);
	probe_audit_hello(p, TLSHELLO_NULL, 0x0303, buf, &one);
	p->f.null_hello = one.result;
	if (one.result == PROBE_HELLO_ALERT)
		p->f.null_alert = one.a.alert_desc;
	if (one.result == PROBE_HELLO_ACCEPTED && (name = tlshello_suite_name(one.a.suite)))
		snprintf(p->f.null_suite, sizeof(p->f.null_suite), "%s", name);
	probe_audit_hello(p, TLSHELLO_DHE, 0x0303, buf, &one);
	p->f.dhe_hello = one.result;
	p->f.dhe_bits = one.result == PROBE_HELLO_ACCEPTED ? (int)one.a.dh_bits : 0;
	p->f.audited = true;
	free(buf);
}
