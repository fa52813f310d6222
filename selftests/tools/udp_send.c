// SPDX-License-Identifier: GPL-2.0
/*
 * udp_send: send COUNT UDP datagrams carrying the payload pattern
 * (user/pattern.h) from an ordinary socket, cycling through a list of
 * payload sizes, paced in bursts.
 *
 *   udp_send -d ADDR -p PORT -n COUNT [-l SIZE[,SIZE...]] [-s SPORT]
 *            [-b BURST] [-g GAP_US] [--seq-base N]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pattern.h"

#define MAX_SIZES 64
#define MAX_LEN 65507

static void usage(void)
{
	fprintf(stderr,
		"usage: udp_send -d ADDR -p PORT -n COUNT [-l SIZE[,SIZE...]] [-s SPORT]\n"
		"                [-b BURST] [-g GAP_US] [--seq-base N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seq-base", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned int sizes[MAX_SIZES] = { 64 }, nsizes = 1;
	unsigned long count = 0, burst = 32, gap_us = 200, seq_base = 0;
	const char *dst = NULL;
	int port = 0, sport = 0, c;

	while ((c = getopt_long(argc, argv, "d:p:n:l:s:b:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dst = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 's': sport = atoi(optarg); break;
		case 'b': burst = strtoul(optarg, NULL, 0); break;
		case 'g': gap_us = strtoul(optarg, NULL, 0); break;
		case 'S': seq_base = strtoul(optarg, NULL, 0); break;
		case 'l': {
			char *s = optarg, *tok;

			nsizes = 0;
			while ((tok = strsep(&s, ",")) && nsizes < MAX_SIZES) {
				unsigned long v = strtoul(tok, NULL, 0);

				if (v < PATTERN_HDR_LEN || v > MAX_LEN) {
					fprintf(stderr, "udp_send: size %lu out of [%u, %u]\n",
						v, PATTERN_HDR_LEN, MAX_LEN);
					return 2;
				}
				sizes[nsizes++] = (unsigned int)v;
			}
			break;
		}
		default: usage();
		}
	}
	if (!dst || !port || !count || !burst)
		usage();

	struct sockaddr_storage ss = { 0 };
	socklen_t sslen;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	if (inet_pton(AF_INET, dst, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, dst, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sslen = sizeof(*sin6);
	} else {
		fprintf(stderr, "udp_send: bad address '%s'\n", dst);
		return 2;
	}

	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);

	if (fd < 0) {
		perror("udp_send: socket");
		return 1;
	}
	if (sport) {
		struct sockaddr_storage src = { .ss_family = ss.ss_family };

		((struct sockaddr_in *)&src)->sin_port = htons(sport);
		if (bind(fd, (struct sockaddr *)&src, sslen)) {
			perror("udp_send: bind");
			return 1;
		}
	}

	static uint8_t buf[MAX_LEN];
	unsigned long sent = 0;

	for (unsigned long i = 0; i < count; i++) {
		uint32_t seq = (uint32_t)(seq_base + i);
		size_t len = sizes[i % nsizes];

		pattern_fill(buf, len, seq);
		while (sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sslen) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				fprintf(stderr, "udp_send: sendto: %s\n", strerror(errno));
				return 1;
			}
			usleep(100);
		}
		sent++;
		if (gap_us && (i + 1) % burst == 0)
			usleep(gap_us);
	}
	printf("udp_send: sent %lu datagrams to %s:%d\n", sent, dst, port);
	return 0;
}
