// SPDX-License-Identifier: MIT
/*
 * svart-bench-xlate: the sim IOMMU's hot paths (docs/BENCHMARKS.md, "Translation,
 * invalidation and faults"). This file: the translation benchmarks and sb_suite_xlate();
 * invalidation is in bench_inval.c, page requests in bench_fault.c, main() in
 * bench_xlate_main.c (`svart bench` registers the same suite).
 *
 * Translation, on sim_iommu_translate() through devices, IOASes and nested HWPTs set up by the
 * real iommufd/VFIO path, with first-stage tables built by hand (A and D preset, so walks
 * write nothing and every walk of a run costs the same):
 *   baseline/memcpy/4096            the yardstick: a 4 KiB memcpy, same run
 *   baseline/clock_pair             two bench_now_ns() calls, the floor of manual timings
 *   xlate/hit/<leaf>/<cache>        one page translated again and again: an IOTLB hit
 *                                   (device without ATS) or a device-TLB hit (with ATS)
 *   xlate/walk_s1only/<lvl>/<leaf>  sim_vtd_s1_walk() over tables whose pointers are host
 *                                   addresses: VT-d first-stage-only translation
 *   xlate/walk_nested/<lvl>/<leaf>/<cache>
 *                                   a miss: the IOTLB (and device TLB) flushed, then 64
 *                                   distinct pages translated, each a full 2-D walk
 *   xlate/ws/<order>/<cache>/pages:N
 *                                   N pages read in sequential or random order, over and
 *                                   over: working sets that fit and that overflow the
 *                                   4096-entry IOTLB and the 256-entry device TLB
 * Counters: mem_refs_per_walk (sim_iommu_stats: first-stage reads + A/D writes + 4 per
 * second-stage translation), walks_per_xlate, hit_ratio (answered by the device TLB or the
 * IOTLB), devtlb_hit_ratio (by the device TLB alone; ATS runs).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench_sim_util.h"
#include "suites.h"

/* Pages of the table region: two trees of 64K 4 KiB leaves need ~270. */
#define XL_PT_PAGES 640u
/* Data pages the 4 KiB leaves point at, round robin (many VAs, few IOVAs: tables stay small). */
#define XL_DATA_PAGES 64u
#define XL_4K_PAGES 65536u
#define XL_BIG_LEAVES 64u
/* A walk_nested batch: one flush, then this many distinct pages. */
#define XL_BATCH 64u

#define XL_VA_4K 0x0000010000000000ULL
#define XL_VA_2M 0x0000020000000000ULL
#define XL_VA_1G 0x0000040000000000ULL
#define XL_IOVA_DATA 0x100000000ULL
#define XL_IOVA_2M 0x200000000ULL
#define XL_IOVA_1G 0x400000000ULL
/* Bytes of the 1 GiB leaves' output the second stage maps (the rest is never touched). */
#define XL_1G_MAPPED (64u << 10)

#define PASID_4LVL 1u
#define PASID_5LVL 2u

enum leaf { LEAF_4K, LEAF_2M, LEAF_1G };

static const char *const leaf_name[] = { "4k", "2m", "1g" };

static struct {
	struct bench_pt pt, host_pt; /* nested tables; first-stage-only tables */
	size_t top4, top5, htop4, htop5;
	uint8_t *data, *h2m, *h1g;
	struct bench_sim_env plain, ats;
	uint32_t *order; /* working-set index array */
} xl;

/* ---- the world ---- */

static uint64_t leaf_va(enum leaf l, uint64_t i)
{
	switch (l) {
	case LEAF_2M:
		return XL_VA_2M + i * BENCH_2M;
	case LEAF_1G:
		/* Spread inside the mapped part of the output, so each is its own 4 KiB entry. */
		return XL_VA_1G + i * BENCH_1G + (i % (XL_1G_MAPPED / BENCH_PAGE)) * BENCH_PAGE;
	default:
		return XL_VA_4K + i * BENCH_PAGE;
	}
}

