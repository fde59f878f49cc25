/* SPDX-License-Identifier: ISC */
/*
 * connect: `iphttps connect [options] URL`, the IP-HTTPS client in the foreground (etc/
 * iphttps.service runs it as a service). Parses the options, the URL and the proxy setting
 * (--proxy, else https_proxy / HTTPS_PROXY, or http_proxy for an http:// URL, minus no_proxy),
 * warns about the choices Windows would refuse or that weaken the link, and hands over to the
 * client engine (iphttps/cl). Exit: 0 after SIGTERM/SIGINT, 1 on a failure (setup, or the
 * first connection failure with --once), 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iphttps/cl.h"
#include "iphttps/cmd.h"
#include "iphttps/proxyenv.h"
#include "lib/log.h"

#define CONNECT_DEFAULT_TUN "iphttps0"
#define CONNECT_RETRY_BASE  30	/* [MS-IPHTTPS] §3.1.2.1 */
#define CONNECT_RETRY_MAX   900 /* 15 min */
#define CONNECT_RETRY_LIMIT 86400

static void connect_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: iphttps connect [options] URL\n"
	    "  URL                    https://HOST[:PORT]/PATH, e.g. "
	    "https://da.example.com/IPHTTPS\n"
	    "                         (http:// only for a gateway behind a TLS-terminating "
	    "balancer)\n"
	    "  --ca FILE              trust these PEM CA certificates instead of the system store\n"
	    "  --cert FILE            client certificate (PEM, chain after the leaf)\n"
	    "  --key FILE             its unencrypted key (default: in the --cert file)\n"
	    "  --null-ciphers         offer only the NULL suites first, as Windows 8+ clients do,\n"
	    "                         falling back to encrypted suites\n"
	    "  --tls-max 1.2          no TLS 1.3, as Windows clients before Windows 11\n"
	    "  --proxy URL            http://[USER:PASSWORD@]HOST:PORT (default: $https_proxy)\n"
	    "  --no-proxy             ignore https_proxy / HTTPS_PROXY / http_proxy\n"
	    "  --tun NAME             TUN device (default " CONNECT_DEFAULT_TUN ")\n"
	    "  --default-route        accept the gateway as default router (default: only its\n"
	    "                         prefix and the routes it advertises)\n"
	    "  --no-offload           read the TUN one packet at a time (default: TCP\n"
	    "                         super-packets of up to 64 KiB, cut to the MTU here)\n"
	    "  --retry-base SECONDS   first reconnect delay (default 30)\n"
	    "  --retry-max SECONDS    longest reconnect delay (default 900)\n"
	    "  --state-dir DIR        where the state file goes (default " STFILE_DIR ")\n"
	    "  --portproxy-file FILE  port proxies (default " PPCONF_DEFAULT ")\n"
	    "  --once                 exit with status 1 on the first failure instead of retrying\n"
	    "  -v, -d                 log more (info), everything (debug)\n"
	    "Exit status: 0 stopped by SIGTERM/SIGINT, 1 failure, 2 usage error.\n");
}

static int connect_seconds(const char *s, const char *opt, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || s[0] == '-' || v < 1 || v > CONNECT_RETRY_LIMIT) {
		fprintf(stderr, "iphttps connect: %s: want 1 to %d seconds, got '%s'\n", opt,
			CONNECT_RETRY_LIMIT, s);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int connect_tun_name(const char *s, struct cl_opts *o)
{
	/* IFNAMSIZ, and no '%' (a kernel-chosen name) or '/' (a sysctl path). */
	if (s[0] == '\0' || strlen(s) >= sizeof(o->tun) || strpbrk(s, "%/ \t")) {
		fprintf(stderr, "iphttps connect: --tun: invalid interface name '%s'\n", s);
		return -1;
	}
	snprintf(o->tun, sizeof(o->tun), "%s", s);
	return 0;
}

struct connect_args {
	const char *proxy; /* --proxy */
	bool no_proxy;
	int verbose;
};

/* One option; returns 0, 1 for --help, -1 on a usage error. */
static int connect_opt(int ch, struct cl_opts *o, struct connect_args *a)
{
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
	case 'n':
		o->null_ciphers = true;
		return 0;
	case 'T':
		if (strcmp(optarg, "1.2") == 0 || strcmp(optarg, "1.3") == 0) {
			o->tls12_only = strcmp(optarg, "1.2") == 0;
			return 0;
		}
		fprintf(stderr, "iphttps connect: --tls-max: want 1.2 or 1.3, got '%s'\n", optarg);
		return -1;
	case 'p':
		a->proxy = optarg;
		return 0;
	case 'P':
		a->no_proxy = true;
		return 0;
	case 't':
		return connect_tun_name(optarg, o);
	case 'r':
		o->default_route = true;
		return 0;
	case 'O':
		o->no_offload = true;
		return 0;
	case 'b':
		return connect_seconds(optarg, "--retry-base", &o->retry_base_s);
	case 'm':
		return connect_seconds(optarg, "--retry-max", &o->retry_max_s);
	case 's':
		o->state_dir = optarg;
		return 0;
	case 'f':
		o->portproxy_file = optarg;
		return 0;
	case '1':
		o->once = true;
		return 0;
	case 'v':
		a->verbose = a->verbose < 1 ? 1 : a->verbose;
		return 0;
	case 'd':
		a->verbose = 2;
		return 0;
	case 'h':
		connect_usage(stdout);
		return 1;
	default:
		connect_usage(stderr);
		return -1;
	}
}

