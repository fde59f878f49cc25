/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/srclim: keys (IPv4, IPv6 /64, IPv4-mapped IPv6 the same as IPv4, other
 * families), the open-connection limit per source, the token bucket with a controlled clock
 * (burst, refill, cap at the burst, a clock going backwards), release, a full table and the
 * reuse of idle entries with full buckets (and only those), reconfiguration, growth, and
 * 100000 distinct sources held within the capacity.
 * Rates are chosen so the bucket arithmetic is exact in binary (1000/s: one token per ms;
 * 2/s and 4/s at multiples of 500 and 250 ms).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "proto/srclim.h"

static struct srclim_key key4(const char *a)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(40000)};
	struct srclim_key k;

	assert_int_equal(inet_pton(AF_INET, a, &sin.sin_addr), 1);
	assert_true(srclim_key_from(&k, (const struct sockaddr *)&sin));
	return k;
}

static struct srclim_key key6(const char *a)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(40000)};
	struct srclim_key k;

	assert_int_equal(inet_pton(AF_INET6, a, &sin6.sin6_addr), 1);
	assert_true(srclim_key_from(&k, (const struct sockaddr *)&sin6));
	return k;
}

/* 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 only: i < 768. */
static struct srclim_key key4_n(unsigned i)
{
	static const char *const nets[] = {"192.0.2.", "198.51.100.", "203.0.113."};
	char a[32];

	snprintf(a, sizeof(a), "%s%u", nets[i / 256], i % 256);
	return key4(a);
}

/* 2001:db8:X:Y::1, a distinct /64 for each i. */
static struct srclim_key key6_n(unsigned i)
{
	char a[64];

	snprintf(a, sizeof(a), "2001:db8:%x:%x::1", i >> 16, i & 0xffff);
	return key6(a);
}

static void init(struct srclim *s, uint32_t max_conn, uint32_t rate, size_t capacity)
{
	struct srclim_cfg cfg = {.max_conn = max_conn, .rate = rate, .capacity = capacity};

	for (size_t i = 0; i < sizeof(cfg.hash_key); i++)
		cfg.hash_key[i] = (uint8_t)(0x5a ^ i);
	assert_int_equal(srclim_init(s, &cfg), 0);
}

/* ---- keys ---- */

static void test_keys(void **state)
{
	static const uint8_t want4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
	static const uint8_t want6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x02};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct sockaddr_storage ss = {.ss_family = AF_UNSPEC};
	struct srclim_key k;

	(void)state;
	k = key4("192.0.2.1");
	assert_memory_equal(k.b, want4, 16);
	/* The host bits of an IPv6 address are dropped: a /64 is one source. */
	k = key6("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
	assert_memory_equal(k.b, want6, 16);
	k = key6("2001:db8:1:2::1");
	assert_memory_equal(k.b, want6, 16);
	/* From a dual-stack socket, an IPv4 client is ::ffff:a.b.c.d: the same source. */
	k = key6("::ffff:192.0.2.1");
	assert_memory_equal(k.b, want4, 16);
	/* Other families: not limited, and the key is cleared. */
	memset(&k, 0xaa, sizeof(k));
	assert_false(srclim_key_from(&k, (const struct sockaddr *)&sun));
	assert_false(srclim_key_from(&k, (const struct sockaddr *)&ss));
	assert_false(srclim_key_from(&k, NULL));
	assert_memory_equal(k.b, (uint8_t[16]){0}, 16);
}

/* ---- connections per source ---- */

static void test_max_conn(void **state)
{
	struct srclim s;
	struct srclim_key a = key4("192.0.2.1"), b = key4("192.0.2.2");

	(void)state;
	init(&s, 2, 0, 64);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_TOO_MANY);
	assert_int_equal(srclim_admit(&s, &a, 99999), SRCLIM_TOO_MANY);
	/* Another source is not affected. */
	assert_int_equal(srclim_admit(&s, &b, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &b, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &b, 0), SRCLIM_TOO_MANY);
	assert_int_equal(s.stats.admitted, 4);
	assert_int_equal(s.stats.refused_conn, 3);
	assert_int_equal(s.stats.refused_rate, 0);
	assert_int_equal(s.stats.refused_full, 0);
	assert_int_equal(s.stats.sources, 2);
	srclim_free(&s);
}

