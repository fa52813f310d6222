// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * device_consumer: the intended GPU pattern. The receive thread reads only
 * headers (host memory) and hands each packet's payload, as dmabuf
 * offsets, to a "device" thread; the device thread works on the payload
 * where it lies (here: it checks the payload pattern of user/pattern.h,
 * the one `xsk-devmem rx --verify` checks, through the dmabuf's CPU
 * mapping, the stand-in for a GPU kernel reading its own memory) and
 * returns the chunks itself through the dmabuf fill ring
 * (xsk_devmem_socket__release_payload, its own ring producer).
 *
 *   device_consumer IFACE QUEUE COUNT
 *
 * The flow must be split at the end of the UDP header (`split l4`, the
 * default of steer), so the UDP payload starts at the first dmabuf chunk.
 * Exit 0 if COUNT payloads were checked and all were intact.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xsk_devmem.h>

#include "pattern.h"

/* One packet's payload, as the device sees it. */
struct job {
	__u32 nr;
	__u64 off[XSK_DEVMEM_MAX_SEGS];
	__u32 len[XSK_DEVMEM_MAX_SEGS];
};

/* A work queue between the threads (a mutex: this is no AF_XDP ring). */
#define QLEN 1024
static struct job queue[QLEN];
static unsigned int head, tail;
static bool done;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

static struct xsk_devmem_socket *xsk;
static struct xsk_devmem_umem *umem;
static unsigned long good, bad;

static void check(const struct job *j)
{
	struct xsk_devmem_dmabuf *d = xsk_devmem_umem__dmabuf(umem);
	const __u8 *first = xsk_devmem_umem__payload_data(umem, j->off[0]);
	__u32 seq, plen;
	size_t off = 0;

	xsk_devmem_dmabuf__cpu_begin(d, XSK_DEVMEM_SYNC_READ);
	if (pattern_parse(first, j->len[0], &seq, &plen)) {
		bad++;
		goto out;
	}
	for (__u32 i = 0; i < j->nr; i++) {
		if (pattern_check(xsk_devmem_umem__payload_data(umem, j->off[i]), j->len[i],
				  off, seq, plen) >= 0) {
			bad++;
			goto out;
		}
		off += j->len[i];
	}
	if (off == plen)
		good++;
	else
		bad++;
out:
	xsk_devmem_dmabuf__cpu_end(d, XSK_DEVMEM_SYNC_READ);
}

static void *device(void *arg)
{
	struct job j;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lock);
		while (head == tail && !done)
			pthread_cond_wait(&cond, &lock);
		if (head == tail) {
			pthread_mutex_unlock(&lock);
			return NULL;
		}
		j = queue[tail++ % QLEN];
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
		check(&j);
		/* The device is done: its chunks go back to the kernel. */
		if (xsk_devmem_socket__release_payload(xsk, j.off, j.nr))
			abort();
	}
}

static void submit(const struct xsk_devmem_pkt *p)
{
	struct job j = { 0 };

	for (__u32 s = 0; s < p->nr_segs; s++) {
		if (!(p->segs[s].flags & XSK_DEVMEM_SEG_DMABUF))
			continue;
		j.off[j.nr] = p->segs[s].addr;
		j.len[j.nr++] = p->segs[s].len;
	}
	if (!j.nr) {		/* not split: nothing for the device */
		bad++;
		return;
	}
	pthread_mutex_lock(&lock);
	while (head - tail == QLEN)
		pthread_cond_wait(&cond, &lock);
	queue[head++ % QLEN] = j;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

int main(int argc, char **argv)
{
	struct xsk_devmem_dmabuf *dmabuf = NULL;
	struct xsk_devmem_seg segs[64 * 4];
	struct xsk_devmem_pkt pkts[64];
	unsigned long count, got = 0;
	pthread_t dev;
	int n, ret = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: device_consumer IFACE QUEUE COUNT\n");
		return 2;
	}
	count = strtoul(argv[3], NULL, 0);
	if (xsk_devmem_dmabuf__create_udmabuf(&dmabuf, 16 << 20) ||
	    xsk_devmem_umem__create(&umem, NULL, 0, dmabuf, NULL) ||
	    xsk_devmem_socket__create(&xsk, argv[1], atoi(argv[2]), umem, NULL))
		goto out;
	printf("device_consumer: ready on %s queue %s\n", argv[1], argv[2]);
	fflush(stdout);
	pthread_create(&dev, NULL, device, NULL);
	while (got < count) {
		n = xsk_devmem_socket__recv(xsk, pkts, 64, segs, 64 * 4);
		if (n < 0)
			break;
		if (!n) {
			if (xsk_devmem_socket__wait(xsk, 100) < 0)
				break;	/* the device went away */
			continue;
		}
		for (int i = 0; i < n; i++)
			submit(&pkts[i]);
		/* Headers are done with at once; payload is the device's now. */
		if (xsk_devmem_socket__release_hdr(xsk, pkts, n))
			break;
		got += n;
	}
	pthread_mutex_lock(&lock);
	done = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(dev, NULL);
	printf("device_consumer: %lu payloads intact, %lu bad\n", good, bad);
	ret = good == count && !bad ? 0 : 1;
out:
	xsk_devmem_socket__delete(xsk);
	xsk_devmem_umem__delete(umem);
	xsk_devmem_dmabuf__delete(dmabuf);
	return ret;
}
