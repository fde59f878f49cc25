/* SPDX-License-Identifier: ISC */
/*
 * gwfiles: reading the worker's files as root and handing them over as bytes (see gwfiles.h).
 */
#include "iphttpsd/gwfiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "lib/conf.h"
#include "lib/log.h"

void gwfiles_cert_paths(const struct gwconf *c, size_t i, char *cert, char *key, size_t len)
{
	if (c->ncert > 0) {
		snprintf(cert, len, "%s", c->certificate[i]);
		snprintf(key, len, "%s", c->key[i]);
		return;
	}
	if ((size_t)snprintf(cert, len, "%s/cert.pem", c->state_dir) >= len ||
	    (size_t)snprintf(key, len, "%s/key.pem", c->state_dir) >= len)
		cert[0] = key[0] = '\0'; /* an over-long state-dir yields no file, an error later */
}

static int gwfiles_one(struct gwfiles_part *p, const char *path)
{
	p->p = gwconf_read_file(path, &p->len);
	if (!p->p) {
		log_warn("%s", path);
		return -1;
	}
	return 0;
}

static int gwfiles_pair(struct gwfiles *f, const struct gwconf *c, size_t i)
{
	char cp[PATH_MAX], kp[PATH_MAX], err[256];

	gwfiles_cert_paths(c, i, cp, kp, sizeof(cp));
	if (conf_check_secrecy(kp, err, sizeof(err)) == -1) {
		log_warnx("key %s: %s", kp, err);
		return -1;
	}
	if (gwfiles_one(&f->part[GWFILES_CERT + 2 * i], cp) == -1 ||
	    gwfiles_one(&f->part[GWFILES_CERT + 2 * i + 1], kp) == -1)
		return -1;
	return 0;
}

int gwfiles_read(struct gwfiles *f, const struct gwconf *c)
{
	size_t npairs = c->ncert > 0 ? c->ncert : 1;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < npairs; i++)
		if (gwfiles_pair(f, c, i) == -1)
			goto fail;
	if (c->client_ca[0] && gwfiles_one(&f->part[GWFILES_CA], c->client_ca) == -1)
		goto fail;
	if (c->client_names[0] && gwfiles_one(&f->part[GWFILES_NAMES], c->client_names) == -1)
		goto fail;
	for (size_t i = 0; i < c->ncrl && i < GWCONF_MAX_CRLS; i++)
		if (gwfiles_one(&f->part[GWFILES_CRL + i], c->client_crl[i]) == -1)
			goto fail;
	return 0;
fail:
	gwfiles_free(f);
	return -1;
}

void gwfiles_free(struct gwfiles *f)
{
	for (size_t i = 0; i < GWFILES_PARTS; i++) {
		struct gwfiles_part *p = &f->part[i];

		if (p->p)
			OPENSSL_cleanse(p->p, p->len); /* keys; the rest costs nothing to wipe */
		free(p->p);
		p->p = NULL;
		p->len = 0;
	}
}

static struct tls_pem gwfiles_pem(const struct gwfiles_part *p)
{
	return (struct tls_pem){p->p, p->p ? p->len : 0};
}

void gwfiles_tls_opts(const struct gwfiles *f, const struct gwconf *c, struct tls_server_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->profile = c->tls_profile;
	for (size_t i = 0; i < GWCONF_MAX_CERTS; i++) {
		if (!f->part[GWFILES_CERT + 2 * i].p)
			break;
		o->cert[i] = gwfiles_pem(&f->part[GWFILES_CERT + 2 * i]);
		o->key[i] = gwfiles_pem(&f->part[GWFILES_CERT + 2 * i + 1]);
		o->ncert++;
	}
	o->client_ca = gwfiles_pem(&f->part[GWFILES_CA]);
	for (size_t i = 0; i < GWCONF_MAX_CRLS; i++)
		if (f->part[GWFILES_CRL + i].p)
			o->crl[o->ncrl++] = gwfiles_pem(&f->part[GWFILES_CRL + i]);
}

int gwfiles_ident(const struct gwfiles *f, const struct gwconf *c, struct ident_rules *r, char *err,
		  size_t errlen)
{
	const struct gwfiles_part *names = &f->part[GWFILES_NAMES];
	char why[256];

	ident_init(r);
	for (size_t i = 0; i < c->nclient_name; i++) {
		if (ident_add(r, c->client_name[i], why, sizeof(why)) == -1) {
			snprintf(err, errlen, "client-name %s: %s", c->client_name[i], why);
			goto fail;
		}
	}
	if (names->p && ident_add_text(r, names->p, names->len, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "client-names %s: %s", c->client_names, why);
		goto fail;
	}
	ident_finish(r);
	return 0;
fail:
	ident_free(r);
	return -1;
}
