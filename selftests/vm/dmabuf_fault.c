// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection on the dmabuf UMEM's paths: register, bind in copy mode
 * and in zero copy (provider install and the queue restart it does), a
 * restart of a queue the provider is on, and the unbind that follows a
 * close. Every fallible call on a path fails once, one per run of the
 * path, and each run must end clean: the call that saw the failure returns
 * an error the caller can act on (-ENOMEM), or succeeds and everything
 * after it works; closed, the socket leaves no dmabuf area behind, and the
 * next run finds the queue free (a provider left on it would make the next
 * zero-copy bind fail with EBUSY). dmabuf_fault.sh then checks that the
 * queue receives in both modes.
 *
 * The mechanism is the kernel's fail_function, armed on
 *   should_failslab          every slab allocation (failslab's hook),
 *   should_fail_alloc_page   every page allocation (fail_page_alloc's),
 *   xsk_dmabuf_map_cpu       mapping the dmabuf for the CPU (copy mode),
 *   xsk_dmabuf_map_get       mapping the dmabuf for the device,
 *   xsk_dmabuf_mp_init       the provider taking a page pool,
 *   xsk_dmabuf_zc_bind       the provider install as a whole,
 *   nsim_hds_queue_start     the driver starting a queue on new memory,
 * with its stack filter limited to calls made under one function of the
 * path (the site: do_sock_setsockopt, xsk_bind, netdev_rx_queue_restart,
 * xp_release_deferred, which runs in a kworker after the close) and with
 * space = k, times = 1: exactly the k-th such call fails. k counts up
 * from 1 until a run sees no failure; so every call that can fail on the
 * path fails once, in a system call or in the kworker alike (fail-nth
 * would reach only the calling task). One exception: allocations of
 * udmabuf's vmap, whose failure dma_buf_vmap() meets with a WARN (6.12,
 * drivers/dma-buf/dma-buf.c) the console check would count; the failure
 * of the CPU mapping is injected at xsk_dmabuf_map_cpu() instead. Each failure's stack (verbose=2,
 * read back from /dev/kmsg) names the point; the distinct points are
 * listed at the end. dmabuf_fault.sh brackets the run with "xsk-fault:"
 * lines on the console, inside which scripts/console-check.sh accepts the
 * stacks of injected failures (and of the allocation-failure reports they
 * cause), nothing else.
 *
 * Then, with -R RUNS, failslab and fail_page_alloc themselves, configured
 * for this task only (task-filter, /proc/thread-self/make-it-fail): RUNS
 * sockets, copy and zero copy in turn, through every step up to the close
 * with each allocation failing at PERCENT (default 3) percent; any step
 * may fail, none may leave an area or a provider behind.
 *
 *   dmabuf_fault -i IFNAME [-q QUEUE] [-r RESTART_FILE] [-m MAX]
 *                [-R RUNS [-P PERCENT]] PATH...
 *
 * PATH: reg, bind-copy, bind-zc, restart-zc, close-copy, close-zc.
 * Exit 0 if every run was clean, 1 if not, 2 for a set-up error.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "udmabuf.h"
#include "util.h"
#include "xsk_raw.h"

#define FI_DIR		"/sys/kernel/debug/fail_function"
#define AREAS		"/sys/kernel/debug/xsk_dmabuf/areas"
#define CHUNK		4096u
#define AREA_CHUNKS	512u
#define RING		512u
#define ENOMEM_RETVAL	"0xfffffffffffffff4"	/* -ENOMEM as an unsigned long */
#define MAX_POINTS	512

static const char *ifname;
static unsigned int ifindex;	/* looked up once: the runs bind by index */
static unsigned int queue;
static const char *restart_file;
static unsigned int max_runs = 2000;

/* The functions fail_function fails, and what each returns then. */
static const struct {
	const char *name;
	const char *retval;
} injected[] = {
	{ "should_failslab",		ENOMEM_RETVAL },
	{ "should_fail_alloc_page",	"1" },
	{ "xsk_dmabuf_map_cpu",		ENOMEM_RETVAL },
	{ "xsk_dmabuf_map_get",		ENOMEM_RETVAL },
	{ "xsk_dmabuf_mp_init",		ENOMEM_RETVAL },
	{ "xsk_dmabuf_zc_bind",		ENOMEM_RETVAL },
	{ "nsim_hds_queue_start",	ENOMEM_RETVAL },
};

