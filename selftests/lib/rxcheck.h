/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Receive-side checker shared by every receiver in the tests: a frame,
 * given as the segments it arrived in, must be an Ethernet/IPv4-or-IPv6/UDP
 * datagram to the expected port whose payload is exactly the pattern of
 * its sequence number (user/pattern.h). Counts good, bad and duplicate
 * datagrams, and knows when all COUNT sequence numbers arrived.
 */
#ifndef XSK_SELFTEST_RXCHECK_H
#define XSK_SELFTEST_RXCHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

struct rxcheck {
	uint32_t count;		/* datagrams expected: seq 0 .. count - 1 */
	uint16_t dport;		/* host order */
	uint8_t *seen;		/* bitmap of received seqs */
	uint64_t good, bad, dup, frames, bytes;
	char first_error[160];
};

int rxcheck_init(struct rxcheck *rc, uint32_t count, uint16_t dport);
void rxcheck_free(struct rxcheck *rc);

/* Check one frame made of nseg segments. Returns true if it was good. */
bool rxcheck_frame(struct rxcheck *rc, const struct iovec *seg, int nseg);

static inline bool rxcheck_done(const struct rxcheck *rc)
{
	return rc->good == rc->count;
}

/*
 * The same for a receiver that may find some payload segments overwritten
 * after the packet was written (a chunk it lent twice): a frame whose
 * headers and pattern header are right but whose payload bytes are wrong
 * in some segments is counted neither good nor bad, and *bad gets bit i
 * for each such segment i (the 64th bit stands for the rest). Returns true
 * if the frame was good, with *bad 0. Safe on several threads, each with
 * its own struct rxcheck.
 */
bool rxcheck_frame_segs(struct rxcheck *rc, const struct iovec *seg, int nseg, uint64_t *bad);

/* One line of counts; returns 0 if all datagrams arrived, once, intact. */
int rxcheck_report(const struct rxcheck *rc, const char *who, FILE *f);

#endif
