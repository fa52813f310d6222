/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk_devmem_msg.h - messages of libxsk-devmem (xsk_devmem_msg.c): every
 * file of the library words its errors through these; the words go to the
 * print callback and stay in xsk_devmem_errmsg().
 */
#ifndef XSK_DEVMEM_MSG_H
#define XSK_DEVMEM_MSG_H

#include "xsk_devmem.h"

/* Record what went wrong in words and print it; returns err (a -errno). */
int xdm_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand a message to the print callback. */
void xdm_pr(enum xsk_devmem_print_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* XSK_DEVMEM_MSG_H */
