// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * diff.c - the program against the reference parser (see diff.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>

#include "diff.h"
#include "ref_parser.h"

const struct xsk_steer_config steer_diff_cfg = {
	.dflt = { .type = XSK_STEER_ACT_REDIRECT_IDX, .arg = 1,
		  .split = XSK_STEER_SPLIT_L4_PLUS, .split_len = 6 },
	.malformed_act = XSK_STEER_ACT_PASS,
};

int steer_diff_open(struct steer_h *h)
{
	char path[512];
	int err;

	err = steer_h_open(h, steer_obj_path("bpf/steer_meta.bpf.o", path, sizeof(path)));
	if (err) {
		fprintf(stderr, "cannot load %s: %s\n", path, strerror(-err));
		return err;
	}
	if (steer_config_set(&h->maps, &steer_diff_cfg)) {
		fprintf(stderr, "cannot set the default action\n");
		steer_h_close(h);
		return -EIO;
	}
	return 0;
}

int steer_diff_frame(struct steer_h *h, const __u8 *buf, size_t len,
		     struct steer_diff *d)
{
	struct steer_result *r = &d->r;
	int err;

	d->why[0] = '\0';
	memset(&d->ref, 0, sizeof(d->ref));
	err = steer_h_run(h, buf, len, r);
	if (err) {
		snprintf(d->why, sizeof(d->why), "test run: %s", strerror(-err));
		return -1;
	}
	/* frames past the kernel's first buffer: headers must be in it */
	ref_parse_mb(buf, r->linear, len, &d->ref);
	if (steer_pkt_cmp(&r->pkt, &d->ref, d->why, sizeof(d->why)))
		return -1;
	if (d->ref.verdict == XSK_STEER_V_OK) {
		__u32 split = ref_split(&d->ref, &steer_diff_cfg.dflt);

		if (!r->has_meta || r->meta.split != split) {
			snprintf(d->why, sizeof(d->why), "split %u (meta %d), reference %u",
				 r->meta.split, r->has_meta, split);
			return -1;
		}
	} else if (r->has_meta || r->ret != XDP_PASS) {
		snprintf(d->why, sizeof(d->why), "not passed untouched");
		return -1;
	}
	return 0;
}

void steer_diff_print(const struct steer_diff *d, const __u8 *buf, size_t len)
{
	char a[256], b[256];

	steer_pkt_str(&d->r.pkt, a, sizeof(a));
	steer_pkt_str(&d->ref, b, sizeof(b));
	printf("  bpf: %s\n  ref: %s\n", a, b);
	steer_hexdump(buf, len);
}