/*
 * The same VA layout under @top (@levels levels) of @pt, leaves pointing at @data_base...:
 * 64K 4 KiB pages, 64 2 MiB pages, 64 1 GiB pages.
 */
static int build_tree(struct bench_pt *pt, size_t top, unsigned int levels, uint64_t out_4k,
		      uint64_t out_2m, uint64_t out_1g)
{
	int ret = 0;

	for (uint64_t i = 0; i < XL_4K_PAGES && !ret; i++)
		ret = bench_pt_set(pt, top, levels, leaf_va(LEAF_4K, i), 1,
				   (out_4k + (i % XL_DATA_PAGES) * BENCH_PAGE) | BENCH_FS_LEAF);
	for (uint64_t i = 0; i < XL_BIG_LEAVES && !ret; i++) {
		ret = bench_pt_set(pt, top, levels, XL_VA_2M + i * BENCH_2M, 2,
				   out_2m | BENCH_FS_LEAF | BENCH_FS_PS);
		if (!ret)
			ret = bench_pt_set(pt, top, levels, XL_VA_1G + i * BENCH_1G, 3,
					   out_1g | BENCH_FS_LEAF | BENCH_FS_PS);
	}
	return ret;
}

static int env_build(struct bench_sim_env *e, const char *name, bool ats)
{
	uint32_t h4, h5;
	int ret;

	ret = bench_sim_env_init(e, name, ats, &xl.pt);
	if (ret)
		return ret;
	ret = bench_sim_map(e, xl.data, XL_DATA_PAGES * BENCH_PAGE, XL_IOVA_DATA);
	if (!ret)
		ret = bench_sim_map(e, xl.h2m, BENCH_2M, XL_IOVA_2M);
	if (!ret)
		ret = bench_sim_map(e, xl.h1g, XL_1G_MAPPED, XL_IOVA_1G);
	if (!ret)
		ret = bench_sim_nested(e, xl.top4, 48, 0, &h4);
	if (!ret)
		ret = bench_sim_nested(e, xl.top5, 57, 0, &h5);
	if (!ret)
		ret = bench_sim_attach(e, h4, PASID_4LVL);
	if (!ret)
		ret = bench_sim_attach(e, h5, PASID_5LVL);
	if (ret)
		bench_sim_env_fini(e);
	return ret;
}

static void warm_2m(struct bench_sim_env *e)
{
	struct sim_dma_xlate x;

	sim_iommu_translate(e->dev, PASID_4LVL, true, XL_VA_2M, SIM_DMA_READ, &x, NULL);
	bench_sim_flush(e, PASID_4LVL);
}

static void xl_destroy(void)
{
	bench_sim_env_fini(&xl.ats);
	bench_sim_env_fini(&xl.plain);
	bench_pt_fini(&xl.pt);
	bench_pt_fini(&xl.host_pt);
	if (xl.data)
		munmap(xl.data, XL_DATA_PAGES * BENCH_PAGE);
	if (xl.h2m)
		munmap(xl.h2m, BENCH_2M);
	if (xl.h1g)
		munmap(xl.h1g, XL_1G_MAPPED);
	free(xl.order);
	memset(&xl, 0, sizeof(xl));
	xl.plain.fd = xl.plain.vfd = xl.ats.fd = xl.ats.vfd = -1;
}

