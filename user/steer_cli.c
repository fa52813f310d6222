// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_cli.c - `xsk-devmem steer ...`: load steer.bpf.o, manage its flows,
 * prefix rules, default action and policy slots, show its counters.
 *
 * Options that apply everywhere: -p/--pin-path DIR (default
 * XSK_STEER_PIN_DIR), -j/--json, -h/--help. They may stand anywhere on the
 * line. The rest follows ip(8): keywords, then values.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "cmd.h"
#include "steer_chain.h"
#include "steer_maps.h"

#define PROG_NAME	"xsk_steer"

static struct {
	const char *pin_dir;
	bool json;
	bool help;
} opt = { .pin_dir = XSK_STEER_PIN_DIR };

static int err_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xsk-devmem steer: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* --- argument parsing -------------------------------------------------- */

static int parse_u32(const char *s, __u32 max, __u32 *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v > max || s[0] == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_proto(const char *s, __u8 *proto)
{
	static const struct { const char *name; __u8 num; } names[] = {
		{ "any", 0 }, { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 },
		{ "icmpv6", 58 }, { "sctp", 132 }, { "gre", 47 },
	};
	__u32 v;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i].name)) {
			*proto = names[i].num;
			return 0;
		}
	}
	if (parse_u32(s, 255, &v))
		return err_msg("invalid protocol '%s'", s), -EINVAL;
	*proto = v;
	return 0;
}

static int parse_addr(const char *s, int *family, __u8 *addr)
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, s, addr) == 1)
		*family = 6;
	else
		return err_msg("invalid address '%s'", s), -EINVAL;
	return 0;
}

static int parse_prefix(const char *s, struct steer_prefix *pf)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	__u32 plen;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (parse_addr(buf, &pf->family, pf->addr))
		return -EINVAL;
	plen = pf->family == 4 ? 32 : 128;
	if (slash && parse_u32(slash + 1, plen, &plen))
		return err_msg("invalid prefix length in '%s'", s), -EINVAL;
	pf->plen = plen;
	return 0;
}

static int parse_port(const char *s, __u16 *port)
{
	__u32 v;

	if (parse_u32(s, 65535, &v))
		return err_msg("invalid port '%s'", s), -EINVAL;
	*port = v;
	return 0;
}

static int parse_range(const char *s, __u16 *lo, __u16 *hi)
{
	char buf[32], *dash;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = 0;
	if (parse_port(buf, lo) || parse_port(dash ? dash + 1 : buf, hi))
		return -EINVAL;
	if (*lo > *hi)
		return err_msg("port range %s is inverted", s), -EINVAL;
	return 0;
}

/* Takes the next argument or complains that kw needs one. */
#define NEXT_ARG(kw)							\
	({								\
		if (++i >= argc)					\
			return err_msg("'%s' needs a value", kw), -EINVAL; \
		argv[i];						\
	})

/*
 * ACTION := action { pass | drop | redirect [queue | index N] |
 *                    policy N [param P] }
 *           [split { l4 | l4+N | none }] [counter ID]
 * Parses from argv[*pos]; stops at the first word it does not know.
 */
static int parse_action(int argc, char **argv, int *pos, struct xsk_steer_action *a,
			bool *have_counter)
{
	bool have = false;
	__u32 v;
	int i;

	memset(a, 0, sizeof(*a));
	*have_counter = false;
	for (i = *pos; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "action")) {
			const char *t = NEXT_ARG("action");

			have = true;
			if (!strcmp(t, "pass")) {
				a->type = XSK_STEER_ACT_PASS;
			} else if (!strcmp(t, "drop")) {
				a->type = XSK_STEER_ACT_DROP;
			} else if (!strcmp(t, "redirect")) {
				a->type = XSK_STEER_ACT_REDIRECT_RXQ;
				if (i + 1 < argc && !strcmp(argv[i + 1], "queue")) {
					i++;
				} else if (i + 1 < argc && !strcmp(argv[i + 1], "index")) {
					i++;
					if (parse_u32(NEXT_ARG("index"), XSK_STEER_MAX_XSKS - 1, &a->arg))
						return err_msg("socket index must be below %u",
							       XSK_STEER_MAX_XSKS), -EINVAL;
					a->type = XSK_STEER_ACT_REDIRECT_IDX;
				}
			} else if (!strcmp(t, "policy")) {
				a->type = XSK_STEER_ACT_POLICY;
				if (parse_u32(NEXT_ARG("policy"), XSK_STEER_MAX_POLICIES - 1, &a->arg))
					return err_msg("policy slot must be below %u",
						       XSK_STEER_MAX_POLICIES), -EINVAL;
			} else {
				return err_msg("unknown action '%s'", t), -EINVAL;
			}
		} else if (!strcmp(w, "param")) {
			if (parse_u32(NEXT_ARG("param"), UINT32_MAX, &a->param))
				return err_msg("invalid param '%s'", argv[i]), -EINVAL;
		} else if (!strcmp(w, "split")) {
			const char *s = NEXT_ARG("split");

			if (!strcmp(s, "l4")) {
				a->split = XSK_STEER_SPLIT_L4;
			} else if (!strcmp(s, "none")) {
				a->split = XSK_STEER_SPLIT_NONE;
			} else if (!strncmp(s, "l4+", 3) && !parse_u32(s + 3, 65535, &v)) {
				a->split = XSK_STEER_SPLIT_L4_PLUS;
				a->split_len = v;
			} else {
				return err_msg("invalid split '%s' (l4, l4+N, none)", s), -EINVAL;
			}
		} else if (!strcmp(w, "counter")) {
			if (parse_u32(NEXT_ARG("counter"), XSK_STEER_MAX_COUNTERS - 1, &a->counter))
				return err_msg("counter id must be below %u",
					       XSK_STEER_MAX_COUNTERS), -EINVAL;
			*have_counter = true;
		} else {
			break;
		}
	}
	*pos = i;
	if (!have)
		return err_msg("missing 'action ...'"), -EINVAL;
	return 0;
}

/* --- output ------------------------------------------------------------ */

static void action_str(const struct xsk_steer_action *a, char *buf, size_t len)
{
	char split[32];

	steer_split_str(a, split, sizeof(split));
	switch (a->type) {
	case XSK_STEER_ACT_REDIRECT_RXQ:
		snprintf(buf, len, "redirect queue split %s", split);
		break;
	case XSK_STEER_ACT_REDIRECT_IDX:
		snprintf(buf, len, "redirect index %u split %s", a->arg, split);
		break;
	case XSK_STEER_ACT_POLICY:
		snprintf(buf, len, "policy %u param %u", a->arg, a->param);
		break;
	default:
		snprintf(buf, len, "%s", steer_act_name(a->type));
	}
}

