// SPDX-License-Identifier: MIT
/*
 * Contexts created one after another in one process: a context made after another was
 * destroyed often gets the same address, and must start from nothing the first one left in
 * per-thread caches (placement once kept WQ pointers keyed by the context's address: the
 * second context then submitted to the first one's freed WQs, -EAGAIN or a crash). Each
 * round destroys the context, creates one on another device set, and checks that a memmove
 * and a compress run on the device (no CPU fallback allowed) with the right result, from the
 * main thread and from a thread that outlives every context.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "svart.h"
#include "tests/t_helpers.h"

#define SIM_CONFIG "dsa node=0 wq=shared:16; dsa node=0 wq=shared:16; iax node=0 wq=shared:16"
#define ROUNDS 12
#define LEN 65536

static uint8_t src[LEN], dst[LEN], comp[LEN * 2], back[LEN];

/* One round's two operations on @ctx; every one must finish on the device path. */
static void round_ops(struct svart_ctx *ctx, int round, uint64_t ops_before)
{
	struct svart_stats st = { .size = sizeof(st) };
	uLongf back_len = sizeof(back);
	size_t out = 0;

	for (size_t i = 0; i < LEN; i++)
		src[i] = (uint8_t)("svart context cycle "[i % 20] + round);
	memset(dst, 0, sizeof(dst));
	T_RET(0, svart_memmove(ctx, dst, src, LEN));
	T_CHECK(!memcmp(dst, src, LEN));
	T_RET(0, svart_compress(ctx, comp, sizeof(comp), src, LEN, SVART_COMP_ZLIB, &out));
	T_CHECK(out > 0 && uncompress(back, &back_len, comp, out) == Z_OK);
	T_CHECK(back_len == LEN && !memcmp(back, src, LEN));
	T_RET(0, svart_ctx_stats(ctx, &st));
	T_EQ(st.path[SVART_PATH_SIM].ops, ops_before + 2);
	T_EQ(st.path[SVART_PATH_CPU].ops, 0);
}

static struct svart_ctx *make(int round)
{
	/* Alternate device sets so the WQ lists differ between neighbours. */
	static const char *const devs[] = { "dsa0,iax2", "dsa1,iax2", "" };
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1,
				    .flags = SVART_CTX_NO_FALLBACK,
				    .devices = devs[round % 3] };
	struct svart_ctx *ctx = NULL;
	int ret = svart_ctx_create(&o, &ctx);

	if (ret) {
		fprintf(stderr, "round %d: svart_ctx_create: %s\n", round, svart_strerror(ret));
		T_CHECK(!"svart_ctx_create");
		return NULL;
	}
	return ctx;
}

struct worker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct svart_ctx *ctx; /* the context to use next, NULL to stop */
	int round, done;
};

/* A thread that lives across every context: its per-thread caches see all of them. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->done == w->round && w->ctx)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->ctx)
			break;
		round_ops(w->ctx, w->round, 2);
		w->done = w->round;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int main(void)
{
	struct worker w = { .lock = PTHREAD_MUTEX_INITIALIZER,
			    .cond = PTHREAD_COND_INITIALIZER,
			    .done = -1,
			    .round = -1 };
	struct svart_ctx *first;
	pthread_t th;

	setenv("SVART_SIM_CONFIG", SIM_CONFIG, 1);
	first = make(0);
	if (!first)
		return t_done("rt_ctx_cycle");
	w.ctx = first;
	if (pthread_create(&th, NULL, worker_main, &w)) {
		svart_ctx_destroy(first);
		T_CHECK(!"pthread_create");
		return t_done("rt_ctx_cycle");
	}
	round_ops(first, 0, 0);
	svart_ctx_destroy(first);

	for (int r = 0; r < ROUNDS; r++) {
		struct svart_ctx *ctx = make(r);

		if (!ctx)
			break;
		round_ops(ctx, r, 0);
		/* The worker runs the same round on this context, then waits. */
		pthread_mutex_lock(&w.lock);
		w.ctx = ctx;
		w.round = r;
		pthread_cond_broadcast(&w.cond);
		while (w.done != r)
			pthread_cond_wait(&w.cond, &w.lock);
		pthread_mutex_unlock(&w.lock);
		svart_ctx_destroy(ctx);
	}
	pthread_mutex_lock(&w.lock);
	w.ctx = NULL;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(th, NULL);
	return t_done("rt_ctx_cycle");
}
