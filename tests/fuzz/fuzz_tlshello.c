/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for proto/tlshello. The input is what a server sent back to a ClientHello;
 * its first bytes also pick a ClientHello to build. Checked:
 *  - the answer's shape: a known kind; why set exactly for NOT_TLS and MALFORMED; NOT_TLS
 *    carries nothing else; alert fields only with ALERT, or with a DHE SERVER_HELLO under
 *    want_dh; dh is tlshello_suite_is_dhe(suite); dh_bits only for a DHE SERVER_HELLO under
 *    want_dh, at most 8 * 65535; HRR and SERVER_HELLO name a 3.x-or-later version;
 *  - prefixes: INCOMPLETE up to some length, from there on the answer of the whole input
 *    (every prefix around a record end and in the first header, and a sample);
 *  - want_dh changes nothing unless the ServerHello chose a DHE suite, and then keeps its
 *    version and suite;
 *  - reframing: an input of whole handshake records gives the same answer when its handshake
 *    bytes are cut into records of another size (messages across records, several per record);
 *  - the builder never writes past cap, returns 0 or one handshake record whose three length
 *    fields agree and which is never 256-511 bytes (RFC 7685 §4), carries the SNI verbatim,
 *    is the same bytes with a larger cap, and is not a server's answer (MALFORMED).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tlshello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#define SAMPLES 64 /* prefixes parsed besides those at record ends */

static bool same(const struct tlshello_answer *a, const struct tlshello_answer *b)
{
	return a->kind == b->kind && a->version == b->version && a->suite == b->suite &&
	       a->alert_level == b->alert_level && a->alert_desc == b->alert_desc &&
	       a->dh == b->dh && a->dh_bits == b->dh_bits &&
	       (a->why == b->why || (a->why && b->why && strcmp(a->why, b->why) == 0));
}

static void check_shape(const struct tlshello_answer *a, enum tlshello_kind k, bool want_dh)
{
	bool hello = a->kind == TLSHELLO_SERVER_HELLO || a->kind == TLSHELLO_HRR;

	CHECK(k == a->kind && k <= TLSHELLO_MALFORMED);
	CHECK((a->why != NULL) == (k == TLSHELLO_NOT_TLS || k == TLSHELLO_MALFORMED));
	CHECK(a->why == NULL || a->why[0] != '\0');
	if (k == TLSHELLO_NOT_TLS)
		CHECK(a->version == 0 && a->suite == 0 && !a->dh && a->alert_level == 0 &&
		      a->alert_desc == 0);
	CHECK(a->dh == (a->dh && tlshello_suite_is_dhe(a->suite)));
	if (hello)
		CHECK(a->version >> 8 >= 3 && a->dh == tlshello_suite_is_dhe(a->suite));
	if (a->alert_level || a->alert_desc)
		CHECK(k == TLSHELLO_ALERT || (k == TLSHELLO_SERVER_HELLO && want_dh && a->dh));
	if (a->dh_bits)
		CHECK(k == TLSHELLO_SERVER_HELLO && want_dh && a->dh && a->dh_bits <= 8u * 65535);
	CHECK(!(a->dh_bits && (a->alert_level || a->alert_desc))); /* an alert stops before */
}

static enum tlshello_kind parse(const uint8_t *p, size_t n, bool want_dh, struct tlshello_answer *a)
{
	enum tlshello_kind k = tlshello_parse(p, n, want_dh, a);

	check_shape(a, k, want_dh);
	return k;
}

/* One prefix: INCOMPLETE (then nothing was decided at a shorter one), or the whole input's
 * answer. *decided_at is the shortest decided prefix seen so far. */
static void check_prefix(const uint8_t *p, size_t n, bool want_dh,
			 const struct tlshello_answer *full, size_t *decided_at)
{
	struct tlshello_answer a;

	if (parse(p, n, want_dh, &a) == TLSHELLO_INCOMPLETE) {
		CHECK(n < *decided_at);
		CHECK(a.why == NULL);
	} else {
		if (n < *decided_at)
			*decided_at = n;
		CHECK(same(&a, full));
	}
}

/*
 * INCOMPLETE below some length, the whole input's answer from there on. A verdict can only
 * change where a record ends (records are read whole) or within the first record header (the
 * byte-by-byte NOT_TLS check), so those prefixes are all checked, in increasing order, with
 * a sample of the rest: the pass stays linear in the number of records.
 */
static void check_prefixes(const uint8_t *p, size_t len, bool want_dh,
			   const struct tlshello_answer *full)
{
	size_t decided_at = SIZE_MAX, step = len / SAMPLES + 1, next = 0, off = 0, n;

	for (n = 0; n <= len; n++) {
		bool edge = n < 8 || n + 1 == off || n == off || n == off + 1 || n == len;

		if (n == off + 1 && len - off >= 5)
			off += 5 + ((size_t)p[off + 3] << 8 | p[off + 4]); /* next record's end */
		if (!edge && n < next)
			continue;
		if (n >= next)
			next = n + step;
		check_prefix(p, n, want_dh, full, &decided_at);
	}
	if (full->kind == TLSHELLO_INCOMPLETE)
		CHECK(decided_at == SIZE_MAX);
}

