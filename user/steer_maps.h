/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * steer_maps.h - read and write the maps of steer.bpf.o from user space.
 *
 * The one place that knows how flows, prefix rules, the default action and
 * the counters are encoded in the maps (include/xsk_steer.h). Used by the
 * CLI and by the tests. Every function returns 0 or -errno.
 */
#ifndef STEER_MAPS_H
#define STEER_MAPS_H

#include <stdbool.h>
#include <linux/types.h>

#include "xsk_steer.h"

struct bpf_object;

/* File descriptors of the program's maps; -1 where not open. */
struct steer_maps {
	int flows4, flows6, prefix4, prefix6;
	int config, stats, counters, scratch, xsks, policies, slots;
};

/* Map names as pinned below the pin directory, in struct steer_maps order. */
extern const char *const steer_map_names[];
#define STEER_NR_MAPS 11

void steer_maps_init(struct steer_maps *m);
int steer_maps_open_pinned(struct steer_maps *m, const char *dir);
int steer_maps_from_object(struct steer_maps *m, const struct bpf_object *obj);
void steer_maps_close(struct steer_maps *m);
int steer_maps_unpin(const char *dir);

/* A flow as the user states it: ports in host order. */
struct steer_flow {
	int	family;		/* 4 or 6 */
	__u8	proto;
	__u8	saddr[16];	/* network order; IPv4 in the first 4 bytes */
	__u8	daddr[16];
	__u16	sport;
	__u16	dport;
};

/* A prefix rule: address prefix of one direction, then the rule under it. */
struct steer_prefix {
	int	family;
	__u8	dir;		/* enum xsk_steer_dir */
	__u8	plen;		/* address bits */
	__u8	addr[16];
};

int steer_flow_add(const struct steer_maps *m, const struct steer_flow *f,
		   const struct xsk_steer_action *act);
int steer_flow_del(const struct steer_maps *m, const struct steer_flow *f);
typedef int (*steer_flow_fn)(const struct steer_flow *f,
			     const struct xsk_steer_action *act, void *arg);
int steer_flow_foreach(const struct steer_maps *m, steer_flow_fn fn, void *arg);

/* -EEXIST: same protocol and port range under the prefix; -ENOSPC: full. */
int steer_rule_add(const struct steer_maps *m, const struct steer_prefix *pf,
		   const struct xsk_steer_rule *r);
int steer_rule_del(const struct steer_maps *m, const struct steer_prefix *pf,
		   const struct xsk_steer_rule *r);
typedef int (*steer_rule_fn)(const struct steer_prefix *pf,
			     const struct xsk_steer_rule *r, void *arg);
int steer_rule_foreach(const struct steer_maps *m, steer_rule_fn fn, void *arg);

int steer_config_get(const struct steer_maps *m, struct xsk_steer_config *cfg);
int steer_config_set(const struct steer_maps *m, const struct xsk_steer_config *cfg);

/* Counters summed over CPUs. */
int steer_stats_read(const struct steer_maps *m, struct xsk_steer_stats *st);
int steer_counter_read(const struct steer_maps *m, __u32 id,
		       struct xsk_steer_counter *c);
int steer_counter_reset(const struct steer_maps *m, __u32 id);
/* Lowest counter id no flow, rule or default uses (>= 1); -ENOSPC if none. */
int steer_counter_alloc(const struct steer_maps *m, __u32 *id);

/*
 * Tell a policy object, opened and not yet loaded, its slot (the global in
 * XSK_STEER_SLOT_SEC); -ENOENT when the object has none (not a policy
 * built against bpf/xsk_steer.bpf.h).
 */
int steer_policy_set_slot(struct bpf_object *obj, __u32 slot);
/* The slot a loaded policy program serves; -ENOENT when it has none. */
int steer_policy_slot_of(int prog_fd, __u32 *slot);
/* Whether the program prog_fd uses the map map_fd. */
bool steer_prog_uses_map(int prog_fd, int map_fd);

/* Names of the encodings, for output and for parsing. */
const char *steer_act_name(__u8 type);
const char *steer_stat_name(int stat);
/* "l4", "l4+N", "none" into buf. */
const char *steer_split_str(const struct xsk_steer_action *a, char *buf, size_t len);
int steer_action_valid(const struct xsk_steer_action *a);

#endif /* STEER_MAPS_H */
