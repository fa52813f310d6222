// SPDX-License-Identifier: GPL-2.0
/*
 * netdevsim as a header-split page-pool NIC: the device's parser and its
 * choice of RX queue (CONFIG_NETDEVSIM_HDS).
 *
 * A frame goes to the queue of the first matching ethtool -N rule (rules
 * in location order, while ntuple is on), else to the queue the RSS
 * indirection table gives for its Toeplitz hash (ethtool -X), over the
 * 4-tuple of TCP and UDP, the 2-tuple of other IP traffic; non-IP goes
 * to queue 0. Rules match TCP or UDP over IPv4 or IPv6 on addresses and
 * ports under a mask (ethtool's m_u); their action is a queue or drop.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/unaligned.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "hds.h"
#include "netdevsim.h"

/*** parser ***/

static unsigned int nsim_hds_parse_l3(const struct sk_buff *skb,
				      unsigned int off, __be16 proto,
				      struct nsim_hds_hdrs *h, u8 *l4)
{
	if (proto == htons(ETH_P_IP)) {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5)
			return 0;
		h->l3_proto = ETH_P_IP;
		h->saddr.v4 = iph->saddr;
		h->daddr.v4 = iph->daddr;
		/* Only the first fragment has an L4 header; none is split. */
		if (ip_is_fragment(iph))
			return 0;
		*l4 = iph->protocol;
		return off + iph->ihl * 4;
	}

	if (proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;
		int i;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return 0;
		h->l3_proto = ETH_P_IPV6;
		h->saddr.v6 = ip6h->saddr;
		h->daddr.v6 = ip6h->daddr;
		*l4 = ip6h->nexthdr;
		off += sizeof(*ip6h);
		/* The extension headers a NIC parser skips; a fragment header
		 * or anything else ends the search for an L4 header.
		 */
		for (i = 0; i < 8; i++) {
			const struct ipv6_opt_hdr *oh;
			struct ipv6_opt_hdr _oh;

			if (*l4 != NEXTHDR_HOP && *l4 != NEXTHDR_ROUTING &&
			    *l4 != NEXTHDR_DEST)
				return off;
			oh = skb_header_pointer(skb, off, sizeof(_oh), &_oh);
			if (!oh)
				return 0;
			*l4 = oh->nexthdr;
			off += ipv6_optlen(oh);
		}
		return 0;
	}

	return 0;
}

/**
 * nsim_hds_parse() - parse a frame as the device would
 * @skb: the frame; its data starts at the Ethernet header
 * @h: the result; zero-filled first
 */
void nsim_hds_parse(const struct sk_buff *skb, struct nsim_hds_hdrs *h)
{
	unsigned int off = ETH_HLEN, l4_len;
	const struct ethhdr *eth;
	struct ethhdr _eth;
	__be16 proto;
	u8 l4 = 0;
	int i;

	memset(h, 0, sizeof(*h));
	eth = skb_header_pointer(skb, 0, sizeof(_eth), &_eth);
	if (!eth)
		return;
	proto = eth->h_proto;
	for (i = 0; i < 2 && eth_type_vlan(proto); i++) {
		const struct vlan_hdr *vh;
		struct vlan_hdr _vh;

		vh = skb_header_pointer(skb, off, sizeof(_vh), &_vh);
		if (!vh)
			return;
		proto = vh->h_vlan_encapsulated_proto;
		off += VLAN_HLEN;
	}

	off = nsim_hds_parse_l3(skb, off, proto, h, &l4);
	if (!off)
		return;

	if (l4 == IPPROTO_TCP) {
		const struct tcphdr *th;
		struct tcphdr _th;

		th = skb_header_pointer(skb, off, sizeof(_th), &_th);
		if (!th || th->doff < 5)
			return;
		h->sport = th->source;
		h->dport = th->dest;
		l4_len = th->doff * 4;
	} else if (l4 == IPPROTO_UDP) {
		const struct udphdr *uh;
		struct udphdr _uh;

		uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
		if (!uh)
			return;
		h->sport = uh->source;
		h->dport = uh->dest;
		l4_len = sizeof(*uh);
	} else {
		return;
	}

	if (off + l4_len > skb->len || off + l4_len > U16_MAX)
		return;
	h->l4_proto = l4;
	h->hdr_len = off + l4_len;
}

