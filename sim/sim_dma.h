/* SPDX-License-Identifier: MIT */
/*
 * sim_dma: how a sim device (DSA/IAA engine) reaches memory.
 *
 * A struct sim_dma is the address space one descriptor executes in: a translation backend
 * (normally the sim IOMMU for (device, PASID), see sim/iommu/translate.h; tests may plug in
 * others) plus the descriptor's fault behaviour (block on fault or not). The engine code never
 * dereferences an I/O virtual address itself: it asks for contiguous runs of host memory and
 * touches them inside sim_guard, so a translation fault and memory that vanished after its
 * translation both end as a reported fault, never as a crash.
 *
 * Faults. A failed translation with block_on_fault set becomes a page request
 * (ops->page_request) and, after a success response, a retry; everything else stops the access
 * with -EFAULT and fills dma->fault (address, read/write, why), from which the executor builds the
 * completion status (DSA 0x03/0x04/0x22, IAA 0x03/0x23, | 0x80 for a write).
 *
 * Hot path: no allocation, no locks of its own, one translation per page (the backend's IOTLB
 * makes that a cache hit) and one guarded memcpy per host-contiguous run.
 */
#ifndef SVART_SIM_DMA_H
#define SVART_SIM_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_dma;

/* Access attributes (translate @access). */
#define SIM_DMA_READ 0u
#define SIM_DMA_WRITE 0x1u

/* Why an access stopped (dma->fault.kind). */
enum sim_dma_fault_kind {
	SIM_DMA_FAULT_NONE = 0,
	SIM_DMA_FAULT_XLATE, /* translation fault, no page request made (BOF off, or PRS off) */
	SIM_DMA_FAULT_IR, /* page request answered Invalid Request */
	SIM_DMA_FAULT_TIMEOUT, /* page request not answered in time */
	SIM_DMA_FAULT_RF, /* page request failed (Response Failure) or no fault path at all */
	SIM_DMA_FAULT_GONE, /* translated, but the host memory was gone when touched */
};

struct sim_dma_fault {
	enum sim_dma_fault_kind kind;
	uint64_t addr; /* the I/O virtual address that faulted */
	bool write;
};

/* A translation: @len bytes from @iova are at host address @host (@len >= 1). */
struct sim_dma_xlate {
	uintptr_t host;
	uint64_t len;
};

struct sim_dma_ops {
	/*
	 * Translate @iova for @access (SIM_DMA_*). Return 0 with @out filled (out->len: to the end
	 * of the page or a larger contiguous mapping), -EFAULT for a translation fault (not
	 * present, permission, beyond the address width), -ENXIO when nothing is attached.
	 */
	int (*translate)(struct sim_dma *dma, uint64_t iova, unsigned int access,
			 struct sim_dma_xlate *out);
	/*
	 * A page request for @iova and wait for the response. Return 0 (success: translate
	 * again), -EFAULT (Invalid Request), -ETIMEDOUT, -EIO (Response Failure / no fault path),
	 * -EOPNOTSUPP (no request made: the fault is not one a page request can resolve, or the
	 * PASID has no fault queue; reported as SIM_DMA_FAULT_XLATE).
	 * NULL: page requests are not possible (treated as BOF off).
	 */
	int (*page_request)(struct sim_dma *dma, uint64_t iova, unsigned int access);
};

struct sim_dma {
	const struct sim_dma_ops *ops;
	void *priv; /* the backend's */
	uint32_t pasid;
	bool pasid_valid;
	bool priv_req; /* supervisor request (descriptor/WQ Priv) */
	bool block_on_fault; /* descriptor BOF with WQ block_on_fault */
	unsigned int max_page_requests; /* per access before giving up (0: 16) */
	struct sim_dma_fault fault; /* the last fault */
	/* Counters, owned by the executing thread. */
	uint64_t translations, page_requests, faults;
};

/**
 * sim_dma_init() - set up @dma for one descriptor.
 * @dma: the view.
 * @ops: translation backend.
 * @priv: the backend's data.
 *
 * Zeroes everything else; the caller then sets pasid, priv_req, block_on_fault.
 */
void sim_dma_init(struct sim_dma *dma, const struct sim_dma_ops *ops, void *priv);

/**
 * sim_dma_run() - the host run behind [@iova, @iova + @len).
 * @dma: the view.
 * @iova: start.
 * @len: wanted length (> 0).
 * @access: SIM_DMA_READ or SIM_DMA_WRITE.
 * @host: out, host address of @iova.
 * @run: out, bytes (1..@len) contiguous in host memory from @host; consecutive pages whose host
 *	addresses follow each other are merged.
 *
 * Makes page requests for BOF descriptors. Does not touch the memory.
 *
 * Return: 0, or -EFAULT with dma->fault set (fault.addr = the first untranslatable byte, which
 * is @iova: a run stops before a page that does not translate and reports it on the next call).
 */
int sim_dma_run(struct sim_dma *dma, uint64_t iova, uint64_t len, unsigned int access, void **host,
		uint64_t *run);

/**
 * sim_dma_read() - copy device memory into a local buffer.
 * @dma: the view.
 * @dst: local buffer.
 * @iova: source.
 * @len: bytes.
 * @done: out (may be NULL), bytes copied before a fault (whole runs; the faulting run counts 0).
 *
 * Return: 0, or -EFAULT with dma->fault set.
 */
int sim_dma_read(struct sim_dma *dma, void *dst, uint64_t iova, uint64_t len, uint64_t *done);

/* sim_dma_write() - copy a local buffer to device memory; as sim_dma_read(). */
int sim_dma_write(struct sim_dma *dma, uint64_t iova, const void *src, uint64_t len,
		  uint64_t *done);

/**
 * sim_dma_copy() - device-to-device copy, ascending (memcpy order per run).
 * @dma: the view.
 * @dst: destination I/O address.
 * @src: source I/O address.
 * @len: bytes.
 * @done: out, bytes copied before a fault; whole runs, so resuming at @done is exact.
 *
 * The caller has checked overlap; overlapping ranges are copied run by run with memmove().
 *
 * Return: 0, or -EFAULT with dma->fault set.
 */
int sim_dma_copy(struct sim_dma *dma, uint64_t dst, uint64_t src, uint64_t len, uint64_t *done);

/**
 * sim_dma_write_record() - write a completion record the way the device does.
 * @dma: the view.
 * @iova: record address (the caller checked alignment; a record never crosses a page).
 * @rec: the record image; byte 0 is the status.
 * @size: 32 (DSA) or 64 (IAA).
 *
 * Writes bytes 1..@size-1 first, then the status byte with a release store, so a poller that
 * sees a nonzero status sees the whole record.
 *
 * Return: 0, or -EFAULT with dma->fault set (the executor reports CRA_XLAT).
 */
int sim_dma_write_record(struct sim_dma *dma, uint64_t iova, const void *rec, size_t size);

/* The identity backend: I/O virtual address == host address, no page requests. For tests. */
extern const struct sim_dma_ops sim_dma_identity_ops;

#endif /* SVART_SIM_DMA_H */
