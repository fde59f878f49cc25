/* SPDX-License-Identifier: ISC */
/*
 * srclim: per-source admission (open connections and a token bucket of new ones per source).
 *
 * It does: keep one entry per source in an array `e` (indexes, not pointers, so growth is one
 * realloc) with a chained hash index over it (SipHash-2-4, keyed), grown by doubling up to
 * cfg.capacity; keep every entry without open connections on an idle list, least recently
 * touched (admitted, refused or released) first, so reusing one when the table is full looks
 * at a few list heads, never the whole table.
 * It does not: remove entries (an idle one stays, holding its bucket, until its slot is reused),
 * read a clock, or know what a connection is: release must pair with an OK admit.
 *
 * Cost per call: a hash lookup, plus at most SRCLIM_REUSE_SCAN idle entries when full; growth
 * rehashes once per doubling (amortised O(1)); srclim_reconfigure walks the table.
 */
#include "proto/srclim.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define SRCLIM_NIL	  UINT32_MAX
#define SRCLIM_INIT_CAP	  64
#define SRCLIM_MAX_CAP	  ((size_t)1 << 30) /* uint32_t indexes, and a sane bound */
#define SRCLIM_REUSE_SCAN 16 /* idle entries looked at per admit when the table is full */

struct srclim_entry {
	struct srclim_key key;
	double tokens;	  /* new connections allowed now; at most cfg.rate (the burst) */
	uint64_t last_ms; /* the bucket's clock: when tokens were last brought up to date */
	uint32_t count;	  /* open connections; 0 <=> on the idle list */
	uint32_t hnext;	  /* hash chain */
	uint32_t iprev, inext;
};

/* What struct srclim's priv points at. */
struct srclim_index {
	uint32_t *bucket;
	size_t nbucket; /* a power of two >= s->cap: chains of about one entry */
	uint32_t idle_head, idle_tail;
};

/* ---- keys ---- */

bool srclim_key_from(struct srclim_key *k, const struct sockaddr *sa)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(k, 0, sizeof(*k));
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		memcpy(&sin, sa, sizeof(sin));
		/* RFC 4291 §2.5.5.2 form, the same key a dual-stack socket's mapped address gets.
		 */
		k->b[10] = k->b[11] = 0xff;
		memcpy(k->b + 12, &sin.sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		/* IPv4-mapped: the IPv4 host; otherwise the /64 (RFC 4291 §2.5.4: one subnet, which
		 * one host may own whole, e.g. by privacy addresses, RFC 8981). The two never meet:
		 * a /64 key has bytes 8-15 zero, a mapped one 0xffff in bytes 10-11. */
		if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr))
			memcpy(k->b, &sin6.sin6_addr, 16);
		else
			memcpy(k->b, &sin6.sin6_addr, 8);
		return true;
	}
	return false;
}

/* ---- the idle list: entries with count 0, least recently touched at the head ---- */

static void srclim_idle_unlink(struct srclim *s, uint32_t i)
{
	struct srclim_index *x = s->priv;
	struct srclim_entry *e = &s->e[i];

	if (e->iprev != SRCLIM_NIL)
		s->e[e->iprev].inext = e->inext;
	else
		x->idle_head = e->inext;
	if (e->inext != SRCLIM_NIL)
		s->e[e->inext].iprev = e->iprev;
	else
		x->idle_tail = e->iprev;
	e->iprev = e->inext = SRCLIM_NIL;
}

static void srclim_idle_append(struct srclim *s, uint32_t i)
{
	struct srclim_index *x = s->priv;
	struct srclim_entry *e = &s->e[i];

	e->iprev = x->idle_tail;
	e->inext = SRCLIM_NIL;
	if (x->idle_tail != SRCLIM_NIL)
		s->e[x->idle_tail].inext = i;
	else
		x->idle_head = i;
	x->idle_tail = i;
}

/* ---- the hash index ---- */

static uint32_t *srclim_bucket(const struct srclim *s, const struct srclim_key *k)
{
	const struct srclim_index *x = s->priv;

	return &x->bucket[siphash16(&s->key, k->b) & (x->nbucket - 1)];
}

