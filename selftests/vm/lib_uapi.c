// SPDX-License-Identifier: GPL-2.0
/*
 * lib_uapi: the UAPI cases of the kernel issue, repeated through the
 * libxsk-devmem API on the patched kernel. Each error case must give the
 * documented -errno, a message naming what is wrong, and leave no fd
 * behind; after the failures the same objects still work.
 *
 * Cases the API cannot express (dmabuf before XDP_UMEM_REG, registering
 * twice, after bind, binding without XDP_USE_SG) are ruled out by the
 * library's set-up order; the kernel's own UAPI test covers them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "xsk_devmem.h"



static void umem_case(const char *name, struct xsk_devmem_dmabuf *d,
		      const struct xsk_devmem_umem_config *c, int err, const char *msg)
{
	struct xsk_devmem_umem *u = NULL;
	int fds = open_fds(), ret = xsk_devmem_umem__create(&u, NULL, 0, d, c);

	CHECK(ret == err, "%s: want %d, got %d (%s)", name, err, ret, xsk_devmem_errmsg());
	CHECK(!err || strstr(xsk_devmem_errmsg(), msg), "%s: message '%s' lacks '%s'", name,
	      xsk_devmem_errmsg(), msg);
	CHECK(!err || open_fds() == fds, "%s: fds %d -> %d", name, fds, open_fds());
	printf("%s %-28s %d: %s\n", ret == err ? "ok  " : "FAIL", name, ret, err ? xsk_devmem_errmsg() : "registered");
	if (!ret)
		xsk_devmem_umem__delete(u);
}

static void socket_case(const char *name, struct xsk_devmem_umem *u, const char *ifname,
			__u32 queue, enum xsk_devmem_mode mode, int err, const char *msg)
{
	struct xsk_devmem_socket_config c = { .mode = mode,
					      .flags = XSK_DEVMEM_SOCKET_F_NO_XSKMAP };
	struct xsk_devmem_socket *x = NULL;
	int ret = xsk_devmem_socket__create(&x, ifname, queue, u, &c);

	CHECK(ret == err, "%s: want %d, got %d (%s)", name, err, ret, xsk_devmem_errmsg());
	CHECK(!msg || strstr(xsk_devmem_errmsg(), msg), "%s: message '%s' lacks '%s'", name,
	      xsk_devmem_errmsg(), msg);
	printf("%s %-28s %d: %s\n", ret == err ? "ok  " : "FAIL", name, ret, ret ? xsk_devmem_errmsg() : "bound");
	if (!ret) {
		struct xsk_devmem_stats st;
		struct xsk_devmem_pkt pkts[4];
		struct xsk_devmem_seg segs[4];

		CHECK(xsk_devmem_socket__mode(x) == XSK_DEVMEM_MODE_COPY, "%s: mode %s", name,
		      xsk_devmem_mode_str(xsk_devmem_socket__mode(x)));
		CHECK(!xsk_devmem_socket__stats(x, &st, sizeof(st)) && !st.packets &&
		      !st.dmabuf_fill_invalid_descs, "%s: stats", name);
		/* The in-order calls on an idle socket: nothing to peek,
		 * nothing held to release. */
		CHECK(!xsk_devmem_socket__peek(x, pkts, 4, segs, 4) &&
		      !xsk_devmem_socket__release_peeked(x, 0), "%s: idle peek", name);
		ret = xsk_devmem_socket__release_peeked(x, 1);
		CHECK(ret == -EINVAL && strstr(xsk_devmem_errmsg(), "only 0 are held"),
		      "%s: release_peeked of none held: %d (%s)", name, ret, xsk_devmem_errmsg());
		xsk_devmem_socket__delete(x);
	}
}