static void test_unlimited(void **state)
{
	struct srclim s;
	struct srclim_key a = key4("192.0.2.1");

	(void)state;
	init(&s, 0, 0, 64);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	assert_int_equal(s.stats.admitted, 10000);
	assert_int_equal(s.stats.sources, 1);
	srclim_free(&s);
}

static void test_v6_slash64(void **state)
{
	struct srclim s;
	struct srclim_key a1 = key6("2001:db8:1:2::1"),
			  a2 = key6("2001:db8:1:2:8d3c:41ff:2a9b:1c07"),
			  b = key6("2001:db8:1:3::1"), c = key6("2001:db8:2:2::1");

	(void)state;
	init(&s, 2, 0, 64);
	assert_int_equal(srclim_admit(&s, &a1, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a2, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a1, 0), SRCLIM_TOO_MANY);
	assert_int_equal(srclim_admit(&s, &a2, 0), SRCLIM_TOO_MANY);
	assert_int_equal(srclim_admit(&s, &b, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &c, 0), SRCLIM_OK);
	assert_int_equal(s.stats.sources, 3);
	srclim_free(&s);
}

static void test_v4_mapped(void **state)
{
	struct srclim s;
	struct srclim_key v4 = key4("198.51.100.7"), mapped = key6("::ffff:198.51.100.7"),
			  other = key4("198.51.100.8");

	(void)state;
	init(&s, 1, 0, 64);
	assert_int_equal(srclim_admit(&s, &v4, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &mapped, 0), SRCLIM_TOO_MANY);
	srclim_release(&s, &mapped);
	assert_int_equal(srclim_admit(&s, &v4, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &other, 0), SRCLIM_OK);
	assert_int_equal(s.stats.sources, 2);
	srclim_free(&s);
}

/* ---- the token bucket ---- */

static void test_burst(void **state)
{
	struct srclim s;
	struct srclim_key a = key4("192.0.2.1"), b = key4("192.0.2.2");

	(void)state;
	init(&s, 0, 3, 64);
	/* A new source gets the whole burst (= rate) at once, then nothing. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(srclim_admit(&s, &a, 5000), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 5000), SRCLIM_RATE);
	assert_int_equal(srclim_admit(&s, &a, 5000), SRCLIM_RATE);
	assert_int_equal(srclim_admit(&s, &b, 5000), SRCLIM_OK);
	assert_int_equal(s.stats.refused_rate, 2);
	assert_int_equal(s.stats.admitted, 4);
	srclim_free(&s);
}

static void test_rate_refill(void **state)
{
	struct srclim s;
	struct srclim_key a = key4("192.0.2.1");

	(void)state;
	init(&s, 0, 1000, 64); /* one token per millisecond */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(srclim_admit(&s, &a, 10000), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 10000), SRCLIM_RATE);
	assert_int_equal(srclim_admit(&s, &a, 10001), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 10001), SRCLIM_RATE);
	for (int i = 0; i < 5; i++)
		assert_int_equal(srclim_admit(&s, &a, 10006), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 10006), SRCLIM_RATE);
	/* A long pause fills the bucket to the burst, no more. */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(srclim_admit(&s, &a, 99999), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 99999), SRCLIM_RATE);
	assert_int_equal(s.stats.admitted, 2006);
	assert_int_equal(s.stats.refused_rate, 4);
	srclim_free(&s);
}

static void test_rate_slow(void **state)
{
	struct srclim s;
	struct srclim_key a = key4("192.0.2.1"), b = key4("192.0.2.2");

	(void)state;
	init(&s, 0, 2, 64); /* one token per 500 ms */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(srclim_admit(&s, &a, 1000), SRCLIM_OK);
		assert_int_equal(srclim_admit(&s, &b, 1000), SRCLIM_OK);
	}
	assert_int_equal(srclim_admit(&s, &a, 1499), SRCLIM_RATE);
	assert_int_equal(srclim_admit(&s, &b, 1500), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &b, 1500), SRCLIM_RATE);
	assert_int_equal(srclim_admit(&s, &b, 2500), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &b, 2500), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &b, 2500), SRCLIM_RATE);
	srclim_free(&s);
}

