// SPDX-License-Identifier: GPL-2.0
/*
 * lib_ring: unit tests of libxsk-devmem's ring helpers (user/xsk_devmem_ring.h)
 * and of its data path (user/xsk_devmem_rx.c) on rings in ordinary memory,
 * with this test playing the kernel. Built with ASan/UBSan.
 *
 *   ring_wrap       every ring size 1..64, every start position around the
 *                   end of the array and the 2^32 wrap of the indices, every
 *                   producer and consumer batch size: entries come out in
 *                   order, once
 *   ring_partial    all-or-nothing reserve, partial peek, cancel, release
 *   rx_*            descriptor chains into packets: split, whole, multi
 *                   host chunks, chains across the array end, limits on
 *                   packets and segments, incomplete chains, -ENOBUFS
 *   release_*       the fill rings get chunk bases; bad input and full
 *                   rings change nothing; random batches against a model
 *   peek_*          in order: packets stay on the RX ring until
 *                   release_peeked gives back the oldest n, their chunks
 *                   in order; full rings change nothing; random traffic
 *                   against a model
 *   completed_*     the dmabuf completion ring, recycle
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xsk_devmem_rx.h"


/* A ring in ordinary memory: indices, flags, entries. */
struct mem_ring {
	__u32 producer, consumer, flags;
	__u64 entries[256];		/* u64 entries or 128 descriptors */
};

static void mem_ring_reset(struct mem_ring *m, __u32 start)
{
	memset(m, 0, sizeof(*m));
	m->producer = m->consumer = start;
}

static void ring_pair(struct mem_ring *m, __u32 size, __u32 start, struct xdm_ring *prod,
		      struct xdm_ring *cons)
{
	mem_ring_reset(m, start);
	xdm_ring_init_prod(prod, size, &m->producer, &m->consumer, &m->flags, m->entries);
	xdm_ring_init_cons(cons, size, &m->producer, &m->consumer, &m->flags, m->entries);
}

/* Push total entries through with batches pb and cb from start. */
static void wrap_one(__u32 size, __u32 start, __u32 pb, __u32 cb, __u32 total)
{
	struct xdm_ring p, c;
	struct mem_ring m;
	__u64 next_in = 0, next_out = 0;

	ring_pair(&m, size, start, &p, &c);
	while (next_out < total) {
		__u32 idx, n = pb;

		if (n > total - next_in)
			n = total - next_in;
		if (n && xdm_prod_reserve(&p, n, &idx) == n) {
			for (__u32 i = 0; i < n; i++)
				*xdm_prod_addr(&p, idx + i) = next_in++;
			xdm_prod_submit(&p);
		}
		n = xdm_cons_peek(&c, cb, &idx);
		CHECK_RET(n <= cb && n <= size, "peek %u of %u", n, cb);
		for (__u32 i = 0; i < n; i++) {
			__u64 v = xdm_cons_addr(&c, idx + i);

			CHECK_RET(v == next_out, "size %u start %#x pb %u cb %u: got %llu want %llu",
			      size, start, pb, cb, (unsigned long long)v,
			      (unsigned long long)next_out);
			next_out++;
		}
		if (n)
			xdm_cons_release(&c);
		CHECK_RET(m.producer - m.consumer <= size, "more than size entries in flight");
	}
	CHECK_RET(m.producer == start + total && m.consumer == start + total,
	      "indices %u %u, want %u", m.producer, m.consumer, start + total);
}

static void ring_wrap(void)
{
	for (__u32 size = 1; size <= 64; size <<= 1) {
		/* Every start position around the array end and the u32 wrap. */
		for (__u32 k = 0; k < 2 * size; k++) {
			const __u32 starts[] = { k, 0u - k, 0u - size + k, 0x80000000u - k };

			for (size_t s = 0; s < 4; s++)
				for (__u32 pb = 1; pb <= size; pb++)
					for (__u32 cb = 1; cb <= size + 1; cb++)
						wrap_one(size, starts[s], pb, cb, 3 * size + 1);
		}
	}
}

static void ring_partial(void)
{
	struct xdm_ring p, c;
	struct mem_ring m;
	__u32 idx = 0, n;

	ring_pair(&m, 8, 0xfffffffcu, &p, &c);
	CHECK_RET(xdm_prod_reserve(&p, 9, &idx) == 0, "reserved more than the ring");
	CHECK_RET(xdm_prod_reserve(&p, 5, &idx) == 5 && idx == 0xfffffffcu, "reserve 5");
	for (__u32 i = 0; i < 5; i++)
		*xdm_prod_addr(&p, idx + i) = 100 + i;
	CHECK_RET(xdm_cons_peek(&c, 8, &idx) == 0, "saw unsubmitted entries");
	xdm_prod_submit(&p);
	CHECK_RET(xdm_prod_reserve(&p, 4, &idx) == 0, "all or nothing: 3 free");
	CHECK_RET(xdm_prod_reserve(&p, 3, &idx) == 3, "the 3 free");
	n = xdm_cons_peek(&c, 2, &idx);
	CHECK_RET(n == 2 && xdm_cons_addr(&c, idx) == 100, "partial peek");
	xdm_cons_cancel(&c, 1);
	xdm_cons_release(&c);
	CHECK_RET(m.consumer == 0xfffffffdu, "consumer %#x after cancel", m.consumer);
	n = xdm_cons_peek(&c, 8, &idx);
	CHECK_RET(n == 4 && xdm_cons_addr(&c, idx) == 101, "rest after cancel: %u", n);
	CHECK_RET(xdm_prod_reserve(&p, 2, &idx) == 0, "only one entry released");
	CHECK_RET(xdm_prod_reserve(&p, 1, &idx) == 1, "the one released");
	xdm_cons_release(&c);
	CHECK_RET(xdm_prod_reserve(&p, 5, &idx) == 0 && xdm_prod_reserve(&p, 4, &idx) == 4,
	      "room after release");
	m.flags = 1;
	CHECK_RET(xdm_prod_needs_wakeup(&p), "need_wakeup flag");
}

