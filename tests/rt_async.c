// SPDX-License-Identifier: MIT
/*
 * Asynchronous use of the runtime under load, on a sim platform with three devices:
 *   dsa0: the default DSA (a shared and a dedicated WQ), iax1, and dsa2 whose only WQ is a
 *   shared WQ of one entry served by one engine (so it is full most of the time).
 * Covered: one job's prep/submit/poll/wait/result (path, value, mismatch), batches of 2..32
 * DSA jobs that go down as one BATCH descriptor and mixed DSA+IAA batches that go job by job,
 * two threads each reaping thousands of jobs from its own completion queue, the full shared
 * WQ with and without SVART_CTX_NO_FALLBACK, and the CPU platform.
 * References: a bitwise CRC-32C and CRC-64/XZ built here, memcmp, published check values.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svart.h"
#include "tests/t_helpers.h"
#include "tests/t_ref.h"

#define SIM_CONFIG                                                                     \
	"dsa node=0 engines=1 wq=shared:64 wq=dedicated:32; iax node=0 wq=shared:64; " \
	"dsa node=0 engines=1 wq=shared:1"

/* CRC-64/XZ, bitwise, reflected polynomial 0xC96C5795D7870F42. */
static uint64_t ref_crc64_xz(const uint8_t *p, size_t n)
{
	uint64_t c = ~0ull;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xC96C5795D7870F42ull : c >> 1;
	}
	return ~c;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static struct svart_ctx *new_ctx(enum svart_platform plat, uint32_t flags, const char *devices,
				 uint32_t retries)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = plat,
				    .flags = flags,
				    .cpu_threshold = 1,
				    .enqcmd_retries = retries,
				    .devices = devices };
	struct svart_ctx *ctx = NULL;
	int ret = svart_ctx_create(&o, &ctx);

	if (ret) {
		fprintf(stderr, "svart_ctx_create(%s): %s\n", svart_platform_name(plat),
			svart_strerror(ret));
		return NULL;
	}
	return ctx;
}

static struct svart_stats stats(struct svart_ctx *ctx)
{
	struct svart_stats st = { .size = sizeof(st) };

	svart_ctx_stats(ctx, &st);
	return st;
}

/* ---- one job ------------------------------------------------------------------------------ */

static void test_job(struct svart_ctx *ctx)
{
	static const char check[] = "123456789";
	size_t n = 64 << 10;
	uint8_t *a = malloc(n), *b = malloc(n);
	const struct svart_result *r;
	struct svart_job *job;
	int ret;

	T_RET(0, svart_job_alloc(ctx, &job));
	T_RET(EINVAL, svart_poll(job)); /* never submitted */
	T_RET(EINVAL, svart_wait(job, 0));
	T_RET(EINVAL, svart_submit(job)); /* nothing prepared */

	/* The published check value, on the device (cpu_threshold = 1). */
	T_RET(0, svart_prep_crc32c(job, check, 9, 0));
	svart_job_set_data(job, (void *)check);
	T_CHECK(svart_job_data(job) == check);
	T_RET(0, svart_submit(job));
	T_RET(0, svart_wait(job, -1));
	r = svart_job_result(job);
	T_EQ(r->status, 0);
	T_EQ(r->path, SVART_PATH_SIM);
	T_EQ(r->value, 0xE3069283u);
	T_EQ(r->bytes, 9);
	T_CHECK(r->descriptors >= 1);

	/* Poll until done: memmove of 64 KiB, then memcmp with a planted difference. */
	fill(a, n, 1);
	memset(b, 0, n);
	T_RET(0, svart_prep_memmove(job, b, a, n));
	T_RET(0, svart_submit(job));
	for (unsigned long spins = 0; (ret = svart_poll(job)) == -EINPROGRESS; spins++)
		if (spins > (1ul << 32))
			break;
	T_EQ(ret, 0);
	T_EQ(svart_job_result(job)->status, 0);
	T_EQ(svart_job_result(job)->path, SVART_PATH_SIM);
	T_CHECK(!memcmp(a, b, n));

	b[40000] ^= 0x10;
	T_RET(0, svart_prep_memcmp(job, a, b, n));
	T_RET(0, svart_submit(job));
	T_RET(0, svart_wait(job, 10ll * 1000000000));
	r = svart_job_result(job);
	T_EQ(r->status, 0);
	T_EQ(r->result, 1);
	T_EQ(r->value, 40000);
	T_EQ(r->path, SVART_PATH_SIM);
	/* Argument errors come from prep, and a bad prep leaves nothing to submit twice. */
	T_RET(EINVAL, svart_prep_memmove(job, NULL, a, n));
	T_RET(EINVAL, svart_prep_copy_crc32c(job, a + 1, a, n - 1, 0));

	/* A finished job polls as finished again; freeing NULL is harmless. */
	T_RET(0, svart_poll(job));
	svart_job_free(job);
	svart_job_free(NULL);
	free(a);
	free(b);
}

