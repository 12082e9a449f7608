// SPDX-License-Identifier: MIT
/*
 * pasid_pgtbl: the builder's tables, read back raw (hand-computed u64 values), through
 * lookup, and through the hardware walker; page-size choice, splits and their invalidation
 * ranges, errors leaving the table untouched, 5-level tables, and a randomized cross-check
 * against a flat reference model.
 *
 * Entry bits: P=0x1 RW=0x2 US=0x4 A=0x20 D=0x40 PS=0x80 XD=1<<63.
 */
#include <errno.h>

#include "pasid/pasid_pgtbl.h"
#include "sim/iommu/vtd_s1.h"
#include "t_helpers.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
#define RWU (PASID_PGTBL_READ | PASID_PGTBL_WRITE | PASID_PGTBL_USER)
#define RU (PASID_PGTBL_READ | PASID_PGTBL_USER)

/* The pool's chunks get IOVAs from a fake IOAS starting at 16 GiB, 1 GiB apart. */
static unsigned int chunks_added, chunks_deleted;

static int chunk_add(void *arg, void *va, size_t len, uint64_t *iova)
{
	(void)arg;
	(void)va;
	(void)len;
	*iova = 0x400000000ULL + (uint64_t)chunks_added++ * SZ_1G;
	return 0;
}

static void chunk_del(void *arg, void *va, size_t len, uint64_t iova)
{
	(void)arg;
	(void)va;
	(void)len;
	(void)iova;
	chunks_deleted++;
}

static const struct pasid_pgtbl_pool_ops chunk_ops = { chunk_add, chunk_del };

/* An allocator over the pool that can be told to fail. */
static struct pasid_pgtbl_pool *pool;
static int alloc_budget = -1; /* < 0: unlimited */

static void *f_alloc(void *arg, uint64_t *iova)
{
	(void)arg;
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return pasid_pgtbl_pool_ops()->alloc(pool, iova);
}

static void f_free(void *arg, void *page, uint64_t iova)
{
	(void)arg;
	pasid_pgtbl_pool_ops()->free(pool, page, iova);
}

static void *f_iova_to_va(void *arg, uint64_t iova)
{
	(void)arg;
	return pasid_pgtbl_pool_ops()->iova_to_va(pool, iova);
}

static const struct pasid_pgtbl_ops fops = { f_alloc, f_free, f_iova_to_va };

static uint64_t *s1_fetch(void *arg, uint64_t addr, bool write, int *s2)
{
	(void)arg;
	(void)write;
	(void)s2;
	return pasid_pgtbl_pool_ops()->iova_to_va(pool, addr);
}

static struct pasid_pgtbl *mk(unsigned int aw, unsigned int flags, uint64_t sizes)
{
	struct pasid_pgtbl_cfg cfg = {
		.addr_width = aw, .page_sizes = sizes, .flags = flags, .ops = &fops
	};
	struct pasid_pgtbl *pt = NULL;

	T_EQ(pasid_pgtbl_create(&cfg, &pt), 0);
	return pt;
}

static struct sim_vtd_s1_cfg walker(struct pasid_pgtbl *pt, unsigned int aw)
{
	return (struct sim_vtd_s1_cfg){
		.pgtbl_addr = pasid_pgtbl_root_iova(pt),
		.addr_width = aw,
		.caps = SIM_VTD_S1_CAPS_ALL,
		.fetch = s1_fetch,
	};
}

/* The raw entry at @level for @va, read by hand from table memory. */
static uint64_t raw(struct pasid_pgtbl *pt, unsigned int levels, uint64_t va, unsigned int level)
{
	uint64_t *t = f_iova_to_va(NULL, pasid_pgtbl_root_iova(pt));

	for (unsigned int l = levels;; l--) {
		uint64_t e = t[(va >> (12 + 9 * (l - 1))) & 0x1ff];

		if (l == level || !(e & 1))
			return e;
		t = f_iova_to_va(NULL, e & 0x000ffffffffff000ULL);
	}
}

