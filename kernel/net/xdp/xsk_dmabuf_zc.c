// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP dmabuf UMEM, zero copy: the payload area as a page pool memory
 * provider.
 *
 * bind(XDP_ZEROCOPY) maps the dmabuf for the device, installs a provider
 * instance (struct xsk_dmabuf_zc) on the RX queue and restarts the queue,
 * whose payload page pool then takes its buffers from the provider: the
 * chunks of the area, as net_iovs, in the order user space lends them on
 * the dmabuf fill ring. The device writes payloads straight into them, the
 * XDP program steers on the headers, and the receive path posts each frag
 * as an RX descriptor naming the chunk in place (xsk_dmabuf_rcv()), with
 * the frame's page pool reference. That reference comes back when user
 * space posts the chunk on the dmabuf fill ring again; once none is left
 * the chunk goes back to the device. The CPU never touches a payload.
 *
 * Locking and lifetime:
 *  - install and uninstall run under RTNL (bind, unbind, device removal);
 *  - alloc_netmems runs in the page pool's allocation context (the queue's
 *    NAPI, or the driver under RTNL) and consumes the fill ring under the
 *    lock of the socket's struct xsk_dmabuf_rx;
 *  - release_netmem runs wherever a page pool lets go of a buffer (any
 *    context, also after the socket is gone) and reports on the
 *    completion ring under the provider's @lock, then the rx lock;
 *  - a provider instance is referenced by its queue (install to
 *    uninstall), by each page pool using it (init to destroy) and by its
 *    pending restart retry; the last reference frees it from a work item,
 *    dropping the device mapping and the UMEM reference that keeps the
 *    area alive;
 *  - uninstall restarts the queue without the provider. When that fails
 *    (memory, the driver), the queue still runs on the provider's pools,
 *    which get no chunk once the socket's rings are gone: the restart is
 *    retried from @restart_work under RTNL, holding the device and the
 *    instance, until it succeeds or the device is down or going.
 */

#define pr_fmt(fmt) "xsk_dmabuf: " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/error-injection.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/netdevice.h>
#include <linux/refcount.h>
#include <linux/rtnetlink.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/page_pool/helpers.h>
#include <net/page_pool/memory_provider.h>
#include <net/xdp_sock.h>
#include <net/xdp_sock_drv.h>
#include <net/xsk_buff_pool.h>

#include "xdp_umem.h"
#include "xsk_dmabuf.h"
#include "xsk_dmabuf_priv.h"
#include "xsk_queue.h"

/**
 * struct xsk_dmabuf_map - the area mapped for one device
 * @node: in the area's @maps
 * @area: the area
 * @dev: the device, referenced
 * @attach: the dmabuf's attachment to @dev
 * @sgt: its mapping, DMA_FROM_DEVICE
 * @addrs: the DMA address of every chunk for @dev
 * @users: provider instances using the mapping; under the area's
 *	@maps_lock, and the last one unmaps it
 */
struct xsk_dmabuf_map {
	struct list_head node;
	struct xsk_dmabuf_area *area;
	struct device *dev;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	dma_addr_t *addrs;
	unsigned int users;
};

/**
 * struct xsk_dmabuf_zc - the provider installed on one RX queue
 * @ref: held by the queue from install to uninstall and by each page pool
 *	from init to destroy
 * @area: the area, kept alive by @umem
 * @umem: a reference to the UMEM
 * @map: the area's mapping for the queue's device
 * @dev: the device; only used while installed, under RTNL or from its
 *	queue's receive path
 * @queue_id: the queue
 * @lock: protects @drx against the socket's teardown
 * @drx: the dmabuf half of the socket's buffer pool, whose rings the page
 *	pools use; NULL once its rings go
 * @refusal: why a page pool refused the provider (enum
 *	xdp_dmabuf_zc_refusal), for bind to report
 * @installed: on the queue, from a successful bind until unbind; @dev is
 *	valid while it is
 * @free_work: frees the instance; the last put may come from softirq
 * @restart_work: retries the restart of an uninstall that failed; holds a
 *	reference to the instance and @dev_tracker's to @dev while pending
 * @restart_delay: the next retry's delay, in jiffies
 * @dev_tracker: the retry's reference to @dev
 */
