/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xsk_devmem_ring.h - the user-space half of an AF_XDP ring: the one place
 * in xsk-devmem that reads and writes ring indices. The library
 * (xsk_devmem.c), its unit tests and its benchmark all use these helpers;
 * nothing else touches a producer or consumer index.
 *
 * A ring is a power-of-two array shared with the kernel plus two free
 * running u32 indices, producer and consumer, each written by one side
 * only. Each side keeps a private copy of both (cached_prod, cached_cons):
 * it advances its own index privately while it works on a batch and
 * publishes it once per batch, and it re-reads the other side's index only
 * when its cached view runs out. One load and one store of shared memory
 * per batch, not per entry.
 *
 * Memory ordering, the same argument as net/xdp/xsk_queue.h makes for the
 * kernel side (which pairs with this one):
 *
 *   producer                         consumer
 *   --------                         --------
 *   load consumer  (acquire)   (A)   load producer  (acquire)   (C)
 *   write entries                    read entries
 *   store producer (release)   (B)   store consumer (release)   (D)
 *
 * (B) pairs with (C): a consumer that sees the new producer index sees the
 * entries written before it. (D) pairs with (A): a producer that sees the
 * new consumer index knows the consumer has finished reading the entries it
 * is about to overwrite. Both are C11 atomics, so the thread sanitizer
 * checks the argument in the two-thread unit test.
 *
 * These are inline and take no locks: one thread per side of a ring.
 */
#ifndef XSK_DEVMEM_RING_H
#define XSK_DEVMEM_RING_H

#include <stdbool.h>
#include <sched.h>
#include <linux/types.h>

/* struct xdp_desc, as in <linux/if_xdp.h>, without needing that header. */
struct xdm_desc {
	__u64 addr;
	__u32 len;
	__u32 options;
};

struct xdm_ring {
	__u32 cached_prod;	/* producer index as this side last saw it */
	__u32 cached_cons;	/* consumer index (+ size for a producer) */
	__u32 mask;		/* size - 1 */
	__u32 size;
	__u32 *producer;	/* shared */
	__u32 *consumer;	/* shared */
	__u32 *flags;		/* shared: XDP_RING_NEED_WAKEUP */
	void *ring;		/* shared: the entries */
};

/*
 * Attach to a ring of size entries (a power of two) whose indices and
 * entries live at the given shared addresses. A producer starts with the
 * whole ring free, a consumer with nothing to read.
 */
static inline void xdm_ring_init_cons(struct xdm_ring *r, __u32 size, __u32 *producer,
				      __u32 *consumer, __u32 *flags, void *ring)
{
	r->size = size;
	r->mask = size - 1;
	r->producer = producer;
	r->consumer = consumer;
	r->flags = flags;
	r->ring = ring;
	r->cached_prod = __atomic_load_n(producer, __ATOMIC_RELAXED);
	r->cached_cons = __atomic_load_n(consumer, __ATOMIC_RELAXED);
}

/* A producer keeps cached_cons one ring ahead: free = cached_cons - cached_prod. */
static inline void xdm_ring_init_prod(struct xdm_ring *r, __u32 size, __u32 *producer,
				      __u32 *consumer, __u32 *flags, void *ring)
{
	xdm_ring_init_cons(r, size, producer, consumer, flags, ring);
	r->cached_cons += size;
}

/* --- producer side: reserve, write, submit ------------------------------ */

/* Free entries, re-reading the consumer index (A) only when fewer than nb. */
static inline __u32 xdm_prod_nb_free(struct xdm_ring *r, __u32 nb)
{
	__u32 free_entries = r->cached_cons - r->cached_prod;

	if (free_entries >= nb)
		return free_entries;
	r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE) + r->size;
	return r->cached_cons - r->cached_prod;
}

/*
 * The same for a fill ring that user space gives received buffers back on.
 * The kernel publishes RX descriptors a moment before the fill ring
 * consumer index that freed their buffers (xsk_flush() submits the RX ring,
 * then releases the fill rings), so a socket that owns exactly as many
 * buffers as its fill ring has entries, as ours do, can find the ring full
 * for that moment when it hands a just-received buffer back. Re-read a
 * bounded number of times, yielding the CPU in between, so that the moment
 * passes; a ring that stays full is full. Only a full ring pays for this.
 */
#define XDM_FULL_RETRIES	16