static int xl_build(void)
{
	long t[4];
	int ret;

	memset(&xl, 0, sizeof(xl));
	xl.plain.fd = xl.plain.vfd = xl.ats.fd = xl.ats.vfd = -1;
	ret = bench_pt_init(&xl.pt, XL_PT_PAGES, false);
	if (!ret)
		ret = bench_pt_init(&xl.host_pt, XL_PT_PAGES, true);
	xl.data = bench_map_aligned(XL_DATA_PAGES * BENCH_PAGE, BENCH_PAGE);
	xl.h2m = bench_map_aligned(BENCH_2M, BENCH_2M);
	xl.h1g = bench_map_aligned(XL_1G_MAPPED, BENCH_PAGE);
	xl.order = calloc(XL_4K_PAGES, sizeof(*xl.order));
	if (ret || !xl.data || !xl.h2m || !xl.h1g || !xl.order) {
		ret = -ENOMEM;
		goto out_destroy;
	}
	t[0] = bench_pt_page(&xl.pt);
	t[1] = bench_pt_page(&xl.pt);
	t[2] = bench_pt_page(&xl.host_pt);
	t[3] = bench_pt_page(&xl.host_pt);
	xl.top4 = (size_t)t[0];
	xl.top5 = (size_t)t[1];
	xl.htop4 = (size_t)t[2];
	xl.htop5 = (size_t)t[3];
	/* Nested: outputs are IOVAs. First-stage only: outputs are host addresses. */
	ret = build_tree(&xl.pt, xl.top4, 4, XL_IOVA_DATA, XL_IOVA_2M, XL_IOVA_1G);
	if (!ret)
		ret = build_tree(&xl.pt, xl.top5, 5, XL_IOVA_DATA, XL_IOVA_2M, XL_IOVA_1G);
	if (!ret)
		ret = build_tree(&xl.host_pt, xl.htop4, 4, (uintptr_t)xl.data, (uintptr_t)xl.h2m,
				 0x40000000ULL);
	if (!ret)
		ret = build_tree(&xl.host_pt, xl.htop5, 5, (uintptr_t)xl.data, (uintptr_t)xl.h2m,
				 0x40000000ULL);
	if (!ret)
		ret = env_build(&xl.plain, "0000:6a:01.0", false);
	if (!ret)
		ret = env_build(&xl.ats, "0000:6a:02.0", true);
	if (ret)
		goto out_destroy;
	/*
	 * Once the unit has cached a 2 MiB entry, every lookup probes the 2 MiB key before the
	 * 4 KiB one (iotlb.c skips sizes never inserted). A process using both sizes is the
	 * common case (pasid_as maps aligned 2 MiB windows with 2 MiB leaves): start there, so
	 * that no result depends on which benchmark ran first.
	 */
	warm_2m(&xl.plain);
	warm_2m(&xl.ats);
	return 0;

out_destroy:
	xl_destroy();
	return ret;
}

/* The default IOTLB (4096 x 8) and device TLB (256 x 8). */
static const struct bench_world xl_world = {
	.name = "xlate",
	.build = xl_build,
	.destroy = xl_destroy,
};

/* ---- helpers ---- */

struct xcase {
	enum leaf leaf;
	unsigned int levels; /* 4 or 5 */
	bool ats;
	bool random; /* working sets */
};

static struct bench_sim_env *env_of(const struct xcase *c)
{
	return c->ats ? &xl.ats : &xl.plain;
}

static uint32_t pasid_of(const struct xcase *c)
{
	return c->levels == 5 ? PASID_5LVL : PASID_4LVL;
}

static bool setup(struct sb_state *st)
{
	int ret = bench_world_use(&xl_world);

	if (ret)
		bench_skip(st, "building the sim devices and tables", ret);
	return !ret;
}

static struct sim_iommu_stats stats(struct bench_sim_env *e)
{
	struct sim_iommu_stats s;

	sim_iommu_stats(e->dev, &s);
	return s;
}

/*
 * Counters from the device's stats over the run: walks and memory references per translation
 * and per walk, and the share of translations a cache answered.
 */
static void report(struct sb_state *st, const struct sim_iommu_stats *a,
		   const struct sim_iommu_stats *b, uint64_t xlates)
{
	uint64_t walks = b->walks - a->walks, refs = b->mem_refs - a->mem_refs;
	uint64_t hits = (b->iotlb_hits - a->iotlb_hits) + (b->devtlb_hits - a->devtlb_hits);

	if (!xlates)
		return;
	sb_counter_set(st, "walks_per_xlate", (double)walks / (double)xlates, 0);
	sb_counter_set(st, "mem_refs_per_walk", walks ? (double)refs / (double)walks : 0, 0);
	sb_counter_set(st, "hit_ratio", (double)hits / (double)xlates, 0);
	/* With ATS: how many the device TLB answered without asking the IOMMU. */
	if (b->devtlb_hits + b->devtlb_misses != a->devtlb_hits + a->devtlb_misses)
		sb_counter_set(st, "devtlb_hit_ratio",
			       (double)(b->devtlb_hits - a->devtlb_hits) / (double)xlates, 0);
	if (b->faults != a->faults)
		sb_skip_with_error(st, "translations failed");
}

