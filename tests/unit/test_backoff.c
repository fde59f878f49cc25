/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/backoff, the reconnect timer of [MS-IPHTTPS] §3.1.2.1 as Windows runs it
 * (ms-iphttps.md §4.1): the spec's example sequence (30 s, 30+T, ... up to 15 min, then every
 * 15 min) with instant failures and with failures taking T; reset on success; the 1 s minimum;
 * small base/cap values as tests and the client use; parameter clamping; a clock going back;
 * counters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "proto/backoff.h"

#define SEC 1000u

static void test_defaults(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 0, 0);
	assert_int_equal(b.base_ms, 30 * SEC);
	assert_int_equal(b.cap_ms, 15 * 60 * SEC);
	assert_int_equal(b.min_ms, 1 * SEC);
	assert_false(b.running);
	assert_int_equal(b.failures, 0);
}

/*
 * Simulates the client: a failure at `now`, wait the delay, attempt, fail after t_ms. Stores
 * the delays and the attempt start times, measured from the first failure.
 */
static void run(struct backoff *b, uint64_t start, uint64_t t_ms, size_t n, uint64_t *delay,
		uint64_t *attempt_at)
{
	uint64_t now = start;

	for (size_t i = 0; i < n; i++) {
		delay[i] = backoff_failure(b, now);
		attempt_at[i] = now + delay[i] - start;
		now += delay[i] + t_ms;
	}
}

/*
 * [MS-IPHTTPS] §3.1.2.1 with attempts failing at once (T = 0): attempts 30, 60, 120, 240,
 * 480 s after the first failure, the wait doubling until it reaches 15 minutes, then every
 * 15 minutes.
 */
static void test_spec_instant_failures(void **state)
{
	static const uint64_t want_delay[] = {30, 30, 60, 120, 240, 480, 900, 900, 900};
	static const uint64_t want_at[] = {30, 60, 120, 240, 480, 960, 1860, 2760, 3660};
	uint64_t delay[9], at[9];
	struct backoff b;

	(void)state;
	backoff_init(&b, 0, 0);
	run(&b, 5000000, 0, 9, delay, at);
	for (size_t i = 0; i < 9; i++) {
		assert_int_equal(delay[i], want_delay[i] * SEC);
		assert_int_equal(at[i], want_at[i] * SEC);
	}
	assert_int_equal(b.failures, 9);
	assert_true(b.running);
}

/*
 * The same with attempts taking T = 5 s to fail. The spec lists the waits as "30, 30+T, 60+2T,
 * 120+3T ... seconds"; the rule it states ("time elapsed since the beginning of the algorithm")
 * gives exactly 30, 30+T, 60+3T, 120+7T, 240+15T: the spec's k-th figure plus (2^(k-1)-k)T,
 * "about" the spec's list. Then the 15 minute cap.
 */
static void test_spec_with_attempt_time(void **state)
{
	const uint64_t t = 5 * SEC;
	const uint64_t spec[] = {30 * SEC, 30 * SEC + t, 60 * SEC + 2 * t, 120 * SEC + 3 * t,
				 240 * SEC + 4 * t};
	const uint64_t exact[] = {30 * SEC, 30 * SEC + t, 60 * SEC + 3 * t, 120 * SEC + 7 * t,
				  240 * SEC + 15 * t};
	uint64_t delay[10], at[10];
	struct backoff b;

	(void)state;
	backoff_init(&b, 0, 0);
	run(&b, 0, t, 10, delay, at);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(delay[i], exact[i]);
		assert_true(delay[i] >= spec[i]);
		assert_true(delay[i] - spec[i] <= ((1u << i) - 1 - i) * t);
	}
	/* 480+31T = 635 s, then 1270 s elapsed: capped at 15 minutes from there on. */
	assert_int_equal(delay[5], 480 * SEC + 31 * t);
	for (size_t i = 6; i < 10; i++)
		assert_int_equal(delay[i], 900 * SEC);
}

