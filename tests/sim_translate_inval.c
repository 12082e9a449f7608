// SPDX-License-Identifier: MIT
/*
 * sim IOMMU translation caches seen from a device: an IOTLB hit after the first walk, a miss
 * after each invalidation granularity (range, PASID, domain, global, HWPT_INVALIDATE with a
 * range and with addr=0/npages=U64_MAX, IOAS unmap, detach, replace) and no over-invalidation
 * (other PASIDs and other domains keep their entries); translations stay stale until
 * invalidated; the device TLB in front of the IOTLB and its own invalidation; bounded
 * capacity with replacement; O(1) PASID/domain/global flushes.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "sim_translate_util.h"

#define VA1 0x00007f1234567000ULL
#define DIOVA 0x50000000ULL /* data pages, each its own IOAS area */
#define NDATA 8

struct probe {
	uint32_t pasid;
	uint64_t addr;
};

/* Four requesters: PASIDs 1, 2 on nested N1; 3 on nested N2; 4 on the paging nest parent. */
static const struct probe probes[4] = { { 1, VA1 },
					{ 2, VA1 },
					{ 3, VA1 },
					{ 4, DIOVA + 2 * PAGE } };

/* Expect each probe to walk (1) or hit (0); afterwards every probe is cached again. */
static void expect_walks(struct t_env *e, int w1, int w2, int w3, int w4, int line)
{
	const int want[4] = { w1, w2, w3, w4 };

	for (int i = 0; i < 4; i++) {
		int got = t_walked(e, probes[i].pasid, probes[i].addr);

		if (got != want[i])
			fprintf(stderr, "line %d: probe %d (PASID %u) walked %d, want %d\n", line,
				i, probes[i].pasid, got, want[i]);
		T_EQ(want[i], got);
	}
}
#define EXPECT_WALKS(e, a, b, c, d) expect_walks(e, a, b, c, d, __LINE__)

static uint8_t *map_data(struct t_env *e)
{
	uint8_t *d = t_buffer(NDATA * PAGE);

	for (unsigned int i = 0; i < NDATA; i++) {
		memset(d + i * PAGE, 'a' + i, PAGE);
		T_EQ(0, t_map_fixed(e->fd, e->ioas, d + i * PAGE, PAGE, DIOVA + i * PAGE));
	}
	return d;
}

