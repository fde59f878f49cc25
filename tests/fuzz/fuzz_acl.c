/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for proto/acl (with proto/ip6). The input is:
 *
 *   byte 0      bit 0: set Payload Length from the packet's length (so more packets parse)
 *   byte 1      n, the length of the rule text
 *   n bytes     rule text: words split at spaces, tabs and NUL bytes (at most 16 words)
 *   the rest    one IPv6 packet
 *
 * Checked: acl_rule_parse either fails with a terminated one-line message or gives a rule
 * whose canonical text parses back to the same rule and is its own canonical text; that text
 * fits ACL_TEXT_MAX. acl_allows with a fixed rule set (the DirectAccess-like allow-list below)
 * agrees with the rules taken one at a time, an empty list and a list holding "any" allow
 * everything, and a packet that does not parse passes only by "any".
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/acl.h"
#include "proto/ip6.h"

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x)) {                                                                        \
			fprintf(stderr, "invariant failed: %s (line %d)\n", #x, __LINE__);         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define MAX_WORDS 16
#define PKT_MAX	  2048

static const char *const fixed_rules[] = {
    "to 2001:db8:9::/48 proto udp port 500",
    "to 2001:db8:9::/48 proto udp port 4500",
    "proto esp",
    "proto ah",
    "proto icmpv6 type 1-4",
    "to 2001:db8:5::/64 proto tcp port 8000-8080",
    "to 2001:db8:7::1",
    "to 2001:db8:1:1000::/64 proto icmpv6 type 128-129",
};

static bool rule_eq(const struct acl_rule *a, const struct acl_rule *b)
{
	return memcmp(&a->to, &b->to, 16) == 0 && a->to_len == b->to_len && a->proto == b->proto &&
	       a->port_lo == b->port_lo && a->port_hi == b->port_hi && a->type_lo == b->type_lo &&
	       a->type_hi == b->type_hi;
}

/* Splits text[0..n) into words in buf (NUL-terminated copies). */
static size_t split(const uint8_t *text, size_t n, char *buf, const char **w)
{
	size_t i, nw = 0;
	bool in = false;

	for (i = 0; i < n; i++) {
		bool sep = text[i] == ' ' || text[i] == '\t' || text[i] == '\0';

		buf[i] = sep ? '\0' : (char)text[i];
		if (!sep && !in && nw < MAX_WORDS)
			w[nw++] = &buf[i];
		in = !sep;
	}
	buf[n] = '\0';
	return nw;
}

/* Parses the same words the configuration would, then checks the canonical text. */
static void fuzz_parse(const uint8_t *text, size_t n, struct acl_rule *r, bool *ok)
{
	char buf[256 + 1], out[ACL_TEXT_MAX], out2[ACL_TEXT_MAX], err[128], copy[ACL_TEXT_MAX];
	const char *w[MAX_WORDS], *w2[MAX_WORDS];
	struct acl_rule r2;
	size_t nw;

	nw = split(text, n, buf, w);
	memset(err, 'x', sizeof(err));
	*ok = acl_rule_parse(r, w, nw, err, sizeof(err)) == 0;
	if (!*ok) {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(strchr(err, '\n') == NULL && strlen(err) > 0);
		return;
	}
	acl_rule_format(r, out, sizeof(out));
	CHECK(strlen(out) < sizeof(out) - 1);
	memcpy(copy, out, sizeof(out));
	nw = split((const uint8_t *)copy, strlen(copy), buf, w2);
	CHECK(acl_rule_parse(&r2, w2, nw, err, sizeof(err)) == 0);
	CHECK(rule_eq(r, &r2));
	CHECK(strcmp(acl_rule_format(&r2, out2, sizeof(out2)), out) == 0);
}

/* The rule "any": no part restricts anything. */
static bool is_any(const struct acl_rule *r)
{
	return r->to_len == 0 && r->proto < 0 && r->port_lo == 0 && r->port_hi == 65535 &&
	       r->type_lo == 0 && r->type_hi == 255;
}

static void fuzz_allows(const struct acl *fixed, const uint8_t *pkt, size_t len)
{
	struct acl one = {.n = 1}, none = {.n = 0};
	bool all, any = false, has_any = false;
	struct ip6_view v;
	size_t i;

	all = acl_allows(fixed, pkt, len);
	for (i = 0; i < fixed->n; i++) {
		one.rules[0] = fixed->rules[i];
		any |= acl_allows(&one, pkt, len);
		has_any |= is_any(&fixed->rules[i]);
	}
	CHECK(all == any);
	if (has_any)
		CHECK(all);
	else if (ip6_parse(&v, pkt, len))
		CHECK(!all);
	CHECK(acl_allows(&none, pkt, len));
	CHECK(acl_allows(NULL, pkt, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acl fixed, with_any;
	static uint8_t pkt[PKT_MAX];
	struct acl_rule r;
	size_t n, len, i;
	bool ok;

	if (fixed.n == 0) {
		for (i = 0; i < sizeof(fixed_rules) / sizeof(fixed_rules[0]); i++) {
			struct acl_rule *fr = &fixed.rules[fixed.n++];

			fuzz_parse((const uint8_t *)fixed_rules[i], strlen(fixed_rules[i]), fr,
				   &ok);
			CHECK(ok);
		}
	}
	if (size < 2)
		return 0;
	n = data[1];
	if (n > size - 2)
		n = size - 2;
	fuzz_parse(data + 2, n, &r, &ok);
	len = size - 2 - n;
	if (len > PKT_MAX)
		len = PKT_MAX;
	memcpy(pkt, data + 2 + n, len);
	if ((data[0] & 1) && len >= IP6_HDR_LEN) {
		pkt[4] = (uint8_t)((len - IP6_HDR_LEN) >> 8);
		pkt[5] = (uint8_t)(len - IP6_HDR_LEN);
	}
	fuzz_allows(&fixed, pkt, len);
	/* the input's own rule, alone and after the fixed ones */
	if (ok) {
		struct acl mine = {.n = 1};

		mine.rules[0] = r;
		(void)acl_allows(&mine, pkt, len);
		with_any = fixed;
		with_any.rules[with_any.n++] = r;
		fuzz_allows(&with_any, pkt, len);
	}
	/* "any" takes everything, parsed or not */
	with_any = fixed;
	fuzz_parse((const uint8_t *)"any", 3, &with_any.rules[with_any.n++], &ok);
	CHECK(ok && acl_allows(&with_any, pkt, len));
	return 0;
}
