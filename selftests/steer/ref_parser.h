/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ref_parser.h - reference parser in plain C, written independently of the
 * BPF parser (bpf/xsk_steer.bpf.h) so that the tests can cross-check the
 * two: same flow key, offsets, split point and verdict for every frame.
 */
#ifndef STEER_REF_PARSER_H
#define STEER_REF_PARSER_H

#include <stddef.h>
#include <linux/types.h>

#include "xsk_steer.h"

/* Parses the frame buf[0..len) into p; returns p->verdict. */
int ref_parse(const __u8 *buf, size_t len, struct xsk_steer_pkt *p);

/*
 * The same for a multi-buffer frame of len bytes whose first buffer (the
 * linear part an XDP program reads) holds buf[0..linear), linear <= len:
 * every header must lie in it, and a header running past it is truncated;
 * lengths in headers are checked against the whole frame. Nothing after
 * buf[linear - 1] is read.
 */
int ref_parse_mb(const __u8 *buf, size_t linear, size_t len,
		 struct xsk_steer_pkt *p);

/* The split point of action a for parsed packet p. */
__u32 ref_split(const struct xsk_steer_pkt *p, const struct xsk_steer_action *a);

#endif /* STEER_REF_PARSER_H */
