/* SPDX-License-Identifier: ISC */
/*
 * gwconf_int: what gwconf.c (defaults, core keys, tables, printing) and gwconf_sec.c (the TLS,
 * client-authentication, balancer and unauthenticated-client keys of issue #4) share: the state
 * of one parse, the value helpers and the per-key functions the tables in gwconf.c name.
 * Internal to the configuration module; nothing outside iphttpsd/gwconf*.c includes it.
 */
#ifndef IPHTTPSD_GWCONF_INT_H
#define IPHTTPSD_GWCONF_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "iphttpsd/gwconf.h"
#include "lib/conf.h"

/* A repeatable key whose first line in a file replaces the defaults, and that takes a word
 * ("none", "auto" or "any") for the empty list. */
struct gwconf_list {
	bool given;	    /* seen in this parse: the defaults are gone */
	unsigned none_line; /* line of "KEY none", 0 if not given */
	unsigned item_line; /* first line with a real value */
};

/* State of one gwconf_parse run; lives on its stack. */
struct gwconf_ctx {
	struct gwconf *c;
	struct conf *cf;
	struct gwconf_list listen, listen_http, route;
	unsigned listen_line[GWCONF_MAX_LISTEN];
	unsigned listen_http_line[GWCONF_MAX_LISTEN];
	unsigned route_line[LINK_MAX_ROUTES];
	/* certificate and key lines are counted apart and paired by gwconf_sec_check */
	struct gwconf_list certificate, key, client_crl, client_name, unauth_allow, trusted_proxy;
	size_t ncertificate, nkey;
	unsigned certificate_line[GWCONF_MAX_CERTS], key_line[GWCONF_MAX_CERTS];
	unsigned crl_line[GWCONF_MAX_CRLS];
	unsigned proxy_line[GWCONF_MAX_PROXIES];
};

/* Number limits for one key. */
struct gwconf_range {
	uint32_t lo, hi;
	bool zero_off; /* 0 is allowed outside lo..hi and disables the feature */
	bool infinity; /* the word "infinity" stands for GWCONF_INFINITY */
};

/* ---- helpers in gwconf.c ---- */

/* conf_vis into a CONF_VIS_MAX buffer. */
const char *gwconf_vis(const char *s, char *buf);
bool gwconf_is_alnum(char ch);
int gwconf_num(const struct conf_line *l, const char *what, const char *word,
	       const struct gwconf_range *r, uint32_t *out);
int gwconf_num_arg(const struct conf_line *l, const struct gwconf_range *r, uint32_t *out);
int gwconf_bool(const struct conf_line *l, bool *out);
/* An absolute path that fits `size` bytes. */
int gwconf_abspath(const struct conf_line *l, char *dst, size_t size);
/*
 * First step of every repeatable key: the first line in a file drops the defaults (*count = 0),
 * and the word for the empty list (`empty`: "none", "auto", "any") stands alone. Returns 1 when
 * the line was that word (nothing more to do), 0 for a value, -1 after an error.
 */
int gwconf_list_step(struct gwconf_list *ls, const struct conf_line *l, size_t *count,
		     const char *empty);
/* A refused line of either key: whole-file checks about them stay quiet. */
bool gwconf_any_failed(const struct conf *cf, const char *a, const char *b);
void gwconf_print_kv(FILE *out, const char *key, const char *word);
void gwconf_print_u32(FILE *out, const char *key, uint32_t v);
void gwconf_print_bool(FILE *out, const char *key, bool v);

/* ---- gwconf_sec.c: keys (parse, then print) ---- */

void gwconf_sec_defaults(struct gwconf *c);
/* Before the first line: certificate and key counts start from what *c holds. */
void gwconf_sec_begin(struct gwconf_ctx *x);
/* After the last line: pairing, auth, identity and balancer checks across keys. */
void gwconf_sec_check(struct gwconf_ctx *x);
/* The referenced files (certificates, keys, client CA, CRLs, allow-list). Returns errors. */
int gwconf_sec_check_files(const struct gwconf *c);

int gwconf_sec_certificate(void *arg, struct conf_line *l);
int gwconf_sec_key(void *arg, struct conf_line *l);
int gwconf_sec_tls_profile(void *arg, struct conf_line *l);
int gwconf_sec_auth(void *arg, struct conf_line *l);
int gwconf_sec_client_ca(void *arg, struct conf_line *l);
int gwconf_sec_client_crl(void *arg, struct conf_line *l);
int gwconf_sec_client_name(void *arg, struct conf_line *l);
int gwconf_sec_client_names(void *arg, struct conf_line *l);
int gwconf_sec_trusted_proxy(void *arg, struct conf_line *l);
int gwconf_sec_identity_header(void *arg, struct conf_line *l);
int gwconf_sec_unauth_allow(void *arg, struct conf_line *l);
int gwconf_sec_client_isolation(void *arg, struct conf_line *l);
int gwconf_sec_max_conn_per_source(void *arg, struct conf_line *l);
int gwconf_sec_handshake_rate(void *arg, struct conf_line *l);
int gwconf_sec_client_icmp_rate(void *arg, struct conf_line *l);

void gwconf_sec_p_certificate(const struct gwconf *c, FILE *out);
void gwconf_sec_p_key(const struct gwconf *c, FILE *out);
void gwconf_sec_p_tls_profile(const struct gwconf *c, FILE *out);
void gwconf_sec_p_auth(const struct gwconf *c, FILE *out);
void gwconf_sec_p_client_ca(const struct gwconf *c, FILE *out);
void gwconf_sec_p_client_crl(const struct gwconf *c, FILE *out);
void gwconf_sec_p_client_name(const struct gwconf *c, FILE *out);
void gwconf_sec_p_client_names(const struct gwconf *c, FILE *out);
void gwconf_sec_p_trusted_proxy(const struct gwconf *c, FILE *out);
void gwconf_sec_p_identity_header(const struct gwconf *c, FILE *out);
void gwconf_sec_p_unauth_allow(const struct gwconf *c, FILE *out);
void gwconf_sec_p_client_isolation(const struct gwconf *c, FILE *out);
void gwconf_sec_p_max_conn_per_source(const struct gwconf *c, FILE *out);
void gwconf_sec_p_handshake_rate(const struct gwconf *c, FILE *out);
void gwconf_sec_p_client_icmp_rate(const struct gwconf *c, FILE *out);

#endif
