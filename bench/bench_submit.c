// SPDX-License-Identifier: MIT
/*
 * Submission (docs/BENCHMARKS.md, "Submission"): how descriptors get into a work queue and how
 * their completion is waited for, measured on the WQs svart's runtime discovers on
 * $SVART_PLATFORM (AUTO: the hardware when usable, else sim), through the runtime's own
 * submission function (rt_job_submit_wq(): ENQCMD with bounded back-off, credits for MOVDIR64B)
 * and the portals it set up, so that the same code runs on sim portals and on idxd's:
 *
 *   submit/enqcmd/wq:S/real_time/threads:T  T submitters (1, 2) push NOOPs into one shared WQ
 *                                      of size S, each with up to 2 S outstanding
 *   submit/movdir64b/credits/wq:S/real_time  NOOPs into a dedicated WQ of size S, credits counted
 *   submit/single/n:N/manual_time      N 4 KiB memmoves as N descriptors, then wait for all
 *   submit/batch/n:N/manual_time       the same N memmoves as one BATCH descriptor
 *   submit/wait/<policy>/bytes:B/real_time  one descriptor (NOOP, or a B-byte memmove) at a
 *                                      time, waited for with each enq_wait() policy
 *
 * On sim the suite makes its own platform (sub_sim_config: shared and dedicated WQs of 16, 32,
 * 64 and 128 entries) unless SVART_SIM_CONFIG is set; on idxd it uses the WQs the kernel has,
 * and a run whose WQ (size, mode) does not exist ends with an error naming what to configure.
 * Every completion record is checked (status SUCCESS, data where data moves); on sim the
 * submitters' own accounting is checked against the WQ's counters.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "enqcmd/enq_desc.h"
#include "enqcmd/enq_wait.h"
#include "runtime/rt_internal.h"
#include "sim/accel/sim_accel.h"
#include "bench_sim_util.h"
#include "suites.h"
#include "svart_bench.h"

#define SUB_THREADS 2 /* submitters at most */
#define SUB_WINDOW 256 /* outstanding per submitter at most: twice the largest WQ */
#define SUB_BATCH_MAX 64 /* descriptors per BATCH / single group */
#define SUB_XFER 4096u /* bytes per memmove of the batch benchmarks */
#define SUB_WAIT_MAX (64u << 10) /* largest memmove of the wait benchmarks */
#define SUB_LAT_CAP 4096 /* latency samples kept per thread (a ring) */
#define SUB_LAT_EVERY 8 /* one descriptor in 8 is timed: the clock costs ~20 ns */
#define SUB_TIMEOUT_NS 2000000000ull /* a record not written after 2 s never will be */

/* One DSA, one engine (a thread: the development machine has two cores), every WQ size. */
static const char sub_sim_config[] =
	"dsa node=0 engines=1 wq_total=1024 wq=shared:16:batch=64 wq=shared:32:batch=64 "
	"wq=shared:64:batch=64 wq=shared:128:batch=64 wq=dedicated:16 wq=dedicated:32 "
	"wq=dedicated:64 wq=dedicated:128";

enum sub_kind {
	SUB_ENQCMD,
	SUB_MOVDIR64B,
	SUB_SINGLE,
	SUB_BATCH,
	SUB_WAIT,
};

enum sub_policy {
	SUB_POL_SPIN, /* PAUSE back-off, never yields */
	SUB_POL_YIELD, /* sched_yield() between checks */
	SUB_POL_SLEEP, /* nanosleep() from 10 us, doubling to 500 us */
	SUB_POL_DEFAULT, /* enq_wait_policy_init(): 20 us spin (AUTO), yield to 200 us, sleep */
	SUB_POL_UMWAIT, /* UMONITOR/UMWAIT on the record, never yields (WAITPKG) */
	SUB_POL_TPAUSE, /* TPAUSE slices, never yields (WAITPKG) */
	SUB_POL_RUNTIME, /* rt_idle(), the loop rt_job_wait() runs: pause, yield, 20 us sleeps */
};

struct sub_bench {
	const char *name;
	enum sub_kind kind;
	enum sub_policy policy;
};