static void test_iotlb(void)
{
	struct sim_iommu_stats s0, s1;
	struct sim_xlate_fault f;
	struct sim_dma_xlate x;
	uint32_t n1, n2, did1, did2;
	unsigned int top1, top2;
	struct t_env e;
	uint64_t *leaf1;
	uint8_t *d;

	t_env_init(&e, "0000:6a:01.0", false, 64);
	d = map_data(&e);
	top1 = t_page(&e);
	top2 = t_page(&e);
	n1 = t_nested(&e, top1, 48, 0);
	n2 = t_nested(&e, top2, 48, 0);
	t_attach(&e, n1, 1);
	t_attach(&e, n1, 2);
	t_attach(&e, n2, 3);
	t_attach(&e, e.s2, 4);
	leaf1 = t_set(&e, top1, 4, VA1, 1, DIOVA | FS_P | FS_RW | FS_US | FS_A);
	t_set(&e, top2, 4, VA1, 1, (DIOVA + PAGE) | FS_P | FS_RW | FS_US | FS_A);
	did1 = t_did(&e, 1);
	did2 = t_did(&e, 3);
	T_EQ(did1, t_did(&e, 2));
	T_CHECK(did1 != did2 && did1 != t_did(&e, 4) && did2 != t_did(&e, 4));

	T_EQ((uintptr_t)d, t_xlate(&e, 1, VA1, 0, NULL));
	T_EQ((uintptr_t)d + PAGE, t_xlate(&e, 3, VA1, 0, NULL));
	T_EQ((uintptr_t)d + 2 * PAGE + 4, t_xlate(&e, 4, DIOVA + 2 * PAGE + 4, 0, NULL));
	/* First use walks (PASID 2 has its own entries even on the same domain), then hits. */
	EXPECT_WALKS(&e, 0, 1, 0, 0);
	s0 = t_stats(&e);
	EXPECT_WALKS(&e, 0, 0, 0, 0);
	s1 = t_stats(&e);
	T_EQ(4, s1.iotlb_hits - s0.iotlb_hits);
	T_EQ(0, s1.iotlb_misses - s0.iotlb_misses);

	/* Page-selective: only that page of that (domain, PASID). */
	sim_iommu_inv_range(did1, 1, VA1 + PAGE, 1, false);
	EXPECT_WALKS(&e, 0, 0, 0, 0);
	sim_iommu_inv_range(did1, 1, VA1, 1, true);
	EXPECT_WALKS(&e, 1, 0, 0, 0);
	sim_iommu_inv_range(did1, 2, 0, UINT64_MAX, false);
	EXPECT_WALKS(&e, 0, 1, 0, 0);
	/* PASID-selective, domain-selective, global; the first two without scanning. */
	s0 = t_stats(&e);
	sim_iommu_inv_pasid(did1, 2);
	EXPECT_WALKS(&e, 0, 1, 0, 0);
	sim_iommu_inv_domain(did1);
	EXPECT_WALKS(&e, 1, 1, 0, 0);
	sim_iommu_inv_domain(did2);
	EXPECT_WALKS(&e, 0, 0, 1, 0);
	sim_iommu_inv_global();
	EXPECT_WALKS(&e, 1, 1, 1, 1);
	s1 = t_stats(&e);
	T_EQ(s0.iotlb_flush_scanned, s1.iotlb_flush_scanned);
	T_EQ(1, s1.inv_pasid - s0.inv_pasid);
	T_EQ(2, s1.inv_domain - s0.inv_domain);
	T_EQ(1, s1.inv_global - s0.inv_global);

	/* A changed PTE is not seen until the HWPT is invalidated (on both of its PASIDs). */
	*leaf1 = (DIOVA + 5 * PAGE) | FS_P | FS_RW | FS_US | FS_A;
	T_EQ((uintptr_t)d, t_xlate(&e, 1, VA1, 0, NULL));
	T_EQ((uintptr_t)d, t_xlate(&e, 2, VA1, 0, NULL));
	T_EQ(0, t_hwpt_invalidate(e.fd, n1, VA1 + PAGE, 1, IOMMU_VTD_INV_FLAGS_LEAF));
	T_EQ((uintptr_t)d, t_xlate(&e, 1, VA1, 0, NULL)); /* another page: kept */
	T_EQ(0, t_hwpt_invalidate(e.fd, n1, VA1, 1, IOMMU_VTD_INV_FLAGS_LEAF));
	T_EQ((uintptr_t)d + 5 * PAGE, t_xlate(&e, 1, VA1, 0, NULL));
	T_EQ((uintptr_t)d + 5 * PAGE, t_xlate(&e, 2, VA1, 0, NULL));
	EXPECT_WALKS(&e, 0, 0, 0, 0);
	T_EQ(0, t_hwpt_invalidate(e.fd, n1, 0, UINT64_MAX, 0));
	EXPECT_WALKS(&e, 1, 1, 0, 0);
	T_EQ(0, t_hwpt_invalidate(e.fd, n2, 0, UINT64_MAX, 0));
	EXPECT_WALKS(&e, 0, 0, 1, 0);

	/*
	 * IOAS unmap: a paging domain drops exactly the range (page-selective), nested domains
	 * on that IOAS drop everything (their entries are keyed by first-stage addresses).
	 */
	T_EQ(0, t_unmap(e.fd, e.ioas, DIOVA + 6 * PAGE, PAGE, NULL));
	EXPECT_WALKS(&e, 1, 1, 1, 0);
	T_EQ(0, t_unmap(e.fd, e.ioas, DIOVA + 2 * PAGE, PAGE, NULL));
	T_EQ(-EFAULT, sim_iommu_translate(e.dev, 4, true, DIOVA + 2 * PAGE, 0, &x, &f));
	T_EQ(SIM_XLATE_S2_NOT_PRESENT, f.reason);
	T_EQ((uintptr_t)d + 5 * PAGE, t_xlate(&e, 1, VA1, 0, NULL));
	T_EQ(0, t_unmap(e.fd, e.ioas, DIOVA + 5 * PAGE, PAGE, NULL));
	T_EQ(-EFAULT, sim_iommu_translate(e.dev, 1, true, VA1, 0, &x, &f));
	T_EQ(SIM_XLATE_S2_NOT_PRESENT, f.reason);
	T_EQ(DIOVA + 5 * PAGE, f.addr);
	T_EQ(-EFAULT, sim_iommu_translate(e.dev, 2, true, VA1, 0, &x, &f));
	T_EQ((uintptr_t)d + PAGE, t_xlate(&e, 3, VA1, 0, NULL));

	/* Detach drops the PASID's entries; its neighbour on the same domain keeps its own. */
	*leaf1 = DIOVA | FS_P | FS_RW | FS_US | FS_A;
	T_EQ(0, t_hwpt_invalidate(e.fd, n1, VA1, 1, 0));
	T_EQ(1, t_walked(&e, 1, VA1));
	T_EQ(1, t_walked(&e, 2, VA1));
	T_EQ(0, t_vfio_detach(e.vfd, true, 1));
	T_EQ(-ENXIO, sim_iommu_translate(e.dev, 1, true, VA1, 0, &x, &f));
	T_EQ(SIM_XLATE_NOT_ATTACHED, f.reason);
	T_EQ(0, t_walked(&e, 2, VA1));
	t_attach(&e, n1, 1);
	T_EQ(1, t_walked(&e, 1, VA1));
	/* Replace PASID 2 from N1 to N2: it translates through N2's tables at once. */
	{
		uint32_t pt = n2;

		T_EQ(0, t_vfio_attach(e.vfd, &pt, true, 2));
	}
	T_EQ((uintptr_t)d + PAGE, t_xlate(&e, 2, VA1, 0, NULL));
	T_EQ(did2, t_did(&e, 2));
	T_EQ((uintptr_t)d, t_xlate(&e, 1, VA1, 0, NULL));

	t_env_fini(&e);
	munmap(d, NDATA * PAGE);
}

