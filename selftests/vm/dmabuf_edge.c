// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_edge: the edges of the AF_XDP receive path that a review of the
 * dmabuf UMEM found, one case per command; each is the regression test of
 * a kernel fix, or shows that a suspected defect is not one. Run in the
 * receiving namespace with the sender's namespace named, so that the test
 * sends its own datagrams exactly when a case needs them:
 *
 *   dmabuf_edge CASE IFACE TX_NETNS DST_ADDR [OTHER_IFACE]
 *
 * host-dup     a host fill ring naming one frame twice (ABA, AAB, AA,
 *              AAAA) while a split point needs three host frames for the
 *              headers: every such packet is dropped and counted, none
 *              arrives as a broken chain, and the socket works afterwards.
 * split-leak   a packet that sets a split point and does not reach a dmabuf
 *              socket (redirected to a socket of OTHER_IFACE, to an empty
 *              XSKMAP slot, passed, dropped) is followed in the same batch
 *              by packets that set none: those must arrive whole. The
 *              batch is one BPF_PROG_TEST_RUN of live frames, which runs
 *              them through the program and xdp_do_redirect_frame() as a
 *              driver's NAPI poll does, so the outcome does not depend on
 *              how the veth pair happens to batch.
 * dup-chunk    a payload chunk posted twice in a row: in one batch, the
 *              second entry is rejected, since the first packet's RX
 *              descriptor is not published yet; the chunk is never
 *              delivered twice in one batch.
 * fill-bound   a dmabuf fill ring full of invalid entries with its
 *              producer 2^31 ahead: each packet rejects a bounded number of
 *              them, is dropped and counted, and the CPU is released.
 * fill-bound-plain  the same on the fill ring of a plain AF_XDP socket.
 * poll-err     a thread sleeps in poll() when the device goes away: poll()
 *              returns POLLERR, SO_ERROR says ENETDOWN, and the chunks the
 *              kernel held are on the dmabuf completion ring by then.
 * poll-err-plain    the same on a plain AF_XDP socket.
 * shared-pool  two sockets share one buffer pool (XDP_SHARED_UMEM, same
 *              queue) and traffic reaches both while the device is deleted:
 *              every chunk the kernel took from the dmabuf fill ring comes
 *              back on the dmabuf completion ring, none stays with the
 *              kernel, both sockets see ENETDOWN.
 *
 * The XDP program is port_action.bpf.o, attached in native mode; what it
 * does per UDP port is set by each case.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/port_action.h"
#include "check.h"
#include "pattern.h"
#include "udmabuf.h"
#include "util.h"
#include "xsk_raw.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define ETH_IP_UDP	42	/* IPv4 without options */
#define CHUNK		4096u
#define FRAME_PORT	4791	/* UDP destination port of make_frame()'s frames */
#define MAX_SEGS	32

static const char *ifname, *other_ifname;
static int ifindex, tx_fd;
static struct sockaddr_in dst;
static struct bpf_object *obj;
static int prog_fd, xsks_fd, actions_fd, alternate_fd;
static uint32_t seq;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("dmabuf_edge: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* --- set-up ------------------------------------------------------------- */

/* A UDP socket in the sender's namespace, made from this thread. */
static int netns_udp_socket(const char *ns)
{
	char path[256];
	int self, nsfd, fd;

	snprintf(path, sizeof(path), "/var/run/netns/%s", ns);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || nsfd < 0 || setns(nsfd, CLONE_NEWNET))
		die("entering netns %s: %s", ns, strerror(errno));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setns(self, CLONE_NEWNET))
		die("UDP socket in netns %s: %s", ns, strerror(errno));
	close(self);
	close(nsfd);
	return fd;
}

