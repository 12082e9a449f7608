// SPDX-License-Identifier: MIT
/*
 * SVA for sim's idxd face: a device bound to the idxd driver sees the process's own address
 * space, as a device attached to an SVA domain does on the kernel (iommu_sva_bind_device()).
 *
 * The I/O address is the process virtual address, so a translation is the identity; what the
 * backend models is *whether* the IOMMU has a translation, which is what decides between a
 * completed descriptor, a page request and a partial completion:
 *  - a page the process has mapped and populated translates; its protection (the VMA's, from
 *    PROCMAP_QUERY via pasid/pasid_vma.h) gives the entry's permissions;
 *  - a page that is mapped but not populated (mincore(2) says not resident) is a translation
 *    fault, as a not-present first-stage PTE is on hardware;
 *  - anything unmapped, or without the permission, is a translation fault too.
 * Translations are cached in a sim IOTLB (sim/iommu/iotlb.h) tagged by the SVA domain and the
 * process PASID, and dropped when the process unmaps, remaps, reprotects or discards memory
 * (sim_idxd_sva_invalidate(), which the interposer calls after munmap, mremap, mprotect and
 * madvise; the kernel's MMU notifier does the same for a real SVA domain).
 *
 * A page request is resolved the way the kernel's iommu_sva_handle_mm() does: the page is
 * faulted in for the process (madvise(MADV_POPULATE_READ/WRITE)); success if that worked,
 * Invalid Request if the address is not mapped or lacks the access.
 *
 * Coherency window: glibc's own munmap() calls (free() of a large block) are not seen, so a
 * cached translation can outlive its page. The device's access then hits the unmapped page
 * inside sim_guard and is reported as a translation fault, never a crash; a page merely
 * reclaimed after being cached is touched (and faulted back in) by the access instead of
 * faulting. docs/SIM_IDXD.md describes this.
 *
 * Hot path: a translation is an IOTLB lookup; a miss costs two system calls (the VMA query and
 * one mincore() over a window of pages, all cached at once).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pasid/pasid_vma.h"
#include "sim/idxd/idxd_private.h"
#include "sim/iommu/iotlb.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define SVA_PAGE_SHIFT 12
#define SVA_PAGE_SIZE (UINT64_C(1) << SVA_PAGE_SHIFT)
#define SVA_PAGE_MASK (SVA_PAGE_SIZE - 1)
/* The SVA domain's id in the IOTLB tags (the nested iommufd path uses its own IOTLBs). */
#define SVA_DOMAIN 1u
/* The PASID the process gets: global SVA PASIDs start at 1 (IOMMU_FIRST_GLOBAL_PASID). */
#define SVA_PASID 1u
/* x86-64 user addresses (4-level paging); the device faults above. */
#define SVA_VA_LIMIT (UINT64_C(1) << 47)
/* Pages looked up per IOTLB miss. */
#define SVA_WINDOW 64u

struct idxd_sva_dev {
	struct sim_accel_dev *dev;
	atomic_int bonds; /* open files of this process on this device */
	struct idxd_sva_dev *next;
};

static struct {
	pthread_mutex_t lock;
	struct idxd_sva_dev *devs;
	_Atomic uint32_t pasid; /* 0 until the first bind */
	struct sim_iotlb *_Atomic iotlb;
	atomic_int maps_fd;
	atomic_int bonds;
	_Atomic uint64_t hits, misses, not_present, prs, pr_ok, pr_inval, invals;
} sva = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.maps_fd = -1,
};

/* ---- The device's state ---- */

static struct idxd_sva_dev *sva_dev_find_locked(struct sim_accel_dev *dev)
{
	for (struct idxd_sva_dev *sd = sva.devs; sd; sd = sd->next)
		if (sd->dev == dev)
			return sd;
	return NULL;
}

static struct idxd_sva_dev *sva_dev_new_locked(struct sim_accel_dev *dev)
{
	struct idxd_sva_dev *sd = calloc(1, sizeof(*sd));

	if (!sd)
		return NULL;
	sd->dev = dev;
	atomic_init(&sd->bonds, 0);
	sd->next = sva.devs;
	sva.devs = sd;
	return sd;
}

struct idxd_sva_dev *idxd_sva_dev_get(struct sim_accel_dev *dev)
{
	struct idxd_sva_dev *sd;

	pthread_mutex_lock(&sva.lock);
	sd = sva_dev_find_locked(dev);
	if (!sd)
		sd = sva_dev_new_locked(dev);
	pthread_mutex_unlock(&sva.lock);
	return sd;
}

int idxd_sva_install(struct idxd_sva_dev *sd)
{
	return sim_accel_dev_set_dma(sd->dev, &idxd_sva_ops, sd);
}

