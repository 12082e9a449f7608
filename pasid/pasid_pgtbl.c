// SPDX-License-Identifier: MIT
/*
 * VT-d first-stage page-table builder. See pasid_pgtbl.h for the contract.
 *
 * Internally a VA is kept truncated to addr_width bits, which makes the canonical upper half
 * contiguous with the lower half and lets index arithmetic ignore the sign extension; it is
 * sign-extended again only where it leaves the builder (invalidation ranges).
 *
 * No table is ever left empty: unmap frees a table as soon as its last entry goes, and a
 * failed map unmaps what it did. So a present table entry always leads to a present leaf,
 * which keeps the "is anything mapped here" check of map short.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pasid/pasid_pgtbl.h"

#define E_P (1ULL << 0)
#define E_RW (1ULL << 1)
#define E_US (1ULL << 2)
#define E_A (1ULL << 5)
#define E_D (1ULL << 6)
#define E_PS (1ULL << 7)
#define E_EA (1ULL << 10)
#define E_XD (1ULL << 63)
#define E_ADDR 0x000ffffffffff000ULL
/* Bits a split copies from a large leaf to its smaller leaves: P R/W U/S PWT PCD A D EA XD. */
#define E_SPLIT_KEEP (0x1fULL | E_A | E_D | E_EA | E_XD)
/* Bits hardware may set under us; protect keeps them. */
#define E_HW_SET (E_A | E_D | E_EA)

#define MAX_LEVELS 5
#define SZ_1G_MASK (PASID_PGTBL_SZ_1G - 1)
#define PROT_ALL (PASID_PGTBL_READ | PASID_PGTBL_WRITE | PASID_PGTBL_USER | PASID_PGTBL_NOEXEC)
#define SIZES_ALL (PASID_PGTBL_SZ_4K | PASID_PGTBL_SZ_2M | PASID_PGTBL_SZ_1G)
#define FLAGS_ALL                                                                     \
	(PASID_PGTBL_NO_PRESET_A | PASID_PGTBL_NO_PRESET_D | PASID_PGTBL_INV_ON_MAP | \
	 PASID_PGTBL_DEFER_FREE)

struct pasid_pgtbl {
	const struct pasid_pgtbl_ops *ops;
	void *arg;
	uint64_t *root;
	uint64_t root_iova;
	unsigned int levels;
	unsigned int aw;
	unsigned int oaw;
	unsigned int flags;
	uint64_t sizes;
	/*
	 * Table pages unlinked by an unmap, waiting for the invalidation that covers them
	 * (PASID_PGTBL_DEFER_FREE). Chained through the pages themselves, so deferring never
	 * allocates: see release_table().
	 */
	uint64_t *deferred;
	uint64_t deferred_iova;
	size_t nr_deferred;
};

static unsigned int lshift(unsigned int level)
{
	return 12 + 9 * (level - 1);
}

static uint64_t lsize(unsigned int level)
{
	return 1ULL << lshift(level);
}

static unsigned int lidx(uint64_t va, unsigned int level)
{
	return (va >> lshift(level)) & 0x1ff;
}

static bool is_leaf(uint64_t e, unsigned int level)
{
	return level == 1 || (e & E_PS);
}

