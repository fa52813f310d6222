/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_XDP dmabuf UMEM: the state shared by the area and its rings
 * (xsk_dmabuf.c) and by the page pool memory provider of zero copy
 * (xsk_dmabuf_zc.c). Nothing outside net/xdp/xsk_dmabuf*.c includes it.
 */

#ifndef XSK_DMABUF_PRIV_H_
#define XSK_DMABUF_PRIV_H_

#include <linux/dma-buf.h>
#include <linux/iosys-map.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/skbuff.h>
#include <net/netmem.h>

struct net_device;
struct xdp_sock;
struct xsk_dmabuf_zc;
struct xsk_queue;

/* Most payload chunks one packet may take; a 64 KiB packet in PAGE_SIZE
 * chunks needs 17. A packet needing more is dropped.
 */
#define XSK_DMABUF_CACHE	32

/* At most this many chunks per area (64 GiB of 4 KiB chunks). */
#define XSK_DMABUF_MAX_CHUNKS	BIT(24)

/**
 * enum xsk_dmabuf_owner - who owns a payload chunk
 * @XSK_DMABUF_USER: user space. It may post the chunk on a dmabuf fill
 *	ring. Every chunk starts here and ends here.
 * @XSK_DMABUF_KERNEL: accepted from a dmabuf fill ring, waiting in the
 *	cache of one buffer pool (struct xsk_dmabuf_rx).
 * @XSK_DMABUF_INFLIGHT: filled, and named by an RX descriptor that user
 *	space cannot see yet: the RX ring's producer is published at the
 *	end of the NAPI poll (xsk_flush()). On the pool's pending list.
 * @XSK_DMABUF_POOL: zero copy: a page pool of one queue holds it, as a
 *	net_iov (struct xsk_dmabuf_zc). Wherever it is (the driver's ring,
 *	the pool's caches, a frame), it has page pool references; each RX
 *	descriptor naming it that user space has not given back holds one
 *	of them (@uref of struct xsk_dmabuf_chunk).
 * @XSK_DMABUF_SCRUBBED: zero copy: the queue's provider was removed while
 *	user space held the chunk by an RX descriptor; the kernel dropped
 *	those references, and the chunk is user space's again as soon as its
 *	page pool lets go of it.
 * @XSK_DMABUF_NR_OWNERS: the number of owners.
 *
 * The transitions, and what causes them::
 *
 *   USER     -> KERNEL    fill ring entry accepted       (fill_cache)
 *   KERNEL   -> INFLIGHT  payload written, RX descriptor (rcv_payload)
 *                         reserved
 *   INFLIGHT -> USER      just before the RX ring is     (publish, from
 *                         published                       xsk_flush)
 *   KERNEL   -> USER      returned on the dmabuf         (rx_unbind,
 *                         completion ring, or with the    rx_free)
 *                         pool's sockets gone
 *
 * and in zero copy::
 *
 *   USER     -> POOL      fill ring entry accepted by    (zc_alloc)
 *                         the queue's page pool
 *   POOL     -> USER      the page pool lets go of it;   (zc_release)
 *                         returned on the dmabuf
 *                         completion ring
 *   POOL     -> SCRUBBED  provider removed while user    (zc_scrub)
 *                         space held RX descriptors
 *   SCRUBBED -> USER      the page pool lets go of it;   (zc_release)
 *                         not on the completion ring
 *
 * A zero-copy chunk stays POOL while it goes around: device, RX
 * descriptor (@uref + 1, with the frame's page pool reference), back on
 * the dmabuf fill ring (@uref - 1, and that reference is dropped), back
 * to the device once no reference is left. Only the page pool's release
 * ends it, and only then is it reported on the completion ring.
 *
 * USER -> KERNEL is the one transition user space can cause, and the one
 * that can race, when the same chunk is posted on the fill rings of two
 * queues: it is a cmpxchg, and the loser's entry is rejected. The others
 * happen under the lock of the pool that holds the chunk, which is also
 * what keeps two packets from taking one chunk. INFLIGHT is what makes a
 * chunk posted twice in a row unusable twice in one NAPI poll: without
 * it, the second entry would be accepted as soon as the first packet's
 * descriptor is written, and the chunk filled again before user space
 * could read the first packet. From the moment its descriptor can be
 * seen, the chunk is user space's: it may post it again before it reads
 * the descriptor, and what it does with its own chunks is its business.
 */
enum xsk_dmabuf_owner {
	XSK_DMABUF_USER,
	XSK_DMABUF_KERNEL,
	XSK_DMABUF_INFLIGHT,
	XSK_DMABUF_POOL,
	XSK_DMABUF_SCRUBBED,
	XSK_DMABUF_NR_OWNERS,
};

/* No chunk: the end of a pending list. */
#define XSK_DMABUF_NONE		U32_MAX

/**
 * struct xsk_dmabuf_chunk - one chunk of the payload area
 * @niov: the chunk as the network stack knows device memory
 * @owner: an enum xsk_dmabuf_owner
 * @next: the next chunk on the pending list of the pool that holds this
 *	one INFLIGHT, or XSK_DMABUF_NONE; under that pool's lock
 * @uref: zero copy: RX descriptors naming the chunk that user space has
 *	not given back yet, each holding a page pool reference
 * @zc: zero copy: the provider whose page pool holds the chunk; set when
 *	it becomes POOL, meaningful while it is POOL or SCRUBBED
 *
 * The net_iov's page pool fields (pp, pp_ref_count, dma_addr) are the page
 * pool's while the chunk is POOL or SCRUBBED; its owner field stays NULL
 * (that is devmem's chunk owner, and these chunks are not devmem's).
 */
struct xsk_dmabuf_chunk {
	struct net_iov niov;
	atomic_t owner;
	u32 next;
	atomic_t uref;
	struct xsk_dmabuf_zc *zc;
};

