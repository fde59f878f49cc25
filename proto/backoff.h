/* SPDX-License-Identifier: ISC */
/*
 * backoff: the IP-HTTPS client's reconnect timer ([MS-IPHTTPS] §3.1.2.1, ms-iphttps.md §4.1).
 * The first failure waits base (30 s); every later one waits the time elapsed since that first
 * failure, at least min (1 s) and at most cap (15 min); a success starts over. Pure: the caller
 * passes a monotonic "now" in milliseconds and arms its own timer with the delay returned.
 *
 * It does not decide which failures count: Windows reconnects at once, outside this schedule,
 * after a certificate-list change or a null-to-default cipher flip (ms-iphttps.md §3.3, §3.4).
 */
#ifndef PROTO_BACKOFF_H
#define PROTO_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#define BACKOFF_BASE_MS 30000u	/* [MS-IPHTTPS] §3.1.2.1: "initial timeout of 30 seconds" */
#define BACKOFF_CAP_MS	900000u /* "up to a maximum timeout of 15 minutes" */
#define BACKOFF_MIN_MS	1000u	/* Windows never waits less than 1 s (ms-iphttps.md §4.1) */

struct backoff {
	uint32_t base_ms, cap_ms, min_ms;
	bool running;		/* a failure happened since the last success */
	uint64_t first_fail_ms; /* when, in the caller's clock; valid while running */
	uint32_t failures;	/* consecutive failures since the last success (saturates) */
};

/*
 * base_ms 0 or cap_ms 0 take the defaults (30 s, 15 min). Tests and the client may pass smaller
 * values (base 1000, cap 5000). Kept consistent whatever is passed: base and min never exceed
 * cap.
 */
void backoff_init(struct backoff *b, uint32_t base_ms, uint32_t cap_ms);
/* A connection attempt failed, or an up link was lost, at now_ms: the delay before the next. */
uint64_t backoff_failure(struct backoff *b, uint64_t now_ms);
/* The server answered 200 ([MS-IPHTTPS] §3.1.2.1: "A successful HTTPS connection resets"). */
void backoff_success(struct backoff *b);

#endif
