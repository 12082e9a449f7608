// SPDX-License-Identifier: MIT
/*
 * HW pagetables (drivers/iommu/iommufd/hw_pagetable.c): paging HWPTs on an IOAS (user-made or
 * automatic), nested HWPTs on a nest-parent paging HWPT, HWPT_ALLOC / HWPT_INVALIDATE and the
 * dirty-tracking commands.
 */
#include <errno.h>
#include <stdlib.h>

#include "sim/iommufd/iommufd_private.h"

static void sim_hwpt_destroy_common(struct sim_hwpt *hwpt)
{
	/* Pairs with sim_hwpt_paging_alloc() / sim_hwpt_nested_alloc(); flushes the IOTLB. */
	sim_iommu_did_free(hwpt->did);
	if (hwpt->domain_priv)
		hwpt->owner->domain_free(hwpt->domain_priv);
	if (hwpt->fault)
		atomic_fetch_sub(&hwpt->fault->obj.users,
				 1); /* Pairs with sim_hwpt_alloc_ioctl() */
}

void sim_hwpt_paging_destroy(struct sim_iommufd_object *obj)
{
	struct sim_hwpt_paging *hwpt_paging = (struct sim_hwpt_paging *)obj;

	if (hwpt_paging->domain_added) {
		sim_ioas_del_hwpt(hwpt_paging->ioas, hwpt_paging);
		sim_iopt_remove_domain(&hwpt_paging->ioas->iopt, &hwpt_paging->domain);
		hwpt_paging->domain_added = false;
	}
	sim_hwpt_destroy_common(&hwpt_paging->common);
	/* Pairs with sim_hwpt_paging_alloc() */
	atomic_fetch_sub(&hwpt_paging->ioas->obj.users, 1);
}

void sim_hwpt_paging_abort(struct sim_iommufd_object *obj)
{
	sim_hwpt_paging_destroy(obj);
}

void sim_hwpt_nested_destroy(struct sim_iommufd_object *obj)
{
	struct sim_hwpt_nested *hwpt_nested = (struct sim_hwpt_nested *)obj;

	sim_hwpt_destroy_common(&hwpt_nested->common);
	/* Pairs with sim_hwpt_nested_alloc(); a vIOMMU holds the parent for its HWPTs. */
	if (hwpt_nested->viommu)
		atomic_fetch_sub(&hwpt_nested->viommu->obj.users, 1);
	else
		atomic_fetch_sub(&hwpt_nested->parent->common.obj.users, 1);
}

void sim_hwpt_put(struct sim_iommufd_ctx *ictx, struct sim_hwpt *hwpt)
{
	struct sim_hwpt_paging *hwpt_paging = sim_to_hwpt_paging(hwpt);

	/* An automatic domain goes with its last user. */
	if (hwpt_paging && hwpt_paging->auto_domain) {
		sim_iommufd_object_remove(ictx, &hwpt->obj, hwpt->obj.id);
		return;
	}
	atomic_fetch_sub(&hwpt->obj.users, 1);
}

struct sim_hwpt_paging *sim_hwpt_paging_alloc(struct sim_iommufd_ctx *ictx, struct sim_ioas *ioas,
					      struct sim_idev *idev, uint32_t flags,
					      const struct sim_user_data *data, int *err)
{
	const uint32_t valid_flags = IOMMU_HWPT_ALLOC_NEST_PARENT |
				     IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_FAULT_ID_VALID |
				     IOMMU_HWPT_ALLOC_PASID;
	const struct sim_iommu_ops *ops = idev->pdev->iommu;
	struct sim_hwpt_paging *hwpt_paging;
	int rc;

	if (flags & ~valid_flags) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && !ops->dirty_tracking) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	/* A nest parent is never a fault target: faults come from the stage-1 on top. */
	if ((flags & IOMMU_HWPT_FAULT_ID_VALID) && (flags & IOMMU_HWPT_ALLOC_NEST_PARENT)) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	hwpt_paging = (struct sim_hwpt_paging *)sim_iommufd_object_alloc(ictx, sizeof(*hwpt_paging),
									 SIM_OBJ_HWPT_PAGING);
	if (!hwpt_paging) {
		*err = -ENOMEM;
		return NULL;
	}
	atomic_fetch_add(&ioas->obj.users, 1); /* Pairs with sim_hwpt_paging_destroy() */
	hwpt_paging->ioas = ioas;
	hwpt_paging->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	hwpt_paging->dirty_tracking = flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	hwpt_paging->common.owner = ops;
	hwpt_paging->common.pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;

	/* sim allocates the domain id with the domain (VT-d's driver: at first attach). */
	rc = sim_iommu_did_alloc(&hwpt_paging->common.did);
	if (rc)
		goto out_abort;
	rc = ops->alloc_paging(idev->pdev, flags & ~IOMMU_HWPT_FAULT_ID_VALID, data,
			       &hwpt_paging->common.domain_priv);
	if (rc)
		goto out_abort;
	rc = ops->paging_geometry(idev->pdev, flags, &hwpt_paging->domain);
	if (rc)
		goto out_abort;
	rc = sim_ioas_add_hwpt(ioas, hwpt_paging);
	if (rc)
		goto out_abort;
	rc = sim_iopt_add_domain(&ioas->iopt, &hwpt_paging->domain);
	if (rc) {
		sim_ioas_del_hwpt(ioas, hwpt_paging);
		goto out_abort;
	}
	hwpt_paging->domain_added = true;
	return hwpt_paging;

