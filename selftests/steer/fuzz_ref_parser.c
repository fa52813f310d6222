// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_ref_parser.c - libFuzzer target: the reference parser
 * (ref_parser.c) on arbitrary bytes, under ASan and UBSan.
 *
 *   make build/selftests/steer/fuzz_ref_parser
 *   build/selftests/steer/fuzz_ref_parser -max_len=9216 CORPUS_DIR [SEED_DIR...]
 *
 * selftests/host/steer_libfuzz.sh runs it (seeds from `steer_replay -w`)
 * and then replays the corpus through the BPF program (steer_replay).
 *
 * An input is one frame, of any length (0 to jumbo and beyond), parsed
 * whole and as a multi-buffer frame twice: with the first 3520 bytes in
 * the first buffer (XDP's on 4 KiB pages) and with a first buffer of a
 * length the input's last bytes choose. The parser must not crash, read
 * outside the frame or past the first buffer (each is in an allocation of
 * exactly its length) or hit undefined behaviour, and its results must
 * keep the invariants below; a broken invariant aborts with the reason,
 * and libFuzzer keeps the input as a crash artifact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_parser.h"

#define FIRST_BUF	3520	/* 4096 - XDP_PACKET_HEADROOM - skb_shared_info */

static const __u8 *frame;	/* the whole input, for the checks */

static __u32 rd16(size_t at)
{
	return frame[at] << 8 | frame[at + 1];
}

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_ref_parser: %s:%d: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

static int verdict_of(int reason)
{
	if (reason == XSK_STEER_R_NONE)
		return XSK_STEER_V_OK;
	if (reason == XSK_STEER_R_NOT_IP || reason == XSK_STEER_R_VLAN_DEPTH)
		return XSK_STEER_V_OTHER;
	return XSK_STEER_V_MALFORMED;
}

static int truncated(int reason)
{
	switch (reason) {
	case XSK_STEER_R_ETH_TRUNC:
	case XSK_STEER_R_VLAN_TRUNC:
	case XSK_STEER_R_IP4_TRUNC:
	case XSK_STEER_R_IP4_OPT_TRUNC:
	case XSK_STEER_R_IP6_TRUNC:
	case XSK_STEER_R_IP6_EXT_TRUNC:
	case XSK_STEER_R_TCP_TRUNC:
	case XSK_STEER_R_TCP_OPT_TRUNC:
	case XSK_STEER_R_UDP_TRUNC:
		return 1;
	}
	return 0;
}

/*
 * What holds for every result of a frame of len bytes, linear of them in
 * the first buffer: ranges, and the verdict the reason implies.
 */
static void check_any(const struct xsk_steer_pkt *p, size_t linear, size_t len)
{
	CHECK(p->len == len);
	CHECK(p->reason < __XSK_STEER_R_MAX);
	CHECK(p->verdict == verdict_of(p->reason));
	CHECK((p->reason == XSK_STEER_R_ETH_TRUNC) == (linear < 14));
	CHECK(p->nr_vlans <= 2);
	CHECK(p->l3_off <= len && p->l4_off <= len && p->l4_end <= len);
	CHECK(!(p->flags & ~(XSK_STEER_PKT_L4 | XSK_STEER_PKT_FRAG |
			     XSK_STEER_PKT_LATER_FRAG)));
	CHECK(!(p->flags & XSK_STEER_PKT_LATER_FRAG) || (p->flags & XSK_STEER_PKT_FRAG));
	CHECK(p->family == 0 || p->family == 4 || p->family == 6);
	for (int i = 0; i < p->nr_vlans; i++)
		CHECK(p->vlan[i] == rd16(14 + 4 * i));
}

/* A parsed packet: the layout of its headers in the first buffer. */
static void check_ok(const struct xsk_steer_pkt *p, size_t linear, size_t len)
{
	size_t l3 = p->l3_off, l4 = p->l4_off, hl = p->l4_end - p->l4_off;
	__u8 v4[16] = {};

	CHECK(l3 == 14 + 4u * p->nr_vlans);
	CHECK(l3 < l4 && l4 <= p->l4_end && p->l4_end <= linear);
	CHECK(rd16(l3 - 2) == (p->family == 4 ? 0x0800 : 0x86dd));
	if (p->family == 4) {
		CHECK(frame[l3] >> 4 == 4 && l4 - l3 == (frame[l3] & 15) * 4u);
		CHECK(rd16(l3 + 2) >= l4 - l3 && rd16(l3 + 2) <= len - l3);
		CHECK(p->proto == frame[l3 + 9]);
		CHECK(!(p->flags & XSK_STEER_PKT_FRAG) == !(rd16(l3 + 6) & 0x3fff));
		CHECK(!(p->flags & XSK_STEER_PKT_LATER_FRAG) == !(rd16(l3 + 6) & 0x1fff));
		CHECK(!memcmp(p->saddr, frame + l3 + 12, 4) &&
		      !memcmp(p->daddr, frame + l3 + 16, 4));
		CHECK(!memcmp(p->saddr + 4, v4, 12) && !memcmp(p->daddr + 4, v4, 12));
	} else {
		CHECK(p->family == 6);
		CHECK(frame[l3] >> 4 == 6 && l4 - l3 >= 40 && (l4 - l3) % 8 == 0);
		CHECK(40 + rd16(l3 + 4) <= len - l3);
		CHECK(!memcmp(p->saddr, frame + l3 + 8, 16) &&
		      !memcmp(p->daddr, frame + l3 + 24, 16));
		CHECK(l4 - l3 <= 40 + XSK_STEER_IPV6_EXT_MAX * 2048u);
	}
	if (p->flags & XSK_STEER_PKT_L4) {
		CHECK(!(p->flags & XSK_STEER_PKT_LATER_FRAG));
		CHECK(!memcmp(&p->sport, frame + l4, 2) && !memcmp(&p->dport, frame + l4 + 2, 2));
		if (p->proto == 17) {
			CHECK(hl == 8 && rd16(l4 + 4) >= 8);
		} else {
			CHECK(p->proto == 6);
			CHECK(hl >= 20 && hl <= 60 && hl == (frame[l4 + 12] >> 4) * 4u);
		}
	} else {
		CHECK(hl == 0 && !p->sport && !p->dport);
		CHECK((p->flags & XSK_STEER_PKT_LATER_FRAG) ||
		      (p->proto != 6 && p->proto != 17));
	}
}

/* The split point of every mode: inside the frame, at or after the headers. */
static void check_split(const struct xsk_steer_pkt *p, size_t len, __u16 extra)
{
	struct xsk_steer_action a = { .split = XSK_STEER_SPLIT_NONE };
	__u32 s;

	CHECK(ref_split(p, &a) == len);
	a.split = XSK_STEER_SPLIT_L4;
	CHECK(ref_split(p, &a) == p->l4_end);
	a.split = XSK_STEER_SPLIT_L4_PLUS;
	a.split_len = extra;
	s = ref_split(p, &a);
	CHECK(s <= len && s >= p->l4_end);
	CHECK(s == len || s == p->l4_end + (__u32)extra);
}

/*
 * The frame with only its first linear bytes in the first buffer, against
 * the whole frame parsed whole (p): headers past the first buffer are
 * truncated, and that is the only difference there can be.
 */
static void check_mb(const struct xsk_steer_pkt *p, size_t linear, size_t len)
{
	struct xsk_steer_pkt m;
	__u8 *first = malloc(linear ? linear : 1);

	CHECK(first);
	memcpy(first, frame, linear);
	ref_parse_mb(first, linear, len, &m);
	free(first);
	check_any(&m, linear, len);
	if (m.verdict == XSK_STEER_V_OK)
		check_ok(&m, linear, len);
	if (memcmp(&m, p, sizeof(m)))
		CHECK(truncated(m.reason));
	if (p->verdict == XSK_STEER_V_OK && p->l4_end <= linear)
		CHECK(!memcmp(&m, p, sizeof(m)));
}

int LLVMFuzzerTestOneInput(const __u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const __u8 *data, size_t size)
{
	struct xsk_steer_pkt p, again;
	__u16 extra = size >= 2 ? data[size - 2] << 8 | data[size - 1] : 0;
	size_t cut = size >= 4 ? data[size - 4] << 8 | data[size - 3] : 0;

	frame = data;
	CHECK(ref_parse(data, size, &p) == p.verdict);
	check_any(&p, size, size);
	if (p.verdict == XSK_STEER_V_OK)
		check_ok(&p, size, size);
	check_split(&p, size, extra);
	/* the same bytes, the same result */
	ref_parse(data, size, &again);
	CHECK(!memcmp(&p, &again, sizeof(p)));
	ref_parse_mb(data, size, size, &again);
	CHECK(!memcmp(&p, &again, sizeof(p)));

	check_mb(&p, size < FIRST_BUF ? size : FIRST_BUF, size);
	check_mb(&p, cut % (size + 1), size);
	return 0;
}
