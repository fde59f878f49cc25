/* SPDX-License-Identifier: ISC */
/*
 * gwconf_sec: the configuration keys of issue #4: certificate/key pairs, the TLS profile, the
 * Authentication Mode and what decides who is authenticated (client CA, CRLs, name rules), the
 * load-balancer keys (trusted-proxy, identity-header), the policy for unauthenticated clients
 * and the per-source limits; their checks across keys and the files they name. It validates
 * values only: reading the CA, CRL and allow-list files, and applying any of it, is the
 * daemon's work. Part of gwconf (gwconf_int.h); the key tables are in gwconf.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iphttpsd/gwconf.h"
#include "iphttpsd/gwconf_int.h"
#include "lib/addr.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "proto/acl.h"
#include "proto/ident.h"

static const char *const gwconf_sec_profiles[] = {
    [TLS_PROFILE_MODERN] = "modern",
    [TLS_PROFILE_COMPAT] = "compat",
    [TLS_PROFILE_STRICT] = "strict",
};

#define GWCONF_SEC_NPROFILES (sizeof(gwconf_sec_profiles) / sizeof(gwconf_sec_profiles[0]))

void gwconf_sec_defaults(struct gwconf *c)
{
	c->tls_profile = TLS_PROFILE_MODERN;
	c->auth = GWCONF_AUTH_NONE;
	c->max_conn_per_source = 64;
	/* A Windows client makes one handshake per attempt and backs off ([MS-IPHTTPS]
	 * §3.1.2.1); 20 per second still lets a NAT with many clients reconnect at once. */
	c->handshake_rate = 20;
	c->client_icmp_rate = 100;
	snprintf(c->identity_header, sizeof(c->identity_header), "X-Client-Identity");
}

void gwconf_sec_begin(struct gwconf_ctx *x)
{
	size_t n = x->c->ncert <= GWCONF_MAX_CERTS ? x->c->ncert : GWCONF_MAX_CERTS;

	x->ncertificate = n;
	x->nkey = n;
}

/* ---- certificate and key pairs ---- */

/* One line of a certificate or key list: "auto" (the self-signed pair) or an absolute path,
 * up to GWCONF_MAX_CERTS, no path twice. */
static int gwconf_sec_pair_path(struct gwconf_list *ls, struct conf_line *l, char (*arr)[PATH_MAX],
				size_t *n, unsigned *lines)
{
	char vis[CONF_VIS_MAX];
	int rc = gwconf_list_step(ls, l, n, "auto");

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (*n >= GWCONF_MAX_CERTS)
		return conf_line_error(l, "%s: more than %d (one RSA and one ECDSA pair)", l->key,
				       GWCONF_MAX_CERTS);
	if (gwconf_abspath(l, arr[*n], PATH_MAX) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(arr[i], arr[*n]) == 0)
			return conf_line_error(l, "%s: %s is already given on line %u", l->key,
					       gwconf_vis(arr[*n], vis), lines[i]);
	lines[(*n)++] = l->lineno;
	return 0;
}

int gwconf_sec_certificate(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_sec_pair_path(&x->certificate, l, x->c->certificate, &x->ncertificate,
				    x->certificate_line);
}

int gwconf_sec_key(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_sec_pair_path(&x->key, l, x->c->key, &x->nkey, x->key_line);
}

/* Certificate #i goes with key #i; the counts must match. */
static void gwconf_sec_check_pairs(struct gwconf_ctx *x)
{
	unsigned cl = conf_key_line(x->cf, "certificate"), kl = conf_key_line(x->cf, "key");
	size_t nc = x->ncertificate, nk = x->nkey;

	x->c->ncert = nc < nk ? nc : nk;
	if (nc == nk || gwconf_any_failed(x->cf, "certificate", "key"))
		return;
	if (nc == 0 || nk == 0)
		conf_error(x->cf, cl ? cl : kl, "certificate and key must be given together");
	else
		conf_error(x->cf, cl ? cl : kl,
			   "%zu certificate(s) but %zu key(s): each certificate needs its key, in "
			   "the same order",
			   nc, nk);
}

/* ---- TLS profile and Authentication Mode ---- */

int gwconf_sec_tls_profile(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	char vis[CONF_VIS_MAX];

	for (size_t i = 0; i < GWCONF_SEC_NPROFILES; i++) {
		if (strcmp(l->argv[0], gwconf_sec_profiles[i]) == 0) {
			x->c->tls_profile = (enum tls_profile)i;
			return 0;
		}
	}
	return conf_line_error(l, "tls-profile: '%s' is not compat, modern or strict",
			       gwconf_vis(l->argv[0], vis));
}