/*** RSS ***/

/* Toeplitz over @len bytes of @data: for each set input bit, XOR in the
 * 32 key bits that start at that bit position. @key must hold len + 4
 * bytes.
 */
static u32 nsim_hds_toeplitz(const u8 *key, const u8 *data, unsigned int len)
{
	u32 hash = 0, window = get_unaligned_be32(key);
	unsigned int i, b;

	for (i = 0; i < len; i++) {
		for (b = 0; b < 8; b++) {
			if (data[i] & (0x80 >> b))
				hash ^= window;
			window = (window << 1) | ((key[i + 4] >> (7 - b)) & 1);
		}
	}
	return hash;
}

/**
 * nsim_hds_rss_hash() - the RSS hash of a parsed frame
 * @ns: the receiving port (its key)
 * @h: the parsed headers; @h->l3_proto is IPv4 or IPv6
 *
 * Return: Toeplitz over source and destination address, then source and
 * destination port for TCP and UDP (the Microsoft RSS input order).
 */
u32 nsim_hds_rss_hash(struct netdevsim *ns, const struct nsim_hds_hdrs *h)
{
	u8 in[2 * sizeof(struct in6_addr) + 4];
	unsigned int alen, len;

	alen = h->l3_proto == ETH_P_IP ? 4 : sizeof(struct in6_addr);
	memcpy(in, &h->saddr, alen);
	memcpy(in + alen, &h->daddr, alen);
	len = 2 * alen;
	if (h->l4_proto) {
		memcpy(in + len, &h->sport, 2);
		memcpy(in + len + 2, &h->dport, 2);
		len += 4;
	}
	return nsim_hds_toeplitz(ns->hds.key, in, len);
}

/*** flow rules ***/

/**
 * struct nsim_hds_rule - an ethtool -N rule
 * @list: in nsim_hds.rules, sorted by @fs.location
 * @rcu: freed after the transmit paths that may read it
 * @fs: the rule as ethtool gave it (m_u: 1 bits are compared)
 */
struct nsim_hds_rule {
	struct list_head list;
	struct rcu_head rcu;
	struct ethtool_rx_flow_spec fs;
};

static bool nsim_hds_masked_eq(const __be32 *v, const __be32 *m,
			       const __be32 *x, unsigned int words)
{
	unsigned int i;

	for (i = 0; i < words; i++)
		if ((x[i] & m[i]) != (v[i] & m[i]))
			return false;
	return true;
}

static bool nsim_hds_rule_match(const struct ethtool_rx_flow_spec *fs,
				const struct nsim_hds_hdrs *h)
{
	const struct ethtool_tcpip4_spec *v4 = &fs->h_u.tcp_ip4_spec;
	const struct ethtool_tcpip4_spec *m4 = &fs->m_u.tcp_ip4_spec;
	const struct ethtool_tcpip6_spec *v6 = &fs->h_u.tcp_ip6_spec;
	const struct ethtool_tcpip6_spec *m6 = &fs->m_u.tcp_ip6_spec;
	__be16 psrc, pdst, mpsrc, mpdst;

	switch (fs->flow_type) {
	case TCP_V4_FLOW:
	case UDP_V4_FLOW:
		if (h->l3_proto != ETH_P_IP ||
		    h->l4_proto != (fs->flow_type == TCP_V4_FLOW ?
				    IPPROTO_TCP : IPPROTO_UDP))
			return false;
		if (!nsim_hds_masked_eq(&v4->ip4src, &m4->ip4src,
					&h->saddr.v4, 1) ||
		    !nsim_hds_masked_eq(&v4->ip4dst, &m4->ip4dst,
					&h->daddr.v4, 1))
			return false;
		psrc = v4->psrc;
		pdst = v4->pdst;
		mpsrc = m4->psrc;
		mpdst = m4->pdst;
		break;
	case TCP_V6_FLOW:
	case UDP_V6_FLOW:
		if (h->l3_proto != ETH_P_IPV6 ||
		    h->l4_proto != (fs->flow_type == TCP_V6_FLOW ?
				    IPPROTO_TCP : IPPROTO_UDP))
			return false;
		if (!nsim_hds_masked_eq(v6->ip6src, m6->ip6src,
					h->saddr.v6.s6_addr32, 4) ||
		    !nsim_hds_masked_eq(v6->ip6dst, m6->ip6dst,
					h->daddr.v6.s6_addr32, 4))
			return false;
		psrc = v6->psrc;
		pdst = v6->pdst;
		mpsrc = m6->psrc;
		mpdst = m6->pdst;
		break;
	default:
		return false;
	}
	return (h->sport & mpsrc) == (psrc & mpsrc) &&
	       (h->dport & mpdst) == (pdst & mpdst);
}

