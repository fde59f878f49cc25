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

#include "proto/link.h"

#define GWCONF_MAX_LISTEN 16
#define GWCONF_FILE_MAX	  (1024 * 1024)

struct gwconf_listen {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct gwconf {
	struct gwconf_listen listen[GWCONF_MAX_LISTEN]; /* TLS; default 0.0.0.0:443, [::]:443 */
	size_t nlisten;
	struct gwconf_listen listen_http[GWCONF_MAX_LISTEN]; /* plain HTTP behind a TLS offloader;
								 off by default; never a wildcard */
	size_t nlisten_http;
	char path[128];		 /* "/IPHTTPS" */
	bool accept_iptls;	 /* also accept the spec's "/IPTLS"; default yes */
	char server_header[128]; /* "Microsoft-HTTPAPI/2.0" (nmap's ip-https-discover needs it) */
	char certificate[PATH_MAX]; /* PEM chain; empty: self-signed one in state_dir */
	char key[PATH_MAX];	    /* PEM private key; must not be readable by group/others */
	char state_dir[PATH_MAX];   /* "/var/lib/iphttpsd" */
	bool have_prefix;	    /* false: random ULA /64 kept in state_dir/prefix */
	struct in6_addr prefix;
	uint32_t mtu;				   /* 1280 */
	char tun[IFNAMSIZ];			   /* "iphttps0" */
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

/* Checks referenced files: key exists and is not readable by group or others. Returns errors. */
int gwconf_check_files(const struct gwconf *c);

/* Prints the configuration normalised, every key explicit, in a form gwconf_parse accepts. */
void gwconf_print(const struct gwconf *c, FILE *out);

/*
 * Additions. The printed form spells the unset values as words gwconf_parse reads back:
 * "listen none", "listen-http none", "route none" (no entries), "certificate auto" / "key auto"
 * (self-signed in state_dir), "prefix auto" (random ULA in state_dir), "user auto".
 */

/* The i-th key in print order, NULL past the last (for tests and `iphttpsd -h`). */
const char *gwconf_key_name(size_t i);
/*
 * False for keys a SIGHUP cannot change: listen, listen-http, state-dir, prefix, mtu, tun, user,
 * control, log. Unknown keys are false too.
 */
bool gwconf_key_reloadable(const char *key);
/*
 * The restart-only keys whose value differs between the running configuration and a reloaded
 * one (compared in their printed form; uses open_memstream): up to max names into keys[], in
 * print order; returns how many differ.
 */
size_t gwconf_restart_changes(const struct gwconf *old, const struct gwconf *cur, const char **keys,
			      size_t max);

#endif