/* ---- batches ------------------------------------------------------------------------------ */

#define BATCH_JOBS 32
#define BATCH_LEN 4096

/* 2..32 memmove/crc32c jobs: one BATCH descriptor, every job checked. */
static void test_batch_dsa(struct svart_ctx *ctx)
{
	uint8_t *src = malloc(BATCH_JOBS * BATCH_LEN), *dst = malloc(BATCH_JOBS * BATCH_LEN);
	struct svart_job *jobs[BATCH_JOBS];
	struct svart_batch *b;

	for (unsigned int i = 0; i < BATCH_JOBS; i++)
		T_RET(0, svart_job_alloc(ctx, &jobs[i]));
	T_RET(0, svart_batch_alloc(ctx, BATCH_JOBS, &b));
	/* Registered up front so the counts below are not disturbed by fault resumes. */
	svart_as_prefault(ctx, src, BATCH_JOBS * BATCH_LEN, 0);
	svart_as_prefault(ctx, dst, BATCH_JOBS * BATCH_LEN, 1);

	for (unsigned int n = 2; n <= BATCH_JOBS; n = n < 8 ? n + 1 : n * 2) {
		struct svart_stats before, after;
		uint64_t descs = 0;
		int ret;

		fill(src, (size_t)n * BATCH_LEN, n);
		memset(dst, 0, (size_t)n * BATCH_LEN);
		T_RET(0, svart_batch_reset(b));
		for (unsigned int i = 0; i < n; i++) {
			uint8_t *s = src + (size_t)i * BATCH_LEN, *d = dst + (size_t)i * BATCH_LEN;

			if (i % 2)
				T_RET(0, svart_prep_crc32c(jobs[i], s, BATCH_LEN, i));
			else
				T_RET(0, svart_prep_memmove(jobs[i], d, s, BATCH_LEN));
			T_RET(0, svart_batch_add(b, jobs[i]));
		}
		before = stats(ctx);
		T_RET(0, svart_batch_submit(b));
		T_RET(EBUSY, svart_batch_submit(b));
		T_RET(EBUSY, svart_batch_add(b, jobs[0]));
		ret = svart_batch_wait(b, 10ll * 1000000000);
		T_EQ(ret, 0);
		after = stats(ctx);
		for (unsigned int i = 0; i < n; i++) {
			const struct svart_result *r = svart_job_result(jobs[i]);
			uint8_t *s = src + (size_t)i * BATCH_LEN, *d = dst + (size_t)i * BATCH_LEN;

			T_EQ(r->status, 0);
			T_EQ(r->path, SVART_PATH_SIM);
			descs += r->descriptors;
			if (i % 2)
				T_EQ(r->value, t_crc32c(s, BATCH_LEN, i));
			else
				T_CHECK(!memcmp(s, d, BATCH_LEN));
		}
		/*
		 * One submission carried them all: the BATCH descriptor is the only one that
		 * went through the portal, each job's own descriptor came from its list.
		 */
		T_EQ(after.descriptors - before.descriptors, 1);
		T_EQ(descs, n);
	}
	/* Full, and the bad input next to the good. */
	T_RET(ENOSPC, svart_batch_add(b, jobs[0]));
	T_RET(0, svart_batch_reset(b));
	T_RET(EINVAL, svart_batch_submit(b));
	svart_batch_free(b);
	for (unsigned int i = 0; i < BATCH_JOBS; i++)
		svart_job_free(jobs[i]);
	free(src);
	free(dst);
}

