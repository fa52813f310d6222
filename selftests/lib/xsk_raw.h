/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_XDP on the raw UAPI, for the kernel tests of the dmabuf UMEM: each
 * step of setting a socket up is its own call, so a test can make any one
 * of them fail, and the rings are read and written with the bare
 * producer/consumer protocol of if_xdp.h. Deliberately independent of
 * libxdp and of our own library, which are tested against the same cases.
 */
#ifndef XSK_SELFTEST_XSK_RAW_H
#define XSK_SELFTEST_XSK_RAW_H

#include <linux/if_xdp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* One mmapped ring, seen from user space. */
struct xring {
	uint32_t *producer;
	uint32_t *consumer;
	uint32_t *flags;
	void *desc;
	uint32_t mask;
	uint32_t size;
	void *map;
	size_t map_len;
};

struct xsk_raw {
	int fd;
	uint8_t *umem;		/* host UMEM */
	size_t umem_len;
	uint32_t frame_size;
	uint32_t entries;	/* of the fill, completion and RX rings */
	uint32_t dentries;	/* of the dmabuf rings */
	struct xring fq, cq, rx, dfq, dcq;
};

/* Each returns 0 or -errno; nothing is printed. */
int xsk_raw_socket(struct xsk_raw *x);
int xsk_raw_umem_reg(struct xsk_raw *x, uint32_t nframes, uint32_t frame_size);
int xsk_raw_dmabuf_reg(struct xsk_raw *x, int dmabuf_fd, uint64_t offset,
		       uint64_t len, uint32_t chunk_size);
int xsk_raw_ring(struct xsk_raw *x, int optname, uint32_t entries);
/* Set up fq/cq (unless shared) and rx with @entries each, and the dmabuf
 * rings with @dentries each (0: none). */
int xsk_raw_rings(struct xsk_raw *x, uint32_t entries, uint32_t dentries, bool own_fq);
int xsk_raw_mmap(struct xsk_raw *x, bool dmabuf, bool own_fq);
int xsk_raw_mmap_fill(struct xsk_raw *x, bool dmabuf);
int xsk_raw_bind(struct xsk_raw *x, const char *ifname, uint32_t queue,
		 uint16_t flags, int shared_fd);
/* The same by index: nothing but the bind itself, for tests that fail
 * this task's allocations (if_nametoindex() opens a socket of its own). */
int xsk_raw_bind_index(struct xsk_raw *x, unsigned int ifindex, uint32_t queue,
		       uint16_t flags, int shared_fd);
int xsk_raw_stats(struct xsk_raw *x, struct xdp_statistics *st);
int xsk_raw_dmabuf_stats(struct xsk_raw *x, struct xdp_dmabuf_statistics *st);
/* The device went away under the bound socket: SO_ERROR reads ENETDOWN
 * (and reading it clears it). The kernel reports that only after the pool
 * put the chunks it held on the dmabuf completion ring and published how
 * far it read the dmabuf fill ring: both are final once this is true. */
bool xsk_raw_gone(struct xsk_raw *x);
void xsk_raw_close(struct xsk_raw *x);

/* Ring protocol. */
static inline uint32_t xring_prod_free(const struct xring *r)
{
	return r->size - (*r->producer - __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE));
}

static inline void xring_prod_push(struct xring *r, uint64_t v)
{
	uint32_t p = *r->producer;

	((uint64_t *)r->desc)[p & r->mask] = v;
	__atomic_store_n(r->producer, p + 1, __ATOMIC_RELEASE);
}

static inline uint32_t xring_cons_avail(const struct xring *r)
{
	return __atomic_load_n(r->producer, __ATOMIC_ACQUIRE) - *r->consumer;
}

static inline const struct xdp_desc *xring_rx_desc(const struct xring *r, uint32_t i)
{
	return &((const struct xdp_desc *)r->desc)[(*r->consumer + i) & r->mask];
}

static inline uint64_t xring_addr(const struct xring *r, uint32_t i)
{
	return ((const uint64_t *)r->desc)[(*r->consumer + i) & r->mask];
}

static inline void xring_cons_release(struct xring *r, uint32_t n)
{
	__atomic_store_n(r->consumer, *r->consumer + n, __ATOMIC_RELEASE);
}

#endif
