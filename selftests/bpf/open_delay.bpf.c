// SPDX-License-Identifier: GPL-2.0
/*
 * Widen netdevsim's open window (vm/nsim_open_race.sh): fentry of
 * nsim_open() for the port named dev_name spins for spin_ns. The device
 * is running then (__dev_open() set __LINK_STATE_START before calling
 * ndo_open) and its NAPIs are not added yet. Frames the peer hands that
 * port meanwhile (fentry of nsim_hds_xmit()) are counted: the race the
 * window is for was run.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "dev_name.bpf.h"

/* Only the fields read, relocated against the kernel's BTF (CO-RE). */
struct netdevsim {
	struct net_device *netdev;
} __attribute__((preserve_access_index));

const volatile char dev_name[DEV_NAME_SIZE];
const volatile __u64 spin_ns;

__u64 opens, spun_ns, xmits_in_open;
int opening;

static long spin(__u64 i, void *deadline)
{
	return bpf_ktime_get_ns() >= *(__u64 *)deadline;
}

SEC("fentry/nsim_open")
int BPF_PROG(delay_open, struct net_device *dev)
{
	__u64 t0 = bpf_ktime_get_ns(), deadline = t0 + spin_ns;

	if (!dev_name_is(dev, dev_name))
		return 0;
	opening = 1;
	bpf_loop(1 << 23, spin, &deadline, 0);
	opening = 0;
	__sync_fetch_and_add(&opens, 1);
	__sync_fetch_and_add(&spun_ns, bpf_ktime_get_ns() - t0);
	return 0;
}

SEC("fentry/nsim_hds_xmit")
int BPF_PROG(count_xmit, struct netdevsim *peer, void *skb)
{
	if (opening && dev_name_is(peer->netdev, dev_name))
		__sync_fetch_and_add(&xmits_in_open, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
