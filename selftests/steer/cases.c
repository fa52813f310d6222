// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cases.c - the packet-case table (see cases.h).
 *
 * Frames go from 10.0.0.1 to 10.0.0.2 (fd00::1 to fd00::2) unless a case
 * says otherwise. The standard configuration, installed by
 * steer_cases_config(), is:
 *
 *   flow  udp 10.0.0.1:1000 -> 10.0.0.2:2000   redirect index 3, split l4     (counter 1)
 *   flow  tcp 10.0.0.1:1000 -> 10.0.0.2:80     redirect queue, split none     (counter 2)
 *   flow  udp fd00::1:1000 -> fd00::2:2000     redirect index 5, split l4+8   (counter 3)
 *   flow  tcp fd00::1:1000 -> fd00::2:80       drop                           (counter 4)
 *   rule  dst 10.0.0.0/24 udp 3000-3999        redirect queue, split l4+4     (counter 5)
 *   rule  dst 10.0.0.0/24 tcp 8000-8999        redirect index 11, split l4    (counter 10)
 *   rule  dst 10.0.0.2/32 udp 5000             redirect index 7, split l4     (counter 6)
 *   rule  src 10.0.0.0/16 any                  drop                           (counter 7)
 *   rule  dst fd00::/64 udp 3000-3999          redirect index 9, split l4     (counter 8)
 *   rule  dst fd00::/16 tcp any                redirect index 10, split none  (counter 9)
 *   default pass (counter 0), malformed pass
 *
 * BPF_PROG_TEST_RUN has no sockets in the XSKMAP, so a redirect falls back
 * to XDP_PASS; the metadata still shows the action and the split.
 */
#include <errno.h>
#include <netinet/in.h>
#include <linux/bpf.h>

#include "cases.h"

#define SPLIT_ALL	0xffffffffu	/* the whole frame */

#define UDP(sp, dp, pl)	.proto = IPPROTO_UDP, .sport = sp, .dport = dp, .payload = pl
#define TCP(sp, dp, pl)	.proto = IPPROTO_TCP, .sport = sp, .dport = dp, .payload = pl
#define EXT(t, l)	{ .type = t, .hdrlen = l }
#define FRAG(off)	{ .type = IPPROTO_FRAGMENT, .frag_off = off }

#define L4		XSK_STEER_PKT_L4
#define FR		XSK_STEER_PKT_FRAG
#define LATER		XSK_STEER_PKT_LATER_FRAG

#define X_OK(pr, fl, l3, l4, end, sp, dp)				\
	.verdict = XSK_STEER_V_OK, .proto = pr, .flags = fl,		\
	.l3_off = l3, .l4_off = l4, .l4_end = end, .sport = sp, .dport = dp
#define X_BAD(r)	.verdict = XSK_STEER_V_MALFORMED, .reason = XSK_STEER_R_##r, \
			.act = NO_META, .ret = XDP_PASS
#define X_OTHER(r)	.verdict = XSK_STEER_V_OTHER, .reason = XSK_STEER_R_##r, \
			.act = NO_META, .ret = XDP_PASS
#define X_REDIR(a, s, c) .act = XSK_STEER_ACT_REDIRECT_##a, .ret = XDP_PASS, \
			.split = s, .counter = c
#define X_DROP(c)	.act = NO_META, .ret = XDP_DROP, .counter = c
#define X_PASS(c)	.act = NO_META, .ret = XDP_PASS, .counter = c

