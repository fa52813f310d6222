// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_shared: XDP_SHARED_UMEM with a dmabuf UMEM, on the raw UAPI (the
 * library's version of this test is lib_shared.c).
 *
 * Socket 0 registers the host UMEM and the dmabuf area and binds queue 0.
 * Socket 1 binds queue 1 of the same interface with XDP_SHARED_UMEM and
 * rings of its own: fill, completion, dmabuf fill, dmabuf completion. User
 * space owns every chunk and lends each to one socket at a time through
 * that socket's dmabuf fill ring; a chunk delivered on either RX ring is
 * the user's again. Every datagram is checked byte for byte through the
 * udmabuf's mapping, both queues must see traffic, and a chunk must come
 * back on the RX ring of the socket it was lent to, never on the other's.
 * (Chunk accounting at teardown is dmabuf_teardown.sh's job.)
 *
 * Before the traffic, the binds the kernel must refuse, each with its
 * errno: a socket sharing the same queue that brings its own dmabuf rings,
 * and a socket on another queue without dmabuf rings or with only one.
 *
 *   dmabuf_shared IFACE PORT COUNT [TIMEOUT_S]
 *
 * Prints "dmabuf_shared: ready" when both sockets are in the XSKMAP
 * ($XSK_STEER_PIN_DIR/steer_xsks, index = queue).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "check.h"
#include "rxcheck.h"
#include "udmabuf.h"
#include "util.h"
#include "xsk_raw.h"

#define FRAME		4096u
#define NFRAMES		2048u	/* half for each socket's fill ring */
#define RING		1024u
#define AREA		(16u << 20)
#define NCHUNKS		(AREA / FRAME)
#define MAX_SEGS	20

/* owner[c]: 0 user space, 1 + q lent to socket q */


static const char *ifname;
static struct xsk_raw sk[2];
static struct udmabuf ub;
static __u8 owner[NCHUNKS];
static __u32 freel[NCHUNKS], nfree;

/* Lend free chunks to socket q while its dmabuf fill ring has room. */
static void lend(int q)
{
	while (nfree && xring_prod_free(&sk[q].dfq)) {
		__u32 c = freel[--nfree];

		owner[c] = 1 + q;
		xring_prod_push(&sk[q].dfq, (__u64)c * FRAME);
	}
}

static bool take_back(__u64 addr, int q)
{
	__u64 c = addr / FRAME;

	if (addr % FRAME || c >= NCHUNKS || owner[c] != 1 + q) {
		CHECK(0, "socket %d delivered chunk offset %llu, lent to %s", q,
		      (unsigned long long)addr, c < NCHUNKS && owner[c] ? "the other socket" :
		      "no socket");
		return false;
	}
	owner[c] = 0;
	freel[nfree++] = c;
	return true;
}

/* A socket on queue 1 sharing socket 0's UMEM with the given rings. */
static int share(__u32 queue, bool fq, __u32 dentries, bool dcq)
{
	struct xsk_raw x = { 0 };
	int err = xsk_raw_socket(&x);

	if (!err && fq)
		err = xsk_raw_ring(&x, XDP_UMEM_FILL_RING, RING) ?:
		      xsk_raw_ring(&x, XDP_UMEM_COMPLETION_RING, RING);
	if (!err)
		err = xsk_raw_ring(&x, XDP_RX_RING, RING);
	if (!err && dentries)
		err = xsk_raw_ring(&x, XDP_UMEM_DMABUF_FILL_RING, dentries);
	if (!err && dcq)
		err = xsk_raw_ring(&x, XDP_UMEM_DMABUF_COMPLETION_RING, RING);
	if (!err)
		err = xsk_raw_bind(&x, ifname, queue, 0, sk[0].fd);
	xsk_raw_close(&x);
	return err;
}

static void refusals(void)
{
	int err;

	err = share(0, false, RING, true);
	CHECK(err == -EINVAL, "same queue with own dmabuf rings: %d, want -EINVAL", err);
	err = share(1, true, 0, false);
	CHECK(err == -EINVAL, "other queue without dmabuf rings: %d, want -EINVAL", err);
	err = share(1, true, RING, false);
	CHECK(err == -EINVAL, "other queue without dmabuf completion ring: %d, want -EINVAL", err);
	err = share(1, true, 0, true);
	CHECK(err == -EINVAL, "other queue without dmabuf fill ring: %d, want -EINVAL", err);
	printf("dmabuf_shared: refusals checked\n");
}

/* Check one descriptor of socket q and give its buffer back; false on a
 * descriptor that must not be read. */
static bool desc_seg(int q, const struct xdp_desc *d, struct iovec *seg)
{
	if (d->options & XDP_DESC_DMABUF) {
		if (!take_back(d->addr, q))
			return false;
		CHECK(d->len <= FRAME, "payload descriptor of %u bytes", d->len);
		/* Ours until lent again, which is after the check. */
		*seg = (struct iovec){ ub.map + d->addr, d->len };
	} else {
		CHECK(d->addr + d->len <= (__u64)NFRAMES * FRAME,
		      "header descriptor %llu+%u outside the UMEM", (unsigned long long)d->addr,
		      d->len);
		/* The host UMEM is socket 0's, for both. */
		*seg = (struct iovec){ sk[0].umem + d->addr, d->len };
		xring_prod_push(&sk[q].fq, d->addr & ~(__u64)(FRAME - 1));
	}
	return !check_failures;
}

/* Take the whole packets of socket q's RX ring; return how many. */
static __u32 receive(int q, struct rxcheck *rc)
{
	struct xsk_raw *x = &sk[q];
	__u32 avail = xring_cons_avail(&x->rx), used = 0, pkts = 0;
	struct iovec seg[MAX_SEGS];

	while (used < avail && !check_failures) {
		__u32 end = used;

		while (end < avail && xring_rx_desc(&x->rx, end)->options & XDP_PKT_CONTD)
			end++;
		if (end == avail)
			break;		/* the chain's end is not published yet */
		if (end - used >= MAX_SEGS) {
			CHECK(0, "chain of %u descriptors", end - used + 1);
			break;
		}
		for (__u32 k = used; k <= end; k++)
			if (!desc_seg(q, xring_rx_desc(&x->rx, k), &seg[k - used]))
				return pkts;
		rxcheck_frame(rc, seg, end - used + 1);
		used = end + 1;
		pkts++;
	}
	xring_cons_release(&x->rx, used);
	return pkts;
}

int main(int argc, char **argv)
{
	const char *pin = getenv("XSK_STEER_PIN_DIR");
	unsigned long per_q[2] = { 0, 0 };
	struct rxcheck rc;
	char path[512];
	double end;
	int err, map;

	if (argc < 4) {
		fprintf(stderr, "usage: dmabuf_shared IFACE PORT COUNT [TIMEOUT_S]\n");
		return 2;
	}
	ifname = argv[1];
	end = mono_now() + (argc > 4 ? atoi(argv[4]) : 60);
	if (rxcheck_init(&rc, strtoul(argv[3], NULL, 0), atoi(argv[2])) ||
	    udmabuf_create(&ub, AREA))
		return 1;
	for (__u32 c = 0; c < NCHUNKS; c++)
		freel[nfree++] = NCHUNKS - 1 - c;

	err = xsk_raw_socket(&sk[0]) ?:
	      xsk_raw_umem_reg(&sk[0], NFRAMES, FRAME) ?:
	      xsk_raw_dmabuf_reg(&sk[0], ub.fd, 0, AREA, FRAME) ?:
	      xsk_raw_rings(&sk[0], RING, RING, true) ?:
	      xsk_raw_mmap(&sk[0], true, true) ?:
	      xsk_raw_bind(&sk[0], ifname, 0, XDP_USE_SG, -1);
	if (err) {
		printf("FAIL socket 0 on %s queue 0: %s\n", ifname, strerror(-err));
		return 1;
	}
	refusals();
	err = xsk_raw_socket(&sk[1]) ?:
	      xsk_raw_rings(&sk[1], RING, RING, true) ?:
	      xsk_raw_mmap(&sk[1], true, true) ?:
	      xsk_raw_bind(&sk[1], ifname, 1, 0, sk[0].fd);
	if (err) {
		printf("FAIL socket 1 sharing the UMEM on queue 1: %s\n", strerror(-err));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/steer_xsks", pin ? pin : "/sys/fs/bpf/xsk-devmem");
	map = bpf_obj_get(path);
	for (__u32 q = 0; q < 2; q++) {
		if (map < 0 || bpf_map_update_elem(map, &q, &sk[q].fd, 0)) {
			printf("FAIL XSKMAP %s: %s\n", path, strerror(errno));
			return 1;
		}
		/* Host frames: the first half to socket 0, the second to 1. */
		for (__u32 k = 0; k < RING; k++)
			xring_prod_push(&sk[q].fq, (__u64)(q * NFRAMES / 2 + k) * FRAME);
		lend(q);
	}
	printf("dmabuf_shared: ready, sockets on queues 0 and 1, one UMEM (fd %d), %u chunks\n",
	       sk[0].fd, NCHUNKS);
	fflush(stdout);

	while (!rxcheck_done(&rc) && !check_failures && mono_now() < end) {
		struct pollfd pfd[2] = { { sk[0].fd, POLLIN, 0 }, { sk[1].fd, POLLIN, 0 } };
		__u32 busy = 0;

		for (int q = 0; q < 2; q++) {
			__u32 n = receive(q, &rc);

			per_q[q] += n;
			busy |= n;
			lend(q);
		}
		if (!busy)
			poll(pfd, 2, 100);
	}
	printf("dmabuf_shared: queue 0 got %lu, queue 1 got %lu\n", per_q[0], per_q[1]);
	CHECK(per_q[0] && per_q[1], "a queue got nothing");
	if (rxcheck_report(&rc, "dmabuf_shared", stdout))
		check_failures++;

	for (int q = 0; q < 2; q++)
		xsk_raw_close(&sk[q]);
	udmabuf_destroy(&ub);
	rxcheck_free(&rc);
	return check_failures ? 1 : 0;
}
