// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ref_parser.c - the reference parser (see ref_parser.h).
 *
 * Written from the protocol specifications as a loop over "the next
 * header is X at offset off", with every header checked against the end
 * of the first buffer and every length field against the frame length;
 * it shares nothing with the BPF parser but the result struct.
 */
#include <string.h>

#include "ref_parser.h"

enum { NH_ETH = 1000, NH_VLAN, NH_IP4, NH_IP6, NH_DONE };

struct ref {
	const __u8 *b;
	size_t linear;		/* bytes of b: headers must lie in them */
	size_t len;		/* of the whole frame: for the length fields */
	size_t off;
	struct xsk_steer_pkt *p;
};

static unsigned int rd16(const struct ref *r, size_t at)
{
	return r->b[at] << 8 | r->b[at + 1];
}

static int have(const struct ref *r, size_t n)
{
	return r->off + n <= r->linear;
}

static int verdict_of(int reason)
{
	switch (reason) {
	case XSK_STEER_R_NONE:
		return XSK_STEER_V_OK;
	case XSK_STEER_R_NOT_IP:
	case XSK_STEER_R_VLAN_DEPTH:
		return XSK_STEER_V_OTHER;
	default:
		return XSK_STEER_V_MALFORMED;
	}
}

/* Ethernet and up to two VLAN tags; returns reason, sets *type. */
static int ref_l2(struct ref *r, unsigned int *type)
{
	if (!have(r, 14))
		return XSK_STEER_R_ETH_TRUNC;
	*type = rd16(r, 12);
	r->off = 14;
	while (*type == 0x8100 || *type == 0x88a8) {
		if (r->p->nr_vlans == 2)
			return XSK_STEER_R_VLAN_DEPTH;
		if (!have(r, 4))
			return XSK_STEER_R_VLAN_TRUNC;
		r->p->vlan[r->p->nr_vlans++] = rd16(r, r->off);
		*type = rd16(r, r->off + 2);
		r->off += 4;
	}
	return 0;
}

static int ref_ip4(struct ref *r)
{
	const __u8 *h = r->b + r->off;
	size_t ihl;
	unsigned int frag;

	if (!have(r, 20))
		return XSK_STEER_R_IP4_TRUNC;
	if (h[0] >> 4 != 4)
		return XSK_STEER_R_IP4_VERSION;
	ihl = (h[0] & 15) * 4;
	if (ihl < 20)
		return XSK_STEER_R_IP4_IHL;
	if (!have(r, ihl))
		return XSK_STEER_R_IP4_OPT_TRUNC;
	if (rd16(r, r->off + 2) < ihl || rd16(r, r->off + 2) > r->len - r->off)
		return XSK_STEER_R_IP4_LEN;
	r->p->family = 4;
	r->p->proto = h[9];
	memcpy(r->p->saddr, h + 12, 4);
	memcpy(r->p->daddr, h + 16, 4);
	frag = rd16(r, r->off + 6);
	if (frag & 0x3fff)
		r->p->flags |= XSK_STEER_PKT_FRAG;
	if (frag & 0x1fff)
		r->p->flags |= XSK_STEER_PKT_LATER_FRAG;
	r->off += ihl;
	return 0;
}

static int is_ext(unsigned int nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60;
}

static int ref_ip6(struct ref *r)
{
	const __u8 *h = r->b + r->off;
	unsigned int nh, seen = 0;

	if (!have(r, 40))
		return XSK_STEER_R_IP6_TRUNC;
	if (h[0] >> 4 != 6)
		return XSK_STEER_R_IP6_VERSION;
	if (40 + rd16(r, r->off + 4) > r->len - r->off)
		return XSK_STEER_R_IP6_LEN;
	r->p->family = 6;
	memcpy(r->p->saddr, h + 8, 16);
	memcpy(r->p->daddr, h + 24, 16);
	nh = h[6];
	r->off += 40;
	while (is_ext(nh)) {
		if (seen == XSK_STEER_IPV6_EXT_MAX)
			return XSK_STEER_R_IP6_EXT_DEPTH;
		if (nh == 0 && seen > 0)
			return XSK_STEER_R_IP6_HBH_POS;
		seen++;
		if (nh == 44) {		/* fragment: fixed 8 bytes */
			if (!have(r, 8))
				return XSK_STEER_R_IP6_EXT_TRUNC;
			r->p->flags |= XSK_STEER_PKT_FRAG;
			nh = r->b[r->off];
			r->off += 8;
			if (rd16(r, r->off - 6) >> 3) {
				r->p->flags |= XSK_STEER_PKT_LATER_FRAG;
				break;
			}
			continue;
		}
		if (!have(r, 2) || !have(r, (r->b[r->off + 1] + 1) * 8u))
			return XSK_STEER_R_IP6_EXT_TRUNC;
		nh = r->b[r->off];
		r->off += (r->b[r->off + 1] + 1) * 8u;
	}
	r->p->proto = nh;
	return 0;
}

static int ref_l4(struct ref *r)
{
	size_t hl;

	if (r->p->flags & XSK_STEER_PKT_LATER_FRAG)
		return 0;
	if (r->p->proto == 6) {
		if (!have(r, 20))
			return XSK_STEER_R_TCP_TRUNC;
		hl = (r->b[r->off + 12] >> 4) * 4;
		if (hl < 20)
			return XSK_STEER_R_TCP_DOFF;
		if (!have(r, hl))
			return XSK_STEER_R_TCP_OPT_TRUNC;
	} else if (r->p->proto == 17) {
		if (!have(r, 8))
			return XSK_STEER_R_UDP_TRUNC;
		if (rd16(r, r->off + 4) < 8)
			return XSK_STEER_R_UDP_LEN;
		hl = 8;
	} else {
		return 0;
	}
	/* ports as on the wire */
	memcpy(&r->p->sport, r->b + r->off, 2);
	memcpy(&r->p->dport, r->b + r->off + 2, 2);
	r->p->flags |= XSK_STEER_PKT_L4;
	r->p->l4_end = r->off + hl;
	return 0;
}

int ref_parse(const __u8 *buf, size_t len, struct xsk_steer_pkt *p)
{
	return ref_parse_mb(buf, len, len, p);
}

int ref_parse_mb(const __u8 *buf, size_t linear, size_t len,
		 struct xsk_steer_pkt *p)
{
	struct ref r = { .b = buf, .linear = linear < len ? linear : len,
			 .len = len, .p = p };
	unsigned int type = 0;
	int reason;

	memset(p, 0, sizeof(*p));
	p->len = len;
	reason = ref_l2(&r, &type);
	if (!reason) {
		p->l3_off = r.off;
		if (type == 0x0800)
			reason = ref_ip4(&r);
		else if (type == 0x86dd)
			reason = ref_ip6(&r);
		else
			reason = XSK_STEER_R_NOT_IP;
	}
	if (!reason) {
		p->l4_off = p->l4_end = r.off;
		reason = ref_l4(&r);
	}
	p->reason = reason;
	p->verdict = verdict_of(reason);
	return p->verdict;
}

__u32 ref_split(const struct xsk_steer_pkt *p, const struct xsk_steer_action *a)
{
	__u64 s;

	if (a->split == XSK_STEER_SPLIT_NONE)
		return p->len;
	s = p->l4_end;
	if (a->split == XSK_STEER_SPLIT_L4_PLUS)
		s += a->split_len;
	return s > p->len ? p->len : s;
}
