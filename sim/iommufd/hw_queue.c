// SPDX-License-Identifier: MIT
/*
 * HW queues (drivers/iommu/iommufd/viommu.c, IOMMUFD_OBJ_HW_QUEUE): HW_QUEUE_ALLOC gives a
 * vIOMMU's driver a queue in guest memory at a nesting-parent IOVA, which its hardware reads
 * by physical address.
 *
 * As in the kernel, the core pins the queue's pages through an internal access on the
 * nesting parent's IOAS and locks the areas under them, so an IOAS_UNMAP of that memory fails
 * with EBUSY until the queue is destroyed, and the pages must be contiguous (EFAULT otherwise).
 * The internal access is an object with an ID of its own, as the kernel's is (it is
 * finalized into the table), so the IDs userspace sees match the kernel's. sim's devices reach
 * memory through process addresses, so "physical" here means the process address behind the
 * IOVA, and "contiguous" means consecutive process pages.
 */
#include <errno.h>
#include <stdlib.h>

#include "sim/iommufd/iommufd_private.h"
#include "sim/iommufd/selftest_uapi.h"

/* Internal accesses get no unmap notifications: their areas are locked instead. */
static void sim_hw_queue_access_unmap(void *data, uint64_t iova, uint64_t length)
{
}

static const struct sim_access_ops sim_hw_queue_access_ops = {
	.needs_pin_pages = true,
	.unmap = sim_hw_queue_access_unmap,
};

/*
 * iommufd_access_create_internal(): published at once, held by its creator, and (unlike a
 * driver's access) holding no context reference, since only an object of the context holds it.
 */
static struct sim_access *sim_access_create_internal(struct sim_iommufd_ctx *ictx)
{
	struct sim_access *access;

	access = (struct sim_access *)sim_iommufd_object_alloc(ictx, sizeof(*access),
							       SIM_OBJ_ACCESS);
	if (!access)
		return NULL;
	access->ictx = ictx;
	access->ops = &sim_hw_queue_access_ops;
	access->iova_alignment = SIM_PAGE_SIZE;
	/* The creator is a user until sim_access_destroy_internal(). */
	atomic_fetch_add(&access->obj.users, 1);
	sim_iommufd_object_finalize(ictx, &access->obj);
	return access;
}

/* Consumes the creator's reference; the access detaches from its IOAS on the way out. */
static void sim_access_destroy_internal(struct sim_iommufd_ctx *ictx, struct sim_access *access)
{
	sim_iommufd_object_remove(ictx, &access->obj, access->obj.id);
}

/* The first and last page-aligned IOVA and the page count of the queue's memory. */
static int sim_hw_queue_span(uint64_t iova, uint64_t length, uint64_t *aligned_iova,
			     uint64_t *aligned_len)
{
	uint64_t offset = iova & (SIM_PAGE_SIZE - 1), len;

	if (__builtin_add_overflow(offset, length, &len) ||
	    __builtin_add_overflow(len, SIM_PAGE_SIZE - 1, &len))
		return -ERANGE;
	*aligned_iova = iova - offset;
	*aligned_len = len & ~(SIM_PAGE_SIZE - 1);
	return 0;
}

static void sim_hw_queue_destroy_access(struct sim_iommufd_ctx *ictx, struct sim_access *access,
					uint64_t iova, uint64_t length)
{
	uint64_t aligned_iova, aligned_len;

	if (!sim_hw_queue_span(iova, length, &aligned_iova, &aligned_len)) {
		sim_iopt_lock_areas(&access->ioas->iopt, aligned_iova, aligned_len, false);
		sim_access_unpin_pages(access, aligned_iova, aligned_len);
	}
	sim_access_destroy_internal(ictx, access);
}

void sim_hw_queue_destroy(struct sim_iommufd_object *obj)
{
	struct sim_hw_queue *hw_queue = (struct sim_hw_queue *)obj;
	struct sim_viommu *viommu = hw_queue->viommu;

	if (hw_queue->destroy)
		hw_queue->destroy(hw_queue);
	if (hw_queue->access)
		sim_hw_queue_destroy_access(viommu->ictx, hw_queue->access, hw_queue->base_addr,
					    hw_queue->length);
	if (viommu)
		atomic_fetch_sub(&viommu->obj.users, 1); /* Pairs with sim_hw_queue_alloc_ioctl() */
}

