// SPDX-License-Identifier: MIT
/*
 * sim device core, assisted execution (sim_wq_assist(), _enter(), _leave()): a waiting thread
 * runs an idle engine of the WQ's group on its own CPU. Checked against what the engine's own
 * thread would have done:
 *  - an assisted descriptor is executed once, by the device model, with the submission's PASID,
 *    its record written and the engine's counters (descs, assisted) advanced;
 *  - while an assistant is present, a sleeping engine is not woken and does not run the queue
 *    (no futex wake-up per submission); leaving hands what is queued to the engine;
 *  - descriptors that may make page requests (BOF, BATCH, a record that does not translate)
 *    are left to the engine's thread, in order: nothing queued behind one runs ahead of it;
 *  - an engine that is running (its thread holds it) is never run by a second thread;
 *  - an empty or disabled WQ gives 0;
 *  - through the runtime, synchronous operations on sim are run by their callers, with the
 *    data right, also with several callers and an asynchronous submitter at once.
 */
#include "runtime/rt_internal.h"
#include "sim_accel_util.h"
#include "svart.h"

#define PASID_PROC 0x321u
#define HOLE_PAGE_SHIFT 12

/* An identity backend with one hole: the page of hole_addr does not translate. */
static _Atomic uint64_t hole_addr;

static int hole_translate(struct sim_dma *dma, uint64_t iova, unsigned int access,
			  struct sim_dma_xlate *out)
{
	uint64_t page = iova >> HOLE_PAGE_SHIFT;

	(void)dma;
	(void)access;
	if (page == atomic_load(&hole_addr) >> HOLE_PAGE_SHIFT)
		return -EFAULT;
	out->host = iova;
	out->len = ((page + 1) << HOLE_PAGE_SHIFT) - iova;
	return 0;
}

static int hole_page_request(struct sim_dma *dma, uint64_t iova, unsigned int access)
{
	(void)dma;
	(void)iova;
	(void)access;
	return -EOPNOTSUPP;
}

static const struct sim_dma_ops hole_ops = {
	.translate = hole_translate,
	.page_request = hole_page_request,
};

static struct sim_accel_dev *dev;
static struct sim_accel_wq *wq;
static struct sim_accel_engine *eng;

static uint64_t assisted(void)
{
	return atomic_load(&eng->assisted);
}

/* Wait until the engine's thread sleeps on its futex (spin_us NONE: as soon as it idles). */
static void wait_asleep(void)
{
	T_CHECK(UT_WAIT(atomic_load(&eng->grp->sleepers) == 1));
}

static void submit(struct dsa_hw_desc *d)
{
	T_EQ(sim_wq_submit(wq, d, SIM_WQ_HOW_ENQCMD), 0);
}

static void test_empty(void)
{
	struct sim_wq_stats st;

	sim_wq_stats(wq, &st);
	T_EQ(st.occupancy, 0);
	T_EQ(sim_wq_assist(wq, 16), 0);
	T_EQ(sim_wq_assist(wq, 0), 0);
}

