/* SPDX-License-Identifier: ISC */
/*
 * ident: the client identity allow-list. Exact names are kept lower case in one array, sorted
 * once by ident_finish and searched by bisection, so an allow-list of one name per managed
 * machine costs O(log n) per connection; patterns with '*' are few and tried in turn, label
 * by label. Names compare case-insensitively in ASCII only, as DNS names do (RFC 4343 §3).
 *
 * Does not: read files (ident_add_text takes the bytes), log, decode IDNA or certificate
 * fields (the caller passes the name as text), or treat an empty rule set as "allow": that is
 * the caller's decision (ident_any).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ident.h"

#define IDENT_CAP_INIT 16

__attribute__((format(printf, 3, 4))) static int ident_fail(char *err, size_t errlen,
							    const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void ident_init(struct ident_rules *r)
{
	memset(r, 0, sizeof(*r));
}

static void ident_free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void ident_free(struct ident_rules *r)
{
	ident_free_list(r->exact, r->nexact);
	ident_free_list(r->glob, r->nglob);
	ident_init(r);
}

/* ---- validation -------------------------------------------------------------------------- */

static char ident_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* NULL when s[0..n) may be a name or pattern, else the reason. Printable ASCII without spaces:
 * a DNS name (RFC 1035 §2.3.1) and most CNs; anything else cannot be compared safely. */
static const char *ident_invalid(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return "empty name";
	if (n > IDENT_NAME_MAX)
		return "name longer than 253 characters";
	for (i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t')
			return "space in name";
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "control character in name";
		if ((unsigned char)s[i] > 0x7f)
			return "non-ASCII character in name";
	}
	return NULL;
}

/* ---- adding ------------------------------------------------------------------------------ */

static int ident_push(char ***v, size_t *n, size_t *cap, char *s)
{
	size_t ncap;
	char **nv;

	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : IDENT_CAP_INIT;
		if (ncap < *cap || ncap > SIZE_MAX / sizeof(**v))
			return -1;
		nv = realloc(*v, ncap * sizeof(**v));
		if (!nv)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = s;
	return 0;
}

/* Adds s[0..n), which need not be NUL-terminated. */
static int ident_add_n(struct ident_rules *r, const char *s, size_t n, char *err, size_t errlen)
{
	const char *why = ident_invalid(s, n);
	bool glob = memchr(s, '*', n) != NULL;
	char *copy;
	size_t i;
	int rc;

	if (why)
		return ident_fail(err, errlen, "%s", why);
	copy = malloc(n + 1);
	if (!copy)
		return ident_fail(err, errlen, "out of memory");
	for (i = 0; i < n; i++)
		copy[i] = ident_lower(s[i]);
	copy[n] = '\0';
	if (glob) {
		rc = ident_push(&r->glob, &r->nglob, &r->capglob, copy);
	} else {
		rc = ident_push(&r->exact, &r->nexact, &r->capexact, copy);
		r->finished = false;
	}
	if (rc) {
		free(copy);
		return ident_fail(err, errlen, "out of memory");
	}
	return 0;
}

int ident_add(struct ident_rules *r, const char *pattern, char *err, size_t errlen)
{
	if (!pattern)
		return ident_fail(err, errlen, "empty name");
	/* one past the limit is enough to know it is too long */
	return ident_add_n(r, pattern, strnlen(pattern, IDENT_NAME_MAX + 1), err, errlen);
}

static bool ident_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The name on one line [*a, *e): surrounding spaces trimmed, a comment cut. A comment starts
 * with '#' at the start of the line or after a space, so "a#b" stays a name. */
static void ident_line_trim(const char *text, size_t *a, size_t *e)
{
	size_t i;

	for (i = *a; i < *e; i++) {
		if (text[i] == '#' && (i == *a || ident_is_space(text[i - 1]))) {
			*e = i;
			break;
		}
	}
	while (*a < *e && ident_is_space(text[*a]))
		(*a)++;
	while (*e > *a && ident_is_space(text[*e - 1]))
		(*e)--;
}

