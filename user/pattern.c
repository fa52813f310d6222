// SPDX-License-Identifier: GPL-2.0
/* pattern.c - the payload pattern of `xsk-devmem rx --verify` (pattern.h). */
#include <arpa/inet.h>
#include <string.h>

#include "pattern.h"

static void put_be32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

uint8_t pattern_byte(uint32_t seq, uint32_t len, size_t off)
{
	uint8_t hdr[PATTERN_HDR_LEN];

	if (off < PATTERN_HDR_LEN) {
		put_be32(hdr, PATTERN_MAGIC);
		put_be32(hdr + 4, seq);
		put_be32(hdr + 8, len);
		return hdr[off];
	}
	/* A multiplicative hash of (seq, off): no two nearby packets or
	 * offsets share a run of bytes. */
	return (uint8_t)(((uint32_t)off * 2654435761u + seq * 40503u) >> 13);
}

void pattern_fill(uint8_t *buf, size_t len, uint32_t seq)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern_byte(seq, (uint32_t)len, i);
}

long pattern_check(const uint8_t *frag, size_t frag_len, size_t off,
		   uint32_t seq, uint32_t len)
{
	for (size_t i = 0; i < frag_len; i++)
		if (frag[i] != pattern_byte(seq, len, off + i))
			return (long)(off + i);
	return -1;
}

int pattern_parse(const uint8_t *buf, size_t avail, uint32_t *seq,
		  uint32_t *len)
{
	if (avail < PATTERN_HDR_LEN || get_be32(buf) != PATTERN_MAGIC)
		return -1;
	*seq = get_be32(buf + 4);
	*len = get_be32(buf + 8);
	return 0;
}
