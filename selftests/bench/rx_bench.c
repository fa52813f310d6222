// SPDX-License-Identifier: GPL-2.0
/*
 * rx_bench: the receiving side of `make bench` (scripts/bench-rx.sh). One
 * receiver, four ways to receive, the same minimal work per packet so that
 * what differs is the kernel's receive path:
 *
 *   xsk     plain AF_XDP socket, copy mode, host UMEM only (the baseline)
 *   dmabuf  AF_XDP socket with a dmabuf (udmabuf) payload area, copy mode:
 *           headers to host chunks, payload to dmabuf chunks
 *   zc      the same socket bound in zero copy (XDP_ZEROCOPY): the device
 *           writes the payload into the dmabuf chunks, the CPU copies only
 *           the headers
 *   udp     a UDP socket read with recvmmsg() (the kernel stack, reference)
 *
 * Per packet it counts descriptors and bytes and gives the buffers back
 * (fill ring, dmabuf fill ring); it does not read the payload. It stops
 * after COUNT packets or IDLE seconds without one, and prints one line:
 * packets, seconds from the first packet to the last (a receiver that
 * wakes up to a full ring sees one batch: time the run from the sender's
 * start with last_mono, CLOCK_MONOTONIC of the last packet), packets/s,
 * payload bytes/s, the bytes the CPU copied per packet into receive buffers (host
 * and dmabuf; the kernel's own counter for the dmabuf part) and of those
 * the payload bytes. With --meter IFACE (the receiving netdevsim port) it
 * also prints what the receive path cost in CPU time (napi_meter.h): the
 * port's NAPI polls and the receiver itself, from "ready" to the end.
 *
 *   rx_bench -m xsk|dmabuf|zc|udp -i IFACE [-q QUEUE] -p PORT -n COUNT
 *            [--xskmap PIN] [--idle S] [-t TIMEOUT_S] [--meter IFACE]
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

#include "napi_meter.h"
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
	unsigned long long copied, payload_copied;	/* by the CPU */
	double first, last;
	struct napi_meter *meter;
	struct rx_cost cost;
	int meter_err;
};