/* --- the data path ------------------------------------------------------ */

#define FRAME	2048u
#define CHUNK	4096u
#define AREA0	(64 * CHUNK)		/* payload area starts here in the dmabuf */

static struct mem_ring rx_m, fq_m, dfq_m, dcq_m;
static __u8 hdr_area[64 * FRAME];

/* The kernel's side of each ring. */
static struct xdm_ring k_rx, k_fq, k_dfq, k_dcq;

static void rxq_init(struct xdm_rxq *q, __u32 rx_size, __u32 fill_size, __u32 start)
{
	memset(q, 0, sizeof(*q));
	ring_pair(&rx_m, rx_size, start, &k_rx, &q->rx);
	ring_pair(&fq_m, fill_size, start, &q->fq, &k_fq);
	ring_pair(&dfq_m, fill_size, start, &q->dfq, &k_dfq);
	ring_pair(&dcq_m, fill_size, start, &k_dcq, &q->dcq);
	q->hdr_area = hdr_area;
	q->hdr_size = sizeof(hdr_area);
	q->frame_mask = ~(__u64)(FRAME - 1);
	q->area_start = AREA0;
	q->area_end = AREA0 + 32 * CHUNK;
	q->chunk_mask = ~(__u64)(CHUNK - 1);
	q->pay_align = ~q->chunk_mask;
	q->fd = -1;
}

#define CONTD	1u
#define DMABUF	4u

/* Kernel: post one packet of hdr_len + payload split over nseg chunks. */
static void post_pkt(__u32 frame, __u32 hdr_len, __u32 nseg, __u32 seg_len, bool publish)
{
	__u32 idx;

	if (xdm_prod_reserve(&k_rx, 1 + nseg, &idx) != 1 + nseg)
		abort();
	*xdm_prod_desc(&k_rx, idx) = (struct xdm_desc){ frame * FRAME + 256, hdr_len,
							 nseg ? CONTD : 0 };
	for (__u32 s = 0; s < nseg; s++)
		*xdm_prod_desc(&k_rx, idx + 1 + s) = (struct xdm_desc){
			AREA0 + (frame * 4 + s) * CHUNK, seg_len,
			DMABUF | (s + 1 < nseg ? CONTD : 0) };
	if (publish)
		xdm_prod_submit(&k_rx);
}

static void rx_split(void)
{
	struct xsk_devmem_pkt pkts[8];
	struct xsk_devmem_seg segs[16];
	struct xdm_rxq q;
	int n;

	for (__u32 start = 0; start < 16; start++) {
		rxq_init(&q, 8, 16, 0u - start);
		post_pkt(1, 42, 2, 1000, true);
		post_pkt(2, 60, 0, 0, true);		/* whole */
		post_pkt(3, 42, 3, 4096, true);
		n = xdm_rxq_recv(&q, pkts, 8, segs, 16);
		CHECK_RET(n == 3, "start %u: %d packets", start, n);
		CHECK_RET(pkts[0].hdr == hdr_area + FRAME + 256 && pkts[0].hdr_len == 42 &&
		      pkts[0].nr_segs == 2 && pkts[0].len == 2042 &&
		      pkts[0].payload_len == 2000, "packet 0");
		CHECK_RET(pkts[0].segs[1].addr == AREA0 + 5 * CHUNK &&
		      pkts[0].segs[1].flags == XSK_DEVMEM_SEG_DMABUF, "segment 1 of packet 0");
		CHECK_RET(pkts[1].nr_segs == 0 && pkts[1].hdr_len == 60 && pkts[1].payload_len == 0,
		      "whole packet");
		CHECK_RET(q.st.packets == 3 && q.st.payload_bytes == 2000 + 3 * 4096, "counters");
	}
}

static void rx_limits(void)
{
	struct xsk_devmem_pkt pkts[8];
	struct xsk_devmem_seg segs[16];
	struct xdm_rxq q;
	__u32 cons0;
	int n;

	rxq_init(&q, 64, 16, 60);		/* chains cross the array end */
	for (__u32 f = 0; f < 6; f++)
		post_pkt(f, 14 + f, f % 4, 100, true);
	n = xdm_rxq_recv(&q, pkts, 2, segs, 16);
	CHECK_RET(n == 2 && pkts[1].hdr_len == 15 && pkts[1].nr_segs == 1, "max_pkts: %d", n);
	/* Packet 2 has 2 segments, packet 3 has 3: only packet 2 fits 4. */
	n = xdm_rxq_recv(&q, pkts, 8, segs, 4);
	CHECK_RET(n == 1 && pkts[0].hdr_len == 16, "max_segs: %d", n);
	cons0 = rx_m.consumer;
	n = xdm_rxq_recv(&q, pkts, 8, segs, 2);
	CHECK_RET(n == -ENOBUFS && rx_m.consumer == cons0, "ENOBUFS, ring untouched: %d", n);
	n = xdm_rxq_recv(&q, pkts, 8, segs, 16);
	CHECK_RET(n == 3 && pkts[0].nr_segs == 3 && pkts[2].hdr_len == 19, "the rest: %d", n);
	CHECK_RET(xdm_rxq_recv(&q, pkts, 8, segs, 16) == 0, "empty");

	/* A chain whose end is not published yet is not handed out. */
	rxq_init(&q, 16, 16, 0);
	post_pkt(0, 14, 0, 0, true);
	post_pkt(1, 14, 2, 100, false);
	rx_m.producer = k_rx.cached_prod - 1;	/* publish all but the last */
	n = xdm_rxq_recv(&q, pkts, 8, segs, 16);
	CHECK_RET(n == 1 && rx_m.consumer == 1, "incomplete chain taken: %d", n);
	xdm_prod_submit(&k_rx);
	n = xdm_rxq_recv(&q, pkts, 8, segs, 16);
	CHECK_RET(n == 1 && pkts[0].nr_segs == 2, "completed chain: %d", n);
}

