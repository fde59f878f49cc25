/* SPDX-License-Identifier: ISC */
/*
 * link: the gateway's side of the IP-HTTPS link ([MS-IPHTTPS] §3, §3.2.3.1, §3.2.5.2).
 * An address table (which client owns which address, learned from DAD probes, advertisements
 * and source addresses), source-address policing, the Authentication Mode None rules of
 * §3.2.5.2.2, the gateway's own answers (RA, NA, echo, ICMPv6 errors), and the forwarding
 * decision for every packet from a client or from the TUN device, including neighbour
 * resolution (RFC 4861 §7.2.2) for addresses in the prefix that no client has announced.
 * The protections of a link anyone may join sit on the client's path: a per-client ICMPv6
 * rate right after the source checks (before the gateway answers anything), then, for what
 * the gateway does not answer itself, client isolation and the unauthenticated peers' policy
 * (proto/acl) before anything reaches another client, a resolution or the TUN; ICMPv6 errors
 * toward a client spend that client's own budget.
 *
 * Does not: expire table entries (they live as long as the connection; resolution only finds
 * new ones), reassemble fragments, decrement hop limits (client to client is one link; the
 * kernel routes the rest), or read a clock (l->now_ms is set by the caller, which also drives
 * link_tick).
 */
#include <stdlib.h>
#include <string.h>

#include "proto/acl.h"
#include "proto/ip6.h"
#include "proto/link.h"
#include "proto/nd.h"

#define LINK_BUCKETS_INIT 64
#define LINK_PASS	  (-1) /* handled, nothing dropped */
#define LINK_NEXT	  (-2) /* not handled by this rule: the next one decides */

_Static_assert(ND_MAX_ROUTES >= LINK_MAX_ROUTES, "every configured route fits in an RA");

static const struct in6_addr link_all_nodes = {.s6_addr = {0xff, 0x02, [15] = 1}};
static const struct in6_addr link_all_routers = {.s6_addr = {0xff, 0x02, [15] = 2}};

/* A packet being decided on. */
struct link_pkt {
	const uint8_t *p;
	size_t len;
	struct ip6_view v;
	struct ip6_upper u;
	bool icmp;    /* an ICMPv6 header was found at u.off */
	uint8_t type; /* its type */
};

/* clang-format off */
static const char *const link_drop_names[LINK_DROP__MAX] = {
	[LINK_DROP_MALFORMED] = "malformed",
	[LINK_DROP_SPOOFED] = "spoofed",
	[LINK_DROP_FOREIGN_SRC] = "foreign_src",
	[LINK_DROP_UNSPEC_SRC] = "unspec_src",
	[LINK_DROP_LL_NOT_GW] = "ll_not_gw",
	[LINK_DROP_MCAST] = "mcast",
	[LINK_DROP_ROGUE_ND] = "rogue_nd",
	[LINK_DROP_ND_INVALID] = "nd_invalid",
	[LINK_DROP_TOO_BIG] = "too_big",
	[LINK_DROP_NO_NEIGHBOR] = "no_neighbor",
	[LINK_DROP_QUEUE_FULL] = "queue_full",
	[LINK_DROP_TUN] = "tun",
	[LINK_DROP_TUN_MCAST] = "tun_mcast",
	[LINK_DROP_TUN_OFFLINK] = "tun_offlink",
	[LINK_DROP_GW_UNHANDLED] = "gw_unhandled",
	[LINK_DROP_ICMP_RATE] = "icmp_rate",
	[LINK_DROP_PEER_DOWN] = "peer_down",
	[LINK_DROP_RESOLVE_REPLACED] = "resolve_replaced",
	[LINK_DROP_POLICY] = "policy",
	[LINK_DROP_ISOLATED] = "isolated",
	[LINK_DROP_CLIENT_ICMP_RATE] = "client_icmp_rate",
};
/* clang-format on */

const char *link_drop_name(enum link_drop why)
{
	if ((unsigned)why >= LINK_DROP__MAX)
		return "unknown";
	return link_drop_names[why];
}

/* ---- address hash: SipHash-2-4 keyed by cfg.hash_key, so clients cannot aim at a bucket --- */

static struct link_addr **link_bucket(const struct link *l, const struct in6_addr *a)
{
	return &l->buckets[siphash16(&l->hash_key, a->s6_addr) & (l->nbuckets - 1)];
}

static struct link_addr *link_find(const struct link *l, const struct in6_addr *a)
{
	struct link_addr *e;

	if (!l->buckets)
		return NULL;
	for (e = *link_bucket(l, a); e; e = e->hnext)
		if (ip6_addr_eq(&e->addr, a))
			return e;
	return NULL;
}

struct link_peer *link_lookup(const struct link *l, const struct in6_addr *a)
{
	struct link_addr *e = link_find(l, a);

	return e ? e->owner : NULL;
}

/* Doubles the bucket array; when that allocation fails the old table keeps working. */
static void link_grow(struct link *l)
{
	size_t n = l->nbuckets * 2, i, b;
	struct link_addr **nb, *e, *next;

	if (n < l->nbuckets || n > SIZE_MAX / sizeof(*nb))
		return;
	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return;
	for (i = 0; i < l->nbuckets; i++) {
		for (e = l->buckets[i]; e; e = next) {
			next = e->hnext;
			b = siphash16(&l->hash_key, e->addr.s6_addr) & (n - 1);
			e->hnext = nb[b];
			nb[b] = e;
		}
	}
	free(l->buckets);
	l->buckets = nb;
	l->nbuckets = n;
}

