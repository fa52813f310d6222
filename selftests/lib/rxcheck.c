// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "rxcheck.h"

#define MAX_FRAME (64 * 1024 + 256)

int rxcheck_init(struct rxcheck *rc, uint32_t count, uint16_t dport)
{
	memset(rc, 0, sizeof(*rc));
	rc->count = count;
	rc->dport = dport;
	rc->seen = calloc(count / 8 + 1, 1);
	return rc->seen ? 0 : -1;
}

void rxcheck_free(struct rxcheck *rc)
{
	free(rc->seen);
	rc->seen = NULL;
}

static bool fail(struct rxcheck *rc, const char *fmt, ...)
{
	va_list ap;

	rc->bad++;
	if (!rc->first_error[0]) {
		va_start(ap, fmt);
		vsnprintf(rc->first_error, sizeof(rc->first_error), fmt, ap);
		va_end(ap);
	}
	return false;
}

/* Which of the nseg segments holding frame[0..len) carry payload bytes
 * [pl, pl + pl_len) that are not the pattern of seq: bit i for segment i
 * (a segment past the 64th counts as the 64th). *first: the first wrong
 * payload offset. */
static uint64_t wrong_segments(const struct iovec *seg, int nseg, const uint8_t *frame,
			       size_t pl, size_t pl_len, uint32_t seq, long *first)
{
	uint64_t bad = 0;
	size_t at = 0;

	*first = -1;
	for (int i = 0; i < nseg; at += seg[i].iov_len, i++) {
		size_t lo = at > pl ? at : pl, hi = at + seg[i].iov_len;

		if (hi > pl + pl_len)
			hi = pl + pl_len;
		if (lo >= hi)
			continue;
		long off = pattern_check(frame + lo, hi - lo, lo - pl, seq, (uint32_t)pl_len);

		if (off < 0)
			continue;
		bad |= 1ull << (i < 63 ? i : 63);
		if (*first < 0)
			*first = off;
	}
	return bad;
}

/* Check a frame; with @lenient, wrong payload bytes are not counted but
 * reported in *bad, one bit per segment. */
static bool check(struct rxcheck *rc, const struct iovec *seg, int nseg, bool lenient,
		  uint64_t *bad)
{
	/* One per thread: receivers may check frames on several threads,
	 * each with its own struct rxcheck. */
	static __thread uint8_t frame[MAX_FRAME];
	size_t len = 0, l3, l4;
	uint32_t seq, plen;
	uint16_t udp_len;
	const struct udphdr *udp;
	const struct ethhdr *eth = (const void *)frame;

	*bad = 0;
	rc->frames++;
	for (int i = 0; i < nseg; i++) {
		if (len + seg[i].iov_len > sizeof(frame))
			return fail(rc, "frame longer than %zu bytes", sizeof(frame));
		memcpy(frame + len, seg[i].iov_base, seg[i].iov_len);
		len += seg[i].iov_len;
	}
	rc->bytes += len;

	l3 = sizeof(*eth);
	if (len < l3)
		return fail(rc, "frame of %zu bytes: no Ethernet header", len);
	if (eth->h_proto == htons(ETH_P_IP)) {
		const struct iphdr *ip = (const void *)(frame + l3);

		if (len < l3 + sizeof(*ip) || ip->ihl < 5 || ip->protocol != IPPROTO_UDP)
			return fail(rc, "not a UDP/IPv4 frame (%zu bytes)", len);
		l4 = l3 + ip->ihl * 4u;
	} else if (eth->h_proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6 = (const void *)(frame + l3);

		if (len < l3 + sizeof(*ip6) || ip6->nexthdr != IPPROTO_UDP)
			return fail(rc, "not a UDP/IPv6 frame (%zu bytes)", len);
		l4 = l3 + sizeof(*ip6);
	} else {
		return fail(rc, "unexpected ethertype 0x%04x", ntohs(eth->h_proto));
	}
	if (len < l4 + sizeof(*udp))
		return fail(rc, "truncated UDP header");
	udp = (const void *)(frame + l4);
	if (ntohs(udp->dest) != rc->dport)
		return fail(rc, "UDP port %u, expected %u", ntohs(udp->dest), rc->dport);
	udp_len = ntohs(udp->len);
	if (udp_len < sizeof(*udp) || l4 + udp_len > len)
		return fail(rc, "UDP length %u does not fit the frame of %zu", udp_len, len);

	size_t pl = l4 + sizeof(*udp), pl_len = udp_len - sizeof(*udp);

	if (pattern_parse(frame + pl, pl_len, &seq, &plen))
		return fail(rc, "payload without pattern header (%zu bytes)", pl_len);
	if (plen != pl_len)
		return fail(rc, "seq %u: payload %zu bytes, sender wrote %u", seq, pl_len, plen);
	if (seq >= rc->count)
		return fail(rc, "seq %u out of range (count %u)", seq, rc->count);

	long off;

	*bad = wrong_segments(seg, nseg, frame, pl, pl_len, seq, &off);
	if (*bad && !lenient)
		return fail(rc, "seq %u: payload byte %ld wrong (len %u)", seq, off, plen);
	if (*bad)
		return false;
	if (rc->seen[seq / 8] & (1u << (seq % 8))) {
		rc->dup++;
		return false;
	}
	rc->seen[seq / 8] |= 1u << (seq % 8);
	rc->good++;
	return true;
}

bool rxcheck_frame(struct rxcheck *rc, const struct iovec *seg, int nseg)
{
	uint64_t bad;

	return check(rc, seg, nseg, false, &bad);
}

bool rxcheck_frame_segs(struct rxcheck *rc, const struct iovec *seg, int nseg, uint64_t *bad)
{
	return check(rc, seg, nseg, true, bad);
}

int rxcheck_report(const struct rxcheck *rc, const char *who, FILE *f)
{
	fprintf(f, "%s: %llu/%u datagrams intact, %llu bad, %llu duplicate, %llu missing, %llu bytes\n",
		who, (unsigned long long)rc->good, rc->count,
		(unsigned long long)rc->bad, (unsigned long long)rc->dup,
		(unsigned long long)(rc->count - rc->good),
		(unsigned long long)rc->bytes);
	if (rc->first_error[0])
		fprintf(f, "%s: first error: %s\n", who, rc->first_error);
	return rc->good == rc->count && !rc->bad && !rc->dup ? 0 : -1;
}