/* Kernel: post the n descriptors of d and publish them. */
static void post_chain(const struct xdm_desc *d, __u32 n)
{
	__u32 idx;

	if (xdm_prod_reserve(&k_rx, n, &idx) != n)
		abort();
	for (__u32 k = 0; k < n; k++)
		*xdm_prod_desc(&k_rx, idx + k) = d[k];
	xdm_prod_submit(&k_rx);
}

static void rx_whole_multi(void)
{
	struct xsk_devmem_pkt pkt;
	struct xsk_devmem_seg segs[4];
	struct xdm_rxq q;

	/* A packet delivered whole across three host chunks. */
	rxq_init(&q, 8, 8, 0);
	post_chain((const struct xdm_desc[]){
		{ 0 * FRAME + 256, 1792, CONTD },
		{ 1 * FRAME, 2048, CONTD },
		{ 2 * FRAME, 100, 0 } }, 3);
	CHECK_RET(xdm_rxq_recv(&q, &pkt, 1, segs, 4) == 1, "recv");
	CHECK_RET(pkt.len == 3940 && pkt.payload_len == 0 && pkt.nr_segs == 2 &&
	      segs[0].flags == 0, "whole packet in 3 host chunks");
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == 0, "release");
	CHECK_RET(fq_m.producer == 3 && fq_m.entries[0] == 0 && fq_m.entries[1] == FRAME &&
	      fq_m.entries[2] == 2 * FRAME, "fill ring has the three chunk bases");
	CHECK_RET(dfq_m.producer == 0, "nothing on the dmabuf fill ring");
}

static void rx_mixed(void)
{
	struct xsk_devmem_pkt pkt;
	struct xsk_devmem_seg segs[4];
	struct xdm_rxq q;

	/* A chain that mixes host and dmabuf chunks (no kernel makes one):
	 * payload_len counts the dmabuf bytes only. */
	rxq_init(&q, 8, 8, 0);
	post_chain((const struct xdm_desc[]){
		{ 0 * FRAME + 256, 100, CONTD },
		{ 1 * FRAME, 2048, CONTD },
		{ AREA0, 3000, DMABUF | CONTD },
		{ 2 * FRAME, 7, 0 } }, 4);
	CHECK_RET(xdm_rxq_recv(&q, &pkt, 1, segs, 4) == 1, "recv");
	CHECK_RET(pkt.len == 5155 && pkt.payload_len == 3000 && pkt.nr_segs == 3 &&
		  pkt.nr_payload_segs == 1 && q.st.payload_bytes == 3000, "mixed chain: %u %u",
		  pkt.len, pkt.payload_len);
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == 0 && fq_m.producer == 3 &&
		  dfq_m.producer == 1, "release of a mixed chain");
}

/* A chain without a header is counted once, when it is taken. */
static void rx_no_header(void)
{
	const struct xdm_desc chain[] = {
		{ AREA0, 1000, DMABUF | CONTD },
		{ AREA0 + CHUNK, 500, DMABUF } };
	struct xsk_devmem_pkt pkt;
	struct xsk_devmem_seg segs[4];
	struct xdm_rxq q;

	rxq_init(&q, 8, 8, 0);
	post_chain(chain, 2);
	rx_m.producer--;			/* its end not published yet */
	k_rx.cached_prod--;
	CHECK_RET(xdm_rxq_recv(&q, &pkt, 1, segs, 4) == 0 && !q.st.bad_descs,
		  "incomplete: %llu bad", (unsigned long long)q.st.bad_descs);
	CHECK_RET(xdm_rxq_recv(&q, &pkt, 1, segs, 1) == 0 && !q.st.bad_descs,
		  "no room in segs: %llu bad", (unsigned long long)q.st.bad_descs);
	post_chain(&chain[1], 1);
	CHECK_RET(xdm_rxq_recv(&q, &pkt, 1, segs, 1) == -ENOBUFS && !q.st.bad_descs,
		  "-ENOBUFS: %llu bad", (unsigned long long)q.st.bad_descs);
	CHECK_RET(xdm_rxq_recv(&q, &pkt, 1, segs, 4) == 1 && !pkt.hdr && pkt.nr_segs == 2 &&
		  pkt.nr_payload_segs == 2 && pkt.payload_len == 1500 && q.st.bad_descs == 1,
		  "taken: %llu bad", (unsigned long long)q.st.bad_descs);
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == 0 && !fq_m.producer &&
		  dfq_m.producer == 2, "its chunks back on the dmabuf fill ring");
}

