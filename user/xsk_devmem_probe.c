// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xsk_devmem_probe.c - what the running kernel and an interface support,
 * asked the way that changes nothing: a throw-away AF_XDP socket for the
 * kernel, rtnetlink and the netdev generic netlink family for interfaces
 * (both answer for the caller's network namespace, unlike /sys).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/netdev.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "xsk_devmem_msg.h"
#include "xsk_devmem_probe.h"

/* --- netlink: one request, one answer ------------------------------------ */

struct nl_req {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct genlmsghdr genl;
	};
	char attrs[64];
};

static void nl_put(struct nl_req *r, __u16 type, const void *data, __u16 len)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* Send r on a new socket of proto; the answer goes into buf. */
static int nl_talk(int proto, struct nl_req *r, char *buf, size_t len, struct nlmsghdr **out)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nh;
	int fd, n, err = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	r->nh.nlmsg_flags = NLM_F_REQUEST;
	r->nh.nlmsg_seq = 1;
	if (sendto(fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, buf, len, 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (unsigned int)n)) {
		err = -EIO;
	} else if (nh->nlmsg_type == NLMSG_ERROR) {
		err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
		if (!err)
			err = -ENOENT;
	} else {
		*out = nh;
	}
out:
	close(fd);
	return err;
}

/* Call fn for each attribute of a message whose fixed header is hdrlen. */
static void nl_attrs(struct nlmsghdr *nh, size_t hdrlen,
		     void (*fn)(const struct nlattr *a, void *arg), void *arg)
{
	const char *p = (const char *)NLMSG_DATA(nh) + NLMSG_ALIGN(hdrlen);
	const char *end = (const char *)nh + nh->nlmsg_len;

	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		fn(a, arg);
		p += NLA_ALIGN(a->nla_len);
	}
}

static __u32 nla_u32(const struct nlattr *a)
{
	__u32 v;

	memcpy(&v, (const char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

static __u64 nla_u64(const struct nlattr *a)
{
	size_t len = (size_t)a->nla_len - NLA_HDRLEN;
	__u64 v = 0;

	memcpy(&v, (const char *)a + NLA_HDRLEN, len < sizeof(v) ? len : sizeof(v));
	return v;
}

struct queues {
	__u32 rx, tx;
};

static void link_attr(const struct nlattr *a, void *arg)
{
	struct queues *q = arg;

	if (a->nla_type == IFLA_NUM_RX_QUEUES)
		q->rx = nla_u32(a);
	else if (a->nla_type == IFLA_NUM_TX_QUEUES)
		q->tx = nla_u32(a);
}

int xdm_queue_count(int ifindex, __u32 *rx, __u32 *tx)
{
	struct nl_req r = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
			.nlmsg_type = RTM_GETLINK },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex },
	};
	struct queues q = {};
	struct nlmsghdr *nh;
	char buf[16384];
	int err;

	err = nl_talk(NETLINK_ROUTE, &r, buf, sizeof(buf), &nh);
	if (err)
		return err;
	nl_attrs(nh, sizeof(struct ifinfomsg), link_attr, &q);
	*rx = q.rx;
	*tx = q.tx;
	return q.rx ? 0 : -ENOENT;
}

static void family_attr(const struct nlattr *a, void *arg)
{
	if (a->nla_type == CTRL_ATTR_FAMILY_ID)
		*(__u16 *)arg = (__u16)nla_u32(a);
}

static void dev_attr(const struct nlattr *a, void *arg)
{
	struct xsk_devmem_iface_info *info = arg;

	if (a->nla_type == NETDEV_A_DEV_XDP_FEATURES) {
		info->xdp_features = nla_u64(a);
		info->features_known = 1;
	} else if (a->nla_type == NETDEV_A_DEV_XDP_ZC_MAX_SEGS) {
		info->zc_max_segs = nla_u32(a);
	}
}

