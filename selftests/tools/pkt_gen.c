// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_gen: the benchmark's traffic generator. COUNT Ethernet/IPv4/UDP
 * frames carrying the test payload pattern, built once and sent from an
 * AF_PACKET socket with PACKET_QDISC_BYPASS in sendmmsg() batches, so that
 * what a frame costs the sender is one copy into an skb and the driver's
 * xmit: as little as the kernel allows from user space.
 *
 *   pkt_gen -i IFACE -s SRC -d DST -m DSTMAC -p PORT -l PAYLOAD -n COUNT
 *           [-b BATCH]
 *
 * A full device queue (ENOBUFS) is retried after sched_yield(); the number
 * of frames sent and the time it took (and when, on CLOCK_MONOTONIC) are
 * printed at the end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pattern.h"
#include "util.h"

#define MAX_BATCH	256
#define HDR_LEN		(ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr))

static __u16 ip_csum(const void *p, size_t len)
{
	const __u16 *w = p;
	__u32 sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static void build(__u8 *f, const __u8 *smac, const __u8 *dmac, struct in_addr src,
		  struct in_addr dst, __u16 port, __u32 payload, __u32 seq)
{
	struct ethhdr *eth = (struct ethhdr *)f;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	memcpy(eth->h_dest, dmac, ETH_ALEN);
	memcpy(eth->h_source, smac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	*ip = (struct iphdr){ .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP,
			      .tot_len = htons(sizeof(*ip) + sizeof(*udp) + payload),
			      .saddr = src.s_addr, .daddr = dst.s_addr };
	ip->check = ip_csum(ip, sizeof(*ip));
	*udp = (struct udphdr){ .source = htons(9), .dest = htons(port),
				.len = htons(sizeof(*udp) + payload) };
	pattern_fill((__u8 *)(udp + 1), payload, seq);
}

static void usage(void)
{
	fprintf(stderr, "usage: pkt_gen -i IFACE -s SRC -d DST -m DSTMAC -p PORT -l PAYLOAD "
		"-n COUNT [-b BATCH]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *dmac_s = NULL;
	unsigned long count = 0, payload = 64, batch = 64, sent = 0;
	struct in_addr src = { 0 }, dst = { 0 };
	__u8 smac[ETH_ALEN], dmac[ETH_ALEN];
	struct mmsghdr msg[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct sockaddr_ll sll;
	struct ifreq ifr = { 0 };
	__u16 port = 0;
	int c, fd, one = 1;
	__u8 *frames;
	double t0, t1;

	while ((c = getopt(argc, argv, "i:s:d:m:p:l:n:b:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 's': if (inet_pton(AF_INET, optarg, &src) != 1) usage(); break;
		case 'd': if (inet_pton(AF_INET, optarg, &dst) != 1) usage(); break;
		case 'm': dmac_s = optarg; break;
		case 'p': port = (__u16)atoi(optarg); break;
		case 'l': payload = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'b': batch = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (!ifname || !dmac_s || !port || !count || !batch || batch > MAX_BATCH ||
	    payload < PATTERN_HDR_LEN || payload > 65000 ||
	    sscanf(dmac_s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0], &dmac[1], &dmac[2],
		   &dmac[3], &dmac[4], &dmac[5]) != 6)
		usage();

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("pkt_gen: AF_PACKET socket");
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) || setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS,
							 &one, sizeof(one))) {
		fprintf(stderr, "pkt_gen: %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	sll = (struct sockaddr_ll){ .sll_family = AF_PACKET, .sll_ifindex = if_nametoindex(ifname),
				    .sll_halen = ETH_ALEN };
	memcpy(sll.sll_addr, dmac, ETH_ALEN);

	/* One frame per batch slot, each with its own sequence number. */
	frames = calloc(batch, HDR_LEN + payload);
	if (!frames)
		return 1;
	for (unsigned long i = 0; i < batch; i++) {
		iov[i] = (struct iovec){ frames + i * (HDR_LEN + payload), HDR_LEN + payload };
		build(iov[i].iov_base, smac, dmac, src, dst, port, payload, i);
		msg[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &sll,
							.msg_namelen = sizeof(sll),
							.msg_iov = &iov[i], .msg_iovlen = 1 } };
	}

	t0 = mono_now();
	while (sent < count) {
		unsigned long n = count - sent < batch ? count - sent : batch;
		int r = sendmmsg(fd, msg, n, 0);

		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				sched_yield();
				continue;
			}
			fprintf(stderr, "pkt_gen: sendmmsg: %s\n", strerror(errno));
			return 1;
		}
		sent += r;
	}
	t1 = mono_now();
	/* CLOCK_MONOTONIC is the receiver's clock too: it can time the run
	 * from the first frame sent to the last it received. */
	printf("pkt_gen: %lu frames of %lu payload bytes in %.3f s (monotonic %.6f to %.6f)\n",
	       sent, payload, t1 - t0, t0, t1);
	return 0;
}
