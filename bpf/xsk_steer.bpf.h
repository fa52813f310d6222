/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk_steer.bpf.h - the BPF side of the steering program, for steer.bpf.c
 * and for policy programs that users write.
 *
 * It holds, once each:
 *   - the maps, pinned by name under XSK_STEER_PIN_DIR, so that a policy
 *     object loaded with the same pin root shares them with steer;
 *   - the packet parser (Ethernet, 2 VLAN tags, IPv4, IPv6 + extension
 *     headers, TCP, UDP): xsk_steer_parse();
 *   - the split helper: xsk_steer_split_point();
 *   - xsk_steer_ctx(): the decision steer left for a policy;
 *   - xsk_steer_apply(): carry out an action (split, redirect, pass or
 *     drop, counters). A policy ends with it.
 *
 * A policy program serves slot N when a flow or rule says "policy N":
 *
 *	#include "xsk_steer.bpf.h"
 *
 *	SEC("xdp.frags")
 *	int my_policy(struct xdp_md *ctx)
 *	{
 *		struct xsk_steer_ctx *sc = xsk_steer_ctx(ctx);
 *		struct xsk_steer_action act = { .type = XSK_STEER_ACT_REDIRECT_RXQ };
 *
 *		if (!sc)
 *			return XDP_PASS;	(not a packet for this slot)
 *		... look at sc->pkt, sc->act.param, the payload ...
 *		return xsk_steer_apply(ctx, sc, &act);
 *	}
 *
 * The same source builds for both ways steer reaches a policy:
 *
 *   - chained (default; steer.bpf.o): steer leaves the decision in
 *     steer_scratch and returns XDP_PASS; the policy runs after it behind
 *     libxdp's dispatcher. xsk_steer_ctx() returns the context only when
 *     the pending decision is for this program's slot and this packet, and
 *     takes it. No packet-changing helper is called, so libxdp 1.3.1's
 *     dispatcher accepts both on kernels that check changes_pkt_data.
 *   - tail call (-DXSK_STEER_META=1; steer_meta.bpf.o): steer tail-calls
 *     slot N of the prog array steer_policies, and xsk_steer_apply() also
 *     writes struct xsk_steer_meta in front of the frame. For a program
 *     running alone on an interface (kernels without the split kfunc
 *     observe the split point through the metadata).
 *
 * The parser never reads outside [data, data_end): every header must sit
 * in the linear part of the frame (header split guarantees it). Its
 * verdicts and reasons are listed in xsk_steer.h; docs/steering.md has the
 * table of what is malformed.
 */
#ifndef XSK_STEER_BPF_H
#define XSK_STEER_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xsk_steer.h"

/*
 * The kernel half of header split (the kernel patch set adds it): returns
 * 0, or -EINVAL if hdr_len is past the end of the frame. Weak, so the
 * same object loads where it does not exist; bpf_ksym_exists() then is
 * false and the verifier drops the call.
 */
extern int bpf_xsk_dmabuf_set_split(struct xdp_md *ctx, __u32 hdr_len) __ksym __weak;

/*
 * XSK_STEER_META=1 (steer_meta.bpf.o, policies/NAME_meta.bpf.o): metadata
 * in front of redirected frames and policies by tail call. Both are
 * packet-changing helpers (bpf_xdp_adjust_meta(), bpf_tail_call()), which
 * kernels with the 6.12.y backport of "check changes_pkt_data for
 * extension programs" refuse in a program that replaces a slot of
 * libxdp's dispatcher unless the dispatcher is built for it (xdp-tools >=
 * 1.5.4); Debian's libxdp 1.3.1 is not. The default build calls neither:
 * the split goes to the kernel by kfunc only, and policies are chained.
 */
#ifndef XSK_STEER_META
#define XSK_STEER_META 0
#endif

/* --- maps ------------------------------------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XSK_STEER_MAX_FLOWS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xsk_steer_flow4);
	__type(value, struct xsk_steer_action);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_flows4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XSK_STEER_MAX_FLOWS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xsk_steer_flow6);
	__type(value, struct xsk_steer_action);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_flows6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XSK_STEER_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xsk_steer_prefix4_key);
	__type(value, struct xsk_steer_prefix_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_prefix4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XSK_STEER_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xsk_steer_prefix6_key);
	__type(value, struct xsk_steer_prefix_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_prefix6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xsk_steer_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xsk_steer_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XSK_STEER_MAX_COUNTERS);
	__type(key, __u32);
	__type(value, struct xsk_steer_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xsk_steer_ctx);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XSK_STEER_MAX_XSKS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, XSK_STEER_MAX_POLICIES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_policies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XSK_STEER_MAX_POLICIES);
	__type(key, __u32);
	__type(value, struct xsk_steer_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} steer_slots SEC(".maps");

#ifndef XSK_STEER_PROGRAM
/*
 * The slot of this policy object: set by the loader before the load
 * (xsk-devmem steer policy load N ...), read-only for the program.
 */
