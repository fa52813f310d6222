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

/* Zero copy of a dmabuf UMEM on one queue, tried (xsk_devmem_probe_zc()). */
static void print_zc(const char *name, __u32 q, bool json)
{
	__u32 reason;
	int zc, err;

	err = xsk_devmem_probe_zc(name, q, &zc, &reason);
	if (json) {
		printf("%s{\"queue\":%u,\"dmabuf_zerocopy\":%s,\"zc_refusal\":%u", q ? "," : "",
		       q, !err && zc ? "true" : "false", reason);
		if (err || !zc)
			printf(",\"why\":\"%s\"", xsk_devmem_errmsg());
		printf("}");
		return;
	}
	if (err)
		printf("  queue %-3u dmabuf zero copy: could not probe: %s\n", q, xsk_devmem_errmsg());
	else if (zc)
		printf("  queue %-3u dmabuf zero copy: yes\n", q);
	else
		printf("  queue %-3u dmabuf zero copy: no (reason %u): %s\n", q, reason,
		       xsk_devmem_errmsg());
}

static void print_iface(const char *name, bool json, bool patch, bool first, bool probe)
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
		printf("]");
		if (probe && patch) {
			printf(",\"dmabuf_zc\":[");
			for (__u32 q = 0; q < ii.rx_queues; q++)
				print_zc(name, q, true);
			printf("]");
		}
		printf("}");
		return;
	}
	printf("%-16s ifindex %-4d queues 0-%u  copy: %s  zero-copy: %s%s  dmabuf UMEM: %s\n",
	       name, ii.ifindex, ii.rx_queues - 1, yes(ii.copy), yes(ii.zerocopy),
	       ii.features_known ? "" : " (driver features unknown)",
	       !patch ? "no (kernel)" : probe ? "copy mode; zero copy per queue:" :
	       "copy mode; zero copy where the driver takes a memory provider (--probe-zc)");
	for (__u32 q = 0; probe && patch && q < ii.rx_queues; q++)
		print_zc(name, q, false);
}

int cmd_info(int argc, char **argv)
{
	struct xsk_devmem_kernel_info ki;
	bool json = false, first = true, probe = false;
	int nnames = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--probe-zc")) {
			probe = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: xsk-devmem info [-j|--json] [--probe-zc] [IFACE...]\n"
			       "  what the kernel supports (AF_XDP, dmabuf UMEM of the xsk-devmem\n"
			       "  patch set, split kfunc, udmabuf) and the socket modes of each\n"
			       "  interface and queue (all interfaces when none is named)\n"
			       "  --probe-zc  try a dmabuf zero-copy bind on each queue and say\n"
			       "              why not; a queue that can restarts twice\n");
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
			print_iface(argv[i], json, ki.dmabuf_umem, first, probe);
			first = false;
		}
	} else {
		struct if_nameindex *all = if_nameindex();

		for (struct if_nameindex *p = all; p && p->if_index; p++) {
			print_iface(p->if_name, json, ki.dmabuf_umem, first, probe);
			first = false;
		}
		if (all)
			if_freenameindex(all);
	}
	if (json)
		printf("]}\n");
	return 0;
}