struct xsk_dmabuf_zc {
	refcount_t ref;
	struct xsk_dmabuf_area *area;
	struct xdp_umem *umem;
	struct xsk_dmabuf_map *map;
	struct net_device *dev;
	u32 queue_id;
	spinlock_t lock; /* see above */
	struct xsk_dmabuf_rx *drx;
	u32 refusal;
	bool installed;
	struct work_struct free_work;
	struct delayed_work restart_work;
	unsigned long restart_delay;
	netdevice_tracker dev_tracker;
};

/* Most chunks one alloc_netmems() call puts into the page pool's cache,
 * as the pool's own refill; and most foreign chunks (of the queue's earlier
 * pools) it holds before giving them back to their pools.
 */
#define XSK_DMABUF_ZC_BATCH	PP_ALLOC_CACHE_REFILL

/* Retries of a failed restart at uninstall: from 10 ms, doubling, to 1 s
 * (device removal waits for the retry's reference to the device).
 */
#define XSK_DMABUF_ZC_RETRY_MIN	msecs_to_jiffies(10)
#define XSK_DMABUF_ZC_RETRY_MAX	msecs_to_jiffies(1000)

static const struct memory_provider_ops xsk_dmabuf_mp_ops;

/**
 * xsk_dmabuf_zc_area_init - zero-copy state of a new area
 * @area: the area
 */
void xsk_dmabuf_zc_area_init(struct xsk_dmabuf_area *area)
{
	INIT_LIST_HEAD(&area->maps);
	mutex_init(&area->maps_lock);
}

/* --- The area mapped for a device ------------------------------------------ */

/* The DMA address of every chunk: each must be contiguous for the device
 * and page aligned, as a page pool buffer is.
 */
static int xsk_dmabuf_map_addrs(struct xsk_dmabuf_map *map)
{
	struct xsk_dmabuf_area *area = map->area;
	struct scatterlist *sg;
	u64 pos = 0, off, len;
	u32 idx = 0;
	dma_addr_t dma;
	int i;

	for_each_sgtable_dma_sg(map->sgt, sg, i) {
		dma = sg_dma_address(sg);
		len = sg_dma_len(sg);
		while (idx < area->nr_chunks) {
			off = xsk_dmabuf_chunk_offset(area, idx);
			if (off >= pos + len)
				break;
			if (off + area->chunk_size > pos + len ||
			    !PAGE_ALIGNED(dma + (off - pos)))
				return -EINVAL;
			map->addrs[idx++] = dma + (off - pos);
		}
		pos += len;
	}
	return idx == area->nr_chunks ? 0 : -EINVAL;
}

static void xsk_dmabuf_map_free(struct xsk_dmabuf_map *map)
{
	if (map->sgt)
		dma_buf_unmap_attachment_unlocked(map->attach, map->sgt,
						  DMA_FROM_DEVICE);
	if (map->attach)
		dma_buf_detach(map->area->dmabuf, map->attach);
	put_device(map->dev);
	kvfree(map->addrs);
	kfree(map);
}

/* The area's mapping for @dev, made on first use. Error-injectable: the
 * exporter and the DMA API can fail it where no allocation fails.
 */
static noinline struct xsk_dmabuf_map *
xsk_dmabuf_map_get(struct xsk_dmabuf_area *area, struct device *dev)
{
	struct xsk_dmabuf_map *map;
	int err;

	mutex_lock(&area->maps_lock);
	list_for_each_entry(map, &area->maps, node) {
		if (map->dev == dev) {
			map->users++;
			goto out;
		}
	}

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map) {
		map = ERR_PTR(-ENOMEM);
		goto out;
	}
	map->area = area;
	map->dev = get_device(dev);
	map->users = 1;
	/* As the area's chunks: charged, and failed over the limit. */
	map->addrs = kvcalloc(area->nr_chunks, sizeof(*map->addrs),
			      GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL |
			      __GFP_NOWARN);
	if (!map->addrs) {
		err = -ENOMEM;
		goto err;
	}
	map->attach = dma_buf_attach(area->dmabuf, dev);
	if (IS_ERR(map->attach)) {
		err = PTR_ERR(map->attach);
		map->attach = NULL;
		goto err;
	}
	map->sgt = dma_buf_map_attachment_unlocked(map->attach,
						   DMA_FROM_DEVICE);
	if (IS_ERR(map->sgt)) {
		err = PTR_ERR(map->sgt);
		map->sgt = NULL;
		goto err;
	}
	err = xsk_dmabuf_map_addrs(map);
	if (err)
		goto err;
	list_add(&map->node, &area->maps);