/**
 * struct xsk_dmabuf_area - the dmabuf payload area of a UMEM
 * @dmabuf: the dmabuf; the area holds a reference from registration on
 * @map: kernel mapping of the whole dmabuf, valid if @cpu_access
 * @cpu_access: the exporter gave a CPU mapping in system memory
 * @offset: start of the area in the dmabuf
 * @len: length of the area
 * @chunk_size: size of a chunk, a power of two of at least PAGE_SIZE
 * @chunk_shift: log2 of @chunk_size
 * @nr_chunks: @len / @chunk_size
 * @chunks: the chunks, @nr_chunks of them
 * @zc: the UMEM was bound in zero copy; its other sockets follow. Set by
 *	the first bind, before the socket is published as bound
 * @maps: zero copy: the area mapped for each device (struct
 *	xsk_dmabuf_map), under @maps_lock
 * @maps_lock: protects @maps
 * @id: a number for the test knobs (CONFIG_XDP_SOCKETS_DMABUF_SELFTEST)
 * @node: in xsk_dmabuf_areas, likewise
 *
 * Lifetime: the area has no reference count of its own; it lives exactly
 * as long as its UMEM (umem->dmabuf) and is destroyed by the UMEM's last
 * xdp_put_umem(). A buffer pool is released (xp_release_deferred()) while
 * the UMEM reference of its last socket is still held, and it frees its
 * dmabuf half (struct xsk_dmabuf_rx), which points at the area and caches
 * its chunks, before it drops that reference. So the area outlives every
 * pool that can hold its chunks, and when it goes every chunk is back with
 * user space; destroying it checks that. In zero copy, page pools can
 * outlive the buffer pool; each provider instance (struct xsk_dmabuf_zc)
 * holds a UMEM reference until the last page pool using it is gone.
 */
struct xsk_dmabuf_area {
	struct dma_buf *dmabuf;
	struct iosys_map map;
	bool cpu_access;
	u64 offset;
	u64 len;
	u32 chunk_size;
	u32 chunk_shift;
	u32 nr_chunks;
	struct xsk_dmabuf_chunk *chunks;
	bool zc;
	struct list_head maps;
	struct mutex maps_lock; /* see above */
#if IS_ENABLED(CONFIG_XDP_SOCKETS_DMABUF_SELFTEST)
	u32 id;
	struct list_head node;
#endif
};

/**
 * struct xsk_dmabuf_rx - the dmabuf half of one buffer pool (one queue)
 * @area: the area of the pool's UMEM
 * @fq: dmabuf fill ring, user space to kernel; consumed under @lock
 * @cq: dmabuf completion ring, kernel to user space; produced under @lock;
 *	it has room for a full @cache (checked at bind), and @cache is
 *	reported on it once, when the pool's device goes away
 * @lock: serialises the receive path of every socket of the pool against
 *	teardown; it protects @cache, @cache_cnt, @pending and both rings'
 *	kernel ends
 * @pending: the first chunk the pool filled whose RX descriptor is not
 *	published yet (owner XSK_DMABUF_INFLIGHT, linked through their
 *	@next), or XSK_DMABUF_NONE; emptied by every flush of a socket of
 *	the pool, which comes at the end of the NAPI poll that filled them
 * @cache_cnt: number of chunks in @cache
 * @cache: chunk indices accepted from @fq, owner XSK_DMABUF_KERNEL
 * @zc: zero copy: the provider installed on the pool's queue, from bind
 *	until the pool's rings go (xsk_dmabuf_rx_destroy_rings()); the page
 *	pools of the queue consume @fq and produce on @cq instead of @cache
 * @need_wakeup: the socket was bound with XDP_USE_NEED_WAKEUP: in zero
 *	copy, an empty @fq sets XDP_RING_NEED_WAKEUP on it
 *
 * Created at bind with the pool, it owns @fq and @cq from then on, as the
 * pool owns the fill and completion rings. It is freed before the pool
 * drops its reference to the UMEM, and so before the area (see struct
 * xsk_dmabuf_area).
 */
struct xsk_dmabuf_rx {
	struct xsk_dmabuf_area *area;
	struct xsk_queue *fq;
	struct xsk_queue *cq;
	spinlock_t lock; /* see above */
	u32 pending;
	u32 cache_cnt;
	u32 cache[XSK_DMABUF_CACHE];
	struct xsk_dmabuf_zc *zc;
	bool need_wakeup;
};

static inline u64 xsk_dmabuf_chunk_offset(const struct xsk_dmabuf_area *area,
					  u32 idx)
{
	return area->offset + ((u64)idx << area->chunk_shift);
}

/* The index of the chunk dmabuf offset @off lies in, or U32_MAX if it is
 * outside the area; @off comes from user space, and the index is safe
 * against speculation.
 */
static inline u32 xsk_dmabuf_chunk_idx(const struct xsk_dmabuf_area *area,
				       u64 off)
{
	u64 rel = off - area->offset;

	if (off < area->offset || rel >= area->len)
		return U32_MAX;
	return array_index_nospec(rel >> area->chunk_shift, area->nr_chunks);
}

/* Zero copy (xsk_dmabuf_zc.c): the area as a page pool memory provider. */
void xsk_dmabuf_zc_unbind(struct xsk_dmabuf_rx *drx);
void xsk_dmabuf_zc_detach(struct xsk_dmabuf_rx *drx);
struct xsk_dmabuf_chunk *xsk_dmabuf_zc_frag_chunk(const struct xsk_dmabuf_zc *zc,
						  const skb_frag_t *frag);
void xsk_dmabuf_zc_area_init(struct xsk_dmabuf_area *area);

#endif /* XSK_DMABUF_PRIV_H_ */
