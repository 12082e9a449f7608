// SPDX-License-Identifier: MIT
/*
 * Completion queues: many jobs in flight from one thread, reaped as they finish. The queue is
 * a list of in-flight jobs in submission order; reaping polls them (which also drives their
 * fault resumes and next chunks) and hands back the finished ones.
 *
 * From its first submission to a WQ until it is reaped empty or destroyed, a queue holds that
 * WQ (RT_ASSIST_HOLD): on sim the reaping thread then runs its jobs on its own CPU
 * (docs/SUBMISSION.md, "Assisted waits"), without a wake-up per submission or an engine thread
 * on the other core taking them between reaps; the device still runs them by itself if the
 * queue is not reaped for a while.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <stdlib.h>

#include "enqcmd/enq_wait.h"

#define API SVART_API
#define CQ_MAX 65536u
/* WQs one queue holds at most; jobs placed on others simply run without the hold. */
#define CQ_HOLD_MAX 4u

struct svart_cq {
	struct svart_ctx *ctx; /* NULL once the context is destroyed */
	struct svart_cq *next; /* ctx->cqs */
	unsigned int entries, inflight;
	struct svart_job *head, *tail;
	unsigned int nr_held;
	struct rt_wq *held[CQ_HOLD_MAX];
	/* Its jobs' counts, added to the context's when reaping returns (rt_counts_fold()). */
	struct rt_counts counts;
};

/* Hold @wq for this queue's jobs (once per WQ, until cq_release()). */
static void cq_hold(struct svart_cq *cq, struct rt_wq *wq)
{
	for (unsigned int i = 0; i < cq->nr_held; i++)
		if (cq->held[i] == wq)
			return;
	if (cq->nr_held == CQ_HOLD_MAX)
		return;
	cq->held[cq->nr_held++] = wq;
	cq->ctx->ops->assist(cq->ctx, wq, RT_ASSIST_HOLD);
}

/* The burst is over (or the queue, or its context): the WQs are the device's alone again. */
static void cq_release(struct svart_cq *cq)
{
	while (cq->nr_held)
		cq->ctx->ops->assist(cq->ctx, cq->held[--cq->nr_held], RT_ASSIST_RELEASE);
}

API int svart_cq_create(struct svart_ctx *ctx, unsigned int entries, struct svart_cq **out)
{
	struct svart_cq *cq;

	if (!ctx || !out || !entries || entries > CQ_MAX)
		return -EINVAL;
	cq = calloc(1, sizeof(*cq));
	if (!cq)
		return -ENOMEM;
	cq->ctx = ctx;
	cq->entries = entries;
	pthread_mutex_lock(&ctx->lock);
	cq->next = ctx->cqs;
	ctx->cqs = cq;
	pthread_mutex_unlock(&ctx->lock);
	*out = cq;
	return 0;
}

API void svart_cq_destroy(struct svart_cq *cq)
{
	/* Jobs still in flight are the caller's: they keep running and can be waited on. */
	for (struct svart_job *j = cq ? cq->head : NULL; j; j = j->next) {
		j->cq = NULL;
		j->counts = NULL;
	}
	if (cq && cq->ctx) {
		struct svart_ctx *ctx = cq->ctx;

		pthread_mutex_lock(&ctx->lock);
		for (struct svart_cq **pp = &ctx->cqs; *pp; pp = &(*pp)->next) {
			if (*pp == cq) {
				*pp = cq->next;
				break;
			}
		}
		pthread_mutex_unlock(&ctx->lock);
		cq_release(cq);
		rt_counts_fold(ctx, &cq->counts);
	}
	free(cq);
}

void rt_cq_ctx_destroy(struct svart_ctx *ctx)
{
	pthread_mutex_lock(&ctx->lock);
	for (struct svart_cq *cq = ctx->cqs; cq; cq = cq->next) {
		cq_release(cq);
		cq->ctx = NULL;
	}
	ctx->cqs = NULL;
	pthread_mutex_unlock(&ctx->lock);
}