static uint32_t srclim_find(const struct srclim *s, const struct srclim_key *k)
{
	uint32_t i;

	for (i = *srclim_bucket(s, k); i != SRCLIM_NIL; i = s->e[i].hnext)
		if (memcmp(s->e[i].key.b, k->b, sizeof(k->b)) == 0)
			return i;
	return SRCLIM_NIL;
}

static void srclim_hash_insert(struct srclim *s, uint32_t i)
{
	uint32_t *b = srclim_bucket(s, &s->e[i].key);

	s->e[i].hnext = *b;
	*b = i;
}

static void srclim_hash_remove(struct srclim *s, uint32_t i)
{
	uint32_t *p = srclim_bucket(s, &s->e[i].key);

	/* Bounded by the chain: every entry is on exactly one, which ends in NIL. */
	while (*p != SRCLIM_NIL && *p != i)
		p = &s->e[*p].hnext;
	if (*p == i)
		*p = s->e[i].hnext;
}

/* A new index of nbucket chains over the n entries in use; -1 (ENOMEM) keeps the old one. */
static int srclim_rehash(struct srclim *s, size_t nbucket)
{
	struct srclim_index *x = s->priv;
	uint32_t *b = malloc(nbucket * sizeof(*b));

	if (!b)
		return -1;
	free(x->bucket);
	x->bucket = b;
	x->nbucket = nbucket;
	memset(b, 0xff, nbucket * sizeof(*b)); /* SRCLIM_NIL everywhere */
	for (size_t i = 0; i < s->n; i++)
		srclim_hash_insert(s, (uint32_t)i);
	return 0;
}

