/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/ident: exact names and their bisection over a large sorted list,
 * glob semantics ('*' within one label, never across a '.'), case-insensitivity (RFC 4343),
 * validation of rules and of the names matched, and allow-list text with comments, blank
 * lines, CRLF, bad lines and the IDENT_FILE_LINES bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ident.h"

static struct ident_rules R;

static int setup(void **state)
{
	(void)state;
	ident_init(&R);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ident_free(&R);
	assert_false(ident_any(&R));
	return 0;
}

static void add(const char *p)
{
	char err[128] = "";

	if (ident_add(&R, p, err, sizeof(err)))
		fail_msg("'%s': %s", p, err);
}

static void add_fails(const char *p, const char *why)
{
	char err[128] = "";
	size_t ne = R.nexact, ng = R.nglob;

	assert_int_equal(ident_add(&R, p, err, sizeof(err)), -1);
	assert_string_equal(err, why);
	assert_int_equal(R.nexact, ne); /* nothing added */
	assert_int_equal(R.nglob, ng);
}

static int text(const char *t, char *err, size_t errlen)
{
	return ident_add_text(&R, t, strlen(t), err, errlen);
}

static void test_empty(void **state)
{
	(void)state;
	assert_false(ident_any(&R));
	ident_finish(&R);
	assert_false(ident_match(&R, "pc1.corp.example.com"));
	assert_false(ident_match(&R, NULL));
	assert_int_equal(ident_add_text(&R, "", 0, NULL, 0), 0);
	assert_int_equal(ident_add_text(&R, NULL, 0, NULL, 0), 0);
	assert_false(ident_any(&R));
}

static void test_exact(void **state)
{
	(void)state;
	add("pc1.corp.example.com");
	add("PC2.Corp.Example.COM");
	add("Workstation-7");
	assert_true(ident_any(&R));
	ident_finish(&R);
	assert_int_equal(R.nexact, 3);
	assert_int_equal(R.nglob, 0);
	assert_string_equal(R.exact[0], "pc1.corp.example.com"); /* stored lower case, sorted */
	assert_string_equal(R.exact[1], "pc2.corp.example.com");
	assert_string_equal(R.exact[2], "workstation-7");
	assert_true(ident_match(&R, "pc1.corp.example.com"));
	assert_true(ident_match(&R, "PC1.CORP.EXAMPLE.COM"));
	assert_true(ident_match(&R, "pc2.corp.example.com"));
	assert_true(ident_match(&R, "workstation-7"));
	assert_false(ident_match(&R, "pc1.corp.example.co"));
	assert_false(ident_match(&R, "pc1.corp.example.com."));
	assert_false(ident_match(&R, "xpc1.corp.example.com"));
	assert_false(ident_match(&R, "pc3.corp.example.com"));
	assert_false(ident_match(&R, "workstation"));
	/* an exact rule is not a pattern: no '*' semantics on the name side either */
	assert_false(ident_match(&R, "*"));
	assert_false(ident_match(&R, "pc*.corp.example.com"));
}

static void test_duplicates_and_late_add(void **state)
{
	(void)state;
	add("b.example.com");
	add("a.example.com");
	add("B.EXAMPLE.COM");
	ident_finish(&R);
	assert_int_equal(R.nexact, 2);
	assert_true(ident_match(&R, "b.example.com"));
	/* an add after ident_finish is still found before the next finish */
	add("0.example.com");
	assert_false(R.finished);
	assert_true(ident_match(&R, "0.example.com"));
	assert_true(ident_match(&R, "a.example.com"));
	ident_finish(&R);
	assert_true(R.finished);
	assert_string_equal(R.exact[0], "0.example.com");
	assert_true(ident_match(&R, "0.example.com"));
}

static void test_glob(void **state)
{
	(void)state;
	add("*.corp.example.com");
	add("pc*.lab.example.com");
	add("*-gw*.example.net");
	add("srv*");
	ident_finish(&R);
	assert_int_equal(R.nglob, 4);
	assert_int_equal(R.nexact, 0);
	/* '*' is any run within one label */
	assert_true(ident_match(&R, "pc1.corp.example.com"));
	assert_true(ident_match(&R, "X.CORP.example.com"));
	assert_false(ident_match(&R, "a.b.corp.example.com")); /* never across a '.' */
	assert_false(ident_match(&R, "corp.example.com"));     /* the label must be there */
	assert_false(ident_match(&R, ".corp.example.com"));    /* and not be empty */
	assert_false(ident_match(&R, "pc1.corp.example.com.evil.test"));
	assert_false(ident_match(&R, "pc1.corp.example.co"));
	assert_false(ident_match(&R, "pc1.xcorp.example.com"));
	/* a prefix within the label: the run may be empty */
	assert_true(ident_match(&R, "pc.lab.example.com"));
	assert_true(ident_match(&R, "pc42.lab.example.com"));
	assert_true(ident_match(&R, "PC42.Lab.Example.Com"));
	assert_false(ident_match(&R, "p.lab.example.com"));
	assert_false(ident_match(&R, "xpc1.lab.example.com"));
	assert_false(ident_match(&R, "pc1.x.lab.example.com"));
	/* two stars, backtracking */
	assert_true(ident_match(&R, "a-gw.example.net"));
	assert_true(ident_match(&R, "-gw.example.net"));
	assert_true(ident_match(&R, "a-b-gw-gw-2.example.net"));
	assert_false(ident_match(&R, "agw.example.net"));
	assert_false(ident_match(&R, "a-g.w.example.net"));
	/* one label only */
	assert_true(ident_match(&R, "srv"));
	assert_true(ident_match(&R, "srv01"));
	assert_false(ident_match(&R, "srv01.example.com"));
	assert_false(ident_match(&R, "sr"));
}