const volatile __u32 xsk_steer_slot SEC(XSK_STEER_SLOT_SEC) = XSK_STEER_NO_SLOT;
#endif

/* The per-CPU scratch context, as steer fills it. */
static __always_inline struct xsk_steer_ctx *xsk_steer_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&steer_scratch, &zero);
}

#ifndef XSK_STEER_PROGRAM
/*
 * For a policy: the context steer left for it, or NULL when no decision
 * is pending for this program's slot and this packet (then the policy
 * returns XDP_PASS and the packet goes on). The decision is taken: a
 * second call for the same packet returns NULL.
 *
 * Chained, the decision must name this slot and match the packet: ingress
 * interface, rx queue and frame length. A tail call comes from steer for
 * this very packet and slot (the prog array index), so a pending decision
 * is enough.
 */
static __always_inline struct xsk_steer_ctx *xsk_steer_ctx(struct xdp_md *ctx)
{
	struct xsk_steer_ctx *sc = xsk_steer_scratch();

	if (!sc || !sc->pending)
		return NULL;
	if (!XSK_STEER_META &&
	    (sc->pending != xsk_steer_slot + 1 ||
	     sc->ifindex != ctx->ingress_ifindex ||
	     sc->rx_queue != ctx->rx_queue_index ||
	     sc->pkt.len != bpf_xdp_get_buff_len(ctx)))
		return NULL;
	sc->pending = 0;
	return sc;
}
#endif

static __always_inline void xsk_steer_count(enum xsk_steer_stat stat)
{
	struct xsk_steer_stats *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&steer_stats, &zero);
	if (st && stat < __XSK_STEER_STAT_MAX)
		st->cnt[stat]++;
}

/* --- parser ----------------------------------------------------------- */

#define XSK_STEER_IP_MF		0x2000
#define XSK_STEER_IP_OFFSET	0x1fff
#define XSK_STEER_IP6_OFFSET	0xfff8

/* IPv6 fragment header (struct frag_hdr is not UAPI). */
struct xsk_steer_ip6_frag {
	__u8	nexthdr;
	__u8	reserved;
	__be16	frag_off;
	__be32	identification;
};

struct xsk_steer_vlan_hdr {
	__be16	tci;
	__be16	proto;
};

/*
 * Each parse_* step checks that its header is in [pos, end), fills its
 * part of @p, advances *pos past the header and returns 0, or returns the
 * reason (enum xsk_steer_reason) why the packet is not parsed further.
 */
static __always_inline int xsk_steer_parse_eth(void **pos, void *end,
					       struct xsk_steer_pkt *p,
					       __u16 *proto)
{
	struct ethhdr *eth = *pos;
	struct xsk_steer_vlan_hdr *vh;
	__u16 type;
	int i;

	if ((void *)(eth + 1) > end)
		return XSK_STEER_R_ETH_TRUNC;
	type = bpf_ntohs(eth->h_proto);
	vh = (void *)(eth + 1);

#pragma unroll
	for (i = 0; i < 2; i++) {
		if (type != ETH_P_8021Q && type != ETH_P_8021AD)
			break;
		if ((void *)(vh + 1) > end)
			return XSK_STEER_R_VLAN_TRUNC;
		p->vlan[i] = bpf_ntohs(vh->tci);
		p->nr_vlans = i + 1;
		type = bpf_ntohs(vh->proto);
		vh++;
	}
	if (type == ETH_P_8021Q || type == ETH_P_8021AD)
		return XSK_STEER_R_VLAN_DEPTH;
	*pos = vh;
	*proto = type;
	return 0;
}

static __always_inline int xsk_steer_parse_ipv4(void **pos, void *end,
						struct xsk_steer_pkt *p)
{
	struct iphdr *iph = *pos;
	__u32 hlen, tot, frag;

	if ((void *)(iph + 1) > end)
		return XSK_STEER_R_IP4_TRUNC;
	if (iph->version != 4)
		return XSK_STEER_R_IP4_VERSION;
	hlen = iph->ihl * 4;
	if (hlen < sizeof(*iph))
		return XSK_STEER_R_IP4_IHL;
	if (*pos + hlen > end)
		return XSK_STEER_R_IP4_OPT_TRUNC;
	tot = bpf_ntohs(iph->tot_len);
	if (tot < hlen || tot > p->len - p->l3_off)
		return XSK_STEER_R_IP4_LEN;

