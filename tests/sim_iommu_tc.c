// SPDX-License-Identifier: MIT
/*
 * The per-thread translation cache in front of sim's device TLB / IOTLB (sim/iommu/translate.c
 * "xl_tc", docs/IOMMU_MODEL.md "Per-thread translation cache"): a copy of an entry answers a
 * repeated translation only while the entry it was copied from is still cached and not
 * invalidated. For every invalidation the model has (page-selective, PASID, domain, global,
 * HWPT_INVALIDATE, IOAS unmap, device-TLB, detach, replace) and for replacement by capacity:
 * a page translated until it is served by the copy, its PTE changed (the copy must keep the
 * old translation: caches are not coherent with the tables), then the invalidation; the next
 * translation must see the new PTE (one walk), and invalidations that do not cover the page
 * must leave it (no walk). Plus: writes to a clean page are not served by a read's copy, hits
 * are counted as the front cache's (also from another thread, before and after it exits), and
 * a race of translating threads against invalidations never sees an invalidated page.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "sim_translate_util.h"

#define VA1 0x00007f1234567000ULL
#define DIOVA 0x50000000ULL /* data pages, one IOAS area each */
#define NDATA 64
#define LEAF(i) ((DIOVA + (uint64_t)(i)*PAGE) | FS_P | FS_RW | FS_US | FS_A)

static uint8_t *map_data(struct t_env *e)
{
	uint8_t *d = t_buffer(NDATA * PAGE);

	for (unsigned int i = 0; i < NDATA; i++)
		T_EQ(0, t_map_fixed(e->fd, e->ioas, d + i * PAGE, PAGE, DIOVA + i * PAGE));
	return d;
}

/*
 * Translate (@pasid, @va) until the thread's copy answers: the first may walk, the second
 * copies the cache's entry, the third is the copy's. The last two must not walk.
 */
static void warm(struct t_env *e, uint32_t pasid, uint64_t va, uintptr_t want)
{
	uint64_t w;

	T_EQ(want, t_xlate(e, pasid, va, 0, NULL));
	w = t_stats(e).walks;
	T_EQ(want, t_xlate(e, pasid, va, 0, NULL));
	T_EQ(want, t_xlate(e, pasid, va + 8, 0, NULL) - 8);
	T_EQ(w, t_stats(e).walks);
}

/* The next translation of (@pasid, @va): @want, after @walks walks. */
static void expect(struct t_env *e, uint32_t pasid, uint64_t va, uintptr_t want, int walks,
		   int line)
{
	uint64_t w = t_stats(e).walks;
	uintptr_t got = t_xlate(e, pasid, va, 0, NULL);

	if (got != want || t_stats(e).walks - w != (uint64_t)walks)
		fprintf(stderr, "line %d: got %#lx after %d walks, want %#lx after %d\n", line,
			(unsigned long)got, (int)(t_stats(e).walks - w), (unsigned long)want,
			walks);
	T_EQ(want, got);
	T_EQ((uint64_t)walks, t_stats(e).walks - w);
}
#define EXPECT(e, p, va, want, walks) expect(e, p, va, want, walks, __LINE__)

enum inv {
	INV_RANGE,
	INV_RANGE_ALL,
	INV_PASID,
	INV_DOMAIN,
	INV_GLOBAL,
	INV_HWPT_RANGE,
	INV_HWPT_ALL,
	INV_NR,
};

static const char *const inv_name[] = { "range",
					"range(0, all)",
					"pasid",
					"domain",
					"global",
					"HWPT_INVALIDATE range",
					"HWPT_INVALIDATE all" };

struct world {
	struct t_env e;
	uint8_t *d;
	unsigned int top1, top2;
	uint32_t n1, n2, did1, did2;
	uint64_t *leaf1; /* VA1 on N1 (PASIDs 1, 2) */
};

static void world_init(struct world *w, const char *name, bool ats)
{
	t_env_init(&w->e, name, ats, 64);
	w->d = map_data(&w->e);
	w->top1 = t_page(&w->e);
	w->top2 = t_page(&w->e);
	w->n1 = t_nested(&w->e, w->top1, 48, 0);
	w->n2 = t_nested(&w->e, w->top2, 48, 0);
	t_attach(&w->e, w->n1, 1);
	t_attach(&w->e, w->n1, 2);
	t_attach(&w->e, w->n2, 3);
	w->leaf1 = t_set(&w->e, w->top1, 4, VA1, 1, LEAF(0));
	t_set(&w->e, w->top1, 4, VA1 + PAGE, 1, LEAF(1));
	t_set(&w->e, w->top2, 4, VA1, 1, LEAF(2));
	w->did1 = t_did(&w->e, 1);
	w->did2 = t_did(&w->e, 3);
	T_CHECK(w->did1 && w->did2 && w->did1 != w->did2);
}