static void usage(void)
{
	fprintf(stderr, "usage: rx_bench -m xsk|dmabuf|zc|udp -i IFACE [-q QUEUE] -p PORT -n COUNT "
		"[--xskmap PIN] [--idle S] [-t TIMEOUT_S] [--meter IFACE]\n");
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

/* The receiver is set up: say so, and start the meter's window. */
static int ready(struct result *r, const char *what)
{
	printf("rx_bench: ready (%s)\n", what);
	fflush(stdout);
	return r->meter ? napi_meter_start(r->meter) : 0;
}

/* The last packet is in: end the meter's window, before any teardown. */
static void done(struct result *r)
{
	if (r->meter)
		r->meter_err = napi_meter_stop(r->meter, &r->cost);
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
	char what[64];

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
	snprintf(what, sizeof(what), "udp port %d", port);
	if (ready(r, what))
		return 1;
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
	done(r);
	r->bytes = r->host_bytes + r->pkts * HDR_BYTES;
	r->copied = r->payload_copied = r->host_bytes;
	close(fd);
	return 0;
}

/*
 * The AF_XDP modes. In copy mode a dmabuf chunk is the kernel's from the
 * fill ring entry to the RX descriptor and is posted again from the free
 * list; in zero copy every chunk is lent once, before the first packet,
 * and each payload descriptor gives its reference back by posting its
 * address on the dmabuf fill ring at once (include/uapi/linux/if_xdp.h).
 */
static int run_xsk(struct result *r, const char *mode, const char *ifname, __u32 queue,
		   const char *xskmap, unsigned long count, double idle, double timeout)
{
	bool dmabuf = strcmp(mode, "xsk"), zc = !strcmp(mode, "zc");
	struct xsk_raw x = { 0 };
	struct udmabuf u = { .fd = -1 };
	__u32 nchunks = 0, nfree = 0, *freel = NULL;
	int err, map;
	double t0 = mono_now();
	char what[96];

	err = xsk_raw_socket(&x) ?: xsk_raw_umem_reg(&x, NFRAMES, FRAME);
	if (!err && dmabuf) {
		err = udmabuf_create(&u, DMABUF_SIZE) ? -errno : 0;
		nchunks = DMABUF_SIZE / FRAME;
		freel = calloc(nchunks, sizeof(*freel));
		for (__u32 k = 0; freel && k < nchunks; k++)
			freel[nfree++] = nchunks - 1 - k;
		err = err ?: xsk_raw_dmabuf_reg(&x, u.fd, 0, DMABUF_SIZE, FRAME);
	}
	/* In zero copy the completion ring needs room for every chunk. */
	err = err ?: xsk_raw_rings(&x, RING, dmabuf ? RING : 0, true) ?:
	      xsk_raw_mmap(&x, dmabuf, true) ?:
	      xsk_raw_bind(&x, ifname, queue, (zc ? XDP_ZEROCOPY : XDP_COPY) | XDP_USE_SG, -1);
	if (err) {
		fprintf(stderr, "rx_bench: %s socket on %s queue %u: %s\n", mode, ifname, queue,
			strerror(-err));
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
	snprintf(what, sizeof(what), "%s socket on %s queue %u", mode, ifname, queue);
	if (ready(r, what))
		return 1;

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
				/* Fewer chunks than ring entries: always room. */
				if (zc)
					xring_prod_push(&x.dfq, d->addr);
				else
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
	done(r);

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
		r->payload_copied = ds.cpu_copied_bytes;
		r->copied = ds.cpu_copied_bytes + r->host_bytes;
		if (ds.fill_empty_descs || ds.fill_invalid_descs)
			printf("rx_bench: dmabuf fill ring empty %llu, invalid %llu\n",
			       (unsigned long long)ds.fill_empty_descs,
			       (unsigned long long)ds.fill_invalid_descs);
		if (zc && (ds.zc_packets != r->pkts || ds.split_mismatch))
			printf("rx_bench: zero copy: %llu of %llu packets in place, %llu split "
			       "mismatches\n", (unsigned long long)ds.zc_packets, r->pkts,
			       (unsigned long long)ds.split_mismatch);
	} else {
		r->copied = r->bytes;
		r->payload_copied = r->bytes - r->pkts * HDR_BYTES;
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
		{ "meter", required_argument, NULL, 'M' },
		{ }
	};
	const char *mode = NULL, *ifname = NULL, *xskmap = "/sys/fs/bpf/xsk-devmem/steer_xsks";
	const char *meter = NULL;
	unsigned long count = 0;
	double idle = 2, timeout = 300;
	struct result r = { 0 };
	__u32 queue = 0;
	int c, port = 0, err = 1;

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
		case 'M': meter = optarg; break;
		default: usage();
		}
	}
	if (!mode || !count || !port)
		usage();
	if (meter) {
		r.meter = napi_meter_open(meter);
		if (!r.meter)
			return 1;
	}
	if (!strcmp(mode, "udp")) {
		err = run_udp(&r, port, count, idle, timeout);
	} else if (!strcmp(mode, "xsk") || !strcmp(mode, "dmabuf") || !strcmp(mode, "zc")) {
		if (!ifname)
			usage();
		err = run_xsk(&r, mode, ifname, queue, xskmap, count, idle, timeout);
	} else {
		usage();
	}
	napi_meter_close(r.meter);
	if (err || r.meter_err)
		return 1;

	double secs = r.last - r.first;
	unsigned long long payload = r.bytes - r.pkts * HDR_BYTES;

	printf("rx_bench: mode %s packets %llu seconds %.4f pps %.0f payload_Bps %.0f "
	       "copied_per_pkt %.1f payload_copied_per_pkt %.1f dmabuf_per_pkt %.1f",
	       mode, r.pkts, secs, secs > 0 ? r.pkts / secs : 0, secs > 0 ? payload / secs : 0,
	       r.pkts ? (double)r.copied / r.pkts : 0,
	       r.pkts ? (double)r.payload_copied / r.pkts : 0,
	       r.pkts ? (double)r.dmabuf_bytes / r.pkts : 0);
	if (meter)
		napi_meter_print(&r.cost);
	printf(" payload_bytes %llu last_mono %.6f\n", payload, r.last);
	return r.pkts ? 0 : 1;
}
