/* SPDX-License-Identifier: ISC */
/*
 * conf: a small line lexer for `key value...` configuration files, and the dispatch of each line
 * to a directive table. It knows the syntax, never the meaning: words, quoting, comments, line
 * limits, argument counts and single-valued keys given twice. Every error is reported at once
 * as "NAME:LINE: message" through log_errx and counted, and lexing goes on with the next line,
 * so one run shows every mistake in a file (TAYGA's collected errors).
 *
 * Syntax, one directive per line:
 *   - words are separated by spaces or tabs; a CR before the newline is whitespace too;
 *   - `#` outside quotes starts a comment that runs to the end of the line;
 *   - a word starting with `"` runs to the next unescaped `"`; inside it `\"` is a quote and
 *     `\\` a backslash (any other escape is an error); it may hold spaces and `#`;
 *   - control characters (but tab) and NUL bytes are errors; bytes >= 0x80 pass through;
 *   - lines are at most CONF_LINE_MAX bytes, not counting the newline.
 * The parser allocates nothing: the words of the current line live in struct conf_line.
 */
#ifndef LIB_CONF_H
#define LIB_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONF_LINE_MAX	    4096 /* bytes in one line, newline excluded */
#define CONF_MAX_WORDS	    16	 /* the key and up to 15 arguments */
#define CONF_MAX_DIRECTIVES 64	 /* entries in one directive table */
#define CONF_VIS_MAX	    48	 /* conf_vis output buffer size used by callers' messages */

struct conf;

/* One lexed line, handed to a directive's fn. Valid only during that call. */
struct conf_line {
	struct conf *cf;
	unsigned lineno;			  /* 1-based */
	const char *key;			  /* the first word */
	int argc;				  /* words after the key */
	const char *argv[CONF_MAX_WORDS - 1];	  /* argv[0] is the first argument */
	char buf[CONF_LINE_MAX + CONF_MAX_WORDS]; /* the unescaped words, NUL-terminated */
};

struct conf_directive {
	const char *key;
	int min_args, max_args;
	bool repeatable; /* false: a second line with this key is an error */
	/* Returns 0, or -1 after reporting the problem with conf_line_error. */
	int (*fn)(void *ctx, struct conf_line *line);
};

/* Parser state for one file; caller-owned, usually on the stack. */
struct conf {
	const char *name;
	const struct conf_directive *table;
	size_t ntable;
	unsigned first[CONF_MAX_DIRECTIVES]; /* line each key was first given on, 0 if not */
	bool failed[CONF_MAX_DIRECTIVES];    /* a line of this key was refused */
	int errors;
};

void conf_init(struct conf *cf, const char *name, const struct conf_directive *table,
	       size_t ntable);

/*
 * Lexes text[0..len) (it need not be NUL-terminated and may hold NUL bytes, which are errors)
 * and calls the directive of each line with ctx. Returns the number of errors counted so far.
 */
int conf_parse(struct conf *cf, const char *text, size_t len, void *ctx);

/* Logs "NAME:LINE: message" (or "NAME: message" when lineno is 0) and counts it. Returns -1. */
int conf_error(struct conf *cf, unsigned lineno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* conf_error at the line being handled. Returns -1, so a directive can `return conf_line_error`. */
int conf_line_error(const struct conf_line *line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int conf_errors(const struct conf *cf);

/* The line a key was first given on in this parse, 0 if it was not. */
unsigned conf_key_line(const struct conf *cf, const char *key);
/*
 * Whether a line of this key was refused (wrong argument count, or its fn failed), so checks
 * across keys can stay quiet instead of repeating an error about a value never set.
 */
bool conf_key_failed(const struct conf *cf, const char *key);

/*
 * Makes an untrusted word safe to quote in a message: printable ASCII is kept, anything else
 * becomes \xNN, and the result is cut with "..." to fit len. Returns buf.
 */
const char *conf_vis(const char *s, char *buf, size_t len);

/* True when a word must be written quoted for conf_parse to read it back unchanged. */
bool conf_needs_quotes(const char *word);
/* Writes a word as conf_parse reads it back: bare when possible, else quoted and escaped. */
int conf_print_word(const char *word, FILE *out);

/*
 * OpenBSD's check_file_secrecy: `path` must be a regular file owned by root or the current
 * user with no permission bits for group or others (mode & 077 == 0). Symbolic links are
 * followed (stat). Returns 0, or -1 with a message such as "mode 0644 lets group or others read
 * it" in err.
 */
int conf_check_secrecy(const char *path, char *err, size_t len);

#endif
