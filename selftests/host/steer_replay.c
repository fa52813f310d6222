// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_replay.c - frames from files through the BPF parser of
 * steer_meta.bpf.o (BPF_PROG_TEST_RUN) and the reference parser: the
 * corpus of the libFuzzer target selftests/steer/fuzz_ref_parser.c, its
 * crash artifacts, or any frame saved as raw bytes. Each must agree as in
 * steer_fuzz (selftests/steer/diff.c compares). Also writes the seed
 * frames the fuzzer starts from.
 *
 *   steer_replay -w DIR         write the seeds into DIR (created if needed)
 *   steer_replay [-q] PATH...   replay every file (of a directory: every
 *                               regular file in it, in name order)
 *
 * Prints the disagreements (the first few in full, -q: none in full) and
 * "# replay: N frames, D disagreements"; exits 1 on any disagreement or
 * error. Frames under 14 bytes cannot be test-run (the kernel refuses
 * them with EINVAL): for those, the refusal and the reference's ETH_TRUNC
 * are what must hold. Frames past the kernel's first buffer are
 * multi-buffer: the rest goes into page-sized frags.
 *
 * Seeds: every frame of the case table (selftests/steer/cases.c), the
 * truncation shapes whole, jumbo frames (IPv4/IPv6, UDP/TCP, VLAN,
 * options, extension headers, fragments) up to 9018 bytes, short ones.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "cases.h"
#include "diff.h"
#include "ref_parser.h"

#define SHOWN_MAX	5	/* disagreements printed in full */
#define JUMBO		9000	/* IP MTU of the jumbo seeds */

static struct {
	unsigned long frames, multi, tiny, bad, verdicts[3];
} st;
static int quiet;

/* --- seeds ------------------------------------------------------------ */

static int write_file(const char *dir, const char *name, const __u8 *buf, size_t len)
{
	char path[4096];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	err = fwrite(buf, 1, len, f) != len;
	err |= fclose(f);
	if (err)
		fprintf(stderr, "%s: write failed\n", path);
	return err ? -1 : 0;
}

/*
 * The frame of s (no payload, no cut) followed by payload bytes up to an
 * IP packet of JUMBO bytes, with IP and UDP lengths to match (plus
 * s.ip_len_delta, as in struct pkt_spec).
 */
static size_t jumbo(struct pkt_spec s, __u8 *buf)
{
	size_t hl, l3 = 14 + 4 * s.vlans, len = l3 + JUMBO;
	int len_delta = s.ip_len_delta;

	s.payload = 0;
	s.cut = 0;
	hl = pkt_build(&s, buf);
	s.ip_len_delta = len_delta + len - hl;
	if (s.proto == IPPROTO_UDP && !s.udp_len)
		s.udp_len = 8 + len - hl;
	pkt_build(&s, buf);	/* again, with the lengths */
	for (size_t i = hl; i < len; i++)
		buf[i] = i;
	return len;
}

#define EXT(t, l)	{ .type = t, .hdrlen = l }
#define FRAG(off)	{ .type = IPPROTO_FRAGMENT, .frag_off = off }

static const struct {
	const char *name;
	struct pkt_spec spec;
} jumbos[] = {
	{ "udp4", { .l3 = 4, .proto = IPPROTO_UDP, .sport = 1000, .dport = 2000 } },
	{ "tcp4-options", { .l3 = 4, .ip4_opts = 12, .proto = IPPROTO_TCP, .tcp_opts = 20,
			    .sport = 1000, .dport = 80 } },
	{ "qinq-udp6", { .vlans = 2, .l3 = 6, .proto = IPPROTO_UDP, .sport = 7, .dport = 3500 } },
	{ "tcp6-exts", { .l3 = 6, .n_ext = 3, .ext = { EXT(0, 2), EXT(43, 0), EXT(60, 1) },
			 .proto = IPPROTO_TCP, .tcp_opts = 12, .sport = 7, .dport = 443 } },
	{ "udp4-first-fragment", { .l3 = 4, .frag_off = 0x2000, .proto = IPPROTO_UDP,
				   .sport = 1, .dport = 2 } },
	{ "udp6-later-fragment", { .l3 = 6, .n_ext = 1, .ext = { FRAG(1480) },
				   .proto = IPPROTO_UDP } },
	/* extension headers running from the first buffer into the frags */
	{ "udp6-2k-exts", { .l3 = 6, .n_ext = 2, .ext = { EXT(0, 255), EXT(60, 180) },
			    .proto = IPPROTO_UDP, .sport = 7, .dport = 3500 } },
	{ "vlan-tcp6-2k-exts", { .vlans = 1, .l3 = 6, .n_ext = 2,
				 .ext = { EXT(60, 255), EXT(43, 200) },
				 .proto = IPPROTO_TCP, .sport = 7, .dport = 80 } },
	{ "udp4-ethernet-padding", { .l3 = 4, .proto = IPPROTO_UDP, .sport = 1, .dport = 2,
				     .ip_len_delta = -100 } },
	{ "udp6-payload-len-past-frame", { .l3 = 6, .proto = IPPROTO_UDP, .ip_len_delta = 1 } },
};

