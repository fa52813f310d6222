/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UDP header of an Ethernet frame (IPv4 or IPv6 without extension
 * headers), for the small test programs; steer.bpf.o has the full parser.
 */
#ifndef XSK_SELFTEST_UDP_PARSE_H
#define XSK_SELFTEST_UDP_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* The UDP header, whole in the linear part, or NULL. */
static __always_inline struct udphdr *udp_header(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return NULL;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return NULL;
		proto = ip->protocol;
		udp = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return NULL;
		proto = ip6->nexthdr;
		udp = (void *)(ip6 + 1);
	} else {
		return NULL;
	}
	if (proto != IPPROTO_UDP || (void *)(udp + 1) > end)
		return NULL;
	return udp;
}

#endif
