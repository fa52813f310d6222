// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xsk_devmem_prog.c - the BPF side of a socket: make sure steer.bpf.o runs
 * on the interface (unless told not to) and put the socket into steer's
 * XSKMAP, pinned as steer_xsks under steer's pin directory
 * (docs/steering.md).
 *
 * The library loads steer only on an interface without an XDP program, and
 * attaches it directly (as libxdp's legacy mode does), detaching it again
 * when the socket that loaded it goes. Next to other XDP programs, steer
 * belongs to xdp-loader (`xdp-loader load -p PIN_DIR IFACE steer.bpf.o`)
 * and the socket is created with XSK_DEVMEM_SOCKET_F_INHIBIT_PROG_LOAD:
 * that keeps the library's hands off the program, exactly like libxdp's
 * XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD, and only the XSKMAP is touched.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xsk_devmem_msg.h"
#include "xsk_devmem_prog.h"
#include "xsk_steer.h"

#define STEER_PROG	"xsk_steer"
#define STEER_XSKMAP	"steer_xsks"

#ifndef XSK_DEVMEM_STEER_OBJ
#define XSK_DEVMEM_STEER_OBJ "/usr/local/lib/xsk-devmem/steer.bpf.o"
#endif

static const char *pin_dir_of(const struct xsk_devmem_socket_config *c)
{
	if (c->pin_dir)
		return c->pin_dir;
	return getenv("XSK_STEER_PIN_DIR") ? getenv("XSK_STEER_PIN_DIR") : XSK_STEER_PIN_DIR;
}

/*
 * steer.bpf.o: the caller's path, $XSK_STEER_OBJ, next to the library
 * (LIBDIR/xsk-devmem/ when installed, build/bpf/ in the build tree; for a
 * static link, relative to the executable), else the compiled-in path.
 */
static const char *obj_of(const struct xsk_devmem_socket_config *c, char *buf, size_t len)
{
	static const char *const rel[] = { "xsk-devmem/steer.bpf.o", "../bpf/steer.bpf.o" };
	Dl_info dl;
	char *slash;

	if (c->prog_path)
		return c->prog_path;
	if (getenv("XSK_STEER_OBJ"))
		return getenv("XSK_STEER_OBJ");
	/* Where this code was loaded from: the library, or a static executable. */
	if (dladdr((void *)obj_of, &dl) && dl.dli_fname) {
		char dir[PATH_MAX - 32];

		snprintf(dir, sizeof(dir), "%s", dl.dli_fname);
		slash = strrchr(dir, '/');
		if (slash) {
			*slash = 0;
			for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
				snprintf(buf, len, "%s/%s", dir, rel[i]);
				if (!access(buf, R_OK))
					return buf;
			}
		}
	}
	return XSK_DEVMEM_STEER_OBJ;
}

static int bpf_err(int err, const char *what)
{
	if (err == -EPERM || err == -EACCES)
		return xdm_err(err, "%s: not permitted: XDP programs and BPF maps need "
			       "CAP_BPF and CAP_NET_ADMIN (or root)", what);
	return xdm_err(err, "%s: %s", what, strerror(-err));
}

/* Id and name of the XDP program on ifindex (id 0: none). */
static int attached_prog(int ifindex, __u32 *id, char *name, size_t len)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	int fd, err;

	*id = 0;
	name[0] = 0;
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	*id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	if (!*id)
		return 0;
	fd = bpf_prog_get_fd_by_id(*id);
	if (fd < 0)
		return 0;	/* no name then; not an error */
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(name, len, "%s", info.name);
	close(fd);
	return 0;
}

static int load_steer(struct xdm_prog *p, const char *ifname,
		      const struct xsk_devmem_socket_config *c, const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_dir);
	char buf[PATH_MAX];
	const char *path = obj_of(c, buf, sizeof(buf));
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info), mode;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct statfs st;
	int err, fd;

	if (statfs(pin_dir, &st) && statfs("/sys/fs/bpf", &st))
		return xdm_err(-ENOENT, "steer: no bpffs for the pin directory %s "
			       "(mount -t bpf bpf /sys/fs/bpf)", pin_dir);
	if (st.f_type != BPF_FS_MAGIC)
		return xdm_err(-EINVAL, "steer: %s is not on a bpffs "
			       "(mount -t bpf bpf /sys/fs/bpf)", pin_dir);
	if (access(path, R_OK))
		return xdm_err(-errno, "steer: cannot read the program %s: %s (set prog_path "
			       "or XSK_STEER_OBJ)", path, strerror(errno));
	obj = bpf_object__open_file(path, &oo);
	err = libbpf_get_error(obj);
	if (err)
		return xdm_err(err, "steer: cannot open %s: %s", path, strerror(-err));
	prog = bpf_object__find_program_by_name(obj, STEER_PROG);
	if (!prog) {
		bpf_object__close(obj);
		return xdm_err(-ENOENT, "steer: %s has no program %s", path, STEER_PROG);
	}
	err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		return bpf_err(err, "steer: loading steer.bpf.o");
	}
	mode = c->xdp_flags & (XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE);
	p->xdp_flags = XDP_FLAGS_UPDATE_IF_NOEXIST | (mode ? mode : XDP_FLAGS_DRV_MODE);
	fd = bpf_program__fd(prog);
	err = bpf_xdp_attach(p->ifindex, fd, p->xdp_flags, NULL);
	if (err) {
		bpf_object__close(obj);
		return bpf_err(err, "steer: attaching to the interface");
	}
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
		p->prog_id = info.id;
	p->obj = obj;		/* keeps the program fd for the detach */
	p->loaded = true;
	xdm_pr(XSK_DEVMEM_INFO, "steer: loaded %s on %s (prog id %u), maps at %s\n", path,
	       ifname, p->prog_id, pin_dir);
	return 0;
}

