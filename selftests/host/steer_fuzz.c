// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_fuzz.c - differential fuzz: the BPF parser of steer_meta.bpf.o (the
 * same parser as steer.bpf.o, plus the split point in metadata) against
 * the reference parser in C, on random, structured-random and mutated
 * frames. They must agree on the flow key, offsets, flags, verdict and
 * reason, and the program's split point must be the reference split
 * (selftests/steer/diff.c compares).
 *
 *   steer_fuzz [-n COUNT] [-s SEED] [-i ITER]
 *
 * Iteration i draws from its own generator seeded with (SEED, i), so
 * `-s SEED -i ITER` replays exactly the frame that failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "diff.h"
#include "pkt.h"

static __u64 rng_state;

/* splitmix64 */
static __u64 rnd(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int below(unsigned int n)
{
	return rnd() % n;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

static const __u8 protos[] = { 6, 17, 6, 17, 1, 58, 59, 47, 132, 0, 43, 44, 60 };
static const __u8 ext_types[] = { 0, 43, 60, 44, 60, 43, 6, 17 };

static void random_spec(struct pkt_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->vlans = chance(70) ? 0 : below(4);
	s->l3 = chance(45) ? 4 : chance(85) ? 6 : 0;
	s->ethertype = chance(50) ? 0x0806 : rnd();
	s->proto = chance(90) ? protos[below(sizeof(protos))] : rnd();
	s->sport = rnd();
	s->dport = rnd();
	s->saddr_lo = rnd();
	s->daddr_lo = rnd();
	s->payload = chance(30) ? 0 : below(300);
	if (s->l3 == 4) {
		s->ip4_opts = chance(70) ? 0 : 4 * below(11);
		if (chance(10))
			s->ihl = below(16) | 16;	/* any value, 0 included */
		if (chance(25))
			s->frag_off = rnd() & 0x3fff;
	}
	if (s->l3 == 6) {
		s->n_ext = chance(50) ? 0 : below(PKT_MAX_EXT);
		for (int i = 0; i < s->n_ext; i++) {
			s->ext[i].type = ext_types[below(sizeof(ext_types)) % 4];
			s->ext[i].hdrlen = chance(80) ? below(3) : below(16);
			s->ext[i].frag_off = chance(60) ? 0 : rnd();
		}
	}
	if (chance(8))
		s->version = below(16) ? below(16) : 4;
	if (chance(15))
		s->ip_len_delta = (int)below(80) - 60;
	if (s->proto == IPPROTO_TCP) {
		s->tcp_opts = chance(60) ? 0 : 4 * below(11);
		if (chance(10))
			s->doff = below(16) | 16;
	}
	if (s->proto == IPPROTO_UDP && chance(10))
		s->udp_len = below(16) | 0x10000;	/* low 16 bits: 0..15 */
	s->l4_bytes = below(40);
	if (chance(25))
		s->cut = 14 + below(200);
}

/* One frame: structured, structured then mutated, or raw bytes. */
static size_t gen(__u8 *buf)
{
	struct pkt_spec s;
	size_t len;
	int mode = below(10);

	if (mode < 8) {
		random_spec(&s);
		len = pkt_build(&s, buf);
		if (mode >= 5) {	/* mutate a few bytes */
			int flips = 1 + below(4);

			for (int i = 0; i < flips; i++)
				buf[below(len)] = rnd();
		}
	} else {
		len = 14 + below(400);
		for (size_t i = 0; i < len; i++)
			buf[i] = rnd();
		if (chance(70)) {
			buf[12] = chance(50) ? 0x08 : 0x86;
			buf[13] = buf[12] == 0x08 ? 0x00 : 0xdd;
			buf[14] = (buf[12] == 0x08 ? 0x45 : 0x60) | (chance(80) ? 0 : below(16));
		}
	}
	return len < 14 ? 14 : len;
}

static void usage(void)
{
	fprintf(stderr, "usage: steer_fuzz [-n COUNT] [-s SEED] [-i ITER]\n");
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	unsigned long long seed = time(NULL) ^ getpid(), n = 100000, only = ~0ULL;
	struct steer_diff d;
	struct steer_h h;
	__u8 buf[PKT_MAX];
	unsigned long long i, ok = 0, verdicts[3] = {};
	int opt;

	while ((opt = getopt(argc, argv, "n:s:i:")) != -1) {
		switch (opt) {
		case 'n': n = strtoull(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'i': only = strtoull(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (steer_diff_open(&h))
		return KSFT_FAIL;
	printf("# seed %llu, %llu frames\n", seed, n);

	for (i = 0; i < n; i++) {
		size_t len;

		if (only != ~0ULL && i != only)
			continue;
		rng_state = seed * 0x100000001b3ULL ^ i;
		len = gen(buf);
		if (steer_diff_frame(&h, buf, len, &d)) {
			printf("FAIL seed %llu iteration %llu (replay: steer_fuzz -s %llu -i %llu): %s\n",
			       seed, i, seed, i, d.why);
			steer_diff_print(&d, buf, len);
			steer_h_close(&h);
			return KSFT_FAIL;
		}
		verdicts[d.ref.verdict]++;
		ok++;
	}
	steer_h_close(&h);
	printf("# %llu frames agree (ok %llu, other %llu, malformed %llu), seed %llu\n",
	       ok, verdicts[0], verdicts[1], verdicts[2], seed);
	return ok ? KSFT_PASS : KSFT_FAIL;
}
