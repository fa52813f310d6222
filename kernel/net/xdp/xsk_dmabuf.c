// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP UMEM with a dmabuf payload area.
 *
 * A UMEM registered with a dmabuf keeps packet headers in its host memory
 * and receives payloads into chunks of the dmabuf. This file reads in the
 * order data flows: the dmabuf is imported and cut into chunks, user space
 * lends chunks to a queue through the dmabuf fill ring, the receive path
 * splits each packet between a host chunk and dmabuf chunks, an XDP
 * program chooses the split point with a kfunc, and teardown gives every
 * chunk back.
 *
 * Device memory is never a struct page here: a chunk is a struct net_iov
 * and is only ever reached through the area it belongs to. In copy mode the
 * CPU writes payloads through the exporter's kernel mapping (dma_buf_vmap).
 */

#define pr_fmt(fmt) "xsk_dmabuf: " fmt

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/error-injection.h>
#include <linux/filter.h>
#include <linux/init.h>
#include <linux/iosys-map.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/static_key.h>
#include <net/netmem.h>
#include <net/xdp.h>
#include <net/xdp_sock.h>
#include <net/xdp_sock_drv.h>
#include <net/xsk_buff_pool.h>

#include "xsk_dmabuf.h"
#include "xsk_dmabuf_priv.h"
#include "xsk_queue.h"

/* On while an area exists. Off, AF_XDP and XDP skip every dmabuf branch:
 * the receive path does not look at pool->dmabuf, and bpf_prog_run_xdp()
 * does not reset the split point.
 */
DEFINE_STATIC_KEY_FALSE(xsk_dmabuf_in_use);
EXPORT_SYMBOL_GPL(xsk_dmabuf_in_use);

#if IS_ENABLED(CONFIG_XDP_SOCKETS_DMABUF_SELFTEST)
/*
 * Test knobs (xsk_dmabuf_selftest.c): the live areas, listed in debugfs,
 * and how long xsk_dmabuf_rx_unbind() waits before it returns the pool's
 * chunks, to hold open the moment between the device going away and the
 * chunks coming back.
 */
static LIST_HEAD(xsk_dmabuf_areas);
static DEFINE_MUTEX(xsk_dmabuf_areas_lock);
static u32 xsk_dmabuf_next_id;
u32 xsk_dmabuf_unbind_delay_ms;

static void xsk_dmabuf_test_add_area(struct xsk_dmabuf_area *area)
{
	mutex_lock(&xsk_dmabuf_areas_lock);
	area->id = ++xsk_dmabuf_next_id;
	list_add_tail(&area->node, &xsk_dmabuf_areas);
	mutex_unlock(&xsk_dmabuf_areas_lock);
}

static void xsk_dmabuf_test_del_area(struct xsk_dmabuf_area *area)
{
	mutex_lock(&xsk_dmabuf_areas_lock);
	list_del(&area->node);
	mutex_unlock(&xsk_dmabuf_areas_lock);
}

static u32 xsk_dmabuf_test_area_id(const struct xsk_dmabuf_area *area)
{
	return area->id;
}

static void xsk_dmabuf_test_unbind_delay(void)
{
	u32 delay_ms = READ_ONCE(xsk_dmabuf_unbind_delay_ms);

	if (delay_ms)
		msleep(delay_ms);
}

/**
 * xsk_dmabuf_show_areas - list the live areas and who owns their chunks
 * @m: where to print
 *
 * One line per area: id, dmabuf size, offset, length, chunk size, number
 * of chunks, the chunks owned by user space, by the kernel and in flight,
 * whether the CPU can write the dmabuf, the chunks held by page pools and
 * scrubbed (zero copy), and whether the area was bound in zero copy.
 */
void xsk_dmabuf_show_areas(struct seq_file *m)
{
	u32 owners[XSK_DMABUF_NR_OWNERS];
	struct xsk_dmabuf_area *area;
	u32 i, o;

	mutex_lock(&xsk_dmabuf_areas_lock);
	list_for_each_entry(area, &xsk_dmabuf_areas, node) {
		memset(owners, 0, sizeof(owners));
		for (i = 0; i < area->nr_chunks; i++) {
			o = atomic_read(&area->chunks[i].owner);
			if (o < XSK_DMABUF_NR_OWNERS)
				owners[o]++;
		}
		seq_printf(m, "area %u size %zu offset %llu len %llu chunk %u chunks %u user %u kernel %u inflight %u cpu %d pool %u scrubbed %u zc %d\n",
			   area->id, area->dmabuf->size, area->offset,
			   area->len, area->chunk_size, area->nr_chunks,
			   owners[XSK_DMABUF_USER], owners[XSK_DMABUF_KERNEL],
			   owners[XSK_DMABUF_INFLIGHT], area->cpu_access,
			   owners[XSK_DMABUF_POOL], owners[XSK_DMABUF_SCRUBBED],
			   area->zc);
	}
	mutex_unlock(&xsk_dmabuf_areas_lock);
}
#else
static void xsk_dmabuf_test_add_area(struct xsk_dmabuf_area *area) {}
static void xsk_dmabuf_test_del_area(struct xsk_dmabuf_area *area) {}
static u32 xsk_dmabuf_test_area_id(const struct xsk_dmabuf_area *area)
{
	return 0;
}

