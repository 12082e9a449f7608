// SPDX-License-Identifier: MIT
/*
 * iommufd device objects (drivers/iommu/iommufd/device.c): bind/unbind, attach, replace and
 * detach of (device, PASID) to HW pagetables, automatic domains, reserved regions, and
 * IOMMU_GET_HW_INFO. Each sim device is its own IOMMU group, so the kernel's per-group
 * bookkeeping collapses into the device's attachment array.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_private.h"

/* ---- bind / unbind ---------------------------------------------------------------------- */

struct sim_idev *sim_iommufd_device_bind(struct sim_iommufd_ctx *ictx, struct sim_pdev *pdev,
					 uint32_t *id, int *err)
{
	struct sim_idev *idev;

	idev = (struct sim_idev *)sim_iommufd_object_alloc(ictx, sizeof(*idev), SIM_OBJ_DEVICE);
	if (!idev) {
		*err = -ENOMEM;
		return NULL;
	}
	idev->ictx = ictx;
	sim_pdev_get(pdev); /* Pairs with sim_idev_destroy() */
	idev->pdev = pdev;
	/* The binding driver is a user until sim_iommufd_device_unbind(). */
	atomic_fetch_add(&idev->obj.users, 1);
	sim_iommufd_object_finalize(ictx, &idev->obj);
	*id = idev->obj.id;
	return idev;
}

void sim_iommufd_device_unbind(struct sim_idev *idev)
{
	/* Drops the binder's reference; with everything detached the table's is the last. */
	sim_iommufd_object_remove(idev->ictx, &idev->obj, idev->obj.id);
}

void sim_idev_destroy(struct sim_iommufd_object *obj)
{
	struct sim_idev *idev = (struct sim_idev *)obj;

	sim_pdev_put(idev->pdev);
}

struct sim_idev *sim_iommufd_get_device(struct sim_iommufd_ctx *ictx, uint32_t id)
{
	return (struct sim_idev *)sim_iommufd_get_object(ictx, id, SIM_OBJ_DEVICE);
}

/* ---- the attachment array --------------------------------------------------------------- */

static struct sim_attach_handle *sim_pdev_find_attach(struct sim_pdev *pdev, uint32_t pasid,
						      unsigned int *pos)
{
	unsigned int lo = 0, hi = pdev->nr_attach;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (pdev->attach[mid].pasid < pasid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos)
		*pos = lo;
	if (lo < pdev->nr_attach && pdev->attach[lo].pasid == pasid)
		return pdev->attach[lo].handle;
	return NULL;
}

static bool sim_pdev_has_pasid_attach(struct sim_pdev *pdev)
{
	for (unsigned int i = 0; i < pdev->nr_attach; i++)
		if (pdev->attach[i].pasid != SIM_IOMMU_NO_PASID)
			return true;
	return false;
}

/* Grows the array ahead of time so the publishing step cannot fail. */
static int sim_pdev_reserve_attach(struct sim_pdev *pdev)
{
	struct sim_pdev_attach *a;
	unsigned int cap;
	int rc = 0;

	if (pdev->nr_attach < pdev->cap_attach)
		return 0;
	cap = pdev->cap_attach ? pdev->cap_attach * 2 : 4;
	/* Readers walk the array under the lock, so it moves only under the write lock. */
	pthread_rwlock_wrlock(&pdev->lock);
	a = realloc(pdev->attach, cap * sizeof(*a));
	if (a) {
		pdev->attach = a;
		pdev->cap_attach = cap;
	} else {
		rc = -ENOMEM;
	}
	pthread_rwlock_unlock(&pdev->lock);
	return rc;
}

/* ---- attach / replace / detach ---------------------------------------------------------- */

/*
 * iommufd_hwpt_pasid_compat(): a PASID needs a PASID-capable HWPT and a RID domain that is
 * PASID-capable too; a RID domain that is not may not come while PASIDs are attached.
 */
static int sim_hwpt_pasid_compat(struct sim_hwpt *hwpt, struct sim_pdev *pdev, uint32_t pasid)
{
	if (pasid == SIM_IOMMU_NO_PASID) {
		if (!hwpt->pasid_compat && sim_pdev_has_pasid_attach(pdev))
			return -EINVAL;
	} else {
		struct sim_attach_handle *rid;

		if (!hwpt->pasid_compat)
			return -EINVAL;
		rid = sim_pdev_find_attach(pdev, SIM_IOMMU_NO_PASID, NULL);
		if (rid && !rid->hwpt->pasid_compat)
			return -EINVAL;
	}
	return 0;
}

