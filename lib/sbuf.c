/* SPDX-License-Identifier: ISC */
/* sbuf: growable capped text buffer; see sbuf.h. */
#include "lib/sbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sbuf_init(struct sbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void sbuf_free(struct sbuf *b)
{
	free(b->p);
	sbuf_init(b);
}

static bool sbuf_reserve(struct sbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->err)
		return false;
	if (b->cap - b->len > n)
		return true;
	if (n >= SBUF_MAX - b->len) {
		b->err = true;
		return false;
	}
	cap = b->cap ? b->cap : 256;
	while (cap - b->len <= n)
		cap *= 2;
	if (cap > SBUF_MAX)
		cap = SBUF_MAX;
	p = realloc(b->p, cap);
	if (!p) {
		b->err = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (!sbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629 §4), or 0 if invalid. */
static size_t sbuf_utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void sbuf_json_str(struct sbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	sbuf_add(b, "\"", 1);
	while (*u) {
		size_t n;

		if (*u == '"' || *u == '\\') {
			char esc[2] = {'\\', (char)*u};
			sbuf_add(b, esc, 2);
			u++;
		} else if (*u < 0x20) {
			sbuf_printf(b, "\\u%04x", *u);
			u++;
		} else if (*u < 0x80) {
			sbuf_add(b, (const char *)u, 1);
			u++;
		} else if ((n = sbuf_utf8_len(u)) > 0) {
			sbuf_add(b, (const char *)u, n);
			u += n;
		} else {
			sbuf_add(b, "\\ufffd", 6);
			u++;
		}
	}
	sbuf_add(b, "\"", 1);
}