out_abort:
	sim_iommufd_object_abort_and_destroy(ictx, &hwpt_paging->common.obj);
	*err = rc;
	return NULL;
}

/*
 * A nested HWPT on a nest-parent paging HWPT, or on a vIOMMU (@viommu, whose parent it
 * takes): iommufd_hwpt_nested_alloc() and iommufd_viommu_alloc_hwpt_nested().
 */
static struct sim_hwpt_nested *sim_hwpt_nested_alloc(struct sim_iommufd_ctx *ictx,
						     struct sim_hwpt_paging *parent,
						     struct sim_viommu *viommu,
						     struct sim_idev *idev, uint32_t flags,
						     const struct sim_user_data *data, int *err)
{
	const struct sim_iommu_ops *ops = viommu ? viommu->iommu : idev->pdev->iommu;
	struct sim_hwpt_nested *hwpt_nested;
	int rc;

	if ((flags & ~(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)) || !data->len) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if (viommu) {
		parent = viommu->hwpt;
	} else if (parent->auto_domain || !parent->nest_parent || parent->common.owner != ops) {
		*err = -EINVAL;
		return NULL;
	}
	hwpt_nested = (struct sim_hwpt_nested *)sim_iommufd_object_alloc(ictx, sizeof(*hwpt_nested),
									 SIM_OBJ_HWPT_NESTED);
	if (!hwpt_nested) {
		*err = -ENOMEM;
		return NULL;
	}
	/* Pairs with sim_hwpt_nested_destroy() */
	if (viommu)
		atomic_fetch_add(&viommu->obj.users, 1);
	else
		atomic_fetch_add(&parent->common.obj.users, 1);
	hwpt_nested->parent = parent;
	hwpt_nested->viommu = viommu;
	hwpt_nested->common.owner = ops;
	hwpt_nested->common.pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;
	/* A nested domain has its own domain id, as VT-d's nested domains do. */
	rc = sim_iommu_did_alloc(&hwpt_nested->common.did);
	if (!rc && viommu)
		rc = viommu->ops->alloc_nested(viommu, flags & ~IOMMU_HWPT_FAULT_ID_VALID, data,
					       &hwpt_nested->common.domain_priv);
	else if (!rc)
		rc = ops->alloc_nested(idev->pdev, parent, flags & ~IOMMU_HWPT_FAULT_ID_VALID, data,
				       &hwpt_nested->common.domain_priv);
	if (rc) {
		sim_iommufd_object_abort_and_destroy(ictx, &hwpt_nested->common.obj);
		*err = rc;
		return NULL;
	}
	return hwpt_nested;
}