/* Send one datagram of the payload pattern: 0 or -errno. */
static int try_send(uint16_t port, uint32_t len)
{
	static uint8_t buf[9000];

	pattern_fill(buf, len, seq++);
	dst.sin_port = htons(port);
	while (sendto(tx_fd, buf, len, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		if (errno != ENOBUFS && errno != EAGAIN)
			return -errno;
		usleep(100);
	}
	return 0;
}

static void send_dgram(uint16_t port, uint32_t len)
{
	int err = try_send(port, len);

	if (err)
		die("sendto: %s", strerror(-err));
}

static void prog_attach(void)
{
	const char *build = getenv("XSK_BUILD");
	struct bpf_program *prog;
	char path[512];

	snprintf(path, sizeof(path), "%s/selftests/bpf/port_action.bpf.o",
		 build ? build : "build");
	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj))
		die("loading %s", path);
	prog = bpf_object__find_program_by_name(obj, "port_action");
	xsks_fd = bpf_object__find_map_fd_by_name(obj, "xsks");
	actions_fd = bpf_object__find_map_fd_by_name(obj, "port_actions");
	alternate_fd = bpf_object__find_map_fd_by_name(obj, "alternate");
	prog_fd = prog ? bpf_program__fd(prog) : -1;
	if (prog_fd < 0 || xsks_fd < 0 || actions_fd < 0 || alternate_fd < 0 ||
	    bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL))
		die("attaching port_action to %s: %s", ifname, strerror(errno));
}

static void set_action(uint16_t port, uint32_t action, uint32_t slot, uint32_t split)
{
	struct port_action pa = { .action = action, .slot = slot, .split = split };

	if (bpf_map_update_elem(actions_fd, &port, &pa, 0))
		die("port_actions[%u]: %s", port, strerror(errno));
}

static void set_slot(uint32_t slot, int fd)
{
	if (bpf_map_update_elem(xsks_fd, &slot, &fd, 0))
		die("xsks[%u]: %s", slot, strerror(errno));
}

/*
 * A socket bound to queue 0 of @dev: a host UMEM of @nframes frames of
 * @frame bytes and rings of @ring entries; with @u, a dmabuf area over all
 * of it in CHUNK chunks and dmabuf rings of @dring entries. The host fill
 * ring is left empty.
 */
static void sock_open(struct xsk_raw *x, const char *dev, uint32_t nframes, uint32_t frame,
		      uint32_t ring, struct udmabuf *u, uint32_t dring)
{
	int err;

	err = xsk_raw_socket(x) ?:
	      xsk_raw_umem_reg(x, nframes, frame) ?:
	      (u ? xsk_raw_dmabuf_reg(x, u->fd, 0, u->size, CHUNK) : 0) ?:
	      xsk_raw_rings(x, ring, u ? dring : 0, true) ?:
	      xsk_raw_mmap(x, u, true) ?:
	      xsk_raw_bind(x, dev, 0, XDP_USE_SG, -1);
	if (err)
		die("socket on %s: %s", dev, strerror(-err));
}

static struct xdp_statistics xsk_stats(struct xsk_raw *x)
{
	struct xdp_statistics st;
	int err = xsk_raw_stats(x, &st);

	if (err)
		die("XDP_STATISTICS: %s", strerror(-err));
	return st;
}

static struct xdp_dmabuf_statistics dmabuf_stats(struct xsk_raw *x)
{
	struct xdp_dmabuf_statistics st;
	int err = xsk_raw_dmabuf_stats(x, &st);

	if (err)
		die("XDP_DMABUF_STATISTICS: %s", strerror(-err));
	return st;
}

static void lend_chunks(struct xsk_raw *x, uint32_t first, uint32_t n)
{
	for (uint32_t c = first; c < first + n; c++)
		xring_prod_push(&x->dfq, (uint64_t)c * CHUNK);
}

/* --- receive: one packet, checked ------------------------------------------ */

struct pkt {
	uint32_t nseg, hdr_len, len;
	uint64_t chunk;		/* offset of the last payload chunk */
	bool split;
};

/*
 * Take the next packet off the RX ring within @ms milliseconds: false if
 * none came. Its bytes are checked against the payload pattern; the host
 * frames go back on the fill ring. Fills @p in.
 */
