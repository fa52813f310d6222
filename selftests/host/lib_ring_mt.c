// SPDX-License-Identifier: GPL-2.0
/*
 * lib_ring_mt: libxsk-devmem's rings with a producer and a consumer in two
 * threads, built twice: with ASan/UBSan (lib_ring_mt) and with TSan
 * (lib_ring_mt.tsan), which checks the memory-ordering argument of
 * user/xsk_devmem_ring.h.
 *
 *   1. a plain ring: -n entries (default 4M) in random batch sizes; every
 *      value arrives in order, once
 *   2. the data path: a "kernel" thread takes chunks off the two fill
 *      rings, writes a packet's sequence number into its header chunk and
 *      into each of its payload chunks (an array standing in for the
 *      dmabuf), posts the descriptor chain; the application thread
 *      receives with xdm_rxq_recv(), checks every chunk's contents and
 *      releases them (both rings at once, or headers and payload apart),
 *      in turns with xdm_rxq_peek() and xdm_rxq_release_peeked() of a
 *      random number of the oldest packets held (the RX ring slots stay
 *      the application's until then).
 *      -p packets (default 1M)
 *
 *   lib_ring_mt [-n ENTRIES] [-p PACKETS]
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xsk_devmem_rx.h"

struct shared {
	__u32 producer, consumer, flags;
	__u32 pad;
	__u64 entries[];
};

static struct shared *shared_new(__u32 entries, size_t entry_size)
{
	struct shared *s = calloc(1, sizeof(*s) + (size_t)entries * entry_size);

	if (!s)
		abort();
	/* Start close to the u32 wrap so that it is crossed. */
	s->producer = s->consumer = 0u - 1000;
	return s;
}

