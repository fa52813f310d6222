// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xsk_devmem_rx.c - the data path: descriptors off the RX ring into
 * packets, chunks back onto the two fill rings, chunks the kernel gave
 * back off the dmabuf completion ring. One peek and one publish per ring
 * per batch (xsk_devmem_ring.h); a system call only to wake the kernel.
 */
#include <errno.h>
#include <sys/socket.h>

#include "xsk_devmem_rx.h"

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

/* Bytes of the dmabuf segments among n (a chain that mixes both kinds). */
static __attribute__((noinline, cold)) __u32 dmabuf_bytes(const struct xsk_devmem_seg *sg,
							   __u32 n)
{
	__u32 bytes = 0;

	for (__u32 k = 0; k < n; k++)
		bytes += sg[k].flags & XSK_DEVMEM_SEG_DMABUF ? sg[k].len : 0;
	return bytes;
}

/*
 * A packet is a chain of descriptors that ends with one without
 * XDP_PKT_CONTD; the kernel publishes a chain whole. Only complete chains
 * that fit into pkts and segs are taken; the rest stays on the ring for
 * the next call. A packet of one descriptor (no chain) takes a short path.
 *
 * hold (xdm_rxq_peek()): the descriptors taken stay on the RX ring, the
 * consumer index is not published; xdm_rxq_release_peeked() reads the
 * chunks back from them and then gives the slots to the kernel.
 */
static inline __attribute__((always_inline)) int
take(struct xdm_rxq *q, struct xsk_devmem_pkt *pkts, unsigned int max_pkts,
     struct xsk_devmem_seg *segs, unsigned int max_segs, bool hold)
{
	struct xdm_ring rx = q->rx;
	__u8 *hdr_area = q->hdr_area;
	struct xsk_devmem_pkt *p = pkts, *pend = pkts + max_pkts;
	struct xsk_devmem_seg *sg = segs, *sgend = segs + max_segs;
	__u64 bytes = 0, payload = 0;
	__u32 idx, end, i;

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
		__u32 j = i, contd = 1, len = 0, plen, npay = 0, nseg;

		if (!(d.options & (DESC_CONTD | DESC_DMABUF))) {
			*p = (struct xsk_devmem_pkt){ .hdr = hdr_area + d.addr, .hdr_addr = d.addr,
						      .hdr_len = d.len, .len = d.len, .segs = sg };
			bytes += d.len;
			i++;
			continue;
		}
		p->segs = sg;
		p->hdr = hdr_area + d.addr;
		p->hdr_addr = d.addr;
		p->hdr_len = d.len;
		if (d.options & DESC_DMABUF) {
			/* No header: the kernel never does this; keep the
			 * chunk as a segment so that it can be released. */
			q->st.bad_descs++;
			q->held_irregular |= hold;
			p->hdr = NULL;
			p->hdr_addr = 0;
			p->hdr_len = 0;
		} else {
			len = d.len;
			j++;
		}
		for (;;) {
			__u32 dmabuf;

			if (j == end || sg == sgend)
				break;
			d = *xdm_cons_desc(&rx, j++);
			dmabuf = !!(d.options & DESC_DMABUF);
			*sg++ = (struct xsk_devmem_seg){ d.addr, d.len,
							 dmabuf * XSK_DEVMEM_SEG_DMABUF };
			len += d.len;
			npay += dmabuf;
			if (!(d.options & DESC_CONTD)) {
				contd = 0;
				break;
			}
		}
		if (contd) {
			/* Incomplete in this window, or no room in segs: not
			 * taken, so not counted yet if it has no header. */
			q->st.bad_descs -= !p->hdr;
			if (p == pkts && j != end) {
				xdm_cons_cancel(&rx, end - idx);
				q->rx = rx;
				return -ENOBUFS;
			}
			sg = seg0;
			break;
		}
		/*
		 * The segments of a split packet are all dmabuf chunks (its
		 * payload is all but the header), those of a whole one all
		 * host chunks; only a chain that mixes both, which the kernel
		 * never makes, counts its dmabuf bytes one by one.
		 */
		nseg = sg - seg0;
		if (__builtin_expect(npay == nseg, 1)) {
			plen = len - p->hdr_len;
		} else {
			plen = npay ? dmabuf_bytes(seg0, nseg) : 0;
			q->held_irregular |= hold;	/* host segments */
		}
		p->len = len;
		p->payload_len = plen;
		p->nr_segs = nseg;
		p->nr_payload_segs = npay;
		bytes += len;
		payload += plen;
		i = j;
	}
	xdm_cons_cancel(&rx, end - i);
	if (hold) {
		q->held_pkts += p - pkts;
		/* Marked by a packet not taken after all. */
		q->held_irregular &= !!q->held_pkts;
	} else if (i != idx) {
		xdm_cons_release(&rx);
	}
	q->st.packets += p - pkts;
	q->st.bytes += bytes;
	q->st.payload_bytes += payload;
	q->rx = rx;
	return p - pkts;
}

