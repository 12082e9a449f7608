/* SPDX-License-Identifier: MIT */
/*
 * sim IOMMU translation caches: the VT-d IOTLB and, with SIM_IOTLB_F_DEVTLB, a device's ATS
 * translation cache (device TLB). See docs/IOMMU_MODEL.md "Translation caches".
 *
 * Entries are tagged by (domain id, PASID) and keyed by the page-aligned input address and the
 * page size (4 KiB, 2 MiB, 1 GiB). Storage is a set-associative array allocated at create time;
 * lookups, inserts and flushes never allocate and never make system calls.
 *
 * Invalidation follows VT-d's granularities: global, domain-selective, PASID-selective
 * (optionally sparing global entries) and page-selective ranges. Global, domain and PASID
 * flushes bump a generation number (O(1), no entry is touched); page-selective flushes remove
 * entries by key, and turn into a whole-PASID flush above a ceiling.
 *
 * Lookups take no lock and write nothing shared on a steady hit (a per-entry version word is
 * read before and after the entry; see docs/IOMMU_MODEL.md "Concurrency guarantee").
 *
 * Guarantee: once a flush returns, no lookup that starts afterwards (in any thread ordered
 * after the flush's return) returns an entry the flush covered, and no fill whose walk began
 * before the flush can put one back (see sim_iotlb_fill_begin()).
 */
#ifndef SVART_SIM_IOMMU_IOTLB_H
#define SVART_SIM_IOMMU_IOTLB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct sim_iotlb;

/* Entry permissions, as the walker resolved them for the whole page. */
#define SIM_IOTLB_PERM_R 0x1u
#define SIM_IOTLB_PERM_W 0x2u
#define SIM_IOTLB_PERM_X 0x4u
#define SIM_IOTLB_PERM_U 0x8u /* user-mode access allowed (first-stage U/S) */
#define SIM_IOTLB_PERM_ALL 0xfu

/* Page sizes an entry can map, by shift. */
#define SIM_IOTLB_SHIFT_4K 12
#define SIM_IOTLB_SHIFT_2M 21
#define SIM_IOTLB_SHIFT_1G 30

/* cfg.flags */
/* A device TLB: tagged by PASID only; every domain argument is ignored (taken as 0). */
#define SIM_IOTLB_F_DEVTLB 0x1u

/* sim_iotlb_flush_pasid() flags */
/* VT-d PASID-based IOTLB invalidation G=2: entries with the global bit survive. */
#define SIM_IOTLB_FLUSH_KEEP_GLOBAL 0x1u

/* Defaults used when a cfg field is 0. */
#define SIM_IOTLB_DEF_ENTRIES 4096u
#define SIM_IOTLB_DEF_WAYS 8u
#define SIM_IOTLB_DEF_TAG_SLOTS 256u
#define SIM_IOTLB_DEF_RANGE_CEILING 512u
#define SIM_IOTLB_DEVTLB_DEF_ENTRIES 256u

struct sim_iotlb_cfg {
	/* Capacity in entries (0: 4096, or 256 for a device TLB); a multiple of @ways with a
	 * power-of-two quotient (the number of sets). */
	uint32_t entries;
	/* Associativity (0: 8), a power of two, at most 64. */
	uint32_t ways;
	/* Size of the (domain, PASID) generation table and of the domain generation table
	 * (0: 256), a power of two, at least 4. More live (domain, PASID) pairs than this
	 * evict each other's entries, never resurrect them. */
	uint32_t tag_slots;
	/* Page-selective flushes of more pages than this flush the whole PASID (0: 512). */
	uint32_t range_ceiling;
	uint32_t flags; /* SIM_IOTLB_F_* */
};

/* One cached translation. */
struct sim_iotlb_entry {
	uint64_t out; /* output (host) address of the page, aligned to its size */
	uint64_t opaque; /* the walker's own cookie, returned as stored */
	uint32_t perm; /* SIM_IOTLB_PERM_* */
	uint8_t shift; /* SIM_IOTLB_SHIFT_* */
	bool global; /* first-stage G bit: survives SIM_IOTLB_FLUSH_KEEP_GLOBAL flushes */
};