/*
 * iommufd_hw_queue_alloc_phys(): pin the queue's pages through an internal access on the
 * nesting parent's IOAS, check they are contiguous, lock their areas. Returns the access, or
 * NULL with *@err.
 */
static struct sim_access *sim_hw_queue_alloc_phys(const struct iommu_hw_queue_alloc *cmd,
						  struct sim_viommu *viommu, uintptr_t *base_va,
						  int *err)
{
	uint64_t aligned_iova, length;
	struct sim_access *access;
	uintptr_t *pages;
	size_t npages;
	int rc;

	rc = sim_hw_queue_span(cmd->nesting_parent_iova, cmd->length, &aligned_iova, &length);
	if (rc) {
		*err = rc;
		return NULL;
	}
	npages = length / SIM_PAGE_SIZE;
	pages = calloc(npages, sizeof(*pages));
	if (!pages) {
		*err = -ENOMEM;
		return NULL;
	}
	access = sim_access_create_internal(viommu->ictx);
	if (!access) {
		rc = -ENOMEM;
		goto out_free;
	}
	rc = sim_access_attach(access, viommu->hwpt->ioas->obj.id);
	if (rc)
		goto out_destroy;
	rc = sim_access_pin_pages(access, aligned_iova, length, false, pages);
	if (rc)
		goto out_destroy;
	for (size_t i = 1; i < npages; i++) {
		if (pages[i] != pages[i - 1] + SIM_PAGE_SIZE) {
			rc = -EFAULT;
			goto out_unpin;
		}
	}
	sim_iopt_lock_areas(&access->ioas->iopt, aligned_iova, length, true);
	*base_va = pages[0] + (cmd->nesting_parent_iova - aligned_iova);
	free(pages);
	return access;

out_unpin:
	sim_access_unpin_pages(access, aligned_iova, length);
out_destroy:
	/* Detaches too, if it got attached. */
	sim_access_destroy_internal(viommu->ictx, access);
out_free:
	free(pages);
	*err = rc;
	return NULL;
}

int sim_hw_queue_alloc_ioctl(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	struct sim_hw_queue *hw_queue;
	struct sim_viommu *viommu;
	struct sim_access *access;
	uintptr_t base_va;
	uint64_t last;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->nesting_parent_iova, cmd->length - 1, &last))
		return -EOVERFLOW;
	viommu = (struct sim_viommu *)sim_iommufd_get_object(ucmd->ictx, cmd->viommu_id,
							     SIM_OBJ_VIOMMU);
	if (!viommu)
		return -ENOENT;
	if (!viommu->ops || !viommu->ops->hw_queue_supported ||
	    !viommu->ops->hw_queue_supported(viommu, cmd->type)) {
		rc = -EOPNOTSUPP;
		goto out_put_viommu;
	}
	/* The queue's ID comes before its access's, as in the kernel. */
	hw_queue = (struct sim_hw_queue *)sim_iommufd_object_alloc(ucmd->ictx, sizeof(*hw_queue),
								   SIM_OBJ_HW_QUEUE);
	if (!hw_queue) {
		rc = -ENOMEM;
		goto out_put_viommu;
	}
	access = sim_hw_queue_alloc_phys(cmd, viommu, &base_va, &rc);
	if (!access)
		goto out_abort;
	hw_queue->viommu = viommu;
	atomic_fetch_add(&viommu->obj.users, 1); /* Pairs with sim_hw_queue_destroy() */
	hw_queue->access = access;
	hw_queue->type = cmd->type;
	hw_queue->length = cmd->length;
	hw_queue->base_addr = cmd->nesting_parent_iova;
	rc = viommu->ops->hw_queue_init(hw_queue, cmd->index, base_va);
	if (rc)
		goto out_abort;
	cmd->out_hw_queue_id = hw_queue->obj.id;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	sim_iommufd_object_finalize(ucmd->ictx, &hw_queue->obj);
	goto out_put_viommu;

out_abort:
	sim_iommufd_object_abort_and_destroy(ucmd->ictx, &hw_queue->obj);
out_put_viommu:
	sim_iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}