static void release_ok(void)
{
	struct xsk_devmem_pkt pkts[4];
	struct xsk_devmem_seg segs[16];
	struct xdm_rxq q;
	__u64 offs[2];

	rxq_init(&q, 16, 8, 0xfffffffeu);
	post_pkt(1, 42, 2, 1000, true);
	post_pkt(2, 42, 1, 10, true);
	CHECK_RET(xdm_rxq_recv(&q, pkts, 4, segs, 16) == 2, "recv");
	CHECK_RET(xdm_rxq_release(&q, pkts, 2, true, false) == 0, "release_hdr");
	CHECK_RET(fq_m.producer == 0 && dfq_m.producer == 0xfffffffeu,
	      "headers only: fq %#x dfq %#x", fq_m.producer, dfq_m.producer);
	CHECK_RET(xdm_prod_addr(&k_fq, 0xfffffffeu)[0] == FRAME &&
	      xdm_prod_addr(&k_fq, 0xffffffffu)[0] == 2 * FRAME, "header chunk bases");
	offs[0] = pkts[0].segs[1].addr;
	offs[1] = pkts[1].segs[0].addr;
	CHECK_RET(xdm_rxq_release_payload(&q, offs, 2) == 0, "release_payload");
	CHECK_RET(dfq_m.producer == 0 && xdm_prod_addr(&k_dfq, 0xffffffffu)[0] == AREA0 + 8 * CHUNK,
	      "payload offsets on the dmabuf fill ring");
	CHECK_RET(q.st.released_hdr_chunks == 2 && q.st.released_payload_chunks == 2, "counters");
}

static void release_bad(void)
{
	struct xsk_devmem_seg seg = { AREA0 + CHUNK, 100, XSK_DEVMEM_SEG_DMABUF };
	struct xsk_devmem_pkt pkt = { .hdr = hdr_area, .hdr_addr = FRAME, .nr_segs = 1,
				      .nr_payload_segs = 1,
				      .segs = &seg };
	const __u64 bad_offs[] = {
		AREA0 - CHUNK,			/* before the area */
		AREA0 + 32 * CHUNK,		/* after it */
		AREA0 + 1,			/* not a chunk start */
		~0ull,
	};
	struct xdm_rxq q;

	rxq_init(&q, 8, 4, 0);
	for (size_t i = 0; i < 4; i++) {
		seg.addr = bad_offs[i];
		CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == -EINVAL, "bad offset %zu", i);
		CHECK_RET(xdm_rxq_release_payload(&q, &bad_offs[i], 1) == -EINVAL, "bad %zu", i);
		CHECK_RET(fq_m.producer == 0 && dfq_m.producer == 0 && q.fq.cached_prod == 0 &&
		      q.dfq.cached_prod == 0, "bad input changed the rings");
	}
	seg.addr = AREA0;
	pkt.nr_payload_segs = 0;	/* counts that do not match the segments */
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == -EINVAL && fq_m.producer == 0 &&
	      q.fq.cached_prod == 0, "lying counts");
	pkt.nr_payload_segs = 2;
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == -EINVAL, "more payload than segments");
	pkt.nr_payload_segs = 1;
	pkt.hdr_addr = sizeof(hdr_area);
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == -EINVAL, "header outside the area");
	/* Full rings: -ENOSPC, and neither ring moves. */
	pkt.hdr_addr = 0;
	for (int i = 0; i < 4; i++)
		CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == 0, "release %d", i);
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == -ENOSPC, "full");
	CHECK_RET(fq_m.producer == 4 && dfq_m.producer == 4 && q.fq.cached_prod == 4,
	      "full ring changed: %u %u", fq_m.producer, q.fq.cached_prod);
	/* The dmabuf fill ring full alone: the fill ring must not move. */
	xdm_cons_peek(&k_fq, 4, &(__u32){0});
	xdm_cons_release(&k_fq);
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == -ENOSPC && q.fq.cached_prod == 4 &&
	      fq_m.producer == 4, "half-full pair changed the fill ring");
}

/* Zero copy: a payload descriptor names its bytes inside a chunk, and is
 * given back as it is; outside the area is still refused. */
static void release_zc(void)
{
	struct xsk_devmem_seg seg = { AREA0 + 3 * CHUNK + 100, 200, XSK_DEVMEM_SEG_DMABUF };
	struct xsk_devmem_pkt pkt = { .hdr = hdr_area, .hdr_addr = FRAME, .nr_segs = 1,
				      .nr_payload_segs = 1, .segs = &seg };
	const __u64 inside[] = { AREA0 + 1, AREA0 + 31 * CHUNK + CHUNK - 1 };
	const __u64 outside[] = { AREA0 - 1, AREA0 + 32 * CHUNK };
	struct xdm_rxq q;

	rxq_init(&q, 8, 8, 0);
	q.pay_align = 0;
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == 0, "zc release inside a chunk");
	CHECK_RET(xdm_prod_addr(&k_dfq, 0)[0] == AREA0 + 3 * CHUNK + 100,
		  "zc offset posted as given");
	CHECK_RET(xdm_rxq_release_payload(&q, inside, 2) == 0, "zc release_payload inside");
	for (size_t i = 0; i < 2; i++) {
		seg.addr = outside[i];
		CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == -EINVAL, "zc outside %zu", i);
		CHECK_RET(xdm_rxq_release_payload(&q, &outside[i], 1) == -EINVAL,
			  "zc payload outside %zu", i);
	}
	CHECK_RET(dfq_m.producer == 3, "zc: %u dmabuf fill entries, want 3", dfq_m.producer);
}