static int connect_parse(int argc, char **argv, struct cl_opts *o, struct connect_args *a)
{
	static const struct option longopts[] = {
	    {"ca", required_argument, NULL, 'C'},
	    {"cert", required_argument, NULL, 'c'},
	    {"key", required_argument, NULL, 'k'},
	    {"null-ciphers", no_argument, NULL, 'n'},
	    {"tls-max", required_argument, NULL, 'T'},
	    {"proxy", required_argument, NULL, 'p'},
	    {"no-proxy", no_argument, NULL, 'P'},
	    {"tun", required_argument, NULL, 't'},
	    {"default-route", no_argument, NULL, 'r'},
	    {"no-offload", no_argument, NULL, 'O'},
	    {"retry-base", required_argument, NULL, 'b'},
	    {"retry-max", required_argument, NULL, 'm'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"portproxy-file", required_argument, NULL, 'f'},
	    {"once", no_argument, NULL, '1'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"debug", no_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	optind = 0; /* glibc: start over, connect_main may run more than once (tests) */
	while ((ch = getopt_long(argc, argv, "vdh", longopts, NULL)) != -1)
		if ((rc = connect_opt(ch, o, a)) != 0)
			return rc;
	if (argc - optind != 1) {
		fprintf(stderr, "iphttps connect: %s\n",
			argc - optind < 1 ? "the server URL is missing" : "only one URL, please");
		connect_usage(stderr);
		return -1;
	}
	o->url_text = argv[optind];
	return 0;
}

static int connect_check(struct cl_opts *o, const struct connect_args *a)
{
	const char *why;
	char err[160];

	if (url_parse(o->url_text, &o->url, &why) == -1) {
		fprintf(stderr, "iphttps connect: %s: %s\n", o->url_text, why);
		return -1;
	}
	if (o->key_file && !o->cert_file) {
		fprintf(stderr, "iphttps connect: --key needs --cert\n");
		return -1;
	}
	if (o->retry_base_s > o->retry_max_s) {
		fprintf(stderr, "iphttps connect: --retry-base is longer than --retry-max\n");
		return -1;
	}
	if (proxyenv_pick(&o->url, a->proxy, a->no_proxy, &o->proxy, &o->have_proxy, err,
			  sizeof(err)) == -1) {
		fprintf(stderr, "iphttps connect: %s\n", err);
		return -1;
	}
	return 0;
}

/* What Windows would refuse, and what weakens the link: said once, loudly. */
static void connect_warn(const struct cl_opts *o)
{
	if (o->url.ip_literal)
		log_warnx(
		    "the URL host %s is an IP address: Windows clients refuse that "
		    "(0x4BE ERROR_INVALID_NETNAME); here the server certificate must name the "
		    "address in its subjectAltName",
		    o->url.host);
	if (o->url.scheme == URL_HTTP) {
		log_warnx("PLAIN HTTP: no encryption and no server authentication on this path; "
			  "only for a gateway behind a TLS-terminating balancer on a network you "
			  "trust ([MS-IPHTTPS] §5.1)");
		if (o->ca_file || o->cert_file || o->null_ciphers)
			log_warnx("--ca, --cert and --null-ciphers mean nothing over plain HTTP");
	}
	if (o->null_ciphers && o->url.scheme == URL_HTTPS)
		log_notice("--null-ciphers: the tunnel itself is not encrypted in NULL mode; only "
			   "use it when the payload is protected (DirectAccess IPsec)");
}

int connect_main(int argc, char **argv)
{
	struct connect_args a = {0};
	struct cl_opts o = {0};
	struct cl *c;
	int rc;

	snprintf(o.tun, sizeof(o.tun), "%s", CONNECT_DEFAULT_TUN);
	o.retry_base_s = CONNECT_RETRY_BASE;
	o.retry_max_s = CONNECT_RETRY_MAX;
	o.state_dir = STFILE_DIR;
	o.portproxy_file = PPCONF_DEFAULT;
	rc = connect_parse(argc, argv, &o, &a);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	log_init("iphttps", false,
		 a.verbose >= 2	  ? LOG_LVL_DEBUG
		 : a.verbose == 1 ? LOG_LVL_INFO
				  : LOG_LVL_NOTICE);
	if (connect_check(&o, &a) == -1)
		return 2;
	connect_warn(&o);
	/* struct cl holds buffers of a few tens of KiB: not for the stack. */
	if (!(c = malloc(sizeof(*c)))) {
		log_warnx("out of memory");
		return 1;
	}
	rc = cl_init(c, &o) == 0 ? cl_run(c) : 1;
	cl_free(c);
	free(c);
	explicit_bzero(&o.proxy, sizeof(o.proxy));
	return rc;
}