static void link_resolved(struct link *l, struct link_peer *owner, const struct in6_addr *a);

/* Unhashes one slot and frees it. */
static void link_forget(struct link *l, struct link_addr *slot)
{
	struct link_addr **pp;

	if (!l->buckets)
		return;
	for (pp = link_bucket(l, &slot->addr); *pp; pp = &(*pp)->hnext) {
		if (*pp == slot) {
			*pp = slot->hnext;
			l->naddrs--;
			break;
		}
	}
	memset(slot, 0, sizeof(*slot));
}

/* Gives an unowned address to p, in a free slot or the least recently used one. */
static void link_learn(struct link *l, struct link_peer *p, const struct in6_addr *a)
{
	struct link_addr *slot = NULL, *e, **b;
	size_t i;

	if (!l->buckets || !p->up)
		return;
	for (i = 0; i < LINK_PEER_ADDRS; i++) {
		e = &p->addrs[i];
		if (!e->owner) {
			slot = e;
			break;
		}
		if (!slot || e->seq < slot->seq)
			slot = e;
	}
	if (slot->owner) {
		link_forget(l, slot);
		l->stats.evicted++;
	}
	slot->addr = *a;
	slot->owner = p;
	slot->seq = ++l->seq;
	b = link_bucket(l, a);
	slot->hnext = *b;
	*b = slot;
	l->naddrs++;
	l->stats.learned++;
	if (l->naddrs > l->nbuckets)
		link_grow(l);
	link_resolved(l, p, a);
}

size_t link_peer_addrs(const struct link_peer *p, struct in6_addr *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < LINK_PEER_ADDRS; i++) {
		if (!p->addrs[i].owner)
			continue;
		if (n < max)
			out[n] = p->addrs[i].addr;
		n++;
	}
	return n;
}

/* ---- addresses of the link ---------------------------------------------------------------- */

static bool link_in_prefix(const struct link *l, const struct in6_addr *a)
{
	return ip6_prefix_match(a, &l->cfg.prefix, 64);
}

/* fe80::1 and prefix::1, the addresses the gateway answers on. */
static bool link_is_gw_unicast(const struct link *l, const struct in6_addr *a)
{
	return ip6_addr_eq(a, &l->gw_ll) || ip6_addr_eq(a, &l->gw_global);
}

/* Also prefix::, the Subnet-Router anycast address (RFC 4291 §2.6.1): no client may own it. */
static bool link_is_gw(const struct link *l, const struct in6_addr *a)
{
	return link_is_gw_unicast(l, a) || ip6_addr_eq(a, &l->cfg.prefix);
}

/* Addresses a client may own: link-local or in the prefix, and not the gateway's. */
static bool link_learnable(const struct link *l, const struct in6_addr *a)
{
	return (ip6_is_linklocal(a) || link_in_prefix(l, a)) && !link_is_gw(l, a);
}

/* ---- output ------------------------------------------------------------------------------- */

static void link_drop(struct link *l, const struct link_peer *from, int why, const uint8_t *pkt,
		      size_t len)
{
	l->stats.drops[why]++;
	if (l->ops.drop)
		l->ops.drop(l->ops.arg, from, (enum link_drop)why, pkt, len);
}

/* A packet the link built in scratch, down p's connection or, when p is NULL, to the TUN. */
static void link_emit(struct link *l, struct link_peer *p, size_t len, uint64_t *count)
{
	int r;

	if (p)
		r = l->ops.to_peer(l->ops.arg, p, l->scratch, len);
	else
		r = l->ops.to_tun(l->ops.arg, l->scratch, len);
	if (r < 0)
		link_drop(l, p, p ? LINK_DROP_QUEUE_FULL : LINK_DROP_TUN, l->scratch, len);
	else if (count)
		(*count)++;
}

static int link_fwd_peer(struct link *l, struct link_peer *to, const struct link_pkt *k,
			 uint64_t *count)
{
	if (l->ops.to_peer(l->ops.arg, to, k->p, k->len) < 0)
		return LINK_DROP_QUEUE_FULL;
	(*count)++;
	return LINK_PASS;
}

static int link_fwd_tun(struct link *l, const struct link_pkt *k)
{
	if (l->ops.to_tun(l->ops.arg, k->p, k->len) < 0)
		return LINK_DROP_TUN;
	l->stats.to_tun++;
	return LINK_PASS;
}

/* Takes one token from a bucket of `rate` per second, as deep as one second. A clock going
 * backwards mints nothing; a rate lowered by link_reconfigure caps what was saved. */
