// SPDX-License-Identifier: GPL-2.0
/*
 * netdevsim as a header-split page-pool NIC (CONFIG_NETDEVSIM_HDS).
 *
 * Test-device code: a model of what gve, bnxt or mlx5 do on receive, for
 * testing memory providers (devmem TCP, AF_XDP dmabuf) without hardware.
 * The file reads in the order a frame travels:
 *
 *   wire      the sender's skb is segmented (TSO) and checksummed (TX
 *             checksum offload) as a NIC would before it leaves, steered to
 *             one of the peer's RX queues (hds_steer.c) and put on that
 *             queue's FIFO: the frame is "on the wire"
 *   DMA       the peer's NAPI takes a frame off the FIFO and "the device"
 *             writes it into buffers of the queue's page pools, at their
 *             DMA addresses, as a device would (nsim_hds_dma_write())
 *   XDP       a native XDP program sees the frame as an xdp_buff over the
 *             same buffers (head linear, the rest as frags); XDP_TX copies
 *             it onto the wire, XDP_REDIRECT hands the buffers over
 *   receive   an skb is built around the buffers (head from the host pool,
 *             frags from the payload pool, net_iov frags marking it
 *             unreadable), recycled to the pools when freed; the sender's
 *             skb is freed once copied: it never reaches the receiver's
 *             stack
 *   pools     two page pools per RX queue, one of host pages for headers,
 *             one for payload that a memory provider bound to the queue
 *             (rxq->mp_params) supplies
 *   queue ops ndo_queue_mem_alloc/free/start/stop: netdev_rx_queue_restart()
 *             rebuilds a queue's pools and so picks up a provider
 *
 * Header split (ethtool -G tcp-data-split on): the headers through the TCP
 * or UDP header go into a host buffer, which becomes the skb's linear part,
 * the rest into payload buffers of one page each. With split off, or for a
 * frame with no L4 payload, the whole frame goes into host pages: the first
 * one as the linear part, the rest as frags (multi-buffer).
 *
 * The simulated DMA: the device knows a buffer only by its DMA address
 * (page_pool_get_dma_addr_netmem()), the way a real device does, so it
 * works for any memory provider, and never touches the struct page of a
 * net_iov (it has none). With dma-direct, the only DMA the device accepts,
 * the address leads back to a physical address (dma_to_phys()); the device
 * writes there through a temporary kernel mapping of the page frame. A
 * buffer the CPU cannot map (not RAM) is a DMA fault: the frame is dropped
 * and counted. Host buffers are then synced for the CPU as usual, so a
 * bounce buffer (swiotlb) is copied back like with real hardware.
 *
 * XDP and memory providers exclude each other here as in the 6.12 core:
 * no program is attached while a provider is bound to a queue, and the
 * other way round, so no program ever sees a net_iov frag.
 */

#include <linux/bpf_trace.h>
#include <linux/debugfs.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/error-injection.h>
#include <linux/etherdevice.h>
#include <linux/ethtool_netlink.h>
#include <linux/filter.h>
#include <linux/highmem.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <net/gso.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/page_pool/helpers.h>
#include <net/page_pool/memory_provider.h>
#include <net/xdp.h>

#include "hds.h"
#include "netdevsim.h"

/* Frames the wire FIFO of one RX queue holds; more are dropped. */
#define NSIM_HDS_FIFO_LEN	1024
/* Page pool ring sizes: the "descriptor rings" of the queue. */
#define NSIM_HDS_HDR_POOL_SIZE	256
#define NSIM_HDS_PAY_POOL_SIZE	1024

/* Layout of a host head buffer: headroom, frame, skb_shared_info. */
#define NSIM_HDS_HEADROOM	XDP_PACKET_HEADROOM
#define NSIM_HDS_SHINFO		SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
#define NSIM_HDS_HEAD_MAX	(PAGE_SIZE - NSIM_HDS_HEADROOM - NSIM_HDS_SHINFO)

/*** wire ***/

static void nsim_hds_fifo_put(struct nsim_rq *rq, struct sk_buff *skb)
{
	if (skb_queue_len(&rq->skb_queue) >= NSIM_HDS_FIFO_LEN) {
		atomic64_inc(&rq->hds.fifo_drops);
		kfree_skb(skb);
		return;
	}
	skb_queue_tail(&rq->skb_queue, skb);
}

/**
 * nsim_hds_xmit() - put a frame sent to @peer on the wire
 * @peer: the receiving port
 * @skb: the frame, as the sender's stack handed it over
 *
 * Context: the sender's ndo_start_xmit, under rcu_read_lock().
 * Return: true if the frame (or its segments) went on an RX queue's FIFO;
 * false if it was dropped, and freed.
 */
