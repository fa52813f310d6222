// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xsk_devmem_rx.c - the data path: descriptors off the RX ring into
 * packets, chunks back onto the two fill rings, chunks the kernel gave
 * back off the dmabuf completion ring. One peek and one publish per ring
 * per batch (xsk_devmem_ring.h); a system call only to wake the kernel.
 */
#include <errno.h>
#include <sys/socket.h>

#include "xsk_devmem_priv.h"

/* RX descriptor option bits (<linux/if_xdp.h> of the patched kernel). */
#define DESC_CONTD	(1u << 0)	/* XDP_PKT_CONTD */
#define DESC_DMABUF	(1u << 2)	/* XDP_DESC_DMABUF */

static void kick(struct xdm_rxq *q)
{
	if (q->fd < 0)
		return;
	if (q->kick_always || xdm_prod_needs_wakeup(&q->fq) ||
	    xdm_prod_needs_wakeup(&q->dfq)) {
		recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		q->st.wakeups++;
	}
}

/*
 * A packet is a chain of descriptors that ends with one without
 * XDP_PKT_CONTD; the kernel publishes a chain whole. Only complete chains
 * that fit into pkts and segs are taken; the rest stays on the ring for
 * the next call.
 */
int xdm_rxq_recv(struct xdm_rxq *q, struct xsk_devmem_pkt *pkts, unsigned int max_pkts,
		 struct xsk_devmem_seg *segs, unsigned int max_segs)
{
	/* Totals in locals: stores into pkts and segs may alias q. */
	struct xdm_ring *rxp = &q->rx;
	__u8 *hdr_area = q->hdr_area;
	__u64 bytes = 0, payload = 0;
	__u32 idx, n, i = 0, nseg = 0, npkt = 0;

	n = xdm_cons_peek(rxp, rxp->size, &idx);
	if (!n) {
		kick(q);
		return 0;
	}
	while (i < n && npkt < max_pkts) {
		const struct xdm_desc *d = xdm_cons_desc(rxp, idx + i);
		struct xsk_devmem_pkt *p = &pkts[npkt];
		__u32 j = i + 1, seg0 = nseg, contd = d->options & DESC_CONTD;
		__u32 len, plen = 0, npay = 0;

		if (d->options & DESC_DMABUF) {
			/* No header: the kernel never does this; keep the
			 * chunk as a segment so that it can be released. */
			q->st.bad_descs++;
			p->hdr = NULL;
			p->hdr_addr = 0;
			p->hdr_len = 0;
			j = i;
			contd = 1;
		} else {
			p->hdr = hdr_area + d->addr;
			p->hdr_addr = d->addr;
			p->hdr_len = d->len;
		}
		len = p->hdr_len;
		while (contd && j < n && nseg < max_segs) {
			d = xdm_cons_desc(rxp, idx + j++);
			segs[nseg].addr = d->addr;
			segs[nseg].len = d->len;
			segs[nseg].flags = 0;
			if (d->options & DESC_DMABUF) {
				segs[nseg].flags = XSK_DEVMEM_SEG_DMABUF;
				plen += d->len;
				npay++;
			}
			len += d->len;
			nseg++;
			contd = d->options & DESC_CONTD;
		}
		if (contd) {
			/* Incomplete in this window, or no room in segs. */
			nseg = seg0;
			if (!npkt && j < n) {
				xdm_cons_cancel(rxp, n);
				return -ENOBUFS;
			}
			break;
		}
		p->len = len;
		p->payload_len = plen;
		p->segs = segs + seg0;
		p->nr_segs = nseg - seg0;
		p->nr_payload_segs = npay;
		bytes += len;
		payload += plen;
		npkt++;
		i = j;
	}
	xdm_cons_cancel(rxp, n - i);
	if (i)
		xdm_cons_release(rxp);
	q->st.packets += npkt;
	q->st.bytes += bytes;
	q->st.payload_bytes += payload;
	return npkt;
}

/* Limits of what the caller may hand back, copied out of the queue. */
struct limits {
	__u64 hdr_size, frame_mask, area_start, area_end, chunk_mask;
};

static bool host_ok(const struct limits *l, __u64 addr)
{
	return addr < l->hdr_size;
}

static bool chunk_ok(const struct limits *l, __u64 off)
{
	return off >= l->area_start && off < l->area_end && !(off & ~l->chunk_mask);
}

static void limits_of(const struct xdm_rxq *q, struct limits *l)
{
	l->hdr_size = q->hdr_size;
	l->frame_mask = q->frame_mask;
	l->area_start = q->area_start;
	l->area_end = q->area_end;
	l->chunk_mask = q->chunk_mask;
}

/*
 * Validate and write the chunks of n packets from fidx/didx on, at most nh
 * and nd of them (what the packets say they hold); -EINVAL at the first bad
 * chunk or when the packets hold other counts than they say. Nothing is
 * published.
 */
