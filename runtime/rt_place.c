// SPDX-License-Identifier: MIT
/*
 * Placement: which WQ a thread submits to. The WQs of the needed unit on the NUMA node nearest
 * the calling CPU (or, with SVART_CTX_PLACE_BY_BUFFER, the buffer's node), spread over the
 * threads that share them; the order is cached per thread and recomputed when the thread
 * moves to another node or the context's WQ set changes.
 *
 * Distances come from libnuma (the ACPI SLIT); a node the machine does not have (a sim
 * configuration with more nodes than the host) is "remote" from every other node.
 */
#include "runtime/rt_internal.h"
#include "sim/sim_numa.h"

#include <numa.h>
#include <numaif.h>
#include <sched.h>
#include <string.h>

#define PLACE_REMOTE 255

static int node_distance(int a, int b)
{
	if (a == b)
		return 10;
	if (a < 0 || b < 0 || numa_available() < 0 || a > numa_max_node() || b > numa_max_node())
		return PLACE_REMOTE;
	int d = numa_distance(a, b);

	return d > 0 ? d : PLACE_REMOTE;
}

unsigned int rt_place_order(struct svart_ctx *ctx, enum rt_unit unit, int node, struct rt_wq **out,
			    unsigned int max)
{
	struct rt_wq *all[RT_MAX_WQS];
	unsigned int n = 0;

	/* Sort every candidate, then cut: the nearest may come last in the context's order. */
	for (unsigned int i = 0; i < ctx->nr_wqs && n < RT_MAX_WQS; i++)
		if (ctx->wqs[i]->unit == unit)
			all[n++] = ctx->wqs[i];
	/* Insertion sort by distance: stable, so equal WQs keep the context's order. */
	for (unsigned int i = 1; i < n; i++) {
		struct rt_wq *w = all[i];
		int d = node_distance(node, w->node);
		unsigned int j = i;

		while (j && node_distance(node, all[j - 1]->node) > d) {
			all[j] = all[j - 1];
			j--;
		}
		all[j] = w;
	}
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	return n;
}

/*
 * Keyed by the context's id, never its address: a context created after another was
 * destroyed may get the same address (and generation), and must not inherit WQ pointers
 * the first one freed.
 */
struct place_cache {
	uint64_t ctx_id;
	uint64_t generation;
	int node;
	unsigned int n[RT_UNIT_NR], near[RT_UNIT_NR], rr[RT_UNIT_NR];
	struct rt_wq *order[RT_UNIT_NR][RT_MAX_WQS];
};

static __thread struct place_cache place_tls;
static atomic_uint place_threads;

/*
 * The calling CPU's node. sched_getcpu() is cheap (vDSO/rseq); libnuma's numa_node_of_cpu()
 * is not (it walks node bitmasks, a measurable share of a 4 KiB operation), so its answer is
 * kept per thread for the CPU it was asked about.
 */
static int place_cpu_node(void)
{
	static __thread int last_cpu = -1, last_node;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return 0;
	if (cpu != last_cpu) {
		sim_numa_warm(); /* libnuma's cache, before threads race to fill it */
		last_node = numa_available() < 0 ? 0 : numa_node_of_cpu(cpu);
		if (last_node < 0)
			last_node = 0;
		last_cpu = cpu;
	}
	return last_node;
}

static int place_mem_node_default(const void *buf)
{
	int node = -1;

	/* One node: nothing to ask (the common host; saves a system call per operation). */
	if (numa_available() < 0 || numa_max_node() == 0)
		return 0;
	if (get_mempolicy(&node, NULL, 0, (void *)buf, MPOL_F_NODE | MPOL_F_ADDR))
		return -1;
	return node;
}

int (*rt_place_mem_node)(const void *buf) = place_mem_node_default;

/*
 * Buffer nodes cached per thread by 2 MiB region: a system call per operation costs more
 * than a small operation itself. Memory can migrate (NUMA balancing, mbind) or be unmapped
 * and mapped again elsewhere, so an answer is used PLACE_BUF_USES times, then asked again:
 * a stale answer only costs distance for a while, never correctness.
 */
#define PLACE_BUF_SLOTS 16
#define PLACE_BUF_USES 256
#define PLACE_BUF_SHIFT 21

struct place_buf_slot {
	uintptr_t region; /* (address >> PLACE_BUF_SHIFT) + 1: 0 is an empty slot */
	int node;
	unsigned int uses;
};

static __thread struct place_buf_slot place_buf_tls[PLACE_BUF_SLOTS];

static int place_buf_node(const void *buf)
{
	uintptr_t region = ((uintptr_t)buf >> PLACE_BUF_SHIFT) + 1;
	struct place_buf_slot *s = &place_buf_tls[region % PLACE_BUF_SLOTS];

	if (!buf)
		return -1;
	if (s->region == region && s->uses) {
		s->uses--;
		return s->node;
	}
	s->node = rt_place_mem_node(buf);
	s->region = region;
	s->uses = s->node < 0 ? 0 : PLACE_BUF_USES - 1;
	return s->node;
}

static void place_fill(struct place_cache *c, struct svart_ctx *ctx, int node)
{
	c->ctx_id = ctx->id;
	c->generation = ctx->generation;
	c->node = node;
	for (int u = 0; u < RT_UNIT_NR; u++) {
		unsigned int n = rt_place_order(ctx, u, node, c->order[u], RT_MAX_WQS), near = 0;
		int d0 = n ? node_distance(node, c->order[u][0]->node) : 0;

		while (near < n && node_distance(node, c->order[u][near]->node) == d0)
			near++;
		c->n[u] = n;
		c->near[u] = near;
		/* Threads start on different WQs of the nearest set, then rotate. */
		c->rr[u] = atomic_fetch_add_explicit(&place_threads, 1, memory_order_relaxed);
	}
}

struct rt_wq *rt_place_pick(struct svart_ctx *ctx, enum rt_unit unit, const void *buf)
{
	struct place_cache *c = &place_tls;
	int node = -1;

	if (!ctx->nr_unit[unit])
		return NULL;
	if (ctx->opts.flags & SVART_CTX_PLACE_BY_BUFFER)
		node = place_buf_node(buf);
	if (node < 0)
		node = place_cpu_node();
	if (c->ctx_id != ctx->id || c->generation != ctx->generation || c->node != node)
		place_fill(c, ctx, node);
	if (!c->near[unit])
		return NULL;
	return c->order[unit][c->rr[unit]++ % c->near[unit]];
}

struct rt_wq *rt_place_next(struct svart_ctx *ctx, struct rt_wq *wq)
{
	struct place_cache *c = &place_tls;
	enum rt_unit u = wq->unit;

	if (c->ctx_id != ctx->id || c->generation != ctx->generation)
		place_fill(c, ctx, place_cpu_node());
	for (unsigned int i = 0; i < c->n[u]; i++)
		if (c->order[u][i] == wq)
			return c->n[u] > 1 ? c->order[u][(i + 1) % c->n[u]] : wq;
	return c->n[u] ? c->order[u][0] : NULL;
}
