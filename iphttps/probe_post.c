/* SPDX-License-Identifier: ISC */
/*
 * probe_post: the IP-HTTPS question itself. Sends the POST a client sends ([MS-IPHTTPS]
 * §3.1.5.2, the bytes of ms-iphttps.md §1.3, as nmap's ip-https-discover does: Content-Length
 * 2^64-1), reads the response head (§1.4), and after a 200 sends a Router Solicitation from
 * the unspecified address (RFC 4861 §4.1, §6.3.7; allowed by §2.3's link rules and owning no
 * address) and waits PROBE_RA_WAIT_MS for the Router Advertisement, watching that the body does
 * not end. An RA is certainty; a body still open after the wait is what nmap would accept. For
 * any other answer the first bytes of the body are kept to name the device (a firewall's page).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "iphttps/cl_ra.h"
#include "iphttps/probe.h"
#include "lib/buf.h"
#include "proto/frame.h"
#include "proto/http1.h"
#include "proto/nd.h"

#define PROBE_POST_MTU	   1280 /* [MS-IPHTTPS] §3.1.5.2 */
#define PROBE_POST_REQ_MAX 2048 /* the POST head: path and host are bounded by struct url */

static const struct in6_addr probe_post_all_routers = {
    .s6_addr = {0xff, 0x02, [15] = 0x02}}; /* ff02::2, RFC 4291 §2.7.1 */

