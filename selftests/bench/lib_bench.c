// SPDX-License-Identifier: GPL-2.0
/*
 * lib_bench: the receive/release overhead of libxsk-devmem's data path in
 * descriptors per second on one core, on a simulated ring set (no kernel),
 * against the same loop written with libxdp's xsk_ring_* inline helpers
 * (<xdp/xsk.h>), in the same run (make bench-lib, part of make bench).
 *
 * Each round, a simulated kernel (the same code for both) takes chunks off
 * the fill and dmabuf fill rings and posts BATCH packets as descriptor
 * chains: one header descriptor and SEGS payload descriptors. Then the
 * application side under test takes the packets (header pointer, length,
 * payload segments) and returns every chunk:
 *
 *   library: xdm_rxq_recv() + xdm_rxq_release(), the code behind
 *            xsk_devmem_socket__recv()/__release()
 *   in order: xdm_rxq_peek() + xdm_rxq_release_peeked(), the code behind
 *            xsk_devmem_socket__peek()/__release_peeked()
 *   libxdp:  xsk_ring_cons__peek, a walk over the descriptors filling the
 *            same packet array, xsk_ring_prod__reserve/fill_addr/submit on
 *            both fill rings, xsk_ring_cons__release
 *
 * The rings are laid out as the kernel maps them (page aligned, indices on
 * cache lines of their own). The three loops run interleaved, REPS times
 * each, each of them first in turn; the best time of each is reported:
 * on a shared machine, noise only ever adds time.
 *
 *   lib_bench [-r ROUNDS] [-R REPS] [-b BATCH] [-s SEGS]
 *
 * -s runs one packet shape only (SEGS payload descriptors), e.g. under
 * valgrind --tool=callgrind for instruction counts per shape
 * (scripts/bench-lib.sh does both).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include "xsk_devmem_rx.h"

#define RING	2048u
#define FRAME	2048u
#define CHUNK	4096u
#define CONTD	1u
#define DMABUF	4u

/*
 * A ring as the kernel lays it out in its own mapping (struct xdp_ring in
 * net/xdp/xsk_queue.h): page aligned, producer, consumer and flags each on
 * a cache line pair of their own, the entries after them.
 */
struct shared {
	__u32 producer __attribute__((aligned(128)));
	__u32 consumer __attribute__((aligned(128)));
	__u32 flags __attribute__((aligned(128)));
	__u64 entries[2 * RING] __attribute__((aligned(128)));	/* room for RING descriptors */
};

static struct shared rx_s __attribute__((aligned(4096))), fq_s __attribute__((aligned(4096))),
	dfq_s __attribute__((aligned(4096)));
static __u8 hdr_area[RING * FRAME];
static struct xsk_devmem_pkt pkts[256];
static struct xsk_devmem_seg segs[1024];
static unsigned int batch = 64, nsegs;

/* The simulated kernel's ends of the rings. */
static struct xdm_ring k_rx, k_fq, k_dfq;

static __attribute__((noinline)) void kernel_round(void)
{
	__u32 idx = 0, fidx = 0, didx = 0, ndesc = 1 + nsegs;

	if (xdm_prod_reserve(&k_rx, batch * ndesc, &idx) != batch * ndesc ||
	    xdm_cons_peek(&k_fq, batch, &fidx) != batch ||
	    xdm_cons_peek(&k_dfq, batch * nsegs, &didx) != batch * nsegs) {
		fprintf(stderr, "lib_bench: rings out of step\n");
		exit(1);
	}
	for (__u32 p = 0; p < batch; p++) {
		*xdm_prod_desc(&k_rx, idx++) = (struct xdm_desc){
			xdm_cons_addr(&k_fq, fidx++) + 256, 42, nsegs ? CONTD : 0 };
		for (__u32 s = 0; s < nsegs; s++)
			*xdm_prod_desc(&k_rx, idx++) = (struct xdm_desc){
				xdm_cons_addr(&k_dfq, didx++), 4096,
				DMABUF | (s + 1 < nsegs ? CONTD : 0) };
	}
	xdm_cons_release(&k_fq);
	xdm_cons_release(&k_dfq);
	xdm_prod_submit(&k_rx);
}

