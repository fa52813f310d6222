// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xsk_devmem.c - libxsk-devmem: dmabuf sources, UMEM, sockets, statistics.
 * The data path is in xsk_devmem_rx.c, the BPF side in xsk_devmem_prog.c,
 * the probes in xsk_devmem_probe.c, the messages in xsk_devmem_msg.c; this
 * file calls into them and none of them calls back.
 *
 * Set-up order, which the kernel requires (include/uapi/linux/if_xdp.h):
 *
 *   umem:   socket(AF_XDP)  XDP_UMEM_REG  XDP_UMEM_DMABUF_REG
 *           XDP_UMEM_FILL_RING  XDP_UMEM_COMPLETION_RING
 *           XDP_UMEM_DMABUF_FILL_RING  XDP_UMEM_DMABUF_COMPLETION_RING
 *           XDP_MMAP_OFFSETS (v2)  mmap x4
 *   socket: XDP_RX_RING  mmap  bind(XDP_USE_SG | mode | need_wakeup)
 *           XDP_OPTIONS (which mode)  post chunks  XSKMAP
 *
 * A socket sharing the UMEM on another queue makes its own four rings and
 * binds with XDP_SHARED_UMEM (it inherits SG, mode and need_wakeup).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/if_xdp.h>
#include <linux/udmabuf.h>

#include "xsk_devmem_msg.h"
#include "xsk_devmem_priv.h"
#include "xsk_devmem_probe.h"
#include "xsk_devmem_prog.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

/* What the kernel's answer to an AF_XDP set-up step means, in words. */
static int sock_err(int err, const char *step)
{
	switch (-err) {
	case EPERM:
	case EACCES:
		return xdm_err(err, "%s: not permitted: AF_XDP sockets need CAP_NET_RAW "
			       "(run as root or grant the capability)", step);
	case EAFNOSUPPORT:
		return xdm_err(err, "%s: the kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)",
			       step);
	case ENOPROTOOPT:
		return xdm_err(err, "%s: the kernel has no dmabuf UMEM: it lacks the xsk-devmem "
			       "patch set (boot a kernel with it; `xsk-devmem info` tells)", step);
	default:
		return xdm_err(err, "%s: %s", step, strerror(-err));
	}
}

static bool is_pow2(__u64 v)
{
	return v && !(v & (v - 1));
}

static __u64 page_size(void)
{
	return (__u64)sysconf(_SC_PAGESIZE);
}

/* --- dmabuf sources ---------------------------------------------------- */

int xsk_devmem_dmabuf__create_udmabuf(struct xsk_devmem_dmabuf **dmabuf, __u64 size)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	struct xsk_devmem_dmabuf *d;
	int memfd, dev, fd, err;

	if (!dmabuf)
		return xdm_err(-EINVAL, "udmabuf: no place for the handle");
	if (!size || size % page_size())
		return xdm_err(-EINVAL, "udmabuf: size %llu is not a non-zero multiple of the "
			       "page size (%llu)", (unsigned long long)size,
			       (unsigned long long)page_size());
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		err = -errno;
		if (err == -ENOENT)
			return xdm_err(err, "udmabuf: no /dev/udmabuf: the kernel lacks "
				       "CONFIG_UDMABUF (or the udmabuf module is not loaded)");
		return xdm_err(err, "udmabuf: cannot open /dev/udmabuf: %s", strerror(-err));
	}
	memfd = memfd_create("xsk-devmem", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0) {
		err = xdm_err(-errno, "udmabuf: memfd_create: %s", strerror(errno));
		close(dev);
		return err;
	}
	if (ftruncate(memfd, size) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_SEAL)) {
		err = xdm_err(-errno, "udmabuf: sizing and sealing the memfd: %s",
			      strerror(errno));
		goto out;
	}
	create.memfd = memfd;
	fd = ioctl(dev, UDMABUF_CREATE, &create);
	if (fd < 0) {
		__u64 limit = xdm_udmabuf_limit();

		err = -errno;
		if (err == -EINVAL && limit && size > limit)
			err = xdm_err(err, "udmabuf: %llu MiB is more than the udmabuf limit of "
				      "%llu MiB (udmabuf.size_limit_mb)",
				      (unsigned long long)(size >> 20),
				      (unsigned long long)(limit >> 20));
		else
			err = xdm_err(err, "udmabuf: UDMABUF_CREATE of %llu bytes: %s",
				      (unsigned long long)size, strerror(-err));
		goto out;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		close(fd);
		err = xdm_err(-ENOMEM, "udmabuf: out of memory");
		goto out;
	}
	d->fd = fd;
	d->own_fd = true;
	d->size = size;
	d->data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (d->data == MAP_FAILED) {
		err = xdm_err(-errno, "udmabuf: mmap: %s", strerror(errno));
		close(fd);
		free(d);
		goto out;
	}
	*dmabuf = d;
	err = 0;
out:
	close(memfd);
	close(dev);
	return err;
}

int xsk_devmem_dmabuf__from_fd(struct xsk_devmem_dmabuf **dmabuf, int fd, __u32 flags)
{
	struct xsk_devmem_dmabuf *d;
	off_t size;

	if (!dmabuf || fd < 0 || flags & ~(XSK_DEVMEM_DMABUF_F_MMAP | XSK_DEVMEM_DMABUF_F_TAKE_FD))
		return xdm_err(-EINVAL, "dmabuf: invalid fd %d or flags 0x%x", fd, flags);
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return xdm_err(-errno, "dmabuf: fd %d has no size (lseek: %s): not a dmabuf?",
			       fd, strerror(errno));
	d = calloc(1, sizeof(*d));
	if (!d)
		return xdm_err(-ENOMEM, "dmabuf: out of memory");
	d->fd = fd;
	d->size = size;
	if (flags & XSK_DEVMEM_DMABUF_F_MMAP) {
		d->data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (d->data == MAP_FAILED) {
			int err = -errno;

			free(d);
			return xdm_err(err, "dmabuf: fd %d cannot be mapped by the CPU "
				       "(its exporter refuses mmap: %s)", fd, strerror(-err));
		}
	}
	d->own_fd = flags & XSK_DEVMEM_DMABUF_F_TAKE_FD;
	*dmabuf = d;
	return 0;
}

void xsk_devmem_dmabuf__delete(struct xsk_devmem_dmabuf *d)
{
	if (!d)
		return;
	if (d->data)
		munmap(d->data, d->size);
	if (d->own_fd)
		close(d->fd);
	free(d);
}