int sim_hwpt_alloc_ioctl(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	const struct sim_user_data data = {
		.type = cmd->data_type,
		.uptr = cmd->data_uptr,
		.len = cmd->data_len,
	};
	struct sim_iommufd_object *pt_obj;
	struct sim_hwpt *hwpt;
	struct sim_idev *idev;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len))
		return -EINVAL;
	idev = sim_iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (!idev)
		return -ENOENT;
	pt_obj = sim_iommufd_get_object(ucmd->ictx, cmd->pt_id, SIM_OBJ_ANY);
	if (!pt_obj) {
		rc = -EINVAL;
		goto out_put_idev;
	}
	if (pt_obj->type == SIM_OBJ_IOAS) {
		struct sim_hwpt_paging *hwpt_paging;

		hwpt_paging = sim_hwpt_paging_alloc(ucmd->ictx, (struct sim_ioas *)pt_obj, idev,
						    cmd->flags, data.len ? &data : NULL, &rc);
		if (!hwpt_paging)
			goto out_put_pt;
		hwpt = &hwpt_paging->common;
	} else if (pt_obj->type == SIM_OBJ_HWPT_PAGING || pt_obj->type == SIM_OBJ_VIOMMU) {
		struct sim_hwpt_nested *hwpt_nested;

		if (pt_obj->type == SIM_OBJ_VIOMMU)
			hwpt_nested =
				sim_hwpt_nested_alloc(ucmd->ictx, NULL, (struct sim_viommu *)pt_obj,
						      idev, cmd->flags, &data, &rc);
		else
			hwpt_nested =
				sim_hwpt_nested_alloc(ucmd->ictx, (struct sim_hwpt_paging *)pt_obj,
						      NULL, idev, cmd->flags, &data, &rc);
		if (!hwpt_nested)
			goto out_put_pt;
		hwpt = &hwpt_nested->common;
	} else {
		rc = -EINVAL;
		goto out_put_pt;
	}

	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		struct sim_fault *fault;

		fault = sim_iommufd_get_fault(ucmd->ictx, cmd->fault_id);
		if (!fault) {
			rc = -ENOENT;
			goto out_hwpt;
		}
		hwpt->fault = fault;
		atomic_fetch_add(&fault->obj.users, 1); /* Pairs with sim_hwpt_destroy_common() */
		sim_iommufd_put_object(ucmd->ictx, &fault->obj);
	}

	cmd->out_hwpt_id = hwpt->obj.id;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_hwpt;
	sim_iommufd_object_finalize(ucmd->ictx, &hwpt->obj);
	goto out_put_pt;

out_hwpt:
	sim_iommufd_object_abort_and_destroy(ucmd->ictx, &hwpt->obj);
out_put_pt:
	sim_iommufd_put_object(ucmd->ictx, pt_obj);
out_put_idev:
	sim_iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

int sim_hwpt_invalidate(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct sim_user_data_array data_array = {
		.type = cmd->data_type,
		.uptr = cmd->data_uptr,
		.entry_len = cmd->entry_len,
		.entry_num = cmd->entry_num,
	};
	struct sim_iommufd_object *pt_obj;
	uint32_t done_num = 0;
	int rc;

	if (cmd->__reserved) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len)) {
		rc = -EINVAL;
		goto out;
	}
	pt_obj = sim_iommufd_get_object(ucmd->ictx, cmd->hwpt_id, SIM_OBJ_ANY);
	if (!pt_obj) {
		rc = -ENOENT;
		goto out;
	}
	if (pt_obj->type == SIM_OBJ_HWPT_NESTED) {
		struct sim_hwpt *hwpt = (struct sim_hwpt *)pt_obj;

		rc = hwpt->owner->cache_invalidate_user(hwpt, &data_array);
		done_num = data_array.entry_num;
	} else if (pt_obj->type == SIM_OBJ_VIOMMU) {
		struct sim_viommu *viommu = (struct sim_viommu *)pt_obj;

		rc = viommu->ops->cache_invalidate(viommu, &data_array);
		done_num = data_array.entry_num;
	} else {
		rc = -EINVAL;
	}
	sim_iommufd_put_object(ucmd->ictx, pt_obj);
out:
	/* entry_num reports the entries handled, even when the command fails. */
	cmd->entry_num = done_num;
	if (sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return rc;
}

static struct sim_hwpt_paging *sim_get_hwpt_paging(struct sim_iommufd_ctx *ictx, uint32_t id)
{
	return (struct sim_hwpt_paging *)sim_iommufd_get_object(ictx, id, SIM_OBJ_HWPT_PAGING);
}