static void xsk_dmabuf_test_unbind_delay(void) {}
#endif /* CONFIG_XDP_SOCKETS_DMABUF_SELFTEST */

/* --- Import: the dmabuf and its chunks ---------------------------------- */

/* Map the dmabuf for the CPU, the way copy mode writes payloads. An
 * exporter without vmap or CPU access, or with a mapping in I/O memory,
 * leaves the area without CPU access; bind in copy mode then refuses it.
 * Running out of memory on the way says nothing about the exporter: it
 * fails the registration (-ENOMEM), which can be retried.
 */
static noinline int xsk_dmabuf_map_cpu(struct xsk_dmabuf_area *area)
{
	int err;

	err = dma_buf_vmap_unlocked(area->dmabuf, &area->map);
	if (err)
		return err == -ENOMEM ? err : 0;
	err = area->map.is_iomem ? -EOPNOTSUPP :
	      dma_buf_begin_cpu_access(area->dmabuf, DMA_BIDIRECTIONAL);
	if (err) {
		dma_buf_vunmap_unlocked(area->dmabuf, &area->map);
		return err == -ENOMEM ? err : 0;
	}
	area->cpu_access = true;
	return 0;
}
ALLOW_ERROR_INJECTION(xsk_dmabuf_map_cpu, ERRNO);

static void xsk_dmabuf_unmap_cpu(struct xsk_dmabuf_area *area)
{
	if (!area->cpu_access)
		return;
	dma_buf_end_cpu_access(area->dmabuf, DMA_BIDIRECTIONAL);
	dma_buf_vunmap_unlocked(area->dmabuf, &area->map);
	area->cpu_access = false;
}

static struct xsk_dmabuf_area *
xsk_dmabuf_area_create(const struct xdp_umem_dmabuf_reg *reg)
{
	struct xsk_dmabuf_area *area;
	struct dma_buf *dmabuf;
	u64 nr_chunks;
	int err;
	u32 i;

	if (reg->flags || reg->reserved)
		return ERR_PTR(-EINVAL);
	if (reg->chunk_size < PAGE_SIZE || !is_power_of_2(reg->chunk_size))
		return ERR_PTR(-EINVAL);
	if (!reg->len || !IS_ALIGNED(reg->len, reg->chunk_size) ||
	    !IS_ALIGNED(reg->offset, reg->chunk_size))
		return ERR_PTR(-EINVAL);

	dmabuf = dma_buf_get(reg->fd);
	if (IS_ERR(dmabuf))
		return ERR_CAST(dmabuf);
	/* Packets are written into it: the exporter must have allowed that
	 * (every fd of a dmabuf shares its one file, and its mode).
	 */
	if (!(dmabuf->file->f_mode & FMODE_WRITE)) {
		err = -EACCES;
		goto err_put;
	}
	if (reg->offset > dmabuf->size || reg->len > dmabuf->size - reg->offset) {
		err = -ERANGE;
		goto err_put;
	}
	nr_chunks = reg->len >> ilog2(reg->chunk_size);
	if (nr_chunks > XSK_DMABUF_MAX_CHUNKS) {
		err = -E2BIG;
		goto err_put;
	}

	area = kzalloc(sizeof(*area), GFP_KERNEL_ACCOUNT);
	if (!area) {
		err = -ENOMEM;
		goto err_put;
	}
	/* Charged to the caller's memory cgroup, and failed (not OOM-killed
	 * for) over its limit.
	 */
	area->chunks = kvcalloc(nr_chunks, sizeof(*area->chunks),
				GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL |
				__GFP_NOWARN);
	if (!area->chunks) {
		err = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < nr_chunks; i++)
		atomic_set(&area->chunks[i].owner, XSK_DMABUF_USER);

	area->dmabuf = dmabuf;
	area->offset = reg->offset;
	area->len = reg->len;
	area->chunk_size = reg->chunk_size;
	area->chunk_shift = ilog2(reg->chunk_size);
	area->nr_chunks = nr_chunks;
	xsk_dmabuf_zc_area_init(area);
	err = xsk_dmabuf_map_cpu(area);
	if (err)
		goto err_chunks;

	xsk_dmabuf_test_add_area(area);
	static_branch_inc(&xsk_dmabuf_in_use);
	return area;

err_chunks:
	kvfree(area->chunks);
err_free:
	kfree(area);
err_put:
	dma_buf_put(dmabuf);
	return ERR_PTR(err);
}

/**
 * xsk_dmabuf_reg - the XDP_UMEM_DMABUF_REG socket option
 * @xs: the socket; its UMEM must be registered, the socket not bound
 * @optval: a struct xdp_umem_dmabuf_reg
 * @optlen: its length
 *
 * A larger @optlen is accepted if the bytes past the struct are zero, as
 * copy_struct_from_user() does, so that the struct can grow.
 *
 * Return: 0, -EINVAL for a malformed request or a socket without UMEM,
 * -E2BIG for non-zero bytes past the struct or an area of more than 2^24
 * chunks, -EBUSY if the UMEM has its area already or the socket is bound,
 * -ERANGE if the area does not fit in the dmabuf, -EBADF for a bad fd,
 * -EACCES for a dmabuf not writable, -ENOMEM without memory for the area
 * or its CPU mapping (or over the memory cgroup's limit).
 */
