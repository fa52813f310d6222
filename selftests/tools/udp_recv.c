// SPDX-License-Identifier: GPL-2.0
/*
 * udp_recv: receive the datagrams udp_send sent on an ordinary UDP socket
 * and check each payload against the pattern (user/pattern.h): sequence
 * numbers 0 .. COUNT-1, each once, every byte right.
 *
 *   udp_recv -a ADDR -p PORT -n COUNT [-t TIMEOUT_S] [-q QUIET_MS]
 *
 * Binds ADDR:PORT (IPv4 or IPv6), prints "udp_recv: ready", then receives
 * until COUNT good datagrams arrived and QUIET_MS (default 300) passed with
 * nothing more (a duplicate or an extra is caught), or until TIMEOUT_S
 * (default 30) seconds. COUNT may be 0: then nothing must arrive within
 * TIMEOUT_S. The receive buffer is made large (SO_RCVBUFFORCE) so that a
 * burst is not lost in the socket. One summary line; exit 0 only if
 * exactly the COUNT datagrams arrived, once each, intact.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pattern.h"
#include "util.h"

#define MAX_LEN 65536

static void usage(void)
{
	fprintf(stderr,
		"usage: udp_recv -a ADDR -p PORT -n COUNT [-t TIMEOUT_S] [-q QUIET_MS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long count = 0, timeout = 30, quiet_ms = 300;
	unsigned long good = 0, bad = 0, dup = 0, bytes = 0;
	const char *addr = NULL;
	char first_error[160] = "";
	int port = 0, c, fd, one = 1, rcvbuf = 64 << 20;
	static uint8_t buf[MAX_LEN];
	bool count_set = false;
	uint8_t *seen;

	while ((c = getopt(argc, argv, "a:p:n:t:q:h")) != -1) {
		switch (c) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': count = strtoul(optarg, NULL, 0); count_set = true; break;
		case 't': timeout = strtoul(optarg, NULL, 0); break;
		case 'q': quiet_ms = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (!addr || port <= 0 || port > 65535 || !count_set)
		usage();

	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sslen;

	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sslen = sizeof(*sin6);
	} else {
		fprintf(stderr, "udp_recv: bad address '%s'\n", addr);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udp_recv: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&ss, sslen)) {
		fprintf(stderr, "udp_recv: bind %s:%d: %m\n", addr, port);
		return 1;
	}
	seen = calloc(count / 8 + 1, 1);
	if (!seen)
		return 1;
	printf("udp_recv: ready on %s:%d\n", addr, port);
	fflush(stdout);

	double t0 = mono_now(), last = t0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		double now = mono_now();

		if (now - t0 >= timeout)
			break;
		if (count && good >= count && (now - last) * 1000 >= quiet_ms)
			break;
		if (poll(&pfd, 1, 50) <= 0)
			continue;

		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		uint32_t seq, len;
		long off;

		if (n < 0)
			continue;
		last = mono_now();
		bytes += n;
		if (pattern_parse(buf, n, &seq, &len) || len != (uint32_t)n) {
			if (!first_error[0])
				snprintf(first_error, sizeof(first_error),
					 "datagram of %zd bytes: bad pattern header", n);
			bad++;
			continue;
		}
		if (seq >= count) {
			if (!first_error[0])
				snprintf(first_error, sizeof(first_error),
					 "seq %u out of range (count %lu)", seq, count);
			bad++;
			continue;
		}
		off = pattern_check(buf, n, 0, seq, len);
		if (off >= 0) {
			if (!first_error[0])
				snprintf(first_error, sizeof(first_error),
					 "seq %u (%u bytes): wrong byte at offset %ld", seq, len, off);
			bad++;
			continue;
		}
		if (seen[seq / 8] & (1u << (seq % 8))) {
			dup++;
			continue;
		}
		seen[seq / 8] |= 1u << (seq % 8);
		good++;
	}
	printf("udp_recv: %lu of %lu datagrams intact, %lu bad, %lu duplicate, %lu bytes%s%s\n",
	       good, count, bad, dup, bytes, first_error[0] ? "; first error: " : "",
	       first_error);
	close(fd);
	free(seen);
	return good == count && !bad && !dup ? 0 : 1;
}
