// SPDX-License-Identifier: GPL-2.0
/*
 * An XDP program for the kernel tests of the split point: what happens to
 * a UDP datagram is looked up by its destination port in port_actions,
 * filled in by the test. An action may set a split point with the kfunc or
 * not, and then redirect to a slot of the XSKMAP, pass or drop, so that a
 * test can mix, in one NAPI poll, packets that set a split point with
 * packets that do not. Unlisted traffic goes to the stack.
 *
 * BPF_PROG_TEST_RUN with live frames runs a batch of frames through the
 * program as a driver's NAPI poll does, but every frame is alike: with
 * alternate[0] set to a port, datagrams to that port take the actions of
 * "ports" 1 and 2 in turn. Only those: whatever else reaches the
 * interface meanwhile (an IPv6 router solicitation from the peer) must
 * not take a turn.
 */
#include "udp_parse.h"

#include "port_action.h"

extern int bpf_xsk_dmabuf_set_split(struct xdp_md *ctx, __u32 hdr_len) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, PORT_ACTION_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);	/* UDP destination port, host order */
	__type(value, struct port_action);
} port_actions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} alternate SEC(".maps");

static __u32 turn;

/* Packets per action taken, and kfunc calls that failed. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PORT_ACTION_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static void count(__u32 i)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &i);

	if (c)
		__sync_fetch_and_add(c, 1);
}

SEC("xdp.frags")
int port_action(struct xdp_md *ctx)
{
	struct port_action *pa;
	struct udphdr *udp;
	__u32 zero = 0, *alt;
	__u16 dport;

	udp = udp_header(ctx);
	if (!udp)
		return XDP_PASS;
	dport = bpf_ntohs(udp->dest);
	alt = bpf_map_lookup_elem(&alternate, &zero);
	if (alt && *alt == dport)
		dport = 1 + (turn++ & 1);
	pa = bpf_map_lookup_elem(&port_actions, &dport);
	if (!pa)
		return XDP_PASS;

	if (pa->split) {
		if (!bpf_ksym_exists(bpf_xsk_dmabuf_set_split) ||
		    bpf_xsk_dmabuf_set_split(ctx, pa->split))
			count(PORT_ACTION_SPLIT_FAILED);
	}
	switch (pa->action) {
	case PORT_ACTION_REDIRECT:
		count(PORT_ACTION_REDIRECT);
		return bpf_redirect_map(&xsks, pa->slot, XDP_PASS);
	case PORT_ACTION_DROP:
		count(PORT_ACTION_DROP);
		return XDP_DROP;
	default:
		count(PORT_ACTION_PASS);
		return XDP_PASS;
	}
}

char _license[] SEC("license") = "GPL";
