/* SPDX-License-Identifier: ISC */
/*
 * link: the IP-HTTPS link as the gateway sees it ([MS-IPHTTPS] §3, §3.2.3.1, §3.2.5.2).
 * The gateway is the router on one shared /64. This module keeps the address table (which
 * client connection owns which IPv6 address), enforces source-address ownership and the
 * Authentication-Mode-None receive rules of §3.2.5.2.2, answers Router Solicitations, DAD
 * probes and pings to the gateway, and decides where every packet goes: down one client's
 * connection, to the intranet (TUN), or nowhere (a counted drop).
 *
 * Addresses a client has not announced yet (a Linux client on a TUN device never runs DAD) are
 * found by neighbour resolution, as Windows' server does (ms-iphttps.md §2.5): the first packet
 * for an unknown address in the prefix is held while a unicast NS probes every connection.
 *
 * Pure: packets in, actions out through struct link_ops callbacks; no syscalls, no clock reads
 * (the caller sets l->now_ms, calls link_tick and arms a timer for link_next_deadline), no
 * logging. Memory: the address slots live inside each caller-owned struct link_peer; the
 * allocations are the hash-bucket array, grown by doubling, and the fixed hold buffers of the
 * pending resolutions (LINK_MAX_PENDING * mtu bytes, at link_init).
 * Designed so later parts fit: one struct link per worker or per /64 (clusters, issue #6), the
 * certificates-mode multicast fan-out (issue #4) via ops->to_all.
 *
 * Protections for a link anyone may join (Authentication Mode None, issue #4), all optional:
 *  - unauth_policy: what a client the daemon did not authenticate may send beyond the gateway
 *    (proto/acl); the gateway's own answers (RS, NS, echo to the gateway) are not subject to it,
 *    so an unauthenticated client still configures its address. A refused packet is dropped
 *    silently, as a firewall would (counted "policy"; no ICMPv6 error);
 *  - isolation: no client-to-client traffic at all (unicast to another client's address, and
 *    the certificates-mode multicast fan-out); counted "isolated", no error either;
 *  - client_icmp_rate: ICMPv6 packets accepted per client per second (ND included: an RS or
 *    NS flood costs the gateway work too); counted "client_icmp_rate".
 * ICMPv6 errors toward a client come from that client's own bucket (icmp_error_rate each), so
 * one client cannot spend the others' error budget; errors toward the TUN share one bucket.
 */
#ifndef PROTO_LINK_H
#define PROTO_LINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/siphash.h"

#define LINK_PEER_ADDRS 8  /* addresses one client may own; the oldest is evicted past this */
#define LINK_MAX_ROUTES 32 /* Route Information options in one RA (fits a 1280-byte RA) */
#define LINK_MIN_MTU	1280
#define LINK_PKT_MAX	1500 /* scratch for packets the link builds (RA, NA, ICMPv6 errors) */

/*
 * Neighbour resolution (RFC 4861 §7.2.2): at most this many unknown addresses probed at once,
 * each holding one packet of at most the link MTU; a new one past this gets Destination
 * Unreachable at once, as does any when resolve_rate refuses.
 */
#define LINK_MAX_PENDING	64
#define LINK_RESOLVE_TRIES	3    /* NS per resolution: MAX_MULTICAST_SOLICIT, RFC 4861 §10 */
#define LINK_RESOLVE_RETRANS_MS 1000 /* between them: RETRANS_TIMER, RFC 4861 §10 */

