/* SPDX-License-Identifier: ISC */
/* Unit tests for lib/sbuf: printf growth and JSON string escaping (RFC 8259 §7). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lib/sbuf.h"

static void test_printf_grows(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	for (int i = 0; i < 1000; i++)
		sbuf_printf(&b, "%04d,", i);
	assert_int_equal(b.len, 5000);
	assert_false(b.err);
	assert_memory_equal(b.p + 4995, "0999,", 5);
	assert_int_equal(b.p[b.len], '\0');
	sbuf_free(&b);
}

static void check_json(const char *in, const char *want)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_json_str(&b, in);
	assert_string_equal(b.p, want);
	sbuf_free(&b);
}

static void test_json_escapes(void **state)
{
	(void)state;
	check_json("plain", "\"plain\"");
	check_json("a\"b\\c", "\"a\\\"b\\\\c\"");
	check_json("tab\there\nnl\x01", "\"tab\\u0009here\\u000anl\\u0001\"");
	check_json("caf\xc3\xa9", "\"caf\xc3\xa9\"");		 /* valid UTF-8 kept */
	check_json("bad\xff\xc3", "\"bad\\ufffd\\ufffd\"");	 /* invalid replaced */
	check_json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate refused */
	check_json("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""); /* overlong refused */
	check_json("", "\"\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_printf_grows),
	    cmocka_unit_test(test_json_escapes),
	};

	return cmocka_run_group_tests_name("sbuf", tests, NULL, NULL);
}
