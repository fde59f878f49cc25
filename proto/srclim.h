/* SPDX-License-Identifier: ISC */
/*
 * srclim: admission control per source for the gateway's listeners: at most max_conn open
 * connections and at most `rate` new ones per second (a token bucket as deep as one second)
 * from one source, so a handshake flood or a connection hog from one address is refused early
 * without affecting anyone else. A source is an IPv4 address, or an IPv6 /64 (one host may
 * own a whole /64, RFC 4291 §2.5.4, so a per-address limit would be no limit).
 * Pure: time is passed in, no syscalls, no logging. Memory is bounded by cfg.capacity entries
 * (grown on demand); entries with no open connection and a full bucket are reusable at once,
 * the least recently seen first. Keys are hashed with SipHash keyed by cfg.hash_key, so remote
 * peers cannot aim at one bucket.
 */
#ifndef PROTO_SRCLIM_H
#define PROTO_SRCLIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "proto/siphash.h"

struct srclim_cfg {
	uint32_t max_conn; /* open connections per source; 0 = unlimited */
	uint32_t rate;	 /* new connections per second per source, burst the same; 0 = unlimited */
	size_t capacity; /* sources tracked at most (>= the gateway's max-clients is sensible);
			  * 0 is refused, above 2^30 clamped */
	uint8_t hash_key[16];
};

/* IPv4: the address (as ::ffff:a.b.c.d); IPv6: the /64, host bits zero. */
struct srclim_key {
	uint8_t b[16];
};

enum srclim_verdict {
	SRCLIM_OK = 0,	 /* admitted and counted: call srclim_release when it closes */
	SRCLIM_TOO_MANY, /* max_conn open already */
	SRCLIM_RATE,	 /* over the rate */
	SRCLIM_FULL,	 /* every entry holds open connections or a bucket not yet full */
};

struct srclim_stats {
	uint64_t admitted, refused_conn, refused_rate, refused_full;
	size_t sources; /* entries in use now */
};

struct srclim_entry;

struct srclim {
	struct srclim_cfg cfg;
	struct srclim_entry *e; /* the table; layout is the module's own */
	size_t n, cap;		/* entries in use, allocated (cap <= cfg.capacity) */
	struct siphash_key key; /* cfg.hash_key */
	struct srclim_stats stats;
	void *priv; /* the hash index and the idle list */
};

/* False for families other than AF_INET and AF_INET6 (then do not limit). */
bool srclim_key_from(struct srclim_key *k, const struct sockaddr *sa);

/* -1 with errno EINVAL (capacity 0) or ENOMEM. srclim_free may be called after either. */
int srclim_init(struct srclim *s, const struct srclim_cfg *cfg);
void srclim_free(struct srclim *s);
/* New limits on reload; counts of open connections are kept, buckets are cut to the new burst
 * (and filled, when there was no rate before). Walks the table. */
void srclim_reconfigure(struct srclim *s, uint32_t max_conn, uint32_t rate);
/* The rate is checked first, then max_conn; OK counts the connection and takes a token.
 * now_ms is a monotonic clock; a reading earlier than the last mints nothing. */
enum srclim_verdict srclim_admit(struct srclim *s, const struct srclim_key *k, uint64_t now_ms);
/* One connection admitted for k has closed. Unknown keys are ignored. */
void srclim_release(struct srclim *s, const struct srclim_key *k);
/* Text for logs ("too many connections from this source", ...). */
const char *srclim_verdict_name(enum srclim_verdict v);

#endif
