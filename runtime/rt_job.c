// SPDX-License-Identifier: MIT
/*
 * The job engine: one operation, run as a sequence of descriptors on a WQ, with ENQCMD retry
 * and WQ fail-over, partial-completion resume, and CPU completion. See rt_internal.h.
 */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enqcmd/enq_desc.h"
#include "enqcmd/enq_wait.h"
#include "sim/sim_guard.h"

uint64_t rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void rt_job_init(struct svart_job *job, struct svart_ctx *ctx)
{
	memset(job, 0, sizeof(*job));
	job->ctx = ctx;
}

void rt_job_fini(struct svart_job *job)
{
	free(job->aecs);
	job->aecs = NULL;
}

void rt_counts_fold(struct svart_ctx *ctx, struct rt_counts *c)
{
	struct rt_stats *s = &ctx->stats;

	if (!c->any)
		return;
	for (unsigned int p = 0; p < SVART_PATH_MAX; p++) {
		if (c->ops[p])
			atomic_fetch_add_explicit(&s->ops[p], c->ops[p], memory_order_relaxed);
		if (c->bytes[p])
			atomic_fetch_add_explicit(&s->bytes[p], c->bytes[p], memory_order_relaxed);
	}
	if (c->descriptors)
		atomic_fetch_add_explicit(&s->descriptors, c->descriptors, memory_order_relaxed);
	if (c->errors)
		atomic_fetch_add_explicit(&s->errors, c->errors, memory_order_relaxed);
	memset(c, 0, sizeof(*c));
}

static void job_count(struct svart_job *job, enum svart_path path)
{
	struct rt_stats *s = &job->ctx->stats;
	struct rt_counts *c = job->counts;

	if (c) {
		/* The queue's own thread: plain adds, folded when it reaps. */
		c->ops[path]++;
		c->bytes[path] += job->a.len;
		c->errors += job->res.status != 0;
		c->any = true;
		return;
	}
	atomic_fetch_add_explicit(&s->ops[path], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->bytes[path], job->a.len, memory_order_relaxed);
	if (job->res.status)
		atomic_fetch_add_explicit(&s->errors, 1, memory_order_relaxed);
}

void rt_job_finish(struct svart_job *job, int status, enum svart_path path)
{
	job->res.status = status;
	job->res.path = path;
	job->res.bytes = status ? job->off : job->a.len;
	job->state = RT_JOB_DONE;
	job_count(job, path);
}

int rt_job_prep(struct svart_job *job, enum rt_op_id op, const struct rt_args *a)
{
	if (job->state == RT_JOB_RUNNING)
		return -EBUSY;
	job->op_id = op;
	job->op = rt_ops_dsa[op] ? rt_ops_dsa[op] : rt_ops_iaa[op];
	job->a = *a;
	job->state = RT_JOB_PREPARED;
	return 0;
}

/* Release the credit of the descriptor that just completed (or failed to submit). */
static void job_put_credit(struct svart_job *job)
{
	if (job->on_credit) {
		enq_credits_release(&job->wq->credits, 1);
		job->on_credit = false;
	}
}

static void job_cpu_call(void *job)
{
	((struct svart_job *)job)->op->cpu(job);
}

static void job_cpu(struct svart_job *job, bool fallback)
{
	uintptr_t at;

	if (fallback)
		atomic_fetch_add_explicit(&job->ctx->stats.cpu_fallbacks, 1, memory_order_relaxed);
	/*
	 * The CPU path's probe: memory that is not mapped (or not writable) is -EFAULT here as
	 * on the device, never a crash. Deflate's CPU path allocates, which a guard must not
	 * abandon halfway, so it runs unguarded.
	 */
	if (job->op_id != RT_OP_COMPRESS && job->op_id != RT_OP_DECOMPRESS && !sim_guard_init()) {
		if (sim_guard_call(job_cpu_call, job, &at)) {
			rt_job_finish(job, -EFAULT, SVART_PATH_CPU);
			return;
		}
	} else {
		job->op->cpu(job);
	}
	if (job->state != RT_JOB_DONE)
		rt_job_finish(job, job->res.status, SVART_PATH_CPU);
}

/*
 * Pause a little more each time (bounded), so retries do not hammer a full WQ. A synchronous
 * caller (announced on @wq) or a completion queue's (which may hold @wq) runs the device
 * instead if it can: on sim its presence keeps the engine asleep, which would otherwise leave
 * the WQ full. Others only pause: the engines drain the WQ meanwhile, and a burst that
 * outruns them still finds it full, as on hardware.
 */
