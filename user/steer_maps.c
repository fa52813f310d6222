// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_maps.c - the maps of steer.bpf.o seen from user space.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "steer_maps.h"

const char *const steer_map_names[STEER_NR_MAPS] = {
	"steer_flows4", "steer_flows6", "steer_prefix4", "steer_prefix6",
	"steer_config", "steer_stats", "steer_counters", "steer_scratch",
	"steer_xsks", "steer_policies", "steer_slots",
};

static int *map_slot(struct steer_maps *m, int i)
{
	int *slots[STEER_NR_MAPS] = {
		&m->flows4, &m->flows6, &m->prefix4, &m->prefix6, &m->config,
		&m->stats, &m->counters, &m->scratch, &m->xsks, &m->policies,
		&m->slots,
	};

	return slots[i];
}

void steer_maps_init(struct steer_maps *m)
{
	for (int i = 0; i < STEER_NR_MAPS; i++)
		*map_slot(m, i) = -1;
}

int steer_maps_open_pinned(struct steer_maps *m, const char *dir)
{
	char path[4096];
	int err;

	steer_maps_init(m);
	for (int i = 0; i < STEER_NR_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, steer_map_names[i]);
		*map_slot(m, i) = bpf_obj_get(path);
		if (*map_slot(m, i) < 0) {
			err = -errno;
			steer_maps_close(m);
			return err;
		}
	}
	return 0;
}

/* For tests: the maps of an object loaded without pinning. */
int steer_maps_from_object(struct steer_maps *m, const struct bpf_object *obj)
{
	const struct bpf_map *map;

	steer_maps_init(m);
	for (int i = 0; i < STEER_NR_MAPS; i++) {
		map = bpf_object__find_map_by_name(obj, steer_map_names[i]);
		if (!map || bpf_map__fd(map) < 0)
			return -ENOENT;
		*map_slot(m, i) = bpf_map__fd(map);
	}
	return 0;
}

void steer_maps_close(struct steer_maps *m)
{
	for (int i = 0; i < STEER_NR_MAPS; i++) {
		if (*map_slot(m, i) >= 0)
			close(*map_slot(m, i));
		*map_slot(m, i) = -1;
	}
}

int steer_maps_unpin(const char *dir)
{
	char path[4096];
	int err = 0;

	for (int i = 0; i < STEER_NR_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, steer_map_names[i]);
		if (unlink(path) && errno != ENOENT)
			err = -errno;
	}
	if (!err && rmdir(dir) && errno != ENOENT && errno != ENOTEMPTY)
		err = -errno;
	return err;
}

/* --- policy objects and programs -------------------------------------- */

int steer_policy_set_slot(struct bpf_object *obj, __u32 slot)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, XSK_STEER_SLOT_SEC);

	if (!map)
		return -ENOENT;
	return bpf_map__set_initial_value(map, &slot, sizeof(slot));
}

/* Ids of the maps a program uses: *n of them into ids (at most max). */
static int prog_map_ids(int prog_fd, __u32 *ids, __u32 max, __u32 *n)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	info.nr_map_ids = max;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	*n = info.nr_map_ids < max ? info.nr_map_ids : max;
	return 0;
}

#define STEER_MAX_PROG_MAPS 64

bool steer_prog_uses_map(int prog_fd, int map_fd)
{
	__u32 ids[STEER_MAX_PROG_MAPS], n;
	struct bpf_map_info mi = {};
	__u32 len = sizeof(mi);

	if (bpf_obj_get_info_by_fd(map_fd, &mi, &len) ||
	    prog_map_ids(prog_fd, ids, STEER_MAX_PROG_MAPS, &n))
		return false;
	for (__u32 i = 0; i < n; i++)
		if (ids[i] == mi.id)
			return true;
	return false;
}