static void world_fini(struct world *w)
{
	t_env_fini(&w->e);
	munmap(w->d, NDATA * PAGE);
}

static void do_inv(struct world *w, enum inv k, uint32_t did, uint32_t pasid, uint32_t hwpt,
		   uint64_t va)
{
	switch (k) {
	case INV_RANGE:
		sim_iommu_inv_range(did, pasid, va, 1, true);
		break;
	case INV_RANGE_ALL:
		sim_iommu_inv_range(did, pasid, 0, UINT64_MAX, false);
		break;
	case INV_PASID:
		sim_iommu_inv_pasid(did, pasid);
		break;
	case INV_DOMAIN:
		sim_iommu_inv_domain(did);
		break;
	case INV_GLOBAL:
		sim_iommu_inv_global();
		break;
	case INV_HWPT_RANGE:
		T_EQ(0, t_hwpt_invalidate(w->e.fd, hwpt, va, 1, IOMMU_VTD_INV_FLAGS_LEAF));
		break;
	case INV_HWPT_ALL:
		T_EQ(0, t_hwpt_invalidate(w->e.fd, hwpt, 0, UINT64_MAX, 0));
		break;
	default:
		T_CHECK(0);
	}
}

/*
 * Each IOTLB invalidation kind, on a device without ATS (the IOTLB is the front cache):
 * first the ones that must not reach PASID 1's VA1 (other page, other PASID, other domain),
 * then the covering one.
 */
static void test_iotlb_kinds(void)
{
	struct world w;
	uintptr_t d0, d3;

	world_init(&w, "0000:6a:01.0", false);
	d0 = (uintptr_t)w.d;
	d3 = (uintptr_t)w.d + 3 * PAGE;
	for (int k = 0; k < INV_NR; k++) {
		fprintf(stderr, "invalidation: %s\n", inv_name[k]);
		*w.leaf1 = LEAF(0);
		sim_iommu_inv_global();
		warm(&w.e, 1, VA1, d0);
		warm(&w.e, 1, VA1 + PAGE, d0 + PAGE);
		/* Not coherent with the tables: the old translation until invalidated. */
		*w.leaf1 = LEAF(3);
		EXPECT(&w.e, 1, VA1, d0, 0);

		/* What must not reach it. */
		if (k == INV_RANGE || k == INV_HWPT_RANGE)
			do_inv(&w, k, w.did1, 1, w.n1, VA1 + PAGE);
		if (k != INV_GLOBAL && k != INV_HWPT_RANGE && k != INV_HWPT_ALL && k != INV_DOMAIN)
			do_inv(&w, k, w.did1, 2, w.n1, VA1); /* the other PASID of the domain */
		if (k != INV_GLOBAL)
			do_inv(&w, k, w.did2, 3, w.n2, VA1); /* another domain */
		EXPECT(&w.e, 1, VA1, d0, 0);
		EXPECT(&w.e, 1, VA1, d0, 0);

		/* The covering one: the copy goes with the entry. */
		do_inv(&w, k, w.did1, 1, w.n1, VA1);
		EXPECT(&w.e, 1, VA1, d3, 1);
		EXPECT(&w.e, 1, VA1, d3, 0);
		EXPECT(&w.e, 1, VA1, d3, 0);
	}
	world_fini(&w);
}

