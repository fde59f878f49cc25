/* SPDX-License-Identifier: ISC */
/*
 * authz: the preauthentication decision for one connection, made once its request head has
 * arrived ([MS-IPHTTPS] §3.2.1 Authentication Mode; ms-iphttps.md §3.3). Inputs are what the
 * TLS handshake learned about the client certificate, what a trusted load balancer passed on
 * (an identity header, or the SSL TLVs of a PROXY v2 header) and the identity rules; the
 * output is allow or refuse (HTTP 403, after which Windows clients try their next
 * certificate), whether the tunnel counts as authenticated (the unauthenticated access
 * policy applies otherwise), the identity and where it came from, and the reason to log.
 * No I/O: unit-tested on its own.
 */
#ifndef IPHTTPSD_AUTHZ_H
#define IPHTTPSD_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

#include "iphttpsd/gwconf.h"
#include "lib/tls.h"
#include "proto/http1.h"
#include "proto/ident.h"

struct authz_input {
	const struct tls_peer *tls; /* NULL on a plain-HTTP connection */
	/*
	 * The request head was written by a trusted balancer: a plain-HTTP listener without
	 * PROXY protocol whose TCP peer is a trusted-proxy address. Only then is the identity
	 * header believed. On TLS listeners, and on proxy-protocol listeners (TCP-mode
	 * balancers that pass the client's bytes untouched), the client wrote it: forged.
	 */
	bool header_trusted;
	const struct http1_request *req; /* its identity_* fields */
	/* PROXY v2 SSL TLV from a TLS-terminating balancer in TCP mode (the caller sets these
	   only on a plain-HTTP proxy-protocol listener, whose peers are all trusted proxies). */
	bool pp_ssl_cert;	/* the client sent the balancer a certificate */
	uint32_t pp_ssl_verify; /* ... and its verify result, 0 = verified */
	const char *pp_cn;	/* ... and its CN, "" or NULL when absent */
};

enum authz_via {
	AUTHZ_VIA_NONE = 0,    /* unauthenticated */
	AUTHZ_VIA_CERTIFICATE, /* our own TLS handshake verified the client certificate */
	AUTHZ_VIA_BALANCER,    /* a trusted balancer vouched for it */
};

struct authz_result {
	bool allow;	    /* false: answer 403 with reason */
	bool forged;	    /* refused because an untrusted peer sent a balancer's identity */
	enum authz_via via; /* AUTHZ_VIA_NONE: unauthenticated (policy applies) */
	char identity[256]; /* the accepted identity, "" when unauthenticated */
	char reason[320];   /* why refused, or why a presented credential did not count */
};

void authz_decide(enum gwconf_auth mode, const struct ident_rules *rules,
		  const struct authz_input *in, struct authz_result *out);
const char *authz_via_name(enum authz_via via);

#endif