const struct steer_case steer_cases[] = {
	/* IPv4 exact flows */
	{ "udp4 flow", { .l3 = 4, UDP(1000, 2000, 32) },
	  { X_OK(17, L4, 14, 34, 42, 1000, 2000), X_REDIR(IDX, 42, 1) } },
	{ "udp4 flow, no payload", { .l3 = 4, UDP(1000, 2000, 0) },
	  { X_OK(17, L4, 14, 34, 42, 1000, 2000), X_REDIR(IDX, 42, 1) } },
	{ "tcp4 flow, split none", { .l3 = 4, TCP(1000, 80, 100) },
	  { X_OK(6, L4, 14, 34, 54, 1000, 80), X_REDIR(RXQ, SPLIT_ALL, 2) } },
	{ "tcp4 options 12", { .l3 = 4, .tcp_opts = 12, TCP(1000, 80, 10) },
	  { X_OK(6, L4, 14, 34, 66, 1000, 80), X_REDIR(RXQ, SPLIT_ALL, 2) } },
	{ "tcp4 options 40 (doff 15)", { .l3 = 4, .tcp_opts = 40, TCP(1000, 80, 10) },
	  { X_OK(6, L4, 14, 34, 94, 1000, 80), X_REDIR(RXQ, SPLIT_ALL, 2) } },
	{ "ipv4 options 8", { .l3 = 4, .ip4_opts = 8, UDP(1000, 2000, 16) },
	  { X_OK(17, L4, 14, 42, 50, 1000, 2000), X_REDIR(IDX, 50, 1) } },
	{ "ipv4 options 40 (ihl 15)", { .l3 = 4, .ip4_opts = 40, UDP(1000, 2000, 16) },
	  { X_OK(17, L4, 14, 74, 82, 1000, 2000), X_REDIR(IDX, 82, 1) } },
	{ "udp4 first fragment", { .l3 = 4, .frag_off = 0x2000, UDP(1000, 2000, 64) },
	  { X_OK(17, L4 | FR, 14, 34, 42, 1000, 2000), X_REDIR(IDX, 42, 1) } },
	{ "udp4 later fragment", { .l3 = 4, .frag_off = 100, UDP(1000, 2000, 64) },
	  { X_OK(17, FR | LATER, 14, 34, 34, 0, 0), X_DROP(7) } },
	{ "udp4 later fragment, MF", { .l3 = 4, .frag_off = 0x2000 | 8, .proto = 17, .l4_bytes = 24 },
	  { X_OK(17, FR | LATER, 14, 34, 34, 0, 0), X_DROP(7) } },
	/* VLANs */
	{ "vlan udp4 flow", { .vlans = 1, .l3 = 4, UDP(1000, 2000, 8) },
	  { X_OK(17, L4, 18, 38, 46, 1000, 2000), X_REDIR(IDX, 46, 1) } },
	{ "qinq udp4 flow", { .vlans = 2, .l3 = 4, UDP(1000, 2000, 8) },
	  { X_OK(17, L4, 22, 42, 50, 1000, 2000), X_REDIR(IDX, 50, 1) } },
	{ "three vlan tags", { .vlans = 3, .l3 = 4, UDP(1000, 2000, 8) },
	  { X_OTHER(VLAN_DEPTH) } },
	{ "arp", { .ethertype = 0x0806, .l4_bytes = 28 }, { X_OTHER(NOT_IP) } },
	{ "vlan arp", { .vlans = 1, .ethertype = 0x0806, .l4_bytes = 28 },
	  { X_OTHER(NOT_IP) } },
	/* IPv4 prefix rules and precedence */
	{ "udp4 dst/24 rule, split l4+4", { .l3 = 4, UDP(1, 3500, 32) },
	  { X_OK(17, L4, 14, 34, 42, 1, 3500), X_REDIR(RXQ, 46, 5) } },
	{ "udp4 split l4+4 clamped to frame", { .l3 = 4, UDP(1, 3500, 2) },
	  { X_OK(17, L4, 14, 34, 42, 1, 3500), X_REDIR(RXQ, 44, 5) } },
	{ "udp4 dst/32 beats dst/24", { .l3 = 4, UDP(1, 5000, 8) },
	  { X_OK(17, L4, 14, 34, 42, 1, 5000), X_REDIR(IDX, 42, 6) } },
	{ "tcp4 dst/32 no rule, falls to /24", { .l3 = 4, TCP(1, 8080, 8) },
	  { X_OK(6, L4, 14, 34, 54, 1, 8080), X_REDIR(IDX, 54, 10) } },
	{ "udp4 no dst rule, src/16 drops", { .l3 = 4, UDP(1, 9999, 8) },
	  { X_OK(17, L4, 14, 34, 42, 1, 9999), X_DROP(7) } },
	{ "udp4 dst/24 beats src/16", { .l3 = 4, .daddr_lo = 9, UDP(1, 3001, 8) },
	  { X_OK(17, L4, 14, 34, 42, 1, 3001), X_REDIR(RXQ, 46, 5) } },
	{ "icmp4 src/16 any", { .l3 = 4, .proto = 1, .l4_bytes = 8 },
	  { X_OK(1, 0, 14, 34, 34, 0, 0), X_DROP(7) } },
	{ "udp4 flow miss, src/16 drops", { .l3 = 4, UDP(1000, 2001, 8) },
	  { X_OK(17, L4, 14, 34, 42, 1000, 2001), X_DROP(7) } },
	/* IPv6 */
	{ "udp6 flow, split l4+8", { .l3 = 6, UDP(1000, 2000, 40) },
	  { X_OK(17, L4, 14, 54, 62, 1000, 2000), X_REDIR(IDX, 70, 3) } },
	{ "tcp6 flow drop", { .l3 = 6, TCP(1000, 80, 40) },
	  { X_OK(6, L4, 14, 54, 74, 1000, 80), X_DROP(4) } },
	{ "udp6 dst/64 rule", { .l3 = 6, UDP(7, 3500, 40) },
	  { X_OK(17, L4, 14, 54, 62, 7, 3500), X_REDIR(IDX, 62, 8) } },
	{ "tcp6 hbh+dstopts, dst/16 split none",
	  { .l3 = 6, .n_ext = 2, .ext = { EXT(0, 0), EXT(60, 1) }, TCP(7, 443, 100) },
	  { X_OK(6, L4, 14, 78, 98, 7, 443), X_REDIR(IDX, SPLIT_ALL, 9) } },
	{ "tcp6 routing+dstopts+first fragment",
	  { .l3 = 6, .n_ext = 3, .ext = { EXT(43, 2), EXT(60, 0), FRAG(0) }, TCP(7, 443, 10) },
	  { X_OK(6, L4 | FR, 14, 94, 114, 7, 443), X_REDIR(IDX, SPLIT_ALL, 9) } },
	{ "udp6 later fragment",
	  { .l3 = 6, .n_ext = 1, .ext = { FRAG(8) }, .proto = 17, .l4_bytes = 16 },
	  { X_OK(17, FR | LATER, 14, 62, 62, 0, 0), X_PASS(0) } },
	{ "udp6 8 extension headers",
	  { .l3 = 6, .n_ext = 8, .ext = { EXT(60, 0), EXT(60, 0), EXT(60, 0), EXT(60, 0),
					EXT(60, 0), EXT(60, 0), EXT(60, 0), EXT(60, 0) },
	    UDP(7, 3500, 8) },
	  { X_OK(17, L4, 14, 118, 126, 7, 3500), X_REDIR(IDX, 126, 8) } },
	{ "icmp6", { .l3 = 6, .proto = 58, .l4_bytes = 8 },
	  { X_OK(58, 0, 14, 54, 54, 0, 0), X_PASS(0) } },
	{ "ipv6 no next header", { .l3 = 6, .proto = 59 },
	  { X_OK(59, 0, 14, 54, 54, 0, 0), X_PASS(0) } },
	{ "qinq tcp6 dst/16", { .vlans = 2, .l3 = 6, TCP(7, 22, 0) },
	  { X_OK(6, L4, 22, 62, 82, 7, 22), X_REDIR(IDX, SPLIT_ALL, 9) } },
	/*
	 * Multi-buffer: frames longer than the first buffer of the test run
	 * (3520 bytes with 4 KiB pages) have the rest in frags, where the
	 * parser reads nothing.
	 */
	{ "udp4 flow, frame past the first buffer", { .l3 = 4, UDP(1000, 2000, 3900) },
	  { X_OK(17, L4, 14, 34, 42, 1000, 2000), X_REDIR(IDX, 42, 1) } },
	{ "udp6 2 KiB hop-by-hop, frame past the first buffer",
	  { .l3 = 6, .n_ext = 1, .ext = { EXT(0, 255) }, UDP(7, 3500, 1900) },
	  { X_OK(17, L4, 14, 2102, 2110, 7, 3500), X_REDIR(IDX, 2110, 8) } },
	/* malformed: every check of the parser */
	{ "ethernet header only", { .ethertype = 0x0800 }, { X_BAD(IP4_TRUNC) } },
	{ "vlan tag truncated", { .vlans = 1, .l3 = 4, UDP(1, 2, 0), .cut = 16 },
	  { X_BAD(VLAN_TRUNC) } },
	{ "ipv4 ihl 4", { .l3 = 4, .ihl = 4, UDP(1000, 2000, 8) }, { X_BAD(IP4_IHL) } },
	{ "ipv4 ihl 0", { .l3 = 4, .ihl = 16, UDP(1000, 2000, 8) }, { X_BAD(IP4_IHL) } },
	{ "ipv4 version 5", { .l3 = 4, .version = 5, UDP(1000, 2000, 8) },
	  { X_BAD(IP4_VERSION) } },
	{ "ipv4 version 6 in 0x0800", { .l3 = 4, .version = 6, UDP(1000, 2000, 8) },
	  { X_BAD(IP4_VERSION) } },
	{ "ipv4 options past frame", { .l3 = 4, .ihl = 15, UDP(1000, 2000, 0) },
	  { X_BAD(IP4_OPT_TRUNC) } },
	{ "ipv4 tot_len < ihl*4", { .l3 = 4, .ip_len_delta = -20, UDP(1000, 2000, 0) },
	  { X_BAD(IP4_LEN) } },
	{ "ipv4 tot_len > frame", { .l3 = 4, .ip_len_delta = 1, UDP(1000, 2000, 8) },
	  { X_BAD(IP4_LEN) } },
	{ "ipv4 ethernet padding", { .l3 = 4, .ip_len_delta = -6, UDP(1000, 2000, 8) },
	  { X_OK(17, L4, 14, 34, 42, 1000, 2000), X_REDIR(IDX, 42, 1) } },
	{ "tcp doff 4", { .l3 = 4, .doff = 4, TCP(1000, 80, 8) }, { X_BAD(TCP_DOFF) } },
	{ "tcp doff 0", { .l3 = 4, .doff = 0x10, TCP(1000, 80, 8) }, { X_BAD(TCP_DOFF) } },
	{ "tcp options past frame", { .l3 = 4, .doff = 15, TCP(1000, 80, 10) },
	  { X_BAD(TCP_OPT_TRUNC) } },
	{ "tcp header truncated", { .l3 = 4, TCP(1000, 80, 0), .ip_len_delta = -8, .cut = 46 },
	  { X_BAD(TCP_TRUNC) } },
	{ "udp length 7", { .l3 = 4, .udp_len = 7, UDP(1000, 2000, 8) }, { X_BAD(UDP_LEN) } },
	{ "udp header truncated", { .l3 = 4, UDP(1000, 2000, 0), .ip_len_delta = -4, .cut = 38 },
	  { X_BAD(UDP_TRUNC) } },
	{ "ipv6 version 4 in 0x86dd", { .l3 = 6, .version = 4, UDP(1000, 2000, 8) },
	  { X_BAD(IP6_VERSION) } },
	{ "ipv6 header truncated", { .l3 = 6, UDP(1000, 2000, 8), .cut = 40 },
	  { X_BAD(IP6_TRUNC) } },
	{ "ipv6 payload_len > frame", { .l3 = 6, .ip_len_delta = 1, UDP(1000, 2000, 8) },
	  { X_BAD(IP6_LEN) } },
	{ "ipv6 9 extension headers (loop)",
	  { .l3 = 6, .n_ext = 9, .ext = { EXT(60, 0), EXT(60, 0), EXT(60, 0), EXT(60, 0),
					EXT(60, 0), EXT(60, 0), EXT(60, 0), EXT(60, 0),
					EXT(60, 0) }, UDP(7, 3500, 8) },
	  { X_BAD(IP6_EXT_DEPTH) } },
	{ "ipv6 hop-by-hop not first",
	  { .l3 = 6, .n_ext = 2, .ext = { EXT(60, 0), EXT(0, 0) }, UDP(7, 3500, 8) },
	  { X_BAD(IP6_HBH_POS) } },
	{ "ipv6 hop-by-hop twice",
	  { .l3 = 6, .n_ext = 2, .ext = { EXT(0, 0), EXT(0, 0) }, UDP(7, 3500, 8) },
	  { X_BAD(IP6_HBH_POS) } },
	{ "ipv6 dstopts past frame",
	  { .l3 = 6, .n_ext = 1, .ext = { EXT(60, 10) }, UDP(7, 3500, 0),
	    .ip_len_delta = -56, .cut = 94 },
	  { X_BAD(IP6_EXT_TRUNC) } },
	{ "ipv6 fragment header truncated",
	  { .l3 = 6, .n_ext = 1, .ext = { FRAG(0) }, UDP(7, 3500, 0),
	    .ip_len_delta = -12, .cut = 58 },
	  { X_BAD(IP6_EXT_TRUNC) } },
	{ "udp6 length 3", { .l3 = 6, .udp_len = 3, UDP(7, 3500, 8) },
	  { X_BAD(UDP_LEN) } },
	/* bytes 2102..3878: across the end of the first buffer, wherever it is */
	{ "ipv6 dstopts past the first buffer",
	  { .l3 = 6, .n_ext = 2, .ext = { EXT(0, 255), EXT(60, 221) }, UDP(7, 3500, 64) },
	  { X_BAD(IP6_EXT_TRUNC) } },
};

