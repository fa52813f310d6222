/* SPDX-License-Identifier: GPL-2.0 */
/* netdevsim as a header-split page-pool NIC: what the receive path
 * (hds.c) and the flow steering (hds_steer.c) share.
 */
#ifndef _NETDEVSIM_HDS_H
#define _NETDEVSIM_HDS_H

#include <linux/in6.h>
#include <linux/types.h>

struct netdevsim;
struct sk_buff;

/**
 * struct nsim_hds_hdrs - what the simulated device's parser found in a frame
 * @hdr_len: bytes from the start of the frame through the TCP or UDP header:
 *	the split point; 0 when the frame has no L4 header to split after
 *	(not IP, not TCP or UDP, an IP fragment, a truncated header)
 * @l3_proto: ETH_P_IP or ETH_P_IPV6 (host order), 0 for anything else
 * @l4_proto: IPPROTO_TCP or IPPROTO_UDP, 0 for anything else
 * @saddr: IPv4 (first word) or IPv6 source address, valid when @l3_proto is
 * @daddr: destination address, as @saddr
 * @sport: L4 source port, valid when @l4_proto is
 * @dport: L4 destination port, as @sport
 *
 * The parser reads Ethernet, up to two VLAN tags (802.1Q, 802.1ad), IPv4
 * with options, IPv6 with hop-by-hop, routing and destination options
 * headers, then TCP (with options) or UDP: what a NIC that splits headers
 * parses in hardware.
 */
struct nsim_hds_hdrs {
	u16 hdr_len;
	u16 l3_proto;
	u8 l4_proto;
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr, daddr;
	__be16 sport;
	__be16 dport;
};

void nsim_hds_parse(const struct sk_buff *skb, struct nsim_hds_hdrs *h);

int nsim_hds_steer(struct netdevsim *ns, const struct nsim_hds_hdrs *h);
u32 nsim_hds_rss_hash(struct netdevsim *ns, const struct nsim_hds_hdrs *h);

#endif /* _NETDEVSIM_HDS_H */