static int sva_attach(struct sim_accel_dev *dev, const struct sim_dma_ops **ops, void **priv)
{
	struct idxd_sva_dev *sd = idxd_sva_dev_get(dev);

	if (!sd)
		return -ENOMEM;
	*ops = &idxd_sva_ops;
	*priv = sd;
	return 0;
}

/*
 * The state stays allocated after the device is gone: the device's id may come back, and a
 * file the process still holds may point at it. It is a few bytes per device ever created.
 */
static void sva_detach(struct sim_accel_dev *dev, void *priv)
{
	struct idxd_sva_dev *sd = priv;

	pthread_mutex_lock(&sva.lock);
	if (sd && sd->dev == dev)
		sd->dev = NULL;
	pthread_mutex_unlock(&sva.lock);
}

const struct sim_accel_dma_provider idxd_sva_provider = {
	.attach = sva_attach,
	.detach = sva_detach,
};

/* ---- Binding ---- */

int idxd_sva_bind(struct idxd_sva_dev *sd, uint32_t *pasid)
{
	struct sim_iotlb *tlb;
	int ret = 0;

	pthread_mutex_lock(&sva.lock);
	if (!atomic_load(&sva.iotlb)) {
		ret = sim_iotlb_create(NULL, &tlb);
		if (ret)
			goto out_unlock;
		/* Without it (no /proc) pasid_vma_find() reads the maps text each time. */
		atomic_store(&sva.maps_fd, pasid_vma_open());
		atomic_store_explicit(&sva.iotlb, tlb, memory_order_release);
	}
	if (!atomic_load(&sva.pasid))
		atomic_store_explicit(&sva.pasid, SVA_PASID, memory_order_release);
	atomic_fetch_add(&sd->bonds, 1); /* Pairs with idxd_sva_unbind() */
	atomic_fetch_add(&sva.bonds, 1);
	*pasid = atomic_load(&sva.pasid);
out_unlock:
	pthread_mutex_unlock(&sva.lock);
	return ret;
}

void idxd_sva_unbind(struct idxd_sva_dev *sd)
{
	pthread_mutex_lock(&sva.lock);
	if (atomic_load(&sd->bonds) > 0) {
		atomic_fetch_sub(&sd->bonds, 1);
		atomic_fetch_sub(&sva.bonds, 1);
	}
	pthread_mutex_unlock(&sva.lock);
}

bool sim_idxd_sva_active(void)
{
	return atomic_load_explicit(&sva.pasid, memory_order_relaxed) != 0;
}

/* ---- Translation ---- */

/* The request is one the SVA domain translates: this process's PASID, on a bound device. */
static bool sva_request_ok(const struct sim_dma *dma, uint32_t *pasid)
{
	const struct idxd_sva_dev *sd = dma->priv;

	*pasid = atomic_load_explicit(&sva.pasid, memory_order_acquire);
	/* A supervisor request has no user mm behind it: the first-stage U/S check fails. */
	return sd && *pasid && dma->pasid_valid && dma->pasid == *pasid && !dma->priv_req &&
	       atomic_load_explicit(&sd->bonds, memory_order_relaxed) > 0;
}

static uint32_t sva_perm(unsigned int prot)
{
	return SIM_IOTLB_PERM_U | ((prot & PROT_READ) ? SIM_IOTLB_PERM_R : 0) |
	       ((prot & PROT_WRITE) ? SIM_IOTLB_PERM_W : 0) |
	       ((prot & PROT_EXEC) ? SIM_IOTLB_PERM_X : 0);
}

/*
 * An IOTLB miss: what the process has at @page (and the pages after it in the same mapping),
 * cached when resident. Return 0 with @e for @page, or -EFAULT (not mapped, not readable, not
 * resident).
 */