enum link_drop {
	LINK_DROP_MALFORMED = 0, /* not a well-formed IPv6 packet (length, version) */
	LINK_DROP_SPOOFED,	 /* source owned by another client, or a gateway address */
	LINK_DROP_FOREIGN_SRC,	 /* global source outside the link prefix, or multicast source
				    (also: link-local source to beyond the link, RFC 4291 §2.5.6) */
	LINK_DROP_UNSPEC_SRC,	 /* source :: on anything but DAD NS or RS */
	LINK_DROP_LL_NOT_GW,	 /* link-local unicast not for the gateway (§3.2.5.2.2 rule 1) */
	LINK_DROP_MCAST,	 /* multicast other than RS and DAD NS (§3.2.5.2.2 rule 2) */
	LINK_DROP_ROGUE_ND,	 /* RA or Redirect from a client: only the gateway is a router */
	LINK_DROP_ND_INVALID,	 /* ND failing RFC 4861 validation (hop limit, code, checksum...) */
	LINK_DROP_TOO_BIG,	 /* over the link MTU; Packet Too Big sent where RFC 4443 allows */
	LINK_DROP_NO_NEIGHBOR,	 /* unknown address in the prefix; Destination Unreachable sent */
	LINK_DROP_QUEUE_FULL,	 /* the receiving client's queue was full */
	LINK_DROP_TUN,		 /* the TUN write failed */
	LINK_DROP_TUN_MCAST,	/* multicast from the intranet: never sent onto the link (rule 3) */
	LINK_DROP_TUN_OFFLINK,	/* from the intranet, destination outside the prefix */
	LINK_DROP_GW_UNHANDLED, /* addressed to the gateway, not something it answers */
	LINK_DROP_ICMP_RATE,	/* an ICMPv6 error suppressed by the rate limit (RFC 4443 §2.4f) */
	LINK_DROP_PEER_DOWN,	/* from a peer that is not up (before link_peer_up, after _down);
				   also a packet held for resolution when its peer goes down */
	LINK_DROP_RESOLVE_REPLACED, /* held for a resolution, replaced by a newer packet for the
				       same address (one held per address, RFC 4861 §7.2.2) */
	LINK_DROP_POLICY,	    /* from an unauthenticated peer, refused by cfg.unauth_policy */
	LINK_DROP_ISOLATED,	    /* client to client while cfg.isolation is on */
	LINK_DROP_CLIENT_ICMP_RATE, /* ICMPv6 from a client over cfg.client_icmp_rate */
	LINK_DROP__MAX
};

struct link_stats {
	uint64_t drops[LINK_DROP__MAX];
	uint64_t to_tun;	  /* packets forwarded client -> intranet */
	uint64_t from_tun;	  /* packets delivered intranet -> client */
	uint64_t peer_to_peer;	  /* packets delivered client -> client directly */
	uint64_t to_all;	  /* multicast packets handed to ops->to_all (certificates mode) */
	uint64_t rs;		  /* Router Solicitations received */
	uint64_t ra;		  /* Router Advertisements sent */
	uint64_t dad_conflicts;	  /* DAD probes answered on another client's behalf */
	uint64_t echo;		  /* echo requests to the gateway answered */
	uint64_t icmp_errors;	  /* ICMPv6 errors generated */
	uint64_t learned;	  /* addresses learned */
	uint64_t evicted;	  /* addresses evicted for LINK_PEER_ADDRS */
	uint64_t resolve_started; /* neighbour resolutions begun (a packet held, NS sent) */
	uint64_t resolved;	  /* ... that ended with the address learned */
	uint64_t resolve_failed;  /* ... that ended unanswered after LINK_RESOLVE_TRIES */
	uint64_t resolve_ns;	  /* NS handed to ops->to_all (each goes to every client) */
};

struct link_peer;
struct acl;

/* A token bucket: a rate per second, as deep as one second. */
struct link_limit {
	double tokens;
	uint64_t last_ms;
};

/* One address owned by a peer. The slots live inside the peer; the hash chains link them. */
struct link_addr {
	struct in6_addr addr;
	struct link_peer *owner; /* NULL when the slot is free */
	struct link_addr *hnext; /* next in the hash bucket */
	uint64_t seq;		 /* learning order, to evict the oldest */
};

/* Embedded by the caller in its connection object; link_peer_init before use. */
struct link_peer {
	struct link_addr addrs[LINK_PEER_ADDRS];
	uint64_t id; /* the caller's connection id, for its logs */
	void *ctx;   /* the caller's connection */
	bool up;
	/* Set by the caller between link_peer_init and link_peer_up: the client proved who it is
	 * (certificate, trusted balancer). false: cfg.unauth_policy applies to what it sends. */
	bool authenticated;
	struct link_limit icmp_rx_limit;  /* ICMPv6 from this client: cfg.client_icmp_rate */
	struct link_limit icmp_err_limit; /* ICMPv6 errors toward it: cfg.icmp_error_rate */
};

