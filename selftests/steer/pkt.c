// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pkt.c - test frame builder (see pkt.h). Writes bytes at offsets; it
 * deliberately uses no kernel header structs.
 */
#include <string.h>
#include <netinet/in.h>

#include "pkt.h"

static void put16(__u8 *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

void pkt_addr(int family, __u8 lo, __u8 *addr)
{
	if (family == 4) {
		const __u8 a[4] = { 10, 0, 0, lo };

		memcpy(addr, a, 4);
	} else {
		memset(addr, 0, 16);
		addr[0] = 0xfd;
		addr[15] = lo;
	}
}

static void ip4_csum(__u8 *h, int len)
{
	unsigned int sum = 0;

	h[10] = h[11] = 0;
	for (int i = 0; i < len; i += 2)
		sum += h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(h + 10, ~sum & 0xffff);
}

size_t pkt_build(const struct pkt_spec *s, __u8 *buf)
{
	__u8 slo = s->saddr_lo ? s->saddr_lo : 1;
	__u8 dlo = s->daddr_lo ? s->daddr_lo : 2;
	size_t off = 0, l3 = 0, len;
	unsigned int i;
	__u8 nh;

	memset(buf, 0, PKT_MAX);
	/* Ethernet: 02:00:00:00:00:02 <- 02:00:00:00:00:01 */
	buf[0] = 2; buf[5] = 2; buf[6] = 2; buf[11] = 1;
	off = 12;
	for (int v = 0; v < s->vlans; v++) {
		put16(buf + off, v == 0 && s->vlans > 1 ? 0x88a8 : 0x8100);
		put16(buf + off + 2, 100 + v);	/* TCI: VID 100, 101, ... */
		off += 4;
	}
	put16(buf + off, s->l3 == 4 ? 0x0800 : s->l3 == 6 ? 0x86dd : s->ethertype);
	off += 2;
	l3 = off;

	if (s->l3 == 4) {
		int hl = 20 + s->ip4_opts;

		buf[off] = (s->version ? s->version : 4) << 4 |
			   ((s->ihl ? s->ihl : hl / 4) & 15);
		put16(buf + off + 6, s->frag_off);
		buf[off + 8] = 64;
		buf[off + 9] = s->proto;
		pkt_addr(4, slo, buf + off + 12);
		pkt_addr(4, dlo, buf + off + 16);
		for (i = 20; i < (unsigned int)hl; i++)
			buf[off + i] = 1;	/* NOP options */
		off += hl;
	} else if (s->l3 == 6) {
		buf[off] = (s->version ? s->version : 6) << 4;
		buf[off + 7] = 64;
		pkt_addr(6, slo, buf + off + 8);
		pkt_addr(6, dlo, buf + off + 24);
		nh = s->n_ext ? s->ext[0].type : s->proto;
		buf[off + 6] = nh;
		off += 40;
		for (int e = 0; e < s->n_ext; e++) {
			const struct pkt_ext *x = &s->ext[e];

			buf[off] = e + 1 < s->n_ext ? s->ext[e + 1].type : s->proto;
			if (x->type == IPPROTO_FRAGMENT) {
				put16(buf + off + 2, x->frag_off);
				buf[off + 7] = 42;
				off += 8;
			} else {
				buf[off + 1] = x->hdrlen;
				/* PadN over the option area */
				buf[off + 2] = 1;
				buf[off + 3] = (x->hdrlen + 1) * 8 - 4;
				off += (x->hdrlen + 1) * 8;
			}
		}
	} else {
		off += s->l4_bytes;
	}

	if (s->l3 && s->proto == IPPROTO_TCP) {
		int hl = 20 + s->tcp_opts;

		put16(buf + off, s->sport);
		put16(buf + off + 2, s->dport);
		buf[off + 12] = ((s->doff ? s->doff : hl / 4) & 15) << 4;
		buf[off + 13] = 0x18;		/* PSH ACK */
		put16(buf + off + 14, 65535);
		for (i = 20; i < (unsigned int)hl; i++)
			buf[off + i] = 1;	/* NOP */
		off += hl;
	} else if (s->l3 && s->proto == IPPROTO_UDP) {
		put16(buf + off, s->sport);
		put16(buf + off + 2, s->dport);
		put16(buf + off + 4, s->udp_len ? s->udp_len : 8 + s->payload);
		off += 8;
	} else if (s->l3) {
		off += s->l4_bytes;
	}

	for (int p = 0; p < s->payload && off < PKT_MAX; p++)
		buf[off++] = s->payload_data ? s->payload_data[p] : p;
	len = off;

	if (s->l3 == 4) {
		put16(buf + l3 + 2, len - l3 + s->ip_len_delta);
		ip4_csum(buf + l3, 20 + s->ip4_opts);
	} else if (s->l3 == 6) {
		put16(buf + l3 + 4, len - l3 - 40 + s->ip_len_delta);
	}
	return s->cut && (size_t)s->cut < len ? (size_t)s->cut : len;
}