	p->family = 4;
	p->proto = iph->protocol;
	__builtin_memcpy(p->saddr, &iph->saddr, 4);
	__builtin_memcpy(p->daddr, &iph->daddr, 4);
	frag = bpf_ntohs(iph->frag_off);
	if (frag & (XSK_STEER_IP_MF | XSK_STEER_IP_OFFSET))
		p->flags |= XSK_STEER_PKT_FRAG;
	if (frag & XSK_STEER_IP_OFFSET)
		p->flags |= XSK_STEER_PKT_LATER_FRAG;
	*pos += hlen;
	return 0;
}

static __always_inline int xsk_steer_parse_ipv6(void **pos, void *end,
						struct xsk_steer_pkt *p)
{
	struct ipv6hdr *ip6h = *pos;
	struct ipv6_opt_hdr *oh;
	struct xsk_steer_ip6_frag *fh;
	void *cur;
	__u32 hlen;
	__u8 nh;
	int i;

	if ((void *)(ip6h + 1) > end)
		return XSK_STEER_R_IP6_TRUNC;
	if (ip6h->version != 6)
		return XSK_STEER_R_IP6_VERSION;
	if (sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len) > p->len - p->l3_off)
		return XSK_STEER_R_IP6_LEN;

	p->family = 6;
	__builtin_memcpy(p->saddr, &ip6h->saddr, 16);
	__builtin_memcpy(p->daddr, &ip6h->daddr, 16);
	nh = ip6h->nexthdr;
	cur = ip6h + 1;

	for (i = 0; i < XSK_STEER_IPV6_EXT_MAX; i++) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
			if (i)
				return XSK_STEER_R_IP6_HBH_POS;
			/* fallthrough */
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			oh = cur;
			if ((void *)(oh + 1) > end)
				return XSK_STEER_R_IP6_EXT_TRUNC;
			hlen = (oh->hdrlen + 1) * 8;
			if (cur + hlen > end)
				return XSK_STEER_R_IP6_EXT_TRUNC;
			nh = oh->nexthdr;
			cur += hlen;
			break;
		case IPPROTO_FRAGMENT:
			fh = cur;
			if ((void *)(fh + 1) > end)
				return XSK_STEER_R_IP6_EXT_TRUNC;
			p->flags |= XSK_STEER_PKT_FRAG;
			nh = fh->nexthdr;
			cur = fh + 1;
			if (bpf_ntohs(fh->frag_off) & XSK_STEER_IP6_OFFSET) {
				/* A later fragment: what follows is payload. */
				p->flags |= XSK_STEER_PKT_LATER_FRAG;
				goto done;
			}
			break;
		default:
			goto done;
		}
	}
	if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	    nh == IPPROTO_DSTOPTS || nh == IPPROTO_FRAGMENT)
		return XSK_STEER_R_IP6_EXT_DEPTH;
done:
	p->proto = nh;
	*pos = cur;
	return 0;
}

static __always_inline int xsk_steer_parse_l4(void *pos, void *end,
					      struct xsk_steer_pkt *p)
{
	struct tcphdr *th = pos;
	struct udphdr *uh = pos;
	__u32 hlen;

	if (p->flags & XSK_STEER_PKT_LATER_FRAG)
		return 0;
	switch (p->proto) {
	case IPPROTO_TCP:
		if ((void *)(th + 1) > end)
			return XSK_STEER_R_TCP_TRUNC;
		hlen = th->doff * 4;
		if (hlen < sizeof(*th))
			return XSK_STEER_R_TCP_DOFF;
		if (pos + hlen > end)
			return XSK_STEER_R_TCP_OPT_TRUNC;
		p->sport = th->source;
		p->dport = th->dest;
		break;
	case IPPROTO_UDP:
		if ((void *)(uh + 1) > end)
			return XSK_STEER_R_UDP_TRUNC;
		if (bpf_ntohs(uh->len) < sizeof(*uh))
			return XSK_STEER_R_UDP_LEN;
		hlen = sizeof(*uh);
		p->sport = uh->source;
		p->dport = uh->dest;
		break;
	default:
		return 0;
	}
	p->flags |= XSK_STEER_PKT_L4;
	p->l4_end = p->l4_off + hlen;
	return 0;
}

static __always_inline int xsk_steer_verdict(struct xsk_steer_pkt *p, int reason)
{
	p->reason = reason;
	if (reason == XSK_STEER_R_NONE)
		p->verdict = XSK_STEER_V_OK;
	else if (reason == XSK_STEER_R_NOT_IP || reason == XSK_STEER_R_VLAN_DEPTH)
		p->verdict = XSK_STEER_V_OTHER;
	else
		p->verdict = XSK_STEER_V_MALFORMED;
	return p->verdict;
}

