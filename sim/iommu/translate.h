/* SPDX-License-Identifier: MIT */
/*
 * sim/iommu/translate: the sim VT-d unit's translation path, as a device sees it.
 *
 * A sim device (struct sim_iommu_dev: a sim_pdev published as /dev/vfio/devices/vfioN, its
 * device TLB when it has ATS, its page-request state) translates every access with
 * sim_iommu_translate(): device TLB -> the unit's IOTLB -> a walk of the HWPT attached at
 * (device, PASID):
 *   - a paging HWPT: the second stage alone (the IOAS mappings);
 *   - a nested VT-d HWPT: the first-stage walk (sim/iommu/vtd_s1) whose every table fetch is
 *     translated through the parent's second stage, then the leaf through it as well.
 * The IOTLB is one per process (the unit), tagged by (domain id, PASID); every HWPT has its own
 * domain id. Invalidations arrive from iommufd (IOAS unmap, HWPT_INVALIDATE, attach changes) and
 * through the explicit sim_iommu_inv_*() calls that mirror VT-d's descriptors.
 *
 * A recoverable translation fault on a HWPT with a fault queue can become a page request
 * (sim_iommu_page_request()/sim_iommu_page_group()); the requester waits for the response.
 *
 * docs/IOMMU_MODEL.md "Translation path" has the diagram, what each invalidation drops and the
 * memory-safety guard.
 *
 * Hot path: sim_iommu_translate() never allocates and takes no lock on a hit: a translation
 * the calling thread made a moment ago is answered by its own translation cache (copies of
 * front-cache entries, revalidated with two loads: docs/IOMMU_MODEL.md "Per-thread translation
 * cache"), other hits by the lock-free device-TLB/IOTLB lookups. A miss takes the attachment's
 * short-term reference and the io_pagetable's read lock.
 */
#ifndef SVART_SIM_IOMMU_TRANSLATE_H
#define SVART_SIM_IOMMU_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/iommu/iotlb.h"
#include "sim/iommu/vtd_s1.h"
#include "sim/sim_device.h"
#include "sim/sim_dma.h"

struct sim_iommu_dev;

/* sim_iommu_translate() @access: SIM_DMA_READ (0) or SIM_DMA_WRITE, plus these. */
#define SIM_XLATE_EXEC 0x2u /* PCIe Execute-Requested (a read) */
#define SIM_XLATE_PRIV 0x4u /* PCIe Privileged-Mode-Requested (supervisor) */

/* Why a translation failed (struct sim_xlate_fault.reason). */
enum sim_xlate_reason {
	SIM_XLATE_OK = 0,
	SIM_XLATE_PASID_RANGE, /* -ENXIO: PASID beyond the device's PASID width */
	SIM_XLATE_NOT_ATTACHED, /* -ENXIO: nothing attached at (device, PASID) */
	SIM_XLATE_S1, /* first-stage fault: .s1, .level, .code say which */
	SIM_XLATE_S2_NOT_PRESENT, /* second stage: the address (.addr) is not mapped */
	SIM_XLATE_S2_PERM, /* second stage: mapped without the access's permission */
	SIM_XLATE_ADDR_WIDTH, /* input beyond the second stage's address width */
	SIM_XLATE_EXEC_BLOCKED, /* execute request on a second-stage-only PASID, ERE off */
	SIM_XLATE_GONE, /* a page-table page vanished from the process under the walk */
};

/**
 * struct sim_xlate_fault - details of a failed translation.
 * @reason: SIM_XLATE_*.
 * @s1: for SIM_XLATE_S1 (and S2 faults met during the first-stage walk): the walker's reason.
 * @level: the walker's level (5..1), 0 outside the walk.
 * @code: VT-d fault reason code where one is defined (sim_vtd_s1_fault_code()), else 0.
 * @addr: the faulting address: the request's for S1 faults, the second-stage input address
 *	(table or leaf) for S2 faults, the host address for GONE.
 * @recoverable: a page request could resolve it (not present or not permitted at the stage
 *	the fault queue's owner controls); reserved bits, widths, blocked request types and
 *	nested second-stage faults are not.
 */
struct sim_xlate_fault {
	enum sim_xlate_reason reason;
	enum sim_vtd_s1_fault s1;
	unsigned int level;
	unsigned int code;
	uint64_t addr;
	bool recoverable;
};

/**
 * struct sim_iommu_cfg - the unit's configuration (sim_iommu_configure()).
 * @iotlb: IOTLB geometry; zero fields take iotlb.h's defaults. flags must be 0.
 * @devtlb: geometry of each ATS device's device TLB (SIM_IOTLB_F_DEVTLB is added).
 * @prq_timeout_ms: default time a device waits for a page response (0: 5000).
 * @exec_requests: PASID entries with ERE=NXE=1: execute requests honour XD instead of being
 *	blocked. Off by default, as Linux programs VT-d.
 */
