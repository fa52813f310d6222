// SPDX-License-Identifier: GPL-2.0
/*
 * xsk_rx: the plain AF_XDP receiver every dmabuf result is compared with.
 * Host-memory UMEM, libxdp's xsk API, copy mode, our minimal redirect
 * program (selftests/bpf/xsk_redirect.bpf.c). Receives COUNT datagrams to
 * PORT and checks each byte for byte (selftests/lib/rxcheck.h).
 *
 *   xsk_rx -i IFACE -p PORT -n COUNT [-q QUEUE] [-m native|skb] [--sg]
 *          [-t TIMEOUT_S] [--xskmap PINNED_MAP]
 *
 * With --xskmap, no program is loaded: the socket is put into the XSKMAP
 * pinned at PINNED_MAP by whoever loaded the program (e.g. xdp-loader -p).
 *
 * Prints "xsk_rx: ready" once the socket and program are in place, and a
 * summary at the end. Exit 0 only if every datagram arrived once, intact.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include "rxcheck.h"
#include "util.h"
#include "xsk_redirect.skel.h"

#define NUM_FRAMES	8192
#define FRAME_SIZE	XSK_UMEM__DEFAULT_FRAME_SIZE
#define RING_SIZE	4096
#define MAX_SEGS	32

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xsk_rx -i IFACE -p PORT -n COUNT [-q QUEUE] [-m native|skb] [--sg]\n"
		"              [-t TIMEOUT_S] [--xskmap PINNED_MAP]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sg", no_argument, NULL, 'S' },
		{ "xskmap", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *ifname = NULL, *mode = "native", *xskmap = NULL;
	unsigned int queue = 0, count = 0, port = 0, timeout = 60;
	bool sg = false;
	int c, err, ret = 1;

	while ((c = getopt_long(argc, argv, "i:p:n:q:m:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'q': queue = strtoul(optarg, NULL, 0); break;
		case 'm': mode = optarg; break;
		case 't': timeout = strtoul(optarg, NULL, 0); break;
		case 'S': sg = true; break;
		case 'X': xskmap = optarg; break;
		default: usage();
		}
	}
	if (!ifname || !port || !count || port > 65535)
		usage();

	__u32 xdp_flags;

	if (!strcmp(mode, "native"))
		xdp_flags = XDP_FLAGS_DRV_MODE;
	else if (!strcmp(mode, "skb"))
		xdp_flags = XDP_FLAGS_SKB_MODE;
	else
		usage();

	int ifindex = if_nametoindex(ifname);

	if (!ifindex) {
		fprintf(stderr, "xsk_rx: no interface '%s'\n", ifname);
		return 2;
	}

	struct rxcheck rc;

	if (rxcheck_init(&rc, count, port))
		return 1;

	void *area = mmap(NULL, (size_t)NUM_FRAMES * FRAME_SIZE,
			  PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (area == MAP_FAILED) {
		perror("xsk_rx: mmap");
		return 1;
	}

	struct xsk_ring_prod fq = { 0 };
	struct xsk_ring_cons cq = { 0 }, rx = { 0 };
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	const struct xsk_umem_config ucfg = {
		.fill_size = RING_SIZE,
		.comp_size = RING_SIZE,
		.frame_size = FRAME_SIZE,
		.frame_headroom = 0,
	};
	const struct xsk_socket_config scfg = {
		.rx_size = RING_SIZE,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = xdp_flags,
		.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP | (sg ? XDP_USE_SG : 0),
	};

	err = xsk_umem__create(&umem, area, (__u64)NUM_FRAMES * FRAME_SIZE,
			       &fq, &cq, &ucfg);
	if (err) {
		fprintf(stderr, "xsk_rx: umem: %s\n", strerror(-err));
		return 1;
	}
	err = xsk_socket__create(&xsk, ifname, queue, umem, &rx, NULL, &scfg);
	if (err) {
		fprintf(stderr, "xsk_rx: socket on %s queue %u: %s\n", ifname,
			queue, strerror(-err));
		return 1;
	}

	struct xsk_redirect_bpf *skel = NULL;
	int xsk_fd = xsk_socket__fd(xsk), map_fd;

	if (xskmap) {
		map_fd = bpf_obj_get(xskmap);
		if (map_fd < 0) {
			fprintf(stderr, "xsk_rx: no pinned map at %s: %s\n", xskmap,
				strerror(errno));
			return 1;
		}
	} else {
		skel = xsk_redirect_bpf__open();
		if (!skel) {
			fprintf(stderr, "xsk_rx: cannot open BPF program\n");
			return 1;
		}
		skel->rodata->udp_dport = port;
		/* Private map: no pinning when we load it ourselves. */
		bpf_map__set_pin_path(skel->maps.xsks, NULL);
		err = xsk_redirect_bpf__load(skel);
		if (err) {
			fprintf(stderr, "xsk_rx: loading BPF program: %s\n",
				strerror(-err));
			return 1;
		}
		map_fd = bpf_map__fd(skel->maps.xsks);
	}
	err = bpf_map_update_elem(map_fd, &queue, &xsk_fd, 0);
	if (err) {
		fprintf(stderr, "xsk_rx: xskmap update: %s\n", strerror(errno));
		return 1;
	}
	if (skel) {
		err = bpf_xdp_attach(ifindex,
				     bpf_program__fd(skel->progs.xsk_redirect),
				     xdp_flags, NULL);
		if (err) {
			fprintf(stderr, "xsk_rx: attaching XDP (%s) to %s: %s\n",
				mode, ifname, strerror(-err));
			return 1;
		}
	}

	/* Give the kernel every frame to fill. */
	__u32 idx;
	__u32 n = xsk_ring_prod__reserve(&fq, RING_SIZE, &idx);

	for (__u32 i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&fq, idx + i) = (__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&fq, n);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("xsk_rx: ready on %s queue %u (%s, copy%s)\n", ifname, queue,
	       mode, sg ? ", multi-buffer" : "");
	fflush(stdout);

	struct iovec seg[MAX_SEGS];
	int nseg = 0;
	double t0 = mono_now(), first = 0, last = 0;
	struct pollfd pfd = { .fd = xsk_fd, .events = POLLIN };

	while (!stop && !rxcheck_done(&rc) && mono_now() - t0 < timeout) {
		__u32 rx_idx, fq_idx;
		__u32 got = xsk_ring_cons__peek(&rx, 64, &rx_idx);

		if (!got) {
			if (xsk_ring_prod__needs_wakeup(&fq))
				recvfrom(xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
			poll(&pfd, 1, 100);
			continue;
		}
		while (xsk_ring_prod__reserve(&fq, got, &fq_idx) != got)
			;
		for (__u32 i = 0; i < got; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rx, rx_idx + i);

			if (nseg < MAX_SEGS) {
				seg[nseg].iov_base = xsk_umem__get_data(area, d->addr);
				seg[nseg].iov_len = d->len;
			}
			nseg++;
			if (!(d->options & XDP_PKT_CONTD)) {
				if (nseg > MAX_SEGS) {
					rc.bad++;
					snprintf(rc.first_error, sizeof(rc.first_error),
						 "frame in %d segments", nseg);
				} else {
					rxcheck_frame(&rc, seg, nseg);
				}
				nseg = 0;
			}
			*xsk_ring_prod__fill_addr(&fq, fq_idx + i) =
				xsk_umem__extract_addr(d->addr);
		}
		xsk_ring_prod__submit(&fq, got);
		xsk_ring_cons__release(&rx, got);
		if (!first)
			first = mono_now();
		last = mono_now();
	}

	struct xdp_statistics st = { 0 };
	socklen_t optlen = sizeof(st);

	getsockopt(xsk_fd, SOL_XDP, XDP_STATISTICS, &st, &optlen);
	ret = rxcheck_report(&rc, "xsk_rx", stdout) ? 1 : 0;
	printf("xsk_rx: kernel: rx_dropped %llu, rx_invalid_descs %llu, rx_ring_full %llu, fill_ring_empty %llu\n",
	       (unsigned long long)st.rx_dropped,
	       (unsigned long long)st.rx_invalid_descs,
	       (unsigned long long)st.rx_ring_full,
	       (unsigned long long)st.rx_fill_ring_empty_descs);
	if (last > first)
		printf("xsk_rx: %.0f datagrams/s over %.3f s\n",
		       (rc.good - 1) / (last - first), last - first);

	if (skel) {
		bpf_xdp_detach(ifindex, xdp_flags, NULL);
		xsk_redirect_bpf__destroy(skel);
	} else {
		bpf_map_delete_elem(map_fd, &queue);
		close(map_fd);
	}
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	rxcheck_free(&rc);
	return ret;
}
