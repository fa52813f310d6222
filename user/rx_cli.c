// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rx_cli.c - `xsk-devmem rx`: receive on one interface queue into a dmabuf
 * UMEM (a udmabuf by default), print live statistics every interval and a
 * summary at the end, optionally verify every UDP payload against the
 * payload pattern (pattern.h) through the dmabuf's CPU mapping.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "pattern.h"
#include "xsk_devmem.h"

#define BATCH	64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xsk-devmem rx IFACE [OPTIONS]\n"
		"  -q, --queue N          RX queue (0)\n"
		"      --mode M           auto | copy | zc (auto: zero-copy if the driver can)\n"
		"  -m, --xdp-mode M       native | skb: how steer.bpf.o is attached if loaded\n"
		"      --inhibit          load no program; steer is managed by xdp-loader\n"
		"  -p, --pin-path DIR     steer's pin directory (/sys/fs/bpf/xsk-devmem)\n"
		"  -o, --object FILE      steer.bpf.o to load\n"
		"  -s, --size BYTES       udmabuf size (16M; suffix K, M, G)\n"
		"      --dmabuf-fd N      use this inherited dmabuf fd instead of a udmabuf\n"
		"      --chunk BYTES      dmabuf chunk size (page size)\n"
		"  -r, --ring-size N      RX, fill and dmabuf fill ring entries, a power of\n"
		"                         two (2048); the header area gets 2N frames\n"
		"  -c, --count N          stop after N packets\n"
		"  -d, --duration S       stop after S seconds\n"
		"  -i, --interval S       statistics interval (1)\n"
		"      --verify           check each UDP payload against the payload pattern\n"
		"      --port N           count only UDP datagrams to port N when verifying\n"
		"      --busy-poll USECS  SO_BUSY_POLL (with SO_PREFER_BUSY_POLL)\n"
		"      --no-wakeup        bind without need_wakeup\n"
		"      --in-order         take packets with peek and give them back with\n"
		"                         release_peeked (the in-order calls) instead of\n"
		"                         recv and release\n"
		"  -j, --json             one JSON object per line\n"
		"      --quiet            summary only\n");
}

static int parse_size(const char *s, __u64 *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end || !*s)
		return -EINVAL;
	*out = v;
	return 0;
}

/* --- verification ---------------------------------------------------------- */

struct verify {
	bool on;
	__u16 port;
	__u64 good, bad, other, dup;
	__u8 *seen;
	__u64 count;
	char first_error[160];
};