/* A packet with more segments than the dmabuf fill ring has entries. */
static void release_too_many(void)
{
	struct xsk_devmem_seg segs[9];
	struct xsk_devmem_pkt pkt = { .hdr = hdr_area, .hdr_addr = 0, .nr_segs = 9,
				      .nr_payload_segs = 9, .segs = segs };
	struct xdm_rxq q;

	rxq_init(&q, 8, 8, 0);
	for (int i = 0; i < 9; i++)
		segs[i] = (struct xsk_devmem_seg){ AREA0 + i * CHUNK, 100, XSK_DEVMEM_SEG_DMABUF };
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == -ENOSPC && fq_m.producer == 0 &&
		  dfq_m.producer == 0 && q.dfq.cached_prod == 0, "9 segments, a ring of 8");
	pkt.nr_segs = pkt.nr_payload_segs = 8;
	CHECK_RET(xdm_rxq_release(&q, &pkt, 1, true, true) == 0 && fq_m.producer == 1 &&
		  dfq_m.producer == 8, "8 segments fill it");
}

/*
 * release against a model, on random batches: packets of every shape
 * (split over dmabuf chunks, whole over host chunks, header only, no
 * header), sometimes one bad address or lying count, rings with random
 * room, indices near the 2^32 wrap. The model: -EINVAL if an entry is bad,
 * -ENOSPC if a ring lacks the room, either one when both; 0 and the chunk
 * bases in order on each ring otherwise. An error changes nothing.
 */
static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) % n;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The n entries from index first of ring m are the chunks of want, in any
 * order: a fill ring is a set of free chunks (headers and host segments
 * may be written in either order).
 */
static bool same_entries(const struct mem_ring *m, __u32 first, __u32 size, __u64 *want, __u32 n)
{
	__u64 got[16 * 5];

	for (__u32 k = 0; k < n; k++)
		got[k] = m->entries[(first + k) & (size - 1)];
	qsort(got, n, sizeof(*got), cmp_u64);
	qsort(want, n, sizeof(*want), cmp_u64);
	return !memcmp(got, want, n * sizeof(*got));
}

static void release_model(void)
{
	static struct xsk_devmem_pkt pkts[16];
	static struct xsk_devmem_seg segs[16 * 4];
	unsigned int seed = 42, ok = 0, einval = 0, enospc = 0;

	for (int iter = 0; iter < 20000; iter++) {
		__u32 start = 0u - rnd(&seed, 80), size = 64, idx, f0, d0, nf = 0, nd = 0;
		__u64 want_f[16 * 5], want_d[16 * 4];
		unsigned int n = 1 + rnd(&seed, 16), ns = 0, fill_f, fill_d;
		bool bad = false, room;
		struct xdm_rxq q;
		int ret;

		rxq_init(&q, 16, size, start);
		/* Entries released before and not yet taken by the kernel. */
		fill_f = rnd(&seed, 3) ? rnd(&seed, 8) : rnd(&seed, size + 1);
		fill_d = rnd(&seed, 3) ? rnd(&seed, 8) : rnd(&seed, size + 1);
		xdm_prod_reserve(&q.fq, fill_f, &idx);
		xdm_prod_submit(&q.fq);
		xdm_prod_reserve(&q.dfq, fill_d, &idx);
		xdm_prod_submit(&q.dfq);
		f0 = fq_m.producer;
		d0 = dfq_m.producer;

		for (unsigned int i = 0; i < n; i++) {
			struct xsk_devmem_pkt *p = &pkts[i];
			unsigned int shape = rnd(&seed, 8), nseg = 0, npay = 0;
			__u64 frame = rnd(&seed, 64);

			*p = (struct xsk_devmem_pkt){ .hdr = hdr_area + frame * FRAME,
						      .hdr_addr = frame * FRAME + rnd(&seed, FRAME),
						      .segs = &segs[ns] };
			if (shape == 7) {	/* no header: a bad descriptor */
				p->hdr = NULL;
				p->hdr_addr = 0;
			} else {
				want_f[nf++] = frame * FRAME;
			}
			if (shape >= 3) {	/* split */
				nseg = npay = 1 + rnd(&seed, 4);
				for (unsigned int k = 0; k < nseg; k++) {
					__u64 c = AREA0 + rnd(&seed, 32) * CHUNK;

					segs[ns + k] = (struct xsk_devmem_seg){ c, 100,
										XSK_DEVMEM_SEG_DMABUF };
					want_d[nd++] = c;
				}
			} else if (shape == 2) {	/* whole, more host chunks */
				nseg = 1 + rnd(&seed, 3);
				for (unsigned int k = 0; k < nseg; k++) {
					__u64 f = rnd(&seed, 64);

					segs[ns + k] = (struct xsk_devmem_seg){ f * FRAME, 2048, 0 };
					want_f[nf++] = f * FRAME;
				}
			}
			p->nr_segs = nseg;
			p->nr_payload_segs = npay;
			ns += nseg;
		}
		if (!rnd(&seed, 6)) {	/* one thing wrong */
			struct xsk_devmem_pkt *p = &pkts[rnd(&seed, n)];
			unsigned int what = rnd(&seed, 5);

			bad = true;
			if (what == 0 && p->hdr) {
				p->hdr_addr = sizeof(hdr_area) + rnd(&seed, 3) * FRAME;
			} else if (what == 1 && p->nr_segs) {
				struct xsk_devmem_seg *sg = &p->segs[rnd(&seed, p->nr_segs)];
				const __u64 wrong[] = {
					AREA0 - CHUNK,		/* before the area */
					AREA0 + 32 * CHUNK,	/* after it */
					sg->addr + 1 + rnd(&seed, CHUNK - 1),	/* inside a chunk */
					~0ull - CHUNK + 1,
				};

				sg->addr = sg->flags ? wrong[rnd(&seed, 4)]
						     : sizeof(hdr_area) + sg->addr;
			} else if (what == 2) {
				p->nr_payload_segs += 1;
			} else if (what == 3 && p->nr_payload_segs) {
				p->nr_payload_segs -= 1;
			} else if (what == 4 && p->nr_segs && !p->nr_payload_segs) {
				p->nr_payload_segs = p->nr_segs;	/* host chunks called payload */
			} else {
				bad = false;
			}
		}
		room = nf <= size - fill_f && nd <= size - fill_d;
		ret = xdm_rxq_release(&q, pkts, n, true, true);
		if (bad && !room)
			CHECK_RET(ret == -EINVAL || ret == -ENOSPC, "iter %d: bad and full: %d", iter, ret);
		else
			CHECK_RET(ret == (bad ? -EINVAL : room ? 0 : -ENOSPC),
				  "iter %d: %d (bad %d, room %d)", iter, ret, bad, room);
		if (ret) {
			CHECK_RET(fq_m.producer == f0 && dfq_m.producer == d0 &&
				  q.fq.cached_prod == f0 && q.dfq.cached_prod == d0,
				  "iter %d: an error changed the rings", iter);
			einval += ret == -EINVAL;
			enospc += ret == -ENOSPC;
			continue;
		}
		ok++;
		CHECK_RET(fq_m.producer == f0 + nf && dfq_m.producer == d0 + nd,
			  "iter %d: published %u/%u, want %u/%u", iter, fq_m.producer - f0,
			  dfq_m.producer - d0, nf, nd);
		CHECK_RET(same_entries(&fq_m, f0, size, want_f, nf), "iter %d: fill ring", iter);
		CHECK_RET(same_entries(&dfq_m, d0, size, want_d, nd), "iter %d: dmabuf fill ring",
			  iter);
	}
	/* Each outcome is drawn often enough to mean something. */
	CHECK_RET(ok > 5000 && einval > 1000 && enospc > 500, "outcomes: %u ok, %u -EINVAL, %u -ENOSPC",
		  ok, einval, enospc);
}

