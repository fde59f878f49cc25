/* SPDX-License-Identifier: ISC */
/*
 * ppconf: the port-proxy list, its file (lib/conf directive table with one key, `v4tov6`) and
 * netsh-style arguments. Address checks are shared by both, so the file accepts exactly what
 * the command can write. It opens no socket: whether a port can really be bound is found out
 * by iphttps/relay when the link comes up.
 */
#include "iphttps/ppconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/conf.h"
#include "lib/file.h"
#include "lib/log.h"

/* State of one ppconf_parse run. */
struct ppconf_ctx {
	struct ppconf *c;
	unsigned line[PPCONF_MAX]; /* the line each entry came from */
};

/* ---- values shared by the file and the arguments ---- */

/* A decimal port 1..65535, digits only (no sign, no space, no locale). */
static int ppconf_port(const char *s, uint16_t *port)
{
	size_t n = strlen(s);
	unsigned v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* NULL if s is an IPv4 address a listener can bind, else why not. */
static const char *ppconf_listen_addr(const char *s, struct in_addr *a)
{
	struct in6_addr a6;

	if (inet_pton(AF_INET, s, a) != 1) {
		if (inet_pton(AF_INET6, s, &a6) == 1 || s[0] == '[')
			return "IPv6: a v4tov6 proxy listens on IPv4 (its connect side is IPv6)";
		return "not an IPv4 address (numeric only, as 127.0.0.1)";
	}
	if (IN_MULTICAST(ntohl(a->s_addr)) || a->s_addr == htonl(INADDR_BROADCAST))
		return "a multicast or broadcast address, which cannot be listened on";
	return NULL;
}

/* Copies s without surrounding brackets; NULL if it does not fit or a bracket is unmatched. */
static const char *ppconf_unbracket(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (s[0] != '[')
		return strchr(s, ']') ? NULL : s;
	if (n < 2 || s[n - 1] != ']' || n - 2 >= len)
		return NULL;
	memcpy(buf, s + 1, n - 2);
	buf[n - 2] = '\0';
	return buf;
}

/* NULL if s is an IPv6 address the tunnel can carry a connection to, else why not. */
static const char *ppconf_connect_addr(const char *s, struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];
	const char *host = ppconf_unbracket(s, buf, sizeof(buf));
	struct in_addr a4;

	if (host == NULL || inet_pton(AF_INET6, host, a) != 1) {
		if (host != NULL && inet_pton(AF_INET, host, &a4) == 1)
			return "IPv4: a v4tov6 proxy connects to IPv6, through the tunnel";
		return "not an IPv6 address (numeric only, as 2001:db8::80: host names are not "
		       "resolved)";
	}
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return "the unspecified address";
	if (IN6_IS_ADDR_MULTICAST(a))
		return "a multicast address";
	/* RFC 4007 §6: a link-local address means nothing without its zone, which we do not take.
	 */
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return "link-local, which needs a zone (scope id)";
	/* RFC 4291 §2.5.5.2: an AF_INET6 socket connects to these over IPv4, not the tunnel. */
	if (IN6_IS_ADDR_V4MAPPED(a))
		return "IPv4-mapped: it would be reached over IPv4, not through the tunnel";
	return NULL;
}

static void ppconf_fill(struct ppconf_entry *e, const struct in_addr *la, uint16_t lport,
			const struct in6_addr *ca, uint16_t cport)
{
	memset(e, 0, sizeof(*e));
	e->listen.sin_family = AF_INET;
	e->listen.sin_addr = *la;
	e->listen.sin_port = htons(lport);
	e->connect.sin6_family = AF_INET6;
	e->connect.sin6_addr = *ca;
	e->connect.sin6_port = htons(cport);
}

static bool ppconf_listen_equal(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
}

/* Two listeners the kernel cannot both bind: same port, and one of them takes every address. */
static bool ppconf_listen_overlap(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_port == b->sin_port && !ppconf_listen_equal(a, b) &&
	       (a->sin_addr.s_addr == htonl(INADDR_ANY) || b->sin_addr.s_addr == htonl(INADDR_ANY));
}

static int ppconf_find(const struct ppconf *c, const struct sockaddr_in *listen)
{
	for (size_t i = 0; i < c->n; i++)
		if (ppconf_listen_equal(&c->e[i].listen, listen))
			return (int)i;
	return -1;
}

