// SPDX-License-Identifier: GPL-2.0
/*
 * The plain AF_XDP baseline's XDP program: UDP datagrams to one port go to
 * the AF_XDP socket of the receiving queue, everything else to the stack.
 * Deliberately minimal: it is what every dmabuf result is compared with.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

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
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return XDP_PASS;
		proto = ip->protocol;
		udp = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		proto = ip6->nexthdr;
		udp = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}
	if (proto != IPPROTO_UDP || (void *)(udp + 1) > end ||
	    (udp_dport && udp->dest != bpf_htons(udp_dport)))
		return XDP_PASS;
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