/*
 * A fill in progress: the state of the caches for one (domain, PASID) when the walk began.
 * Opaque to callers; lives on the caller's stack between sim_iotlb_fill_begin() and
 * sim_iotlb_insert().
 */
struct sim_iotlb_fill {
	uint32_t domain, pasid;
	uint32_t pslot, dslot;
	uint64_t ggen, dgen, pgen_all, pgen_ng, range_seq;
};

/*
 * Where a hit came from, for a caller that keeps its own copy of the entry (a per-engine
 * translation cache): the copy is still what the cache holds exactly while
 * sim_iotlb_ref_valid() says so. Every flush that covers the entry, its replacement or
 * eviction, and conservatively every PASID, domain and global flush of any owner, make it
 * invalid.
 */
struct sim_iotlb_ref {
	const _Atomic uint64_t *ver; /* the entry's version word */
	const _Atomic uint64_t *epoch; /* the cache's flush epoch */
	uint64_t ver_val, epoch_val;
};

struct sim_iotlb_stats {
	uint64_t hits, misses; /* of sim_iotlb_lookup() (sim_iotlb_lookup_ref() counts none) */
	uint64_t inserts; /* entries stored */
	uint64_t evictions; /* live entries replaced to make room */
	uint64_t fills_dropped; /* inserts refused because a flush raced the walk */
	uint64_t flush_global, flush_domain, flush_pasid, flush_range;
	uint64_t range_escalated; /* range flushes done as whole-PASID flushes */
	uint64_t range_dropped; /* live entries removed by page-selective flushes */
	uint64_t flush_scanned; /* entries examined by flushes (0 for generation flushes) */
	uint64_t tag_evictions; /* generation-table slots taken from another owner */
	uint64_t entries; /* live entries now (a snapshot) */
	uint64_t capacity;
};

/**
 * sim_iotlb_create() - allocate a translation cache with all of its storage.
 * @cfg: geometry and flags; NULL or zero fields take the defaults.
 * @out: the new cache.
 *
 * Return: 0, -EINVAL for a geometry that is not a power of two or out of range, or unknown
 * flags, -ENOMEM.
 */
int sim_iotlb_create(const struct sim_iotlb_cfg *cfg, struct sim_iotlb **out);

/**
 * sim_iotlb_destroy() - free a cache. No call on it may be running or follow.
 * @tlb: the cache, or NULL.
 */
void sim_iotlb_destroy(struct sim_iotlb *tlb);

/**
 * sim_iotlb_lookup() - find the entry that translates @addr.
 * @tlb: the cache.
 * @domain: domain id (0 for a device TLB).
 * @pasid: PASID of the request.
 * @addr: input address; any entry whose page covers it matches (1 GiB, 2 MiB, 4 KiB probed).
 * @out: filled on a hit.
 *
 * Safe against concurrent lookups, inserts and flushes; allocation- and syscall-free.
 *
 * Return: true on a hit.
 */
bool sim_iotlb_lookup(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid, uint64_t addr,
		      struct sim_iotlb_entry *out);

/**
 * sim_iotlb_lookup_ref() - sim_iotlb_lookup(), also saying where the entry came from.
 * @tlb: the cache.
 * @domain: domain id (0 for a device TLB).
 * @pasid: PASID of the request.
 * @addr: input address.
 * @out: filled on a hit.
 * @ref: on a hit, what sim_iotlb_ref_valid() checks (may be NULL).
 *
 * Not counted in sim_iotlb_stats()' hits and misses: a caller that keeps copies counts its own
 * hits (an atomic add on a shared line would cost more than the rest of the lookup).
 *
 * Return: true on a hit.
 */
bool sim_iotlb_lookup_ref(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid, uint64_t addr,
			  struct sim_iotlb_entry *out, struct sim_iotlb_ref *ref);

/*
 * sim_iotlb_ref_valid() - whether the entry a hit returned is still cached, unchanged and not
 * invalidated. Two loads, no lock; a flush that has returned is always seen (the loads are
 * acquires of what the flush released), so a copy validated here may be used as a hit.
 */