out:
	mutex_unlock(&area->maps_lock);
	return map;

err:
	mutex_unlock(&area->maps_lock);
	xsk_dmabuf_map_free(map);
	return ERR_PTR(err);
}
ALLOW_ERROR_INJECTION(xsk_dmabuf_map_get, ERRNO);

static void xsk_dmabuf_map_put(struct xsk_dmabuf_map *map)
{
	struct xsk_dmabuf_area *area = map->area;

	mutex_lock(&area->maps_lock);
	if (--map->users) {
		mutex_unlock(&area->maps_lock);
		return;
	}
	list_del(&map->node);
	mutex_unlock(&area->maps_lock);
	xsk_dmabuf_map_free(map);
}

/* --- Provider instances ---------------------------------------------------- */

static void xsk_dmabuf_zc_free_work(struct work_struct *work)
{
	struct xsk_dmabuf_zc *zc = container_of(work, struct xsk_dmabuf_zc,
						free_work);

	xsk_dmabuf_map_put(zc->map);
	/* May free the UMEM, and with it the area. */
	xdp_put_umem(zc->umem, false);
	kfree(zc);
}

static void xsk_dmabuf_zc_put(struct xsk_dmabuf_zc *zc)
{
	if (refcount_dec_and_test(&zc->ref))
		queue_work(system_wq, &zc->free_work);
}

/* --- The memory provider --------------------------------------------------- */

static int xsk_dmabuf_mp_init(struct page_pool *pp)
{
	struct xsk_dmabuf_zc *zc = pp->mp_priv;

	/* The pool hands out buffers of one chunk, for the device the area is
	 * mapped for.
	 */
	if (pp->p.order != zc->area->chunk_shift - PAGE_SHIFT) {
		zc->refusal = XDP_DMABUF_ZC_CHUNK_SIZE;
		return -EINVAL;
	}
	if (pp->p.dev != zc->map->dev) {
		zc->refusal = XDP_DMABUF_ZC_DMA_MAP;
		return -EINVAL;
	}
	/* The exporter keeps the dmabuf coherent; the pool must not sync. */
	pp->dma_sync = false;
	pp->dma_sync_for_cpu = false;
	refcount_inc(&zc->ref);
	return 0;
}
ALLOW_ERROR_INJECTION(xsk_dmabuf_mp_init, ERRNO);

static void xsk_dmabuf_mp_destroy(struct page_pool *pp)
{
	xsk_dmabuf_zc_put(pp->mp_priv);
}

/* Lend the chunk to @pp: it becomes a buffer of the page pool. */
static bool xsk_dmabuf_zc_lend(struct xsk_dmabuf_zc *zc, struct page_pool *pp,
			       struct xsk_dmabuf_chunk *chunk)
{
	struct xsk_dmabuf_area *area = zc->area;
	u32 idx = chunk - area->chunks;

	if (atomic_cmpxchg(&chunk->owner, XSK_DMABUF_USER,
			   XSK_DMABUF_POOL) != XSK_DMABUF_USER)
		return false;
	WRITE_ONCE(chunk->zc, zc);
	if (WARN_ON_ONCE(net_mp_niov_set_dma_addr(&chunk->niov,
						  zc->map->addrs[idx]))) {
		atomic_set_release(&chunk->owner, XSK_DMABUF_USER);
		return false;
	}
	net_mp_niov_set_page_pool(pp, &chunk->niov);
	net_mp_netmem_place_in_cache(pp, net_iov_to_netmem(&chunk->niov));
	return true;
}

/* User space gives back one reference it got with an RX descriptor.
 * Returns the chunk's netmem if that was the last reference and the chunk
 * belongs to another page pool than @pp (put it there, without the rx
 * lock), 0 otherwise.
 */
static netmem_ref xsk_dmabuf_zc_unref(struct page_pool *pp,
				      struct xsk_dmabuf_chunk *chunk,
				      bool *valid)
{
	netmem_ref netmem = net_iov_to_netmem(&chunk->niov);

	*valid = atomic_add_unless(&chunk->uref, -1, 0);
	if (!*valid || page_pool_unref_netmem(netmem, 1))
		return 0;
	/* No reference left: the chunk is free for its pool again. */
	if (netmem_get_pp(netmem) == pp) {
		net_mp_netmem_place_in_cache(pp, netmem);
		return 0;
	}
	return netmem;
}

