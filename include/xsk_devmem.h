/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk_devmem.h - libxsk-devmem: AF_XDP sockets whose UMEM payload area is a
 * dmabuf (device memory), in the style of libxdp's <xdp/xsk.h>.
 *
 * Four objects, each an opaque handle with a __create and a __delete:
 *
 *   xsk_devmem_dmabuf  the device memory: a udmabuf the library makes from
 *                      a sealed memfd (no device needed), or the fd a
 *                      driver exported (GPU, accelerator)
 *   xsk_devmem_umem    host header area + dmabuf payload area and their
 *                      four rings (fill, completion, dmabuf fill, dmabuf
 *                      completion); one UMEM may serve several sockets
 *   xsk_devmem_socket  an AF_XDP socket bound to one interface queue, with
 *                      its RX ring; optionally loads steer.bpf.o and puts
 *                      itself into its XSKMAP
 *
 * Receive is batched: xsk_devmem_socket__recv() hands out packets, each a
 * header in host memory (pointer, length) followed by payload segments
 * (offset in the dmabuf, length); xsk_devmem_socket__release() gives header
 * chunks back through the fill ring and payload chunks through the dmabuf
 * fill ring. No system call per buffer: a wakeup only when the kernel asks
 * for one (need_wakeup) or when busy polling.
 *
 * Why the library sets up sockets itself instead of on top of libxdp's
 * xsk_umem__create()/xsk_socket__create(): the dmabuf area must be
 * registered (XDP_UMEM_DMABUF_REG) and its two rings created between
 * XDP_UMEM_REG and bind(), and bind() needs XDP_USE_SG; libxdp does the
 * whole sequence in one call with no hook in between. The set-up is a few
 * setsockopts; libxdp is still used to load the XDP program.
 *
 * Errors: every call returns 0 (or a count) on success and -errno on
 * failure, and a failed call changes nothing (no fd, mapping or chunk is
 * left behind). Besides the errno, each failure is put in words, naming
 * what is wrong and what to do ("kernel without the xsk-devmem patch set",
 * "interface 'eth9' does not exist", "queue 4 out of range: eth0 has 2 RX
 * queues", "not enough locked memory: ... raise RLIMIT_MEMLOCK"). The text
 * goes to the print callback (xsk_devmem_set_print(); by default warnings
 * go to stderr) and stays readable through xsk_devmem_errmsg() until the
 * next failing call in the same thread.
 *
 * Threads: the library takes no lock on the data path. A socket's rings
 * have one producer and one consumer each: call recv and the release calls
 * of one socket from one thread, except that xsk_devmem_socket__release_payload()
 * (the dmabuf fill ring alone) may run in another thread when that thread is
 * the only one returning payload (the "device consumer" pattern of
 * examples/device_consumer.c). Sockets of one UMEM on different queues may
 * run in different threads.
 *
 * Chunk ownership (one owner at a time, see docs/library.md):
 *   user --release--> kernel --recv--> user
 *   kernel --(unbind, queue restart, device gone)--> dmabuf completion ring
 *   --xsk_devmem_socket__recycle()--> kernel
 */
#ifndef XSK_DEVMEM_H
#define XSK_DEVMEM_H

#include <stdarg.h>
#include <stddef.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XSK_DEVMEM_VERSION_MAJOR	0
#define XSK_DEVMEM_VERSION_MINOR	1

/* --- messages --------------------------------------------------------- */

enum xsk_devmem_print_level {
	XSK_DEVMEM_WARN,
	XSK_DEVMEM_INFO,
	XSK_DEVMEM_DEBUG,
};

typedef int (*xsk_devmem_print_fn_t)(enum xsk_devmem_print_level level,
				     const char *fmt, va_list args);

/* Set the print callback (NULL: silence); returns the previous one. */
xsk_devmem_print_fn_t xsk_devmem_set_print(xsk_devmem_print_fn_t fn);

/*
 * What the last failing call of this thread said, in words ("" if none).
 * The text stays until the next failure in the same thread.
 */
const char *xsk_devmem_errmsg(void);

/*
 * The library's meaning of a -errno it returned, in words, into buf
 * (e.g. -ENOPROTOOPT: "the kernel has no dmabuf UMEM (xsk-devmem patch set
 * missing)"). Returns buf.
 */
const char *xsk_devmem_strerror(int err, char *buf, size_t size);

/* --- dmabuf sources ---------------------------------------------------- */

struct xsk_devmem_dmabuf;

/*
 * A udmabuf of size bytes (a multiple of the page size) made from a sealed
 * memfd through /dev/udmabuf: host memory exported as a dmabuf, the
 * stand-in for device memory when there is no device. CPU-mappable.
 */
int xsk_devmem_dmabuf__create_udmabuf(struct xsk_devmem_dmabuf **dmabuf, __u64 size);

/* Flags of xsk_devmem_dmabuf__from_fd(). */
#define XSK_DEVMEM_DMABUF_F_MMAP	(1u << 0)	/* map it for CPU access */
#define XSK_DEVMEM_DMABUF_F_TAKE_FD	(1u << 1)	/* close fd on __delete */

/*
 * A dmabuf a device driver exported. The size comes from the dmabuf
 * (lseek). Without XSK_DEVMEM_DMABUF_F_TAKE_FD the caller keeps owning fd
 * and must keep it open until the dmabuf object is deleted.
 */
int xsk_devmem_dmabuf__from_fd(struct xsk_devmem_dmabuf **dmabuf, int fd, __u32 flags);

void xsk_devmem_dmabuf__delete(struct xsk_devmem_dmabuf *dmabuf);
int xsk_devmem_dmabuf__fd(const struct xsk_devmem_dmabuf *dmabuf);
__u64 xsk_devmem_dmabuf__size(const struct xsk_devmem_dmabuf *dmabuf);
/* The CPU mapping of the whole dmabuf, or NULL if it has none. */
void *xsk_devmem_dmabuf__data(const struct xsk_devmem_dmabuf *dmabuf);

/*
 * Bracket CPU access to the mapping (DMA_BUF_IOCTL_SYNC): access is
 * XSK_DEVMEM_SYNC_READ and/or _WRITE, the same for begin and end.
 */
#define XSK_DEVMEM_SYNC_READ	(1u << 0)
#define XSK_DEVMEM_SYNC_WRITE	(1u << 1)
int xsk_devmem_dmabuf__cpu_begin(const struct xsk_devmem_dmabuf *dmabuf, __u32 access);
int xsk_devmem_dmabuf__cpu_end(const struct xsk_devmem_dmabuf *dmabuf, __u32 access);

/* --- UMEM ---------------------------------------------------------------- */

struct xsk_devmem_umem;

#define XSK_DEVMEM_DEFAULT_RING_SIZE	2048
#define XSK_DEVMEM_DEFAULT_FRAME_SIZE	4096
#define XSK_DEVMEM_DEFAULT_NUM_FRAMES	(2 * XSK_DEVMEM_DEFAULT_RING_SIZE)

/* Zero means the default in every field. */
struct xsk_devmem_umem_config {
	__u32 fill_size;		/* host fill ring entries */
	__u32 comp_size;		/* host completion ring entries */
	__u32 dmabuf_fill_size;		/* dmabuf fill ring entries */
	__u32 dmabuf_comp_size;		/* dmabuf completion ring entries; 0: one
					 * per chunk (what zero copy needs), at
					 * least the default */
	__u32 frame_size;		/* host chunk size (power of two) */
	__u32 frame_headroom;		/* bytes before each received frame */
	__u32 chunk_size;		/* dmabuf chunk size: power of two >= page size */
	__u32 flags;			/* must be 0 */
	__u64 dmabuf_offset;		/* payload area inside the dmabuf */
	__u64 dmabuf_len;		/* 0: from dmabuf_offset to the end */
};

/*
 * A UMEM of host area [hdr_area, hdr_area + hdr_size) for headers and the
 * dmabuf area for payload. hdr_area NULL: the library allocates hdr_size
 * bytes (0: XSK_DEVMEM_DEFAULT_NUM_FRAMES frames). The host area and the
 * dmabuf object must outlive the UMEM. cfg NULL: defaults.
 */
int xsk_devmem_umem__create(struct xsk_devmem_umem **umem, void *hdr_area, __u64 hdr_size,
			    struct xsk_devmem_dmabuf *dmabuf,
			    const struct xsk_devmem_umem_config *cfg);
/* -EBUSY while sockets still use it. */
int xsk_devmem_umem__delete(struct xsk_devmem_umem *umem);
int xsk_devmem_umem__fd(const struct xsk_devmem_umem *umem);
/* Host memory of a host UMEM address (a header descriptor's addr). */
void *xsk_devmem_umem__hdr_data(const struct xsk_devmem_umem *umem, __u64 addr);
/* CPU pointer of a dmabuf offset, NULL if the dmabuf has no mapping. */
void *xsk_devmem_umem__payload_data(const struct xsk_devmem_umem *umem, __u64 offset);
__u32 xsk_devmem_umem__chunk_size(const struct xsk_devmem_umem *umem);
struct xsk_devmem_dmabuf *xsk_devmem_umem__dmabuf(const struct xsk_devmem_umem *umem);

/* --- socket ---------------------------------------------------------------- */

struct xsk_devmem_socket;

enum xsk_devmem_mode {
	XSK_DEVMEM_MODE_AUTO = 0,	/* zero-copy when the driver can, else copy */
	XSK_DEVMEM_MODE_COPY,
	XSK_DEVMEM_MODE_ZEROCOPY,
};

/* Flags of struct xsk_devmem_socket_config. */
/* Load no XDP program: steer.bpf.o is managed by xdp-loader or
 * `xsk-devmem steer load` (like libxdp's XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD).
 * The socket still enters the XSKMAP pinned under pin_dir. */
#define XSK_DEVMEM_SOCKET_F_INHIBIT_PROG_LOAD	(1u << 0)
/* Touch no BPF object at all; use xsk_devmem_socket__update_xskmap(). */
#define XSK_DEVMEM_SOCKET_F_NO_XSKMAP		(1u << 1)
/* Enter the XSKMAP at xskmap_index, not at the queue id. */
#define XSK_DEVMEM_SOCKET_F_XSKMAP_INDEX	(1u << 2)
/* Bind without XDP_USE_NEED_WAKEUP: the kernel polls, we never kick. */
#define XSK_DEVMEM_SOCKET_F_NO_NEED_WAKEUP	(1u << 3)
/* SO_PREFER_BUSY_POLL (with busy_poll_usecs). */
#define XSK_DEVMEM_SOCKET_F_PREFER_BUSY_POLL	(1u << 4)

/* Zero means the default in every field. */
struct xsk_devmem_socket_config {
	__u32 rx_size;			/* RX ring entries */
	__u32 flags;			/* XSK_DEVMEM_SOCKET_F_* */
	enum xsk_devmem_mode mode;
	__u32 xdp_flags;		/* XDP_FLAGS_SKB_MODE or _DRV_MODE (default) to load steer */
	const char *prog_path;		/* steer.bpf.o; NULL: $XSK_STEER_OBJ or the installed one */
	const char *pin_dir;		/* steer's pin dir; NULL: $XSK_STEER_PIN_DIR or /sys/fs/bpf/xsk-devmem */
	__u32 xskmap_index;		/* with XSK_DEVMEM_SOCKET_F_XSKMAP_INDEX */
	__u32 busy_poll_usecs;		/* SO_BUSY_POLL; 0: off */
	__u32 busy_poll_budget;		/* SO_BUSY_POLL_BUDGET; 0: kernel default */
	__u32 fill_frames;		/* host chunks to post at start; 0: fill ring size */
	__u32 dmabuf_fill_chunks;	/* dmabuf chunks to post at start; 0: dmabuf fill ring size */
};

/*
 * Bind a socket to queue of ifname. The first socket of a UMEM uses the
 * UMEM's own fd; later ones share it (XDP_SHARED_UMEM) on other queues,
 * each with rings of its own and a share of the UMEM's free chunks. Each
 * socket starts by posting its chunks to the fill rings.
 */
int xsk_devmem_socket__create(struct xsk_devmem_socket **xsk, const char *ifname,
			      __u32 queue, struct xsk_devmem_umem *umem,
			      const struct xsk_devmem_socket_config *cfg);
void xsk_devmem_socket__delete(struct xsk_devmem_socket *xsk);
int xsk_devmem_socket__fd(const struct xsk_devmem_socket *xsk);
/* The mode bind() ended up in: _COPY or _ZEROCOPY. */
enum xsk_devmem_mode xsk_devmem_socket__mode(const struct xsk_devmem_socket *xsk);
const char *xsk_devmem_mode_str(enum xsk_devmem_mode mode);
/* Put the socket into an XSKMAP (map fd) at index; -errno. */
int xsk_devmem_socket__update_xskmap(struct xsk_devmem_socket *xsk, int map_fd, __u32 index);

/* --- receive and release --------------------------------------------------- */

/* A payload segment: dmabuf offset (or, without _DMABUF, host UMEM address). */
struct xsk_devmem_seg {
	__u64 addr;
	__u32 len;
	__u32 flags;			/* XSK_DEVMEM_SEG_DMABUF */
};
#define XSK_DEVMEM_SEG_DMABUF	(1u << 0)

/*
 * A received packet: its first hdr_len bytes at hdr (host memory; the XDP
 * program's metadata, if any, ends at hdr), then nr_segs segments in
 * order: dmabuf chunks for the payload, or more host chunks when a packet
 * delivered whole does not fit one host chunk.
 */
struct xsk_devmem_pkt {
	void *hdr;
	__u64 hdr_addr;			/* host UMEM address of the header */
	__u32 hdr_len;
	__u32 len;			/* whole packet */
	__u32 payload_len;		/* bytes in the dmabuf */
	__u16 nr_segs;			/* segments after the header */
	__u16 nr_payload_segs;		/* of those, dmabuf chunks */
	struct xsk_devmem_seg *segs;	/* into the caller's segs array */
};

/* A packet has at most this many segments after its header. */
#define XSK_DEVMEM_MAX_SEGS	32

/*
 * Take up to max_pkts complete packets off the RX ring; their segments go
 * into segs (max_segs entries; XSK_DEVMEM_MAX_SEGS hold any one packet).
 * Returns the number of packets, 0 if none is ready, -errno. The chunks
 * belong to the caller until released. When the ring is empty and the
 * kernel asked for a wakeup (or busy polling is on), it kicks the kernel
 * with one recvfrom(MSG_DONTWAIT).
 */
int xsk_devmem_socket__recv(struct xsk_devmem_socket *xsk, struct xsk_devmem_pkt *pkts,
			    unsigned int max_pkts, struct xsk_devmem_seg *segs,
			    unsigned int max_segs);

/*
 * CPU view of a packet: iov[0] its header, then one iovec per segment
 * (payload through the dmabuf's mapping). Returns the number of iovecs,
 * -EOPNOTSUPP if the packet has payload and the dmabuf no CPU mapping,
 * -ENOBUFS if max is too small. Bracket reads with
 * xsk_devmem_dmabuf__cpu_begin()/_end().
 */
struct iovec;
int xsk_devmem_umem__pkt_iov(const struct xsk_devmem_umem *umem,
			     const struct xsk_devmem_pkt *pkt, struct iovec *iov, unsigned int max);

/* Release headers and payload of n packets: both fill rings. */
int xsk_devmem_socket__release(struct xsk_devmem_socket *xsk,
			       const struct xsk_devmem_pkt *pkts, unsigned int n);
/* Only the host chunks of n packets (the fill ring). */
int xsk_devmem_socket__release_hdr(struct xsk_devmem_socket *xsk,
				   const struct xsk_devmem_pkt *pkts, unsigned int n);
/* Only payload chunks, by dmabuf offset (the dmabuf fill ring). */
int xsk_devmem_socket__release_payload(struct xsk_devmem_socket *xsk,
				       const __u64 *offsets, unsigned int n);

/*
 * In-order receive, for applications that finish packets in the order they
 * came (the fastest way; make bench-lib): peek takes packets as recv does
 * but leaves their descriptors on the RX ring, and release_peeked gives
 * back every chunk of the oldest n packets taken so (headers to the fill
 * ring, payload to the dmabuf fill ring) straight from those descriptors,
 * then their RX ring slots. Nothing to pass and nothing to check: the
 * addresses are the kernel's own. Packets taken by peek are released only
 * by release_peeked, never by the release calls above; while any is held,
 * recv fails with -EBUSY (peek goes on after them). Held packets occupy the
 * RX ring: one that holds as many descriptors as the ring has stops the
 * queue (the kernel counts rx_ring_full) until they are released.
 * release_peeked returns 0, -EINVAL if n is more than are held, -ENOSPC if
 * a fill ring is full (chunks were released twice); an error changes
 * nothing.
 */
int xsk_devmem_socket__peek(struct xsk_devmem_socket *xsk, struct xsk_devmem_pkt *pkts,
			    unsigned int max_pkts, struct xsk_devmem_seg *segs,
			    unsigned int max_segs);
int xsk_devmem_socket__release_peeked(struct xsk_devmem_socket *xsk, unsigned int n);

/*
 * Chunks the kernel gave back without a packet (dmabuf completion ring):
 * copy up to n offsets into offsets (the caller owns them now). Returns
 * the count.
 */
int xsk_devmem_socket__completed(struct xsk_devmem_socket *xsk, __u64 *offsets,
				 unsigned int n);
/* The same, posting them straight back to the dmabuf fill ring. */
int xsk_devmem_socket__recycle(struct xsk_devmem_socket *xsk);

/*
 * poll() for POLLIN up to timeout_ms; returns > 0 ready, 0 timeout, -errno.
 * When the device goes away it returns its error (-ENETDOWN), now and on
 * every later call: by then the chunks the kernel held are on the dmabuf
 * completion ring (xsk_devmem_socket__completed) and the RX ring holds
 * the last packets, which recv still returns.
 */
int xsk_devmem_socket__wait(struct xsk_devmem_socket *xsk, int timeout_ms);

/* --- statistics ---------------------------------------------------------- */

struct xsk_devmem_stats {
	/* kernel, XDP_STATISTICS */
	__u64 rx_dropped;
	__u64 rx_invalid_descs;
	__u64 rx_ring_full;
	__u64 rx_fill_ring_empty_descs;
	/* kernel, XDP_DMABUF_STATISTICS */
	__u64 dmabuf_fill_invalid_descs;
	__u64 dmabuf_fill_empty_descs;
	__u64 cpu_copied_bytes;
	__u64 split_packets;
	__u64 whole_packets;
	/* library */
	__u64 packets;			/* handed out by recv */
	__u64 bytes;
	__u64 payload_bytes;		/* of those, in the dmabuf */
	__u64 released_hdr_chunks;
	__u64 released_payload_chunks;
	__u64 completed_chunks;		/* read off the dmabuf completion ring */
	__u64 wakeups;			/* recvfrom() kicks */
	__u64 bad_descs;		/* RX descriptors that made no sense */
	/* kernel, XDP_DMABUF_STATISTICS, zero copy */
	__u64 zc_packets;		/* payload where the device wrote it */
	__u64 zc_frags;			/* payload descriptors posted in place */
	__u64 split_mismatch;		/* program's split point not the device's */
};

/*
 * Fill st (size: sizeof(*st) of the caller; a shorter struct from an older
 * build gets its prefix). Kernel counters read 0 where the kernel has none.
 */
int xsk_devmem_socket__stats(const struct xsk_devmem_socket *xsk,
			     struct xsk_devmem_stats *st, size_t size);

/* --- what the system supports --------------------------------------------- */

struct xsk_devmem_kernel_info {
	int af_xdp;			/* AF_XDP sockets can be created */
	int dmabuf_umem;		/* XDP_UMEM_DMABUF_REG known: the patch set */
	int split_kfunc;		/* bpf_xsk_dmabuf_set_split in the kernel BTF */
	int udmabuf;			/* /dev/udmabuf can be opened */
	__u64 udmabuf_size_limit;	/* bytes, 0 if unknown */
};
int xsk_devmem_probe_kernel(struct xsk_devmem_kernel_info *info);

struct xsk_devmem_iface_info {
	int ifindex;
	__u32 rx_queues;
	__u32 tx_queues;
	__u64 xdp_features;		/* NETDEV_XDP_ACT_*; 0 if unknown */
	__u32 zc_max_segs;		/* from the netdev family, 0 if unknown */
	int features_known;
	int copy;			/* copy mode possible (any driver with AF_XDP) */
	int zerocopy;			/* driver announces AF_XDP zero-copy */
};
int xsk_devmem_probe_iface(const char *ifname, struct xsk_devmem_iface_info *info);

/*
 * Can this queue receive a dmabuf UMEM's payload in zero copy? Tries it:
 * binds a socket with a small udmabuf UMEM in XSK_DEVMEM_MODE_ZEROCOPY, no
 * XDP program and no XSKMAP touched, and deletes it again. A queue that
 * can restarts twice (the provider goes on and off): brief, but not free
 * on a busy queue. Returns 0 if the probe ran (result in *zc: 1 yes,
 * 0 no, with the kernel's reason in *reason, an enum xdp_dmabuf_zc_refusal,
 * and the worded refusal in xsk_devmem_errmsg()), or -errno if it could
 * not be run (no udmabuf, no patch set, no such interface).
 */
int xsk_devmem_probe_zc(const char *ifname, __u32 queue, int *zc, __u32 *reason);

#ifdef __cplusplus
}
#endif

#endif /* XSK_DEVMEM_H */
