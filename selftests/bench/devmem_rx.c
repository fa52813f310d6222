// SPDX-License-Identifier: GPL-2.0
/*
 * devmem_rx: the devmem TCP receiver of `make bench-rx` (receiver (d)), the
 * least a devmem TCP application does, so that its cost is the kernel's
 * receive path: bind a udmabuf to one RX queue (netdev netlink
 * NETDEV_CMD_BIND_RX, through the kernel tree's ynl library), accept one
 * TCP connection, read it with recvmsg(MSG_SOCK_DEVMEM) and give every frag
 * back with SO_DEVMEM_DONTNEED, without touching the payload. The binding
 * lives as long as the netlink socket, i.e. this process.
 *
 * Steering the flow to QUEUE (ethtool -N) and out of RSS (ethtool -X) is
 * the caller's (selftests/bench/vm_rx.sh), as is header split.
 *
 * It prints one line: payload bytes received, into the dmabuf (frags) and
 * copied into the linear buffer (SCM_DEVMEM_LINEAR: the CPU copied them),
 * seconds from the first byte to the last, recvmsg and SO_DEVMEM_DONTNEED
 * calls, and with --meter the CPU cost (napi_meter.h).
 *
 *   devmem_rx -i IFACE -q QUEUE -p PORT -n BYTES [--area-mb MB]
 *             [-t TIMEOUT_S] [--meter IFACE]
 */
/* struct dmabuf_cmsg and dmabuf_token live in the UAPI's linux/uio.h, which
 * also defines struct iovec: take it from there, and tell glibc so. */
#include <linux/uio.h>
#define __iovec_defined 1

#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/netdev.h>

#include <ynl.h>
#include <netdev-user.h>

#include "napi_meter.h"
#include "udmabuf.h"
#include "util.h"

#ifndef MSG_SOCK_DEVMEM
#define MSG_SOCK_DEVMEM	0x2000000	/* include/linux/socket.h */
#endif

#define MAX_FRAGS	64	/* cmsgs per recvmsg; tokens per DONTNEED */

struct devmem_rx {
	unsigned long long frag_bytes, linear_bytes, frags;
	unsigned long long recvmsgs, dontneeds, tokens_freed;
	double first, last;
};

static void usage(void)
{
	fprintf(stderr, "usage: devmem_rx -i IFACE -q QUEUE -p PORT -n BYTES [--area-mb MB] "
		"[-t TIMEOUT_S] [--meter IFACE]\n");
	exit(2);
}

/* Bind @dmabuf_fd to RX queue @queue of @ifindex; the socket holds it. */
static struct ynl_sock *bind_rx(unsigned int ifindex, unsigned int queue, int dmabuf_fd,
				unsigned int *id)
{
	struct netdev_bind_rx_req *req = NULL;
	struct netdev_bind_rx_rsp *rsp;
	struct netdev_queue_id *q;
	struct ynl_error yerr;
	struct ynl_sock *ys;

	ys = ynl_sock_create(&ynl_netdev_family, &yerr);
	if (!ys) {
		fprintf(stderr, "devmem_rx: netdev netlink: %s\n", yerr.msg);
		return NULL;
	}
	req = netdev_bind_rx_req_alloc();
	q = calloc(1, sizeof(*q));
	if (!req || !q) {
		fprintf(stderr, "devmem_rx: out of memory\n");
		free(q);
		goto fail;
	}
	q->_present.id = q->_present.type = 1;
	q->id = queue;
	q->type = NETDEV_QUEUE_TYPE_RX;
	netdev_bind_rx_req_set_ifindex(req, ifindex);
	netdev_bind_rx_req_set_fd(req, dmabuf_fd);
	__netdev_bind_rx_req_set_queues(req, q, 1);
	rsp = netdev_bind_rx(ys, req);
	if (!rsp) {
		fprintf(stderr, "devmem_rx: binding the dmabuf to queue %u: %s\n", queue,
			ys->err.msg);
		goto fail;
	}
	*id = rsp->id;
	netdev_bind_rx_rsp_free(rsp);
	netdev_bind_rx_req_free(req);
	return ys;
fail:
	if (req)
		netdev_bind_rx_req_free(req);
	ynl_sock_destroy(ys);
	return NULL;
}

/* Hand back the frags of one recvmsg(), runs of tokens merged. */
static int dontneed(int fd, struct devmem_rx *r, struct dmabuf_token *tok, unsigned int n)
{
	int ret;

	if (!n)
		return 0;
	ret = setsockopt(fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, tok, n * sizeof(*tok));
	r->dontneeds++;
	if (ret < 0) {
		fprintf(stderr, "devmem_rx: SO_DEVMEM_DONTNEED: %s\n", strerror(errno));
		return -1;
	}
	r->tokens_freed += ret;
	return 0;
}