/* [MS-IPHTTPS] §3.2.1: Authentication Mode None or Certificates. */
int gwconf_sec_auth(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	char vis[CONF_VIS_MAX];

	if (strcmp(l->argv[0], "none") == 0)
		x->c->auth = GWCONF_AUTH_NONE;
	else if (strcmp(l->argv[0], "certificates") == 0)
		x->c->auth = GWCONF_AUTH_CERTIFICATES;
	else
		return conf_line_error(l, "auth: '%s' is not none or certificates",
				       gwconf_vis(l->argv[0], vis));
	return 0;
}

/* "none" (stored as "") or an absolute path. */
static int gwconf_sec_none_path(const struct conf_line *l, char *dst, size_t size)
{
	if (strcmp(l->argv[0], "none") == 0) {
		dst[0] = '\0';
		return 0;
	}
	return gwconf_abspath(l, dst, size);
}

int gwconf_sec_client_ca(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_sec_none_path(l, x->c->client_ca, sizeof(x->c->client_ca));
}

int gwconf_sec_client_crl(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	struct gwconf *c = x->c;
	char vis[CONF_VIS_MAX];
	int rc = gwconf_list_step(&x->client_crl, l, &c->ncrl, "none");

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (c->ncrl >= GWCONF_MAX_CRLS)
		return conf_line_error(l, "client-crl: more than %d files", GWCONF_MAX_CRLS);
	if (gwconf_abspath(l, c->client_crl[c->ncrl], sizeof(c->client_crl[0])) < 0)
		return -1;
	for (size_t i = 0; i < c->ncrl; i++)
		if (strcmp(c->client_crl[i], c->client_crl[c->ncrl]) == 0)
			return conf_line_error(l, "client-crl: %s is already given on line %u",
					       gwconf_vis(c->client_crl[i], vis), x->crl_line[i]);
	x->crl_line[c->ncrl++] = l->lineno;
	return 0;
}

/* A name or pattern as proto/ident accepts it (one scratch rule set, freed at once). */
static int gwconf_sec_ident_check(const struct conf_line *l, const char *pattern)
{
	struct ident_rules r;
	char err[128], vis[CONF_VIS_MAX];
	int rc;

	ident_init(&r);
	rc = ident_add(&r, pattern, err, sizeof(err));
	ident_free(&r);
	if (rc < 0)
		return conf_line_error(l, "%s: '%s': %s", l->key, gwconf_vis(pattern, vis), err);
	return 0;
}

int gwconf_sec_client_name(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	struct gwconf *c = x->c;
	const char *s = l->argv[0];
	int rc = gwconf_list_step(&x->client_name, l, &c->nclient_name, "any");

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (c->nclient_name >= GWCONF_MAX_NAMES)
		return conf_line_error(l,
				       "client-name: more than %d patterns (put long lists in a "
				       "client-names file)",
				       GWCONF_MAX_NAMES);
	if (gwconf_sec_ident_check(l, s) < 0)
		return -1;
	if (strlen(s) >= sizeof(c->client_name[0]))
		return conf_line_error(l, "client-name: longer than %zu characters",
				       sizeof(c->client_name[0]) - 1);
	snprintf(c->client_name[c->nclient_name++], sizeof(c->client_name[0]), "%s", s);
	return 0;
}

int gwconf_sec_client_names(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_sec_none_path(l, x->c->client_names, sizeof(x->c->client_names));
}

/* ---- load balancers ---- */

static bool gwconf_sec_is_everything(const struct in6_addr *a, uint8_t plen)
{
	return plen == 0 || (plen == 96 && IN6_IS_ADDR_V4MAPPED(a));
}

static int gwconf_sec_net_error(const struct conf_line *l, const char *word, int rc,
				struct in6_addr a, uint8_t plen)
{
	char vis[CONF_VIS_MAX], fix[ADDR_STRLEN];

	if (rc != ADDR_EHOSTBITS)
		return conf_line_error(l, "%s: '%s': %s", l->key, gwconf_vis(word, vis),
				       addr_strerror(rc));
	addr_prefix6_mask(&a, plen);
	return conf_line_error(l, "%s: %s has bits set past the prefix length (did you mean %s?)",
			       l->key, gwconf_vis(word, vis),
			       addr_format_net(&a, plen, fix, sizeof(fix)));
}