/* ---- baselines ---- */

static uint8_t *cpy_src, *cpy_dst;

static void bm_memcpy(struct sb_state *st, void *arg)
{
	size_t n = (size_t)sb_range_arg(st, 0);

	if (!cpy_src || !cpy_dst || n > BENCH_PAGE) {
		bench_skip(st, "the memcpy buffers", -ENOMEM);
		return;
	}
	while (sb_keep_running_batch(st, 16))
		for (int i = 0; i < 16; i++) {
			memcpy(cpy_dst, cpy_src, n);
			sb_clobber_memory();
		}
	sb_set_bytes_processed(st, sb_iterations_done(st) * (int64_t)n);
}

static void bm_clock_pair(struct sb_state *st, void *arg)
{
	uint64_t sum = 0;

	while (sb_keep_running(st)) {
		uint64_t t0 = bench_now_ns();

		sum += bench_now_ns() - t0;
	}
	sb_do_not_optimize(&sum);
	if (sb_iterations_done(st))
		sb_counter_set(st, "delta_ns", (double)sum / (double)sb_iterations_done(st), 0);
}

/* ---- hits ---- */

static void bm_hit(struct sb_state *st, void *arg)
{
	const struct xcase *c = arg;
	struct sim_iommu_stats a, b;
	struct bench_sim_env *e;
	struct sim_dma_xlate x;
	uint64_t va, fails = 0;

	if (!setup(st))
		return;
	e = env_of(c);
	va = leaf_va(c->leaf, 0);
	bench_sim_flush(e, PASID_4LVL);
	fails += sim_iommu_translate(e->dev, PASID_4LVL, true, va, SIM_DMA_READ, &x, NULL) != 0;
	a = stats(e);
	while (sb_keep_running_batch(st, 16))
		for (int i = 0; i < 16; i++)
			/* Different offsets in the page, one cached entry. */
			fails += sim_iommu_translate(e->dev, PASID_4LVL, true, va + (unsigned)i * 8,
						     SIM_DMA_READ, &x, NULL) != 0;
	b = stats(e);
	sb_do_not_optimize(&x);
	sb_set_items_processed(st, sb_iterations_done(st));
	report(st, &a, &b, (uint64_t)sb_iterations_done(st));
	if (fails)
		sb_skip_with_error(st, "translation failed");
}

/* ---- walks ---- */

static void bm_walk_s1only(struct sb_state *st, void *arg)
{
	const struct xcase *c = arg;
	struct sim_vtd_s1_cfg cfg;
	struct sim_vtd_s1_result res;
	uint64_t refs = 0, fails = 0, i = 0;

	if (!setup(st))
		return;
	cfg = (struct sim_vtd_s1_cfg){
		.pgtbl_addr = bench_pt_addr(&xl.host_pt, c->levels == 5 ? xl.htop5 : xl.htop4),
		.addr_width = c->levels == 5 ? 57 : 48,
		.caps = SIM_VTD_S1_CAPS_ALL,
		.fetch = bench_pt_host_fetch,
	};
	while (sb_keep_running(st)) {
		/* The same access pattern as walk_nested: 64 distinct pages in turn. */
		fails += sim_vtd_s1_walk(&cfg, leaf_va(c->leaf, i++ % XL_BATCH),
					 SIM_VTD_S1_ACC_SET_AD, &res) != 0;
		refs += res.mem_refs + res.ad_updates;
	}
	sb_do_not_optimize(&res);
	sb_set_items_processed(st, sb_iterations_done(st));
	if (sb_iterations_done(st))
		sb_counter_set(st, "mem_refs_per_walk",
			       (double)refs / (double)sb_iterations_done(st), 0);
	if (fails)
		sb_skip_with_error(st, "walk failed");
}