int xsk_devmem_dmabuf__fd(const struct xsk_devmem_dmabuf *d)
{
	return d->fd;
}

__u64 xsk_devmem_dmabuf__size(const struct xsk_devmem_dmabuf *d)
{
	return d->size;
}

void *xsk_devmem_dmabuf__data(const struct xsk_devmem_dmabuf *d)
{
	return d->data;
}

static int dmabuf_sync(const struct xsk_devmem_dmabuf *d, __u32 access, __u64 phase)
{
	struct dma_buf_sync sync = { .flags = phase };

	if (!access || access & ~(XSK_DEVMEM_SYNC_READ | XSK_DEVMEM_SYNC_WRITE))
		return xdm_err(-EINVAL, "dmabuf sync: access 0x%x is not READ and/or WRITE",
			       access);
	if (access & XSK_DEVMEM_SYNC_READ)
		sync.flags |= DMA_BUF_SYNC_READ;
	if (access & XSK_DEVMEM_SYNC_WRITE)
		sync.flags |= DMA_BUF_SYNC_WRITE;
	if (ioctl(d->fd, DMA_BUF_IOCTL_SYNC, &sync))
		return xdm_err(-errno, "dmabuf sync: %s", strerror(errno));
	return 0;
}

int xsk_devmem_dmabuf__cpu_begin(const struct xsk_devmem_dmabuf *d, __u32 access)
{
	return dmabuf_sync(d, access, DMA_BUF_SYNC_START);
}

int xsk_devmem_dmabuf__cpu_end(const struct xsk_devmem_dmabuf *d, __u32 access)
{
	return dmabuf_sync(d, access, DMA_BUF_SYNC_END);
}

/* --- rings ---------------------------------------------------------------- */

static int ring_setsockopt(int fd, int opt, __u32 size, const char *what)
{
	if (setsockopt(fd, SOL_XDP, opt, &size, sizeof(size)))
		return sock_err(-errno, what);
	return 0;
}

static void unmap(struct xdm_map *m)
{
	if (m->addr)
		munmap(m->addr, m->len);
	m->addr = NULL;
}

static int map_ring(int fd, const struct xdp_ring_offset *off, __u64 pgoff, __u32 size,
		    size_t entry, bool prod, struct xdm_ring *r, struct xdm_map *m,
		    const char *what)
{
	__u8 *base;

	m->len = off->desc + (size_t)size * entry;
	base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (base == MAP_FAILED) {
		m->addr = NULL;
		return xdm_err(-errno, "mmap of the %s ring: %s", what, strerror(errno));
	}
	m->addr = base;
	if (prod)
		xdm_ring_init_prod(r, size, (__u32 *)(base + off->producer),
				   (__u32 *)(base + off->consumer), (__u32 *)(base + off->flags),
				   base + off->desc);
	else
		xdm_ring_init_cons(r, size, (__u32 *)(base + off->producer),
				   (__u32 *)(base + off->consumer), (__u32 *)(base + off->flags),
				   base + off->desc);
	return 0;
}

static void rings_unmap(struct xdm_umem_rings *r)
{
	unmap(&r->fq_map);
	unmap(&r->cq_map);
	unmap(&r->dfq_map);
	unmap(&r->dcq_map);
}

static int get_offsets(int fd, struct xdp_mmap_offsets_v2 *off)
{
	socklen_t len = sizeof(*off);

	memset(off, 0, sizeof(*off));
	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, off, &len))
		return sock_err(-errno, "XDP_MMAP_OFFSETS");
	if (len < sizeof(*off))
		return xdm_err(-ENOPROTOOPT, "XDP_MMAP_OFFSETS: the kernel reports no dmabuf "
			       "rings: it lacks the xsk-devmem patch set");
	return 0;
}

/* The four UMEM rings on fd: create, then map. */
static int rings_create(int fd, const struct xsk_devmem_umem_config *c, struct xdm_umem_rings *r)
{
	struct xdp_mmap_offsets_v2 off;
	int err;

	memset(r, 0, sizeof(*r));
	err = ring_setsockopt(fd, XDP_UMEM_FILL_RING, c->fill_size, "fill ring");
	if (!err)
		err = ring_setsockopt(fd, XDP_UMEM_COMPLETION_RING, c->comp_size,
				      "completion ring");
	if (!err)
		err = ring_setsockopt(fd, XDP_UMEM_DMABUF_FILL_RING, c->dmabuf_fill_size,
				      "dmabuf fill ring");
	if (!err)
		err = ring_setsockopt(fd, XDP_UMEM_DMABUF_COMPLETION_RING, c->dmabuf_comp_size,
				      "dmabuf completion ring");
	if (!err)
		err = get_offsets(fd, &off);
	if (!err)
		err = map_ring(fd, &off.fr, XDP_UMEM_PGOFF_FILL_RING, c->fill_size,
			       sizeof(__u64), true, &r->fq, &r->fq_map, "fill");
	if (!err)
		err = map_ring(fd, &off.cr, XDP_UMEM_PGOFF_COMPLETION_RING, c->comp_size,
			       sizeof(__u64), false, &r->cq, &r->cq_map, "completion");
	if (!err)
		err = map_ring(fd, &off.dfr, XDP_UMEM_PGOFF_DMABUF_FILL_RING,
			       c->dmabuf_fill_size, sizeof(__u64), true, &r->dfq,
			       &r->dfq_map, "dmabuf fill");
	if (!err)
		err = map_ring(fd, &off.dcr, XDP_UMEM_PGOFF_DMABUF_COMPLETION_RING,
			       c->dmabuf_comp_size, sizeof(__u64), false, &r->dcq,
			       &r->dcq_map, "dmabuf completion");
	if (err)
		rings_unmap(r);
	return err;
}

/* --- UMEM --------------------------------------------------------------- */