static int receive(int fd, struct devmem_rx *r, unsigned int dmabuf_id, unsigned long long want,
		   double timeout)
{
	static char linear[65536];
	char ctrl[MAX_FRAGS * CMSG_SPACE(sizeof(struct dmabuf_cmsg))];
	struct dmabuf_token tok[MAX_FRAGS];
	double t0 = mono_now();

	while (r->frag_bytes + r->linear_bytes < want) {
		struct iovec iov = { linear, sizeof(linear) };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctrl, .msg_controllen = sizeof(ctrl),
		};
		unsigned int n = 0;
		struct cmsghdr *cm;
		ssize_t ret;

		if (mono_now() - t0 > timeout) {
			fprintf(stderr, "devmem_rx: timed out after %.0f s\n", timeout);
			return -1;
		}
		ret = recvmsg(fd, &msg, MSG_SOCK_DEVMEM);
		if (ret < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (ret < 0) {
			fprintf(stderr, "devmem_rx: recvmsg: %s\n", strerror(errno));
			return -1;
		}
		if (!ret)
			break;
		r->recvmsgs++;
		if (!r->first)
			r->first = mono_now();
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			const struct dmabuf_cmsg *dc = (const void *)CMSG_DATA(cm);

			if (cm->cmsg_level != SOL_SOCKET)
				continue;
			if (cm->cmsg_type == SCM_DEVMEM_LINEAR) {
				r->linear_bytes += dc->frag_size;
				continue;
			}
			if (cm->cmsg_type != SCM_DEVMEM_DMABUF)
				continue;
			if (dc->dmabuf_id != dmabuf_id) {
				fprintf(stderr, "devmem_rx: frag of dmabuf %u, bound %u\n",
					dc->dmabuf_id, dmabuf_id);
				return -1;
			}
			r->frag_bytes += dc->frag_size;
			r->frags++;
			if (n && tok[n - 1].token_start + tok[n - 1].token_count == dc->frag_token)
				tok[n - 1].token_count++;
			else
				tok[n++] = (struct dmabuf_token){ dc->frag_token, 1 };
		}
		r->last = mono_now();
		if (dontneed(fd, r, tok, n))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "area-mb", required_argument, NULL, 'A' },
		{ "meter", required_argument, NULL, 'M' },
		{ }
	};
	const char *ifname = NULL, *meter_if = NULL;
	unsigned long long want = 0;
	unsigned int ifindex, queue = 0, dmabuf_id = 0, area_mb = 64;
	struct napi_meter *meter = NULL;
	struct udmabuf u = { .fd = -1 };
	struct devmem_rx r = { 0 };
	struct rx_cost cost = { 0 };
	struct ynl_sock *ys;
	double timeout = 300;
	int c, port = 0, ls, fd, one = 1, err;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };

	while ((c = getopt_long(argc, argv, "i:q:p:n:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'q': queue = strtoul(optarg, NULL, 0); break;
		case 'p': port = atoi(optarg); break;
		case 'n': want = strtoull(optarg, NULL, 0); break;
		case 't': timeout = atof(optarg); break;
		case 'A': area_mb = strtoul(optarg, NULL, 0); break;
		case 'M': meter_if = optarg; break;
		default: usage();
		}
	}
	if (!ifname || !port || !want || !area_mb || area_mb > 4096)
		usage();
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "devmem_rx: no interface %s\n", ifname);
		return 1;
	}
	if (meter_if) {
		meter = napi_meter_open(meter_if);
		if (!meter)
			return 1;
	}
	if (udmabuf_create(&u, (size_t)area_mb << 20))
		return 1;
	ys = bind_rx(ifindex, queue, u.fd, &dmabuf_id);
	if (!ys)
		return 1;

	sa.sin6_port = htons(port);
	ls = socket(AF_INET6, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 1)) {
		fprintf(stderr, "devmem_rx: TCP port %d: %s\n", port, strerror(errno));
		return 1;
	}
	printf("devmem_rx: ready (dmabuf %u of %u MiB on %s queue %u, port %d)\n", dmabuf_id,
	       area_mb, ifname, queue, port);
	fflush(stdout);
	fd = accept(ls, NULL, NULL);
	if (fd < 0) {
		fprintf(stderr, "devmem_rx: accept: %s\n", strerror(errno));
		return 1;
	}
	err = meter ? napi_meter_start(meter) : 0;
	err = err ?: receive(fd, &r, dmabuf_id, want, timeout);
	if (!err && meter)
		err = napi_meter_stop(meter, &cost);
	close(fd);
	close(ls);
	ynl_sock_destroy(ys);
	udmabuf_destroy(&u);
	napi_meter_close(meter);
	if (err)
		return 1;

	double secs = r.last - r.first;
	unsigned long long bytes = r.frag_bytes + r.linear_bytes;

	printf("devmem_rx: bytes %llu seconds %.4f payload_Bps %.0f frag_bytes %llu frags %llu "
	       "linear_bytes %llu recvmsgs %llu dontneeds %llu tokens_freed %llu",
	       bytes, secs, secs > 0 ? bytes / secs : 0, r.frag_bytes, r.frags, r.linear_bytes,
	       r.recvmsgs, r.dontneeds, r.tokens_freed);
	if (meter)
		napi_meter_print(&cost);
	printf("\n");
	return bytes >= want && r.tokens_freed == r.frags ? 0 : 1;
}