void xdm_prog_init(struct xdm_prog *p)
{
	*p = (struct xdm_prog){ .xskmap_fd = -1 };
}

int xdm_prog_prepare(struct xdm_prog *p, int ifindex, const char *ifname, __u32 queue,
		     const struct xsk_devmem_socket_config *c)
{
	const char *pin_dir = pin_dir_of(c);
	char path[PATH_MAX], name[BPF_OBJ_NAME_LEN];
	__u32 id;
	int err;

	p->ifindex = ifindex;
	if (c->flags & XSK_DEVMEM_SOCKET_F_NO_XSKMAP)
		return 0;
	p->xskmap_index = c->flags & XSK_DEVMEM_SOCKET_F_XSKMAP_INDEX ? c->xskmap_index : queue;
	if (!(c->flags & XSK_DEVMEM_SOCKET_F_INHIBIT_PROG_LOAD)) {
		err = attached_prog(ifindex, &id, name, sizeof(name));
		if (err)
			return bpf_err(err, "querying the XDP program of the interface");
		if (!id) {
			err = load_steer(p, ifname, c, pin_dir);
			if (err)
				return err;
		} else if (strcmp(name, STEER_PROG) && strcmp(name, "xdp_dispatcher")) {
			return xdm_err(-EBUSY, "steer: %s already runs XDP program '%s' (id %u): "
				       "load steer.bpf.o next to it with `xdp-loader load -p %s "
				       "%s steer.bpf.o` and create the socket with "
				       "XSK_DEVMEM_SOCKET_F_INHIBIT_PROG_LOAD", ifname, name,
				       id, pin_dir, ifname);
		}
	}
	snprintf(path, sizeof(path), "%s/%s", pin_dir, STEER_XSKMAP);
	p->xskmap_fd = bpf_obj_get(path);
	if (p->xskmap_fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			return xdm_err(err, "steer: no XSKMAP pinned at %s: load steer.bpf.o "
				       "(`xsk-devmem steer load %s`, or xdp-loader with -p %s)",
				       path, ifname, pin_dir);
		return bpf_err(err, "steer: opening its XSKMAP");
	}
	return 0;
}

int xdm_xskmap_update(int map_fd, __u32 index, int fd, const char *what)
{
	if (bpf_map_update_elem(map_fd, &index, &fd, 0))
		return bpf_err(-errno, what);
	return 0;
}

int xdm_prog_enter(struct xdm_prog *p, int fd)
{
	int err;

	if (p->xskmap_fd < 0)
		return 0;
	err = xdm_xskmap_update(p->xskmap_fd, p->xskmap_index, fd,
				"steer: entering the socket into its XSKMAP");
	if (!err)
		p->in_xskmap = true;
	return err;
}

void xdm_prog_teardown(struct xdm_prog *p)
{
	if (p->in_xskmap)
		bpf_map_delete_elem(p->xskmap_fd, &p->xskmap_index);
	p->in_xskmap = false;
	if (p->xskmap_fd >= 0)
		close(p->xskmap_fd);
	p->xskmap_fd = -1;
	if (p->loaded) {
		struct bpf_program *prog = bpf_object__find_program_by_name(p->obj, STEER_PROG);
		LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = bpf_program__fd(prog));

		/* Only if it is still ours. */
		bpf_xdp_detach(p->ifindex, (p->xdp_flags & ~XDP_FLAGS_UPDATE_IF_NOEXIST) |
			       XDP_FLAGS_REPLACE, &o);
		p->loaded = false;
	}
	if (p->obj)
		bpf_object__close(p->obj);
	p->obj = NULL;
}
