// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"

int netns_enter(const char *name)
{
	char path[256];
	int self, ns, err = 0;

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWNET))
		err = -errno;
	if (ns >= 0)
		close(ns);
	if (err) {
		close(self);
		return err;
	}
	return self;
}

int netns_leave(int saved)
{
	int err = setns(saved, CLONE_NEWNET) ? -errno : 0;

	close(saved);
	return err;
}

int netns_ifindex(const char *name, const char *ifname)
{
	int saved = netns_enter(name), idx;

	if (saved < 0)
		return saved;
	idx = if_nametoindex(ifname);
	netns_leave(saved);
	return idx;
}

int xsk_bind_index(int fd, int ifindex, uint32_t queue, uint16_t flags)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_flags = flags,
		.sxdp_ifindex = ifindex,
		.sxdp_queue_id = queue,
	};

	return bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) ? -errno : 0;
}