/* IOAS unmap on a paging domain (page-selective) and on the nested domains (domain flush). */
static void test_unmap(void)
{
	struct world w;
	struct sim_dma_xlate x;
	uintptr_t d0;

	world_init(&w, "0000:6a:02.0", false);
	d0 = (uintptr_t)w.d;
	t_attach(&w.e, w.e.s2, 4);
	warm(&w.e, 4, DIOVA + 5 * PAGE, d0 + 5 * PAGE);
	warm(&w.e, 4, DIOVA + 6 * PAGE, d0 + 6 * PAGE);
	warm(&w.e, 1, VA1, d0);
	/* Unmapping page 6 leaves page 5 of the paging domain cached. */
	T_EQ(0, t_unmap(w.e.fd, w.e.ioas, DIOVA + 6 * PAGE, PAGE, NULL));
	EXPECT(&w.e, 4, DIOVA + 5 * PAGE, d0 + 5 * PAGE, 0);
	T_EQ(-EFAULT, sim_iommu_translate(w.e.dev, 4, true, DIOVA + 6 * PAGE, 0, &x, NULL));
	/* The nested domain over that IOAS drops everything, VA1 included. */
	EXPECT(&w.e, 1, VA1, d0, 1);
	/* Unmapping VA1's page: the copy of PASID 1's translation must not survive. */
	warm(&w.e, 1, VA1, d0);
	T_EQ(0, t_unmap(w.e.fd, w.e.ioas, DIOVA, PAGE, NULL));
	T_EQ(-EFAULT, sim_iommu_translate(w.e.dev, 1, true, VA1, 0, &x, NULL));
	world_fini(&w);
}

/* Detach and replace of the PASID the copy is for. */
static void test_attach(void)
{
	struct world w;
	struct sim_dma_xlate x;
	uintptr_t d0;
	uint32_t pt;

	world_init(&w, "0000:6a:03.0", false);
	d0 = (uintptr_t)w.d;
	warm(&w.e, 1, VA1, d0);
	T_EQ(0, t_vfio_detach(w.e.vfd, true, 1));
	T_EQ(-ENXIO, sim_iommu_translate(w.e.dev, 1, true, VA1, 0, &x, NULL));
	t_attach(&w.e, w.n1, 1);
	warm(&w.e, 1, VA1, d0);
	/* Replace N1 by N2 at PASID 1: N2's VA1 is data page 2. */
	pt = w.n2;
	T_EQ(0, t_vfio_attach(w.e.vfd, &pt, true, 1));
	EXPECT(&w.e, 1, VA1, d0 + 2 * PAGE, 1);
	EXPECT(&w.e, 1, VA1, d0 + 2 * PAGE, 0);
	world_fini(&w);
}

/*
 * A device with ATS: the copy is of the device-TLB entry. An IOTLB invalidation alone does not
 * reach the device TLB (software must invalidate both), so neither does it reach the copy; a
 * device-TLB invalidation does, page-selective or whole PASID.
 */
static void test_devtlb(void)
{
	struct world w;
	uintptr_t d0;

	world_init(&w, "0000:6a:04.0", true);
	d0 = (uintptr_t)w.d;
	warm(&w.e, 1, VA1, d0);
	*w.leaf1 = LEAF(3);
	sim_iommu_inv_range(w.did1, 1, VA1, 1, false);
	EXPECT(&w.e, 1, VA1, d0, 0);
	sim_iommu_inv_devtlb(w.e.dev, 1, VA1 + PAGE, 1);
	sim_iommu_inv_devtlb(w.e.dev, 2, 0, UINT64_MAX);
	EXPECT(&w.e, 1, VA1, d0, 0);
	sim_iommu_inv_devtlb(w.e.dev, 1, VA1, 1);
	EXPECT(&w.e, 1, VA1, d0 + 3 * PAGE, 1);
	EXPECT(&w.e, 1, VA1, d0 + 3 * PAGE, 0);
	*w.leaf1 = LEAF(4);
	sim_iommu_inv_pasid(w.did1, 1);
	EXPECT(&w.e, 1, VA1, d0 + 3 * PAGE, 0);
	sim_iommu_inv_devtlb(w.e.dev, 1, 0, UINT64_MAX);
	EXPECT(&w.e, 1, VA1, d0 + 4 * PAGE, 1);
	world_fini(&w);
}

/*
 * Replacement: an entry evicted from a one-set, 8-way IOTLB takes its copy with it, though no
 * invalidation ran (the copy must not outlive what it copies). The 8 pages that push it out
 * use other slots of the per-thread cache (slot = 4 KiB page number mod 8), so only the
 * source's version can say it is gone.
 */