/* A present assistant: the sleeping engine stays asleep; the assistant runs the copy. */
static void test_assist_copy(void)
{
	static char src[8192], dst[8192];
	uint64_t a0 = assisted(), d0 = atomic_load(&eng->descs), s0;
	unsigned int log0 = atomic_load(&ut_log_n);
	struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };
	struct dsa_hw_desc d;
	struct ut_rec rec;

	for (unsigned int i = 0; i < sizeof(src); i++)
		src[i] = (char)(i * 7 + 1);
	memset(dst, 0, sizeof(dst));
	wait_asleep();
	s0 = atomic_load(&eng->sleeps);
	sim_wq_assist_enter(wq);
	T_EQ(atomic_load(&eng->grp->assistants), 1);
	ut_desc(&d, DSA_OPCODE_MEMMOVE, sizeof(src), &rec);
	d.src_addr = (uintptr_t)src;
	d.dst_addr = (uintptr_t)dst;
	submit(&d);
	/* Not woken, and a spurious wake-up would find no work it may take. */
	nanosleep(&ts, NULL);
	T_EQ(atomic_load(&eng->sleeps), s0); /* still in its first futex wait */
	T_EQ(ut_status(&rec), 0);
	T_EQ(atomic_load(&ut_log_n), log0);

	T_EQ(sim_wq_assist(wq, 16), 1);
	T_EQ(ut_status(&rec), DSA_COMP_SUCCESS);
	T_CHECK(!memcmp(src, dst, sizeof(src)));
	T_EQ(assisted(), a0 + 1);
	T_EQ(atomic_load(&eng->descs), d0 + 1);
	T_EQ(atomic_load(&ut_log_n), log0 + 1);
	/* The ENQCMD PASID, as the engine's thread would have seen it. */
	T_EQ(ut_log[log0].pasid, PASID_PROC);
	T_CHECK(ut_log[log0].pasid_valid);
	T_EQ(sim_wq_assist(wq, 16), 0);
	sim_wq_assist_leave(wq);
	T_EQ(atomic_load(&eng->grp->assistants), 0);
}

/* Leaving with work queued wakes the engine, which runs it in order. */
static void test_leave_hands_over(void)
{
	unsigned int log0 = atomic_load(&ut_log_n);
	uint64_t a0 = assisted();
	struct dsa_hw_desc d;
	struct ut_rec rec[3];

	wait_asleep();
	sim_wq_assist_enter(wq);
	for (unsigned int i = 0; i < 3; i++) {
		ut_desc(&d, DSA_OPCODE_NOOP, 100 + i, &rec[i]);
		submit(&d);
	}
	sim_wq_assist_leave(wq);
	T_CHECK(UT_WAIT(ut_status(&rec[2]) == DSA_COMP_SUCCESS));
	T_EQ(ut_status(&rec[0]), DSA_COMP_SUCCESS);
	T_EQ(ut_status(&rec[1]), DSA_COMP_SUCCESS);
	T_EQ(assisted(), a0);
	for (unsigned int i = 0; i < 3; i++)
		T_EQ(ut_log[log0 + i].seq, 100 + i);
}

/*
 * A descriptor the assistant may not run goes to the engine's thread, and what was queued
 * behind it waits for it: @first is the one, a NOOP follows.
 */
static void check_deferred(struct dsa_hw_desc *first, uint8_t want)
{
	unsigned int log0 = atomic_load(&ut_log_n);
	uint64_t a0 = assisted();
	struct dsa_hw_desc d;
	struct ut_rec rec;

	wait_asleep();
	sim_wq_assist_enter(wq);
	submit(first);
	ut_desc(&d, DSA_OPCODE_NOOP, 201, &rec);
	submit(&d);
	/* Deferred: the assistant stops there, and runs nothing ahead of it later either. */
	T_EQ(sim_wq_assist(wq, 16), 0);
	/* ut_done, not ut_log_n: the entry is complete once its call has finished. */
	T_CHECK(UT_WAIT(atomic_load(&ut_done) > log0));
	T_EQ(ut_log[log0].seq, 200);
	/* Present: the assistant runs the NOOP unless the engine's thread already has. */
	T_CHECK(UT_WAIT((sim_wq_assist(wq, 16), ut_status(&rec) != 0)));
	sim_wq_assist_leave(wq);
	T_EQ(ut_status(&rec), DSA_COMP_SUCCESS);
	T_EQ(ut_log[log0 + 1].seq, 201);
	T_EQ(ut_log[log0].opcode, want);
	/* The NOOP: the assistant's, or the engine's thread took it right after the first. */
	T_CHECK(assisted() <= a0 + 1);
}

