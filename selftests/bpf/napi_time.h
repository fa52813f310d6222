/* SPDX-License-Identifier: GPL-2.0 */
/*
 * napi_time.bpf.o: what it adds up about netdevsim's NAPI poll
 * (nsim_poll()), shared with the benchmark's meter (selftests/bench/napi_meter.c).
 */
#ifndef XSK_SELFTEST_NAPI_TIME_H
#define XSK_SELFTEST_NAPI_TIME_H

#include <linux/types.h>

#define NAPI_TIME_IFNAMSIZ	16

/* One per CPU; the meter sums them. Times in ns of bpf_ktime_get_ns(). */
struct napi_time {
	__u64 rx_ns;		/* polls of the device named rx_name */
	__u64 rx_polls;
	__u64 rx_frames;	/* what those polls returned (frames taken) */
	__u64 other_ns;		/* polls of any other netdevsim port */
	__u64 in_target_ns;	/* polls (any port) run while a task of
				 * target_tgid was current: softirq work on
				 * its stack, which its CPU time includes
				 */
};

#endif
