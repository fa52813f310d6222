/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zc_probe.bpf.o: what it does with a UDP datagram to the configured port
 * and what it counts, shared with vm/dmabuf_zc.sh (which sets cfg and reads
 * stats with bpftool).
 */
#ifndef XSK_SELFTEST_ZC_PROBE_H
#define XSK_SELFTEST_ZC_PROBE_H

#include <linux/types.h>

enum {
	ZC_PROBE_REDIRECT_XSK,	/* xsks[rx_queue_index] */
	ZC_PROBE_PASS,
	ZC_PROBE_TX,		/* as it is */
	ZC_PROBE_REDIRECT_DEV,	/* devs[0] */
};

/* cfg[0] */
struct zc_probe_cfg {
	__u32 port;	/* UDP destination port, host order */
	__u32 action;	/* ZC_PROBE_* */
};

/* stats[]: what the helpers did on the matched frames. */
enum {
	ZC_PROBE_FRAMES,	/* matched */
	ZC_PROBE_MULTI,		/* with frags (length > linear part) */
	ZC_PROBE_HEAD_OK,	/* bpf_xdp_load_bytes() of the headers worked */
	ZC_PROBE_LOAD_EFAULT,	/* ... of payload bytes past the linear part: -EFAULT */
	ZC_PROBE_LOAD_OK,	/* ... returned data */
	ZC_PROBE_STORE_EFAULT,	/* bpf_xdp_store_bytes() there: -EFAULT */
	ZC_PROBE_STORE_OK,	/* ... wrote */
	ZC_PROBE_OTHER_ERR,	/* any other result of either */
	ZC_PROBE_NR_STATS,
};

#endif
