// SPDX-License-Identifier: MIT
/*
 * svart-bench-xlate, I/O page faults: the page-request round trip as the device sees it,
 * against the same access with the page mapped ahead of time.
 *
 *   fault/roundtrip/minimal/{4k,2m}
 *	the device translates a not-present address on a nested HWPT with a fault queue
 *	(-EFAULT), sends a page request (sim_iommu_page_request()) and waits; a service thread
 *	blocked in poll() on the fault fd reads the record, stores the first-stage leaf (the
 *	path above it exists) and answers SUCCESS; the device translates again and succeeds.
 *	The least a page request can cost on sim: its queueing, two thread wake-ups, the
 *	response, the retried walk.
 *   fault/roundtrip/pasid_as/{4k,2m}
 *	the same through svart's binding: the service is pasid_as's own thread
 *	(pasid_as_start_service_thread()), which checks the process mapping, populates the
 *	page(s) (MADV_POPULATE_WRITE: first touch of fresh anonymous memory, 2 MiB zeroed for a
 *	2 MiB window), IOAS_MAPs the window and maps it in the first stage. Windows of 4 KiB
 *	(window_shift 12) or 2 MiB (the default, a 2 MiB leaf).
 *   fault/prefaulted/{minimal,pasid_as}/{4k,2m}
 *	the comparison: the page mapped before the access (untimed; pasid_as_prefault()'s own
 *	time is the prefault_p50_ns counter), then the same first translation, which walks.
 *
 * One fault per iteration, fresh pages each time, timed by hand on the device's thread from
 * the first translation to the successful one. Counters: p50_ns, p90_ns, iqm_ns (the median,
 * 90th percentile and interquartile mean of the run; Google Benchmark's time is the mean).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench_sim_util.h"
#include "pasid/iommufd_uapi.h"
#include "pasid/pasid.h"
#include "pasid/pasid_as.h"
#include "suites.h"
#include "svart/sim.h"

#define FQ_PASID 7u
#define FQ_SLOTS_4K 4096u
#define FQ_SLOTS_2M 64u
#define FQ_DATA_PAGES 64u
#define FQ_PT_PAGES 64u

#define FQ_VA_4K 0x0000010000000000ULL
#define FQ_VA_2M 0x0000020000000000ULL
#define FQ_IOVA_DATA 0x100000000ULL
#define FQ_IOVA_2M 0x200000000ULL

#define MAX_SAMPLES 4096u

enum fsize { F_4K, F_2M };

static double samples[MAX_SAMPLES], aux[MAX_SAMPLES];

/* ---- sample reporting ---- */

static double iqm(const double *sorted, size_t n)
{
	double sum = 0;
	size_t lo = n / 4, hi = n - n / 4;

	if (hi <= lo)
		return n ? sorted[n / 2] : 0;
	for (size_t i = lo; i < hi; i++)
		sum += sorted[i];
	return sum / (double)(hi - lo);
}

static void record(struct sb_state *st, uint64_t k, uint64_t t0, uint64_t t1)
{
	sb_set_iteration_time(st, (double)(t1 - t0) * 1e-9);
	if (k < MAX_SAMPLES)
		samples[k] = (double)(t1 - t0);
}

static void report(struct sb_state *st, uint64_t k)
{
	if (k > MAX_SAMPLES)
		k = MAX_SAMPLES;
	if (!k)
		return;
	sb_counter_set(st, "p50_ns", bench_median(samples, k), 0); /* sorts */
	sb_counter_set(st, "p90_ns", samples[(k * 9) / 10 < k ? (k * 9) / 10 : k - 1], 0);
	sb_counter_set(st, "iqm_ns", iqm(samples, k), 0);
	sb_set_items_processed(st, (int64_t)k);
}

/* ---- the minimal world: hand-built tables, a service of our own ---- */

