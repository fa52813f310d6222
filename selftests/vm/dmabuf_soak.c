// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_soak: a dmabuf UMEM socket received on for a long time while a
 * second thread keeps changing the world under it, with every chunk and
 * every datagram accounted for. The receiving side of vm/dmabuf_soak.sh.
 *
 * The receiver thread holds one AF_XDP socket at a time on QUEUE of IFACE
 * (copy mode, or --zc zero copy), with one udmabuf as the payload area of
 * each socket's UMEM, and checks every datagram byte for byte (rxcheck:
 * sequence numbers 0 .. COUNT - 1, each at most once; drops are the
 * shell's to account for). The chaos thread, at random intervals:
 *
 *   rebind   the socket is unbound (taken out of the XSKMAP, drained,
 *            chunks checked, closed: its area must go) and, after a
 *            random while without a socket, a new one is bound. In zero
 *            copy, half the time header split is turned off while no
 *            socket is bound: the bind must then be refused (EOPNOTSUPP,
 *            XDP_DMABUF_INFO reason NO_HEADER_SPLIT); split goes on again
 *            and the bind must work.
 *   restart  the queue is restarted (netdevsim's debugfs queue_restart:
 *            netdev_rx_queue_restart(); in zero copy, new page pools, and
 *            the old ones' chunks back on the completion ring).
 *   split    header split toggled (--split-cmd CMD, run as "CMD on" or
 *            "CMD off"); in zero copy, while bound, "off" must be refused.
 *   slow     for a random while the receiver posts one dmabuf fill ring
 *            entry at a time and sleeps between posts.
 *
 * Each unbind is a checkpoint, and so is the end: the socket is taken out
 * of the XSKMAP, then an RCU grace period (a BPF map-in-map update waits
 * for one: every NAPI poll that could still have redirected to the socket
 * is over, and its RX ring published), then the RX ring is drained. Then
 * every chunk of the area must be in exactly one place, and the kernel's
 * owner counts (debugfs xsk_dmabuf/areas) must say the same:
 *
 *   user space   free in our hands, named by an unread dmabuf fill ring
 *                entry, or on the dmabuf completion ring, unread;
 *   the kernel   everything else we lent: a buffer pool's cache (copy
 *                mode, "kernel"), a page pool (zero copy, "pool"); none
 *                "inflight" (the RX ring is published) and none scrubbed.
 *
 * In zero copy the page pool may take fill ring entries while the
 * checkpoint reads the owner counts (traffic goes on and the provider is
 * still on the queue): the snapshot is taken again until the fill ring's
 * consumer and the completion ring's producer stood still across it.
 * The socket's counters must match what was received in each epoch (split
 * and whole packets, zero-copy packets and frags, payload bytes the CPU
 * copied: none in zero copy), and no fill ring entry may have been refused.
 *
 *   dmabuf_soak -i IFACE -p PORT -n COUNT --stop-on FILE [-q QUEUE] [--zc]
 *               [--xskmap PIN] [--area-mb MB] [--restart FILE]
 *               [--split-cmd CMD] [--areas FILE] [--period-ms MIN,MAX]
 *               [--queues FILE] [--seed N] [-t TIMEOUT_S]
 *
 * --queues names netdevsim's debugfs hds/queues: the driver's allocation
 * failures on the queue are then split by when they happened (a socket
 * bound, up to its statistics read; the socket closing; no socket), for
 * the shell to hold against the sockets' empty fill ring counts.
 *
 * Prints "dmabuf_soak: ready" once the first socket is in the XSKMAP, and
 * ends when FILE exists (the shell creates it once the traffic is over and
 * the link is quiet) with "dmabuf_soak: totals key=value ..." and
 * "dmabuf_soak: chunks key=value ..." (the last checkpoint), for the shell
 * to add up. Exit 0 if every check held.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "rxcheck.h"
#include "udmabuf.h"
#include "util.h"
#include "xsk_raw.h"

#define NFRAMES		4096
#define FRAME		4096
#define RING		2048
#define MAX_SEGS	64
#define LEND_BIT	0x80000000u
/* The kernel's cache of accepted chunks per buffer pool (XSK_DMABUF_CACHE). */
#define XSK_DMABUF_CACHE	32

enum chunk_state { C_FREE, C_LENT };

enum req { REQ_NONE, REQ_UNBIND, REQ_BIND };

/* The kernel's owner counts of one area (debugfs xsk_dmabuf/areas). */
struct owners {
	unsigned int areas, chunks, user, kernel, inflight, pool, scrubbed;
};

struct totals {
	/* received */
	uint64_t packets, split, whole, frags, payload_bytes;
	/* the sockets' counters, summed over the epochs */
	uint64_t rx_dropped, rx_invalid, rx_ring_full, rx_fill_empty;
	uint64_t d_fill_invalid, d_fill_empty, d_copied, d_split, d_whole, d_zc_packets, d_zc_frags;
	/* chaos */
	unsigned int epochs, unbinds, rebinds, zc_refused, restarts, toggles, split_refused;
	unsigned int slow, starved_unbinds, checkpoints, kicks;
	double unbound_secs, split_secs;	/* no socket; running ethtool */
	/* the driver's allocation failures (--queues): while a socket was
	 * bound, up to its statistics read; while it closed; with none */
	uint64_t af_bound, af_closing, af_unbound;
};

