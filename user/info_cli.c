// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * info_cli.c - `xsk-devmem info [IFACE...] [-j]`: what the running kernel
 * supports (AF_XDP, the dmabuf UMEM of the patch set, the split kfunc,
 * udmabuf) and which socket modes each interface and queue offers.
 */
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "xsk_devmem.h"

static const char *yes(int v)
{
	return v ? "yes" : "no";
}

static void print_iface(const char *name, bool json, bool patch, bool first)
{
	struct xsk_devmem_iface_info ii;

	if (xsk_devmem_probe_iface(name, &ii)) {
		if (json)
			printf("%s{\"name\":\"%s\",\"error\":\"%s\"}", first ? "" : ",", name,
			       xsk_devmem_errmsg());
		else
			printf("%-16s %s\n", name, xsk_devmem_errmsg());
		return;
	}
	if (json) {
		printf("%s{\"name\":\"%s\",\"ifindex\":%d,\"rx_queues\":%u,\"tx_queues\":%u,"
		       "\"xdp_features\":%llu,\"features_known\":%s,\"zc_max_segs\":%u,"
		       "\"queues\":[", first ? "" : ",", name, ii.ifindex, ii.rx_queues,
		       ii.tx_queues, (unsigned long long)ii.xdp_features,
		       ii.features_known ? "true" : "false", ii.zc_max_segs);
		for (__u32 q = 0; q < ii.rx_queues; q++)
			printf("%s{\"queue\":%u,\"copy\":%s,\"zerocopy\":%s,\"dmabuf\":%s}",
			       q ? "," : "", q, ii.copy ? "true" : "false",
			       ii.zerocopy ? "true" : "false", patch ? "\"copy\"" : "null");
		printf("]}");
		return;
	}
	printf("%-16s ifindex %-4d queues 0-%u  copy: %s  zero-copy: %s%s  dmabuf UMEM: %s\n",
	       name, ii.ifindex, ii.rx_queues - 1, yes(ii.copy), yes(ii.zerocopy),
	       ii.features_known ? "" : " (driver features unknown)",
	       patch ? "copy mode (zero-copy: not in this kernel yet)" : "no (kernel)");
}

int cmd_info(int argc, char **argv)
{
	struct xsk_devmem_kernel_info ki;
	bool json = false, first = true;
	int nnames = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: xsk-devmem info [-j|--json] [IFACE...]\n"
			       "  what the kernel supports (AF_XDP, dmabuf UMEM of the xsk-devmem\n"
			       "  patch set, split kfunc, udmabuf) and the socket modes of each\n"
			       "  interface and queue (all interfaces when none is named)\n");
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "xsk-devmem info: unknown option '%s'\n", argv[i]);
			return 2;
		} else {
			nnames++;
		}
	}
	xsk_devmem_set_print(NULL);
	xsk_devmem_probe_kernel(&ki);
	if (json)
		printf("{\"kernel\":{\"af_xdp\":%s,\"dmabuf_umem\":%s,\"split_kfunc\":%s,"
		       "\"udmabuf\":%s,\"udmabuf_size_limit\":%llu},\"interfaces\":[",
		       ki.af_xdp ? "true" : "false", ki.dmabuf_umem ? "true" : "false",
		       ki.split_kfunc ? "true" : "false", ki.udmabuf ? "true" : "false",
		       (unsigned long long)ki.udmabuf_size_limit);
	else
		printf("kernel: AF_XDP %s, dmabuf UMEM (xsk-devmem patch set) %s, split kfunc %s, "
		       "udmabuf %s (limit %llu MiB)\n", yes(ki.af_xdp), yes(ki.dmabuf_umem),
		       yes(ki.split_kfunc), yes(ki.udmabuf),
		       (unsigned long long)(ki.udmabuf_size_limit >> 20));
	if (nnames) {
		for (int i = 1; i < argc; i++) {
			if (argv[i][0] == '-')
				continue;
			print_iface(argv[i], json, ki.dmabuf_umem, first);
			first = false;
		}
	} else {
		struct if_nameindex *all = if_nameindex();

		for (struct if_nameindex *p = all; p && p->if_index; p++) {
			print_iface(p->if_name, json, ki.dmabuf_umem, first);
			first = false;
		}
		if (all)
			if_freenameindex(all);
	}
	if (json)
		printf("]}\n");
	return 0;
}