/**
 * xsk_dmabuf_mp_alloc - alloc_netmems: the page pool needs buffers
 * @pp: a page pool of the queue, its caches empty
 * @gfp: unused; nothing is allocated
 *
 * Takes entries off the dmabuf fill ring until XSK_DMABUF_ZC_BATCH chunks
 * are in the pool's cache: a chunk user space owns is lent to the pool, a
 * chunk user space holds by an RX descriptor gives back that reference
 * (and returns to the pool if it was the last). An entry that yields no
 * buffer for @pp, a reference to a chunk of one of the queue's earlier
 * pools (which a queue restart leaves at the head of the ring) or to a
 * chunk still referenced elsewhere, does not count toward the batch: the
 * pool must not go without a buffer while the ring has one for it. The
 * work per call is bounded all the same: at most the ring's size in
 * entries (each is taken off once, so the work per entry stays constant),
 * and rejected entries count as invalid descriptors, at most
 * xskq_cons_max_invalid() per call. Foreign chunks go back to their pools
 * XSK_DMABUF_ZC_BATCH at a time, without the rx lock.
 *
 * Return: a buffer, or 0 if the fill ring had none (the driver drops the
 * packet; counted as an empty fill ring, and with need_wakeup the ring
 * asks user space for a kick).
 */
static netmem_ref xsk_dmabuf_mp_alloc(struct page_pool *pp, gfp_t gfp)
{
	netmem_ref foreign[XSK_DMABUF_ZC_BATCH], netmem;
	struct xsk_dmabuf_zc *zc = pp->mp_priv;
	struct xsk_dmabuf_area *area = zc->area;
	u32 seen = 0, invalid = 0, start, max, n_foreign, idx;
	struct xsk_dmabuf_chunk *chunk;
	struct xsk_dmabuf_rx *drx;
	bool valid, again;
	u64 off;

	/* Set while the provider is installed, and only then do the queue's
	 * pools allocate (xsk_dmabuf_zc_unbind()).
	 */
	drx = READ_ONCE(zc->drx);
	if (WARN_ON_ONCE(!drx))
		return 0;

	max = drx->fq->nentries;
	start = pp->alloc.count;
	do {
		n_foreign = 0;
		spin_lock_bh(&drx->lock);
		while (pp->alloc.count - start < XSK_DMABUF_ZC_BATCH &&
		       pp->alloc.count < PP_ALLOC_CACHE_SIZE &&
		       n_foreign < XSK_DMABUF_ZC_BATCH && seen < max &&
		       invalid < xskq_cons_max_invalid(drx->fq) &&
		       xskq_cons_peek_addr_unchecked(drx->fq, &off)) {
			xskq_cons_release(drx->fq);
			seen++;
			/* In zero copy an entry names its chunk by any offset
			 * inside it: the address of an RX descriptor is given
			 * back as it is.
			 */
			idx = xsk_dmabuf_chunk_idx(area, off);
			chunk = idx == U32_MAX ? NULL : &area->chunks[idx];
			if (chunk && xsk_dmabuf_zc_lend(zc, pp, chunk))
				continue;
			if (chunk) {
				netmem = xsk_dmabuf_zc_unref(pp, chunk, &valid);
				if (netmem)
					foreign[n_foreign++] = netmem;
				if (valid)
					continue;
			}
			drx->fq->invalid_descs++;
			invalid++;
		}
		/* Only a full hand of foreign chunks stops a pass that could
		 * go on for a buffer.
		 */
		again = !pp->alloc.count && n_foreign == XSK_DMABUF_ZC_BATCH &&
			seen < max;
		if (!again && !pp->alloc.count) {
			drx->fq->queue_empty_descs++;
			if (drx->need_wakeup)
				drx->fq->ring->flags |= XDP_RING_NEED_WAKEUP;
		} else if (!again && drx->need_wakeup) {
			drx->fq->ring->flags &= ~XDP_RING_NEED_WAKEUP;
		}
		__xskq_cons_release(drx->fq);
		spin_unlock_bh(&drx->lock);

		/* Chunks of the queue's earlier pools go back there, where
		 * they may be released, which takes locks this function held.
		 */
		while (n_foreign--) {
			netmem = foreign[n_foreign];
			page_pool_put_unrefed_netmem(netmem_get_pp(netmem),
						     netmem, -1, false);
		}
	} while (again);

	if (!pp->alloc.count)
		return 0;
	return pp->alloc.cache[--pp->alloc.count];
}

