/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * harness.h - run steer.bpf.o under BPF_PROG_TEST_RUN and collect what it
 * did: return code, metadata, and the parse result it left in
 * steer_scratch. The process is pinned to one CPU so that the per-CPU
 * scratch entry read back is the one the run wrote.
 */
#ifndef STEER_HARNESS_H
#define STEER_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "steer_maps.h"

struct steer_h {
	struct bpf_object *obj;
	int prog_fd;
	int cpu;
	struct steer_maps maps;
	struct bpf_object *policy[XSK_STEER_MAX_POLICIES];
};

struct steer_result {
	__u32 ret;
	bool has_meta;
	struct xsk_steer_meta meta;
	struct xsk_steer_pkt pkt;	/* from steer_scratch */
};

/* XSK_BUILD/bpf/steer.bpf.o, or the path in $name under XSK_BUILD. */
const char *steer_obj_path(const char *rel, char *buf, size_t len);

int steer_h_open(struct steer_h *h, const char *path);
void steer_h_close(struct steer_h *h);
int steer_h_run(struct steer_h *h, const void *pkt, size_t len,
		struct steer_result *r);
/* Load a policy object (its maps shared with h's) into a slot. */
int steer_h_load_policy(struct steer_h *h, __u32 slot, const char *path);
/* Zero all counters. */
int steer_h_reset_counters(struct steer_h *h);

/*
 * Compare two parse results field by field; 0 if equal, else -1 with the
 * first difference written to why.
 */
int steer_pkt_cmp(const struct xsk_steer_pkt *a, const struct xsk_steer_pkt *b,
		  char *why, size_t len);
/* One line describing a parse result. */
void steer_pkt_str(const struct xsk_steer_pkt *p, char *buf, size_t len);
void steer_hexdump(const void *buf, size_t len);

/* kselftest-style exit codes */
#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

#endif /* STEER_HARNESS_H */
