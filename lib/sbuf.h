/* SPDX-License-Identifier: ISC */
/*
 * sbuf: a growable text buffer with printf and JSON string escaping, for control-socket replies.
 * Growth is capped (SBUF_MAX); past it the buffer is marked truncated instead of growing, so a
 * reply can never take unbounded memory. Allocation failure is sticky like the cap.
 */
#ifndef LIB_SBUF_H
#define LIB_SBUF_H

#include <stdbool.h>
#include <stddef.h>

#define SBUF_MAX (256u * 1024 * 1024)

struct sbuf {
	char *p;
	size_t len, cap;
	bool err; /* allocation failed or SBUF_MAX reached: contents are truncated */
};

void sbuf_init(struct sbuf *b);
void sbuf_free(struct sbuf *b);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_add(struct sbuf *b, const char *s, size_t n);
/* Appends s as a JSON string literal with quotes (RFC 8259 §7); bytes >= 0x80 pass unchanged
   when they form valid UTF-8 and become \ufffd otherwise, so the output is always valid JSON. */
void sbuf_json_str(struct sbuf *b, const char *s);

#endif
