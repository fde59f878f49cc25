/* SPDX-License-Identifier: ISC */
/*
 * gwconf: the gateway's configuration: built-in defaults, the `key value` file format, checks,
 * and the normalised printout behind `iphttpsd -nv`. Parsing is from memory (the privileged
 * parent reads the file; the worker may parse the same text again on SIGHUP), and every error is
 * reported at once with its line number (TAYGA's collected errors, bgpd's -n/-nv).
 */
#ifndef IPHTTPSD_GWCONF_H
#define IPHTTPSD_GWCONF_H

#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "lib/tls.h"
#include "proto/acl.h"
#include "proto/link.h"

#define GWCONF_MAX_LISTEN  16
#define GWCONF_MAX_CERTS   TLS_MAX_CERTS /* certificate/key pairs: one RSA, one ECDSA */
#define GWCONF_MAX_CRLS	   TLS_MAX_CRLS
#define GWCONF_MAX_NAMES   64 /* client-name lines */
#define GWCONF_MAX_PROXIES 16 /* trusted-proxy lines */
#define GWCONF_FILE_MAX	   (1024 * 1024)

struct gwconf_listen {
	struct sockaddr_storage ss;
	socklen_t len;
	bool proxy_protocol; /* `listen ADDR proxy-protocol`: a PROXY v2 header first, from a
				trusted-proxy address only */
};

/* Authentication Mode ([MS-IPHTTPS] §3.2.1). */
enum gwconf_auth {
	GWCONF_AUTH_NONE = 0,	  /* clients need no certificate (a valid one still counts) */
	GWCONF_AUTH_CERTIFICATES, /* a valid client certificate (or balancer identity) required */
};

/* An IPv4 or IPv6 network; IPv4 held as ::ffff:a.b.c.d with plen 96 + the IPv4 length. */
struct gwconf_net {
	struct in6_addr addr;
	uint8_t plen;
};

#define GWCONF_MAX_WORKERS 64 /* "workers": processes, one /64 each */

struct gwconf {
	struct gwconf_listen listen[GWCONF_MAX_LISTEN]; /* TLS; default 0.0.0.0:443, [::]:443 */
	size_t nlisten;
	struct gwconf_listen listen_http[GWCONF_MAX_LISTEN]; /* plain HTTP behind a TLS offloader;
								 off by default; never a wildcard */
	size_t nlisten_http;
	char path[128];		 /* "/IPHTTPS" */
	bool accept_iptls;	 /* also accept the spec's "/IPTLS"; default yes */
	char server_header[128]; /* "Microsoft-HTTPAPI/2.0" (nmap's ip-https-discover needs it) */
	/* PEM chain and key pairs, in the order given; ncert 0: self-signed one in state_dir.
	 * Keys must not be readable by group/others. */
	char certificate[GWCONF_MAX_CERTS][PATH_MAX];
	char key[GWCONF_MAX_CERTS][PATH_MAX];
	size_t ncert;
	enum tls_profile tls_profile; /* "tls-profile", default modern */
	enum gwconf_auth auth;	      /* "auth", default none */
	char client_ca[PATH_MAX];     /* "client-ca": CA bundle for client certificates, "" none */
	char client_crl[GWCONF_MAX_CRLS][PATH_MAX]; /* "client-crl", repeatable */
	size_t ncrl;
	char client_name[GWCONF_MAX_NAMES][254]; /* "client-name PATTERN", repeatable */
	size_t nclient_name;
	char client_names[PATH_MAX];  /* "client-names FILE": allow-list file, "" none */
	uint32_t max_conn_per_source; /* "max-conn-per-source", 64; 0 unlimited */
	uint32_t handshake_rate;      /* "handshake-rate" per source per second, 20; 0 unlimited */
	uint32_t client_icmp_rate; /* "client-icmp-rate" per client per second, 100; 0 unlimited */
	bool client_isolation;	   /* "client-isolation", no */
	struct acl unauth_allow;   /* "unauth-allow RULE", repeatable; n 0: no restriction */
	struct gwconf_net trusted_proxy[GWCONF_MAX_PROXIES]; /* "trusted-proxy NET" */
	size_t ntrusted_proxy;
	char identity_header[64]; /* "identity-header", "X-Client-Identity" */
	char state_dir[PATH_MAX]; /* "/var/lib/iphttpsd" */
	bool have_prefix;	  /* false: random ULA /64 kept in state_dir/prefix */
	struct in6_addr prefix;
	uint8_t prefix_len; /* 64; shorter (48-63) with workers: one /64 per worker */
	uint32_t workers;   /* "workers", 1: gateway processes sharing the listeners */
	bool tun_offload;   /* "tun-offload", yes: TCP super-packets from the TUN (issue #6) */
	uint32_t mtu;	    /* 1280 */
	char tun[IFNAMSIZ]; /* "iphttps0" */
	struct link_route routes[LINK_MAX_ROUTES]; /* advertised with RFC 4191 Route Information */
	size_t nroutes;
	uint16_t router_lifetime;    /* 1800 */
	uint32_t valid_lifetime;     /* 86400 */
	uint32_t preferred_lifetime; /* 14400 */
	uint32_t ra_interval;	     /* 600 s between periodic RAs on each connection */
	char user[64];		     /* "" = iphttpsd if it exists, else nobody */
	char control[PATH_MAX];	     /* "/run/iphttpsd.sock" */
	bool log_syslog;	     /* false: stderr */
	int log_level;		     /* enum log_level, LOG_LVL_INFO */
	bool log_drops;		     /* log each dropped packet (they are always counted) */
	uint32_t max_clients;	     /* 100000 */
	uint32_t handshake_timeout;  /* 10 s for the TLS handshake */
	uint32_t head_timeout;	     /* 10 s for the request head after the handshake */
	uint32_t client_queue;	     /* 65536 bytes queued toward one client before drops */
	uint32_t icmp_error_rate;    /* 100 ICMPv6 errors per second */
	uint32_t nd_resolve_rate;    /* 10 NS per second resolving unknown addresses; 0 off */
	uint32_t tcp_keepalive;	     /* 60 s idle before TCP keepalive probes */
	uint32_t tcp_user_timeout;   /* 120 s: a dead peer is dropped after this */
};

