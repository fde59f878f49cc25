/* SPDX-License-Identifier: ISC */
/*
 * conf: line lexer and directive dispatch for `key value...` files (syntax in conf.h), plus the
 * key-file secrecy check. It does not interpret values: that is the directive functions' job.
 * Work is linear in the input and nothing is allocated, so any input is safe to feed it.
 */
#include "lib/conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"

/* The line being lexed: input cursor and the words written so far into out->buf. */
struct conf_lex {
	struct conf *cf;
	unsigned lineno;
	const char *p;
	size_t len, off;
	struct conf_line *out;
	size_t used;
	int nwords;
	const char *words[CONF_MAX_WORDS];
};

void conf_init(struct conf *cf, const char *name, const struct conf_directive *table, size_t ntable)
{
	memset(cf, 0, sizeof(*cf));
	cf->name = name;
	cf->table = table;
	cf->ntable = ntable < CONF_MAX_DIRECTIVES ? ntable : CONF_MAX_DIRECTIVES;
}

__attribute__((format(printf, 3, 0))) static void conf_verror(struct conf *cf, unsigned lineno,
							      const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (lineno)
		log_errx("%s:%u: %s", cf->name, lineno, msg);
	else
		log_errx("%s: %s", cf->name, msg);
	if (cf->errors < INT32_MAX)
		cf->errors++;
}

int conf_error(struct conf *cf, unsigned lineno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(cf, lineno, fmt, ap);
	va_end(ap);
	return -1;
}

int conf_line_error(const struct conf_line *line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(line->cf, line->lineno, fmt, ap);
	va_end(ap);
	return -1;
}

int conf_errors(const struct conf *cf)
{
	return cf->errors;
}

unsigned conf_key_line(const struct conf *cf, const char *key)
{
	for (size_t i = 0; i < cf->ntable; i++)
		if (strcmp(cf->table[i].key, key) == 0)
			return cf->first[i];
	return 0;
}

bool conf_key_failed(const struct conf *cf, const char *key)
{
	for (size_t i = 0; i < cf->ntable; i++)
		if (strcmp(cf->table[i].key, key) == 0)
			return cf->failed[i];
	return false;
}

static bool conf_is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Control characters but tab (and CR, which is whitespace outside quotes). */
static bool conf_is_ctl(char ch)
{
	unsigned char u = (unsigned char)ch;

	return (u < 0x20 && ch != '\t') || u == 0x7f;
}

static int conf_lex_ctl(struct conf_lex *lx, char ch)
{
	return conf_error(lx->cf, lx->lineno, "control character 0x%02x in line",
			  (unsigned char)ch);
}

static int conf_lex_put(struct conf_lex *lx, char ch)
{
	/* Cannot fail for lines within CONF_LINE_MAX: a word never grows when unescaped. */
	if (lx->used >= sizeof(lx->out->buf))
		return conf_error(lx->cf, lx->lineno, "line too long");
	lx->out->buf[lx->used++] = ch;
	return 0;
}

static bool conf_lex_at_end_of_word(const struct conf_lex *lx)
{
	return lx->off == lx->len || conf_is_space(lx->p[lx->off]) || lx->p[lx->off] == '#';
}

static int conf_lex_bare(struct conf_lex *lx)
{
	while (!conf_lex_at_end_of_word(lx)) {
		char ch = lx->p[lx->off++];

		if (ch == '"')
			return conf_error(lx->cf, lx->lineno,
					  "'\"' inside a word: quote the whole word");
		if (conf_is_ctl(ch))
			return conf_lex_ctl(lx, ch);
		if (conf_lex_put(lx, ch) < 0)
			return -1;
	}
	return 0;
}

static int conf_lex_quoted(struct conf_lex *lx)
{
	lx->off++; /* the opening quote */
	for (;;) {
		char ch;

		if (lx->off == lx->len)
			return conf_error(lx->cf, lx->lineno, "unterminated quoted word");
		ch = lx->p[lx->off++];
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (lx->off == lx->len)
				return conf_error(lx->cf, lx->lineno, "unterminated quoted word");
			ch = lx->p[lx->off++];
			if (ch != '"' && ch != '\\')
				return conf_error(lx->cf, lx->lineno,
						  "unknown escape in a quoted word: only \\\" "
						  "and \\\\ are allowed");
		} else if (conf_is_ctl(ch) || ch == '\r') {
			return conf_lex_ctl(lx, ch);
		}
		if (conf_lex_put(lx, ch) < 0)
			return -1;
	}
	if (!conf_lex_at_end_of_word(lx))
		return conf_error(lx->cf, lx->lineno, "a quoted word must be followed by a space");
	return 0;
}

static int conf_lex_word(struct conf_lex *lx)
{
	const char *start = lx->out->buf + lx->used;
	int rc;

	if (lx->nwords == CONF_MAX_WORDS)
		return conf_error(lx->cf, lx->lineno, "more than %d words in line", CONF_MAX_WORDS);
	rc = lx->p[lx->off] == '"' ? conf_lex_quoted(lx) : conf_lex_bare(lx);
	if (rc < 0 || conf_lex_put(lx, '\0') < 0)
		return -1;
	lx->words[lx->nwords++] = start;
	return 0;
}

/* Splits one line into words; a comment or the end of the line stops it. */
static int conf_lex_line(struct conf_lex *lx)
{
	while (lx->off < lx->len) {
		char ch = lx->p[lx->off];

		if (conf_is_space(ch)) {
			lx->off++;
			continue;
		}
		if (ch == '#')
			break;
		if (conf_lex_word(lx) < 0)
			return -1;
	}
	return 0;
}

