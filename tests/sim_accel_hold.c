// SPDX-License-Identifier: MIT
/*
 * sim device core, held WQs (sim_wq_assist_hold(), _release()): a completion queue with jobs in
 * flight runs them on its reaping thread, and the device still runs them by itself when that
 * thread stops reaping. Checked:
 *  - under a hold, submissions make no wake-up (the group's futex word does not move) and the
 *    holder's sim_wq_assist() runs every descriptor, records written by the device model;
 *  - a holder that does not assist: the engine's thread takes the queue over after the grace
 *    period and completes it (nothing is ever stranded), the assisted count unchanged;
 *  - release with work queued hands it to the engine; the counts go back to 0;
 *  - through the runtime: jobs of a completion queue that is never reaped still finish
 *    (svart_poll() only), with the right bytes; reaping an empty queue releases its WQs, and so
 *    does destroying the context before the queue (which is then refused, and freed safely).
 */
#include "runtime/rt_internal.h"
#include "sim_accel_util.h"
#include "svart.h"

#define PASID_PROC 0x321u
#define NR_DESCS 100u

static struct sim_accel_dev *dev;
static struct sim_accel_wq *wq;
static struct sim_accel_engine *eng;

static void submit(struct dsa_hw_desc *d)
{
	T_EQ(sim_wq_submit(wq, d, SIM_WQ_HOW_ENQCMD), 0);
}

/* The engine's thread saw the hold: it sleeps with a time-out, not counted in sleepers. */
static void wait_timed_sleep(void)
{
	T_CHECK(UT_WAIT(atomic_load(&eng->grp->sleepers) == 0 && atomic_load(&eng->sleeps) > 0));
}

static void test_hold_no_wake(void)
{
	static struct ut_rec rec[NR_DESCS];
	uint64_t a0, d0;
	unsigned int seq0, ran = 0;
	struct dsa_hw_desc d;

	T_CHECK(UT_WAIT(atomic_load(&eng->grp->sleepers) == 1)); /* asleep, no holder */
	sim_wq_assist_hold(wq);
	T_EQ(atomic_load(&eng->grp->holders), 1);
	/* The first submission wakes the engine counted asleep before the hold (once). */
	ut_desc(&d, DSA_OPCODE_NOOP, 0, &rec[0]);
	submit(&d);
	T_CHECK(UT_WAIT((sim_wq_assist(wq, 16), ut_status(&rec[0]) != 0)));
	wait_timed_sleep();

	seq0 = atomic_load(&eng->grp->wake_seq);
	a0 = atomic_load(&eng->assisted);
	d0 = atomic_load(&eng->descs);
	for (unsigned int i = 1; i < NR_DESCS; i++) {
		ut_desc(&d, DSA_OPCODE_NOOP, i, &rec[i]);
		submit(&d);
		ran += (unsigned int)sim_wq_assist(wq, 16);
	}
	for (unsigned int i = 1; i < NR_DESCS; i++) {
		T_CHECK(UT_WAIT((sim_wq_assist(wq, 16), ut_status(&rec[i]) != 0)));
		T_EQ(ut_status(&rec[i]), DSA_COMP_SUCCESS);
	}
	/* No wake-up for any of them; each executed once, by the device model. */
	T_EQ(atomic_load(&eng->grp->wake_seq), seq0);
	T_EQ(atomic_load(&eng->descs), d0 + NR_DESCS - 1);
	T_CHECK(atomic_load(&eng->assisted) - a0 >= ran);
	T_CHECK(ran > 0);
	sim_wq_assist_release(wq);
	T_EQ(atomic_load(&eng->grp->holders), 0);
}

static void test_hold_takeover(void)
{
	struct ut_rec rec[4];
	struct dsa_hw_desc d;
	uint64_t a0;

	sim_wq_assist_hold(wq);
	wait_timed_sleep();
	a0 = atomic_load(&eng->assisted);
	for (unsigned int i = 0; i < 4; i++) {
		ut_desc(&d, DSA_OPCODE_NOOP, i, &rec[i]);
		submit(&d);
	}
	/* Nobody assists: the engine's thread runs them after the grace period. */
	for (unsigned int i = 0; i < 4; i++)
		T_CHECK(UT_WAIT(ut_status(&rec[i]) == DSA_COMP_SUCCESS));
	T_EQ(atomic_load(&eng->assisted), a0);
	sim_wq_assist_release(wq);
	T_EQ(atomic_load(&eng->grp->holders), 0);
}

static void test_release_hands_over(void)
{
	struct dsa_hw_desc d;
	struct ut_rec rec;

	sim_wq_assist_hold(wq);
	sim_wq_assist_hold(wq); /* two holders (two queues) */
	T_EQ(atomic_load(&eng->grp->holders), 2);
	ut_desc(&d, DSA_OPCODE_NOOP, 7, &rec);
	submit(&d);
	sim_wq_assist_release(wq);
	sim_wq_assist_release(wq);
	T_EQ(atomic_load(&eng->grp->holders), 0);
	T_CHECK(UT_WAIT(ut_status(&rec) == DSA_COMP_SUCCESS));
	/* Back to counted, untimed sleep without a holder. */
	T_CHECK(UT_WAIT(atomic_load(&eng->grp->sleepers) == 1));
}

/* The DSA group the runtime's first DSA WQ is in. */
static struct sim_accel_group *rt_group(struct svart_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->nr_wqs; i++)
		if (ctx->wqs[i]->unit == RT_UNIT_DSA)
			return ((struct sim_accel_wq *)ctx->wqs[i]->plat)->rt_grp;
	return NULL;
}