static bool rx_packet(struct xsk_raw *x, struct udmabuf *u, int ms, struct pkt *p)
{
	static uint8_t frame[10000];
	double end = mono_now() + ms / 1000.0;
	uint32_t avail = 0, n = 0, off = 0, pseq, plen;
	const struct xdp_desc *d;
	long bad;

	memset(p, 0, sizeof(*p));
	for (;;) {
		avail = xring_cons_avail(&x->rx);
		for (n = 0; n < avail; n++)
			if (!(xring_rx_desc(&x->rx, n)->options & XDP_PKT_CONTD))
				break;
		if (n < avail)
			break;
		if (mono_now() > end)
			return false;
		usleep(1000);
	}
	p->nseg = n + 1;
	for (uint32_t k = 0; k < p->nseg; k++) {
		const uint8_t *from;

		d = xring_rx_desc(&x->rx, k);
		if (d->options & XDP_DESC_DMABUF) {
			CHECK(u && d->addr % CHUNK == 0 && d->addr + d->len <= u->size,
			      "payload descriptor %llu+%u", (unsigned long long)d->addr, d->len);
			from = u ? u->map + d->addr : NULL;
			p->chunk = d->addr;
			p->split = true;
		} else {
			CHECK(!p->split, "host descriptor after a payload descriptor");
			from = x->umem + d->addr;
			p->hdr_len += d->len;
			xring_prod_push(&x->fq, d->addr & ~(uint64_t)(x->frame_size - 1));
		}
		if (from && off + d->len <= sizeof(frame))
			memcpy(frame + off, from, d->len);
		off += d->len;
	}
	xring_cons_release(&x->rx, p->nseg);
	p->len = off;
	if (off < ETH_IP_UDP + PATTERN_HDR_LEN || off > sizeof(frame) ||
	    pattern_parse(frame + ETH_IP_UDP, off - ETH_IP_UDP, &pseq, &plen)) {
		CHECK(0, "a chain of %u descriptors, %u bytes, is no datagram of ours", p->nseg, off);
		return true;
	}
	CHECK(plen == off - ETH_IP_UDP, "datagram %u of %u bytes arrived as %u bytes in %u descriptors",
	      pseq, plen, off - ETH_IP_UDP, p->nseg);
	bad = pattern_check(frame + ETH_IP_UDP, off - ETH_IP_UDP, 0, pseq, plen);
	CHECK(bad < 0, "datagram %u: wrong byte at payload offset %ld", pseq, bad);
	return true;
}

/* --- host-dup --------------------------------------------------------------- */

/*
 * Host frames of 2 KiB (1792 bytes of packet each), a split point at 5000
 * bytes: the headers of one 8000-byte datagram need three host frames.
 */
static int case_host_dup(void)
{
	static const char *const patterns[] = { "ABA", "AAB", "AA", "AAAA" };
	const uint16_t port = 4791;
	const uint32_t split = 5000, dlen = 8000;
	struct xsk_raw x;
	struct udmabuf u;
	struct pkt p;

	if (udmabuf_create(&u, 1 << 20))
		return 1;
	sock_open(&x, ifname, 64, 2048, 64, &u, 64);
	lend_chunks(&x, 0, 32);
	prog_attach();
	set_slot(0, x.fd);
	set_action(port, PORT_ACTION_REDIRECT, 0, split);

	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		uint64_t dropped = xsk_stats(&x).rx_dropped, now;
		bool arrived;

		for (const char *c = patterns[i]; *c; c++)
			xring_prod_push(&x.fq, (uint64_t)(*c - 'A') * 2048);
		send_dgram(port, dlen);
		arrived = rx_packet(&x, &u, 1000, &p);
		now = xsk_stats(&x).rx_dropped;
		CHECK(!arrived, "fill ring %s: a packet arrived (%u bytes, %u descriptors, %u of headers)",
		      patterns[i], p.len, p.nseg, p.hdr_len);
		CHECK(now == dropped + 1, "fill ring %s: rx_dropped %llu, want %llu", patterns[i],
		      (unsigned long long)now, (unsigned long long)dropped + 1);
		if (!arrived && now == dropped + 1)
			printf("fill ring %-4s: packet dropped and counted\n", patterns[i]);
	}

	/* Distinct frames: the socket works, the leftovers of AAAA drain. */
	for (uint32_t f = 3; f < 40; f++)
		xring_prod_push(&x.fq, (uint64_t)f * 2048);
	/* Each try may eat one leftover A of the fill ring (six of them). */
	for (int tries = 0; tries < 10; tries++) {
		send_dgram(port, dlen);
		if (rx_packet(&x, &u, 1000, &p))
			break;
	}
	CHECK(p.nseg, "no datagram arrived after the fill ring was refilled");
	CHECK(!p.nseg || (p.split && p.hdr_len == split && p.len == dlen + ETH_IP_UDP),
	      "datagram split at %u of %u bytes, want %u of %u", p.hdr_len, p.len, split,
	      dlen + ETH_IP_UDP);
	printf("distinct frames: datagram received split at %u of %u bytes\n", p.hdr_len, p.len);
	return check_report("host-dup");
}

/* --- split-leak ------------------------------------------------------------- */