const int steer_nr_cases = sizeof(steer_cases) / sizeof(steer_cases[0]);

const struct steer_cut_shape steer_cut_shapes[] = {
	{ "qinq udp4 options", { .vlans = 2, .l3 = 4, .ip4_opts = 8, UDP(1000, 2000, 4) }, 0 },
	{ "qinq udp4 options, fixed len", { .vlans = 2, .l3 = 4, .ip4_opts = 8,
					    UDP(1000, 2000, 4) }, 1 },
	{ "tcp4 options, fixed len", { .l3 = 4, .tcp_opts = 12, TCP(1000, 80, 4) }, 1 },
	{ "tcp6 exts, fixed len", { .l3 = 6, .n_ext = 3,
				    .ext = { EXT(0, 1), EXT(43, 0), FRAG(0) },
				    .tcp_opts = 8, TCP(7, 443, 4) }, 1 },
	{ "vlan udp6 exts", { .vlans = 1, .l3 = 6, .n_ext = 1, .ext = { EXT(60, 0) },
			      UDP(7, 3500, 4) }, 0 },
};

const int steer_nr_cut_shapes = sizeof(steer_cut_shapes) / sizeof(steer_cut_shapes[0]);

/* Walk the layout of the shape: the first header the cut falls into. */
int steer_cut_reason(const struct steer_cut_shape *sh, size_t len)
{
	const struct pkt_spec *s = &sh->spec;
	size_t off = 14, full, l4hl;
	__u8 buf[PKT_MAX];

	full = pkt_build(s, buf);
	if (len >= full)
		return XSK_STEER_R_NONE;
	if (len < 14)
		return XSK_STEER_R_ETH_TRUNC;
	off += 4 * s->vlans;
	if (len < off)
		return XSK_STEER_R_VLAN_TRUNC;
	if (s->l3 == 4) {
		if (len < off + 20)
			return XSK_STEER_R_IP4_TRUNC;
		if (len < off + 20 + s->ip4_opts)
			return XSK_STEER_R_IP4_OPT_TRUNC;
		if (!sh->fix_len)
			return XSK_STEER_R_IP4_LEN;
		off += 20 + s->ip4_opts;
	} else {
		if (len < off + 40)
			return XSK_STEER_R_IP6_TRUNC;
		if (!sh->fix_len)
			return XSK_STEER_R_IP6_LEN;
		off += 40;
		for (int e = 0; e < s->n_ext; e++) {
			size_t el = s->ext[e].type == IPPROTO_FRAGMENT ?
				    8 : (s->ext[e].hdrlen + 1) * 8u;

			if (len < off + el)
				return XSK_STEER_R_IP6_EXT_TRUNC;
			off += el;
		}
	}
	l4hl = s->proto == IPPROTO_TCP ? 20 : 8;
	if (len < off + l4hl)
		return s->proto == IPPROTO_TCP ? XSK_STEER_R_TCP_TRUNC : XSK_STEER_R_UDP_TRUNC;
	if (s->proto == IPPROTO_TCP && len < off + 20 + s->tcp_opts)
		return XSK_STEER_R_TCP_OPT_TRUNC;
	return XSK_STEER_R_NONE;
}