/* XDP features from the netdev family (Linux 6.3+); -errno if unknown. */
static int netdev_features(struct xsk_devmem_iface_info *info)
{
	struct nl_req r = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN), .nlmsg_type = GENL_ID_CTRL },
		.genl = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 },
	};
	struct nlmsghdr *nh;
	__u16 family = 0;
	char buf[8192];
	__u32 idx = info->ifindex;
	int err;

	nl_put(&r, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY_NAME, sizeof(NETDEV_FAMILY_NAME));
	err = nl_talk(NETLINK_GENERIC, &r, buf, sizeof(buf), &nh);
	if (err)
		return err;
	nl_attrs(nh, GENL_HDRLEN, family_attr, &family);
	if (!family)
		return -ENOENT;
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r.nh.nlmsg_type = family;
	r.genl.cmd = NETDEV_CMD_DEV_GET;
	r.genl.version = 1;
	nl_put(&r, NETDEV_A_DEV_IFINDEX, &idx, sizeof(idx));
	err = nl_talk(NETLINK_GENERIC, &r, buf, sizeof(buf), &nh);
	if (err)
		return err;
	nl_attrs(nh, GENL_HDRLEN, dev_attr, info);
	return 0;
}

int xsk_devmem_probe_iface(const char *ifname, struct xsk_devmem_iface_info *info)
{
	int err;

	memset(info, 0, sizeof(*info));
	info->ifindex = if_nametoindex(ifname);
	if (!info->ifindex)
		return xdm_err(-ENODEV, "interface '%s' does not exist (in this network "
			       "namespace)", ifname);
	err = xdm_queue_count(info->ifindex, &info->rx_queues, &info->tx_queues);
	if (err)
		return xdm_err(err, "%s: cannot read its queue count: %s", ifname,
			       strerror(-err));
	netdev_features(info);	/* optional: older kernels do not know it */
	info->copy = 1;
	info->zerocopy = !!(info->xdp_features & NETDEV_XDP_ACT_XSK_ZEROCOPY);
	return 0;
}

/* --- the kernel ----------------------------------------------------------- */

__u64 xdm_udmabuf_limit(void)
{
	unsigned long long mb = 0;
	FILE *f = fopen("/sys/module/udmabuf/parameters/size_limit_mb", "r");

	if (f) {
		if (fscanf(f, "%llu", &mb) != 1)
			mb = 0;
		fclose(f);
	}
	return mb << 20;
}

/*
 * Ask for a dmabuf fill ring of 0 entries on a fresh socket: a kernel with
 * the patch set refuses the size (EINVAL), one without does not know the
 * option (ENOPROTOOPT). Not XDP_UMEM_DMABUF_REG: Linux 6.17+ uses option 9
 * for XDP_MAX_TX_SKB_BUDGET, so an unpatched new kernel answers EINVAL.
 * Returns 1 (patch), 0 (no patch), -errno (no AF_XDP socket).
 */
int xdm_probe_dmabuf_umem(void)
{
	__u32 entries = 0;
	int fd, ret;

	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = setsockopt(fd, SOL_XDP, XDP_UMEM_DMABUF_FILL_RING, &entries, sizeof(entries));
	ret = ret && errno == ENOPROTOOPT ? 0 : 1;
	close(fd);
	return ret;
}

int xsk_devmem_probe_kernel(struct xsk_devmem_kernel_info *info)
{
	struct btf *btf;
	int fd, ret;

	memset(info, 0, sizeof(*info));
	ret = xdm_probe_dmabuf_umem();
	info->af_xdp = ret >= 0;
	info->dmabuf_umem = ret > 0;
	btf = btf__load_vmlinux_btf();
	if (!libbpf_get_error(btf)) {
		info->split_kfunc = btf__find_by_name_kind(btf, "bpf_xsk_dmabuf_set_split",
							   BTF_KIND_FUNC) > 0;
		btf__free(btf);
	}
	fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	info->udmabuf = fd >= 0;
	if (fd >= 0)
		close(fd);
	info->udmabuf_size_limit = xdm_udmabuf_limit();
	if (ret < 0 && !info->af_xdp)
		return xdm_err(ret, "probe: cannot create an AF_XDP socket: %s%s", strerror(-ret),
			       ret == -EPERM ? " (needs CAP_NET_RAW)" : "");
	return 0;
}
