/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pattern.h - the payload pattern that `xsk-devmem rx --verify` checks
 * (docs/library.md describes the format for senders); the tests' traffic
 * generators send it and their receivers check it with the same code. A
 * datagram payload of LEN bytes with sequence number SEQ carries a header
 * { magic, seq, len } and then bytes that depend on seq and their offset,
 * so a byte in the wrong place, from the wrong packet or cut off is
 * caught, whatever the split point of the receiver.
 */
#ifndef XSK_DEVMEM_PATTERN_H
#define XSK_DEVMEM_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#define PATTERN_MAGIC		0x78736b64u	/* "xskd" */
#define PATTERN_HDR_LEN		12u

/* Fill buf[0..len) with the payload of datagram seq (len >= 0). */
void pattern_fill(uint8_t *buf, size_t len, uint32_t seq);

/* Byte at offset off of the payload of datagram seq of length len. */
uint8_t pattern_byte(uint32_t seq, uint32_t len, size_t off);

/*
 * Check that frag[0..frag_len) is bytes [off, off + frag_len) of the
 * payload of datagram seq with total length len. Returns -1 if all match,
 * else the offset (within the payload) of the first wrong byte.
 */
long pattern_check(const uint8_t *frag, size_t frag_len, size_t off,
		   uint32_t seq, uint32_t len);

/*
 * Read seq and len from the first PATTERN_HDR_LEN payload bytes; returns 0,
 * or -1 if the magic is wrong or the header is incomplete.
 */
int pattern_parse(const uint8_t *buf, size_t avail, uint32_t *seq,
		  uint32_t *len);

#endif