int ident_add_text(struct ident_rules *r, const char *text, size_t len, char *err, size_t errlen)
{
	size_t pos = 0, a, e, line = 0, names = 0;
	const char *nl;
	char why[128];

	if (!text)
		return len ? ident_fail(err, errlen, "no text") : 0;
	while (pos < len) {
		line++;
		nl = memchr(text + pos, '\n', len - pos);
		a = pos;
		e = nl ? (size_t)(nl - text) : len;
		pos = e + 1;
		ident_line_trim(text, &a, &e);
		if (a == e)
			continue;
		if (++names > IDENT_FILE_LINES)
			return ident_fail(err, errlen, "line %zu: more than %d names", line,
					  IDENT_FILE_LINES);
		if (ident_add_n(r, text + a, e - a, why, sizeof(why)))
			return ident_fail(err, errlen, "line %zu: %s", line, why);
	}
	return 0;
}

static int ident_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ident_finish(struct ident_rules *r)
{
	size_t i, n = 0;

	if (r->nexact > 1)
		qsort(r->exact, r->nexact, sizeof(*r->exact), ident_cmp);
	/* duplicates (a name listed twice) are kept once */
	for (i = 0; i < r->nexact; i++) {
		if (n > 0 && strcmp(r->exact[n - 1], r->exact[i]) == 0)
			free(r->exact[i]);
		else
			r->exact[n++] = r->exact[i];
	}
	r->nexact = n;
	r->finished = true;
}

bool ident_any(const struct ident_rules *r)
{
	return r->nexact + r->nglob > 0;
}

/* ---- matching ---------------------------------------------------------------------------- */

/*
 * One label against one pattern label, '*' matching any run of characters (the label holds no
 * '.'). Greedy with one backtrack point, which is exact for patterns of literals and '*':
 * O(plen * slen) at worst. A pattern label of stars alone stands for a whole label, and DNS
 * labels are never empty (RFC 1035 §2.3.1), so it does not match an empty one.
 */
static bool ident_label_match(const char *p, size_t plen, const char *s, size_t slen)
{
	size_t pi = 0, si = 0, star = 0, mark = 0;
	bool starred = false;

	if (slen == 0 && plen > 0 && strspn(p, "*") >= plen)
		return false;
	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			starred = true;
			star = pi++;
			mark = si;
		} else if (pi < plen && p[pi] == s[si]) {
			pi++;
			si++;
		} else if (starred) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

/* Label by label: '*' never crosses a '.', so both must have as many labels. */
static bool ident_glob_match(const char *p, const char *s)
{
	const char *pe, *se;
	size_t i;

	/* each round consumes a label of both: at most IDENT_NAME_MAX / 2 + 1 rounds */
	for (i = 0; i <= IDENT_NAME_MAX; i++) {
		pe = strchr(p, '.');
		se = strchr(s, '.');
		if (!pe)
			pe = p + strlen(p);
		if (!se)
			se = s + strlen(s);
		if (!ident_label_match(p, (size_t)(pe - p), s, (size_t)(se - s)))
			return false;
		if (!*pe || !*se)
			return !*pe && !*se;
		p = pe + 1;
		s = se + 1;
	}
	return false;
}

static bool ident_exact_match(const struct ident_rules *r, const char *name)
{
	size_t i;

	if (r->finished)
		return bsearch(&name, r->exact, r->nexact, sizeof(*r->exact), ident_cmp) != NULL;
	/* not sorted yet (an add after ident_finish): still correct, only slower */
	for (i = 0; i < r->nexact; i++)
		if (strcmp(r->exact[i], name) == 0)
			return true;
	return false;
}

bool ident_match(const struct ident_rules *r, const char *name)
{
	char low[IDENT_NAME_MAX + 1];
	size_t n, i;

	if (!name)
		return false;
	n = strnlen(name, IDENT_NAME_MAX + 1);
	if (ident_invalid(name, n))
		return false;
	for (i = 0; i < n; i++)
		low[i] = ident_lower(name[i]);
	low[n] = '\0';
	if (r->nexact && ident_exact_match(r, low))
		return true;
	for (i = 0; i < r->nglob; i++)
		if (ident_glob_match(r->glob[i], low))
			return true;
	return false;
}
