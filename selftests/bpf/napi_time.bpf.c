// SPDX-License-Identifier: GPL-2.0
/*
 * Time spent in netdevsim's NAPI poll, for the receive benchmark (make
 * bench-rx): the poll of the receiving port is where the simulated device
 * writes frames into buffers and where the stack runs for them (XDP, the
 * XSK receive, GRO and TCP), all in softirq, mostly on the stack of the
 * sending task. fentry/fexit of nsim_poll() time each poll; polls of the
 * port named rx_name are counted apart from the others (the sender's port
 * receiving ACKs), and polls run on the stack of target_tgid (the
 * receiver) are counted too, so that its own CPU time can be told apart
 * from the softirq work it happened to host.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "dev_name.bpf.h"
#include "napi_time.h"

_Static_assert(NAPI_TIME_IFNAMSIZ == DEV_NAME_SIZE, "rx_name is a device name");

/* Only the fields read, relocated against the kernel's BTF (CO-RE). */
struct napi_struct {
	struct net_device *dev;
} __attribute__((preserve_access_index));

const volatile char rx_name[NAPI_TIME_IFNAMSIZ];
const volatile __u32 target_tgid;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct napi_time);
} times SEC(".maps");

SEC("fentry/nsim_poll")
int BPF_PROG(napi_enter, struct napi_struct *napi, int budget)
{
	__u32 k = 0;
	__u64 *t = bpf_map_lookup_elem(&start, &k);

	if (t)
		*t = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/nsim_poll")
int BPF_PROG(napi_exit, struct napi_struct *napi, int budget, int done)
{
	struct napi_time *acc;
	__u64 *t0, d;
	__u32 k = 0;

	t0 = bpf_map_lookup_elem(&start, &k);
	acc = bpf_map_lookup_elem(&times, &k);
	if (!t0 || !acc || !*t0)
		return 0;
	d = bpf_ktime_get_ns() - *t0;
	*t0 = 0;
	if (dev_name_is(napi->dev, rx_name)) {
		acc->rx_ns += d;
		acc->rx_polls++;
		acc->rx_frames += done;
	} else {
		acc->other_ns += d;
	}
	if (bpf_get_current_pid_tgid() >> 32 == target_tgid)
		acc->in_target_ns += d;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
