// SPDX-License-Identifier: MIT
/*
 * Batches: many jobs in one submission. Where every job is a DSA operation that fits one
 * descriptor, the batch goes to the device as one BATCH descriptor whose list holds the jobs'
 * descriptors (each still writes its own completion record, so each job finishes, faults and
 * resumes on its own); otherwise each job is submitted by itself.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enqcmd/enq_desc.h"
#include "enqcmd/enq_wait.h"

#define API SVART_API
#define BATCH_MAX 4096u

struct svart_batch {
	struct svart_ctx *ctx;
	unsigned int max, n;
	struct svart_job **jobs;
	struct dsa_hw_desc *list; /* 64-byte aligned, registered with the device */
	struct svart_job bjob; /* the BATCH descriptor itself */
	bool running, on_device;
};

API int svart_batch_alloc(struct svart_ctx *ctx, unsigned int max, struct svart_batch **out)
{
	struct svart_batch *b;

	if (!ctx || !out || !max || max > BATCH_MAX)
		return -EINVAL;
	b = aligned_alloc(64, sizeof(*b));
	if (!b)
		return -ENOMEM;
	memset(b, 0, sizeof(*b));
	b->jobs = calloc(max, sizeof(*b->jobs));
	b->list = aligned_alloc(64, (size_t)max * sizeof(*b->list));
	if (!b->jobs || !b->list) {
		free(b->jobs);
		free(b->list);
		free(b);
		return -ENOMEM;
	}
	b->ctx = ctx;
	b->max = max;
	rt_job_init(&b->bjob, ctx);
	/* The device reads the list and writes the batch record: register both (hints). */
	ctx->ops->prefault(ctx, NULL, b->list, (size_t)max * sizeof(*b->list), false);
	ctx->ops->prefault(ctx, NULL, &b->bjob.cr, sizeof(b->bjob.cr), true);
	*out = b;
	return 0;
}

API void svart_batch_free(struct svart_batch *b)
{
	if (!b)
		return;
	free(b->jobs);
	free(b->list);
	free(b);
}

API int svart_batch_add(struct svart_batch *b, struct svart_job *job)
{
	if (!b || !job || job->ctx != b->ctx || job->state == RT_JOB_IDLE)
		return -EINVAL;
	if (b->running)
		return -EBUSY;
	if (b->n == b->max)
		return -ENOSPC;
	b->jobs[b->n++] = job;
	return 0;
}

API int svart_batch_reset(struct svart_batch *b)
{
	if (!b)
		return -EINVAL;
	if (b->running)
		return -EBUSY;
	b->n = 0;
	return 0;
}

/* Whether the whole batch can go down as one BATCH descriptor on @wq. */
static bool batch_fits(struct svart_batch *b, struct rt_wq *wq)
{
	if (!wq || wq->unit != RT_UNIT_DSA || b->n < IDXD_BATCH_MIN_DESCS || b->n > wq->max_batch)
		return false;
	for (unsigned int i = 0; i < b->n; i++) {
		struct svart_job *j = b->jobs[i];

		if (j->op->unit != RT_UNIT_DSA || !j->op->prep || !j->a.len ||
		    j->a.len > wq->max_xfer || j->state == RT_JOB_RUNNING)
			return false;
	}
	return true;
}

/* Build the list from each job's first (and only) descriptor, then submit the BATCH. */
static int batch_to_device(struct svart_batch *b, struct rt_wq *wq)
{
	for (unsigned int i = 0; i < b->n; i++) {
		struct svart_job *j = b->jobs[i];

		rt_job_reset(j);
		memset(j->cr.raw, 0, sizeof(j->cr.raw));
		if (j->op->prep(j, wq) || j->chunk != j->a.len)
			return -EOPNOTSUPP;
		b->list[i] = j->desc.dsa;
	}
	rt_job_reset(&b->bjob);
	memset(b->bjob.cr.raw, 0, sizeof(b->bjob.cr.raw));
	enq_prep_batch(&b->bjob.desc.dsa, (uintptr_t)b->list, b->n, 0, &b->bjob.cr.dsa);
	if (rt_job_submit_wq(&b->bjob, wq))
		return -EAGAIN;
	for (unsigned int i = 0; i < b->n; i++) {
		b->jobs[i]->wq = wq;
		b->jobs[i]->state = RT_JOB_RUNNING;
		b->jobs[i]->res.descriptors = 1;
	}
	return 0;
}

API int svart_batch_submit(struct svart_batch *b)
{
	struct rt_wq *wq;

	if (!b || !b->n)
		return -EINVAL;
	if (b->running)
		return -EBUSY;
	for (unsigned int i = 0; i < b->n; i++)
		if (b->jobs[i]->state == RT_JOB_RUNNING || b->jobs[i]->cq)
			return -EBUSY;
	b->running = true;
	wq = rt_place_pick(b->ctx, RT_UNIT_DSA, NULL);
	b->on_device = batch_fits(b, wq) && !batch_to_device(b, wq);
	if (!b->on_device) {
		for (unsigned int i = 0; i < b->n; i++)
			rt_job_submit(b->jobs[i]);
	}
	return 0;
}

/*
 * The BATCH record: sub-descriptors the device never read (a fault on the list) are
 * resubmitted one by one; everything else finishes through the jobs' own records.
 */
static int batch_check_record(struct svart_batch *b)
{
	uint8_t st = enq_poll(&b->bjob.cr.raw[0]);
	uint32_t done;

	if (!st)
		return -EINPROGRESS;
	if (b->bjob.on_credit) {
		enq_credits_release(&b->bjob.wq->credits, 1);
		b->bjob.on_credit = false;
	}
	b->on_device = false;
	if ((st & DSA_COMP_STATUS_MASK) == DSA_COMP_SUCCESS ||
	    (st & DSA_COMP_STATUS_MASK) == DSA_COMP_BATCH_FAIL)
		return 0;
	/* BATCH_PAGE_FAULT or a batch-level error: whoever has no record yet goes alone. */
	done = (st & DSA_COMP_STATUS_MASK) == DSA_COMP_BATCH_PAGE_FAULT ?
		       b->bjob.cr.dsa.bytes_completed :
		       0;
	for (unsigned int i = done; i < b->n; i++) {
		struct svart_job *j = b->jobs[i];

		if (!j->cr.raw[0]) {
			rt_job_reset(j);
			rt_job_issue(j);
		}
	}
	return 0;
}

API int svart_batch_poll(struct svart_batch *b)
{
	bool all = true;

	if (!b)
		return -EINVAL;
	if (!b->running)
		return 0;
	if (b->on_device && batch_check_record(b) == -EINPROGRESS)
		return -EINPROGRESS;
	for (unsigned int i = 0; i < b->n; i++)
		if (rt_job_poll(b->jobs[i]) == -EINPROGRESS)
			all = false;
	if (!all)
		return -EINPROGRESS;
	b->running = false;
	return 0;
}

API int svart_batch_wait(struct svart_batch *b, int64_t timeout_ns)
{
	uint64_t deadline = timeout_ns < 0 ? 0 : rt_now_ns() + (uint64_t)timeout_ns + 1;
	unsigned int spin = 0;
	int ret;

	if (!b)
		return -EINVAL;
	for (;;) {
		ret = svart_batch_poll(b);
		if (ret != -EINPROGRESS)
			return ret;
		if (!(++spin & 31))
			rt_ctx_service(b->ctx);
		if (deadline && !(spin & 255) && rt_now_ns() > deadline)
			return -ETIMEDOUT;
		rt_idle(spin);
	}
}