/* What the IOMMU core and driver check when a domain goes onto (device, PASID). */
static int sim_hwpt_check_device(struct sim_hwpt *hwpt, struct sim_idev *idev, uint32_t pasid)
{
	struct sim_pdev *pdev = idev->pdev;
	int rc;

	rc = sim_hwpt_pasid_compat(hwpt, pdev, pasid);
	if (rc)
		return rc;
	if (hwpt->owner != pdev->iommu)
		return -EINVAL;
	/* A device without PASID support has max_pasids 0: every PASID is out of range. */
	if (pasid != SIM_IOMMU_NO_PASID && pasid >= pdev->max_pasids)
		return -EINVAL;
	return pdev->iommu->attach_check(pdev, hwpt, pasid);
}

/* iommufd_hw_pagetable_attach(): returns 0 and holds @hwpt for the attachment. */
/*
 * Fills an attach handle; the handle holds @hwpt from here on, for attach and replace alike.
 */
static void sim_attach_handle_init(struct sim_attach_handle *handle, struct sim_idev *idev,
				   struct sim_hwpt *hwpt, uint32_t pasid)
{
	handle->idev = idev;
	handle->hwpt = hwpt;
	handle->pasid = pasid;
	atomic_fetch_add(&hwpt->obj.users, 1); /* Pairs with sim_hw_pagetable_detach() */
}

static int sim_hw_pagetable_attach(struct sim_hwpt *hwpt, struct sim_idev *idev, uint32_t pasid)
{
	struct sim_hwpt_paging *hwpt_paging = sim_find_hwpt_paging(hwpt);
	bool attach_resv = hwpt_paging && pasid == SIM_IOMMU_NO_PASID;
	struct sim_pdev *pdev = idev->pdev;
	struct sim_attach_handle *handle;
	unsigned int pos;
	int rc;

	/* Outside VFIO's replace semantics, a second attach of the same PASID is busy. */
	if (sim_pdev_find_attach(pdev, pasid, NULL))
		return -EBUSY;
	rc = sim_pdev_reserve_attach(pdev);
	if (rc)
		return rc;
	handle = calloc(1, sizeof(*handle));
	if (!handle)
		return -ENOMEM;
	if (attach_resv) {
		rc = sim_iopt_enforce_dev_resv_regions(&hwpt_paging->ioas->iopt, pdev);
		if (rc)
			goto out_free_handle;
	}
	rc = sim_hwpt_check_device(hwpt, idev, pasid);
	if (rc)
		goto out_unresv;

	sim_attach_handle_init(handle, idev, hwpt, pasid);
	pthread_rwlock_wrlock(&pdev->lock);
	sim_pdev_find_attach(pdev, pasid, &pos);
	memmove(&pdev->attach[pos + 1], &pdev->attach[pos],
		(pdev->nr_attach - pos) * sizeof(*pdev->attach));
	pdev->attach[pos] = (struct sim_pdev_attach){ pasid, handle };
	pdev->nr_attach++;
	pthread_rwlock_unlock(&pdev->lock);
	/* The IOMMU drops what it may still cache for this PASID from an earlier attachment. */
	sim_iommu_notify_attach(pdev, pasid, NULL, hwpt);
	return 0;

out_unresv:
	if (attach_resv)
		sim_iopt_remove_reserved_iova(&hwpt_paging->ioas->iopt, pdev);
out_free_handle:
	free(handle);
	return rc;
}

/* iommufd_hw_pagetable_detach(): the HWPT that was attached (caller puts it), or NULL. */
static struct sim_hwpt *sim_hw_pagetable_detach(struct sim_idev *idev, uint32_t pasid)
{
	struct sim_pdev *pdev = idev->pdev;
	struct sim_hwpt_paging *hwpt_paging;
	struct sim_attach_handle *handle;
	struct sim_hwpt *hwpt;
	unsigned int pos;

	handle = sim_pdev_find_attach(pdev, pasid, &pos);
	if (!handle)
		return NULL;
	/* Off the device first, so no new page request or translation can find it. */
	pthread_rwlock_wrlock(&pdev->lock);
	memmove(&pdev->attach[pos], &pdev->attach[pos + 1],
		(pdev->nr_attach - pos - 1) * sizeof(*pdev->attach));
	pdev->nr_attach--;
	pthread_rwlock_unlock(&pdev->lock);

	hwpt = handle->hwpt;
	/* Cached translations of the PASID go before the detach returns (the HWPT is alive). */
	sim_iommu_notify_attach(pdev, pasid, hwpt, NULL);
	sim_fault_auto_response(hwpt, handle);
	free(handle);
	hwpt_paging = sim_find_hwpt_paging(hwpt);
	if (hwpt_paging && pasid == SIM_IOMMU_NO_PASID)
		sim_iopt_remove_reserved_iova(&hwpt_paging->ioas->iopt, pdev);
	return hwpt;
}