struct link_route {
	struct in6_addr prefix;
	uint8_t plen;	   /* 0..128 */
	int8_t pref;	   /* RFC 4191 §2.1 preference: 1 high, 0 medium, -1 low */
	uint32_t lifetime; /* seconds; 0xffffffff infinity */
};

struct link_cfg {
	struct in6_addr prefix;	     /* the shared /64; the gateway is prefix::1 and fe80::1 */
	uint32_t mtu;		     /* link MTU (spec §3.2.3.1 default 1280), >= 1280 */
	bool auth_certificates;	     /* false: the Authentication Mode None rules apply */
	uint16_t router_lifetime;    /* RA router lifetime, s; 0 = not a default router */
	uint32_t valid_lifetime;     /* Prefix Information, s */
	uint32_t preferred_lifetime; /* Prefix Information, s (<= valid) */
	uint8_t cur_hop_limit;	     /* RA Cur Hop Limit */
	uint32_t icmp_error_rate;    /* ICMPv6 errors per second, burst equal (RFC 4443 §2.4f), for
					each client, and once more for the TUN; 0: none */
	/*
	 * Neighbour Solicitations per second for unknown addresses (the first of a resolution
	 * and each retransmission alike), burst equal; 0 disables resolution: a packet for an
	 * unknown address gets Destination Unreachable at once. The daemon's default is 10.
	 * Amplification: every NS goes down every connection (the link has no multicast to
	 * narrow it to the target), so one packet from the intranet for an unknown address costs
	 * up to LINK_RESOLVE_TRIES NS per connected client. The limit bounds the whole: at 10/s
	 * and 100,000 clients that is up to 1,000,000 NS (64 bytes each, 64 MB of IPv6, more
	 * with TLS and TCP) per second of sustained scanning of the prefix; size it to the
	 * client count.
	 */
	uint32_t resolve_rate;
	struct link_route routes[LINK_MAX_ROUTES];
	size_t nroutes;
	/* Secret key of the address hash (SipHash-2-4), e.g. from getrandom(). All zero works,
	 * but then clients can choose addresses that collide. Fixed at link_init. */
	uint8_t hash_key[16];
	/* What a peer with authenticated == false may send past the gateway (proto/acl): to
	 * another client, to an address being resolved, or to the TUN. NULL or no rules: no
	 * restriction. The caller owns it and keeps it alive while the link uses it;
	 * link_reconfigure may swap it. At most ACL_MAX_RULES rules. */
	const struct acl *unauth_policy;
	bool isolation;		   /* drop client-to-client traffic (unicast and multicast) */
	uint32_t client_icmp_rate; /* ICMPv6 packets per second from each client, burst equal;
				      0: unlimited */
};

struct link_ops {
	/* Queue a packet down one client's connection; return -1 if its queue is full. */
	int (*to_peer)(void *arg, struct link_peer *peer, const uint8_t *pkt, size_t len);
	/* Write a packet to the intranet (TUN); return -1 on failure. */
	int (*to_tun)(void *arg, const uint8_t *pkt, size_t len);
	/* A packet to every up peer except `except` (NULL: none excepted): in certificates mode
	 * the clients' multicast, in both modes the gateway's resolution NS. May be NULL (then no
	 * multicast is forwarded and no address is resolved). */
	void (*to_all)(void *arg, struct link_peer *except, const uint8_t *pkt, size_t len);
	/* Optional: every drop, for per-packet logging when the operator asks for it. */
	void (*drop)(void *arg, const struct link_peer *from, enum link_drop why,
		     const uint8_t *pkt, size_t len);
	void *arg;
};