/* An IPv4/UDP frame carrying @plen bytes of the payload pattern. */
static size_t make_frame(uint8_t *f, uint32_t plen)
{
	struct ethhdr *eth = (void *)f;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	memset(f, 0, ETH_IP_UDP);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*udp) + plen);
	udp->dest = htons(FRAME_PORT);
	udp->len = htons(sizeof(*udp) + plen);
	pattern_fill((uint8_t *)(udp + 1), plen, seq++);
	return ETH_IP_UDP + plen;
}

/*
 * @n copies of one frame through the program in one batch, as one NAPI
 * poll of IFACE's queue 0 would see them (BPF_PROG_TEST_RUN, live frames).
 */
static void run_live(const uint8_t *frame, size_t len, uint32_t n)
{
	struct xdp_md ctx = {
		.data_end = len,
		.ingress_ifindex = ifindex,
		.rx_queue_index = 0,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = n,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		.batch_size = 64,
	);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		die("BPF_PROG_TEST_RUN with live frames: %s", strerror(errno));
}

/*
 * In one batch, every other packet sets a split point and goes somewhere
 * else than the dmabuf socket ("port" 1); the others set none and go to
 * the dmabuf socket in slot 0 ("port" 2): they must arrive whole. The
 * control: "port" 1 goes to slot 0 too, and its packets arrive split.
 */
static int case_split_leak(void)
{
	const uint32_t split = 60, burst = 32;
	static const struct { const char *what; uint32_t action, slot; } away[] = {
		{ "redirected to a socket of another device", PORT_ACTION_REDIRECT, 1 },
		{ "redirected to an empty XSKMAP slot", PORT_ACTION_REDIRECT, 2 },
		{ "passed to the stack", PORT_ACTION_PASS, 0 },
		{ "dropped", PORT_ACTION_DROP, 0 },
		{ "redirected to the dmabuf socket (control)", PORT_ACTION_REDIRECT, 0 },
	};
	const uint32_t control = sizeof(away) / sizeof(away[0]) - 1, zero = 0;
	const uint32_t frame_port = FRAME_PORT;
	uint8_t frame[ETH_IP_UDP + 1000];
	struct xsk_raw x, other;
	struct udmabuf u;
	size_t len;
	struct pkt p;

	if (!other_ifname)
		die("split-leak needs OTHER_IFACE");
	if (udmabuf_create(&u, 4 << 20))
		return 1;
	sock_open(&x, ifname, 256, 4096, 256, &u, 256);
	sock_open(&other, other_ifname, 64, 4096, 64, NULL, 0);
	prog_attach();
	set_slot(0, x.fd);
	set_slot(1, other.fd);
	set_action(2, PORT_ACTION_REDIRECT, 0, 0);
	if (bpf_map_update_elem(alternate_fd, &zero, &frame_port, 0))
		die("alternate: %s", strerror(errno));
	len = make_frame(frame, 1000);

	for (uint32_t f = 0; f < 256; f++)
		xring_prod_push(&x.fq, (uint64_t)f * 4096);
	for (uint32_t i = 0; i <= control; i++) {
		uint32_t whole = 0, split_n = 0, want_split = i == control ? burst / 2 : 0;

		lend_chunks(&x, i * burst, burst);
		set_action(1, away[i].action, away[i].slot, split);
		run_live(frame, len, burst);
		while (rx_packet(&x, &u, 500, &p)) {
			if (p.split)
				split_n++;
			else
				whole++;
			CHECK(!p.split || p.hdr_len == split, "split at %u, the program said %u",
			      p.hdr_len, split);
		}
		printf("split point %s: %u packets whole, %u split (want %u)\n",
		       away[i].what, whole, split_n, want_split);
		CHECK(whole == burst / 2, "%s: %u of %u packets without a split point arrived whole",
		      away[i].what, whole, burst / 2);
		CHECK(split_n == want_split, "%s: %u packets arrived split, want %u",
		      away[i].what, split_n, want_split);
	}
	return check_report("split-leak");
}

/* --- dup-chunk -------------------------------------------------------------- */

/*
 * One chunk posted twice in a row, then another: three packets of one
 * payload chunk each, in one batch. The first takes the chunk; its RX
 * descriptor is not published until the end of the batch, so the second
 * entry names a chunk user space cannot own yet and must be rejected; the
 * second packet takes the other chunk, the third finds the ring empty.
 */
