// SPDX-License-Identifier: GPL-2.0
/*
 * lib_nopatch: libxsk-devmem on a kernel without the xsk-devmem patch set
 * (this host's own kernel): the calls that need the patch fail with the
 * documented -errno and say why in words; bad inputs fail before the
 * kernel is asked and leave nothing behind (no fd, no mapping). Skips
 * (exit 4) where the kernel has the patch or AF_XDP is not available.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "xsk_devmem.h"



/* umem__create must fail with err, say msg, and leave the fd count alone. */
static void umem_fails(struct xsk_devmem_dmabuf *d, const struct xsk_devmem_umem_config *c,
		       int err, const char *msg)
{
	struct xsk_devmem_umem *u = NULL;
	int fds = open_fds(), ret;

	ret = xsk_devmem_umem__create(&u, NULL, 0, d, c);
	CHECK(ret == err, "want %d (%s), got %d: %s", err, msg, ret, xsk_devmem_errmsg());
	CHECK(strstr(xsk_devmem_errmsg(), msg), "message '%s' lacks '%s'", xsk_devmem_errmsg(),
	      msg);
	CHECK(open_fds() == fds, "fd count %d -> %d", fds, open_fds());
	CHECK(!u, "handle set on failure");
	printf("ok: %d: %s\n", ret, xsk_devmem_errmsg());
}

int main(void)
{
	struct xsk_devmem_kernel_info ki;
	struct xsk_devmem_iface_info ii;
	struct xsk_devmem_dmabuf *d;
	char buf[128];
	int memfd;

	xsk_devmem_set_print(NULL);	/* the test prints the messages */
	if (xsk_devmem_probe_kernel(&ki) || !ki.af_xdp) {
		printf("SKIP: no AF_XDP here: %s\n", xsk_devmem_errmsg());
		return 4;
	}
	if (ki.dmabuf_umem) {
		printf("SKIP: this kernel has the xsk-devmem patch set\n");
		return 4;
	}
	printf("kernel: af_xdp %d dmabuf_umem %d split_kfunc %d udmabuf %d\n", ki.af_xdp,
	       ki.dmabuf_umem, ki.split_kfunc, ki.udmabuf);

	/* A memfd stands in for the dmabuf: the kernel never gets to look. */
	memfd = memfd_create("not-a-dmabuf", MFD_CLOEXEC);
	CHECK(memfd >= 0 && !ftruncate(memfd, 1 << 20), "memfd");
	CHECK(!xsk_devmem_dmabuf__from_fd(&d, memfd, 0), "from_fd: %s", xsk_devmem_errmsg());
	CHECK(xsk_devmem_dmabuf__size(d) == 1 << 20, "size");

	umem_fails(d, NULL, -ENOPROTOOPT, "lacks the xsk-devmem patch set");
	umem_fails(d, &(struct xsk_devmem_umem_config){ .chunk_size = 1000 }, -EINVAL,
		   "must be a power of two");
	umem_fails(d, &(struct xsk_devmem_umem_config){ .chunk_size = 2048 }, -EINVAL,
		   "at least the page size");
	umem_fails(d, &(struct xsk_devmem_umem_config){ .dmabuf_offset = 2 << 20 }, -ERANGE,
		   "outside the dmabuf");
	umem_fails(d, &(struct xsk_devmem_umem_config){ .dmabuf_len = 2 << 20 }, -ERANGE,
		   "outside the dmabuf");
	umem_fails(d, &(struct xsk_devmem_umem_config){ .dmabuf_offset = 100 }, -EINVAL,
		   "multiples of the chunk size");
	umem_fails(d, &(struct xsk_devmem_umem_config){ .fill_size = 1000 }, -EINVAL,
		   "powers of two");
	umem_fails(d, &(struct xsk_devmem_umem_config){ .dmabuf_comp_size = 16 }, -EINVAL,
		   "needs at least 32 entries");
	umem_fails(d, &(struct xsk_devmem_umem_config){ .flags = 1 }, -EINVAL,
		   "none are defined");
	xsk_devmem_dmabuf__delete(d);
	CHECK(fcntl(memfd, F_GETFD) >= 0, "from_fd without TAKE_FD closed the caller's fd");
	close(memfd);

	CHECK(xsk_devmem_dmabuf__from_fd(&d, -1, 0) == -EINVAL, "fd -1");
	CHECK(xsk_devmem_dmabuf__create_udmabuf(&d, 1000) == -EINVAL &&
	      strstr(xsk_devmem_errmsg(), "multiple of the page size"), "udmabuf size");
	if (!ki.udmabuf)
		CHECK(xsk_devmem_dmabuf__create_udmabuf(&d, 1 << 20) == -ENOENT &&
		      strstr(xsk_devmem_errmsg(), "CONFIG_UDMABUF"), "no /dev/udmabuf: %s",
		      xsk_devmem_errmsg());

	CHECK(xsk_devmem_probe_iface("xskd-none0", &ii) == -ENODEV &&
	      strstr(xsk_devmem_errmsg(), "'xskd-none0' does not exist"), "missing iface: %s",
	      xsk_devmem_errmsg());
	CHECK(!xsk_devmem_probe_iface("lo", &ii) && ii.rx_queues >= 1 && ii.copy,
	      "lo: %s", xsk_devmem_errmsg());
	printf("lo: %u rx queue(s), xdp features %#llx (known %d), zero-copy %d\n",
	       ii.rx_queues, (unsigned long long)ii.xdp_features, ii.features_known,
	       ii.zerocopy);
	CHECK(strstr(xsk_devmem_strerror(-ENOPROTOOPT, buf, sizeof(buf)), "patch set"),
	      "strerror: %s", buf);

	return check_report("lib_nopatch");
}