int xsk_dmabuf_reg(struct xdp_sock *xs, sockptr_t optval, unsigned int optlen)
{
	struct xdp_umem_dmabuf_reg reg;
	struct xsk_dmabuf_area *area;
	int err = 0;

	if (optlen < sizeof(reg))
		return -EINVAL;
	if (optlen > sizeof(reg)) {
		err = check_zeroed_sockptr(optval, sizeof(reg),
					   optlen - sizeof(reg));
		if (err <= 0)
			return err ?: -E2BIG;
		err = 0;
	}
	if (copy_from_sockptr(&reg, optval, sizeof(reg)))
		return -EFAULT;

	mutex_lock(&xs->mutex);
	if (xs->state != XSK_READY) {
		err = -EBUSY;
	} else if (!xs->umem) {
		err = -EINVAL;
	} else if (xs->umem->dmabuf) {
		err = -EBUSY;
	} else {
		area = xsk_dmabuf_area_create(&reg);
		if (IS_ERR(area)) {
			err = PTR_ERR(area);
		} else {
			/* Pairs with the smp_rmb() of bind for shared UMEMs. */
			smp_wmb();
			WRITE_ONCE(xs->umem->dmabuf, area);
		}
	}
	mutex_unlock(&xs->mutex);
	return err;
}

/* --- Chunks: user space lends them through the dmabuf fill ring ----------- */

/* Accept one fill ring entry: an offset in the dmabuf that must name the
 * start of a chunk of the area that user space owns. Return the chunk's
 * index, or U32_MAX to reject the entry.
 */
static u32 xsk_dmabuf_accept(struct xsk_dmabuf_area *area, u64 off)
{
	u32 idx = xsk_dmabuf_chunk_idx(area, off);

	if (idx == U32_MAX || !IS_ALIGNED(off - area->offset, area->chunk_size))
		return U32_MAX;
	if (atomic_cmpxchg(&area->chunks[idx].owner, XSK_DMABUF_USER,
			   XSK_DMABUF_KERNEL) != XSK_DMABUF_USER)
		return U32_MAX;
	return idx;
}

/* Make sure the cache holds @need chunks, taking entries from the fill
 * ring. Rejecting entries is work user space can ask for without limit, so
 * at most xskq_cons_max_invalid() are rejected per call; past that, the
 * packet is dropped as if the ring were empty, and the next call goes on
 * from there. Called with drx->lock held.
 */
static bool xsk_dmabuf_fill_cache(struct xsk_dmabuf_rx *drx, u32 need)
{
	u32 invalid = 0;
	u64 off;
	u32 idx;

	while (drx->cache_cnt < need) {
		if (invalid == xskq_cons_max_invalid(drx->fq) ||
		    !xskq_cons_peek_addr_unchecked(drx->fq, &off)) {
			drx->fq->queue_empty_descs++;
			return false;
		}
		xskq_cons_release(drx->fq);
		idx = xsk_dmabuf_accept(drx->area, off);
		if (idx == U32_MAX) {
			drx->fq->invalid_descs++;
			invalid++;
			continue;
		}
		drx->cache[drx->cache_cnt++] = idx;
	}
	return true;
}

/* Give the cached chunks back to user space: on the completion ring if
 * the pool still has one (its room for a full cache was checked at bind,
 * and the cache is reported once), else silently, since no socket is left
 * to read it. Called with drx->lock held.
 */
static void xsk_dmabuf_return_cache(struct xsk_dmabuf_rx *drx)
{
	struct xsk_dmabuf_area *area = drx->area;
	u32 idx;

	while (drx->cache_cnt) {
		idx = drx->cache[--drx->cache_cnt];
		if (drx->cq)
			xskq_prod_reserve_addr(drx->cq,
					       xsk_dmabuf_chunk_offset(area, idx));
		atomic_set_release(&area->chunks[idx].owner, XSK_DMABUF_USER);
	}
	if (drx->cq)
		xskq_prod_submit(drx->cq);
}

/* The RX descriptors of the pending chunks are about to be published, or
 * the pool's sockets are going away: the chunks are user space's. Called
 * with drx->lock held.
 */
static void xsk_dmabuf_publish(struct xsk_dmabuf_rx *drx)
{
	struct xsk_dmabuf_chunk *chunk;

	while (drx->pending != XSK_DMABUF_NONE) {
		chunk = &drx->area->chunks[drx->pending];
		drx->pending = chunk->next;
		/* The payload is written before user space can own the chunk;
		 * pairs with the cmpxchg in xsk_dmabuf_accept().
		 */
		atomic_set_release(&chunk->owner, XSK_DMABUF_USER);
	}
}

/* --- Rings: the buffer pool's half, from bind to release ------------------- */