int gwconf_sec_trusted_proxy(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	struct gwconf *c = x->c;
	struct gwconf_net net;
	char buf[ADDR_STRLEN];
	int rc = gwconf_list_step(&x->trusted_proxy, l, &c->ntrusted_proxy, "none");

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (c->ntrusted_proxy >= GWCONF_MAX_PROXIES)
		return conf_line_error(l, "trusted-proxy: more than %d networks",
				       GWCONF_MAX_PROXIES);
	memset(&net, 0, sizeof(net));
	if ((rc = addr_parse_net(l->argv[0], &net.addr, &net.plen)) < 0)
		return gwconf_sec_net_error(l, l->argv[0], rc, net.addr, net.plen);
	addr_format_net(&net.addr, net.plen, buf, sizeof(buf));
	/* Whoever is trusted here may claim any client identity and any source address. */
	if (gwconf_sec_is_everything(&net.addr, net.plen))
		return conf_line_error(l,
				       "trusted-proxy: %s would let every address claim client "
				       "identities; name the balancers",
				       buf);
	for (size_t i = 0; i < c->ntrusted_proxy; i++)
		if (c->trusted_proxy[i].plen == net.plen &&
		    memcmp(&c->trusted_proxy[i].addr, &net.addr, sizeof(net.addr)) == 0)
			return conf_line_error(l, "trusted-proxy: %s is already given on line %u",
					       buf, x->proxy_line[i]);
	x->proxy_line[c->ntrusted_proxy] = l->lineno;
	c->trusted_proxy[c->ntrusted_proxy++] = net;
	return 0;
}

/* RFC 9110 §5.6.2 tchar. */
static bool gwconf_sec_tchar(char ch)
{
	return gwconf_is_alnum(ch) || (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* ASCII case-insensitive equality (field names, RFC 9110 §5.1), whatever the locale. */
static bool gwconf_sec_name_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
		char cb = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;

		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
}

/* Fields that frame or route the request itself (RFC 9112 §6, RFC 9110 §7.2, §7.6.1). */
static const char *const gwconf_sec_reserved[] = {"Host", "Content-Length", "Transfer-Encoding",
						  "Connection"};

/* RFC 9110 §5.1: a field name is a token. */
int gwconf_sec_identity_header(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	const char *s = l->argv[0];
	char vis[CONF_VIS_MAX];
	size_t n = strlen(s);

	if (n == 0)
		return conf_line_error(l, "identity-header: must not be empty");
	if (n >= sizeof(x->c->identity_header))
		return conf_line_error(l, "identity-header: %zu characters, the limit is %zu", n,
				       sizeof(x->c->identity_header) - 1);
	for (size_t i = 0; i < n; i++)
		if (!gwconf_sec_tchar(s[i]))
			return conf_line_error(l,
					       "identity-header: '%s' is not a header field name "
					       "(RFC 9110 §5.1 token characters)",
					       gwconf_vis(s, vis));
	for (size_t i = 0; i < sizeof(gwconf_sec_reserved) / sizeof(gwconf_sec_reserved[0]); i++)
		if (gwconf_sec_name_eq(s, gwconf_sec_reserved[i]))
			return conf_line_error(l,
					       "identity-header: %s is a field the request "
					       "itself needs",
					       gwconf_sec_reserved[i]);
	memcpy(x->c->identity_header, s, n + 1);
	return 0;
}

/* ---- unauthenticated clients ---- */

/* A rule that every packet matches: the same as no allow-list at all. */
static bool gwconf_sec_rule_is_any(const struct acl_rule *r)
{
	return r->to_len == 0 && r->proto < 0 && r->port_lo == 0 && r->port_hi == 65535 &&
	       r->type_lo == 0 && r->type_hi == 255;
}

/*
 * The empty list is written "unauth-allow any" (no restriction, Windows' behaviour), never
 * "none", which would read as "allow nothing" while it allowed everything.
 */
int gwconf_sec_unauth_allow(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	struct acl *a = &x->c->unauth_allow;
	struct acl_rule r;
	char err[160];
	int rc;

	if (strcmp(l->argv[0], "none") == 0 && l->argc == 1)
		return conf_line_error(l, "unauth-allow: 'none' is ambiguous: 'unauth-allow any' "
					  "lets unauthenticated clients reach everything; to admit "
					  "no unauthenticated client use auth certificates");
	rc = gwconf_list_step(&x->unauth_allow, l, &a->n, "any");
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (a->n >= ACL_MAX_RULES)
		return conf_line_error(l, "unauth-allow: more than %d rules", ACL_MAX_RULES);
	memset(&r, 0, sizeof(r));
	if (acl_rule_parse(&r, l->argv, (size_t)l->argc, err, sizeof(err)) < 0)
		return conf_line_error(l, "unauth-allow: %s", err);
	if (gwconf_sec_rule_is_any(&r))
		return conf_line_error(l, "unauth-allow: this rule matches every packet; write "
					  "'unauth-allow any' alone for no restriction");
	a->rules[a->n++] = r;
	return 0;
}

int gwconf_sec_client_isolation(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_bool(l, &x->c->client_isolation);
}

/* ---- per-source limits (0: unlimited) ---- */

int gwconf_sec_max_conn_per_source(void *arg, struct conf_line *l)
{
	static const struct gwconf_range r = {.lo = 0, .hi = 1000000};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->max_conn_per_source);
}

