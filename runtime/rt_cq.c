// SPDX-License-Identifier: MIT
/*
 * Completion queues: many jobs in flight from one thread, reaped as they finish. The queue is
 * a list of in-flight jobs in submission order; reaping polls them (which also drives their
 * fault resumes and next chunks) and hands back the finished ones.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <stdlib.h>

#define API SVART_API
#define CQ_MAX 65536u

struct svart_cq {
	struct svart_ctx *ctx;
	unsigned int entries, inflight;
	struct svart_job *head, *tail;
};

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
	*out = cq;
	return 0;
}

API void svart_cq_destroy(struct svart_cq *cq)
{
	/* Jobs still in flight are the caller's: they keep running and can be waited on. */
	for (struct svart_job *j = cq ? cq->head : NULL; j; j = j->next)
		j->cq = NULL;
	free(cq);
}

API int svart_cq_submit(struct svart_cq *cq, struct svart_job *job)
{
	int ret;

	if (!cq || !job || job->ctx != cq->ctx)
		return -EINVAL;
	if (job->cq || job->state == RT_JOB_RUNNING || cq->inflight == cq->entries)
		return -EBUSY;
	ret = rt_job_submit(job);
	if (ret)
		return ret;
	job->cq = cq;
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
		if (rt_job_poll(j) != -EINPROGRESS) {
			if (prev)
				prev->next = next;
			else
				cq->head = next;
			if (cq->tail == j)
				cq->tail = prev;
			j->cq = NULL;
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

API int svart_cq_reap(struct svart_cq *cq, struct svart_job **jobs, unsigned int max,
		      unsigned int min, int64_t timeout_ns)
{
	uint64_t deadline = timeout_ns < 0 ? 0 : rt_now_ns() + (uint64_t)timeout_ns;
	unsigned int n = 0, spin = 0, idle = 0;

	if (!cq || !jobs || !max || min > max)
		return -EINVAL;
	for (;;) {
		n += cq_pass(cq, jobs + n, max - n);
		if (n >= min || n == max || !cq->inflight)
			return (int)n;
		if (!timeout_ns || (deadline && rt_now_ns() >= deadline))
			return (int)n;
		if (!(++spin & 31))
			cq->ctx->ops->service(cq->ctx);
		/* Lend this thread to the device rather than idle (sim: run its engine here); the
		 * oldest job's WQ, whose group's engine serves its other WQs too. */
		if (cq->ctx->ops->assist(cq->ctx, cq->head->wq, RT_ASSIST_RUN) > 0) {
			idle = 0;
			continue;
		}
		rt_idle(idle++);
	}
}

API unsigned int svart_cq_inflight(const struct svart_cq *cq)
{
	return cq ? cq->inflight : 0;
}
