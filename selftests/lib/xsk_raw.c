// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xsk_raw.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

int xsk_raw_socket(struct xsk_raw *x)
{
	memset(x, 0, sizeof(*x));
	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	return x->fd < 0 ? -errno : 0;
}

int xsk_raw_umem_reg(struct xsk_raw *x, uint32_t nframes, uint32_t frame_size)
{
	struct xdp_umem_reg mr = { 0 };

	x->umem_len = (size_t)nframes * frame_size;
	x->umem = mmap(NULL, x->umem_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->umem == MAP_FAILED) {
		x->umem = NULL;
		return -errno;
	}
	x->frame_size = frame_size;
	mr.addr = (uintptr_t)x->umem;
	mr.len = x->umem_len;
	mr.chunk_size = frame_size;
	return setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) ? -errno : 0;
}

int xsk_raw_dmabuf_reg(struct xsk_raw *x, int dmabuf_fd, uint64_t offset,
		       uint64_t len, uint32_t chunk_size)
{
	struct xdp_umem_dmabuf_reg reg = {
		.fd = (uint32_t)dmabuf_fd,
		.offset = offset,
		.len = len,
		.chunk_size = chunk_size,
	};

	return setsockopt(x->fd, SOL_XDP, XDP_UMEM_DMABUF_REG, &reg,
			  sizeof(reg)) ? -errno : 0;
}

int xsk_raw_ring(struct xsk_raw *x, int optname, uint32_t entries)
{
	return setsockopt(x->fd, SOL_XDP, optname, &entries, sizeof(entries)) ? -errno : 0;
}

int xsk_raw_rings(struct xsk_raw *x, uint32_t entries, uint32_t dentries, bool own_fq)
{
	int err = 0;

	x->entries = entries;
	x->dentries = dentries;
	if (own_fq)
		err = xsk_raw_ring(x, XDP_UMEM_FILL_RING, entries) ?:
		      xsk_raw_ring(x, XDP_UMEM_COMPLETION_RING, entries);
	if (!err)
		err = xsk_raw_ring(x, XDP_RX_RING, entries);
	if (!err && dentries)
		err = xsk_raw_ring(x, XDP_UMEM_DMABUF_FILL_RING, dentries) ?:
		      xsk_raw_ring(x, XDP_UMEM_DMABUF_COMPLETION_RING, dentries);
	return err;
}

static int map_ring(struct xsk_raw *x, struct xring *r, const struct xdp_ring_offset *off,
		    uint64_t pgoff, uint32_t entries, size_t desc_size)
{
	r->map_len = off->desc + (size_t)entries * desc_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, x->fd, pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	r->producer = (uint32_t *)((uint8_t *)r->map + off->producer);
	r->consumer = (uint32_t *)((uint8_t *)r->map + off->consumer);
	r->flags = (uint32_t *)((uint8_t *)r->map + off->flags);
	r->desc = (uint8_t *)r->map + off->desc;
	r->size = entries;
	r->mask = entries - 1;
	return 0;
}

int xsk_raw_mmap(struct xsk_raw *x, bool dmabuf, bool own_fq)
{
	struct xdp_mmap_offsets_v2 off = { 0 };
	socklen_t optlen = sizeof(off);
	uint32_t n = x->entries;
	int err = 0;

	if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen))
		return -errno;
	if (dmabuf && optlen < sizeof(off))
		return -EOPNOTSUPP;
	if (own_fq)
		err = map_ring(x, &x->fq, &off.fr, XDP_UMEM_PGOFF_FILL_RING, n, 8) ?:
		      map_ring(x, &x->cq, &off.cr, XDP_UMEM_PGOFF_COMPLETION_RING, n, 8);
	if (!err)
		err = map_ring(x, &x->rx, &off.rx, XDP_PGOFF_RX_RING, n,
			       sizeof(struct xdp_desc));
	if (!err && dmabuf)
		err = map_ring(x, &x->dfq, &off.dfr, XDP_UMEM_PGOFF_DMABUF_FILL_RING, x->dentries, 8) ?:
		      map_ring(x, &x->dcq, &off.dcr, XDP_UMEM_PGOFF_DMABUF_COMPLETION_RING, x->dentries, 8);
	return err;
}

/* The fill rings alone (a socket without an RX ring, say). */
int xsk_raw_mmap_fill(struct xsk_raw *x, bool dmabuf)
{
	struct xdp_mmap_offsets_v2 off = { 0 };
	socklen_t optlen = sizeof(off);

	if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen))
		return -errno;
	return map_ring(x, &x->fq, &off.fr, XDP_UMEM_PGOFF_FILL_RING, x->entries, 8) ?:
	       (dmabuf ? map_ring(x, &x->dfq, &off.dfr, XDP_UMEM_PGOFF_DMABUF_FILL_RING,
				  x->dentries, 8) : 0);
}

int xsk_raw_bind_index(struct xsk_raw *x, unsigned int ifindex, uint32_t queue,
		       uint16_t flags, int shared_fd)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_flags = flags,
		.sxdp_ifindex = ifindex,
		.sxdp_queue_id = queue,
	};

	if (shared_fd >= 0) {
		sxdp.sxdp_flags = XDP_SHARED_UMEM;
		sxdp.sxdp_shared_umem_fd = shared_fd;
	}
	return bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) ? -errno : 0;
}

int xsk_raw_bind(struct xsk_raw *x, const char *ifname, uint32_t queue,
		 uint16_t flags, int shared_fd)
{
	unsigned int ifindex;

	errno = 0;
	ifindex = if_nametoindex(ifname);
	/* No such device, or the lookup's own socket failed (its errno). */
	if (!ifindex)
		return errno ? -errno : -ENODEV;
	return xsk_raw_bind_index(x, ifindex, queue, flags, shared_fd);
}

int xsk_raw_stats(struct xsk_raw *x, struct xdp_statistics *st)
{
	socklen_t optlen = sizeof(*st);

	memset(st, 0, sizeof(*st));
	return getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, st, &optlen) ? -errno : 0;
}

int xsk_raw_dmabuf_stats(struct xsk_raw *x, struct xdp_dmabuf_statistics *st)
{
	socklen_t optlen = sizeof(*st);

	memset(st, 0, sizeof(*st));
	return getsockopt(x->fd, SOL_XDP, XDP_DMABUF_STATISTICS, st, &optlen) ? -errno : 0;
}

bool xsk_raw_gone(struct xsk_raw *x)
{
	int e = 0;
	socklen_t len = sizeof(e);

	return !getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &e, &len) && e == ENETDOWN;
}

void xsk_raw_close(struct xsk_raw *x)
{
	struct xring *rings[] = { &x->fq, &x->cq, &x->rx, &x->dfq, &x->dcq };

	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++)
		if (rings[i]->map)
			munmap(rings[i]->map, rings[i]->map_len);
	if (x->fd >= 0)
		close(x->fd);
	if (x->umem)
		munmap(x->umem, x->umem_len);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}
