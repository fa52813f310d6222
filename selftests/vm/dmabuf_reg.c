// SPDX-License-Identifier: GPL-2.0
/*
 * The set-up UAPI of the dmabuf UMEM, on the raw socket options: every
 * way to get it wrong fails with its documented errno and changes
 * nothing, the right way works, old and new callers of XDP_MMAP_OFFSETS
 * get what they asked for, and no dmabuf area outlives its sockets.
 * Needs no traffic: binds to lo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udmabuf.h"
#include "xsk_raw.h"

#define MB		(1024 * 1024)
#define PAGE		4096
#define AREAS		"/sys/kernel/debug/xsk_dmabuf/areas"

static int fails;
static struct udmabuf ubuf;

static void expect(const char *what, int got, int want)
{
	if (got == want) {
		printf("ok   %-58s %s\n", what, want ? strerror(-want) : "0");
	} else {
		printf("FAIL %-58s got %d (%s), want %d (%s)\n", what, got,
		       strerror(-got), want, strerror(-want));
		fails++;
	}
}

/* A socket with its host UMEM registered. */
static void umem_socket(struct xsk_raw *x)
{
	if (xsk_raw_socket(x) || xsk_raw_umem_reg(x, 64, PAGE)) {
		perror("socket/UMEM set-up");
		exit(1);
	}
}

/* Register a dmabuf area on a fresh UMEM socket; return the errno. */
static int reg(int fd, uint64_t off, uint64_t len, uint32_t chunk)
{
	struct xsk_raw x;
	int err;

	umem_socket(&x);
	err = xsk_raw_dmabuf_reg(&x, fd, off, len, chunk);
	xsk_raw_close(&x);
	return err;
}

static int reg_raw(const struct xdp_umem_dmabuf_reg *r, socklen_t len)
{
	struct xsk_raw x;
	int err;

	umem_socket(&x);
	err = setsockopt(x.fd, SOL_XDP, XDP_UMEM_DMABUF_REG, r, len) ? -errno : 0;
	xsk_raw_close(&x);
	return err;
}

/* A socket set up for bind: UMEM, dmabuf area (if fd >= 0), rings. */
static int setup(struct xsk_raw *x, int fd, bool dmabuf_rings)
{
	umem_socket(x);
	if (fd >= 0 && xsk_raw_dmabuf_reg(x, fd, 0, 4 * MB, PAGE))
		return -errno;
	return xsk_raw_rings(x, 64, dmabuf_rings ? 64 : 0, true);
}

/* Bind to lo queue 0. The buffer pool of the previous socket there is
 * released in a work item after the socket: until then the queue is busy.
 */
static int bind_lo(struct xsk_raw *x, uint16_t flags)
{
	int err;

	for (int i = 0; i < 100; i++) {
		err = xsk_raw_bind(x, "lo", 0, flags, -1);
		if (err != -EBUSY)
			break;
		usleep(20 * 1000);
	}
	return err;
}

static int bind_case(int fd, bool dmabuf_rings, uint16_t flags)
{
	struct xsk_raw x;
	int err = setup(&x, fd, dmabuf_rings);

	if (!err)
		err = bind_lo(&x, flags);
	xsk_raw_close(&x);
	return err;
}

/* Bind with a dmabuf completion ring of @dcq entries. */
static int bind_dcq(int fd, uint32_t dcq)
{
	struct xsk_raw x;
	int err;

	umem_socket(&x);
	err = xsk_raw_dmabuf_reg(&x, fd, 0, 4 * MB, PAGE) ?:
	      xsk_raw_rings(&x, 64, 0, true) ?:
	      xsk_raw_ring(&x, XDP_UMEM_DMABUF_FILL_RING, 64) ?:
	      xsk_raw_ring(&x, XDP_UMEM_DMABUF_COMPLETION_RING, dcq) ?:
	      bind_lo(&x, XDP_USE_SG);
	xsk_raw_close(&x);
	return err;
}

static int nocpu_dmabuf(void)
{
	char text[16] = "";
	int f = open("/sys/kernel/debug/xsk_dmabuf/nocpu_dmabuf", O_RDONLY);

	if (f < 0 || read(f, text, sizeof(text) - 1) <= 0) {
		perror("nocpu_dmabuf");
		exit(1);
	}
	close(f);
	return atoi(text);
}

