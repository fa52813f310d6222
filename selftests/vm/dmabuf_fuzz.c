// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_fuzz: a seeded state-machine fuzzer over the whole AF_XDP UAPI
 * with a dmabuf UMEM, on the raw UAPI, under traffic (dmabuf_fuzz.sh sets
 * up the link, the traffic and steer.bpf.o, and runs this in the
 * receiving namespace).
 *
 * A PRNG seeded by FUZZ_SEED picks operations among:
 *
 *   socket, close        of up to SOCKS sockets (slots), in any state
 *   umem_reg, dmabuf_reg XDP_UMEM_REG, XDP_UMEM_DMABUF_REG: valid and
 *                        invalid values, optlen 0, short, exact, long with
 *                        a zero or non-zero tail
 *   ring                 every ring option (RX, TX, fill, completion and
 *                        the two dmabuf rings), valid and invalid sizes
 *   setopt, getopt       the other options of SOL_XDP (and a few of
 *                        SOL_SOCKET), known and unknown, any length
 *   mmap, munmap         every ring at right and wrong offsets, lengths
 *                        and protections; full and partial unmaps, mremap
 *   bind                 random flags (copy, zero copy, need_wakeup, SG,
 *                        shared UMEM with another slot or any fd), devices
 *                        (the receiving one, a veth without traffic, lo, a
 *                        bogus index) and queues (valid, out of range)
 *   build                a whole valid set-up on one slot, now and then
 *                        with one step wrong: most bound sockets come from
 *                        here, so that traffic reaches sockets at all
 *   xskmap               the socket into steer's XSKMAP (or out)
 *   fill                 hostile ring work: chunk offsets past the area,
 *                        misaligned, inside a chunk, duplicates; producer
 *                        far ahead of or behind the consumer; the kernel's
 *                        consumer index and flags overwritten; garbage
 *                        anywhere in a mapped ring
 *   service              what a receiver does: RX descriptors read and
 *                        their chunks given back, completions read and
 *                        lent again, fill rings topped up
 *   tx, kick             TX descriptors (garbage options included);
 *                        poll, recvmsg and sendto kicks
 *   dmabuf_new/close/touch  udmabufs (and the selftest's dmabuf without a
 *                        CPU mapping) made, their fd, memfd or mapping
 *                        closed at any point, their bytes scribbled on
 *   fork                 a child with every mapping does a few operations
 *                        and _exit()s (or is killed)
 *   link, restart, hds, channels, xdp, dev_del, dev_add
 *                        the device: down/up, queue restart, header split
 *                        off/on, channel count, XDP program unloaded and
 *                        loaded, device deleted and re-created (through
 *                        FUZZ_HELPER, the .sh in helper mode)
 *
 * and a second thread races fill ring writes and completion ring reads
 * against all of it, on random mapped rings.
 *
 * Results are not judged: random input fails legitimately. What fails the
 * run: SIGSEGV or SIGBUS (a ring the kernel mapped must stay accessible
 * while mapped; the handler says whether the address was in such a
 * mapping), a child that dies of a signal it was not sent, a dmabuf area
 * left once everything is closed (debugfs xsk_dmabuf/areas), and a
 * receive path that no longer delivers at the end (health check: a
 * socket bound on every queue must receive). The VM harness fails the run
 * on any kernel report on the console; the seed and a marker every
 * FUZZ_MARK operations go to /dev/kmsg so that the console carries them.
 *
 * Environment (dmabuf_fuzz.sh sets the link's):
 *   FUZZ_SEED      PRNG seed (default: from the clock; printed first)
 *   FUZZ_OPS       operations to run (default: until FUZZ_SECONDS)
 *   FUZZ_SECONDS   time budget (default 90; 0: none)
 *   FUZZ_LOG       1: every operation of the main thread to FUZZ_LOG_FILE
 *                  (default /tmp/dmabuf_fuzz.ops)
 *   FUZZ_IFNAME    the receiving device; FUZZ_IFNAME2 a second one
 *   FUZZ_QUEUES    its RX queues (default 2)
 *   FUZZ_ZC        1: the device does zero copy (nsim-split)
 *   FUZZ_HELPER    script run as "FUZZ_HELPER --helper ACTION [ARG]" for
 *                  device operations (none without it)
 *   FUZZ_RESTART   debugfs queue_restart file of the device (nsim)
 *   FUZZ_XSKMAP    steer's pinned XSKMAP
 *   FUZZ_DEV_EVERY one device operation per this many operations on
 *                  average (default 1000; most of them queue restarts and
 *                  link flaps, a few percent each the helper's)
 *   FUZZ_WAIT      seconds to wait for areas to go and for the health
 *                  check's packets (default 30)
 *   FUZZ_TXONLY_XSKMAP  0: never put sockets without an RX ring into the
 *                  XSKMAP (default 1; 6.12 dereferenced the missing ring on
 *                  receive, plain AF_XDP too, until patch 3: found here)
 *   FUZZ_HUGE_RINGS  1: also ring sizes of 2^20 to 2^31 entries (vmalloc
 *                  then fails with an allocation-failure report, which the
 *                  console check counts as a kernel problem)
 *
 * Prints "dmabuf_fuzz: N ops (per-type counts), seed S" and PASS or FAIL;
 * exits 0 on PASS.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "udmabuf.h"
#include "util.h"
#include "xsk_raw.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define SOCKS		8
#define MAPS		48
#define BUFS		4
#define HIST		32	/* operations kept for a crash report */
#define PAGE		4096u
#define UMEM_FRAMES	256u
#define AREAS		"/sys/kernel/debug/xsk_dmabuf/areas"
#define NOCPU		"/sys/kernel/debug/xsk_dmabuf/nocpu_dmabuf"
#define NOCPU_SIZE	(128ull << 30)

/* --- PRNG --------------------------------------------------------------- */

struct prng {
	uint64_t s;
};

static uint64_t rnd(struct prng *p)
{
	uint64_t z = (p->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(struct prng *p, uint32_t n)
{
	return n ? rnd(p) % n : 0;
}

static bool chance(struct prng *p, unsigned int pct)
{
	return below(p, 100) < pct;
}

/* --- state ---------------------------------------------------------------- */

enum ring_kind { R_RX, R_TX, R_FQ, R_CQ, R_DFQ, R_DCQ, R_KINDS };

static const struct ring_def {
	const char *name;
	int opt;
	uint64_t pgoff;
	uint32_t dsize;
	bool user_produces;
} rdef[R_KINDS] = {
	[R_RX]  = { "rx", XDP_RX_RING, XDP_PGOFF_RX_RING, sizeof(struct xdp_desc), false },
	[R_TX]  = { "tx", XDP_TX_RING, XDP_PGOFF_TX_RING, sizeof(struct xdp_desc), true },
	[R_FQ]  = { "fq", XDP_UMEM_FILL_RING, XDP_UMEM_PGOFF_FILL_RING, 8, true },
	[R_CQ]  = { "cq", XDP_UMEM_COMPLETION_RING, XDP_UMEM_PGOFF_COMPLETION_RING, 8, false },
	[R_DFQ] = { "dfq", XDP_UMEM_DMABUF_FILL_RING, XDP_UMEM_PGOFF_DMABUF_FILL_RING, 8, true },
	[R_DCQ] = { "dcq", XDP_UMEM_DMABUF_COMPLETION_RING,
		    XDP_UMEM_PGOFF_DMABUF_COMPLETION_RING, 8, false },
};

/* What the fuzzer believes of a socket; the kernel may disagree. */
struct fsock {
	int fd;
	uint8_t *umem;		/* host memory of this slot (registered or not) */
	size_t umem_len;
	uint32_t frame;		/* registered chunk size, 0: none */
	uint64_t ureg_len;
	uint64_t d_off, d_len;	/* registered dmabuf area */
	uint32_t d_chunk;	/* 0: none */
	uint32_t entries[R_KINDS];	/* ring sizes set, 0: none */
	bool bound, zc;
	uint32_t queue;
	uint32_t gen;		/* which socket of the slot */
};

/* A mapping the kernel accepted. The geometry is a copy, so that the
 * racing thread needs nothing but the table (under map_lock). */
struct fmap {
	uint8_t *addr;
	size_t len;
	int slot, kind;		/* kind -1: not a ring we know the layout of */
	uint32_t gen;		/* of the slot's socket */
	bool writable;
	uint32_t entries;	/* 0: the descriptors are not all mapped */
	struct xdp_ring_offset off;
	uint32_t frame;
	uint64_t ureg_len, d_off, d_len;
	uint32_t d_chunk;
	uint32_t cursor;
};

struct fbuf {
	struct udmabuf u;	/* fd, memfd, map; -1/NULL once closed */
	size_t size;
	bool nocpu;
};

#define OPS(X)								\
	X(socket, 30) X(close, 6) X(umem_reg, 25) X(ring, 40)		\
	X(dmabuf_reg, 25) X(setopt, 10) X(getopt, 25) X(mmap, 35)	\
	X(munmap, 10) X(bind, 25) X(build, 14) X(xskmap, 12)		\
	X(fill, 90) X(service, 160) X(tx, 15) X(kick, 50)		\
	X(dmabuf_new, 5) X(dmabuf_close, 5) X(dmabuf_touch, 8)		\
	X(fork, 2) X(link, 0) X(restart, 0) X(hds, 0) X(channels, 0)	\
	X(xdp, 0) X(dev_del, 0) X(dev_add, 0)

#define OP_ENUM(n, w) OP_##n,
enum op { OPS(OP_ENUM) OP_COUNT };
#define OP_NAME(n, w) #n,
static const char *const op_name[OP_COUNT] = { OPS(OP_NAME) };
#define OP_WEIGHT(n, w) w,
static unsigned int op_weight[OP_COUNT] = { OPS(OP_WEIGHT) };

static struct fsock socks[SOCKS];
static struct fmap maps[MAPS];
static struct fbuf bufs[BUFS];
static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xdp_mmap_offsets_v2 offs;
static bool have_offs;

static struct prng g;
static uint64_t seed;
static unsigned long nops, op_count[OP_COUNT], op_ok[OP_COUNT];
static double op_time[OP_COUNT];
static atomic_ulong race_ops, rx_descs, rx_dmabuf_descs, completions;
static unsigned long binds, binds_zc;
static atomic_bool stop_race;
static bool in_child, failed;
static bool huge_rings;	/* ring sizes the kernel cannot vmalloc */
static bool txonly_xskmap;	/* sockets without an RX ring into the XSKMAP */

/* Configuration. */
static const char *ifname, *ifname2, *helper, *restart_path, *xskmap_path;
static uint32_t nqueues = 2, dev_every = 400, wait_s = 30;
static bool zc_dev;
static bool dev_gone, link_down, hds_off, xdp_off;
static int closed_fd = -1;	/* the number of an fd closed last */

/* The operation in progress and the last ones, for a crash report. */
static char cur[2048];
static char hist[HIST][512];
static FILE *oplog;
static int kmsg = -1;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	size_t n = strlen(cur);
	va_list ap;

	if (n >= sizeof(cur) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(cur + n, sizeof(cur) - n, fmt, ap);
	va_end(ap);
}

static void kmsg_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void kmsg_say(const char *fmt, ...)
{
	char line[200];
	va_list ap;
	int n;

	if (kmsg < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && write(kmsg, line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1) < 0)
		kmsg = -1;
}

/* errno of the last failed call, or 0: what the log shows. */
static int res(int rc)
{
	int e = rc < 0 ? errno : 0;

	say(" = %s", e ? strerror(e) : "ok");
	return e;
}

/* --- crash report --------------------------------------------------------- */

static void crash(int sig, siginfo_t *si, void *uc)
{
	uint8_t *a = si->si_addr;
	char line[400];
	int i, n;

	n = snprintf(line, sizeof(line), "dmabuf_fuzz: %s at %p during op %lu%s: %s\n",
		     sig == SIGBUS ? "SIGBUS" : "SIGSEGV", si->si_addr, nops,
		     in_child ? " (forked child)" : "", cur);
	if (write(2, line, n) < 0)
		_exit(1);
	for (i = 0; i < MAPS; i++) {
		struct fmap *m = &maps[i];

		if (m->addr && a >= m->addr && a < m->addr + ((m->len + PAGE - 1) & ~(size_t)(PAGE - 1))) {
			n = snprintf(line, sizeof(line),
				     "dmabuf_fuzz: inside a mapping the kernel accepted: slot %d ring %s, %zu bytes at %p%s\n",
				     m->slot, m->kind >= 0 ? rdef[m->kind].name : "?", m->len,
				     (void *)m->addr, m->writable ? "" : " (read-only)");
			if (write(2, line, n) < 0)
				_exit(1);
			break;
		}
	}
	if (i == MAPS && write(2, "dmabuf_fuzz: not in any ring mapping (a fuzzer bug?)\n", 53) < 0)
		_exit(1);
	for (i = 0; i < HIST; i++) {
		const char *h = hist[(nops + i) % HIST];

		if (!*h)
			continue;
		n = snprintf(line, sizeof(line), "  %s\n", h);
		if (write(2, line, n) < 0)
			break;
	}
	n = snprintf(line, sizeof(line), "dmabuf_fuzz: seed %llu\nFAIL\n", (unsigned long long)seed);
	if (write(2, line, n) < 0)
		_exit(1);
	_exit(1);
}

/* --- helpers -------------------------------------------------------------- */

static int pick_slot(struct prng *p, bool open_only)
{
	int i, n = 0, idx[SOCKS];

	if (!open_only)
		return below(p, SOCKS);
	for (i = 0; i < SOCKS; i++)
		if (socks[i].fd >= 0)
			idx[n++] = i;
	return n ? idx[below(p, n)] : -1;
}

/* Any fd a careless program might pass where a socket or dmabuf goes. */
static int random_fd(struct prng *p)
{
	int s;

	switch (below(p, 7)) {
	case 0: return -1;
	case 1: return closed_fd;
	case 2: return 0;
	case 3: return bufs[below(p, BUFS)].u.fd;
	case 4: return bufs[below(p, BUFS)].u.memfd;
	case 5: s = pick_slot(p, true); return s < 0 ? -1 : socks[s].fd;
	default: return (int)below(p, 64);
	}
}

static const uint32_t ring_sizes[] = { 32, 64, 128, 256, 512, 1024, 2048, 4096 };

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t v = 32;

	while (v < n && v < (1u << 20))
		v <<= 1;
	return v;
}

static uint32_t chunks_of(const struct fsock *s)
{
	return s->d_chunk ? (uint32_t)(s->d_len / s->d_chunk) : 0;
}

/* An optlen for a struct of @size bytes; *tail says what to put past it. */
static socklen_t fuzz_len(struct prng *p, size_t size, int bias, int *tail)
{
	*tail = 0;
	if (chance(p, bias))
		return size;
	switch (below(p, 5)) {
	case 0: return 0;
	case 1: return below(p, size);
	case 2: *tail = 0; return size + 8 * (1 + below(p, 4));
	case 3: *tail = 1; return size + 8 * (1 + below(p, 4));
	default: return size + PAGE;
	}
}

static void map_add(const struct fmap *m)
{
	int i;

	pthread_mutex_lock(&map_lock);
	for (i = 0; i < MAPS; i++)
		if (!maps[i].addr) {
			maps[i] = *m;
			break;
		}
	pthread_mutex_unlock(&map_lock);
	if (i == MAPS)
		munmap(m->addr, m->len);
}

static int map_count(void)
{
	int i, n = 0;

	for (i = 0; i < MAPS; i++)
		n += !!maps[i].addr;
	return n;
}

static void map_del(int i)
{
	struct fmap m;

	pthread_mutex_lock(&map_lock);
	m = maps[i];
	memset(&maps[i], 0, sizeof(maps[i]));
	munmap(m.addr, m.len);
	pthread_mutex_unlock(&map_lock);
}

/* A mapping of ring @kind of socket @gen of @slot with every descriptor
 * mapped, or -1. */
static int find_map_gen(int slot, uint32_t gen, int kind)
{
	int i;

	for (i = 0; i < MAPS; i++)
		if (maps[i].addr && maps[i].slot == slot && maps[i].gen == gen &&
		    maps[i].kind == kind && maps[i].entries && maps[i].writable)
			return i;
	return -1;
}

static int find_map(int slot, int kind)
{
	return find_map_gen(slot, socks[slot].gen, kind);
}

/* --- ring access: only inside the mapping, atomics for the racing thread */

static inline uint32_t *ring_word(const struct fmap *m, uint64_t off)
{
	return off + 4 <= m->len ? (uint32_t *)(m->addr + off) : NULL;
}

static inline uint32_t ld(const uint32_t *w)
{
	return w ? __atomic_load_n(w, __ATOMIC_ACQUIRE) : 0;
}

static inline void st(uint32_t *w, uint32_t v)
{
	if (w)
		__atomic_store_n(w, v, __ATOMIC_RELEASE);
}

static void put_u64(const struct fmap *m, uint32_t idx, uint64_t v)
{
	uint64_t *d = (uint64_t *)(m->addr + m->off.desc);

	__atomic_store_n(&d[idx & (m->entries - 1)], v, __ATOMIC_RELAXED);
}

static uint64_t get_u64(const struct fmap *m, uint32_t idx)
{
	const uint64_t *d = (const uint64_t *)(m->addr + m->off.desc);

	return __atomic_load_n(&d[idx & (m->entries - 1)], __ATOMIC_RELAXED);
}

static void put_desc(const struct fmap *m, uint32_t idx, uint64_t addr, uint32_t len,
		     uint32_t options)
{
	struct xdp_desc *d = (struct xdp_desc *)(m->addr + m->off.desc);

	d += idx & (m->entries - 1);
	__atomic_store_n(&d->addr, addr, __ATOMIC_RELAXED);
	__atomic_store_n(&d->len, len, __ATOMIC_RELAXED);
	__atomic_store_n(&d->options, options, __ATOMIC_RELAXED);
}

static void get_desc(const struct fmap *m, uint32_t idx, struct xdp_desc *out)
{
	const struct xdp_desc *d = (const struct xdp_desc *)(m->addr + m->off.desc);

	d += idx & (m->entries - 1);
	out->addr = __atomic_load_n(&d->addr, __ATOMIC_RELAXED);
	out->len = __atomic_load_n(&d->len, __ATOMIC_RELAXED);
	out->options = __atomic_load_n(&d->options, __ATOMIC_RELAXED);
}

/* A valid entry for a producer ring: a host frame or a dmabuf chunk. */
static uint64_t valid_entry(struct prng *p, struct fmap *m)
{
	if (m->kind == R_DFQ) {
		uint32_t n = m->d_chunk ? (uint32_t)(m->d_len / m->d_chunk) : 0;
		uint64_t v;

		if (!n)
			return below(p, 1u << 20) * PAGE;
		v = m->d_off + (uint64_t)(m->cursor++ % n) * m->d_chunk;
		/* zero copy takes any offset inside a chunk back */
		return chance(p, 10) ? v + below(p, m->d_chunk) : v;
	}
	if (!m->frame || !m->ureg_len)
		return below(p, UMEM_FRAMES) * PAGE;
	return (uint64_t)(m->cursor++ % (m->ureg_len / m->frame)) * m->frame;
}

static uint64_t hostile_entry(struct prng *p, struct fmap *m, uint64_t last)
{
	uint64_t end = m->kind == R_DFQ ? m->d_off + m->d_len : m->ureg_len;
	uint32_t chunk = m->kind == R_DFQ ? m->d_chunk : m->frame;

	if (!chunk)
		chunk = PAGE;
	switch (below(p, 8)) {
	case 0: return end + (uint64_t)below(p, 64) * chunk;	/* past the area */
	case 1: return valid_entry(p, m) + 1 + below(p, chunk - 1);	/* inside */
	case 2: return last;					/* duplicate */
	case 3: return ~0ull - below(p, 3 * chunk);		/* wraps */
	case 4: return m->d_off ? m->d_off - chunk : end - 1;	/* before */
	case 5: return 1ull << (32 + below(p, 31));
	case 6: return valid_entry(p, m);
	default: return rnd(p);
	}
}

/* Write into a producer ring (fill, dmabuf fill, TX): valid entries,
 * hostile ones, or index games. Returns the entries written. */
static uint32_t ring_produce(struct prng *p, struct fmap *m, int hostile_pct)
{
	uint32_t *prod = ring_word(m, m->off.producer), *cons = ring_word(m, m->off.consumer);
	uint32_t *flags = ring_word(m, m->off.flags);
	uint32_t n, i, pr, free_;
	uint64_t last = 0;

	if (!m->writable)
		return 0;
	if (!m->entries) {	/* only the indices may be in the mapping */
		st(prod, (uint32_t)rnd(p));
		return 0;
	}
	pr = ld(prod);
	if (chance(p, hostile_pct / 3 + 1)) {
		switch (below(p, 5)) {
		case 0: st(prod, ld(cons) + m->entries * (1 + below(p, 8))); break;
		case 1: st(prod, ld(cons) - 1 - below(p, m->entries)); break;
		case 2: st(cons, rnd(p)); break;
		case 3: st(cons, pr + below(p, 2 * m->entries)); break;
		default: st(flags, (uint32_t)rnd(p)); break;
		}
		return 0;
	}
	free_ = m->entries - (pr - ld(cons));
	if (free_ > m->entries)
		free_ = m->entries;
	n = 1 + below(p, 64);
	if (n > free_ && !chance(p, hostile_pct))
		n = free_;
	for (i = 0; i < n; i++) {
		uint64_t v = chance(p, hostile_pct) ? hostile_entry(p, m, last) : valid_entry(p, m);

		if (m->kind == R_TX) {
			uint32_t opts = chance(p, 70) ? 0 : (uint32_t)below(p, 16);

			put_desc(m, pr + i, v, chance(p, 80) ? 42 + below(p, 1500) : (uint32_t)rnd(p),
				 opts);
		} else {
			put_u64(m, pr + i, v);
		}
		last = v;
	}
	st(prod, pr + n);
	return n;
}

/* Read a ring the kernel produces (RX, completion, dmabuf completion),
 * giving what came back to @fill (host) or @dfill (dmabuf), if mapped. */
static uint32_t ring_consume(struct prng *p, struct fmap *m, struct fmap *fill,
			     struct fmap *dfill, int hostile_pct)
{
	uint32_t *prod = ring_word(m, m->off.producer), *cons = ring_word(m, m->off.consumer);
	uint32_t c, n, i, fp = 0, dp = 0;
	bool sane;

	if (!m->writable || !m->entries)
		return 0;
	c = ld(cons);
	if (chance(p, hostile_pct / 3)) {
		switch (below(p, 3)) {
		case 0: st(cons, ld(prod) + 1 + below(p, 3 * m->entries)); break;
		case 1: st(cons, c - 1 - below(p, m->entries)); break;
		default: st(prod, (uint32_t)rnd(p)); break;
		}
		return 0;
	}
	n = ld(prod) - c;
	sane = n <= m->entries;	/* not after an index game */
	if (!sane)
		n = m->entries;
	if (fill)
		fp = ld(ring_word(fill, fill->off.producer));
	if (dfill)
		dp = ld(ring_word(dfill, dfill->off.producer));
	for (i = 0; i < n; i++) {
		uint64_t addr;
		bool dmabuf;

		if (m->kind == R_RX) {
			struct xdp_desc d;

			get_desc(m, c + i, &d);
			addr = d.addr;
			dmabuf = d.options & XDP_DESC_DMABUF;
			if (sane)
				atomic_fetch_add(dmabuf ? &rx_dmabuf_descs : &rx_descs, 1);
		} else {
			addr = get_u64(m, c + i);
			dmabuf = m->kind == R_DCQ;
			if (dmabuf && sane)
				atomic_fetch_add(&completions, 1);
		}
		if (dmabuf && dfill)
			put_u64(dfill, dp++, chance(p, hostile_pct) ? hostile_entry(p, dfill, addr) : addr);
		else if (!dmabuf && fill)
			put_u64(fill, fp++, fill->frame ? addr & ~(uint64_t)(fill->frame - 1) : addr);
	}
	if (fill)
		st(ring_word(fill, fill->off.producer), fp);
	if (dfill)
		st(ring_word(dfill, dfill->off.producer), dp);
	st(cons, c + n);
	return n;
}

/* Top a fill ring up to half full with valid entries. */
static void ring_topup(struct prng *p, struct fmap *m)
{
	uint32_t *prod = ring_word(m, m->off.producer);
	uint32_t pr = ld(prod), used = pr - ld(ring_word(m, m->off.consumer)), n = 0;

	if (!m->entries || !m->writable || used > m->entries / 2)
		return;
	while (used + n < m->entries / 2 && n < 256) {
		put_u64(m, pr + n, valid_entry(p, m));
		n++;
	}
	st(prod, pr + n);
}

/* Scribble on any byte of a writable mapping. */
static void ring_scribble(struct prng *p, struct fmap *m)
{
	size_t off = below(p, m->len);

	if (m->writable)
		__atomic_store_n(m->addr + off, (uint8_t)rnd(p), __ATOMIC_RELAXED);
	else
		(void)__atomic_load_n(m->addr + off, __ATOMIC_RELAXED);
}

/* --- operations ------------------------------------------------------------ */

/* Close the slot's socket; its host memory stays for the next one (the
 * kernel pinned what it registered), unless @free. */
static void slot_close(int i, bool free)
{
	struct fsock *s = &socks[i];
	uint32_t gen = s->gen;
	uint8_t *umem = s->umem;
	size_t umem_len = s->umem_len;

	if (s->fd >= 0) {
		close(s->fd);
		closed_fd = s->fd;
	}
	if (umem && free) {
		munmap(umem, umem_len);
		umem = NULL;
	}
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->gen = gen + 1;
	s->umem = umem;
	s->umem_len = umem ? umem_len : 0;
}

static int op_socket(struct prng *p, int i, int bias)
{
	int type = SOCK_RAW | SOCK_CLOEXEC, fd;

	slot_close(i, false);
	if (!chance(p, bias))
		type = chance(p, 50) ? SOCK_DGRAM | SOCK_CLOEXEC : (int)(rnd(p) & 0xff) | SOCK_CLOEXEC;
	fd = socket(AF_XDP, type, chance(p, bias) ? 0 : (int)below(p, 300));
	say("socket slot %d type %#x", i, type);
	res(fd);
	socks[i].fd = fd;
	if (fd >= 0 && !have_offs) {
		socklen_t len = sizeof(offs);

		have_offs = !getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &offs, &len) &&
			    len == sizeof(offs);
	}
	return fd < 0 ? -1 : 0;
}

static int op_close(struct prng *p, int i)
{
	say("close slot %d fd %d", i, socks[i].fd);
	slot_close(i, false);
	return 0;
}

static int op_umem_reg(struct prng *p, int i, int bias)
{
	struct fsock *s = &socks[i];
	struct {
		struct xdp_umem_reg r;
		uint8_t tail[PAGE + 64];
	} b;
	socklen_t len;
	int tail, e;

	memset(&b, 0, sizeof(b));
	if (!s->umem) {
		s->umem_len = (size_t)UMEM_FRAMES * PAGE;
		s->umem = mmap(NULL, s->umem_len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (s->umem == MAP_FAILED) {
			s->umem = NULL;
			return -1;
		}
	}
	b.r.addr = (uintptr_t)s->umem;
	b.r.chunk_size = chance(p, 80) ? PAGE : 2048;
	b.r.len = s->umem_len;
	if (!chance(p, bias)) {
		switch (below(p, 9)) {
		case 0: b.r.addr += below(p, PAGE); break;
		case 1: b.r.len = rnd(p) & 0xffffffffff; break;
		case 2: b.r.chunk_size = (uint32_t)rnd(p) & 0x1ffff; break;
		case 3: b.r.headroom = (uint32_t)rnd(p) & 0xffff; break;
		case 4: b.r.flags = (uint32_t)rnd(p) & 0xf; break;
		case 5: b.r.tx_metadata_len = (uint32_t)rnd(p) & 0x1ff; break;
		case 6: {	/* another slot's memory: the same pages twice */
			struct fsock *o = &socks[below(p, SOCKS)];

			if (o->umem)
				b.r.addr = (uintptr_t)o->umem;
			break;
		}
		case 7: b.r.addr = 0; break;
		default: b.r.len = s->umem_len / 2 + PAGE; break;
		}
	} else if (chance(p, 20)) {
		b.r.headroom = 64 * below(p, 4);
	}
	len = fuzz_len(p, sizeof(b.r), bias, &tail);
	if (tail)
		b.tail[below(p, len - sizeof(b.r))] = 1;
	/* the 6.12 kernel also takes the older, shorter layouts */
	if (!chance(p, bias))
		len = chance(p, 50) ? 24 : 32;
	say("umem_reg slot %d addr %#llx len %llu chunk %u head %u flags %#x txmd %u optlen %u",
	    i, (unsigned long long)b.r.addr, (unsigned long long)b.r.len, b.r.chunk_size,
	    b.r.headroom, b.r.flags, b.r.tx_metadata_len, len);
	e = res(setsockopt(s->fd, SOL_XDP, XDP_UMEM_REG, &b, len));
	if (!e) {
		s->frame = b.r.chunk_size;
		s->ureg_len = b.r.len;
	}
	return e ? -1 : 0;
}

static int op_ring(struct prng *p, int i, int kind, int bias)
{
	struct fsock *s = &socks[i];
	uint32_t v[PAGE / 4 + 4];
	uint32_t n = ring_sizes[below(p, 8)];
	socklen_t len = 4;
	int e;

	memset(v, 0, sizeof(v));
	if (kind == R_DCQ && chunks_of(s) && chance(p, bias))
		n = pow2_at_least(chunks_of(s));
	if (!chance(p, bias)) {
		switch (below(p, 6)) {
		case 0: n = 0; break;
		case 1: n = n + 1 + below(p, n - 1); break;
		case 2: n = 1u << (huge_rings ? 20 + below(p, 12) : 12 + below(p, 5)); break;
		case 3: n = (uint32_t)rnd(p); break;
		case 4: n = 1 + below(p, 31); break;
		default: len = below(p, 4); break;
		}
		if (chance(p, 20)) {
			len = 4 + 4 * (1 + below(p, 8));
			v[1 + below(p, len / 4 - 1)] = (uint32_t)rnd(p);
		}
	}
	v[0] = n;
	say("ring slot %d %s entries %u optlen %u", i, rdef[kind].name, n, len);
	e = res(setsockopt(s->fd, SOL_XDP, rdef[kind].opt, v, len));
	if (!e)
		s->entries[kind] = n;
	return e ? -1 : 0;
}

static int live_buf(struct prng *p)
{
	int i, n = 0, idx[BUFS];

	for (i = 0; i < BUFS; i++)
		if (bufs[i].u.fd >= 0 && !bufs[i].nocpu)
			idx[n++] = i;
	return n ? idx[below(p, n)] : -1;
}

static int op_dmabuf_new(struct prng *p, int b);

static int op_dmabuf_reg(struct prng *p, int i, int bias)
{
	struct fsock *s = &socks[i];
	struct {
		struct xdp_umem_dmabuf_reg r;
		uint8_t tail[PAGE + 64];
	} a;
	int bi = live_buf(p), tail, e;
	uint64_t size;
	socklen_t len;

	memset(&a, 0, sizeof(a));
	if (bi < 0 && chance(p, bias)) {
		bi = below(p, BUFS);
		if (op_dmabuf_new(p, bi) || bufs[bi].nocpu)
			bi = -1;
		say(" | ");
	}
	if (bi >= 0) {
		a.r.fd = bufs[bi].u.fd;
		size = bufs[bi].size;
	} else {
		a.r.fd = random_fd(p);
		size = 1 << 20;
	}
	a.r.chunk_size = chance(p, 85) ? PAGE : PAGE << (1 + below(p, 2));
	if (a.r.chunk_size > size)
		a.r.chunk_size = PAGE;
	{
		uint64_t nchunks = size / a.r.chunk_size, first = below(p, nchunks / 4 + 1);
		uint64_t count = 1 + below(p, nchunks - first);

		if (chance(p, 60))	/* the whole dmabuf, or most of it */
			first = 0, count = nchunks - (chance(p, 70) ? 0 : below(p, nchunks / 2));
		a.r.offset = first * a.r.chunk_size;
		a.r.len = count * a.r.chunk_size;
	}
	if (!chance(p, bias)) {
		switch (below(p, 10)) {
		case 0: a.r.fd = random_fd(p); break;
		case 1: a.r.offset += below(p, a.r.chunk_size); break;
		case 2: a.r.len = size + a.r.chunk_size; break;
		case 3: a.r.len = 0; break;
		case 4: a.r.chunk_size = (uint32_t)rnd(p) & 0x3ffff; break;
		case 5: a.r.flags = 1u << below(p, 32); break;
		case 6: a.r.reserved = (uint32_t)rnd(p) | 1; break;
		case 7: a.r.offset = ~0ull - below(p, 2) * PAGE; break;
		case 8: {	/* the dmabuf without a CPU mapping, 2^24 + 1 chunks */
			int f;

			for (f = 0; f < BUFS; f++)
				if (bufs[f].nocpu && bufs[f].u.fd >= 0)
					a.r.fd = bufs[f].u.fd;
			a.r.chunk_size = PAGE;
			a.r.offset = 0;
			a.r.len = chance(p, 50) ? ((1ull << 24) + 1) * PAGE : 1 << 20;
			break;
		}
		default: a.r.len += a.r.chunk_size / 2; break;
		}
	}
	len = fuzz_len(p, sizeof(a.r), bias, &tail);
	if (tail)
		a.tail[below(p, len - sizeof(a.r))] = (uint8_t)(1 + below(p, 255));
	say("dmabuf_reg slot %d fd %d off %#llx len %#llx chunk %u flags %#x res %#x optlen %u",
	    i, (int)a.r.fd, (unsigned long long)a.r.offset, (unsigned long long)a.r.len,
	    a.r.chunk_size, a.r.flags, a.r.reserved, len);
	e = res(setsockopt(s->fd, SOL_XDP, XDP_UMEM_DMABUF_REG, &a, len));
	if (!e) {
		s->d_off = a.r.offset;
		s->d_len = a.r.len;
		s->d_chunk = a.r.chunk_size;
	}
	return e ? -1 : 0;
}

static int op_setopt(struct prng *p, int i)
{
	uint8_t v[64];
	int level = SOL_XDP, name, val;
	socklen_t len = below(p, 2) ? 4 : below(p, sizeof(v));

	memset(v, 0, sizeof(v));
	if (chance(p, 40)) {
		static const int sol[] = { SO_BUSY_POLL, SO_PREFER_BUSY_POLL, SO_BUSY_POLL_BUDGET,
					   SO_RCVBUF, SO_SNDBUF, SO_PRIORITY, SO_MARK };

		level = SOL_SOCKET;
		name = sol[below(p, 7)];
		val = chance(p, 70) ? (int)below(p, 64) : (int)rnd(p);
		if (name == SO_BUSY_POLL)	/* microseconds a receive may spin */
			val = (int)((unsigned int)val % 1000);
		len = sizeof(val);
		memcpy(v, &val, sizeof(val));
	} else {
		static const int xo[] = { XDP_MMAP_OFFSETS, XDP_STATISTICS, XDP_OPTIONS, 9,
					  XDP_DMABUF_STATISTICS, XDP_DMABUF_INFO, 0, 15, 255 };

		name = chance(p, 80) ? xo[below(p, 9)] : (int)rnd(p);
		for (size_t k = 0; k < sizeof(v); k++)
			v[k] = chance(p, 70) ? 0 : (uint8_t)rnd(p);
	}
	say("setopt slot %d level %d name %d optlen %u", i, level, name, len);
	return res(setsockopt(socks[i].fd, level, name, v, len)) ? -1 : 0;
}

static int op_getopt(struct prng *p, int i)
{
	static const int xo[] = { XDP_MMAP_OFFSETS, XDP_STATISTICS, XDP_OPTIONS,
				  XDP_DMABUF_STATISTICS, XDP_DMABUF_INFO, XDP_UMEM_REG,
				  XDP_RX_RING, 9, 15 };
	static const socklen_t lens[] = {
		sizeof(struct xdp_mmap_offsets_v2), sizeof(struct xdp_mmap_offsets),
		sizeof(struct xdp_mmap_offsets) - 32 /* v1: without flags */,
		sizeof(struct xdp_statistics), 32 /* 4 counters */, sizeof(struct xdp_options),
		sizeof(struct xdp_dmabuf_statistics), 40, sizeof(struct xdp_dmabuf_info), 0, 1, 4, 8,
	};
	uint8_t buf[PAGE];
	socklen_t len;
	int name = chance(p, 90) ? xo[below(p, 9)] : (int)below(p, 64);
	int level = chance(p, 95) ? SOL_XDP : SOL_SOCKET;

	memset(buf, 0xa5, sizeof(buf));
	switch (below(p, 6)) {
	case 0: len = below(p, sizeof(buf)); break;
	case 1: len = lens[below(p, sizeof(lens) / sizeof(lens[0]))] + 8 * below(p, 3); break;
	case 2: len = (socklen_t)-1 - below(p, 4); break;
	default: len = lens[below(p, sizeof(lens) / sizeof(lens[0]))]; break;
	}
	say("getopt slot %d level %d name %d optlen %d", i, level, name, (int)len);
	if ((int)len < 0 || len > sizeof(buf))
		return res(getsockopt(socks[i].fd, level, name, chance(p, 50) ? buf : NULL, &len)) ? -1 : 0;
	if (chance(p, 3))
		return res(getsockopt(socks[i].fd, level, name, buf, NULL)) ? -1 : 0;
	return res(getsockopt(socks[i].fd, level, name, buf, &len)) ? -1 : 0;
}

static int op_mmap(struct prng *p, int i, int kind, int bias)
{
	struct fsock *s = &socks[i];
	struct fmap m = { .slot = i, .kind = kind, .writable = true, .gen = s->gen };
	const struct xdp_ring_offset *o = NULL;
	uint64_t pgoff = rdef[kind].pgoff;
	uint32_t n = s->entries[kind];
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED;
	size_t full;
	void *a;

	if (map_count() >= MAPS - 2) {
		int k = below(p, MAPS);

		if (maps[k].addr)
			map_del(k);
	}
	if (have_offs) {
		const struct xdp_ring_offset *all[R_KINDS] = {
			[R_RX] = &offs.rx, [R_TX] = &offs.tx, [R_FQ] = &offs.fr,
			[R_CQ] = &offs.cr, [R_DFQ] = &offs.dfr, [R_DCQ] = &offs.dcr,
		};

		o = all[kind];
	}
	full = (o ? o->desc : 256) + (size_t)(n ? n : 64) * rdef[kind].dsize;
	m.len = full;
	if (!chance(p, bias)) {
		switch (below(p, 8)) {
		case 0: pgoff += PAGE * (1 + below(p, 3)); m.kind = -1; break;
		case 1: pgoff = (uint64_t)below(p, 12) << 31; m.kind = -1; break;
		case 2: m.len = 1 + below(p, full); break;
		case 3: m.len = full + PAGE; break;
		case 4: m.len = PAGE; break;
		case 5: prot = PROT_READ; m.writable = false; break;
		case 6: flags = MAP_PRIVATE; break;
		default: m.len = (size_t)1 << (12 + below(p, 14)); break;
		}
	}
	if (m.kind >= 0) {
		/* which ring got mapped depends only on the offset */
		for (int k = 0; k < R_KINDS; k++)
			if (rdef[k].pgoff == pgoff)
				m.kind = k;
	}
	say("mmap slot %d %s pgoff %#llx len %zu prot %d %s", i, rdef[kind].name,
	    (unsigned long long)pgoff, m.len, prot, flags == MAP_SHARED ? "shared" : "private");
	a = mmap(NULL, m.len, prot, flags | (chance(p, 50) ? MAP_POPULATE : 0), s->fd, pgoff);
	if (a == MAP_FAILED)
		return res(-1), -1;
	res(0);
	m.addr = a;
	if (o && m.kind >= 0) {
		m.off = *o;
		if (n && m.off.desc + (uint64_t)n * rdef[m.kind].dsize <= m.len && flags == MAP_SHARED)
			m.entries = n;
	} else {
		m.kind = -1;
	}
	m.frame = s->frame;
	m.ureg_len = s->ureg_len;
	m.d_off = s->d_off;
	m.d_len = s->d_len;
	m.d_chunk = s->d_chunk;
	map_add(&m);
	return 0;
}

static int op_munmap(struct prng *p)
{
	int idx[MAPS], n = 0, i;
	struct fmap *m;

	for (i = 0; i < MAPS; i++)
		if (maps[i].addr)
			idx[n++] = i;
	if (!n) {
		say("munmap: nothing mapped");
		return -1;
	}
	i = idx[below(p, n)];
	m = &maps[i];
	switch (below(p, 6)) {
	case 0:	/* the tail pages */
		if (m->len > PAGE) {
			size_t keep = PAGE * (1 + below(p, (m->len - 1) / PAGE));

			say("munmap tail of map %d (slot %d) from %zu", i, m->slot, keep);
			pthread_mutex_lock(&map_lock);
			if (!res(munmap(m->addr + keep, m->len - keep)) && keep < m->len) {
				m->len = keep;
				if (m->off.desc + (uint64_t)m->entries * (m->kind >= 0 ? rdef[m->kind].dsize : 8) > keep)
					m->entries = 0;
			}
			pthread_mutex_unlock(&map_lock);
			return 0;
		}
		break;
	case 1: {	/* grow (refused: VM_DONTEXPAND) or shrink */
		size_t nl = chance(p, 50) ? m->len + PAGE : PAGE;
		void *a;

		say("mremap map %d (slot %d) %zu -> %zu", i, m->slot, m->len, nl);
		pthread_mutex_lock(&map_lock);
		a = mremap(m->addr, m->len, nl, MREMAP_MAYMOVE);
		if (a == MAP_FAILED) {
			res(-1);
		} else {
			res(0);
			m->addr = a;
			m->len = nl;
			if (m->kind < 0 || m->off.desc + (uint64_t)m->entries * rdef[m->kind].dsize > nl)
				m->entries = 0;
		}
		pthread_mutex_unlock(&map_lock);
		return 0;
	}
	default:
		break;
	}
	say("munmap map %d (slot %d %s, %zu bytes)", i, m->slot,
	    m->kind >= 0 ? rdef[m->kind].name : "?", m->len);
	map_del(i);
	return 0;
}

static int rx_ifindex(void)
{
	return ifname ? (int)if_nametoindex(ifname) : 0;
}

static int xskmap_set(int key, int fd)
{
	int map, e;

	if (fd >= 0 && !txonly_xskmap) {
		for (int i = 0; i < SOCKS; i++)
			if (socks[i].fd == fd && !socks[i].entries[R_RX])
				return -EPERM;	/* the fuzzer's own refusal */
	}
	map = bpf_obj_get(xskmap_path);

	if (map < 0)
		return -errno;
	e = fd >= 0 ? bpf_map_update_elem(map, &key, &fd, 0) : bpf_map_delete_elem(map, &key);
	e = e ? -errno : 0;
	close(map);
	return e;
}

static int op_xskmap(struct prng *p, int i, int bias)
{
	struct fsock *s = &socks[i];
	int key = s->bound && chance(p, bias) ? (int)s->queue : (int)below(p, nqueues + 2);
	int e;

	if (chance(p, bias / 4 + 1)) {
		say("xskmap slot %d key %d <- fd %d", i, key, s->fd);
		e = xskmap_set(key, s->fd);
	} else {
		say("xskmap delete key %d", key);
		e = xskmap_set(key, -1);
	}
	say(" = %s", e ? strerror(-e) : "ok");
	return e ? -1 : 0;
}

static int op_bind(struct prng *p, int i, int bias, int share, bool same_queue)
{
	struct fsock *s = &socks[i];
	struct sockaddr_xdp sx = { .sxdp_family = AF_XDP };
	socklen_t len = sizeof(sx);
	int e;

	switch (chance(p, bias) ? 0 : below(p, 5)) {
	case 0: sx.sxdp_ifindex = rx_ifindex(); break;
	case 1: sx.sxdp_ifindex = ifname2 ? if_nametoindex(ifname2) : 1; break;
	case 2: sx.sxdp_ifindex = 1; break;	/* lo */
	case 3: sx.sxdp_ifindex = 0; break;
	default: sx.sxdp_ifindex = 1000 + below(p, 100000); break;
	}
	sx.sxdp_queue_id = chance(p, bias) ? below(p, nqueues) :
			   chance(p, 50) ? nqueues + below(p, 2) : (uint32_t)rnd(p);
	if (chance(p, bias) || chance(p, 70))
		sx.sxdp_flags |= XDP_USE_SG;
	if (zc_dev && chance(p, 60))
		sx.sxdp_flags |= XDP_ZEROCOPY;
	else if (chance(p, 30))
		sx.sxdp_flags |= XDP_COPY;
	if (!chance(p, bias) && chance(p, 20))
		sx.sxdp_flags |= XDP_COPY | XDP_ZEROCOPY;
	if (chance(p, 40))
		sx.sxdp_flags |= XDP_USE_NEED_WAKEUP;
	if (!chance(p, bias) && chance(p, 10))
		sx.sxdp_flags |= 1u << below(p, 16);
	if (share >= 0 || (!chance(p, bias) && chance(p, 20))) {
		sx.sxdp_flags |= XDP_SHARED_UMEM;
		sx.sxdp_shared_umem_fd = (uint32_t)(share >= 0 ? socks[share].fd : random_fd(p));
		if (share >= 0 && socks[share].bound && same_queue)
			sx.sxdp_queue_id = socks[share].queue;
	}
	if (!chance(p, bias) && chance(p, 30))
		len = chance(p, 50) ? below(p, sizeof(sx)) : sizeof(sx) + 8;
	say("bind slot %d ifindex %u queue %u flags %#x shared_fd %u addrlen %u", i,
	    sx.sxdp_ifindex, sx.sxdp_queue_id, sx.sxdp_flags, sx.sxdp_shared_umem_fd, len);
	{
		struct {
			struct sockaddr_xdp sx;
			uint8_t pad[8];
		} a = { .sx = sx };

		e = res(bind(s->fd, (struct sockaddr *)&a, len));
	}
	if (!e) {
		binds++;
		binds_zc += !!(sx.sxdp_flags & XDP_ZEROCOPY);
		s->bound = true;
		s->zc = sx.sxdp_flags & XDP_ZEROCOPY;
		s->queue = sx.sxdp_queue_id;
		if (sx.sxdp_flags & XDP_SHARED_UMEM) {
			/* the UMEM (and its area) is the other socket's */
			for (int k = 0; k < SOCKS; k++)
				if (socks[k].fd == (int)sx.sxdp_shared_umem_fd && socks[k].d_chunk) {
					s->frame = socks[k].frame;
					s->ureg_len = socks[k].ureg_len;
					s->d_off = socks[k].d_off;
					s->d_len = socks[k].d_len;
					s->d_chunk = socks[k].d_chunk;
				}
		}
		/* ring mappings made before bind learn the geometry now */
		pthread_mutex_lock(&map_lock);
		for (int k = 0; k < MAPS; k++)
			if (maps[k].addr && maps[k].slot == i && maps[k].gen == s->gen) {
				maps[k].frame = s->frame;
				maps[k].ureg_len = s->ureg_len;
				maps[k].d_off = s->d_off;
				maps[k].d_len = s->d_len;
				maps[k].d_chunk = s->d_chunk;
			}
		pthread_mutex_unlock(&map_lock);
	}
	return e ? -1 : 0;
}

/* A whole set-up on slot @i, each step right with probability @bias %. */
static int op_build(struct prng *p, int i, int bias)
{
	int share = -1, k, err = 0;
	bool same_queue = false;

	if (chance(p, 25)) {
		k = below(p, SOCKS);
		if (k != i && socks[k].fd >= 0 && socks[k].bound && socks[k].d_chunk)
			share = k;
	}
	if (op_socket(p, i, bias))
		return -1;
	say(" | ");
	if (share >= 0 && chance(p, 40))
		same_queue = true;
	if (share < 0) {
		err |= op_umem_reg(p, i, bias);
		say(" | ");
		err |= op_dmabuf_reg(p, i, bias);
		say(" | ");
	} else {
		socks[i].frame = socks[share].frame;
		socks[i].d_off = socks[share].d_off;
		socks[i].d_len = socks[share].d_len;
		socks[i].d_chunk = socks[share].d_chunk;
		socks[i].ureg_len = socks[share].ureg_len;
	}
	for (k = 0; k < R_KINDS; k++) {
		if (k == R_TX && !chance(p, 20))
			continue;
		if (same_queue && k != R_RX && k != R_TX)
			continue;
		err |= op_ring(p, i, k, bias);
		say(" | ");
	}
	for (k = 0; k < R_KINDS; k++) {
		if (!socks[i].entries[k])
			continue;
		err |= op_mmap(p, i, k, bias);
		say(" | ");
	}
	if (op_bind(p, i, bias, share, same_queue))
		return -1;
	if (xskmap_path && chance(p, bias)) {
		say(" | xskmap %u = %d", socks[i].queue, xskmap_set(socks[i].queue, socks[i].fd));
	}
	return err ? -1 : 0;
}

static int op_fill(struct prng *p)
{
	int idx[MAPS], n = 0, i;

	for (i = 0; i < MAPS; i++)
		if (maps[i].addr)
			idx[n++] = i;
	if (!n) {
		say("fill: nothing mapped");
		return -1;
	}
	i = idx[below(p, n)];
	if (chance(p, 15) || maps[i].kind < 0) {
		say("scribble map %d (slot %d, %zu bytes)", i, maps[i].slot, maps[i].len);
		ring_scribble(p, &maps[i]);
		return 0;
	}
	say("fill map %d slot %d %s", i, maps[i].slot, rdef[maps[i].kind].name);
	if (rdef[maps[i].kind].user_produces)
		say(": %u entries", ring_produce(p, &maps[i], 60));
	else
		say(": %u read", ring_consume(p, &maps[i], NULL, NULL, 60));
	return 0;
}

/* What a receiver does on slot @i; hostile_pct of its entries are not. */
static unsigned int service(struct prng *p, int i, int hostile_pct)
{
	int rx = find_map(i, R_RX), cq = find_map(i, R_CQ), dcq = find_map(i, R_DCQ);
	int fq = find_map(i, R_FQ), dfq = find_map(i, R_DFQ);
	struct fmap *f = fq >= 0 ? &maps[fq] : NULL, *df = dfq >= 0 ? &maps[dfq] : NULL;
	unsigned int n = 0;

	if (rx >= 0)
		n += ring_consume(p, &maps[rx], f, df, hostile_pct);
	if (cq >= 0)
		n += ring_consume(p, &maps[cq], f, NULL, hostile_pct);
	if (dcq >= 0)
		n += ring_consume(p, &maps[dcq], NULL, df, hostile_pct);
	if (f)
		ring_topup(p, f);
	if (df)
		ring_topup(p, df);
	return n;
}

static int op_service(struct prng *p, int i)
{
	say("service slot %d", i);
	say(": %u entries", service(p, i, 2));
	if (chance(p, 30)) {
		say(", recvmsg");
		res(recvfrom(socks[i].fd, NULL, 0, MSG_DONTWAIT, NULL, NULL));
	}
	return 0;
}

static int op_tx(struct prng *p, int i)
{
	int t = find_map(i, R_TX);

	say("tx slot %d", i);
	if (t >= 0)
		say(": %u descs", ring_produce(p, &maps[t], 40));
	return res(sendto(socks[i].fd, NULL, 0, MSG_DONTWAIT, NULL, 0)) ? -1 : 0;
}

static int op_kick(struct prng *p)
{
	struct pollfd pfd[3];
	int n = 1 + below(p, 3), k, i;

	for (k = 0; k < n; k++) {
		i = pick_slot(p, true);
		pfd[k].fd = i >= 0 ? socks[i].fd : -1;
		pfd[k].events = (chance(p, 70) ? POLLIN : 0) | (chance(p, 40) ? POLLOUT : 0);
		pfd[k].revents = 0;
	}
	switch (below(p, 4)) {
	case 0: case 1: {
		int t = chance(p, 70) ? 0 : (int)below(p, 5);

		say("poll %d fds %d ms", n, t);
		return res(poll(pfd, n, t)) ? -1 : 0;
	}
	case 2: {
		uint8_t b[64];

		say("recvmsg fd %d", pfd[0].fd);
		return res(recvfrom(pfd[0].fd, b, chance(p, 50) ? 0 : sizeof(b),
				    MSG_DONTWAIT | (chance(p, 10) ? MSG_PEEK : 0), NULL, NULL)) ? -1 : 0;
	}
	default: {
		int e = 0;
		socklen_t l = sizeof(e);

		say("sendto+SO_ERROR fd %d", pfd[0].fd);
		res(sendto(pfd[0].fd, NULL, 0, MSG_DONTWAIT, NULL, 0));
		return res(getsockopt(pfd[0].fd, SOL_SOCKET, SO_ERROR, &e, &l)) ? -1 : 0;
	}
	}
}

static int nocpu_dmabuf(void)
{
	char text[16] = "";
	int f = open(NOCPU, O_RDONLY), fd;

	if (f < 0)
		return -1;
	fd = read(f, text, sizeof(text) - 1) > 0 ? atoi(text) : -1;
	close(f);
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

static void buf_close(struct fbuf *b)
{
	if (b->nocpu) {
		if (b->u.fd >= 0)
			close(b->u.fd);
		b->u.fd = -1;
	} else if (!in_child) {
		udmabuf_destroy(&b->u);
	}
	b->nocpu = false;
}

static int op_dmabuf_new(struct prng *p, int b)
{
	static const uint32_t mb4[] = { 1, 4, 8, 16, 32 };	/* in 256 KiB */
	struct fbuf *f = &bufs[b];

	buf_close(f);
	if (chance(p, 10)) {
		f->nocpu = true;
		f->u.fd = nocpu_dmabuf();
		f->size = NOCPU_SIZE;
		say("dmabuf_new %d: nocpu fd %d", b, f->u.fd);
		return f->u.fd < 0 ? -1 : 0;
	}
	f->size = (size_t)mb4[below(p, 5)] << 18;
	say("dmabuf_new %d: %zu bytes", b, f->size);
	return res(udmabuf_create(&f->u, f->size) ? -1 : 0) ? -1 : 0;
}

static int op_dmabuf_close(struct prng *p, int b)
{
	struct fbuf *f = &bufs[b];

	switch (below(p, 4)) {
	case 0:
		say("dmabuf_close %d: fd %d", b, f->u.fd);
		if (f->u.fd >= 0) {
			close(f->u.fd);
			closed_fd = f->u.fd;
		}
		f->u.fd = -1;
		break;
	case 1:
		say("dmabuf_close %d: memfd %d", b, f->u.memfd);
		if (f->u.memfd >= 0 && !f->nocpu)
			close(f->u.memfd);
		f->u.memfd = -1;
		break;
	case 2:
		say("dmabuf_close %d: cpu mapping", b);
		if (f->u.map && !f->nocpu)
			munmap(f->u.map, f->u.size);
		f->u.map = NULL;
		break;
	default:
		say("dmabuf_close %d: all", b);
		buf_close(f);
		break;
	}
	return 0;
}

static int op_dmabuf_touch(struct prng *p, int b)
{
	struct fbuf *f = &bufs[b];
	size_t off, len;

	if (!f->u.map || f->nocpu) {
		say("dmabuf_touch %d: not mapped", b);
		return -1;
	}
	off = below(p, f->u.size);
	len = 1 + below(p, PAGE);
	if (off + len > f->u.size)
		len = f->u.size - off;
	say("dmabuf_touch %d: %zu bytes at %zu", b, len, off);
	memset(f->u.map + off, (int)rnd(p), len);
	return 0;
}

/* Device operations: the .sh in helper mode, or debugfs and ioctl. */
static int run_helper(const char *action, const char *arg)
{
	pid_t pid;
	int st;

	if (!helper)
		return -1;
	kmsg_say("dmabuf_fuzz: op %lu: %s %s\n", nops, action, arg ? arg : "");
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl("/bin/bash", "bash", helper, "--helper", action, arg, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static int op_device(struct prng *p, enum op op)
{
	char arg[16];
	int e;

	switch (op) {
	case OP_link: {
		struct ifreq ifr = { 0 };
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname ? ifname : "lo");
		e = ioctl(fd, SIOCGIFFLAGS, &ifr);
		if (!e) {
			if (link_down)
				ifr.ifr_flags |= IFF_UP;
			else
				ifr.ifr_flags &= ~IFF_UP;
			kmsg_say("dmabuf_fuzz: op %lu: link %s\n", nops, link_down ? "up" : "down");
			e = ioctl(fd, SIOCSIFFLAGS, &ifr);
		}
		say("link %s %s", ifr.ifr_name, link_down ? "up" : "down");
		res(e);
		if (!e)
			link_down = !link_down;
		close(fd);
		return e ? -1 : 0;
	}
	case OP_restart: {
		int fd = open(restart_path, O_WRONLY | O_CLOEXEC), n;

		n = snprintf(arg, sizeof(arg), "%u", chance(p, 90) ? below(p, nqueues) : nqueues);
		say("restart queue %s", arg);
		kmsg_say("dmabuf_fuzz: op %lu: restart queue %s\n", nops, arg);
		e = fd < 0 ? -1 : write(fd, arg, n) == n ? 0 : -1;
		res(e);
		if (fd >= 0)
			close(fd);
		return e;
	}
	case OP_hds:
		say("hds %s", hds_off ? "on" : "off");
		e = run_helper("hds", hds_off ? "on" : "off");
		if (!e)
			hds_off = !hds_off;
		break;
	case OP_channels:
		snprintf(arg, sizeof(arg), "%u", 1 + below(p, nqueues));
		say("channels %s", arg);
		e = run_helper("channels", arg);
		break;
	case OP_xdp:
		say("xdp %s", xdp_off ? "on" : "off");
		e = run_helper("xdp", xdp_off ? "on" : "off");
		if (!e)
			xdp_off = !xdp_off;
		break;
	case OP_dev_del:
		say("dev_del");
		e = run_helper("del", NULL);
		if (!e)
			dev_gone = true, link_down = false, hds_off = false, xdp_off = false;
		break;
	case OP_dev_add:
		say("dev_add");
		e = run_helper("add", NULL);
		if (!e)
			dev_gone = false;
		break;
	default:
		return -1;
	}
	say(" = %s", e ? "failed" : "ok");
	return e;
}

static int run_op(struct prng *p, enum op op, bool child);

static int op_fork(struct prng *p)
{
	uint64_t cseed = rnd(p);
	bool kill_it = chance(p, 25);
	unsigned int steps = 1 + below(p, 6);
	pid_t pid;
	int st;

	say("fork: %u ops%s", steps, kill_it ? ", killed" : "");
	fflush(NULL);
	pthread_mutex_lock(&map_lock);
	pid = fork();
	if (pid == 0) {
		struct prng c = { cseed };
		static const enum op child_ops[] = {
			OP_fill, OP_service, OP_kick, OP_getopt, OP_ring, OP_bind, OP_close,
			OP_mmap, OP_munmap, OP_dmabuf_reg, OP_tx, OP_umem_reg, OP_xskmap,
		};

		in_child = true;
		pthread_mutex_unlock(&map_lock);
		alarm(wait_s * 2);
		while (steps--) {
			cur[0] = 0;
			run_op(&c, child_ops[below(&c, sizeof(child_ops) / sizeof(child_ops[0]))], true);
			if (oplog) {	/* the parent waits: the lines do not mix */
				fprintf(oplog, "%lu   child: %s\n", nops, cur);
				fflush(oplog);
			}
		}
		_exit(0);
	}
	pthread_mutex_unlock(&map_lock);
	if (pid < 0)
		return res(-1), -1;
	if (kill_it) {
		if (chance(p, 50))
			usleep(below(p, 2000));
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &st, 0) != pid)
		return res(-1), -1;
	if (WIFSIGNALED(st) && !(kill_it && WTERMSIG(st) == SIGKILL)) {
		printf("dmabuf_fuzz: op %lu: forked child died of signal %d (%s)\n",
		       nops, WTERMSIG(st), strsignal(WTERMSIG(st)));
		failed = true;
	} else if (WIFEXITED(st) && WEXITSTATUS(st)) {
		printf("dmabuf_fuzz: op %lu: forked child exited %d\n", nops, WEXITSTATUS(st));
		failed = true;
	}
	return 0;
}

static int run_op(struct prng *p, enum op op, bool child)
{
	int bias = 60, i;

	switch (op) {
	case OP_socket:
		return op_socket(p, below(p, SOCKS), 90);
	case OP_close:
		return op_close(p, below(p, SOCKS));
	case OP_build:
		return op_build(p, below(p, SOCKS), chance(p, 70) ? 100 : 97);
	case OP_fill:
		return op_fill(p);
	case OP_munmap:
		return op_munmap(p);
	case OP_kick:
		return op_kick(p);
	case OP_fork:
		return child ? 0 : op_fork(p);
	case OP_dmabuf_new:
		return op_dmabuf_new(p, below(p, BUFS));
	case OP_dmabuf_close:
		return op_dmabuf_close(p, below(p, BUFS));
	case OP_dmabuf_touch:
		return op_dmabuf_touch(p, below(p, BUFS));
	case OP_link: case OP_restart: case OP_hds: case OP_channels:
	case OP_xdp: case OP_dev_del: case OP_dev_add:
		return child ? 0 : op_device(p, op);
	default:
		break;
	}
	i = pick_slot(p, true);
	if (i < 0) {
		say("%s: no socket", op_name[op]);
		return -1;
	}
	switch (op) {
	case OP_umem_reg:
		return op_umem_reg(p, i, bias);
	case OP_ring:
		return op_ring(p, i, below(p, R_KINDS), bias);
	case OP_dmabuf_reg:
		return op_dmabuf_reg(p, i, bias);
	case OP_setopt:
		return op_setopt(p, i);
	case OP_getopt:
		return op_getopt(p, i);
	case OP_mmap:
		return op_mmap(p, i, below(p, R_KINDS), bias);
	case OP_bind: {
		int share = -1;

		if (chance(p, 20)) {
			share = pick_slot(p, true);
			if (share == i)
				share = -1;
		}
		return op_bind(p, i, bias, share, chance(p, 50));
	}
	case OP_xskmap:
		return xskmap_path ? op_xskmap(p, i, 80) : -1;
	case OP_service:
		return op_service(p, i);
	case OP_tx:
		return op_tx(p, i);
	default:
		return -1;
	}
}

/* --- the racing thread ------------------------------------------------------ */

static void *racer(void *arg)
{
	struct prng p = { seed ^ 0x5eed5eed5eedull };

	while (!atomic_load(&stop_race)) {
		int i = below(&p, MAPS);

		pthread_mutex_lock(&map_lock);
		if (maps[i].addr && maps[i].kind >= 0 && maps[i].entries) {
			struct fmap *m = &maps[i];

			if (rdef[m->kind].user_produces) {
				ring_produce(&p, m, 30);
			} else {
				int f = find_map_gen(m->slot, m->gen, R_FQ);
				int df = find_map_gen(m->slot, m->gen, R_DFQ);

				ring_consume(&p, m, f >= 0 ? &maps[f] : NULL,
					     df >= 0 ? &maps[df] : NULL, 10);
			}
			atomic_fetch_add(&race_ops, 1);
		}
		pthread_mutex_unlock(&map_lock);
		usleep(50 + below(&p, 500));
	}
	return NULL;
}

/* --- end of the run ------------------------------------------------------------ */

static void close_all(void)
{
	int i;

	for (i = 0; i < MAPS; i++)
		if (maps[i].addr)
			map_del(i);
	for (i = 0; i < SOCKS; i++)
		slot_close(i, true);
	for (i = 0; i < BUFS; i++)
		buf_close(&bufs[i]);
}

static bool areas_left(bool print)
{
	char line[256];
	bool any = false;
	FILE *f = fopen(AREAS, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		any = true;
		if (print)
			printf("dmabuf_fuzz: area left: %s", line);
	}
	fclose(f);
	return any;
}

/*
 * The receive path still works: a valid socket on every queue, in the
 * device's mode (zero copy on nsim-split), must get at least a packet of
 * the traffic within wait_s seconds.
 */
static bool health(void)
{
	struct prng p = { seed ^ 0x4ea1748ull };
	unsigned int got = 0, k;
	double end;

	for (k = 0; k < nqueues && k < SOCKS; k++) {
		struct fsock *s = &socks[k];

		cur[0] = 0;
		if (op_socket(&p, k, 100) || op_umem_reg(&p, k, 100) ||
		    udmabuf_create(&bufs[k].u, 8u << 20))
			goto fail;
		bufs[k].size = 8u << 20;
		{
			struct xdp_umem_dmabuf_reg r = {
				.fd = bufs[k].u.fd, .len = bufs[k].size, .chunk_size = PAGE,
			};

			if (setsockopt(s->fd, SOL_XDP, XDP_UMEM_DMABUF_REG, &r, sizeof(r)))
				goto fail;
			s->d_len = r.len;
			s->d_chunk = PAGE;
		}
		s->entries[R_FQ] = s->entries[R_CQ] = s->entries[R_RX] = 512;
		s->entries[R_DFQ] = 512;
		s->entries[R_DCQ] = 2048;
		for (int r = 0; r < R_KINDS; r++) {
			if (r == R_TX)
				continue;
			if (setsockopt(s->fd, SOL_XDP, rdef[r].opt, &s->entries[r], 4) ||
			    op_mmap(&p, k, r, 100) || find_map(k, r) < 0)
				goto fail;
		}
		{
			struct sockaddr_xdp sx = {
				.sxdp_family = AF_XDP, .sxdp_ifindex = rx_ifindex(),
				.sxdp_queue_id = k,
				.sxdp_flags = XDP_USE_SG | (zc_dev ? XDP_ZEROCOPY : XDP_COPY),
			};

			if (bind(s->fd, (struct sockaddr *)&sx, sizeof(sx)))
				goto fail;
		}
		s->bound = true;
		for (int m = 0; m < MAPS; m++)
			if (maps[m].addr && maps[m].slot == (int)k) {
				maps[m].frame = s->frame;
				maps[m].ureg_len = s->ureg_len;
				maps[m].d_len = s->d_len;
				maps[m].d_chunk = s->d_chunk;
			}
		if (xskmap_set(k, s->fd))
			goto fail;
		service(&p, k, 0);
	}
	end = mono_now() + wait_s;
	while (mono_now() < end) {
		for (k = 0; k < nqueues; k++) {
			int rx = find_map(k, R_RX);

			if (rx >= 0)
				got += ld(ring_word(&maps[rx], maps[rx].off.producer)) -
				       ld(ring_word(&maps[rx], maps[rx].off.consumer));
			service(&p, k, 0);
			recvfrom(socks[k].fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		}
		if (got >= 8)
			break;
		usleep(20000);
	}
	printf("dmabuf_fuzz: health: %u descriptors received on %u fresh %s sockets\n",
	       got, nqueues, zc_dev ? "zero-copy" : "copy-mode");
	return got > 0;
fail:
	printf("dmabuf_fuzz: health: set-up of queue %u failed: %s (%s)\n", k, strerror(errno), cur);
	return false;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = crash, .sa_flags = SA_SIGINFO };
	unsigned long max_ops, total = 0;
	double secs, start, t_end;
	pthread_t race;
	int i;

	seed = env_ul("FUZZ_SEED", (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16));
	max_ops = env_ul("FUZZ_OPS", 0);
	secs = env_ul("FUZZ_SECONDS", max_ops ? 0 : 90);
	ifname = getenv("FUZZ_IFNAME");
	ifname2 = getenv("FUZZ_IFNAME2");
	helper = getenv("FUZZ_HELPER");
	restart_path = getenv("FUZZ_RESTART");
	xskmap_path = getenv("FUZZ_XSKMAP");
	nqueues = env_ul("FUZZ_QUEUES", 2);
	zc_dev = env_ul("FUZZ_ZC", 0);
	dev_every = env_ul("FUZZ_DEV_EVERY", 1000);
	wait_s = env_ul("FUZZ_WAIT", 30);
	huge_rings = env_ul("FUZZ_HUGE_RINGS", 0);
	txonly_xskmap = env_ul("FUZZ_TXONLY_XSKMAP", 1);
	if (helper && !*helper)
		helper = NULL;
	if (restart_path && !*restart_path)
		restart_path = NULL;
	printf("dmabuf_fuzz: seed %llu\n", (unsigned long long)seed);
	fflush(stdout);
	kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	kmsg_say("dmabuf_fuzz: seed %llu\n", (unsigned long long)seed);
	if (env_ul("FUZZ_LOG", 0)) {
		const char *path = getenv("FUZZ_LOG_FILE");

		oplog = fopen(path && *path ? path : "/tmp/dmabuf_fuzz.ops", "w");
		if (oplog)
			fprintf(oplog, "seed %llu\n", (unsigned long long)seed);
	}
	g.s = seed;

	/* Device operations: one per dev_every operations, split between them. */
	if (dev_every) {
		unsigned int base = 0, w;

		for (i = 0; i < OP_COUNT; i++)
			base += op_weight[i];
		w = base * 100 / dev_every;	/* in hundredths of the rest's weights */
		for (i = 0; i < OP_COUNT; i++)
			op_weight[i] *= 100;
		/* the helper's take seconds each under TCG: rarer */
		op_weight[OP_link] = w * 30 / 100;
		op_weight[OP_restart] = restart_path ? w * 60 / 100 : 0;
		op_weight[OP_hds] = helper && zc_dev ? w * 2 / 100 : 0;
		op_weight[OP_channels] = helper && restart_path ? w * 2 / 100 : 0;
		op_weight[OP_xdp] = helper ? w * 3 / 100 : 0;
		op_weight[OP_dev_del] = helper ? w * 3 / 100 : 0;
		op_weight[OP_dev_add] = 0;	/* picked while the device is gone */
	}
	for (i = 0; i < OP_COUNT; i++)
		total += op_weight[i];

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < SOCKS; i++)
		socks[i].fd = -1;
	for (i = 0; i < BUFS; i++)
		bufs[i].u.fd = bufs[i].u.memfd = -1;
	pthread_create(&race, NULL, racer, NULL);

	start = mono_now();
	t_end = secs ? start + secs : 0;
	while ((!max_ops || nops < max_ops) && (!t_end || mono_now() < t_end)) {
		unsigned long r = rnd(&g) % total;
		double t0;
		enum op op;
		int e;

		for (op = 0; op < OP_COUNT - 1 && r >= op_weight[op]; op++)
			r -= op_weight[op];
		/* a gone device comes back after a while */
		if (dev_gone && !below(&g, 200))
			op = OP_dev_add;
		cur[0] = 0;
		t0 = mono_now();
		e = run_op(&g, op, false);
		op_time[op] += mono_now() - t0;
		op_count[op]++;
		op_ok[op] += !e;
		snprintf(hist[nops % HIST], sizeof(hist[0]), "%lu %s", nops, cur);
		if (oplog) {	/* flushed: the kernel may not survive the next op */
			fprintf(oplog, "%lu %s\n", nops, cur);
			fflush(oplog);
		}
		nops++;
		if (nops % 2000 == 0)
			kmsg_say("dmabuf_fuzz: op %lu\n", nops);
	}
	atomic_store(&stop_race, true);
	pthread_join(race, NULL);
	if (oplog)
		fflush(oplog);

	printf("dmabuf_fuzz: %lu ops in %.0f s (", nops, mono_now() - start);
	for (i = 0; i < OP_COUNT; i++)
		if (op_count[i])
			printf("%s%s %lu/%lu", i ? ", " : "", op_name[i], op_ok[i], op_count[i]);
	printf("; ok/run), racing thread %lu ring ops, seed %llu\n",
	       (unsigned long)atomic_load(&race_ops), (unsigned long long)seed);
	printf("dmabuf_fuzz: %lu binds (%lu zero copy), RX descriptors read: %lu host, %lu dmabuf; %lu dmabuf completions\n",
	       binds, binds_zc, (unsigned long)atomic_load(&rx_descs),
	       (unsigned long)atomic_load(&rx_dmabuf_descs), (unsigned long)atomic_load(&completions));
	printf("dmabuf_fuzz: time per operation type (s):");
	for (i = 0; i < OP_COUNT; i++)
		if (op_count[i])
			printf(" %s %.1f", op_name[i], op_time[i]);
	printf("\n");
	kmsg_say("dmabuf_fuzz: %lu ops done, seed %llu\n", nops, (unsigned long long)seed);

	close_all();
	if (helper && run_helper("restore", NULL))
		printf("dmabuf_fuzz: restoring the device failed\n");
	dev_gone = link_down = hds_off = xdp_off = false;
	if (!health())
		failed = true;
	close_all();
	for (i = 0; i < (int)wait_s * 10 && areas_left(false); i++) {
		if (i == 20 && helper)
			run_helper("flush", NULL);
		usleep(100000);
	}
	if (areas_left(true)) {
		printf("dmabuf_fuzz: dmabuf areas left %u s after everything was closed\n", wait_s);
		failed = true;
	} else {
		printf("dmabuf_fuzz: no dmabuf area left\n");
	}
	if (oplog)
		fclose(oplog);
	printf("dmabuf_fuzz: %lu ops, seed %llu\n%s\n", nops, (unsigned long long)seed,
	       failed ? "FAIL" : "PASS");
	return failed ? 1 : 0;
}