static inline __u32 xdm_fill_nb_free(struct xdm_ring *r, __u32 nb)
{
	__u32 free_entries = xdm_prod_nb_free(r, nb);

	for (int i = 0; free_entries < nb && i < XDM_FULL_RETRIES; i++) {
		sched_yield();
		free_entries = xdm_prod_nb_free(r, nb);
	}
	return free_entries;
}

/* Reserve exactly nb entries or none; *idx is the first. */
static inline __u32 xdm_prod_reserve(struct xdm_ring *r, __u32 nb, __u32 *idx)
{
	if (xdm_prod_nb_free(r, nb) < nb)
		return 0;
	*idx = r->cached_prod;
	r->cached_prod += nb;
	return nb;
}

static inline __u64 *xdm_prod_addr(struct xdm_ring *r, __u32 idx)
{
	return &((__u64 *)r->ring)[idx & r->mask];
}

static inline struct xdm_desc *xdm_prod_desc(struct xdm_ring *r, __u32 idx)
{
	return &((struct xdm_desc *)r->ring)[idx & r->mask];
}

/* Publish every reserved entry (B). */
static inline void xdm_prod_submit(struct xdm_ring *r)
{
	__atomic_store_n(r->producer, r->cached_prod, __ATOMIC_RELEASE);
}

/*
 * Writing ahead, for a batch whose size is known only once written: entries
 * from xdm_prod_next() on that xdm_prod_nb_free() said are free may be
 * written before they are reserved. The consumer sees none of them until
 * xdm_prod_submit_n() reserves the first nb and publishes them (B);
 * entries written and never submitted are simply overwritten later.
 */
static inline __u32 xdm_prod_next(const struct xdm_ring *r)
{
	return r->cached_prod;
}

static inline void xdm_prod_submit_n(struct xdm_ring *r, __u32 nb)
{
	r->cached_prod += nb;
	xdm_prod_submit(r);
}

static inline bool xdm_prod_needs_wakeup(const struct xdm_ring *r)
{
	return r->flags && (__atomic_load_n(r->flags, __ATOMIC_RELAXED) & 1u);
}

/* --- consumer side: peek, read, release ---------------------------------- */

/*
 * Entries ready, at most nb; re-reads the producer index (C) only when
 * fewer than nb are cached (so a consumer waiting for the end of a chain
 * it has begun sees it arrive).
 */
static inline __u32 xdm_cons_nb_avail(struct xdm_ring *r, __u32 nb)
{
	__u32 entries = r->cached_prod - r->cached_cons;

	if (entries < nb) {
		r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
		entries = r->cached_prod - r->cached_cons;
	}
	return entries > nb ? nb : entries;
}

/* Take up to nb entries; *idx is the first. */
static inline __u32 xdm_cons_peek(struct xdm_ring *r, __u32 nb, __u32 *idx)
{
	__u32 entries = xdm_cons_nb_avail(r, nb);

	if (entries) {
		*idx = r->cached_cons;
		r->cached_cons += entries;
	}
	return entries;
}

/* Give back the last nb entries taken and not yet released. */
static inline void xdm_cons_cancel(struct xdm_ring *r, __u32 nb)
{
	r->cached_cons -= nb;
}

static inline const struct xdm_desc *xdm_cons_desc(const struct xdm_ring *r, __u32 idx)
{
	return &((const struct xdm_desc *)r->ring)[idx & r->mask];
}

static inline __u64 xdm_cons_addr(const struct xdm_ring *r, __u32 idx)
{
	return ((const __u64 *)r->ring)[idx & r->mask];
}

/* Hand every entry taken so far back to the producer (D). */
static inline void xdm_cons_release(struct xdm_ring *r)
{
	__atomic_store_n(r->consumer, r->cached_cons, __ATOMIC_RELEASE);
}

/*
 * A consumer that holds entries it took (reads them again later) publishes
 * less than it took: the first entry it has not handed back yet (its own
 * index: only this side writes it), and handing back those before idx (D).
 */
static inline __u32 xdm_cons_released(const struct xdm_ring *r)
{
	return __atomic_load_n(r->consumer, __ATOMIC_RELAXED);
}

static inline void xdm_cons_release_to(struct xdm_ring *r, __u32 idx)
{
	__atomic_store_n(r->consumer, idx, __ATOMIC_RELEASE);
}

#endif /* XSK_DEVMEM_RING_H */
