// SPDX-License-Identifier: MIT
/*
 * svart-bench-xlate, invalidation: what dropping cached translations costs, and what it costs
 * the next access.
 *
 *   inval/{pasid,domain,global}/{cold,warm}/entries:N
 *	one PASID-selective / domain-selective / global IOTLB invalidation with N entries of
 *	the PASID cached (N = 1 .. 1M, in an IOTLB of 2M entries x 16 ways so that 1M fit)
 *   inval/range/{one_call,per_page}/pages:P
 *	page-selective invalidation of P cached 4 KiB pages: one call for the range, or P calls
 *	of one page (P > 512, the ceiling, becomes a whole-PASID flush)
 *   inval/ioas_unmap/pages:P
 *	IOMMU_IOAS_UNMAP of a P-page area of an IOAS under a paging HWPT (a page-selective
 *	flush of the range) and a nested one (a flush of the whole domain)
 *   inval/as_invalidate/2m
 *	pasid_as_invalidate() of a prefaulted 2 MiB window: first-stage entries cleared,
 *	HWPT_INVALIDATE, IOAS_UNMAP, table pages reclaimed
 *   inval/munmap_uffd/2m
 *	munmap() of a bound, prefaulted, cached 2 MiB buffer until the device's translation of
 *	it faults: userfaultfd UNMAP event -> monitor -> the same steps
 *   inval/next_access/{hit,after_inv}
 *	the device's next translation of a bound 2 MiB window: cached, or after an invalidation
 *	and a new prefault (the refill walk)
 *
 * All are timed by hand around the operation alone (setup such as refilling the IOTLB is not
 * timed), one operation per iteration, with a fixed iteration count. Counters: p50_ns and
 * iqm_ns (the run's median and interquartile mean; Google Benchmark's time is the plain
 * mean, which preemption on a busy machine inflates), clock_ns (the same of an empty timed
 * interval: the floor under every sample, ~20 ns in steps of ~10 ns), net_ns (iqm - clock),
 * and what the operation dropped or scanned.
 *
 * cold/warm: a flush timed right after the fill finds its own code and data evicted by the
 * fill (the larger the fill, the more so: at 1M entries the fill sweeps ~90 MiB of IOTLB);
 * "warm" runs a flush of the same kind that drops nothing first, so what remains is the
 * flush's own work.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench_sim_util.h"
#include "pasid/pasid_as.h"

#define IV_MAX_ENTRIES (1u << 20)
/* 1M 4 KiB leaves: 2048 page tables, 4 directories, a PDPT and the PML4. */
#define IV_PT_PAGES 2112u
#define IV_DATA_PAGES 512u
#define IV_UNMAP_PAGES 512u

#define IV_VA 0x0000100000000000ULL
#define IV_IOVA_DATA 0x100000000ULL
#define IV_IOVA_UNMAP 0x800000000ULL

#define PASID_NESTED 1u
#define PASID_PAGING 3u

#define MAX_SAMPLES 4096u

static struct {
	struct bench_pt pt;
	size_t top;
	uint8_t *data, *ubuf_map, *ubuf;
	struct bench_sim_env e;
	uint32_t did_nested;
	struct sim_iotlb *spare; /* for warming the global flush's code */
	double samples[MAX_SAMPLES], floors[MAX_SAMPLES], aux[MAX_SAMPLES];
} iv;

/* ---- the worlds ---- */

static void iv_destroy(void)
{
	sim_iotlb_destroy(iv.spare);
	iv.spare = NULL;
	bench_sim_env_fini(&iv.e);
	bench_pt_fini(&iv.pt);
	if (iv.data)
		munmap(iv.data, IV_DATA_PAGES * BENCH_PAGE);
	if (iv.ubuf_map)
		munmap(iv.ubuf_map, (IV_UNMAP_PAGES + 1) * BENCH_PAGE);
	iv.data = iv.ubuf_map = iv.ubuf = NULL;
	iv.e.fd = iv.e.vfd = -1;
}

