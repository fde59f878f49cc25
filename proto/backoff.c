/* SPDX-License-Identifier: ISC */
/*
 * backoff: the reconnect schedule of [MS-IPHTTPS] §3.1.2.1 as Windows implements it
 * (ms-iphttps.md §4.1): first failure -> base, remember when; later -> clamp(now - first
 * failure, min, cap); success -> reset. With T the time an attempt takes to fail the waits are
 * 30, 30+T, 60+3T, 120+7T ... s, which the spec rounds to "30, 30+T, 60+2T, 120+3T ... up to
 * 15 minutes, every 15 minutes thereafter". No clock reads: time comes from the caller.
 */
#include "proto/backoff.h"

#include <string.h>

void backoff_init(struct backoff *b, uint32_t base_ms, uint32_t cap_ms)
{
	memset(b, 0, sizeof(*b));
	b->cap_ms = cap_ms ? cap_ms : BACKOFF_CAP_MS;
	b->base_ms = base_ms ? base_ms : BACKOFF_BASE_MS;
	if (b->base_ms > b->cap_ms)
		b->base_ms = b->cap_ms;
	b->min_ms = BACKOFF_MIN_MS < b->cap_ms ? BACKOFF_MIN_MS : b->cap_ms;
}

uint64_t backoff_failure(struct backoff *b, uint64_t now_ms)
{
	uint64_t elapsed;

	if (b->failures < UINT32_MAX)
		b->failures++;
	if (!b->running) {
		/* "The first failure marks the beginning of the reconnection algorithm." */
		b->running = true;
		b->first_fail_ms = now_ms;
		return b->base_ms;
	}
	/* A caller's clock that went backwards counts as no time elapsed, not as years. */
	elapsed = now_ms > b->first_fail_ms ? now_ms - b->first_fail_ms : 0;
	if (elapsed < b->min_ms)
		return b->min_ms;
	if (elapsed > b->cap_ms)
		return b->cap_ms;
	return elapsed;
}

void backoff_success(struct backoff *b)
{
	b->running = false;
	b->first_fail_ms = 0;
	b->failures = 0;
}