/* DSA and IAA jobs in one batch: no BATCH descriptor, each job on its own unit. */
static void test_batch_mixed(struct svart_ctx *ctx)
{
	enum { N = 8 };
	uint8_t *src = malloc(N * BATCH_LEN), *dst = malloc(N * BATCH_LEN);
	const uint64_t xz = 0x42F0E1EBA9EA3693ull;
	struct svart_job *jobs[N];
	struct svart_stats before, after;
	struct svart_batch *b;
	uint64_t descs = 0;

	fill(src, N * BATCH_LEN, 77);
	memset(dst, 0, N * BATCH_LEN);
	svart_as_prefault(ctx, src, N * BATCH_LEN, 0);
	svart_as_prefault(ctx, dst, N * BATCH_LEN, 1);
	T_RET(0, svart_batch_alloc(ctx, N, &b));
	for (unsigned int i = 0; i < N; i++) {
		uint8_t *s = src + i * BATCH_LEN, *d = dst + i * BATCH_LEN;

		T_RET(0, svart_job_alloc(ctx, &jobs[i]));
		if (i % 2)
			T_RET(0, svart_prep_crc64(jobs[i], s, BATCH_LEN, xz,
						  SVART_CRC64_REFLECT | SVART_CRC64_INVERT));
		else
			T_RET(0, svart_prep_memmove(jobs[i], d, s, BATCH_LEN));
		T_RET(0, svart_batch_add(b, jobs[i]));
	}
	before = stats(ctx);
	T_RET(0, svart_batch_submit(b));
	T_RET(0, svart_batch_wait(b, 10ll * 1000000000));
	after = stats(ctx);
	for (unsigned int i = 0; i < N; i++) {
		const struct svart_result *r = svart_job_result(jobs[i]);
		uint8_t *s = src + i * BATCH_LEN, *d = dst + i * BATCH_LEN;

		T_EQ(r->status, 0);
		T_EQ(r->path, SVART_PATH_SIM);
		descs += r->descriptors;
		if (i % 2)
			T_EQ(r->value, ref_crc64_xz(s, BATCH_LEN));
		else
			T_CHECK(!memcmp(s, d, BATCH_LEN));
	}
	T_EQ(after.descriptors - before.descriptors, descs);
	svart_batch_free(b);
	for (unsigned int i = 0; i < N; i++)
		svart_job_free(jobs[i]);
	free(src);
	free(dst);
}

/* ---- completion queues from two threads --------------------------------------------------- */

#define CQ_JOBS 5000u
#define CQ_SLOTS 128u
#define CQ_LEN 4096u

struct cq_thread {
	struct svart_ctx *ctx;
	unsigned int id;
	unsigned int done, bad, sim;
	int err;
};

/* What job @seq computes: even sequence numbers move, odd ones take a CRC. */
struct cq_slot {
	unsigned int seq;
	struct svart_job *job;
	uint8_t *src, *dst;
};

static unsigned int cq_check(struct cq_thread *t, struct cq_slot *s)
{
	const struct svart_result *r = svart_job_result(s->job);
	uint8_t ref[CQ_LEN];

	if (r->path == SVART_PATH_SIM)
		t->sim++;
	fill(ref, CQ_LEN, t->id * CQ_JOBS + s->seq);
	if (r->status || memcmp(s->src, ref, CQ_LEN))
		return 1;
	if (s->seq % 2)
		return r->value != t_crc32c(ref, CQ_LEN, s->seq);
	return memcmp(s->dst, ref, CQ_LEN) != 0;
}

static int cq_prep(struct cq_thread *t, struct cq_slot *s, unsigned int seq)
{
	s->seq = seq;
	fill(s->src, CQ_LEN, t->id * CQ_JOBS + seq);
	memset(s->dst, 0, CQ_LEN);
	if (seq % 2)
		return svart_prep_crc32c(s->job, s->src, CQ_LEN, seq);
	return svart_prep_memmove(s->job, s->dst, s->src, CQ_LEN);
}

