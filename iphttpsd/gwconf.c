/* SPDX-License-Identifier: ISC */
/*
 * gwconf: the gateway configuration: defaults, one small parse function per key behind the
 * lib/conf directive table, the checks that need the whole file, the normalised printout and
 * the file checks behind `iphttpsd -n`. It reads no files while parsing (the caller hands the
 * text in) and keeps no allocation past a line, so it can run again on every SIGHUP and under a
 * fuzzer. The keys of client authentication, TLS policy, balancers and unauthenticated clients
 * live in gwconf_sec.c; both tables below list every key.
 */
#include "iphttpsd/gwconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "iphttpsd/gwconf_int.h"
#include "lib/addr.h"
#include "lib/conf.h"
#include "lib/file.h"
#include "lib/log.h"

#define GWCONF_INFINITY 0xffffffffu /* RFC 4861 §4.6.2, RFC 4191 §2.3: all ones is infinity */
#define GWCONF_TLS_PORT 443
#define GWCONF_USER_MAX 32 /* shadow-utils' user name limit */
#define GWCONF_SUN_PATH sizeof(((struct sockaddr_un *)0)->sun_path)

/* ---- defaults ---- */

void gwconf_defaults(struct gwconf *c)
{
	memset(c, 0, sizeof(*c));
	addr_parse_sockaddr("0.0.0.0", GWCONF_TLS_PORT, &c->listen[0].ss, &c->listen[0].len);
	addr_parse_sockaddr("[::]", GWCONF_TLS_PORT, &c->listen[1].ss, &c->listen[1].len);
	c->nlisten = 2;
	snprintf(c->path, sizeof(c->path), "/IPHTTPS");
	c->accept_iptls = true;
	snprintf(c->server_header, sizeof(c->server_header), "Microsoft-HTTPAPI/2.0");
	snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/iphttpsd");
	c->mtu = LINK_MIN_MTU; /* [MS-IPHTTPS] §3.2.3.1 */
	snprintf(c->tun, sizeof(c->tun), "iphttps0");
	c->prefix_len = 64;
	c->workers = 1;
	c->tun_offload = true;
	c->router_lifetime = 1800; /* RFC 4861 §6.2.1: 3 * MaxRtrAdvInterval */
	c->valid_lifetime = 86400;
	c->preferred_lifetime = 14400;
	c->ra_interval = 600; /* RFC 4861 §6.2.1 MaxRtrAdvInterval default */
	snprintf(c->control, sizeof(c->control), "/run/iphttpsd.sock");
	c->log_level = LOG_LVL_INFO;
	c->max_clients = 100000;
	c->handshake_timeout = 10;
	c->head_timeout = 10;
	c->client_queue = 65536;
	c->icmp_error_rate = 100;
	/* Each NS goes down every connection (see struct link_cfg): 10/s is 10 NS per second
	 * per client at worst. */
	c->nd_resolve_rate = 10;
	c->tcp_keepalive = 60;
	c->tcp_user_timeout = 120;
	gwconf_sec_defaults(c);
}

/* ---- value helpers ---- */

const char *gwconf_vis(const char *s, char *buf)
{
	return conf_vis(s, buf, CONF_VIS_MAX);
}

static bool gwconf_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* ASCII only, whatever the locale. */
bool gwconf_is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || gwconf_is_digit(ch);
}

/* Decimal digits only (no sign, space or locale); values past 32 bits saturate. */
static int gwconf_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (!gwconf_is_digit(*s))
			return -1;
		if (v <= UINT32_MAX)
			v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Parses `word` for the key named `what` within r, with messages naming the key. */
int gwconf_num(const struct conf_line *l, const char *what, const char *word,
	       const struct gwconf_range *r, uint32_t *out)
{
	char vis[CONF_VIS_MAX];
	uint64_t v;

	if (r->infinity && strcmp(word, "infinity") == 0) {
		*out = GWCONF_INFINITY;
		return 0;
	}
	if (gwconf_digits(word, &v) < 0)
		return conf_line_error(l, "%s: '%s' is not a number%s", what, gwconf_vis(word, vis),
				       r->infinity ? " or infinity" : "");
	if (r->zero_off && v == 0) {
		*out = 0;
		return 0;
	}
	if (v < r->lo)
		return conf_line_error(l, "%s: %s is below the minimum %u%s", what,
				       gwconf_vis(word, vis), r->lo,
				       r->zero_off ? " (0 disables)" : "");
	if (v > r->hi)
		return conf_line_error(l, "%s: %s is above the maximum %u", what,
				       gwconf_vis(word, vis), r->hi);
	*out = (uint32_t)v;
	return 0;
}

/* The single argument of a numeric key. */
int gwconf_num_arg(const struct conf_line *l, const struct gwconf_range *r, uint32_t *out)
{
	return gwconf_num(l, l->key, l->argv[0], r, out);
}

int gwconf_bool(const struct conf_line *l, bool *out)
{
	char vis[CONF_VIS_MAX];

	if (strcmp(l->argv[0], "yes") == 0)
		*out = true;
	else if (strcmp(l->argv[0], "no") == 0)
		*out = false;
	else
		return conf_line_error(l, "%s: '%s' is not yes or no", l->key,
				       gwconf_vis(l->argv[0], vis));
	return 0;
}

/* An absolute path that fits `size` bytes. */
int gwconf_abspath(const struct conf_line *l, char *dst, size_t size)
{
	const char *s = l->argv[0];
	char vis[CONF_VIS_MAX];
	size_t n = strlen(s);

	if (s[0] != '/')
		return conf_line_error(l, "%s: '%s' is not an absolute path", l->key,
				       gwconf_vis(s, vis));
	if (n >= size)
		return conf_line_error(l, "%s: path is %zu bytes, the limit is %zu", l->key, n,
				       size - 1);
	memcpy(dst, s, n + 1);
	return 0;
}

