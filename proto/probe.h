/* SPDX-License-Identifier: ISC */
/*
 * probe: the judgement behind `iphttps probe`. The tool gathers facts (name resolution, TCP,
 * the TLS handshake and its phase, the server certificate, the IP-HTTPS POST and its answer,
 * an audit of protocol versions and suites); this module turns them into a verdict, the
 * Windows LastErrorCode a Windows 8+ client would most likely show (ms-iphttps.md §5.5), and
 * a short list of findings, each with what to do. Pure: no I/O, no clock, no allocation; the
 * facts carry everything, so every rule is unit-tested with hand-made facts.
 *
 * The order of the rules is the order in which a Windows client meets the problems
 * (ms-iphttps.md §3-§5): URL, name, proxy, TCP, the NULL-only ClientHello of Windows 8+
 * (§3.4), the handshake, the certificate, the client certificate, the HTTP answer.
 */
#ifndef PROTO_PROBE_H
#define PROTO_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The verdict is the exit status of `iphttps probe` (2 is usage, as for every subcommand). */
enum probe_verdict {
	PROBE_OK = 0,	       /* an IP-HTTPS server a Windows client would connect to */
	PROBE_FAILED = 1,      /* unreachable, or an IP-HTTPS server clients cannot use */
	PROBE_NOT_IPHTTPS = 3, /* something answers, but it is not an IP-HTTPS server */
};

/* Whether the responder is an IP-HTTPS server, as nmap's ip-https-discover would decide. */
enum probe_iphttps {
	PROBE_IPHTTPS_UNKNOWN = 0, /* never got as far as an HTTP answer */
	PROBE_IPHTTPS_YES, /* 200 with a body that does not end (§1.4), or what nmap accepts */
	PROBE_IPHTTPS_NO,  /* another answer, a closed body, or not HTTP at all */
};

enum probe_tcp {
	PROBE_TCP_NOT_TRIED = 0,
	PROBE_TCP_OK,
	PROBE_TCP_REFUSED, /* RST to the SYN: nothing listening (WSAECONNREFUSED) */
	PROBE_TCP_TIMEOUT, /* no answer: a firewall drops it (WSAETIMEDOUT) */
	PROBE_TCP_UNREACH, /* ICMP unreachable or no route */
	PROBE_TCP_ERROR,   /* any other errno */
};

/* How one ClientHello was answered: the audit's raw hellos, and the main handshake. */
enum probe_hello {
	PROBE_HELLO_NOT_TRIED = 0,
	PROBE_HELLO_ACCEPTED, /* a ServerHello (or HelloRetryRequest) for what was offered */
	PROBE_HELLO_REFUSED,  /* a ServerHello for something else (e.g. a higher version) */
	PROBE_HELLO_ALERT,    /* a fatal alert */
	PROBE_HELLO_RESET,    /* the connection was reset */
	PROBE_HELLO_CLOSED,   /* the connection was closed without an alert */
	PROBE_HELLO_TIMEOUT,  /* no answer in time */
	PROBE_HELLO_NOT_TLS,  /* the answer is not TLS (e.g. a plain HTTP server) */
	PROBE_HELLO_NO_CONN,  /* could not connect for this hello */
	PROBE_HELLO_LOCAL,    /* the client refused the server's choice (e.g. SSLv3, a suite it
				 did not offer): a local error, no alert from the server */
};

/* Where a failed handshake stopped ([ms-iphttps.md §5.5] 0x80090326: the two field causes). */
enum probe_phase {
	PROBE_PHASE_NONE = 0,
	PROBE_PHASE_CLIENT_HELLO, /* right after the ClientHello: no ServerHello came */
	PROBE_PHASE_SERVER_HELLO, /* after the ServerHello */
};

enum probe_ver { PROBE_SSL3 = 0, PROBE_TLS10, PROBE_TLS11, PROBE_TLS12, PROBE_TLS13, PROBE_NVER };

#define PROBE_MAX_ADDRS	   8
#define PROBE_CHAIN_MAX	   6
#define PROBE_FINDINGS_MAX 32
#define PROBE_TEXT	   256