static void *cq_thread_fn(void *arg)
{
	struct cq_thread *t = arg;
	struct cq_slot *slots = calloc(CQ_SLOTS, sizeof(*slots));
	uint8_t *mem = malloc((size_t)CQ_SLOTS * CQ_LEN * 2);
	struct svart_job *reaped[32];
	unsigned int next = 0;
	struct svart_cq *cq;
	int ret;

	if (!slots || !mem || svart_cq_create(t->ctx, CQ_SLOTS, &cq)) {
		t->err = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < CQ_SLOTS; i++) {
		slots[i].src = mem + (size_t)i * 2 * CQ_LEN;
		slots[i].dst = slots[i].src + CQ_LEN;
		if (svart_job_alloc(t->ctx, &slots[i].job)) {
			t->err = -ENOMEM;
			goto out_free;
		}
		svart_job_set_data(slots[i].job, &slots[i]);
	}
	/* Fill the queue, then refill each slot as soon as its job is reaped and checked. */
	for (; next < CQ_SLOTS; next++) {
		ret = cq_prep(t, &slots[next], next);
		if (!ret)
			ret = svart_cq_submit(cq, slots[next].job);
		if (ret) {
			t->err = ret;
			goto out_free;
		}
	}
	if (svart_cq_submit(cq, slots[0].job) != -EBUSY)
		t->err = -EPROTO;
	while (svart_cq_inflight(cq)) {
		int n = svart_cq_reap(cq, reaped, 32, 1, 10ll * 1000000000);

		if (n <= 0) {
			t->err = n ? n : -ETIMEDOUT;
			break;
		}
		for (int i = 0; i < n; i++) {
			struct cq_slot *s = svart_job_data(reaped[i]);

			t->bad += cq_check(t, s);
			t->done++;
			if (next < CQ_JOBS) {
				ret = cq_prep(t, s, next++);
				if (!ret)
					ret = svart_cq_submit(cq, s->job);
				if (ret && !t->err)
					t->err = ret;
			}
		}
	}
out_free:
	svart_cq_destroy(cq);
	for (unsigned int i = 0; i < CQ_SLOTS; i++)
		svart_job_free(slots[i].job);
out:
	free(mem);
	free(slots);
	return NULL;
}

static void test_cq_two_threads(struct svart_ctx *ctx)
{
	struct cq_thread t[2] = { { .ctx = ctx, .id = 0 }, { .ctx = ctx, .id = 1 } };
	struct svart_stats before = stats(ctx), after;
	pthread_t th[2];

	for (int i = 0; i < 2; i++)
		T_RET(0, pthread_create(&th[i], NULL, cq_thread_fn, &t[i]));
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	after = stats(ctx);
	for (int i = 0; i < 2; i++) {
		T_EQ(t[i].err, 0);
		T_EQ(t[i].done, CQ_JOBS); /* none lost */
		T_EQ(t[i].bad, 0); /* every result right */
		T_CHECK(t[i].sim > 0); /* and the device did (most of) them */
	}
	T_EQ(after.errors - before.errors, 0);
	printf("cq: 2 x %u jobs, %u + %u on sim, %llu descriptors, %llu retries, %llu on cpu\n",
	       CQ_JOBS, t[0].sim, t[1].sim,
	       (unsigned long long)(after.descriptors - before.descriptors),
	       (unsigned long long)(after.enqcmd_retries - before.enqcmd_retries),
	       (unsigned long long)(after.cpu_fallbacks - before.cpu_fallbacks));

	/* Bad input next to the good. */
	struct svart_cq *cq;

	T_RET(EINVAL, svart_cq_create(ctx, 0, &cq));
	T_RET(EINVAL, svart_cq_create(ctx, 65537, &cq));
	T_RET(0, svart_cq_create(ctx, 1, &cq));
	T_EQ(svart_cq_inflight(cq), 0);
	T_RET(EINVAL, svart_cq_reap(cq, NULL, 1, 0, 0));
	svart_cq_destroy(cq);
}

/* ---- a full shared WQ --------------------------------------------------------------------- */

#define FULL_JOBS 48
#define FULL_LEN (256u << 10)

/*
 * dsa2 has one engine and a shared WQ of one entry: a burst of 48 jobs finds it full. With
 * NO_FALLBACK the jobs that found no room end with -EAGAIN (nothing lost, nothing half-written
 * reported as done); resubmitted, they all get through. With fallback they finish on the CPU.
 */