/* --- in order: peek and release_peeked ------------------------------------ */

static void peek_basic(void)
{
	const __u32 start = 0xfffffffcu;	/* the indices wrap on the way */
	struct xsk_devmem_pkt pkts[8];
	struct xsk_devmem_seg segs[16];
	struct xdm_rxq q;
	int n;

	rxq_init(&q, 16, 16, start);
	post_pkt(1, 42, 2, 1000, true);		/* 3 descriptors */
	post_pkt(2, 60, 0, 0, true);		/* 1 */
	post_pkt(3, 42, 3, 4096, true);		/* 4 */
	post_pkt(4, 60, 0, 0, true);		/* 1 */
	n = xdm_rxq_peek(&q, pkts, 2, segs, 16);
	CHECK_RET(n == 2 && pkts[0].nr_segs == 2 && pkts[0].payload_len == 2000 &&
		  pkts[1].hdr_len == 60 && pkts[1].nr_segs == 0, "peek 2: %d", n);
	CHECK_RET(rx_m.consumer == start, "peek published the RX consumer index");
	CHECK_RET(xdm_rxq_recv(&q, pkts, 8, segs, 16) == -EBUSY, "recv while packets are held");
	n = xdm_rxq_peek(&q, pkts, 8, segs, 16);
	CHECK_RET(n == 2 && pkts[0].nr_segs == 3 && pkts[0].segs[2].addr == AREA0 + 14 * CHUNK &&
		  pkts[1].hdr == hdr_area + 4 * FRAME + 256, "peek goes on after the held: %d", n);
	CHECK_RET(q.held_pkts == 4 && !q.held_irregular, "held %u", q.held_pkts);
	CHECK_RET(xdm_rxq_release_peeked(&q, 5) == -EINVAL && rx_m.consumer == start &&
		  fq_m.producer == start && q.held_pkts == 4, "more than are held");
	CHECK_RET(xdm_rxq_release_peeked(&q, 1) == 0 && rx_m.consumer == start + 3 &&
		  fq_m.producer == start + 1 && dfq_m.producer == start + 2, "the oldest");
	CHECK_RET(*xdm_prod_addr(&k_fq, start) == FRAME &&
		  *xdm_prod_addr(&k_dfq, start) == AREA0 + 4 * CHUNK &&
		  *xdm_prod_addr(&k_dfq, start + 1) == AREA0 + 5 * CHUNK, "its chunks");
	CHECK_RET(xdm_rxq_release_peeked(&q, 3) == 0 && rx_m.consumer == start + 9 &&
		  fq_m.producer == start + 4 && dfq_m.producer == start + 5 && !q.held_pkts,
		  "the rest");
	CHECK_RET(*xdm_prod_addr(&k_fq, start + 3) == 4 * FRAME &&
		  *xdm_prod_addr(&k_dfq, start + 4) == AREA0 + 14 * CHUNK, "in order");
	CHECK_RET(q.st.released_hdr_chunks == 4 && q.st.released_payload_chunks == 5 &&
		  q.st.packets == 4, "counters");
	CHECK_RET(xdm_rxq_release_peeked(&q, 0) == 0 && xdm_rxq_recv(&q, pkts, 8, segs, 16) == 0,
		  "nothing held: recv again");
	post_pkt(5, 42, 3, 100, true);
	CHECK_RET(xdm_rxq_peek(&q, pkts, 8, segs, 2) == -ENOBUFS && !q.held_pkts &&
		  rx_m.consumer == start + 9, "-ENOBUFS holds nothing");
	CHECK_RET(xdm_rxq_peek(&q, pkts, 8, segs, 3) == 1 && q.held_pkts == 1, "then it fits");
}

