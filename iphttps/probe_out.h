/* SPDX-License-Identifier: ISC */
/*
 * probe_out: what the human report (probe_out.c) and --json (probe_json.c) share: a sealed
 * copy of the facts and the result, and the names both print. Internal to `iphttps probe`.
 */
#ifndef IPHTTPS_PROBE_OUT_H
#define IPHTTPS_PROBE_OUT_H

#include <stdbool.h>
#include <time.h>

#include "iphttps/probe.h"
#include "proto/probe.h"
#include "proto/winerr.h"

/* Everything both forms print, sealed once. */
struct probe_out_view {
	struct probe_facts f;
	struct probe_result r;
	char target[sizeof(((struct probe_opts *)0)->url_text)];
	const struct winerr_info *w;
	char wname[32];
	char whex[16]; /* "0x800B0109" */
};

/* Seals copies of p's facts and r (every string terminated, every count clamped). */
void probe_out_view_init(struct probe_out_view *v, const struct probe *p,
			 const struct probe_result *r);
/* "yes", "no", "unknown". */
const char *probe_out_iphttps_name(enum probe_iphttps i);
/* "2026-12-07T02:00:00Z" */
void probe_out_time(time_t t, char *buf, size_t len);
bool probe_out_resolve_tried(const struct probe_facts *f);
/* gai_strerror of the failure, "the name has no address", or NULL. */
const char *probe_out_resolve_error(const struct probe_facts *f);

/* Why verification failed, in words ("" when the chain is good). */
void probe_out_verify_text(const struct probe_facts *f, char *buf, size_t len);

#endif