static int case_dup_chunk(void)
{
	uint8_t frame[ETH_IP_UDP + 1000];
	struct xdp_dmabuf_statistics st;
	uint64_t first = 0;
	struct xsk_raw x;
	struct udmabuf u;
	uint32_t got = 0;
	struct pkt p;
	size_t len;

	if (udmabuf_create(&u, 1 << 20))
		return 1;
	sock_open(&x, ifname, 64, 4096, 64, &u, 64);
	for (uint32_t f = 0; f < 64; f++)
		xring_prod_push(&x.fq, (uint64_t)f * 4096);
	xring_prod_push(&x.dfq, 5 * CHUNK);
	xring_prod_push(&x.dfq, 5 * CHUNK);
	xring_prod_push(&x.dfq, 9 * CHUNK);
	prog_attach();
	set_slot(0, x.fd);
	set_action(4791, PORT_ACTION_REDIRECT, 0, ETH_IP_UDP);
	len = make_frame(frame, 1000);
	run_live(frame, len, 3);

	while (rx_packet(&x, &u, 500, &p)) {
		CHECK(p.split && p.nseg == 2, "packet %u: %u descriptors, split %d", got, p.nseg, p.split);
		if (got == 0)
			first = p.chunk;
		else
			CHECK(p.chunk != first, "chunk %llu delivered twice in one batch",
			      (unsigned long long)p.chunk / CHUNK);
		got++;
	}
	st = dmabuf_stats(&x);
	printf("chunk posted twice: %u packets, fill entries rejected %llu, fill ring empty %llu\n",
	       got, (unsigned long long)st.fill_invalid_descs,
	       (unsigned long long)st.fill_empty_descs);
	CHECK(got == 2, "%u packets arrived, want 2", got);
	CHECK(st.fill_invalid_descs == 1, "%llu entries rejected, want 1 (the duplicate)",
	      (unsigned long long)st.fill_invalid_descs);
	CHECK(st.fill_empty_descs == 1, "%llu packets found the ring empty, want 1",
	      (unsigned long long)st.fill_empty_descs);
	return check_report("dup-chunk");
}

/* --- fill-bound --------------------------------------------------------------- */

/* Put the kernel back to work if it is stuck reading @r: valid entries. */
static void unstick(struct xring *r, uint64_t stride)
{
	for (uint32_t k = 0; k < r->size; k++)
		((uint64_t *)r->desc)[k] = (uint64_t)k * stride;
}

static int case_fill_bound(bool plain)
{
	/* One pass over the ring per packet (fewer than 4096 entries). */
	const uint32_t ring = 64, npkts = 3, max_invalid = ring;
	const uint16_t port = 4791;
	struct xsk_raw x;
	struct udmabuf u;
	struct xring *r;
	uint64_t bad, empty = 0, invalid = 0;
	double t0;

	if (udmabuf_create(&u, 1 << 20))
		return 1;
	sock_open(&x, ifname, 256, 4096, ring, plain ? NULL : &u, ring);
	prog_attach();
	set_slot(0, x.fd);
	set_action(port, PORT_ACTION_REDIRECT, 0, plain ? 0 : ETH_IP_UDP);

	/* Every slot invalid, the producer 2^31 entries ahead. */
	if (plain) {
		r = &x.fq;
		bad = x.umem_len;
	} else {
		for (uint32_t f = 0; f < 256; f++)
			xring_prod_push(&x.fq, (uint64_t)f * 4096);
		r = &x.dfq;
		bad = u.size;
	}
	for (uint32_t k = 0; k < ring; k++)
		((uint64_t *)r->desc)[k] = bad + (uint64_t)k * 4096;
	__atomic_store_n(r->producer, *r->producer + (1u << 31), __ATOMIC_RELEASE);

	t0 = mono_now();
	for (uint32_t k = 0; k < npkts; k++) {
		send_dgram(port, 1000);
		usleep(200000);
	}
	while (mono_now() - t0 < 30) {
		if (plain) {
			empty = xsk_stats(&x).rx_fill_ring_empty_descs;
		} else {
			struct xdp_dmabuf_statistics st = dmabuf_stats(&x);

			empty = st.fill_empty_descs;
			invalid = st.fill_invalid_descs;
		}
		if (empty >= npkts)
			break;
		usleep(10000);
	}
	printf("%s fill ring: %llu of %u packets dropped as fill ring misses after %.1f s%s",
	       plain ? "plain" : "dmabuf", (unsigned long long)empty, npkts, mono_now() - t0,
	       plain ? "\n" : "");
	if (!plain)
		printf(", %llu entries rejected\n", (unsigned long long)invalid);
	CHECK(empty == npkts, "%llu of %u packets came back from the fill ring in 30 s",
	      (unsigned long long)empty, npkts);
	CHECK(plain || invalid == (uint64_t)npkts * max_invalid,
	      "%llu entries rejected for %u packets, want %u each",
	      (unsigned long long)invalid, npkts, max_invalid);
	if (empty < npkts)
		unstick(r, plain ? 4096 : CHUNK);
	CHECK(xsk_stats(&x).rx_dropped >= npkts, "rx_dropped %llu",
	      (unsigned long long)xsk_stats(&x).rx_dropped);
	return check_report(plain ? "fill-bound-plain" : "fill-bound");
}

