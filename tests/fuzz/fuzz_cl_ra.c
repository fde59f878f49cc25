/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for iphttps/cl_ra: the client's check of Router Advertisements from the
 * gateway (untrusted bytes) before the kernel sees them. Invariants: never reads out of bounds
 * (ASan), a verdict in range with a name for every refusal, and an RA passed to the kernel
 * (CL_RA_OK) really keeps the promises the client relies on: router lifetime at most 9000 s, a
 * usable prefix only as a /64 with preferred <= valid.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iphttps/cl_ra.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cl_ra_info info;
	enum cl_ra_verdict v;

	memset(&info, 0x5a, sizeof(info));
	v = cl_ra_check(data, size, &info);
	CHECK(v >= CL_RA_NOT_RA && v <= CL_RA_PREFIX_LIFETIMES);
	/* Refusals are logged by name; "" only for the two verdicts that pass the packet on. */
	CHECK(cl_ra_verdict_str(v) &&
	      (*cl_ra_verdict_str(v) || v == CL_RA_NOT_RA || v == CL_RA_OK));
	if (v == CL_RA_OK) {
		CHECK(size >= 40 + 16);
		CHECK(info.router_lifetime <= CL_RA_ROUTER_LIFETIME_MAX);
		if (info.usable_prefix)
			CHECK(info.preferred <= info.valid && info.valid > 0);
	}
	return 0;
}
