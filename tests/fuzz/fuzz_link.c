/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for proto/link (with proto/nd and proto/ip6). The input is a script:
 *
 *   byte 0      configuration: bit 0 certificates mode, bit 1 MTU 1500 (else 1280),
 *               bits 2..4 ICMPv6 error rate (0..7 per second),
 *               bits 5..7 neighbour resolution rate (0 1 2 5 10 100 1000 10000 per second)
 *   then records of  op, len (2 bytes), len bytes of data:
 *     op & 7    0, 1 packet from peer (op >> 3) & 3      2 packet from the TUN
 *               3 peer up (if down; data[0] bit 0: it is authenticated)    4 peer down
 *               5 periodic RA; with data, first link_reconfigure by data[0]:
 *                   bits 0..1 unauth_policy: none, ESP only, a DirectAccess-like list, empty
 *                   bit 2 isolation, bits 3..5 client_icmp_rate (0 1 2 3 5 10 100 1000/s),
 *                   bit 6 set the peer's authenticated flag to bit 7
 *               6 oversize head from the peer
 *               7 the clock moves on by the first two data bytes, in ms, and link_tick runs
 *   Each script runs twice: first without protections at the start, then with those of the
 *   last byte of the input as for op 5 (a policy in every case: "none" becomes ESP only, and
 *   bits 6 and 7 mark peers 0 and 1 authenticated).
 *     op & 0x20 the peer's queue (or the TUN) refuses packets during this record
 *     op & 0x40 fix Payload Length and the ICMPv6 checksum before feeding the packet
 *     op & 0x80 addresses starting 20 01 get the link prefix in their first 8 bytes
 *
 * Invariants checked on every callback and after every record: what the link sends to a
 * peer is a whole IPv6 packet; packets it built carry a correct ICMPv6 checksum; nothing
 * multicast goes down a connection but RAs and NAs the link built; forwarded packets are the
 * input unchanged and go to the owner of their destination; in mode None no link-local
 * packet is forwarded between clients; every owned address maps back to its owner through
 * link_lookup and the hash chains hold exactly the owned slots; a downed peer owns nothing;
 * every counted drop was reported through ops->drop. Neighbour resolution: its NS goes through
 * to_all to every connection, is unicast to an unowned address in the prefix, from prefix::1,
 * and well formed; a held packet is delivered only to the owner of its destination, from its
 * pending slot; a pending target is never owned and never a gateway address; nothing pending
 * refers to a downed peer; after link_tick no deadline is due; every resolution started is
 * resolved, failed or still pending. Protections: whatever an unauthenticated client gets past
 * the gateway (to the TUN, to another client directly, after a resolution or by multicast) is
 * allowed by the policy in force; with isolation nothing goes from one client to another; the
 * policy, isolation and client ICMPv6 rate drops happen only when those are configured.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/acl.h"
#include "proto/ip6.h"
#include "proto/link.h"
#include "proto/nd.h"