/**
 * nsim_hds_steer() - the RX queue of @ns that receives a frame
 * @ns: the receiving port
 * @h: the frame's parsed headers
 *
 * Context: rcu_read_lock() (the sender's transmit path).
 * Return: a queue below real_num_rx_queues, or -1 to drop the frame.
 */
int nsim_hds_steer(struct netdevsim *ns, const struct nsim_hds_hdrs *h)
{
	struct net_device *dev = ns->netdev;
	unsigned int nq = READ_ONCE(dev->real_num_rx_queues);
	struct nsim_hds_rule *rule;
	u64 q;

	if (!h->l3_proto || nq <= 1)
		return 0;

	if (h->l4_proto && READ_ONCE(dev->features) & NETIF_F_NTUPLE) {
		list_for_each_entry_rcu(rule, &ns->hds.rules, list) {
			if (!nsim_hds_rule_match(&rule->fs, h))
				continue;
			if (rule->fs.ring_cookie == RX_CLS_FLOW_DISC)
				return -1;
			q = ethtool_get_flow_spec_ring(rule->fs.ring_cookie);
			return q < nq ? q : 0;
		}
	}

	q = READ_ONCE(ns->hds.indir[nsim_hds_rss_hash(ns, h) %
				    NSIM_HDS_INDIR_SIZE]);
	return q < nq ? q : q % nq;
}

static struct nsim_hds_rule *nsim_hds_rule_find(struct netdevsim *ns, u32 loc)
{
	struct nsim_hds_rule *rule;

	list_for_each_entry(rule, &ns->hds.rules, list)
		if (rule->fs.location == loc)
			return rule;
	return NULL;
}

static int nsim_hds_rule_check(struct netdevsim *ns,
			       const struct ethtool_rx_flow_spec *fs)
{
	struct net_device *dev = ns->netdev;

	if (!(dev->features & NETIF_F_NTUPLE))
		return -EOPNOTSUPP;

	switch (fs->flow_type) {
	case TCP_V4_FLOW:
	case UDP_V4_FLOW:
		if (fs->m_u.tcp_ip4_spec.tos)
			return -EOPNOTSUPP;
		break;
	case TCP_V6_FLOW:
	case UDP_V6_FLOW:
		if (fs->m_u.tcp_ip6_spec.tclass)
			return -EOPNOTSUPP;
		break;
	default:
		/* FLOW_EXT, FLOW_MAC_EXT, FLOW_RSS, other flow types */
		return -EOPNOTSUPP;
	}

	if (fs->ring_cookie != RX_CLS_FLOW_DISC &&
	    (ethtool_get_flow_spec_ring_vf(fs->ring_cookie) ||
	     ethtool_get_flow_spec_ring(fs->ring_cookie) >=
	     dev->real_num_rx_queues))
		return -EINVAL;
	return 0;
}