int gwconf_sec_handshake_rate(void *arg, struct conf_line *l)
{
	static const struct gwconf_range r = {.lo = 0, .hi = 1000000};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->handshake_rate);
}

int gwconf_sec_client_icmp_rate(void *arg, struct conf_line *l)
{
	static const struct gwconf_range r = {.lo = 0, .hi = 1000000};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->client_icmp_rate);
}

/* ---- checks across keys ---- */

/* auth certificates: every listener must have a way to learn who the client is. */
static void gwconf_sec_check_auth(struct gwconf_ctx *x)
{
	const struct gwconf *c = x->c;
	struct conf *cf = x->cf;
	unsigned line = conf_key_line(cf, "auth");

	if (c->auth != GWCONF_AUTH_CERTIFICATES || conf_key_failed(cf, "auth"))
		return;
	if (c->nlisten > 0 && c->client_ca[0] == '\0' && !conf_key_failed(cf, "client-ca"))
		conf_error(cf, line,
			   "auth certificates needs client-ca: TLS listeners verify client "
			   "certificates against that CA bundle");
	/* Plain HTTP carries no certificate: the balancer's identity-header is the only proof,
	 * and it counts only from a trusted-proxy address. */
	if (c->nlisten_http > 0 && c->ntrusted_proxy == 0 &&
	    !gwconf_any_failed(cf, "trusted-proxy", "listen-http"))
		conf_error(cf, line,
			   "auth certificates with listen-http needs a trusted-proxy: clients "
			   "there are identified only by identity-header from a balancer");
}

/* Revocation lists and name rules narrow a verification that must happen somewhere. */
static void gwconf_sec_check_identity(struct gwconf_ctx *x)
{
	const struct gwconf *c = x->c;
	struct conf *cf = x->cf;

	if (c->client_ca[0] != '\0' || conf_key_failed(cf, "client-ca"))
		return;
	if (c->ncrl > 0 && !conf_key_failed(cf, "client-crl"))
		conf_error(cf, conf_key_line(cf, "client-crl"),
			   "client-crl has no effect without client-ca");
	/* Behind a TLS-terminating balancer the names come from identity-header instead. */
	if (c->nlisten_http > 0)
		return;
	if (c->nclient_name > 0 && !conf_key_failed(cf, "client-name"))
		conf_error(cf, conf_key_line(cf, "client-name"),
			   "client-name has no effect without client-ca or listen-http");
	if (c->client_names[0] != '\0' && !conf_key_failed(cf, "client-names"))
		conf_error(cf, conf_key_line(cf, "client-names"),
			   "client-names has no effect without client-ca or listen-http");
}

/* A PROXY header is believed only from a trusted-proxy address. */
static void gwconf_sec_check_proxy(struct gwconf_ctx *x)
{
	const struct gwconf *c = x->c;
	size_t n = c->nlisten + c->nlisten_http;

	if (c->ntrusted_proxy > 0 || conf_key_failed(x->cf, "trusted-proxy"))
		return;
	for (size_t i = 0; i < n && i < 2 * GWCONF_MAX_LISTEN; i++) {
		bool tls = i < c->nlisten;
		size_t j = tls ? i : i - c->nlisten;
		const struct gwconf_listen *ls = tls ? &c->listen[j] : &c->listen_http[j];

		if (!ls->proxy_protocol)
			continue;
		conf_error(x->cf, tls ? x->listen_line[j] : x->listen_http_line[j],
			   "%s: proxy-protocol needs a trusted-proxy (the balancer's address)",
			   tls ? "listen" : "listen-http");
		return;
	}
}

void gwconf_sec_check(struct gwconf_ctx *x)
{
	gwconf_sec_check_pairs(x);
	gwconf_sec_check_auth(x);
	gwconf_sec_check_identity(x);
	gwconf_sec_check_proxy(x);
}

/* ---- printing ---- */

static void gwconf_sec_print_paths(FILE *out, const char *key, const char (*arr)[PATH_MAX],
				   size_t n, size_t max, const char *empty)
{
	if (n == 0)
		gwconf_print_kv(out, key, empty);
	for (size_t i = 0; i < n && i < max; i++)
		gwconf_print_kv(out, key, arr[i]);
}

