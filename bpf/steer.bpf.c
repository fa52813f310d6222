// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer.bpf.c - XDP steering and header split for xsk-devmem.
 *
 * Per packet: parse L2-L4 (xsk_steer.bpf.h), pick the action - exact flow,
 * else the longest matching prefix rule, else the default -, count it, and
 * carry it out: pass, drop, split + redirect to an AF_XDP socket, or hand
 * the packet to a user policy. Load it with
 *
 *	xdp-loader load -p /sys/fs/bpf/xsk-devmem IFACE steer.bpf.o
 *
 * or `xsk-devmem steer load IFACE`; docs/steering.md has the rest.
 *
 * Built twice: steer.bpf.o hands policy packets on in the chain of libxdp's
 * dispatcher (a decision in steer_scratch, then XDP_PASS) and calls no
 * packet-changing helper; steer_meta.bpf.o (XSK_STEER_META=1) tail-calls
 * policies and writes metadata, for use alone on an interface.
 */
#include <xdp/xdp_helpers.h>

#define XSK_STEER_PROGRAM	/* not a policy: no slot of its own */

#include "xsk_steer.bpf.h"

/* Nested prefixes tried per direction before giving up on prefix rules. */
#define XSK_STEER_PREFIX_STEPS	8

/*
 * After packet filters (xdp-filter runs at 10), before the default (50):
 * a packet we pass goes on to the next program.
 */
