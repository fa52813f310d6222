/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk_devmem_rx.h - the data path of one socket (xsk_devmem_rx.c). The
 * unit tests and the benchmark include it to drive the data path on rings
 * of their own.
 */
#ifndef XSK_DEVMEM_RX_H
#define XSK_DEVMEM_RX_H

#include <stdbool.h>

#include "xsk_devmem.h"
#include "xsk_devmem_ring.h"

/*
 * The data path of one socket: its RX ring, the rings it returns chunks
 * on, and what it needs to turn descriptors into pointers and to check
 * what the caller hands back. xsk_devmem_rx.c works on this alone, so the
 * tests and the benchmark can run it on rings in ordinary memory.
 */
struct xdm_rxq {
	struct xdm_ring rx;		/* kernel -> user: descriptors */
	struct xdm_ring fq;		/* user -> kernel: host chunks */
	struct xdm_ring dfq;		/* user -> kernel: dmabuf chunks */
	struct xdm_ring dcq;		/* kernel -> user: dmabuf chunks back */
	__u8 *hdr_area;
	__u64 hdr_size;
	__u64 frame_mask;		/* ~(frame_size - 1) */
	__u64 area_start, area_end;	/* dmabuf payload area (dmabuf offsets) */
	__u64 chunk_mask;		/* ~(chunk_size - 1) */
	/* Bits a payload offset handed back must have clear: the chunk's
	 * low bits in copy mode (chunk starts only); none in zero copy,
	 * where a descriptor names its bytes anywhere inside a chunk and is
	 * given back as it is. */
	__u64 pay_align;
	int fd;				/* for wakeups; -1: never kick */
	bool kick_always;		/* busy polling: kick on every empty ring */
	/*
	 * Packets taken by xdm_rxq_peek() and not yet given back by
	 * xdm_rxq_release_peeked(): their descriptors, from the published
	 * RX consumer index to rx.cached_cons, are still the socket's.
	 */
	unsigned int held_pkts;
	/* One of them (maybe) is not a header chunk and dmabuf chunks. */
	bool held_irregular;
	struct xsk_devmem_stats st;	/* library counters */
};

int xdm_rxq_recv(struct xdm_rxq *q, struct xsk_devmem_pkt *pkts, unsigned int max_pkts,
		 struct xsk_devmem_seg *segs, unsigned int max_segs);
int xdm_rxq_release(struct xdm_rxq *q, const struct xsk_devmem_pkt *pkts, unsigned int n,
		    bool hdr, bool payload);
/* In order: take packets and keep their RX slots; give back the oldest n. */
int xdm_rxq_peek(struct xdm_rxq *q, struct xsk_devmem_pkt *pkts, unsigned int max_pkts,
		 struct xsk_devmem_seg *segs, unsigned int max_segs);
int xdm_rxq_release_peeked(struct xdm_rxq *q, unsigned int n);
int xdm_rxq_release_payload(struct xdm_rxq *q, const __u64 *offsets, unsigned int n);
int xdm_rxq_completed(struct xdm_rxq *q, __u64 *offsets, unsigned int n);
/* Post host chunks / dmabuf chunks: at most n; returns how many. */
__u32 xdm_rxq_post_frames(struct xdm_rxq *q, const __u64 *addrs, __u32 n);
__u32 xdm_rxq_post_chunks(struct xdm_rxq *q, const __u64 *offsets, __u32 n);

#endif /* XSK_DEVMEM_RX_H */
