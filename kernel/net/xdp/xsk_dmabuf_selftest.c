// SPDX-License-Identifier: GPL-2.0
/*
 * Test knobs for AF_XDP dmabuf UMEM, in debugfs under xsk_dmabuf/.
 *
 * areas	the live dmabuf areas, one per line, with the number of
 *		chunks owned by user space and by the kernel; the selftests
 *		check that every chunk comes back and that no area outlives
 *		its sockets.
 * nocpu_dmabuf	reading it creates a 128 GiB dmabuf whose exporter offers
 *		no CPU mapping and has no memory behind it, installs it in
 *		the reader's file table and returns the fd number as text:
 *		the dmabuf that copy mode must refuse, and one large enough
 *		to register an area of more chunks than a UMEM may have.
 * inject_warn	writing a non-zero value triggers one WARN. The selftest
 *		harness uses it to prove that a run fails when the kernel
 *		warns, even if every test passed.
 * unbind_delay_ms	milliseconds a buffer pool waits, when its device goes
 *		away, before it returns its dmabuf chunks: holds open the
 *		moment in which user space must not yet be told that the
 *		device is gone.
 *
 * Nothing here runs until a file is read or written.
 */

#define pr_fmt(fmt) "xsk_dmabuf: " fmt

#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/init.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>

#include "xsk_dmabuf.h"

static int xsk_dmabuf_areas_show(struct seq_file *m, void *unused)
{
	xsk_dmabuf_show_areas(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xsk_dmabuf_areas);

static struct sg_table *xsk_nocpu_map(struct dma_buf_attachment *attach,
				      enum dma_data_direction dir)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void xsk_nocpu_unmap(struct dma_buf_attachment *attach,
			    struct sg_table *sgt, enum dma_data_direction dir)
{
}

static void xsk_nocpu_release(struct dma_buf *dmabuf)
{
}

/* An exporter with neither vmap nor begin_cpu_access, like device memory
 * the CPU cannot reach. It has no memory behind it, and no state either:
 * every dmabuf of it shares one private pointer.
 */
static int xsk_nocpu_priv;

static const struct dma_buf_ops xsk_nocpu_ops = {
	.map_dma_buf = xsk_nocpu_map,
	.unmap_dma_buf = xsk_nocpu_unmap,
	.release = xsk_nocpu_release,
};

static ssize_t xsk_nocpu_dmabuf_read(struct file *file, char __user *buf,
				     size_t count, loff_t *ppos)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;
	char text[16];
	int fd, len;

	if (*ppos)
		return 0;

	exp_info.ops = &xsk_nocpu_ops;
	exp_info.priv = &xsk_nocpu_priv;
	exp_info.size = SZ_128G;
	exp_info.flags = O_RDWR;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	fd = dma_buf_fd(dmabuf, O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	len = scnprintf(text, sizeof(text), "%d\n", fd);
	return simple_read_from_buffer(buf, count, ppos, text, len);
}

static const struct file_operations xsk_nocpu_dmabuf_fops = {
	.owner = THIS_MODULE,
	.read = xsk_nocpu_dmabuf_read,
};

static int xsk_dmabuf_inject_warn_set(void *data, u64 val)
{
	WARN(val, "xsk_dmabuf: warning injected through debugfs\n");
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(xsk_dmabuf_inject_warn_fops, NULL,
			 xsk_dmabuf_inject_warn_set, "%llu\n");

static int __init xsk_dmabuf_selftest_init(void)
{
	struct dentry *dir;

	dir = debugfs_create_dir("xsk_dmabuf", NULL);
	debugfs_create_file("areas", 0400, dir, NULL, &xsk_dmabuf_areas_fops);
	debugfs_create_file("nocpu_dmabuf", 0400, dir, NULL,
			    &xsk_nocpu_dmabuf_fops);
	debugfs_create_file_unsafe("inject_warn", 0200, dir, NULL,
				   &xsk_dmabuf_inject_warn_fops);
	debugfs_create_u32("unbind_delay_ms", 0600, dir,
			   &xsk_dmabuf_unbind_delay_ms);
	return 0;
}
late_initcall(xsk_dmabuf_selftest_init);