static __attribute__((always_inline)) inline int
write_chunks(struct xdm_ring *fq, struct xdm_ring *dfq, const struct limits *l,
	     const struct xsk_devmem_pkt *pkts, unsigned int n, bool hdr, bool payload,
	     __u32 fidx, __u32 didx, __u32 nh, __u32 nd)
{
	__u32 hi = 0, di = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct xsk_devmem_pkt *p = &pkts[i];

		if (hdr && p->hdr) {
			if (!host_ok(l, p->hdr_addr) || hi == nh)
				return -EINVAL;
			*xdm_prod_addr(fq, fidx + hi++) = p->hdr_addr & l->frame_mask;
		}
		for (__u32 s = 0; s < p->nr_segs; s++) {
			const struct xsk_devmem_seg *sg = &p->segs[s];

			if (sg->flags & XSK_DEVMEM_SEG_DMABUF) {
				if (!payload)
					continue;
				if (!chunk_ok(l, sg->addr) || di == nd)
					return -EINVAL;
				*xdm_prod_addr(dfq, didx + di++) = sg->addr;
			} else if (hdr) {
				if (!host_ok(l, sg->addr) || hi == nh)
					return -EINVAL;
				*xdm_prod_addr(fq, fidx + hi++) = sg->addr & l->frame_mask;
			}
		}
	}
	return hi == nh && di == nd ? 0 : -EINVAL;
}

/*
 * Count from the packets' own counts, reserve exactly that on both rings,
 * write while checking, publish. A bad entry or a full ring changes
 * nothing: the ring copies are dropped unpublished (entries written past
 * the producer index are invisible to the kernel).
 */
static __attribute__((always_inline)) inline int
release(struct xdm_rxq *q, const struct xsk_devmem_pkt *pkts, unsigned int n, bool hdr,
	bool payload)
{
	struct xdm_ring fq = q->fq, dfq = q->dfq;
	__u32 nh = 0, nd = 0, fidx = 0, didx = 0;
	struct limits l;
	int err;

	limits_of(q, &l);
	for (unsigned int i = 0; i < n; i++) {
		const struct xsk_devmem_pkt *p = &pkts[i];

		if (p->nr_payload_segs > p->nr_segs)
			return -EINVAL;
		if (hdr)
			nh += !!p->hdr + p->nr_segs - p->nr_payload_segs;
		if (payload)
			nd += p->nr_payload_segs;
	}
	if ((nh && xdm_prod_reserve(&fq, nh, &fidx) != nh) ||
	    (nd && xdm_prod_reserve(&dfq, nd, &didx) != nd)) {
		q->fq.cached_cons = fq.cached_cons;	/* what we learnt */
		q->dfq.cached_cons = dfq.cached_cons;
		return -ENOSPC;
	}
	err = write_chunks(&fq, &dfq, &l, pkts, n, hdr, payload, fidx, didx, nh, nd);
	if (err)
		return err;
	if (nh)
		xdm_prod_submit(&fq);
	if (nd)
		xdm_prod_submit(&dfq);
	q->fq = fq;
	q->dfq = dfq;
	q->st.released_hdr_chunks += nh;
	q->st.released_payload_chunks += nd;
	return 0;
}

int xdm_rxq_release(struct xdm_rxq *q, const struct xsk_devmem_pkt *pkts, unsigned int n,
		    bool hdr, bool payload)
{
	if (hdr && payload)
		return release(q, pkts, n, true, true);
	if (hdr)
		return release(q, pkts, n, true, false);
	return release(q, pkts, n, false, true);
}

int xdm_rxq_release_payload(struct xdm_rxq *q, const __u64 *offsets, unsigned int n)
{
	struct limits l;
	__u32 idx;

	limits_of(q, &l);
	for (unsigned int i = 0; i < n; i++)
		if (!chunk_ok(&l, offsets[i]))
			return -EINVAL;
	if (!n)
		return 0;
	if (xdm_prod_reserve(&q->dfq, n, &idx) != n)
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++)
		*xdm_prod_addr(&q->dfq, idx + i) = offsets[i];
	xdm_prod_submit(&q->dfq);
	q->st.released_payload_chunks += n;
	return 0;
}

int xdm_rxq_completed(struct xdm_rxq *q, __u64 *offsets, unsigned int n)
{
	__u32 idx, got;

	if (!q->dcq.ring)
		return 0;
	got = xdm_cons_peek(&q->dcq, n, &idx);
	for (__u32 i = 0; i < got; i++)
		offsets[i] = xdm_cons_addr(&q->dcq, idx + i);
	if (got)
		xdm_cons_release(&q->dcq);
	q->st.completed_chunks += got;
	return got;
}

static __u32 post(struct xdm_ring *r, const __u64 *addrs, __u32 n)
{
	__u32 idx, room = xdm_prod_nb_free(r, n);

	if (room > n)
		room = n;
	if (!room || xdm_prod_reserve(r, room, &idx) != room)
		return 0;
	for (__u32 i = 0; i < room; i++)
		*xdm_prod_addr(r, idx + i) = addrs[i];
	xdm_prod_submit(r);
	return room;
}

__u32 xdm_rxq_post_frames(struct xdm_rxq *q, const __u64 *addrs, __u32 n)
{
	return post(&q->fq, addrs, n);
}

__u32 xdm_rxq_post_chunks(struct xdm_rxq *q, const __u64 *offsets, __u32 n)
{
	return post(&q->dfq, offsets, n);
}