int gwconf_list_step(struct gwconf_list *ls, const struct conf_line *l, size_t *count,
		     const char *empty)
{
	bool none = strcmp(l->argv[0], empty) == 0;

	if (!ls->given) {
		ls->given = true;
		*count = 0;
	}
	if (none && l->argc > 1)
		return conf_line_error(l, "%s: %s takes no other arguments", l->key, empty);
	if (none ? ls->item_line != 0 : ls->none_line != 0)
		return conf_line_error(l, "%s: %s cannot be combined with values (line %u)", l->key,
				       empty, none ? ls->item_line : ls->none_line);
	if (none) {
		ls->none_line = l->lineno;
		return 1;
	}
	if (ls->item_line == 0)
		ls->item_line = l->lineno;
	return 0;
}

/* ---- listeners ---- */

/*
 * The word after the address. "proxy-protocol": the connection starts with a PROXY protocol v2
 * header from a load balancer (haproxy's proxy-protocol.txt §2.2), so the gateway sees the real
 * client address; gwconf_sec_check requires a trusted-proxy for it.
 */
static int gwconf_listen_option(const struct conf_line *l, struct gwconf_listen *one)
{
	char vis[CONF_VIS_MAX];

	one->proxy_protocol = false;
	if (l->argc < 2)
		return 0;
	if (strcmp(l->argv[1], "proxy-protocol") != 0)
		return conf_line_error(l, "%s: unknown option '%s' (proxy-protocol)", l->key,
				       gwconf_vis(l->argv[1], vis));
	one->proxy_protocol = true;
	return 0;
}

static int gwconf_add_listener(const struct conf_line *l, struct gwconf_listen *arr, size_t *n,
			       unsigned *lines, uint16_t default_port)
{
	struct gwconf_listen one;
	char vis[CONF_VIS_MAX];
	int rc;

	if (*n == GWCONF_MAX_LISTEN)
		return conf_line_error(l, "%s: more than %d addresses", l->key, GWCONF_MAX_LISTEN);
	memset(&one, 0, sizeof(one));
	rc = addr_parse_sockaddr(l->argv[0], default_port, &one.ss, &one.len);
	if (rc < 0)
		return conf_line_error(l, "%s: '%s': %s", l->key, gwconf_vis(l->argv[0], vis),
				       addr_strerror(rc));
	if (gwconf_listen_option(l, &one) < 0)
		return -1;
	lines[*n] = l->lineno;
	arr[(*n)++] = one;
	return 0;
}

static int gwconf_listen(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	int rc = gwconf_list_step(&x->listen, l, &x->c->nlisten, "none");

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return gwconf_add_listener(l, x->c->listen, &x->c->nlisten, x->listen_line,
				   GWCONF_TLS_PORT);
}

static int gwconf_listen_http(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	struct gwconf *c = x->c;
	char buf[ADDR_STRLEN];
	const struct sockaddr *sa;
	int rc = gwconf_list_step(&x->listen_http, l, &c->nlisten_http, "none");

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (gwconf_add_listener(l, c->listen_http, &c->nlisten_http, x->listen_http_line, 0) < 0)
		return -1;
	/*
	 * Plain HTTP carries the link without TLS ([MS-IPHTTPS] §1.3, §5.1): only the address the
	 * TLS-terminating balancer reaches may hear it, never every interface.
	 */
	sa = (const struct sockaddr *)&c->listen_http[c->nlisten_http - 1].ss;
	if (addr_is_wildcard(sa)) {
		c->nlisten_http--;
		return conf_line_error(l, "listen-http must name a specific address, not %s",
				       addr_format_sockaddr(sa, buf, sizeof(buf)));
	}
	return 0;
}

/* ---- HTTP ---- */

/* RFC 3986 §3.3 path characters (pchar and "/"), without %-escapes so matching is bytewise. */
static bool gwconf_path_char(char ch)
{
	return gwconf_is_alnum(ch) || (ch != '\0' && strchr("-._~!$&'()*+,;=:@/", ch) != NULL);
}

static int gwconf_path(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	const char *s = l->argv[0];
	char one[2] = {0, 0}, vis[CONF_VIS_MAX];
	size_t n = strlen(s);

	if (s[0] != '/')
		return conf_line_error(l, "path: '%s' must start with '/'", gwconf_vis(s, vis));
	if (n >= sizeof(x->c->path))
		return conf_line_error(l, "path: %zu bytes, the limit is %zu", n,
				       sizeof(x->c->path) - 1);
	for (size_t i = 0; i < n; i++) {
		one[0] = s[i];
		if (!gwconf_path_char(s[i]))
			return conf_line_error(l,
					       "path: '%s' is not allowed (RFC 3986 path "
					       "characters, no %%-escapes)",
					       gwconf_vis(one, vis));
	}
	memcpy(x->c->path, s, n + 1);
	return 0;
}

static int gwconf_accept_iptls(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_bool(l, &x->c->accept_iptls);
}

