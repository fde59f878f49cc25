/* SPDX-License-Identifier: ISC */
/*
 * siphash: SipHash-2-4 over 16 bytes (see siphash.h). The message length is fixed, so the
 * final block is only the length byte, 16 << 56 (SipHash paper §2).
 */
#include "proto/siphash.h"

#define SIPHASH_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void siphash_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = SIPHASH_ROTL(v[1], 13) ^ v[0];
	v[0] = SIPHASH_ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = SIPHASH_ROTL(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = SIPHASH_ROTL(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = SIPHASH_ROTL(v[1], 17) ^ v[2];
	v[2] = SIPHASH_ROTL(v[2], 32);
}

static uint64_t siphash_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void siphash_key_init(struct siphash_key *k, const uint8_t key[16])
{
	k->k0 = siphash_le64(key);
	k->k1 = siphash_le64(key + 8);
}

uint64_t siphash16(const struct siphash_key *k, const uint8_t m16[16])
{
	uint64_t v[4] = {k->k0 ^ 0x736f6d6570736575ULL, k->k1 ^ 0x646f72616e646f6dULL,
			 k->k0 ^ 0x6c7967656e657261ULL, k->k1 ^ 0x7465646279746573ULL};
	uint64_t m[3] = {siphash_le64(m16), siphash_le64(m16 + 8), (uint64_t)16 << 56};

	for (int i = 0; i < 3; i++) {
		v[3] ^= m[i];
		siphash_round(v);
		siphash_round(v); /* c = 2 compression rounds */
		v[0] ^= m[i];
	}
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++) /* d = 4 finalization rounds */
		siphash_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