/* Full fill rings: -ENOSPC, and nothing moves, neither ring nor RX. */
static void peek_full(void)
{
	struct xsk_devmem_pkt pkts[4];
	struct xsk_devmem_seg segs[8];
	struct xdm_rxq q;
	__u32 idx;

	rxq_init(&q, 16, 4, 0);
	xdm_prod_reserve(&q.fq, 3, &idx);	/* room for one header */
	xdm_prod_submit(&q.fq);
	xdm_prod_reserve(&q.dfq, 4, &idx);	/* none for payload */
	xdm_prod_submit(&q.dfq);
	post_pkt(0, 60, 0, 0, true);
	post_pkt(1, 60, 0, 0, true);
	post_pkt(2, 42, 2, 100, true);
	CHECK_RET(xdm_rxq_peek(&q, pkts, 4, segs, 8) == 3, "peek");
	CHECK_RET(xdm_rxq_release_peeked(&q, 3) == -ENOSPC && xdm_rxq_release_peeked(&q, 2) ==
		  -ENOSPC && rx_m.consumer == 0 && fq_m.producer == 3 && dfq_m.producer == 4 &&
		  q.held_pkts == 3, "no room: nothing moves");
	CHECK_RET(xdm_rxq_release_peeked(&q, 1) == 0 && rx_m.consumer == 1 &&
		  fq_m.producer == 4 && q.held_pkts == 2, "room for one");
	xdm_cons_peek(&k_fq, 4, &idx);		/* the kernel takes the fill ring */
	xdm_cons_release(&k_fq);
	CHECK_RET(xdm_rxq_release_peeked(&q, 2) == -ENOSPC && fq_m.producer == 4 &&
		  rx_m.consumer == 1, "the dmabuf fill ring still full: the fill ring stays");
	xdm_cons_peek(&k_dfq, 2, &idx);
	xdm_cons_release(&k_dfq);
	CHECK_RET(xdm_rxq_release_peeked(&q, 2) == 0 && fq_m.producer == 6 &&
		  dfq_m.producer == 6 && rx_m.consumer == 5 && !q.held_pkts, "then both");
}

/*
 * peek and release_peeked against a model, on random traffic: packets of
 * every shape (split, header only, whole over host chunks, no header),
 * random peek limits (packets, segments), random releases of the oldest
 * held (sometimes more than are held), a kernel that takes fill ring
 * entries at random, indices across the 2^32 wrap. The model keeps each
 * packet's chunks; a release must put exactly those of the n oldest on
 * the rings, in order, and free their RX slots, or fail and change nothing.
 */
struct model_pkt {
	__u32 ndesc, nseg, npay, nf, nd;
	__u64 hdr_addr, f[4], d[4];
};

static void post_model_pkt(struct model_pkt *m, unsigned int *seed)
{
	struct xdm_desc d[5];
	unsigned int shape = rnd(seed, 8), k;

	*m = (struct model_pkt){ 0 };
	if (shape < 7) {
		__u64 frame = rnd(seed, 64);

		m->hdr_addr = frame * FRAME + rnd(seed, FRAME);
		m->f[m->nf++] = frame * FRAME;
		d[m->ndesc++] = (struct xdm_desc){ m->hdr_addr, 60, 0 };
	}
	k = shape == 0 ? 0 : 1 + rnd(seed, shape == 7 ? 3 : 4);
	for (unsigned int s = 0; s < k; s++) {
		bool host = shape == 6 && s < 2;	/* whole: host segments */
		__u64 a = host ? rnd(seed, 64) * FRAME : AREA0 + rnd(seed, 32) * CHUNK;

		if (host)
			m->f[m->nf++] = a;
		else
			m->d[m->nd++] = a;
		d[m->ndesc++] = (struct xdm_desc){ a, host ? 2048 : 1000, host ? 0 : DMABUF };
		m->nseg++;
		m->npay += !host;
	}
	for (unsigned int i = 0; i + 1 < m->ndesc; i++)
		d[i].options |= CONTD;
	post_chain(d, m->ndesc);
}

