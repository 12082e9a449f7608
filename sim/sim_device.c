// SPDX-License-Identifier: MIT
/*
 * sim devices: the global registry behind /dev/vfio/devices/vfioN, and the device-side view
 * of attachments (which HW pagetable translates a (device, PASID)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/iommufd/iommufd_private.h"
#include "sim/sim_device.h"

#define SIM_MAX_PDEVS 256

static struct sim_pdev *sim_pdevs[SIM_MAX_PDEVS];
static pthread_mutex_t sim_pdevs_lock = PTHREAD_MUTEX_INITIALIZER;

/* The VT-d interrupt window every VT-d device reserves (IOMMU_RESV_MSI). */
static const struct sim_resv_region sim_vtd_default_resv[] = {
	{ .start = 0xfee00000, .length = 0x100000 },
};

int sim_pdev_create(const struct sim_pdev_info *info, struct sim_pdev **out)
{
	const struct sim_resv_region *resv = info->resv;
	unsigned int nr_resv = info->nr_resv;
	struct sim_pdev *pdev;
	int index;

	if (!info->name || info->max_pasid_log2 > 20 || (nr_resv && !resv))
		return -EINVAL;
	for (unsigned int i = 0; i < nr_resv; i++)
		if (!resv[i].length || resv[i].start + resv[i].length - 1 < resv[i].start)
			return -EINVAL;
	pdev = calloc(1, sizeof(*pdev));
	if (!pdev)
		return -ENOMEM;
	pdev->iommu = info->iommu ? info->iommu : &sim_vtd_ops;
	if (!nr_resv && !info->no_resv && pdev->iommu == &sim_vtd_ops) {
		resv = sim_vtd_default_resv;
		nr_resv = sizeof(sim_vtd_default_resv) / sizeof(*resv);
	}
	if (nr_resv) {
		pdev->resv = malloc(nr_resv * sizeof(*resv));
		if (!pdev->resv) {
			free(pdev);
			return -ENOMEM;
		}
		memcpy(pdev->resv, resv, nr_resv * sizeof(*resv));
		pdev->nr_resv = nr_resv;
	}
	snprintf(pdev->name, sizeof(pdev->name), "%s", info->name);
	pdev->rid = info->rid;
	pdev->max_pasids = info->max_pasid_log2 ? 1u << info->max_pasid_log2 : 0;
	pdev->ats = info->ats;
	pdev->pasid_exec = info->pasid_exec;
	pdev->pasid_priv = info->pasid_priv;
	pdev->ops = info->ops;
	pdev->priv = info->priv;
	atomic_init(&pdev->refs, 1); /* Pairs with sim_pdev_destroy() */
	pthread_rwlock_init(&pdev->lock, NULL);
	pthread_mutex_init(&pdev->dev_lock, NULL);
	pthread_mutex_init(&pdev->iopf_lock, NULL);
	if (info->no_cdev) {
		pdev->vfio_index = -1;
		*out = pdev;
		return 0;
	}

	pthread_mutex_lock(&sim_pdevs_lock);
	for (index = 0; index < SIM_MAX_PDEVS; index++)
		if (!sim_pdevs[index])
			break;
	if (index == SIM_MAX_PDEVS) {
		pthread_mutex_unlock(&sim_pdevs_lock);
		/* A device that never existed is not released to its owner. */
		pdev->ops = NULL;
		pdev->refs = 0;
		sim_pdev_put(pdev);
		return -ENOSPC;
	}
	pdev->vfio_index = index;
	pdev->registered = true;
	sim_pdevs[index] = pdev;
	pthread_mutex_unlock(&sim_pdevs_lock);
	*out = pdev;
	return index;
}

void sim_pdev_destroy(struct sim_pdev *pdev)
{
	pthread_mutex_lock(&sim_pdevs_lock);
	if (pdev->registered && sim_pdevs[pdev->vfio_index] == pdev)
		sim_pdevs[pdev->vfio_index] = NULL;
	pdev->registered = false;
	pthread_mutex_unlock(&sim_pdevs_lock);
	sim_pdev_put(pdev);
}

