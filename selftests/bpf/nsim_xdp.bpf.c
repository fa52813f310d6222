// SPDX-License-Identifier: GPL-2.0
/*
 * The native XDP test program of the reference driver (vm/nsim_xdp.sh):
 * UDP datagrams to the port in cfg[0] (IPv4 or IPv6 without extension
 * headers) get the verdict in cfg[0], every other frame passes. For each
 * matched frame it counts what it saw: the whole length
 * (bpf_xdp_get_buff_len()), the linear part, whether there were frags.
 * The test sets cfg and the maps of redirect targets through bpftool
 * (pinned maps), and reads stats back.
 *
 * Built twice: nsim_xdp.bpf.o (SEC "xdp.frags": multi-buffer aware) and
 * nsim_xdp_nofrags.bpf.o (SEC "xdp", -DNSIM_XDP_NOFRAGS), which the driver
 * must give whole frames linear and refuse above a page-size MTU.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "nsim_xdp.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nsim_xdp_cfg);
} cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSIM_XDP_NR_STATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

static __always_inline void add(__u32 i, __u64 v)
{
	__u64 *c = bpf_map_lookup_elem(&stats, &i);

	if (c)
		__sync_fetch_and_add(c, v);
}

static __always_inline void max_len(__u64 v)
{
	__u32 i = NSIM_XDP_MAX_LEN;
	__u64 *c = bpf_map_lookup_elem(&stats, &i);

	/* One flow per test, on one queue: no other CPU races this. */
	if (c && v > *c)
		*c = v;
}

/* XDP_TX: the frame goes back to where it came from, as a datagram from
 * the receiver to the sender (same ports, valid checksums: swapping
 * addresses changes neither the IP nor the UDP checksum).
 */
static __always_inline int swap_addrs(struct ethhdr *eth, void *end)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		__be32 a;

		if ((void *)(ip + 1) > end)
			return -1;
		a = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = a;
	} else {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		struct in6_addr a;

		if ((void *)(ip6 + 1) > end)
			return -1;
		a = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = a;
	}
	return 0;
}

#ifdef NSIM_XDP_NOFRAGS
SEC("xdp")
#else
SEC("xdp.frags")
#endif
int nsim_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct nsim_xdp_cfg *c;
	struct udphdr *udp;
	__u32 zero = 0;
	__u64 len, lin;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		goto other;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5)
			goto other;
		proto = ip->protocol;
		udp = (void *)(ip + 1);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			goto other;
		proto = ip6->nexthdr;
		udp = (void *)(ip6 + 1);
	} else {
		goto other;
	}
	if (proto != IPPROTO_UDP || (void *)(udp + 1) > end)
		goto other;
	c = bpf_map_lookup_elem(&cfg, &zero);
	if (!c || (c->port && bpf_ntohs(udp->dest) != c->port))
		goto other;

	len = bpf_xdp_get_buff_len(ctx);
	lin = end - data;
	add(NSIM_XDP_FRAMES, 1);
	add(NSIM_XDP_LEN, len);
	add(NSIM_XDP_LINEAR, lin);
	if (len > lin)
		add(NSIM_XDP_MULTI, 1);
	max_len(len);

	switch (c->action) {
	case NSIM_XDP_PASS:
		return XDP_PASS;
	case NSIM_XDP_DROP:
		return XDP_DROP;
	case NSIM_XDP_TX:
		return swap_addrs(eth, end) ? XDP_ABORTED : XDP_TX;
	case NSIM_XDP_REDIRECT_DEV:
		return bpf_redirect_map(&devs, 0, 0);
	case NSIM_XDP_REDIRECT_CPU:
		return bpf_redirect_map(&cpus, c->cpu, 0);
	case NSIM_XDP_REDIRECT_XSK:
		return bpf_redirect_map(&xsks, ctx->rx_queue_index, 0);
	default:
		return XDP_ABORTED;
	}
other:
	add(NSIM_XDP_OTHER, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