int steer_policy_slot_of(int prog_fd, __u32 *slot)
{
	__u32 ids[STEER_MAX_PROG_MAPS], n, zero = 0;
	int err;

	err = prog_map_ids(prog_fd, ids, STEER_MAX_PROG_MAPS, &n);
	for (__u32 i = 0; !err && i < n; i++) {
		struct bpf_map_info mi = {};
		__u32 len = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &len) &&
		    !strcmp(mi.name, XSK_STEER_SLOT_SEC) && mi.value_size == sizeof(*slot) &&
		    !bpf_map_lookup_elem(fd, &zero, slot)) {
			close(fd);
			return 0;
		}
		close(fd);
	}
	return err ? err : -ENOENT;
}

/* --- exact flows ------------------------------------------------------ */

static void flow4_key(const struct steer_flow *f, struct xsk_steer_flow4 *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(&k->saddr, f->saddr, 4);
	memcpy(&k->daddr, f->daddr, 4);
	k->sport = htons(f->sport);
	k->dport = htons(f->dport);
	k->proto = f->proto;
}

static void flow6_key(const struct steer_flow *f, struct xsk_steer_flow6 *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->saddr, f->saddr, 16);
	memcpy(k->daddr, f->daddr, 16);
	k->sport = htons(f->sport);
	k->dport = htons(f->dport);
	k->proto = f->proto;
}

static int ret_errno(int ret)
{
	return ret < 0 ? -errno : 0;
}

int steer_flow_add(const struct steer_maps *m, const struct steer_flow *f,
		   const struct xsk_steer_action *act)
{
	struct xsk_steer_flow4 k4;
	struct xsk_steer_flow6 k6;

	if (!steer_action_valid(act))
		return -EINVAL;
	if (f->family == 4) {
		flow4_key(f, &k4);
		return ret_errno(bpf_map_update_elem(m->flows4, &k4, act, BPF_ANY));
	}
	flow6_key(f, &k6);
	return ret_errno(bpf_map_update_elem(m->flows6, &k6, act, BPF_ANY));
}

int steer_flow_del(const struct steer_maps *m, const struct steer_flow *f)
{
	struct xsk_steer_flow4 k4;
	struct xsk_steer_flow6 k6;

	if (f->family == 4) {
		flow4_key(f, &k4);
		return ret_errno(bpf_map_delete_elem(m->flows4, &k4));
	}
	flow6_key(f, &k6);
	return ret_errno(bpf_map_delete_elem(m->flows6, &k6));
}

/*
 * Walk a hash or LPM map: fn(key, value) for every entry. The next key is
 * fetched before fn runs, so fn may delete the current one.
 */
static int map_walk(int fd, void *key, void *next, size_t key_size, void *val,
		    int (*fn)(const void *key, const void *val, void *arg),
		    void *arg)
{
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val))
			continue;	/* deleted meanwhile */
		err = fn(key, val, arg);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

struct flow_walk {
	steer_flow_fn fn;
	void *arg;
};

static int flow4_cb(const void *key, const void *val, void *arg)
{
	const struct xsk_steer_flow4 *k = key;
	struct flow_walk *w = arg;
	struct steer_flow f = {
		.family = 4, .proto = k->proto,
		.sport = ntohs(k->sport), .dport = ntohs(k->dport),
	};

	memcpy(f.saddr, &k->saddr, 4);
	memcpy(f.daddr, &k->daddr, 4);
	return w->fn(&f, val, w->arg);
}

static int flow6_cb(const void *key, const void *val, void *arg)
{
	const struct xsk_steer_flow6 *k = key;
	struct flow_walk *w = arg;
	struct steer_flow f = {
		.family = 6, .proto = k->proto,
		.sport = ntohs(k->sport), .dport = ntohs(k->dport),
	};

	memcpy(f.saddr, k->saddr, 16);
	memcpy(f.daddr, k->daddr, 16);
	return w->fn(&f, val, w->arg);
}

int steer_flow_foreach(const struct steer_maps *m, steer_flow_fn fn, void *arg)
{
	struct flow_walk w = { fn, arg };
	struct xsk_steer_flow4 k4, n4;
	struct xsk_steer_flow6 k6, n6;
	struct xsk_steer_action val;
	int err;

	err = map_walk(m->flows4, &k4, &n4, sizeof(k4), &val, flow4_cb, &w);
	if (err)
		return err;
	return map_walk(m->flows6, &k6, &n6, sizeof(k6), &val, flow6_cb, &w);
}