/*
 * Parse the frame of @ctx into @p (which it clears first). Returns the
 * verdict (enum xsk_steer_verdict); p->reason says why when it is not OK.
 */
static __always_inline int xsk_steer_parse(struct xdp_md *ctx,
					   struct xsk_steer_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *pos = data;
	__u16 proto;
	int err;

	__builtin_memset(p, 0, sizeof(*p));
	p->len = bpf_xdp_get_buff_len(ctx);

	err = xsk_steer_parse_eth(&pos, end, p, &proto);
	if (err)
		return xsk_steer_verdict(p, err);
	p->l3_off = pos - data;
	if (proto == ETH_P_IP)
		err = xsk_steer_parse_ipv4(&pos, end, p);
	else if (proto == ETH_P_IPV6)
		err = xsk_steer_parse_ipv6(&pos, end, p);
	else
		err = XSK_STEER_R_NOT_IP;
	if (err)
		return xsk_steer_verdict(p, err);
	p->l4_off = pos - data;
	p->l4_end = p->l4_off;
	return xsk_steer_verdict(p, xsk_steer_parse_l4(pos, end, p));
}

/* --- split and actions ------------------------------------------------ */

/*
 * Header bytes of a redirected packet: the end of the L4 header (of the L3
 * header when there is none: other protocols, later fragments), that plus
 * split_len, or the whole frame; never more than the frame.
 */
static __always_inline __u32 xsk_steer_split_point(const struct xsk_steer_pkt *p,
						   const struct xsk_steer_action *a)
{
	__u32 split;

	switch (a->split) {
	case XSK_STEER_SPLIT_NONE:
		return p->len;
	case XSK_STEER_SPLIT_L4_PLUS:
		split = p->l4_end + a->split_len;
		return split < p->len ? split : p->len;
	default:
		return p->l4_end;
	}
}

/*
 * Hand the split point to the kernel (kfunc, when the kernel has it) and,
 * built with XSK_STEER_META, put it into the metadata in front of the
 * frame. Packet pointers are invalid afterwards.
 */
static __always_inline void xsk_steer_set_split(struct xdp_md *ctx, __u32 split,
						__u8 action, __u32 counter)
{
	struct xsk_steer_meta *m;
	__u8 flags = 0;
	void *data;

	if (bpf_ksym_exists(bpf_xsk_dmabuf_set_split)) {
		if (!bpf_xsk_dmabuf_set_split(ctx, split)) {
			flags |= XSK_STEER_META_KFUNC;
			xsk_steer_count(XSK_STEER_STAT_SPLIT_KFUNC);
		}
	}
	if (!XSK_STEER_META)
		goto no_meta;
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		goto no_meta;
	m = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(m + 1) > data)
		goto no_meta;
	m->counter = counter;
	m->split = split;
	m->action = action;
	m->flags = flags;
	m->pad = 0;
	m->magic = XSK_STEER_META_MAGIC;
	return;
no_meta:
	if (!(flags & XSK_STEER_META_KFUNC))
		xsk_steer_count(XSK_STEER_STAT_SPLIT_FAIL);
}

/*
 * Carry out @act for the packet parsed into @sc: pass, drop, or split and
 * redirect to an AF_XDP socket. A redirect to an empty XSKMAP slot passes
 * the packet (counted as redirect_fail). Every packet ends counted in
 * exactly one of redirected, passed, dropped.
 */
static __always_inline int xsk_steer_apply(struct xdp_md *ctx,
					   struct xsk_steer_ctx *sc,
					   const struct xsk_steer_action *act)
{
	__u32 idx;
	int ret;

	switch (act->type) {
	case XSK_STEER_ACT_DROP:
		xsk_steer_count(XSK_STEER_STAT_DROPPED);
		return XDP_DROP;
	case XSK_STEER_ACT_REDIRECT_RXQ:
		idx = sc->rx_queue;
		break;
	case XSK_STEER_ACT_REDIRECT_IDX:
		idx = act->arg;
		break;
	default:
		xsk_steer_count(XSK_STEER_STAT_PASSED);
		return XDP_PASS;
	}

	xsk_steer_set_split(ctx, xsk_steer_split_point(&sc->pkt, act),
			    act->type, act->counter);
	ret = bpf_redirect_map(&steer_xsks, idx, XDP_PASS);
	if (ret == XDP_REDIRECT) {
		xsk_steer_count(XSK_STEER_STAT_REDIRECTED);
	} else {
		xsk_steer_count(XSK_STEER_STAT_REDIRECT_FAIL);
		xsk_steer_count(XSK_STEER_STAT_PASSED);
	}
	return ret;
}

#endif /* XSK_STEER_BPF_H */
