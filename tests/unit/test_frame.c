/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/frame: the ms-iphttps.md §1.5 client stream (Router Solicitation then
 * DAD Neighbor Solicitation) fed whole, byte by byte and at every split point; zero-copy
 * delivery; the version check on the first byte; jumbograms; oversize packets cut to mtu and
 * skipped across calls; counters and the mtu clamp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "proto/frame.h"

/* ms-iphttps.md §1.5: RS fe80::8d3c:41ff:2a9b:1c07 -> ff02::2, 48 bytes. */
static const uint8_t rs[48] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x8d, 0x3c, 0x41, 0xff, 0x2a, 0x9b, 0x1c, 0x07, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x85, 0x00, 0x67, 0x59, 0x00, 0x00, 0x00, 0x00,
};

/* ms-iphttps.md §1.5: DAD NS :: -> ff02::1:ff9b:1c07, 64 bytes. */
static const uint8_t ns[64] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x3a, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0xff, 0x9b, 0x1c, 0x07, 0x87, 0x00, 0x0a, 0x6e, 0x00, 0x00, 0x00, 0x00,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x10, 0x00, 0x8d, 0x3c, 0x41, 0xff, 0x2a, 0x9b, 0x1c, 0x07,
};

#define MAX_SEEN 16

/* What the callbacks saw, with copies of the bytes (pointers die with the call). */
struct seen {
	size_t n;
	struct {
		bool oversize;
		const uint8_t *ptr; /* where the de-framer pointed, to check zero-copy */
		size_t len;	    /* packet: its length; oversize: headlen */
		size_t total;	    /* oversize: the packet's full length */
		uint8_t *bytes;
	} ev[MAX_SEEN];
};

static void record(struct seen *s, bool over, const uint8_t *p, size_t len, size_t total)
{
	assert_true(s->n < MAX_SEEN);
	s->ev[s->n].oversize = over;
	s->ev[s->n].ptr = p;
	s->ev[s->n].len = len;
	s->ev[s->n].total = total;
	s->ev[s->n].bytes = malloc(len);
	assert_non_null(s->ev[s->n].bytes);
	memcpy(s->ev[s->n].bytes, p, len);
	s->n++;
}

static void on_packet(void *arg, const uint8_t *pkt, size_t len)
{
	record(arg, false, pkt, len, len);
}

static void on_oversize(void *arg, const uint8_t *head, size_t headlen, size_t len)
{
	record(arg, true, head, headlen, len);
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->ev[i].bytes);
	s->n = 0;
}

static struct frame_cb callbacks(struct seen *s)
{
	return (struct frame_cb){.packet = on_packet, .oversize = on_oversize, .arg = s};
}

static void assert_packet(const struct seen *s, size_t i, const uint8_t *want, size_t len)
{
	assert_true(i < s->n);
	assert_false(s->ev[i].oversize);
	assert_int_equal(s->ev[i].len, len);
	assert_memory_equal(s->ev[i].bytes, want, len);
}

/* The §1.5 stream: RS then DAD NS, back to back with no framing of their own. */
static void make_stream(uint8_t out[sizeof(rs) + sizeof(ns)])
{
	memcpy(out, rs, sizeof(rs));
	memcpy(out + sizeof(rs), ns, sizeof(ns));
}

static bool inside(const uint8_t *p, const uint8_t *buf, size_t len)
{
	return p >= buf && p < buf + len;
}

/* One call: both packets handed over in place, nothing buffered, no buffer even allocated. */
static void test_stream_whole(void **state)
{
	uint8_t st[sizeof(rs) + sizeof(ns)];
	struct seen s = {0};
	struct frame_cb cb = callbacks(&s);
	struct frame_rx rx;

	(void)state;
	make_stream(st);
	frame_rx_init(&rx, 1280);
	assert_int_equal(frame_rx_feed(&rx, st, sizeof(st), &cb), FRAME_OK);
	assert_int_equal(s.n, 2);
	assert_packet(&s, 0, rs, sizeof(rs));
	assert_packet(&s, 1, ns, sizeof(ns));
	assert_ptr_equal(s.ev[0].ptr, st);
	assert_ptr_equal(s.ev[1].ptr, st + sizeof(rs));
	assert_null(rx.buf);
	assert_int_equal(frame_rx_pending(&rx), 0);
	assert_int_equal(rx.packets, 2);
	assert_int_equal(rx.oversize_count, 0);
	assert_int_equal(rx.bytes, sizeof(st));
	frame_rx_free(&rx);
	seen_free(&s);
}

