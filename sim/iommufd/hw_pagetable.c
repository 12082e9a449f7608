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
	/* Pairs with sim_hwpt_nested_alloc() */
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

static struct sim_hwpt_nested *sim_hwpt_nested_alloc(struct sim_iommufd_ctx *ictx,
						     struct sim_hwpt_paging *parent,
						     struct sim_idev *idev, uint32_t flags,
						     const struct sim_user_data *data, int *err)
{
	const struct sim_iommu_ops *ops = idev->pdev->iommu;
	struct sim_hwpt_nested *hwpt_nested;
	int rc;

	if ((flags & ~(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)) || !data->len) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if (parent->auto_domain || !parent->nest_parent || parent->common.owner != ops) {
		*err = -EINVAL;
		return NULL;
	}
	hwpt_nested = (struct sim_hwpt_nested *)sim_iommufd_object_alloc(ictx, sizeof(*hwpt_nested),
									 SIM_OBJ_HWPT_NESTED);
	if (!hwpt_nested) {
		*err = -ENOMEM;
		return NULL;
	}
	atomic_fetch_add(&parent->common.obj.users, 1); /* Pairs with sim_hwpt_nested_destroy() */
	hwpt_nested->parent = parent;
	hwpt_nested->common.owner = ops;
	hwpt_nested->common.pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;
	/* A nested domain has its own domain id, as VT-d's nested domains do. */
	rc = sim_iommu_did_alloc(&hwpt_nested->common.did);
	if (!rc)
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
	} else if (pt_obj->type == SIM_OBJ_HWPT_PAGING) {
		struct sim_hwpt_nested *hwpt_nested;

		hwpt_nested = sim_hwpt_nested_alloc(ucmd->ictx, (struct sim_hwpt_paging *)pt_obj,
						    idev, cmd->flags, &data, &rc);
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
	/*
	 * A domain allocated without DIRTY_TRACKING has no dirty ops: EOPNOTSUPP. No sim
	 * driver tracks dirty pages yet, so there is nothing else to do.
	 */
	rc = hwpt_paging->dirty_tracking ? 0 : -EOPNOTSUPP;
	sim_iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}

int sim_hwpt_get_dirty_bitmap(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct sim_hwpt_paging *hwpt_paging;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) || cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt_paging = sim_get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (!hwpt_paging)
		return -ENOENT;
	/* Same as above: only a driver with dirty tracking could answer. */
	rc = -EOPNOTSUPP;
	sim_iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}