int xdm_rxq_recv(struct xdm_rxq *q, struct xsk_devmem_pkt *pkts, unsigned int max_pkts,
		 struct xsk_devmem_seg *segs, unsigned int max_segs)
{
	/* Publishing the consumer index would free the held slots. */
	if (q->held_pkts)
		return -EBUSY;
	return take(q, pkts, max_pkts, segs, max_segs, false);
}

int xdm_rxq_peek(struct xdm_rxq *q, struct xsk_devmem_pkt *pkts, unsigned int max_pkts,
		 struct xsk_devmem_seg *segs, unsigned int max_segs)
{
	return take(q, pkts, max_pkts, segs, max_segs, true);
}

/* A dmabuf offset the caller may hand back: in the payload area, with the
 * bits of pay_align clear (a chunk start in copy mode). */
static inline bool chunk_ok(__u64 off, __u64 area_start, __u64 area_len, __u64 pay_align)
{
	return off - area_start < area_len && !(off & pay_align);
}

/*
 * The room known for a batch written ahead on r (see xdm_prod_next()) ends
 * at idx, the entry to write next: re-read the consumer index and return
 * where the room ends now (idx itself: the ring is full). Out of line: the
 * loops below call it only when the room they know is used up.
 */
static __attribute__((noinline, cold)) __u32 more_room(struct xdm_ring *r, __u32 idx)
{
	__u32 first = xdm_prod_next(r);

	return first + xdm_fill_nb_free(r, idx - first + 1);
}

/*
 * Release is two passes, one per fill ring, each a function of its own
 * (noinline) so that each keeps its ring, limits and cursors in registers:
 * with both in one body the compiler kept loop state of one pass on the
 * stack through the other, a store and a reload per packet.
 *
 * Each pass checks every address (inside its area, chunk aligned) before
 * it writes it, and writes only where the ring has room, ahead of the
 * producer index (xdm_prod_next()): nothing is visible to the kernel until
 * xdm_prod_submit_n(). Both rings are published when both passes held; a
 * bad entry or a full ring changes nothing.
 */

/*
 * The host chunks: headers, and the host segments of packets delivered
 * whole. Returns the number of entries written ahead on r, or -errno;
 * *segs tells whether any packet has segments (the dmabuf pass has work).
 */
static __attribute__((noinline)) int
release_host(struct xdm_ring *r, const struct xsk_devmem_pkt *pkts, unsigned int n,
	     __u64 hdr_size, __u64 frame_mask, bool *segs)
{
	const struct xsk_devmem_pkt *p, *pend = pkts + n;
	__u64 *ring = r->ring;
	__u32 mask = r->mask, first = xdm_prod_next(r), idx = first;
	__u32 end = first + xdm_prod_nb_free(r, 0);
	unsigned int any = 0;

	for (p = pkts; p != pend; p++) {
		const struct xsk_devmem_seg *sg, *send;
		__u16 nr = p->nr_segs, npay = p->nr_payload_segs;

		if (npay > nr)
			return -EINVAL;
		any |= nr;
		if (p->hdr) {
			if (p->hdr_addr >= hdr_size)
				return -EINVAL;
			if (idx == end && (end = more_room(r, idx)) == idx)
				return -ENOSPC;
			ring[idx++ & mask] = p->hdr_addr & frame_mask;
		}
		if (npay == nr)
			continue;	/* no host segment, if it tells the truth */
		for (sg = p->segs, send = sg + nr; sg != send; sg++) {
			if (sg->flags & XSK_DEVMEM_SEG_DMABUF)
				continue;
			if (sg->addr >= hdr_size)
				return -EINVAL;
			if (idx == end && (end = more_room(r, idx)) == idx)
				return -ENOSPC;
			ring[idx++ & mask] = sg->addr & frame_mask;
		}
	}
	*segs = any;
	return idx - first;
}