static void json_action(const struct xsk_steer_action *a)
{
	char split[32];

	printf("\"action\":\"%s\",\"split\":\"%s\",\"arg\":%u,\"param\":%u,\"counter\":%u",
	       steer_act_name(a->type), steer_split_str(a, split, sizeof(split)),
	       a->arg, a->param, a->counter);
}

static const char *addr_str(int family, const __u8 *addr, char *buf)
{
	return inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, INET6_ADDRSTRLEN);
}

static const char *proto_str(__u8 proto, char *buf)
{
	switch (proto) {
	case 0: return "any";
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmpv6";
	}
	sprintf(buf, "%u", proto);
	return buf;
}

/* --- the pinned maps --------------------------------------------------- */

static int open_maps(struct steer_maps *m)
{
	int err = steer_maps_open_pinned(m, opt.pin_dir);

	if (err == -ENOENT)
		return err_msg("steer is not loaded: no maps pinned at %s "
			       "(xsk-devmem steer load IFACE)", opt.pin_dir);
	if (err)
		return err_msg("cannot open the maps at %s: %s", opt.pin_dir, strerror(-err));
	return 0;
}

static int map_err(int err, const char *what)
{
	switch (err) {
	case -E2BIG:
	case -ENOSPC:
	case -ENOMEM:
		return err_msg("%s: table is full", what);
	case -EEXIST:
		return err_msg("%s: already exists", what);
	case -ENOENT:
		return err_msg("%s: no such entry", what);
	default:
		return err_msg("%s: %s", what, strerror(-err));
	}
}

/* --- load, unload, status ---------------------------------------------- */

static int ifindex_of(const char *name)
{
	int idx = if_nametoindex(name);

	if (!idx)
		err_msg("interface '%s' does not exist", name);
	return idx;
}

static const char *default_obj(char *buf, size_t len)
{
	char exe[PATH_MAX - 32];
	ssize_t n;
	char *slash;

	if (getenv("XSK_STEER_OBJ"))
		return getenv("XSK_STEER_OBJ");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, len, "%s/../bpf/steer.bpf.o", exe);
			if (!access(buf, R_OK))
				return buf;
		}
	}
	return "/usr/lib/xsk-devmem/steer.bpf.o";
}

static int check_bpffs(void)
{
	char dir[PATH_MAX], *slash;
	struct statfs st;

	snprintf(dir, sizeof(dir), "%s", opt.pin_dir);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = 0;
	if (statfs(dir, &st) || st.f_type != BPF_FS_MAGIC)
		return err_msg("%s is not on a bpffs (mount -t bpf bpf /sys/fs/bpf)", dir);
	return 0;
}

static bool iface_has_xdp(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	return !bpf_xdp_query(ifindex, 0, &q) && (q.prog_id || q.skb_prog_id || q.drv_prog_id);
}

static void print_loaded(const char *ifname, enum xdp_attach_mode mode, __u32 id,
			 const char *how)
{
	const char *m = mode == XDP_MODE_SKB ? "skb" : "native";

	if (!opt.json)
		printf("steer loaded on %s (%s mode, %s, prog id %u), maps pinned at %s\n",
		       ifname, m, how, id, opt.pin_dir);
	else
		printf("{\"ifname\":\"%s\",\"mode\":\"%s\",\"how\":\"%s\",\"id\":%u,"
		       "\"pin_path\":\"%s\"}\n", ifname, m, how, id, opt.pin_dir);
}

static int attach_legacy(const char *path, const char *ifname, int ifindex,
			 enum xdp_attach_mode mode)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, o, .pin_root_path = opt.pin_dir);
	struct bpf_object *obj = bpf_object__open_file(path, &o);
	__u32 flags = XDP_FLAGS_UPDATE_IF_NOEXIST |
		      (mode == XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct bpf_program *prog;
	int err, fd;

	if (!obj)
		return err_msg("cannot open %s: %s", path, strerror(errno));
	prog = bpf_object__find_program_by_name(obj, PROG_NAME);
	err = prog ? bpf_object__load(obj) : -ENOENT;
	if (!err) {
		fd = bpf_program__fd(prog);
		err = bpf_xdp_attach(ifindex, fd, flags, NULL);
		if (!err)
			bpf_obj_get_info_by_fd(fd, &info, &len);
	}
	bpf_object__close(obj);
	if (err)
		return err_msg("cannot attach to %s: %s", ifname, strerror(-err));
	print_loaded(ifname, mode, info.id, "alone: the dispatcher refused it");
	return 0;
}

static int cmd_load(int argc, char **argv)
{
	enum xdp_attach_mode mode = XDP_MODE_NATIVE;
	const char *obj = NULL, *ifname = NULL;
	struct xdp_program *prog;
	char buf[PATH_MAX], msg[256];
	int ifindex, err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-m") || !strcmp(argv[i], "--mode")) {
			const char *m = NEXT_ARG("--mode");

			if (!strcmp(m, "native"))
				mode = XDP_MODE_NATIVE;
			else if (!strcmp(m, "skb"))
				mode = XDP_MODE_SKB;
			else
				return err_msg("invalid mode '%s' (native, skb)", m);
		} else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--object")) {
			obj = NEXT_ARG("--object");
		} else if (!ifname) {
			ifname = argv[i];
		} else {
			return err_msg("unexpected '%s'", argv[i]);
		}
	}
	if (!ifname)
		return err_msg("load: which interface?");
	ifindex = ifindex_of(ifname);
	if (!ifindex || check_bpffs())
		return 1;
	if (!obj)
		obj = default_obj(buf, sizeof(buf));

	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, bopts, .pin_root_path = opt.pin_dir);
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .open_filename = obj,
			    .prog_name = PROG_NAME, .opts = &bopts);
	prog = xdp_program__create(&xopts);
	err = libxdp_get_error(prog);
	if (err) {
		libxdp_strerror(err, msg, sizeof(msg));
		return err_msg("cannot open %s: %s", obj, msg);
	}
	steer_prog_mark_frags(prog, PROG_NAME);
	/* libbpf logs the verifier's refusal of the dispatcher attempt in
	 * full; that refusal is expected here, and answered below. */
	libbpf_print_fn_t print = libbpf_set_print(NULL);

	err = xdp_program__attach(prog, ifindex, mode, 0);
	libbpf_set_print(print);
	if ((err == -EINVAL || err == -ERANGE) && !iface_has_xdp(ifindex)) {
		/*
		 * The dispatcher refused us (-EINVAL: steer_meta.bpf.o calls
		 * packet-changing helpers, see bpf/xsk_steer.bpf.h),
		 * or the driver refused the dispatcher (-ERANGE: libxdp 1.3.1's
		 * dispatcher is not multi-buffer, and the MTU needs it, as veth
		 * at MTU 9000 in native mode); alone on the interface, attach
		 * directly as libxdp's legacy mode does.
		 */
		xdp_program__close(prog);
		return attach_legacy(obj, ifname, ifindex, mode);
	}
	if (err) {
		libxdp_strerror(err, msg, sizeof(msg));
		xdp_program__close(prog);
		return err_msg("cannot attach to %s: %s", ifname, msg);
	}
	print_loaded(ifname, mode, xdp_program__id(prog), "libxdp");
	xdp_program__close(prog);
	return 0;
}

