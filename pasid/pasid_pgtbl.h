/* SPDX-License-Identifier: MIT */
/*
 * pasid_pgtbl: builds and edits the VT-d first-stage page table (x86-64 format, 4 or 5
 * levels) that svart hands to a nested iommufd HWPT as iommu_hwpt_vtd_s1.pgtbl_addr.
 *
 * Table pages come from a caller allocator because they live in memory svart maps into the
 * parent IOAS: every entry holds the IOVA of the table below, never its host address. The
 * ready-made pool (pasid_pgtbl_pool_*) carves pages out of a few large chunks whose IOVAs
 * the caller assigns (and maps) when a chunk is added.
 *
 * Addresses: va is the first-stage input (the process VA); oa the output address, i.e. for
 * svart's nested binding the IOVA in the parent IOAS backing that VA.
 *
 * Entries are written like Linux writes first-stage entries (intel/iommu.c): tables
 * P|R/W|U/S|A, leaves P|A (+R/W|D when writable, +U/S for user pages, +PS for 2M/1G, +XD on
 * request), with the A/D presets configurable.
 *
 * Not thread-safe: callers serialise map/unmap/protect/destroy on one table. Lookups may
 * run concurrently with each other. Hardware walkers (sim) may run concurrently with
 * everything: entries are published with release stores and edited with compare-and-swap
 * so A/D bits that the walker sets are kept. Table pages an unmap frees go back to the
 * allocator at once by default, so a walker still inside a freed table must be excluded by the
 * caller (flush first). With PASID_PGTBL_DEFER_FREE they are held instead until the caller
 * says the invalidation covering them has completed (pasid_pgtbl_reclaim()): what a binding
 * that edits a live table needs, since an IOMMU may cache paging-structure entries that still
 * point into the freed page.
 *
 * Errors: -EINVAL bad argument (unaligned, zero length, unknown prot/flags, oa beyond the
 * output width, page sizes outside the table's); -ERANGE va range not canonical or beyond
 * addr_width (the errno Linux's generic page table uses for an IOVA out of range); -EEXIST
 * mapping over a present entry; -ENOMEM allocator failure. On any error the table is left
 * exactly as it was.
 */
#ifndef SVART_PASID_PGTBL_H
#define SVART_PASID_PGTBL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pasid/iommufd_uapi.h"

#define PASID_PGTBL_SZ_4K (1ULL << 12)
#define PASID_PGTBL_SZ_2M (1ULL << 21)
#define PASID_PGTBL_SZ_1G (1ULL << 30)

/* Leaf permissions. READ is mandatory: a present first-stage page is always readable. */
enum pasid_pgtbl_prot {
	PASID_PGTBL_READ = 1 << 0,
	PASID_PGTBL_WRITE = 1 << 1, /* R/W=1 */
	PASID_PGTBL_USER = 1 << 2, /* U/S=1: needed for user (SRE=0) requests */
	PASID_PGTBL_NOEXEC = 1 << 3, /* XD=1 */
};

/* pasid_pgtbl_cfg.flags */
enum pasid_pgtbl_flags {
	PASID_PGTBL_NO_PRESET_A = 1 << 0, /* leave A clear; hardware sets it */
	PASID_PGTBL_NO_PRESET_D = 1 << 1, /* leave D clear on writable leaves */
	PASID_PGTBL_INV_ON_MAP = 1 << 2, /* report mapped ranges too (caching-mode IOMMUs) */
	PASID_PGTBL_DEFER_FREE = 1 << 3, /* freed tables wait for pasid_pgtbl_reclaim() */
};

/**
 * struct pasid_pgtbl_ops - where table pages come from.
 * @alloc: return a zeroed, 4 KiB-aligned 4 KiB page and its IOVA in *@iova, or NULL.
 * @free: give back a page from @alloc.
 * @iova_to_va: the host address of the page at @iova (a page from @alloc).
 */
struct pasid_pgtbl_ops {
	void *(*alloc)(void *arg, uint64_t *iova);
	void (*free)(void *arg, void *page, uint64_t iova);
	void *(*iova_to_va)(void *arg, uint64_t iova);
};

/**
 * struct pasid_pgtbl_cfg - shape of a table.
 * @addr_width: 48 (4-level) or 57 (5-level), as iommu_hwpt_vtd_s1.addr_width.
 * @oa_width: output address width, 12..52; 0 means 52.
 * @page_sizes: leaf sizes the hardware supports (PASID_PGTBL_SZ_*); 0 means 4K|2M|1G.
 *	4 KiB is always included. Splits always go through 2 MiB, which VT-d always supports.
 * @flags: PASID_PGTBL_* flags.
 * @ops: the page allocator; @ops_arg its argument.
 */