struct soak {
	/* set-up */
	const char *ifname, *xskmap_pin, *areas_path, *restart_path, *split_cmd, *stop_on;
	const char *queues_path;
	uint64_t af_mark;	/* alloc_fail when the last window began */
	unsigned int queue, period_min, period_max;
	bool zc;
	int xskmap, rcu_outer, rcu_inner;
	/* the payload area, the same udmabuf for every socket */
	struct udmabuf u;
	uint32_t chunk, nchunks, dring;
	/* the socket of this epoch */
	struct xsk_raw x;
	bool bound;
	uint8_t *state;		/* enum chunk_state */
	uint32_t *free, nfree;	/* stack of C_FREE chunks */
	uint32_t lent;		/* C_LENT chunks */
	uint32_t *shadow;	/* what each dmabuf fill ring slot holds */
	uint64_t *pend;		/* zero copy: references not given back yet */
	uint32_t npend;
	struct totals ep;	/* this epoch's receive counts */
	/* slow refill, set by the chaos thread */
	_Atomic double slow_until;
	atomic_uint slow_gap_us;
	/* the chaos thread's requests (under lock) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum req req;
	int req_err;
	unsigned int req_refusal;
	atomic_bool stop;
	bool split_on;
	uint64_t rng;
	struct owners last;	/* the last checkpoint */
	uint32_t last_free, last_fillq, last_compq, last_held, last_kernel, last_lag;
	uint32_t lag_max;	/* copy mode: most entries read, not published */
	unsigned int lag_checkpoints;
	/* every checkpoint's places, summed; snapshots taken again */
	uint64_t sum_free, sum_fillq, sum_compq, sum_kernel, sum_lag, sum_held;
	unsigned int retries;
	struct rxcheck rc;
	struct totals t;
	pthread_mutex_t err_lock;
	unsigned int nerr;
	char err[240];
};

static void __attribute__((format(printf, 2, 3)))
soak_fail(struct soak *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->err_lock);
	s->nerr++;
	va_start(ap, fmt);
	printf("dmabuf_soak: FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
	if (!s->err[0]) {
		va_start(ap, fmt);
		vsnprintf(s->err, sizeof(s->err), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->err_lock);
}

static uint64_t rnd(struct soak *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static unsigned int rnd_in(struct soak *s, unsigned int lo, unsigned int hi)
{
	return lo + rnd(s) % (hi - lo + 1);
}

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000u);
}

/* --- RCU grace period from user space --------------------------------- */

/*
 * The kernel waits for an RCU grace period after every update of a
 * map-in-map (maybe_wait_bpf_programs()): once it returns, every NAPI poll
 * that began before it is over. That is all a receiver needs to know that
 * no redirect to a socket just taken out of the XSKMAP is still on its way
 * (6.12's tinyconfig guest has no membarrier()).
 */
static int rcu_sync_init(struct soak *s)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);

	s->rcu_inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "soak_inner", 4, 4, 1, NULL);
	if (s->rcu_inner < 0)
		return -errno;
	o.inner_map_fd = s->rcu_inner;
	s->rcu_outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "soak_sync", 4, 4, 1, &o);
	return s->rcu_outer < 0 ? -errno : 0;
}

static void rcu_sync(struct soak *s)
{
	uint32_t key = 0;

	if (bpf_map_update_elem(s->rcu_outer, &key, &s->rcu_inner, 0))
		soak_fail(s, "map-in-map update (RCU grace period): %s", strerror(errno));
}

/* --- chunks ------------------------------------------------------------ */

static bool needs_wakeup(const struct xring *q)
{
	return __atomic_load_n(q->flags, __ATOMIC_ACQUIRE) & XDP_RING_NEED_WAKEUP;
}

static void fill_push(struct soak *s, uint64_t addr, uint32_t tag)
{
	s->shadow[*s->x.dfq.producer & s->x.dfq.mask] = tag;
	xring_prod_push(&s->x.dfq, addr);
}

static bool slow(const struct soak *s)
{
	return mono_now() < s->slow_until;
}

/*
 * Post what is due on the dmabuf fill ring: references given back (zero
 * copy), then free chunks lent. Slow: one entry, then a nap.
 */