/*
 * Call fn for the steer program on ifindex (behind the dispatcher or
 * alone). Returns fn's result, or -ENOENT when none is there.
 */
static int with_steer_prog(int ifindex,
			   int (*fn)(struct xdp_program *p, int ifindex,
				     enum xdp_attach_mode mode, void *arg),
			   void *arg)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	enum xdp_attach_mode mode;
	struct xdp_program *p;
	int ret = -ENOENT;

	if (libxdp_get_error(mp) || !mp)
		return -ENOENT;
	mode = xdp_multiprog__attach_mode(mp);
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p && !strcmp(xdp_program__name(p), PROG_NAME))
			ret = fn(p, ifindex, mode, arg);
	} else {
		for (p = xdp_multiprog__next_prog(NULL, mp); p;
		     p = xdp_multiprog__next_prog(p, mp)) {
			if (!strcmp(xdp_program__name(p), PROG_NAME)) {
				ret = fn(p, ifindex, mode, arg);
				break;
			}
		}
	}
	xdp_multiprog__close(mp);
	return ret;
}

static int detach_one(struct xdp_program *p, int ifindex, enum xdp_attach_mode mode,
		      void *arg)
{
	return xdp_program__detach(p, ifindex, mode, 0);
}

static int unchain_iface(int ifindex);

static bool maps_pinned(const char *dir)
{
	struct steer_maps m;

	if (steer_maps_open_pinned(&m, dir))
		return false;
	steer_maps_close(&m);
	return true;
}

static int cmd_unload(int argc, char **argv)
{
	const char *ifname = NULL;
	bool keep = false;
	int ifindex, err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-k") || !strcmp(argv[i], "--keep-maps"))
			keep = true;
		else if (!ifname)
			ifname = argv[i];
		else
			return err_msg("unexpected '%s'", argv[i]);
	}
	if (!ifname)
		return err_msg("unload: which interface?");
	ifindex = ifindex_of(ifname);
	if (!ifindex)
		return 1;
	err = unchain_iface(ifindex);
	if (err < 0)
		return err_msg("cannot detach the policies on %s: %s", ifname, strerror(-err));
	err = with_steer_prog(ifindex, detach_one, NULL);
	if (err == -ENOENT && !keep && maps_pinned(opt.pin_dir)) {
		/*
		 * The program went without its maps (the library's socket that
		 * loaded it closed, or it was detached behind our back): their
		 * pins are all an unload has left to remove.
		 */
		if ((err = steer_maps_unpin(opt.pin_dir)))
			return err_msg("cannot unpin the maps at %s: %s", opt.pin_dir,
				       strerror(-err));
		if (!opt.json)
			printf("steer was not loaded on %s; its maps at %s unpinned\n", ifname,
			       opt.pin_dir);
		return 0;
	}
	if (err == -ENOENT)
		return err_msg("steer is not loaded on %s", ifname);
	if (err)
		return err_msg("cannot detach from %s: %s", ifname, strerror(-err));
	if (!keep && (err = steer_maps_unpin(opt.pin_dir)))
		return err_msg("cannot unpin the maps at %s: %s", opt.pin_dir, strerror(-err));
	if (!opt.json)
		printf("steer unloaded from %s%s\n", ifname, keep ? ", maps kept" : "");
	return 0;
}

struct status_arg {
	const char *ifname;
	int n;
};

static int print_prog(struct xdp_program *p, int ifindex, enum xdp_attach_mode mode,
		      void *arg)
{
	struct status_arg *s = arg;
	static const char *const modes[] = {
		[XDP_MODE_UNSPEC] = "unspec", [XDP_MODE_NATIVE] = "native",
		[XDP_MODE_SKB] = "skb", [XDP_MODE_HW] = "hw",
	};
	const char *m = mode <= XDP_MODE_HW ? modes[mode] : "?";

	if (opt.json)
		printf("%s{\"ifname\":\"%s\",\"id\":%u,\"mode\":\"%s\",\"priority\":%u}",
		       s->n ? "," : "", s->ifname, xdp_program__id(p), m,
		       xdp_program__run_prio(p));
	else
		printf("  %-16s id %-6u mode %-6s priority %u\n", s->ifname,
		       xdp_program__id(p), m, xdp_program__run_prio(p));
	s->n++;
	return 0;
}

