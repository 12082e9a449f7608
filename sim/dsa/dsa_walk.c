// SPDX-License-Identifier: MIT
/*
 * The DSA executor's memory walker: parallel address streams translated run by run, the work
 * for each run done inside one guard, and faults turned into completion statuses.
 *
 * Why one walker: every operation then reports progress the same way (whole runs, counted only
 * once the run is finished), so bytes_completed is exact for resubmission whatever the op.
 */
#include "sim/dsa/dsa_priv.h"

#include <errno.h>

#include "sim/sim_guard.h"

struct walk_call {
	sim_dsa_run_fn fn;
	void *ctx;
	void *host[SIM_DSA_MAX_STREAMS];
	uint64_t off, n;
	int ret;
};

static void walk_tramp(void *arg)
{
	struct walk_call *c = arg;

	c->ret = c->fn(c->ctx, c->host, c->off, c->n);
}

/*
 * Which stream a guard fault at host address @at hit, and where its first vanished page is
 * (*@bad): the first stream whose run has a page that no longer answers a probe. @at alone is
 * not enough: a vector copy reports where its faulting instruction started.
 */
static unsigned int walk_culprit(const struct walk_call *c, const struct sim_dsa_stream *s,
				 unsigned int ns, uintptr_t at, uintptr_t *bad)
{
	for (unsigned int i = 0; i < ns; i++) {
		uintptr_t h = (uintptr_t)c->host[i];
		uintptr_t b = sim_guard_probe(h, h + c->n, at, s[i].access & SIM_DMA_WRITE);

		if (b != h + c->n) {
			*bad = b;
			return i;
		}
	}
	/* Every page is back: report where the fault happened, in the stream that holds it. */
	for (unsigned int i = 0; i < ns; i++) {
		uintptr_t h = (uintptr_t)c->host[i];

		if (at >= h && at - h < c->n) {
			*bad = at;
			return i;
		}
	}
	*bad = (uintptr_t)c->host[0];
	return 0;
}

int sim_dsa_walk(struct sim_dsa_op *op, const struct sim_dsa_stream *s, unsigned int ns,
		 uint64_t len, sim_dsa_run_fn fn, void *ctx, uint64_t *done)
{
	struct sim_dma *dma = op->dma;
	struct walk_call c = { .fn = fn, .ctx = ctx };
	uint64_t pos = 0;
	int ret = 0;

	while (pos < len) {
		uint64_t n = len - pos;
		uintptr_t at;
		unsigned int i;

		for (i = 0; i < ns; i++) {
			uint64_t run;

			ret = sim_dma_run(dma, s[i].iova + pos, n, s[i].access, &c.host[i], &run);
			if (ret)
				goto out;
			if (run < n)
				n = run;
		}
		c.off = pos;
		c.n = n;
		c.ret = 0;
		if (sim_guard_call(walk_tramp, &c, &at)) {
			uintptr_t h, bad;

			i = walk_culprit(&c, s, ns, at, &bad);
			h = (uintptr_t)c.host[i];
			dma->fault.kind = SIM_DMA_FAULT_GONE;
			dma->fault.addr = s[i].iova + pos + (bad - h);
			dma->fault.write = s[i].access & SIM_DMA_WRITE;
			dma->faults++;
			ret = -EFAULT;
			goto out;
		}
		if (c.ret) {
			/* The callback stopped inside this run: it says how far it got. */
			ret = c.ret;
			goto out;
		}
		pos += n;
	}
out:
	*done = pos;
	return ret;
}

uint8_t sim_dsa_fault(struct sim_dsa_op *op, uint64_t done)
{
	const struct sim_dma_fault *f = &op->dma->fault;
	uint8_t st;

	op->rec.bytes_completed = (uint32_t)done;
	op->rec.fault_addr = f->addr;
	switch (f->kind) {
	case SIM_DMA_FAULT_IR:
		st = DSA_COMP_PAGE_FAULT_IR;
		break;
	case SIM_DMA_FAULT_TIMEOUT:
	case SIM_DMA_FAULT_RF:
		/* A failed page request is no partial completion the runtime can fix by touching
		 * the page: the device reports it as a translation failure. */
		return DSA_COMP_TRANSLATION_FAIL;
	default:
		/* XLATE, and GONE: memory that vanished looks like a page that does not
		 * translate, which is what the IOMMU would have said a moment later. */
		st = DSA_COMP_PAGE_FAULT_NOBOF;
		break;
	}
	return f->write ? st | DSA_COMP_STATUS_WRITE : st;
}