static void test_devtlb(void)
{
	struct sim_iommu_stats s0, s1;
	struct sim_dma_xlate x;
	unsigned int top;
	struct t_env e;
	uint64_t *leaf;
	uint32_t n1, did;
	uint8_t *d;

	t_env_init(&e, "0000:6a:02.0", true, 64);
	d = map_data(&e);
	top = t_page(&e);
	n1 = t_nested(&e, top, 48, 0);
	t_attach(&e, n1, 1);
	t_attach(&e, n1, 2);
	leaf = t_set(&e, top, 4, VA1, 1, DIOVA | FS_P | FS_RW | FS_US | FS_A);
	did = t_did(&e, 1);

	s0 = t_stats(&e);
	T_EQ((uintptr_t)d, t_xlate(&e, 1, VA1, 0, NULL));
	T_EQ((uintptr_t)d + 8, t_xlate(&e, 2, VA1 + 8, 0, NULL));
	s1 = t_stats(&e);
	T_EQ(2, s1.devtlb_misses - s0.devtlb_misses);
	T_EQ(2, s1.iotlb_misses - s0.iotlb_misses);
	T_EQ(2, s1.devtlb_entries);
	T_EQ(256, s1.devtlb_capacity);
	s0 = s1;
	T_EQ((uintptr_t)d + 16, t_xlate(&e, 1, VA1 + 16, 0, NULL));
	T_EQ((uintptr_t)d + 16, t_xlate(&e, 2, VA1 + 16, 0, NULL));
	s1 = t_stats(&e);
	T_EQ(2, s1.devtlb_hits - s0.devtlb_hits);
	T_EQ(0, s1.iotlb_hits + s1.iotlb_misses - s0.iotlb_hits - s0.iotlb_misses);

	/* An IOTLB invalidation alone leaves the device TLB: software must invalidate both. */
	*leaf = (DIOVA + PAGE) | FS_P | FS_RW | FS_US | FS_A;
	sim_iommu_inv_range(did, 1, VA1, 1, false);
	T_EQ((uintptr_t)d, t_xlate(&e, 1, VA1, 0, NULL));
	sim_iommu_inv_devtlb(e.dev, 1, VA1, 1);
	s0 = t_stats(&e);
	T_EQ((uintptr_t)d + PAGE, t_xlate(&e, 1, VA1, 0, NULL));
	s1 = t_stats(&e);
	T_EQ(1, s1.devtlb_misses - s0.devtlb_misses);
	T_EQ(1, s1.walks - s0.walks);
	/* PASID 2 still has the old translation in both caches. */
	T_EQ((uintptr_t)d, t_xlate(&e, 2, VA1, 0, NULL));
	/* A device-TLB invalidation alone refills from the IOTLB, no walk. */
	sim_iommu_inv_devtlb(e.dev, 2, 0, UINT64_MAX);
	s0 = t_stats(&e);
	T_EQ((uintptr_t)d, t_xlate(&e, 2, VA1, 0, NULL));
	s1 = t_stats(&e);
	T_EQ(1, s1.devtlb_misses - s0.devtlb_misses);
	T_EQ(1, s1.iotlb_hits - s0.iotlb_hits);
	T_EQ(0, s1.walks - s0.walks);
	/* HWPT_INVALIDATE flushes the IOTLB and then the device TLB of every PASID. */
	T_EQ(0, t_hwpt_invalidate(e.fd, n1, VA1, 1, IOMMU_VTD_INV_FLAGS_LEAF));
	s0 = t_stats(&e);
	T_EQ((uintptr_t)d + PAGE, t_xlate(&e, 2, VA1, 0, NULL));
	T_EQ((uintptr_t)d + PAGE, t_xlate(&e, 1, VA1, 0, NULL));
	s1 = t_stats(&e);
	T_EQ(2, s1.devtlb_misses - s0.devtlb_misses);
	T_EQ(2, s1.walks - s0.walks);
	T_EQ((uintptr_t)d + PAGE, t_xlate(&e, 1, VA1, 0, NULL));
	T_EQ(1, t_stats(&e).devtlb_hits - s1.devtlb_hits);
	/* Detach: the device TLB must not answer for the PASID any more. */
	T_EQ(0, t_vfio_detach(e.vfd, true, 1));
	T_EQ(-ENXIO, sim_iommu_translate(e.dev, 1, true, VA1, 0, &x, NULL));
	T_EQ((uintptr_t)d + PAGE, t_xlate(&e, 2, VA1, 0, NULL));
	/* IOAS unmap reaches the device TLB too. */
	T_EQ(0, t_unmap(e.fd, e.ioas, DIOVA + PAGE, PAGE, NULL));
	T_EQ(-EFAULT, sim_iommu_translate(e.dev, 2, true, VA1, 0, &x, NULL));
	t_env_fini(&e);
	munmap(d, NDATA * PAGE);
}