/*
 * The dmabuf chunks, written ahead on r if write; every packet's count of
 * them is checked against nr_payload_segs either way. Returns the number of
 * entries written, or -errno.
 */
static __attribute__((noinline)) int
release_dmabuf(struct xdm_ring *r, const struct xsk_devmem_pkt *pkts, unsigned int n,
	       __u64 area_start, __u64 area_len, __u64 pay_align, bool write)
{
	const struct xsk_devmem_pkt *p, *pend = pkts + n;
	__u64 *ring = r->ring;
	__u32 mask = r->mask, first = xdm_prod_next(r), idx = first;
	__u32 end = first + xdm_prod_nb_free(r, 0);

	for (p = pkts; p != pend; p++) {
		const struct xsk_devmem_seg *sg = p->segs, *send = sg + p->nr_segs;
		__u32 npay = 0;

		for (; sg != send; sg++) {
			__u64 addr = sg->addr;

			if (!(sg->flags & XSK_DEVMEM_SEG_DMABUF))
				continue;
			npay++;
			if (!write)
				continue;
			if (!chunk_ok(addr, area_start, area_len, pay_align))
				return -EINVAL;
			if (idx == end && (end = more_room(r, idx)) == idx)
				return -ENOSPC;
			ring[idx++ & mask] = addr;
		}
		if (npay != p->nr_payload_segs)
			return -EINVAL;
	}
	return idx - first;
}

/*
 * The common case of a full release (headers and payload), when the rings
 * have the room a batch can need without host segments: the fill ring one
 * entry per packet, the dmabuf fill ring one per segment. Two passes, as
 * above, but with no room check per entry (a host segment, the rare case,
 * checks its own) and with the address and count checks accumulated and
 * looked at once, after the loops: nothing written ahead is visible to the
 * kernel before the submit, so a bad batch still changes nothing. Returns
 * 1 when the rings lack the room (the caller takes the checked passes
 * above, which tell -ENOSPC from -EINVAL in the order they meet them), else
 * 0 with *nf and *nd set, or -EINVAL.
 */
static __attribute__((noinline)) int
release_fast(struct xdm_rxq *q, const struct xsk_devmem_pkt *pkts, unsigned int n,
	     int *nf, int *nd)
{
	const struct xsk_devmem_pkt *p, *pend = pkts + n;
	__u64 *fr = q->fq.ring, *dr = q->dfq.ring;
	const __u64 frame_mask = q->frame_mask, area_start = q->area_start;
	const __u32 fmask = q->fq.mask, dmask = q->dfq.mask;
	const __u32 f0 = xdm_prod_next(&q->fq), d0 = xdm_prod_next(&q->dfq);
	__u32 fidx = f0, didx = d0, fend, bad;
	__u64 total = 0, claimed = 0, hmax = 0, dmax = 0, dor = 0;
	bool host = false;

	if (!dr || xdm_prod_nb_free(&q->fq, n) < n)
		return 1;
	for (p = pkts; p != pend; p++) {
		total += p->nr_segs;
		claimed += p->nr_payload_segs;
		if (p->hdr) {
			__u64 a = p->hdr_addr;

			hmax = a > hmax ? a : hmax;
			fr[fidx++ & fmask] = a & frame_mask;
		}
	}
	if (total && (total > q->dfq.size || xdm_prod_nb_free(&q->dfq, total) < total))
		return 1;
	bad = !total && claimed;	/* no segment at all: the loop is skipped */
	for (p = pkts; total && p != pend; p++) {
		const struct xsk_devmem_seg *sg = p->segs, *send = sg + p->nr_segs;
		__u32 npay = 0;

		for (; sg != send; sg++) {
			__u64 a = sg->addr, x = a - area_start;

			if (!(sg->flags & XSK_DEVMEM_SEG_DMABUF)) {
				host = true;
				continue;
			}
			dmax = x > dmax ? x : dmax;
			dor |= a;
			dr[didx++ & dmask] = a;
			npay++;
		}
		bad |= npay ^ p->nr_payload_segs;
	}
	if (host) {
		/* Host segments (packets delivered whole): the rare case. */
		fend = f0 + xdm_prod_nb_free(&q->fq, 0);
		for (p = pkts; p != pend; p++) {
			const struct xsk_devmem_seg *sg = p->segs, *send = sg + p->nr_segs;

			for (; sg != send; sg++) {
				if (sg->flags & XSK_DEVMEM_SEG_DMABUF)
					continue;
				if (fidx == fend && (fend = more_room(&q->fq, fidx)) == fidx)
					return 1;	/* the checked passes say which */
				hmax = sg->addr > hmax ? sg->addr : hmax;
				fr[fidx++ & fmask] = sg->addr & frame_mask;
			}
		}
	}
	if (bad || hmax >= q->hdr_size ||
	    (didx != d0 && (dmax >= q->area_end - area_start || (dor & q->pay_align))))
		return -EINVAL;
	*nf = fidx - f0;
	*nd = didx - d0;
	return 0;
}

