/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk_devmem_prog.h - the BPF side of a socket (xsk_devmem_prog.c): steer
 * on its interface, if the library attached it, and the socket's entry in
 * steer's XSKMAP. xsk_devmem_prog.c works on struct xdm_prog alone; each
 * socket holds one.
 */
#ifndef XSK_DEVMEM_PROG_H
#define XSK_DEVMEM_PROG_H

#include <stdbool.h>

#include "xsk_devmem.h"

struct xdm_prog {
	int ifindex;
	int xskmap_fd;			/* -1: none */
	__u32 xskmap_index;
	bool in_xskmap;
	bool loaded;			/* we attached steer: detach on teardown */
	__u32 prog_id;
	__u32 xdp_flags;
	void *obj;			/* struct bpf_object * (libbpf), or NULL */
};

/* A prog that holds nothing: what teardown may always be called on. */
void xdm_prog_init(struct xdm_prog *p);
/* Before bind: load/attach steer if asked, open its XSKMAP. */
int xdm_prog_prepare(struct xdm_prog *p, int ifindex, const char *ifname, __u32 queue,
		     const struct xsk_devmem_socket_config *cfg);
/* After bind: enter the socket fd into the XSKMAP. */
int xdm_prog_enter(struct xdm_prog *p, int fd);
/* Undo both (safe when neither ran). */
void xdm_prog_teardown(struct xdm_prog *p);
/* Put fd at index of an XSKMAP; what names the step in the error message. */
int xdm_xskmap_update(int map_fd, __u32 index, int fd, const char *what);

#endif /* XSK_DEVMEM_PROG_H */