static void peek_model(void)
{
	static struct xsk_devmem_pkt pkts[8];
	static struct xsk_devmem_seg segs[24];
	const __u32 start = 0u - 100, fsize = 16;
	struct model_pkt m[64];			/* posted, not released: oldest at head */
	unsigned int seed = 11, head = 0, nposted = 0, npeeked = 0;
	unsigned int ok = 0, enospc = 0, einval = 0, enobufs = 0, taken = 0;
	struct xdm_rxq q;

	rxq_init(&q, 32, fsize, start);
	for (int iter = 0; iter < 20000; iter++) {
		bool irregular = false;
		__u32 idx;

		/* The kernel: packets while the RX ring has room. */
		for (unsigned int r = rnd(&seed, 3); r; r--) {
			struct model_pkt *mp = &m[(head + nposted) % 64];

			if (xdm_prod_nb_free(&k_rx, 5) < 5)
				break;
			post_model_pkt(mp, &seed);
			nposted++;
		}
		/* The kernel takes fill ring entries. */
		if (rnd(&seed, 2)) {
			xdm_cons_peek(&k_fq, rnd(&seed, fsize + 1), &idx);
			xdm_cons_release(&k_fq);
			xdm_cons_peek(&k_dfq, rnd(&seed, fsize + 1), &idx);
			xdm_cons_release(&k_dfq);
		}
		if (rnd(&seed, 2) && npeeked < nposted) {
			unsigned int max = 1 + rnd(&seed, 8), max_segs = 1 + rnd(&seed, 24);
			unsigned int want = 0, nsegs = 0;
			int n;

			while (npeeked + want < nposted && want < max) {
				const struct model_pkt *mp = &m[(head + npeeked + want) % 64];

				if (nsegs + mp->nseg > max_segs)
					break;
				nsegs += mp->nseg;
				want++;
			}
			n = xdm_rxq_peek(&q, pkts, max, segs, max_segs);
			if (!want) {
				CHECK_RET(n == -ENOBUFS && q.held_pkts == npeeked,
					  "iter %d: a packet larger than segs: %d", iter, n);
				enobufs++;
			} else {
				CHECK_RET(n == (int)want, "iter %d: peek %d, want %u", iter, n, want);
			}
			for (int i = 0; i < n; i++) {
				const struct model_pkt *mp = &m[(head + npeeked + i) % 64];

				CHECK_RET(pkts[i].hdr_addr == mp->hdr_addr &&
					  pkts[i].nr_segs == mp->nseg &&
					  pkts[i].nr_payload_segs == mp->npay,
					  "iter %d: packet %d is not the one posted", iter, i);
			}
			if (n > 0) {
				npeeked += n;
				taken += n;
			}
		}
		/* Not one header and dmabuf chunks: the fast path must not
		 * count on it. */
		for (unsigned int i = 0; i < npeeked; i++)
			irregular |= m[(head + i) % 64].nf != 1;
		CHECK_RET(q.held_pkts == npeeked && (q.held_irregular || !irregular),
			  "iter %d: held %u, want %u, irregular %d", iter, q.held_pkts, npeeked,
			  irregular);
		if (rnd(&seed, 2)) {
			unsigned int n = rnd(&seed, npeeked + 2), nf = 0, nd = 0, ndesc = 0;
			__u32 f0 = fq_m.producer, d0 = dfq_m.producer, r0 = rx_m.consumer;
			bool room;
			int ret;

			for (unsigned int i = 0; i < n && i < npeeked; i++) {
				nf += m[(head + i) % 64].nf;
				nd += m[(head + i) % 64].nd;
				ndesc += m[(head + i) % 64].ndesc;
			}
			room = nf <= fsize - (fq_m.producer - fq_m.consumer) &&
			       nd <= fsize - (dfq_m.producer - dfq_m.consumer);
			ret = xdm_rxq_release_peeked(&q, n);
			if (n > npeeked || !room) {
				CHECK_RET(ret == (n > npeeked ? -EINVAL : -ENOSPC) &&
					  fq_m.producer == f0 && dfq_m.producer == d0 &&
					  rx_m.consumer == r0 && q.held_pkts == npeeked,
					  "iter %d: release %u of %u: %d, or the rings moved", iter, n,
					  npeeked, ret);
				einval += ret == -EINVAL;
				enospc += ret == -ENOSPC;
				continue;
			}
			CHECK_RET(ret == 0 && fq_m.producer == f0 + nf && dfq_m.producer == d0 + nd &&
				  rx_m.consumer == r0 + ndesc, "iter %d: release %u: %d", iter, n, ret);
			for (; n; n--, head = (head + 1) % 64, nposted--, npeeked--) {
				const struct model_pkt *mp = &m[head];

				for (unsigned int k = 0; k < mp->nf; k++, f0++)
					CHECK_RET(*xdm_prod_addr(&k_fq, f0) == mp->f[k],
						  "iter %d: fill ring entry %u", iter, k);
				for (unsigned int k = 0; k < mp->nd; k++, d0++)
					CHECK_RET(*xdm_prod_addr(&k_dfq, d0) == mp->d[k],
						  "iter %d: dmabuf fill ring entry %u", iter, k);
			}
			ok++;
		}
	}
	printf("peek_model: %u ok, %u -ENOSPC, %u -EINVAL, %u -ENOBUFS, %u packets\n", ok,
	       enospc, einval, enobufs, taken);
	CHECK_RET(ok > 3000 && enospc > 300 && einval > 300 && enobufs > 100 && taken > 10000,
		  "outcomes: %u ok, %u -ENOSPC, %u -EINVAL, %u -ENOBUFS, %u packets", ok, enospc,
		  einval, enobufs, taken);
}

static void completed(void)
{
	struct xdm_rxq q;
	__u64 offs[8];
	__u32 idx;

	rxq_init(&q, 8, 8, 0xfffffffdu);
	xdm_prod_reserve(&k_dcq, 5, &idx);
	for (__u32 i = 0; i < 5; i++)
		*xdm_prod_addr(&k_dcq, idx + i) = AREA0 + i * CHUNK;
	xdm_prod_submit(&k_dcq);
	CHECK_RET(xdm_rxq_completed(&q, offs, 3) == 3 && offs[2] == AREA0 + 2 * CHUNK, "first 3");
	CHECK_RET(xdm_rxq_completed(&q, offs, 8) == 2 && offs[1] == AREA0 + 4 * CHUNK, "last 2");
	CHECK_RET(xdm_rxq_completed(&q, offs, 8) == 0 && q.st.completed_chunks == 5, "none");
	CHECK_RET(xdm_rxq_post_chunks(&q, offs, 2) == 2 && dfq_m.producer == 0xffffffffu, "post");
	CHECK_RET(xdm_rxq_post_frames(&q, (__u64[]){ 0, FRAME }, 2) == 2, "post frames");
}

int main(void)
{
	ring_wrap();
	ring_partial();
	rx_split();
	rx_limits();
	rx_whole_multi();
	rx_mixed();
	rx_no_header();
	release_ok();
	release_bad();
	release_zc();
	release_too_many();
	release_model();
	peek_basic();
	peek_full();
	peek_model();
	completed();
	return check_report("lib_ring");
}