/* One byte per call: each packet completes on its last byte, from the de-framer's buffer. */
static void test_stream_byte_by_byte(void **state)
{
	uint8_t st[sizeof(rs) + sizeof(ns)];
	struct seen s = {0};
	struct frame_cb cb = callbacks(&s);
	struct frame_rx rx;

	(void)state;
	make_stream(st);
	frame_rx_init(&rx, 1280);
	for (size_t i = 0; i < sizeof(st); i++) {
		uint8_t b = st[i];

		assert_int_equal(frame_rx_feed(&rx, &b, 1, &cb), FRAME_OK);
		assert_int_equal(s.n, (i + 1 >= sizeof(rs)) + (i + 1 >= sizeof(st)));
		if (i + 1 == sizeof(rs) || i + 1 == sizeof(st))
			assert_int_equal(frame_rx_pending(&rx), 0);
		else
			assert_int_equal(frame_rx_pending(&rx),
					 i + 1 < sizeof(rs) ? i + 1 : i + 1 - sizeof(rs));
		assert_int_equal(rx.bytes, i + 1);
	}
	assert_packet(&s, 0, rs, sizeof(rs));
	assert_packet(&s, 1, ns, sizeof(ns));
	assert_ptr_equal(s.ev[0].ptr, rx.buf);
	assert_ptr_equal(s.ev[1].ptr, rx.buf);
	assert_int_equal(rx.packets, 2);
	frame_rx_free(&rx);
	assert_null(rx.buf);
	seen_free(&s);
}

/* Every 2-way split: the same two packets; whole ones in place, split ones reassembled. */
static void test_stream_every_split(void **state)
{
	uint8_t st[sizeof(rs) + sizeof(ns)];

	(void)state;
	make_stream(st);
	for (size_t k = 0; k <= sizeof(st); k++) {
		uint8_t *a = malloc(k ? k : 1), *b = malloc(sizeof(st) - k + 1);
		struct seen s = {0};
		struct frame_cb cb = callbacks(&s);
		struct frame_rx rx;

		assert_true(a && b);
		memcpy(a, st, k);
		memcpy(b, st + k, sizeof(st) - k);
		frame_rx_init(&rx, 1280);
		assert_int_equal(frame_rx_feed(&rx, a, k, &cb), FRAME_OK);
		assert_int_equal(s.n, k >= sizeof(st) ? 2 : k >= sizeof(rs));
		assert_int_equal(frame_rx_pending(&rx), k < sizeof(rs)	  ? k
							: k == sizeof(st) ? 0
									  : k - sizeof(rs));
		assert_int_equal(frame_rx_feed(&rx, b, sizeof(st) - k, &cb), FRAME_OK);
		assert_int_equal(s.n, 2);
		assert_packet(&s, 0, rs, sizeof(rs));
		assert_packet(&s, 1, ns, sizeof(ns));
		/* In place when whole inside one buffer, else from the reassembly buffer. */
		assert_true(k >= sizeof(rs) ? inside(s.ev[0].ptr, a, k)
			    : k == 0	    ? inside(s.ev[0].ptr, b, sizeof(st))
					    : s.ev[0].ptr == rx.buf);
		assert_true(k <= sizeof(rs)   ? inside(s.ev[1].ptr, b, sizeof(st) - k)
			    : k == sizeof(st) ? inside(s.ev[1].ptr, a, k)
					      : s.ev[1].ptr == rx.buf);
		assert_int_equal(frame_rx_pending(&rx), 0);
		assert_int_equal(rx.bytes, sizeof(st));
		assert_int_equal(rx.packets, 2);
		frame_rx_free(&rx);
		seen_free(&s);
		free(a);
		free(b);
	}
}