/* The world: a context on $SVART_PLATFORM and one prefaulted region of jobs and buffers. */
static struct {
	struct svart_ctx *ctx;
	bool sim;
	void *region;
	size_t region_len;
	struct svart_job *jobs; /* SUB_THREADS * SUB_WINDOW */
	struct svart_job *bjob; /* the BATCH descriptor's */
	struct dsa_hw_desc *list; /* SUB_BATCH_MAX, the batch list */
	uint8_t *src, *dst; /* SUB_BATCH_MAX * SUB_XFER each */
	char platform[16];
} sub;

/* One run: set by the setup fixture, shared by the run's threads. */
static struct {
	int err; /* the world's or the WQ search's -errno */
	char why[200]; /* what is missing, when err */
	struct rt_wq *wq;
	struct sim_wq_stats before; /* sim only */
	uint64_t sleeps; /* sub_engine_sleeps() before the run */
	atomic_uint_fast64_t accepted, attempts, gave_up;
	atomic_uint finished;
	uint32_t lat[SUB_THREADS][SUB_LAT_CAP];
	unsigned int nlat[SUB_THREADS];
} run;

static uint32_t lat_scratch[SUB_THREADS * SUB_LAT_CAP];

/* ---- the world ---- */

static void sub_destroy(void)
{
	svart_ctx_destroy(sub.ctx);
	sub.ctx = NULL;
	if (sub.region)
		munmap(sub.region, sub.region_len);
	sub.region = NULL;
}

static size_t sub_align(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int sub_build(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o), .platform = SVART_PLATFORM_AUTO };
	size_t jobs_len =
		sub_align((SUB_THREADS * SUB_WINDOW + 1) * sizeof(struct svart_job), 4096);
	size_t list_len = sub_align(SUB_BATCH_MAX * sizeof(struct dsa_hw_desc), 4096);
	size_t buf_len = (size_t)SUB_BATCH_MAX * SUB_XFER;
	bool own_config = !getenv("SVART_SIM_CONFIG");
	uint8_t *p;
	int ret;

	sub.region_len = jobs_len + list_len + 2 * buf_len;
	p = mmap(NULL, sub.region_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	sub.region = p;
	sub.jobs = (struct svart_job *)p;
	sub.bjob = sub.jobs + SUB_THREADS * SUB_WINDOW;
	sub.list = (struct dsa_hw_desc *)(p + jobs_len);
	sub.src = p + jobs_len + list_len;
	sub.dst = sub.src + buf_len;
	for (size_t i = 0; i < buf_len; i++)
		sub.src[i] = (uint8_t)(i * 131 + (i >> 12) + 7);

	/*
	 * sim reads SVART_SIM_CONFIG when its platform is created, i.e. by this context (the
	 * previous world's context is gone): the suite's WQ sizes for this context only.
	 */
	if (own_config && setenv("SVART_SIM_CONFIG", sub_sim_config, 1))
		goto out_nomem;
	ret = svart_ctx_create(&o, &sub.ctx);
	if (own_config)
		unsetenv("SVART_SIM_CONFIG");
	if (ret)
		goto out_destroy;
	snprintf(sub.platform, sizeof(sub.platform), "%s",
		 svart_platform_name(svart_ctx_platform(sub.ctx)));
	sub.sim = sub.ctx->ops == &rt_platform_sim;
	/* Records, lists and buffers: present for the device before anything is timed. */
	ret = svart_as_prefault(sub.ctx, p, sub.region_len, 1);
	if (ret && ret != -EOPNOTSUPP)
		goto out_destroy;
	for (unsigned int i = 0; i <= SUB_THREADS * SUB_WINDOW; i++)
		rt_job_init(&sub.jobs[i], sub.ctx);
	return 0;

out_nomem:
	ret = -ENOMEM;
out_destroy:
	sub_destroy();
	return ret;
}

static const struct bench_world sub_world = {
	.name = "submit",
	.build = sub_build,
	.destroy = sub_destroy,
};

/*
 * The WQ a run uses: a DSA WQ of that mode and size (size 0: the largest) that takes the
 * opcodes the run sends.
 */
static struct rt_wq *sub_find_wq(bool dedicated, uint32_t size, bool batch)
{
	struct rt_wq *best = NULL;