int xdm_rxq_release(struct xdm_rxq *q, const struct xsk_devmem_pkt *pkts, unsigned int n,
		    bool hdr, bool payload)
{
	bool segs = !hdr;	/* without the host pass, look at the segments */
	int nf = 0, nd = 0, err = 1;

	if (hdr && payload)
		err = release_fast(q, pkts, n, &nf, &nd);
	if (err < 0)
		return err;
	if (!err)
		goto submit;
	if (hdr)
		nf = release_host(&q->fq, pkts, n, q->hdr_size, q->frame_mask, &segs);
	if (nf >= 0 && segs)
		nd = release_dmabuf(&q->dfq, pkts, n, q->area_start,
				    q->area_end - q->area_start, q->pay_align, payload);
	if (nf < 0)
		return nf;
	if (nd < 0)
		return nd;
submit:
	if (nf)
		xdm_prod_submit_n(&q->fq, nf);
	if (nd)
		xdm_prod_submit_n(&q->dfq, nd);
	q->st.released_hdr_chunks += nf;
	q->st.released_payload_chunks += nd;
	return 0;
}

/*
 * In-order release: the chunks of the oldest n packets taken by
 * xdm_rxq_peek(), read back from their RX descriptors, then the RX slots
 * they held. The addresses are the kernel's own, so nothing is checked but
 * the rings' room. Dmabuf chunks go to the dmabuf fill ring as they are,
 * host chunks (headers, host segments) to the fill ring as chunk bases,
 * written ahead of the producer indices (xdm_prod_next()): a ring without
 * the room changes nothing.
 */

/*
 * Every descriptor held, the rings known to have the room: the RX ring read
 * as at most two runs of the array (before and after its end), one load,
 * one branch on the kind and one store per chunk. flat: neither fill ring
 * reaches the end of its array even if every descriptor held went to it,
 * so the entries are written through plain pointers, no index to mask.
 */
static inline __attribute__((always_inline)) void
give_back_all(struct xdm_rxq *q, __u32 i, __u32 *nf, __u32 *nd, bool flat)
{
	const struct xdm_desc *base = q->rx.ring, *d, *stop;
	__u64 *fr = q->fq.ring, *dr = q->dfq.ring;
	const __u64 frame_mask = q->frame_mask;
	const __u32 rmask = q->rx.mask, fmask = q->fq.mask, dmask = q->dfq.mask;
	const __u32 f0 = xdm_prod_next(&q->fq), d0 = xdm_prod_next(&q->dfq);
	__u64 *fp = flat ? fr + (f0 & fmask) : NULL, *dp = flat ? dr + (d0 & dmask) : NULL;
	__u32 fidx = f0, didx = d0, left = q->rx.cached_cons - i, run;

	for (; left; left -= run, i += run) {
		run = rmask + 1 - (i & rmask);
		run = run < left ? run : left;
		for (d = base + (i & rmask), stop = d + run; d != stop; d++) {
			if (d->options & DESC_DMABUF) {
				if (flat)
					*dp++ = d->addr;
				else
					dr[didx++ & dmask] = d->addr;
			} else {
				if (flat)
					*fp++ = d->addr & frame_mask;
				else
					fr[fidx++ & fmask] = d->addr & frame_mask;
			}
		}
	}
	*nf = flat ? fp - (fr + (f0 & fmask)) : fidx - f0;
	*nd = flat ? dp - (dr + (d0 & dmask)) : didx - d0;
}

