/* SPDX-License-Identifier: ISC */
/*
 * probe: `iphttps probe [options] URL|host[:port]` (see probe.h). Parses the options, then runs
 * the steps in the order a client meets them: the name (or the proxy's), TCP and the proxy's
 * tunnel, TLS and the certificate, the IP-HTTPS POST, and the audit's raw ClientHellos; hands
 * the facts to proto/probe for the verdict and prints the report. Exit: 0 IP-HTTPS OK, 1 failed,
 * 3 reachable but not IP-HTTPS, 2 usage.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "iphttps/cmd.h"
#include "iphttps/probe.h"
#include "iphttps/proxyenv.h"
#include "lib/log.h"
#include "proto/http1.h"

#define PROBE_TIMEOUT_MAX_S 60

static void probe_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: iphttps probe [options] URL|HOST[:PORT]\n"
	    "  URL                    https://HOST[:PORT]/PATH; HOST[:PORT] means "
	    "https://HOST[:PORT]/IPHTTPS\n"
	    "  --ca FILE              trust these PEM CA certificates instead of the system "
	    "store\n"
	    "  --cert FILE            offer this client certificate (PEM, chain after the leaf)\n"
	    "  --key FILE             its unencrypted key (default: in the --cert file)\n"
	    "  --proxy URL            through this HTTP proxy (default: $https_proxy)\n"
	    "  --no-proxy             ignore https_proxy / HTTPS_PROXY\n"
	    "  --timeout SECONDS      for each step (default 5)\n"
	    "  --null-only            offer only the NULL suites, as Windows 8+ does first\n"
	    "  --no-audit             skip the TLS audit (versions, NULL, DHE)\n"
	    "  --expect-issuer TEXT   the certificate's issuer must contain TEXT\n"
	    "  --pin SHA256           the certificate's SHA-256 fingerprint must be this\n"
	    "  --warn-days N          warn when the certificate expires within N days (30)\n"
	    "  --json                 one JSON object instead of the report\n"
	    "Exit status: 0 IP-HTTPS OK, 1 failed, 2 usage error, 3 reachable but not "
	    "IP-HTTPS.\n");
}

/* "sha256:ab:cd..", "AB CD ..", "abcd...": 32 bytes of hex, kept as "AB:CD:...". */
static int probe_pin(const char *s, char *out, size_t len)
{
	size_t n = 0, o = 0;

	if (strncasecmp(s, "sha256:", 7) == 0 && isxdigit((unsigned char)s[7]) && s[8] != ':')
		s += 7;
	for (; *s && o + 2 < len; s++) {
		if (*s == ':' || *s == ' ')
			continue;
		if (!isxdigit((unsigned char)*s))
			return -1;
		if (n && n % 2 == 0)
			out[o++] = ':';
		out[o++] = (char)toupper((unsigned char)*s);
		n++;
	}
	out[o] = '\0';
	return n == 64 && *s == '\0' ? 0 : -1;
}