/* --- prefix rules ----------------------------------------------------- */

/* The LPM key of a prefix; host bits beyond the prefix are cleared. */
static int prefix_key(const struct steer_prefix *pf, void *key, int *fd,
		      const struct steer_maps *m)
{
	int bytes = pf->family == 4 ? 4 : 16;
	__u8 addr[16] = {};

	if (pf->plen > bytes * 8)
		return -EINVAL;
	if (pf->dir != XSK_STEER_DIR_SRC && pf->dir != XSK_STEER_DIR_DST)
		return -EINVAL;
	for (int bit = 0; bit < pf->plen; bit++)
		addr[bit / 8] |= pf->addr[bit / 8] & (0x80 >> (bit % 8));
	if (pf->family == 4) {
		struct xsk_steer_prefix4_key *k = key;

		memset(k, 0, sizeof(*k));
		k->prefixlen = 8 + pf->plen;
		k->dir = pf->dir;
		memcpy(k->addr, addr, 4);
		*fd = m->prefix4;
	} else {
		struct xsk_steer_prefix6_key *k = key;

		memset(k, 0, sizeof(*k));
		k->prefixlen = 8 + pf->plen;
		k->dir = pf->dir;
		memcpy(k->addr, addr, 16);
		*fd = m->prefix6;
	}
	return 0;
}

static int rule_find(const struct xsk_steer_prefix_val *v,
		     const struct xsk_steer_rule *r)
{
	for (int i = 0; i < v->nr && i < XSK_STEER_RULES_PER_PREFIX; i++) {
		if (v->rule[i].proto == r->proto &&
		    v->rule[i].dport_lo == r->dport_lo &&
		    v->rule[i].dport_hi == r->dport_hi)
			return i;
	}
	return -1;
}

int steer_rule_add(const struct steer_maps *m, const struct steer_prefix *pf,
		   const struct xsk_steer_rule *r)
{
	struct xsk_steer_prefix6_key key;	/* the larger of the two */
	struct xsk_steer_prefix_val v;
	int fd, err;

	if (r->dport_lo > r->dport_hi || !steer_action_valid(&r->act))
		return -EINVAL;
	err = prefix_key(pf, &key, &fd, m);
	if (err)
		return err;
	if (bpf_map_lookup_elem(fd, &key, &v)) {
		if (errno != ENOENT)
			return -errno;
		memset(&v, 0, sizeof(v));
		v.plen = pf->plen;
	}
	if (rule_find(&v, r) >= 0)
		return -EEXIST;
	if (v.nr >= XSK_STEER_RULES_PER_PREFIX)
		return -ENOSPC;
	v.rule[v.nr] = *r;
	v.rule[v.nr].pad = 0;
	v.rule[v.nr].pad2 = 0;
	v.nr++;
	return ret_errno(bpf_map_update_elem(fd, &key, &v, BPF_ANY));
}

int steer_rule_del(const struct steer_maps *m, const struct steer_prefix *pf,
		   const struct xsk_steer_rule *r)
{
	struct xsk_steer_prefix6_key key;
	struct xsk_steer_prefix_val v;
	int fd, err, i;

	err = prefix_key(pf, &key, &fd, m);
	if (err)
		return err;
	if (bpf_map_lookup_elem(fd, &key, &v))
		return -errno;
	i = rule_find(&v, r);
	if (i < 0)
		return -ENOENT;
	memmove(&v.rule[i], &v.rule[i + 1], (v.nr - i - 1) * sizeof(v.rule[0]));
	v.nr--;
	memset(&v.rule[v.nr], 0, sizeof(v.rule[0]));
	if (!v.nr)
		return ret_errno(bpf_map_delete_elem(fd, &key));
	return ret_errno(bpf_map_update_elem(fd, &key, &v, BPF_EXIST));
}

struct rule_walk {
	int family;
	steer_rule_fn fn;
	void *arg;
};