static void reset_rings(struct xdm_rxq *q)
{
	memset(&rx_s, 0, sizeof(rx_s));
	memset(&fq_s, 0, sizeof(fq_s));
	memset(&dfq_s, 0, sizeof(dfq_s));
	xdm_ring_init_prod(&k_rx, RING, &rx_s.producer, &rx_s.consumer, &rx_s.flags, rx_s.entries);
	xdm_ring_init_cons(&k_fq, RING, &fq_s.producer, &fq_s.consumer, &fq_s.flags, fq_s.entries);
	xdm_ring_init_cons(&k_dfq, RING, &dfq_s.producer, &dfq_s.consumer, &dfq_s.flags,
			   dfq_s.entries);
	memset(q, 0, sizeof(*q));
	xdm_ring_init_cons(&q->rx, RING, &rx_s.producer, &rx_s.consumer, &rx_s.flags, rx_s.entries);
	xdm_ring_init_prod(&q->fq, RING, &fq_s.producer, &fq_s.consumer, &fq_s.flags, fq_s.entries);
	xdm_ring_init_prod(&q->dfq, RING, &dfq_s.producer, &dfq_s.consumer, &dfq_s.flags,
			   dfq_s.entries);
	q->hdr_area = hdr_area;
	q->hdr_size = sizeof(hdr_area);
	q->frame_mask = ~(__u64)(FRAME - 1);
	q->area_start = 0;
	q->area_end = (__u64)RING * CHUNK;
	q->chunk_mask = ~(__u64)(CHUNK - 1);
	q->pay_align = ~q->chunk_mask;
	q->fd = -1;
	/* Every chunk on the fill rings, as a socket starts. */
	for (__u32 i = 0; i < RING; i++) {
		fq_s.entries[i] = (__u64)i * FRAME;
		dfq_s.entries[i] = (__u64)i * CHUNK;
	}
	fq_s.producer = dfq_s.producer = RING;
	q->fq.cached_prod = q->dfq.cached_prod = RING;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static __u64 sink;

/* The library's loop: recv + release, or the in-order peek + release_peeked. */
static inline __attribute__((always_inline)) double run_lib(unsigned long rounds, bool in_order)
{
	struct xdm_rxq q;
	double t0;

	reset_rings(&q);
	t0 = now();
	for (unsigned long r = 0; r < rounds; r++) {
		int n;

		kernel_round();
		n = in_order ? xdm_rxq_peek(&q, pkts, batch, segs, 1024) :
		    xdm_rxq_recv(&q, pkts, batch, segs, 1024);
		if (n != (int)batch ||
		    (in_order ? xdm_rxq_release_peeked(&q, n) :
		     xdm_rxq_release(&q, pkts, n, true, true)))
			exit(1);
		sink += pkts[n - 1].len;
	}
	return now() - t0;
}

/* Out of line, each under its own name (scripts/bench-lib.sh counts them). */
static __attribute__((noinline)) double run_library(unsigned long rounds)
{
	return run_lib(rounds, false);
}

static __attribute__((noinline)) double run_in_order(unsigned long rounds)
{
	return run_lib(rounds, true);
}

/*
 * The libxdp rings over the same memory. Out of line and behind a compiler
 * barrier, as xsk_socket__create() is for an application: ring sizes and
 * addresses are run-time values there. Built inline, GCC folded them into
 * constants in the loop below (masks, absolute addresses), an advantage no
 * real application has.
 */
static __attribute__((noinline)) void libxdp_rings(struct xsk_ring_cons *rx,
						struct xsk_ring_prod *fq,
						struct xsk_ring_prod *dfq)
{
	*rx = (struct xsk_ring_cons){ 0, 0, RING - 1, RING, &rx_s.producer, &rx_s.consumer,
				      rx_s.entries, &rx_s.flags };
	*fq = (struct xsk_ring_prod){ RING, RING, RING - 1, RING, &fq_s.producer,
				      &fq_s.consumer, fq_s.entries, &fq_s.flags };
	*dfq = (struct xsk_ring_prod){ RING, RING, RING - 1, RING, &dfq_s.producer,
				       &dfq_s.consumer, dfq_s.entries, &dfq_s.flags };
}

/* The same loop with libxdp's helpers, over the same memory. */
static __attribute__((noinline)) double run_libxdp(unsigned long rounds)
{
	struct xsk_ring_cons rx;
	struct xsk_ring_prod fq, dfq;
	struct xdm_rxq q;
	double t0;

	reset_rings(&q);
	libxdp_rings(&rx, &fq, &dfq);
	__asm__ __volatile__("" : : "r"(&rx), "r"(&fq), "r"(&dfq) : "memory");
	t0 = now();
	for (unsigned long r = 0; r < rounds; r++) {
		__u32 idx, fidx, didx, n, np = 0, ns = 0, nh = 0, nd = 0, i;

		kernel_round();
		n = xsk_ring_cons__peek(&rx, RING, &idx);
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rx, idx + i);
			struct xsk_devmem_pkt *p = &pkts[np];

			p->hdr = xsk_umem__get_data(hdr_area, d->addr);
			p->hdr_addr = d->addr;
			p->hdr_len = p->len = d->len;
			p->payload_len = 0;
			p->segs = &segs[ns];
			p->nr_segs = 0;
			p->nr_payload_segs = 0;
			nh++;
			while (d->options & XDP_PKT_CONTD) {
				d = xsk_ring_cons__rx_desc(&rx, idx + ++i);
				segs[ns].addr = d->addr;
				segs[ns].len = d->len;
				segs[ns].flags = d->options & DMABUF ? XSK_DEVMEM_SEG_DMABUF : 0;
				p->payload_len += d->len;
				p->len += d->len;
				p->nr_segs++;
				p->nr_payload_segs += !!(d->options & DMABUF);
				ns++;
				nd++;
			}
			np++;
		}
		xsk_ring_cons__release(&rx, n);
		if (xsk_ring_prod__reserve(&fq, nh, &fidx) != nh ||
		    xsk_ring_prod__reserve(&dfq, nd, &didx) != nd)
			exit(1);
		for (i = 0; i < np; i++) {
			*xsk_ring_prod__fill_addr(&fq, fidx++) = pkts[i].hdr_addr & ~(__u64)(FRAME - 1);
			for (__u32 s = 0; s < pkts[i].nr_segs; s++)
				*xsk_ring_prod__fill_addr(&dfq, didx++) = pkts[i].segs[s].addr;
		}
		xsk_ring_prod__submit(&fq, nh);
		xsk_ring_prod__submit(&dfq, nd);
		sink += pkts[np - 1].len;
	}
	return now() - t0;
}