static void test_rate_before_max_conn(void **state)
{
	struct srclim s;
	struct srclim_key a = key4("192.0.2.1");

	(void)state;
	init(&s, 1, 4, 64);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	/* Refused for max_conn: no token taken. */
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_TOO_MANY);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_TOO_MANY);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_TOO_MANY);
	srclim_release(&s, &a);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	srclim_release(&s, &a);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	srclim_release(&s, &a);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	/* Out of tokens and at max_conn: the rate is checked first. */
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_RATE);
	assert_int_equal(s.stats.refused_conn, 3);
	assert_int_equal(s.stats.refused_rate, 1);
	srclim_free(&s);
}

static void test_clock_backwards(void **state)
{
	struct srclim s;
	struct srclim_key a = key4("192.0.2.1");

	(void)state;
	init(&s, 0, 1000, 64);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(srclim_admit(&s, &a, 10000), SRCLIM_OK);
	/* Going back mints nothing (an unsigned difference would wrap to a full bucket). */
	assert_int_equal(srclim_admit(&s, &a, 5000), SRCLIM_RATE);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_RATE);
	/* Time passing after the step counts from the new reading, once. */
	assert_int_equal(srclim_admit(&s, &a, 1), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 1), SRCLIM_RATE);
	assert_int_equal(srclim_admit(&s, &a, 3), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 3), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 3), SRCLIM_RATE);
	srclim_free(&s);
}

/* ---- release ---- */

static void test_release(void **state)
{
	struct srclim s;
	struct srclim_key a = key4("192.0.2.1"), unknown = key4("203.0.113.9");

	(void)state;
	init(&s, 1, 0, 64);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_TOO_MANY);
	srclim_release(&s, &unknown); /* ignored, and creates nothing */
	assert_int_equal(s.stats.sources, 1);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_TOO_MANY);
	srclim_release(&s, &a);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	/* More releases than admissions: the count stays at 0, it does not wrap. */
	srclim_release(&s, &a);
	srclim_release(&s, &a);
	srclim_release(&s, &a);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_TOO_MANY);
	srclim_free(&s);
}

/* ---- a full table ---- */

static void test_full(void **state)
{
	struct srclim s;
	struct srclim_key k[5];

	(void)state;
	for (unsigned i = 0; i < 5; i++)
		k[i] = key4_n(i + 1);
	init(&s, 0, 0, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(srclim_admit(&s, &k[i], 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &k[4], 0), SRCLIM_FULL);
	assert_int_equal(srclim_admit(&s, &k[4], 100000), SRCLIM_FULL);
	assert_int_equal(s.stats.refused_full, 2);
	assert_int_equal(s.stats.sources, 4);
	/* Known sources still get in. */
	assert_int_equal(srclim_admit(&s, &k[2], 0), SRCLIM_OK);
	/* One source closes everything: its entry is reused for the newcomer. */
	srclim_release(&s, &k[1]);
	assert_int_equal(srclim_admit(&s, &k[4], 0), SRCLIM_OK);
	assert_int_equal(s.stats.sources, 4);
	/* ... and the one that left is forgotten; no room for it now. */
	assert_int_equal(srclim_admit(&s, &k[1], 0), SRCLIM_FULL);
	/* k[2] held twice: one release keeps it. */
	srclim_release(&s, &k[2]);
	assert_int_equal(srclim_admit(&s, &k[1], 0), SRCLIM_FULL);
	srclim_release(&s, &k[2]);
	assert_int_equal(srclim_admit(&s, &k[1], 0), SRCLIM_OK);
	assert_int_equal(s.stats.refused_full, 4);
	srclim_free(&s);
}

static void test_reuse_needs_full_bucket(void **state)
{
	struct srclim s;
	struct srclim_key a = key4("192.0.2.1"), b = key4("192.0.2.2"), c = key4("192.0.2.3"),
			  d = key4("192.0.2.4");

	(void)state;
	init(&s, 0, 4, 2); /* one token per 250 ms */
	/* a: emptied, then closed. b: held. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	for (int i = 0; i < 4; i++)
		srclim_release(&s, &a);
	assert_int_equal(srclim_admit(&s, &b, 0), SRCLIM_OK);
	/* Forgetting a now would hand it a fresh burst: refused until its bucket is full. */
	assert_int_equal(srclim_admit(&s, &c, 0), SRCLIM_FULL);
	assert_int_equal(srclim_admit(&s, &c, 999), SRCLIM_FULL);
	assert_int_equal(srclim_admit(&s, &c, 1000), SRCLIM_OK);
	assert_int_equal(s.stats.sources, 2);
	/* a was forgotten: it comes back as new, and there is no room (b, c held). */
	assert_int_equal(srclim_admit(&s, &a, 1000), SRCLIM_FULL);
	srclim_free(&s);

	/* Among idle entries, one whose bucket is not full is passed over for one that is. */
	init(&s, 0, 4, 2);
	for (int i = 0; i < 4; i++)
		assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK); /* a: 0 tokens */
	assert_int_equal(srclim_admit(&s, &b, 0), SRCLIM_OK);	      /* b: 3 tokens */
	for (int i = 0; i < 4; i++)
		srclim_release(&s, &a); /* a idle first: the least recently seen */
	srclim_release(&s, &b);
	/* At 250 ms: a has 1 token, b is full. c takes b's entry. */
	assert_int_equal(srclim_admit(&s, &c, 250), SRCLIM_OK);
	/* a is still known, with its 1 token (a fresh entry would have 4). */
	assert_int_equal(srclim_admit(&s, &a, 250), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 250), SRCLIM_RATE);
	/* d: a and c held, nothing to reuse. */
	assert_int_equal(srclim_admit(&s, &d, 250), SRCLIM_FULL);
	srclim_free(&s);

	/* An idle source refused for its rate stays reusable once its bucket is full. */
	init(&s, 0, 1, 1);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	srclim_release(&s, &a);
	assert_int_equal(srclim_admit(&s, &a, 500), SRCLIM_RATE);
	assert_int_equal(srclim_admit(&s, &b, 999), SRCLIM_FULL);
	assert_int_equal(srclim_admit(&s, &b, 1000), SRCLIM_OK);
	assert_int_equal(s.stats.sources, 1);
	srclim_free(&s);
}