static size_t srclim_pow2(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Doubles the table, up to cfg.capacity; -1 when already there or out of memory. */
static int srclim_grow(struct srclim *s)
{
	struct srclim_index *x = s->priv;
	size_t cap = s->cap * 2 < s->cfg.capacity ? s->cap * 2 : s->cfg.capacity;
	struct srclim_entry *e;

	if (cap <= s->cap)
		return -1;
	e = realloc(s->e, cap * sizeof(*e));
	if (!e)
		return -1;
	s->e = e;
	s->cap = cap;
	/* A failed rehash leaves the old index: longer chains, still correct. */
	if (srclim_pow2(cap) > x->nbucket)
		(void)srclim_rehash(s, srclim_pow2(cap));
	return 0;
}

/* ---- token bucket ---- */

/* Brings e's tokens to now. Burst = rate: a bucket is full one second after it was empty. A
 * clock that went back mints nothing, and the bucket's clock follows it back, so the time that
 * then passes counts once (not again from the old, later reading). */
static void srclim_refill(const struct srclim *s, struct srclim_entry *e, uint64_t now)
{
	double burst = (double)s->cfg.rate;

	if (now > e->last_ms && e->tokens < burst) {
		e->tokens += (double)(now - e->last_ms) * burst / 1000.0;
		if (e->tokens > burst)
			e->tokens = burst;
	}
	e->last_ms = now;
}

/* Whether e's bucket is full at now: then forgetting e loses nothing. */
static bool srclim_bucket_full(const struct srclim *s, const struct srclim_entry *e, uint64_t now)
{
	double burst = (double)s->cfg.rate;
	uint64_t dt = now > e->last_ms ? now - e->last_ms : 0;

	return s->cfg.rate == 0 || e->tokens + (double)dt * burst / 1000.0 >= burst;
}

/* ---- entries ---- */

/* The least recently touched idle entry with a full bucket, among the first few. */
static uint32_t srclim_reusable(const struct srclim *s, uint64_t now)
{
	const struct srclim_index *x = s->priv;
	uint32_t i = x->idle_head;

	for (int n = 0; n < SRCLIM_REUSE_SCAN && i != SRCLIM_NIL; n++, i = s->e[i].inext)
		if (srclim_bucket_full(s, &s->e[i], now))
			return i;
	return SRCLIM_NIL;
}

/* A fresh entry for k (count 0, full bucket, on the idle list), or SRCLIM_NIL when full. */
static uint32_t srclim_new(struct srclim *s, const struct srclim_key *k, uint64_t now)
{
	struct srclim_entry *e;
	uint32_t i;

	if (s->n == s->cap)
		(void)srclim_grow(s); /* failing, reuse below still may succeed */
	if (s->n < s->cap) {
		i = (uint32_t)s->n++;
	} else {
		i = srclim_reusable(s, now);
		if (i == SRCLIM_NIL)
			return SRCLIM_NIL;
		srclim_hash_remove(s, i);
		srclim_idle_unlink(s, i);
	}
	e = &s->e[i];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->tokens = (double)s->cfg.rate;
	e->last_ms = now;
	srclim_hash_insert(s, i);
	srclim_idle_append(s, i);
	s->stats.sources = s->n;
	return i;
}

enum srclim_verdict srclim_admit(struct srclim *s, const struct srclim_key *k, uint64_t now_ms)
{
	enum srclim_verdict v = SRCLIM_OK;
	struct srclim_entry *e;
	uint32_t i = s->priv ? srclim_find(s, k) : SRCLIM_NIL;

	if (i == SRCLIM_NIL && (!s->priv || (i = srclim_new(s, k, now_ms)) == SRCLIM_NIL)) {
		s->stats.refused_full++;
		return SRCLIM_FULL;
	}
	e = &s->e[i];
	srclim_refill(s, e, now_ms);
	if (s->cfg.rate != 0 && e->tokens < 1.0)
		v = SRCLIM_RATE;
	else if (s->cfg.max_conn != 0 && e->count >= s->cfg.max_conn)
		v = SRCLIM_TOO_MANY;
	if (e->count == 0)
		srclim_idle_unlink(s, i);
	if (v == SRCLIM_OK) {
		if (e->count < UINT32_MAX)
			e->count++;
		if (s->cfg.rate != 0)
			e->tokens -= 1.0;
		s->stats.admitted++;
	} else if (v == SRCLIM_RATE) {
		s->stats.refused_rate++;
	} else {
		s->stats.refused_conn++;
	}
	if (e->count == 0)
		srclim_idle_append(s, i); /* touched: now the most recent */
	return v;
}

void srclim_release(struct srclim *s, const struct srclim_key *k)
{
	uint32_t i;

	if (!s->priv || (i = srclim_find(s, k)) == SRCLIM_NIL || s->e[i].count == 0)
		return;
	if (--s->e[i].count == 0)
		srclim_idle_append(s, i);
}

/* ---- setup ---- */

int srclim_init(struct srclim *s, const struct srclim_cfg *cfg)
{
	struct srclim_index *x;

	memset(s, 0, sizeof(*s));
	if (cfg->capacity == 0) {
		errno = EINVAL;
		return -1;
	}
	s->cfg = *cfg;
	if (s->cfg.capacity > SRCLIM_MAX_CAP)
		s->cfg.capacity = SRCLIM_MAX_CAP;
	siphash_key_init(&s->key, cfg->hash_key);
	s->cap = s->cfg.capacity < SRCLIM_INIT_CAP ? s->cfg.capacity : SRCLIM_INIT_CAP;
	s->e = malloc(s->cap * sizeof(*s->e));
	s->priv = x = calloc(1, sizeof(*x));
	if (!s->e || !x)
		goto fail;
	x->idle_head = x->idle_tail = SRCLIM_NIL;
	if (srclim_rehash(s, srclim_pow2(s->cap)) == -1)
		goto fail;
	return 0;
fail:
	srclim_free(s);
	errno = ENOMEM;
	return -1;
}

void srclim_free(struct srclim *s)
{
	struct srclim_index *x = s->priv;

	if (x)
		free(x->bucket);
	free(x);
	free(s->e);
	memset(s, 0, sizeof(*s));
}

void srclim_reconfigure(struct srclim *s, uint32_t max_conn, uint32_t rate)
{
	uint32_t old = s->cfg.rate;

	s->cfg.max_conn = max_conn;
	s->cfg.rate = rate;
	/* Buckets follow the new burst: cut down to it, or full when there was no rate before
	 * (their tokens then meant nothing). */
	for (size_t i = 0; i < s->n; i++) {
		struct srclim_entry *e = &s->e[i];

		if (old == 0 || e->tokens > (double)rate)
			e->tokens = (double)rate;
	}
}

const char *srclim_verdict_name(enum srclim_verdict v)
{
	switch (v) {
	case SRCLIM_OK:
		return "ok";
	case SRCLIM_TOO_MANY:
		return "too many connections from this source";
	case SRCLIM_RATE:
		return "connection rate from this source";
	case SRCLIM_FULL:
		return "source table full";
	}
	return "unknown";
}