struct sim_iommu_cfg {
	struct sim_iotlb_cfg iotlb;
	struct sim_iotlb_cfg devtlb;
	unsigned int prq_timeout_ms;
	bool exec_requests;
};

/**
 * struct sim_iommu_stats - counters of one device, plus the unit's.
 * @devtlb_hits: translations answered by the device TLB.
 * @devtlb_misses: device TLB lookups that went to the IOMMU (0 without ATS).
 * @iotlb_hits: IOMMU translations answered by the IOTLB.
 * @iotlb_misses: IOMMU translations that walked (or failed before walking).
 * @walks: page walks (second-stage-only lookups and two-dimensional walks).
 * @s1_refs: first-stage entry reads.
 * @ad_updates: first-stage entries written to set A/EA/D.
 * @s2_walks: second-stage translations (each first-stage table read and the leaf of a nested
 *	walk; the one lookup of a paging walk).
 * @mem_refs: @s1_refs + @ad_updates + @s2_walks x 4: the memory references of the walks,
 *	charging each second-stage translation as a 4-level table walk (sim's second stage is
 *	an interval lookup, not a radix table). A 4-level nested walk with A already set: 24.
 * @fills_dropped: walk results not cached because an invalidation raced the walk.
 * @faults: translations that failed (-EFAULT or -ENXIO).
 * @page_requests: page requests sent (one per page of a group).
 * @prq_groups: page-request groups sent.
 * @prq_success, @prq_invalid, @prq_timeouts: how the groups ended.
 * @prq_late: responses that arrived after their group timed out (ignored).
 * @inv_global, @inv_domain, @inv_pasid, @inv_range, @inv_devtlb: invalidations issued on the
 *	unit, by granularity (process-wide, all devices).
 * @iotlb_entries, @iotlb_capacity, @iotlb_evictions, @iotlb_flush_scanned: the unit's IOTLB
 *	(flush_scanned stays 0 across PASID/domain/global flushes: they are O(1)).
 * @devtlb_entries, @devtlb_capacity: this device's device TLB.
 */
struct sim_iommu_stats {
	uint64_t devtlb_hits, devtlb_misses;
	uint64_t iotlb_hits, iotlb_misses;
	uint64_t walks, s1_refs, ad_updates, s2_walks, mem_refs;
	uint64_t fills_dropped;
	uint64_t faults;
	uint64_t page_requests, prq_groups, prq_success, prq_invalid, prq_timeouts, prq_late;
	uint64_t inv_global, inv_domain, inv_pasid, inv_range, inv_devtlb;
	uint64_t iotlb_entries, iotlb_capacity, iotlb_evictions, iotlb_flush_scanned;
	uint64_t devtlb_entries, devtlb_capacity;
};

/* A page of a page-request group (sim_iommu_page_group()). */
struct sim_iommu_prq_page {
	uint64_t iova;
	unsigned int access; /* SIM_DMA_WRITE | SIM_XLATE_EXEC | SIM_XLATE_PRIV */
};

/**
 * sim_iommu_configure() - set the unit's configuration.
 * @cfg: the configuration, or NULL for the defaults.
 *
 * The IOTLB is replaced (empty), so this is allowed only while no sim_iommu_dev exists.
 *
 * Return: 0, -EBUSY (devices exist), -EINVAL (bad geometry or flags), -ENOMEM.
 */
int sim_iommu_configure(const struct sim_iommu_cfg *cfg);

/**
 * sim_iommu_dev_create() - create a sim PCI device the IOMMU translates for.
 * @info: as for sim_pdev_create(); @info->ops and @info->priv must be NULL (this module
 *	owns them: page responses come back here). @info->ats gives the device a device TLB.
 * @out: the device.
 *
 * Return: the vfio index N (/dev/vfio/devices/vfioN) >= 0, or -EINVAL, -ENOMEM, -ENOSPC.
 */
int sim_iommu_dev_create(const struct sim_pdev_info *info, struct sim_iommu_dev **out);

/**
 * sim_iommu_dev_destroy() - unpublish the device. No translation or page request may run on it
 * or start afterwards; its memory goes with the last reference (open cdevs keep it).
 * @dev: the device, or NULL.
 */
void sim_iommu_dev_destroy(struct sim_iommu_dev *dev);

/* sim_iommu_dev_pdev() - the sim_pdev behind @dev. */
struct sim_pdev *sim_iommu_dev_pdev(struct sim_iommu_dev *dev);

/**
 * sim_iommu_dev_set_prq_timeout() - the time page requests of @dev wait by default.
 * @dev: the device.
 * @timeout_ms: milliseconds (0: the unit's default).
 */
void sim_iommu_dev_set_prq_timeout(struct sim_iommu_dev *dev, unsigned int timeout_ms);

