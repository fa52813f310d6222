// SPDX-License-Identifier: GPL-2.0
/*
 * A program that tries to read and write the payload of every UDP datagram
 * to the configured port, then gives it the configured verdict
 * (vm/dmabuf_zc.sh, case xdp-safe). With a zero-copy dmabuf socket on the
 * queue, the payload is device memory: reading the headers must work,
 * reading or writing past the linear part must fail with -EFAULT, and no
 * verdict but the redirect to that socket may deliver the frame.
 */
#include <linux/errno.h>

#include "udp_parse.h"
#include "zc_probe.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct zc_probe_cfg);
} cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ZC_PROBE_NR_STATS);
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
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

static __always_inline void add(__u32 i)
{
	__u64 *c = bpf_map_lookup_elem(&stats, &i);

	if (c)
		__sync_fetch_and_add(c, 1);
}

static __always_inline void count(long ret, __u32 efault, __u32 ok)
{
	if (ret == -EFAULT)
		add(efault);
	else if (!ret)
		add(ok);
	else
		add(ZC_PROBE_OTHER_ERR);
}

SEC("xdp.frags")
int zc_probe(struct xdp_md *ctx)
{
	struct udphdr *udp = udp_header(ctx);
	struct zc_probe_cfg *c;
	__u8 buf[8] = {};
	__u32 zero = 0;
	__u64 len, lin;

	if (!udp)
		return XDP_PASS;
	c = bpf_map_lookup_elem(&cfg, &zero);
	if (!c || bpf_ntohs(udp->dest) != c->port)
		return XDP_PASS;

	add(ZC_PROBE_FRAMES);
	len = bpf_xdp_get_buff_len(ctx);
	lin = ctx->data_end - ctx->data;
	if (!bpf_xdp_load_bytes(ctx, 0, buf, sizeof(buf)))
		add(ZC_PROBE_HEAD_OK);
	if (len >= lin + sizeof(buf) && lin < 0xffff) {
		long ret;

		add(ZC_PROBE_MULTI);
		ret = bpf_xdp_load_bytes(ctx, lin, buf, sizeof(buf));
		count(ret, ZC_PROBE_LOAD_EFAULT, ZC_PROBE_LOAD_OK);
		/* What was read goes back unchanged where it can be read. */
		ret = bpf_xdp_store_bytes(ctx, lin, buf, sizeof(buf));
		count(ret, ZC_PROBE_STORE_EFAULT, ZC_PROBE_STORE_OK);
	}

	switch (c->action) {
	case ZC_PROBE_REDIRECT_XSK:
		return bpf_redirect_map(&xsks, ctx->rx_queue_index, 0);
	case ZC_PROBE_PASS:
		return XDP_PASS;
	case ZC_PROBE_TX:	/* the driver must drop it: no address swap */
		return XDP_TX;
	case ZC_PROBE_REDIRECT_DEV:
		return bpf_redirect_map(&devs, 0, 0);
	default:
		return XDP_ABORTED;
	}
}

char _license[] SEC("license") = "GPL";
