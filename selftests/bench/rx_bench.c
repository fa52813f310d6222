// SPDX-License-Identifier: GPL-2.0
/*
 * rx_bench: the receiving side of `make bench` (scripts/bench-rx.sh). One
 * receiver, three ways to receive, the same minimal work per packet so that
 * what differs is the kernel's receive path:
 *
 *   xsk     plain AF_XDP socket, copy mode, host UMEM only (the baseline)
 *   dmabuf  AF_XDP socket with a dmabuf (udmabuf) payload area, copy mode:
 *           headers to host chunks, payload to dmabuf chunks
 *   udp     a UDP socket read with recvmmsg() (the kernel stack, reference)
 *
 * Per packet it counts descriptors and bytes and gives the buffers back
 * (fill ring, dmabuf fill ring); it does not read the payload. It stops
 * after COUNT packets or IDLE seconds without one, and prints one line:
 * packets, seconds from the first packet to the last, packets/s, payload
 * bytes/s, and the bytes the CPU copied per packet into receive buffers
 * (host and dmabuf; the kernel's own counter for the dmabuf part).
 *
 *   rx_bench -m xsk|dmabuf|udp -i IFACE [-q QUEUE] -p PORT -n COUNT
 *            [--xskmap PIN] [--idle S] [-t TIMEOUT_S]
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "udmabuf.h"
#include "util.h"
#include "xsk_raw.h"

#define FRAME		4096u
#define NFRAMES		32768u
#define RING		16384u
#define DMABUF_SIZE	(48u << 20)
#define HDR_BYTES	42u	/* Ethernet + IPv4 + UDP: not payload */
#define BATCH		64

struct result {
	unsigned long long pkts, bytes, host_bytes, dmabuf_bytes;
	double first, last;
};

static void usage(void)
{
	fprintf(stderr, "usage: rx_bench -m xsk|dmabuf|udp -i IFACE [-q QUEUE] -p PORT -n COUNT "
		"[--xskmap PIN] [--idle S] [-t TIMEOUT_S]\n");
	exit(2);
}

static void seen(struct result *r, unsigned int n)
{
	double t = mono_now();

	if (!r->pkts)
		r->first = t;
	r->last = t;
	r->pkts += n;
}

static int run_udp(struct result *r, int port, unsigned long count, double idle, double timeout)
{
	static char buf[BATCH][9216];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_usec = 100000 };
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	int fd, big = 64 << 20;
	double t0 = mono_now();

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "rx_bench: UDP socket on port %d: %s\n", port, strerror(errno));
		return 1;
	}
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
		msg[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	printf("rx_bench: ready (udp port %d)\n", port);
	fflush(stdout);
	while (r->pkts < count && mono_now() - t0 < timeout) {
		int n = recvmmsg(fd, msg, BATCH, MSG_WAITFORONE, NULL);

		if (n <= 0) {
			if (r->pkts && mono_now() - r->last > idle)
				break;
			continue;
		}
		seen(r, n);
		for (int i = 0; i < n; i++)
			r->host_bytes += msg[i].msg_len;
	}
	r->bytes = r->host_bytes + r->pkts * HDR_BYTES;
	close(fd);
	return 0;
}

