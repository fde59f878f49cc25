/* SPDX-License-Identifier: ISC */
/*
 * probe_int: what the parts of the judgement share (proto/probe.c, probe_sec.c, probe_http.c).
 * Not for other modules: they use proto/probe.h.
 */
#ifndef PROTO_PROBE_INT_H
#define PROTO_PROBE_INT_H

#include "proto/probe.h"

#define PROBE_DH_WEAK	1024 /* Logjam: 512-bit export groups broken, 1024 within reach */
#define PROBE_DH_STRONG 2048
#define PROBE_CL_MAX	UINT64_MAX /* the IP-HTTPS never-ending Content-Length (§1.3) */

struct probe_jctx {
	const struct probe_facts *f;
	struct probe_result *r;
	bool decided; /* the code is set: later failures are findings only */
	bool
	    not_iphttps; /* the verdict is NOT_IPHTTPS: later "not IP-HTTPS" causes do not repeat */
};

/* Adds a finding (silently dropped past PROBE_FINDINGS_MAX). */
void probe_add(struct probe_jctx *j, enum probe_level level, const char *topic, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
/* The first failure on Windows' path: sets verdict, code, fix (NULL: the code's own) and
   summary; later calls do nothing. */
void probe_decide(struct probe_jctx *j, enum probe_verdict v, uint32_t code, const char *fix,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The responder is not an IP-HTTPS server: that verdict, summary and fix win; the code of an
   earlier failure stays, since it is what Windows would show. */
void probe_not_iphttps(struct probe_jctx *j, uint32_t code, const char *fix, const char *what);
extern const char probe_fix_device[];
/* snprintf for display text: truncation is accepted (the fields are bounded on purpose). */
void probe_fmt(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* probe_sec.c: the NULL-only hello, the handshake, the certificate, the audit. */
void probe_sec_null(struct probe_jctx *j);
void probe_sec_tls(struct probe_jctx *j);
void probe_sec_cert(struct probe_jctx *j);
void probe_sec_audit(struct probe_jctx *j);

/* probe_http.c: the answer to the IP-HTTPS POST and the Router Solicitation. */
void probe_http_judge(struct probe_jctx *j);

#endif