static uint64_t ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st(uint64_t *p, uint64_t v)
{
	/* Release: a new table's contents are visible before the entry that points at it. */
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint64_t *child(const struct pasid_pgtbl *pt, uint64_t e)
{
	return pt->ops->iova_to_va(pt->arg, e & E_ADDR);
}

static uint64_t canon(const struct pasid_pgtbl *pt, uint64_t x)
{
	return (uint64_t)((int64_t)(x << (64 - pt->aw)) >> (64 - pt->aw));
}

static uint64_t table_entry(const struct pasid_pgtbl *pt, uint64_t iova)
{
	/* Tables grant everything; the leaf alone decides (Linux does the same). */
	return iova | E_P | E_RW | E_US | ((pt->flags & PASID_PGTBL_NO_PRESET_A) ? 0 : E_A);
}

static uint64_t leaf_entry(const struct pasid_pgtbl *pt, uint64_t oa, unsigned int prot,
			   unsigned int level)
{
	uint64_t e = oa | E_P;

	if (level > 1)
		e |= E_PS;
	if (!(pt->flags & PASID_PGTBL_NO_PRESET_A))
		e |= E_A;
	if (prot & PASID_PGTBL_WRITE) {
		e |= E_RW;
		/* A preset D saves the device a locked update on its first write, as Linux does. */
		if (!(pt->flags & PASID_PGTBL_NO_PRESET_D))
			e |= E_D;
	}
	if (prot & PASID_PGTBL_USER)
		e |= E_US;
	if (prot & PASID_PGTBL_NOEXEC)
		e |= E_XD;
	return e;
}

static uint64_t leaf_oa(uint64_t e, unsigned int level)
{
	/* For 2M/1G leaves bit 12 is PAT, not address. */
	return e & E_ADDR & ~(lsize(level) - 1);
}

static unsigned int leaf_prot(uint64_t e)
{
	return PASID_PGTBL_READ | ((e & E_RW) ? PASID_PGTBL_WRITE : 0) |
	       ((e & E_US) ? PASID_PGTBL_USER : 0) | ((e & E_XD) ? PASID_PGTBL_NOEXEC : 0);
}

static uint64_t *alloc_table(const struct pasid_pgtbl *pt, uint64_t *iova)
{
	uint64_t *page = pt->ops->alloc(pt->arg, iova);

	/* An IOVA an entry cannot hold would silently point the hardware elsewhere. */
	if (page && ((*iova & 0xfff) || (*iova >> pt->oaw))) {
		pt->ops->free(pt->arg, page, *iova);
		return NULL;
	}
	return page;
}

/*
 * A table page that was reachable by hardware walks goes back to the allocator now, or, with
 * PASID_PGTBL_DEFER_FREE, after the caller's invalidation (pasid_pgtbl_reclaim()): until the
 * IOMMU's paging-structure caches are flushed a walk may still be inside the page, and if the
 * page were reused as another table that walk would follow the new table's entries.
 *
 * The chain link lives in entries 0 and 1 of the (empty) page itself: a host address and an
 * IOVA, both 4 KiB aligned, so bit 0 (P) is clear and a walker still inside the page sees two
 * not-present entries, exactly what the empty table showed it.
 */
static void release_table(struct pasid_pgtbl *pt, uint64_t *page, uint64_t iova)
{
	if (!(pt->flags & PASID_PGTBL_DEFER_FREE)) {
		pt->ops->free(pt->arg, page, iova);
		return;
	}
	st(&page[0], (uintptr_t)pt->deferred);
	st(&page[1], pt->deferred_iova);
	pt->deferred = page;
	pt->deferred_iova = iova;
	pt->nr_deferred++;
}

/**
 * pasid_pgtbl_reclaim() - give deferred table pages back to the allocator.
 * @pt: the table.
 *
 * Call once the invalidation of every range an unmap reported has completed (for a nested
 * binding: after IOMMU_HWPT_INVALIDATE returned). Without PASID_PGTBL_DEFER_FREE there is
 * never anything to reclaim.
 *
 * Return: the number of pages released.
 */
size_t pasid_pgtbl_reclaim(struct pasid_pgtbl *pt)
{
	size_t n = pt->nr_deferred;

	while (pt->deferred) {
		uint64_t *page = pt->deferred, iova = pt->deferred_iova;

		pt->deferred = (uint64_t *)(uintptr_t)page[0];
		pt->deferred_iova = page[1];
		/* Allocators hand out zeroed pages; the pool zeroes anyway, others may not. */
		page[0] = 0;
		page[1] = 0;
		pt->ops->free(pt->arg, page, iova);
	}
	pt->nr_deferred = 0;
	return n;
}

/**
 * pasid_pgtbl_deferred() - table pages waiting for pasid_pgtbl_reclaim().
 * @pt: the table.
 *
 * Return: the count.
 */
size_t pasid_pgtbl_deferred(const struct pasid_pgtbl *pt)
{
	return pt->nr_deferred;
}

/* Checks a VA range and converts it to the internal form [*s, *e]. */
static int check_va(const struct pasid_pgtbl *pt, uint64_t va, uint64_t len, uint64_t *s,
		    uint64_t *e)
{
	uint64_t last = va + len - 1;

	if (len - 1 > UINT64_MAX - va)
		return -ERANGE;
	if (canon(pt, va) != va || canon(pt, last) != last)
		return -ERANGE;
	/* Both ends canonical but in different halves: the range crosses the hole. */
	if (((va ^ last) >> (pt->aw - 1)) & 1)
		return -ERANGE;
	*s = va & ((1ULL << pt->aw) - 1);
	*e = last & ((1ULL << pt->aw) - 1);
	return 0;
}

/* Merges @i's neighbours into it until none overlaps or touches it. */
static void inv_coalesce(struct pasid_pgtbl_inv *inv, unsigned int i)
{
	unsigned int j = 0;

	while (j < inv->nr) {
		struct pasid_pgtbl_inv_range *a = &inv->range[i], *b = &inv->range[j];
		uint64_t ae = a->addr / 4096 + a->npages, be = b->addr / 4096 + b->npages;
		uint64_t lo, hi;

		if (j == i || b->addr / 4096 > ae || a->addr / 4096 > be) {
			j++;
			continue;
		}
		lo = a->addr < b->addr ? a->addr : b->addr;
		hi = ae > be ? ae : be;
		a->addr = lo;
		a->npages = hi - lo / 4096;
		a->leaf = a->leaf && b->leaf;
		inv->range[j] = inv->range[--inv->nr];
		if (i == inv->nr)
			i = j;
		j = 0;
	}
}

/**
 * pasid_pgtbl_inv_init() - empty an invalidation record.
 * @inv: the record.
 */
void pasid_pgtbl_inv_init(struct pasid_pgtbl_inv *inv)
{
	memset(inv, 0, sizeof(*inv));
}

/**
 * pasid_pgtbl_inv_add() - record that [@addr, @addr + @len) must be invalidated.
 * @inv: the record; NULL records nothing.
 * @addr: first address (rounded down to 4 KiB).
 * @len: bytes (the end is rounded up to 4 KiB); 0 records nothing.
 * @leaf: only leaf entries changed in the range (the VT-d invalidation hint may be used).
 *
 * Overlapping and adjacent ranges merge (LEAF survives only if both had it). When
 * PASID_PGTBL_INV_MAX disjoint ranges are full the record degrades to "everything".
 */
void pasid_pgtbl_inv_add(struct pasid_pgtbl_inv *inv, uint64_t addr, uint64_t len, bool leaf)
{
	uint64_t first, end;

	if (!inv || !len || inv->all)
		return;
	first = addr / 4096;
	end = first + (((addr & 0xfff) + len + 4095) / 4096);
	for (unsigned int i = 0; i < inv->nr; i++) {
		struct pasid_pgtbl_inv_range *r = &inv->range[i];
		uint64_t rf = r->addr / 4096, re = rf + r->npages;

		if (first > re || rf > end)
			continue;
		rf = rf < first ? rf : first;
		re = re > end ? re : end;
		r->addr = rf * 4096;
		r->npages = re - rf;
		r->leaf = r->leaf && leaf;
		inv_coalesce(inv, i);
		return;
	}
	if (inv->nr == PASID_PGTBL_INV_MAX) {
		inv->all = true;
		return;
	}
	inv->range[inv->nr++] = (struct pasid_pgtbl_inv_range){
		.addr = first * 4096,
		.npages = end - first,
		.leaf = leaf,
	};
}

/**
 * pasid_pgtbl_inv_to_vtd() - turn a record into IOMMU_HWPT_INVALIDATE entries.
 * @inv: the record.
 * @out: array of @max entries.
 * @max: its size.
 *
 * A record that overflowed, or that has more ranges than @max, becomes the single "all"
 * request of the uAPI (addr 0, npages U64_MAX, no LEAF).
 *
 * Return: entries written (0 when there is nothing to invalidate or @max is 0).
 */
unsigned int pasid_pgtbl_inv_to_vtd(const struct pasid_pgtbl_inv *inv,
				    struct iommu_hwpt_vtd_s1_invalidate *out, unsigned int max)
{
	if (!inv || !max || (!inv->all && !inv->nr))
		return 0;
	if (inv->all || inv->nr > max) {
		out[0] = (struct iommu_hwpt_vtd_s1_invalidate){ .addr = 0, .npages = UINT64_MAX };
		return 1;
	}
	for (unsigned int i = 0; i < inv->nr; i++)
		out[i] = (struct iommu_hwpt_vtd_s1_invalidate){
			.addr = inv->range[i].addr,
			.npages = inv->range[i].npages,
			.flags = inv->range[i].leaf ? IOMMU_VTD_INV_FLAGS_LEAF : 0,
		};
	return inv->nr;
}

/**
 * pasid_pgtbl_create() - allocate an empty first-stage table.
 * @cfg: its shape and allocator.
 * @out: the table.
 *
 * Return: 0; -EINVAL for a bad @cfg (width not 48/57, oa_width outside 12..52, unknown
 * page sizes or flags, missing ops); -ENOMEM.
 */
int pasid_pgtbl_create(const struct pasid_pgtbl_cfg *cfg, struct pasid_pgtbl **out)
{
	struct pasid_pgtbl *pt;

	if (!cfg || !out || !cfg->ops || !cfg->ops->alloc || !cfg->ops->free ||
	    !cfg->ops->iova_to_va)
		return -EINVAL;
	if ((cfg->addr_width != 48 && cfg->addr_width != 57) ||
	    (cfg->oa_width && (cfg->oa_width < 12 || cfg->oa_width > 52)) ||
	    (cfg->page_sizes & ~SIZES_ALL) || (cfg->flags & ~FLAGS_ALL))
		return -EINVAL;

	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->ops = cfg->ops;
	pt->arg = cfg->ops_arg;
	pt->aw = cfg->addr_width;
	pt->levels = cfg->addr_width == 57 ? 5 : 4;
	pt->oaw = cfg->oa_width ? cfg->oa_width : 52;
	pt->flags = cfg->flags;
	pt->sizes = (cfg->page_sizes ? cfg->page_sizes : SIZES_ALL) | PASID_PGTBL_SZ_4K;
	pt->root = alloc_table(pt, &pt->root_iova);
	if (!pt->root) {
		free(pt);
		return -ENOMEM;
	}
	*out = pt;
	return 0;
}

/**
 * pasid_pgtbl_root_iova() - the value for iommu_hwpt_vtd_s1.pgtbl_addr.
 * @pt: the table.
 *
 * Return: the IOVA of the top-level table.
 */
uint64_t pasid_pgtbl_root_iova(const struct pasid_pgtbl *pt)
{
	return pt->root_iova;
}

static void free_tree(struct pasid_pgtbl *pt, uint64_t *t, unsigned int level)
{
	for (unsigned int i = 0; i < 512 && level > 1; i++) {
		uint64_t e = t[i];

		if ((e & E_P) && !is_leaf(e, level)) {
			free_tree(pt, child(pt, e), level - 1);
			pt->ops->free(pt->arg, child(pt, e), e & E_ADDR);
		}
	}
}

/**
 * pasid_pgtbl_destroy() - free every table page (deferred ones included) and the table.
 * @pt: the table; NULL does nothing. It must no longer be in use by hardware.
 */
void pasid_pgtbl_destroy(struct pasid_pgtbl *pt)
{
	if (!pt)
		return;
	free_tree(pt, pt->root, pt->levels);
	pt->ops->free(pt->arg, pt->root, pt->root_iova);
	pasid_pgtbl_reclaim(pt);
	free(pt);
}

static bool any_present(const struct pasid_pgtbl *pt, const uint64_t *t, unsigned int level,
			uint64_t tbase, uint64_t s, uint64_t e)
{
	for (unsigned int i = lidx(s, level); i <= lidx(e, level); i++) {
		uint64_t ent = ld(&t[i]), ebase = tbase + ((uint64_t)i << lshift(level));
		uint64_t elast = ebase + lsize(level) - 1;

		if (!(ent & E_P))
			continue;
		if (is_leaf(ent, level))
			return true;
		if (any_present(pt, child(pt, ent), level - 1, ebase, s > ebase ? s : ebase,
				e < elast ? e : elast))
			return true;
	}
	return false;
}

static int install(struct pasid_pgtbl *pt, uint64_t va, uint64_t oa, unsigned int target,
		   unsigned int prot)
{
	uint64_t *t = pt->root;

	for (unsigned int level = pt->levels; level > target; level--) {
		uint64_t *pe = &t[lidx(va, level)], e = ld(pe);

		if (!(e & E_P)) {
			uint64_t iova;
			uint64_t *page = alloc_table(pt, &iova);

			if (!page)
				return -ENOMEM;
			st(pe, table_entry(pt, iova));
			t = page;
			continue;
		}
		if (is_leaf(e, level))
			return -EEXIST; /* excluded by any_present(); kept as a guard */
		t = child(pt, e);
	}
	st(&t[lidx(va, target)], leaf_entry(pt, oa, prot, target));
	return 0;
}

/* The largest allowed leaf size that va, oa and the remaining length allow, or 0. */
static unsigned int pick_level(uint64_t va, uint64_t oa, uint64_t rem, uint64_t sizes)
{
	for (unsigned int level = 3; level >= 1; level--) {
		uint64_t sz = lsize(level);

		if ((sizes & sz) && !((va | oa) & (sz - 1)) && rem >= sz)
			return level;
	}
	return 0;
}

/* State of one unmap or protect pass. */
struct rop {
	struct pasid_pgtbl *pt;
	bool unmap;
	unsigned int prot;
	struct pasid_pgtbl_inv *inv;
	int64_t bytes;
	/* Pages allocated before any change, consumed by splits. */
	unsigned int npre;
	uint64_t *pre[4];
	uint64_t pre_iova[4];
};

static bool table_empty(const uint64_t *t)
{
	for (unsigned int i = 0; i < 512; i++)
		if (ld(&t[i]))
			return false;
	return true;
}

/* Replaces the large leaf at @pe by a table of the next size down mapping the same. */
static uint64_t split(struct rop *r, uint64_t *pe, uint64_t ent, unsigned int level)
{
	uint64_t *page = r->pre[--r->npre], iova = r->pre_iova[r->npre];
	uint64_t newe = table_entry(r->pt, iova), sub = lsize(level - 1);

	do {
		/* Re-filled if hardware set A/D on the old leaf meanwhile, so no bit is lost. */
		for (unsigned int j = 0; j < 512; j++)
			page[j] = (leaf_oa(ent, level) + j * sub) | (ent & E_SPLIT_KEEP) |
				  (level - 1 > 1 ? E_PS : 0);
	} while (!__atomic_compare_exchange_n(pe, &ent, newe, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return newe;
}

static bool protect_leaf(struct rop *r, uint64_t *pe, unsigned int level)
{
	uint64_t old = ld(pe), new;

	do {
		new = leaf_entry(r->pt, leaf_oa(old, level), r->prot, level) | (old & E_HW_SET);
		if (new == old)
			return false;
	} while (!__atomic_compare_exchange_n(pe, &old, new, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return true;
}

static void rop_table(struct rop *r, uint64_t *t, unsigned int level, uint64_t tbase, uint64_t s,
		      uint64_t e)
{
	struct pasid_pgtbl *pt = r->pt;

	for (unsigned int i = lidx(s, level); i <= lidx(e, level); i++) {
		uint64_t *pe = &t[i], ent = ld(pe), ebase = tbase + ((uint64_t)i << lshift(level));
		uint64_t elast = ebase + lsize(level) - 1;
		uint64_t cs = s > ebase ? s : ebase, ce = e < elast ? e : elast;
		uint64_t *c;

		if (!(ent & E_P))
			continue;
		if (is_leaf(ent, level)) {
			if (cs == ebase && ce == elast) {
				if (r->unmap) {
					st(pe, 0);
					pasid_pgtbl_inv_add(r->inv, canon(pt, ebase), lsize(level),
							    true);
				} else if (protect_leaf(r, pe, level)) {
					pasid_pgtbl_inv_add(r->inv, canon(pt, ebase), lsize(level),
							    true);
				}
				r->bytes += lsize(level);
				continue;
			}
			/*
			 * A leaf turned into a table pointer is a non-leaf change: clear LEAF so
			 * no cache keeps anything derived from the old large entry.
			 */
			ent = split(r, pe, ent, level);
			pasid_pgtbl_inv_add(r->inv, canon(pt, cs), ce - cs + 1, false);
		}
		c = child(pt, ent);
		rop_table(r, c, level - 1, ebase, cs, ce);
		if (r->unmap && table_empty(c)) {
			/* A freed table may sit in paging-structure caches: non-leaf flush. */
			st(pe, 0);
			release_table(pt, c, ent & E_ADDR);
			pasid_pgtbl_inv_add(r->inv, canon(pt, cs), ce - cs + 1, false);
		}
	}
}

/* Level of the leaf mapping @b, or 0 when @b is not mapped. */
static unsigned int leaf_level_at(const struct pasid_pgtbl *pt, uint64_t b)
{
	const uint64_t *t = pt->root;

	for (unsigned int level = pt->levels; level >= 1; level--) {
		uint64_t ent = ld(&t[lidx(b, level)]);

		if (!(ent & E_P))
			return 0;
		if (is_leaf(ent, level))
			return level;
		t = child(pt, ent);
	}
	return 0;
}

/*
 * Exactly the pages the splits at the two ends of [s, e] take: a 1G leaf cut off its 2M
 * grid costs two (1G->2M, then 2M->4K), on its grid one; a cut 2M leaf one. Both ends in the
 * same leaf share the upper split. Counting exactly keeps -ENOMEM for real shortages only.
 */
static unsigned int splits_needed(const struct pasid_pgtbl *pt, uint64_t s, uint64_t e)
{
	uint64_t b[2] = { s, e + 1 }, big = UINT64_MAX, mid = UINT64_MAX;
	unsigned int n = 0, nb = e + 1 < (1ULL << pt->aw) ? 2 : 1;

	for (unsigned int k = 0; k < nb; k++) {
		unsigned int level = leaf_level_at(pt, b[k]);

		if (level < 2 || !(b[k] & (lsize(level) - 1)))
			continue;
		if (level == 3 && (b[k] & ~(SZ_1G_MASK)) != big) {
			big = b[k] & ~(SZ_1G_MASK);
			n++;
		}
		if ((b[k] & (lsize(2) - 1)) && (b[k] & ~(lsize(2) - 1)) != mid) {
			mid = b[k] & ~(lsize(2) - 1);
			n++;
		}
	}
	return n;
}

static int64_t rop_run(struct pasid_pgtbl *pt, bool unmap, unsigned int prot, uint64_t s,
		       uint64_t e, struct pasid_pgtbl_inv *inv)
{
	struct rop r = { .pt = pt, .unmap = unmap, .prot = prot, .inv = inv };
	unsigned int need = splits_needed(pt, s, e);

	/* Allocate every page a split may need first: a failure then changes nothing. */
	for (; r.npre < need; r.npre++) {
		r.pre[r.npre] = alloc_table(pt, &r.pre_iova[r.npre]);
		if (!r.pre[r.npre]) {
			while (r.npre--)
				pt->ops->free(pt->arg, r.pre[r.npre], r.pre_iova[r.npre]);
			return -ENOMEM;
		}
	}
	rop_table(&r, pt->root, pt->levels, 0, s, e);
	while (r.npre--)
		pt->ops->free(pt->arg, r.pre[r.npre], r.pre_iova[r.npre]);
	return r.bytes;
}

/**
 * pasid_pgtbl_map() - map [@va, @va + @len) to [@oa, @oa + @len) with @prot.
 * @pt: the table.
 * @va: first-stage input address, 4 KiB aligned, canonical.
 * @oa: output address, 4 KiB aligned, below 2^oa_width.
 * @len: bytes, a multiple of 4 KiB.
 * @prot: PASID_PGTBL_READ (required) | WRITE | USER | NOEXEC.
 * @page_sizes: leaf sizes allowed for this call (subset of the table's); 0 = the table's.
 *	Each step takes the largest allowed size that va/oa alignment and the remaining length
 *	permit.
 * @inv: invalidation record (NULL: none); written only with PASID_PGTBL_INV_ON_MAP, because
 *	VT-d does not cache non-present entries, or while undoing a failed map.
 *
 * Return: 0; -EINVAL, -ERANGE (see pasid_pgtbl.h), -EINVAL also when some step has no
 * allowed size; -EEXIST when anything in the range is mapped; -ENOMEM. On error nothing
 * is mapped.
 */
int pasid_pgtbl_map(struct pasid_pgtbl *pt, uint64_t va, uint64_t oa, uint64_t len,
		    unsigned int prot, uint64_t page_sizes, struct pasid_pgtbl_inv *inv)
{
	uint64_t s, e, off;
	int rc;

	if (!pt || !len || ((va | oa | len) & 0xfff) || !(prot & PASID_PGTBL_READ) ||
	    (prot & ~PROT_ALL))
		return -EINVAL;
	if (!page_sizes)
		page_sizes = pt->sizes;
	if (page_sizes & ~pt->sizes)
		return -EINVAL;
	if (len - 1 > UINT64_MAX - oa || ((oa + len - 1) >> pt->oaw))
		return -EINVAL;
	rc = check_va(pt, va, len, &s, &e);
	if (rc)
		return rc;
	for (off = 0; off < len; off += lsize(pick_level(s + off, oa + off, len - off, page_sizes)))
		if (!pick_level(s + off, oa + off, len - off, page_sizes))
			return -EINVAL;
	if (any_present(pt, pt->root, pt->levels, 0, s, e))
		return -EEXIST;

	for (off = 0; off < len;) {
		unsigned int level = pick_level(s + off, oa + off, len - off, page_sizes);

		rc = install(pt, s + off, oa + off, level, prot);
		if (rc) {
			/*
			 * The range was empty, so unmapping all of it restores the table, tables
			 * the failed step created included. It needs no split: every leaf in it
			 * is one of ours and lies wholly inside.
			 */
			rop_run(pt, true, 0, s, e, inv);
			return rc;
		}
		off += lsize(level);
	}
	if (pt->flags & PASID_PGTBL_INV_ON_MAP)
		pasid_pgtbl_inv_add(inv, va, len, true);
	return 0;
}

/**
 * pasid_pgtbl_unmap() - unmap whatever is mapped in [@va, @va + @len).
 * @pt: the table.
 * @va: 4 KiB aligned, canonical.
 * @len: bytes, a multiple of 4 KiB.
 * @inv: receives the ranges to invalidate: leaf-only for cleared leaves; LEAF clear where a
 *	table was freed or a large leaf split.
 *
 * A large leaf partly inside the range is split (2 MiB tables, then 4 KiB) and only the part
 * inside is unmapped. Tables left empty are freed (with PASID_PGTBL_DEFER_FREE: queued for
 * pasid_pgtbl_reclaim(), to be called after @inv has been invalidated).
 *
 * Return: bytes that were mapped and no longer are (0 if nothing was mapped); -EINVAL,
 * -ERANGE; -ENOMEM if a split could not get a page, with nothing changed.
 */
int64_t pasid_pgtbl_unmap(struct pasid_pgtbl *pt, uint64_t va, uint64_t len,
			  struct pasid_pgtbl_inv *inv)
{
	uint64_t s, e;
	int rc;

	if (!pt || !len || ((va | len) & 0xfff))
		return -EINVAL;
	rc = check_va(pt, va, len, &s, &e);
	if (rc)
		return rc;
	return rop_run(pt, true, 0, s, e, inv);
}

/**
 * pasid_pgtbl_protect() - change the permissions of what is mapped in [@va, @va + @len).
 * @pt: the table.
 * @va: 4 KiB aligned, canonical.
 * @len: bytes, a multiple of 4 KiB.
 * @prot: the new PASID_PGTBL_* permissions (READ required; use unmap to remove access).
 * @inv: receives leaf-only ranges for changed leaves, non-leaf ones where a leaf was split.
 *
 * Holes stay holes. A/D bits hardware has set are kept. Large leaves partly inside the range
 * are split as for unmap.
 *
 * Return: bytes mapped in the range (changed or already @prot); -EINVAL, -ERANGE; -ENOMEM
 * with nothing changed.
 */
int64_t pasid_pgtbl_protect(struct pasid_pgtbl *pt, uint64_t va, uint64_t len, unsigned int prot,
			    struct pasid_pgtbl_inv *inv)
{
	uint64_t s, e;
	int rc;

	if (!pt || !len || ((va | len) & 0xfff) || !(prot & PASID_PGTBL_READ) || (prot & ~PROT_ALL))
		return -EINVAL;
	rc = check_va(pt, va, len, &s, &e);
	if (rc)
		return rc;
	return rop_run(pt, false, prot, s, e, inv);
}

/**
 * pasid_pgtbl_lookup() - what the table maps at @va (as software sees it; no A/D, no checks).
 * @pt: the table.
 * @va: any canonical address.
 * @oa: if not NULL, the output address of @va (page base + offset).
 * @prot: if not NULL, the leaf's PASID_PGTBL_* permissions.
 * @page_size: if not NULL, the leaf size.
 *
 * Allocation-free.
 *
 * Return: 0; -ENOENT if not mapped; -EINVAL for NULL @pt; -ERANGE for a non-canonical @va.
 */
int pasid_pgtbl_lookup(const struct pasid_pgtbl *pt, uint64_t va, uint64_t *oa, unsigned int *prot,
		       uint64_t *page_size)
{
	const uint64_t *t;

	if (!pt)
		return -EINVAL;
	if (canon(pt, va) != va)
		return -ERANGE;
	t = pt->root;
	for (unsigned int level = pt->levels; level >= 1; level--) {
		uint64_t e = ld(&t[lidx(va, level)]);

		if (!(e & E_P))
			return -ENOENT;
		if (is_leaf(e, level)) {
			if (oa)
				*oa = leaf_oa(e, level) | (va & (lsize(level) - 1));
			if (prot)
				*prot = leaf_prot(e);
			if (page_size)
				*page_size = lsize(level);
			return 0;
		}
		t = child(pt, e);
	}
	return -ENOENT;
}

/* ---- pool allocator ------------------------------------------------------------------ */

struct pool_chunk {
	uint8_t *va;
	uint64_t iova;
	uint64_t *free_map; /* bit set = page free */
};

struct pasid_pgtbl_pool {
	size_t chunk_pages;
	unsigned int max_chunks;
	unsigned int nr_chunks;
	size_t in_use;
	const struct pasid_pgtbl_pool_ops *ops;
	void *arg;
	struct pool_chunk chunk[];
};

#define POOL_MAX_CHUNKS 64
#define POOL_MAX_CHUNK_PAGES (1UL << 20)

static int pool_grow(struct pasid_pgtbl_pool *pool)
{
	struct pool_chunk *c = &pool->chunk[pool->nr_chunks];
	size_t len = pool->chunk_pages * 4096, words = (pool->chunk_pages + 63) / 64;
	int rc;

	if (pool->nr_chunks == pool->max_chunks)
		return -ENOMEM;
	c->va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->va == MAP_FAILED)
		return -ENOMEM;
	c->free_map = calloc(words, sizeof(uint64_t));
	if (!c->free_map) {
		rc = -ENOMEM;
		goto out_unmap;
	}
	for (size_t i = 0; i < pool->chunk_pages; i++)
		c->free_map[i / 64] |= 1ULL << (i % 64);
	if (pool->ops && pool->ops->chunk_add) {
		rc = pool->ops->chunk_add(pool->arg, c->va, len, &c->iova);
		if (!rc && (c->iova & 0xfff))
			rc = -EINVAL;
		if (rc)
			goto out_free_map;
	} else {
		/* No IOAS: the identity, useful for tests and non-nested use. */
		c->iova = (uintptr_t)c->va;
	}
	pool->nr_chunks++;
	return 0;

out_free_map:
	free(c->free_map);
out_unmap:
	munmap(c->va, len);
	return rc;
}

static void *pool_alloc(void *arg, uint64_t *iova)
{
	struct pasid_pgtbl_pool *pool = arg;

	for (unsigned int pass = 0; pass < 2; pass++) {
		for (unsigned int ci = 0; ci < pool->nr_chunks; ci++) {
			struct pool_chunk *c = &pool->chunk[ci];

			for (size_t w = 0; w < (pool->chunk_pages + 63) / 64; w++) {
				size_t page;

				if (!c->free_map[w])
					continue;
				page = w * 64 + __builtin_ctzll(c->free_map[w]);
				c->free_map[w] &= c->free_map[w] - 1;
				pool->in_use++;
				memset(c->va + page * 4096, 0, 4096);
				*iova = c->iova + page * 4096;
				return c->va + page * 4096;
			}
		}
		if (pass || pool_grow(pool))
			return NULL;
	}
	return NULL;
}

static void pool_free(void *arg, void *page, uint64_t iova)
{
	struct pasid_pgtbl_pool *pool = arg;
	size_t len = pool->chunk_pages * 4096;

	for (unsigned int ci = 0; ci < pool->nr_chunks; ci++) {
		struct pool_chunk *c = &pool->chunk[ci];
		size_t i;

		if ((uint8_t *)page < c->va || (uint8_t *)page >= c->va + len)
			continue;
		i = ((uint8_t *)page - c->va) / 4096;
		/* A double free is ignored rather than corrupting the count. */
		if (!(c->free_map[i / 64] & (1ULL << (i % 64)))) {
			c->free_map[i / 64] |= 1ULL << (i % 64);
			pool->in_use--;
		}
		return;
	}
}

static void *pool_iova_to_va(void *arg, uint64_t iova)
{
	struct pasid_pgtbl_pool *pool = arg;
	size_t len = pool->chunk_pages * 4096;

	/* At most POOL_MAX_CHUNKS compares: bounded, no locks, no allocation. */
	for (unsigned int ci = 0; ci < pool->nr_chunks; ci++) {
		const struct pool_chunk *c = &pool->chunk[ci];

		if (iova >= c->iova && iova - c->iova < len)
			return c->va + (iova - c->iova);
	}
	return NULL;
}

static const struct pasid_pgtbl_ops pool_ops = {
	.alloc = pool_alloc,
	.free = pool_free,
	.iova_to_va = pool_iova_to_va,
};

/**
 * pasid_pgtbl_pool_ops() - the page-table ops backed by a pool (ops_arg: the pool).
 *
 * Return: a static ops table.
 */
const struct pasid_pgtbl_ops *pasid_pgtbl_pool_ops(void)
{
	return &pool_ops;
}

/**
 * pasid_pgtbl_pool_create() - a page pool for table pages.
 * @chunk_pages: pages per chunk (1..2^20); each chunk is one anonymous mapping.
 * @max_chunks: chunks the pool may grow to (1..64).
 * @ops: hooks giving each chunk its IOVA (NULL: IOVA = host address).
 * @arg: passed to @ops.
 * @out: the pool. Chunks are added on demand, the first one by the first allocation.
 *
 * Not thread-safe (the page table using it is serialised by its caller).
 *
 * Return: 0; -EINVAL for sizes out of range; -ENOMEM.
 */
int pasid_pgtbl_pool_create(size_t chunk_pages, unsigned int max_chunks,
			    const struct pasid_pgtbl_pool_ops *ops, void *arg,
			    struct pasid_pgtbl_pool **out)
{
	struct pasid_pgtbl_pool *pool;

	if (!out || !chunk_pages || chunk_pages > POOL_MAX_CHUNK_PAGES || !max_chunks ||
	    max_chunks > POOL_MAX_CHUNKS)
		return -EINVAL;
	pool = calloc(1, sizeof(*pool) + max_chunks * sizeof(pool->chunk[0]));
	if (!pool)
		return -ENOMEM;
	pool->chunk_pages = chunk_pages;
	pool->max_chunks = max_chunks;
	pool->ops = ops;
	pool->arg = arg;
	*out = pool;
	return 0;
}

/**
 * pasid_pgtbl_pool_destroy() - release every chunk (calling chunk_del first) and the pool.
 * @pool: the pool; NULL does nothing. Tables using it must be destroyed already.
 */
void pasid_pgtbl_pool_destroy(struct pasid_pgtbl_pool *pool)
{
	if (!pool)
		return;
	for (unsigned int ci = 0; ci < pool->nr_chunks; ci++) {
		struct pool_chunk *c = &pool->chunk[ci];

		if (pool->ops && pool->ops->chunk_del)
			pool->ops->chunk_del(pool->arg, c->va, pool->chunk_pages * 4096, c->iova);
		munmap(c->va, pool->chunk_pages * 4096);
		free(c->free_map);
	}
	free(pool);
}

/**
 * pasid_pgtbl_pool_in_use() - pages currently allocated from @pool.
 * @pool: the pool.
 *
 * Return: the count.
 */
size_t pasid_pgtbl_pool_in_use(const struct pasid_pgtbl_pool *pool)
{
	return pool->in_use;
}
