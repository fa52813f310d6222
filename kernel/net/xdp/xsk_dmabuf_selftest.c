// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only knobs for AF_XDP dmabuf UMEM, in debugfs under xsk_dmabuf/.
 *
 * inject_warn	writing a non-zero value triggers one WARN. The selftest
 *		harness uses it to prove that a run fails when the kernel
 *		warns, even if every test passed. Nothing is armed until
 *		the file is written.
 */

#define pr_fmt(fmt) "xsk_dmabuf: " fmt

#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/init.h>

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
	debugfs_create_file_unsafe("inject_warn", 0200, dir, NULL,
				   &xsk_dmabuf_inject_warn_fops);
	return 0;
}
late_initcall(xsk_dmabuf_selftest_init);
