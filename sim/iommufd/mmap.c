// SPDX-License-Identifier: MIT
/*
 * mmap() of the iommufd (drivers/iommu/iommufd/main.c iommufd_fops_mmap() and driver.c
 * _iommufd_alloc_mmap()): a driver offers a region (the kernel: an MMIO range, e.g. a vIOMMU's
 * command-queue page) under an offset it reports to userspace, which maps exactly that offset
 * and length. Each mapping holds the region's owner (DESTROY of it is EBUSY) and the file.
 *
 * sim's regions are memory files the driver keeps: a mapping is a MAP_SHARED mapping of the
 * file, so the driver and the process see the same bytes, as with the kernel's page. The
 * kernel drops its references when the last piece of the mapping goes (vm_close); sim learns
 * of unmaps from sim_iommufd_munmap_notify(), which the interposer calls after each munmap()
 * (in process, whoever unmaps calls it). mremap() of such a mapping is not followed, and a
 * fork's child shares the mapping without holding references in its copy of sim.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "sim/iommufd/iommufd_private.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* One region offered to mmap() (the kernel's struct iommufd_mmap), on ictx->mmaps by offset. */
struct sim_iommufd_mmap {
	struct sim_iommufd_mmap *next;
	struct sim_iommufd_object *owner;
	uint64_t offset;
	uint64_t length;
	int memfd;
};

/* A live mapping of a region: the references it holds go when its last page is unmapped. */
struct sim_iommufd_vma {
	struct sim_iommufd_vma *next;
	uintptr_t start;
	size_t npages;
	size_t mapped; /* pages still mapped */
	struct sim_iommufd_ctx *ictx;
	struct sim_iommufd_object *owner;
	uint8_t present[]; /* per page */
};

static pthread_mutex_t sim_vma_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_iommufd_vma *sim_vmas;
/* Lets every munmap() of a process without iommufd mappings skip the lock. */
static atomic_int sim_nr_vmas;

int sim_iommufd_alloc_mmap(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *owner,
			   int memfd, uint64_t length, uint64_t *offset)
{
	struct sim_iommufd_mmap *immap, **pp;
	uint64_t start = SIM_PAGE_SIZE;

	if (!length || length & (SIM_PAGE_SIZE - 1))
		return -EINVAL;
	/* First fit from PAGE_SIZE in the list sorted by offset (mtree_alloc_range()). */
	for (pp = &ictx->mmaps; *pp; pp = &(*pp)->next) {
		if ((*pp)->offset - start >= length)
			break;
		start = (*pp)->offset + (*pp)->length;
	}
	if (start > UINT64_MAX - length)
		return -ENOSPC;
	immap = calloc(1, sizeof(*immap));
	if (!immap)
		return -ENOMEM;
	immap->owner = owner;
	immap->offset = start;
	immap->length = length;
	immap->memfd = memfd;
	immap->next = *pp;
	*pp = immap;
	*offset = start;
	return 0;
}

void sim_iommufd_destroy_mmap(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *owner,
			      uint64_t offset)
{
	for (struct sim_iommufd_mmap **pp = &ictx->mmaps; *pp; pp = &(*pp)->next) {
		struct sim_iommufd_mmap *immap = *pp;

		if (immap->offset == offset && immap->owner == owner) {
			*pp = immap->next;
			free(immap);
			return;
		}
	}
}

static int sim_vma_add(struct sim_iommufd_ctx *ictx, struct sim_iommufd_object *owner, void *addr,
		       size_t len)
{
	size_t npages = len / SIM_PAGE_SIZE;
	struct sim_iommufd_vma *vma = malloc(sizeof(*vma) + npages);

	if (!vma)
		return -ENOMEM;
	vma->start = (uintptr_t)addr;
	vma->npages = npages;
	vma->mapped = npages;
	vma->ictx = ictx;
	vma->owner = owner;
	for (size_t i = 0; i < npages; i++)
		vma->present[i] = 1;
	pthread_mutex_lock(&sim_vma_lock);
	vma->next = sim_vmas;
	sim_vmas = vma;
	atomic_fetch_add(&sim_nr_vmas, 1);
	pthread_mutex_unlock(&sim_vma_lock);
	return 0;
}

int sim_iommufd_fops_mmap(struct sim_file *file, size_t len, int prot, int flags, off_t off,
			  void **addr)
{
	const int pass = MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_POPULATE | MAP_LOCKED;
	struct sim_iommufd_ctx *ictx = file->private_data;
	struct sim_iommufd_mmap *immap;
	void *hint = *addr, *va;
	int rc;

	/* The VFS's part: a page-aligned offset, and the length rounded up to whole pages. */
	if (off < 0 || off & (SIM_PAGE_SIZE - 1))
		return -EINVAL;
	len = (len + SIM_PAGE_SIZE - 1) & ~(SIM_PAGE_SIZE - 1);
	/* The MMIO rules: shared, never executable. */
	if ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (prot & PROT_EXEC)
		return -EPERM;
	pthread_mutex_lock(&ictx->mutex);
	/* Only the exact region: its offset and its whole length (ENXIO otherwise). */
	for (immap = ictx->mmaps; immap; immap = immap->next)
		if ((uint64_t)off >= immap->offset && (uint64_t)off - immap->offset < immap->length)
			break;
	if (!immap || (uint64_t)off != immap->offset || len != immap->length) {
		rc = -ENXIO;
		goto out_unlock;
	}
	va = mmap(hint, len, prot, MAP_SHARED | (flags & pass), immap->memfd, 0);
	if (va == MAP_FAILED) {
		rc = -errno;
		goto out_unlock;
	}
	rc = sim_vma_add(ictx, immap->owner, va, len);
	if (rc) {
		munmap(va, len);
		goto out_unlock;
	}
	/* Both pair with sim_iommufd_munmap_notify() (the kernel's vm_close and the vma's file). */
	atomic_fetch_add(&immap->owner->users, 1);
	sim_iommufd_ctx_get(ictx);
	*addr = va;
out_unlock:
	pthread_mutex_unlock(&ictx->mutex);
	return rc;
}

void sim_iommufd_munmap_notify(const void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)addr, end;
	struct sim_iommufd_vma *gone = NULL, **pp;

	if (!atomic_load(&sim_nr_vmas) || !len || __builtin_add_overflow(start, len, &end))
		return;
	pthread_mutex_lock(&sim_vma_lock);
	for (pp = &sim_vmas; *pp;) {
		struct sim_iommufd_vma *vma = *pp;
		uintptr_t vend = vma->start + vma->npages * SIM_PAGE_SIZE;

		if (end > vma->start && start < vend) {
			size_t first =
				start > vma->start ? (start - vma->start) / SIM_PAGE_SIZE : 0;
			size_t last = (end < vend ? end - vma->start + SIM_PAGE_SIZE - 1 :
						    vend - vma->start) /
				      SIM_PAGE_SIZE;

			for (size_t i = first; i < last; i++) {
				vma->mapped -= vma->present[i];
				vma->present[i] = 0;
			}
			if (!vma->mapped) {
				*pp = vma->next;
				vma->next = gone;
				gone = vma;
				atomic_fetch_sub(&sim_nr_vmas, 1);
				continue;
			}
		}
		pp = &vma->next;
	}
	pthread_mutex_unlock(&sim_vma_lock);
	/* Outside the lock: the context's last reference may go here and release it. */
	while (gone) {
		struct sim_iommufd_vma *next = gone->next;

		atomic_fetch_sub(&gone->owner->users, 1);
		sim_iommufd_ctx_put(gone->ictx);
		free(gone);
		gone = next;
	}
}