/**
 * xsk_dmabuf_mp_release - release_netmem: a page pool lets go of a chunk
 * @pp: the page pool
 * @netmem: the chunk, with no reference left
 *
 * The chunk is user space's again. Unless user space holds it by an RX
 * descriptor (SCRUBBED), it is reported on the dmabuf completion ring of
 * the socket, if the socket is still there.
 *
 * Return: false: a net_iov is never put_page()d.
 */
static bool xsk_dmabuf_mp_release(struct page_pool *pp, netmem_ref netmem)
{
	struct xsk_dmabuf_zc *zc = pp->mp_priv;
	struct xsk_dmabuf_chunk *chunk;
	struct xsk_dmabuf_rx *drx;
	u32 idx;

	if (WARN_ON_ONCE(!netmem_is_net_iov(netmem)))
		return false;
	chunk = container_of(netmem_to_net_iov(netmem), struct xsk_dmabuf_chunk,
			     niov);
	idx = chunk - zc->area->chunks;
	net_mp_niov_clear_page_pool(&chunk->niov);

	spin_lock_bh(&zc->lock);
	drx = zc->drx;
	if (drx && atomic_read(&chunk->owner) == XSK_DMABUF_POOL) {
		spin_lock(&drx->lock);
		if (!xskq_prod_reserve_addr(drx->cq,
					    xsk_dmabuf_chunk_offset(zc->area,
								    idx)))
			xskq_prod_submit(drx->cq);
		spin_unlock(&drx->lock);
	}
	/* After the report: user space may lend it again at once. */
	atomic_set_release(&chunk->owner, XSK_DMABUF_USER);
	spin_unlock_bh(&zc->lock);
	return false;
}

static const struct memory_provider_ops xsk_dmabuf_mp_ops = {
	.init		= xsk_dmabuf_mp_init,
	.destroy	= xsk_dmabuf_mp_destroy,
	.alloc_netmems	= xsk_dmabuf_mp_alloc,
	.release_netmem	= xsk_dmabuf_mp_release,
	.for_xdp	= true,
};

/**
 * xsk_dmabuf_zc_frag_chunk - the chunk of this provider a frag is
 * @zc: the provider of the socket's queue
 * @frag: a frag of a received frame
 *
 * Return: the chunk if @frag is a net_iov of a page pool of @zc, lying
 * within one chunk; NULL for any other memory.
 */
struct xsk_dmabuf_chunk *xsk_dmabuf_zc_frag_chunk(const struct xsk_dmabuf_zc *zc,
						  const skb_frag_t *frag)
{
	netmem_ref netmem = skb_frag_netmem(frag);
	const struct xsk_dmabuf_area *area = zc->area;
	struct xsk_dmabuf_chunk *chunk;
	const struct page_pool *pp;
	struct net_iov *niov;

	if (!netmem_is_net_iov(netmem))
		return NULL;
	niov = netmem_to_net_iov(netmem);
	/* The frame holds a reference: the pool is set and stays. */
	pp = niov->pp;
	if (!pp || pp->mp_ops != &xsk_dmabuf_mp_ops || pp->mp_priv != zc)
		return NULL;
	chunk = container_of(niov, struct xsk_dmabuf_chunk, niov);
	if (chunk < area->chunks || chunk >= area->chunks + area->nr_chunks)
		return NULL;
	if (skb_frag_off(frag) + skb_frag_size(frag) > area->chunk_size)
		return NULL;
	return chunk;
}

/* --- Install and uninstall ------------------------------------------------- */

/* Restart the queue without the provider, unless that cannot or need not
 * be done: the device is down or going (its pools go with it), or another
 * provider is on the queue (its install restarted the queue). Context: RTNL.
 */
static int xsk_dmabuf_zc_restart(struct xsk_dmabuf_zc *zc)
{
	struct net_device *dev = zc->dev;
	int err;

	if (!netif_running(dev) || dev->reg_state != NETREG_REGISTERED ||
	    __netif_get_rx_queue(dev, zc->queue_id)->mp_params.mp_ops)
		return 0;
	err = netdev_rx_queue_restart(dev, zc->queue_id);
	return err == -ENETDOWN ? 0 : err;
}

