// SPDX-License-Identifier: MIT
/*
 * sim IOMMU translation caches (IOTLB and device TLB).
 *
 * Layout: nsets x ways entries; a set is chosen by hashing (domain, PASID, page base, page
 * size). Writers (inserts, page-selective flushes) take the set's spinlock; readers take none:
 * every entry carries a version word (a per-entry seqlock: odd while a writer changes it), and
 * a lookup reads an entry's fields between two reads of its version. Steady-state hits write
 * nothing shared: the LRU stamp is stored only when it changes (see iotlb_touch()).
 *
 * Validity is a matter of generations: every entry records the sum of the global generation,
 * its domain's generation and its (domain, PASID)'s generation(s) as they were when its walk
 * began; a flush of a wider granularity bumps one counter and every entry it covers stops
 * matching. Generations only increase, so the sum matches iff every one of them does: one
 * comparison. The per-domain and per-(domain, PASID) counters live in small hashed, 4-way
 * tables of "tags"; a tag taken from another owner has its generation bumped first, so the old
 * owner's entries die with it (never resurrect).
 *
 * Every flush, and every tag taken from an owner, also bumps the cache's epoch: a caller that
 * keeps a copy of an entry (sim_iotlb_lookup_ref()) revalidates it with two loads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommu/iotlb.h"

#define TAG_WAYS 4u
#define NSHIFTS 3

/* Probe order: the largest page first, so one probe answers for a huge mapping. */
static const uint8_t iotlb_shifts[NSHIFTS] = { SIM_IOTLB_SHIFT_1G, SIM_IOTLB_SHIFT_2M,
					       SIM_IOTLB_SHIFT_4K };

/* iotlb_way.attr */
#define ATTR_USED 0x100u
#define ATTR_GLOBAL 0x200u
#define ATTR_PERM(a) ((a)&0xfu)
#define ATTR_SHIFT(a) ((a) >> 16 & 0xffu)

/*
 * One entry. Fields other than ver and stamp change only under the set lock, between the two
 * increments of ver; lock-free readers load them with relaxed atomics (iotlb_rd()) and retry
 * if ver moved. 80 bytes.
 */
struct iotlb_way {
	_Atomic uint64_t ver; /* odd: a writer is changing the entry */
	uint64_t key; /* page base | shift */
	uint64_t tag; /* domain << 32 | pasid */
	uint64_t gsum; /* sum of the generations the entry was filled under */
	uint64_t out, opaque;
	uint32_t pslot, dslot;
	uint32_t attr; /* ATTR_USED | ATTR_GLOBAL | perm | shift << 16 */
	_Atomic uint32_t stamp; /* the set's insert clock at the last use, for LRU */
};

/*
 * Writer-side counters sit with the lock they are updated under. hits and misses are counted
 * by lock-free readers: relaxed atomics, on the set's own line.
 */
struct iotlb_set {
	pthread_spinlock_t lock;
	_Atomic uint32_t clock; /* advanced by inserts only */
	uint64_t inserts, evictions, fills_dropped, range_dropped, scanned;
	_Atomic uint64_t hits, misses;
} __attribute__((aligned(64)));

/*
 * A generation tag. owner/used/stamp change only under tag_lock; the generations are atomics
 * because lookups and inserts read them under set locks only.
 */
struct iotlb_tag {
	uint64_t owner;
	uint64_t stamp;
	bool used;
	/* Bumped by flushes that drop everything of the owner, and on a change of owner. */
	_Atomic uint64_t gen_all;
	/* Bumped by PASID flushes that spare global entries. */
	_Atomic uint64_t gen_ng;
	/* Bumped by page-selective flushes: fills racing one are refused. */
	_Atomic uint64_t range_seq;
};

struct iotlb_tagtab {
	struct iotlb_tag *slot;
	uint32_t nbuckets;
	uint64_t clock;
};

