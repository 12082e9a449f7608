// SPDX-License-Identifier: MIT
/*
 * The CPU threshold: operations smaller than it run on the CPU. Unset, each unit has its
 * platform's default (DSA 8 KiB, IAA 4 KiB on sim, idxd and vfio: docs/API.md); set through
 * svart_ctx_opts.cpu_threshold or SVART_CPU_THRESHOLD, one value holds for every unit. The
 * path each operation took is read from svart_ctx_stats().
 */
#include <stdlib.h>
#include <string.h>

#include "svart.h"
#include "tests/t_helpers.h"

static uint8_t src[16384], dst[16384], comp[32768];

/* Run a memmove and a compress of the given sizes; count what went to the CPU. */
static void run(struct svart_ctx *ctx, size_t move_len, size_t comp_len, uint64_t *cpu_ops,
		uint64_t *sim_ops)
{
	struct svart_stats st = { .size = sizeof(st) };
	size_t out;

	T_RET(0, svart_memmove(ctx, dst, src, move_len));
	T_CHECK(!memcmp(dst, src, move_len));
	T_RET(0, svart_compress(ctx, comp, sizeof(comp), src, comp_len, SVART_COMP_RAW, &out));
	T_RET(0, svart_ctx_stats(ctx, &st));
	*cpu_ops = st.path[SVART_PATH_CPU].ops;
	*sim_ops = st.path[SVART_PATH_SIM].ops;
}

static struct svart_ctx *make(uint32_t threshold)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = threshold };
	struct svart_ctx *ctx = NULL;
	int ret = svart_ctx_create(&o, &ctx);

	if (ret)
		fprintf(stderr, "svart_ctx_create: %s\n", svart_strerror(ret));
	T_RET(0, ret);
	return ctx;
}

int main(void)
{
	struct svart_ctx *ctx;
	uint64_t cpu, sim;

	unsetenv("SVART_CPU_THRESHOLD");
	unsetenv("SVART_SIM_CONFIG");
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t) "threshold test text "[i % 20];

	/* Defaults: an 8191-byte memmove and a 4095-byte compress are CPU work... */
	ctx = make(0);
	if (!ctx)
		return t_done("rt_threshold");
	run(ctx, 8191, 4095, &cpu, &sim);
	T_EQ(cpu, 2);
	T_EQ(sim, 0);
	/* ...an 8 KiB memmove and a 4 KiB compress are the device's. */
	run(ctx, 8192, 4096, &cpu, &sim);
	T_EQ(cpu, 2);
	T_EQ(sim, 2);
	/* A 4 KiB memmove stays below DSA's threshold even though IAA takes 4 KiB. */
	run(ctx, 4096, 4096, &cpu, &sim);
	T_EQ(cpu, 3);
	T_EQ(sim, 3);
	svart_ctx_destroy(ctx);

	/* An explicit threshold holds for both units. */
	ctx = make(1);
	if (ctx) {
		run(ctx, 64, 64, &cpu, &sim);
		T_EQ(cpu, 0);
		T_EQ(sim, 2);
		svart_ctx_destroy(ctx);
	}
	ctx = make(16384);
	if (ctx) {
		run(ctx, 16383, 16383, &cpu, &sim);
		T_EQ(cpu, 2);
		T_EQ(sim, 0);
		svart_ctx_destroy(ctx);
	}
	/* The environment, when the options leave it 0. */
	setenv("SVART_CPU_THRESHOLD", "2", 1);
	ctx = make(0);
	if (ctx) {
		run(ctx, 2, 2, &cpu, &sim);
		T_EQ(sim, 2);
		run(ctx, 1, 1, &cpu, &sim);
		T_EQ(cpu, 2);
		svart_ctx_destroy(ctx);
	}
	return t_done("rt_threshold");
}