static int umem_config(struct xsk_devmem_umem_config *c, const struct xsk_devmem_umem_config *in,
		       const struct xsk_devmem_dmabuf *d)
{
	__u64 pg = page_size();

	if (in)
		*c = *in;
	else
		memset(c, 0, sizeof(*c));
	if (!c->fill_size)
		c->fill_size = XSK_DEVMEM_DEFAULT_RING_SIZE;
	if (!c->comp_size)
		c->comp_size = XSK_DEVMEM_DEFAULT_RING_SIZE;
	if (!c->dmabuf_fill_size)
		c->dmabuf_fill_size = XSK_DEVMEM_DEFAULT_RING_SIZE;
	bool dcq_default = !c->dmabuf_comp_size;

	if (dcq_default)
		c->dmabuf_comp_size = XSK_DEVMEM_DEFAULT_RING_SIZE;
	if (!c->frame_size)
		c->frame_size = XSK_DEVMEM_DEFAULT_FRAME_SIZE;
	if (!c->chunk_size)
		c->chunk_size = pg;
	if (!is_pow2(c->fill_size) || !is_pow2(c->comp_size) ||
	    !is_pow2(c->dmabuf_fill_size) || !is_pow2(c->dmabuf_comp_size))
		return xdm_err(-EINVAL, "umem: ring sizes must be powers of two "
			       "(fill %u, completion %u, dmabuf fill %u, dmabuf completion %u)",
			       c->fill_size, c->comp_size, c->dmabuf_fill_size,
			       c->dmabuf_comp_size);
	if (c->dmabuf_comp_size < XDP_UMEM_DMABUF_COMPLETION_MIN)
		return xdm_err(-EINVAL, "umem: the dmabuf completion ring needs at least %u entries "
			       "(%u): room for every chunk the kernel may hold for a queue",
			       XDP_UMEM_DMABUF_COMPLETION_MIN, c->dmabuf_comp_size);
	if (!is_pow2(c->frame_size) || c->frame_size < 2048 || c->frame_size > pg)
		return xdm_err(-EINVAL, "umem: frame size %u must be a power of two from 2048 "
			       "to the page size (%llu)", c->frame_size, (unsigned long long)pg);
	if (c->flags)
		return xdm_err(-EINVAL, "umem: flags 0x%x: none are defined", c->flags);
	if (!is_pow2(c->chunk_size) || c->chunk_size < pg)
		return xdm_err(-EINVAL, "umem: dmabuf chunk size %u must be a power of two, at "
			       "least the page size (%llu)", c->chunk_size,
			       (unsigned long long)pg);
	if (c->dmabuf_offset % c->chunk_size || c->dmabuf_len % c->chunk_size)
		return xdm_err(-EINVAL, "umem: dmabuf offset %llu and length %llu must be "
			       "multiples of the chunk size %u",
			       (unsigned long long)c->dmabuf_offset,
			       (unsigned long long)c->dmabuf_len, c->chunk_size);
	if (c->dmabuf_offset >= d->size || c->dmabuf_len > d->size - c->dmabuf_offset)
		return xdm_err(-ERANGE, "umem: dmabuf area at %llu of %llu bytes is outside "
			       "the dmabuf of %llu bytes",
			       (unsigned long long)c->dmabuf_offset,
			       (unsigned long long)c->dmabuf_len, (unsigned long long)d->size);
	if (!c->dmabuf_len)
		c->dmabuf_len = (d->size - c->dmabuf_offset) & ~((__u64)c->chunk_size - 1);
	if (!c->dmabuf_len)
		return xdm_err(-EINVAL, "umem: the dmabuf (%llu bytes) holds no chunk of %u",
			       (unsigned long long)d->size, c->chunk_size);
	/* Zero copy reports every chunk on it when the queue goes. */
	while (dcq_default && c->dmabuf_comp_size < c->dmabuf_len / c->chunk_size &&
	       c->dmabuf_comp_size < (1u << 24))
		c->dmabuf_comp_size <<= 1;
	return 0;
}

static int umem_reg_err(int err, struct xsk_devmem_umem *u)
{
	struct rlimit rl;

	if (err == -ENOBUFS || err == -ENOMEM) {
		if (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur != RLIM_INFINITY)
			return xdm_err(err, "XDP_UMEM_REG: not enough locked memory for a host "
				       "area of %llu KiB (RLIMIT_MEMLOCK is %llu KiB): raise it "
				       "(ulimit -l, setrlimit(RLIMIT_MEMLOCK), LimitMEMLOCK= in "
				       "systemd) or grant CAP_IPC_LOCK",
				       (unsigned long long)(u->hdr_size >> 10),
				       (unsigned long long)(rl.rlim_cur >> 10));
	}
	return sock_err(err, "XDP_UMEM_REG");
}

static int dmabuf_reg_err(int err, const struct xsk_devmem_umem *u)
{
	char link[64] = "", path[64];
	ssize_t n;

	/* Linux 6.17+ without the patch set knows option 9 as another one. */
	if (err != -ENOPROTOOPT && xdm_probe_dmabuf_umem() == 0)
		err = -ENOPROTOOPT;
	switch (-err) {
	case EBADF:
		return xdm_err(err, "XDP_UMEM_DMABUF_REG: fd %d is not an open file",
			       u->dmabuf->fd);
	case EINVAL:
		snprintf(path, sizeof(path), "/proc/self/fd/%d", u->dmabuf->fd);
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = 0;
		if (!strstr(link, "dmabuf"))
			return xdm_err(err, "XDP_UMEM_DMABUF_REG: fd %d is not a dmabuf (%s)",
				       u->dmabuf->fd, link[0] ? link : "unknown file");
		return xdm_err(err, "XDP_UMEM_DMABUF_REG: the kernel refused the area "
			       "(offset %llu, length %llu, chunk %u)",
			       (unsigned long long)u->cfg.dmabuf_offset,
			       (unsigned long long)u->cfg.dmabuf_len, u->cfg.chunk_size);
	case ERANGE:
		return xdm_err(err, "XDP_UMEM_DMABUF_REG: area outside the dmabuf");
	case EOPNOTSUPP:
		return xdm_err(err, "XDP_UMEM_DMABUF_REG: the kernel cannot use this dmabuf "
			       "(its exporter refuses what the UMEM needs)");
	default:
		return sock_err(err, "XDP_UMEM_DMABUF_REG");
	}
}

static int umem_free_lists(struct xsk_devmem_umem *u)
{
	u->nr_frames = u->hdr_size / u->cfg.frame_size;
	u->nr_chunks = u->cfg.dmabuf_len / u->cfg.chunk_size;
	u->free_frames = malloc(sizeof(__u64) * u->nr_frames);
	u->free_chunks = malloc(sizeof(__u64) * u->nr_chunks);
	if (!u->free_frames || !u->free_chunks)
		return xdm_err(-ENOMEM, "umem: out of memory");
	/* Stacks: the lowest addresses are handed out first. */
	for (__u32 i = 0; i < u->nr_frames; i++)
		u->free_frames[i] = (__u64)(u->nr_frames - 1 - i) * u->cfg.frame_size;
	for (__u32 i = 0; i < u->nr_chunks; i++)
		u->free_chunks[i] = u->cfg.dmabuf_offset +
				    (__u64)(u->nr_chunks - 1 - i) * u->cfg.chunk_size;
	u->nr_free_frames = u->nr_frames;
	u->nr_free_chunks = u->nr_chunks;
	return 0;
}