static bool have_split_kfunc(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool ok;

	if (libbpf_get_error(btf))
		return false;
	ok = btf__find_by_name_kind(btf, "bpf_xsk_dmabuf_set_split", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return ok;
}

static int count_flow(const struct steer_flow *f, const struct xsk_steer_action *a, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int count_rule(const struct steer_prefix *pf, const struct xsk_steer_rule *r, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int cmd_status(int argc, char **argv)
{
	struct if_nameindex *ifs = if_nameindex(), *it;
	struct status_arg s = { 0 };
	struct xsk_steer_config cfg = {};
	struct steer_maps m;
	int flows = 0, rules = 0, policies = 0;
	bool kfunc = have_split_kfunc(), maps;
	char act[96];

	if (argc > 1)
		return err_msg("status takes no arguments");
	if (!opt.json)
		printf("interfaces:\n");
	else
		printf("{\"interfaces\":[");
	for (it = ifs; it && it->if_index; it++) {
		s.ifname = it->if_name;
		with_steer_prog(it->if_index, print_prog, &s);
	}
	if_freenameindex(ifs);
	if (!s.n && !opt.json)
		printf("  (none)\n");

	maps = !steer_maps_open_pinned(&m, opt.pin_dir);
	if (maps) {
		steer_flow_foreach(&m, count_flow, &flows);
		steer_rule_foreach(&m, count_rule, &rules);
		steer_config_get(&m, &cfg);
		for (__u32 k = 0; k < XSK_STEER_MAX_POLICIES; k++) {
			struct xsk_steer_slot sl = {};
			__u32 id;

			if (!bpf_map_lookup_elem(m.policies, &k, &id) ||
			    (!bpf_map_lookup_elem(m.slots, &k, &sl) && sl.progs))
				policies++;
		}
		steer_maps_close(&m);
	}
	action_str(&cfg.dflt, act, sizeof(act));
	if (opt.json) {
		printf("],\"pin_path\":\"%s\",\"maps\":%s,\"flows\":%d,\"rules\":%d,"
		       "\"policies\":%d,\"default\":\"%s\",\"malformed\":\"%s\","
		       "\"split_kfunc\":%s}\n", opt.pin_dir, maps ? "true" : "false",
		       flows, rules, policies, act, steer_act_name(cfg.malformed_act),
		       kfunc ? "true" : "false");
		return 0;
	}
	printf("maps:         %s%s\n", opt.pin_dir, maps ? "" : " (not pinned)");
	if (maps) {
		printf("flows:        %d\nrules:        %d\npolicies:     %d\n",
		       flows, rules, policies);
		printf("default:      %s\nmalformed:    %s\n", act,
		       steer_act_name(cfg.malformed_act));
	}
	printf("split:        %s\n", kfunc ? "kernel kfunc (steer_meta.bpf.o: + metadata)" :
	       "metadata of steer_meta.bpf.o only (no bpf_xsk_dmabuf_set_split in this kernel)");
	return 0;
}

/* --- flows ------------------------------------------------------------- */

/* proto P src A sport N dst A dport N: all five are required */
static int parse_flow(int argc, char **argv, int *pos, struct steer_flow *f)
{
	int have = 0, fam = 0, i;

	memset(f, 0, sizeof(*f));
	for (i = *pos; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "proto")) {
			if (parse_proto(NEXT_ARG("proto"), &f->proto))
				return -EINVAL;
			have |= 1;
		} else if (!strcmp(w, "src")) {
			if (parse_addr(NEXT_ARG("src"), &fam, f->saddr))
				return -EINVAL;
			if (f->family && f->family != fam)
				return err_msg("src and dst are of different families"), -EINVAL;
			f->family = fam;
			have |= 2;
		} else if (!strcmp(w, "dst")) {
			if (parse_addr(NEXT_ARG("dst"), &fam, f->daddr))
				return -EINVAL;
			if (f->family && f->family != fam)
				return err_msg("src and dst are of different families"), -EINVAL;
			f->family = fam;
			have |= 4;
		} else if (!strcmp(w, "sport")) {
			if (parse_port(NEXT_ARG("sport"), &f->sport))
				return -EINVAL;
			have |= 8;
		} else if (!strcmp(w, "dport")) {
			if (parse_port(NEXT_ARG("dport"), &f->dport))
				return -EINVAL;
			have |= 16;
		} else {
			break;
		}
	}
	*pos = i;
	if (have != 31)
		return err_msg("a flow needs proto, src, sport, dst and dport"), -EINVAL;
	return 0;
}

/* Give the entry a fresh counter unless the user named one. */
static int pick_counter(const struct steer_maps *m, struct xsk_steer_action *a,
			bool have_counter)
{
	int err;

	if (have_counter)
		return 0;
	err = steer_counter_alloc(m, &a->counter);
	if (err)
		return map_err(err, "counter ids");
	steer_counter_reset(m, a->counter);
	return 0;
}

static int cmd_flow_add(int argc, char **argv)
{
	struct xsk_steer_action a;
	struct steer_flow f;
	struct steer_maps m;
	bool have_counter;
	int pos = 1, err;

	if (parse_flow(argc, argv, &pos, &f) ||
	    parse_action(argc, argv, &pos, &a, &have_counter))
		return 1;
	if (pos < argc)
		return err_msg("unexpected '%s'", argv[pos]);
	if (open_maps(&m))
		return 1;
	err = pick_counter(&m, &a, have_counter);
	if (!err && (err = steer_flow_add(&m, &f, &a)))
		err = map_err(err, "flow add");
	if (!err && !opt.json)
		printf("flow added, counter %u\n", a.counter);
	steer_maps_close(&m);
	return !!err;
}

static int cmd_flow_del(int argc, char **argv)
{
	struct steer_flow f;
	struct steer_maps m;
	int pos = 1, err;

	if (parse_flow(argc, argv, &pos, &f))
		return 1;
	if (pos < argc)
		return err_msg("unexpected '%s'", argv[pos]);
	if (open_maps(&m))
		return 1;
	err = steer_flow_del(&m, &f);
	steer_maps_close(&m);
	return err ? map_err(err, "flow del") : 0;
}

struct list_arg {
	const struct steer_maps *m;
	int n;
};

static int print_flow(const struct steer_flow *f, const struct xsk_steer_action *a, void *arg)
{
	struct list_arg *l = arg;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], act[96], p[8];
	struct xsk_steer_counter c = {};

	steer_counter_read(l->m, a->counter, &c);
	addr_str(f->family, f->saddr, s);
	addr_str(f->family, f->daddr, d);
	if (opt.json) {
		printf("%s{\"proto\":\"%s\",\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\","
		       "\"dport\":%u,", l->n ? "," : "", proto_str(f->proto, p), s,
		       f->sport, d, f->dport);
		json_action(a);
		printf(",\"packets\":%llu,\"bytes\":%llu}", (unsigned long long)c.packets,
		       (unsigned long long)c.bytes);
	} else {
		action_str(a, act, sizeof(act));
		printf("%s %s %u -> %s %u: %s counter %u (%llu packets, %llu bytes)\n",
		       proto_str(f->proto, p), s, f->sport, d, f->dport, act, a->counter,
		       (unsigned long long)c.packets, (unsigned long long)c.bytes);
	}
	l->n++;
	return 0;
}

