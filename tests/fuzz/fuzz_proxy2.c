/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for proto/proxy2. The input is the start of a connection from a balancer.
 * It is parsed as given, and again behind the v2 signature and a PROXY command byte (so the
 * fuzzer spends its time past the signature). For each, checks:
 *  - the result's shape: ERROR has a reason and nothing else; OK has consumed == 16 + length
 *    <= PROXY2_MAX and <= len, the signature and version 2 in front, addresses equal to the
 *    block's bytes for TCP over IPv4/IPv6, a NUL-terminated printable CN, certificate flags
 *    only with ssl; INCOMPLETE only below PROXY2_MAX bytes, on a signature prefix;
 *  - prefixes: below an OK header's end every prefix is INCOMPLETE and from its end on every
 *    longer input gives the same result (trailing bytes are never the header's); an input
 *    that is an ERROR is INCOMPLETE up to some byte and ERROR from there on, never OK; an
 *    INCOMPLETE input has only INCOMPLETE prefixes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "proto/proxy2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static const uint8_t sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
				0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void check_addrs(const uint8_t *p, const struct proxy2_result *r)
{
	uint8_t fam = p[13];

	if (r->local || (fam >> 4) == 0) {
		CHECK(r->src.ss_family == AF_UNSPEC && r->srclen == 0 && r->dstlen == 0);
		CHECK(!r->ssl && !r->ssl_client_cert && r->ssl_cn[0] == '\0');
		return;
	}
	CHECK(fam == 0x11 || fam == 0x21);
	if (fam == 0x11) {
		struct sockaddr_in s, d;

		CHECK(r->consumed >= 28 && r->srclen == sizeof(s) && r->dstlen == sizeof(s));
		memcpy(&s, &r->src, sizeof(s));
		memcpy(&d, &r->dst, sizeof(d));
		CHECK(s.sin_family == AF_INET && d.sin_family == AF_INET);
		CHECK(memcmp(&s.sin_addr, p + 16, 4) == 0 && memcmp(&d.sin_addr, p + 20, 4) == 0);
		CHECK(memcmp(&s.sin_port, p + 24, 2) == 0 && memcmp(&d.sin_port, p + 26, 2) == 0);
	} else {
		struct sockaddr_in6 s, d;

		CHECK(r->consumed >= 52 && r->srclen == sizeof(s) && r->dstlen == sizeof(s));
		memcpy(&s, &r->src, sizeof(s));
		memcpy(&d, &r->dst, sizeof(d));
		CHECK(s.sin6_family == AF_INET6 && d.sin6_family == AF_INET6);
		CHECK(memcmp(&s.sin6_addr, p + 16, 16) == 0 &&
		      memcmp(&d.sin6_addr, p + 32, 16) == 0);
		CHECK(memcmp(&s.sin6_port, p + 48, 2) == 0 && memcmp(&d.sin6_port, p + 50, 2) == 0);
	}
}

static void check_shape(const uint8_t *p, size_t len, enum proxy2_status st,
			const struct proxy2_result *r)
{
	size_t n = len < 12 ? len : 12;

	if (st == PROXY2_ERROR) {
		struct proxy2_result z;

		CHECK(r->error != NULL && r->error[0] != '\0');
		memcpy(&z, r, sizeof(z));
		z.error = NULL;
		CHECK(all_zero(&z, sizeof(z)));
		return;
	}
	CHECK(r->error == NULL);
	CHECK(memcmp(p, sig, n) == 0);
	if (st == PROXY2_INCOMPLETE) {
		CHECK(st == PROXY2_INCOMPLETE && len < PROXY2_MAX);
		CHECK(r->consumed == 0 && r->src.ss_family == AF_UNSPEC);
		return;
	}
	CHECK(st == PROXY2_OK);
	CHECK(len >= 16 && p[12] >> 4 == 2 && (p[12] & 0x0f) <= 1);
	CHECK(r->local == ((p[12] & 0x0f) == 0));
	CHECK(r->consumed == 16 + ((size_t)p[14] << 8 | p[15]));
	CHECK(r->consumed <= len && r->consumed <= PROXY2_MAX);
	CHECK(!r->ssl_client_cert || r->ssl);
	CHECK(memchr(r->ssl_cn, '\0', sizeof(r->ssl_cn)) != NULL);
	for (const char *c = r->ssl_cn; *c; c++)
		CHECK((uint8_t)*c >= 0x20 && (uint8_t)*c != 0x7f);
	check_addrs(p, r);
}

static bool same(const struct proxy2_result *a, const struct proxy2_result *b)
{
	return a->consumed == b->consumed && a->local == b->local && a->srclen == b->srclen &&
	       a->dstlen == b->dstlen && memcmp(&a->src, &b->src, sizeof(a->src)) == 0 &&
	       memcmp(&a->dst, &b->dst, sizeof(a->dst)) == 0 && a->ssl == b->ssl &&
	       a->ssl_client_cert == b->ssl_client_cert && a->ssl_verify == b->ssl_verify &&
	       strcmp(a->ssl_cn, b->ssl_cn) == 0;
}

static void run(const uint8_t *p, size_t len)
{
	static struct proxy2_result full, r;
	enum proxy2_status st = proxy2_parse(p, len, &full), pst;
	bool errored = false;
	size_t after = 0;

	check_shape(p, len, st, &full);
	/* Every prefix, and the input itself again; cheap below the header's end, so a few past
	 * it (where each call walks the whole header) are enough. */
	for (size_t n = 0; n <= len && after < 8; n++) {
		pst = proxy2_parse(p, n, &r);
		check_shape(p, n, pst, &r);
		if (st == PROXY2_INCOMPLETE)
			CHECK(pst == PROXY2_INCOMPLETE);
		else if (st == PROXY2_OK)
			CHECK(n < full.consumed ? pst == PROXY2_INCOMPLETE
						: pst == PROXY2_OK && same(&r, &full));
		else if (pst == PROXY2_ERROR)
			errored = true;
		else
			CHECK(pst == PROXY2_INCOMPLETE && !errored);
		if (pst != PROXY2_INCOMPLETE)
			after++;
	}
	if (st == PROXY2_ERROR)
		CHECK(errored);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[PROXY2_MAX + 64];
	size_t n = size < sizeof(buf) - 13 ? size : sizeof(buf) - 13;

	run(data, size);
	memcpy(buf, sig, sizeof(sig));
	buf[12] = 0x21;
	memcpy(buf + 13, data, n);
	run(buf, 13 + n);
	return 0;
}
