/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What port_action.bpf.o does with a UDP datagram, by destination port:
 * shared by the program and the tests that fill its port_actions map.
 */
#ifndef XSK_SELFTEST_PORT_ACTION_H
#define XSK_SELFTEST_PORT_ACTION_H

#include <linux/types.h>

#define PORT_ACTION_SLOTS	8

enum {
	PORT_ACTION_PASS,
	PORT_ACTION_DROP,
	PORT_ACTION_REDIRECT,		/* to xsks[slot] */
	PORT_ACTION_SPLIT_FAILED,	/* counter only: the kfunc failed */
	PORT_ACTION_NR_COUNTERS,
};

struct port_action {
	__u32 action;	/* PORT_ACTION_PASS, _DROP or _REDIRECT */
	__u32 slot;	/* XSKMAP slot for PORT_ACTION_REDIRECT */
	__u32 split;	/* bpf_xsk_dmabuf_set_split(ctx, split) first; 0: no call */
};

#endif
