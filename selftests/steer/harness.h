/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * harness.h - run steer.bpf.o or steer_meta.bpf.o under BPF_PROG_TEST_RUN
 * and collect what it did: return code, metadata, and the context it left
 * in steer_scratch. The process is pinned to one CPU so that the per-CPU
 * scratch entry read back is the one the run wrote.
 *
 * Policies go into the prog array (steer_meta.bpf.o's tail calls) or into
 * a chain: after steer.bpf.o returns XDP_PASS, each chained policy program
 * is run on the same frame, in slot order, for as long as they return
 * XDP_PASS - what libxdp's dispatcher does with programs behind steer.
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
	int chain_fd[XSK_STEER_MAX_POLICIES];	/* -1: no chained policy */
};

/* The longest frame steer_h_run() takes (linear part and frags). */
#define STEER_H_FRAME_MAX	16384

struct steer_result {
	__u32 ret;			/* of the whole chain */
	__u32 linear;			/* bytes in the linear part, the rest in frags */
	bool has_meta;
	struct xsk_steer_meta meta;
	struct xsk_steer_pkt pkt;	/* from steer_scratch */
	__u32 steer_ret;		/* of steer alone */
	struct xsk_steer_ctx sc;	/* steer_scratch after steer alone */
	__u32 pending;			/* steer_scratch.pending at the end */
};

/* XSK_BUILD/bpf/steer.bpf.o, or the path in $name under XSK_BUILD. */
const char *steer_obj_path(const char *rel, char *buf, size_t len);

int steer_h_open(struct steer_h *h, const char *path);
void steer_h_close(struct steer_h *h);
int steer_h_run(struct steer_h *h, const void *pkt, size_t len,
		struct steer_result *r);
/* Load a policy object (its maps shared with h's) into a slot. */
int steer_h_load_policy(struct steer_h *h, __u32 slot, const char *path);
/*
 * Load a policy object as a chained program for a slot and count it in
 * steer_slots, as `xsk-devmem steer policy load` does behind a dispatcher.
 */
int steer_h_chain_policy(struct steer_h *h, __u32 slot, const char *path);
/* Run one program on a frame; *ret is its return code. */
int steer_h_run_prog(int prog_fd, const void *pkt, size_t len, __u32 *ret);
/* The scratch context of the harness's CPU, read or written. */
int steer_h_scratch(struct steer_h *h, struct xsk_steer_ctx *sc, bool write);
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
