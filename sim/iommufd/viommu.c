// SPDX-License-Identifier: MIT
/*
 * vIOMMUs and vDEVICEs (drivers/iommu/iommufd/viommu.c): VIOMMU_ALLOC on a nesting-parent
 * HWPT, VDEVICE_ALLOC (a device's virtual ID on a vIOMMU), and what the core does with them
 * elsewhere (nested HWPTs on a vIOMMU, HWPT_INVALIDATE on a vIOMMU).
 *
 * Linux 7.0 has no VT-d vIOMMU, so only the selftest's mock driver has one; its vEVENTQs and
 * HW queues are not modelled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_private.h"

static struct sim_viommu *sim_iommufd_get_viommu(struct sim_iommufd_ctx *ictx, uint32_t id)
{
	return (struct sim_viommu *)sim_iommufd_get_object(ictx, id, SIM_OBJ_VIOMMU);
}

void sim_viommu_destroy(struct sim_iommufd_object *obj)
{
	struct sim_viommu *viommu = (struct sim_viommu *)obj;

	if (viommu->ops)
		viommu->ops->destroy(viommu);
	free(viommu->vdevs);
	/* Pairs with sim_viommu_alloc_ioctl() */
	atomic_fetch_sub(&viommu->hwpt->common.obj.users, 1);
}

int sim_viommu_alloc_ioctl(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	const struct sim_user_data data = {
		.type = cmd->type,
		.uptr = cmd->data_uptr,
		.len = cmd->data_len,
	};
	const struct sim_viommu_ops *ops;
	struct sim_hwpt_paging *hwpt_paging;
	struct sim_viommu *viommu;
	struct sim_idev *idev;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	idev = sim_iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (!idev)
		return -ENOENT;
	ops = idev->pdev->iommu->viommu_ops(idev->pdev, cmd->type);
	if (!ops) {
		rc = -EOPNOTSUPP;
		goto out_put_idev;
	}
	hwpt_paging = (struct sim_hwpt_paging *)sim_iommufd_get_object(ucmd->ictx, cmd->hwpt_id,
								       SIM_OBJ_HWPT_PAGING);
	if (!hwpt_paging) {
		rc = -ENOENT;
		goto out_put_idev;
	}
	if (!hwpt_paging->nest_parent) {
		rc = -EINVAL;
		goto out_put_hwpt;
	}
	viommu = (struct sim_viommu *)sim_iommufd_object_alloc(ucmd->ictx, sizeof(*viommu),
							       SIM_OBJ_VIOMMU);
	if (!viommu) {
		rc = -ENOMEM;
		goto out_put_hwpt;
	}
	viommu->ictx = ucmd->ictx;
	viommu->type = cmd->type;
	viommu->iommu = idev->pdev->iommu;
	viommu->hwpt = hwpt_paging;
	atomic_fetch_add(&hwpt_paging->common.obj.users, 1); /* Pairs with sim_viommu_destroy() */
	rc = ops->init(viommu, idev->pdev, data.len ? &data : NULL);
	if (rc)
		goto out_abort;
	viommu->ops = ops;
	cmd->out_viommu_id = viommu->obj.id;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	sim_iommufd_object_finalize(ucmd->ictx, &viommu->obj);
	goto out_put_hwpt;

out_abort:
	sim_iommufd_object_abort_and_destroy(ucmd->ictx, &viommu->obj);
out_put_hwpt:
	sim_iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
out_put_idev:
	sim_iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

struct sim_vdevice *sim_viommu_find_vdev(struct sim_viommu *viommu, const struct sim_pdev *pdev)
{
	for (size_t i = 0; i < viommu->nr_vdevs; i++)
		if (viommu->vdevs[i]->idev->pdev == pdev)
			return viommu->vdevs[i];
	return NULL;
}

struct sim_vdevice *sim_viommu_find_virt_id(struct sim_viommu *viommu, uint64_t virt_id)
{
	for (size_t i = 0; i < viommu->nr_vdevs; i++)
		if (viommu->vdevs[i]->virt_id == virt_id)
			return viommu->vdevs[i];
	return NULL;
}

/* A device has at most one vDEVICE, on any vIOMMU of the context (the kernel's idev->vdev). */
static bool sim_idev_has_vdev(struct sim_iommufd_ctx *ictx, const struct sim_idev *idev)
{
	for (uint32_t i = 1; i < ictx->nr_slots; i++) {
		struct sim_iommufd_object *obj = sim_iommufd_get_object(ictx, i, SIM_OBJ_VDEVICE);
		bool mine;

		if (!obj)
			continue;
		mine = ((struct sim_vdevice *)obj)->idev == idev;
		sim_iommufd_put_object(ictx, obj);
		if (mine)
			return true;
	}
	return false;
}

void sim_vdevice_destroy(struct sim_iommufd_object *obj)
{
	struct sim_vdevice *vdev = (struct sim_vdevice *)obj;
	struct sim_viommu *viommu = vdev->viommu;

	for (size_t i = 0; i < viommu->nr_vdevs; i++) {
		if (viommu->vdevs[i] == vdev) {
			viommu->vdevs[i] = viommu->vdevs[--viommu->nr_vdevs];
			break;
		}
	}
	/* Pair with sim_vdevice_alloc_ioctl() */
	atomic_fetch_sub(&vdev->idev->obj.users, 1);
	atomic_fetch_sub(&viommu->obj.users, 1);
}

int sim_vdevice_alloc_ioctl(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct sim_vdevice *vdev;
	struct sim_viommu *viommu;
	struct sim_idev *idev;
	int rc;

	viommu = sim_iommufd_get_viommu(ucmd->ictx, cmd->viommu_id);
	if (!viommu)
		return -ENOENT;
	idev = sim_iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (!idev) {
		rc = -ENOENT;
		goto out_put_viommu;
	}
	/* Both behind the same physical IOMMU. */
	if (idev->pdev->iommu != viommu->iommu) {
		rc = -EINVAL;
		goto out_put_idev;
	}
	if (sim_idev_has_vdev(ucmd->ictx, idev) || sim_viommu_find_virt_id(viommu, cmd->virt_id)) {
		rc = -EEXIST;
		goto out_put_idev;
	}
	if (viommu->nr_vdevs == viommu->cap_vdevs) {
		size_t cap = viommu->cap_vdevs ? viommu->cap_vdevs * 2 : 4;
		struct sim_vdevice **v = realloc(viommu->vdevs, cap * sizeof(*v));

		if (!v) {
			rc = -ENOMEM;
			goto out_put_idev;
		}
		viommu->vdevs = v;
		viommu->cap_vdevs = cap;
	}
	vdev = (struct sim_vdevice *)sim_iommufd_object_alloc(ucmd->ictx, sizeof(*vdev),
							      SIM_OBJ_VDEVICE);
	if (!vdev) {
		rc = -ENOMEM;
		goto out_put_idev;
	}
	vdev->viommu = viommu;
	vdev->idev = idev;
	vdev->virt_id = cmd->virt_id;
	/* Pair with sim_vdevice_destroy() */
	atomic_fetch_add(&viommu->obj.users, 1);
	atomic_fetch_add(&idev->obj.users, 1);
	viommu->vdevs[viommu->nr_vdevs++] = vdev;
	cmd->out_vdevice_id = vdev->obj.id;
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		sim_iommufd_object_abort_and_destroy(ucmd->ictx, &vdev->obj);
		goto out_put_idev;
	}
	sim_iommufd_object_finalize(ucmd->ictx, &vdev->obj);
out_put_idev:
	sim_iommufd_put_object(ucmd->ictx, &idev->obj);
out_put_viommu:
	sim_iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}