static void probe_post_printable(const uint8_t *b, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		uint8_t c = b[i];

		if (c == '\r' || c == '\n' || c == '\t')
			c = ' ';
		if (c >= 0x20 && c < 0x7f && !(c == ' ' && o > 0 && out[o - 1] == ' '))
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static void probe_post_record(struct probe_facts *f, const struct http1_response *r)
{
	f->http = PROBE_HELLO_ACCEPTED;
	f->status = r->status;
	snprintf(f->reason, sizeof(f->reason), "%s", r->reason);
	snprintf(f->server, sizeof(f->server), "%s", r->server);
	f->has_length = r->has_length;
	f->length = r->length;
	f->chunked = r->chunked;
}

/*
 * What nmap's ip-https-discover accepts in its one read (ms-iphttps.md §6.1): the Lua pattern
 * "HTTP/1.1 200%s.+HTTPAPI/2.0", unanchored, '.' matching newlines too.
 */
static bool probe_post_nmap(const uint8_t *b, size_t n)
{
	static const char st[] = "HTTP/1.1 200", api[] = "HTTPAPI/2.0";
	const size_t sl = sizeof(st) - 1, al = sizeof(api) - 1;

	for (size_t i = 0; i + sl + 2 + al <= n; i++) {
		if (memcmp(b + i, st, sl) != 0 || !strchr(" \t\r\n\v\f", b[i + sl]) ||
		    b[i + sl] == '\0')
			continue;
		for (size_t k = i + sl + 2; k + al <= n; k++)
			if (memcmp(b + k, api, al) == 0)
				return true;
	}
	return false;
}

static size_t probe_post_not_http(struct probe *p, const uint8_t *buf, size_t len)
{
	p->f.http = PROBE_HELLO_NOT_TLS; /* not HTTP */
	/* TLS records (RFC 5246 §6.2.1: alert or handshake, version 3.x) to an http:// URL. */
	p->f.http_is_tls =
	    p->f.plain_http && len >= 2 && (buf[0] == 0x15 || buf[0] == 0x16) && buf[1] == 0x03;
	probe_post_printable(buf, len < 80 ? len : 80, p->f.snippet, sizeof(p->f.snippet));
	return 0;
}

/*
 * Reads until a whole head (1xx interim answers skipped), within one --timeout for all of it
 * and at most cap bytes. Returns the bytes held, the head in *r; 0 when none came.
 */
static size_t probe_post_head(struct probe *p, struct probe_io *io, uint8_t *buf, size_t cap,
			      struct http1_response *r)
{
	uint64_t end = probe_net_now_ms() + (uint64_t)p->o.timeout_ms;
	size_t len = 0;

	while (len < cap) {
		uint64_t now = probe_net_now_ms();
		long n =
		    now >= end ? -1 : probe_tls_read(p, io, buf + len, cap - len, (int)(end - now));
		enum http1_result hr;

		if (now >= end)
			errno = ETIMEDOUT;
		if (n <= 0) {
			p->f.http = n == 0		 ? PROBE_HELLO_CLOSED
				    : errno == ETIMEDOUT ? PROBE_HELLO_TIMEOUT
							 : PROBE_HELLO_RESET;
			return 0;
		}
		if (len == 0)
			p->f.nmap_match = probe_post_nmap(buf, (size_t)n);
		len += (size_t)n;
		while ((hr = http1_parse_response(buf, len, r)) == HTTP1_OK && r->status < 200) {
			memmove(buf, buf + r->consumed, len - r->consumed);
			len -= r->consumed;
		}
		if (hr == HTTP1_OK)
			return len;
		if (hr == HTTP1_ERROR)
			return probe_post_not_http(p, buf, len);
	}
	return probe_post_not_http(p, buf, len);
}

struct probe_post_rx {
	struct probe_facts *f;
};

static void probe_post_packet(void *arg, const uint8_t *pkt, size_t len)
{
	struct probe_post_rx *rx = arg;
	struct cl_ra_info info;

	if (rx->f->ra || cl_ra_check(pkt, len, &info) != CL_RA_OK)
		return;
	rx->f->ra = true;
	if (info.usable_prefix &&
	    inet_ntop(AF_INET6, &info.prefix, rx->f->ra_prefix, sizeof(rx->f->ra_prefix) - 4))
		strcat(rx->f->ra_prefix, "/64");
}

static void probe_post_oversize(void *arg, const uint8_t *head, size_t headlen, size_t len)
{
	(void)arg;
	(void)head;
	(void)headlen;
	(void)len;
}

/* After a 200 the bytes are no IPv6 stream (a captive portal's HTML): keep them to name it. */
static void probe_post_page(struct probe *p, const uint8_t *b, size_t n)
{
	p->f.body_not_ipv6 = true;
	probe_post_printable(b, n < 400 ? n : 400, p->f.snippet, sizeof(p->f.snippet));
}

static int probe_post_rs(struct probe *p, struct probe_io *io)
{
	uint8_t pkt[64];
	struct buf_wr w;
	struct in6_addr any = IN6ADDR_ANY_INIT;

	buf_wr_init(&w, pkt, sizeof(pkt));
	if (nd_build_rs(&w, &any, &probe_post_all_routers) == -1 || !buf_wr_ok(&w))
		return -1;
	return probe_tls_write(p, io, pkt, w.len);
}

/* After the 200: the RS out, then the stream until an RA, the end, or the wait. */
static void probe_post_link(struct probe *p, struct probe_io *io, const uint8_t *rest,
			    size_t restlen)
{
	struct probe_post_rx rx = {.f = &p->f};
	const struct frame_cb cb = {probe_post_packet, probe_post_oversize, &rx};
	uint64_t end = probe_net_now_ms() + PROBE_RA_WAIT_MS;
	struct frame_rx fr;
	uint8_t buf[4096];

	frame_rx_init(&fr, PROBE_POST_MTU);
	if (frame_rx_feed(&fr, rest, restlen, &cb) != FRAME_OK) {
		probe_post_page(p, rest, restlen);
		goto out;
	}
	if (probe_post_rs(p, io) == -1) {
		p->f.body_ended = true;
		goto out;
	}
	for (int reads = 0; !p->f.ra && reads < 1000; reads++) {
		uint64_t now = probe_net_now_ms();
		long n =
		    now >= end ? -1 : probe_tls_read(p, io, buf, sizeof(buf), (int)(end - now));

		if (n < 0 && (now >= end || errno == ETIMEDOUT))
			break; /* still open at the end of the wait */
		if (n <= 0) {
			p->f.body_ended = true;
			goto out;
		}
		if (frame_rx_feed(&fr, buf, (size_t)n, &cb) != FRAME_OK) {
			probe_post_page(p, buf, (size_t)n);
			goto out;
		}
	}
	p->f.body_open = true;
out:
	frame_rx_free(&fr);
}

/* The start of a non-200 body, or of a 200 page, to name the device that answered. */
static void probe_post_snippet(struct probe *p, struct probe_io *io, uint8_t *buf, size_t len,
			       size_t cap)
{
	if (len == 0) {
		long n = probe_tls_read(p, io, buf, cap, 500);

		len = n > 0 ? (size_t)n : 0;
		if (n == 0)
			p->f.body_ended = true;
	}
	probe_post_printable(buf, len < 400 ? len : 400, p->f.snippet, sizeof(p->f.snippet));
}

void probe_post_run(struct probe *p, struct probe_io *io)
{
	char req[PROBE_POST_REQ_MAX], host[URL_HOST_MAX + 8];
	uint8_t buf[HTTP1_HEAD_MAX];
	struct http1_response r;
	size_t n, len;

	if (url_authority(&p->o.url, false, host, sizeof(host)) == 0 ||
	    (n = http1_request_post(req, sizeof(req), p->o.url.path, host)) == 0)
		return;
	p->f.http_sent = true;
	if (probe_tls_write(p, io, req, n) == -1) {
		p->f.http = PROBE_HELLO_RESET;
		goto late;
	}
	len = probe_post_head(p, io, buf, sizeof(buf), &r);
	if (len == 0)
		goto late;
	probe_post_record(&p->f, &r);
	if (r.status == 200 && !r.chunked && (!r.has_length || r.length == UINT64_MAX))
		probe_post_link(p, io, buf + r.consumed, len - r.consumed);
	else
		probe_post_snippet(p, io, buf + r.consumed, len - r.consumed,
				   sizeof(buf) - r.consumed);
late:
	/* http:// to a TLS port: an OpenSSL server closes on plain HTTP without a byte of TLS. */
	if (p->f.plain_http && (p->f.http == PROBE_HELLO_CLOSED || p->f.http == PROBE_HELLO_RESET))
		p->f.http_is_tls = probe_audit_speaks_tls(p);
	/* A TLS 1.3 server's refusal of the client certificate arrives here: it is the
	   handshake's failure, not an answer to the POST. */
	if (p->f.tls == PROBE_HELLO_ALERT)
		p->f.http_sent = false;
}
