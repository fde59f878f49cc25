/* SPDX-License-Identifier: ISC */
/*
 * probe_http: the answer to the IP-HTTPS POST ([MS-IPHTTPS] §3.1.5.2, ms-iphttps.md §1.3-§1.4)
 * and the Router Solicitation sent after a 200 (§2.2). An IP-HTTPS server answers 200 with no
 * Content-Length and a body that never ends; nmap's ip-https-discover (§6.1) takes "HTTP/1.1 200"
 * with "HTTPAPI/2.0" in the first record for one. Another web server rejects the never-ending
 * Content-Length (400, 413) or the path (404, 405); a firewall or captive page answers with a
 * body that ends. An IP-HTTPS server that refuses the client says 403 (§3.3, Windows then tries
 * its next certificate and ends with 0x103).
 */
#include <stdio.h>
#include <string.h>

#include "proto/probe_int.h"
#include "proto/winerr.h"

/* The Windows IP-HTTPS server is HTTP.sys; iphttpsd says the same by default (§6.1). */
static bool probe_http_httpapi(const struct probe_facts *f)
{
	return strstr(f->server, "HTTPAPI/2.0") != NULL;
}

/* "nginx/1.22.1", "a web server" */
static void probe_http_who(const struct probe_facts *f, char *out, size_t len)
{
	if (f->server[0])
		probe_fmt(out, len, "%s", f->server);
	else
		probe_fmt(out, len, "a web server without a Server header");
}

static void probe_http_ok(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	j->r->iphttps = PROBE_IPHTTPS_YES;
	probe_add(j, PROBE_GOOD, "http", "200 to the IP-HTTPS POST, body open (Server: %s)",
		  f->server[0] ? f->server : "none");
	if (!probe_http_httpapi(f))
		probe_add(
		    j, PROBE_INFO, "http",
		    "the Server header is not Microsoft-HTTPAPI/2.0: nmap's ip-https-discover "
		    "will not report this server");
	if (f->ra)
		probe_add(j, PROBE_GOOD, "link", "Router Advertisement received%s%s",
			  f->ra_prefix[0] ? ", prefix " : " without a usable prefix", f->ra_prefix);
	else
		probe_add(j, PROBE_WARN, "link",
			  "no Router Advertisement answered our Router Solicitation: clients get "
			  "no address until one comes");
}

/* Why a 200's body is no IP-HTTPS stream (§1.4: no length, never ends, IPv6 packets). */
static const char *probe_http_body_what(const struct probe_facts *f)
{
	if (f->body_not_ipv6)
		return "is not IPv6 packets";
	if (f->chunked)
		return "is chunked";
	if (f->has_length && f->length != PROBE_CL_MAX)
		return "has a length";
	return "ended";
}

/* A 200 whose body ends is a page (firewall, captive portal, web server), not the link. */
static void probe_http_page(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;
	char who[160], what[PROBE_TEXT];

	probe_http_who(f, who, sizeof(who));
	probe_add(j, PROBE_ERROR, "http", "200 to the IP-HTTPS POST, but the body %s",
		  probe_http_body_what(f));
	probe_fmt(what, sizeof(what), "%s answered 200 with a page, not a tunnel%s%.60s%s", who,
		  f->snippet[0] ? " (\"" : "", f->snippet, f->snippet[0] ? "\")" : "");
	probe_not_iphttps(j, f->body_ended ? WINERR_WSAECONNRESET : WINERR_HTTP_UNEXPECTED,
			  probe_fix_device, what);
}