int sim_hwpt_set_dirty_tracking(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct sim_hwpt_paging *hwpt_paging;
	int rc;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	hwpt_paging = sim_get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (!hwpt_paging)
		return -ENOENT;
	/* A domain allocated without DIRTY_TRACKING has no dirty ops: EOPNOTSUPP. */
	if (hwpt_paging->dirty_tracking)
		rc = hwpt_paging->common.owner->set_dirty_tracking(
			&hwpt_paging->common, cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	else
		rc = -EOPNOTSUPP;
	sim_iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}

/*
 * The part of the user's bitmap being filled (the kernel's iova_bitmap): one bit per
 * page_size of IOVA from @iova, bit i in byte i / 8 (a little-endian u64 array, at any
 * alignment). The kernel only sets bits; the ones the user left set stay.
 */
struct sim_dirty_chunk {
	uint64_t iova; /* IOVA of bit 0 */
	uint64_t last; /* last IOVA the chunk covers */
	uint64_t page_size;
	uint8_t *bits;
};

static void sim_dirty_record(void *ctx, uint64_t iova, uint64_t length)
{
	struct sim_dirty_chunk *chunk = ctx;
	uint64_t first = iova, last = iova + length - 1;

	if (last < chunk->iova || first > chunk->last)
		return;
	first = first < chunk->iova ? chunk->iova : first;
	last = last > chunk->last ? chunk->last : last;
	for (uint64_t i = (first - chunk->iova) / chunk->page_size;
	     i <= (last - chunk->iova) / chunk->page_size; i++)
		chunk->bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* iommufd_check_iova_range(): the range and page size fit the IOAS's alignment. */
static int sim_dirty_check_range(const struct sim_iopt *iopt,
				 const struct iommu_hwpt_get_dirty_bitmap *cmd, uint64_t *last)
{
	uint64_t align = iopt->iova_alignment;

	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->iova, cmd->length - 1, last))
		return -EOVERFLOW;
	if ((cmd->iova & (align - 1)) || ((*last + 1) & (align - 1)))
		return -EINVAL;
	if (!cmd->page_size)
		return -EINVAL;
	if ((cmd->iova & (cmd->page_size - 1)) || ((*last + 1) & (cmd->page_size - 1)))
		return -EINVAL;
	return 0;
}

/* Bits of the user's bitmap handled at a time, as the kernel maps it piece by piece. */
#define SIM_DIRTY_CHUNK_BITS (64UL * 1024 * 8)

/*
 * iopt_read_and_clear_dirty_data(): chunk by chunk, the driver reports the dirty pages of
 * each run of areas; a gap in the mapping is EINVAL (chunks before it are already done).
 */
static int sim_dirty_read(struct sim_hwpt_paging *hwpt_paging, uint64_t iova, uint64_t last,
			  uint64_t page_size, bool no_clear, uint8_t *user)
{
	struct sim_iopt *iopt = &hwpt_paging->ioas->iopt;
	struct sim_dirty_chunk chunk = { .page_size = page_size };
	uint64_t nbits = (last - iova) / page_size + 1;
	uint8_t *bits;
	int rc = 0;

	bits = malloc(SIM_DIRTY_CHUNK_BITS / 8);
	if (!bits)
		return -ENOMEM;
	chunk.bits = bits;
	for (uint64_t bit = 0; bit < nbits && !rc; bit += SIM_DIRTY_CHUNK_BITS) {
		uint64_t n =
			nbits - bit < SIM_DIRTY_CHUNK_BITS ? nbits - bit : SIM_DIRTY_CHUNK_BITS;
		size_t bytes = (n + 7) / 8;
		uint64_t cur;

		chunk.iova = iova + bit * page_size;
		chunk.last = chunk.iova + (n - 1) * page_size + (page_size - 1);
		rc = sim_copy_from_user(bits, user + bit / 8, bytes);
		for (cur = chunk.iova; !rc;) {
			uint64_t area_last, end;

			if (sim_iopt_area_last(iopt, cur, &area_last)) {
				rc = -EINVAL;
				break;
			}
			end = area_last < chunk.last ? area_last : chunk.last;
			rc = hwpt_paging->common.owner->read_and_clear_dirty(
				&hwpt_paging->common, cur, end - cur + 1, no_clear,
				sim_dirty_record, &chunk);
			if (end == chunk.last)
				break;
			cur = end + 1;
		}
		if (!rc)
			rc = sim_copy_to_user(user + bit / 8, bits, bytes);
	}
	free(bits);
	return rc;
}

int sim_hwpt_get_dirty_bitmap(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct sim_hwpt_paging *hwpt_paging;
	uint64_t last;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) || cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt_paging = sim_get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (!hwpt_paging)
		return -ENOENT;
	/* Only a domain with dirty ops can answer. */
	if (!hwpt_paging->dirty_tracking) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}
	rc = sim_dirty_check_range(&hwpt_paging->ioas->iopt, cmd, &last);
	if (rc)
		goto out_put;
	rc = sim_dirty_read(hwpt_paging, cmd->iova, last, cmd->page_size,
			    cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
			    sim_u64_to_user_ptr(cmd->data));
out_put:
	sim_iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}
