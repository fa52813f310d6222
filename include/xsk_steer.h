/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk_steer.h - the ABI of the steering program (bpf/steer.bpf.c).
 *
 * Shared by the XDP program, user policies written in BPF, the CLI
 * (xsk-devmem steer ...) and applications that read the per-packet
 * metadata. Everything here is a map key or value, an encoding of one, or
 * the metadata struct the program puts in front of each redirected frame.
 * docs/steering.md describes how the pieces fit together.
 *
 * Byte order: addresses and ports in flow keys and prefix keys are in
 * network byte order, exactly as they appear on the wire; every other
 * field is in host byte order.
 */
#ifndef XSK_STEER_H
#define XSK_STEER_H

#include <linux/types.h>

/*
 * All maps of the program are pinned by name (steer_*) below this bpffs
 * directory: `xdp-loader load -p XSK_STEER_PIN_DIR ...`, or
 * `xsk-devmem steer load`, which does the same.
 */
#define XSK_STEER_PIN_DIR	"/sys/fs/bpf/xsk-devmem"

#define XSK_STEER_MAX_FLOWS	(1U << 20)	/* per family */
#define XSK_STEER_MAX_PREFIXES	16384		/* per family */
#define XSK_STEER_RULES_PER_PREFIX 4
#define XSK_STEER_MAX_COUNTERS	16384
#define XSK_STEER_MAX_XSKS	256
#define XSK_STEER_MAX_POLICIES	16
#define XSK_STEER_IPV6_EXT_MAX	8	/* extension headers walked at most */

/* What happens to a packet. */
enum xsk_steer_act_type {
	XSK_STEER_ACT_PASS = 0,		/* to the kernel stack (next program) */
	XSK_STEER_ACT_DROP,
	XSK_STEER_ACT_REDIRECT_RXQ,	/* XSKMAP entry = receiving rx queue */
	XSK_STEER_ACT_REDIRECT_IDX,	/* XSKMAP entry = action.arg */
	XSK_STEER_ACT_POLICY,		/* policy program of slot action.arg */
	__XSK_STEER_ACT_MAX,
};

/* Where a redirected packet is split into headers and payload. */
enum xsk_steer_split_mode {
	XSK_STEER_SPLIT_L4 = 0,		/* end of the L4 header */
	XSK_STEER_SPLIT_L4_PLUS,	/* end of the L4 header + split_len */
	XSK_STEER_SPLIT_NONE,		/* whole packet is header */
	__XSK_STEER_SPLIT_MAX,
};

/*
 * The value of an exact flow, the action of a prefix rule, the default
 * action. counter indexes steer_counters (0 is the default action's).
 * param is opaque to the steering program: a policy program reads it from
 * its context (e.g. how many sockets to spread a flow over).
 */
struct xsk_steer_action {
	__u8	type;		/* enum xsk_steer_act_type */
	__u8	split;		/* enum xsk_steer_split_mode */
	__u16	split_len;	/* bytes after the L4 header (SPLIT_L4_PLUS) */
	__u32	arg;		/* XSKMAP index (REDIRECT_IDX), slot (POLICY) */
	__u32	counter;	/* index into steer_counters */
	__u32	param;		/* for the policy program */
};

/* steer_flows4 (hash): exact 5-tuple of IPv4 flows. */
struct xsk_steer_flow4 {
	__be32	saddr;
	__be32	daddr;
	__be16	sport;
	__be16	dport;
	__u8	proto;
	__u8	pad[3];		/* must be zero */
};

/* steer_flows6 (hash): exact 5-tuple of IPv6 flows. */
struct xsk_steer_flow6 {
	__u8	saddr[16];
	__u8	daddr[16];
	__be16	sport;
	__be16	dport;
	__u8	proto;
	__u8	pad[3];		/* must be zero */
};

/*
 * steer_prefix4 / steer_prefix6 (LPM tries): prefixes of the source or the
 * destination address. The first byte of the key data says which, so one
 * trie per family holds both: prefixlen = 8 + address prefix length.
 */
enum xsk_steer_dir {
	XSK_STEER_DIR_SRC = 1,
	XSK_STEER_DIR_DST = 2,
};

struct xsk_steer_prefix4_key {
	__u32	prefixlen;	/* 8 + address bits */
	__u8	dir;		/* enum xsk_steer_dir */
	__u8	addr[4];
	__u8	pad[3];		/* outside any prefix; zero */
};

