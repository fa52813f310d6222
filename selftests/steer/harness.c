// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * harness.c - BPF_PROG_TEST_RUN runner for steer.bpf.o (see harness.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"

const char *steer_obj_path(const char *rel, char *buf, size_t len)
{
	const char *b = getenv("XSK_BUILD");

	snprintf(buf, len, "%s/%s", b ? b : "build", rel);
	return buf;
}

/* The tests never pin: every map of the object is its own. */
static void no_pinning(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
}

static int pin_cpu(struct steer_h *h)
{
	cpu_set_t set;

	h->cpu = sched_getcpu();
	if (h->cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(h->cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* libbpf's informational lines (e.g. about .xdp_run_config) are noise here. */
static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int steer_h_open(struct steer_h *h, const char *path)
{
	struct bpf_program *prog;
	int err;

	memset(h, 0, sizeof(*h));
	steer_maps_init(&h->maps);
	for (int i = 0; i < XSK_STEER_MAX_POLICIES; i++)
		h->chain_fd[i] = -1;
	libbpf_set_print(print_warnings);
	err = pin_cpu(h);
	if (err)
		return err;
	h->obj = bpf_object__open_file(path, NULL);
	if (!h->obj)
		return -errno;
	no_pinning(h->obj);
	err = bpf_object__load(h->obj);
	if (err)
		return err;
	prog = bpf_object__find_program_by_name(h->obj, "xsk_steer");
	if (!prog)
		return -ENOENT;
	h->prog_fd = bpf_program__fd(prog);
	return steer_maps_from_object(&h->maps, h->obj);
}

void steer_h_close(struct steer_h *h)
{
	for (int i = 0; i < XSK_STEER_MAX_POLICIES; i++)
		bpf_object__close(h->policy[i]);
	bpf_object__close(h->obj);
	memset(h, 0, sizeof(*h));
}

int steer_h_run_prog(int prog_fd, const void *pkt, size_t len, __u32 *ret)
{
	struct xdp_md ctx_in = { .data_end = len };
	LIBBPF_OPTS(bpf_test_run_opts, o,
		    .data_in = pkt, .data_size_in = len,
		    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	*ret = o.retval;
	return 0;
}

int steer_h_scratch(struct steer_h *h, struct xsk_steer_ctx *out, bool write)
{
	int ncpus = libbpf_num_possible_cpus();
	struct xsk_steer_ctx *sc;
	__u32 zero = 0;
	int err;

	sc = calloc(ncpus, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	err = bpf_map_lookup_elem(h->maps.scratch, &zero, sc) ? -errno : 0;
	if (!err && write) {
		sc[h->cpu] = *out;
		err = bpf_map_update_elem(h->maps.scratch, &zero, sc, BPF_ANY) ? -errno : 0;
	} else if (!err) {
		*out = sc[h->cpu];
	}
	free(sc);
	return err;
}

/* The chained policies after steer, while they pass the frame on. */
static int run_chain(struct steer_h *h, const void *pkt, size_t len, __u32 *ret)
{
	int err;

	for (int i = 0; i < XSK_STEER_MAX_POLICIES && *ret == XDP_PASS; i++) {
		if (h->chain_fd[i] < 0)
			continue;
		err = steer_h_run_prog(h->chain_fd[i], pkt, len, ret);
		if (err)
			return err;
	}
	return 0;
}

int steer_h_run(struct steer_h *h, const void *pkt, size_t len,
		struct steer_result *r)
{
	static __u8 out[sizeof(struct xsk_steer_meta) + STEER_H_FRAME_MAX];
	struct xdp_md ctx_in = { .data_end = len }, ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, o,
		    .data_in = pkt, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out),
		    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out),
		    .repeat = 1);
	struct xsk_steer_ctx sc;
	int err;

	memset(r, 0, sizeof(*r));
	if (len > STEER_H_FRAME_MAX)
		return -EMSGSIZE;
	if (bpf_prog_test_run_opts(h->prog_fd, &o))
		return -errno;
	r->ret = r->steer_ret = o.retval;
	/* a longer frame: the kernel's first buffer, then page-sized frags */
	r->linear = ctx_out.data_end - ctx_out.data;
	/* data_out starts at data_meta; ctx_out.data is the metadata length */
	if (ctx_out.data == sizeof(r->meta)) {
		r->has_meta = true;
		memcpy(&r->meta, out, sizeof(r->meta));
	} else if (ctx_out.data) {
		return -EPROTO;
	}
	err = steer_h_scratch(h, &r->sc, false);
	if (!err)
		err = run_chain(h, pkt, len, &r->ret);
	if (!err)
		err = steer_h_scratch(h, &sc, false);
	if (err)
		return err;
	r->pkt = sc.pkt;
	r->pending = sc.pending;
	return 0;
}

/* Open a policy object with h's maps, tell it its slot, load it. */
static int open_policy(struct steer_h *h, __u32 slot, const char *path,
		       struct bpf_object **objp, int *fdp)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map, *mine;
	int err;

	if (slot >= XSK_STEER_MAX_POLICIES)
		return -EINVAL;
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return -errno;
	no_pinning(obj);
	bpf_object__for_each_map(map, obj) {
		mine = bpf_object__find_map_by_name(h->obj, bpf_map__name(map));
		if (mine && (err = bpf_map__reuse_fd(map, bpf_map__fd(mine))))
			goto fail;
	}
	err = steer_policy_set_slot(obj, slot);
	if (!err)
		err = bpf_object__load(obj);
	if (err)
		goto fail;
	prog = bpf_object__next_program(obj, NULL);
	*fdp = prog ? bpf_program__fd(prog) : -1;
	if (*fdp < 0) {
		err = -ENOENT;
		goto fail;
	}
	bpf_object__close(h->policy[slot]);
	h->policy[slot] = obj;
	*objp = obj;
	return 0;
fail:
	bpf_object__close(obj);
	return err;
}

int steer_h_load_policy(struct steer_h *h, __u32 slot, const char *path)
{
	struct bpf_object *obj;
	int fd, err;

	err = open_policy(h, slot, path, &obj, &fd);
	if (!err && bpf_map_update_elem(h->maps.policies, &slot, &fd, BPF_ANY))
		err = -errno;
	return err;
}

int steer_h_chain_policy(struct steer_h *h, __u32 slot, const char *path)
{
	struct xsk_steer_slot s = { .progs = 1 };
	struct bpf_object *obj;
	int fd, err;

	err = open_policy(h, slot, path, &obj, &fd);
	if (!err && bpf_map_update_elem(h->maps.slots, &slot, &s, BPF_ANY))
		err = -errno;
	if (!err)
		h->chain_fd[slot] = fd;
	return err;
}

int steer_h_reset_counters(struct steer_h *h)
{
	int ncpus = libbpf_num_possible_cpus();
	void *zero = calloc(ncpus, sizeof(struct xsk_steer_stats));
	__u32 key = 0;
	int err = 0;

	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(h->maps.stats, &key, zero, BPF_ANY))
		err = -errno;
	for (key = 0; !err && key < XSK_STEER_MAX_COUNTERS; key++)
		err = steer_counter_reset(&h->maps, key);
	free(zero);
	return err;
}