static void umem_free(struct xsk_devmem_umem *u)
{
	rings_unmap(&u->rings);
	if (u->fd >= 0)
		close(u->fd);
	if (u->own_area && u->hdr_area)
		munmap(u->hdr_area, u->hdr_size);
	free(u->free_frames);
	free(u->free_chunks);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

int xsk_devmem_umem__create(struct xsk_devmem_umem **umem, void *hdr_area, __u64 hdr_size,
			    struct xsk_devmem_dmabuf *dmabuf,
			    const struct xsk_devmem_umem_config *cfg)
{
	struct xdp_umem_dmabuf_reg dreg = {};
	struct xdp_umem_reg reg = {};
	struct xsk_devmem_umem *u;
	int err;

	if (!umem || !dmabuf)
		return xdm_err(-EINVAL, "umem: no handle or no dmabuf given");
	u = calloc(1, sizeof(*u));
	if (!u)
		return xdm_err(-ENOMEM, "umem: out of memory");
	u->fd = -1;
	pthread_mutex_init(&u->lock, NULL);
	u->dmabuf = dmabuf;
	err = umem_config(&u->cfg, cfg, dmabuf);
	if (err)
		goto fail;
	if (!hdr_size)
		hdr_size = (__u64)XSK_DEVMEM_DEFAULT_NUM_FRAMES * u->cfg.frame_size;
	if (hdr_size % u->cfg.frame_size || (hdr_area && (uintptr_t)hdr_area % page_size())) {
		err = xdm_err(-EINVAL, "umem: host area (%llu bytes at %p) must be page aligned "
			      "and a multiple of the frame size %u",
			      (unsigned long long)hdr_size, hdr_area, u->cfg.frame_size);
		goto fail;
	}
	u->hdr_size = hdr_size;
	if (!hdr_area) {
		hdr_area = mmap(NULL, hdr_size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (hdr_area == MAP_FAILED) {
			err = xdm_err(-errno, "umem: cannot allocate %llu bytes of host area: %s",
				      (unsigned long long)hdr_size, strerror(errno));
			goto fail;
		}
		u->own_area = true;
	}
	u->hdr_area = hdr_area;
	err = umem_free_lists(u);
	if (err)
		goto fail;

	u->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (u->fd < 0) {
		err = sock_err(-errno, "socket(AF_XDP)");
		goto fail;
	}
	reg.addr = (uintptr_t)hdr_area;
	reg.len = hdr_size;
	reg.chunk_size = u->cfg.frame_size;
	reg.headroom = u->cfg.frame_headroom;
	if (setsockopt(u->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg))) {
		err = umem_reg_err(-errno, u);
		goto fail;
	}
	dreg.fd = dmabuf->fd;
	dreg.offset = u->cfg.dmabuf_offset;
	dreg.len = u->cfg.dmabuf_len;
	dreg.chunk_size = u->cfg.chunk_size;
	if (setsockopt(u->fd, SOL_XDP, XDP_UMEM_DMABUF_REG, &dreg, sizeof(dreg))) {
		err = dmabuf_reg_err(-errno, u);
		goto fail;
	}
	err = rings_create(u->fd, &u->cfg, &u->rings);
	if (err)
		goto fail;
	*umem = u;
	return 0;
fail:
	umem_free(u);
	return err;
}

int xsk_devmem_umem__delete(struct xsk_devmem_umem *u)
{
	if (!u)
		return 0;
	if (u->refs)
		return xdm_err(-EBUSY, "umem: %d socket(s) still use it", u->refs);
	umem_free(u);
	return 0;
}

int xsk_devmem_umem__fd(const struct xsk_devmem_umem *u)
{
	return u->fd;
}

void *xsk_devmem_umem__hdr_data(const struct xsk_devmem_umem *u, __u64 addr)
{
	return u->hdr_area + addr;
}

void *xsk_devmem_umem__payload_data(const struct xsk_devmem_umem *u, __u64 offset)
{
	return u->dmabuf->data ? (__u8 *)u->dmabuf->data + offset : NULL;
}

int xsk_devmem_umem__pkt_iov(const struct xsk_devmem_umem *u, const struct xsk_devmem_pkt *pkt,
			     struct iovec *iov, unsigned int max)
{
	unsigned int k = 0;

	if (max < 1u + pkt->nr_segs)
		return xdm_err(-ENOBUFS, "pkt_iov: %u iovecs for a packet of %u segments",
			       max, 1u + pkt->nr_segs);
	if (pkt->nr_payload_segs && !u->dmabuf->data)
		return xdm_err(-EOPNOTSUPP, "pkt_iov: the dmabuf has no CPU mapping");
	iov[k++] = (struct iovec){ pkt->hdr, pkt->hdr_len };
	for (__u32 s = 0; s < pkt->nr_segs; s++) {
		const struct xsk_devmem_seg *sg = &pkt->segs[s];
		__u8 *base = sg->flags & XSK_DEVMEM_SEG_DMABUF ? (__u8 *)u->dmabuf->data :
								 u->hdr_area;

		iov[k++] = (struct iovec){ base + sg->addr, sg->len };
	}
	return k;
}

__u32 xsk_devmem_umem__chunk_size(const struct xsk_devmem_umem *u)
{
	return u->cfg.chunk_size;
}

struct xsk_devmem_dmabuf *xsk_devmem_umem__dmabuf(const struct xsk_devmem_umem *u)
{
	return u->dmabuf;
}

/* --- socket ---------------------------------------------------------------- */

const char *xsk_devmem_mode_str(enum xsk_devmem_mode mode)
{
	switch (mode) {
	case XSK_DEVMEM_MODE_COPY: return "copy";
	case XSK_DEVMEM_MODE_ZEROCOPY: return "zero-copy";
	default: return "auto";
	}
}

/* Take up to want entries off a free stack (under the UMEM lock). */
static __u64 *take(__u64 *stack, __u32 *nr_free, __u32 want, __u32 *got)
{
	__u64 *out;

	if (want > *nr_free)
		want = *nr_free;
	out = malloc(sizeof(__u64) * (want ? want : 1));
	if (!out)
		return NULL;
	for (__u32 i = 0; i < want; i++)
		out[i] = stack[--*nr_free];
	*got = want;
	return out;
}

static void give_back(__u64 *stack, __u32 *nr_free, const __u64 *v, __u32 n)
{
	for (__u32 i = n; i > 0; i--)
		stack[(*nr_free)++] = v[i - 1];
}

/* The kernel's reason for the last zero-copy refusal on this thread, for
 * xsk_devmem_probe_zc(). */
static __thread __u32 last_zc_refusal;

/* What XDP_DMABUF_INFO says of the socket; zeroes on a kernel without it. */
static struct xdp_dmabuf_info dmabuf_info(const struct xsk_devmem_socket *x)
{
	struct xdp_dmabuf_info info = {};
	socklen_t len = sizeof(info);

	if (getsockopt(x->fd, SOL_XDP, XDP_DMABUF_INFO, &info, &len))
		memset(&info, 0, sizeof(info));
	return info;
}

/* Why the kernel refused zero copy (enum xdp_dmabuf_zc_refusal), worded. */
static int zc_refusal_err(int err, const struct xsk_devmem_socket *x, __u32 refusal)
{
	const char *dev = x->ifname;
	__u32 q = x->queue;

	switch (refusal) {
	case XDP_DMABUF_ZC_NO_QUEUE_OPS:
		return xdm_err(err, "bind: zero copy on %s: the driver cannot restart an RX queue "
			       "(no queue-management ops), so no memory provider can be put on "
			       "queue %u; copy mode works", dev, q);
	case XDP_DMABUF_ZC_NO_XDP_UNREADABLE:
		return xdm_err(err, "bind: zero copy on %s: the driver cannot run XDP over "
			       "device memory; copy mode works", dev);
	case XDP_DMABUF_ZC_NO_HEADER_SPLIT:
		return xdm_err(err, "bind: zero copy on %s needs header split: ethtool -G %s "
			       "tcp-data-split on", dev, dev);
	case XDP_DMABUF_ZC_NO_UNREADABLE_POOL:
		return xdm_err(err, "bind: zero copy on %s: queue %u's page pools take no memory "
			       "provider", dev, q);
	case XDP_DMABUF_ZC_QUEUE_BUSY:
		return xdm_err(err, "bind: %s queue %u has a memory provider already (devmem "
			       "TCP, or another zero-copy socket)", dev, q);
	case XDP_DMABUF_ZC_QUEUE_RANGE:
		return xdm_err(err, "bind: %s has no RX queue %u", dev, q);
	case XDP_DMABUF_ZC_DEVICE_DOWN:
		return xdm_err(err, "bind: zero copy needs %s up: ip link set %s up", dev, dev);
	case XDP_DMABUF_ZC_COMPLETION_RING:
		return xdm_err(err, "bind: zero copy needs a dmabuf completion ring entry per "
			       "chunk: %u chunks, %u entries (leave dmabuf_comp_size 0)",
			       x->umem->nr_chunks, x->umem->cfg.dmabuf_comp_size);
	case XDP_DMABUF_ZC_DMA_MAP:
		return xdm_err(err, "bind: %s cannot map the dmabuf for zero copy, or a chunk of "
			       "%u bytes is not contiguous for it (try page-size chunks): %s",
			       dev, x->umem->cfg.chunk_size, strerror(-err));
	case XDP_DMABUF_ZC_CHUNK_SIZE:
		return xdm_err(err, "bind: %s's buffers are not %u bytes: zero copy needs chunks "
			       "of the driver's buffer size (the page size)", dev,
			       x->umem->cfg.chunk_size);
	case XDP_DMABUF_ZC_RESTART:
		return xdm_err(err, "bind: %s failed to restart queue %u for zero copy: %s",
			       dev, q, strerror(-err));
	default:
		return 0;
	}
}

static int bind_err(int err, struct xsk_devmem_socket *x, __u32 flags, __u32 refusal)
{
	__u32 rxq = 0, txq = 0;

	if (refusal)
		return zc_refusal_err(err, x, refusal);
	switch (-err) {
	case EINVAL:
		if (!xdm_queue_count(x->ifindex, &rxq, &txq) && x->queue >= rxq && x->queue >= txq)
			return xdm_err(err, "bind: queue %u out of range: %s has %u RX queue(s)",
				       x->queue, x->ifname, rxq);
		return xdm_err(err, "bind to %s queue %u refused (flags 0x%x): %s", x->ifname,
			       x->queue, flags, strerror(-err));
	case EBUSY:
		return xdm_err(err, "bind: %s queue %u already has an AF_XDP socket (or a "
			       "memory provider)", x->ifname, x->queue);
	case EOPNOTSUPP:
		if (flags & XDP_ZEROCOPY)
			return xdm_err(err, "bind: zero-copy is not supported for a dmabuf UMEM "
				       "on %s queue %u (driver or kernel); use copy or auto mode",
				       x->ifname, x->queue);
		return xdm_err(err, "bind: copy mode on %s needs CPU access to the dmabuf and "
			       "its exporter gives none (no vmap); use a dmabuf the CPU can "
			       "map, or zero-copy on a driver that supports it", x->ifname);
	case ENODEV:
		return xdm_err(err, "bind: interface '%s' is gone", x->ifname);
	default:
		return sock_err(err, "bind");
	}
}

static int do_bind(struct xsk_devmem_socket *x, const struct xsk_devmem_socket_config *c)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_ifindex = x->ifindex,
		.sxdp_queue_id = x->queue,
	};
	struct xdp_dmabuf_info info = {};
	struct xdp_options opts;
	socklen_t len = sizeof(opts);
	__u32 flags = 0;
	int err;

	if (x->owner) {
		flags = XDP_USE_SG;
		if (!(c->flags & XSK_DEVMEM_SOCKET_F_NO_NEED_WAKEUP))
			flags |= XDP_USE_NEED_WAKEUP;
		/* Auto tries zero copy first. */
		if (c->mode == XSK_DEVMEM_MODE_COPY)
			flags |= XDP_COPY;
		else
			flags |= XDP_ZEROCOPY;
	} else {
		/* Mode, SG and need_wakeup come from the UMEM's first socket. */
		flags = XDP_SHARED_UMEM;
		sxdp.sxdp_shared_umem_fd = x->umem->fd;
	}
	sxdp.sxdp_flags = flags;
	err = bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) ? -errno : 0;
	if (err && (flags & XDP_ZEROCOPY))
		info = dmabuf_info(x);
	last_zc_refusal = info.zc_refusal;
	/* Auto: any reason the driver or the set-up gives against zero copy
	 * (EOPNOTSUPP from a kernel that says no more). */
	if (err && x->owner && c->mode == XSK_DEVMEM_MODE_AUTO &&
	    (info.zc_refusal || err == -EOPNOTSUPP)) {
		xdm_pr(XSK_DEVMEM_INFO, "%s queue %u: zero copy refused (reason %u, %s), "
		       "trying copy mode\n", x->ifname, x->queue, info.zc_refusal,
		       strerror(-err));
		sxdp.sxdp_flags = (flags & ~XDP_ZEROCOPY) | XDP_COPY;
		memset(&info, 0, sizeof(info));
		err = bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) ? -errno : 0;
	}
	if (err)
		return bind_err(err, x, sxdp.sxdp_flags, info.zc_refusal);
	/* The payload's mode: XDP_DMABUF_INFO; a kernel without it has no
	 * dmabuf zero copy (XDP_OPTIONS speaks of the host UMEM). */
	x->mode = XSK_DEVMEM_MODE_COPY;
	info = dmabuf_info(x);
	if (info.mode == XDP_DMABUF_MODE_ZEROCOPY)
		x->mode = XSK_DEVMEM_MODE_ZEROCOPY;
	else if (!info.mode && !getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &opts, &len) &&
		 opts.flags & XDP_OPTIONS_ZEROCOPY)
		x->mode = XSK_DEVMEM_MODE_ZEROCOPY;
	return 0;
}

