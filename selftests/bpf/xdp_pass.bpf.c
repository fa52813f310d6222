// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The baseline of the benchmarks: the cheapest XDP program there is. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