static int write_seeds(const char *dir)
{
	static __u8 buf[PKT_MAX + JUMBO];
	const __u8 tiny[13] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8 };
	char name[64];
	int i, n = 0, err = 0;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < steer_nr_cases; i++, n++) {
		snprintf(name, sizeof(name), "seed-case-%02d", i);
		err |= write_file(dir, name, buf, pkt_build(&steer_cases[i].spec, buf));
	}
	for (i = 0; i < steer_nr_cut_shapes; i++, n++) {
		snprintf(name, sizeof(name), "seed-shape-%d", i);
		err |= write_file(dir, name, buf, pkt_build(&steer_cut_shapes[i].spec, buf));
	}
	for (i = 0; i < (int)(sizeof(jumbos) / sizeof(jumbos[0])); i++, n++) {
		snprintf(name, sizeof(name), "seed-jumbo-%s", jumbos[i].name);
		err |= write_file(dir, name, buf, jumbo(jumbos[i].spec, buf));
	}
	err |= write_file(dir, "seed-short", tiny, sizeof(tiny));
	n++;
	if (!err)
		printf("# %d seeds in %s\n", n, dir);
	return err ? -1 : 0;
}

/* --- replay ----------------------------------------------------------- */

static void disagree(const char *path, const struct steer_diff *d, const __u8 *buf,
		     size_t len)
{
	if (st.bad++ >= SHOWN_MAX || quiet) {
		printf("FAIL %s (%zu bytes): %s\n", path, len, d->why);
		return;
	}
	printf("FAIL %s (%zu bytes, %u in the first buffer): %s\n", path, len,
	       d->r.linear, d->why);
	steer_diff_print(d, buf, len);
}

static void replay_frame(struct steer_h *h, const char *path, const __u8 *buf, size_t len)
{
	struct steer_diff d;
	struct steer_result r;

	st.frames++;
	if (len < 14) {
		/* the kernel takes no frame shorter than an Ethernet header */
		int err = steer_h_run(h, buf, len, &r);

		ref_parse(buf, len, &d.ref);
		if (err != -EINVAL || d.ref.reason != XSK_STEER_R_ETH_TRUNC) {
			memset(&d.r, 0, sizeof(d.r));
			snprintf(d.why, sizeof(d.why), "short frame: test run %s, reference reason %u",
				 err ? strerror(-err) : "ran", d.ref.reason);
			disagree(path, &d, buf, len);
			return;
		}
		st.tiny++;
		st.verdicts[d.ref.verdict]++;
		return;
	}
	if (steer_diff_frame(h, buf, len, &d)) {
		disagree(path, &d, buf, len);
		return;
	}
	if (d.r.linear < len)
		st.multi++;
	st.verdicts[d.ref.verdict]++;
}

static int replay_file(struct steer_h *h, const char *path)
{
	static __u8 buf[STEER_H_FRAME_MAX + 1];
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	len = read(fd, buf, sizeof(buf));
	close(fd);
	if (len < 0 || len > STEER_H_FRAME_MAX) {
		fprintf(stderr, "%s: %s\n", path,
			len < 0 ? strerror(errno) : "longer than a frame can be");
		return -1;
	}
	replay_frame(h, path, buf, len);
	return 0;
}

static int regular(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int replay_path(struct steer_h *h, const char *path)
{
	struct dirent **names;
	char file[4096];
	struct stat sb;
	int n, err = 0;

	if (stat(path, &sb)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode))
		return replay_file(h, path);
	n = scandir(path, &names, regular, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		if (!stat(file, &sb) && S_ISREG(sb.st_mode))
			err |= replay_file(h, file);
		free(names[i]);
	}
	free(names);
	return err;
}

static void usage(void)
{
	fprintf(stderr, "usage: steer_replay -w DIR | steer_replay [-q] PATH...\n");
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	struct steer_h h;
	int opt, err = 0;

	while ((opt = getopt(argc, argv, "w:q")) != -1) {
		switch (opt) {
		case 'w': return write_seeds(optarg) ? KSFT_FAIL : KSFT_PASS;
		case 'q': quiet = 1; break;
		default: usage();
		}
	}
	if (optind == argc)
		usage();
	if (steer_diff_open(&h))
		return KSFT_FAIL;
	for (int i = optind; i < argc; i++)
		err |= replay_path(&h, argv[i]);
	steer_h_close(&h);
	printf("# replay: %lu frames, %lu disagreements (ok %lu, other %lu, malformed %lu; "
	       "%lu multi-buffer, %lu under 14 bytes)\n", st.frames, st.bad,
	       st.verdicts[0], st.verdicts[1], st.verdicts[2], st.multi, st.tiny);
	return err || st.bad || !st.frames ? KSFT_FAIL : KSFT_PASS;
}