bool nsim_hds_xmit(struct netdevsim *peer, struct sk_buff *skb)
{
	struct sk_buff *segs, *seg, *next;
	struct nsim_hds_hdrs h;
	struct nsim_rq *rq;
	int q;

	/* The peer is on the wire from the end of its ndo_open (IFF_UP, set
	 * after it: its NAPIs exist) until its ndo_stop starts
	 * (__LINK_STATE_START, cleared before it; ndo_stop's
	 * synchronize_net() waits for this sender). Running alone is not
	 * enough: __dev_open() sets __LINK_STATE_START before ndo_open.
	 * The TX engine cannot read what the CPU cannot (none expected).
	 */
	if (!peer->rq || !netif_running(peer->netdev) ||
	    !(READ_ONCE(peer->netdev->flags) & IFF_UP) ||
	    !skb_frags_readable(skb))
		goto drop;

	nsim_hds_parse(skb, &h);
	q = nsim_hds_steer(peer, &h);
	if (q < 0) {
		atomic64_inc(&peer->hds.steer_drops);
		goto drop;
	}
	rq = &peer->rq[q];

	/* Nothing of the sender's routing state travels with the frame. */
	skb_dst_drop(skb);

	if (skb_is_gso(skb)) {
		/* TSO: frames of at most the MTU, checksums filled in (no
		 * checksum feature given), payload pages shared (SG).
		 */
		segs = skb_gso_segment(skb, NETIF_F_SG);
		if (IS_ERR_OR_NULL(segs))
			goto drop;
		consume_skb(skb);
		skb_list_walk_safe(segs, seg, next) {
			skb_mark_not_on_list(seg);
			nsim_hds_fifo_put(rq, seg);
		}
	} else {
		/* TX checksum offload: the wire carries valid checksums. */
		if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
			goto drop;
		nsim_hds_fifo_put(rq, skb);
	}

	napi_schedule(&rq->napi);
	return true;

drop:
	kfree_skb(skb);
	return false;
}

/*** DMA ***/

/* True if the device reaches memory through dma-direct: no IOMMU, no
 * bus-specific DMA ops. Only then is a DMA address a physical address the
 * simulated device can write to.
 */
static bool nsim_hds_dma_direct(struct device *dev)
{
	return dev->dma_mask && !get_dma_ops(dev) && !device_iommu_mapped(dev);
}

/**
 * nsim_hds_dma_write() - the device writes @len bytes of a frame into a buffer
 * @pool: the page pool @netmem belongs to (its device did the mapping)
 * @netmem: the buffer: a page or a net_iov, known here only by DMA address
 * @offset: where in the buffer to write
 * @src: the frame on the wire
 * @src_off: where in the frame to start
 * @len: how many bytes
 *
 * Context: NAPI of the RX queue.
 * Return: 0, or -EFAULT if the DMA address does not lead to RAM.
 */
static int nsim_hds_dma_write(struct page_pool *pool, netmem_ref netmem,
			      unsigned int offset, const struct sk_buff *src,
			      unsigned int src_off, unsigned int len)
{
	dma_addr_t dma = page_pool_get_dma_addr_netmem(netmem) + offset;
	unsigned int todo = len;

	while (todo) {
		phys_addr_t phys = dma_to_phys(pool->p.dev, dma);
		unsigned int in_page = offset_in_page(phys);
		unsigned int n = min_t(unsigned int, todo, PAGE_SIZE - in_page);
		unsigned long pfn = PHYS_PFN(phys);
		void *va;

		if (!pfn_valid(pfn))
			return -EFAULT;
		va = kmap_local_pfn(pfn);
		if (skb_copy_bits(src, src_off, va + in_page, n)) {
			kunmap_local(va);
			return -EFAULT;
		}
		kunmap_local(va);
		dma += n;
		src_off += n;
		todo -= n;
	}

	/* A no-op for provider pools (they turn syncing off) and for coherent
	 * memory; copies a bounce buffer back otherwise.
	 */
	page_pool_dma_sync_netmem_for_cpu(pool, netmem, offset, len);
	return 0;
}

/*** receive ***/

/* What one frame cost and became, for the queue's counters. */
struct nsim_hds_rx {
	unsigned int split:1;
	unsigned int alloc_fail:1;
	unsigned int dma_fault:1;
	unsigned int redirect:1;
	unsigned int unreadable:1;
	u32 xdp_act;
	u64 dma_bytes;
	u64 dma_ns;
};

/* Give the buffers of a frame that goes nowhere back to their pools. */
static void nsim_hds_buf_release(struct xdp_buff *xdp, struct page_pool *pool)
{
	struct skb_shared_info *sinfo = xdp_get_shared_info_from_buff(xdp);
	struct page *head = virt_to_head_page(xdp->data_hard_start);
	unsigned int i;

	if (xdp_buff_has_frags(xdp))
		for (i = 0; i < sinfo->nr_frags; i++)
			page_pool_put_full_netmem(pool,
						  skb_frag_netmem(&sinfo->frags[i]),
						  true);
	page_pool_put_page(head->pp, head, -1, true);
}

/* Write @len bytes of @src from @src_off into a fresh buffer of @pool and
 * add it to the frags of @xdp.
 */
static int nsim_hds_rx_frag(struct xdp_buff *xdp, struct page_pool *pool,
			    const struct sk_buff *src, unsigned int src_off,
			    unsigned int len, struct nsim_hds_rx *rx)
{
	struct skb_shared_info *sinfo = xdp_get_shared_info_from_buff(xdp);
	netmem_ref netmem;
	u64 t0;

	if (sinfo->nr_frags >= MAX_SKB_FRAGS)
		return -EMSGSIZE;

	netmem = page_pool_alloc_netmems(pool, GFP_ATOMIC | __GFP_NOWARN);
	if (!netmem) {
		rx->alloc_fail = 1;
		return -ENOMEM;
	}

	t0 = local_clock();
	if (nsim_hds_dma_write(pool, netmem, 0, src, src_off, len)) {
		page_pool_put_full_netmem(pool, netmem, true);
		rx->dma_fault = 1;
		return -EFAULT;
	}
	rx->dma_ns += local_clock() - t0;
	rx->dma_bytes += len;

	skb_frag_fill_netmem_desc(&sinfo->frags[sinfo->nr_frags++], netmem, 0,
				  len);
	sinfo->xdp_frags_size += len;
	xdp_buff_set_frags_flag(xdp);
	if (netmem_is_net_iov(netmem))
		xdp_buff_set_frags_unreadable(xdp);
	return 0;
}