static void refill(struct soak *s)
{
	bool is_slow = slow(s);
	unsigned int budget = is_slow ? 1 : UINT32_MAX, posted = 0;

	while (budget && s->npend && xring_prod_free(&s->x.dfq)) {
		uint64_t a = s->pend[--s->npend];

		fill_push(s, a, (uint32_t)(a / s->chunk));
		budget--;
		posted++;
	}
	while (budget && !s->npend && s->nfree && xring_prod_free(&s->x.dfq) &&
	       (!s->zc || s->lent < s->dring)) {
		uint32_t c = s->free[--s->nfree];

		s->state[c] = C_LENT;
		s->lent++;
		fill_push(s, (uint64_t)c * s->chunk, c | LEND_BIT);
		budget--;
		posted++;
	}
	if (posted && needs_wakeup(&s->x.dfq)) {
		/* As the library kicks: the queue's NAPI runs and its page
		 * pool takes from the ring again. */
		recvfrom(s->x.fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		s->t.kicks++;
	}
	if (is_slow && posted)
		usleep(s->slow_gap_us);
}

static void give_back(struct soak *s, uint32_t c)
{
	s->state[c] = C_FREE;
	s->lent--;
	s->free[s->nfree++] = c;
}

/* Chunks the kernel gave back on the dmabuf completion ring. */
static void reap(struct soak *s)
{
	uint32_t n = xring_cons_avail(&s->x.dcq);

	for (uint32_t k = 0; k < n; k++) {
		uint64_t a = xring_addr(&s->x.dcq, k);

		if (a % s->chunk || a / s->chunk >= s->nchunks || s->state[a / s->chunk] != C_LENT)
			soak_fail(s, "completion ring returned %llu, not a lent chunk",
				  (unsigned long long)a);
		else
			give_back(s, a / s->chunk);
	}
	xring_cons_release(&s->x.dcq, n);
}

/* --- receive ----------------------------------------------------------- */

/* One packet: nseg descriptors from RX ring index i. */
static void packet(struct soak *s, uint32_t i, uint32_t nseg)
{
	struct iovec seg[MAX_SEGS] = { 0 };
	uint32_t ndma = 0;

	for (uint32_t k = 0; k < nseg; k++) {
		const struct xdp_desc *d = xring_rx_desc(&s->x.rx, i + k);

		seg[k].iov_len = d->len;
		if (!(d->options & XDP_DESC_DMABUF)) {
			if (ndma)
				soak_fail(s, "host descriptor after a payload descriptor");
			seg[k].iov_base = s->x.umem + d->addr;
			continue;
		}
		uint64_t c = d->addr / s->chunk;

		if (c >= s->nchunks || d->addr % s->chunk + d->len > s->chunk ||
		    (!s->zc && d->addr % s->chunk)) {
			soak_fail(s, "payload descriptor at %llu len %u outside the chunks",
				  (unsigned long long)d->addr, d->len);
			return;
		}
		if (s->state[c] != C_LENT) {
			soak_fail(s, "chunk %llu delivered, but not lent", (unsigned long long)c);
			return;
		}
		seg[k].iov_base = s->u.map + d->addr;
		s->ep.payload_bytes += d->len;
		ndma++;
	}
	rxcheck_frame(&s->rc, seg, (int)nseg);
	s->ep.packets++;
	s->ep.frags += ndma;
	if (ndma)
		s->ep.split++;
	else
		s->ep.whole++;
}

/* The buffers of descriptors [i, i + n) go back: host frames on the fill
 * ring, payload chunks free (copy) or their references queued (zero copy). */
static void release(struct soak *s, uint32_t i, uint32_t n)
{
	for (uint32_t k = i; k < i + n; k++) {
		const struct xdp_desc *d = xring_rx_desc(&s->x.rx, k);

		if (!(d->options & XDP_DESC_DMABUF))
			xring_prod_push(&s->x.fq, d->addr & ~(uint64_t)(FRAME - 1));
		else if (d->addr / s->chunk >= s->nchunks || s->state[d->addr / s->chunk] != C_LENT)
			continue;	/* failed in packet() */
		else if (s->zc)
			s->pend[s->npend++] = d->addr;
		else
			give_back(s, (uint32_t)(d->addr / s->chunk));
	}
}

/* Read whole packets off the RX ring; returns the packets read. */
static uint32_t receive(struct soak *s)
{
	uint32_t avail = xring_cons_avail(&s->x.rx), used = 0, pkts = 0;

	for (uint32_t k = 0; k < avail; k++) {
		const struct xdp_desc *d = xring_rx_desc(&s->x.rx, k);

		if (d->options & XDP_PKT_CONTD)
			continue;
		if (k + 1 - used > MAX_SEGS) {
			soak_fail(s, "chain of %u descriptors", k + 1 - used);
			break;
		}
		packet(s, used, k + 1 - used);
		release(s, used, k + 1 - used);
		used = k + 1;
		pkts++;
	}
	xring_cons_release(&s->x.rx, used);
	return pkts;
}

/* --- sockets ----------------------------------------------------------- */

/* The driver's alloc_fail count of the queue (netdevsim debugfs
 * hds/queues: a header line of column names, a line per queue). */
static uint64_t read_alloc_fail(struct soak *s)
{
	char line[512], *tok, *save;
	unsigned long long v = 0;
	int col = -1, i;
	FILE *f;

	if (!s->queues_path || !(f = fopen(s->queues_path, "r")))
		return 0;
	if (fgets(line, sizeof(line), f))
		for (i = 0, tok = strtok_r(line, " \n", &save); tok;
		     i++, tok = strtok_r(NULL, " \n", &save))
			if (!strcmp(tok, "alloc_fail"))
				col = i;
	while (col >= 0 && fgets(line, sizeof(line), f)) {
		tok = strtok_r(line, " \n", &save);
		if (!tok || strtoul(tok, NULL, 10) != s->queue)
			continue;
		for (i = 1; i <= col && (tok = strtok_r(NULL, " \n", &save)); i++)
			;
		if (tok)
			v = strtoull(tok, NULL, 10);
		break;
	}
	fclose(f);
	return v;
}

/* Close the driver's allocation failure window that began at the last
 * mark into *sum, and begin the next. */
static void af_window(struct soak *s, uint64_t *sum)
{
	uint64_t now = read_alloc_fail(s);

	*sum += now - s->af_mark;
	s->af_mark = now;
}

static int read_owners(struct soak *s, struct owners *o)
{
	char line[512];
	FILE *f = fopen(s->areas_path, "r");

	memset(o, 0, sizeof(*o));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, " chunks ");

		o->areas++;
		if (!p || sscanf(p, " chunks %u user %u kernel %u inflight %u", &o->chunks,
				 &o->user, &o->kernel, &o->inflight) != 4)
			return fclose(f), -EINVAL;
		p = strstr(line, " pool ");
		if (!p || sscanf(p, " pool %u scrubbed %u", &o->pool, &o->scrubbed) != 2)
			return fclose(f), -EINVAL;
	}
	fclose(f);
	return 0;
}