static int iv_build(void)
{
	uint32_t nested;
	long top;
	int ret;

	iv.e.fd = iv.e.vfd = -1;
	ret = bench_pt_init(&iv.pt, IV_PT_PAGES, false);
	iv.data = bench_map_aligned(IV_DATA_PAGES * BENCH_PAGE, BENCH_PAGE);
	/* 4 KiB off a 2 MiB boundary: IOVA and host never line up at 2 MiB, so 4 KiB entries. */
	iv.ubuf_map = bench_map_aligned((IV_UNMAP_PAGES + 1) * BENCH_PAGE, BENCH_2M);
	if (ret || !iv.data || !iv.ubuf_map) {
		ret = -ENOMEM;
		goto out_destroy;
	}
	iv.ubuf = iv.ubuf_map + BENCH_PAGE;
	top = bench_pt_page(&iv.pt);
	iv.top = (size_t)top;
	for (uint64_t i = 0; i < IV_MAX_ENTRIES && !ret; i++)
		ret = bench_pt_set(&iv.pt, iv.top, 4, IV_VA + i * BENCH_PAGE, 1,
				   (IV_IOVA_DATA + (i % IV_DATA_PAGES) * BENCH_PAGE) |
					   BENCH_FS_LEAF);
	if (!ret)
		ret = sim_iotlb_create(NULL, &iv.spare);
	if (!ret)
		ret = bench_sim_env_init(&iv.e, "0000:6a:03.0", false, &iv.pt);
	if (!ret)
		ret = bench_sim_map(&iv.e, iv.data, IV_DATA_PAGES * BENCH_PAGE, IV_IOVA_DATA);
	if (!ret)
		ret = bench_sim_nested(&iv.e, iv.top, 48, 0, &nested);
	if (!ret)
		ret = bench_sim_attach(&iv.e, nested, PASID_NESTED);
	/* The nest parent is a paging HWPT too: second-stage-only translation at its PASID. */
	if (!ret)
		ret = bench_sim_attach(&iv.e, iv.e.s2, PASID_PAGING);
	if (ret)
		goto out_destroy;
	iv.did_nested = bench_sim_did(&iv.e, PASID_NESTED);
	return 0;

out_destroy:
	iv_destroy();
	return ret;
}

/* 2M entries x 16 ways: 1M pages fit (set overflows lose ~0.1 %: the cached counter). */
static const struct bench_world iv_big = {
	.name = "inval-1M",
	.iotlb_entries = 2u << 20,
	.iotlb_ways = 16,
	.build = iv_build,
	.destroy = iv_destroy,
};

/* The default geometry, 4096 x 8, where counting live entries is cheap. */
static const struct bench_world iv_small = {
	.name = "inval",
	.build = iv_build,
	.destroy = iv_destroy,
};

/* ---- helpers ---- */

static struct sim_iommu_stats stats(struct sim_iommu_dev *dev)
{
	struct sim_iommu_stats s;

	sim_iommu_stats(dev, &s);
	return s;
}

/* Cache N pages of the nested PASID (a walk each: every earlier entry is dead or absent). */
static int fill(uint32_t n)
{
	struct sim_dma_xlate x;
	int ret = 0;

	for (uint64_t i = 0; i < n && !ret; i++)
		ret = sim_iommu_translate(iv.e.dev, PASID_NESTED, true, IV_VA + i * BENCH_PAGE,
					  SIM_DMA_READ, &x, NULL);
	return ret;
}

/* An empty timed interval: the floor under every sample. */
static double clock_floor(void)
{
	uint64_t t0 = bench_now_ns();

	return (double)(bench_now_ns() - t0);
}

static void sample(struct sb_state *st, uint64_t k, uint64_t t0, uint64_t t1, double floor)
{
	sb_set_iteration_time(st, (double)(t1 - t0) * 1e-9);
	if (k < MAX_SAMPLES) {
		iv.samples[k] = (double)(t1 - t0);
		iv.floors[k] = floor;
	}
}

/*
 * The mean of the middle half of @n sorted samples: robust against preemption like the
 * median, and it averages over the clock's ~10 ns steps, which a median cannot.
 */
static double iqm(const double *v, size_t n)
{
	double sum = 0;
	size_t lo = n / 4, hi = n - n / 4;

	if (hi <= lo)
		return n ? v[n / 2] : 0;
	for (size_t i = lo; i < hi; i++)
		sum += v[i];
	return sum / (double)(hi - lo);
}