/* Does @pool take its buffers from a memory provider made for XDP? Such
 * buffers never go to the stack: only XDP, and the AF_XDP sockets it
 * redirects to, are meant to see them.
 */
static bool nsim_hds_pool_for_xdp(const struct page_pool *pool)
{
	return pool->mp_ops && pool->mp_ops->for_xdp;
}

/* The device writes @src into buffers of @rq's pools, laid out as an
 * xdp_buff: headroom and the head in a host page fragment, the rest as
 * frags in the skb_shared_info at the end of that fragment, where the skb
 * built from it keeps them. Returns the pool the frags came from, or NULL
 * if the frame was dropped (its buffers are back in the pools).
 */
static struct page_pool *nsim_hds_rx_dma(struct netdevsim *ns,
					 struct nsim_rq *rq,
					 const struct sk_buff *src,
					 const struct nsim_hds_hdrs *h,
					 const struct bpf_prog *prog,
					 struct xdp_buff *xdp,
					 struct nsim_hds_rx *rx)
{
	struct page_pool *hdr_pool = rq->hds.mem.hdr_pool;
	unsigned int len = src->len, head_len, truesize, offset, off, n;
	struct page_pool *pool = hdr_pool;
	struct skb_shared_info *sinfo;
	struct page *page;
	u64 t0;

	if (len < ETH_HLEN || !hdr_pool)
		return NULL;

	/* A program that cannot see frags gets the whole frame linear. */
	if (READ_ONCE(ns->hds.split) && h->hdr_len && h->hdr_len < len &&
	    h->hdr_len <= NSIM_HDS_HEAD_MAX &&
	    (!prog || prog->aux->xdp_has_frags)) {
		rx->split = 1;
		head_len = h->hdr_len;
		pool = rq->hds.mem.pay_pool;
	} else {
		if (prog && !prog->aux->xdp_has_frags && len > NSIM_HDS_HEAD_MAX)
			return NULL;
		head_len = min_t(unsigned int, len, NSIM_HDS_HEAD_MAX);
	}

	/* The head buffer becomes the skb's linear part (napi_build_skb):
	 * headers are read where the device wrote them.
	 */
	truesize = SKB_DATA_ALIGN(NSIM_HDS_HEADROOM + head_len) +
		   NSIM_HDS_SHINFO;
	page = page_pool_dev_alloc_frag(hdr_pool, &offset, truesize);
	if (!page) {
		rx->alloc_fail = 1;
		return NULL;
	}

	t0 = local_clock();
	if (nsim_hds_dma_write(hdr_pool, page_to_netmem(page),
			       offset + NSIM_HDS_HEADROOM, src, 0, head_len)) {
		page_pool_put_page(hdr_pool, page, -1, true);
		rx->dma_fault = 1;
		return NULL;
	}
	rx->dma_ns += local_clock() - t0;
	rx->dma_bytes += head_len;

	xdp_init_buff(xdp, truesize, &rq->hds.mem.xdp_rxq);
	xdp_prepare_buff(xdp, page_address(page) + offset, NSIM_HDS_HEADROOM,
			 head_len, true);
	sinfo = xdp_get_shared_info_from_buff(xdp);
	sinfo->nr_frags = 0;
	sinfo->xdp_frags_size = 0;

	for (off = head_len; off < len; off += n) {
		n = min_t(unsigned int, len - off, PAGE_SIZE);
		if (nsim_hds_rx_frag(xdp, pool, src, off, n, rx)) {
			nsim_hds_buf_release(xdp, pool);
			return NULL;
		}
	}
	return pool;
}

/* An skb around the buffers of @xdp (the program may have moved its
 * bounds); on failure the buffers go back to the pools. A frame with frags
 * of a provider made for XDP is dropped instead (@rx->unreadable).
 */
static struct sk_buff *nsim_hds_build_skb(struct netdevsim *ns,
					  struct nsim_rq *rq,
					  struct xdp_buff *xdp,
					  struct page_pool *pool,
					  const struct nsim_hds_hdrs *h,
					  struct nsim_hds_rx *rx)
{
	struct skb_shared_info *sinfo = xdp_get_shared_info_from_buff(xdp);
	unsigned int frags_size = 0, i;
	bool unreadable = false;
	struct sk_buff *skb;
	u8 nr_frags = 0;

	if (xdp_buff_frags_unreadable(xdp) && nsim_hds_pool_for_xdp(pool)) {
		rx->unreadable = 1;
		nsim_hds_buf_release(xdp, pool);
		return NULL;
	}

	/* napi_build_skb() clears these: read them first. */
	if (xdp_buff_has_frags(xdp)) {
		nr_frags = sinfo->nr_frags;
		frags_size = sinfo->xdp_frags_size;
		for (i = 0; i < nr_frags; i++)
			unreadable |= skb_frag_is_net_iov(&sinfo->frags[i]);
	}