static void test_raw_entries(void)
{
	struct pasid_pgtbl *pt = mk(48, 0, 0);
	uint64_t pdpt, pd, ptbl;

	/* 4K RW user at VA 0x1000 -> 0x5000: leaf 0x5000|P|RW|US|A|D = 0x5067. */
	T_EQ(pasid_pgtbl_map(pt, 0x1000, 0x5000, SZ_4K, RWU, 0, NULL), 0);
	pdpt = raw(pt, 4, 0x1000, 4);
	pd = raw(pt, 4, 0x1000, 3);
	ptbl = raw(pt, 4, 0x1000, 2);
	/* Tables: IOVA | P|RW|US|A = 0x27, IOVAs from the fake IOAS at 16 GiB. */
	T_EQ(pdpt & 0xfff, 0x27);
	T_EQ(pd & 0xfff, 0x27);
	T_EQ(ptbl & 0xfff, 0x27);
	T_CHECK((pdpt & ~0xfffULL) >= 0x400000000ULL && (pdpt & ~0xfffULL) < 0x440000000ULL);
	T_EQ(raw(pt, 4, 0x1000, 1), 0x5067);
	/* Read-only user: P|US|A = 0x25. No-exec adds bit 63. */
	T_EQ(pasid_pgtbl_map(pt, 0x2000, 0x6000, SZ_4K, RU, 0, NULL), 0);
	T_EQ(raw(pt, 4, 0x2000, 1), 0x6025);
	T_EQ(pasid_pgtbl_map(pt, 0x3000, 0x7000, SZ_4K, RU | PASID_PGTBL_NOEXEC, 0, NULL), 0);
	T_EQ(raw(pt, 4, 0x3000, 1), 0x8000000000007025ULL);
	/* Supervisor (no USER) writable: P|RW|A|D = 0x63. */
	T_EQ(pasid_pgtbl_map(pt, 0x4000, 0x8000, SZ_4K, PASID_PGTBL_READ | PASID_PGTBL_WRITE, 0,
			     NULL),
	     0);
	T_EQ(raw(pt, 4, 0x4000, 1), 0x8063);
	/* 2M at VA 0x40000000 -> 0x80000000 RW: 0x80000000|PS|D|A|US|RW|P = 0x800000e7. */
	T_EQ(pasid_pgtbl_map(pt, 0x40000000, 0x80000000, SZ_2M, RWU, 0, NULL), 0);
	T_EQ(raw(pt, 4, 0x40000000, 2), 0x800000e7);
	/* 1G at VA 0x80000000 -> 0x1c0000000 read-only: 0x1c0000000|PS|A|US|P = 0x1c00000a5. */
	T_EQ(pasid_pgtbl_map(pt, 0x80000000, 0x1c0000000ULL, SZ_1G, RU, 0, NULL), 0);
	T_EQ(raw(pt, 4, 0x80000000, 3), 0x1c00000a5ULL);

	/* Walker agrees (it reads the same memory through the IOVAs). */
	struct sim_vtd_s1_cfg w = walker(pt, 48);
	struct sim_vtd_s1_result r;

	T_EQ(sim_vtd_s1_walk(&w, 0x1abc, SIM_VTD_S1_ACC_WRITE, &r), 0);
	T_EQ(r.oa, 0x5abc);
	T_EQ(sim_vtd_s1_walk(&w, 0x40123456, 0, &r), 0);
	T_EQ(r.oa, 0x80123456);
	T_EQ(r.page_size, SZ_2M);
	T_EQ(sim_vtd_s1_walk(&w, 0x87654321, 0, &r), 0);
	T_EQ(r.oa, 0x1c7654321ULL);
	T_EQ(r.page_size, SZ_1G);
	T_EQ(sim_vtd_s1_walk(&w, 0x80000000, SIM_VTD_S1_ACC_WRITE, &r), -EFAULT);
	T_EQ(r.fault, SIM_VTD_S1_FAULT_WRITE);
	/* Supervisor page and a user request (SRE=0): U/S fault at the leaf. */
	T_EQ(sim_vtd_s1_walk(&w, 0x4000, 0, &r), -EFAULT);
	T_EQ(r.fault, SIM_VTD_S1_FAULT_PRIV);
	T_EQ(r.level, 1);
	pasid_pgtbl_destroy(pt);

	/* No presets: tables P|RW|US = 0x07, writable leaf 0x07. Hardware then sets A/D. */
	pt = mk(48, PASID_PGTBL_NO_PRESET_A | PASID_PGTBL_NO_PRESET_D, 0);
	T_EQ(pasid_pgtbl_map(pt, 0x1000, 0x5000, SZ_4K, RWU, 0, NULL), 0);
	T_EQ(raw(pt, 4, 0x1000, 4) & 0xfff, 0x07);
	T_EQ(raw(pt, 4, 0x1000, 1), 0x5007);
	w = walker(pt, 48);
	T_EQ(sim_vtd_s1_walk(&w, 0x1000, SIM_VTD_S1_ACC_WRITE | SIM_VTD_S1_ACC_SET_AD, &r), 0);
	T_EQ(raw(pt, 4, 0x1000, 1), 0x5067);
	T_EQ(raw(pt, 4, 0x1000, 2) & 0xfff, 0x27);
	/* protect keeps the bits hardware set: RO now, A|D stay: 0x5000|P|US|A|D = 0x5065. */
	T_EQ(pasid_pgtbl_protect(pt, 0x1000, SZ_4K, RU, NULL), SZ_4K);
	T_EQ(raw(pt, 4, 0x1000, 1), 0x5065);
	pasid_pgtbl_destroy(pt);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 0);
}

