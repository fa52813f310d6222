/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For tracing programs that pick one device by the name user space set in
 * their read-only data: the name of a struct net_device, read through
 * CO-RE (only the field read, relocated against the kernel's BTF).
 */
#ifndef XSK_SELFTEST_DEV_NAME_BPF_H
#define XSK_SELFTEST_DEV_NAME_BPF_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define DEV_NAME_SIZE	16	/* IFNAMSIZ */

struct net_device {
	char name[DEV_NAME_SIZE];
} __attribute__((preserve_access_index));

/* Whether @dev is named @want (NUL-terminated within DEV_NAME_SIZE). A
 * name that cannot be read matches nothing.
 */
static __always_inline bool dev_name_is(const struct net_device *dev,
					const volatile char *want)
{
	char name[DEV_NAME_SIZE];

	if (bpf_probe_read_kernel(name, sizeof(name), dev->name))
		return false;
	for (int i = 0; i < DEV_NAME_SIZE; i++) {
		if (name[i] != want[i])
			return false;
		if (!name[i])
			break;
	}
	return true;
}

#endif