struct xsk_steer_prefix6_key {
	__u32	prefixlen;
	__u8	dir;
	__u8	addr[16];
	__u8	pad[3];
};

/* One rule under a prefix: protocol (0 = any) and a destination-port range. */
struct xsk_steer_rule {
	__u8	proto;
	__u8	pad;
	__u16	dport_lo;	/* host order, inclusive */
	__u16	dport_hi;
	__u16	pad2;
	struct xsk_steer_action act;
};

/*
 * The value under a prefix: up to XSK_STEER_RULES_PER_PREFIX rules, tried in
 * order; the first one whose protocol and port range match wins. plen
 * repeats the address prefix length of the key (the lookup needs it to
 * step to the next shorter prefix when no rule under this one matches).
 */
struct xsk_steer_prefix_val {
	__u8	plen;
	__u8	nr;
	__u8	pad[2];
	struct xsk_steer_rule rule[XSK_STEER_RULES_PER_PREFIX];
};

/* steer_config (array, one entry). */
struct xsk_steer_config {
	struct xsk_steer_action dflt;	/* no flow and no rule matched */
	__u8	malformed_act;		/* XSK_STEER_ACT_PASS or _DROP */
	__u8	pad[3];
};

/* steer_stats (per-CPU array, one entry): global counters. */
enum xsk_steer_stat {
	XSK_STEER_STAT_PARSED,		/* IPv4/IPv6 packets parsed */
	XSK_STEER_STAT_MALFORMED,	/* truncated or invalid headers */
	XSK_STEER_STAT_OTHER,		/* not IP, or more than 2 VLAN tags */
	XSK_STEER_STAT_HIT_FLOW,	/* matched an exact flow */
	XSK_STEER_STAT_HIT_PREFIX,	/* matched a prefix rule */
	XSK_STEER_STAT_HIT_DEFAULT,	/* took the default action */
	XSK_STEER_STAT_REDIRECTED,	/* bpf_redirect_map() succeeded */
	XSK_STEER_STAT_PASSED,
	XSK_STEER_STAT_DROPPED,
	XSK_STEER_STAT_REDIRECT_FAIL,	/* no socket at the XSKMAP index: passed */
	XSK_STEER_STAT_POLICY_CALLS,	/* packets handed to a policy slot */
	XSK_STEER_STAT_POLICY_MISSING,	/* no policy ran for them: passed */
	XSK_STEER_STAT_SPLIT_KFUNC,	/* split handed to the kernel (kfunc) */
	XSK_STEER_STAT_SPLIT_FAIL,	/* kfunc refused it or no metadata room */
	__XSK_STEER_STAT_MAX,
};

struct xsk_steer_stats {
	__u64	cnt[__XSK_STEER_STAT_MAX];
};

/* steer_counters (per-CPU array): per-entry packet and byte counters. */
struct xsk_steer_counter {
	__u64	packets;
	__u64	bytes;
};

/* The parser's verdict on a packet and, when not OK, why. */
enum xsk_steer_verdict {
	XSK_STEER_V_OK = 0,	/* IPv4/IPv6 parsed; flow key valid */
	XSK_STEER_V_OTHER,	/* not for us: passed, counted as other */
	XSK_STEER_V_MALFORMED,	/* passed (default) or dropped, counted */
};

enum xsk_steer_reason {
	XSK_STEER_R_NONE = 0,
	XSK_STEER_R_ETH_TRUNC,
	XSK_STEER_R_VLAN_TRUNC,
	XSK_STEER_R_VLAN_DEPTH,		/* other: a third VLAN tag */
	XSK_STEER_R_NOT_IP,		/* other */
	XSK_STEER_R_IP4_TRUNC,
	XSK_STEER_R_IP4_VERSION,
	XSK_STEER_R_IP4_IHL,		/* IHL < 5 */
	XSK_STEER_R_IP4_OPT_TRUNC,	/* options run past the buffer */
	XSK_STEER_R_IP4_LEN,		/* tot_len < IHL*4 or > frame */
	XSK_STEER_R_IP6_TRUNC,
	XSK_STEER_R_IP6_VERSION,
	XSK_STEER_R_IP6_LEN,		/* payload_len past the frame */
	XSK_STEER_R_IP6_EXT_TRUNC,
	XSK_STEER_R_IP6_EXT_DEPTH,	/* more than XSK_STEER_IPV6_EXT_MAX */
	XSK_STEER_R_IP6_HBH_POS,	/* hop-by-hop not first */
	XSK_STEER_R_TCP_TRUNC,
	XSK_STEER_R_TCP_DOFF,		/* data offset < 5 */
	XSK_STEER_R_TCP_OPT_TRUNC,
	XSK_STEER_R_UDP_TRUNC,
	XSK_STEER_R_UDP_LEN,		/* length field < 8 */
	__XSK_STEER_R_MAX,
};

