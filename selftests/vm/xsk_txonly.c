// SPDX-License-Identifier: GPL-2.0
/*
 * A socket bound with a TX ring and no RX ring, put in the steering
 * program's XSKMAP: frames redirected to it must be dropped and counted in
 * its rx_dropped, not received into the RX ring it does not have (a NULL
 * dereference in softirq before the fix, patch 3; plain AF_XDP and the
 * dmabuf UMEM alike). Found by dmabuf_fuzz.
 *
 *   xsk_txonly IFNAME plain|dmabuf COUNT
 *
 * Binds queue 0 in copy mode, prints "xsk_txonly: ready", then waits until
 * COUNT frames were dropped (or 30 s) and prints the socket's statistics.
 * Exit 0 if exactly COUNT were dropped and none received.
 */
#include <bpf/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "udmabuf.h"
#include "xsk_raw.h"

#define NFRAMES	256u
#define FRAME	4096u
#define XSKS	"/sys/fs/bpf/xsk-devmem/steer_xsks"

int main(int argc, char **argv)
{
	struct xdp_statistics st = { 0 };
	struct udmabuf u = { .fd = -1 };
	struct xsk_raw x;
	bool dmabuf;
	int err, map, q = 0, i;
	unsigned long want;
	uint32_t n;

	if (argc != 4) {
		fprintf(stderr, "usage: xsk_txonly IFNAME plain|dmabuf COUNT\n");
		return 2;
	}
	dmabuf = !strcmp(argv[2], "dmabuf");
	want = strtoul(argv[3], NULL, 0);
	err = xsk_raw_socket(&x) ?: xsk_raw_umem_reg(&x, NFRAMES, FRAME);
	if (!err && dmabuf)
		err = udmabuf_create(&u, NFRAMES * FRAME) ?:
		      xsk_raw_dmabuf_reg(&x, u.fd, 0, NFRAMES * FRAME, FRAME) ?:
		      xsk_raw_ring(&x, XDP_UMEM_DMABUF_FILL_RING, NFRAMES) ?:
		      xsk_raw_ring(&x, XDP_UMEM_DMABUF_COMPLETION_RING, NFRAMES);
	x.entries = NFRAMES;
	x.dentries = dmabuf ? NFRAMES : 0;
	/* Fill and completion rings, a TX ring, no RX ring. */
	err = err ?: xsk_raw_ring(&x, XDP_UMEM_FILL_RING, NFRAMES) ?:
	      xsk_raw_ring(&x, XDP_UMEM_COMPLETION_RING, NFRAMES) ?:
	      xsk_raw_ring(&x, XDP_TX_RING, NFRAMES) ?:
	      xsk_raw_mmap_fill(&x, dmabuf);
	if (err) {
		fprintf(stderr, "xsk_txonly: set-up: %s\n", strerror(-err));
		return 2;
	}
	/* Buffers to receive into on both fill rings: only the RX ring lacks. */
	for (n = 0; n < NFRAMES; n++) {
		xring_prod_push(&x.fq, (uint64_t)n * FRAME);
		if (dmabuf)
			xring_prod_push(&x.dfq, (uint64_t)n * FRAME);
	}
	err = xsk_raw_bind(&x, argv[1], 0, XDP_USE_SG | XDP_COPY, -1);
	map = bpf_obj_get(XSKS);
	if (err || map < 0 || bpf_map_update_elem(map, &q, &x.fd, 0)) {
		fprintf(stderr, "xsk_txonly: bind %s, XSKMAP %s\n", strerror(-err),
			map < 0 ? "not found" : "update failed");
		return 2;
	}
	printf("xsk_txonly: ready (%s, TX ring only, in the XSKMAP)\n", argv[2]);
	fflush(stdout);
	for (i = 0; i < 300; i++) {
		if (xsk_raw_stats(&x, &st) || st.rx_dropped >= want)
			break;
		usleep(100 * 1000);
	}
	printf("xsk_txonly: %s: rx_dropped %llu of %lu redirected, rx ring %s\n",
	       argv[2], (unsigned long long)st.rx_dropped, want,
	       x.rx.map ? "mapped" : "none");
	xsk_raw_close(&x);
	if (dmabuf)
		udmabuf_destroy(&u);
	return st.rx_dropped == want ? 0 : 1;
}