struct sim_iotlb {
	struct iotlb_set *sets;
	struct iotlb_way *ways;
	/*
	 * One 32-bit signature per way, a set's row on one cache line (8 ways): a probe reads
	 * the row and only the ways whose signature matches, not all of them. A hint, written
	 * under the set lock after the entry; the way itself decides.
	 */
	uint32_t *sigs;
	uint32_t nsets, nways;
	uint32_t range_ceiling;
	uint32_t flags;
	/* Bit i: an entry of iotlb_shifts[i] was ever inserted (lets lookups skip probes). */
	_Atomic unsigned int shift_mask;
	/* Read by every hit; written by global flushes and (epoch) by every flush. */
	_Atomic uint64_t gen_global __attribute__((aligned(64)));
	_Atomic uint64_t epoch;

	pthread_spinlock_t tag_lock; /* the owners of both tag tables */
	struct iotlb_tagtab ptags; /* key (domain << 32 | pasid) */
	struct iotlb_tagtab dtags; /* key domain */

	_Atomic uint64_t flush_global __attribute__((aligned(64)));
	_Atomic uint64_t flush_domain, flush_pasid, flush_range, range_escalated;
	_Atomic uint64_t tag_evictions;
};

/* murmur3's 64-bit finaliser: cheap, and every input bit reaches the low bits we index by. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static inline bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static inline uint64_t tag_key(uint32_t domain, uint32_t pasid)
{
	return (uint64_t)domain << 32 | pasid;
}

/*
 * The set of @key (of the owner whose tag_key() hashes to @tmix), its first way, its
 * signature row and the key's signature (never 0: 0 marks a free way).
 */
static inline struct iotlb_set *set_of(struct sim_iotlb *tlb, uint64_t tmix, uint64_t key,
				       struct iotlb_way **ways, uint32_t **sigs, uint32_t *sig)
{
	/*
	 * @tmix is already a full mix of the owner: one multiply (Fibonacci hashing) spreads the
	 * page bits upward; the set comes from the high half, the signature from the low one.
	 */
	uint64_t h = (key ^ tmix) * UINT64_C(0x9e3779b97f4a7c15);
	uint32_t idx = (uint32_t)(h >> 32) & (tlb->nsets - 1);

	*ways = &tlb->ways[(size_t)idx * tlb->nways];
	*sigs = &tlb->sigs[(size_t)idx * tlb->nways];
	*sig = (uint32_t)(h >> 8) | 1;
	return &tlb->sets[idx];
}

static inline uint64_t ld(_Atomic uint64_t *p)
{
	return atomic_load_explicit(p, memory_order_acquire);
}

static inline void bump(_Atomic uint64_t *p)
{
	atomic_fetch_add_explicit(p, 1, memory_order_acq_rel);
}

static inline void count(_Atomic uint64_t *p)
{
	atomic_fetch_add_explicit(p, 1, memory_order_relaxed);
}

/*
 * Entry fields shared with lock-free readers: atomic accesses on plain fields. Release
 * stores and acquire loads instead of fences (Boehm's seqlock without fences): a reader that
 * sees any field of a new version has seen its odd version word too, and its second read of
 * the version cannot move above the field reads. Plain moves on x86; and ThreadSanitizer,
 * which does not model fences, checks the protocol as it is.
 */
#define iotlb_rd(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define iotlb_wr(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)

/*
 * After a flush has changed what is live: a copy of an entry taken before (a caller's
 * sim_iotlb_ref) stops validating. Release: whoever sees the new epoch sees the flush.
 */
static inline void epoch_bump(struct sim_iotlb *tlb)
{
	atomic_fetch_add_explicit(&tlb->epoch, 1, memory_order_release);
}

/* The generation sum an entry of (@pslot, @dslot) must carry to be live now. */
static inline uint64_t gen_sum(struct sim_iotlb *tlb, uint32_t pslot, uint32_t dslot, bool global)
{
	struct iotlb_tag *pt = &tlb->ptags.slot[pslot];
	struct iotlb_tag *dt = &tlb->dtags.slot[dslot];

	return ld(&tlb->gen_global) + ld(&dt->gen_all) + ld(&pt->gen_all) +
	       (global ? 0 : ld(&pt->gen_ng));
}