static void test_page_sizes(void)
{
	struct pasid_pgtbl *pt = mk(48, 0, 0);
	uint64_t oa, ps;
	unsigned int prot;

	/* 1G + 2M + 4K, all aligned: one leaf of each. */
	T_EQ(pasid_pgtbl_map(pt, SZ_1G, 2 * SZ_1G, SZ_1G + SZ_2M + SZ_4K, RWU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_lookup(pt, SZ_1G + 0x1234, &oa, &prot, &ps), 0);
	T_EQ(ps, SZ_1G);
	T_EQ(oa, 2 * SZ_1G + 0x1234);
	T_EQ(prot, RWU);
	T_EQ(pasid_pgtbl_lookup(pt, 2 * SZ_1G + 0x10, &oa, NULL, &ps), 0);
	T_EQ(ps, SZ_2M);
	T_EQ(oa, 3 * SZ_1G + 0x10);
	T_EQ(pasid_pgtbl_lookup(pt, 2 * SZ_1G + SZ_2M, &oa, NULL, &ps), 0);
	T_EQ(ps, SZ_4K);
	T_EQ(oa, 3 * SZ_1G + SZ_2M);
	T_EQ(pasid_pgtbl_lookup(pt, 2 * SZ_1G + SZ_2M + SZ_4K, NULL, NULL, NULL), -ENOENT);

	/* va and oa differently aligned: 4K only. */
	T_EQ(pasid_pgtbl_map(pt, 8 * SZ_1G, 16 * SZ_1G + SZ_4K, 2 * SZ_2M, RWU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_lookup(pt, 8 * SZ_1G + SZ_2M, &oa, NULL, &ps), 0);
	T_EQ(ps, SZ_4K);
	T_EQ(oa, 16 * SZ_1G + SZ_4K + SZ_2M);
	/* Head 4K pages up to the 2M boundary, then 2M. */
	T_EQ(pasid_pgtbl_map(pt, 12 * SZ_1G - SZ_4K, 20 * SZ_1G - SZ_4K, SZ_4K + SZ_2M, RWU, 0,
			     NULL),
	     0);
	T_EQ(pasid_pgtbl_lookup(pt, 12 * SZ_1G - SZ_4K, NULL, NULL, &ps), 0);
	T_EQ(ps, SZ_4K);
	T_EQ(pasid_pgtbl_lookup(pt, 12 * SZ_1G, &oa, NULL, &ps), 0);
	T_EQ(ps, SZ_2M);
	T_EQ(oa, 20 * SZ_1G);
	/* Only 4K|2M allowed by the call: a 1G-aligned GiB becomes 512 2M leaves. */
	T_EQ(pasid_pgtbl_map(pt, 30 * SZ_1G, 30 * SZ_1G, SZ_1G, RWU,
			     PASID_PGTBL_SZ_4K | PASID_PGTBL_SZ_2M, NULL),
	     0);
	T_EQ(pasid_pgtbl_lookup(pt, 30 * SZ_1G + SZ_1G - 1, &oa, NULL, &ps), 0);
	T_EQ(ps, SZ_2M);
	T_EQ(oa, 31 * SZ_1G - 1);
	/* 2M only and a range 2M cannot tile. */
	T_EQ(pasid_pgtbl_map(pt, 40 * SZ_1G, 40 * SZ_1G, SZ_4K, RWU, PASID_PGTBL_SZ_2M, NULL),
	     -EINVAL);
	pasid_pgtbl_destroy(pt);

	/* A table without 1G support refuses 1G in a call and never picks it. */
	pt = mk(48, 0, PASID_PGTBL_SZ_4K | PASID_PGTBL_SZ_2M);
	T_EQ(pasid_pgtbl_map(pt, SZ_1G, SZ_1G, SZ_1G, RWU, PASID_PGTBL_SZ_1G, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_map(pt, SZ_1G, SZ_1G, SZ_1G, RWU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_lookup(pt, SZ_1G, NULL, NULL, &ps), 0);
	T_EQ(ps, SZ_2M);
	pasid_pgtbl_destroy(pt);
}

static void test_split_and_inv(void)
{
	struct pasid_pgtbl *pt = mk(48, 0, 0);
	struct pasid_pgtbl_inv inv;
	struct iommu_hwpt_vtd_s1_invalidate vi[PASID_PGTBL_INV_MAX];
	size_t base = pasid_pgtbl_pool_in_use(pool);
	uint64_t oa, ps;
	unsigned int prot;

	/* 2M at 0x200000 -> 0x600000; unmap its second 4K page. */
	T_EQ(pasid_pgtbl_map(pt, SZ_2M, 3 * SZ_2M, SZ_2M, RWU, 0, NULL), 0);
	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_unmap(pt, SZ_2M + SZ_4K, SZ_4K, &inv), SZ_4K);
	T_EQ(pasid_pgtbl_lookup(pt, SZ_2M, &oa, NULL, &ps), 0);
	T_EQ(oa, 3 * SZ_2M);
	T_EQ(ps, SZ_4K);
	T_EQ(pasid_pgtbl_lookup(pt, SZ_2M + SZ_4K, NULL, NULL, NULL), -ENOENT);
	T_EQ(pasid_pgtbl_lookup(pt, SZ_2M + 2 * SZ_4K, &oa, NULL, &ps), 0);
	T_EQ(oa, 3 * SZ_2M + 2 * SZ_4K);
	/* The split PDE now points at a table: P|RW|US|A, no PS. */
	T_EQ(raw(pt, 4, SZ_2M, 2) & 0xfff, 0x27);
	/* 4K at 0x201000 to invalidate, non-leaf because the 2M leaf became a table. */
	T_EQ(pasid_pgtbl_inv_to_vtd(&inv, vi, PASID_PGTBL_INV_MAX), 1);
	T_EQ(vi[0].addr, 0x201000);
	T_EQ(vi[0].npages, 1);
	T_EQ(vi[0].flags, 0);

	/* Unmap one more 4K in the (still populated) table: leaf-only. */
	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_unmap(pt, SZ_2M + 4 * SZ_4K, 2 * SZ_4K, &inv), 2 * SZ_4K);
	T_EQ(pasid_pgtbl_inv_to_vtd(&inv, vi, PASID_PGTBL_INV_MAX), 1);
	T_EQ(vi[0].addr, SZ_2M + 4 * SZ_4K);
	T_EQ(vi[0].npages, 2);
	T_EQ(vi[0].flags, IOMMU_VTD_INV_FLAGS_LEAF);

	/* Unmap the whole 2M: 509 pages were left, then the PT, PD, PDPT become empty. */
	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_unmap(pt, SZ_2M, SZ_2M, &inv), SZ_2M - 3 * SZ_4K);
	T_EQ(pasid_pgtbl_pool_in_use(pool), base);
	T_EQ(pasid_pgtbl_inv_to_vtd(&inv, vi, PASID_PGTBL_INV_MAX), 1);
	T_EQ(vi[0].addr, SZ_2M);
	T_EQ(vi[0].npages, 512);
	T_EQ(vi[0].flags, 0);
	/* Unmapping nothing: 0 bytes, nothing to invalidate. */
	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_unmap(pt, SZ_2M, SZ_2M, &inv), 0);
	T_EQ(pasid_pgtbl_inv_to_vtd(&inv, vi, PASID_PGTBL_INV_MAX), 0);

	/* 1G at 1G -> 4G; protect one 4K at 1G + 2M + 4K read-only: 1G -> 2M -> 4K. */
	T_EQ(pasid_pgtbl_map(pt, SZ_1G, 4 * SZ_1G, SZ_1G, RWU, 0, NULL), 0);
	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_protect(pt, SZ_1G + SZ_2M + SZ_4K, SZ_4K, RU, &inv), SZ_4K);
	T_EQ(pasid_pgtbl_lookup(pt, SZ_1G, &oa, &prot, &ps), 0);
	T_EQ(ps, SZ_2M);
	T_EQ(prot, RWU);
	T_EQ(pasid_pgtbl_lookup(pt, SZ_1G + SZ_2M + SZ_4K + 8, &oa, &prot, &ps), 0);
	T_EQ(ps, SZ_4K);
	T_EQ(prot, RU);
	T_EQ(oa, 4 * SZ_1G + SZ_2M + SZ_4K + 8);
	T_EQ(pasid_pgtbl_lookup(pt, SZ_1G + SZ_2M + 2 * SZ_4K, NULL, &prot, &ps), 0);
	T_EQ(prot, RWU);
	/* The 1G->2M split PDE at 1G+2M was itself split: raw leaf 4G+2M+4K | P|US|A|D. */
	T_EQ(raw(pt, 4, SZ_1G + SZ_2M + SZ_4K, 1), 4 * SZ_1G + SZ_2M + SZ_4K + 0x65);
	T_EQ(raw(pt, 4, SZ_1G + 4 * SZ_2M, 2), 4 * SZ_1G + 4 * SZ_2M + 0xe7);
	T_EQ(pasid_pgtbl_inv_to_vtd(&inv, vi, PASID_PGTBL_INV_MAX), 1);
	T_EQ(vi[0].addr, SZ_1G + SZ_2M + SZ_4K);
	T_EQ(vi[0].npages, 1);
	T_EQ(vi[0].flags, 0);
	/* Protect a whole 2M leaf: stays 2M, leaf-only invalidation. */
	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_protect(pt, SZ_1G + 8 * SZ_2M, SZ_2M, RU, &inv), SZ_2M);
	T_EQ(pasid_pgtbl_lookup(pt, SZ_1G + 8 * SZ_2M, NULL, &prot, &ps), 0);
	T_EQ(ps, SZ_2M);
	T_EQ(prot, RU);
	T_EQ(pasid_pgtbl_inv_to_vtd(&inv, vi, PASID_PGTBL_INV_MAX), 1);
	T_EQ(vi[0].addr, SZ_1G + 8 * SZ_2M);
	T_EQ(vi[0].npages, 512);
	T_EQ(vi[0].flags, IOMMU_VTD_INV_FLAGS_LEAF);
	/* Same prot again: nothing changes, nothing to invalidate. */
	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_protect(pt, SZ_1G + 8 * SZ_2M, SZ_2M, RU, &inv), SZ_2M);
	T_EQ(pasid_pgtbl_inv_to_vtd(&inv, vi, PASID_PGTBL_INV_MAX), 0);

	/* ENOMEM on a split: nothing changes. 1G at 2G; unmap 4K inside needs 2 pages. */
	T_EQ(pasid_pgtbl_map(pt, 2 * SZ_1G, 8 * SZ_1G, SZ_1G, RWU, 0, NULL), 0);
	size_t before = pasid_pgtbl_pool_in_use(pool);

	alloc_budget = 1;
	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_unmap(pt, 2 * SZ_1G + SZ_2M + SZ_4K, SZ_4K, &inv), -ENOMEM);
	T_EQ(pasid_pgtbl_protect(pt, 2 * SZ_1G + SZ_4K, SZ_4K, RU, &inv), -ENOMEM);
	alloc_budget = -1;
	T_EQ(pasid_pgtbl_pool_in_use(pool), before);
	T_EQ(pasid_pgtbl_lookup(pt, 2 * SZ_1G + SZ_2M + SZ_4K, NULL, &prot, &ps), 0);
	T_EQ(ps, SZ_1G);
	T_EQ(prot, RWU);
	T_EQ(inv.nr, 0);
	/* Exactly two pages suffice for it (1G->2M, 2M->4K), both ends sharing them. */
	alloc_budget = 2;
	T_EQ(pasid_pgtbl_unmap(pt, 2 * SZ_1G + SZ_2M + SZ_4K, SZ_4K, NULL), SZ_4K);
	alloc_budget = -1;
	T_EQ(pasid_pgtbl_lookup(pt, 2 * SZ_1G + SZ_2M + SZ_4K, NULL, NULL, NULL), -ENOENT);
	T_EQ(pasid_pgtbl_lookup(pt, 2 * SZ_1G + SZ_2M + 2 * SZ_4K, NULL, NULL, &ps), 0);
	T_EQ(ps, SZ_4K);
	T_EQ(pasid_pgtbl_lookup(pt, 2 * SZ_1G + 2 * SZ_2M, NULL, NULL, &ps), 0);
	T_EQ(ps, SZ_2M);
	T_EQ(pasid_pgtbl_map(pt, 2 * SZ_1G + SZ_2M + SZ_4K, 0x1000, SZ_4K, RWU, 0, NULL), 0);
	/* And one for a 2M-aligned split of a 1G leaf (at 3G, mapped afresh). */
	T_EQ(pasid_pgtbl_map(pt, 3 * SZ_1G, 8 * SZ_1G, SZ_1G, RWU, 0, NULL), 0);
	alloc_budget = 1;
	T_EQ(pasid_pgtbl_unmap(pt, 3 * SZ_1G, SZ_2M, NULL), SZ_2M);
	alloc_budget = -1;
	T_EQ(pasid_pgtbl_lookup(pt, 3 * SZ_1G + SZ_2M, NULL, NULL, &ps), 0);
	T_EQ(ps, SZ_2M);

	/* ENOMEM during map: a fresh PML4 slot needs PDPT+PD+PT; allow 2. */
	before = pasid_pgtbl_pool_in_use(pool);
	alloc_budget = 2;
	T_EQ(pasid_pgtbl_map(pt, 0x7f0000000000, 0, 3 * SZ_4K, RWU, 0, NULL), -ENOMEM);
	alloc_budget = -1;
	T_EQ(pasid_pgtbl_pool_in_use(pool), before);
	T_EQ(pasid_pgtbl_lookup(pt, 0x7f0000000000, NULL, NULL, NULL), -ENOENT);
	T_EQ(raw(pt, 4, 0x7f0000000000, 4), 0);

	pasid_pgtbl_destroy(pt);
}

