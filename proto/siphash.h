/* SPDX-License-Identifier: ISC */
/*
 * siphash: SipHash-2-4 (Aumasson, Bernstein 2012) of a 16-byte message, the keyed hash of the
 * tables remote peers can put entries into (the link's address table, the per-source limits):
 * with a secret key they cannot choose keys that pile into one bucket. Pure.
 */
#ifndef PROTO_SIPHASH_H
#define PROTO_SIPHASH_H

#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;
};

/* The key from 16 bytes (e.g. from getrandom()), little-endian halves as the paper reads it. */
void siphash_key_init(struct siphash_key *k, const uint8_t key[16]);
/* SipHash-2-4 of exactly 16 bytes (an IPv6 address, a source key). */
uint64_t siphash16(const struct siphash_key *k, const uint8_t m[16]);

#endif