static int run_xsk(struct result *r, bool dmabuf, const char *ifname, __u32 queue,
		   const char *xskmap, unsigned long count, double idle, double timeout,
		   unsigned long long *cpu_copied)
{
	struct xsk_raw x = { 0 };
	struct udmabuf u = { .fd = -1 };
	__u32 nchunks = 0, nfree = 0, *freel = NULL;
	int err, map;
	double t0 = mono_now();

	err = xsk_raw_socket(&x) ?: xsk_raw_umem_reg(&x, NFRAMES, FRAME);
	if (!err && dmabuf) {
		err = udmabuf_create(&u, DMABUF_SIZE) ? -errno : 0;
		nchunks = DMABUF_SIZE / FRAME;
		freel = calloc(nchunks, sizeof(*freel));
		for (__u32 k = 0; freel && k < nchunks; k++)
			freel[nfree++] = k;
		err = err ?: xsk_raw_dmabuf_reg(&x, u.fd, 0, DMABUF_SIZE, FRAME);
	}
	err = err ?: xsk_raw_rings(&x, RING, dmabuf ? RING : 0, true) ?:
	      xsk_raw_mmap(&x, dmabuf, true) ?:
	      xsk_raw_bind(&x, ifname, queue, XDP_COPY | XDP_USE_SG, -1);
	if (err) {
		fprintf(stderr, "rx_bench: %s socket on %s queue %u: %s\n",
			dmabuf ? "dmabuf" : "xsk", ifname, queue, strerror(-err));
		return 1;
	}
	map = bpf_obj_get(xskmap);
	if (map < 0 || bpf_map_update_elem(map, &queue, &x.fd, 0)) {
		fprintf(stderr, "rx_bench: XSKMAP %s: %s\n", xskmap, strerror(errno));
		return 1;
	}
	/* All host frames to the fill ring, as many chunks as fit to the
	 * dmabuf fill ring; the rest wait on the free list. */
	for (__u32 k = 0; k < RING; k++)
		xring_prod_push(&x.fq, (__u64)k * FRAME);
	printf("rx_bench: ready (%s socket on %s queue %u)\n", dmabuf ? "dmabuf" : "xsk",
	       ifname, queue);
	fflush(stdout);

	struct pollfd pfd = { .fd = x.fd, .events = POLLIN };

	while (r->pkts < count && mono_now() - t0 < timeout) {
		__u32 avail, n = 0;

		while (nfree && xring_prod_free(&x.dfq))
			xring_prod_push(&x.dfq, (__u64)freel[--nfree] * FRAME);
		avail = xring_cons_avail(&x.rx);
		if (!avail) {
			if (r->pkts && mono_now() - r->last > idle)
				break;
			poll(&pfd, 1, 100);
			continue;
		}
		for (__u32 k = 0; k < avail; k++) {
			const struct xdp_desc *d = xring_rx_desc(&x.rx, k);

			r->bytes += d->len;
			if (d->options & XDP_DESC_DMABUF) {
				r->dmabuf_bytes += d->len;
				freel[nfree++] = d->addr / FRAME;
			} else {
				r->host_bytes += d->len;
				xring_prod_push(&x.fq, d->addr & ~(__u64)(FRAME - 1));
			}
			if (!(d->options & XDP_PKT_CONTD))
				n++;
		}
		xring_cons_release(&x.rx, avail);
		seen(r, n);
	}

	struct xdp_statistics xs = { 0 };
	socklen_t len = sizeof(xs);

	getsockopt(x.fd, SOL_XDP, XDP_STATISTICS, &xs, &len);
	if (xs.rx_dropped || xs.rx_ring_full || xs.rx_fill_ring_empty_descs)
		printf("rx_bench: kernel dropped %llu, ring full %llu, fill ring empty %llu\n",
		       (unsigned long long)xs.rx_dropped, (unsigned long long)xs.rx_ring_full,
		       (unsigned long long)xs.rx_fill_ring_empty_descs);
	if (dmabuf) {
		struct xdp_dmabuf_statistics ds = { 0 };

		xsk_raw_dmabuf_stats(&x, &ds);
		/* The kernel's count of payload bytes; the header part is
		 * what landed in host chunks. */
		*cpu_copied = ds.cpu_copied_bytes + r->host_bytes;
		if (ds.fill_empty_descs || ds.fill_invalid_descs)
			printf("rx_bench: dmabuf fill ring empty %llu, invalid %llu\n",
			       (unsigned long long)ds.fill_empty_descs,
			       (unsigned long long)ds.fill_invalid_descs);
	} else {
		*cpu_copied = r->bytes;
	}
	xsk_raw_close(&x);
	if (dmabuf)
		udmabuf_destroy(&u);
	free(freel);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "xskmap", required_argument, NULL, 'X' },
		{ "idle", required_argument, NULL, 'I' },
		{ }
	};
	const char *mode = NULL, *ifname = NULL, *xskmap = "/sys/fs/bpf/xsk-devmem/steer_xsks";
	unsigned long count = 0;
	unsigned long long copied = 0;
	double idle = 2, timeout = 300;
	struct result r = { 0 };
	__u32 queue = 0;
	int c, port = 0, err;

	while ((c = getopt_long(argc, argv, "m:i:q:p:n:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'm': mode = optarg; break;
		case 'i': ifname = optarg; break;
		case 'q': queue = strtoul(optarg, NULL, 0); break;
		case 'p': port = atoi(optarg); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 't': timeout = atof(optarg); break;
		case 'X': xskmap = optarg; break;
		case 'I': idle = atof(optarg); break;
		default: usage();
		}
	}
	if (!mode || !count || !port)
		usage();
	if (!strcmp(mode, "udp")) {
		err = run_udp(&r, port, count, idle, timeout);
		copied = r.host_bytes;
	} else if (!strcmp(mode, "xsk") || !strcmp(mode, "dmabuf")) {
		if (!ifname)
			usage();
		err = run_xsk(&r, mode[0] == 'd', ifname, queue, xskmap, count, idle, timeout,
			      &copied);
	} else {
		usage();
	}
	if (err)
		return 1;

	double secs = r.last - r.first;
	unsigned long long payload = r.bytes - r.pkts * HDR_BYTES;

	printf("rx_bench: mode %s packets %llu seconds %.4f pps %.0f payload_Bps %.0f "
	       "copied_per_pkt %.1f dmabuf_per_pkt %.1f\n", mode, r.pkts, secs,
	       secs > 0 ? r.pkts / secs : 0, secs > 0 ? payload / secs : 0,
	       r.pkts ? (double)copied / r.pkts : 0,
	       r.pkts ? (double)r.dmabuf_bytes / r.pkts : 0);
	return r.pkts ? 0 : 1;
}
