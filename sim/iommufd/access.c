// SPDX-License-Identifier: MIT
/*
 * Accesses (the kernel's struct iommufd_access, drivers/iommu/iommufd/device.c): users of an
 * IOAS inside the "kernel" that read and write it with the CPU or pin its pages, as mdev-style
 * drivers do. In sim the selftest's mock driver is the only such user (CREATE_ACCESS).
 *
 * An access is an object in the context's table, held by its driver (DESTROY of its ID is
 * EBUSY) and holding the context alive. It holds its IOAS too. When the IOAS unmaps pages an
 * access pinned, the unmap asks it to unpin (ops->unmap) and only then completes.
 *
 * Every function here takes the context's mutex itself (it is recursive): the driver calls in
 * from its own file operations, and ops->unmap calls back while an UNMAP holds it.
 */
#include <errno.h>

#include "sim/iommufd/iommufd_private.h"

struct sim_access *sim_access_create(struct sim_iommufd_ctx *ictx, const struct sim_access_ops *ops,
				     void *data, uint32_t *id, int *err)
{
	struct sim_access *access;

	pthread_mutex_lock(&ictx->mutex);
	access = (struct sim_access *)sim_iommufd_object_alloc(ictx, sizeof(*access),
							       SIM_OBJ_ACCESS);
	if (!access) {
		pthread_mutex_unlock(&ictx->mutex);
		*err = -ENOMEM;
		return NULL;
	}
	access->ictx = ictx;
	access->ops = ops;
	access->data = data;
	access->iova_alignment = ops->needs_pin_pages ? SIM_PAGE_SIZE : 1;
	/* The driver is a user until sim_access_destroy(). */
	atomic_fetch_add(&access->obj.users, 1);
	sim_iommufd_ctx_get(ictx); /* Pairs with sim_access_destroy() */
	sim_iommufd_object_finalize(ictx, &access->obj);
	*id = access->obj.id;
	pthread_mutex_unlock(&ictx->mutex);
	return access;
}

/*
 * iommufd_access_change_ioas(): ioas is NULL while the change runs, so no new pin starts;
 * pins taken on the old IOAS are undone there (ioas_unpin) through ops->unmap before the
 * access leaves it.
 */
static int sim_access_change_ioas(struct sim_access *access, struct sim_ioas *new_ioas)
{
	struct sim_ioas *cur_ioas = access->ioas;
	int rc;

	if (cur_ioas == new_ioas)
		return 0;
	access->ioas = NULL;
	if (new_ioas) {
		rc = sim_iopt_add_access(&new_ioas->iopt, access);
		if (rc) {
			access->ioas = cur_ioas;
			return rc;
		}
		atomic_fetch_add(&new_ioas->obj.users, 1); /* Pairs with the next change */
	}
	if (cur_ioas) {
		access->ops->unmap(access->data, 0, UINT64_MAX);
		sim_iopt_remove_access(&cur_ioas->iopt, access);
		atomic_fetch_sub(&cur_ioas->obj.users, 1);
	}
	access->ioas = new_ioas;
	access->ioas_unpin = new_ioas;
	return 0;
}

static int sim_access_change_ioas_id(struct sim_access *access, uint32_t ioas_id)
{
	struct sim_ioas *ioas = sim_iommufd_get_ioas(access->ictx, ioas_id);
	int rc;

	if (!ioas)
		return -ENOENT;
	rc = sim_access_change_ioas(access, ioas);
	sim_iommufd_put_object(access->ictx, &ioas->obj);
	return rc;
}

int sim_access_attach(struct sim_access *access, uint32_t ioas_id)
{
	int rc = -EINVAL;

	pthread_mutex_lock(&access->ictx->mutex);
	if (!access->ioas)
		rc = sim_access_change_ioas_id(access, ioas_id);
	pthread_mutex_unlock(&access->ictx->mutex);
	return rc;
}

int sim_access_replace(struct sim_access *access, uint32_t ioas_id)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&access->ictx->mutex);
	if (access->ioas)
		rc = sim_access_change_ioas_id(access, ioas_id);
	pthread_mutex_unlock(&access->ictx->mutex);
	return rc;
}

void sim_access_object_destroy(struct sim_iommufd_object *obj)
{
	struct sim_access *access = (struct sim_access *)obj;

	if (access->ioas)
		sim_access_change_ioas(access, NULL);
}

void sim_access_destroy(struct sim_access *access)
{
	struct sim_iommufd_ctx *ictx = access->ictx;

	pthread_mutex_lock(&ictx->mutex);
	/* Consumes the driver's reference; the table's is the only one left. */
	sim_iommufd_object_remove(ictx, &access->obj, access->obj.id);
	pthread_mutex_unlock(&ictx->mutex);
	/* Last, outside the mutex: this may be the reference that keeps the context. */
	sim_iommufd_ctx_put(ictx);
}

static int sim_access_check_range(uint64_t iova, uint64_t length)
{
	uint64_t last;

	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return 0;
}

int sim_access_pin_pages(struct sim_access *access, uint64_t iova, uint64_t length, bool write,
			 uintptr_t *out_va)
{
	int rc;

	/* Only a driver that can unpin on demand may pin. */
	if (!access->ops->needs_pin_pages || !access->ops->unmap)
		return -EINVAL;
	rc = sim_access_check_range(iova, length);
	if (rc)
		return rc;
	pthread_mutex_lock(&access->ictx->mutex);
	if (access->ioas)
		rc = sim_iopt_access_pin(&access->ioas->iopt, iova, length, write, out_va);
	else
		rc = -ENOENT;
	pthread_mutex_unlock(&access->ictx->mutex);
	return rc;
}

void sim_access_unpin_pages(struct sim_access *access, uint64_t iova, uint64_t length)
{
	if (sim_access_check_range(iova, length))
		return;
	pthread_mutex_lock(&access->ictx->mutex);
	if (access->ioas_unpin)
		sim_iopt_access_unpin(&access->ioas_unpin->iopt, iova, length);
	pthread_mutex_unlock(&access->ictx->mutex);
}

int sim_access_rw(struct sim_access *access, uint64_t iova, void *data, uint64_t length, bool write)
{
	int rc = sim_access_check_range(iova, length);

	if (rc)
		return rc;
	pthread_mutex_lock(&access->ictx->mutex);
	if (access->ioas)
		rc = sim_iopt_access_rw(&access->ioas->iopt, iova, data, length, write);
	else
		rc = -ENOENT;
	pthread_mutex_unlock(&access->ictx->mutex);
	return rc;
}