	skb = napi_build_skb(xdp->data_hard_start, xdp->frame_sz);
	if (!skb) {
		nsim_hds_buf_release(xdp, pool);
		return NULL;
	}
	skb_mark_for_recycle(skb);
	skb_reserve(skb, xdp->data - xdp->data_hard_start);
	__skb_put(skb, xdp->data_end - xdp->data);
	if (xdp->data_meta < xdp->data)
		skb_metadata_set(skb, xdp->data - xdp->data_meta);
	if (nr_frags) {
		/* Every frag is a whole page-size buffer. */
		xdp_update_skb_shared_info(skb, nr_frags, frags_size,
					   nr_frags * PAGE_SIZE, false);
		skb->unreadable = unreadable;
	}

	skb->protocol = eth_type_trans(skb, ns->netdev);
	/* RX checksum offload: the wire is lossless and carries valid
	 * checksums (see nsim_hds_xmit()); the device has "verified" them.
	 * The stack could not verify an unreadable payload itself.
	 */
	if (h->l4_proto)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	if (ns->netdev->features & NETIF_F_RXHASH && h->l3_proto)
		skb_set_hash(skb, nsim_hds_rss_hash(ns, h),
			     h->l4_proto ? PKT_HASH_TYPE_L4 : PKT_HASH_TYPE_L3);
	skb_record_rx_queue(skb, rq - ns->rq);
	return skb;
}

/* A copy of an XDP frame (head @data, @len, then @nr_frags frags of
 * @sinfo) as an skb for the wire: the TX engine reads the frame. Never
 * reads unreadable memory: a frame with a net_iov frag is not copied.
 */
static struct sk_buff *nsim_hds_xdp_copy(struct net_device *dev, void *data,
					 unsigned int len,
					 const struct skb_shared_info *sinfo,
					 unsigned int nr_frags)
{
	unsigned int total = len, i;
	struct sk_buff *skb;

	if (len < ETH_HLEN)
		return NULL;
	for (i = 0; i < nr_frags; i++) {
		if (skb_frag_is_net_iov(&sinfo->frags[i]))
			return NULL;
		total += skb_frag_size(&sinfo->frags[i]);
	}

	skb = alloc_skb(total, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return NULL;
	skb_put_data(skb, data, len);
	for (i = 0; i < nr_frags; i++)
		skb_put_data(skb, skb_frag_address(&sinfo->frags[i]),
			     skb_frag_size(&sinfo->frags[i]));
	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb->protocol = eth_hdr(skb)->h_proto;
	return skb;
}

/* XDP_TX: the frame leaves through this port, to its peer. */
static bool nsim_hds_xdp_tx(struct netdevsim *ns, struct xdp_buff *xdp)
{
	struct skb_shared_info *sinfo = xdp_get_shared_info_from_buff(xdp);
	struct netdevsim *peer;
	struct sk_buff *skb;
	bool sent = false;

	skb = nsim_hds_xdp_copy(ns->netdev, xdp->data,
				xdp->data_end - xdp->data, sinfo,
				xdp_buff_has_frags(xdp) ? sinfo->nr_frags : 0);
	if (!skb)
		return false;

	rcu_read_lock();
	peer = rcu_dereference(ns->peer);
	if (peer)
		sent = nsim_hds_xmit(peer, skb);
	else
		kfree_skb(skb);
	rcu_read_unlock();
	return sent;
}

/**
 * nsim_hds_xdp_xmit() - ndo_xdp_xmit: frames redirected to this port
 * @dev: the port
 * @n: number of frames
 * @frames: the frames
 * @flags: XDP_XMIT_FLUSH (nothing to flush: frames leave at once)
 *
 * Each frame is copied onto the wire to the peer and returned.
 * Return: the number of frames consumed; the caller frees the rest.
 */
int nsim_hds_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		      u32 flags)
{
	struct netdevsim *ns = netdev_priv(dev);
	struct netdevsim *peer;
	struct sk_buff *skb;
	int i;

	if (flags & ~XDP_XMIT_FLAGS_MASK)
		return -EINVAL;

	rcu_read_lock();
	peer = rcu_dereference(ns->peer);
	for (i = 0; peer && netif_running(dev) && i < n; i++) {
		struct xdp_frame *xdpf = frames[i];
		struct skb_shared_info *sinfo;

		sinfo = xdp_get_shared_info_from_frame(xdpf);
		skb = nsim_hds_xdp_copy(dev, xdpf->data, xdpf->len, sinfo,
					xdp_frame_has_frags(xdpf) ?
					sinfo->nr_frags : 0);
		if (!skb)
			break;
		xdp_return_frame(xdpf);
		nsim_hds_xmit(peer, skb);
	}
	rcu_read_unlock();
	return i;
}

/* Run the port's XDP program on a received frame; returns the skb for
 * XDP_PASS, NULL otherwise (the buffers then belong to where the verdict
 * sent them, or are back in the pools).
 */
static struct sk_buff *nsim_hds_run_xdp(struct netdevsim *ns,
					struct nsim_rq *rq,
					struct bpf_prog *prog,
					struct xdp_buff *xdp,
					struct page_pool *pool,
					const struct nsim_hds_hdrs *h,
					struct nsim_hds_rx *rx)
{
	struct net_device *dev = ns->netdev;
	u32 act;
	int err;

