// SPDX-License-Identifier: MIT
/*
 * Device memory access through translation and guards. See sim_dma.h.
 */
#include "sim/sim_dma.h"

#include "sim/sim_guard.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#define DMA_DEF_MAX_PAGE_REQUESTS 16u

void sim_dma_init(struct sim_dma *dma, const struct sim_dma_ops *ops, void *priv)
{
	memset(dma, 0, sizeof(*dma));
	dma->ops = ops;
	dma->priv = priv;
}

static int dma_fault(struct sim_dma *dma, enum sim_dma_fault_kind kind, uint64_t iova,
		     unsigned int access)
{
	dma->fault.kind = kind;
	dma->fault.addr = iova;
	dma->fault.write = access & SIM_DMA_WRITE;
	dma->faults++;
	return -EFAULT;
}

/* Translate one address, making page requests for BOF descriptors. */
static int dma_translate(struct sim_dma *dma, uint64_t iova, unsigned int access,
			 struct sim_dma_xlate *x)
{
	unsigned int max =
		dma->max_page_requests ? dma->max_page_requests : DMA_DEF_MAX_PAGE_REQUESTS;
	unsigned int tries = 0;
	int ret;

	for (;;) {
		dma->translations++;
		ret = dma->ops->translate(dma, iova, access, x);
		if (!ret)
			return 0;
		if (ret == -ENXIO)
			return dma_fault(dma, SIM_DMA_FAULT_RF, iova, access);
		if (!dma->block_on_fault || !dma->ops->page_request)
			return dma_fault(dma, SIM_DMA_FAULT_XLATE, iova, access);
		/*
		 * A success response that does not make the page translate is answered by another
		 * request, as hardware would; a bound keeps a broken handler from spinning forever.
		 */
		if (tries++ == max)
			return dma_fault(dma, SIM_DMA_FAULT_RF, iova, access);
		ret = dma->ops->page_request(dma, iova, access);
		if (ret == -EOPNOTSUPP) /* no page request can fix this fault: none was made */
			return dma_fault(dma, SIM_DMA_FAULT_XLATE, iova, access);
		dma->page_requests++;
		if (ret == -EFAULT)
			return dma_fault(dma, SIM_DMA_FAULT_IR, iova, access);
		if (ret == -ETIMEDOUT)
			return dma_fault(dma, SIM_DMA_FAULT_TIMEOUT, iova, access);
		if (ret)
			return dma_fault(dma, SIM_DMA_FAULT_RF, iova, access);
	}
}

int sim_dma_run(struct sim_dma *dma, uint64_t iova, uint64_t len, unsigned int access, void **host,
		uint64_t *run)
{
	struct sim_dma_xlate x;
	uintptr_t start;
	uint64_t got;
	int ret;

	ret = dma_translate(dma, iova, access, &x);
	if (ret)
		return ret;
	start = x.host;
	got = x.len < len ? x.len : len;
	/* Merge following pages while they continue the same host run. */
	while (got < len) {
		/* No page requests here: a page that does not translate ends the run and is
		 * handled (reported or requested) when the caller reaches it. */
		dma->translations++;
		if (dma->ops->translate(dma, iova + got, access, &x))
			break;
		if (x.host != start + got)
			break;
		got += x.len < len - got ? x.len : len - got;
	}
	*host = (void *)start;
	*run = got;
	return 0;
}

/*
 * A guard fault at host address @at inside the run [@host, @host + @n) of I/O address @iova:
 * report the first page of the run that is really gone (see sim_guard_probe()).
 */
static int dma_gone(struct sim_dma *dma, uint64_t iova, uintptr_t host, uint64_t n, uintptr_t at,
		    unsigned int access)
{
	uintptr_t bad = sim_guard_probe(host, host + n, at, access & SIM_DMA_WRITE);

	if (bad == host + n) /* back already: the fault is reported where it happened */
		bad = at >= host && at < host + n ? at : host;
	return dma_fault(dma, SIM_DMA_FAULT_GONE, iova + (bad - host), access);
}

