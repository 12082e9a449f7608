// SPDX-License-Identifier: MIT
/*
 * Placement on a two-node sim configuration: dsa0 and dsa2 on node 0, dsa1 and iax3 on
 * node 1. rt_place_order() must put the WQs of the asked node first (keeping the context's
 * order among equals), rt_place_pick() must rotate over the nearest WQs only, and operations
 * must reach only the WQs pick chose. The expected orders are written out by hand from the
 * configuration; the host's own node count does not matter (a node the machine lacks is
 * remote from every other node, the same node is always nearest).
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
	return t_done("rt_place");
}