/**
 * sim_iommu_translate() - translate one address of a device request.
 * @dev: the requester.
 * @pasid: the request's PASID (with @pasid_valid); requests without one use the RID's (0).
 * @pasid_valid: whether the request carries a PASID.
 * @iova: the input address.
 * @access: SIM_DMA_READ or SIM_DMA_WRITE, | SIM_XLATE_EXEC (reads only) | SIM_XLATE_PRIV.
 * @out: on success, @out->host = the host address of @iova and @out->len = bytes to the end
 *	of the page or leaf that translated it (within one second-stage mapping).
 * @fault: on failure, why (may be NULL).
 *
 * This thread's translation cache, then the device TLB, then the IOTLB, then a walk of the
 * attached HWPT; sets A/D in first-stage tables as hardware does and caches the result.
 * Allocation-free. A thread that has translated for a device keeps a little state about it
 * until it translates for another device or exits (its counts, see sim_iommu_stats()).
 *
 * Return: 0; -EFAULT translation fault; -ENXIO PASID out of range or nothing attached;
 * -EINVAL unknown @access bits or WRITE|EXEC.
 */
int sim_iommu_translate(struct sim_iommu_dev *dev, uint32_t pasid, bool pasid_valid, uint64_t iova,
			unsigned int access, struct sim_dma_xlate *out,
			struct sim_xlate_fault *fault);

/**
 * sim_iommu_page_group() - send a page-request group and wait for its response.
 * @dev: the requester.
 * @pasid: the PASID (with @pasid_valid).
 * @pasid_valid: whether the requests carry a PASID.
 * @pages: the pages (addresses are aligned down to 4 KiB); all but the last go out without
 *	LAST_PAGE, the last with it, all under one PRG index (9 bits, allocated per device).
 * @n: 1..512 pages.
 * @timeout_ms: how long to wait for the response (0: the device's default).
 *
 * The group goes to the fault queue of the HWPT attached at the PASID. A response that comes
 * after the timeout is ignored, and its PRG index is reused only once that response (or the
 * automatic INVALID of a detach or fault-queue destroy) has arrived. Several threads may wait
 * at once.
 *
 * Return: 0 (SUCCESS: translate again), -EFAULT (INVALID), -ETIMEDOUT, -EIO (no fault queue at
 * that PASID: nothing was sent), -EINVAL (bad @n or access bits), -ENOMEM.
 */
int sim_iommu_page_group(struct sim_iommu_dev *dev, uint32_t pasid, bool pasid_valid,
			 const struct sim_iommu_prq_page *pages, unsigned int n,
			 unsigned int timeout_ms);

/* sim_iommu_page_request() - a group of one page (LAST_PAGE). As sim_iommu_page_group(). */
int sim_iommu_page_request(struct sim_iommu_dev *dev, uint32_t pasid, bool pasid_valid,
			   uint64_t iova, unsigned int access, unsigned int timeout_ms);

/**
 * sim_iommu_stats() - read @dev's counters and the unit's.
 * @dev: the device.
 * @out: filled; each counter is read atomically, the set is not one instant.
 */
void sim_iommu_stats(struct sim_iommu_dev *dev, struct sim_iommu_stats *out);

/*
 * Explicit invalidations, as VT-d's queued-invalidation descriptors (the iommufd paths call
 * the same code). Each returns when no later lookup can hit what it covers.
 *
 * sim_iommu_inv_range() - PASID-based IOTLB invalidation, page-selective (type 0x6, G=3):
 * @npages 4 KiB pages from @addr of (@did, @pasid), any page size overlapping them; @addr 0
 * with @npages UINT64_MAX is the whole PASID; @ih = invalidation hint (leaf only).
 */
void sim_iommu_inv_range(uint32_t did, uint32_t pasid, uint64_t addr, uint64_t npages, bool ih);
/* sim_iommu_inv_pasid() - PASID-selective (type 0x6, G=2): every entry of (@did, @pasid). */
void sim_iommu_inv_pasid(uint32_t did, uint32_t pasid);
/* sim_iommu_inv_domain() - domain-selective IOTLB invalidation (type 0x2, G=2): all PASIDs. */
void sim_iommu_inv_domain(uint32_t did);
/* sim_iommu_inv_global() - global IOTLB invalidation (type 0x2, G=1). */
void sim_iommu_inv_global(void);
/*
 * sim_iommu_inv_devtlb() - device-TLB invalidation (types 0x3/0x8) of @dev for @pasid (0 for
 * requests without PASID): @npages from @addr, or everything of the PASID with @addr 0 and
 * @npages UINT64_MAX. No-op for a device without ATS.
 */
void sim_iommu_inv_devtlb(struct sim_iommu_dev *dev, uint32_t pasid, uint64_t addr,
			  uint64_t npages);

/*
 * The sim_dma backend: dma->priv is the struct sim_iommu_dev; dma->pasid, pasid_valid and
 * priv_req are the request's. page_request answers -EOPNOTSUPP (sim_dma then reports a
 * translation fault) for faults a page request cannot fix and when the PASID's HWPT has no
 * fault queue; otherwise it sends a one-page group with the device's timeout.
 */
extern const struct sim_dma_ops sim_iommu_dma_ops;

#endif /* SVART_SIM_IOMMU_TRANSLATE_H */
