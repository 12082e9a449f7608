// SPDX-License-Identifier: MIT
/*
 * The CPU "platform": no device; every operation runs on svart's CPU path. What a context
 * gets with SVART_PLATFORM=cpu, and the baseline the benchmarks compare against.
 */
#include "runtime/rt_internal.h"

#include <errno.h>

static int cpu_open(struct svart_ctx *ctx)
{
	rt_ctx_explain(ctx, "cpu: no device, every operation runs on the CPU.");
	return 0;
}

static void cpu_close(struct svart_ctx *ctx)
{
}

static int cpu_prefault(struct svart_ctx *ctx, struct rt_wq *wq, const void *addr, size_t len,
			bool write)
{
	return -EOPNOTSUPP;
}

const struct rt_platform_ops rt_platform_cpu = {
	.name = "cpu",
	.platform = SVART_PLATFORM_CPU,
	.path = SVART_PATH_CPU,
	.open = cpu_open,
	.close = cpu_close,
	.service = rt_plat_eopnotsupp_service,
	.prefault = cpu_prefault,
	.invalidate = rt_plat_eopnotsupp_invalidate,
	.assist = rt_plat_eopnotsupp_assist,
};