static void test_full_wq(struct svart_ctx *ctx_nofb, struct svart_ctx *ctx_fb)
{
	uint8_t *src = malloc((size_t)FULL_JOBS * FULL_LEN),
		*dst = malloc((size_t)FULL_JOBS * FULL_LEN);
	struct svart_job *jobs[FULL_JOBS];
	struct svart_stats before, after;
	unsigned int ok = 0, again = 0, other = 0, rounds = 0;

	fill(src, (size_t)FULL_JOBS * FULL_LEN, 5);
	svart_as_prefault(ctx_nofb, src, (size_t)FULL_JOBS * FULL_LEN, 0);
	svart_as_prefault(ctx_nofb, dst, (size_t)FULL_JOBS * FULL_LEN, 1);

	/* No fallback: -EAGAIN for some, then retried until every job is done. */
	memset(dst, 0, (size_t)FULL_JOBS * FULL_LEN);
	before = stats(ctx_nofb);
	for (int i = 0; i < FULL_JOBS; i++) {
		T_RET(0, svart_job_alloc(ctx_nofb, &jobs[i]));
		T_RET(0, svart_prep_memmove(jobs[i], dst + (size_t)i * FULL_LEN,
					    src + (size_t)i * FULL_LEN, FULL_LEN));
		T_RET(0, svart_submit(jobs[i]));
	}
	for (int i = 0; i < FULL_JOBS; i++) {
		int st;

		T_RET(0, svart_wait(jobs[i], 10ll * 1000000000));
		st = svart_job_result(jobs[i])->status;
		if (!st)
			ok++;
		else if (st == -EAGAIN)
			again++;
		else
			other++;
		if (!st)
			T_EQ(svart_job_result(jobs[i])->path, SVART_PATH_SIM);
	}
	after = stats(ctx_nofb);
	T_EQ(ok + again, FULL_JOBS);
	T_EQ(other, 0);
	T_CHECK(after.enqcmd_retries > before.enqcmd_retries);
	T_EQ(after.cpu_fallbacks, before.cpu_fallbacks);
	T_EQ(after.path[SVART_PATH_CPU].ops, before.path[SVART_PATH_CPU].ops);
	printf("full WQ, no fallback: %u done, %u -EAGAIN, %llu retries\n", ok, again,
	       (unsigned long long)(after.enqcmd_retries - before.enqcmd_retries));
	/* Resubmit the ones that found no room, one at a time, until all are done. */
	for (bool left = again; left && rounds < 1000; rounds++) {
		left = false;
		for (int i = 0; i < FULL_JOBS; i++) {
			if (svart_job_result(jobs[i])->status != -EAGAIN)
				continue;
			svart_submit(jobs[i]);
			svart_wait(jobs[i], 10ll * 1000000000);
			if (svart_job_result(jobs[i])->status)
				left = true;
		}
	}
	for (int i = 0; i < FULL_JOBS; i++)
		T_EQ(svart_job_result(jobs[i])->status, 0);
	T_CHECK(!memcmp(src, dst, (size_t)FULL_JOBS * FULL_LEN));

	/* With fallback: everything done, the overflow on the CPU. */
	memset(dst, 0, (size_t)FULL_JOBS * FULL_LEN);
	before = stats(ctx_fb);
	for (int i = 0; i < FULL_JOBS; i++) {
		svart_job_free(jobs[i]);
		T_RET(0, svart_job_alloc(ctx_fb, &jobs[i]));
		T_RET(0, svart_prep_memmove(jobs[i], dst + (size_t)i * FULL_LEN,
					    src + (size_t)i * FULL_LEN, FULL_LEN));
		T_RET(0, svart_submit(jobs[i]));
	}
	ok = 0;
	for (int i = 0; i < FULL_JOBS; i++) {
		T_RET(0, svart_wait(jobs[i], 10ll * 1000000000));
		T_EQ(svart_job_result(jobs[i])->status, 0);
		ok += svart_job_result(jobs[i])->path == SVART_PATH_CPU;
	}
	after = stats(ctx_fb);
	T_CHECK(!memcmp(src, dst, (size_t)FULL_JOBS * FULL_LEN));
	T_CHECK(after.cpu_fallbacks > before.cpu_fallbacks);
	T_EQ(after.cpu_fallbacks - before.cpu_fallbacks, ok);
	T_CHECK(after.path[SVART_PATH_SIM].ops > before.path[SVART_PATH_SIM].ops);
	printf("full WQ, fallback: %u of %d on the CPU\n", ok, FULL_JOBS);
	for (int i = 0; i < FULL_JOBS; i++)
		svart_job_free(jobs[i]);
	free(src);
	free(dst);
}

