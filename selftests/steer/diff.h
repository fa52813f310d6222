/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * diff.h - the differential check of the steering program against the
 * reference parser, one frame at a time: steer_fuzz (random frames) and
 * steer_replay (libFuzzer's corpus) share it.
 *
 *	struct steer_h h;
 *	struct steer_diff d;
 *
 *	if (steer_diff_open(&h))
 *		return KSFT_FAIL;
 *	if (steer_diff_frame(&h, buf, len, &d))
 *		steer_diff_print(&d, buf, len);	(d.why says what differs)
 *	steer_h_close(&h);
 *
 * The program is steer_meta.bpf.o (the parser of steer.bpf.o, plus the
 * split point in metadata) under one configuration: every parsed packet
 * takes the default action, a redirect to an empty XSKMAP index split 6
 * bytes after the L4 header, so every parsed packet comes back with its
 * split point in the metadata; malformed packets are passed. Program and
 * reference must agree on the flow key, offsets, flags, verdict and
 * reason; a parsed packet must carry the reference's split point, any
 * other must be passed without metadata.
 */
#ifndef STEER_DIFF_H
#define STEER_DIFF_H

#include "harness.h"

struct steer_diff {
	struct steer_result r;		/* the program's */
	struct xsk_steer_pkt ref;	/* the reference parser's */
	char why[160];			/* the first difference */
};

/* The configuration the check assumes. */
extern const struct xsk_steer_config steer_diff_cfg;

/* Load steer_meta.bpf.o and install the configuration; 0 or -errno (said). */
int steer_diff_open(struct steer_h *h);

/* One frame through both; 0 if they agree, else -1 (also a failed run). */
int steer_diff_frame(struct steer_h *h, const __u8 *buf, size_t len,
		     struct steer_diff *d);

/* Both results and the frame, after a difference (why is printed apart). */
void steer_diff_print(const struct steer_diff *d, const __u8 *buf, size_t len);

#endif /* STEER_DIFF_H */
