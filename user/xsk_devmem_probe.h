/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk_devmem_probe.h - what the library asks the kernel before and during
 * set-up (xsk_devmem_probe.c); the public probes are in xsk_devmem.h.
 */
#ifndef XSK_DEVMEM_PROBE_H
#define XSK_DEVMEM_PROBE_H

#include <sys/socket.h>
#include <linux/types.h>

/* AF_XDP's family and option level: not in every libc's headers. */
#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef AF_XDP
#define AF_XDP 44
#endif

/* 1: the kernel has the patch set, 0: not, -errno: no AF_XDP socket. */
int xdm_probe_dmabuf_umem(void);

/* RX and TX queue counts of ifindex (rtnetlink). */
int xdm_queue_count(int ifindex, __u32 *rx, __u32 *tx);

/* udmabuf.size_limit_mb in bytes, 0 if unknown. */
__u64 xdm_udmabuf_limit(void);

#endif /* XSK_DEVMEM_PROBE_H */
