/* SPDX-License-Identifier: ISC */
/*
 * cksum: the Internet checksum (RFC 1071) in two steps, for code that sums several pieces (a
 * pseudo-header, then a header, then a payload) before folding: proto/gso (segments) and
 * proto/gro (the partial checksum of a super-packet). Pure.
 */
#ifndef PROTO_CKSUM_H
#define PROTO_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds p[0..len) to sum as 16-bit big-endian words, 32 bits at a time into 64 bits; an odd
   last byte is padded with zero (RFC 1071 §4.1). Only the last piece may have an odd length. */
uint64_t cksum_add(uint64_t sum, const uint8_t *p, size_t len);
/* Folds the carries into 16 bits (not complemented). */
uint16_t cksum_fold(uint64_t sum);

#endif
