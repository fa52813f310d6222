/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pkt.h - build test frames from a short description.
 *
 * A struct pkt_spec says which headers a frame has and which of their
 * fields are wrong on purpose; pkt_build() writes the frame. Unset (zero)
 * fields mean "correct": IHL and data offset follow the option lengths,
 * lengths follow the payload.
 */
#ifndef STEER_PKT_H
#define STEER_PKT_H

#include <stddef.h>
#include <linux/types.h>

#define PKT_MAX		4096
#define PKT_MAX_EXT	12

struct pkt_ext {
	__u8	type;		/* IPPROTO_HOPOPTS, _ROUTING, _DSTOPTS, _FRAGMENT */
	__u8	hdrlen;		/* length field of the option headers */
	__u16	frag_off;	/* fragment header: offset field, host order */
};

struct pkt_spec {
	int	vlans;		/* VLAN tags, outer 802.1ad, inner 802.1Q */
	int	l3;		/* 4, 6, or 0: ethertype below, no IP */
	__u16	ethertype;	/* with l3 == 0 */
	/* IPv4 */
	int	ip4_opts;	/* option bytes, a multiple of 4 */
	int	ihl;		/* IHL field when not 0 */
	__u16	frag_off;	/* IPv4 frag_off field (flags + offset), host order */
	/* IPv6 */
	int	n_ext;
	struct pkt_ext ext[PKT_MAX_EXT];
	/* both */
	int	version;	/* IP version field when not 0 */
	int	ip_len_delta;	/* added to tot_len / payload_len */
	__u8	proto;		/* L4 protocol */
	/* L4 */
	int	tcp_opts;	/* TCP option bytes, a multiple of 4 */
	int	doff;		/* TCP data offset field when not 0 */
	int	udp_len;	/* UDP length field when not 0 */
	int	l4_bytes;	/* other protocols: bytes after the L3 headers */
	__u16	sport, dport;
	/* addresses: last byte of the source / destination (0: 1 and 2) */
	__u8	saddr_lo, daddr_lo;
	int	payload;	/* payload bytes: 0, 1, 2, ... */
	const __u8 *payload_data;	/* instead, when set */
	int	cut;		/* truncate the frame to this many bytes (0: none) */
};

/*
 * Writes the frame into buf (PKT_MAX bytes); returns its length. The
 * headers must fit in PKT_MAX bytes (at most 12 extension headers); the
 * payload ends at PKT_MAX.
 */
size_t pkt_build(const struct pkt_spec *s, __u8 *buf);

/* The fixed addresses the builder uses (network order). */
void pkt_addr(int family, __u8 lo, __u8 *addr);

#endif /* STEER_PKT_H */