static void test_glob_edges(void **state)
{
	(void)state;
	add("*");
	add("a.*.c");
	add("**x*.d");
	ident_finish(&R);
	assert_true(ident_match(&R, "host"));
	assert_false(ident_match(&R, "host.example"));
	assert_true(ident_match(&R, "a.b.c"));
	assert_true(ident_match(&R, "a.bbb.c"));
	assert_false(ident_match(&R, "a..c"));
	assert_false(ident_match(&R, "a.b.b.c"));
	assert_true(ident_match(&R, "x.d"));
	assert_true(ident_match(&R, "abxcd.d"));
	assert_false(ident_match(&R, "y.d"));
	assert_false(ident_match(&R, ".d"));
	/* the worst case of the greedy match stays cheap: a long label against many stars */
	ident_free(&R);
	add("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
	{
		char name[IDENT_NAME_MAX + 1];

		memset(name, 'a', IDENT_NAME_MAX);
		name[IDENT_NAME_MAX] = '\0';
		assert_false(ident_match(&R, name));
		name[IDENT_NAME_MAX - 1] = 'b';
		assert_true(ident_match(&R, name));
	}
}

static void test_exact_and_glob(void **state)
{
	(void)state;
	add("*.lab.example.com");
	add("boss.example.com");
	ident_finish(&R);
	assert_true(ident_match(&R, "boss.example.com"));
	assert_true(ident_match(&R, "pc.lab.example.com"));
	assert_false(ident_match(&R, "intern.example.com"));
}

static void test_add_invalid(void **state)
{
	char name[IDENT_NAME_MAX + 2];

	(void)state;
	add_fails("", "empty name");
	add_fails(NULL, "empty name");
	add_fails("pc 1.example.com", "space in name");
	add_fails(" pc1", "space in name");
	add_fails("pc\t1", "space in name");
	add_fails("pc\n1", "control character in name");
	add_fails("pc\x01", "control character in name");
	add_fails("pc\x7f", "control character in name");
	add_fails("p\xc3\xa9.example.com", "non-ASCII character in name");
	memset(name, 'a', IDENT_NAME_MAX + 1);
	name[IDENT_NAME_MAX + 1] = '\0';
	add_fails(name, "name longer than 253 characters");
	name[IDENT_NAME_MAX] = '\0';
	add(name); /* exactly the limit */
	/* no error buffer, or a small one */
	assert_int_equal(ident_add(&R, "", NULL, 0), -1);
	{
		char err[6];

		assert_int_equal(ident_add(&R, "a b", err, sizeof(err)), -1);
		assert_string_equal(err, "space");
	}
	assert_int_equal(R.nexact, 1);
	ident_finish(&R);
	assert_true(ident_match(&R, name));
}

static void test_match_invalid(void **state)
{
	char name[IDENT_NAME_MAX + 2];

	(void)state;
	add("*");
	add("*.*");
	ident_finish(&R);
	assert_true(ident_match(&R, "anything"));
	assert_false(ident_match(&R, NULL));
	assert_false(ident_match(&R, ""));
	assert_false(ident_match(&R, "O=Example, CN=pc1")); /* a subject with spaces */
	assert_false(ident_match(&R, "pc1\n"));
	assert_false(ident_match(&R, "pc1\r"));
	assert_false(ident_match(&R, "pc\x1b[0m"));
	assert_false(ident_match(&R, "p\xc3\xa9"));
	memset(name, 'a', IDENT_NAME_MAX + 1);
	name[IDENT_NAME_MAX + 1] = '\0';
	assert_false(ident_match(&R, name));
	name[IDENT_NAME_MAX] = '\0';
	assert_true(ident_match(&R, name));
}

static void test_text(void **state)
{
	static const char list[] = "# managed machines\n"
				   "\n"
				   "pc1.corp.example.com\n"
				   "   PC2.corp.example.com   \n"
				   "\tpc3.corp.example.com\t# third floor\n"
				   "pc4.corp.example.com\r\n"
				   "   # an indented comment\n"
				   "*.lab.example.com\n"
				   "odd#name\n"
				   "last.example.com";
	char err[128] = "";

	(void)state;
	assert_int_equal(text(list, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	ident_finish(&R);
	assert_int_equal(R.nexact, 6);
	assert_int_equal(R.nglob, 1);
	assert_true(ident_match(&R, "pc1.corp.example.com"));
	assert_true(ident_match(&R, "pc2.corp.example.com"));
	assert_true(ident_match(&R, "pc3.corp.example.com"));
	assert_true(ident_match(&R, "pc4.corp.example.com"));
	assert_true(ident_match(&R, "x.lab.example.com"));
	assert_true(ident_match(&R, "odd#name"));
	assert_true(ident_match(&R, "last.example.com"));
	assert_false(ident_match(&R, "#"));
	assert_false(ident_match(&R, "managed"));
	assert_false(ident_match(&R, "third"));
}

static void test_text_bad(void **state)
{
	char err[128] = "";

	(void)state;
	assert_int_equal(
	    text("a.example.com\n\nb c.example.com\nd.example.com\n", err, sizeof(err)), -1);
	assert_string_equal(err, "line 3: space in name");
	/* what came before stays; nothing after */
	ident_finish(&R);
	assert_true(ident_match(&R, "a.example.com"));
	assert_false(ident_match(&R, "d.example.com"));
	ident_free(&R);
	assert_int_equal(text("ok\nbad\x01name\n", err, sizeof(err)), -1);
	assert_string_equal(err, "line 2: control character in name");
	ident_free(&R);
	{
		/* a NUL byte inside the text is a control character, not an end */
		static const char nul[] = "one\ntw\0o\nthree\n";

		assert_int_equal(ident_add_text(&R, nul, sizeof(nul) - 1, err, sizeof(err)), -1);
		assert_string_equal(err, "line 2: control character in name");
	}
	ident_free(&R);
	{
		char *long_line = malloc(400);

		assert_non_null(long_line);
		memcpy(long_line, "x\n", 2);
		memset(long_line + 2, 'a', 300);
		long_line[302] = '\n';
		assert_int_equal(ident_add_text(&R, long_line, 303, err, sizeof(err)), -1);
		assert_string_equal(err, "line 2: name longer than 253 characters");
		free(long_line);
	}
	ident_free(&R);
	assert_int_equal(text("caf\xc3\xa9\n", err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: non-ASCII character in name");
}

/* Many names: the sorted list and its bisection, and the IDENT_FILE_LINES bound. */
static void test_many(void **state)
{
	const size_t n = IDENT_FILE_LINES;
	size_t i, len = 0, cap = (n + 4) * 32;
	char *buf = malloc(cap), name[32], err[128] = "";

	(void)state;
	assert_non_null(buf);
	/* in descending order, so the sort has work to do */
	for (i = n; i > 0; i--)
		len += (size_t)snprintf(buf + len, cap - len, "PC%06zu.corp.example.com\n", i);
	assert_int_equal(ident_add_text(&R, buf, len, err, sizeof(err)), 0);
	ident_finish(&R);
	assert_int_equal(R.nexact, n);
	for (i = 1; i <= n; i += 997) {
		snprintf(name, sizeof(name), "pc%06zu.corp.example.com", i);
		assert_true(ident_match(&R, name));
	}
	assert_true(ident_match(&R, "pc000001.corp.example.com"));
	assert_true(ident_match(&R, "pc200000.corp.example.com"));
	assert_false(ident_match(&R, "pc000000.corp.example.com"));
	assert_false(ident_match(&R, "pc200001.corp.example.com"));
	assert_false(ident_match(&R, "pc0000010.corp.example.com"));
	/* one name more than a file may hold, comments and blank lines not counted */
	ident_free(&R);
	len = 0;
	len += (size_t)snprintf(buf + len, cap - len, "# header\n\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "h%zu\n", i);
	assert_int_equal(ident_add_text(&R, buf, len, err, sizeof(err)), 0);
	ident_free(&R);
	len += (size_t)snprintf(buf + len, cap - len, "one-too-many\n");
	assert_int_equal(ident_add_text(&R, buf, len, err, sizeof(err)), -1);
	assert_string_equal(err, "line 200003: more than 200000 names");
	free(buf);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_empty),	 T(test_exact),		T(test_duplicates_and_late_add),
	    T(test_glob),	 T(test_glob_edges),	T(test_exact_and_glob),
	    T(test_add_invalid), T(test_match_invalid), T(test_text),
	    T(test_text_bad),	 T(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