	act = bpf_prog_run_xdp(prog, xdp);
	rx->xdp_act = act;
	switch (act) {
	case XDP_PASS:
		return nsim_hds_build_skb(ns, rq, xdp, pool, h, rx);
	case XDP_TX:
		/* The copy is on the wire: the buffers are free again. The
		 * TX engine cannot read device memory.
		 */
		rx->unreadable = xdp_buff_frags_unreadable(xdp);
		if (!nsim_hds_xdp_tx(ns, xdp)) {
			trace_xdp_exception(dev, prog, act);
			rx->xdp_act = XDP_ABORTED;
		}
		break;
	case XDP_REDIRECT:
		err = xdp_do_redirect(dev, xdp, prog);
		if (!err) {
			rx->redirect = 1;
			return NULL;
		}
		/* Only an AF_XDP socket takes frags in device memory. */
		rx->unreadable = err == -EFAULT && xdp_buff_frags_unreadable(xdp);
		trace_xdp_exception(dev, prog, act);
		rx->xdp_act = XDP_ABORTED;
		break;
	default:
		bpf_warn_invalid_xdp_action(dev, prog, act);
		fallthrough;
	case XDP_ABORTED:
		trace_xdp_exception(dev, prog, act);
		fallthrough;
	case XDP_DROP:
		break;
	}
	nsim_hds_buf_release(xdp, pool);
	return NULL;
}

/**
 * nsim_hds_xdp_mtu_ok() - whether frames of @mtu suit XDP program @prog
 * @prog: the program, or NULL
 * @mtu: the port's MTU
 *
 * A program without frags support sees whole frames in the head buffer,
 * so they must fit there (about 3.5 KB); one with frags support sees any.
 * Return: true if they suit it.
 */
bool nsim_hds_xdp_mtu_ok(struct bpf_prog *prog, unsigned int mtu)
{
	return !prog || prog->aux->xdp_has_frags ||
	       mtu + VLAN_ETH_HLEN + VLAN_HLEN <= NSIM_HDS_HEAD_MAX;
}

/**
 * nsim_hds_xdp_check() - may @prog run on this port's receive path
 * @ns: the port
 * @prog: the program, or NULL to remove one (always allowed)
 * @extack: for the reason
 *
 * Return: 0, -EINVAL for an MTU the program cannot see whole, -EBUSY while
 * a memory provider not made for XDP is bound to a queue (devmem's: the
 * core refuses that first).
 */
int nsim_hds_xdp_check(struct netdevsim *ns, struct bpf_prog *prog,
		       struct netlink_ext_ack *extack)
{
	const struct memory_provider_ops *mp_ops;
	unsigned int i;

	if (!prog)
		return 0;
	if (!nsim_hds_xdp_mtu_ok(prog, ns->netdev->mtu)) {
		NSIM_EA(extack, "MTU too large for an XDP program without frags support");
		return -EINVAL;
	}
	for (i = 0; i < ns->netdev->real_num_rx_queues; i++) {
		mp_ops = __netif_get_rx_queue(ns->netdev, i)->mp_params.mp_ops;
		if (mp_ops && !mp_ops->for_xdp) {
			NSIM_EA(extack, "a memory provider is bound to a queue");
			return -EBUSY;
		}
	}
	return 0;
}

/**
 * nsim_hds_poll() - receive up to @budget frames from the wire FIFO of @rq
 * @rq: the RX queue
 * @budget: NAPI budget
 *
 * Return: the number of frames taken off the FIFO (delivered or dropped).
 */
int nsim_hds_poll(struct nsim_rq *rq, int budget)
{
	struct netdevsim *ns = netdev_priv(rq->napi.dev);
	struct nsim_hds_rq_stats *st = &rq->hds.stats;
	struct bpf_prog *prog = READ_ONCE(ns->xdp.prog);
	bool redirected = false;
	struct sk_buff *src;
	int done;

	for (done = 0; done < budget; done++) {
		struct nsim_hds_rx rx = {};
		struct sk_buff *skb = NULL;
		struct page_pool *pool;
		struct nsim_hds_hdrs h;
		struct xdp_buff xdp;
		unsigned int len;

		src = skb_dequeue(&rq->skb_queue);
		if (!src)
			break;
		len = src->len;
		nsim_hds_parse(src, &h);
		pool = nsim_hds_rx_dma(ns, rq, src, &h, prog, &xdp, &rx);
		/* The sender's frame is gone once the device has copied it:
		 * this is its TX completion.
		 */
		consume_skb(src);
		if (pool && prog)
			skb = nsim_hds_run_xdp(ns, rq, prog, &xdp, pool, &h,
					       &rx);
		else if (pool)
			skb = nsim_hds_build_skb(ns, rq, &xdp, pool, &h, &rx);
		redirected |= rx.redirect;

		u64_stats_update_begin(&rq->hds.syncp);
		st->dma_bytes += rx.dma_bytes;
		st->dma_ns += rx.dma_ns;
		st->alloc_fail += rx.alloc_fail;
		st->dma_faults += rx.dma_fault;
		st->unreadable += rx.unreadable;
		if (skb) {
			st->packets++;
			st->bytes += len;
			st->split += rx.split;
		} else if (!pool || !prog || rx.xdp_act == XDP_PASS) {
			st->drops++;
		} else if (rx.xdp_act == XDP_TX) {
			st->xdp_tx++;
		} else if (rx.xdp_act == XDP_REDIRECT) {
			st->xdp_redirect++;
		} else {
			st->xdp_drop++;
		}
		u64_stats_update_end(&rq->hds.syncp);

		if (skb)
			napi_gro_receive(&rq->napi, skb);
	}

	if (redirected)
		xdp_do_flush();
	return done;
}

/*** pools ***/

