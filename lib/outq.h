/* SPDX-License-Identifier: ISC */
/*
 * outq: the bounded queue of bytes waiting to go down one client's connection. Packets are
 * appended back to back (the IP-HTTPS body is a plain concatenation, [MS-IPHTTPS] §3.2.5.2.1)
 * into 16 KiB blocks, one TLS record's worth of plaintext (RFC 8446 §5.1), so a flush after a
 * burst sends several packets per record. Blocks come from a pool shared by all clients of a
 * gateway, so an idle client holds no block at all.
 *
 * OpenSSL requires a write that returned WANT_WRITE to be retried with the same length
 * (SSL_write(3)); `inflight` remembers it while more packets are appended behind it.
 */
#ifndef LIB_OUTQ_H
#define LIB_OUTQ_H

#include <stddef.h>
#include <stdint.h>

#define OUTQ_BLOCK     16384
#define OUTQ_POOL_KEEP 256 /* idle blocks kept for reuse; more are freed */

struct outq_block {
	struct outq_block *next;
	uint32_t len; /* bytes filled */
	uint32_t off; /* bytes already written */
	uint8_t data[OUTQ_BLOCK];
};

struct outq_pool {
	struct outq_block *free;
	size_t nfree;
	size_t nused;
};

struct outq {
	struct outq_block *head, *tail;
	size_t bytes;	   /* queued and not yet written */
	uint32_t inflight; /* length of a write to retry, 0 if none */
};

/* Writes up to len bytes; returns bytes written, 0 for would-block, -1 for a dead connection. */
typedef long outq_write_fn(void *arg, const uint8_t *p, size_t len);

void outq_pool_free(struct outq_pool *pool);
void outq_init(struct outq *q);
/* Returns every block to the pool. */
void outq_clear(struct outq *q, struct outq_pool *pool);
/* Appends len bytes unless that would exceed `limit` queued bytes; returns 0 or -1. */
int outq_push(struct outq *q, struct outq_pool *pool, const void *data, size_t len, size_t limit);
/* Writes as much as the connection takes. Returns 0 (drained or would block), -1 (dead). */
int outq_flush(struct outq *q, struct outq_pool *pool, outq_write_fn *fn, void *arg);

#endif
