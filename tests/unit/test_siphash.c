/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/siphash: the reference vector of the SipHash paper (Appendix A's key
 * 00..0f; the 16-byte message 00..0f is entry 16 of the authors' vectors table) and that the
 * key matters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "proto/siphash.h"

static void test_reference_vector(void **state)
{
	uint8_t key[16], msg[16];
	struct siphash_key k;

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = msg[i] = (uint8_t)i;
	siphash_key_init(&k, key);
	assert_int_equal(k.k0, 0x0706050403020100ULL);
	assert_int_equal(k.k1, 0x0f0e0d0c0b0a0908ULL);
	assert_int_equal(siphash16(&k, msg), 0x3f2acc7f57c29bdbULL);
}

static void test_key_matters(void **state)
{
	uint8_t key[16] = {0}, msg[16] = {0};
	struct siphash_key a, b;

	(void)state;
	siphash_key_init(&a, key);
	key[15] = 1;
	siphash_key_init(&b, key);
	assert_int_not_equal(siphash16(&a, msg), siphash16(&b, msg));
	msg[0] = 1;
	assert_int_not_equal(siphash16(&a, msg), siphash16(&b, msg));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reference_vector),
	    cmocka_unit_test(test_key_matters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