static void nsim_hds_pools_destroy(struct nsim_hds_qmem *qmem)
{
	/* Pools made for a NAPI that still runs with other pools (a restart
	 * that failed after ndo_queue_mem_alloc) must be detached from it
	 * while it is off, like page_pool_destroy() expects.
	 */
	if (qmem->napi) {
		napi_disable(qmem->napi);
		if (qmem->hdr_pool)
			page_pool_disable_direct_recycling(qmem->hdr_pool);
		if (qmem->pay_pool)
			page_pool_disable_direct_recycling(qmem->pay_pool);
		napi_enable(qmem->napi);
		qmem->napi = NULL;
	}
	if (xdp_rxq_info_is_reg(&qmem->xdp_rxq))
		xdp_rxq_info_unreg(&qmem->xdp_rxq);
	page_pool_destroy(qmem->pay_pool);
	page_pool_destroy(qmem->hdr_pool);
	qmem->pay_pool = NULL;
	qmem->hdr_pool = NULL;
}

/* @live: the queue's NAPI runs (with other pools) while these are made */
static int nsim_hds_pools_create(struct netdevsim *ns, unsigned int idx,
				 struct nsim_hds_qmem *qmem, bool live)
{
	struct net_device *dev = ns->netdev;
	struct device *dmadev = dev->dev.parent;
	struct page_pool_params pp = {
		.flags = PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV,
		.order = 0,
		.pool_size = NSIM_HDS_HDR_POOL_SIZE,
		.nid = NUMA_NO_NODE,
		.dev = dmadev,
		.napi = &ns->rq[idx].napi,
		.dma_dir = DMA_FROM_DEVICE,
		.max_len = PAGE_SIZE,
		.offset = 0,
		.netdev = dev,
		.queue_idx = idx,
	};
	struct netdev_rx_queue *rxq = __netif_get_rx_queue(dev, idx);
	struct page_pool *pool;
	int err;

	if (!nsim_hds_dma_direct(dmadev)) {
		netdev_err(dev, "simulated DMA needs dma-direct (no IOMMU, a DMA mask)\n");
		return -EOPNOTSUPP;
	}
	if (rxq->mp_params.mp_ops && !READ_ONCE(ns->hds.split)) {
		netdev_err(dev, "queue %u: a memory provider needs tcp-data-split on\n",
			   idx);
		return -EINVAL;
	}
	/* A program may see only the memory of a provider made for XDP, and
	 * then only what XDP_FLAGS_FRAGS_UNREADABLE lets it (the core refuses
	 * the other order too).
	 */
	if (rxq->mp_params.mp_ops && !rxq->mp_params.mp_ops->for_xdp &&
	    ns->xdp.prog) {
		netdev_err(dev, "queue %u: no memory provider while an XDP program runs\n",
			   idx);
		return -EBUSY;
	}

	memset(qmem, 0, sizeof(*qmem));
	if (live)
		qmem->napi = pp.napi;

	pool = page_pool_create(&pp);
	if (IS_ERR(pool))
		goto err;
	qmem->hdr_pool = pool;

	pp.flags |= PP_FLAG_ALLOW_UNREADABLE_NETMEM;
	pp.pool_size = NSIM_HDS_PAY_POOL_SIZE;
	pool = page_pool_create(&pp);
	if (IS_ERR(pool))
		goto err;
	qmem->pay_pool = pool;

	/* XDP returns buffers by their page's pool: one model covers both. */
	err = xdp_rxq_info_reg(&qmem->xdp_rxq, dev, idx, pp.napi->napi_id);
	if (!err)
		err = xdp_rxq_info_reg_mem_model(&qmem->xdp_rxq,
						 MEM_TYPE_PAGE_POOL,
						 qmem->hdr_pool);
	if (err) {
		nsim_hds_pools_destroy(qmem);
		return err;
	}
	return 0;

err:
	nsim_hds_pools_destroy(qmem);
	return PTR_ERR(pool);
}

/**
 * nsim_hds_rq_init() - counters of a new RX queue
 * @rq: the queue, zeroed
 */
void nsim_hds_rq_init(struct nsim_rq *rq)
{
	u64_stats_init(&rq->hds.syncp);
	atomic64_set(&rq->hds.fifo_drops, 0);
}

/**
 * nsim_hds_rq_open() - give RX queue @idx its pools when the port opens
 * @ns: the port
 * @idx: the queue
 *
 * Context: RTNL; the queue's NAPI is added but not enabled yet.
 * Return: 0 or a negative errno.
 */
int nsim_hds_rq_open(struct netdevsim *ns, unsigned int idx)
{
	struct nsim_rq *rq = &ns->rq[idx];
	int err;

	err = nsim_hds_pools_create(ns, idx, &rq->hds.mem, false);
	if (err)
		return err;
	rq->page_pool = rq->hds.mem.hdr_pool;
	return 0;
}

/**
 * nsim_hds_rq_close() - take RX queue @idx's pools away when the port closes
 * @ns: the port
 * @idx: the queue
 *
 * Context: RTNL; the queue's NAPI is disabled. Frames still on the wire FIFO
 * are dropped, as a NIC that goes down drops them.
 */
void nsim_hds_rq_close(struct netdevsim *ns, unsigned int idx)
{
	struct nsim_rq *rq = &ns->rq[idx];

	skb_queue_purge_reason(&rq->skb_queue, SKB_DROP_REASON_DEV_READY);
	nsim_hds_pools_destroy(&rq->hds.mem);
	rq->page_pool = NULL;
}

/*** queue-management ops ***/