static int set_busy_poll(struct xsk_devmem_socket *x, const struct xsk_devmem_socket_config *c)
{
	int v;

	if (c->flags & XSK_DEVMEM_SOCKET_F_PREFER_BUSY_POLL) {
		v = 1;
		if (setsockopt(x->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &v, sizeof(v)))
			return xdm_err(-errno, "SO_PREFER_BUSY_POLL: %s", strerror(errno));
	}
	if (c->busy_poll_usecs) {
		v = c->busy_poll_usecs;
		if (setsockopt(x->fd, SOL_SOCKET, SO_BUSY_POLL, &v, sizeof(v)))
			return xdm_err(-errno, "SO_BUSY_POLL %d: %s%s", v, strerror(errno),
				       errno == EPERM ? " (raising it needs CAP_NET_ADMIN)" : "");
		x->q.kick_always = true;
	}
	if (c->busy_poll_budget) {
		v = c->busy_poll_budget;
		if (setsockopt(x->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &v, sizeof(v)))
			return xdm_err(-errno, "SO_BUSY_POLL_BUDGET %d: %s%s", v, strerror(errno),
				       errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
	}
	return 0;
}

static void rxq_setup(struct xsk_devmem_socket *x, struct xdm_umem_rings *r)
{
	struct xsk_devmem_umem *u = x->umem;

	x->q.fq = r->fq;
	x->q.dfq = r->dfq;
	x->q.dcq = r->dcq;
	x->q.hdr_area = u->hdr_area;
	x->q.hdr_size = u->hdr_size;
	x->q.frame_mask = ~((__u64)u->cfg.frame_size - 1);
	x->q.area_start = u->cfg.dmabuf_offset;
	x->q.area_end = u->cfg.dmabuf_offset + u->cfg.dmabuf_len;
	x->q.chunk_mask = ~((__u64)u->cfg.chunk_size - 1);
	/* Zero copy hands out offsets inside chunks, to be given back as
	 * they are. */
	x->q.pay_align = x->mode == XSK_DEVMEM_MODE_ZEROCOPY ? 0 : ~x->q.chunk_mask;
	x->q.fd = x->fd;
}

static void socket_free(struct xsk_devmem_socket *x)
{
	unmap(&x->rx_map);
	if (!x->owner) {
		rings_unmap(&x->rings);
		if (x->fd >= 0)
			close(x->fd);
	}
	free(x->frames);
	free(x->chunks);
	free(x);
}

int xsk_devmem_socket__create(struct xsk_devmem_socket **xsk, const char *ifname,
			      __u32 queue, struct xsk_devmem_umem *umem,
			      const struct xsk_devmem_socket_config *cfg)
{
	struct xsk_devmem_socket_config c = {};
	struct xsk_devmem_socket *x, *o;
	struct xdp_mmap_offsets_v2 off;
	bool bound = false;
	__u32 want;
	int err;

	if (!xsk || !umem || !ifname)
		return xdm_err(-EINVAL, "socket: no handle, UMEM or interface given");
	if (cfg)
		c = *cfg;
	if (!c.rx_size)
		c.rx_size = XSK_DEVMEM_DEFAULT_RING_SIZE;
	if (!is_pow2(c.rx_size))
		return xdm_err(-EINVAL, "socket: RX ring size %u is not a power of two", c.rx_size);
	if (c.mode > XSK_DEVMEM_MODE_ZEROCOPY)
		return xdm_err(-EINVAL, "socket: unknown mode %d", c.mode);
	if (strlen(ifname) >= IF_NAMESIZE)
		return xdm_err(-ENODEV, "interface name '%s' is too long", ifname);
	x = calloc(1, sizeof(*x));
	if (!x)
		return xdm_err(-ENOMEM, "socket: out of memory");
	x->fd = -1;
	xdm_prog_init(&x->bpf);
	x->umem = umem;
	x->queue = queue;
	snprintf(x->ifname, sizeof(x->ifname), "%s", ifname);
	x->ifindex = if_nametoindex(ifname);
	if (!x->ifindex) {
		free(x);
		return xdm_err(-ENODEV, "interface '%s' does not exist (in this network "
			       "namespace)", ifname);
	}

	pthread_mutex_lock(&umem->lock);
	for (o = umem->sockets; o; o = o->next) {
		if (o->ifindex == x->ifindex && o->queue == queue) {
			pthread_mutex_unlock(&umem->lock);
			free(x);
			return xdm_err(-EBUSY, "socket: this UMEM already has a socket on %s "
				       "queue %u", ifname, queue);
		}
	}
	x->owner = !umem->fd_bound;
	if (x->owner) {
		x->fd = umem->fd;
		umem->fd_bound = true;	/* claimed; undone on failure */
	}
	want = c.fill_frames ? c.fill_frames : umem->cfg.fill_size;
	x->frames = take(umem->free_frames, &umem->nr_free_frames, want, &x->nr_frames);
	want = c.dmabuf_fill_chunks ? c.dmabuf_fill_chunks : umem->cfg.dmabuf_fill_size;
	x->chunks = take(umem->free_chunks, &umem->nr_free_chunks, want, &x->nr_chunks);
	pthread_mutex_unlock(&umem->lock);
	if (!x->frames || !x->chunks) {
		err = xdm_err(-ENOMEM, "socket: out of memory");
		goto fail;
	}
	if (!x->nr_frames || !x->nr_chunks) {
		err = xdm_err(-ENOSPC, "socket: the UMEM has no free %s left for another "
			      "socket (make it bigger)", x->nr_frames ? "dmabuf chunks" :
			      "host frames");
		goto fail;
	}

	if (!x->owner) {
		x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (x->fd < 0) {
			err = sock_err(-errno, "socket(AF_XDP)");
			goto fail;
		}
		err = rings_create(x->fd, &umem->cfg, &x->rings);
		if (err)
			goto fail;
	}
	/*
	 * A failed bind leaves the UMEM's fd unbound with its RX ring made:
	 * a retry on the same UMEM (another queue, say) reuses that ring.
	 */
	if (x->owner && umem->owner_rx_size) {
		if (c.rx_size != umem->owner_rx_size) {
			err = xdm_err(-EINVAL, "socket: the UMEM's fd already has an RX ring "
				      "of %u entries", umem->owner_rx_size);
			goto fail;
		}
	} else {
		err = ring_setsockopt(x->fd, XDP_RX_RING, c.rx_size, "RX ring");
		if (err)
			goto fail;
		if (x->owner)
			umem->owner_rx_size = c.rx_size;
	}
	err = get_offsets(x->fd, &off);
	if (!err)
		err = map_ring(x->fd, &off.rx, XDP_PGOFF_RX_RING, c.rx_size,
			       sizeof(struct xdp_desc), false, &x->q.rx, &x->rx_map, "RX");
	if (!err)
		err = set_busy_poll(x, &c);
	if (!err)
		err = xdm_prog_prepare(&x->bpf, x->ifindex, x->ifname, x->queue, &c);
	if (!err)
		err = do_bind(x, &c);
	if (err)
		goto fail;
	bound = true;
	rxq_setup(x, x->owner ? &umem->rings : &x->rings);
	xdm_rxq_post_frames(&x->q, x->frames, x->nr_frames);
	xdm_rxq_post_chunks(&x->q, x->chunks, x->nr_chunks);
	err = xdm_prog_enter(&x->bpf, x->fd);
	if (err)
		goto fail;

	pthread_mutex_lock(&umem->lock);
	x->next = umem->sockets;
	umem->sockets = x;
	umem->refs++;
	pthread_mutex_unlock(&umem->lock);
	*xsk = x;
	return 0;

fail:
	xdm_prog_teardown(&x->bpf);
	pthread_mutex_lock(&umem->lock);
	if (x->owner && bound) {
		/*
		 * The UMEM's fd is bound and cannot be unbound; its chunks are
		 * with the kernel. Other queues can still share the UMEM.
		 */
		xdm_pr(XSK_DEVMEM_WARN, "socket: the UMEM's fd stays bound to %s queue %u\n",
		       x->ifname, x->queue);
	} else {
		if (x->owner)
			umem->fd_bound = false;
		if (x->frames)
			give_back(umem->free_frames, &umem->nr_free_frames, x->frames,
				  x->nr_frames);
		if (x->chunks)
			give_back(umem->free_chunks, &umem->nr_free_chunks, x->chunks,
				  x->nr_chunks);
	}
	pthread_mutex_unlock(&umem->lock);
	socket_free(x);
	return err;
}

void xsk_devmem_socket__delete(struct xsk_devmem_socket *x)
{
	struct xsk_devmem_umem *u;
	struct xsk_devmem_socket **pp;

	if (!x)
		return;
	u = x->umem;
	xdm_prog_teardown(&x->bpf);
	pthread_mutex_lock(&u->lock);
	for (pp = &u->sockets; *pp; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	}
	u->refs--;
	/*
	 * Closing a socket of its own ends the kernel's hold on its chunks:
	 * they are free again. The first socket's fd is the UMEM's and stays
	 * bound: its chunks stay with the kernel until the UMEM goes.
	 */
	if (!x->owner) {
		give_back(u->free_frames, &u->nr_free_frames, x->frames, x->nr_frames);
		give_back(u->free_chunks, &u->nr_free_chunks, x->chunks, x->nr_chunks);
	}
	pthread_mutex_unlock(&u->lock);
	socket_free(x);
}

int xsk_devmem_socket__fd(const struct xsk_devmem_socket *x)
{
	return x->fd;
}

enum xsk_devmem_mode xsk_devmem_socket__mode(const struct xsk_devmem_socket *x)
{
	return x->mode;
}

int xsk_devmem_socket__update_xskmap(struct xsk_devmem_socket *x, int map_fd, __u32 index)
{
	return xdm_xskmap_update(map_fd, index, x->fd, "entering the socket into the XSKMAP");
}

/* --- data path: thin wrappers around xsk_devmem_rx.c --------------------- */

/* The words for what recv and peek return. */
static int take_err(const struct xsk_devmem_socket *x, int n, const char *what,
		    unsigned int max_segs)
{
	if (n == -EBUSY)
		return xdm_err(n, "%s: %u packets taken by peek are not released yet "
			       "(release_peeked first)", what, x->q.held_pkts);
	if (n == -ENOBUFS)
		return xdm_err(n, "%s: a packet has more segments than the %u given "
			       "(XSK_DEVMEM_MAX_SEGS holds any)", what, max_segs);
	return n;
}

int xsk_devmem_socket__recv(struct xsk_devmem_socket *x, struct xsk_devmem_pkt *pkts,
			    unsigned int max_pkts, struct xsk_devmem_seg *segs,
			    unsigned int max_segs)
{
	return take_err(x, xdm_rxq_recv(&x->q, pkts, max_pkts, segs, max_segs), "recv",
			max_segs);
}

int xsk_devmem_socket__peek(struct xsk_devmem_socket *x, struct xsk_devmem_pkt *pkts,
			    unsigned int max_pkts, struct xsk_devmem_seg *segs,
			    unsigned int max_segs)
{
	return take_err(x, xdm_rxq_peek(&x->q, pkts, max_pkts, segs, max_segs), "peek",
			max_segs);
}

int xsk_devmem_socket__release_peeked(struct xsk_devmem_socket *x, unsigned int n)
{
	int err = xdm_rxq_release_peeked(&x->q, n);

	if (err == -EINVAL)
		return xdm_err(err, "release_peeked: %u packets, but only %u are held "
			       "(nothing released)", n, x->q.held_pkts);
	if (err == -ENOSPC)
		return xdm_err(err, "release_peeked: a fill ring is full: chunks of held "
			       "packets were also released another way; nothing released");
	return err;
}

static int release_err(int err, const char *what)
{
	if (err == -EINVAL)
		return xdm_err(err, "%s: an address is not a chunk of this UMEM "
			       "(nothing released)", what);
	if (err == -ENOSPC)
		return xdm_err(err, "%s: the fill ring is full: more chunks released than "
			       "the socket owns (a double release?); nothing released", what);
	return err;
}

int xsk_devmem_socket__release(struct xsk_devmem_socket *x,
			       const struct xsk_devmem_pkt *pkts, unsigned int n)
{
	return release_err(xdm_rxq_release(&x->q, pkts, n, true, true), "release");
}

int xsk_devmem_socket__release_hdr(struct xsk_devmem_socket *x,
				   const struct xsk_devmem_pkt *pkts, unsigned int n)
{
	return release_err(xdm_rxq_release(&x->q, pkts, n, true, false), "release_hdr");
}

int xsk_devmem_socket__release_payload(struct xsk_devmem_socket *x,
				       const __u64 *offsets, unsigned int n)
{
	return release_err(xdm_rxq_release_payload(&x->q, offsets, n), "release_payload");
}

int xsk_devmem_socket__completed(struct xsk_devmem_socket *x, __u64 *offsets,
				 unsigned int n)
{
	return xdm_rxq_completed(&x->q, offsets, n);
}

int xsk_devmem_socket__recycle(struct xsk_devmem_socket *x)
{
	__u64 buf[256];
	int total = 0, n;

	while ((n = xdm_rxq_completed(&x->q, buf, 256)) > 0) {
		/* The dmabuf fill ring has room for every chunk we own. */
		xdm_rxq_release_payload(&x->q, buf, n);
		total += n;
	}
	return total;
}

int xsk_devmem_socket__wait(struct xsk_devmem_socket *x, int timeout_ms)
{
	struct pollfd pfd = { .fd = x->fd, .events = POLLIN };
	socklen_t len = sizeof(int);
	int n, e = 0;

	if (x->gone)
		return x->gone;
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	if (!(pfd.revents & POLLERR))
		return n;
	/* The kernel reports the error once the chunks it held are on the
	 * dmabuf completion ring; reading it clears it, so keep it. */
	if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &e, &len))
		return sock_err(-errno, "SO_ERROR");
	if (!e)
		return n;
	x->gone = -e;
	return xdm_err(-e, "socket on %s queue %u: %s: the device went away; what is left on "
		       "the RX ring and the chunks on the dmabuf completion ring are the "
		       "caller's", x->ifname, x->queue, strerror(e));
}