static void job_backoff(struct svart_job *job, struct rt_wq *wq, unsigned int attempt)
{
	unsigned int spins = 1u << (attempt < 10 ? attempt : 10);

	if ((job->assist_wq == wq || job->cq) &&
	    job->ctx->ops->assist(job->ctx, wq, RT_ASSIST_RUN) > 0)
		return;

	for (unsigned int i = 0; i < spins; i++)
		enq_cpu_relax();
	if (attempt >= 12)
		sched_yield();
}

/*
 * Hand the prepared descriptor to @wq: credits for a dedicated WQ, bounded ENQCMD retries for
 * a shared one. Return 0, -EAGAIN (still full), or another -errno from the portal.
 */
int rt_job_submit_wq(struct svart_job *job, struct rt_wq *wq)
{
	unsigned int retries = job->ctx->opts.enqcmd_retries;
	int ret;

	if (job->assist && job->assist_wq != wq) {
		/* Announced before the descriptor is visible (see rt_job_run()). */
		if (job->assist_wq)
			job->ctx->ops->assist(job->ctx, job->assist_wq, RT_ASSIST_LEAVE);
		job->ctx->ops->assist(job->ctx, wq, RT_ASSIST_ENTER);
		job->assist_wq = wq;
	}

	if (wq->dedicated) {
		for (unsigned int i = 0;; i++) {
			if (!enq_credits_acquire(&wq->credits))
				break;
			/*
			 * A completion queue's job goes on to the next WQ at once: the credits
			 * come back when jobs are polled, and the queue's own finished jobs, which
			 * may hold them all, are polled only when its thread reaps.
			 */
			if (i >= retries || job->cq)
				return -EAGAIN;
			job_backoff(job, wq, i);
		}
		job->on_credit = true;
		job->wq = wq;
	}
	for (unsigned int i = 0;; i++) {
		ret = enq_submit(&wq->portal, job->desc.raw);
		if (ret != -EAGAIN || i >= retries)
			break;
		job->res.retries++;
		atomic_fetch_add_explicit(&wq->retries, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&job->ctx->stats.enqcmd_retries, 1, memory_order_relaxed);
		job_backoff(job, wq, i);
	}
	if (ret) {
		job_put_credit(job);
		return ret;
	}
	job->wq = wq;
	job->res.descriptors++;
	atomic_fetch_add_explicit(&wq->submitted, 1, memory_order_relaxed);
	if (job->counts) {
		job->counts->descriptors++;
		job->counts->any = true;
	} else {
		atomic_fetch_add_explicit(&job->ctx->stats.descriptors, 1, memory_order_relaxed);
	}
	return 0;
}

/*
 * Issue the next chunk: the job's current WQ first, then the others of its unit; when none
 * takes it, the CPU (or -EAGAIN without fallback).
 */
void rt_job_issue(struct svart_job *job)
{
	struct svart_ctx *ctx = job->ctx;
	struct rt_wq *first, *wq;
	int ret = -ENODEV;

	first = job->wq ? job->wq :
			  rt_place_pick(ctx, job->op->unit, job->a.src ? job->a.src : job->a.dst);
	wq = first;
	for (unsigned int n = 0; wq && n < ctx->nr_unit[job->op->unit]; n++) {
		memset(job->cr.raw, 0, sizeof(job->cr.raw));
		ret = job->op->prep(job, wq);
		if (ret == -EBADMSG || ret == -ENOSPC) {
			/* A verdict on the job's own data (framing): no WQ or CPU would differ. */
			rt_job_finish(job, ret, ctx->path);
			return;
		}
		if (!ret) {
			if (ctx->opts.block_on_fault && wq->bof)
				job->desc.dsa.flags |= IDXD_OP_FLAG_BOF;
			ret = rt_job_submit_wq(job, wq);
			if (!ret) {
				job->state = RT_JOB_RUNNING;
				return;
			}
		}
		wq = rt_place_next(ctx, wq);
		if (wq == first)
			break;
	}
	if (ctx->opts.flags & SVART_CTX_NO_FALLBACK) {
		/* -EOPNOTSUPP from prep means no WQ here can run this op. */
		rt_job_finish(job, ret == -EOPNOTSUPP ? -EOPNOTSUPP : -EAGAIN, ctx->path);
		return;
	}
	job_cpu(job, true);
}

static bool job_wants_cpu(const struct svart_job *job)
{
	const struct svart_ctx *ctx = job->ctx;

	if (!ctx->nr_unit[job->op->unit] || !job->op->prep)
		return true;
	if (ctx->opts.flags & SVART_CTX_NO_FALLBACK)
		return false;
	return job->a.len < ctx->cpu_threshold[job->op->unit];
}

