/* SPDX-License-Identifier: ISC */
/*
 * gwtls: loading the gateway's TLS material (see gwtls.h).
 */
#include "iphttpsd/gwtls.h"

#include <stdio.h>
#include <string.h>

#include "iphttpsd/gw.h"
#include "lib/log.h"

static const char *gwtls_date(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

static void gwtls_infos(struct gw *gw, const struct tls_server_opts *o)
{
	char date[32];

	gw->ncerts = 0;
	for (size_t i = 0; i < o->ncert && i < TLS_MAX_CERTS; i++) {
		struct tls_cert_info *info = &gw->certs[gw->ncerts++];

		if (tls_cert_info_pem(o->cert[i].p, o->cert[i].len, info) == -1)
			memset(info, 0, sizeof(*info));
		log_notice("certificate: %s (%s), expires %s (in %ld days), sha256 %s",
			   info->subject, info->key,
			   gwtls_date(info->not_after, date, sizeof(date)),
			   tls_cert_days_left(info, time(NULL)), info->sha256);
	}
	gw->cert = gw->certs[0];
}

static void gwtls_announce(const struct gwconf *c, const struct tls_server_opts *o,
			   const struct ident_rules *rules)
{
	log_notice("tls: profile %s%s; authentication %s%s%s", tls_profile_name(c->tls_profile),
		   c->tls_profile == TLS_PROFILE_COMPAT && tls_server_null_possible(o)
		       ? " (NULL suites on for Windows 8+ clients)"
		       : "",
		   gwconf_auth_name(c->auth),
		   o->client_ca.len ? ", client certificates requested" : "",
		   ident_any(rules) ? ", identity rules set" : "");
	if (c->tls_profile == TLS_PROFILE_COMPAT && !tls_server_null_possible(o))
		log_warnx("tls: profile compat without an RSA certificate: the NULL suites cannot "
			  "be negotiated, NULL-only clients are reset");
}

int gwtls_load(struct gw *gw, const struct gwconf *c, const struct gwfiles *f)
{
	struct tls_server_opts o;
	struct ident_rules rules;
	char err[512];
	SSL_CTX *ctx;

	gwfiles_tls_opts(f, c, &o);
	if (gwfiles_ident(f, c, &rules, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	ctx = tls_server_ctx_new(&o, err, sizeof(err));
	if (!ctx) {
		log_warnx("tls: %s", err);
		ident_free(&rules);
		return -1;
	}
	SSL_CTX_free(gw->ssl_ctx);
	gw->ssl_ctx = ctx;
	ident_free(&gw->ident);
	gw->ident = rules;
	gwtls_infos(gw, &o);
	gwtls_announce(c, &o, &gw->ident);
	gwtls_warn_expiry(gw, time(NULL));
	return 0;
}

bool gwtls_expiring(const struct gw *gw, size_t i, time_t now)
{
	return i < gw->ncerts && gw->certs[i].not_after != 0 &&
	       tls_cert_days_left(&gw->certs[i], now) < GWTLS_EXPIRY_WARN_DAYS;
}

size_t gwtls_warn_expiry(const struct gw *gw, time_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < gw->ncerts; i++) {
		long days = tls_cert_days_left(&gw->certs[i], now);

		if (!gwtls_expiring(gw, i, now))
			continue;
		n++;
		if (days < 0)
			log_warnx("certificate %s HAS EXPIRED: clients refuse it (Windows: "
				  "0x800B0101); renew it and send SIGHUP",
				  gw->certs[i].subject);
		else
			log_warnx("certificate %s expires in %ld days: renew it and send SIGHUP",
				  gw->certs[i].subject, days);
	}
	return n;
}

void gwtls_free(struct gw *gw)
{
	SSL_CTX_free(gw->ssl_ctx);
	gw->ssl_ctx = NULL;
	ident_free(&gw->ident);
}