/* Counters: p50_ns and iqm_ns of the samples, clock_ns (iqm of the floors), net_ns. */
static void percentiles(struct sb_state *st, uint64_t k)
{
	double p50, mid, floor;

	if (k > MAX_SAMPLES)
		k = MAX_SAMPLES;
	p50 = bench_median(iv.samples, k); /* sorts */
	mid = iqm(iv.samples, k);
	bench_median(iv.floors, k);
	floor = iqm(iv.floors, k);
	sb_counter_set(st, "p50_ns", p50, 0);
	sb_counter_set(st, "iqm_ns", mid, 0);
	sb_counter_set(st, "clock_ns", floor, 0);
	sb_counter_set(st, "net_ns", mid > floor ? mid - floor : 0, 0);
}

/* The median of the auxiliary samples as counter @name. */
static void aux_median(struct sb_state *st, const char *name, uint64_t k)
{
	sb_counter_set(st, name, bench_median(iv.aux, k < MAX_SAMPLES ? k : MAX_SAMPLES), 0);
}

static bool use(struct sb_state *st, const struct bench_world *w)
{
	int ret = bench_world_use(w);

	if (ret)
		bench_skip(st, "building the sim device and tables", ret);
	return !ret;
}

/* ---- PASID, domain, global ---- */

enum gran { G_PASID, G_DOMAIN, G_GLOBAL };

/* Nothing is attached at this PASID, no HWPT has this domain id: flushing them drops nothing. */
#define PASID_UNUSED 0x7fu
#define DID_UNUSED 0xfffeu

struct wcase {
	enum gran g;
	bool warm;
};

static void flush(enum gran g)
{
	switch (g) {
	case G_PASID:
		sim_iommu_inv_pasid(iv.did_nested, PASID_NESTED);
		break;
	case G_DOMAIN:
		sim_iommu_inv_domain(iv.did_nested);
		break;
	default:
		sim_iommu_inv_global();
	}
}

/*
 * Warm: the flush path's code and shared data (the unit's lock, the cache's tag table) back in
 * the CPU caches after the fill evicted them, by a flush of the same granularity that drops
 * nothing: an unused PASID or domain. A global flush has no such variant: a PASID one warms
 * the unit's path, a global flush of a spare (empty) IOTLB the cache's.
 */
static void warm_up(enum gran g)
{
	if (g == G_DOMAIN) {
		sim_iommu_inv_domain(DID_UNUSED);
		return;
	}
	sim_iommu_inv_pasid(iv.did_nested, PASID_UNUSED);
	/* The unit's global flush has no harmless twin: run the cache's own code on a spare. */
	if (g == G_GLOBAL && iv.spare)
		sim_iotlb_flush_all(iv.spare);
}

static void bm_wide(struct sb_state *st, void *arg)
{
	const struct wcase *c = arg;
	enum gran g = c->g;
	uint32_t n = (uint32_t)sb_range_arg(st, 0);
	struct sim_iommu_stats a, b;
	uint64_t k = 0, cached, left;
	int ret;

	if (!use(st, &iv_big))
		return;
	if (!n || n > IV_MAX_ENTRIES) {
		bench_skip(st, "entries out of range", 0);
		return;
	}
	/* Once, untimed: how many of the N pages are cached, and that the flush drops them. */
	flush(G_GLOBAL);
	ret = fill(n);
	if (ret) {
		bench_skip(st, "filling the IOTLB", ret);
		return;
	}
	cached = stats(iv.e.dev).iotlb_entries;
	flush(g);
	a = stats(iv.e.dev);
	left = a.iotlb_entries;
	while (sb_keep_running(st)) {
		double fl;
		uint64_t t0, t1;

		fill(n);
		if (c->warm)
			warm_up(g);
		fl = clock_floor();
		t0 = bench_now_ns();
		flush(g);
		t1 = bench_now_ns();
		sample(st, k++, t0, t1, fl);
	}
	b = stats(iv.e.dev);
	percentiles(st, k);
	sb_counter_set(st, "cached", (double)cached, 0);
	sb_counter_set(st, "left", (double)left, 0);
	sb_counter_set(st, "scanned_per_flush",
		       k ? (double)(b.iotlb_flush_scanned - a.iotlb_flush_scanned) / (double)k : 0,
		       0);
	sb_set_items_processed(st, (int64_t)k);
}

/* ---- page-selective ---- */