/* RFC 9110 §10.2.4, §5.5: a field value of visible ASCII and spaces, no CR/LF, no edge space. */
static int gwconf_server_header(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	const char *s = l->argv[0];
	size_t n = strlen(s);

	if (n == 0)
		return conf_line_error(l, "server-header: must not be empty");
	if (n >= sizeof(x->c->server_header))
		return conf_line_error(l, "server-header: %zu bytes, the limit is %zu", n,
				       sizeof(x->c->server_header) - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return conf_line_error(l, "server-header: only printable ASCII is allowed");
	if (s[0] == ' ' || s[n - 1] == ' ')
		return conf_line_error(l, "server-header: leading or trailing space");
	memcpy(x->c->server_header, s, n + 1);
	return 0;
}

static int gwconf_state_dir(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_abspath(l, x->c->state_dir, sizeof(x->c->state_dir));
}

/* ---- link ---- */

/* Reports a prefix parse failure of `word`; for host bits, suggests the masked prefix. */
static int gwconf_prefix_error(const struct conf_line *l, const char *what, const char *word,
			       int rc, struct in6_addr p, uint8_t plen)
{
	char vis[CONF_VIS_MAX], fix[ADDR_STRLEN];

	if (rc != ADDR_EHOSTBITS)
		return conf_line_error(l, "%s: '%s': %s", what, gwconf_vis(word, vis),
				       addr_strerror(rc));
	addr_prefix6_mask(&p, plen);
	return conf_line_error(l, "%s: %s has bits set past /%u (did you mean %s?)", what,
			       gwconf_vis(word, vis), plen,
			       addr_format_prefix6(&p, plen, fix, sizeof(fix)));
}

static bool gwconf_is_multicast(const struct in6_addr *p, uint8_t plen)
{
	return plen >= 8 && p->s6_addr[0] == 0xff; /* RFC 4291 §2.7 */
}

static bool gwconf_is_link_local(const struct in6_addr *p, uint8_t plen)
{
	return plen >= 10 && p->s6_addr[0] == 0xfe && (p->s6_addr[1] & 0xc0) == 0x80;
}

static int gwconf_prefix(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	char buf[ADDR_STRLEN];
	struct in6_addr p;
	uint8_t plen = 0;
	int rc;

	if (strcmp(l->argv[0], "auto") == 0) {
		x->c->have_prefix = false;
		x->c->prefix_len = 64;
		memset(&x->c->prefix, 0, sizeof(x->c->prefix));
		return 0;
	}
	if ((rc = addr_parse_prefix6(l->argv[0], &p, &plen)) < 0)
		return gwconf_prefix_error(l, "prefix", l->argv[0], rc, p, plen);
	addr_format_prefix6(&p, plen, buf, sizeof(buf));
	/* Each link is one /64 for SLAAC (RFC 4862 §5.5.3, RFC 7421); with several workers the
	   prefix covers one /64 per worker (checked against workers once the file is read). */
	if (plen < 48 || plen > 64)
		return conf_line_error(l, "prefix: %s must be a /64 (/48 to /63 with workers)",
				       buf);
	if (gwconf_is_multicast(&p, plen))
		return conf_line_error(l, "prefix: %s is multicast (RFC 4291 §2.7)", buf);
	if (gwconf_is_link_local(&p, plen))
		return conf_line_error(l, "prefix: %s is link-local (RFC 4291 §2.5.6)", buf);
	if (memcmp(&p, &in6addr_any, 8) == 0)
		return conf_line_error(l,
				       "prefix: %s holds the unspecified, loopback and "
				       "IPv4-mapped addresses (RFC 4291 §2.5)",
				       buf);
	x->c->have_prefix = true;
	x->c->prefix = p;
	x->c->prefix_len = plen;
	return 0;
}

static int gwconf_workers(void *arg, struct conf_line *l)
{
	static const struct gwconf_range r = {.lo = 1, .hi = GWCONF_MAX_WORKERS};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->workers);
}

/* TCP super-packets from the TUN, cut to the link MTU in userspace (lib/tun, proto/gso). */
static int gwconf_tun_offload(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_bool(l, &x->c->tun_offload);
}

static int gwconf_mtu(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	/* The IPv6 payload length field is 16 bits (RFC 8200 §3); no jumbograms. */
	static const struct gwconf_range r = {.lo = 0, .hi = 65535};
	uint32_t v;

	if (gwconf_num_arg(l, &r, &v) < 0)
		return -1;
	/* RFC 8200 §5: every link carries 1280-byte packets; [MS-IPHTTPS] §3.2.3.1 */
	if (v < LINK_MIN_MTU)
		return conf_line_error(l, "mtu: %u is below the IPv6 minimum %u", v, LINK_MIN_MTU);
	x->c->mtu = v;
	return 0;
}

/* Linux dev_valid_name (net/core/dev.c), and no '%' which would make the kernel pick a name. */
static int gwconf_tun(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	const char *s = l->argv[0];
	char vis[CONF_VIS_MAX];
	size_t n = strlen(s);

	if (n == 0)
		return conf_line_error(l, "tun: an interface name cannot be empty");
	if (n >= IFNAMSIZ)
		return conf_line_error(l, "tun: '%s' is longer than %d characters (IFNAMSIZ)",
				       gwconf_vis(s, vis), IFNAMSIZ - 1);
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return conf_line_error(l, "tun: '%s' is not an interface name", s);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    strchr("/:%", s[i]) != NULL)
			return conf_line_error(l,
					       "tun: '%s': interface names take printable ASCII "
					       "without '/', ':', '%%' or spaces",
					       gwconf_vis(s, vis));
	memcpy(x->c->tun, s, n + 1);
	return 0;
}

/* ---- routes (RFC 4191 Route Information) ---- */

static const char *const gwconf_pref_names[] = {"low", "medium", "high"}; /* pref + 1 */

static int gwconf_route_pref(const struct conf_line *l, const char *word, int8_t *pref)
{
	char vis[CONF_VIS_MAX];

	for (int i = 0; i < 3; i++) {
		if (strcmp(word, gwconf_pref_names[i]) == 0) {
			*pref = (int8_t)(i - 1);
			return 0;
		}
	}
	return conf_line_error(l, "route: preference '%s' is not high, medium or low",
			       gwconf_vis(word, vis));
}

/* The "preference X" and "lifetime Y" pairs after the prefix, in any order, once each. */
static int gwconf_route_options(const struct conf_line *l, struct link_route *r)
{
	static const struct gwconf_range life = {.lo = 0, .hi = GWCONF_INFINITY, .infinity = true};
	bool have_pref = false, have_life = false;
	char vis[CONF_VIS_MAX];

	for (int i = 1; i < l->argc; i += 2) {
		const char *opt = l->argv[i];
		bool is_pref = strcmp(opt, "preference") == 0;

		if (!is_pref && strcmp(opt, "lifetime") != 0)
			return conf_line_error(l,
					       "route: unknown option '%s' (preference, "
					       "lifetime)",
					       gwconf_vis(opt, vis));
		if (i + 1 >= l->argc)
			return conf_line_error(l, "route: %s needs a value", opt);
		if (is_pref ? have_pref : have_life)
			return conf_line_error(l, "route: %s given twice", opt);
		if (is_pref
			? gwconf_route_pref(l, l->argv[i + 1], &r->pref) < 0
			: gwconf_num(l, "route lifetime", l->argv[i + 1], &life, &r->lifetime) < 0)
			return -1;
		*(is_pref ? &have_pref : &have_life) = true;
	}
	return 0;
}

