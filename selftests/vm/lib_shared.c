// SPDX-License-Identifier: GPL-2.0
/*
 * lib_shared: one dmabuf UMEM shared by two sockets on two queues of an
 * interface (XDP_SHARED_UMEM, each with its own four rings). Both receive
 * into the same udmabuf; every datagram is checked byte for byte through
 * the udmabuf's mapping (selftests/lib/rxcheck.h) and both queues must see
 * traffic. steer.bpf.o must already redirect the flow (XSKMAP = rx queue).
 *
 * MODE (default auto) is the sockets' mode. In zero copy (zc: each queue
 * gets a provider instance of the one area) every packet must have come
 * in place (zc_packets) and the CPU must have copied no payload byte.
 *
 *   lib_shared IFACE PORT COUNT [TIMEOUT_S [auto|copy|zc]]
 *
 * Prints "lib_shared: ready" when both sockets are in the XSKMAP.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "rxcheck.h"
#include "xsk_devmem.h"

int main(int argc, char **argv)
{
	struct xsk_devmem_socket_config sc = { .flags = XSK_DEVMEM_SOCKET_F_INHIBIT_PROG_LOAD };
	struct xsk_devmem_umem_config uc = { .fill_size = 1024, .dmabuf_fill_size = 1024 };
	struct xsk_devmem_dmabuf *d;
	struct xsk_devmem_umem *u;
	struct xsk_devmem_socket *x[2];
	struct xsk_devmem_seg segs[256];
	struct xsk_devmem_pkt pkts[64];
	struct iovec iov[XSK_DEVMEM_MAX_SEGS + 1];
	unsigned long per_q[2] = { 0, 0 };
	struct rxcheck rc;
	time_t end;
	int ret;

	if (argc < 4 || (argc > 5 && strcmp(argv[5], "auto") && strcmp(argv[5], "copy") &&
			 strcmp(argv[5], "zc"))) {
		fprintf(stderr, "usage: lib_shared IFACE PORT COUNT [TIMEOUT_S [auto|copy|zc]]\n");
		return 2;
	}
	if (argc > 5)
		sc.mode = !strcmp(argv[5], "zc") ? XSK_DEVMEM_MODE_ZEROCOPY :
			  !strcmp(argv[5], "copy") ? XSK_DEVMEM_MODE_COPY : XSK_DEVMEM_MODE_AUTO;
	end = time(NULL) + (argc > 4 ? atoi(argv[4]) : 60);
	if (rxcheck_init(&rc, strtoul(argv[3], NULL, 0), atoi(argv[2])))
		return 1;
	if (xsk_devmem_dmabuf__create_udmabuf(&d, 16 << 20) ||
	    xsk_devmem_umem__create(&u, NULL, 0, d, &uc) ||
	    xsk_devmem_socket__create(&x[0], argv[1], 0, u, &sc) ||
	    xsk_devmem_socket__create(&x[1], argv[1], 1, u, &sc))
		return 1;
	printf("lib_shared: ready, sockets on queues 0 and 1 (%s and %s mode), one UMEM (fd %d)\n",
	       xsk_devmem_mode_str(xsk_devmem_socket__mode(x[0])),
	       xsk_devmem_mode_str(xsk_devmem_socket__mode(x[1])), xsk_devmem_umem__fd(u));
	fflush(stdout);

	while (!rxcheck_done(&rc) && time(NULL) < end) {
		struct pollfd pfd[2] = { { xsk_devmem_socket__fd(x[0]), POLLIN, 0 },
					 { xsk_devmem_socket__fd(x[1]), POLLIN, 0 } };
		int busy = 0;

		for (int q = 0; q < 2; q++) {
			int n = xsk_devmem_socket__recv(x[q], pkts, 64, segs, 256);

			if (n < 0)
				return 1;
			busy |= n;
			xsk_devmem_dmabuf__cpu_begin(d, XSK_DEVMEM_SYNC_READ);
			for (int i = 0; i < n; i++) {
				int k = xsk_devmem_umem__pkt_iov(u, &pkts[i], iov,
								 XSK_DEVMEM_MAX_SEGS + 1);

				if (k < 0)
					return 1;
				rxcheck_frame(&rc, iov, k);
			}
			xsk_devmem_dmabuf__cpu_end(d, XSK_DEVMEM_SYNC_READ);
			per_q[q] += n;
			if (n && xsk_devmem_socket__release(x[q], pkts, n))
				return 1;
		}
		if (!busy)
			poll(pfd, 2, 100);
	}
	printf("lib_shared: queue 0 got %lu, queue 1 got %lu\n", per_q[0], per_q[1]);
	ret = rxcheck_report(&rc, "lib_shared", stdout);
	if (!per_q[0] || !per_q[1]) {
		printf("lib_shared: one queue got nothing\n");
		ret = 1;
	}
	for (int q = 0; q < 2; q++) {
		struct xsk_devmem_stats st;

		if (xsk_devmem_socket__stats(x[q], &st, sizeof(st)))
			return 1;
		printf("lib_shared: queue %d: %s mode, %llu packets in place, %llu payload bytes "
		       "copied by the CPU\n", q, xsk_devmem_mode_str(xsk_devmem_socket__mode(x[q])),
		       (unsigned long long)st.zc_packets, (unsigned long long)st.cpu_copied_bytes);
		if (xsk_devmem_socket__mode(x[q]) != XSK_DEVMEM_MODE_ZEROCOPY)
			continue;
		if (st.zc_packets != per_q[q] || st.cpu_copied_bytes) {
			printf("lib_shared: queue %d in zero copy: want %lu packets in place and 0 "
			       "bytes copied\n", q, per_q[q]);
			ret = 1;
		}
	}
	xsk_devmem_socket__delete(x[1]);
	xsk_devmem_socket__delete(x[0]);
	xsk_devmem_umem__delete(u);
	xsk_devmem_dmabuf__delete(d);
	rxcheck_free(&rc);
	return ret ? 1 : 0;
}
