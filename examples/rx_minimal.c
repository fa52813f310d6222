// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rx_minimal: the smallest complete libxsk-devmem receiver. Headers land in
 * host memory, payload in a udmabuf; every chunk goes back after use.
 *
 *   rx_minimal IFACE [QUEUE [COUNT]]
 *
 * steer.bpf.o must redirect the traffic to this queue, e.g.:
 *   xsk-devmem steer load IFACE
 *   xsk-devmem steer default action redirect split l4
 * (the library loads steer itself when the interface has no XDP program).
 */
#include <stdio.h>
#include <stdlib.h>
#include <xsk_devmem.h>

int main(int argc, char **argv)
{
	struct xsk_devmem_dmabuf *dmabuf = NULL;
	struct xsk_devmem_umem *umem = NULL;
	struct xsk_devmem_socket *xsk = NULL;
	struct xsk_devmem_seg segs[64 * 4];
	struct xsk_devmem_pkt pkts[64];
	unsigned long count, got = 0;
	int n, ret = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: rx_minimal IFACE [QUEUE [COUNT]]\n");
		return 2;
	}
	count = argc > 3 ? strtoul(argv[3], NULL, 0) : 10;

	/* Device memory (a udmabuf here), a UMEM over it, a socket. */
	if (xsk_devmem_dmabuf__create_udmabuf(&dmabuf, 16 << 20) ||
	    xsk_devmem_umem__create(&umem, NULL, 0, dmabuf, NULL) ||
	    xsk_devmem_socket__create(&xsk, argv[1], argc > 2 ? atoi(argv[2]) : 0, umem,
				      NULL))
		goto out;	/* the library printed what is wrong */
	printf("receiving on %s in %s mode\n", argv[1],
	       xsk_devmem_mode_str(xsk_devmem_socket__mode(xsk)));
	fflush(stdout);

	while (got < count) {
		n = xsk_devmem_socket__recv(xsk, pkts, 64, segs, 64 * 4);
		if (n < 0)
			goto out;
		if (!n) {
			if (xsk_devmem_socket__wait(xsk, 1000) < 0)
				goto out;	/* the device went away */
			continue;
		}
		for (int i = 0; i < n; i++)
			printf("packet %lu: %u header bytes, %u payload bytes in %u chunk(s)"
			       ", first at dmabuf offset %llu\n", got + i, pkts[i].hdr_len,
			       pkts[i].payload_len, pkts[i].nr_payload_segs,
			       pkts[i].nr_payload_segs ?
			       (unsigned long long)pkts[i].segs[0].addr : 0ULL);
		/* Headers to the fill ring, payload to the dmabuf fill ring. */
		if (xsk_devmem_socket__release(xsk, pkts, n))
			goto out;
		got += n;
	}
	ret = 0;
out:
	xsk_devmem_socket__delete(xsk);
	xsk_devmem_umem__delete(umem);
	xsk_devmem_dmabuf__delete(dmabuf);
	return ret;
}