int sim_dma_read(struct sim_dma *dma, void *dst, uint64_t iova, uint64_t len, uint64_t *done)
{
	uint64_t pos = 0, run;
	uintptr_t at;
	void *host;
	int ret = 0;

	while (pos < len) {
		ret = sim_dma_run(dma, iova + pos, len - pos, SIM_DMA_READ, &host, &run);
		if (ret)
			break;
		if (sim_guard_memcpy((char *)dst + pos, host, run, &at)) {
			ret = dma_gone(dma, iova + pos, (uintptr_t)host, run, at, SIM_DMA_READ);
			break;
		}
		pos += run;
	}
	if (done)
		*done = pos;
	return ret;
}

int sim_dma_write(struct sim_dma *dma, uint64_t iova, const void *src, uint64_t len, uint64_t *done)
{
	uint64_t pos = 0, run;
	uintptr_t at;
	void *host;
	int ret = 0;

	while (pos < len) {
		ret = sim_dma_run(dma, iova + pos, len - pos, SIM_DMA_WRITE, &host, &run);
		if (ret)
			break;
		if (sim_guard_memcpy(host, (const char *)src + pos, run, &at)) {
			ret = dma_gone(dma, iova + pos, (uintptr_t)host, run, at, SIM_DMA_WRITE);
			break;
		}
		pos += run;
	}
	if (done)
		*done = pos;
	return ret;
}

int sim_dma_copy(struct sim_dma *dma, uint64_t dst, uint64_t src, uint64_t len, uint64_t *done)
{
	uint64_t pos = 0, srun, drun, n;
	void *shost, *dhost;
	uintptr_t at;
	int ret = 0;

	while (pos < len) {
		ret = sim_dma_run(dma, src + pos, len - pos, SIM_DMA_READ, &shost, &srun);
		if (ret)
			break;
		ret = sim_dma_run(dma, dst + pos, srun, SIM_DMA_WRITE, &dhost, &drun);
		if (ret)
			break;
		n = drun;
		if (sim_guard_memmove(dhost, shost, n, &at)) {
			/* Which side vanished: probe the source, then the destination. */
			uintptr_t s0 = (uintptr_t)shost, d0 = (uintptr_t)dhost;

			if (sim_guard_probe(s0, s0 + n, at, 0) != s0 + n)
				ret = dma_gone(dma, src + pos, s0, n, at, SIM_DMA_READ);
			else
				ret = dma_gone(dma, dst + pos, d0, n, at, SIM_DMA_WRITE);
			break;
		}
		pos += n;
	}
	*done = pos;
	return ret;
}

struct dma_record {
	unsigned char *host;
	const unsigned char *rec;
	size_t size;
};

static void dma_record_store(void *arg)
{
	struct dma_record *r = arg;

	memcpy(r->host + 1, r->rec + 1, r->size - 1);
	atomic_store_explicit((_Atomic unsigned char *)r->host, r->rec[0], memory_order_release);
}

int sim_dma_write_record(struct sim_dma *dma, uint64_t iova, const void *rec, size_t size)
{
	struct dma_record r = { .rec = rec, .size = size };
	uint64_t run;
	uintptr_t at;
	void *host;
	int ret;

	ret = sim_dma_run(dma, iova, size, SIM_DMA_WRITE, &host, &run);
	if (ret)
		return ret;
	if (run < size) /* a record never crosses a page; this one's next page faults */
		return dma_fault(dma, SIM_DMA_FAULT_XLATE, iova + run, SIM_DMA_WRITE);
	r.host = host;
	if (sim_guard_call(dma_record_store, &r, &at))
		return dma_gone(dma, iova, (uintptr_t)host, size, at, SIM_DMA_WRITE);
	return 0;
}

static int dma_identity_translate(struct sim_dma *dma, uint64_t iova, unsigned int access,
				  struct sim_dma_xlate *out)
{
	/* One "page" of 1 GiB keeps runs long; the guard catches what is not there. */
	out->host = (uintptr_t)iova;
	out->len = (UINT64_C(1) << 30) - (iova & ((UINT64_C(1) << 30) - 1));
	return 0;
}

const struct sim_dma_ops sim_dma_identity_ops = {
	.translate = dma_identity_translate,
};