static void test_deferred(void)
{
	static struct ut_rec rec;
	struct dsa_hw_desc d;

	/* Block-on-fault: a page request would wait for the assistant's own caller. */
	ut_desc(&d, DSA_OPCODE_NOOP, 200, &rec);
	d.flags |= IDXD_OP_FLAG_BOF;
	check_deferred(&d, DSA_OPCODE_NOOP);
	T_CHECK(UT_WAIT(ut_status(&rec) == DSA_COMP_SUCCESS));

	/* BATCH: its list and its descriptors' records (the test executor refuses it). */
	ut_desc(&d, DSA_OPCODE_BATCH, 200, &rec);
	check_deferred(&d, DSA_OPCODE_BATCH);
	T_CHECK(UT_WAIT(ut_status(&rec) == DSA_COMP_BAD_OPCODE));

	/* A record that does not translate: the engine's thread meets the fault, not us. */
	ut_desc(&d, DSA_OPCODE_NOOP, 200, &rec);
	atomic_store(&hole_addr, (uintptr_t)&rec.cr);
	check_deferred(&d, DSA_OPCODE_NOOP);
	atomic_store(&hole_addr, 0);
	T_EQ(ut_status(&rec), 0); /* never written */
}

/* An engine its thread is running cannot be run by anyone else. */
static void test_busy_engine(void)
{
	struct ut_rec block, rec;
	struct dsa_hw_desc d;
	uint64_t a0 = assisted();

	ut_rearm();
	ut_desc(&d, UT_OP_BLOCK, 300, &block);
	submit(&d);
	T_CHECK(UT_WAIT(atomic_load(&ut_blocked) == 1));
	ut_desc(&d, DSA_OPCODE_NOOP, 301, &rec);
	submit(&d);
	T_EQ(sim_wq_assist(wq, 16), 0);
	T_EQ(ut_status(&rec), 0);
	ut_release();
	T_CHECK(UT_WAIT(ut_status(&rec) == DSA_COMP_SUCCESS));
	T_EQ(assisted(), a0);
}

static void test_disabled(void)
{
	struct dsa_hw_desc d;

	T_EQ(sim_wq_disable(wq), 0);
	ut_desc(&d, DSA_OPCODE_NOOP, 400, NULL);
	T_RET(EAGAIN, sim_wq_submit(wq, &d, SIM_WQ_HOW_ENQCMD));
	T_EQ(sim_wq_assist(wq, 16), 0);
	T_EQ(sim_wq_enable(wq), 0);
}

/* Through the runtime: sync operations on the sim platform are run by their callers. */
static void test_runtime(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1 };
	struct sim_accel_dev *pd = NULL;
	static char src[16384], dst[16384];
	struct svart_ctx *ctx;
	uint64_t a0 = 0, a1 = 0;
	uint64_t fill;
	int ret;

	ret = svart_ctx_create(&o, &ctx);
	if (ret) {
		printf("SKIP runtime part: no sim context (%d)\n", ret);
		return;
	}
	for (struct sim_accel_dev *p = NULL; (p = sim_accel_dev_next(p));)
		if (p->type == &sim_accel_type_dsa && !pd)
			pd = p;
	T_CHECK(pd != NULL);
	if (!pd)
		goto out;
	for (unsigned int i = 0; i < pd->nr_engines; i++)
		a0 += atomic_load(&pd->engines[i].assisted);
	for (unsigned int i = 0; i < sizeof(src); i++)
		src[i] = (char)(i * 13 + 5);
	for (unsigned int k = 0; k < 50; k++) {
		memset(dst, 0, sizeof(dst));
		T_EQ(svart_memmove(ctx, dst, src, sizeof(src)), 0);
		T_CHECK(!memcmp(dst, src, sizeof(src)));
		T_EQ(svart_memfill(ctx, dst, 0x0102030405060708ull, 4096), 0);
		memcpy(&fill, dst + 4088, sizeof(fill));
		T_EQ(fill, 0x0102030405060708ull);
	}
	for (unsigned int i = 0; i < pd->nr_engines; i++)
		a1 += atomic_load(&pd->engines[i].assisted);
	/* Present callers: the engine's thread leaves their descriptors to them. */
	T_CHECK(a1 - a0 >= 100);
