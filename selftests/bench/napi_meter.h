/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The receive benchmark's CPU meter: where the receive path spends CPU
 * time on the reference driver, told apart from the simulated device's
 * work and from the sender's.
 *
 * netdevsim receives in its NAPI poll, in softirq, mostly on the stack of
 * the sending task (the xmit schedules the peer's NAPI, which runs when
 * the sender re-enables bottom halves). That poll does three things: the
 * device's DMA (the driver counts it: hds/queues dma_ns), the stack's
 * receive (XDP, the XSK receive, GRO, TCP) and freeing the sender's skb.
 * napi_time.bpf.o times every poll of the receiving port; the receiver's
 * own CPU time comes from CLOCK_PROCESS_CPUTIME_ID minus the polls that
 * ran on its stack (the kernel without IRQ_TIME_ACCOUNTING charges a task
 * for the softirqs it hosts). With -icount, nanoseconds are instructions.
 */
#ifndef XSK_BENCH_NAPI_METER_H
#define XSK_BENCH_NAPI_METER_H

#include "napi_time.h"

struct napi_meter;

/* What a window of the run cost, in ns. */
struct rx_cost {
	unsigned long long rx_napi_ns;	/* polls of the receiving port */
	unsigned long long rx_polls, rx_frames;
	unsigned long long other_napi_ns; /* polls of other netdevsim ports */
	unsigned long long self_ns;	/* this process, hosted softirqs out */
};

/*
 * Load and attach the meter for the port named @rx_ifname, with this
 * process as the receiver. Returns NULL with a message on stderr (no
 * netdevsim, no BTF, no privileges).
 */
struct napi_meter *napi_meter_open(const char *rx_ifname);
/* Start a window: the counters now. */
int napi_meter_start(struct napi_meter *m);
/* End the window: what it cost since napi_meter_start(). */
int napi_meter_stop(struct napi_meter *m, struct rx_cost *c);
void napi_meter_close(struct napi_meter *m);
/* Append @c to a receiver's result line, as NAME VALUE pairs. */
void napi_meter_print(const struct rx_cost *c);

#endif