static int gwconf_route_dup(const struct gwconf_ctx *x, const struct conf_line *l,
			    const struct link_route *r)
{
	char buf[ADDR_STRLEN];

	for (size_t i = 0; i < x->c->nroutes; i++) {
		const struct link_route *o = &x->c->routes[i];

		if (o->plen == r->plen && memcmp(&o->prefix, &r->prefix, sizeof(r->prefix)) == 0)
			return conf_line_error(
			    l, "route: %s is already given on line %u",
			    addr_format_prefix6(&r->prefix, r->plen, buf, sizeof(buf)),
			    x->route_line[i]);
	}
	return 0;
}

static int gwconf_route(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	struct link_route r = {.pref = 0, .lifetime = 1800};
	char buf[ADDR_STRLEN];
	int rc = gwconf_list_step(&x->route, l, &x->c->nroutes, "none");

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (x->c->nroutes == LINK_MAX_ROUTES)
		return conf_line_error(l,
				       "route: more than %d routes (one Router Advertisement "
				       "carries at most %d)",
				       LINK_MAX_ROUTES, LINK_MAX_ROUTES);
	if ((rc = addr_parse_prefix6(l->argv[0], &r.prefix, &r.plen)) < 0)
		return gwconf_prefix_error(l, "route", l->argv[0], rc, r.prefix, r.plen);
	addr_format_prefix6(&r.prefix, r.plen, buf, sizeof(buf));
	if (gwconf_is_multicast(&r.prefix, r.plen))
		return conf_line_error(l, "route: %s is multicast (RFC 4291 §2.7)", buf);
	/* RFC 4191 §3.1: hosts ignore Route Information for link-local prefixes. */
	if (gwconf_is_link_local(&r.prefix, r.plen))
		return conf_line_error(l, "route: %s is link-local (RFC 4191 §3.1)", buf);
	if (gwconf_route_options(l, &r) < 0 || gwconf_route_dup(x, l, &r) < 0)
		return -1;
	x->route_line[x->c->nroutes] = l->lineno;
	x->c->routes[x->c->nroutes++] = r;
	return 0;
}

static int gwconf_router_lifetime(void *arg, struct conf_line *l)
{
	/* RFC 4861 §6.2.1 AdvDefaultLifetime: 0 or up to 9000 seconds */
	static const struct gwconf_range r = {.lo = 0, .hi = 9000};
	struct gwconf_ctx *x = arg;
	uint32_t v;

	if (gwconf_num_arg(l, &r, &v) < 0)
		return -1;
	x->c->router_lifetime = (uint16_t)v;
	return 0;
}

/* RFC 4861 §4.6.2: 32-bit seconds, all ones is infinity. */
static const struct gwconf_range gwconf_lifetime_range = {
    .lo = 0, .hi = GWCONF_INFINITY, .infinity = true};

static int gwconf_valid_lifetime(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &gwconf_lifetime_range, &x->c->valid_lifetime);
}

static int gwconf_preferred_lifetime(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &gwconf_lifetime_range, &x->c->preferred_lifetime);
}

static int gwconf_ra_interval(void *arg, struct conf_line *l)
{
	/* RFC 4861 §6.2.1 MaxRtrAdvInterval: 4..1800 seconds */
	static const struct gwconf_range r = {.lo = 4, .hi = 1800};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->ra_interval);
}

/* ---- process ---- */

/* POSIX portable user names: letters, digits, '.', '_', '-', not starting with '-'. */
static int gwconf_user(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	const char *s = l->argv[0];
	char vis[CONF_VIS_MAX];
	size_t n = strlen(s);

	if (strcmp(s, "auto") == 0) {
		x->c->user[0] = '\0';
		return 0;
	}
	if (n == 0 || n > GWCONF_USER_MAX || s[0] == '-')
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!gwconf_is_alnum(s[i]) && strchr("._-", s[i]) == NULL)
			goto bad;
	memcpy(x->c->user, s, n + 1);
	return 0;
bad:
	return conf_line_error(l,
			       "user: '%s' is not a user name (up to %d letters, digits, '.', "
			       "'_' or '-', not starting with '-')",
			       gwconf_vis(s, vis), GWCONF_USER_MAX);
}

static int gwconf_control(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	size_t n = strlen(l->argv[0]);

	/* sockaddr_un.sun_path holds the path and its NUL (unix(7)). */
	if (l->argv[0][0] == '/' && n >= GWCONF_SUN_PATH)
		return conf_line_error(l,
				       "control: path is %zu bytes; a unix socket path must be "
				       "under %zu",
				       n, GWCONF_SUN_PATH);
	return gwconf_abspath(l, x->c->control, sizeof(x->c->control));
}

static int gwconf_log(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	char vis[CONF_VIS_MAX];

	if (strcmp(l->argv[0], "stderr") == 0)
		x->c->log_syslog = false;
	else if (strcmp(l->argv[0], "syslog") == 0)
		x->c->log_syslog = true;
	else
		return conf_line_error(l, "log: '%s' is not stderr or syslog",
				       gwconf_vis(l->argv[0], vis));
	return 0;
}

static int gwconf_log_level(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;
	char vis[CONF_VIS_MAX];
	int lvl = log_level_parse(l->argv[0]);

	if (lvl < 0)
		return conf_line_error(l, "log-level: '%s' is not err, warn, notice, info or debug",
				       gwconf_vis(l->argv[0], vis));
	x->c->log_level = lvl;
	return 0;
}

static int gwconf_log_drops(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_bool(l, &x->c->log_drops);
}

/* ---- limits and timers ---- */

static int gwconf_max_clients(void *arg, struct conf_line *l)
{
	static const struct gwconf_range r = {.lo = 1, .hi = 10000000};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->max_clients);
}

static const struct gwconf_range gwconf_timeout_range = {.lo = 1, .hi = 300};

static int gwconf_handshake_timeout(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &gwconf_timeout_range, &x->c->handshake_timeout);
}

static int gwconf_head_timeout(void *arg, struct conf_line *l)
{
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &gwconf_timeout_range, &x->c->head_timeout);
}

static int gwconf_client_queue(void *arg, struct conf_line *l)
{
	static const struct gwconf_range r = {.lo = 4096, .hi = 16777216};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->client_queue);
}