/* --- statistics ---------------------------------------------------------- */

int xsk_devmem_socket__stats(const struct xsk_devmem_socket *x, struct xsk_devmem_stats *out,
			     size_t size)
{
	struct xdp_dmabuf_statistics ds = {};
	struct xdp_statistics ks = {};
	struct xsk_devmem_stats st;
	socklen_t len;

	if (!out)
		return xdm_err(-EINVAL, "stats: nowhere to put them");
	st = x->q.st;
	len = sizeof(ks);
	if (getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, &ks, &len))
		return sock_err(-errno, "XDP_STATISTICS");
	st.rx_dropped = ks.rx_dropped;
	st.rx_invalid_descs = ks.rx_invalid_descs;
	st.rx_ring_full = ks.rx_ring_full;
	st.rx_fill_ring_empty_descs = ks.rx_fill_ring_empty_descs;
	len = sizeof(ds);
	if (getsockopt(x->fd, SOL_XDP, XDP_DMABUF_STATISTICS, &ds, &len) && errno != ENOPROTOOPT)
		return sock_err(-errno, "XDP_DMABUF_STATISTICS");
	st.dmabuf_fill_invalid_descs = ds.fill_invalid_descs;
	st.dmabuf_fill_empty_descs = ds.fill_empty_descs;
	st.cpu_copied_bytes = ds.cpu_copied_bytes;
	st.split_packets = ds.split_packets;
	st.whole_packets = ds.whole_packets;
	st.zc_packets = ds.zc_packets;
	st.zc_frags = ds.zc_frags;
	st.split_mismatch = ds.split_mismatch;
	if (size > sizeof(st)) {
		memset(out, 0, size);
		size = sizeof(st);
	}
	memcpy(out, &st, size);
	return 0;
}