struct probe_facts {
	/* what was asked */
	char host[256];	 /* the URL host */
	uint16_t port;	 /* the URL port */
	char path[256];	 /* the URL path, "/IPHTTPS" */
	bool ip_literal; /* the URL host is an IP address: Windows refuses it (0x4BE) */
	bool plain_http; /* http:// (a gateway behind a TLS-terminating balancer) */
	bool null_only;	 /* --null-only: the main handshake offered only the NULL suites */
	bool cert_given; /* --cert: a client certificate was offered */
	const char *expect_issuer; /* --expect-issuer: text the issuer must contain, or NULL */
	const char *pin;	   /* --pin: the leaf's SHA-256 "AB:CD:..", or NULL */
	long warn_days;		   /* warn when the certificate expires sooner than this */

	/* name resolution (getaddrinfo; through a proxy the proxy resolves, and this is skipped) */
	bool resolved; /* tried and succeeded */
	int gai_error; /* the getaddrinfo() error when it failed, else 0 */
	bool no_data;  /* the name exists but has no address (EAI_NODATA) */
	size_t naddrs;
	char addrs[PROBE_MAX_ADDRS][64];

	/* the HTTP proxy, when one is used (§4.3) */
	bool proxy;
	char proxy_name[300];	       /* "http://proxy.example:3128" */
	enum probe_tcp proxy_tcp;      /* TCP to the proxy */
	int proxy_gai_error;	       /* the proxy's name did not resolve (getaddrinfo error) */
	enum probe_hello proxy_answer; /* ACCEPTED: a response head; CLOSED, RESET, TIMEOUT,
					  NOT_TLS (here: not HTTP) otherwise */
	int proxy_status;	       /* its answer to CONNECT, 0 when none came */
	char proxy_reason[64];

	/* TCP to the server (or the tunnel through the proxy) */
	enum probe_tcp tcp;
	char tcp_peer[80];    /* "192.0.2.1:443" that answered, or the last one tried */
	char tcp_error[128];  /* strerror or "no answer in 5 s" */
	char tcp_failed[160]; /* every address that failed, in order ("192.0.2.9:443
				 timeout"), "" when the first answered */

	/* the main TLS handshake: the default (encrypted) suites, or NULL only with --null-only */
	enum probe_hello tls; /* ACCEPTED when it completed */
	enum probe_phase phase;
	int alert;	      /* the server's fatal alert, or -1 */
	bool cert_asked;      /* the server sent a CertificateRequest */
	bool cert_sent;	      /* we answered it with our certificate */
	char tls_version[16]; /* "TLSv1.3" */
	char tls_cipher[64];  /* IANA name, "TLS_AES_128_GCM_SHA256" */
	bool tls_null;	      /* the negotiated suite does not encrypt */
	char tls_error[PROBE_TEXT];

	/* the server certificate, when one arrived (even from a failed handshake) */
	bool cert;
	char subject[PROBE_TEXT], issuer[PROBE_TEXT];
	char cn[128];	      /* "" when the subject has no commonName */
	char san[PROBE_TEXT]; /* "DNS:gw.example, IP:192.0.2.1" */
	time_t not_before, not_after;
	long days_left;	 /* whole days to notAfter, negative once expired */
	char key[32];	 /* "RSA 2048" */
	bool key_rsa;	 /* the NULL suites are TLS_RSA_WITH_*: they need an RSA key (§3.4) */
	char sha256[97]; /* "AB:CD:..." */
	bool self_signed;
	bool has_cdp;	  /* a CRL distribution point: Windows 7 insists on one (§3.2) */
	size_t chain_len; /* certificates the server sent */
	char chain[PROBE_CHAIN_MAX][PROBE_TEXT]; /* their subjects, leaf first */
	/* verification against --ca or the system store; every problem found, not just the first */
	long verify_error; /* the first X509_V_ERR_*, 0 (X509_V_OK) when the chain is good */
	char verify_text[PROBE_TEXT];
	bool untrusted; /* no chain to a trusted root */
	bool expired;	/* notAfter passed (any certificate of the chain) */
	bool not_yet_valid;
	bool name_mismatch; /* the URL host is not among the certificate's names */
	bool wrong_usage;   /* an EKU without Server Authentication */
	bool revoked;

