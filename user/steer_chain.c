// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_chain.c - find steer on the interfaces, attach and detach chained
 * policy programs behind it through libxdp (see steer_chain.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "steer_chain.h"

#define STEER_PROG_NAME	"xsk_steer"

/* steer, using the maps m, on the interface that mp belongs to? */
static bool is_our_steer(const struct steer_maps *m, struct xdp_program *p)
{
	return p && !strcmp(xdp_program__name(p), STEER_PROG_NAME) &&
	       steer_prog_uses_map(xdp_program__fd(p), m->scratch);
}

static void fill_site(const struct steer_maps *m, struct xdp_multiprog *mp,
		      struct xdp_program *p, const struct if_nameindex *it,
		      struct steer_site *s)
{
	memset(s, 0, sizeof(*s));
	s->ifindex = it->if_index;
	snprintf(s->ifname, sizeof(s->ifname), "%s", it->if_name);
	s->mode = xdp_multiprog__attach_mode(mp);
	s->dispatcher = !xdp_multiprog__is_legacy(mp);
	s->tail = steer_prog_uses_map(xdp_program__fd(p), m->policies);
	s->prio = xdp_program__run_prio(p);
	s->id = xdp_program__id(p);
}

int steer_sites_find(const struct steer_maps *m, int ifindex, struct steer_site *sites,
		     int max)
{
	struct if_nameindex *ifs = if_nameindex(), *it;
	int n = 0;

	if (!ifs)
		return -errno;
	for (it = ifs; it->if_index && n < max; it++) {
		struct xdp_multiprog *mp;
		struct xdp_program *p;

		if (ifindex && (int)it->if_index != ifindex)
			continue;
		mp = xdp_multiprog__get_from_ifindex(it->if_index);
		if (!mp || libxdp_get_error(mp))
			continue;
		if (xdp_multiprog__is_legacy(mp)) {
			p = xdp_multiprog__main_prog(mp);
			if (is_our_steer(m, p))
				fill_site(m, mp, p, it, &sites[n++]);
		} else {
			for (p = xdp_multiprog__next_prog(NULL, mp); p;
			     p = xdp_multiprog__next_prog(p, mp)) {
				if (is_our_steer(m, p)) {
					fill_site(m, mp, p, it, &sites[n++]);
					break;
				}
			}
		}
		xdp_multiprog__close(mp);
	}
	if_freenameindex(ifs);
	return n;
}

void steer_prog_mark_frags(struct xdp_program *prog, const char *name)
{
	struct bpf_object *obj = xdp_program__bpf_obj(prog);
	struct bpf_program *p;

	if (!obj)
		return;
	p = name ? bpf_object__find_program_by_name(obj, name) :
		   bpf_object__next_program(obj, NULL);
	if (p && !strcmp(bpf_program__section_name(p), "xdp.frags"))
		xdp_program__set_xdp_frags_support(prog, true);
}

int steer_chain_attach(const char *pin_dir, const struct steer_site *site,
		       const char *path, const char *name, __u32 slot, __u32 *id)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, bopts, .pin_root_path = pin_dir);
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .open_filename = path,
			    .prog_name = name, .opts = &bopts);
	struct xdp_program *prog;
	libbpf_print_fn_t print;
	int err;

	prog = xdp_program__create(&xopts);
	err = libxdp_get_error(prog);
	if (err)
		return err;
	steer_prog_mark_frags(prog, name);
	err = steer_policy_set_slot(xdp_program__bpf_obj(prog), slot);
	if (!err)
		err = xdp_program__set_run_prio(prog, site->prio + 1);
	if (!err)
		err = xdp_program__set_chain_call_enabled(prog, XDP_PASS, true);
	if (!err) {
		/* a refusal is answered by the caller; the verifier log is noise */
		print = libbpf_set_print(NULL);
		err = xdp_program__attach(prog, site->ifindex, site->mode, 0);
		libbpf_set_print(print);
	}
	if (!err)
		*id = xdp_program__id(prog);
	xdp_program__close(prog);
	return err;
}

int steer_chain_foreach(const struct steer_maps *m, const struct steer_site *site,
			int slot, steer_chained_fn fn, void *arg)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int n = 0, err = 0;

	if (!site->dispatcher)
		return 0;
	mp = xdp_multiprog__get_from_ifindex(site->ifindex);
	err = libxdp_get_error(mp);
	if (err || !mp)
		return err == -ENOENT ? 0 : err;
	for (p = xdp_multiprog__next_prog(NULL, mp); p && !err;
	     p = xdp_multiprog__next_prog(p, mp)) {
		struct steer_chained c = {
			.id = xdp_program__id(p),
			.prio = xdp_program__run_prio(p),
			.name = xdp_program__name(p),
		};
		int fd = xdp_program__fd(p);

		if (!strcmp(c.name, STEER_PROG_NAME) || !steer_prog_uses_map(fd, m->scratch) ||
		    steer_policy_slot_of(fd, &c.slot) || (slot >= 0 && c.slot != (__u32)slot))
			continue;
		err = fn(site, &c, arg);
		if (err == 1) {
			err = xdp_program__detach(p, site->ifindex, site->mode, 0);
			if (!err)
				n++;
		}
	}
	xdp_multiprog__close(mp);
	return err < 0 ? err : n;
}