/* --- zero-copy probe --------------------------------------------------------- */

int xsk_devmem_probe_zc(const char *ifname, __u32 queue, int *zc, __u32 *reason)
{
	const struct xsk_devmem_socket_config sc = {
		.mode = XSK_DEVMEM_MODE_ZEROCOPY,
		.flags = XSK_DEVMEM_SOCKET_F_INHIBIT_PROG_LOAD | XSK_DEVMEM_SOCKET_F_NO_XSKMAP,
		.rx_size = 64,
		.fill_frames = 64,
		.dmabuf_fill_chunks = 64,
	};
	const struct xsk_devmem_umem_config uc = {
		.fill_size = 64, .comp_size = 64, .dmabuf_fill_size = 64,
	};
	struct xsk_devmem_dmabuf *d = NULL;
	struct xsk_devmem_umem *u = NULL;
	struct xsk_devmem_socket *x = NULL;
	int err;

	if (!ifname || !zc || !reason)
		return xdm_err(-EINVAL, "probe_zc: no interface or result given");
	*zc = 0;
	*reason = 0;
	err = xsk_devmem_dmabuf__create_udmabuf(&d, 1 << 20);
	if (!err)
		err = xsk_devmem_umem__create(&u, NULL, 128 * XSK_DEVMEM_DEFAULT_FRAME_SIZE, d, &uc);
	if (err)
		goto out;
	last_zc_refusal = 0;
	err = xsk_devmem_socket__create(&x, ifname, queue, u, &sc);
	if (!err) {
		*zc = 1;
	} else if (last_zc_refusal || err == -EOPNOTSUPP || err == -EBUSY) {
		/* A refusal: the probe itself worked; the message stays. */
		*reason = last_zc_refusal;
		err = 0;
	}
out:
	xsk_devmem_socket__delete(x);
	if (u)
		xsk_devmem_umem__delete(u);
	xsk_devmem_dmabuf__delete(d);
	return err;
}