void rt_job_reset(struct svart_job *job)
{
	memset(&job->res, 0, sizeof(job->res));
	job->off = job->out_off = job->chunk = 0;
	job->fault_tries = 0;
	job->fault_off = job->fault_out_off = 0;
	job->crc = job->a.seed;
	job->crc64 = 0;
	job->frame_hdr = 0;
	job->wq = NULL;
	job->on_credit = false;
}

int rt_job_submit(struct svart_job *job)
{
	if (job->state == RT_JOB_RUNNING)
		return -EBUSY;
	if (job->state == RT_JOB_IDLE || !job->op)
		return -EINVAL;
	rt_job_reset(job);
	/* A finished job submitted again: job_cpu() finishes (path, stats) only if not DONE. */
	job->state = RT_JOB_PREPARED;
	if (!job->op->pending(job) || job_wants_cpu(job)) {
		if (job->op->pending(job) && job->op->prep && !job->ctx->nr_unit[job->op->unit] &&
		    (job->ctx->opts.flags & SVART_CTX_NO_FALLBACK)) {
			rt_job_finish(job, -ENODEV, SVART_PATH_NONE);
			return 0;
		}
		job_cpu(job, false);
		return 0;
	}
	rt_job_issue(job);
	return 0;
}

/*
 * The buffer range of the job that contains @addr, to bound the fault-in window: each
 * operand with the extent the operation gives it (a window reaching past a buffer could
 * cross into memory that is not mapped, and the prefault would rightly refuse it).
 */
static void job_fault_range(const struct svart_job *job, uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	const struct rt_args *a = &job->a;
	uint32_t bs = a->dif.block_size;
	struct {
		uintptr_t p;
		size_t n;
	} r[4] = {
		{ (uintptr_t)a->src, a->len },
		{ (uintptr_t)a->src2, a->len },
		{ (uintptr_t)a->dst, a->len },
		{ (uintptr_t)a->dst2, a->len },
	};

	switch (job->op_id) {
	case RT_OP_DELTA_CREATE: /* dst is the record */
	case RT_OP_COMPRESS:
	case RT_OP_DECOMPRESS:
		r[2].n = a->dst_len;
		break;
	case RT_OP_DELTA_APPLY: /* src is the record */
		r[0].n = a->dst_len;
		break;
	case RT_OP_DIF_INSERT:
		r[2].n = bs ? a->len / bs * (bs + 8) : 0;
		break;
	case RT_OP_DIF_STRIP:
		r[2].n = bs ? a->len / (bs + 8) * bs : 0;
		break;
	default:
		break;
	}
	for (unsigned int i = 0; i < 4; i++) {
		if (r[i].p && addr >= r[i].p && addr - r[i].p < r[i].n) {
			*lo = r[i].p;
			*hi = r[i].p + r[i].n;
			return;
		}
	}
	/* Outside every buffer (the completion record, an AECS): just its page. */
	*lo = addr & ~UINT64_C(4095);
	*hi = *lo + 4096;
}

/* A partial completion: fault in a window from the faulting page and resume. */
static void job_fault(struct svart_job *job)
{
	struct svart_ctx *ctx = job->ctx;
	uint64_t lo, hi, start, end;
	int ret;

	job->res.page_faults++;
	atomic_fetch_add_explicit(&ctx->stats.page_faults, 1, memory_order_relaxed);
	/*
	 * The retry bound is on faults without progress (a page that will not stay present):
	 * a large buffer the device meets page window by page window keeps resuming.
	 */
	if (job->off != job->fault_off || job->out_off != job->fault_out_off)
		job->fault_tries = 0;
	job->fault_off = job->off;
	job->fault_out_off = job->out_off;
	if (++job->fault_tries > ctx->opts.fault_retries) {
		if (ctx->opts.flags & SVART_CTX_NO_FALLBACK) {
			rt_job_finish(job, -EFAULT, ctx->path);
			return;
		}
		job_cpu(job, true);
		return;
	}
	job_fault_range(job, job->fault_addr, &lo, &hi);
	start = job->fault_addr & ~UINT64_C(4095);
	if (start < lo)
		start = lo;
	end = start + ctx->opts.fault_window;
	if (end > hi || end < start)
		end = hi;
	ret = ctx->ops->prefault(ctx, job->wq, (const void *)(uintptr_t)start, end - start,
				 job->fault_write);
	if (ret == -EFAULT || ret == -ENOMEM) {
		/* Not mapped, or not with that permission: a real bad address. */
		rt_job_finish(job, -EFAULT, ctx->path);
		return;
	}
	rt_job_issue(job);
}