	for (unsigned int i = 0; i < sub.ctx->nr_wqs; i++) {
		struct rt_wq *wq = sub.ctx->wqs[i];

		if (wq->unit != RT_UNIT_DSA || wq->dedicated != dedicated ||
		    (size && wq->size != size) || !rt_wq_has_op(wq, DSA_OPCODE_NOOP) ||
		    !rt_wq_has_op(wq, DSA_OPCODE_MEMMOVE) ||
		    (batch && !rt_wq_has_op(wq, DSA_OPCODE_BATCH)))
			continue;
		if (!best || wq->size > best->size)
			best = wq;
	}
	return best;
}

/*
 * sim only: how often the device's engines went to sleep (idle past spin_us, then a futex
 * wait): a descriptor that finds its engine asleep pays the wake-up, which on a busy 2-core
 * machine is tens of microseconds. 0 on other platforms.
 */
static uint64_t sub_engine_sleeps(void)
{
	struct sim_accel_dev *dev;
	uint64_t n = 0;

	if (!sub.sim)
		return 0;
	dev = sim_wq_dev(run.wq->plat);
	for (unsigned int e = 0; e < sim_accel_dev_nr_engines(dev); e++) {
		struct sim_engine_stats es;

		sim_engine_stats(dev, e, &es);
		n += es.sleeps;
	}
	return n;
}

static void sub_sleeps_counter(struct sb_state *st, uint64_t before, int64_t ops)
{
	if (sub.sim)
		sb_counter_set(st, "engine_sleeps_per_op",
			       ops ? (double)(sub_engine_sleeps() - before) / (double)ops : 0, 0);
}

static void sub_setup(const struct sb_state *st, void *arg)
{
	const struct sub_bench *b = arg;
	bool dedicated = b->kind == SUB_MOVDIR64B;
	uint32_t size = 0;

	memset(&run, 0, sizeof(run));
	run.err = bench_world_use(&sub_world);
	if (run.err) {
		snprintf(run.why, sizeof(run.why), "creating the context: %s",
			 svart_strerror(run.err));
		return;
	}
	if (b->kind == SUB_ENQCMD || b->kind == SUB_MOVDIR64B)
		size = (uint32_t)sb_range_arg(st, 0);
	run.wq = sub_find_wq(dedicated, size, b->kind == SUB_BATCH || b->kind == SUB_SINGLE);
	if (!run.wq) {
		run.err = -ENODEV;
		if (sub.sim)
			snprintf(run.why, sizeof(run.why),
				 "no %s DSA WQ%s%.0u on platform sim (SVART_SIM_CONFIG lacks it: "
				 "add wq=%s:%u, or unset it for the suite's own WQs)",
				 dedicated ? "dedicated" : "shared", size ? " of size " : "", size,
				 dedicated ? "dedicated" : "shared", size ? size : 64);
		else
			snprintf(run.why, sizeof(run.why),
				 "no %s DSA WQ%s%.0u on platform %s (configure one: accel-config "
				 "config-wq --mode=%s%s%.0u --type=user)",
				 dedicated ? "dedicated" : "shared", size ? " of size " : "", size,
				 sub.platform, dedicated ? "dedicated" : "shared",
				 size ? " --wq-size=" : "", size);
		return;
	}
	if (b->kind == SUB_BATCH && run.wq->max_batch < (uint32_t)sb_range_arg(st, 0)) {
		run.err = -EINVAL;
		snprintf(run.why, sizeof(run.why), "%s takes batches of %u at most (%s%lld)",
			 run.wq->name, run.wq->max_batch,
			 sub.sim ? "SVART_SIM_CONFIG: wq=shared:SIZE:batch=" :
				   "accel-config config-wq --max-batch-size=",
			 (long long)sb_range_arg(st, 0));
		return;
	}
	if (sub.sim)
		sim_wq_stats(run.wq->plat, &run.before);
	run.sleeps = sub_engine_sleeps();
}

static bool sub_ready(struct sb_state *st)
{
	if (run.err)
		bench_skip(st, run.why, 0);
	return !run.err;
}

static void sub_fail(struct sb_state *st, const char *what, int err)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%s: %s", what, err ? svart_strerror(err) : "wrong result");
	sb_skip_with_error(st, msg);
}

/* ---- completions ---- */