static void test_eviction(void)
{
	struct sim_iommu_cfg cfg = { .iotlb = { .entries = 8, .ways = 8 } };
	struct sim_iommu_stats s0, s1;
	struct world w;
	uintptr_t d0;

	T_EQ(0, sim_iommu_configure(&cfg));
	world_init(&w, "0000:6a:05.0", false);
	d0 = (uintptr_t)w.d;
	for (unsigned int i = 1; i <= 9; i++)
		t_set(&w.e, w.top1, 4, VA1 + i * PAGE, 1, LEAF(8 + i));
	warm(&w.e, 1, VA1, d0);
	*w.leaf1 = LEAF(3);
	EXPECT(&w.e, 1, VA1, d0, 0);
	s0 = t_stats(&w.e);
	/* VA1 is page ...567: slot 7. Pages 1..7 and 9 after it use slots 0..6 and 0... */
	for (unsigned int i = 1; i <= 9; i++)
		if (i != 8)
			T_EQ(d0 + (8 + i) * PAGE, t_xlate(&w.e, 1, VA1 + i * PAGE, 0, NULL));
	s1 = t_stats(&w.e);
	T_EQ(8, s1.walks - s0.walks);
	T_CHECK(s1.iotlb_evictions > s0.iotlb_evictions);
	/* ...but VA1's entry was the least recently used: gone, and its copy too. */
	EXPECT(&w.e, 1, VA1, d0 + 3 * PAGE, 1);
	world_fini(&w);
	T_EQ(0, sim_iommu_configure(NULL));
}

/* A copy made by a read does not serve a write to a page whose D flag is clear. */
static void test_dirty(void)
{
	struct world w;
	uint64_t wlk;

	world_init(&w, "0000:6a:06.0", false);
	warm(&w.e, 1, VA1, (uintptr_t)w.d);
	T_CHECK(!(*w.leaf1 & FS_D));
	wlk = t_stats(&w.e).walks;
	T_EQ((uintptr_t)w.d, t_xlate(&w.e, 1, VA1, SIM_DMA_WRITE, NULL));
	T_EQ(wlk + 1, t_stats(&w.e).walks);
	T_CHECK(*w.leaf1 & FS_D);
	/* Now the copy may serve writes. */
	T_EQ((uintptr_t)w.d, t_xlate(&w.e, 1, VA1, SIM_DMA_WRITE, NULL));
	T_EQ((uintptr_t)w.d, t_xlate(&w.e, 1, VA1, SIM_DMA_WRITE, NULL));
	T_EQ(wlk + 1, t_stats(&w.e).walks);
	/* Bad input is refused before any cache answers. */
	{
		struct sim_dma_xlate x;

		T_EQ(-EINVAL, sim_iommu_translate(w.e.dev, 1, true, VA1, 0x100, &x, NULL));
		T_EQ(-EINVAL, sim_iommu_translate(w.e.dev, 1, true, VA1,
						  SIM_DMA_WRITE | SIM_XLATE_EXEC, &x, NULL));
		/* A PASID beyond the device's width is refused, whatever a copy holds. */
		T_EQ(-ENXIO, sim_iommu_translate(w.e.dev, 1u << 20, true, VA1, 0, &x, NULL));
	}
	world_fini(&w);
}

/* ---- counters from another thread ---- */

struct counter_run {
	struct t_env *e;
	uintptr_t want;
	unsigned int n;
	pthread_barrier_t *bar;
	int bad;
};

static void *counter_main(void *arg)
{
	struct counter_run *c = arg;

	for (unsigned int i = 0; i < c->n; i++)
		c->bad += t_xlate(c->e, 1, VA1 + (i % 64) * 8, 0, NULL) != c->want + (i % 64) * 8;
	pthread_barrier_wait(c->bar); /* the main thread reads the counters */
	pthread_barrier_wait(c->bar); /* then we exit */
	return NULL;
}

