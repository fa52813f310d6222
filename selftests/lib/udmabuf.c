// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "udmabuf.h"

int udmabuf_create(struct udmabuf *u, size_t size)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int dev, err;

	memset(u, 0, sizeof(*u));
	u->fd = u->memfd = -1;
	u->memfd = memfd_create("xsk-devmem-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (u->memfd < 0 || ftruncate(u->memfd, size) ||
	    fcntl(u->memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		err = -errno;
		fprintf(stderr, "udmabuf: memfd of %zu bytes: %s\n", size, strerror(errno));
		goto err;
	}
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		err = -errno;
		fprintf(stderr, "udmabuf: /dev/udmabuf: %s\n", strerror(errno));
		goto err;
	}
	create.memfd = u->memfd;
	u->fd = ioctl(dev, UDMABUF_CREATE, &create);
	err = -errno;
	close(dev);
	if (u->fd < 0) {
		fprintf(stderr, "udmabuf: UDMABUF_CREATE: %s\n", strerror(-err));
		goto err;
	}
	u->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, u->fd, 0);
	if (u->map == MAP_FAILED) {
		err = -errno;
		u->map = NULL;
		fprintf(stderr, "udmabuf: mmap: %s\n", strerror(errno));
		goto err;
	}
	u->size = size;
	return 0;
err:
	udmabuf_destroy(u);
	return err;
}

void udmabuf_destroy(struct udmabuf *u)
{
	if (u->map)
		munmap(u->map, u->size);
	if (u->fd >= 0)
		close(u->fd);
	if (u->memfd >= 0)
		close(u->memfd);
	u->map = NULL;
	u->fd = u->memfd = -1;
}
