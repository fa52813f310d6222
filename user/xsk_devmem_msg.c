// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xsk_devmem_msg.c - the library's words: the print callback, the last
 * error of each thread, xsk_devmem_strerror(). The bottom of the library:
 * every other file calls in here, and this file calls nobody back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xsk_devmem_msg.h"

static int default_print(enum xsk_devmem_print_level level, const char *fmt, va_list ap)
{
	if (level != XSK_DEVMEM_WARN)
		return 0;
	fprintf(stderr, "libxsk-devmem: ");
	return vfprintf(stderr, fmt, ap);
}

static xsk_devmem_print_fn_t print_fn = default_print;
static __thread char errmsg[512];

xsk_devmem_print_fn_t xsk_devmem_set_print(xsk_devmem_print_fn_t fn)
{
	xsk_devmem_print_fn_t old = print_fn;

	print_fn = fn;
	return old;
}

const char *xsk_devmem_errmsg(void)
{
	return errmsg;
}

void xdm_pr(enum xsk_devmem_print_level level, const char *fmt, ...)
{
	va_list ap;

	if (!print_fn)
		return;
	va_start(ap, fmt);
	print_fn(level, fmt, ap);
	va_end(ap);
}

/* Record what went wrong in words; returns err (a -errno). */
int xdm_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	xdm_pr(XSK_DEVMEM_WARN, "%s\n", errmsg);
	return err;
}

const char *xsk_devmem_strerror(int err, char *buf, size_t size)
{
	static const struct { int err; const char *msg; } known[] = {
		{ ENOPROTOOPT, "the kernel has no dmabuf UMEM (the xsk-devmem patch set is missing)" },
		{ EAFNOSUPPORT, "the kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)" },
		{ ENODEV, "no such interface" },
		{ ENOBUFS, "not enough locked memory (RLIMIT_MEMLOCK) or buffer too small" },
		{ EPERM, "not permitted: AF_XDP needs CAP_NET_RAW, XDP programs and maps CAP_BPF and CAP_NET_ADMIN" },
		{ EOPNOTSUPP, "not supported in this mode: zero-copy needs driver support, copy mode a dmabuf the CPU can map" },
		{ EBUSY, "busy: the queue already has a socket, or the UMEM is in use" },
		{ ERANGE, "offset or length outside the dmabuf" },
	};

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (known[i].err == err) {
			snprintf(buf, size, "%s", known[i].msg);
			return buf;
		}
	}
	snprintf(buf, size, "%s", strerror(err));
	return buf;
}