static struct {
	struct bench_pt pt;
	size_t top;
	uint8_t *data, *h2m;
	struct bench_sim_env e;
	int ffd, stop_fd;
	uint32_t fault_id, hwpt;
	pthread_t svc;
	bool svc_running;
	uint64_t *pte[FQ_SLOTS_4K], *pde[FQ_SLOTS_2M];
	uint32_t next4k, next2m;
	_Atomic uint64_t served, bad;
} fq;

static uint64_t slot_va(enum fsize sz, uint32_t i)
{
	return sz == F_2M ? FQ_VA_2M + (uint64_t)i * BENCH_2M : FQ_VA_4K + (uint64_t)i * BENCH_PAGE;
}

/* The leaf the service (or a prefault) installs for @va; NULL outside the slots. */
static uint64_t *leaf_of(uint64_t va, uint64_t *leaf)
{
	if (va >= FQ_VA_4K && va < FQ_VA_4K + FQ_SLOTS_4K * BENCH_PAGE) {
		uint64_t i = (va - FQ_VA_4K) / BENCH_PAGE;

		*leaf = (FQ_IOVA_DATA + (i % FQ_DATA_PAGES) * BENCH_PAGE) | BENCH_FS_LEAF;
		return fq.pte[i];
	}
	if (va >= FQ_VA_2M && va < FQ_VA_2M + FQ_SLOTS_2M * BENCH_2M) {
		*leaf = FQ_IOVA_2M | BENCH_FS_LEAF | BENCH_FS_PS;
		return fq.pde[(va - FQ_VA_2M) / BENCH_2M];
	}
	return NULL;
}

/* Publish a leaf as a table builder does: the walker reads entries with atomic loads. */
static void install(uint64_t va)
{
	uint64_t leaf, *ent = leaf_of(va, &leaf);

	if (ent)
		__atomic_store_n(ent, leaf, __ATOMIC_RELEASE);
}

static void *fq_service(void *arg)
{
	struct iommu_hwpt_pgfault recs[16];

	for (;;) {
		struct pollfd p[2] = { { .fd = fq.ffd, .events = POLLIN },
				       { .fd = fq.stop_fd, .events = POLLIN } };
		int n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		n = pasid_fault_read(fq.ffd, recs, 16);
		for (int i = 0; i < n; i++) {
			uint64_t leaf;

			if (!leaf_of(recs[i].addr, &leaf))
				atomic_fetch_add(&fq.bad, 1);
			install(recs[i].addr);
			if (recs[i].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE) {
				pasid_fault_respond(fq.ffd, recs[i].cookie,
						    IOMMUFD_PAGE_RESP_SUCCESS);
				atomic_fetch_add(&fq.served, 1);
			}
		}
	}
	return NULL;
}

static void fq_destroy(void)
{
	if (fq.svc_running) {
		eventfd_write(fq.stop_fd, 1);
		pthread_join(fq.svc, NULL);
		fq.svc_running = false;
	}
	if (fq.stop_fd >= 0)
		close(fq.stop_fd);
	if (fq.ffd >= 0)
		svart_sim_close(fq.ffd);
	bench_sim_env_fini(&fq.e);
	bench_pt_fini(&fq.pt);
	if (fq.data)
		munmap(fq.data, FQ_DATA_PAGES * BENCH_PAGE);
	if (fq.h2m)
		munmap(fq.h2m, BENCH_2M);
	memset(&fq, 0, sizeof(fq));
	fq.ffd = fq.stop_fd = fq.e.fd = fq.e.vfd = -1;
}