int ppconf_overlap(const struct ppconf *c, const struct sockaddr_in *listen)
{
	for (size_t i = 0; i < c->n; i++)
		if (ppconf_listen_overlap(&c->e[i].listen, listen))
			return (int)i;
	return -1;
}

/* ---- the list ---- */

int ppconf_add(struct ppconf *c, const struct ppconf_entry *e)
{
	int i = ppconf_find(c, &e->listen);

	if (i >= 0) {
		c->e[i] = *e;
		return 0;
	}
	if (ppconf_overlap(c, &e->listen) >= 0) {
		errno = EADDRINUSE;
		return -1;
	}
	if (c->n == PPCONF_MAX) {
		errno = ENOSPC;
		return -1;
	}
	c->e[c->n++] = *e;
	return 0;
}

int ppconf_delete(struct ppconf *c, const struct sockaddr_in *listen)
{
	int i = ppconf_find(c, listen);

	if (i < 0) {
		errno = ENOENT;
		return -1;
	}
	/* Keep the order: the file and the listing stay in the order entries were added. */
	memmove(&c->e[i], &c->e[i + 1], (c->n - (size_t)i - 1) * sizeof(c->e[0]));
	c->n--;
	return 0;
}

/* ---- the file ---- */

/* Checks the four words of a `v4tov6` line; every bad one is reported. */
static int ppconf_line_entry(const struct conf_line *l, struct ppconf_entry *e)
{
	char vis[CONF_VIS_MAX];
	struct in_addr la;
	struct in6_addr ca;
	uint16_t lport = 0, cport = 0;
	const char *why;
	int rc = 0;

	if ((why = ppconf_listen_addr(l->argv[0], &la)) != NULL)
		rc = conf_line_error(l, "v4tov6: listen address '%s' is %s",
				     conf_vis(l->argv[0], vis, sizeof(vis)), why);
	if (ppconf_port(l->argv[1], &lport) < 0)
		rc = conf_line_error(l, "v4tov6: listen port '%s' is not a number from 1 to 65535",
				     conf_vis(l->argv[1], vis, sizeof(vis)));
	if ((why = ppconf_connect_addr(l->argv[2], &ca)) != NULL)
		rc = conf_line_error(l, "v4tov6: connect address '%s' is %s",
				     conf_vis(l->argv[2], vis, sizeof(vis)), why);
	if (ppconf_port(l->argv[3], &cport) < 0)
		rc = conf_line_error(l, "v4tov6: connect port '%s' is not a number from 1 to 65535",
				     conf_vis(l->argv[3], vis, sizeof(vis)));
	if (rc == 0)
		ppconf_fill(e, &la, lport, &ca, cport);
	return rc;
}

static int ppconf_line_v4tov6(void *ctx, struct conf_line *l)
{
	struct ppconf_ctx *x = ctx;
	struct ppconf *c = x->c;
	struct ppconf_entry e;
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	int i;

	if (ppconf_line_entry(l, &e) < 0)
		return -1;
	addr_format_sockaddr((const struct sockaddr *)&e.listen, a, sizeof(a));
	if ((i = ppconf_find(c, &e.listen)) >= 0)
		return conf_line_error(l, "v4tov6: %s already given on line %u", a, x->line[i]);
	if ((i = ppconf_overlap(c, &e.listen)) >= 0)
		return conf_line_error(
		    l,
		    "v4tov6: %s overlaps %s of line %u (0.0.0.0 takes the port on every address)",
		    a, addr_format_sockaddr((const struct sockaddr *)&c->e[i].listen, b, sizeof(b)),
		    x->line[i]);
	if (c->n == PPCONF_MAX)
		return conf_line_error(l, "v4tov6: more than %d port proxies", PPCONF_MAX);
	x->line[c->n] = l->lineno;
	c->e[c->n++] = e;
	return 0;
}

static const struct conf_directive ppconf_directives[] = {
    {"v4tov6", 4, 4, true, ppconf_line_v4tov6},
};