/* Pseudo-random 1-3 byte and larger chunks over 40 copies of the stream. */
static void test_stream_random_chunks(void **state)
{
	enum { COPIES = 40 };
	uint8_t *st = malloc(COPIES * (sizeof(rs) + sizeof(ns)));
	size_t len = COPIES * (sizeof(rs) + sizeof(ns)), off = 0, npkt = 0;
	uint32_t x = 12345;
	struct frame_rx rx;

	(void)state;
	assert_non_null(st);
	for (size_t i = 0; i < COPIES; i++)
		make_stream(st + i * (sizeof(rs) + sizeof(ns)));
	frame_rx_init(&rx, 1280);
	while (off < len) {
		struct seen s = {0};
		struct frame_cb cb = callbacks(&s);
		size_t n;

		x = x * 1103515245 + 12345;
		n = (x >> 16) % 4 ? (x >> 16) % 4 : (x >> 8) % 200;
		n = n < len - off ? n : len - off;
		assert_int_equal(frame_rx_feed(&rx, st + off, n, &cb), FRAME_OK);
		for (size_t i = 0; i < s.n; i++, npkt++)
			if (npkt % 2)
				assert_packet(&s, i, ns, sizeof(ns));
			else
				assert_packet(&s, i, rs, sizeof(rs));
		off += n;
		seen_free(&s);
	}
	assert_int_equal(npkt, 2 * COPIES);
	assert_int_equal(rx.packets, 2 * COPIES);
	assert_int_equal(rx.bytes, len);
	assert_int_equal(frame_rx_pending(&rx), 0);
	frame_rx_free(&rx);
	free(st);
}

/* [MS-IPHTTPS] §3.2.5.2.2: not IPv6 is fatal, judged on the first byte of a packet. */
static void test_not_ipv6(void **state)
{
	static const uint8_t firsts[] = {0x45, 0x00, 0x50, 0x70, 0xf6, 0x16};
	struct seen s = {0};
	struct frame_cb cb = callbacks(&s);
	struct frame_rx rx;
	uint8_t buf[sizeof(rs) + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(firsts); i++) {
		frame_rx_init(&rx, 1280);
		assert_int_equal(frame_rx_feed(&rx, &firsts[i], 1, &cb), FRAME_ERR_NOT_IPV6);
		frame_rx_free(&rx);
	}
	assert_int_equal(s.n, 0);

	/* After a good packet, in the same call: the packet is delivered, then the error. */
	memcpy(buf, rs, sizeof(rs));
	buf[sizeof(rs)] = 0x45;
	frame_rx_init(&rx, 1280);
	assert_int_equal(frame_rx_feed(&rx, buf, sizeof(buf), &cb), FRAME_ERR_NOT_IPV6);
	assert_int_equal(s.n, 1);
	assert_packet(&s, 0, rs, sizeof(rs));
	assert_int_equal(rx.bytes, sizeof(buf));
	frame_rx_free(&rx);
	seen_free(&s);

	/* After half a packet and its completion in a later call, one stray byte is enough. */
	frame_rx_init(&rx, 1280);
	assert_int_equal(frame_rx_feed(&rx, rs, 20, &cb), FRAME_OK);
	assert_int_equal(frame_rx_feed(&rx, buf + 20, sizeof(rs) - 20, &cb), FRAME_OK);
	assert_int_equal(frame_rx_feed(&rx, buf + sizeof(rs), 1, &cb), FRAME_ERR_NOT_IPV6);
	assert_int_equal(s.n, 1);
	frame_rx_free(&rx);
	seen_free(&s);
}