static void test_counters(void)
{
	struct sim_iommu_stats s0, s1;
	pthread_barrier_t bar;
	struct counter_run c;
	struct world w;
	pthread_t t;

	world_init(&w, "0000:6a:07.0", false);
	warm(&w.e, 1, VA1, (uintptr_t)w.d); /* the IOTLB holds it: the thread's first is a hit */
	pthread_barrier_init(&bar, NULL, 2);
	c = (struct counter_run){ .e = &w.e, .want = (uintptr_t)w.d, .n = 1000, .bar = &bar };
	s0 = t_stats(&w.e);
	T_EQ(0, pthread_create(&t, NULL, counter_main, &c));
	pthread_barrier_wait(&bar);
	/* Its hits are in its own cache still, and counted. */
	s1 = t_stats(&w.e);
	T_EQ(1000, s1.iotlb_hits - s0.iotlb_hits);
	T_EQ(0, s1.walks - s0.walks);
	T_EQ(0, s1.iotlb_misses - s0.iotlb_misses);
	pthread_barrier_wait(&bar);
	T_EQ(0, pthread_join(t, NULL));
	/* Folded into the device at the thread's exit: the same count. */
	T_EQ(1000, t_stats(&w.e).iotlb_hits - s0.iotlb_hits);
	T_EQ(0, c.bad);
	/* This thread's own hits too. */
	s0 = t_stats(&w.e);
	for (int i = 0; i < 10; i++)
		T_EQ((uintptr_t)w.d, t_xlate(&w.e, 1, VA1, 0, NULL));
	T_EQ(10, t_stats(&w.e).iotlb_hits - s0.iotlb_hits);
	pthread_barrier_destroy(&bar);
	world_fini(&w);

	/* A device TLB's copies count as device-TLB hits. */
	world_init(&w, "0000:6a:08.0", true);
	warm(&w.e, 1, VA1, (uintptr_t)w.d);
	s0 = t_stats(&w.e);
	for (int i = 0; i < 10; i++)
		T_EQ((uintptr_t)w.d, t_xlate(&w.e, 1, VA1, 0, NULL));
	s1 = t_stats(&w.e);
	T_EQ(10, s1.devtlb_hits - s0.devtlb_hits);
	T_EQ(0, s1.iotlb_hits - s0.iotlb_hits);
	T_EQ(0, s1.devtlb_misses - s0.devtlb_misses);
	world_fini(&w);
}

/* ---- race ---- */

/*
 * Epoch i maps VA1 (and VA1 + PAGE) to data page i. The main thread changes the PTEs,
 * invalidates (each kind in turn), then publishes i; a translator that read i before it
 * translated must get page i or later, never an older one.
 */
#define RACE_EPOCHS (NDATA - 1)
#define RACE_THREADS 2

struct race {
	struct world *w;
	_Atomic int epoch;
	atomic_bool stop;
	_Atomic int stale, bad;
};

static void *race_main(void *arg)
{
	struct race *r = arg;
	uintptr_t base = (uintptr_t)r->w->d;

	while (!atomic_load(&r->stop)) {
		for (unsigned int p = 0; p < 2; p++) {
			int e = atomic_load_explicit(&r->epoch, memory_order_acquire);
			uintptr_t h = t_xlate(&r->w->e, 1, VA1 + p * PAGE, 0, NULL);
			long got = ((long)h - (long)base) / (long)PAGE;

			if (!h || got < 0 || got >= NDATA)
				atomic_fetch_add(&r->bad, 1);
			else if (got < e)
				atomic_fetch_add(&r->stale, 1);
		}
	}
	return NULL;
}

static void test_race(void)
{
	pthread_t t[RACE_THREADS];
	struct race r = { 0 };
	struct world w;
	uint64_t *leaf2;

	world_init(&w, "0000:6a:09.0", false);
	leaf2 = t_ent(&w.e, w.top1, 4, VA1 + PAGE, 1);
	*leaf2 = LEAF(0);
	r.w = &w;
	for (int i = 0; i < RACE_THREADS; i++)
		T_EQ(0, pthread_create(&t[i], NULL, race_main, &r));
	for (int i = 1; i <= RACE_EPOCHS; i++) {
		enum inv k = (enum inv)(i % INV_NR);

		/* The walkers read PTEs with atomic loads; so do hardware's, against the CPU. */
		__atomic_store_n(w.leaf1, LEAF(i), __ATOMIC_RELEASE);
		__atomic_store_n(leaf2, LEAF(i), __ATOMIC_RELEASE);
		do_inv(&w, k, w.did1, 1, w.n1, VA1);
		if (k == INV_RANGE || k == INV_HWPT_RANGE)
			do_inv(&w, k, w.did1, 1, w.n1, VA1 + PAGE);
		atomic_store_explicit(&r.epoch, i, memory_order_release);
		for (int spin = 0; spin < 20000; spin++)
			__asm__ volatile("" ::: "memory");
	}
	atomic_store(&r.stop, true);
	for (int i = 0; i < RACE_THREADS; i++)
		T_EQ(0, pthread_join(t[i], NULL));
	T_EQ(0, atomic_load(&r.bad));
	T_EQ(0, atomic_load(&r.stale));
	world_fini(&w);
}

int main(void)
{
	test_iotlb_kinds();
	test_unmap();
	test_attach();
	test_devtlb();
	test_eviction();
	test_dirty();
	test_counters();
	test_race();
	return t_done("sim_iommu_tc");
}