/* ---- reconfigure ---- */

static void test_reconfigure(void **state)
{
	struct srclim s;
	struct srclim_key a = key4("192.0.2.1"), b = key4("192.0.2.2");

	(void)state;
	init(&s, 1, 0, 64);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_TOO_MANY);
	srclim_reconfigure(&s, 2, 0);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_TOO_MANY);
	/* Lower again: the two open connections are kept and counted. */
	srclim_reconfigure(&s, 1, 0);
	srclim_release(&s, &a);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_TOO_MANY);
	srclim_release(&s, &a);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	srclim_release(&s, &a);
	/* A rate where there was none: known sources start with a full bucket. */
	srclim_reconfigure(&s, 0, 2);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &a, 0), SRCLIM_RATE);
	/* A lower rate cuts buckets to the new burst; refill follows the new rate. */
	assert_int_equal(srclim_admit(&s, &b, 0), SRCLIM_OK); /* b: 1 token left of 2 */
	srclim_reconfigure(&s, 0, 4);
	assert_int_equal(srclim_admit(&s, &b, 0), SRCLIM_OK); /* not topped up to 4 */
	assert_int_equal(srclim_admit(&s, &b, 0), SRCLIM_RATE);
	srclim_reconfigure(&s, 0, 1);
	assert_int_equal(srclim_admit(&s, &b, 1000), SRCLIM_OK);
	assert_int_equal(srclim_admit(&s, &b, 1000), SRCLIM_RATE);
	assert_int_equal(srclim_admit(&s, &b, 60000), SRCLIM_OK); /* burst now 1 */
	assert_int_equal(srclim_admit(&s, &b, 60000), SRCLIM_RATE);
	/* Rate off again. */
	srclim_reconfigure(&s, 0, 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(srclim_admit(&s, &b, 60000), SRCLIM_OK);
	srclim_free(&s);
}

/* ---- scale ---- */

static void test_growth_keeps_entries(void **state)
{
	struct srclim s;
	struct srclim_key k;

	(void)state;
	init(&s, 1, 0, 20000);
	for (unsigned i = 0; i < 5000; i++) {
		k = key6_n(i);
		assert_int_equal(srclim_admit(&s, &k, 0), SRCLIM_OK);
	}
	assert_int_equal(s.stats.sources, 5000);
	assert_true(s.cap >= 5000 && s.cap <= 20000);
	for (unsigned i = 0; i < 5000; i++) {
		k = key6_n(i);
		assert_int_equal(srclim_admit(&s, &k, 0), SRCLIM_TOO_MANY);
	}
	for (unsigned i = 0; i < 5000; i++) {
		k = key6_n(i);
		srclim_release(&s, &k);
		assert_int_equal(srclim_admit(&s, &k, 0), SRCLIM_OK);
	}
	srclim_free(&s);
}