/* A small IOTLB: bounded capacity, replacement, the first page evicted after a sweep. */
static void test_capacity(void)
{
	struct sim_iommu_cfg cfg = { .iotlb = { .entries = 64, .ways = 4 } };
	struct sim_iommu_stats s;
	unsigned int top;
	struct t_env e;
	uint8_t *d;

	T_EQ(0, sim_iommu_configure(&cfg));
	t_env_init(&e, "0000:6a:03.0", false, 64);
	d = map_data(&e);
	top = t_page(&e);
	t_attach(&e, t_nested(&e, top, 48, 0), 1);
	for (unsigned int i = 0; i < 256; i++)
		t_set(&e, top, 4, VA1 + i * PAGE, 1,
		      (DIOVA + (i % NDATA) * PAGE) | FS_P | FS_RW | FS_US | FS_A);
	for (unsigned int i = 0; i < 256; i++)
		T_EQ((uintptr_t)d + (i % NDATA) * PAGE, t_xlate(&e, 1, VA1 + i * PAGE, 0, NULL));
	s = t_stats(&e);
	T_EQ(64, s.iotlb_capacity);
	T_CHECK(s.iotlb_entries <= 64 && s.iotlb_entries >= 32);
	T_CHECK(s.iotlb_evictions >= 256 - 64);
	T_EQ(256, s.walks);
	/* LRU: the last page is still there, the first is long gone. */
	T_EQ(0, t_walked(&e, 1, VA1 + 255 * PAGE));
	T_EQ(1, t_walked(&e, 1, VA1));
	t_env_fini(&e);
	munmap(d, NDATA * PAGE);
	T_EQ(0, sim_iommu_configure(NULL));
}