static int gwconf_icmp_error_rate(void *arg, struct conf_line *l)
{
	/* RFC 4443 §2.4 (f): errors must be rate limited; 0 sends none */
	static const struct gwconf_range r = {.lo = 0, .hi = 100000};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->icmp_error_rate);
}

static int gwconf_nd_resolve_rate(void *arg, struct conf_line *l)
{
	/* RFC 4861 §7.2.2 neighbour resolution; 0 answers unknown addresses at once */
	static const struct gwconf_range r = {.lo = 0, .hi = 10000};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->nd_resolve_rate);
}

static int gwconf_tcp_keepalive(void *arg, struct conf_line *l)
{
	static const struct gwconf_range r = {.lo = 10, .hi = 7200, .zero_off = true};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->tcp_keepalive);
}

static int gwconf_tcp_user_timeout(void *arg, struct conf_line *l)
{
	/* RFC 5482 TCP User Timeout; Linux TCP_USER_TIMEOUT */
	static const struct gwconf_range r = {.lo = 10, .hi = 3600, .zero_off = true};
	struct gwconf_ctx *x = arg;

	return gwconf_num_arg(l, &r, &x->c->tcp_user_timeout);
}

/* In gwconf_print order; gwconf_keys below follows the same order. */
static const struct conf_directive gwconf_directives[] = {
    {"listen", 1, 2, true, gwconf_listen},
    {"listen-http", 1, 2, true, gwconf_listen_http},
    {"path", 1, 1, false, gwconf_path},
    {"accept-iptls", 1, 1, false, gwconf_accept_iptls},
    {"server-header", 1, 1, false, gwconf_server_header},
    {"certificate", 1, 1, true, gwconf_sec_certificate},
    {"key", 1, 1, true, gwconf_sec_key},
    {"tls-profile", 1, 1, false, gwconf_sec_tls_profile},
    {"state-dir", 1, 1, false, gwconf_state_dir},
    {"auth", 1, 1, false, gwconf_sec_auth},
    {"client-ca", 1, 1, false, gwconf_sec_client_ca},
    {"client-crl", 1, 1, true, gwconf_sec_client_crl},
    {"client-name", 1, 1, true, gwconf_sec_client_name},
    {"client-names", 1, 1, false, gwconf_sec_client_names},
    {"trusted-proxy", 1, 1, true, gwconf_sec_trusted_proxy},
    {"identity-header", 1, 1, false, gwconf_sec_identity_header},
    {"prefix", 1, 1, false, gwconf_prefix},
    {"mtu", 1, 1, false, gwconf_mtu},
    {"tun", 1, 1, false, gwconf_tun},
    {"workers", 1, 1, false, gwconf_workers},
    {"tun-offload", 1, 1, false, gwconf_tun_offload},
    {"route", 1, 5, true, gwconf_route},
    {"router-lifetime", 1, 1, false, gwconf_router_lifetime},
    {"valid-lifetime", 1, 1, false, gwconf_valid_lifetime},
    {"preferred-lifetime", 1, 1, false, gwconf_preferred_lifetime},
    {"ra-interval", 1, 1, false, gwconf_ra_interval},
    {"unauth-allow", 1, CONF_MAX_WORDS - 1, true, gwconf_sec_unauth_allow},
    {"client-isolation", 1, 1, false, gwconf_sec_client_isolation},
    {"user", 1, 1, false, gwconf_user},
    {"control", 1, 1, false, gwconf_control},
    {"log", 1, 1, false, gwconf_log},
    {"log-level", 1, 1, false, gwconf_log_level},
    {"log-drops", 1, 1, false, gwconf_log_drops},
    {"max-clients", 1, 1, false, gwconf_max_clients},
    {"max-conn-per-source", 1, 1, false, gwconf_sec_max_conn_per_source},
    {"handshake-rate", 1, 1, false, gwconf_sec_handshake_rate},
    {"handshake-timeout", 1, 1, false, gwconf_handshake_timeout},
    {"head-timeout", 1, 1, false, gwconf_head_timeout},
    {"client-queue", 1, 1, false, gwconf_client_queue},
    {"icmp-error-rate", 1, 1, false, gwconf_icmp_error_rate},
    {"client-icmp-rate", 1, 1, false, gwconf_sec_client_icmp_rate},
    {"nd-resolve-rate", 1, 1, false, gwconf_nd_resolve_rate},
    {"tcp-keepalive", 1, 1, false, gwconf_tcp_keepalive},
    {"tcp-user-timeout", 1, 1, false, gwconf_tcp_user_timeout},
};

#define GWCONF_NKEYS (sizeof(gwconf_directives) / sizeof(gwconf_directives[0]))

/* ---- whole-file checks ---- */

/*
 * Whole-file checks compare values of several keys; when one of those keys had a refused line,
 * its value was never set and the line error already says what is wrong, so they stay quiet.
 */
bool gwconf_any_failed(const struct conf *cf, const char *a, const char *b)
{
	return conf_key_failed(cf, a) || conf_key_failed(cf, b);
}

static void gwconf_check_lifetimes(struct gwconf_ctx *x)
{
	const struct gwconf *c = x->c;
	struct conf *cf = x->cf;

	/* RFC 4862 §5.5.3 (c): a prefix with preferred > valid lifetime is ignored. */
	if (c->preferred_lifetime > c->valid_lifetime &&
	    !gwconf_any_failed(cf, "preferred-lifetime", "valid-lifetime"))
		conf_error(cf, conf_key_line(cf, "preferred-lifetime"),
			   "preferred-lifetime %u is longer than valid-lifetime %u",
			   c->preferred_lifetime, c->valid_lifetime);
	/* RFC 4861 §6.2.1: AdvDefaultLifetime is 0 or at least MaxRtrAdvInterval. */
	if (c->router_lifetime != 0 && c->ra_interval >= c->router_lifetime &&
	    !gwconf_any_failed(cf, "ra-interval", "router-lifetime"))
		conf_error(cf, conf_key_line(cf, "ra-interval"),
			   "ra-interval %u must be shorter than router-lifetime %u "
			   "(RFC 4861 §6.2.1)",
			   c->ra_interval, (unsigned)c->router_lifetime);
	/* Addresses would expire between two periodic Router Advertisements. */
	if (c->valid_lifetime <= c->ra_interval &&
	    !gwconf_any_failed(cf, "valid-lifetime", "ra-interval"))
		conf_error(cf, conf_key_line(cf, "valid-lifetime"),
			   "valid-lifetime %u must be longer than ra-interval %u",
			   c->valid_lifetime, c->ra_interval);
}