struct {
	__uint(priority, 20);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(xsk_steer);

static __always_inline struct xsk_steer_action *
lookup_flow(const struct xsk_steer_pkt *p)
{
	if (p->family == 4) {
		struct xsk_steer_flow4 k = {
			.sport = p->sport,
			.dport = p->dport,
			.proto = p->proto,
		};

		__builtin_memcpy(&k.saddr, p->saddr, 4);
		__builtin_memcpy(&k.daddr, p->daddr, 4);
		return bpf_map_lookup_elem(&steer_flows4, &k);
	} else {
		struct xsk_steer_flow6 k = {
			.sport = p->sport,
			.dport = p->dport,
			.proto = p->proto,
		};

		__builtin_memcpy(k.saddr, p->saddr, 16);
		__builtin_memcpy(k.daddr, p->daddr, 16);
		return bpf_map_lookup_elem(&steer_flows6, &k);
	}
}

/* The first rule under a prefix whose protocol and port range match. */
static __always_inline struct xsk_steer_action *
match_rules(struct xsk_steer_prefix_val *v, const struct xsk_steer_pkt *p)
{
	__u16 dport = bpf_ntohs(p->dport);
	int i;

#pragma unroll
	for (i = 0; i < XSK_STEER_RULES_PER_PREFIX; i++) {
		struct xsk_steer_rule *r = &v->rule[i];

		if (i >= v->nr)
			break;
		if (r->proto && r->proto != p->proto)
			continue;
		if (dport < r->dport_lo || dport > r->dport_hi)
			continue;
		return &r->act;
	}
	return NULL;
}

/*
 * Longest prefix of one direction with a matching rule: look up, and when
 * no rule under the prefix found matches, look up again with a key one bit
 * shorter than it, which finds the next shorter prefix.
 */
#define LOOKUP_PREFIX(map_, key_, pkt_, plen_)					\
({									\
	struct xsk_steer_action *__act = NULL;				\
	struct xsk_steer_prefix_val *__v;				\
	int __i;							\
									\
	for (__i = 0; __i < XSK_STEER_PREFIX_STEPS; __i++) {		\
		__v = bpf_map_lookup_elem(map_, key_);			\
		if (!__v)						\
			break;						\
		__act = match_rules(__v, pkt_);				\
		if (__act) {						\
			*(plen_) = __v->plen;				\
			break;						\
		}							\
		if (!__v->plen || 8 + __v->plen > (key_)->prefixlen)	\
			break;						\
		(key_)->prefixlen = 8 + __v->plen - 1;			\
	}								\
	__act;								\
})

/* Both directions in the trie of one family: sets dst, src, dlen, slen. */
#define LOOKUP_DIRS(map_, key_type, bits)					\
do {									\
	struct key_type k = { .prefixlen = 8 + (bits) };		\
									\
	k.dir = XSK_STEER_DIR_DST;					\
	__builtin_memcpy(k.addr, p->daddr, (bits) / 8);			\
	dst = LOOKUP_PREFIX(map_, &k, p, &dlen);			\
	k.prefixlen = 8 + (bits);					\
	k.dir = XSK_STEER_DIR_SRC;					\
	__builtin_memcpy(k.addr, p->saddr, (bits) / 8);			\
	src = LOOKUP_PREFIX(map_, &k, p, &slen);			\
} while (0)

static __always_inline struct xsk_steer_action *
lookup_prefix(const struct xsk_steer_pkt *p)
{
	struct xsk_steer_action *dst, *src;
	int dlen = -1, slen = -1;

	if (p->family == 4)
		LOOKUP_DIRS(&steer_prefix4, xsk_steer_prefix4_key, 32);
	else
		LOOKUP_DIRS(&steer_prefix6, xsk_steer_prefix6_key, 128);
	/* Longer prefix wins; on a tie, the destination. */
	return slen > dlen ? src : dst;
}

/* A slot has a chained policy program when the CLI says it attached one. */
static __always_inline int slot_loaded(__u32 slot)
{
	struct xsk_steer_slot *s = bpf_map_lookup_elem(&steer_slots, &slot);

	return s && s->progs;
}

/* The packet passes on: no policy program ran for it. */
static __always_inline int policy_missing(void)
{
	xsk_steer_count(XSK_STEER_STAT_POLICY_MISSING);
	xsk_steer_count(XSK_STEER_STAT_PASSED);
	return XDP_PASS;
}

/*
 * Hand the packet to the policy of slot act->arg. The decision it needs is
 * in the scratch context already; sc->pending marks it as due.
 */
static __always_inline int to_policy(struct xdp_md *ctx, struct xsk_steer_ctx *sc,
				     const struct xsk_steer_action *act)
{
	__u32 slot = act->arg;

	xsk_steer_count(XSK_STEER_STAT_POLICY_CALLS);
	if (XSK_STEER_META) {
		sc->pending = slot + 1;
		bpf_tail_call(ctx, &steer_policies, slot);
		sc->pending = 0;
		return policy_missing();
	}
	if (slot >= XSK_STEER_MAX_POLICIES || !slot_loaded(slot))
		return policy_missing();
	/* The policy behind us in the dispatcher takes it from here. */
	sc->pending = slot + 1;
	return XDP_PASS;
}

static __always_inline void count_entry(__u32 counter, __u32 len)
{
	struct xsk_steer_counter *c;

	c = bpf_map_lookup_elem(&steer_counters, &counter);
	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

SEC("xdp.frags")
int xsk_steer(struct xdp_md *ctx)
{
	struct xsk_steer_action *act;
	struct xsk_steer_config *cfg;
	struct xsk_steer_ctx *sc;
	__u32 zero = 0;

	sc = xsk_steer_scratch();
	cfg = bpf_map_lookup_elem(&steer_config, &zero);
	if (!sc || !cfg)
		return XDP_PASS;
	/*
	 * A decision still pending from the packet before on this CPU: no
	 * policy took it (its program is gone, or a program between us and it
	 * ended the chain). Count it now; the packet went on as a pass.
	 */
	if (sc->pending) {
		sc->pending = 0;
		policy_missing();
	}

	switch (xsk_steer_parse(ctx, &sc->pkt)) {
	case XSK_STEER_V_OK:
		break;
	case XSK_STEER_V_OTHER:
		xsk_steer_count(XSK_STEER_STAT_OTHER);
		xsk_steer_count(XSK_STEER_STAT_PASSED);
		return XDP_PASS;
	default:
		xsk_steer_count(XSK_STEER_STAT_MALFORMED);
		if (cfg->malformed_act == XSK_STEER_ACT_DROP) {
			xsk_steer_count(XSK_STEER_STAT_DROPPED);
			return XDP_DROP;
		}
		xsk_steer_count(XSK_STEER_STAT_PASSED);
		return XDP_PASS;
	}
	xsk_steer_count(XSK_STEER_STAT_PARSED);

	act = lookup_flow(&sc->pkt);
	if (act) {
		xsk_steer_count(XSK_STEER_STAT_HIT_FLOW);
	} else {
		act = lookup_prefix(&sc->pkt);
		if (act) {
			xsk_steer_count(XSK_STEER_STAT_HIT_PREFIX);
		} else {
			act = &cfg->dflt;
			xsk_steer_count(XSK_STEER_STAT_HIT_DEFAULT);
		}
	}
	count_entry(act->counter, sc->pkt.len);
	sc->act = *act;
	sc->rx_queue = ctx->rx_queue_index;
	sc->ifindex = ctx->ingress_ifindex;

	if (act->type == XSK_STEER_ACT_POLICY)
		return to_policy(ctx, sc, act);
	return xsk_steer_apply(ctx, sc, act);
}

char _license[] SEC("license") = "Dual BSD/GPL";