/* Print every flow or every rule: a JSON array or one line each. */
static int list_entries(int argc, const char *what,
			int (*walk)(const struct steer_maps *m, struct list_arg *l))
{
	struct steer_maps m;
	struct list_arg l = { &m, 0 };
	int err;

	if (argc > 1)
		return err_msg("%s list takes no arguments", what);
	if (open_maps(&m))
		return 1;
	if (opt.json)
		printf("[");
	err = walk(&m, &l);
	if (opt.json)
		printf("]\n");
	steer_maps_close(&m);
	return err ? map_err(err, what) : 0;
}

static int walk_flows(const struct steer_maps *m, struct list_arg *l)
{
	return steer_flow_foreach(m, print_flow, l);
}

static int cmd_flow_list(int argc, char **argv)
{
	return list_entries(argc, "flow", walk_flows);
}

/* --- prefix rules ------------------------------------------------------ */

/* {src|dst} PREFIX [proto P] [dport LO[-HI]] */
static int parse_rule(int argc, char **argv, int *pos, struct steer_prefix *pf,
		      struct xsk_steer_rule *r)
{
	int i = *pos;

	memset(pf, 0, sizeof(*pf));
	memset(r, 0, sizeof(*r));
	r->dport_hi = 65535;
	if (i >= argc || (strcmp(argv[i], "src") && strcmp(argv[i], "dst")))
		return err_msg("a rule starts with 'src PREFIX' or 'dst PREFIX'"), -EINVAL;
	pf->dir = !strcmp(argv[i], "src") ? XSK_STEER_DIR_SRC : XSK_STEER_DIR_DST;
	if (parse_prefix(NEXT_ARG(argv[i]), pf))
		return -EINVAL;
	for (i++; i < argc; i++) {
		if (!strcmp(argv[i], "proto")) {
			if (parse_proto(NEXT_ARG("proto"), &r->proto))
				return -EINVAL;
		} else if (!strcmp(argv[i], "dport")) {
			if (parse_range(NEXT_ARG("dport"), &r->dport_lo, &r->dport_hi))
				return -EINVAL;
		} else {
			break;
		}
	}
	*pos = i;
	return 0;
}

static int cmd_rule_add(int argc, char **argv)
{
	struct xsk_steer_rule r;
	struct steer_prefix pf;
	struct steer_maps m;
	bool have_counter;
	int pos = 1, err;

	if (parse_rule(argc, argv, &pos, &pf, &r) ||
	    parse_action(argc, argv, &pos, &r.act, &have_counter))
		return 1;
	if (pos < argc)
		return err_msg("unexpected '%s'", argv[pos]);
	if (open_maps(&m))
		return 1;
	err = pick_counter(&m, &r.act, have_counter);
	if (!err && (err = steer_rule_add(&m, &pf, &r))) {
		if (err == -ENOSPC)
			err = err_msg("rule add: the prefix already has %d rules",
				      XSK_STEER_RULES_PER_PREFIX);
		else
			err = map_err(err, "rule add");
	}
	if (!err && !opt.json)
		printf("rule added, counter %u\n", r.act.counter);
	steer_maps_close(&m);
	return !!err;
}

static int cmd_rule_del(int argc, char **argv)
{
	struct xsk_steer_rule r;
	struct steer_prefix pf;
	struct steer_maps m;
	int pos = 1, err;

	if (parse_rule(argc, argv, &pos, &pf, &r))
		return 1;
	if (pos < argc)
		return err_msg("unexpected '%s'", argv[pos]);
	if (open_maps(&m))
		return 1;
	err = steer_rule_del(&m, &pf, &r);
	steer_maps_close(&m);
	return err ? map_err(err, "rule del") : 0;
}

static int print_rule(const struct steer_prefix *pf, const struct xsk_steer_rule *r, void *arg)
{
	struct list_arg *l = arg;
	const char *dir = pf->dir == XSK_STEER_DIR_SRC ? "src" : "dst";
	char a[INET6_ADDRSTRLEN], act[96], p[8];
	struct xsk_steer_counter c = {};

	steer_counter_read(l->m, r->act.counter, &c);
	addr_str(pf->family, pf->addr, a);
	if (opt.json) {
		printf("%s{\"dir\":\"%s\",\"prefix\":\"%s/%u\",\"proto\":\"%s\","
		       "\"dport_lo\":%u,\"dport_hi\":%u,", l->n ? "," : "", dir, a,
		       pf->plen, proto_str(r->proto, p), r->dport_lo, r->dport_hi);
		json_action(&r->act);
		printf(",\"packets\":%llu,\"bytes\":%llu}", (unsigned long long)c.packets,
		       (unsigned long long)c.bytes);
	} else {
		action_str(&r->act, act, sizeof(act));
		printf("%s %s/%u proto %s dport %u-%u: %s counter %u (%llu packets, %llu bytes)\n",
		       dir, a, pf->plen, proto_str(r->proto, p), r->dport_lo, r->dport_hi,
		       act, r->act.counter, (unsigned long long)c.packets,
		       (unsigned long long)c.bytes);
	}
	l->n++;
	return 0;
}

static int walk_rules(const struct steer_maps *m, struct list_arg *l)
{
	return steer_rule_foreach(m, print_rule, l);
}

static int cmd_rule_list(int argc, char **argv)
{
	return list_entries(argc, "rule", walk_rules);
}

/* --- default action ---------------------------------------------------- */

static int cmd_default(int argc, char **argv)
{
	struct xsk_steer_config cfg;
	struct steer_maps m;
	bool have_counter;
	int pos = 1, err;

	if (open_maps(&m))
		return 1;
	err = steer_config_get(&m, &cfg);
	if (!err && pos < argc && !strcmp(argv[pos], "action"))
		err = parse_action(argc, argv, &pos, &cfg.dflt, &have_counter) ? -EINVAL : 0;
	if (!err && pos + 1 < argc && !strcmp(argv[pos], "malformed")) {
		if (!strcmp(argv[pos + 1], "pass"))
			cfg.malformed_act = XSK_STEER_ACT_PASS;
		else if (!strcmp(argv[pos + 1], "drop"))
			cfg.malformed_act = XSK_STEER_ACT_DROP;
		else
			err = err_msg("malformed: pass or drop");
		pos += 2;
	}
	if (!err && pos < argc)
		err = err_msg("unexpected '%s'", argv[pos]);
	if (!err && argc > 1 && (err = steer_config_set(&m, &cfg)))
		err = map_err(err, "default");
	if (!err && argc == 1) {
		char act[96];

		action_str(&cfg.dflt, act, sizeof(act));
		if (opt.json)
			printf("{\"default\":\"%s\",\"malformed\":\"%s\"}\n", act,
			       steer_act_name(cfg.malformed_act));
		else
			printf("default %s, malformed %s\n", act,
			       steer_act_name(cfg.malformed_act));
	}
	steer_maps_close(&m);
	return err ? 1 : 0;
}