/* A free location for RX_CLS_LOC_ANY / _FIRST (lowest) or _LAST (highest). */
static int nsim_hds_rule_loc(struct netdevsim *ns, u32 *loc)
{
	int i;

	switch (*loc) {
	case RX_CLS_LOC_ANY:
	case RX_CLS_LOC_FIRST:
		for (i = 0; i < NSIM_HDS_MAX_RULES; i++)
			if (!nsim_hds_rule_find(ns, i))
				break;
		break;
	case RX_CLS_LOC_LAST:
		for (i = NSIM_HDS_MAX_RULES - 1; i >= 0; i--)
			if (!nsim_hds_rule_find(ns, i))
				break;
		break;
	default:
		return *loc < NSIM_HDS_MAX_RULES ? 0 : -EINVAL;
	}
	if (i < 0 || i >= NSIM_HDS_MAX_RULES)
		return -ENOSPC;
	*loc = i;
	return 0;
}

static int nsim_hds_rule_ins(struct netdevsim *ns, struct ethtool_rxnfc *info)
{
	struct nsim_hds_rule *rule, *old, *pos;
	int err;

	err = nsim_hds_rule_check(ns, &info->fs);
	if (err)
		return err;
	err = nsim_hds_rule_loc(ns, &info->fs.location);
	if (err)
		return err;

	rule = kzalloc(sizeof(*rule), GFP_KERNEL);
	if (!rule)
		return -ENOMEM;
	rule->fs = info->fs;

	old = nsim_hds_rule_find(ns, rule->fs.location);
	if (old) {
		list_replace_rcu(&old->list, &rule->list);
		kfree_rcu(old, rcu);
		return 0;
	}

	/* Keep the list in location order: first match wins. */
	list_for_each_entry(pos, &ns->hds.rules, list)
		if (pos->fs.location > rule->fs.location)
			break;
	list_add_tail_rcu(&rule->list, &pos->list);
	ns->hds.rule_cnt++;
	return 0;
}

static void nsim_hds_rule_del(struct netdevsim *ns, struct nsim_hds_rule *rule)
{
	list_del_rcu(&rule->list);
	kfree_rcu(rule, rcu);
	ns->hds.rule_cnt--;
}

static void nsim_hds_rules_flush(struct netdevsim *ns)
{
	struct nsim_hds_rule *rule, *tmp;

	list_for_each_entry_safe(rule, tmp, &ns->hds.rules, list)
		nsim_hds_rule_del(ns, rule);
}

/*** ethtool ***/