static void vfail(struct verify *v, const char *fmt, ...)
{
	va_list ap;

	v->bad++;
	if (v->first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(v->first_error, sizeof(v->first_error), fmt, ap);
	va_end(ap);
}

/* Copy len bytes at frame offset off out of the segments; false if short. */
static bool gather(const struct iovec *seg, int nseg, size_t off, void *dst, size_t len)
{
	__u8 *d = dst;

	for (int i = 0; i < nseg && len; i++) {
		if (off >= seg[i].iov_len) {
			off -= seg[i].iov_len;
			continue;
		}
		size_t n = seg[i].iov_len - off < len ? seg[i].iov_len - off : len;

		memcpy(d, (__u8 *)seg[i].iov_base + off, n);
		d += n;
		len -= n;
		off = 0;
	}
	return !len;
}

static void verify_frame(struct verify *v, const struct iovec *seg, int nseg, size_t flen)
{
	__u8 hdr[128], ph[PATTERN_HDR_LEN];
	size_t hl = flen < sizeof(hdr) ? flen : sizeof(hdr), l3 = ETH_HLEN, l4, pl, done = 0;
	const struct ethhdr *eth = (const void *)hdr;
	const struct udphdr *udp;
	__u32 seq, plen;

	gather(seg, nseg, 0, hdr, hl);
	if (hl < l3) {
		v->other++;
		return;
	}
	if (eth->h_proto == htons(ETH_P_IP) && hl >= l3 + sizeof(struct iphdr) &&
	    ((struct iphdr *)(hdr + l3))->protocol == IPPROTO_UDP) {
		l4 = l3 + ((struct iphdr *)(hdr + l3))->ihl * 4u;
	} else if (eth->h_proto == htons(ETH_P_IPV6) && hl >= l3 + sizeof(struct ipv6hdr) &&
		   ((struct ipv6hdr *)(hdr + l3))->nexthdr == IPPROTO_UDP) {
		l4 = l3 + sizeof(struct ipv6hdr);
	} else {
		v->other++;
		return;
	}
	if (hl < l4 + sizeof(*udp)) {
		v->other++;
		return;
	}
	udp = (const void *)(hdr + l4);
	if (v->port && ntohs(udp->dest) != v->port) {
		v->other++;
		return;
	}
	pl = l4 + sizeof(*udp);
	if (ntohs(udp->len) < sizeof(*udp) || l4 + ntohs(udp->len) > flen)
		return vfail(v, "UDP length %u does not fit the frame of %zu", ntohs(udp->len),
			     flen);
	if (!gather(seg, nseg, pl, ph, sizeof(ph)) || pattern_parse(ph, sizeof(ph), &seq, &plen))
		return vfail(v, "payload without pattern header");
	if (plen != ntohs(udp->len) - sizeof(*udp))
		return vfail(v, "seq %u: payload %zu bytes, sender wrote %u", seq,
			     ntohs(udp->len) - sizeof(*udp), plen);
	for (int i = 0; i < nseg && done < pl + plen; i++) {
		size_t start = done, end = done + seg[i].iov_len;

		done = end;
		if (end <= pl)
			continue;
		size_t from = start > pl ? start : pl, to = end < pl + plen ? end : pl + plen;
		long bad = pattern_check((__u8 *)seg[i].iov_base + (from - start), to - from,
					 from - pl, seq, plen);

		if (bad >= 0)
			return vfail(v, "seq %u: payload byte %ld wrong (segment %d)", seq, bad, i);
	}
	if (v->seen && seq < v->count) {
		if (v->seen[seq / 8] & (1u << (seq % 8))) {
			v->dup++;
			return;
		}
		v->seen[seq / 8] |= 1u << (seq % 8);
	}
	v->good++;
}

/* --- statistics ------------------------------------------------------------- */

static void print_stats(const struct xsk_devmem_stats *s, const struct xsk_devmem_stats *p,
			double dt, double t, const struct verify *v, bool json, const char *what)
{
	double pps = (s->packets - p->packets) / dt;
	double gbps = (s->bytes - p->bytes) * 8 / dt / 1e9;
	__u64 empty = s->rx_fill_ring_empty_descs + s->dmabuf_fill_empty_descs;
	__u64 invalid = s->dmabuf_fill_invalid_descs + s->rx_invalid_descs;
	bool summary = !strcmp(what, "summary");

	if (json) {
		printf("{\"%s\":{\"t\":%.3f,\"packets\":%llu,\"bytes\":%llu,\"payload_bytes\":%llu,"
		       "\"pps\":%.0f,\"gbps\":%.4f,\"split\":%llu,\"whole\":%llu,"
		       "\"fill_empty\":%llu,\"dmabuf_fill_empty\":%llu,\"invalid\":%llu,"
		       "\"rx_dropped\":%llu,\"rx_ring_full\":%llu,\"cpu_copied_bytes\":%llu",
		       what, t, (unsigned long long)s->packets, (unsigned long long)s->bytes,
		       (unsigned long long)s->payload_bytes, pps, gbps,
		       (unsigned long long)s->split_packets, (unsigned long long)s->whole_packets,
		       (unsigned long long)s->rx_fill_ring_empty_descs,
		       (unsigned long long)s->dmabuf_fill_empty_descs,
		       (unsigned long long)invalid, (unsigned long long)s->rx_dropped,
		       (unsigned long long)s->rx_ring_full,
		       (unsigned long long)s->cpu_copied_bytes);
		printf(",\"zc_packets\":%llu,\"zc_frags\":%llu,\"split_mismatch\":%llu",
		       (unsigned long long)s->zc_packets, (unsigned long long)s->zc_frags,
		       (unsigned long long)s->split_mismatch);
		if (v->on)
			printf(",\"good\":%llu,\"bad\":%llu,\"dup\":%llu,\"other\":%llu",
			       (unsigned long long)v->good, (unsigned long long)v->bad,
			       (unsigned long long)v->dup, (unsigned long long)v->other);
		printf("}}\n");
	} else {
		printf("%s%7.1fs %10llu pkts %12llu bytes %10.0f pps %7.3f Gbit/s  split %llu "
		       "whole %llu  fill-empty %llu  invalid %llu", summary ? "total " : "",
		       t, (unsigned long long)s->packets, (unsigned long long)s->bytes, pps, gbps,
		       (unsigned long long)s->split_packets, (unsigned long long)s->whole_packets,
		       (unsigned long long)empty, (unsigned long long)invalid);
		if (summary)
			printf("  dmabuf-payload %llu bytes  cpu-copied %llu bytes",
			       (unsigned long long)s->payload_bytes,
			       (unsigned long long)s->cpu_copied_bytes);
		if (s->zc_packets)
			printf("  zero-copy %llu pkts %llu frags  split-mismatch %llu",
			       (unsigned long long)s->zc_packets, (unsigned long long)s->zc_frags,
			       (unsigned long long)s->split_mismatch);
		if (v->on)
			printf("  verify: %llu good %llu bad %llu dup %llu other",
			       (unsigned long long)v->good, (unsigned long long)v->bad,
			       (unsigned long long)v->dup, (unsigned long long)v->other);
		printf("\n");
	}
	fflush(stdout);
}

/* --- the command ------------------------------------------------------------ */

struct rx_opts {
	const char *ifname;
	__u32 queue;
	struct xsk_devmem_socket_config scfg;
	struct xsk_devmem_umem_config ucfg;
	__u64 size;
	int dmabuf_fd;
	__u64 count;
	double duration, interval;
	bool json, quiet, in_order;
	struct verify v;
};

static int parse(int argc, char **argv, struct rx_opts *o)
{
	static const struct option opts[] = {
		{ "queue", required_argument, NULL, 'q' },
		{ "mode", required_argument, NULL, 'M' },
		{ "xdp-mode", required_argument, NULL, 'm' },
		{ "inhibit", no_argument, NULL, 'I' },
		{ "pin-path", required_argument, NULL, 'p' },
		{ "object", required_argument, NULL, 'o' },
		{ "size", required_argument, NULL, 's' },
		{ "dmabuf-fd", required_argument, NULL, 'F' },
		{ "chunk", required_argument, NULL, 'C' },
		{ "ring-size", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "verify", no_argument, NULL, 'V' },
		{ "port", required_argument, NULL, 'P' },
		{ "busy-poll", required_argument, NULL, 'B' },
		{ "no-wakeup", no_argument, NULL, 'W' },
		{ "in-order", no_argument, NULL, 'O' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	__u64 v;
	int c;

	while ((c = getopt_long(argc, argv, "q:m:p:o:s:r:c:d:i:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'q': o->queue = strtoul(optarg, NULL, 0); break;
		case 'M':
			if (!strcmp(optarg, "auto"))
				o->scfg.mode = XSK_DEVMEM_MODE_AUTO;
			else if (!strcmp(optarg, "copy"))
				o->scfg.mode = XSK_DEVMEM_MODE_COPY;
			else if (!strcmp(optarg, "zc") || !strcmp(optarg, "zero-copy"))
				o->scfg.mode = XSK_DEVMEM_MODE_ZEROCOPY;
			else
				goto bad;
			break;
		case 'm':
			if (!strcmp(optarg, "native"))
				o->scfg.xdp_flags = XDP_FLAGS_DRV_MODE;
			else if (!strcmp(optarg, "skb"))
				o->scfg.xdp_flags = XDP_FLAGS_SKB_MODE;
			else
				goto bad;
			break;
		case 'I': o->scfg.flags |= XSK_DEVMEM_SOCKET_F_INHIBIT_PROG_LOAD; break;
		case 'p': o->scfg.pin_dir = optarg; break;
		case 'o': o->scfg.prog_path = optarg; break;
		case 's': if (parse_size(optarg, &o->size)) goto bad; break;
		case 'F': o->dmabuf_fd = atoi(optarg); break;
		case 'C': if (parse_size(optarg, &v)) goto bad; o->ucfg.chunk_size = v; break;
		case 'r':
			v = strtoul(optarg, NULL, 0);
			if (!v || v > 1u << 20)
				goto bad;
			o->scfg.rx_size = o->ucfg.fill_size = o->ucfg.dmabuf_fill_size = v;
			break;
		case 'c': o->count = strtoull(optarg, NULL, 0); break;
		case 'd': o->duration = atof(optarg); break;
		case 'i': o->interval = atof(optarg); break;
		case 'V': o->v.on = true; break;
		case 'P': o->v.port = atoi(optarg); break;
		case 'B':
			o->scfg.busy_poll_usecs = strtoul(optarg, NULL, 0);
			o->scfg.flags |= XSK_DEVMEM_SOCKET_F_PREFER_BUSY_POLL;
			break;
		case 'W': o->scfg.flags |= XSK_DEVMEM_SOCKET_F_NO_NEED_WAKEUP; break;
		case 'O': o->in_order = true; break;
		case 'j': o->json = true; break;
		case 'Q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "xsk-devmem rx: which interface?\n");
		usage(stderr);
		return -1;
	}
	o->ifname = argv[optind];
	if (o->interval <= 0)
		o->interval = 1;
	return 0;
bad:
	fprintf(stderr, "xsk-devmem rx: invalid value '%s'\n", optarg);
	return -1;
}

/* The default program: next to the tool in the build tree, or installed. */
static void default_object(struct rx_opts *o, char *buf, size_t len)
{
	char exe[512];
	ssize_t n;

	if (o->scfg.prog_path || getenv("XSK_STEER_OBJ"))
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = 0;
	if (strrchr(exe, '/'))
		*strrchr(exe, '/') = 0;
	snprintf(buf, len, "%s/../bpf/steer.bpf.o", exe);
	if (!access(buf, R_OK))
		o->scfg.prog_path = buf;
}

static int fail(void)
{
	fprintf(stderr, "xsk-devmem rx: %s\n", xsk_devmem_errmsg());
	return 1;
}

static int receive(struct rx_opts *o, struct xsk_devmem_socket *xsk, struct xsk_devmem_umem *umem)
{
	struct xsk_devmem_dmabuf *dmabuf = xsk_devmem_umem__dmabuf(umem);
	struct xsk_devmem_seg segs[BATCH * 4];
	struct xsk_devmem_pkt pkts[BATCH];
	struct xsk_devmem_stats st = {}, prev = {};
	struct iovec iov[XSK_DEVMEM_MAX_SEGS + 1];
	double t0 = now(), last = t0;
	int n;

	while (!stop) {
		double t = now();

		if (o->duration && t - t0 >= o->duration)
			break;
		if (o->count && st.packets >= o->count)
			break;
		if (t - last >= o->interval) {
			xsk_devmem_socket__stats(xsk, &st, sizeof(st));
			if (!o->quiet)
				print_stats(&st, &prev, t - last, t - t0, &o->v, o->json, "stats");
			prev = st;
			last = t;
		}
		n = o->in_order ? xsk_devmem_socket__peek(xsk, pkts, BATCH, segs, BATCH * 4) :
		    xsk_devmem_socket__recv(xsk, pkts, BATCH, segs, BATCH * 4);
		if (n < 0)
			return fail();
		if (!n) {
			if (xsk_devmem_socket__wait(xsk, 10) < 0)
				return fail();
			continue;
		}
		if (o->v.on) {
			xsk_devmem_dmabuf__cpu_begin(dmabuf, XSK_DEVMEM_SYNC_READ);
			for (int i = 0; i < n; i++) {
				int k = xsk_devmem_umem__pkt_iov(umem, &pkts[i], iov,
								 XSK_DEVMEM_MAX_SEGS + 1);

				if (k < 0)
					return fail();
				verify_frame(&o->v, iov, k, pkts[i].len);
			}
			xsk_devmem_dmabuf__cpu_end(dmabuf, XSK_DEVMEM_SYNC_READ);
		}
		if (o->in_order ? xsk_devmem_socket__release_peeked(xsk, n) :
		    xsk_devmem_socket__release(xsk, pkts, n))
			return fail();
		xsk_devmem_socket__recycle(xsk);
		st.packets += n;	/* for the count check; stats() refreshes */
	}
	xsk_devmem_socket__stats(xsk, &st, sizeof(st));
	memset(&prev, 0, sizeof(prev));
	print_stats(&st, &prev, now() - t0, now() - t0, &o->v, o->json, "summary");
	if (o->v.on && !o->json && o->v.first_error[0])
		printf("first error: %s\n", o->v.first_error);
	/* With --port, datagrams to other ports are counted, not checked. */
	if (o->v.on && (o->v.bad || o->v.dup || (o->count && o->v.good + o->v.other < o->count)))
		return 1;
	return 0;
}

int cmd_rx(int argc, char **argv)
{
	struct rx_opts o = { .size = 16 << 20, .dmabuf_fd = -1 };
	struct xsk_devmem_dmabuf *dmabuf = NULL;
	struct xsk_devmem_umem *umem = NULL;
	struct xsk_devmem_socket *xsk = NULL;
	char obj[600];
	int ret = 1;

	if (parse(argc, argv, &o))
		return 2;
	default_object(&o, obj, sizeof(obj));
	xsk_devmem_set_print(NULL);	/* we print xsk_devmem_errmsg() ourselves */
	if (o.v.on && o.count) {
		o.v.count = o.count;
		o.v.seen = calloc(o.count / 8 + 1, 1);
	}
	if (o.dmabuf_fd >= 0) {
		if (xsk_devmem_dmabuf__from_fd(&dmabuf, o.dmabuf_fd,
					       o.v.on ? XSK_DEVMEM_DMABUF_F_MMAP : 0))
			return fail();
	} else if (xsk_devmem_dmabuf__create_udmabuf(&dmabuf, o.size)) {
		return fail();
	}
	/* Twice as many header frames as the fill ring holds, as by default. */
	if (xsk_devmem_umem__create(&umem, NULL,
				    o.ucfg.fill_size ? 2ull * o.ucfg.fill_size *
						       XSK_DEVMEM_DEFAULT_FRAME_SIZE : 0,
				    dmabuf, &o.ucfg)) {
		fail();
		goto out;
	}
	if (xsk_devmem_socket__create(&xsk, o.ifname, o.queue, umem, &o.scfg)) {
		fail();
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (o.json)
		printf("{\"ready\":{\"ifname\":\"%s\",\"queue\":%u,\"mode\":\"%s\","
		       "\"dmabuf_size\":%llu,\"chunk_size\":%u}}\n", o.ifname, o.queue,
		       xsk_devmem_mode_str(xsk_devmem_socket__mode(xsk)),
		       (unsigned long long)xsk_devmem_dmabuf__size(dmabuf),
		       xsk_devmem_umem__chunk_size(umem));
	else
		printf("xsk-devmem rx: ready on %s queue %u, %s mode, dmabuf %llu MiB in chunks "
		       "of %u\n", o.ifname, o.queue,
		       xsk_devmem_mode_str(xsk_devmem_socket__mode(xsk)),
		       (unsigned long long)(xsk_devmem_dmabuf__size(dmabuf) >> 20),
		       xsk_devmem_umem__chunk_size(umem));
	fflush(stdout);
	ret = receive(&o, xsk, umem);
out:
	xsk_devmem_socket__delete(xsk);
	xsk_devmem_umem__delete(umem);
	xsk_devmem_dmabuf__delete(dmabuf);
	free(o.v.seen);
	return ret;
}