/* No area left (the last socket's UMEM is gone, and in zero copy its page
 * pools let go of every chunk). */
static bool areas_gone(struct soak *s, double max_s)
{
	struct owners o;
	double t0 = mono_now();

	do {
		if (!read_owners(s, &o) && !o.areas)
			return true;
		sleep_ms(50);
	} while (mono_now() - t0 < max_s);
	return false;
}

/*
 * Every chunk in one place, and the kernel agrees. Called with the socket
 * out of the XSKMAP, after an RCU grace period, the RX ring drained.
 *
 * Copy mode publishes how far it read the dmabuf fill ring only when it
 * publishes the RX ring (xsk_flush()): entries taken into the buffer
 * pool's cache for a packet that was then dropped (not enough chunks on
 * the ring, no host chunk) stay unpublished until a later packet reaches
 * the socket, and none does once it is out of the XSKMAP. Those are the
 * first "lag" lend entries past the published consumer, which the kernel
 * counts as its own: they are accounted as the kernel's, and counted.
 */
static void checkpoint(struct soak *s)
{
	struct owners o = { 0 };
	uint32_t fillq = 0, compq = 0, held = s->npend, kern = 0, lag = 0;
	bool same = false;

	for (int tries = 0; tries < 50 && !same; tries++) {
		uint32_t c1, p1, c2, p2;

		if (tries) {
			sleep_ms(20);
			s->retries++;
		}
		c1 = __atomic_load_n(s->x.dfq.consumer, __ATOMIC_ACQUIRE);
		p1 = __atomic_load_n(s->x.dcq.producer, __ATOMIC_ACQUIRE);
		if (read_owners(s, &o)) {
			soak_fail(s, "cannot read %s", s->areas_path);
			return;
		}
		c2 = __atomic_load_n(s->x.dfq.consumer, __ATOMIC_ACQUIRE);
		p2 = __atomic_load_n(s->x.dcq.producer, __ATOMIC_ACQUIRE);
		if (c1 != c2 || p1 != p2)
			continue;
		fillq = 0;
		for (uint32_t k = c1; k != *s->x.dfq.producer; k++)
			fillq += !!(s->shadow[k & s->x.dfq.mask] & LEND_BIT);
		compq = p1 - *s->x.dcq.consumer;
		kern = s->lent - fillq - compq;
		lag = 0;
		if (!s->zc && o.user < s->nfree + fillq + compq)
			lag = s->nfree + fillq + compq - o.user;
		/* The snapshot of the owner words is not atomic: a page pool
		 * taking an entry while it is read shows as a mismatch; the
		 * next snapshot settles it. A lasting mismatch fails. */
		same = o.areas == 1 && lag <= fillq && lag <= XSK_DMABUF_CACHE &&
		       o.user + lag == s->nfree + fillq + compq &&
		       o.kernel + o.inflight + o.pool + o.scrubbed == kern + lag;
	}
	s->t.checkpoints++;
	s->last = o;
	s->last_free = s->nfree;
	s->last_fillq = fillq - lag;
	s->last_compq = compq;
	s->last_held = held;
	s->last_kernel = kern + lag;
	s->last_lag = lag;
	s->sum_free += s->nfree;
	s->sum_fillq += fillq - lag;
	s->sum_compq += compq;
	s->sum_kernel += kern + lag;
	s->sum_lag += lag;
	s->sum_held += held;
	if (lag) {
		s->lag_checkpoints++;
		if (lag > s->lag_max)
			s->lag_max = lag;
	}
	if (o.areas != 1)
		soak_fail(s, "checkpoint %u: %u areas, want 1", s->t.checkpoints, o.areas);
	else if (!same)
		soak_fail(s, "checkpoint %u: kernel: user %u kernel %u inflight %u pool %u scrubbed %u; we: free %u fill ring %u completion ring %u, the kernel's %u (of %u)",
			  s->t.checkpoints, o.user, o.kernel, o.inflight, o.pool, o.scrubbed,
			  s->nfree, fillq, compq, kern, s->nchunks);
	if (o.chunks != s->nchunks || s->nfree + s->lent != s->nchunks)
		soak_fail(s, "checkpoint %u: %u chunks in the area, we track %u + %u of %u",
			  s->t.checkpoints, o.chunks, s->nfree, s->lent, s->nchunks);
	if (o.inflight || o.scrubbed || (s->zc ? o.kernel : o.pool))
		soak_fail(s, "checkpoint %u: inflight %u scrubbed %u kernel %u pool %u in %s mode",
			  s->t.checkpoints, o.inflight, o.scrubbed, o.kernel, o.pool,
			  s->zc ? "zero-copy" : "copy");
}