/* Attach as an attach_fn: NULL on success (nothing to destroy), else *err. */
static struct sim_hwpt *sim_device_do_attach(struct sim_idev *idev, uint32_t pasid,
					     struct sim_hwpt *hwpt, int *err)
{
	*err = sim_hw_pagetable_attach(hwpt, idev, pasid);
	return NULL;
}

/*
 * iommufd_device_do_replace(): atomically moves (device, PASID) to @hwpt. Returns the old HWPT
 * (its attachment reference passes to the caller), NULL if nothing changed, or NULL with *err.
 */
static struct sim_hwpt *sim_device_do_replace(struct sim_idev *idev, uint32_t pasid,
					      struct sim_hwpt *hwpt, int *err)
{
	struct sim_hwpt_paging *hwpt_paging = sim_find_hwpt_paging(hwpt);
	bool attach_resv = hwpt_paging && pasid == SIM_IOMMU_NO_PASID;
	struct sim_attach_handle *old_handle, *handle;
	struct sim_hwpt_paging *old_hwpt_paging;
	struct sim_pdev *pdev = idev->pdev;
	bool added_resv = false;
	struct sim_hwpt *old_hwpt;
	unsigned int pos;
	int rc;

	*err = 0;
	old_handle = sim_pdev_find_attach(pdev, pasid, &pos);
	if (!old_handle) {
		*err = -EINVAL;
		return NULL;
	}
	old_hwpt = old_handle->hwpt;
	if (hwpt == old_hwpt)
		return NULL;

	old_hwpt_paging = sim_find_hwpt_paging(old_hwpt);
	/* Reserved regions move only when the IOAS changes. */
	if (attach_resv && (!old_hwpt_paging || old_hwpt_paging->ioas != hwpt_paging->ioas)) {
		rc = sim_iopt_enforce_dev_resv_regions(&hwpt_paging->ioas->iopt, pdev);
		if (rc)
			goto out_err;
		added_resv = true;
	}
	rc = sim_hwpt_check_device(hwpt, idev, pasid);
	if (rc)
		goto out_unresv;
	handle = calloc(1, sizeof(*handle));
	if (!handle) {
		rc = -ENOMEM;
		goto out_unresv;
	}
	sim_attach_handle_init(handle, idev, hwpt, pasid);
	pthread_rwlock_wrlock(&pdev->lock);
	pdev->attach[pos].handle = handle;
	pthread_rwlock_unlock(&pdev->lock);
	sim_iommu_notify_attach(pdev, pasid, old_hwpt, hwpt);

	/* Requests still pending on the old domain are answered now that it is gone. */
	sim_fault_auto_response(old_hwpt, old_handle);
	free(old_handle);
	if (old_hwpt_paging && pasid == SIM_IOMMU_NO_PASID &&
	    (!hwpt_paging || hwpt_paging->ioas != old_hwpt_paging->ioas))
		sim_iopt_remove_reserved_iova(&old_hwpt_paging->ioas->iopt, pdev);
	return old_hwpt;

out_unresv:
	if (added_resv)
		sim_iopt_remove_reserved_iova(&hwpt_paging->ioas->iopt, pdev);
out_err:
	*err = rc;
	return NULL;
}

typedef struct sim_hwpt *(*sim_attach_fn)(struct sim_idev *idev, uint32_t pasid,
					  struct sim_hwpt *hwpt, int *err);

/*
 * Attaching to an IOAS reuses a compatible automatic domain or makes one; a user-made HWPT is
 * never picked. EINVAL from a candidate means "incompatible, try the next".
 */
static struct sim_hwpt *sim_device_auto_get_domain(struct sim_idev *idev, uint32_t pasid,
						   struct sim_ioas *ioas, uint32_t *pt_id,
						   sim_attach_fn do_attach, int *err)
{
	struct sim_hwpt_paging *hwpt_paging;
	struct sim_hwpt *destroy_hwpt;

	for (size_t i = 0; i < ioas->nr_hwpts; i++) {
		struct sim_hwpt *hwpt = &ioas->hwpts[i]->common;

		if (!ioas->hwpts[i]->auto_domain)
			continue;
		atomic_fetch_add(&hwpt->obj.users, 1);
		destroy_hwpt = do_attach(idev, pasid, hwpt, err);
		atomic_fetch_sub(&hwpt->obj.users, 1);
		if (*err) {
			if (*err == -EINVAL)
				continue;
			return NULL;
		}
		*pt_id = hwpt->obj.id;
		return destroy_hwpt;
	}

	hwpt_paging = sim_hwpt_paging_alloc(idev->ictx, ioas, idev, 0, NULL, err);
	if (!hwpt_paging)
		return NULL;
	destroy_hwpt = do_attach(idev, pasid, &hwpt_paging->common, err);
	if (*err) {
		sim_iommufd_object_abort_and_destroy(idev->ictx, &hwpt_paging->common.obj);
		return NULL;
	}
	hwpt_paging->auto_domain = true;
	*pt_id = hwpt_paging->common.obj.id;
	sim_iommufd_object_finalize(idev->ictx, &hwpt_paging->common.obj);
	return destroy_hwpt;
}