static int nsim_hds_queue_mem_alloc(struct net_device *dev,
				    void *per_queue_mem, int idx)
{
	struct nsim_hds_qmem *qmem = per_queue_mem;
	struct netdevsim *ns = netdev_priv(dev);

	if (!netif_running(dev))
		return -ENETDOWN;

	/* The queue still runs on its old pools until ndo_queue_start. */
	return nsim_hds_pools_create(ns, idx, qmem, true);
}

static void nsim_hds_queue_mem_free(struct net_device *dev,
				    void *per_queue_mem)
{
	nsim_hds_pools_destroy(per_queue_mem);
}

static int nsim_hds_queue_stop(struct net_device *dev, void *per_queue_mem,
			       int idx)
{
	struct nsim_hds_qmem *qmem = per_queue_mem;
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_rq *rq = &ns->rq[idx];

	/* No poll runs after this: no buffer is allocated from the old pools
	 * any more. Buffers already in skbs return to them (page_pool keeps a
	 * destroyed pool until its last buffer is back); frames on the wire
	 * FIFO wait for the new pools.
	 */
	napi_disable(&rq->napi);
	*qmem = rq->hds.mem;
	qmem->napi = NULL;
	if (qmem->hdr_pool)
		page_pool_disable_direct_recycling(qmem->hdr_pool);
	if (qmem->pay_pool)
		page_pool_disable_direct_recycling(qmem->pay_pool);
	memset(&rq->hds.mem, 0, sizeof(rq->hds.mem));
	rq->page_pool = NULL;
	return 0;
}

static int nsim_hds_queue_start(struct net_device *dev, void *per_queue_mem,
				int idx)
{
	struct nsim_hds_qmem *qmem = per_queue_mem;
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_rq *rq = &ns->rq[idx];

	rq->hds.mem = *qmem;
	rq->hds.mem.napi = NULL;
	rq->page_pool = qmem->hdr_pool;
	/* The queue owns the pools now; the restart frees only the struct. */
	memset(qmem, 0, sizeof(*qmem));

	napi_enable(&rq->napi);
	if (!skb_queue_empty(&rq->skb_queue))
		napi_schedule(&rq->napi);
	return 0;
}
ALLOW_ERROR_INJECTION(nsim_hds_queue_start, ERRNO);

const struct netdev_queue_mgmt_ops nsim_hds_queue_mgmt_ops = {
	.ndo_queue_mem_size	= sizeof(struct nsim_hds_qmem),
	.ndo_queue_mem_alloc	= nsim_hds_queue_mem_alloc,
	.ndo_queue_mem_free	= nsim_hds_queue_mem_free,
	.ndo_queue_start	= nsim_hds_queue_start,
	.ndo_queue_stop		= nsim_hds_queue_stop,
	.xdp_frags_unreadable	= true,
};

/*** ethtool: tcp-data-split ***/

void nsim_hds_get_ringparam(struct netdevsim *ns,
			    struct kernel_ethtool_ringparam *kring)
{
	kring->tcp_data_split = READ_ONCE(ns->hds.split) ?
				ETHTOOL_TCP_DATA_SPLIT_ENABLED :
				ETHTOOL_TCP_DATA_SPLIT_DISABLED;
}

int nsim_hds_set_ringparam(struct netdevsim *ns,
			   const struct kernel_ethtool_ringparam *kring,
			   struct netlink_ext_ack *extack)
{
	struct net_device *dev = ns->netdev;
	unsigned int i;

	switch (kring->tcp_data_split) {
	case ETHTOOL_TCP_DATA_SPLIT_ENABLED:
		WRITE_ONCE(ns->hds.split, true);
		break;
	case ETHTOOL_TCP_DATA_SPLIT_DISABLED:
		for (i = 0; i < dev->real_num_rx_queues; i++) {
			if (__netif_get_rx_queue(dev, i)->mp_params.mp_ops) {
				NL_SET_ERR_MSG_MOD(extack,
						   "a memory provider is bound to a queue: tcp-data-split must stay on");
				return -EBUSY;
			}
		}
		WRITE_ONCE(ns->hds.split, false);
		break;
	default:
		break;
	}
	return 0;
}

/*** stats and debugfs ***/

static void nsim_hds_rq_stats_read(struct nsim_rq *rq,
				   struct nsim_hds_rq_stats *st)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&rq->hds.syncp);
		*st = rq->hds.stats;
	} while (u64_stats_fetch_retry(&rq->hds.syncp, start));
}

void nsim_hds_queue_stats_rx(struct netdevsim *ns, int idx,
			     struct netdev_queue_stats_rx *stats)
{
	struct nsim_hds_rq_stats st;

	if (!ns->rq)
		return;
	nsim_hds_rq_stats_read(&ns->rq[idx], &st);
	stats->packets = st.packets;
	stats->bytes = st.bytes;
	stats->alloc_fail = st.alloc_fail;
	stats->hw_drops = st.drops + atomic64_read(&ns->rq[idx].hds.fifo_drops);
}

/* What no queue counts: frames a rule dropped before choosing one. */
void nsim_hds_base_stats_rx(struct netdevsim *ns,
			    struct netdev_queue_stats_rx *rx)
{
	rx->packets = 0;
	rx->bytes = 0;
	rx->alloc_fail = 0;
	rx->hw_drops = atomic64_read(&ns->hds.steer_drops);
}

void nsim_hds_get_stats64(struct netdevsim *ns,
			  struct rtnl_link_stats64 *stats)
{
	struct nsim_hds_rq_stats st;
	unsigned int i;