static int sva_fill(struct sim_iotlb *tlb, uint32_t pasid, uint64_t page, struct sim_iotlb_entry *e)
{
	unsigned char vec[SVA_WINDOW];
	struct sim_iotlb_fill fill;
	struct pasid_vma vma;
	uint64_t end, n;

	atomic_fetch_add_explicit(&sva.misses, 1, memory_order_relaxed);
	/* Before looking: an invalidation from here on makes the inserts below refuse. */
	sim_iotlb_fill_begin(tlb, SVA_DOMAIN, pasid, &fill);
	if (pasid_vma_find(atomic_load_explicit(&sva.maps_fd, memory_order_relaxed), page, &vma))
		return -EFAULT;
	if (!(vma.prot & PROT_READ))
		return -EFAULT;
	end = vma.end;
	if (end - page > SVA_WINDOW * SVA_PAGE_SIZE)
		end = page + SVA_WINDOW * SVA_PAGE_SIZE;
	n = (end - page) >> SVA_PAGE_SHIFT;
	if (mincore((void *)(uintptr_t)page, end - page, vec))
		return -EFAULT;
	if (!(vec[0] & 1)) {
		atomic_fetch_add_explicit(&sva.not_present, 1, memory_order_relaxed);
		return -EFAULT;
	}
	memset(e, 0, sizeof(*e));
	e->perm = sva_perm(vma.prot);
	e->shift = SVA_PAGE_SHIFT;
	for (uint64_t i = 0; i < n; i++) {
		if (!(vec[i] & 1))
			continue;
		e->out = page + (i << SVA_PAGE_SHIFT);
		/* A refused insert (an invalidation raced the lookup) just leaves it uncached. */
		sim_iotlb_insert(tlb, &fill, e->out, e);
	}
	e->out = page;
	return 0;
}

static int sva_translate(struct sim_dma *dma, uint64_t iova, unsigned int access,
			 struct sim_dma_xlate *out)
{
	uint32_t need = SIM_IOTLB_PERM_R | ((access & SIM_DMA_WRITE) ? SIM_IOTLB_PERM_W : 0);
	struct sim_iotlb_entry e;
	struct sim_iotlb *tlb;
	uint32_t pasid;

	if (!sva_request_ok(dma, &pasid) || iova >= SVA_VA_LIMIT)
		return -EFAULT;
	tlb = atomic_load_explicit(&sva.iotlb, memory_order_acquire);
	if (sim_iotlb_lookup(tlb, SVA_DOMAIN, pasid, iova, &e)) {
		atomic_fetch_add_explicit(&sva.hits, 1, memory_order_relaxed);
	} else if (sva_fill(tlb, pasid, iova & ~SVA_PAGE_MASK, &e)) {
		return -EFAULT;
	}
	if ((e.perm & need) != need)
		return -EFAULT;
	out->host = (uintptr_t)iova;
	out->len = SVA_PAGE_SIZE - (iova & SVA_PAGE_MASK);
	return 0;
}

static int sva_page_request(struct sim_dma *dma, uint64_t iova, unsigned int access)
{
	uint64_t page = iova & ~SVA_PAGE_MASK;
	uint32_t pasid;
	int advice = (access & SIM_DMA_WRITE) ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;

	atomic_fetch_add_explicit(&sva.prs, 1, memory_order_relaxed);
	if (sva_request_ok(dma, &pasid) && iova < SVA_VA_LIMIT) {
		/*
		 * handle_mm_fault() for the process. It fails for an address that is not mapped
		 * (ENOMEM), without the access (EFAULT/EPERM) or on I/O mappings (EINVAL): all of
		 * them the kernel answers with IOMMU_PAGE_RESP_INVALID.
		 */
		while (madvise((void *)(uintptr_t)page, SVA_PAGE_SIZE, advice)) {
			if (errno != EINTR && errno != EAGAIN)
				goto out_invalid;
		}
		atomic_fetch_add_explicit(&sva.pr_ok, 1, memory_order_relaxed);
		return 0;
	}
out_invalid:
	atomic_fetch_add_explicit(&sva.pr_inval, 1, memory_order_relaxed);
	return -EFAULT;
}

const struct sim_dma_ops idxd_sva_ops = {
	.translate = sva_translate,
	.page_request = sva_page_request,
};

void sim_idxd_sva_invalidate(uint64_t addr, uint64_t len)
{
	uint32_t pasid = atomic_load_explicit(&sva.pasid, memory_order_acquire);
	struct sim_iotlb *tlb = atomic_load_explicit(&sva.iotlb, memory_order_acquire);
	uint64_t first, last;

	if (!pasid || !tlb || !len)
		return;
	first = addr & ~SVA_PAGE_MASK;
	last = addr + len - 1 < addr ? UINT64_MAX : addr + len - 1;
	atomic_fetch_add_explicit(&sva.invals, 1, memory_order_relaxed);
	sim_iotlb_flush_range(tlb, SVA_DOMAIN, pasid, first, ((last - first) >> SVA_PAGE_SHIFT) + 1,
			      false);
}

void sim_idxd_sva_stats(struct sim_idxd_sva_stats *out)
{
	out->iotlb_hits = atomic_load(&sva.hits);
	out->iotlb_misses = atomic_load(&sva.misses);
	out->not_present = atomic_load(&sva.not_present);
	out->page_requests = atomic_load(&sva.prs);
	out->pr_success = atomic_load(&sva.pr_ok);
	out->pr_invalid = atomic_load(&sva.pr_inval);
	out->invalidations = atomic_load(&sva.invals);
}
