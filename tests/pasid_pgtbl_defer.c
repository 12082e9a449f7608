// SPDX-License-Identifier: MIT
/*
 * pasid_pgtbl with PASID_PGTBL_DEFER_FREE: table pages an unmap unlinks stay out of the
 * allocator until pasid_pgtbl_reclaim() (the caller's "the invalidation completed"), so a
 * walk still inside a freed table can never land in a page reused as another table. Checked
 * against the pool's page count, the IOVAs new tables get, the raw content of a freed table
 * (two not-present entries carrying the chain), a walker that was already inside it, and the
 * default behaviour (freed at once) next to it.
 */
#include <errno.h>

#include "pasid/pasid_pgtbl.h"
#include "sim/iommu/vtd_s1.h"
#include "t_helpers.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define RWU (PASID_PGTBL_READ | PASID_PGTBL_WRITE | PASID_PGTBL_USER)

static struct pasid_pgtbl_pool *pool;

static uint64_t *fetch(void *arg, uint64_t addr, bool write, int *s2)
{
	return pasid_pgtbl_pool_ops()->iova_to_va(pool, addr);
}

static struct pasid_pgtbl *mk(unsigned int flags)
{
	struct pasid_pgtbl_cfg cfg = {
		.addr_width = 48,
		.flags = flags,
		.ops = pasid_pgtbl_pool_ops(),
		.ops_arg = pool,
	};
	struct pasid_pgtbl *pt = NULL;

	T_EQ(pasid_pgtbl_create(&cfg, &pt), 0);
	return pt;
}

/* Host address of the table at @level (4 = PML4 .. 1 = PT) on @va's path, or NULL. */
static uint64_t *table_at(struct pasid_pgtbl *pt, uint64_t va, unsigned int level)
{
	uint64_t *t = pasid_pgtbl_pool_ops()->iova_to_va(pool, pasid_pgtbl_root_iova(pt));

	for (unsigned int l = 4; l > level; l--) {
		uint64_t e = t[(va >> (12 + 9 * (l - 1))) & 0x1ff];

		if (!(e & 1))
			return NULL;
		t = pasid_pgtbl_pool_ops()->iova_to_va(pool, e & 0x000ffffffffff000ULL);
	}
	return t;
}

static void test_deferred(void)
{
	const uint64_t va = 0x7f1234500000ULL, va2 = 0x7e0000000000ULL;
	struct pasid_pgtbl *pt = mk(PASID_PGTBL_DEFER_FREE);
	struct sim_vtd_s1_cfg walk = {
		.pgtbl_addr = pasid_pgtbl_root_iova(pt),
		.addr_width = 48,
		.caps = SIM_VTD_S1_CAPS_ALL,
		.fetch = fetch,
	};
	struct sim_vtd_s1_result res;
	struct pasid_pgtbl_inv inv;
	uint64_t *pdpt, *pd, *ptbl;

	T_EQ(pasid_pgtbl_pool_in_use(pool), 1);
	/* One 4K page: PDPT, PD and PT below the root. */
	T_EQ(pasid_pgtbl_map(pt, va, 0x9000, SZ_4K, RWU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 4);
	pdpt = table_at(pt, va, 3);
	pd = table_at(pt, va, 2);
	ptbl = table_at(pt, va, 1);
	T_EQ(sim_vtd_s1_walk(&walk, va, 0, &res), 0);
	T_EQ(res.oa, 0x9000);

	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_unmap(pt, va, SZ_4K, &inv), SZ_4K);
	/* Unlinked, not freed: the pool still counts them, the table says so. */
	T_EQ(pasid_pgtbl_deferred(pt), 3);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 4);
	T_EQ(inv.nr, 1);
	T_CHECK(!inv.range[0].leaf);
	/*
	 * The freed tables hold only the chain (entries 0 and 1, P clear), then zeroes. So a
	 * walk that was already inside one (through a cached upper entry) reads a not-present
	 * entry wherever it looks: never the old leaf, never a foreign one.
	 */
	{
		uint64_t *freed[3] = { pdpt, pd, ptbl };
		int nonzero = 0;

		for (int t = 0; t < 3; t++) {
			for (int i = 0; i < 512; i++) {
				T_EQ(freed[t][i] & 1, 0);
				if (i >= 2)
					T_EQ(freed[t][i], 0);
				nonzero += freed[t][i] != 0;
			}
		}
		T_CHECK(nonzero >= 2); /* the chain is there: PDPT -> PD -> PT */
	}
	T_EQ(sim_vtd_s1_walk(&walk, va, 0, &res), -EFAULT);
	T_EQ(res.fault, SIM_VTD_S1_FAULT_NOT_PRESENT);
	T_EQ(res.level, 4);

	/* New tables come from elsewhere while the old ones wait. */
	T_EQ(pasid_pgtbl_map(pt, va2, 0xa000, SZ_4K, RWU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 7);
	T_CHECK(table_at(pt, va2, 3) != pdpt && table_at(pt, va2, 3) != pd &&
		table_at(pt, va2, 3) != ptbl);
	T_CHECK(table_at(pt, va2, 2) != pdpt && table_at(pt, va2, 2) != pd &&
		table_at(pt, va2, 2) != ptbl);
	T_CHECK(table_at(pt, va2, 1) != pdpt && table_at(pt, va2, 1) != pd &&
		table_at(pt, va2, 1) != ptbl);
	T_EQ(sim_vtd_s1_walk(&walk, va2, 0, &res), 0);
	T_EQ(res.oa, 0xa000);

	/* "Invalidation done": the three go back, zeroed, and are reused. */
	T_EQ(pasid_pgtbl_reclaim(pt), 3);
	T_EQ(pasid_pgtbl_reclaim(pt), 0);
	T_EQ(pasid_pgtbl_deferred(pt), 0);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 4);
	T_EQ(ptbl[0], 0);
	T_EQ(ptbl[1], 0);
	T_EQ(pasid_pgtbl_map(pt, va, 0xb000, SZ_4K, RWU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 7);
	T_EQ(sim_vtd_s1_walk(&walk, va, 0, &res), 0);
	T_EQ(res.oa, 0xb000);

	/* A split's spare pages were never visible: freed at once even when deferring. */
	T_EQ(pasid_pgtbl_map(pt, 0x40000000ULL, 0x40000000ULL, SZ_2M, RWU, 0, NULL), 0);
	{
		size_t before = pasid_pgtbl_pool_in_use(pool);

		/* 2M leaf -> PT (one page, used), nothing freed. */
		T_EQ(pasid_pgtbl_unmap(pt, 0x40000000ULL, SZ_4K, NULL), SZ_4K);
		T_EQ(pasid_pgtbl_pool_in_use(pool), before + 1);
		T_EQ(pasid_pgtbl_deferred(pt), 0);
	}

	/* An unmap that empties only the PT: one page waits. */
	{
		size_t before = pasid_pgtbl_pool_in_use(pool);

		T_EQ(pasid_pgtbl_map(pt, 0x50000000ULL, 0x1000, 3 * SZ_4K, RWU, 0, NULL), 0);
		T_EQ(pasid_pgtbl_pool_in_use(pool), before + 1);
		T_EQ(pasid_pgtbl_unmap(pt, 0x50000000ULL, 3 * SZ_4K, NULL), 3 * SZ_4K);
		T_EQ(pasid_pgtbl_pool_in_use(pool), before + 1);
		T_EQ(pasid_pgtbl_deferred(pt), 1);
	}
	/* Destroy releases the waiting ones too. */
	pasid_pgtbl_destroy(pt);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 0);
}