/* The socket's counters of this epoch against what was received. */
static void epoch_stats(struct soak *s)
{
	struct xdp_dmabuf_statistics ds;
	struct xdp_statistics xs;
	struct totals *t = &s->t, *e = &s->ep;

	if (xsk_raw_stats(&s->x, &xs) || xsk_raw_dmabuf_stats(&s->x, &ds)) {
		soak_fail(s, "epoch %u: statistics: %s", t->epochs, strerror(errno));
		return;
	}
	t->packets += e->packets;
	t->split += e->split;
	t->whole += e->whole;
	t->frags += e->frags;
	t->payload_bytes += e->payload_bytes;
	t->rx_dropped += xs.rx_dropped;
	t->rx_invalid += xs.rx_invalid_descs;
	t->rx_ring_full += xs.rx_ring_full;
	t->rx_fill_empty += xs.rx_fill_ring_empty_descs;
	t->d_fill_invalid += ds.fill_invalid_descs;
	t->d_fill_empty += ds.fill_empty_descs;
	t->d_copied += ds.cpu_copied_bytes;
	t->d_split += ds.split_packets;
	t->d_whole += ds.whole_packets;
	t->d_zc_packets += ds.zc_packets;
	t->d_zc_frags += ds.zc_frags;
	if (ds.split_packets != e->split || ds.whole_packets != e->whole)
		soak_fail(s, "epoch %u: kernel: split %llu whole %llu, received split %llu whole %llu",
			  t->epochs, (unsigned long long)ds.split_packets,
			  (unsigned long long)ds.whole_packets, (unsigned long long)e->split,
			  (unsigned long long)e->whole);
	if (ds.cpu_copied_bytes != (s->zc ? 0 : e->payload_bytes))
		soak_fail(s, "epoch %u: kernel copied %llu payload bytes, %llu received",
			  t->epochs, (unsigned long long)ds.cpu_copied_bytes,
			  (unsigned long long)(s->zc ? 0 : e->payload_bytes));
	if (s->zc && (ds.zc_packets != e->split || ds.zc_frags != e->frags))
		soak_fail(s, "epoch %u: kernel: zero-copy packets %llu frags %llu, received %llu, %llu",
			  t->epochs, (unsigned long long)ds.zc_packets,
			  (unsigned long long)ds.zc_frags, (unsigned long long)e->split,
			  (unsigned long long)e->frags);
	if (ds.fill_invalid_descs || xs.rx_invalid_descs)
		soak_fail(s, "epoch %u: %llu dmabuf fill ring entries refused, %llu invalid descriptors",
			  t->epochs, (unsigned long long)ds.fill_invalid_descs,
			  (unsigned long long)xs.rx_invalid_descs);
}

static void unbind(struct soak *s)
{
	uint64_t fe = s->t.d_fill_empty, ab = s->t.af_bound, ac = s->t.af_closing;

	if (!s->bound)
		return;
	if (bpf_map_delete_elem(s->xskmap, &s->queue))
		soak_fail(s, "XSKMAP delete: %s", strerror(errno));
	rcu_sync(s);
	/* Nothing reaches the socket any more, and what did is published. */
	while (receive(s))
		;
	if (xring_cons_avail(&s->x.rx))
		soak_fail(s, "a descriptor chain without its end on the RX ring");
	s->slow_until = 0;
	if (s->zc)	/* every reference back: they stay POOL either way */
		refill(s);
	checkpoint(s);
	epoch_stats(s);
	af_window(s, &s->t.af_bound);
	reap(s);
	xsk_raw_close(&s->x);
	s->bound = false;
	/* The area went with the UMEM: every chunk is ours again. */
	s->nfree = 0;
	for (uint32_t c = 0; c < s->nchunks; c++) {
		s->state[c] = C_FREE;
		s->free[s->nfree++] = s->nchunks - 1 - c;
	}
	s->lent = 0;
	s->npend = 0;
	if (!areas_gone(s, 20))
		soak_fail(s, "epoch %u: the area is still there 20 s after the socket closed",
			  s->t.epochs);
	af_window(s, &s->t.af_closing);
	/* Zero copy: the driver fails an allocation for each empty one. */
	if ((s->zc && s->t.d_fill_empty - fe != s->t.af_bound - ab) || s->t.af_closing != ac)
		printf("dmabuf_soak: epoch %u: driver alloc_fail +%llu while bound, +%llu while closing; socket fill_empty +%llu\n",
		       s->t.epochs, (unsigned long long)(s->t.af_bound - ab),
		       (unsigned long long)(s->t.af_closing - ac),
		       (unsigned long long)(s->t.d_fill_empty - fe));
}