int main(void)
{
	struct xsk_devmem_kernel_info ki;
	struct xsk_devmem_dmabuf *d, *closed;
	struct xsk_devmem_umem *u;
	int memfd, fd, fds;

	xsk_devmem_set_print(NULL);	/* the test prints the messages */
	xsk_devmem_probe_kernel(&ki);
	if (!ki.dmabuf_umem) {
		printf("SKIP: kernel without the xsk-devmem patch set\n");
		return 4;
	}
	CHECK(ki.udmabuf, "no /dev/udmabuf in the guest");
	CHECK(ki.split_kfunc, "no split kfunc in the kernel BTF");
	fds = open_fds();
	CHECK(!xsk_devmem_dmabuf__create_udmabuf(&d, 8 << 20), "udmabuf: %s", xsk_devmem_errmsg());
	CHECK(xsk_devmem_dmabuf__data(d), "udmabuf not mapped");

	/* Bad fd: a dmabuf object whose fd was closed behind its back (a
	 * high number, so that the UMEM's own socket does not reuse it). */
	fd = fcntl(xsk_devmem_dmabuf__fd(d), F_DUPFD_CLOEXEC, 900);
	CHECK(!xsk_devmem_dmabuf__from_fd(&closed, fd, 0), "from_fd");
	close(fd);
	umem_case("bad fd", closed, NULL, -EBADF, "not an open file");
	xsk_devmem_dmabuf__delete(closed);

	/* Not a dmabuf: a memfd. */
	memfd = memfd_create("plain", MFD_CLOEXEC);
	CHECK(!ftruncate(memfd, 8 << 20), "ftruncate");
	CHECK(!xsk_devmem_dmabuf__from_fd(&closed, memfd, XSK_DEVMEM_DMABUF_F_TAKE_FD), "memfd");
	umem_case("fd not a dmabuf", closed, NULL, -EINVAL, "is not a dmabuf");
	xsk_devmem_dmabuf__delete(closed);

	umem_case("offset outside", d, &(struct xsk_devmem_umem_config){
		  .dmabuf_offset = 8 << 20 }, -ERANGE, "outside the dmabuf");
	umem_case("length outside", d, &(struct xsk_devmem_umem_config){
		  .dmabuf_offset = 4096, .dmabuf_len = 8 << 20 }, -ERANGE, "outside the dmabuf");
	umem_case("chunk not a power of two", d, &(struct xsk_devmem_umem_config){
		  .chunk_size = 12288 }, -EINVAL, "power of two");
	umem_case("chunk below page size", d, &(struct xsk_devmem_umem_config){
		  .chunk_size = 2048 }, -EINVAL, "at least the page size");
	umem_case("misaligned offset", d, &(struct xsk_devmem_umem_config){
		  .dmabuf_offset = 512 }, -EINVAL, "multiples of the chunk size");
	umem_case("misaligned length", d, &(struct xsk_devmem_umem_config){
		  .dmabuf_len = 6000 }, -EINVAL, "multiples of the chunk size");
	umem_case("flags", d, &(struct xsk_devmem_umem_config){ .flags = 2 }, -EINVAL,
		  "none are defined");
	umem_case("chunk 8192, area inside", d, &(struct xsk_devmem_umem_config){
		  .chunk_size = 8192, .dmabuf_offset = 8192, .dmabuf_len = 1 << 20 }, 0, "");

	CHECK(!xsk_devmem_umem__create(&u, NULL, 0, d, &(struct xsk_devmem_umem_config){
		  .fill_size = 512, .comp_size = 512, .dmabuf_fill_size = 512,
		  .dmabuf_comp_size = 512 }), "umem: %s", xsk_devmem_errmsg());
	socket_case("interface missing", u, "xskd-none0", 0, XSK_DEVMEM_MODE_AUTO, -ENODEV,
		    "does not exist");
	socket_case("queue out of range", u, "lo", 7, XSK_DEVMEM_MODE_AUTO, -EINVAL,
		    "queue 7 out of range");
	/* The kernel's reason (XDP_DMABUF_INFO), worded. */
	socket_case("zero-copy forced", u, "lo", 0, XSK_DEVMEM_MODE_ZEROCOPY, -EOPNOTSUPP,
		    "zero copy on lo: the driver cannot restart an RX queue");
	/* After the failures, the same UMEM binds (auto ends in copy mode). */
	socket_case("auto on lo queue 0", u, "lo", 0, XSK_DEVMEM_MODE_AUTO, 0, NULL);
	CHECK(!xsk_devmem_umem__delete(u), "umem delete");
	xsk_devmem_dmabuf__delete(d);
	CHECK(open_fds() == fds, "fds %d -> %d at the end", fds, open_fds());

	return check_report("lib_uapi");
}