static void xsk_dmabuf_zc_restart_work(struct work_struct *work)
{
	struct xsk_dmabuf_zc *zc = container_of(to_delayed_work(work),
						struct xsk_dmabuf_zc,
						restart_work);
	int err;

	rtnl_lock();
	err = xsk_dmabuf_zc_restart(zc);
	rtnl_unlock();
	if (err) {
		zc->restart_delay = min(zc->restart_delay * 2,
					XSK_DMABUF_ZC_RETRY_MAX);
		schedule_delayed_work(&zc->restart_work, zc->restart_delay);
		return;
	}
	netdev_put(zc->dev, &zc->dev_tracker);
	xsk_dmabuf_zc_put(zc);
}

static bool xsk_dmabuf_zc_queue_ops(const struct net_device *dev)
{
	const struct netdev_queue_mgmt_ops *qops = dev->queue_mgmt_ops;

	return qops && qops->ndo_queue_mem_alloc && qops->ndo_queue_mem_free &&
	       qops->ndo_queue_start && qops->ndo_queue_stop;
}

/* Header split as ethtool reports it: only a driver that says it is off
 * is refused here; one that does not say is judged by its page pools.
 */
static bool xsk_dmabuf_zc_split_off(struct net_device *dev)
{
	struct kernel_ethtool_ringparam kring = {};
	struct ethtool_ringparam ring = {};

	if (!dev->ethtool_ops || !dev->ethtool_ops->get_ringparam)
		return false;
	dev->ethtool_ops->get_ringparam(dev, &ring, &kring, NULL);
	return kring.tcp_data_split == ETHTOOL_TCP_DATA_SPLIT_DISABLED;
}

static int xsk_dmabuf_zc_refuse(struct xdp_sock *xs, u32 refusal, int err)
{
	xs->dmabuf_zc_refusal = refusal;
	xs->dmabuf_zc_errno = -err;
	return err;
}

/**
 * xsk_dmabuf_zc_bind - install the provider on the socket's queue
 * @xs: the socket, its buffer pool assigned to @dev and @queue_id (copy
 *	mode, as the driver sees it: the XDP path hands frames over)
 * @dev: the device
 * @queue_id: the RX queue
 * @flags: the bind flags (XDP_USE_NEED_WAKEUP)
 *
 * Maps the dmabuf for the device, installs the provider and restarts the
 * queue, whose payload page pool must then take its buffers from it.
 * Records why in xs->dmabuf_zc_refusal when it fails.
 *
 * Context: RTNL and the socket's mutex.
 * Return: 0; -EOPNOTSUPP without queue-management ops, without XDP over
 * provider memory, with header split off or with page pools that take no
 * provider; -EBUSY if the queue has a provider; -ERANGE for a queue the
 * device does not have; -ENETDOWN if the device is down; -EINVAL if the
 * dmabuf completion ring has fewer entries than the area has chunks, or a
 * page pool's buffers are not chunk-sized; the exporter's or DMA API's
 * errno if the device cannot map the dmabuf; the driver's if the restart
 * fails.
 */
