/* SPDX-License-Identifier: ISC */
/*
 * loadgen_opt: the command line. Numeric addresses only (lib/addr): the gateway as ADDR[:PORT],
 * source addresses as a comma-separated list or an IPv4 range, all of the gateway's family.
 * Every value is checked here, including that the POST can be built from --path and --host,
 * so a tunnel never fails for a reason the command line already showed.
 */
#include "bench/loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "proto/http1.h"

#define LOADGEN_COUNT_MAX 10000000u
#define LOADGEN_PORT	  443

/* Long options without a letter. */
enum loadgen_opt_id {
	LOADGEN_OPT_SRC = 256,
	LOADGEN_OPT_SRC_RANGE,
	LOADGEN_OPT_NAME,
	LOADGEN_OPT_HOST,
	LOADGEN_OPT_PATH,
	LOADGEN_OPT_CA,
	LOADGEN_OPT_INSECURE,
	LOADGEN_OPT_TLS,
	LOADGEN_OPT_CIPHER,
	LOADGEN_OPT_INFLIGHT,
	LOADGEN_OPT_RATE,
	LOADGEN_OPT_TIMEOUT,
	LOADGEN_OPT_HOLD,
	LOADGEN_OPT_READY,
	LOADGEN_OPT_RECONNECT,
	LOADGEN_OPT_RETRY,
	LOADGEN_OPT_STATS,
	LOADGEN_OPT_MAX_TIME,
};

static void loadgen_opt_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: loadgen -c ADDR[:PORT] -n N [options]\n"
	    "  -c, --connect ADDR[:PORT]  the gateway (port 443 by default; IPv6 in brackets)\n"
	    "  -n, --count N              tunnels to open\n"
	    "  --src A,B,...              local source addresses, used round-robin\n"
	    "  --src-range A-B            an IPv4 range of source addresses (added to --src)\n"
	    "  --name NAME                SNI and the name the certificate must bear\n"
	    "                             (default: no SNI; the certificate must bear ADDR)\n"
	    "  --host HOST                the Host header (default: NAME, else ADDR[:PORT])\n"
	    "  --path PATH                the request path (default /IPHTTPS)\n"
	    "  --ca FILE | --insecure     trust FILE's CAs / check no certificate\n"
	    "                             (default: the system's CAs)\n"
	    "  --tls 1.2|1.3              this TLS version only\n"
	    "  --cipher LIST              TLS 1.2 cipher list (e.g. NULL-SHA256) or, with\n"
	    "                             --tls 1.3, TLS 1.3 suites; sets security level 0\n"
	    "  --inflight K               handshakes in flight at most (default 200)\n"
	    "  --rate R                   new tunnels per second at most (default: no limit)\n"
	    "  --timeout S                seconds allowed for each step (default 10)\n"
	    "  --hold S                   once all are up or failed, hold them S seconds\n"
	    "                             (with --reconnect: 0 or absent holds until SIGTERM)\n"
	    "  --ready-file F             write the stats line to F once all are up or failed,\n"
	    "                             and again whenever all are back (--reconnect)\n"
	    "  --reconnect                reconnect tunnels that drop or fail\n"
	    "  --retry-ms MS              wait after a failed attempt (--reconnect; default 100)\n"
	    "  --stats-every S            a stats line every S seconds\n"
	    "  --max-time S               end the run after S seconds whatever happens\n"
	    "  -v                         progress (-vv: every failure)\n"
	    "Output: one JSON line at the end (and while holding). Exit 0 when all N are up at\n"
	    "the end, 1 when not, 2 on a usage or set-up error.\n");
}