static void bm_walk_nested(struct sb_state *st, void *arg)
{
	const struct xcase *c = arg;
	uint32_t pasid = pasid_of(c), did;
	struct sim_iommu_stats a, b;
	struct bench_sim_env *e;
	struct sim_dma_xlate x;
	uint64_t fails = 0;

	if (!setup(st))
		return;
	e = env_of(c);
	did = bench_sim_did(e, pasid);
	a = stats(e);
	while (sb_keep_running_batch(st, XL_BATCH)) {
		/* One flush per batch: its cost is in inval/pasid, /64 here. */
		sim_iommu_inv_pasid(did, pasid);
		if (c->ats)
			sim_iommu_inv_devtlb(e->dev, pasid, 0, UINT64_MAX);
		for (uint64_t i = 0; i < XL_BATCH; i++)
			fails += sim_iommu_translate(e->dev, pasid, true, leaf_va(c->leaf, i),
						     SIM_DMA_READ, &x, NULL) != 0;
	}
	b = stats(e);
	sb_do_not_optimize(&x);
	sb_set_items_processed(st, sb_iterations_done(st));
	report(st, &a, &b, (uint64_t)sb_iterations_done(st));
	if (fails)
		sb_skip_with_error(st, "translation failed");
}

/* ---- working sets ---- */

static void make_order(uint32_t *order, uint32_t n, bool random)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;

	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	if (!random)
		return;
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j, t;

		/* xorshift64: a fixed permutation, the same in every run. */
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		j = (uint32_t)(s % (i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static void bm_ws(struct sb_state *st, void *arg)
{
	const struct xcase *c = arg;
	uint32_t n = (uint32_t)sb_range_arg(st, 0), k = 0;
	struct sim_iommu_stats a, b;
	struct bench_sim_env *e;
	struct sim_dma_xlate x;
	uint64_t fails = 0;

	if (!setup(st))
		return;
	if (n > XL_4K_PAGES || !n) {
		bench_skip(st, "working set beyond the tables", 0);
		return;
	}
	e = env_of(c);
	make_order(xl.order, n, c->random);
	bench_sim_flush(e, PASID_4LVL);
	/* One pass to reach the steady state: the caches hold what this pattern leaves. */
	for (uint32_t i = 0; i < n; i++)
		sim_iommu_translate(e->dev, PASID_4LVL, true, XL_VA_4K + xl.order[i] * BENCH_PAGE,
				    SIM_DMA_READ, &x, NULL);
	a = stats(e);
	while (sb_keep_running_batch(st, 16))
		for (int i = 0; i < 16; i++) {
			fails += sim_iommu_translate(e->dev, PASID_4LVL, true,
						     XL_VA_4K + xl.order[k] * BENCH_PAGE,
						     SIM_DMA_READ, &x, NULL) != 0;
			if (++k == n)
				k = 0;
		}
	b = stats(e);
	sb_do_not_optimize(&x);
	sb_set_items_processed(st, sb_iterations_done(st));
	report(st, &a, &b, (uint64_t)sb_iterations_done(st));
	if (fails)
		sb_skip_with_error(st, "translation failed");
}

/* ---- registration ---- */

static void reg_fail(const char *name)
{
	fprintf(stderr, "svart-bench-xlate: cannot register %s\n", name);
}

/* The quick profile: an IOTLB hit and a nested miss for each leaf size (4 KiB, 2 MiB, 1 GiB). */
static void xlate_register_quick(void)
{
	static const struct xcase c[] = { { LEAF_4K, 4, false, false },
					  { LEAF_2M, 4, false, false },
					  { LEAF_1G, 4, false, false } };
	char name[96];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(name, sizeof(name), "xlate/hit/%s/iotlb", leaf_name[c[i].leaf]);
		if (!sb_register(name, bm_hit, NULL, NULL, (void *)&c[i]))
			reg_fail(name);
	}
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(name, sizeof(name), "xlate/walk_nested/4lvl/%s/iotlb",
			 leaf_name[c[i].leaf]);
		if (!sb_register(name, bm_walk_nested, NULL, NULL, (void *)&c[i]))
			reg_fail(name);
	}
}