void gwconf_sec_p_certificate(const struct gwconf *c, FILE *out)
{
	gwconf_sec_print_paths(out, "certificate", c->certificate, c->ncert, GWCONF_MAX_CERTS,
			       "auto");
}

void gwconf_sec_p_key(const struct gwconf *c, FILE *out)
{
	gwconf_sec_print_paths(out, "key", c->key, c->ncert, GWCONF_MAX_CERTS, "auto");
}

void gwconf_sec_p_tls_profile(const struct gwconf *c, FILE *out)
{
	size_t i = (size_t)c->tls_profile;

	gwconf_print_kv(out, "tls-profile",
			i < GWCONF_SEC_NPROFILES ? gwconf_sec_profiles[i] : "modern");
}

void gwconf_sec_p_auth(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "auth", gwconf_auth_name(c->auth));
}

void gwconf_sec_p_client_ca(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "client-ca", c->client_ca[0] ? c->client_ca : "none");
}

void gwconf_sec_p_client_crl(const struct gwconf *c, FILE *out)
{
	gwconf_sec_print_paths(out, "client-crl", c->client_crl, c->ncrl, GWCONF_MAX_CRLS, "none");
}

void gwconf_sec_p_client_name(const struct gwconf *c, FILE *out)
{
	if (c->nclient_name == 0)
		gwconf_print_kv(out, "client-name", "any");
	for (size_t i = 0; i < c->nclient_name && i < GWCONF_MAX_NAMES; i++)
		gwconf_print_kv(out, "client-name", c->client_name[i]);
}

void gwconf_sec_p_client_names(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "client-names", c->client_names[0] ? c->client_names : "none");
}

void gwconf_sec_p_trusted_proxy(const struct gwconf *c, FILE *out)
{
	char buf[ADDR_STRLEN];

	if (c->ntrusted_proxy == 0)
		fputs("trusted-proxy none\n", out);
	for (size_t i = 0; i < c->ntrusted_proxy && i < GWCONF_MAX_PROXIES; i++)
		fprintf(out, "trusted-proxy %s\n",
			addr_format_net(&c->trusted_proxy[i].addr, c->trusted_proxy[i].plen, buf,
					sizeof(buf)));
}

void gwconf_sec_p_identity_header(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "identity-header", c->identity_header);
}

void gwconf_sec_p_unauth_allow(const struct gwconf *c, FILE *out)
{
	char buf[ACL_TEXT_MAX];

	if (c->unauth_allow.n == 0)
		fputs("unauth-allow any\n", out);
	for (size_t i = 0; i < c->unauth_allow.n && i < ACL_MAX_RULES; i++)
		fprintf(out, "unauth-allow %s\n",
			acl_rule_format(&c->unauth_allow.rules[i], buf, sizeof(buf)));
}

void gwconf_sec_p_client_isolation(const struct gwconf *c, FILE *out)
{
	gwconf_print_bool(out, "client-isolation", c->client_isolation);
}

void gwconf_sec_p_max_conn_per_source(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "max-conn-per-source", c->max_conn_per_source);
}

void gwconf_sec_p_handshake_rate(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "handshake-rate", c->handshake_rate);
}

void gwconf_sec_p_client_icmp_rate(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "client-icmp-rate", c->client_icmp_rate);
}

/* ---- files ---- */

/* An existing regular file this process can open for reading; one message per problem. */
static int gwconf_sec_check_readable(const char *what, const char *path)
{
	struct stat st;
	int fd;

	if (stat(path, &st) == -1) {
		log_errx("%s: %s: %s", what, path, strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		log_errx("%s: %s: not a regular file", what, path);
		return 1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		log_errx("%s: %s: %s", what, path, strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

int gwconf_sec_check_files(const struct gwconf *c)
{
	char err[256];
	int errors = 0;

	for (size_t i = 0; i < c->ncert && i < GWCONF_MAX_CERTS; i++) {
		errors += gwconf_sec_check_readable("certificate", c->certificate[i]);
		if (conf_check_secrecy(c->key[i], err, sizeof(err)) < 0) {
			log_errx("key: %s: %s", c->key[i], err);
			errors++;
		}
	}
	if (c->client_ca[0])
		errors += gwconf_sec_check_readable("client-ca", c->client_ca);
	for (size_t i = 0; i < c->ncrl && i < GWCONF_MAX_CRLS; i++)
		errors += gwconf_sec_check_readable("client-crl", c->client_crl[i]);
	if (c->client_names[0])
		errors += gwconf_sec_check_readable("client-names", c->client_names);
	return errors;
}