/* xsk_steer_pkt.flags */
#define XSK_STEER_PKT_FRAG	0x1	/* a fragment (first or later) */
#define XSK_STEER_PKT_LATER_FRAG 0x2	/* not the first: no L4 header */
#define XSK_STEER_PKT_L4	0x4	/* TCP/UDP header parsed: ports valid */

/*
 * What the parser found. Offsets count from the start of the frame
 * (the Ethernet header). For IPv4 only the first 4 bytes of the address
 * arrays are used, the rest is zero. Without an L4 header (other protocols,
 * later fragments) ports are 0 and l4_end == l4_off.
 */
struct xsk_steer_pkt {
	__u8	saddr[16];
	__u8	daddr[16];
	__be16	sport;
	__be16	dport;
	__u8	proto;		/* L4 protocol (after IPv6 extension headers) */
	__u8	family;		/* 4, 6, or 0 when not parsed */
	__u8	verdict;	/* enum xsk_steer_verdict */
	__u8	reason;		/* enum xsk_steer_reason */
	__u16	l3_off;
	__u16	l4_off;
	__u16	l4_end;		/* end of the TCP/UDP header */
	__u8	nr_vlans;
	__u8	flags;		/* XSK_STEER_PKT_* */
	__u16	vlan[2];	/* TCI of the outer, inner tag (host order) */
	__u32	len;		/* frame length, all fragments */
};

/*
 * The context the steering program leaves in steer_scratch (per-CPU) for
 * the policy program of the slot it picked: the parsed packet, the action
 * that selected the policy (act.param is the policy's own parameter), the
 * receiving queue and interface, and the pending decision: slot + 1 while
 * a policy is still to run for the packet, 0 once one took it (or none is
 * due). docs/steering.md, "Policies in BPF", explains the life of it.
 */
struct xsk_steer_ctx {
	struct xsk_steer_pkt pkt;
	struct xsk_steer_action act;
	__u32	rx_queue;
	__u32	ifindex;	/* ingress interface of the packet */
	__u32	pending;	/* policy slot + 1; 0: no decision pending */
	__u32	pad;
};

/*
 * steer_slots (array, XSK_STEER_MAX_POLICIES entries): how many chained
 * policy programs the CLI attached for each slot (behind libxdp's
 * dispatcher, after steer). steer.bpf.o hands a packet to slot N only when
 * this is non-zero; otherwise the packet passes, counted policy_missing.
 */
struct xsk_steer_slot {
	__u32	progs;
	__u32	pad;
};

/*
 * A policy object knows its slot from a read-only global in its own ELF
 * section (map name as libbpf and the kernel show it), set by whoever
 * loads it (xsk-devmem steer policy load) before the load.
 * XSK_STEER_NO_SLOT: not set; such a program never takes a packet.
 */
#define XSK_STEER_SLOT_SEC	".rodata.xslot"
#define XSK_STEER_NO_SLOT	0xffffffffU

/*
 * Metadata in front of every redirected frame (bpf_xdp_adjust_meta) by
 * steer_meta.bpf.o (and policies built for it), so that AF_XDP readers -
 * copy mode included - see the split point on kernels without
 * bpf_xsk_dmabuf_set_split(). steer.bpf.o writes none. It ends where
 * the frame starts: read it at (frame address - sizeof(struct
 * xsk_steer_meta)) and check magic.
 */
#define XSK_STEER_META_MAGIC	0x5854a5e1
#define XSK_STEER_META_KFUNC	0x1	/* the kernel accepted the split */

struct xsk_steer_meta {
	__u32	counter;	/* counter id of the entry that matched */
	__u32	split;		/* header bytes from the start of the frame */
	__u8	action;		/* enum xsk_steer_act_type (after policies) */
	__u8	flags;		/* XSK_STEER_META_* */
	__u16	pad;
	__u32	magic;		/* XSK_STEER_META_MAGIC */
};

#endif /* XSK_STEER_H */