void bench_xlate_register(void)
{
	static const struct xcase hit[] = {
		{ LEAF_4K, 4, false, false }, { LEAF_2M, 4, false, false },
		{ LEAF_1G, 4, false, false }, { LEAF_4K, 4, true, false },
		{ LEAF_2M, 4, true, false },  { LEAF_1G, 4, true, false },
	};
	static struct xcase walk[2][3], wats = { LEAF_4K, 4, true, false };
	static const struct xcase ws[] = { { LEAF_4K, 4, false, false },
					   { LEAF_4K, 4, false, true },
					   { LEAF_4K, 4, true, false },
					   { LEAF_4K, 4, true, true } };
	static const int64_t ws_pages[] = { 64, 256, 1024, 4096, 16384, 65536 };
	char name[96];
	struct sb_bench *b;

	b = sb_arg(sb_register("baseline/memcpy", bm_memcpy, NULL, NULL, NULL), 4096);
	if (!b)
		reg_fail("baseline/memcpy");
	if (!sb_register("baseline/clock_pair", bm_clock_pair, NULL, NULL, NULL))
		reg_fail("baseline/clock_pair");

	for (size_t i = 0; i < sizeof(hit) / sizeof(hit[0]); i++) {
		snprintf(name, sizeof(name), "xlate/hit/%s/%s", leaf_name[hit[i].leaf],
			 hit[i].ats ? "devtlb" : "iotlb");
		if (!sb_register(name, bm_hit, NULL, NULL, (void *)&hit[i]))
			reg_fail(name);
	}
	for (unsigned int l = 0; l < 2; l++)
		for (unsigned int f = 0; f < 3; f++) {
			walk[l][f] = (struct xcase){ (enum leaf)f, 4 + l, false, false };
			snprintf(name, sizeof(name), "xlate/walk_s1only/%ulvl/%s", 4 + l,
				 leaf_name[f]);
			if (!sb_register(name, bm_walk_s1only, NULL, NULL, &walk[l][f]))
				reg_fail(name);
		}
	for (unsigned int l = 0; l < 2; l++)
		for (unsigned int f = 0; f < 3; f++) {
			snprintf(name, sizeof(name), "xlate/walk_nested/%ulvl/%s/iotlb", 4 + l,
				 leaf_name[f]);
			if (!sb_register(name, bm_walk_nested, NULL, NULL, &walk[l][f]))
				reg_fail(name);
		}
	if (!sb_register("xlate/walk_nested/4lvl/4k/devtlb", bm_walk_nested, NULL, NULL, &wats))
		reg_fail("xlate/walk_nested/4lvl/4k/devtlb");
	for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
		snprintf(name, sizeof(name), "xlate/ws/%s/%s", ws[i].random ? "rand" : "seq",
			 ws[i].ats ? "devtlb" : "iotlb");
		b = sb_register(name, bm_ws, NULL, NULL, (void *)&ws[i]);
		for (size_t j = 0; j < sizeof(ws_pages) / sizeof(ws_pages[0]) && b; j++)
			b = sb_arg(b, ws_pages[j]);
		b = sb_arg_names(b, (const char *const[]){ "pages" }, 1);
		if (!b)
			reg_fail(name);
	}
}

void sb_suite_xlate(bool full)
{
	if (!full) {
		xlate_register_quick();
		return;
	}
	if (!cpy_src)
		cpy_src = bench_map_aligned(BENCH_PAGE, BENCH_PAGE);
	if (!cpy_dst)
		cpy_dst = bench_map_aligned(BENCH_PAGE, BENCH_PAGE);
	if (cpy_src)
		memset(cpy_src, 0x5a, BENCH_PAGE);
	bench_xlate_register();
	bench_inval_register();
	bench_fault_register();
}

void sb_suites_release(void)
{
	bench_world_release();
}