/* One /64 per worker out of the prefix; names with the worker's suffix must still fit. */
static void gwconf_check_workers(struct gwconf_ctx *x)
{
	const struct gwconf *c = x->c;
	unsigned bits = gwconf_worker_bits(c->workers);
	char digits[16];

	if (gwconf_any_failed(x->cf, "prefix", "workers"))
		return;
	if (c->have_prefix && c->workers == 1 && c->prefix_len != 64)
		conf_error(x->cf, conf_key_line(x->cf, "prefix"),
			   "prefix: a /%u needs workers: one worker serves one /64", c->prefix_len);
	else if (c->have_prefix && 64u - c->prefix_len < bits)
		conf_error(x->cf, conf_key_line(x->cf, "prefix"),
			   "prefix: a /%u holds %u /64s, fewer than workers %u (a /%u at most)",
			   c->prefix_len, 1u << (64 - c->prefix_len), c->workers, 64 - bits);
	snprintf(digits, sizeof(digits), "w%u", c->workers - 1);
	if (c->workers > 1 && strlen(c->tun) + strlen(digits) >= IFNAMSIZ &&
	    !conf_key_failed(x->cf, "tun"))
		conf_error(x->cf, conf_key_line(x->cf, "tun"),
			   "tun: %s%s (the last worker's) is longer than %d characters", c->tun,
			   digits, IFNAMSIZ - 1);
}

static void gwconf_check_queue(struct gwconf_ctx *x)
{
	if (x->c->client_queue < x->c->mtu && !gwconf_any_failed(x->cf, "client-queue", "mtu"))
		conf_error(x->cf, conf_key_line(x->cf, "client-queue"),
			   "client-queue %u cannot hold one packet of mtu %u", x->c->client_queue,
			   x->c->mtu);
}

/* Two listeners the kernel will not both bind (IPv6 sockets are assumed IPV6_V6ONLY). */
static bool gwconf_listen_collide(const struct gwconf_listen *a, const struct gwconf_listen *b)
{
	const struct sockaddr *sa = (const struct sockaddr *)&a->ss;
	const struct sockaddr *sb = (const struct sockaddr *)&b->ss;

	if (sa->sa_family != sb->sa_family || addr_port(sa) != addr_port(sb))
		return false;
	return addr_is_wildcard(sa) || addr_is_wildcard(sb) || addr_sockaddr_equal(sa, sb);
}

/* Listener i of the combined list: TLS ones first, then plain HTTP. */
static const struct gwconf_listen *gwconf_listener(const struct gwconf_ctx *x, size_t i,
						   const char **key, unsigned *line)
{
	bool tls = i < x->c->nlisten;
	size_t j = tls ? i : i - x->c->nlisten;

	*key = tls ? "listen" : "listen-http";
	*line = tls ? (x->listen.given ? x->listen_line[j] : 0) : x->listen_http_line[j];
	return tls ? &x->c->listen[j] : &x->c->listen_http[j];
}

static void gwconf_check_listeners(struct gwconf_ctx *x)
{
	size_t n = x->c->nlisten + x->c->nlisten_http;
	char a[ADDR_STRLEN], b[ADDR_STRLEN], where[32];

	/* Refused listen lines were reported already: an empty list is news only without them. */
	if (n == 0 && !conf_key_failed(x->cf, "listen") && !conf_key_failed(x->cf, "listen-http"))
		conf_error(x->cf, x->listen.none_line,
			   "listen none leaves no listener: add a "
			   "listen or listen-http address");
	for (size_t j = 1; j < n; j++) {
		const char *kj, *ki;
		unsigned lj, li;
		const struct gwconf_listen *lsj = gwconf_listener(x, j, &kj, &lj);

		for (size_t i = 0; i < j; i++) {
			const struct gwconf_listen *lsi = gwconf_listener(x, i, &ki, &li);

			if (!gwconf_listen_collide(lsi, lsj))
				continue;
			snprintf(where, sizeof(where), li ? "line %u" : "default", li);
			conf_error(
			    x->cf, lj, "%s: %s collides with %s %s (%s)", kj,
			    addr_format_sockaddr((const struct sockaddr *)&lsj->ss, a, sizeof(a)),
			    ki,
			    addr_format_sockaddr((const struct sockaddr *)&lsi->ss, b, sizeof(b)),
			    where);
			break;
		}
	}
}

int gwconf_parse(struct gwconf *c, const char *text, size_t len, const char *name)
{
	struct conf cf;
	struct gwconf_ctx x;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.cf = &cf;
	conf_init(&cf, name ? name : "(configuration)", gwconf_directives, GWCONF_NKEYS);
	if (len > GWCONF_FILE_MAX) {
		conf_error(&cf, 0, "larger than %d bytes", GWCONF_FILE_MAX);
		return conf_errors(&cf);
	}
	gwconf_sec_begin(&x);
	conf_parse(&cf, text, len, &x);
	gwconf_sec_check(&x);
	gwconf_check_lifetimes(&x);
	gwconf_check_queue(&x);
	gwconf_check_listeners(&x);
	gwconf_check_workers(&x);
	return conf_errors(&cf);
}

/* ---- printing ---- */

void gwconf_print_kv(FILE *out, const char *key, const char *word)
{
	fprintf(out, "%s ", key);
	conf_print_word(word, out);
	fputc('\n', out);
}

void gwconf_print_u32(FILE *out, const char *key, uint32_t v)
{
	fprintf(out, "%s %u\n", key, v);
}

static void gwconf_print_lifetime(FILE *out, const char *key, uint32_t v)
{
	if (v == GWCONF_INFINITY)
		fprintf(out, "%s infinity\n", key);
	else
		gwconf_print_u32(out, key, v);
}