struct pasid_pgtbl_cfg {
	unsigned int addr_width;
	unsigned int oa_width;
	uint64_t page_sizes;
	unsigned int flags;
	const struct pasid_pgtbl_ops *ops;
	void *ops_arg;
};

/* One range to invalidate: @npages 4 KiB pages from @addr; @leaf: only leaf entries changed. */
struct pasid_pgtbl_inv_range {
	uint64_t addr;
	uint64_t npages;
	bool leaf;
};

#define PASID_PGTBL_INV_MAX 8

/**
 * struct pasid_pgtbl_inv - what an edit requires invalidating, accumulated over calls.
 * @nr: ranges in @range.
 * @all: too many disjoint ranges were needed: invalidate everything (non-leaf).
 * @range: overlapping and adjacent ranges are merged; a merged range is leaf-only only if
 *	all its parts were.
 *
 * Fixed size so that recording never allocates (and so never fails).
 */
struct pasid_pgtbl_inv {
	unsigned int nr;
	bool all;
	struct pasid_pgtbl_inv_range range[PASID_PGTBL_INV_MAX];
};

struct pasid_pgtbl;

int pasid_pgtbl_create(const struct pasid_pgtbl_cfg *cfg, struct pasid_pgtbl **out);
void pasid_pgtbl_destroy(struct pasid_pgtbl *pt);
uint64_t pasid_pgtbl_root_iova(const struct pasid_pgtbl *pt);
int pasid_pgtbl_map(struct pasid_pgtbl *pt, uint64_t va, uint64_t oa, uint64_t len,
		    unsigned int prot, uint64_t page_sizes, struct pasid_pgtbl_inv *inv);
int64_t pasid_pgtbl_unmap(struct pasid_pgtbl *pt, uint64_t va, uint64_t len,
			  struct pasid_pgtbl_inv *inv);
int64_t pasid_pgtbl_protect(struct pasid_pgtbl *pt, uint64_t va, uint64_t len, unsigned int prot,
			    struct pasid_pgtbl_inv *inv);
int pasid_pgtbl_lookup(const struct pasid_pgtbl *pt, uint64_t va, uint64_t *oa, unsigned int *prot,
		       uint64_t *page_size);
/*
 * Deferred freeing (PASID_PGTBL_DEFER_FREE): table pages unlinked by unmap (or by a failed
 * map undoing itself) stay out of the allocator until pasid_pgtbl_reclaim(), which the caller
 * runs after the invalidation of the ranges the unmap reported has completed. Returns the
 * pages released; pasid_pgtbl_deferred() counts those waiting. Pages a split pre-allocated but
 * did not use were never visible to hardware and are freed at once. destroy releases them too.
 */
size_t pasid_pgtbl_reclaim(struct pasid_pgtbl *pt);
size_t pasid_pgtbl_deferred(const struct pasid_pgtbl *pt);

void pasid_pgtbl_inv_init(struct pasid_pgtbl_inv *inv);
void pasid_pgtbl_inv_add(struct pasid_pgtbl_inv *inv, uint64_t addr, uint64_t len, bool leaf);
unsigned int pasid_pgtbl_inv_to_vtd(const struct pasid_pgtbl_inv *inv,
				    struct iommu_hwpt_vtd_s1_invalidate *out, unsigned int max);

/* The pool allocator. */

/**
 * struct pasid_pgtbl_pool_ops - hooks run when the pool grows and when it is destroyed.
 * @chunk_add: a new chunk of @len bytes at @va: store its base IOVA (4 KiB aligned) in
 *	*@iova, typically after mapping it into the IOAS. Return 0 or -errno (the chunk is
 *	then released and the allocation fails).
 * @chunk_del: the chunk is about to be unmapped from the process (optional).
 */
struct pasid_pgtbl_pool_ops {
	int (*chunk_add)(void *arg, void *va, size_t len, uint64_t *iova);
	void (*chunk_del)(void *arg, void *va, size_t len, uint64_t iova);
};

struct pasid_pgtbl_pool;

int pasid_pgtbl_pool_create(size_t chunk_pages, unsigned int max_chunks,
			    const struct pasid_pgtbl_pool_ops *ops, void *arg,
			    struct pasid_pgtbl_pool **out);
void pasid_pgtbl_pool_destroy(struct pasid_pgtbl_pool *pool);
const struct pasid_pgtbl_ops *pasid_pgtbl_pool_ops(void);
size_t pasid_pgtbl_pool_in_use(const struct pasid_pgtbl_pool *pool);

#endif /* SVART_PASID_PGTBL_H */