static int live_areas(void)
{
	char line[256];
	int n = 0;
	FILE *f = fopen(AREAS, "r");

	if (!f) {
		perror(AREAS);
		exit(1);
	}
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

int main(void)
{
	int memfd, nocpu, devnull = open("/dev/null", O_RDONLY);
	struct xdp_umem_dmabuf_reg r;
	struct xsk_raw x;

	if (udmabuf_create(&ubuf, 16 * MB))
		return 1;
	memfd = ubuf.memfd;
	nocpu = nocpu_dmabuf();

	/* XDP_UMEM_DMABUF_REG */
	expect("valid: whole 16 MiB, 4 KiB chunks", reg(ubuf.fd, 0, 16 * MB, PAGE), 0);
	expect("valid: 64 KiB chunks, offset 1 MiB", reg(ubuf.fd, MB, 8 * MB, 64 * 1024), 0);
	expect("bad fd", reg(9999, 0, MB, PAGE), -EBADF);
	expect("fd that is not a dmabuf (memfd)", reg(memfd, 0, MB, PAGE), -EINVAL);
	expect("fd that is not a dmabuf (/dev/null)", reg(devnull, 0, MB, PAGE), -EINVAL);
	expect("offset past the end", reg(ubuf.fd, 32 * MB, MB, PAGE), -ERANGE);
	expect("length past the end", reg(ubuf.fd, 0, 32 * MB, PAGE), -ERANGE);
	expect("offset + length past the end", reg(ubuf.fd, 15 * MB, 2 * MB, PAGE), -ERANGE);
	expect("offset + length wrapping around", reg(ubuf.fd, -(uint64_t)PAGE, 2 * PAGE, PAGE), -ERANGE);
	/* The range is checked before the cap on chunks per area. */
	expect("offset 4 KiB, length 2^64 - 4 KiB", reg(ubuf.fd, PAGE, -(uint64_t)PAGE, PAGE), -ERANGE);
	expect("offset 2^63, length 2^63", reg(ubuf.fd, 1ull << 63, 1ull << 63, PAGE), -ERANGE);
	expect("2^24 + 1 chunks (of a 128 GiB dmabuf)", reg(nocpu, 0, (1ull << 36) + PAGE, PAGE), -E2BIG);
	expect("chunk size 0", reg(ubuf.fd, 0, MB, 0), -EINVAL);
	expect("chunk size not a power of two", reg(ubuf.fd, 0, MB, 3 * PAGE), -EINVAL);
	expect("chunk size below PAGE_SIZE", reg(ubuf.fd, 0, MB, 2048), -EINVAL);
	expect("offset not chunk aligned", reg(ubuf.fd, 1000, MB, PAGE), -EINVAL);
	expect("length not a multiple of the chunk", reg(ubuf.fd, 0, MB + 1000, PAGE), -EINVAL);
	expect("length 0", reg(ubuf.fd, 0, 0, PAGE), -EINVAL);
	r = (struct xdp_umem_dmabuf_reg){ .fd = ubuf.fd, .len = MB, .chunk_size = PAGE, .flags = 1 };
	expect("flags not 0", reg_raw(&r, sizeof(r)), -EINVAL);
	r.flags = 0;
	r.reserved = 1;
	expect("reserved not 0", reg_raw(&r, sizeof(r)), -EINVAL);
	r.reserved = 0;
	expect("optlen too short", reg_raw(&r, sizeof(r) - 4), -EINVAL);
	/* A later, larger struct: zero bytes past ours are fine, others not. */
	struct { struct xdp_umem_dmabuf_reg r; __u64 more[2]; } big = { .r = r };

	expect("optlen larger, zero bytes past the struct", reg_raw(&big.r, sizeof(big)), 0);
	big.more[1] = 1;
	expect("optlen larger, non-zero bytes past the struct", reg_raw(&big.r, sizeof(big)), -E2BIG);

	xsk_raw_socket(&x);
	expect("before XDP_UMEM_REG", xsk_raw_dmabuf_reg(&x, ubuf.fd, 0, MB, PAGE), -EINVAL);
	xsk_raw_close(&x);

	umem_socket(&x);
	expect("first registration", xsk_raw_dmabuf_reg(&x, ubuf.fd, 0, MB, PAGE), 0);
	expect("second registration on the same UMEM", xsk_raw_dmabuf_reg(&x, ubuf.fd, 0, MB, PAGE), -EBUSY);
	xsk_raw_close(&x);

	/* bind */
	expect("bind: dmabuf UMEM, copy, XDP_USE_SG", bind_case(ubuf.fd, true, XDP_COPY | XDP_USE_SG), 0);
	expect("bind: no flags but XDP_USE_SG (copy is chosen)", bind_case(ubuf.fd, true, XDP_USE_SG), 0);
	expect("bind: dmabuf UMEM without XDP_USE_SG", bind_case(ubuf.fd, true, XDP_COPY), -EINVAL);
	expect("bind: dmabuf UMEM with XDP_ZEROCOPY", bind_case(ubuf.fd, true, XDP_ZEROCOPY | XDP_USE_SG), -EOPNOTSUPP);
	expect("bind: dmabuf UMEM without dmabuf rings", bind_case(ubuf.fd, false, XDP_USE_SG), -EINVAL);
	expect("bind: dmabuf rings without dmabuf UMEM", bind_case(-1, true, XDP_USE_SG), -EINVAL);
	expect("bind: dmabuf without CPU mapping, copy mode", bind_case(nocpu, true, XDP_USE_SG), -EOPNOTSUPP);
	expect("bind: plain UMEM still works", bind_case(-1, false, XDP_COPY), 0);
	/* Room to report every chunk the kernel may hold for a queue. */
	for (uint32_t n = 1; n <= XDP_UMEM_DMABUF_COMPLETION_MIN; n *= 2) {
		char what[80];

		snprintf(what, sizeof(what), "bind: dmabuf completion ring of %u entries", n);
		expect(what, bind_dcq(ubuf.fd, n), n < XDP_UMEM_DMABUF_COMPLETION_MIN ? -EINVAL : 0);
	}

	if (setup(&x, ubuf.fd, true) || bind_lo(&x, XDP_USE_SG)) {
		printf("FAIL set-up for after-bind cases\n");
		return 1;
	}
	expect("registration after bind", xsk_raw_dmabuf_reg(&x, ubuf.fd, 0, MB, PAGE), -EBUSY);
	expect("dmabuf fill ring after bind", xsk_raw_ring(&x, XDP_UMEM_DMABUF_FILL_RING, 64), -EBUSY);
	expect("mmap of all five rings after bind", xsk_raw_mmap(&x, true, true), 0);

	struct xdp_dmabuf_statistics st;

	expect("XDP_DMABUF_STATISTICS", xsk_raw_dmabuf_stats(&x, &st), 0);
	xsk_raw_close(&x);

	/* XDP_MMAP_OFFSETS: each caller gets the layout it sized for. */
	setup(&x, ubuf.fd, true);
	struct xdp_mmap_offsets_v2 v2;
	struct xdp_mmap_offsets v;
	socklen_t len;

	len = sizeof(v2);
	expect("XDP_MMAP_OFFSETS v2", getsockopt(x.fd, SOL_XDP, XDP_MMAP_OFFSETS, &v2, &len) ? -errno : 0, 0);
	expect("  returns the v2 size", (int)len, (int)sizeof(v2));
	expect("  dmabuf fill ring laid out like the fill ring", (int)v2.dfr.desc, (int)v2.fr.desc);
	len = sizeof(v);
	expect("XDP_MMAP_OFFSETS with the old struct", getsockopt(x.fd, SOL_XDP, XDP_MMAP_OFFSETS, &v, &len) ? -errno : 0, 0);
	expect("  returns the old size", (int)len, (int)sizeof(v));
	len = sizeof(v) - 4 * sizeof(__u64) + 0;
	len = 4 * 3 * sizeof(__u64);	/* struct xdp_mmap_offsets_v1 */
	expect("XDP_MMAP_OFFSETS v1", getsockopt(x.fd, SOL_XDP, XDP_MMAP_OFFSETS, &v, &len) ? -errno : 0, 0);
	expect("  returns the v1 size", (int)len, 4 * 3 * (int)sizeof(__u64));
	xsk_raw_close(&x);

	umem_socket(&x);
	expect("XDP_DMABUF_STATISTICS without a dmabuf UMEM", xsk_raw_dmabuf_stats(&x, &st), -EINVAL);
	xsk_raw_close(&x);

	/* The socket holds its own reference: the fd may go first. */
	umem_socket(&x);
	int dup_fd = dup(ubuf.fd);

	expect("registration, then the dmabuf fd closed", xsk_raw_dmabuf_reg(&x, dup_fd, 0, MB, PAGE), 0);
	close(dup_fd);
	expect("  the area is still there", live_areas() >= 1, 1);
	xsk_raw_close(&x);

	/* Sockets go away in RCU callbacks and work items: wait for it. */
	int n = -1;

	for (int i = 0; i < 100 && (n = live_areas()); i++)
		usleep(50 * 1000);
	expect("no dmabuf area outlives its sockets", n, 0);

	close(nocpu);
	udmabuf_destroy(&ubuf);
	printf("%s\n", fails ? "FAILED" : "all cases passed");
	return fails ? 1 : 0;
}