/* --- poll-err ------------------------------------------------------------------- */

struct poller {
	int fd, ret;
	short revents;
	double took;
};

static void *poll_thread(void *arg)
{
	struct poller *pl = arg;
	struct pollfd pfd = { .fd = pl->fd, .events = POLLIN };
	double t0 = mono_now();

	pl->ret = poll(&pfd, 1, 20000);
	pl->revents = pfd.revents;
	pl->took = mono_now() - t0;
	return NULL;
}

/* "ip link del", or $DMABUF_EDGE_DELETE (a shell command) for a device
 * that rtnetlink cannot delete (netdevsim's del_device).
 */
static void delete_device(const char *dev)
{
	const char *del = getenv("DMABUF_EDGE_DELETE");
	char cmd[256];

	if (del && *del)
		snprintf(cmd, sizeof(cmd), "%s", del);
	else
		snprintf(cmd, sizeof(cmd), "ip link del %s", dev);
	if (system(cmd))
		die("%s failed", cmd);
}

static int case_poll_err(bool plain)
{
	struct poller pl = { 0 };
	struct pollfd pfd;
	struct xsk_raw x;
	struct udmabuf u;
	pthread_t t;

	if (udmabuf_create(&u, 1 << 20))
		return 1;
	sock_open(&x, ifname, 64, 4096, 64, plain ? NULL : &u, 64);
	if (!plain)
		lend_chunks(&x, 0, 32);
	pl.fd = x.fd;
	if (pthread_create(&t, NULL, poll_thread, &pl))
		die("pthread_create");
	usleep(500000);		/* asleep in poll() by now */
	delete_device(ifname);
	pthread_join(t, NULL);
	printf("%s socket: poll() returned %d, revents 0x%x, after %.1f s\n",
	       plain ? "plain" : "dmabuf", pl.ret, pl.revents, pl.took);
	CHECK(pl.ret == 1 && (pl.revents & POLLERR),
	      "poll() slept through the device going away (ret %d, revents 0x%x)",
	      pl.ret, pl.revents);
	CHECK(xsk_raw_gone(&x), "SO_ERROR is not ENETDOWN");
	pfd = (struct pollfd){ .fd = x.fd, .events = POLLIN };
	CHECK(poll(&pfd, 1, 0) == 0, "POLLERR still reported after SO_ERROR (revents 0x%x)",
	      pfd.revents);
	if (!plain) {
		/* Nothing was received: the fill ring was read, if at all, into
		 * the pool's cache, which is on the completion ring now. */
		uint32_t read = *x.dfq.consumer, back = xring_cons_avail(&x.dcq);

		CHECK(back == read, "%u chunks read from the dmabuf fill ring, %u came back",
		      read, back);
	}
	return check_report(plain ? "poll-err-plain" : "poll-err");
}

/* --- shared-pool ------------------------------------------------------------------- */

struct sender {
	volatile bool stop;
	uint32_t sent;
};

static void *send_thread(void *arg)
{
	struct sender *s = arg;

	/* Until the device is gone, or told to stop: one or two chunks of
	 * payload, to one socket and the other. */
	while (!s->stop && !try_send(s->sent % 2 ? 4001 : 4000, s->sent % 3 ? 3000 : 8000)) {
		if (++s->sent % 8 == 0)
			usleep(1000);
	}
	return NULL;
}

static unsigned long area_kernel_chunks(void)
{
	FILE *f = fopen("/sys/kernel/debug/xsk_dmabuf/areas", "r");
	unsigned long total = 0, n;
	char word[32];

	if (!f)
		die("debugfs xsk_dmabuf/areas: %s", strerror(errno));
	while (fscanf(f, "%31s", word) == 1)
		if (!strcmp(word, "kernel") && fscanf(f, "%lu", &n) == 1)
			total += n;
	fclose(f);
	return total;
}

