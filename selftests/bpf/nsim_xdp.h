/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What nsim_xdp.bpf.o does with a UDP datagram to the configured port, and
 * what it counts: shared by the program and the test that configures it
 * through its pinned maps (selftests/vm/nsim_xdp.sh, with bpftool).
 */
#ifndef XSK_SELFTEST_NSIM_XDP_H
#define XSK_SELFTEST_NSIM_XDP_H

#include <linux/types.h>

enum {
	NSIM_XDP_PASS,
	NSIM_XDP_DROP,
	NSIM_XDP_TX,		/* MACs and IP addresses swapped: back to the sender */
	NSIM_XDP_ABORTED,
	NSIM_XDP_REDIRECT_DEV,	/* devs[0] */
	NSIM_XDP_REDIRECT_CPU,	/* cpus[cfg.cpu] */
	NSIM_XDP_REDIRECT_XSK,	/* xsks[rx_queue_index] */
};

/* cfg[0]; all zero (as loaded): every UDP datagram passes, counted. */
struct nsim_xdp_cfg {
	__u32 port;	/* UDP destination port, host order; 0: any */
	__u32 action;	/* NSIM_XDP_* */
	__u32 cpu;	/* for NSIM_XDP_REDIRECT_CPU */
};

/* stats[]: frames that matched and what the program saw of them. */
enum {
	NSIM_XDP_FRAMES,	/* matched */
	NSIM_XDP_LEN,		/* sum of bpf_xdp_get_buff_len() */
	NSIM_XDP_LINEAR,	/* sum of data_end - data */
	NSIM_XDP_MULTI,		/* frames with frags (length > linear) */
	NSIM_XDP_MAX_LEN,	/* largest bpf_xdp_get_buff_len() */
	NSIM_XDP_OTHER,		/* frames that did not match (passed) */
	NSIM_XDP_NR_STATS,
};

#endif