static int probe_number(const char *s, const char *opt, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "iphttps probe: %s: want %ld to %ld, got '%s'\n", opt, lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

struct probe_args {
	const char *proxy;
	bool no_proxy;
	const char *target;
};

static int probe_opt(int ch, struct probe_opts *o, struct probe_args *a)
{
	long v;

	switch (ch) {
	case 'C':
		o->ca_file = optarg;
		return 0;
	case 'c':
		o->cert_file = optarg;
		return 0;
	case 'k':
		o->key_file = optarg;
		return 0;
	case 'p':
		a->proxy = optarg;
		return 0;
	case 'P':
		a->no_proxy = true;
		return 0;
	case 't':
		if (probe_number(optarg, "--timeout", 1, PROBE_TIMEOUT_MAX_S, &v) == -1)
			return -1;
		o->timeout_ms = (int)v * 1000;
		return 0;
	case 'n':
		o->null_only = true;
		return 0;
	case 'A':
		o->audit = false;
		return 0;
	case 'i':
		o->expect_issuer = optarg;
		return 0;
	case 'f':
		if (probe_pin(optarg, o->pin, sizeof(o->pin)) == 0)
			return 0;
		fprintf(stderr,
			"iphttps probe: --pin: want a SHA-256 fingerprint (64 hex "
			"digits), got '%s'\n",
			optarg);
		return -1;
	case 'w':
		return probe_number(optarg, "--warn-days", 0, 3650, &o->warn_days);
	case 'j':
		o->json = true;
		return 0;
	case 'h':
		probe_usage(stdout);
		return 1;
	default:
		probe_usage(stderr);
		return -1;
	}
}

static int probe_parse(int argc, char **argv, struct probe_opts *o, struct probe_args *a)
{
	static const struct option longopts[] = {
	    {"ca", required_argument, NULL, 'C'},
	    {"cert", required_argument, NULL, 'c'},
	    {"key", required_argument, NULL, 'k'},
	    {"proxy", required_argument, NULL, 'p'},
	    {"no-proxy", no_argument, NULL, 'P'},
	    {"timeout", required_argument, NULL, 't'},
	    {"null-only", no_argument, NULL, 'n'},
	    {"no-audit", no_argument, NULL, 'A'},
	    {"expect-issuer", required_argument, NULL, 'i'},
	    {"pin", required_argument, NULL, 'f'},
	    {"warn-days", required_argument, NULL, 'w'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		if ((rc = probe_opt(ch, o, a)) != 0)
			return rc;
	if (argc - optind != 1) {
		fprintf(stderr, "iphttps probe: %s\n",
			argc - optind < 1 ? "the server URL is missing" : "only one URL, please");
		probe_usage(stderr);
		return -1;
	}
	a->target = argv[optind];
	if (o->key_file && !o->cert_file) {
		fprintf(stderr, "iphttps probe: --key needs --cert\n");
		return -1;
	}
	return 0;
}

/* host[:port] is short for https://host[:port]/IPHTTPS, the DirectAccess URL (§5.3). */
static int probe_target(struct probe_opts *o, const char *target)
{
	const char *why;
	char buf[sizeof(o->url_text)];

	if (!strstr(target, "://") && target[0] != '[' &&
	    strchr(target, ':') != strrchr(target, ':'))
		/* a bare IPv6 address: brackets, or its last group would read as a port */
		snprintf(buf, sizeof(buf), "https://[%.*s]/IPHTTPS", URL_HOST_MAX, target);
	else if (!strstr(target, "://"))
		snprintf(buf, sizeof(buf), "https://%.*s/IPHTTPS", URL_HOST_MAX + 8, target);
	else
		snprintf(buf, sizeof(buf), "%s", target);
	if (url_parse(buf, &o->url, &why) == -1) {
		fprintf(stderr, "iphttps probe: %s: %s\n", target, why);
		return -1;
	}
	url_format(&o->url, o->url_text, sizeof(o->url_text));
	return 0;
}

/* RFC 6066 §3 and RFC 6125 §6.2.1: the name without the trailing dot of an absolute one. */
static void probe_name(struct probe *p)
{
	size_t n;

	snprintf(p->name, sizeof(p->name), "%s", p->o.url.host);
	n = strlen(p->name);
	if (!p->o.url.ip_literal && n > 1 && p->name[n - 1] == '.')
		p->name[n - 1] = '\0';
}

static int probe_setup(struct probe *p, const struct probe_args *a)
{
	struct probe_opts *o = &p->o;
	struct probe_facts *f = &p->f;
	char err[160];

	if (probe_target(o, a->target) == -1)
		return -1;
	probe_name(p);
	if (proxyenv_pick(&o->url, a->proxy, a->no_proxy, &o->proxy, &o->have_proxy, err,
			  sizeof(err)) == -1) {
		fprintf(stderr, "iphttps probe: %s\n", err);
		return -1;
	}
	if (o->have_proxy && o->proxy.has_cred &&
	    http1_basic_credentials(o->proxy.user, o->proxy.pass, p->proxy_b64,
				    sizeof(p->proxy_b64)) == 0) {
		fprintf(stderr, "iphttps probe: proxy credentials unusable\n");
		return -1;
	}
	probe_facts_init(f);
	snprintf(f->host, sizeof(f->host), "%s", o->url.host);
	snprintf(f->path, sizeof(f->path), "%.255s", o->url.path);
	f->port = o->url.port;
	f->ip_literal = o->url.ip_literal;
	f->plain_http = o->url.scheme == URL_HTTP;
	f->null_only = o->null_only;
	f->cert_given = o->cert_file != NULL;
	f->expect_issuer = o->expect_issuer;
	f->pin = o->pin;
	f->warn_days = o->warn_days;
	f->proxy = o->have_proxy;
	if (o->have_proxy)
		url_format(&o->proxy, f->proxy_name, sizeof(f->proxy_name));
	return 0;
}

static void probe_run(struct probe *p)
{
	if (probe_net_resolve(p) == -1)
		return;
	probe_tls_run(p);
	if (p->o.audit && p->o.url.scheme == URL_HTTPS && p->f.tcp == PROBE_TCP_OK)
		probe_audit_run(p);
}

int probe_main(int argc, char **argv)
{
	struct probe_args a = {0};
	struct probe_result r;
	struct probe *p = calloc(1, sizeof(*p));
	int rc;

	if (!p) {
		fprintf(stderr, "iphttps probe: out of memory\n");
		return 1;
	}
	p->o.timeout_ms = PROBE_TIMEOUT_MS;
	p->o.audit = true;
	p->o.warn_days = PROBE_WARN_DAYS;
	log_init("iphttps", false, LOG_LVL_WARN);
	/* OpenSSL writes with write(2): a peer gone mid-report must be an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	rc = probe_parse(argc, argv, &p->o, &a);
	if (rc == 0 && probe_setup(p, &a) == 0) {
		probe_run(p);
		probe_judge(&p->f, &r);
		if (p->o.json)
			probe_json_print(stdout, p, &r);
		else
			probe_out_human(stdout, p, &r);
		rc = (int)r.verdict;
	} else {
		rc = rc > 0 ? 0 : 2;
	}
	OPENSSL_cleanse(p, sizeof(*p)); /* proxy credentials */
	free(p);
	return rc;
}