/**
 * xsk_dmabuf_bind_check - may this socket bind with this UMEM?
 * @xs: the socket being bound, with its own dmabuf rings if any
 * @umem: the UMEM it binds with (its own, or a shared one)
 * @flags: bind flags, or NULL for a socket that shares a UMEM and takes
 *	its flags from it; XDP_ZEROCOPY becomes XDP_COPY, since the driver
 *	hands frames to the socket through XDP either way
 * @zc: set to whether the socket receives payloads in zero copy: as asked
 *	with XDP_ZEROCOPY, or as the UMEM's first socket was bound
 *
 * Zero copy is installed after the buffer pool is assigned to the device
 * (xsk_dmabuf_zc_bind()); copy mode needs a CPU mapping of the dmabuf,
 * zero copy does not.
 *
 * Return: 0, -EINVAL for dmabuf rings without a dmabuf area or the other
 * way round, a dmabuf completion ring of fewer than
 * XDP_UMEM_DMABUF_COMPLETION_MIN entries, or a dmabuf UMEM bound without
 * XDP_USE_SG; -EOPNOTSUPP for copy mode with a dmabuf without CPU access.
 */
int xsk_dmabuf_bind_check(struct xdp_sock *xs, struct xdp_umem *umem,
			  u32 *flags, bool *zc)
{
	struct xsk_dmabuf_area *area = READ_ONCE(umem->dmabuf);
	bool rings = xs->dfq_tmp && xs->dcq_tmp;

	BUILD_BUG_ON(XSK_DMABUF_CACHE > XDP_UMEM_DMABUF_COMPLETION_MIN);

	*zc = false;
	if (!area)
		return xs->dfq_tmp || xs->dcq_tmp ? -EINVAL : 0;
	if (!rings)
		return -EINVAL;
	/* Room to report every chunk a pool can hold (xsk_dmabuf_rx_unbind). */
	if (xs->dcq_tmp->nentries < XDP_UMEM_DMABUF_COMPLETION_MIN)
		return -EINVAL;
	if (flags) {
		if (!(*flags & XDP_USE_SG))
			return -EINVAL;
		*zc = *flags & XDP_ZEROCOPY;
		*flags = (*flags & ~XDP_ZEROCOPY) | XDP_COPY;
	} else {
		*zc = READ_ONCE(area->zc);
	}
	if (*zc)
		return 0;
	if (!area->cpu_access) {
		pr_warn_ratelimited("dmabuf %s (exporter %s) has no CPU mapping; copy mode needs one\n",
				    area->dmabuf->name ?: "", area->dmabuf->exp_name);
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * xsk_dmabuf_rx_create - the dmabuf half of a new buffer pool
 * @area: the area of the pool's UMEM
 * @fq: the dmabuf fill ring, owned by the pool from a successful bind on
 * @cq: the dmabuf completion ring, likewise
 *
 * Return: the new object, or NULL without memory.
 */
struct xsk_dmabuf_rx *xsk_dmabuf_rx_create(struct xsk_dmabuf_area *area,
					   struct xsk_queue *fq,
					   struct xsk_queue *cq)
{
	struct xsk_dmabuf_rx *drx;

	drx = kzalloc(sizeof(*drx), GFP_KERNEL_ACCOUNT);
	if (!drx)
		return NULL;
	drx->area = area;
	drx->fq = fq;
	drx->cq = cq;
	drx->pending = XSK_DMABUF_NONE;
	spin_lock_init(&drx->lock);
	return drx;
}

/**
 * xsk_dmabuf_rx_ring - the dmabuf fill or completion ring of a pool
 * @drx: the pool's dmabuf half, or NULL
 * @fill: true for the fill ring
 *
 * Return: the ring, or NULL.
 */
struct xsk_queue *xsk_dmabuf_rx_ring(struct xsk_dmabuf_rx *drx, bool fill)
{
	if (!drx)
		return NULL;
	return fill ? drx->fq : drx->cq;
}

/**
 * xsk_dmabuf_rx_unbind - the pool's device goes away
 * @drx: the pool's dmabuf half, or NULL
 *
 * Returns the chunks the pool holds on the dmabuf completion ring, while
 * the sockets that may read it are alive, and publishes how far the fill
 * ring was read (a dropped packet may have read it without a flush), so
 * that user space can account for every chunk it lent. In zero copy, takes
 * the provider off the queue first: the queue's page pools report their
 * chunks as they let go of them. Called from xp_clear_dev(), under RTNL.
 */
void xsk_dmabuf_rx_unbind(struct xsk_dmabuf_rx *drx)
{
	if (!drx)
		return;
	/* Outside drx->lock: the queue's old pools release into the rings. */
	xsk_dmabuf_zc_unbind(drx);
	xsk_dmabuf_test_unbind_delay();
	spin_lock_bh(&drx->lock);
	xsk_dmabuf_publish(drx);
	xsk_dmabuf_return_cache(drx);
	__xskq_cons_release(drx->fq);
	spin_unlock_bh(&drx->lock);
}

/**
 * xsk_dmabuf_rx_destroy_rings - the pool is released: free its rings
 * @drx: the pool's dmabuf half, or NULL
 */
void xsk_dmabuf_rx_destroy_rings(struct xsk_dmabuf_rx *drx)
{
	if (!drx)
		return;
	/* Page pools still draining must not report into freed rings. */
	xsk_dmabuf_zc_detach(drx);
	xskq_destroy(drx->fq);
	drx->fq = NULL;
	xskq_destroy(drx->cq);
	drx->cq = NULL;
}

/**
 * xsk_dmabuf_rx_free - free the dmabuf half of a pool
 * @drx: the pool's dmabuf half, or NULL
 *
 * Chunks still cached go back to user space without a word: nobody is
 * left to read a completion ring. Called before the pool drops its UMEM
 * reference, which keeps the area alive until then.
 */
void xsk_dmabuf_rx_free(struct xsk_dmabuf_rx *drx)
{
	if (!drx)
		return;
	xsk_dmabuf_zc_detach(drx);
	drx->cq = NULL;
	xsk_dmabuf_publish(drx);
	xsk_dmabuf_return_cache(drx);
	kfree(drx);
}

/* --- Receive: headers to the host UMEM, payload to the dmabuf ------------- */

/* A cursor over the bytes of an xdp_buff: its linear part, then its
 * fragments.
 */
struct xsk_dmabuf_cursor {
	const void *from;
	u32 from_len;
	const skb_frag_t *frag;
	const skb_frag_t *frag_end;
};

static bool xsk_dmabuf_cursor_init(struct xsk_dmabuf_cursor *cur,
				   struct xdp_buff *xdp, u32 meta_len)
{
	struct skb_shared_info *sinfo;

	cur->from = xdp->data - meta_len;
	cur->from_len = xdp->data_end - cur->from;
	cur->frag = NULL;
	cur->frag_end = NULL;
	if (!xdp_buff_has_frags(xdp))
		return true;

	sinfo = xdp_get_shared_info_from_buff(xdp);
	cur->frag = sinfo->frags;
	cur->frag_end = sinfo->frags + sinfo->nr_frags;
	/* Copy mode reads payloads with the CPU: a fragment in device memory
	 * (a net_iov) has no address to read from.
	 */
	for (; cur->frag < cur->frag_end; cur->frag++)
		if (skb_frag_is_net_iov(cur->frag))
			return false;
	cur->frag = sinfo->frags;
	return true;
}

/* Copy the next @len bytes of the packet to @to. */
static void xsk_dmabuf_copy(struct xsk_dmabuf_cursor *cur, void *to, u32 len)
{
	u32 n;

	while (len) {
		if (!cur->from_len) {
			if (WARN_ON_ONCE(cur->frag == cur->frag_end))
				return;
			cur->from = skb_frag_address(cur->frag);
			cur->from_len = skb_frag_size(cur->frag);
			cur->frag++;
			continue;
		}
		n = min(len, cur->from_len);
		memcpy(to, cur->from, n);
		to += n;
		cur->from += n;
		cur->from_len -= n;
		len -= n;
	}
}

/* The split point the XDP program set for this packet, or 0: it is reset
 * before every program run (bpf_prog_run_xdp()), and reading it forgets it.
 */
static u32 xsk_dmabuf_take_split(void)
{
	struct bpf_redirect_info *ri = bpf_net_ctx_get_ri();
	u32 split = ri->xsk_split;

	ri->xsk_split = 0;
	return split;
}

/* Take @n host chunks for the headers, all or none. In aligned mode a
 * frame posted twice on the fill ring comes back as the same xskb, which is
 * then on @heads already: the packet is dropped, as __xsk_rcv() does.
 */
static bool xsk_dmabuf_alloc_heads(struct xsk_buff_pool *pool, u32 n,
				   struct list_head *heads)
{
	struct xdp_buff_xsk *xskb, *tmp;
	struct xdp_buff *buf;

	while (n--) {
		buf = xsk_buff_alloc(pool);
		if (!buf)
			goto err;
		xskb = container_of(buf, struct xdp_buff_xsk, xdp);
		if (unlikely(!list_empty(&xskb->list_node)))
			goto err;
		list_add_tail(&xskb->list_node, heads);
	}
	return true;
err:
	list_for_each_entry_safe(xskb, tmp, heads, list_node) {
		list_del_init(&xskb->list_node);
		xsk_buff_free(&xskb->xdp);
	}
	return false;
}

/* Copy the first @hdr_len bytes of the packet, and its metadata in front
 * of them, into the host chunks taken for it; one descriptor per chunk.
 */
static void xsk_dmabuf_rcv_head(struct xdp_sock *xs,
				struct xsk_dmabuf_cursor *cur,
				struct list_head *heads, u32 hdr_len,
				u32 meta_len)
{
	u32 frame_size = __xsk_pool_get_rx_frame_size(xs->pool);
	struct xdp_buff_xsk *xskb, *tmp;
	u32 n;

	list_for_each_entry_safe(xskb, tmp, heads, list_node) {
		list_del_init(&xskb->list_node);
		n = min(hdr_len, frame_size);
		xsk_dmabuf_copy(cur, xskb->xdp.data - meta_len, meta_len + n);
		__xskq_prod_reserve_desc(xs->rx, xp_get_handle(xskb, xs->pool),
					 n, XDP_PKT_CONTD);
		xp_release(xskb);
		hdr_len -= n;
		meta_len = 0;
	}
}

/* Copy the rest of the packet into dmabuf chunks from the cache. */
static void xsk_dmabuf_rcv_payload(struct xdp_sock *xs,
				   struct xsk_dmabuf_cursor *cur, u32 pay_len)
{
	struct xsk_dmabuf_rx *drx = xs->pool->dmabuf;
	struct xsk_dmabuf_area *area = drx->area;
	struct xsk_dmabuf_chunk *chunk;
	u32 idx, n, opts;
	u64 off;

	while (pay_len) {
		idx = drx->cache[--drx->cache_cnt];
		chunk = &area->chunks[idx];
		off = xsk_dmabuf_chunk_offset(area, idx);
		n = min(pay_len, area->chunk_size);
		xsk_dmabuf_copy(cur, area->map.vaddr + off, n);
		pay_len -= n;
		opts = XDP_DESC_DMABUF | (pay_len ? XDP_PKT_CONTD : 0);
		__xskq_prod_reserve_desc(xs->rx, off, n, opts);
		/* User space's when the descriptor is published. */
		atomic_set(&chunk->owner, XSK_DMABUF_INFLIGHT);
		chunk->next = drx->pending;
		drx->pending = idx;
	}
}

/* Zero copy: the device split the packet, its frags are chunks of the
 * area that the queue's page pool took from the provider. Headers (the
 * linear part) are copied to host chunks, the frags are posted in place,
 * and each frag's page pool reference goes to user space with its RX
 * descriptor. Frags in host memory (header split off for this packet)
 * make the packet go whole to the host UMEM; frags in any other device
 * memory drop it.
 */
static int xsk_dmabuf_rcv_zc(struct xdp_sock *xs, struct xdp_buff *xdp,
			     u32 split)
{
	u32 frame_size = __xsk_pool_get_rx_frame_size(xs->pool);
	struct xsk_dmabuf_chunk *chunks[MAX_SKB_FRAGS];
	struct xsk_dmabuf_rx *drx = xs->pool->dmabuf;
	struct xsk_dmabuf_area *area = drx->area;
	u32 hdr_len, n_hdr, n_pay, meta_len = 0;
	struct skb_shared_info *sinfo;
	struct xsk_dmabuf_cursor cur;
	const skb_frag_t *frag;
	LIST_HEAD(heads);
	u32 i, opts;
	u64 off;

	if (!xdp_buff_has_frags(xdp)) {
		xs->dmabuf_whole++;
		return 1;
	}
	sinfo = xdp_get_shared_info_from_buff(xdp);
	n_pay = sinfo->nr_frags;
	for (i = 0; i < n_pay; i++) {
		chunks[i] = xsk_dmabuf_zc_frag_chunk(drx->zc, &sinfo->frags[i]);
		if (!chunks[i])
			break;
	}
	if (i < n_pay) {
		if (!xdp_buff_frags_unreadable(xdp)) {
			xs->dmabuf_whole++;
			return 1;
		}
		xs->rx_dropped++;
		return -EFAULT;
	}

	hdr_len = xdp->data_end - xdp->data;
	if (split && split != hdr_len)
		xs->dmabuf_split_mismatch++;
	if (!xdp_data_meta_unsupported(xdp))
		meta_len = xdp->data - xdp->data_meta;
	n_hdr = DIV_ROUND_UP(hdr_len, frame_size);
	if (xskq_prod_nb_free(xs->rx, n_hdr + n_pay) < n_hdr + n_pay) {
		xs->rx_queue_full++;
		return -ENOBUFS;
	}
	if (!xsk_dmabuf_alloc_heads(xs->pool, n_hdr, &heads)) {
		xs->rx_dropped++;
		return -ENOMEM;
	}

	cur.from = xdp->data - meta_len;
	cur.from_len = hdr_len + meta_len;
	cur.frag = NULL;
	cur.frag_end = NULL;
	xsk_dmabuf_rcv_head(xs, &cur, &heads, hdr_len, meta_len);
	for (i = 0; i < n_pay; i++) {
		frag = &sinfo->frags[i];
		off = xsk_dmabuf_chunk_offset(area, chunks[i] - area->chunks) +
		      skb_frag_off(frag);
		opts = XDP_DESC_DMABUF | (i + 1 < n_pay ? XDP_PKT_CONTD : 0);
		__xskq_prod_reserve_desc(xs->rx, off, skb_frag_size(frag), opts);
		atomic_inc(&chunks[i]->uref);
	}
	/* The frags' references are user space's now: the caller gives back
	 * only the head.
	 */
	sinfo->nr_frags = 0;
	xdp_buff_clear_frags_flag(xdp);
	xdp->flags &= ~XDP_FLAGS_FRAGS_UNREADABLE;

	xs->dmabuf_split++;
	xs->dmabuf_zc_packets++;
	xs->dmabuf_zc_frags += n_pay;
	return 0;
}

/**
 * xsk_dmabuf_rcv - receive a packet on a socket with a dmabuf UMEM
 * @xs: the socket, bound in copy mode
 * @xdp: the packet
 * @len: its length
 *
 * With a split point from the XDP program, the headers go to host chunks
 * and the rest to dmabuf chunks, as one descriptor chain posted whole or
 * not at all. Without one, the packet goes whole to the host UMEM by the
 * ordinary copy path. In zero copy, the device's split point holds, and
 * the payload stays where the device wrote it.
 *
 * Return: 0 if the packet was received split, 1 if the caller should
 * receive it whole, or a negative errno if it was dropped.
 */
int xsk_dmabuf_rcv(struct xdp_sock *xs, struct xdp_buff *xdp, u32 len)
{
	u32 frame_size = __xsk_pool_get_rx_frame_size(xs->pool);
	struct xsk_dmabuf_rx *drx = xs->pool->dmabuf;
	struct xsk_dmabuf_area *area = drx->area;
	u32 split = xsk_dmabuf_take_split();
	u32 hdr_len, pay_len, n_hdr, n_pay;
	struct xsk_dmabuf_cursor cur;
	LIST_HEAD(heads);
	u32 meta_len = 0;
	int err = 0;

	if (drx->zc)
		return xsk_dmabuf_rcv_zc(xs, xdp, split);
	if (!split || split >= len) {
		xs->dmabuf_whole++;
		return 1;
	}
	hdr_len = split;
	pay_len = len - hdr_len;
	n_hdr = DIV_ROUND_UP(hdr_len, frame_size);
	n_pay = DIV_ROUND_UP(pay_len, area->chunk_size);

	if (!xdp_data_meta_unsupported(xdp))
		meta_len = xdp->data - xdp->data_meta;
	if (n_pay > XSK_DMABUF_CACHE ||
	    !xsk_dmabuf_cursor_init(&cur, xdp, meta_len)) {
		xs->rx_dropped++;
		return -EMSGSIZE;
	}
	if (xskq_prod_nb_free(xs->rx, n_hdr + n_pay) < n_hdr + n_pay) {
		xs->rx_queue_full++;
		return -ENOBUFS;
	}

	spin_lock(&drx->lock);
	if (!xsk_dmabuf_fill_cache(drx, n_pay) ||
	    !xsk_dmabuf_alloc_heads(xs->pool, n_hdr, &heads)) {
		xs->rx_dropped++;
		err = -ENOMEM;
		goto out;
	}
	xsk_dmabuf_rcv_head(xs, &cur, &heads, hdr_len, meta_len);
	xsk_dmabuf_rcv_payload(xs, &cur, pay_len);
	xs->dmabuf_split++;
	xs->dmabuf_copied += pay_len;
out:
	spin_unlock(&drx->lock);
	return err;
}

/**
 * xsk_dmabuf_flush - a socket of the pool publishes its RX ring
 * @drx: the pool's dmabuf half
 *
 * Called from xsk_flush() before the RX ring's producer is published: the
 * chunks filled since the last flush become user space's, and user space
 * learns how far the dmabuf fill ring was read.
 */
void xsk_dmabuf_flush(struct xsk_dmabuf_rx *drx)
{
	spin_lock(&drx->lock);
	xsk_dmabuf_publish(drx);
	__xskq_cons_release(drx->fq);
	spin_unlock(&drx->lock);
}

/* --- The split point: a kfunc for XDP programs ----------------------------- */

__bpf_kfunc_start_defs();

/**
 * bpf_xsk_dmabuf_set_split - where this packet's headers end
 * @ctx: the XDP context
 * @hdr_len: bytes from the start of the packet that go to the host UMEM;
 *	the rest goes to the dmabuf if the packet is redirected to a socket
 *	with a dmabuf UMEM
 *
 * The split point lives in the redirect state, next to the target of
 * bpf_redirect_map(): it applies if this run of the program redirects the
 * packet to an XSKMAP, and is reset before the next run, whatever the
 * verdict and wherever the packet went. Sockets without a dmabuf UMEM
 * ignore it.
 *
 * Return: 0, or -EINVAL if @hdr_len is 0 or longer than the packet.
 */
__bpf_kfunc int bpf_xsk_dmabuf_set_split(struct xdp_md *ctx, u32 hdr_len)
{
	struct xdp_buff *xdp = (struct xdp_buff *)ctx;

	if (!hdr_len || hdr_len > xdp_get_buff_len(xdp))
		return -EINVAL;
	if (static_branch_unlikely(&xsk_dmabuf_in_use))
		bpf_net_ctx_get_ri()->xsk_split = hdr_len;
	return 0;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(xsk_dmabuf_kfunc_ids)
BTF_ID_FLAGS(func, bpf_xsk_dmabuf_set_split)
BTF_KFUNCS_END(xsk_dmabuf_kfunc_ids)

static const struct btf_kfunc_id_set xsk_dmabuf_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &xsk_dmabuf_kfunc_ids,
};

/* --- Statistics ------------------------------------------------------------ */

/* Copy at most @len bytes of a getsockopt answer of @size bytes, and the
 * length written: a caller built against a shorter struct gets its prefix.
 */
static int xsk_dmabuf_put_opt(char __user *optval, int __user *optlen, int len,
			      const void *val, int size)
{
	len = min(len, size);
	if (copy_to_user(optval, val, len))
		return -EFAULT;
	if (put_user(len, optlen))
		return -EFAULT;
	return 0;
}

/**
 * xsk_dmabuf_getsockopt_stats - the XDP_DMABUF_STATISTICS socket option
 * @xs: the socket
 * @optval: where to write a struct xdp_dmabuf_statistics
 * @optlen: in: the room at @optval (already read into @len); out: the
 *	bytes written
 * @len: the room at @optval
 *
 * Return: 0, -EINVAL if the socket's UMEM has no dmabuf area, -EFAULT.
 */
int xsk_dmabuf_getsockopt_stats(struct xdp_sock *xs, char __user *optval,
				int __user *optlen, int len)
{
	struct xdp_dmabuf_statistics stats = {};
	struct xsk_dmabuf_rx *drx;
	int err = 0;

	mutex_lock(&xs->mutex);
	if (!xs->umem || !READ_ONCE(xs->umem->dmabuf)) {
		err = -EINVAL;
		goto out;
	}
	drx = xs->pool ? xs->pool->dmabuf : NULL;
	if (drx) {
		stats.fill_invalid_descs = xskq_nb_invalid_descs(drx->fq);
		stats.fill_empty_descs = xskq_nb_queue_empty_descs(drx->fq);
	}
	stats.cpu_copied_bytes = xs->dmabuf_copied;
	stats.split_packets = xs->dmabuf_split;
	stats.whole_packets = xs->dmabuf_whole;
	stats.zc_packets = xs->dmabuf_zc_packets;
	stats.zc_frags = xs->dmabuf_zc_frags;
	stats.split_mismatch = xs->dmabuf_split_mismatch;
out:
	mutex_unlock(&xs->mutex);
	if (err)
		return err;

	return xsk_dmabuf_put_opt(optval, optlen, len, &stats, sizeof(stats));
}

/**
 * xsk_dmabuf_getsockopt_info - the XDP_DMABUF_INFO socket option
 * @xs: the socket
 * @optval: where to write a struct xdp_dmabuf_info
 * @optlen: in: the room at @optval (already read into @len); out: the
 *	bytes written
 * @len: the room at @optval
 *
 * Return: 0, -EINVAL if the socket's UMEM has no dmabuf area, -EFAULT.
 */
int xsk_dmabuf_getsockopt_info(struct xdp_sock *xs, char __user *optval,
			       int __user *optlen, int len)
{
	struct xdp_dmabuf_info info = {};
	int err = 0;

	mutex_lock(&xs->mutex);
	if (!xs->umem || !READ_ONCE(xs->umem->dmabuf)) {
		err = -EINVAL;
		goto out;
	}
	if (xs->state == XSK_BOUND && xs->pool && xs->pool->dmabuf)
		info.mode = xs->pool->dmabuf->zc ? XDP_DMABUF_MODE_ZEROCOPY :
						   XDP_DMABUF_MODE_COPY;
	info.zc_refusal = xs->dmabuf_zc_refusal;
	info.zc_errno = xs->dmabuf_zc_errno;
out:
	mutex_unlock(&xs->mutex);
	if (err)
		return err;

	return xsk_dmabuf_put_opt(optval, optlen, len, &info, sizeof(info));
}

/* --- Teardown --------------------------------------------------------------- */

/**
 * xsk_dmabuf_area_destroy - the UMEM is gone: drop the dmabuf
 * @area: the area, or NULL
 *
 * Every buffer pool of the UMEM is gone, so every chunk must be back with
 * user space; a chunk that is not is a bug, and warned about.
 */
void xsk_dmabuf_area_destroy(struct xsk_dmabuf_area *area)
{
	u32 i, lost = 0;

	if (!area)
		return;

	static_branch_dec(&xsk_dmabuf_in_use);
	xsk_dmabuf_test_del_area(area);

	for (i = 0; i < area->nr_chunks; i++)
		if (atomic_read(&area->chunks[i].owner) != XSK_DMABUF_USER)
			lost++;
	WARN(lost, "xsk_dmabuf: area %u freed with %u chunk(s) not returned\n",
	     xsk_dmabuf_test_area_id(area), lost);

	/* Each device mapping is dropped by the last provider instance using
	 * it, which holds a UMEM reference until then.
	 */
	WARN_ON(!list_empty(&area->maps));
	mutex_destroy(&area->maps_lock);
	xsk_dmabuf_unmap_cpu(area);
	dma_buf_put(area->dmabuf);
	kvfree(area->chunks);
	kfree(area);
}

static int __init xsk_dmabuf_init(void)
{
	int err;

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP,
					&xsk_dmabuf_kfunc_set);
	if (err)
		return err;
	pr_info("AF_XDP dmabuf UMEM support enabled\n");
	return 0;
}
late_initcall(xsk_dmabuf_init);
