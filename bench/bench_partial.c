// SPDX-License-Identifier: MIT
/*
 * Partial completion end to end (docs/BENCHMARKS.md, "Faults"): a svart memmove through the
 * public API on a sim context, block-on-fault off, into a destination the device has never
 * seen. The device stops at the first page that is not present (status 0x03|0x80 with
 * bytes_completed), the runtime faults in a window from that page (sim: pasid_as_prefault(),
 * which populates the pages and maps them into the IOAS and the first stage) and resubmits
 * from bytes_completed, once per 2 MiB window the buffer spans on sim.
 *
 *   fault/partial/<page>/untouched/<bytes>
 *	the destination is a fresh mmap (untimed), never touched: every fault-in is also the
 *	first touch
 *   fault/partial/<page>/cpu_touched/<bytes>
 *	the same, written by the CPU first (untimed): the device still faults (nothing is
 *	mapped for it), but the fault-in finds the pages populated
 *   fault/partial/<page>/prefaulted/<bytes>
 *	svart_as_prefault() of the fresh destination first (untimed; its own time is the
 *	prefault_p50_ns counter): no partial completion
 *   fault/partial/4k/untouched/<bytes>/window:W
 *	untouched, on a context created with SVART_FAULT_WINDOW=W
 * <page> is the CPU page size of the destination: 4k (MADV_NOHUGEPAGE) or 2m (MADV_HUGEPAGE:
 * transparent huge pages; skipped with a message where THP is off).
 *
 * One memmove per iteration, timed by hand around submit + wait. Counters: p50_ns, iqm_ns,
 * faults_per_op (the job result's page_faults), resubmits_per_op (descriptors beyond those of
 * the same memmove without faults, measured first), ns_per_faulting_page (time / faults),
 * ns_per_page (time / 4 KiB pages of the buffer). Every result is checked: status 0, the sim
 * path (a CPU fallback would measure something else), the destination equal to the source.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "svart.h"
#include "bench_sim_util.h"
#include "bench_text.h"
#include "suites.h"
#include "svart_bench.h"

#define PW_MAX (16ULL << 20) /* largest buffer */
#define PW_GUARD BENCH_2M /* PROT_NONE between slots: a slot's VMA never merges */
#define PW_RESV (16ULL << 30) /* address space the slots rotate through */
#define PW_NCTX 5u /* the default context and four windows */
#define PW_SAMPLES 1024u

enum pw_page { PW_4K, PW_2M };
enum pw_state { PW_UNTOUCHED, PW_CPU_TOUCHED, PW_PREFAULTED };

/* One registered configuration (its arg pointer). */
struct pw_case {
	enum pw_page page;
	enum pw_state state;
	uint32_t window; /* SVART_FAULT_WINDOW for its context; 0: the environment's */
};

static struct {
	struct svart_ctx *ctx[PW_NCTX];
	uint32_t window[PW_NCTX]; /* ctx[i]'s window; ctx[0] is the default (0) */
	uint8_t *src; /* PW_MAX bytes of text, prefaulted */
	uint8_t *resv; /* PW_RESV bytes of PROT_NONE, 2 MiB aligned */
	uint64_t cursor; /* offset of the next slot in resv */
	uint8_t *dst; /* the live slot: the destination */
	size_t live; /* its bytes mapped read/write, 0 when none */
} pw;

static double samples[PW_SAMPLES], aux[PW_SAMPLES];

/*
 * Give the live slot back as PROT_NONE, after the device's view of it. Unmapping a range the
 * binding watches also sends a userfaultfd event, which the monitor's worker turns into an
 * invalidation of the same range later, on its own thread: a range reused at once could lose
 * the windows a later fault-in made to that late invalidation. So every iteration takes a new
 * slot, and a slot comes round again only after the cursor has crossed PW_RESV.
 */
static void pw_release(struct svart_ctx *ctx)
{
	if (!pw.live)
		return;
	if (ctx)
		svart_as_invalidate(ctx, pw.dst, pw.live);
	mmap(pw.dst, pw.live, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
	     -1, 0);
	pw.live = 0;
}

static void pw_destroy(void)
{
	pw_release(pw.ctx[0]);
	for (unsigned int i = 0; i < PW_NCTX; i++) {
		svart_ctx_destroy(pw.ctx[i]);
		pw.ctx[i] = NULL;
		pw.window[i] = 0;
	}
	if (pw.src)
		munmap(pw.src, PW_MAX);
	if (pw.resv)
		munmap(pw.resv, PW_RESV);
	memset(&pw, 0, sizeof(pw));
}