static void test_reset_on_success(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 0, 0);
	assert_int_equal(backoff_failure(&b, 0), 30 * SEC);
	assert_int_equal(backoff_failure(&b, 30 * SEC), 30 * SEC);
	assert_int_equal(backoff_failure(&b, 60 * SEC), 60 * SEC);
	assert_int_equal(b.failures, 3);

	/* The 200 arrives: "A successful HTTPS connection resets the timer." */
	backoff_success(&b);
	assert_false(b.running);
	assert_int_equal(b.failures, 0);

	/* Hours later the link drops: a new first failure, 30 s again, measured from now. */
	assert_int_equal(backoff_failure(&b, 7200 * SEC), 30 * SEC);
	assert_int_equal(b.first_fail_ms, 7200 * SEC);
	assert_int_equal(backoff_failure(&b, 7230 * SEC), 30 * SEC);
	assert_int_equal(b.failures, 2);
}

/* Windows waits at least 1 s: a second failure right after the first (an immediate retry
   outside the schedule, e.g. the cipher flip of ms-iphttps.md §3.4) does not spin. */
static void test_minimum(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 0, 0);
	assert_int_equal(backoff_failure(&b, 100 * SEC), 30 * SEC);
	assert_int_equal(backoff_failure(&b, 100 * SEC), 1 * SEC);
	assert_int_equal(backoff_failure(&b, 100 * SEC + 999), 1 * SEC);
	assert_int_equal(backoff_failure(&b, 100 * SEC + 1001), 1001);
}

/* Small values, as the end-to-end tests run the client: base 1 s, cap 5 s, T = 200 ms. */
static void test_small_values(void **state)
{
	static const uint64_t want[] = {1000, 1200, 2600, 5000, 5000, 5000};
	uint64_t delay[6], at[6];
	struct backoff b;

	(void)state;
	backoff_init(&b, 1000, 5000);
	assert_int_equal(b.base_ms, 1000);
	assert_int_equal(b.cap_ms, 5000);
	assert_int_equal(b.min_ms, 1000);
	run(&b, 42, 200, 6, delay, at);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(delay[i], want[i]);
	backoff_success(&b);
	assert_int_equal(backoff_failure(&b, 100000), 1000);
}

/* Parameters that contradict each other are made consistent, never a delay above the cap. */
static void test_clamping(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 60000, 5000); /* base above cap */
	assert_int_equal(b.base_ms, 5000);
	assert_int_equal(backoff_failure(&b, 0), 5000);

	backoff_init(&b, 100, 500); /* cap below the 1 s minimum */
	assert_int_equal(b.min_ms, 500);
	assert_int_equal(backoff_failure(&b, 0), 100); /* the first wait is base, as asked */
	assert_int_equal(backoff_failure(&b, 10), 500);
	assert_int_equal(backoff_failure(&b, 100000), 500);

	backoff_init(&b, 200, 0); /* default cap, base below the minimum */
	assert_int_equal(b.cap_ms, 900 * SEC);
	assert_int_equal(backoff_failure(&b, 0), 200);
	assert_int_equal(backoff_failure(&b, 300), 1000);
}

/* A clock behind the first failure counts as no time elapsed; huge clocks do not overflow. */
static void test_clock_edges(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 0, 0);
	assert_int_equal(backoff_failure(&b, 50 * SEC), 30 * SEC);
	assert_int_equal(backoff_failure(&b, 10 * SEC), 1 * SEC);

	backoff_init(&b, 0, 0);
	assert_int_equal(backoff_failure(&b, UINT64_MAX - 5000), 30 * SEC);
	assert_int_equal(backoff_failure(&b, UINT64_MAX), 5000);
}

static void test_failures_saturate(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, 0, 0);
	backoff_failure(&b, 0);
	b.failures = UINT32_MAX - 1;
	backoff_failure(&b, 1000 * SEC);
	assert_int_equal(b.failures, UINT32_MAX);
	assert_int_equal(backoff_failure(&b, 2000 * SEC), 900 * SEC);
	assert_int_equal(b.failures, UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_spec_instant_failures),
	    cmocka_unit_test(test_spec_with_attempt_time),
	    cmocka_unit_test(test_reset_on_success),
	    cmocka_unit_test(test_minimum),
	    cmocka_unit_test(test_small_values),
	    cmocka_unit_test(test_clamping),
	    cmocka_unit_test(test_clock_edges),
	    cmocka_unit_test(test_failures_saturate),
	};

	return cmocka_run_group_tests_name("backoff", tests, NULL, NULL);
}