/* Writers (set lock held): open and close an entry's version. */
static inline void way_write_begin(struct iotlb_way *w)
{
	/* Visible before any field changes: the field stores are releases. */
	atomic_store_explicit(&w->ver, atomic_load_explicit(&w->ver, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline void way_write_end(struct iotlb_way *w)
{
	atomic_store_explicit(&w->ver, atomic_load_explicit(&w->ver, memory_order_relaxed) + 1,
			      memory_order_release);
}

/* Caller holds the entry's set lock (the fields cannot change under it). */
static bool way_live(struct sim_iotlb *tlb, const struct iotlb_way *w)
{
	uint32_t attr = iotlb_rd(&w->attr);

	if (!(attr & ATTR_USED))
		return false;
	return w->gsum == gen_sum(tlb, w->pslot, w->dslot, attr & ATTR_GLOBAL);
}

/*
 * Find @key's tag, or (with @create) take one: a free slot of its bucket, else the least
 * recently filled. Taking a slot from another owner bumps its gen_all first, which kills the
 * old owner's entries: they recorded a smaller value and generations never go back.
 * Caller holds tag_lock. Returns the slot index or -1.
 */
static int tag_find(struct sim_iotlb *tlb, struct iotlb_tagtab *t, uint64_t key, bool create)
{
	uint32_t base = (uint32_t)(mix64(key) & (t->nbuckets - 1)) * TAG_WAYS;
	struct iotlb_tag *victim = NULL;
	uint32_t i;

	for (i = 0; i < TAG_WAYS; i++) {
		struct iotlb_tag *s = &t->slot[base + i];

		if (s->used && s->owner == key) {
			if (create)
				s->stamp = ++t->clock;
			return (int)(base + i);
		}
		if (!victim || (victim->used && (!s->used || s->stamp < victim->stamp)))
			victim = s;
	}
	if (!create)
		return -1;
	if (victim->used) {
		bump(&victim->gen_all);
		epoch_bump(tlb);
		count(&tlb->tag_evictions);
	}
	victim->used = true;
	victim->owner = key;
	victim->stamp = ++t->clock;
	return (int)(victim - t->slot);
}

static int tagtab_init(struct iotlb_tagtab *t, uint32_t slots)
{
	t->slot = calloc(slots, sizeof(*t->slot));
	if (!t->slot)
		return -ENOMEM;
	t->nbuckets = slots / TAG_WAYS;
	return 0;
}

int sim_iotlb_create(const struct sim_iotlb_cfg *cfg, struct sim_iotlb **out)
{
	struct sim_iotlb_cfg c = cfg ? *cfg : (struct sim_iotlb_cfg){ 0 };
	struct sim_iotlb *tlb;
	uint32_t i;
	int ret;

	if (c.flags & ~SIM_IOTLB_F_DEVTLB)
		return -EINVAL;
	if (!c.entries)
		c.entries = (c.flags & SIM_IOTLB_F_DEVTLB) ? SIM_IOTLB_DEVTLB_DEF_ENTRIES :
							     SIM_IOTLB_DEF_ENTRIES;
	if (!c.ways)
		c.ways = SIM_IOTLB_DEF_WAYS;
	if (!c.tag_slots)
		c.tag_slots = SIM_IOTLB_DEF_TAG_SLOTS;
	if (!c.range_ceiling)
		c.range_ceiling = SIM_IOTLB_DEF_RANGE_CEILING;
	if (!is_pow2(c.ways) || c.ways > 64 || c.entries % c.ways || !is_pow2(c.entries / c.ways) ||
	    c.entries > (1u << 24) || !is_pow2(c.tag_slots) || c.tag_slots < TAG_WAYS ||
	    c.tag_slots > (1u << 20))
		return -EINVAL;

	tlb = calloc(1, sizeof(*tlb));
	if (!tlb)
		return -ENOMEM;
	tlb->nways = c.ways;
	tlb->nsets = c.entries / c.ways;
	tlb->range_ceiling = c.range_ceiling;
	tlb->flags = c.flags;
	ret = -ENOMEM;
	tlb->sets = aligned_alloc(64, (size_t)tlb->nsets * sizeof(*tlb->sets));
	tlb->ways = calloc(c.entries, sizeof(*tlb->ways));
	tlb->sigs = aligned_alloc(64, ((size_t)c.entries * sizeof(*tlb->sigs) + 63) & ~(size_t)63);
	if (!tlb->sets || !tlb->ways || !tlb->sigs)
		goto out_free;
	memset(tlb->sigs, 0, (size_t)c.entries * sizeof(*tlb->sigs));
	memset(tlb->sets, 0, (size_t)tlb->nsets * sizeof(*tlb->sets));
	ret = tagtab_init(&tlb->ptags, c.tag_slots);
	if (ret)
		goto out_free;
	/* A device TLB has one domain; a table of one bucket is plenty. */
	ret = tagtab_init(&tlb->dtags, (c.flags & SIM_IOTLB_F_DEVTLB) ? TAG_WAYS : c.tag_slots);
	if (ret)
		goto out_free_ptags;
	for (i = 0; i < tlb->nsets; i++)
		pthread_spin_init(&tlb->sets[i].lock, PTHREAD_PROCESS_PRIVATE);
	pthread_spin_init(&tlb->tag_lock, PTHREAD_PROCESS_PRIVATE);
	*out = tlb;
	return 0;

out_free_ptags:
	free(tlb->ptags.slot);
out_free:
	free(tlb->sigs);
	free(tlb->ways);
	free(tlb->sets);
	free(tlb);
	return ret;
}

void sim_iotlb_destroy(struct sim_iotlb *tlb)
{
	uint32_t i;

	if (!tlb)
		return;
	for (i = 0; i < tlb->nsets; i++)
		pthread_spin_destroy(&tlb->sets[i].lock);
	pthread_spin_destroy(&tlb->tag_lock);
	free(tlb->dtags.slot);
	free(tlb->ptags.slot);
	free(tlb->sigs);
	free(tlb->ways);
	free(tlb->sets);
	free(tlb);
}

static inline uint32_t dom_of(const struct sim_iotlb *tlb, uint32_t domain)
{
	return (tlb->flags & SIM_IOTLB_F_DEVTLB) ? 0 : domain;
}

/*
 * Read way @w if it holds @key of @tag: a consistent copy of its fields (the version did not
 * move while they were read) into @out, its version into @ver. Lock-free.
 */
static bool way_read(const struct iotlb_way *w, uint64_t key, uint64_t tag,
		     struct sim_iotlb_entry *out, uint64_t *gsum, uint32_t *slots_p,
		     uint32_t *slots_d, uint64_t *ver)
{
	for (;;) {
		uint64_t v = atomic_load_explicit(&w->ver, memory_order_acquire);
		uint32_t attr;

		if (iotlb_rd(&w->key) != key || iotlb_rd(&w->tag) != tag)
			return false;
		attr = iotlb_rd(&w->attr);
		out->out = iotlb_rd(&w->out);
		out->opaque = iotlb_rd(&w->opaque);
		*gsum = iotlb_rd(&w->gsum);
		*slots_p = iotlb_rd(&w->pslot);
		*slots_d = iotlb_rd(&w->dslot);
		/*
		 * Odd: an insert is replacing the entry or a range flush removing it; either way
		 * it is not a finished entry yet, and a miss is a correct answer. No spinning on a
		 * writer that may be preempted.
		 */
		if (v & 1)
			return false;
		/* The field reads were acquires: this read cannot pass them. */
		if (atomic_load_explicit(&w->ver, memory_order_relaxed) == v) {
			if (!(attr & ATTR_USED))
				return false;
			out->perm = ATTR_PERM(attr);
			out->shift = (uint8_t)ATTR_SHIFT(attr);
			out->global = attr & ATTR_GLOBAL;
			*ver = v;
			return true;
		}
		/* Changed while read: read the new version. */
	}
}

/*
 * LRU without writes on steady hits: the stamp is the set's insert clock, stored only when an
 * insert has happened since this entry's last use. Victims are the entries unused for the
 * most inserts.
 */
static inline void iotlb_touch(struct iotlb_set *set, struct iotlb_way *w)
{
	uint32_t now = atomic_load_explicit(&set->clock, memory_order_relaxed);

	if (atomic_load_explicit(&w->stamp, memory_order_relaxed) != now)
		atomic_store_explicit(&w->stamp, now, memory_order_relaxed);
}

/*
 * Per thread: the size (index into iotlb_shifts) of this thread's last hit, probed first. An
 * engine translating a 4 KiB-page buffer then pays one probe, not a probe of the 2 MiB key
 * before it; one using 2 MiB leaves, likewise. Only a hint: every size is still probed.
 */
static __thread uint8_t iotlb_hint;

/* The first way from @j on whose signature is @sig, or @n: the tight part of a probe. */
static inline uint32_t sig_next(const uint32_t *sigs, uint32_t j, uint32_t n, uint32_t sig)
{
	while (j < n && __atomic_load_n(&sigs[j], __ATOMIC_ACQUIRE) != sig)
		j++;
	return j;
}

static inline bool lookup(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid, uint64_t addr,
			  struct sim_iotlb_entry *out, struct sim_iotlb_ref *ref, bool counted)
{
	unsigned int mask = atomic_load_explicit(&tlb->shift_mask, memory_order_relaxed);
	/* Before the generations are checked: a flush after this makes @ref stale. */
	uint64_t epoch = atomic_load_explicit(&tlb->epoch, memory_order_acquire);
	const uint32_t nways = tlb->nways;
	const int hint = iotlb_hint;
	struct iotlb_set *set = NULL;
	uint64_t tmix, tag;
	int n;

	domain = dom_of(tlb, domain);
	tag = tag_key(domain, pasid);
	tmix = mix64(tag);
	for (n = 0; n < NSHIFTS; n++) {
		/* The hinted size, then the others largest first. */
		int i = !n ? hint : n <= hint ? n - 1 : n;
		uint8_t shift = iotlb_shifts[i];
		uint64_t key = (addr & ~((UINT64_C(1) << shift) - 1)) | shift;
		struct iotlb_way *w;
		uint32_t j, *sigs, sig;

		if (shift != SIM_IOTLB_SHIFT_4K && !(mask & (1u << i)))
			continue;
		set = set_of(tlb, tmix, key, &w, &sigs, &sig);
		for (j = sig_next(sigs, 0, nways, sig); j < nways;
		     j = sig_next(sigs, j + 1, nways, sig)) {
			uint32_t ps, ds;
			uint64_t gsum, ver;

			if (!way_read(&w[j], key, tag, out, &gsum, &ps, &ds, &ver) ||
			    gsum != gen_sum(tlb, ps, ds, out->global))
				continue;
			iotlb_touch(set, &w[j]);
			if (i != hint)
				iotlb_hint = (uint8_t)i;
			if (counted)
				atomic_fetch_add_explicit(&set->hits, 1, memory_order_relaxed);
			if (ref) {
				ref->ver = &w[j].ver;
				ref->ver_val = ver;
				ref->epoch = &tlb->epoch;
				ref->epoch_val = epoch;
			}
			return true;
		}
	}
	/* The 4 KiB probe always runs, so some set was probed: the miss is counted there. */
	if (counted)
		atomic_fetch_add_explicit(&set->misses, 1, memory_order_relaxed);
	return false;
}

bool sim_iotlb_lookup_ref(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid, uint64_t addr,
			  struct sim_iotlb_entry *out, struct sim_iotlb_ref *ref)
{
	return lookup(tlb, domain, pasid, addr, out, ref, false);
}

bool sim_iotlb_lookup(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid, uint64_t addr,
		      struct sim_iotlb_entry *out)
{
	return lookup(tlb, domain, pasid, addr, out, NULL, true);
}

void sim_iotlb_fill_begin(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid,
			  struct sim_iotlb_fill *fill)
{
	struct iotlb_tag *pt, *dt;
	int p, d;

	domain = dom_of(tlb, domain);
	pthread_spin_lock(&tlb->tag_lock);
	d = tag_find(tlb, &tlb->dtags, domain, true);
	p = tag_find(tlb, &tlb->ptags, tag_key(domain, pasid), true);
	pt = &tlb->ptags.slot[p];
	dt = &tlb->dtags.slot[d];
	fill->domain = domain;
	fill->pasid = pasid;
	fill->pslot = (uint32_t)p;
	fill->dslot = (uint32_t)d;
	/* Acquire loads: the walk that follows reads page tables no older than these. */
	fill->ggen = ld(&tlb->gen_global);
	fill->dgen = ld(&dt->gen_all);
	fill->pgen_all = ld(&pt->gen_all);
	fill->pgen_ng = ld(&pt->gen_ng);
	fill->range_seq = ld(&pt->range_seq);
	pthread_spin_unlock(&tlb->tag_lock);
}

/* Caller holds a set lock: a range flush that bumped range_seq is then ordered with us. */
static bool fill_current(struct sim_iotlb *tlb, const struct sim_iotlb_fill *f)
{
	struct iotlb_tag *pt = &tlb->ptags.slot[f->pslot];
	struct iotlb_tag *dt = &tlb->dtags.slot[f->dslot];

	return f->ggen == ld(&tlb->gen_global) && f->dgen == ld(&dt->gen_all) &&
	       f->pgen_all == ld(&pt->gen_all) && f->pgen_ng == ld(&pt->gen_ng) &&
	       f->range_seq == ld(&pt->range_seq);
}

int sim_iotlb_insert(struct sim_iotlb *tlb, const struct sim_iotlb_fill *fill, uint64_t addr,
		     const struct sim_iotlb_entry *e)
{
	struct iotlb_way *ways, *w, *victim = NULL;
	struct iotlb_set *set;
	uint64_t size, key, tag, gsum;
	uint32_t j, age = 0, clock, *sigs, sig;
	int i;

	for (i = 0; i < NSHIFTS; i++)
		if (iotlb_shifts[i] == e->shift)
			break;
	if (i == NSHIFTS)
		return -EINVAL;
	size = UINT64_C(1) << e->shift;
	if ((e->out & (size - 1)) || (e->perm & ~SIM_IOTLB_PERM_ALL))
		return -EINVAL;
	key = (addr & ~(size - 1)) | e->shift;
	if (e->shift != SIM_IOTLB_SHIFT_4K)
		atomic_fetch_or_explicit(&tlb->shift_mask, 1u << i, memory_order_relaxed);

	set = set_of(tlb, mix64(tag_key(fill->domain, fill->pasid)), key, &ways, &sigs, &sig);
	pthread_spin_lock(&set->lock);
	if (!fill_current(tlb, fill)) {
		set->fills_dropped++;
		pthread_spin_unlock(&set->lock);
		return -EAGAIN;
	}
	/* Same key first (no duplicates), then a dead entry, then the least recently used. */
	tag = tag_key(fill->domain, fill->pasid);
	for (j = 0, w = ways; j < tlb->nways; j++, w++) {
		if ((w->attr & ATTR_USED) && w->key == key && w->tag == tag) {
			victim = w;
			break;
		}
	}
	for (j = 0, w = ways; !victim && j < tlb->nways; j++, w++)
		if (!way_live(tlb, w))
			victim = w;
	clock = atomic_load_explicit(&set->clock, memory_order_relaxed);
	if (!victim) {
		for (j = 0, w = ways; j < tlb->nways; j++, w++) {
			/* wraps safely */
			uint32_t a = clock - atomic_load_explicit(&w->stamp, memory_order_relaxed);

			if (!victim || a > age) {
				victim = w;
				age = a;
			}
		}
		set->evictions++;
	}
	/* The clock moves first: the new entry is the youngest, every other one a step older. */
	atomic_store_explicit(&set->clock, ++clock, memory_order_relaxed);
	gsum = fill->ggen + fill->dgen + fill->pgen_all + (e->global ? 0 : fill->pgen_ng);
	way_write_begin(victim);
	iotlb_wr(&victim->key, key);
	iotlb_wr(&victim->tag, tag);
	iotlb_wr(&victim->gsum, gsum);
	iotlb_wr(&victim->pslot, fill->pslot);
	iotlb_wr(&victim->dslot, fill->dslot);
	iotlb_wr(&victim->out, e->out);
	iotlb_wr(&victim->opaque, e->opaque);
	iotlb_wr(&victim->attr,
		 ATTR_USED | (e->global ? ATTR_GLOBAL : 0) | e->perm | (uint32_t)e->shift << 16);
	atomic_store_explicit(&victim->stamp, clock, memory_order_relaxed);
	way_write_end(victim);
	/* After the entry: a probe that sees the signature finds the finished entry. */
	__atomic_store_n(&sigs[victim - ways], sig, __ATOMIC_RELEASE);
	set->inserts++;
	pthread_spin_unlock(&set->lock);
	return 0;
}

enum iotlb_gen { GEN_ALL, GEN_NG };

/* Bump one generation of @key's tag, if it has one (no tag: nothing of it is cached). */
static void tag_bump(struct sim_iotlb *tlb, struct iotlb_tagtab *t, uint64_t key,
		     enum iotlb_gen which)
{
	int s;

	pthread_spin_lock(&tlb->tag_lock);
	s = tag_find(tlb, t, key, false);
	if (s >= 0) {
		bump(which == GEN_NG ? &t->slot[s].gen_ng : &t->slot[s].gen_all);
		epoch_bump(tlb);
	}
	pthread_spin_unlock(&tlb->tag_lock);
}

void sim_iotlb_flush_pasid(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid,
			   unsigned int flags)
{
	domain = dom_of(tlb, domain);
	count(&tlb->flush_pasid);
	tag_bump(tlb, &tlb->ptags, tag_key(domain, pasid),
		 (flags & SIM_IOTLB_FLUSH_KEEP_GLOBAL) ? GEN_NG : GEN_ALL);
}

void sim_iotlb_flush_domain(struct sim_iotlb *tlb, uint32_t domain)
{
	domain = dom_of(tlb, domain);
	count(&tlb->flush_domain);
	tag_bump(tlb, &tlb->dtags, domain, GEN_ALL);
}

void sim_iotlb_flush_all(struct sim_iotlb *tlb)
{
	count(&tlb->flush_global);
	bump(&tlb->gen_global);
	epoch_bump(tlb);
}

/* Remove the entries of one key from its set. */
static void range_drop_key(struct sim_iotlb *tlb, uint64_t tmix, uint64_t tag, uint64_t key)
{
	struct iotlb_way *w;
	uint32_t j, *sigs, sig;
	struct iotlb_set *set = set_of(tlb, tmix, key, &w, &sigs, &sig);

	pthread_spin_lock(&set->lock);
	set->scanned += tlb->nways;
	for (j = 0; j < tlb->nways; j++, w++) {
		if (!(w->attr & ATTR_USED) || w->key != key || w->tag != tag)
			continue;
		if (way_live(tlb, w))
			set->range_dropped++;
		/* A new version: readers and sim_iotlb_ref copies of it see it gone. */
		way_write_begin(w);
		iotlb_wr(&w->attr, w->attr & ~ATTR_USED);
		way_write_end(w);
		__atomic_store_n(&sigs[j], 0, __ATOMIC_RELAXED);
	}
	pthread_spin_unlock(&set->lock);
}

void sim_iotlb_flush_range(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid, uint64_t addr,
			   uint64_t npages, bool leaf)
{
	uint64_t last, tmix;
	int i, s;

	(void)leaf; /* entries are leaves: IH changes nothing that is cached here */
	if (!npages)
		return;
	domain = dom_of(tlb, domain);
	count(&tlb->flush_range);
	addr &= ~((UINT64_C(1) << SIM_IOTLB_SHIFT_4K) - 1);
	/*
	 * Past the ceiling, probing page by page costs more than refilling: flush the whole
	 * PASID in O(1), as the kernel does above its own ceiling. gen_all, not gen_ng: a range
	 * flush must drop global entries too.
	 */
	if (npages > tlb->range_ceiling) {
		count(&tlb->range_escalated);
		tag_bump(tlb, &tlb->ptags, tag_key(domain, pasid), GEN_ALL);
		return;
	}

	pthread_spin_lock(&tlb->tag_lock);
	s = tag_find(tlb, &tlb->ptags, tag_key(domain, pasid), false);
	/*
	 * Before removing anything: a fill that snapshotted the old range_seq and inserts after
	 * we visited its set is refused; one that inserted before our visit is removed by it.
	 */
	if (s >= 0)
		bump(&tlb->ptags.slot[s].range_seq);
	pthread_spin_unlock(&tlb->tag_lock);
	/* No tag: no live entry, and any fill that starts now walks the updated tables. */
	if (s < 0)
		return;

	/* npages <= ceiling <= 2^32, so only the addition can wrap: clamp at the top page. */
	last = addr + ((npages - 1) << SIM_IOTLB_SHIFT_4K);
	if (last < addr)
		last = ~((UINT64_C(1) << SIM_IOTLB_SHIFT_4K) - 1);
	tmix = mix64(tag_key(domain, pasid));
	for (i = 0; i < NSHIFTS; i++) {
		uint8_t shift = iotlb_shifts[i];
		uint64_t mask = ~((UINT64_C(1) << shift) - 1);
		uint64_t base = addr & mask, end = last & mask;

		for (;; base += UINT64_C(1) << shift) {
			range_drop_key(tlb, tmix, tag_key(domain, pasid), base | shift);
			if (base == end)
				break;
		}
	}
}

void sim_iotlb_stats(struct sim_iotlb *tlb, struct sim_iotlb_stats *out)
{
	uint32_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < tlb->nsets; i++) {
		struct iotlb_set *set = &tlb->sets[i];
		struct iotlb_way *w = &tlb->ways[(size_t)i * tlb->nways];

		pthread_spin_lock(&set->lock);
		out->hits += atomic_load_explicit(&set->hits, memory_order_relaxed);
		out->misses += atomic_load_explicit(&set->misses, memory_order_relaxed);
		out->inserts += set->inserts;
		out->evictions += set->evictions;
		out->fills_dropped += set->fills_dropped;
		out->range_dropped += set->range_dropped;
		out->flush_scanned += set->scanned;
		for (j = 0; j < tlb->nways; j++, w++)
			out->entries += way_live(tlb, w);
		pthread_spin_unlock(&set->lock);
	}
	out->flush_global = atomic_load(&tlb->flush_global);
	out->flush_domain = atomic_load(&tlb->flush_domain);
	out->flush_pasid = atomic_load(&tlb->flush_pasid);
	out->flush_range = atomic_load(&tlb->flush_range);
	out->range_escalated = atomic_load(&tlb->range_escalated);
	out->tag_evictions = atomic_load(&tlb->tag_evictions);
	out->capacity = (uint64_t)tlb->nsets * tlb->nways;
}