static void bm_range(struct sb_state *st, void *arg)
{
	bool per_page = (bool)(intptr_t)arg;
	uint32_t p = (uint32_t)sb_range_arg(st, 0);
	struct sim_iommu_stats a, b;
	uint64_t k = 0, cached, left;
	int ret;

	if (!use(st, &iv_small))
		return;
	if (!p || p > IV_MAX_ENTRIES) {
		bench_skip(st, "pages out of range", 0);
		return;
	}
	flush(G_GLOBAL);
	ret = fill(p);
	if (ret) {
		bench_skip(st, "filling the IOTLB", ret);
		return;
	}
	cached = stats(iv.e.dev).iotlb_entries;
	a = stats(iv.e.dev);
	while (sb_keep_running(st)) {
		double fl;
		uint64_t t0, t1;

		/* Only the flushed pages walk again: everything else is still cached. */
		fill(p);
		fl = clock_floor();
		t0 = bench_now_ns();
		if (per_page)
			for (uint32_t i = 0; i < p; i++)
				sim_iommu_inv_range(iv.did_nested, PASID_NESTED,
						    IV_VA + (uint64_t)i * BENCH_PAGE, 1, false);
		else
			sim_iommu_inv_range(iv.did_nested, PASID_NESTED, IV_VA, p, false);
		t1 = bench_now_ns();
		sample(st, k++, t0, t1, fl);
	}
	b = stats(iv.e.dev);
	left = b.iotlb_entries;
	percentiles(st, k);
	if (k)
		sb_counter_set(st, "ns_per_page",
			       iqm(iv.samples, k < MAX_SAMPLES ? k : MAX_SAMPLES) / p, 0);
	sb_counter_set(st, "cached", (double)cached, 0);
	sb_counter_set(st, "left", (double)left, 0);
	sb_counter_set(st, "scanned_per_flush",
		       k ? (double)(b.iotlb_flush_scanned - a.iotlb_flush_scanned) / (double)k : 0,
		       0);
	sb_set_items_processed(st, (int64_t)k);
}

/* ---- IOAS unmap ---- */

/*
 * The IOAS holds the nested domain (PASID 1, 4096 pages cached) and the paging domain (PASID 3,
 * the area's P pages cached): each unmap is one domain flush and one P-page range flush.
 */
static void bm_ioas_unmap(struct sb_state *st, void *arg)
{
	uint32_t p = (uint32_t)sb_range_arg(st, 0);
	struct sim_iommu_stats a, b;
	struct sim_dma_xlate x;
	uint64_t k = 0;
	int ret = 0;

	if (!use(st, &iv_small))
		return;
	if (!p || p > IV_UNMAP_PAGES) {
		bench_skip(st, "pages out of range", 0);
		return;
	}
	flush(G_GLOBAL);
	a = stats(iv.e.dev);
	while (sb_keep_running(st) && !ret) {
		double fl;
		uint64_t t0, t1;

		ret = bench_sim_map(&iv.e, iv.ubuf, p * BENCH_PAGE, IV_IOVA_UNMAP);
		if (!ret)
			ret = fill(4096);
		for (uint32_t i = 0; i < p && !ret; i++)
			ret = sim_iommu_translate(iv.e.dev, PASID_PAGING, true,
						  IV_IOVA_UNMAP + (uint64_t)i * BENCH_PAGE,
						  SIM_DMA_READ, &x, NULL);
		if (ret)
			break;
		fl = clock_floor();
		t0 = bench_now_ns();
		ret = bench_sim_unmap(&iv.e, IV_IOVA_UNMAP, p * BENCH_PAGE);
		t1 = bench_now_ns();
		sample(st, k++, t0, t1, fl);
	}
	if (ret) {
		bench_skip(st, "map, translate or unmap", ret);
		return;
	}
	b = stats(iv.e.dev);
	percentiles(st, k);
	sb_counter_set(st, "inv_range_per_unmap",
		       k ? (double)(b.inv_range - a.inv_range) / (double)k : 0, 0);
	sb_counter_set(st, "inv_domain_per_unmap",
		       k ? (double)(b.inv_domain - a.inv_domain) / (double)k : 0, 0);
	sb_set_items_processed(st, (int64_t)k);
}

/* ---- a bound process (pasid_as) ---- */

#define AS_PASID 0x20u

static struct {
	struct bench_as_env e;
	uint8_t *buf; /* a 2 MiB-aligned window's worth, mapped for the whole world */
} av;

static void av_destroy(void)
{
	bench_as_env_fini(&av.e);
	if (av.buf)
		munmap(av.buf, BENCH_2M);
	av.buf = NULL;
}