/*
 * A map that runs out of pages undoes itself; the tables it had published were visible to
 * walks, so they wait as well. An 8-page pool: root, two 3-table paths, then one page left.
 */
static void test_failed_map(void)
{
	struct pasid_pgtbl_pool *small;
	struct pasid_pgtbl_cfg cfg = {
		.addr_width = 48,
		.flags = PASID_PGTBL_DEFER_FREE,
		.ops = pasid_pgtbl_pool_ops(),
	};
	struct pasid_pgtbl_inv inv;
	struct pasid_pgtbl *pt;

	T_EQ(pasid_pgtbl_pool_create(8, 1, NULL, NULL, &small), 0);
	cfg.ops_arg = small;
	T_EQ(pasid_pgtbl_create(&cfg, &pt), 0);
	T_EQ(pasid_pgtbl_map(pt, 1ULL << 39, 0x1000, SZ_4K, RWU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_map(pt, 2ULL << 39, 0x2000, SZ_4K, RWU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_pool_in_use(small), 7);
	pasid_pgtbl_inv_init(&inv);
	T_EQ(pasid_pgtbl_map(pt, 3ULL << 39, 0x3000, SZ_4K, RWU, 0, &inv), -ENOMEM);
	T_EQ(pasid_pgtbl_lookup(pt, 3ULL << 39, NULL, NULL, NULL), -ENOENT);
	/* The PDPT it linked is unlinked again, waiting, and the undo asks for a flush. */
	T_EQ(pasid_pgtbl_deferred(pt), 1);
	T_EQ(pasid_pgtbl_pool_in_use(small), 8);
	T_CHECK(inv.nr == 1 && !inv.range[0].leaf);
	T_EQ(pasid_pgtbl_reclaim(pt), 1);
	T_EQ(pasid_pgtbl_pool_in_use(small), 7);
	pasid_pgtbl_destroy(pt);
	T_EQ(pasid_pgtbl_pool_in_use(small), 0);
	pasid_pgtbl_pool_destroy(small);
}

/* Without the flag: freed at once, as before. */
static void test_immediate(void)
{
	struct pasid_pgtbl *pt = mk(0);

	T_EQ(pasid_pgtbl_map(pt, 0x7f0000000000ULL, 0x9000, SZ_4K, RWU, 0, NULL), 0);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 4);
	T_EQ(pasid_pgtbl_unmap(pt, 0x7f0000000000ULL, SZ_4K, NULL), SZ_4K);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 1);
	T_EQ(pasid_pgtbl_deferred(pt), 0);
	T_EQ(pasid_pgtbl_reclaim(pt), 0);
	pasid_pgtbl_destroy(pt);
	T_EQ(pasid_pgtbl_pool_in_use(pool), 0);
	/* The flag is known to create. */
	{
		struct pasid_pgtbl_cfg cfg = { .addr_width = 48,
					       .flags = PASID_PGTBL_DEFER_FREE << 1,
					       .ops = pasid_pgtbl_pool_ops(),
					       .ops_arg = pool };

		T_EQ(pasid_pgtbl_create(&cfg, &pt), -EINVAL);
	}
}

int main(void)
{
	T_EQ(pasid_pgtbl_pool_create(16, 2, NULL, NULL, &pool), 0);
	test_deferred();
	test_immediate();
	test_failed_map();
	pasid_pgtbl_pool_destroy(pool);
	return t_done("pasid_pgtbl_defer");
}