/* Returns 0, or -errno with *refusal (XDP_DMABUF_INFO) for a refused bind. */
static int bind_socket(struct soak *s, unsigned int *refusal)
{
	struct xdp_dmabuf_info info = { 0 };
	socklen_t ilen = sizeof(info);
	int err;

	*refusal = 0;
	af_window(s, &s->t.af_unbound);
	err = xsk_raw_socket(&s->x) ?:
	      xsk_raw_umem_reg(&s->x, NFRAMES, FRAME) ?:
	      xsk_raw_dmabuf_reg(&s->x, s->u.fd, 0, s->u.size, s->chunk) ?:
	      xsk_raw_rings(&s->x, RING, s->dring, true) ?:
	      xsk_raw_mmap(&s->x, true, true) ?:
	      xsk_raw_bind(&s->x, s->ifname, s->queue, XDP_USE_SG | XDP_USE_NEED_WAKEUP |
			   (s->zc ? XDP_ZEROCOPY : 0), -1);
	if (err) {
		if (!getsockopt(s->x.fd, SOL_XDP, XDP_DMABUF_INFO, &info, &ilen))
			*refusal = info.zc_refusal;
		xsk_raw_close(&s->x);
		return err;
	}
	memset(&s->ep, 0, sizeof(s->ep));
	for (uint32_t k = 0; k < RING; k++)
		xring_prod_push(&s->x.fq, (uint64_t)k * FRAME);
	refill(s);
	if (bpf_map_update_elem(s->xskmap, &s->queue, &s->x.fd, 0)) {
		err = -errno;
		soak_fail(s, "XSKMAP update: %s", strerror(errno));
		xsk_raw_close(&s->x);
		return err;
	}
	s->bound = true;
	s->t.epochs++;
	return 0;
}

/* --- chaos ------------------------------------------------------------- */

/* Ask the receiver thread to unbind or bind; returns its result. */
static int request(struct soak *s, enum req r, unsigned int *refusal)
{
	int err;

	pthread_mutex_lock(&s->lock);
	s->req = r;
	while (s->req != REQ_NONE)
		pthread_cond_wait(&s->cond, &s->lock);
	err = s->req_err;
	if (refusal)
		*refusal = s->req_refusal;
	pthread_mutex_unlock(&s->lock);
	return err;
}