static void test_100k_sources(void **state)
{
	struct srclim s;
	struct srclim_key k;
	uint64_t t = 0;

	(void)state;
	/* Short visits, 1 ms apart: each entry is full again 100 ms after its visit, so the
	 * table cycles through its 1000 entries and admits every one of the 100000. */
	init(&s, 2, 10, 1000);
	for (unsigned i = 0; i < 100000; i++, t++) {
		k = key6_n(i);
		assert_int_equal(srclim_admit(&s, &k, t), SRCLIM_OK);
		srclim_release(&s, &k);
		assert_true(s.stats.sources <= 1000);
	}
	assert_int_equal(s.stats.sources, 1000);
	assert_int_equal(s.cap, 1000);
	assert_int_equal(s.stats.admitted, 100000);
	assert_int_equal(s.stats.refused_full, 0);
	/* Visits that stay open, once the last short ones are 100 ms old (their buckets full
	 * again): 1000 fit, the 99000 others are refused, memory stays put. */
	t += 99;
	for (unsigned i = 0; i < 100000; i++) {
		k = key6_n(200000 + i);
		assert_int_equal(srclim_admit(&s, &k, t), i < 1000 ? SRCLIM_OK : SRCLIM_FULL);
	}
	assert_int_equal(s.stats.sources, 1000);
	assert_int_equal(s.cap, 1000);
	assert_int_equal(s.stats.refused_full, 99000);
	/* All 1000 close at once, each 1 token short of its burst (rate 10: full 100 ms later):
	 * a newcomer is refused until the first of them is full again. */
	for (unsigned i = 0; i < 1000; i++) {
		k = key6_n(200000 + i);
		srclim_release(&s, &k);
	}
	k = key4_n(1);
	assert_int_equal(srclim_admit(&s, &k, t), SRCLIM_FULL);
	assert_int_equal(srclim_admit(&s, &k, t + 99), SRCLIM_FULL);
	assert_int_equal(srclim_admit(&s, &k, t + 100), SRCLIM_OK);
	assert_int_equal(s.stats.sources, 1000);
	srclim_free(&s);
}

/* ---- setup and names ---- */

static void test_init_and_names(void **state)
{
	struct srclim_cfg cfg = {.max_conn = 1, .rate = 1, .capacity = 0};
	struct srclim s;

	(void)state;
	errno = 0;
	assert_int_equal(srclim_init(&s, &cfg), -1);
	assert_int_equal(errno, EINVAL);
	cfg.capacity = 1;
	assert_int_equal(srclim_init(&s, &cfg), 0);
	assert_int_equal(s.cap, 1);
	srclim_free(&s);
	srclim_free(&s); /* twice is harmless */
	assert_null(s.e);
	assert_string_equal(srclim_verdict_name(SRCLIM_OK), "ok");
	assert_string_equal(srclim_verdict_name(SRCLIM_TOO_MANY),
			    "too many connections from this source");
	assert_string_equal(srclim_verdict_name(SRCLIM_RATE), "connection rate from this source");
	assert_string_equal(srclim_verdict_name(SRCLIM_FULL), "source table full");
	assert_string_equal(srclim_verdict_name((enum srclim_verdict)42), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_max_conn),
	    cmocka_unit_test(test_unlimited),
	    cmocka_unit_test(test_v6_slash64),
	    cmocka_unit_test(test_v4_mapped),
	    cmocka_unit_test(test_burst),
	    cmocka_unit_test(test_rate_refill),
	    cmocka_unit_test(test_rate_slow),
	    cmocka_unit_test(test_rate_before_max_conn),
	    cmocka_unit_test(test_clock_backwards),
	    cmocka_unit_test(test_release),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_reuse_needs_full_bucket),
	    cmocka_unit_test(test_reconfigure),
	    cmocka_unit_test(test_growth_keeps_entries),
	    cmocka_unit_test(test_100k_sources),
	    cmocka_unit_test(test_init_and_names),
	};

	return cmocka_run_group_tests_name("srclim", tests, NULL, NULL);
}