	/* the IP-HTTPS POST and its answer (§1.3, §1.4) */
	bool http_sent;
	enum probe_hello http; /* ACCEPTED: a response head arrived; RESET/CLOSED/TIMEOUT/NOT_TLS
				  (here: not HTTP) otherwise */
	int status;
	char reason[64];
	char server[128]; /* the Server header, "" when none */
	bool has_length;  /* Content-Length */
	uint64_t length;
	bool chunked;
	bool body_open;	 /* after the 200 head the connection stayed open (the body never ends) */
	bool body_ended; /* the connection closed after the head */
	bool body_not_ipv6; /* after a 200 the body is not a stream of IPv6 packets (a page) */
	bool http_is_tls;   /* http:// to a port that answered with TLS records */
	bool nmap_match;    /* the first read matches nmap's "HTTP/1.1 200%s.+HTTPAPI/2.0" */
	bool ra;	    /* a Router Advertisement answered our Router Solicitation */
	char ra_prefix[64]; /* "2001:db8:1:1000::/64", "" when the RA had no usable prefix */
	char snippet[160]; /* the start of a non-200 body, printable ASCII, for naming the device */

	/* the audit: raw ClientHellos, one connection each */
	bool audited;
	enum probe_hello ver[PROBE_NVER]; /* ACCEPTED: the server speaks that version */
	enum probe_hello null_hello;	  /* the Windows 8+ NULL-only ClientHello (§3.4) */
	int null_alert;			  /* its alert, or -1 */
	char null_suite[64];		  /* the NULL suite chosen, when ACCEPTED */
	enum probe_hello dhe_hello;	  /* a ClientHello with finite-field DHE suites only */
	int dhe_bits;			  /* the server's DH prime size when it chose DHE, else 0 */
};

enum probe_level {
	PROBE_INFO = 0,
	PROBE_GOOD,
	PROBE_WARN,
	PROBE_ERROR,
};

struct probe_finding {
	enum probe_level level;
	char topic[16]; /* "dns", "tcp", "proxy", "tls", "cert", "client-cert", "http", "audit", ...
			 */
	char text[PROBE_TEXT];
};

struct probe_result {
	enum probe_verdict verdict;
	enum probe_iphttps iphttps;
	uint32_t code;		  /* the LastErrorCode a Windows 8+ client would most likely show */
	char summary[PROBE_TEXT]; /* one line: what answers and whether clients can use it */
	char fix[PROBE_TEXT];	  /* what to do about the problem that decides the code, or "" */
	const char *audit;	  /* "good", "weak", "bad": the TLS audit in a word */
	size_t nfindings;
	struct probe_finding findings[PROBE_FINDINGS_MAX];
};

/* Fills every field of r from f. Never fails; facts not gathered are judged as unknown. */
void probe_judge(const struct probe_facts *f, struct probe_result *r);

/* Sets the fields of a fact set to "nothing gathered yet" (alerts -1, everything else 0). */
void probe_facts_init(struct probe_facts *f);

/* "not-tried", "accepted", "refused", "alert", "reset", "closed", "timeout", "not-tls",
   "no-connection": the names used in the JSON output. */
const char *probe_hello_name(enum probe_hello h);
/* "none", "client-hello", "server-hello". */
const char *probe_phase_name(enum probe_phase p);
/* "not-tried", "ok", "refused", "timeout", "unreachable", "error". */
const char *probe_tcp_name(enum probe_tcp t);
/* "ok", "failed", "not-iphttps". */
const char *probe_verdict_name(enum probe_verdict v);
/* "SSLv3", "TLSv1.0", ... "TLSv1.3". */
const char *probe_ver_name(enum probe_ver v);
/* A TLS AlertDescription's name as OpenSSL spells it (RFC 8446 §6, RFC 5246 §7.2), "unknown"
   for a value without one. */
const char *probe_alert_name(int alert);
/* "info", "good", "warning", "error". */
const char *probe_level_name(enum probe_level l);

#endif