static double best(const double *t, unsigned int n)
{
	double min = t[0];

	for (unsigned int i = 1; i < n; i++)
		min = t[i] < min ? t[i] : min;
	return min;
}

int main(int argc, char **argv)
{
	unsigned long rounds = 20000;
	unsigned int reps = 45, smin = 0, smax = 2;
	int c;

	while ((c = getopt(argc, argv, "r:R:b:s:")) != -1) {
		switch (c) {
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		case 'R': reps = strtoul(optarg, NULL, 0); break;
		case 'b': batch = strtoul(optarg, NULL, 0); break;
		case 's': smin = smax = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: lib_bench [-r ROUNDS] [-R REPS] [-b BATCH] [-s SEGS]\n");
			return 2;
		}
	}
	if (!batch || batch > 256 || reps < 1 || reps > 64 || smax > 2) {
		fprintf(stderr, "lib_bench: batch 1..256, reps 1..64, segs 0..2\n");
		return 2;
	}
	printf("== libxsk-devmem ring overhead: receive + release on simulated rings, one core\n");
	printf("%-16s %11s %11s %11s %8s %8s\n", "packet", "recv+rel", "peek+relp", "libxdp",
	       "rel/xdp", "relp/xdp");
	for (nsegs = smin; nsegs <= smax; nsegs++) {
		double lib[64], ord[64], xdp[64], desc, tl, to, tx;

		if (batch * (1 + nsegs) > RING / 2)
			continue;
		for (unsigned int r = 0; r < reps; r++) {
			/* Each of the three goes first in turn. */
			for (unsigned int k = 0; k < 3; k++) {
				switch ((r + k) % 3) {
				case 0: lib[r] = run_library(rounds); break;
				case 1: ord[r] = run_in_order(rounds); break;
				case 2: xdp[r] = run_libxdp(rounds); break;
				}
			}
		}
		tl = best(lib, reps);
		to = best(ord, reps);
		tx = best(xdp, reps);
		desc = (double)rounds * batch * (1 + nsegs) / 1e6;
		printf("hdr + %u payload %7.1f M/s %7.1f M/s %7.1f M/s %8.2f %8.2f\n", nsegs,
		       desc / tl, desc / to, desc / tx, tx / tl, tx / to);
	}
	printf("(descriptors/s, best of %u interleaved runs of %lu rounds x %u packets;\n"
	       " recv+rel: recv() + release(pkts), any order, every address checked;\n"
	       " peek+relp: peek() + release_peeked(n), in order; x/xdp > 1: faster than libxdp)\n",
	       reps, rounds, batch);
	return sink == 42;
}