/* --- policy slots ------------------------------------------------------ */

/*
 * Two ways into a slot (docs/steering.md, "Policies in BPF"):
 *   - chained: steer.bpf.o behind libxdp's dispatcher. The policy program
 *     is attached behind it on each interface where it runs (in this
 *     network namespace, or the one named with dev), and counted in
 *     steer_slots, which steer reads to know the slot is served.
 *   - prog array: steer_meta.bpf.o tail-calls steer_policies[slot].
 */

/* steer_slots[slot].progs += delta, not below zero. */
static int count_slot(const struct steer_maps *m, __u32 slot, int delta)
{
	struct xsk_steer_slot v = {};

	if (bpf_map_lookup_elem(m->slots, &slot, &v))
		return -errno;
	v.progs = (int)v.progs + delta < 0 ? 0 : v.progs + delta;
	return bpf_map_update_elem(m->slots, &slot, &v, BPF_ANY) ? -errno : 0;
}

struct unchain_arg {
	const struct steer_maps *m;
	__u32 keep_id;		/* leave this one (0: none) */
	int err;
};

/* Detach a chained policy and count it out of its slot. */
static int unchain_one(const struct steer_site *site, const struct steer_chained *c, void *arg)
{
	struct unchain_arg *u = arg;

	if (c->id == u->keep_id)
		return 0;
	if (!u->err)
		u->err = count_slot(u->m, c->slot, -1);
	return 1;
}

/* Detach the chained policies of slot (< 0: all) at a site. */
static int unchain(const struct steer_maps *m, const struct steer_site *site, int slot,
		   __u32 keep_id)
{
	struct unchain_arg u = { m, keep_id, 0 };
	int n = steer_chain_foreach(m, site, slot, unchain_one, &u);

	return n < 0 ? n : u.err ? u.err : n;
}

/*
 * Load the policy object with its maps shared through the pin directory
 * into the prog array. A prog array accepts only programs that match its
 * owner in xdp.frags support, so a policy that does not fit is loaded
 * again the other way.
 */
static int load_policy(const char *path, const char *name, int prog_array, __u32 slot)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, o, .pin_root_path = opt.pin_dir);
	int err = -EINVAL;

	for (int attempt = 0; attempt < 2; attempt++) {
		struct bpf_object *obj = bpf_object__open_file(path, &o);
		struct bpf_program *prog;
		int fd;

		if (!obj)
			return -errno;
		prog = name ? bpf_object__find_program_by_name(obj, name) :
			      bpf_object__next_program(obj, NULL);
		err = prog ? steer_policy_set_slot(obj, slot) : -ENOENT;
		if (err) {
			bpf_object__close(obj);
			return err;
		}
		if (attempt)
			bpf_program__set_flags(prog, bpf_program__flags(prog) ^
					       BPF_F_XDP_HAS_FRAGS);
		err = bpf_object__load(obj);
		if (!err) {
			fd = bpf_program__fd(prog);
			err = bpf_map_update_elem(prog_array, &slot, &fd, BPF_ANY) ? -errno : 0;
		}
		/* the prog array holds the program */
		bpf_object__close(obj);
		if (err != -EINVAL)
			break;
	}
	return err;
}

static int policy_err(int err, const char *path, __u32 slot)
{
	if (err == -ENOENT)
		return err_msg("%s has no such program, or no slot global: a policy includes "
			       "xsk_steer.bpf.h", path);
	return err_msg("cannot load policy %s into slot %u: %s", path, slot, strerror(-err));
}

/* Attach a policy for slot behind steer at each dispatcher site. */
static int chain_policy(const struct steer_maps *m, const struct steer_site *sites, int n,
			const char *path, const char *name, __u32 slot)
{
	char msg[256];
	__u32 id;
	int err;

	for (int i = 0; i < n; i++) {
		const struct steer_site *s = &sites[i];

		if (!s->dispatcher || s->tail)
			continue;
		err = steer_chain_attach(opt.pin_dir, s, path, name, slot, &id);
		if (err == -EINVAL)
			return err_msg("the dispatcher on %s refused %s: a policy built with "
				       "XSK_STEER_META (NAME_meta.bpf.o) calls packet-changing "
				       "helpers; load the build without _meta", s->ifname, path);
		if (err) {
			libxdp_strerror(err, msg, sizeof(msg));
			return err_msg("cannot attach policy %s on %s: %s", path, s->ifname, msg);
		}
		err = count_slot(m, slot, 1);
		if (!err)
			err = unchain(m, s, slot, id);	/* the one it replaces */
		if (err < 0)
			return err_msg("policy slot %u on %s: %s", slot, s->ifname,
				       strerror(-err));
		if (opt.json)
			printf("{\"slot\":%u,\"how\":\"chained\",\"ifname\":\"%s\",\"id\":%u,"
			       "\"priority\":%u}\n", slot, s->ifname, id, s->prio + 1);
		else
			printf("policy %s in slot %u: chained behind steer on %s (prog id %u, "
			       "priority %u)\n", path, slot, s->ifname, id, s->prio + 1);
	}
	return 0;
}

/* The chained policies behind steer on ifindex go with it. */
static int unchain_iface(int ifindex)
{
	struct steer_site site;
	struct steer_maps m;
	int err = 0;

	if (steer_maps_open_pinned(&m, opt.pin_dir))
		return 0;	/* no maps, no policies of ours */
	if (steer_sites_find(&m, ifindex, &site, 1) == 1)
		err = unchain(&m, &site, -1, 0);
	steer_maps_close(&m);
	return err;
}