/*
 * Engines translating while the tables change: once HWPT_INVALIDATE for epoch i has returned,
 * no translation that starts afterwards may return an older epoch's page (through the IOTLB or
 * the device TLB), whatever the interleaving.
 */
#define RACE_PAGES 256
#define RACE_EPOCHS 200

struct race {
	struct t_env *e;
	uint8_t *d;
	_Atomic int epoch;
	atomic_bool stop;
	int stale, bad, ok;
};

static void *race_main(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		int ep = atomic_load_explicit(&r->epoch, memory_order_acquire);
		uintptr_t h = t_xlate(r->e, 1, VA1, 0, NULL);
		long page = h ? (long)((h - (uintptr_t)r->d) / PAGE) : -1;

		if (page < 0 || page >= RACE_PAGES)
			r->bad++;
		else if (page < ep)
			r->stale++;
		else
			r->ok++;
	}
	return NULL;
}

static void test_race(void)
{
	struct race r[2] = { 0 };
	pthread_t t[2];
	unsigned int top;
	struct t_env e;
	uint64_t *leaf;
	uint32_t n1;
	uint8_t *d;

	t_env_init(&e, "0000:6a:04.0", true, 64);
	d = t_buffer(RACE_PAGES * PAGE);
	T_EQ(0, t_map_fixed(e.fd, e.ioas, d, RACE_PAGES * PAGE, DIOVA));
	top = t_page(&e);
	n1 = t_nested(&e, top, 48, 0);
	t_attach(&e, n1, 1);
	leaf = t_set(&e, top, 4, VA1, 1, DIOVA | FS_P | FS_RW | FS_US | FS_A);
	for (int i = 0; i < 2; i++) {
		r[i].e = &e;
		r[i].d = d;
		T_EQ(0, pthread_create(&t[i], NULL, race_main, &r[i]));
	}
	for (int ep = 1; ep < RACE_EPOCHS; ep++) {
		__atomic_store_n(leaf, (DIOVA + (uint64_t)ep * PAGE) | FS_P | FS_RW | FS_US | FS_A,
				 __ATOMIC_RELEASE);
		T_EQ(0, t_hwpt_invalidate(e.fd, n1, VA1, 1, IOMMU_VTD_INV_FLAGS_LEAF));
		for (int i = 0; i < 2; i++)
			atomic_store_explicit(&r[i].epoch, ep, memory_order_release);
		if (ep % 16 == 0)
			sched_yield();
	}
	for (int i = 0; i < 2; i++) {
		atomic_store(&r[i].stop, true);
		pthread_join(t[i], NULL);
		T_EQ(0, r[i].stale);
		T_EQ(0, r[i].bad);
		T_CHECK(r[i].ok > 0);
	}
	T_EQ((uintptr_t)d + (RACE_EPOCHS - 1) * PAGE, t_xlate(&e, 1, VA1, 0, NULL));
	t_env_fini(&e);
	munmap(d, RACE_PAGES * PAGE);
}

int main(void)
{
	test_iotlb();
	test_devtlb();
	test_capacity();
	test_race();
	return t_done("sim_translate_inval");
}