/* RFC 2675: Payload Length 0 + Next Header 0 is a jumbogram: fatal, seen on byte 7. */
static void test_jumbo(void **state)
{
	uint8_t jumbo[48] = {0x60, 0, 0, 0, 0x00, 0x00, 0x00, 0xff};
	uint8_t empty[40] = {0x60, 0, 0, 0, 0x00, 0x00, 59, 0xff}; /* No Next Header: fine */
	struct seen s = {0};
	struct frame_cb cb = callbacks(&s);
	struct frame_rx rx;

	(void)state;
	jumbo[40] = 59; /* the Hop-by-Hop header a jumbogram would carry */
	jumbo[42] = 0xc2;
	frame_rx_init(&rx, 1280);
	assert_int_equal(frame_rx_feed(&rx, jumbo, sizeof(jumbo), &cb), FRAME_ERR_JUMBO);
	frame_rx_free(&rx);

	frame_rx_init(&rx, 1280);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(frame_rx_feed(&rx, jumbo + i, 1, &cb), FRAME_OK);
	assert_int_equal(frame_rx_feed(&rx, jumbo + 6, 1, &cb), FRAME_ERR_JUMBO);
	assert_int_equal(s.n, 0);
	frame_rx_free(&rx);

	/* A header-only packet (Payload Length 0, another Next Header) is a normal packet. */
	frame_rx_init(&rx, 1280);
	assert_int_equal(frame_rx_feed(&rx, empty, sizeof(empty), &cb), FRAME_OK);
	assert_int_equal(frame_rx_feed(&rx, rs, sizeof(rs), &cb), FRAME_OK);
	assert_int_equal(s.n, 2);
	assert_packet(&s, 0, empty, sizeof(empty));
	assert_packet(&s, 1, rs, sizeof(rs));
	frame_rx_free(&rx);
	seen_free(&s);
}

/* An IPv6 packet of `len` bytes (40 + payload), payload bytes numbered. */
static uint8_t *make_packet(size_t len)
{
	uint8_t *p = malloc(len);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + 3);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[6] = 17;
	return p;
}

/* Longer than mtu: the first mtu bytes go to ->oversize (buffered when split), the rest is
 * skipped over many calls without buffering, and the stream goes on with the next packet. */
static void test_oversize_split(void **state)
{
	const size_t len = 3000, chunk = 97;
	uint8_t *big = make_packet(len), *st = malloc(len + sizeof(rs));
	struct seen s = {0};
	struct frame_cb cb = callbacks(&s);
	struct frame_rx rx;
	size_t off = 0;

	(void)state;
	assert_non_null(st);
	memcpy(st, big, len);
	memcpy(st + len, rs, sizeof(rs));
	frame_rx_init(&rx, 1280);
	while (off < len + sizeof(rs)) {
		size_t n = chunk < len + sizeof(rs) - off ? chunk : len + sizeof(rs) - off;

		assert_int_equal(frame_rx_feed(&rx, st + off, n, &cb), FRAME_OK);
		off += n;
		assert_true(frame_rx_pending(&rx) <= rx.mtu);
		if (off < 1280)
			assert_int_equal(frame_rx_pending(&rx), off);
		else if (off < len)
			assert_int_equal(rx.skip, len - off);
		if (off >= 1280 && off < len)
			assert_int_equal(frame_rx_pending(&rx), 0);
		assert_int_equal(s.n, (off >= 1280) + (off >= len + sizeof(rs)));
	}
	assert_true(s.ev[0].oversize);
	assert_int_equal(s.ev[0].len, 1280);
	assert_int_equal(s.ev[0].total, len);
	assert_memory_equal(s.ev[0].bytes, big, 1280);
	assert_ptr_equal(s.ev[0].ptr, rx.buf);
	assert_packet(&s, 1, rs, sizeof(rs));
	assert_int_equal(rx.oversize_count, 1);
	assert_int_equal(rx.packets, 1);
	assert_int_equal(rx.bytes, len + sizeof(rs));
	assert_int_equal(rx.skip, 0);
	frame_rx_free(&rx);
	seen_free(&s);
	free(st);
	free(big);
}