/* Fills the built-in defaults. */
void gwconf_defaults(struct gwconf *c);

/*
 * Parses `text` (a whole file) over the defaults already in *c. Every error is logged with
 * log_errx as "NAME:LINE: message" and parsing continues; returns the number of errors.
 * Unknown keys, bad values, duplicates of single-valued keys and a finished config that does not
 * hold together (preferred > valid lifetime, wildcard listen-http...) are all errors.
 */
int gwconf_parse(struct gwconf *c, const char *text, size_t len, const char *name);

/* Reads a file of at most GWCONF_FILE_MAX bytes into a malloc'd NUL-terminated buffer. */
char *gwconf_read_file(const char *path, size_t *len);

/*
 * Checks referenced files, one message each: every certificate, client-ca, client-crl and
 * client-names file exists, is a regular file and opens for reading; every key also is not
 * readable by group or others (conf_check_secrecy). It does not parse them. Returns errors.
 */
int gwconf_check_files(const struct gwconf *c);

/* Prints the configuration normalised, every key explicit, in a form gwconf_parse accepts. */
void gwconf_print(const struct gwconf *c, FILE *out);

/*
 * Additions. The printed form spells the unset values as words gwconf_parse reads back:
 * "listen none", "listen-http none", "route none", "client-crl none", "trusted-proxy none"
 * (no entries), "certificate auto" / "key auto" (self-signed in state_dir), "prefix auto"
 * (random ULA in state_dir), "user auto", "client-ca none", "client-names none",
 * "client-name any" (no name rule) and "unauth-allow any" (no restriction: "none" is refused,
 * as it would read as "allow nothing").
 */

/* The i-th key in print order, NULL past the last (for tests and `iphttpsd -h`). */
const char *gwconf_key_name(size_t i);
/*
 * False for keys a SIGHUP cannot change: listen, listen-http (with their proxy-protocol option),
 * state-dir, prefix, mtu, tun, user, control, log. Unknown keys are false too. Every key of
 * issue #4 reloads; a changed auth must drop every client ([MS-IPHTTPS] §3.2.7.1).
 */
bool gwconf_key_reloadable(const char *key);
/*
 * The restart-only keys whose value differs between the running configuration and a reloaded
 * one (compared in their printed form; uses open_memstream): up to max names into keys[], in
 * print order; returns how many differ.
 */
size_t gwconf_restart_changes(const struct gwconf *old, const struct gwconf *cur, const char **keys,
			      size_t max);

/* "none" or "certificates", as the auth key spells it. */
const char *gwconf_auth_name(enum gwconf_auth a);
/* Whether sa (AF_INET, or AF_INET6 also v4-mapped) lies in one of the trusted-proxy networks:
 * only such peers may send a PROXY header or an identity-header. */
bool gwconf_trusted_proxy(const struct gwconf *c, const struct sockaddr *sa);

/*
 * Worker k's share of the configuration c (issue #6): its /64 (the covering prefix's /64
 * number k, Windows clusters' one /64 per server), TUN "<tun>w<k>" and control socket
 * "<control>.<k>" for k >= 1 (worker 0 keeps the names given), and max-clients / workers.
 * Call once on a freshly parsed configuration. A prefix kept in state-dir (auto) is a /64:
 * its low bits are replaced by k.
 */
void gwconf_worker(struct gwconf *c, uint32_t k);
/* Bits of the subnet ID the workers need: ceil(log2(workers)). */
unsigned gwconf_worker_bits(uint32_t workers);

#endif