int xsk_dmabuf_zc_bind(struct xdp_sock *xs, struct net_device *dev,
		       u32 queue_id, u32 flags)
{
	struct xsk_dmabuf_rx *drx = xs->pool->dmabuf;
	struct xsk_dmabuf_area *area = drx->area;
	struct netdev_rx_queue *rxq;
	struct xsk_dmabuf_map *map;
	struct xsk_dmabuf_zc *zc;
	int err;

	ASSERT_RTNL();

	xsk_dmabuf_zc_refuse(xs, XDP_DMABUF_ZC_OK, 0);
	if (!xsk_dmabuf_zc_queue_ops(dev))
		return xsk_dmabuf_zc_refuse(xs, XDP_DMABUF_ZC_NO_QUEUE_OPS,
					    -EOPNOTSUPP);
	if (!dev->queue_mgmt_ops->xdp_frags_unreadable)
		return xsk_dmabuf_zc_refuse(xs, XDP_DMABUF_ZC_NO_XDP_UNREADABLE,
					    -EOPNOTSUPP);
	if (queue_id >= dev->real_num_rx_queues)
		return xsk_dmabuf_zc_refuse(xs, XDP_DMABUF_ZC_QUEUE_RANGE,
					    -ERANGE);
	if (!netif_running(dev))
		return xsk_dmabuf_zc_refuse(xs, XDP_DMABUF_ZC_DEVICE_DOWN,
					    -ENETDOWN);
	if (xsk_dmabuf_zc_split_off(dev))
		return xsk_dmabuf_zc_refuse(xs, XDP_DMABUF_ZC_NO_HEADER_SPLIT,
					    -EOPNOTSUPP);
	rxq = __netif_get_rx_queue(dev, queue_id);
	if (rxq->mp_params.mp_ops || rxq->mp_params.mp_priv)
		return xsk_dmabuf_zc_refuse(xs, XDP_DMABUF_ZC_QUEUE_BUSY,
					    -EBUSY);
	/* Room to report every chunk when the queue's pools let go of them. */
	if (drx->cq->nentries < area->nr_chunks)
		return xsk_dmabuf_zc_refuse(xs, XDP_DMABUF_ZC_COMPLETION_RING,
					    -EINVAL);

	map = xsk_dmabuf_map_get(area, dev->dev.parent);
	if (IS_ERR(map)) {
		pr_warn_ratelimited("%s: cannot map dmabuf %s (exporter %s) for queue %u: %pe\n",
				    netdev_name(dev), area->dmabuf->name ?: "",
				    area->dmabuf->exp_name, queue_id, map);
		return xsk_dmabuf_zc_refuse(xs, XDP_DMABUF_ZC_DMA_MAP,
					    PTR_ERR(map));
	}

	zc = kzalloc(sizeof(*zc), GFP_KERNEL_ACCOUNT);
	if (!zc) {
		xsk_dmabuf_map_put(map);
		return -ENOMEM;
	}
	refcount_set(&zc->ref, 1);
	zc->area = area;
	zc->umem = xs->pool->umem;
	xdp_get_umem(zc->umem);
	zc->map = map;
	zc->dev = dev;
	zc->queue_id = queue_id;
	spin_lock_init(&zc->lock);
	zc->drx = drx;
	INIT_WORK(&zc->free_work, xsk_dmabuf_zc_free_work);
	INIT_DELAYED_WORK(&zc->restart_work, xsk_dmabuf_zc_restart_work);
	drx->zc = zc;
	drx->need_wakeup = flags & XDP_USE_NEED_WAKEUP;

	rxq->mp_params.mp_priv = zc;
	rxq->mp_params.mp_ops = &xsk_dmabuf_mp_ops;
	err = netdev_rx_queue_restart(dev, queue_id);
	if (err) {
		rxq->mp_params.mp_priv = NULL;
		rxq->mp_params.mp_ops = NULL;
		drx->zc = NULL;
		/* -ENODATA: no page pool of the queue took the provider. */
		if (err == -ENODATA)
			err = xsk_dmabuf_zc_refuse(xs,
						   XDP_DMABUF_ZC_NO_UNREADABLE_POOL,
						   -EOPNOTSUPP);
		else
			xsk_dmabuf_zc_refuse(xs, zc->refusal ?:
					     XDP_DMABUF_ZC_RESTART, err);
		/* The pools that took it are gone with the failed restart. */
		spin_lock_bh(&zc->lock);
		zc->drx = NULL;
		spin_unlock_bh(&zc->lock);
		xsk_dmabuf_zc_put(zc);
		return err;
	}
	zc->installed = true;
	/* Its other sockets follow; published with the socket's bind. */
	WRITE_ONCE(area->zc, true);
	return 0;
}
ALLOW_ERROR_INJECTION(xsk_dmabuf_zc_bind, ERRNO);

/* The provider is off the queue: give back, for user space, the
 * references it holds by RX descriptors of this queue's pools. Their
 * chunks become user space's once their pool lets go of them, without a
 * completion: user space knows them from the RX ring.
 */