/* ---- the CPU platform --------------------------------------------------------------------- */

static void test_cpu_platform(void)
{
	struct svart_ctx *ctx = new_ctx(SVART_PLATFORM_CPU, 0, NULL, 0);
	size_t n = 1 << 20;
	uint8_t *a = malloc(n), *b = calloc(1, n);
	struct svart_job *job;
	struct svart_batch *bt;
	struct svart_stats st;

	T_CHECK(ctx != NULL);
	if (!ctx)
		return;
	T_EQ(svart_ctx_platform(ctx), SVART_PLATFORM_CPU);
	fill(a, n, 9);
	T_RET(0, svart_job_alloc(ctx, &job));
	T_RET(0, svart_prep_memmove(job, b, a, n));
	T_RET(0, svart_submit(job));
	T_RET(0, svart_poll(job)); /* the CPU finishes at submit */
	T_EQ(svart_job_result(job)->path, SVART_PATH_CPU);
	T_EQ(svart_job_result(job)->descriptors, 0);
	T_CHECK(!memcmp(a, b, n));
	T_RET(0, svart_prep_crc32c(job, "123456789", 9, 0));
	T_RET(0, svart_submit(job));
	T_RET(0, svart_wait(job, 0));
	T_EQ(svart_job_result(job)->value, 0xE3069283u);
	T_EQ(svart_job_result(job)->path, SVART_PATH_CPU);
	/* A batch of DSA jobs has no device to go to. */
	T_RET(0, svart_batch_alloc(ctx, 4, &bt));
	T_RET(0, svart_batch_add(bt, job));
	T_RET(0, svart_batch_submit(bt));
	T_RET(0, svart_batch_wait(bt, -1));
	T_EQ(svart_job_result(job)->path, SVART_PATH_CPU);
	T_EQ(svart_job_result(job)->value, 0xE3069283u);
	svart_batch_free(bt);
	st = stats(ctx);
	T_EQ(st.descriptors, 0);
	T_EQ(st.path[SVART_PATH_SIM].ops, 0);
	T_EQ(st.path[SVART_PATH_CPU].ops, 3);
	T_EQ(st.cpu_fallbacks, 0);
	svart_job_free(job);
	svart_ctx_destroy(ctx);
	free(a);
	free(b);
}

int main(void)
{
	struct svart_ctx *ctx, *full_nofb, *full_fb;

	t_crc32c_init();
	/* The sim platform is made at the first sim context: its configuration goes first. */
	setenv("SVART_SIM_CONFIG", SIM_CONFIG, 1);
	ctx = new_ctx(SVART_PLATFORM_SIM, 0, "dsa0,iax1", 0);
	full_nofb = new_ctx(SVART_PLATFORM_SIM, SVART_CTX_NO_FALLBACK, "dsa2", 2);
	full_fb = new_ctx(SVART_PLATFORM_SIM, 0, "dsa2", 2);
	if (!ctx || !full_nofb || !full_fb) {
		fprintf(stderr, "cannot create the sim contexts\n");
		return T_EXIT_FAIL;
	}
	printf("%s\n", svart_ctx_describe(ctx));
	printf("%s\n", svart_ctx_describe(full_nofb));

	test_job(ctx);
	test_batch_dsa(ctx);
	test_batch_mixed(ctx);
	test_cq_two_threads(ctx);
	test_full_wq(full_nofb, full_fb);
	test_cpu_platform();

	svart_ctx_destroy(full_fb);
	svart_ctx_destroy(full_nofb);
	svart_ctx_destroy(ctx);
	return t_done("rt_async");
}
