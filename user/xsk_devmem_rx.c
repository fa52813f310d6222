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
 * Speed (make bench-lib): the loops below work on copies in locals - the
 * ring (pointer, mask, indices), the limits, the totals - and read each
 * descriptor or segment into locals before they write. The caller's arrays
 * hold __u64, __u32 and pointers, the same types as struct xdm_rxq, so a
 * store into them may alias q as far as the compiler knows, and state kept
 * in q would be reloaded for every entry. Locals whose address never
 * escapes cannot alias; they live in registers and go back to q once per
 * batch.
 */

/*
 * A packet is a chain of descriptors that ends with one without
 * XDP_PKT_CONTD; the kernel publishes a chain whole. Only complete chains
 * that fit into pkts and segs are taken; the rest stays on the ring for
 * the next call. A packet of one descriptor (no chain) takes a short path.
 */
int xdm_rxq_recv(struct xdm_rxq *q, struct xsk_devmem_pkt *pkts, unsigned int max_pkts,
		 struct xsk_devmem_seg *segs, unsigned int max_segs)
{
	struct xdm_ring rx = q->rx;
	__u8 *hdr_area = q->hdr_area;
	struct xsk_devmem_pkt *p = pkts, *pend = pkts + max_pkts;
	struct xsk_devmem_seg *sg = segs, *sgend = segs + max_segs;
	__u64 bytes = 0, payload = 0;
	__u32 idx, end, i, bad = 0;

	end = xdm_cons_peek(&rx, rx.size, &idx);
	if (!end) {
		q->rx = rx;		/* the producer index we read */
		kick(q);
		return 0;
	}
	end += idx;
	for (i = idx; i != end && p != pend; p++) {
		struct xdm_desc d = *xdm_cons_desc(&rx, i);
		struct xsk_devmem_seg *seg0 = sg;
		__u32 j = i, contd = 1, len = 0, plen = 0, npay = 0;

		p->segs = sg;
		if (!(d.options & (DESC_CONTD | DESC_DMABUF))) {
			p->hdr = hdr_area + d.addr;
			p->hdr_addr = d.addr;
			p->hdr_len = d.len;
			p->len = d.len;
			p->payload_len = 0;
			p->nr_segs = 0;
			p->nr_payload_segs = 0;
			bytes += d.len;
			i++;
			continue;
		}
		if (d.options & DESC_DMABUF) {
			/* No header: the kernel never does this; keep the
			 * chunk as a segment so that it can be released. */
			bad++;
			p->hdr = NULL;
			p->hdr_addr = 0;
			p->hdr_len = 0;
		} else {
			p->hdr = hdr_area + d.addr;
			p->hdr_addr = d.addr;
			p->hdr_len = len = d.len;
			j++;
		}
		while (contd && j != end && sg != sgend) {
			__u32 dmabuf;

			d = *xdm_cons_desc(&rx, j++);
			dmabuf = !!(d.options & DESC_DMABUF);
			sg->addr = d.addr;
			sg->len = d.len;
			sg->flags = dmabuf ? XSK_DEVMEM_SEG_DMABUF : 0;
			sg++;
			len += d.len;
			plen += dmabuf ? d.len : 0;
			npay += dmabuf;
			contd = d.options & DESC_CONTD;
		}
		if (contd) {
			/* Incomplete in this window, or no room in segs. */
			if (p == pkts && j != end) {
				xdm_cons_cancel(&rx, end - idx);
				q->rx = rx;
				return -ENOBUFS;
			}
			sg = seg0;
			break;
		}
		p->len = len;
		p->payload_len = plen;
		p->nr_segs = sg - seg0;
		p->nr_payload_segs = npay;
		bytes += len;
		payload += plen;
		i = j;
	}
	xdm_cons_cancel(&rx, end - i);
	if (i != idx)
		xdm_cons_release(&rx);
	q->st.packets += p - pkts;
	q->st.bytes += bytes;
	q->st.payload_bytes += payload;
	q->st.bad_descs += bad;
	q->rx = rx;
	return p - pkts;
}

/* A dmabuf offset the caller may hand back: a chunk of the payload area. */
static inline bool chunk_ok(__u64 off, __u64 area_start, __u64 area_len, __u64 chunk_off)
{
	return off - area_start < area_len && !(off & chunk_off);
}

/*
 * Room for the entry at idx of a batch written ahead on r (see
 * xdm_prod_next()); *end is where the room known so far ends. Re-reads
 * the consumer index only when the room known so far is used up.
 */
