// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_rx: receive on an AF_XDP socket whose UMEM has a udmabuf payload
 * area, on the raw UAPI, and check everything the kernel promises:
 *
 * - every datagram arrives once, intact: headers read from the host UMEM,
 *   payload from the dmabuf mmap at the offsets the descriptors give;
 * - the split point is the one the steering policy chose (--split);
 * - descriptor chains are well formed (host descriptors first, payload
 *   descriptors flagged XDP_DESC_DMABUF, chunk aligned, in the area, and
 *   only chunks this process lent to the kernel);
 * - the kernel's counters match what was seen, and with --hostile every
 *   garbage fill ring entry was rejected and counted, exactly;
 * - with --until-gone (the device is removed under the socket), the
 *   chunks the kernel held come back on the dmabuf completion ring, and
 *   every chunk ever lent is accounted for. Receiving stops when the
 *   device goes; the datagrams that arrived must be intact and unique,
 *   but need not be all COUNT of them.
 *
 * The socket is put into a pinned XSKMAP (steer.bpf.o's, by default) at
 * the index of its queue; the XDP program is somebody else's business.
 *
 *   dmabuf_rx -i IFACE -p PORT -n COUNT [-q QUEUE] [--xskmap PIN]
 *             [--split l4|l4+N|none] [--chunk BYTES] [--area-mb MB]
 *             [--hostile K] [--close-dmabuf] [--until-gone] [-t TIMEOUT_S]
 *             [--dmabuf-ring N] [--idle S] [--no-host-frames] [--zc]
 *             [--bind-only] [--all-from SEQ] [--starve-after N]
 *             [--refill-on FILE]
 *
 * --zc binds in zero copy (XDP_ZEROCOPY): the device writes payloads into
 * the chunks itself and the split point is the device's (the L4 header's
 * end); a payload descriptor names its bytes, anywhere inside a chunk, and
 * is given back by posting its address on the dmabuf fill ring at once.
 * The CPU must have copied no payload byte, the kernel's zero-copy counters
 * must match, and split points the policy chose elsewhere are counted as
 * mismatches. With --until-gone, every lent chunk must come back on the
 * completion ring or still be named by an unread fill ring entry. Chunks
 * that come back on the completion ring while receiving (a queue restart
 * frees the old page pools) are lent again.
 *
 * --all-from SEQ: datagrams from sequence number SEQ on must all arrive;
 * the ones before it may be missing (dropped, for the test to account
 * for: the count is reported). Receiving ends once SEQ .. COUNT - 1 are in.
 *
 * --starve-after N (zero copy): after N datagrams, nothing more goes onto
 * the dmabuf fill ring: the references RX descriptors give are held back
 * and no chunk is lent, while the RX ring is still read. Once the kernel
 * asks for a wakeup on the dmabuf fill ring (XDP_RING_NEED_WAKEUP: its
 * page pool found the ring empty; it must not have before), "dmabuf_rx:
 * starved" is printed. With --refill-on FILE, when FILE exists, every held
 * reference is given back and the kernel kicked as the library does (one
 * recvfrom(MSG_DONTWAIT) when the ring asks for it: "dmabuf_rx:
 * refilled"); the flag must be clear again at the end.
 *
 * --bind-only binds and reports "bind: ok" or "bind: ERRNO refusal N"
 * (XDP_DMABUF_INFO's zc_refusal), then exits 0 either way.
 *
 * --no-host-frames gives the kernel no host chunks: every packet is then
 * dropped after its payload chunks were taken from the dmabuf fill ring,
 * which leaves them in the kernel's cache; with --until-gone they must
 * come back on the dmabuf completion ring (at least one).
 *
 * Receiving ends when all COUNT datagrams arrived, after TIMEOUT_S, or
 * after S seconds (default 15) without a packet once packets came.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "rxcheck.h"
#include "util.h"
#include "udmabuf.h"
#include "xsk_raw.h"

#define NFRAMES		4096
#define FRAME		4096
#define RING		2048
#define MAX_SEGS	64

enum chunk_state { C_FREE, C_POSTED, C_HELD };

struct rx {
	struct xsk_raw x;
	struct udmabuf u;
	uint32_t chunk, nchunks;
	uint8_t *state;		/* enum chunk_state, per chunk */
	uint32_t *free;		/* stack of C_FREE chunks */
	uint32_t nfree;
	/* what this side saw and did */
	uint64_t lent, returned_rx, completed, hostile, payload_bytes, split, whole;
	uint64_t zc_frags, mismatch;
	uint64_t completed_rx;	/* of completed: while receiving (zero copy) */
	uint32_t fewest;	/* dmabuf fill ring entries unread, fewest seen */
	int split_mode;		/* -1 none, else N for l4+N */
	bool zc;
	/* Zero copy: chunks lent at most at once, so that the entries giving
	 * references back always fit in the dmabuf fill ring; and lent now. */
	uint32_t zc_cap, posted;
	unsigned long hostile_per_post;
	/* --starve-after: references held back while the ring starves */
	enum { S_OFF, S_FEEDING, S_HOLDING, S_STARVED, S_REFILLED } starve;
	uint64_t starve_after;
	const char *refill_on;
	uint64_t *held;
	uint32_t nheld, held_max;
	uint64_t rng;
	struct rxcheck rc;
	char err[200];
};

static uint64_t rnd(struct rx *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

static void __attribute__((format(printf, 2, 3)))
fail(struct rx *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
}

/* An entry the kernel must reject whatever the state of the chunks:
 * outside the area, or not at the start of a chunk. */
static uint64_t hostile_entry(struct rx *r)
{
	uint64_t area = (uint64_t)r->nchunks * r->chunk;

	unsigned int kind = rnd(r) % 4;

	/* In zero copy, an offset inside a chunk is a valid return. */
	if (r->zc && kind == 1)
		kind = 0;
	switch (kind) {
	case 0:		/* past the end */
		return area + (rnd(r) % 1024) * r->chunk;
	case 1:		/* inside a chunk */
		return (rnd(r) % r->nchunks) * (uint64_t)r->chunk + 1 + rnd(r) % (r->chunk - 1);
	case 2:		/* wrapped around */
		return UINT64_MAX - rnd(r) % area;
	default:	/* random bits, made misaligned */
		return rnd(r) | 1;
	}
}

static bool holding(const struct rx *r)
{
	return r->starve == S_HOLDING || r->starve == S_STARVED;
}

/* Lend free chunks to the kernel while the dmabuf fill ring has room. */
static void lend(struct rx *r)
{
	while (!holding(r) && r->nfree && xring_prod_free(&r->x.dfq) > r->hostile_per_post &&
	       (!r->zc || r->posted < r->zc_cap)) {
		uint32_t c = r->free[--r->nfree];

		r->state[c] = C_POSTED;
		r->posted++;
		xring_prod_push(&r->x.dfq, (uint64_t)c * r->chunk);
		r->lent++;
		for (unsigned long i = 0; i < r->hostile_per_post; i++) {
			xring_prod_push(&r->x.dfq, hostile_entry(r));
			r->hostile++;
		}
	}
}

static void give_back(struct rx *r, uint32_t c)
{
	if (r->state[c] == C_POSTED)
		r->posted--;
	r->state[c] = C_FREE;
	r->free[r->nfree++] = c;
}

/* Chunks the kernel gave back unfilled on the dmabuf completion ring (in
 * zero copy: that a page pool let go of) are free to lend again.
 */
static void reap(struct rx *r)
{
	uint32_t nc = xring_cons_avail(&r->x.dcq);

	for (uint32_t k = 0; k < nc; k++) {
		uint64_t a = xring_addr(&r->x.dcq, k);

		if (a % r->chunk || a / r->chunk >= r->nchunks || r->state[a / r->chunk] != C_POSTED)
			fail(r, "completion ring returned %llu, not a lent chunk", (unsigned long long)a);
		else
			give_back(r, a / r->chunk);
		r->completed++;
	}
	xring_cons_release(&r->x.dcq, nc);
}

static bool needs_wakeup(const struct xring *q)
{
	return __atomic_load_n(q->flags, __ATOMIC_ACQUIRE) & XDP_RING_NEED_WAKEUP;
}

/* Give back a reference an RX descriptor gave (zero copy): onto the dmabuf
 * fill ring, or into the held list while starving the ring.
 */
static void unref(struct rx *r, uint64_t addr)
{
	if (holding(r)) {
		if (r->nheld == r->held_max)
			fail(r, "more than %u references held back", r->held_max);
		else
			r->held[r->nheld++] = addr;
		return;
	}
	if (!xring_prod_free(&r->x.dfq)) {
		fail(r, "dmabuf fill ring full");
		return;
	}
	xring_prod_push(&r->x.dfq, addr);
	r->returned_rx++;
}

/* --starve-after: notice the starved ring; refill and kick when told. */
static void starve_step(struct rx *r)
{
	struct xdp_dmabuf_statistics ds;
	uint32_t k;
	bool nw;

	if (r->starve == S_HOLDING && needs_wakeup(&r->x.dfq)) {
		xsk_raw_dmabuf_stats(&r->x, &ds);
		printf("dmabuf_rx: starved after %llu datagrams: the dmabuf fill ring needs a wakeup; %u references held back; kernel: fill empty %llu\n",
		       (unsigned long long)(r->split + r->whole), r->nheld,
		       (unsigned long long)ds.fill_empty_descs);
		fflush(stdout);
		r->starve = S_STARVED;
	}
	if (r->starve != S_STARVED || !r->refill_on || access(r->refill_on, F_OK))
		return;
	nw = needs_wakeup(&r->x.dfq);
	r->starve = S_REFILLED;
	for (k = 0; k < r->nheld && xring_prod_free(&r->x.dfq); k++)
		xring_prod_push(&r->x.dfq, r->held[k]);
	r->returned_rx += k;
	if (k < r->nheld)
		fail(r, "dmabuf fill ring full after %u of %u held references", k, r->nheld);
	lend(r);
	/* As the library kicks (xsk_devmem_rx.c): the queue's NAPI runs and
	 * its page pool takes from the ring again.
	 */
	if (nw)
		recvfrom(r->x.fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	printf("dmabuf_rx: refilled: %u references given back, %llu chunks lent; need_wakeup was %s%s\n",
	       k, (unsigned long long)r->posted, nw ? "set: kicked (recvfrom)" : "clear",
	       nw && needs_wakeup(&r->x.dfq) ? ", still set until the queue allocates" : "");
	fflush(stdout);
	r->nheld = 0;
}

/* Missing datagrams of sequence numbers [from, to). */
static uint32_t missing(const struct rxcheck *rc, uint32_t from, uint32_t to)
{
	uint32_t n = 0;

	for (uint32_t s = from; s < to; s++)
		n += !(rc->seen[s / 8] & (1u << (s % 8)));
	return n;
}

static bool rx_done(const struct rx *r, uint32_t all_from)
{
	if (all_from)
		return !missing(&r->rc, all_from, r->rc.count);
	return rxcheck_done(&r->rc);
}

/* Where the L4 header of this frame ends (IPv4 or IPv6, UDP). */
static uint32_t l4_end(const uint8_t *f, uint32_t len)
{
	const struct ethhdr *eth = (const void *)f;

	if (len < sizeof(*eth) + 40)
		return 0;
	if (eth->h_proto == htons(ETH_P_IP))
		return sizeof(*eth) + ((const struct iphdr *)(eth + 1))->ihl * 4 + 8;
	return sizeof(*eth) + sizeof(struct ipv6hdr) + 8;
}

/* One packet: nseg descriptors starting at rx ring index i. */
static void packet(struct rx *r, uint32_t i, uint32_t nseg)
{
	struct iovec seg[MAX_SEGS];
	uint32_t hdr = 0, total = 0, ndma = 0;
	static uint8_t frame[70000];

	for (uint32_t k = 0; k < nseg; k++) {
		const struct xdp_desc *d = xring_rx_desc(&r->x.rx, i + k);

		if (d->options & XDP_DESC_DMABUF && r->zc) {
			/* In place: the bytes lie inside one lent chunk. */
			uint64_t c = d->addr / r->chunk;

			if (c >= r->nchunks || d->addr % r->chunk + d->len > r->chunk)
				fail(r, "payload descriptor at %llu len %u outside the chunks", (unsigned long long)d->addr, d->len);
			else if (r->state[c] != C_POSTED)
				fail(r, "kernel delivered chunk %llu (state %d) it was not lent", (unsigned long long)c, r->state[c]);
			if (!r->err[0]) {
				seg[k].iov_base = r->u.map + d->addr;
				r->payload_bytes += d->len;
			}
			r->zc_frags++;
			ndma++;
		} else if (d->options & XDP_DESC_DMABUF) {
			uint64_t c = d->addr / r->chunk;

			if (d->addr % r->chunk || c >= r->nchunks || d->len > r->chunk)
				fail(r, "payload descriptor at %llu len %u outside the chunks", (unsigned long long)d->addr, d->len);
			else if (r->state[c] != C_POSTED)
				fail(r, "kernel delivered chunk %llu (state %d) it was not lent", (unsigned long long)c, r->state[c]);
			else
				r->state[c] = C_HELD;
			if (!r->err[0]) {
				seg[k].iov_base = r->u.map + d->addr;
				r->payload_bytes += d->len;
			}
			ndma++;
		} else {
			if (ndma)
				fail(r, "host descriptor after %u payload descriptors", ndma);
			seg[k].iov_base = r->x.umem + d->addr;
			hdr += d->len;
		}
		seg[k].iov_len = d->len;
		total += d->len;
	}
	if (r->err[0])
		return;

	/* The split the policy asked for. */
	size_t off = 0;

	for (uint32_t k = 0; k < nseg && off < sizeof(frame); k++) {
		size_t n = seg[k].iov_len < sizeof(frame) - off ? seg[k].iov_len : sizeof(frame) - off;

		memcpy(frame + off, seg[k].iov_base, n);
		off += n;
	}
	uint32_t want = total;

	if (r->split_mode >= 0) {
		want = l4_end(frame, total) + r->split_mode;
		if (want > total)
			want = total;
	}
	if (r->zc && ndma) {
		/* The device split after the L4 header; the policy's split
		 * point, if another, is counted. */
		if (r->split_mode != 0 && want != l4_end(frame, total))
			r->mismatch++;
		want = l4_end(frame, total);
	}
	if (hdr != want)
		fail(r, "header part of %u bytes, %s says %u", hdr, r->zc ? "the device" : "policy", want);
	if (ndma)
		r->split++;
	else
		r->whole++;
	rxcheck_frame(&r->rc, seg, nseg);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: dmabuf_rx -i IFACE -p PORT -n COUNT [-q QUEUE] [--xskmap PIN]\n"
		"                 [--split l4|l4+N|none] [--chunk BYTES] [--area-mb MB]\n"
		"                 [--hostile K] [--close-dmabuf] [--until-gone] [-t TIMEOUT_S]\n"
		"                 [--dmabuf-ring N] [--idle S] [--no-host-frames] [--zc]\n"
		"                 [--bind-only] [--all-from SEQ] [--starve-after N]\n"
		"                 [--refill-on FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "xskmap", required_argument, NULL, 'X' },
		{ "split", required_argument, NULL, 's' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "area-mb", required_argument, NULL, 'a' },
		{ "hostile", required_argument, NULL, 'H' },
		{ "close-dmabuf", no_argument, NULL, 'C' },
		{ "until-gone", no_argument, NULL, 'G' },
		{ "dmabuf-ring", required_argument, NULL, 'R' },
		{ "idle", required_argument, NULL, 'I' },
		{ "no-host-frames", no_argument, NULL, 'N' },
		{ "zc", no_argument, NULL, 'Z' },
		{ "bind-only", no_argument, NULL, 'B' },
		{ "all-from", required_argument, NULL, 'M' },
		{ "starve-after", required_argument, NULL, 'A' },
		{ "refill-on", required_argument, NULL, 'F' },
		{ 0 }
	};
	const char *ifname = NULL, *xskmap = "/sys/fs/bpf/xsk-devmem/steer_xsks";
	unsigned int queue = 0, count = 0, port = 0, timeout = 60, area_mb = 16;
	unsigned int dring = RING, idle = 15, all_from = 0;
	bool close_dmabuf = false, until_gone = false, host_frames = true, bind_only = false;
	struct rx r = { .chunk = 4096, .split_mode = 0, .fewest = UINT32_MAX,
			.rng = 0x9e3779b97f4a7c15ull };
	int c, err;

	while ((c = getopt_long(argc, argv, "i:p:n:q:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'q': queue = strtoul(optarg, NULL, 0); break;
		case 't': timeout = strtoul(optarg, NULL, 0); break;
		case 'X': xskmap = optarg; break;
		case 'c': r.chunk = strtoul(optarg, NULL, 0); break;
		case 'a': area_mb = strtoul(optarg, NULL, 0); break;
		case 'H': r.hostile_per_post = strtoul(optarg, NULL, 0); break;
		case 'C': close_dmabuf = true; break;
		case 'G': until_gone = true; break;
		case 'R': dring = strtoul(optarg, NULL, 0); break;
		case 'I': idle = strtoul(optarg, NULL, 0); break;
		case 'N': host_frames = false; break;
		case 'Z': r.zc = true; break;
		case 'B': bind_only = true; break;
		case 'M': all_from = strtoul(optarg, NULL, 0); break;
		case 'A':
			r.starve = S_FEEDING;
			r.starve_after = strtoull(optarg, NULL, 0);
			break;
		case 'F': r.refill_on = optarg; break;
		case 's':
			if (!strcmp(optarg, "none"))
				r.split_mode = -1;
			else if (!strcmp(optarg, "l4"))
				r.split_mode = 0;
			else if (!strncmp(optarg, "l4+", 3))
				r.split_mode = atoi(optarg + 3);
			else
				usage();
			break;
		default: usage();
		}
	}
	if (!ifname || !port || !count || all_from >= count || (r.starve && !r.zc))
		usage();

	if (rxcheck_init(&r.rc, count, port) || udmabuf_create(&r.u, (size_t)area_mb << 20))
		return 1;
	r.nchunks = r.u.size / r.chunk;
	r.zc_cap = dring / (r.chunk / 4096 + r.hostile_per_post);
	r.state = calloc(r.nchunks, 1);
	r.free = calloc(r.nchunks, sizeof(*r.free));
	r.held_max = dring;
	r.held = calloc(r.held_max, sizeof(*r.held));
	for (uint32_t k = 0; k < r.nchunks; k++)
		r.free[r.nfree++] = r.nchunks - 1 - k;

	err = xsk_raw_socket(&r.x) ?:
	      xsk_raw_umem_reg(&r.x, NFRAMES, FRAME) ?:
	      xsk_raw_dmabuf_reg(&r.x, r.u.fd, 0, r.u.size, r.chunk) ?:
	      xsk_raw_rings(&r.x, RING, dring, true) ?:
	      xsk_raw_mmap(&r.x, true, true) ?:
	      xsk_raw_bind(&r.x, ifname, queue, XDP_USE_SG | XDP_USE_NEED_WAKEUP |
			   (r.zc ? XDP_ZEROCOPY : 0), -1);
	struct xdp_dmabuf_info info = { 0 };
	socklen_t ilen = sizeof(info);

	if (getsockopt(r.x.fd, SOL_XDP, XDP_DMABUF_INFO, &info, &ilen) && bind_only)
		fprintf(stderr, "dmabuf_rx: XDP_DMABUF_INFO: %s\n", strerror(errno));
	if (bind_only) {
		if (err)
			printf("bind: %s refusal %u errno %u\n", strerrorname_np(-err) ?: "?",
			       info.zc_refusal, info.zc_errno);
		else
			printf("bind: ok mode %u\n", info.mode);
		return 0;
	}
	if (err) {
		fprintf(stderr, "dmabuf_rx: set-up on %s queue %u: %s (zero-copy refusal %u)\n",
			ifname, queue, strerror(-err), info.zc_refusal);
		return 1;
	}
	if (close_dmabuf) {
		/* The UMEM holds its own reference; the mapping stays. */
		close(r.u.fd);
		r.u.fd = -1;
	}

	int map = bpf_obj_get(xskmap), fd = r.x.fd;

	if (map < 0 || bpf_map_update_elem(map, &queue, &fd, 0)) {
		fprintf(stderr, "dmabuf_rx: XSKMAP %s: %s\n", xskmap, strerror(errno));
		return 1;
	}

	for (uint32_t k = 0; host_frames && k < RING; k++)
		xring_prod_push(&r.x.fq, (uint64_t)k * FRAME);
	lend(&r);
	printf("dmabuf_rx: ready on %s queue %u: %u chunks of %u bytes, split %s%d%s\n",
	       ifname, queue, r.nchunks, r.chunk, r.split_mode < 0 ? "none" : "l4+",
	       r.split_mode < 0 ? 0 : r.split_mode, r.hostile_per_post ? ", hostile fill ring" : "");
	fflush(stdout);

	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double t0 = mono_now(), last = 0;
	uint32_t pending = 0;	/* descriptors of the packet being gathered */
	bool gone = false;

	while ((until_gone || !rx_done(&r, all_from)) && !r.err[0] && mono_now() - t0 < timeout) {
		uint32_t avail = xring_cons_avail(&r.x.rx), used = 0;

		if (avail == pending) {
			if (gone)	/* and the RX ring drained after it */
				break;
			if (poll(&pfd, 1, 100) >= 0 && xsk_raw_gone(&r.x))
				gone = true;
			if (r.zc && !until_gone) {
				reap(&r);
				r.completed_rx = r.completed;
				lend(&r);
			}
			if (r.starve)
				starve_step(&r);
			/* Waiting to be told to refill is not idle. */
			if (r.starve == S_STARVED && r.refill_on)
				last = mono_now();
			if (last && !until_gone && mono_now() - last > idle)
				break;
			continue;
		}
		last = mono_now();
		/* Gather whole packets; keep a started chain for later. */
		for (uint32_t k = pending; k < avail; k++) {
			const struct xdp_desc *d = xring_rx_desc(&r.x.rx, k);

			if (d->options & XDP_PKT_CONTD)
				continue;
			uint32_t nseg = k + 1 - used;

			if (nseg > MAX_SEGS) {
				fail(&r, "chain of %u descriptors", nseg);
				break;
			}
			packet(&r, used, nseg);
			if (r.starve == S_FEEDING && r.split + r.whole > r.starve_after) {
				/* Never empty so far: no wakeup asked for. */
				if (needs_wakeup(&r.x.dfq))
					fail(&r, "the dmabuf fill ring needs a wakeup before it was starved");
				r.starve = S_HOLDING;
			}
			for (uint32_t s = used; s <= k; s++) {
				const struct xdp_desc *e = xring_rx_desc(&r.x.rx, s);

				if (e->options & XDP_DESC_DMABUF && r.zc) {
					/* Give the reference back at once. */
					if (!r.err[0])
						unref(&r, e->addr);
				} else if (e->options & XDP_DESC_DMABUF) {
					if (r.state[e->addr / r.chunk] == C_HELD) {
						give_back(&r, e->addr / r.chunk);
						r.returned_rx++;
					}
				} else {
					xring_prod_push(&r.x.fq, e->addr & ~(uint64_t)(FRAME - 1));
				}
			}
			used = k + 1;
		}
		xring_cons_release(&r.x.rx, used);
		pending = avail - used;
		/* A queue restart hands the old pools' chunks back. */
		if (r.zc && !until_gone)
			reap(&r);
		r.completed_rx = r.completed;
		if (r.starve)
			starve_step(&r);
		lend(&r);
		if (*r.x.dfq.producer - __atomic_load_n(r.x.dfq.consumer, __ATOMIC_ACQUIRE) < r.fewest)
			r.fewest = *r.x.dfq.producer - *r.x.dfq.consumer;
	}

	if (until_gone) {
		/* Wait for the device to go, then for the chunks the kernel
		 * held to come back. */
		while (!gone && mono_now() - t0 < timeout) {
			poll(&pfd, 1, 100);
			gone = xsk_raw_gone(&r.x);
		}
		if (!gone)
			fail(&r, "device still there after %u s", timeout);
	}
	/* Completions: chunks the kernel took and gives back unfilled (in
	 * zero copy: that its page pools let go of, which a pool still
	 * draining does a little later). */
	double tc = mono_now();

	do {
		reap(&r);
		if (!r.zc || !gone || r.posted <= *r.x.dfq.producer - *r.x.dfq.consumer)
			break;
		usleep(100 * 1000);
	} while (mono_now() - tc < 5);

	struct xdp_dmabuf_statistics ds;
	struct xdp_statistics xs = { 0 };
	socklen_t len = sizeof(xs);

	xsk_raw_dmabuf_stats(&r.x, &ds);
	getsockopt(fd, SOL_XDP, XDP_STATISTICS, &xs, &len);
	bool ok = !rxcheck_report(&r.rc, "dmabuf_rx", stdout);

	if (until_gone)		/* what arrived must be right, not all of it */
		ok = !r.rc.bad && !r.rc.dup;
	if (all_from) {		/* all from all_from on, and what came right */
		uint32_t before = missing(&r.rc, 0, all_from), after = missing(&r.rc, all_from, count);

		printf("dmabuf_rx: missing: %u of seq 0..%u (may be dropped), %u of seq %u..%u\n",
		       before, all_from - 1, after, all_from, count - 1);
		ok = !r.rc.bad && !r.rc.dup && !after;
	}

	printf("dmabuf_rx: seen: split %llu, whole %llu, payload bytes %llu, chunks lent %llu, back on rx %llu, on completion ring %llu (%llu while receiving), hostile entries %llu\n",
	       (unsigned long long)r.split, (unsigned long long)r.whole,
	       (unsigned long long)r.payload_bytes, (unsigned long long)r.lent,
	       (unsigned long long)r.returned_rx, (unsigned long long)r.completed,
	       (unsigned long long)r.completed_rx, (unsigned long long)r.hostile);
	printf("dmabuf_rx: kernel: split %llu, whole %llu, cpu copied %llu, fill invalid %llu, fill empty %llu, rx dropped %llu, rx ring full %llu\n",
	       (unsigned long long)ds.split_packets, (unsigned long long)ds.whole_packets,
	       (unsigned long long)ds.cpu_copied_bytes, (unsigned long long)ds.fill_invalid_descs,
	       (unsigned long long)ds.fill_empty_descs, (unsigned long long)xs.rx_dropped,
	       (unsigned long long)xs.rx_ring_full);

	/* What the kernel counted must be what was seen. Drops (if any)
	 * show up as missing datagrams above. */
	if (ds.split_packets != r.split || ds.whole_packets < r.whole)
		fail(&r, "kernel counted %llu split packets, %llu seen", (unsigned long long)ds.split_packets, (unsigned long long)r.split);
	if (ds.cpu_copied_bytes != (r.zc ? 0 : r.payload_bytes))
		fail(&r, "kernel copied %llu payload bytes, %llu seen%s", (unsigned long long)ds.cpu_copied_bytes,
		     (unsigned long long)r.payload_bytes, r.zc ? " in zero copy" : "");
	if (r.starve == S_FEEDING)
		fail(&r, "fewer than %llu datagrams: never starved the ring", (unsigned long long)r.starve_after + 1);
	else if (r.starve == S_HOLDING)
		fail(&r, "the dmabuf fill ring never asked for a wakeup while starved");
	else if (r.starve == S_STARVED && r.refill_on)
		fail(&r, "starved, but %s never appeared", r.refill_on);
	else if (r.starve == S_REFILLED && needs_wakeup(&r.x.dfq))
		fail(&r, "the dmabuf fill ring still needs a wakeup after the refill");
	if (r.zc) {
		printf("dmabuf_rx: zero copy: kernel: packets %llu, frags %llu, split mismatches %llu; seen: frags %llu, mismatches %llu\n",
		       (unsigned long long)ds.zc_packets, (unsigned long long)ds.zc_frags,
		       (unsigned long long)ds.split_mismatch, (unsigned long long)r.zc_frags,
		       (unsigned long long)r.mismatch);
		if (ds.zc_packets != r.split || ds.zc_frags != r.zc_frags || ds.split_mismatch != r.mismatch)
			fail(&r, "zero-copy counters differ from what was seen");
		if (r.fewest != UINT32_MAX)
			printf("dmabuf_rx: zero copy: dmabuf fill ring: at least %u entries unread whenever looked at after a batch\n",
			       r.fewest);
	}
	/* Hostile entries the kernel has not read yet are still in the ring
	 * (legit entries are chunk offsets in the area; hostile ones never). */
	uint64_t unread_hostile = 0;

	for (uint32_t k = *r.x.dfq.consumer; k != *r.x.dfq.producer; k++) {
		uint64_t v = ((uint64_t *)r.x.dfq.desc)[k & r.x.dfq.mask];

		if (r.zc)	/* any offset inside the area is a valid return */
			unread_hostile += v >= (uint64_t)r.nchunks * r.chunk;
		else
			unread_hostile += v % r.chunk || v / r.chunk >= r.nchunks;
	}
	if (ds.fill_invalid_descs != r.hostile - unread_hostile)
		fail(&r, "kernel rejected %llu fill entries, %llu hostile ones were read",
		     (unsigned long long)ds.fill_invalid_descs,
		     (unsigned long long)(r.hostile - unread_hostile));
	if (gone) {
		/* Every lent chunk came back: through rx, the completion ring,
		 * or it is still in the fill ring, unread. */
		uint64_t unread = *r.x.dfq.producer - *r.x.dfq.consumer;
		uint64_t posted = 0;

		for (uint32_t k = 0; k < r.nchunks; k++)
			posted += r.state[k] == C_POSTED;
		if (r.zc) {
			/* Each chunk still lent must be named by an unread entry:
			 * its lend, or a reference given back too late. */
			uint8_t *named = calloc(r.nchunks, 1);

			for (uint32_t k = *r.x.dfq.consumer; named && k != *r.x.dfq.producer; k++) {
				uint64_t v = ((uint64_t *)r.x.dfq.desc)[k & r.x.dfq.mask];

				if (v < (uint64_t)r.nchunks * r.chunk)
					named[v / r.chunk] = 1;
			}
			for (uint32_t k = 0; named && k < r.nchunks; k++)
				if (r.state[k] == C_POSTED && !named[k]) {
					fail(&r, "chunk %u lent, neither completed nor in the fill ring", k);
					break;
				}
			free(named);
			unread = posted;	/* checked above, chunk by chunk */
		}
		printf("dmabuf_rx: device gone: %llu chunks still lent, %llu fill entries unread\n",
		       (unsigned long long)posted, (unsigned long long)unread);
		if (!host_frames && !r.completed)
			fail(&r, "no chunk came back on the completion ring");
		if (r.hostile_per_post ? posted > unread : posted != unread)
			fail(&r, "%llu lent chunks neither received nor completed (fill ring holds %llu)", (unsigned long long)posted, (unsigned long long)unread);
	}
	if (r.err[0])
		printf("dmabuf_rx: FAIL: %s\n", r.err);
	ok = ok && !r.err[0];

	bpf_map_delete_elem(map, &queue);
	xsk_raw_close(&r.x);
	udmabuf_destroy(&r.u);
	rxcheck_free(&r.rc);
	free(r.held);
	return ok ? 0 : 1;
}
