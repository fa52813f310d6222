// SPDX-License-Identifier: GPL-2.0
/*
 * The plain AF_XDP baseline's XDP program: UDP datagrams to one port go to
 * the AF_XDP socket of the receiving queue, everything else to the stack.
 * Deliberately minimal: it is what every dmabuf result is compared with.
 */
#include "udp_parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
	/* Pinned by name when loaded by xdp-loader -p DIR, so that a socket
	 * can be added by another process (xsk_rx --xskmap DIR/xsks). */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xsks SEC(".maps");

/*
 * Set by the loader before load: the UDP destination port to redirect; 0
 * (as when xdp-loader loads the object) redirects every UDP datagram.
 */
const volatile __u16 udp_dport;

SEC("xdp.frags")
int xsk_redirect(struct xdp_md *ctx)
{
	struct udphdr *udp = udp_header(ctx);

	if (!udp || (udp_dport && udp->dest != bpf_htons(udp_dport)))
		return XDP_PASS;
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