/* policy load SLOT FILE [prog NAME] [dev IFACE] */
static int cmd_policy_load(int argc, char **argv)
{
	const char *path, *name = NULL, *dev = NULL;
	struct steer_site sites[STEER_MAX_SITES];
	int n, ifindex = 0, chained = 0, alone = -1, err;
	struct steer_maps m;
	__u32 slot;

	if (argc < 3 || parse_u32(argv[1], XSK_STEER_MAX_POLICIES - 1, &slot))
		return err_msg("policy load SLOT OBJECT [prog NAME] [dev IFACE]; SLOT below %u",
			       XSK_STEER_MAX_POLICIES);
	path = argv[2];
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "prog"))
			name = NEXT_ARG("prog");
		else if (!strcmp(argv[i], "dev"))
			dev = NEXT_ARG("dev");
		else
			return err_msg("unexpected '%s'", argv[i]);
	}
	if (access(path, R_OK))
		return err_msg("cannot read %s: %s", path, strerror(errno));
	if (dev && !(ifindex = ifindex_of(dev)))
		return 1;
	if (open_maps(&m))
		return 1;
	n = steer_sites_find(&m, ifindex, sites, STEER_MAX_SITES);
	for (int i = 0; i < n; i++) {
		if (sites[i].dispatcher && !sites[i].tail)
			chained++;
		else if (!sites[i].tail)
			alone = i;
	}
	if (chained) {
		err = chain_policy(&m, sites, n, path, name, slot);
	} else if (alone >= 0) {
		err = err_msg("steer.bpf.o runs alone on %s, not behind libxdp's dispatcher, "
			      "so no policy can run after it: load it with xdp-loader (a kernel "
			      "that allows freplace), or use steer_meta.bpf.o, whose policies "
			      "(NAME_meta.bpf.o) are tail-called", sites[alone].ifname);
	} else if (dev && n <= 0) {
		err = err_msg("steer with the maps at %s does not run on %s", opt.pin_dir, dev);
	} else {
		/* steer_meta.bpf.o, here or in another network namespace */
		err = load_policy(path, name, m.policies, slot);
		if (err)
			err = policy_err(err, path, slot);
		else if (opt.json)
			printf("{\"slot\":%u,\"how\":\"tail\"}\n", slot);
		else
			printf("policy %s in slot %u: prog array (tail calls of "
			       "steer_meta.bpf.o)\n", path, slot);
	}
	steer_maps_close(&m);
	return !!err;
}

/* policy unload SLOT [dev IFACE] */
static int cmd_policy_unload(int argc, char **argv)
{
	struct steer_site sites[STEER_MAX_SITES];
	int n, ifindex = 0, gone = 0, err = 0;
	struct steer_maps m;
	__u32 slot;

	if ((argc != 2 && argc != 4) || parse_u32(argv[1], XSK_STEER_MAX_POLICIES - 1, &slot))
		return err_msg("policy unload SLOT [dev IFACE]; SLOT below %u",
			       XSK_STEER_MAX_POLICIES);
	if (argc == 4) {
		if (strcmp(argv[2], "dev"))
			return err_msg("unexpected '%s'", argv[2]);
		if (!(ifindex = ifindex_of(argv[3])))
			return 1;
	}
	if (open_maps(&m))
		return 1;
	n = steer_sites_find(&m, ifindex, sites, STEER_MAX_SITES);
	for (int i = 0; i < n && !err; i++) {
		int k = unchain(&m, &sites[i], slot, 0);

		if (k < 0)
			err = err_msg("policy unload: slot %u on %s: %s", slot, sites[i].ifname,
				      strerror(-k));
		else
			gone += k;
	}
	if (!err && !ifindex && !bpf_map_delete_elem(m.policies, &slot))
		gone++;
	steer_maps_close(&m);
	if (!err && !gone)
		err = err_msg("policy unload: slot %u has no policy%s%s", slot,
			      ifindex ? " on " : "", ifindex ? argv[3] : "");
	if (!err && !opt.json)
		printf("slot %u: %d policy program%s removed\n", slot, gone, gone == 1 ? "" : "s");
	return !!err;
}

struct list_pol {
	int n;
};

static void print_policy(struct list_pol *l, __u32 slot, __u32 id, const char *name,
			 const char *how, const char *ifname, __u32 prio)
{
	if (opt.json) {
		printf("%s{\"slot\":%u,\"id\":%u,\"name\":\"%s\",\"how\":\"%s\"", l->n ? "," : "",
		       slot, id, name, how);
		if (ifname)
			printf(",\"ifname\":\"%s\",\"priority\":%u", ifname, prio);
		printf("}");
	} else if (ifname) {
		printf("slot %u: %s (prog id %u) %s on %s, priority %u\n", slot, name, id, how,
		       ifname, prio);
	} else {
		printf("slot %u: %s (prog id %u) %s\n", slot, name, id, how);
	}
	l->n++;
}

static int list_chained(const struct steer_site *site, const struct steer_chained *c,
			void *arg)
{
	print_policy(arg, c->slot, c->id, c->name, "chained", site->ifname, c->prio);
	return 0;
}

static int cmd_policy_list(int argc, char **argv)
{
	struct steer_site sites[STEER_MAX_SITES];
	struct list_pol l = { 0 };
	struct steer_maps m;
	int n;

	if (argc > 1)
		return err_msg("policy list takes no arguments");
	if (open_maps(&m))
		return 1;
	if (opt.json)
		printf("[");
	for (__u32 slot = 0; slot < XSK_STEER_MAX_POLICIES; slot++) {
		struct bpf_prog_info info = {};
		__u32 id, len = sizeof(info);
		int fd;

		if (bpf_map_lookup_elem(m.policies, &slot, &id))
			continue;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			snprintf(info.name, sizeof(info.name), "?");
		if (fd >= 0)
			close(fd);
		print_policy(&l, slot, id, info.name, "tail call", NULL, 0);
	}
	n = steer_sites_find(&m, 0, sites, STEER_MAX_SITES);
	for (int i = 0; i < n; i++)
		steer_chain_foreach(&m, &sites[i], -1, list_chained, &l);
	if (opt.json)
		printf("]\n");
	steer_maps_close(&m);
	return 0;
}

/* --- counters ---------------------------------------------------------- */

static void print_stats(const struct xsk_steer_stats *st, const struct xsk_steer_stats *prev,
			double secs)
{
	if (opt.json) {
		printf("{");
		for (int i = 0; i < __XSK_STEER_STAT_MAX; i++)
			printf("%s\"%s\":%llu", i ? "," : "", steer_stat_name(i),
			       (unsigned long long)st->cnt[i]);
		printf("}\n");
	} else {
		for (int i = 0; i < __XSK_STEER_STAT_MAX; i++) {
			printf("%-16s %14llu", steer_stat_name(i),
			       (unsigned long long)st->cnt[i]);
			if (prev)
				printf(" %12.0f/s", (st->cnt[i] - prev->cnt[i]) / secs);
			printf("\n");
		}
	}
	fflush(stdout);
}