/* The handshake bytes of an input made of whole handshake records only, in records of k
 * bytes with the first record's header bytes; 0 if the input is not such. */
static size_t reframe(const uint8_t *p, size_t len, size_t k, uint8_t *out, size_t cap)
{
	static uint8_t hs[65536];
	size_t off = 0, n = 0, o = 0, rl;

	while (off < len) {
		if (len - off < 5 || p[off] != 22 || p[off + 1] != 3)
			return 0;
		rl = (size_t)p[off + 3] << 8 | p[off + 4];
		if (rl == 0 || rl > 16384 + 2048 || len - off - 5 < rl || n + rl > sizeof(hs))
			return 0;
		memcpy(hs + n, p + off + 5, rl);
		n += rl;
		off += 5 + rl;
	}
	if (n == 0)
		return 0;
	for (size_t at = 0; at < n; at += k) {
		size_t m = n - at < k ? n - at : k;

		if (cap - o < 5 + m)
			return 0;
		memcpy(out + o, p, 3);
		out[o + 3] = (uint8_t)(m >> 8);
		out[o + 4] = (uint8_t)m;
		memcpy(out + o + 5, hs + at, m);
		o += 5 + m;
	}
	return o;
}

static void check_reframed(const uint8_t *p, size_t len)
{
	static uint8_t out[TLSHELLO_PARSE_MAX - 1];
	struct tlshello_answer a, b;
	size_t k = 1 + len % 67, n;

	for (int dh = 0; dh < 2; dh++) {
		n = reframe(p, len, k, out, sizeof(out));
		if (n == 0)
			return;
		parse(p, len, dh, &a);
		parse(out, n, dh, &b);
		CHECK(same(&a, &b));
	}
}

static void check_want_dh(const struct tlshello_answer *no, const struct tlshello_answer *yes)
{
	if (no->kind == TLSHELLO_SERVER_HELLO && no->dh) {
		CHECK(yes->kind == TLSHELLO_INCOMPLETE || yes->kind == TLSHELLO_SERVER_HELLO ||
		      yes->kind == TLSHELLO_MALFORMED);
		CHECK(yes->version == no->version && yes->suite == no->suite && yes->dh);
		CHECK(no->dh_bits == 0 && no->alert_level == 0 && no->alert_desc == 0);
	} else {
		CHECK(same(no, yes));
	}
}

/* The builder, driven by the input: set, cap, SNI, randomness. */
static void check_build(const uint8_t *data, size_t size)
{
	static uint8_t out[TLSHELLO_HELLO_MAX + 64], again[TLSHELLO_HELLO_MAX];
	struct tlshello_opts o = {0};
	struct tlshello_answer a;
	char sni[300];
	size_t cap, n, sl = 0;

	if (size < 3)
		return;
	o.set = (enum tlshello_set)(data[0] % 8); /* 7 is no set */
	cap = data[1] == 0xff ? TLSHELLO_HELLO_MAX : (size_t)data[1] * 4;
	if (data[2] & 1) {
		sl = size - 3 < sizeof(sni) - 1 ? size - 3 : sizeof(sni) - 1;
		memcpy(sni, data + 3, sl);
		sni[sl] = '\0';
		sl = strlen(sni);
		o.sni = sni;
	}
	for (size_t i = 0; i < 32; i++) {
		o.random[i] = data[i % size];
		o.x25519[i] = data[(i * 7) % size];
	}
	memset(out, 0xa5, sizeof(out));
	n = tlshello_build(&o, out, cap);
	for (size_t i = cap; i < sizeof(out); i++)
		CHECK(out[i] == 0xa5);
	if (n == 0)
		return;
	CHECK(o.set <= TLSHELLO_DHE && n <= cap && n <= TLSHELLO_HELLO_MAX && n >= 9);
	CHECK(out[0] == 22 && out[1] == 3 && out[5] == 1);
	CHECK(((size_t)out[3] << 8 | out[4]) == n - 5);
	CHECK(((size_t)out[6] << 16 | (size_t)out[7] << 8 | out[8]) == n - 9);
	CHECK(n - 5 < 256 || n - 5 >= 512);
	if (o.sni && o.set != TLSHELLO_SSL3)
		CHECK(sl > 0 && memmem(out, n, sni, sl) != NULL);
	CHECK(tlshello_build(&o, again, sizeof(again)) == n && memcmp(again, out, n) == 0);
	CHECK(parse(out, n, true, &a) == TLSHELLO_MALFORMED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlshello_answer no, yes;

	parse(data, size, false, &no);
	parse(data, size, true, &yes);
	check_want_dh(&no, &yes);
	check_prefixes(data, size, false, &no);
	check_prefixes(data, size, true, &yes);
	check_reframed(data, size);
	check_build(data, size);
	return 0;
}
