// SPDX-License-Identifier: MIT
/*
 * sim IOMMU translation caches (IOTLB and device TLB).
 *
 * Layout: nsets x ways entries, each set behind its own spinlock; a set is chosen by hashing
 * (domain, PASID, page base, page size). Validity is a matter of generations: every entry
 * records the global generation, its domain's generation and its (domain, PASID)'s two
 * generations as they were when its walk began; a flush of a wider granularity bumps one
 * counter and every entry it covers stops matching. The per-domain and per-(domain, PASID)
 * counters live in small hashed, 4-way tables of "tags"; a tag taken from another owner has
 * its generation bumped first, so the old owner's entries die with it (never resurrect).
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

struct iotlb_way {
	uint64_t key; /* page base | shift */
	uint32_t domain, pasid;
	uint32_t pslot, dslot;
	uint64_t ggen, dgen, pgen_all, pgen_ng;
	uint64_t out, opaque;
	uint32_t perm;
	uint32_t stamp; /* set clock at the last use, for LRU */
	uint8_t shift;
	bool global;
	bool used;
};

/*
 * Counters sit with the lock they are updated under: the hot path then adds no atomic
 * read-modify-write and no shared cache line beyond the set's own.
 */
struct iotlb_set {
	pthread_spinlock_t lock;
	uint32_t clock;
	uint64_t hits, misses, inserts, evictions, fills_dropped, range_dropped, scanned;
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
	uint32_t nsets, nways;
	uint32_t range_ceiling;
	uint32_t flags;
	/* Bit i: an entry of iotlb_shifts[i] was ever inserted (lets lookups skip probes). */
	_Atomic unsigned int shift_mask;
	_Atomic uint64_t gen_global;

	pthread_spinlock_t tag_lock; /* the owners of both tag tables */
	struct iotlb_tagtab ptags; /* key (domain << 32 | pasid) */
	struct iotlb_tagtab dtags; /* key domain */

	_Atomic uint64_t flush_global, flush_domain, flush_pasid, flush_range, range_escalated;
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

static inline struct iotlb_set *set_of(struct sim_iotlb *tlb, uint64_t tmix, uint64_t key,
				       struct iotlb_way **ways)
{
	uint32_t idx = (uint32_t)(mix64(key ^ tmix) & (tlb->nsets - 1));

	*ways = &tlb->ways[(size_t)idx * tlb->nways];
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

/* Caller holds the entry's set lock. */
static bool way_live(struct sim_iotlb *tlb, const struct iotlb_way *w)
{
	struct iotlb_tag *pt, *dt;

	if (!w->used)
		return false;
	pt = &tlb->ptags.slot[w->pslot];
	dt = &tlb->dtags.slot[w->dslot];
	return w->ggen == ld(&tlb->gen_global) && w->dgen == ld(&dt->gen_all) &&
	       w->pgen_all == ld(&pt->gen_all) && (w->global || w->pgen_ng == ld(&pt->gen_ng));
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
	if (!tlb->sets || !tlb->ways)
		goto out_free;
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
	free(tlb->ways);
	free(tlb->sets);
	free(tlb);
}

static inline uint32_t dom_of(const struct sim_iotlb *tlb, uint32_t domain)
{
	return (tlb->flags & SIM_IOTLB_F_DEVTLB) ? 0 : domain;
}

bool sim_iotlb_lookup(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid, uint64_t addr,
		      struct sim_iotlb_entry *out)
{
	unsigned int mask = atomic_load_explicit(&tlb->shift_mask, memory_order_relaxed);
	uint64_t tmix;
	int i;

	domain = dom_of(tlb, domain);
	tmix = mix64(tag_key(domain, pasid));
	for (i = 0; i < NSHIFTS; i++) {
		uint8_t shift = iotlb_shifts[i];
		uint64_t key = (addr & ~((UINT64_C(1) << shift) - 1)) | shift;
		struct iotlb_way *w;
		struct iotlb_set *set;
		uint32_t j;

		/* The 4 KiB probe always runs: the miss is counted in its set. */
		if (shift != SIM_IOTLB_SHIFT_4K && !(mask & (1u << i)))
			continue;
		set = set_of(tlb, tmix, key, &w);
		pthread_spin_lock(&set->lock);
		for (j = 0; j < tlb->nways; j++, w++) {
			if (!w->used || w->key != key || w->domain != domain || w->pasid != pasid ||
			    !way_live(tlb, w))
				continue;
			out->out = w->out;
			out->opaque = w->opaque;
			out->perm = w->perm;
			out->shift = w->shift;
			out->global = w->global;
			w->stamp = ++set->clock;
			set->hits++;
			pthread_spin_unlock(&set->lock);
			return true;
		}
		if (shift == SIM_IOTLB_SHIFT_4K)
			set->misses++;
		pthread_spin_unlock(&set->lock);
	}
	return false;
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
	uint64_t size, key;
	uint32_t j, age = 0;
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

	set = set_of(tlb, mix64(tag_key(fill->domain, fill->pasid)), key, &ways);
	pthread_spin_lock(&set->lock);
	if (!fill_current(tlb, fill)) {
		set->fills_dropped++;
		pthread_spin_unlock(&set->lock);
		return -EAGAIN;
	}
	/* Same key first (no duplicates), then a dead entry, then the least recently used. */
	for (j = 0, w = ways; j < tlb->nways; j++, w++) {
		if (w->used && w->key == key && w->domain == fill->domain &&
		    w->pasid == fill->pasid) {
			victim = w;
			break;
		}
	}
	for (j = 0, w = ways; !victim && j < tlb->nways; j++, w++)
		if (!way_live(tlb, w))
			victim = w;
	if (!victim) {
		for (j = 0, w = ways; j < tlb->nways; j++, w++) {
			uint32_t a = set->clock - w->stamp; /* wraps safely */

			if (!victim || a > age) {
				victim = w;
				age = a;
			}
		}
		set->evictions++;
	}
	victim->key = key;
	victim->domain = fill->domain;
	victim->pasid = fill->pasid;
	victim->pslot = fill->pslot;
	victim->dslot = fill->dslot;
	victim->ggen = fill->ggen;
	victim->dgen = fill->dgen;
	victim->pgen_all = fill->pgen_all;
	victim->pgen_ng = fill->pgen_ng;
	victim->out = e->out;
	victim->opaque = e->opaque;
	victim->perm = e->perm;
	victim->shift = e->shift;
	victim->global = e->global;
	victim->used = true;
	victim->stamp = ++set->clock;
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
	if (s >= 0)
		bump(which == GEN_NG ? &t->slot[s].gen_ng : &t->slot[s].gen_all);
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
}

/* Remove the entries of one key from its set. */
static void range_drop_key(struct sim_iotlb *tlb, uint64_t tmix, uint32_t domain, uint32_t pasid,
			   uint64_t key)
{
	struct iotlb_way *w;
	struct iotlb_set *set = set_of(tlb, tmix, key, &w);
	uint32_t j;

	pthread_spin_lock(&set->lock);
	set->scanned += tlb->nways;
	for (j = 0; j < tlb->nways; j++, w++) {
		if (!w->used || w->key != key || w->domain != domain || w->pasid != pasid)
			continue;
		if (way_live(tlb, w))
			set->range_dropped++;
		w->used = false;
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
			range_drop_key(tlb, tmix, domain, pasid, base | shift);
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
		out->hits += set->hits;
		out->misses += set->misses;
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