/* The job's record says done: return its credit, judge its status. Return 0 or -errno. */
static int sub_retire(struct svart_job *j)
{
	uint8_t status = enq_poll(&j->cr.dsa.status);

	if (j->on_credit) {
		j->on_credit = false;
		/* More completions than credits taken: the accounting under test is wrong. */
		if (enq_credits_release(&j->wq->credits, 1))
			return -EOVERFLOW;
	}
	return status == DSA_COMP_SUCCESS ? 0 : rt_dev_status_error(RT_UNIT_DSA, status);
}

/* Wait (the default enq_wait policy) for the job's record, then retire it. */
static int sub_wait_retire(struct svart_job *j)
{
	if (enq_wait(&j->cr.dsa.status, SUB_TIMEOUT_NS, NULL))
		return -ETIMEDOUT; /* a dropped descriptor never completes */
	return sub_retire(j);
}

/* Retire every outstanding job, oldest first; the first error is kept. */
static int sub_drain(struct svart_job *jobs, uint32_t w, uint64_t *tail, uint64_t head, int bad)
{
	while (*tail != head) {
		int r = sub_wait_retire(&jobs[(*tail)++ % w]);

		if (!bad)
			bad = r;
		if (r == -ETIMEDOUT)
			break;
	}
	return bad;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The @q quantile (0..1) of @n samples (sorts them). */
static double sub_quantile(uint32_t *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u32);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* Every thread's latency samples, with p50 and p99 as counters (set by one thread only). */
static void sub_latency_counters(struct sb_state *st, int threads, const char *p50, const char *p99)
{
	size_t n = 0;

	for (int t = 0; t < threads; t++) {
		unsigned int k = run.nlat[t] < SUB_LAT_CAP ? run.nlat[t] : SUB_LAT_CAP;

		memcpy(lat_scratch + n, run.lat[t], k * sizeof(uint32_t));
		n += k;
	}
	sb_counter_set(st, p50, sub_quantile(lat_scratch, n, 0.5), 0);
	sb_counter_set(st, p99, sub_quantile(lat_scratch, n, 0.99), 0);
}

static void sub_sample(int t, uint64_t ns)
{
	run.lat[t][run.nlat[t]++ % SUB_LAT_CAP] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

/* ---- ENQCMD into a shared WQ, 1 or 2 submitters ---- */

/*
 * After every submitter has finished: the totals, and on sim the WQ's own counters must agree
 * with them (accepted = submitted, refused attempts = retries).
 */
static void sub_enqcmd_totals(struct sb_state *st, int threads)
{
	uint64_t acc = atomic_load(&run.accepted), att = atomic_load(&run.attempts);
	uint64_t gave = atomic_load(&run.gave_up);
	char msg[200];

	sb_counter_set(st, "accept_ratio", att ? (double)acc / (double)att : 0, 0);
	sb_counter_set(st, "retries_per_desc", acc ? (double)(att - acc) / (double)acc : 0, 0);
	sb_counter_set(st, "gave_up_per_desc", acc ? (double)gave / (double)acc : 0, 0);
	sb_counter_set(st, "wq_size", run.wq->size, 0);
	sub_latency_counters(st, threads, "p50_accept_ns", "p99_accept_ns");
	sub_sleeps_counter(st, run.sleeps, (int64_t)acc);
	if (sub.sim) {
		struct sim_wq_stats now;

		sim_wq_stats(run.wq->plat, &now);
		if (now.submitted - run.before.submitted != acc ||
		    now.retries - run.before.retries != att - acc) {
			snprintf(
				msg, sizeof(msg),
				"sim WQ counted %llu accepted / %llu retries, the submitters %llu / "
				"%llu",
				(unsigned long long)(now.submitted - run.before.submitted),
				(unsigned long long)(now.retries - run.before.retries),
				(unsigned long long)acc, (unsigned long long)(att - acc));
			sb_skip_with_error(st, msg);
		}
	}
}

static void bm_enqcmd(struct sb_state *st, void *arg)
{
	int t = sb_thread_index(st), threads = sb_thread_count(st);
	uint64_t head = 0, tail = 0, accepted = 0, attempts = 0, gave_up = 0;
	struct svart_job *jobs = sub.jobs + (size_t)t * SUB_WINDOW;
	struct rt_wq *wq = run.wq;
	uint32_t w;
	int bad = 0;

	(void)arg;
	if (!sub_ready(st))
		return;
	/* More outstanding than the WQ holds, so that a fast submitter finds it full. */
	w = 2 * wq->size < SUB_WINDOW ? 2 * wq->size : SUB_WINDOW;
	for (uint32_t i = 0; i < w; i++)
		enq_prep_noop(&jobs[i].desc.dsa, 0, &jobs[i].cr.dsa);
	while (!bad && sb_keep_running(st)) {
		bool timed = !(head % SUB_LAT_EVERY);
		struct svart_job *j;
		uint64_t t0 = 0;
		int ret;

		/* Retire what has completed, oldest first; wait only when the window is full. */
		while (tail != head && enq_poll(&jobs[tail % w].cr.dsa.status) && !bad)
			bad = sub_retire(&jobs[tail++ % w]);
		if (!bad && head - tail == w)
			bad = sub_wait_retire(&jobs[tail++ % w]);
		if (bad)
			break;
		j = &jobs[head % w];
		enq_cr_reset(&j->cr.dsa);
		if (timed)
			t0 = bench_now_ns();
		for (;;) {
			/* The runtime's path: ENQCMD, retried with its bounded back-off. */
			j->res.retries = 0;
			ret = rt_job_submit_wq(j, wq);
			attempts += 1 + j->res.retries;
			if (ret != -EAGAIN)
				break;
			/* The runtime would try its next WQ or the CPU; here there is one WQ. */
			gave_up++;
			if (tail != head && (bad = sub_wait_retire(&jobs[tail++ % w])))
				break;
		}
		if (!bad && ret)
			bad = ret;
		if (bad)
			break;
		if (timed)
			sub_sample(t, bench_now_ns() - t0);
		head++;
		accepted++;
	}
	bad = sub_drain(jobs, w, &tail, head, bad);
	if (bad)
		sub_fail(st, "ENQCMD NOOP", bad);
	sb_set_items_processed(st, (int64_t)accepted);
	sb_counter_set(st, "accepted", (double)accepted, 0);
	sb_counter_set(st, "attempts", (double)attempts, 0);
	atomic_fetch_add(&run.accepted, accepted);
	atomic_fetch_add(&run.attempts, attempts);
	atomic_fetch_add(&run.gave_up, gave_up);
	/* The last submitter to finish sees every other's totals (their adds came first). */
	if (atomic_fetch_add(&run.finished, 1) == (unsigned int)threads - 1)
		sub_enqcmd_totals(st, threads);
}

/* ---- MOVDIR64B into a dedicated WQ, credits counted ---- */

static void bm_movdir64b(struct sb_state *st, void *arg)
{
	uint64_t head = 0, tail = 0, blocked_ns = 0, waits = 0, t_start, total_ns, sleeps;
	struct svart_job *jobs = sub.jobs;
	struct rt_wq *wq = run.wq;
	uint32_t w = SUB_WINDOW, max_out = 0, max_credits = 0;
	const char *why = NULL;
	int bad = 0;

	(void)arg;
	if (!sub_ready(st))
		return;
	for (uint32_t i = 0; i < w; i++)
		enq_prep_noop(&jobs[i].desc.dsa, 0, &jobs[i].cr.dsa);
	sleeps = sub_engine_sleeps();
	t_start = bench_now_ns();
	while (!bad && sb_keep_running(st)) {
		struct svart_job *j;
		uint32_t out;

		while (tail != head && enq_poll(&jobs[tail % w].cr.dsa.status) && !bad)
			bad = sub_retire(&jobs[tail++ % w]);
		/* No credit left: the submitter can only wait for the oldest completion. */
		if (!bad && enq_credits_in_flight(&wq->credits) >= wq->size) {
			uint64_t t0 = bench_now_ns();

			bad = tail != head ? sub_wait_retire(&jobs[tail++ % w]) : -EOVERFLOW;
			blocked_ns += bench_now_ns() - t0;
			waits++;
		}
		if (bad)
			break;
		j = &jobs[head % w];
		enq_cr_reset(&j->cr.dsa);
		/* Takes a credit, then MOVDIR64B (the runtime's path for a dedicated WQ). */
		bad = rt_job_submit_wq(j, wq);
		if (bad)
			break;
		head++;
		/* Two independent views of what is in flight: ours and the credit counter's. */
		out = (uint32_t)(head - tail);
		max_out = out > max_out ? out : max_out;
		if (enq_credits_in_flight(&wq->credits) > max_credits)
			max_credits = enq_credits_in_flight(&wq->credits);
	}
	bad = sub_drain(jobs, w, &tail, head, bad);
	total_ns = bench_now_ns() - t_start;
	if (!bad && sub.sim) {
		struct sim_wq_stats now;

		sim_wq_stats(wq->plat, &now);
		/* A MOVDIR64B to a full dedicated WQ is dropped: none may have been. */
		if (now.dropped != run.before.dropped ||
		    now.submitted - run.before.submitted != head)
			why = "sim dropped descriptors (the WQ overflowed)";
	}
	if (!bad && enq_credits_in_flight(&wq->credits))
		why = "credits not all given back after the drain";
	if (!bad && (max_out > wq->size || max_credits > wq->size))
		why = "more descriptors in flight than the WQ holds";
	if (bad)
		sub_fail(st, "MOVDIR64B NOOP", bad);
	else if (why)
		sb_skip_with_error(st, why);
	sb_set_items_processed(st, (int64_t)head);
	sb_counter_set(st, "blocked_share", total_ns ? (double)blocked_ns / (double)total_ns : 0,
		       0);
	sb_counter_set(st, "credit_waits_per_desc", head ? (double)waits / (double)head : 0, 0);
	sb_counter_set(st, "max_in_flight", max_out, 0);
	sb_counter_set(st, "max_credits_used", max_credits, 0);
	sb_counter_set(st, "wq_size", wq->size, 0);
	sb_counter_set(st, "completed", (double)head, 0);
	sub_sleeps_counter(st, sleeps, (int64_t)head);
}

/* ---- N memmoves: N descriptors, or one BATCH ---- */

static void sub_poison(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *d = sub.dst + (size_t)i * SUB_XFER;
		const uint8_t *s = sub.src + (size_t)i * SUB_XFER;

		d[0] = (uint8_t)~s[0];
		d[SUB_XFER - 1] = (uint8_t)~s[SUB_XFER - 1];
	}
}

static void bm_group(struct sb_state *st, void *arg)
{
	const struct sub_bench *b = arg;
	bool batch = b->kind == SUB_BATCH;
	uint32_t n = (uint32_t)sb_range_arg(st, 0);
	struct svart_job *jobs = sub.jobs, *bj = sub.bjob;
	struct rt_wq *wq = run.wq;
	uint64_t sleeps;
	int64_t done = 0;
	int bad = 0;

	if (!sub_ready(st))
		return;
	if (!n || n > SUB_BATCH_MAX || (batch && n < IDXD_BATCH_MIN_DESCS)) {
		bench_skip(st, "descriptor count", -EINVAL);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t dst = (uintptr_t)(sub.dst + (size_t)i * SUB_XFER);
		uint64_t src = (uintptr_t)(sub.src + (size_t)i * SUB_XFER);

		/* The same descriptors both ways: in the list, or each on its own. */
		enq_prep_memmove(batch ? &sub.list[i] : &jobs[i].desc.dsa, dst, src, SUB_XFER, 0,
				 &jobs[i].cr.dsa);
	}
	if (batch)
		enq_prep_batch(&bj->desc.dsa, (uintptr_t)sub.list, n, 0, &bj->cr.dsa);
	sleeps = sub_engine_sleeps();
	while (!bad && sb_keep_running(st)) {
		uint64_t t0;

		sub_poison(n);
		t0 = bench_now_ns();
		for (uint32_t i = 0; i < n; i++)
			enq_cr_reset(&jobs[i].cr.dsa);
		if (batch) {
			enq_cr_reset(&bj->cr.dsa);
			while ((bad = rt_job_submit_wq(bj, wq)) == -EAGAIN)
				;
			if (!bad)
				bad = sub_wait_retire(bj);
			/* The batch record counts the descriptors it completed. */
			if (!bad && bj->cr.dsa.bytes_completed != n)
				bad = -EPROTO;
			for (uint32_t i = 0; i < n && !bad; i++)
				bad = sub_retire(&jobs[i]); /* written before the batch's */
		} else {
			for (uint32_t i = 0; i < n && !bad; i++)
				while ((bad = rt_job_submit_wq(&jobs[i], wq)) == -EAGAIN)
					;
			for (uint32_t i = 0; i < n; i++) {
				int r = sub_wait_retire(&jobs[i]);

				bad = bad ? bad : r;
			}
		}
		sb_set_iteration_time(st, (double)(bench_now_ns() - t0) / 1e9);
		for (uint32_t i = 0; i < n && !bad; i++)
			if (memcmp(sub.dst + (size_t)i * SUB_XFER, sub.src + (size_t)i * SUB_XFER,
				   SUB_XFER))
				bad = -EIO;
		done++;
	}
	if (bad)
		sub_fail(st, batch ? "BATCH of memmoves" : "memmoves", bad == -EIO ? 0 : bad);
	sb_set_items_processed(st, done * n);
	sb_set_bytes_processed(st, done * n * SUB_XFER);
	sb_counter_set(st, "descs", n, 0);
	sb_counter_set(st, "ok", bad ? 0 : 1, 0);
	sub_sleeps_counter(st, sleeps, done);
}

/* ---- waiting for one descriptor ---- */

static void sub_policy(enum sub_policy p, struct enq_wait_policy *pol)
{
	enq_wait_policy_init(pol);
	switch (p) {
	case SUB_POL_SPIN:
		pol->strategy = ENQ_WAIT_PAUSE;
		pol->spin_ns = UINT64_MAX;
		break;
	case SUB_POL_YIELD:
		pol->spin_ns = 0;
		pol->yield_ns = UINT64_MAX;
		break;
	case SUB_POL_SLEEP:
		pol->spin_ns = 0;
		pol->yield_ns = 0;
		break;
	case SUB_POL_UMWAIT:
		pol->strategy = ENQ_WAIT_UMWAIT;
		pol->spin_ns = UINT64_MAX;
		break;
	case SUB_POL_TPAUSE:
		pol->strategy = ENQ_WAIT_TPAUSE;
		pol->spin_ns = UINT64_MAX;
		break;
	default:
		break;
	}
}

static uint64_t sub_thread_cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* rt_job_wait()'s loop (rt_idle()), bounded like the others. */
static int sub_wait_runtime(const volatile uint8_t *status)
{
	uint64_t deadline = bench_now_ns() + SUB_TIMEOUT_NS;

	for (unsigned int spin = 0; !enq_poll(status); spin++) {
		if (!(spin & 255) && bench_now_ns() > deadline)
			return -ETIMEDOUT;
		rt_idle(spin);
	}
	return 0;
}

static void bm_wait(struct sb_state *st, void *arg)
{
	const struct sub_bench *b = arg;
	uint32_t n = (uint32_t)sb_range_arg(st, 0);
	struct svart_job *j = sub.jobs;
	struct enq_wait_policy pol;
	uint64_t cpu0, cpu1, sleeps;
	int64_t done = 0;
	int bad = 0;

	if (!sub_ready(st))
		return;
	if (n > SUB_WAIT_MAX) {
		bench_skip(st, "size", -EINVAL);
		return;
	}
	sub_policy(b->policy, &pol);
	if (n)
		enq_prep_memmove(&j->desc.dsa, (uintptr_t)sub.dst, (uintptr_t)sub.src, n, 0,
				 &j->cr.dsa);
	else
		enq_prep_noop(&j->desc.dsa, 0, &j->cr.dsa);
	sleeps = sub_engine_sleeps();
	cpu0 = sub_thread_cpu_ns();
	while (!bad && sb_keep_running(st)) {
		uint64_t t0;

		if (n) {
			sub.dst[0] = (uint8_t)~sub.src[0];
			sub.dst[n - 1] = (uint8_t)~sub.src[n - 1];
		}
		enq_cr_reset(&j->cr.dsa);
		t0 = bench_now_ns();
		while ((bad = rt_job_submit_wq(j, run.wq)) == -EAGAIN)
			;
		if (bad)
			break;
		if (b->policy == SUB_POL_RUNTIME)
			bad = sub_wait_runtime(&j->cr.dsa.status);
		else
			bad = enq_wait(&j->cr.dsa.status, SUB_TIMEOUT_NS, &pol);
		sub_sample(0, bench_now_ns() - t0);
		if (!bad)
			bad = sub_retire(j);
		if (!bad && n && (sub.dst[0] != sub.src[0] || sub.dst[n - 1] != sub.src[n - 1]))
			bad = -EIO;
		done++;
	}
	cpu1 = sub_thread_cpu_ns();
	if (!bad && n && memcmp(sub.dst, sub.src, n))
		bad = -EIO;
	if (bad)
		sub_fail(st, "wait", bad == -EIO ? 0 : bad);
	sb_counter_set(st, "cpu_ns_per_op", done ? (double)(cpu1 - cpu0) / (double)done : 0, 0);
	sub_latency_counters(st, 1, "p50_ns", "p99_ns");
	sub_sleeps_counter(st, sleeps, done);
	if (n)
		sb_set_bytes_processed(st, done * n);
}

/* ---- registration ---- */

static const struct sub_bench sub_enqcmd = { "submit/enqcmd", SUB_ENQCMD, 0 };
static const struct sub_bench sub_movdir = { "submit/movdir64b/credits", SUB_MOVDIR64B, 0 };
static const struct sub_bench sub_single = { "submit/single", SUB_SINGLE, 0 };
static const struct sub_bench sub_batch = { "submit/batch", SUB_BATCH, 0 };
static const struct sub_bench sub_waits[] = {
	{ "submit/wait/spin", SUB_WAIT, SUB_POL_SPIN },
	{ "submit/wait/yield", SUB_WAIT, SUB_POL_YIELD },
	{ "submit/wait/sleep", SUB_WAIT, SUB_POL_SLEEP },
	{ "submit/wait/default", SUB_WAIT, SUB_POL_DEFAULT },
	{ "submit/wait/runtime", SUB_WAIT, SUB_POL_RUNTIME },
	{ "submit/wait/umwait", SUB_WAIT, SUB_POL_UMWAIT },
	{ "submit/wait/tpause", SUB_WAIT, SUB_POL_TPAUSE },
};

static struct sb_bench *sub_reg(const struct sub_bench *b, sb_fn fn, const char *argname,
				const int64_t *args, size_t n)
{
	struct sb_bench *r = sb_register(b->name, fn, sub_setup, NULL, (void *)b);

	r = sb_arg_names(r, (const char *const[]){ argname }, 1);
	for (size_t i = 0; i < n && r; i++)
		r = sb_arg(r, args[i]);
	if (!r)
		fprintf(stderr, "svart bench: cannot register %s\n", b->name);
	return r;
}

void sb_suite_submit(bool full)
{
	static const int64_t sizes[] = { 16, 32, 64, 128 };
	static const int64_t counts[] = { 2, 4, 16, 64 };
	static const int64_t singles[] = { 1, 2, 4, 16, 64 };
	static const int64_t q16[] = { 16 };
	static const int64_t wait_bytes[] = { 0, SUB_WAIT_MAX };
	bool waitpkg = enq_cpu()->waitpkg;

	if (!full) {
		/* The quick profile: the contended small WQ, and batch against single at 16. */
		sb_threads(sb_use_real_time(sub_reg(&sub_enqcmd, bm_enqcmd, "wq", q16, 1)), 2);
		sb_use_manual_time(sub_reg(&sub_single, bm_group, "n", q16, 1));
		sb_use_manual_time(sub_reg(&sub_batch, bm_group, "n", q16, 1));
		return;
	}
	sb_threads(sb_threads(sb_use_real_time(sub_reg(&sub_enqcmd, bm_enqcmd, "wq", sizes, 4)), 1),
		   2);
	sb_use_real_time(sub_reg(&sub_movdir, bm_movdir64b, "wq", sizes, 4));
	sb_use_manual_time(sub_reg(&sub_single, bm_group, "n", singles, 5));
	sb_use_manual_time(sub_reg(&sub_batch, bm_group, "n", counts, 4));
	for (size_t i = 0; i < sizeof(sub_waits) / sizeof(sub_waits[0]); i++) {
		const struct sub_bench *b = &sub_waits[i];

		if (!waitpkg && (b->policy == SUB_POL_UMWAIT || b->policy == SUB_POL_TPAUSE)) {
			/* Without WAITPKG enq_wait() would run PAUSE under this name. */
			fprintf(stderr, "svart bench: %s skipped: this CPU has no WAITPKG\n",
				b->name);
			continue;
		}
		sb_use_real_time(sub_reg(b, bm_wait, "bytes", wait_bytes, 2));
	}
}
