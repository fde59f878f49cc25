/* SPDX-License-Identifier: ISC */
/*
 * logcap: captures what lib/log writes to stderr during a unit test, so a test can assert the
 * exact messages (configuration errors, refusals). Header-only, for tests; include it after
 * <cmocka.h>.
 */
#ifndef TESTS_UNIT_LOGCAP_H
#define TESTS_UNIT_LOGCAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct logcap {
	FILE *saved, *mem;
	char *buf;
	size_t len;
};

static inline void logcap_begin(struct logcap *c)
{
	fflush(stderr);
	c->buf = NULL;
	c->len = 0;
	c->saved = stderr;
	c->mem = open_memstream(&c->buf, &c->len);
	assert_non_null(c->mem);
	stderr = c->mem; /* glibc: stderr is an ordinary variable */
}

/* Ends the capture; returns the messages with "TIME IDENT[LEVEL]: " cut off each line. */
static inline char *logcap_end(struct logcap *c)
{
	char *out, *o;
	const char *p;

	stderr = c->saved;
	fclose(c->mem);
	out = calloc(1, c->len + 1);
	assert_non_null(out);
	o = out;
	for (p = c->buf; *p;) {
		const char *nl = strchr(p, '\n'), *cut = strstr(p, "]: ");
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (cut && cut < p + n) {
			n -= (size_t)(cut + 3 - p);
			p = cut + 3;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	free(c->buf);
	return out;
}

#endif