static bool link_limit_take(struct link_limit *b, uint32_t rate, uint64_t now_ms)
{
	if (now_ms > b->last_ms)
		b->tokens += (double)(now_ms - b->last_ms) * rate / 1000.0;
	if (b->tokens > rate)
		b->tokens = rate;
	b->last_ms = now_ms;
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

/* An ICMPv6 error about pkt, to its source, down p (or to the TUN when p is NULL). */
static void link_error(struct link *l, struct link_peer *p, uint8_t type, uint8_t code,
		       uint32_t param, const uint8_t *pkt, size_t len)
{
	const struct in6_addr *src;
	struct ip6_view v;
	struct buf_wr w;

	if (!ip6_error_allowed(pkt, len, type, code) || ip6_parse_head(&v, pkt, len))
		return;
	/* RFC 4443 §2.4(f), one bucket per client: a client provoking errors spends its own
	 * budget, never the others'. */
	if (!link_limit_take(p ? &p->icmp_err_limit : &l->icmp_limit, l->cfg.icmp_error_rate,
			     l->now_ms)) {
		link_drop(l, p, LINK_DROP_ICMP_RATE, pkt, len);
		return;
	}
	/* From the gateway address of the same scope as the destination (RFC 6724 §5 rule 2). */
	src = ip6_is_linklocal(&v.src) ? &l->gw_ll : &l->gw_global;
	buf_wr_init(&w, l->scratch, sizeof(l->scratch));
	if (ip6_build_error(&w, src, type, code, param, pkt, len) == 0)
		link_emit(l, p, w.len, &l->stats.icmp_errors);
}

/* ---- protections of an open link ----------------------------------------------------------- */

/* The unauthenticated peers' allow-list (proto/acl) for what from sends past the gateway. */
static bool link_policy_allows(const struct link *l, const struct link_peer *from,
			       const uint8_t *pkt, size_t len)
{
	const struct acl *a = l->cfg.unauth_policy;

	return from->authenticated || !a || a->n == 0 || acl_allows(a, pkt, len);
}

/*
 * A packet from one client for another (`to`, NULL when not known yet: every address on the
 * link but the gateway's is a client's): isolation first, then the sender's policy. Both
 * drops are silent, as a firewall's: an error would tell a scanner which addresses exist.
 */
static int link_p2p_check(const struct link *l, const struct link_peer *from,
			  const struct link_peer *to, const uint8_t *pkt, size_t len)
{
	if (l->cfg.isolation && to != from)
		return LINK_DROP_ISOLATED;
	if (!link_policy_allows(l, from, pkt, len))
		return LINK_DROP_POLICY;
	return LINK_PASS;
}

/* Every ICMPv6 packet a client sends, ND included (answering RS and NS costs the gateway work),
 * takes a token when cfg.client_icmp_rate is set. */
static bool link_client_icmp_ok(const struct link *l, struct link_peer *p)
{
	return !l->cfg.client_icmp_rate ||
	       link_limit_take(&p->icmp_rx_limit, l->cfg.client_icmp_rate, l->now_ms);
}

/* ---- neighbour resolution (RFC 4861 §7.2.2) -------------------------------------------------- */

/*
 * An address in the prefix that no client owns may still be a client's: a Linux client on a
 * TUN device never runs DAD (IFF_NOARP) and is known only once it sends from the address. So
 * the first packet for it is held (one per address, the newest, §7.2.2) while an NS asks.
 * The link has no multicast that would reach only the target's solicited-node group, so the
 * NS goes to the target address itself down every connection, as Windows' server does
 * (ms-iphttps.md §2.5); only the owner accepts it, and answers with a solicited NA to
 * prefix::1 that link_check_src and link_na learn from: link_learn then delivers the held
 * packet. Each NS costs one packet per connected client, hence cfg.resolve_rate, the
 * LINK_MAX_PENDING slots, and no resolution at all with nobody connected.
 */

static struct link_pending *link_pending_find(struct link *l, const struct in6_addr *a)
{
	size_t i;

	if (!l->npending)
		return NULL;
	for (i = 0; i < LINK_MAX_PENDING; i++)
		if (l->pending[i].used && ip6_addr_eq(&l->pending[i].target, a))
			return &l->pending[i];
	return NULL;
}

static void link_pending_end(struct link *l, struct link_pending *q)
{
	q->used = false;
	q->from = NULL;
	q->len = 0;
	l->npending--;
}

/* Holds k in q, in place of the packet held before (RFC 4861 §7.2.2: the newest is kept). */
static void link_hold(struct link *l, struct link_pending *q, struct link_peer *from,
		      const struct link_pkt *k)
{
	if (q->len)
		link_drop(l, q->from, LINK_DROP_RESOLVE_REPLACED, q->pkt, q->len);
	memcpy(q->pkt, k->p, k->len);
	q->len = k->len;
	q->from = from;
}

/* The NS for q's target (RFC 4861 §4.3, §7.2.2): from prefix::1 to the target itself, no
 * Source Link-Layer Address option (the link has none), down every connection. */
static void link_ns_send(struct link *l, const struct link_pending *q)
{
	struct buf_wr w;

	buf_wr_init(&w, l->scratch, sizeof(l->scratch));
	if (nd_build_ns(&w, &l->gw_global, &q->target, &q->target))
		return;
	l->ops.to_all(l->ops.arg, NULL, l->scratch, w.len);
	l->stats.resolve_ns++;
}

/*
 * A packet for an unknown address in the prefix, from `from` (NULL: the TUN). LINK_PASS: held
 * while the address is resolved. LINK_NEXT: resolution is off, impossible (no to_all, nobody
 * connected, over the MTU) or refused (no free slot, rate limit); the caller answers at once.
 */
static int link_resolve(struct link *l, struct link_peer *from, const struct link_pkt *k)
{
	struct link_pending *q;
	size_t i;

	if (!l->cfg.resolve_rate || !l->ops.to_all || !l->npeers_up || k->len > l->cfg.mtu)
		return LINK_NEXT;
	q = link_pending_find(l, &k->v.dst);
	if (!q) {
		if (l->npending == LINK_MAX_PENDING ||
		    !link_limit_take(&l->resolve_limit, l->cfg.resolve_rate, l->now_ms))
			return LINK_NEXT;
		for (i = 0; l->pending[i].used; i++)
			;
		q = &l->pending[i];
		q->used = true;
		q->target = k->v.dst;
		q->tries = 1;
		q->deadline_ms = l->now_ms + LINK_RESOLVE_RETRANS_MS;
		l->npending++;
		l->stats.resolve_started++;
		link_ns_send(l, q);
	}
	link_hold(l, q, from, k);
	return LINK_PASS;
}

/* a has just been learned for owner: the packet held for it, if any, goes there. */
static void link_resolved(struct link *l, struct link_peer *owner, const struct in6_addr *a)
{
	struct link_pending *q = link_pending_find(l, a);
	int why;

	if (!q)
		return;
	l->stats.resolved++;
	/* a client's packet held since before link_reconfigure changed isolation or the policy
	 * goes by the rules in force now */
	if (q->len && q->from &&
	    (why = link_p2p_check(l, q->from, owner, q->pkt, q->len)) != LINK_PASS)
		link_drop(l, q->from, why, q->pkt, q->len);
	/* counted as the packet would have been without the wait */
	else if (q->len && l->ops.to_peer(l->ops.arg, owner, q->pkt, q->len) < 0)
		link_drop(l, q->from, LINK_DROP_QUEUE_FULL, q->pkt, q->len);
	else if (q->len && q->from)
		l->stats.peer_to_peer++;
	else if (q->len)
		l->stats.from_tun++;
	link_pending_end(l, q);
}

/* No answer to the last NS: RFC 4861 §7.2.2, RFC 4443 §3.1 code 3 for the held packet. */
static void link_resolve_failed(struct link *l, struct link_pending *q)
{
	l->stats.resolve_failed++;
	if (q->len) {
		link_error(l, q->from, IP6_ICMP_UNREACH, IP6_UNREACH_ADDR, 0, q->pkt, q->len);
		link_drop(l, q->from, LINK_DROP_NO_NEIGHBOR, q->pkt, q->len);
	}
	link_pending_end(l, q);
}

void link_tick(struct link *l)
{
	struct link_pending *q;
	size_t i;

	for (i = 0; i < LINK_MAX_PENDING && l->npending; i++) {
		q = &l->pending[i];
		if (!q->used || q->deadline_ms > l->now_ms)
			continue;
		if (q->tries >= LINK_RESOLVE_TRIES) {
			link_resolve_failed(l, q);
			continue;
		}
		/* A retransmission the rate limit refuses still counts: a resolution ends
		 * LINK_RESOLVE_TRIES * LINK_RESOLVE_RETRANS_MS after it began, answered or not. */
		q->tries++;
		q->deadline_ms = l->now_ms + LINK_RESOLVE_RETRANS_MS;
		if (link_limit_take(&l->resolve_limit, l->cfg.resolve_rate, l->now_ms))
			link_ns_send(l, q);
	}
}

uint64_t link_next_deadline(const struct link *l)
{
	uint64_t t = UINT64_MAX;
	size_t i;

	for (i = 0; i < LINK_MAX_PENDING && l->npending; i++)
		if (l->pending[i].used && l->pending[i].deadline_ms < t)
			t = l->pending[i].deadline_ms;
	return t;
}

/* p is going down: its held packets are dropped, their resolutions go on without them. */
static void link_pending_peer_down(struct link *l, struct link_peer *p)
{
	struct link_pending *q;
	size_t i;

	for (i = 0; i < LINK_MAX_PENDING && l->npending; i++) {
		q = &l->pending[i];
		if (!q->used || q->from != p)
			continue;
		if (q->len)
			link_drop(l, p, LINK_DROP_PEER_DOWN, q->pkt, q->len);
		q->from = NULL;
		q->len = 0;
	}
}

/* ---- the gateway's own messages ------------------------------------------------------------ */

static void link_ra_fill(const struct link *l, struct nd_ra *ra)
{
	const struct link_cfg *c = &l->cfg;
	const struct link_route *r;
	size_t i;

	/* RFC 4861 §4.2, [MS-IPHTTPS] §3.2.3.1 (the gateway is the link's router); M = O = 0,
	 * Reachable Time and Retrans Timer unspecified. */
	memset(ra, 0, sizeof(*ra));
	ra->cur_hop_limit = c->cur_hop_limit;
	ra->router_lifetime = c->router_lifetime;
	ra->has_prefix = true;
	ra->pi.prefix = c->prefix;
	ra->pi.plen = 64;
	ra->pi.onlink = true;
	ra->pi.autonomous = true;
	ra->pi.valid = c->valid_lifetime;
	ra->pi.preferred = c->preferred_lifetime;
	ra->mtu = c->mtu;
	for (i = 0; i < c->nroutes; i++) {
		r = &c->routes[i];
		ra->routes[i] = (struct nd_route){r->prefix, r->plen, r->pref, r->lifetime};
	}
	ra->nroutes = c->nroutes;
}

static void link_ra(struct link *l, struct link_peer *p, const struct in6_addr *dst)
{
	struct buf_wr w;
	struct nd_ra ra;

	link_ra_fill(l, &ra);
	buf_wr_init(&w, l->scratch, sizeof(l->scratch));
	if (nd_build_ra(&w, &l->gw_ll, dst, &ra) == 0)
		link_emit(l, p, w.len, &l->stats.ra);
}

/* An NA for one of the gateway's addresses (RFC 4861 §7.2.4, RFC 4862 §5.4.3). */
static void link_gw_na(struct link *l, struct link_peer *p, const struct in6_addr *target,
		       const struct in6_addr *dst, uint8_t flags)
{
	/* The Subnet-Router anycast address is answered from prefix::1 and without Override
	 * (RFC 4861 §7.2.7). */
	bool anycast = ip6_addr_eq(target, &l->cfg.prefix);
	const struct in6_addr *src = anycast ? &l->gw_global : target;
	struct buf_wr w;

	flags |= ND_NA_ROUTER | (anycast ? 0 : ND_NA_OVERRIDE);
	buf_wr_init(&w, l->scratch, sizeof(l->scratch));
	if (nd_build_na(&w, src, dst, target, flags) == 0)
		link_emit(l, p, w.len, NULL);
}

/*
 * [MS-IPHTTPS] §3.2.5.2.2 rule 2: the target of a DAD probe belongs to another client, so the
 * gateway answers as if it were that client: a multicast NA from the target, Router flag clear,
 * no Target Link-Layer Address option, down the asking connection only. Override is set as the
 * owner's own answer would set it (RFC 4861 §7.2.4).
 */
static void link_proxy_na(struct link *l, struct link_peer *p, const struct in6_addr *target)
{
	struct buf_wr w;

	buf_wr_init(&w, l->scratch, sizeof(l->scratch));
	if (nd_build_na(&w, target, &link_all_nodes, target, ND_NA_OVERRIDE) == 0)
		link_emit(l, p, w.len, &l->stats.dad_conflicts);
}

/* ---- ICMPv6 from a client ------------------------------------------------------------------ */

static const uint8_t *link_icmp(const struct link_pkt *k, size_t *len)
{
	*len = k->len - k->u.off;
	return k->p + k->u.off;
}

static int link_nd_parse(const struct link_pkt *k, struct nd_msg *m)
{
	const uint8_t *icmp;
	size_t n;

	/* RFC 6980 §5: fragmented ND is dropped; a Routing header has no place in link-local
	 * signalling (and would change the checksum's pseudo-header). */
	if (k->u.fragment || k->u.routed)
		return -1;
	icmp = link_icmp(k, &n);
	return nd_parse(m, &k->v, icmp, n);
}

/* Echo Request to fe80::1 or prefix::1 (RFC 4443 §4.1, §4.2); p NULL: it came from the TUN. */
static int link_echo(struct link *l, struct link_peer *p, const struct link_pkt *k)
{
	struct buf_wr w;
	const uint8_t *icmp;
	size_t n;

	if (k->u.fragment || k->u.routed)
		return LINK_DROP_GW_UNHANDLED; /* no reassembly, no source routing */
	icmp = link_icmp(k, &n);
	if (n < IP6_ICMP_HDR_LEN || ip6_is_unspecified(&k->v.src) || ip6_is_multicast(&k->v.src) ||
	    !ip6_icmp6_cksum_ok(&k->v.src, &k->v.dst, icmp, n))
		return LINK_DROP_MALFORMED;
	buf_wr_init(&w, l->scratch, sizeof(l->scratch));
	/* The reply must carry all the data (§4.2); one that does not fit scratch is not sent. */
	if (ip6_build_echo_reply(&w, &k->v.dst, &k->v.src, icmp, n))
		return LINK_DROP_GW_UNHANDLED;
	link_emit(l, p, w.len, &l->stats.echo);
	return LINK_PASS;
}

static int link_rs(struct link *l, struct link_peer *p, const struct link_pkt *k)
{
	struct nd_msg m;

	if (link_nd_parse(k, &m))
		return LINK_DROP_ND_INVALID;
	l->stats.rs++;
	/* RFC 4861 §6.2.6: unicast to the soliciting client, or to all-nodes when it has no
	 * address yet; either way down its connection only. */
	link_ra(l, p, ip6_is_unspecified(&k->v.src) ? &link_all_nodes : &k->v.src);
	return LINK_PASS;
}

/* A DAD probe ([MS-IPHTTPS] §3.2.5.2.2 rule 2): answered or learned, never forwarded. */
static int link_dad(struct link *l, struct link_peer *p, const struct in6_addr *target)
{
	struct link_peer *owner;

	if (link_is_gw(l, target)) {
		/* RFC 4862 §5.4.3: the gateway defends its own addresses. */
		link_gw_na(l, p, target, &link_all_nodes, 0);
		return LINK_PASS;
	}
	owner = link_lookup(l, target);
	if (owner && owner != p)
		link_proxy_na(l, p, target);
	else if (!owner && link_learnable(l, target))
		link_learn(l, p, target);
	return LINK_PASS;
}

static int link_ns(struct link *l, struct link_peer *p, const struct link_pkt *k)
{
	struct in6_addr sn;
	struct nd_msg m;

	if (link_nd_parse(k, &m))
		return LINK_DROP_ND_INVALID;
	if (m.dad)
		return link_dad(l, p, &m.target);
	if (!link_is_gw(l, &m.target))
		return LINK_NEXT;
	/* Address resolution or NUD for a gateway address: a solicited NA to the source
	 * (RFC 4861 §7.2.4). */
	ip6_solicited_node(&sn, &m.target);
	if (!link_is_gw(l, &k->v.dst) && !ip6_addr_eq(&k->v.dst, &sn))
		return LINK_NEXT;
	link_gw_na(l, p, &m.target, &k->v.src, ND_NA_SOLICITED);
	return LINK_PASS;
}

static int link_na(struct link *l, struct link_peer *p, const struct link_pkt *k)
{
	struct link_peer *owner;
	struct nd_msg m;

	if (link_nd_parse(k, &m))
		return LINK_DROP_ND_INVALID;
	/* An NA for a gateway address with R clear would take the router out of the receivers'
	 * Default Router List (RFC 4861 §7.2.5). */
	if (link_is_gw(l, &m.target))
		return LINK_DROP_SPOOFED;
	owner = link_lookup(l, &m.target);
	if (!owner && link_learnable(l, &m.target)) {
		link_learn(l, p, &m.target);
		owner = p;
	}
	if (link_is_gw(l, &k->v.dst))
		return LINK_PASS; /* consumed: what it says is in the address table */
	/* Unicast, it is passed on only for the sender's own address; multicast goes by the
	 * multicast rules below (dropped in mode None). */
	if (!ip6_is_multicast(&k->v.dst) && owner != p)
		return LINK_DROP_SPOOFED;
	return LINK_NEXT;
}

static int link_peer_icmp(struct link *l, struct link_peer *p, const struct link_pkt *k)
{
	const struct in6_addr *d = &k->v.dst;

	switch (k->type) {
	case ND_TYPE_RA:
	case ND_TYPE_REDIRECT:
		/* [MS-IPHTTPS] §3.2.3.1: the gateway is the only router on the link. */
		return LINK_DROP_ROGUE_ND;
	case ND_TYPE_RS:
		if (ip6_addr_eq(d, &link_all_routers) || link_is_gw_unicast(l, d))
			return link_rs(l, p, k);
		return LINK_NEXT;
	case ND_TYPE_NS:
		return link_ns(l, p, k);
	case ND_TYPE_NA:
		return link_na(l, p, k);
	case IP6_ICMP_ECHO_REQUEST:
		return link_is_gw_unicast(l, d) ? link_echo(l, p, k) : LINK_NEXT;
	default:
		return LINK_NEXT;
	}
}

/* ---- forwarding from a client -------------------------------------------------------------- */

/*
 * Source rules: :: only on RS and DAD NS (RFC 4861 §6.1.1, §7.1.1), never multicast, link-local
 * or inside the prefix, never a gateway address or another client's. With learn, an unowned
 * source becomes p's and an owned one is marked recently used.
 */
static int link_check_src(struct link *l, struct link_peer *p, const struct in6_addr *s,
			  bool unspec_ok, bool learn)
{
	struct link_addr *e;

	if (ip6_is_unspecified(s))
		return unspec_ok ? LINK_PASS : LINK_DROP_UNSPEC_SRC;
	if (ip6_is_multicast(s) || (!ip6_is_linklocal(s) && !link_in_prefix(l, s)))
		return LINK_DROP_FOREIGN_SRC;
	if (link_is_gw(l, s))
		return LINK_DROP_SPOOFED;
	e = link_find(l, s);
	if (e && e->owner != p)
		return LINK_DROP_SPOOFED;
	if (!learn)
		return LINK_PASS;
	if (e)
		e->seq = ++l->seq;
	else
		link_learn(l, p, s);
	return LINK_PASS;
}

static int link_peer_mcast(struct link *l, struct link_peer *p, const struct link_pkt *k)
{
	/* §3.2.5.2.2: mode None drops every multicast but RS and DAD NS (answered above);
	 * mode Certificates forwards it to every other client. */
	if (!l->cfg.auth_certificates || !l->ops.to_all)
		return LINK_DROP_MCAST;
	if (l->cfg.isolation)
		return LINK_DROP_ISOLATED;
	if (!link_policy_allows(l, p, k->p, k->len))
		return LINK_DROP_POLICY;
	l->ops.to_all(l->ops.arg, p, k->p, k->len);
	l->stats.to_all++;
	return LINK_PASS;
}

static int link_peer_onlink(struct link *l, struct link_peer *p, const struct link_pkt *k)
{
	struct link_peer *owner = link_lookup(l, &k->v.dst);
	int why = link_p2p_check(l, p, owner, k->p, k->len);

	if (why != LINK_PASS)
		return why;
	if (owner)
		return link_fwd_peer(l, owner, k, &l->stats.peer_to_peer);
	if (link_in_prefix(l, &k->v.dst) && link_resolve(l, p, k) == LINK_PASS)
		return LINK_PASS;
	/* RFC 4443 §3.1 code 3: no client owns the address (and none answered, or no asking). */
	link_error(l, p, IP6_ICMP_UNREACH, IP6_UNREACH_ADDR, 0, k->p, k->len);
	return LINK_DROP_NO_NEIGHBOR;
}

static int link_peer_forward(struct link *l, struct link_peer *p, const struct link_pkt *k)
{
	const struct in6_addr *d = &k->v.dst;

	if (ip6_is_unspecified(&k->v.src))
		return LINK_DROP_UNSPEC_SRC; /* an RS or NS from :: not handled above */
	if (link_is_gw(l, d))
		return LINK_DROP_GW_UNHANDLED;
	if (ip6_is_multicast(d))
		return link_peer_mcast(l, p, k);
	/* RFC 4291 §2.5.2, §2.5.3: never a destination on the wire. */
	if (ip6_is_unspecified(d) || ip6_is_loopback(d))
		return LINK_DROP_MALFORMED;
	if (ip6_is_linklocal(d)) {
		/* §3.2.5.2.2 rule 1: in mode None only the gateway is reachable link-local. */
		if (!l->cfg.auth_certificates)
			return LINK_DROP_LL_NOT_GW;
		return link_peer_onlink(l, p, k);
	}
	if (link_in_prefix(l, d))
		return link_peer_onlink(l, p, k);
	/* RFC 4291 §2.5.6: a link-local source never leaves the link; RFC 4443 §3.1 code 2. */
	if (ip6_is_linklocal(&k->v.src)) {
		link_error(l, p, IP6_ICMP_UNREACH, IP6_UNREACH_SCOPE, 0, k->p, k->len);
		return LINK_DROP_FOREIGN_SRC;
	}
	if (!link_policy_allows(l, p, k->p, k->len))
		return LINK_DROP_POLICY;
	return link_fwd_tun(l, k);
}

static int link_pkt_parse(struct link_pkt *k, const uint8_t *pkt, size_t len)
{
	struct buf_cur c;

	memset(k, 0, sizeof(*k));
	k->p = pkt;
	k->len = len;
	if (ip6_parse(&k->v, pkt, len) || ip6_find_upper(&k->u, pkt, len))
		return -1;
	if (!k->u.known || k->u.proto != IP6_NH_ICMPV6)
		return 0;
	/* RFC 4443 §2.1: type, code and checksum at least. */
	buf_cur_init(&c, pkt, len);
	if (buf_skip(&c, k->u.off) || buf_get_u8(&c, &k->type) || buf_skip(&c, 3))
		return -1;
	k->icmp = true;
	return 0;
}

static int link_peer_dispatch(struct link *l, struct link_peer *p, const struct link_pkt *k)
{
	bool unspec_ok = k->icmp && (k->type == ND_TYPE_RS || k->type == ND_TYPE_NS);
	int why;

	why = link_check_src(l, p, &k->v.src, unspec_ok, true);
	if (why != LINK_PASS)
		return why;
	if (k->icmp && !link_client_icmp_ok(l, p))
		return LINK_DROP_CLIENT_ICMP_RATE;
	if (k->icmp && (why = link_peer_icmp(l, p, k)) != LINK_NEXT)
		return why;
	return link_peer_forward(l, p, k);
}

void link_from_peer(struct link *l, struct link_peer *p, const uint8_t *pkt, size_t len)
{
	struct link_pkt k;
	int why;

	if (len > l->cfg.mtu) {
		link_oversize_from_peer(l, p, pkt, l->cfg.mtu, len);
		return;
	}
	if (!p->up)
		why = LINK_DROP_PEER_DOWN;
	else if (link_pkt_parse(&k, pkt, len))
		why = LINK_DROP_MALFORMED;
	else
		why = link_peer_dispatch(l, p, &k);
	if (why != LINK_PASS)
		link_drop(l, p, why, pkt, len);
}

void link_oversize_from_peer(struct link *l, struct link_peer *p, const uint8_t *head,
			     size_t headlen, size_t len)
{
	struct ip6_view v;

	(void)len;
	if (!p->up) {
		link_drop(l, p, LINK_DROP_PEER_DOWN, head, headlen);
		return;
	}
	link_drop(l, p, LINK_DROP_TOO_BIG, head, headlen);
	/* RFC 4443 §3.2, only to a source this client may use (checked, not learned). */
	if (ip6_parse_head(&v, head, headlen) == 0 &&
	    link_check_src(l, p, &v.src, false, false) == LINK_PASS)
		link_error(l, p, IP6_ICMP_TOO_BIG, 0, l->cfg.mtu, head, headlen);
}

/* ---- from the intranet ---------------------------------------------------------------------- */

static int link_tun_dispatch(struct link *l, const struct link_pkt *k)
{
	const struct in6_addr *d = &k->v.dst;
	struct link_peer *owner;

	/* [MS-IPHTTPS] §3.2.5.2.1: no multicast is forwarded onto the link. */
	if (ip6_is_multicast(d))
		return LINK_DROP_TUN_MCAST;
	if (link_is_gw(l, d)) {
		if (k->icmp && k->type == IP6_ICMP_ECHO_REQUEST && link_is_gw_unicast(l, d))
			return link_echo(l, NULL, k);
		return LINK_DROP_GW_UNHANDLED;
	}
	/* RFC 4291 §2.5.6: link-local destinations are not routed onto the link. */
	if (ip6_is_linklocal(d) || !link_in_prefix(l, d))
		return LINK_DROP_TUN_OFFLINK;
	owner = link_lookup(l, d);
	if (!owner && link_resolve(l, NULL, k) == LINK_PASS)
		return LINK_PASS;
	if (!owner) {
		link_error(l, NULL, IP6_ICMP_UNREACH, IP6_UNREACH_ADDR, 0, k->p, k->len);
		return LINK_DROP_NO_NEIGHBOR;
	}
	if (k->len > l->cfg.mtu) {
		/* RFC 4443 §3.2, RFC 8201: the sender learns the link MTU. */
		link_error(l, NULL, IP6_ICMP_TOO_BIG, 0, l->cfg.mtu, k->p, k->len);
		return LINK_DROP_TOO_BIG;
	}
	return link_fwd_peer(l, owner, k, &l->stats.from_tun);
}

void link_from_tun(struct link *l, const uint8_t *pkt, size_t len)
{
	struct link_pkt k;
	int why;

	if (link_pkt_parse(&k, pkt, len))
		why = LINK_DROP_MALFORMED;
	else
		why = link_tun_dispatch(l, &k);
	if (why != LINK_PASS)
		link_drop(l, NULL, why, pkt, len);
}

/* ---- peers and configuration ---------------------------------------------------------------- */

void link_peer_init(struct link_peer *p, uint64_t id, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->ctx = ctx;
}

void link_peer_up(struct link *l, struct link_peer *p)
{
	if (!p->up) {
		l->npeers_up++;
		p->icmp_rx_limit = (struct link_limit){l->cfg.client_icmp_rate, l->now_ms};
		p->icmp_err_limit = (struct link_limit){l->cfg.icmp_error_rate, l->now_ms};
	}
	p->up = true;
	link_ra(l, p, &link_all_nodes);
}

void link_peer_down(struct link *l, struct link_peer *p)
{
	size_t i;

	for (i = 0; i < LINK_PEER_ADDRS; i++)
		if (p->addrs[i].owner)
			link_forget(l, &p->addrs[i]);
	link_pending_peer_down(l, p);
	if (p->up)
		l->npeers_up--;
	p->up = false;
}

void link_send_ra(struct link *l, struct link_peer *p)
{
	/* RFC 4861 §6.2.4: unsolicited RAs go to all-nodes; here down one connection. */
	if (p->up)
		link_ra(l, p, &link_all_nodes);
}

static int link_cfg_check(const struct link_cfg *c)
{
	struct in6_addr p = c->prefix;
	size_t i;

	/* One /64 (RFC 4291 §2.5.4), neither ::/64 (it would hold ::1) nor link-local or
	 * multicast. */
	ip6_prefix_mask(&p, 64);
	if (!ip6_addr_eq(&p, &c->prefix) || ip6_is_unspecified(&p) || ip6_is_linklocal(&p) ||
	    ip6_is_multicast(&p))
		return -1;
	if (c->mtu < LINK_MIN_MTU || c->mtu > IP6_PLEN_MAX)
		return -1;
	/* RFC 4862 §5.5.3(c): a preferred lifetime over the valid one is ignored by hosts. */
	if (c->preferred_lifetime > c->valid_lifetime || c->nroutes > LINK_MAX_ROUTES)
		return -1;
	for (i = 0; i < c->nroutes; i++)
		if (c->routes[i].plen > 128 || c->routes[i].pref < -1 || c->routes[i].pref > 1)
			return -1;
	if (c->unauth_policy && c->unauth_policy->n > ACL_MAX_RULES)
		return -1;
	return 0;
}

int link_init(struct link *l, const struct link_cfg *cfg, const struct link_ops *ops)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	if (link_cfg_check(cfg) || !ops->to_peer || !ops->to_tun)
		return -1;
	l->buckets = calloc(LINK_BUCKETS_INIT, sizeof(*l->buckets));
	/* mtu <= IP6_PLEN_MAX: at most 4 MiB, and pages never written are never touched. */
	l->hold = malloc((size_t)LINK_MAX_PENDING * cfg->mtu);
	if (!l->buckets || !l->hold)
		goto fail;
	for (i = 0; i < LINK_MAX_PENDING; i++)
		l->pending[i].pkt = l->hold + i * cfg->mtu;
	l->nbuckets = LINK_BUCKETS_INIT;
	l->cfg = *cfg;
	l->ops = *ops;
	l->gw_ll.s6_addr[0] = 0xfe;
	l->gw_ll.s6_addr[1] = 0x80;
	l->gw_ll.s6_addr[15] = 1;
	l->gw_global = cfg->prefix;
	l->gw_global.s6_addr[15] = 1;
	siphash_key_init(&l->hash_key, cfg->hash_key);
	l->icmp_limit.tokens = cfg->icmp_error_rate;
	l->resolve_limit.tokens = cfg->resolve_rate;
	return 0;
fail:
	free(l->buckets);
	free(l->hold);
	memset(l, 0, sizeof(*l));
	return -1;
}

void link_free(struct link *l)
{
	size_t i;

	free(l->buckets);
	l->buckets = NULL;
	l->nbuckets = 0;
	l->naddrs = 0;
	free(l->hold);
	l->hold = NULL;
	for (i = 0; i < LINK_MAX_PENDING; i++)
		l->pending[i] = (struct link_pending){0};
	l->npending = 0;
}

int link_reconfigure(struct link *l, const struct link_cfg *cfg)
{
	/* The table stays, and so does the hash key it is laid out with (l->hash_key). */
	if (link_cfg_check(cfg) || !ip6_addr_eq(&cfg->prefix, &l->cfg.prefix) ||
	    cfg->mtu != l->cfg.mtu)
		return -1;
	l->cfg = *cfg;
	if (l->icmp_limit.tokens > cfg->icmp_error_rate)
		l->icmp_limit.tokens = cfg->icmp_error_rate;
	if (l->resolve_limit.tokens > cfg->resolve_rate)
		l->resolve_limit.tokens = cfg->resolve_rate;
	return 0;
}
