/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk_devmem_priv.h - the library's objects (dmabuf, UMEM, socket) as
 * xsk_devmem.c builds them; nobody else sees them. What a socket is made
 * of below that has headers of its own: the data path (xsk_devmem_rx.h)
 * and the BPF side (xsk_devmem_prog.h).
 */
#ifndef XSK_DEVMEM_PRIV_H
#define XSK_DEVMEM_PRIV_H

#include <pthread.h>
#include <stdbool.h>

#include "xsk_devmem.h"
#include "xsk_devmem_prog.h"
#include "xsk_devmem_ring.h"
#include "xsk_devmem_rx.h"

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
	int gone;			/* -errno once the device went away */
};

#endif /* XSK_DEVMEM_PRIV_H */