#define NPEERS	4
#define PKT_MAX 2048

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x)) {                                                                        \
			fprintf(stderr, "invariant failed: %s (line %d)\n", #x, __LINE__);         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static struct link L;
static struct link_peer peers[NPEERS];

static struct fuzz_state {
	const uint8_t *cur; /* the packet being fed, NULL for none */
	size_t cur_len;
	struct link_peer *cur_peer; /* NULL: from the TUN */
	bool refuse;
	uint64_t drops; /* ops->drop calls */
	uint64_t ns;	/* resolution NS through to_all */
} S;

static const uint8_t prefix[8] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x10, 0x00};

/* The policies op 5 chooses from: ESP only, a DirectAccess-like list, and an empty one. */
static struct acl policies[3];

static void policy_add(struct acl *a, const char *text)
{
	char buf[128], err[128], *save = NULL, *t;
	const char *w[16];
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (t = strtok_r(buf, " ", &save); t && n < 16; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	CHECK(acl_rule_parse(&a->rules[a->n++], w, n, err, sizeof(err)) == 0);
}

static void policies_init(void)
{
	if (policies[0].n)
		return;
	policy_add(&policies[0], "proto esp");
	policy_add(&policies[1], "proto esp");
	policy_add(&policies[1], "to 2001:db8:1:1000::/64 proto udp port 500-4500");
	policy_add(&policies[1], "to 2001:db8:99::/40 proto tcp port 80");
	policy_add(&policies[1], "proto icmpv6 type 1-4");
	policy_add(&policies[1], "to 2001:db8:1:1000::1 proto icmpv6 type 128");
}

/* What the link may let through from an unauthenticated client. */
static bool policy_ok(const struct link_peer *from, const uint8_t *pkt, size_t len)
{
	const struct acl *a = L.cfg.unauth_policy;

	return from->authenticated || !a || a->n == 0 || acl_allows(a, pkt, len);
}

static bool is_peer(const struct link_peer *p)
{
	return p >= peers && p < peers + NPEERS;
}

/* A packet the link built: whole, ICMPv6 with a correct checksum, at most LINK_PKT_MAX. */
static void check_built(const uint8_t *pkt, size_t len, struct ip6_view *v)
{
	struct ip6_upper u;

	CHECK(len <= LINK_PKT_MAX);
	CHECK(ip6_parse(v, pkt, len) == 0);
	CHECK(ip6_find_upper(&u, pkt, len) == 0 && u.known && u.proto == IP6_NH_ICMPV6);
	CHECK(u.off == IP6_HDR_LEN);
	CHECK(ip6_icmp6_cksum_ok(&v->src, &v->dst, pkt + u.off, len - u.off));
	if (pkt[IP6_HDR_LEN] < 128) /* errors fit the minimum MTU (RFC 4443 §2.4(c)) */
		CHECK(len <= IP6_MIN_MTU);
	if (pkt[IP6_HDR_LEN] == ND_TYPE_NA) /* never a Target Link-Layer Address option */
		CHECK(len == IP6_HDR_LEN + 24);
	CHECK(!ip6_is_unspecified(&v->src) && !ip6_is_multicast(&v->src));
}

/* An RA the link built parses back (RFC 4861 §6.1.2) to what the configuration says. */
static void check_ra(const uint8_t *pkt, size_t len, const struct ip6_view *v)
{
	struct nd_ra ra;

	CHECK(nd_parse_ra(&ra, v, pkt + IP6_HDR_LEN, len - IP6_HDR_LEN) == 0);
	CHECK(ra.has_prefix && ip6_addr_eq(&ra.pi.prefix, &L.cfg.prefix) && ra.pi.plen == 64);
	CHECK(ra.pi.onlink && ra.pi.autonomous && !ra.managed && !ra.other);
	CHECK(ra.mtu == L.cfg.mtu && ra.router_lifetime == L.cfg.router_lifetime);
	CHECK(ra.nroutes == L.cfg.nroutes);
}

/* Untrusted bytes through the ND parsers, for memory safety only. */
static void parse_nd(const uint8_t *pkt, size_t len)
{
	struct ip6_upper u;
	struct ip6_view v;
	struct nd_msg m;
	struct nd_ra ra;

	if (ip6_parse(&v, pkt, len) || ip6_find_upper(&u, pkt, len) || !u.known ||
	    u.proto != IP6_NH_ICMPV6)
		return;
	(void)nd_parse(&m, &v, pkt + u.off, len - u.off);
	(void)nd_parse_ra(&ra, &v, pkt + u.off, len - u.off);
}

/* A forwarded packet: the input itself, whole. */
static void check_forwarded(const uint8_t *pkt, size_t len, struct ip6_view *v)
{
	CHECK(pkt == S.cur && len == S.cur_len);
	CHECK(ip6_parse(v, pkt, len) == 0);
	CHECK(len <= L.cfg.mtu || !S.cur_peer);
}

/* The pending slot whose hold buffer pkt is, or NULL. */
static const struct link_pending *held_slot(const uint8_t *pkt)
{
	size_t i;

	for (i = 0; i < LINK_MAX_PENDING; i++)
		if (L.pending[i].used && L.pending[i].pkt == pkt)
			return &L.pending[i];
	return NULL;
}

/* A held packet delivered once its destination is learned: whole, to the new owner. */
static void check_held(struct link_peer *peer, const uint8_t *pkt, size_t len)
{
	const struct link_pending *q = held_slot(pkt);
	struct ip6_view v;

	CHECK(q != NULL && q->len == len && len <= L.cfg.mtu);
	CHECK(ip6_parse(&v, pkt, len) == 0);
	CHECK(ip6_addr_eq(&v.dst, &q->target));
	CHECK(link_lookup(&L, &v.dst) == peer);
	CHECK(q->from == NULL || q->from->up);
}

static int to_peer(void *arg, struct link_peer *peer, const uint8_t *pkt, size_t len)
{
	struct ip6_view v;

	(void)arg;
	CHECK(is_peer(peer) && peer->up);
	if (pkt == L.scratch) {
		check_built(pkt, len, &v);
		/* [MS-IPHTTPS] §3.2.5.2.1: only RAs, and the DAD answers, are multicast */
		if (ip6_is_multicast(&v.dst))
			CHECK(pkt[IP6_HDR_LEN] == ND_TYPE_RA || pkt[IP6_HDR_LEN] == ND_TYPE_NA);
		if (pkt[IP6_HDR_LEN] == ND_TYPE_RA)
			check_ra(pkt, len, &v);
		/* answers go back down the connection they answer */
		CHECK(S.cur_peer == NULL || peer == S.cur_peer);
	} else if (held_slot(pkt)) {
		check_held(peer, pkt, len);
		if (held_slot(pkt)->from) {
			CHECK(!L.cfg.isolation || peer == held_slot(pkt)->from);
			CHECK(policy_ok(held_slot(pkt)->from, pkt, len));
		}
	} else {
		check_forwarded(pkt, len, &v);
		CHECK(!ip6_is_multicast(&v.dst));
		CHECK(link_lookup(&L, &v.dst) == peer);
		if (!L.cfg.auth_certificates) /* §3.2.5.2.2 rule 1 */
			CHECK(!ip6_is_linklocal(&v.dst));
		if (S.cur_peer) { /* a client's source is its own */
			CHECK(link_lookup(&L, &v.src) == S.cur_peer);
			CHECK(!L.cfg.isolation || peer == S.cur_peer);
			CHECK(policy_ok(S.cur_peer, pkt, len));
		}
	}
	return S.refuse ? -1 : 0;
}

static int to_tun(void *arg, const uint8_t *pkt, size_t len)
{
	struct ip6_view v;

	(void)arg;
	if (pkt == L.scratch) {
		check_built(pkt, len, &v);
		CHECK(S.cur_peer == NULL);
	} else {
		check_forwarded(pkt, len, &v);
		CHECK(S.cur_peer != NULL);
		CHECK(!ip6_is_multicast(&v.dst) && !ip6_is_linklocal(&v.dst));
		CHECK(!ip6_prefix_match(&v.dst, &L.cfg.prefix, 64));
		CHECK(!ip6_is_linklocal(&v.src));
		CHECK(link_lookup(&L, &v.src) == S.cur_peer);
		CHECK(policy_ok(S.cur_peer, pkt, len));
	}
	return S.refuse ? -1 : 0;
}

/* The resolution NS (RFC 4861 §4.3): prefix::1 to an unowned target itself, no options. */
static void check_resolve_ns(struct link_peer *except, const uint8_t *pkt, size_t len)
{
	struct ip6_view v;
	struct nd_msg m;

	CHECK(except == NULL);
	check_built(pkt, len, &v);
	CHECK(len == IP6_HDR_LEN + 24 && pkt[IP6_HDR_LEN] == ND_TYPE_NS && v.hlim == 255);
	CHECK(nd_parse(&m, &v, pkt + IP6_HDR_LEN, len - IP6_HDR_LEN) == 0 && !m.dad);
	CHECK(ip6_addr_eq(&v.src, &L.gw_global) && ip6_addr_eq(&v.dst, &m.target));
	CHECK(!ip6_is_multicast(&v.dst) && ip6_prefix_match(&v.dst, &L.cfg.prefix, 64));
	CHECK(link_lookup(&L, &v.dst) == NULL);
	CHECK(L.cfg.resolve_rate > 0);
	S.ns++;
}

static void to_all(void *arg, struct link_peer *except, const uint8_t *pkt, size_t len)
{
	struct ip6_view v;

	(void)arg;
	if (pkt == L.scratch) {
		check_resolve_ns(except, pkt, len);
		return;
	}
	CHECK(L.cfg.auth_certificates && !L.cfg.isolation);
	CHECK(except == S.cur_peer && except != NULL);
	check_forwarded(pkt, len, &v);
	CHECK(ip6_is_multicast(&v.dst));
	CHECK(policy_ok(S.cur_peer, pkt, len));
}

static void drop(void *arg, const struct link_peer *from, enum link_drop why, const uint8_t *pkt,
		 size_t len)
{
	(void)arg;
	(void)pkt;
	CHECK((unsigned)why < LINK_DROP__MAX);
	CHECK(from == NULL || is_peer(from));
	CHECK(strcmp(link_drop_name(why), "unknown") != 0);
	CHECK(len > 0 || why == LINK_DROP_MALFORMED || why == LINK_DROP_PEER_DOWN ||
	      why == LINK_DROP_TOO_BIG);
	/* the protections drop only when configured, and only a client's packets */
	if (why == LINK_DROP_POLICY)
		CHECK(from && !from->authenticated && L.cfg.unauth_policy &&
		      L.cfg.unauth_policy->n > 0 && !acl_allows(L.cfg.unauth_policy, pkt, len));
	if (why == LINK_DROP_ISOLATED)
		CHECK(from && L.cfg.isolation);
	if (why == LINK_DROP_CLIENT_ICMP_RATE)
		CHECK(from && from == S.cur_peer && L.cfg.client_icmp_rate > 0);
	S.drops++;
}

/* Resolutions in progress: their slots, targets and held packets. */
static void check_pending(void)
{
	const struct link_pending *q;
	struct ip6_view v;
	size_t i, used = 0;

	for (i = 0; i < LINK_MAX_PENDING; i++) {
		q = &L.pending[i];
		CHECK(q->pkt == L.hold + i * L.cfg.mtu);
		if (!q->used)
			continue;
		used++;
		CHECK(link_lookup(&L, &q->target) == NULL);
		CHECK(ip6_prefix_match(&q->target, &L.cfg.prefix, 64));
		CHECK(!ip6_addr_eq(&q->target, &L.gw_global) &&
		      !ip6_addr_eq(&q->target, &L.cfg.prefix));
		CHECK(q->tries >= 1 && q->tries <= LINK_RESOLVE_TRIES);
		CHECK(q->deadline_ms <= L.now_ms + LINK_RESOLVE_RETRANS_MS);
		CHECK(q->from == NULL || (is_peer(q->from) && q->from->up));
		CHECK(q->len <= L.cfg.mtu && (q->len > 0 || q->from == NULL));
		if (q->len) {
			CHECK(ip6_parse(&v, q->pkt, q->len) == 0);
			CHECK(ip6_addr_eq(&v.dst, &q->target));
		}
	}
	CHECK(used == L.npending);
	CHECK(L.stats.resolve_started == L.stats.resolved + L.stats.resolve_failed + L.npending);
	CHECK(S.ns == L.stats.resolve_ns);
	CHECK(L.stats.resolve_ns <= L.stats.resolve_started * LINK_RESOLVE_TRIES);
	if (L.npending == 0)
		CHECK(link_next_deadline(&L) == UINT64_MAX);
}

/* The address table: slots, lookups and hash chains agree. */
static void check_table(void)
{
	size_t i, j, owned = 0, chained = 0;
	const struct link_addr *e;
	uint64_t counted = 0;

	for (i = 0; i < NPEERS; i++) {
		for (j = 0; j < LINK_PEER_ADDRS; j++) {
			e = &peers[i].addrs[j];
			if (!e->owner)
				continue;
			CHECK(peers[i].up);
			CHECK(e->owner == &peers[i]);
			CHECK(link_lookup(&L, &e->addr) == &peers[i]);
			CHECK(!ip6_is_multicast(&e->addr) && !ip6_is_unspecified(&e->addr));
			owned++;
		}
	}
	CHECK(owned == L.naddrs);
	CHECK(L.nbuckets && (L.nbuckets & (L.nbuckets - 1)) == 0);
	for (i = 0; i < L.nbuckets; i++) {
		for (e = L.buckets[i]; e; e = e->hnext) {
			CHECK(chained++ <= L.naddrs);
			CHECK(e->owner && is_peer(e->owner));
			CHECK(e >= e->owner->addrs && e < e->owner->addrs + LINK_PEER_ADDRS);
		}
	}
	CHECK(chained == L.naddrs);
	for (i = 0; i < LINK_DROP__MAX; i++)
		counted += L.stats.drops[i];
	CHECK(counted == S.drops);
	check_pending();
}

static void peer_down(struct link_peer *p)
{
	struct in6_addr had[LINK_PEER_ADDRS];
	size_t n, i;

	n = link_peer_addrs(p, had, LINK_PEER_ADDRS);
	CHECK(n <= LINK_PEER_ADDRS);
	link_peer_down(&L, p);
	CHECK(!p->up);
	CHECK(link_peer_addrs(p, had, 0) == 0);
	for (i = 0; i < n; i++)
		CHECK(link_lookup(&L, &had[i]) == NULL);
	for (i = 0; i < LINK_MAX_PENDING; i++)
		CHECK(!L.pending[i].used || L.pending[i].from != p);
}

/* The clock moves on: whatever was due is done, and the next deadline lies ahead. */
static void tick(uint64_t ms)
{
	L.now_ms += ms;
	S.cur = NULL;
	S.cur_peer = NULL;
	link_tick(&L);
	CHECK(link_next_deadline(&L) > L.now_ms);
}

/* Op 5's data byte: the protections, and a peer's authenticated flag. */
static void protections(struct link_cfg *c, uint8_t x)
{
	static const uint32_t rates[8] = {0, 1, 2, 3, 5, 10, 100, 1000};

	c->unauth_policy = (x & 3) ? &policies[(x & 3) - 1] : NULL;
	c->isolation = x & 4;
	c->client_icmp_rate = rates[(x >> 3) & 7];
}

static void reconfigure(struct link_peer *p, uint8_t x)
{
	struct link_cfg c = L.cfg;

	protections(&c, x);
	CHECK(link_reconfigure(&L, &c) == 0);
	CHECK(L.cfg.unauth_policy == c.unauth_policy && L.cfg.isolation == c.isolation);
	if (x & 0x40)
		p->authenticated = x & 0x80;
}

/* Applies the op's fix-ups to a copy of the packet. */
static void prepare(uint8_t *b, size_t len, uint8_t op)
{
	struct ip6_upper u;
	struct ip6_view v;
	uint16_t ck;

	if (len < IP6_HDR_LEN)
		return;
	if ((op & 0x80) && b[8] == 0x20 && b[9] == 0x01)
		memcpy(b + 8, prefix, 8);
	if ((op & 0x80) && b[24] == 0x20 && b[25] == 0x01)
		memcpy(b + 24, prefix, 8);
	if (!(op & 0x40))
		return;
	b[4] = (uint8_t)((len - IP6_HDR_LEN) >> 8);
	b[5] = (uint8_t)(len - IP6_HDR_LEN);
	if (ip6_parse_head(&v, b, len) || ip6_find_upper(&u, b, len) || !u.known ||
	    u.proto != IP6_NH_ICMPV6 || len - u.off < 4)
		return;
	b[u.off + 2] = b[u.off + 3] = 0;
	ck = ip6_cksum(&v.src, &v.dst, IP6_NH_ICMPV6, b + u.off, len - u.off);
	b[u.off + 2] = (uint8_t)(ck >> 8);
	b[u.off + 3] = (uint8_t)ck;
}

static void run_record(uint8_t op, const uint8_t *data, size_t len)
{
	static uint8_t b[PKT_MAX];
	struct link_peer *p = &peers[(op >> 3) & 3];

	memcpy(b, data, len);
	prepare(b, len, op);
	parse_nd(b, len);
	S.refuse = op & 0x20;
	S.cur = b;
	S.cur_len = len;
	S.cur_peer = p;
	switch (op & 7) {
	case 0:
	case 1:
		link_from_peer(&L, p, b, len);
		break;
	case 2:
		S.cur_peer = NULL;
		link_from_tun(&L, b, len);
		break;
	case 3:
		S.cur = NULL;
		if (!p->up) {
			p->authenticated = len >= 1 && (data[0] & 1);
			link_peer_up(&L, p);
		}
		break;
	case 4:
		S.cur = NULL;
		peer_down(p);
		break;
	case 5:
		S.cur = NULL;
		if (len >= 1)
			reconfigure(p, data[0]);
		link_send_ra(&L, p);
		break;
	case 6:
		S.cur = NULL; /* nothing of the head is forwarded */
		link_oversize_from_peer(&L, p, b, len < L.cfg.mtu ? len : L.cfg.mtu,
					L.cfg.mtu + 1 + len);
		break;
	default:
		tick(len >= 2 ? (uint64_t)(data[0] << 8 | data[1]) : 1000);
		break;
	}
	S.cur = NULL;
	check_table();
}

/* protect: the protections from the extras byte x (a policy always; peers 0 and 1
 * authenticated by bits 6 and 7), else none at the start. */
static int setup(uint8_t conf, bool protect, uint8_t x)
{
	static const uint32_t resolve_rates[8] = {0, 1, 2, 5, 10, 100, 1000, 10000};
	struct link_cfg c = {
	    .mtu = conf & 2 ? 1500 : 1280,
	    .auth_certificates = conf & 1,
	    .router_lifetime = 1800,
	    .valid_lifetime = 86400,
	    .preferred_lifetime = 14400,
	    .cur_hop_limit = 64,
	    .icmp_error_rate = (conf >> 2) & 7,
	    .resolve_rate = resolve_rates[conf >> 5],
	    .routes = {{.plen = 0, .pref = -1, .lifetime = 60},
		       {.prefix = {.s6_addr = {0x20, 0x01, 0x0d, 0xb8, 0x99}},
			.plen = 40,
			.pref = 1,
			.lifetime = 600}},
	    .nroutes = 2,
	};
	const struct link_ops ops = {to_peer, to_tun, to_all, drop, NULL};
	size_t i;

	memcpy(c.prefix.s6_addr, prefix, sizeof(prefix));
	memset(&S, 0, sizeof(S));
	policies_init();
	if (protect)
		protections(&c, (x & 3) ? x : x | 1);
	if (link_init(&L, &c, &ops))
		return -1;
	L.now_ms = 1000000;
	for (i = 0; i < NPEERS; i++) {
		link_peer_init(&peers[i], i, NULL);
		peers[i].authenticated = protect && i < 2 && (x >> (6 + i) & 1);
		S.cur_peer = &peers[i];
		link_peer_up(&L, &peers[i]);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_script(const uint8_t *data, size_t size, bool protect)
{
	size_t off = 1, len, i;
	uint8_t op;

	if (setup(data[0], protect, data[size - 1]))
		return;
	while (off + 3 <= size) {
		op = data[off];
		len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		if (len > PKT_MAX)
			len = PKT_MAX;
		run_record(op, data + off, len);
		off += len;
	}
	/* the rest of every resolution runs out (peer_down first: the TUN's errors only) */
	for (i = 0; i < NPEERS; i++)
		peer_down(&peers[i]);
	CHECK(L.naddrs == 0);
	for (i = 0; i <= LINK_RESOLVE_TRIES; i++)
		tick(LINK_RESOLVE_RETRANS_MS);
	CHECK(L.npending == 0);
	check_table();
	link_free(&L);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* every script twice: as the link was before the protections, then with them */
	run_script(data, size, false);
	run_script(data, size, true);
	return 0;
}