void gwconf_print_bool(FILE *out, const char *key, bool v)
{
	fprintf(out, "%s %s\n", key, v ? "yes" : "no");
}

static void gwconf_print_addrs(FILE *out, const char *key, const struct gwconf_listen *arr,
			       size_t n)
{
	char buf[ADDR_STRLEN];

	if (n == 0)
		fprintf(out, "%s none\n", key);
	for (size_t i = 0; i < n && i < GWCONF_MAX_LISTEN; i++)
		fprintf(out, "%s %s%s\n", key,
			addr_format_sockaddr((const struct sockaddr *)&arr[i].ss, buf, sizeof(buf)),
			arr[i].proxy_protocol ? " proxy-protocol" : "");
}

static void gwconf_p_listen(const struct gwconf *c, FILE *out)
{
	gwconf_print_addrs(out, "listen", c->listen, c->nlisten);
}

static void gwconf_p_listen_http(const struct gwconf *c, FILE *out)
{
	gwconf_print_addrs(out, "listen-http", c->listen_http, c->nlisten_http);
}

static void gwconf_p_path(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "path", c->path);
}

static void gwconf_p_accept_iptls(const struct gwconf *c, FILE *out)
{
	gwconf_print_bool(out, "accept-iptls", c->accept_iptls);
}

static void gwconf_p_server_header(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "server-header", c->server_header);
}

static void gwconf_p_state_dir(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "state-dir", c->state_dir);
}

static void gwconf_p_prefix(const struct gwconf *c, FILE *out)
{
	char buf[ADDR_STRLEN];

	gwconf_print_kv(out, "prefix",
			c->have_prefix
			    ? addr_format_prefix6(&c->prefix, c->prefix_len, buf, sizeof(buf))
			    : "auto");
}

static void gwconf_p_mtu(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "mtu", c->mtu);
}

static void gwconf_p_tun(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "tun", c->tun);
}

static void gwconf_p_workers(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "workers", c->workers);
}

static void gwconf_p_tun_offload(const struct gwconf *c, FILE *out)
{
	gwconf_print_bool(out, "tun-offload", c->tun_offload);
}

static void gwconf_p_route(const struct gwconf *c, FILE *out)
{
	char buf[ADDR_STRLEN], life[16];

	if (c->nroutes == 0)
		fputs("route none\n", out);
	for (size_t i = 0; i < c->nroutes && i < LINK_MAX_ROUTES; i++) {
		const struct link_route *r = &c->routes[i];
		int pref = r->pref < 0 ? 0 : r->pref > 0 ? 2 : 1;

		if (r->lifetime == GWCONF_INFINITY)
			snprintf(life, sizeof(life), "infinity");
		else
			snprintf(life, sizeof(life), "%u", r->lifetime);
		fprintf(out, "route %s preference %s lifetime %s\n",
			addr_format_prefix6(&r->prefix, r->plen, buf, sizeof(buf)),
			gwconf_pref_names[pref], life);
	}
}

static void gwconf_p_router_lifetime(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "router-lifetime", c->router_lifetime);
}

static void gwconf_p_valid_lifetime(const struct gwconf *c, FILE *out)
{
	gwconf_print_lifetime(out, "valid-lifetime", c->valid_lifetime);
}

static void gwconf_p_preferred_lifetime(const struct gwconf *c, FILE *out)
{
	gwconf_print_lifetime(out, "preferred-lifetime", c->preferred_lifetime);
}

static void gwconf_p_ra_interval(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "ra-interval", c->ra_interval);
}

static void gwconf_p_user(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "user", c->user[0] ? c->user : "auto");
}

static void gwconf_p_control(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "control", c->control);
}

static void gwconf_p_log(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "log", c->log_syslog ? "syslog" : "stderr");
}

static void gwconf_p_log_level(const struct gwconf *c, FILE *out)
{
	gwconf_print_kv(out, "log-level", log_level_name((enum log_level)c->log_level));
}

static void gwconf_p_log_drops(const struct gwconf *c, FILE *out)
{
	gwconf_print_bool(out, "log-drops", c->log_drops);
}

static void gwconf_p_max_clients(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "max-clients", c->max_clients);
}

static void gwconf_p_handshake_timeout(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "handshake-timeout", c->handshake_timeout);
}

static void gwconf_p_head_timeout(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "head-timeout", c->head_timeout);
}

static void gwconf_p_client_queue(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "client-queue", c->client_queue);
}

static void gwconf_p_icmp_error_rate(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "icmp-error-rate", c->icmp_error_rate);
}

static void gwconf_p_nd_resolve_rate(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "nd-resolve-rate", c->nd_resolve_rate);
}

static void gwconf_p_tcp_keepalive(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "tcp-keepalive", c->tcp_keepalive);
}

static void gwconf_p_tcp_user_timeout(const struct gwconf *c, FILE *out)
{
	gwconf_print_u32(out, "tcp-user-timeout", c->tcp_user_timeout);
}

/* How each key prints, and whether a SIGHUP can change it (false: only a restart can). */
struct gwconf_key {
	const char *key;
	void (*print)(const struct gwconf *c, FILE *out);
	bool reloadable;
};