static int fq_build(void)
{
	long top;
	int ret;

	memset(&fq, 0, sizeof(fq));
	fq.ffd = fq.stop_fd = fq.e.fd = fq.e.vfd = -1;
	ret = bench_pt_init(&fq.pt, FQ_PT_PAGES, false);
	fq.data = bench_map_aligned(FQ_DATA_PAGES * BENCH_PAGE, BENCH_PAGE);
	fq.h2m = bench_map_aligned(BENCH_2M, BENCH_2M);
	fq.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (ret || !fq.data || !fq.h2m || fq.stop_fd < 0) {
		ret = -ENOMEM;
		goto out_destroy;
	}
	top = bench_pt_page(&fq.pt);
	fq.top = (size_t)top;
	/* The paths exist, the leaves do not: a fault costs one store to fix. */
	for (uint32_t i = 0; i < FQ_SLOTS_4K && !ret; i++) {
		ret = bench_pt_set(&fq.pt, fq.top, 4, slot_va(F_4K, i), 1, 0);
		fq.pte[i] = ret ? NULL : bench_pt_ent(&fq.pt, fq.top, 4, slot_va(F_4K, i), 1);
	}
	for (uint32_t i = 0; i < FQ_SLOTS_2M && !ret; i++) {
		ret = bench_pt_set(&fq.pt, fq.top, 4, slot_va(F_2M, i), 2, 0);
		fq.pde[i] = ret ? NULL : bench_pt_ent(&fq.pt, fq.top, 4, slot_va(F_2M, i), 2);
	}
	if (!ret)
		ret = bench_sim_env_init(&fq.e, "0000:6a:05.0", false, &fq.pt);
	if (!ret)
		ret = bench_sim_map(&fq.e, fq.data, FQ_DATA_PAGES * BENCH_PAGE, FQ_IOVA_DATA);
	if (!ret)
		ret = bench_sim_map(&fq.e, fq.h2m, BENCH_2M, FQ_IOVA_2M);
	if (!ret) {
		ret = bench_sim_fault_queue(&fq.e, &fq.fault_id);
		fq.ffd = ret;
		ret = ret < 0 ? ret : 0;
	}
	if (!ret)
		ret = bench_sim_nested(&fq.e, fq.top, 48, fq.fault_id, &fq.hwpt);
	if (!ret)
		ret = bench_sim_attach(&fq.e, fq.hwpt, FQ_PASID);
	if (!ret)
		ret = -pthread_create(&fq.svc, NULL, fq_service, NULL);
	if (ret)
		goto out_destroy;
	fq.svc_running = true;
	return 0;

out_destroy:
	fq_destroy();
	return ret;
}

static const struct bench_world fq_world = {
	.name = "fault-minimal",
	.build = fq_build,
	.destroy = fq_destroy,
};

/* The next never-used slot; when all are used, clear them and flush (untimed). */
static uint64_t fq_next(enum fsize sz)
{
	uint32_t *next = sz == F_2M ? &fq.next2m : &fq.next4k;
	uint32_t n = sz == F_2M ? FQ_SLOTS_2M : FQ_SLOTS_4K;

	if (*next == n) {
		for (uint32_t i = 0; i < n; i++)
			__atomic_store_n(sz == F_2M ? fq.pde[i] : fq.pte[i], 0, __ATOMIC_RELEASE);
		sim_iommu_inv_pasid(bench_sim_did(&fq.e, FQ_PASID), FQ_PASID);
		*next = 0;
	}
	return slot_va(sz, (*next)++);
}

static bool use(struct sb_state *st, const struct bench_world *w)
{
	int ret = bench_world_use(w);

	if (ret)
		bench_skip(st, "building the sim device, binding or tables", ret);
	return !ret;
}

/*
 * One access of the device at @va: translate; on a fault, a page request and, once answered,
 * the retry. Returns 0 when the access went through, with the number of requests in *@prq.
 */
static int dev_access(struct sim_iommu_dev *dev, uint32_t pasid, uint64_t va, unsigned int *prq)
{
	struct sim_dma_xlate x;
	int ret;

	*prq = 0;
	for (int tries = 0; tries < 4; tries++) {
		ret = sim_iommu_translate(dev, pasid, true, va, SIM_DMA_READ, &x, NULL);
		if (ret != -EFAULT)
			return ret;
		ret = sim_iommu_page_request(dev, pasid, true, va, SIM_DMA_READ, 0);
		if (ret)
			return ret;
		(*prq)++;
	}
	return -EFAULT;
}

