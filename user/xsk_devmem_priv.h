/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk_devmem_priv.h - what the files of libxsk-devmem share and nobody
 * else sees (the unit tests and the benchmark include it to drive the data
 * path on rings of their own).
 */
#ifndef XSK_DEVMEM_PRIV_H
#define XSK_DEVMEM_PRIV_H

#include <pthread.h>
#include <stdbool.h>

#include "xsk_devmem.h"
#include "xsk_devmem_prog.h"
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

/* A ring mmapped from a socket. */
struct xdm_map {
	void *addr;
	size_t len;
};

struct xsk_devmem_dmabuf {
	int fd;
	bool own_fd;
	__u64 size;
	void *data;			/* CPU mapping or NULL */
};

/* The rings a socket created for itself (or the UMEM for its first socket). */
struct xdm_umem_rings {
	struct xdm_ring fq, cq, dfq, dcq;
	struct xdm_map fq_map, cq_map, dfq_map, dcq_map;
};

/*
 * Lifetime: a UMEM is created by the caller and deleted by the caller once
 * its last socket is gone (refs counts sockets). Its fd is the first
 * socket's fd; that socket borrows the UMEM's rings and never closes the fd.
 * Free chunks are kept in two stacks, taken by sockets when they are created
 * and given back when they are deleted (after close(), when the kernel holds
 * none of them any more).
 */
struct xsk_devmem_umem {
	int fd;
	bool fd_bound;			/* the first socket is bound on fd */
	__u32 owner_rx_size;		/* RX ring made on fd, 0: none yet */
	int refs;			/* sockets */
	pthread_mutex_t lock;		/* free stacks, refs, sockets */
	__u8 *hdr_area;
	__u64 hdr_size;
	bool own_area;
	struct xsk_devmem_dmabuf *dmabuf;
	struct xsk_devmem_umem_config cfg;	/* with the defaults filled in */
	struct xdm_umem_rings rings;
	__u64 *free_frames, *free_chunks;
	__u32 nr_free_frames, nr_free_chunks;
	__u32 nr_frames, nr_chunks;
	struct xsk_devmem_socket *sockets;	/* list, for queue conflicts */
};

struct xsk_devmem_socket {
	struct xsk_devmem_socket *next;	/* in umem->sockets */
	struct xsk_devmem_umem *umem;
	int fd;
	int ifindex;
	__u32 queue;
	char ifname[16];
	enum xsk_devmem_mode mode;
	bool owner;			/* uses the UMEM's fd and rings */
	struct xdm_umem_rings rings;	/* own rings (not owner) */
	struct xdm_map rx_map;
	struct xdm_rxq q;
	__u64 *frames, *chunks;		/* what it took from the UMEM */
	__u32 nr_frames, nr_chunks;
	struct xdm_prog bpf;		/* steer and its XSKMAP */
};

#endif /* XSK_DEVMEM_PRIV_H */
