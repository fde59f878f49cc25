/* SPDX-License-Identifier: ISC */
/*
 * gwfiles: the files the gateway worker needs besides its configuration: certificate and key
 * pairs, the client CA bundle, the CRLs and the client-name allow-list. The root parent reads
 * them (the worker, unprivileged, cannot read a 0600 root key) at start and on every SIGHUP,
 * and ships them as the parts of one message; the worker never opens a file. Part layout is
 * fixed, an absent file is an empty part.
 */
#ifndef IPHTTPSD_GWFILES_H
#define IPHTTPSD_GWFILES_H

#include <stddef.h>

#include "iphttpsd/gwconf.h"
#include "lib/tls.h"
#include "proto/ident.h"

enum {
	GWFILES_CERT = 0,			       /* cert i at 2i, key i at 2i+1 */
	GWFILES_CA = 2 * GWCONF_MAX_CERTS,	       /* client-ca */
	GWFILES_NAMES,				       /* client-names */
	GWFILES_CRL,				       /* client-crl i at GWFILES_CRL + i */
	GWFILES_PARTS = GWFILES_CRL + GWCONF_MAX_CRLS, /* 22 */
};

struct gwfiles_part {
	char *p; /* NUL-terminated, len excludes the NUL; NULL when absent */
	size_t len;
};

struct gwfiles {
	struct gwfiles_part part[GWFILES_PARTS];
};

/*
 * Reads every file the configuration names (the self-signed pair in state-dir when no
 * certificate is configured); keys must not be readable by group or others. Each failure is
 * logged; returns 0 or -1 (then nothing is held).
 */
int gwfiles_read(struct gwfiles *f, const struct gwconf *c);
/* Frees every part, cleansing the keys. */
void gwfiles_free(struct gwfiles *f);
/* Points o at the parts (no copies) for tls_server_ctx_new. */
void gwfiles_tls_opts(const struct gwfiles *f, const struct gwconf *c, struct tls_server_opts *o);
/*
 * The identity rules: every client-name line plus the allow-list file. Returns 0, or -1 with
 * the reason in err (the rules are then freed).
 */
int gwfiles_ident(const struct gwfiles *f, const struct gwconf *c, struct ident_rules *r, char *err,
		  size_t errlen);
/* Paths of certificate/key pair i: configured, or the self-signed pair in state-dir. */
void gwfiles_cert_paths(const struct gwconf *c, size_t i, char *cert, char *key, size_t len);

#endif
