/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * steer_chain.h - where steer runs, and its chained policy programs behind
 * libxdp's dispatcher (docs/steering.md, "Policies in BPF").
 *
 * A site is an interface of this network namespace whose XDP program is
 * steer (named xsk_steer) using the maps of one pin directory, alone or
 * behind the dispatcher. A chained policy is a program behind the same
 * dispatcher that uses the same maps and serves a slot (the global of
 * XSK_STEER_SLOT_SEC). Every function returns 0 (or a count) or -errno.
 */
#ifndef STEER_CHAIN_H
#define STEER_CHAIN_H

#include <stdbool.h>
#include <net/if.h>
#include <xdp/libxdp.h>

#include "steer_maps.h"

struct steer_site {
	int	ifindex;
	char	ifname[IF_NAMESIZE];
	enum xdp_attach_mode mode;
	bool	dispatcher;	/* behind libxdp's dispatcher (else alone) */
	bool	tail;		/* steer_meta.bpf.o: tail calls into steer_policies */
	__u32	prio;		/* steer's run priority */
	__u32	id;		/* steer's program id */
};

#define STEER_MAX_SITES 64

/* Sites of the maps m; only on ifindex unless it is 0. Returns how many. */
int steer_sites_find(const struct steer_maps *m, int ifindex, struct steer_site *sites,
		     int max);

/*
 * Attach the policy program (name, or the object's first) of the object
 * at path behind steer at a dispatcher site, for slot: its maps are the
 * pinned ones of pin_dir, its priority steer's + 1, it chain-calls on
 * XDP_PASS. The caller counts it in steer_slots. *id: its program id.
 */
/*
 * Tell libxdp that a program in an "xdp.frags" section handles multi-buffer
 * packets. libxdp 1.3.1 reads the flag libbpf 1.1 only sets at load time,
 * so it builds a dispatcher without frags, which veth refuses in native
 * mode at MTU 9000 (-ERANGE). name NULL: the object's first program.
 */
void steer_prog_mark_frags(struct xdp_program *prog, const char *name);

int steer_chain_attach(const char *pin_dir, const struct steer_site *site,
		       const char *path, const char *name, __u32 slot, __u32 *id);

/* A chained policy found at a site. */
struct steer_chained {
	__u32	slot;
	__u32	id;
	__u32	prio;
	const char *name;
};

/* Returns 1 to detach the program, 0 to leave it, or -errno to stop. */
typedef int (*steer_chained_fn)(const struct steer_site *site,
				const struct steer_chained *c, void *arg);

/*
 * Call fn for each chained policy at the site (slot < 0: of every slot)
 * and detach those it says to. Returns how many were detached.
 */
int steer_chain_foreach(const struct steer_maps *m, const struct steer_site *site,
			int slot, steer_chained_fn fn, void *arg);

#endif /* STEER_CHAIN_H */
