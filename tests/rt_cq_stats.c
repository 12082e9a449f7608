// SPDX-License-Identifier: MIT
/*
 * Context counters with completion queues: a queue counts its jobs without atomics and adds
 * them to the context's counters when reaping returns (runtime/rt_cq.c). Two threads, each with
 * its own queue, beside synchronous calls: once every job is reaped, svart_ctx_stats() must
 * hold exactly the operations, bytes, descriptors and errors the jobs' own results add up to
 * (and the hand-counted numbers of operations and bytes), not one lost or counted twice.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "svart.h"
#include "t_helpers.h"

#define THREADS 2
#define QD 8
#define ROUNDS 50
#define LEN 8192u
#define SYNC_OPS 20

static struct svart_ctx *ctx;
static void *bad_page; /* PROT_NONE: a job reading it fails with -EFAULT */

struct worker {
	pthread_t t;
	unsigned char src[QD][LEN], dst[QD][LEN];
	uint64_t ops, bytes, descriptors, errors; /* from the jobs' results */
	unsigned int sync; /* synchronous calls made */
	int fail;
};

static struct worker workers[THREADS];

static void account(struct worker *w, const struct svart_result *r, size_t len)
{
	w->ops++;
	w->bytes += len;
	w->descriptors += r->descriptors;
	w->errors += r->status != 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct svart_job *jobs[QD] = { 0 }, *got[QD];
	struct svart_cq *cq = NULL;
	int n;

	if (svart_cq_create(ctx, QD, &cq))
		goto fail;
	for (unsigned int i = 0; i < QD; i++) {
		memset(w->src[i], (int)i + 1, LEN);
		if (svart_job_alloc(ctx, &jobs[i]) ||
		    svart_prep_memmove(jobs[i], w->dst[i], w->src[i], LEN) ||
		    svart_cq_submit(cq, jobs[i]))
			goto fail;
	}
	for (unsigned int r = 0; r < ROUNDS * QD;) {
		n = svart_cq_reap(cq, got, QD, 1, -1);
		if (n <= 0)
			goto fail;
		for (int k = 0; k < n; k++, r++) {
			account(w, svart_job_result(got[k]), LEN);
			if (r + QD < ROUNDS * QD && svart_cq_submit(cq, got[k]))
				goto fail;
		}
		/* A synchronous call now and then, counted the usual way (atomics). */
		if (w->sync < SYNC_OPS) {
			w->sync++;
			if (svart_memmove(ctx, w->dst[0], w->src[0], LEN))
				goto fail;
			w->ops++;
			w->bytes += LEN;
			w->descriptors++; /* one descriptor of LEN on the device */
		}
	}
	/* One that fails: its error is counted once. */
	if (svart_prep_memmove(jobs[0], w->dst[0], bad_page, 4096) || svart_cq_submit(cq, jobs[0]))
		goto fail;
	n = svart_cq_reap(cq, got, QD, 1, -1);
	if (n != 1 || svart_job_result(got[0])->status != -EFAULT)
		goto fail;
	account(w, svart_job_result(got[0]), 4096);
	if (svart_cq_inflight(cq))
		goto fail;
	for (unsigned int i = 1; i < QD; i++)
		if (memcmp(w->dst[i], w->src[i], LEN))
			goto fail;
	goto out;
fail:
	w->fail = 1;
out:
	svart_cq_destroy(cq);
	for (unsigned int i = 0; i < QD; i++)
		svart_job_free(jobs[i]);
	return NULL;
}

int main(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1,
				    .flags = SVART_CTX_NO_FALLBACK };
	struct svart_stats s0 = { .size = sizeof(s0) }, s1 = { .size = sizeof(s1) };
	uint64_t ops = 0, bytes = 0, descs = 0, errors = 0;
	int ret;

	ret = svart_ctx_create(&o, &ctx);
	if (ret == -ENODEV)
		T_SKIP("no sim context");
	T_EQ(ret, 0);
	if (ret)
		return t_done("rt_cq_stats");
	bad_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(bad_page != MAP_FAILED);
	T_EQ(svart_ctx_stats(ctx, &s0), 0);
	for (unsigned int i = 0; i < THREADS; i++)
		T_EQ(pthread_create(&workers[i].t, NULL, worker_main, &workers[i]), 0);
	for (unsigned int i = 0; i < THREADS; i++) {
		pthread_join(workers[i].t, NULL);
		T_EQ(workers[i].fail, 0);
		ops += workers[i].ops;
		bytes += workers[i].bytes;
		descs += workers[i].descriptors;
		errors += workers[i].errors;
	}
	T_EQ(svart_ctx_stats(ctx, &s1), 0);
	/* Hand count: every job and sync call, plus the failing job of each thread. */
	T_EQ(ops, (uint64_t)THREADS * (ROUNDS * QD + SYNC_OPS + 1));
	T_EQ(bytes, (uint64_t)THREADS * ((ROUNDS * QD + SYNC_OPS) * (uint64_t)LEN + 4096));
	T_EQ(errors, (uint64_t)THREADS);
	T_EQ(s1.path[SVART_PATH_SIM].ops - s0.path[SVART_PATH_SIM].ops, ops);
	T_EQ(s1.path[SVART_PATH_SIM].bytes - s0.path[SVART_PATH_SIM].bytes, bytes);
	T_EQ(s1.path[SVART_PATH_CPU].ops - s0.path[SVART_PATH_CPU].ops, 0);
	T_EQ(s1.descriptors - s0.descriptors, descs);
	T_EQ(s1.errors - s0.errors, errors);
	munmap(bad_page, 4096);
	svart_ctx_destroy(ctx);
	return t_done("rt_cq_stats");
}