static void bm_rt_minimal(struct sb_state *st, void *arg)
{
	enum fsize sz = (enum fsize)(intptr_t)arg;
	uint64_t k = 0, requests = 0;
	int ret = 0;

	if (!use(st, &fq_world))
		return;
	while (sb_keep_running(st) && !ret) {
		uint64_t va = fq_next(sz), t0, t1;
		unsigned int prq;

		t0 = bench_now_ns();
		ret = dev_access(fq.e.dev, FQ_PASID, va, &prq);
		t1 = bench_now_ns();
		requests += prq;
		record(st, k++, t0, t1);
	}
	if (ret || atomic_load(&fq.bad)) {
		bench_skip(st, "the device's access failed", ret);
		return;
	}
	report(st, k);
	sb_counter_set(st, "requests_per_access", k ? (double)requests / (double)k : 0, 0);
}

static void bm_pre_minimal(struct sb_state *st, void *arg)
{
	enum fsize sz = (enum fsize)(intptr_t)arg;
	uint64_t k = 0, requests = 0;
	int ret = 0;

	if (!use(st, &fq_world))
		return;
	while (sb_keep_running(st) && !ret) {
		uint64_t va = fq_next(sz), t0, t1;
		unsigned int prq;

		install(va);
		t0 = bench_now_ns();
		ret = dev_access(fq.e.dev, FQ_PASID, va, &prq);
		t1 = bench_now_ns();
		requests += prq;
		record(st, k++, t0, t1);
	}
	if (ret) {
		bench_skip(st, "the device's access failed", ret);
		return;
	}
	report(st, k);
	sb_counter_set(st, "requests_per_access", k ? (double)requests / (double)k : 0, 0);
}

/* ---- the pasid_as world: svart's binding and its fault service ---- */

#define AS_REGION (512ULL << 20) /* per binding */

static struct {
	struct bench_as_env e[2]; /* F_4K: 4 KiB windows; F_2M: 2 MiB windows */
	uint8_t *region[2];
	uint64_t next[2];
} af;

static void af_destroy(void)
{
	for (int i = 0; i < 2; i++) {
		bench_as_env_fini(&af.e[i]);
		if (af.region[i])
			munmap(af.region[i], AS_REGION);
		af.region[i] = NULL;
		af.next[i] = 0;
	}
}