API int svart_cq_submit(struct svart_cq *cq, struct svart_job *job)
{
	int ret;

	if (!cq || !job || job->ctx != cq->ctx)
		return -EINVAL;
	if (job->cq || job->state == RT_JOB_RUNNING || cq->inflight == cq->entries)
		return -EBUSY;
	/* Set first: a full WQ's back-off may run the device then (rt_job_submit_wq()). */
	job->cq = cq;
	job->counts = &cq->counts;
	ret = rt_job_submit(job);
	if (ret) {
		job->cq = NULL;
		job->counts = NULL;
		return ret;
	}
	if (job->state == RT_JOB_RUNNING)
		cq_hold(cq, job->wq);
	job->next = NULL;
	if (cq->tail)
		cq->tail->next = job;
	else
		cq->head = job;
	cq->tail = job;
	cq->inflight++;
	return 0;
}

/* One pass over the in-flight jobs: move finished ones to @jobs. */
static unsigned int cq_pass(struct svart_cq *cq, struct svart_job **jobs, unsigned int max)
{
	struct svart_job *prev = NULL, *j = cq->head, *next;
	unsigned int n = 0;

	while (j && n < max) {
		next = j->next;
		/* Most jobs in flight are not done: their status byte says so without a call. */
		if ((j->state != RT_JOB_RUNNING || enq_poll(&j->cr.raw[0])) &&
		    rt_job_poll(j) != -EINPROGRESS) {
			if (prev)
				prev->next = next;
			else
				cq->head = next;
			if (cq->tail == j)
				cq->tail = prev;
			j->cq = NULL;
			j->counts = NULL;
			j->next = NULL;
			cq->inflight--;
			jobs[n++] = j;
		} else {
			prev = j;
		}
		j = next;
	}
	return n;
}

static int cq_reap(struct svart_cq *cq, struct svart_job **jobs, unsigned int max, unsigned int min,
		   int64_t timeout_ns)
{
	uint64_t deadline = timeout_ns < 0 ? 0 : rt_now_ns() + (uint64_t)timeout_ns;
	unsigned int n = 0, spin = 0, idle = 0;

	/*
	 * The hold outlives the last job in flight, so that a queue refilled right after a reap
	 * (the usual loop) does not wake an engine at its next submission; reaping an empty queue
	 * says the burst is over.
	 */
	if (!cq->inflight)
		cq_release(cq);
	for (;;) {
		n += cq_pass(cq, jobs + n, max - n);
		if (n >= min || n == max || !cq->inflight)
			return (int)n;
		if (timeout_ns && !(++spin & 31))
			rt_ctx_service(cq->ctx);
		/*
		 * Lend this thread to the device rather than idle (sim: run its engine here); the
		 * oldest job's WQ, whose group's engine serves its other WQs too. Also when not
		 * waiting: a queue that holds its WQs is how its jobs progress.
		 */
		if (cq->ctx->ops->assist(cq->ctx, cq->head->wq, RT_ASSIST_RUN) > 0) {
			idle = 0;
			if (timeout_ns)
				continue;
			n += cq_pass(cq, jobs + n, max - n);
			return (int)n;
		}
		if (!timeout_ns || (deadline && rt_now_ns() >= deadline))
			return (int)n;
		rt_idle(idle++);
	}
}

API int svart_cq_reap(struct svart_cq *cq, struct svart_job **jobs, unsigned int max,
		      unsigned int min, int64_t timeout_ns)
{
	int ret;

	if (!cq || !jobs || !max || min > max || !cq->ctx)
		return -EINVAL;
	ret = cq_reap(cq, jobs, max, min, timeout_ns);
	/* What the reaped jobs did is in the context's counters once they are handed back. */
	rt_counts_fold(cq->ctx, &cq->counts);
	return ret;
}

API unsigned int svart_cq_inflight(const struct svart_cq *cq)
{
	return cq ? cq->inflight : 0;
}
