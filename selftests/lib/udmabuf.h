/* SPDX-License-Identifier: GPL-2.0 */
/*
 * udmabuf for the tests: a sealed memfd turned into a dmabuf, the device
 * memory of every test (no GPU here), mapped for the CPU to check payloads.
 */
#ifndef XSK_SELFTEST_UDMABUF_H
#define XSK_SELFTEST_UDMABUF_H

#include <stddef.h>
#include <stdint.h>

struct udmabuf {
	int fd;		/* the dmabuf */
	int memfd;
	size_t size;
	uint8_t *map;	/* mmap of the dmabuf, PROT_READ | PROT_WRITE */
};

/* Returns 0 or -errno (with a message on stderr). */
int udmabuf_create(struct udmabuf *u, size_t size);
void udmabuf_destroy(struct udmabuf *u);

#endif