/*
 * A sim context with @window as its fault window (0: whatever the environment says). The
 * window and block-on-fault are read from the environment at creation only, so they are set
 * around the call and restored. Block-on-fault is forced off: the device must report partial
 * completions, not wait for page requests.
 */
static int pw_ctx_create(uint32_t window, struct svart_ctx **out)
{
	struct svart_ctx_opts o = {
		.size = sizeof(o),
		.platform = SVART_PLATFORM_SIM,
		.cpu_threshold = 1, /* every size on the device path */
	};
	const char *w0 = getenv("SVART_FAULT_WINDOW"), *b0 = getenv("SVART_BLOCK_ON_FAULT");
	char *wsave = w0 ? strdup(w0) : NULL, *bsave = b0 ? strdup(b0) : NULL, num[24];
	int ret;

	if ((w0 && !wsave) || (b0 && !bsave)) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (window) {
		snprintf(num, sizeof(num), "%u", window);
		setenv("SVART_FAULT_WINDOW", num, 1);
	}
	setenv("SVART_BLOCK_ON_FAULT", "0", 1);
	ret = svart_ctx_create(&o, out);
	if (wsave)
		setenv("SVART_FAULT_WINDOW", wsave, 1);
	else
		unsetenv("SVART_FAULT_WINDOW");
	if (bsave)
		setenv("SVART_BLOCK_ON_FAULT", bsave, 1);
	else
		unsetenv("SVART_BLOCK_ON_FAULT");
out_free:
	free(wsave);
	free(bsave);
	return ret;
}