static void test_errors(void)
{
	struct pasid_pgtbl *pt = mk(48, 0, 0);
	struct pasid_pgtbl_cfg cfg = { .addr_width = 48, .ops = &fops };
	struct pasid_pgtbl *bad;
	size_t before;

	T_EQ(pasid_pgtbl_map(pt, SZ_2M + SZ_4K, 0x9000, SZ_4K, RWU, 0, NULL), 0);
	before = pasid_pgtbl_pool_in_use(pool);
	/* Over a present 4K, directly or inside a larger range: -EEXIST, nothing mapped. */
	T_EQ(pasid_pgtbl_map(pt, SZ_2M + SZ_4K, 0xa000, SZ_4K, RWU, 0, NULL), -EEXIST);
	T_EQ(pasid_pgtbl_map(pt, SZ_2M, SZ_2M, SZ_2M, RWU, 0, NULL), -EEXIST);
	T_EQ(pasid_pgtbl_map(pt, 0, 0, 2 * SZ_2M, RWU, 0, NULL), -EEXIST);
	T_EQ(pasid_pgtbl_lookup(pt, 0, NULL, NULL, NULL), -ENOENT);
	T_EQ(pasid_pgtbl_lookup(pt, SZ_2M, NULL, NULL, NULL), -ENOENT);
	T_EQ(pasid_pgtbl_pool_in_use(pool), before);

	/* Alignment, length, prot. */
	T_EQ(pasid_pgtbl_map(pt, 0x1001, 0, SZ_4K, RWU, 0, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_map(pt, 0x1000, 0x10, SZ_4K, RWU, 0, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_map(pt, 0x1000, 0, 100, RWU, 0, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_map(pt, 0x1000, 0, 0, RWU, 0, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_map(pt, 0x1000, 0, SZ_4K, PASID_PGTBL_WRITE, 0, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_map(pt, 0x1000, 0, SZ_4K, RWU | 0x100, 0, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_map(pt, 0x1000, 0, SZ_4K, RWU, 1ULL << 39, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_unmap(pt, 0x1800, SZ_4K, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_protect(pt, 0x1000, SZ_4K, 0, NULL), -EINVAL);
	/* Output address beyond 52 bits, or reaching past it. */
	T_EQ(pasid_pgtbl_map(pt, 0x1000, 1ULL << 52, SZ_4K, RWU, 0, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_map(pt, 0x1000, (1ULL << 52) - SZ_4K, 2 * SZ_4K, RWU, 0, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_map(pt, 0x1000, (1ULL << 52) - SZ_4K, SZ_4K, RWU, 0, NULL), 0);
	/* VA: non-canonical, beyond the width, crossing the hole, wrapping: -ERANGE. */
	T_EQ(pasid_pgtbl_map(pt, 1ULL << 47, 0, SZ_4K, RWU, 0, NULL), -ERANGE);
	T_EQ(pasid_pgtbl_map(pt, 1ULL << 48, 0, SZ_4K, RWU, 0, NULL), -ERANGE);
	T_EQ(pasid_pgtbl_map(pt, (1ULL << 47) - SZ_4K, 0, 2 * SZ_4K, RWU, 0, NULL), -ERANGE);
	T_EQ(pasid_pgtbl_unmap(pt, 0xfffffffffffff000ULL, 2 * SZ_4K, NULL), -ERANGE);
	T_EQ(pasid_pgtbl_lookup(pt, 1ULL << 47, NULL, NULL, NULL), -ERANGE);
	/* The canonical upper half works; its invalidation address is canonical too. */
	struct pasid_pgtbl_inv inv;

	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_map(pt, 0xfffffffffffff000ULL, 0x5000, SZ_4K, RWU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_unmap(pt, 0xfffffffffffff000ULL, SZ_4K, &inv), SZ_4K);
	T_EQ(inv.nr, 1);
	T_EQ(inv.range[0].addr, 0xfffffffffffff000ULL);
	T_EQ(inv.range[0].npages, 1);

	/* Bad configurations. */
	cfg.addr_width = 39;
	T_EQ(pasid_pgtbl_create(&cfg, &bad), -EINVAL);
	cfg.addr_width = 48;
	cfg.oa_width = 60;
	T_EQ(pasid_pgtbl_create(&cfg, &bad), -EINVAL);
	cfg.oa_width = 40;
	cfg.page_sizes = 1ULL << 13;
	T_EQ(pasid_pgtbl_create(&cfg, &bad), -EINVAL);
	cfg.page_sizes = 0;
	T_EQ(pasid_pgtbl_create(&cfg, &bad), 0);
	T_EQ(pasid_pgtbl_map(bad, 0, 1ULL << 40, SZ_4K, RWU, 0, NULL), -EINVAL);
	T_EQ(pasid_pgtbl_map(bad, 0, (1ULL << 40) - SZ_4K, SZ_4K, RWU, 0, NULL), 0);
	pasid_pgtbl_destroy(bad);
	pasid_pgtbl_destroy(pt);
}

static void test_inv_merge(void)
{
	struct pasid_pgtbl_inv inv;
	struct iommu_hwpt_vtd_s1_invalidate vi[4];

	pasid_pgtbl_inv_init(&inv);
	pasid_pgtbl_inv_add(&inv, 0x10000, 0x2000, true);
	pasid_pgtbl_inv_add(&inv, 0x20000, 0x1000, true);
	pasid_pgtbl_inv_add(&inv, 0x12000, 0x1000, true); /* touches the first */
	T_EQ(inv.nr, 2);
	pasid_pgtbl_inv_add(&inv, 0x13000, 0xd000, false); /* bridges both, non-leaf */
	T_EQ(inv.nr, 1);
	T_EQ(inv.range[0].addr, 0x10000);
	T_EQ(inv.range[0].npages, 0x11);
	T_EQ(inv.range[0].leaf, false);
	/* Unaligned input is widened to whole pages. */
	pasid_pgtbl_inv_init(&inv);
	pasid_pgtbl_inv_add(&inv, 0x1ff0, 0x20, true);
	T_EQ(inv.range[0].addr, 0x1000);
	T_EQ(inv.range[0].npages, 2);
	/* Overflow: everything. */
	pasid_pgtbl_inv_init(&inv);
	for (unsigned int i = 0; i <= PASID_PGTBL_INV_MAX; i++)
		pasid_pgtbl_inv_add(&inv, i * 0x10000, 0x1000, true);
	T_CHECK(inv.all);
	T_EQ(pasid_pgtbl_inv_to_vtd(&inv, vi, 4), 1);
	T_EQ(vi[0].addr, 0);
	T_EQ(vi[0].npages, -1);
	T_EQ(vi[0].flags, 0);
	/* More ranges than the caller's array: everything as well. */
	pasid_pgtbl_inv_init(&inv);
	for (unsigned int i = 0; i < 3; i++)
		pasid_pgtbl_inv_add(&inv, i * 0x10000, 0x1000, true);
	T_EQ(pasid_pgtbl_inv_to_vtd(&inv, vi, 2), 1);
	T_EQ(vi[0].npages, -1);
	T_EQ(pasid_pgtbl_inv_to_vtd(&inv, vi, 4), 3);
	T_EQ(vi[2].addr, 0x20000);
	T_EQ(vi[2].flags, IOMMU_VTD_INV_FLAGS_LEAF);
}

static void test_5level(void)
{
	struct pasid_pgtbl *pt = mk(57, 0, 0);
	struct sim_vtd_s1_cfg w = walker(pt, 57);
	struct sim_vtd_s1_result r;
	uint64_t oa;

	/* VA with bit 55 set (needs 5 levels), bit 56 clear: PML5 idx 0x80. */
	T_EQ(pasid_pgtbl_map(pt, 0x0080000000000000ULL, 0x123000, SZ_4K, RWU, 0, NULL), 0);
	T_EQ(raw(pt, 5, 0x0080000000000000ULL, 5) & 0xfff, 0x27);
	T_EQ(raw(pt, 5, 0x0080000000000000ULL, 1), 0x123067);
	T_EQ(sim_vtd_s1_walk(&w, 0x0080000000000abcULL, SIM_VTD_S1_ACC_WRITE, &r), 0);
	T_EQ(r.oa, 0x123abc);
	T_EQ(r.mem_refs, 5);
	/* 57-bit upper half and a 1G leaf there. */
	T_EQ(pasid_pgtbl_map(pt, 0xff00000000000000ULL, 2 * SZ_1G, SZ_1G, RU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_lookup(pt, 0xff00000000000010ULL, &oa, NULL, NULL), 0);
	T_EQ(oa, 2 * SZ_1G + 0x10);
	T_EQ(sim_vtd_s1_walk(&w, 0xff00000012345678ULL, 0, &r), 0);
	T_EQ(r.oa, 2 * SZ_1G + 0x12345678);
	T_EQ(r.page_size, SZ_1G);
	/* 48-bit-canonical but 57-bit-non-canonical. */
	T_EQ(pasid_pgtbl_map(pt, 0xffff800000000000ULL & ~(1ULL << 63), 0, SZ_4K, RWU, 0, NULL),
	     -ERANGE);
	pasid_pgtbl_destroy(pt);
}

/* ---- randomized cross-check against a flat model ---------------------------------------- */

#define WIN_BASE (4 * SZ_1G)
#define WIN_PAGES ((2 * SZ_1G) / SZ_4K)

struct mpage {
	uint64_t oa;
	uint8_t prot; /* 0 = not mapped */
};

static struct mpage *model;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool covered(const struct pasid_pgtbl_inv *inv, uint64_t va)
{
	if (inv->all)
		return true;
	for (unsigned int i = 0; i < inv->nr; i++)
		if (va >= inv->range[i].addr &&
		    va - inv->range[i].addr < inv->range[i].npages * SZ_4K)
			return true;
	return false;
}

static void check_page(struct pasid_pgtbl *pt, const struct sim_vtd_s1_cfg *w, uint64_t i)
{
	uint64_t va = WIN_BASE + i * SZ_4K, oa;
	unsigned int prot;
	struct sim_vtd_s1_result r;
	int rc = pasid_pgtbl_lookup(pt, va + 0x10, &oa, &prot, NULL);
	int wrc = sim_vtd_s1_walk(w, va + 0x10, SIM_VTD_S1_ACC_WRITE, &r);

	if (!model[i].prot) {
		T_EQ(rc, -ENOENT);
		T_EQ(r.fault, SIM_VTD_S1_FAULT_NOT_PRESENT);
		return;
	}
	T_EQ(rc, 0);
	T_EQ(oa, model[i].oa + 0x10);
	T_EQ(prot, model[i].prot);
	if (model[i].prot & PASID_PGTBL_WRITE) {
		T_EQ(wrc, 0);
		T_EQ(r.oa, model[i].oa + 0x10);
	} else {
		T_EQ(r.fault, SIM_VTD_S1_FAULT_WRITE);
	}
}

static void test_random(void)
{
	struct pasid_pgtbl *pt = mk(48, 0, 0);
	struct sim_vtd_s1_cfg w = walker(pt, 48);
	static const uint64_t lens[] = { 1, 2, 3, 17, 512, 513, 1024, 262144 };
	unsigned int fails = 0;

	model = calloc(WIN_PAGES, sizeof(*model));
	for (unsigned int op = 0; op < 2000; op++) {
		uint64_t npages = lens[rnd() % 8], first, oa;
		struct pasid_pgtbl_inv inv;
		int64_t expect = 0, got;
		unsigned int prot = (rnd() & 1) ? RWU : RU;
		int kind = rnd() % 3;

		if (npages > 1 && (rnd() & 1))
			npages = 1 + rnd() % npages;
		first = rnd() % (WIN_PAGES - npages + 1);
		/* Favour large-page alignment so 2M/1G leaves and their splits happen. */
		if (rnd() % 4 == 0)
			first &= ~511ULL;
		if (npages == 262144)
			first = (rnd() & 1) * 262144;
		oa = (rnd() % (1ULL << 20)) * SZ_1G + ((rnd() & 1) ? 0 : (rnd() % 262144) * SZ_4K);
		if (first + npages > WIN_PAGES)
			continue;
		pasid_pgtbl_inv_init(&inv);
		if (kind == 0) {
			bool busy = false;

			for (uint64_t i = first; i < first + npages; i++)
				busy |= model[i].prot != 0;
			got = pasid_pgtbl_map(pt, WIN_BASE + first * SZ_4K, oa, npages * SZ_4K,
					      prot, 0, &inv);
			if (busy) {
				T_EQ(got, -EEXIST);
				continue;
			}
			T_EQ(got, 0);
			for (uint64_t i = 0; i < npages; i++)
				model[first + i] = (struct mpage){ oa + i * SZ_4K, (uint8_t)prot };
			continue;
		}
		for (uint64_t i = first; i < first + npages; i++)
			expect += model[i].prot ? SZ_4K : 0;
		if (kind == 1)
			got = pasid_pgtbl_unmap(pt, WIN_BASE + first * SZ_4K, npages * SZ_4K, &inv);
		else
			got = pasid_pgtbl_protect(pt, WIN_BASE + first * SZ_4K, npages * SZ_4K,
						  prot, &inv);
		T_EQ(got, expect);
		for (uint64_t i = first; i < first + npages; i++) {
			bool changed = model[i].prot && (kind == 1 || model[i].prot != prot);

			/* Every page whose translation changed is in an invalidation range. */
			if (changed && !covered(&inv, WIN_BASE + i * SZ_4K) && fails++ < 5)
				T_CHECK(!"changed page not invalidated");
			if (model[i].prot)
				model[i].prot = kind == 1 ? 0 : (uint8_t)prot;
		}
		/* Spot-check 64 random pages every 100 operations. */
		if (op % 100 == 0)
			for (unsigned int k = 0; k < 64; k++)
				check_page(pt, &w, rnd() % WIN_PAGES);
	}
	T_EQ(fails, 0);
	/* Every page, every 7th in full and all 2M heads otherwise (keeps ASan runs short). */
	for (uint64_t i = 0; i < WIN_PAGES; i++)
		if (i % 7 == 0 || i % 512 == 0 || i % 512 == 511)
			check_page(pt, &w, i);
	/* Everything away: only the root remains. */
	T_CHECK(pasid_pgtbl_unmap(pt, WIN_BASE, WIN_PAGES * SZ_4K, NULL) >= 0);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 1);
	free(model);
	pasid_pgtbl_destroy(pt);
}

int main(void)
{
	T_EQ(pasid_pgtbl_pool_create(256, 16, &chunk_ops, NULL, &pool), 0);
	test_raw_entries();
	test_page_sizes();
	test_split_and_inv();
	test_errors();
	test_inv_merge();
	test_5level();
	test_random();
	T_EQ(pasid_pgtbl_pool_in_use(pool), 0);
	pasid_pgtbl_pool_destroy(pool);
	T_EQ(chunks_deleted, chunks_added);
	T_CHECK(chunks_added >= 1);
	return t_done("pasid_pgtbl");
}