static int cmd_stats(int argc, char **argv)
{
	struct xsk_steer_stats st, prev;
	struct steer_maps m;
	__u32 interval = 1, count = 0;
	bool live = false;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "--live"))
			live = true;
		else if (!strcmp(argv[i], "-i") || !strcmp(argv[i], "--interval")) {
			if (parse_u32(NEXT_ARG("--interval"), 3600, &interval) || !interval)
				return err_msg("invalid interval '%s'", argv[i]);
		} else if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--count")) {
			if (parse_u32(NEXT_ARG("--count"), UINT32_MAX, &count))
				return err_msg("invalid count '%s'", argv[i]);
			live = true;
		} else {
			return err_msg("unexpected '%s'", argv[i]);
		}
	}
	if (open_maps(&m))
		return 1;
	err = steer_stats_read(&m, &st);
	if (!err)
		print_stats(&st, NULL, 1);
	for (__u32 n = 1; !err && live && (!count || n < count); n++) {
		prev = st;
		sleep(interval);
		err = steer_stats_read(&m, &st);
		if (!err) {
			if (!opt.json)
				printf("\n");
			print_stats(&st, &prev, interval);
		}
	}
	steer_maps_close(&m);
	return err ? map_err(err, "stats") : 0;
}

/* --- dispatch ---------------------------------------------------------- */

struct steer_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

#define ACTION_HELP							\
	"ACTION := action { pass | drop | redirect [queue | index N] |\n" \
	"                   policy SLOT [param P] }\n"			\
	"          [split { l4 | l4+N | none }] [counter ID]\n"

static const struct steer_cmd flow_cmds[] = {
	{ "add", cmd_flow_add, "flow add proto P src ADDR sport N dst ADDR dport N ACTION\n"
	  ACTION_HELP },
	{ "del", cmd_flow_del, "flow del proto P src ADDR sport N dst ADDR dport N\n" },
	{ "list", cmd_flow_list, "flow list\n" },
	{ NULL }
};

static const struct steer_cmd rule_cmds[] = {
	{ "add", cmd_rule_add, "rule add { src | dst } PREFIX [proto P] [dport LO[-HI]] ACTION\n"
	  ACTION_HELP },
	{ "del", cmd_rule_del, "rule del { src | dst } PREFIX [proto P] [dport LO[-HI]]\n" },
	{ "list", cmd_rule_list, "rule list\n" },
	{ NULL }
};

static const struct steer_cmd policy_cmds[] = {
	{ "load", cmd_policy_load, "policy load SLOT OBJECT [prog NAME] [dev IFACE]\n"
	  "      behind steer.bpf.o in libxdp's dispatcher (chained, on each interface\n"
	  "      where it runs, or IFACE), or into the prog array of steer_meta.bpf.o\n" },
	{ "unload", cmd_policy_unload, "policy unload SLOT [dev IFACE]\n" },
	{ "list", cmd_policy_list, "policy list\n" },
	{ NULL }
};

static int run_table(const struct steer_cmd *t, const char *family, int argc, char **argv);

static int cmd_flow(int argc, char **argv)
{
	return run_table(flow_cmds, "flow", argc - 1, argv + 1);
}

static int cmd_rule(int argc, char **argv)
{
	return run_table(rule_cmds, "rule", argc - 1, argv + 1);
}

static int cmd_policy(int argc, char **argv)
{
	return run_table(policy_cmds, "policy", argc - 1, argv + 1);
}

static const struct steer_cmd steer_cmds[] = {
	{ "load", cmd_load, "load IFACE [-m|--mode native|skb] [-o|--object FILE]\n"
	  "      attach steer.bpf.o through libxdp, pin its maps at the pin path\n" },
	{ "unload", cmd_unload, "unload IFACE [-k|--keep-maps]\n" },
	{ "status", cmd_status, "status\n" },
	{ "flow", cmd_flow, "flow { add | del | list } ...   exact 5-tuple flows\n" },
	{ "rule", cmd_rule, "rule { add | del | list } ...   prefix rules\n" },
	{ "default", cmd_default, "default [ACTION] [malformed pass|drop]\n" },
	{ "policy", cmd_policy, "policy { load | unload | list } ...   BPF policy slots\n" },
	{ "stats", cmd_stats, "stats [-l|--live] [-i|--interval SECS] [-c|--count N]\n" },
	{ NULL }
};

static void usage_table(FILE *f, const struct steer_cmd *t, const char *family)
{
	fprintf(f, "usage: xsk-devmem steer [-p|--pin-path DIR] [-j|--json] %s",
		family ? family : "COMMAND ...\n\n");
	if (family)
		fprintf(f, " COMMAND ...\n\n");
	for (; t->name; t++)
		fprintf(f, "  %s", t->usage);
}

static int run_table(const struct steer_cmd *t, const char *family, int argc, char **argv)
{
	const struct steer_cmd *c;

	if (argc < 1) {
		if (opt.help) {
			usage_table(stdout, t, family);
			return 0;
		}
		usage_table(stderr, t, family);
		return 2;
	}
	for (c = t; c->name; c++) {
		if (strcmp(argv[0], c->name))
			continue;
		if (opt.help && (c->fn != cmd_flow && c->fn != cmd_rule && c->fn != cmd_policy)) {
			printf("usage: xsk-devmem steer [-p DIR] [-j] %s%s", family ? "" : "",
			       c->usage);
			return 0;
		}
		return c->fn(argc, argv);
	}
	err_msg("unknown command '%s'", argv[0]);
	usage_table(stderr, t, family);
	return 2;
}

int cmd_steer(int argc, char **argv)
{
	char **args = calloc(argc + 1, sizeof(*args));
	int n = 0, ret;

	if (!args)
		return 1;
	/* options that apply everywhere, wherever they stand */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			opt.json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			opt.help = true;
		} else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pin-path")) {
			if (++i >= argc) {
				free(args);
				return err_msg("--pin-path needs a directory");
			}
			opt.pin_dir = argv[i];
		} else {
			args[n++] = argv[i];
		}
	}
	if (getenv("XSK_STEER_PIN_DIR") && opt.pin_dir == (const char *)XSK_STEER_PIN_DIR)
		opt.pin_dir = getenv("XSK_STEER_PIN_DIR");
	libxdp_set_print(NULL);
	ret = run_table(steer_cmds, NULL, n, args);
	free(args);
	return ret;
}