/* Run by the receiver thread between batches. */
static void serve(struct soak *s)
{
	enum req r;

	pthread_mutex_lock(&s->lock);
	r = s->req;
	pthread_mutex_unlock(&s->lock);
	if (r == REQ_NONE)
		return;
	s->req_err = 0;
	if (r == REQ_UNBIND)
		unbind(s);
	else
		s->req_err = bind_socket(s, &s->req_refusal);
	pthread_mutex_lock(&s->lock);
	s->req = REQ_NONE;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static int set_split(struct soak *s, bool on)
{
	double t0 = mono_now();
	char cmd[512];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", s->split_cmd, on ? "on" : "off");
	rc = system(cmd);
	s->t.split_secs += mono_now() - t0;
	if (rc == 0)
		s->split_on = on;
	return rc;
}

static void restart_queue(struct soak *s)
{
	bool ok;
	FILE *f;

	if (!s->restart_path)
		return;
	/* The write reaches debugfs, and the restart runs, at fclose(). */
	f = fopen(s->restart_path, "w");
	ok = f && fprintf(f, "%u\n", s->queue) > 0;
	if (f && fclose(f))
		ok = false;
	if (!ok) {
		soak_fail(s, "queue restart (%s): %s", s->restart_path, strerror(errno));
		return;
	}
	s->t.restarts++;
}

static void chaos_rebind(struct soak *s)
{
	double t0 = mono_now();
	unsigned int refusal;
	int err;

	if (!(rnd(s) % 3)) {
		/* Unbind while the dmabuf fill ring runs dry: the kernel then
		 * holds chunks it took for packets it could not complete. */
		s->slow_gap_us = 200000;
		s->slow_until = mono_now() + 3;
		sleep_ms(1000);
		s->t.starved_unbinds++;
		t0 = mono_now();
	}
	if (request(s, REQ_UNBIND, NULL))
		return;
	s->t.unbinds++;
	sleep_ms(rnd_in(s, 0, 400));
	if (s->zc && s->split_cmd && !(rnd(s) % 3)) {
		/* No provider on the queue: split may go off; zero copy is
		 * then refused, with the reason. */
		if (set_split(s, false)) {
			soak_fail(s, "tcp-data-split off with no socket bound: refused");
		} else {
			s->t.toggles++;
			err = request(s, REQ_BIND, &refusal);
			if (err != -EOPNOTSUPP || refusal != XDP_DMABUF_ZC_NO_HEADER_SPLIT)
				soak_fail(s, "zero-copy bind with split off: %s, reason %u; want EOPNOTSUPP, reason %u",
					  strerror(-err), refusal, XDP_DMABUF_ZC_NO_HEADER_SPLIT);
			else
				s->t.zc_refused++;
			if (!err) {	/* bound after all: on with the soak */
				s->t.unbound_secs += mono_now() - t0;
				return;
			}
			if (set_split(s, true))
				soak_fail(s, "tcp-data-split on: refused");
			s->t.toggles++;
		}
	}
	err = request(s, REQ_BIND, &refusal);
	if (err)
		soak_fail(s, "bind after unbind %u: %s (reason %u)", s->t.unbinds, strerror(-err),
			  refusal);
	else
		s->t.rebinds++;
	s->t.unbound_secs += mono_now() - t0;
}

static void chaos_split(struct soak *s)
{
	if (!s->split_cmd)
		return;
	if (!s->zc) {
		if (set_split(s, !s->split_on))
			soak_fail(s, "tcp-data-split %s: refused", s->split_on ? "off" : "on");
		else
			s->t.toggles++;
		return;
	}
	/* The provider needs split: turning it off must be refused. */
	if (!set_split(s, false)) {
		soak_fail(s, "tcp-data-split off allowed under a zero-copy socket");
		set_split(s, true);
		return;
	}
	s->t.split_refused++;
}

static void *chaos(void *arg)
{
	struct soak *s = arg;

	while (!atomic_load(&s->stop)) {
		unsigned int wait = rnd_in(s, s->period_min, s->period_max);

		for (; wait && !atomic_load(&s->stop); wait -= wait < 50 ? wait : 50)
			sleep_ms(wait < 50 ? wait : 50);
		if (atomic_load(&s->stop))
			break;
		switch (rnd(s) % 10) {
		case 0: case 1: case 2:
			chaos_rebind(s);
			break;
		case 3: case 4: case 5:
			restart_queue(s);
			break;
		case 6: case 7:
			chaos_split(s);
			break;
		default:
			s->slow_gap_us = rnd_in(s, 500, 3000);
			s->slow_until = mono_now() + rnd_in(s, 300, 1500) / 1000.0;
			s->t.slow++;
			break;
		}
	}
	return NULL;
}

/* --- main -------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: dmabuf_soak -i IFACE -p PORT -n COUNT --stop-on FILE [-q QUEUE] [--zc]\n"
		"                   [--xskmap PIN] [--area-mb MB] [--restart FILE]\n"
		"                   [--split-cmd CMD] [--areas FILE] [--period-ms MIN,MAX]\n"
		"                   [--queues FILE] [--seed N] [-t TIMEOUT_S]\n");
	exit(2);
}

static void print_totals(struct soak *s, double secs)
{
	const struct totals *t = &s->t;

	printf("dmabuf_soak: totals mode=%s packets=%llu intact=%llu bad=%llu dup=%llu split=%llu whole=%llu frags=%llu payload_bytes=%llu rx_dropped=%llu rx_ring_full=%llu rx_fill_empty=%llu rx_invalid=%llu dmabuf_fill_empty=%llu dmabuf_fill_invalid=%llu cpu_copied=%llu zc_packets=%llu zc_frags=%llu epochs=%u unbinds=%u rebinds=%u zc_bind_refused=%u restarts=%u split_toggles=%u split_off_refused=%u slow_refills=%u starved_unbinds=%u kicks=%u checkpoints=%u unbound_secs=%.1f split_secs=%.1f secs=%.1f errors=%u\n",
	       s->zc ? "zc" : "copy", (unsigned long long)t->packets,
	       (unsigned long long)s->rc.good, (unsigned long long)s->rc.bad,
	       (unsigned long long)s->rc.dup, (unsigned long long)t->split,
	       (unsigned long long)t->whole, (unsigned long long)t->frags,
	       (unsigned long long)t->payload_bytes, (unsigned long long)t->rx_dropped,
	       (unsigned long long)t->rx_ring_full, (unsigned long long)t->rx_fill_empty,
	       (unsigned long long)t->rx_invalid, (unsigned long long)t->d_fill_empty,
	       (unsigned long long)t->d_fill_invalid, (unsigned long long)t->d_copied,
	       (unsigned long long)t->d_zc_packets, (unsigned long long)t->d_zc_frags,
	       t->epochs, t->unbinds, t->rebinds, t->zc_refused, t->restarts, t->toggles,
	       t->split_refused, t->slow, t->starved_unbinds, t->kicks, t->checkpoints,
	       t->unbound_secs, t->split_secs, secs, s->nerr);
	printf("dmabuf_soak: alloc_fail bound=%llu closing=%llu unbound=%llu\n",
	       (unsigned long long)t->af_bound, (unsigned long long)t->af_closing,
	       (unsigned long long)t->af_unbound);
	printf("dmabuf_soak: chunks nchunks=%u user_free=%u fill_ring=%u completion_ring=%u refs_held=%u kernel=%u unpublished=%u k_user=%u k_kernel=%u k_inflight=%u k_pool=%u k_scrubbed=%u lag_checkpoints=%u lag_max=%u\n",
	       s->nchunks, s->last_free, s->last_fillq, s->last_compq, s->last_held,
	       s->last_kernel, s->last_lag, s->last.user, s->last.kernel, s->last.inflight,
	       s->last.pool, s->last.scrubbed, s->lag_checkpoints, s->lag_max);
	printf("dmabuf_soak: chunks_all accounted=%llu user_free=%llu fill_ring=%llu completion_ring=%llu kernel=%llu unpublished=%llu refs_held=%llu retries=%u\n",
	       (unsigned long long)t->checkpoints * s->nchunks, (unsigned long long)s->sum_free,
	       (unsigned long long)s->sum_fillq, (unsigned long long)s->sum_compq,
	       (unsigned long long)s->sum_kernel, (unsigned long long)s->sum_lag,
	       (unsigned long long)s->sum_held, s->retries);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "zc", no_argument, NULL, 'Z' },
		{ "xskmap", required_argument, NULL, 'X' },
		{ "area-mb", required_argument, NULL, 'a' },
		{ "restart", required_argument, NULL, 'r' },
		{ "split-cmd", required_argument, NULL, 's' },
		{ "areas", required_argument, NULL, 'A' },
		{ "period-ms", required_argument, NULL, 'P' },
		{ "seed", required_argument, NULL, 'S' },
		{ "stop-on", required_argument, NULL, 'O' },
		{ "queues", required_argument, NULL, 'Q' },
		{ 0 }
	};
	struct soak *s = calloc(1, sizeof(*s));
	unsigned int count = 0, port = 0, timeout = 3600, area_mb = 4, refusal;
	pthread_t th;
	double t0, last_stop_check = 0;
	int c, err;

	if (!s)
		return 1;
	s->xskmap_pin = "/sys/fs/bpf/xsk-devmem/steer_xsks";
	s->areas_path = "/sys/kernel/debug/xsk_dmabuf/areas";
	s->chunk = 4096;
	s->period_min = 300;
	s->period_max = 1500;
	s->rng = 0x9e3779b97f4a7c15ull;
	s->split_on = true;
	while ((c = getopt_long(argc, argv, "i:p:n:q:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'i': s->ifname = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'q': s->queue = strtoul(optarg, NULL, 0); break;
		case 't': timeout = strtoul(optarg, NULL, 0); break;
		case 'Z': s->zc = true; break;
		case 'X': s->xskmap_pin = optarg; break;
		case 'a': area_mb = strtoul(optarg, NULL, 0); break;
		case 'r': s->restart_path = optarg; break;
		case 's': s->split_cmd = optarg; break;
		case 'A': s->areas_path = optarg; break;
		case 'P':
			if (sscanf(optarg, "%u,%u", &s->period_min, &s->period_max) != 2 ||
			    s->period_min > s->period_max)
				usage();
			break;
		case 'S': s->rng = strtoull(optarg, NULL, 0) | 1; break;
		case 'O': s->stop_on = optarg; break;
		case 'Q': s->queues_path = optarg; break;
		default: usage();
		}
	}
	if (!s->ifname || !port || !count || !s->stop_on || !area_mb)
		usage();

	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->err_lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (rxcheck_init(&s->rc, count, port) || udmabuf_create(&s->u, (size_t)area_mb << 20))
		return 1;
	s->nchunks = s->u.size / s->chunk;
	/* Zero copy: a completion ring entry per chunk. */
	for (s->dring = 32; s->dring < s->nchunks; s->dring *= 2)
		;
	s->state = calloc(s->nchunks, 1);
	s->free = calloc(s->nchunks, sizeof(*s->free));
	s->shadow = calloc(s->dring, sizeof(*s->shadow));
	s->pend = calloc(s->nchunks * 2, sizeof(*s->pend));
	if (!s->state || !s->free || !s->shadow || !s->pend)
		return 1;
	for (uint32_t k = 0; k < s->nchunks; k++)
		s->free[s->nfree++] = s->nchunks - 1 - k;

	err = rcu_sync_init(s);
	if (err) {
		fprintf(stderr, "dmabuf_soak: map-in-map: %s\n", strerror(-err));
		return 1;
	}
	s->xskmap = bpf_obj_get(s->xskmap_pin);
	if (s->xskmap < 0) {
		fprintf(stderr, "dmabuf_soak: XSKMAP %s: %s\n", s->xskmap_pin, strerror(errno));
		return 1;
	}
	s->af_mark = read_alloc_fail(s);
	err = bind_socket(s, &refusal);
	if (err) {
		fprintf(stderr, "dmabuf_soak: bind on %s queue %u: %s (zero-copy refusal %u)\n",
			s->ifname, s->queue, strerror(-err), refusal);
		return 1;
	}
	printf("dmabuf_soak: ready on %s queue %u, %s, %u chunks of %u bytes, dmabuf rings of %u\n",
	       s->ifname, s->queue, s->zc ? "zero copy" : "copy mode", s->nchunks, s->chunk,
	       s->dring);
	fflush(stdout);
	if (pthread_create(&th, NULL, chaos, s)) {
		fprintf(stderr, "dmabuf_soak: no chaos thread\n");
		return 1;
	}

	t0 = mono_now();
	while (!atomic_load(&s->stop)) {
		struct pollfd pfd = { .fd = s->x.fd, .events = POLLIN };

		serve(s);
		if (mono_now() - last_stop_check > 0.5) {
			last_stop_check = mono_now();
			if (!access(s->stop_on, F_OK) || last_stop_check - t0 > timeout)
				atomic_store(&s->stop, true);
		}
		if (!s->bound) {
			sleep_ms(5);
			continue;
		}
		if (!xring_cons_avail(&s->x.rx))
			poll(&pfd, 1, 20);
		receive(s);
		reap(s);
		refill(s);
	}
	/* The chaos thread may wait for a request: serve until it is done. */
	while (pthread_tryjoin_np(th, NULL)) {
		serve(s);
		sleep_ms(5);
	}
	if (mono_now() - t0 > timeout)
		soak_fail(s, "timed out after %u s", timeout);
	if (!s->split_on && set_split(s, true))
		soak_fail(s, "tcp-data-split on at the end: refused");
	unbind(s);
	if (!areas_gone(s, 20))
		soak_fail(s, "areas left after the last close");

	rxcheck_report(&s->rc, "dmabuf_soak", stdout);
	if (s->rc.bad || s->rc.dup)
		soak_fail(s, "%llu bad and %llu duplicate datagrams (%s)",
			  (unsigned long long)s->rc.bad, (unsigned long long)s->rc.dup,
			  s->rc.first_error);
	af_window(s, &s->t.af_unbound);
	print_totals(s, mono_now() - t0);
	if (s->err[0])
		printf("dmabuf_soak: first failure: %s\n", s->err);
	rxcheck_free(&s->rc);
	udmabuf_destroy(&s->u);
	return s->nerr ? 1 : 0;
}