static int rule_cb(const void *key, const void *val, void *arg)
{
	const struct xsk_steer_prefix_val *v = val;
	struct rule_walk *w = arg;
	struct steer_prefix pf = { .family = w->family };
	int err;

	if (w->family == 4) {
		const struct xsk_steer_prefix4_key *k = key;

		pf.dir = k->dir;
		pf.plen = k->prefixlen - 8;
		memcpy(pf.addr, k->addr, 4);
	} else {
		const struct xsk_steer_prefix6_key *k = key;

		pf.dir = k->dir;
		pf.plen = k->prefixlen - 8;
		memcpy(pf.addr, k->addr, 16);
	}
	for (int i = 0; i < v->nr && i < XSK_STEER_RULES_PER_PREFIX; i++) {
		err = w->fn(&pf, &v->rule[i], w->arg);
		if (err)
			return err;
	}
	return 0;
}

int steer_rule_foreach(const struct steer_maps *m, steer_rule_fn fn, void *arg)
{
	/* the larger key for both families: rule_cb reads either */
	struct xsk_steer_prefix6_key key, next;
	struct rule_walk w = { 4, fn, arg };
	struct xsk_steer_prefix_val v;
	int err;

	err = map_walk(m->prefix4, &key, &next, sizeof(struct xsk_steer_prefix4_key),
		       &v, rule_cb, &w);
	if (err)
		return err;
	w.family = 6;
	return map_walk(m->prefix6, &key, &next, sizeof(key), &v, rule_cb, &w);
}

/* --- default action, counters ----------------------------------------- */

int steer_config_get(const struct steer_maps *m, struct xsk_steer_config *cfg)
{
	__u32 zero = 0;

	return ret_errno(bpf_map_lookup_elem(m->config, &zero, cfg));
}

int steer_config_set(const struct steer_maps *m, const struct xsk_steer_config *cfg)
{
	__u32 zero = 0;

	if (!steer_action_valid(&cfg->dflt) ||
	    (cfg->malformed_act != XSK_STEER_ACT_PASS &&
	     cfg->malformed_act != XSK_STEER_ACT_DROP))
		return -EINVAL;
	return ret_errno(bpf_map_update_elem(m->config, &zero, cfg, BPF_ANY));
}

/* Sum a per-CPU value of n __u64s over all possible CPUs. */
static int percpu_sum(int fd, __u32 key, __u64 *sum, size_t n)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *vals;

	if (ncpus < 0)
		return ncpus;
	vals = calloc(ncpus, n * sizeof(__u64));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	memset(sum, 0, n * sizeof(__u64));
	for (int c = 0; c < ncpus; c++)
		for (size_t i = 0; i < n; i++)
			sum[i] += vals[c * n + i];
	free(vals);
	return 0;
}

int steer_stats_read(const struct steer_maps *m, struct xsk_steer_stats *st)
{
	return percpu_sum(m->stats, 0, st->cnt, __XSK_STEER_STAT_MAX);
}

int steer_counter_read(const struct steer_maps *m, __u32 id,
		       struct xsk_steer_counter *c)
{
	__u64 v[2];
	int err;

	err = percpu_sum(m->counters, id, v, 2);
	if (err)
		return err;
	c->packets = v[0];
	c->bytes = v[1];
	return 0;
}