/*
 * The oldest n packets, with a room check per chunk. Returns the RX index
 * after the last descriptor given back, or 0 with *err = -ENOSPC.
 */
static __attribute__((noinline)) __u32 give_back(struct xdm_rxq *q, __u32 i, unsigned int n,
						__u32 *nf, __u32 *nd, int *err)
{
	const struct xdm_desc *rx = q->rx.ring;
	__u64 *fr = q->fq.ring, *dr = q->dfq.ring;
	const __u32 f0 = xdm_prod_next(&q->fq), d0 = xdm_prod_next(&q->dfq);
	const __u32 end = q->rx.cached_cons;	/* one past the last held */
	__u32 fidx = f0, didx = d0, fend, dend;

	fend = f0 + xdm_prod_nb_free(&q->fq, 0);
	dend = dr ? d0 + xdm_prod_nb_free(&q->dfq, 0) : d0;
	for (; i != end && n; i++) {
		const struct xdm_desc *d = &rx[i & q->rx.mask];

		if (d->options & DESC_DMABUF ?
		    didx == dend && (!dr || (dend = more_room(&q->dfq, didx)) == didx) :
		    fidx == fend && (fend = more_room(&q->fq, fidx)) == fidx) {
			*err = -ENOSPC;
			return 0;
		}
		if (d->options & DESC_DMABUF)
			dr[didx++ & q->dfq.mask] = d->addr;
		else
			fr[fidx++ & q->fq.mask] = d->addr & q->frame_mask;
		n -= !(d->options & DESC_CONTD);
	}
	*nf = fidx - f0;
	*nd = didx - d0;
	return i;
}

int xdm_rxq_release_peeked(struct xdm_rxq *q, unsigned int n)
{
	__u32 i = xdm_cons_released(&q->rx), held = q->rx.cached_cons - i, nf, nd;
	const __u32 hosts = q->held_pkts, dmabufs = held - hosts;
	int err = 0;

	if (n > q->held_pkts)
		return -EINVAL;
	/*
	 * All of them, each one host chunk and the rest dmabuf chunks (so
	 * held_pkts host chunks, the other descriptors dmabuf chunks), and
	 * the rings have room for them.
	 */
	if (n == q->held_pkts && !q->held_irregular &&
	    xdm_prod_nb_free(&q->fq, hosts) >= hosts &&
	    (!dmabufs || (q->dfq.ring && xdm_prod_nb_free(&q->dfq, dmabufs) >= dmabufs))) {
		if (q->dfq.ring && (xdm_prod_next(&q->fq) & q->fq.mask) + held <= q->fq.size &&
		    (xdm_prod_next(&q->dfq) & q->dfq.mask) + held <= q->dfq.size)
			give_back_all(q, i, &nf, &nd, true);
		else
			give_back_all(q, i, &nf, &nd, false);
		i = q->rx.cached_cons;
	} else {
		i = give_back(q, i, n, &nf, &nd, &err);
	}
	if (err)
		return err;
	if (nf)
		xdm_prod_submit_n(&q->fq, nf);
	if (nd)
		xdm_prod_submit_n(&q->dfq, nd);
	xdm_cons_release_to(&q->rx, i);
	/* The window ends before n packets only if the ring was written over. */
	q->held_pkts = i == q->rx.cached_cons ? 0 : q->held_pkts - n;
	q->held_irregular &= !!q->held_pkts;
	q->st.released_hdr_chunks += nf;
	q->st.released_payload_chunks += nd;
	return 0;
}

int xdm_rxq_release_payload(struct xdm_rxq *q, const __u64 *offsets, unsigned int n)
{
	const __u64 area_len = q->area_end - q->area_start;
	__u32 idx;

	for (unsigned int i = 0; i < n; i++)
		if (!chunk_ok(offsets[i], q->area_start, area_len, q->pay_align))
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