static int pw_build(void)
{
	uint8_t *p;
	uintptr_t a;
	int ret;

	memset(&pw, 0, sizeof(pw));
	pw.src = bench_map_aligned(PW_MAX, BENCH_2M);
	p = mmap(NULL, PW_RESV + BENCH_2M, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (!pw.src || p == MAP_FAILED) {
		ret = -ENOMEM;
		goto out_destroy;
	}
	/* Slots 2 MiB aligned: a 2 MiB page and a 2 MiB window can cover one exactly. */
	a = ((uintptr_t)p + BENCH_2M - 1) & ~(uintptr_t)(BENCH_2M - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((void *)(a + PW_RESV), (uintptr_t)p + BENCH_2M - a);
	pw.resv = (uint8_t *)a;
	sb_text_fill(pw.src, PW_MAX, "svart partial");
	ret = pw_ctx_create(0, &pw.ctx[0]);
	if (!ret)
		ret = svart_as_prefault(pw.ctx[0], pw.src, PW_MAX, 0);
	if (ret)
		goto out_destroy;
	return 0;

out_destroy:
	pw_destroy();
	return ret;
}

static const struct bench_world pw_world = {
	.name = "fault-partial",
	.build = pw_build,
	.destroy = pw_destroy,
};

static struct svart_ctx *pw_ctx(uint32_t window, int *err)
{
	unsigned int i;

	for (i = 0; i < PW_NCTX && pw.ctx[i]; i++)
		if (pw.window[i] == window)
			return pw.ctx[i];
	if (i == PW_NCTX) {
		*err = -ENOSPC;
		return NULL;
	}
	*err = pw_ctx_create(window, &pw.ctx[i]);
	if (*err)
		return NULL;
	pw.window[i] = window;
	return pw.ctx[i];
}

/* Transparent huge pages can be asked for with madvise (not "[never]"). */
static bool thp_available(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) && !strstr(buf, "[never]");
	fclose(f);
	return ok;
}

/* AnonHugePages of the VMA that starts at @addr, in bytes (smaps); -1 if not found. */
static long long huge_bytes(const void *addr)
{
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long start, end;
	bool in = false;
	long long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* A VMA's header line: "start-end perms ..."; its fields follow. */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start == (uintptr_t)addr;
		else if (in && sscanf(line, "AnonHugePages: %lld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -1 : kb << 10;
}

/* A fresh destination: a new slot, mapped now, in @page pages. */
static int pw_fresh(struct svart_ctx *ctx, size_t len, enum pw_page page)
{
	uint64_t stride = ((len + BENCH_2M - 1) & ~(BENCH_2M - 1)) + PW_GUARD;
	void *p;

	pw_release(ctx);
	if (pw.cursor + stride > PW_RESV)
		pw.cursor = 0;
	p = mmap(pw.resv + pw.cursor, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	pw.cursor += stride;
	pw.dst = p;
	pw.live = len;
	if (madvise(p, len, page == PW_2M ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		return -errno;
	return 0;
}

/* One memmove into the live slot: submit and wait; the result checked. */
static int pw_move(struct svart_job *job, size_t len, struct svart_result *res)
{
	int ret = svart_prep_memmove(job, pw.dst, pw.src, len);

	if (!ret)
		ret = svart_submit(job);
	if (!ret)
		ret = svart_wait(job, -1);
	if (ret)
		return ret;
	*res = *svart_job_result(job);
	return res->status;
}

static void bm_partial(struct sb_state *st, void *arg)
{
	const struct pw_case *c = arg;
	size_t len = (size_t)sb_range_arg(st, 0), pages = len / BENCH_PAGE;
	uint32_t window = c->window ? (uint32_t)sb_range_arg(st, 1) : 0;
	uint64_t k = 0, faults = 0, descs = 0, fallbacks = 0, total_ns = 0, desc0;
	struct svart_stats s0 = { .size = sizeof(s0) }, s1 = { .size = sizeof(s1) };
	struct svart_job *job = NULL;
	struct svart_result res;
	struct svart_ctx *ctx;
	long long huge = -1;
	const char *what;
	int ret = bench_world_use(&pw_world);

	if (ret) {
		bench_skip(st, "creating the sim context and buffers", ret);
		return;
	}
	if (c->page == PW_2M && !thp_available()) {
		sb_skip_with_error(st, "no transparent huge pages (THP is \"never\" here): "
				       "2 MiB pages not measured");
		while (sb_keep_running(st))
			;
		return;
	}
	what = "creating the context";
	ctx = pw_ctx(window, &ret);
	if (ctx) {
		what = "the job";
		ret = len && len <= PW_MAX && !(len % BENCH_PAGE) ? svart_job_alloc(ctx, &job) :
								    -EINVAL;
	}
	/* What the same memmove costs in descriptors without a fault (untimed). */
	if (!ret) {
		what = "the memmove into a prefaulted buffer";
		ret = pw_fresh(ctx, len, c->page);
		if (!ret)
			ret = svart_as_prefault(ctx, pw.dst, len, 1);
		if (!ret)
			ret = pw_move(job, len, &res);
		if (!ret && res.page_faults)
			ret = -EFAULT;
	}
	if (ret) {
		bench_skip(st, what, ret);
		goto out_free;
	}
	desc0 = res.descriptors;
	svart_ctx_stats(ctx, &s0);
	what = "a fresh buffer";
	while (sb_keep_running(st)) {
		uint64_t t0, t1;

		ret = pw_fresh(ctx, len, c->page);
		if (ret)
			break;
		if (c->state == PW_CPU_TOUCHED)
			memset(pw.dst, 0x33, len);
		t0 = bench_now_ns();
		if (c->state == PW_PREFAULTED) {
			what = "svart_as_prefault";
			ret = svart_as_prefault(ctx, pw.dst, len, 1);
			t1 = bench_now_ns();
			if (ret)
				break;
			if (k < PW_SAMPLES)
				aux[k] = (double)(t1 - t0);
			t0 = t1;
		}
		what = "the memmove";
		ret = pw_move(job, len, &res);
		t1 = bench_now_ns();
		sb_set_iteration_time(st, (double)(t1 - t0) * 1e-9);
		if (k < PW_SAMPLES)
			samples[k] = (double)(t1 - t0);
		k++;
		total_ns += t1 - t0;
		faults += res.page_faults;
		descs += res.descriptors;
		fallbacks += res.path != SVART_PATH_SIM;
		if (ret)
			break;
		if (memcmp(pw.dst, pw.src, len)) {
			what = "the destination differs from the source";
			ret = -EIO;
			break;
		}
	}
	if (!ret && c->page == PW_2M)
		huge = huge_bytes(pw.dst);
	svart_ctx_stats(ctx, &s1);
	if (ret) {
		bench_skip(st, what, ret);
		goto out_free;
	}
	if (fallbacks) {
		sb_skip_with_error(st, "an operation finished on the CPU, not on the sim device");
		goto out_free;
	}
	/* The job's count and the context's must agree (no other user of this context). */
	if (s1.page_faults - s0.page_faults != faults) {
		sb_skip_with_error(st, "job page_faults and svart_ctx_stats() disagree");
		goto out_free;
	}
	if (c->state != PW_PREFAULTED && !faults) {
		sb_skip_with_error(st, "no partial completion: is block-on-fault on?");
		goto out_free;
	}
	if (k) {
		uint64_t n = k < PW_SAMPLES ? k : PW_SAMPLES;

		sb_counter_set(st, "faults_per_op", (double)faults / (double)k, 0);
		sb_counter_set(st, "resubmits_per_op",
			       ((double)descs - (double)(desc0 * k)) / (double)k, 0);
		sb_counter_set(st, "ns_per_faulting_page",
			       faults ? (double)total_ns / (double)faults : 0, 0);
		sb_counter_set(st, "ns_per_page", (double)total_ns / (double)(k * pages), 0);
		sb_counter_set(st, "p50_ns", bench_median(samples, n), 0);
		if (c->state == PW_PREFAULTED)
			sb_counter_set(st, "prefault_p50_ns", bench_median(aux, n), 0);
		if (huge >= 0)
			sb_counter_set(st, "huge_share", (double)huge / (double)len, 0);
		sb_set_bytes_processed(st, (int64_t)(k * len));
	}
out_free:
	svart_job_free(job);
	/* Nothing of this run stays mapped for the device or in memory. */
	pw_release(ctx);
}

/* ---- registration ---- */

static const struct pw_case pw_cases[] = {
	{ PW_4K, PW_UNTOUCHED, 0 }, { PW_4K, PW_CPU_TOUCHED, 0 }, { PW_4K, PW_PREFAULTED, 0 },
	{ PW_2M, PW_UNTOUCHED, 0 }, { PW_2M, PW_CPU_TOUCHED, 0 }, { PW_2M, PW_PREFAULTED, 0 },
	{ PW_4K, PW_UNTOUCHED, 1 },
};

static const char *const pw_state_name[] = { "untouched", "cpu_touched", "prefaulted" };

/* Fixed iteration counts: a 16 MiB run costs ~10 ms an operation plus the untimed remap. */
static int64_t pw_iters(int64_t len)
{
	return len >= (int64_t)(8 << 20) ? 30 : len >= (int64_t)(1 << 20) ? 100 : 400;
}

static void pw_reg(const struct pw_case *c, int64_t len, int64_t window)
{
	char name[96];
	struct sb_bench *b;

	snprintf(name, sizeof(name), "fault/partial/%s/%s", c->page == PW_2M ? "2m" : "4k",
		 pw_state_name[c->state]);
	b = sb_register(name, bm_partial, NULL, NULL, (void *)c);
	b = sb_unit(sb_iterations(sb_use_manual_time(b), pw_iters(len)), SB_US);
	if (window)
		b = sb_arg_names(sb_args(b, (const int64_t[]){ len, window }, 2),
				 (const char *const[]){ "", "window" }, 2);
	else
		b = sb_arg(b, len);
	if (!b)
		fprintf(stderr, "svart bench: cannot register %s\n", name);
}

void sb_suite_fault_partial(bool full)
{
	static const int64_t sizes4k[] = { 64 << 10, 2 << 20, 16 << 20 };
	static const int64_t sizes2m[] = { 2 << 20, 16 << 20 };
	static const int64_t windows[] = { 4 << 10, 256 << 10, 2 << 20, 16 << 20 };

	if (!full) {
		/* The quick profile: the three states of one 2 MiB buffer of 4 KiB pages. */
		for (unsigned int i = 0; i < 3; i++)
			pw_reg(&pw_cases[i], 2 << 20, 0);
		return;
	}
	for (unsigned int i = 0; i < 6; i++) {
		const int64_t *sz = pw_cases[i].page == PW_2M ? sizes2m : sizes4k;
		size_t n = pw_cases[i].page == PW_2M ? 2 : 3;

		for (size_t j = 0; j < n; j++)
			pw_reg(&pw_cases[i], sz[j], 0);
	}
	for (size_t j = 0; j < sizeof(windows) / sizeof(windows[0]); j++)
		pw_reg(&pw_cases[6], 16 << 20, windows[j]);
}