/* Any other status: an IP-HTTPS server refusing us, or another web server. */
static void probe_http_status(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;
	/* §3.3 [WIN]: on any 403 Windows tries its next certificate and ends with 0x103. */
	uint32_t code = f->status == 403 ? WINERR_NO_MORE_ITEMS : winerr_from_http(f->status);
	char who[160], what[PROBE_TEXT];

	probe_http_who(f, who, sizeof(who));
	probe_add(j, PROBE_ERROR, "http", "%d %s to the IP-HTTPS POST from %s (Windows: 0x%X)",
		  f->status, f->reason, who, code);
	if (f->status == 403 && (f->cert_asked || probe_http_httpapi(f))) {
		probe_decide(j, PROBE_FAILED, WINERR_NO_MORE_ITEMS,
			     f->cert_sent ? "the server refused our client certificate: use one "
					    "from a CA it trusts, in date, with Client "
					    "Authentication usage"
					  : "the server requires a client certificate (--cert)",
			     "the IP-HTTPS server refused this client (403%s)",
			     f->cert_sent ? ", client certificate not accepted"
					  : ", no client certificate");
		return;
	}
	if (probe_http_httpapi(f) && f->status != 404 && f->status != 400) {
		probe_decide(j, PROBE_FAILED, code, NULL, "the IP-HTTPS server answered %d %s",
			     f->status, f->reason);
		return;
	}
	probe_fmt(what, sizeof(what), "%s answered the IP-HTTPS POST with %d %s%s", who, f->status,
		  f->reason,
		  f->status == 404 && probe_http_httpapi(f) ? " (wrong path? Windows uses /IPHTTPS)"
							    : "");
	probe_not_iphttps(j, code, probe_fix_device, what);
}

/* The connection ended, stalled or spoke no HTTP after TLS. */
static void probe_http_none(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;
	char what[PROBE_TEXT];
	uint32_t code = f->http == PROBE_HELLO_TIMEOUT	 ? WINERR_WSAETIMEDOUT
			: f->http == PROBE_HELLO_NOT_TLS ? WINERR_HTTP_UNEXPECTED
							 : WINERR_WSAECONNRESET;

	probe_fmt(what, sizeof(what), "%s",
		  f->http == PROBE_HELLO_TIMEOUT   ? "no answer to the IP-HTTPS POST"
		  : f->http == PROBE_HELLO_NOT_TLS ? "the answer to the IP-HTTPS POST is not HTTP"
						   : "the connection ended without an answer to "
						     "the IP-HTTPS POST");
	if (f->http_is_tls) {
		probe_add(j, PROBE_ERROR, "http", "an http:// URL, but this port speaks TLS");
		probe_decide(j, PROBE_FAILED, WINERR_HTTP_UNEXPECTED,
			     "use https:// in the URL: http:// is only for a gateway behind a "
			     "TLS-terminating balancer",
			     "this port speaks TLS, but the URL says http://");
		return;
	}
	probe_add(j, PROBE_ERROR, "http", "%s", what);
	probe_not_iphttps(j, code, probe_fix_device, what);
}

/* nmap's ip-https-discover reports IP-HTTPS here (§6.1), but the body is no tunnel: the
   probe agrees on what it is, and says that clients lose the link at once. */
static void probe_http_broken(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	probe_add(j, PROBE_ERROR, "http",
		  "200 with Microsoft-HTTPAPI/2.0 (nmap reports IP-HTTPS here), but the body %s",
		  probe_http_body_what(f));
	probe_decide(j, PROBE_FAILED, WINERR_WSAECONNRESET, NULL,
		     "the IP-HTTPS server answers 200 but does not keep the tunnel open");
}

void probe_http_judge(struct probe_jctx *j)
{
	const struct probe_facts *f = j->f;

	if (!f->http_sent)
		return;
	/* Whatever else is found, never say "no" where nmap's script says "supported". */
	j->r->iphttps = f->nmap_match ? PROBE_IPHTTPS_YES : PROBE_IPHTTPS_NO;
	if (f->http != PROBE_HELLO_ACCEPTED) {
		probe_http_none(j);
		return;
	}
	if (f->status != 200) {
		probe_http_status(j);
		return;
	}
	if (f->chunked || (f->has_length && f->length != PROBE_CL_MAX) || f->body_ended ||
	    f->body_not_ipv6) {
		if (f->nmap_match)
			probe_http_broken(j);
		else
			probe_http_page(j);
		return;
	}
	probe_http_ok(j);
}
