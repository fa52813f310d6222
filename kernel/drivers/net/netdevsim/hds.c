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
 *   receive   an skb is built around the buffers (head from the host pool,
 *             frags from the payload pool, net_iov frags marking it
 *             unreadable), recycled to the pools when freed; the sender's
 *             skb is then freed: it never reaches the receiver's stack
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
 */

#include <linux/debugfs.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/etherdevice.h>
#include <linux/highmem.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <net/gso.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/page_pool/helpers.h>
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

	if (!peer->rq || !netif_running(peer->netdev))
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
		if (WARN_ON_ONCE(skb_copy_bits(src, src_off, va + in_page, n))) {
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

struct nsim_hds_rx {
	unsigned int split:1;
	unsigned int alloc_fail:1;
	unsigned int dma_fault:1;
	u64 dma_bytes;
	u64 dma_ns;
};

/* Write @len bytes of @src from @src_off into a fresh buffer of @pool and
 * attach it to @skb as a frag.
 */
static int nsim_hds_rx_frag(struct sk_buff *skb, struct page_pool *pool,
			    const struct sk_buff *src, unsigned int src_off,
			    unsigned int len, struct nsim_hds_rx *rx)
{
	netmem_ref netmem;
	u64 t0;

	if (skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)
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

	skb_add_rx_frag_netmem(skb, skb_shinfo(skb)->nr_frags, netmem, 0, len,
			       PAGE_SIZE);
	return 0;
}

/* The device receives @src into the pools of @rq; returns the skb to hand
 * to the stack, or NULL if the frame was dropped.
 */
static struct sk_buff *nsim_hds_rx_frame(struct netdevsim *ns,
					 struct nsim_rq *rq,
					 const struct sk_buff *src,
					 struct nsim_hds_rx *rx)
{
	struct page_pool *hdr_pool = rq->hds.mem.hdr_pool;
	struct page_pool *pool = hdr_pool;
	unsigned int len = src->len, head_len, truesize, offset, off, n;
	struct nsim_hds_hdrs h;
	struct sk_buff *skb;
	struct page *page;
	u64 t0;

	if (len < ETH_HLEN || !hdr_pool)
		return NULL;

	nsim_hds_parse(src, &h);
	if (READ_ONCE(ns->hds.split) && h.hdr_len && h.hdr_len < len &&
	    h.hdr_len <= NSIM_HDS_HEAD_MAX) {
		rx->split = 1;
		head_len = h.hdr_len;
		pool = rq->hds.mem.pay_pool;
	} else {
		head_len = min_t(unsigned int, len, NSIM_HDS_HEAD_MAX);
	}

	/* The head buffer: a host page fragment that becomes the linear part
	 * of the skb (napi_build_skb), so headers are read where the device
	 * wrote them.
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

	skb = napi_build_skb(page_address(page) + offset, truesize);
	if (!skb) {
		page_pool_put_page(hdr_pool, page, -1, true);
		rx->alloc_fail = 1;
		return NULL;
	}
	skb_mark_for_recycle(skb);
	skb_reserve(skb, NSIM_HDS_HEADROOM);
	__skb_put(skb, head_len);

	for (off = head_len; off < len; off += n) {
		n = min_t(unsigned int, len - off, PAGE_SIZE);
		if (nsim_hds_rx_frag(skb, pool, src, off, n, rx)) {
			/* Recycles the buffers attached so far. */
			kfree_skb(skb);
			return NULL;
		}
	}

	skb->protocol = eth_type_trans(skb, ns->netdev);
	/* RX checksum offload: the wire is lossless and carries valid
	 * checksums (see nsim_hds_xmit()); the device has "verified" them.
	 * The stack could not verify an unreadable payload itself.
	 */
	if (h.l4_proto)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	if (ns->netdev->features & NETIF_F_RXHASH && h.l3_proto)
		skb_set_hash(skb, nsim_hds_rss_hash(ns, &h),
			     h.l4_proto ? PKT_HASH_TYPE_L4 : PKT_HASH_TYPE_L3);
	skb_record_rx_queue(skb, rq - ns->rq);
	return skb;
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
	struct sk_buff *src, *skb;
	int done;

	for (done = 0; done < budget; done++) {
		struct nsim_hds_rx rx = {};
		unsigned int len;

		src = skb_dequeue(&rq->skb_queue);
		if (!src)
			break;
		len = src->len;
		skb = nsim_hds_rx_frame(ns, rq, src, &rx);
		/* The sender's frame is gone once the device has copied it:
		 * this is its TX completion.
		 */
		consume_skb(src);

		u64_stats_update_begin(&rq->hds.syncp);
		st->dma_bytes += rx.dma_bytes;
		st->dma_ns += rx.dma_ns;
		st->alloc_fail += rx.alloc_fail;
		st->dma_faults += rx.dma_fault;
		if (skb) {
			st->packets++;
			st->bytes += len;
			st->split += rx.split;
		} else {
			st->drops++;
		}
		u64_stats_update_end(&rq->hds.syncp);

		if (skb)
			napi_gro_receive(&rq->napi, skb);
	}

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

	if (!nsim_hds_dma_direct(dmadev)) {
		netdev_err(dev, "simulated DMA needs dma-direct (no IOMMU, a DMA mask)\n");
		return -EOPNOTSUPP;
	}
	if (rxq->mp_params.mp_ops && !READ_ONCE(ns->hds.split)) {
		netdev_err(dev, "queue %u: a memory provider needs tcp-data-split on\n",
			   idx);
		return -EINVAL;
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

const struct netdev_queue_mgmt_ops nsim_hds_queue_mgmt_ops = {
	.ndo_queue_mem_size	= sizeof(struct nsim_hds_qmem),
	.ndo_queue_mem_alloc	= nsim_hds_queue_mem_alloc,
	.ndo_queue_mem_free	= nsim_hds_queue_mem_free,
	.ndo_queue_start	= nsim_hds_queue_start,
	.ndo_queue_stop		= nsim_hds_queue_stop,
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

	seq_puts(m, "queue packets bytes split drops fifo_drops alloc_fail dma_faults dma_bytes dma_ns\n");
	for (i = 0; i < ns->netdev->num_rx_queues; i++) {
		nsim_hds_rq_stats_read(&ns->rq[i], &st);
		seq_printf(m, "%u %llu %llu %llu %llu %lld %llu %llu %llu %llu\n",
			   i, st.packets, st.bytes, st.split, st.drops,
			   (long long)atomic64_read(&ns->rq[i].hds.fifo_drops),
			   st.alloc_fail, st.dma_faults, st.dma_bytes,
			   st.dma_ns);
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

/**
 * nsim_hds_debugfs_init() - ports/N/hds: what the device did, per port
 * @ns: the port (a PF: it has RX queues)
 *
 * queues: one line per RX queue; dma: the bytes the simulated device wrote
 * and the nanoseconds it took, over all queues; steer_drops.
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