/* One neighbour resolution in progress: a slot of l->pending. */
struct link_pending {
	struct in6_addr target;
	struct link_peer *from; /* where the held packet came from (errors go back there); NULL:
				   the TUN */
	uint8_t *pkt;		/* its hold buffer, cfg.mtu bytes inside l->hold */
	size_t len;		/* the held packet; 0: none any more (its peer went down) */
	uint64_t deadline_ms;	/* the next NS, or after the last one the end */
	uint8_t tries;		/* NS due so far, sent or refused by the rate limit */
	bool used;
};

struct link {
	struct link_cfg cfg;
	struct link_ops ops;
	struct in6_addr gw_ll;	   /* fe80::1 */
	struct in6_addr gw_global; /* prefix::1 */
	struct link_addr **buckets;
	size_t nbuckets; /* power of two */
	size_t naddrs;
	uint64_t seq;
	struct siphash_key hash_key;  /* cfg.hash_key, kept across link_reconfigure */
	uint64_t now_ms;	      /* set by the caller before each call: for the rate limits and
					 the resolution deadlines */
	struct link_limit icmp_limit; /* cfg.icmp_error_rate, errors toward the TUN */
	struct link_limit resolve_limit; /* cfg.resolve_rate */
	struct link_pending pending[LINK_MAX_PENDING];
	size_t npending;  /* slots used */
	uint8_t *hold;	  /* LINK_MAX_PENDING * cfg.mtu bytes, the held packets */
	size_t npeers_up; /* with nobody to ask, nothing is resolved */
	struct link_stats stats;
	uint8_t scratch[LINK_PKT_MAX]; /* packets the link builds; handed to ops, never kept */
};

/* Validates cfg (prefix is a /64, mtu >= 1280, lifetimes sane); returns -1 on bad config or
 * when the hold buffers cannot be allocated. */
int link_init(struct link *l, const struct link_cfg *cfg, const struct link_ops *ops);
void link_free(struct link *l);
/* Replaces routes, lifetimes, rates, mode and protections on reload; prefix and MTU stay.
 * Resolutions in progress go on (with resolve_rate 0 too: no new NS, then they fail). */
int link_reconfigure(struct link *l, const struct link_cfg *cfg);

/* Clears p: down, unauthenticated, no addresses, empty buckets (filled by link_peer_up). */
void link_peer_init(struct link_peer *p, uint64_t id, void *ctx);
/* The client's link is up (after the 200): its rate buckets start full (at l->now_ms), and it
 * gets an unsolicited RA (to ff02::1). */
void link_peer_up(struct link *l, struct link_peer *p);
/* The connection is closing: every address it owned is forgotten, and so is every packet of
 * its held for a resolution (a counted peer_down drop; the resolution itself goes on). */
void link_peer_down(struct link *l, struct link_peer *p);
/* A periodic RA down one connection, so router and prefix lifetimes never run out. */
void link_send_ra(struct link *l, struct link_peer *p);

/* One complete packet from a client (already de-framed, len <= mtu). */
void link_from_peer(struct link *l, struct link_peer *p, const uint8_t *pkt, size_t len);
/* A client's packet over the MTU: dropped, and Packet Too Big sent back where allowed. */
void link_oversize_from_peer(struct link *l, struct link_peer *p, const uint8_t *head,
			     size_t headlen, size_t len);
/* One packet read from the TUN device (the intranet side). */
void link_from_tun(struct link *l, const uint8_t *pkt, size_t len);

/*
 * Resolution timers: link_tick (re)sends the NS of every resolution whose deadline has come
 * (l->now_ms) and ends those past their last one with Destination Unreachable (RFC 4443 §3.1
 * code 3) for the held packet. link_next_deadline: the earliest deadline, in the clock of
 * now_ms, or UINT64_MAX when nothing is pending; the caller calls link_tick then, and again
 * after any call into the link, since packets start and end resolutions.
 */
void link_tick(struct link *l);
uint64_t link_next_deadline(const struct link *l);

/* The peer owning an address, or NULL. */
struct link_peer *link_lookup(const struct link *l, const struct in6_addr *a);
/* Copies up to max addresses the peer owns; returns how many it owns. */
size_t link_peer_addrs(const struct link_peer *p, struct in6_addr *out, size_t max);
const char *link_drop_name(enum link_drop why);

#endif
