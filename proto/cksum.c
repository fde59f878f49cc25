/* SPDX-License-Identifier: ISC */
/* cksum: RFC 1071 sums (see cksum.h). */
#include "proto/cksum.h"

#include "lib/buf.h"

uint64_t cksum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	struct buf_cur c;
	uint32_t w;
	uint16_t h;
	uint8_t b;

	buf_cur_init(&c, p, len);
	while (buf_get_u32(&c, &w) == 0)
		sum += w;
	if (buf_get_u16(&c, &h) == 0)
		sum += h;
	if (buf_get_u8(&c, &b) == 0)
		sum += (uint32_t)b << 8;
	return sum;
}

uint16_t cksum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}