/* Payload descriptors on the RX ring of @x, left unread. */
static uint32_t payload_descs(struct xsk_raw *x)
{
	uint32_t n = 0, avail = xring_cons_avail(&x->rx);

	for (uint32_t k = 0; k < avail; k++)
		n += !!(xring_rx_desc(&x->rx, k)->options & XDP_DESC_DMABUF);
	return n;
}

static int case_shared_pool(void)
{
	uint32_t lent, read, back, delivered;
	struct sender s = { 0 };
	struct xsk_raw x, y;
	struct udmabuf u;
	pthread_t t;
	int err;

	if (udmabuf_create(&u, 4 << 20))
		return 1;
	/* 32 host frames, never given back: the first packets arrive, the
	 * rest leave the payload chunks they took in the pool's cache and
	 * are dropped. */
	sock_open(&x, ifname, 64, 4096, 64, &u, 1024);
	for (uint32_t f = 0; f < 32; f++)
		xring_prod_push(&x.fq, (uint64_t)f * 4096);
	err = xsk_raw_socket(&y) ?:
	      xsk_raw_rings(&y, 64, 0, false) ?:
	      xsk_raw_mmap(&y, false, false) ?:
	      xsk_raw_bind(&y, ifname, 0, 0, x.fd);
	if (err)
		die("second socket on the pool: %s", strerror(-err));
	lent = 1024;
	lend_chunks(&x, 0, lent);
	prog_attach();
	set_slot(0, x.fd);
	set_slot(1, y.fd);
	set_action(4000, PORT_ACTION_REDIRECT, 0, ETH_IP_UDP);
	set_action(4001, PORT_ACTION_REDIRECT, 1, ETH_IP_UDP);

	if (pthread_create(&t, NULL, send_thread, &s))
		die("pthread_create");
	usleep(1000000);
	delete_device(ifname);
	s.stop = true;
	pthread_join(t, NULL);

	CHECK(xsk_raw_gone(&x) && xsk_raw_gone(&y), "both sockets must see ENETDOWN");
	read = *x.dfq.consumer;
	back = xring_cons_avail(&x.dcq);
	delivered = payload_descs(&x) + payload_descs(&y);
	printf("shared pool: %u datagrams sent, %u chunks lent, %u read by the kernel, "
	       "%u delivered (%u packets on one socket, %u on the other), %u back on the "
	       "completion ring, %lu still with the kernel\n", s.sent, lent, read, delivered,
	       xring_cons_avail(&x.rx), xring_cons_avail(&y.rx), back, area_kernel_chunks());
	CHECK(back > 0, "no chunk was in the pool's cache");
	CHECK(xring_cons_avail(&x.rx) && xring_cons_avail(&y.rx), "a socket received nothing");
	CHECK(read == delivered + back, "%u chunks read, %u delivered + %u back", read,
	      delivered, back);
	CHECK(area_kernel_chunks() == 0, "chunks still owned by the kernel");
	return check_report("shared-pool");
}

int main(int argc, char **argv)
{
	const char *what;

	if (argc < 5) {
		fprintf(stderr, "usage: dmabuf_edge CASE IFACE TX_NETNS DST_ADDR [OTHER_IFACE]\n");
		return 2;
	}
	what = argv[1];
	ifname = argv[2];
	other_ifname = argc > 5 ? argv[5] : NULL;
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		die("no interface %s", ifname);
	dst.sin_family = AF_INET;
	if (inet_pton(AF_INET, argv[4], &dst.sin_addr) != 1)
		die("bad address %s", argv[4]);
	tx_fd = netns_udp_socket(argv[3]);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(what, "host-dup"))
		return case_host_dup();
	if (!strcmp(what, "split-leak"))
		return case_split_leak();
	if (!strcmp(what, "dup-chunk"))
		return case_dup_chunk();
	if (!strcmp(what, "fill-bound"))
		return case_fill_bound(false);
	if (!strcmp(what, "fill-bound-plain"))
		return case_fill_bound(true);
	if (!strcmp(what, "poll-err"))
		return case_poll_err(false);
	if (!strcmp(what, "poll-err-plain"))
		return case_poll_err(true);
	if (!strcmp(what, "shared-pool"))
		return case_shared_pool();
	die("unknown case %s", what);
}