int nsim_hds_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info,
		       u32 *rule_locs)
{
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_hds_rule *rule;
	unsigned int n = 0;

	switch (info->cmd) {
	case ETHTOOL_GRXRINGS:
		info->data = dev->real_num_rx_queues;
		return 0;
	case ETHTOOL_GRXCLSRLCNT:
		info->rule_cnt = ns->hds.rule_cnt;
		info->data = NSIM_HDS_MAX_RULES | RX_CLS_LOC_SPECIAL;
		return 0;
	case ETHTOOL_GRXCLSRULE:
		rule = nsim_hds_rule_find(ns, info->fs.location);
		if (!rule)
			return -ENOENT;
		info->fs = rule->fs;
		info->data = NSIM_HDS_MAX_RULES;
		return 0;
	case ETHTOOL_GRXCLSRLALL:
		list_for_each_entry(rule, &ns->hds.rules, list) {
			if (n == info->rule_cnt)
				return -EMSGSIZE;
			rule_locs[n++] = rule->fs.location;
		}
		info->rule_cnt = n;
		info->data = NSIM_HDS_MAX_RULES;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

int nsim_hds_set_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info)
{
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_hds_rule *rule;

	ASSERT_RTNL();
	if (!ns->rq)
		return -EOPNOTSUPP;

	switch (info->cmd) {
	case ETHTOOL_SRXCLSRLINS:
		return nsim_hds_rule_ins(ns, info);
	case ETHTOOL_SRXCLSRLDEL:
		rule = nsim_hds_rule_find(ns, info->fs.location);
		if (!rule)
			return -ENOENT;
		nsim_hds_rule_del(ns, rule);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

u32 nsim_hds_get_rxfh_key_size(struct net_device *dev)
{
	return NSIM_HDS_KEY_SIZE;
}

u32 nsim_hds_get_rxfh_indir_size(struct net_device *dev)
{
	return NSIM_HDS_INDIR_SIZE;
}

int nsim_hds_get_rxfh(struct net_device *dev, struct ethtool_rxfh_param *rxfh)
{
	struct netdevsim *ns = netdev_priv(dev);

	rxfh->hfunc = ETH_RSS_HASH_TOP;
	if (rxfh->indir)
		memcpy(rxfh->indir, ns->hds.indir, sizeof(ns->hds.indir));
	if (rxfh->key)
		memcpy(rxfh->key, ns->hds.key, sizeof(ns->hds.key));
	return 0;
}

int nsim_hds_set_rxfh(struct net_device *dev, struct ethtool_rxfh_param *rxfh,
		      struct netlink_ext_ack *extack)
{
	struct netdevsim *ns = netdev_priv(dev);
	unsigned int i;

	if (rxfh->hfunc != ETH_RSS_HASH_NO_CHANGE &&
	    rxfh->hfunc != ETH_RSS_HASH_TOP) {
		NL_SET_ERR_MSG_MOD(extack, "only the Toeplitz hash is supported");
		return -EOPNOTSUPP;
	}
	/* The transmit path reads both tables locklessly: a frame may see
	 * half an update, as it could on hardware.
	 */
	if (rxfh->indir)
		for (i = 0; i < NSIM_HDS_INDIR_SIZE; i++)
			WRITE_ONCE(ns->hds.indir[i], rxfh->indir[i]);
	if (rxfh->key)
		for (i = 0; i < NSIM_HDS_KEY_SIZE; i++)
			WRITE_ONCE(ns->hds.key[i], rxfh->key[i]);
	return 0;
}

int nsim_hds_get_rxfh_fields(struct net_device *dev,
			     struct ethtool_rxfh_fields *fields)
{
	switch (fields->flow_type) {
	case TCP_V4_FLOW:
	case UDP_V4_FLOW:
	case TCP_V6_FLOW:
	case UDP_V6_FLOW:
		fields->data = RXH_IP_SRC | RXH_IP_DST |
			       RXH_L4_B_0_1 | RXH_L4_B_2_3;
		return 0;
	case IPV4_FLOW:
	case IPV6_FLOW:
		fields->data = RXH_IP_SRC | RXH_IP_DST;
		return 0;
	default:
		fields->data = 0;
		return 0;
	}
}

/**
 * nsim_hds_channels_changed() - follow ethtool -L
 * @ns: the port
 *
 * An indirection table the user did not set spreads over the new number
 * of queues. Context: RTNL.
 */
void nsim_hds_channels_changed(struct netdevsim *ns)
{
	struct net_device *dev = ns->netdev;
	unsigned int i;

	if (netif_is_rxfh_configured(dev))
		return;
	for (i = 0; i < NSIM_HDS_INDIR_SIZE; i++)
		WRITE_ONCE(ns->hds.indir[i],
			   ethtool_rxfh_indir_default(i, dev->real_num_rx_queues));
}

/**
 * nsim_hds_set_features() - follow ethtool -K
 * @ns: the port
 * @features: the features about to be set
 *
 * Turning ntuple off removes every rule, as most NICs do. Context: RTNL.
 */
void nsim_hds_set_features(struct netdevsim *ns, netdev_features_t features)
{
	if ((ns->netdev->features & NETIF_F_NTUPLE) &&
	    !(features & NETIF_F_NTUPLE))
		nsim_hds_rules_flush(ns);
}

/**
 * nsim_hds_uninit() - free a port's rules once it is unregistered
 * @ns: the port
 */
void nsim_hds_uninit(struct netdevsim *ns)
{
	nsim_hds_rules_flush(ns);
}