#define CMP(f)								\
	do {								\
		if (a->f != b->f) {					\
			snprintf(why, len, #f ": %u != %u",		\
				 (unsigned int)a->f, (unsigned int)b->f); \
			return -1;					\
		}							\
	} while (0)

int steer_pkt_cmp(const struct xsk_steer_pkt *a, const struct xsk_steer_pkt *b,
		  char *why, size_t len)
{
	CMP(verdict);
	CMP(reason);
	CMP(family);
	CMP(proto);
	CMP(flags);
	CMP(l3_off);
	CMP(l4_off);
	CMP(l4_end);
	CMP(sport);
	CMP(dport);
	CMP(nr_vlans);
	CMP(vlan[0]);
	CMP(vlan[1]);
	CMP(len);
	if (memcmp(a->saddr, b->saddr, 16)) {
		snprintf(why, len, "saddr differs");
		return -1;
	}
	if (memcmp(a->daddr, b->daddr, 16)) {
		snprintf(why, len, "daddr differs");
		return -1;
	}
	return 0;
}

void steer_pkt_str(const struct xsk_steer_pkt *p, char *buf, size_t len)
{
	snprintf(buf, len,
		 "verdict %u reason %u family %u proto %u flags %#x l3 %u l4 %u "
		 "l4_end %u ports %u>%u vlans %u len %u",
		 p->verdict, p->reason, p->family, p->proto, p->flags, p->l3_off,
		 p->l4_off, p->l4_end, ntohs(p->sport), ntohs(p->dport),
		 p->nr_vlans, p->len);
}

void steer_hexdump(const void *buf, size_t len)
{
	const __u8 *b = buf;

	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%02x%s", b[i], (i % 16 == 15 || i + 1 == len) ? "\n" : " ");
}
