// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_bench.c - per-packet cost of steer.bpf.o under BPF_PROG_TEST_RUN
 * (JIT on), with 1,000,000 exact flows and 10,000 prefix rules loaded,
 * against `return XDP_PASS` and xdp-filter (all features) on the same
 * frames, measured interleaved in one run. Not a test.
 *
 *   steer_bench [-r REPEAT] [-R ROUNDS] [-x XDP_FILTER_OBJ]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pkt.h"
#include "steer_maps.h"

#define NR_FLOWS	1000000
#define NR_PREFIXES	10000

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, f, ap) : 0;
}

static struct bpf_object *load(const char *path, const char *prog, int *fd)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *p;
	struct bpf_map *m;

	if (!obj) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	bpf_object__for_each_map(m, obj)
		bpf_map__set_pin_path(m, NULL);
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load %s failed\n", path);
		exit(1);
	}
	p = prog ? bpf_object__find_program_by_name(obj, prog) :
		   bpf_object__next_program(obj, NULL);
	*fd = bpf_program__fd(p);
	return obj;
}

static __u64 rng = 88172645463325252ULL;

static __u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* 500k IPv4 + 500k IPv6 random flows, 5k + 5k random prefixes. */
static void fill(const struct steer_maps *m)
{
	struct xsk_steer_action a = { .type = XSK_STEER_ACT_REDIRECT_IDX, .arg = 1 };
	struct steer_flow f;
	int n4 = 0, n6 = 0, r = 0;

	for (int i = 0; i < NR_FLOWS; i++) {
		memset(&f, 0, sizeof(f));
		f.family = i & 1 ? 6 : 4;
		f.proto = i & 2 ? IPPROTO_TCP : IPPROTO_UDP;
		for (int b = 0; b < 16; b++)
			f.saddr[b] = rnd(), f.daddr[b] = rnd();
		f.sport = rnd();
		f.dport = rnd();
		a.counter = 1 + i % 1000;
		if (!steer_flow_add(m, &f, &a))
			f.family == 4 ? n4++ : n6++;
	}
	for (int i = 0; i < NR_PREFIXES; i++) {
		struct steer_prefix pf = { .family = i & 1 ? 6 : 4,
					   .dir = i & 2 ? XSK_STEER_DIR_SRC : XSK_STEER_DIR_DST };
		struct xsk_steer_rule rule = { .proto = IPPROTO_UDP, .dport_lo = rnd(),
					       .act = a };

		rule.dport_hi = rule.dport_lo + 100 < 65535 ? rule.dport_lo + 100 : 65535;
		pf.plen = 8 + rnd() % (pf.family == 4 ? 25 : 121);
		for (int b = 0; b < 16; b++)
			pf.addr[b] = rnd();
		if (!steer_rule_add(m, &pf, &rule))
			r++;
	}
	printf("# loaded %d IPv4 + %d IPv6 flows, %d prefix rules\n", n4, n6, r);
}

static double run(int fd, const void *pkt, size_t len, int repeat)
{
	__u8 out[512];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &o)) {
		perror("test run");
		exit(1);
	}
	return o.duration;	/* ns per run, averaged by the kernel */
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *filt = "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o";
	const char *build = getenv("XSK_BUILD") ? getenv("XSK_BUILD") : "build";
	int repeat = 1000000, rounds = 5, opt, pass_fd, filt_fd, steer_fd;
	struct pkt_spec udp4 = { .l3 = 4, .proto = IPPROTO_UDP, .sport = 1000,
				 .dport = 2000, .payload = 64 - 42 };
	struct pkt_spec tcp6 = { .l3 = 6, .proto = IPPROTO_TCP, .sport = 1000, .dport = 80,
				 .n_ext = 2, .ext = { { .type = 0 }, { .type = 60, .hdrlen = 1 } } };
	struct xsk_steer_action a = { .type = XSK_STEER_ACT_REDIRECT_IDX, .arg = 1 };
	struct { const char *name; struct pkt_spec *s; } pkts[] = {
		{ "64 B UDP/IPv4, exact flow", &udp4 },
		{ "200 B TCP/IPv6 + ext hdrs, exact flow", &tcp6 },
	};
	struct bpf_object *o1, *o2, *o3;
	struct steer_maps m;
	char path[512];

	while ((opt = getopt(argc, argv, "r:R:x:")) != -1) {
		switch (opt) {
		case 'r': repeat = atoi(optarg); break;
		case 'R': rounds = atoi(optarg); break;
		case 'x': filt = optarg; break;
		default: return 2;
		}
	}
	libbpf_set_print(quiet);
	snprintf(path, sizeof(path), "%s/selftests/bpf/xdp_pass.bpf.o", build);
	o1 = load(path, NULL, &pass_fd);
	o2 = load(filt, NULL, &filt_fd);
	snprintf(path, sizeof(path), "%s/bpf/steer.bpf.o", build);
	o3 = load(path, "xsk_steer", &steer_fd);
	if (steer_maps_from_object(&m, o3))
		return 1;
	fill(&m);

	tcp6.payload = 200 - (14 + 40 + 8 + 16 + 20);
	for (size_t i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++) {
		struct steer_flow f = { .family = pkts[i].s->l3, .proto = pkts[i].s->proto,
					.sport = pkts[i].s->sport, .dport = pkts[i].s->dport };
		double t[3][32];
		__u8 buf[PKT_MAX];
		size_t len = pkt_build(pkts[i].s, buf);

		pkt_addr(f.family, 1, f.saddr);
		pkt_addr(f.family, 2, f.daddr);
		if (steer_flow_add(&m, &f, &a))
			return 1;
		for (int r = 0; r < rounds && r < 32; r++) {	/* interleaved */
			t[0][r] = run(pass_fd, buf, len, repeat);
			t[1][r] = run(filt_fd, buf, len, repeat);
			t[2][r] = run(steer_fd, buf, len, repeat);
		}
		for (int k = 0; k < 3; k++)
			qsort(t[k], rounds, sizeof(double), cmp_double);
		printf("%-40s %4zu B  pass %5.1f ns  xdp-filter %5.1f ns  steer %5.1f ns"
		       "  steer/pass %.2f  steer/xdp-filter %.2f\n", pkts[i].name, len,
		       t[0][rounds / 2], t[1][rounds / 2], t[2][rounds / 2],
		       t[2][rounds / 2] / t[0][rounds / 2], t[2][rounds / 2] / t[1][rounds / 2]);
	}
	printf("# median of %d interleaved rounds of %d runs each\n", rounds, repeat);
	bpf_object__close(o3);
	bpf_object__close(o2);
	bpf_object__close(o1);
	return 0;
}