static int av_build(void)
{
	int ret;

	av.buf = bench_map_aligned(BENCH_2M, BENCH_2M);
	if (!av.buf)
		return -ENOMEM;
	ret = bench_as_env_init(&av.e, "0000:6a:04.0", AS_PASID, NULL);
	if (ret)
		av_destroy();
	return ret;
}

static const struct bench_world av_world = {
	.name = "inval-bound",
	.build = av_build,
	.destroy = av_destroy,
};

static int xlate(const void *va)
{
	struct sim_dma_xlate x;

	return sim_iommu_translate(av.e.dev, AS_PASID, true, (uintptr_t)va, SIM_DMA_READ, &x, NULL);
}

static void bm_as_invalidate(struct sb_state *st, void *arg)
{
	uint64_t k = 0;
	int ret = 0;

	if (!use(st, &av_world))
		return;
	while (sb_keep_running(st) && !ret) {
		double fl;
		uint64_t t0, t1;

		ret = pasid_as_prefault(av.e.as, av.buf, BENCH_2M, PROT_READ | PROT_WRITE);
		if (!ret)
			ret = xlate(av.buf);
		if (ret)
			break;
		fl = clock_floor();
		t0 = bench_now_ns();
		ret = pasid_as_invalidate(av.e.as, av.buf, BENCH_2M);
		t1 = bench_now_ns();
		ret = ret == 1 ? 0 : -EIO;
		/* The device must no longer reach it. */
		if (!ret && xlate(av.buf) != -EFAULT)
			ret = -EEXIST;
		sample(st, k++, t0, t1, fl);
	}
	if (ret) {
		bench_skip(st, "prefault, translate, invalidate", ret);
		return;
	}
	percentiles(st, k);
	sb_set_items_processed(st, (int64_t)k);
}

static bool wait_windows(uint64_t n, uint64_t *at)
{
	struct pasid_as_info info;

	for (uint64_t t0 = bench_now_ns(); bench_now_ns() - t0 < 10000000000ULL;) {
		pasid_as_info(av.e.as, &info);
		if (info.windows == n) {
			*at = bench_now_ns();
			return true;
		}
		sched_yield();
	}
	return false;
}

static void bm_munmap_uffd(struct sb_state *st, void *arg)
{
	static double teardown[MAX_SAMPLES];
	struct pasid_as_info info;
	uint64_t k = 0;
	int ret = 0;

	if (!use(st, &av_world))
		return;
	pasid_as_info(av.e.as, &info);
	if (!info.uffd) {
		bench_skip(st,
			   "userfaultfd unavailable to this process (unprivileged with "
			   "vm.unprivileged_userfaultfd=0, seccomp, or an old kernel)",
			   0);
		return;
	}
	while (sb_keep_running(st) && !ret) {
		uint64_t t0, tm, t1, t2 = 0, windows;
		uint8_t *buf = bench_map_aligned(BENCH_2M, BENCH_2M);
		double fl;

		if (!buf) {
			ret = -ENOMEM;
			break;
		}
		ret = pasid_as_prefault(av.e.as, buf, BENCH_2M, PROT_READ | PROT_WRITE);
		if (!ret)
			ret = xlate(buf);
		if (ret) {
			munmap(buf, BENCH_2M);
			break;
		}
		pasid_as_info(av.e.as, &info);
		windows = info.windows;
		fl = clock_floor();
		t0 = bench_now_ns();
		munmap(buf, BENCH_2M);
		tm = bench_now_ns();
		/* Until the device's translation faults: the cached entry is gone. */
		while (xlate(buf) == 0) {
			if (bench_now_ns() - t0 > 10000000000ULL) {
				ret = -ETIMEDOUT;
				break;
			}
			sched_yield();
		}
		t1 = bench_now_ns();
		/* And the rest of the teardown (IOAS_UNMAP, tables), untimed. */
		if (!ret && !wait_windows(windows - 1, &t2))
			ret = -ETIMEDOUT;
		if (k < MAX_SAMPLES) {
			iv.aux[k] = (double)(tm - t0);
			teardown[k] = (double)(t2 - t0);
		}
		sample(st, k++, t0, t1, fl);
	}
	if (ret) {
		bench_skip(st, "prefault, translate, munmap", ret);
		return;
	}
	percentiles(st, k);
	aux_median(st, "munmap_call_p50_ns", k);
	sb_counter_set(st, "teardown_p50_ns",
		       bench_median(teardown, k < MAX_SAMPLES ? k : MAX_SAMPLES), 0);
	sb_set_items_processed(st, (int64_t)k);
}

