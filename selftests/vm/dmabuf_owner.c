// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_owner: the ownership rule of the dmabuf UMEM under attack by valid
 * chunk offsets that user space does not own, on the raw UAPI.
 *
 * Two sockets share one UMEM with a dmabuf area (XDP_SHARED_UMEM), on
 * queues 0 and 1 of one interface, each served by a thread of its own.
 * Both threads lend chunks from one shared pool, and among the entries
 * they lend they post, by the hundred thousand, chunks they do not own:
 *
 *   (a) duplicate  the chunk just lent, again, in the next entry;
 *   (b) lent       one of the last two chunks this side lent, not delivered
 *                  back (read by the kernel and in a pool's cache, or not
 *                  read yet);
 *   (c) held       a chunk whose RX descriptor is still on the RX ring and
 *                  checked, not yet released (user space owns it: legit);
 *   (d) both rings a chunk just lent on this socket's dmabuf fill ring,
 *                  on the other socket's ring too;
 *   and now and then an offset invalid in itself (past the area, inside a
 *   chunk).
 *
 * The kernel accepts an entry only if it names a chunk user space owns
 * when the kernel reads it; whether a given (a), (b), (c) or (d) entry is
 * accepted depends on timing. What is proven, exactly:
 *
 * - at every delivery of a chunk (RX descriptor or dmabuf completion ring)
 *   it has been delivered no more often than it was posted, on either ring;
 * - once the device is gone (SO_ERROR reads ENETDOWN, so every dmabuf
 *   fill ring's consumer is final), for each socket and in total:
 *   fill_invalid_descs = I + V - A, where V and I are the valid and the
 *   invalid entries among those the kernel read, and A the chunks it
 *   accepted: RX descriptors plus completions, every one of them seen;
 * - every datagram is intact, but for one exception: a payload chunk may
 *   be found overwritten when a (a), (b), (c) or (d) entry naming it (or a
 *   lend of a chunk that such an entry had made the kernel's) was accepted
 *   after its packet was written. Then the chunk must hold what another
 *   RX descriptor of the same chunk says was written there: one on the
 *   other queue, or a later one on the same queue (user space cannot tell
 *   the order of deliveries on two queues); such packets are counted.
 *   (The kernel gives a chunk back to user space when it writes the
 *   chunk's RX descriptor, before it publishes the RX ring's producer: an
 *   (a) entry read for the next packet is accepted, and the chunk filled
 *   again, in the same NAPI poll, before user space can see the first
 *   packet's descriptor.)
 * - the kernel's split packet and copied byte counts are what was seen;
 * - with the sockets still open after ENETDOWN, debugfs xsk_dmabuf/areas
 *   shows every chunk owned by user space.
 *
 * The checks of a packet read the chunk before any (c) entry names it.
 *
 *   dmabuf_owner IFACE PORT [--target N] [--count N] [--per-lend N]
 *                [-t TIMEOUT_S]
 *
 * Prints "dmabuf_owner: ready" when both sockets are in the XSKMAP
 * ($XSK_STEER_PIN_DIR/steer_xsks, index = queue), and "dmabuf_owner:
 * target reached" once the kernel has read N entries of kinds (a), (b) and
 * (d) (default 200000); then it stops giving host chunks back, so that
 * the kernel drops packets and keeps the payload chunks it took for them
 * (they must come back on the completion rings), and waits for the device
 * to go. Datagrams carry sequence numbers below --count; the steering
 * policy must split at l4+12, so that each datagram's pattern header lands
 * in host memory.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <bpf/bpf.h>

#include "check.h"
#include "pattern.h"
#include "rxcheck.h"
#include "udmabuf.h"
#include "util.h"
#include "xsk_raw.h"

#define FRAME		4096u
#define NFRAMES		4096u	/* half for each socket's fill ring */
#define RING		2048u	/* fill, completion and RX ring of each socket */
#define DRING		8192u	/* dmabuf fill and completion rings */
#define AREA		(16u << 20)
#define NCHUNKS		(AREA / FRAME)
#define MAX_SEGS	8	/* a 9000-byte frame: 1 host + 3 payload chunks */
#define BATCH		64	/* packets per receive round */
#define RECENT		2	/* (b) picks among the chunks a side lent last */
#define UNREAD		2048u	/* entries a side keeps unread in its fill ring */
#define LEND_CAP	(NCHUNKS / 2)	/* chunks lent at once, by both sides */
#define AREAS		"/sys/kernel/debug/xsk_dmabuf/areas"

enum kind { LEND, DUP, LENT, HELD, BOTH, INVALID, NKINDS };

static const char *const kind_name[NKINDS] = {
	"lend", "(a) duplicate", "(b) lent", "(c) held", "(d) both rings", "invalid",
};

/* What user space knows of a chunk; under lock. */
struct chunk {
	uint32_t posts;		/* entries naming it, on either ring */
	uint32_t deliveries;	/* RX descriptors and completions naming it */
	uint16_t holds;		/* its RX descriptors not released yet */
	bool lent;		/* lent (LEND) and not delivered since */
	bool listed;		/* on the free list */
};

/* Every entry written into one dmabuf fill ring, in order. */
struct post_log {
	uint8_t *kind;
	uint32_t n;
	size_t cap;
	uint32_t counted;		/* entries [0, counted) are in read[] */
	uint64_t posted[NKINDS], read[NKINDS];
};

/* An RX descriptor of a payload chunk: what the kernel wrote there. */
struct delivery {
	uint32_t chunk, n;	/* n: the chunk's n-th RX descriptor on this queue */
	uint32_t seq, plen;	/* datagram seq, plen payload bytes long ... */
	uint32_t off, len;	/* ... its bytes [off, off + len) */
	uint32_t next;		/* the chunk's next delivery (link_deliveries) */
};

#define HEAD		64	/* bytes of an overwritten chunk kept */
#define NONE		UINT32_MAX

/* A payload chunk found overwritten while its packet was checked. */
struct overwrite {
	uint32_t chunk, n;	/* as in struct delivery */
	uint32_t len;
	uint8_t head[HEAD];	/* its first len bytes, after the check */
};

/* One socket and its thread. */
struct side {
	int q;
	struct xsk_raw x;
	struct post_log log;	/* of x.dfq */
	struct rxcheck rc;
	uint32_t rx_n[NCHUNKS];	/* RX descriptors of each chunk on this queue */
	uint16_t held[NCHUNKS];	/* of those, in the round being taken */
	struct delivery *dl;
	struct overwrite *ow;
	size_t ndl, dl_cap, nov, ow_cap;
	uint32_t recent[RECENT], nrecent;
	uint64_t rng;
	/* seen */
	uint64_t pkts, rx_chunks, returned, payload_bytes, overwritten, unlent_rx;
	uint64_t again, again_here;	/* RX descriptors of a chunk held (here) */
	bool gone;
	pthread_t thread;
};

static struct side sd[2];
static struct udmabuf ub;
static struct chunk ch[NCHUNKS];
static uint32_t freeq[NCHUNKS], free_head, free_tail;
static uint32_t lent_now, per_lend = 3;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER, vlock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t violations;
static char first_violation[240];
static volatile bool stop, starve;

static uint64_t rnd(struct side *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static void *grow(void *p, size_t *cap, size_t size)
{
	*cap = *cap ? *cap * 2 : 1 << 16;
	p = realloc(p, *cap * size);
	if (!p) {
		perror("dmabuf_owner: realloc");
		exit(1);
	}
	return p;
}

/* A broken promise of the kernel. */
static void __attribute__((format(printf, 1, 2))) violation(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vlock);
	if (!violations++) {
		va_start(ap, fmt);
		vsnprintf(first_violation, sizeof(first_violation), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&vlock);
}

/* --- The shared pool of chunks (under lock) ------------------------------- */

static void free_push(uint32_t c)
{
	if (ch[c].listed || ch[c].lent || ch[c].holds)
		return;
	ch[c].listed = true;
	freeq[free_tail++ % NCHUNKS] = c;
}

/* A chunk user space owns and nobody holds; entries left behind by a
 * chunk that was delivered again after it was listed are skipped. */
static bool free_pop(uint32_t *c)
{
	while (free_head != free_tail) {
		*c = freeq[free_head++ % NCHUNKS];
		ch[*c].listed = false;
		if (!ch[*c].lent && !ch[*c].holds)
			return true;
	}
	return false;
}

static void post(struct side *on, uint64_t off, enum kind k)
{
	struct post_log *l = &on->log;

	if (l->n == l->cap)
		l->kind = grow(l->kind, &l->cap, 1);
	l->kind[l->n++] = k;
	l->posted[k]++;
	xring_prod_push(&on->x.dfq, off);
}

static void post_chunk(struct side *on, uint32_t c, enum kind k)
{
	ch[c].posts++;
	post(on, (uint64_t)c * FRAME, k);
}

static uint64_t invalid_offset(struct side *s)
{
	if (rnd(s) % 2)		/* past the area */
		return AREA + rnd(s) % 64 * FRAME;
	return rnd(s) % NCHUNKS * FRAME + 1 + rnd(s) % (FRAME - 1);	/* inside a chunk */
}

/* Lend chunk c on side s, with the entries of kinds (a), (b) and (d). */
static void lend_one(struct side *s, uint32_t c)
{
	struct side *o = &sd[!s->q];

	post_chunk(s, c, LEND);
	ch[c].lent = true;
	lent_now++;
	s->recent[s->nrecent++ % RECENT] = c;
	if (rnd(s) % 2 == 0)
		post_chunk(s, c, DUP);
	if (rnd(s) % 4 == 0 && xring_prod_free(&o->x.dfq) > DRING / 4)
		post_chunk(o, c, BOTH);
	for (uint32_t k = 0; k < per_lend; k++) {
		uint32_t r = s->recent[rnd(s) % RECENT];

		if (ch[r].lent && !ch[r].holds)
			post_chunk(s, r, LENT);
	}
	if (rnd(s) % 16 == 0)
		post(s, invalid_offset(s), INVALID);
}

static void lend(struct side *s)
{
	uint32_t c;

	while (lent_now < LEND_CAP && DRING - xring_prod_free(&s->x.dfq) < UNREAD &&
	       free_pop(&c))
		lend_one(s, c);
}

/* Chunk c came back from the kernel on side s: on its RX ring (rx) or its
 * dmabuf completion ring. */
static void deliver(struct side *s, uint32_t c, bool rx)
{
	struct chunk *k = &ch[c];

	k->deliveries++;
	if (k->deliveries > k->posts)
		violation("queue %d: chunk %u delivered %u times (%s), posted %u times",
			  s->q, c, k->deliveries, rx ? "RX" : "completion", k->posts);
	if (k->lent) {
		k->lent = false;
		lent_now--;
	} else if (rx) {
		s->unlent_rx++;
	}
	if (rx)
		s->again += !!k->holds++;	/* a descriptor of it not released yet */
	else
		free_push(c);
}

/* --- Receiving --------------------------------------------------------------- */

struct round {
	uint32_t used, npkt;
	uint32_t first[BATCH + 1];		/* descriptors of packet i: first[i]..first[i+1] */
	uint32_t n[BATCH * MAX_SEGS];		/* of each payload descriptor, as delivery.n; 0: host */
};

static const struct xdp_desc *desc(struct side *s, uint32_t i)
{
	return xring_rx_desc(&s->x.rx, i);
}

/* Whole packets on the RX ring, at most BATCH. */
static void gather(struct side *s, struct round *r)
{
	uint32_t avail = xring_cons_avail(&s->x.rx), end;

	r->used = r->npkt = 0;
	while (r->npkt < BATCH && r->used < avail) {
		for (end = r->used; end < avail && desc(s, end)->options & XDP_PKT_CONTD; end++)
			;
		if (end == avail)
			break;		/* the chain's end is not published yet */
		if (end - r->used >= MAX_SEGS) {
			violation("queue %d: chain of %u descriptors", s->q, end - r->used + 1);
			stop = true;
			break;
		}
		r->first[r->npkt++] = r->used;
		r->used = end + 1;
	}
	r->first[r->npkt] = r->used;
}

/* Take the round's payload chunks back into user space's hands; false if
 * a descriptor must not be read. Under lock. */
static bool take(struct side *s, struct round *r)
{
	bool ok = true;

	s->pkts += r->npkt;
	for (uint32_t i = 0; i < r->used; i++) {
		const struct xdp_desc *d = desc(s, i);
		uint64_t c = d->addr / FRAME;

		r->n[i] = 0;
		if (!(d->options & XDP_DESC_DMABUF)) {
			if (d->addr + d->len > (uint64_t)NFRAMES * FRAME) {
				violation("queue %d: host descriptor %llu+%u outside the UMEM", s->q,
					  (unsigned long long)d->addr, d->len);
				ok = false;
			}
			continue;
		}
		if (d->addr % FRAME || c >= NCHUNKS || !d->len || d->len > FRAME) {
			violation("queue %d: payload descriptor %llu+%u is no chunk", s->q,
				  (unsigned long long)d->addr, d->len);
			ok = false;
			continue;
		}
		deliver(s, c, true);
		r->n[i] = ++s->rx_n[c];
		s->again_here += !!s->held[c]++;
		s->rx_chunks++;
		s->payload_bytes += d->len;
	}
	return ok;
}

/* Note what payload descriptor i of a packet of datagram seq held, at
 * payload offset off, and keep the head of the chunk if it was found
 * overwritten. */
static void note(struct side *s, struct round *r, uint32_t i, uint32_t seq, uint32_t plen,
		 uint32_t off, bool overwritten)
{
	const struct xdp_desc *d = desc(s, i);

	if (s->ndl == s->dl_cap)
		s->dl = grow(s->dl, &s->dl_cap, sizeof(*s->dl));
	s->dl[s->ndl++] = (struct delivery){
		.chunk = d->addr / FRAME, .n = r->n[i], .seq = seq, .plen = plen,
		.off = off, .len = d->len,
	};
	if (!overwritten)
		return;
	if (s->nov == s->ow_cap)
		s->ow = grow(s->ow, &s->ow_cap, sizeof(*s->ow));

	struct overwrite *o = &s->ow[s->nov++];

	o->chunk = d->addr / FRAME;
	o->n = r->n[i];
	o->len = d->len < HEAD ? d->len : HEAD;
	memcpy(o->head, ub.map + d->addr, o->len);
}

/* Check packet p of the round: host segments (headers and the pattern
 * header), then payload chunks. */
static void check_packet(struct side *s, struct round *r, uint32_t p)
{
	uint32_t first = r->first[p], n = r->first[p + 1] - first, seq = 0, plen = 0;
	uint32_t off = PATTERN_HDR_LEN, nhost = 0;
	struct iovec seg[MAX_SEGS];
	uint64_t bad;

	for (uint32_t k = 0; k < n; k++) {
		const struct xdp_desc *d = desc(s, first + k);

		if (d->options & XDP_DESC_DMABUF) {
			seg[k] = (struct iovec){ ub.map + d->addr, d->len };
			for (uint32_t j = nhost; j < k; j++)
				if (seg[j].iov_base == seg[k].iov_base)
					violation("queue %d: chunk %llu twice in one packet", s->q,
						  (unsigned long long)d->addr / FRAME);
		} else {
			if (nhost++ != k)
				violation("queue %d: host descriptor after payload", s->q);
			/* The host UMEM is socket 0's, for both. */
			seg[k] = (struct iovec){ sd[0].x.umem + d->addr, d->len };
		}
	}
	/* Split at l4+12: the host part ends with the pattern header. */
	if (nhost && nhost < n && seg[nhost - 1].iov_len >= PATTERN_HDR_LEN)
		pattern_parse((uint8_t *)seg[nhost - 1].iov_base + seg[nhost - 1].iov_len -
			      PATTERN_HDR_LEN, PATTERN_HDR_LEN, &seq, &plen);
	if (!rxcheck_frame_segs(&s->rc, seg, n, &bad) && bad)
		s->overwritten++;
	for (uint32_t k = 0; k < n; k++) {
		bool hit = bad & 1ull << (k < 63 ? k : 63);

		if (k < nhost) {
			if (hit)
				violation("queue %d: host memory of a packet overwritten", s->q);
			continue;
		}
		note(s, r, first + k, seq, plen, off, hit);
		off += seg[k].iov_len;
	}
}

/* After the checks: post (c) entries for some of the round's chunks,
 * release them and lend; under lock. */
static void settle(struct side *s, struct round *r)
{
	for (uint32_t i = 0; i < r->used; i++) {
		uint32_t c = desc(s, i)->addr / FRAME;

		if (!r->n[i])
			continue;
		if (rnd(s) % 8 == 0 && xring_prod_free(&s->x.dfq) > DRING / 4)
			post_chunk(s, c, HELD);
		ch[c].holds--;
		s->held[c]--;
		free_push(c);
	}
	lend(s);
}

/* One round: returns the number of packets taken. */
static uint32_t receive(struct side *s)
{
	struct round r;
	bool ok;

	gather(s, &r);
	if (!r.npkt)
		return 0;
	pthread_mutex_lock(&lock);
	ok = take(s, &r);
	pthread_mutex_unlock(&lock);
	if (!ok)
		stop = true;
	for (uint32_t p = 0; ok && p < r.npkt; p++)
		check_packet(s, &r, p);
	pthread_mutex_lock(&lock);
	settle(s, &r);
	pthread_mutex_unlock(&lock);
	/* Once starved of host chunks, the kernel keeps the payload chunks it
	 * took for the packets it drops: they come back on the completion
	 * ring when the device goes. */
	for (uint32_t i = 0; !starve && i < r.used; i++)
		if (!(desc(s, i)->options & XDP_DESC_DMABUF))
			xring_prod_push(&s->x.fq, desc(s, i)->addr & ~(uint64_t)(FRAME - 1));
	xring_cons_release(&s->x.rx, r.used);
	return r.npkt;
}

/* A side's thread: receive until the device is gone and the RX ring is
 * drained. */
static void *run(void *arg)
{
	struct side *s = arg;
	struct pollfd pfd = { s->x.fd, POLLIN, 0 };

	while (!stop) {
		if (receive(s))
			continue;
		if (__atomic_load_n(&s->gone, __ATOMIC_ACQUIRE))
			break;
		if (poll(&pfd, 1, 100) >= 0 && xsk_raw_gone(&s->x))
			__atomic_store_n(&s->gone, true, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Packets the kernel dropped on @s's queue (XDP_STATISTICS rx_dropped). */
static uint64_t rx_dropped(struct side *s)
{
	struct xdp_statistics st;

	return xsk_raw_stats(&s->x, &st) ? 0 : st.rx_dropped;
}

/* Chunks the pool held when the device went; after the threads ended. */
static void completions(struct side *s)
{
	uint32_t n = xring_cons_avail(&s->x.dcq);

	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = xring_addr(&s->x.dcq, i);

		if (a % FRAME || a / FRAME >= NCHUNKS) {
			violation("queue %d: completion ring returned %llu, no chunk", s->q,
				  (unsigned long long)a);
			continue;
		}
		deliver(s, a / FRAME, false);
		s->returned++;
	}
	xring_cons_release(&s->x.dcq, n);
}

/* Count the entries the kernel has read by now, by kind; under lock. */
static uint64_t count_read(void)
{
	uint64_t attack = 0;

	for (int q = 0; q < 2; q++) {
		struct post_log *l = &sd[q].log;
		uint32_t cons = __atomic_load_n(sd[q].x.dfq.consumer, __ATOMIC_ACQUIRE);

		for (; l->counted != cons && l->counted < l->n; l->counted++)
			l->read[l->kind[l->counted]]++;
		attack += l->read[DUP] + l->read[LENT] + l->read[BOTH];
	}
	return attack;
}

/* --- Set-up ---------------------------------------------------------------- */

static int setup(const char *ifname)
{
	const char *pin = getenv("XSK_STEER_PIN_DIR");
	char path[512];
	int err, map;

	err = xsk_raw_socket(&sd[0].x) ?:
	      xsk_raw_umem_reg(&sd[0].x, NFRAMES, FRAME) ?:
	      xsk_raw_dmabuf_reg(&sd[0].x, ub.fd, 0, AREA, FRAME) ?:
	      xsk_raw_rings(&sd[0].x, RING, DRING, true) ?:
	      xsk_raw_mmap(&sd[0].x, true, true) ?:
	      xsk_raw_bind(&sd[0].x, ifname, 0, XDP_USE_SG, -1) ?:
	      xsk_raw_socket(&sd[1].x) ?:
	      xsk_raw_rings(&sd[1].x, RING, DRING, true) ?:
	      xsk_raw_mmap(&sd[1].x, true, true) ?:
	      xsk_raw_bind(&sd[1].x, ifname, 1, 0, sd[0].x.fd);
	if (err) {
		printf("FAIL set-up of the sockets on %s: %s\n", ifname, strerror(-err));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/steer_xsks", pin ? pin : "/sys/fs/bpf/xsk-devmem");
	map = bpf_obj_get(path);
	for (uint32_t q = 0; q < 2; q++) {
		if (map < 0 || bpf_map_update_elem(map, &q, &sd[q].x.fd, 0)) {
			printf("FAIL XSKMAP %s: %s\n", path, strerror(errno));
			return -1;
		}
		/* Host frames: the first half to socket 0, the second to 1. */
		for (uint32_t k = 0; k < RING; k++)
			xring_prod_push(&sd[q].x.fq, (uint64_t)(q * NFRAMES / 2 + k) * FRAME);
	}
	return 0;
}

/* --- The verdict ----------------------------------------------------------- */

static void print_kinds(const char *what, const uint64_t *n)
{
	printf("  %-22s", what);
	for (int k = 0; k < NKINDS; k++)
		printf(" %s %llu%s", kind_name[k], (unsigned long long)n[k], k + 1 < NKINDS ? "," : "\n");
}

/* fill_invalid_descs = I + V - A for one socket; *inv, *exp for the total. */
static void account(struct side *s, uint64_t *inv, uint64_t *exp)
{
	struct post_log *l = &s->log;
	struct xdp_dmabuf_statistics ds;
	uint64_t valid = 0, accepted = s->rx_chunks + s->returned, want;

	CHECK(!xsk_raw_dmabuf_stats(&s->x, &ds), "queue %d: XDP_DMABUF_STATISTICS", s->q);
	for (int k = 0; k < INVALID; k++)
		valid += l->read[k];
	want = l->read[INVALID] + valid - accepted;
	printf("queue %d: %llu packets, %u fill entries posted, %u read by the kernel\n",
	       s->q, (unsigned long long)s->pkts, l->n, l->counted);
	print_kinds("posted:", l->posted);
	print_kinds("read by the kernel:", l->read);
	printf("  accepted A %llu = %llu RX descriptors + %llu completions; of the RX descriptors %llu for a chunk not lent, %llu for one still held (%llu in the same RX batch)\n",
	       (unsigned long long)accepted, (unsigned long long)s->rx_chunks,
	       (unsigned long long)s->returned, (unsigned long long)s->unlent_rx,
	       (unsigned long long)s->again, (unsigned long long)s->again_here);
	printf("  rejected (fill_invalid_descs) %llu, want I + V - A = %llu + %llu - %llu = %llu\n",
	       (unsigned long long)ds.fill_invalid_descs, (unsigned long long)l->read[INVALID],
	       (unsigned long long)valid, (unsigned long long)accepted, (unsigned long long)want);
	CHECK(ds.fill_invalid_descs == want, "queue %d: kernel rejected %llu fill entries, want %llu",
	      s->q, (unsigned long long)ds.fill_invalid_descs, (unsigned long long)want);
	CHECK(ds.split_packets == s->pkts && !ds.whole_packets,
	      "queue %d: kernel counted %llu split and %llu whole packets, %llu seen", s->q,
	      (unsigned long long)ds.split_packets, (unsigned long long)ds.whole_packets,
	      (unsigned long long)s->pkts);
	CHECK(ds.cpu_copied_bytes == s->payload_bytes,
	      "queue %d: kernel copied %llu payload bytes, %llu seen", s->q,
	      (unsigned long long)ds.cpu_copied_bytes, (unsigned long long)s->payload_bytes);
	CHECK(s->pkts, "queue %d got no packet", s->q);
	CHECK(s->returned, "queue %d: no chunk came back on the completion ring", s->q);
	*inv += ds.fill_invalid_descs;
	*exp += want;
}

/* Link each chunk's deliveries, on both queues. */
static uint32_t *link_deliveries(void)
{
	uint32_t *head = malloc(NCHUNKS * sizeof(*head));

	if (!head)
		return NULL;
	memset(head, 0xff, NCHUNKS * sizeof(*head));
	for (int q = 0; q < 2; q++)
		for (size_t i = 0; i < sd[q].ndl; i++) {
			struct delivery *d = &sd[q].dl[i];

			d->next = head[d->chunk];
			head[d->chunk] = (uint32_t)(q << 31 | i);
		}
	return head;
}

/* Byte j of the chunk, as written by the delivery idx (queue in bit 31). */
static bool wrote(uint32_t idx, uint32_t j, uint8_t b)
{
	const struct delivery *d = &sd[idx >> 31].dl[idx & ~(1u << 31)];

	return j < d->len && b == pattern_byte(d->seq, d->plen, d->off + j);
}

/* Every byte of the overwritten chunk's head was written there by one of
 * its deliveries not known to come before: on the other queue, or on
 * queue q from the overwritten one on. */
static bool explained(const uint32_t *head, int q, const struct overwrite *o)
{
	for (uint32_t j = 0; j < o->len; j++) {
		uint32_t idx = head[o->chunk];

		for (; idx != NONE; idx = sd[idx >> 31].dl[idx & ~(1u << 31)].next) {
			const struct delivery *d = &sd[idx >> 31].dl[idx & ~(1u << 31)];

			if ((int)(idx >> 31) == q && d->n < o->n)
				continue;
			if (wrote(idx, j, o->head[j]))
				break;
		}
		if (idx == NONE)
			return false;
	}
	return true;
}

static void overwrites(void)
{
	uint32_t *head = link_deliveries();
	size_t bad = 0;

	CHECK_RET(head, "out of memory");
	for (int q = 0; q < 2; q++)
		for (size_t i = 0; i < sd[q].nov; i++) {
			const struct overwrite *o = &sd[q].ow[i];

			if (explained(head, q, o))
				continue;
			if (!bad++)
				printf("FAIL queue %d: chunk %u overwritten after its delivery %u there, by no delivery of it\n",
				       q, o->chunk, o->n);
		}
	free(head);
	printf("packets with a payload chunk overwritten by another delivery of it: %llu + %llu (%zu + %zu chunks, %zu unexplained)\n",
	       (unsigned long long)sd[0].overwritten, (unsigned long long)sd[1].overwritten,
	       sd[0].nov, sd[1].nov, bad);
	CHECK(!bad, "%zu overwritten chunks hold what no delivery of them wrote", bad);
}

static void datagrams(void)
{
	uint64_t both = 0;

	for (int q = 0; q < 2; q++) {
		const struct rxcheck *rc = &sd[q].rc;

		printf("queue %d: %llu datagrams intact, %llu bad, %llu duplicate%s%s\n", q,
		       (unsigned long long)rc->good, (unsigned long long)rc->bad,
		       (unsigned long long)rc->dup, rc->first_error[0] ? "; first error: " : "",
		       rc->first_error);
		CHECK(!rc->bad && !rc->dup, "queue %d: datagrams bad or duplicate", q);
	}
	for (uint32_t i = 0; i < sd[0].rc.count / 8 + 1; i++)
		both += __builtin_popcount(sd[0].rc.seen[i] & sd[1].rc.seen[i]);
	CHECK(!both, "%llu datagrams arrived on both queues", (unsigned long long)both);
}

/* Every chunk of the area is user space's again: "user N kernel 0". */
static void area_owners(void)
{
	FILE *f = fopen(AREAS, "r");
	char line[512], *sp;
	int found = 0;

	CHECK_RET(f, "%s: %s", AREAS, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		long long size = -1, chunks = -1, user = -1, kernel = -1, inflight = 0;

		printf("area: %s", line);
		for (char *k = strtok_r(line, " \n", &sp), *v; k && (v = strtok_r(NULL, " \n", &sp));
		     k = strtok_r(NULL, " \n", &sp)) {
			long long n = atoll(v);

			size = strcmp(k, "size") ? size : n;
			chunks = strcmp(k, "chunks") ? chunks : n;
			user = strcmp(k, "user") ? user : n;
			kernel = strcmp(k, "kernel") ? kernel : n;
			inflight = strcmp(k, "inflight") ? inflight : n;
		}
		if (size != AREA || chunks != NCHUNKS)
			continue;
		found++;
		CHECK(user == chunks && !kernel && !inflight,
		      "area: %lld of %lld chunks with user space, %lld with the kernel, %lld in flight",
		      user, chunks, kernel, inflight);
	}
	fclose(f);
	CHECK(found == 1, "%d areas of %u chunks in %s, want 1", found, NCHUNKS, AREAS);
}

static void verdict(uint64_t target)
{
	uint64_t inv = 0, exp = 0, attack = count_read();

	for (int q = 0; q < 2; q++)
		account(&sd[q], &inv, &exp);
	printf("total: rejected %llu, want %llu; accepted %llu = %llu RX descriptors + %llu completions\n",
	       (unsigned long long)inv, (unsigned long long)exp,
	       (unsigned long long)(sd[0].rx_chunks + sd[1].rx_chunks + sd[0].returned + sd[1].returned),
	       (unsigned long long)(sd[0].rx_chunks + sd[1].rx_chunks),
	       (unsigned long long)(sd[0].returned + sd[1].returned));
	printf("entries of kinds (a), (b), (d) read by the kernel: %llu (target %llu)\n",
	       (unsigned long long)attack, (unsigned long long)target);
	CHECK(inv == exp, "kernel rejected %llu fill entries in total, want %llu",
	      (unsigned long long)inv, (unsigned long long)exp);
	CHECK(attack >= target, "only %llu entries of kinds (a), (b), (d) read",
	      (unsigned long long)attack);
	printf("chunk deliveries beyond its posts, and other broken promises: %llu%s%s\n",
	       (unsigned long long)violations, violations ? "; first: " : "", first_violation);
	CHECK(!violations, "%s", first_violation);
	overwrites();
	datagrams();
	area_owners();
}

static void usage(void)
{
	fprintf(stderr, "usage: dmabuf_owner IFACE PORT [--target N] [--count N] [--per-lend N] [-t TIMEOUT_S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "per-lend", required_argument, NULL, 'b' },
		{ 0 }
	};
	unsigned long target = 200000, count = 1u << 24, timeout = 240;
	bool announced = false, starved = false;
	uint64_t dropped[2] = { 0 };
	double t0, end;
	int c;

	while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
		switch (c) {
		case 'n': target = strtoul(optarg, NULL, 0); break;
		case 'c': count = strtoul(optarg, NULL, 0); break;
		case 'b': per_lend = strtoul(optarg, NULL, 0); break;
		case 't': timeout = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (argc - optind != 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int q = 0; q < 2; q++) {
		sd[q].q = q;
		sd[q].rng = 0x9e3779b97f4a7c15ull * (q + 1);
		if (rxcheck_init(&sd[q].rc, count, atoi(argv[optind + 1])))
			return 1;
	}
	if (udmabuf_create(&ub, AREA) || setup(argv[optind]))
		return 1;
	for (uint32_t k = 0; k < NCHUNKS; k++)
		free_push(k);
	lend(&sd[0]);
	lend(&sd[1]);
	printf("dmabuf_owner: ready, sockets on queues 0 and 1 sharing one UMEM, %u chunks, target %lu\n",
	       NCHUNKS, target);

	t0 = mono_now();
	end = t0 + timeout;
	for (int q = 0; q < 2; q++)
		pthread_create(&sd[q].thread, NULL, run, &sd[q]);
	while (!stop && !(__atomic_load_n(&sd[0].gone, __ATOMIC_ACQUIRE) &&
			  __atomic_load_n(&sd[1].gone, __ATOMIC_ACQUIRE))) {
		poll(NULL, 0, 500);
		pthread_mutex_lock(&lock);
		uint64_t attack = count_read(), pkts[2] = { sd[0].pkts, sd[1].pkts };

		pthread_mutex_unlock(&lock);
		if (!announced && attack >= target) {
			printf("dmabuf_owner: target reached after %.0f s: %llu + %llu packets\n",
			       mono_now() - t0, (unsigned long long)pkts[0],
			       (unsigned long long)pkts[1]);
			announced = true;
			starve = true;
			for (int q = 0; q < 2; q++)
				dropped[q] = rx_dropped(&sd[q]);
		}
		/* The first packet a pool drops for want of a host chunk
		 * leaves the payload chunks it took in the pool's cache: from
		 * then on the device's removal has chunks to return. */
		if (announced && !starved && rx_dropped(&sd[0]) > dropped[0] &&
		    rx_dropped(&sd[1]) > dropped[1]) {
			printf("dmabuf_owner: both queues out of host chunks after %.0f s\n",
			       mono_now() - t0);
			starved = true;
		}
		if (mono_now() > end) {
			printf("FAIL device still there after %lu s\n", timeout);
			stop = true;
			check_failures++;
		}
	}
	for (int q = 0; q < 2; q++)
		pthread_join(sd[q].thread, NULL);
	printf("dmabuf_owner: device gone after %.0f s\n", mono_now() - t0);
	for (int q = 0; q < 2; q++)
		completions(&sd[q]);
	verdict(target);

	for (int q = 0; q < 2; q++) {
		xsk_raw_close(&sd[q].x);
		rxcheck_free(&sd[q].rc);
	}
	udmabuf_destroy(&ub);
	return check_report("dmabuf_owner");
}