static inline bool room(struct xdm_ring *r, __u32 idx, __u32 *end)
{
	__u32 first = xdm_prod_next(r);

	if (idx != *end)
		return true;
	*end = first + xdm_fill_nb_free(r, idx - first + 1);
	return idx != *end;
}

/*
 * Two passes, one per fill ring, so that each loop keeps its ring, its
 * limits and its cursors in registers: the first writes the host chunks
 * (headers, and the host segments of packets delivered whole) ahead on the
 * fill ring, the second the dmabuf chunks on the dmabuf fill ring and
 * checks that each packet holds the counts it claims (skipped when no packet
 * has a segment: the first pass checked those). Every address is
 * checked (inside its area, chunk aligned) before it is written, and it is
 * written only where the ring has room. Both rings are published when all
 * of it held; a bad entry or a full ring changes nothing: entries written
 * past the producer index are invisible to the kernel and the indices stay.
 */
static __attribute__((always_inline)) inline int
release(struct xdm_rxq *q, const struct xsk_devmem_pkt *pkts, unsigned int n, bool hdr,
	bool payload)
{
	const struct xsk_devmem_pkt *p, *pend = pkts + n;
	struct xdm_ring fq = q->fq, dfq = q->dfq;
	__u32 fidx = xdm_prod_next(&fq), didx = xdm_prod_next(&dfq);
	bool segments = !hdr;	/* the second pass has work */
	int err = -EINVAL;

	if (hdr) {
		const __u64 hdr_size = q->hdr_size, frame_mask = q->frame_mask;
		__u32 fend = fidx + xdm_prod_nb_free(&fq, 0);

		for (p = pkts; p != pend; p++) {
			const struct xsk_devmem_seg *sg = p->segs, *send = sg + p->nr_segs;

			if (p->nr_payload_segs > p->nr_segs)
				goto out;
			segments |= !!p->nr_segs;
			if (p->hdr) {
				if (p->hdr_addr >= hdr_size)
					goto out;
				if (!room(&fq, fidx, &fend))
					goto nospc;
				*xdm_prod_addr(&fq, fidx++) = p->hdr_addr & frame_mask;
			}
			if (p->nr_payload_segs == p->nr_segs)
				continue;	/* no host segment, if it tells the truth */
			for (; sg != send; sg++) {
				if (sg->flags & XSK_DEVMEM_SEG_DMABUF)
					continue;
				if (sg->addr >= hdr_size)
					goto out;
				if (!room(&fq, fidx, &fend))
					goto nospc;
				*xdm_prod_addr(&fq, fidx++) = sg->addr & frame_mask;
			}
		}
	}
	if (segments) {
		const __u64 area_start = q->area_start, area_len = q->area_end - q->area_start;
		const __u64 chunk_off = ~q->chunk_mask;
		__u32 dend = didx + xdm_prod_nb_free(&dfq, 0);

		for (p = pkts; p != pend; p++) {
			const struct xsk_devmem_seg *sg = p->segs, *send = sg + p->nr_segs;
			__u32 npay = 0;

			for (; sg != send; sg++) {
				if (!(sg->flags & XSK_DEVMEM_SEG_DMABUF))
					continue;
				npay++;
				if (!payload)
					continue;
				if (!chunk_ok(sg->addr, area_start, area_len, chunk_off))
					goto out;
				if (!room(&dfq, didx, &dend))
					goto nospc;
				*xdm_prod_addr(&dfq, didx++) = sg->addr;
			}
			if (npay != p->nr_payload_segs)
				goto out;
		}
	}
	fidx -= xdm_prod_next(&fq);
	didx -= xdm_prod_next(&dfq);
	if (fidx)
		xdm_prod_submit_n(&fq, fidx);
	if (didx)
		xdm_prod_submit_n(&dfq, didx);
	q->fq = fq;
	q->dfq = dfq;
	q->st.released_hdr_chunks += fidx;
	q->st.released_payload_chunks += didx;
	return 0;
nospc:
	err = -ENOSPC;
out:
	q->fq.cached_cons = fq.cached_cons;	/* what we learnt */
	q->dfq.cached_cons = dfq.cached_cons;
	return err;
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
	const __u64 area_len = q->area_end - q->area_start;
	__u32 idx;

	for (unsigned int i = 0; i < n; i++)
		if (!chunk_ok(offsets[i], q->area_start, area_len, ~q->chunk_mask))
			return -EINVAL;
	if (!n)
		return 0;
	if (xdm_fill_nb_free(&q->dfq, n) < n || xdm_prod_reserve(&q->dfq, n, &idx) != n)
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