static int loadgen_opt_u32(const char *s, const char *what, uint32_t min, uint32_t max,
			   uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v < min || v > max) {
		fprintf(stderr, "loadgen: %s: want a number %u to %u, got '%s'\n", what, min, max,
			s);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int loadgen_opt_rate(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (s[0] < '0' || s[0] > '9' || *end || errno || *out > 1e7) {
		fprintf(stderr, "loadgen: --rate: want tunnels per second, got '%s'\n", s);
		return -1;
	}
	return 0;
}

static int loadgen_opt_add_src(struct loadgen_opts *o, int family, const void *addr)
{
	struct sockaddr_storage *ss;

	if (o->nsrc == LOADGEN_MAX_SRC) {
		fprintf(stderr, "loadgen: more than %d source addresses\n", LOADGEN_MAX_SRC);
		return -1;
	}
	if (o->nsrc % 64 == 0) {
		ss = realloc(o->src, (o->nsrc + 64) * sizeof(*ss));
		if (!ss) {
			fprintf(stderr, "loadgen: out of memory\n");
			return -1;
		}
		o->src = ss;
	}
	ss = &o->src[o->nsrc++];
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, addr, sizeof(struct in_addr));
	else
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, addr, sizeof(struct in6_addr));
	return 0;
}

/* "192.0.2.10,192.0.2.11,2001:db8::5" */
static int loadgen_opt_src(struct loadgen_opts *o, const char *list)
{
	char item[INET6_ADDRSTRLEN];
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		struct in6_addr a6;
		struct in_addr a4;

		if (n == 0 || n >= sizeof(item)) {
			fprintf(stderr, "loadgen: --src: bad list '%s'\n", list);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if (inet_pton(AF_INET, item, &a4) == 1) {
			if (loadgen_opt_add_src(o, AF_INET, &a4) == -1)
				return -1;
		} else if (inet_pton(AF_INET6, item, &a6) == 1) {
			if (loadgen_opt_add_src(o, AF_INET6, &a6) == -1)
				return -1;
		} else {
			fprintf(stderr, "loadgen: --src: '%s' is not an address\n", item);
			return -1;
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* "192.0.2.10-192.0.2.60", both ends included. */
static int loadgen_opt_src_range(struct loadgen_opts *o, const char *s)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	const char *dash = strchr(s, '-');
	struct in_addr lo, hi;

	if (!dash || (size_t)(dash - s) >= sizeof(a) || strlen(dash + 1) >= sizeof(b))
		goto bad;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	snprintf(b, sizeof(b), "%s", dash + 1);
	if (inet_pton(AF_INET, a, &lo) != 1 || inet_pton(AF_INET, b, &hi) != 1 ||
	    ntohl(lo.s_addr) > ntohl(hi.s_addr))
		goto bad;
	if (ntohl(hi.s_addr) - ntohl(lo.s_addr) >= LOADGEN_MAX_SRC) {
		fprintf(stderr, "loadgen: --src-range: more than %d addresses\n", LOADGEN_MAX_SRC);
		return -1;
	}
	for (uint32_t v = ntohl(lo.s_addr);; v++) {
		struct in_addr x = {htonl(v)};

		if (loadgen_opt_add_src(o, AF_INET, &x) == -1)
			return -1;
		if (v == ntohl(hi.s_addr))
			return 0;
	}
bad:
	fprintf(stderr, "loadgen: --src-range: want A-B, two IPv4 addresses in order, got '%s'\n",
		s);
	return -1;
}

static int loadgen_opt_connect(struct loadgen_opts *o, const char *s)
{
	int rc = addr_parse_sockaddr(s, LOADGEN_PORT, &o->gw, &o->gwlen);
	const void *a;

	if (rc != 0) {
		fprintf(stderr, "loadgen: --connect %s: %s\n", s, addr_strerror(rc));
		return -1;
	}
	a = o->gw.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&o->gw)->sin_addr
				       : (const void *)&((struct sockaddr_in6 *)&o->gw)->sin6_addr;
	inet_ntop(o->gw.ss_family, a, o->gwtext, sizeof(o->gwtext));
	return 0;
}

static int loadgen_opt_tls(struct loadgen_opts *o, const char *s)
{
	if (strcmp(s, "1.2") == 0)
		o->tls_version = TLS1_2_VERSION;
	else if (strcmp(s, "1.3") == 0)
		o->tls_version = TLS1_3_VERSION;
	else {
		fprintf(stderr, "loadgen: --tls: want 1.2 or 1.3, got '%s'\n", s);
		return -1;
	}
	return 0;
}

static int loadgen_opt_one(int ch, struct loadgen_opts *o, const char **host, const char *argv_opt)
{
	uint32_t v;

	switch (ch) {
	case 'c':
		return loadgen_opt_connect(o, optarg);
	case 'n':
		return loadgen_opt_u32(optarg, "-n", 1, LOADGEN_COUNT_MAX, &o->count);
	case LOADGEN_OPT_SRC:
		return loadgen_opt_src(o, optarg);
	case LOADGEN_OPT_SRC_RANGE:
		return loadgen_opt_src_range(o, optarg);
	case LOADGEN_OPT_NAME:
		o->name = optarg;
		return 0;
	case LOADGEN_OPT_HOST:
		*host = optarg;
		return 0;
	case LOADGEN_OPT_PATH:
		o->path = optarg;
		return 0;
	case LOADGEN_OPT_CA:
		o->ca_file = optarg;
		return 0;
	case LOADGEN_OPT_INSECURE:
		o->insecure = true;
		return 0;
	case LOADGEN_OPT_TLS:
		return loadgen_opt_tls(o, optarg);
	case LOADGEN_OPT_CIPHER:
		o->cipher = optarg;
		return 0;
	case LOADGEN_OPT_INFLIGHT:
		return loadgen_opt_u32(optarg, "--inflight", 1, LOADGEN_COUNT_MAX, &o->inflight);
	case LOADGEN_OPT_RATE:
		return loadgen_opt_rate(optarg, &o->rate);
	case LOADGEN_OPT_TIMEOUT:
		if (loadgen_opt_u32(optarg, "--timeout", 1, 3600, &v) == -1)
			return -1;
		o->timeout_ms = v * 1000;
		return 0;
	case LOADGEN_OPT_HOLD:
		if (loadgen_opt_u32(optarg, "--hold", 0, 31 * 86400, &v) == -1)
			return -1;
		o->hold_s = v;
		return 0;
	case LOADGEN_OPT_READY:
		o->ready_file = optarg;
		return 0;
	case LOADGEN_OPT_RECONNECT:
		o->reconnect = true;
		return 0;
	case LOADGEN_OPT_RETRY:
		return loadgen_opt_u32(optarg, "--retry-ms", 1, 3600000, &o->retry_ms);
	case LOADGEN_OPT_STATS:
		return loadgen_opt_u32(optarg, "--stats-every", 1, 86400, &o->stats_every_s);
	case LOADGEN_OPT_MAX_TIME:
		return loadgen_opt_u32(optarg, "--max-time", 1, 31 * 86400, &o->max_time_s);
	case 'v':
		o->verbose++;
		return 0;
	case 'h':
		loadgen_opt_usage(stdout);
		return 1;
	case ':':
		fprintf(stderr, "loadgen: %s needs a value\n", argv_opt);
		return -1;
	default:
		fprintf(stderr, "loadgen: unknown option %s\n", argv_opt);
		loadgen_opt_usage(stderr);
		return -1;
	}
}

/* The Host header: --host, else --name, else the address; ":port" when not 443. */
static int loadgen_opt_host(struct loadgen_opts *o, const char *host)
{
	uint16_t port = addr_port((const struct sockaddr *)&o->gw);
	const char *h = host ? host : o->name;
	bool v6 = !h && o->gw.ss_family == AF_INET6;
	int n;

	if (host)
		n = snprintf(o->host, sizeof(o->host), "%s", host);
	else
		n = snprintf(o->host, sizeof(o->host), "%s%s%s", v6 ? "[" : "", h ? h : o->gwtext,
			     v6 ? "]" : "");
	if (!host && port != LOADGEN_PORT && n > 0 && (size_t)n < sizeof(o->host))
		n += snprintf(o->host + n, sizeof(o->host) - (size_t)n, ":%u", port);
	if (n <= 0 || (size_t)n >= sizeof(o->host)) {
		fprintf(stderr, "loadgen: the Host header is too long\n");
		return -1;
	}
	return 0;
}

static int loadgen_opt_check(struct loadgen_opts *o, const char *host)
{
	char req[LOADGEN_REQ_MAX];

	if (!o->gwlen || !o->count) {
		fprintf(stderr, "loadgen: %s is missing\n", !o->gwlen ? "--connect" : "-n");
		return -1;
	}
	for (size_t i = 0; i < o->nsrc; i++)
		if (o->src[i].ss_family != o->gw.ss_family) {
			fprintf(stderr, "loadgen: the source addresses must be of the gateway's "
					"family\n");
			return -1;
		}
	if (o->insecure && o->ca_file) {
		fprintf(stderr, "loadgen: --ca and --insecure exclude each other\n");
		return -1;
	}
	if (o->cipher && !o->tls_version) {
		fprintf(stderr, "loadgen: --cipher needs --tls 1.2 or --tls 1.3\n");
		return -1;
	}
	if (o->ready_file && o->hold_s < 0 && !o->reconnect) {
		fprintf(stderr, "loadgen: --ready-file needs --hold or --reconnect\n");
		return -1;
	}
	if (loadgen_opt_host(o, host) == -1)
		return -1;
	if (http1_request_post(req, sizeof(req), o->path, o->host) == 0) {
		fprintf(stderr, "loadgen: no valid request with path '%s' and Host '%s'\n", o->path,
			o->host);
		return -1;
	}
	return 0;
}

int loadgen_opt_parse(int argc, char **argv, struct loadgen_opts *o)
{
	static const struct option longopts[] = {
	    {"connect", required_argument, NULL, 'c'},
	    {"count", required_argument, NULL, 'n'},
	    {"src", required_argument, NULL, LOADGEN_OPT_SRC},
	    {"src-range", required_argument, NULL, LOADGEN_OPT_SRC_RANGE},
	    {"name", required_argument, NULL, LOADGEN_OPT_NAME},
	    {"host", required_argument, NULL, LOADGEN_OPT_HOST},
	    {"path", required_argument, NULL, LOADGEN_OPT_PATH},
	    {"ca", required_argument, NULL, LOADGEN_OPT_CA},
	    {"insecure", no_argument, NULL, LOADGEN_OPT_INSECURE},
	    {"tls", required_argument, NULL, LOADGEN_OPT_TLS},
	    {"cipher", required_argument, NULL, LOADGEN_OPT_CIPHER},
	    {"inflight", required_argument, NULL, LOADGEN_OPT_INFLIGHT},
	    {"rate", required_argument, NULL, LOADGEN_OPT_RATE},
	    {"timeout", required_argument, NULL, LOADGEN_OPT_TIMEOUT},
	    {"hold", required_argument, NULL, LOADGEN_OPT_HOLD},
	    {"ready-file", required_argument, NULL, LOADGEN_OPT_READY},
	    {"reconnect", no_argument, NULL, LOADGEN_OPT_RECONNECT},
	    {"retry-ms", required_argument, NULL, LOADGEN_OPT_RETRY},
	    {"stats-every", required_argument, NULL, LOADGEN_OPT_STATS},
	    {"max-time", required_argument, NULL, LOADGEN_OPT_MAX_TIME},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *host = NULL;
	int ch, rc;

	o->path = "/IPHTTPS";
	o->inflight = 200;
	o->timeout_ms = 10000;
	o->hold_s = -1;
	o->retry_ms = 100;
	while ((ch = getopt_long(argc, argv, ":c:n:vh", longopts, NULL)) != -1)
		if ((rc = loadgen_opt_one(ch, o, &host, argv[optind - 1])) != 0)
			return rc;
	if (optind != argc) {
		fprintf(stderr, "loadgen: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return loadgen_opt_check(o, host);
}

void loadgen_opt_free(struct loadgen_opts *o)
{
	free(o->src);
	o->src = NULL;
	o->nsrc = 0;
}