static const struct conf_directive *conf_find(const struct conf *cf, const char *key, size_t *idx)
{
	for (size_t i = 0; i < cf->ntable; i++) {
		if (strcmp(cf->table[i].key, key) == 0) {
			*idx = i;
			return &cf->table[i];
		}
	}
	return NULL;
}

static int conf_check_argc(const struct conf_directive *d, const struct conf_line *line)
{
	if (line->argc >= d->min_args && line->argc <= d->max_args)
		return 0;
	if (d->min_args == d->max_args)
		return conf_line_error(line, "%s: takes %d argument%s, got %d", d->key, d->min_args,
				       d->min_args == 1 ? "" : "s", line->argc);
	return conf_line_error(line, "%s: takes %d to %d arguments, got %d", d->key, d->min_args,
			       d->max_args, line->argc);
}

static void conf_dispatch(struct conf *cf, struct conf_line *line, void *ctx)
{
	const struct conf_directive *d;
	char vis[CONF_VIS_MAX];
	size_t i = 0;
	int before;

	d = conf_find(cf, line->key, &i);
	if (d == NULL) {
		conf_line_error(line, "unknown key '%s'", conf_vis(line->key, vis, sizeof(vis)));
		return;
	}
	if (cf->first[i] != 0 && !d->repeatable) {
		conf_line_error(line, "%s: already given on line %u", d->key, cf->first[i]);
		return;
	}
	if (cf->first[i] == 0)
		cf->first[i] = line->lineno;
	if (conf_check_argc(d, line) < 0) {
		cf->failed[i] = true;
		return;
	}
	before = cf->errors;
	if (d->fn(ctx, line) < 0) {
		cf->failed[i] = true;
		if (cf->errors == before)
			conf_line_error(line, "%s: invalid value", d->key);
	}
}

static void conf_line_one(struct conf *cf, unsigned lineno, const char *p, size_t len, void *ctx)
{
	struct conf_line line;
	struct conf_lex lx = {.cf = cf, .lineno = lineno, .p = p, .len = len, .out = &line};

	if (len > CONF_LINE_MAX) {
		conf_error(cf, lineno, "line longer than %d bytes", CONF_LINE_MAX);
		return;
	}
	if (memchr(p, '\0', len) != NULL) {
		conf_error(cf, lineno, "NUL byte in line");
		return;
	}
	if (conf_lex_line(&lx) < 0 || lx.nwords == 0)
		return;
	line.cf = cf;
	line.lineno = lineno;
	line.key = lx.words[0];
	line.argc = lx.nwords - 1;
	for (int i = 1; i < lx.nwords; i++)
		line.argv[i - 1] = lx.words[i];
	conf_dispatch(cf, &line, ctx);
}

int conf_parse(struct conf *cf, const char *text, size_t len, void *ctx)
{
	size_t off = 0;
	unsigned lineno = 0;

	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - text) : len;

		if (lineno < UINT32_MAX)
			lineno++;
		conf_line_one(cf, lineno, text + off, end - off, ctx);
		off = end + 1;
	}
	return cf->errors;
}

/* One character of conf_vis output: itself, or \xNN. */
static size_t conf_vis_char(unsigned char u, char out[5])
{
	if (u >= 0x20 && u < 0x7f) {
		out[0] = (char)u;
		out[1] = '\0';
		return 1;
	}
	snprintf(out, 5, "\\x%02x", u);
	return 4;
}

const char *conf_vis(const char *s, char *buf, size_t len)
{
	size_t need = 0, o = 0, room;
	char piece[5];

	if (len == 0)
		return buf;
	for (const char *q = s; *q; q++)
		need += conf_vis_char((unsigned char)*q, piece);
	/* Leave space for "..." only when the whole word does not fit. */
	room = need < len ? len - 1 : (len > 4 ? len - 4 : len - 1);
	for (const char *q = s; *q; q++) {
		size_t n = conf_vis_char((unsigned char)*q, piece);

		if (o + n > room)
			break;
		memcpy(buf + o, piece, n);
		o += n;
	}
	if (need >= len && len > 4) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

bool conf_needs_quotes(const char *word)
{
	if (word[0] == '\0')
		return true;
	for (const char *q = word; *q; q++)
		if (conf_is_space(*q) || *q == '#' || *q == '"')
			return true;
	return false;
}

int conf_print_word(const char *word, FILE *out)
{
	int rc = 0;

	if (!conf_needs_quotes(word)) {
		fputs(word, out);
		return 0;
	}
	fputc('"', out);
	for (const char *q = word; *q; q++) {
		if (*q == '"' || *q == '\\')
			fputc('\\', out);
		if (conf_is_ctl(*q) || *q == '\r')
			rc = -1; /* no spelling conf_parse reads back */
		fputc(*q, out);
	}
	fputc('"', out);
	return rc;
}

int conf_check_secrecy(const char *path, char *err, size_t len)
{
	struct stat st;
	unsigned mode;

	if (stat(path, &st) == -1) {
		snprintf(err, len, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, len, "not a regular file");
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != getuid()) {
		snprintf(err, len, "owned by uid %u, neither root nor the current user",
			 (unsigned)st.st_uid);
		return -1;
	}
	mode = (unsigned)st.st_mode & 07777;
	if (mode & 044)
		snprintf(err, len, "mode %04o lets group or others read it", mode);
	else if (mode & 022)
		snprintf(err, len, "mode %04o lets group or others write it", mode);
	else if (mode & 011)
		snprintf(err, len, "mode %04o lets group or others execute it", mode);
	else
		return 0;
	return -1;
}
