// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_xsk_rx.c - helper of the end-to-end tests (not a test itself): an
 * AF_XDP socket in copy mode (libxdp's xsk API) on IFACE queue Q, put into
 * the pinned steer_xsks map at index Q. It receives until COUNT frames
 * arrived or TIMEOUT seconds passed and checks the metadata in front of
 * each frame. Prints "ready" once the socket is in the map, then one line
 * per UDP destination port: "port P frames N split S meta_ok M", and
 * "total N bad_meta B".
 *
 *   steer_xsk_rx -i IFACE [-q QUEUE] [-p PIN_DIR] [-n COUNT] [-t TIMEOUT]
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <bpf/bpf.h>
#include <xdp/xsk.h>

#include "xsk_steer.h"

#define NUM_FRAMES	4096
#define FRAME_SIZE	XSK_UMEM__DEFAULT_FRAME_SIZE
#define MAX_PORTS	16

struct port_tally {
	unsigned int port, frames, meta_ok;
	__u32 split;	/* the last one seen */
};

int main(int argc, char **argv)
{
	const char *ifname = NULL, *pin = XSK_STEER_PIN_DIR;
	unsigned int queue = 0, count = 0, timeout = 10, total = 0, bad_meta = 0;
	struct port_tally ports[MAX_PORTS] = {};
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	char path[512];
	time_t end;
	void *area;
	__u32 idx;
	int opt, err, map_fd, fd;

	while ((opt = getopt(argc, argv, "i:q:p:n:t:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'q': queue = atoi(optarg); break;
		case 'p': pin = optarg; break;
		case 'n': count = atoi(optarg); break;
		case 't': timeout = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!ifname) {
		fprintf(stderr, "usage: steer_xsk_rx -i IFACE [-q Q] [-p DIR] [-n N] [-t S]\n");
		return 2;
	}
	area = mmap(NULL, NUM_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return perror("mmap"), 1;
	/* libxdp 1.3.1 leaves cached_prod of these uninitialised */
	memset(&fq, 0, sizeof(fq));
	memset(&cq, 0, sizeof(cq));
	memset(&rx, 0, sizeof(rx));
	memset(&tx, 0, sizeof(tx));
	err = xsk_umem__create(&umem, area, NUM_FRAMES * FRAME_SIZE, &fq, &cq, NULL);
	if (err)
		return fprintf(stderr, "umem: %s\n", strerror(-err)), 1;
	err = xsk_socket__create(&xsk, ifname, queue, umem, &rx, &tx, &cfg);
	if (err)
		return fprintf(stderr, "xsk on %s queue %u: %s\n", ifname, queue,
			       strerror(-err)), 1;

	if (xsk_ring_prod__reserve(&fq, NUM_FRAMES / 2, &idx) != NUM_FRAMES / 2)
		return fprintf(stderr, "fill ring reserve failed\n"), 1;
	for (unsigned int i = 0; i < NUM_FRAMES / 2; i++)
		*xsk_ring_prod__fill_addr(&fq, idx++) = (__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&fq, NUM_FRAMES / 2);

	snprintf(path, sizeof(path), "%s/steer_xsks", pin);
	map_fd = bpf_obj_get(path);
	fd = xsk_socket__fd(xsk);
	if (map_fd < 0 || bpf_map_update_elem(map_fd, &queue, &fd, BPF_ANY))
		return fprintf(stderr, "cannot put the socket into %s: %s\n", path,
			       strerror(errno)), 1;
	printf("ready\n");
	fflush(stdout);

	end = time(NULL) + timeout;
	while ((!count || total < count) && time(NULL) < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		unsigned int n, i;
		__u32 ridx, fidx;

		poll(&pfd, 1, 100);
		n = xsk_ring_cons__peek(&rx, 64, &ridx);
		if (!n)
			continue;
		while (xsk_ring_prod__reserve(&fq, n, &fidx) != n)
			;
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rx, ridx + i);
			__u8 *pkt = xsk_umem__get_data(area, d->addr);
			struct xsk_steer_meta m;
			unsigned int port = 0, p;
			bool ok;

			memcpy(&m, pkt - sizeof(m), sizeof(m));
			ok = m.magic == XSK_STEER_META_MAGIC && m.split <= d->len;
			if (d->len >= 38 && pkt[12] == 0x08 && pkt[13] == 0)
				port = pkt[14 + 20 + 2] << 8 | pkt[14 + 20 + 3];
			for (p = 0; p < MAX_PORTS && ports[p].port && ports[p].port != port; p++)
				;
			if (p < MAX_PORTS) {
				ports[p].port = port;
				ports[p].frames++;
				ports[p].meta_ok += ok;
				ports[p].split = m.split;
			}
			bad_meta += !ok;
			total++;
			*xsk_ring_prod__fill_addr(&fq, fidx + i) = xsk_umem__extract_addr(d->addr);
		}
		xsk_ring_prod__submit(&fq, n);
		xsk_ring_cons__release(&rx, n);
	}

	for (unsigned int p = 0; p < MAX_PORTS && ports[p].port; p++)
		printf("port %u frames %u split %u meta_ok %u\n", ports[p].port,
		       ports[p].frames, ports[p].split, ports[p].meta_ok);
	printf("total %u bad_meta %u\n", total, bad_meta);
	bpf_map_delete_elem(map_fd, &queue);
	close(map_fd);
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	munmap(area, NUM_FRAMES * FRAME_SIZE);
	return 0;
}