static void bm_next_access(struct sb_state *st, void *arg)
{
	bool after_inv = (bool)(intptr_t)arg;
	struct sim_iommu_stats a, b;
	uint64_t k = 0;
	int ret;

	if (!use(st, &av_world))
		return;
	pasid_as_invalidate(av.e.as, av.buf, BENCH_2M);
	ret = pasid_as_prefault(av.e.as, av.buf, BENCH_2M, PROT_READ | PROT_WRITE);
	if (!ret)
		ret = xlate(av.buf);
	a = stats(av.e.dev);
	while (sb_keep_running(st) && !ret) {
		double fl;
		uint64_t t0, t1;

		if (after_inv) {
			ret = pasid_as_invalidate(av.e.as, av.buf, BENCH_2M) == 1 ? 0 : -EIO;
			if (!ret)
				ret = pasid_as_prefault(av.e.as, av.buf, BENCH_2M,
							PROT_READ | PROT_WRITE);
			if (ret)
				break;
		}
		fl = clock_floor();
		t0 = bench_now_ns();
		ret = xlate(av.buf + ((k * 4096) & (BENCH_2M - 1)));
		t1 = bench_now_ns();
		sample(st, k++, t0, t1, fl);
	}
	if (ret) {
		bench_skip(st, "prefault, invalidate, translate", ret);
		return;
	}
	b = stats(av.e.dev);
	percentiles(st, k);
	if (k) {
		sb_counter_set(st, "walks_per_xlate", (double)(b.walks - a.walks) / (double)k, 0);
		sb_counter_set(st, "mem_refs_per_xlate",
			       (double)(b.mem_refs - a.mem_refs) / (double)k, 0);
	}
	sb_set_items_processed(st, (int64_t)k);
}

/* ---- registration ---- */

static struct sb_bench *manual(const char *name, sb_fn fn, void *arg, int64_t iters)
{
	struct sb_bench *b = sb_register(name, fn, NULL, NULL, arg);

	b = sb_unit(sb_iterations(sb_use_manual_time(b), iters), SB_NS);
	if (!b)
		fprintf(stderr, "svart-bench-xlate: cannot register %s\n", name);
	return b;
}

void bench_inval_register(void)
{
	static const char *const gname[] = { "pasid", "domain", "global" };
	static const uint32_t entries[] = { 1, 64, 4096, 65536, 1u << 20 };
	static struct wcase wc[3][2];
	static const uint32_t pages[] = { 1, 8, 64, 512, 4096 };
	char name[96];

	for (int g = 0; g < 3; g++)
		for (int w = 0; w < 2; w++)
			for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
				/* A 1M fill takes ~0.5 s: few iterations there. */
				int64_t iters =
					entries[i] > 4096 ? (entries[i] > 65536 ? 5 : 40) : 500;

				wc[g][w] = (struct wcase){ (enum gran)g, w };
				snprintf(name, sizeof(name), "inval/%s/%s", gname[g],
					 w ? "warm" : "cold");
				sb_arg_names(
					sb_arg(manual(name, bm_wide, &wc[g][w], iters), entries[i]),
					(const char *const[]){ "entries" }, 1);
			}
	for (int per_page = 0; per_page < 2; per_page++)
		for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
			snprintf(name, sizeof(name), "inval/range/%s",
				 per_page ? "per_page" : "one_call");
			sb_arg_names(sb_arg(manual(name, bm_range, (void *)(intptr_t)per_page,
						   pages[i] > 512 ? 50 : 500),
					    pages[i]),
				     (const char *const[]){ "pages" }, 1);
		}
	for (uint32_t p = 1; p <= 512; p *= 512)
		sb_arg_names(sb_arg(manual("inval/ioas_unmap", bm_ioas_unmap, NULL, 200), p),
			     (const char *const[]){ "pages" }, 1);
	manual("inval/as_invalidate/2m", bm_as_invalidate, NULL, 500);
	manual("inval/munmap_uffd/2m", bm_munmap_uffd, NULL, 300);
	manual("inval/next_access/hit", bm_next_access, (void *)(intptr_t)0, 500);
	manual("inval/next_access/after_inv", bm_next_access, (void *)(intptr_t)1, 500);
}
