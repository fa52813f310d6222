// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * spread.bpf.c - example policy: spread one flow over several sockets.
 *
 * The payload starts with a 4-byte stream id (big endian). Packets of the
 * flow go to XSKMAP index base + id % ways, so each consumer thread gets
 * whole streams; the stream id stays in host memory (split after it). The
 * action's param says where: ways in the low 16 bits (0 means 1), base in
 * the high 16. A packet too short for the id goes to the base socket.
 *
 *   xsk-devmem steer policy load 2 build/bpf/policies/spread.bpf.o
 *     (behind steer.bpf.o in libxdp's dispatcher; spread_meta.bpf.o, the
 *     same source built with XSK_STEER_META=1, for steer_meta.bpf.o)
 *   xsk-devmem steer rule add dst 10.0.0.0/24 proto udp dport 5000-5999 \
 *	action policy 2 param 4
 */
#include "xsk_steer.bpf.h"

SEC("xdp.frags")
int xsk_policy_spread(struct xdp_md *ctx)
{
	struct xsk_steer_action act = {
		.type = XSK_STEER_ACT_REDIRECT_IDX,
		.split = XSK_STEER_SPLIT_L4_PLUS,
		.split_len = sizeof(__be32),
	};
	struct xsk_steer_ctx *sc = xsk_steer_ctx(ctx);
	__u32 ways, id = 0;
	__be32 raw;

	if (!sc)
		return XDP_PASS;
	act.counter = sc->act.counter;
	ways = sc->act.param & 0xffff;
	if (!ways)
		ways = 1;
	if (!bpf_xdp_load_bytes(ctx, sc->pkt.l4_end, &raw, sizeof(raw)))
		id = bpf_ntohl(raw);
	act.arg = (sc->act.param >> 16) + id % ways;
	return xsk_steer_apply(ctx, sc, &act);
}

char _license[] SEC("license") = "Dual BSD/GPL";