static inline bool sim_iotlb_ref_valid(const struct sim_iotlb_ref *ref)
{
	return atomic_load_explicit(ref->epoch, memory_order_acquire) == ref->epoch_val &&
	       atomic_load_explicit(ref->ver, memory_order_acquire) == ref->ver_val;
}

/**
 * sim_iotlb_fill_begin() - snapshot the invalidation state before walking for a fill.
 * @tlb: the cache.
 * @domain: domain id (0 for a device TLB).
 * @pasid: PASID being translated.
 * @fill: receives the snapshot.
 *
 * Call it before reading the page tables (for a device TLB: before asking the IOMMU). A flush
 * of this (domain, PASID) that starts after this call makes the matching sim_iotlb_insert()
 * refuse the entry, so a walk that read a PTE before it was changed cannot cache the old
 * translation after the flush returned. May take a generation-table slot from another owner.
 */
void sim_iotlb_fill_begin(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid,
			  struct sim_iotlb_fill *fill);

/**
 * sim_iotlb_insert() - cache a translation found by a walk.
 * @tlb: the cache.
 * @fill: the snapshot sim_iotlb_fill_begin() took before the walk.
 * @addr: an input address inside the page (aligned down to @e->shift).
 * @e: the translation; @e->out must be aligned to the page size.
 *
 * Replaces an entry of the same key, else an invalid one, else the set's least recently used.
 *
 * Return: 0 when cached; -EAGAIN when a flush covering this (domain, PASID) ran since
 * @fill was taken (nothing cached: the caller retries the walk or uses its result uncached);
 * -EINVAL for a bad page size, unaligned @e->out or unknown permission bits.
 */
int sim_iotlb_insert(struct sim_iotlb *tlb, const struct sim_iotlb_fill *fill, uint64_t addr,
		     const struct sim_iotlb_entry *e);

/**
 * sim_iotlb_flush_range() - page-selective invalidation of one (domain, PASID).
 * @tlb: the cache.
 * @domain: domain id (0 for a device TLB).
 * @pasid: PASID.
 * @addr: first page (low 12 bits ignored).
 * @npages: number of 4 KiB pages, any count; 0 does nothing. @addr 0 with UINT64_MAX is the
 *	whole PASID (iommufd's "everything"), global entries included.
 * @leaf: VT-d IH: only leaf entries changed. Cached entries are all leaves, so it changes
 *	nothing here; kept so callers pass what the descriptor said.
 *
 * Drops every entry of any page size that overlaps the range, global ones included. More than
 * the configured ceiling of pages flushes the whole PASID instead (generation bump).
 */
void sim_iotlb_flush_range(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid, uint64_t addr,
			   uint64_t npages, bool leaf);

/**
 * sim_iotlb_flush_pasid() - PASID-selective invalidation, O(1).
 * @tlb: the cache.
 * @domain: domain id (0 for a device TLB).
 * @pasid: PASID.
 * @flags: SIM_IOTLB_FLUSH_KEEP_GLOBAL to spare global entries (VT-d G=2), else all.
 */
void sim_iotlb_flush_pasid(struct sim_iotlb *tlb, uint32_t domain, uint32_t pasid,
			   unsigned int flags);

/**
 * sim_iotlb_flush_domain() - domain-selective invalidation: every PASID, global entries too.
 * @tlb: the cache.
 * @domain: domain id (on a device TLB, 0: everything).
 */
void sim_iotlb_flush_domain(struct sim_iotlb *tlb, uint32_t domain);

/**
 * sim_iotlb_flush_all() - global invalidation.
 * @tlb: the cache.
 */
void sim_iotlb_flush_all(struct sim_iotlb *tlb);

/**
 * sim_iotlb_stats() - read the counters.
 * @tlb: the cache.
 * @out: receives them; each set's counters are consistent, the sum across sets is not a
 *	single instant.
 */
void sim_iotlb_stats(struct sim_iotlb *tlb, struct sim_iotlb_stats *out);

/* The output address of @addr through entry @e. */
static inline uint64_t sim_iotlb_xlate(const struct sim_iotlb_entry *e, uint64_t addr)
{
	return e->out | (addr & ((UINT64_C(1) << e->shift) - 1));
}

#endif /* SVART_SIM_IOMMU_IOTLB_H */