static struct xsk_steer_action act(__u8 type, __u32 arg, __u8 split,
				   __u16 split_len, __u32 counter)
{
	return (struct xsk_steer_action){
		.type = type, .arg = arg, .split = split,
		.split_len = split_len, .counter = counter,
	};
}

static int add_flow(const struct steer_maps *m, int family, __u8 proto,
		    __u16 sport, __u16 dport, struct xsk_steer_action a)
{
	struct steer_flow f = { .family = family, .proto = proto,
				.sport = sport, .dport = dport };

	pkt_addr(family, 1, f.saddr);
	pkt_addr(family, 2, f.daddr);
	return steer_flow_add(m, &f, &a);
}

static int add_rule(const struct steer_maps *m, int family, __u8 dir, __u8 lo,
		    __u8 plen, __u8 proto, __u16 plo, __u16 phi,
		    struct xsk_steer_action a)
{
	struct steer_prefix pf = { .family = family, .dir = dir, .plen = plen };
	struct xsk_steer_rule r = { .proto = proto, .dport_lo = plo,
				    .dport_hi = phi, .act = a };

	pkt_addr(family, lo, pf.addr);
	return steer_rule_add(m, &pf, &r);
}

int steer_cases_config(const struct steer_maps *m)
{
	enum { PASS = XSK_STEER_ACT_PASS, DROP = XSK_STEER_ACT_DROP,
	       RXQ = XSK_STEER_ACT_REDIRECT_RXQ, IDX = XSK_STEER_ACT_REDIRECT_IDX,
	       SL4 = XSK_STEER_SPLIT_L4, PLUS = XSK_STEER_SPLIT_L4_PLUS,
	       NONE = XSK_STEER_SPLIT_NONE,
	       SRC = XSK_STEER_DIR_SRC, DST = XSK_STEER_DIR_DST };
	struct xsk_steer_config cfg = { .dflt = act(PASS, 0, SL4, 0, 0),
					.malformed_act = PASS };
	int err = 0;

	err |= steer_config_set(m, &cfg);
	err |= add_flow(m, 4, 17, 1000, 2000, act(IDX, 3, SL4, 0, 1));
	err |= add_flow(m, 4, 6, 1000, 80, act(RXQ, 0, NONE, 0, 2));
	err |= add_flow(m, 6, 17, 1000, 2000, act(IDX, 5, PLUS, 8, 3));
	err |= add_flow(m, 6, 6, 1000, 80, act(DROP, 0, SL4, 0, 4));
	err |= add_rule(m, 4, DST, 0, 24, 17, 3000, 3999, act(RXQ, 0, PLUS, 4, 5));
	err |= add_rule(m, 4, DST, 0, 24, 6, 8000, 8999, act(IDX, 11, SL4, 0, 10));
	err |= add_rule(m, 4, DST, 2, 32, 17, 5000, 5000, act(IDX, 7, SL4, 0, 6));
	err |= add_rule(m, 4, SRC, 0, 16, 0, 0, 65535, act(DROP, 0, SL4, 0, 7));
	err |= add_rule(m, 6, DST, 0, 64, 17, 3000, 3999, act(IDX, 9, SL4, 0, 8));
	err |= add_rule(m, 6, DST, 0, 16, 6, 0, 65535, act(IDX, 10, NONE, 0, 9));
	return err ? -EINVAL : 0;
}
