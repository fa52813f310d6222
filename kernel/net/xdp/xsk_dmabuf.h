/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_XDP UMEM with a dmabuf payload area: what the rest of net/xdp/ calls.
 * Everything compiles away without CONFIG_XDP_SOCKETS_DMABUF.
 */

#ifndef XSK_DMABUF_H_
#define XSK_DMABUF_H_

#include <linux/sockptr.h>
#include <linux/types.h>
#include <net/xdp.h>
#include <net/xsk_buff_pool.h>

struct seq_file;
struct xdp_buff;
struct net_device;
struct xdp_md;
struct xdp_sock;
struct xdp_umem;
struct xsk_buff_pool;
struct xsk_dmabuf_area;
struct xsk_dmabuf_rx;
struct xsk_queue;

#if IS_ENABLED(CONFIG_XDP_SOCKETS_DMABUF)

/* Does the pool have a dmabuf half? Costs a patched-out jump, no load,
 * while no dmabuf area exists.
 */
static inline bool xsk_dmabuf_pool(const struct xsk_buff_pool *pool)
{
	return static_branch_unlikely(&xsk_dmabuf_in_use) && pool->dmabuf;
}

/* Registration (XDP_UMEM_DMABUF_REG) and the end of the UMEM. */
int xsk_dmabuf_reg(struct xdp_sock *xs, sockptr_t optval, unsigned int optlen);
void xsk_dmabuf_area_destroy(struct xsk_dmabuf_area *area);

/* Bind: check the socket's set-up, then give the buffer pool its half;
 * in zero copy, install the provider on the queue.
 */
int xsk_dmabuf_bind_check(struct xdp_sock *xs, struct xdp_umem *umem,
			  u32 *flags, bool *zc);
int xsk_dmabuf_zc_bind(struct xdp_sock *xs, struct net_device *dev,
		       u32 queue_id, u32 flags);
struct xsk_dmabuf_rx *xsk_dmabuf_rx_create(struct xsk_dmabuf_area *area,
					   struct xsk_queue *fq,
					   struct xsk_queue *cq);
void xsk_dmabuf_rx_unbind(struct xsk_dmabuf_rx *drx);
void xsk_dmabuf_rx_destroy_rings(struct xsk_dmabuf_rx *drx);
void xsk_dmabuf_rx_free(struct xsk_dmabuf_rx *drx);
struct xsk_queue *xsk_dmabuf_rx_ring(struct xsk_dmabuf_rx *drx, bool fill);

/* Receive; a kick from user space in zero copy. */
int xsk_dmabuf_rcv(struct xdp_sock *xs, struct xdp_buff *xdp, u32 len);
void xsk_dmabuf_flush(struct xsk_dmabuf_rx *drx);
void xsk_dmabuf_zc_kick(struct xsk_dmabuf_rx *drx);

/* The split kfunc; XDP programs call it, nothing in the kernel does. */
int bpf_xsk_dmabuf_set_split(struct xdp_md *ctx, u32 hdr_len);

/* XDP_DMABUF_STATISTICS. */
int xsk_dmabuf_getsockopt_stats(struct xdp_sock *xs, char __user *optval,
				int __user *optlen, int len);
/* XDP_DMABUF_INFO. */
int xsk_dmabuf_getsockopt_info(struct xdp_sock *xs, char __user *optval,
			       int __user *optlen, int len);

/* Test knobs, built with CONFIG_XDP_SOCKETS_DMABUF_SELFTEST only. */
void xsk_dmabuf_show_areas(struct seq_file *m);
extern u32 xsk_dmabuf_unbind_delay_ms;

#else

static inline bool xsk_dmabuf_pool(const struct xsk_buff_pool *pool)
{
	return false;
}

static inline int xsk_dmabuf_reg(struct xdp_sock *xs, sockptr_t optval,
				 unsigned int optlen)
{
	return -ENOPROTOOPT;
}

static inline void xsk_dmabuf_area_destroy(struct xsk_dmabuf_area *area)
{
}

static inline int xsk_dmabuf_bind_check(struct xdp_sock *xs,
					struct xdp_umem *umem, u32 *flags,
					bool *zc)
{
	*zc = false;
	return 0;
}

static inline int xsk_dmabuf_zc_bind(struct xdp_sock *xs,
				     struct net_device *dev, u32 queue_id,
				     u32 flags)
{
	return -EOPNOTSUPP;
}

static inline struct xsk_dmabuf_rx *
xsk_dmabuf_rx_create(struct xsk_dmabuf_area *area, struct xsk_queue *fq,
		     struct xsk_queue *cq)
{
	return NULL;
}

static inline void xsk_dmabuf_rx_unbind(struct xsk_dmabuf_rx *drx)
{
}

static inline void xsk_dmabuf_rx_destroy_rings(struct xsk_dmabuf_rx *drx)
{
}

static inline void xsk_dmabuf_rx_free(struct xsk_dmabuf_rx *drx)
{
}

static inline struct xsk_queue *xsk_dmabuf_rx_ring(struct xsk_dmabuf_rx *drx,
						   bool fill)
{
	return NULL;
}

static inline int xsk_dmabuf_rcv(struct xdp_sock *xs, struct xdp_buff *xdp,
				 u32 len)
{
	return 1;
}

static inline void xsk_dmabuf_flush(struct xsk_dmabuf_rx *drx)
{
}

static inline void xsk_dmabuf_zc_kick(struct xsk_dmabuf_rx *drx)
{
}

static inline int xsk_dmabuf_getsockopt_stats(struct xdp_sock *xs,
					      char __user *optval,
					      int __user *optlen, int len)
{
	return -EOPNOTSUPP;
}

static inline int xsk_dmabuf_getsockopt_info(struct xdp_sock *xs,
					     char __user *optval,
					     int __user *optlen, int len)
{
	return -EOPNOTSUPP;
}

#endif /* CONFIG_XDP_SOCKETS_DMABUF */

#endif /* XSK_DMABUF_H_ */