	if (!ns->rq)
		return;
	for (i = 0; i < ns->netdev->num_rx_queues; i++) {
		nsim_hds_rq_stats_read(&ns->rq[i], &st);
		stats->rx_packets += st.packets;
		stats->rx_bytes += st.bytes;
		stats->rx_dropped += st.drops +
				     atomic64_read(&ns->rq[i].hds.fifo_drops);
	}
	stats->rx_dropped += atomic64_read(&ns->hds.steer_drops);
}

static int nsim_hds_queues_show(struct seq_file *m, void *unused)
{
	struct netdevsim *ns = m->private;
	struct nsim_hds_rq_stats st;
	unsigned int i;

	seq_puts(m, "queue packets bytes split drops fifo_drops alloc_fail dma_faults dma_bytes dma_ns xdp_drop xdp_tx xdp_redirect unreadable\n");
	for (i = 0; i < ns->netdev->num_rx_queues; i++) {
		nsim_hds_rq_stats_read(&ns->rq[i], &st);
		seq_printf(m, "%u %llu %llu %llu %llu %lld %llu %llu %llu %llu %llu %llu %llu %llu\n",
			   i, st.packets, st.bytes, st.split, st.drops,
			   (long long)atomic64_read(&ns->rq[i].hds.fifo_drops),
			   st.alloc_fail, st.dma_faults, st.dma_bytes,
			   st.dma_ns, st.xdp_drop, st.xdp_tx, st.xdp_redirect,
			   st.unreadable);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nsim_hds_queues);

static int nsim_hds_dma_show(struct seq_file *m, void *unused)
{
	struct netdevsim *ns = m->private;
	struct nsim_hds_rq_stats st;
	u64 bytes = 0, ns_total = 0;
	unsigned int i;

	for (i = 0; i < ns->netdev->num_rx_queues; i++) {
		nsim_hds_rq_stats_read(&ns->rq[i], &st);
		bytes += st.dma_bytes;
		ns_total += st.dma_ns;
	}
	seq_printf(m, "bytes %llu\nns %llu\n", bytes, ns_total);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nsim_hds_dma);

static int nsim_hds_steer_drops_get(void *data, u64 *val)
{
	struct netdevsim *ns = data;

	*val = atomic64_read(&ns->hds.steer_drops);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(nsim_hds_steer_drops_fops, nsim_hds_steer_drops_get,
			 NULL, "%llu\n");

/* Writing N restarts RX queue N through the core, as binding a memory
 * provider does (netdev_rx_queue_restart(): new pools from
 * ndo_queue_mem_alloc, stop, start, the old pools freed once their buffers
 * are back), so that tests can restart a queue under traffic. The file is
 * removed before the port takes RTNL to go away, and debugfs_remove() waits
 * for a writer, so taking RTNL here cannot deadlock with that.
 */
static int nsim_hds_queue_restart_set(void *data, u64 val)
{
	struct netdevsim *ns = data;
	struct net_device *dev = ns->netdev;
	int err;

	rtnl_lock();
	if (!netif_running(dev))
		err = -ENETDOWN;
	else if (val >= dev->real_num_rx_queues)
		err = -EINVAL;
	else
		err = netdev_rx_queue_restart(dev, val);
	rtnl_unlock();
	return err;
}
DEFINE_DEBUGFS_ATTRIBUTE(nsim_hds_queue_restart_fops, NULL,
			 nsim_hds_queue_restart_set, "%llu\n");

/**
 * nsim_hds_debugfs_init() - ports/N/hds: what the device did, per port
 * @ns: the port (a PF: it has RX queues)
 *
 * queues: one line per RX queue; dma: the bytes the simulated device wrote
 * and the nanoseconds it took, over all queues; steer_drops; queue_restart
 * (write-only: a queue number).
 */
void nsim_hds_debugfs_init(struct netdevsim *ns)
{
	struct dentry *dir;

	if (!ns->rq)
		return;
	dir = debugfs_create_dir("hds", ns->nsim_dev_port->ddir);
	debugfs_create_file("queues", 0400, dir, ns, &nsim_hds_queues_fops);
	debugfs_create_file("dma", 0400, dir, ns, &nsim_hds_dma_fops);
	debugfs_create_file_unsafe("steer_drops", 0400, dir, ns,
				   &nsim_hds_steer_drops_fops);
	debugfs_create_file_unsafe("queue_restart", 0200, dir, ns,
				   &nsim_hds_queue_restart_fops);
	ns->hds.ddir = dir;
}

void nsim_hds_debugfs_exit(struct netdevsim *ns)
{
	debugfs_remove(ns->hds.ddir);
	ns->hds.ddir = NULL;
}

/*** setup ***/

/**
 * nsim_hds_init() - a port's header-split state before it is registered
 * @ns: the port
 *
 * Split off (as gve and bnxt start), no rules, RSS spread evenly over the
 * queues with a random key, per-queue counters ready.
 */
void nsim_hds_init(struct netdevsim *ns)
{
	unsigned int i, nq = ns->nsim_bus_dev->num_queues;

	INIT_LIST_HEAD(&ns->hds.rules);
	netdev_rss_key_fill(ns->hds.key, sizeof(ns->hds.key));
	for (i = 0; i < NSIM_HDS_INDIR_SIZE; i++)
		ns->hds.indir[i] = ethtool_rxfh_indir_default(i, nq ?: 1);
	atomic64_set(&ns->hds.steer_drops, 0);
}
