// SPDX-License-Identifier: GPL-2.0
/* The receive benchmark's CPU meter (napi_meter.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "napi_meter.h"
#include "napi_time.skel.h"

struct napi_meter {
	struct napi_time_bpf *skel;
	int ncpus;
	struct napi_time t0;
	unsigned long long cpu0;
};

static unsigned long long proc_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int napi_meter_sum(struct napi_meter *m, struct napi_time *sum)
{
	struct napi_time *v;
	__u32 k = 0;
	int err = 0;

	v = calloc(m->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map__lookup_elem(m->skel->maps.times, &k, sizeof(k), v,
				 m->ncpus * sizeof(*v), 0)) {
		err = -errno;
		fprintf(stderr, "napi_meter: reading the per-CPU times: %s\n", strerror(-err));
	}
	memset(sum, 0, sizeof(*sum));
	for (int i = 0; !err && i < m->ncpus; i++) {
		sum->rx_ns += v[i].rx_ns;
		sum->rx_polls += v[i].rx_polls;
		sum->rx_frames += v[i].rx_frames;
		sum->other_ns += v[i].other_ns;
		sum->in_target_ns += v[i].in_target_ns;
	}
	free(v);
	return err;
}

struct napi_meter *napi_meter_open(const char *rx_ifname)
{
	struct napi_meter *m = calloc(1, sizeof(*m));
	int err;

	if (!m)
		return NULL;
	if (strlen(rx_ifname) >= NAPI_TIME_IFNAMSIZ) {
		fprintf(stderr, "napi_meter: interface name %s too long\n", rx_ifname);
		goto fail;
	}
	m->ncpus = libbpf_num_possible_cpus();
	m->skel = napi_time_bpf__open();
	if (m->ncpus <= 0 || !m->skel) {
		fprintf(stderr, "napi_meter: cannot open napi_time.bpf.o: %s\n", strerror(errno));
		goto fail;
	}
	strcpy((char *)m->skel->rodata->rx_name, rx_ifname);
	m->skel->rodata->target_tgid = getpid();
	err = napi_time_bpf__load(m->skel) ?: napi_time_bpf__attach(m->skel);
	if (err) {
		fprintf(stderr, "napi_meter: cannot attach to nsim_poll() (netdevsim built in, "
			"kernel BTF?): %s\n", strerror(-err));
		goto fail;
	}
	return m;
fail:
	napi_meter_close(m);
	return NULL;
}

int napi_meter_start(struct napi_meter *m)
{
	m->cpu0 = proc_cpu_ns();
	return napi_meter_sum(m, &m->t0);
}

int napi_meter_stop(struct napi_meter *m, struct rx_cost *c)
{
	unsigned long long cpu = proc_cpu_ns() - m->cpu0, hosted;
	struct napi_time t;
	int err = napi_meter_sum(m, &t);

	if (err)
		return err;
	hosted = t.in_target_ns - m->t0.in_target_ns;
	c->rx_napi_ns = t.rx_ns - m->t0.rx_ns;
	c->rx_polls = t.rx_polls - m->t0.rx_polls;
	c->rx_frames = t.rx_frames - m->t0.rx_frames;
	c->other_napi_ns = t.other_ns - m->t0.other_ns;
	c->self_ns = cpu > hosted ? cpu - hosted : 0;
	return 0;
}

void napi_meter_close(struct napi_meter *m)
{
	if (!m)
		return;
	napi_time_bpf__destroy(m->skel);
	free(m);
}

void napi_meter_print(const struct rx_cost *c)
{
	printf(" rx_napi_ns %llu rx_polls %llu rx_frames %llu other_napi_ns %llu self_ns %llu",
	       c->rx_napi_ns, c->rx_polls, c->rx_frames, c->other_napi_ns, c->self_ns);
}