int rt_job_poll(struct svart_job *job)
{
	enum rt_step step;
	uint8_t status;

	if (job->state == RT_JOB_DONE)
		return 0;
	if (job->state != RT_JOB_RUNNING)
		return -EINVAL;
	status = enq_poll(&job->cr.raw[0]);
	if (!status)
		return -EINPROGRESS;
	job_put_credit(job);
	job->res.dev_status = status;
	step = job->op->complete(job, job->wq, status);
	switch (step) {
	case RT_STEP_NEXT:
		if (!job->op->pending(job)) {
			rt_job_finish(job, 0, job->ctx->path);
			return 0;
		}
		rt_job_issue(job);
		break;
	case RT_STEP_DONE:
		if (job->state != RT_JOB_DONE)
			rt_job_finish(job, job->res.status, job->ctx->path);
		return 0;
	case RT_STEP_FAULT:
		job_fault(job);
		break;
	case RT_STEP_CPU:
		if (job->ctx->opts.flags & SVART_CTX_NO_FALLBACK) {
			if (!job->res.status)
				job->res.status = rt_dev_status_error(job->op->unit, status);
			rt_job_finish(job, job->res.status, job->ctx->path);
			return 0;
		}
		job_cpu(job, true);
		break;
	case RT_STEP_ERROR:
		rt_job_finish(job, job->res.status, job->ctx->path);
		return 0;
	}
	return job->state == RT_JOB_DONE ? 0 : -EINPROGRESS;
}

int rt_job_wait(struct svart_job *job, uint64_t deadline_ns)
{
	struct svart_ctx *ctx = job->ctx;
	bool serve = !(ctx->opts.flags & SVART_CTX_FAULT_THREAD);
	unsigned int spin = 0, idle = 0;
	int ret;

	for (;;) {
		ret = rt_job_poll(job);
		if (ret != -EINPROGRESS)
			return ret;
		spin++;
		/*
		 * Serve the device's page requests inline: with block-on-fault the engine is
		 * waiting for us. A poll of the fault fd is a system call per device, so without
		 * block-on-fault (page requests then only come from an unusual WQ setup) only
		 * once the wait is long; with it, every 32 spins.
		 */
		if (serve && !(spin & (ctx->opts.block_on_fault ? 31 : 1023)))
			rt_ctx_service(ctx);
		if (deadline_ns && !(spin & 255) && rt_now_ns() > deadline_ns)
			return -ETIMEDOUT;
		/* Lend this thread to the device rather than idle (sim: run its engine here). */
		if (ctx->ops->assist(ctx, job->wq, RT_ASSIST_RUN) > 0) {
			idle = 0;
			continue;
		}
		rt_idle(idle++);
	}
}

void rt_idle(unsigned int spin)
{
	if (spin < 4096) {
		enq_cpu_relax();
	} else if (spin < 16384) {
		sched_yield();
	} else {
		struct timespec ts = { 0, 20000 };

		nanosleep(&ts, NULL);
	}
}

int rt_job_run(struct svart_job *job)
{
	int ret;

	/*
	 * This thread waits until the job is done, lending itself to the device meanwhile: its
	 * submissions are announced, so a sleeping sim engine need not be woken for them.
	 */
	job->assist = true;
	ret = rt_job_submit(job);
	if (!ret)
		rt_job_wait(job, 0);
	if (job->assist_wq) {
		job->ctx->ops->assist(job->ctx, job->assist_wq, RT_ASSIST_LEAVE);
		job->assist_wq = NULL;
	}
	job->assist = false;
	return ret ? ret : job->res.status;
}

static pthread_key_t sync_key;
static pthread_once_t sync_once = PTHREAD_ONCE_INIT;

static void sync_job_free(void *job)
{
	rt_job_fini(job);
	free(job);
}

static void sync_key_create(void)
{
	pthread_key_create(&sync_key, sync_job_free);
}

struct svart_job *rt_job_sync(struct svart_ctx *ctx)
{
	static __thread struct svart_job *job;
	static __thread uint64_t job_ctx;

	if (!job) {
		pthread_once(&sync_once, sync_key_create);
		job = aligned_alloc(64, sizeof(*job));
		if (!job)
			return NULL;
		rt_job_init(job, ctx);
		pthread_setspecific(sync_key, job);
		job_ctx = 0;
	}
	if (job_ctx != ctx->id) {
		rt_job_fini(job);
		rt_job_init(job, ctx);
		/* The record must stay writable for the device: register it once. */
		ctx->ops->prefault(ctx, NULL, &job->cr, sizeof(job->cr), true);
		job_ctx = ctx->id;
	}
	return job;
}