out:
	svart_ctx_destroy(ctx);
}

/*
 * Threads at once: synchronous callers (present assistants) beside one that only submits to a
 * completion queue and reaps. Every byte must arrive, whoever ran the engine.
 */
#define MT_SYNC 3
#define MT_LEN 8192u
#define MT_ROUNDS 200

static struct svart_ctx *mt_ctx;
static atomic_int mt_bad;

static void *mt_sync_main(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	char *src = malloc(MT_LEN), *dst = malloc(MT_LEN);

	for (unsigned int i = 0; i < MT_LEN; i++)
		src[i] = (char)(i + id);
	for (int r = 0; r < MT_ROUNDS; r++) {
		memset(dst, 0, MT_LEN);
		if (svart_memmove(mt_ctx, dst, src, MT_LEN) || memcmp(src, dst, MT_LEN))
			atomic_fetch_add(&mt_bad, 1);
	}
	free(src);
	free(dst);
	return NULL;
}

static void *mt_async_main(void *arg)
{
	enum { QD = 8 };
	char *src = malloc(QD * MT_LEN), *dst = malloc(QD * MT_LEN);
	struct svart_job *jobs[QD], *got[QD];
	struct svart_cq *cq = NULL;
	int done = 0, n = 0;

	(void)arg;
	for (unsigned int i = 0; i < QD * MT_LEN; i++)
		src[i] = (char)(i * 3);
	memset(dst, 0, QD * MT_LEN);
	if (svart_cq_create(mt_ctx, QD, &cq))
		goto out_bad;
	for (; n < QD; n++) {
		if (svart_job_alloc(mt_ctx, &jobs[n]) ||
		    svart_prep_memmove(jobs[n], dst + n * MT_LEN, src + n * MT_LEN, MT_LEN) ||
		    svart_cq_submit(cq, jobs[n]))
			goto out_bad;
	}
	while (done < MT_ROUNDS * 2) {
		int k = svart_cq_reap(cq, got, QD, 1, -1);

		if (k < 0)
			goto out_bad;
		for (int i = 0; i < k; i++) {
			done++;
			if (svart_job_result(got[i])->status || svart_cq_submit(cq, got[i]))
				goto out_bad;
		}
	}
	while (svart_cq_inflight(cq))
		if (svart_cq_reap(cq, got, QD, 1, -1) < 0)
			goto out_bad;
	if (memcmp(src, dst, QD * MT_LEN))
		goto out_bad;
	goto out;
out_bad:
	atomic_fetch_add(&mt_bad, 1);
out:
	svart_cq_destroy(cq);
	for (int i = 0; i < n; i++)
		svart_job_free(jobs[i]);
	free(src);
	free(dst);
	return NULL;
}

static void test_runtime_threads(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1 };
	pthread_t t[MT_SYNC + 1];

	if (svart_ctx_create(&o, &mt_ctx)) {
		printf("SKIP threaded runtime part: no sim context\n");
		return;
	}
	for (uintptr_t i = 0; i < MT_SYNC; i++)
		T_EQ(pthread_create(&t[i], NULL, mt_sync_main, (void *)i), 0);
	T_EQ(pthread_create(&t[MT_SYNC], NULL, mt_async_main, NULL), 0);
	for (unsigned int i = 0; i <= MT_SYNC; i++)
		pthread_join(t[i], NULL);
	T_EQ(atomic_load(&mt_bad), 0);
	svart_ctx_destroy(mt_ctx);
}

int main(void)
{
	wq = ut_dev_shared_wq(&hole_ops, 16, PASID_PROC, &dev);
	eng = &dev->engines[0];

	test_empty();
	test_assist_copy();
	test_leave_hands_over();
	test_deferred();
	test_busy_engine();
	test_disabled();
	sim_accel_dev_destroy(dev);
	sim_accel_process_pasid_clear();

	test_runtime();
	test_runtime_threads();
	return t_done("sim_accel_assist");
}