/* Whole oversize packet in one call: its head is handed over in place. Max length too. */
static void test_oversize_whole(void **state)
{
	uint8_t *big = make_packet(65570);
	struct seen s = {0};
	struct frame_cb cb = callbacks(&s);
	struct frame_rx rx;

	(void)state;
	frame_rx_init(&rx, 1500);
	assert_int_equal(frame_rx_feed(&rx, big, 65570, &cb), FRAME_OK);
	assert_int_equal(s.n, 1);
	assert_true(s.ev[0].oversize);
	assert_ptr_equal(s.ev[0].ptr, big);
	assert_int_equal(s.ev[0].len, 1500);
	assert_int_equal(s.ev[0].total, 65570);
	assert_null(rx.buf);
	assert_int_equal(rx.skip, 0);
	/* Exactly mtu is not oversize. */
	free(big);
	big = make_packet(1500);
	assert_int_equal(frame_rx_feed(&rx, big, 1500, &cb), FRAME_OK);
	assert_int_equal(s.n, 2);
	assert_false(s.ev[1].oversize);
	assert_int_equal(s.ev[1].len, 1500);
	assert_ptr_equal(s.ev[1].ptr, big);
	assert_int_equal(rx.packets, 1);
	assert_int_equal(rx.oversize_count, 1);
	frame_rx_free(&rx);
	seen_free(&s);
	free(big);
}

/* mtu is clamped to [1280, 65575]: the largest packet fits the largest buffer. */
static void test_mtu_clamp(void **state)
{
	uint8_t *big = make_packet(65575);
	struct seen s = {0};
	struct frame_cb cb = callbacks(&s);
	struct frame_rx rx;

	(void)state;
	frame_rx_init(&rx, 0);
	assert_int_equal(rx.mtu, 1280);
	frame_rx_init(&rx, UINT32_MAX);
	assert_int_equal(rx.mtu, 65575);
	assert_int_equal(frame_rx_feed(&rx, big, 30000, &cb), FRAME_OK);
	assert_int_equal(frame_rx_pending(&rx), 30000);
	assert_int_equal(frame_rx_feed(&rx, big + 30000, 65575 - 30000, &cb), FRAME_OK);
	assert_int_equal(s.n, 1);
	assert_packet(&s, 0, big, 65575);
	frame_rx_free(&rx);
	seen_free(&s);
	free(big);
}

/* Callbacks may be left out; empty feeds do nothing; free is idempotent. */
static void test_misc(void **state)
{
	struct frame_cb none = {0};
	struct frame_rx rx;
	uint8_t *big = make_packet(2000);

	(void)state;
	frame_rx_init(&rx, 1280);
	assert_int_equal(frame_rx_feed(&rx, NULL, 0, &none), FRAME_OK);
	assert_int_equal(frame_rx_feed(&rx, rs, 10, &none), FRAME_OK);
	assert_int_equal(frame_rx_feed(&rx, rs + 10, sizeof(rs) - 10, &none), FRAME_OK);
	assert_int_equal(frame_rx_feed(&rx, big, 2000, &none), FRAME_OK);
	assert_int_equal(rx.packets, 1);
	assert_int_equal(rx.oversize_count, 1);
	assert_int_equal(rx.bytes, sizeof(rs) + 2000);
	frame_rx_free(&rx);
	frame_rx_free(&rx);
	assert_null(rx.buf);

	assert_string_equal(frame_status_str(FRAME_OK), "ok");
	assert_string_not_equal(frame_status_str(FRAME_ERR_NOT_IPV6),
				frame_status_str(FRAME_ERR_JUMBO));
	assert_string_not_equal(frame_status_str(FRAME_ERR_NOMEM), frame_status_str(FRAME_OK));
	assert_non_null(frame_status_str((enum frame_status)99));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stream_whole),       cmocka_unit_test(test_stream_byte_by_byte),
	    cmocka_unit_test(test_stream_every_split), cmocka_unit_test(test_stream_random_chunks),
	    cmocka_unit_test(test_not_ipv6),	       cmocka_unit_test(test_jumbo),
	    cmocka_unit_test(test_oversize_split),     cmocka_unit_test(test_oversize_whole),
	    cmocka_unit_test(test_mtu_clamp),	       cmocka_unit_test(test_misc),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