static const struct gwconf_key gwconf_keys[] = {
    {"listen", gwconf_p_listen, false},
    {"listen-http", gwconf_p_listen_http, false},
    {"path", gwconf_p_path, true},
    {"accept-iptls", gwconf_p_accept_iptls, true},
    {"server-header", gwconf_p_server_header, true},
    {"certificate", gwconf_sec_p_certificate, true},
    {"key", gwconf_sec_p_key, true},
    {"tls-profile", gwconf_sec_p_tls_profile, true},
    {"state-dir", gwconf_p_state_dir, false},
    {"auth", gwconf_sec_p_auth, true},
    {"client-ca", gwconf_sec_p_client_ca, true},
    {"client-crl", gwconf_sec_p_client_crl, true},
    {"client-name", gwconf_sec_p_client_name, true},
    {"client-names", gwconf_sec_p_client_names, true},
    {"trusted-proxy", gwconf_sec_p_trusted_proxy, true},
    {"identity-header", gwconf_sec_p_identity_header, true},
    {"prefix", gwconf_p_prefix, false},
    {"mtu", gwconf_p_mtu, false},
    {"tun", gwconf_p_tun, false},
    {"workers", gwconf_p_workers, false},
    {"tun-offload", gwconf_p_tun_offload, false},
    {"route", gwconf_p_route, true},
    {"router-lifetime", gwconf_p_router_lifetime, true},
    {"valid-lifetime", gwconf_p_valid_lifetime, true},
    {"preferred-lifetime", gwconf_p_preferred_lifetime, true},
    {"ra-interval", gwconf_p_ra_interval, true},
    {"unauth-allow", gwconf_sec_p_unauth_allow, true},
    {"client-isolation", gwconf_sec_p_client_isolation, true},
    {"user", gwconf_p_user, false},
    {"control", gwconf_p_control, false},
    {"log", gwconf_p_log, false},
    {"log-level", gwconf_p_log_level, true},
    {"log-drops", gwconf_p_log_drops, true},
    {"max-clients", gwconf_p_max_clients, true},
    {"max-conn-per-source", gwconf_sec_p_max_conn_per_source, true},
    {"handshake-rate", gwconf_sec_p_handshake_rate, true},
    {"handshake-timeout", gwconf_p_handshake_timeout, true},
    {"head-timeout", gwconf_p_head_timeout, true},
    {"client-queue", gwconf_p_client_queue, true},
    {"icmp-error-rate", gwconf_p_icmp_error_rate, true},
    {"client-icmp-rate", gwconf_sec_p_client_icmp_rate, true},
    {"nd-resolve-rate", gwconf_p_nd_resolve_rate, true},
    {"tcp-keepalive", gwconf_p_tcp_keepalive, true},
    {"tcp-user-timeout", gwconf_p_tcp_user_timeout, true},
};

_Static_assert(sizeof(gwconf_keys) / sizeof(gwconf_keys[0]) == GWCONF_NKEYS,
	       "gwconf_keys and gwconf_directives list the same keys");

void gwconf_print(const struct gwconf *c, FILE *out)
{
	for (size_t i = 0; i < GWCONF_NKEYS; i++)
		gwconf_keys[i].print(c, out);
}

const char *gwconf_key_name(size_t i)
{
	if (i >= GWCONF_NKEYS)
		return NULL;
	/* Both tables must agree; a test walks every index. */
	if (strcmp(gwconf_keys[i].key, gwconf_directives[i].key) != 0)
		return "?";
	return gwconf_keys[i].key;
}

bool gwconf_key_reloadable(const char *key)
{
	for (size_t i = 0; i < GWCONF_NKEYS; i++)
		if (strcmp(gwconf_keys[i].key, key) == 0)
			return gwconf_keys[i].reloadable;
	return false;
}

/* Whether one key prints the same for both configurations. */
static int gwconf_key_same(const struct gwconf_key *k, const struct gwconf *a,
			   const struct gwconf *b)
{
	char *ta = NULL, *tb = NULL;
	size_t la = 0, lb = 0;
	FILE *fa = open_memstream(&ta, &la), *fb = open_memstream(&tb, &lb);
	bool ok = fa != NULL && fb != NULL;
	int same = -1;

	if (ok) {
		k->print(a, fa);
		k->print(b, fb);
	}
	if (fa != NULL && fclose(fa) != 0)
		ok = false;
	if (fb != NULL && fclose(fb) != 0)
		ok = false;
	if (ok)
		same = la == lb && memcmp(ta, tb, la) == 0;
	free(ta);
	free(tb);
	return same;
}

size_t gwconf_restart_changes(const struct gwconf *old, const struct gwconf *cur, const char **keys,
			      size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < GWCONF_NKEYS; i++) {
		if (gwconf_keys[i].reloadable || gwconf_key_same(&gwconf_keys[i], old, cur) == 1)
			continue;
		if (n < max)
			keys[n] = gwconf_keys[i].key;
		n++;
	}
	return n;
}

/* ---- files ---- */

char *gwconf_read_file(const char *path, size_t *len)
{
	return file_read(path, GWCONF_FILE_MAX, len);
}

int gwconf_check_files(const struct gwconf *c)
{
	return gwconf_sec_check_files(c);
}

/* ---- helpers for the daemon ---- */

unsigned gwconf_worker_bits(uint32_t workers)
{
	unsigned b = 0;

	while (b < 16 && (1u << b) < workers)
		b++;
	return b;
}

void gwconf_worker(struct gwconf *c, uint32_t k)
{
	unsigned bits = gwconf_worker_bits(c->workers);

	if (c->workers <= 1)
		return;
	if (c->have_prefix) {
		/* The low `bits` bits of the subnet ID (bytes 6-7, RFC 4291 §2.5.4) become k. */
		uint16_t sub = (uint16_t)(c->prefix.s6_addr[6] << 8 | c->prefix.s6_addr[7]);

		sub = (uint16_t)((sub & ~((1u << bits) - 1)) | k);
		c->prefix.s6_addr[6] = (uint8_t)(sub >> 8);
		c->prefix.s6_addr[7] = (uint8_t)sub;
	}
	c->prefix_len = 64;
	c->max_clients = (c->max_clients + c->workers - 1) / c->workers;
	if (k == 0)
		return;
	snprintf(c->tun + strlen(c->tun), sizeof(c->tun) - strlen(c->tun), "w%u", k);
	snprintf(c->control + strlen(c->control), sizeof(c->control) - strlen(c->control), ".%u",
		 k);
}

const char *gwconf_auth_name(enum gwconf_auth a)
{
	return a == GWCONF_AUTH_CERTIFICATES ? "certificates" : "none";
}

bool gwconf_trusted_proxy(const struct gwconf *c, const struct sockaddr *sa)
{
	for (size_t i = 0; i < c->ntrusted_proxy && i < GWCONF_MAX_PROXIES; i++)
		if (addr_net_contains_sockaddr(&c->trusted_proxy[i].addr, c->trusted_proxy[i].plen,
					       sa))
			return true;
	return false;
}
