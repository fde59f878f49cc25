/* SPDX-License-Identifier: ISC */
/* outq: bounded per-client output queue over pooled 16 KiB blocks; see outq.h. */
#include "lib/outq.h"

#include <stdlib.h>
#include <string.h>

static struct outq_block *outq_block_get(struct outq_pool *pool)
{
	struct outq_block *b = pool->free;

	if (b) {
		pool->free = b->next;
		pool->nfree--;
	} else {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
	}
	b->next = NULL;
	b->len = b->off = 0;
	pool->nused++;
	return b;
}

static void outq_block_put(struct outq_pool *pool, struct outq_block *b)
{
	pool->nused--;
	if (pool->nfree >= OUTQ_POOL_KEEP) {
		free(b);
		return;
	}
	b->next = pool->free;
	pool->free = b;
	pool->nfree++;
}

void outq_pool_free(struct outq_pool *pool)
{
	while (pool->free) {
		struct outq_block *b = pool->free;

		pool->free = b->next;
		free(b);
	}
	pool->nfree = 0;
}

void outq_init(struct outq *q)
{
	memset(q, 0, sizeof(*q));
}

void outq_clear(struct outq *q, struct outq_pool *pool)
{
	while (q->head) {
		struct outq_block *b = q->head;

		q->head = b->next;
		outq_block_put(pool, b);
	}
	outq_init(q);
}

/* Undoes a partial append, so the stream never holds half a packet (it has no resync). */
static void outq_rollback(struct outq *q, struct outq_pool *pool, struct outq_block *tail,
			  uint32_t tail_len, size_t bytes)
{
	struct outq_block *b = tail ? tail->next : q->head;

	while (b) {
		struct outq_block *next = b->next;

		outq_block_put(pool, b);
		b = next;
	}
	if (tail) {
		tail->next = NULL;
		tail->len = tail_len;
	} else {
		q->head = NULL;
	}
	q->tail = tail;
	q->bytes = bytes;
}

int outq_push(struct outq *q, struct outq_pool *pool, const void *data, size_t len, size_t limit)
{
	struct outq_block *old_tail = q->tail;
	uint32_t old_len = old_tail ? old_tail->len : 0;
	size_t old_bytes = q->bytes;
	const uint8_t *p = data;

	if (q->bytes + len > limit)
		return -1;
	while (len > 0) {
		struct outq_block *t = q->tail;
		size_t room, n;

		if (!t || t->len == OUTQ_BLOCK) {
			t = outq_block_get(pool);
			if (!t) {
				outq_rollback(q, pool, old_tail, old_len, old_bytes);
				return -1;
			}
			if (q->tail)
				q->tail->next = t;
			else
				q->head = t;
			q->tail = t;
		}
		room = OUTQ_BLOCK - t->len;
		n = len < room ? len : room;
		memcpy(t->data + t->len, p, n);
		t->len += (uint32_t)n;
		q->bytes += n;
		p += n;
		len -= n;
	}
	return 0;
}

int outq_flush(struct outq *q, struct outq_pool *pool, outq_write_fn *fn, void *arg)
{
	/* Bounded: each pass either writes bytes, returns, or frees a block. */
	while (q->head) {
		struct outq_block *b = q->head;
		uint32_t want = q->inflight ? q->inflight : b->len - b->off;
		long n;

		if (want == 0) {
			if (b == q->tail)
				break;
			q->head = b->next;
			outq_block_put(pool, b);
			continue;
		}
		n = fn(arg, b->data + b->off, want);
		if (n < 0)
			return -1;
		if (n == 0) {
			q->inflight = want;
			return 0;
		}
		q->inflight = 0;
		b->off += (uint32_t)n;
		q->bytes -= (size_t)n;
		if (b->off == b->len) {
			q->head = b->next;
			if (!q->head)
				q->tail = NULL;
			outq_block_put(pool, b);
		}
	}
	return 0;
}