static int sim_device_change_pt(struct sim_idev *idev, uint32_t pasid, uint32_t *pt_id,
				sim_attach_fn do_attach)
{
	struct sim_iommufd_object *pt_obj;
	struct sim_hwpt *destroy_hwpt;
	int rc = 0;

	pt_obj = sim_iommufd_get_object(idev->ictx, *pt_id, SIM_OBJ_ANY);
	if (!pt_obj)
		return -ENOENT;
	switch (pt_obj->type) {
	case SIM_OBJ_HWPT_NESTED:
	case SIM_OBJ_HWPT_PAGING:
		destroy_hwpt = do_attach(idev, pasid, (struct sim_hwpt *)pt_obj, &rc);
		break;
	case SIM_OBJ_IOAS:
		destroy_hwpt = sim_device_auto_get_domain(idev, pasid, (struct sim_ioas *)pt_obj,
							  pt_id, do_attach, &rc);
		break;
	default:
		destroy_hwpt = NULL;
		rc = -EINVAL;
		break;
	}
	sim_iommufd_put_object(idev->ictx, pt_obj);
	/* The old HWPT goes after everything else is consistent. */
	if (!rc && destroy_hwpt)
		sim_hwpt_put(idev->ictx, destroy_hwpt);
	return rc;
}

int sim_iommufd_device_attach(struct sim_idev *idev, uint32_t pasid, uint32_t *pt_id)
{
	int rc = sim_device_change_pt(idev, pasid, pt_id, sim_device_do_attach);

	if (rc)
		return rc;
	/* Pairs with sim_iommufd_device_detach(): a bound device is busy while attached. */
	atomic_fetch_add(&idev->obj.users, 1);
	return 0;
}

int sim_iommufd_device_replace(struct sim_idev *idev, uint32_t pasid, uint32_t *pt_id)
{
	return sim_device_change_pt(idev, pasid, pt_id, sim_device_do_replace);
}

void sim_iommufd_device_detach(struct sim_idev *idev, uint32_t pasid)
{
	struct sim_hwpt *hwpt = sim_hw_pagetable_detach(idev, pasid);

	if (!hwpt)
		return;
	sim_hwpt_put(idev->ictx, hwpt);
	atomic_fetch_sub(&idev->obj.users, 1);
}

/* ---- IOMMU_GET_HW_INFO ------------------------------------------------------------------ */

int sim_get_hw_info(struct sim_iommufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	void *user_ptr = sim_u64_to_user_ptr(cmd->data_uptr);
	uint64_t data[8] = { 0 };
	uint32_t data_len = 0, copy_len, type;
	struct sim_idev *idev;
	struct sim_pdev *pdev;
	int rc;

	if (cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		return -EOPNOTSUPP;
	if (cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	/* Drivers cannot take a random input type. */
	if (!(cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE))
		cmd->in_data_type = IOMMU_HW_INFO_TYPE_DEFAULT;
	idev = sim_iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (!idev)
		return -ENOENT;
	pdev = idev->pdev;
	type = cmd->in_data_type;
	rc = pdev->iommu->hw_info(pdev, data, &data_len, &type);
	if (rc)
		goto out_put;
	cmd->out_data_type = type;
	copy_len = cmd->data_len < data_len ? cmd->data_len : data_len;
	rc = sim_copy_to_user(user_ptr, data, copy_len);
	if (rc)
		goto out_put;
	/* Zero the rest of a larger user buffer so old fields never look valid. */
	if (copy_len < cmd->data_len) {
		rc = sim_clear_user((char *)user_ptr + copy_len, cmd->data_len - copy_len);
		if (rc)
			goto out_put;
	}
	cmd->data_len = data_len;
	cmd->out_capabilities = 0;
	if (pdev->iommu->dirty_tracking)
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	if (!pdev->ats)
		cmd->out_capabilities |= IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED;
	cmd->out_max_pasid_log2 = 0;
	if (pdev->max_pasids) {
		cmd->out_max_pasid_log2 = (uint8_t)__builtin_ctz(pdev->max_pasids);
		if (pdev->pasid_exec)
			cmd->out_capabilities |= IOMMU_HW_CAP_PCI_PASID_EXEC;
		if (pdev->pasid_priv)
			cmd->out_capabilities |= IOMMU_HW_CAP_PCI_PASID_PRIV;
	}
	rc = sim_iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	sim_iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}
