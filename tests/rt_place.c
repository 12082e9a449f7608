// SPDX-License-Identifier: MIT
/*
 * Placement on a two-node sim configuration: dsa0 and dsa2 on node 0, dsa1 and iax3 on
 * node 1. rt_place_order() must put the WQs of the asked node first (keeping the context's
 * order among equals), rt_place_pick() must rotate over the nearest WQs only, and operations
 * must reach only the WQs pick chose. The expected orders are written out by hand from the
 * configuration; the host's own node count does not matter (a node the machine lacks is
 * remote from every other node, the same node is always nearest). With
 * SVART_CTX_PLACE_BY_BUFFER the source buffer's node decides instead (see by_buffer()).
 */
#include <errno.h>
#include <numa.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_internal.h"
#include "svart.h"
#include "tests/t_helpers.h"

#define SIM_CONFIG                                                                    \
	"dsa node=0 wq=shared:16; dsa node=1 wq=shared:16; dsa node=0 wq=shared:16; " \
	"iax node=1 wq=shared:16"

static const char *dev_of(const struct rt_wq *wq, char *buf, size_t n)
{
	const char *slash = strchr(wq->name, '/');
	size_t len = slash ? (size_t)(slash - wq->name) : strlen(wq->name);

	snprintf(buf, n, "%.*s", (int)len, wq->name);
	return buf;
}

/* The device names of the order for @node, comma separated. */
static const char *order_str(struct svart_ctx *ctx, enum rt_unit unit, int node, char *out,
			     size_t n)
{
	struct rt_wq *wqs[RT_MAX_WQS];
	unsigned int nr = rt_place_order(ctx, unit, node, wqs, RT_MAX_WQS);
	size_t at = 0;

	out[0] = 0;
	for (unsigned int i = 0; i < nr && at < n; i++) {
		char dev[40];

		at += (size_t)snprintf(out + at, n - at, "%s%s", i ? "," : "",
				       dev_of(wqs[i], dev, sizeof(dev)));
	}
	return out;
}

static int host_node(void)
{
	int cpu = sched_getcpu();

	if (cpu < 0 || numa_available() < 0)
		return 0;
	return numa_node_of_cpu(cpu);
}

/* The test's view of where memory is: [far_lo, far_hi) on node 1, the rest on node 0. */
static uintptr_t far_lo, far_hi;
static unsigned int mem_node_calls;

static int fake_mem_node(const void *buf)
{
	mem_node_calls++;
	return (uintptr_t)buf >= far_lo && (uintptr_t)buf < far_hi ? 1 : 0;
}

/* Descriptors each DSA WQ of @ctx took while @n memmoves from @src ran. */
static void count_moves(struct svart_ctx *ctx, const uint8_t *src, uint8_t *dst, size_t len, int n,
			uint64_t *delta)
{
	uint64_t before[RT_MAX_WQS];

	for (unsigned int i = 0; i < ctx->nr_wqs; i++)
		before[i] = atomic_load(&ctx->wqs[i]->submitted);
	for (int i = 0; i < n; i++)
		T_RET(0, svart_memmove(ctx, dst, src, len));
	T_CHECK(!memcmp(src, dst, len));
	for (unsigned int i = 0; i < ctx->nr_wqs; i++)
		delta[i] = atomic_load(&ctx->wqs[i]->submitted) - before[i];
}

/*
 * SVART_CTX_PLACE_BY_BUFFER: the WQs nearest the source buffer's node, whatever the calling
 * CPU's. This host may have one node, so rt_place_mem_node says where memory is; the
 * per-thread cache must ask it about once per PLACE_BUF_USES operations on a region.
 */
static void by_buffer(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1,
				    .flags = SVART_CTX_PLACE_BY_BUFFER };
	const size_t region = 2u << 20, len = 4096;
	int (*saved)(const void *) = rt_place_mem_node;
	uint8_t *far = aligned_alloc(region, region), *near = aligned_alloc(region, region);
	uint64_t delta[RT_MAX_WQS];
	struct svart_ctx *ctx;
	unsigned int calls;

	T_CHECK(far && near);
	if (!far || !near || svart_ctx_create(&o, &ctx)) {
		T_CHECK(!"by_buffer setup");
		free(far);
		free(near);
		return;
	}
	memset(far, 0xa5, region);
	memset(near, 0x3c, region);
	far_lo = (uintptr_t)far;
	far_hi = far_lo + region;
	rt_place_mem_node = fake_mem_node;

	/* Source on node 1: only dsa1 (the node-1 DSA) works, wherever this thread runs. */
	count_moves(ctx, far, near + region / 2, len, 16, delta);
	for (unsigned int i = 0; i < ctx->nr_wqs; i++) {
		if (ctx->wqs[i]->unit != RT_UNIT_DSA)
			continue;
		printf("by buffer on node 1: %s took %llu\n", ctx->wqs[i]->name,
		       (unsigned long long)delta[i]);
		/* At least one each: a first touch adds resubmissions after page faults. */
		if (ctx->wqs[i]->node == 1)
			T_CHECK(delta[i] >= 16);
		else
			T_EQ(delta[i], 0);
	}
	/* Source on node 0: dsa0 and dsa2 alternate, dsa1 idle. */
	count_moves(ctx, near, far + region / 2, len, 16, delta);
	for (unsigned int i = 0; i < ctx->nr_wqs; i++) {
		if (ctx->wqs[i]->unit != RT_UNIT_DSA)
			continue;
		printf("by buffer on node 0: %s took %llu\n", ctx->wqs[i]->name,
		       (unsigned long long)delta[i]);
		if (ctx->wqs[i]->node == 0)
			T_CHECK(delta[i] >= 8);
		else
			T_EQ(delta[i], 0);
	}
	/* Cached per region: 1000 operations ask about once per 256. */
	calls = mem_node_calls;
	count_moves(ctx, far + 4096, near, len, 1000, delta);
	printf("mem node lookups for 1000 operations: %u\n", mem_node_calls - calls);
	T_CHECK(mem_node_calls - calls >= 1 && mem_node_calls - calls <= 6);

	rt_place_mem_node = saved;
	svart_ctx_destroy(ctx);
	free(far);
	free(near);
}