static void xsk_dmabuf_zc_scrub(struct xsk_dmabuf_zc *zc)
{
	struct xsk_dmabuf_area *area = zc->area;
	struct xsk_dmabuf_chunk *chunk;
	netmem_ref netmem;
	int n;
	u32 i;

	for (i = 0; i < area->nr_chunks; i++) {
		if (!(i % 1024))
			cond_resched();
		chunk = &area->chunks[i];
		if (!atomic_read(&chunk->uref) || READ_ONCE(chunk->zc) != zc)
			continue;
		n = atomic_xchg(&chunk->uref, 0);
		if (!n)
			continue;
		/* Holding references now, the chunk cannot change hands. */
		if (WARN_ON_ONCE(READ_ONCE(chunk->zc) != zc)) {
			atomic_add(n, &chunk->uref);
			continue;
		}
		atomic_cmpxchg(&chunk->owner, XSK_DMABUF_POOL,
			       XSK_DMABUF_SCRUBBED);
		netmem = net_iov_to_netmem(&chunk->niov);
		if (!page_pool_unref_netmem(netmem, n))
			page_pool_put_unrefed_netmem(netmem_get_pp(netmem),
						     netmem, -1, false);
	}
}

/**
 * xsk_dmabuf_zc_unbind - take the provider off the socket's queue
 * @drx: the dmabuf half of the socket's buffer pool
 *
 * Restarts the queue without the provider, so that no page pool of the
 * queue allocates from it any more and the old pools let go of what they
 * hold (reported on the completion ring), then gives back the references
 * user space holds. Page pools still holding chunks keep the provider
 * instance until their last chunk is back. A restart that fails is retried
 * from a work item until it succeeds (the queue drops what it receives
 * until then, for want of buffers, and counts it).
 *
 * Context: RTNL (xp_clear_dev()).
 */
void xsk_dmabuf_zc_unbind(struct xsk_dmabuf_rx *drx)
{
	struct xsk_dmabuf_zc *zc = drx ? drx->zc : NULL;
	struct netdev_rx_queue *rxq;
	int err;

	if (!zc || !zc->installed)
		return;
	ASSERT_RTNL();

	WRITE_ONCE(zc->installed, false);
	rxq = __netif_get_rx_queue(zc->dev, zc->queue_id);
	if (!WARN_ON_ONCE(rxq->mp_params.mp_priv != zc)) {
		rxq->mp_params.mp_priv = NULL;
		rxq->mp_params.mp_ops = NULL;
		err = xsk_dmabuf_zc_restart(zc);
		if (err) {
			pr_warn_ratelimited("xsk_dmabuf: %s queue %u: restart without the provider failed (%pe), retrying\n",
					    netdev_name(zc->dev), zc->queue_id,
					    ERR_PTR(err));
			refcount_inc(&zc->ref);
			netdev_hold(zc->dev, &zc->dev_tracker, GFP_KERNEL);
			zc->restart_delay = XSK_DMABUF_ZC_RETRY_MIN;
			schedule_delayed_work(&zc->restart_work,
					      zc->restart_delay);
		}
	}
	xsk_dmabuf_zc_scrub(zc);
}

/**
 * xsk_dmabuf_zc_detach - the socket's rings go: the provider forgets them
 * @drx: the dmabuf half of the buffer pool, its provider uninstalled
 *
 * Page pools that still hold chunks release them without a report from
 * now on. Drops the queue's reference to the provider.
 */
void xsk_dmabuf_zc_detach(struct xsk_dmabuf_rx *drx)
{
	struct xsk_dmabuf_zc *zc = drx ? drx->zc : NULL;

	if (!zc)
		return;
	spin_lock_bh(&zc->lock);
	zc->drx = NULL;
	spin_unlock_bh(&zc->lock);
	drx->zc = NULL;
	xsk_dmabuf_zc_put(zc);
}

/**
 * xsk_dmabuf_zc_kick - user space asks the queue to look at its fill ring
 * @drx: the dmabuf half of the socket's buffer pool
 *
 * A queue whose page pool found the dmabuf fill ring empty may have
 * nothing left to receive into, and no interrupt to come: schedule its
 * NAPI, which refills from the ring. Called from poll() and recvmsg() of
 * a bound socket when the ring asks for it (XDP_RING_NEED_WAKEUP).
 */
void xsk_dmabuf_zc_kick(struct xsk_dmabuf_rx *drx)
{
	struct xsk_dmabuf_zc *zc = drx ? drx->zc : NULL;
	struct napi_struct *napi;

	if (!zc || !READ_ONCE(zc->installed) ||
	    !(READ_ONCE(drx->fq->ring->flags) & XDP_RING_NEED_WAKEUP))
		return;
	napi = READ_ONCE(__netif_get_rx_queue(zc->dev, zc->queue_id)->napi);
	if (!napi)
		return;
	local_bh_disable();
	napi_schedule(napi);
	local_bh_enable();
}