static __u32 rnd(__u32 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* --- 1. a plain ring ------------------------------------------------------ */

#define RING	1024
static struct shared *plain;
static __u64 total_entries = 4u << 20;

static void *plain_producer(void *arg)
{
	struct xdm_ring r;
	__u32 seed = 1, idx;
	__u64 next = 0;

	(void)arg;
	xdm_ring_init_prod(&r, RING, &plain->producer, &plain->consumer, &plain->flags,
			   plain->entries);
	while (next < total_entries) {
		__u32 n = 1 + rnd(&seed) % 64;

		if (n > total_entries - next)
			n = total_entries - next;
		if (xdm_prod_reserve(&r, n, &idx) != n)
			continue;
		for (__u32 i = 0; i < n; i++)
			*xdm_prod_addr(&r, idx + i) = next++;
		xdm_prod_submit(&r);
	}
	return NULL;
}

static int plain_test(void)
{
	struct xdm_ring r;
	pthread_t t;
	__u32 seed = 7, idx;
	__u64 next = 0;

	plain = shared_new(RING, sizeof(__u64));
	xdm_ring_init_cons(&r, RING, &plain->producer, &plain->consumer, &plain->flags,
			   plain->entries);
	pthread_create(&t, NULL, plain_producer, NULL);
	while (next < total_entries) {
		__u32 n = xdm_cons_peek(&r, 1 + rnd(&seed) % 128, &idx);

		for (__u32 i = 0; i < n; i++) {
			__u64 v = xdm_cons_addr(&r, idx + i);

			if (v != next) {
				fprintf(stderr, "plain ring: got %llu, want %llu\n",
					(unsigned long long)v, (unsigned long long)next);
				exit(1);
			}
			next++;
		}
		if (n)
			xdm_cons_release(&r);
	}
	pthread_join(t, NULL);
	printf("plain ring: %llu entries in order\n", (unsigned long long)next);
	free(plain);
	return 0;
}

/* --- 2. the data path ----------------------------------------------------- */

#define FRAME	2048u
#define NFRAMES	256u
#define CHUNK	4096u
#define NCHUNKS	512u
#define QSIZE	256u		/* fill rings: room for every chunk */
#define RXSIZE	512u
#define CONTD	1u
#define DMABUF	4u

static struct shared *rx_s, *fq_s, *dfq_s, *dcq_s;
static __u8 *hdr_area;
static __u64 *dmabuf;		/* one u64 per chunk: the sequence number in it */
static __u64 total_pkts = 1u << 20;

static void *kernel_thread(void *arg)
{
	struct xdm_ring rx, fq, dfq;
	__u32 seed = 3, idx, fidx, didx = 0;
	__u64 seq = 0;

	(void)arg;
	xdm_ring_init_prod(&rx, RXSIZE, &rx_s->producer, &rx_s->consumer, &rx_s->flags,
			   rx_s->entries);
	xdm_ring_init_cons(&fq, QSIZE, &fq_s->producer, &fq_s->consumer, &fq_s->flags,
			   fq_s->entries);
	xdm_ring_init_cons(&dfq, QSIZE, &dfq_s->producer, &dfq_s->consumer, &dfq_s->flags,
			   dfq_s->entries);
	while (seq < total_pkts) {
		__u32 nseg = rnd(&seed) % 4, got;

		if (!xdm_cons_nb_avail(&fq, 1) || xdm_cons_nb_avail(&dfq, nseg) < nseg ||
		    !xdm_prod_nb_free(&rx, 1 + nseg) ||
		    xdm_prod_reserve(&rx, 1 + nseg, &idx) != 1 + nseg)
			continue;
		got = xdm_cons_peek(&fq, 1, &fidx);
		if (got != 1)
			abort();
		__u64 frame = xdm_cons_addr(&fq, fidx);

		memcpy(hdr_area + frame + 256, &seq, sizeof(seq));
		*xdm_prod_desc(&rx, idx) = (struct xdm_desc){ frame + 256, 60, nseg ? CONTD : 0 };
		if (nseg && xdm_cons_peek(&dfq, nseg, &didx) != nseg)
			abort();
		for (__u32 s = 0; s < nseg; s++) {
			__u64 off = xdm_cons_addr(&dfq, didx + s);

			dmabuf[off / CHUNK] = seq;
			*xdm_prod_desc(&rx, idx + 1 + s) = (struct xdm_desc){
				off, 1000, DMABUF | (s + 1 < nseg ? CONTD : 0) };
		}
		xdm_cons_release(&fq);
		if (nseg)
			xdm_cons_release(&dfq);
		xdm_prod_submit(&rx);
		seq++;
	}
	return NULL;
}

/* Packets in sequence, each chunk holding its packet's number. */
static int check_pkts(const struct xsk_devmem_pkt *pkts, int n, __u64 *seq, __u64 *offs,
		      __u32 *no, __u64 *chunks_seen)
{
	for (int i = 0; i < n; i++) {
		__u64 v;

		memcpy(&v, pkts[i].hdr, sizeof(v));
		if (v != *seq || pkts[i].hdr_len != 60 ||
		    pkts[i].payload_len != 1000 * pkts[i].nr_segs) {
			fprintf(stderr, "packet %llu: header says %llu\n",
				(unsigned long long)*seq, (unsigned long long)v);
			return 1;
		}
		for (__u32 s = 0; s < pkts[i].nr_segs; s++) {
			__u64 off = pkts[i].segs[s].addr;

			if (!(pkts[i].segs[s].flags & XSK_DEVMEM_SEG_DMABUF) ||
			    dmabuf[off / CHUNK] != *seq) {
				fprintf(stderr, "packet %llu: chunk %llu holds %llu\n",
					(unsigned long long)*seq, (unsigned long long)off,
					(unsigned long long)dmabuf[off / CHUNK]);
				return 1;
			}
			offs[(*no)++] = off;
			(*chunks_seen)++;
		}
		(*seq)++;
	}
	return 0;
}

static int datapath_test(void)
{
	struct xsk_devmem_seg segs[64];
	struct xsk_devmem_pkt pkts[32];
	__u64 frames[NFRAMES], chunks[NCHUNKS], offs[128];
	struct xdm_rxq q = {};
	__u64 seq = 0, chunks_seen = 0, released_in_order = 0;
	__u32 seed = 5;
	pthread_t t;

	rx_s = shared_new(RXSIZE, sizeof(struct xdm_desc));
	fq_s = shared_new(QSIZE, sizeof(__u64));
	dfq_s = shared_new(QSIZE, sizeof(__u64));
	dcq_s = shared_new(QSIZE, sizeof(__u64));
	hdr_area = calloc(NFRAMES, FRAME);
	dmabuf = calloc(NCHUNKS, sizeof(__u64));
	xdm_ring_init_cons(&q.rx, RXSIZE, &rx_s->producer, &rx_s->consumer, &rx_s->flags,
			   rx_s->entries);
	xdm_ring_init_prod(&q.fq, QSIZE, &fq_s->producer, &fq_s->consumer, &fq_s->flags,
			   fq_s->entries);
	xdm_ring_init_prod(&q.dfq, QSIZE, &dfq_s->producer, &dfq_s->consumer, &dfq_s->flags,
			   dfq_s->entries);
	xdm_ring_init_cons(&q.dcq, QSIZE, &dcq_s->producer, &dcq_s->consumer, &dcq_s->flags,
			   dcq_s->entries);
	q.hdr_area = hdr_area;
	q.hdr_size = (__u64)NFRAMES * FRAME;
	q.frame_mask = ~(__u64)(FRAME - 1);
	q.area_start = 0;
	q.area_end = (__u64)NCHUNKS * CHUNK;
	q.chunk_mask = ~(__u64)(CHUNK - 1);
	q.pay_align = ~q.chunk_mask;
	q.fd = -1;
	/* Half the chunks on the rings, as a socket starts. */
	for (__u32 i = 0; i < QSIZE; i++) {
		frames[i] = (__u64)i * FRAME;
		chunks[i] = (__u64)i * CHUNK;
	}
	if (xdm_rxq_post_frames(&q, frames, QSIZE) != QSIZE ||
	    xdm_rxq_post_chunks(&q, chunks, QSIZE) != QSIZE)
		abort();

	pthread_create(&t, NULL, kernel_thread, NULL);
	while (seq < total_pkts) {
		/* In turns of 4096 packets: recv and release, or peek and
		 * release_peeked of a random number of the oldest held. */
		bool in_order = seq >> 12 & 1;
		unsigned int max = 1 + rnd(&seed) % 32;
		int n = in_order ? xdm_rxq_peek(&q, pkts, max, segs, 64) :
			xdm_rxq_recv(&q, pkts, max, segs, 64);
		__u32 no = 0;

		if (n == -EBUSY && !in_order) {
			/* Packets still held from the in-order turn. */
			if (xdm_rxq_release_peeked(&q, q.held_pkts))
				abort();
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "recv: %d\n", n);
			return 1;
		}
		if (check_pkts(pkts, n, &seq, offs, &no, &chunks_seen))
			return 1;
		if (in_order) {
			/* Hold some back, all of them when nothing came: the
			 * kernel waits for the RX ring or for chunks. */
			unsigned int r = n ? rnd(&seed) % (q.held_pkts + 1) : q.held_pkts;

			if (xdm_rxq_release_peeked(&q, r))
				abort();
			released_in_order += r;
			continue;
		}
		if (n <= 0)
			continue;
		/* Alternate: one release for both, or headers and payload apart. */
		if (seq & 1) {
			if (xdm_rxq_release(&q, pkts, n, true, true))
				abort();
		} else if (xdm_rxq_release(&q, pkts, n, true, false) ||
			   xdm_rxq_release_payload(&q, offs, no)) {
			abort();
		}
	}
	pthread_join(t, NULL);
	printf("data path: %llu packets, %llu payload chunks checked, %llu released in order\n",
	       (unsigned long long)seq, (unsigned long long)chunks_seen,
	       (unsigned long long)released_in_order);
	free(rx_s);
	free(fq_s);
	free(dfq_s);
	free(dcq_s);
	free(hdr_area);
	free(dmabuf);
	return 0;
}

int main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "n:p:")) != -1) {
		switch (c) {
		case 'n': total_entries = strtoull(optarg, NULL, 0); break;
		case 'p': total_pkts = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: lib_ring_mt [-n ENTRIES] [-p PACKETS]\n");
			return 2;
		}
	}
	if (plain_test() || datapath_test())
		return 1;
	return 0;
}
