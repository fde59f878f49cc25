/* SPDX-License-Identifier: ISC */
/* Unit tests for iphttpsd/outq: byte order preserved across blocks, the queue limit, the
   same-length retry OpenSSL requires after WANT_WRITE, and block reuse through the pool. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lib/outq.h"

struct sink {
	uint8_t out[200000];
	size_t len;
	size_t accept;	     /* bytes the next call takes; 0 = would block */
	size_t last_request; /* length asked for by the last call */
	size_t requests[64]; /* every length asked for */
	size_t nreq;
	int dead;
};

static long sink_write(void *arg, const uint8_t *p, size_t len)
{
	struct sink *s = arg;
	size_t n = len < s->accept ? len : s->accept;

	s->last_request = len;
	if (s->nreq < 64)
		s->requests[s->nreq++] = len;
	if (s->dead)
		return -1;
	memcpy(s->out + s->len, p, n);
	s->len += n;
	return (long)n;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void test_order_preserved_across_blocks(void **state)
{
	struct outq_pool pool = {0};
	struct outq q;
	static struct sink s;
	static uint8_t data[50000];

	(void)state;
	memset(&s, 0, sizeof(s));
	outq_init(&q);
	fill(data, sizeof(data), 3);
	/* 1280-byte packets straddle 16 KiB block boundaries. */
	for (size_t off = 0; off + 1280 <= sizeof(data); off += 1280)
		assert_int_equal(outq_push(&q, &pool, data + off, 1280, 1 << 20), 0);
	assert_int_equal(q.bytes, (sizeof(data) / 1280) * 1280);
	s.accept = 1000; /* partial writes */
	for (int i = 0; i < 1000 && q.bytes; i++)
		assert_int_equal(outq_flush(&q, &pool, sink_write, &s), 0);
	assert_int_equal(q.bytes, 0);
	assert_int_equal(s.len, (sizeof(data) / 1280) * 1280);
	assert_memory_equal(s.out, data, s.len);
	assert_null(q.head);
	assert_int_equal(pool.nused, 0);
	outq_clear(&q, &pool);
	outq_pool_free(&pool);
}

static void test_limit_refuses_whole_packet(void **state)
{
	struct outq_pool pool = {0};
	struct outq q;
	uint8_t pkt[1000] = {0};

	(void)state;
	outq_init(&q);
	assert_int_equal(outq_push(&q, &pool, pkt, 1000, 2500), 0);
	assert_int_equal(outq_push(&q, &pool, pkt, 1000, 2500), 0);
	assert_int_equal(outq_push(&q, &pool, pkt, 1000, 2500), -1);
	assert_int_equal(q.bytes, 2000);
	outq_clear(&q, &pool);
	assert_int_equal(pool.nused, 0);
	outq_pool_free(&pool);
}

static void test_retry_uses_same_length(void **state)
{
	struct outq_pool pool = {0};
	struct outq q;
	static struct sink s;
	uint8_t a[3000], b[500];

	(void)state;
	memset(&s, 0, sizeof(s));
	outq_init(&q);
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 9);
	outq_push(&q, &pool, a, sizeof(a), 1 << 20);
	s.accept = 0; /* would block */
	assert_int_equal(outq_flush(&q, &pool, sink_write, &s), 0);
	assert_int_equal(s.last_request, 3000);
	/* More data queued behind the blocked write ... */
	outq_push(&q, &pool, b, sizeof(b), 1 << 20);
	s.accept = 100000;
	assert_int_equal(outq_flush(&q, &pool, sink_write, &s), 0);
	assert_int_equal(s.len, 3500);
	assert_memory_equal(s.out, a, 3000);
	assert_memory_equal(s.out + 3000, b, 500);
	outq_clear(&q, &pool);
	outq_pool_free(&pool);
}

static void test_retry_first_call_same_length(void **state)
{
	struct outq_pool pool = {0};
	struct outq q;
	static struct sink s;
	uint8_t a[3000] = {0}, b[500] = {0};

	(void)state;
	memset(&s, 0, sizeof(s));
	outq_init(&q);
	outq_push(&q, &pool, a, sizeof(a), 1 << 20);
	s.accept = 0;
	outq_flush(&q, &pool, sink_write, &s);
	outq_push(&q, &pool, b, sizeof(b), 1 << 20);
	s.nreq = 0;
	s.accept = 10; /* the retry itself must ask for exactly the blocked 3000 ... */
	outq_flush(&q, &pool, sink_write, &s);
	assert_int_equal(s.requests[0], 3000);
	/* ... and once it succeeded, later writes may cover what was queued behind it. */
	assert_int_equal(s.requests[1], 3490);
	outq_clear(&q, &pool);
	outq_pool_free(&pool);
}

static void test_dead_connection(void **state)
{
	struct outq_pool pool = {0};
	struct outq q;
	static struct sink s;
	uint8_t a[10] = {0};

	(void)state;
	memset(&s, 0, sizeof(s));
	outq_init(&q);
	outq_push(&q, &pool, a, sizeof(a), 100);
	s.dead = 1;
	assert_int_equal(outq_flush(&q, &pool, sink_write, &s), -1);
	outq_clear(&q, &pool);
	outq_pool_free(&pool);
}

static void test_pool_reuses_blocks(void **state)
{
	struct outq_pool pool = {0};
	struct outq q;
	static struct sink s;
	uint8_t a[100] = {0};

	(void)state;
	memset(&s, 0, sizeof(s));
	s.accept = 1 << 20;
	outq_init(&q);
	for (int i = 0; i < 100; i++) {
		outq_push(&q, &pool, a, sizeof(a), 1 << 20);
		outq_flush(&q, &pool, sink_write, &s);
	}
	assert_int_equal(pool.nused, 0);
	assert_int_equal(pool.nfree, 1);
	outq_pool_free(&pool);
	assert_int_equal(pool.nfree, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_preserved_across_blocks),
	    cmocka_unit_test(test_limit_refuses_whole_packet),
	    cmocka_unit_test(test_retry_uses_same_length),
	    cmocka_unit_test(test_retry_first_call_same_length),
	    cmocka_unit_test(test_dead_connection),
	    cmocka_unit_test(test_pool_reuses_blocks),
	};

	return cmocka_run_group_tests_name("outq", tests, NULL, NULL);
}