int main(void)
{
	struct svart_ctx_opts o = { .size = sizeof(o),
				    .platform = SVART_PLATFORM_SIM,
				    .cpu_threshold = 1 };
	struct rt_wq *wqs[RT_MAX_WQS], *w;
	struct svart_ctx *ctx;
	char s[256], dev[40];
	unsigned int n, hits[3] = { 0 };
	uint64_t sub0[4], sub1[4];
	uint8_t a[8192], b[8192];
	int ret, node;

	setenv("SVART_SIM_CONFIG", SIM_CONFIG, 1);
	ret = svart_ctx_create(&o, &ctx);
	if (ret) {
		fprintf(stderr, "svart_ctx_create: %s\n", svart_strerror(ret));
		return T_EXIT_FAIL;
	}
	printf("%s\n", svart_ctx_describe(ctx));
	T_EQ(ctx->nr_unit[RT_UNIT_DSA], 3);
	T_EQ(ctx->nr_unit[RT_UNIT_IAA], 1);

	/* Nearest first; among equals, the context's (configuration's) order. */
	T_STREQ(order_str(ctx, RT_UNIT_DSA, 0, s, sizeof(s)), "dsa0,dsa2,dsa1");
	T_STREQ(order_str(ctx, RT_UNIT_DSA, 1, s, sizeof(s)), "dsa1,dsa0,dsa2");
	/* A node nothing is on: every WQ equally far, the context's order. */
	T_STREQ(order_str(ctx, RT_UNIT_DSA, 7, s, sizeof(s)), "dsa0,dsa1,dsa2");
	T_STREQ(order_str(ctx, RT_UNIT_IAA, 0, s, sizeof(s)), "iax3");
	T_STREQ(order_str(ctx, RT_UNIT_IAA, 1, s, sizeof(s)), "iax3");
	/* @max bounds the output. */
	n = rt_place_order(ctx, RT_UNIT_DSA, 1, wqs, 1);
	T_EQ(n, 1);
	T_STREQ(dev_of(wqs[0], dev, sizeof(dev)), "dsa1");
	T_EQ(rt_place_order(ctx, RT_UNIT_DSA, 0, wqs, 0), 0);

	/* pick: this thread's node. On a host node 0 the near set is {dsa0, dsa2}, rotating. */
	node = host_node();
	printf("host node of this CPU: %d\n", node);
	if (node == 0) {
		struct rt_wq *prev = NULL;

		for (int i = 0; i < 8; i++) {
			w = rt_place_pick(ctx, RT_UNIT_DSA, NULL);
			T_CHECK(w != NULL);
			if (!w)
				break;
			T_EQ(w->node, 0);
			T_CHECK(w != prev); /* two equally near WQs: alternate */
			prev = w;
			dev_of(w, dev, sizeof(dev));
			hits[dev[3] - '0']++;
		}
		T_EQ(hits[0], 4);
		T_EQ(hits[2], 4);
		T_EQ(hits[1], 0);
		/* The only IAA WQ is remote but still the one to use. */
		w = rt_place_pick(ctx, RT_UNIT_IAA, NULL);
		T_CHECK(w && w->unit == RT_UNIT_IAA);

		/* Operations land where pick says: dsa1 (node 1) gets nothing. */
		for (unsigned int i = 0; i < ctx->nr_wqs && i < 4; i++)
			sub0[i] = atomic_load(&ctx->wqs[i]->submitted);
		memset(a, 0x5a, sizeof(a));
		for (int i = 0; i < 16; i++)
			T_RET(0, svart_memmove(ctx, b, a, sizeof(a)));
		T_CHECK(!memcmp(a, b, sizeof(a)));
		for (unsigned int i = 0; i < ctx->nr_wqs && i < 4; i++) {
			sub1[i] = atomic_load(&ctx->wqs[i]->submitted);
			printf("%s: %llu descriptors\n", ctx->wqs[i]->name,
			       (unsigned long long)(sub1[i] - sub0[i]));
			if (ctx->wqs[i]->unit != RT_UNIT_DSA)
				continue;
			if (ctx->wqs[i]->node == 0)
				T_CHECK(sub1[i] - sub0[i] >= 8);
			else
				T_EQ(sub1[i] - sub0[i], 0);
		}
	} else {
		printf("this CPU is on host node %d: pick's rotation checked on node order only\n",
		       node);
		w = rt_place_pick(ctx, RT_UNIT_DSA, NULL);
		T_CHECK(w != NULL);
	}

	/* next: round robin over all WQs of the unit, whatever their distance. */
	w = rt_place_pick(ctx, RT_UNIT_DSA, NULL);
	if (w) {
		struct rt_wq *x = w;
		unsigned int seen = 0;

		for (int i = 0; i < 3; i++) {
			x = rt_place_next(ctx, x);
			seen |= 1u << (dev_of(x, dev, sizeof(dev))[3] - '0');
		}
		T_CHECK(x == w);
		T_EQ(seen, 0x7);
		w = rt_place_pick(ctx, RT_UNIT_IAA, NULL);
		T_CHECK(rt_place_next(ctx, w) == w); /* the only one of its unit */
	}
	svart_ctx_destroy(ctx);
	by_buffer();
	return t_done("rt_place");
}
