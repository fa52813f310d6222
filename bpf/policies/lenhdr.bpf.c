// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lenhdr.bpf.c - example policy: keep a length-prefixed application header
 * in host memory.
 *
 * The payload starts with a record header whose first two bytes are its
 * own length in bytes (big endian, the length field included). The policy
 * splits after that header, so the application reads it from host memory
 * and the record body goes to device memory, and redirects to the socket
 * of the receiving queue. A length below 2 or above the limit in the
 * action's param (default 256) is not a record of ours: pass the packet.
 *
 *   xsk-devmem steer policy load 1 build/bpf/policies/lenhdr.bpf.o
 *     (behind steer.bpf.o in libxdp's dispatcher; lenhdr_meta.bpf.o, the
 *     same source built with XSK_STEER_META=1, for steer_meta.bpf.o)
 *   xsk-devmem steer flow add proto udp src 10.0.0.1 sport 1000 \
 *	dst 10.0.0.2 dport 4000 action policy 1 param 128
 */
#include "xsk_steer.bpf.h"

#define LENHDR_DEFAULT_MAX	256

SEC("xdp.frags")
int xsk_policy_lenhdr(struct xdp_md *ctx)
{
	struct xsk_steer_action act = { .type = XSK_STEER_ACT_PASS };
	struct xsk_steer_ctx *sc = xsk_steer_ctx(ctx);
	__u32 max;
	__be16 len;

	if (!sc)
		return XDP_PASS;
	act.counter = sc->act.counter;
	max = sc->act.param ? sc->act.param : LENHDR_DEFAULT_MAX;
	if ((sc->pkt.flags & XSK_STEER_PKT_L4) &&
	    !bpf_xdp_load_bytes(ctx, sc->pkt.l4_end, &len, sizeof(len)) &&
	    bpf_ntohs(len) >= sizeof(len) && bpf_ntohs(len) <= max) {
		act.type = XSK_STEER_ACT_REDIRECT_RXQ;
		act.split = XSK_STEER_SPLIT_L4_PLUS;
		act.split_len = bpf_ntohs(len);
	}
	return xsk_steer_apply(ctx, sc, &act);
}

char _license[] SEC("license") = "Dual BSD/GPL";