/* --- fail_function ------------------------------------------------------- */

static int fi_write(const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), FI_DIR "/%s", file);
	return write_file(path, val);
}

static long fi_read(const char *file)
{
	char path[256], buf[64] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), FI_DIR "/%s", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 0) : -1;
}

/* The text range of @sym: from its address to the next symbol's. */
static int ksym_range(const char *sym, unsigned long *start, unsigned long *end)
{
	unsigned long addr, best = ~0UL;
	char type, name[256], line[512];
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -errno;
	*start = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &addr, &type, name) != 3 ||
		    tolower(type) != 't')
			continue;
		if (!strcmp(name, sym) && !*start)
			*start = addr;
	}
	rewind(f);
	while (*start && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &addr, &type, name) == 3 &&
		    addr > *start && addr < best)
			best = addr;
	}
	fclose(f);
	if (!*start || best == ~0UL)
		return -ENOENT;
	*end = best;
	return 0;
}

static int fi_setup(void)
{
	char path[256];
	size_t i;
	int err;

	err = fi_write("inject", "\n");
	for (i = 0; !err && i < sizeof(injected) / sizeof(injected[0]); i++) {
		err = fi_write("inject", injected[i].name);
		if (err) {
			fprintf(stderr, "dmabuf_fault: %s is not error-injectable: %s\n",
				injected[i].name, strerror(-err));
			return err;
		}
		snprintf(path, sizeof(path), "%s/retval", injected[i].name);
		err = fi_write(path, injected[i].retval);
	}
	if (!err)
		err = fi_write("times", "0") ?: fi_write("probability", "100") ?:
		      fi_write("interval", "1") ?: fi_write("task-filter", "N") ?:
		      fi_write("verbose", "2") ?:
		      fi_write("verbose_ratelimit_interval_ms", "0") ?:
		      fi_write("stacktrace-depth", "32");
	if (err)
		fprintf(stderr, "dmabuf_fault: %s: %s\n", FI_DIR, strerror(-err));
	return err;
}

static void fi_teardown(void)
{
	fi_write("times", "0");
	fi_write("require-start", "0");
	fi_write("require-end", "18446744073709551615");
	fi_write("reject-start", "0");
	fi_write("reject-end", "0");
	fi_write("inject", "\n");
}

/* Fail only calls made under @sym, and (if set) none made under @reject. */
static int fi_site(const char *sym, const char *reject)
{
	unsigned long start = 0, end = 0, rstart = 0, rend = 0;
	const char *missing = sym;
	char buf[32];
	int err;

	err = ksym_range(sym, &start, &end);
	if (!err && reject) {
		missing = reject;
		err = ksym_range(reject, &rstart, &rend);
	}
	if (err) {
		fprintf(stderr, "dmabuf_fault: no symbol %s in /proc/kallsyms\n", missing);
		return err;
	}
	/* The ends first: a range must never be empty on the way. */
	snprintf(buf, sizeof(buf), "%lu", end);
	err = fi_write("require-end", buf);
	snprintf(buf, sizeof(buf), "%lu", start);
	err = err ?: fi_write("require-start", buf);
	snprintf(buf, sizeof(buf), "%lu", rend);
	err = err ?: fi_write("reject-end", buf);
	snprintf(buf, sizeof(buf), "%lu", rstart);
	return err ?: fi_write("reject-start", buf);
}

/* Fail the @k-th call (k >= 1) under the site from now on. */
static void fi_arm(unsigned int k)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", k);
	fi_write("space", buf);
	fi_write("times", "1");
}

/* Disarm; return whether a call failed since fi_arm(). */
static bool fi_disarm(void)
{
	bool fired = fi_read("times") == 0;

	fi_write("times", "0");
	return fired;
}

/* --- Which call failed: its stack, from /dev/kmsg ------------------------ */

static int kmsg = -1;
static char *points[MAX_POINTS];
static unsigned int points_hits[MAX_POINTS], nr_points;

static void kmsg_skip(void)
{
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
}