struct sim_pdev *sim_pdev_find_vfio(int index)
{
	struct sim_pdev *pdev = NULL;

	if (index < 0 || index >= SIM_MAX_PDEVS)
		return NULL;
	pthread_mutex_lock(&sim_pdevs_lock);
	if (sim_pdevs[index]) {
		pdev = sim_pdevs[index];
		sim_pdev_get(pdev);
	}
	pthread_mutex_unlock(&sim_pdevs_lock);
	return pdev;
}

void sim_pdev_get(struct sim_pdev *pdev)
{
	atomic_fetch_add(&pdev->refs, 1);
}

void sim_pdev_put(struct sim_pdev *pdev)
{
	struct sim_iopf *f;

	if (atomic_fetch_sub(&pdev->refs, 1) > 1)
		return;
	if (pdev->ops && pdev->ops->release)
		pdev->ops->release(pdev, pdev->priv);
	/* Parked requests of a dead device are dropped: nobody is waiting for them. */
	while ((f = pdev->partial)) {
		pdev->partial = f->next;
		free(f);
	}
	free(pdev->attach);
	free(pdev->resv);
	pthread_rwlock_destroy(&pdev->lock);
	pthread_mutex_destroy(&pdev->dev_lock);
	pthread_mutex_destroy(&pdev->iopf_lock);
	free(pdev);
}

/* ---- device-side view of attachments ---------------------------------------------------- */

struct sim_hwpt *sim_pdev_get_hwpt(struct sim_pdev *pdev, uint32_t pasid)
{
	struct sim_hwpt *hwpt = NULL;
	unsigned int lo = 0, hi;

	pthread_rwlock_rdlock(&pdev->lock);
	hi = pdev->nr_attach;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (pdev->attach[mid].pasid < pasid) {
			lo = mid + 1;
		} else if (pdev->attach[mid].pasid > pasid) {
			hi = mid;
		} else {
			hwpt = pdev->attach[mid].handle->hwpt;
			/* Pairs with sim_hwpt_put_shortterm() */
			atomic_fetch_add(&hwpt->obj.shortterm, 1);
			break;
		}
	}
	pthread_rwlock_unlock(&pdev->lock);
	return hwpt;
}

void sim_hwpt_put_shortterm(struct sim_hwpt *hwpt)
{
	atomic_fetch_sub(&hwpt->obj.shortterm, 1);
}

enum sim_hwpt_kind sim_hwpt_kind(const struct sim_hwpt *hwpt)
{
	return hwpt->obj.type == SIM_OBJ_HWPT_NESTED ? SIM_HWPT_NESTED : SIM_HWPT_PAGING;
}

struct sim_iopt *sim_hwpt_iopt(struct sim_hwpt *hwpt)
{
	struct sim_hwpt_paging *paging = sim_find_hwpt_paging(hwpt);

	return paging ? &paging->ioas->iopt : NULL;
}

struct sim_hwpt *sim_hwpt_parent(struct sim_hwpt *hwpt)
{
	struct sim_hwpt_nested *nested = sim_to_hwpt_nested(hwpt);

	return nested ? &nested->parent->common : NULL;
}

bool sim_hwpt_has_fault(const struct sim_hwpt *hwpt)
{
	return hwpt->fault != NULL;
}

uint32_t sim_hwpt_did(const struct sim_hwpt *hwpt)
{
	return hwpt->did;
}

uint64_t sim_hwpt_aperture_end(struct sim_hwpt *hwpt)
{
	struct sim_hwpt_paging *paging = sim_find_hwpt_paging(hwpt);

	return paging ? paging->domain.aperture_end : 0;
}

void sim_pdev_for_each_attach(struct sim_pdev *pdev,
			      void (*fn)(void *arg, uint32_t pasid, struct sim_hwpt *hwpt),
			      void *arg)
{
	pthread_rwlock_rdlock(&pdev->lock);
	for (unsigned int i = 0; i < pdev->nr_attach; i++)
		fn(arg, pdev->attach[i].pasid, pdev->attach[i].handle->hwpt);
	pthread_rwlock_unlock(&pdev->lock);
}