/* Never touched: the service's populate is the first touch, as for a real fault. */
static uint8_t *map_region(void)
{
	uint8_t *p = mmap(NULL, AS_REGION + BENCH_2M, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + BENCH_2M - 1) & ~(uintptr_t)(BENCH_2M - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((void *)(a + AS_REGION), (uintptr_t)p + BENCH_2M - a);
	return (uint8_t *)a;
}

static int af_build(void)
{
	static const char *const names[2] = { "0000:6a:06.0", "0000:6a:07.0" };
	struct pasid_as_opts opts = { .size = sizeof(opts) };
	int ret = 0;

	for (int i = 0; i < 2; i++)
		af.e[i].ifd = af.e[i].vfd = -1;
	for (int i = 0; i < 2 && !ret; i++) {
		opts.window_shift = i == F_4K ? 12 : 21;
		af.region[i] = map_region();
		if (!af.region[i]) {
			ret = -ENOMEM;
			break;
		}
		ret = bench_as_env_init(&af.e[i], names[i], 0x30u + (uint32_t)i, &opts);
		if (!ret)
			ret = pasid_as_start_service_thread(af.e[i].as);
	}
	if (ret)
		af_destroy();
	return ret;
}

static const struct bench_world af_world = {
	.name = "fault-bound",
	.build = af_build,
	.destroy = af_destroy,
};

/* The next fresh page or chunk; at the end of the region, start over (untimed). */
static uint8_t *af_next(enum fsize sz)
{
	uint64_t step = sz == F_2M ? BENCH_2M : BENCH_PAGE;

	if (af.next[sz] + step > AS_REGION) {
		/* Forget the device's view, then the memory, so the next touch is fresh again. */
		pasid_as_invalidate(af.e[sz].as, af.region[sz], AS_REGION);
		madvise(af.region[sz], AS_REGION, MADV_DONTNEED);
		af.next[sz] = 0;
	}
	af.next[sz] += step;
	return af.region[sz] + af.next[sz] - step;
}

static void bm_rt_as(struct sb_state *st, void *arg)
{
	enum fsize sz = (enum fsize)(intptr_t)arg;
	struct bench_as_env *e;
	struct pasid_as_info a, b;
	uint64_t k = 0, requests = 0;
	int ret = 0;

	if (!use(st, &af_world))
		return;
	e = &af.e[sz];
	pasid_as_info(e->as, &a);
	while (sb_keep_running(st) && !ret) {
		uint64_t va = (uintptr_t)af_next(sz), t0, t1;
		unsigned int prq;

		t0 = bench_now_ns();
		ret = dev_access(e->dev, e->pasid, va, &prq);
		t1 = bench_now_ns();
		requests += prq;
		record(st, k++, t0, t1);
	}
	pasid_as_info(e->as, &b);
	if (ret || b.faults_invalid != a.faults_invalid) {
		bench_skip(st, "the device's access failed", ret);
		return;
	}
	report(st, k);
	sb_counter_set(st, "requests_per_access", k ? (double)requests / (double)k : 0, 0);
}

static void bm_pre_as(struct sb_state *st, void *arg)
{
	enum fsize sz = (enum fsize)(intptr_t)arg;
	uint64_t step = sz == F_2M ? BENCH_2M : BENCH_PAGE;
	struct bench_as_env *e;
	uint64_t k = 0, requests = 0;
	int ret = 0;

	if (!use(st, &af_world))
		return;
	e = &af.e[sz];
	while (sb_keep_running(st) && !ret) {
		uint8_t *va = af_next(sz);
		uint64_t t0, t1, tp;
		unsigned int prq;

		tp = bench_now_ns();
		ret = pasid_as_prefault(e->as, va, step, PROT_READ | PROT_WRITE);
		t0 = bench_now_ns();
		if (k < MAX_SAMPLES)
			aux[k] = (double)(t0 - tp);
		if (ret)
			break;
		ret = dev_access(e->dev, e->pasid, (uintptr_t)va, &prq);
		t1 = bench_now_ns();
		requests += prq;
		record(st, k++, t0, t1);
	}
	if (ret) {
		bench_skip(st, "prefault or the device's access failed", ret);
		return;
	}
	report(st, k);
	sb_counter_set(st, "prefault_p50_ns", bench_median(aux, k < MAX_SAMPLES ? k : MAX_SAMPLES),
		       0);
	sb_counter_set(st, "requests_per_access", k ? (double)requests / (double)k : 0, 0);
}

/* ---- registration ---- */

static void manual(const char *name, sb_fn fn, enum fsize sz, int64_t iters)
{
	struct sb_bench *b = sb_register(name, fn, NULL, NULL, (void *)(intptr_t)sz);

	if (!sb_unit(sb_iterations(sb_use_manual_time(b), iters), SB_US))
		fprintf(stderr, "svart-bench-xlate: cannot register %s\n", name);
}

void bench_fault_register(void)
{
	manual("fault/roundtrip/minimal/4k", bm_rt_minimal, F_4K, 2000);
	manual("fault/roundtrip/minimal/2m", bm_rt_minimal, F_2M, 2000);
	manual("fault/prefaulted/minimal/4k", bm_pre_minimal, F_4K, 2000);
	manual("fault/prefaulted/minimal/2m", bm_pre_minimal, F_2M, 2000);
	manual("fault/roundtrip/pasid_as/4k", bm_rt_as, F_4K, 1000);
	manual("fault/roundtrip/pasid_as/2m", bm_rt_as, F_2M, 200);
	manual("fault/prefaulted/pasid_as/4k", bm_pre_as, F_4K, 1000);
	manual("fault/prefaulted/pasid_as/2m", bm_pre_as, F_2M, 200);
	/* Partial completion through the runtime: bench_partial.c. */
	sb_suite_fault_partial(true);
}