#define RT_JOBS 8
#define RT_LEN 16384u

static void test_runtime_unreaped(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1 };
	static unsigned char src[RT_JOBS][RT_LEN], dst[RT_JOBS][RT_LEN];
	struct svart_job *jobs[RT_JOBS] = { 0 }, *got[RT_JOBS];
	struct sim_accel_group *grp;
	struct svart_cq *cq = NULL;
	struct svart_ctx *ctx;
	int ret;

	ret = svart_ctx_create(&o, &ctx);
	if (ret) {
		printf("SKIP runtime part: no sim context (%d)\n", ret);
		return;
	}
	grp = rt_group(ctx);
	T_CHECK(grp != NULL);
	T_EQ(svart_cq_create(ctx, RT_JOBS, &cq), 0);
	if (!grp || !cq)
		goto out;
	for (unsigned int i = 0; i < RT_JOBS; i++) {
		for (unsigned int k = 0; k < RT_LEN; k++)
			src[i][k] = (unsigned char)(k * 31 + i);
		T_EQ(svart_job_alloc(ctx, &jobs[i]), 0);
		T_EQ(svart_prep_memmove(jobs[i], dst[i], src[i], RT_LEN), 0);
		T_EQ(svart_cq_submit(cq, jobs[i]), 0);
	}
	T_CHECK(atomic_load(&grp->holders) >= 1);
	/* Never reaped: svart_poll() runs nothing, the device finishes them on its own. */
	for (unsigned int i = 0; i < RT_JOBS; i++) {
		T_CHECK(UT_WAIT(svart_poll(jobs[i]) == 0));
		T_EQ(svart_job_result(jobs[i])->status, 0);
		T_EQ(svart_job_result(jobs[i])->path, SVART_PATH_SIM);
		T_CHECK(!memcmp(dst[i], src[i], RT_LEN));
	}
	T_EQ(svart_cq_reap(cq, got, RT_JOBS, RT_JOBS, -1), RT_JOBS);
	T_EQ(svart_cq_inflight(cq), 0);
	/* Still held: the queue is often refilled right away. Reaping it empty releases. */
	T_CHECK(atomic_load(&grp->holders) >= 1);
	T_EQ(svart_cq_reap(cq, got, RT_JOBS, 0, 0), 0);
	T_EQ(atomic_load(&grp->holders), 0);
	/* Resubmitted through the queue and reaped: the reaper runs them. */
	for (unsigned int i = 0; i < RT_JOBS; i++) {
		memset(dst[i], 0, RT_LEN);
		T_EQ(svart_cq_submit(cq, jobs[i]), 0);
	}
	T_EQ(svart_cq_reap(cq, got, RT_JOBS, RT_JOBS, -1), RT_JOBS);
	for (unsigned int i = 0; i < RT_JOBS; i++)
		T_CHECK(!memcmp(dst[i], src[i], RT_LEN));
	svart_cq_destroy(cq); /* releases too */
	cq = NULL;
	T_EQ(atomic_load(&grp->holders), 0);
out:
	svart_cq_destroy(cq);
	for (unsigned int i = 0; i < RT_JOBS; i++)
		svart_job_free(jobs[i]);
	svart_ctx_destroy(ctx);
}

/* A queue may outlive its context: the context's destruction gives its holds back. */
static void test_runtime_ctx_first(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1 };
	static unsigned char src[RT_LEN], dst[RT_LEN];
	struct svart_job *job = NULL, *got;
	struct sim_accel_group *grp;
	struct svart_cq *cq = NULL;
	struct svart_ctx *ctx, *keep;

	/* A second context keeps the sim platform (and grp) alive past ctx. */
	if (svart_ctx_create(&o, &keep))
		return;
	if (svart_ctx_create(&o, &ctx)) {
		svart_ctx_destroy(keep);
		return;
	}
	grp = rt_group(ctx);
	T_EQ(svart_cq_create(ctx, 4, &cq), 0);
	T_EQ(svart_job_alloc(ctx, &job), 0);
	if (!grp || !cq || !job) {
		svart_ctx_destroy(ctx);
		svart_ctx_destroy(keep);
		return;
	}
	memset(src, 0x5c, sizeof(src));
	T_EQ(svart_prep_memmove(job, dst, src, RT_LEN), 0);
	T_EQ(svart_cq_submit(cq, job), 0);
	T_EQ(svart_cq_reap(cq, &got, 1, 1, -1), 1);
	T_CHECK(!memcmp(dst, src, RT_LEN));
	T_CHECK(atomic_load(&grp->holders) >= 1); /* held past the last job */
	svart_ctx_destroy(ctx);
	T_EQ(atomic_load(&grp->holders), 0);
	/* The queue without its context: refused, and destroyed without touching it. */
	T_EQ(svart_cq_reap(cq, &got, 1, 0, 0), -EINVAL);
	T_EQ(svart_cq_inflight(cq), 0);
	svart_cq_destroy(cq);
	svart_job_free(job);
	svart_ctx_destroy(keep);
}

int main(void)
{
	wq = ut_dev_shared_wq(&sim_dma_identity_ops, 16, PASID_PROC, &dev);
	eng = &dev->engines[0];

	test_hold_no_wake();
	test_hold_takeover();
	test_release_hands_over();
	sim_accel_dev_destroy(dev);
	sim_accel_process_pasid_clear();

	test_runtime_unreaped();
	test_runtime_ctx_first();
	return t_done("sim_accel_hold");
}