/* Frames that only say how the failure was injected or allocated. */
static bool frame_internal(const char *f)
{
	static const char *const prefixes[] = {
		"dump_stack", "should_fail", "fei_", "kprobe", "do_int3",
		"ftrace", "arch_ftrace", "fail_stacktrace",
		"exc_int3", "asm_exc_int3", "fail_dump", "__kmalloc", "kmalloc",
		"__do_kmalloc", "kmem_cache_alloc", "__kmem_cache", "slab_",
		"__slab", "___slab", "kzalloc", "kvmalloc", "__kvmalloc",
		"kvzalloc", "kcalloc", "kvcalloc", "krealloc", "kmemdup",
		"alloc_pages", "__alloc_pages", "alloc_frozen", "__alloc_frozen",
		"prepare_alloc_pages", "folio_alloc", "__folio_alloc",
		"alloc_slab", "allocate_slab", "new_slab", "vm_area_alloc",
		"__vmalloc", "vmalloc", "vzalloc", "__get_free_pages",
		"get_zeroed_page", "___kmalloc_large", "__kmalloc_large",
		"alloc_pages_mpol", "__alloc_pages_bulk", "alloc_pages_bulk",
		"__get_vm_area", "alloc_vmap_area", "__alloc_pages_noprof",
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(f, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static bool injected_name(const char *f)
{
	size_t i;

	for (i = 0; i < sizeof(injected) / sizeof(injected[0]); i++)
		if (!strcmp(f, injected[i].name))
			return true;
	return false;
}

/* What failed, and the two calls that led to it: "kind < caller < caller".
 * The stack of fail_dump() starts in the fault-injection code (and the
 * kprobe's int3 or ftrace entry), then the injected function, then the
 * allocator if it was an allocation.
 */
static void kmsg_point(unsigned int k, char *out, size_t len)
{
	char rec[1024], kind[80] = "?", chain[2][80] = { "?", "?" };
	bool in_dump = false;
	int n_chain = 0;
	ssize_t n;

	snprintf(out, len, "call %u: (no stack read)", k);
	if (kmsg < 0)
		return;
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *text, *nl, fn[80];

		if (n < 0)
			continue;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (strstr(text, "FAULT_INJECTION: forcing a failure")) {
			in_dump = true;
			continue;
		}
		if (!in_dump || n_chain == 2)
			continue;
		while (*text == ' ')
			text++;
		/* Past the kprobe's ftrace trampoline the unwinder guesses: every
		 * frame is "? func", most of them right.
		 */
		if (!strncmp(text, "? ", 2))
			text += 2;
		if (!strncmp(text, "RIP: 0010:", 10))
			text += 10;
		if (!strstr(text, "+0x") || sscanf(text, "%79[A-Za-z0-9_.]", fn) != 1)
			continue;
		if (injected_name(fn)) {
			snprintf(kind, sizeof(kind), "%s", fn);
			continue;
		}
		if (frame_internal(fn))
			continue;
		snprintf(chain[n_chain++], sizeof(chain[0]), "%s", fn);
	}
	if (in_dump)
		snprintf(out, len, "%s < %s < %s", kind, chain[0], chain[1]);
}

static void point_add(const char *path, const char *p)
{
	char name[300];
	unsigned int i;

	snprintf(name, sizeof(name), "%-10s %s", path, p);
	for (i = 0; i < nr_points; i++) {
		if (!strcmp(points[i], name)) {
			points_hits[i]++;
			return;
		}
	}
	if (nr_points < MAX_POINTS) {
		points[nr_points] = strdup(name);
		points_hits[nr_points++] = 1;
	}
}

/* --- One run of a path --------------------------------------------------- */

enum step { S_SETUP, S_BIND, S_RESTART, S_CLOSE };

struct path {
	const char *name;
	const char *site;	/* the function the failures must be under */
	const char *reject;	/* and one they must not be under, or NULL */
	enum step step;		/* the step they are armed for */
	bool zc;
};

static const struct path paths[] = {
	{ "reg",	"do_sock_setsockopt",	  "vmap_udmabuf", S_SETUP,   false },
	{ "bind-copy",	"xsk_bind",		  NULL,		  S_BIND,    false },
	{ "bind-zc",	"xsk_bind",		  NULL,		  S_BIND,    true },
	{ "restart-zc",	"netdev_rx_queue_restart", NULL,	  S_RESTART, true },
	{ "close-copy",	"xp_release_deferred",	  NULL,		  S_CLOSE,   false },
	{ "close-zc",	"xp_release_deferred",	  NULL,		  S_CLOSE,   true },
};

static bool areas_empty(void)
{
	char c;
	int fd = open(AREAS, O_RDONLY);
	bool empty;

	if (fd < 0)
		return false;
	empty = read(fd, &c, 1) == 0;
	close(fd);
	return empty;
}

/* The areas go once the deferred release and the page pools let go. */
static bool areas_gone(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	for (i = 0; i < 500; i++) {
		if (areas_empty())
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static int restart_queue(void)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", queue);
	return write_file(restart_file, buf);
}

/* Set a socket up and bind it, arming for @p->step; close it. Returns
 * whether the armed failure happened; *errp gets the armed step's result.
 */
static bool run(const struct path *p, unsigned int k, struct udmabuf *u, int *errp)
{
	uint16_t flags = XDP_USE_SG | (p->zc ? XDP_ZEROCOPY : XDP_COPY);
	bool armed = false, fired = false;
	struct xsk_raw x;
	int err = 0, fds = open_fds();
	uint32_t i;

	*errp = 0;
	kmsg_skip();
#define ARM(s)		do { if (p->step == (s)) { fi_arm(k); armed = true; } } while (0)
#define DISARM()	do { if (armed) { fired = fi_disarm(); armed = false; } } while (0)
	err = xsk_raw_socket(&x);
	CHECK_OR(return false, !err, "socket: %s", strerror(-err));
	ARM(S_SETUP);
	err = xsk_raw_umem_reg(&x, 64, CHUNK) ?:
	      xsk_raw_rings(&x, RING, RING, true) ?:
	      xsk_raw_dmabuf_reg(&x, u->fd, 0, (uint64_t)AREA_CHUNKS * CHUNK, CHUNK);
	DISARM();
	if (p->step == S_SETUP)
		*errp = err;
	if (!err)
		err = xsk_raw_mmap(&x, true, true);
	if (!err) {
		ARM(S_BIND);
		err = xsk_raw_bind_index(&x, ifindex, queue, flags, -1);
		DISARM();
		if (p->step == S_BIND)
			*errp = err;
	}
	if (!err) {
		/* Every chunk lent: a restart and the unbind have them to move. */
		for (i = 0; i < AREA_CHUNKS && xring_prod_free(&x.dfq); i++)
			xring_prod_push(&x.dfq, (uint64_t)i * CHUNK);
		if (p->step == S_RESTART) {
			ARM(S_RESTART);
			err = restart_queue();
			DISARM();
			*errp = err;
		}
	}
	/* Only the armed step may fail; the steps after it must work. */
	CHECK(!err || err == *errp, "%s run %u: an unarmed step failed: %s",
	      p->name, k, strerror(-err));
	ARM(S_CLOSE);
	xsk_raw_close(&x);
	if (!areas_gone())
		CHECK(false, "%s run %u: a dmabuf area is left after the close", p->name, k);
	DISARM();
	CHECK(open_fds() == fds, "%s run %u: %d fds left open", p->name, k, open_fds() - fds);
#undef ARM
#undef DISARM
	return fired;
}

static int run_path(const struct path *p, struct udmabuf *u)
{
	unsigned int k, failed = 0, ok_after = 0, enomem = 0;
	int before = check_failures, err;
	char point[256];

	if (p->step == S_RESTART && !restart_file) {
		fprintf(stderr, "dmabuf_fault: %s needs -r RESTART_FILE\n", p->name);
		return 2;
	}
	if (fi_site(p->site, p->reject))
		return 2;
	for (k = 1; k <= max_runs; k++) {
		bool fired = run(p, k, u, &err);

		if (!fired) {
			CHECK(!err, "%s: the run without a failure failed: %s",
			      p->name, strerror(-err));
			break;
		}
		kmsg_point(k, point, sizeof(point));
		point_add(p->name, point);
		if (err) {
			failed++;
			enomem += err == -ENOMEM;
			/* The caller must be able to tell what happened. */
			CHECK(err == -ENOMEM, "%s call %u (%s): %s, want ENOMEM",
			      p->name, k, point, strerror(-err));
		} else {
			ok_after++;
		}
		if (check_failures != before && getenv("FAULT_VERBOSE"))
			fprintf(stderr, "  at %s\n", point);
	}
	CHECK(k <= max_runs, "%s: still failing calls after %u runs", p->name, max_runs);
	printf("%-10s under %-24s %3u calls failed one by one: %u returned an error (%u ENOMEM), %u recovered; %s\n",
	       p->name, p->site, k - 1, failed, enomem, ok_after,
	       check_failures == before ? "clean" : "NOT CLEAN");
	return 0;
}

/* --- failslab and fail_page_alloc, per task, at random ------------------- */

/* Their own attributes, with the task filter: only this thread's
 * allocations fail, while /proc/thread-self/make-it-fail says so, each
 * with probability @pct percent. Page faults on user memory (highmem
 * allocations) are left alone.
 */
static int attr_write(const char *attr, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", attr, file);
	return write_file(path, val);
}

static int random_setup(const char *pct)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc" };
	unsigned long rstart, rend;
	char start[32], end[32];
	size_t i;
	int err;

	/* Not udmabuf's vmap, as for the paths (fi_site()). */
	err = ksym_range("vmap_udmabuf", &rstart, &rend);
	snprintf(start, sizeof(start), "%lu", err ? 0 : rstart);
	snprintf(end, sizeof(end), "%lu", err ? 0 : rend);
	err = 0;
	for (i = 0; i < 2 && !err; i++)
		err = attr_write(attrs[i], "times", "-1") ?:
		      attr_write(attrs[i], "interval", "1") ?:
		      attr_write(attrs[i], "space", "0") ?:
		      attr_write(attrs[i], "task-filter", "Y") ?:
		      attr_write(attrs[i], "ignore-gfp-wait", "N") ?:
		      attr_write(attrs[i], "verbose", "2") ?:
		      attr_write(attrs[i], "verbose_ratelimit_interval_ms", "0") ?:
		      attr_write(attrs[i], "reject-end", end) ?:
		      attr_write(attrs[i], "reject-start", start) ?:
		      attr_write(attrs[i], "probability", pct);
	err = err ?: attr_write("fail_page_alloc", "min-order", "0");
	if (err)
		fprintf(stderr, "dmabuf_fault: failslab/fail_page_alloc: %s\n", strerror(-err));
	return err;
}

static void random_teardown(void)
{
	attr_write("failslab", "probability", "0");
	attr_write("fail_page_alloc", "probability", "0");
	attr_write("failslab", "reject-start", "0");
	attr_write("fail_page_alloc", "reject-start", "0");
	attr_write("failslab", "reject-end", "0");
	attr_write("fail_page_alloc", "reject-end", "0");
}

static int make_it_fail = -1;

static void fail_task(bool on)
{
	if (make_it_fail >= 0 && pwrite(make_it_fail, on ? "1" : "0", 1, 0) != 1)
		perror("make-it-fail");
}

/* One socket through every step, each allowed to fail: set up, bind in
 * @zc or copy mode, lend the chunks, restart the queue (zero copy), close.
 * Returns the errno of the first step that failed, 0 if none did.
 */
static int random_run(bool zc, struct udmabuf *u)
{
	uint16_t flags = XDP_USE_SG | (zc ? XDP_ZEROCOPY : XDP_COPY);
	struct xsk_raw x;
	int err;
	uint32_t i;

	fail_task(true);
	err = xsk_raw_socket(&x);
	if (err) {
		fail_task(false);
		return err;
	}
	err = xsk_raw_umem_reg(&x, 64, CHUNK) ?:
	      xsk_raw_rings(&x, RING, RING, true) ?:
	      xsk_raw_dmabuf_reg(&x, u->fd, 0, (uint64_t)AREA_CHUNKS * CHUNK, CHUNK) ?:
	      xsk_raw_mmap(&x, true, true) ?:
	      xsk_raw_bind_index(&x, ifindex, queue, flags, -1);
	if (!err) {
		for (i = 0; i < AREA_CHUNKS && xring_prod_free(&x.dfq); i++)
			xring_prod_push(&x.dfq, (uint64_t)i * CHUNK);
		if (zc && restart_file)
			err = restart_queue();
	}
	/* Not munmap(): a ring it fails to unmap keeps the socket, and its
	 * area, alive (rightly). The unbind runs in a kworker anyway.
	 */
	fail_task(false);
	xsk_raw_close(&x);
	return err;
}

static int run_random(unsigned int runs, const char *pct, struct udmabuf *u)
{
	unsigned int r, ok = 0, enomem = 0, other = 0, zc_ok = 0;
	int before = check_failures, fds = open_fds(), err;

	make_it_fail = open("/proc/thread-self/make-it-fail", O_WRONLY);
	if (make_it_fail < 0 || random_setup(pct)) {
		perror("/proc/thread-self/make-it-fail");
		return 2;
	}
	for (r = 0; r < runs; r++) {
		err = random_run(r & 1, u);
		if (!err) {
			ok++;
			zc_ok += r & 1;
		} else if (err == -ENOMEM) {
			enomem++;
		} else {
			/* The socket layer's own words for it. */
			other++;
			CHECK(err == -ENOBUFS || err == -ENFILE,
			      "random run %u (%s): %s, want ENOMEM, ENOBUFS or ENFILE",
			      r, r & 1 ? "zero copy" : "copy", strerror(-err));
		}
		CHECK(areas_gone(), "random run %u: a dmabuf area is left after the close", r);
	}
	random_teardown();
	close(make_it_fail);
	make_it_fail = -1;
	CHECK(open_fds() == fds, "random: %d fds left open", open_fds() - fds);
	/* Whatever failed, the queue is free and zero copy binds. */
	err = random_run(true, u);
	CHECK(!err, "random: zero copy after the runs: %s", strerror(-err));
	printf("random     failslab+fail_page_alloc %s%%, this task only: %u runs: %u worked (%u zero copy), %u ENOMEM, %u ENOBUFS/ENFILE; %s\n",
	       pct, runs, ok, zc_ok, enomem, other,
	       check_failures == before ? "clean" : "NOT CLEAN");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "queue", required_argument, NULL, 'q' },
		{ "restart-file", required_argument, NULL, 'r' },
		{ "max", required_argument, NULL, 'm' },
		{ "random", required_argument, NULL, 'R' },
		{ "percent", required_argument, NULL, 'P' },
		{ 0 },
	};
	struct udmabuf u;
	unsigned int i;
	int c, rc = 0, a;

	unsigned int random_runs = 0;
	const char *pct = "3";

	while ((c = getopt_long(argc, argv, "i:q:r:m:R:P:", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'q': queue = strtoul(optarg, NULL, 0); break;
		case 'r': restart_file = optarg; break;
		case 'm': max_runs = strtoul(optarg, NULL, 0); break;
		case 'R': random_runs = strtoul(optarg, NULL, 0); break;
		case 'P': pct = optarg; break;
		default: return 2;
		}
	}
	if (!ifname || (optind == argc && !random_runs)) {
		fprintf(stderr, "usage: dmabuf_fault -i IFNAME [-q QUEUE] [-r RESTART_FILE] [-m MAX] [-R RUNS [-P PERCENT]] PATH...\n");
		return 2;
	}
	/* Not in the runs: the lookup's own socket would meet the random
	 * failures of this task's allocations (it did: ENODEV from user space).
	 */
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "dmabuf_fault: %s: %s\n", ifname, strerror(errno));
		return 2;
	}
	for (a = optind; a < argc; a++) {
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			if (!strcmp(argv[a], paths[i].name))
				break;
		if (i == sizeof(paths) / sizeof(paths[0])) {
			fprintf(stderr, "dmabuf_fault: unknown path %s\n", argv[a]);
			return 2;
		}
	}
	if (udmabuf_create(&u, (size_t)AREA_CHUNKS * CHUNK))
		return 2;
	if (fi_setup()) {
		fi_teardown();
		return 2;
	}
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	for (a = optind; a < argc && !rc; a++)
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			if (!strcmp(argv[a], paths[i].name))
				rc = run_path(&paths[i], &u);
	fi_teardown();
	if (!rc && random_runs)
		rc = run_random(random_runs, pct, &u);
	udmabuf_destroy(&u);
	printf("points failed (path, injected < caller < its caller, times):\n");
	for (i = 0; i < nr_points; i++)
		printf("  %-90s %u\n", points[i], points_hits[i]);
	if (rc)
		return rc;
	return check_report("dmabuf_fault");
}
