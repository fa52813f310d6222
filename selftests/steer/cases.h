/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cases.h - the packet-case table of the steering program: one list of
 * frames with what the parser must find and what the program must do with
 * them under one standard configuration. The BPF_PROG_TEST_RUN runner, the
 * reference parser and the VM runs all use it.
 */
#ifndef STEER_CASES_H
#define STEER_CASES_H

#include "pkt.h"
#include "steer_maps.h"

#define NO_META	(-1)

struct steer_expect {
	__u8	verdict;
	__u8	reason;
	__u8	proto;
	__u8	flags;		/* XSK_STEER_PKT_* */
	__u16	l3_off, l4_off, l4_end;
	__u16	sport, dport;	/* host order */
	int	act;		/* meta action, or NO_META */
	__u32	ret;		/* XDP return code (redirects fall back to PASS) */
	__u32	split;
	__u32	counter;
};

struct steer_case {
	const char *name;
	struct pkt_spec spec;
	struct steer_expect x;
};

extern const struct steer_case steer_cases[];
extern const int steer_nr_cases;

/* Shapes whose truncation at every byte offset is a case of its own. */
struct steer_cut_shape {
	const char *name;
	struct pkt_spec spec;
	int fix_len;	/* IP length says the cut length: L4 checks run */
};
extern const struct steer_cut_shape steer_cut_shapes[];
extern const int steer_nr_cut_shapes;

/* The reason a frame of shape s cut to len bytes must get. */
int steer_cut_reason(const struct steer_cut_shape *s, size_t len);

/* Install the configuration the expectations assume. */
int steer_cases_config(const struct steer_maps *m);

#endif /* STEER_CASES_H */
