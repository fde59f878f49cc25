/* SPDX-License-Identifier: ISC */
/*
 * buf: bounds-checked reader and writer for wire formats (libutil's ibuf in spirit).
 * Every wire read in the tree goes through buf_get_*: each returns -1 on underflow and leaves
 * the cursor where it was, so a parser can chain reads with || and reject on the first failure.
 * The writer has a sticky error flag: build a whole packet, then check buf_wr_ok() once.
 * Multi-byte values are in network byte order.
 */
#ifndef LIB_BUF_H
#define LIB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf_cur {
	const uint8_t *p;
	size_t len;
	size_t off;
};

struct buf_wr {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool err;
};

static inline void buf_cur_init(struct buf_cur *c, const void *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->off = 0;
}

static inline size_t buf_left(const struct buf_cur *c)
{
	return c->len - c->off;
}

static inline const uint8_t *buf_pos(const struct buf_cur *c)
{
	return c->p + c->off;
}

static inline int buf_get_u8(struct buf_cur *c, uint8_t *v)
{
	if (buf_left(c) < 1)
		return -1;
	*v = c->p[c->off++];
	return 0;
}

static inline int buf_get_u16(struct buf_cur *c, uint16_t *v)
{
	if (buf_left(c) < 2)
		return -1;
	*v = (uint16_t)(c->p[c->off] << 8 | c->p[c->off + 1]);
	c->off += 2;
	return 0;
}

static inline int buf_get_u32(struct buf_cur *c, uint32_t *v)
{
	if (buf_left(c) < 4)
		return -1;
	*v = (uint32_t)c->p[c->off] << 24 | (uint32_t)c->p[c->off + 1] << 16 |
	     (uint32_t)c->p[c->off + 2] << 8 | (uint32_t)c->p[c->off + 3];
	c->off += 4;
	return 0;
}

static inline int buf_get_bytes(struct buf_cur *c, void *dst, size_t n)
{
	if (buf_left(c) < n)
		return -1;
	memcpy(dst, c->p + c->off, n);
	c->off += n;
	return 0;
}

/* Points *v at the next n bytes without copying. */
static inline int buf_get_ptr(struct buf_cur *c, const uint8_t **v, size_t n)
{
	if (buf_left(c) < n)
		return -1;
	*v = c->p + c->off;
	c->off += n;
	return 0;
}

static inline int buf_skip(struct buf_cur *c, size_t n)
{
	if (buf_left(c) < n)
		return -1;
	c->off += n;
	return 0;
}

/* A sub-cursor over the next n bytes; the parent moves past them. */
static inline int buf_sub(struct buf_cur *c, struct buf_cur *sub, size_t n)
{
	if (buf_left(c) < n)
		return -1;
	buf_cur_init(sub, c->p + c->off, n);
	c->off += n;
	return 0;
}

static inline void buf_wr_init(struct buf_wr *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->err = false;
}

static inline bool buf_wr_ok(const struct buf_wr *w)
{
	return !w->err;
}

/* Reserves n bytes and returns a pointer to them, or NULL (and the sticky error) when full. */
static inline uint8_t *buf_put_reserve(struct buf_wr *w, size_t n)
{
	uint8_t *r;

	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return NULL;
	}
	r = w->p + w->len;
	w->len += n;
	return r;
}

static inline void buf_put_u8(struct buf_wr *w, uint8_t v)
{
	uint8_t *d = buf_put_reserve(w, 1);

	if (d)
		d[0] = v;
}

static inline void buf_put_u16(struct buf_wr *w, uint16_t v)
{
	uint8_t *d = buf_put_reserve(w, 2);

	if (d) {
		d[0] = (uint8_t)(v >> 8);
		d[1] = (uint8_t)v;
	}
}

static inline void buf_put_u32(struct buf_wr *w, uint32_t v)
{
	uint8_t *d = buf_put_reserve(w, 4);

	if (d) {
		d[0] = (uint8_t)(v >> 24);
		d[1] = (uint8_t)(v >> 16);
		d[2] = (uint8_t)(v >> 8);
		d[3] = (uint8_t)v;
	}
}

static inline void buf_put_bytes(struct buf_wr *w, const void *src, size_t n)
{
	uint8_t *d = buf_put_reserve(w, n);

	if (d && n)
		memcpy(d, src, n);
}

static inline void buf_put_zero(struct buf_wr *w, size_t n)
{
	uint8_t *d = buf_put_reserve(w, n);

	if (d && n)
		memset(d, 0, n);
}

#endif