int steer_counter_reset(const struct steer_maps *m, __u32 id)
{
	int ncpus = libbpf_num_possible_cpus();
	struct xsk_steer_counter *zero;
	int err;

	if (ncpus < 0)
		return ncpus;
	zero = calloc(ncpus, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	err = ret_errno(bpf_map_update_elem(m->counters, &id, zero, BPF_ANY));
	free(zero);
	return err;
}

struct used_ids {
	unsigned char *used;
};

static void mark_used(struct used_ids *u, __u32 id)
{
	if (id < XSK_STEER_MAX_COUNTERS)
		u->used[id] = 1;
}

static int used_flow(const struct steer_flow *f, const struct xsk_steer_action *a,
		     void *arg)
{
	mark_used(arg, a->counter);
	return 0;
}

static int used_rule(const struct steer_prefix *pf, const struct xsk_steer_rule *r,
		     void *arg)
{
	mark_used(arg, r->act.counter);
	return 0;
}

int steer_counter_alloc(const struct steer_maps *m, __u32 *id)
{
	struct used_ids u = { calloc(XSK_STEER_MAX_COUNTERS, 1) };
	int err;

	if (!u.used)
		return -ENOMEM;
	u.used[0] = 1;	/* the default action's */
	err = steer_flow_foreach(m, used_flow, &u);
	if (!err)
		err = steer_rule_foreach(m, used_rule, &u);
	if (!err) {
		err = -ENOSPC;
		for (__u32 i = 1; i < XSK_STEER_MAX_COUNTERS; i++) {
			if (!u.used[i]) {
				*id = i;
				err = 0;
				break;
			}
		}
	}
	free(u.used);
	return err;
}

/* --- names ------------------------------------------------------------ */

const char *steer_act_name(__u8 type)
{
	static const char *const names[__XSK_STEER_ACT_MAX] = {
		[XSK_STEER_ACT_PASS] = "pass",
		[XSK_STEER_ACT_DROP] = "drop",
		[XSK_STEER_ACT_REDIRECT_RXQ] = "redirect-queue",
		[XSK_STEER_ACT_REDIRECT_IDX] = "redirect-index",
		[XSK_STEER_ACT_POLICY] = "policy",
	};

	return type < __XSK_STEER_ACT_MAX ? names[type] : "unknown";
}

const char *steer_stat_name(int stat)
{
	static const char *const names[__XSK_STEER_STAT_MAX] = {
		[XSK_STEER_STAT_PARSED] = "parsed",
		[XSK_STEER_STAT_MALFORMED] = "malformed",
		[XSK_STEER_STAT_OTHER] = "other",
		[XSK_STEER_STAT_HIT_FLOW] = "hit_flow",
		[XSK_STEER_STAT_HIT_PREFIX] = "hit_prefix",
		[XSK_STEER_STAT_HIT_DEFAULT] = "hit_default",
		[XSK_STEER_STAT_REDIRECTED] = "redirected",
		[XSK_STEER_STAT_PASSED] = "passed",
		[XSK_STEER_STAT_DROPPED] = "dropped",
		[XSK_STEER_STAT_REDIRECT_FAIL] = "redirect_fail",
		[XSK_STEER_STAT_POLICY_CALLS] = "policy_calls",
		[XSK_STEER_STAT_POLICY_MISSING] = "policy_missing",
		[XSK_STEER_STAT_SPLIT_KFUNC] = "split_kfunc",
		[XSK_STEER_STAT_SPLIT_FAIL] = "split_fail",
	};

	return stat >= 0 && stat < __XSK_STEER_STAT_MAX ? names[stat] : "unknown";
}

const char *steer_split_str(const struct xsk_steer_action *a, char *buf, size_t len)
{
	switch (a->split) {
	case XSK_STEER_SPLIT_L4:
		snprintf(buf, len, "l4");
		break;
	case XSK_STEER_SPLIT_L4_PLUS:
		snprintf(buf, len, "l4+%u", a->split_len);
		break;
	case XSK_STEER_SPLIT_NONE:
		snprintf(buf, len, "none");
		break;
	default:
		snprintf(buf, len, "unknown");
	}
	return buf;
}

int steer_action_valid(const struct xsk_steer_action *a)
{
	if (a->type >= __XSK_STEER_ACT_MAX || a->split >= __XSK_STEER_SPLIT_MAX)
		return 0;
	if (a->counter >= XSK_STEER_MAX_COUNTERS)
		return 0;
	if (a->type == XSK_STEER_ACT_REDIRECT_IDX && a->arg >= XSK_STEER_MAX_XSKS)
		return 0;
	if (a->type == XSK_STEER_ACT_POLICY && a->arg >= XSK_STEER_MAX_POLICIES)
		return 0;
	return 1;
}