int ppconf_parse(struct ppconf *c, const char *text, size_t len, const char *name)
{
	struct conf cf;
	struct ppconf_ctx x;

	memset(&x, 0, sizeof(x));
	c->n = 0;
	x.c = c;
	conf_init(&cf, name ? name : "(port proxies)", ppconf_directives,
		  sizeof(ppconf_directives) / sizeof(ppconf_directives[0]));
	if (len > PPCONF_FILE_MAX) {
		conf_error(&cf, 0, "larger than %d bytes", PPCONF_FILE_MAX);
		return conf_errors(&cf);
	}
	return conf_parse(&cf, text, len, &x);
}

int ppconf_load(const char *path, struct ppconf *c)
{
	size_t len = 0;
	char *text;
	int errors;

	c->n = 0;
	if ((text = file_read(path, PPCONF_FILE_MAX, &len)) == NULL) {
		if (errno == ENOENT)
			return 0;
		log_errx("%s: %s", path, strerror(errno));
		return -1;
	}
	errors = ppconf_parse(c, text, len, path);
	free(text);
	if (errors > 0) {
		c->n = 0;
		return -1;
	}
	return 0;
}

int ppconf_print(const struct ppconf *c, FILE *out)
{
	char la[INET_ADDRSTRLEN], ca[INET6_ADDRSTRLEN];

	fprintf(out, "# iphttps v4-to-v6 port proxies, served while the tunnel is up.\n"
		     "# Rewritten by `iphttps portproxy add|delete`: other comments are not kept.\n"
		     "# v4tov6 LISTENADDR LISTENPORT CONNECTADDR CONNECTPORT\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct ppconf_entry *e = &c->e[i];

		inet_ntop(AF_INET, &e->listen.sin_addr, la, sizeof(la));
		inet_ntop(AF_INET6, &e->connect.sin6_addr, ca, sizeof(ca));
		fprintf(out, "v4tov6 %s %u %s %u\n", la, (unsigned)ntohs(e->listen.sin_port), ca,
			(unsigned)ntohs(e->connect.sin6_port));
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* Creates the file's directory (one level) with exactly 0755, whatever the umask. */
static int ppconf_mkdir(const char *path)
{
	char copy[PATH_MAX];
	const char *dir;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	dir = dirname(copy);
	if (mkdir(dir, 0755) == -1)
		return errno == EEXIST ? 0 : -1;
	return chmod(dir, 0755);
}

/* Writes c into the open temporary file fd and closes it. */
static int ppconf_write_fd(int fd, const struct ppconf *c)
{
	FILE *f;
	int rc;

	if (fchmod(fd, 0644) == -1 || (f = fdopen(fd, "w")) == NULL) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	rc = ppconf_print(c, f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

int ppconf_save(const char *path, const struct ppconf *c)
{
	char tmp[PATH_MAX];
	int fd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		log_errx("%s: %s", path, strerror(errno));
		return -1;
	}
	if (ppconf_mkdir(path) == -1) {
		log_errx("%s: cannot create its directory: %s", path, strerror(errno));
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		log_errx("%s: cannot create: %s", tmp, strerror(errno));
		return -1;
	}
	if (ppconf_write_fd(fd, c) == -1 || rename(tmp, path) == -1) {
		saved = errno;
		log_errx("%s: cannot write: %s", path, strerror(saved));
		unlink(tmp);
		errno = saved;
		return -1;
	}
	file_sync_dir(path);
	return 0;
}

/* ---- netsh-style arguments ---- */

enum ppconf_key {
	PPCONF_K_LISTENPORT,
	PPCONF_K_LISTENADDRESS,
	PPCONF_K_CONNECTADDRESS,
	PPCONF_K_CONNECTPORT,
	PPCONF_K_PROTOCOL,
	PPCONF_NKEYS,
};

static const char *const ppconf_keys[PPCONF_NKEYS] = {
    "listenport", "listenaddress", "connectaddress", "connectport", "protocol",
};

/* ASCII case-insensitive s[0..n) == word: netsh tags ignore case; no locale here. */
static bool ppconf_key_is(const char *s, size_t n, const char *word)
{
	if (strlen(word) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];

		if (ch != word[i])
			return false;
	}
	return true;
}

/* Sorts "key=value" words into val[]; each key at most once. */
static int ppconf_netsh_split(int argc, char **argv, const char *val[PPCONF_NKEYS], char *err,
			      size_t errlen)
{
	char vis[CONF_VIS_MAX];

	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		int k = 0;

		if (eq == NULL) {
			snprintf(err, errlen, "'%s': expected KEY=VALUE, as in listenport=8080",
				 conf_vis(argv[i], vis, sizeof(vis)));
			return -1;
		}
		while (k < PPCONF_NKEYS &&
		       !ppconf_key_is(argv[i], (size_t)(eq - argv[i]), ppconf_keys[k]))
			k++;
		if (k == PPCONF_NKEYS) {
			snprintf(err, errlen,
				 "'%s': unknown key (listenport, listenaddress, connectaddress, "
				 "connectport, protocol)",
				 conf_vis(argv[i], vis, sizeof(vis)));
			return -1;
		}
		if (val[k] != NULL) {
			snprintf(err, errlen, "%s given twice", ppconf_keys[k]);
			return -1;
		}
		val[k] = eq + 1;
	}
	return 0;
}

static int ppconf_netsh_port(const char *key, const char *s, uint16_t *port, char *err,
			     size_t errlen)
{
	char vis[CONF_VIS_MAX];

	if (ppconf_port(s, port) == 0)
		return 0;
	snprintf(err, errlen, "%s: '%s' is not a port number from 1 to 65535", key,
		 conf_vis(s, vis, sizeof(vis)));
	return -1;
}

/* Checks which keys are present for add (need_connect) or delete. */
static int ppconf_netsh_keys(const char *val[PPCONF_NKEYS], bool need_connect, char *err,
			     size_t errlen)
{
	if (val[PPCONF_K_LISTENPORT] == NULL) {
		snprintf(err, errlen, "listenport=PORT is required");
		return -1;
	}
	if (need_connect && val[PPCONF_K_CONNECTADDRESS] == NULL) {
		snprintf(err, errlen, "connectaddress=IPV6 is required");
		return -1;
	}
	if (!need_connect && (val[PPCONF_K_CONNECTADDRESS] || val[PPCONF_K_CONNECTPORT])) {
		snprintf(err, errlen, "delete takes only listenport= and listenaddress=");
		return -1;
	}
	/* netsh's protocol= takes only tcp as well; accepted so netsh lines can be pasted. */
	if (val[PPCONF_K_PROTOCOL] &&
	    !ppconf_key_is(val[PPCONF_K_PROTOCOL], strlen(val[PPCONF_K_PROTOCOL]), "tcp")) {
		snprintf(err, errlen, "protocol: only tcp is supported");
		return -1;
	}
	return 0;
}

int ppconf_parse_netsh(int argc, char **argv, struct ppconf_entry *e, bool need_connect, char *err,
		       size_t errlen)
{
	const char *val[PPCONF_NKEYS] = {NULL};
	const char *laddr, *why;
	char vis[CONF_VIS_MAX];
	struct in_addr la;
	struct in6_addr ca = IN6ADDR_ANY_INIT;
	uint16_t lport, cport = 0;

	if (ppconf_netsh_split(argc, argv, val, err, errlen) < 0 ||
	    ppconf_netsh_keys(val, need_connect, err, errlen) < 0 ||
	    ppconf_netsh_port("listenport", val[PPCONF_K_LISTENPORT], &lport, err, errlen) < 0)
		return -1;
	laddr = val[PPCONF_K_LISTENADDRESS] ? val[PPCONF_K_LISTENADDRESS] : PPCONF_LISTEN_DEFAULT;
	if ((why = ppconf_listen_addr(laddr, &la)) != NULL) {
		snprintf(err, errlen, "listenaddress: '%s' is %s",
			 conf_vis(laddr, vis, sizeof(vis)), why);
		return -1;
	}
	if (need_connect && (why = ppconf_connect_addr(val[PPCONF_K_CONNECTADDRESS], &ca))) {
		snprintf(err, errlen, "connectaddress: '%s' is %s",
			 conf_vis(val[PPCONF_K_CONNECTADDRESS], vis, sizeof(vis)), why);
		return -1;
	}
	if (need_connect)
		cport = lport;
	if (val[PPCONF_K_CONNECTPORT] &&
	    ppconf_netsh_port("connectport", val[PPCONF_K_CONNECTPORT], &cport, err, errlen) < 0)
		return -1;
	ppconf_fill(e, &la, lport, &ca, cport);
	if (!need_connect)
		memset(&e->connect, 0, sizeof(e->connect));
	return 0;
}
