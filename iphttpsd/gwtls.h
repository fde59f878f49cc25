/* SPDX-License-Identifier: ISC */
/*
 * gwtls: the gateway's TLS material in the worker: the server context (profile, certificate
 * pairs, client CA and CRLs) and the client identity rules, built from the bytes the parent
 * read (struct gwfiles) at start and on every SIGHUP. A reload swaps both or neither; live
 * connections keep the context they started with (SSL_CTX is reference-counted). Also the
 * certificate expiry warning, in the log at load and once a day, and for `iphttpsctl show`.
 */
#ifndef IPHTTPSD_GWTLS_H
#define IPHTTPSD_GWTLS_H

#include <stdbool.h>
#include <time.h>

#include "iphttpsd/gwfiles.h"

#define GWTLS_EXPIRY_WARN_DAYS 30

struct gw;

/* Builds and installs the context and rules; -1 (logged, nothing changed) on failure. */
int gwtls_load(struct gw *gw, const struct gwconf *c, const struct gwfiles *f);
/* Whether certificate i expires within GWTLS_EXPIRY_WARN_DAYS (or has expired). */
bool gwtls_expiring(const struct gw *gw, size_t i, time_t now);
/* Logs a warning for each certificate that expires soon; returns how many. */
size_t gwtls_warn_expiry(const struct gw *gw, time_t now);
void gwtls_free(struct gw *gw);

#endif
